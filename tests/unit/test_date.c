/* test_date - strict date and time parsing, the process zone, local dates
 * across UTC midnight, and calendar arithmetic with clamping. Criterion runs
 * each test in its own process, so each starts with no zone set. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "date.h"

#define N(a) (sizeof (a) / sizeof (a)[0])
#define JAN1_2026_SHANGHAI_MS 1767196800000LL  /* 2025-12-31T16:00:00Z */

/* s_zone - set a zone the test relies on */
static void s_zone(const char *zone)
{
    err_t err = { 0 };
    cr_assert_eq(date_zone_set(zone, &err), 0, "date_zone_set(%s): %s", zone, err.msg);
}

/* s_assert_date - got == want, printing both */
static void s_assert_date(date_t got, date_t want, const char *what)
{
    cr_assert(got.y == want.y && got.m == want.m && got.d == want.d,
              "%s: got %04d-%02d-%02d, want %04d-%02d-%02d", what, got.y, got.m, got.d,
              want.y, want.m, want.d);
}

Test(date, parses_real_calendar_dates)
{
    static const struct { const char *text; date_t want; } cases[] = {
        { "2026-03-01", { 2026, 3, 1 } },  { "2024-02-29", { 2024, 2, 29 } },
        { "2000-02-29", { 2000, 2, 29 } }, { "1970-01-01", { 1970, 1, 1 } },
        { "9999-12-31", { 9999, 12, 31 } }, { "2026-12-31", { 2026, 12, 31 } },
        { "2026-04-30", { 2026, 4, 30 } },
    };
    for (size_t i = 0; i < N(cases); i++) {
        date_t got = { 0 };
        err_t err = { 0 };
        cr_assert_eq(date_parse(&got, cases[i].text, &err), 0, "date_parse(%s): %s",
                     cases[i].text, err.msg);
        s_assert_date(got, cases[i].want, cases[i].text);
    }
}

Test(date, refuses_dates_not_in_the_calendar_or_not_strict)
{
    static const char *cases[] = {
        "2026-02-29", "1900-02-29", "2100-02-29", "2026-13-01", "2026-00-10", "2026-01-00",
        "2026-04-31", "2026-01-32", "1969-12-31", "0000-01-01", "2026-1-01", "2026-01-1",
        "26-01-01", "2026/01/01", "2026-01-01 ", " 2026-01-01", "2026-01-01T00:00", "",
        "20260101", "2026-0a-01", "+026-01-01", "2026--1-01", "10000-01-01",
    };
    for (size_t i = 0; i < N(cases); i++) {
        date_t got = { 1, 2, 3 };
        err_t err = { 0 };
        int rc = date_parse(&got, cases[i], &err);
        cr_assert_eq(rc, -1, "date_parse(\"%s\") = %d (%04d-%02d-%02d), want -1", cases[i],
                     rc, got.y, got.m, got.d);
        cr_assert_eq(err.code, ERR(INVALID), "date_parse(\"%s\"): got %s, want INVALID",
                     cases[i], err_code_name(err.code));
        cr_assert_str_eq(err.field, "", "date_parse(\"%s\"): field \"%s\", want \"\"",
                         cases[i], err.field);
    }
}

Test(date, zone_is_utc_until_one_is_set)
{
    setenv("TZ", "Asia/Shanghai", 1);   /* the environment does not choose the zone */
    tzset();
    cr_assert_str_eq(date_zone(), "UTC", "date_zone(): got %s, want UTC", date_zone());
    /* and conversions agree with it, whatever TZ the environment had */
    s_assert_date(date_of(JAN1_2026_SHANGHAI_MS), (date_t){ 2025, 12, 31 }, "date_of in UTC");
    s_zone("Asia/Shanghai");
    cr_assert_str_eq(date_zone(), "Asia/Shanghai", "date_zone(): got %s", date_zone());
}

Test(date, shanghai_midnight_is_the_previous_utc_day)
{
    s_zone("Asia/Shanghai");
    int64_t start = date_start_ms((date_t){ 2026, 1, 1 });
    cr_assert_eq(start, JAN1_2026_SHANGHAI_MS, "date_start_ms(2026-01-01): got %lld, want %lld",
                 (long long)start, JAN1_2026_SHANGHAI_MS);
    int64_t ms = 0;
    err_t err = { 0 };
    cr_assert_eq(date_parse_time(&ms, "2026-01-01T00:00", &err), 0, "parse: %s", err.msg);
    cr_assert_eq(ms, JAN1_2026_SHANGHAI_MS, "date_parse_time(2026-01-01T00:00): got %lld, "
                 "want %lld", (long long)ms, JAN1_2026_SHANGHAI_MS);
}

Test(date, date_of_changes_at_local_midnight)
{
    s_zone("Asia/Shanghai");
    s_assert_date(date_of(JAN1_2026_SHANGHAI_MS), (date_t){ 2026, 1, 1 }, "at midnight");
    s_assert_date(date_of(JAN1_2026_SHANGHAI_MS - 1), (date_t){ 2025, 12, 31 }, "1 ms before");
    s_assert_date(date_of(JAN1_2026_SHANGHAI_MS + 86400000LL - 1), (date_t){ 2026, 1, 1 },
                  "last ms of the day");
    s_assert_date(date_of(JAN1_2026_SHANGHAI_MS + 86400000LL), (date_t){ 2026, 1, 2 },
                  "next midnight");
    /* before the epoch in UTC, still 1970 in Shanghai: floor, not truncation */
    s_assert_date(date_of(-1), (date_t){ 1970, 1, 1 }, "date_of(-1) in Shanghai");
    s_zone("UTC");
    s_assert_date(date_of(-1), (date_t){ 1969, 12, 31 }, "date_of(-1) in UTC");
    s_assert_date(date_of(JAN1_2026_SHANGHAI_MS), (date_t){ 2025, 12, 31 }, "same instant, UTC");
}

Test(date, formats_local_times)
{
    s_zone("Asia/Shanghai");
    char got[32];
    date_format_time(got, sizeof got, JAN1_2026_SHANGHAI_MS + 3723000);
    cr_assert_str_eq(got, "2026-01-01 01:02:03", "date_format_time: got %s", got);
    date_format_time(got, sizeof got, JAN1_2026_SHANGHAI_MS - 1);
    cr_assert_str_eq(got, "2025-12-31 23:59:59", "date_format_time(-1 ms): got %s", got);
    date_format(got, sizeof got, (date_t){ 2026, 3, 1 });
    cr_assert_str_eq(got, "2026-03-01", "date_format: got %s", got);
}

Test(date, parses_time_forms_in_the_zone)
{
    s_zone("Asia/Shanghai");
    static const struct { const char *text; int64_t want; } cases[] = {
        { "2026-01-01", JAN1_2026_SHANGHAI_MS },
        { "2026-01-01T00:00", JAN1_2026_SHANGHAI_MS },
        { "2026-01-01 00:00", JAN1_2026_SHANGHAI_MS },
        { "2026-01-01T10:30", JAN1_2026_SHANGHAI_MS + 37800000LL },
        { "2026-01-01 10:30:15", JAN1_2026_SHANGHAI_MS + 37815000LL },
        { "2026-01-01T23:59:59", JAN1_2026_SHANGHAI_MS + 86399000LL },
        { "1970-01-01", -28800000LL },
    };
    for (size_t i = 0; i < N(cases); i++) {
        int64_t got = 0;
        err_t err = { 0 };
        cr_assert_eq(date_parse_time(&got, cases[i].text, &err), 0, "date_parse_time(%s): %s",
                     cases[i].text, err.msg);
        cr_assert_eq(got, cases[i].want, "date_parse_time(%s): got %lld, want %lld",
                     cases[i].text, (long long)got, (long long)cases[i].want);
    }
}

Test(date, refuses_malformed_times)
{
    static const char *cases[] = {
        "2026-01-01T24:00", "2026-01-01T10:60", "2026-01-01T10:00:60", "2026-01-01T1:00",
        "2026-01-01X10:00", "2026-01-01T10-00", "2026-01-01T10:00:", "2026-01-01T10:00Z",
        "2026-01-01T10:00:00Z", "2026-02-29T10:00", "2026-01-01T", "2026-01-01  10:00",
        "2026-01-01T10:00:0a", "", "10:00",
    };
    s_zone("Asia/Shanghai");
    for (size_t i = 0; i < N(cases); i++) {
        int64_t got = 7;
        err_t err = { 0 };
        int rc = date_parse_time(&got, cases[i], &err);
        cr_assert_eq(rc, -1, "date_parse_time(\"%s\") = %d (%lld), want -1", cases[i], rc,
                     (long long)got);
        cr_assert_eq(err.code, ERR(INVALID), "date_parse_time(\"%s\"): got %s, want INVALID",
                     cases[i], err_code_name(err.code));
        cr_assert_eq(got, 7, "date_parse_time(\"%s\") wrote %lld on failure", cases[i],
                     (long long)got);
    }
}

Test(date, refuses_a_local_time_skipped_by_a_clock_change)
{
    s_zone("America/New_York");
    int64_t got = 0;
    err_t err = { 0 };
    int rc = date_parse_time(&got, "2026-03-08T02:30", &err);
    cr_assert_eq(rc, -1, "2026-03-08T02:30 New York does not exist; got %lld", (long long)got);
    cr_assert_eq(err.code, ERR(INVALID), "got %s, want INVALID", err_code_name(err.code));
    cr_assert_eq(date_parse_time(&got, "2026-03-08T03:30", &err), 0, "03:30: %s", err.msg);
    cr_assert_eq(got, 1772955000000LL, "2026-03-08T03:30 EDT: got %lld", (long long)got);
}

Test(date, day_start_where_midnight_is_skipped_is_the_first_local_instant)
{
    /* Brazil's DST began at 00:00 on 2018-11-04: the day starts at 01:00 */
    s_zone("America/Sao_Paulo");
    int64_t got = date_start_ms((date_t){ 2018, 11, 4 });
    cr_assert_eq(got, 1541300400000LL, "date_start_ms(2018-11-04): got %lld, want %lld",
                 (long long)got, 1541300400000LL);
    s_assert_date(date_of(got), (date_t){ 2018, 11, 4 }, "date_of(day start)");
}

Test(date, refuses_unknown_or_unsafe_zones)
{
    static const char *cases[] = {
        "Mars/Olympus", "Asia/Shanghai ", "asia/shanghai", "", "../../../etc/passwd",
        "Asia/../Asia/Shanghai", "/usr/share/zoneinfo/UTC", "/etc/localtime", "Asia/",
        "Asia//Shanghai", "./UTC", "Asia", "zone.tab", "tzdata.zi", "CST-8", ":UTC",
        "UTC\n", "Asia/Shanghai/x",
    };
    s_zone("Asia/Shanghai");
    for (size_t i = 0; i < N(cases); i++) {
        err_t err = { 0 };
        int rc = date_zone_set(cases[i], &err);
        cr_assert_eq(rc, -1, "date_zone_set(\"%s\") = %d, want -1", cases[i], rc);
        cr_assert_eq(err.code, ERR(INVALID), "date_zone_set(\"%s\"): got %s, want INVALID",
                     cases[i], err_code_name(err.code));
        cr_assert_str_eq(date_zone(), "Asia/Shanghai", "a refused zone replaced the zone: %s",
                         date_zone());
    }
    err_t err = { 0 };
    cr_assert_eq(date_zone_set(NULL, &err), -1, "date_zone_set(NULL) accepted");
    s_assert_date(date_of(JAN1_2026_SHANGHAI_MS), (date_t){ 2026, 1, 1 }, "still Shanghai");
}

Test(date, looks_zones_up_under_tzdir)
{
    setenv("TZDIR", "/nonexistent-zoneinfo", 1);
    err_t err = { 0 };
    cr_assert_eq(date_zone_set("Asia/Shanghai", &err), -1,
                 "Asia/Shanghai accepted though TZDIR has no zones");
    setenv("TZDIR", "/usr/share/zoneinfo", 1);
    s_zone("Asia/Shanghai");
}

Test(date, adds_months_clamping_the_day)
{
    static const struct { date_t d; int n; date_t want; } cases[] = {
        { { 2025, 11, 30 }, 3, { 2026, 2, 28 } },
        { { 2023, 11, 30 }, 3, { 2024, 2, 29 } },
        { { 2026, 1, 31 }, 1, { 2026, 2, 28 } },
        { { 2024, 1, 31 }, 1, { 2024, 2, 29 } },
        { { 2026, 3, 31 }, 1, { 2026, 4, 30 } },
        { { 2026, 3, 31 }, -1, { 2026, 2, 28 } },
        { { 2026, 1, 15 }, -1, { 2025, 12, 15 } },
        { { 2026, 1, 15 }, -13, { 2024, 12, 15 } },
        { { 2026, 12, 31 }, 12, { 2027, 12, 31 } },
        { { 2024, 2, 29 }, 12, { 2025, 2, 28 } },
        { { 2024, 2, 29 }, 48, { 2028, 2, 29 } },
        { { 2026, 5, 10 }, 0, { 2026, 5, 10 } },
        { { 2026, 12, 1 }, 1, { 2027, 1, 1 } },
    };
    for (size_t i = 0; i < N(cases); i++) {
        char what[64];
        snprintf(what, sizeof what, "%04d-%02d-%02d %+d months", cases[i].d.y, cases[i].d.m,
                 cases[i].d.d, cases[i].n);
        s_assert_date(date_add_months(cases[i].d, cases[i].n), cases[i].want, what);
    }
}

Test(date, adds_days_across_months_and_years)
{
    static const struct { date_t d; int n; date_t want; } cases[] = {
        { { 2025, 12, 31 }, 1, { 2026, 1, 1 } },
        { { 2026, 1, 1 }, -1, { 2025, 12, 31 } },
        { { 2024, 2, 28 }, 1, { 2024, 2, 29 } },
        { { 2026, 2, 28 }, 1, { 2026, 3, 1 } },
        { { 2024, 3, 1 }, -1, { 2024, 2, 29 } },
        { { 2026, 1, 31 }, 30, { 2026, 3, 2 } },
        { { 2026, 1, 1 }, 365, { 2027, 1, 1 } },
        { { 2024, 1, 1 }, 366, { 2025, 1, 1 } },
        { { 2026, 6, 15 }, 0, { 2026, 6, 15 } },
        { { 1970, 1, 1 }, -1, { 1969, 12, 31 } },
        { { 2000, 1, 1 }, 10000, { 2027, 5, 19 } },
        { { 2027, 5, 19 }, -10000, { 2000, 1, 1 } },
    };
    for (size_t i = 0; i < N(cases); i++) {
        char what[64];
        snprintf(what, sizeof what, "%04d-%02d-%02d %+d days", cases[i].d.y, cases[i].d.m,
                 cases[i].d.d, cases[i].n);
        s_assert_date(date_add_days(cases[i].d, cases[i].n), cases[i].want, what);
    }
}

Test(date, add_days_agrees_with_day_starts_in_utc)
{
    s_zone("UTC");
    date_t d = { 1970, 1, 1 };
    for (int i = 0; i < 30000; i += 37) {
        date_t got = date_add_days(d, i);
        s_assert_date(got, date_of((int64_t)i * 86400000LL), "date_add_days vs date_of");
    }
}

Test(date, knows_month_lengths_and_order)
{
    static const struct { int y, m, want; } cases[] = {
        { 2026, 1, 31 }, { 2026, 2, 28 }, { 2024, 2, 29 }, { 2000, 2, 29 }, { 1900, 2, 28 },
        { 2026, 4, 30 }, { 2026, 12, 31 },
    };
    for (size_t i = 0; i < N(cases); i++) {
        int got = date_days_in_month(cases[i].y, cases[i].m);
        cr_assert_eq(got, cases[i].want, "date_days_in_month(%d, %d): got %d, want %d",
                     cases[i].y, cases[i].m, got, cases[i].want);
    }
    cr_assert_lt(date_cmp((date_t){ 2025, 12, 31 }, (date_t){ 2026, 1, 1 }), 0, "year order");
    cr_assert_gt(date_cmp((date_t){ 2026, 2, 1 }, (date_t){ 2026, 1, 31 }), 0, "month order");
    cr_assert_lt(date_cmp((date_t){ 2026, 2, 1 }, (date_t){ 2026, 2, 2 }), 0, "day order");
    cr_assert_eq(date_cmp((date_t){ 2026, 2, 1 }, (date_t){ 2026, 2, 1 }), 0, "equal");
}
