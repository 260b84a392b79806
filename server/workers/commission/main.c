/* commission - pays everyone what the month's policy says (DOMAIN.md 3).
 * Follows orders, refunds, partners, products, staff, policies, attribution
 * results, compliance's fines, month closes, entries and ledger time, and
 * keeps what it needs as worker state. This file reads the events and
 * brings each order's lines up to date (lines.c decides them); statement.c
 * keeps the statements per person and month and settles them at a close;
 * sales.c the distributors and rebates; centre.c the centre bonus pool;
 * batch.c the records a batch works on. Runs as one instance: a statement
 * gathers lines from every customer.
 *
 * State: "o:<id>" OrderCommission; "p:<id>" SellerFacts; "policies"
 * PolicyBook; "calendar" Calendar (last closed month, due times);
 * "m:<month>" people with lines, "pm:<month>" orders placed,
 * "rs:<month>" people with net sales, "cb:<month>" centres with activity,
 * "carry:<month>" people carrying a balance out (MonthIndex);
 * "s:<person>@<month>" Statement; "b:<person>@<month>" Balance;
 * "ms:<person>@<month>" MonthSales; "pd:<customer id>" DistributorFacts;
 * "prod:<code>" Product; "cm:<branch>@<month>" CentreMonth; "st:<staff id>"
 * StaffFacts; "f:<fine key>" FineState. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "batch.h"
#include "centre.h"
#include "codec.h"
#include "lines.h"
#include "log.h"
#include "policybook.h"
#include "sales.h"
#include "statement.h"
#include "xmalloc.h"

static const char *const s_kinds[] = { "order", "refund", "partner", "product", "staff", "policy",
                                       "attribution.resolved", "compliance.fine", "month",
                                       "entry", NULL };

/* ---- an order's lines ---------------------------------------------------- */

/* s_due - the order's next time-only deadline in the calendar (0: none) */
static void s_due(batch_t *b, uint64_t order_id, int64_t at)
{
    Ledger__Calendar *cal = b->cal;
    size_t n = 0;
    for (size_t i = 0; i < cal->n_due; i++)
        if (cal->due[i]->order_id != order_id)
            cal->due[n++] = cal->due[i];
        else
            ledger__due__free_unpacked(cal->due[i], NULL);
    cal->n_due = n;
    if (at) {
        Ledger__Due d = LEDGER__DUE__INIT;
        d.at_ms = at;
        d.order_id = order_id;
        cal->due = realloc(cal->due, (n + 1) * sizeof *cal->due);
        size_t at_i = n;   /* keep (at, order) order */
        while (at_i > 0 && (cal->due[at_i - 1]->at_ms > at ||
                            (cal->due[at_i - 1]->at_ms == at &&
                             cal->due[at_i - 1]->order_id > order_id))) {
            cal->due[at_i] = cal->due[at_i - 1];
            at_i--;
        }
        cal->due[at_i] = (Ledger__Due *)recset_copy(&d.base);
        cal->n_due = n + 1;
    }
    b->set.recs[1]->dirty = 1;   /* the calendar is always recs[1] */
}

/* s_find_line - the line with id among lines, or NULL */
static const Ledger__CommissionLine *s_find_line(Ledger__CommissionLine *const *lines, size_t n,
                                                 const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(lines[i]->id, id))
            return lines[i];
    return NULL;
}

/* s_in_statement - the month of the statement a line stands on, or NULL */
static const char *s_in_statement(const Ledger__CommissionLine *l)
{
    if (!l || !*l->month)
        return NULL;
    return l->state == LEDGER__LINE_STATE__LINE_PAYABLE ||
           l->state == LEDGER__LINE_STATE__LINE_SETTLED ||
           l->state == LEDGER__LINE_STATE__LINE_PAID ? l->month : NULL;
}

/* s_update - bring the order's lines up to date at ledger time now; write
 * each changed line, and keep the statements and the calendar in step */
static int s_update(batch_t *b, rec_t *r, int64_t now)
{
    Ledger__OrderCommission *o = (Ledger__OrderCommission *)r->msg;
    char open[8] = "0000-00", placed[8];
    if (*b->cal->last_closed)
        batch_next_month(open, b->cal->last_closed);
    /* A line on a closed month's statement is settled: it never changes. */
    for (size_t i = 0; i < o->n_lines; i++) {
        Ledger__CommissionLine *l = o->lines[i];
        if (l->state == LEDGER__LINE_STATE__LINE_PAYABLE && *l->month &&
            strcmp(l->month, open) < 0)
            l->state = LEDGER__LINE_STATE__LINE_SETTLED;
    }
    const Ledger__PolicyVersion *policy = batch_policy(b, batch_month(placed, o->placed_ms));
    lines_t *lt = lines_update(o, policy, now, open);
    size_t n = lines_count(lt);
    Ledger__CommissionLine **lines = xcalloc(n ? n : 1, sizeof *lines);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const Ledger__CommissionLine *l = lines_at(lt, i);
        lines[i] = (Ledger__CommissionLine *)l;
        const Ledger__CommissionLine *old = s_find_line(o->lines, o->n_lines, l->id);
        if (old && recset_same(&old->base, &l->base))
            continue;
        worker_result(b->out, KIND_LINE, l->id, o->order_id, 0, &l->base);
        const char *was = s_in_statement(old), *is = s_in_statement(l);
        if (was && l->state == LEDGER__LINE_STATE__LINE_SETTLED)
            continue;   /* settled on a closed statement: that statement is final */
        if (was && (!is || strcmp(was, is)))
            rc = statement_set(b, old, was, 1);
        if (rc == 0 && is)
            rc = statement_set(b, l, is, 0);
    }
    if (rc == 0) {
        Ledger__OrderCommission shell = *o;
        shell.lines = lines;
        shell.n_lines = n;
        ProtobufCMessage *copy = recset_copy(&shell.base);
        s_due(b, o->order_id, lines_next_deadline(lt));
        recset_replace(r, copy);
    }
    free(lines);
    lines_destroy(&lt);
    return rc;
}

/* ---- events -------------------------------------------------------------- */

/* s_seller - the order's seller chain from the partners as the log knows
 * them now: a seller, and its inviter when that is a seller too */
static int s_seller(batch_t *b, const Ledger__PartyRef *seller, Ledger__SellerChain *chain,
                    Ledger__PartyRef *s_ref, Ledger__PartyRef *i_ref)
{
    char key[40];
    snprintf(key, sizeof key, "p:%" PRIu64, seller->id);
    rec_t *r = recset_get(&b->set, key, &ledger__seller_facts__descriptor);
    if (!r)
        return -1;
    const Ledger__SellerFacts *sf = (const Ledger__SellerFacts *)r->msg;
    if (!sf->seller)
        return 0;   /* not in the programme: no seller lines */
    *s_ref = *seller;
    chain->seller = s_ref;
    if (sf->inviter_id) {
        snprintf(key, sizeof key, "p:%" PRIu64, sf->inviter_id);
        rec_t *ri = recset_get(&b->set, key, &ledger__seller_facts__descriptor);
        if (!ri)
            return -1;
        const Ledger__SellerFacts *inv = (const Ledger__SellerFacts *)ri->msg;
        if (inv->seller) {
            i_ref->kind = LEDGER__PARTY_KIND__PARTY_PARTNER;
            i_ref->code = inv->code;
            i_ref->id = inv->id;
            chain->inviter = i_ref;
        }
    }
    return 0;
}

/* s_on_order - the order's facts; handler and arrangers as on the version
 * that completed it (the ones credited, DOMAIN.md section 2) */
static int s_on_order(batch_t *b, const Ledger__Event *e)
{
    const Ledger__Order *ord = e->order;
    char key[40], month[8];
    rec_t *r = recset_get(&b->set, batch_order_key(key, sizeof key, ord->id),
                         &ledger__order_commission__descriptor);
    if (!r)
        return -1;
    Ledger__OrderCommission *o = (Ledger__OrderCommission *)r->msg;
    int is_new = o->order_id == 0;
    Ledger__OrderCommission shell = *o;
    shell.order_id = ord->id;
    shell.order_code = ord->code;
    shell.amount = ord->amount;
    shell.cost = ord->cost;
    shell.placed_ms = ord->placed_ms;
    shell.branch = ord->branch;
    shell.cancelled = ord->status == LEDGER__ORDER_STATUS__CANCELLED;
    int completed = ord->status == LEDGER__ORDER_STATUS__COMPLETED;
    if (completed && !o->completed_ms)
        shell.completed_ms = ord->completed_ms ? ord->completed_ms : e->time_ms;
    if (!o->completed_ms) {   /* not completed before: the order's own */
        shell.handler = ord->handler;
        shell.arrangers = ord->arrangers;
        shell.n_arrangers = ord->n_arrangers;
    }
    Ledger__SellerChain chain = LEDGER__SELLER_CHAIN__INIT;
    Ledger__PartyRef s_ref = LEDGER__PARTY_REF__INIT, i_ref = LEDGER__PARTY_REF__INIT;
    if (!o->seller && ord->seller && ord->seller->id) {   /* as the log knew it then */
        if (s_seller(b, ord->seller, &chain, &s_ref, &i_ref) < 0)
            return -1;
        shell.seller = &chain;
    }
    int newly_completed = shell.completed_ms && !o->completed_ms && !shell.cancelled;
    recset_replace(r, recset_copy(&shell.base));
    if (is_new && batch_index_order(b, batch_month(month, ord->placed_ms), ord->id) < 0)
        return -1;
    o = (Ledger__OrderCommission *)r->msg;
    if (newly_completed && (sales_completed(b, o, ord->customer_id, e->time_ms) < 0 ||
                            centre_completed(b, o) < 0))
        return -1;
    rec_t *rd = sales_distributor(b, ord->customer_id);
    if (!rd)
        return -1;
    const Ledger__DistributorFacts *d = (const Ledger__DistributorFacts *)rd->msg;
    if (d->partner_id && sales_price_check(b, d, ord) < 0)
        return -1;
    return s_update(b, r, e->time_ms);
}

/* s_on_refund - add or update the refund on its order */
static int s_on_refund(batch_t *b, const Ledger__Event *e)
{
    const Ledger__Refund *rf = e->refund;
    char key[40];
    rec_t *r = recset_get(&b->set, batch_order_key(key, sizeof key, rf->order_id),
                     &ledger__order_commission__descriptor);
    if (!r)
        return -1;
    Ledger__OrderCommission *o = (Ledger__OrderCommission *)r->msg;
    if (!o->order_id)
        return 0;   /* an order commission never saw: nothing to pay on it */
    Ledger__CommissionRefund cr = LEDGER__COMMISSION_REFUND__INIT;
    cr.code = rf->code;
    cr.amount = rf->amount;
    /* A refund counts from when the ledger learns of it: one entered late,
     * with a processed time before its lines became payable, is still
     * clawed back rather than lost between the base and the clawbacks. */
    cr.processed_ms = !rf->_processed_ms_case ? 0
                    : rf->processed_ms > e->time_ms ? rf->processed_ms : e->time_ms;
    Ledger__CommissionRefund **refunds = xcalloc(o->n_refunds + 1, sizeof *refunds);
    size_t n = 0;
    int placed = 0, was_processed = 0;
    for (size_t i = 0; i < o->n_refunds; i++) {
        if (!strcmp(o->refunds[i]->code, rf->code)) {
            was_processed = o->refunds[i]->processed_ms != 0;
            refunds[n++] = &cr;
            placed = 1;
        } else {
            refunds[n++] = o->refunds[i];
        }
    }
    if (!placed)
        refunds[n++] = &cr;
    /* Processed now, on an order completed before: its month's sales and a
     * distributor's purchases go down (before completion, the completion
     * counts the order net of it). */
    int after_completion = cr.processed_ms && !was_processed && o->completed_ms && !o->cancelled;
    Ledger__OrderCommission shell = *o;
    shell.refunds = refunds;
    shell.n_refunds = n;
    ProtobufCMessage *copy = recset_copy(&shell.base);
    free(refunds);
    recset_replace(r, copy);
    o = (Ledger__OrderCommission *)r->msg;
    if (after_completion && (sales_refunded(b, o, &cr, rf->customer_id, e->time_ms) < 0 ||
                             centre_refund(b, o, &cr) < 0))
        return -1;
    return s_update(b, r, e->time_ms);
}

/* s_on_attribution - the order's latest attribution */
static int s_on_attribution(batch_t *b, const Ledger__Event *e)
{
    const Ledger__Result *res = e->result;
    char key[40];
    rec_t *r = recset_get(&b->set, batch_order_key(key, sizeof key, res->entity_id),
                     &ledger__order_commission__descriptor);
    if (!r)
        return -1;
    Ledger__OrderCommission *o = (Ledger__OrderCommission *)r->msg;
    if (!o->order_id)
        return 0;
    err_t perr;
    Ledger__Attribution *a = (Ledger__Attribution *)codec_unpack(
        &ledger__attribution__descriptor, res->payload.data ? res->payload.data : (const uint8_t *)"",
        res->payload.len, &perr);
    if (!a) {
        log_warn("commission: attribution of %s (seq %" PRIu64 ") does not read: %s; ignored",
                 res->key, e->seq, perr.msg);
        return 0;
    }
    Ledger__OrderCommission shell = *o;
    shell.attribution = a;
    ProtobufCMessage *copy = recset_copy(&shell.base);
    ledger__attribution__free_unpacked(a, NULL);
    recset_replace(r, copy);
    return s_update(b, r, e->time_ms);
}

/* s_on_partner - what an order's seller link needs */
static int s_on_partner(batch_t *b, const Ledger__Event *e)
{
    const Ledger__Partner *p = e->partner;
    char key[40];
    snprintf(key, sizeof key, "p:%" PRIu64, p->id);
    rec_t *r = recset_get(&b->set, key, &ledger__seller_facts__descriptor);
    if (!r)
        return -1;
    Ledger__SellerFacts sf = LEDGER__SELLER_FACTS__INIT;
    sf.id = p->id;
    sf.code = p->code;
    sf.seller = p->kind == LEDGER__PARTNER_KIND__PARTNER_SELLER;
    sf.inviter_id = p->inviter_id;
    sf.inviter_code = p->inviter_code;
    recset_replace(r, recset_copy(&sf.base));
    if (p->kind != LEDGER__PARTNER_KIND__PARTNER_DISTRIBUTOR || !p->customer_id)
        return 0;
    rec_t *rd = sales_distributor(b, p->customer_id);   /* its purchases are its customer's orders */
    if (!rd)
        return -1;
    Ledger__DistributorFacts d = *(const Ledger__DistributorFacts *)rd->msg;
    d.partner_id = p->id;
    d.partner_code = p->code;
    recset_replace(rd, recset_copy(&d.base));
    return 0;
}

/* s_recompute - every order placed in month, again (a policy version) */
static int s_recompute(batch_t *b, const char *month, int64_t now)
{
    char key[32];
    snprintf(key, sizeof key, "pm:%s", month);
    rec_t *idx = recset_get(&b->set, key, &ledger__month_index__descriptor);
    if (!idx)
        return -1;
    const Ledger__MonthIndex *mi = (const Ledger__MonthIndex *)idx->msg;
    size_t n = mi->n_orders;
    char **keys = xcalloc(n ? n : 1, sizeof *keys);
    uint64_t *ids = xcalloc(n ? n : 1, sizeof *ids);
    for (size_t i = 0; i < n; i++) {
        ids[i] = mi->orders[i];
        keys[i] = xmalloc(32);
        batch_order_key(keys[i], 32, ids[i]);
    }
    int rc = recset_need(&b->set, (const char *const *)keys, n);
    for (size_t i = 0; i < n && rc == 0; i++) {
        rec_t *r = recset_get(&b->set, keys[i], &ledger__order_commission__descriptor);
        rc = r ? s_update(b, r, now) : -1;
    }
    for (size_t i = 0; i < n; i++)
        free(keys[i]);
    free(keys);
    free(ids);
    return rc;
}

/* s_on_policy - a new version: its month, and the later months that have
 * none of their own, are recomputed (their unsettled lines; settled ones
 * get adjustments) */
static int s_on_policy(batch_t *b, const Ledger__Event *e)
{
    const Ledger__PolicyVersion *pv = e->policy;
    ProtobufCMessage *copy = &policybook_add(b->book, pv)->base;
    recset_replace(b->set.recs[0], copy);   /* the book is always recs[0] */
    b->book = (Ledger__PolicyBook *)b->set.recs[0]->msg;

    char month[8], now_month[8];
    snprintf(month, sizeof month, "%s", pv->month);
    batch_month(now_month, e->time_ms);
    while (strcmp(month, now_month) <= 0) {
        if (s_recompute(b, month, e->time_ms) < 0)
            return -1;
        batch_next_month(month, month);
        int own = 0;   /* a month with a version of its own is its own business */
        for (size_t i = 0; i < b->book->n_versions; i++)
            own |= !strcmp(b->book->versions[i]->month, month);
        if (own)
            break;
    }
    return 0;
}

/* s_on_clock - lines whose refund window has passed become payable */
static int s_on_clock(batch_t *b, const Ledger__Event *e)
{
    Ledger__Calendar *cal = b->cal;
    size_t n = 0;
    while (n < cal->n_due && cal->due[n]->at_ms <= e->time_ms)
        n++;
    if (!n)
        return 0;
    char **keys = xcalloc(n, sizeof *keys);
    for (size_t i = 0; i < n; i++) {
        keys[i] = xmalloc(32);
        batch_order_key(keys[i], 32, cal->due[i]->order_id);
    }
    int rc = recset_need(&b->set, (const char *const *)keys, n);
    for (size_t i = 0; i < n && rc == 0; i++) {
        rec_t *r = recset_get(&b->set, keys[i], &ledger__order_commission__descriptor);
        rc = r ? s_update(b, r, e->time_ms) : -1;
    }
    for (size_t i = 0; i < n; i++)
        free(keys[i]);
    free(keys);
    return rc;
}

/* ---- the runtime's two calls ------------------------------------------- */

/* s_keys - what most events need; the rest is read when it is known */
static void s_keys(void *ctx, Ledger__Event *const *events, size_t n, worker_keys_t *out)
{
    char key[40];
    worker_keys_add(out, "policies");
    worker_keys_add(out, "calendar");
    for (size_t i = 0; i < n; i++) {
        const Ledger__Event *e = events[i];
        switch (e->body_case) {
        case LEDGER__EVENT__BODY_ORDER:
            worker_keys_add(out, batch_order_key(key, sizeof key, e->order->id));
            snprintf(key, sizeof key, "pd:%" PRIu64, e->order->customer_id);
            worker_keys_add(out, key);
            if (e->order->seller && e->order->seller->id) {
                snprintf(key, sizeof key, "p:%" PRIu64, e->order->seller->id);
                worker_keys_add(out, key);
            }
            break;
        case LEDGER__EVENT__BODY_REFUND:
            worker_keys_add(out, batch_order_key(key, sizeof key, e->refund->order_id));
            snprintf(key, sizeof key, "pd:%" PRIu64, e->refund->customer_id);
            worker_keys_add(out, key);
            break;
        case LEDGER__EVENT__BODY_PRODUCT:
            snprintf(key, sizeof key, "prod:%s", e->product->code);
            if (strlen(key) <= 128)
                worker_keys_add(out, key);
            break;
        case LEDGER__EVENT__BODY_RESULT:
            if (!strcmp(e->kind, "attribution.resolved"))
                worker_keys_add(out, batch_order_key(key, sizeof key, e->result->entity_id));
            break;
        case LEDGER__EVENT__BODY_PARTNER:
            snprintf(key, sizeof key, "p:%" PRIu64, e->partner->id);
            worker_keys_add(out, key);
            break;
        default:
            break;
        }
    }
}

/* s_batch - apply the events in order; write every record changed */
static int s_batch(void *ctx, Ledger__Event *const *events, size_t n, worker_state_t *state,
                   worker_out_t *out, err_t *err)
{
    batch_t b = { .set = { .state = state, .err = err, .owner = "commission" }, .out = out,
                  .err = err };
    int rc = 0;
    rec_t *book = recset_get(&b.set, "policies", &ledger__policy_book__descriptor);
    rec_t *cal = book ? recset_get(&b.set, "calendar", &ledger__calendar__descriptor) : NULL;
    if (!cal)
        rc = -1;
    else {
        b.book = (Ledger__PolicyBook *)book->msg;
        b.cal = (Ledger__Calendar *)cal->msg;
    }
    for (size_t i = 0; i < n && rc == 0; i++) {
        const Ledger__Event *e = events[i];
        switch (e->body_case) {
        case LEDGER__EVENT__BODY_ORDER:   rc = s_on_order(&b, e); break;
        case LEDGER__EVENT__BODY_REFUND:  rc = s_on_refund(&b, e); break;
        case LEDGER__EVENT__BODY_PARTNER: rc = s_on_partner(&b, e); break;
        case LEDGER__EVENT__BODY_PRODUCT: rc = sales_product(&b, e); break;
        case LEDGER__EVENT__BODY_POLICY:  rc = s_on_policy(&b, e); break;
        case LEDGER__EVENT__BODY_MONTH:   rc = statement_close(&b, e); break;
        case LEDGER__EVENT__BODY_CLOCK:   rc = s_on_clock(&b, e); break;
        case LEDGER__EVENT__BODY_ENTRY:
            rc = centre_entry(&b, e->entry);
            if (rc == 0)
                rc = statement_payout(&b, e);
            break;
        case LEDGER__EVENT__BODY_STAFF:   rc = centre_staff(&b, e); break;
        case LEDGER__EVENT__BODY_RESULT:
            if (!strcmp(e->kind, "attribution.resolved"))
                rc = s_on_attribution(&b, e);
            else if (!strcmp(e->kind, "compliance.fine"))
                rc = statement_fine(&b, e);
            break;
        default:
            break;
        }
        b.book = (Ledger__PolicyBook *)b.set.recs[0]->msg;
        b.cal = (Ledger__Calendar *)b.set.recs[1]->msg;
    }
    /* Write back what changed; drafts also as results. */
    for (size_t i = 0; i < b.set.n && rc == 0; i++) {
        rec_t *r = b.set.recs[i];
        if (r->dirty && !strncmp(r->key, "s:", 2)) {
            const Ledger__Statement *st = (const Ledger__Statement *)r->msg;
            if (!st->closed)
                worker_result(out, KIND_DRAFT, r->key + 2, st->person ? st->person->id : 0, 0,
                              r->msg);
        }
    }
    if (rc == 0)
        rc = recset_put(&b.set);
    recset_fini(&b.set);
    return rc;
}

int main(int argc, char **argv)
{
    return worker_main(argc, argv, &(worker_spec_t){
        .name = "commission",
        .summary = "Pays everyone what the month's policy says: role commission on the\n"
                   "attributed roles and the seller programme, line by line, on statements\n"
                   "per person and month, settled when finance closes the month\n"
                   "(DOMAIN.md sections 3.1-3.3).",
        .kinds = s_kinds, .keys = s_keys, .batch = s_batch, .unpartitioned = 1,
        .idempotent = 1 });
}
