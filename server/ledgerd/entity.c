/* entity - add, amend, get and list staff, customers and orders.
 * One generic path over the three kinds; what differs (validation, the
 * partition key, order indexes, contact stripping) sits in kind_ops_t. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "date.h"
#include "diff.h"
#include "eventlog.h"
#include "validate.h"
#include "xmalloc.h"

/* Offsets of the fields every entity has. */
typedef struct {
    entity_kind_t kind;
    const char   *code_prefix;   /* "S" makes "S-00017" */
    size_t off_id, off_code, off_version, off_created, off_updated;
    int (*validate)(apply_t *a, ProtobufCMessage *m, err_t *err);
} kind_ops_t;

#define FIELD(m, off, type) (*(type *)((char *)(m) + (off)))

static int s_validate_staff(apply_t *a, ProtobufCMessage *m, err_t *err)
{
    return validate_staff((Ledger__Staff *)m, err);
}
static int s_validate_customer(apply_t *a, ProtobufCMessage *m, err_t *err)
{
    return validate_customer((Ledger__Customer *)m, err);
}
static int s_validate_order(apply_t *a, ProtobufCMessage *m, err_t *err)
{
    return validate_order(a, (Ledger__Order *)m, err);
}

#define OPS(K, T, P, V) { K, P, offsetof(T, id), offsetof(T, code), offsetof(T, version), \
                          offsetof(T, created_ms), offsetof(T, updated_ms), V }
static const kind_ops_t s_ops[KIND_COUNT] = {
    OPS(KIND_STAFF, Ledger__Staff, "S", s_validate_staff),
    OPS(KIND_CUSTOMER, Ledger__Customer, "C", s_validate_customer),
    OPS(KIND_ORDER, Ledger__Order, "O", s_validate_order),
};

static void s_set_string(char **slot, const char *value)
{
    if (*slot && *slot != protobuf_c_empty_string)
        free(*slot);
    *slot = xstrdup(value);
}

static uint64_t s_partition_key(entity_kind_t kind, const ProtobufCMessage *m)
{
    if (kind == KIND_CUSTOMER)
        return ((const Ledger__Customer *)m)->id;
    if (kind == KIND_ORDER)
        return ((const Ledger__Order *)m)->customer_id;
    return 0;
}

/* s_order_keys - the three index keys of an order */
typedef struct { uint8_t customer[24], placed[16], branch[BRANCH_MAX + 1 + 16]; size_t branch_len; } order_keys_t;
static void s_order_keys(order_keys_t *k, const Ledger__Order *o)
{
    store_be64(k->customer, o->customer_id);
    store_time_key(k->customer + 8, o->placed_ms);
    store_be64(k->customer + 16, o->id);
    memcpy(k->placed, k->customer + 8, 16);
    size_t n = strlen(o->branch);
    memcpy(k->branch, o->branch, n);
    k->branch[n] = 0;
    memcpy(k->branch + n + 1, k->placed, 16);
    k->branch_len = n + 1 + 16;
}

static int s_order_index(apply_t *a, const Ledger__Order *o, int del, err_t *err)
{
    order_keys_t k;
    store_t *s = a->store;
    s_order_keys(&k, o);
    if (del)
        return store_del(a->txn, s->order_by_customer, k.customer, 24, err) < 0 ||
               store_del(a->txn, s->order_by_placed, k.placed, 16, err) < 0 ||
               store_del(a->txn, s->order_by_branch, k.branch, k.branch_len, err) < 0 ? -1 : 0;
    return store_put(s, a->txn, s->order_by_customer, k.customer, 24, "", 0, 0, err) < 0 ||
           store_put(s, a->txn, s->order_by_placed, k.placed, 16, "", 0, 0, err) < 0 ||
           store_put(s, a->txn, s->order_by_branch, k.branch, k.branch_len, "", 0, 0, err) < 0
           ? -1 : 0;
}

/* s_event - append "<kind>.<verb>" with the record as its body; contact
 * details are cut out first, since events are never confidential */
static int s_event(apply_t *a, entity_kind_t kind, ProtobufCMessage *m, const char *verb,
                   const char **changed, size_t n_changed, uint64_t *seq_out, err_t *err)
{
    const kind_ops_t *ops = &s_ops[kind];
    char name[32];
    snprintf(name, sizeof name, "%s.%s", store_kind_name(kind), verb);
    Ledger__Event ev = LEDGER__EVENT__INIT;
    ev.kind = name;
    ev.entity_id = FIELD(m, ops->off_id, uint64_t);
    ev.entity_code = FIELD(m, ops->off_code, char *);
    ev.version = FIELD(m, ops->off_version, uint64_t);
    ev.partition_key = s_partition_key(kind, m);
    ev.changed = (char **)changed;
    ev.n_changed = n_changed;
    Ledger__Contact *contact = NULL;
    switch (kind) {
    case KIND_STAFF:
        ev.body_case = LEDGER__EVENT__BODY_STAFF;
        ev.staff = (Ledger__Staff *)m;
        break;
    case KIND_CUSTOMER:
        ev.body_case = LEDGER__EVENT__BODY_CUSTOMER;
        ev.customer = (Ledger__Customer *)m;
        contact = ev.customer->contact;
        ev.customer->contact = NULL;
        break;
    default:
        ev.body_case = LEDGER__EVENT__BODY_ORDER;
        ev.order = (Ledger__Order *)m;
    }
    int rc = eventlog_append(a, &ev, err);
    if (kind == KIND_CUSTOMER)
        ev.customer->contact = contact;
    *seq_out = ev.seq;
    return rc;
}

/* s_add - validate, assign id and code, store, index, log */
static int s_add(apply_t *a, entity_kind_t kind, ProtobufCMessage *m, uint64_t *seq_out,
                 err_t *err)
{
    const kind_ops_t *ops = &s_ops[kind];
    store_t *s = a->store;
    if (ops->validate(a, m, err) < 0)
        return -1;
    uint64_t id = ++a->counters.last_id[kind];
    char **code = &FIELD(m, ops->off_code, char *);
    if (**code) {
        if (store_code_id(s, a->txn, kind, *code))
            return err_set(err, ERR(DUPLICATE), "code", "%s code %s is already taken",
                           store_kind_name(kind), *code);
    } else {
        /* A client may have taken the generated code already; add a suffix. */
        char gen[CODE_MAX + 1];
        snprintf(gen, sizeof gen, "%s-%05llu", ops->code_prefix, (unsigned long long)id);
        for (int n = 2; store_code_id(s, a->txn, kind, gen); n++)
            snprintf(gen, sizeof gen, "%s-%05llu-%d", ops->code_prefix, (unsigned long long)id, n);
        s_set_string(code, gen);
    }
    FIELD(m, ops->off_id, uint64_t) = id;
    FIELD(m, ops->off_version, uint64_t) = 1;
    FIELD(m, ops->off_created, int64_t) = a->counters.ledger_ms;
    FIELD(m, ops->off_updated, int64_t) = a->counters.ledger_ms;

    uint8_t key[8];
    store_be64(key, id);
    if (store_put_msg(s, a->txn, s->data[kind], key, 8, m, MDB_APPEND, err) < 0 ||
        store_put(s, a->txn, s->by_code[kind], *code, strlen(*code), key, 8, MDB_NOOVERWRITE, err) < 0)
        return -1;
    if (kind == KIND_ORDER && s_order_index(a, (Ledger__Order *)m, 0, err) < 0)
        return -1;
    return s_event(a, kind, m, "created", NULL, 0, seq_out, err);
}

/* s_amend - replace the mutable fields of a stored record */
static int s_amend(apply_t *a, entity_kind_t kind, ProtobufCMessage *m, int has_expected,
                   uint64_t expected, err_t *err)
{
    const kind_ops_t *ops = &s_ops[kind];
    store_t *s = a->store;
    uint64_t id = FIELD(m, ops->off_id, uint64_t);
    char **code = &FIELD(m, ops->off_code, char *);
    if (!id && !**code)
        return err_set(err, ERR(MISSING), "code", "say which %s to amend: id or code",
                       store_kind_name(kind));
    if (!id && !(id = store_code_id(s, a->txn, kind, *code)))
        return err_set(err, ERR(NOT_FOUND), "code", "no %s with code %s", store_kind_name(kind),
                       *code);
    ProtobufCMessage *old = store_entity_get(s, a->txn, kind, id, err);
    if (!old) {
        err->field[0] = 0;
        err_prefix_field(err, "id");
        return -1;
    }
    int rc = -1;
    const char *old_code = FIELD(old, ops->off_code, char *);
    uint64_t old_version = FIELD(old, ops->off_version, uint64_t);
    if (**code && strcmp(*code, old_code) != 0) {
        err_set(err, ERR(INVALID), "code", "a code cannot be changed (%s is %s)",
                store_kind_name(kind), old_code);
        goto done;
    }
    if (has_expected && expected != old_version) {
        err_set(err, ERR(CONFLICT), "expected_version",
                "%s %s is at version %llu, not %llu: read it again", store_kind_name(kind),
                old_code, (unsigned long long)old_version, (unsigned long long)expected);
        goto done;
    }
    s_set_string(code, old_code);
    FIELD(m, ops->off_id, uint64_t) = id;
    FIELD(m, ops->off_version, uint64_t) = old_version;
    FIELD(m, ops->off_created, int64_t) = FIELD(old, ops->off_created, int64_t);
    FIELD(m, ops->off_updated, int64_t) = FIELD(old, ops->off_updated, int64_t);
    if (ops->validate(a, m, err) < 0)
        goto done;
    /* An order's customer decides its partition: moving it would leave the
     * old partition's workers holding credit for an order they never see again. */
    if (kind == KIND_ORDER &&
        ((Ledger__Order *)m)->customer_id != ((Ledger__Order *)old)->customer_id) {
        err_set(err, ERR(INVALID), "customer_code", "an order's customer cannot change (it is %s); "
                "cancel the order and enter a new one", ((Ledger__Order *)old)->customer_code);
        goto done;
    }

    static const char *const ignore[] = { "version", "created_ms", "updated_ms", NULL };
    const char *changed[32];
    size_t n_changed = diff_fields(old, m, ignore, changed, 32);
    uint64_t seq = 0;
    if (n_changed) {   /* an amend that changes nothing writes nothing */
        FIELD(m, ops->off_version, uint64_t) = old_version + 1;
        FIELD(m, ops->off_updated, int64_t) = a->counters.ledger_ms;
        uint8_t key[8];
        store_be64(key, id);
        if (store_put_msg(s, a->txn, s->data[kind], key, 8, m, 0, err) < 0)
            goto done;
        if (kind == KIND_ORDER && (s_order_index(a, (Ledger__Order *)old, 1, err) < 0 ||
                                   s_order_index(a, (Ledger__Order *)m, 0, err) < 0))
            goto done;
        if (s_event(a, kind, m, "amended", changed, n_changed, &seq, err) < 0)
            goto done;
    }
    apply_write_reply(a, id, *code, FIELD(m, ops->off_version, uint64_t), seq);
    rc = 0;
done:
    protobuf_c_message_free_unpacked(old, NULL);
    return rc;
}

static int s_add_one(apply_t *a, entity_kind_t kind, ProtobufCMessage *m, const char *field,
                     err_t *err)
{
    const kind_ops_t *ops = &s_ops[kind];
    uint64_t seq;
    if (!m)
        return err_set(err, ERR(MISSING), field, "%s is required", field);
    if (s_add(a, kind, m, &seq, err) < 0) {
        err_prefix_field(err, field);
        return -1;
    }
    apply_write_reply(a, FIELD(m, ops->off_id, uint64_t), FIELD(m, ops->off_code, char *),
                      1, seq);
    return 0;
}

static int s_amend_one(apply_t *a, entity_kind_t kind, ProtobufCMessage *m, const char *field,
                       int has_expected, uint64_t expected, err_t *err)
{
    if (!m)
        return err_set(err, ERR(MISSING), field, "%s is required", field);
    if (s_amend(a, kind, m, has_expected, expected, err) < 0) {
        if (strcmp(err->field, "expected_version") != 0)
            err_prefix_field(err, field);
        return -1;
    }
    return 0;
}

int entity_staff_add(apply_t *a, const ProtobufCMessage *req, err_t *err)
{
    return s_add_one(a, KIND_STAFF, &((Ledger__StaffAdd *)req)->staff->base, "staff", err);
}

int entity_customer_add(apply_t *a, const ProtobufCMessage *req, err_t *err)
{
    return s_add_one(a, KIND_CUSTOMER, &((Ledger__CustomerAdd *)req)->customer->base,
                     "customer", err);
}

int entity_order_add(apply_t *a, const ProtobufCMessage *req, err_t *err)
{
    return s_add_one(a, KIND_ORDER, &((Ledger__OrderAdd *)req)->order->base, "order", err);
}

int entity_staff_amend(apply_t *a, const ProtobufCMessage *req, err_t *err)
{
    const Ledger__StaffAmend *r = (const void *)req;
    return s_amend_one(a, KIND_STAFF, &r->staff->base, "staff",
                       r->_expected_version_case != 0, r->expected_version, err);
}

int entity_customer_amend(apply_t *a, const ProtobufCMessage *req, err_t *err)
{
    const Ledger__CustomerAmend *r = (const void *)req;
    return s_amend_one(a, KIND_CUSTOMER, &r->customer->base, "customer",
                       r->_expected_version_case != 0, r->expected_version, err);
}

int entity_order_amend(apply_t *a, const ProtobufCMessage *req, err_t *err)
{
    const Ledger__OrderAmend *r = (const void *)req;
    return s_amend_one(a, KIND_ORDER, &r->order->base, "order",
                       r->_expected_version_case != 0, r->expected_version, err);
}

/* entity_order_batch - all or nothing: dispatch rolls back the whole
 * request's nested transaction when one order fails */
int entity_order_batch(apply_t *a, const ProtobufCMessage *req, err_t *err)
{
    const Ledger__OrderBatch *r = (const void *)req;
    if (r->n_orders == 0)
        return err_set(err, ERR(MISSING), "orders", "a batch needs at least one order");
    if (r->n_orders > 10000)
        return err_set(err, ERR(OUT_OF_RANGE), "orders", "a batch has at most 10000 orders, got %zu",
                       r->n_orders);
    Ledger__WriteReply *items = xcalloc(r->n_orders, sizeof *items);
    Ledger__WriteReply **ptrs = xcalloc(r->n_orders, sizeof *ptrs);
    int rc = 0;
    for (size_t i = 0; i < r->n_orders && rc == 0; i++) {
        char field[32];
        uint64_t seq;
        snprintf(field, sizeof field, "orders[%zu]", i);
        if (s_add(a, KIND_ORDER, &r->orders[i]->base, &seq, err) < 0) {
            err_prefix_field(err, field);
            rc = -1;
            break;
        }
        ledger__write_reply__init(&items[i]);
        items[i].id = r->orders[i]->id;
        items[i].code = r->orders[i]->code;
        items[i].version = 1;
        items[i].seq = seq;
        ptrs[i] = &items[i];
    }
    if (rc == 0) {
        Ledger__BatchReply rep = LEDGER__BATCH_REPLY__INIT;
        rep.n_items = r->n_orders;
        rep.items = ptrs;
        apply_reply(a, &rep.base);
    }
    free(items);
    free(ptrs);
    return rc;
}

/* s_find - by id, else by code; NOT_FOUND names which */
static ProtobufCMessage *s_find(apply_t *a, entity_kind_t kind, uint64_t id, const char *code,
                                err_t *err)
{
    if (!id && (!code || !*code)) {
        err_set(err, ERR(MISSING), "code", "say which %s: id or code", store_kind_name(kind));
        return NULL;
    }
    if (!id && !(id = store_code_id(a->store, a->txn, kind, code))) {
        err_set(err, ERR(NOT_FOUND), "code", "no %s with code %s", store_kind_name(kind), code);
        return NULL;
    }
    ProtobufCMessage *m = store_entity_get(a->store, a->txn, kind, id, err);
    if (!m)
        snprintf(err->field, sizeof err->field, "id");
    return m;
}

static int s_kind_of(Ledger__EntityKind k, entity_kind_t *out, err_t *err)
{
    switch (k) {
    case LEDGER__ENTITY_KIND__ENTITY_STAFF:    *out = KIND_STAFF; return 0;
    case LEDGER__ENTITY_KIND__ENTITY_CUSTOMER: *out = KIND_CUSTOMER; return 0;
    case LEDGER__ENTITY_KIND__ENTITY_ORDER:     *out = KIND_ORDER; return 0;
    default: return err_set(err, ERR(MISSING), "kind", "say which kind of record");
    }
}

int entity_get(apply_t *a, const ProtobufCMessage *req, err_t *err)
{
    const Ledger__Get *r = (const void *)req;
    entity_kind_t kind = KIND_STAFF;
    if (s_kind_of(r->kind, &kind, err) < 0)
        return -1;
    ProtobufCMessage *m = s_find(a, kind, r->id, r->code, err);
    if (!m)
        return -1;
    Ledger__GetReply rep = LEDGER__GET_REPLY__INIT;
    rep.record_case = kind == KIND_STAFF ? LEDGER__GET_REPLY__RECORD_STAFF
                    : kind == KIND_CUSTOMER ? LEDGER__GET_REPLY__RECORD_CUSTOMER
                    : LEDGER__GET_REPLY__RECORD_ORDER;
    rep.staff = (Ledger__Staff *)m;   /* a union: the same pointer for every case */
    apply_reply(a, &rep.base);
    protobuf_c_message_free_unpacked(m, NULL);
    return 0;
}

/* List paging: walk one index (or the records by id) from just after the
 * page token, keep the records that pass the filters, stop at limit. The
 * token is the last key walked, so a page never repeats or skips one. */
#define LIST_SCAN_MAX 100000
#define LIST_MAX_BYTES (8u << 20)   /* a page ends here, far below the frame limit */

typedef struct {
    MDB_dbi dbi;
    uint8_t lo[64], hi[64];   /* key range [lo, hi) */
    size_t  lo_len, hi_len;
    int     by_id;            /* keys are ids into the data db, not index keys */
} list_plan_t;

static int s_list_filters(apply_t *a, const Ledger__List *r, entity_kind_t kind,
                          list_plan_t *p, uint64_t *customer_id, int64_t *from, int64_t *to,
                          err_t *err)
{
    store_t *s = a->store;
    *customer_id = 0;
    *from = INT64_MIN;
    *to = INT64_MAX;
    memset(p, 0, sizeof *p);
    p->dbi = s->data[kind];
    p->by_id = 1;
    p->hi_len = 8;
    memset(p->hi, 0xff, 8);
    if (validate_text(r->branch, "branch", 0, BRANCH_MAX, err) < 0)
        return -1;
    if (kind != KIND_ORDER) {
        if (*r->customer_code || *r->from_date || *r->to_date)
            return err_set(err, ERR(INVALID), *r->customer_code ? "customer_code" : "from_date",
                           "only orders are filtered by customer or date");
        return 0;
    }
    date_t d;
    if (*r->from_date) {
        if (date_parse(&d, r->from_date, err) < 0)
            return err_prefix_field(err, "from_date"), -1;
        *from = date_start_ms(d);
    }
    if (*r->to_date) {
        if (date_parse(&d, r->to_date, err) < 0)
            return err_prefix_field(err, "to_date"), -1;
        *to = date_start_ms(date_add_days(d, 1));
    }
    if (*r->customer_code) {
        if (!(*customer_id = store_code_id(s, a->txn, KIND_CUSTOMER, r->customer_code)))
            return err_set(err, ERR(NOT_FOUND), "customer_code", "no customer with code %s",
                           r->customer_code);
        p->by_id = 0;
        p->dbi = s->order_by_customer;
        store_be64(p->lo, *customer_id);
        store_time_key(p->lo + 8, *from);
        p->lo_len = 16;
        store_be64(p->hi, *customer_id);
        store_time_key(p->hi + 8, *to);
        p->hi_len = 16;
    } else if (*r->branch) {
        size_t n = strlen(r->branch);
        p->by_id = 0;
        p->dbi = s->order_by_branch;
        memcpy(p->lo, r->branch, n + 1);
        store_time_key(p->lo + n + 1, *from);
        p->lo_len = n + 9;
        memcpy(p->hi, r->branch, n + 1);
        store_time_key(p->hi + n + 1, *to);
        p->hi_len = n + 9;
    } else if (*r->from_date || *r->to_date) {
        p->by_id = 0;
        p->dbi = s->order_by_placed;
        store_time_key(p->lo, *from);
        p->lo_len = 8;
        store_time_key(p->hi, *to);
        p->hi_len = 8;
    }
    return 0;
}

static int s_key_cmp(const void *a, size_t an, const void *b, size_t bn)
{
    int c = memcmp(a, b, an < bn ? an : bn);
    return c ? c : (an > bn) - (an < bn);
}

static const char *s_branch_of(entity_kind_t kind, const ProtobufCMessage *m)
{
    return kind == KIND_STAFF ? ((const Ledger__Staff *)m)->branch
         : kind == KIND_CUSTOMER ? ((const Ledger__Customer *)m)->branch
         : ((const Ledger__Order *)m)->branch;
}

int entity_list(apply_t *a, const ProtobufCMessage *req, err_t *err)
{
    const Ledger__List *r = (const void *)req;
    entity_kind_t kind = KIND_STAFF;
    list_plan_t p;
    uint64_t customer_id;
    int64_t from, to;
    if (s_kind_of(r->kind, &kind, err) < 0 ||
        s_list_filters(a, r, kind, &p, &customer_id, &from, &to, err) < 0)
        return -1;
    if (r->limit > 1000)
        return err_set(err, ERR(OUT_OF_RANGE), "limit", "a page holds at most 1000 records");
    size_t limit = r->limit ? r->limit : 100;
    if (r->page_token.len > sizeof p.lo)
        return err_set(err, ERR(INVALID), "page_token", "not a page token from this server");

    MDB_cursor *cur;
    int rc = mdb_cursor_open(a->txn, p.dbi, &cur);
    if (rc)
        return store_error(a->store, rc, "list", err);
    MDB_val k = { p.lo_len, p.lo }, v;
    int skip_equal = 0;
    if (r->page_token.len) {
        if (s_key_cmp(r->page_token.data, r->page_token.len, p.lo, p.lo_len) < 0)
            return mdb_cursor_close(cur),
                   err_set(err, ERR(INVALID), "page_token", "the page token is for another list");
        k.mv_size = r->page_token.len;
        k.mv_data = r->page_token.data;
        skip_equal = 1;
    }
    ProtobufCMessage **recs = xcalloc(limit, sizeof *recs);
    size_t n = 0, scanned = 0, bytes = 0;
    uint8_t last[64];
    size_t last_len = 0;
    int more = 0;
    rc = mdb_cursor_get(cur, &k, &v, k.mv_size ? MDB_SET_RANGE : MDB_FIRST);
    for (; rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (s_key_cmp(k.mv_data, k.mv_size, p.hi, p.hi_len) >= 0)
            break;
        if (skip_equal && s_key_cmp(k.mv_data, k.mv_size, r->page_token.data,
                                    r->page_token.len) == 0)
            continue;
        if (n == limit || scanned == LIST_SCAN_MAX || bytes > LIST_MAX_BYTES) {
            more = 1;
            break;
        }
        scanned++;
        memcpy(last, k.mv_data, k.mv_size < sizeof last ? k.mv_size : sizeof last);
        last_len = k.mv_size;
        uint64_t id = p.by_id ? store_get_be64(k.mv_data)
                              : store_get_be64((uint8_t *)k.mv_data + k.mv_size - 8);
        ProtobufCMessage *m = store_entity_get(a->store, a->txn, kind, id, err);
        if (!m)
            continue;
        if (*r->branch && strcmp(s_branch_of(kind, m), r->branch) != 0) {
            protobuf_c_message_free_unpacked(m, NULL);
            continue;
        }
        if (kind == KIND_CUSTOMER) {   /* contacts are read one record at a time, by get */
            Ledger__Customer *c = (Ledger__Customer *)m;
            if (c->contact) {
                ledger__contact__free_unpacked(c->contact, NULL);
                c->contact = NULL;
            }
        }
        bytes += protobuf_c_message_get_packed_size(m);
        recs[n++] = m;
    }
    mdb_cursor_close(cur);

    Ledger__ListReply rep = LEDGER__LIST_REPLY__INIT;
    if (kind == KIND_STAFF)
        rep.staff = (Ledger__Staff **)recs, rep.n_staff = n;
    else if (kind == KIND_CUSTOMER)
        rep.customers = (Ledger__Customer **)recs, rep.n_customers = n;
    else
        rep.orders = (Ledger__Order **)recs, rep.n_orders = n;
    if (more) {
        rep.next_page_token.data = last;
        rep.next_page_token.len = last_len;
    }
    apply_reply(a, &rep.base);
    for (size_t i = 0; i < n; i++)
        protobuf_c_message_free_unpacked(recs[i], NULL);
    free(recs);
    return 0;
}
