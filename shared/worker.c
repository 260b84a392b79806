/* worker - the runtime every worker program is (see worker.h): options,
 * connection, cursor, following the log, batch state and write-back.
 *
 * DESIGN. The cursor in ledgerd says how far this instance's effects are
 * written; the follower (follow.c) hands over the events after it. For each
 * batch the runtime asks the domain which state records it needs, reads
 * them in one state.get, runs the domain function, and writes the results,
 * the changed records and the new cursor in one write-back that names the
 * cursor it expects to replace. A crash anywhere before that commit
 * replays the batch from the old cursor and computes the same effects (the
 * domain function is pure); after it, the batch is never seen again. A
 * second instance of the same partition finds the cursor moved and stops.
 * A write-back too large for one call is split by halving the batch, each
 * half read and written on its own, so the cursor still moves only over
 * events whose effects are all written; a single event too large is
 * written in chunks only by a worker that declares its events idempotent.
 * Records the domain names only once it has read others come through
 * worker_state_need. Records this instance has read or written are kept in
 * a cache: only the cursor's owner writes them, so they stay true. */
#include <assert.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "client.h"
#include "codec.h"
#include "date.h"
#include "follow.h"
#include "frame.h"
#include "hash.h"
#include "log.h"
#include "worker.h"
#include "xmalloc.h"

#define WORKER_ENDPOINT   "tcp://127.0.0.1:7401"   /* --endpoint, env LEDGER_ENDPOINT */
#define WORKER_EVENTS     "tcp://127.0.0.1:7402"   /* --events, env LEDGER_EVENTS */
#define WORKER_BATCH      1000     /* --batch: events per batch */
#define WORKER_TIMEOUT_MS 10000    /* --timeout: per request */
#define WORKER_CACHE_MIB  256      /* --cache-mib: state kept in memory */
#define WORKER_WAIT_MS    500      /* longest wait for live events before asking the log */
#define WORKER_IDLE_MS    1000     /* an unwritten cursor is written after this long idle */
#define WORKER_LAG_MAX    10000    /* ... or once it lags this many seqs */
#define WRITE_ITEMS_MAX   10000    /* results + states per write-back (ledgerd's limit) */
#define WRITE_BYTES_MAX   (12u << 20)   /* below the 16 MiB frame, with room for framing */
#define STATE_KEY_MAX     128

static volatile sig_atomic_t s_stop;   /* SIGTERM or SIGINT seen */

static void s_on_signal(int sig)
{
    (void)sig;
    s_stop = 1;
}

struct run;
static int s_read_state(struct run *r, err_t *err);

/* --- a small string-keyed table: the batch's state records and results --- */

typedef struct {
    char *key;              /* NULL: empty slot */
    uint8_t *value;         /* state value or packed payload */
    size_t len;
    int found;              /* state: the record exists */
    int loaded;             /* state: value read (or set); never read over */
    int queued;             /* state: waiting in the pending list to be read */
    int dirty;              /* state: changed by the batch */
    uint64_t entity_id;     /* results only */
    uint64_t partition_key;
    size_t order;           /* insertion order, so write-backs are deterministic */
} slot_t;

typedef struct {
    slot_t *slots;
    size_t cap, n;          /* cap a power of two; n used */
} table_t;

/* s_find - the slot of key, or the empty slot where it would go */
static slot_t *s_find(table_t *t, const char *key)
{
    size_t i = hash_text(key) & (t->cap - 1);
    while (t->slots[i].key && strcmp(t->slots[i].key, key) != 0)
        i = (i + 1) & (t->cap - 1);
    return &t->slots[i];
}

static void s_table_grow(table_t *t)
{
    table_t bigger = { xcalloc(t->cap ? 2 * t->cap : 64, sizeof(slot_t)),
                       t->cap ? 2 * t->cap : 64, t->n };
    for (size_t i = 0; i < t->cap; i++)
        if (t->slots[i].key)
            *s_find(&bigger, t->slots[i].key) = t->slots[i];
    free(t->slots);
    *t = bigger;
}

/* s_table_slot - the slot of key, made (empty-valued) when absent */
static slot_t *s_table_slot(table_t *t, const char *key)
{
    if (2 * (t->n + 1) > t->cap)
        s_table_grow(t);
    slot_t *s = s_find(t, key);
    if (!s->key) {
        s->key = xstrdup(key);
        s->order = t->n++;
    }
    return s;
}

static void s_table_clear(table_t *t)
{
    if (!t->cap)
        return;
    for (size_t i = 0; i < t->cap; i++) {
        free(t->slots[i].key);
        free(t->slots[i].value);
    }
    memset(t->slots, 0, t->cap * sizeof *t->slots);
    t->n = 0;
}

/* s_table_sorted - the used slots in insertion order; caller frees the array */
static slot_t **s_table_sorted(const table_t *t)
{
    slot_t **v = xcalloc(t->n ? t->n : 1, sizeof *v);
    for (size_t i = 0; i < t->cap; i++)
        if (t->slots[i].key)
            v[t->slots[i].order] = &t->slots[i];
    return v;
}

struct run;
struct worker_state {
    table_t t;
    struct run *run;
    char **pending;         /* keys asked for and not read yet (the slots' own strings) */
    size_t n_pending, cap_pending;
};
struct worker_keys { worker_state_t *s; };

/* s_want - make key's slot, queued to be read unless it is already */
static void s_want(worker_state_t *s, const char *key)
{
    size_t len = strlen(key);
    if (len == 0 || len > STATE_KEY_MAX)
        log_panic("worker: state key \"%s\" is not 1..%d bytes", key, STATE_KEY_MAX);
    slot_t *slot = s_table_slot(&s->t, key);
    if (slot->loaded || slot->queued)
        return;
    slot->queued = 1;
    if (s->n_pending == s->cap_pending) {
        s->cap_pending = s->cap_pending ? 2 * s->cap_pending : 64;
        s->pending = xrealloc(s->pending, s->cap_pending * sizeof *s->pending);
    }
    s->pending[s->n_pending++] = slot->key;
}
struct worker_out { table_t t; };

void worker_keys_add(worker_keys_t *k, const char *key)
{
    s_want(k->s, key);
}

const uint8_t *worker_state_get(worker_state_t *s, const char *key, size_t *len)
{
    if (!s->t.cap || !s_find(&s->t, key)->key)
        log_panic("worker: state key \"%s\" was not asked for by keys()", key);
    slot_t *slot = s_find(&s->t, key);
    if (len)
        *len = slot->len;
    return slot->found ? (slot->value ? slot->value : (const uint8_t *)"") : NULL;
}

void worker_state_put(worker_state_t *s, const char *key, const void *value, size_t len)
{
    if (!s->t.cap || !s_find(&s->t, key)->key)
        log_panic("worker: state key \"%s\" was not asked for by keys()", key);
    slot_t *slot = s_find(&s->t, key);
    uint8_t *copy = xmalloc(len ? len : 1);
    if (len)   /* an empty value may come as NULL */
        memcpy(copy, value, len);
    free(slot->value);
    slot->value = copy;
    slot->len = len;
    slot->found = 1;
    slot->dirty = 1;
}

void worker_state_del(worker_state_t *s, const char *key)
{
    if (!s->t.cap || !s_find(&s->t, key)->key)
        log_panic("worker: state key \"%s\" was not asked for by keys()", key);
    slot_t *slot = s_find(&s->t, key);
    free(slot->value);
    slot->value = NULL;
    slot->len = 0;
    slot->dirty = slot->found || slot->dirty;
    slot->found = 0;
}

int worker_state_need(worker_state_t *s, const char *const *keys, size_t n, err_t *err)
{
    for (size_t i = 0; i < n; i++)
        s_want(s, keys[i]);
    return s_read_state(s->run, err);
}

void worker_result(worker_out_t *o, const char *kind, const char *key, uint64_t entity_id,
                   uint64_t partition_key, const ProtobufCMessage *payload)
{
    size_t kn = strlen(kind), n = kn + 1 + strlen(key) + 1;
    char *both = xmalloc(n);
    snprintf(both, n, "%s\x1f%s", kind, key);   /* 0x1F: in neither a kind nor a key */
    slot_t *slot = s_table_slot(&o->t, both);
    free(both);
    free(slot->value);
    slot->len = codec_pack(payload, &slot->value);
    slot->entity_id = entity_id;
    slot->partition_key = partition_key;
}

/* --- the runtime --- */

typedef struct run {
    const worker_spec_t *spec;
    const char *endpoint, *events, *actor;
    uint32_t part_index, part_count;
    uint32_t batch;
    int timeout_ms;
    int once;
    char cursor[64];        /* "<name>:<k>/<N>": cursor and state owner */
    char instance[17];      /* random, per process: in write-back idempotency keys */
    char **kinds;           /* spec kinds + "clock" */
    size_t n_kinds;
    client_t *client;
    uint64_t stored;        /* the cursor as stored (what the next write-back expects) */
    int64_t last_write_ms;  /* monotonic time of the last write-back */
    int down;               /* ledgerd stopped answering; logged once */
    worker_state_t state;
    worker_out_t out;
    table_t cache;          /* state records as ledgerd holds them (see s_read_state) */
    size_t cache_bytes;     /* roughly, values plus overhead */
    size_t cache_budget;    /* --cache-mib; 0: no cache */
} run_t;

static int64_t s_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* s_call - a request, retried while ledgerd does not answer (it may be
 * restarting; ZeroMQ reconnects by itself). Reads are harmless to repeat and
 * write-backs carry a fixed idempotency key. -1 with err: refused, or
 * stopped by a signal while waiting (err code TIMEOUT). */
static int s_call(run_t *r, uint8_t type, const ProtobufCMessage *req,
                  const ProtobufCMessageDescriptor *desc, ProtobufCMessage **out, err_t *err)
{
    for (;;) {
        if (client_call(r->client, type, req, desc, out, err) == 0) {
            if (r->down)
                log_info("%s: ledgerd answers again", r->cursor);
            r->down = 0;
            return 0;
        }
        if (err->code != ERR(TIMEOUT) || s_stop)
            return -1;
        if (!r->down)
            log_warn("%s: %s; retrying", r->cursor, err->msg);
        r->down = 1;
    }
}

/* s_connect - hello (the ledger's zone) and the stored cursor */
static int s_connect(run_t *r, err_t *err)
{
    Ledger__Meta meta = LEDGER__META__INIT;
    meta.actor = (char *)r->actor;
    Ledger__Hello hello = LEDGER__HELLO__INIT;
    hello.meta = &meta;
    Ledger__HelloReply *hr = NULL;
    if (s_call(r, FRAME_HELLO, &hello.base, &ledger__hello_reply__descriptor,
               (ProtobufCMessage **)&hr, err) < 0)
        return -1;
    int rc = date_zone_set(hr->time_zone, err);
    protobuf_c_message_free_unpacked(&hr->base, NULL);
    if (rc < 0)
        return -1;
    Ledger__CursorGet cg = LEDGER__CURSOR_GET__INIT;
    cg.meta = &meta;
    cg.name = r->cursor;
    Ledger__CursorReply *cr = NULL;
    if (s_call(r, FRAME_CURSOR_GET, &cg.base, &ledger__cursor_reply__descriptor,
               (ProtobufCMessage **)&cr, err) < 0)
        return -1;
    r->stored = cr->seq;
    protobuf_c_message_free_unpacked(&cr->base, NULL);
    return 0;
}

/* s_slot_set - a slot's value: a copy of value (found), or absent */
static void s_slot_set(slot_t *s, int found, const void *value, size_t len)
{
    free(s->value);
    s->value = NULL;
    s->len = 0;
    s->found = found;
    s->loaded = 1;
    if (found) {
        s->value = xmalloc(len ? len : 1);
        if (len)   /* an empty value may come as NULL */
            memcpy(s->value, value, len);
        s->len = len;
    }
}

/* s_cache_put - remember a record as ledgerd now holds it; past the budget
 * the cache starts again empty (it is only ever a shortcut) */
static void s_cache_put(run_t *r, const slot_t *from)
{
    if (!r->cache_budget)
        return;
    if (r->cache_bytes + from->len + 64 > r->cache_budget) {
        s_table_clear(&r->cache);
        r->cache_bytes = 0;
    }
    slot_t *c = s_table_slot(&r->cache, from->key);
    r->cache_bytes -= c->len;
    s_slot_set(c, from->found, from->value, from->len);
    r->cache_bytes += c->len + 64;
}

/* s_read_state - the records asked for: from the cache when this instance
 * has read or written them before (it alone writes them: the cursor
 * compare-and-set sees to that), the rest in state.get calls of at most
 * WRITE_ITEMS_MAX keys */
static int s_read_state(struct run *r, err_t *err)
{
    worker_state_t *st = &r->state;
    slot_t **slots = xcalloc(st->n_pending ? st->n_pending : 1, sizeof *slots);
    size_t missing = 0;
    for (size_t i = 0; i < st->n_pending; i++) {
        slot_t *s = s_find(&st->t, st->pending[i]);
        s->queued = 0;
        if (s->loaded)
            continue;
        slot_t *c = r->cache.cap ? s_find(&r->cache, s->key) : NULL;
        if (c && c->key)
            s_slot_set(s, c->found, c->value, c->len);
        else
            slots[missing++] = s;
    }
    st->n_pending = 0;
    char **keys = xcalloc(missing ? missing : 1, sizeof *keys);
    int rc = 0;
    for (size_t from = 0; from < missing && rc == 0; from += WRITE_ITEMS_MAX) {
        size_t n = missing - from < WRITE_ITEMS_MAX ? missing - from : WRITE_ITEMS_MAX;
        for (size_t i = 0; i < n; i++)
            keys[i] = slots[from + i]->key;
        Ledger__Meta meta = LEDGER__META__INIT;
        meta.actor = (char *)r->actor;
        Ledger__StateGet req = LEDGER__STATE_GET__INIT;
        req.meta = &meta;
        req.owner = r->cursor;
        req.keys = keys;
        req.n_keys = n;
        Ledger__StateReply *rep = NULL;
        if ((rc = s_call(r, FRAME_STATE_GET, &req.base, &ledger__state_reply__descriptor,
                         (ProtobufCMessage **)&rep, err)) < 0)
            break;
        for (size_t i = 0; i < rep->n_records && i < n; i++) {
            slot_t *s = slots[from + i];
            const Ledger__StateRecord *rec = rep->records[i];
            if (strcmp(rec->key, s->key) != 0)
                log_fatal("%s: state.get answered key %s for %s", r->cursor, rec->key, s->key);
            s_slot_set(s, rec->found, rec->value.data, rec->value.len);
            s_cache_put(r, s);
        }
        protobuf_c_message_free_unpacked(&rep->base, NULL);
    }
    free(keys);
    free(slots);
    return rc;
}

/* s_send - one write-back call; chunk 0 for a whole batch, else the
 * chunk's number (part of the idempotency key: the cursor does not move) */
static int s_send(run_t *r, Ledger__Result **rp, size_t nr, Ledger__StateRecord **sp, size_t ns,
                  uint64_t new_cursor, int chunk, err_t *err)
{
    char idem[160];
    /* The instance makes a twin's identical write-back a CONFLICT rather
     * than a replay of this one's reply; a retry of ours keeps the key. */
    snprintf(idem, sizeof idem, "%s:%" PRIu64 "-%" PRIu64 ":%s:%d", r->cursor, r->stored,
             new_cursor, r->instance, chunk);
    Ledger__Meta meta = LEDGER__META__INIT;
    meta.actor = (char *)r->actor;
    meta.idempotency_key = idem;
    Ledger__WriteBack req = LEDGER__WRITE_BACK__INIT;
    req.meta = &meta;
    req.cursor = r->cursor;
    req.expected_cursor = r->stored;
    req.new_cursor = new_cursor;
    req.results = rp;
    req.n_results = nr;
    req.state_owner = r->cursor;
    req.states = sp;
    req.n_states = ns;
    Ledger__WriteBackReply *rep = NULL;
    if (s_call(r, FRAME_WRITE_BACK, &req.base, &ledger__write_back_reply__descriptor,
               (ProtobufCMessage **)&rep, err) < 0)
        return -1;
    r->stored = new_cursor;
    r->last_write_ms = s_now_ms();
    protobuf_c_message_free_unpacked(&rep->base, NULL);
    return 0;
}

/* s_write_back - results, changed state and the cursor, compare-and-set.
 * 1 when it is too large for one call (nothing sent); 0 done; -1 with err */
static int s_write_back(run_t *r, uint64_t new_cursor, int probe_size, size_t *n_results,
                        size_t *n_states, err_t *err)
{
    slot_t **res = s_table_sorted(&r->out.t), **st = s_table_sorted(&r->state.t);
    size_t nr = r->out.t.n, ns = 0, bytes = 0;
    Ledger__Result *results = xcalloc(nr ? nr : 1, sizeof *results);
    Ledger__Result **rp = xcalloc(nr ? nr : 1, sizeof *rp);
    Ledger__StateRecord *states = xcalloc(r->state.t.n ? r->state.t.n : 1, sizeof *states);
    Ledger__StateRecord **sp = xcalloc(r->state.t.n ? r->state.t.n : 1, sizeof *sp);
    int rc = 0;
    for (size_t i = 0; i < nr; i++) {
        char *sep = strchr(res[i]->key, '\x1f');
        *sep = '\0';   /* restored below */
        ledger__result__init(&results[i]);
        results[i].kind = res[i]->key;
        results[i].key = sep + 1;
        results[i].entity_id = res[i]->entity_id;
        results[i].partition_key = res[i]->partition_key;
        results[i].payload.data = res[i]->value;
        results[i].payload.len = res[i]->len;
        rp[i] = &results[i];
        bytes += res[i]->len + strlen(res[i]->key) + strlen(sep + 1) + 32;
    }
    for (size_t i = 0; i < r->state.t.n; i++) {
        if (!st[i]->dirty)
            continue;
        ledger__state_record__init(&states[ns]);
        states[ns].key = st[i]->key;
        states[ns].value.data = st[i]->value;
        states[ns].value.len = st[i]->len;
        states[ns].delete_ = !st[i]->found;
        sp[ns] = &states[ns];
        bytes += st[i]->len + strlen(st[i]->key) + 16;
        ns++;
    }
    *n_results = nr;
    *n_states = ns;
    int too_big = nr + ns > WRITE_ITEMS_MAX || bytes > WRITE_BYTES_MAX;
    if (too_big && probe_size) {
        rc = 1;   /* the caller halves the batch */
        goto done;
    }
    if (too_big && !r->spec->idempotent) {
        rc = err_set(err, ERR(OUT_OF_RANGE), "results",
                     "one event made %zu results and %zu state records (%zu bytes), more "
                     "than one write-back carries", nr, ns, bytes);
        goto done;
    }
    /* One event too large for one call (a policy change recomputing a
     * month): chunks that leave the cursor where it is, then the last one
     * that moves it. A crash between them replays the event, which the
     * worker has declared gives the same effects over its own partial ones. */
    size_t ri = 0, si = 0;
    for (int chunk = 1; rc == 0; chunk++) {
        size_t cr = 0, cs = 0, cb = 0;
        while (ri + cr < nr && cr + cs < WRITE_ITEMS_MAX &&
               cb + rp[ri + cr]->payload.len + 256 <= WRITE_BYTES_MAX)
            cb += rp[ri + cr++]->payload.len + 256;
        while (ri + cr == nr && si + cs < ns && cr + cs < WRITE_ITEMS_MAX &&
               cb + sp[si + cs]->value.len + 160 <= WRITE_BYTES_MAX)
            cb += sp[si + cs++]->value.len + 160;
        int last = ri + cr == nr && si + cs == ns;
        if (!last && cr + cs == 0)
            log_panic("%s: an item larger than a write-back", r->cursor);
        rc = s_send(r, rp + ri, cr, sp + si, cs, last ? new_cursor : r->stored,
                    last ? 0 : chunk, err);
        ri += cr;
        si += cs;
        if (last)
            break;
    }
    if (rc == 0)
        for (size_t i = 0; i < r->state.t.n; i++)   /* committed: now what ledgerd holds */
            if (st[i]->dirty)
                s_cache_put(r, st[i]);
done:
    for (size_t i = 0; i < nr; i++)
        res[i]->key[strlen(res[i]->key)] = '\x1f';
    free(results);
    free(rp);
    free(states);
    free(sp);
    free(res);
    free(st);
    return rc;
}

/* s_process - one batch: state in, domain function, write-back; halves the
 * batch while its write-back is too large. new_cursor: every seq up to it
 * has been considered once these events are. */
static int s_process(run_t *r, Ledger__Event *const *events, size_t n, uint64_t new_cursor,
                     size_t *n_results, size_t *n_states, err_t *err)
{
    s_table_clear(&r->state.t);
    s_table_clear(&r->out.t);
    if (!r->state.t.cap)
        s_table_grow(&r->state.t);
    if (!r->out.t.cap)
        s_table_grow(&r->out.t);
    worker_keys_t keys = { &r->state };
    r->state.run = r;
    r->state.n_pending = 0;
    r->spec->keys(r->spec->ctx, events, n, &keys);
    if (s_read_state(r, err) < 0)
        return -1;
    if (r->spec->batch(r->spec->ctx, events, n, &r->state, &r->out, err) < 0)
        return -1;
    int rc = s_write_back(r, new_cursor, n > 1, n_results, n_states, err);
    if (rc != 1)
        return rc;
    size_t half = n / 2, r1, s1, r2, s2;
    if (s_process(r, events, half, events[half - 1]->seq, &r1, &s1, err) < 0 ||
        s_process(r, events + half, n - half, new_cursor, &r2, &s2, err) < 0)
        return -1;
    *n_results = r1 + r2;
    *n_states = s1 + s2;
    return 0;
}

/* s_flush_cursor - move the stored cursor over events that needed nothing */
static int s_flush_cursor(run_t *r, uint64_t pos, err_t *err)
{
    if (pos <= r->stored)
        return 0;
    s_table_clear(&r->state.t);
    s_table_clear(&r->out.t);
    size_t nr, ns;
    return s_write_back(r, pos, 0, &nr, &ns, err);
}

/* s_follow - the main loop */
static int s_follow(run_t *r)
{
    err_t err;
    if (s_connect(r, &err) < 0)
        goto fail;
    follow_opts_t fo = { .client = r->client, .events_endpoint = r->events,
                         .kinds = r->kinds, .n_kinds = r->n_kinds,
                         .partition_index = r->part_index, .partition_count = r->part_count,
                         .page = r->batch };
    follow_t *f = follow_new(&fo, r->stored);
    if (!f)
        log_fatal("%s: --events %s: %s", r->cursor, r->events, strerror(errno));
    log_info("%s: following from seq %" PRIu64, r->cursor, r->stored);
    int64_t started = s_now_ms();
    uint64_t start_pos = r->stored;
    int was_caught_up = 0;
    r->last_write_ms = s_now_ms();
    while (!s_stop) {
        follow_batch_t b;
        int64_t t0 = s_now_ms();
        if (follow_next(f, &b, WORKER_WAIT_MS, &err) < 0) {
            if (err.code != ERR(TIMEOUT))
                goto fail_follow;
            if (!r->down)   /* ledgerd away (restarting?): ZeroMQ reconnects, we ask again */
                log_warn("%s: %s; retrying", r->cursor, err.msg);
            r->down = 1;
            continue;
        }
        if (r->down)
            log_info("%s: ledgerd answers again", r->cursor);
        r->down = 0;
        if (b.n) {
            size_t nr = 0, ns = 0;
            if (s_process(r, b.events, b.n, b.pos, &nr, &ns, &err) < 0)
                goto fail_follow;
            int64_t ms = s_now_ms() - t0;
            log_info("%s: cursor %" PRIu64 ", %zu events (%" PRIu64 " scanned), "
                     "%" PRIu64 " events/s, %zu results, %zu states", r->cursor, b.pos, b.n,
                     b.scanned, b.scanned * 1000 / (uint64_t)(ms > 0 ? ms : 1), nr, ns);
        } else if (b.pos > r->stored &&
                   (b.pos - r->stored >= WORKER_LAG_MAX ||
                    s_now_ms() - r->last_write_ms >= WORKER_IDLE_MS)) {
            if (s_flush_cursor(r, b.pos, &err) < 0)
                goto fail_follow;
        }
        if (b.caught_up && !was_caught_up) {
            int64_t ms = s_now_ms() - started;
            log_info("%s: caught up at seq %" PRIu64 ": %" PRIu64 " seqs in %" PRId64
                     " ms (%" PRIu64 " events/s)", r->cursor, b.pos, b.pos - start_pos, ms,
                     (b.pos - start_pos) * 1000 / (uint64_t)(ms > 0 ? ms : 1));
            was_caught_up = 1;
        }
        if (r->once && b.caught_up) {
            if (s_flush_cursor(r, b.pos, &err) < 0)
                goto fail_follow;
            break;
        }
    }
    follow_destroy(&f);
    log_info("%s: stopped at seq %" PRIu64, r->cursor, r->stored);
    return 0;
fail_follow:
    follow_destroy(&f);
fail:
    if (s_stop && err.code == ERR(TIMEOUT)) {
        log_info("%s: stopped at seq %" PRIu64, r->cursor, r->stored);
        return 0;   /* told to stop while ledgerd was away */
    }
    if (err.code == ERR(CONFLICT))
        log_warn("%s: another instance has written this cursor: %s; stopping", r->cursor,
                 err.msg);
    else
        log_warn("%s: %s%s%s: %s", r->cursor, err_code_name(err.code), *err.field ? " " : "",
                 err.field, err.msg);
    return 1;
}

static void s_usage(const worker_spec_t *spec, const char *program, FILE *to)
{
    fprintf(to,
            "usage: %s [options]\n"
            "\n"
            "%s\n"
            "\n"
            "Follows ledgerd's event log from its cursor (%s:<K>/<N>), and writes its\n"
            "results, its state and the new cursor back in one compare-and-set call.\n"
            "\n"
            "  --endpoint URL    ledgerd requests (env LEDGER_ENDPOINT; " WORKER_ENDPOINT ")\n"
            "  --events URL      ledgerd events (env LEDGER_EVENTS; " WORKER_EVENTS ")\n"
            "  --partition K/N   handle partition K of N, 0 <= K < N (default 0/1)\n"
            "  --cert FILE       its certificate, role worker:%s (env LEDGER_CERT)\n"
            "  --actor NAME      a name sent along; ledgerd records the certificate's\n"
            "                    name instead\n"
            "  --batch N         events per batch, 1..10000 (default %d)\n"
            "  --timeout MS      wait per request before retrying (default %d)\n"
            "  --cache-mib N     keep up to N MiB of state in memory (default %d; 0: none)\n"
            "  --once            catch up with the log, write back, and exit\n"
            "  --name NAME       follow as NAME: a cursor and state of its own (results\n"
            "                    are shared by kind and key), e.g. to check that a replay\n"
            "                    from seq 1 gives the same results (default %s)\n"
            "  --quiet           no line per batch\n"
            "%s"
            "  -h, --help        this text\n"
            "\n"
            "Exit status: 0 stopped (SIGTERM, SIGINT, or --once caught up); 1 cannot go\n"
            "on (another instance owns the cursor, a refused write-back); 2 bad usage.\n",
            program, spec->summary, spec->name, spec->name, WORKER_BATCH, WORKER_TIMEOUT_MS,
            WORKER_CACHE_MIB, spec->name, spec->options_help ? spec->options_help : "");
}

/* s_usage_error - one line naming the option, exit status 2 */
static int s_usage_error(const worker_spec_t *spec, const char *fmt, const char *arg)
{
    if (spec->program)
        fprintf(stderr, "%s: ", spec->program);
    else
        fprintf(stderr, "ledger-%s: ", spec->name);
    fprintf(stderr, fmt, arg);
    fprintf(stderr, " (try --help)\n");
    return 2;
}

/* s_number - a whole decimal number within [lo, hi] */
static int s_number(const char *text, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || end == text || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

int worker_main(int argc, char **argv, const worker_spec_t *spec)
{
    assert(spec && spec->name && spec->keys && spec->batch);
    enum { OPT_ENDPOINT = 256, OPT_EVENTS, OPT_PARTITION, OPT_ACTOR, OPT_BATCH, OPT_TIMEOUT,
           OPT_ONCE, OPT_QUIET, OPT_CACHE, OPT_NAME, OPT_CERT };
    static const struct option base_opts[] = {
        { "endpoint", required_argument, NULL, OPT_ENDPOINT },
        { "events", required_argument, NULL, OPT_EVENTS },
        { "partition", required_argument, NULL, OPT_PARTITION },
        { "actor", required_argument, NULL, OPT_ACTOR },
        { "cert", required_argument, NULL, OPT_CERT },
        { "batch", required_argument, NULL, OPT_BATCH },
        { "timeout", required_argument, NULL, OPT_TIMEOUT },
        { "once", no_argument, NULL, OPT_ONCE },
        { "quiet", no_argument, NULL, OPT_QUIET },
        { "cache-mib", required_argument, NULL, OPT_CACHE },
        { "name", required_argument, NULL, OPT_NAME },
        { "help", no_argument, NULL, 'h' } };
    /* The runtime's options, then the program's own, then the end. */
    size_t n_base = sizeof base_opts / sizeof *base_opts, n_more = 0;
    while (spec->options && spec->options[n_more].name)
        n_more++;
    struct option opts[32] = { { 0 } };
    assert(n_base + n_more < sizeof opts / sizeof *opts);
    memcpy(opts, base_opts, sizeof base_opts);
    if (n_more)
        memcpy(opts + n_base, spec->options, n_more * sizeof *opts);
    char default_actor[80], program[80];
    snprintf(default_actor, sizeof default_actor, "worker:%s", spec->name);
    if (spec->program)
        snprintf(program, sizeof program, "%s", spec->program);
    else
        snprintf(program, sizeof program, "ledger-%s", spec->name);
    const char *env;
    run_t r = { .spec = spec, .batch = WORKER_BATCH, .timeout_ms = WORKER_TIMEOUT_MS,
                .part_count = 1, .cache_budget = (size_t)WORKER_CACHE_MIB << 20 };
    r.endpoint = (env = getenv("LEDGER_ENDPOINT")) && *env ? env : WORKER_ENDPOINT;
    r.events = (env = getenv("LEDGER_EVENTS")) && *env ? env : WORKER_EVENTS;
    r.actor = default_actor;   /* not LEDGER_ACTOR: that names the person at ledgerctl */
    int quiet = 0, c;
    long v;
    const char *name = spec->name;
    optind = 0;   /* from argv[1], even when argv is one command of a larger program */
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case OPT_ENDPOINT: r.endpoint = optarg; break;
        case OPT_EVENTS:   r.events = optarg; break;
        case OPT_ACTOR:    r.actor = optarg; break;
        case OPT_CERT:     setenv("LEDGER_CERT", optarg, 1); break;   /* client.c reads it */
        case OPT_ONCE:     r.once = 1; break;
        case OPT_QUIET:    quiet = 1; break;
        case OPT_PARTITION: {
            unsigned k, n;
            char tail;
            if (sscanf(optarg, "%u/%u%c", &k, &n, &tail) != 2 || n == 0 || n > 1024 || k >= n)
                return s_usage_error(spec, "--partition: want K/N with 0 <= K < N <= 1024, got '%s'",
                                     optarg);
            if (spec->unpartitioned && n > 1)
                return s_usage_error(spec, "--partition: this worker runs as one instance, got '%s'",
                                     optarg);
            r.part_index = k;
            r.part_count = n;
            break;
        }
        case OPT_BATCH:
            if (s_number(optarg, 1, 10000, &v) < 0)
                return s_usage_error(spec, "--batch: want 1..10000, got '%s'", optarg);
            r.batch = (uint32_t)v;
            break;
        case OPT_NAME:
            if (!*optarg || strlen(optarg) > 40 || strpbrk(optarg, ":/ "))
                return s_usage_error(spec, "--name: want 1..40 characters without ':', '/' "
                                     "or spaces, got '%s'", optarg);
            name = optarg;
            break;
        case OPT_CACHE:
            if (s_number(optarg, 0, 65536, &v) < 0)
                return s_usage_error(spec, "--cache-mib: want 0..65536, got '%s'", optarg);
            r.cache_budget = (size_t)v << 20;
            break;
        case OPT_TIMEOUT:
            if (s_number(optarg, 100, 600000, &v) < 0)
                return s_usage_error(spec, "--timeout: want 100..600000 ms, got '%s'", optarg);
            r.timeout_ms = (int)v;
            break;
        case 'h':
            s_usage(spec, program, stdout);
            return 0;
        default:
            if (c >= 1024 && spec->option) {   /* the program's own */
                int rc = spec->option(spec->ctx, c, optarg);
                if (rc)
                    return rc;
                break;
            }
            return s_usage_error(spec, "unknown option or missing value: '%s'",
                                 argv[optind - 1]);
        }
    }
    if (optind < argc)
        return s_usage_error(spec, "unexpected argument '%s'", argv[optind]);
    if (!*r.actor || strlen(r.actor) > 64)
        return s_usage_error(spec, "--actor: want 1..64 bytes, got '%s'", r.actor);
    snprintf(r.cursor, sizeof r.cursor, "%s:%u/%u", name, r.part_index, r.part_count);
    uint8_t nonce[8];
    if (sodium_init() < 0)
        log_fatal("%s: libsodium does not start", program);
    randombytes_buf(nonce, sizeof nonce);
    sodium_bin2hex(r.instance, sizeof r.instance, nonce, sizeof nonce);

    log_init(program);
    log_quiet(quiet);
    struct sigaction sa = { .sa_handler = s_on_signal };   /* no SA_RESTART: waits end */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    for (const char *const *k = spec->kinds; k && *k; k++) {
        r.kinds = xrealloc(r.kinds, (r.n_kinds + 1) * sizeof *r.kinds);
        r.kinds[r.n_kinds++] = (char *)*k;
    }
    r.kinds = xrealloc(r.kinds, (r.n_kinds + 1) * sizeof *r.kinds);
    r.kinds[r.n_kinds++] = "clock";
    r.client = client_new(r.endpoint, r.actor, r.timeout_ms);
    if (!r.client)
        return s_usage_error(spec, "--endpoint: cannot use '%s'", r.endpoint);

    int rc = s_follow(&r);

    client_destroy(&r.client);
    s_table_clear(&r.state.t);
    s_table_clear(&r.out.t);
    s_table_clear(&r.cache);
    free(r.cache.slots);
    free(r.state.pending);
    free(r.state.t.slots);
    free(r.out.t.slots);
    free(r.kinds);
    return rc;
}
