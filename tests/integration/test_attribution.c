/* test_attribution - ledger-attribution as it runs: real ledgerd, real
 * worker processes. Two partitions over the demo's generated year, one
 * killed mid-run and restarted, give the results one instance gives alone;
 * a second instance of a partition is refused; the worker follows live
 * events, survives a ledgerd restart, and re-resolves later orders when a
 * back-dated one arrives. The rules themselves are test_resolve's. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "attribution.pb-c.h"
#include "client.h"
#include "codec.h"
#include "frame.h"
#include "results.h"
#include "server.h"

TestSuite(attribution, .timeout = 300);

static void s_sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

/* s_cursor - the stored cursor of name */
static uint64_t s_cursor(client_t *c, const char *name)
{
    Ledger__Meta meta = LEDGER__META__INIT;
    meta.actor = "tester";
    Ledger__CursorGet req = LEDGER__CURSOR_GET__INIT;
    req.meta = &meta;
    req.name = (char *)name;
    Ledger__CursorReply *rep = NULL;
    err_t err;
    cr_assert_eq(client_call(c, FRAME_CURSOR_GET, &req.base, &ledger__cursor_reply__descriptor,
                             (ProtobufCMessage **)&rep, &err), 0, "cursor.get: %s", err.msg);
    uint64_t seq = rep->seq;
    ledger__cursor_reply__free_unpacked(rep, NULL);
    return seq;
}

/* s_last_seq - the log's end */
static uint64_t s_last_seq(client_t *c)
{
    Ledger__Meta meta = LEDGER__META__INIT;
    meta.actor = "tester";
    Ledger__Hello req = LEDGER__HELLO__INIT;
    req.meta = &meta;
    Ledger__HelloReply *rep = NULL;
    err_t err;
    cr_assert_eq(client_call(c, FRAME_HELLO, &req.base, &ledger__hello_reply__descriptor,
                             (ProtobufCMessage **)&rep, &err), 0, "hello: %s", err.msg);
    uint64_t seq = rep->last_seq;
    ledger__hello_reply__free_unpacked(rep, NULL);
    return seq;
}

/* s_attribution - the order's attribution, waiting up to 10 s for version
 * (0: any) to appear; the caller frees it */
static Ledger__Attribution *s_attribution(client_t *c, const char *order, uint64_t version)
{
    for (int i = 0; i < 1000; i++) {
        Ledger__Result *r = result_get(c, "attribution.resolved", order);
        if (r && r->version >= version) {
            Ledger__Attribution *a = ledger__attribution__unpack(NULL, r->payload.len,
                                                                 r->payload.data);
            cr_assert_not_null(a, "%s: payload does not unpack", order);
            ledger__result__free_unpacked(r, NULL);
            return a;
        }
        if (r)
            ledger__result__free_unpacked(r, NULL);
        s_sleep_ms(10);
    }
    cr_assert_fail("no attribution v%llu for %s within 10 s", (unsigned long long)version, order);
    return NULL;
}

/* s_order_codes - every order's code, by listing */
static size_t s_order_codes(client_t *c, char ***out)
{
    Ledger__Meta meta = LEDGER__META__INIT;
    meta.actor = "tester";
    Ledger__List req = LEDGER__LIST__INIT;
    req.meta = &meta;
    req.kind = LEDGER__ENTITY_KIND__ENTITY_ORDER;
    req.limit = 1000;
    char **codes = NULL;
    size_t n = 0;
    ProtobufCBinaryData token = { 0, NULL };
    uint8_t *held = NULL;
    for (;;) {
        req.page_token = token;
        Ledger__ListReply *rep = NULL;
        err_t err;
        cr_assert_eq(client_call(c, FRAME_LIST, &req.base, &ledger__list_reply__descriptor,
                                 (ProtobufCMessage **)&rep, &err), 0, "list: %s", err.msg);
        codes = realloc(codes, (n + rep->n_orders) * sizeof *codes);
        for (size_t i = 0; i < rep->n_orders; i++)
            codes[n++] = strdup(rep->orders[i]->code);
        free(held);
        held = NULL;
        int last = rep->next_page_token.len == 0;
        if (!last) {
            held = malloc(rep->next_page_token.len);
            memcpy(held, rep->next_page_token.data, rep->next_page_token.len);
            token.data = held;
            token.len = rep->next_page_token.len;
        }
        ledger__list_reply__free_unpacked(rep, NULL);
        if (last)
            break;
    }
    *out = codes;
    return n;
}

/* s_load_demo - the demo's generated year into s */
static void s_load_demo(const server_t *s)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "LEDGER_ACTOR=demo %s --endpoint %s >/dev/null 2>&1",
             LEDGER_DEMO_BIN, s->listen);
    cr_assert_eq(system(cmd), 0, "ledger-demo failed: %s", cmd);
}

static void s_log_path(char *out, size_t n, const server_t *s, const char *name)
{
    snprintf(out, n, "%s/%s.log", s->dir, name);
}

/* s_log_has - the log file contains text */
static int s_log_has(const char *path, const char *text)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    char buf[1 << 16];
    size_t len = fread(buf, 1, sizeof buf - 1, f);
    buf[len] = 0;
    fclose(f);
    return strstr(buf, text) != NULL;
}

Test(attribution, two_partitions_with_one_killed_mid_run_give_what_one_instance_gives)
{
    server_t split, alone;
    char log[512];
    server_start(&split, "");
    server_start(&alone, "");
    s_load_demo(&split);
    s_load_demo(&alone);
    client_t *cs = client_new(split.listen, "tester", 10000);
    client_t *ca = client_new(alone.listen, "tester", 10000);

    /* Partition 1 in small batches, killed once it has written some. */
    s_log_path(log, sizeof log, &split, "p1");
    pid_t p1 = worker_start(&split, "attribution", "--partition 1/2 --batch 5", log);
    uint64_t at_kill = 0;
    for (int i = 0; i < 2000 && !(at_kill = s_cursor(cs, "attribution:1/2")); i++)
        s_sleep_ms(5);
    kill(p1, SIGKILL);
    proc_wait(p1);
    uint64_t last = s_last_seq(cs);
    cr_assert_gt(at_kill, 0, "partition 1 wrote nothing before the kill");
    cr_assert_lt(s_cursor(cs, "attribution:1/2"), last, "the kill came after the run's end");

    s_log_path(log, sizeof log, &split, "p0");
    pid_t p0 = worker_start(&split, "attribution", "--partition 0/2 --once", log);
    s_log_path(log, sizeof log, &split, "p1-again");
    p1 = worker_start(&split, "attribution", "--partition 1/2 --once", log);
    cr_assert_eq(proc_wait_ms(p0, 240000), 0, "partition 0 --once");
    cr_assert_eq(proc_wait_ms(p1, 240000), 0, "partition 1 --once after the kill");

    s_log_path(log, sizeof log, &alone, "p");
    pid_t one = worker_start(&alone, "attribution", "--once", log);
    cr_assert_eq(proc_wait_ms(one, 240000), 0, "one instance --once");

    char **codes;
    size_t n = s_order_codes(cs, &codes);
    cr_assert_gt(n, 1000, "the demo's year has its orders (%zu)", n);
    size_t resolved = 0;
    for (size_t i = 0; i < n; i++) {
        Ledger__Result *a = result_get(cs, "attribution.resolved", codes[i]);
        Ledger__Result *b = result_get(ca, "attribution.resolved", codes[i]);
        cr_assert(a && b, "%s: resolved by the split run %d, alone %d", codes[i], !!a, !!b);
        cr_assert(a->payload.len == b->payload.len &&
                  !memcmp(a->payload.data, b->payload.data, a->payload.len),
                  "%s: the split run's attribution differs from one instance's", codes[i]);
        resolved++;
        ledger__result__free_unpacked(a, NULL);
        ledger__result__free_unpacked(b, NULL);
        free(codes[i]);
    }
    free(codes);
    cr_assert_eq(resolved, n);
    client_destroy(&cs);
    client_destroy(&ca);
    server_remove(&split);
    server_remove(&alone);
}

/* s_ctl_ok - ledgerctl must succeed */
static void s_ctl_ok(const server_t *s, const char *args)
{
    char out[4096];
    int rc = ctl(s, out, sizeof out, "%s", args);
    cr_assert_eq(rc, 0, "ledgerctl %s: exit %d: %s", args, rc, out);
}

static void s_people(const server_t *s)
{
    s_ctl_ok(s, "staff add --code S-1 --name 张伟 --branch SH01");
    s_ctl_ok(s, "staff add --code S-2 --name 李娜 --branch SH01");
    s_ctl_ok(s, "customer add --code C-1 --name 陈静 --branch SH01");
}

Test(attribution, a_second_instance_of_a_partition_is_refused)
{
    server_t srv;
    char log_a[512], log_b[512];
    server_start(&srv, "");
    s_people(&srv);
    client_t *c = client_new(srv.listen, "tester", 10000);
    s_log_path(log_a, sizeof log_a, &srv, "a");
    s_log_path(log_b, sizeof log_b, &srv, "b");
    pid_t a = worker_start(&srv, "attribution", "", log_a);
    Ledger__Attribution *att;
    s_ctl_ok(&srv, "order add --code O-1 --customer C-1 --placed '2026-03-01 10:00' "
                   "--line P:1:10.00:5.00 --channel-type staff --channel staff:S-1");
    att = s_attribution(c, "O-1", 1);   /* a is live */
    ledger__attribution__free_unpacked(att, NULL);

    pid_t b = worker_start(&srv, "attribution", "", log_b);
    s_sleep_ms(500);   /* b has read the cursor a also holds */
    s_ctl_ok(&srv, "order add --code O-2 --customer C-1 --placed '2026-03-02 10:00' "
                   "--line P:1:10.00:5.00");
    int status = -1, a_out = 0, b_out = 0;
    for (int i = 0; i < 1000 && !a_out && !b_out; i++) {
        a_out = proc_exited(a, &status);
        if (!a_out)
            b_out = proc_exited(b, &status);
        s_sleep_ms(10);
    }
    cr_assert(a_out || b_out, "neither instance was refused");
    cr_assert_eq(status, 1, "the refused instance exits 1, got %d", status);
    cr_assert(s_log_has(a_out ? log_a : log_b, "another instance"),
              "the refused instance says why");
    pid_t survivor = a_out ? b : a;
    att = s_attribution(c, "O-2", 1);
    cr_assert_str_eq(att->channel->party->code, "S-1", "O-2 inherits O-1's window");
    ledger__attribution__free_unpacked(att, NULL);
    cr_assert_eq(proc_stop(survivor), 0, "the survivor stops cleanly on SIGTERM");
    client_destroy(&c);
    server_remove(&srv);
}

Test(attribution, follows_live_survives_a_ledgerd_restart_and_re_resolves_a_back_dated_order)
{
    server_t srv;
    char log[512];
    server_start(&srv, "");
    s_people(&srv);
    client_t *c = client_new(srv.listen, "tester", 10000);
    s_log_path(log, sizeof log, &srv, "w");
    pid_t w = worker_start(&srv, "attribution", "", log);

    s_ctl_ok(&srv, "order add --code O-2 --customer C-1 --placed '2026-03-10 10:00' "
                   "--line P:1:10.00:5.00 --channel-type staff --channel staff:S-1");
    Ledger__Attribution *att = s_attribution(c, "O-2", 1);
    cr_assert_str_eq(att->window->start, "2026-03-10");
    cr_assert_str_eq(att->channel->party->code, "S-1");
    ledger__attribution__free_unpacked(att, NULL);

    cr_assert_eq(server_stop(&srv), 0);
    server_restart_same(&srv);
    /* A back-dated order: it opens the window, and O-2 is re-resolved. */
    s_ctl_ok(&srv, "order add --code O-1 --customer C-1 --placed '2026-01-05 10:00' "
                   "--line P:1:10.00:5.00 --channel-type staff --channel staff:S-2");
    att = s_attribution(c, "O-1", 1);
    cr_assert_str_eq(att->window->start, "2026-01-05");
    cr_assert_str_eq(att->channel->party->code, "S-2");
    ledger__attribution__free_unpacked(att, NULL);
    att = s_attribution(c, "O-2", 2);
    cr_assert_str_eq(att->window->opened_by, "O-1");
    cr_assert_str_eq(att->channel->party->code, "S-2", "O-2 is now inside O-1's window");
    cr_assert_eq(att->n_conflicts, 1);
    cr_assert_str_eq(att->conflicts[0]->reason, "window_lock");
    cr_assert_str_eq(att->conflicts[0]->claimed->code, "S-1");
    ledger__attribution__free_unpacked(att, NULL);

    Ledger__Result *r = result_get(c, "attribution.resolved", "O-2");
    cr_assert_eq(r->version, 2, "the re-resolution is a new result version");
    ledger__result__free_unpacked(r, NULL);
    int status;
    cr_assert_not(proc_exited(w, &status), "the worker outlived the restart");
    cr_assert_eq(proc_stop(w), 0);
    cr_assert(s_log_has(log, "stopped at seq"));
    client_destroy(&c);
    server_remove(&srv);
}

Test(attribution, help_and_bad_options)
{
    char cmd[512], out[4096];
    snprintf(cmd, sizeof cmd, "%s/ledger-attribution --help", LEDGER_BIN_DIR);
    FILE *p = popen(cmd, "r");
    size_t len = fread(out, 1, sizeof out - 1, p);
    out[len] = 0;
    cr_assert_eq(pclose(p), 0);
    cr_assert(strstr(out, "--partition K/N"), "%s", out);
    cr_assert(strstr(out, "Exit status"), "%s", out);

    snprintf(cmd, sizeof cmd, "%s/ledger-attribution --partition 2/2 2>&1", LEDGER_BIN_DIR);
    p = popen(cmd, "r");
    len = fread(out, 1, sizeof out - 1, p);
    out[len] = 0;
    int rc = pclose(p);
    cr_assert_eq(WEXITSTATUS(rc), 2, "bad usage exits 2");
    cr_assert(strstr(out, "--partition"), "names the option: %s", out);
}
