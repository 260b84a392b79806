/* test_commission - ledger-commission as it runs, behind ledger-attribution,
 * on a --test-clock ledgerd: an order's role and seller lines become payable
 * when the refund window passes in ledger time, a month close settles one
 * statement per person whose total is the sum of its lines, and a refund
 * after that is a clawback on the next month's statement. The rules at their
 * edges are test_lines'. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include "client.h"
#include "commission.pb-c.h"
#include "follow.h"
#include "frame.h"
#include "results.h"
#include "server.h"

TestSuite(commission, .timeout = 600);

static server_t srv;
static char out[1 << 16];

#define CTL_OK(...) do { int rc_ = ctl(&srv, out, sizeof out, __VA_ARGS__); \
    cr_assert_eq(rc_, 0, "exit %d: %s", rc_, out); } while (0)

/* s_start - a --test-clock ledgerd with attribution and commission following it */
static void s_start(pid_t *wa, pid_t *wc)
{
    char log[512];
    server_start(&srv, "--test-clock");
    snprintf(log, sizeof log, "%s/attribution.log", srv.dir);
    *wa = worker_start(&srv, "attribution", "", log);
    snprintf(log, sizeof log, "%s/commission.log", srv.dir);
    *wc = worker_start(&srv, "commission", "", log);
}

/* s_finish - both workers stop cleanly on SIGTERM; the ledger goes */
static void s_finish(pid_t wa, pid_t wc)
{
    cr_assert_eq(proc_stop(wc), 0, "commission stops cleanly");
    cr_assert_eq(proc_stop(wa), 0, "attribution stops cleanly");
    server_remove(&srv);
}

/* s_caught_up - both workers have read the whole log */
static void s_caught_up(void)
{
    CTL_OK("cursor wait attribution:0/1 commission:0/1 --within 180");
    /* Their own result events come after; once more, for what those caused. */
    CTL_OK("cursor wait attribution:0/1 commission:0/1 --within 180");
}

/* s_statement - `statement --json` text for person and month */
static const char *s_statement(const char *person, const char *month)
{
    CTL_OK("--json statement --person %s --month %s", person, month);
    return out;
}

/* s_payload_hex - the stored payload of (kind, key) as hex; "" when none */
static void s_payload_hex(client_t *c, const char *kind, const char *key, char *hex, size_t n)
{
    Ledger__Result *r = result_get(c, kind, key);
    hex[0] = 0;
    if (!r)
        return;
    for (size_t i = 0; i < r->payload.len && 2 * i + 2 < n; i++)
        snprintf(hex + 2 * i, 3, "%02x", r->payload.data[i]);
    ledger__result__free_unpacked(r, NULL);
}
/* s_replay_matches - a second commission worker from seq 1 (its own cursor
 * and state) leaves every line and statement as the live one wrote it last */
static void s_replay_matches(void)
{
    char *kinds[] = { "commission.line", "statement" };
    replay_matches(&srv, "commission", kinds, 2, 21);
}

/* s_has - out contains text */
#define HAS(text) cr_assert(strstr(out, text), "want %s in: %s", text, out)

Test(commission, lines_become_payable_settle_on_close_and_a_late_refund_claws_back)
{
    pid_t wa, wc;
    s_start(&wa, &wc);
    CTL_OK("clock set '2026-03-01 08:00'");
    policy_put(&srv, "2026-03", "role_rates:\n  channel: 500\n  service: 300\n  assist: 200\n"
                        "  handler: 100\n  arranger: 100\n");
    for (int i = 1; i <= 6; i++)
        CTL_OK("staff add --code S-%d --name 员工%d --branch SH01", i, i);
    CTL_OK("partner add --code P-1 --name 甲 --kind seller --branch SH01");
    CTL_OK("partner add --code P-2 --name 乙 --kind seller --branch SH01 --inviter P-1");
    CTL_OK("partner add --code P-3 --name 丙 --kind seller --branch SH01 --inviter P-2");
    CTL_OK("customer add --code C-1 --name 陈静 --branch SH01");
    /* 1,000.00 sold, 600.00 cost: 400.00 gross profit. */
    CTL_OK("order add --code O-1 --customer C-1 --placed '2026-03-05 10:00' "
           "--line P:1:1000.00:600.00 --channel-type staff --channel staff:S-1 "
           "--service staff:S-2 --handler S-3 --arranger S-4 --arranger S-5 --arranger S-6 "
           "--seller P-3");
    CTL_OK("clock set '2026-03-06 10:00'");
    CTL_OK("order status O-1 completed --at '2026-03-05 18:00'");
    s_caught_up();
    /* Pending lines are on no statement yet. */
    cr_assert_eq(ctl(&srv, out, sizeof out, "statement --person S-1 --month 2026-03"), 1,
                 "%s", out);

    /* Completed 2026-03-05 18:00: the refund window (168 h) ends in ledger
     * time on 2026-03-12 at 18:00. */
    CTL_OK("clock set '2026-03-12 17:59:59'");
    s_caught_up();
    cr_assert_eq(ctl(&srv, out, sizeof out, "statement --person S-1 --month 2026-03"), 1,
                 "one second short of the window: %s", out);
    CTL_OK("clock set '2026-03-12 18:00'");
    s_caught_up();
    s_statement("S-1", "2026-03");
    HAS("\"state\":\"payable\"");
    HAS("\"amount_fen\":2000");   /* 5 % of 400.00 */
    s_statement("S-2", "2026-03");
    HAS("\"amount_fen\":1200");   /* 3 % */
    s_statement("S-4", "2026-03");
    HAS("\"amount_fen\":134");    /* 1 % of 400.00 = 4.00, split 1.34 / 1.33 / 1.33 */
    s_statement("S-6", "2026-03");
    HAS("\"amount_fen\":133");
    s_statement("partner:P-3", "2026-03");
    HAS("\"amount_fen\":20000");  /* 20 % of 1,000.00 */
    s_statement("P-2", "2026-03");
    HAS("\"amount_fen\":5000");   /* 5 % to the inviter */
    cr_assert_neq(ctl(&srv, out, sizeof out, "statement --person P-1 --month 2026-03"), 0,
                  "two levels only: P-1 earns nothing on P-3's sale");

    CTL_OK("clock set '2026-04-01 00:00'");
    CTL_OK("month close 2026-03");
    s_caught_up();
    s_statement("S-1", "2026-03");
    HAS("\"closed\":true");
    HAS("\"total_fen\":2000");
    HAS("\"payable_fen\":2000");
    CTL_OK("statement --person S-4 --month 2026-03");
    HAS("closed");
    HAS("1.34");
    CTL_OK("statements --month 2026-03");
    HAS("staff:S-1");
    HAS("partner:P-3");
    /* 20 + 12 + 4 + 4.00 split + 200 + 50, and SH01's pool: 30 % of its
     * 400.00 profit to S-2, who served the month's only order. */
    HAS("8 statements, 410.00 payable");
    CTL_OK("statement --person S-2 --month 2026-03");
    HAS("pool.share");
    HAS("120.00");
    CTL_OK("--json tail --kind statement.closed --from 1");
    int closed = 0;
    for (const char *p = out; (p = strstr(p, "\"result\":{\"kind\":\"statement.closed\"")); p++)
        closed++;
    cr_assert_eq(closed, 8, "one statement.closed per person (S-1..S-6, P-2, P-3): got %d", closed);

    /* Finance pays S-1's statement; the same payout again writes nothing
     * (its idempotency key is the statement's and the amount's). */
    CTL_OK("account add --code A-BANK --name 银行 --kind paying --branch SH01 --owner-name 公司");
    CTL_OK("account add --code A-COMM --name 应付佣金 --kind internal --branch SH01 "
           "--owner-name 公司");
    CTL_OK("payout --person staff:S-1 --month 2026-03 --from A-BANK --to A-COMM --branch SH01");
    s_caught_up();
    CTL_OK("payout --person staff:S-1 --month 2026-03 --from A-BANK --to A-COMM --branch SH01 "
           "--amount 20.00");
    s_caught_up();
    s_statement("S-1", "2026-03");
    HAS("\"paid_fen\":2000");
    HAS("\"state\":\"paid\"");
    cr_assert_eq(ctl(&srv, out, sizeof out, "payout --person staff:S-1 --month 2026-03 "
                     "--from A-BANK --to A-COMM --branch SH01"), 1, "nothing left: %s", out);
    HAS("nothing to pay");

    /* A refund processed in April, after the lines were payable: clawbacks
     * on April's statements, at the original rates. */
    CTL_OK("refund add --code R-1 --order O-1 --amount 100.00 --requested '2026-04-02 09:00' "
           "--processed '2026-04-02 10:00'");
    CTL_OK("clock set '2026-04-02 10:00'");   /* judged when ledger time gets there */
    s_caught_up();
    s_statement("P-3", "2026-04");
    HAS("seller.sale.clawback");
    HAS("\"amount_fen\":-2000");   /* -20 % of 100.00 */
    s_statement("S-1", "2026-04");
    HAS("\"amount_fen\":-500");    /* 5 % of the 100.00 drop in gross profit */

    /* A back-dated February order opens C-1's window with channel S-5: O-1's
     * channel becomes S-5. S-1's settled March line is adjusted on April's
     * statement; S-5 is paid for O-1 on April's. */
    CTL_OK("order add --code O-0 --customer C-1 --placed '2026-02-20 10:00' "
           "--line P:1:10.00:5.00 --channel-type staff --channel staff:S-5");
    s_caught_up();
    s_statement("S-1", "2026-04");
    HAS("role.channel.adjustment");
    HAS("\"amount_fen\":-2000");   /* the settled 20.00 taken back */
    s_statement("S-5", "2026-04");
    HAS("O-1/role.channel/S-5");
    HAS("\"amount_fen\":1500");    /* 5 % of the gross profit after the refund: 300.00 */

    /* April closes with S-1 owing the 20.00 paid in March (the adjustment;
     * the unsettled clawback went void with the role): nothing payable, and
     * the balance carried on through May, which has no lines for S-1. */
    CTL_OK("clock set '2026-06-01 00:00'");
    CTL_OK("month close 2026-04");
    CTL_OK("month close 2026-05");
    s_caught_up();
    s_statement("S-1", "2026-04");
    HAS("\"total_fen\":-2000");
    HAS("\"payable_fen\":0");
    HAS("\"carried_out_fen\":-2000");
    s_statement("S-1", "2026-05");
    HAS("\"closed\":true");
    HAS("\"carried_in_fen\":-2000");
    HAS("\"carried_out_fen\":-2000");
    cr_assert_eq(ctl(&srv, out, sizeof out, "statement --person S-5 --month 2026-05"), 1,
                 "S-5: paid in April, nothing carried, no May statement: %s", out);

    /* March's policy gets a second version: service 4 %. S-2's settled
     * March line (3 % of 400.00) is adjusted by +4.00 and its settled April
     * clawback (3 % of the 100.00 drop) by -1.00, both on June's statement. */
    policy_put(&srv, "2026-03", "role_rates:\n  channel: 500\n  service: 400\n  assist: 200\n"
                        "  handler: 100\n  arranger: 100\n");
    s_caught_up();
    s_statement("S-2", "2026-06");
    HAS("role.service.adjustment");
    HAS("\"amount_fen\":400");
    HAS("\"amount_fen\":-100");
    HAS("\"total_fen\":300");

    s_replay_matches();
    s_finish(wa, wc);
}

/* s_hex_unpack - a Statement from hex payload text */
static Ledger__Statement *s_statement_of(const char *hex)
{
    size_t n = strlen(hex) / 2;
    uint8_t *buf = malloc(n ? n : 1);
    for (size_t i = 0; i < n; i++)
        sscanf(hex + 2 * i, "%2hhx", &buf[i]);
    Ledger__Statement *st = ledger__statement__unpack(NULL, n, buf);
    free(buf);
    return st;
}

Test(commission, a_generated_autumn_closes_month_by_month_into_statements_that_add_up)
{
    char cmd[1024];
    pid_t wa, wc;
    s_start(&wa, &wc);
    CTL_OK("clock set '2025-08-31 00:00'");
    policy_put(&srv, "2025-09", "role_rates:\n  channel: 300\n  service: 200\n  assist: 100\n"
                        "  handler: 100\n  arranger: 100\noutside_referrer_rate: 800\n");
    /* The demo's year, entered before it happens in ledger time: lines
     * become payable as the clock passes each refund window. */
    snprintf(cmd, sizeof cmd, "LEDGER_ACTOR=demo %s --endpoint %s >/dev/null 2>&1",
             LEDGER_DEMO_BIN, srv.listen);
    cr_assert_eq(system(cmd), 0, "ledger-demo");
    static const char *const months[] = { "2025-09", "2025-10", "2025-11" };
    static const char *const steps[][5] = {
        { "2025-09-08", "2025-09-15", "2025-09-22", "2025-09-29", "2025-10-01" },
        { "2025-10-08", "2025-10-15", "2025-10-22", "2025-10-29", "2025-11-01" },
        { "2025-11-08", "2025-11-15", "2025-11-22", "2025-11-29", "2025-12-01" },
    };
    for (int m = 0; m < 3; m++) {
        for (int s = 0; s < 5; s++)
            CTL_OK("clock set '%s 00:00'", steps[m][s]);
        s_caught_up();
        CTL_OK("month close %s", months[m]);
        s_caught_up();
    }

    static char log[1 << 22];
    int rc = ctl(&srv, log, sizeof log, "--json tail --from 1 --kind statement.closed");
    cr_assert_eq(rc, 0, "%s", log);
    json_t *seen = json_object();
    int statements = 0, with_lines = 0;
    for (char *line = strtok(log, "\n"); line; line = strtok(NULL, "\n")) {
        json_t *e = json_loads(line, 0, NULL);
        json_t *r = e ? json_object_get(e, "result") : NULL;
        cr_assert(r, "a statement.closed event with a result: %s", line);
        const char *key = json_string_value(json_object_get(r, "key"));
        Ledger__Statement *st = s_statement_of(json_string_value(json_object_get(r, "payload_hex")));
        cr_assert(st && st->closed, "%s: a closed statement", key);
        if (json_integer_value(json_object_get(r, "version")) == 1) {   /* not a payout's */
            cr_assert_null(json_object_get(seen, key), "%s: one statement.closed per person", key);
            json_object_set_new(seen, key, json_true());
            statements++;
        }
        int64_t sum = 0;
        for (size_t i = 0; i < st->n_lines; i++) {
            sum += st->lines[i]->amount;
            cr_assert_str_eq(st->lines[i]->month, st->month, "%s: line %s", key, st->lines[i]->id);
        }
        with_lines += st->n_lines > 0;
        cr_assert_eq(st->total, sum, "%s: total %lld, lines sum %lld", key, (long long)st->total,
                     (long long)sum);
        int64_t net = st->total + st->carried_in;
        cr_assert_eq(st->payable, net > 0 ? net : 0, "%s: payable", key);
        cr_assert_eq(st->carried_out, net < 0 ? net : 0, "%s: carried out", key);
        ledger__statement__free_unpacked(st, NULL);
        json_decref(e);
    }
    json_decref(seen);
    cr_assert_gt(with_lines, 10, "an autumn of three branches pays people (%d statements)",
                 with_lines);
    cr_assert_geq(statements, with_lines);

    s_replay_matches();
    s_finish(wa, wc);
}

Test(commission, a_fine_larger_than_the_month_carries_forward_and_a_withdrawn_one_is_repaid)
{
    pid_t wa, wc;
    s_start(&wa, &wc);
    CTL_OK("clock set '2026-03-01 08:00'");
    policy_put(&srv, "2026-03", "role_rates:\n  channel: 500\n");
    CTL_OK("staff add --code S-1 --name 张伟 --branch SH01");
    CTL_OK("customer add --code C-1 --name 陈静 --branch SH01");
    CTL_OK("order add --code O-1 --customer C-1 --placed '2026-03-02 10:00' "
           "--line P:1:1000.00:600.00 --channel-type staff --channel staff:S-1");
    CTL_OK("order status O-1 completed --at '2026-03-02 12:00'");
    CTL_OK("clock set '2026-03-20 00:00'");   /* 20.00 payable in March */
    /* a 50.00 fine in March */
    fine_put(&srv, "F-1/S-1", "S-1", -5000, "2026-03", "no weekly script training");
    s_caught_up();
    s_statement("S-1", "2026-03");
    HAS("fine.training.weekly_script");
    HAS("\"total_fen\":-3000");

    CTL_OK("clock set '2026-04-01 00:00'");
    CTL_OK("month close 2026-03");
    s_caught_up();
    s_statement("S-1", "2026-03");
    HAS("\"payable_fen\":0");
    HAS("\"carried_out_fen\":-3000");

    /* The finding is resolved as no violation: the fine is withdrawn. March
     * is closed, so the 50.00 comes back on April's statement. */
    fine_put(&srv, "F-1/S-1", "S-1", 0, "2026-03", "no weekly script training");
    s_caught_up();
    CTL_OK("clock set '2026-05-01 00:00'");
    CTL_OK("month close 2026-04");
    s_caught_up();
    s_statement("S-1", "2026-04");
    HAS("fine/F-1/S-1/adj1");
    HAS("\"rule\":\"fine.training.weekly_script\"");
    HAS("\"total_fen\":5000");
    HAS("\"carried_in_fen\":-3000");
    HAS("\"payable_fen\":2000");
    s_finish(wa, wc);
}

Test(commission, a_distributor_is_priced_by_its_tier_and_earns_its_months_rebate)
{
    pid_t wa, wc;
    s_start(&wa, &wc);
    CTL_OK("clock set '2026-03-01 08:00'");
    CTL_OK("customer add --code C-D --name 分销客户 --branch SH01");
    CTL_OK("partner add --code D-1 --name 分销商 --kind distributor --branch SH01 --customer C-D");
    /* List 100.00: supply 80 % = 80.00 normal, 72.00 advanced, 64.00 gold. */
    CTL_OK("product add --code P-1 --name 墨盒 --list-price 100.00");
    CTL_OK("order add --code O-D1 --customer C-D --placed '2026-03-01 10:00' "
           "--line P-1:62:80.00:40.00");   /* 4,960.00 */
    CTL_OK("order status O-D1 completed --at '2026-03-02 10:00'");
    CTL_OK("order add --code O-D2 --customer C-D --placed '2026-03-03 10:00' "
           "--line P-1:1:80.00:40.00");    /* placed at 4,960.00: still normal */
    CTL_OK("order status O-D2 completed --at '2026-03-04 10:00'");   /* 5,040.00: advanced */
    CTL_OK("order add --code O-D3 --customer C-D --placed '2026-03-05 10:00' "
           "--line P-1:1:80.00:40.00");    /* charged the normal price at the advanced tier */
    CTL_OK("clock set '2026-03-05 12:00'");
    s_caught_up();

    CTL_OK("--json quote --distributor D-1 --product P-1 --qty 10");
    HAS("\"cumulative_fen\":504000");
    HAS("\"tier_name\":\"advanced\"");
    HAS("\"unit_price_fen\":7200");
    HAS("\"line_fen\":72000");
    HAS("\"to_next_fen\":496000");
    CTL_OK("quote --distributor D-1 --product P-1");
    HAS("advanced");
    HAS("4960.00 more to buy");

    /* The orders' prices against their tiers: the crossing order keeps the
     * old tier; O-D3 is the finding. */
    client_t *c = client_new(srv.listen, "tester", 5000);
    static const struct { const char *order; int tier, differs; int64_t expected; } want[] = {
        { "O-D1", 0, 0, 8000 }, { "O-D2", 0, 0, 8000 }, { "O-D3", 1, 1, 7200 } };
    for (size_t i = 0; i < 3; i++) {
        static char hex[4096];
        uint8_t buf[2048];
        s_payload_hex(c, "distributor.price", want[i].order, hex, sizeof hex);
        size_t n = strlen(hex) / 2;
        for (size_t k = 0; k < n; k++)
            sscanf(hex + 2 * k, "%2hhx", &buf[k]);
        Ledger__DistributorPrice *dp = ledger__distributor_price__unpack(NULL, n, buf);
        cr_assert(dp && dp->n_lines == 1, "%s was checked", want[i].order);
        cr_assert_eq(dp->tier, want[i].tier, "%s: tier %d, want %d", want[i].order, dp->tier,
                     want[i].tier);
        cr_assert_eq(dp->differs, want[i].differs, "%s: differs", want[i].order);
        cr_assert_eq(dp->lines[0]->expected, want[i].expected, "%s: expected %lld",
                     want[i].order, (long long)dp->lines[0]->expected);
        ledger__distributor_price__free_unpacked(dp, NULL);
    }
    client_destroy(&c);

    /* A refund after completion takes D-1 back under 5,000.00. */
    CTL_OK("refund add --code R-1 --order O-D2 --amount 80.00 --requested '2026-03-06 09:00' "
           "--processed '2026-03-06 10:00'");
    CTL_OK("clock set '2026-03-06 12:00'");
    s_caught_up();
    CTL_OK("--json quote --distributor D-1 --product P-1");
    HAS("\"cumulative_fen\":496000");
    HAS("\"tier_name\":\"normal\"");
    HAS("\"unit_price_fen\":8000");

    /* March: 5,040.00 completed, less the 80.00 refund: 4,960.00 of net
     * sales, the 2,000.00 bracket: a 100.00 rebate on the closed statement. */
    CTL_OK("clock set '2026-04-01 00:00'");
    CTL_OK("month close 2026-03");
    s_caught_up();
    s_statement("partner:D-1", "2026-03");
    HAS("rebate.monthly");
    HAS("\"amount_fen\":10000");
    HAS("\"closed\":true");
    s_finish(wa, wc);
}

Test(commission, a_centre_pool_is_shared_by_sales_served_and_capped_by_role)
{
    pid_t wa, wc;
    s_start(&wa, &wc);
    CTL_OK("clock set '2026-03-01 08:00'");
    policy_put(&srv, "2026-03", "monthly_caps:\n  supervisor: 500000\n");   /* 5,000.00 */
    CTL_OK("staff add --code S-1 --name 张伟 --branch SH01 --role supervisor");
    CTL_OK("staff add --code S-2 --name 李娜 --branch SH01 --role presale");
    CTL_OK("customer add --code C-1 --name 陈静 --branch SH01");
    CTL_OK("customer add --code C-2 --name 王芳 --branch SH01");
    CTL_OK("account add --code A-CASH --name 现金 --kind paying --branch SH01 --owner-name 公司");
    CTL_OK("account add --code A-EXP --name 费用 --kind internal --branch SH01 --owner-name 公司");
    /* Gross profit 20,000.00 + 5,000.00; expenses 2,000.00, salaries
     * 3,000.00: a profit of exactly 20,000.00 yuan, the 35 % bracket. */
    CTL_OK("order add --code O-1 --customer C-1 --placed '2026-03-02 10:00' "
           "--line P:1:30000.00:10000.00 --channel-type staff --channel staff:S-1 "
           "--service staff:S-1");
    CTL_OK("order add --code O-2 --customer C-2 --placed '2026-03-03 10:00' "
           "--line P:1:10000.00:5000.00 --channel-type staff --channel staff:S-2 "
           "--service staff:S-2");
    s_caught_up();   /* attributed before they complete */
    CTL_OK("order status O-1 completed --at '2026-03-04 10:00'");
    CTL_OK("order status O-2 completed --at '2026-03-05 10:00'");
    CTL_OK("entry add --branch SH01 --time '2026-03-10 10:00' --category expense "
           "--posting A-EXP:2000.00 --posting A-CASH:-2000.00");
    CTL_OK("entry add --branch SH01 --time '2026-03-25 10:00' --category salary "
           "--posting A-EXP:3000.00 --posting A-CASH:-3000.00");
    CTL_OK("clock set '2026-04-01 00:00'");
    CTL_OK("month close 2026-03");
    s_caught_up();

    /* The pool: 35 % of 20,000.00 = 7,000.00; by sales served 30,000 : 10,000
     * = 5,250.00 : 1,750.00; the supervisor's cap cuts S-1 to 5,000.00. */
    client_t *c = client_new(srv.listen, "tester", 5000);
    static char hex[8192];
    uint8_t buf[4096];
    s_payload_hex(c, "pool.month", "SH01@2026-03", hex, sizeof hex);
    size_t n = strlen(hex) / 2;
    for (size_t k = 0; k < n; k++)
        sscanf(hex + 2 * k, "%2hhx", &buf[k]);
    Ledger__PoolMonth *pm = ledger__pool_month__unpack(NULL, n, buf);
    cr_assert(pm, "a pool.month result for SH01");
    cr_assert_eq(pm->gross_profit, 2500000);
    cr_assert_eq(pm->profit, 2000000, "profit %lld", (long long)pm->profit);
    cr_assert_eq(pm->rate, 3500);
    cr_assert_eq(pm->pool, 700000);
    cr_assert_eq(pm->capped, 25000, "capped %lld", (long long)pm->capped);
    ledger__pool_month__free_unpacked(pm, NULL);
    client_destroy(&c);
    s_statement("S-1", "2026-03");
    HAS("pool.share");
    HAS("\"amount_fen\":500000");
    s_statement("S-2", "2026-03");
    HAS("\"amount_fen\":175000");
    CTL_OK("pool --branch SH01 --month 2026-03");
    HAS("35.00%");
    HAS("7000.00");
    HAS("capped     250.00");
    s_finish(wa, wc);
}
