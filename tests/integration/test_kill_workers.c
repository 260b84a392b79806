/* test_kill_workers - each worker SIGKILLed again and again while it
 * catches up on a log of a few thousand events, then run to the end,
 * writes exactly what an uninterrupted run writes: the same result events,
 * in the same order, with the same keys, payloads and versions (so nothing
 * was written twice, and no half-batch left a trace), and its cursor gets
 * past the end of the log it was given; run once more, it writes nothing.
 *
 * The log is the first ten weeks of the demo's year (ledger-demo's records
 * dated before 2025-11-16, copied from a scratch ledger), with the demo's
 * policy, weekly clock steps and September and October closed. For each worker in the
 * order they feed each other (attribution, commission, compliance,
 * reconciliation) a hot backup of the reference ledger is opened as a
 * second ledgerd; the worker runs uninterrupted on the reference and is
 * killed at random moments on the copy. The moments are drawn from a
 * printed seed (LEDGER_TEST_SEED repeats it). */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "client.h"
#include "faults.h"
#include "frame.h"
#include "record.pb-c.h"
#include "request.pb-c.h"
#include "server.h"

TestSuite(kill_workers, .timeout = 900);

#define CUT_MS    1763222400000LL   /* 2025-11-16 00:00 in Asia/Shanghai */
#define CUT_DATE  "2025-11-16"
#define CHUNK     1000              /* records per record.batch */
#define BATCH     "50"              /* the workers' --batch: many write-backs to die between */
#define KILLS     8

static server_t ref;        /* the reference ledger: every worker runs uninterrupted */
static server_t copy;       /* a backup of ref, where the worker is killed */
static char out[1 << 16];
static uint64_t rng;

#define CTL_OK(s, ...) do { int rc_ = ctl(s, out, sizeof out, __VA_ARGS__); \
    cr_assert_eq(rc_, 0, "exit %d: %s", rc_, out); } while (0)

static void teardown(void)
{
    if (copy.dir[0])
        server_remove(&copy);
    if (ref.dir[0])
        server_remove(&ref);
}

/* --- the log: ten weeks of the demo's year --------------------------- */

typedef struct {
    Ledger__Record **v;
    size_t n, cap;
} records_t;

/* s_keep - the records of the first ten weeks: every record with no date
 * of its own (staff, customers, partners, products, sources, accounts),
 * and those dated before the cut */
static int s_keep(const Ledger__Event *e)
{
    switch (e->body_case) {
    case LEDGER__EVENT__BODY_ORDER:    return e->order->placed_ms < CUT_MS;
    case LEDGER__EVENT__BODY_PAYMENT:  return e->payment->paid_ms < CUT_MS;
    case LEDGER__EVENT__BODY_SHIPMENT: return e->shipment->shipped_ms < CUT_MS;
    case LEDGER__EVENT__BODY_REFUND:   return e->refund->requested_ms < CUT_MS;
    case LEDGER__EVENT__BODY_ENTRY:    return e->entry->time_ms < CUT_MS;
    case LEDGER__EVENT__BODY_SERVICE:  return e->service->time_ms < CUT_MS;
    case LEDGER__EVENT__BODY_POST:     return e->post->time_ms < CUT_MS;
    case LEDGER__EVENT__BODY_WORK:     return strcmp(e->work->date, CUT_DATE) < 0;
    case LEDGER__EVENT__BODY_STAFF: case LEDGER__EVENT__BODY_CUSTOMER:
    case LEDGER__EVENT__BODY_PARTNER: case LEDGER__EVENT__BODY_PRODUCT:
    case LEDGER__EVENT__BODY_SOURCE: case LEDGER__EVENT__BODY_ACCOUNT:
        return 1;
    default:
        return 0;   /* clock, policy: the reference ledger has its own */
    }
}

/* s_collect_record - an added record as a record.batch item (events and
 * Record list the kinds in the same order: staff 10 -> 1, partner 20 -> 4) */
static void s_collect_record(void *ctx, const Ledger__Event *e)
{
    records_t *r = ctx;
    if (!s_keep(e))
        return;
    cr_assert(strstr(e->kind, ".created"), "the demo only adds records, got %s", e->kind);
    int body = e->body_case;
    Ledger__Record rec = LEDGER__RECORD__INIT;
    rec.kind_case = body < 20 ? body - 9 : body - 16;
    rec.staff = e->staff;   /* the unions hold one pointer, in the same place */
    size_t postings = 0;
    if (body == LEDGER__EVENT__BODY_ENTRY && *e->entry->reverses_code) {
        postings = e->entry->n_postings;   /* a reversal is sent without: ledgerd negates */
        e->entry->n_postings = 0;
    }
    size_t len = ledger__record__get_packed_size(&rec);
    uint8_t *buf = malloc(len);
    ledger__record__pack(&rec, buf);
    if (postings)
        e->entry->n_postings = postings;
    if (r->n == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 4096;
        r->v = realloc(r->v, r->cap * sizeof *r->v);
    }
    r->v[r->n] = ledger__record__unpack(NULL, len, buf);
    cr_assert(r->v[r->n]);
    r->n++;
    free(buf);
}

/* s_load_log - the reference ledger: ledger time before the year, the
 * demo's policy, and the first ten weeks of the demo's records */
static size_t s_load_log(void)
{
    server_t scratch;
    server_start(&scratch, "--test-clock");
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "LEDGER_ACTOR=demo %s --endpoint %s >/dev/null 2>&1",
             LEDGER_DEMO_BIN, scratch.listen);
    cr_assert_eq(system(cmd), 0, "ledger-demo failed: %s", cmd);
    client_t *c = client_new(scratch.listen, "tester", 30000);
    records_t recs = { 0 };
    faults_log(c, 0, s_collect_record, &recs);
    client_destroy(&c);
    server_remove(&scratch);

    CTL_OK(&ref, "clock set '2025-08-31 00:00'");
    policy_put(&ref, "2025-09", "role_rates:\n  channel: 300\n  service: 200\n  assist: 100\n"
                               "  handler: 100\n  arranger: 100\noutside_referrer_rate: 800\n");
    c = client_new(ref.listen, "tester", 60000);
    for (size_t from = 0; from < recs.n; from += CHUNK) {
        char idem[64];
        snprintf(idem, sizeof idem, "ten-weeks-%zu", from);
        Ledger__Meta meta = LEDGER__META__INIT;
        client_meta(c, &meta, idem);
        Ledger__RecordBatch req = LEDGER__RECORD_BATCH__INIT;
        req.meta = &meta;
        req.records = recs.v + from;
        req.n_records = recs.n - from < CHUNK ? recs.n - from : CHUNK;
        Ledger__BatchReply *rep = NULL;
        err_t err;
        cr_assert_eq(client_call(c, FRAME_RECORD_BATCH, &req.base,
                                 &ledger__batch_reply__descriptor, (ProtobufCMessage **)&rep,
                                 &err), 0, "records %zu..: %s %s: %s", from,
                     err_code_name(err.code), err.field, err.msg);
        ledger__batch_reply__free_unpacked(rep, NULL);
    }
    client_destroy(&c);
    for (size_t i = 0; i < recs.n; i++)
        ledger__record__free_unpacked(recs.v[i], NULL);
    free(recs.v);
    return recs.n;
}

/* --- the result events a run appended -------------------------------- */

typedef struct {
    char kind[64], key[160], owner[64];
    uint64_t seq, version, entity_id, partition_key;
    uint8_t *payload;
    size_t len;
} rev_t;

typedef struct {
    rev_t *v;
    size_t n, cap;
} revs_t;

static void s_collect_result(void *ctx, const Ledger__Event *e)
{
    revs_t *r = ctx;
    cr_assert_eq(e->body_case, LEDGER__EVENT__BODY_RESULT, "seq %" PRIu64 ": a worker's run "
                 "appended a %s event", e->seq, e->kind);
    if (r->n == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 1024;
        r->v = realloc(r->v, r->cap * sizeof *r->v);
    }
    rev_t *v = &r->v[r->n++];
    const Ledger__Result *res = e->result;
    snprintf(v->kind, sizeof v->kind, "%s", res->kind);
    snprintf(v->key, sizeof v->key, "%s", res->key);
    snprintf(v->owner, sizeof v->owner, "%s", res->owner);
    v->seq = e->seq;
    v->version = res->version;
    v->entity_id = res->entity_id;
    v->partition_key = res->partition_key;
    v->len = res->payload.len;
    v->payload = malloc(v->len ? v->len : 1);
    memcpy(v->payload, res->payload.data, v->len);
}

/* s_results - every event after seq `after` of s, each a result */
static void s_results(const server_t *s, uint64_t after, revs_t *out)
{
    client_t *c = client_new(s->listen, "tester", 30000);
    memset(out, 0, sizeof *out);
    faults_log(c, after, s_collect_result, out);
    client_destroy(&c);
}

static void s_revs_free(revs_t *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->v[i].payload);
    free(r->v);
}

/* --- one worker --------------------------------------------------------- */

/* s_run - ledger-<worker> --once on s, to the end; its time in ms */
static int64_t s_run(const server_t *s, const char *worker, const char *log)
{
    int64_t t0 = faults_now_ms();
    pid_t pid = worker_start(s, worker, "--once --quiet --batch " BATCH, log);
    int rc = proc_wait_ms(pid, 600000);
    cr_assert_eq(rc, 0, "ledger-%s --once: exit %d (see %s)", worker, rc, log);
    return faults_now_ms() - t0;
}

/* s_worker - worker uninterrupted on ref, killed on a copy of ref, and the
 * two runs' result events and cursors compared */
static void s_worker(const char *worker)
{
    char path[300], log[400], cursor[64];
    snprintf(cursor, sizeof cursor, "%s:0/1", worker);

    /* The copy, from a hot backup: the same log, cursors and state. */
    snprintf(path, sizeof path, "%s-%s", ref.dir, worker);
    CTL_OK(&ref, "backup %s", path);
    memset(&copy, 0, sizeof copy);
    snprintf(copy.dir, sizeof copy.dir, "%s", path);
    /* A backup holds no server key (README, Backup and restore): the copy
     * is opened with the reference's, as a restore would be. */
    char keys[300];
    snprintf(keys, sizeof keys, "%s/keys", ref.dir);
    if (access(keys, F_OK) == 0)
        snprintf(copy.args, sizeof copy.args, "--test-clock --keys %s", keys);
    else
        snprintf(copy.args, sizeof copy.args, "--test-clock");
    server_restart(&copy);
    client_t *cr = client_new(ref.listen, "tester", 30000);
    client_t *cc = client_new(copy.listen, "tester", 30000);
    uint64_t from = faults_last_seq(cr);
    cr_assert_eq(faults_last_seq(cc), from, "the backup holds the log to its end");

    snprintf(log, sizeof log, "%s/%s.log", ref.dir, worker);
    int64_t t = s_run(&ref, worker, log);
    uint64_t end = faults_cursor(cr, cursor);

    /* Killed at random moments of its catch-up, then run to the end. */
    snprintf(log, sizeof log, "%s/%s.log", copy.dir, worker);
    int kills = 0;
    char at[256] = "";
    for (int k = 0; k < KILLS; k++) {
        uint64_t before = faults_cursor(cc, cursor);
        pid_t pid = worker_start(&copy, worker, "--once --quiet --batch " BATCH, log);
        /* Once it has written a batch back, a random moment of the next
         * few (the uninterrupted run's time over 16: eight kills fit). */
        int status, done = 0;
        while (!(done = proc_exited(pid, &status)) && faults_cursor(cc, cursor) == before)
            faults_sleep_ms(1);
        if (!done) {
            faults_sleep_ms((int)faults_rand(&rng, (uint64_t)(t / 16 + 2)));
            done = proc_exited(pid, &status);
        }
        if (done) {
            cr_assert_eq(status, 0, "ledger-%s --once: exit %d (see %s)", worker, status, log);
            break;   /* it reached the end first */
        }
        kill(pid, SIGKILL);
        proc_wait(pid);
        uint64_t now = faults_cursor(cc, cursor);
        if (now < end) {
            kills++;
            snprintf(at + strlen(at), sizeof at - strlen(at), " %" PRIu64, now);
        }
    }
    s_run(&copy, worker, log);

    revs_t want, got;
    s_results(&ref, from, &want);
    s_results(&copy, from, &got);
    cr_log_info("%s: %zu result events in %" PRId64 " ms uninterrupted; killed %d times before "
                "the end, its cursor at%s of %" PRIu64, worker, want.n, t, kills, at, end);
    cr_assert_gt(want.n, 10, "%s wrote %zu results: the log gives it too little to do", worker,
                 want.n);
    for (size_t i = 0; i < want.n && i < got.n; i++) {
        const rev_t *a = &got.v[i], *b = &want.v[i];
        cr_assert(!strcmp(a->kind, b->kind) && !strcmp(a->key, b->key) &&
                  a->version == b->version && a->seq == b->seq,
                  "%s: result event %zu: %s %s v%" PRIu64 " at seq %" PRIu64 " after the kills, "
                  "%s %s v%" PRIu64 " at seq %" PRIu64 " uninterrupted", worker, i, a->kind,
                  a->key, a->version, a->seq, b->kind, b->key, b->version, b->seq);
        cr_assert(a->len == b->len && !memcmp(a->payload, b->payload, a->len) &&
                  a->entity_id == b->entity_id && a->partition_key == b->partition_key &&
                  !strcmp(a->owner, b->owner),
                  "%s: %s %s v%" PRIu64 ": payload, entity, partition or owner differ from the "
                  "uninterrupted run's", worker, a->kind, a->key, a->version);
    }
    cr_assert_eq(got.n, want.n, "%s: %zu result events after the kills, %zu uninterrupted",
                 worker, got.n, want.n);
    /* The cursors need not agree: each passes over the worker's own result
     * events as far as the log reached when it read its last page. Both
     * are past every event the run was given. */
    cr_assert_geq(end, from, "%s: the uninterrupted run stopped at %" PRIu64 " before the "
                  "log's end %" PRIu64, worker, end, from);
    cr_assert_geq(faults_cursor(cc, cursor), from, "%s: the run after the kills stopped at %"
                  PRIu64 " before the log's end %" PRIu64, worker, faults_cursor(cc, cursor), from);
    cr_assert_geq(kills, 2, "%s: only %d of %d kills came before the end", worker, kills, KILLS);

    /* Once more from its cursor: it passes over its own results to the
     * log's end and writes nothing. */
    uint64_t last = faults_last_seq(cc);
    s_run(&copy, worker, log);
    cr_assert_eq(faults_last_seq(cc), last, "%s: a run after the end appended events", worker);
    cr_assert_eq(faults_cursor(cc, cursor), last, "%s: the cursor reaches the log's end", worker);

    s_revs_free(&want);
    s_revs_free(&got);
    client_destroy(&cr);
    client_destroy(&cc);
    server_remove(&copy);
    memset(&copy, 0, sizeof copy);
}

Test(kill_workers, each_worker_killed_mid_batch_writes_what_an_uninterrupted_run_writes,
     .fini = teardown)
{
    rng = faults_seed("kill_workers");
    server_start(&ref, "--test-clock");
    size_t n = s_load_log();
    cr_log_info("the log: %zu records of the demo's first ten weeks", n);

    s_worker("attribution");
    /* Ledger time walks through the ten weeks; September and October close. */
    static const char *const steps[] = { "2025-09-08", "2025-09-15", "2025-09-22",
                                         "2025-09-29", "2025-10-01", "2025-10-08",
                                         "2025-10-15", "2025-10-22", "2025-10-29",
                                         "2025-11-01", "2025-11-08", "2025-11-16",
                                         "2025-11-18" };
    for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
        CTL_OK(&ref, "clock set '%s 00:00'", steps[i]);
        if (!strcmp(steps[i], "2025-10-01"))
            CTL_OK(&ref, "month close 2025-09");
        if (!strcmp(steps[i], "2025-11-01"))
            CTL_OK(&ref, "month close 2025-10");
    }
    s_worker("commission");
    s_worker("compliance");
    s_worker("reconciliation");
}
