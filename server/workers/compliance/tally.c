/* tally - counted records over periods (see tally.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "finding.h"
#include "tally.h"
#include "xmalloc.h"

#define SUBJ_WECHAT LEDGER__SUBJECT_KIND__SUBJECT_WECHAT
#define SUBJ_TEAM   LEDGER__SUBJECT_KIND__SUBJECT_TEAM
#define SEQS_KEPT   8       /* evidence kept per period */

static const tally_rule_t s_rules[] = {
    { "posts.daily", PERIOD_DAY, SUBJ_WECHAT, 0, "posts" },
    { "posts.weekly_life", PERIOD_WEEK, SUBJ_WECHAT, 0, "life posts" },
    { "posts.monthly_broadcasts", PERIOD_MONTH, SUBJ_WECHAT, 1, "group broadcasts" },
    { "training.weekly_script", PERIOD_WEEK, SUBJ_TEAM, 0, "script trainings" },
    { "work.daily_log", PERIOD_DAY, SUBJ_TEAM, 0, "daily work logs" },
    { "work.weekly_plan", PERIOD_WEEK, SUBJ_TEAM, 0, "weekly plans" },
    { "work.monthly_plan", PERIOD_MONTH, SUBJ_TEAM, 0, "monthly plans" },
};

const tally_rule_t *tally_rule(const char *rule)
{
    for (size_t i = 0; i < sizeof s_rules / sizeof *s_rules; i++)
        if (!strcmp(s_rules[i].rule, rule))
            return &s_rules[i];
    return NULL;
}

/* s_limit - the month's policy number for the rule */
static int64_t s_limit(cx_t *cx, const tally_rule_t *tr, int64_t p)
{
    char month[8];
    period_month(month, tr->kind, p);
    const Ledger__Policy *pol = check_policy_month(cx, month);
    const Ledger__PostQuotas *q = pol->posts;
    if (!strcmp(tr->rule, "posts.daily"))
        return q ? q->daily_min : 1;
    if (!strcmp(tr->rule, "posts.weekly_life"))
        return q ? q->weekly_life_min : 3;
    if (!strcmp(tr->rule, "posts.monthly_broadcasts"))
        return q ? q->monthly_broadcasts_max : 3;
    return 1;
}

/* s_find - the index of period p in t's rising list, or where it goes */
static size_t s_find(const Ledger__Tally *t, int64_t p)
{
    size_t lo = 0, hi = t->n_periods;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->periods[mid]->period < p)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* s_flag - mark or unmark p among t's flagged periods (a rising list) */
static void s_flag(Ledger__Tally *t, int64_t p, int on)
{
    size_t i = 0;
    while (i < t->n_flagged && t->flagged[i] < p)
        i++;
    int is = i < t->n_flagged && t->flagged[i] == p;
    if (on && !is) {
        t->flagged = xrealloc(t->flagged, (t->n_flagged + 1) * sizeof *t->flagged);
        memmove(t->flagged + i + 1, t->flagged + i, (t->n_flagged - i) * sizeof *t->flagged);
        t->flagged[i] = p;
        t->n_flagged++;
    } else if (!on && is) {
        memmove(t->flagged + i, t->flagged + i + 1,
                (t->n_flagged - i - 1) * sizeof *t->flagged);
        t->n_flagged--;
    }
}

/* s_judge - the verdict on period p of tally t */
static int s_judge(cx_t *cx, const tally_rule_t *tr, Ledger__Tally *t, int64_t p, int64_t fact_ms)
{
    size_t i = s_find(t, p);
    const Ledger__PeriodCount *pc = i < t->n_periods && t->periods[i]->period == p
                                        ? t->periods[i] : NULL;
    int64_t count = pc ? pc->count : 0, limit = s_limit(cx, tr, p);
    int broken = tr->at_most ? count > limit : count < limit;
    int flagged = 0;
    for (size_t k = 0; k < t->n_flagged; k++)
        flagged |= t->flagged[k] == p;
    char period[16], month[8];
    period_format(period, sizeof period, tr->kind, p);
    period_month(month, tr->kind, p);
    if (!broken && !flagged)
        return finding_checked(cx, tr->rule, t->branch, month);
    uint64_t evidence[SEQS_KEPT + 1];
    size_t n = 0;
    for (size_t k = 0; pc && k < pc->n_seqs; k++)
        evidence[n++] = pc->seqs[k];
    if (!n || evidence[n - 1] != cx->e->seq)
        evidence[n++] = cx->e->seq;   /* the event that made it judged */
    char reason[400];
    if (broken)
        snprintf(reason, sizeof reason, "%s: %lld %s in %s; the rule is at %s %lld", t->subject,
                 (long long)count, tr->what, period, tr->at_most ? "most" : "least",
                 (long long)limit);
    else
        snprintf(reason, sizeof reason, "%s: %lld %s in %s as now recorded", t->subject,
                 (long long)count, tr->what, period);
    int64_t end = period_end_ms(tr->kind, p);
    verdict_t v = { .rule = tr->rule, .subject_kind = t->subject_kind, .subject = t->subject,
                    .period = period, .branch = t->branch, .month = month,
                    .at_ms = tr->at_most && fact_ms && fact_ms < end ? fact_ms : end,
                    .agent = t->agent, .evidence = evidence, .n_evidence = n, .reason = reason };
    if (finding_judge(cx, &v, broken) < 0)
        return -1;
    s_flag(t, p, broken);
    return 0;
}

/* s_advance - judge the "at least" periods that are over: those before the
 * latest with records, then, while the agent is active, those whose end and
 * a quiet day since the last record have passed; and ask to be woken for
 * the next */
static int s_advance(cx_t *cx, const tally_rule_t *tr, rec_t *r)
{
    Ledger__Tally *t = (Ledger__Tally *)r->msg;
    if (tr->at_most || !t->n_periods)
        return 0;
    int64_t last = t->periods[t->n_periods - 1]->period;
    while (t->judged_to < last)
        if (s_judge(cx, tr, t, t->judged_to++, 0) < 0)
            return -1;
    const Ledger__StaffEntry *agent = t->agent ? check_staff(cx, t->agent->code) : NULL;
    if (agent && !agent->active)
        return 0;   /* the account's agent has left: no days after its last post */
    int64_t quiet = t->heard_ms + CHECK_QUIET_MS;
    while (cx->now >= period_end_ms(tr->kind, t->judged_to) && cx->now >= quiet)
        if (s_judge(cx, tr, t, t->judged_to++, 0) < 0)
            return -1;
    int64_t end = period_end_ms(tr->kind, t->judged_to);
    check_due(cx, end > quiet ? end : quiet, r->key);
    return 0;
}

int tally_count(cx_t *cx, const tally_rule_t *tr, const char *subject, const char *branch,
                const Ledger__PartyRef *agent, date_t day, int64_t fact_ms, int delta)
{
    char key[200];
    snprintf(key, sizeof key, "tl:%s|%s", tr->rule, subject);
    if (strlen(key) > 128)
        return 0;   /* a subject that long is bad data; the record checks nothing */
    rec_t *r = recset_get(&cx->set, key, &ledger__tally__descriptor);
    if (!r)
        return -1;
    /* Edit a copy with the new facts, then judge on it in place. */
    Ledger__Tally shell = *(Ledger__Tally *)r->msg;
    shell.rule = (char *)tr->rule;
    shell.subject = (char *)subject;
    shell.subject_kind = tr->subject_kind;
    shell.branch = (char *)branch;
    if (agent && agent->code && *agent->code)
        shell.agent = (Ledger__PartyRef *)agent;
    shell.heard_ms = cx->now;
    shell.heard_seq = cx->e->seq;
    int64_t p = period_of_date(tr->kind, day);
    size_t i = s_find(&shell, p);
    Ledger__PeriodCount add = LEDGER__PERIOD_COUNT__INIT, **arr = NULL;
    int is_new = !(i < shell.n_periods && shell.periods[i]->period == p);
    if (is_new) {
        add.period = p;
        arr = xcalloc(shell.n_periods + 1, sizeof *arr);
        if (i)   /* an empty list may be NULL */
            memcpy(arr, shell.periods, i * sizeof *arr);
        arr[i] = &add;
        if (shell.n_periods > i)
            memcpy(arr + i + 1, shell.periods + i, (shell.n_periods - i) * sizeof *arr);
        shell.periods = arr;
        shell.n_periods++;
    }
    ProtobufCMessage *copy = recset_copy(&shell.base);
    free(arr);
    recset_replace(r, copy);
    Ledger__Tally *t = (Ledger__Tally *)r->msg;
    Ledger__PeriodCount *pc = t->periods[i];
    pc->count += delta;
    if (pc->count < 0)
        pc->count = 0;
    if (delta > 0 && pc->n_seqs < SEQS_KEPT) {
        pc->seqs = xrealloc(pc->seqs, (pc->n_seqs + 1) * sizeof *pc->seqs);
        pc->seqs[pc->n_seqs++] = cx->e->seq;
    }
    int rc = 0;
    if (tr->at_most) {
        rc = s_judge(cx, tr, t, p, fact_ms);
    } else if (!t->started) {
        t->started = 1;
        t->judged_to = p;
    } else if (is_new && i == 0) {
        /* A record before every other: it and the periods up to the old
         * first are now between records, judged like any other. */
        for (int64_t q = p; q < t->periods[1]->period && rc == 0; q++)
            rc = s_judge(cx, tr, t, q, 0);
    } else if (p < t->judged_to) {
        rc = s_judge(cx, tr, t, p, fact_ms);   /* judged before: again, on the new count */
    }
    if (rc == 0)
        rc = s_advance(cx, tr, r);
    return rc;
}

int tally_due(cx_t *cx, const char *key)
{
    rec_t *r = recset_get(&cx->set, key, &ledger__tally__descriptor);
    if (!r)
        return -1;
    const Ledger__Tally *t = (const Ledger__Tally *)r->msg;
    const tally_rule_t *tr = tally_rule(t->rule);
    if (!tr)
        return 0;
    r->dirty = 1;
    return s_advance(cx, tr, r);
}
