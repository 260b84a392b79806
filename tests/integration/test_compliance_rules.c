/* test_compliance_rules - ledger-compliance as it runs on a --test-clock
 * ledgerd: each rule of orders, prices, finance and service once broken and
 * once just kept, at its edges (a deadline's last minute, a missing record
 * once ledger time passes the deadline and a quiet day, an account on its
 * 90th day), a finding withdrawn when records entered later show the rule
 * kept, and the fines a month's policy names for the agent and each active
 * supervisor of the branch. Records go in with ledgerctl; the findings are
 * read back with `ledgerctl --json findings --status all`. The posts, work
 * and training rules are test_period's and the demo's. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include "commission.pb-c.h"
#include "server.h"

static server_t srv;
static pid_t worker;                 /* ledger-compliance; 0 once stopped */
static char wlog[512];               /* its stderr */
static char out[1 << 18];
static json_t *listed;               /* the last findings list */

/* s_setup - a --test-clock ledgerd with ledger-compliance following it */
static void s_setup(void)
{
    server_start(&srv, "--test-clock");
    snprintf(wlog, sizeof wlog, "%s/compliance.log", srv.dir);
    worker = worker_start(&srv, "compliance", "", wlog);
}

/* s_teardown - what a failed test left running goes too */
static void s_teardown(void)
{
    if (worker > 0)
        proc_stop(worker);
    json_decref(listed);
    server_remove(&srv);
}

TestSuite(compliance_rules, .init = s_setup, .fini = s_teardown, .timeout = 600);

#define CTL_OK(...) do { int rc_ = ctl(&srv, out, sizeof out, __VA_ARGS__); \
    cr_assert_eq(rc_, 0, "exit %d: %s", rc_, out); } while (0)

/* s_log_tail - the end of the worker's log, for a failure message */
static const char *s_log_tail(void)
{
    static char tail[2048];
    tail[0] = 0;
    FILE *f = fopen(wlog, "r");
    if (!f)
        return "(no log)";
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, size > (long)sizeof tail - 1 ? size - (long)sizeof tail + 1 : 0, SEEK_SET);
    size_t n = fread(tail, 1, sizeof tail - 1, f);
    tail[n] = 0;
    fclose(f);
    return tail;
}

/* s_wait - ledger-compliance has read the whole log (180 s at most); a
 * worker that exited fails the test at once, with its log */
static void s_wait(void)
{
    for (int i = 0; i < 36; i++) {
        if (ctl(&srv, out, sizeof out, "cursor wait compliance:0/1 --within 5") == 0)
            return;
        int status;
        if (proc_exited(worker, &status)) {
            worker = 0;
            cr_assert_fail("ledger-compliance exited (status %d); its log ends:\n%s", status,
                           s_log_tail());
        }
    }
    cr_assert_fail("compliance:0/1 did not catch up within 180 s: %s", out);
}

/* s_caught_up - the worker has read the log, and what its own results caused */
static void s_caught_up(void)
{
    s_wait();
    s_wait();   /* its results come after; once more, for what those caused */
}

/* s_finish - the worker stops cleanly on SIGTERM */
static void s_finish(void)
{
    int rc = proc_stop(worker);
    worker = 0;
    cr_assert_eq(rc, 0, "ledger-compliance stops cleanly (status %d); its log ends:\n%s", rc,
                 s_log_tail());
}

/* s_finding - the finding with this id, or NULL; owned by the list, which
 * the next call replaces. A finding is one result, under its id: its next
 * version replaces it, never lists beside it. */
static json_t *s_finding(const char *id)
{
    json_error_t jerr;
    json_decref(listed);
    listed = NULL;
    CTL_OK("--json findings --status all");
    listed = json_loads(out, 0, &jerr);
    cr_assert(json_is_array(listed), "findings --json: not an array (%s): %s", jerr.text, out);
    json_t *found = NULL;
    int n = 0;
    for (size_t i = 0; i < json_array_size(listed); i++) {
        json_t *f = json_array_get(listed, i);
        if (!strcmp(json_string_value(json_object_get(f, "id")), id)) {
            found = found ? found : f;
            n++;
        }
    }
    cr_assert_leq(n, 1, "%s: listed %d times, want once: %s", id, n, out);
    return found;
}

/* s_str - a string member of a finding ("" when absent) */
static const char *s_str(json_t *f, const char *key)
{
    const char *s = json_string_value(json_object_get(f, key));
    return s ? s : "";
}

/* s_status - the finding's status, or "none" when there is no such finding */
static const char *s_status(const char *id)
{
    json_t *f = s_finding(id);
    return f ? s_str(f, "status") : "none";
}

#define STATUS_IS(id, want) do { const char *got_ = s_status(id); \
    cr_assert_str_eq(got_, want, "%s: got %s, want %s", id, got_, want); } while (0)

/* REASON_HAS - the open finding's reason names this one defect, alone */
#define REASON_HAS(id, text) do { json_t *f_ = s_finding(id); \
    cr_assert(f_, "%s: no finding, want one for %s", id, text); \
    cr_assert_str_eq(s_str(f_, "status"), "open", "%s: %s", id, s_str(f_, "reason")); \
    cr_assert(strstr(s_str(f_, "reason"), text) && !strchr(s_str(f_, "reason"), ';'), \
              "%s: reason \"%s\", want \"%s\" alone", id, s_str(f_, "reason"), text); \
} while (0)

/* s_withdrawn - withdrawn by the worker itself, in the list and as
 * `finding show` reads it by its id */
static void s_withdrawn(const char *id)
{
    json_t *f = s_finding(id);
    cr_assert(f, "%s: no finding", id);
    cr_assert_str_eq(s_str(f, "status"), "withdrawn", "%s: got %s, want withdrawn (%s)", id,
                     s_str(f, "status"), s_str(f, "reason"));
    cr_assert_str_eq(s_str(f, "status_by"), "ledger-compliance", "%s", id);
    CTL_OK("--json finding show %s", id);
    json_t *shown = json_loads(out, 0, NULL);
    cr_assert(shown, "finding show %s: not JSON: %s", id, out);
    char status[32];
    snprintf(status, sizeof status, "%s", s_str(shown, "status"));
    json_decref(shown);
    cr_assert_str_eq(status, "withdrawn", "finding show %s: got %s, want withdrawn", id, status);
}

/* s_same_roles - two comma-separated role lists hold the same roles */
static int s_same_roles(const char *a, const char *b)
{
    char x[128], y[128];
    snprintf(x, sizeof x, ",%s,", a);
    snprintf(y, sizeof y, ",%s,", b);
    for (int pass = 0; pass < 2; pass++) {
        const char *from = pass ? y : x, *in = pass ? x : y;
        for (const char *p = from + 1; *p; p = strchr(p, ',') + 1) {
            char role[130];
            size_t len = strcspn(p, ",");
            snprintf(role, sizeof role, ",%.*s,", (int)len, p);
            if (!strstr(in, role))
                return 0;
        }
    }
    return 1;
}

/* s_staff_fine - the finding's fine of person: its amount, *roles set;
 * 1 when there is one */
static int s_staff_fine(json_t *f, const char *person, json_int_t *amount, const char **roles)
{
    json_t *fines = json_object_get(f, "fines");
    for (size_t i = 0; i < json_array_size(fines); i++) {
        json_t *x = json_array_get(fines, i);
        json_t *p = json_object_get(x, "person");
        if (!strcmp(s_str(p, "code"), person)) {
            cr_assert_str_eq(s_str(p, "kind"), "staff", "%s: a fine of staff", person);
            *amount = json_integer_value(json_object_get(x, "amount_fen"));
            *roles = s_str(x, "roles");
            return 1;
        }
    }
    return 0;
}

/* s_fine_line - the last compliance.fine result under key: its amount,
 * or 1 when there is none (a fine is never positive) */
static int64_t s_fine_line(const char *key)
{
    static char log[1 << 20];
    int rc = ctl(&srv, log, sizeof log, "--json tail --kind compliance.fine --from 1");
    cr_assert_eq(rc, 0, "%s", log);
    int64_t amount = 1;
    for (char *line = strtok(log, "\n"); line; line = strtok(NULL, "\n")) {
        json_t *e = json_loads(line, 0, NULL);
        json_t *r = e ? json_object_get(e, "result") : NULL;
        cr_assert(r, "a compliance.fine event with a result: %s", line);
        if (!strcmp(s_str(r, "key"), key)) {
            const char *hex = s_str(r, "payload_hex");
            size_t n = strlen(hex) / 2;
            uint8_t buf[1024];
            cr_assert_leq(n, sizeof buf);
            for (size_t i = 0; i < n; i++)
                sscanf(hex + 2 * i, "%2hhx", &buf[i]);
            Ledger__FineLine *fl = ledger__fine_line__unpack(NULL, n, buf);
            cr_assert(fl, "%s: a FineLine", key);
            amount = fl->amount;
            ledger__fine_line__free_unpacked(fl, NULL);
        }
        json_decref(e);
    }
    return amount;
}

/* s_people - staff S-1 (presale) and S-2 (aftersale) of SH01, customer C-1 */
static void s_people(void)
{
    CTL_OK("staff add --code S-1 --name 张伟 --branch SH01 --role presale");
    CTL_OK("staff add --code S-2 --name 李娜 --branch SH01 --role aftersale");
    CTL_OK("customer add --code C-1 --name 陈静 --branch SH01");
}

/* s_service - a service record of C-1 by S-1 */
static void s_service(const char *code, const char *kind, const char *time, const char *more)
{
    CTL_OK("service add --code %s --kind %s --customer C-1 --staff S-1 --time '%s' %s", code,
           kind, time, more);
}

Test(compliance_rules, a_first_response_is_kept_up_to_24_hours_and_broken_a_minute_after)
{
    CTL_OK("clock set '2026-03-02 08:00'");
    s_people();
    /* Three issues at 10:00, answered 23 h 59 min, 24 h 1 min and exactly 24 h later. */
    s_service("I-1", "issue", "2026-03-02 10:00", "");
    s_service("R-1", "response", "2026-03-03 09:59", "--about I-1");
    s_service("I-2", "issue", "2026-03-02 10:00", "");
    s_service("R-2", "response", "2026-03-03 10:01", "--about I-2");
    s_service("I-3", "issue", "2026-03-02 10:00", "");
    s_service("R-3", "response", "2026-03-03 10:00", "--about I-3");
    s_caught_up();
    STATUS_IS("service.first_response/I-1", "none");
    STATUS_IS("service.first_response/I-3", "none");
    json_t *f = s_finding("service.first_response/I-2");
    cr_assert(f, "a response 24 h 1 min after the issue breaks the rule");
    cr_assert_str_eq(s_str(f, "status"), "open");
    cr_assert_str_eq(s_str(f, "rule"), "service.first_response");
    cr_assert_str_eq(s_str(f, "subject_kind"), "service");
    cr_assert_str_eq(s_str(f, "subject"), "I-2");
    cr_assert_str_eq(s_str(f, "branch"), "SH01", "the staff member's branch");
    cr_assert_str_eq(s_str(f, "month"), "2026-03");
    cr_assert_str_eq(s_str(json_object_get(f, "agent"), "code"), "S-1");
    cr_assert_eq(json_array_size(json_object_get(f, "fines")), 0, "the default policy fines none");

    /* Answered in time stays kept: no "missing" finding once time passes. */
    CTL_OK("clock set '2026-03-10 00:00'");
    s_caught_up();
    STATUS_IS("service.first_response/I-1", "none");
    STATUS_IS("service.first_response/I-3", "none");
    STATUS_IS("service.first_response/I-2", "open");
    s_finish();
}

Test(compliance_rules, a_missing_first_response_waits_for_the_deadline_and_a_quiet_day)
{
    CTL_OK("clock set '2026-03-02 08:00'");
    s_people();
    /* Recorded at 08:00 (quiet day until 03-03 08:00), due 03-03 12:00: the
     * deadline is the later. */
    s_service("I-1", "issue", "2026-03-02 12:00", "");
    s_caught_up();
    STATUS_IS("service.first_response/I-1", "none");
    CTL_OK("clock set '2026-03-03 11:00'");   /* the quiet day passed, the deadline not */
    s_caught_up();
    STATUS_IS("service.first_response/I-1", "none");
    CTL_OK("clock set '2026-03-03 12:00'");   /* exactly at the deadline */
    s_caught_up();
    STATUS_IS("service.first_response/I-1", "none");
    CTL_OK("clock set '2026-03-03 12:01'");
    s_caught_up();
    STATUS_IS("service.first_response/I-1", "open");

    /* Back-filled: due 03-02 09:00, long passed, but recorded 03-03 12:01:
     * the quiet day is the later. */
    s_service("I-2", "issue", "2026-03-01 09:00", "");
    s_caught_up();
    STATUS_IS("service.first_response/I-2", "none");
    CTL_OK("clock set '2026-03-04 12:00'");
    s_caught_up();
    STATUS_IS("service.first_response/I-2", "none");
    CTL_OK("clock set '2026-03-04 12:01'");   /* exactly a day after it was recorded */
    s_caught_up();
    STATUS_IS("service.first_response/I-2", "open");

    /* A response made in time, entered late, withdraws the finding. */
    s_service("R-2", "response", "2026-03-02 08:59", "--about I-2");
    s_caught_up();
    s_withdrawn("service.first_response/I-2");
    STATUS_IS("service.first_response/I-1", "open");
    s_finish();
}

Test(compliance_rules, a_complaint_is_closed_and_the_customer_told_within_168_hours)
{
    CTL_OK("clock set '2026-03-02 08:00'");
    s_people();
    /* 2026-03-02 10:00 + 168 h = 2026-03-09 10:00. */
    s_service("K-1", "complaint", "2026-03-02 10:00", "--severity normal");
    s_service("K-1C", "complaint-closed", "2026-03-09 09:59", "--about K-1");
    s_service("K-1T", "customer-told", "2026-03-09 09:59", "--about K-1");
    s_service("K-2", "complaint", "2026-03-02 10:00", "--severity normal");
    s_service("K-2C", "complaint-closed", "2026-03-09 09:00", "--about K-2");
    s_service("K-2T", "customer-told", "2026-03-09 10:01", "--about K-2");
    s_service("K-3", "complaint", "2026-03-02 10:00", "--severity normal");
    s_service("K-3C", "complaint-closed", "2026-03-09 10:00", "--about K-3");
    s_service("K-3T", "customer-told", "2026-03-09 10:00", "--about K-3");
    s_caught_up();
    STATUS_IS("service.complaint_followup/K-1", "none");
    STATUS_IS("service.complaint_followup/K-2", "open");
    STATUS_IS("service.complaint_followup/K-3", "none");

    /* Closed but the customer never told: a finding once time allows. */
    s_service("K-4", "complaint", "2026-03-02 10:00", "--severity normal");
    s_service("K-4C", "complaint-closed", "2026-03-03 10:00", "--about K-4");
    s_caught_up();
    CTL_OK("clock set '2026-03-09 10:00'");
    s_caught_up();
    STATUS_IS("service.complaint_followup/K-4", "none");
    CTL_OK("clock set '2026-03-09 10:01'");
    s_caught_up();
    STATUS_IS("service.complaint_followup/K-1", "none");
    STATUS_IS("service.complaint_followup/K-3", "none");
    STATUS_IS("service.complaint_followup/K-4", "open");
    for (int k = 1; k <= 4; k++) {   /* normal complaints: no report needed */
        char id[64];
        snprintf(id, sizeof id, "service.major_complaint/K-%d", k);
        STATUS_IS(id, "none");
    }
    s_finish();
}

Test(compliance_rules, a_major_complaint_is_reported_within_an_hour)
{
    CTL_OK("clock set '2026-03-02 10:00'");
    s_people();
    s_service("K-1", "complaint", "2026-03-02 10:00", "--severity major");
    s_service("P-1", "reported", "2026-03-02 11:00", "--about K-1");   /* exactly 1 h */
    s_service("K-2", "complaint", "2026-03-02 10:00", "--severity major");
    s_service("P-2", "reported", "2026-03-02 11:01", "--about K-2");
    s_service("K-3", "complaint", "2026-03-02 10:00", "--severity major");   /* never reported */
    s_caught_up();
    STATUS_IS("service.major_complaint/K-1", "none");
    json_t *f = s_finding("service.major_complaint/K-2");
    cr_assert(f, "reported 1 h 1 min after: a finding");
    cr_assert_str_eq(s_str(f, "status"), "open");
    cr_assert_str_eq(s_str(f, "severity"), "high");
    STATUS_IS("service.major_complaint/K-3", "none");

    /* K-3: due 11:00, but recorded 10:00: the quiet day ends 03-03 10:00. */
    CTL_OK("clock set '2026-03-03 09:59'");
    s_caught_up();
    STATUS_IS("service.major_complaint/K-3", "none");
    CTL_OK("clock set '2026-03-03 10:00'");
    s_caught_up();
    STATUS_IS("service.major_complaint/K-3", "open");
    STATUS_IS("service.major_complaint/K-1", "none");
    s_finish();
}

Test(compliance_rules, a_member_is_called_back_within_72_hours_of_each_completed_order)
{
    CTL_OK("clock set '2026-03-02 10:00'");
    s_people();
    CTL_OK("customer add --code C-M1 --name 王芳 --branch SH01 --member");
    CTL_OK("customer add --code C-M2 --name 刘洋 --branch SH01 --member");
    CTL_OK("customer add --code C-N --name 赵磊 --branch SH01 --no-member");
    static const char *const orders[][2] = {
        { "O-1", "C-M1" }, { "O-2", "C-M1" }, { "O-3", "C-N" }, { "O-4", "C-M2" } };
    for (int i = 0; i < 4; i++) {
        CTL_OK("order add --code %s --customer %s --placed '2026-03-01 10:00' "
               "--line P:1:100.00:50.00 --handler S-1 --arranger S-2", orders[i][0],
               orders[i][1]);
        CTL_OK("order status %s completed --at '2026-03-02 10:00'", orders[i][0]);
    }
    /* Completed 03-02 10:00: called back by 03-05 10:00. */
    CTL_OK("service add --code CB-1 --kind callback --customer C-M1 --staff S-2 --order O-1 "
           "--time '2026-03-05 09:59' --result 满意");
    CTL_OK("service add --code CB-2 --kind callback --customer C-M1 --staff S-2 --order O-2 "
           "--time '2026-03-05 10:01' --result 满意");
    s_caught_up();
    STATUS_IS("service.member_callback/O-1", "none");
    json_t *f = s_finding("service.member_callback/O-2");
    cr_assert(f, "called back 72 h 1 min after: a finding");
    cr_assert_str_eq(s_str(f, "status"), "open");
    cr_assert_str_eq(s_str(f, "subject_kind"), "order");
    cr_assert_str_eq(s_str(json_object_get(f, "agent"), "code"), "S-1", "the order's handler");
    STATUS_IS("service.member_callback/O-4", "none");

    /* O-4: no callback; recorded 03-02 10:00, so the deadline is the later. */
    CTL_OK("clock set '2026-03-05 10:00'");
    s_caught_up();
    STATUS_IS("service.member_callback/O-4", "none");
    CTL_OK("clock set '2026-03-05 10:01'");
    s_caught_up();
    STATUS_IS("service.member_callback/O-4", "open");
    CTL_OK("clock set '2026-03-20 00:00'");
    s_caught_up();
    STATUS_IS("service.member_callback/O-3", "none");   /* not a member: never */
    STATUS_IS("service.member_callback/O-1", "none");
    STATUS_IS("service.callback_result/CB-1", "none");

    /* A call back in time about no order in particular, entered late: it
     * serves every completed order of the member, and withdraws O-4's. */
    CTL_OK("service add --code CB-3 --kind callback --customer C-M2 --staff S-2 "
           "--time '2026-03-04 15:00' --result 满意");
    s_caught_up();
    s_withdrawn("service.member_callback/O-4");
    STATUS_IS("service.member_callback/O-2", "open");
    s_finish();
}

Test(compliance_rules, a_callback_records_its_result)
{
    CTL_OK("clock set '2026-03-02 10:00'");
    s_people();
    s_service("CB-1", "callback", "2026-03-02 11:00", "");
    s_service("CB-2", "callback", "2026-03-02 11:00", "--result '已回访，满意'");
    s_caught_up();
    json_t *f = s_finding("service.callback_result/CB-1");
    cr_assert(f, "a callback without a result: a finding");
    cr_assert_str_eq(s_str(f, "status"), "open");
    cr_assert_str_eq(s_str(f, "branch"), "SH01");
    cr_assert_str_eq(s_str(json_object_get(f, "agent"), "code"), "S-1");
    STATUS_IS("service.callback_result/CB-2", "none");

    CTL_OK("service amend CB-1 --result '客户满意'");
    s_caught_up();
    s_withdrawn("service.callback_result/CB-1");
    s_finish();
}

Test(compliance_rules, a_receiving_account_is_owned_outside_the_team_that_uses_it)
{
    CTL_OK("clock set '2026-03-02 10:00'");
    CTL_OK("account add --code A-1 --name 收款一 --kind receiving --branch SH01 "
           "--owner-name 王芳 --owner-team 一组 --team 一组 --opened '2026-03-02 10:00'");
    CTL_OK("account add --code A-2 --name 收款二 --kind receiving --branch SH01 "
           "--owner-name 刘洋 --owner-team 二组 --team 一组 --opened '2026-03-02 10:00'");
    CTL_OK("account add --code A-3 --name 付款 --kind paying --branch SH01 "
           "--owner-name 赵磊 --owner-team 一组 --team 一组 --opened '2026-03-02 10:00'");
    s_caught_up();
    json_t *f = s_finding("finance.account_owner/A-1");
    cr_assert(f, "owned by the team that uses it: a finding");
    cr_assert_str_eq(s_str(f, "status"), "open");
    cr_assert_str_eq(s_str(f, "subject_kind"), "account");
    cr_assert_str_eq(s_str(f, "severity"), "high");
    STATUS_IS("finance.account_owner/A-2", "none");
    STATUS_IS("finance.account_owner/A-3", "none");   /* a paying account: not this rule */

    CTL_OK("account amend A-1 --owner-team 三组");
    s_caught_up();
    s_withdrawn("finance.account_owner/A-1");
    s_finish();
}

Test(compliance_rules, an_account_is_replaced_within_90_days_of_opening)
{
    CTL_OK("clock set '2026-03-01 10:00'");
    CTL_OK("account add --code A-1 --name 收款 --kind receiving --branch SH01 "
           "--owner-name 王芳 --owner-team 财务 --team 一组 --opened '2026-03-01 10:00'");
    CTL_OK("account add --code A-2 --name 旧付款 --kind paying --branch SH01 "
           "--owner-name 刘洋 --owner-team 财务 --team 一组 --opened '2026-03-01 10:00' --closed");
    CTL_OK("account add --code A-3 --name 内部 --kind internal --branch SH01 "
           "--owner-name 公司 --opened '2026-03-01 10:00'");
    /* Opened in November, entered now: no quiet day for accounts. */
    CTL_OK("account add --code A-4 --name 老付款 --kind paying --branch SH01 "
           "--owner-name 赵磊 --owner-team 财务 --team 一组 --opened '2025-11-01 10:00'");
    s_caught_up();
    STATUS_IS("finance.account_rotation/A-1@2026-03-01", "none");
    STATUS_IS("finance.account_rotation/A-4@2025-11-01", "open");

    /* 2026-03-01 10:00 + 90 days = 2026-05-30 10:00. */
    CTL_OK("clock set '2026-05-30 10:00'");
    CTL_OK("account amend A-1 --name 收款一号");   /* judged again, on the 90th day */
    s_caught_up();
    STATUS_IS("finance.account_rotation/A-1@2026-03-01", "none");
    CTL_OK("clock set '2026-05-30 10:01'");
    s_caught_up();
    json_t *f = s_finding("finance.account_rotation/A-1@2026-03-01");
    cr_assert(f, "in use 90 days and a minute: a finding");
    cr_assert_str_eq(s_str(f, "status"), "open");
    cr_assert_str_eq(s_str(f, "subject"), "A-1");
    cr_assert_str_eq(s_str(f, "period"), "2026-03-01");
    STATUS_IS("finance.account_rotation/A-2@2026-03-01", "none");   /* closed */
    STATUS_IS("finance.account_rotation/A-3@2026-03-01", "none");   /* internal */

    CTL_OK("account amend A-1 --closed");
    s_caught_up();
    s_withdrawn("finance.account_rotation/A-1@2026-03-01");
    s_finish();
}

/* s_expense - an expense entry of SH01 at 2026-03-02 10:00 */
static void s_expense(const char *code)
{
    CTL_OK("entry add --code %s --branch SH01 --time '2026-03-02 10:00' --category expense "
           "--posting A-EXP:200.00 --posting A-CASH:-200.00", code);
}

/* s_approve - one step of code's approval chain, at 2026-03-02 HH:MM */
static void s_approve(const char *code, const char *step, const char *by, const char *hhmm)
{
    CTL_OK("entry approve %s --step %s --by %s --at '2026-03-02 %s'", code, step, by, hhmm);
}

/* s_notify - code's notice to, at 10:05 */
static void s_notify(const char *code, const char *to)
{
    CTL_OK("entry notify %s --to %s --at '2026-03-02 10:05'", code, to);
}

Test(compliance_rules, an_expenditure_is_requested_proposed_decided_in_order_with_notice)
{
    CTL_OK("clock set '2026-03-02 08:00'");
    CTL_OK("staff add --code S-1 --name 张伟 --branch SH01 --role presale");
    CTL_OK("staff add --code S-SUP --name 王主管 --branch SH01 --role supervisor");
    CTL_OK("staff add --code S-RESP --name 李负责 --branch SH01 --role responsible");
    CTL_OK("staff add --code S-X --name 赵磊 --branch SH01 --role presale");
    CTL_OK("account add --code A-EXP --name 费用 --kind internal --branch SH01 --owner-name 公司");
    CTL_OK("account add --code A-CASH --name 现金 --kind internal --branch SH01 --owner-name 公司");

    s_expense("E-2");   /* decided before the supervisor proposed it */
    s_approve("E-2", "request", "S-1", "09:00");
    s_approve("E-2", "decision", "S-RESP", "09:30");
    s_approve("E-2", "proposal", "S-SUP", "09:45");
    s_notify("E-2", "S-SUP");
    s_notify("E-2", "S-RESP");
    s_expense("E-3");   /* no proposal */
    s_approve("E-3", "request", "S-1", "09:00");
    s_approve("E-3", "decision", "S-RESP", "09:45");
    s_notify("E-3", "S-SUP");
    s_notify("E-3", "S-RESP");
    s_expense("E-4");   /* proposed by someone who is not a supervisor */
    s_approve("E-4", "request", "S-1", "09:00");
    s_approve("E-4", "proposal", "S-X", "09:30");
    s_approve("E-4", "decision", "S-RESP", "09:45");
    s_notify("E-4", "S-SUP");
    s_notify("E-4", "S-RESP");
    s_expense("E-5");   /* the responsible person never told */
    s_approve("E-5", "request", "S-1", "09:00");
    s_approve("E-5", "proposal", "S-SUP", "09:30");
    s_approve("E-5", "decision", "S-RESP", "09:45");
    s_notify("E-5", "S-SUP");
    s_expense("E-6");   /* proposed a minute before it was requested */
    s_approve("E-6", "request", "S-1", "09:00");
    s_approve("E-6", "proposal", "S-SUP", "08:59");
    s_approve("E-6", "decision", "S-RESP", "09:45");
    s_notify("E-6", "S-SUP");
    s_notify("E-6", "S-RESP");
    s_caught_up();
    /* The steps are recorded one by one: a quiet day after an entry's last
     * change before its chain counts as broken. */
    cr_assert_str_eq(s_status("finance.expenditure_approval/E-2"), "none", "within the day");
    CTL_OK("clock set '2026-03-03 07:59'");
    s_caught_up();
    cr_assert_str_eq(s_status("finance.expenditure_approval/E-5"), "none", "a minute short");
    CTL_OK("clock set '2026-03-03 08:00'");
    s_caught_up();
    REASON_HAS("finance.expenditure_approval/E-2", "decided before the supervisor proposed");
    REASON_HAS("finance.expenditure_approval/E-3", "no supervisor's proposal");
    REASON_HAS("finance.expenditure_approval/E-4", "proposed by S-X, not a supervisor");
    REASON_HAS("finance.expenditure_approval/E-5", "no notice to the responsible person");
    REASON_HAS("finance.expenditure_approval/E-6", "proposed before it was requested");
    json_t *f = s_finding("finance.expenditure_approval/E-5");
    cr_assert_str_eq(s_str(f, "subject_kind"), "entry");
    cr_assert_str_eq(s_str(json_object_get(f, "agent"), "code"), "S-1", "the requester");

    /* The whole chain, in order, both told: kept. The steps come one by one
     * within the quiet day, so no finding is ever made. */
    s_expense("E-1");
    s_approve("E-1", "request", "S-1", "09:30");       /* request <= proposal <= decision: */
    s_approve("E-1", "proposal", "S-SUP", "09:30");    /* the same minute is in order */
    s_approve("E-1", "decision", "S-RESP", "09:30");
    s_notify("E-1", "S-SUP");
    s_notify("E-1", "S-RESP");
    s_caught_up();
    CTL_OK("clock set '2026-03-05 08:00'");
    s_caught_up();
    cr_assert_str_eq(s_status("finance.expenditure_approval/E-1"), "none", "a complete chain");
    s_finish();
}

Test(compliance_rules, a_shipped_or_completed_order_has_a_handler_and_an_arranger)
{
    CTL_OK("clock set '2026-03-02 08:00'");
    s_people();
    CTL_OK("order add --code O-1 --customer C-1 --placed '2026-03-01 10:00' "
           "--line P:1:100.00:50.00 --arranger S-2");
    CTL_OK("order status O-1 shipped --at '2026-03-02 09:00'");
    CTL_OK("order add --code O-2 --customer C-1 --placed '2026-03-01 10:00' "
           "--line P:1:100.00:50.00 --handler S-1 --arranger S-2");
    CTL_OK("order status O-2 completed --at '2026-03-02 09:00'");
    CTL_OK("order add --code O-3 --customer C-1 --placed '2026-03-01 10:00' "
           "--line P:1:100.00:50.00");   /* open: nothing asked yet */
    s_caught_up();
    json_t *f = s_finding("order.roles_missing/O-1");
    cr_assert(f, "shipped without a handler: a finding");
    cr_assert_str_eq(s_str(f, "status"), "open");
    cr_assert_str_eq(s_str(f, "subject_kind"), "order");
    cr_assert(strstr(s_str(f, "reason"), "without a handler"), "%s", s_str(f, "reason"));
    STATUS_IS("order.roles_missing/O-2", "none");
    STATUS_IS("order.roles_missing/O-3", "none");

    CTL_OK("order amend O-1 --handler S-1");
    s_caught_up();
    s_withdrawn("order.roles_missing/O-1");
    s_finish();
}

Test(compliance_rules, a_price_below_channel_needs_a_supervisors_approval)
{
    CTL_OK("clock set '2026-03-02 08:00'");
    s_people();
    CTL_OK("staff add --code S-SUP --name 王主管 --branch SH01 --role supervisor");
    CTL_OK("product add --code P-1 --name 墨盒 --channel-price 100.00 --list-price 120.00");
    CTL_OK("customer add --code C-D --name 分销客户 --branch SH01");
    CTL_OK("partner add --code D-1 --name 分销商 --kind distributor --branch SH01 --customer C-D");
    static const struct { const char *code, *customer, *price, *approver, *want; } cases[] = {
        { "O-1", "C-1", "99.99", "", "open" },        /* one fen below, no approver */
        { "O-2", "C-1", "100.00", "", "none" },       /* exactly the channel price */
        { "O-3", "C-1", "99.99", "S-SUP", "none" },   /* approved by a supervisor */
        { "O-4", "C-1", "99.99", "S-2", "open" },     /* approved by someone else */
        { "O-5", "C-D", "99.99", "", "none" },        /* a distributor: its tier instead */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        CTL_OK("order add --code %s --customer %s --placed '2026-03-02 09:00' "
               "--line P-1:1:%s:50.00 %s%s", cases[i].code, cases[i].customer, cases[i].price,
               *cases[i].approver ? "--price-approver " : "", cases[i].approver);
    s_caught_up();
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char id[64];
        snprintf(id, sizeof id, "price.below_channel/%s", cases[i].code);
        STATUS_IS(id, cases[i].want);
    }

    CTL_OK("order amend O-1 --price-approver S-SUP");
    s_caught_up();
    s_withdrawn("price.below_channel/O-1");
    s_finish();
}

Test(compliance_rules, a_finding_fines_the_agent_and_each_active_supervisor_of_the_branch)
{
    CTL_OK("clock set '2026-03-02 08:00'");
    policy_put(&srv, "2026-03", "fines:\n  service.first_response:\n    agent: 2000\n"
                        "    supervisor: 1000\n");
    CTL_OK("staff add --code S-1 --name 张伟 --branch SH01 --role presale");
    CTL_OK("staff add --code S-SUP1 --name 王主管 --branch SH01 --role supervisor");
    CTL_OK("staff add --code S-SUP2 --name 李主管 --branch SH01 --role presale --role supervisor");
    CTL_OK("staff add --code S-SUP3 --name 刘主管 --branch SH01 --role supervisor --inactive");
    CTL_OK("staff add --code S-SUP4 --name 赵主管 --branch SH02 --role supervisor");
    CTL_OK("customer add --code C-1 --name 陈静 --branch SH01");
    s_service("I-1", "issue", "2026-03-02 10:00", "");
    s_service("R-1", "response", "2026-03-03 10:01", "--about I-1");
    /* A supervisor's own issue: one fine, agent and supervisor summed. */
    CTL_OK("service add --code I-2 --kind issue --customer C-1 --staff S-SUP1 "
           "--time '2026-03-02 10:00'");
    CTL_OK("service add --code R-2 --kind response --customer C-1 --staff S-SUP1 --about I-2 "
           "--time '2026-03-03 11:00'");
    s_caught_up();

    static const struct { const char *id, *person, *roles; json_int_t amount; } want[] = {
        { "service.first_response/I-1", "S-1", "agent", -2000 },
        { "service.first_response/I-1", "S-SUP1", "supervisor", -1000 },
        { "service.first_response/I-1", "S-SUP2", "supervisor", -1000 },
        { "service.first_response/I-2", "S-SUP1", "agent,supervisor", -3000 },
        { "service.first_response/I-2", "S-SUP2", "supervisor", -1000 },
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        json_t *f = s_finding(want[i].id);
        cr_assert(f && !strcmp(s_str(f, "status"), "open"), "%s: an open finding", want[i].id);
        json_int_t amount;
        const char *roles;
        cr_assert(s_staff_fine(f, want[i].person, &amount, &roles), "%s: no fine of %s",
                  want[i].id, want[i].person);
        cr_assert_eq(amount, want[i].amount, "%s, %s: got %lld, want %lld", want[i].id,
                     want[i].person, (long long)amount, (long long)want[i].amount);
        cr_assert(s_same_roles(roles, want[i].roles), "%s, %s: roles %s, want %s", want[i].id,
                  want[i].person, roles, want[i].roles);
        char key[128];
        snprintf(key, sizeof key, "%s/%s", want[i].id, want[i].person);
        int64_t line = s_fine_line(key);
        cr_assert_eq(line, want[i].amount, "compliance.fine %s: got %lld, want %lld", key,
                     (long long)line, (long long)want[i].amount);
    }
    json_t *f = s_finding("service.first_response/I-1");
    cr_assert_eq(json_array_size(json_object_get(f, "fines")), 3,
                 "the agent and two active supervisors of SH01: %s", out);
    json_int_t amount;
    const char *roles;
    cr_assert_not(s_staff_fine(f, "S-SUP3", &amount, &roles), "an inactive supervisor: no fine");
    cr_assert_not(s_staff_fine(f, "S-SUP4", &amount, &roles), "another branch's: no fine");
    f = s_finding("service.first_response/I-2");
    cr_assert_eq(json_array_size(json_object_get(f, "fines")), 2, "one line each: %s", out);
    cr_assert_eq(s_fine_line("service.first_response/I-1/S-SUP3"), 1, "no fine line for S-SUP3");

    /* A response in time, entered late: withdrawn, its fines to 0. */
    s_service("R-0", "response", "2026-03-02 18:00", "--about I-1");
    s_caught_up();
    s_withdrawn("service.first_response/I-1");
    cr_assert_eq(s_fine_line("service.first_response/I-1/S-1"), 0, "the agent's fine withdrawn");
    cr_assert_eq(s_fine_line("service.first_response/I-1/S-SUP1"), 0);
    cr_assert_eq(s_fine_line("service.first_response/I-1/S-SUP2"), 0);
    cr_assert_eq(s_fine_line("service.first_response/I-2/S-SUP1"), -3000, "I-2 stays");
    s_finish();
}
