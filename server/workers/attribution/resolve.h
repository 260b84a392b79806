/* resolve - the attribution rules of DOMAIN.md section 2 over one customer's
 * orders. A pure function of the customer's facts: the same facts give the
 * same answer whatever order the orders arrived in, which is what makes a
 * replay, a restart and a late (back-dated) order all agree with date order.
 * Reading events, state and writing results is main.c's job. */
#ifndef LEDGER_RESOLVE_H
#define LEDGER_RESOLVE_H

#include <stddef.h>
#include "attribution.pb-c.h"

typedef struct resolution resolution_t;

/* resolve_customer - resolve every order of facts (its orders in any order).
 * The result lists them in resolution order: placed time, ties by order
 * code; cancelled orders stand in their place but take no part.
 * Local dates are in the process zone (date_zone_set).
 * Strings and PartyRefs of the result may point into facts, which must
 * outlive the resolution. Caller frees with resolution_destroy. */
resolution_t *resolve_customer(const Ledger__CustomerFacts *facts);

/* resolution_count - the number of orders (= facts->n_orders) */
size_t resolution_count(const resolution_t *r);

/* resolution_order - the i-th order in resolution order; *facts_index (may
 * be NULL) is where it stands in facts->orders. Owned by r. */
const Ledger__Attribution *resolution_order(const resolution_t *r, size_t i,
                                            size_t *facts_index);

/* resolution_summary - the customer's windows, conflicts and solutions.
 * Owned by r. */
const Ledger__CustomerAttribution *resolution_summary(const resolution_t *r);

void resolution_destroy(resolution_t **self_p);

#endif
