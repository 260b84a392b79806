/* finding - verdicts kept as findings, their fines, status and the month's
 * rewards (see finding.h). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "finding.h"
#include "log.h"
#include "policy.h"
#include "xmalloc.h"

#define OPEN      LEDGER__FINDING_STATUS__FINDING_OPEN
#define ACKED     LEDGER__FINDING_STATUS__FINDING_ACKNOWLEDGED
#define RESOLVED  LEDGER__FINDING_STATUS__FINDING_RESOLVED
#define WITHDRAWN LEDGER__FINDING_STATUS__FINDING_WITHDRAWN

void finding_id(char *out, size_t n, const char *rule, const char *subject, const char *period)
{
    if (period && *period)
        snprintf(out, n, "%s/%s@%s", rule, subject, period);
    else
        snprintf(out, n, "%s/%s", rule, subject);
}

Ledger__FindingSeverity finding_severity(const char *rule)
{
    if (!strncmp(rule, "finance.", 8) || !strncmp(rule, "price.", 6) ||
        !strcmp(rule, "service.major_complaint"))
        return LEDGER__FINDING_SEVERITY__FINDING_HIGH;
    if (!strncmp(rule, "order.", 6) || !strncmp(rule, "service.", 8))
        return LEDGER__FINDING_SEVERITY__FINDING_MEDIUM;
    return LEDGER__FINDING_SEVERITY__FINDING_LOW;
}

/* ---- the month's tally of checks and findings, for rewards -------------- */

/* s_tally - add to (branch, rule)'s checks and findings of month */
static int s_tally(cx_t *cx, const char *month, const char *branch, const char *rule,
                   int64_t findings)
{
    char key[32];
    snprintf(key, sizeof key, "rm:%s", month);
    rec_t *r = recset_get(&cx->set, key, &ledger__reward_month__descriptor);
    if (!r)
        return -1;
    Ledger__RewardMonth *rm = (Ledger__RewardMonth *)r->msg;
    for (size_t i = 0; i < rm->n_rules; i++) {
        Ledger__RuleMonth *x = rm->rules[i];
        if (!strcmp(x->branch, branch) && !strcmp(x->rule, rule)) {
            if (findings || !x->checks) {
                x->checks = 1;
                x->findings += findings;
                r->dirty = 1;
            }
            return 0;
        }
    }
    Ledger__RuleMonth add = LEDGER__RULE_MONTH__INIT;
    add.branch = (char *)branch;
    add.rule = (char *)rule;
    add.checks = 1;
    add.findings = findings;
    Ledger__RuleMonth **arr = xcalloc(rm->n_rules + 1, sizeof *arr);
    if (rm->n_rules)   /* an empty list may be NULL */
        memcpy(arr, rm->rules, rm->n_rules * sizeof *arr);
    arr[rm->n_rules] = &add;
    Ledger__RewardMonth shell = *rm;
    shell.rules = arr;
    shell.n_rules = rm->n_rules + 1;
    ProtobufCMessage *copy = recset_copy(&shell.base);
    free(arr);
    recset_replace(r, copy);
    return 0;
}

int finding_checked(cx_t *cx, const char *rule, const char *branch, const char *month)
{
    return s_tally(cx, month, branch, rule, 0);
}

/* ---- fines -------------------------------------------------------------- */

/* s_role_of - a policy role name as a StaffRole, 0 for agent and sender */
static int s_role_of(const char *name)
{
    for (int r = 1; r <= 9; r++)
        if (!strcmp(policy_role_name(r), name))
            return r;
    return 0;
}

/* s_add_fine - amount for person (one entry per person, roles joined) */
static void s_add_fine(Ledger__FindingFine ***fines, size_t *n, const Ledger__PartyRef *person,
                       const char *role, int64_t amount)
{
    for (size_t i = 0; i < *n; i++)
        if (!strcmp((*fines)[i]->person->code, person->code)) {
            char *roles = xmalloc(strlen((*fines)[i]->roles) + strlen(role) + 2);
            sprintf(roles, "%s,%s", (*fines)[i]->roles, role);
            free((*fines)[i]->roles);
            (*fines)[i]->roles = roles;
            (*fines)[i]->amount -= amount;
            return;
        }
    *fines = xrealloc(*fines, (*n + 1) * sizeof **fines);
    Ledger__FindingFine *f = xmalloc(sizeof *f);
    ledger__finding_fine__init(f);
    f->person = xmalloc(sizeof *f->person);
    ledger__party_ref__init(f->person);
    f->person->kind = LEDGER__PARTY_KIND__PARTY_STAFF;
    f->person->code = xstrdup(person->code);
    f->person->id = person->id;
    f->roles = xstrdup(role);
    f->amount = -amount;
    (*fines)[(*n)++] = f;
}

/* s_people - call add for every person answering for role in branch:
 * agent and sender are the finding's agent; the others, the active staff
 * of the branch holding the role */
static void s_people(cx_t *cx, const char *role, const char *branch, const Ledger__PartyRef *agent,
                     Ledger__FindingFine ***fines, size_t *n, int64_t amount)
{
    int r = s_role_of(role);
    if (!r) {
        if (agent && agent->code && *agent->code)
            s_add_fine(fines, n, agent, role, amount);
        return;
    }
    const Ledger__StaffBook *b = (const Ledger__StaffBook *)cx->staff->msg;
    for (size_t i = 0; i < b->n_staff; i++) {
        const Ledger__StaffEntry *s = b->staff[i];
        if (s->active && !strcmp(s->branch, branch) && check_has_role(s, (Ledger__StaffRole)r)) {
            Ledger__PartyRef p = LEDGER__PARTY_REF__INIT;
            p.kind = LEDGER__PARTY_KIND__PARTY_STAFF;
            p.code = s->code;
            p.id = s->id;
            s_add_fine(fines, n, &p, role, amount);
        }
    }
}

/* s_amounts - the policy's fines (or rewards) of a rule, or NULL */
static const Ledger__RuleAmounts *s_amounts(Ledger__RuleAmounts *const *list, size_t n,
                                            const char *rule)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(list[i]->rule, rule))
            return list[i];
    return NULL;
}

/* s_write_fine - the compliance.fine result of one person's fine or reward */
static void s_write_fine(cx_t *cx, const char *key, const char *finding, const char *rule,
                         const Ledger__PartyRef *person, int64_t amount, const char *month,
                         const char *reason)
{
    Ledger__FineLine fl = LEDGER__FINE_LINE__INIT;
    fl.finding = (char *)finding;
    fl.person = (Ledger__PartyRef *)person;
    fl.rule = (char *)rule;
    fl.amount = amount;
    fl.month = (char *)month;
    fl.reason = (char *)reason;
    worker_result(cx->out, KIND_FINE, key, person->id, 0, &fl.base);
}

/* s_fines_write - each fine of the finding as a result: its amount, or 0
 * when the finding no longer carries it */
static void s_fines_write(cx_t *cx, const Ledger__Finding *f, int carried)
{
    for (size_t i = 0; i < f->n_fines; i++) {
        char key[512], reason[600];
        snprintf(key, sizeof key, "%s/%s", f->id, f->fines[i]->person->code);
        if (carried)
            snprintf(reason, sizeof reason, "%s (as %s)", f->reason, f->fines[i]->roles);
        else
            snprintf(reason, sizeof reason, "%s: %s", f->status == WITHDRAWN ? "withdrawn"
                     : "waived", f->status_reason);
        s_write_fine(cx, key, f->id, f->rule, f->fines[i]->person,
                     carried ? f->fines[i]->amount : 0, f->month, reason);
    }
}

/* ---- findings ----------------------------------------------------------- */

/* s_save - f as the finding's new version: its state record and result.
 * f may borrow from the record's old message, which the replace frees: only
 * the copy is used after it. */
static void s_save(cx_t *cx, rec_t *r, Ledger__Finding *f)
{
    if (recset_same(r->msg, &f->base))
        return;
    Ledger__Finding *copy = (Ledger__Finding *)recset_copy(&f->base);
    recset_replace(r, &copy->base);
    worker_result(cx->out, KIND_FINDING, copy->id, 0, 0, &copy->base);
}

static void s_free_fines(Ledger__FindingFine **fines, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ledger__finding_fine__free_unpacked(fines[i], NULL);   /* built with malloc */
    free(fines);
}

int finding_judge(cx_t *cx, const verdict_t *v, int broken)
{
    char id[400], key[420];
    finding_id(id, sizeof id, v->rule, v->subject, v->period);
    snprintf(key, sizeof key, "f:%s", id);
    if (strlen(key) > 128) {   /* a state key's limit: a subject that long is bad data */
        log_warn("compliance: finding %s: id too long; not kept", id);
        return 0;
    }
    if (!broken) {
        if (finding_checked(cx, v->rule, v->branch, v->month) < 0)
            return -1;
    }
    rec_t *r = recset_get(&cx->set, key, &ledger__finding__descriptor);
    if (!r)
        return -1;
    const Ledger__Finding *old = (const Ledger__Finding *)r->msg;
    int exists = *old->id != 0;
    if (!broken) {
        if (!exists || (old->status != OPEN && old->status != ACKED))
            return 0;
        Ledger__Finding f = *old;
        f.status = WITHDRAWN;
        f.status_reason = (char *)v->reason;
        f.status_by = WORKER_ACTOR;
        f.status_ms = cx->now;
        f.status_seq = cx->e->seq;
        s_fines_write(cx, &f, 0);
        if (s_tally(cx, f.month, f.branch, f.rule, -1) < 0)
            return -1;
        s_save(cx, r, &f);
        return 0;
    }
    Ledger__Finding f = LEDGER__FINDING__INIT;
    if (exists)
        f = *old;
    int reopen = !exists || old->status == WITHDRAWN;
    f.id = id;
    f.rule = (char *)v->rule;
    f.severity = finding_severity(v->rule);
    f.subject_kind = v->subject_kind;
    f.subject = (char *)v->subject;
    f.period = (char *)(v->period ? v->period : "");
    f.branch = (char *)v->branch;
    f.month = (char *)v->month;
    f.at_ms = v->at_ms;
    f.evidence = (uint64_t *)v->evidence;
    f.n_evidence = v->n_evidence;
    f.reason = (char *)v->reason;
    f.agent = (Ledger__PartyRef *)v->agent;
    Ledger__FindingFine **fines = NULL;
    size_t n_fines = 0;
    if (reopen) {
        f.status = OPEN;
        f.status_reason = "";
        f.status_by = "";
        f.status_ms = 0;
        f.status_seq = 0;
        f.waived = 0;
        if (!exists)
            f.found_ms = cx->now;
        /* The fines of the policy in force for the month it belongs to. */
        const Ledger__Policy *p = check_policy_month(cx, v->month);
        const Ledger__RuleAmounts *ra = s_amounts(p->fines, p->n_fines, v->rule);
        for (size_t i = 0; ra && i < ra->n_roles; i++)
            s_people(cx, ra->roles[i]->role, v->branch, v->agent, &fines, &n_fines,
                     ra->roles[i]->amount);
        f.fines = fines;
        f.n_fines = n_fines;
        if (s_tally(cx, v->month, v->branch, v->rule, 1) < 0) {
            s_free_fines(fines, n_fines);
            return -1;
        }
        /* A reopened finding's old fines that the new list lacks go to 0. */
        if (exists)
            for (size_t i = 0; i < old->n_fines; i++) {
                int kept = 0;
                for (size_t j = 0; j < n_fines; j++)
                    kept |= !strcmp(fines[j]->person->code, old->fines[i]->person->code);
                if (!kept) {
                    char fkey[512];
                    snprintf(fkey, sizeof fkey, "%s/%s", id, old->fines[i]->person->code);
                    s_write_fine(cx, fkey, id, v->rule, old->fines[i]->person, 0, old->month,
                                 "no longer answerable");
                }
            }
        s_fines_write(cx, &f, 1);
    }
    s_save(cx, r, &f);
    s_free_fines(fines, n_fines);
    return 0;
}

int finding_status(cx_t *cx, const Ledger__FindingStatusChange *c)
{
    char key[420];
    snprintf(key, sizeof key, "f:%s", c->finding);
    if (strlen(key) > 128)
        return 0;
    rec_t *r = recset_get(&cx->set, key, &ledger__finding__descriptor);
    if (!r)
        return -1;
    const Ledger__Finding *old = (const Ledger__Finding *)r->msg;
    const char *by = c->by && c->by->code ? c->by->code : "";
    int ok = *old->id && ((c->status == ACKED && old->status == OPEN) ||
                          (c->status == RESOLVED && (old->status == OPEN || old->status == ACKED)));
    if (!ok) {
        log_warn("compliance: finding.status (seq %" PRIu64 ") for %s by %s does not apply to "
                 "its status now; ignored", cx->e->seq, c->finding, by);
        return 0;
    }
    Ledger__Finding f = *old;
    f.status = c->status;
    f.status_reason = c->reason;
    f.status_by = (char *)by;
    f.status_ms = cx->now;
    f.status_seq = cx->e->seq;
    if (c->status == RESOLVED && c->waive) {
        f.waived = 1;
        s_fines_write(cx, &f, 0);
    }
    s_save(cx, r, &f);
    return 0;
}

int finding_rewards(cx_t *cx, const char *month)
{
    char key[32];
    snprintf(key, sizeof key, "rm:%s", month);
    rec_t *r = recset_get(&cx->set, key, &ledger__reward_month__descriptor);
    if (!r)
        return -1;
    const Ledger__RewardMonth *rm = (const Ledger__RewardMonth *)r->msg;
    const Ledger__Policy *p = check_policy_month(cx, month);
    for (size_t i = 0; i < rm->n_rules; i++) {
        const Ledger__RuleMonth *x = rm->rules[i];
        const Ledger__RuleAmounts *ra = s_amounts(p->rewards, p->n_rewards, x->rule);
        if (!ra || !x->checks || x->findings > 0)
            continue;
        Ledger__FindingFine **people = NULL;
        size_t n = 0;
        for (size_t k = 0; k < ra->n_roles; k++)   /* s_people negates: a fine's sign */
            s_people(cx, ra->roles[k]->role, x->branch, NULL, &people, &n,
                     -ra->roles[k]->amount);
        char finding[200];
        snprintf(finding, sizeof finding, "reward:%s@%s", x->rule, month);
        for (size_t k = 0; k < n; k++) {
            char fkey[400], reason[400];
            snprintf(fkey, sizeof fkey, "%s/%s/%s", finding, x->branch, people[k]->person->code);
            snprintf(reason, sizeof reason, "no %s finding in %s in %s (as %s)", x->rule,
                     x->branch, month, people[k]->roles);
            s_write_fine(cx, fkey, finding, x->rule, people[k]->person, people[k]->amount,
                         month, reason);
        }
        s_free_fines(people, n);
    }
    return 0;
}
