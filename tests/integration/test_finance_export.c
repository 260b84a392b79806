/* finance_export - `ledger-finance export` against a --test-clock ledgerd
 * with ledger-reconciliation closing two branches' March (sales, a refund,
 * expenses, a transfer, an entry at 23:30 local on the 31st, one at 00:30 on
 * April 1st): the journal read by Debian's hledger balances every account
 * to the close's closing, and so do the CSV's columns; a late entry dated
 * March 31st, entered after the month closed, is booked on April 1st, so it
 * is in April's export and not in March's; a period not closed yet, and a
 * close its entries do not give, write nothing and exit 1; bad options exit
 * 2 naming the option. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "client.h"
#include "csv.h"
#include "money.h"
#include "reconciliation.pb-c.h"
#include "results.h"
#include "server.h"

TestSuite(finance_export, .timeout = 300);

static server_t srv;
static char out[1 << 16];

#define CTL_OK(...) do { int rc_ = ctl(&srv, out, sizeof out, __VA_ARGS__); \
    cr_assert_eq(rc_, 0, "ledgerctl exit %d: %s", rc_, out); } while (0)
/* A sanitizer build reports a leak on the way out, whatever the exit code. */
#define FIN_RC(want, ...) do { int rc_ = finance(&srv, out, sizeof out, __VA_ARGS__); \
    cr_assert_eq(rc_, want, "ledger-finance exit %d, want %d: %s", rc_, want, out); \
    cr_assert(!strstr(out, "Sanitizer"), "%s", out); } while (0)

/* s_path - a file in the server's directory; out >= 512 */
static const char *s_path(char *path, const char *name)
{
    snprintf(path, 512, "%s/%s", srv.dir, name);
    return path;
}

/* s_read - a whole file; caller frees; NULL when it does not exist */
static char *s_read(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t n = 0, cap = 0, got;
    do {
        cap = cap ? cap * 2 : 4096;
        buf = realloc(buf, cap + 1);
        cr_assert(buf);
        got = fread(buf + n, 1, cap - n, f);
        n += got;
    } while (n == cap);
    fclose(f);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

/* s_close - the stored close (kind, branch@period); the test fails when none */
static Ledger__Close *s_close(const char *kind, const char *branch, const char *period)
{
    char key[160];
    snprintf(key, sizeof key, "%s@%s", branch, period);
    client_t *c = client_new(srv.listen, "tester", 5000);
    Ledger__Result *r = result_get(c, kind, key);
    cr_assert(r, "result %s %s is stored", kind, key);
    Ledger__Close *cl = ledger__close__unpack(NULL, r->payload.len, r->payload.data);
    cr_assert(cl, "%s %s: a Close", kind, key);
    ledger__result__free_unpacked(r, NULL);
    client_destroy(&c);
    return cl;
}

/* Sums per "BRANCH:ACCOUNT", from hledger or the CSV. */
#define SUMS_MAX 32
typedef struct {
    char account[SUMS_MAX][160];
    int64_t amount[SUMS_MAX], debit[SUMS_MAX], credit[SUMS_MAX];
    int seen[SUMS_MAX];
    size_t n;
} s_sums_t;

static size_t s_slot(s_sums_t *s, const char *account)
{
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->account[i], account))
            return i;
    cr_assert_lt(s->n, SUMS_MAX, "too many accounts");
    snprintf(s->account[s->n], sizeof s->account[0], "%s", account);
    return s->n++;
}

/* s_fen - yuan as hledger or the CSV writes it ("1234.50 CNY", "0", "") */
static int64_t s_fen(const char *text)
{
    char yuan[64];
    snprintf(yuan, sizeof yuan, "%s", text);
    char *cny = strstr(yuan, " CNY");
    if (cny)
        *cny = '\0';
    if (!*yuan)
        return 0;
    int64_t fen;
    err_t err;
    cr_assert_eq(money_parse(&fen, yuan, &err), 0, "\"%s\" is an amount: %s", text, err.msg);
    return fen;
}

/* s_hledger - `hledger -s -f FILE balance -O csv` (hledger 1.25; -s: every
 * account and commodity declared): a header row "account","balance", a row
 * per account with a non-zero balance ("SH01:SH01-ALI","666.60 CNY"), then
 * "total","0". hledger needs a UTF-8 locale to read the Chinese names. */
static void s_hledger(const char *journal, s_sums_t *s)
{
    char cmd[1024], line[512], acc[200], amt[100];
    snprintf(cmd, sizeof cmd, "LC_ALL=C.UTF-8 hledger -s -f '%s' balance -O csv 2>&1", journal);
    FILE *p = popen(cmd, "r");
    cr_assert(p, "popen %s", cmd);
    memset(s, 0, sizeof *s);
    int rows = 0, total = 0;
    while (fgets(line, sizeof line, p)) {
        cr_assert_eq(sscanf(line, "\"%199[^\"]\",\"%99[^\"]\"", acc, amt), 2,
                     "hledger row %d: %s", rows, line);
        if (rows++ == 0) {
            cr_assert_str_eq(acc, "account", "hledger's header: %s", line);
            continue;
        }
        if (!strcmp(acc, "total")) {
            cr_assert_eq(s_fen(amt), 0, "the books balance: %s", line);
            total = 1;
            continue;
        }
        size_t i = s_slot(s, acc);
        s->amount[i] = s_fen(amt);
    }
    cr_assert_eq(pclose(p), 0, "%s exits 0", cmd);
    cr_assert(total, "hledger printed a total");
}

/* s_csv_sums - the CSV's amount, debit and credit columns per account */
static void s_csv_sums(const char *csv, s_sums_t *s)
{
    size_t len;
    char *text = s_read(csv, &len);
    cr_assert(text, "%s was written", csv);
    memset(s, 0, sizeof *s);
    csv_reader_t *r = csv_reader_new(text, len);
    char **f, acc[160];
    size_t n;
    long line;
    err_t err;
    int rc, first = 1;
    while ((rc = csv_read(r, &f, &n, &line, &err)) > 0) {
        cr_assert_eq(n, 13, "line %ld has 13 fields, got %zu", line, n);
        if (first) {
            cr_assert_str_eq(f[0], "date");
            cr_assert_str_eq(f[9], "amount");
            first = 0;
            continue;
        }
        snprintf(acc, sizeof acc, "%s:%s", f[1], f[5]);
        size_t i = s_slot(s, acc);
        s->amount[i] += s_fen(f[9]);
        s->debit[i] += s_fen(f[7]);
        s->credit[i] += s_fen(f[8]);
        if (strcmp(f[3], "opening"))
            cr_assert_eq(s_fen(f[7]) - s_fen(f[8]), s_fen(f[9]), "line %ld: debit - credit = amount",
                         line);
    }
    cr_assert_eq(rc, 0, "the CSV reads to its end: %s", err.msg);
    csv_reader_destroy(&r);
    free(text);
}

/* s_want_close - every account of the branches' closes as the sums say:
 * each closing (absent = 0), and with debits, the movements; no account
 * the closes lack */
static void s_want_close(const char *kind, const char *period, const char *const *branches,
                         s_sums_t *s, int debits, const char *what)
{
    for (const char *const *b = branches; *b; b++) {
        Ledger__Close *cl = s_close(kind, *b, period);
        for (size_t k = 0; k < cl->n_accounts; k++) {
            const Ledger__AccountClose *a = cl->accounts[k];
            char acc[160];
            snprintf(acc, sizeof acc, "%s:%s", *b, a->account);
            size_t i = s_slot(s, acc);
            s->seen[i] = 1;
            cr_assert_eq(s->amount[i], a->closing, "%s %s %s: got %lld fen, the close says %lld",
                         what, period, acc, (long long)s->amount[i], (long long)a->closing);
            if (debits) {
                cr_assert_eq(s->debit[i], a->debits, "%s %s debits", what, acc);
                cr_assert_eq(s->credit[i], -a->credits, "%s %s credits", what, acc);
            }
        }
        ledger__close__free_unpacked(cl, NULL);
    }
    for (size_t i = 0; i < s->n; i++)
        cr_assert(s->seen[i], "%s has %s, which no close of %s has", what, s->account[i], period);
}

/* s_agrees - export period to a journal and a CSV; hledger's balances and
 * the CSV's sums are each close's; returns the journal's text (caller frees) */
static char *s_agrees(const char *kind, const char *period, const char *branch_opt,
                      const char *const *branches)
{
    char journal[512], csv[512], name[64];
    snprintf(name, sizeof name, "%s%s.journal", period, branch_opt ? branch_opt : "");
    s_path(journal, name);
    snprintf(name, sizeof name, "%s%s.csv", period, branch_opt ? branch_opt : "");
    s_path(csv, name);
    FIN_RC(0, "export --period %s%s%s --journal '%s' --csv '%s'", period,
           branch_opt ? " --branch " : "", branch_opt ? branch_opt : "", journal, csv);
    cr_assert(strstr(out, "wrote ") && strstr(out, journal) && strstr(out, csv),
              "a line per file: %s", out);
    cr_assert(strstr(out, "agrees with the ledger's close"), "says it agrees: %s", out);
    s_sums_t s;
    s_hledger(journal, &s);
    s_want_close(kind, period, branches, &s, 0, "hledger balance");
    s_csv_sums(csv, &s);
    s_want_close(kind, period, branches, &s, 1, "the CSV");
    char tmp[600];
    snprintf(tmp, sizeof tmp, "%s.tmp", journal);
    cr_assert(access(tmp, F_OK) != 0, "no %s left behind", tmp);
    char *text = s_read(journal, NULL);
    cr_assert(text);
    return text;
}

/* s_entry - an entry with two postings: yuan from one account to another */
static void s_entry(const char *code, const char *branch, const char *when, const char *category,
                    const char *debit, const char *credit, const char *yuan, const char *desc)
{
    CTL_OK("entry add --code %s --branch %s --time '%s' --category %s --posting %s:%s "
           "--posting %s:-%s --description '%s'", code, branch, when, category, debit, yuan,
           credit, yuan, desc);
}

Test(finance_export, a_closed_month_exports_to_a_journal_hledger_balances_to_the_close)
{
    char log[512], path[512];
    server_start(&srv, "--test-clock");
    pid_t worker = worker_start(&srv, "reconciliation", "", s_path(log, "reconciliation.log"));
    CTL_OK("clock set '2026-02-26 08:00'");
    static const char *const accounts[][3] = {
        { "SH01-CASH", "SH01", "现金" },      { "SH01-ALI", "SH01", "支付宝: 门店" },
        { "SH01-REV", "SH01", "销售收入" },   { "SH01-EXP", "SH01", "办公费用" },
        { "SH02-BANK", "SH02", "工商银行" },  { "SH02-REV", "SH02", "销售收入" },
        { "SH02-EXP", "SH02", "差旅费" },
    };
    for (size_t i = 0; i < sizeof accounts / sizeof accounts[0]; i++)
        CTL_OK("account add --code %s --name '%s' --kind internal --branch %s --owner-name 公司",
               accounts[i][0], accounts[i][2], accounts[i][1]);
    /* February gives SH01 opening balances for March. */
    s_entry("E-100", "SH01", "2026-02-27 10:00", "sale", "SH01-CASH", "SH01-REV", "1000.00",
            "开业首单");
    s_entry("E-101", "SH01", "2026-03-02 10:00", "sale", "SH01-ALI", "SH01-REV", "1280.00",
            "打印机 销售; 含税");
    s_entry("E-102", "SH01", "2026-03-10 15:00", "refund", "SH01-REV", "SH01-ALI", "80.00",
            "退货 墨盒");
    s_entry("E-103", "SH01", "2026-03-15 09:30", "expense", "SH01-EXP", "SH01-CASH", "35.50",
            "A4 纸 两箱");
    s_entry("E-104", "SH01", "2026-03-20 11:00", "payout", "SH01-CASH", "SH01-ALI", "500.00",
            "支付宝提现到现金");
    /* 23:30 local is 15:30 UTC: still March 31st in Shanghai. */
    s_entry("E-105", "SH01", "2026-03-31 23:30", "sale", "SH01-ALI", "SH01-REV", "66.60", "");
    s_entry("E-201", "SH02", "2026-03-03 12:00", "sale", "SH02-BANK", "SH02-REV", "999.99",
            "=1+1 not a formula");
    s_entry("E-202", "SH02", "2026-03-25 18:00", "expense", "SH02-EXP", "SH02-BANK", "100.00",
            "出差 杭州");
    /* 00:30 on April 1st local is 16:30 UTC on March 31st: April's. */
    s_entry("E-203", "SH02", "2026-04-01 00:30", "sale", "SH02-BANK", "SH02-REV", "10.00",
            "四月");
    CTL_OK("cursor wait reconciliation:0/1 --within 120");
    FIN_RC(1, "export --period 2026-03 --journal '%s'", s_path(path, "early.journal"));
    cr_assert(strstr(out, "no branch has a close for 2026-03 yet"), "%s", out);
    cr_assert(access(path, F_OK) != 0, "nothing written before the month closes");

    /* Midnight: every March day has ended and SH01 has been quiet a day. */
    CTL_OK("clock set '2026-04-01 00:00'");
    CTL_OK("cursor wait reconciliation:0/1 --within 120");
    CTL_OK("close show 2026-03 --branch SH01");
    CTL_OK("close show 2026-03 --branch SH02");
    /* Dated on the closed March 31st: booked on April 1st, the next open day. */
    s_entry("E-LATE", "SH01", "2026-03-31 18:00", "sale", "SH01-CASH", "SH01-REV", "7.00",
            "迟到的收据");
    CTL_OK("cursor wait reconciliation:0/1 --within 120");
    CTL_OK("--json exceptions --kind late_entry --all");
    cr_assert(strstr(out, "\"booked_on\":\"2026-04-01\""), "booked on April 1st: %s", out);

    static const char *const both[] = { "SH01", "SH02", NULL };
    char *march = s_agrees("close.month", "2026-03", NULL, both);
    cr_assert(strstr(march, "account SH01:SH01-ALI  ; 支付宝： 门店\n"), "names: %s", march);
    cr_assert(strstr(march, "2026-03-02 (E-101) 打印机 销售, 含税\n"), "%s", march);
    cr_assert(strstr(march, "2026-03-31 (E-105) sale\n"), "no description: the category");
    cr_assert(strstr(march, "2026-02-27") == NULL, "February is an opening balance: %s", march);
    cr_assert(strstr(march, "2026-03-01 opening balances of SH01\n"), "%s", march);
    cr_assert(!strstr(march, "E-LATE") && !strstr(march, "E-203"), "April's entries: %s", march);
    free(march);
    char *csv = s_read(s_path(path, "2026-03.csv"), NULL);
    cr_assert(!strstr(csv, "E-LATE") && strstr(csv, "E-105"), "%s", csv);
    free(csv);

    /* One branch, for Excel, as JSON. */
    FIN_RC(0, "--json export --period 2026-03 --branch SH02 --excel --csv '%s'",
           s_path(path, "sh02.csv"));
    cr_assert(strstr(out, "\"close_version\":1") && strstr(out, "\"branch\":\"SH02\"") &&
              strstr(out, "\"entries\":2"), "%s", out);
    cr_assert(!strstr(out, "SH01"), "one branch: %s", out);
    csv = s_read(path, NULL);
    cr_assert(!strncmp(csv, CSV_BOM "date,", 8), "the BOM first: %.12s", csv);
    cr_assert(strstr(csv, "\"'=1+1 not a formula\""), "the formula guard: %s", csv);
    free(csv);

    /* A week and a day of SH01 agree too. */
    static const char *const sh01[] = { "SH01", NULL };
    char *week = s_agrees("close.week", "2026-W11", "SH01", sh01);   /* March 9th to 15th */
    cr_assert(strstr(week, "(E-102)") && strstr(week, "(E-103)") && !strstr(week, "(E-101)"),
              "%s", week);
    free(week);
    char *day = s_agrees("close.day", "2026-03-31", "SH01", sh01);
    cr_assert(strstr(day, "(E-105)"), "%s", day);
    free(day);

    /* April has not closed. */
    FIN_RC(1, "export --period 2026-04 --branch SH01 --journal '%s'", s_path(path, "apr.journal"));
    cr_assert(strstr(out, "no close of SH01 for 2026-04 yet"), "%s", out);
    cr_assert(access(path, F_OK) != 0, "nothing written");

    /* April closes: the late entry is there, on April 1st, saying its date. */
    CTL_OK("clock set '2026-05-01 00:00'");
    CTL_OK("cursor wait reconciliation:0/1 --within 120");
    char *april = s_agrees("close.month", "2026-04", "SH01", sh01);
    cr_assert(strstr(april, "2026-04-01 (E-LATE) 迟到的收据\n"), "%s", april);
    cr_assert(strstr(april, "late: dated 2026-03-31 (a closed day), booked on 2026-04-01"),
              "%s", april);
    free(april);
    cr_assert_eq(proc_stop(worker), 0, "reconciliation stops cleanly");
    server_remove(&srv);
}

/* s_put_close - SH01's March as a close of cash and revenue that says cash
 * closes at cash_closing fen, written as ledger-reconciliation would */
static void s_put_close(int64_t cash_closing)
{
    Ledger__AccountClose cash = LEDGER__ACCOUNT_CLOSE__INIT, rev = LEDGER__ACCOUNT_CLOSE__INIT;
    cash.account = "SH01-CASH";
    cash.debits = 10000;
    cash.closing = cash_closing;
    cash.entries = 1;
    rev.account = "SH01-REV";
    rev.credits = -10000;
    rev.closing = -10000;
    rev.entries = 1;
    Ledger__AccountClose *acc[] = { &cash, &rev };
    Ledger__Close cl = LEDGER__CLOSE__INIT;
    cl.branch = "SH01";
    cl.period = "2026-03";
    cl.first_day = "2026-03-01";
    cl.last_day = "2026-03-31";
    cl.accounts = acc;
    cl.n_accounts = 2;
    cl.entries = 1;
    cl.closed_ms = 1774972800000LL;   /* 2026-04-01 00:00 in Shanghai */
    client_t *c = client_new(srv.listen, "tester", 5000);
    result_put(c, "reconciliation:0/1", "close.month", "SH01@2026-03", &cl.base);
    client_destroy(&c);
}

Test(finance_export, a_close_its_entries_do_not_give_writes_nothing)
{
    char journal[512], csv[512], tmp[600];
    server_start(&srv, "--test-clock");
    CTL_OK("clock set '2026-04-02 08:00'");
    CTL_OK("account add --code SH01-CASH --name 现金 --kind internal --branch SH01 --owner-name 公司");
    CTL_OK("account add --code SH01-REV --name 销售 --kind internal --branch SH01 --owner-name 公司");
    s_entry("E-1", "SH01", "2026-03-02 10:00", "sale", "SH01-CASH", "SH01-REV", "100.00", "x");
    s_path(journal, "m.journal");
    s_path(csv, "m.csv");
    s_put_close(10001);   /* one fen more than the entries give */
    FIN_RC(1, "export --period 2026-03 --journal '%s' --csv '%s'", journal, csv);
    cr_assert(strstr(out, "the ledger's close of SH01 for 2026-03 says SH01-CASH closes at 100.01, "
                     "its entries give 100.00"), "names branch, account and both figures: %s", out);
    cr_assert(strstr(out, "nothing written"), "%s", out);
    cr_assert(access(journal, F_OK) != 0 && access(csv, F_OK) != 0, "no file written");
    snprintf(tmp, sizeof tmp, "%s.tmp", journal);
    cr_assert(access(tmp, F_OK) != 0, "no temporary file either");
    /* The same close with the right fen agrees. */
    s_put_close(10000);
    FIN_RC(0, "export --period 2026-03 --journal '%s' --csv '%s'", journal, csv);
    cr_assert(access(journal, F_OK) == 0 && access(csv, F_OK) == 0, "%s", out);
    /* No close of the branch asked for. */
    FIN_RC(1, "export --period 2026-03 --branch SH09 --csv '%s'", csv);
    cr_assert(strstr(out, "no close of SH09 for 2026-03 yet"), "%s", out);
    server_remove(&srv);
}

Test(finance_export, bad_options_are_usage_errors_naming_the_option)
{
    server_start(&srv, "--test-clock");
    static const struct { const char *args, *names; } cases[] = {
        { "export --journal x.journal", "--period is required" },
        { "export --period 2026-13 --journal x.journal", "--period: want a day" },
        { "export --period 2025-W53 --csv x.csv", "--period" },
        { "export --period 2026-03-32 --csv x.csv", "--period" },
        { "export --period 2026-03", "--journal or --csv" },
        { "export --period 2026-03 --journal x.journal --excel", "--excel" },
        { "export --period 2026-03 --branch '' --csv x.csv", "--branch: the value must not be empty" },
        { "export --period 2026-03 --csv ''", "--csv: the value must not be empty" },
        { "export --period 2026-03 --csv a --journal a", "--journal and --csv: both name a" },
        { "export --period 2026-03 --csv a --bogus", "unknown option '--bogus'" },
        { "export --period 2026-03 --csv a extra", "unexpected argument 'extra'" },
        { "export --period", "needs a value" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = finance(&srv, out, sizeof out, "%s", cases[i].args);
        cr_expect_eq(rc, 2, "%s: exit %d, want 2: %s", cases[i].args, rc, out);
        cr_expect(!strstr(out, "Sanitizer"), "%s: %s", cases[i].args, out);
        cr_expect(strstr(out, cases[i].names), "%s: names \"%s\": %s", cases[i].args,
                  cases[i].names, out);
    }
    FIN_RC(0, "export --help");
    cr_assert(strstr(out, "usage: ledger-finance export --period PERIOD"), "%s", out);
    server_remove(&srv);
}
