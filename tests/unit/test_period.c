/* test_period - days, ISO weeks and months as numbers: their edges (the
 * Monday and Sunday of a week, a week across a year's end, the last day of
 * a month), and that stepping a number steps the calendar. */
#include <criterion/criterion.h>
#include <string.h>
#include "date.h"
#include "period.h"

static void s_zone(void)
{
    err_t err;
    cr_assert_eq(date_zone_set("Asia/Shanghai", &err), 0, "%s", err.msg);
}

TestSuite(period, .init = s_zone);

static void s_want(period_kind_t k, date_t d, const char *want)
{
    char got[16];
    period_format(got, sizeof got, k, period_of_date(k, d));
    cr_assert_str_eq(got, want, "%04d-%02d-%02d: got %s, want %s", d.y, d.m, d.d, got, want);
}

Test(period, a_week_runs_monday_to_sunday_and_takes_its_thursday_s_year)
{
    s_want(PERIOD_WEEK, (date_t){ 2025, 11, 3 }, "2025-W45");   /* Monday */
    s_want(PERIOD_WEEK, (date_t){ 2025, 11, 9 }, "2025-W45");   /* Sunday */
    s_want(PERIOD_WEEK, (date_t){ 2025, 11, 10 }, "2025-W46");  /* the next Monday */
    s_want(PERIOD_WEEK, (date_t){ 2025, 12, 29 }, "2026-W01");  /* Thursday is Jan 1 */
    s_want(PERIOD_WEEK, (date_t){ 2027, 1, 3 }, "2026-W53");    /* 2026 has 53 weeks */
    s_want(PERIOD_WEEK, (date_t){ 1970, 1, 1 }, "1970-W01");
    s_want(PERIOD_WEEK, (date_t){ 1969, 12, 28 }, "1969-W52");  /* before the epoch */
}

Test(period, days_and_months_format_as_dates)
{
    s_want(PERIOD_DAY, (date_t){ 2024, 2, 29 }, "2024-02-29");
    s_want(PERIOD_DAY, (date_t){ 1969, 12, 31 }, "1969-12-31");
    s_want(PERIOD_MONTH, (date_t){ 2025, 12, 31 }, "2025-12");
    s_want(PERIOD_MONTH, (date_t){ 2026, 1, 1 }, "2026-01");
}

Test(period, first_and_last_days_and_the_month_a_period_counts_in)
{
    int64_t w = period_of_date(PERIOD_WEEK, (date_t){ 2025, 12, 31 });
    date_t first = period_first_day(PERIOD_WEEK, w), last = period_last_day(PERIOD_WEEK, w);
    cr_assert(first.y == 2025 && first.m == 12 && first.d == 29);
    cr_assert(last.y == 2026 && last.m == 1 && last.d == 4);
    char month[8];
    period_month(month, PERIOD_WEEK, w);
    cr_assert_str_eq(month, "2026-01", "a week across two months counts in the later");
    int64_t feb = period_of_date(PERIOD_MONTH, (date_t){ 2024, 2, 10 });
    last = period_last_day(PERIOD_MONTH, feb);
    cr_assert(last.d == 29, "February 2024 ends on the 29th, got %d", last.d);
}

Test(period, the_end_is_the_next_period_s_start_at_local_midnight)
{
    int64_t d = period_of_date(PERIOD_DAY, (date_t){ 2025, 11, 3 });
    int64_t start = period_start_ms(PERIOD_DAY, d), end = period_end_ms(PERIOD_DAY, d);
    cr_assert_eq(end - start, 24LL * 3600 * 1000);
    cr_assert_eq(end, period_start_ms(PERIOD_DAY, d + 1));
    cr_assert_eq(period_of(PERIOD_DAY, end - 1), d, "23:59:59.999 is still the day");
    cr_assert_eq(period_of(PERIOD_DAY, end), d + 1, "midnight is the next");
    /* Shanghai midnight is 16:00 UTC the day before. */
    cr_assert_eq(start % (24LL * 3600 * 1000), 16LL * 3600 * 1000);
}

Test(period, stepping_the_number_steps_the_calendar)
{
    for (period_kind_t k = PERIOD_DAY; k <= PERIOD_MONTH; k++) {
        int64_t p = period_of_date(k, (date_t){ 2023, 1, 1 });
        for (int i = 0; i < 800; i++, p++) {
            date_t next = period_first_day(k, p + 1), last = period_last_day(k, p);
            cr_assert_eq(date_cmp(date_add_days(last, 1), next), 0, "kind %d, period %lld",
                         (int)k, (long long)p);
            cr_assert_eq(period_of_date(k, period_first_day(k, p)), p);
            cr_assert_eq(period_of_date(k, last), p);
        }
    }
}

Test(period, parse_takes_only_what_format_writes)
{
    static const struct { const char *text; int ok; period_kind_t kind; } cases[] = {
        { "2026-03-01", 1, PERIOD_DAY }, { "2026-02-29", 0, PERIOD_DAY },
        { "2026-W09", 1, PERIOD_WEEK }, { "2026-W01", 1, PERIOD_WEEK },
        { "2026-W53", 1, PERIOD_WEEK },   /* 2026 starts on a Thursday: 53 weeks */
        { "2025-W53", 0, PERIOD_WEEK }, { "2026-W00", 0, PERIOD_WEEK },
        { "2026-03", 1, PERIOD_MONTH }, { "2026-13", 0, PERIOD_MONTH },
        { "2026-00", 0, PERIOD_MONTH }, { "2026-3", 0, PERIOD_MONTH },
        { "+202-03", 0, PERIOD_MONTH }, { " 2026-03", 0, PERIOD_MONTH },
        { "1969-12", 0, PERIOD_MONTH }, { "2026-03x", 0, PERIOD_MONTH }, { "", 0, PERIOD_DAY },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        period_kind_t kind;
        int64_t p;
        int ok = period_parse(cases[i].text, &kind, &p) == 0;
        cr_assert_eq(ok, cases[i].ok, "'%s'", cases[i].text);
        if (!ok)
            continue;
        char back[16];
        period_format(back, sizeof back, kind, p);
        cr_assert_str_eq(back, cases[i].text);
        cr_assert_eq(kind, cases[i].kind, "'%s'", cases[i].text);
    }
    cr_assert_str_eq(period_close_kind(PERIOD_WEEK), "close.week");
}
