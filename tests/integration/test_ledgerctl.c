/* ledgerctl - the branch client against a real ledgerd: records in and out,
 * --json, and exit codes scripts can trust (0 ok, 1 rejected, 2 usage,
 * 3 unreachable). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "server.h"

static server_t srv;
static char out[65536];

static void setup(void) { server_start(&srv, "--test-clock"); }
static void teardown(void) { server_remove(&srv); }

TestSuite(ledgerctl, .init = setup, .fini = teardown, .timeout = 60);

#define CTL_OK(...) do { int rc_ = ctl(&srv, out, sizeof out, __VA_ARGS__); \
    cr_assert_eq(rc_, 0, "exit %d: %s", rc_, out); } while (0)

Test(ledgerctl, adds_shows_and_lists_the_three_records)
{
    CTL_OK("staff add --code S-1 --name 张伟 --branch SH01 --role presale --role group-leader");
    CTL_OK("customer add --code C-1 --name 陈静 --branch SH01 --phone 13800138001");
    CTL_OK("order add --code O-1 --customer C-1 --placed '2026-03-01 10:00' "
           "--line INK-02:3:99.50:60.00 --handler S-1 --arranger S-1");
    CTL_OK("--json order show O-1");
    cr_assert(strstr(out, "\"amount_fen\":29850"), "amount 3 x 99.50 in fen: %s", out);
    cr_assert(strstr(out, "\"placed\":\"2026-03-01T10:00:00+08:00\""), "local time: %s", out);
    CTL_OK("customer show C-1");
    cr_assert(strstr(out, "13800138001"), "show prints the contact: %s", out);
    CTL_OK("--json customer list");
    cr_assert_null(strstr(out, "13800138001"), "list leaked the contact: %s", out);
    CTL_OK("staff list");
    cr_assert(strstr(out, "张伟") && strstr(out, "presale,group-leader"), "%s", out);
    CTL_OK("order list --customer C-1 --from 2026-03-01 --to 2026-03-01");
    cr_assert(strstr(out, "O-1") && strstr(out, "298.50"), "%s", out);
    CTL_OK("order list --from 2026-03-02");
    cr_assert_null(strstr(out, "O-1"), "date filter: %s", out);
}

Test(ledgerctl, an_amend_bumps_the_version_and_tail_shows_what_changed)
{
    CTL_OK("staff add --code S-1 --name 张伟 --branch SH01");
    CTL_OK("staff amend S-1 --team 售前一组");
    CTL_OK("--json staff show S-1");
    cr_assert(strstr(out, "\"version\":2") && strstr(out, "售前一组"), "%s", out);
    CTL_OK("--json tail --from 0 --kind staff");
    cr_assert(strstr(out, "\"kind\":\"staff.amended\"") && strstr(out, "\"changed\":[\"team\"]"),
              "%s", out);
    cr_assert(strstr(out, "\"actor\":\"tester\""), "the actor is on every event: %s", out);
}

Test(ledgerctl, a_rejected_request_exits_1_naming_code_and_field)
{
    CTL_OK("customer add --code C-1 --name 陈静 --branch SH01");
    int rc = ctl(&srv, out, sizeof out, "order add --customer C-1 --branch SH01 --placed "
                 "'2026-03-01 10:00' --line INK:0:1.00");
    cr_assert_eq(rc, 1, "exit %d: %s", rc, out);
    cr_assert(strstr(out, "OUT_OF_RANGE") && strstr(out, "order.lines[0].qty"), "%s", out);
    rc = ctl(&srv, out, sizeof out, "customer add --code C-1 --name 别人 --branch SH01");
    cr_assert_eq(rc, 1, "exit %d: %s", rc, out);
    cr_assert(strstr(out, "DUPLICATE") && strstr(out, "customer.code"), "%s", out);
}

Test(ledgerctl, usage_errors_exit_2_and_name_the_option)
{
    int rc = ctl(&srv, out, sizeof out, "staff add --name 张伟");
    cr_assert_eq(rc, 2, "exit %d: %s", rc, out);
    cr_assert(strstr(out, "--branch"), "%s", out);
    rc = ctl(&srv, out, sizeof out, "order add --customer C-1 --placed '2026-03-01 10:00' "
             "--line INK:1:1.234");
    cr_assert_eq(rc, 2, "three decimals: exit %d: %s", rc, out);
    rc = ctl(&srv, out, sizeof out, "frobnicate");
    cr_assert_eq(rc, 2, "exit %d: %s", rc, out);
    rc = ctl(&srv, out, sizeof out, "--help");
    cr_assert_eq(rc, 0);
    cr_assert(strstr(out, "staff") && strstr(out, "order"), "%s", out);
}

Test(ledgerctl, an_unreachable_ledgerd_exits_3_in_time)
{
    server_stop(&srv);
    int rc = ctl(&srv, out, sizeof out, "--timeout 300 status");
    cr_assert_eq(rc, 3, "exit %d: %s", rc, out);
    cr_assert(strstr(out, "no reply"), "%s", out);
}

Test(ledgerctl, the_same_idempotency_key_adds_once)
{
    CTL_OK("--idempotency-key add-1 customer add --name 陈静 --branch SH01");
    CTL_OK("--idempotency-key add-1 customer add --name 陈静 --branch SH01");
    CTL_OK("--json customer list");
    cr_assert(strstr(out, "C-00001"), "%s", out);
    cr_assert_null(strstr(out, "C-00002"), "a retry added a second customer: %s", out);
    int rc = ctl(&srv, out, sizeof out, "--idempotency-key add-1 customer add --name 别人 "
                 "--branch SH01");
    cr_assert_eq(rc, 1, "exit %d: %s", rc, out);
    cr_assert(strstr(out, "IDEMPOTENCY_MISMATCH"), "%s", out);
}

#include <stdio.h>

/* s_write - a file in the server's temp dir; returns its path */
static const char *s_write(const char *name, const char *text)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", srv.dir, name);
    FILE *f = fopen(path, "w");
    cr_assert(f, "cannot write %s", path);
    fputs(text, f);
    fclose(f);
    return path;
}

Test(ledgerctl, policy_set_checks_the_file_and_show_answers_the_month_in_force)
{
    const char *good = s_write("march.yaml", "# March: higher seller rate\n"
                               "seller_rate: 2200\n"
                               "role_rates:\n"
                               "  channel: 300\n");
    CTL_OK("policy set --month 2026-03 %s", good);
    cr_assert(strstr(out, "2026-03 version 1"), "%s", out);

    const char *bad = s_write("april.yaml", "seller_rate: 2000\n"
                              "role_rates:\n"
                              "  channel: -5\n");
    int rc = ctl(&srv, out, sizeof out, "policy set --month 2026-04 %s", bad);
    cr_assert_eq(rc, 2, "exit %d: %s", rc, out);
    cr_assert(strstr(out, "april.yaml:3") && strstr(out, "role_rates.channel") &&
              strstr(out, "got -5"), "%s", out);
    const char *json = s_write("april.json", "{\"role_rates\": {\"chanel\": 5}}");
    rc = ctl(&srv, out, sizeof out, "policy set --month 2026-04 %s", json);
    cr_assert_eq(rc, 2, "exit %d: %s", rc, out);
    cr_assert(strstr(out, "role_rates.chanel") && strstr(out, "unknown key"), "%s", out);
    rc = ctl(&srv, out, sizeof out, "policy set --month 2026-13 %s", good);
    cr_assert_eq(rc, 2, "exit %d: %s", rc, out);
    cr_assert(strstr(out, "--month"), "%s", out);

    CTL_OK("policy show --month 2026-05");
    cr_assert(strstr(out, "version 1 of 2026-03") && strstr(out, "seller_rate: 2200") &&
              strstr(out, "channel: 300") && strstr(out, "inviter_rate: 500"), "%s", out);
    CTL_OK("policy show --month 2026-03 --json");
    cr_assert(strstr(out, "\"effective_month\":\"2026-03\"") &&
              strstr(out, "\"seller_rate\":2200") && strstr(out, "\"actor\":\"tester\""),
              "%s", out);
    CTL_OK("policy show --month 2026-03 --text");
    cr_assert(strstr(out, "# March: higher seller rate"), "the file as given: %s", out);
    CTL_OK("policy show --month 2026-02");
    cr_assert(strstr(out, "built-in default") && strstr(out, "seller_rate: 2000"), "%s", out);
    CTL_OK("--json tail --from 0 --kind policy");
    cr_assert(strstr(out, "policy.set"), "%s", out);

    CTL_OK("policy default");
    const char *copy = s_write("default.yaml", out);
    CTL_OK("policy set --month 2026-06 %s", copy);
    CTL_OK("policy show --month 2026-06 --json");
    cr_assert(strstr(out, "\"seller_rate\":2000"), "the default file sets the default: %s", out);
}

Test(ledgerctl, tail_follow_prints_new_events_of_its_kinds_as_they_come)
{
    CTL_OK("staff add --code S-1 --name 张伟 --branch SH01");
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "timeout --preserve-status -s INT 3 %s --endpoint %s --events %s tail --follow "
             "--kind customer 2>&1", LEDGERCTL_BIN, srv.listen, srv.publish);
    FILE *p = popen(cmd, "r");   /* reading waits for tail to end: start the writes first */
    cr_assert(p);
    usleep(500 * 1000);
    CTL_OK("customer add --code C-1 --name 陈静 --branch SH01");
    CTL_OK("customer add --code C-2 --name 李娜 --branch SH01");
    size_t len = fread(out, 1, sizeof out - 1, p);
    out[len] = 0;
    cr_assert_eq(WEXITSTATUS(pclose(p)), 0, "SIGINT ends tail --follow cleanly: %s", out);
    cr_assert(strstr(out, "C-1") && strstr(out, "C-2"), "%s", out);
    cr_assert_null(strstr(out, "S-1"), "not of its kinds: %s", out);
    char *first = strstr(out, "customer.created");
    cr_assert(first && !strstr(strstr(first, "C-2") + 3, "C-2"), "each event once: %s", out);
}
