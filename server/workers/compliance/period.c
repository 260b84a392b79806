/* period - days, ISO weeks and months as numbers (see period.h). */
#include <stdio.h>
#include "period.h"

/* s_day - days since 1970-01-01 of a civil date (H. Hinnant's days_from_civil) */
static int64_t s_day(date_t d)
{
    int64_t y = d.m <= 2 ? d.y - 1 : d.y;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (d.m + (d.m > 2 ? -3 : 9)) + 2) / 5 + d.d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* s_date - the civil date of a day number (civil_from_days) */
static date_t s_date(int64_t z)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int d = (int)(doy - (153 * mp + 2) / 5 + 1);
    int m = (int)(mp < 10 ? mp + 3 : mp - 9);
    return (date_t){ (int)(yoe + era * 400 + (m <= 2)), m, d };
}

/* s_floor_div - division rounding down, for days before 1970 */
static int64_t s_floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* 1970-01-05, day 4, was a Monday: week w starts on day 7 w - 3. */
int64_t period_of_date(period_kind_t k, date_t d)
{
    switch (k) {
    case PERIOD_DAY:  return s_day(d);
    case PERIOD_WEEK: return s_floor_div(s_day(d) + 3, 7);
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
    case PERIOD_DAY:  return s_date(p);
    case PERIOD_WEEK: return s_date(7 * p - 3);
    default:          return (date_t){ (int)s_floor_div(p, 12), (int)(p - 12 * s_floor_div(p, 12)) + 1, 1 };
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
        date_t thu = s_date(7 * p);
        int64_t jan1 = s_day((date_t){ thu.y, 1, 1 });
        snprintf(out, n, "%04d-W%02d", thu.y, (int)((s_day(thu) - jan1) / 7 + 1));
    } else {
        snprintf(out, n, "%04d-%02d", d.y, d.m);
    }
}

void period_month(char out[8], period_kind_t k, int64_t p)
{
    date_t d = period_last_day(k, p);
    snprintf(out, 8, "%04d-%02d", d.y, d.m);
}
