/* batch - the commission worker's working set for one batch (see batch.h).
 * Records are decoded once per batch and written back at its end when
 * changed; each is allocated alone, so a rec_t * stays valid while more
 * are read. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "batch.h"
#include "codec.h"
#include "date.h"
#include "hash.h"
#include "log.h"
#include "money.h"
#include "xmalloc.h"

/* batch_month - the local month of a time, "YYYY-MM" */
const char *batch_month(char out[8], int64_t ms)
{
    date_t d = date_of(ms);
    snprintf(out, 8, "%04d-%02d", d.y, d.m);
    return out;
}

/* batch_next_month - the month after "YYYY-MM" ("" gives "") */
const char *batch_next_month(char out[8], const char *month)
{
    int y, m;
    if (sscanf(month, "%4d-%2d", &y, &m) != 2) {
        out[0] = 0;
        return out;
    }
    snprintf(out, 8, "%04d-%02d", m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1);
    return out;
}

/* batch_prev_month - the month before "YYYY-MM" */
const char *batch_prev_month(char out[8], const char *month)
{
    int y, m;
    sscanf(month, "%4d-%2d", &y, &m);
    snprintf(out, 8, "%04d-%02d", m == 1 ? y - 1 : y, m == 1 ? 12 : m - 1);
    return out;
}

/* batch_person - "staff:S-1": a person's key part */
const char *batch_person(char *out, size_t n, const Ledger__PartyRef *p)
{
    snprintf(out, n, "%s:%s", p->kind == LEDGER__PARTY_KIND__PARTY_PARTNER ? "partner" : "staff",
             p->code);
    return out;
}

/* batch_copy - an owned deep copy of msg (which may hold borrowed pointers) */
ProtobufCMessage *batch_copy(const ProtobufCMessage *msg)
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

/* batch_same - two messages pack to the same bytes */
int batch_same(const ProtobufCMessage *a, const ProtobufCMessage *b)
{
    uint8_t *x, *y;
    size_t nx = codec_pack(a, &x), ny = codec_pack(b, &y);
    int same = nx == ny && memcmp(x, y, nx) == 0;
    free(x);
    free(y);
    return same;
}

/* s_slot - where key's index entry is, or would go */
static size_t *s_slot(batch_t *b, const char *key)
{
    size_t mask = b->index_cap - 1, i = (size_t)hash_text(key) & mask;
    while (b->index[i] && strcmp(b->recs[b->index[i] - 1]->key, key) != 0)
        i = (i + 1) & mask;
    return &b->index[i];
}

/* batch_rec - the record under key, decoded (needed from ledgerd if not yet
 * read); NULL with b->err when it could not be read */
rec_t *batch_rec(batch_t *b, const char *key, const ProtobufCMessageDescriptor *desc)
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

/* batch_replace - put an owned new message in the record's place */
void batch_replace(rec_t *r, ProtobufCMessage *m)
{
    protobuf_c_message_free_unpacked(r->msg, NULL);
    r->msg = m;
    r->dirty = 1;
}

/* batch_need - read many records at once (one state.get) */
int batch_need(batch_t *b, char **keys, size_t n)
{
    return worker_state_need(b->state, (const char *const *)keys, n, b->err);
}

/* batch_policy - the version in force for month: its own latest, else the
 * latest earlier month's, else the built-in default */
const Ledger__PolicyVersion *batch_policy(batch_t *b, const char *month)
{
    const Ledger__PolicyVersion *best = &b->fallback;
    for (size_t i = 0; i < b->book->n_versions; i++) {
        const Ledger__PolicyVersion *v = b->book->versions[i];
        if (strcmp(v->month, month) <= 0)
            best = v;   /* the book is in (month, version) order */
    }
    return best;
}

int batch_index_order(batch_t *b, const char *month, uint64_t id)
{
    char key[32];
    snprintf(key, sizeof key, "pm:%s", month);
    rec_t *r = batch_rec(b, key, &ledger__month_index__descriptor);
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

/* batch_index_person - p into the people of index "<prefix>:<month>" */
int batch_index_person(batch_t *b, const char *prefix, const char *month,
                       const Ledger__PartyRef *p)
{
    char key[32];
    snprintf(key, sizeof key, "%s:%s", prefix, month);
    rec_t *r = batch_rec(b, key, &ledger__month_index__descriptor);
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
    ProtobufCMessage *copy = batch_copy(&shell.base);
    free(people);
    batch_replace(r, copy);
    return 0;
}

/* batch_open_month - the first month whose statements are open */
const char *batch_open_month(batch_t *b, char out[8])
{
    if (*b->cal->last_closed)
        return batch_next_month(out, b->cal->last_closed);
    snprintf(out, 8, "0000-00");
    return out;
}

const char *batch_order_key(char *out, size_t n, uint64_t id)
{
    snprintf(out, n, "o:%" PRIu64, id);
    return out;
}
