/* ledger-bench - drive ledgerd with order writes and report the durable
 * ingest rate and reply latency. A first cut: one connection, pipelined
 * single orders or batches, a fixed count. Issue 11 grows it (several
 * clients, the raw-LMDB and PostgreSQL baselines, end-to-end latency). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>
#include "cert.h"
#include "client.h"
#include "codec.h"
#include "follow.h"
#include "frame.h"
#include "request.pb-c.h"

static const char *s_usage =
    "Usage: ledger-bench [OPTION]...\n"
    "Writes orders to a running ledgerd as fast as it acknowledges them and\n"
    "prints orders/s and reply latency (p50, p99, max).\n\n"
    "  -e, --endpoint EP   ledgerd's requests (default tcp://127.0.0.1:7401)\n"
    "  -n, --orders N      orders to write (default 100000)\n"
    "  -b, --batch B       orders per request: 1 = order.add, more = order.batch (default 1)\n"
    "  -w, --window W      requests in flight at once (default 1000)\n"
    "  -E, --events EP     ledgerd's events, for --replay (default tcp://127.0.0.1:7402)\n"
    "  -r, --replay        then read the whole log back as a worker does (the runtime's\n"
    "                      follower, attribution's kinds) and report events/s\n"
    "      --json          one JSON object instead of text\n"
    "  -h, --help          show this\n"

    "  -c, --customers N   customers the orders go to in turn (default 1000)\n"
    "The first requests add customers BENCH-C00001.. (idempotent), which the orders use.\n"
    "The connection is CURVE with the certificate in $LEDGER_CERT (an admin's).\n";

static double s_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void s_send(void *s, uint8_t type, uint64_t id, const ProtobufCMessage *m)
{
    uint8_t *body;
    size_t n = codec_pack(m, &body);
    if (frame_send(s, NULL, 0, type, id, body, n, 0) < 0) {
        fprintf(stderr, "ledger-bench: send: %s\n", zmq_strerror(zmq_errno()));
        exit(3);
    }
    free(body);
}

/* s_recv - one reply; its type, request id and body (caller frees) */
static int s_recv(void *s, uint64_t *id, zmq_msg_t *body)
{
    zmq_pollitem_t item = { s, 0, ZMQ_POLLIN, 0 };
    if (zmq_poll(&item, 1, 10000) <= 0) {
        fprintf(stderr, "ledger-bench: no reply within 10 s (is ledgerd running?)\n");
        exit(3);
    }
    uint8_t hdr[FRAME_HEADER_SIZE];
    zmq_recv(s, hdr, sizeof hdr, 0);
    frame_header_t h;
    frame_decode(&h, hdr, sizeof hdr, NULL);
    zmq_msg_init(body);
    zmq_msg_recv(body, s, 0);
    *id = h.request_id;
    return h.type;
}

static int s_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    static const struct option longs[] = {
        { "endpoint", 1, 0, 'e' }, { "orders", 1, 0, 'n' }, { "batch", 1, 0, 'b' },
        { "window", 1, 0, 'w' }, { "customers", 1, 0, 'c' }, { "events", 1, 0, 'E' }, { "replay", 0, 0, 'r' }, { "json", 0, 0, 'j' },
        { "help", 0, 0, 'h' }, { 0, 0, 0, 0 } };
    const char *ep = "tcp://127.0.0.1:7401", *events_ep = "tcp://127.0.0.1:7402";
    long orders = 100000, batch = 1, window = 1000, customers = 1000;
    int replay = 0, json = 0, c;
    while ((c = getopt_long(argc, argv, "e:E:n:b:w:c:rh", longs, NULL)) != -1)
        switch (c) {
        case 'e': ep = optarg; break;
        case 'n': orders = atol(optarg); break;
        case 'b': batch = atol(optarg); break;
        case 'w': window = atol(optarg); break;
        case 'c': customers = atol(optarg); break;
        case 'E': events_ep = optarg; break;
        case 'r': replay = 1; break;
        case 'j': json = 1; break;
        case 'h': fputs(s_usage, stdout); return 0;
        default: fprintf(stderr, "Try 'ledger-bench --help'.\n"); return 2;
        }
    if (orders < 1 || batch < 1 || batch > 10000 || window < 1 || customers < 1 ||
        customers > 99999) {
        fprintf(stderr, "ledger-bench: --orders, --batch (1..10000), --window and --customers "
                "(1..99999) must be positive\n");
        return 2;
    }
    void *ctx = zmq_ctx_new(), *s = zmq_socket(ctx, ZMQ_DEALER);
    const char *cert_path = getenv("LEDGER_CERT");   /* an admin's: it writes customers */
    cert_t cert;
    err_t err;
    if (!cert_path || cert_load(cert_path, &cert, &err) < 0 || cert_client(s, &cert) < 0) {
        fprintf(stderr, "ledger-bench: LEDGER_CERT: %s\n",
                cert_path ? err.msg : "unset; set it to an admin's certificate (ledgerctl keys)");
        return 2;
    }
    int zero = 0;
    zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(s, ZMQ_SNDHWM, &zero, sizeof zero);
    zmq_setsockopt(s, ZMQ_RCVHWM, &zero, sizeof zero);
    if (zmq_connect(s, ep) < 0) {
        fprintf(stderr, "ledger-bench: connect %s: %s\n", ep, zmq_strerror(zmq_errno()));
        return 2;
    }
    char run[32], idem[64];
    snprintf(run, sizeof run, "%ld", (long)time(NULL) ^ (long)clock());
    Ledger__Meta meta = LEDGER__META__INIT;
    meta.actor = "bench";
    /* The customers, pipelined; a second run finds them (same keys: no writes). */
    char (*codes)[16] = calloc(customers, sizeof *codes);
    for (long i = 0; i < customers; i++) {
        snprintf(codes[i], sizeof codes[i], "BENCH-C%05ld", i + 1);
        snprintf(idem, sizeof idem, "bench-customer-%ld", i + 1);
        meta.idempotency_key = idem;
        Ledger__Customer cust = LEDGER__CUSTOMER__INIT;
        cust.code = codes[i];
        cust.name = "压测客户";
        cust.branch = "BENCH";
        Ledger__CustomerAdd ca = LEDGER__CUSTOMER_ADD__INIT;
        ca.meta = &meta;
        ca.customer = &cust;
        s_send(s, FRAME_CUSTOMER_ADD, (uint64_t)i, &ca.base);
    }
    uint64_t id;
    zmq_msg_t body;
    for (long i = 0; i < customers; i++) {
        s_recv(s, &id, &body);
        zmq_msg_close(&body);
    }

    Ledger__OrderLine line = LEDGER__ORDER_LINE__INIT;
    Ledger__OrderLine *lines[] = { &line };
    line.product = "P-BENCH";
    line.qty = 2;
    line.unit_price = 1999;
    line.cost = 1200;
    Ledger__Order *os = calloc(batch, sizeof *os);
    Ledger__Order **ptrs = calloc(batch, sizeof *ptrs);
    for (long i = 0; i < batch; i++) {
        ledger__order__init(&os[i]);
        os[i].branch = "BENCH";
        os[i].lines = lines;
        os[i].n_lines = 1;
        ptrs[i] = &os[i];
    }
    long requests = (orders + batch - 1) / batch, sent = 0, done = 0, errors = 0;
    double *sent_at = calloc(requests, sizeof *sent_at), *lat = calloc(requests, sizeof *lat);
    double t0 = s_now();
    while (done < requests) {
        while (sent < requests && sent - done < window) {
            long n = sent == requests - 1 ? orders - sent * batch : batch;
            for (long i = 0; i < n; i++) {
                os[i].placed_ms = 1767225600000 + (sent * batch + i) * 1000;
                os[i].customer_code = codes[(sent * batch + i) % customers];
            }
            snprintf(idem, sizeof idem, "bench-%s-%ld", run, sent);
            meta.idempotency_key = idem;
            sent_at[sent] = s_now();
            if (batch == 1) {
                Ledger__OrderAdd r = LEDGER__ORDER_ADD__INIT;
                r.meta = &meta;
                r.order = &os[0];
                s_send(s, FRAME_ORDER_ADD, sent, &r.base);
            } else {
                Ledger__OrderBatch r = LEDGER__ORDER_BATCH__INIT;
                r.meta = &meta;
                r.orders = ptrs;
                r.n_orders = n;
                s_send(s, FRAME_ORDER_BATCH, sent, &r.base);
            }
            sent++;
        }
        int type = s_recv(s, &id, &body);
        zmq_msg_close(&body);
        if (type == FRAME_ERROR)
            errors++;
        if (id < (uint64_t)requests)
            lat[id] = s_now() - sent_at[id];
        done++;
    }
    double secs = s_now() - t0;
    qsort(lat, requests, sizeof *lat, s_cmp);
    double p50 = lat[requests / 2] * 1e3, p99 = lat[(long)(requests * 0.99)] * 1e3,
           max = lat[requests - 1] * 1e3;

    double replay_rate = 0;
    long events = 0;
    if (replay) {
        /* Read the log as a worker does: the runtime's follower (shared/
         * follow.c) from seq 0, with attribution's filter, every event
         * checked and unpacked, until caught up. */
        static char *kinds[] = { "customer", "order", "partner", "clock" };
        client_t *cl = client_new(ep, "bench", 60000);
        follow_opts_t fo = { .client = cl, .events_endpoint = events_ep, .kinds = kinds,
                             .n_kinds = 4, .page = 10000 };
        follow_t *f = cl ? follow_new(&fo, 0) : NULL;
        if (!f) {
            fprintf(stderr, "ledger-bench: --events %s: cannot follow\n", events_ep);
            return 2;
        }
        double r0 = s_now();
        for (;;) {
            follow_batch_t b;
            err_t err;
            if (follow_next(f, &b, 0, &err) < 0) {
                fprintf(stderr, "ledger-bench: replay: %s\n", err.msg);
                return 1;
            }
            events += b.n;
            if (b.caught_up)
                break;
        }
        replay_rate = events / (s_now() - r0);
        follow_destroy(&f);
        client_destroy(&cl);
    }
    if (json)
        printf("{\"orders\":%ld,\"batch\":%ld,\"window\":%ld,\"seconds\":%.3f,\"orders_per_s\":%.0f,"
               "\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f,\"errors\":%ld,"
               "\"replayed_events\":%ld,\"replay_events_per_s\":%.0f}\n", orders, batch, window,
               secs, orders / secs, p50, p99, max, errors, events, replay_rate);
    else {
        printf("orders      %ld (batch %ld, window %ld), %ld refused\n", orders, batch, window,
               errors);
        printf("time        %.3f s\n", secs);
        printf("rate        %.0f orders/s durable\n", orders / secs);
        printf("latency     p50 %.3f ms, p99 %.3f ms, max %.3f ms (per request)\n", p50, p99, max);
        if (replay)
            printf("replay      %ld events read by a worker's follower at %.0f events/s\n",
                   events, replay_rate);
    }
    zmq_close(s);
    zmq_ctx_term(ctx);
    free(os);
    free(ptrs);
    free(codes);
    free(sent_at);
    free(lat);
    return errors ? 1 : 0;
}
