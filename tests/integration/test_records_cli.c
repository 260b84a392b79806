/* records_cli - ledgerctl for the kinds of record.proto against a real
 * ledgerd: every kind added and shown, supply sources on order lines,
 * double entry with reversals and approvals, order status times, --json
 * that parses, and usage errors that exit 2 naming the option. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include "server.h"

static server_t srv;
static char out[65536];

static void setup(void) { server_start(&srv, "--test-clock"); }
static void teardown(void) { server_remove(&srv); }

TestSuite(records_cli, .init = setup, .fini = teardown, .timeout = 120);

#define CTL_OK(...) do { int rc_ = ctl(&srv, out, sizeof out, __VA_ARGS__); \
    cr_assert_eq(rc_, 0, "exit %d: %s", rc_, out); } while (0)
#define CTL_RC(want, ...) do { int rc_ = ctl(&srv, out, sizeof out, __VA_ARGS__); \
    cr_assert_eq(rc_, want, "got exit %d, want %d: %s", rc_, want, out); } while (0)

/* json_parses - ledgerctl's stdout alone (every line) through python3's json */
static int json_parses(const char *args)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "%s --endpoint %s --events %s --actor tester --timeout 3000 %s "
             "| python3 -c 'import json,sys; [json.loads(l) for l in sys.stdin if l.strip()]' "
             ">/dev/null 2>&1", LEDGERCTL_BIN, srv.listen, srv.publish, args);
    int status = system(cmd);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* s_base - a clock, staff, a customer, an order, two accounts */
static void s_base(void)
{
    CTL_OK("clock set '2026-03-05 09:00'");
    CTL_OK("staff add --code S-1 --name 张伟 --branch SH01 --role supervisor");
    CTL_OK("customer add --code C-1 --name 陈静 --branch SH01");
    CTL_OK("order add --code O-1 --customer C-1 --placed '2026-03-01 10:00' --line INK:1:50");
    CTL_OK("account add --code A-1 --name 微信收款 --kind receiving --branch SH01 "
           "--owner-name 张伟 --opened 2026-01-01");
    CTL_OK("account add --code A-2 --name 销售收入 --kind internal --branch SH01 "
           "--owner-name 公司");
}

Test(records_cli, adds_and_shows_every_kind)
{
    s_base();
    CTL_OK("partner add --code P-1 --name 李娜 --kind referrer --branch SH01 --customer C-1");
    CTL_OK("product add --code G-1 --name 墨盒 --purchase-price 10 --channel-price 30");
    CTL_OK("source add --code H-1 --product G-1 --kind resale --unit-cost 8.5");
    CTL_OK("payment add --code PAY-1 --order O-1 --amount 50 --paid '2026-03-02 11:00' "
           "--account A-1 --method wechat");
    CTL_OK("shipment add --code SHP-1 --order O-1 --shipped '2026-03-02 15:00' --carrier SF");
    CTL_OK("refund add --code RF-1 --order O-1 --amount 5 --requested '2026-03-03 10:00' "
           "--reason 破损");
    CTL_OK("entry add --code E-1 --branch SH01 --time '2026-03-02 11:00' --category sale "
           "--posting A-1:50 --posting A-2:-50");
    CTL_OK("service add --code V-1 --kind complaint --customer C-1 --time '2026-03-03 10:00' "
           "--severity major");
    CTL_OK("post add --code W-1 --wechat-account wx01 --time '2026-03-03 20:00' "
           "--kind promotion --broadcast");
    CTL_OK("work add --code K-1 --kind script-training --date 2026-03-07 --branch SH01 "
           "--staff S-1 --attendee S-1");
    static const struct { const char *show, *want; } cases[] = {
        { "partner show P-1", "referrer" },
        { "product show G-1", "30.00" },
        { "source show H-1", "entered" },
        { "payment show PAY-1", "2026-03-02 11:00:00" },
        { "shipment show SHP-1", "SF" },
        { "refund show RF-1", "破损" },
        { "account show A-1", "receiving" },
        { "entry show E-1", "amount=-50.00" },
        { "service show V-1", "major" },
        { "post show W-1", "broadcast" },
        { "work show K-1", "script-training" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        CTL_OK("%s", cases[i].show);
        cr_assert(strstr(out, cases[i].want), "%s: want %s in %s", cases[i].show,
                  cases[i].want, out);
    }
    CTL_OK("--json post show W-1");
    cr_assert(strstr(out, "\"broadcast\":true") && strstr(out, "\"kind\":\"promotion\"") &&
              strstr(out, "\"time\":\"2026-03-03T20:00:00+08:00\""), "%s", out);
    CTL_OK("--json product show G-1");
    cr_assert(strstr(out, "\"channel_price_fen\":3000"), "money in fen: %s", out);
    cr_assert(json_parses("--json work show K-1"));
    cr_assert(json_parses("--json entry list --all"));
    cr_assert(json_parses("--json tail --from 1"));
    CTL_OK("--json tail --from 1 --kind work");
    cr_assert(strstr(out, "\"work\":{") && strstr(out, "\"attendee_codes\":[\"S-1\"]"),
              "the body of a new kind: %s", out);
    CTL_OK("tail --from 1 --kind post");
    cr_assert(strstr(out, "post.created") && strstr(out, "W-1"), "%s", out);
}

Test(records_cli, a_seller_has_an_inviter)
{
    CTL_OK("partner add --code P-1 --name 李娜 --kind seller --branch SH01");
    CTL_OK("partner add --code P-2 --name 王芳 --kind seller --branch SH01 --inviter P-1");
    CTL_OK("--json partner show P-2");
    cr_assert(strstr(out, "\"inviter_code\":\"P-1\"") && strstr(out, "\"kind\":\"seller\"") &&
              strstr(out, "\"active\":true"), "%s", out);
    CTL_OK("partner list --branch SH01");
    cr_assert(strstr(out, "INVITER") && strstr(out, "P-2") && strstr(out, "P-1"), "%s", out);
    CTL_OK("partner amend P-2 --no-active");
    CTL_OK("--json partner show P-2");
    cr_assert(strstr(out, "\"active\":false") && strstr(out, "\"version\":2"), "%s", out);
}

Test(records_cli, a_verified_source_costs_an_order_line)
{
    s_base();
    CTL_OK("product add --code G-1 --name 墨盒");
    CTL_OK("source add --code H-1 --product G-1 --kind self-made --unit-cost 12.50 "
           "--owner S-1");
    CTL_RC(1, "order add --customer C-1 --placed '2026-03-01 10:00' --line G-1:3:99.50@H-1");
    cr_assert(strstr(out, "lines[0].source"), "an unverified source: %s", out);
    CTL_OK("source verify H-1");
    CTL_OK("source list");
    cr_assert(strstr(out, "verified") && strstr(out, "12.50"), "%s", out);
    CTL_OK("order add --code O-2 --customer C-1 --placed '2026-03-01 10:00' "
           "--line G-1:3:99.50@H-1 --price-approver S-1");
    CTL_OK("--json order show O-2");
    cr_assert(strstr(out, "\"cost_fen\":3750") && strstr(out, "\"source\":\"H-1\""),
              "cost = 3 x 12.50: %s", out);
    cr_assert(strstr(out, "\"price_approver\":{\"kind\":\"staff\",\"code\":\"S-1\""), "%s", out);
    CTL_OK("source reject H-1");
    CTL_OK("--json source show H-1");
    cr_assert(strstr(out, "\"state\":\"rejected\""), "%s", out);
}

Test(records_cli, payments_are_listed_by_order)
{
    s_base();
    CTL_OK("order add --code O-2 --customer C-1 --placed '2026-03-01 11:00' --line INK:1:20");
    CTL_OK("payment add --order O-1 --amount 50 --paid '2026-03-02 11:00' --account A-1");
    CTL_OK("payment add --order O-2 --amount 20 --paid '2026-03-02 12:00'");
    CTL_OK("payment list --order O-1");
    cr_assert(strstr(out, "PAY-00001") && strstr(out, "50.00"), "%s", out);
    cr_assert_null(strstr(out, "PAY-00002"), "the other order's: %s", out);
    CTL_OK("--json payment list --customer C-1");
    cr_assert(strstr(out, "PAY-00001") && strstr(out, "PAY-00002") &&
              strstr(out, "\"amount_fen\":2000"), "%s", out);
    cr_assert(json_parses("--json payment list --order O-2"));
}

Test(records_cli, entries_balance_reverse_once_and_collect_approvals)
{
    s_base();
    CTL_RC(1, "entry add --branch SH01 --time '2026-03-02 11:00' --category sale "
              "--posting A-1:50 --posting A-2:-49.99");
    cr_assert(strstr(out, "INVALID") && strstr(out, "entry.postings"), "%s", out);
    CTL_OK("entry add --code E-1 --branch SH01 --time '2026-03-02 11:00' --category expense "
           "--posting A-1:-50 --posting A-2:50 --description 房租");
    CTL_OK("entry reverse E-1 --at '2026-03-03 10:00'");
    cr_assert(strstr(out, "E-00002"), "%s", out);
    CTL_OK("--json entry show E-00002");
    cr_assert(strstr(out, "\"reverses_code\":\"E-1\"") &&
              strstr(out, "{\"account_code\":\"A-1\",\"account_id\":1,\"amount_fen\":5000}") &&
              strstr(out, "{\"account_code\":\"A-2\",\"account_id\":2,\"amount_fen\":-5000}") &&
              strstr(out, "\"category\":\"expense\""), "negated postings: %s", out);
    CTL_RC(1, "entry reverse E-1");
    cr_assert(strstr(out, "DUPLICATE") && strstr(out, "reverses_code"), "%s", out);
    CTL_OK("entry approve E-1 --step request --by S-1 --at '2026-03-02 09:00'");
    CTL_OK("entry approve E-1 --step decision --by S-1 --at '2026-03-02 10:00'");
    CTL_OK("entry notify E-1 --to S-1 --at '2026-03-02 10:30'");
    CTL_OK("--json entry show E-1");
    cr_assert(strstr(out, "\"decision\":{\"staff_code\":\"S-1\",\"staff_id\":1,"
                          "\"time_ms\":1772416800000,\"time\":\"2026-03-02T10:00:00+08:00\","
                          "\"approved\":true}"), "%s", out);
    cr_assert(strstr(out, "\"notices\":[{\"staff_code\":\"S-1\"") &&
              strstr(out, "\"version\":4"), "%s", out);
    CTL_OK("entry show E-1");
    cr_assert(strstr(out, "decision") && strstr(out, "approved=yes"), "%s", out);
    CTL_OK("entry list");
    cr_assert(strstr(out, "E-1") && strstr(out, "E-00002") && strstr(out, "reversal of E-1"),
              "%s", out);
}

Test(records_cli, order_status_records_its_time)
{
    s_base();
    CTL_OK("order status O-1 paid --at '2026-03-02 11:00'");
    CTL_OK("order status O-1 completed --at '2026-03-04 12:00'");
    CTL_OK("--json order show O-1");
    cr_assert(strstr(out, "\"status\":\"completed\"") &&
              strstr(out, "\"completed\":\"2026-03-04T12:00:00+08:00\"") &&
              strstr(out, "\"paid\":\"2026-03-02T11:00:00+08:00\""), "%s", out);
    CTL_OK("order add --code O-3 --customer C-1 --placed '2026-03-01 10:00' --line INK:1:5");
    CTL_OK("order status O-3 cancelled --at '2026-03-02 08:00' --reason 客户取消");
    CTL_OK("order show O-3");
    cr_assert(strstr(out, "cancelled") && strstr(out, "客户取消"), "%s", out);
}

Test(records_cli, usage_errors_exit_2_and_name_the_option)
{
    static const struct { const char *args, *names; } cases[] = {
        { "partner add --name x --kind boss --branch SH01", "--kind" },
        { "payment add --order O-1 --amount 1.234", "--amount" },
        { "payment add --order O-1 --paid yesterday", "--paid" },
        { "entry add --posting A-1", "--posting" },
        { "partner add --inviter", "--inviter" },
        { "refund list --branch SH01", "--branch" },
        { "entry approve E-1 --step vote --by S-1 --at 2026-03-01", "--step" },
        { "entry approve E-1 --step decision --by S-1", "--at" },
        { "order status O-1 shipped", "--at" },
        { "order status O-1 paid --at 2026-03-01 --reason x", "--reason" },
        { "order add --customer C-1 --placed 2026-03-01 --line G:1:2:3@H", "--line" },
        { "source verify", "CODE" },
        { "work frob", "frob" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = ctl(&srv, out, sizeof out, "%s", cases[i].args);
        cr_assert_eq(rc, 2, "%s: got exit %d, want 2: %s", cases[i].args, rc, out);
        cr_assert(strstr(out, cases[i].names), "%s: want %s named in %s", cases[i].args,
                  cases[i].names, out);
    }
    CTL_OK("entry --help");
    cr_assert(strstr(out, "reverse") && strstr(out, "approve") && strstr(out, "notify"), "%s",
              out);
    CTL_OK("entry add --help");
    cr_assert(strstr(out, "--posting ACCOUNT:YUAN") && strstr(out, "--category CATEGORY"), "%s",
              out);
    CTL_OK("post add --help");
    cr_assert(strstr(out, "--broadcast") && strstr(out, "--no-broadcast"), "%s", out);
}
