/* test_month - month.close: a month closes once, in order, only after it has
 * ended in ledger time, and the close is a "month.closed" event. */
#include <criterion/criterion.h>
#include "date.h"
#include "fixture.h"

static fixture_t f;

static void setup(void) { fixture_open(&f, 1); }
static void teardown(void) { fixture_close(&f); }

TestSuite(month, .init = setup, .fini = teardown);

/* s_clock - ledger time to a local time */
static void s_clock(const char *when)
{
    err_t err;
    Ledger__ClockSet req = LEDGER__CLOCK_SET__INIT;
    req.meta = fixture_meta(when);
    cr_assert_eq(date_parse_time(&req.time_ms, when, &err), 0);
    cr_assert_eq(fixture_call(&f, FRAME_CLOCK_SET, &req.base, NULL, NULL, &err), 0, "%s", err.msg);
}

/* s_close - month.close; 0, or -1 with err */
static int s_close(const char *month, err_t *err)
{
    static int calls;   /* a key per call: the same key would replay the first reply */
    char key[32];
    snprintf(key, sizeof key, "close-%d", ++calls);
    Ledger__MonthClose req = LEDGER__MONTH_CLOSE__INIT;
    req.meta = fixture_meta(key);
    req.month = (char *)month;
    return fixture_call(&f, FRAME_MONTH_CLOSE, &req.base, &ledger__month_closed__descriptor, NULL,
                        err);
}

Test(month, a_month_closes_once_after_it_has_ended_in_ledger_time)
{
    err_t err;
    s_clock("2026-03-31 23:59:59");
    cr_assert_eq(s_close("2026-03", &err), -1, "March has not ended");
    cr_assert_eq(err.code, ERR(INVALID));
    cr_assert_str_eq(err.field, "month");
    s_clock("2026-04-01 00:00");
    cr_assert_eq(s_close("2026-03", &err), 0, "%s", err.msg);
    uint64_t seq = fixture_last_seq(&f);
    Ledger__Event *e = fixture_event(&f, seq);
    cr_assert_str_eq(e->kind, "month.closed");
    cr_assert_eq(e->body_case, LEDGER__EVENT__BODY_MONTH);
    cr_assert_str_eq(e->month->month, "2026-03");
    cr_assert_eq(e->month->seq, seq, "the stored close names its event");
    cr_assert_str_eq(e->month->actor, "tester");
    ledger__event__free_unpacked(e, NULL);
    cr_assert_eq(s_close("2026-03", &err), -1);
    cr_assert_eq(err.code, ERR(DUPLICATE), "got %s", err_code_name(err.code));
    cr_assert_eq(fixture_last_seq(&f), seq, "a refused close writes nothing");
}

Test(month, months_close_in_order)
{
    err_t err;
    s_clock("2026-07-01 09:00");
    cr_assert_eq(s_close("2026-04", &err), 0, "the first close may be any ended month");
    cr_assert_eq(s_close("2026-06", &err), -1);
    cr_assert_eq(err.code, ERR(CONFLICT), "got %s", err_code_name(err.code));
    cr_assert(strstr(err.msg, "2026-05"), "says which is next: %s", err.msg);
    cr_assert_eq(s_close("2026-05", &err), 0, "%s", err.msg);
    cr_assert_eq(s_close("2026-06", &err), 0, "%s", err.msg);
}

Test(month, a_december_is_followed_by_january_and_bad_months_are_named)
{
    err_t err;
    s_clock("2027-02-01 00:00");
    cr_assert_eq(s_close("2026-12", &err), 0, "%s", err.msg);
    cr_assert_eq(s_close("2027-01", &err), 0, "after December comes January: %s", err.msg);
    static const char *const bad[] = { "2026-13", "2026-1", "March", "" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        cr_assert_eq(s_close(bad[i], &err), -1, "%s", bad[i]);
        cr_assert_str_eq(err.field, "month", "\"%s\": field %s", bad[i], err.field);
    }
}
