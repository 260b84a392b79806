/* test_reconciliation - ledger-reconciliation as it runs on a --test-clock
 * ledgerd: a branch's accounts closed day by day (opening + movements =
 * closing) at local midnight in Asia/Shanghai, which is 16:00 UTC the day
 * before; the ISO week and the month closed with their last day; an
 * unbalanced entry refused; a late entry into a closed day booked on the next
 * open day, or by policy reopening the day with a new close version; and the
 * same closes after a replay from seq 1. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include "client.h"
#include "frame.h"
#include "reconciliation.pb-c.h"
#include "results.h"
#include "server.h"

TestSuite(reconciliation, .timeout = 600);

static server_t srv;
static pid_t worker;
static char out[1 << 16];

#define CTL_OK(...) do { int rc_ = ctl(&srv, out, sizeof out, __VA_ARGS__); \
    cr_assert_eq(rc_, 0, "exit %d: %s", rc_, out); } while (0)

/* s_start - a --test-clock ledgerd at ledger time now, reconciliation
 * following it, and SH01's cash and revenue accounts */
static void s_start(const char *now)
{
    char log[512];
    server_start(&srv, "--test-clock");
    snprintf(log, sizeof log, "%s/reconciliation.log", srv.dir);
    worker = worker_start(&srv, "reconciliation", "", log);
    CTL_OK("clock set '%s'", now);
    CTL_OK("account add --code A-CASH --name 现金 --kind receiving --branch SH01 --owner-name 王芳");
    CTL_OK("account add --code A-REV --name 销售收入 --kind internal --branch SH01 --owner-name 公司");
}

static void s_finish(void)
{
    cr_assert_eq(proc_stop(worker), 0, "reconciliation stops cleanly");
    server_remove(&srv);
}

static void s_caught_up(void)
{
    CTL_OK("cursor wait reconciliation:0/1 --within 180");
}

/* s_sale - a sale of yuan into cash at a local time */
static void s_sale(const char *code, const char *when, const char *yuan)
{
    CTL_OK("entry add --code %s --branch SH01 --time '%s' --category sale "
           "--posting A-CASH:%s --posting A-REV:-%s", code, when, yuan, yuan);
}

/* s_close - the stored close of (kind, key) and its result version, or NULL */
static Ledger__Close *s_close(const char *kind, const char *key, uint64_t *version)
{
    client_t *c = client_new(srv.listen, "tester", 5000);
    Ledger__Result *r = result_get(c, kind, key);
    Ledger__Close *close = NULL;
    if (r) {
        close = ledger__close__unpack(NULL, r->payload.len, r->payload.data);
        cr_assert(close, "%s %s: a Close", kind, key);
        if (version)
            *version = r->version;
        ledger__result__free_unpacked(r, NULL);
    }
    client_destroy(&c);
    return close;
}

/* s_closed - 1 when the close of (kind, key) is stored */
static int s_closed(const char *kind, const char *key)
{
    Ledger__Close *c = s_close(kind, key, NULL);
    if (c)
        ledger__close__free_unpacked(c, NULL);
    return c != NULL;
}

/* s_account - the account's line of a close */
static const Ledger__AccountClose *s_account(const Ledger__Close *c, const char *code)
{
    for (size_t i = 0; i < c->n_accounts; i++)
        if (!strcmp(c->accounts[i]->account, code))
            return c->accounts[i];
    cr_assert_fail("%s: no line for %s", c->period, code);
    return NULL;
}

/* s_want - the account's opening, movements and closing in fen */
static void s_want(const Ledger__Close *c, const char *code, int64_t opening, int64_t debits,
                   int64_t credits, int64_t closing)
{
    const Ledger__AccountClose *a = s_account(c, code);
    cr_assert(a->opening == opening && a->debits == debits && a->credits == credits &&
              a->closing == closing,
              "%s %s: %lld + %lld + %lld = %lld, want %lld + %lld + %lld = %lld", c->period,
              code, (long long)a->opening, (long long)a->debits, (long long)a->credits,
              (long long)a->closing, (long long)opening, (long long)debits, (long long)credits,
              (long long)closing);
    cr_assert_eq(a->opening + a->debits + a->credits, a->closing, "opening + movements = closing");
}

Test(reconciliation, days_close_at_local_midnight_and_their_week_and_month_follow)
{
    s_start("2026-03-01 08:00");
    /* 23:30 on Sunday March 1st local is 15:30 UTC; 00:30 on the 2nd is
     * 16:30 UTC on the 1st: two business days, one UTC date. */
    s_sale("E-1", "2026-03-01 23:30", "100.00");
    s_sale("E-2", "2026-03-02 00:30", "50.00");
    /* An entry that does not balance is refused, and books nothing. */
    int rc = ctl(&srv, out, sizeof out, "entry add --code E-BAD --branch SH01 --time "
                 "'2026-03-01 12:00' --category sale --posting A-CASH:10.00 --posting A-REV:-9.99");
    cr_assert_eq(rc, 1, "an unbalanced entry is refused: %s", out);
    cr_assert(strstr(out, "postings"), "the error names the postings: %s", out);
    s_caught_up();
    cr_assert(!s_closed("close.day", "SH01@2026-03-01"), "the day has not ended");

    /* One minute before local midnight: still open. At midnight, with the
     * branch moved on to the 2nd, the 1st closes. */
    CTL_OK("clock set '2026-03-01 23:59'");
    s_caught_up();
    cr_assert(!s_closed("close.day", "SH01@2026-03-01"), "23:59 is still the 1st");
    CTL_OK("clock set '2026-03-02 00:00'");
    s_caught_up();
    uint64_t v = 0;
    Ledger__Close *d1 = s_close("close.day", "SH01@2026-03-01", &v);
    cr_assert(d1, "the 1st closed at local midnight");
    cr_assert_eq(v, 1);
    s_want(d1, "A-CASH", 0, 10000, 0, 10000);
    s_want(d1, "A-REV", 0, 0, -10000, -10000);
    cr_assert_eq(d1->entries, 1, "E-1 alone: E-2 is the 2nd's, E-BAD nobody's");
    cr_assert_eq(d1->imbalance, 0, "every entry balances");
    ledger__close__free_unpacked(d1, NULL);
    /* March 1st 2026 is a Sunday: its ISO week (W09) closes with it. */
    Ledger__Close *w = s_close("close.week", "SH01@2026-W09", NULL);
    cr_assert(w, "the week ending on the 1st closed");
    s_want(w, "A-CASH", 0, 10000, 0, 10000);
    cr_assert_str_eq(w->first_day, "2026-02-23");
    cr_assert_str_eq(w->last_day, "2026-03-01");
    ledger__close__free_unpacked(w, NULL);
    cr_assert(!s_closed("close.day", "SH01@2026-03-02"), "the 2nd has not ended");

    /* The 2nd ends and the branch is quiet: it closes from the 1st's balances.
     * Then nothing happens until April: every March day closes, and the month. */
    CTL_OK("clock set '2026-04-01 00:00'");
    s_caught_up();
    Ledger__Close *d2 = s_close("close.day", "SH01@2026-03-02", NULL);
    cr_assert(d2);
    s_want(d2, "A-CASH", 10000, 5000, 0, 15000);
    ledger__close__free_unpacked(d2, NULL);
    Ledger__Close *d31 = s_close("close.day", "SH01@2026-03-31", NULL);
    cr_assert(d31, "a day without entries closes too");
    s_want(d31, "A-CASH", 15000, 0, 0, 15000);
    ledger__close__free_unpacked(d31, NULL);
    Ledger__Close *m = s_close("close.month", "SH01@2026-03", NULL);
    cr_assert(m, "March closed with its last day");
    s_want(m, "A-CASH", 0, 15000, 0, 15000);
    s_want(m, "A-REV", 0, 0, -15000, -15000);
    cr_assert_eq(m->entries, 2);
    ledger__close__free_unpacked(m, NULL);
    char *kinds[] = { "close" };
    replay_matches(&srv, "reconciliation", kinds, 1, 30);
    s_finish();
}

Test(reconciliation, a_late_entry_is_booked_on_the_next_open_day_and_recorded)
{
    s_start("2026-03-01 08:00");
    s_sale("E-1", "2026-03-01 10:00", "100.00");
    s_sale("E-2", "2026-03-02 10:00", "20.00");
    CTL_OK("clock set '2026-03-02 12:00'");
    s_caught_up();
    cr_assert(s_closed("close.day", "SH01@2026-03-01"), "the 1st closed");
    /* Dated on the closed 1st: the default policy books it on the 2nd. */
    s_sale("E-LATE", "2026-03-01 18:00", "7.00");
    CTL_OK("clock set '2026-03-04 00:00'");
    s_caught_up();
    uint64_t v = 0;
    Ledger__Close *d1 = s_close("close.day", "SH01@2026-03-01", &v);
    cr_assert_eq(v, 1, "the closed day is never changed");
    s_want(d1, "A-CASH", 0, 10000, 0, 10000);
    ledger__close__free_unpacked(d1, NULL);
    Ledger__Close *d2 = s_close("close.day", "SH01@2026-03-02", NULL);
    s_want(d2, "A-CASH", 10000, 2700, 0, 12700);
    cr_assert_eq(d2->n_late, 1);
    cr_assert_str_eq(d2->late[0], "E-LATE");
    ledger__close__free_unpacked(d2, NULL);
    CTL_OK("--json exceptions --kind late_entry --all");
    cr_assert(strstr(out, "late_entry/E-LATE"), "the late entry is an exception: %s", out);
    cr_assert(strstr(out, "\"booked_on\":\"2026-03-02\""), "booked on the 2nd: %s", out);
    char *kinds[] = { "close", "recon.exception" };
    replay_matches(&srv, "reconciliation", kinds, 2, 4);
    s_finish();
}

Test(reconciliation, a_late_entry_reopens_its_day_when_the_policy_says_so)
{
    s_start("2026-03-01 08:00");
    policy_put(&srv, "2026-03", "late_entry: reopen\n");
    s_sale("E-1", "2026-03-01 10:00", "100.00");
    s_sale("E-2", "2026-03-02 10:00", "20.00");
    s_sale("E-3", "2026-03-03 10:00", "1.00");
    CTL_OK("clock set '2026-03-03 12:00'");
    s_caught_up();
    cr_assert(s_closed("close.day", "SH01@2026-03-02"), "the 1st and 2nd closed");
    s_sale("E-LATE", "2026-03-01 18:00", "7.00");
    s_caught_up();
    uint64_t v = 0;
    Ledger__Close *d1 = s_close("close.day", "SH01@2026-03-01", &v);
    cr_assert_eq(v, 2, "the reopened day has a new close version");
    cr_assert_eq(d1->reopened, 1);
    s_want(d1, "A-CASH", 0, 10700, 0, 10700);
    ledger__close__free_unpacked(d1, NULL);
    Ledger__Close *d2 = s_close("close.day", "SH01@2026-03-02", &v);
    cr_assert_eq(v, 2, "the next day's opening moved: a new version too");
    s_want(d2, "A-CASH", 10700, 2000, 0, 12700);
    cr_assert_eq(d2->reopened, 0);
    ledger__close__free_unpacked(d2, NULL);
    CTL_OK("--json exceptions --kind late_entry --all");
    cr_assert(strstr(out, "late_entry/E-LATE"), "recorded, never silent: %s", out);
    cr_assert(strstr(out, "\"booked_on\":\"2026-03-01\""), "booked on its own day: %s", out);
    s_finish();
}

/* s_exception - the stored exception under id: 1 open, 0 put right, -1 none */
static int s_exception(const char *id, char *reason, size_t n)
{
    client_t *c = client_new(srv.listen, "tester", 5000);
    Ledger__Result *r = result_get(c, "recon.exception", id);
    int state = -1;
    if (r) {
        Ledger__Exception *x = ledger__exception__unpack(NULL, r->payload.len, r->payload.data);
        cr_assert(x, "%s: an Exception", id);
        state = x->open;
        if (reason)
            snprintf(reason, n, "%s", x->reason);
        ledger__exception__free_unpacked(x, NULL);
        ledger__result__free_unpacked(r, NULL);
    }
    client_destroy(&c);
    return state;
}

#define EXC_IS(id, want) do { char why_[400] = ""; int got_ = s_exception(id, why_, sizeof why_); \
    cr_assert_eq(got_, want, "%s: %d (%s), want %d", id, got_, why_, want); } while (0)

Test(reconciliation, orders_against_payments_shipments_and_refunds)
{
    s_start("2026-03-01 08:00");
    CTL_OK("product add --code G-1 --name 打印机 --purchase-price 1000.00 --channel-price 1500.00 "
           "--list-price 1800.00 --market-price 2000.00");
    CTL_OK("customer add --code C-1 --name 陈静 --branch SH01");
    const char *line = "--line G-1:1:1800.00";
    for (int i = 1; i <= 5; i++)
        CTL_OK("order add --code O-%d --customer C-1 --placed '2026-03-01 09:0%d' %s", i, i, line);

    /* O-1: shipped, nothing paid (seed 003), then paid in full: put right. */
    CTL_OK("shipment add --code SP-1 --order O-1 --shipped '2026-03-01 10:00'");
    /* O-2: paid in full, never shipped. */
    CTL_OK("payment add --code PAY-2 --order O-2 --amount 1800.00 --paid '2026-03-01 10:00'");
    /* O-3: paid one fen short, and shipped. */
    CTL_OK("payment add --code PAY-3 --order O-3 --amount 1799.99 --paid '2026-03-01 10:00'");
    CTL_OK("shipment add --code SP-3 --order O-3 --shipped '2026-03-01 11:00'");
    /* O-4: a refund with no payment. */
    CTL_OK("refund add --code RF-4 --order O-4 --amount 100.00 --requested '2026-03-01 12:00'");
    /* O-5: paid exactly and shipped: no exception at all. */
    CTL_OK("payment add --code PAY-5 --order O-5 --amount 1800.00 --paid '2026-03-01 10:00'");
    CTL_OK("shipment add --code SP-5 --order O-5 --shipped '2026-03-01 11:00'");
    s_caught_up();
    EXC_IS("shipped_unpaid/O-1", 1);
    EXC_IS("paid_not_shipped/O-2", 1);
    EXC_IS("amount_mismatch/O-3", 1);
    EXC_IS("shipped_unpaid/O-3", -1);
    EXC_IS("refund_unpaid/O-4", 1);
    /* O-5 was paid before it was shipped: "paid but not shipped" for that
     * moment, put right by the shipment; nothing is open. */
    for (const char *const *k = (const char *const[]){ "shipped_unpaid/O-5", "paid_not_shipped/O-5",
             "amount_mismatch/O-5", "refund_unpaid/O-5", NULL }; *k; k++)
        cr_assert_neq(s_exception(*k, NULL, 0), 1, "%s is not open", *k);
    EXC_IS("amount_mismatch/O-5", -1);

    /* A day later the recovery list of SH01 holds O-1, a day outstanding. */
    CTL_OK("clock set '2026-03-02 10:00'");
    s_caught_up();
    CTL_OK("--json recovery --branch SH01");
    cr_assert(strstr(out, "O-1") && !strstr(out, "O-3"), "O-1 alone is to recover: %s", out);

    /* Paying O-1 in full, shipping O-2, paying O-3's last fen: put right. */
    CTL_OK("payment add --code PAY-1 --order O-1 --amount 1800.00 --paid '2026-03-02 10:00'");
    CTL_OK("shipment add --code SP-2 --order O-2 --shipped '2026-03-02 10:00'");
    CTL_OK("payment add --code PAY-3B --order O-3 --amount 0.01 --paid '2026-03-02 10:00'");
    s_caught_up();
    EXC_IS("shipped_unpaid/O-1", 0);
    EXC_IS("paid_not_shipped/O-2", 0);
    EXC_IS("amount_mismatch/O-3", 0);
    EXC_IS("refund_unpaid/O-4", 1);
    CTL_OK("exceptions");
    cr_assert(strstr(out, "refund_unpaid/O-4") && !strstr(out, "shipped_unpaid/O-1"),
              "only the open ones are listed: %s", out);
    char *kinds[] = { "recon.exception", "recovery.list" };
    replay_matches(&srv, "reconciliation", kinds, 2, 5);
    s_finish();
}
