/* statement - a person's statement of a month: the draft as lines become
 * payable, the close that settles it (after the month's rebates and pools)
 * with a negative balance carried on, payouts against it, and fines and
 * rewards from compliance. */
#ifndef LEDGER_COMMISSION_STATEMENT_H
#define LEDGER_COMMISSION_STATEMENT_H

#include "batch.h"

/* statement_set - put line into (or, with remove, take it out of) its
 * earner's draft statement for month */
int statement_set(batch_t *b, const Ledger__CommissionLine *line, const char *month, int remove);

/* statement_close - a month.closed event: rebates, pools, then one closed
 * statement per person with lines in the month or a balance carried in */
int statement_close(batch_t *b, const Ledger__Event *e);

/* statement_payout - a payout entry naming a statement marks it paid */
int statement_payout(batch_t *b, const Ledger__Event *e);

/* statement_fine - a compliance.fine result onto its person's statement */
int statement_fine(batch_t *b, const Ledger__Event *e);

#endif
