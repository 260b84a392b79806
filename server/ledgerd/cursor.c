/* cursor - workers' cursors, state records and results, and the atomic
 * write-back that moves all three in one compare-and-set.
 *
 * DESIGN. A cursor is the last seq whose effects are fully written. The
 * write-back names the cursor it expects to replace; any other stored value
 * means another (or an older, zombie) instance moved it, and the whole call
 * is refused, so two instances of one partition can never both write.
 * Results are keyed (kind, key) by the worker; the same payload again writes
 * nothing and emits nothing, which is what makes a retried batch harmless. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "eventlog.h"
#include "follow.h"
#include "log.h"
#include "validate.h"
#include "xmalloc.h"

#define STATE_VALUE_MAX (1u << 20)
#define WRITE_BACK_ITEMS_MAX 10000

static uint64_t s_cursor_value(apply_t *a, const char *name)
{
    MDB_val v;
    if (store_get(a->txn, a->store->cursors, name, strlen(name), &v, NULL) != 0 || v.mv_size != 8)
        return 0;
    return store_get_be64(v.mv_data);
}

int cursor_get(apply_t *a, const ProtobufCMessage *req, err_t *err)
{
    const Ledger__CursorGet *r = (const void *)req;
    if (validate_text(r->name, "name", 1, 64, err) < 0)
        return -1;
    Ledger__CursorReply rep = LEDGER__CURSOR_REPLY__INIT;
    rep.name = r->name;
    rep.seq = s_cursor_value(a, r->name);
    apply_reply(a, &rep.base);
    return 0;
}

int cursor_state_get(apply_t *a, const ProtobufCMessage *req, err_t *err)
{
    const Ledger__StateGet *r = (const void *)req;
    char field[32];
    if (validate_text(r->owner, "owner", 1, 64, err) < 0)
        return -1;
    if (r->n_keys > WRITE_BACK_ITEMS_MAX)
        return err_set(err, ERR(OUT_OF_RANGE), "keys", "at most %d keys at once",
                       WRITE_BACK_ITEMS_MAX);
    Ledger__StateRecord *recs = xcalloc(r->n_keys, sizeof *recs);
    Ledger__StateRecord **ptrs = xcalloc(r->n_keys, sizeof *ptrs);
    int rc = 0;
    for (size_t i = 0; i < r->n_keys; i++) {
        snprintf(field, sizeof field, "keys[%zu]", i);
        if ((rc = validate_text(r->keys[i], field, 1, 128, err)) < 0)
            break;
        uint8_t key[64 + 1 + 128];
        size_t klen = store_pair_key(key, r->owner, r->keys[i]);
        MDB_val v;
        ledger__state_record__init(&recs[i]);
        recs[i].key = r->keys[i];
        if (store_get(a->txn, a->store->state, key, klen, &v, NULL) == 0) {
            recs[i].found = 1;
            recs[i].value.data = v.mv_data;   /* valid until the txn ends; packed before */
            recs[i].value.len = v.mv_size;
        }
        ptrs[i] = &recs[i];
    }
    if (rc == 0) {
        Ledger__StateReply rep = LEDGER__STATE_REPLY__INIT;
        rep.records = ptrs;
        rep.n_records = r->n_keys;
        apply_reply(a, &rep.base);
    }
    free(recs);
    free(ptrs);
    return rc;
}

/* s_result_kind_ok - a worker's kind, never one of ledgerd's own */
static int s_result_kind_ok(const char *k)
{
    size_t n = strlen(k);
    if (n < 3 || n > 48 || !strchr(k, '.'))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((k[i] >= 'a' && k[i] <= 'z') || (k[i] >= '0' && k[i] <= '9') || k[i] == '_' ||
              k[i] == '.'))
            return 0;
    static const char *const own[] = { "clock", "policy", "month", "finding", NULL };
    for (const char *const *o = own; *o; o++)
        if (follow_kind_matches(*o, k, n))
            return 0;
    for (int kind = 0; kind < KIND_COUNT; kind++)   /* every record kind's events */
        if (follow_kind_matches(store_kind_name(kind), k, n))
            return 0;
    return 1;
}

/* s_result - store one result; an event only when its payload changed */
static int s_result(apply_t *a, Ledger__Result *res, const char *owner, size_t i,
                    unsigned *changed, unsigned *unchanged, err_t *err)
{
    char field[48];
    snprintf(field, sizeof field, "results[%zu].kind", i);
    if (!s_result_kind_ok(res->kind))
        return err_set(err, ERR(INVALID), field,
                       "a result kind is lowercase, holds a '.', and is not a ledger kind; got \"%s\"",
                       res->kind);
    snprintf(field, sizeof field, "results[%zu].key", i);
    if (validate_text(res->key, field, 1, 128, err) < 0)
        return -1;
    if (res->payload.len > STATE_VALUE_MAX)
        return err_set(err, ERR(OUT_OF_RANGE), field, "a result payload has at most 1 MiB");

    uint8_t key[48 + 1 + 128];
    size_t klen = store_pair_key(key, res->kind, res->key);
    MDB_val v;
    uint64_t version = 1;
    if (store_get(a->txn, a->store->results, key, klen, &v, NULL) == 0) {
        Ledger__Result *old = ledger__result__unpack(NULL, v.mv_size, v.mv_data);
        if (!old)
            log_panic("cursor: stored result %s does not unpack", res->key);
        int same = old->payload.len == res->payload.len &&
                   (!old->payload.len || memcmp(old->payload.data, res->payload.data,
                                                old->payload.len) == 0) &&
                   old->entity_id == res->entity_id && old->partition_key == res->partition_key;
        version = old->version + 1;
        ledger__result__free_unpacked(old, NULL);
        if (same) {
            (*unchanged)++;
            return 0;
        }
    }
    char *saved_owner = res->owner;
    res->owner = (char *)owner;
    res->version = version;
    Ledger__Event ev = LEDGER__EVENT__INIT;
    ev.kind = res->kind;
    ev.entity_id = res->entity_id;
    ev.entity_code = res->key;
    ev.version = version;
    ev.partition_key = res->partition_key;
    ev.body_case = LEDGER__EVENT__BODY_RESULT;
    ev.result = res;
    int rc = store_put_msg(a->store, a->txn, a->store->results, key, klen, &res->base, 0, err);
    if (rc == 0)
        rc = eventlog_append(a, &ev, err);
    res->owner = saved_owner;
    if (rc == 0)
        (*changed)++;
    return rc;
}

/* cursor_write_back - results, state and cursor, or nothing */
int cursor_write_back(apply_t *a, const ProtobufCMessage *req, err_t *err)
{
    const Ledger__WriteBack *r = (const void *)req;
    char field[48];
    if (validate_text(r->cursor, "cursor", 1, 64, err) < 0)
        return -1;
    if (r->n_results + r->n_states > WRITE_BACK_ITEMS_MAX)
        return err_set(err, ERR(OUT_OF_RANGE), "results", "at most %d results and states at once",
                       WRITE_BACK_ITEMS_MAX);
    uint64_t stored = s_cursor_value(a, r->cursor);
    if (stored != r->expected_cursor)
        return err_set(err, ERR(CONFLICT), "expected_cursor",
                       "cursor %s is at %llu, not %llu: another instance owns it", r->cursor,
                       (unsigned long long)stored, (unsigned long long)r->expected_cursor);
    if (r->new_cursor < r->expected_cursor || r->new_cursor > a->counters.last_seq)
        return err_set(err, ERR(OUT_OF_RANGE), "new_cursor",
                       "the new cursor must be from %llu to the last seq %llu, got %llu",
                       (unsigned long long)r->expected_cursor,
                       (unsigned long long)a->counters.last_seq,
                       (unsigned long long)r->new_cursor);
    if (r->n_states && validate_text(r->state_owner, "state_owner", 1, 64, err) < 0)
        return -1;

    unsigned changed = 0, unchanged = 0;
    for (size_t i = 0; i < r->n_results; i++)
        if (s_result(a, r->results[i], r->cursor, i, &changed, &unchanged, err) < 0)
            return -1;
    for (size_t i = 0; i < r->n_states; i++) {
        const Ledger__StateRecord *st = r->states[i];
        snprintf(field, sizeof field, "states[%zu].key", i);
        if (validate_text(st->key, field, 1, 128, err) < 0)
            return -1;
        if (st->value.len > STATE_VALUE_MAX)
            return err_set(err, ERR(OUT_OF_RANGE), field, "a state value has at most 1 MiB");
        uint8_t key[64 + 1 + 128];
        size_t klen = store_pair_key(key, r->state_owner, st->key);
        int rc = st->delete_
            ? store_del(a->txn, a->store->state, key, klen, err)
            : store_put(a->store, a->txn, a->store->state, key, klen, st->value.data,
                        st->value.len, 0, err);
        if (rc < 0)
            return -1;
    }
    uint8_t val[8];
    store_be64(val, r->new_cursor);
    if (store_put(a->store, a->txn, a->store->cursors, r->cursor, strlen(r->cursor), val, 8, 0,
                  err) < 0)
        return -1;
    Ledger__WriteBackReply rep = LEDGER__WRITE_BACK_REPLY__INIT;
    rep.cursor = r->new_cursor;
    rep.results_changed = changed;
    rep.results_unchanged = unchanged;
    apply_reply(a, &rep.base);
    return 0;
}

/* cursor_result_get - one stored result by (kind, key); NOT_FOUND when none */
int cursor_result_get(apply_t *a, const ProtobufCMessage *req, err_t *err)
{
    const Ledger__ResultGet *r = (const void *)req;
    if (validate_text(r->kind, "kind", 1, 48, err) < 0 ||
        validate_text(r->key, "key", 1, 128, err) < 0)
        return -1;
    uint8_t key[48 + 1 + 128];
    size_t klen = store_pair_key(key, r->kind, r->key);
    MDB_val v;
    if (store_get(a->txn, a->store->results, key, klen, &v, NULL) != 0)
        return err_set(err, ERR(NOT_FOUND), "key", "no %s result for %s", r->kind, r->key);
    /* Stored packed: relay the bytes as they are (valid until the txn ends). */
    apply_reply_raw(a, v.mv_data, v.mv_size);
    return 0;
}

#define RESULT_LIST_MAX 1000

/* cursor_result_list - results of one kind in key order, optionally only
 * keys with a prefix; the page token is the last key of the page before */
int cursor_result_list(apply_t *a, const ProtobufCMessage *req, err_t *err)
{
    const Ledger__ResultList *r = (const void *)req;
    if (validate_text(r->kind, "kind", 1, 48, err) < 0 ||
        validate_text(r->key_prefix, "key_prefix", 0, 128, err) < 0)
        return -1;
    if (r->limit > RESULT_LIST_MAX)
        return err_set(err, ERR(OUT_OF_RANGE), "limit", "at most %d results a page, got %u",
                       RESULT_LIST_MAX, r->limit);
    uint8_t lo[48 + 1 + 128];
    size_t lo_len = store_pair_key(lo, r->kind, r->key_prefix);
    if (r->page_token.len && (r->page_token.len < lo_len || r->page_token.len > 48 + 1 + 128 ||
                              memcmp(r->page_token.data, lo, lo_len) != 0))
        return err_set(err, ERR(INVALID), "page_token", "the page token is for another list");
    uint32_t limit = r->limit ? r->limit : 100;
    MDB_cursor *c;
    int rc = mdb_cursor_open(a->txn, a->store->results, &c);
    if (rc)
        return store_error(a->store, rc, "results", err);
    MDB_val k, v;
    k.mv_data = r->page_token.len ? r->page_token.data : lo;
    k.mv_size = r->page_token.len ? r->page_token.len : lo_len;
    rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
    if (rc == 0 && r->page_token.len && k.mv_size == r->page_token.len &&
        memcmp(k.mv_data, r->page_token.data, k.mv_size) == 0)
        rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);   /* the token's own key was on the page before */
    Ledger__Result **results = xcalloc(limit, sizeof *results);
    size_t n = 0;
    int more = 0;
    uint8_t last[48 + 1 + 128];
    size_t last_len = 0;
    for (; rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        if (k.mv_size < lo_len || memcmp(k.mv_data, lo, lo_len) != 0)
            break;   /* past the kind (and prefix) */
        if (n == limit) {
            more = 1;
            break;
        }
        if (!(results[n] = ledger__result__unpack(NULL, v.mv_size, v.mv_data)))
            log_panic("cursor: a stored result does not unpack");
        n++;
        last_len = k.mv_size < sizeof last ? k.mv_size : sizeof last;
        memcpy(last, k.mv_data, last_len);
    }
    mdb_cursor_close(c);
    Ledger__ResultListReply rep = LEDGER__RESULT_LIST_REPLY__INIT;
    rep.results = results;
    rep.n_results = n;
    if (more) {
        rep.next_page_token.data = last;
        rep.next_page_token.len = last_len;
    }
    apply_reply(a, &rep.base);
    for (size_t i = 0; i < n; i++)
        ledger__result__free_unpacked(results[i], NULL);
    free(results);
    return 0;
}
