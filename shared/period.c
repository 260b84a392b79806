/* period - days, ISO weeks and months as numbers (see period.h). */
#include <stdio.h>
#include <string.h>
#include "period.h"

/* s_floor_div - division rounding down, for days before 1970 */
static int64_t s_floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* 1970-01-05, day 4, was a Monday: week w starts on day 7 w - 3. */
int64_t period_of_date(period_kind_t k, date_t d)
{
    switch (k) {
    case PERIOD_DAY:  return date_day_number(d);
    case PERIOD_WEEK: return s_floor_div(date_day_number(d) + 3, 7);
    default:          return (int64_t)d.y * 12 + d.m - 1;
    }
}

int64_t period_of(period_kind_t k, int64_t ms)
{
    return period_of_date(k, date_of(ms));
}

date_t period_first_day(period_kind_t k, int64_t p)
{
    switch (k) {
    case PERIOD_DAY:  return date_from_day_number(p);
    case PERIOD_WEEK: return date_from_day_number(7 * p - 3);
    default:          return (date_t){ (int)s_floor_div(p, 12),
                                       (int)(p - 12 * s_floor_div(p, 12)) + 1, 1 };
    }
}

date_t period_last_day(period_kind_t k, int64_t p)
{
    return date_add_days(period_first_day(k, p + 1), -1);
}

int64_t period_start_ms(period_kind_t k, int64_t p)
{
    return date_start_ms(period_first_day(k, p));
}

int64_t period_end_ms(period_kind_t k, int64_t p)
{
    return date_start_ms(period_first_day(k, p + 1));
}

void period_format(char *out, size_t n, period_kind_t k, int64_t p)
{
    date_t d = period_first_day(k, p);
    if (k == PERIOD_DAY) {
        date_format(out, n, d);
    } else if (k == PERIOD_WEEK) {
        /* The ISO week-year is the year of the week's Thursday. */
        date_t thu = date_from_day_number(7 * p);
        int64_t jan1 = date_day_number((date_t){ thu.y, 1, 1 });
        snprintf(out, n, "%04d-W%02d", thu.y, (int)((date_day_number(thu) - jan1) / 7 + 1));
    } else {
        snprintf(out, n, "%04d-%02d", d.y, d.m);
    }
}

int period_parse(const char *text, period_kind_t *kind, int64_t *p)
{
    date_t d;
    err_t ignored;
    int y = 0, m = 0, w = 0;
    char tail, back[16];
    size_t len = strlen(text);
    if (len == 10 && date_parse(&d, text, &ignored) == 0) {
        y = d.y;
        *kind = PERIOD_DAY;
        *p = period_of_date(PERIOD_DAY, d);
    } else if (len == 8 && sscanf(text, "%4d-W%2d%c", &y, &w, &tail) == 2) {
        *kind = PERIOD_WEEK;   /* 4 January is always in week 1 */
        *p = period_of_date(PERIOD_WEEK, (date_t){ y, 1, 4 }) + w - 1;
    } else if (len == 7 && sscanf(text, "%4d-%2d%c", &y, &m, &tail) == 2 && m >= 1 && m <= 12) {
        *kind = PERIOD_MONTH;
        *p = (int64_t)y * 12 + m - 1;
    } else
        return -1;
    if (y < 1970 || y > 9999)
        return -1;
    /* Only what formats back the same: no week 0 or 53 of a 52-week year,
     * no "+202-03" or " 2026-3". */
    period_format(back, sizeof back, *kind, *p);
    return strcmp(back, text) ? -1 : 0;
}

const char *period_close_kind(period_kind_t kind)
{
    return kind == PERIOD_DAY ? "close.day" : kind == PERIOD_WEEK ? "close.week" : "close.month";
}

void period_month(char out[8], period_kind_t k, int64_t p)
{
    date_t d = period_last_day(k, p);
    snprintf(out, 8, "%04d-%02d", d.y, d.m);
}
