/* recon_cli - ledgerctl's reconciliation commands against a real ledgerd:
 * `close show` (a day, a week, a month; one branch or all), `exceptions`
 * with its filters, `recovery`, `report profit` and `report payable`, each
 * in text and --json, the not-found cases, and usage errors naming the
 * option. The results are written here by a raw write-back, as
 * ledger-reconciliation and ledger-commission would write them. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "client.h"
#include "commission.pb-c.h"
#include "frame.h"
#include "reconciliation.pb-c.h"
#include "results.h"
#include "server.h"

static server_t srv;
static char out[1 << 16];

static void setup(void) { server_start(&srv, "--test-clock"); }
static void teardown(void) { server_remove(&srv); }

TestSuite(recon_cli, .init = setup, .fini = teardown, .timeout = 120);

#define CTL_OK(...) do { int rc_ = ctl(&srv, out, sizeof out, __VA_ARGS__); \
    cr_assert_eq(rc_, 0, "exit %d: %s", rc_, out); } while (0)
#define CTL_RC(want, ...) do { int rc_ = ctl(&srv, out, sizeof out, __VA_ARGS__); \
    cr_assert_eq(rc_, want, "exit %d, want %d: %s", rc_, want, out); } while (0)

/* Ledger times in Shanghai. */
#define MAR02     1772380800000LL   /* 2026-03-02 00:00: the day 2026-03-01 closed */
#define MAR08     1772935200000LL   /* 2026-03-08 10:00 */
#define APR01     1774972800000LL   /* 2026-04-01 00:00: March closed */
#define FEB20_1530 1771572600000LL  /* 2026-02-20 15:30 */
#define MAR01_0915 1772327700000LL  /* 2026-03-01 09:15 */
#define MAR05     1772640000000LL   /* 2026-03-05 00:00 */

#define RECON "reconciliation:0/1"
#define COMMISSION "commission:0/1"

/* s_put - one result, as its worker writes it back */
static void s_put(const char *cursor, const char *kind, const char *key,
                  const ProtobufCMessage *payload)
{
    client_t *c = client_new(srv.listen, "tester", 5000);
    result_put(c, cursor, kind, key, payload);
    client_destroy(&c);
}

/* --- closes --- */

/* s_close - a close of two accounts that balance unless imbalance is set */
static void s_close(const char *kind, const char *branch, const char *period,
                    const char *first, const char *last, int64_t imbalance, uint32_t reopened,
                    const char *late)
{
    Ledger__AccountClose bank = LEDGER__ACCOUNT_CLOSE__INIT;
    bank.account = "A-BANK";
    bank.opening = 100000;
    bank.debits = 50000;
    bank.credits = -20000;
    bank.closing = 130000;
    bank.entries = 3;
    Ledger__AccountClose sales = LEDGER__ACCOUNT_CLOSE__INIT;
    sales.account = "A-SALES";
    sales.opening = -100000;
    sales.debits = 20000;
    sales.credits = -50000 + imbalance;
    sales.closing = -130000 + imbalance;
    sales.entries = 3;
    Ledger__AccountClose *accounts[] = { &bank, &sales };
    char *lates[] = { (char *)late };
    Ledger__Close cl = LEDGER__CLOSE__INIT;
    cl.branch = (char *)branch;
    cl.period = (char *)period;
    cl.first_day = (char *)first;
    cl.last_day = (char *)last;
    cl.accounts = accounts;
    cl.n_accounts = 2;
    cl.entries = 3;
    cl.imbalance = imbalance;
    cl.closed_ms = MAR02;
    cl.late = late ? lates : NULL;
    cl.n_late = late ? 1 : 0;
    cl.reopened = reopened;
    char key[64];
    snprintf(key, sizeof key, "%s@%s", branch, period);
    s_put(RECON, kind, key, &cl.base);
}

/* s_seed_closes - SH01's 2026-03-01 (version 2: reopened by E-9), SH02's
 * (off by 12.50), SH01's 2026-03-02, week 9 and March */
static void s_seed_closes(void)
{
    s_close("close.day", "SH01", "2026-03-01", "2026-03-01", "2026-03-01", 0, 0, NULL);
    s_close("close.day", "SH01", "2026-03-01", "2026-03-01", "2026-03-01", 0, 1, "E-9");
    s_close("close.day", "SH02", "2026-03-01", "2026-03-01", "2026-03-01", 1250, 0, NULL);
    s_close("close.day", "SH01", "2026-03-02", "2026-03-02", "2026-03-02", 0, 0, NULL);
    s_close("close.week", "SH01", "2026-W09", "2026-02-23", "2026-03-01", 0, 0, NULL);
    s_close("close.month", "SH01", "2026-03", "2026-03-01", "2026-03-31", 0, 0, NULL);
}

/* s_json - ledgerctl --json ARGS, which must succeed, parsed; caller frees */
static json_t *s_json(const char *args)
{
    json_error_t jerr;
    CTL_OK("--json %s", args);
    json_t *j = json_loads(out, 0, &jerr);
    cr_assert(j, "%s: not JSON (%s): %s", args, jerr.text, out);
    return j;
}

#define JSTR(o, k) json_string_value(json_object_get((o), (k)))
#define JINT(o, k) json_integer_value(json_object_get((o), (k)))

/* s_has - every want in out */
static void s_has(const char *const *want, size_t n)
{
    for (size_t i = 0; i < n; i++)
        cr_assert(strstr(out, want[i]), "no \"%s\" in:\n%s", want[i], out);
}
#define HAS(...) do { const char *const w_[] = { __VA_ARGS__ }; \
    s_has(w_, sizeof w_ / sizeof w_[0]); } while (0)

Test(recon_cli, close_show_prints_a_branch_day_its_accounts_and_checks)
{
    s_seed_closes();
    CTL_OK("close show 2026-03-01 --branch SH01");
    HAS("close  SH01 2026-03-01  (version 2, closed 2026-03-02 00:00:00)\n",
        "ACCOUNT", "OPENING", "DEBITS", "CREDITS", "CLOSING", "ENTRIES",
        "A-BANK", "1000.00", "500.00", "-200.00", "1300.00",
        "A-SALES", "-1000.00", "-1300.00",
        "entries   3 booked\n", "imbalance 0.00 (balanced)\n",
        "late      E-9 (entries dated on closed days, booked here)\n", "reopened  1 time\n");
    /* The total line: openings and closings cancel, debits 700.00, credits -700.00. */
    const char *total = strstr(out, "\ntotal");
    cr_assert(total, "%s", out);
    char line[256];
    sscanf(total + 1, "%255[^\n]", line);
    char o[32], d[32], c[32], cl[32];
    unsigned e;
    cr_assert_eq(sscanf(line, "total %31s %31s %31s %31s %u", o, d, c, cl, &e), 5, "%s", line);
    cr_assert_str_eq(o, "0.00");
    cr_assert_str_eq(d, "700.00");
    cr_assert_str_eq(c, "-700.00");
    cr_assert_str_eq(cl, "0.00");
    cr_assert_eq(e, 6);
    cr_assert_null(strstr(out, "SH02"), "one branch: %s", out);

    CTL_OK("close show 2026-03-01 --branch SH02");
    HAS("close  SH02 2026-03-01  (version 1,", "imbalance 12.50 (the entries do not balance)",
        "late      none\n", "reopened  0 times\n");
}

Test(recon_cli, close_show_json_carries_every_field_in_fen)
{
    s_seed_closes();
    json_t *c = s_json("close show 2026-03-01 --branch SH01");
    cr_assert(json_is_object(c), "%s", out);
    cr_assert_str_eq(JSTR(c, "kind"), "close.day");
    cr_assert_str_eq(JSTR(c, "branch"), "SH01");
    cr_assert_str_eq(JSTR(c, "period"), "2026-03-01");
    cr_assert_str_eq(JSTR(c, "first_day"), "2026-03-01");
    cr_assert_str_eq(JSTR(c, "last_day"), "2026-03-01");
    json_t *accounts = json_object_get(c, "accounts");
    cr_assert_eq(json_array_size(accounts), 2, "%s", out);
    json_t *bank = json_array_get(accounts, 0);
    cr_assert_str_eq(JSTR(bank, "account"), "A-BANK");
    cr_assert_eq(JINT(bank, "opening_fen"), 100000);
    cr_assert_eq(JINT(bank, "debits_fen"), 50000);
    cr_assert_eq(JINT(bank, "credits_fen"), -20000);
    cr_assert_eq(JINT(bank, "closing_fen"), 130000);
    cr_assert_eq(JINT(bank, "entries"), 3);
    cr_assert_eq(JINT(c, "entries"), 3);
    cr_assert_eq(JINT(c, "imbalance_fen"), 0);
    cr_assert(json_is_true(json_object_get(c, "balanced")), "%s", out);
    cr_assert_eq(JINT(c, "closed_ms"), MAR02);
    cr_assert_str_eq(JSTR(c, "closed"), "2026-03-02T00:00:00+08:00");
    cr_assert_str_eq(json_string_value(json_array_get(json_object_get(c, "late"), 0)), "E-9");
    cr_assert_eq(JINT(c, "reopened"), 1);
    cr_assert_eq(JINT(c, "result_version"), 2);
    json_decref(c);
}

Test(recon_cli, close_show_without_a_branch_shows_every_branch_of_that_day)
{
    s_seed_closes();
    CTL_OK("close show 2026-03-01");
    HAS("close  SH01 2026-03-01  (version 2,", "close  SH02 2026-03-01  (version 1,",
        "imbalance 12.50");
    cr_assert(strstr(out, "close  SH01") < strstr(out, "close  SH02"), "by branch: %s", out);
    cr_assert_null(strstr(out, "SH01 2026-03-02"), "not the next day: %s", out);
    json_t *a = s_json("close show 2026-03-01");
    cr_assert(json_is_array(a) && json_array_size(a) == 2, "%s", out);
    cr_assert_str_eq(JSTR(json_array_get(a, 0), "branch"), "SH01");
    cr_assert_str_eq(JSTR(json_array_get(a, 1), "branch"), "SH02");
    cr_assert_eq(JINT(json_array_get(a, 1), "imbalance_fen"), 1250);
    cr_assert(json_is_false(json_object_get(json_array_get(a, 1), "balanced")));
    json_decref(a);
    a = s_json("close show 2026-03-02");
    cr_assert_eq(json_array_size(a), 1, "%s", out);
    json_decref(a);
}

Test(recon_cli, close_show_tells_a_week_and_a_month_by_the_form)
{
    s_seed_closes();
    CTL_OK("close show 2026-W09 --branch SH01");
    HAS("close  SH01 2026-W09, 2026-02-23 to 2026-03-01  (version 1, closed 2026-03-02 00:00:00)",
        "A-BANK", "imbalance 0.00 (balanced)");
    json_t *c = s_json("close show 2026-W09 --branch SH01");
    cr_assert_str_eq(JSTR(c, "kind"), "close.week");
    cr_assert_str_eq(JSTR(c, "first_day"), "2026-02-23");
    json_decref(c);
    CTL_OK("close show 2026-03 --branch SH01");
    HAS("close  SH01 2026-03, 2026-03-01 to 2026-03-31  (version 1,");
    c = s_json("close show 2026-03");
    cr_assert_eq(json_array_size(c), 1, "%s", out);
    cr_assert_str_eq(JSTR(json_array_get(c, 0), "kind"), "close.month");
    json_decref(c);
}

Test(recon_cli, a_close_not_made_yet_is_exit_1)
{
    s_seed_closes();
    CTL_RC(1, "close show 2026-03-05 --branch SH01");
    cr_assert_str_eq(out, "ledgerctl: no close of SH01 for 2026-03-05 yet\n");
    CTL_RC(1, "--json close show 2026-03-05 --branch SH01");
    CTL_RC(1, "close show 2026-03-02 --branch SH02");
    cr_assert(strstr(out, "no close of SH02 for 2026-03-02 yet"), "%s", out);
    CTL_RC(1, "close show 2026-W10 --branch SH01");
    cr_assert(strstr(out, "no close of SH01 for 2026-W10 yet"), "%s", out);
    CTL_RC(1, "close show 2026-04 --branch SH01");
    CTL_RC(1, "close show 2026-03-05");
    cr_assert(strstr(out, "no close for 2026-03-05 yet"), "%s", out);
    CTL_RC(1, "--json close show 2026-W10");
}

/* --- exceptions --- */

typedef struct {
    Ledger__ExceptionKind kind;
    const char *id, *order, *branch;
    int64_t amount, paid;
    int open;
    const char *reason;
} exc_t;

#define LONG_REASON "O-1 of C-1 shipped on 2026-02-20 by SH-1 and nothing paid since, though " \
    "the customer was called twice and promised a transfer before the end of the month, " \
    "which the branch manager noted in the weekly meeting"

static void s_seed_exceptions(void)
{
    const exc_t xs[] = {
        { LEDGER__EXCEPTION_KIND__EXCEPTION_SHIPPED_UNPAID, "shipped_unpaid/O-1", "O-1", "SH01",
          128000, 0, 1, LONG_REASON },
        { LEDGER__EXCEPTION_KIND__EXCEPTION_SHIPPED_UNPAID, "shipped_unpaid/O-2", "O-2", "SH02",
          50000, 0, 1, "O-2 shipped, nothing paid" },
        { LEDGER__EXCEPTION_KIND__EXCEPTION_AMOUNT_MISMATCH, "amount_mismatch/O-3", "O-3", "SH01",
          120000, 100000, 1, "O-3 paid 1000.00 of 1200.00" },
        { LEDGER__EXCEPTION_KIND__EXCEPTION_PAID_NOT_SHIPPED, "paid_not_shipped/O-4", "O-4",
          "SH01", 30000, 30000, 0, "O-4 paid in full, nothing shipped" },
        { LEDGER__EXCEPTION_KIND__EXCEPTION_LATE_ENTRY, "late_entry/E-9", "E-9", "SH01",
          0, 0, 1, "entry E-9 dated 2026-03-01, a closed day of SH01: the day reopened" },
    };
    for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
        uint64_t evidence[] = { 7, 9 };
        Ledger__Exception x = LEDGER__EXCEPTION__INIT;
        x.kind = xs[i].kind;
        x.id = (char *)xs[i].id;
        x.order_code = (char *)xs[i].order;
        x.customer_code = "C-1";
        x.branch = (char *)xs[i].branch;
        x.amount = xs[i].amount;
        x.paid = xs[i].paid;
        x.refunded = 0;
        x.evidence = evidence;
        x.n_evidence = 2;
        x.reason = (char *)xs[i].reason;
        x.open = xs[i].open;
        x.since_ms = MAR01_0915;
        x.closed_ms = xs[i].open ? 0 : MAR05;
        s_put(RECON, "recon.exception", xs[i].id, &x.base);
    }
}

/* s_ids - the "id" of each element of a JSON array, joined by spaces */
static const char *s_ids(json_t *a, char *buf, size_t n)
{
    size_t len = 0;
    buf[0] = 0;
    for (size_t i = 0; i < json_array_size(a) && len < n; i++)
        len += snprintf(buf + len, n - len, "%s%s", i ? " " : "",
                        json_string_value(json_object_get(json_array_get(a, i), "id")));
    return buf;
}

/* s_lines - lines of out, each checked to fit in 160 columns (ASCII here) */
static int s_lines(void)
{
    int n = 0;
    for (const char *p = out; *p; n++) {
        const char *nl = strchr(p, '\n');
        cr_assert(nl, "an unfinished line: %s", p);
        cr_assert_leq(nl - p, 160, "a line of %td columns: %.*s", nl - p, (int)(nl - p), p);
        p = nl + 1;
    }
    return n;
}

Test(recon_cli, exceptions_lists_the_open_ones_with_a_count_by_kind)
{
    s_seed_exceptions();
    CTL_OK("exceptions");
    HAS("ID", "BRANCH", "AMOUNT", "PAID", "SINCE", "REASON",
        "shipped_unpaid/O-1", "shipped_unpaid/O-2", "amount_mismatch/O-3", "late_entry/E-9",
        "1280.00", "1000.00", "2026-03-01", "O-1 of C-1 shipped", "...",
        "4 open exceptions (by kind: amount_mismatch 1, late_entry 1, shipped_unpaid 2)\n");
    cr_assert_null(strstr(out, "paid_not_shipped/O-4"), "put right: %s", out);
    cr_assert_null(strstr(out, "STATUS"), "no status column: %s", out);
    cr_assert_eq(s_lines(), 6, "header, four, count: %s", out);

    CTL_OK("exceptions --all");
    HAS("STATUS", "paid_not_shipped/O-4", "put right",
        "5 exceptions, 4 open (by kind: amount_mismatch 1, late_entry 1, paid_not_shipped 1, "
        "shipped_unpaid 2)\n");
    cr_assert_eq(s_lines(), 7, "%s", out);
}

Test(recon_cli, exceptions_filter_by_kind_branch_and_all)
{
    s_seed_exceptions();
    char ids[1024];
    struct { const char *args, *want; } cases[] = {
        { "exceptions", "amount_mismatch/O-3 late_entry/E-9 shipped_unpaid/O-1 "
                        "shipped_unpaid/O-2" },
        { "exceptions --kind shipped_unpaid", "shipped_unpaid/O-1 shipped_unpaid/O-2" },
        { "exceptions --kind shipped_unpaid --branch SH02", "shipped_unpaid/O-2" },
        { "exceptions --branch SH02", "shipped_unpaid/O-2" },
        { "exceptions --kind paid_not_shipped", "" },
        { "exceptions --kind paid_not_shipped --all", "paid_not_shipped/O-4" },
        { "exceptions --branch SH01 --all", "amount_mismatch/O-3 late_entry/E-9 "
                                            "paid_not_shipped/O-4 shipped_unpaid/O-1" },
        { "exceptions --kind refund_unpaid --all", "" },
        { "exceptions --branch SH09", "" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *j = s_json(cases[i].args);
        cr_assert(json_is_array(j), "%s: an array: %s", cases[i].args, out);
        cr_assert_str_eq(s_ids(j, ids, sizeof ids), cases[i].want, "%s: got %s, want %s",
                         cases[i].args, ids, cases[i].want);
        json_decref(j);
    }
    CTL_OK("exceptions --kind amount_mismatch");
    HAS("1 open exception (by kind: amount_mismatch 1)\n");
    CTL_OK("exceptions --kind paid_not_shipped");
    cr_assert_str_eq(out, "no open exceptions\n");
    CTL_OK("exceptions --kind refund_unpaid --all");
    cr_assert_str_eq(out, "no exceptions\n");
}

Test(recon_cli, exceptions_json_carries_every_field)
{
    s_seed_exceptions();
    json_t *a = s_json("exceptions --kind paid_not_shipped --all");
    cr_assert_eq(json_array_size(a), 1, "%s", out);
    json_t *x = json_array_get(a, 0);
    cr_assert_str_eq(JSTR(x, "id"), "paid_not_shipped/O-4");
    cr_assert_str_eq(JSTR(x, "kind"), "paid_not_shipped");
    cr_assert_str_eq(JSTR(x, "order"), "O-4");
    cr_assert_str_eq(JSTR(x, "customer"), "C-1");
    cr_assert_str_eq(JSTR(x, "branch"), "SH01");
    cr_assert_eq(JINT(x, "amount_fen"), 30000);
    cr_assert_eq(JINT(x, "paid_fen"), 30000);
    cr_assert_eq(JINT(x, "refunded_fen"), 0);
    cr_assert_eq(json_integer_value(json_array_get(json_object_get(x, "evidence"), 1)), 9);
    cr_assert_str_eq(JSTR(x, "reason"), "O-4 paid in full, nothing shipped");
    cr_assert(json_is_false(json_object_get(x, "open")), "%s", out);
    cr_assert_eq(JINT(x, "since_ms"), MAR01_0915);
    cr_assert_str_eq(JSTR(x, "since"), "2026-03-01T09:15:00+08:00");
    cr_assert_eq(JINT(x, "closed_ms"), MAR05);
    cr_assert_eq(JINT(x, "result_version"), 1);
    json_decref(a);
    a = s_json("exceptions");
    cr_assert_str_eq(JSTR(json_array_get(a, 2), "reason"), LONG_REASON, "JSON is not cut");
    json_decref(a);
}

Test(recon_cli, no_exceptions_says_so)
{
    CTL_OK("exceptions");
    cr_assert_str_eq(out, "no open exceptions\n");
    json_t *a = s_json("exceptions --all");
    cr_assert(json_is_array(a) && json_array_size(a) == 0, "%s", out);
    json_decref(a);
}

/* --- recovery --- */

static void s_seed_recovery(void)
{
    Ledger__RecoveryItem i1 = LEDGER__RECOVERY_ITEM__INIT, i2 = LEDGER__RECOVERY_ITEM__INIT;
    i1.order_code = "O-1";
    i1.customer_code = "C-1";
    i1.shipment_code = "SH-1";
    i1.shipped_ms = FEB20_1530;
    i1.amount = 128000;
    i1.paid = 0;
    i1.days_outstanding = 16;
    i2.order_code = "O-5";
    i2.customer_code = "C-2";
    i2.shipment_code = "SH-5";
    i2.shipped_ms = MAR01_0915;
    i2.amount = 50000;
    i2.paid = 10000;
    i2.days_outstanding = 7;
    Ledger__RecoveryItem *items[] = { &i1, &i2 };
    Ledger__RecoveryList rl = LEDGER__RECOVERY_LIST__INIT;
    rl.branch = "SH01";
    rl.as_of_ms = MAR08;
    rl.items = items;
    rl.n_items = 2;
    rl.outstanding = 168000;
    s_put(RECON, "recovery.list", "SH01", &rl.base);
    Ledger__RecoveryList empty = LEDGER__RECOVERY_LIST__INIT;
    empty.branch = "SH02";
    empty.as_of_ms = MAR08;
    s_put(RECON, "recovery.list", "SH02", &empty.base);
}

Test(recon_cli, recovery_lists_a_branch_orders_without_contacts)
{
    s_seed_recovery();
    CTL_OK("recovery --branch SH01");
    HAS("recovery  SH01, as of 2026-03-08 10:00:00  (version 1)\n",
        "ORDER", "CUSTOMER", "SHIPMENT", "SHIPPED", "DAYS", "AMOUNT", "PAID",
        "O-1", "C-1", "SH-1", "2026-02-20", "16", "1280.00",
        "O-5", "C-2", "SH-5", "2026-03-01", "500.00", "100.00",
        "outstanding 1680.00 on 2 orders\n",
        "contacts are not shown", "ledgerctl customer show C-1");
    cr_assert(strstr(out, "O-1") < strstr(out, "O-5"), "oldest first: %s", out);

    json_t *r = s_json("recovery --branch SH01");
    cr_assert_str_eq(JSTR(r, "branch"), "SH01");
    cr_assert_eq(JINT(r, "as_of_ms"), MAR08);
    cr_assert_eq(JINT(r, "outstanding_fen"), 168000);
    json_t *items = json_object_get(r, "items");
    cr_assert_eq(json_array_size(items), 2, "%s", out);
    json_t *it = json_array_get(items, 1);
    cr_assert_str_eq(JSTR(it, "order"), "O-5");
    cr_assert_str_eq(JSTR(it, "customer"), "C-2");
    cr_assert_str_eq(JSTR(it, "shipment"), "SH-5");
    cr_assert_eq(JINT(it, "shipped_ms"), MAR01_0915);
    cr_assert_eq(JINT(it, "days_outstanding"), 7);
    cr_assert_eq(JINT(it, "amount_fen"), 50000);
    cr_assert_eq(JINT(it, "paid_fen"), 10000);
    cr_assert_null(json_object_get(it, "phone"), "no contacts: %s", out);
    json_decref(r);

    CTL_OK("recovery --branch SH02");
    HAS("nothing to recover");
    r = s_json("recovery --branch SH02");
    cr_assert_eq(json_array_size(json_object_get(r, "items")), 0, "%s", out);
    json_decref(r);

    CTL_RC(1, "recovery --branch SH09");
    HAS("no recovery list for SH09 yet");
    CTL_RC(1, "--json recovery --branch SH09");
}

/* --- reports --- */

static void s_seed_profit(void)
{
    Ledger__ProductProfit p1 = LEDGER__PRODUCT_PROFIT__INIT, p2 = LEDGER__PRODUCT_PROFIT__INIT,
                          p3 = LEDGER__PRODUCT_PROFIT__INIT;
    p1.product = "P-1";
    p1.name = "燕窝礼盒";
    p1.purchase_price = 30000;
    p1.channel_price = 45000;
    p1.list_price = 60000;
    p1.market_price = 80000;
    p1.list_margin_bp = 5000;
    p1.qty = 3;
    p1.revenue = 170000;
    p1.cost = 90000;
    p1.refunds = 10000;
    p1.gross_profit = 70000;
    p1.margin_bp = 4375;
    p1.discount = 10000;
    p2.product = "P-2";
    p2.name = "Tea";
    p2.purchase_price = 5000;
    p2.list_price = 8000;
    p2.list_margin_bp = 3750;
    p2.qty = 10;
    p2.revenue = 80000;
    p2.cost = 50000;
    p2.gross_profit = 30000;
    p2.margin_bp = 3750;
    p3.product = "P-3";
    p3.name = "Sample";
    p3.purchase_price = 10150;
    p3.list_price = 10000;
    p3.list_margin_bp = -150;
    p3.qty = 1;
    p3.revenue = 10000;
    p3.cost = 10150;
    p3.gross_profit = -150;
    p3.margin_bp = -150;
    Ledger__ProductProfit *products[] = { &p1, &p2, &p3 };
    Ledger__DistributorTier t1 = LEDGER__DISTRIBUTOR_TIER__INIT,
                            t2 = LEDGER__DISTRIBUTOR_TIER__INIT;
    t1.from = 0;
    t1.factor = 10000;
    t2.from = 5000000;
    t2.factor = 9500;
    Ledger__DistributorTier *tiers[] = { &t1, &t2 };
    Ledger__ProfitTable pt = LEDGER__PROFIT_TABLE__INIT;
    pt.month = "2026-03";
    pt.products = products;
    pt.n_products = 3;
    pt.distributor_supply_rate = 6000;
    pt.distributor_tiers = tiers;
    pt.n_distributor_tiers = 2;
    pt.revenue = 260000;
    pt.gross_profit = 99850;
    s_put(RECON, "profit.month", "2026-03", &pt.base);
}

Test(recon_cli, report_profit_prints_the_table_totals_and_distributor_policy)
{
    s_seed_profit();
    CTL_OK("report profit --month 2026-03");
    HAS("profit  2026-03  (version 1)\n",
        "PRODUCT", "NAME", "UNIT COST", "LIST", "LIST MARGIN", "QTY", "REVENUE", "DISCOUNT",
        "REFUNDS", "COST", "GROSS", "MARGIN",
        "P-1", "燕窝礼盒", "300.00", "600.00", "50.00%", "1700.00", "100.00", "900.00",
        "700.00", "43.75%",
        "P-2", "Tea", "37.50%",
        "P-3", "-1.50%", "-1.50",
        "distributors  supply at 60.00% of list; tiers: from 0.00 at 100.00%, "
        "from 50000.00 at 95.00%\n");
    /* Totals: qty 14, revenue 2600.00, discount 100.00, refunds 100.00,
     * cost 1501.50, gross 998.50, margin 998.50 / 2500.00 = 39.94 %. */
    const char *total = strstr(out, "\ntotal");
    cr_assert(total, "%s", out);
    char line[512];
    sscanf(total + 1, "%511[^\n]", line);
    char q[16], rev[32], disc[32], ref[32], cost[32], gross[32], m[16];
    cr_assert_eq(sscanf(line, "total %15s %31s %31s %31s %31s %31s %15s", q, rev, disc, ref,
                        cost, gross, m), 7, "%s", line);
    cr_assert_str_eq(q, "14");
    cr_assert_str_eq(rev, "2600.00");
    cr_assert_str_eq(disc, "100.00");
    cr_assert_str_eq(ref, "100.00");
    cr_assert_str_eq(cost, "1501.50");
    cr_assert_str_eq(gross, "998.50");
    cr_assert_str_eq(m, "39.94%");

    json_t *t = s_json("report profit --month 2026-03");
    cr_assert_str_eq(JSTR(t, "month"), "2026-03");
    cr_assert_eq(JINT(t, "revenue_fen"), 260000);
    cr_assert_eq(JINT(t, "gross_profit_fen"), 99850);
    cr_assert_eq(JINT(t, "distributor_supply_rate_bp"), 6000);
    json_t *tiers = json_object_get(t, "distributor_tiers");
    cr_assert_eq(json_array_size(tiers), 2, "%s", out);
    cr_assert_eq(JINT(json_array_get(tiers, 1), "from_fen"), 5000000);
    cr_assert_eq(JINT(json_array_get(tiers, 1), "factor_bp"), 9500);
    json_t *p = json_array_get(json_object_get(t, "products"), 0);
    cr_assert_str_eq(JSTR(p, "product"), "P-1");
    cr_assert_str_eq(JSTR(p, "name"), "燕窝礼盒");
    cr_assert_eq(JINT(p, "purchase_price_fen"), 30000);
    cr_assert_eq(JINT(p, "channel_price_fen"), 45000);
    cr_assert_eq(JINT(p, "list_price_fen"), 60000);
    cr_assert_eq(JINT(p, "market_price_fen"), 80000);
    cr_assert_eq(JINT(p, "list_margin_bp"), 5000);
    cr_assert_eq(JINT(p, "qty"), 3);
    cr_assert_eq(JINT(p, "revenue_fen"), 170000);
    cr_assert_eq(JINT(p, "discount_fen"), 10000);
    cr_assert_eq(JINT(p, "refunds_fen"), 10000);
    cr_assert_eq(JINT(p, "cost_fen"), 90000);
    cr_assert_eq(JINT(p, "gross_profit_fen"), 70000);
    cr_assert_eq(JINT(p, "margin_bp"), 4375);
    cr_assert_eq(JINT(t, "result_version"), 1);
    json_decref(t);

    CTL_RC(1, "report profit --month 2026-04");
    HAS("no profit table for 2026-04 yet");
    CTL_RC(1, "--json report profit --month 2026-04");
}

/* s_line - a commission line of a statement */
static Ledger__CommissionLine s_line(const char *rule, int64_t amount)
{
    Ledger__CommissionLine l = LEDGER__COMMISSION_LINE__INIT;
    l.id = (char *)rule;
    l.order_code = "O-1";
    l.rule = (char *)rule;
    l.amount = amount;
    l.state = LEDGER__LINE_STATE__LINE_SETTLED;
    l.month = "2026-03";
    return l;
}

/* s_statement - a closed statement of person ("staff:S-1") for month */
static void s_statement(const char *person, const char *month, Ledger__CommissionLine *lines,
                        size_t n, int64_t carried_in, int64_t paid)
{
    Ledger__PartyRef who = LEDGER__PARTY_REF__INIT;
    who.kind = strncmp(person, "staff:", 6) ? LEDGER__PARTY_KIND__PARTY_PARTNER
                                            : LEDGER__PARTY_KIND__PARTY_STAFF;
    who.code = strchr(person, ':') + 1;
    Ledger__CommissionLine *lp[8];
    int64_t total = 0;
    for (size_t i = 0; i < n; i++) {
        lp[i] = &lines[i];
        total += lines[i].amount;
    }
    Ledger__Statement st = LEDGER__STATEMENT__INIT;
    st.person = &who;
    st.month = (char *)month;
    st.closed = 1;
    st.closed_ms = APR01;
    st.lines = lp;
    st.n_lines = n;
    st.total = total;
    st.carried_in = carried_in;
    st.payable = total + carried_in > 0 ? total + carried_in : 0;
    st.carried_out = total + carried_in < 0 ? total + carried_in : 0;
    st.paid = paid;
    char key[64];
    snprintf(key, sizeof key, "%s@%s", person, month);
    s_put(COMMISSION, "statement.closed", key, &st.base);
}

/* s_seed_statements - March: S-1 (a fine, a reward, a balance carried in,
 * paid), S-2 (a fine, unpaid), P-1 (part paid); and S-1's February */
static void s_seed_statements(void)
{
    Ledger__CommissionLine s1[] = { s_line("role.channel", 50000),
                                    s_line("fine.posts.daily", -2000),
                                    s_line("reward.training.weekly_script", 1000) };
    Ledger__CommissionLine s2[] = { s_line("role.service", 30000),
                                    s_line("fine.money.unapproved", -1050) };
    Ledger__CommissionLine p1[] = { s_line("seller.sale", 12000) };
    Ledger__CommissionLine feb[] = { s_line("role.channel", 7000) };
    s_statement("staff:S-1", "2026-03", s1, 3, -5000, 44000);
    s_statement("staff:S-2", "2026-03", s2, 2, 0, 0);
    s_statement("partner:P-1", "2026-03", p1, 1, 0, 10000);
    s_statement("staff:S-1", "2026-02", feb, 1, 0, 0);
}

/* s_row - the money cells of out's line starting with who */
static void s_row(const char *who, char cells[7][32])
{
    char start[64], line[512];
    snprintf(start, sizeof start, "\n%s ", who);
    const char *p = strstr(out, start);
    cr_assert(p, "no row %s: %s", who, out);
    sscanf(p + 1, "%511[^\n]", line);
    char name[64];
    cr_assert_eq(sscanf(line, "%63s %31s %31s %31s %31s %31s %31s %31s", name, cells[0],
                        cells[1], cells[2], cells[3], cells[4], cells[5], cells[6]), 8,
                 "%s", line);
}

Test(recon_cli, report_payable_sets_each_closed_statement_against_what_was_paid)
{
    s_seed_statements();
    CTL_OK("report payable --month 2026-03");
    HAS("payable  2026-03  (closed 2026-04-01 00:00:00)\n",
        "PERSON", "TOTAL", "FINES", "REWARDS", "CARRIED IN", "PAYABLE", "PAID", "OUTSTANDING",
        "3 statements: 849.50 payable, 540.00 paid, 309.50 outstanding\n");
    cr_assert_null(strstr(out, "70.00"), "not February's: %s", out);
    struct { const char *who, *want[7]; } rows[] = {
        { "partner:P-1", { "120.00", "0.00", "0.00", "0.00", "120.00", "100.00", "20.00" } },
        { "staff:S-1", { "490.00", "-20.00", "10.00", "-50.00", "440.00", "440.00", "0.00" } },
        { "staff:S-2", { "289.50", "-10.50", "0.00", "0.00", "289.50", "0.00", "289.50" } },
        { "total", { "899.50", "-30.50", "10.00", "-50.00", "849.50", "540.00", "309.50" } },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char cells[7][32];
        s_row(rows[i].who, cells);
        for (int k = 0; k < 7; k++)
            cr_assert_str_eq(cells[k], rows[i].want[k], "%s column %d: got %s, want %s",
                             rows[i].who, k + 1, cells[k], rows[i].want[k]);
    }

    json_t *r = s_json("report payable --month 2026-03");
    cr_assert_str_eq(JSTR(r, "month"), "2026-03");
    cr_assert_eq(JINT(r, "closed_ms"), APR01);
    json_t *people = json_object_get(r, "people");
    cr_assert_eq(json_array_size(people), 3, "%s", out);
    json_t *s1 = json_array_get(people, 1);
    cr_assert_str_eq(JSTR(s1, "person"), "staff:S-1");
    cr_assert_eq(JINT(s1, "total_fen"), 49000);
    cr_assert_eq(JINT(s1, "fines_fen"), -2000);
    cr_assert_eq(JINT(s1, "rewards_fen"), 1000);
    cr_assert_eq(JINT(s1, "carried_in_fen"), -5000);
    cr_assert_eq(JINT(s1, "payable_fen"), 44000);
    cr_assert_eq(JINT(s1, "paid_fen"), 44000);
    cr_assert_eq(JINT(s1, "outstanding_fen"), 0);
    cr_assert_eq(JINT(s1, "result_version"), 1);
    json_t *tot = json_object_get(r, "totals");
    cr_assert_eq(JINT(tot, "payable_fen"), 84950);
    cr_assert_eq(JINT(tot, "paid_fen"), 54000);
    cr_assert_eq(JINT(tot, "outstanding_fen"), 30950);
    cr_assert_eq(JINT(tot, "fines_fen"), -3050);
    json_decref(r);

    r = s_json("report payable --month 2026-02");
    cr_assert_eq(json_array_size(json_object_get(r, "people")), 1, "%s", out);
    json_decref(r);

    CTL_RC(1, "report payable --month 2026-04");
    cr_assert_str_eq(out, "ledgerctl: 2026-04 is not closed: no statements yet\n");
    CTL_RC(1, "--json report payable --month 2026-04");
}

/* --- usage --- */

Test(recon_cli, bad_usage_exits_2_naming_the_option)
{
    struct { const char *args, *says; } cases[] = {
        { "close", "missing subcommand" },
        { "close list 2026-03-01", "'list'" },
        { "close show", "missing PERIOD" },
        { "close show 2026-03-01 2026-03-02", "'2026-03-02'" },
        { "close show 2026-02-30", "PERIOD" },
        { "close show 2025-W53", "2025-W53" },   /* 2025 has 52 ISO weeks */
        { "close show 2026-W00", "PERIOD" },
        { "close show 2026-13", "PERIOD" },
        { "close show yesterday", "PERIOD" },
        { "close show 2026-03-01 --branch ''", "--branch" },
        { "close show 2026-03-01 --branch", "--branch" },
        { "close show 2026-03-01 --colour", "--colour" },
        { "exceptions --kind unpaid", "--kind" },
        { "exceptions --kind", "--kind" },
        { "exceptions --branch ''", "--branch" },
        { "exceptions --open", "--open" },
        { "exceptions extra", "'extra'" },
        { "recovery", "--branch" },
        { "recovery --branch ''", "--branch" },
        { "recovery SH01", "'SH01'" },
        { "report", "missing subcommand" },
        { "report loss --month 2026-03", "'loss'" },
        { "report profit", "--month" },
        { "report profit --month 2026-3", "--month" },
        { "report profit --month 2026-03 --branch SH01", "--branch" },
        { "report payable --month 2026-13", "--month" },
        { "report payable", "--month" },
        { "report payable --month 2026-03 x", "'x'" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = ctl(&srv, out, sizeof out, "%s", cases[i].args);
        cr_assert_eq(rc, 2, "%s: exit %d: %s", cases[i].args, rc, out);
        cr_assert(strstr(out, cases[i].says), "%s: does not name %s: %s", cases[i].args,
                  cases[i].says, out);
    }
    struct { const char *args, *says; } helps[] = {
        { "close --help", "close show" },
        { "close show --help", "YYYY-Www" },
        { "exceptions --help", "late_entry" },
        { "recovery --help", "ledgerctl customer show" },
        { "report --help", "report payable" },
        { "report profit --help", "distributor" },
        { "report payable --help", "outstanding" },
        { "--help", "exceptions" },
    };
    for (size_t i = 0; i < sizeof helps / sizeof helps[0]; i++) {
        CTL_OK("%s", helps[i].args);
        cr_assert(strstr(out, helps[i].says), "%s: no %s: %s", helps[i].args, helps[i].says,
                  out);
    }
    CTL_OK("--help");
    HAS("close ", "recovery", "report");
}
