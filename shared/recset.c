/* recset - a batch's decoded state records (see recset.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "codec.h"
#include "hash.h"
#include "log.h"
#include "recset.h"
#include "xmalloc.h"

ProtobufCMessage *recset_copy(const ProtobufCMessage *msg)
{
    uint8_t *buf;
    size_t len = codec_pack(msg, &buf);
    ProtobufCMessage *copy = protobuf_c_message_unpack(msg->descriptor, NULL, len, buf);
    free(buf);
    if (!copy)
        log_panic("recset: a %s just packed does not unpack", msg->descriptor->name);
    return copy;
}

int recset_same(const ProtobufCMessage *a, const ProtobufCMessage *b)
{
    uint8_t *x, *y;
    size_t nx = codec_pack(a, &x), ny = codec_pack(b, &y);
    int same = nx == ny && memcmp(x, y, nx) == 0;
    free(x);
    free(y);
    return same;
}

/* s_unpack - a state record as desc, or a new empty one when absent */
static ProtobufCMessage *s_unpack(const recset_t *s, const ProtobufCMessageDescriptor *desc,
                                  const uint8_t *v, size_t len, const char *key)
{
    ProtobufCMessage *m = protobuf_c_message_unpack(desc, NULL, v ? len : 0,
                                                    v ? v : (const uint8_t *)"");
    if (!m)
        log_fatal("%s: state %s does not unpack as %s", s->owner ? s->owner : "worker", key,
                  desc->name);
    return m;
}

/* s_slot - where key's index entry is, or would go */
static size_t *s_slot(recset_t *s, const char *key)
{
    size_t mask = s->index_cap - 1, i = (size_t)hash_text(key) & mask;
    while (s->index[i] && strcmp(s->recs[s->index[i] - 1]->key, key) != 0)
        i = (i + 1) & mask;
    return &s->index[i];
}

rec_t *recset_get(recset_t *s, const char *key, const ProtobufCMessageDescriptor *desc)
{
    if (2 * (s->n + 1) > s->index_cap) {
        free(s->index);
        s->index_cap = s->index_cap ? 2 * s->index_cap : 256;
        s->index = xcalloc(s->index_cap, sizeof *s->index);
        for (size_t i = 0; i < s->n; i++)
            *s_slot(s, s->recs[i]->key) = i + 1;
    }
    size_t *slot = s_slot(s, key);
    if (*slot)
        return s->recs[*slot - 1];
    const char *keys[] = { key };
    if (worker_state_need(s->state, keys, 1, s->err) < 0)
        return NULL;
    size_t len;
    const uint8_t *v = worker_state_get(s->state, key, &len);
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 64;
        s->recs = xrealloc(s->recs, s->cap * sizeof *s->recs);
    }
    rec_t *r = xmalloc(sizeof *r);
    *r = (rec_t){ xstrdup(key), s_unpack(s, desc, v, len, key), 0 };
    s->recs[s->n++] = r;
    *s_slot(s, key) = s->n;
    return r;
}

int recset_need(recset_t *s, const char *const *keys, size_t n)
{
    return worker_state_need(s->state, keys, n, s->err);
}

void recset_replace(rec_t *r, ProtobufCMessage *m)
{
    protobuf_c_message_free_unpacked(r->msg, NULL);
    r->msg = m;
    r->dirty = 1;
}

int recset_put(recset_t *s)
{
    for (size_t i = 0; i < s->n; i++) {
        rec_t *r = s->recs[i];
        if (!r->dirty)
            continue;
        uint8_t *buf;
        size_t len = codec_pack(r->msg, &buf);
        if (len > RECSET_STATE_MAX) {
            free(buf);
            return err_set(s->err, ERR(OUT_OF_RANGE), "state",
                           "%s state %s (%zu bytes) exceeds the %u-byte state record",
                           s->owner ? s->owner : "worker", r->key, len, RECSET_STATE_MAX);
        }
        worker_state_put(s->state, r->key, buf, len);
        free(buf);
    }
    return 0;
}

void recset_fini(recset_t *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->recs[i]->key);
        protobuf_c_message_free_unpacked(s->recs[i]->msg, NULL);
        free(s->recs[i]);
    }
    free(s->recs);
    free(s->index);
    memset(s, 0, sizeof *s);
}
