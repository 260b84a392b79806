/* compliance_team - ledger-compliance's team rules as it runs on a
 * --test-clock ledgerd, each rule once broken and once just kept: a post a
 * day per WeChat account (judged when the account moves on, or when ledger
 * time passes the day and a quiet day), three life posts an ISO week, at
 * most three group broadcasts a month, no promotional text twice, a script
 * training a week, daily logs and weekly and monthly plans per team. Then
 * the money: fines on the statements of the agent and the supervisor, a
 * clean month's reward at the month's close, people's status changes and a
 * waiver; and a replay from seq 1 writes every finding and fine the same. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include "client.h"
#include "commission.pb-c.h"
#include "compliance.pb-c.h"
#include "follow.h"
#include "frame.h"
#include "results.h"
#include "server.h"

TestSuite(compliance_team, .timeout = 600);

static server_t srv;
static char out[1 << 18];
static const char *cursors;   /* the running workers' cursors, for cursor wait */

#define CTL_OK(...) do { int rc_ = ctl(&srv, out, sizeof out, __VA_ARGS__); \
    cr_assert_eq(rc_, 0, "exit %d: %s", rc_, out); } while (0)

#define HAS(text) cr_assert(strstr(out, text), "want %s in: %s", text, out)

#define MAX_WORKERS 3

/* s_start - a --test-clock ledgerd with ledger-compliance, and with
 * attribution and commission too when money must reach statements */
static void s_start(int with_commission, pid_t pids[MAX_WORKERS])
{
    static const char *const names[] = { "compliance", "attribution", "commission" };
    int n = with_commission ? 3 : 1;
    char log[512];
    server_start(&srv, "--test-clock");
    for (int i = 0; i < MAX_WORKERS; i++) {
        pids[i] = 0;
        if (i >= n)
            continue;
        snprintf(log, sizeof log, "%s/%s.log", srv.dir, names[i]);
        pids[i] = worker_start(&srv, names[i], "", log);
    }
    cursors = with_commission ? "compliance:0/1 attribution:0/1 commission:0/1"
                              : "compliance:0/1";
}

/* s_finish - the workers stop cleanly on SIGTERM; the ledger goes */
static void s_finish(pid_t pids[MAX_WORKERS])
{
    for (int i = MAX_WORKERS - 1; i >= 0; i--)
        if (pids[i])
            cr_assert_eq(proc_stop(pids[i]), 0, "worker %d stops cleanly", i);
    server_remove(&srv);
}

/* s_caught_up - the workers have read the whole log */
static void s_caught_up(void)
{
    CTL_OK("cursor wait %s --within 180", cursors);
    /* Their own results come after (a fine for commission); once more. */
    CTL_OK("cursor wait %s --within 180", cursors);
}

/* s_post - a post with code on account by staff at time, of kind, with
 * extra flags (may be "") */
static void s_post(const char *code, const char *account, const char *staff, const char *time,
                   const char *kind, const char *extra)
{
    CTL_OK("post add --code %s --wechat-account %s --staff %s --time '%s' --kind %s %s", code,
           account, staff, time, kind, extra);
}

/* s_findings - `--json findings --status all --rule RULE` as an array;
 * the caller decrefs it */
static json_t *s_findings(const char *rule)
{
    CTL_OK("--json findings --status all --rule %s", rule);
    json_error_t jerr;
    json_t *a = json_loads(out, 0, &jerr);
    cr_assert(json_is_array(a), "findings --json is an array (%s): %s", jerr.text, out);
    return a;
}

/* s_finding - the finding with this id, from the list of its rule (the id
 * up to its first '/'), or NULL; the caller decrefs it */
static json_t *s_finding(const char *id)
{
    char rule[64];
    snprintf(rule, sizeof rule, "%.*s", (int)strcspn(id, "/"), id);
    json_t *all = s_findings(rule), *found = NULL, *f;
    size_t i;
    json_array_foreach(all, i, f)
        if (!strcmp(json_string_value(json_object_get(f, "id")), id))
            found = json_incref(f);
    json_decref(all);
    return found;
}

/* s_str - a string member of o, "" when none */
static const char *s_str(const json_t *o, const char *name)
{
    const char *s = json_string_value(json_object_get(o, name));
    return s ? s : "";
}

/* STATUS - finding id has status want ("none": there is no such finding) */
#define STATUS(id, want) do {                                                 \
        json_t *f_ = s_finding(id);                                           \
        const char *got_ = f_ ? s_str(f_, "status") : "none";                 \
        cr_assert_str_eq(got_, want, "%s: status %s, want %s", id, got_, want); \
        json_decref(f_);                                                      \
    } while (0)

/* s_count - how many findings of rule there are, of any status */
static size_t s_count(const char *rule)
{
    json_t *all = s_findings(rule);
    size_t n = json_array_size(all);
    json_decref(all);
    return n;
}

/* s_fine_of - the amount of the finding's fine for person (staff code);
 * *found says whether it has one */
static int64_t s_fine_of(const json_t *f, const char *staff, int *found)
{
    json_t *fine;
    size_t i;
    *found = 0;
    json_array_foreach(json_object_get(f, "fines"), i, fine) {
        if (!strcmp(s_str(json_object_get(fine, "person"), "code"), staff)) {
            *found = 1;
            return json_integer_value(json_object_get(fine, "amount_fen"));
        }
    }
    return 0;
}

/* s_statement_rule - the sum of person's statement lines of rule in month;
 * *n their number (0 also when there is no statement) */
static int64_t s_statement_rule(const char *person, const char *month, const char *rule,
                                int *n)
{
    *n = 0;
    int rc = ctl(&srv, out, sizeof out, "--json statement --person %s --month %s", person,
                 month);
    if (rc != 0) {
        cr_assert(strstr(out, "no statement"), "statement %s %s: exit %d: %s", person, month,
                  rc, out);
        return 0;
    }
    json_error_t jerr;
    json_t *st = json_loads(out, 0, &jerr), *line;
    cr_assert(st, "statement --json (%s): %s", jerr.text, out);
    int64_t sum = 0;
    size_t i;
    json_array_foreach(json_object_get(st, "lines"), i, line) {
        if (!strcmp(s_str(line, "rule"), rule)) {
            sum += json_integer_value(json_object_get(line, "amount_fen"));
            (*n)++;
        }
    }
    json_decref(st);
    return sum;
}

/* s_fine_result - the amount of the compliance.fine result under key;
 * fails the test when there is none */
static int64_t s_fine_result(const char *key)
{
    client_t *c = client_new(srv.listen, "tester", 5000);
    Ledger__Result *r = result_get(c, "compliance.fine", key);
    cr_assert(r, "a compliance.fine result %s", key);
    Ledger__FineLine *fl = ledger__fine_line__unpack(NULL, r->payload.len, r->payload.data);
    cr_assert(fl, "%s: a FineLine", key);
    int64_t amount = fl->amount;
    ledger__fine_line__free_unpacked(fl, NULL);
    ledger__result__free_unpacked(r, NULL);
    client_destroy(&c);
    return amount;
}

/* s_replay_matches - a second compliance worker from seq 1 leaves every
 * finding and fine as the live one wrote it last; at least min of them */
static void s_replay_matches(size_t min)
{
    char *kinds[] = { "compliance.finding", "compliance.fine" };
    replay_matches(&srv, "compliance", kinds, 2, min);
}

Test(compliance_team, a_missing_day_is_found_when_the_account_moves_on_or_after_a_quiet_day)
{
    pid_t w[MAX_WORKERS];
    s_start(0, w);
    /* Back-filled on the afternoon of the 6th: day 3 (the 5th) has ended
     * in ledger time, but its quiet day has not. */
    CTL_OK("clock set '2025-11-06 12:00'");
    CTL_OK("staff add --code S-1 --name 张伟 --branch SH01 --role presale");
    CTL_OK("staff add --code S-2 --name 李娜 --branch SH01 --role presale");
    s_post("PA-1", "sh01_kefu1", "S-1", "2025-11-03 10:00", "other", "");
    s_post("PA-2", "sh01_kefu1", "S-1", "2025-11-04 10:00", "other", "");
    s_caught_up();
    cr_assert_eq(s_count("posts.daily"), 0, "days 1 and 2 kept, day 3 not judged yet: %s", out);

    /* Day 4's post: the account has moved on, day 3 is broken. */
    s_post("PA-4", "sh01_kefu1", "S-1", "2025-11-06 10:00", "other", "");
    s_caught_up();
    json_t *f = s_finding("posts.daily/sh01_kefu1@2025-11-05");
    cr_assert(f, "day 3 broken once day 4 is in: %s", out);
    cr_assert_str_eq(s_str(f, "status"), "open");
    cr_assert_str_eq(s_str(f, "subject"), "sh01_kefu1");
    cr_assert_str_eq(s_str(f, "period"), "2025-11-05");
    cr_assert_str_eq(s_str(f, "branch"), "SH01");
    cr_assert_str_eq(s_str(f, "month"), "2025-11");
    cr_assert_str_eq(s_str(f, "at"), "2025-11-06T00:00:00+08:00", "broken when the day ended");
    cr_assert_str_eq(s_str(json_object_get(f, "agent"), "code"), "S-1");
    json_decref(f);
    cr_assert_eq(s_count("posts.daily"), 1, "days 1, 2 and 4 kept (4 not judged): %s", out);

    /* A post back-filled for day 3 shows the rule kept. */
    s_post("PA-3", "sh01_kefu1", "S-1", "2025-11-05 21:00", "life", "");
    s_caught_up();
    f = s_finding("posts.daily/sh01_kefu1@2025-11-05");
    cr_assert(f);
    cr_assert_str_eq(s_str(f, "status"), "withdrawn");
    cr_assert_str_eq(s_str(f, "status_by"), "ledger-compliance");
    json_decref(f);

    /* Account 2 is back-filled at 20:00 on the 7th: its quiet day ends at
     * 20:00 on the 8th, after the 7th has ended. */
    CTL_OK("clock set '2025-11-07 20:00'");
    s_post("PB-1", "sh01_kefu2", "S-2", "2025-11-05 09:00", "other", "");
    s_post("PB-2", "sh01_kefu2", "S-2", "2025-11-06 09:00", "other", "");
    s_caught_up();

    /* The last day's successor (the 7th) for account 1: its end and the
     * quiet day after the last record (the 6th, 12:00) must both pass. */
    CTL_OK("clock set '2025-11-07 23:59:59'");
    s_caught_up();
    STATUS("posts.daily/sh01_kefu1@2025-11-06", "none");
    STATUS("posts.daily/sh01_kefu1@2025-11-07", "none");
    CTL_OK("clock set '2025-11-08 00:00'");
    s_caught_up();
    f = s_finding("posts.daily/sh01_kefu1@2025-11-07");
    cr_assert(f, "the 7th ended with no post on account 1");
    cr_assert_str_eq(s_str(f, "status"), "open");
    cr_assert_str_eq(s_str(f, "at"), "2025-11-08T00:00:00+08:00");
    json_decref(f);
    STATUS("posts.daily/sh01_kefu1@2025-11-06", "none");
    STATUS("posts.daily/sh01_kefu2@2025-11-07", "none");   /* its quiet day runs on */

    CTL_OK("clock set '2025-11-08 19:59:59'");
    s_caught_up();
    STATUS("posts.daily/sh01_kefu2@2025-11-07", "none");
    CTL_OK("clock set '2025-11-08 20:00'");
    s_caught_up();
    STATUS("posts.daily/sh01_kefu2@2025-11-07", "open");
    STATUS("posts.daily/sh01_kefu2@2025-11-06", "none");
    STATUS("posts.daily/sh01_kefu1@2025-11-08", "none");   /* ends at midnight */
    cr_assert_eq(s_count("posts.daily"), 3, "5th (withdrawn), 7th of 1, 7th of 2: %s", out);

    s_replay_matches(3);
    s_finish(w);
}

Test(compliance_team, an_iso_week_needs_three_life_posts_counted_monday_to_sunday)
{
    pid_t w[MAX_WORKERS];
    s_start(0, w);
    CTL_OK("clock set '2025-11-24 08:00'");
    CTL_OK("staff add --code S-1 --name 张伟 --branch SH01 --role presale");
    /* 2025-W47 runs from Monday the 17th to Sunday the 23rd. */
    s_post("L-1", "sh01_kefu1", "S-1", "2025-11-17 00:00", "life", "");      /* Monday */
    s_post("L-2", "sh01_kefu1", "S-1", "2025-11-19 12:00", "life", "");
    s_post("L-3", "sh01_kefu1", "S-1", "2025-11-21 15:00", "promotion", "");  /* no life post */
    s_post("L-4", "sh01_kefu1", "S-1", "2025-11-23 23:59:59", "life", "");   /* Sunday */
    /* 2025-W48: two life posts, and a third on the Monday after. */
    s_post("L-5", "sh01_kefu1", "S-1", "2025-11-24 00:00", "life", "");
    s_post("L-6", "sh01_kefu1", "S-1", "2025-11-30 23:59:59", "life", "");
    s_post("L-7", "sh01_kefu1", "S-1", "2025-12-01 00:00", "life", "");
    s_caught_up();

    STATUS("posts.weekly_life/sh01_kefu1@2025-W47", "none");
    json_t *f = s_finding("posts.weekly_life/sh01_kefu1@2025-W48");
    cr_assert(f, "two life posts in 2025-W48: %s", out);
    cr_assert_str_eq(s_str(f, "status"), "open");
    cr_assert_str_eq(s_str(f, "period"), "2025-W48");
    cr_assert_str_eq(s_str(f, "month"), "2025-11", "the month of the week's Sunday");
    cr_assert(strstr(s_str(f, "reason"), "2 life posts"), "%s", s_str(f, "reason"));
    cr_assert_str_eq(s_str(json_object_get(f, "agent"), "code"), "S-1");
    json_decref(f);
    cr_assert_eq(s_count("posts.weekly_life"), 1, "W49 is not over: %s", out);
    s_finish(w);
}

Test(compliance_team, a_fourth_broadcast_in_a_month_is_one_too_many_and_months_count_apart)
{
    pid_t w[MAX_WORKERS];
    s_start(0, w);
    CTL_OK("clock set '2025-11-20 08:00'");
    CTL_OK("staff add --code S-1 --name 张伟 --branch SH01 --role presale");
    s_post("B-1", "sh01_kefu1", "S-1", "2025-11-20 10:00", "promotion", "--broadcast");
    s_post("B-2", "sh01_kefu1", "S-1", "2025-11-25 10:00", "other", "--broadcast");
    s_post("B-3", "sh01_kefu1", "S-1", "2025-11-30 23:59", "promotion", "--broadcast");
    s_caught_up();
    cr_assert_eq(s_count("posts.monthly_broadcasts"), 0, "three in November: %s", out);

    /* December's three do not add to November's. */
    s_post("B-4", "sh01_kefu1", "S-1", "2025-12-01 00:00", "promotion", "--broadcast");
    s_post("B-5", "sh01_kefu1", "S-1", "2025-12-10 10:00", "other", "--broadcast");
    s_post("B-6", "sh01_kefu1", "S-1", "2025-12-15 10:00", "promotion", "");   /* not one */
    s_post("B-7", "sh01_kefu1", "S-1", "2025-12-20 10:00", "promotion", "--broadcast");
    s_caught_up();
    cr_assert_eq(s_count("posts.monthly_broadcasts"), 0, "three in December: %s", out);

    s_post("B-8", "sh01_kefu1", "S-1", "2025-12-31 23:00", "other", "--broadcast");
    s_caught_up();
    cr_assert_eq(s_count("posts.monthly_broadcasts"), 1, "%s", out);
    json_t *f = s_finding("posts.monthly_broadcasts/sh01_kefu1@2025-12");
    cr_assert(f, "the fourth in December: %s", out);
    cr_assert_str_eq(s_str(f, "status"), "open");
    cr_assert_str_eq(s_str(f, "month"), "2025-12");
    cr_assert_str_eq(s_str(f, "at"), "2025-12-31T23:00:00+08:00", "broken by the fourth");
    cr_assert(strstr(s_str(f, "reason"), "4 group broadcasts"), "%s", s_str(f, "reason"));
    json_decref(f);
    s_finish(w);
}

Test(compliance_team, a_promotional_text_posted_again_by_another_account_is_a_finding)
{
    pid_t w[MAX_WORKERS];
    s_start(0, w);
    CTL_OK("clock set '2025-11-11 08:00'");
    CTL_OK("staff add --code S-1 --name 张伟 --branch SH01 --role presale");
    CTL_OK("staff add --code S-2 --name 李娜 --branch SH01 --role presale");
    s_post("T-1", "sh01_kefu1", "S-1", "2025-11-11 09:00", "promotion",
           "--text '双十一特惠：激光打印机立减２００元，详询客服！'");
    s_post("T-2", "sh01_kefu2", "S-2", "2025-11-11 10:00", "promotion",
           "--text '双十一特惠: 激光打印机立减200元,  详询客服!'");
    s_post("T-3", "sh01_kefu3", "S-2", "2025-11-11 11:00", "promotion",
           "--text '双十二特惠：激光打印机立减２００元，详询客服！'");
    s_post("T-4", "sh01_kefu4", "S-2", "2025-11-11 12:00", "promotion",
           "--broadcast --text '双十一特惠：激光打印机立减２００元，详询客服！'");
    s_post("T-5", "sh01_kefu5", "S-2", "2025-11-11 13:00", "life",
           "--text '双十一特惠：激光打印机立减２００元，详询客服！'");
    s_caught_up();

    json_t *f = s_finding("posts.duplicate_text/T-2");
    cr_assert(f, "T-2 repeats T-1 once folded: %s", out);
    cr_assert_str_eq(s_str(f, "status"), "open");
    cr_assert_str_eq(s_str(f, "subject"), "T-2");
    cr_assert_str_eq(s_str(f, "subject_kind"), "post");
    cr_assert_str_eq(s_str(json_object_get(f, "agent"), "code"), "S-2");
    cr_assert(strstr(s_str(f, "reason"), "T-1"), "names the first post: %s", s_str(f, "reason"));
    json_decref(f);
    STATUS("posts.duplicate_text/T-1", "none");
    STATUS("posts.duplicate_text/T-3", "none");   /* another text */
    STATUS("posts.duplicate_text/T-4", "none");   /* a broadcast */
    STATUS("posts.duplicate_text/T-5", "none");   /* a life post */
    cr_assert_eq(s_count("posts.duplicate_text"), 1, "%s", out);
    s_finish(w);
}

Test(compliance_team, a_team_trains_on_its_script_once_an_iso_week)
{
    pid_t w[MAX_WORKERS];
    s_start(0, w);
    CTL_OK("clock set '2025-12-01 18:00'");
    /* A Monday in 2025-W46, a Sunday in 2025-W47, none in W48, the
     * Monday of W49. */
    CTL_OK("work add --code W-1 --kind script-training --date 2025-11-10 --branch SH01 "
           "--team kefu");
    CTL_OK("work add --code W-2 --kind script-training --date 2025-11-23 --branch SH01 "
           "--team kefu");
    CTL_OK("work add --code W-3 --kind script-training --date 2025-12-01 --branch SH01 "
           "--team kefu");
    s_caught_up();
    STATUS("training.weekly_script/SH01/kefu@2025-W46", "none");
    STATUS("training.weekly_script/SH01/kefu@2025-W47", "none");
    json_t *f = s_finding("training.weekly_script/SH01/kefu@2025-W48");
    cr_assert(f, "no training in 2025-W48: %s", out);
    cr_assert_str_eq(s_str(f, "status"), "open");
    cr_assert_str_eq(s_str(f, "subject"), "SH01/kefu");
    cr_assert_str_eq(s_str(f, "subject_kind"), "team");
    cr_assert_str_eq(s_str(f, "branch"), "SH01");
    cr_assert_str_eq(s_str(f, "month"), "2025-11");
    cr_assert_str_eq(s_str(f, "at"), "2025-12-01T00:00:00+08:00");
    json_decref(f);
    cr_assert_eq(s_count("training.weekly_script"), 1, "%s", out);
    s_finish(w);
}

Test(compliance_team, a_team_keeps_a_log_a_day_a_plan_a_week_and_a_plan_a_month)
{
    pid_t w[MAX_WORKERS];
    s_start(0, w);
    CTL_OK("clock set '2025-12-01 18:00'");
    static const struct { const char *kind, *rule, *kept, *missing, *next; } want[] = {
        { "daily-log", "work.daily_log", "2025-11-03", "2025-11-04", "2025-11-05" },
        { "weekly-plan", "work.weekly_plan", "2025-11-03", "2025-W46", "2025-11-17" },
        { "monthly-plan", "work.monthly_plan", "2025-10-01", "2025-11", "2025-12-01" },
    };
    for (size_t i = 0; i < 3; i++) {
        CTL_OK("work add --kind %s --date %s --branch SH01 --team kefu", want[i].kind,
               want[i].kept);
        CTL_OK("work add --kind %s --date %s --branch SH01 --team kefu", want[i].kind,
               want[i].next);
    }
    s_caught_up();
    static const char *const kept_period[] = { "2025-11-03", "2025-W45", "2025-10" };
    for (size_t i = 0; i < 3; i++) {
        char id[200];
        snprintf(id, sizeof id, "%s/SH01/kefu@%s", want[i].rule, kept_period[i]);
        STATUS(id, "none");
        snprintf(id, sizeof id, "%s/SH01/kefu@%s", want[i].rule, want[i].missing);
        json_t *f = s_finding(id);
        cr_assert(f, "%s: none in %s: %s", want[i].rule, want[i].missing, out);
        cr_assert_str_eq(s_str(f, "status"), "open", "%s", id);
        cr_assert_str_eq(s_str(f, "subject"), "SH01/kefu", "%s", id);
        cr_assert_str_eq(s_str(f, "month"), "2025-11", "%s", id);
        json_decref(f);
        cr_assert_eq(s_count(want[i].rule), 1, "%s: %s", want[i].rule, out);
    }
    s_finish(w);
}

Test(compliance_team, a_broken_week_fines_agent_and_supervisor_and_a_clean_month_pays_the_editor)
{
    pid_t w[MAX_WORKERS];
    s_start(1, w);
    CTL_OK("clock set '2025-11-10 08:00'");
    policy_put(&srv, "2025-11", "fines:\n  posts.weekly_life:\n    supervisor: 5000\n    agent: 3000\n"
                        "rewards:\n  posts.daily:\n    editor: 5000\n");
    CTL_OK("staff add --code S-1 --name 张伟 --branch SH01 --role presale");
    CTL_OK("staff add --code S-2 --name 李娜 --branch SH01 --role supervisor");
    CTL_OK("staff add --code S-3 --name 王芳 --branch SH01 --role editor");
    CTL_OK("staff add --code B-1 --name 赵敏 --branch BJ01 --role presale");
    CTL_OK("staff add --code B-3 --name 钱程 --branch BJ01 --role editor");
    CTL_OK("staff add --code G-1 --name 孙悦 --branch GZ01 --role presale");
    CTL_OK("staff add --code G-3 --name 周洁 --branch GZ01 --role editor");

    /* SH01: two life posts in 2025-W46 and no post on the 12th. */
    s_post("P-1", "sh01_kefu1", "S-1", "2025-11-10 10:00", "life", "");
    s_post("P-2", "sh01_kefu1", "S-1", "2025-11-11 10:00", "life", "");
    s_post("P-3", "sh01_kefu1", "S-1", "2025-11-13 10:00", "other", "");
    s_post("P-4", "sh01_kefu1", "S-1", "2025-11-17 10:00", "other", "");
    s_caught_up();
    json_t *f = s_finding("posts.weekly_life/sh01_kefu1@2025-W46");
    cr_assert(f, "two life posts in 2025-W46: %s", out);
    int found;
    cr_assert_eq(json_array_size(json_object_get(f, "fines")), 2, "agent and supervisor");
    cr_assert_eq(s_fine_of(f, "S-1", &found), -3000);
    cr_assert(found, "the post's staff answers as agent");
    cr_assert_eq(s_fine_of(f, "S-2", &found), -5000);
    cr_assert(found, "the branch's supervisor answers");
    s_fine_of(f, "S-3", &found);
    cr_assert(!found, "the editor has no fine for it");
    json_decref(f);
    STATUS("posts.daily/sh01_kefu1@2025-11-12", "open");

    int n;
    cr_assert_eq(s_statement_rule("staff:S-1", "2025-11", "fine.posts.weekly_life", &n), -3000);
    cr_assert_eq(n, 1, "one fine line for S-1");
    cr_assert_eq(s_statement_rule("staff:S-2", "2025-11", "fine.posts.weekly_life", &n), -5000);
    cr_assert_eq(n, 1, "one fine line for S-2");

    /* BJ01 posts every day from the 28th; GZ01 misses the 29th, then
     * back-fills it: a withdrawn finding leaves the month clean. */
    s_post("Q-1", "bj01_kefu1", "B-1", "2025-11-28 10:00", "other", "");
    s_post("Q-2", "bj01_kefu1", "B-1", "2025-11-29 10:00", "other", "");
    s_post("Q-3", "bj01_kefu1", "B-1", "2025-11-30 10:00", "other", "");
    s_post("R-1", "gz01_kefu1", "G-1", "2025-11-28 10:00", "other", "");
    s_post("R-3", "gz01_kefu1", "G-1", "2025-11-30 10:00", "other", "");
    s_caught_up();
    STATUS("posts.daily/gz01_kefu1@2025-11-29", "open");
    s_post("R-2", "gz01_kefu1", "G-1", "2025-11-29 10:00", "other", "");
    s_caught_up();
    STATUS("posts.daily/gz01_kefu1@2025-11-29", "withdrawn");

    CTL_OK("clock set '2025-12-01 00:00'");
    s_caught_up();
    STATUS("posts.daily/bj01_kefu1@2025-11-30", "none");
    STATUS("posts.daily/gz01_kefu1@2025-11-30", "none");
    CTL_OK("month close 2025-11");
    s_caught_up();

    /* The reward is written at the close, so commission puts it on the
     * next open month's statement (policy month 2025-11). */
    int64_t paid = 0;
    int lines = 0;
    static const char *const months[] = { "2025-11", "2025-12" };
    for (int m = 0; m < 2; m++) {
        paid += s_statement_rule("staff:B-3", months[m], "reward.posts.daily", &n);
        lines += n;
    }
    cr_assert_eq(paid, 5000, "BJ01's editor: no posts.daily finding in November");
    cr_assert_eq(lines, 1);
    cr_assert_eq(s_fine_result("reward:posts.daily@2025-11/BJ01/B-3"), 5000);
    paid = lines = 0;
    for (int m = 0; m < 2; m++) {
        paid += s_statement_rule("staff:G-3", months[m], "reward.posts.daily", &n);
        lines += n;
    }
    cr_assert_eq(paid, 5000, "GZ01's editor: its one finding was withdrawn");
    cr_assert_eq(lines, 1);
    for (int m = 0; m < 2; m++) {
        s_statement_rule("staff:S-3", months[m], "reward.posts.daily", &n);
        cr_assert_eq(n, 0, "SH01 had a posts.daily finding in November (%s)", months[m]);
    }
    /* SH01's account posted no life post after the 11th: W47 and W48 too. */
    cr_assert_eq(s_statement_rule("staff:S-1", "2025-11", "fine.posts.weekly_life", &n), -9000);
    cr_assert_eq(n, 3, "W46, W47 and W48");
    HAS("\"closed\":true");

    s_replay_matches(8);
    s_finish(w);
}

Test(compliance_team, people_acknowledge_resolve_and_waive_findings_and_resolved_stays_resolved)
{
    pid_t w[MAX_WORKERS];
    s_start(1, w);
    CTL_OK("clock set '2025-11-24 08:00'");
    policy_put(&srv, "2025-11",
               "fines:\n  posts.weekly_life:\n    supervisor: 5000\n    agent: 3000\n");
    CTL_OK("staff add --code S-1 --name 张伟 --branch SH01 --role presale");
    CTL_OK("staff add --code S-2 --name 李娜 --branch SH01 --role supervisor");
    /* One life post in each of 2025-W45, W46 and W47: two broken weeks. */
    s_post("P-1", "sh01_kefu1", "S-1", "2025-11-03 10:00", "life", "");
    s_post("P-2", "sh01_kefu1", "S-1", "2025-11-10 10:00", "life", "");
    s_post("P-3", "sh01_kefu1", "S-1", "2025-11-17 10:00", "life", "");
    s_caught_up();
    const char *w45 = "posts.weekly_life/sh01_kefu1@2025-W45";
    const char *w46 = "posts.weekly_life/sh01_kefu1@2025-W46";
    STATUS(w45, "open");
    STATUS(w46, "open");
    int n;
    cr_assert_eq(s_statement_rule("staff:S-1", "2025-11", "fine.posts.weekly_life", &n), -6000);
    cr_assert_eq(n, 2);

    CTL_OK("finding ack %s --by S-2", w45);
    s_caught_up();
    json_t *f = s_finding(w45);
    cr_assert_str_eq(s_str(f, "status"), "acknowledged");
    cr_assert_str_eq(s_str(f, "status_by"), "S-2");
    json_decref(f);

    CTL_OK("finding resolve %s --by S-2 --reason '已约谈客服，下周补足'", w45);
    s_caught_up();
    f = s_finding(w45);
    cr_assert_str_eq(s_str(f, "status"), "resolved");
    cr_assert_str_eq(s_str(f, "status_by"), "S-2");
    cr_assert_str_eq(s_str(f, "status_reason"), "已约谈客服，下周补足");
    cr_assert(!json_is_true(json_object_get(f, "waived")));
    json_decref(f);
    cr_assert_eq(s_fine_result("posts.weekly_life/sh01_kefu1@2025-W45/S-1"), -3000,
                 "resolved without a waiver: the fine stands");

    CTL_OK("finding resolve %s --by S-2 --reason '系统故障，帖子未同步' --waive", w46);
    s_caught_up();
    f = s_finding(w46);
    cr_assert_str_eq(s_str(f, "status"), "resolved");
    cr_assert_str_eq(s_str(f, "status_reason"), "系统故障，帖子未同步");
    cr_assert(json_is_true(json_object_get(f, "waived")));
    json_decref(f);
    cr_assert_eq(s_fine_result("posts.weekly_life/sh01_kefu1@2025-W46/S-1"), 0);
    cr_assert_eq(s_fine_result("posts.weekly_life/sh01_kefu1@2025-W46/S-2"), 0);
    /* Commission drops a 0 fine from the open month's statement. */
    cr_assert_eq(s_statement_rule("staff:S-1", "2025-11", "fine.posts.weekly_life", &n), -3000,
                 "W45's fine only");
    cr_assert_eq(n, 1, "the waived line is gone");
    cr_assert_eq(s_statement_rule("staff:S-2", "2025-11", "fine.posts.weekly_life", &n), -5000);

    /* Life posts back-filled into W45: a resolved finding stays resolved. */
    s_post("P-4", "sh01_kefu1", "S-1", "2025-11-05 10:00", "life", "");
    s_post("P-5", "sh01_kefu1", "S-1", "2025-11-07 10:00", "life", "");
    s_caught_up();
    STATUS(w45, "resolved");

    cr_assert_eq(ctl(&srv, out, sizeof out, "finding resolve posts.weekly_life/nobody@2025-W45 "
                     "--by S-2 --reason x"), 1, "an unknown finding: %s", out);
    HAS("no finding posts.weekly_life/nobody@2025-W45");
    cr_assert_eq(ctl(&srv, out, sizeof out, "finding ack posts.weekly_life/nobody@2025-W45 "
                     "--by S-2"), 1, "an unknown finding: %s", out);
    HAS("no finding");

    s_replay_matches(6);
    s_finish(w);
}
