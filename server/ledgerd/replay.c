/* replay - pages of the event log for followers, filtered by kind and
 * partition. The stored event bytes go into the reply as they are: the
 * reply is written as protobuf wire bytes directly, so an event is never
 * unpacked and packed again on the way out. */
#include <stdlib.h>
#include <string.h>
#include "eventlog.h"
#include "follow.h"
#include "partition.h"
#include "xmalloc.h"

#define REPLAY_MAX_EVENTS   10000
#define REPLAY_SCAN_MAX     100000
#define REPLAY_MAX_BYTES    (8u << 20)

typedef struct { uint8_t *p; size_t len, cap; } wbuf_t;

static void s_reserve(wbuf_t *b, size_t n)
{
    if (b->len + n <= b->cap)
        return;
    while (b->cap < b->len + n)
        b->cap = b->cap ? b->cap * 2 : 4096;
    b->p = xrealloc(b->p, b->cap);
}

static void s_varint(wbuf_t *b, uint64_t v)
{
    s_reserve(b, 10);
    do {
        uint8_t c = v & 0x7f;
        v >>= 7;
        b->p[b->len++] = c | (v ? 0x80 : 0);
    } while (v);
}

static int s_read_varint(const uint8_t *p, size_t len, size_t *pos, uint64_t *out)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 64 && *pos < len; shift += 7) {
        uint8_t c = p[(*pos)++];
        v |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80))
            return *out = v, 0;
    }
    return -1;
}

/* s_peek - kind (field 3) and partition_key (field 8) of a packed Event */
static void s_peek(const uint8_t *p, size_t len, const char **kind, size_t *kind_len,
                   uint64_t *pkey)
{
    size_t pos = 0;
    *kind = "";
    *kind_len = 0;
    *pkey = 0;
    while (pos < len) {
        uint64_t tag, v;
        if (s_read_varint(p, len, &pos, &tag) < 0)
            return;
        switch (tag & 7) {
        case 0:
            if (s_read_varint(p, len, &pos, &v) < 0)
                return;
            if (tag >> 3 == 8)
                *pkey = v;
            break;
        case 1: pos += 8; break;
        case 5: pos += 4; break;
        case 2:
            if (s_read_varint(p, len, &pos, &v) < 0 || v > len - pos)
                return;
            if (tag >> 3 == 3) {
                *kind = (const char *)p + pos;
                *kind_len = v;
            }
            pos += v;
            break;
        default:
            return;
        }
    }
}

int replay_read(apply_t *a, const ProtobufCMessage *req, err_t *err)
{
    const Ledger__Replay *r = (const void *)req;
    if (r->max_events > REPLAY_MAX_EVENTS)
        return err_set(err, ERR(OUT_OF_RANGE), "max_events", "at most %d events a page",
                       REPLAY_MAX_EVENTS);
    if (r->n_kinds > 64)
        return err_set(err, ERR(OUT_OF_RANGE), "kinds", "at most 64 kinds, got %zu", r->n_kinds);
    for (size_t i = 0; i < r->n_kinds; i++) {
        size_t n = strlen(r->kinds[i]);
        if (n == 0 || n > 48)
            return err_set(err, ERR(OUT_OF_RANGE), "kinds", "kinds[%zu] must be 1 to 48 bytes", i);
    }
    if (r->partition_count && r->partition_index >= r->partition_count)
        return err_set(err, ERR(OUT_OF_RANGE), "partition_index",
                       "partition %u does not exist among %u", r->partition_index,
                       r->partition_count);
    size_t max = r->max_events ? r->max_events : 1000;
    uint64_t last_seq = a->counters.last_seq, scanned = r->after_seq;
    if (scanned > last_seq)
        scanned = last_seq;

    wbuf_t b = { 0 };
    MDB_cursor *cur;
    int rc = mdb_cursor_open(a->txn, a->store->events, &cur);
    if (rc)
        return store_error(a->store, rc, "replay", err);
    uint8_t key[8];
    store_be64(key, r->after_seq + 1);
    MDB_val k = { 8, key }, v;
    size_t n = 0, looked = 0;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        uint64_t seq = store_get_be64(k.mv_data);
        if (n == max || looked == REPLAY_SCAN_MAX || b.len + v.mv_size > REPLAY_MAX_BYTES)
            break;
        looked++;
        const char *kind;
        size_t kind_len;
        uint64_t pkey;
        s_peek(v.mv_data, v.mv_size, &kind, &kind_len, &pkey);
        int keep = r->n_kinds == 0;
        for (size_t i = 0; i < r->n_kinds && !keep; i++)
            keep = follow_kind_matches(r->kinds[i], kind, kind_len);
        if (keep && partition_matches(pkey, r->partition_index, r->partition_count)) {
            s_varint(&b, 1 << 3 | 2);
            s_varint(&b, v.mv_size);
            s_reserve(&b, v.mv_size);
            memcpy(b.p + b.len, v.mv_data, v.mv_size);
            b.len += v.mv_size;
            n++;
        }
        scanned = seq;
    }
    mdb_cursor_close(cur);
    if (rc != 0 && rc != MDB_NOTFOUND) {
        free(b.p);
        return store_error(a->store, rc, "replay", err);
    }
    s_varint(&b, 2 << 3 | 0);
    s_varint(&b, scanned);
    s_varint(&b, 3 << 3 | 0);
    s_varint(&b, last_seq);
    free(a->reply);
    a->reply = b.p;
    a->reply_len = b.len;
    return 0;
}
