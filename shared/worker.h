/* worker - the runtime every worker program is: options, connection, cursor,
 * following the log, the state a batch needs, and the write-back of results,
 * state and cursor in one compare-and-set. A worker supplies the kinds it
 * follows and a pure domain function over a batch of events and its state. */
#ifndef LEDGER_WORKER_H
#define LEDGER_WORKER_H

#include <getopt.h>
#include <protobuf-c/protobuf-c.h>
#include <stddef.h>
#include <stdint.h>
#include "err.h"
#include "event.pb-c.h"

typedef struct worker_keys worker_keys_t;     /* state keys a batch asks for */
typedef struct worker_state worker_state_t;   /* those records, as read and changed */
typedef struct worker_out worker_out_t;       /* results the batch produces */

typedef struct {
    const char *name;          /* worker kind: program ledger-<name>, cursor "<name>:<k>/<N>" */
    const char *summary;       /* one line for --help */
    const char *const *kinds;  /* families followed, NULL-terminated; "clock" is always added */
    /* keys - add the state keys the batch's events need (worker_keys_add) */
    void (*keys)(void *ctx, Ledger__Event *const *events, size_t n, worker_keys_t *out);
    /* batch - apply the events in order: read and change state, add results.
     * Must depend only on (events, state): it may run again on the same input
     * after a crash or with half the batch. -1 with err stops the worker. */
    int (*batch)(void *ctx, Ledger__Event *const *events, size_t n, worker_state_t *state,
                 worker_out_t *out, err_t *err);
    void *ctx;                 /* handed to keys and batch */
    int unpartitioned;         /* 1: its work is keyed otherwise (a person's month): one
                                  instance, and --partition with N > 1 is refused */
    int idempotent;            /* 1: applying an event over its own partial effects gives
                                  the same effects, so one event's write-back may be split
                                  into several calls when too large for one */
    /* A program with commands of its own runs the runtime as one of them
     * ("ledger-finance follow"); these may all be left unset. */
    const char *program;       /* in --help and logs; NULL: "ledger-<name>" */
    const struct option *options;   /* more long options, vals from 1024, ended by {0} */
    const char *options_help;  /* their lines for --help */
    int (*option)(void *ctx, int val, const char *arg);   /* one of them: 0, or an exit
                                                              status after saying why */
} worker_spec_t;

/* worker_main - run the worker until SIGTERM/SIGINT (or, with --once, until
 * caught up). Exit status: 0 stopped cleanly, 1 cannot go on (another
 * instance owns the cursor, a domain error), 2 bad usage. */
int worker_main(int argc, char **argv, const worker_spec_t *spec);

/* worker_keys_add - ask for the state record key (1..128 bytes); repeats are fine */
void worker_keys_add(worker_keys_t *k, const char *key);

/* worker_state_get - the record's value, NULL when absent. The key must have
 * been asked for by keys() (asking for another is a bug). Valid until the
 * record is put or deleted. */
const uint8_t *worker_state_get(worker_state_t *s, const char *key, size_t *len);

/* worker_state_need - read more records in the middle of a batch, for keys
 * that only the state itself names (a month's statements, the orders a
 * deadline is due for). Those not read yet come from the cache or one
 * state.get. 0, or -1 with err (ledgerd away while the worker is stopping):
 * batch returns it. */
int worker_state_need(worker_state_t *s, const char *const *keys, size_t n, err_t *err);

/* worker_state_put - set the record (copied); written back with the batch */
void worker_state_put(worker_state_t *s, const char *key, const void *value, size_t len);

/* worker_state_del - remove the record; written back with the batch */
void worker_state_del(worker_state_t *s, const char *key);

/* worker_result - add a result (docs/PROTOCOL.md 8.4); payload packed now.
 * A result with the same (kind, key) later in the batch replaces it. */
void worker_result(worker_out_t *o, const char *kind, const char *key, uint64_t entity_id,
                   uint64_t partition_key, const ProtobufCMessage *payload);

#endif
