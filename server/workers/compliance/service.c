/* service - the service rules (DOMAIN.md 4, seed 002): an after-sale issue
 * answered within first_response_hours; a complaint closed and the
 * customer told within complaint_close_hours; a major complaint reported
 * within major_report_hours; a member customer called back within
 * member_callback_hours of each completed order, with the result recorded.
 * A late record breaks a rule at once, by its own time; a missing one once
 * ledger time has passed the deadline and a quiet day (check.h). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "finding.h"
#include "rules.h"
#include "xmalloc.h"

#define SUBJ_SERVICE LEDGER__SUBJECT_KIND__SUBJECT_SERVICE
#define SUBJ_ORDER   LEDGER__SUBJECT_KIND__SUBJECT_ORDER
#define CALLBACKS_KEPT 32

/* s_verdict - judge one rule on a subject with two pieces of evidence */
static int s_verdict(cx_t *cx, const char *rule, Ledger__SubjectKind kind, const char *subject,
                     const char *branch, int64_t at, const Ledger__PartyRef *agent, uint64_t seq1,
                     uint64_t seq2, const char *reason, int broken)
{
    char month[8];
    uint64_t ev[2] = { seq1, seq2 };
    verdict_t v = { .rule = rule, .subject_kind = kind, .subject = subject, .period = "",
                    .branch = branch, .month = check_month(month, at), .at_ms = at,
                    .agent = agent && agent->code && *agent->code ? agent : NULL,
                    .evidence = ev, .n_evidence = seq2 && seq2 != seq1 ? 2 : 1,
                    .reason = reason };
    return finding_judge(cx, &v, broken);
}

/* s_deadline - one "within" rule on a case: the step taken in time, late,
 * or missing once ledger time allows; *wake gets the time to look again
 * (0 when decided). what names the step for the reason. */
static int s_deadline(cx_t *cx, const Ledger__ServiceCase *c, const char *rule,
                      const Ledger__Step *step, int64_t hours, const char *what, int64_t *wake)
{
    int64_t deadline = c->time_ms + hours * CHECK_HOUR_MS;
    int64_t quiet = c->heard_ms + CHECK_QUIET_MS;
    char when[20], by[20], reason[300];
    check_time(when, c->time_ms);
    check_time(by, deadline);
    *wake = 0;
    if (step && step->seq) {
        char at[20];
        check_time(at, step->time_ms);
        int late = step->time_ms > deadline;
        snprintf(reason, sizeof reason, "%s of %s (%s) %s at %s, %s %lld h", what, c->code, when,
                 late ? "came late" : "came", at, late ? "after" : "within", (long long)hours);
        return s_verdict(cx, rule, SUBJ_SERVICE, c->code, c->branch, deadline, c->staff, c->seq,
                         step->seq, reason, late);
    }
    if (cx->now > deadline && cx->now >= quiet) {
        snprintf(reason, sizeof reason, "no %s of %s (%s) recorded by %s, %lld h after it", what,
                 c->code, when, by, (long long)hours);
        return s_verdict(cx, rule, SUBJ_SERVICE, c->code, c->branch, deadline, c->staff, c->seq,
                         cx->e->seq, reason, 1);
    }
    *wake = deadline + 1 > quiet ? deadline + 1 : quiet;
    return 0;
}

/* s_case_judge - every rule on an issue or a complaint */
static int s_case_judge(cx_t *cx, rec_t *r)
{
    const Ledger__ServiceCase *c = (const Ledger__ServiceCase *)r->msg;
    if (!c->known)
        return 0;   /* a response before its issue: judged when the issue comes */
    const Ledger__Policy *p = check_policy(cx, c->time_ms);
    int64_t wake = 0, w;
    int rc = 0;
    if (c->kind == LEDGER__SERVICE_KIND__SERVICE_ISSUE) {
        rc = s_deadline(cx, c, "service.first_response", c->response, p->first_response_hours,
                        "the first response", &wake);
    } else {
        /* Followed to a close and the customer told: the later of the two counts. */
        const Ledger__Step *last = c->closed && c->told && c->closed->seq && c->told->seq
            ? (c->closed->time_ms > c->told->time_ms ? c->closed : c->told) : NULL;
        const Ledger__Step *late_one = NULL;
        int64_t deadline = c->time_ms + p->complaint_close_hours * CHECK_HOUR_MS;
        if (!last && c->closed && c->closed->seq && c->closed->time_ms > deadline)
            late_one = c->closed;
        if (!last && !late_one && c->told && c->told->seq && c->told->time_ms > deadline)
            late_one = c->told;
        rc = s_deadline(cx, c, "service.complaint_followup", last ? last : late_one,
                        p->complaint_close_hours, last || late_one ? "the close and the telling"
                        : !(c->closed && c->closed->seq) ? "a close" : "telling the customer",
                        &wake);
        if (rc == 0 && c->severity == LEDGER__SEVERITY__SEVERITY_MAJOR) {
            rc = s_deadline(cx, c, "service.major_complaint", c->reported, p->major_report_hours,
                            "the report to the department head", &w);
            if (w && (!wake || w < wake))
                wake = w;
        }
    }
    if (rc == 0 && wake)
        check_due(cx, wake, r->key);
    return rc;
}

/* s_step_set - the earliest step by its own time (an amended one replaces itself) */
static void s_step_set(Ledger__Step **slot, const Ledger__ServiceEvent *sv, uint64_t seq)
{
    if (*slot && (*slot)->seq && (*slot)->time_ms <= sv->time_ms && strcmp((*slot)->code, sv->code))
        return;
    if (!*slot) {
        *slot = xmalloc(sizeof **slot);
        ledger__step__init(*slot);
    } else {
        free((*slot)->code);
    }
    (*slot)->time_ms = sv->time_ms;
    (*slot)->seq = seq;
    (*slot)->code = xstrdup(sv->code);
}

/* ---- member callbacks ---------------------------------------------------- */

/* s_care - the customer's record, "cu:<customer id>" */
static rec_t *s_care(cx_t *cx, uint64_t customer_id)
{
    char key[40];
    snprintf(key, sizeof key, "cu:%" PRIu64, customer_id);
    return recset_get(&cx->set, key, &ledger__customer_care__descriptor);
}

/* s_care_judge - each completed order of a member awaiting its callback */
static int s_care_judge(cx_t *cx, rec_t *r)
{
    Ledger__CustomerCare *cc = (Ledger__CustomerCare *)r->msg;
    int64_t wake = 0;
    size_t keep = 0;
    int rc = 0;
    for (size_t i = 0; i < cc->n_due && rc == 0; i++) {
        Ledger__CallbackDue *d = cc->due[i];
        const Ledger__Policy *p = check_policy(cx, d->completed_ms);
        int64_t hours = p->member_callback_hours;
        int64_t deadline = d->completed_ms + hours * CHECK_HOUR_MS;
        int64_t quiet = d->heard_ms + CHECK_QUIET_MS;
        const Ledger__Callback *in_time = NULL, *late = NULL;
        for (size_t k = 0; k < cc->n_callbacks; k++) {
            const Ledger__Callback *cb = cc->callbacks[k];
            if (*cb->order_code && strcmp(cb->order_code, d->order_code))
                continue;   /* a call about another order */
            if (cb->time_ms >= d->completed_ms && cb->time_ms <= deadline)
                in_time = cb;
            else if (cb->time_ms > deadline && (!late || cb->time_ms < late->time_ms))
                late = cb;
        }
        char done[20], reason[300];
        check_time(done, d->completed_ms);
        int keep_it = 1;
        if (in_time) {
            snprintf(reason, sizeof reason, "member %s called back (%s) within %lld h of %s",
                     cc->code, in_time->code, (long long)hours, d->order_code);
            rc = s_verdict(cx, "service.member_callback", SUBJ_ORDER, d->order_code, d->branch,
                           deadline, d->handler, d->seq, in_time->seq, reason, 0);
            keep_it = 0;
        } else if (late) {
            char at[20];
            check_time(at, late->time_ms);
            snprintf(reason, sizeof reason, "member %s called back late (%s, %s) after %s "
                     "completed %s; the rule is %lld h", cc->code, late->code, at, d->order_code,
                     done, (long long)hours);
            rc = s_verdict(cx, "service.member_callback", SUBJ_ORDER, d->order_code, d->branch,
                           deadline, d->handler, d->seq, late->seq, reason, 1);
        } else if (cx->now > deadline && cx->now >= quiet) {
            snprintf(reason, sizeof reason, "member %s not called back within %lld h after %s "
                     "completed %s", cc->code, (long long)hours, d->order_code, done);
            rc = s_verdict(cx, "service.member_callback", SUBJ_ORDER, d->order_code, d->branch,
                           deadline, d->handler, d->seq, cx->e->seq, reason, 1);
        } else {
            int64_t at = deadline + 1 > quiet ? deadline + 1 : quiet;
            if (!wake || at < wake)
                wake = at;
        }
        if (keep_it)
            cc->due[keep++] = d;
        else
            ledger__callback_due__free_unpacked(d, NULL);
    }
    if (keep != cc->n_due) {
        cc->n_due = keep;
        r->dirty = 1;
    }
    if (rc == 0 && wake)
        check_due(cx, wake, r->key);
    return rc;
}

int service_customer(cx_t *cx, const Ledger__Customer *c)
{
    rec_t *r = s_care(cx, c->id);
    if (!r)
        return -1;
    Ledger__CustomerCare shell = *(Ledger__CustomerCare *)r->msg;
    shell.code = c->code;
    shell.branch = c->branch;
    shell.member = c->member;
    if (!recset_same(r->msg, &shell.base))
        recset_replace(r, recset_copy(&shell.base));
    return 0;
}

int service_partner(cx_t *cx, const Ledger__Partner *p)
{
    if (p->kind != LEDGER__PARTNER_KIND__PARTNER_DISTRIBUTOR || !p->customer_id)
        return 0;
    rec_t *r = s_care(cx, p->customer_id);
    if (!r)
        return -1;
    Ledger__CustomerCare *cc = (Ledger__CustomerCare *)r->msg;
    if (!cc->distributor) {
        cc->distributor = 1;
        r->dirty = 1;
    }
    return 0;
}

int service_distributor(cx_t *cx, uint64_t customer_id)
{
    rec_t *r = s_care(cx, customer_id);
    return r ? ((const Ledger__CustomerCare *)r->msg)->distributor : -1;
}

int service_order(cx_t *cx, const Ledger__Order *o)
{
    if (o->status != LEDGER__ORDER_STATUS__COMPLETED || !o->completed_ms)
        return 0;
    rec_t *r = s_care(cx, o->customer_id);
    if (!r)
        return -1;
    Ledger__CustomerCare *cc = (Ledger__CustomerCare *)r->msg;
    if (!cc->member)
        return 0;
    for (size_t i = 0; i < cc->n_due; i++)
        if (!strcmp(cc->due[i]->order_code, o->code))
            return 0;   /* awaiting already */
    Ledger__CallbackDue d = LEDGER__CALLBACK_DUE__INIT;
    d.order_code = o->code;
    d.completed_ms = o->completed_ms;
    d.heard_ms = cx->now;
    d.seq = cx->e->seq;
    d.branch = o->branch;
    d.handler = o->handler;
    cc->due = xrealloc(cc->due, (cc->n_due + 1) * sizeof *cc->due);
    cc->due[cc->n_due++] = (Ledger__CallbackDue *)recset_copy(&d.base);
    r->dirty = 1;
    return s_care_judge(cx, r);
}

/* s_callback - a call back: kept for the member's orders; and its result */
static int s_callback(cx_t *cx, const Ledger__ServiceEvent *sv)
{
    const Ledger__StaffEntry *st = check_staff(cx, sv->staff_code);
    int empty = 1;
    for (const char *s = sv->result; s && *s && empty; s++)
        empty = *s == ' ' || *s == '\t' || *s == '\n' || *s == '\r';
    if (empty || sv->version > 1) {
        Ledger__PartyRef agent = LEDGER__PARTY_REF__INIT;
        agent.kind = LEDGER__PARTY_KIND__PARTY_STAFF;
        agent.code = sv->staff_code;
        agent.id = sv->staff_id;
        char reason[300];
        snprintf(reason, sizeof reason, empty ? "callback %s to %s has no result recorded"
                 : "callback %s to %s has its result now", sv->code, sv->customer_code);
        if (s_verdict(cx, "service.callback_result", SUBJ_SERVICE, sv->code,
                      st ? st->branch : "", sv->time_ms, &agent, cx->e->seq, 0, reason,
                      empty) < 0)
            return -1;
    }
    rec_t *r = s_care(cx, sv->customer_id);
    if (!r)
        return -1;
    Ledger__CustomerCare *cc = (Ledger__CustomerCare *)r->msg;
    Ledger__Callback cb = LEDGER__CALLBACK__INIT;
    cb.time_ms = sv->time_ms;
    cb.seq = cx->e->seq;
    cb.order_code = sv->order_code;
    cb.code = sv->code;
    /* Keep the latest CALLBACKS_KEPT by time; an amended one replaces itself. */
    size_t n = 0;
    for (size_t i = 0; i < cc->n_callbacks; i++)
        if (strcmp(cc->callbacks[i]->code, sv->code))
            cc->callbacks[n++] = cc->callbacks[i];
        else
            ledger__callback__free_unpacked(cc->callbacks[i], NULL);
    cc->callbacks = xrealloc(cc->callbacks, (n + 1) * sizeof *cc->callbacks);
    size_t at = n;
    while (at > 0 && cc->callbacks[at - 1]->time_ms > cb.time_ms) {
        cc->callbacks[at] = cc->callbacks[at - 1];
        at--;
    }
    cc->callbacks[at] = (Ledger__Callback *)recset_copy(&cb.base);
    cc->n_callbacks = n + 1;
    if (cc->n_callbacks > CALLBACKS_KEPT) {
        ledger__callback__free_unpacked(cc->callbacks[0], NULL);
        memmove(cc->callbacks, cc->callbacks + 1, (cc->n_callbacks - 1) * sizeof *cc->callbacks);
        cc->n_callbacks--;
    }
    r->dirty = 1;
    return s_care_judge(cx, r);
}

int service_event(cx_t *cx, const Ledger__ServiceEvent *sv)
{
    const char *about;
    switch (sv->kind) {
    case LEDGER__SERVICE_KIND__SERVICE_ISSUE:
    case LEDGER__SERVICE_KIND__SERVICE_COMPLAINT:
        about = sv->code;
        break;
    case LEDGER__SERVICE_KIND__SERVICE_RESPONSE:
    case LEDGER__SERVICE_KIND__SERVICE_COMPLAINT_CLOSED:
    case LEDGER__SERVICE_KIND__SERVICE_CUSTOMER_TOLD:
    case LEDGER__SERVICE_KIND__SERVICE_REPORTED:
        about = sv->about_code;
        break;
    case LEDGER__SERVICE_KIND__SERVICE_CALLBACK:
        return s_callback(cx, sv);
    default:
        return 0;
    }
    char key[160];
    snprintf(key, sizeof key, "sv:%s", about ? about : "");
    if (!about || !*about || strlen(key) > 128)
        return 0;
    rec_t *r = recset_get(&cx->set, key, &ledger__service_case__descriptor);
    if (!r)
        return -1;
    Ledger__ServiceCase *c = (Ledger__ServiceCase *)r->msg;
    uint64_t seq = cx->e->seq;
    switch (sv->kind) {
    case LEDGER__SERVICE_KIND__SERVICE_ISSUE:
    case LEDGER__SERVICE_KIND__SERVICE_COMPLAINT: {
        Ledger__ServiceCase shell = *c;
        const Ledger__StaffEntry *st = check_staff(cx, sv->staff_code);
        Ledger__PartyRef staff = LEDGER__PARTY_REF__INIT;
        staff.kind = LEDGER__PARTY_KIND__PARTY_STAFF;
        staff.code = sv->staff_code;
        staff.id = sv->staff_id;
        shell.code = sv->code;
        shell.kind = sv->kind;
        shell.severity = sv->severity;
        shell.customer_code = sv->customer_code;
        shell.branch = st ? st->branch : "";
        shell.staff = &staff;
        shell.time_ms = sv->time_ms;
        shell.heard_ms = cx->now;
        shell.seq = seq;
        shell.known = 1;
        recset_replace(r, recset_copy(&shell.base));
        break;
    }
    case LEDGER__SERVICE_KIND__SERVICE_RESPONSE:
        s_step_set(&c->response, sv, seq);
        break;
    case LEDGER__SERVICE_KIND__SERVICE_COMPLAINT_CLOSED:
        s_step_set(&c->closed, sv, seq);
        break;
    case LEDGER__SERVICE_KIND__SERVICE_CUSTOMER_TOLD:
        s_step_set(&c->told, sv, seq);
        break;
    default:
        s_step_set(&c->reported, sv, seq);
        break;
    }
    r->dirty = 1;
    return s_case_judge(cx, r);
}

int service_due(cx_t *cx, const char *key)
{
    if (!strncmp(key, "cu:", 3)) {
        rec_t *r = recset_get(&cx->set, key, &ledger__customer_care__descriptor);
        return r ? s_care_judge(cx, r) : -1;
    }
    rec_t *r = recset_get(&cx->set, key, &ledger__service_case__descriptor);
    return r ? s_case_judge(cx, r) : -1;
}
