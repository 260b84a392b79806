/* apply - what a request handler works with: the batch's transaction, the
 * working counters and the events waiting to be published after commit.
 * Handlers decode nothing and send nothing; dispatch does both. */
#ifndef LEDGERD_APPLY_H
#define LEDGERD_APPLY_H

#include <protobuf-c/protobuf-c.h>
#include "cert.h"
#include "err.h"
#include "event.pb-c.h"
#include "options.h"
#include "request.pb-c.h"
#include "store.h"

typedef struct {
    char    *topic;       /* kind followed by NUL, as published */
    size_t   topic_len;   /* including the NUL */
    uint8_t *body;        /* packed Event */
    size_t   len;
    uint64_t seq;
} pending_event_t;

typedef struct {
    store_t          *store;
    const options_t  *opt;
    MDB_txn          *txn;       /* the current request's nested transaction */
    store_counters_t  counters;  /* working copy; becomes the store's after commit */
    pending_event_t  *events;    /* appended in this batch, published after commit */
    size_t            n_events, cap_events;
    const char       *actor;     /* who asked (its key's name): recorded on every event */
    const char       *role;      /* the key's role as text, also on every event */
    role_t            who;       /* the key's role, parsed: what it may see (authorise.c) */
    int               keys_changed; /* a key was added or revoked: reload the keyring */
    int               wrote;     /* a write succeeded: the batch must commit */
    uint8_t          *reply;     /* the current request's packed reply */
    size_t            reply_len;
} apply_t;

typedef int (*apply_fn)(apply_t *a, const ProtobufCMessage *req, err_t *err);

/* apply_reply - pack msg as the current request's reply */
void apply_reply(apply_t *a, const ProtobufCMessage *msg);

/* apply_reply_raw - a reply already packed (a stored message), copied */
void apply_reply_raw(apply_t *a, const void *packed, size_t len);

/* apply_write_reply - the usual reply of a single-record write */
void apply_write_reply(apply_t *a, uint64_t id, const char *code, uint64_t version,
                       uint64_t seq);

/* apply_drop_events_from - forget events queued after mark (a rolled-back request) */
void apply_drop_events_from(apply_t *a, size_t mark);

/* Handlers, one per request type (entity.c, replay.c, cursor.c, clock.c,
 * month.c, finding.c...). */
int entity_staff_add(apply_t *a, const ProtobufCMessage *req, err_t *err);
int entity_staff_amend(apply_t *a, const ProtobufCMessage *req, err_t *err);
int entity_customer_add(apply_t *a, const ProtobufCMessage *req, err_t *err);
int entity_customer_amend(apply_t *a, const ProtobufCMessage *req, err_t *err);
int entity_order_add(apply_t *a, const ProtobufCMessage *req, err_t *err);
int entity_order_amend(apply_t *a, const ProtobufCMessage *req, err_t *err);
int entity_order_batch(apply_t *a, const ProtobufCMessage *req, err_t *err);
int entity_record_add(apply_t *a, const ProtobufCMessage *req, err_t *err);
int entity_record_amend(apply_t *a, const ProtobufCMessage *req, err_t *err);
int entity_record_batch(apply_t *a, const ProtobufCMessage *req, err_t *err);
int entity_get(apply_t *a, const ProtobufCMessage *req, err_t *err);
int entity_list(apply_t *a, const ProtobufCMessage *req, err_t *err);
int replay_read(apply_t *a, const ProtobufCMessage *req, err_t *err);
int cursor_get(apply_t *a, const ProtobufCMessage *req, err_t *err);
int cursor_state_get(apply_t *a, const ProtobufCMessage *req, err_t *err);
int cursor_write_back(apply_t *a, const ProtobufCMessage *req, err_t *err);
int cursor_result_get(apply_t *a, const ProtobufCMessage *req, err_t *err);
int cursor_result_list(apply_t *a, const ProtobufCMessage *req, err_t *err);
int clock_set(apply_t *a, const ProtobufCMessage *req, err_t *err);
int policy_set(apply_t *a, const ProtobufCMessage *req, err_t *err);
int policy_get(apply_t *a, const ProtobufCMessage *req, err_t *err);
int backup_start(apply_t *a, const ProtobufCMessage *req, err_t *err);
int month_close(apply_t *a, const ProtobufCMessage *req, err_t *err);
int finding_status_set(apply_t *a, const ProtobufCMessage *req, err_t *err);
int key_add(apply_t *a, const ProtobufCMessage *req, err_t *err);
int key_revoke(apply_t *a, const ProtobufCMessage *req, err_t *err);
int key_list(apply_t *a, const ProtobufCMessage *req, err_t *err);

#endif
