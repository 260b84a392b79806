/* finding - a rule's verdict on a subject, kept as a finding: made when
 * broken (with the fines the month's policy names for each responsible
 * role, written as compliance.fine results for commission to deduct),
 * withdrawn when the records entered since show the rule kept (fines to
 * 0), open again when broken again. A finding a person has resolved stays
 * resolved. Also: the status changes people make, the per-branch tally of
 * checks and findings of each rule and month, and the month's rewards. */
#ifndef LEDGER_COMPLIANCE_FINDING_H
#define LEDGER_COMPLIANCE_FINDING_H

#include "check.h"

/* What a rule says about one subject (and period). */
typedef struct {
    const char *rule;               /* catalogue id, "posts.daily" */
    Ledger__SubjectKind subject_kind;
    const char *subject;            /* "sh01_kefu1", "SH01-O00012" */
    const char *period;             /* "2025-11-03", or "" */
    const char *branch;             /* whose supervisor, checker... answer for it */
    const char *month;              /* "YYYY-MM" it belongs to */
    int64_t at_ms;                  /* when broken: a fact's time or a deadline */
    const Ledger__PartyRef *agent;  /* whose work it is (roles agent, sender), or NULL */
    const uint64_t *evidence;       /* seqs */
    size_t n_evidence;
    const char *reason;             /* broken: why; kept: what showed it kept */
} verdict_t;

/* finding_id - "<rule>/<subject>" or "<rule>/<subject>@<period>" */
void finding_id(char *out, size_t n, const char *rule, const char *subject, const char *period);

/* finding_judge - apply a verdict: broken makes, updates or reopens the
 * finding; kept withdraws an open or acknowledged one. 0, or -1 with cx->err. */
int finding_judge(cx_t *cx, const verdict_t *v, int broken);

/* finding_checked - count a check of rule in branch and month without a
 * finding (a month's rewards need the rule to have been checked there) */
int finding_checked(cx_t *cx, const char *rule, const char *branch, const char *month);

/* finding_status - a person's change (event "finding.status") */
int finding_status(cx_t *cx, const Ledger__FindingStatusChange *c);

/* finding_rewards - a month closed (event "month.closed"): each branch
 * where a rule with rewards was checked without a finding earns them */
int finding_rewards(cx_t *cx, const char *month);

/* finding_severity - the severity of a rule's findings */
Ledger__FindingSeverity finding_severity(const char *rule);

#endif
