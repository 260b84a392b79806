/* test_finance_feed - `ledger-finance follow` behind the real attribution,
 * commission and reconciliation workers on a --test-clock ledgerd: the desk
 * is offline while a month happens (orders, a month close, a payout, a
 * refund that claws back, a fine, the closes of every day), then catches up
 * with every settlement event exactly once and in log order; following
 * live, each new one arrives; after a kill, or from a fresh cursor onto the
 * same feed file, nothing is repeated. */
#define _GNU_SOURCE   /* memmem */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "client.h"
#include "commission.pb-c.h"
#include "results.h"
#include "server.h"

TestSuite(finance_feed, .timeout = 600);

static server_t srv;
static char out[1 << 18];

#define CTL_OK(...) do { int rc_ = ctl(&srv, out, sizeof out, __VA_ARGS__); \
    cr_assert_eq(rc_, 0, "exit %d: %s", rc_, out); } while (0)
#define FIN_OK(...) do { int rc_ = finance(&srv, out, sizeof out, __VA_ARGS__); \
    cr_assert_eq(rc_, 0, "exit %d: %s", rc_, out); } while (0)

/* s_count - how often text occurs in s */
static int s_count(const char *s, const char *text)
{
    int n = 0;
    for (const char *p = s; (p = strstr(p, text)); p += strlen(text))
        n++;
    return n;
}

/* s_seqs_rise - every line of JSON lines text has a seq above the one before */
static void s_seqs_rise(const char *text, uint64_t *last)
{
    for (const char *p = text; (p = strstr(p, "{\"seq\":")); p++) {
        uint64_t seq = strtoull(p + 7, NULL, 10);
        cr_assert_gt(seq, *last, "seq %" PRIu64 " after %" PRIu64 ": repeated or out of order",
                     seq, *last);
        *last = seq;
    }
}

/* s_file - the whole file (static buffer) */
static const char *s_file(const char *path)
{
    static char buf[1 << 18];
    FILE *f = fopen(path, "r");
    if (!f)
        return "";
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    return buf;
}

static void s_caught_up(void)
{
    for (int i = 0; i < 2; i++)   /* and once more for what their own results caused */
        CTL_OK("cursor wait attribution:0/1 commission:0/1 reconciliation:0/1 --within 180");
}

/* s_events - how many events of kind (a family, as tail's --kind) the log holds */
static int s_events(const char *kind, const char *also)
{
    CTL_OK("--json tail --kind %s --from 1", kind);
    int n = 0;
    for (const char *p = out; (p = strstr(p, "\"seq\":")); p++) {
        const char *end = strchr(p, '\n');
        if (!also || (end && memmem(p, (size_t)(end - p), also, strlen(also))))
            n++;
    }
    return n;
}

Test(finance_feed, offline_for_a_month_then_every_settlement_event_once)
{
    char log[512], feed[512];
    server_start(&srv, "--test-clock");
    snprintf(log, sizeof log, "%s/workers.log", srv.dir);
    snprintf(feed, sizeof feed, "%s/feed.jsonl", srv.dir);
    pid_t wa = worker_start(&srv, "attribution", "", log);
    pid_t wc = worker_start(&srv, "commission", "", log);
    pid_t wr = worker_start(&srv, "reconciliation", "", log);
    CTL_OK("clock set '2026-03-01 08:00'");
    policy_put(&srv, "2026-03", "role_rates:\n  channel: 500\n  service: 300\n");
    CTL_OK("staff add --code S-1 --name 王芳 --branch SH01");
    CTL_OK("staff add --code S-2 --name 李娜 --branch SH01");
    CTL_OK("customer add --code C-1 --name 陈静 --branch SH01");
    CTL_OK("account add --code A-CASH --name 现金 --kind receiving --branch SH01 --owner-name 王芳");
    CTL_OK("account add --code A-REV --name 销售收入 --kind internal --branch SH01 --owner-name 公司");
    CTL_OK("account add --code A-BANK --name 付款 --kind paying --branch SH01 --owner-name 公司");
    CTL_OK("account add --code A-COMM --name 应付佣金 --kind internal --branch SH01 --owner-name 公司");

    /* The desk looks once at the start of March: nothing settled yet. */
    FIN_OK("--json follow --once --quiet --feed %s", feed);
    cr_assert_eq(s_count(out, "{\"seq\":"), 0, "nothing to settle yet: %s", out);

    /* A month while the desk is away. */
    CTL_OK("order add --code O-1 --customer C-1 --placed '2026-03-05 10:00' "
           "--line P:1:1000.00:600.00 --channel-type staff --channel staff:S-1 "
           "--service staff:S-2");
    CTL_OK("entry add --code E-1 --branch SH01 --time '2026-03-05 10:30' --category sale "
           "--posting A-CASH:1000.00 --posting A-REV:-1000.00 --order O-1");
    CTL_OK("clock set '2026-03-06 10:00'");
    CTL_OK("order status O-1 completed --at '2026-03-05 18:00'");
    CTL_OK("clock set '2026-03-13 00:00'");   /* the refund window has passed */
    CTL_OK("clock set '2026-04-01 00:00'");
    s_caught_up();
    CTL_OK("month close 2026-03");
    s_caught_up();
    CTL_OK("payout --person staff:S-1 --month 2026-03 --from A-BANK --to A-COMM --branch SH01");
    /* A refund after the lines were settled: clawbacks on April's statements. */
    CTL_OK("refund add --code R-1 --order O-1 --amount 100.00 --requested '2026-04-02 09:00' "
           "--processed '2026-04-02 10:00'");
    CTL_OK("clock set '2026-04-02 10:00'");
    fine_put(&srv, "training.weekly_script/SH01@2026-W14/S-2", "S-2", -5000, "2026-04",
             "no weekly script training");
    CTL_OK("clock set '2026-04-05 00:00'");
    s_caught_up();

    /* Back at the desk: the whole month, once, in log order. */
    FIN_OK("--json follow --once --quiet --feed %s", feed);
    const char *shown = strdup(out);
    uint64_t last = 0;
    s_seqs_rise(shown, &last);
    cr_assert_str_eq(s_file(feed), shown, "the feed file keeps exactly what was shown");
    cr_assert_eq(s_count(shown, "\"item\":\"month\""), 1, "%s", shown);
    cr_assert_eq(s_count(shown, "\"kind\":\"statement.closed\""),
                 s_events("statement.closed", NULL), "every statement.closed event: %s", shown);
    cr_assert(strstr(shown, "\"key\":\"staff:S-1@2026-03\",\"version\":1"), "%s", shown);
    cr_assert(strstr(shown, "\"key\":\"staff:S-1@2026-03\",\"version\":2"),
              "the statement again once paid: %s", shown);
    cr_assert_eq(s_count(shown, "\"item\":\"payout\""), 1, "%s", shown);
    cr_assert(strstr(shown, "\"amount_fen\":2000,\"detail\":\"pays statement staff:S-1@2026-03"),
              "the payout of 5 %% of 400.00: %s", shown);
    /* The refund takes 100.00 off the gross profit: 5 % and 3 % of it back. */
    cr_assert(strstr(shown, "\"key\":\"O-1/role.channel/S-1/R-1\""), "%s", shown);
    cr_assert(strstr(shown, "\"item\":\"clawback\",\"key\":\"O-1/role.channel/S-1/R-1\","
                            "\"version\":1,\"person\":\"staff:S-1\",\"month\":\"2026-04\","
                            "\"branch\":\"\",\"amount_fen\":-500"), "%s", shown);
    cr_assert(strstr(shown, "\"person\":\"staff:S-2\",\"month\":\"2026-04\",\"branch\":\"\","
                            "\"amount_fen\":-300"), "%s", shown);
    cr_assert_eq(s_count(shown, "\"item\":\"clawback\""), 2, "one per earner: %s", shown);
    cr_assert(strstr(shown, "\"item\":\"fine\""), "%s", shown);
    cr_assert(strstr(shown, "\"amount_fen\":-5000"), "%s", shown);
    /* Every close reconciliation wrote, day by day up to the quiet 4th. */
    cr_assert_eq(s_count(shown, "\"kind\":\"close."), s_events("close", NULL),
                 "every close event: %s", shown);
    cr_assert(strstr(shown, "\"key\":\"SH01@2026-03-05\""), "%s", shown);
    cr_assert(strstr(shown, "\"key\":\"SH01@2026-03\""), "March's close: %s", shown);
    cr_assert(strstr(shown, "\"item\":\"close month\""), "%s", shown);

    /* Again: nothing new, nothing repeated. */
    FIN_OK("--json follow --once --quiet --feed %s", feed);
    cr_assert_eq(s_count(out, "{\"seq\":"), 0, "nothing again: %s", out);
    /* A fresh cursor onto the same file (as after a crash between keeping
     * and the cursor's write-back) keeps nothing twice. */
    FIN_OK("--json follow --once --quiet --name desk2 --feed %s", feed);
    cr_assert_eq(s_count(out, "{\"seq\":"), 0, "the file says what it has: %s", out);
    /* Without the file the fresh cursor shows the same items again. */
    FIN_OK("--json follow --once --quiet --name desk3");
    cr_assert_str_eq(out, shown);

    /* Live: a second payout arrives while it follows; a SIGKILL and a
     * restart repeat nothing. */
    char args[1024];
    snprintf(args, sizeof args, "--json follow --quiet --feed %s >>%s/live.out", feed, srv.dir);
    pid_t live = worker_start(&srv, "finance", args, log);
    fine_put(&srv, "training.weekly_script/SH01@2026-W14/S-2", "S-2", 0, "2026-04",
             "no weekly script training");   /* withdrawn */
    int seen = 0;
    for (int i = 0; i < 300 && !seen; i++) {
        seen = strstr(s_file(feed), "\"item\":\"withdrawn\"") != NULL;
        if (!seen)
            nanosleep(&(struct timespec){ 0, 50 * 1000 * 1000 }, NULL);
    }
    cr_assert(seen, "the withdrawn fine arrives live: %s", s_file(feed));
    kill(live, SIGKILL);
    proc_wait(live);
    /* While it is down, April ends and is closed. */
    CTL_OK("clock set '2026-05-01 00:00'");
    CTL_OK("month close 2026-04");
    s_caught_up();
    FIN_OK("--json follow --once --quiet --feed %s", feed);
    last = 0;
    s_seqs_rise(s_file(feed), &last);
    cr_assert_eq(s_count(s_file(feed), "\"item\":\"withdrawn\""), 1);
    cr_assert_eq(s_count(s_file(feed), "\"item\":\"month\""), 2, "%s", s_file(feed));

    free((char *)shown);
    cr_assert_eq(proc_stop(wr), 0);
    cr_assert_eq(proc_stop(wc), 0);
    cr_assert_eq(proc_stop(wa), 0);
    server_remove(&srv);
}

Test(finance_feed, usage_errors_name_the_option)
{
    server_start(&srv, "--test-clock");
    cr_assert_eq(finance(&srv, out, sizeof out, "follow --bogus"), 2, "%s", out);
    cr_assert(strstr(out, "--bogus"), "%s", out);
    cr_assert_eq(finance(&srv, out, sizeof out, "follow --feed /nonexistent/dir/feed"), 2,
                 "%s", out);
    cr_assert(strstr(out, "--feed"), "%s", out);
    char path[512];
    snprintf(path, sizeof path, "%s/not-a-feed", srv.dir);
    FILE *f = fopen(path, "w");
    cr_assert(f);
    fputs("hello\n", f);
    fclose(f);
    cr_assert_eq(finance(&srv, out, sizeof out, "follow --feed %s", path), 2, "%s", out);
    cr_assert(strstr(out, "not a feed"), "%s", out);
    cr_assert_eq(finance(&srv, out, sizeof out, "follow --help"), 0, "%s", out);
    cr_assert(strstr(out, "usage: ledger-finance follow"), "%s", out);
    server_remove(&srv);
}
