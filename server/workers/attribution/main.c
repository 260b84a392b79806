/* attribution - decides who gets credit for each order (DOMAIN.md section 2).
 * Keeps, per customer, the facts of every order as worker state in ledgerd
 * ("c:<customer id>"), re-resolves the customer whenever one of its orders
 * or its first contact changes (resolve.c), and writes a result for each
 * order whose attribution changed ("attribution.resolved", key = order code)
 * and one for the customer ("attribution.customer", key = customer code).
 * Referrers' developers come from partner events ("p:<id>", "pc:<customer>").
 * Following the log, state and write-back are the runtime's (worker.c). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "attribution.pb-c.h"
#include "codec.h"
#include "hash.h"
#include "log.h"
#include "resolve.h"
#include "worker.h"
#include "xmalloc.h"

#define KIND_RESOLVED "attribution.resolved"
#define KIND_CUSTOMER "attribution.customer"
#define STATE_MAX     (1u << 20)   /* ledgerd's limit on one state record */

static const char *const s_kinds[] = { "customer", "order", "partner", NULL };

/* s_key - a state key: prefix and id ("c:17") */
static const char *s_key(char *buf, size_t n, const char *prefix, uint64_t id)
{
    snprintf(buf, n, "%s:%" PRIu64, prefix, id);
    return buf;
}

/* s_referrer_key - where a claimed channel party's referrer facts live, or
 * NULL when the party cannot be a referrer */
static const char *s_referrer_key(char *buf, size_t n, const Ledger__RoleClaims *c)
{
    if (!c || !c->channel || !c->channel->id)
        return NULL;
    if (c->channel->kind == LEDGER__PARTY_KIND__PARTY_PARTNER)
        return s_key(buf, n, "p", c->channel->id);
    if (c->channel->kind == LEDGER__PARTY_KIND__PARTY_CUSTOMER)
        return s_key(buf, n, "pc", c->channel->id);
    return NULL;
}

/* s_keys - the customers, and the referrers their orders name */
static void s_keys(void *ctx, Ledger__Event *const *events, size_t n, worker_keys_t *out)
{
    char key[64];
    for (size_t i = 0; i < n; i++) {
        const Ledger__Event *e = events[i];
        switch (e->body_case) {
        case LEDGER__EVENT__BODY_CUSTOMER:
            worker_keys_add(out, s_key(key, sizeof key, "c", e->customer->id));
            break;
        case LEDGER__EVENT__BODY_ORDER:
            worker_keys_add(out, s_key(key, sizeof key, "c", e->order->customer_id));
            if (s_referrer_key(key, sizeof key, e->order->claims))
                worker_keys_add(out, key);
            break;
        case LEDGER__EVENT__BODY_PARTNER:
            worker_keys_add(out, s_key(key, sizeof key, "p", e->partner->id));
            if (e->partner->customer_id)
                worker_keys_add(out, s_key(key, sizeof key, "pc", e->partner->customer_id));
            break;
        default:
            break;
        }
    }
}

/* A point in resolution order: placed time, then code. */
typedef struct {
    int64_t ms;
    const char *code;               /* NULL: before every order */
} point_t;

/* One customer being worked on in a batch. */
typedef struct {
    uint64_t id;
    Ledger__CustomerFacts *facts;   /* owned (protobuf-c unpacked) */
    int dirty;                      /* changed: resolve and write back */
    point_t from;                   /* orders before it are unchanged (when dirty) */
    char *from_code;                /* owns from.code */
} customer_t;

typedef struct {
    customer_t *v;
    size_t n, cap;
    size_t *index;                  /* open addressing by id: v's index + 1, 0 empty */
    size_t index_cap;               /* a power of two, > 2 n */
} customers_t;

/* s_before - a sorts before b in resolution order */
static int s_before(int64_t ms, const char *code, point_t b)
{
    if (!b.code)
        return 0;
    return ms != b.ms ? ms < b.ms : strcmp(code, b.code) < 0;
}

/* s_changed_at - orders from (ms, code) on must be resolved again */
static void s_changed_at(customer_t *c, int64_t ms, const char *code)
{
    if (c->dirty && !s_before(ms, code ? code : "", c->from))
        return;
    free(c->from_code);
    c->from_code = code ? xstrdup(code) : NULL;
    c->from = (point_t){ ms, c->from_code };
    c->dirty = 1;
}

/* s_slot - where id's index entry is, or would go */
static size_t *s_slot(customers_t *cs, uint64_t id)
{
    size_t mask = cs->index_cap - 1, i = (size_t)(id * 0x9E3779B97F4A7C15ull) & mask;
    while (cs->index[i] && cs->v[cs->index[i] - 1].id != id)
        i = (i + 1) & mask;
    return &cs->index[i];
}

/* s_copy - an owned deep copy of msg (built with borrowed pointers) */
static ProtobufCMessage *s_copy(const ProtobufCMessage *msg)
{
    uint8_t *buf;
    size_t len = codec_pack(msg, &buf);
    ProtobufCMessage *copy = protobuf_c_message_unpack(msg->descriptor, NULL, len, buf);
    free(buf);
    if (!copy)
        log_panic("attribution: a %s just packed does not unpack", msg->descriptor->name);
    return copy;
}

/* s_customer - the customer's facts: from this batch, the state, or new */
static customer_t *s_customer(customers_t *cs, worker_state_t *state, uint64_t id)
{
    if (2 * (cs->n + 1) > cs->index_cap) {
        free(cs->index);
        cs->index_cap = cs->index_cap ? 2 * cs->index_cap : 64;
        cs->index = xcalloc(cs->index_cap, sizeof *cs->index);
        for (size_t i = 0; i < cs->n; i++)
            *s_slot(cs, cs->v[i].id) = i + 1;
    }
    size_t *slot = s_slot(cs, id);
    if (*slot)
        return &cs->v[*slot - 1];
    char key[32];
    size_t len;
    const uint8_t *v = worker_state_get(state, s_key(key, sizeof key, "c", id), &len);
    Ledger__CustomerFacts *facts =
        ledger__customer_facts__unpack(NULL, v ? len : 0, v ? v : (const uint8_t *)"");
    if (!facts)
        log_fatal("attribution: state %s does not unpack as CustomerFacts", key);
    if (cs->n == cs->cap) {
        cs->cap = cs->cap ? 2 * cs->cap : 16;
        cs->v = xrealloc(cs->v, cs->cap * sizeof *cs->v);
    }
    cs->v[cs->n] = (customer_t){ .id = id, .facts = facts };
    facts->customer_id = id;
    *slot = ++cs->n;
    return &cs->v[cs->n - 1];
}

/* s_on_customer - the customer's code and first contact */
static void s_on_customer(customer_t *c, const Ledger__Customer *cu)
{
    Ledger__CustomerFacts shell = *c->facts;   /* borrowed pointers, packed at once */
    shell.customer_code = cu->code;
    shell._first_contact_ms_case = cu->_first_contact_ms_case == LEDGER__CUSTOMER___FIRST_CONTACT_MS_FIRST_CONTACT_MS
        ? LEDGER__CUSTOMER_FACTS___FIRST_CONTACT_MS_FIRST_CONTACT_MS
        : LEDGER__CUSTOMER_FACTS___FIRST_CONTACT_MS__NOT_SET;
    shell.first_contact_ms = cu->first_contact_ms;
    Ledger__CustomerFacts *copy = (Ledger__CustomerFacts *)s_copy(&shell.base);
    int contact_changed = copy->_first_contact_ms_case != c->facts->_first_contact_ms_case ||
                          copy->first_contact_ms != c->facts->first_contact_ms;
    ledger__customer_facts__free_unpacked(c->facts, NULL);
    c->facts = copy;
    if (contact_changed)
        s_changed_at(c, INT64_MIN, NULL);   /* a C assist may turn valid or not */
    else
        c->dirty = 1;   /* the code: written with the summary */
}

/* s_on_order - add or replace the order's facts; the referrer as the log
 * knows it now is kept with them */
static void s_on_order(customer_t *c, const Ledger__Order *o, worker_state_t *state)
{
    Ledger__CustomerFacts *f = c->facts;
    size_t at = f->n_orders;
    for (size_t i = 0; i < f->n_orders; i++)
        if (f->orders[i]->id == o->id)
            at = i;
    if (at < f->n_orders && f->orders[at]->version > o->version)
        return;   /* an older version than we hold: nothing new */

    Ledger__OrderFacts shell = LEDGER__ORDER_FACTS__INIT;
    shell.id = o->id;
    shell.code = o->code;
    shell.version = o->version;
    shell.placed_ms = o->placed_ms;
    shell.cancelled = o->status == LEDGER__ORDER_STATUS__CANCELLED;
    shell.claims = o->claims;
    shell.handler = o->handler;
    shell.arrangers = o->arrangers;
    shell.n_arrangers = o->n_arrangers;
    shell.result_hash = at < f->n_orders ? f->orders[at]->result_hash : 0;
    char key[64];
    Ledger__ReferrerFacts *ref = NULL;
    if (s_referrer_key(key, sizeof key, o->claims)) {
        size_t len;
        const uint8_t *v = worker_state_get(state, key, &len);
        if (v && !(ref = ledger__referrer_facts__unpack(NULL, len, v)))
            log_fatal("attribution: state %s does not unpack as ReferrerFacts", key);
        shell.referrer = ref;
    }
    Ledger__OrderFacts *copy = (Ledger__OrderFacts *)s_copy(&shell.base);
    if (ref)
        ledger__referrer_facts__free_unpacked(ref, NULL);
    if (at < f->n_orders) {   /* from where it was, or where it is now, whichever is first */
        s_changed_at(c, f->orders[at]->placed_ms, f->orders[at]->code);
        ledger__order_facts__free_unpacked(f->orders[at], NULL);
    } else {
        f->orders = realloc(f->orders, (f->n_orders + 1) * sizeof *f->orders);
        if (!f->orders)
            log_panic("attribution: out of memory");
        f->n_orders++;
    }
    f->orders[at] = copy;
    s_changed_at(c, copy->placed_ms, copy->code);
}

/* s_on_partner - what an order naming this partner as its channel needs */
static void s_on_partner(const Ledger__Partner *p, worker_state_t *state)
{
    Ledger__ReferrerFacts ref = LEDGER__REFERRER_FACTS__INIT;
    Ledger__PartyRef developer = LEDGER__PARTY_REF__INIT;
    ref.partner_id = p->id;
    ref.partner_code = p->code;
    if (p->developer_id) {
        developer.kind = LEDGER__PARTY_KIND__PARTY_STAFF;
        developer.code = p->developer_code;
        developer.id = p->developer_id;
        ref.developer = &developer;
    }
    uint8_t *buf;
    size_t len = codec_pack(&ref.base, &buf);
    char key[64];
    worker_state_put(state, s_key(key, sizeof key, "p", p->id), buf, len);
    if (p->customer_id)
        worker_state_put(state, s_key(key, sizeof key, "pc", p->customer_id), buf, len);
    free(buf);
}

/* s_hash - FNV-1a of a packed payload: has this result changed? */
static uint64_t s_hash(const ProtobufCMessage *m)
{
    uint8_t *buf;
    size_t len = codec_pack(m, &buf);
    uint64_t h = hash_bytes(buf, len);
    free(buf);
    return h ? h : 1;   /* 0 means "never written" */
}

/* s_resolve - resolve the customer and add a result for every change. An
 * order's attribution depends only on it and the orders before it, so those
 * before the first change are not even compared. */
static void s_resolve(customer_t *c, worker_out_t *out)
{
    Ledger__CustomerFacts *f = c->facts;
    resolution_t *r = resolve_customer(f);
    for (size_t i = 0; i < resolution_count(r); i++) {
        size_t at;
        const Ledger__Attribution *a = resolution_order(r, i, &at);
        if (s_before(a->placed_ms, a->order_code, c->from))
            continue;
        uint64_t h = s_hash(&a->base);
        if (h == f->orders[at]->result_hash)
            continue;
        worker_result(out, KIND_RESOLVED, a->order_code, a->order_id, c->id, &a->base);
        f->orders[at]->result_hash = h;
    }
    const Ledger__CustomerAttribution *sum = resolution_summary(r);
    uint64_t h = s_hash(&sum->base);
    if (h != f->summary_hash && *f->customer_code) {
        worker_result(out, KIND_CUSTOMER, f->customer_code, c->id, c->id, &sum->base);
        f->summary_hash = h;
    }
    resolution_destroy(&r);
}

/* s_batch - apply the events, then resolve each customer they touched once */
static int s_batch(void *ctx, Ledger__Event *const *events, size_t n, worker_state_t *state,
                   worker_out_t *out, err_t *err)
{
    customers_t cs = { 0 };
    for (size_t i = 0; i < n; i++) {
        const Ledger__Event *e = events[i];
        switch (e->body_case) {
        case LEDGER__EVENT__BODY_CUSTOMER:
            s_on_customer(s_customer(&cs, state, e->customer->id), e->customer);
            break;
        case LEDGER__EVENT__BODY_ORDER:
            s_on_order(s_customer(&cs, state, e->order->customer_id), e->order, state);
            break;
        case LEDGER__EVENT__BODY_PARTNER:
            s_on_partner(e->partner, state);
            break;
        default:
            break;   /* clock: attribution has no deadlines */
        }
    }
    int rc = 0;
    for (size_t i = 0; i < cs.n; i++) {
        customer_t *c = &cs.v[i];
        if (c->dirty && rc == 0) {
            s_resolve(c, out);
            uint8_t *buf;
            size_t len = codec_pack(&c->facts->base, &buf);
            char key[32];
            if (len > STATE_MAX)   /* ledgerd would refuse it; say whose it is */
                rc = err_set(err, ERR(OUT_OF_RANGE), "state",
                             "customer %s has %zu orders, whose attribution facts (%zu bytes) "
                             "exceed the %u-byte state record", c->facts->customer_code,
                             c->facts->n_orders, len, STATE_MAX);
            else
                worker_state_put(state, s_key(key, sizeof key, "c", c->id), buf, len);
            free(buf);
        }
        ledger__customer_facts__free_unpacked(c->facts, NULL);
        free(c->from_code);
    }
    free(cs.v);
    free(cs.index);
    return rc;
}

int main(int argc, char **argv)
{
    return worker_main(argc, argv, &(worker_spec_t){
        .name = "attribution",
        .summary = "Decides who gets credit for each order: channel, service and assist from\n"
                   "the customer's attribution window, handler and arrangers from the order,\n"
                   "each with the rule that decided it (DOMAIN.md section 2).",
        .kinds = s_kinds, .keys = s_keys, .batch = s_batch });
}
