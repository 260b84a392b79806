/* test_finance_statement - `ledger-finance statement` against a real
 * ledgerd with ledger-attribution and ledger-commission: a person's month
 * of role lines, a pool share and a fine, first as a draft and then
 * closed and partly paid, written as CSV (its lines sum to the total; the
 * --excel one starts with a BOM) and as a page that headless Chromium
 * prints to PDF with the totals, the person's name and the year's chart.
 * The page's parts at their edges are test_page's. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "client.h"
#include "commission.pb-c.h"
#include "csv.h"
#include "money.h"
#include "results.h"
#include "server.h"

TestSuite(finance_statement, .timeout = 600);

#define CHROMIUM "/usr/bin/chromium"
#define PDFTOTEXT "/usr/bin/pdftotext"

static server_t srv;
static char out[1 << 16];

#define CTL_OK(...) do { int rc_ = ctl(&srv, out, sizeof out, __VA_ARGS__); \
    cr_assert_eq(rc_, 0, "exit %d: %s", rc_, out); } while (0)
#define FINANCE_OK(...) do { int rc_ = finance(&srv, out, sizeof out, __VA_ARGS__); \
    cr_assert_eq(rc_, 0, "ledger-finance exit %d: %s", rc_, out); } while (0)
#define HAS(text) cr_assert(strstr(out, text), "want %s in: %s", text, out)

/* s_caught_up - both workers have read the whole log, and what their own
 * results caused */
static void s_caught_up(void)
{
    CTL_OK("cursor wait attribution:0/1 commission:0/1 --within 180");
    CTL_OK("cursor wait attribution:0/1 commission:0/1 --within 180");
}

/* s_figures - total, payable and paid of person's statement, from ledgerctl */
static void s_figures(const char *person, const char *month, int64_t *total, int64_t *payable,
                      int64_t *paid)
{
    CTL_OK("--json statement --person %s --month %s", person, month);
    json_t *j = json_loads(out, 0, NULL);
    cr_assert(j, "statement --json: %s", out);
    *total = json_integer_value(json_object_get(j, "total_fen"));
    *payable = json_integer_value(json_object_get(j, "payable_fen"));
    *paid = json_integer_value(json_object_get(j, "paid_fen"));
    json_decref(j);
}

/* s_slurp - a file's bytes, NUL-terminated; caller frees */
static char *s_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    cr_assert(f, "open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *buf = malloc((size_t)n + 1);
    cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n, "read %s", path);
    buf[n] = 0;
    fclose(f);
    if (len)
        *len = (size_t)n;
    return buf;
}

/* s_csv_sums - the CSV's line amounts summed, and the amount of the summary
 * row named rule ("total", "payable", ...) in *summary */
static int64_t s_csv_sums(const char *path, const char *rule, int64_t *summary, int *draft)
{
    size_t len;
    char *raw = s_slurp(path, &len), *text;
    size_t n;
    csv_encoding_t used;
    long line;
    err_t err;
    cr_assert_eq(csv_decode(&text, &n, &used, &line, raw, len, CSV_UTF8, &err), 0,
                 "%s: %s", path, err.msg);
    csv_reader_t *r = csv_reader_new(text, n);
    char **f;
    size_t nf;
    int64_t sum = 0, fen;
    int rows = 0;
    *draft = 0;
    while (csv_read(r, &f, &nf, &line, &err) == 1) {
        cr_assert_eq(nf, 13, "%s line %ld: 13 columns, got %zu", path, line, nf);
        if (rows++ == 0) {
            cr_assert_str_eq(f[0], "person", "the header");
            continue;
        }
        if (*f[3]) {   /* a line: it has an id */
            cr_assert_eq(money_parse(&fen, f[9], &err), 0, "line %ld amount '%s'", line, f[9]);
            sum += fen;
        } else if (!strcmp(f[5], rule)) {
            cr_assert_eq(money_parse(summary, f[9], &err), 0, "%s amount '%s'", rule, f[9]);
        }
        *draft |= !strcmp(f[10], "draft");
    }
    csv_reader_destroy(&r);
    free(text);
    free(raw);
    return sum;
}

/* s_print_pdf - chromium prints page to pdf; pdftotext's text of it, in out */
static void s_print_pdf(const char *page, const char *pdf)
{
    char profile[512], cmd[2048];
    cr_assert_eq(access(CHROMIUM, X_OK), 0, CHROMIUM " is needed (Debian: chromium)");
    cr_assert_eq(access(PDFTOTEXT, X_OK), 0, PDFTOTEXT " is needed (Debian: poppler-utils)");
    snprintf(profile, sizeof profile, "%s/chromium-XXXXXX", srv.dir);
    cr_assert(mkdtemp(profile), "mkdtemp %s", profile);   /* a fresh, empty profile */
    snprintf(cmd, sizeof cmd, "timeout 60 " CHROMIUM " --headless --no-sandbox --disable-gpu "
             "--disable-quic --no-first-run --disable-background-networking "
             "--disable-component-update --disable-sync --user-data-dir=%s "
             "--print-to-pdf=%s --no-pdf-header-footer file://%s >%s/chromium.log 2>&1",
             profile, pdf, page, srv.dir);
    cr_assert_eq(system(cmd), 0, "chromium printed %s (see %s/chromium.log)", page, srv.dir);
    snprintf(cmd, sizeof cmd, PDFTOTEXT " -layout %s -", pdf);
    FILE *p = popen(cmd, "r");
    cr_assert(p, "%s", cmd);
    size_t n = fread(out, 1, sizeof out - 1, p);
    out[n] = 0;
    cr_assert_eq(pclose(p), 0, "%s", cmd);
}

Test(finance_statement, a_closed_month_prints_its_totals_name_and_chart)
{
    char log[512], dir[512], path[1024];
    int64_t total, payable, paid, csv_total, sum;
    int draft;
    server_start(&srv, "--test-clock");
    snprintf(log, sizeof log, "%s/attribution.log", srv.dir);
    pid_t wa = worker_start(&srv, "attribution", "", log);
    snprintf(log, sizeof log, "%s/commission.log", srv.dir);
    pid_t wc = worker_start(&srv, "commission", "", log);

    CTL_OK("clock set '2026-02-01 08:00'");
    policy_put(&srv, "2026-02", "role_rates:\n  channel: 500\n  service: 300\n");
    policy_put(&srv, "2026-03", "role_rates:\n  channel: 500\n  service: 300\n");
    CTL_OK("staff add --code S-1 --name 张伟 --branch SH01");
    CTL_OK("staff add --code S-2 --name 李娜 --branch SH01");
    CTL_OK("customer add --code C-1 --name 陈静 --branch SH01");
    CTL_OK("partner add --code P-1 --name 王芳 --kind seller --branch SH01");
    /* February: 200.00 gross profit, S-1 serving. */
    CTL_OK("order add --code O-1 --customer C-1 --placed '2026-02-02 10:00' "
           "--line P:1:500.00:300.00 --channel-type staff --channel staff:S-2 --service staff:S-1");
    CTL_OK("order status O-1 completed --at '2026-02-02 18:00'");
    CTL_OK("clock set '2026-02-20 00:00'");   /* past the refund window: payable */
    s_caught_up();
    CTL_OK("clock set '2026-03-01 00:00'");
    CTL_OK("month close 2026-02");
    s_caught_up();
    /* March: 400.00 gross profit, and a 50.00 fine. */
    CTL_OK("order add --code O-2 --customer C-1 --placed '2026-03-02 10:00' "
           "--line P:1:1000.00:600.00 --channel-type staff --channel staff:S-2 --service staff:S-1 "
           "--seller P-1");
    CTL_OK("order status O-2 completed --at '2026-03-02 12:00'");
    CTL_OK("clock set '2026-03-20 00:00'");
    fine_put(&srv, "F-1/S-1", "S-1", -5000, "2026-03",
             "未完成每周话术培训 <no weekly script training>");
    s_caught_up();

    /* Not closed yet: a draft, and both files say so. */
    snprintf(dir, sizeof dir, "%s/draft", srv.dir);
    FINANCE_OK("statement --month 2026-03 --person S-1 --dir %s", dir);
    HAS("staff:S-1");
    HAS("draft");
    snprintf(path, sizeof path, "%s/staff-S-1-2026-03.html", dir);
    char *html = s_slurp(path, NULL);
    cr_assert(strstr(html, "DRAFT") && strstr(html, "lines may still change"), "a draft page");
    free(html);
    snprintf(path, sizeof path, "%s/staff-S-1-2026-03.csv", dir);
    s_csv_sums(path, "total", &csv_total, &draft);
    cr_assert(draft, "the CSV says draft");

    CTL_OK("clock set '2026-04-01 00:00'");
    CTL_OK("month close 2026-03");
    s_caught_up();
    CTL_OK("account add --code A-BANK --name 银行 --kind paying --branch SH01 --owner-name 公司");
    CTL_OK("account add --code A-COMM --name 应付佣金 --kind internal --branch SH01 "
           "--owner-name 公司");
    CTL_OK("payout --person staff:S-1 --month 2026-03 --from A-BANK --to A-COMM --branch SH01 "
           "--amount 30.00");
    s_caught_up();
    s_figures("S-1", "2026-03", &total, &payable, &paid);
    cr_assert_eq(paid, 3000, "paid 30.00: %lld", (long long)paid);
    CTL_OK("statement --person S-1 --month 2026-03");
    HAS("role.service");
    HAS("pool.share");
    HAS("fine.training.weekly_script");

    /* One person, into a directory that does not exist yet. */
    snprintf(dir, sizeof dir, "%s/out/2026", srv.dir);
    FINANCE_OK("statement --month 2026-03 --person staff:S-1 --dir %s", dir);
    HAS("张伟");
    HAS("staff-S-1-2026-03.html");
    HAS("1 statement for 2026-03");
    snprintf(path, sizeof path, "%s/staff-S-1-2026-03.csv", dir);
    sum = s_csv_sums(path, "total", &csv_total, &draft);
    cr_assert_eq(sum, total, "CSV lines sum to %lld, statement total %lld", (long long)sum,
                 (long long)total);
    cr_assert_eq(csv_total, total, "the CSV's total row");
    cr_assert_not(draft, "closed");
    s_csv_sums(path, "payable", &csv_total, &draft);
    cr_assert_eq(csv_total, payable, "the CSV's payable row");
    s_csv_sums(path, "paid", &csv_total, &draft);
    cr_assert_eq(csv_total, paid, "the CSV's paid row");
    size_t len;
    char *raw = s_slurp(path, &len);
    cr_assert(len > 3 && memcmp(raw, CSV_BOM, 3) != 0, "no BOM without --excel");
    free(raw);

    /* The page, as printed. */
    char pdf[1024], want[3][32];
    snprintf(path, sizeof path, "%s/staff-S-1-2026-03.html", dir);
    snprintf(pdf, sizeof pdf, "%s/statement.pdf", srv.dir);
    s_print_pdf(path, pdf);
    money_format(want[0], sizeof want[0], total);      /* below 1,000.00: no separators */
    money_format(want[1], sizeof want[1], payable);
    money_format(want[2], sizeof want[2], paid);
    cr_assert_lt(total, 100000, "the amounts print without thousands separators");
    HAS("张伟");
    HAS("S-1");
    HAS("本月合计");
    for (int i = 0; i < 3; i++)
        HAS(want[i]);
    HAS("已结账");
    HAS("1月");          /* the chart's month labels */
    HAS("12月");
    HAS("罚款");         /* its legend */
    HAS("奖金池");
    cr_assert_null(strstr(out, "DRAFT"), "a closed page is no draft: %s", out);

    /* --excel: the BOM first. */
    snprintf(dir, sizeof dir, "%s/excel", srv.dir);
    FINANCE_OK("statement --month 2026-03 --person S-1 --dir %s --excel", dir);
    snprintf(path, sizeof path, "%s/staff-S-1-2026-03.csv", dir);
    raw = s_slurp(path, &len);
    cr_assert(len > 3 && memcmp(raw, CSV_BOM, 3) == 0, "--excel starts with the BOM");
    free(raw);
    sum = s_csv_sums(path, "total", &csv_total, &draft);
    cr_assert_eq(sum, total, "the same lines with the BOM");

    /* Everyone of the month, as JSON, in key order: the seller's partner
     * name comes from the partners' list. */
    snprintf(dir, sizeof dir, "%s/all", srv.dir);
    FINANCE_OK("--json statement --month 2026-03 --dir %s", dir);
    json_t *j = json_loads(out, 0, NULL);
    cr_assert(j, "one JSON object: %s", out);
    cr_assert_eq(json_integer_value(json_object_get(j, "count")), 3, "P-1, S-1, S-2: %s", out);
    json_t *st = json_object_get(j, "statements");
    static const char *const people[][2] = {
        { "partner:P-1", "王芳" }, { "staff:S-1", "张伟" }, { "staff:S-2", "李娜" } };
    for (size_t i = 0; i < 3; i++) {
        json_t *e = json_array_get(st, i);
        cr_assert_str_eq(json_string_value(json_object_get(e, "person")), people[i][0]);
        cr_assert_str_eq(json_string_value(json_object_get(e, "name")), people[i][1]);
    }
    json_decref(j);
    snprintf(path, sizeof path, "%s/partner-P-1-2026-03.html", dir);
    cr_assert_eq(access(path, R_OK), 0, "%s", path);
    html = s_slurp(path, NULL);
    cr_assert(strstr(html, "王芳") && strstr(html, "seller.sale"), "the seller's page");
    free(html);

    /* Who has no statement, and what is not a month or a person. */
    cr_assert_eq(finance(&srv, out, sizeof out, "statement --month 2026-03 --person S-9 --dir %s",
                         dir), 1, "%s", out);
    HAS("staff:S-9 has no statement for 2026-03");
    cr_assert_eq(finance(&srv, out, sizeof out, "statement --month 2026-3"), 2, "%s", out);
    HAS("--month");
    cr_assert_eq(finance(&srv, out, sizeof out, "statement --month 2026-03 --person customer:C-1"),
                 2, "%s", out);
    HAS("--person");

    cr_assert_eq(proc_stop(wc), 0, "commission stops cleanly");
    cr_assert_eq(proc_stop(wa), 0, "attribution stops cleanly");
    server_remove(&srv);
}
