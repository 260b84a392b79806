/* backup - `ledgerctl backup` against a real ledgerd: a hot copy taken while
 * writes go on holds exactly the log up to its last seq (gap-free, the same
 * events byte for byte, nothing after it) and a second ledgerd opens it as
 * it is; bad directories are refused naming path; the loop answers while a
 * copy is written, a second backup meanwhile is refused, and SIGTERM waits
 * for the copy. A test gate (LEDGERD_TEST_BACKUP_GATE) holds a finished
 * copy, so none of this depends on timing. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>
#include "codec.h"
#include "fixture.h"
#include "frame.h"
#include "request.pb-c.h"
#include "server.h"
#include "wire.h"

static server_t srv;
static server_t copy;   /* a second ledgerd, on a copy inside srv.dir */
static void *ctx;

static void setup(void)
{
    ctx = zmq_ctx_new();
    memset(&copy, 0, sizeof copy);
    server_start(&srv, "--test-clock");
}

static void teardown(void)
{
    server_kill(&copy);   /* after a failed assertion it may still run */
    server_remove(&srv);
    zmq_ctx_shutdown(ctx);   /* not term: a failed test may leave a socket open */
}

TestSuite(backup, .init = setup, .fini = teardown, .timeout = 240);

/* s_call - one request, its reply of type (or an error) unpacked as desc;
 * the reply type is returned, *err filled from an error reply */
static int s_call(void *d, uint8_t type, uint64_t id, const ProtobufCMessage *req,
                  const ProtobufCMessageDescriptor *desc, ProtobufCMessage **out,
                  Ledger__Error **err)
{
    uint64_t got;
    uint8_t *body;
    size_t len;
    wire_send(d, type, id, req);
    int rtype = wire_recv(d, 10000, &got, &body, &len);
    cr_assert_neq(rtype, -1, "%s %llu: no reply", frame_type_name(type), (unsigned long long)id);
    cr_assert_eq(got, id, "reply id %llu, want %llu", (unsigned long long)got,
                 (unsigned long long)id);
    if (rtype == FRAME_ERROR && err)
        *err = ledger__error__unpack(NULL, len, body);
    else if (rtype == (type | FRAME_REPLY) && out)
        *out = protobuf_c_message_unpack(desc, NULL, len, body);
    free(body);
    return rtype;
}

static void s_add_customer(void *d, const char *code)
{
    char idem[48];
    snprintf(idem, sizeof idem, "cust-%s", code);
    Ledger__Meta meta = wire_meta(idem);
    Ledger__Customer c = LEDGER__CUSTOMER__INIT;
    c.code = (char *)code;
    c.name = "客户";
    c.branch = "SH";
    Ledger__CustomerAdd add = LEDGER__CUSTOMER_ADD__INIT;
    add.meta = &meta;
    add.customer = &c;
    cr_assert_eq(s_call(d, FRAME_CUSTOMER_ADD, 1, &add.base, NULL, NULL, NULL),
                 FRAME_CUSTOMER_ADD | FRAME_REPLY);
}

static uint64_t s_last_seq(void *d)
{
    Ledger__Meta meta = wire_meta("");
    Ledger__Hello hello = LEDGER__HELLO__INIT;
    Ledger__HelloReply *h = NULL;
    hello.meta = &meta;
    cr_assert_eq(s_call(d, FRAME_HELLO, 7, &hello.base, &ledger__hello_reply__descriptor,
                        (ProtobufCMessage **)&h, NULL), FRAME_HELLO | FRAME_REPLY);
    uint64_t seq = h->last_seq;
    ledger__hello_reply__free_unpacked(h, NULL);
    return seq;
}

/* s_backup_request - a Backup to path, sent raw */
static void s_send_backup(void *d, uint64_t id, const char *path)
{
    Ledger__Meta meta = wire_meta("");
    Ledger__Backup b = LEDGER__BACKUP__INIT;
    b.meta = &meta;
    b.path = (char *)path;
    wire_send(d, FRAME_BACKUP, id, &b.base);
}

/* s_open_copy - the second ledgerd, on a copy's directory */
static void s_open_copy(const char *dir)
{
    memset(&copy, 0, sizeof copy);
    snprintf(copy.dir, sizeof copy.dir, "%s", dir);
    /* The copy is the ledger; the server's key stays where it was. */
    snprintf(copy.args, sizeof copy.args, "--test-clock --keys %s/keys", srv.dir);
    server_restart(&copy);
}

/* ---- the hot copy ---- */

enum { WRITER_MAX = 400000, WRITER_WINDOW = 200 };

typedef struct {
    atomic_int  stop;                 /* set by the test: finish what is in flight */
    atomic_uint acked;                /* orders acknowledged so far */
    uint64_t    seq[WRITER_MAX];      /* seq of order H-i, 0 until acknowledged */
    unsigned    sent;
    int         failed;               /* a reply that was not a WriteReply */
} writer_t;

static void s_send_order(void *d, const char *code, uint64_t id, int64_t placed)
{
    char idem[48];
    snprintf(idem, sizeof idem, "o-%s", code);
    Ledger__Meta m = wire_meta(idem);
    Ledger__OrderLine line = LEDGER__ORDER_LINE__INIT;
    Ledger__OrderLine *lines[] = { &line };
    line.product = "P-1";
    line.qty = 1;
    line.unit_price = 990;
    Ledger__Order o = LEDGER__ORDER__INIT;
    o.code = (char *)code;
    o.customer_code = "C-1";
    o.branch = "SH";
    o.placed_ms = placed;
    o.lines = lines;
    o.n_lines = 1;
    Ledger__OrderAdd req = LEDGER__ORDER_ADD__INIT;
    req.meta = &m;
    req.order = &o;
    wire_send(d, FRAME_ORDER_ADD, id, &req.base);
}

/* s_writer - pipelined single orders H-0, H-1, ... until told to stop;
 * its own socket (ZeroMQ sockets stay in one thread) */
static void *s_writer(void *arg)
{
    writer_t *w = arg;
    void *d = wire_dealer(ctx, srv.listen);
    unsigned inflight = 0;
    for (;;) {
        while (!atomic_load(&w->stop) && inflight < WRITER_WINDOW && w->sent < WRITER_MAX) {
            char code[24];
            snprintf(code, sizeof code, "H-%u", w->sent);
            s_send_order(d, code, w->sent, 1767225600000 + w->sent);
            w->sent++;
            inflight++;
        }
        if (inflight == 0)
            break;
        zmq_pollitem_t item = { d, 0, ZMQ_POLLIN, 0 };
        if (zmq_poll(&item, 1, 10000) <= 0) {
            w->failed = 1;
            break;
        }
        uint8_t hdr[FRAME_HEADER_SIZE];
        zmq_msg_t b;
        zmq_recv(d, hdr, sizeof hdr, 0);
        zmq_msg_init(&b);
        zmq_msg_recv(&b, d, 0);
        frame_header_t h;
        frame_decode(&h, hdr, sizeof hdr, NULL);
        Ledger__WriteReply *r = h.type == (FRAME_ORDER_ADD | FRAME_REPLY)
            ? ledger__write_reply__unpack(NULL, zmq_msg_size(&b), zmq_msg_data(&b)) : NULL;
        zmq_msg_close(&b);
        inflight--;
        if (!r || h.request_id >= WRITER_MAX) {
            w->failed = 1;
            continue;
        }
        w->seq[h.request_id] = r->seq;
        ledger__write_reply__free_unpacked(r, NULL);
        atomic_fetch_add(&w->acked, 1);
    }
    zmq_close(d);
    return NULL;
}

/* s_send_batch - orders B-(1000b) .. B-(1000b+999) in one OrderBatch, id b */
static void s_send_batch(void *d, int b)
{
    static Ledger__Order orders[1000];
    static Ledger__Order *ptrs[1000];
    static char codes[1000][24];
    Ledger__OrderLine line = LEDGER__ORDER_LINE__INIT;
    Ledger__OrderLine *lines[] = { &line };
    line.product = "P-2";
    line.qty = 2;
    line.unit_price = 1250;
    for (int i = 0; i < 1000; i++) {
        ledger__order__init(&orders[i]);
        snprintf(codes[i], sizeof codes[i], "B-%d", b * 1000 + i);
        orders[i].code = codes[i];
        orders[i].customer_code = "C-1";
        orders[i].branch = "SH";
        orders[i].placed_ms = 1767225600000 + i;
        orders[i].lines = lines;
        orders[i].n_lines = 1;
        ptrs[i] = &orders[i];
    }
    char idem[32];
    snprintf(idem, sizeof idem, "batch-%d", b);
    Ledger__Meta meta = wire_meta(idem);
    Ledger__OrderBatch req = LEDGER__ORDER_BATCH__INIT;
    req.meta = &meta;
    req.orders = ptrs;
    req.n_orders = 1000;
    wire_send(d, FRAME_ORDER_BATCH, (uint64_t)b, &req.base);
}

/* s_preload - n orders in batches of 1000, so the copy is not trivial */
static void s_preload(void *d, int n)
{
    for (int b = 0; b * 1000 < n; b++)
        s_send_batch(d, b);
    for (int b = 0; b * 1000 < n; b++) {
        uint64_t id;
        uint8_t *body;
        size_t len;
        cr_assert_eq(wire_recv(d, 30000, &id, &body, &len), FRAME_ORDER_BATCH | FRAME_REPLY,
                     "preload batch refused");
        free(body);
    }
}

/* s_events - the packed events 1..upto of a ledger, by replay; asserts the
 * log is gap-free. *last_out: the log's last seq. Caller frees. */
static ProtobufCBinaryData *s_events(void *d, uint64_t upto, uint64_t *last_out)
{
    ProtobufCBinaryData *ev = calloc(upto + 1, sizeof *ev);
    uint64_t after = 0, expect = 1, last = 0;
    do {
        Ledger__Meta m = wire_meta("");
        Ledger__Replay rp = LEDGER__REPLAY__INIT;
        Ledger__ReplayReply *r = NULL;
        rp.meta = &m;
        rp.after_seq = after;
        rp.max_events = 10000;
        cr_assert_eq(s_call(d, FRAME_REPLAY, 1, &rp.base, &ledger__replay_reply__descriptor,
                            (ProtobufCMessage **)&r, NULL), FRAME_REPLAY | FRAME_REPLY);
        for (size_t i = 0; i < r->n_events && expect <= upto; i++, expect++) {
            cr_assert_eq(r->events[i]->seq, expect, "gap: got seq %llu, want %llu",
                         (unsigned long long)r->events[i]->seq, (unsigned long long)expect);
            ev[expect].len = ledger__event__get_packed_size(r->events[i]);
            ev[expect].data = malloc(ev[expect].len);
            ledger__event__pack(r->events[i], ev[expect].data);
        }
        after = r->scanned_to;
        last = r->last_seq;
        ledger__replay_reply__free_unpacked(r, NULL);
    } while (after < last && expect <= upto);
    *last_out = last;
    return ev;
}

static void s_free_events(ProtobufCBinaryData *ev, uint64_t n)
{
    for (uint64_t i = 0; i <= n; i++)
        free(ev[i].data);
    free(ev);
}

/* s_get_all - Get every order H-0..H-(n-1) from a ledger, pipelined; the
 * packed GetReply of each, or an empty one when it is NOT_FOUND */
static ProtobufCBinaryData *s_get_all(void *d, unsigned n)
{
    ProtobufCBinaryData *out = calloc(n, sizeof *out);
    for (unsigned i = 0; i < n; i++) {
        char code[24];
        snprintf(code, sizeof code, "H-%u", i);
        Ledger__Meta m = wire_meta("");
        Ledger__Get get = LEDGER__GET__INIT;
        get.meta = &m;
        get.kind = LEDGER__ENTITY_KIND__ENTITY_ORDER;
        get.code = code;
        wire_send(d, FRAME_GET, i, &get.base);
    }
    for (unsigned i = 0; i < n; i++) {
        uint64_t id;
        uint8_t *body;
        size_t len;
        int type = wire_recv(d, 10000, &id, &body, &len);
        cr_assert(type == (FRAME_GET | FRAME_REPLY) || type == FRAME_ERROR, "get: type %d",
                  type);
        cr_assert_lt(id, n);
        if (type == FRAME_ERROR) {
            Ledger__Error *e = ledger__error__unpack(NULL, len, body);
            cr_assert_eq(e->code, ERR(NOT_FOUND), "get H-%llu: %s", (unsigned long long)id,
                         e->message);
            ledger__error__free_unpacked(e, NULL);
            free(body);
        } else {
            out[id].data = body;
            out[id].len = len;
        }
    }
    return out;
}

Test(backup, a_hot_copy_holds_exactly_the_log_to_its_last_seq_and_a_ledgerd_opens_it)
{
    void *d = wire_dealer(ctx, srv.listen);
    s_add_customer(d, "C-1");
    s_preload(d, 50000);

    /* A worker's cursor, which must travel with the copy. */
    Ledger__Meta wm = wire_meta("wb-1");
    Ledger__WriteBack wb = LEDGER__WRITE_BACK__INIT;
    wb.meta = &wm;
    wb.cursor = "test:0/1";
    wb.new_cursor = 1000;
    cr_assert_eq(s_call(d, FRAME_WRITE_BACK, 2, &wb.base, NULL, NULL, NULL),
                 FRAME_WRITE_BACK | FRAME_REPLY);

    static writer_t w;
    pthread_t thread;
    pthread_create(&thread, NULL, s_writer, &w);
    struct timespec ms = { 0, 1000000L };
    while (atomic_load(&w.acked) < 2000 && !w.failed)   /* writes are flowing */
        nanosleep(&ms, NULL);
    /* Every write acknowledged before the backup was asked for is in the copy:
     * a Hello's last_seq covers every write acknowledged before it was sent. */
    unsigned n_before = atomic_load(&w.acked);
    uint64_t acked_before = s_last_seq(d);

    char dir[300], out[4096];
    snprintf(dir, sizeof dir, "%s/backup", srv.dir);
    /* --timeout again (the last wins): a loaded sanitizer build is slow to say Hello. */
    int rc = ctl(&srv, out, sizeof out, "--timeout 30000 --json backup --wait 120 %s", dir);
    unsigned n_during = atomic_load(&w.acked) - n_before;
    atomic_store(&w.stop, 1);
    pthread_join(thread, NULL);
    cr_assert_eq(rc, 0, "ledgerctl backup: %s", out);
    cr_assert_not(w.failed, "a write was refused or unanswered beside the backup");

    json_error_t jerr;
    json_t *j = json_loads(out, 0, &jerr);
    cr_assert(j, "backup --json: %s: %s", jerr.text, out);
    uint64_t last = (uint64_t)json_integer_value(json_object_get(j, "last_seq"));
    uint64_t bytes = (uint64_t)json_integer_value(json_object_get(j, "bytes"));
    cr_assert_str_eq(json_string_value(json_object_get(j, "path")), dir);
    json_decref(j);
    cr_assert_geq(last, acked_before, "the copy ends at %llu, before acknowledged seq %llu",
                  (unsigned long long)last, (unsigned long long)acked_before);
    s_add_customer(d, "C-2");   /* the original goes on past the copy */
    uint64_t orig_last = s_last_seq(d);
    cr_assert_gt(orig_last, last);
    char file[400];
    struct stat st;
    snprintf(file, sizeof file, "%s/data.mdb", dir);
    cr_assert_eq(stat(file, &st), 0, "no %s", file);
    cr_assert_eq((uint64_t)st.st_size, bytes, "bytes %llu, the file has %lld",
                 (unsigned long long)bytes, (long long)st.st_size);
    cr_log_info("hot backup: seq %llu of %llu, %llu bytes; %u writes acknowledged while "
                "ledgerctl backup ran", (unsigned long long)last, (unsigned long long)orig_last,
                (unsigned long long)bytes, n_during);

    /* A second ledgerd opens the copy as it is. */
    s_open_copy(dir);
    void *c = wire_dealer(ctx, copy.listen);
    cr_assert_eq(s_last_seq(c), last, "the copy's ledgerd starts at the reply's last_seq");

    /* The log: gap-free 1..last in the copy, and event for event the original's. */
    uint64_t copy_end, orig_end;
    ProtobufCBinaryData *ce = s_events(c, last, &copy_end);
    ProtobufCBinaryData *oe = s_events(d, last, &orig_end);
    cr_assert_eq(copy_end, last, "the copy's log ends at %llu, not %llu",
                 (unsigned long long)copy_end, (unsigned long long)last);
    for (uint64_t s = 1; s <= last; s++) {
        cr_assert(ce[s].data && oe[s].data, "seq %llu missing", (unsigned long long)s);
        cr_assert(ce[s].len == oe[s].len && !memcmp(ce[s].data, oe[s].data, ce[s].len),
                  "event %llu differs between the ledger and its copy", (unsigned long long)s);
    }
    s_free_events(ce, last);
    s_free_events(oe, last);

    /* Every order up to last is there as in the original; none after it. */
    ProtobufCBinaryData *cg = s_get_all(c, w.sent);
    ProtobufCBinaryData *og = s_get_all(d, w.sent);
    unsigned in_copy = 0;
    for (unsigned i = 0; i < w.sent; i++) {
        cr_assert(w.seq[i], "H-%u was never acknowledged", i);
        if (w.seq[i] <= last) {
            cr_assert(cg[i].data, "H-%u (seq %llu) is missing from the copy", i,
                      (unsigned long long)w.seq[i]);
            cr_assert(cg[i].len == og[i].len && !memcmp(cg[i].data, og[i].data, cg[i].len),
                      "H-%u differs in the copy", i);
            in_copy++;
        } else {
            cr_assert_null(cg[i].data, "H-%u (seq %llu) is in a copy that ends at %llu", i,
                           (unsigned long long)w.seq[i], (unsigned long long)last);
        }
        free(cg[i].data);
        free(og[i].data);
    }
    free(cg);
    free(og);
    cr_assert_geq(in_copy, n_before);

    /* Workers resume from their cursors, which are in the copy. */
    Ledger__Meta cm = wire_meta("");
    Ledger__CursorGet cget = LEDGER__CURSOR_GET__INIT;
    Ledger__CursorReply *cur = NULL;
    cget.meta = &cm;
    cget.name = "test:0/1";
    cr_assert_eq(s_call(c, FRAME_CURSOR_GET, 3, &cget.base, &ledger__cursor_reply__descriptor,
                        (ProtobufCMessage **)&cur, NULL), FRAME_CURSOR_GET | FRAME_REPLY);
    cr_assert_eq(cur->seq, 1000);
    ledger__cursor_reply__free_unpacked(cur, NULL);

    zmq_close(c);
    zmq_close(d);
    cr_assert_eq(server_stop(&copy), 0);
}

/* ---- refusals ---- */

Test(backup, a_directory_that_is_not_empty_or_not_a_directory_is_refused_naming_path)
{
    char dir[300], file[400], out[2048];
    snprintf(dir, sizeof dir, "%s/full", srv.dir);
    mkdir(dir, 0750);
    snprintf(file, sizeof file, "%s/something", dir);
    FILE *f = fopen(file, "w");
    fclose(f);
    cr_assert_eq(ctl(&srv, out, sizeof out, "backup %s", dir), 1, "%s", out);
    cr_assert(strstr(out, "INVALID path") && strstr(out, "not empty"), "%s", out);
    cr_assert_eq(ctl(&srv, out, sizeof out, "backup %s", file), 1, "%s", out);
    cr_assert(strstr(out, "INVALID path") && strstr(out, "not a directory"), "%s", out);
    snprintf(dir, sizeof dir, "%s/no/such/parent", srv.dir);
    cr_assert_eq(ctl(&srv, out, sizeof out, "backup %s", dir), 1, "%s", out);
    cr_assert(strstr(out, "INVALID path") && strstr(out, "cannot create"), "%s", out);
}

Test(backup, a_relative_or_missing_path_is_refused_by_ledgerd)
{
    void *d = wire_dealer(ctx, srv.listen);
    uint64_t id;
    uint8_t *body;
    size_t len;
    struct { const char *path; int code; } cases[] = {
        { "relative/dir", ERR(INVALID) }, { "", ERR(MISSING) },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        s_send_backup(d, i + 1, cases[i].path);
        cr_assert_eq(wire_recv(d, 5000, &id, &body, &len), FRAME_ERROR);
        Ledger__Error *e = ledger__error__unpack(NULL, len, body);
        cr_assert_eq(e->code, cases[i].code, "path \"%s\": got %s, want %s", cases[i].path,
                     err_code_name(e->code), err_code_name(cases[i].code));
        cr_assert_str_eq(e->field, "path");
        ledger__error__free_unpacked(e, NULL);
        free(body);
    }
    zmq_close(d);
}

Test(backup, ledgerctl_resolves_a_relative_dir_against_its_own_directory)
{
    char cmd[2048], out[2048], real[PATH_MAX], want[PATH_MAX + 32];
    cr_assert(realpath(srv.dir, real));
    snprintf(want, sizeof want, "written to %s/rel (", real);
    snprintf(cmd, sizeof cmd, "cd %s && %s --endpoint %s --actor tester backup ./rel 2>&1",
             srv.dir, LEDGERCTL_BIN, srv.listen);
    FILE *p = popen(cmd, "r");
    size_t n = fread(out, 1, sizeof out - 1, p);
    out[n] = 0;
    cr_assert_eq(pclose(p), 0, "%s", out);
    cr_assert(strstr(out, "backup of seq ") && strstr(out, want), "got %s, want ...%s", out,
              want);
}

/* ---- while a copy is being written ---- */

/* s_gate - restart ledgerd so its copies wait for FILE before they report */
static void s_gate(char *gate, size_t n)
{
    snprintf(gate, n, "%s/gate", srv.dir);
    cr_assert_eq(server_stop(&srv), 0);
    setenv("LEDGERD_TEST_BACKUP_GATE", gate, 1);
    server_restart(&srv);
    unsetenv("LEDGERD_TEST_BACKUP_GATE");
}

static void s_open_gate(const char *gate)
{
    FILE *f = fopen(gate, "w");
    cr_assert(f, "create %s", gate);
    fclose(f);
}

Test(backup, the_loop_answers_while_a_copy_is_written_and_a_second_backup_is_refused)
{
    char gate[300], b1[300], b2[300];
    s_gate(gate, sizeof gate);
    snprintf(b1, sizeof b1, "%s/b1", srv.dir);
    snprintf(b2, sizeof b2, "%s/b2", srv.dir);
    void *d = wire_dealer(ctx, srv.listen);
    s_add_customer(d, "C-1");

    s_send_backup(d, 100, b1);
    /* The copy cannot report until the gate opens: whatever comes back now
     * was answered by a loop that did not wait for it. */
    cr_assert_geq(s_last_seq(d), 1);
    s_send_backup(d, 101, b2);
    uint64_t id;
    uint8_t *body;
    size_t len;
    cr_assert_eq(wire_recv(d, 5000, &id, &body, &len), FRAME_ERROR);
    cr_assert_eq(id, 101);
    Ledger__Error *e = ledger__error__unpack(NULL, len, body);
    cr_assert_eq(e->code, ERR(FORBIDDEN), "a second backup: got %s", err_code_name(e->code));
    cr_assert(strstr(e->message, "being written"), "%s", e->message);
    ledger__error__free_unpacked(e, NULL);
    free(body);
    struct stat st;
    cr_assert_neq(stat(b2, &st), 0, "the refused backup made its directory");
    s_add_customer(d, "C-2");   /* writes go on too */

    s_open_gate(gate);
    Ledger__BackupReply *r = NULL;
    cr_assert_eq(wire_recv(d, 30000, &id, &body, &len), FRAME_BACKUP | FRAME_REPLY);
    cr_assert_eq(id, 100, "the deferred reply carries the request's id");
    r = ledger__backup_reply__unpack(NULL, len, body);
    free(body);
    cr_assert_str_eq(r->path, b1);
    cr_assert_geq(r->last_seq, 1);
    cr_assert_gt(r->bytes, 0);
    ledger__backup_reply__free_unpacked(r, NULL);

    /* Finished, the next one is served. */
    s_send_backup(d, 102, b2);
    cr_assert_eq(wire_recv(d, 30000, &id, &body, &len), FRAME_BACKUP | FRAME_REPLY);
    cr_assert_eq(id, 102);
    free(body);
    zmq_close(d);
}

Test(backup, sigterm_during_a_backup_waits_for_the_copy_and_it_opens)
{
    char gate[300], dir[300];
    s_gate(gate, sizeof gate);
    snprintf(dir, sizeof dir, "%s/b", srv.dir);
    void *d = wire_dealer(ctx, srv.listen);
    s_add_customer(d, "C-1");
    uint64_t acked = s_last_seq(d);
    s_send_backup(d, 100, dir);
    s_last_seq(d);   /* answered after the backup was read, so its copy has started */
    kill(srv.pid, SIGTERM);
    s_open_gate(gate);
    cr_assert_eq(server_stop(&srv), 0, "ledgerd's exit status");
    zmq_close(d);

    s_open_copy(dir);
    void *c = wire_dealer(ctx, copy.listen);
    cr_assert_eq(s_last_seq(c), acked);
    zmq_close(c);
    cr_assert_eq(server_stop(&copy), 0);
    server_restart(&srv);   /* and the ledger itself is sound */
}

Test(backup, a_write_that_needs_a_larger_map_waits_for_the_copy_to_end)
{
    char gate[300], dir[300];
    snprintf(srv.args, sizeof srv.args, "--test-clock --map-size-mib 1");
    s_gate(gate, sizeof gate);
    snprintf(dir, sizeof dir, "%s/b", srv.dir);
    void *d = wire_dealer(ctx, srv.listen);
    s_add_customer(d, "C-1");
    s_send_backup(d, 1000, dir);
    s_last_seq(d);   /* the copy has started */

    /* The map cannot grow under the copy: the write is refused, not waited for. */
    int full = -1;
    uint64_t id;
    uint8_t *body;
    size_t len;
    for (int b = 0; b < 100 && full < 0; b++) {
        s_send_batch(d, b);
        int type = wire_recv(d, 10000, &id, &body, &len);
        cr_assert_eq(id, (uint64_t)b);
        if (type == FRAME_ERROR) {
            Ledger__Error *e = ledger__error__unpack(NULL, len, body);
            cr_assert_eq(e->code, ERR(STORAGE_FULL), "batch %d: %s %s", b,
                         err_code_name(e->code), e->message);
            cr_assert(strstr(e->message, "backup"), "%s", e->message);
            ledger__error__free_unpacked(e, NULL);
            full = b;
        } else {
            cr_assert_eq(type, FRAME_ORDER_BATCH | FRAME_REPLY);
        }
        free(body);
    }
    cr_assert_geq(full, 0, "a 1 MiB map took 100,000 orders");

    s_open_gate(gate);
    cr_assert_eq(wire_recv(d, 30000, &id, &body, &len), FRAME_BACKUP | FRAME_REPLY);
    cr_assert_eq(id, 1000);
    free(body);
    s_send_batch(d, full);   /* the same write again: now the map grows */
    cr_assert_eq(wire_recv(d, 10000, &id, &body, &len), FRAME_ORDER_BATCH | FRAME_REPLY);
    free(body);
    zmq_close(d);
}

/* ---- in process: no sockets, the copy is waited for ---- */

Test(backup_fixture, without_sockets_a_backup_is_answered_when_written)
{
    fixture_t f;
    fixture_open(&f, 1);
    fixture_add_customer(&f, "C-1", "客户", "SH");
    char dir[300];
    snprintf(dir, sizeof dir, "%s/copy", f.dir);
    Ledger__Backup req = LEDGER__BACKUP__INIT;
    req.meta = fixture_meta(NULL);
    req.path = dir;
    Ledger__BackupReply *r = NULL;
    err_t err;
    cr_assert_eq(fixture_call(&f, FRAME_BACKUP, &req.base, &ledger__backup_reply__descriptor,
                              (ProtobufCMessage **)&r, &err), 0, "%s", err.msg);
    cr_assert_eq(r->last_seq, fixture_last_seq(&f));
    cr_assert_gt(r->bytes, 0);
    ledger__backup_reply__free_unpacked(r, NULL);
    cr_assert_eq(fixture_call(&f, FRAME_BACKUP, &req.base, &ledger__backup_reply__descriptor,
                              NULL, &err), -1);
    cr_assert_eq(err.code, ERR(INVALID));
    cr_assert_str_eq(err.field, "path");
    fixture_close(&f);
}
