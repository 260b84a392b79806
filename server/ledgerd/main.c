/* ledgerd - the operations ledger's server: the only process that opens
 * the LMDB environment. Config, open, bind, loop until told to stop, clean
 * up. The request loop itself is dispatch.c's. */
#define _GNU_SOURCE   /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>
#include "cert.h"
#include "clock.h"
#include "date.h"
#include "dispatch.h"
#include "keyring.h"
#include "log.h"
#include "options.h"
#include "store.h"
#include "zap.h"

static volatile sig_atomic_t s_stop;
static int s_wake[2] = { -1, -1 };   /* the handler writes a byte: the poll wakes */

/* s_on_signal - the flag, and a byte for the poll: a signal that lands just
 * before zmq_poll would otherwise leave it asleep until the next tick */
static void s_on_signal(int sig)
{
    int saved = errno;
    s_stop = sig;
    ssize_t n = write(s_wake[1], "", 1);   /* full pipe: a wake-up is pending anyway */
    (void)n;
    errno = saved;
}

/* s_bind - a CURVE server socket: the ZAP handler (zap.c) is asked about
 * every key that connects; domain tells it which socket */
static void *s_bind(void *ctx, int type, const cert_t *key, const char *domain, const char *ep,
                    char *bound, size_t n)
{
    void *s = zmq_socket(ctx, type);
    if (cert_server(s, key, domain) < 0)
        log_fatal("%s: CURVE: %s", ep, zmq_strerror(zmq_errno()));
    int linger = 0, hwm = 100000;
    int64_t max = FRAME_MAX_BYTES;
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(s, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt(s, ZMQ_RCVHWM, &hwm, sizeof hwm);
    zmq_setsockopt(s, ZMQ_MAXMSGSIZE, &max, sizeof max);   /* larger: peer disconnected */
    if (zmq_bind(s, ep) < 0)
        log_fatal("bind %s: %s", ep, zmq_strerror(zmq_errno()));
    zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, bound, &n);
    return s;
}

/* s_write_endpoints - DIR/ledgerd.endpoints, written whole then renamed,
 * so a reader never sees half of it; tests and scripts wait for it */
static void s_write_endpoints(const char *dir, const char *listen, const char *publish)
{
    char path[600], tmp[610];
    snprintf(path, sizeof path, "%s/ledgerd.endpoints", dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        log_fatal("write %s: %s", tmp, strerror(errno));
    fprintf(f, "listen=%s\npublish=%s\npid=%ld\n", listen, publish, (long)getpid());
    if (fclose(f) != 0 || rename(tmp, path) != 0)
        log_fatal("write %s: %s", path, strerror(errno));
}

int main(int argc, char **argv)
{
    options_t opt;
    err_t err;
    log_init("ledgerd");
    options_parse(&opt, argc, argv);
    log_quiet(opt.quiet);
    if (date_zone_set(opt.time_zone, &err) < 0) {
        fprintf(stderr, "ledgerd: --time-zone: %s\n", err.msg);
        return 2;
    }

    /* The server key first: without it nothing can be served securely. */
    cert_t key;
    char key_path[600];
    snprintf(key_path, sizeof key_path, "%s/server.secret", opt.keys_dir);
    if (!zmq_has("curve")) {
        fprintf(stderr, "ledgerd: this libzmq has no CURVE support (built without libsodium)\n");
        return 1;
    }
    if (cert_load(key_path, &key, &err) < 0 || !key.secret_key[0]) {
        fprintf(stderr, "ledgerd: no server key: %s\nMake one with 'ledgerctl keys init --dir %s'"
                " (it also makes the first admin's certificate).\n",
                err.code ? err.msg : "server.secret has no secret-key", opt.keys_dir);
        return 1;
    }

    if (pipe2(s_wake, O_CLOEXEC | O_NONBLOCK) < 0)
        log_fatal("pipe: %s", strerror(errno));
    struct sigaction sa = { .sa_handler = s_on_signal };
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    store_t *store = store_open(opt.data_dir, opt.map_size, opt.map_max);
    dispatch_t *d = dispatch_new(store, &opt, NULL, NULL);
    size_t trusted = 0;
    if (dispatch_trust(d, opt.keys_dir, &trusted, &err) < 0)
        log_fatal("keys: %s", err.msg);
    void *ctx = zmq_ctx_new();
    zap_start(ctx);   /* before any socket binds: no key gets in unasked */
    char listen[256] = "", publish[256] = "";
    void *router = s_bind(ctx, ZMQ_ROUTER, &key, "requests", opt.listen, listen, sizeof listen);
    void *pub = s_bind(ctx, ZMQ_PUB, &key, "events", opt.publish, publish, sizeof publish);
    dispatch_attach(d, router, pub);
    s_write_endpoints(opt.data_dir, listen, publish);
    log_info("ready: data %s, requests %s, events %s, last seq %llu, zone %s%s; %zu keys "
             "(%zu new from %s/trusted)", opt.data_dir, listen, publish,
             (unsigned long long)store->counters.last_seq, opt.time_zone,
             opt.test_clock ? ", test clock" : "", keyring_count(), trusted, opt.keys_dir);

    int64_t interval = (int64_t)opt.clock_interval_s * 1000;
    int64_t next_tick = clock_wall_ms();   /* a clock event right at start */
    while (!s_stop) {
        int64_t wait = next_tick - clock_wall_ms();
        if (wait <= 0) {
            dispatch_tick(d);
            next_tick = clock_wall_ms() + interval;
            continue;
        }
        /* Beside the requests: signals, and the end of deferred work (a
         * backup's copy thread). */
        int done_fd = dispatch_deferred_fd(d);
        zmq_pollitem_t items[] = { { router, 0, ZMQ_POLLIN, 0 }, { NULL, s_wake[0], ZMQ_POLLIN, 0 },
                                   { NULL, done_fd, ZMQ_POLLIN, 0 } };
        int rc = zmq_poll(items, done_fd < 0 ? 2 : 3, (long)wait);
        if (rc < 0 && zmq_errno() != EINTR)
            log_fatal("poll: %s", zmq_strerror(zmq_errno()));
        if (rc > 0 && (items[0].revents & ZMQ_POLLIN))
            dispatch_drain(d);   /* one bounded batch, then the tick gets its look */
        if (rc > 0 && done_fd >= 0 && (items[2].revents & ZMQ_POLLIN))
            dispatch_finish(d);   /* the copy ended: its reply goes out */
    }
    log_info("stopping on signal %d; last seq %llu", (int)s_stop,
             (unsigned long long)store->counters.last_seq);
    if (dispatch_deferred_fd(d) >= 0) {
        /* The copy reads the environment: it ends before the environment closes. */
        log_info("waiting for the running backup to finish");
        dispatch_finish(d);
    }
    dispatch_destroy(&d);
    zmq_close(router);
    zmq_close(pub);
    zap_stop();
    zmq_ctx_term(ctx);
    keyring_free();
    store_destroy(&store);
    close(s_wake[0]);
    close(s_wake[1]);
    return 0;
}
