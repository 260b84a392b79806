/* dispatch - ledgerd's heart: group commit over LMDB.
 *
 * DESIGN. The loop drains every request that is ready, up to a count and a
 * time bound, and applies them in order in one write transaction, each in a
 * nested transaction of its own: a request that fails is rolled back alone
 * and answered with its error, and later requests see what earlier ones
 * wrote. Then one commit (one pair of flushes for the whole batch), and only
 * then the replies and the events: nothing is acknowledged or published
 * that a crash could still undo. When the map fills mid-batch, the whole
 * transaction is dropped, the map grown with no transaction open, and the
 * batch applied again from its first request. Sends never block: a slow or
 * vanished client loses its own replies, never the loop's time. A backup is
 * the one request answered later: its handler only checks it, the copy
 * starts after the batch in a thread of its own (backup.c), and its reply
 * waits in d->pending until the loop sees the copy end (dispatch_finish). */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "backup.h"
#include "clock.h"
#include "codec.h"
#include "dispatch.h"
#include "authorise.h"
#include "idem.h"
#include "keyring.h"
#include "keys.h"
#include "log.h"
#include "policy.pb-c.h"
#include "publish.h"
#include "validate.h"
#include "xmalloc.h"

#define SERVER_NAME "ledgerd 0.1.0"
#define IDEM_PURGE_MAX 10000

static int s_hello(apply_t *a, const ProtobufCMessage *req, err_t *err);

typedef struct {
    uint8_t type;
    const ProtobufCMessageDescriptor *desc;
    apply_fn fn;
    int write;      /* 1: needs an idempotency key and changes the ledger */
    int deferred;   /* 1: answered when its work ends (dispatch_finish), not after the batch */
} handler_t;

static const handler_t s_handlers[] = {
    { FRAME_HELLO,          &ledger__hello__descriptor,          s_hello,               0 },
    { FRAME_STAFF_ADD,      &ledger__staff_add__descriptor,      entity_staff_add,      1 },
    { FRAME_STAFF_AMEND,    &ledger__staff_amend__descriptor,    entity_staff_amend,    1 },
    { FRAME_CUSTOMER_ADD,   &ledger__customer_add__descriptor,   entity_customer_add,   1 },
    { FRAME_CUSTOMER_AMEND, &ledger__customer_amend__descriptor, entity_customer_amend, 1 },
    { FRAME_ORDER_ADD,      &ledger__order_add__descriptor,      entity_order_add,      1 },
    { FRAME_ORDER_AMEND,    &ledger__order_amend__descriptor,    entity_order_amend,    1 },
    { FRAME_ORDER_BATCH,    &ledger__order_batch__descriptor,    entity_order_batch,    1 },
    { FRAME_GET,            &ledger__get__descriptor,            entity_get,            0 },
    { FRAME_LIST,           &ledger__list__descriptor,           entity_list,           0 },
    { FRAME_REPLAY,         &ledger__replay__descriptor,         replay_read,           0 },
    { FRAME_CURSOR_GET,     &ledger__cursor_get__descriptor,     cursor_get,            0 },
    { FRAME_STATE_GET,      &ledger__state_get__descriptor,      cursor_state_get,      0 },
    { FRAME_WRITE_BACK,     &ledger__write_back__descriptor,     cursor_write_back,     1 },
    { FRAME_CLOCK_SET,      &ledger__clock_set__descriptor,      clock_set,             1 },
    { FRAME_POLICY_SET,     &ledger__policy_set__descriptor,     policy_set,            1 },
    { FRAME_POLICY_GET,     &ledger__policy_get__descriptor,     policy_get,            0 },
    { FRAME_BACKUP,         &ledger__backup__descriptor,         backup_start,          0, 1 },
    { FRAME_RECORD_ADD,     &ledger__record_add__descriptor,     entity_record_add,     1 },
    { FRAME_RECORD_AMEND,   &ledger__record_amend__descriptor,   entity_record_amend,   1 },
    { FRAME_RECORD_BATCH,   &ledger__record_batch__descriptor,   entity_record_batch,   1 },
    { FRAME_RESULT_GET,     &ledger__result_get__descriptor,     cursor_result_get,     0 },
    { FRAME_MONTH_CLOSE,    &ledger__month_close__descriptor,    month_close,           1 },
    { FRAME_RESULT_LIST,    &ledger__result_list__descriptor,    cursor_result_list,    0 },
    { FRAME_FINDING_STATUS, &ledger__finding_status_set__descriptor, finding_status_set, 1 },
    { FRAME_KEY_ADD,        &ledger__key_add__descriptor,        key_add,               1 },
    { FRAME_KEY_REVOKE,     &ledger__key_revoke__descriptor,     key_revoke,            1 },
    { FRAME_KEY_LIST,       &ledger__key_list__descriptor,       key_list,              0 },
};

struct dispatch {
    store_t         *store;
    const options_t *opt;
    void            *router;
    void            *pub;
    apply_t          a;
    request_t       *reqs;     /* batch_max slots, reused */
    request_t        pending;  /* the deferred request: identity and id, awaiting its reply */
    keyring_entry_t  caller;   /* the current request's key, as the keyring has it */
    err_t            full;     /* why the batch's writes are refused (a commit failed) */
};

static const handler_t *s_handler(uint8_t type)
{
    for (size_t i = 0; i < sizeof s_handlers / sizeof *s_handlers; i++)
        if (s_handlers[i].type == type)
            return &s_handlers[i];
    return NULL;
}

void apply_reply(apply_t *a, const ProtobufCMessage *msg)
{
    free(a->reply);
    a->reply_len = codec_pack(msg, &a->reply);
}

void apply_reply_raw(apply_t *a, const void *packed, size_t len)
{
    free(a->reply);
    a->reply = xmalloc(len ? len : 1);
    memcpy(a->reply, packed, len);
    a->reply_len = len;
}

void apply_write_reply(apply_t *a, uint64_t id, const char *code, uint64_t version, uint64_t seq)
{
    Ledger__WriteReply rep = LEDGER__WRITE_REPLY__INIT;
    rep.id = id;
    rep.code = (char *)code;
    rep.version = version;
    rep.seq = seq;
    apply_reply(a, &rep.base);
}

void apply_drop_events_from(apply_t *a, size_t mark)
{
    if (mark < a->n_events)   /* none queued: events may still be NULL */
        publish_discard(a->events + mark, a->n_events - mark);
    a->n_events = mark;
}

static int s_hello(apply_t *a, const ProtobufCMessage *req, err_t *err)
{
    Ledger__HelloReply rep = LEDGER__HELLO_REPLY__INIT;
    rep.protocol_version = FRAME_VERSION;
    rep.server = SERVER_NAME;
    rep.time_zone = (char *)a->opt->time_zone;
    rep.ledger_time_ms = a->counters.ledger_ms;
    rep.last_seq = a->counters.last_seq;
    rep.test_clock = a->opt->test_clock;
    rep.max_message_bytes = FRAME_MAX_BYTES;
    apply_reply(a, &rep.base);
    return 0;
}

/* s_caller - who sent r, from its connection's key: a->actor, a->role,
 * a->who and the scope of its idempotency keys. In-process callers (tests,
 * no sockets) are admin under their declared name. */
static int s_caller(dispatch_t *d, const request_t *r, const Ledger__Meta *meta,
                    const char **scope, err_t *err)
{
    apply_t *a = &d->a;
    if (!r->user[0] && !d->router) {
        a->actor = meta->actor;
        a->role = "admin";
        a->who = (role_t){ .kind = ROLE_ADMIN };
        *scope = meta->actor;
        return 0;
    }
    if (!r->user[0] || keyring_find(r->user, &d->caller) != 0)
        return err_set(err, ERR(FORBIDDEN), "", "this connection has no key ledgerd holds");
    if (d->caller.revoked)
        return err_set(err, ERR(FORBIDDEN), "", "this key was revoked (%s, %s)", d->caller.role,
                       d->caller.name);
    if (role_parse(d->caller.role, &a->who, "role", err) < 0)
        return -1;
    a->actor = d->caller.name;
    a->role = d->caller.role;
    *scope = d->caller.public_key;
    return 0;
}

static void s_reply_error(request_t *r, const err_t *err)
{
    Ledger__Error e = LEDGER__ERROR__INIT;
    e.code = err->code;
    e.field = (char *)err->field;
    e.message = (char *)err->msg;
    free(r->reply);
    r->reply_len = codec_pack(&e.base, &r->reply);
    r->reply_type = FRAME_ERROR;
    r->deferred = 0;   /* an error is answered at once */
}

static void s_reply_ok(request_t *r, uint8_t type, uint8_t *body, size_t len)
{
    free(r->reply);
    r->reply = body;
    r->reply_len = len;
    r->reply_type = type | FRAME_REPLY;
}

static const Ledger__Meta *s_meta(const handler_t *h, const ProtobufCMessage *msg)
{
    const ProtobufCFieldDescriptor *fd = protobuf_c_message_descriptor_get_field(h->desc, 1);
    return *(Ledger__Meta *const *)((const char *)msg + fd->offset);
}

/* s_apply - one request in its own nested transaction. Returns 1 when the
 * map filled (the batch must be retried after growing), else 0. */
static int s_apply(dispatch_t *d, MDB_txn *parent, request_t *r)
{
    apply_t *a = &d->a;
    err_t err = { 0 };
    frame_header_t hdr;
    ProtobufCMessage *msg = NULL;
    MDB_txn *child = NULL;
    int map_full = 0;

    if (r->header_len == FRAME_HEADER_SIZE)   /* echo the id whenever it can be read */
        r->request_id = ((uint64_t)r->header[8] << 56) | ((uint64_t)r->header[9] << 48) |
                        ((uint64_t)r->header[10] << 40) | ((uint64_t)r->header[11] << 32) |
                        ((uint64_t)r->header[12] << 24) | ((uint64_t)r->header[13] << 16) |
                        ((uint64_t)r->header[14] << 8) | r->header[15];
    if (frame_decode(&hdr, r->header, r->header_len, &err) < 0)
        goto fail;
    if (r->storage_full && backup_running()) {
        err_set(&err, ERR(STORAGE_FULL), "", "the ledger's storage map is full and cannot "
                "grow while a backup is being written; nothing was written, retry later");
        goto fail;
    }
    if (r->storage_full) {
        if (d->full.code)
            err = d->full;
        else
            err_set(&err, ERR(STORAGE_FULL), "", "the ledger's storage map is full and at its "
                    "--map-max-mib; nothing was written");
        goto fail;
    }
    if (r->frames != 2) {
        err_set(&err, ERR(BAD_FRAME), "", "a request is 2 frames (header, body), got %d",
                r->frames);
        goto fail;
    }
    const handler_t *h = s_handler(hdr.type);
    if (!h) {
        err_set(&err, ERR(UNKNOWN_TYPE), "header.type", "message type 0x%02x is not a request",
                hdr.type);
        goto fail;
    }
    r->write = h->write;
    if (!(msg = codec_unpack(h->desc, r->body, r->body_len, &err)))
        goto fail;
    const Ledger__Meta *meta = s_meta(h, msg);
    const char *scope = "";
    a->txn = parent;
    if (validate_meta(meta, h->write, &err) < 0 || s_caller(d, r, meta, &scope, &err) < 0 ||
        authorise(a, hdr.type, msg, &err) < 0)
        goto fail;

    uint8_t hash[IDEM_HASH_BYTES];
    if (h->write) {
        uint8_t *first;
        size_t first_len;
        idem_hash(hash, hdr.type, msg);
        int seen = idem_lookup(a, scope, meta->idempotency_key, hash, &first, &first_len, &err);
        if (seen < 0)
            goto fail;
        if (seen) {   /* a retry: the first reply again, nothing written */
            s_reply_ok(r, hdr.type, first, first_len);
            goto done;
        }
    }
    /* A read changes nothing, so it needs no nested transaction of its own
     * (LMDB allocates a dirty-page list of 2 MiB for every nested one). */
    int rc = h->write ? mdb_txn_begin(d->store->env, parent, 0, &child) : 0;
    if (rc) {
        store_error(d->store, rc, "begin", &err);
        goto fail;
    }
    store_counters_t saved = a->counters;
    size_t mark = a->n_events;
    a->txn = h->write ? child : parent;
    free(a->reply);
    a->reply = NULL;
    a->reply_len = 0;
    d->store->map_full = 0;
    rc = h->fn(a, msg, &err);
    if (rc == 0 && h->write)
        rc = idem_record(a, scope, meta->idempotency_key, hash, hdr.type | FRAME_REPLY, &err);
    if (child && rc == 0 && (rc = mdb_txn_commit(child)) != 0)
        rc = store_error(d->store, rc, "commit", &err);
    else if (child && rc < 0)
        mdb_txn_abort(child);
    child = NULL;
    a->txn = parent;
    if (rc < 0) {
        a->counters = saved;
        apply_drop_events_from(a, mark);
        map_full = d->store->map_full;
        goto fail;
    }
    a->wrote |= h->write;
    s_reply_ok(r, hdr.type, a->reply, a->reply_len);
    r->deferred = h->deferred;
    a->reply = NULL;
    a->reply_len = 0;
    goto done;
fail:
    s_reply_error(r, &err);
done:
    if (msg)
        protobuf_c_message_free_unpacked(msg, NULL);
    return map_full;
}

static void s_fail_all(request_t *reqs, size_t n, const err_t *err)
{
    for (size_t i = 0; i < n; i++)
        s_reply_error(&reqs[i], err);
}

/* s_grow - growing remaps the file, which a running backup is still reading:
 * until the copy ends, a full map refuses the write (STORAGE_FULL, retry) */
static int s_grow(dispatch_t *d)
{
    return backup_running() ? -1 : store_grow(d->store);
}

/* s_batch - one transaction, one commit, then replies and events */
static void s_batch(dispatch_t *d, request_t *reqs, size_t n)
{
    apply_t *a = &d->a;
    err_t err = { 0 };
    for (;;) {
        MDB_txn *parent;
        int rc = mdb_txn_begin(d->store->env, NULL, 0, &parent);
        if (rc) {
            store_error(d->store, rc, "begin", &err);
            s_fail_all(reqs, n, &err);
            return;
        }
        a->counters = d->store->counters;
        a->n_events = 0;
        a->wrote = 0;
        a->keys_changed = 0;
        clock_advance(a);
        size_t full = n;   /* the request that found the map full, if one did */
        for (size_t i = 0; i < n && full == n; i++)
            if (s_apply(d, parent, &reqs[i]))
                full = i;
        if (full < n) {
            /* The map grows only with no transaction open: drop this one,
             * grow, and apply the batch again. When it cannot grow, that
             * request is refused and the rest are applied again. */
            mdb_txn_abort(parent);
            apply_drop_events_from(a, 0);
            if (s_grow(d) < 0)
                reqs[full].storage_full = 1;
            continue;
        }
        if (!a->wrote) {
            mdb_txn_abort(parent);   /* reads only: nothing to make durable */
            return;
        }
        rc = mdb_txn_commit(parent);
        if (rc == MDB_MAP_FULL && s_grow(d) == 0) {
            apply_drop_events_from(a, 0);
            continue;
        }
        if (rc) {
            store_error(d->store, rc, "commit", &err);
            apply_drop_events_from(a, 0);
            if (err.code == ERR(STORAGE_FULL) && !d->full.code) {
                /* The disk is full: refuse the writes and apply the batch
                 * again, so its reads are answered all the same. */
                d->full = err;
                for (size_t i = 0; i < n; i++)
                    reqs[i].storage_full |= reqs[i].write;
                continue;
            }
            s_fail_all(reqs, n, &err);
            return;
        }
        d->store->counters = a->counters;
        if (a->keys_changed && keyring_load(d->store, &err) < 0)
            log_warn("keys changed but could not be reloaded: %s", err.msg);
        a->keys_changed = 0;
        publish_events(d->pub, a->events, a->n_events);
        a->n_events = 0;
        return;
    }
}

/* s_finish - wait for the copy and put its outcome in r as its reply */
static void s_finish(request_t *r)
{
    err_t err = { 0 };
    uint8_t *body;
    size_t len;
    if (backup_finish(&body, &len, &err) < 0)
        s_reply_error(r, &err);
    else
        s_reply_ok(r, FRAME_BACKUP, body, len);
    r->deferred = 0;
}

/* s_start_deferred - start the work of deferred requests, with no
 * transaction open (a copy must not wait on this thread's writer) */
static void s_start_deferred(dispatch_t *d, request_t *reqs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        request_t *r = &reqs[i];
        if (!r->deferred)
            continue;
        err_t err = { 0 };
        Ledger__Backup *req = (Ledger__Backup *)codec_unpack(&ledger__backup__descriptor,
                                                             r->body, r->body_len, &err);
        assert(req);   /* its handler accepted the same bytes */
        int rc = backup_launch(d->store, req, &err);
        protobuf_c_message_free_unpacked(&req->base, NULL);
        if (rc < 0) {
            s_reply_error(r, &err);
        } else if (!d->router) {
            s_finish(r);   /* no sockets (in-process tests): the copy is waited for here */
        } else {
            request_t *p = &d->pending;
            memcpy(p->identity, r->identity, r->identity_len);
            p->identity_len = r->identity_len;
            p->request_id = r->request_id;
            p->deferred = 1;
        }
    }
}

/* dispatch_batch - the batch, then the deferred work it accepted */
void dispatch_batch(dispatch_t *d, request_t *reqs, size_t n)
{
    err_clear(&d->full);
    s_batch(d, reqs, n);
    s_start_deferred(d, reqs, n);
}

int dispatch_deferred_fd(dispatch_t *d)
{
    return d->pending.deferred ? backup_fd() : -1;
}

/* dispatch_finish - never blocks on the client: a vanished one loses the reply */
void dispatch_finish(dispatch_t *d)
{
    request_t *p = &d->pending;
    if (!p->deferred)
        return;
    s_finish(p);
    if (d->router && p->identity_len)
        frame_send(d->router, p->identity, p->identity_len, p->reply_type, p->request_id,
                   p->reply, p->reply_len, ZMQ_DONTWAIT);
    dispatch_request_reset(p);
}

dispatch_t *dispatch_new(store_t *store, const options_t *opt, void *router, void *pub)
{
    dispatch_t *d = xcalloc(1, sizeof *d);
    d->store = store;
    d->opt = opt;
    d->router = router;
    d->pub = pub;
    d->a.store = store;
    d->a.opt = opt;
    d->reqs = xcalloc(opt->batch_max, sizeof *d->reqs);
    return d;
}

void dispatch_attach(dispatch_t *d, void *router, void *pub)
{
    d->router = router;
    d->pub = pub;
}

int dispatch_trust(dispatch_t *d, const char *dir, size_t *added, err_t *err)
{
    apply_t *a = &d->a;
    MDB_txn *txn;
    int rc = mdb_txn_begin(d->store->env, NULL, 0, &txn);
    if (rc)
        return store_error(d->store, rc, "begin", err);
    a->counters = d->store->counters;
    a->n_events = 0;
    a->txn = txn;
    a->actor = "ledgerd";
    a->role = "server";
    rc = keys_trust(a, dir, added, err);
    if (rc == 0 && (rc = mdb_txn_commit(txn)) != 0)
        rc = store_error(d->store, rc, "commit", err);
    else if (rc < 0)
        mdb_txn_abort(txn);
    if (rc == 0) {
        d->store->counters = a->counters;
        publish_events(d->pub, a->events, a->n_events);
        a->n_events = 0;
    }
    apply_drop_events_from(a, 0);
    return rc < 0 || keyring_load(d->store, err) < 0 ? -1 : 0;
}

void dispatch_request_reset(request_t *r)
{
    if (r->has_body_msg)
        zmq_msg_close(&r->body_msg);
    free(r->reply);
    memset(r, 0, sizeof *r);
}

void dispatch_destroy(dispatch_t **self_p)
{
    assert(self_p);
    if (!*self_p)
        return;
    dispatch_t *d = *self_p;
    dispatch_finish(d);   /* a running copy ends before the store may close */
    for (int i = 0; i < d->opt->batch_max; i++)
        dispatch_request_reset(&d->reqs[i]);
    free(d->reqs);
    free(d->a.events);
    free(d->a.reply);
    free(d);
    *self_p = NULL;
}

static int64_t s_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* s_recv - one multipart request off the ROUTER; 0 when none is ready */
static int s_recv(dispatch_t *d, request_t *r)
{
    zmq_msg_t part;
    zmq_msg_init(&part);
    if (zmq_msg_recv(&part, d->router, ZMQ_DONTWAIT) < 0) {
        zmq_msg_close(&part);
        return 0;
    }
    memset(r, 0, sizeof *r);
    r->identity_len = zmq_msg_size(&part) < sizeof r->identity ? zmq_msg_size(&part) : 0;
    memcpy(r->identity, zmq_msg_data(&part), r->identity_len);
    int more = zmq_msg_more(&part);
    zmq_msg_close(&part);
    while (more) {
        zmq_msg_init(&part);
        if (zmq_msg_recv(&part, d->router, 0) < 0) {
            zmq_msg_close(&part);
            break;
        }
        more = zmq_msg_more(&part);
        r->frames++;
        if (r->frames == 1) {
            /* The key ZAP let in (zap.c), on each frame the peer sent (the
             * routing id is the ROUTER's own and carries none). */
            const char *user = zmq_msg_gets(&part, "User-Id");
            if (user)
                snprintf(r->user, sizeof r->user, "%s", user);
            r->header_len = zmq_msg_size(&part);   /* frame_decode refuses a wrong size */
            memcpy(r->header, zmq_msg_data(&part),
                   r->header_len < sizeof r->header ? r->header_len : sizeof r->header);
            zmq_msg_close(&part);
        } else if (r->frames == 2) {
            r->body_msg = part;   /* kept, not copied */
            r->has_body_msg = 1;
            r->body = zmq_msg_data(&r->body_msg);
            r->body_len = zmq_msg_size(&r->body_msg);
        } else {
            zmq_msg_close(&part);
        }
    }
    return 1;
}

int dispatch_drain(dispatch_t *d)
{
    size_t n = 0;
    int64_t deadline = s_now_us() + d->opt->batch_us;
    while (n < (size_t)d->opt->batch_max && s_recv(d, &d->reqs[n])) {
        n++;
        if (s_now_us() >= deadline)
            break;
    }
    if (n == 0)
        return 0;
    dispatch_batch(d, d->reqs, n);
    for (size_t i = 0; i < n; i++) {
        request_t *r = &d->reqs[i];
        if (r->identity_len && !r->deferred)   /* a deferred reply: dispatch_finish */
            frame_send(d->router, r->identity, r->identity_len, r->reply_type, r->request_id,
                       r->reply, r->reply_len, ZMQ_DONTWAIT);
        dispatch_request_reset(r);
    }
    return (int)n;
}

void dispatch_tick(dispatch_t *d)
{
    apply_t *a = &d->a;
    err_t err = { 0 };
    for (int attempt = 0; attempt < 2; attempt++) {
        MDB_txn *txn;
        int rc = mdb_txn_begin(d->store->env, NULL, 0, &txn);
        if (rc) {
            log_warn("tick: begin: %s", mdb_strerror(rc));
            return;
        }
        a->counters = d->store->counters;
        a->n_events = 0;
        a->txn = txn;
        a->actor = "ledgerd";
        a->role = "server";
        rc = idem_purge(a, IDEM_PURGE_MAX, &err);
        if (rc == 0 && !d->opt->test_clock)
            rc = clock_tick(a, &err);
        if (rc == 0 && (rc = mdb_txn_commit(txn)) != 0)
            rc = store_error(d->store, rc, "tick commit", &err);
        else if (rc < 0)
            mdb_txn_abort(txn);
        if (rc == 0) {
            d->store->counters = a->counters;
            publish_events(d->pub, a->events, a->n_events);
            a->n_events = 0;
            return;
        }
        apply_drop_events_from(a, 0);
        if (!d->store->map_full || s_grow(d) < 0) {
            log_warn("tick: %s", err.msg);
            return;
        }
    }
}
