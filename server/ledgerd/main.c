/* ledgerd - the operations ledger's server: the only process that opens
 * the LMDB environment. Config, open, bind, loop until told to stop, clean
 * up. The request loop itself is dispatch.c's. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>
#include "clock.h"
#include "date.h"
#include "dispatch.h"
#include "log.h"
#include "options.h"
#include "store.h"

static volatile sig_atomic_t s_stop;

static void s_on_signal(int sig) { s_stop = sig; }

/* s_loopback - true for endpoints on this machine only. Until CURVE lands
 * (DESIGN.md, Security), nothing listens unauthenticated beyond loopback. */
static int s_loopback(const char *ep)
{
    static const char *const ok[] = { "tcp://127.", "tcp://localhost:", "tcp://[::1]:", "ipc://",
                                      "inproc://", NULL };
    for (const char *const *p = ok; *p; p++)
        if (!strncmp(ep, *p, strlen(*p)))
            return 1;
    return 0;
}

static void *s_bind(void *ctx, int type, const char *ep, char *bound, size_t n)
{
    void *s = zmq_socket(ctx, type);
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

    const char *eps[] = { opt.listen, opt.publish };
    for (int i = 0; i < 2; i++)
        if (!s_loopback(eps[i])) {
            fprintf(stderr, "ledgerd: %s: only loopback endpoints until CURVE security is "
                    "configured\n", eps[i]);
            return 2;
        }

    struct sigaction sa = { .sa_handler = s_on_signal };
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    store_t *store = store_open(opt.data_dir, opt.map_size, opt.map_max);
    void *ctx = zmq_ctx_new();
    char listen[256] = "", publish[256] = "";
    void *router = s_bind(ctx, ZMQ_ROUTER, opt.listen, listen, sizeof listen);
    void *pub = s_bind(ctx, ZMQ_PUB, opt.publish, publish, sizeof publish);
    dispatch_t *d = dispatch_new(store, &opt, router, pub);
    s_write_endpoints(opt.data_dir, listen, publish);
    log_info("ready: data %s, requests %s, events %s, last seq %llu, zone %s%s", opt.data_dir,
             listen, publish, (unsigned long long)store->counters.last_seq, opt.time_zone,
             opt.test_clock ? ", test clock" : "");

    int64_t interval = (int64_t)opt.clock_interval_s * 1000;
    int64_t next_tick = clock_wall_ms();   /* a clock event right at start */
    while (!s_stop) {
        int64_t wait = next_tick - clock_wall_ms();
        if (wait <= 0) {
            dispatch_tick(d);
            next_tick = clock_wall_ms() + interval;
            continue;
        }
        zmq_pollitem_t item = { router, 0, ZMQ_POLLIN, 0 };
        int rc = zmq_poll(&item, 1, (long)wait);
        if (rc < 0 && zmq_errno() != EINTR)
            log_fatal("poll: %s", zmq_strerror(zmq_errno()));
        if (rc > 0)
            dispatch_drain(d);   /* one bounded batch, then the tick gets its look */
    }
    log_info("stopping on signal %d; last seq %llu", (int)s_stop,
             (unsigned long long)store->counters.last_seq);
    dispatch_destroy(&d);
    zmq_close(router);
    zmq_close(pub);
    zmq_ctx_term(ctx);
    store_destroy(&store);
    return 0;
}
