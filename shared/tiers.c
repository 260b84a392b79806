/* tiers - the distributor programme's tier and unit price (DOMAIN.md 3.4)
 * and the monthly sales rebate (3.5), from the month's policy. Pure: no
 * allocation, no state. Summing a distributor's cumulative purchases or a
 * month's net sales, and keeping the crossing order at its old tier by
 * passing the total from before it, are the caller's. Expects a validated
 * policy (tiers and brackets rising, rates within 0..10000 bp). */
#include <assert.h>
#include <stddef.h>
#include "log.h"
#include "money.h"
#include "tiers.h"

#define BP_ONE 10000   /* 100 % in basis points */

/* tiers_of - the last tier starting at or below cumulative; the first tier
 * below them all; how far the next one is */
void tiers_of(tier_t *out, const Ledger__Policy *policy, int64_t cumulative)
{
    assert(out && policy);
    *out = (tier_t){ .index = -1, .from = 0, .factor = BP_ONE, .next_from = 0, .to_next = 0 };
    if (policy->n_distributor_tiers == 0)
        return;
    size_t i = 0;
    while (i + 1 < policy->n_distributor_tiers &&
           policy->distributor_tiers[i + 1]->from <= cumulative)
        i++;
    out->index = (int)i;
    out->from = policy->distributor_tiers[i]->from;
    out->factor = policy->distributor_tiers[i]->factor;
    if (i + 1 < policy->n_distributor_tiers) {
        out->next_from = policy->distributor_tiers[i + 1]->from;
        out->to_next = out->next_from - cumulative;
    }
}

/* tiers_unit_price - list x supply rate x factor / 10^8, exact in 128 bits
 * and rounded once, so the supply price is never rounded on its own */
int64_t tiers_unit_price(const Ledger__Policy *policy, const tier_t *tier, int64_t list_price)
{
    assert(policy && tier);
    __int128 r = money_div_round128(
        (__int128)list_price * policy->distributor_supply_rate * tier->factor,
        (__int128)BP_ONE * BP_ONE);
    if (r > INT64_MAX || r < INT64_MIN)
        log_panic("tiers_unit_price: %lld fen x %lld bp x %lld bp does not fit in int64",
                  (long long)list_price, (long long)policy->distributor_supply_rate,
                  (long long)tier->factor);
    return (int64_t)r;
}

/* tiers_rebate - the highest bracket net_sales reach pays; negative sales
 * reach none, even a bracket from 0 */
int64_t tiers_rebate(const Ledger__Policy *policy, int64_t net_sales)
{
    assert(policy);
    int64_t rebate = 0;
    if (net_sales < 0)
        return 0;
    for (size_t i = 0; i < policy->n_rebate_brackets; i++)
        if (policy->rebate_brackets[i]->from <= net_sales)
            rebate = policy->rebate_brackets[i]->rebate;
    return rebate;
}
