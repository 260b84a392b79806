/* centre - the centre bonus pool (DOMAIN.md 3.6): each centre's month (the
 * orders completed in it, refunds after completion, expense and salary
 * entries), the staff's primary roles, and at the close the pool shared by
 * sales served with caps by role (pool.c does the arithmetic). */
#ifndef LEDGER_COMMISSION_CENTRE_H
#define LEDGER_COMMISSION_CENTRE_H

#include "batch.h"

int centre_completed(batch_t *b, const Ledger__OrderCommission *o);
int centre_refund(batch_t *b, const Ledger__OrderCommission *o, const Ledger__CommissionRefund *cr);
int centre_entry(batch_t *b, const Ledger__FinanceEntry *fe);
int centre_staff(batch_t *b, const Ledger__Event *e);

/* centre_pools - at the close of month, every centre with activity in it */
int centre_pools(batch_t *b, const char *month, int64_t now);

#endif
