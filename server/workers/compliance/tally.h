/* tally - the rules that count a subject's records over periods: a post a
 * day and three life posts a week per WeChat account, at most three
 * broadcasts a month, a script training a week, a daily log, a weekly and a
 * monthly plan per team. An "at least" period is judged once the subject
 * has records of a later period, or once ledger time has passed both the
 * period's end and a quiet day since the subject was last recorded (while
 * its agent is active); a record entered for a period already judged
 * judges it again (a finding withdrawn, or open again). An "at most"
 * period is judged at each record. */
#ifndef LEDGER_COMPLIANCE_TALLY_H
#define LEDGER_COMPLIANCE_TALLY_H

#include "check.h"
#include "period.h"

typedef struct {
    const char *rule;
    period_kind_t kind;
    Ledger__SubjectKind subject_kind;
    int at_most;            /* 1: broken above the limit; 0: below it */
    const char *what;       /* what is counted, plural: "posts", "life posts" */
} tally_rule_t;

/* tally_rule - the counting rule of a catalogue id, or NULL */
const tally_rule_t *tally_rule(const char *rule);

/* tally_count - a record of subject at a local date: delta 1 counts it,
 * -1 takes back one counted before (an amendment), 0 only says the subject
 * was active that period (a post that is no life post). agent may be NULL. */
int tally_count(cx_t *cx, const tally_rule_t *tr, const char *subject, const char *branch,
                const Ledger__PartyRef *agent, date_t day, int64_t fact_ms, int delta);

/* tally_due - judge the tally under key ("tl:...") at ledger time */
int tally_due(cx_t *cx, const char *key);

#endif
