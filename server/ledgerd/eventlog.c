/* eventlog - append events with gap-free seqs, in the request's transaction.
 *
 * DESIGN. The seq comes from the batch's working counters, which are rolled
 * back with a failed request's nested transaction, so a committed log never
 * has a hole: seq n+1 is written in the same transaction as the change it
 * records or not at all. Keys are big-endian seqs appended with MDB_APPEND,
 * which fills pages in order instead of splitting them. The packed bytes are
 * kept for publish.c, which sends them only after the commit. */
#include <stdlib.h>
#include <string.h>
#include "codec.h"
#include "eventlog.h"
#include "xmalloc.h"

static void s_queue(apply_t *a, const char *kind, uint8_t *body, size_t len, uint64_t seq)
{
    if (a->n_events == a->cap_events) {
        a->cap_events = a->cap_events ? a->cap_events * 2 : 64;
        a->events = xrealloc(a->events, a->cap_events * sizeof *a->events);
    }
    pending_event_t *p = &a->events[a->n_events++];
    size_t n = strlen(kind);
    p->topic = xmalloc(n + 1);
    memcpy(p->topic, kind, n + 1);   /* the NUL terminates the topic */
    p->topic_len = n + 1;
    p->body = body;
    p->len = len;
    p->seq = seq;
}

/* eventlog_append - next seq, ledger time, actor; store and queue */
int eventlog_append(apply_t *a, Ledger__Event *ev, err_t *err)
{
    ev->seq = a->counters.last_seq + 1;
    ev->time_ms = a->counters.ledger_ms;
    ev->actor = (char *)a->actor;
    ev->role = (char *)(a->role ? a->role : "");
    uint8_t *body;
    size_t len = codec_pack(&ev->base, &body);
    uint8_t key[8];
    store_be64(key, ev->seq);
    if (store_put(a->store, a->txn, a->store->events, key, 8, body, len, MDB_APPEND, err) < 0) {
        free(body);
        return -1;
    }
    a->counters.last_seq = ev->seq;
    s_queue(a, ev->kind, body, len, ev->seq);
    return 0;
}

