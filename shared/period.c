/* period - days, ISO weeks and months as numbers (see period.h). */
#include <stdio.h>
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

void period_month(char out[8], period_kind_t k, int64_t p)
{
    date_t d = period_last_day(k, p);
    snprintf(out, 8, "%04d-%02d", d.y, d.m);
}
