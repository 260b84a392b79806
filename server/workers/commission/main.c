/* commission - pays everyone what the month's policy says (DOMAIN.md 3.1-3.3).
 * Keeps each order's facts and lines as worker state ("o:<order id>"),
 * brings the lines up to date whenever the order, its attribution, a refund,
 * the policy of its month or ledger time changes (lines.c decides), and
 * writes every changed line as a "commission.line" result. A line that is
 * payable belongs to a person's statement for a month: drafts are written
 * as "statement.draft" results while the month is open, and when finance
 * closes it (a month.closed event) each person's statement is settled,
 * with any negative balance carried on, as a "statement.closed" result.
 * Runs as one instance: a statement gathers lines from every customer.
 *
 * State: "o:<id>" OrderCommission; "p:<id>" SellerFacts; "policies"
 * PolicyBook; "calendar" Calendar (last closed month, due times);
 * "m:<month>" MonthIndex (people with lines in it); "pm:<month>" MonthIndex
 * (orders placed in it); "s:<person>@<month>" Statement (the draft, then
 * the closed one); "b:<person>@<month>" Balance (carried out of the month);
 * "carry:<month>" MonthIndex (who carried a balance out of it). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "codec.h"
#include "commission.pb-c.h"
#include "date.h"
#include "lines.h"
#include "log.h"
#include "money.h"
#include "policy.h"
#include "pool.h"
#include "tiers.h"
#include "worker.h"
#include "xmalloc.h"

#define KIND_LINE   "commission.line"
#define KIND_DRAFT  "statement.draft"
#define KIND_CLOSED "statement.closed"
#define KIND_TOTAL  "distributor.total"
#define KIND_PRICE  "distributor.price"
#define KIND_POOL   "pool.month"
#define STATE_MAX   (1u << 20)   /* ledgerd's limit on one state record */

static const char *const s_kinds[] = { "order", "refund", "partner", "product", "staff", "policy",
                                       "attribution.resolved", "compliance.fine", "month",
                                       "entry", NULL };

/* ---- small helpers ---------------------------------------------------- */

/* s_month - the local month of a time, "YYYY-MM" */
static const char *s_month(char out[8], int64_t ms)
{
    date_t d = date_of(ms);
    snprintf(out, 8, "%04d-%02d", d.y, d.m);
    return out;
}

/* s_next_month - the month after "YYYY-MM" ("" gives "") */
static const char *s_next_month(char out[8], const char *month)
{
    int y, m;
    if (sscanf(month, "%4d-%2d", &y, &m) != 2) {
        out[0] = 0;
        return out;
    }
    snprintf(out, 8, "%04d-%02d", m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1);
    return out;
}

/* s_person - "staff:S-1": a person's key part */
static const char *s_person(char *out, size_t n, const Ledger__PartyRef *p)
{
    snprintf(out, n, "%s:%s", p->kind == LEDGER__PARTY_KIND__PARTY_PARTNER ? "partner" : "staff",
             p->code);
    return out;
}

/* s_copy - an owned deep copy of msg (which may hold borrowed pointers) */
static ProtobufCMessage *s_copy(const ProtobufCMessage *msg)
{
    uint8_t *buf;
    size_t len = codec_pack(msg, &buf);
    ProtobufCMessage *copy = protobuf_c_message_unpack(msg->descriptor, NULL, len, buf);
    free(buf);
    if (!copy)
        log_panic("commission: a %s just packed does not unpack", msg->descriptor->name);
    return copy;
}

/* s_unpack - a state record as desc, or a new empty one when absent */
static ProtobufCMessage *s_unpack(const ProtobufCMessageDescriptor *desc, const uint8_t *v,
                                  size_t len, const char *key)
{
    ProtobufCMessage *m = protobuf_c_message_unpack(desc, NULL, v ? len : 0,
                                                    v ? v : (const uint8_t *)"");
    if (!m)
        log_fatal("commission: state %s does not unpack as %s", key, desc->name);
    return m;
}

/* s_same - two messages pack to the same bytes */
static int s_same(const ProtobufCMessage *a, const ProtobufCMessage *b)
{
    uint8_t *x, *y;
    size_t nx = codec_pack(a, &x), ny = codec_pack(b, &y);
    int same = nx == ny && memcmp(x, y, nx) == 0;
    free(x);
    free(y);
    return same;
}

/* ---- the batch's working set ------------------------------------------ */

/* A state record decoded for the batch, written back at its end if dirty. */
typedef struct {
    char *key;
    ProtobufCMessage *msg;   /* owned */
    int dirty;
} rec_t;

typedef struct {
    worker_state_t *state;
    worker_out_t *out;
    err_t *err;
    rec_t **recs;            /* every record touched, in first-touch order; each
                                allocated alone, so a rec_t * stays valid */
    size_t n, cap;
    size_t *index;           /* open addressing by key hash: recs' index + 1, 0 empty */
    size_t index_cap;        /* a power of two, > 2 n */
    Ledger__Calendar *cal;   /* recs' "calendar" */
    Ledger__PolicyBook *book;/* recs' "policies" */
    Ledger__PolicyVersion fallback;   /* the built-in default, version 0 */
} batch_t;

/* s_slot - where key's index entry is, or would go */
static size_t *s_slot(batch_t *b, const char *key)
{
    uint64_t h = 1469598103934665603ull;   /* FNV-1a */
    for (const char *c = key; *c; c++)
        h = (h ^ (uint8_t)*c) * 1099511628211ull;
    size_t mask = b->index_cap - 1, i = (size_t)h & mask;
    while (b->index[i] && strcmp(b->recs[b->index[i] - 1]->key, key) != 0)
        i = (i + 1) & mask;
    return &b->index[i];
}

/* s_rec - the record under key, decoded (needed from ledgerd if not yet
 * read); NULL with b->err when it could not be read */
static rec_t *s_rec(batch_t *b, const char *key, const ProtobufCMessageDescriptor *desc)
{
    if (2 * (b->n + 1) > b->index_cap) {
        free(b->index);
        b->index_cap = b->index_cap ? 2 * b->index_cap : 256;
        b->index = xcalloc(b->index_cap, sizeof *b->index);
        for (size_t i = 0; i < b->n; i++)
            *s_slot(b, b->recs[i]->key) = i + 1;
    }
    size_t *slot = s_slot(b, key);
    if (*slot)
        return b->recs[*slot - 1];
    const char *keys[] = { key };
    if (worker_state_need(b->state, keys, 1, b->err) < 0)
        return NULL;
    size_t len;
    const uint8_t *v = worker_state_get(b->state, key, &len);
    if (b->n == b->cap) {
        b->cap = b->cap ? 2 * b->cap : 64;
        b->recs = xrealloc(b->recs, b->cap * sizeof *b->recs);
    }
    rec_t *r = xmalloc(sizeof *r);
    *r = (rec_t){ xstrdup(key), s_unpack(desc, v, len, key), 0 };
    b->recs[b->n++] = r;
    *s_slot(b, key) = b->n;
    return r;
}

/* s_replace - put an owned new message in the record's place */
static void s_replace(rec_t *r, ProtobufCMessage *m)
{
    protobuf_c_message_free_unpacked(r->msg, NULL);
    r->msg = m;
    r->dirty = 1;
}

/* s_need_many - read many records at once (one state.get) */
static int s_need_many(batch_t *b, char **keys, size_t n)
{
    return worker_state_need(b->state, (const char *const *)keys, n, b->err);
}

/* ---- the policy of a month --------------------------------------------- */

/* s_policy - the version in force for month: its own latest, else the
 * latest earlier month's, else the built-in default */
static const Ledger__PolicyVersion *s_policy(batch_t *b, const char *month)
{
    const Ledger__PolicyVersion *best = &b->fallback;
    for (size_t i = 0; i < b->book->n_versions; i++) {
        const Ledger__PolicyVersion *v = b->book->versions[i];
        if (strcmp(v->month, month) <= 0)
            best = v;   /* the book is in (month, version) order */
    }
    return best;
}

/* ---- month indexes ------------------------------------------------------ */

static int s_index_add_order(batch_t *b, const char *month, uint64_t id)
{
    char key[32];
    snprintf(key, sizeof key, "pm:%s", month);
    rec_t *r = s_rec(b, key, &ledger__month_index__descriptor);
    if (!r)
        return -1;
    Ledger__MonthIndex *mi = (Ledger__MonthIndex *)r->msg;
    size_t lo = 0, hi = mi->n_orders;   /* kept sorted: ids mostly come in order */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (mi->orders[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < mi->n_orders && mi->orders[lo] == id)
        return 0;
    mi->orders = realloc(mi->orders, (mi->n_orders + 1) * sizeof *mi->orders);
    if (!mi->orders)
        log_panic("commission: out of memory");
    memmove(mi->orders + lo + 1, mi->orders + lo, (mi->n_orders - lo) * sizeof *mi->orders);
    mi->orders[lo] = id;
    mi->n_orders++;
    r->dirty = 1;
    return 0;
}

/* s_index_add_person - p into the people of index "<prefix>:<month>" */
static int s_index_add_person(batch_t *b, const char *prefix, const char *month,
                              const Ledger__PartyRef *p)
{
    char key[32];
    snprintf(key, sizeof key, "%s:%s", prefix, month);
    rec_t *r = s_rec(b, key, &ledger__month_index__descriptor);
    if (!r)
        return -1;
    Ledger__MonthIndex *mi = (Ledger__MonthIndex *)r->msg;
    for (size_t i = 0; i < mi->n_people; i++)
        if (mi->people[i]->kind == p->kind && !strcmp(mi->people[i]->code, p->code))
            return 0;
    Ledger__MonthIndex shell = *mi;
    Ledger__PartyRef **people = xcalloc(mi->n_people + 1, sizeof *people);
    for (size_t i = 0; i < mi->n_people; i++)
        people[i] = mi->people[i];
    people[mi->n_people] = (Ledger__PartyRef *)p;
    shell.people = people;
    shell.n_people = mi->n_people + 1;
    ProtobufCMessage *copy = s_copy(&shell.base);
    free(people);
    s_replace(r, copy);
    return 0;
}

/* ---- statements ---------------------------------------------------------- */

/* s_draft_key - "s:staff:S-1@2026-03" */
static const char *s_draft_key(char *out, size_t n, const Ledger__PartyRef *p, const char *month)
{
    char who[160];
    snprintf(out, n, "s:%s@%s", s_person(who, sizeof who, p), month);
    return out;
}

/* s_draft_set - put line into (or, with remove, take it out of) its
 * earner's draft statement for month */
static int s_draft_set(batch_t *b, const Ledger__CommissionLine *line, const char *month,
                       int remove)
{
    char key[200];
    rec_t *r = s_rec(b, s_draft_key(key, sizeof key, line->earner, month),
                     &ledger__statement__descriptor);
    if (!r)
        return -1;
    Ledger__Statement *st = (Ledger__Statement *)r->msg;
    Ledger__Statement shell = *st;
    Ledger__CommissionLine **lines = xcalloc(st->n_lines + 1, sizeof *lines);
    size_t n = 0;
    int placed = 0;
    for (size_t i = 0; i < st->n_lines; i++) {
        if (!strcmp(st->lines[i]->id, line->id)) {
            if (!remove)
                lines[n++] = (Ledger__CommissionLine *)line;
            placed = 1;
        } else {
            lines[n++] = st->lines[i];
        }
    }
    if (!placed && !remove)
        lines[n++] = (Ledger__CommissionLine *)line;
    if (placed || !remove) {
        shell.person = line->earner;
        shell.month = (char *)month;
        shell.lines = lines;
        shell.n_lines = n;
        shell.total = 0;
        for (size_t i = 0; i < n; i++)
            shell.total += lines[i]->amount;
        s_replace(r, s_copy(&shell.base));
    }
    free(lines);
    return remove ? 0 : s_index_add_person(b, "m", month, line->earner);
}

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
                            (cal->due[at_i - 1]->at_ms == at && cal->due[at_i - 1]->order_id > order_id))) {
            cal->due[at_i] = cal->due[at_i - 1];
            at_i--;
        }
        cal->due[at_i] = (Ledger__Due *)s_copy(&d.base);
        cal->n_due = n + 1;
    }
    b->recs[1]->dirty = 1;   /* the calendar is always recs[1] */
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
        s_next_month(open, b->cal->last_closed);
    /* A line on a closed month's statement is settled: it never changes. */
    for (size_t i = 0; i < o->n_lines; i++) {
        Ledger__CommissionLine *l = o->lines[i];
        if (l->state == LEDGER__LINE_STATE__LINE_PAYABLE && *l->month &&
            strcmp(l->month, open) < 0)
            l->state = LEDGER__LINE_STATE__LINE_SETTLED;
    }
    const Ledger__PolicyVersion *policy = s_policy(b, s_month(placed, o->placed_ms));
    lines_t *lt = lines_update(o, policy, now, open);
    size_t n = lines_count(lt);
    Ledger__CommissionLine **lines = xcalloc(n ? n : 1, sizeof *lines);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const Ledger__CommissionLine *l = lines_at(lt, i);
        lines[i] = (Ledger__CommissionLine *)l;
        const Ledger__CommissionLine *old = s_find_line(o->lines, o->n_lines, l->id);
        if (old && s_same(&old->base, &l->base))
            continue;
        worker_result(b->out, KIND_LINE, l->id, o->order_id, 0, &l->base);
        const char *was = s_in_statement(old), *is = s_in_statement(l);
        if (was && l->state == LEDGER__LINE_STATE__LINE_SETTLED)
            continue;   /* settled on a closed statement: that statement is final */
        if (was && (!is || strcmp(was, is)))
            rc = s_draft_set(b, old, was, 1);
        if (rc == 0 && is)
            rc = s_draft_set(b, l, is, 0);
    }
    if (rc == 0) {
        Ledger__OrderCommission shell = *o;
        shell.lines = lines;
        shell.n_lines = n;
        ProtobufCMessage *copy = s_copy(&shell.base);
        s_due(b, o->order_id, lines_next_deadline(lt));
        s_replace(r, copy);
    }
    free(lines);
    lines_destroy(&lt);
    return rc;
}

/* ---- events -------------------------------------------------------------- */

static const char *s_order_key(char *out, size_t n, uint64_t id)
{
    snprintf(out, n, "o:%" PRIu64, id);
    return out;
}

/* s_seller - the order's seller chain from the partners as the log knows
 * them now: a seller, and its inviter when that is a seller too */
static int s_seller(batch_t *b, const Ledger__PartyRef *seller, Ledger__SellerChain *chain,
                    Ledger__PartyRef *s_ref, Ledger__PartyRef *i_ref)
{
    char key[40];
    snprintf(key, sizeof key, "p:%" PRIu64, seller->id);
    rec_t *r = s_rec(b, key, &ledger__seller_facts__descriptor);
    if (!r)
        return -1;
    const Ledger__SellerFacts *sf = (const Ledger__SellerFacts *)r->msg;
    if (!sf->seller)
        return 0;   /* not in the programme: no seller lines */
    *s_ref = *seller;
    chain->seller = s_ref;
    if (sf->inviter_id) {
        snprintf(key, sizeof key, "p:%" PRIu64, sf->inviter_id);
        rec_t *ri = s_rec(b, key, &ledger__seller_facts__descriptor);
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

/* ---- distributors and the monthly sales rebate (DOMAIN.md 3.4, 3.5) ---- */

/* s_open_month - the first month whose statements are open */
static const char *s_open_month(batch_t *b, char out[8])
{
    if (*b->cal->last_closed)
        return s_next_month(out, b->cal->last_closed);
    snprintf(out, 8, "0000-00");
    return out;
}

/* s_sale - fen more (or less) net sales for p in the month of ms, or in the
 * first open month when that one is closed: the rebate is final at close */
static int s_sale(batch_t *b, const Ledger__PartyRef *p, int64_t ms, int64_t fen)
{
    char month[8], open[8], key[200], who[160];
    s_month(month, ms);
    if (strcmp(month, s_open_month(b, open)) < 0)
        snprintf(month, sizeof month, "%s", open);
    snprintf(key, sizeof key, "ms:%s@%s", s_person(who, sizeof who, p), month);
    rec_t *r = s_rec(b, key, &ledger__month_sales__descriptor);
    if (!r)
        return -1;
    ((Ledger__MonthSales *)r->msg)->sales += fen;
    r->dirty = 1;
    return s_index_add_person(b, "rs", month, p);
}

/* s_distributor - the customer's distributor facts (partner_id 0: the
 * customer is no distributor) */
static rec_t *s_distributor(batch_t *b, uint64_t customer_id)
{
    char key[40];
    snprintf(key, sizeof key, "pd:%" PRIu64, customer_id);
    return s_rec(b, key, &ledger__distributor_facts__descriptor);
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

/* s_price_check - the order's unit prices against the tier of what the
 * distributor completed before it was placed */
static int s_price_check(batch_t *b, const Ledger__DistributorFacts *d, const Ledger__Order *ord)
{
    char month[8];
    const Ledger__Policy *policy = s_policy(b, s_month(month, ord->placed_ms))->policy;
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
        rec_t *r = s_rec(b, key, &ledger__product__descriptor);
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

/* s_on_completed - a newly completed order counts in its seller's and its
 * distributor's month (net of refunds processed before), and as a purchase */
static int s_on_completed(batch_t *b, const Ledger__OrderCommission *o, uint64_t customer_id,
                          int64_t now)
{
    int64_t net = o->amount;
    for (size_t i = 0; i < o->n_refunds; i++)
        if (o->refunds[i]->processed_ms && o->refunds[i]->processed_ms <= o->completed_ms)
            net -= o->refunds[i]->amount;
    if (o->seller && o->seller->seller && s_sale(b, o->seller->seller, o->completed_ms, net) < 0)
        return -1;
    rec_t *rd = s_distributor(b, customer_id);
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
    s_replace(rd, s_copy(&shell.base));
    free(all);
    d = (Ledger__DistributorFacts *)rd->msg;
    s_total(b, d, now);
    Ledger__PartyRef p = s_partner_ref(d);
    return s_sale(b, &p, o->completed_ms, net);
}

/* s_on_refunded - a refund processed after completion: less net sales in
 * its month, and less cumulative purchase for a distributor */
static int s_on_refunded(batch_t *b, const Ledger__OrderCommission *o,
                         const Ledger__CommissionRefund *cr, uint64_t customer_id, int64_t now)
{
    if (o->seller && o->seller->seller &&
        s_sale(b, o->seller->seller, cr->processed_ms, -cr->amount) < 0)
        return -1;
    rec_t *rd = s_distributor(b, customer_id);
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
    s_replace(rd, s_copy(&shell.base));
    free(all);
    d = (Ledger__DistributorFacts *)rd->msg;
    s_total(b, d, now);
    Ledger__PartyRef p = s_partner_ref(d);
    return s_sale(b, &p, cr->processed_ms, -cr->amount);
}

/* s_rebates - at the close of month: the rebate of each seller's and
 * distributor's net sales, on that month's statement */
static int s_rebates(batch_t *b, const char *month, int64_t now)
{
    char key[32];
    snprintf(key, sizeof key, "rs:%s", month);
    rec_t *idx = s_rec(b, key, &ledger__month_index__descriptor);
    if (!idx)
        return -1;
    Ledger__MonthIndex *people = (Ledger__MonthIndex *)s_copy(idx->msg);
    const Ledger__Policy *policy = s_policy(b, month)->policy;
    int rc = 0;
    for (size_t i = 0; i < people->n_people && rc == 0; i++) {
        const Ledger__PartyRef *p = people->people[i];
        char who[160], skey[200], id[220], reason[200];
        snprintf(skey, sizeof skey, "ms:%s@%s", s_person(who, sizeof who, p), month);
        rec_t *r = s_rec(b, skey, &ledger__month_sales__descriptor);
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
        rc = s_draft_set(b, &l, month, 0);
    }
    ledger__month_index__free_unpacked(people, NULL);
    return rc;
}

/* ---- the centre bonus pool (DOMAIN.md 3.6) ------------------------------- */

/* s_centre - the centre's month record ("cm:<branch>@<month>", the month
 * of ms or the first open one), the centre listed in "cb:<month>" */
static rec_t *s_centre(batch_t *b, const char *branch, int64_t ms)
{
    char month[8], open[8], key[160];
    s_month(month, ms);
    if (strcmp(month, s_open_month(b, open)) < 0)
        snprintf(month, sizeof month, "%s", open);
    snprintf(key, sizeof key, "cb:%s", month);
    rec_t *idx = s_rec(b, key, &ledger__month_index__descriptor);
    if (!idx)
        return NULL;
    Ledger__MonthIndex *mi = (Ledger__MonthIndex *)idx->msg;
    int listed = 0;
    for (size_t i = 0; i < mi->n_branches; i++)
        listed |= !strcmp(mi->branches[i], branch);
    if (!listed) {
        Ledger__MonthIndex shell = *mi;
        char **branches = xcalloc(mi->n_branches + 1, sizeof *branches);
        for (size_t i = 0; i < mi->n_branches; i++)
            branches[i] = mi->branches[i];
        branches[mi->n_branches] = (char *)branch;
        shell.branches = branches;
        shell.n_branches = mi->n_branches + 1;
        ProtobufCMessage *copy = s_copy(&shell.base);
        free(branches);
        s_replace(idx, copy);
    }
    snprintf(key, sizeof key, "cm:%s@%s", branch, month);
    return s_rec(b, key, &ledger__centre_month__descriptor);
}

/* s_centre_completed - a completed order counts in its centre's month */
static int s_centre_completed(batch_t *b, const Ledger__OrderCommission *o)
{
    rec_t *r = s_centre(b, o->branch, o->completed_ms);
    if (!r)
        return -1;
    Ledger__CentreMonth *cm = (Ledger__CentreMonth *)r->msg;
    for (size_t i = 0; i < cm->n_completed; i++)
        if (cm->completed[i] == o->order_id)
            return 0;
    cm->completed = realloc(cm->completed, (cm->n_completed + 1) * sizeof *cm->completed);
    if (!cm->completed)
        log_panic("commission: out of memory");
    cm->completed[cm->n_completed++] = o->order_id;
    r->dirty = 1;
    return 0;
}

/* s_centre_refund - a refund after completion counts in its month */
static int s_centre_refund(batch_t *b, const Ledger__OrderCommission *o,
                           const Ledger__CommissionRefund *cr)
{
    rec_t *r = s_centre(b, o->branch, cr->processed_ms);
    if (!r)
        return -1;
    Ledger__CentreMonth *cm = (Ledger__CentreMonth *)r->msg;
    Ledger__PoolRefund pr = LEDGER__POOL_REFUND__INIT;
    pr.order_id = o->order_id;
    pr.amount = cr->amount;
    Ledger__CentreMonth shell = *cm;
    Ledger__PoolRefund **all = xcalloc(cm->n_refunds + 1, sizeof *all);
    for (size_t i = 0; i < cm->n_refunds; i++)
        all[i] = cm->refunds[i];
    all[cm->n_refunds] = &pr;
    shell.refunds = all;
    shell.n_refunds = cm->n_refunds + 1;
    ProtobufCMessage *copy = s_copy(&shell.base);
    free(all);
    s_replace(r, copy);
    return 0;
}

/* s_centre_entry - expense and salary entries count in their month; a
 * reversal counts against them */
static int s_centre_entry(batch_t *b, const Ledger__FinanceEntry *fe)
{
    int expense = fe->category == LEDGER__ENTRY_CATEGORY__CATEGORY_EXPENSE;
    if (!expense && fe->category != LEDGER__ENTRY_CATEGORY__CATEGORY_SALARY)
        return 0;
    int64_t amount = 0;
    for (size_t i = 0; i < fe->n_postings; i++)
        if (fe->postings[i]->amount > 0)
            amount += fe->postings[i]->amount;
    if (fe->reverses_id)
        amount = -amount;
    rec_t *r = s_centre(b, fe->branch, fe->time_ms);
    if (!r)
        return -1;
    Ledger__CentreMonth *cm = (Ledger__CentreMonth *)r->msg;
    if (expense)
        cm->expenses += amount;
    else
        cm->salaries += amount;
    r->dirty = 1;
    return 0;
}

/* s_served_by - the staff member who is the order's service, or NULL */
static const Ledger__PartyRef *s_served_by(const Ledger__OrderCommission *o)
{
    const Ledger__Role *sv = o->attribution ? o->attribution->service : NULL;
    if (!sv || sv->state != LEDGER__ROLE_STATE__ROLE_KNOWN || !sv->party ||
        sv->party->kind != LEDGER__PARTY_KIND__PARTY_STAFF)
        return NULL;
    return sv->party;
}

/* s_pool_centre - one centre's pool for month: profit, shares, lines */
static int s_pool_centre(batch_t *b, const char *branch, const char *month, int64_t now)
{
    char key[160];
    snprintf(key, sizeof key, "cm:%s@%s", branch, month);
    rec_t *rcm = s_rec(b, key, &ledger__centre_month__descriptor);
    if (!rcm)
        return -1;
    /* A copy: reading the orders may grow the batch's records. */
    Ledger__CentreMonth *cm = (Ledger__CentreMonth *)s_copy(rcm->msg);
    size_t n_ids = cm->n_completed + cm->n_refunds;
    char **keys = xcalloc(n_ids ? n_ids : 1, sizeof *keys);
    for (size_t i = 0; i < n_ids; i++) {
        keys[i] = xmalloc(32);
        s_order_key(keys[i], 32, i < cm->n_completed ? cm->completed[i]
                                                    : cm->refunds[i - cm->n_completed]->order_id);
    }
    int rc = s_need_many(b, keys, n_ids);
    /* Members: each staff service of the month's orders, with their sales. */
    pool_member_t *m = xcalloc(n_ids ? n_ids : 1, sizeof *m);
    const Ledger__PartyRef **who = xcalloc(n_ids ? n_ids : 1, sizeof *who);
    size_t n_m = 0;
    int64_t gross = 0;
    for (size_t i = 0; i < n_ids && rc == 0; i++) {
        rec_t *r = s_rec(b, keys[i], &ledger__order_commission__descriptor);
        if (!r) {
            rc = -1;
            break;
        }
        const Ledger__OrderCommission *o = (const Ledger__OrderCommission *)r->msg;
        int64_t delta;
        if (i < cm->n_completed) {
            delta = o->amount;
            for (size_t k = 0; k < o->n_refunds; k++)
                if (o->refunds[k]->processed_ms && o->refunds[k]->processed_ms <= o->completed_ms)
                    delta -= o->refunds[k]->amount;
            gross += delta - o->cost;
        } else {
            delta = -cm->refunds[i - cm->n_completed]->amount;
            gross += delta;
        }
        const Ledger__PartyRef *sv = s_served_by(o);
        if (!sv)
            continue;
        size_t j = 0;
        while (j < n_m && strcmp(m[j].code, sv->code))
            j++;
        if (j == n_m) {
            char skey[40];
            snprintf(skey, sizeof skey, "st:%" PRIu64, sv->id);
            rec_t *rs = s_rec(b, skey, &ledger__staff_facts__descriptor);
            if (!rs) {
                rc = -1;
                break;
            }
            m[n_m].code = sv->code;
            m[n_m].role = ((const Ledger__StaffFacts *)rs->msg)->role;
            who[n_m++] = sv;
        }
        m[j].sales += delta;
    }
    if (rc == 0) {
        const Ledger__PolicyVersion *pv = s_policy(b, month);
        pool_result_t pr;
        Ledger__PoolMonth pm = LEDGER__POOL_MONTH__INIT;
        pm.branch = (char *)branch;
        pm.month = (char *)month;
        pm.gross_profit = gross;
        pm.expenses = cm->expenses;
        pm.salaries = cm->salaries;
        pm.profit = gross - cm->expenses - cm->salaries;
        pm.marginal = pv->policy->pool_marginal;
        if (pool_compute(&pr, pm.profit, pv->policy, m, n_m) < 0) {
            log_warn("commission: the pool brackets of %s's policy cannot be applied; %s has "
                     "no pool for %s", month, branch, month);
        } else {
            pm.rate = pr.rate;
            pm.pool = pr.pool;
            pm.capped = pr.capped;
            Ledger__PoolShare *shares = xcalloc(n_m ? n_m : 1, sizeof *shares);
            Ledger__PoolShare **sp = xcalloc(n_m ? n_m : 1, sizeof *sp);
            for (size_t j = 0; j < n_m && rc == 0; j++) {
                ledger__pool_share__init(&shares[j]);
                shares[j].staff = (Ledger__PartyRef *)who[j];
                shares[j].role = (char *)m[j].role;
                shares[j].sales = m[j].sales;
                shares[j].share = pr.shares ? pr.shares[j] : 0;
                sp[j] = &shares[j];
                if (!shares[j].share)
                    continue;
                char id[240], reason[240], a[32], p2[32];
                money_format(a, sizeof a, m[j].sales);
                money_format(p2, sizeof p2, pr.pool);
                snprintf(id, sizeof id, "pool/%s@%s/%s", branch, month, who[j]->code);
                snprintf(reason, sizeof reason, "share of %s's %s pool %s by sales served %s",
                         branch, month, p2, a);
                Ledger__CommissionLine l = LEDGER__COMMISSION_LINE__INIT;
                l.id = id;
                l.earner = (Ledger__PartyRef *)who[j];
                l.rule = "pool.share";
                l.basis = m[j].sales;
                l.amount = shares[j].share;
                l.state = LEDGER__LINE_STATE__LINE_PAYABLE;
                l.policy_month = (char *)month;
                l.policy_version = pv->version;
                l.month = (char *)month;
                l.payable_ms = now;
                l.reason = reason;
                worker_result(b->out, KIND_LINE, id, who[j]->id, 0, &l.base);
                rc = s_draft_set(b, &l, month, 0);
            }
            pm.shares = sp;
            pm.n_shares = n_m;
            snprintf(key, sizeof key, "%s@%s", branch, month);
            worker_result(b->out, KIND_POOL, key, 0, 0, &pm.base);
            free(shares);
            free(sp);
            free(pr.shares);
        }
    }
    for (size_t i = 0; i < n_ids; i++)
        free(keys[i]);
    free(keys);
    free(m);
    free(who);
    ledger__centre_month__free_unpacked(cm, NULL);
    return rc;
}

/* s_pools - at the close of month, every centre with activity in it */
static int s_pools(batch_t *b, const char *month, int64_t now)
{
    char key[32];
    snprintf(key, sizeof key, "cb:%s", month);
    rec_t *idx = s_rec(b, key, &ledger__month_index__descriptor);
    if (!idx)
        return -1;
    Ledger__MonthIndex *mi = (Ledger__MonthIndex *)s_copy(idx->msg);
    int rc = 0;
    for (size_t i = 0; i < mi->n_branches && rc == 0; i++)
        rc = s_pool_centre(b, mi->branches[i], month, now);
    ledger__month_index__free_unpacked(mi, NULL);
    return rc;
}

/* s_on_staff - a staff member's primary role, for pool caps */
static int s_on_staff(batch_t *b, const Ledger__Event *e)
{
    char key[40];
    snprintf(key, sizeof key, "st:%" PRIu64, e->staff->id);
    rec_t *r = s_rec(b, key, &ledger__staff_facts__descriptor);
    if (!r)
        return -1;
    Ledger__StaffFacts sf = LEDGER__STAFF_FACTS__INIT;
    sf.code = e->staff->code;
    sf.role = (char *)policy_role_name(e->staff->n_roles ? (int)e->staff->roles[0] : 0);
    s_replace(r, s_copy(&sf.base));
    return 0;
}

/* s_on_order - the order's facts; handler and arrangers as on the version
 * that completed it (the ones credited, DOMAIN.md section 2) */
static int s_on_order(batch_t *b, const Ledger__Event *e)
{
    const Ledger__Order *ord = e->order;
    char key[40], month[8];
    rec_t *r = s_rec(b, s_order_key(key, sizeof key, ord->id), &ledger__order_commission__descriptor);
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
    s_replace(r, s_copy(&shell.base));
    if (is_new && s_index_add_order(b, s_month(month, ord->placed_ms), ord->id) < 0)
        return -1;
    o = (Ledger__OrderCommission *)r->msg;
    if (newly_completed && (s_on_completed(b, o, ord->customer_id, e->time_ms) < 0 ||
                            s_centre_completed(b, o) < 0))
        return -1;
    rec_t *rd = s_distributor(b, ord->customer_id);
    if (!rd)
        return -1;
    const Ledger__DistributorFacts *d = (const Ledger__DistributorFacts *)rd->msg;
    if (d->partner_id && s_price_check(b, d, ord) < 0)
        return -1;
    return s_update(b, r, e->time_ms);
}

/* s_on_refund - add or update the refund on its order */
static int s_on_refund(batch_t *b, const Ledger__Event *e)
{
    const Ledger__Refund *rf = e->refund;
    char key[40];
    rec_t *r = s_rec(b, s_order_key(key, sizeof key, rf->order_id),
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
    ProtobufCMessage *copy = s_copy(&shell.base);
    free(refunds);
    s_replace(r, copy);
    o = (Ledger__OrderCommission *)r->msg;
    if (after_completion && (s_on_refunded(b, o, &cr, rf->customer_id, e->time_ms) < 0 ||
                             s_centre_refund(b, o, &cr) < 0))
        return -1;
    return s_update(b, r, e->time_ms);
}

/* s_on_attribution - the order's latest attribution */
static int s_on_attribution(batch_t *b, const Ledger__Event *e)
{
    const Ledger__Result *res = e->result;
    char key[40];
    rec_t *r = s_rec(b, s_order_key(key, sizeof key, res->entity_id),
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
    ProtobufCMessage *copy = s_copy(&shell.base);
    ledger__attribution__free_unpacked(a, NULL);
    s_replace(r, copy);
    return s_update(b, r, e->time_ms);
}

/* s_on_partner - what an order's seller link needs */
static int s_on_partner(batch_t *b, const Ledger__Event *e)
{
    const Ledger__Partner *p = e->partner;
    char key[40];
    snprintf(key, sizeof key, "p:%" PRIu64, p->id);
    rec_t *r = s_rec(b, key, &ledger__seller_facts__descriptor);
    if (!r)
        return -1;
    Ledger__SellerFacts sf = LEDGER__SELLER_FACTS__INIT;
    sf.id = p->id;
    sf.code = p->code;
    sf.seller = p->kind == LEDGER__PARTNER_KIND__PARTNER_SELLER;
    sf.inviter_id = p->inviter_id;
    sf.inviter_code = p->inviter_code;
    s_replace(r, s_copy(&sf.base));
    if (p->kind != LEDGER__PARTNER_KIND__PARTNER_DISTRIBUTOR || !p->customer_id)
        return 0;
    rec_t *rd = s_distributor(b, p->customer_id);   /* its purchases are its customer's orders */
    if (!rd)
        return -1;
    Ledger__DistributorFacts d = *(const Ledger__DistributorFacts *)rd->msg;
    d.partner_id = p->id;
    d.partner_code = p->code;
    s_replace(rd, s_copy(&d.base));
    return 0;
}

/* s_on_product - list prices, for distributors' orders */
static int s_on_product(batch_t *b, const Ledger__Event *e)
{
    char key[80];
    snprintf(key, sizeof key, "prod:%s", e->product->code);
    rec_t *r = s_rec(b, key, &ledger__product__descriptor);
    if (!r)
        return -1;
    s_replace(r, s_copy(&e->product->base));
    return 0;
}

/* s_recompute - every order placed in month, again (a policy version) */
static int s_recompute(batch_t *b, const char *month, int64_t now)
{
    char key[32];
    snprintf(key, sizeof key, "pm:%s", month);
    rec_t *idx = s_rec(b, key, &ledger__month_index__descriptor);
    if (!idx)
        return -1;
    const Ledger__MonthIndex *mi = (const Ledger__MonthIndex *)idx->msg;
    size_t n = mi->n_orders;
    char **keys = xcalloc(n ? n : 1, sizeof *keys);
    uint64_t *ids = xcalloc(n ? n : 1, sizeof *ids);
    for (size_t i = 0; i < n; i++) {
        ids[i] = mi->orders[i];
        keys[i] = xmalloc(32);
        s_order_key(keys[i], 32, ids[i]);
    }
    int rc = s_need_many(b, keys, n);
    for (size_t i = 0; i < n && rc == 0; i++) {
        rec_t *r = s_rec(b, keys[i], &ledger__order_commission__descriptor);
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
    Ledger__PolicyBook shell = *b->book;
    Ledger__PolicyVersion **v = xcalloc(b->book->n_versions + 1, sizeof *v);
    size_t n = 0;
    int placed = 0;
    for (size_t i = 0; i < b->book->n_versions; i++) {
        const Ledger__PolicyVersion *x = b->book->versions[i];
        int c = strcmp(x->month, pv->month);
        if (!placed && (c > 0 || (c == 0 && x->version > pv->version))) {
            v[n++] = (Ledger__PolicyVersion *)pv;
            placed = 1;
        }
        if (c == 0 && x->version == pv->version)
            continue;   /* the same version again: replaced */
        v[n++] = (Ledger__PolicyVersion *)x;
    }
    if (!placed)
        v[n++] = (Ledger__PolicyVersion *)pv;
    shell.versions = v;
    shell.n_versions = n;
    ProtobufCMessage *copy = s_copy(&shell.base);
    free(v);
    s_replace(b->recs[0], copy);   /* the book is always recs[0] */
    b->book = (Ledger__PolicyBook *)b->recs[0]->msg;

    char month[8], now_month[8];
    snprintf(month, sizeof month, "%s", pv->month);
    s_month(now_month, e->time_ms);
    while (strcmp(month, now_month) <= 0) {
        if (s_recompute(b, month, e->time_ms) < 0)
            return -1;
        s_next_month(month, month);
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
        s_order_key(keys[i], 32, cal->due[i]->order_id);
    }
    int rc = s_need_many(b, keys, n);
    for (size_t i = 0; i < n && rc == 0; i++) {
        rec_t *r = s_rec(b, keys[i], &ledger__order_commission__descriptor);
        rc = r ? s_update(b, r, e->time_ms) : -1;
    }
    for (size_t i = 0; i < n; i++)
        free(keys[i]);
    free(keys);
    return rc;
}

/* s_prev_month - the month before "YYYY-MM" */
static const char *s_prev_month(char out[8], const char *month)
{
    int y, m;
    sscanf(month, "%4d-%2d", &y, &m);
    snprintf(out, 8, "%04d-%02d", m == 1 ? y - 1 : y, m == 1 ? 12 : m - 1);
    return out;
}

/* s_close_person - settle one person's statement for month; *net is its
 * total with the balance carried in from the month before. Reads only what
 * closing the month does not change (the draft's lines, the previous
 * month's balance), so closing again over its own partial effects gives
 * the same statement. */
static int s_close_person(batch_t *b, const Ledger__PartyRef *p, const char *month,
                          const char *prev, int64_t closed_ms, int64_t *net)
{
    char key[200], who[160], bkey[220];
    s_person(who, sizeof who, p);
    rec_t *r = s_rec(b, s_draft_key(key, sizeof key, p, month), &ledger__statement__descriptor);
    snprintf(bkey, sizeof bkey, "b:%s@%s", who, prev);
    rec_t *rin = r ? s_rec(b, bkey, &ledger__balance__descriptor) : NULL;
    snprintf(bkey, sizeof bkey, "b:%s@%s", who, month);
    rec_t *rout = rin ? s_rec(b, bkey, &ledger__balance__descriptor) : NULL;
    if (!rout)
        return -1;
    const Ledger__Statement *draft = (const Ledger__Statement *)r->msg;
    Ledger__Statement st = *draft;
    st.person = (Ledger__PartyRef *)p;
    st.month = (char *)month;
    st.closed = 1;
    st.closed_ms = closed_ms;
    Ledger__CommissionLine **lines = xcalloc(draft->n_lines ? draft->n_lines : 1, sizeof *lines);
    Ledger__CommissionLine *copies = xcalloc(draft->n_lines ? draft->n_lines : 1, sizeof *copies);
    st.total = 0;
    for (size_t i = 0; i < draft->n_lines; i++) {
        copies[i] = *draft->lines[i];
        copies[i].state = LEDGER__LINE_STATE__LINE_SETTLED;
        lines[i] = &copies[i];
        st.total += copies[i].amount;
    }
    st.lines = lines;
    st.carried_in = ((const Ledger__Balance *)rin->msg)->carried;
    *net = st.total + st.carried_in;
    st.payable = *net > 0 ? *net : 0;
    st.carried_out = *net < 0 ? *net : 0;
    char rkey[200];
    snprintf(rkey, sizeof rkey, "%s@%s", who, month);
    worker_result(b->out, KIND_CLOSED, rkey, p->id, 0, &st.base);
    worker_result(b->out, KIND_DRAFT, rkey, p->id, 0, &st.base);   /* the draft says so too */
    s_replace(r, s_copy(&st.base));
    Ledger__Balance nb = LEDGER__BALANCE__INIT;
    nb.carried = st.carried_out;
    nb.month = (char *)month;
    s_replace(rout, s_copy(&nb.base));
    free(lines);
    free(copies);
    return 0;
}

/* s_on_month_closed - one closed statement per person with lines in the
 * month or a balance carried into it ("carry:<month before>"); those who
 * carry a balance on are "carry:<month>" */
static int s_on_month_closed(batch_t *b, const Ledger__Event *e)
{
    const char *month = e->month->month;
    char key[32], prev[8];
    if (s_rebates(b, month, e->time_ms) < 0 ||   /* on this month's statements, settled below */
        s_pools(b, month, e->time_ms) < 0)
        return -1;
    s_prev_month(prev, month);
    snprintf(key, sizeof key, "m:%s", month);
    rec_t *idx = s_rec(b, key, &ledger__month_index__descriptor);
    snprintf(key, sizeof key, "carry:%s", prev);
    rec_t *cin = idx ? s_rec(b, key, &ledger__month_index__descriptor) : NULL;
    snprintf(key, sizeof key, "carry:%s", month);
    rec_t *cout = cin ? s_rec(b, key, &ledger__month_index__descriptor) : NULL;
    if (!cout)
        return -1;
    /* Copies: closing a person may grow recs. */
    Ledger__MonthIndex *people = (Ledger__MonthIndex *)s_copy(idx->msg);
    Ledger__MonthIndex *carried = (Ledger__MonthIndex *)s_copy(cin->msg);
    Ledger__PartyRef **on = xcalloc(people->n_people + carried->n_people + 1, sizeof *on);
    size_t n_on = 0;
    int rc = 0;
    for (size_t i = 0; i < people->n_people + carried->n_people && rc == 0; i++) {
        Ledger__PartyRef *p = i < people->n_people ? people->people[i]
                                                   : carried->people[i - people->n_people];
        int listed = 0;   /* a carrier with lines this month is closed once */
        for (size_t j = 0; i >= people->n_people && j < people->n_people; j++)
            listed |= people->people[j]->kind == p->kind && !strcmp(people->people[j]->code, p->code);
        int64_t net = 0;
        if (!listed && (rc = s_close_person(b, p, month, prev, e->time_ms, &net)) == 0 && net < 0)
            on[n_on++] = p;
    }
    if (rc == 0) {
        Ledger__MonthIndex carry = LEDGER__MONTH_INDEX__INIT;
        carry.people = on;
        carry.n_people = n_on;
        s_replace(cout, s_copy(&carry.base));
        Ledger__Calendar shell = *b->cal;
        shell.last_closed = (char *)month;
        s_replace(b->recs[1], s_copy(&shell.base));
        b->cal = (Ledger__Calendar *)b->recs[1]->msg;
    }
    free(on);
    ledger__month_index__free_unpacked(people, NULL);
    ledger__month_index__free_unpacked(carried, NULL);
    return rc;
}

/* s_on_payout - a payout entry naming a statement: it is paid, and so are
 * its lines (the entry's positive postings are what went out) */
static int s_on_payout(batch_t *b, const Ledger__Event *e)
{
    const Ledger__FinanceEntry *fe = e->entry;
    if (fe->category != LEDGER__ENTRY_CATEGORY__CATEGORY_PAYOUT || !*fe->statement)
        return 0;
    char key[200];
    snprintf(key, sizeof key, "s:%s", fe->statement);
    rec_t *r = s_rec(b, key, &ledger__statement__descriptor);
    if (!r)
        return -1;
    const Ledger__Statement *st = (const Ledger__Statement *)r->msg;
    for (size_t i = 0; i < st->n_payouts; i++)
        if (!strcmp(st->payouts[i], fe->code))
            return 0;   /* seen (an amend of the entry adds approvals only) */
    if (!st->person) {
        log_warn("commission: payout %s names statement %s, which has no lines", fe->code,
                 fe->statement);
        return 0;
    }
    int64_t out = 0;
    for (size_t i = 0; i < fe->n_postings; i++)
        if (fe->postings[i]->amount > 0)
            out += fe->postings[i]->amount;
    Ledger__Statement shell = *st;
    shell.paid = st->paid + out;
    char **payouts = xcalloc(st->n_payouts + 1, sizeof *payouts);
    for (size_t i = 0; i < st->n_payouts; i++)
        payouts[i] = st->payouts[i];
    payouts[st->n_payouts] = fe->code;
    shell.payouts = payouts;
    shell.n_payouts = st->n_payouts + 1;
    Ledger__CommissionLine **lines = xcalloc(st->n_lines ? st->n_lines : 1, sizeof *lines);
    Ledger__CommissionLine *copies = xcalloc(st->n_lines ? st->n_lines : 1, sizeof *copies);
    for (size_t i = 0; i < st->n_lines; i++) {
        copies[i] = *st->lines[i];
        if (st->closed)
            copies[i].state = LEDGER__LINE_STATE__LINE_PAID;
        lines[i] = &copies[i];
    }
    shell.lines = lines;
    if (st->closed)
        worker_result(b->out, KIND_CLOSED, fe->statement, st->person->id, 0, &shell.base);
    worker_result(b->out, KIND_DRAFT, fe->statement, st->person->id, 0, &shell.base);
    s_replace(r, s_copy(&shell.base));
    free(payouts);
    free(lines);
    free(copies);
    return 0;
}

/* s_on_fine - a fine or reward from compliance, on the person's statement
 * of its month, or of the first open month when that one is closed. A
 * new version replaces the open line; what a closed statement already
 * holds is corrected by a further line, never rewritten. */
static int s_on_fine(batch_t *b, const Ledger__Event *e)
{
    const Ledger__Result *res = e->result;
    err_t perr;
    Ledger__FineLine *fl = (Ledger__FineLine *)codec_unpack(
        &ledger__fine_line__descriptor,
        res->payload.data ? res->payload.data : (const uint8_t *)"", res->payload.len, &perr);
    if (!fl || !fl->person || !*fl->person->code || !policy_month_valid(fl->month)) {
        log_warn("commission: fine %s (seq %" PRIu64 ") does not read: %s; ignored", res->key,
                 e->seq, fl ? "no person or month" : perr.msg);
        if (fl)
            ledger__fine_line__free_unpacked(fl, NULL);
        return 0;
    }
    char key[200], open[8] = "0000-00", month[8];
    if (*b->cal->last_closed)
        s_next_month(open, b->cal->last_closed);
    snprintf(month, sizeof month, "%s", strcmp(fl->month, open) >= 0 ? fl->month : open);
    snprintf(key, sizeof key, "f:%s", res->key);
    rec_t *r = s_rec(b, key, &ledger__fine_state__descriptor);
    if (!r) {
        ledger__fine_line__free_unpacked(fl, NULL);
        return -1;
    }
    Ledger__FineState fs = *(const Ledger__FineState *)r->msg;
    /* A withdrawn fine (amount 0) is still a fine's line, paid back. */
    int is_fine = fl->amount < 0 || fs.settled + fs.open_amount < 0;
    char id[240], old_id[240];
    snprintf(old_id, sizeof old_id, "%s", fs.line_id);
    Ledger__CommissionLine old = LEDGER__COMMISSION_LINE__INIT;
    old.id = old_id;
    old.earner = fl->person;
    int rc = 0;
    if (*fs.line_id && strcmp(fs.month, open) < 0) {   /* its statement has closed since */
        fs.settled += fs.open_amount;
        fs.line_id = "";
        fs.open_amount = 0;
    }
    if (*fs.line_id)   /* replaced below, possibly in another month */
        rc = s_draft_set(b, &old, fs.month, 1);
    int64_t want = fl->amount - fs.settled;
    if (rc == 0 && want != 0) {
        if (*fs.line_id)   /* the same open line, with the new amount */
            snprintf(id, sizeof id, "%s", old_id);
        else if (fs.settled || fs.adjustments)   /* a correction of what is settled */
            snprintf(id, sizeof id, "fine/%s/adj%u", res->key, ++fs.adjustments);
        else
            snprintf(id, sizeof id, "fine/%s", res->key);
        char rule[120];
        snprintf(rule, sizeof rule, "%s.%s", is_fine ? "fine" : "reward", fl->rule);
        Ledger__CommissionLine l = LEDGER__COMMISSION_LINE__INIT;
        l.id = id;
        l.earner = fl->person;
        l.rule = rule;
        l.amount = want;
        l.state = LEDGER__LINE_STATE__LINE_PAYABLE;
        l.policy_month = fl->month;
        l.month = month;
        l.payable_ms = e->time_ms;
        l.reason = fl->reason;
        l.order_code = fl->finding;   /* what it is for, where an order would stand */
        worker_result(b->out, KIND_LINE, id, fl->person->id, 0, &l.base);
        rc = s_draft_set(b, &l, month, 0);
        fs.line_id = id;
        fs.month = month;
        fs.open_amount = want;
    } else if (rc == 0) {
        fs.line_id = "";
        fs.month = "";
        fs.open_amount = 0;
    }
    if (rc == 0)
        s_replace(r, s_copy(&fs.base));
    ledger__fine_line__free_unpacked(fl, NULL);
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
            worker_keys_add(out, s_order_key(key, sizeof key, e->order->id));
            snprintf(key, sizeof key, "pd:%" PRIu64, e->order->customer_id);
            worker_keys_add(out, key);
            if (e->order->seller && e->order->seller->id) {
                snprintf(key, sizeof key, "p:%" PRIu64, e->order->seller->id);
                worker_keys_add(out, key);
            }
            break;
        case LEDGER__EVENT__BODY_REFUND:
            worker_keys_add(out, s_order_key(key, sizeof key, e->refund->order_id));
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
                worker_keys_add(out, s_order_key(key, sizeof key, e->result->entity_id));
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
    static Ledger__Policy *def;   /* the built-in default, made once */
    if (!def)
        def = policy_default();
    batch_t b = { .state = state, .out = out, .err = err };
    ledger__policy_version__init(&b.fallback);
    b.fallback.month = "";
    b.fallback.policy = def;
    int rc = 0;
    rec_t *book = s_rec(&b, "policies", &ledger__policy_book__descriptor);
    rec_t *cal = book ? s_rec(&b, "calendar", &ledger__calendar__descriptor) : NULL;
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
        case LEDGER__EVENT__BODY_PRODUCT: rc = s_on_product(&b, e); break;
        case LEDGER__EVENT__BODY_POLICY:  rc = s_on_policy(&b, e); break;
        case LEDGER__EVENT__BODY_MONTH:   rc = s_on_month_closed(&b, e); break;
        case LEDGER__EVENT__BODY_CLOCK:   rc = s_on_clock(&b, e); break;
        case LEDGER__EVENT__BODY_ENTRY:
            rc = s_centre_entry(&b, e->entry);
            if (rc == 0)
                rc = s_on_payout(&b, e);
            break;
        case LEDGER__EVENT__BODY_STAFF:   rc = s_on_staff(&b, e); break;
        case LEDGER__EVENT__BODY_RESULT:
            if (!strcmp(e->kind, "attribution.resolved"))
                rc = s_on_attribution(&b, e);
            else if (!strcmp(e->kind, "compliance.fine"))
                rc = s_on_fine(&b, e);
            break;
        default:
            break;
        }
        b.book = (Ledger__PolicyBook *)b.recs[0]->msg;
        b.cal = (Ledger__Calendar *)b.recs[1]->msg;
    }
    /* Write back what changed; drafts also as results. */
    for (size_t i = 0; i < b.n; i++) {
        rec_t *r = b.recs[i];
        if (rc == 0 && r->dirty) {
            uint8_t *buf;
            size_t len = codec_pack(r->msg, &buf);
            if (len > STATE_MAX)
                rc = err_set(err, ERR(OUT_OF_RANGE), "state",
                             "commission state %s (%zu bytes) exceeds the %u-byte state record",
                             r->key, len, STATE_MAX);
            else
                worker_state_put(state, r->key, buf, len);
            free(buf);
            if (rc == 0 && !strncmp(r->key, "s:", 2)) {
                const Ledger__Statement *st = (const Ledger__Statement *)r->msg;
                if (!st->closed)
                    worker_result(out, KIND_DRAFT, r->key + 2, st->person ? st->person->id : 0, 0,
                                  r->msg);
            }
        }
        free(r->key);
        protobuf_c_message_free_unpacked(r->msg, NULL);
        free(r);
    }
    free(b.recs);
    free(b.index);
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
