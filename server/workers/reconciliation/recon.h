/* recon - what every part of the reconciliation worker works with while a
 * batch runs: the state records (shared/recset.h), the event being applied
 * and ledger time, and the policy in force for a month. The parts: closes.c
 * (the days, weeks and months of each branch's accounts), money.c (orders
 * against payments, shipments and refunds: exceptions and the recovery
 * list), profit.c (the monthly product profit table). */
#ifndef LEDGER_RECON_H
#define LEDGER_RECON_H

#include <stdint.h>
#include "commission.pb-c.h"
#include "event.pb-c.h"
#include "reconciliation.pb-c.h"
#include "recset.h"
#include "worker.h"

#define RECON_HOUR_MS  (3600LL * 1000)
#define RECON_DAY_MS   (24 * RECON_HOUR_MS)
#define RECON_QUIET_MS RECON_DAY_MS   /* a day for a branch's entries to arrive */

typedef struct {
    recset_t set;
    worker_out_t *out;
    err_t *err;
    const Ledger__Event *e;        /* the event being applied */
    int64_t now;                   /* ledger time: e->time_ms */
    rec_t *book;                   /* "policies" */
    rec_t *branches;               /* "branches": every branch with entries */
} recon_t;

/* recon_policy - the policy in force for "YYYY-MM" */
const Ledger__Policy *recon_policy(recon_t *rc, const char *month);

/* closes_entry - a finance entry into its branch's day (or, for a closed
 * day, the next open day or the day reopened, by policy) */
int closes_entry(recon_t *rc, const Ledger__FinanceEntry *fe);

/* closes_advance - close every day of every branch that ledger time and
 * the branch's entries have passed, and the weeks and months they end */
int closes_advance(recon_t *rc);

/* money_order, money_payment, money_shipment, money_refund - an order's
 * money facts, and the exceptions they open or put right */
int money_order(recon_t *rc, const Ledger__Order *o);
int money_payment(recon_t *rc, const Ledger__Payment *p);
int money_shipment(recon_t *rc, const Ledger__Shipment *s);
int money_refund(recon_t *rc, const Ledger__Refund *r);

/* money_recovery - rewrite each branch's recovery list as of ledger time
 * (called when a day closes: days outstanding move on) */
int money_recovery(recon_t *rc);

/* profit_product, profit_order, profit_refund - the product catalogue, an
 * order's lines once completed (into its month's table), a refund processed
 * (into the month it was processed in); each rewrites that month's
 * "profit.month" result */
int profit_product(recon_t *rc, const Ledger__Product *p);
int profit_order(recon_t *rc, const Ledger__Order *o);
int profit_refund(recon_t *rc, const Ledger__Refund *r);

/* recon_exception - open (or update) or put right the exception under id;
 * evidence and reason for the finding; writes the result when it changed */
int recon_exception(recon_t *rc, Ledger__ExceptionKind kind, const char *id,
                    const Ledger__Exception *facts, int open);

#endif
