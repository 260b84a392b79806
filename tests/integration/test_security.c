/* security - only the right people in (issue 10): every connection is a
 * CURVE key ledgerd holds; the key's role decides each request, in
 * authorise.c; the key's name and role are on every event it causes; a
 * revoked key is refused from its next connection and request on, without
 * a restart; contact details go only to the owning branch and admin, and
 * each read of them is logged. Each refusal is tried here with the real
 * ledgerctl and a real ledgerd. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>
#include "cert.h"
#include "client.h"
#include "codec.h"
#include "frame.h"
#include "results.h"
#include "server.h"
#include "wire.h"

static server_t srv;
static char out[16384];

static void setup(void)
{
    server_start(&srv, "--test-clock");
    /* One customer and order in each of two branches, by admin. */
    cr_assert_eq(ctl(&srv, out, sizeof out, "staff add --code BJ-S1 --name 王芳 --branch BJ01 "
                     "--role presale"), 0, "%s", out);
    cr_assert_eq(ctl(&srv, out, sizeof out, "staff add --code SH-S1 --name 陈静 --branch SH01 "
                     "--role presale"), 0, "%s", out);
    cr_assert_eq(ctl(&srv, out, sizeof out, "product add --code X --name 墨盒 --list-price 10.00"),
                 0, "%s", out);
    cr_assert_eq(ctl(&srv, out, sizeof out, "customer add --code BJ-C1 --name 甲 --branch BJ01 "
                     "--phone 13800000001"), 0, "%s", out);
    cr_assert_eq(ctl(&srv, out, sizeof out, "customer add --code SH-C1 --name 乙 --branch SH01 "
                     "--phone 13900000002 --wechat yi88"), 0, "%s", out);
    cr_assert_eq(ctl(&srv, out, sizeof out, "order add --code SH-O1 --customer SH-C1 --branch SH01 "
                     "--placed '2026-01-05 10:00' --line X:1:10.00:5.00"), 0, "%s", out);
}

static void teardown(void)
{
    int rc = server_stop(&srv);
    server_remove(&srv);
    cr_assert_eq(rc, 0, "ledgerd exits 0 on SIGTERM, got %d", rc);
}

TestSuite(security, .init = setup, .fini = teardown, .timeout = 120);

/* s_client_as - an in-process client with role's certificate */
static client_t *s_client_as(const char *role)
{
    char admin[300];
    snprintf(admin, sizeof admin, "%s", getenv("LEDGER_CERT"));
    setenv("LEDGER_CERT", server_cert(&srv, role), 1);
    client_t *c = client_new(srv.listen, "someone-else", 5000);
    setenv("LEDGER_CERT", admin, 1);
    cr_assert(c);
    return c;
}

/* s_refused - ctl as role exits 1 with FORBIDDEN on stderr */
#define s_forbidden(role, ...)                                                               \
    do {                                                                                     \
        int rc_ = ctl_as(&srv, role, out, sizeof out, __VA_ARGS__);                          \
        cr_assert_eq(rc_, 1, "%s: want exit 1 (FORBIDDEN), got %d: %s", role, rc_, out);    \
        cr_assert(strstr(out, "FORBIDDEN"), "%s: %s", role, out);                           \
    } while (0)

/* s_last_event - the newest event of kind, via the log (admin) */
static Ledger__Event *s_last_event(const char *kind)
{
    client_t *c = client_new(srv.listen, "tester", 5000);
    Ledger__Meta meta = LEDGER__META__INIT;
    meta.actor = "tester";
    Ledger__Replay req = LEDGER__REPLAY__INIT;
    char *kinds[] = { (char *)kind };
    req.meta = &meta;
    req.kinds = kinds;
    req.n_kinds = 1;
    req.max_events = 10000;
    Ledger__ReplayReply *rep = NULL;
    err_t err;
    cr_assert_eq(client_call(c, FRAME_REPLAY, &req.base, &ledger__replay_reply__descriptor,
                             (ProtobufCMessage **)&rep, &err), 0, "%s", err.msg);
    Ledger__Event *ev = NULL;
    if (rep->n_events) {   /* a copy that outlives the reply */
        uint8_t *buf;
        size_t n = codec_pack(&rep->events[rep->n_events - 1]->base, &buf);
        ev = ledger__event__unpack(NULL, n, buf);
        free(buf);
    }
    protobuf_c_message_free_unpacked(&rep->base, NULL);
    client_destroy(&c);
    return ev;
}

Test(security, no_key_and_an_unknown_key_are_refused_with_exit_4)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "env -u LEDGER_CERT %s --endpoint %s --timeout 3000 status 2>&1",
             LEDGERCTL_BIN, srv.listen);
    FILE *p = popen(cmd, "r");
    size_t n = fread(out, 1, sizeof out - 1, p);
    out[n] = 0;
    int st = pclose(p);
    cr_assert_eq(WEXITSTATUS(st), 4, "no certificate: %s", out);
    cr_assert(strstr(out, "wants a certificate"), "%s", out);

    /* A well-made certificate for this server whose key ledgerd never got. */
    cert_t admin, stranger;
    err_t err;
    char path[400];
    cr_assert_eq(cert_load(getenv("LEDGER_CERT"), &admin, &err), 0, "%s", err.msg);
    cr_assert_eq(cert_new(&stranger, "admin", "冒名者", admin.server_key, &err), 0);
    snprintf(path, sizeof path, "%s/stranger.cert", srv.dir);
    cr_assert_eq(cert_save(path, &stranger, 0, &err), 0, "%s", err.msg);
    snprintf(cmd, sizeof cmd, "%s --endpoint %s --cert %s --timeout 3000 status 2>&1",
             LEDGERCTL_BIN, srv.listen, path);
    p = popen(cmd, "r");
    n = fread(out, 1, sizeof out - 1, p);
    out[n] = 0;
    st = pclose(p);
    cr_assert_eq(WEXITSTATUS(st), 4, "unknown key: %s", out);
    cr_assert(strstr(out, "refused the key"), "%s", out);
}

Test(security, a_revoked_key_is_refused_from_its_next_request_and_connection_on)
{
    const char *cert = server_cert(&srv, "branch:BJ01");
    client_t *open = s_client_as("branch:BJ01");   /* connected before the revocation */
    Ledger__Meta meta = LEDGER__META__INIT;
    meta.actor = "x";
    Ledger__Hello hello = LEDGER__HELLO__INIT;
    hello.meta = &meta;
    ProtobufCMessage *rep = NULL;
    err_t err;
    cr_assert_eq(client_call(open, FRAME_HELLO, &hello.base, &ledger__hello_reply__descriptor,
                             &rep, &err), 0, "%s", err.msg);
    protobuf_c_message_free_unpacked(rep, NULL);

    cr_assert_eq(ctl(&srv, out, sizeof out, "keys revoke %s", cert), 0, "%s", out);
    cr_assert(strstr(out, "revoked key"), "%s", out);
    /* The open connection: its next request is refused. */
    cr_assert_eq(client_call(open, FRAME_HELLO, &hello.base, &ledger__hello_reply__descriptor,
                             &rep, &err), -1);
    cr_assert_eq(err.code, ERR(FORBIDDEN), "%s", err.msg);
    cr_assert(strstr(err.msg, "revoked"), "%s", err.msg);
    client_destroy(&open);
    /* A new connection: refused at the handshake, no restart in between. */
    int rc = ctl_as(&srv, "branch:BJ01", out, sizeof out, "status");
    cr_assert_eq(rc, 4, "exit %d: %s", rc, out);
    /* It stays listed, revoked, and cannot be added back. */
    cr_assert_eq(ctl(&srv, out, sizeof out, "--json keys list"), 0, "%s", out);
    cr_assert(strstr(out, "\"role\":\"branch:BJ01\"") && strstr(out, "\"revoked_ms\":"), "%s", out);
}

Test(security, identity_on_events_is_the_keys_name_and_role_not_the_declared_actor)
{
    int rc = ctl_as(&srv, "branch:BJ01", out, sizeof out,
                    "--actor 'somebody else' customer add --code BJ-C2 --name 丙 --branch BJ01");
    cr_assert_eq(rc, 0, "%s", out);
    Ledger__Event *ev = s_last_event("customer.created");
    cr_assert(ev);
    cr_assert_str_eq(ev->entity_code, "BJ-C2");
    cr_assert_str_eq(ev->actor, "branch:BJ01", "the key's name (server_cert names it by role)");
    cr_assert_str_eq(ev->role, "branch:BJ01");
    ledger__event__free_unpacked(ev, NULL);
}

Test(security, a_branch_reads_and_writes_only_its_own_branch)
{
    const char *bj = "branch:BJ01";
    /* Writes into another branch, or of a record that is another's. */
    s_forbidden(bj, "customer add --name 丁 --branch SH01");
    s_forbidden(bj, "customer amend SH-C1 --branch BJ01");
    s_forbidden(bj, "order add --customer SH-C1 --branch SH01 --placed '2026-01-06 10:00' "
                    "--line X:1:10.00:5.00");
    s_forbidden(bj, "payment add --order SH-O1 --amount 10.00 --paid '2026-01-06 10:00'");
    s_forbidden(bj, "staff add --name 赵 --branch SH01");
    s_forbidden(bj, "product add --code P-X --name 打印机 --list-price 10.00");
    /* Reads of another branch's records, the log, others' results. */
    s_forbidden(bj, "customer show SH-C1");
    s_forbidden(bj, "order show SH-O1");
    s_forbidden(bj, "customer list --branch SH01");
    s_forbidden(bj, "tail --from 0");
    /* And only admin sets policies, the clock, keys, or takes backups. */
    s_forbidden(bj, "clock set '2026-02-01 00:00'");
    s_forbidden(bj, "keys list");
    char path[400];
    snprintf(path, sizeof path, "%s/x.cert", srv.dir);
    s_forbidden(bj, "keys add --role admin --name 篡位 --out %s", path);
    cr_assert(access(path, F_OK) != 0, "a refused key's certificate is not left behind");
    s_forbidden(bj, "backup %s/b", srv.dir);

    /* Its own branch: written and read; a list shows only its own. */
    cr_assert_eq(ctl_as(&srv, bj, out, sizeof out, "order add --code BJ-O1 --customer BJ-C1 "
                        "--branch BJ01 --placed '2026-01-06 10:00' --line X:1:10.00:5.00"), 0,
                 "%s", out);
    cr_assert_eq(ctl_as(&srv, bj, out, sizeof out, "customer list"), 0, "%s", out);
    cr_assert(strstr(out, "BJ-C1") && !strstr(out, "SH-C1"), "%s", out);
    cr_assert_eq(ctl_as(&srv, bj, out, sizeof out, "order list"), 0, "%s", out);
    cr_assert(strstr(out, "BJ-O1") && !strstr(out, "SH-O1"), "%s", out);
}

Test(security, contacts_go_to_the_owning_branch_and_admin_and_each_read_is_logged)
{
    /* The owning branch sees the phone, and the read is an event. */
    cr_assert_eq(ctl_as(&srv, "branch:SH01", out, sizeof out, "customer show SH-C1"), 0, "%s", out);
    cr_assert(strstr(out, "13900000002"), "%s", out);
    Ledger__Event *ev = s_last_event("contact.read");
    cr_assert(ev, "no contact.read event");
    cr_assert_str_eq(ev->entity_code, "SH-C1");
    cr_assert_str_eq(ev->role, "branch:SH01");
    cr_assert_eq(ev->body_case, LEDGER__EVENT__BODY_CONTACT_READ);
    uint64_t seq = ev->seq;
    ledger__event__free_unpacked(ev, NULL);
    cr_assert_eq(ctl(&srv, out, sizeof out, "customer show SH-C1"), 0, "%s", out);
    cr_assert(strstr(out, "13900000002"), "admin: %s", out);
    ev = s_last_event("contact.read");
    cr_assert(ev && ev->seq > seq && !strcmp(ev->role, "admin"), "admin's read logged too");
    seq = ev->seq;
    ledger__event__free_unpacked(ev, NULL);

    /* Finance and the workers read the customer, not how to reach them. */
    const char *others[] = { "finance", "worker:attribution" };
    for (int i = 0; i < 2; i++) {
        cr_assert_eq(ctl_as(&srv, others[i], out, sizeof out, "customer show SH-C1"), 0, "%s", out);
        cr_assert(strstr(out, "乙") && !strstr(out, "13900000002") && !strstr(out, "yi88"),
                  "%s: %s", others[i], out);
    }
    ev = s_last_event("contact.read");
    cr_assert_eq(ev->seq, seq, "no read of contacts, so none logged");
    ledger__event__free_unpacked(ev, NULL);
}

Test(security, workers_write_back_only_their_own_kinds_and_cursors)
{
    client_t *w = s_client_as("worker:attribution");
    Ledger__Meta meta = LEDGER__META__INIT;
    meta.actor = "x";
    meta.idempotency_key = "wb-1";
    Ledger__Result res = LEDGER__RESULT__INIT;
    res.kind = "commission.line";
    res.key = "O-1/x";
    Ledger__Result *results[] = { &res };
    Ledger__WriteBack wb = LEDGER__WRITE_BACK__INIT;
    wb.meta = &meta;
    wb.cursor = "attribution:0/1";
    wb.results = results;
    wb.n_results = 1;
    ProtobufCMessage *rep = NULL;
    err_t err;
    cr_assert_eq(client_call(w, FRAME_WRITE_BACK, &wb.base, &ledger__write_back_reply__descriptor,
                             &rep, &err), -1);
    cr_assert_eq(err.code, ERR(FORBIDDEN), "%s", err.msg);
    cr_assert_str_eq(err.field, "results[0].kind");
    /* Another kind's cursor, or its state. */
    wb.n_results = 0;
    wb.cursor = "commission:0/1";
    meta.idempotency_key = "wb-2";
    cr_assert_eq(client_call(w, FRAME_WRITE_BACK, &wb.base, &ledger__write_back_reply__descriptor,
                             &rep, &err), -1);
    cr_assert_eq(err.code, ERR(FORBIDDEN), "%s", err.msg);
    cr_assert_str_eq(err.field, "cursor");
    /* Its own kind under its own cursor is written. */
    res.kind = "attribution.resolved";
    wb.cursor = "attribution:0/1";
    wb.n_results = 1;
    meta.idempotency_key = "wb-3";
    cr_assert_eq(client_call(w, FRAME_WRITE_BACK, &wb.base, &ledger__write_back_reply__descriptor,
                             &rep, &err), 0, "%s", err.msg);
    protobuf_c_message_free_unpacked(rep, NULL);
    client_destroy(&w);
    /* Workers write no records, and set no policy. */
    s_forbidden("worker:attribution", "customer add --name 戊 --branch BJ01");
    char path[400];
    snprintf(path, sizeof path, "%s/policy.yaml", srv.dir);
    FILE *f = fopen(path, "w");
    fputs("role_rates:\n  channel: 500\n", f);
    fclose(f);
    s_forbidden("worker:commission", "policy set --month 2026-01 %s", path);
}

Test(security, finance_reads_money_closes_months_and_sets_nothing_else)
{
    s_forbidden("finance", "customer add --name 己 --branch BJ01");
    s_forbidden("finance", "clock set '2026-02-01 00:00'");
    s_forbidden("finance", "keys list");
    cr_assert_eq(ctl_as(&srv, "finance", out, sizeof out, "order show SH-O1"), 0, "%s", out);
    cr_assert_eq(ctl(&srv, out, sizeof out, "clock set '2026-02-02 00:00'"), 0, "%s", out);
    cr_assert_eq(ctl_as(&srv, "finance", out, sizeof out, "month close 2026-01"), 0, "%s", out);
    s_forbidden("branch:BJ01", "month close 2026-02");
}

Test(security, a_branch_key_is_refused_on_the_event_socket)
{
    void *ctx = zmq_ctx_new();
    char admin[300];
    snprintf(admin, sizeof admin, "%s", getenv("LEDGER_CERT"));
    void *ok = wire_sub(ctx, srv.publish, "");
    setenv("LEDGER_CERT", server_cert(&srv, "branch:BJ01"), 1);
    void *branch = wire_sub(ctx, srv.publish, "");
    setenv("LEDGER_CERT", admin, 1);
    usleep(300000);   /* both subscriptions reach ledgerd (the slow joiner) */
    cr_assert_eq(ctl(&srv, out, sizeof out, "customer add --name 庚 --branch BJ01"), 0, "%s", out);
    zmq_pollitem_t item = { ok, 0, ZMQ_POLLIN, 0 };
    cr_assert_eq(zmq_poll(&item, 1, 5000), 1, "the admin's subscriber gets the event");
    item.socket = branch;
    cr_assert_eq(zmq_poll(&item, 1, 500), 0, "the branch's never does");
    zmq_close(ok);
    zmq_close(branch);
    zmq_ctx_term(ctx);
}
