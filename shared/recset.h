/* recset - the state records one batch of a worker reads, decodes, changes
 * and writes back: found by key, read from ledgerd (or the runtime's cache)
 * the first time, decoded once, and put back at the end when changed. Each
 * record is allocated alone, so a rec_t * stays valid while more are read. */
#ifndef LEDGER_RECSET_H
#define LEDGER_RECSET_H

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>
#include "err.h"
#include "worker.h"

#define RECSET_STATE_MAX (1u << 20)   /* ledgerd's limit on one state record */

typedef struct {
    char *key;
    ProtobufCMessage *msg;   /* owned */
    int dirty;
} rec_t;

typedef struct {
    worker_state_t *state;
    err_t *err;
    const char *owner;       /* the worker, for messages */
    rec_t **recs;            /* every record touched, in first-touch order */
    size_t n, cap;
    size_t *index;           /* open addressing by key hash: recs' index + 1, 0 empty */
    size_t index_cap;        /* a power of two, > 2 n */
} recset_t;

/* recset_get - the record under key decoded as desc (a new empty message
 * when absent); NULL with s->err when it could not be read */
rec_t *recset_get(recset_t *s, const char *key, const ProtobufCMessageDescriptor *desc);

/* recset_need - read many records at once (one state.get) before recset_get */
int recset_need(recset_t *s, const char *const *keys, size_t n);

/* recset_replace - put an owned new message in the record's place; dirty */
void recset_replace(rec_t *r, ProtobufCMessage *m);

/* recset_copy - an owned deep copy of msg (which may hold borrowed pointers) */
ProtobufCMessage *recset_copy(const ProtobufCMessage *msg);

/* recset_same - two messages pack to the same bytes */
int recset_same(const ProtobufCMessage *a, const ProtobufCMessage *b);

/* recset_put - write every dirty record back (worker_state_put); -1 with
 * OUT_OF_RANGE in s->err when one is larger than a state record may be */
int recset_put(recset_t *s);

/* recset_fini - free every record */
void recset_fini(recset_t *s);

#endif
