/* test_compliance_month - ledger-compliance over the generated demo year,
 * run as scripts/run runs it (a --test-clock ledgerd at 2026-09-01, the demo
 * policy, ledger-demo, then attribution, commission and compliance), with
 * the clock moved past the quiet day: for November and December 2025 each
 * rule has as many open findings as a direct count over the same records
 * (demo_generate with the same seed and scale, in this process) says, and
 * none is withdrawn. The count is a plain batch pass over the records, the
 * spec's rules read literally; the rules at their edges are other tests'. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include "date.h"
#include "demo.h"
#include "fold.h"
#include "server.h"

#define SEED     1
#define SCALE    1
#define HOUR_MS  (3600LL * 1000)
#define DAY_MS   (24 * HOUR_MS)
#define ONCE_MS  (10 * 60 * 1000)   /* a worker's catch-up on the year, under the sanitizers */
#define LOADED   "2026-09-01 00:00"  /* ledger time while the demo loads: after its year */
#define JUDGED   "2026-09-03 00:00"  /* two days on: past every quiet day */

/* The default policy's numbers (policies/demo.yaml sets only commission rates). */
#define FIRST_RESPONSE_H  24
#define COMPLAINT_CLOSE_H 168
#define MAJOR_REPORT_H    1
#define MEMBER_CALLBACK_H 72
#define ROTATION_DAYS     90
#define DAILY_MIN         1
#define WEEKLY_LIFE_MIN   3
#define BROADCASTS_MAX    3

static server_t srv;

/* s_teardown - the ledger goes, whatever the test came to */
static void s_teardown(void)
{
    if (srv.dir[0])
        server_remove(&srv);
}

TestSuite(compliance_month, .fini = s_teardown, .timeout = 900);

static char out[1 << 23];   /* a month's findings as JSON */

#define CTL_OK(...) do { int rc_ = ctl(&srv, out, sizeof out, __VA_ARGS__); \
    cr_assert_eq(rc_, 0, "ledgerctl exit %d: %s", rc_, out); } while (0)

/* The rules counted here, and the months. */
static const char *const s_rules[] = {
    "posts.daily", "posts.weekly_life", "posts.monthly_broadcasts", "posts.duplicate_text",
    "training.weekly_script", "work.daily_log", "work.weekly_plan", "work.monthly_plan",
    "service.first_response", "service.complaint_followup", "service.major_complaint",
    "service.member_callback", "service.callback_result", "finance.expenditure_approval",
    "finance.account_owner", "finance.account_rotation", "order.roles_missing",
    "price.below_channel" };
#define N_RULES (sizeof s_rules / sizeof *s_rules)
static const char *const s_months[] = { "2025-11", "2025-12" };
#define N_MONTHS 2

static int s_want[N_RULES][N_MONTHS];   /* expected findings */
static int64_t s_judged_ms;             /* ledger time of the last compliance run */

/* s_rule - the index of rule in s_rules */
static size_t s_rule(const char *rule)
{
    for (size_t i = 0; i < N_RULES; i++)
        if (!strcmp(s_rules[i], rule))
            return i;
    cr_assert_fail("no rule %s", rule);
    return 0;
}

/* s_month - the index of the month of d in s_months, or -1 */
static int s_month(date_t d)
{
    return d.y == 2025 && (d.m == 11 || d.m == 12) ? d.m - 11 : -1;
}

/* s_expect - one finding of rule that belongs to the month of day d */
static void s_expect(const char *rule, date_t d)
{
    int m = s_month(d);
    if (m >= 0)
        s_want[s_rule(rule)][m]++;
}

/* s_expect_at - one finding of rule that belongs to the month of a time */
static void s_expect_at(const char *rule, int64_t ms)
{
    s_expect(rule, date_of(ms));
}

/* s_empty - no text */
static int s_empty(const char *s) { return !s || !*s; }

/* s_day_text - "2025-11-03" */
static const char *s_day_text(char out[16], date_t d)
{
    date_format(out, 16, d);
    return out;
}

/* s_ms - a local time as ms */
static int64_t s_ms(const char *text)
{
    int64_t ms;
    err_t err;
    cr_assert_eq(date_parse_time(&ms, text, &err), 0, "%s: %s", text, err.msg);
    return ms;
}

/* ---- the books: records by code ---------------------------------------- */

typedef struct {
    json_t *staff, *customers, *products;   /* code -> record index */
    json_t *distributors;                   /* customer code -> true */
} books_t;

/* s_find - the record of code in book, or NULL */
static const Ledger__Record *s_find(const demo_t *d, json_t *book, const char *code)
{
    json_t *v = code ? json_object_get(book, code) : NULL;
    return v ? d->records[json_integer_value(v)] : NULL;
}

/* s_staff_has - staff code holds the role */
static int s_staff_has(const demo_t *d, const books_t *b, const char *code, Ledger__StaffRole role)
{
    const Ledger__Record *r = s_find(d, b->staff, code);
    for (size_t i = 0; r && i < r->staff->n_roles; i++)
        if (r->staff->roles[i] == role)
            return 1;
    return 0;
}

/* s_books - the books of d's staff, customers, products and distributors */
static void s_books(const demo_t *d, books_t *b)
{
    b->staff = json_object();
    b->customers = json_object();
    b->products = json_object();
    b->distributors = json_object();
    for (size_t i = 0; i < d->n_records; i++) {
        const Ledger__Record *r = d->records[i];
        if (r->kind_case == LEDGER__RECORD__KIND_STAFF)
            json_object_set_new(b->staff, r->staff->code, json_integer((json_int_t)i));
        else if (r->kind_case == LEDGER__RECORD__KIND_CUSTOMER)
            json_object_set_new(b->customers, r->customer->code, json_integer((json_int_t)i));
        else if (r->kind_case == LEDGER__RECORD__KIND_PRODUCT)
            json_object_set_new(b->products, r->product->code, json_integer((json_int_t)i));
        else if (r->kind_case == LEDGER__RECORD__KIND_PARTNER &&
                 r->partner->kind == LEDGER__PARTNER_KIND__PARTNER_DISTRIBUTOR &&
                 !s_empty(r->partner->customer_code))
            json_object_set_new(b->distributors, r->partner->customer_code, json_true());
    }
}

/* s_books_free - let the books go */
static void s_books_free(books_t *b)
{
    json_decref(b->staff);
    json_decref(b->customers);
    json_decref(b->products);
    json_decref(b->distributors);
}

/* ---- counting rules: records per subject and day ----------------------- */

/* tallies: "<rule>|<subject>" -> { first, last: day text of the subject's
 * first and last record, active: false when the account's staff has left,
 * days: { day text: records counted } } */

/* s_mark - a record of subject on day for rule: counted n times (0: it only
 * shows the subject at work that day) */
static void s_mark(json_t *tallies, const char *rule, const char *subject, date_t day, int n,
                   int active)
{
    char key[256], text[16];
    snprintf(key, sizeof key, "%s|%s", rule, subject);
    s_day_text(text, day);
    json_t *t = json_object_get(tallies, key);
    if (!t) {
        t = json_pack("{s:s, s:s, s:{}}", "first", text, "last", text, "days");
        json_object_set_new(tallies, key, t);
    }
    if (strcmp(text, json_string_value(json_object_get(t, "first"))) < 0)
        json_object_set_new(t, "first", json_string(text));
    if (strcmp(text, json_string_value(json_object_get(t, "last"))) > 0)
        json_object_set_new(t, "last", json_string(text));
    json_object_set_new(t, "active", json_boolean(active));   /* as of its latest record */
    json_t *days = json_object_get(t, "days");
    json_int_t was = json_integer_value(json_object_get(days, text));
    json_object_set_new(days, text, json_integer(was + n));
}

/* s_sum - records counted from day first, for n days */
static int s_sum(json_t *t, date_t first, int n)
{
    json_t *days = json_object_get(t, "days");
    int sum = 0;
    char text[16];
    for (int i = 0; i < n; i++)
        sum += (int)json_integer_value(json_object_get(days, s_day_text(text, date_add_days(first, i))));
    return sum;
}

/* s_period - judge one period [first, first + n days) of tally t for rule:
 * an "at least" period is judged from the subject's first period with a
 * record; before its last one, or after it while the subject is active
 * (the quiet day has passed for all of 2025 by JUDGED) */
static void s_period(const char *rule, json_t *t, date_t first, int n, int min, int max)
{
    date_t last_day = date_add_days(first, n - 1);
    char text[16];
    s_day_text(text, last_day);
    int count = s_sum(t, first, n);
    if (max >= 0) {   /* at most: judged at each record */
        if (count > max)
            s_expect(rule, last_day);
        return;
    }
    int judged = strcmp(text, json_string_value(json_object_get(t, "first"))) >= 0 &&
                 (strcmp(text, json_string_value(json_object_get(t, "last"))) < 0 ||
                  json_is_true(json_object_get(t, "active")));
    if (judged && count < min)
        s_expect(rule, last_day);
}

/* s_tallies - every counting rule's findings of November and December:
 * the days of those months, the ISO weeks whose Sunday is in them (a week
 * across two months belongs to the later), the months themselves */
static void s_tallies(json_t *tallies)
{
    const char *key;
    json_t *t;
    json_object_foreach(tallies, key, t) {
        char rule[64];
        snprintf(rule, sizeof rule, "%.*s", (int)strcspn(key, "|"), key);
        if (!strcmp(rule, "posts.daily") || !strcmp(rule, "work.daily_log")) {
            int min = !strcmp(rule, "posts.daily") ? DAILY_MIN : 1;
            for (date_t d = { 2025, 11, 1 }; d.y == 2025; d = date_add_days(d, 1))
                s_period(rule, t, d, 1, min, -1);
        } else if (!strcmp(rule, "posts.weekly_life") || !strcmp(rule, "training.weekly_script") ||
                   !strcmp(rule, "work.weekly_plan")) {
            int min = !strcmp(rule, "posts.weekly_life") ? WEEKLY_LIFE_MIN : 1;
            /* 2025-10-27 is a Monday: its week ends on Sunday 2 November. */
            for (date_t mon = { 2025, 10, 27 }; date_add_days(mon, 6).y == 2025;
                 mon = date_add_days(mon, 7))
                s_period(rule, t, mon, 7, min, -1);
        } else {
            int at_most = !strcmp(rule, "posts.monthly_broadcasts");
            for (int m = 11; m <= 12; m++)
                s_period(rule, t, (date_t){ 2025, m, 1 }, date_days_in_month(2025, m),
                         at_most ? 0 : 1, at_most ? BROADCASTS_MAX : -1);
        }
    }
}

/* s_posts - posts.daily, weekly_life and monthly_broadcasts per account
 * (into tallies), and posts.duplicate_text: a promotional post, not a
 * broadcast, whose folded text an earlier post had */
static void s_posts(const demo_t *d, const books_t *b, json_t *tallies)
{
    json_t *texts = json_object();   /* folded text -> [[time, index]...] */
    for (size_t i = 0; i < d->n_records; i++) {
        if (d->records[i]->kind_case != LEDGER__RECORD__KIND_POST)
            continue;
        const Ledger__SocialPost *p = d->records[i]->post;
        if (s_empty(p->wechat_account))
            continue;
        const Ledger__Record *st = s_find(d, b->staff, p->staff_code);
        int active = !st || st->staff->active;
        date_t day = date_of(p->time_ms);
        s_mark(tallies, "posts.daily", p->wechat_account, day, 1, active);
        s_mark(tallies, "posts.weekly_life", p->wechat_account, day,
               p->kind == LEDGER__POST_KIND__POST_LIFE, active);
        if (p->broadcast)
            s_mark(tallies, "posts.monthly_broadcasts", p->wechat_account, day, 1, active);
        if (p->kind == LEDGER__POST_KIND__POST_PROMOTION && !p->broadcast && !s_empty(p->text)) {
            char *folded = fold_text(p->text, strlen(p->text));
            cr_assert(folded, "%s: text is not UTF-8", p->code);
            json_t *same = json_object_get(texts, folded);
            if (!same)
                json_object_set_new(texts, folded, same = json_array());
            json_array_append_new(same, json_pack("[I, I]", (json_int_t)p->time_ms, (json_int_t)i));
            free(folded);
        }
    }
    /* Each post of a text but the first posted is a repeat. */
    const char *key;
    json_t *same;
    json_object_foreach(texts, key, same) {
        size_t first = 0, k;
        json_t *v;
        json_array_foreach(same, k, v)
            if (json_integer_value(json_array_get(v, 0)) <
                json_integer_value(json_array_get(json_array_get(same, first), 0)))
                first = k;
        json_array_foreach(same, k, v)
            if (k != first)
                s_expect_at("posts.duplicate_text", json_integer_value(json_array_get(v, 0)));
    }
    json_decref(texts);
}

/* s_work - training, daily logs and plans per team "<branch>/<team>" */
static void s_work(const demo_t *d, json_t *tallies)
{
    for (size_t i = 0; i < d->n_records; i++) {
        if (d->records[i]->kind_case != LEDGER__RECORD__KIND_WORK)
            continue;
        const Ledger__WorkRecord *w = d->records[i]->work;
        const char *rule = w->kind == LEDGER__WORK_KIND__WORK_SCRIPT_TRAINING ? "training.weekly_script"
                         : w->kind == LEDGER__WORK_KIND__WORK_DAILY_LOG ? "work.daily_log"
                         : w->kind == LEDGER__WORK_KIND__WORK_WEEKLY_PLAN ? "work.weekly_plan"
                         : w->kind == LEDGER__WORK_KIND__WORK_MONTHLY_PLAN ? "work.monthly_plan"
                         : NULL;
        date_t day;
        err_t err;
        cr_assert(rule, "%s: kind %d", w->code, w->kind);
        cr_assert_eq(date_parse(&day, w->date, &err), 0, "%s: date %s", w->code, w->date);
        char team[160];
        snprintf(team, sizeof team, "%s/%s", w->branch, w->team);
        s_mark(tallies, rule, team, day, 1, 1);
    }
}

/* ---- record rules ------------------------------------------------------ */

/* s_step - the earliest time of a step of kind about a case, or 0 */
static int64_t s_step(json_t *steps, int kind, const char *about)
{
    char key[200];
    snprintf(key, sizeof key, "%d|%s", kind, about);
    return json_integer_value(json_object_get(steps, key));
}

/* s_service - issues answered, complaints closed and told and reported in
 * time (a finding's month is its deadline's), callbacks with a result */
static void s_service(const demo_t *d)
{
    json_t *steps = json_object();   /* "<kind>|<about>" -> the earliest time */
    for (size_t i = 0; i < d->n_records; i++) {
        if (d->records[i]->kind_case != LEDGER__RECORD__KIND_SERVICE)
            continue;
        const Ledger__ServiceEvent *e = d->records[i]->service;
        if (e->kind == LEDGER__SERVICE_KIND__SERVICE_CALLBACK) {
            int empty = 1;
            for (const char *s = e->result; s && *s; s++)
                empty &= *s == ' ' || *s == '\t' || *s == '\r' || *s == '\n';
            if (empty)
                s_expect_at("service.callback_result", e->time_ms);
            continue;
        }
        if (s_empty(e->about_code))
            continue;
        char key[200];
        snprintf(key, sizeof key, "%d|%s", e->kind, e->about_code);
        json_t *was = json_object_get(steps, key);
        if (!was || json_integer_value(was) > e->time_ms)
            json_object_set_new(steps, key, json_integer(e->time_ms));
    }
    for (size_t i = 0; i < d->n_records; i++) {
        if (d->records[i]->kind_case != LEDGER__RECORD__KIND_SERVICE)
            continue;
        const Ledger__ServiceEvent *e = d->records[i]->service;
        if (e->kind == LEDGER__SERVICE_KIND__SERVICE_ISSUE) {
            int64_t due = e->time_ms + FIRST_RESPONSE_H * HOUR_MS;
            int64_t resp = s_step(steps, LEDGER__SERVICE_KIND__SERVICE_RESPONSE, e->code);
            if (resp ? resp > due : s_judged_ms > due)
                s_expect_at("service.first_response", due);
        } else if (e->kind == LEDGER__SERVICE_KIND__SERVICE_COMPLAINT) {
            int64_t due = e->time_ms + COMPLAINT_CLOSE_H * HOUR_MS;
            int64_t closed = s_step(steps, LEDGER__SERVICE_KIND__SERVICE_COMPLAINT_CLOSED, e->code);
            int64_t told = s_step(steps, LEDGER__SERVICE_KIND__SERVICE_CUSTOMER_TOLD, e->code);
            int kept = closed && told && closed <= due && told <= due;
            if (!kept && ((closed && closed > due) || (told && told > due) || s_judged_ms > due))
                s_expect_at("service.complaint_followup", due);
            if (e->severity == LEDGER__SEVERITY__SEVERITY_MAJOR) {
                int64_t by = e->time_ms + MAJOR_REPORT_H * HOUR_MS;
                int64_t rep = s_step(steps, LEDGER__SERVICE_KIND__SERVICE_REPORTED, e->code);
                if (rep ? rep > by : s_judged_ms > by)
                    s_expect_at("service.major_complaint", by);
            }
        }
    }
    json_decref(steps);
}

/* s_orders - roles on shipped orders (the month of shipping), prices below
 * the channel price (the month placed), and each completed order of a
 * member called back within the hours (the month of the deadline) */
static void s_orders(const demo_t *d, const books_t *b)
{
    json_t *calls = json_object();   /* customer code -> [[time, order code]...] */
    for (size_t i = 0; i < d->n_records; i++) {
        const Ledger__Record *r = d->records[i];
        if (r->kind_case != LEDGER__RECORD__KIND_SERVICE ||
            r->service->kind != LEDGER__SERVICE_KIND__SERVICE_CALLBACK)
            continue;
        json_t *list = json_object_get(calls, r->service->customer_code);
        if (!list)
            json_object_set_new(calls, r->service->customer_code, list = json_array());
        json_array_append_new(list, json_pack("[I, s]", (json_int_t)r->service->time_ms,
                                              r->service->order_code ? r->service->order_code : ""));
    }
    for (size_t i = 0; i < d->n_records; i++) {
        if (d->records[i]->kind_case != LEDGER__RECORD__KIND_ORDER)
            continue;
        const Ledger__Order *o = d->records[i]->order;
        int gone = o->status == LEDGER__ORDER_STATUS__SHIPPED ||
                   o->status == LEDGER__ORDER_STATUS__COMPLETED;
        if (gone && (!o->handler || s_empty(o->handler->code) || o->n_arrangers == 0))
            s_expect_at("order.roles_missing", o->shipped_ms ? o->shipped_ms : o->completed_ms);

        if (!json_object_get(b->distributors, o->customer_code)) {
            int below = 0;
            for (size_t k = 0; k < o->n_lines; k++) {
                const Ledger__Record *p = s_find(d, b->products, o->lines[k]->product);
                below |= p && o->lines[k]->unit_price < p->product->channel_price;
            }
            int approved = o->price_approver &&
                           o->price_approver->kind == LEDGER__PARTY_KIND__PARTY_STAFF &&
                           s_staff_has(d, b, o->price_approver->code,
                                       LEDGER__STAFF_ROLE__SUPERVISOR);
            if (below && !approved)
                s_expect_at("price.below_channel", o->placed_ms);
        }

        const Ledger__Record *c = s_find(d, b->customers, o->customer_code);
        if (o->status != LEDGER__ORDER_STATUS__COMPLETED || !o->completed_ms || !c ||
            !c->customer->member)
            continue;
        int64_t due = o->completed_ms + MEMBER_CALLBACK_H * HOUR_MS;
        int in_time = 0, late = 0;
        size_t k;
        json_t *call;
        json_array_foreach(json_object_get(calls, o->customer_code), k, call) {
            int64_t t = json_integer_value(json_array_get(call, 0));
            const char *about = json_string_value(json_array_get(call, 1));
            if (*about && strcmp(about, o->code))
                continue;
            in_time |= t >= o->completed_ms && t <= due;
            late |= t > due;
        }
        if (!in_time && (late || s_judged_ms > due))
            s_expect_at("service.member_callback", due);
    }
    json_decref(calls);
}

/* s_finance - expenses approved in order and told (the entry's month);
 * receiving accounts owned inside their team (the month opened); accounts
 * not rotated in time (the month of the deadline) */
static void s_finance(const demo_t *d, const books_t *b)
{
    for (size_t i = 0; i < d->n_records; i++) {
        const Ledger__Record *r = d->records[i];
        if (r->kind_case == LEDGER__RECORD__KIND_ENTRY &&
            r->entry->category == LEDGER__ENTRY_CATEGORY__CATEGORY_EXPENSE) {
            const Ledger__FinanceEntry *e = r->entry;
            const Ledger__Approval *req = e->request, *prop = e->proposal, *dec = e->decision;
            int ok = req && !s_empty(req->staff_code) && prop &&
                     s_staff_has(d, b, prop->staff_code, LEDGER__STAFF_ROLE__SUPERVISOR) && dec &&
                     s_staff_has(d, b, dec->staff_code, LEDGER__STAFF_ROLE__RESPONSIBLE) &&
                     dec->approved && req->time_ms <= prop->time_ms &&
                     prop->time_ms <= dec->time_ms;
            int told_sup = 0, told_resp = 0;
            for (size_t k = 0; k < e->n_notices; k++) {
                told_sup |= s_staff_has(d, b, e->notices[k]->staff_code,
                                        LEDGER__STAFF_ROLE__SUPERVISOR);
                told_resp |= s_staff_has(d, b, e->notices[k]->staff_code,
                                         LEDGER__STAFF_ROLE__RESPONSIBLE);
            }
            if (!ok || !told_sup || !told_resp)
                s_expect_at("finance.expenditure_approval", e->time_ms);
        } else if (r->kind_case == LEDGER__RECORD__KIND_ACCOUNT) {
            const Ledger__Account *a = r->account;
            int receiving = a->kind == LEDGER__ACCOUNT_KIND__ACCOUNT_RECEIVING;
            if (receiving && !s_empty(a->owner_team) && !s_empty(a->team) &&
                !strcmp(a->owner_team, a->team))
                s_expect_at("finance.account_owner", a->opened_ms);
            int64_t due = a->opened_ms + ROTATION_DAYS * DAY_MS;
            if ((receiving || a->kind == LEDGER__ACCOUNT_KIND__ACCOUNT_PAYING) && a->opened_ms &&
                !a->closed && s_judged_ms > due)
                s_expect_at("finance.account_rotation", due);
        }
    }
}

/* s_expected - every rule's findings of November and December in d */
static void s_expected(const demo_t *d)
{
    books_t b;
    s_books(d, &b);
    json_t *tallies = json_object();
    s_posts(d, &b, tallies);
    s_work(d, tallies);
    s_tallies(tallies);
    s_service(d);
    s_orders(d, &b);
    s_finance(d, &b);
    json_decref(tallies);
    s_books_free(&b);
}

/* ---- the run ----------------------------------------------------------- */

/* s_once - ledger-<worker> --once against srv: it catches up and exits 0 */
static void s_once(const char *worker)
{
    char log[512];
    snprintf(log, sizeof log, "%s/%s.log", srv.dir, worker);
    pid_t w = worker_start(&srv, worker, "--once --quiet", log);
    int rc = proc_wait_ms(w, ONCE_MS);
    if (rc == 0)
        return;
    /* The log goes with the data directory: say its end here. */
    char tail[2048] = "";
    FILE *f = fopen(log, "r");
    if (f) {
        fseek(f, 0, SEEK_END);
        long size = ftell(f);
        fseek(f, size > (long)sizeof tail - 1 ? size - (long)sizeof tail + 1 : 0, SEEK_SET);
        tail[fread(tail, 1, sizeof tail - 1, f)] = 0;
        fclose(f);
    }
    cr_assert_fail("ledger-%s --once: exit %d; its log ends:\n%s", worker, rc, tail);
}

/* s_demo - ledger-demo --json with this seed and scale; its record count */
static size_t s_demo(void)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s --endpoint %s --seed %d --scale %d --json 2>&1", LEDGER_DEMO_BIN,
             srv.listen, SEED, SCALE);
    FILE *p = popen(cmd, "r");
    cr_assert(p, "popen %s", cmd);
    size_t len = fread(out, 1, sizeof out - 1, p);
    out[len] = 0;
    int status = pclose(p);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "ledger-demo: status %d: %s", status,
              out);
    json_error_t jerr;
    json_t *j = json_loads(out, 0, &jerr);
    cr_assert(j, "ledger-demo --json: %s: %s", jerr.text, out);
    size_t n = (size_t)json_integer_value(json_object_get(j, "records"));
    json_decref(j);
    return n;
}

/* s_policy_path - policies/demo.yaml of the source tree, found from this file's path */
static void s_policy_path(char *path, size_t n)
{
    const char *here = __FILE__, *cut = strstr(here, "tests/integration/");
    cr_assert(cut, "cannot find the source tree from %s", here);
    snprintf(path, n, "%.*spolicies/demo.yaml", (int)(cut - here), here);
}

/* s_found - the month's findings by rule: open ones into got; the number
 * withdrawn (any rule) returned */
static int s_found(const char *month, int got[N_RULES])
{
    CTL_OK("--json findings --status all --month %s", month);
    json_error_t jerr;
    json_t *list = json_loads(out, 0, &jerr);
    cr_assert(json_is_array(list), "findings --json: %s: %.300s", jerr.text, out);
    int withdrawn = 0;
    size_t i;
    json_t *f;
    json_array_foreach(list, i, f) {
        const char *rule = json_string_value(json_object_get(f, "rule"));
        const char *status = json_string_value(json_object_get(f, "status"));
        const char *m = json_string_value(json_object_get(f, "month"));
        cr_assert(rule && status && m, "a finding without rule, status or month: %.300s", out);
        cr_assert_str_eq(m, month, "%s", json_string_value(json_object_get(f, "id")));
        if (!strcmp(status, "withdrawn")) {
            withdrawn++;
            cr_log_error("withdrawn: %s: %s", json_string_value(json_object_get(f, "id")),
                         json_string_value(json_object_get(f, "status_reason")));
        }
        for (size_t k = 0; k < N_RULES; k++)
            if (!strcmp(rule, s_rules[k]) && !strcmp(status, "open"))
                got[k]++;
    }
    json_decref(list);
    return withdrawn;
}

Test(compliance_month, a_generated_month_yields_the_expected_count_per_rule)
{
    err_t err;
    cr_assert_eq(date_zone_set("Asia/Shanghai", &err), 0, "%s", err.msg);   /* ledgerd's default */
    s_judged_ms = s_ms(JUDGED);
    demo_t d;
    demo_generate(&d, SEED, SCALE);
    s_expected(&d);
    size_t generated = d.n_records;
    demo_free(&d);

    /* The data set has the cases the demo is for, so this cannot pass on nothing. */
    static const struct { const char *rule; int month; } cases[] = {
        { "posts.daily", -1 }, { "posts.weekly_life", -1 }, { "posts.monthly_broadcasts", 1 },
        { "posts.duplicate_text", 0 }, { "service.first_response", -1 }, { "work.daily_log", -1 } };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        size_t k = s_rule(cases[i].rule);
        int n = cases[i].month < 0 ? s_want[k][0] + s_want[k][1] : s_want[k][cases[i].month];
        cr_assert_gt(n, 0, "the demo has no %s finding in %s", cases[i].rule,
                     cases[i].month < 0 ? "November or December" : s_months[cases[i].month]);
    }

    /* scripts/run's order: the demo policy, then the data set, on a ledger after its year. */
    char policy[1024];
    s_policy_path(policy, sizeof policy);
    server_start(&srv, "--test-clock");
    CTL_OK("clock set '%s'", LOADED);
    CTL_OK("policy set --month 2025-09 %s", policy);
    cr_assert_eq(s_demo(), generated, "ledger-demo loaded another data set than this process made");
    s_once("attribution");
    s_once("commission");
    s_once("compliance");
    /* Past the quiet day: what is missing is missing now. */
    CTL_OK("clock set '%s'", JUDGED);
    s_once("compliance");

    for (int m = 0; m < N_MONTHS; m++) {
        int got[N_RULES] = { 0 };
        int withdrawn = s_found(s_months[m], got);
        cr_expect_eq(withdrawn, 0, "%s: %d findings withdrawn, want none", s_months[m], withdrawn);
        for (size_t k = 0; k < N_RULES; k++) {
            cr_log_info("%s %-30s want %3d, found %3d", s_months[m], s_rules[k], s_want[k][m],
                        got[k]);
            cr_expect_eq(got[k], s_want[k][m], "%s in %s: %d open findings, want %d", s_rules[k],
                         s_months[m], got[k], s_want[k][m]);
        }
    }
}
