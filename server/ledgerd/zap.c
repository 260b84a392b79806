/* zap - the ZAP handler thread. A key ledgerd does not hold, or holds as
 * revoked, is refused (status 400: libzmq closes the connection and the
 * client's monitor sees HANDSHAKE_FAILED_AUTH). An accepted connection gets
 * its Z85 public key as User-Id, which the request loop reads off every
 * message and looks up again (dispatch.c): the role decides per request.
 * The "events" domain (the PUB socket) refuses branch keys: events carry
 * every branch's records, and a PUB cannot filter per subscriber. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <zmq.h>
#include "keyring.h"
#include "log.h"
#include "zap.h"

#define ZAP_ENDPOINT "inproc://zeromq.zap.01"
#define ZAP_STOP     "inproc://ledgerd-zap-stop"

static pthread_t s_thread;
static void *s_rep, *s_stop_pull, *s_stop_push;

/* s_frames - one whole request: up to max frames kept, -1 on termination */
static int s_frames(void *sock, zmq_msg_t *f, int max)
{
    int n = 0, more = 1;
    while (more) {
        zmq_msg_t scratch, *m = n < max ? &f[n] : &scratch;
        zmq_msg_init(m);
        if (zmq_msg_recv(m, sock, 0) < 0) {
            zmq_msg_close(m);
            for (int i = 0; i < n && i < max; i++)
                zmq_msg_close(&f[i]);
            return -1;
        }
        more = zmq_msg_more(m);
        if (m == &scratch)
            zmq_msg_close(m);
        n++;
    }
    return n;
}

static void s_send(void *sock, const char *text, size_t len, int more)
{
    zmq_send(sock, text, len, more ? ZMQ_SNDMORE : 0);
}

/* s_decide - 0 with user (the Z85 key) when this key may come in; else 1
 * with why, for the log */
static int s_decide(zmq_msg_t *f, int n, char user[CERT_KEY_LEN + 1], char *why, size_t wn)
{
    /* version, request id, domain, address, identity, mechanism, key */
    if (n < 7 || zmq_msg_size(&f[5]) != 5 || memcmp(zmq_msg_data(&f[5]), "CURVE", 5) ||
        zmq_msg_size(&f[6]) != 32) {
        snprintf(why, wn, "not a CURVE connection");
        return 1;
    }
    zmq_z85_encode(user, zmq_msg_data(&f[6]), 32);
    char domain[16] = "";
    size_t dn = zmq_msg_size(&f[2]) < sizeof domain - 1 ? zmq_msg_size(&f[2]) : sizeof domain - 1;
    memcpy(domain, zmq_msg_data(&f[2]), dn);
    keyring_entry_t e;
    if (keyring_find(user, &e) != 0) {
        snprintf(why, wn, "key %.8s… is not one ledgerd holds", user);
        return 1;
    }
    if (e.revoked) {
        snprintf(why, wn, "key %.8s… (%s, %s) is revoked", user, e.role, e.name);
        return 1;
    }
    if (!strcmp(domain, "events") && !strncmp(e.role, "branch:", 7)) {
        snprintf(why, wn, "key %.8s… (%s, %s): a branch does not follow the whole event log",
                 user, e.role, e.name);
        return 1;
    }
    return 0;
}

static void *s_run(void *arg)
{
    (void)arg;
    for (;;) {
        zmq_pollitem_t items[] = { { s_rep, 0, ZMQ_POLLIN, 0 }, { s_stop_pull, 0, ZMQ_POLLIN, 0 } };
        if (zmq_poll(items, 2, -1) < 0 || (items[1].revents & ZMQ_POLLIN))
            break;
        zmq_msg_t f[7];
        int n = s_frames(s_rep, f, 7);
        if (n < 0)
            break;
        char user[CERT_KEY_LEN + 1] = "", why[200] = "";
        int refused = s_decide(f, n, user, why, sizeof why);
        if (refused)
            log_warn("refused a connection: %s", why);
        /* The reply echoes the version and request id (RFC 27). */
        for (int i = 0; i < 2 && i < n; i++)
            s_send(s_rep, zmq_msg_data(&f[i]), zmq_msg_size(&f[i]), 1);
        for (int i = n; i < 2; i++)
            s_send(s_rep, "", 0, 1);
        s_send(s_rep, refused ? "400" : "200", 3, 1);
        s_send(s_rep, refused ? "refused" : "OK", refused ? 7 : 2, 1);
        s_send(s_rep, refused ? "" : user, refused ? 0 : strlen(user), 1);
        s_send(s_rep, "", 0, 0);
        for (int i = 0; i < n && i < 7; i++)
            zmq_msg_close(&f[i]);
    }
    return NULL;
}

void zap_start(void *ctx)
{
    int linger = 0;
    s_rep = zmq_socket(ctx, ZMQ_REP);
    s_stop_pull = zmq_socket(ctx, ZMQ_PAIR);
    s_stop_push = zmq_socket(ctx, ZMQ_PAIR);
    zmq_setsockopt(s_rep, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(s_stop_pull, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(s_stop_push, ZMQ_LINGER, &linger, sizeof linger);
    if (zmq_bind(s_rep, ZAP_ENDPOINT) < 0 || zmq_bind(s_stop_pull, ZAP_STOP) < 0 ||
        zmq_connect(s_stop_push, ZAP_STOP) < 0)
        log_fatal("zap: bind %s: %s", ZAP_ENDPOINT, zmq_strerror(zmq_errno()));
    /* Bound here, before the thread starts: no connection can arrive before
     * the handler exists, and the sockets pass to the thread once. */
    if (pthread_create(&s_thread, NULL, s_run, NULL) != 0)
        log_fatal("zap: cannot start its thread");
}

void zap_stop(void)
{
    if (!s_rep)
        return;
    zmq_send(s_stop_push, "", 0, 0);
    pthread_join(s_thread, NULL);
    zmq_close(s_rep);
    zmq_close(s_stop_pull);
    zmq_close(s_stop_push);
    s_rep = s_stop_pull = s_stop_push = NULL;
}
