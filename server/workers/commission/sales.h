/* sales - the distributor programme and the monthly sales rebate (DOMAIN.md
 * 3.4, 3.5): a distributor's purchases and their cumulative total, each
 * distributor order's prices checked against its tier, each seller's and
 * distributor's net sales of a month, and the rebates at the close. */
#ifndef LEDGER_COMMISSION_SALES_H
#define LEDGER_COMMISSION_SALES_H

#include "batch.h"

/* sales_distributor - the customer's distributor facts ("pd:<customer>";
 * partner_id 0: the customer is no distributor) */
rec_t *sales_distributor(batch_t *b, uint64_t customer_id);

/* sales_price_check - a distributor order's prices against its tier */
int sales_price_check(batch_t *b, const Ledger__DistributorFacts *d, const Ledger__Order *ord);

/* sales_completed - a newly completed order: its seller's and distributor's
 * month, and a distributor's purchase */
int sales_completed(batch_t *b, const Ledger__OrderCommission *o, uint64_t customer_id,
                    int64_t now);

/* sales_refunded - a refund processed after completion */
int sales_refunded(batch_t *b, const Ledger__OrderCommission *o,
                   const Ledger__CommissionRefund *cr, uint64_t customer_id, int64_t now);

/* sales_rebates - at the close of month, the rebates onto its statements */
int sales_rebates(batch_t *b, const char *month, int64_t now);

/* sales_product - a product's list price */
int sales_product(batch_t *b, const Ledger__Event *e);

#endif
