/* finance - the finance rules (DOMAIN.md 4, seed 000 §11): a receiving
 * account owned by someone outside the team that uses it; receiving and
 * paying accounts replaced within account_rotation_days of opening; every
 * expenditure requested, proposed by a supervisor, then decided by a
 * responsible person, in that order, with notice to a supervisor and a
 * responsible person (given a quiet day for the steps to be recorded). */
#include <stdio.h>
#include <string.h>
#include "date.h"
#include "finding.h"
#include "rules.h"

#define SUBJ_ACCOUNT LEDGER__SUBJECT_KIND__SUBJECT_ACCOUNT
#define SUBJ_ENTRY   LEDGER__SUBJECT_KIND__SUBJECT_ENTRY

/* s_judge - one verdict on an account or entry */
static int s_judge(cx_t *cx, const char *rule, Ledger__SubjectKind kind, const char *subject,
                   const char *period, const char *branch, int64_t at,
                   const Ledger__PartyRef *agent, const char *reason, int broken)
{
    char month[8];
    uint64_t seq = cx->e->seq;
    verdict_t v = { .rule = rule, .subject_kind = kind, .subject = subject, .period = period,
                    .branch = branch, .month = check_month(month, at), .at_ms = at,
                    .agent = agent, .evidence = &seq, .n_evidence = 1, .reason = reason };
    return finding_judge(cx, &v, broken);
}

/* s_rotation - an open receiving or paying account older than the policy's
 * days at ledger time. No quiet day here: an account in use is in use. */
static int s_rotation(cx_t *cx, const char *key, const Ledger__Account *a)
{
    if ((a->kind != LEDGER__ACCOUNT_KIND__ACCOUNT_RECEIVING &&
         a->kind != LEDGER__ACCOUNT_KIND__ACCOUNT_PAYING) || !a->opened_ms)
        return 0;
    const Ledger__Policy *p = check_policy(cx, a->opened_ms);
    int64_t deadline = a->opened_ms + p->account_rotation_days * CHECK_DAY_MS;
    char opened[16], until[20], reason[300];
    date_format(opened, sizeof opened, date_of(a->opened_ms));
    check_time(until, deadline);
    if (a->closed) {
        snprintf(reason, sizeof reason, "%s is closed", a->code);
        return s_judge(cx, "finance.account_rotation", SUBJ_ACCOUNT, a->code, opened, a->branch,
                       deadline, NULL, reason, 0);
    }
    if (cx->now > deadline) {
        snprintf(reason, sizeof reason, "%s, opened %s, still in use after %lld days (due by %s)",
                 a->code, opened, (long long)p->account_rotation_days, until);
        return s_judge(cx, "finance.account_rotation", SUBJ_ACCOUNT, a->code, opened, a->branch,
                       deadline, NULL, reason, 1);
    }
    check_due(cx, deadline + 1, key);
    return 0;
}

int finance_account(cx_t *cx, const Ledger__Account *a)
{
    char key[160];
    snprintf(key, sizeof key, "ac:%s", a->code);
    if (strlen(key) > 128)
        return 0;
    rec_t *r = recset_get(&cx->set, key, &ledger__account__descriptor);
    if (!r)
        return -1;
    recset_replace(r, recset_copy(&a->base));
    if (a->kind == LEDGER__ACCOUNT_KIND__ACCOUNT_RECEIVING) {
        int inside = *a->owner_team && *a->team && !strcmp(a->owner_team, a->team);
        char reason[300];
        if (inside)
            snprintf(reason, sizeof reason, "receiving account %s is owned by %s of %s, the team "
                     "that uses it", a->code, a->owner_name, a->owner_team);
        else
            snprintf(reason, sizeof reason, "%s is owned outside %s now", a->code, a->team);
        int64_t at = a->opened_ms ? a->opened_ms : cx->now;
        char month[8];
        if ((inside || a->version > 1)
                ? s_judge(cx, "finance.account_owner", SUBJ_ACCOUNT, a->code, "", a->branch, at,
                          NULL, reason, inside) < 0
                : finding_checked(cx, "finance.account_owner", a->branch,
                                  check_month(month, at)) < 0)
            return -1;
    }
    return s_rotation(cx, key, (const Ledger__Account *)r->msg);
}

/* s_step - an approval step is there, by someone */
static int s_step(const Ledger__Approval *a)
{
    return a && a->staff_code && *a->staff_code;
}

/* s_expense - the approval chain of an expense, judged once complete, or
 * broken a quiet day after its last change: the steps are often recorded
 * one by one (ledgerctl entry approve, entry notify) */
static int s_expense(cx_t *cx, const char *key, const Ledger__FinanceEntry *fe)
{
    char why[600] = "";
    size_t n = 0;
    const Ledger__Approval *req = fe->request, *prop = fe->proposal, *dec = fe->decision;
    if (!s_step(req))
        n += (size_t)snprintf(why + n, sizeof why - n, "%sno request", n ? "; " : "");
    if (!s_step(prop))
        n += (size_t)snprintf(why + n, sizeof why - n, "%sno supervisor's proposal", n ? "; " : "");
    else if (!check_has_role(check_staff(cx, prop->staff_code), LEDGER__STAFF_ROLE__SUPERVISOR))
        n += (size_t)snprintf(why + n, sizeof why - n, "%sproposed by %s, not a supervisor",
                              n ? "; " : "", prop->staff_code);
    if (!s_step(dec))
        n += (size_t)snprintf(why + n, sizeof why - n, "%sno responsible person's decision",
                              n ? "; " : "");
    else if (!check_has_role(check_staff(cx, dec->staff_code), LEDGER__STAFF_ROLE__RESPONSIBLE))
        n += (size_t)snprintf(why + n, sizeof why - n, "%sdecided by %s, not a responsible person",
                              n ? "; " : "", dec->staff_code);
    else if (!dec->approved)
        n += (size_t)snprintf(why + n, sizeof why - n, "%sthe decision did not approve it",
                              n ? "; " : "");
    if (s_step(req) && s_step(prop) && prop->time_ms < req->time_ms)
        n += (size_t)snprintf(why + n, sizeof why - n, "%sproposed before it was requested",
                              n ? "; " : "");
    if (s_step(prop) && s_step(dec) && dec->time_ms < prop->time_ms)
        n += (size_t)snprintf(why + n, sizeof why - n, "%sdecided before the supervisor proposed "
                              "it", n ? "; " : "");
    int told_sup = 0, told_resp = 0;
    for (size_t i = 0; i < fe->n_notices; i++) {
        const Ledger__StaffEntry *s = check_staff(cx, fe->notices[i]->staff_code);
        told_sup |= check_has_role(s, LEDGER__STAFF_ROLE__SUPERVISOR);
        told_resp |= check_has_role(s, LEDGER__STAFF_ROLE__RESPONSIBLE);
    }
    if (!told_sup || !told_resp)
        n += (size_t)snprintf(why + n, sizeof why - n, "%sno notice to %s", n ? "; " : "",
                              !told_sup && !told_resp ? "the supervisor and the responsible person"
                              : !told_sup ? "the supervisor" : "the responsible person");
    if (!n && fe->version <= 1)
        return finding_checked(cx, "finance.expenditure_approval", fe->branch,
                               check_month((char[8]){ 0 }, fe->time_ms));
    if (n && cx->now < fe->updated_ms + CHECK_QUIET_MS) {
        check_due(cx, fe->updated_ms + CHECK_QUIET_MS, key);
        return 0;
    }
    char reason[700];
    snprintf(reason, sizeof reason, n ? "expenditure %s: %s" : "expenditure %s approved in order "
             "now%s", fe->code, why);
    Ledger__PartyRef requester = LEDGER__PARTY_REF__INIT;
    requester.kind = LEDGER__PARTY_KIND__PARTY_STAFF;
    if (s_step(req)) {
        requester.code = req->staff_code;
        requester.id = req->staff_id;
    }
    return s_judge(cx, "finance.expenditure_approval", SUBJ_ENTRY, fe->code, "", fe->branch,
                   fe->time_ms, s_step(req) ? &requester : NULL, reason, n > 0);
}

int finance_entry(cx_t *cx, const Ledger__FinanceEntry *fe)
{
    if (fe->category != LEDGER__ENTRY_CATEGORY__CATEGORY_EXPENSE)
        return 0;
    char key[160];
    snprintf(key, sizeof key, "fe:%s", fe->code);
    if (strlen(key) > 128)
        return 0;
    rec_t *r = recset_get(&cx->set, key, &ledger__finance_entry__descriptor);
    if (!r)
        return -1;
    recset_replace(r, recset_copy(&fe->base));
    return s_expense(cx, key, (const Ledger__FinanceEntry *)r->msg);
}

int finance_due(cx_t *cx, const char *key)
{
    if (!strncmp(key, "fe:", 3)) {
        rec_t *r = recset_get(&cx->set, key, &ledger__finance_entry__descriptor);
        if (!r)
            return -1;
        return *((const Ledger__FinanceEntry *)r->msg)->code
                   ? s_expense(cx, key, (const Ledger__FinanceEntry *)r->msg) : 0;
    }
    rec_t *r = recset_get(&cx->set, key, &ledger__account__descriptor);
    if (!r)
        return -1;
    return *((const Ledger__Account *)r->msg)->code
               ? s_rotation(cx, key, (const Ledger__Account *)r->msg) : 0;
}
