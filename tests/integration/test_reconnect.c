/* test_reconnect - ledgerd stopped (SIGTERM) or killed (SIGKILL) and
 * started again on the same directory and endpoints, four times, under a
 * running ledger-attribution that follows the log live and a client that
 * keeps writing orders. Neither is restarted: both reconnect by themselves.
 * A call while ledgerd is away gets TIMEOUT, never a crash or another
 * call's reply; sent again with its key after the restart it is applied
 * once. The worker never exits, catches up with every order, and its
 * results are those a run from seq 1 gives (replay_matches). */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "client.h"
#include "faults.h"
#include "frame.h"
#include "request.pb-c.h"
#include "results.h"
#include "server.h"

TestSuite(reconnect, .timeout = 600);

#define ROUNDS     4
#define PER_ROUND  60     /* orders written between restarts */
#define CUSTOMERS  20
#define STAFF      4
#define CALL_MS    700    /* the client's timeout: a call with ledgerd away waits this long */

static server_t srv;
static pid_t worker;

static void teardown(void)
{
    if (worker > 0)
        proc_stop(worker);
    server_remove(&srv);
}

/* s_write - one write through c with idempotency key idem: 0 with the
 * reply's seq, or -1 with err */
static int s_write(client_t *c, uint8_t type, const ProtobufCMessage *req, uint64_t *seq,
                   err_t *err)
{
    Ledger__WriteReply *rep = NULL;
    if (client_call(c, type, req, &ledger__write_reply__descriptor, (ProtobufCMessage **)&rep,
                    err) < 0)
        return -1;
    if (seq)
        *seq = rep->seq;
    ledger__write_reply__free_unpacked(rep, NULL);
    return 0;
}

/* s_order - order.add of order n: a customer in turn, a day later each, a
 * staff channel claimed on every third (placed on day `day`) */
static int s_order(client_t *c, int n, int day, uint64_t *seq, err_t *err)
{
    char code[16], customer[16], staff[16], idem[32];
    snprintf(code, sizeof code, "O-%04d", n);
    snprintf(customer, sizeof customer, "C-%02d", n % CUSTOMERS + 1);
    snprintf(staff, sizeof staff, "S-%d", n % STAFF + 1);
    snprintf(idem, sizeof idem, "order-%s", code);
    Ledger__OrderLine line = LEDGER__ORDER_LINE__INIT;
    Ledger__OrderLine *lines[] = { &line };
    line.product = "INK-02";
    line.qty = 1 + n % 3;
    line.unit_price = 9950;
    line.cost = 6000;
    Ledger__PartyRef channel = LEDGER__PARTY_REF__INIT;
    channel.kind = LEDGER__PARTY_KIND__PARTY_STAFF;
    channel.code = staff;
    Ledger__RoleClaims claims = LEDGER__ROLE_CLAIMS__INIT;
    claims.channel_type = LEDGER__CHANNEL_TYPE__CHANNEL_STAFF;
    claims.channel = &channel;
    Ledger__Order o = LEDGER__ORDER__INIT;
    o.code = code;
    o.customer_code = customer;
    o.branch = "SH01";
    o.placed_ms = 1767225600000 + (int64_t)day * 86400000;   /* from 2026-01-01 */
    o.lines = lines;
    o.n_lines = 1;
    if (n % 3 == 0)
        o.claims = &claims;
    Ledger__Meta meta = LEDGER__META__INIT;
    client_meta(c, &meta, idem);
    Ledger__OrderAdd req = LEDGER__ORDER_ADD__INIT;
    req.meta = &meta;
    req.order = &o;
    return s_write(c, FRAME_ORDER_ADD, &req.base, seq, err);
}

/* s_hello - a hello through c: 0, or -1 with err */
static int s_hello(client_t *c, err_t *err)
{
    Ledger__Meta meta = LEDGER__META__INIT;
    meta.actor = "tester";
    Ledger__Hello req = LEDGER__HELLO__INIT;
    req.meta = &meta;
    Ledger__HelloReply *rep = NULL;
    if (client_call(c, FRAME_HELLO, &req.base, &ledger__hello_reply__descriptor,
                    (ProtobufCMessage **)&rep, err) < 0)
        return -1;
    ledger__hello_reply__free_unpacked(rep, NULL);
    return 0;
}

static void s_people(client_t *c)
{
    err_t err;
    for (int i = 1; i <= STAFF; i++) {
        char code[16], idem[32];
        snprintf(code, sizeof code, "S-%d", i);
        snprintf(idem, sizeof idem, "staff-%s", code);
        Ledger__Staff st = LEDGER__STAFF__INIT;
        st.code = code;
        st.name = "员工";
        st.branch = "SH01";
        Ledger__Meta meta = LEDGER__META__INIT;
        client_meta(c, &meta, idem);
        Ledger__StaffAdd req = LEDGER__STAFF_ADD__INIT;
        req.meta = &meta;
        req.staff = &st;
        cr_assert_eq(s_write(c, FRAME_STAFF_ADD, &req.base, NULL, &err), 0, "%s", err.msg);
    }
    for (int i = 1; i <= CUSTOMERS; i++) {
        char code[16], idem[32];
        snprintf(code, sizeof code, "C-%02d", i);
        snprintf(idem, sizeof idem, "customer-%s", code);
        Ledger__Customer cu = LEDGER__CUSTOMER__INIT;
        cu.code = code;
        cu.name = "客户";
        cu.branch = "SH01";
        Ledger__Meta meta = LEDGER__META__INIT;
        client_meta(c, &meta, idem);
        Ledger__CustomerAdd req = LEDGER__CUSTOMER_ADD__INIT;
        req.meta = &meta;
        req.customer = &cu;
        cr_assert_eq(s_write(c, FRAME_CUSTOMER_ADD, &req.base, NULL, &err), 0, "%s", err.msg);
    }
}

static int s_orders_logged;

static void s_count(void *unused, const Ledger__Event *e)
{
    (void)unused;
    s_orders_logged += !strcmp(e->kind, "order.created");
}

Test(reconnect, a_worker_and_a_client_ride_out_ledgerd_restarts_by_themselves, .fini = teardown)
{
    char log[400];
    err_t err;
    uint64_t seq;
    server_start(&srv, "--test-clock");
    client_t *c = client_new(srv.listen, "tester", CALL_MS);
    s_people(c);
    snprintf(log, sizeof log, "%s/attribution.log", srv.dir);
    worker = worker_start(&srv, "attribution", "", log);

    int n = 0, status;
    for (int round = 0; round < ROUNDS; round++) {
        for (int i = 0; i < PER_ROUND; i++, n++)
            cr_assert_eq(s_order(c, n, n, &seq, &err), 0, "O-%04d before restart %d: %s %s", n,
                         round + 1, err_code_name(err.code), err.msg);
        if (round % 2 == 0)
            cr_assert_eq(server_stop(&srv), 0, "ledgerd stops cleanly on SIGTERM");
        else
            server_kill(&srv);

        /* Away: a write and a read time out; nothing else comes back. */
        cr_assert_eq(s_order(c, n, n, &seq, &err), -1, "a write was answered with ledgerd down");
        cr_assert_eq(err.code, ERR(TIMEOUT), "a write with ledgerd down: %s %s, want TIMEOUT",
                     err_code_name(err.code), err.msg);
        if (round % 2) {
            cr_assert_eq(s_hello(c, &err), -1, "a hello was answered with ledgerd down");
            cr_assert_eq(err.code, ERR(TIMEOUT), "a hello with ledgerd down: %s", err.msg);
        }
        cr_assert_not(proc_exited(worker, &status), "the worker exited (%d) while ledgerd was "
                      "away (see %s)", status, log);

        /* Back: the same client, the same write with its key, at once. */
        server_restart_same(&srv);
        cr_assert_eq(s_order(c, n, n, &seq, &err), 0, "O-%04d, sent again after restart %d: "
                     "%s %s", n, round + 1, err_code_name(err.code), err.msg);
        n++;
    }
    /* A back-dated order after the last restart: the customer's later
     * orders are resolved again, by the worker that lived through it all. */
    cr_assert_eq(s_order(c, n++, -30, &seq, &err), 0, "%s", err.msg);
    for (int i = 0; i < PER_ROUND; i++, n++)
        cr_assert_eq(s_order(c, n, n, &seq, &err), 0, "%s", err.msg);

    /* The worker catches up with the last order. */
    client_t *r = client_new(srv.listen, "tester", 10000);
    uint64_t cursor = 0;
    for (int i = 0; i < 3000 && (cursor = faults_cursor(r, "attribution:0/1")) < seq; i++)
        faults_sleep_ms(10);
    cr_assert_geq(cursor, seq, "the worker's cursor stayed at %" PRIu64 ", the last order is at "
                  "%" PRIu64 " (see %s)", cursor, seq, log);
    for (int i = 0; i < n; i++) {
        char code[16];
        snprintf(code, sizeof code, "O-%04d", i);
        Ledger__Result *res = result_get(r, "attribution.resolved", code);
        cr_assert(res, "%s was not resolved", code);
        ledger__result__free_unpacked(res, NULL);
    }
    faults_log(r, 0, s_count, NULL);
    cr_assert_eq(s_orders_logged, n, "%d orders written once each, %d in the log", n,
                 s_orders_logged);
    cr_assert_not(proc_exited(worker, &status), "the worker exited (%d) (see %s)", status, log);
    cr_assert_eq(proc_stop(worker), 0, "the worker stops cleanly");
    worker = 0;
    client_destroy(&r);
    client_destroy(&c);

    char *kinds[] = { "attribution.resolved", "attribution.customer" };
    replay_matches(&srv, "attribution", kinds, 2, (size_t)n);
}
