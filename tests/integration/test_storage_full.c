/* test_storage_full - ledgerd when its storage is full.
 *
 * A full map: with --map-max-mib 2 the map stops growing; writes (single
 * and batched) are refused with STORAGE_FULL, field "", a message saying
 * what is full; nothing is half-written (each refused write absent, the
 * log gap-free) and reads go on; started again with a larger
 * --map-max-mib, ledgerd takes the refused writes, sent again with their
 * keys.
 *
 * A full disk: the data directory on a small tmpfs (mounted in a mount
 * namespace of the test's own; skipped, saying why, where the system does
 * not allow one), filled by another file, to the byte or but for 40 KiB.
 * Writes are refused with STORAGE_FULL and ledgerd goes on running and
 * reading; once the file is deleted it takes writes again without a
 * restart, and everything it acknowledged is there after one.
 *
 * And on both, a read batched with refused writes is answered. */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>
#include "client.h"
#include "faults.h"
#include "frame.h"
#include "request.pb-c.h"
#include "server.h"
#include "wire.h"

TestSuite(storage_full, .timeout = 300);

#define WRITES   40000
#define WAVE     50                   /* writes sent at once on a full map */
#define DISK_WAVE 200                 /* on a full disk (refused at commit: no retries) */
/* Refusals on a full map are slow: ledgerd applies the batch again from its
 * first request for each write it refuses, so k refusals in one batch cost
 * k times the batch (1,000 pipelined writes: ~2 s plain; 200: 70 s under
 * the sanitizers). Waves stay small, and replies are waited for long. */
#define REPLY_MS 120000
#define ID_BATCH ((uint64_t)1 << 40)

enum { UNSENT, SENT, OK, REFUSED };

typedef struct {
    int state;
    uint64_t id, seq;   /* from a success reply */
    int in_log;         /* order.created events with its code */
} write_t;

static server_t srv;
static void *ctx;
static write_t w[WRITES];
static int mounted;
static char first_msg[256];   /* the first refusal's message */
static struct { char msg[256]; size_t n; } msgs[4];   /* the refusals' messages, counted */
static char read_msg[400];    /* the first refused read's reply */

static void teardown(void)
{
    if (mounted) {
        server_stop(&srv);
        faults_unmount(srv.dir);
    }
    server_remove(&srv);
    if (ctx)
        zmq_ctx_shutdown(ctx);   /* not term: a socket may be open after a failure */
}

/* s_send - order.add number i for C-1, always the same payload and key */
static void s_send(void *d, size_t i)
{
    char code[16], idem[32];
    snprintf(code, sizeof code, "F-%05zu", i);
    snprintf(idem, sizeof idem, "full-%s", code);
    Ledger__OrderLine line = LEDGER__ORDER_LINE__INIT;
    Ledger__OrderLine *lines[] = { &line };
    line.product = "PRN-01";
    line.qty = 1;
    line.unit_price = 189900;
    line.cost = 120000;
    Ledger__Order o = LEDGER__ORDER__INIT;
    o.code = code;
    o.customer_code = "C-1";
    o.branch = "SH01";
    o.placed_ms = 1767225600000 + (int64_t)i * 60000;
    o.lines = lines;
    o.n_lines = 1;
    Ledger__Meta meta = wire_meta(idem);
    Ledger__OrderAdd req = LEDGER__ORDER_ADD__INIT;
    req.meta = &meta;
    req.order = &o;
    wire_send(d, FRAME_ORDER_ADD, i + 1, &req.base);
    if (w[i].state != OK)
        w[i].state = SENT;
}

/* s_refusal - a refusal must be STORAGE_FULL, field "", saying full */
static void s_refusal(const err_t *e, const char *what)
{
    cr_assert_eq(e->code, ERR(STORAGE_FULL), "%s: refused with %s %s: %s, want STORAGE_FULL",
                 what, err_code_name(e->code), e->field, e->msg);
    cr_assert_str_eq(e->field, "", "%s: STORAGE_FULL names no field", what);
    cr_assert(strstr(e->msg, "full"), "%s: the message says what is full: %s", what, e->msg);
    if (!*first_msg)
        snprintf(first_msg, sizeof first_msg, "%s", e->msg);
    for (size_t k = 0; k < 4; k++)
        if (!msgs[k].n || !strcmp(msgs[k].msg, e->msg)) {
            snprintf(msgs[k].msg, sizeof msgs[k].msg, "%s", e->msg);
            msgs[k].n++;
            break;
        }
}

static size_t s_wave_reads(void *d, size_t from, size_t to, size_t *reads, size_t *reads_refused);

/* s_wave - send writes [from, to) and take their replies: how many were
 * refused (STORAGE_FULL; anything else fails the test) */
static size_t s_wave(void *d, size_t from, size_t to)
{
    return s_wave_reads(d, from, to, NULL, NULL);
}

/* s_wave_reads - the same, with a hello sent after every tenth write when
 * reads is not NULL: how many in *reads, how many were refused (with
 * anything but a HelloReply) in *reads_refused */
static size_t s_wave_reads(void *d, size_t from, size_t to, size_t *reads, size_t *reads_refused)
{
    size_t n_reads = 0;
    for (size_t i = from; i < to; i++) {
        s_send(d, i);
        if (reads && i % 10 == 5) {
            Ledger__Meta meta = wire_meta("");
            Ledger__Hello hello = LEDGER__HELLO__INIT;
            hello.meta = &meta;
            wire_send(d, FRAME_HELLO, ID_BATCH + 1 + i, &hello.base);
            n_reads++;
        }
    }
    if (reads)
        *reads = n_reads, *reads_refused = 0;
    size_t refused = 0;
    for (size_t n = from; n < to + n_reads; n++) {
        uint64_t rid, id = 0, seq = 0;
        uint8_t *body;
        size_t len;
        int type = wire_recv(d, REPLY_MS, &rid, &body, &len);
        cr_assert_geq(type, 0, "%zu requests unanswered within %d s", to + n_reads - n,
                      REPLY_MS / 1000);
        err_t e = { 0 };
        if (type == FRAME_ERROR) {
            faults_error(&body, len, &e);
        } else if (rid <= ID_BATCH) {
            Ledger__WriteReply *r = ledger__write_reply__unpack(NULL, len, body);
            id = r ? r->id : 0;
            seq = r ? r->seq : 0;
            ledger__write_reply__free_unpacked(r, NULL);
        }
        free(body);
        if (rid > ID_BATCH) {
            if (type != (FRAME_HELLO | FRAME_REPLY) && !(*reads_refused)++)
                snprintf(read_msg, sizeof read_msg, "reply type %d, %s: %s", type,
                         err_code_name(e.code), e.msg);
            continue;
        }
        uint64_t i = rid - 1;
        cr_assert(i >= from && i < to, "a reply with request id %" PRIu64, rid);
        char what[32];
        snprintf(what, sizeof what, "F-%05" PRIu64, i);
        if (type == FRAME_ERROR) {
            s_refusal(&e, what);
            cr_assert_neq(w[i].state, OK, "%s refused after it was acknowledged", what);
            w[i].state = REFUSED;
            refused++;
        } else {
            cr_assert_eq(type, FRAME_ORDER_ADD | FRAME_REPLY, "%s: reply type %d", what, type);
            cr_assert(id && seq, "%s: a WriteReply without id or seq", what);
            if (w[i].state == OK)
                cr_assert(id == w[i].id && seq == w[i].seq, "%s answered differently when "
                          "sent again", what);
            w[i].state = OK;
            w[i].id = id;
            w[i].seq = seq;
        }
    }
    return refused;
}

static void s_count(void *unused, const Ledger__Event *e)
{
    (void)unused;
    unsigned long i;
    if (strcmp(e->kind, "order.created") != 0)
        return;
    cr_assert_eq(sscanf(e->entity_code, "F-%lu", &i), 1, "order %s is in the log: part of "
                 "the refused order.batch?", e->entity_code);
    cr_assert_lt(i, (unsigned long)WRITES);
    w[i].in_log++;
    if (w[i].state == OK)
        cr_assert(w[i].seq == e->seq && w[i].id == e->entity_id, "%s acknowledged at seq %"
                  PRIu64 ", logged at %" PRIu64, e->entity_code, w[i].seq, e->seq);
}

/* s_check - the log gap-free from 1; every acknowledged write in it once,
 * at its seq, and no refused or unanswered one. The last seq. */
static uint64_t s_check(void)
{
    for (size_t i = 0; i < WRITES; i++)
        w[i].in_log = 0;
    client_t *c = client_new(srv.listen, "tester", 30000);
    uint64_t last = faults_log(c, 0, s_count, NULL);
    client_destroy(&c);
    for (size_t i = 0; i < WRITES; i++)
        cr_assert_eq(w[i].in_log, w[i].state == OK, "F-%05zu (%s) is in the log %d times", i,
                     w[i].state == OK ? "acknowledged" : "refused", w[i].in_log);
    return last;
}

static void *s_connect(void)
{
    ctx = zmq_ctx_new();
    void *d = wire_dealer(ctx, srv.listen);
    Ledger__Meta meta = wire_meta("customer-C-1");
    Ledger__Customer c = LEDGER__CUSTOMER__INIT;
    c.code = "C-1";
    c.name = "客户";
    c.branch = "SH01";
    Ledger__CustomerAdd add = LEDGER__CUSTOMER_ADD__INIT;
    add.meta = &meta;
    add.customer = &c;
    wire_send(d, FRAME_CUSTOMER_ADD, ID_BATCH - 1, &add.base);
    uint64_t rid;
    uint8_t *body;
    size_t len;
    cr_assert_eq(wire_recv(d, 10000, &rid, &body, &len), FRAME_CUSTOMER_ADD | FRAME_REPLY);
    free(body);
    return d;
}

/* s_resend_refused - every refused write again, with its key: all taken */
static void s_resend_refused(void *d, size_t upto)
{
    size_t again = 0;
    for (size_t i = 0; i < upto; i++)
        if (w[i].state == REFUSED) {
            s_send(d, i);
            again++;
        }
    for (size_t n = 0; n < again; n++) {
        uint64_t rid;
        uint8_t *body;
        size_t len;
        int type = wire_recv(d, REPLY_MS, &rid, &body, &len);
        cr_assert_geq(type, 0, "%zu refused writes sent again, unanswered", again - n);
        err_t e = { 0 };
        if (type == FRAME_ERROR)
            faults_error(&body, len, &e);
        cr_assert_eq(type, FRAME_ORDER_ADD | FRAME_REPLY, "F-%05" PRIu64 " sent again with "
                     "room to spare: reply type %d, %s: %s", rid - 1, type, err_code_name(e.code),
                     e.msg);
        Ledger__WriteReply *r = ledger__write_reply__unpack(NULL, len, body);
        free(body);
        cr_assert(r, "F-%05" PRIu64 ": a reply that does not unpack", rid - 1);
        w[rid - 1].state = OK;
        w[rid - 1].id = r->id;
        w[rid - 1].seq = r->seq;
        ledger__write_reply__free_unpacked(r, NULL);
    }
}

/* s_batch - orders [from, from + n) in one order.batch: 1 taken, 0
 * refused whole (STORAGE_FULL; anything else fails the test) */
static int s_batch(void *d, size_t from, size_t n)
{
    Ledger__OrderLine line = LEDGER__ORDER_LINE__INIT;
    Ledger__OrderLine *lines[] = { &line };
    line.product = "PRN-01";
    line.qty = 1;
    line.unit_price = 189900;
    line.cost = 120000;
    Ledger__Order *os = calloc(n, sizeof *os);
    Ledger__Order **ptrs = calloc(n, sizeof *ptrs);
    char (*codes)[16] = calloc(n, sizeof *codes), idem[64];
    for (size_t i = 0; i < n; i++) {
        ledger__order__init(&os[i]);
        snprintf(codes[i], sizeof codes[i], "F-%05zu", from + i);
        os[i].code = codes[i];
        os[i].customer_code = "C-1";
        os[i].branch = "SH01";
        os[i].placed_ms = 1767225600000 + (int64_t)(from + i) * 60000;
        os[i].lines = lines;
        os[i].n_lines = 1;
        ptrs[i] = &os[i];
    }
    snprintf(idem, sizeof idem, "full-batch-%zu-%zu", from, n);
    Ledger__Meta meta = wire_meta(idem);
    Ledger__OrderBatch req = LEDGER__ORDER_BATCH__INIT;
    req.meta = &meta;
    req.orders = ptrs;
    req.n_orders = n;
    wire_send(d, FRAME_ORDER_BATCH, ID_BATCH, &req.base);
    free(os);
    free(ptrs);
    free(codes);
    uint64_t rid;
    uint8_t *body;
    size_t len;
    int type = wire_recv(d, REPLY_MS, &rid, &body, &len);
    err_t e = { 0 };
    Ledger__BatchReply *r = NULL;
    if (type == FRAME_ERROR)
        faults_error(&body, len, &e);
    else if (type == (FRAME_ORDER_BATCH | FRAME_REPLY))
        r = ledger__batch_reply__unpack(NULL, len, body);
    free(body);
    if (r && r->n_items == n) {
        for (size_t i = 0; i < n; i++) {
            w[from + i].state = OK;
            w[from + i].id = r->items[i]->id;
            w[from + i].seq = r->items[i]->seq;
        }
        ledger__batch_reply__free_unpacked(r, NULL);
        return 1;
    }
    if (r)
        ledger__batch_reply__free_unpacked(r, NULL);
    cr_assert_eq(type, FRAME_ERROR, "a batch of %zu orders: reply type %d", n, type);
    s_refusal(&e, "order.batch");
    for (size_t i = 0; i < n; i++)
        w[from + i].state = REFUSED;
    return 0;
}

/* s_fill_map - ledgerd with a 2 MiB map, filled: batches of 100 orders
 * until one is refused, then of 10, ... down to batches of smallest
 * (quick, even under the sanitizers, where a single write costs
 * milliseconds); the orders used */
static size_t s_fill_map(void **d, size_t largest, size_t smallest)
{
    server_start(&srv, "--test-clock --map-size-mib 1 --map-max-mib 2");
    *d = s_connect();
    size_t next = 0;
    for (size_t n = largest; n >= smallest; n /= 10) {
        int taken = 1;
        while (taken && next + n <= WRITES / 2) {
            taken = s_batch(*d, next, n);
            next += n;
        }
        cr_assert(!taken, "%zu orders fitted in a 2 MiB map", next);
    }
    return next;
}

Test(storage_full, a_full_map_refuses_writes_whole_and_a_larger_one_takes_them, .fini = teardown)
{
    void *d;
    size_t next = s_fill_map(&d, 100, 1);
    size_t fitted = 0;
    for (size_t i = 0; i < next; i++)
        fitted += w[i].state == OK;

    /* Full: a wave more is answered, each write taken or refused. */
    int64_t t0 = faults_now_ms();
    size_t refused_more = s_wave(d, next, next + WAVE);
    int64_t wave_ms = faults_now_ms() - t0;
    next += WAVE;
    cr_assert_gt(refused_more, WAVE * 9 / 10, "a full map took %zu of %d more orders",
                 WAVE - refused_more, WAVE);
    cr_assert_eq(s_batch(d, next, 200), 0, "a batch of 200 orders on a full map");
    next += 200;

    /* Reads go on; nothing refused left a trace; the log has no gap. */
    uint64_t last = s_check();
    client_t *c = client_new(srv.listen, "tester", 10000);
    cr_assert_eq(faults_last_seq(c), last, "hello on a full map");
    client_destroy(&c);
    cr_log_info("a 2 MiB map took %zu orders; the log ends at %" PRIu64 "; %d more writes "
                "were answered in %" PRId64 " ms (%zu refused)", fitted, last, WAVE, wave_ms,
                refused_more);
    for (size_t k = 0; k < 4 && msgs[k].n; k++)
        cr_log_info("refused %zu times: %s", msgs[k].n, msgs[k].msg);

    /* With room: the refused writes, sent again with their keys, are taken. */
    cr_assert_eq(server_stop(&srv), 0, "ledgerd stops cleanly with a full map");
    snprintf(srv.args, sizeof srv.args, "--test-clock --map-size-mib 1 --map-max-mib 64");
    server_restart_same(&srv);
    s_resend_refused(d, next);
    cr_assert_eq(s_wave(d, next, next + WAVE), 0, "new writes after the restart are refused");
    s_check();
    zmq_close(d);
}

/* A read is answered whatever the writes batched with it get. Filled by
 * many small commits, the map comes to a state where a batch's writes fit
 * their nested transactions and the batch's commit is what fails. */
Test(storage_full, reads_among_writes_refused_on_a_full_map_are_answered, .fini = teardown)
{
    void *d;
    size_t next = s_fill_map(&d, 10, 10);
    size_t refused = 0;
    while (!refused && next + WAVE <= WRITES / 2) {   /* single writes, as clients send them */
        refused = s_wave(d, next, next + WAVE);
        next += WAVE;
    }
    size_t reads, reads_refused;
    cr_assert_gt(s_wave_reads(d, next, next + 2 * WAVE, &reads, &reads_refused), WAVE,
                 "a full map took more writes");
    s_check();
    cr_assert_eq(reads_refused, 0, "%zu of %zu hellos sent among refused writes were refused: "
                 "%s", reads_refused, reads, read_msg);
    zmq_close(d);
}

/* s_fill_disk - ledgerd on a 16 MiB tmpfs that another file fills but for
 * leave_kib KiB, after a wave of writes with room; the filler's path in filler.
 * Skips the test when no tmpfs can be mounted. */
static void *s_fill_disk(int leave_kib, char *filler, size_t n, size_t *filled)
{
    /* Started once to make the directory; then a small tmpfs over it. */
    server_start(&srv, "--test-clock");
    cr_assert_eq(server_stop(&srv), 0);
    char why[512];
    if (faults_tmpfs(srv.dir, 16 << 20, why, sizeof why) < 0)
        cr_skip_test("no small file system to fill: %s", why);
    mounted = 1;
    server_restart(&srv);
    void *d = s_connect();
    cr_assert_eq(s_wave(d, 0, DISK_WAVE), 0, "writes with room on the disk");
    snprintf(filler, n, "%s/filler", srv.dir);
    *filled = faults_fill(filler);
    if (leave_kib)
        cr_assert_eq(truncate(filler, (off_t)*filled - (off_t)leave_kib * 1024), 0);
    return d;
}

/* s_disk_full_then_freed - writes on a disk that is full but for
 * leave_kib: refused (STORAGE_FULL) or taken, ledgerd running; once the
 * filler goes, taken again without a restart; all of it there after one */
static void s_disk_full_then_freed(int leave_kib)
{
    char filler[400];
    size_t filled;
    void *d = s_fill_disk(leave_kib, filler, sizeof filler, &filled);

    size_t next = DISK_WAVE, refused = 0;
    while (!refused && next < WRITES / 2) {
        refused += s_wave(d, next, next + DISK_WAVE);
        next += DISK_WAVE;
    }
    cr_assert_gt(refused, 0, "a full disk took %zu writes", next - DISK_WAVE);
    int status;
    cr_assert_not(proc_exited(srv.pid, &status), "ledgerd exited on a full disk (status %d)",
                  status);
    uint64_t last = s_check();
    client_t *c = client_new(srv.listen, "tester", 10000);
    cr_assert_eq(faults_last_seq(c), last, "hello on a full disk");
    client_destroy(&c);
    cr_log_info("disk full but for %d KiB (%zu bytes of filler): %zu of %zu writes refused: "
                "\"%s\"; the log ends at %" PRIu64, leave_kib, filled, refused, next - DISK_WAVE,
                first_msg, last);

    /* Room again, no restart: new writes and the refused ones are taken. */
    cr_assert_eq(unlink(filler), 0);
    cr_assert_eq(s_wave(d, next, next + DISK_WAVE), 0, "writes once the disk has room again");
    next += DISK_WAVE;
    s_resend_refused(d, next);
    uint64_t before = s_check();

    /* And all of it is there after a restart. */
    cr_assert_eq(server_stop(&srv), 0, "ledgerd stops cleanly");
    server_restart_same(&srv);
    cr_assert_eq(s_check(), before, "the log after a restart");
    zmq_close(d);
}

Test(storage_full, a_full_disk_refuses_writes_and_takes_them_again_once_freed, .fini = teardown)
{
    s_disk_full_then_freed(0);
}

/* A disk rarely fills to the byte: the commit that does not fit writes
 * part of its pages first (LMDB reports the short write as EIO). */
Test(storage_full, a_nearly_full_disk_refuses_what_does_not_fit_as_storage_full,
     .fini = teardown)
{
    s_disk_full_then_freed(40);
}

Test(storage_full, reads_among_writes_refused_on_a_full_disk_are_answered, .fini = teardown)
{
    char filler[400];
    size_t filled, reads, reads_refused;
    void *d = s_fill_disk(0, filler, sizeof filler, &filled);
    cr_assert_gt(s_wave_reads(d, DISK_WAVE, 3 * DISK_WAVE, &reads, &reads_refused), 0,
                 "a full disk took every write");
    s_check();
    cr_assert_eq(reads_refused, 0, "%zu of %zu hellos sent among refused writes were refused: "
                 "%s", reads_refused, reads, read_msg);
    zmq_close(d);
}
