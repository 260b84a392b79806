/* client - one request, one reply, over a DEALER socket with a timeout.
 * Each client owns its ZeroMQ context and socket and has at most one request
 * in flight. Replies to earlier requests (late answers to calls that timed
 * out) are recognised by request id and dropped; after a timeout the socket
 * is recreated so nothing queued for the old request can reach a later call.
 * Retrying, and what a timeout means to the user, is left to the caller.
 *
 * Security: the connection is CURVE with the certificate named by
 * LEDGER_CERT (cert.h), read once here. A monitor on the socket reports a
 * failed handshake, so a refused key is an UNAUTHENTICATED error at once,
 * not a timeout. */
#include <assert.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>
#include "cert.h"
#include "client.h"
#include "codec.h"
#include "frame.h"
#include "xmalloc.h"

#define CLIENT_KEY_BYTES 16   /* random bytes in a generated idempotency key */

struct client {
    void *ctx;                /* ZeroMQ context, ours alone */
    void *sock;               /* DEALER connected to endpoint */
    char *endpoint;           /* tcp://host:port */
    char *actor;              /* meta.actor of every request */
    int timeout_ms;           /* per call; < 0 waits forever */
    uint64_t last_id;         /* request id of the latest request; ids start at 1 */
    char **keys;              /* idempotency keys handed out by client_meta */
    size_t n_keys;            /* entries in keys */
    cert_t cert;              /* LEDGER_CERT's; cert_path "" = none (plain) */
    char cert_path[512];
    err_t cert_err;           /* LEDGER_CERT could not be used: every call says so */
    void *monitor;            /* PAIR receiving the socket's handshake failures */
};

#define HANDSHAKE_EVENTS (ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | \
                          ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)

/* s_now_ms - monotonic clock in ms, for deadlines */
static int64_t s_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* s_monitor - watch sock's handshakes on a PAIR of our own */
static void s_monitor(client_t *c)
{
    static unsigned serial;
    char ep[96];
    int linger = 0;
    snprintf(ep, sizeof ep, "inproc://client-monitor-%p-%u", (void *)c, serial++);
    if (zmq_socket_monitor(c->sock, ep, HANDSHAKE_EVENTS) < 0)
        return;
    c->monitor = zmq_socket(c->ctx, ZMQ_PAIR);
    zmq_setsockopt(c->monitor, ZMQ_LINGER, &linger, sizeof linger);
    if (zmq_connect(c->monitor, ep) < 0) {
        zmq_close(c->monitor);
        c->monitor = NULL;
    }
}

static void s_close(client_t *c)
{
    if (c->monitor) {
        zmq_socket_monitor(c->sock, NULL, 0);
        zmq_close(c->monitor);
        c->monitor = NULL;
    }
    if (c->sock)
        zmq_close(c->sock);
    c->sock = NULL;
}

/* s_open - create and connect the DEALER; -1 with errno from ZeroMQ */
static int s_open(client_t *c)
{
    int linger = 0;
    c->sock = zmq_socket(c->ctx, ZMQ_DEALER);
    if (!c->sock)
        return -1;
    zmq_setsockopt(c->sock, ZMQ_LINGER, &linger, sizeof linger);
    if (c->cert_path[0] && cert_client(c->sock, &c->cert) < 0) {
        int saved = errno;
        s_close(c);
        errno = saved;
        return -1;
    }
    s_monitor(c);
    if (c->timeout_ms >= 0)
        zmq_setsockopt(c->sock, ZMQ_SNDTIMEO, &c->timeout_ms, sizeof c->timeout_ms);
    if (zmq_connect(c->sock, c->endpoint) < 0) {
        int saved = errno;
        s_close(c);
        errno = saved;
        return -1;
    }
    return 0;
}

/* client_new - own context, DEALER connected to endpoint; NULL with errno
 * when the endpoint is not valid */
client_t *client_new(const char *endpoint, const char *actor, int timeout_ms)
{
    assert(endpoint && actor);
    if (sodium_init() < 0)
        return NULL;
    client_t *c = xcalloc(1, sizeof *c);
    c->endpoint = xstrdup(endpoint);
    c->actor = xstrdup(actor);
    c->timeout_ms = timeout_ms;
    const char *path = getenv("LEDGER_CERT");
    if (path && *path) {
        snprintf(c->cert_path, sizeof c->cert_path, "%s", path);
        if (cert_load(path, &c->cert, &c->cert_err) == 0 &&
            (!c->cert.secret_key[0] || !c->cert.server_key[0]))
            err_set(&c->cert_err, ERR(INVALID), path, "%s is not a client certificate (it needs "
                    "secret-key and server-key)", path);
        if (c->cert_err.code)
            c->cert_path[0] = '\0';
    }
    c->ctx = zmq_ctx_new();
    if (!c->ctx || s_open(c) < 0) {
        int saved = errno;
        client_destroy(&c);
        errno = saved;
        return NULL;
    }
    return c;
}

/* client_destroy - close the socket (linger 0: unsent requests are dropped) */
void client_destroy(client_t **self_p)
{
    assert(self_p);
    client_t *c = *self_p;
    if (!c)
        return;
    s_close(c);
    if (c->ctx)
        zmq_ctx_term(c->ctx);
    for (size_t i = 0; i < c->n_keys; i++)
        free(c->keys[i]);
    free(c->keys);
    free(c->endpoint);
    free(c->actor);
    free(c);
    *self_p = NULL;
}

/* client_meta - actor and idempotency key; keys are kept until destroy so
 * several metas filled in turn all stay valid */
void client_meta(client_t *c, Ledger__Meta *meta, const char *idem)
{
    char *key;
    if (idem)
        key = xstrdup(idem);
    else {
        uint8_t raw[CLIENT_KEY_BYTES];
        key = xmalloc(2 * CLIENT_KEY_BYTES + 1);
        randombytes_buf(raw, sizeof raw);
        sodium_bin2hex(key, 2 * CLIENT_KEY_BYTES + 1, raw, sizeof raw);
    }
    c->keys = xrealloc(c->keys, (c->n_keys + 1) * sizeof *c->keys);
    c->keys[c->n_keys++] = key;
    meta->actor = c->actor;
    meta->idempotency_key = key;
}

const char *client_actor(const client_t *c)
{
    return c->actor;
}

const cert_t *client_cert(const client_t *c)
{
    return c->cert_path[0] ? &c->cert : NULL;
}

/* s_reset - replace the socket: a late reply queued on the old one, or a
 * request still waiting to be sent, must not reach a later call */
static int s_reset(client_t *c)
{
    s_close(c);
    return s_open(c);
}

/* s_handshake - a failed handshake as an error for a person */
static int s_handshake(client_t *c, err_t *err)
{
    zmq_msg_t m;
    uint16_t event = 0;
    uint32_t value = 0;
    zmq_msg_init(&m);
    if (zmq_msg_recv(&m, c->monitor, ZMQ_DONTWAIT) >= 0 && zmq_msg_size(&m) >= 6) {
        memcpy(&event, zmq_msg_data(&m), 2);
        memcpy(&value, (uint8_t *)zmq_msg_data(&m) + 2, 4);
    }
    while (zmq_msg_more(&m)) {   /* the endpoint frame */
        zmq_msg_close(&m);
        zmq_msg_init(&m);
        if (zmq_msg_recv(&m, c->monitor, ZMQ_DONTWAIT) < 0)
            break;
    }
    zmq_msg_close(&m);
    if (event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)
        return err_set(err, ERR(UNAUTHENTICATED), "", "ledgerd at %s refused the key of %s: it "
                       "is unknown there or revoked", c->endpoint, c->cert_path);
    if (!c->cert_path[0])
        return err_set(err, ERR(UNAUTHENTICATED), "", "ledgerd at %s wants a certificate: give "
                       "--cert FILE or set LEDGER_CERT (made by 'ledgerctl keys')", c->endpoint);
    return err_set(err, ERR(UNAUTHENTICATED), "", "the secure handshake with %s failed (%s): "
                   "is %s's server-key this ledgerd's?", c->endpoint,
                   event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL ? "protocol" : "no detail",
                   c->cert_path);
}

/* s_recv - read one whole multipart message into frames (at most max kept);
 * returns the number of frames, or -1 with errno */
static int s_recv(void *sock, zmq_msg_t *frames, int max)
{
    int n = 0, more;
    size_t more_len = sizeof more;
    do {
        zmq_msg_t scratch;
        zmq_msg_t *m = n < max ? &frames[n] : &scratch;
        zmq_msg_init(m);
        if (zmq_msg_recv(m, sock, ZMQ_DONTWAIT) < 0) {
            int saved = errno;
            zmq_msg_close(m);
            for (int i = 0; i < n && i < max; i++)
                zmq_msg_close(&frames[i]);
            errno = saved;
            return -1;
        }
        zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &more_len);
        if (m == &scratch)
            zmq_msg_close(m);
        n++;
    } while (more);
    return n;
}

/* s_error_reply - turn a ledger.Error body into *err, verbatim */
static int s_error_reply(const uint8_t *body, size_t len, err_t *err)
{
    err_t perr;
    Ledger__Error *e = (Ledger__Error *)codec_unpack(&ledger__error__descriptor,
                                                     body, len, &perr);
    if (!e)
        return err_set(err, ERR(MALFORMED), "reply",
                       "error reply is not a valid ledger.Error: %s", perr.msg);
    err_set(err, e->code, e->field, "%s", e->message);
    protobuf_c_message_free_unpacked(&e->base, NULL);
    return -1;
}

/* s_handle - one received message: 1 when it was not ours (dropped), 0 with
 * *out on success, -1 with err for an error reply or a bad reply */
static int s_handle(client_t *c, uint8_t type, zmq_msg_t *frames, int n,
                    const ProtobufCMessageDescriptor *reply_desc,
                    ProtobufCMessage **out, err_t *err)
{
    frame_header_t h;
    err_t herr;
    if (n != 2)
        return 1;   /* not a reply of this protocol; nothing to match it with */
    if (frame_decode(&h, zmq_msg_data(&frames[0]), zmq_msg_size(&frames[0]), &herr) < 0)
        return 1;
    const uint8_t *body = zmq_msg_data(&frames[1]);
    size_t len = zmq_msg_size(&frames[1]);
    /* Request id 0 is how ledgerd answers a request it could not read an id
     * from (BAD_FRAME); with one request in flight, it is about ours. */
    int ours = h.request_id == c->last_id || (h.request_id == 0 && h.type == FRAME_ERROR);
    if (!ours)
        return 1;
    if (h.type == FRAME_ERROR)
        return s_error_reply(body, len, err);
    if (h.type != (type | FRAME_REPLY))
        return err_set(err, ERR(MALFORMED), "header.type",
                       "reply type 0x%02x does not answer a %s request",
                       h.type, frame_type_name(type));
    err_t uerr;
    *out = codec_unpack(reply_desc, body, len, &uerr);
    if (!*out)
        return err_set(err, ERR(MALFORMED), uerr.field, "reply: %s", uerr.msg);
    return 0;
}

/* client_call - send, then poll until our reply or the deadline */
int client_call(client_t *c, uint8_t type, const ProtobufCMessage *req,
                const ProtobufCMessageDescriptor *reply_desc,
                ProtobufCMessage **out, err_t *err)
{
    uint8_t *body = NULL;
    int rc = -1;

    assert(c && req && reply_desc && out);
    *out = NULL;
    err_clear(err);
    if (c->cert_err.code) {
        *err = c->cert_err;
        return -1;
    }
    if (!c->sock && s_open(c) < 0)
        return err_set(err, ERR(TIMEOUT), "", "cannot connect to %s: %s",
                       c->endpoint, zmq_strerror(errno));
    size_t len = codec_pack(req, &body);
    uint64_t id = ++c->last_id;
    int64_t deadline = s_now_ms() + c->timeout_ms;

    if (frame_send(c->sock, NULL, 0, type, id, body, len, 0) < 0) {
        err_set(err, ERR(TIMEOUT), "", "no reply from %s within %d ms (send: %s)",
                c->endpoint, c->timeout_ms, zmq_strerror(errno));
        s_reset(c);
        goto done;
    }
    for (;;) {
        long wait = -1;
        if (c->timeout_ms >= 0) {
            int64_t left = deadline - s_now_ms();
            if (left <= 0)
                break;
            wait = (long)left;
        }
        zmq_pollitem_t items[] = { { c->sock, 0, ZMQ_POLLIN, 0 }, { c->monitor, 0, ZMQ_POLLIN, 0 } };
        int ready = zmq_poll(items, c->monitor ? 2 : 1, wait);
        if (ready < 0 && errno == EINTR)
            continue;   /* a signal: the deadline still bounds the wait */
        if (ready < 0)
            break;
        if (ready == 0)
            continue;
        if (c->monitor && (items[1].revents & ZMQ_POLLIN)) {
            s_handshake(c, err);
            s_reset(c);   /* the request queued for the refused connection goes too */
            goto done;
        }
        if (!(items[0].revents & ZMQ_POLLIN))
            continue;
        zmq_msg_t frames[2];
        int n = s_recv(c->sock, frames, 2);
        if (n < 0)
            continue;   /* EAGAIN: nothing whole to read after all */
        int r = s_handle(c, (uint8_t)type, frames, n, reply_desc, out, err);
        for (int i = 0; i < n && i < 2; i++)
            zmq_msg_close(&frames[i]);
        if (r <= 0) {
            rc = r;
            goto done;
        }
    }
    err_set(err, ERR(TIMEOUT), "", "no reply from %s within %d ms",
            c->endpoint, c->timeout_ms);
    /* If the socket cannot be reopened, the next call reports it. */
    s_reset(c);
done:
    free(body);
    return rc;
}
