/* batch - the commission worker's working set for one batch of events: the
 * state records it reads, decodes, changes and writes back, found by key;
 * the policy in force for a month; the month indexes; and the small helpers
 * of months and people the other parts share. */
#ifndef LEDGER_COMMISSION_BATCH_H
#define LEDGER_COMMISSION_BATCH_H

#include <stddef.h>
#include <stdint.h>
#include "commission.pb-c.h"
#include "worker.h"

#define KIND_LINE   "commission.line"
#define KIND_DRAFT  "statement.draft"
#define KIND_CLOSED "statement.closed"
#define KIND_TOTAL  "distributor.total"
#define KIND_PRICE  "distributor.price"
#define KIND_POOL   "pool.month"
#define STATE_MAX   (1u << 20)   /* ledgerd's limit on one state record */

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

/* batch_rec - the record under key decoded as desc, read from ledgerd (or
 * the runtime's cache) the first time; NULL with b->err when unreadable */
rec_t *batch_rec(batch_t *b, const char *key, const ProtobufCMessageDescriptor *desc);

/* batch_replace - put an owned new message in the record's place; dirty */
void batch_replace(rec_t *r, ProtobufCMessage *m);

/* batch_need - read many records at once (one state.get) */
int batch_need(batch_t *b, char **keys, size_t n);

/* batch_copy - an owned deep copy of msg (which may hold borrowed pointers) */
ProtobufCMessage *batch_copy(const ProtobufCMessage *msg);

/* batch_same - two messages pack to the same bytes */
int batch_same(const ProtobufCMessage *a, const ProtobufCMessage *b);

/* batch_policy - the policy version in force for month */
const Ledger__PolicyVersion *batch_policy(batch_t *b, const char *month);

/* batch_index_order - id into the orders placed in month ("pm:<month>") */
int batch_index_order(batch_t *b, const char *month, uint64_t id);

/* batch_index_person - p into the people of index "<prefix>:<month>" */
int batch_index_person(batch_t *b, const char *prefix, const char *month,
                       const Ledger__PartyRef *p);

/* Months "YYYY-MM" and people "staff:S-1"; out >= 8 for months. */
const char *batch_month(char out[8], int64_t ms);
const char *batch_next_month(char out[8], const char *month);
const char *batch_prev_month(char out[8], const char *month);
const char *batch_open_month(batch_t *b, char out[8]);
const char *batch_person(char *out, size_t n, const Ledger__PartyRef *p);
const char *batch_order_key(char *out, size_t n, uint64_t id);

#endif
