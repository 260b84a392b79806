/* lines - the commission lines of one order (DOMAIN.md section 3.1-3.3):
 * role commission on the attributed roles, the seller programme, when a
 * line becomes payable, clawbacks and adjustments. A pure function of the
 * order's facts, the policy of its placed month and the ledger time, so a
 * replay gives the same lines. Reading events and writing results and
 * statements is main.c's job. */
#ifndef LEDGER_LINES_H
#define LEDGER_LINES_H

#include <stddef.h>
#include <stdint.h>
#include "commission.pb-c.h"
#include "policy.pb-c.h"

typedef struct lines lines_t;

/* lines_update - the order's lines as they must stand now: every line of
 * o->lines carried forward (settled and paid ones unchanged, whatever the
 * facts say), others brought up to date, new ones added (clawbacks,
 * adjustments, new earners), in a stable order: o->lines' order, then new
 * ones. policy: the version in force for the order's placed month.
 * now_ms: the ledger time of the event being applied (decides what has
 * become payable and when). open_month: "YYYY-MM", the earliest month whose
 * statements are not closed; a line that becomes payable or happens now
 * belongs to the later of now's local month and open_month. Strings and
 * PartyRefs may point into o and policy, which must outlive the result.
 * Caller frees with lines_destroy. */
lines_t *lines_update(const Ledger__OrderCommission *o, const Ledger__PolicyVersion *policy,
                      int64_t now_ms, const char *open_month);

size_t lines_count(const lines_t *l);

/* lines_at - the i-th line; owned by l */
const Ledger__CommissionLine *lines_at(const lines_t *l, size_t i);

/* lines_next_deadline - the earliest ledger time after now_ms at which a
 * pending line would become payable by time alone (completion + refund
 * window), or 0 when none would */
int64_t lines_next_deadline(const lines_t *l);

void lines_destroy(lines_t **self_p);

#endif
