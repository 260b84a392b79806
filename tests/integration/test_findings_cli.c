/* findings_cli - ledgerctl's findings commands against a real ledgerd:
 * `findings` lists with its filters (text cut to 160 columns, and --json
 * with every field), `finding show` (text, --json, not found), `finding ack`
 * and `finding resolve` with the events they append and the server's
 * refusals, and usage errors naming the option. The findings are written
 * here by a raw write-back, as ledger-compliance would write them. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include "client.h"
#include "compliance.pb-c.h"
#include "frame.h"
#include "results.h"
#include "server.h"

static server_t srv;
static char out[1 << 16];

static void setup(void) { server_start(&srv, "--test-clock"); }
static void teardown(void) { server_remove(&srv); }

TestSuite(findings_cli, .init = setup, .fini = teardown, .timeout = 120);

#define CTL_OK(...) do { int rc_ = ctl(&srv, out, sizeof out, __VA_ARGS__); \
    cr_assert_eq(rc_, 0, "exit %d: %s", rc_, out); } while (0)
#define CTL_RC(want, ...) do { int rc_ = ctl(&srv, out, sizeof out, __VA_ARGS__); \
    cr_assert_eq(rc_, want, "exit %d, want %d: %s", rc_, want, out); } while (0)

#define T0 1762146000000LL   /* 2025-11-03 13:00 in Shanghai */

/* A finding as the test states it. */
typedef struct {
    const char *id, *rule;
    Ledger__FindingSeverity severity;
    Ledger__SubjectKind subject_kind;
    const char *subject, *period, *branch, *month;
    Ledger__FindingStatus status;
    const char *status_by, *status_reason;
    const char *reason;
} finding_t;

/* s_write_back - the finding, as ledger-compliance writes it: with the
 * agent S-1, two evidence seqs and fines for S-1 and S-2 */
static void s_write_back(const finding_t *t)
{
    Ledger__PartyRef s1 = LEDGER__PARTY_REF__INIT, s2 = LEDGER__PARTY_REF__INIT;
    s1.kind = s2.kind = LEDGER__PARTY_KIND__PARTY_STAFF;
    s1.code = "S-1";
    s2.code = "S-2";
    Ledger__FindingFine f1 = LEDGER__FINDING_FINE__INIT, f2 = LEDGER__FINDING_FINE__INIT;
    f1.person = &s1;
    f1.roles = "agent";
    f1.amount = -2000;
    f2.person = &s2;
    f2.roles = "supervisor,checker";
    f2.amount = -1050;
    Ledger__FindingFine *fines[] = { &f1, &f2 };
    uint64_t evidence[] = { 3, 4 };
    Ledger__Finding f = LEDGER__FINDING__INIT;
    f.id = (char *)t->id;
    f.rule = (char *)t->rule;
    f.severity = t->severity;
    f.subject_kind = t->subject_kind;
    f.subject = (char *)t->subject;
    f.period = (char *)t->period;
    f.branch = (char *)t->branch;
    f.month = (char *)t->month;
    f.at_ms = T0;
    f.evidence = evidence;
    f.n_evidence = 2;
    f.reason = (char *)t->reason;
    f.status = t->status;
    f.status_by = (char *)(t->status_by ? t->status_by : "");
    f.status_reason = (char *)(t->status_reason ? t->status_reason : "");
    f.status_ms = t->status_by ? T0 + 3600000 : 0;
    f.status_seq = t->status_by ? 5 : 0;
    f.fines = fines;
    f.n_fines = 2;
    f.found_ms = T0 + 60000;
    f.agent = &s1;
    client_t *c = client_new(srv.listen, "tester", 5000);
    result_put(c, "compliance:0/1", "compliance.finding", t->id, &f.base);
    client_destroy(&c);
}

#define DAILY_1 "posts.daily/sh01_kefu1@2025-11-03"
#define DAILY_2 "posts.daily/sh02_kefu1@2025-11-03"
#define DAILY_3 "posts.daily/sh01_kefu2@2025-11-04"
#define LATE    "orders.late_ship/O-1"
#define MONEY   "money.unapproved/E-1"

/* s_seed - ledger time, staff S-1 and S-2, and five findings: two open,
 * one acknowledged, one resolved, one withdrawn */
static void s_seed(void)
{
    CTL_OK("clock set '2025-11-05 09:00'");
    CTL_OK("staff add --code S-1 --name 张三 --branch SH01");
    CTL_OK("staff add --code S-2 --name 李四 --branch SH01");
    const finding_t fs[] = {
        { DAILY_1, "posts.daily", LEDGER__FINDING_SEVERITY__FINDING_LOW,
          LEDGER__SUBJECT_KIND__SUBJECT_WECHAT, "sh01_kefu1", "2025-11-03", "SH01", "2025-11",
          LEDGER__FINDING_STATUS__FINDING_OPEN, NULL, NULL,
          "no post from sh01_kefu1 on 2025-11-03, though the policy asks for three posts "
          "a day from every account of the team, holidays included, and the checker "
          "looked at it twice before the weekly meeting of the branch" },
        { DAILY_2, "posts.daily", LEDGER__FINDING_SEVERITY__FINDING_LOW,
          LEDGER__SUBJECT_KIND__SUBJECT_WECHAT, "sh02_kefu1", "2025-11-03", "SH02", "2025-11",
          LEDGER__FINDING_STATUS__FINDING_ACKNOWLEDGED, "S-2", "looking into it",
          "one post from sh02_kefu1 on 2025-11-03" },
        { DAILY_3, "posts.daily", LEDGER__FINDING_SEVERITY__FINDING_LOW,
          LEDGER__SUBJECT_KIND__SUBJECT_WECHAT, "sh01_kefu2", "2025-11-04", "SH01", "2025-11",
          LEDGER__FINDING_STATUS__FINDING_WITHDRAWN, "ledger-compliance",
          "posts entered since keep the rule", "no post from sh01_kefu2 on 2025-11-04" },
        { LATE, "orders.late_ship", LEDGER__FINDING_SEVERITY__FINDING_MEDIUM,
          LEDGER__SUBJECT_KIND__SUBJECT_ORDER, "O-1", "", "SH01", "2025-11",
          LEDGER__FINDING_STATUS__FINDING_OPEN, NULL, NULL, "O-1 paid but not shipped in 48 h" },
        { MONEY, "money.unapproved", LEDGER__FINDING_SEVERITY__FINDING_HIGH,
          LEDGER__SUBJECT_KIND__SUBJECT_ENTRY, "E-1", "", "SH01", "2025-10",
          LEDGER__FINDING_STATUS__FINDING_RESOLVED, "S-2", "approved after the fact",
          "E-1 paid out without a second approval" },
    };
    for (size_t i = 0; i < sizeof fs / sizeof fs[0]; i++)
        s_write_back(&fs[i]);
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

/* s_lines - lines of out */
static int s_lines(void)
{
    int n = 0;
    for (const char *p = out; *p; p++)
        n += *p == '\n';
    return n;
}

Test(findings_cli, the_list_shows_open_and_acknowledged_findings_by_default)
{
    s_seed();
    CTL_OK("findings");
    cr_assert(strstr(out, "FINDING") && strstr(out, "SEVERITY") && strstr(out, "STATUS") &&
              strstr(out, "MONTH") && strstr(out, "REASON"), "a header: %s", out);
    cr_assert(strstr(out, DAILY_1) && strstr(out, DAILY_2) && strstr(out, LATE), "%s", out);
    cr_assert_null(strstr(out, DAILY_3), "withdrawn is not shown by default: %s", out);
    cr_assert_null(strstr(out, MONEY), "resolved is not shown by default: %s", out);
    cr_assert(strstr(out, "acknowledged") && strstr(out, "medium"), "%s", out);
    cr_assert(strstr(out, "3 findings (by rule: orders.late_ship 1, posts.daily 2)\n"), "%s",
              out);
    cr_assert_eq(s_lines(), 5, "header, three findings, summary: %s", out);
    /* Every line fits in 160 columns (ASCII here): the long reason is cut. */
    for (const char *p = out; *p;) {
        const char *nl = strchr(p, '\n');
        cr_assert(nl);
        cr_assert_leq(nl - p, 160, "a line of %td columns: %.*s", nl - p, (int)(nl - p), p);
        p = nl + 1;
    }
    cr_assert(strstr(out, "no post from sh01_kefu1") && strstr(out, "..."), "cut: %s", out);
}

Test(findings_cli, filters_by_rule_status_branch_subject_month_and_severity)
{
    s_seed();
    char ids[1024];
    struct { const char *args, *want; } cases[] = {
        { "findings --rule posts.daily --status all", DAILY_1 " " DAILY_3 " " DAILY_2 },
        { "findings --rule posts.daily", DAILY_1 " " DAILY_2 },
        { "findings --status resolved", MONEY },
        { "findings --status withdrawn", DAILY_3 },
        { "findings --status acknowledged", DAILY_2 },
        { "findings --branch SH02", DAILY_2 },
        { "findings --branch SH01 --status all", MONEY " " LATE " " DAILY_1 " " DAILY_3 },
        { "findings --subject O-1", LATE },
        { "findings --month 2025-10 --status all", MONEY },
        { "findings --severity high --status all", MONEY },
        { "findings --severity low --branch SH01", DAILY_1 },
        { "findings --rule posts --status all", "" },   /* a rule, not a prefix of one */
        { "findings --status all --limit 2", MONEY " " LATE },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *j = s_json(cases[i].args);
        cr_assert(json_is_array(j), "%s: an array: %s", cases[i].args, out);
        cr_assert_str_eq(s_ids(j, ids, sizeof ids), cases[i].want, "%s: got %s, want %s",
                         cases[i].args, ids, cases[i].want);
        json_decref(j);
    }
    CTL_OK("findings --rule orders.late_ship");
    cr_assert(strstr(out, "1 finding (by rule: orders.late_ship 1)"), "%s", out);
    CTL_OK("findings --status all --limit 2");
    cr_assert(strstr(out, "2 findings") && strstr(out, "more findings match"), "%s", out);
}

Test(findings_cli, the_json_list_carries_every_field_in_words_and_fen)
{
    s_seed();
    json_t *a = s_json("findings --rule posts.daily --branch SH01");
    cr_assert_eq(json_array_size(a), 1, "%s", out);
    json_t *f = json_array_get(a, 0);
    cr_assert_str_eq(json_string_value(json_object_get(f, "id")), DAILY_1);
    cr_assert_str_eq(json_string_value(json_object_get(f, "rule")), "posts.daily");
    cr_assert_str_eq(json_string_value(json_object_get(f, "severity")), "low");
    cr_assert_str_eq(json_string_value(json_object_get(f, "subject_kind")), "wechat");
    cr_assert_str_eq(json_string_value(json_object_get(f, "subject")), "sh01_kefu1");
    cr_assert_str_eq(json_string_value(json_object_get(f, "period")), "2025-11-03");
    cr_assert_str_eq(json_string_value(json_object_get(f, "branch")), "SH01");
    cr_assert_str_eq(json_string_value(json_object_get(f, "month")), "2025-11");
    cr_assert_eq(json_integer_value(json_object_get(f, "at_ms")), T0);
    cr_assert_str_eq(json_string_value(json_object_get(f, "at")), "2025-11-03T13:00:00+08:00");
    json_t *ev = json_object_get(f, "evidence");
    cr_assert_eq(json_array_size(ev), 2);
    cr_assert_eq(json_integer_value(json_array_get(ev, 0)), 3);
    cr_assert_eq(json_integer_value(json_array_get(ev, 1)), 4);
    cr_assert_str_eq(json_string_value(json_object_get(f, "status")), "open");
    json_t *fines = json_object_get(f, "fines");
    cr_assert_eq(json_array_size(fines), 2);
    json_t *f1 = json_array_get(fines, 0);
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(f1, "person"), "code")),
                     "S-1");
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(f1, "person"), "kind")),
                     "staff");
    cr_assert_str_eq(json_string_value(json_object_get(f1, "roles")), "agent");
    cr_assert_eq(json_integer_value(json_object_get(f1, "amount_fen")), -2000);
    cr_assert(json_is_false(json_object_get(f, "waived")));
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(f, "agent"), "code")),
                     "S-1");
    cr_assert_eq(json_integer_value(json_object_get(f, "found_ms")), T0 + 60000);
    cr_assert(json_object_get(f, "status_reason") && json_object_get(f, "status_by") &&
              json_object_get(f, "status_at_ms") && json_object_get(f, "status_seq"), "%s", out);
    json_decref(a);

    a = s_json("findings --status resolved");
    f = json_array_get(a, 0);
    cr_assert_str_eq(json_string_value(json_object_get(f, "status")), "resolved");
    cr_assert_str_eq(json_string_value(json_object_get(f, "status_by")), "S-2");
    cr_assert_str_eq(json_string_value(json_object_get(f, "status_reason")),
                     "approved after the fact");
    cr_assert_str_eq(json_string_value(json_object_get(f, "severity")), "high");
    cr_assert_str_eq(json_string_value(json_object_get(f, "subject_kind")), "entry");
    json_decref(a);
}

Test(findings_cli, an_empty_list_says_so)
{
    CTL_OK("findings");
    cr_assert_str_eq(out, "no findings\n");
    json_t *a = s_json("findings");
    cr_assert(json_is_array(a) && json_array_size(a) == 0, "%s", out);
    json_decref(a);
    s_seed();
    CTL_OK("findings --rule no.such_rule");
    cr_assert_str_eq(out, "no findings\n");
}

Test(findings_cli, show_prints_the_whole_finding)
{
    s_seed();
    CTL_OK("finding show %s", DAILY_2);
    const char *want[] = {
        DAILY_2, "posts.daily", "low", "wechat sh02_kefu1", "2025-11-03", "SH02", "2025-11",
        "2025-11-03 13:00:00",                       /* broken, in the ledger's zone */
        "seq 3, 4", "one post from sh02_kefu1",
        "acknowledged by S-2 on 2025-11-03 14:00:00", "looking into it",
        "agent", "staff:S-1", "supervisor,checker", "-20.00", "-10.50", "-30.50",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        cr_assert(strstr(out, want[i]), "no \"%s\" in:\n%s", want[i], out);

    json_t *f = s_json("finding show " DAILY_2);
    cr_assert_str_eq(json_string_value(json_object_get(f, "id")), DAILY_2);
    cr_assert_str_eq(json_string_value(json_object_get(f, "status")), "acknowledged");
    cr_assert_eq(json_integer_value(json_object_get(f, "status_at_ms")), T0 + 3600000);
    cr_assert_eq(json_integer_value(json_object_get(f, "result_version")), 1);
    cr_assert_eq(json_integer_value(json_object_get(
                     json_array_get(json_object_get(f, "fines"), 1), "amount_fen")), -1050);
    json_decref(f);

    CTL_RC(1, "finding show posts.daily/nobody@2025-11-03");
    cr_assert(strstr(out, "no finding posts.daily/nobody@2025-11-03"), "%s", out);
    CTL_RC(1, "--json finding show posts.daily/nobody@2025-11-03");
}

Test(findings_cli, ack_and_resolve_append_finding_status_events)
{
    s_seed();
    CTL_OK("finding ack %s --by S-1 --reason 'on it'", DAILY_1);
    unsigned long long seq;
    char id[128];
    cr_assert_eq(sscanf(out, "finding %127s acknowledged by S-1 (event seq %llu)", id, &seq), 2,
                 "%s", out);
    cr_assert_str_eq(id, DAILY_1);
    CTL_OK("finding resolve %s --by staff:S-2 --reason 'shipped late, customer agreed' --waive",
           LATE);
    unsigned long long seq2;
    cr_assert_eq(sscanf(out, "finding " LATE " resolved by S-2 (event seq %llu)", &seq2), 1,
                 "%s", out);
    cr_assert_eq(seq2, seq + 1);

    /* The events, as tail shows them. */
    CTL_OK("tail --kind finding --from 1");
    cr_assert(strstr(out, "finding.status") && strstr(out, DAILY_1) && strstr(out, "O-1"), "%s",
              out);
    CTL_OK("--json tail --kind finding --from %llu", seq2);
    json_error_t jerr;
    json_t *e = json_loads(out, 0, &jerr);
    cr_assert(e, "not JSON (%s): %s", jerr.text, out);
    cr_assert_str_eq(json_string_value(json_object_get(e, "kind")), "finding.status");
    cr_assert_str_eq(json_string_value(json_object_get(e, "entity_code")), LATE);
    json_t *body = json_object_get(e, "finding");
    cr_assert(body, "the change is the body: %s", out);
    cr_assert_str_eq(json_string_value(json_object_get(body, "reason")),
                     "shipped late, customer agreed");
    cr_assert(json_is_true(json_object_get(body, "waive")), "%s", out);
    json_decref(e);

    /* --json prints the change as stored. */
    json_t *c = s_json("finding resolve " DAILY_2 " --by S-1 --reason 'posted twice the next day'");
    cr_assert_str_eq(json_string_value(json_object_get(c, "finding")), DAILY_2);
    cr_assert_str_eq(json_string_value(json_object_get(c, "status")), "resolved");
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(c, "by"), "code")), "S-1");
    cr_assert_gt(json_integer_value(json_object_get(json_object_get(c, "by"), "id")), 0);
    cr_assert_eq(json_integer_value(json_object_get(c, "seq")), seq2 + 1);
    cr_assert(json_is_false(json_object_get(c, "waive")));
    cr_assert(json_object_get(c, "time_ms"), "%s", out);
    json_decref(c);
}

Test(findings_cli, the_server_refusals_are_printed_with_their_field)
{
    s_seed();
    CTL_RC(1, "finding resolve %s --by S-1 --reason again", MONEY);
    cr_assert(strstr(out, "ledgerctl: CONFLICT change.status: already resolved by S-2 on "
                     "2025-11-03 14:00:00: approved after the fact"), "%s", out);
    CTL_RC(1, "finding ack %s --by S-1", DAILY_3);
    cr_assert(strstr(out, "CONFLICT change.status: withdrawn"), "%s", out);
    CTL_RC(1, "finding ack %s --by S-9", DAILY_1);
    cr_assert(strstr(out, "NOT_FOUND change.by.code: no staff with code S-9"), "%s", out);
    CTL_RC(1, "finding ack posts.daily/nobody --by S-1");
    cr_assert(strstr(out, "NOT_FOUND change.finding: no finding posts.daily/nobody"), "%s", out);
    CTL_OK("tail --kind finding --from 1");
    cr_assert_null(strstr(out, "finding.status"), "nothing written: %s", out);
}

Test(findings_cli, the_same_idempotency_key_applies_a_change_once)
{
    s_seed();
    char first[256];
    CTL_OK("--idempotency-key ack-1 finding ack %s --by S-1", DAILY_1);
    snprintf(first, sizeof first, "%s", out);
    CTL_OK("--idempotency-key ack-1 finding ack %s --by S-1", DAILY_1);
    cr_assert_str_eq(out, first, "the first reply again");
    CTL_RC(1, "--idempotency-key ack-1 finding ack %s --by S-2", DAILY_1);
    cr_assert(strstr(out, "IDEMPOTENCY_MISMATCH"), "%s", out);
    CTL_OK("--json tail --kind finding --from 1");
    cr_assert_eq(s_lines(), 1, "one event: %s", out);
}

Test(findings_cli, bad_usage_exits_2_naming_the_option)
{
    struct { const char *args, *says; } cases[] = {
        { "finding ack " DAILY_1, "--by" },
        { "finding ack " DAILY_1 " --by ''", "--by" },
        { "finding resolve " DAILY_1 " --by S-1", "--reason" },
        { "finding ack " DAILY_1 " --by S-1 --waive", "--waive" },
        { "finding ack --by S-1", "missing ID" },
        { "finding show", "missing ID" },
        { "finding show a b", "'b'" },
        { "finding close " DAILY_1, "'close'" },
        { "findings --status done", "--status" },
        { "findings --severity extreme", "--severity" },
        { "findings --month 2025-13", "--month" },
        { "findings --limit 0", "--limit" },
        { "findings --rule ''", "--rule" },
        { "findings --colour", "--colour" },
        { "findings extra", "'extra'" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = ctl(&srv, out, sizeof out, "%s", cases[i].args);
        cr_assert_eq(rc, 2, "%s: exit %d: %s", cases[i].args, rc, out);
        cr_assert(strstr(out, cases[i].says), "%s: does not name %s: %s", cases[i].args,
                  cases[i].says, out);
    }
    CTL_OK("findings --help");
    cr_assert(strstr(out, "--severity"), "%s", out);
    CTL_OK("finding resolve --help");
    cr_assert(strstr(out, "--waive"), "%s", out);
    CTL_OK("finding --help");
    cr_assert(strstr(out, "finding ack"), "%s", out);
    CTL_OK("--help");
    cr_assert(strstr(out, "findings") && strstr(out, "finding "), "%s", out);
}
