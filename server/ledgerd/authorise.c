/* authorise - the one place that decides who may do what (DESIGN.md,
 * Identity and Security). The caller is its CURVE key's role (a->who):
 *
 *   admin          everything
 *   branch:<code>  its own branch's staff, customers, orders and the records
 *                  that hang off them, read and written; results about
 *                  them; the catalog (products, sources) read only
 *   worker:<kind>  reads everything but contacts; writes back only under
 *                  its own cursor and state names and its own result kinds
 *   finance        reads everything but contacts; follows the log under a
 *                  "finance:" cursor; records finance entries (payouts) and
 *                  closes months
 *
 * Only admin sets policies, the clock, keys, and takes backups. A record's
 * branch is its own branch field, else its order's, its customer's or its
 * staff member's (payments, shipments, refunds, service events, posts); a
 * record with none is the company's: read by all, written by admin. A
 * refusal is FORBIDDEN naming the field, with a sentence saying why. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "authorise.h"
#include "compliance.pb-c.h"
#include "frame.h"
#include "store.h"
#include "xmalloc.h"

/* The result kinds each worker writes (docs/PROTOCOL.md 8.6-8.9). */
static const struct { const char *worker; const char *const kinds[8]; } s_results[] = {
    { "attribution", { "attribution.", NULL } },
    { "commission", { "commission.", "statement.", "distributor.", "pool.", NULL } },
    { "compliance", { "compliance.", NULL } },
    { "reconciliation", { "close.", "recon.", "recovery.", "profit.", NULL } },
};

static int s_forbid(err_t *err, const char *field, const char *why, const char *role)
{
    return err_set(err, ERR(FORBIDDEN), field, "%s (the key's role is %s)", why, role);
}

static const ProtobufCFieldDescriptor *s_field(const ProtobufCMessage *m, const char *name)
{
    const ProtobufCFieldDescriptor *fd =
        protobuf_c_message_descriptor_get_field_by_name(m->descriptor, name);
    return fd && fd->label != PROTOBUF_C_LABEL_REPEATED ? fd : NULL;
}

/* s_str, s_id - a record's text or id field by name; NULL or 0 when it has none */
static const char *s_str(const ProtobufCMessage *m, const char *name)
{
    const ProtobufCFieldDescriptor *fd = s_field(m, name);
    return fd && fd->type == PROTOBUF_C_TYPE_STRING ? *(char *const *)((const char *)m + fd->offset)
                                                    : NULL;
}

static uint64_t s_id(const ProtobufCMessage *m, const char *name)
{
    const ProtobufCFieldDescriptor *fd = s_field(m, name);
    return fd && fd->type == PROTOBUF_C_TYPE_UINT64 ? *(const uint64_t *)((const char *)m + fd->offset)
                                                    : 0;
}

/* s_owner_branch - the branch of the stored record of kind found by code
 * or id, into out ("" when there is none) */
static void s_owner_branch(apply_t *a, entity_kind_t kind, const char *code, uint64_t id,
                           char out[BRANCH_TEXT])
{
    out[0] = '\0';
    if (!id && code && *code)
        id = store_code_id(a->store, a->txn, kind, code);
    if (!id)
        return;
    err_t err;
    ProtobufCMessage *m = store_entity_get(a->store, a->txn, kind, id, &err);
    if (!m)
        return;
    const char *b = s_str(m, "branch");
    snprintf(out, BRANCH_TEXT, "%s", b ? b : "");
    protobuf_c_message_free_unpacked(m, NULL);
}

void authorise_branch_of(apply_t *a, const ProtobufCMessage *m, char out[BRANCH_TEXT])
{
    const char *b = s_str(m, "branch");
    if (b) {
        snprintf(out, BRANCH_TEXT, "%s", b);
        return;
    }
    static const struct { const char *code, *id; entity_kind_t kind; } refs[] = {
        { "order_code", "order_id", KIND_ORDER },
        { "customer_code", "customer_id", KIND_CUSTOMER },
        { "staff_code", "staff_id", KIND_STAFF },
    };
    for (size_t i = 0; i < sizeof refs / sizeof *refs; i++) {
        const char *code = s_str(m, refs[i].code);
        uint64_t id = s_id(m, refs[i].id);
        if ((code && *code) || id) {
            s_owner_branch(a, refs[i].kind, code, id, out);
            return;
        }
    }
    out[0] = '\0';
}

/* s_write_one - a branch writes m (of kind) only when it is its branch's,
 * and an amend only a record that is its branch's now */
static int s_write_one(apply_t *a, entity_kind_t kind, const ProtobufCMessage *m, int amend,
                       const char *field, err_t *err)
{
    char b[BRANCH_TEXT];
    if (a->who.kind == ROLE_FINANCE) {
        if (kind == KIND_ENTRY)
            return 0;
        return s_forbid(err, field, "the finance desk records finance entries only", a->role);
    }
    authorise_branch_of(a, m, b);
    if (strcmp(b, a->who.arg) != 0)
        return s_forbid(err, field, *b ? "this record belongs to another branch"
                                       : "this record belongs to no branch: an admin keeps it",
                        a->role);
    if (amend) {
        s_owner_branch(a, kind, s_str(m, "code"), s_id(m, "id"), b);
        if (*b && strcmp(b, a->who.arg) != 0)
            return s_forbid(err, field, "the stored record belongs to another branch", a->role);
    }
    return 0;
}

/* s_record - Record field k + 1 holds kind k (record.proto) */
static int s_record(apply_t *a, const Ledger__Record *r, int amend, const char *field, err_t *err)
{
    if (!r || r->kind_case == LEDGER__RECORD__KIND__NOT_SET)
        return 0;   /* the handler says what is missing */
    return s_write_one(a, (entity_kind_t)(r->kind_case - 1), (const ProtobufCMessage *)r->staff,
                       amend, field, err);
}

static int s_writes(apply_t *a, uint8_t type, const ProtobufCMessage *msg, err_t *err)
{
    if (a->who.kind == ROLE_WORKER)
        return s_forbid(err, "", "a worker writes its results back, never records", a->role);
    char field[48];
    switch (type) {
    case FRAME_STAFF_ADD: case FRAME_STAFF_AMEND: {
        const Ledger__StaffAdd *r = (const void *)msg;   /* StaffAmend starts alike */
        return r->staff ? s_write_one(a, KIND_STAFF, &r->staff->base, type == FRAME_STAFF_AMEND,
                                      "staff.branch", err) : 0;
    }
    case FRAME_CUSTOMER_ADD: case FRAME_CUSTOMER_AMEND: {
        const Ledger__CustomerAdd *r = (const void *)msg;
        return r->customer ? s_write_one(a, KIND_CUSTOMER, &r->customer->base,
                                         type == FRAME_CUSTOMER_AMEND, "customer.branch", err) : 0;
    }
    case FRAME_ORDER_ADD: case FRAME_ORDER_AMEND: {
        const Ledger__OrderAdd *r = (const void *)msg;
        return r->order ? s_write_one(a, KIND_ORDER, &r->order->base, type == FRAME_ORDER_AMEND,
                                      "order.branch", err) : 0;
    }
    case FRAME_ORDER_BATCH: {
        const Ledger__OrderBatch *r = (const void *)msg;
        for (size_t i = 0; i < r->n_orders; i++) {
            snprintf(field, sizeof field, "orders[%zu].branch", i);
            if (s_write_one(a, KIND_ORDER, &r->orders[i]->base, 0, field, err) < 0)
                return -1;
        }
        return 0;
    }
    case FRAME_RECORD_ADD: case FRAME_RECORD_AMEND: {
        const Ledger__RecordAdd *r = (const void *)msg;
        return s_record(a, r->record, type == FRAME_RECORD_AMEND, "record", err);
    }
    case FRAME_RECORD_BATCH: {
        const Ledger__RecordBatch *r = (const void *)msg;
        for (size_t i = 0; i < r->n_records; i++) {
            snprintf(field, sizeof field, "records[%zu]", i);
            if (s_record(a, r->records[i], 0, field, err) < 0)
                return -1;
        }
        return 0;
    }
    }
    return 0;
}

/* s_get - a branch reads its branch's records and the company's */
static int s_get(apply_t *a, const Ledger__Get *r, err_t *err)
{
    if (r->kind == LEDGER__ENTITY_KIND__ENTITY_UNSPECIFIED || (int)r->kind > KIND_COUNT)
        return 0;   /* the handler says what is wrong */
    entity_kind_t kind = (entity_kind_t)(r->kind - 1);
    uint64_t id = r->id ? r->id : store_code_id(a->store, a->txn, kind, r->code);
    if (!id)
        return 0;   /* NOT_FOUND, from the handler */
    err_t e;
    ProtobufCMessage *m = store_entity_get(a->store, a->txn, kind, id, &e);
    if (!m)
        return 0;
    char b[BRANCH_TEXT];
    authorise_branch_of(a, m, b);
    protobuf_c_message_free_unpacked(m, NULL);
    if (*b && strcmp(b, a->who.arg) != 0)
        return s_forbid(err, r->id ? "id" : "code", "this record belongs to another branch",
                        a->role);
    return 0;
}

/* s_list - a branch lists its own branch: the filter is set for it when
 * absent; records without a branch of their own need an order or customer
 * of its branch as their filter */
static int s_list(apply_t *a, Ledger__List *r, err_t *err)
{
    if (r->kind == LEDGER__ENTITY_KIND__ENTITY_UNSPECIFIED || (int)r->kind > KIND_COUNT)
        return 0;
    entity_kind_t kind = (entity_kind_t)(r->kind - 1);
    if (kind == KIND_PRODUCT || kind == KIND_SOURCE)
        return 0;   /* the catalog */
    const ProtobufCMessageDescriptor *d = store_kind_descriptor(kind);
    if (protobuf_c_message_descriptor_get_field_by_name(d, "branch")) {
        if (*r->branch && strcmp(r->branch, a->who.arg) != 0)
            return s_forbid(err, "branch", "a branch lists its own records only", a->role);
        if (!*r->branch) {   /* the filter set for it: a string the message may free */
            const ProtobufCFieldDescriptor *fd =
                protobuf_c_message_descriptor_get_field_by_name(&ledger__list__descriptor, "branch");
            if (r->branch != fd->default_value)
                free(r->branch);
            r->branch = xstrdup(a->who.arg);
        }
        return 0;
    }
    char b[BRANCH_TEXT] = "";
    if (*r->order_code)
        s_owner_branch(a, KIND_ORDER, r->order_code, 0, b);
    else if (*r->customer_code)
        s_owner_branch(a, KIND_CUSTOMER, r->customer_code, 0, b);
    else
        return s_forbid(err, "order_code", "a branch lists these records by an order "
                        "(order_code) or customer (customer_code) of its own", a->role);
    if (strcmp(b, a->who.arg) != 0)
        return s_forbid(err, *r->order_code ? "order_code" : "customer_code",
                        "that belongs to another branch", a->role);
    return 0;
}

/* s_key_branch - does a result key speak of this branch? "<branch>@...",
 * "<branch>/...", or a code of its order, customer or staff member before
 * the first '@' or '/' ("staff:" dropped): closes, pools, team findings,
 * attributions and statements */
static int s_key_ours(apply_t *a, const char *key)
{
    const char *br = a->who.arg;
    size_t n = strlen(br);
    if (!strncmp(key, br, n) && (key[n] == '@' || key[n] == '/'))
        return 1;
    if (!strncmp(key, "staff:", 6))
        key += 6;
    char code[64];
    size_t len = strcspn(key, "@/");
    if (len == 0 || len >= sizeof code)
        return 0;
    memcpy(code, key, len);
    code[len] = '\0';
    static const entity_kind_t kinds[] = { KIND_ORDER, KIND_CUSTOMER, KIND_STAFF };
    for (size_t i = 0; i < 3; i++) {
        char b[BRANCH_TEXT];
        s_owner_branch(a, kinds[i], code, 0, b);
        if (*b)
            return strcmp(b, br) == 0;
    }
    return 0;
}

/* s_name_ours - cursor and state names "<kind>:..." belong to that worker
 * kind, "finance:..." to the finance desk; a caller may use its own and
 * those that belong to no one (a worker's --name for a check replay) */
static int s_name_ours(apply_t *a, const char *name)
{
    static const char *const owners[] = { "attribution", "commission", "compliance",
                                          "reconciliation", "finance", NULL };
    const char *mine = a->who.kind == ROLE_FINANCE ? "finance" : a->who.arg;
    size_t len = strcspn(name, ":");
    if (!name[len])
        return 1;
    for (const char *const *o = owners; *o; o++)
        if (strlen(*o) == len && !strncmp(name, *o, len))
            return !strcmp(*o, mine);
    return 1;
}

static int s_write_back(apply_t *a, const Ledger__WriteBack *r, err_t *err)
{
    if (!s_name_ours(a, r->cursor))
        return s_forbid(err, "cursor", "a cursor of another worker kind", a->role);
    if (r->n_states && !s_name_ours(a, r->state_owner))
        return s_forbid(err, "state_owner", "state of another worker kind", a->role);
    for (size_t i = 0; i < r->n_results; i++) {
        const char *kind = r->results[i] ? r->results[i]->kind : "";
        int ok = 0;
        for (size_t w = 0; a->who.kind == ROLE_WORKER && w < sizeof s_results / sizeof *s_results; w++)
            if (!strcmp(s_results[w].worker, a->who.arg))
                for (const char *const *k = s_results[w].kinds; *k; k++)
                    ok |= !strncmp(kind, *k, strlen(*k));
        if (!ok) {
            char field[48];
            snprintf(field, sizeof field, "results[%zu].kind", i);
            return s_forbid(err, field, "results of a kind this worker does not compute",
                            a->role);
        }
    }
    return 0;
}

/* s_finding - a branch acknowledges and resolves its own branch's findings */
static int s_finding(apply_t *a, const Ledger__FindingStatusSet *r, err_t *err)
{
    if (a->who.kind != ROLE_BRANCH)
        return s_forbid(err, "", "findings are acknowledged by their branch or an admin", a->role);
    if (!r->change || !*r->change->finding)
        return 0;
    uint8_t key[300];
    if (strlen(r->change->finding) > 200)
        return 0;
    size_t n = store_pair_key(key, "compliance.finding", r->change->finding);
    MDB_val v;
    if (store_get(a->txn, a->store->results, key, n, &v, NULL) != 0)
        return 0;   /* NOT_FOUND, from the handler */
    Ledger__Result *res = ledger__result__unpack(NULL, v.mv_size, v.mv_data);
    Ledger__Finding *f = res ? ledger__finding__unpack(NULL, res->payload.len, res->payload.data)
                             : NULL;
    int ours = f && !strcmp(f->branch, a->who.arg);
    if (f)
        ledger__finding__free_unpacked(f, NULL);
    if (res)
        ledger__result__free_unpacked(res, NULL);
    return ours ? 0 : s_forbid(err, "change.finding", "a finding of another branch", a->role);
}

int authorise(apply_t *a, uint8_t type, ProtobufCMessage *msg, err_t *err)
{
    role_kind_t role = a->who.kind;
    if (role == ROLE_ADMIN || type == FRAME_HELLO || type == FRAME_POLICY_GET)
        return 0;
    switch (type) {
    case FRAME_CLOCK_SET: case FRAME_POLICY_SET: case FRAME_BACKUP:
    case FRAME_KEY_ADD: case FRAME_KEY_REVOKE: case FRAME_KEY_LIST:
        return s_forbid(err, "", "only an admin key may do this", a->role);
    case FRAME_STAFF_ADD: case FRAME_STAFF_AMEND: case FRAME_CUSTOMER_ADD:
    case FRAME_CUSTOMER_AMEND: case FRAME_ORDER_ADD: case FRAME_ORDER_AMEND:
    case FRAME_ORDER_BATCH: case FRAME_RECORD_ADD: case FRAME_RECORD_AMEND:
    case FRAME_RECORD_BATCH:
        return s_writes(a, type, msg, err);
    case FRAME_GET:
        return role == ROLE_BRANCH ? s_get(a, (const Ledger__Get *)msg, err) : 0;
    case FRAME_LIST:
        return role == ROLE_BRANCH ? s_list(a, (Ledger__List *)msg, err) : 0;
    case FRAME_REPLAY:
        return role == ROLE_BRANCH
            ? s_forbid(err, "", "the log holds every branch's records; a branch reads its own "
                       "with get and list", a->role) : 0;
    case FRAME_RESULT_GET:
        if (role == ROLE_BRANCH && !s_key_ours(a, ((const Ledger__ResultGet *)msg)->key))
            return s_forbid(err, "key", "a result about another branch, or about no branch",
                            a->role);
        return 0;
    case FRAME_RESULT_LIST: {
        const Ledger__ResultList *r = (const void *)msg;
        size_t n = strlen(a->who.arg);
        if (role == ROLE_BRANCH && !(!strncmp(r->key_prefix, a->who.arg, n) &&
                                     (r->key_prefix[n] == '@' || r->key_prefix[n] == '/')))
            return s_forbid(err, "key_prefix", "a branch lists results under its own prefix "
                            "(\"<branch>@\" or \"<branch>/\")", a->role);
        return 0;
    }
    case FRAME_CURSOR_GET:
        if (role == ROLE_BRANCH || !s_name_ours(a, ((const Ledger__CursorGet *)msg)->name))
            return s_forbid(err, "name", "a cursor of another worker kind", a->role);
        return 0;
    case FRAME_STATE_GET:
        if (role == ROLE_BRANCH || !s_name_ours(a, ((const Ledger__StateGet *)msg)->owner))
            return s_forbid(err, "owner", "state of another worker kind", a->role);
        return 0;
    case FRAME_WRITE_BACK:
        if (role == ROLE_BRANCH)
            return s_forbid(err, "cursor", "only workers and the finance desk write back",
                            a->role);
        return s_write_back(a, (const Ledger__WriteBack *)msg, err);
    case FRAME_MONTH_CLOSE:
        return role == ROLE_FINANCE ? 0
            : s_forbid(err, "", "months are closed by the finance desk or an admin", a->role);
    case FRAME_FINDING_STATUS:
        return s_finding(a, (const Ledger__FindingStatusSet *)msg, err);
    }
    return s_forbid(err, "", "this request is not open to this key", a->role);
}
