/* sales - distributors and the monthly sales rebate (see sales.h). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "batch.h"
#include "codec.h"
#include "log.h"
#include "money.h"
#include "xmalloc.h"
#include "sales.h"
#include "statement.h"
#include "tiers.h"

/* s_sale - fen more (or less) net sales for p in the month of ms, or in the
 * first open month when that one is closed: the rebate is final at close */
static int s_sale(batch_t *b, const Ledger__PartyRef *p, int64_t ms, int64_t fen)
{
    char month[8], open[8], key[200], who[160];
    batch_month(month, ms);
    if (strcmp(month, batch_open_month(b, open)) < 0)
        snprintf(month, sizeof month, "%s", open);
    snprintf(key, sizeof key, "ms:%s@%s", batch_person(who, sizeof who, p), month);
    rec_t *r = recset_get(&b->set, key, &ledger__month_sales__descriptor);
    if (!r)
        return -1;
    ((Ledger__MonthSales *)r->msg)->sales += fen;
    r->dirty = 1;
    return batch_index_person(b, "rs", month, p);
}

/* sales_distributor - the customer's distributor facts (partner_id 0: the
 * customer is no distributor) */
rec_t *sales_distributor(batch_t *b, uint64_t customer_id)
{
    char key[40];
    snprintf(key, sizeof key, "pd:%" PRIu64, customer_id);
    return recset_get(&b->set, key, &ledger__distributor_facts__descriptor);
}

/* s_cumulative - purchases completed, less refunds processed, before ms
 * (INT64_MAX: all of them) */
static int64_t s_cumulative(const Ledger__DistributorFacts *d, int64_t before)
{
    int64_t total = 0;
    for (size_t i = 0; i < d->n_purchases; i++)
        if (d->purchases[i]->completed_ms < before)
            total += d->purchases[i]->amount;
    for (size_t i = 0; i < d->n_refunds; i++)
        if (d->refunds[i]->processed_ms < before)
            total -= d->refunds[i]->amount;
    return total;
}

/* s_partner_ref - the distributor as a person */
static Ledger__PartyRef s_partner_ref(const Ledger__DistributorFacts *d)
{
    Ledger__PartyRef p = LEDGER__PARTY_REF__INIT;
    p.kind = LEDGER__PARTY_KIND__PARTY_PARTNER;
    p.code = d->partner_code;
    p.id = d->partner_id;
    return p;
}

/* s_total - the distributor's cumulative purchases, as a result */
static void s_total(batch_t *b, const Ledger__DistributorFacts *d, int64_t now)
{
    Ledger__PartyRef p = s_partner_ref(d);
    Ledger__DistributorTotal t = LEDGER__DISTRIBUTOR_TOTAL__INIT;
    t.partner = &p;
    t.cumulative = s_cumulative(d, INT64_MAX);
    t.as_of_ms = now;
    worker_result(b->out, KIND_TOTAL, d->partner_code, d->partner_id, 0, &t.base);
}

/* sales_price_check - the order's unit prices against the tier of what the
 * distributor completed before it was placed */
int sales_price_check(batch_t *b, const Ledger__DistributorFacts *d, const Ledger__Order *ord)
{
    char month[8];
    const Ledger__Policy *policy = batch_policy(b, batch_month(month, ord->placed_ms))->policy;
    Ledger__DistributorPrice dp = LEDGER__DISTRIBUTOR_PRICE__INIT;
    Ledger__PartyRef p = s_partner_ref(d);
    tier_t tier;
    dp.partner = &p;
    dp.order_code = ord->code;
    dp.cumulative_before = s_cumulative(d, ord->placed_ms);
    tiers_of(&tier, policy, dp.cumulative_before);
    dp.tier = tier.index;
    dp.factor = tier.factor;
    Ledger__PriceLine *lines = xcalloc(ord->n_lines ? ord->n_lines : 1, sizeof *lines);
    Ledger__PriceLine **lp = xcalloc(ord->n_lines ? ord->n_lines : 1, sizeof *lp);
    int rc = 0;
    for (size_t i = 0; i < ord->n_lines && rc == 0; i++) {
        char key[80];
        snprintf(key, sizeof key, "prod:%s", ord->lines[i]->product);
        rec_t *r = recset_get(&b->set, key, &ledger__product__descriptor);
        if (!r) {
            rc = -1;
            break;
        }
        const Ledger__Product *prod = (const Ledger__Product *)r->msg;
        ledger__price_line__init(&lines[i]);
        lines[i].product = ord->lines[i]->product;
        lines[i].qty = ord->lines[i]->qty;
        lines[i].charged = ord->lines[i]->unit_price;
        lines[i].expected = prod->list_price ? tiers_unit_price(policy, &tier, prod->list_price) : 0;
        dp.differs |= lines[i].expected && lines[i].expected != lines[i].charged;
        lp[i] = &lines[i];
    }
    dp.lines = lp;
    dp.n_lines = ord->n_lines;
    if (rc == 0)
        worker_result(b->out, KIND_PRICE, ord->code, ord->id, ord->customer_id, &dp.base);
    free(lines);
    free(lp);
    return rc;
}

/* sales_completed - a newly completed order counts in its seller's and its
 * distributor's month (net of refunds processed before), and as a purchase */
int sales_completed(batch_t *b, const Ledger__OrderCommission *o, uint64_t customer_id,
                    int64_t now)
{
    int64_t net = o->amount;
    for (size_t i = 0; i < o->n_refunds; i++)
        if (o->refunds[i]->processed_ms && o->refunds[i]->processed_ms <= o->completed_ms)
            net -= o->refunds[i]->amount;
    if (o->seller && o->seller->seller && s_sale(b, o->seller->seller, o->completed_ms, net) < 0)
        return -1;
    rec_t *rd = sales_distributor(b, customer_id);
    if (!rd)
        return -1;
    Ledger__DistributorFacts *d = (Ledger__DistributorFacts *)rd->msg;
    if (!d->partner_id)
        return 0;
    Ledger__Purchase pu = LEDGER__PURCHASE__INIT;
    pu.order_id = o->order_id;
    pu.order_code = o->order_code;
    pu.completed_ms = o->completed_ms;
    pu.amount = o->amount;
    Ledger__Purchase **all = xcalloc(d->n_purchases + 1, sizeof *all);
    for (size_t i = 0; i < d->n_purchases; i++)
        all[i] = d->purchases[i];
    all[d->n_purchases] = &pu;
    Ledger__DistributorFacts shell = *d;
    shell.purchases = all;
    shell.n_purchases = d->n_purchases + 1;
    recset_replace(rd, recset_copy(&shell.base));
    free(all);
    d = (Ledger__DistributorFacts *)rd->msg;
    s_total(b, d, now);
    Ledger__PartyRef p = s_partner_ref(d);
    return s_sale(b, &p, o->completed_ms, net);
}

/* sales_refunded - a refund processed after completion: less net sales in
 * its month, and less cumulative purchase for a distributor */
int sales_refunded(batch_t *b, const Ledger__OrderCommission *o,
                   const Ledger__CommissionRefund *cr, uint64_t customer_id, int64_t now)
{
    if (o->seller && o->seller->seller &&
        s_sale(b, o->seller->seller, cr->processed_ms, -cr->amount) < 0)
        return -1;
    rec_t *rd = sales_distributor(b, customer_id);
    if (!rd)
        return -1;
    Ledger__DistributorFacts *d = (Ledger__DistributorFacts *)rd->msg;
    if (!d->partner_id)
        return 0;
    Ledger__CommissionRefund **all = xcalloc(d->n_refunds + 1, sizeof *all);
    for (size_t i = 0; i < d->n_refunds; i++)
        all[i] = d->refunds[i];
    all[d->n_refunds] = (Ledger__CommissionRefund *)cr;
    Ledger__DistributorFacts shell = *d;
    shell.refunds = all;
    shell.n_refunds = d->n_refunds + 1;
    recset_replace(rd, recset_copy(&shell.base));
    free(all);
    d = (Ledger__DistributorFacts *)rd->msg;
    s_total(b, d, now);
    Ledger__PartyRef p = s_partner_ref(d);
    return s_sale(b, &p, cr->processed_ms, -cr->amount);
}

/* sales_rebates - at the close of month: the rebate of each seller's and
 * distributor's net sales, on that month's statement */
int sales_rebates(batch_t *b, const char *month, int64_t now)
{
    char key[32];
    snprintf(key, sizeof key, "rs:%s", month);
    rec_t *idx = recset_get(&b->set, key, &ledger__month_index__descriptor);
    if (!idx)
        return -1;
    Ledger__MonthIndex *people = (Ledger__MonthIndex *)recset_copy(idx->msg);
    const Ledger__Policy *policy = batch_policy(b, month)->policy;
    int rc = 0;
    for (size_t i = 0; i < people->n_people && rc == 0; i++) {
        const Ledger__PartyRef *p = people->people[i];
        char who[160], skey[200], id[220], reason[200];
        snprintf(skey, sizeof skey, "ms:%s@%s", batch_person(who, sizeof who, p), month);
        rec_t *r = recset_get(&b->set, skey, &ledger__month_sales__descriptor);
        if (!r) {
            rc = -1;
            break;
        }
        int64_t sales = ((const Ledger__MonthSales *)r->msg)->sales;
        int64_t rebate = tiers_rebate(policy, sales);
        if (rebate <= 0)
            continue;
        char s_yuan[32], r_yuan[32];
        money_format(s_yuan, sizeof s_yuan, sales);
        money_format(r_yuan, sizeof r_yuan, rebate);
        snprintf(id, sizeof id, "rebate/%s@%s", who, month);
        snprintf(reason, sizeof reason, "net sales of %s in %s: %s, rebate %s", p->code, month,
                 s_yuan, r_yuan);
        Ledger__CommissionLine l = LEDGER__COMMISSION_LINE__INIT;
        l.id = id;
        l.earner = (Ledger__PartyRef *)p;
        l.rule = "rebate.monthly";
        l.basis = sales;
        l.amount = rebate;
        l.state = LEDGER__LINE_STATE__LINE_PAYABLE;
        l.policy_month = (char *)month;
        l.month = (char *)month;
        l.payable_ms = now;
        l.reason = reason;
        worker_result(b->out, KIND_LINE, id, p->id, 0, &l.base);
        rc = statement_set(b, &l, month, 0);
    }
    ledger__month_index__free_unpacked(people, NULL);
    return rc;
}

/* sales_product - list prices, for distributors' orders */
int sales_product(batch_t *b, const Ledger__Event *e)
{
    char key[80];
    snprintf(key, sizeof key, "prod:%s", e->product->code);
    rec_t *r = recset_get(&b->set, key, &ledger__product__descriptor);
    if (!r)
        return -1;
    recset_replace(r, recset_copy(&e->product->base));
    return 0;
}
