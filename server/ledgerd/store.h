/* store - ledgerd's LMDB environment: named databases, keys, counters.
 * Only ledgerd links this file; everything else talks to ledgerd. */
#ifndef LEDGERD_STORE_H
#define LEDGERD_STORE_H

#include <lmdb.h>
#include <protobuf-c/protobuf-c.h>
#include <stddef.h>
#include <stdint.h>
#include "err.h"

/* In Record's field order (record.proto): kind k is Record field k + 1. */
typedef enum {
    KIND_STAFF, KIND_CUSTOMER, KIND_ORDER, KIND_PARTNER, KIND_PRODUCT, KIND_SOURCE,
    KIND_PAYMENT, KIND_SHIPMENT, KIND_REFUND, KIND_ACCOUNT, KIND_ENTRY, KIND_SERVICE,
    KIND_POST, KIND_WORK, KIND_COUNT
} entity_kind_t;

/* Derived from the data at open (last keys), so never stored twice. */
typedef struct {
    uint64_t last_seq;              /* last event appended */
    uint64_t last_id[KIND_COUNT];   /* last id assigned per entity kind */
    int64_t  ledger_ms;             /* ledger time: the last event's time */
} store_counters_t;

typedef struct {
    MDB_env *env;
    char     dir[512];
    size_t   map_size;              /* current map size, bytes */
    size_t   map_max;               /* growth stops here: STORAGE_FULL */
    int      map_full;              /* set by a put that hit MDB_MAP_FULL */
    store_counters_t counters;      /* as of the last commit */
    MDB_dbi  events;                /* seq -> Event */
    MDB_dbi  data[KIND_COUNT];      /* id -> the record, per kind */
    MDB_dbi  by_code[KIND_COUNT];   /* code -> id */
    MDB_dbi  order_by_customer;     /* customer id, placed, order id -> "" */
    MDB_dbi  order_by_branch;       /* branch NUL, placed, order id -> "" */
    MDB_dbi  order_by_placed;       /* placed, order id -> "" */
    MDB_dbi  idem;                  /* actor NUL key -> IdemRecord */
    MDB_dbi  idem_by_time;          /* time, actor NUL key -> "" */
    MDB_dbi  cursors;               /* name -> seq */
    MDB_dbi  state;                 /* owner NUL key -> bytes */
    MDB_dbi  results;               /* kind NUL key -> Result */
    MDB_dbi  policies;              /* "YYYY-MM" NUL version -> PolicyVersion */
    MDB_dbi  reversals;             /* reversed entry id -> reversing entry id */
    MDB_dbi  months;                /* "YYYY-MM" -> MonthClosed */
    MDB_dbi  keys;                  /* Z85 public key -> Key */
} store_t;

/* store_open - open or create the environment in dir; fatal when it cannot */
store_t *store_open(const char *dir, size_t map_size, size_t map_max);
void store_destroy(store_t **self_p);

/* store_grow - double the map (no transaction may be open); -1 at map_max */
int store_grow(store_t *s);

/* store_kind_name - "staff", "customer", "order", "partner"...: the kind's
 * name in events ("<name>.created") and in Record */
const char *store_kind_name(entity_kind_t kind);
const ProtobufCMessageDescriptor *store_kind_descriptor(entity_kind_t kind);

/* Key bytes: integers big-endian so cursors iterate in order; signed
 * times with the sign bit flipped so negative sorts before positive. */
void store_be64(uint8_t out[8], uint64_t v);
uint64_t store_get_be64(const uint8_t in[8]);
void store_time_key(uint8_t out[8], int64_t ms);
int64_t store_get_time_key(const uint8_t in[8]);

/* store_pair_key - "a" NUL "b" into out (sized by the caller); the length.
 * Two-part text keys: owner and key, kind and key, actor and key. */
size_t store_pair_key(uint8_t *out, const char *a, const char *b);

/* store_get - 0 found (*out valid until txn ends), 1 absent, -1 error */
int store_get(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen,
              MDB_val *out, err_t *err);
/* store_put - STORAGE_FULL (and s->map_full set) when the map is full */
int store_put(store_t *s, MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen,
              const void *val, size_t vlen, unsigned flags, err_t *err);
/* store_del - absent is not an error */
int store_del(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen, err_t *err);

/* store_put_msg - pack msg and put it */
int store_put_msg(store_t *s, MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen,
                  const ProtobufCMessage *msg, unsigned flags, err_t *err);

/* store_entity_get - unpack record id of kind; NULL with NOT_FOUND.
 * Caller frees with protobuf_c_message_free_unpacked. */
ProtobufCMessage *store_entity_get(store_t *s, MDB_txn *txn, entity_kind_t kind,
                                   uint64_t id, err_t *err);
/* store_code_id - the id of code, 0 when absent */
uint64_t store_code_id(store_t *s, MDB_txn *txn, entity_kind_t kind, const char *code);

/* store_error - an LMDB failure as an err_t (INTERNAL or STORAGE_FULL) */
int store_error(store_t *s, int rc, const char *what, err_t *err);

#endif
