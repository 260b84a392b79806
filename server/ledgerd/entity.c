/* entity - add, amend, get and list every kind of record: staff, customers,
 * orders and the kinds of record.proto. One generic path over all kinds;
 * what differs (validation, the partition key, order indexes, contact
 * stripping, fields that never change) is looked up by kind. The fields
 * every record has (id, code, version, created_ms, updated_ms) are found
 * through the protobuf-c descriptors, once. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "date.h"
#include "diff.h"
#include "eventlog.h"
#include "log.h"
#include "record.pb-c.h"
#include "validate.h"
#include "xmalloc.h"

/* Offsets of the fields every record has. */
typedef struct {
    const char *code_prefix;   /* "S" makes "S-00017" */
    size_t off_id, off_code, off_version, off_created, off_updated;
    size_t off_branch, off_customer_id, off_order_id;   /* 0: the kind has none */
} kind_ops_t;

#define FIELD(m, off, type) (*(type *)((char *)(m) + (off)))

static const char *const s_prefixes[KIND_COUNT] = {
    "S", "C", "O", "P", "G", "H", "PAY", "SHP", "RF", "A", "E", "V", "W", "K" };
static kind_ops_t s_ops[KIND_COUNT];

static size_t s_offset(const ProtobufCMessageDescriptor *d, const char *name, int required)
{
    const ProtobufCFieldDescriptor *fd = protobuf_c_message_descriptor_get_field_by_name(d, name);
    if (!fd && required)
        log_panic("entity: %s has no field %s", d->name, name);
    return fd ? fd->offset : 0;
}

/* s_kind_ops - the offsets of kind, read from its descriptor on first use */
static const kind_ops_t *s_kind_ops(entity_kind_t kind)
{
    kind_ops_t *o = &s_ops[kind];
    if (!o->code_prefix) {
        const ProtobufCMessageDescriptor *d = store_kind_descriptor(kind);
        o->off_id = s_offset(d, "id", 1);
        o->off_code = s_offset(d, "code", 1);
        o->off_version = s_offset(d, "version", 1);
        o->off_created = s_offset(d, "created_ms", 1);
        o->off_updated = s_offset(d, "updated_ms", 1);
        o->off_branch = s_offset(d, "branch", 0);
        o->off_customer_id = kind == KIND_CUSTOMER ? 0 : s_offset(d, "customer_id", 0);
        o->off_order_id = kind == KIND_ORDER ? 0 : s_offset(d, "order_id", 0);
        o->code_prefix = s_prefixes[kind];
    }
    return o;
}

static int s_validate(apply_t *a, entity_kind_t kind, ProtobufCMessage *m, err_t *err)
{
    switch (kind) {
    case KIND_STAFF:    return validate_staff((Ledger__Staff *)m, err);
    case KIND_CUSTOMER: return validate_customer((Ledger__Customer *)m, err);
    case KIND_ORDER:    return validate_order(a, (Ledger__Order *)m, err);
    default:            return record_validate(a, kind, m, err);
    }
}

static void s_set_string(char **slot, const char *value)
{
    if (*slot && *slot != protobuf_c_empty_string)
        free(*slot);
    *slot = xstrdup(value);
}

/* s_partition_key - the customer a record belongs to, so a worker
 * partitioned by customer sees it; 0 (every partition) for the rest. A
 * partner who is also a customer is still everyone's business. */
static uint64_t s_partition_key(entity_kind_t kind, const ProtobufCMessage *m)
{
    const kind_ops_t *ops = s_kind_ops(kind);
    if (kind == KIND_CUSTOMER)
        return FIELD(m, ops->off_id, uint64_t);
    if (kind == KIND_PARTNER || !ops->off_customer_id)
        return 0;
    return FIELD(m, ops->off_customer_id, uint64_t);
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
    const kind_ops_t *ops = s_kind_ops(kind);
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
    case KIND_ORDER:
        ev.body_case = LEDGER__EVENT__BODY_ORDER;
        ev.order = (Ledger__Order *)m;
        break;
    default:   /* Event field 16 + the kind's Record field number */
        ev.body_case = (Ledger__Event__BodyCase)(16 + kind + 1);
        ev.staff = (Ledger__Staff *)m;   /* a union: one pointer for every case */
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
    const kind_ops_t *ops = s_kind_ops(kind);
    store_t *s = a->store;
    if (s_validate(a, kind, m, err) < 0)
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
    if (kind == KIND_ENTRY && ((Ledger__FinanceEntry *)m)->reverses_id) {
        uint8_t rev[8];
        store_be64(rev, ((Ledger__FinanceEntry *)m)->reverses_id);
        if (store_put(s, a->txn, s->reversals, rev, 8, key, 8, MDB_NOOVERWRITE, err) < 0)
            return -1;
    }
    return s_event(a, kind, m, "created", NULL, 0, seq_out, err);
}

/* s_amend - replace the mutable fields of a stored record */
static int s_amend(apply_t *a, entity_kind_t kind, ProtobufCMessage *m, int has_expected,
                   uint64_t expected, err_t *err)
{
    const kind_ops_t *ops = s_kind_ops(kind);
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
    if (s_validate(a, kind, m, err) < 0)
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
    /* Money already entered is corrected by a reversal, never rewritten:
     * an entry's amend may only add approvals, notices and a description. */
    static const char *const entry_fixed[] = { "branch", "time_ms", "category", "postings",
        "order_code", "reverses_code", "person_code", "statement", NULL };
    for (size_t i = 0; kind == KIND_ENTRY && i < n_changed; i++)
        for (const char *const *f = entry_fixed; *f; f++)
            if (!strcmp(changed[i], *f)) {
                err_set(err, ERR(INVALID), *f, "an entry's %s never changes: reverse the "
                        "entry and enter a new one", *f);
                goto done;
            }
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

/* s_msg - a request's record as a message, NULL when the body had none
 * (s_add_one and s_amend_one say MISSING) */
#define s_msg(rec) ((rec) ? &(rec)->base : NULL)

static int s_add_one(apply_t *a, entity_kind_t kind, ProtobufCMessage *m, const char *field,
                     err_t *err)
{
    const kind_ops_t *ops = s_kind_ops(kind);
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
    return s_add_one(a, KIND_STAFF, s_msg(((Ledger__StaffAdd *)req)->staff), "staff", err);
}

int entity_customer_add(apply_t *a, const ProtobufCMessage *req, err_t *err)
{
    return s_add_one(a, KIND_CUSTOMER, s_msg(((Ledger__CustomerAdd *)req)->customer),
                     "customer", err);
}

int entity_order_add(apply_t *a, const ProtobufCMessage *req, err_t *err)
{
    return s_add_one(a, KIND_ORDER, s_msg(((Ledger__OrderAdd *)req)->order), "order", err);
}

int entity_staff_amend(apply_t *a, const ProtobufCMessage *req, err_t *err)
{
    const Ledger__StaffAmend *r = (const void *)req;
    return s_amend_one(a, KIND_STAFF, s_msg(r->staff), "staff",
                       r->_expected_version_case != 0, r->expected_version, err);
}

int entity_customer_amend(apply_t *a, const ProtobufCMessage *req, err_t *err)
{
    const Ledger__CustomerAmend *r = (const void *)req;
    return s_amend_one(a, KIND_CUSTOMER, s_msg(r->customer), "customer",
                       r->_expected_version_case != 0, r->expected_version, err);
}

int entity_order_amend(apply_t *a, const ProtobufCMessage *req, err_t *err)
{
    const Ledger__OrderAmend *r = (const void *)req;
    return s_amend_one(a, KIND_ORDER, s_msg(r->order), "order",
                       r->_expected_version_case != 0, r->expected_version, err);
}

/* s_record - the kind and message a Record holds; field names its path */
static ProtobufCMessage *s_record(const Ledger__Record *r, entity_kind_t *kind, const char **field,
                                  err_t *err)
{
    if (!r || r->kind_case == LEDGER__RECORD__KIND__NOT_SET) {
        err_set(err, ERR(MISSING), "record", "say which kind of record");
        return NULL;
    }
    *kind = (entity_kind_t)(r->kind_case - 1);   /* Record field k+1 is kind k */
    *field = store_kind_name(*kind);
    return (ProtobufCMessage *)r->staff;         /* a union: one pointer for every case */
}

int entity_record_add(apply_t *a, const ProtobufCMessage *req, err_t *err)
{
    const Ledger__RecordAdd *r = (const void *)req;
    entity_kind_t kind;
    const char *field;
    ProtobufCMessage *m = s_record(r->record, &kind, &field, err);
    return m ? s_add_one(a, kind, m, field, err) : -1;
}

int entity_record_amend(apply_t *a, const ProtobufCMessage *req, err_t *err)
{
    const Ledger__RecordAmend *r = (const void *)req;
    entity_kind_t kind;
    const char *field;
    ProtobufCMessage *m = s_record(r->record, &kind, &field, err);
    return m ? s_amend_one(a, kind, m, field, r->_expected_version_case != 0,
                           r->expected_version, err) : -1;
}

#define BATCH_MAX 100000   /* items in one all-or-nothing request */

/* s_batch - add every record or none: dispatch rolls back the request's
 * nested transaction when one fails. field(i) names item i in errors. */
typedef ProtobufCMessage *(*batch_item_fn)(const void *req, size_t i, entity_kind_t *kind,
                                           const char **name, err_t *err);

static int s_batch(apply_t *a, size_t n, batch_item_fn item, const void *req, const char *field,
                   err_t *err)
{
    if (n == 0)
        return err_set(err, ERR(MISSING), field, "a batch needs at least one item");
    if (n > BATCH_MAX)
        return err_set(err, ERR(OUT_OF_RANGE), field, "a batch has at most %d items, got %zu",
                       BATCH_MAX, n);
    Ledger__WriteReply *items = xcalloc(n, sizeof *items);
    Ledger__WriteReply **ptrs = xcalloc(n, sizeof *ptrs);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        char path[64];
        entity_kind_t kind;
        const char *name = NULL;
        uint64_t seq;
        ProtobufCMessage *m = item(req, i, &kind, &name, err);
        snprintf(path, sizeof path, "%s[%zu]%s%s", field, i, name ? "." : "", name ? name : "");
        if (!m || s_add(a, kind, m, &seq, err) < 0) {
            err_prefix_field(err, path);
            rc = -1;
            break;
        }
        const kind_ops_t *ops = s_kind_ops(kind);
        ledger__write_reply__init(&items[i]);
        items[i].id = FIELD(m, ops->off_id, uint64_t);
        items[i].code = FIELD(m, ops->off_code, char *);
        items[i].version = 1;
        items[i].seq = seq;
        ptrs[i] = &items[i];
    }
    if (rc == 0) {
        Ledger__BatchReply rep = LEDGER__BATCH_REPLY__INIT;
        rep.n_items = n;
        rep.items = ptrs;
        apply_reply(a, &rep.base);
    }
    free(items);
    free(ptrs);
    return rc;
}

static ProtobufCMessage *s_order_item(const void *req, size_t i, entity_kind_t *kind,
                                      const char **name, err_t *err)
{
    *kind = KIND_ORDER;
    return &((const Ledger__OrderBatch *)req)->orders[i]->base;
}

static ProtobufCMessage *s_record_item(const void *req, size_t i, entity_kind_t *kind,
                                       const char **name, err_t *err)
{
    return s_record(((const Ledger__RecordBatch *)req)->records[i], kind, name, err);
}

/* entity_order_batch - many orders, all or nothing */
int entity_order_batch(apply_t *a, const ProtobufCMessage *req, err_t *err)
{
    const Ledger__OrderBatch *r = (const void *)req;
    return s_batch(a, r->n_orders, s_order_item, r, "orders", err);
}

/* entity_record_batch - many records of any kinds, all or nothing */
int entity_record_batch(apply_t *a, const ProtobufCMessage *req, err_t *err)
{
    const Ledger__RecordBatch *r = (const void *)req;
    return s_batch(a, r->n_records, s_record_item, r, "records", err);
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

/* s_kind_of - EntityKind k is entity kind k - 1 (both follow Record) */
static int s_kind_of(Ledger__EntityKind k, entity_kind_t *out, err_t *err)
{
    if (k == LEDGER__ENTITY_KIND__ENTITY_UNSPECIFIED)
        return err_set(err, ERR(MISSING), "kind", "say which kind of record");
    *out = (entity_kind_t)(k - 1);
    return 0;
}

/* s_contact_read - contact details go to the owning branch (authorise.c
 * has refused the others) and admin, and each such read is put on record
 * as a "contact.read" event before the reply leaves: the batch commits it
 * (a->wrote), though get is a read. Everyone else gets the customer without
 * them. */
static int s_contact_read(apply_t *a, Ledger__Customer *c, err_t *err)
{
    if (!c->contact)
        return 0;
    if (a->who.kind != ROLE_ADMIN && a->who.kind != ROLE_BRANCH) {
        ledger__contact__free_unpacked(c->contact, NULL);
        c->contact = NULL;
        return 0;
    }
    Ledger__ContactRead cr = LEDGER__CONTACT_READ__INIT;
    uint64_t id = c->id;
    char *code = c->code;
    cr.n_customer_ids = cr.n_customer_codes = 1;
    cr.customer_ids = &id;
    cr.customer_codes = &code;
    Ledger__Event ev = LEDGER__EVENT__INIT;
    ev.kind = "contact.read";
    ev.entity_id = c->id;
    ev.entity_code = c->code;
    ev.body_case = LEDGER__EVENT__BODY_CONTACT_READ;
    ev.contact_read = &cr;
    if (eventlog_append(a, &ev, err) < 0)
        return -1;
    a->wrote = 1;
    return 0;
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
    if (kind == KIND_CUSTOMER && s_contact_read(a, (Ledger__Customer *)m, err) < 0) {
        protobuf_c_message_free_unpacked(m, NULL);
        return -1;
    }
    Ledger__GetReply rep = LEDGER__GET_REPLY__INIT;
    rep.record_case = (Ledger__GetReply__RecordCase)(kind + 1);   /* numbered as Record */
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
                          list_plan_t *p, uint64_t *customer_id, uint64_t *order_id,
                          int64_t *from, int64_t *to, err_t *err)
{
    store_t *s = a->store;
    const kind_ops_t *ops = s_kind_ops(kind);
    *customer_id = 0;
    *order_id = 0;
    *from = INT64_MIN;
    *to = INT64_MAX;
    memset(p, 0, sizeof *p);
    p->dbi = s->data[kind];
    p->by_id = 1;
    p->hi_len = 8;
    memset(p->hi, 0xff, 8);
    if (validate_text(r->branch, "branch", 0, BRANCH_MAX, err) < 0)
        return -1;
    if (*r->branch && !ops->off_branch)
        return err_set(err, ERR(INVALID), "branch", "%s records have no branch",
                       store_kind_name(kind));
    if (kind != KIND_ORDER) {   /* other kinds: filters checked record by record */
        if (*r->from_date || *r->to_date)
            return err_set(err, ERR(INVALID), *r->from_date ? "from_date" : "to_date",
                           "only orders are filtered by date");
        if (*r->customer_code && !ops->off_customer_id)
            return err_set(err, ERR(INVALID), "customer_code", "%s records have no customer",
                           store_kind_name(kind));
        if (*r->order_code && !ops->off_order_id)
            return err_set(err, ERR(INVALID), "order_code", "%s records have no order",
                           store_kind_name(kind));
        if (*r->customer_code &&
            !(*customer_id = store_code_id(s, a->txn, KIND_CUSTOMER, r->customer_code)))
            return err_set(err, ERR(NOT_FOUND), "customer_code", "no customer with code %s",
                           r->customer_code);
        if (*r->order_code && !(*order_id = store_code_id(s, a->txn, KIND_ORDER, r->order_code)))
            return err_set(err, ERR(NOT_FOUND), "order_code", "no order with code %s",
                           r->order_code);
        return 0;
    }
    if (*r->order_code)
        return err_set(err, ERR(INVALID), "order_code", "orders are not filtered by order");
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

/* s_list_keeps - the filters an index did not already apply */
static int s_list_keeps(entity_kind_t kind, const ProtobufCMessage *m, const char *branch,
                        uint64_t customer_id, uint64_t order_id)
{
    const kind_ops_t *ops = s_kind_ops(kind);
    if (*branch && strcmp(FIELD(m, ops->off_branch, char *), branch) != 0)
        return 0;
    if (kind == KIND_ORDER)   /* its customer filter is its index */
        return 1;
    return (!customer_id || FIELD(m, ops->off_customer_id, uint64_t) == customer_id) &&
           (!order_id || FIELD(m, ops->off_order_id, uint64_t) == order_id);
}

int entity_list(apply_t *a, const ProtobufCMessage *req, err_t *err)
{
    const Ledger__List *r = (const void *)req;
    entity_kind_t kind = KIND_STAFF;
    list_plan_t p;
    uint64_t customer_id, order_id;
    int64_t from, to;
    if (s_kind_of(r->kind, &kind, err) < 0 ||
        s_list_filters(a, r, kind, &p, &customer_id, &order_id, &from, &to, err) < 0)
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
        if (!s_list_keeps(kind, m, r->branch, customer_id, order_id)) {
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
    Ledger__Record *wrap = NULL;
    Ledger__Record **wraps = NULL;
    if (kind == KIND_STAFF)
        rep.staff = (Ledger__Staff **)recs, rep.n_staff = n;
    else if (kind == KIND_CUSTOMER)
        rep.customers = (Ledger__Customer **)recs, rep.n_customers = n;
    else if (kind == KIND_ORDER)
        rep.orders = (Ledger__Order **)recs, rep.n_orders = n;
    else {   /* the kinds of record.proto come wrapped in Record */
        wrap = xcalloc(n ? n : 1, sizeof *wrap);
        wraps = xcalloc(n ? n : 1, sizeof *wraps);
        for (size_t i = 0; i < n; i++) {
            ledger__record__init(&wrap[i]);
            wrap[i].kind_case = (Ledger__Record__KindCase)(kind + 1);
            wrap[i].staff = (Ledger__Staff *)recs[i];   /* a union */
            wraps[i] = &wrap[i];
        }
        rep.records = wraps;
        rep.n_records = n;
    }
    if (more) {
        rep.next_page_token.data = last;
        rep.next_page_token.len = last_len;
    }
    apply_reply(a, &rep.base);
    for (size_t i = 0; i < n; i++)
        protobuf_c_message_free_unpacked(recs[i], NULL);
    free(recs);
    free(wrap);
    free(wraps);
    return 0;
}
