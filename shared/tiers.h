/* tiers - the distributor programme's prices and the monthly sales rebate
 * (DOMAIN.md 3.4 and 3.5): a distributor's tier from its cumulative
 * purchases, the unit price of a product at that tier, how far the next
 * tier is, and the rebate a month's net sales earn. Pure. */
#ifndef LEDGER_TIERS_H
#define LEDGER_TIERS_H

#include <stdint.h>
#include "policy.pb-c.h"

typedef struct {
    int index;            /* into policy distributor_tiers; -1: the policy has none */
    int64_t from;         /* fen of cumulative purchases the tier starts at */
    int64_t factor;       /* bp of the supply price */
    int64_t next_from;    /* fen where the next tier starts; 0 at the top tier */
    int64_t to_next;      /* fen still to buy to reach it; 0 at the top tier */
} tier_t;

/* tiers_of - the tier a distributor with these cumulative purchases (fen,
 * completed strictly before the order, net of refunds) is in */
void tiers_of(tier_t *out, const Ledger__Policy *policy, int64_t cumulative);

/* tiers_unit_price - list price x supply rate x the tier's factor, rounded
 * half away from zero once per unit (fen) */
int64_t tiers_unit_price(const Ledger__Policy *policy, const tier_t *tier, int64_t list_price);

/* tiers_rebate - the rebate (fen) of the highest bracket a month's net
 * sales reach; 0 below the first */
int64_t tiers_rebate(const Ledger__Policy *policy, int64_t net_sales);

#endif
