/* money - orders against their payments, shipments and refunds (DOMAIN.md
 * 5, seed 003): each order's money facts ("o:<order id>" OrderMoney), judged
 * after every change once the order itself has been seen, into the
 * exceptions shipped_unpaid, paid_not_shipped, amount_mismatch and
 * refund_unpaid ("x:<id>" Exception, result recon.exception); and each
 * branch's shipped-but-unpaid orders ("su:<branch>" RecoveryList, the
 * branches to write in "su-branches"), written as recovery.list when it
 * changes and on each new ledger day (main.c, closes.c). closes.c keeps late
 * entries' exceptions through recon_exception. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "date.h"
#include "log.h"
#include "money.h"
#include "period.h"
#include "recon.h"
#include "xmalloc.h"

#define KIND_EXCEPTION "recon.exception"
#define KIND_RECOVERY  "recovery.list"
#define EVIDENCE_KEPT  16    /* the most recent seqs an order keeps */
#define STATE_KEY_MAX  128   /* ledgerd's limit on a state key */
#define RECOVERY_BRANCHES "su-branches"

#define SHIPPED_UNPAID   LEDGER__EXCEPTION_KIND__EXCEPTION_SHIPPED_UNPAID
#define PAID_NOT_SHIPPED LEDGER__EXCEPTION_KIND__EXCEPTION_PAID_NOT_SHIPPED
#define AMOUNT_MISMATCH  LEDGER__EXCEPTION_KIND__EXCEPTION_AMOUNT_MISMATCH
#define REFUND_UNPAID    LEDGER__EXCEPTION_KIND__EXCEPTION_REFUND_UNPAID
#define LATE_ENTRY       LEDGER__EXCEPTION_KIND__EXCEPTION_LATE_ENTRY

static const Ledger__ExceptionKind s_order_kinds[] = {
    SHIPPED_UNPAID, PAID_NOT_SHIPPED, AMOUNT_MISMATCH, REFUND_UNPAID
};

/* What an order's exceptions are judged on, taken before and after a change. */
typedef struct {
    int known;         /* the order event has been seen */
    int cancelled;     /* status CANCELLED */
    int shipped;       /* a shipment recorded */
    int64_t amount;    /* the order's, fen */
    int64_t paid;      /* sum of its payments, fen */
    int64_t refunded;  /* sum of its refunds requested, fen */
} facts_t;

/* s_kind_name - the id prefix of an exception kind */
static const char *s_kind_name(Ledger__ExceptionKind kind)
{
    switch (kind) {
    case SHIPPED_UNPAID:   return "shipped_unpaid";
    case PAID_NOT_SHIPPED: return "paid_not_shipped";
    case AMOUNT_MISMATCH:  return "amount_mismatch";
    case REFUND_UNPAID:    return "refund_unpaid";
    case LATE_ENTRY:       return "late_entry";
    default:               return "unspecified";
    }
}

/* ---- exceptions ---------------------------------------------------------- */

/* s_exception - recon_exception, with the entity its result is about */
static int s_exception(recon_t *rc, Ledger__ExceptionKind kind, const char *id,
                       const Ledger__Exception *facts, int open, uint64_t entity_id)
{
    char key[STATE_KEY_MAX + 8];
    if (snprintf(key, sizeof key, "x:%s", id) > STATE_KEY_MAX) {
        log_warn("reconciliation: exception %s: id too long for a state key; not kept", id);
        return 0;
    }
    rec_t *r = recset_get(&rc->set, key, &ledger__exception__descriptor);
    if (!r)
        return -1;
    const Ledger__Exception *old = (const Ledger__Exception *)r->msg;
    int was_open = *old->id && old->open;
    if (!open && !was_open)
        return 0;   /* never open, or put right already: nothing to say */
    Ledger__Exception x = *old;
    x.kind = kind;
    x.id = (char *)id;
    x.order_code = facts->order_code ? facts->order_code : "";
    x.customer_code = facts->customer_code ? facts->customer_code : "";
    x.branch = facts->branch ? facts->branch : "";
    x.amount = facts->amount;
    x.paid = facts->paid;
    x.refunded = facts->refunded;
    x.evidence = facts->evidence;
    x.n_evidence = facts->n_evidence;
    x.reason = facts->reason ? facts->reason : "";
    x.booked_on = facts->booked_on ? facts->booked_on : "";
    if (open && !was_open) {
        x.open = 1;
        x.since_ms = rc->now;
        x.closed_ms = 0;
    } else if (!open) {
        x.open = 0;
        x.closed_ms = rc->now;
    }
    /* Still open with the same facts: the result would be the same. */
    if (recset_same(r->msg, &x.base))
        return 0;
    /* x borrows from the old message, which the replace frees: copy first. */
    Ledger__Exception *copy = (Ledger__Exception *)recset_copy(&x.base);
    recset_replace(r, &copy->base);
    worker_result(rc->out, KIND_EXCEPTION, copy->id, entity_id, 0, &copy->base);
    return 0;
}

int recon_exception(recon_t *rc, Ledger__ExceptionKind kind, const char *id,
                    const Ledger__Exception *facts, int open)
{
    return s_exception(rc, kind, id, facts, open, 0);
}

/* ---- the recovery lists -------------------------------------------------- */

/* s_recovery_key - "su:<branch>"; -1 when the branch cannot name one */
static int s_recovery_key(char *out, size_t n, const char *branch)
{
    return *branch && snprintf(out, n, "su:%s", branch) <= STATE_KEY_MAX ? 0 : -1;
}

/* s_recovery_touch - remember that branch's list is to be written */
static int s_recovery_touch(recon_t *rc, const char *branch)
{
    rec_t *r = recset_get(&rc->set, RECOVERY_BRANCHES, &ledger__branches__descriptor);
    if (!r)
        return -1;
    Ledger__Branches *b = (Ledger__Branches *)r->msg;
    size_t at = 0;
    while (at < b->n_codes && strcmp(b->codes[at], branch) < 0)
        at++;
    if (at < b->n_codes && !strcmp(b->codes[at], branch))
        return 0;
    b->codes = xrealloc(b->codes, (b->n_codes + 1) * sizeof *b->codes);
    memmove(b->codes + at + 1, b->codes + at, (b->n_codes - at) * sizeof *b->codes);
    b->codes[at] = xstrdup(branch);
    b->n_codes++;
    r->dirty = 1;
    return 0;
}

/* s_older - a is listed before b: the older shipment first, then by order code */
static int s_older(const Ledger__RecoveryItem *a, const Ledger__RecoveryItem *b)
{
    if (a->shipped_ms != b->shipped_ms)
        return a->shipped_ms < b->shipped_ms;
    return strcmp(a->order_code, b->order_code) < 0;
}

/* s_recovery_set - list the order in branch's recovery list (with its facts
 * now), or take it off */
static int s_recovery_set(recon_t *rc, const char *branch, const Ledger__OrderMoney *om,
                          int listed)
{
    char key[STATE_KEY_MAX + 8];
    if (s_recovery_key(key, sizeof key, branch) < 0) {
        log_warn("reconciliation: order %s: branch \"%s\" cannot name a recovery list; "
                 "not listed", om->code, branch);
        return 0;
    }
    rec_t *r = recset_get(&rc->set, key, &ledger__recovery_list__descriptor);
    if (!r)
        return -1;
    Ledger__RecoveryList *l = (Ledger__RecoveryList *)r->msg;
    Ledger__RecoveryItem it = LEDGER__RECOVERY_ITEM__INIT;
    it.order_code = om->code;
    it.customer_code = om->customer_code;
    it.shipment_code = om->shipment_code;
    it.shipped_ms = om->shipped_ms;
    it.amount = om->amount;
    it.paid = om->paid;
    size_t at = 0;
    while (at < l->n_items && strcmp(l->items[at]->order_code, om->code))
        at++;
    if (at < l->n_items) {
        if (listed && recset_same(&l->items[at]->base, &it.base))
            return 0;
        ledger__recovery_item__free_unpacked(l->items[at], NULL);
        memmove(l->items + at, l->items + at + 1, (l->n_items - at - 1) * sizeof *l->items);
        l->n_items--;
    } else if (!listed) {
        return 0;
    }
    if (listed) {
        /* Kept oldest shipment first, so that the list is written as it is. */
        l->items = xrealloc(l->items, (l->n_items + 1) * sizeof *l->items);
        size_t pos = l->n_items;
        while (pos > 0 && s_older(&it, l->items[pos - 1])) {
            l->items[pos] = l->items[pos - 1];
            pos--;
        }
        l->items[pos] = (Ledger__RecoveryItem *)recset_copy(&it.base);
        l->n_items++;
    }
    r->dirty = 1;
    return s_recovery_touch(rc, branch);
}

/* s_recovery_write - branch's recovery.list result as of the start of the
 * ledger day: whole days outstanding, and the same list however a replay
 * cuts the log into batches */
static void s_recovery_write(recon_t *rc, const char *branch, const Ledger__RecoveryList *l)
{
    int64_t as_of = period_start_ms(PERIOD_DAY, period_of(PERIOD_DAY, rc->now));
    Ledger__RecoveryItem *items = xcalloc(l->n_items, sizeof *items);
    Ledger__RecoveryItem **ptrs = xcalloc(l->n_items, sizeof *ptrs);
    int64_t outstanding = 0;
    for (size_t i = 0; i < l->n_items; i++) {
        items[i] = *l->items[i];
        int64_t days = (as_of - items[i].shipped_ms) / RECON_DAY_MS;
        items[i].days_outstanding = days > 0 ? days : 0;
        outstanding += items[i].amount - items[i].paid;
        ptrs[i] = &items[i];
    }
    Ledger__RecoveryList out = LEDGER__RECOVERY_LIST__INIT;
    out.branch = (char *)branch;
    out.as_of_ms = as_of;
    out.items = ptrs;
    out.n_items = l->n_items;
    out.outstanding = outstanding;
    worker_result(rc->out, KIND_RECOVERY, branch, 0, 0, &out.base);
    free(ptrs);
    free(items);
}

int money_recovery(recon_t *rc)
{
    rec_t *rb = recset_get(&rc->set, RECOVERY_BRANCHES, &ledger__branches__descriptor);
    if (!rb)
        return -1;
    Ledger__Branches *b = (Ledger__Branches *)rb->msg;
    if (!b->n_codes)
        return 0;
    /* Every branch's list in one state.get. */
    char (*keys)[STATE_KEY_MAX + 8] = xcalloc(b->n_codes, sizeof *keys);
    const char **want = xcalloc(b->n_codes, sizeof *want);
    for (size_t i = 0; i < b->n_codes; i++) {
        s_recovery_key(keys[i], sizeof keys[i], b->codes[i]);   /* listed: it names one */
        want[i] = keys[i];
    }
    int rc_need = recset_need(&rc->set, want, b->n_codes);
    size_t keep = 0;
    for (size_t i = 0; i < b->n_codes && rc_need == 0; i++) {
        rec_t *r = recset_get(&rc->set, keys[i], &ledger__recovery_list__descriptor);
        if (!r) {
            rc_need = -1;
            break;
        }
        const Ledger__RecoveryList *l = (const Ledger__RecoveryList *)r->msg;
        s_recovery_write(rc, b->codes[i], l);
        /* An emptied list is written once, so readers see it cleared; then
         * the branch has nothing more to write until an order is listed. */
        if (l->n_items)
            b->codes[keep++] = b->codes[i];
        else
            free(b->codes[i]);
    }
    if (rc_need == 0 && keep != b->n_codes) {
        b->n_codes = keep;
        rb->dirty = 1;
    }
    free(want);
    free(keys);
    return rc_need;
}

/* ---- an order's facts ---------------------------------------------------- */

/* s_order_rec - the order's money facts, "o:<order id>"; NULL with rc->err */
static rec_t *s_order_rec(recon_t *rc, uint64_t order_id)
{
    char key[40];
    snprintf(key, sizeof key, "o:%" PRIu64, order_id);
    return recset_get(&rc->set, key, &ledger__order_money__descriptor);
}

/* s_facts - what the exceptions are judged on */
static facts_t s_facts(const Ledger__OrderMoney *om)
{
    return (facts_t){ .known = om->known, .cancelled = om->cancelled,
                      .shipped = *om->shipment_code != 0, .amount = om->amount,
                      .paid = om->paid, .refunded = om->refunded };
}

/* s_holds - whether the exception of kind holds on the facts */
static int s_holds(Ledger__ExceptionKind kind, const facts_t *f)
{
    if (!f->known)
        return 0;   /* payments before their order: judged when it comes */
    switch (kind) {
    case SHIPPED_UNPAID:
        return f->shipped && f->paid == 0 && !f->cancelled;
    case PAID_NOT_SHIPPED:
        return f->amount > 0 && f->paid >= f->amount && !f->shipped && !f->cancelled;
    case AMOUNT_MISMATCH:
        return f->paid > 0 && f->paid != f->amount && !f->cancelled;
    case REFUND_UNPAID:
        return f->refunded > 0 && f->paid == 0;
    default:
        return 0;
    }
}

/* s_reason - one sentence on the exception of kind: why it holds, or what
 * put it right */
static void s_reason(char *out, size_t n, Ledger__ExceptionKind kind,
                     const Ledger__OrderMoney *om, int holds)
{
    char amount[32], paid[32], refunded[32], diff[32], day[16];
    money_format(amount, sizeof amount, om->amount);
    money_format(paid, sizeof paid, om->paid);
    money_format(refunded, sizeof refunded, om->refunded);
    money_format(diff, sizeof diff, om->paid > om->amount ? om->paid - om->amount
                                                          : om->amount - om->paid);
    date_format(day, sizeof day, date_of(om->shipped_ms));
    const char *c = om->code;
    if (!holds && om->cancelled && kind != REFUND_UNPAID) {
        snprintf(out, n, "%s was cancelled", c);
        return;
    }
    switch (kind) {
    case SHIPPED_UNPAID:
        if (holds)
            snprintf(out, n, "%s shipped %s (%s) and nothing paid of %s", c, day,
                     om->shipment_code, amount);
        else
            snprintf(out, n, "%s paid %s of %s after it shipped %s (%s)", c, paid, amount, day,
                     om->shipment_code);
        break;
    case PAID_NOT_SHIPPED:
        if (holds)
            snprintf(out, n, "%s paid %s of %s and nothing shipped", c, paid, amount);
        else if (*om->shipment_code)
            snprintf(out, n, "%s shipped %s (%s)", c, day, om->shipment_code);
        else
            snprintf(out, n, "%s is no longer paid in full: %s of %s", c, paid, amount);
        break;
    case AMOUNT_MISMATCH:
        if (holds)
            snprintf(out, n, "%s paid %s against its amount of %s, %s %s", c, paid, amount, diff,
                     om->paid < om->amount ? "short" : "over");
        else if (om->paid == om->amount)
            snprintf(out, n, "%s paid exactly its amount of %s", c, amount);
        else
            snprintf(out, n, "%s has no payment now", c);
        break;
    case REFUND_UNPAID:
        if (holds)
            snprintf(out, n, "%s has refunds of %s requested and nothing paid", c, refunded);
        else if (om->paid > 0)
            snprintf(out, n, "%s has payments of %s behind its refunds of %s", c, paid, refunded);
        else
            snprintf(out, n, "%s has no refund requested now", c);
        break;
    default:
        snprintf(out, n, "%s", c);
        break;
    }
}

/* s_evidence - the event applied is evidence of the facts (the most recent
 * EVIDENCE_KEPT) */
static void s_evidence(Ledger__OrderMoney *om, uint64_t seq)
{
    if (om->n_seqs && om->seqs[om->n_seqs - 1] == seq)
        return;
    if (om->n_seqs >= EVIDENCE_KEPT) {
        size_t drop = om->n_seqs - EVIDENCE_KEPT + 1;
        memmove(om->seqs, om->seqs + drop, (om->n_seqs - drop) * sizeof *om->seqs);
        om->n_seqs -= drop;
    }
    om->seqs = xrealloc(om->seqs, (om->n_seqs + 1) * sizeof *om->seqs);
    om->seqs[om->n_seqs++] = seq;
}

/* s_judge - every exception of the order after a change: those that held
 * before it or hold now are opened, updated or put right (an exception that
 * held neither before nor now has nothing to say, and its record is not read) */
static int s_judge(recon_t *rc, rec_t *r, uint64_t order_id, const facts_t *before)
{
    const Ledger__OrderMoney *om = (const Ledger__OrderMoney *)r->msg;
    facts_t now = s_facts(om);
    for (size_t i = 0; i < sizeof s_order_kinds / sizeof *s_order_kinds; i++) {
        Ledger__ExceptionKind kind = s_order_kinds[i];
        int held = s_holds(kind, before), holds = s_holds(kind, &now);
        if (!held && !holds)
            continue;
        char id[STATE_KEY_MAX + 64], reason[512];
        snprintf(id, sizeof id, "%s/%s", s_kind_name(kind), om->code);
        s_reason(reason, sizeof reason, kind, om, holds);
        Ledger__Exception x = LEDGER__EXCEPTION__INIT;
        x.order_code = om->code;
        x.customer_code = om->customer_code;
        x.branch = om->branch;
        x.amount = om->amount;
        x.paid = om->paid;
        x.refunded = om->refunded;
        x.evidence = om->seqs;
        x.n_evidence = om->n_seqs;
        x.reason = reason;
        if (s_exception(rc, kind, id, &x, holds, order_id) < 0)
            return -1;
        if (kind == SHIPPED_UNPAID && s_recovery_set(rc, om->branch, om, holds) < 0)
            return -1;
    }
    return 0;
}

/* s_amount_set - code's amount among codes (an amended one replaces its
 * amount); 1 when that changed anything */
static int s_amount_set(char ***codes, size_t *n_codes, int64_t **amounts, size_t *n_amounts,
                        const char *code, int64_t amount)
{
    if (*n_codes != *n_amounts)
        log_panic("reconciliation: order money holds %zu codes and %zu amounts", *n_codes,
                  *n_amounts);
    for (size_t i = 0; i < *n_codes; i++)
        if (!strcmp((*codes)[i], code)) {
            if ((*amounts)[i] == amount)
                return 0;
            (*amounts)[i] = amount;
            return 1;
        }
    *codes = xrealloc(*codes, (*n_codes + 1) * sizeof **codes);
    *amounts = xrealloc(*amounts, (*n_amounts + 1) * sizeof **amounts);
    (*codes)[(*n_codes)++] = xstrdup(code);
    (*amounts)[(*n_amounts)++] = amount;
    return 1;
}

/* s_sum - the amounts' total, fen */
static int64_t s_sum(const int64_t *amounts, size_t n)
{
    int64_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += amounts[i];
    return sum;
}

int money_order(recon_t *rc, const Ledger__Order *o)
{
    rec_t *r = s_order_rec(rc, o->id);
    if (!r)
        return -1;
    const Ledger__OrderMoney *old = (const Ledger__OrderMoney *)r->msg;
    facts_t before = s_facts(old);
    Ledger__OrderMoney om = *old;
    om.code = o->code;
    om.customer_code = o->customer_code;
    om.branch = o->branch;
    om.amount = o->amount;
    om.cancelled = o->status == LEDGER__ORDER_STATUS__CANCELLED;
    om.known = 1;
    if (recset_same(r->msg, &om.base))
        return 0;   /* an amend of something else: the money facts stand */
    /* An order moved to another branch leaves the old branch's recovery list
     * (s_judge lists it in the new one). */
    if (s_holds(SHIPPED_UNPAID, &before) && strcmp(old->branch, o->branch) &&
        s_recovery_set(rc, old->branch, old, 0) < 0)
        return -1;
    recset_replace(r, recset_copy(&om.base));
    s_evidence((Ledger__OrderMoney *)r->msg, rc->e->seq);
    return s_judge(rc, r, o->id, &before);
}

int money_payment(recon_t *rc, const Ledger__Payment *p)
{
    if (!p->order_id) {
        log_warn("reconciliation: payment %s (seq %" PRIu64 ") names no order; ignored",
                 p->code, rc->e->seq);
        return 0;
    }
    rec_t *r = s_order_rec(rc, p->order_id);
    if (!r)
        return -1;
    Ledger__OrderMoney *om = (Ledger__OrderMoney *)r->msg;
    facts_t before = s_facts(om);
    if (!s_amount_set(&om->payments, &om->n_payments, &om->payment_amounts,
                      &om->n_payment_amounts, p->code, p->amount))
        return 0;
    om->paid = s_sum(om->payment_amounts, om->n_payment_amounts);
    s_evidence(om, rc->e->seq);
    r->dirty = 1;
    return s_judge(rc, r, p->order_id, &before);
}

int money_shipment(recon_t *rc, const Ledger__Shipment *s)
{
    if (!s->order_id) {
        log_warn("reconciliation: shipment %s (seq %" PRIu64 ") names no order; ignored",
                 s->code, rc->e->seq);
        return 0;
    }
    rec_t *r = s_order_rec(rc, s->order_id);
    if (!r)
        return -1;
    const Ledger__OrderMoney *old = (const Ledger__OrderMoney *)r->msg;
    int64_t at = s->shipped_ms ? s->shipped_ms : rc->now;
    int same = !strcmp(old->shipment_code, s->code);
    /* The first shipment counts: a later one changes nothing; an amended
     * first one moves its time. */
    if (*old->shipment_code && (same ? at == old->shipped_ms : at >= old->shipped_ms))
        return 0;
    facts_t before = s_facts(old);
    Ledger__OrderMoney om = *old;
    om.shipment_code = s->code;
    om.shipped_ms = at;
    recset_replace(r, recset_copy(&om.base));
    s_evidence((Ledger__OrderMoney *)r->msg, rc->e->seq);
    return s_judge(rc, r, s->order_id, &before);
}

int money_refund(recon_t *rc, const Ledger__Refund *rf)
{
    if (!rf->order_id) {
        log_warn("reconciliation: refund %s (seq %" PRIu64 ") names no order; ignored",
                 rf->code, rc->e->seq);
        return 0;
    }
    rec_t *r = s_order_rec(rc, rf->order_id);
    if (!r)
        return -1;
    Ledger__OrderMoney *om = (Ledger__OrderMoney *)r->msg;
    facts_t before = s_facts(om);
    if (!s_amount_set(&om->refunds, &om->n_refunds, &om->refund_amounts,
                      &om->n_refund_amounts, rf->code, rf->amount))
        return 0;
    om->refunded = s_sum(om->refund_amounts, om->n_refund_amounts);
    s_evidence(om, rc->e->seq);
    r->dirty = 1;
    return s_judge(rc, r, rf->order_id, &before);
}
