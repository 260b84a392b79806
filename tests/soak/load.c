/* load - the load scripts/soak runs N of at once, and its check.
 *
 *   ledger-soak-load write --endpoint EP --client K --seconds S [--batch B]
 *                          [--threads T] [--timeout MS] --acked FILE
 *   ledger-soak-load verify --endpoint EP FILE...
 *
 * write: orders for its own customers over T connections, each through
 * shared/client.c (so it connects as every client does) with one request
 * at a time, for S seconds; each acknowledged order's seq and code
 * appended to FILE. A request that
 * times out is sent again with the same idempotency key until answered, so
 * every order it tried is acknowledged exactly once. Prints one JSON line.
 * verify: reads the whole log through replay and checks that every
 * acknowledged order is the order.created event at its seq, and that the
 * log holds no other order; prints one JSON line, exits 1 on a miss. */
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "client.h"
#include "frame.h"
#include "request.pb-c.h"

#define CUSTOMERS 50   /* per load client */

static double s_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void s_usage(FILE *to)
{
    fputs("usage: ledger-soak-load write --endpoint EP --client K --seconds S [--batch B]\n"
          "                              [--threads T] [--timeout MS] --acked FILE\n"
          "       ledger-soak-load verify --endpoint EP FILE...\n"
          "write: orders over T connections, one request at a time on each, for S seconds;\n"
          "each acknowledged order's seq and code go to FILE. verify: every order in the\n"
          "FILEs is in the log at its seq, and no other order is.\n"
          "Exit: 0 ok, 1 refused or missing, 2 usage.\n", to);
}

/* s_call - client_call, sent again with the same request (and so the same
 * idempotency key) while no reply comes, ten times at most; 0, or -1 with
 * err (refused, or still no reply) */
static int s_call(client_t *c, uint8_t type, const ProtobufCMessage *req,
                  const ProtobufCMessageDescriptor *desc, ProtobufCMessage **out, long *retries,
                  err_t *err)
{
    for (int attempt = 0;; attempt++) {
        if (client_call(c, type, req, desc, out, err) == 0)
            return 0;
        if (err->code != ERR(TIMEOUT) || attempt == 10)
            return -1;
        (*retries)++;
    }
}

/* One connection of a write process: its own client, its own order codes. */
typedef struct {
    long client, thread, batch, timeout, seconds;
    const char *endpoint;
    char (*customers)[32];
    FILE *acked;                 /* shared: stdio locks each call */
    long orders, requests, retries;
    int failed;
} conn_t;

/* s_conn - orders through one client until the time is up */
static void *s_conn(void *arg)
{
    conn_t *k = arg;
    char actor[32], idem[64];
    snprintf(actor, sizeof actor, "soak-%ld", k->client);
    client_t *cl = client_new(k->endpoint, actor, (int)k->timeout);
    if (!cl) {
        fprintf(stderr, "ledger-soak-load: --endpoint %s: cannot connect\n", k->endpoint);
        k->failed = 1;
        return NULL;
    }
    Ledger__OrderLine line = LEDGER__ORDER_LINE__INIT;
    Ledger__OrderLine *lines[] = { &line };
    line.product = "P-SOAK";
    line.qty = 2;
    line.unit_price = 1999;
    line.cost = 1200;
    Ledger__Order *os = calloc(k->batch, sizeof *os);
    Ledger__Order **ptrs = calloc(k->batch, sizeof *ptrs);
    char (*codes)[40] = calloc(k->batch, sizeof *codes);
    err_t err;
    double end = s_now() + k->seconds;
    while (s_now() < end) {
        for (long i = 0; i < k->batch; i++) {
            long n = k->orders + i;
            ledger__order__init(&os[i]);
            snprintf(codes[i], sizeof codes[i], "S%ld.%ld-%ld", k->client, k->thread, n);
            os[i].code = codes[i];
            os[i].customer_code = k->customers[(n + k->thread) % CUSTOMERS];
            os[i].branch = "SOAK";
            os[i].placed_ms = 1767225600000 + n * 1000;
            os[i].lines = lines;
            os[i].n_lines = 1;
            ptrs[i] = &os[i];
        }
        snprintf(idem, sizeof idem, "soak-%ld.%ld-%ld", k->client, k->thread, k->requests);
        Ledger__Meta meta = LEDGER__META__INIT;
        client_meta(cl, &meta, idem);
        if (k->batch == 1) {
            Ledger__OrderAdd req = LEDGER__ORDER_ADD__INIT;
            req.meta = &meta;
            req.order = &os[0];
            Ledger__WriteReply *rep = NULL;
            if (s_call(cl, FRAME_ORDER_ADD, &req.base, &ledger__write_reply__descriptor,
                       (ProtobufCMessage **)&rep, &k->retries, &err) < 0)
                goto refused;
            fprintf(k->acked, "%" PRIu64 " %s\n", rep->seq, rep->code);
            protobuf_c_message_free_unpacked(&rep->base, NULL);
        } else {
            Ledger__OrderBatch req = LEDGER__ORDER_BATCH__INIT;
            req.meta = &meta;
            req.orders = ptrs;
            req.n_orders = (size_t)k->batch;
            Ledger__BatchReply *rep = NULL;
            if (s_call(cl, FRAME_ORDER_BATCH, &req.base, &ledger__batch_reply__descriptor,
                       (ProtobufCMessage **)&rep, &k->retries, &err) < 0)
                goto refused;
            for (size_t i = 0; i < rep->n_items; i++)
                fprintf(k->acked, "%" PRIu64 " %s\n", rep->items[i]->seq, rep->items[i]->code);
            protobuf_c_message_free_unpacked(&rep->base, NULL);
        }
        k->orders += k->batch;
        k->requests++;
    }
    goto done;
refused:
    fprintf(stderr, "ledger-soak-load: client %ld.%ld, request %ld: %s %s: %s\n", k->client,
            k->thread, k->requests, err_code_name(err.code), err.field, err.msg);
    k->failed = 1;
done:
    client_destroy(&cl);
    free(os);
    free(ptrs);
    free(codes);
    return NULL;
}

static int s_write(int argc, char **argv)
{
    static const struct option longs[] = {
        { "endpoint", 1, 0, 'e' }, { "client", 1, 0, 'k' }, { "seconds", 1, 0, 's' },
        { "batch", 1, 0, 'b' }, { "threads", 1, 0, 'n' }, { "timeout", 1, 0, 't' },
        { "acked", 1, 0, 'a' }, { 0, 0, 0, 0 } };
    const char *ep = NULL, *acked_path = NULL;
    long client = -1, seconds = 0, batch = 1, threads = 1, timeout = 10000;
    int c;
    while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1)
        switch (c) {
        case 'e': ep = optarg; break;
        case 'k': client = atol(optarg); break;
        case 's': seconds = atol(optarg); break;
        case 'b': batch = atol(optarg); break;
        case 'n': threads = atol(optarg); break;
        case 't': timeout = atol(optarg); break;
        case 'a': acked_path = optarg; break;
        default: s_usage(stderr); return 2;
        }
    if (!ep || !acked_path || client < 0 || seconds < 1 || batch < 1 || batch > 10000 ||
        threads < 1 || threads > 256 || timeout < 100) {
        s_usage(stderr);
        return 2;
    }
    FILE *acked = fopen(acked_path, "w");
    if (!acked) {
        perror(acked_path);
        return 2;
    }
    char actor[32];
    snprintf(actor, sizeof actor, "soak-%ld", client);
    client_t *cl = client_new(ep, actor, (int)timeout);
    if (!cl) {
        fprintf(stderr, "ledger-soak-load: --endpoint %s: cannot connect\n", ep);
        return 2;
    }
    long retries = 0;
    err_t err;
    char customers[CUSTOMERS][32], idem[64];
    for (int i = 0; i < CUSTOMERS; i++) {
        snprintf(customers[i], sizeof customers[i], "SOAK-K%ld-C%02d", client, i);
        snprintf(idem, sizeof idem, "soak-customer-%s", customers[i]);
        Ledger__Customer cu = LEDGER__CUSTOMER__INIT;
        cu.code = customers[i];
        cu.name = "压测客户";
        cu.branch = "SOAK";
        Ledger__Meta meta = LEDGER__META__INIT;
        client_meta(cl, &meta, idem);
        Ledger__CustomerAdd req = LEDGER__CUSTOMER_ADD__INIT;
        req.meta = &meta;
        req.customer = &cu;
        Ledger__WriteReply *rep = NULL;
        if (s_call(cl, FRAME_CUSTOMER_ADD, &req.base, &ledger__write_reply__descriptor,
                   (ProtobufCMessage **)&rep, &retries, &err) < 0) {
            fprintf(stderr, "ledger-soak-load: customer %s: %s %s: %s\n", customers[i],
                    err_code_name(err.code), err.field, err.msg);
            return 1;
        }
        protobuf_c_message_free_unpacked(&rep->base, NULL);
    }
    client_destroy(&cl);

    conn_t *conns = calloc(threads, sizeof *conns);
    pthread_t *tids = calloc(threads, sizeof *tids);
    double t0 = s_now();
    for (long t = 0; t < threads; t++) {
        conns[t] = (conn_t){ .client = client, .thread = t, .batch = batch, .timeout = timeout,
                             .seconds = seconds, .endpoint = ep, .customers = customers,
                             .acked = acked };
        pthread_create(&tids[t], NULL, s_conn, &conns[t]);
    }
    long orders = 0, requests = 0, failed = 0;
    for (long t = 0; t < threads; t++) {
        pthread_join(tids[t], NULL);
        orders += conns[t].orders;
        requests += conns[t].requests;
        retries += conns[t].retries;
        failed += conns[t].failed;
    }
    printf("{\"client\":%ld,\"threads\":%ld,\"acked\":%ld,\"requests\":%ld,\"retries\":%ld,"
           "\"failed\":%ld,\"seconds\":%.3f}\n", client, threads, orders, requests, retries, failed,
           s_now() - t0);
    fclose(acked);
    free(conns);
    free(tids);
    return failed ? 1 : 0;
}

typedef struct {
    uint64_t seq;
    char code[24];
} ack_t;

static int s_ack_cmp(const void *a, const void *b)
{
    uint64_t x = ((const ack_t *)a)->seq, y = ((const ack_t *)b)->seq;
    return (x > y) - (x < y);
}

static int s_verify(int argc, char **argv)
{
    static const struct option longs[] = { { "endpoint", 1, 0, 'e' }, { 0, 0, 0, 0 } };
    const char *ep = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1)
        switch (c) {
        case 'e': ep = optarg; break;
        default: s_usage(stderr); return 2;
        }
    if (!ep || optind >= argc) {
        s_usage(stderr);
        return 2;
    }
    ack_t *acks = NULL;
    size_t n = 0, cap = 0;
    for (int i = optind; i < argc; i++) {
        FILE *f = fopen(argv[i], "r");
        if (!f) {
            perror(argv[i]);
            return 2;
        }
        ack_t a;
        while (fscanf(f, "%" SCNu64 " %23s", &a.seq, a.code) == 2) {
            if (n == cap) {
                cap = cap ? 2 * cap : 1 << 16;
                acks = realloc(acks, cap * sizeof *acks);
            }
            acks[n++] = a;
        }
        fclose(f);
    }
    qsort(acks, n, sizeof *acks, s_ack_cmp);

    client_t *cl = client_new(ep, "soak-verify", 60000);
    uint64_t after = 0, last = 0, expect = 1, orders = 0, found = 0, gaps = 0;
    size_t next = 0;   /* the next acknowledged order, by seq */
    double t0 = s_now();
    do {
        Ledger__Meta meta = LEDGER__META__INIT;
        meta.actor = "soak-verify";
        Ledger__Replay req = LEDGER__REPLAY__INIT;
        req.meta = &meta;
        req.after_seq = after;
        req.max_events = 10000;
        Ledger__ReplayReply *rep = NULL;
        err_t err;
        if (!cl || client_call(cl, FRAME_REPLAY, &req.base, &ledger__replay_reply__descriptor,
                               (ProtobufCMessage **)&rep, &err) < 0) {
            fprintf(stderr, "ledger-soak-load: replay after %" PRIu64 ": %s\n", after,
                    cl ? err.msg : "cannot connect");
            return 1;
        }
        for (size_t i = 0; i < rep->n_events; i++) {
            const Ledger__Event *e = rep->events[i];
            gaps += e->seq != expect;
            expect = e->seq + 1;
            if (strcmp(e->kind, "order.created") != 0)
                continue;
            orders++;
            while (next < n && acks[next].seq < e->seq)
                next++;   /* acknowledged at a seq that holds no order: missing */
            if (next < n && acks[next].seq == e->seq && !strcmp(acks[next].code, e->entity_code))
                found++, next++;
        }
        after = rep->scanned_to;
        last = rep->last_seq;
        protobuf_c_message_free_unpacked(&rep->base, NULL);
    } while (after < last);
    client_destroy(&cl);
    printf("{\"acked\":%zu,\"found\":%" PRIu64 ",\"missing\":%" PRIu64 ",\"orders_in_log\":%"
           PRIu64 ",\"last_seq\":%" PRIu64 ",\"gaps\":%" PRIu64 ",\"seconds\":%.3f}\n", n, found,
           (uint64_t)n - found, orders, last, gaps, s_now() - t0);
    free(acks);
    return found == n && orders == n && gaps == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "write"))
        return s_write(argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "verify"))
        return s_verify(argc - 1, argv + 1);
    if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        s_usage(stdout);
        return 0;
    }
    s_usage(stderr);
    return 2;
}
