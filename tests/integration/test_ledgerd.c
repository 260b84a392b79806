/* ledgerd - the real server on loopback: replies and events after commit,
 * bad frames answered, clean shutdown, one server per directory, and no
 * acknowledged write lost when it is killed mid-stream. */
#include <criterion/criterion.h>
#include <signal.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>
#include "codec.h"
#include "frame.h"
#include "request.pb-c.h"
#include "server.h"
#include "wire.h"

static server_t srv;
static void *ctx;

static void setup(void)
{
    ctx = zmq_ctx_new();
    server_start(&srv, "--test-clock");
}
static void teardown(void)
{
    server_remove(&srv);
    /* Not zmq_ctx_term: after a failed assertion a socket may still be open,
     * and term would wait for it forever. The test process ends here anyway. */
    zmq_ctx_shutdown(ctx);
}

TestSuite(ledgerd, .init = setup, .fini = teardown, .timeout = 600);

Test(ledgerd, an_event_is_published_after_its_reply_with_the_seq_and_actor)
{
    void *sub = wire_sub(ctx, srv.publish, "staff.");
    usleep(200000);   /* a SUB joins late: the slow-joiner; wait before publishing */
    void *d = wire_dealer(ctx, srv.listen);

    Ledger__Meta meta = wire_meta("k1");
    Ledger__Staff st = LEDGER__STAFF__INIT;
    st.name = "王五";
    st.branch = "SH";
    Ledger__StaffAdd req = LEDGER__STAFF_ADD__INIT;
    req.meta = &meta;
    req.staff = &st;
    wire_send(d, FRAME_STAFF_ADD, 77, &req.base);
    uint64_t id;
    uint8_t *body;
    size_t len;
    cr_assert_eq(wire_recv(d, 5000, &id, &body, &len), FRAME_STAFF_ADD | FRAME_REPLY);
    cr_assert_eq(id, 77);
    Ledger__WriteReply *w = ledger__write_reply__unpack(NULL, len, body);
    cr_assert(w);
    uint64_t seq = w->seq;   /* after the keys the server trusted at its start */
    ledger__write_reply__free_unpacked(w, NULL);
    free(body);

    zmq_pollitem_t item = { sub, 0, ZMQ_POLLIN, 0 };
    cr_assert_eq(zmq_poll(&item, 1, 5000), 1, "no event published");
    char topic[64];
    int n = zmq_recv(sub, topic, sizeof topic, 0);
    cr_assert_eq(n, 14, "topic is the kind and a NUL");
    cr_assert_eq(memcmp(topic, "staff.created\0", 14), 0);
    uint8_t hdr[32];
    cr_assert_eq(zmq_recv(sub, hdr, sizeof hdr, 0), FRAME_HEADER_SIZE);
    frame_header_t h;
    frame_decode(&h, hdr, FRAME_HEADER_SIZE, NULL);
    cr_assert_eq(h.type, FRAME_EVENT);
    zmq_msg_t m;
    zmq_msg_init(&m);
    zmq_msg_recv(&m, sub, 0);
    Ledger__Event *ev = ledger__event__unpack(NULL, zmq_msg_size(&m), zmq_msg_data(&m));
    cr_assert(ev);
    cr_assert_eq(ev->seq, h.request_id, "the header carries the seq");
    cr_assert_eq(ev->seq, seq);
    cr_assert_str_eq(ev->actor, "tester", "the actor is the key's name");
    cr_assert_str_eq(ev->role, "admin", "and its role");
    cr_assert_str_eq(ev->staff->name, "王五");
    ledger__event__free_unpacked(ev, NULL);
    zmq_msg_close(&m);
    zmq_close(sub);
    zmq_close(d);
}

Test(ledgerd, a_request_of_three_frames_gets_one_error_reply)
{
    void *d = wire_dealer(ctx, srv.listen);
    uint8_t hdr[FRAME_HEADER_SIZE];
    frame_encode(hdr, &(frame_header_t){ .version = 1, .type = FRAME_HELLO, .request_id = 3 });
    zmq_send(d, hdr, sizeof hdr, ZMQ_SNDMORE);
    zmq_send(d, "", 0, ZMQ_SNDMORE);
    zmq_send(d, "", 0, 0);
    uint64_t id;
    uint8_t *body;
    size_t len;
    cr_assert_eq(wire_recv(d, 5000, &id, &body, &len), FRAME_ERROR);
    cr_assert_eq(id, 3);
    Ledger__Error *e = ledger__error__unpack(NULL, len, body);
    cr_assert_eq(e->code, ERR(BAD_FRAME));
    ledger__error__free_unpacked(e, NULL);
    free(body);
    /* And the server still answers. */
    Ledger__Meta meta = wire_meta("");
    Ledger__Hello hello = LEDGER__HELLO__INIT;
    hello.meta = &meta;
    wire_send(d, FRAME_HELLO, 4, &hello.base);
    cr_assert_eq(wire_recv(d, 5000, &id, &body, &len), FRAME_HELLO | FRAME_REPLY);
    free(body);
    zmq_close(d);
}

Test(ledgerd, a_frame_over_the_hard_limit_disconnects_only_that_peer)
{
    void *big = wire_dealer(ctx, srv.listen);
    size_t n = FRAME_MAX_BYTES + 1;
    uint8_t *blob = calloc(1, n);
    uint8_t hdr[FRAME_HEADER_SIZE];
    frame_encode(hdr, &(frame_header_t){ .version = 1, .type = FRAME_HELLO, .request_id = 1 });
    zmq_send(big, hdr, sizeof hdr, ZMQ_SNDMORE);
    zmq_send(big, blob, n, 0);
    free(blob);
    uint64_t id;
    uint8_t *body;
    size_t len;
    cr_assert_eq(wire_recv(big, 1000, &id, &body, &len), -1, "an oversized frame was answered");
    zmq_close(big);

    void *d = wire_dealer(ctx, srv.listen);
    Ledger__Meta meta = wire_meta("");
    Ledger__Hello hello = LEDGER__HELLO__INIT;
    hello.meta = &meta;
    wire_send(d, FRAME_HELLO, 2, &hello.base);
    cr_assert_eq(wire_recv(d, 5000, &id, &body, &len), FRAME_HELLO | FRAME_REPLY);
    free(body);
    zmq_close(d);
}

Test(ledgerd, sigterm_stops_it_cleanly_and_a_second_server_on_one_dir_is_refused)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "%s --data %s --listen 'tcp://127.0.0.1:*' --publish "
             "'tcp://127.0.0.1:*' 2>/dev/null", LEDGERD_BIN, srv.dir);
    int rc = system(cmd);
    cr_assert(WIFEXITED(rc) && WEXITSTATUS(rc) == 1, "second ledgerd: status %d", rc);
    cr_assert_eq(server_stop(&srv), 0, "SIGTERM exit status");
}

/* The crash test: a pipelined stream of order writes; ledgerd is killed
 * while requests are still queued. Every acknowledged order must be there
 * after a restart, and the log must run from 1 with no gap. */
Test(ledgerd, no_acknowledged_write_is_lost_when_killed_mid_stream)
{
    enum { ROUNDS = 3, STREAM = 20000 };
    void *d = wire_dealer(ctx, srv.listen);
    Ledger__Meta meta = wire_meta("cust");
    Ledger__Customer c = LEDGER__CUSTOMER__INIT;
    c.code = "C-1";
    c.name = "客户";
    c.branch = "SH";
    Ledger__CustomerAdd add = LEDGER__CUSTOMER_ADD__INIT;
    add.meta = &meta;
    add.customer = &c;
    uint64_t id;
    uint8_t *body;
    size_t len;
    wire_send(d, FRAME_CUSTOMER_ADD, 1, &add.base);
    cr_assert_eq(wire_recv(d, 5000, &id, &body, &len), FRAME_CUSTOMER_ADD | FRAME_REPLY);
    free(body);

    static char acked[ROUNDS * STREAM][24];   /* codes of acknowledged orders */
    size_t n_acked = 0;
    int killed_mid_stream = 0;
    srand(12345);
    for (int round = 0; round < ROUNDS; round++) {
        Ledger__OrderLine line = LEDGER__ORDER_LINE__INIT;
        Ledger__OrderLine *lines[] = { &line };
        line.product = "P-1";
        line.qty = 1;
        line.unit_price = 990;
        for (int i = 0; i < STREAM; i++) {
            char code[24], idem[32];
            snprintf(code, sizeof code, "R%d-%d", round, i);
            snprintf(idem, sizeof idem, "o-%s", code);
            Ledger__Meta m = wire_meta(idem);
            Ledger__Order o = LEDGER__ORDER__INIT;
            o.code = code;
            o.customer_code = "C-1";
            o.branch = "SH";
            o.placed_ms = 1767225600000 + i;
            o.lines = lines;
            o.n_lines = 1;
            Ledger__OrderAdd req = LEDGER__ORDER_ADD__INIT;
            req.meta = &m;
            req.order = &o;
            wire_send(d, FRAME_ORDER_ADD, (uint64_t)round << 32 | (uint64_t)i, &req.base);
        }
        int kill_after = 200 + rand() % 1500;
        for (int got = 0;; got++) {
            if (got == kill_after)
                server_kill(&srv);
            /* Generous before the kill: a sanitizer build on a busy machine
             * may take seconds for one batch of 1,000 writes. */
            int type = wire_recv(d, got >= kill_after ? 300 : 120000, &id, &body, &len);
            if (type < 0)
                break;
            free(body);
            cr_assert_eq(type, FRAME_ORDER_ADD | FRAME_REPLY, "order %llx refused",
                         (unsigned long long)id);
            snprintf(acked[n_acked++], 24, "R%d-%d", (int)(id >> 32), (int)(id & 0xffffffff));
        }
        if (srv.pid > 0)   /* replies stopped before the kill point: kill now */
            server_kill(&srv);
        if (n_acked < (size_t)(round + 1) * STREAM)
            killed_mid_stream++;
        server_restart(&srv);
        zmq_close(d);
        d = wire_dealer(ctx, srv.listen);   /* a new connection: old replies are gone */
    }

    /* Every acknowledged order is there. */
    for (size_t i = 0; i < n_acked; i++) {
        Ledger__Meta m = wire_meta("");
        Ledger__Get get = LEDGER__GET__INIT;
        get.meta = &m;
        get.kind = LEDGER__ENTITY_KIND__ENTITY_ORDER;
        get.code = acked[i];
        wire_send(d, FRAME_GET, i, &get.base);
    }
    for (size_t i = 0; i < n_acked; i++) {
        int type = wire_recv(d, 10000, &id, &body, &len);
        cr_assert_eq(type, FRAME_GET | FRAME_REPLY, "acknowledged order %s lost", acked[id]);
        free(body);
    }
    /* And the log is gap-free from 1. */
    uint64_t after = 0, expect = 1, last = 0;
    do {
        Ledger__Meta m = wire_meta("");
        Ledger__Replay rp = LEDGER__REPLAY__INIT;
        rp.meta = &m;
        rp.after_seq = after;
        rp.max_events = 5000;
        wire_send(d, FRAME_REPLAY, 1, &rp.base);
        cr_assert_eq(wire_recv(d, 10000, &id, &body, &len), FRAME_REPLAY | FRAME_REPLY);
        Ledger__ReplayReply *r = ledger__replay_reply__unpack(NULL, len, body);
        free(body);
        for (size_t i = 0; i < r->n_events; i++, expect++)
            cr_assert_eq(r->events[i]->seq, expect, "gap: got seq %llu, want %llu",
                         (unsigned long long)r->events[i]->seq, (unsigned long long)expect);
        after = r->scanned_to;
        last = r->last_seq;
        ledger__replay_reply__free_unpacked(r, NULL);
    } while (after < last);
    cr_assert_geq(last, n_acked + 1, "fewer events than acknowledged writes");
    cr_assert_gt(killed_mid_stream, 0, "ledgerd finished every stream before it was killed");
    fprintf(stderr, "crash test: %zu acknowledged orders over %d kills, log of %llu events\n",
                n_acked, ROUNDS, (unsigned long long)last);
    zmq_close(d);
}

Test(ledgerd, a_client_that_never_reads_its_replies_does_not_block_others)
{
    void *slow = wire_dealer(ctx, srv.listen);
    int hwm = 1;
    zmq_setsockopt(slow, ZMQ_RCVHWM, &hwm, sizeof hwm);
    Ledger__Meta meta = wire_meta("");
    Ledger__Replay rp = LEDGER__REPLAY__INIT;
    rp.meta = &meta;
    for (int i = 0; i < 20000; i++)   /* replies it will never read */
        wire_send(slow, FRAME_REPLAY, i, &rp.base);

    void *d = wire_dealer(ctx, srv.listen);
    Ledger__Hello hello = LEDGER__HELLO__INIT;
    hello.meta = &meta;
    uint64_t id;
    uint8_t *body;
    size_t len;
    for (int i = 0; i < 10; i++) {
        wire_send(d, FRAME_HELLO, 1000 + i, &hello.base);
        cr_assert_eq(wire_recv(d, 5000, &id, &body, &len), FRAME_HELLO | FRAME_REPLY,
                     "hello %d not answered beside a stalled client", i);
        cr_assert_eq(id, 1000 + (uint64_t)i);
        free(body);
    }
    zmq_close(slow);
    zmq_close(d);
}

Test(ledgerd, settings_come_from_a_config_file_and_flags_win)
{
    server_stop(&srv);
    char path[300];
    snprintf(path, sizeof path, "%s/ledgerd.conf", srv.dir);
    FILE *f = fopen(path, "w");
    fprintf(f, "# a comment\ntime-zone = Asia/Urumqi\nidem-days = 7\n\nclock-interval = 5\n");
    fclose(f);
    snprintf(srv.args, sizeof srv.args, "--config %s --test-clock", path);
    server_restart(&srv);
    void *d = wire_dealer(ctx, srv.listen);
    Ledger__Meta meta = wire_meta("");
    Ledger__Hello hello = LEDGER__HELLO__INIT;
    hello.meta = &meta;
    wire_send(d, FRAME_HELLO, 1, &hello.base);
    uint64_t id;
    uint8_t *body;
    size_t len;
    cr_assert_eq(wire_recv(d, 5000, &id, &body, &len), FRAME_HELLO | FRAME_REPLY);
    Ledger__HelloReply *h = ledger__hello_reply__unpack(NULL, len, body);
    cr_assert_str_eq(h->time_zone, "Asia/Urumqi", "the file's zone is served");
    cr_assert(h->test_clock, "the flag beside the file applies");
    ledger__hello_reply__free_unpacked(h, NULL);
    free(body);
    zmq_close(d);

    /* A bad line is a usage error naming FILE:LINE. */
    f = fopen(path, "w");
    fprintf(f, "time-zone = Asia/Shanghai\nno equals sign here\n");
    fclose(f);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "%s --config %s --data %s/other >/dev/null 2>&1", LEDGERD_BIN, path,
             srv.dir);
    int rc = system(cmd);
    cr_assert(WIFEXITED(rc) && WEXITSTATUS(rc) == 2, "bad config: status %d", rc);
}
