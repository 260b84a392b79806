/* test_slow_subscriber - a subscriber that connects and never reads while a
 * client writes a few hundred thousand events. ledgerd's writes keep their
 * pace, and what it holds for that subscriber is bounded: its PUB socket's
 * high-water mark (SNDHWM 100,000 messages, server/ledgerd/main.c) caps the
 * queue, after which events for it are dropped, not held (a follower fills
 * such a gap from the log, docs/PROTOCOL.md section 8.2). Proved twice:
 * when the subscriber finally reads, it gets one unbroken run of events no
 * longer than the high-water mark and the socket buffers allow, then
 * nothing; and ledgerd's RssAnon grows by less than 64 MiB over the run
 * (not checked under AddressSanitizer, whose quarantine holds freed memory). */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>
#include "faults.h"
#include "frame.h"
#include "request.pb-c.h"
#include "server.h"
#include "wire.h"

TestSuite(slow_subscriber, .timeout = 600);

#define BATCH     1000      /* orders per order.batch request */
#define WINDOW    8         /* requests in flight */
#define PUB_HWM   100000    /* ledgerd's SNDHWM on its PUB socket, in messages */
/* What may sit between ledgerd and the subscriber besides ledgerd's queue:
 * the SUB's own queue (RCVHWM 1,000) and both kernels' socket buffers (a
 * few MiB of ~200-byte events). Generous: the point is that it is bounded. */
#define IN_FLIGHT 50000
#define RSS_GROWTH_MAX_KIB (64 * 1024)

static server_t srv;
static void *ctx;

static void teardown(void)
{
    server_remove(&srv);
    if (ctx)
        zmq_ctx_shutdown(ctx);   /* not term: a socket may be open after a failure */
}

/* s_ok - one request and its success reply, or the test fails */
static void s_ok(void *d, uint8_t type, const ProtobufCMessage *req)
{
    static uint64_t id = (uint64_t)1 << 40;
    wire_send(d, type, ++id, req);
    uint64_t got;
    uint8_t *body;
    size_t len;
    int t = wire_recv(d, 60000, &got, &body, &len);
    cr_assert_eq(t, type | FRAME_REPLY, "%s answered with type %d", frame_type_name(type), t);
    free(body);
}

/* s_staff - a staff.add with a fresh code */
static void s_staff(void *d, const char *code)
{
    char idem[64];
    snprintf(idem, sizeof idem, "staff-%s", code);
    Ledger__Meta meta = wire_meta(idem);
    Ledger__Staff st = LEDGER__STAFF__INIT;
    st.code = (char *)code;
    st.name = "探针";
    st.branch = "SH01";
    Ledger__StaffAdd req = LEDGER__STAFF_ADD__INIT;
    req.meta = &meta;
    req.staff = &st;
    s_ok(d, FRAME_STAFF_ADD, &req.base);
}

/* s_write - n orders (a multiple of BATCH) for C-1 in order.batch requests,
 * WINDOW in flight; every one must be acknowledged. The time taken, in ms. */
static int64_t s_write(void *d, const char *phase, int n)
{
    static Ledger__OrderLine line = LEDGER__ORDER_LINE__INIT;
    static Ledger__OrderLine *lines[] = { &line };
    static Ledger__Order orders[BATCH];
    static Ledger__Order *ptrs[BATCH];
    char idem[64];
    line.product = "INK-02";
    line.qty = 2;
    line.unit_price = 9950;
    line.cost = 6000;
    for (int i = 0; i < BATCH; i++) {
        ledger__order__init(&orders[i]);
        orders[i].customer_code = "C-1";
        orders[i].branch = "SH01";
        orders[i].lines = lines;
        orders[i].n_lines = 1;
        ptrs[i] = &orders[i];
    }
    int requests = n / BATCH, sent = 0, done = 0;
    int64_t t0 = faults_now_ms();
    while (done < requests) {
        while (sent < requests && sent - done < WINDOW) {
            for (int i = 0; i < BATCH; i++)
                orders[i].placed_ms = 1767225600000 + (int64_t)(sent * BATCH + i) * 1000;
            snprintf(idem, sizeof idem, "%s-%d", phase, sent);
            Ledger__Meta meta = wire_meta(idem);
            Ledger__OrderBatch req = LEDGER__ORDER_BATCH__INIT;
            req.meta = &meta;
            req.orders = ptrs;
            req.n_orders = BATCH;
            wire_send(d, FRAME_ORDER_BATCH, (uint64_t)sent, &req.base);
            sent++;
        }
        uint64_t id;
        uint8_t *body;
        size_t len;
        int t = wire_recv(d, 120000, &id, &body, &len);
        cr_assert_eq(t, FRAME_ORDER_BATCH | FRAME_REPLY, "%s: batch %" PRIu64 " answered with "
                     "type %d (-1: no reply in 120 s)", phase, id, t);
        free(body);
        done++;
    }
    return faults_now_ms() - t0;
}

/* s_next_seq - the seq of the next published event waiting on sub, 0 when
 * none comes within ms */
static uint64_t s_next_seq(void *sub, int ms)
{
    zmq_pollitem_t item = { sub, 0, ZMQ_POLLIN, 0 };
    if (zmq_poll(&item, 1, ms) != 1)
        return 0;
    zmq_msg_t part[3];
    int n = 0, more = 1;
    while (more) {
        zmq_msg_t scratch, *m = n < 3 ? &part[n] : &scratch;
        zmq_msg_init(m);
        cr_assert_geq(zmq_msg_recv(m, sub, 0), 0, "recv an event");
        more = zmq_msg_more(m);
        if (m == &scratch)
            zmq_msg_close(m);
        n++;
    }
    cr_assert_eq(n, 3, "an event is [topic][header][body], got %d frames", n);
    frame_header_t h;
    cr_assert_eq(frame_decode(&h, zmq_msg_data(&part[1]), zmq_msg_size(&part[1]), NULL), 0);
    cr_assert_eq(h.type, FRAME_EVENT);
    for (int i = 0; i < 3; i++)
        zmq_msg_close(&part[i]);
    return h.request_id;
}

Test(slow_subscriber, a_subscriber_that_never_reads_costs_ledgerd_a_bounded_queue, .fini = teardown)
{
    enum { WARM = 20000, PHASE = 60000, STALLED_PHASES = 3 };
    ctx = zmq_ctx_new();
    server_start(&srv, "--test-clock");
    void *d = wire_dealer(ctx, srv.listen);
    Ledger__Meta meta = wire_meta("customer-C-1");
    Ledger__Customer c = LEDGER__CUSTOMER__INIT;
    c.code = "C-1";
    c.name = "客户";
    c.branch = "SH01";
    Ledger__CustomerAdd add = LEDGER__CUSTOMER_ADD__INIT;
    add.meta = &meta;
    add.customer = &c;
    s_ok(d, FRAME_CUSTOMER_ADD, &add.base);

    s_write(d, "warm", WARM);   /* ledgerd's buffers reach their working size */
    long rss_start = faults_rss_anon_kib(srv.pid);
    int64_t t_before = s_write(d, "alone", PHASE);

    /* The subscriber: joined once a probe event reaches it; what it has
     * received is read, and from then on nothing until the writes end. */
    void *sub = wire_sub(ctx, srv.publish, "");
    uint64_t seen = 0;
    for (int i = 0; i < 100 && !seen; i++) {
        char code[32];
        snprintf(code, sizeof code, "PROBE-%d", i);
        s_staff(d, code);
        seen = s_next_seq(sub, 100);
    }
    cr_assert_gt(seen, 0, "the subscriber never received an event");
    for (uint64_t s; (s = s_next_seq(sub, 50)) != 0;)
        seen = s;

    int64_t t_stalled = 0;
    long rss_max = rss_start;
    for (int p = 0; p < STALLED_PHASES; p++) {
        char phase[32];
        snprintf(phase, sizeof phase, "stalled-%d", p);
        int64_t t = s_write(d, phase, PHASE);
        long rss = faults_rss_anon_kib(srv.pid);
        cr_log_info("%s: %d orders in %" PRId64 " ms; ledgerd RssAnon %ld KiB", phase, PHASE, t,
                    rss);
        if (t > t_stalled)
            t_stalled = t;
        if (rss > rss_max)
            rss_max = rss;
    }
    uint64_t written_to = seen + (uint64_t)STALLED_PHASES * PHASE;   /* the last seq */

    /* Now read: one unbroken run from where the subscriber stopped, as long
     * as the queues between it and ledgerd allowed, and then nothing. */
    uint64_t expect = seen + 1, delivered = 0;
    for (uint64_t s; (s = s_next_seq(sub, 1000)) != 0; expect++, delivered++)
        cr_assert_eq(s, expect, "after %" PRIu64 " queued events came seq %" PRIu64 ", want %"
                     PRIu64 ": a queue kept events past a dropped one", delivered, s, expect);
    zmq_close(sub);
    cr_log_info("the stalled subscriber got %" PRIu64 " of the %d events written meanwhile "
                "(ledgerd's high-water mark: %d)", delivered, STALLED_PHASES * PHASE, PUB_HWM);
    cr_assert_lt(expect - 1, written_to, "the stalled subscriber got all %d events: nothing "
                 "bounded its queue", STALLED_PHASES * PHASE);
    cr_assert_leq(delivered, (uint64_t)PUB_HWM + IN_FLIGHT, "%" PRIu64 " events were held for a "
                  "subscriber that did not read, more than SNDHWM %d and %d in socket buffers",
                  delivered, PUB_HWM, IN_FLIGHT);

    int64_t t_after = s_write(d, "alone-again", PHASE);
    long rss_end = faults_rss_anon_kib(srv.pid);
    if (rss_end > rss_max)
        rss_max = rss_end;
    int64_t t_alone = t_before > t_after ? t_before : t_after;
    cr_log_info("%d orders: %" PRId64 " and %" PRId64 " ms alone, at most %" PRId64 " ms beside "
                "the stalled subscriber; RssAnon %ld KiB before, at most %ld KiB", PHASE,
                t_before, t_after, t_stalled, rss_start, rss_max);
#if !defined(__SANITIZE_ADDRESS__)
    /* Under AddressSanitizer freed memory waits in a quarantine of 256 MiB:
     * RssAnon says nothing there, and the run above is the proof. */
    cr_assert_leq(rss_max - rss_start, RSS_GROWTH_MAX_KIB, "ledgerd's RssAnon grew %ld KiB "
                  "(from %ld to %ld) while a subscriber did not read", rss_max - rss_start,
                  rss_start, rss_max);
#endif
    /* Generous, since the machine may be busy with other tests: the
     * stalled subscriber must not slow the writes down by a factor. */
    cr_assert_leq(t_stalled, 3 * t_alone + 1000, "writes took %" PRId64 " ms beside a stalled "
                  "subscriber, %" PRId64 " ms without", t_stalled, t_alone);
    zmq_close(d);
}
