/* test_worker - the worker runtime (shared/worker.c) with a domain function
 * of the test's own, run in a child process against a real ledgerd: state
 * read in the middle of a batch, a write-back too large for one call split
 * by halving the batch, a re-run that writes nothing twice, and a worker
 * that runs as one instance refusing --partition. */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "client.h"
#include "frame.h"
#include "results.h"
#include "server.h"
#include "worker.h"

TestSuite(worker, .timeout = 120);

#define RESULTS_PER_EVENT 1500   /* ten events: 15,000 results, over one write-back's 10,000 */

static const char *const s_kinds[] = { "customer", NULL };

static void s_keys(void *ctx, Ledger__Event *const *events, size_t n, worker_keys_t *out)
{
    worker_keys_add(out, "count");
}

/* s_batch - counts customers in "count"; reads and writes "seen:<code>",
 * which keys() never named; makes RESULTS_PER_EVENT results per customer */
static int s_batch(void *ctx, Ledger__Event *const *events, size_t n, worker_state_t *state,
                   worker_out_t *out, err_t *err)
{
    size_t len;
    const uint8_t *v = worker_state_get(state, "count", &len);
    uint64_t count = 0;
    if (v && len == sizeof count)
        memcpy(&count, v, sizeof count);
    for (size_t i = 0; i < n; i++) {
        const Ledger__Event *e = events[i];
        if (e->body_case != LEDGER__EVENT__BODY_CUSTOMER)
            continue;
        char key[64];
        snprintf(key, sizeof key, "seen:%s", e->customer->code);
        const char *keys[] = { key };
        if (worker_state_need(state, keys, 1, err) < 0)
            return -1;
        if (worker_state_get(state, key, NULL))
            return err_set(err, ERR(INVALID), key, "seen twice");
        worker_state_put(state, key, e->customer->name, strlen(e->customer->name));
        count++;
        int per_event = ctx ? *(const int *)ctx : RESULTS_PER_EVENT;
        for (int r = 0; r < per_event; r++) {
            char rk[64];
            snprintf(rk, sizeof rk, "%s#%d", e->customer->code, r);
            worker_result(out, "test.result", rk, e->customer->id, e->customer->id,
                          &e->customer->base);
        }
    }
    worker_state_put(state, "count", &count, sizeof count);
    return 0;
}

/* s_run_as - worker_main in a child with these arguments and spec flags,
 * per_event results per customer (0: RESULTS_PER_EVENT); its exit status */
static int s_run_as(const server_t *s, const char *extra, int unpartitioned, int idempotent,
                    int per_event)
{
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        char *argv[] = { "ledger-test", "--endpoint", (char *)s->listen, "--events",
                         (char *)s->publish, "--once", "--quiet", (char *)extra, NULL };
        int argc = extra ? 8 : 7;
        worker_spec_t spec = { .name = "test", .summary = "a test worker", .kinds = s_kinds,
                               .keys = s_keys, .batch = s_batch,
                               .unpartitioned = unpartitioned, .idempotent = idempotent,
                               .ctx = per_event ? &per_event : NULL };
        _exit(worker_main(argc, argv, &spec));
    }
    return proc_wait_ms(pid, 120000);
}

static int s_run(const server_t *s, const char *extra, int unpartitioned)
{
    return s_run_as(s, extra, unpartitioned, 0, 0);
}

/* s_state - a state record of owner "test:0/1" as text ("" when absent) */
static void s_state(client_t *c, const char *key, char *out, size_t n)
{
    Ledger__Meta meta = LEDGER__META__INIT;
    meta.actor = "tester";
    char *keys[] = { (char *)key };
    Ledger__StateGet req = LEDGER__STATE_GET__INIT;
    req.meta = &meta;
    req.owner = "test:0/1";
    req.keys = keys;
    req.n_keys = 1;
    Ledger__StateReply *rep = NULL;
    err_t err;
    cr_assert_eq(client_call(c, FRAME_STATE_GET, &req.base, &ledger__state_reply__descriptor,
                             (ProtobufCMessage **)&rep, &err), 0, "%s", err.msg);
    size_t len = rep->records[0]->found ? rep->records[0]->value.len : 0;
    if (len >= n)
        len = n - 1;
    if (len)
        memcpy(out, rep->records[0]->value.data, len);
    out[len] = 0;
    ledger__state_reply__free_unpacked(rep, NULL);
}

static int s_result_exists(client_t *c, const char *key)
{
    Ledger__Result *r = result_get(c, "test.result", key);
    if (r)
        ledger__result__free_unpacked(r, NULL);
    return r != NULL;
}

Test(worker, reads_state_mid_batch_halves_a_big_write_back_and_writes_nothing_twice)
{
    server_t srv;
    char out[4096];
    server_start(&srv, "");
    for (int i = 1; i <= 10; i++) {
        int rc = ctl(&srv, out, sizeof out, "customer add --code C-%d --name name-%d --branch SH01",
                     i, i);
        cr_assert_eq(rc, 0, "%s", out);
    }
    cr_assert_eq(s_run(&srv, NULL, 0), 0, "the first run");
    client_t *c = client_new(srv.listen, "tester", 5000);
    char v[64];
    s_state(c, "seen:C-7", v, sizeof v);
    cr_assert_str_eq(v, "name-7", "a record read and written mid-batch");
    for (int i = 1; i <= 10; i++) {
        char key[32];
        snprintf(key, sizeof key, "C-%d#%d", i, RESULTS_PER_EVENT - 1);
        cr_assert(s_result_exists(c, key), "%s: written by one half or the other", key);
    }
    uint64_t count;
    /* A second run starts from the cursor: nothing is seen twice (the
     * domain function would fail), and the count stays. */
    cr_assert_eq(s_run(&srv, NULL, 0), 0, "the second run");
    s_state(c, "count", v, sizeof v);
    memcpy(&count, v, sizeof count);
    cr_assert_eq(count, 10, "got %" PRIu64, count);
    client_destroy(&c);
    server_remove(&srv);
}

Test(worker, a_worker_that_runs_as_one_instance_refuses_partitions)
{
    server_t srv;
    server_start(&srv, "");
    cr_assert_eq(s_run(&srv, "--partition=0/2", 1), 2, "usage error");
    cr_assert_eq(s_run(&srv, "--partition=0/1", 1), 0, "0/1 is the one instance");
    server_remove(&srv);
}

Test(worker, one_event_too_large_for_a_write_back_is_split_only_when_declared_idempotent)
{
    server_t srv;
    char out[4096];
    server_start(&srv, "");
    cr_assert_eq(ctl(&srv, out, sizeof out, "customer add --code C-1 --name one --branch SH01"), 0,
                 "%s", out);
    cr_assert_eq(s_run_as(&srv, NULL, 0, 0, 25000), 1,
                 "25,000 results of one event: refused when not idempotent");
    cr_assert_eq(s_run_as(&srv, NULL, 0, 1, 25000), 0, "split into chunks when idempotent");
    client_t *c = client_new(srv.listen, "tester", 5000);
    cr_assert(s_result_exists(c, "C-1#0") && s_result_exists(c, "C-1#12345") &&
              s_result_exists(c, "C-1#24999"), "every chunk was written");
    client_destroy(&c);
    server_remove(&srv);
}
