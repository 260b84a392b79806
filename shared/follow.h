/* follow - read the event log from a position on, never missing or
 * repeating an event: replay pages until caught up, then live events from
 * ledgerd's PUB socket; a gap in the live seqs is filled from the log.
 * Where the position is kept, and what is done with the events, is the
 * caller's (worker.c keeps it in a cursor). docs/PROTOCOL.md section 8. */
#ifndef LEDGER_FOLLOW_H
#define LEDGER_FOLLOW_H

#include <stddef.h>
#include <stdint.h>
#include "client.h"
#include "err.h"
#include "event.pb-c.h"

typedef struct follow follow_t;

typedef struct {
    client_t *client;             /* requests (replay); borrowed */
    const char *events_endpoint;  /* ledgerd's PUB endpoint */
    char **kinds;                 /* families to pass ("order" = order, order.*) */
    size_t n_kinds;               /* 0: every kind */
    uint32_t partition_index;     /* with partition_count > 0: only this partition */
    uint32_t partition_count;
    uint32_t page;                /* at most this many events per batch, 1..10000 */
} follow_opts_t;

typedef struct {
    Ledger__Event **events;       /* the batch, in seq order; owned by the follower */
    size_t n;                     /*   until its next follow_next */
    uint64_t pos;                 /* every seq <= pos has been considered */
    uint64_t last_seq;            /* the log's end, as last learnt */
    uint64_t scanned;             /* events considered in this batch (pos moved by) */
    int caught_up;                /* 1: pos had reached the log's end when read */
} follow_batch_t;

/* follow_new - subscribe to every event (before any replay, so nothing
 * published meanwhile is lost) and start after seq pos. NULL with errno
 * when the endpoint cannot be used. Caller frees with follow_destroy. */
follow_t *follow_new(const follow_opts_t *o, uint64_t pos);
void follow_destroy(follow_t **self_p);

/* follow_next - the next batch. Behind the log's end it replays one page;
 * at the end it waits up to wait_ms for live events and, when none come,
 * asks the log once (a lost last event is noticed this way). A batch may be
 * empty while pos still moves (events of other kinds or partitions).
 * 0 with *out; -1 with err (TIMEOUT: ledgerd did not answer; call again). */
int follow_next(follow_t *f, follow_batch_t *out, int wait_ms, err_t *err);

/* follow_kind_matches - "order" matches "order" and "order.*" (as ledgerd's
 * replay filter and result-kind check do: they call this too) */
int follow_kind_matches(const char *filter, const char *kind, size_t kind_len);

#endif
