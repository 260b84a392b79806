/* test_kill_ledgerd - ledgerd SIGKILLed two dozen times at random moments
 * of a pipelined stream of order writes, each time started again on the
 * same directory and endpoints, the client's one DEALER reconnecting by
 * itself. Afterwards: every write that was acknowledged is there with the
 * id and seq its reply gave; the log runs from seq 1 with no gap and no
 * repeat, and no order in it twice; and a write left unanswered, sent
 * again with its idempotency key, is applied exactly once: every one that
 * had been committed gets its first reply again, and a sample of those that
 * had not is written then, once.
 * The moments are drawn from a printed seed (LEDGER_TEST_SEED repeats it). */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>
#include "client.h"
#include "faults.h"
#include "frame.h"
#include "request.pb-c.h"
#include "server.h"
#include "wire.h"

TestSuite(kill_ledgerd, .timeout = 600);

#define KILLS     24
#if defined(__SANITIZE_ADDRESS__)
/* Under AddressSanitizer a write costs ledgerd milliseconds (LMDB's 3 MiB
 * of allocations per nested transaction): a stream it can answer in part. */
#define STREAM    300
#else
#define STREAM    3000                  /* new writes sent in each round */
#endif
#define WRITES    (KILLS * STREAM)
#define KILL_MS   40                    /* kill within this long of the round's first reply */
#define ID_GET    ((uint64_t)1 << 40)   /* request ids: writes are 1..WRITES */
#define ID_AGAIN  ((uint64_t)2 << 40)   /* a write sent again after the kills */
#define FRESH_EVERY 25                  /* never-committed writes: one in this many sent again */

typedef struct {
    int state;          /* 0 not sent, 1 sent, 2 acknowledged */
    uint64_t id, seq;   /* from the reply */
    int in_log;         /* order.created events seen with this code */
} write_t;

static server_t srv;
static void *ctx;
static write_t w[WRITES];

static void teardown(void)
{
    server_remove(&srv);
    if (ctx)
        zmq_ctx_shutdown(ctx);   /* not term: a socket may be open after a failure */
}

static void s_code(char *out, size_t n, size_t i)
{
    snprintf(out, n, "K-%06zu", i);
}

/* s_send_write - order.add number i for C-1; the payload and the key are
 * the same every time it is sent */
static void s_send_write(void *d, size_t i, uint64_t request_id)
{
    char code[16], idem[32];
    s_code(code, sizeof code, i);
    snprintf(idem, sizeof idem, "kill-%s", code);
    Ledger__OrderLine line = LEDGER__ORDER_LINE__INIT;
    Ledger__OrderLine *lines[] = { &line };
    line.product = "INK-02";
    line.qty = 1 + (int64_t)(i % 5);
    line.unit_price = 9950;
    Ledger__Order o = LEDGER__ORDER__INIT;
    o.code = code;
    o.customer_code = "C-1";
    o.branch = "SH01";
    o.placed_ms = 1767225600000 + (int64_t)i * 1000;
    o.lines = lines;
    o.n_lines = 1;
    Ledger__Meta meta = wire_meta(idem);
    Ledger__OrderAdd req = LEDGER__ORDER_ADD__INIT;
    req.meta = &meta;
    req.order = &o;
    wire_send(d, FRAME_ORDER_ADD, request_id, &req.base);
}

/* s_take - one reply to a write (first sending or again), its body taken
 * (freed): a success that names the write's code; a second reply must
 * repeat the first */
static void s_take(int type, uint64_t rid, uint8_t **body_p, size_t len)
{
    uint64_t i = (rid >= ID_AGAIN ? rid - ID_AGAIN : rid) - 1;
    err_t e = { 0 };
    uint64_t id = 0, seq = 0;
    char code[16], got[64] = "";
    if (type == FRAME_ERROR) {
        faults_error(body_p, len, &e);
    } else {
        Ledger__WriteReply *r = ledger__write_reply__unpack(NULL, len, *body_p);
        if (r) {
            id = r->id;
            seq = r->seq;
            snprintf(got, sizeof got, "%s", r->code);
            ledger__write_reply__free_unpacked(r, NULL);
        }
        free(*body_p);
        *body_p = NULL;
    }
    cr_assert_lt(i, (uint64_t)WRITES, "a reply with request id %" PRIu64, rid);
    cr_assert_neq(type, FRAME_ERROR, "write %" PRIu64 " refused: %s %s: %s", i,
                  err_code_name(e.code), e.field, e.msg);
    cr_assert_eq(type, FRAME_ORDER_ADD | FRAME_REPLY, "write %" PRIu64 ": reply type %d", i, type);
    s_code(code, sizeof code, i);
    cr_assert_str_eq(got, code, "the reply to write %" PRIu64 " names another order", i);
    cr_assert(id > 0 && seq > 0, "write %" PRIu64 ": id %" PRIu64 " seq %" PRIu64, i, id, seq);
    if (w[i].state == 2)
        cr_assert(w[i].id == id && w[i].seq == seq, "%s answered twice, differently: id %"
                  PRIu64 " seq %" PRIu64 ", then id %" PRIu64 " seq %" PRIu64, code, w[i].id,
                  w[i].seq, id, seq);
    w[i].state = 2;
    w[i].id = id;
    w[i].seq = seq;
}

/* s_pump - take the replies that come until the monotonic time until_ms
 * (or, with quiet_ms > 0, until none comes for that long); the number taken */
static size_t s_pump(void *d, int64_t until_ms, int quiet_ms)
{
    size_t n = 0;
    for (;;) {
        int wait = quiet_ms;
        if (quiet_ms <= 0) {
            int64_t left = until_ms - faults_now_ms();
            if (left <= 0)
                break;
            wait = (int)left;
        }
        uint64_t rid;
        uint8_t *body;
        size_t len;
        int type = wire_recv(d, wait, &rid, &body, &len);
        if (type < 0)
            break;
        s_take(type, rid, &body, len);
        n++;
    }
    return n;
}

/* s_count - one event of the log: a write's order.created, counted, at
 * the seq and with the id its reply gave */
static void s_count(void *unused, const Ledger__Event *e)
{
    (void)unused;
    if (strcmp(e->kind, "order.created") != 0)
        return;
    unsigned long i;
    cr_assert_eq(sscanf(e->entity_code, "K-%lu", &i), 1, "order %s", e->entity_code);
    cr_assert_lt(i, (unsigned long)WRITES);
    w[i].in_log++;
    if (w[i].state == 2)
        cr_assert(w[i].seq == e->seq && w[i].id == e->entity_id, "%s: acknowledged as id %"
                  PRIu64 " at seq %" PRIu64 ", logged as id %" PRIu64 " at seq %" PRIu64,
                  e->entity_code, w[i].id, w[i].seq, e->entity_id, e->seq);
}

/* s_check_log - the whole log, gap-free from 1 (faults_log checks that);
 * each write's order.created counted; the last seq */
static uint64_t s_check_log(void)
{
    for (size_t i = 0; i < WRITES; i++)
        w[i].in_log = 0;
    client_t *c = client_new(srv.listen, "tester", 30000);
    uint64_t last = faults_log(c, 0, s_count, NULL);
    client_destroy(&c);
    return last;
}

Test(kill_ledgerd, every_acknowledged_write_survives_two_dozen_kills_and_a_retry_writes_once,
     .fini = teardown)
{
    uint64_t rng = faults_seed("kill_ledgerd");
    ctx = zmq_ctx_new();
    server_start(&srv, "--test-clock");
    void *d = wire_dealer(ctx, srv.listen);
    Ledger__Meta meta = wire_meta("customer-C-1");
    Ledger__Customer cust = LEDGER__CUSTOMER__INIT;
    cust.code = "C-1";
    cust.name = "客户";
    cust.branch = "SH01";
    Ledger__CustomerAdd add = LEDGER__CUSTOMER_ADD__INIT;
    add.meta = &meta;
    add.customer = &cust;
    wire_send(d, FRAME_CUSTOMER_ADD, ID_GET - 1, &add.base);
    uint64_t rid;
    uint8_t *body;
    size_t len;
    cr_assert_eq(wire_recv(d, 10000, &rid, &body, &len), FRAME_CUSTOMER_ADD | FRAME_REPLY);
    free(body);

    /* The rounds: a stream sent whole, the kill a random moment after
     * ledgerd is seen answering it, replies already on their way taken. */
    int mid_stream = 0;
    size_t next = 0;
    for (int k = 0; k < KILLS; k++) {
        size_t from = next;
        for (; next < from + STREAM; next++) {
            s_send_write(d, next, next + 1);
            w[next].state = 1;
        }
        int delay = (int)faults_rand(&rng, KILL_MS);
        int type = wire_recv(d, 30000, &rid, &body, &len);
        cr_assert_geq(type, 0, "round %d: no reply within 30 s of the restart (did the DEALER "
                      "reconnect?)", k);
        s_take(type, rid, &body, len);
        s_pump(d, faults_now_ms() + delay, 0);
        server_kill(&srv);
        s_pump(d, 0, 100);
        size_t acked = 0;
        for (size_t i = from; i < next; i++)
            acked += w[i].state == 2;
        mid_stream += acked > 0 && acked < STREAM;
        cr_log_info("kill %d, %d ms after the first reply: %zu of the round's %d writes "
                    "acknowledged", k + 1, delay, acked, STREAM);
        server_restart_same(&srv);
    }
    s_pump(d, 0, 1000);   /* requests still queued in the DEALER went out on reconnecting */

    /* Every acknowledged write is there, with the id its reply gave. */
    size_t acked = 0;
    for (size_t i = 0; i < WRITES; i++) {
        if (w[i].state != 2)
            continue;
        char code[16];
        s_code(code, sizeof code, i);
        Ledger__Meta m = wire_meta("");
        Ledger__Get get = LEDGER__GET__INIT;
        get.meta = &m;
        get.kind = LEDGER__ENTITY_KIND__ENTITY_ORDER;
        get.code = code;
        wire_send(d, FRAME_GET, ID_GET + i, &get.base);
        acked++;
    }
    for (size_t n = 0; n < acked; n++) {
        int type = wire_recv(d, 30000, &rid, &body, &len);
        cr_assert_geq(type, 0, "%zu of %zu gets unanswered", acked - n, acked);
        if (rid < ID_GET) {   /* a late reply to a write */
            s_take(type, rid, &body, len);
            n--;
            continue;
        }
        uint64_t i = rid - ID_GET, id = 0;
        err_t e = { 0 };
        if (type == FRAME_ERROR) {
            faults_error(&body, len, &e);
        } else {
            Ledger__GetReply *g = ledger__get_reply__unpack(NULL, len, body);
            id = g && g->order ? g->order->id : 0;
            if (g)
                ledger__get_reply__free_unpacked(g, NULL);
        }
        free(body);
        cr_assert_eq(type, FRAME_GET | FRAME_REPLY, "acknowledged order K-%06" PRIu64 " is lost: "
                     "%s %s", i, err_code_name(e.code), e.msg);
        cr_assert_eq(id, w[i].id, "K-%06" PRIu64 ": acknowledged as id %" PRIu64 ", stored as %"
                     PRIu64, i, w[i].id, id);
    }

    /* The log: gap-free, each acknowledged write at its seq, none twice. */
    uint64_t last = s_check_log();
    size_t unacked = 0, committed_unacked = 0;
    for (size_t i = 0; i < WRITES; i++) {
        cr_assert_leq(w[i].in_log, 1, "K-%06zu is in the log %d times", i, w[i].in_log);
        if (w[i].state == 2)
            cr_assert_eq(w[i].in_log, 1, "K-%06zu acknowledged but not in the log", i);
        else {
            unacked++;
            committed_unacked += w[i].in_log;
        }
    }

    /* Unanswered writes sent again with their keys, each applied once:
     * every one that had been committed (its first reply comes back) and,
     * of those that had not, one in FRESH_EVERY (written now; all of them
     * would only repeat the point, slowly under the sanitizers). One
     * acknowledged write in fifty goes again too: its first reply. */
    size_t again = 0, fresh = 0, uncommitted = 0;
    for (size_t i = 0; i < WRITES; i++) {
        int retry;
        if (w[i].state == 2)
            retry = i % 50 == 0;
        else if (w[i].in_log)
            retry = 1;
        else if ((retry = uncommitted++ % FRESH_EVERY == 0))
            fresh++;
        if (retry) {
            s_send_write(d, i, ID_AGAIN + i + 1);
            again++;
        }
    }
    for (size_t n = 0; n < again; n++) {
        int type = wire_recv(d, 60000, &rid, &body, &len);
        cr_assert_geq(type, 0, "%zu of %zu writes sent again unanswered", again - n, again);
        s_take(type, rid, &body, len);
    }
    uint64_t last_after = s_check_log();
    size_t never = 0;
    for (size_t i = 0; i < WRITES; i++) {
        cr_assert_leq(w[i].in_log, 1, "K-%06zu is in the log %d times after the retries", i,
                      w[i].in_log);
        if (w[i].state == 2)
            cr_assert_eq(w[i].in_log, 1, "K-%06zu answered but not in the log", i);
        else
            never++;
    }
    cr_assert_eq(never, unacked - committed_unacked - fresh, "writes still unanswered");
    cr_assert_eq(last_after - last, fresh, "the retries appended %" PRIu64 " events for %zu "
                 "writes never committed", last_after - last, fresh);

    cr_log_info("%d kills (%d mid-stream): %zu of %d writes acknowledged; of the %zu "
                "unanswered, %zu had been committed (their first reply came on retry) and "
                "%zu of the other %zu were written by the retry; the log is gap-free to seq %"
                PRIu64, KILLS, mid_stream, acked, WRITES, unacked, committed_unacked, fresh,
                unacked - committed_unacked, last_after);
    cr_assert_geq(mid_stream, KILLS / 2, "only %d of %d kills came while a stream was being "
                  "answered", mid_stream, KILLS);
    zmq_close(d);
}
