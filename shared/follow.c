/* follow - read the event log from a position on, never missing or
 * repeating an event (the ZeroMQ guide's Clone pattern, made durable).
 *
 * DESIGN. The log in ledgerd is the truth; the PUB stream only brings it
 * sooner. The follower subscribes to everything, so live seqs arrive as
 * pos+1, pos+2, ... and any jump is a loss (a slow subscriber's dropped
 * messages, a reconnect): it then goes back to replaying from pos, which
 * the server filters by kind and partition and answers with how far it
 * scanned. Live events at or below pos were seen already and are dropped;
 * those waiting in the socket while replaying are its buffer. An idle
 * follower asks the log once per wait, so a lost last event is noticed. */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>
#include "codec.h"
#include "follow.h"
#include "frame.h"
#include "partition.h"
#include "request.pb-c.h"
#include "xmalloc.h"

#define FOLLOW_RCVHWM 50000   /* live events held while replaying; more are dropped, then replayed */

struct follow {
    follow_opts_t o;              /* kinds borrowed from the caller */
    void *ctx;                    /* ZeroMQ context of the SUB socket */
    void *sub;                    /* subscribed to "" */
    uint64_t pos;                 /* every seq <= pos considered */
    uint64_t last_seq;            /* the log's end as last learnt */
    int live;                     /* 1: caught up, take live events */
    Ledger__ReplayReply *reply;   /* the batch's replay page, freed next call */
    Ledger__Event **owned;        /* the batch's live events, freed next call */
    size_t n_owned, cap_owned;
};

int follow_kind_matches(const char *filter, const char *kind, size_t kind_len)
{
    size_t n = strlen(filter);
    if (n > kind_len || memcmp(filter, kind, n) != 0)
        return 0;
    return n == kind_len || kind[n] == '.';
}

/* s_kind_wanted - no kinds means every kind */
static int s_kind_wanted(const follow_t *f, const char *kind, size_t len)
{
    if (f->o.n_kinds == 0)
        return 1;
    for (size_t i = 0; i < f->o.n_kinds; i++)
        if (follow_kind_matches(f->o.kinds[i], kind, len))
            return 1;
    return 0;
}

follow_t *follow_new(const follow_opts_t *o, uint64_t pos)
{
    assert(o && o->client && o->events_endpoint);
    follow_t *f = xcalloc(1, sizeof *f);
    f->o = *o;
    if (f->o.page == 0 || f->o.page > 10000)
        f->o.page = 1000;
    f->pos = pos;
    f->ctx = zmq_ctx_new();
    f->sub = f->ctx ? zmq_socket(f->ctx, ZMQ_SUB) : NULL;
    int hwm = FOLLOW_RCVHWM, linger = 0;
    const cert_t *cert = client_cert(o->client);
    if (!f->sub || (cert && cert_client(f->sub, cert) < 0) || zmq_setsockopt(f->sub, ZMQ_RCVHWM, &hwm, sizeof hwm) < 0 ||
        zmq_setsockopt(f->sub, ZMQ_LINGER, &linger, sizeof linger) < 0 ||
        zmq_setsockopt(f->sub, ZMQ_SUBSCRIBE, "", 0) < 0 ||
        zmq_connect(f->sub, o->events_endpoint) < 0) {
        int saved = errno;
        follow_destroy(&f);
        errno = saved;
        return NULL;
    }
    return f;
}

/* s_release - free the previous batch */
static void s_release(follow_t *f)
{
    if (f->reply)
        protobuf_c_message_free_unpacked(&f->reply->base, NULL);
    f->reply = NULL;
    for (size_t i = 0; i < f->n_owned; i++)
        protobuf_c_message_free_unpacked(&f->owned[i]->base, NULL);
    f->n_owned = 0;
}

void follow_destroy(follow_t **self_p)
{
    assert(self_p);
    follow_t *f = *self_p;
    if (!f)
        return;
    s_release(f);
    free(f->owned);
    if (f->sub)
        zmq_close(f->sub);
    if (f->ctx)
        zmq_ctx_term(f->ctx);
    free(f);
    *self_p = NULL;
}

/* s_fill - the batch as the follower now stands */
static void s_fill(follow_t *f, follow_batch_t *out, Ledger__Event **events, size_t n,
                   uint64_t from)
{
    out->events = events;
    out->n = n;
    out->pos = f->pos;
    out->last_seq = f->last_seq;
    out->scanned = f->pos - from;
    out->caught_up = f->live;
}

/* s_replay - one page of the log after pos, filtered by ledgerd */
static int s_replay(follow_t *f, follow_batch_t *out, err_t *err)
{
    Ledger__Meta meta = LEDGER__META__INIT;
    Ledger__Replay req = LEDGER__REPLAY__INIT;
    meta.actor = (char *)client_actor(f->o.client);   /* a read: no idempotency key */
    req.meta = &meta;
    req.after_seq = f->pos;
    req.kinds = f->o.kinds;
    req.n_kinds = f->o.n_kinds;
    req.partition_index = f->o.partition_index;
    req.partition_count = f->o.partition_count;
    req.max_events = f->o.page;
    Ledger__ReplayReply *r = NULL;
    if (client_call(f->o.client, FRAME_REPLAY, &req.base, &ledger__replay_reply__descriptor,
                    (ProtobufCMessage **)&r, err) < 0)
        return -1;
    uint64_t from = f->pos;
    size_t skip = 0;   /* a page is after pos; guard anyway against an overlap */
    while (skip < r->n_events && r->events[skip]->seq <= f->pos)
        skip++;
    if (r->scanned_to > f->pos)
        f->pos = r->scanned_to;
    f->last_seq = r->last_seq > f->pos ? r->last_seq : f->pos;
    f->live = f->pos >= r->last_seq;
    f->reply = r;
    s_fill(f, out, r->events + skip, r->n_events - skip, from);
    return 0;
}

/* s_keep - hold a live event for the batch */
static void s_keep(follow_t *f, Ledger__Event *e)
{
    if (f->n_owned == f->cap_owned) {
        f->cap_owned = f->cap_owned ? 2 * f->cap_owned : 64;
        f->owned = xrealloc(f->owned, f->cap_owned * sizeof *f->owned);
    }
    f->owned[f->n_owned++] = e;
}

/* s_live_one - take one published message [topic][header][Event]:
 * 1 taken (or dropped as seen), 0 nothing to read, -1 a gap (go replay) */
static int s_live_one(follow_t *f)
{
    zmq_msg_t part[3];
    int n = 0, more = 1, rc = 1;
    size_t more_len = sizeof more;
    while (more) {
        zmq_msg_t scratch, *m = n < 3 ? &part[n] : &scratch;
        zmq_msg_init(m);
        if (zmq_msg_recv(m, f->sub, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(m);
            rc = n ? -1 : 0;   /* a message cut short cannot be; treat as loss */
            goto done;
        }
        zmq_getsockopt(f->sub, ZMQ_RCVMORE, &more, &more_len);
        if (m == &scratch)
            zmq_msg_close(m);
        n++;
    }
    frame_header_t h;
    err_t err;
    if (n != 3 || frame_decode(&h, zmq_msg_data(&part[1]), zmq_msg_size(&part[1]), &err) < 0 ||
        h.type != FRAME_EVENT)
        goto done;   /* not an event of this protocol: nothing to count */
    uint64_t seq = h.request_id;
    if (seq <= f->pos)
        goto done;   /* seen already (replayed) */
    if (seq > f->pos + 1) {
        rc = -1;     /* lost pos+1 .. seq-1 */
        goto done;
    }
    const char *topic = zmq_msg_data(&part[0]);
    size_t topic_len = zmq_msg_size(&part[0]);
    if (topic_len && topic[topic_len - 1] == '\0')
        topic_len--;
    if (s_kind_wanted(f, topic, topic_len)) {
        Ledger__Event *e = (Ledger__Event *)codec_unpack(&ledger__event__descriptor,
                                                         zmq_msg_data(&part[2]),
                                                         zmq_msg_size(&part[2]), &err);
        if (!e) {
            rc = -1;   /* unreadable in flight: read it from the log instead */
            goto done;
        }
        if (partition_matches(e->partition_key, f->o.partition_index, f->o.partition_count))
            s_keep(f, e);
        else
            protobuf_c_message_free_unpacked(&e->base, NULL);
    }
    f->pos = seq;
    if (f->last_seq < seq)
        f->last_seq = seq;
done:
    for (int i = 0; i < n && i < 3; i++)
        zmq_msg_close(&part[i]);
    return rc;
}

int follow_next(follow_t *f, follow_batch_t *out, int wait_ms, err_t *err)
{
    s_release(f);
    if (!f->live)
        return s_replay(f, out, err);
    zmq_pollitem_t item = { .socket = f->sub, .events = ZMQ_POLLIN };
    int ready = zmq_poll(&item, 1, wait_ms);
    if (ready < 0 && errno == EINTR) {
        s_fill(f, out, NULL, 0, f->pos);   /* a signal: let the caller look */
        return 0;
    }
    if (ready <= 0)
        return s_replay(f, out, err);   /* idle: ask the log whether we missed one */
    uint64_t from = f->pos;
    while (f->n_owned < f->o.page) {
        int rc = s_live_one(f);
        if (rc == 0)
            break;
        if (rc < 0) {
            f->live = 0;   /* the next call replays from pos */
            break;
        }
    }
    s_fill(f, out, f->owned, f->n_owned, from);
    return 0;
}
