/* reconciliation - whether the money adds up (DOMAIN.md 5): each branch's
 * accounts closed day by day, then by ISO week and month (closes.c); orders
 * against their payments, shipments and refunds, with the recovery list of
 * shipped-but-unpaid orders (money.c); the monthly product profit table
 * (profit.c). Closes and deadlines follow ledger time only, so a replay of
 * the log closes the same days the same way. Runs as one instance: a
 * branch's books span every customer.
 *
 * State: "policies" PolicyBook; "branches" Branches; "br:<branch>"
 * BranchBook; "dm:<branch>@<date>" DayMoves; "cl:<branch>@<date>" Close;
 * "o:<order id>" OrderMoney; "x:<exception id>" Exception; the recovery
 * lists' and the profit table's records (money.c, profit.c). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "policybook.h"
#include "recon.h"

static const char *const s_kinds[] = { "entry", "order", "payment", "shipment", "refund",
                                       "product", "policy", NULL };

const Ledger__Policy *recon_policy(recon_t *rc, const char *month)
{
    return policybook_find((const Ledger__PolicyBook *)rc->book->msg, month)
        ->policy;
}

/* s_keys - the records the batch's events will surely read */
static void s_keys(void *ctx, Ledger__Event *const *events, size_t n, worker_keys_t *out)
{
    (void)ctx;
    worker_keys_add(out, "policies");
    worker_keys_add(out, "branches");
    char key[64];
    for (size_t i = 0; i < n; i++) {
        const Ledger__Event *e = events[i];
        uint64_t order = 0;
        switch (e->body_case) {
        case LEDGER__EVENT__BODY_ORDER:    order = e->order->id; break;
        case LEDGER__EVENT__BODY_PAYMENT:  order = e->payment->order_id; break;
        case LEDGER__EVENT__BODY_SHIPMENT: order = e->shipment->order_id; break;
        case LEDGER__EVENT__BODY_REFUND:   order = e->refund->order_id; break;
        default: break;
        }
        if (order) {
            snprintf(key, sizeof key, "o:%" PRIu64, order);
            worker_keys_add(out, key);
        }
    }
}

/* s_event - one event through the parts it concerns */
static int s_event(recon_t *rc, const Ledger__Event *e)
{
    int r = 0;
    switch (e->body_case) {
    case LEDGER__EVENT__BODY_POLICY:
        recset_replace(rc->book, &policybook_add((const Ledger__PolicyBook *)rc->book->msg,
                                                 e->policy)->base);
        return 0;
    case LEDGER__EVENT__BODY_ENTRY:    return closes_entry(rc, e->entry);
    case LEDGER__EVENT__BODY_PRODUCT:  return profit_product(rc, e->product);
    case LEDGER__EVENT__BODY_ORDER:
        r = money_order(rc, e->order);
        return r == 0 ? profit_order(rc, e->order) : r;
    case LEDGER__EVENT__BODY_PAYMENT:  return money_payment(rc, e->payment);
    case LEDGER__EVENT__BODY_SHIPMENT: return money_shipment(rc, e->shipment);
    case LEDGER__EVENT__BODY_REFUND:
        r = money_refund(rc, e->refund);
        return r == 0 ? profit_refund(rc, e->refund) : r;
    default:
        return 0;
    }
}

/* s_batch - apply the events in order; after each, close what ledger time has passed */
static int s_batch(void *ctx, Ledger__Event *const *events, size_t n, worker_state_t *state,
                   worker_out_t *out, err_t *err)
{
    (void)ctx;
    recon_t rc = { .set = { .state = state, .err = err, .owner = "reconciliation" }, .out = out,
                   .err = err };
    int r = (rc.book = recset_get(&rc.set, "policies", &ledger__policy_book__descriptor)) &&
            (rc.branches = recset_get(&rc.set, "branches", &ledger__branches__descriptor))
                ? 0 : -1;
    for (size_t i = 0; i < n && r == 0; i++) {
        rc.e = events[i];
        rc.now = events[i]->time_ms;
        r = s_event(&rc, events[i]);
        if (r == 0)
            r = closes_advance(&rc);
    }
    /* A recovery list changed: written now, not only on the next ledger day. */
    for (size_t i = 0; i < rc.set.n && r == 0; i++)
        if (rc.set.recs[i]->dirty && !strncmp(rc.set.recs[i]->key, "su:", 3)) {
            r = money_recovery(&rc);
            break;
        }
    if (r == 0)
        r = recset_put(&rc.set);
    recset_fini(&rc.set);
    return r;
}

int main(int argc, char **argv)
{
    return worker_main(argc, argv, &(worker_spec_t){
        .name = "reconciliation",
        .summary = "Checks that the money adds up (DOMAIN.md section 5): closes each\n"
                   "branch's accounts by day, ISO week and month (close.day, close.week,\n"
                   "close.month), finds orders shipped but unpaid, paid but not shipped, paid\n"
                   "other than their amount or refunded without payment, keeps each branch's\n"
                   "recovery list and the monthly product profit table.",
        .kinds = s_kinds, .keys = s_keys, .batch = s_batch, .unpartitioned = 1 });
}
