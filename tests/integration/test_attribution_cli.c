/* attribution_cli - what ledgerctl shows of ledger-attribution's results,
 * against a real ledgerd: `order show` with its resolved roles (text and
 * --json), or "not resolved yet"; `customer attribution` with windows,
 * solutions, conflicts and counts, and exit 1 when there is none yet; a
 * payload that does not decode is said, naming the result. The results are
 * written here by a raw write-back, as the worker would write them, so the
 * test does not wait on the worker's rules. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>
#include "attribution.pb-c.h"
#include "codec.h"
#include "frame.h"
#include "server.h"
#include "wire.h"

static server_t srv;
static void *ctx;
static char out[65536];

static void setup(void)
{
    ctx = zmq_ctx_new();
    server_start(&srv, "--test-clock");
}

static void teardown(void)
{
    server_remove(&srv);
    zmq_ctx_shutdown(ctx);   /* not term: a failed test may leave a socket open */
}

TestSuite(attribution_cli, .init = setup, .fini = teardown, .timeout = 60);

#define CTL_OK(...) do { int rc_ = ctl(&srv, out, sizeof out, __VA_ARGS__); \
    cr_assert_eq(rc_, 0, "exit %d: %s", rc_, out); } while (0)

/* s_json - ledgerctl --json ARGS, which must succeed, parsed; caller frees */
static json_t *s_json(const char *args)
{
    json_error_t jerr;
    CTL_OK("--json %s", args);
    json_t *j = json_loads(out, 0, &jerr);
    cr_assert(j, "%s: not JSON (%s): %s", args, jerr.text, out);
    return j;
}

/* s_add - ledgerctl --json ADD..., returning the id ledgerd gave */
static uint64_t s_add(const char *args)
{
    json_t *j = s_json(args);
    uint64_t id = (uint64_t)json_integer_value(json_object_get(j, "id"));
    cr_assert_gt(id, 0, "%s: no id: %s", args, out);
    json_decref(j);
    return id;
}

/* s_str - the string at a path of object keys ("channel", "rule"), or "" */
static const char *s_str(json_t *j, const char *const *path)
{
    for (; *path && j; path++)
        j = json_object_get(j, *path);
    return json_is_string(j) ? json_string_value(j) : "";
}
#define STR(j, ...) s_str(j, (const char *const[]){ __VA_ARGS__, NULL })

/* s_result - a Result of kind for key with msg packed as its payload;
 * the payload is the caller's to free */
static Ledger__Result s_result(const char *kind, const char *key, uint64_t entity_id,
                               uint64_t partition_key, const ProtobufCMessage *msg)
{
    Ledger__Result r = LEDGER__RESULT__INIT;
    r.kind = (char *)kind;
    r.key = (char *)key;
    r.entity_id = entity_id;
    r.partition_key = partition_key;
    if (msg)
        r.payload.len = codec_pack(msg, &r.payload.data);
    return r;
}

/* s_write_back - the results, written as cursor "attribution:0/1" writes
 * them (the cursor stays at 0); returns how many changed */
static unsigned s_write_back(const char *idem, Ledger__Result *results, size_t n)
{
    Ledger__Meta meta = wire_meta(idem);
    Ledger__WriteBack wb = LEDGER__WRITE_BACK__INIT;
    Ledger__Result *ptrs[8];
    cr_assert_leq(n, 8);
    for (size_t i = 0; i < n; i++)
        ptrs[i] = &results[i];
    wb.meta = &meta;
    wb.cursor = "attribution:0/1";
    wb.expected_cursor = 0;
    wb.new_cursor = 0;
    wb.results = ptrs;
    wb.n_results = n;

    void *d = wire_dealer(ctx, srv.listen);
    uint64_t id;
    uint8_t *body;
    size_t len;
    wire_send(d, FRAME_WRITE_BACK, 1, &wb.base);
    int type = wire_recv(d, 10000, &id, &body, &len);
    zmq_close(d);
    cr_assert_neq(type, -1, "write-back: no reply");
    if (type == FRAME_ERROR) {
        Ledger__Error *e = ledger__error__unpack(NULL, len, body);
        cr_assert_fail("write-back: %s %s: %s", e ? err_code_name(e->code) : "?",
                       e ? e->field : "", e ? e->message : "not an Error");
    }
    cr_assert_eq(type, FRAME_WRITE_BACK | FRAME_REPLY, "write-back: reply type 0x%02x", type);
    Ledger__WriteBackReply *r = ledger__write_back_reply__unpack(NULL, len, body);
    cr_assert(r, "write-back: the reply does not unpack");
    unsigned changed = r->results_changed;
    ledger__write_back_reply__free_unpacked(r, NULL);
    free(body);
    return changed;
}

static Ledger__PartyRef s_staff1 = { PROTOBUF_C_MESSAGE_INIT(&ledger__party_ref__descriptor),
                                     LEDGER__PARTY_KIND__PARTY_STAFF, "S-1", 0 };
static Ledger__PartyRef s_staff2 = { PROTOBUF_C_MESSAGE_INIT(&ledger__party_ref__descriptor),
                                     LEDGER__PARTY_KIND__PARTY_STAFF, "S-2", 0 };
static Ledger__PartyRef s_referrer = { PROTOBUF_C_MESSAGE_INIT(&ledger__party_ref__descriptor),
                                       LEDGER__PARTY_KIND__PARTY_CUSTOMER, "C-2", 0 };

/* s_role - a role as the worker states it */
static Ledger__Role s_role(Ledger__RoleState state, Ledger__PartyRef *party, uint32_t type,
                           const char *rule, const char *reason, const char *since)
{
    Ledger__Role r = LEDGER__ROLE__INIT;
    r.state = state;
    r.party = party;
    r.type = type;
    r.rule = (char *)rule;
    r.reason = (char *)reason;
    r.since = (char *)since;
    return r;
}

#define REASON_CHANNEL "locked by the window O-1 opened (归属锁定): 渠道 stays 陈芳's referral"
#define DETAIL_CONFLICT "the window opened by O-1 holds the channel until 2026-12-31"

/* The store after setup_resolved: C-1 (陈静) has O-1 and O-2, both resolved,
 * and O-3, not yet; O-4 holds a payload that is not an Attribution; C-2
 * (陈芳, the referrer) has no customer result. */
static void setup_resolved(void)
{
    CTL_OK("staff add --code S-1 --name 张伟 --branch SH01");
    CTL_OK("staff add --code S-2 --name 李娜 --branch SH01");
    uint64_t c1 = s_add("customer add --code C-1 --name 陈静 --branch SH01");
    s_add("customer add --code C-2 --name 陈芳 --branch SH01");
    s_add("order add --code O-1 --customer C-1 --placed '2026-03-01 10:00' --line INK-02:3:99.50 "
          "--channel-type referral --channel customer:C-2 --assist-type transfer "
          "--assist staff:S-2 --handler S-1 --arranger S-1");
    uint64_t o2 = s_add("order add --code O-2 --customer C-1 --placed '2026-03-05 09:30' "
                        "--line PAPER-01:2:10.00 --channel-type staff --channel staff:S-1 "
                        "--handler S-1 --solution SOL-7");
    s_add("order add --code O-3 --customer C-1 --placed '2026-03-06 09:30' --line INK-02:1:99.50");
    uint64_t o4 = s_add("order add --code O-4 --customer C-1 --placed '2026-03-07 09:30' "
                        "--line INK-02:1:99.50");

    Ledger__Window window = LEDGER__WINDOW__INIT;
    window.kind = LEDGER__WINDOW_KIND__WINDOW_FIRST;
    window.start = "2026-03-01";
    window.end = "2026-12-31";
    window.opened_by = "O-1";
    Ledger__Role channel = s_role(LEDGER__ROLE_STATE__ROLE_KNOWN, &s_referrer,
                                  LEDGER__CHANNEL_TYPE__CHANNEL_REFERRAL, "channel.window_lock",
                                  REASON_CHANNEL, "O-1");
    Ledger__Role service = s_role(LEDGER__ROLE_STATE__ROLE_UNKNOWN, NULL, 0, "service.unclaimed",
                                  "no order in the window claims a service", "");
    Ledger__Role assist = s_role(LEDGER__ROLE_STATE__ROLE_KNOWN, &s_staff2,
                                 LEDGER__ASSIST_TYPE__ASSIST_TRANSFER, "assist.window_lock",
                                 "the window's assist, claimed on O-1", "O-1");
    Ledger__Role handler = s_role(LEDGER__ROLE_STATE__ROLE_KNOWN, &s_staff1, 0, "handler.order",
                                  "the handler on the order", "O-2");
    Ledger__Conflict conflict = LEDGER__CONFLICT__INIT;
    conflict.role = "channel";
    conflict.claimed = &s_staff1;
    conflict.type = LEDGER__CHANNEL_TYPE__CHANNEL_STAFF;
    conflict.reason = "window_lock";
    conflict.detail = DETAIL_CONFLICT;
    Ledger__Conflict *conflicts[] = { &conflict };
    char *gaps[] = { "service", "arrangers" };

    Ledger__Attribution a = LEDGER__ATTRIBUTION__INIT;
    a.order_id = o2;
    a.order_code = "O-2";
    a.order_version = 1;
    a.customer_id = c1;
    a.customer_code = "C-1";
    a.placed_ms = 1772674200000;   /* 2026-03-05 09:30 +08:00 */
    a.window = &window;
    a.channel = &channel;
    a.service = &service;
    a.assist = &assist;
    a.handler = &handler;
    a.conflicts = conflicts;
    a.n_conflicts = 1;
    a.gaps = gaps;
    a.n_gaps = 2;
    a.solution_id = "SOL-7";

    Ledger__WindowHistory history = LEDGER__WINDOW_HISTORY__INIT;
    history.window = &window;
    history.channel = &channel;
    history.service = &service;
    history.assist = &assist;
    Ledger__WindowHistory *windows[] = { &history };
    Ledger__OrderConflicts oc = LEDGER__ORDER_CONFLICTS__INIT;
    oc.order_code = "O-2";
    oc.placed_ms = a.placed_ms;
    oc.conflicts = conflicts;
    oc.n_conflicts = 1;
    Ledger__OrderConflicts *ocs[] = { &oc };
    Ledger__SolutionAssist sol = LEDGER__SOLUTION_ASSIST__INIT;
    sol.solution_id = "SOL-7";
    sol.assist = &s_staff2;
    sol.since = "O-2";
    Ledger__SolutionAssist *sols[] = { &sol };
    Ledger__CustomerAttribution ca = LEDGER__CUSTOMER_ATTRIBUTION__INIT;
    ca.customer_id = c1;
    ca.customer_code = "C-1";
    ca.windows = windows;
    ca.n_windows = 1;
    ca.conflicts = ocs;
    ca.n_conflicts = 1;
    ca.solutions = sols;
    ca.n_solutions = 1;

    Ledger__Result results[3] = {
        s_result("attribution.resolved", "O-2", o2, c1, &a.base),
        s_result("attribution.customer", "C-1", c1, c1, &ca.base),
        s_result("attribution.resolved", "O-4", o4, c1, NULL),
    };
    /* A string field (order_code) holding bytes that are not UTF-8. */
    static uint8_t bad[] = { 0x12, 0x02, 0xff, 0xfe };
    results[2].payload.data = bad;
    results[2].payload.len = sizeof bad;
    cr_assert_eq(s_write_back("wb-1", results, 3), 3);
    free(results[0].payload.data);
    free(results[1].payload.data);
}

Test(attribution_cli, order_show_prints_the_roles_rules_conflicts_and_gaps)
{
    setup_resolved();
    CTL_OK("order show O-2");
    cr_assert(strstr(out, "PRODUCT") && strstr(out, "PAPER-01"), "the lines as before: %s", out);
    cr_assert(strstr(out, "Attribution (result v1, from order version 1)\n"), "%s", out);
    cr_assert(strstr(out, "first, 2026-03-01..2026-12-31, opened by O-1"), "%s", out);
    cr_assert(strstr(out, "customer:C-2") && strstr(out, "D referral") &&
              strstr(out, "channel.window_lock") && strstr(out, REASON_CHANNEL),
              "channel: %s", out);
    cr_assert(strstr(out, "unknown") && strstr(out, "service.unclaimed"), "service: %s", out);
    cr_assert(strstr(out, "staff:S-2") && strstr(out, "B transfer"), "assist: %s", out);
    cr_assert(strstr(out, "staff:S-1") && strstr(out, "handler.order"), "handler: %s", out);
    cr_assert(strstr(out, "gaps") && strstr(out, "service, arrangers"), "%s", out);
    cr_assert(strstr(out, "Conflicts\n") && strstr(out, "B staff") &&
              strstr(out, "window_lock") && strstr(out, DETAIL_CONFLICT), "%s", out);
    cr_assert(strstr(out, "solution") && strstr(out, "SOL-7"), "%s", out);

    json_t *j = s_json("order show O-2");
    cr_assert_str_eq(STR(j, "code"), "O-2", "the order's own members stay");
    json_t *a = json_object_get(j, "attribution");
    cr_assert(json_is_object(a), "%s", out);
    cr_assert_eq(json_integer_value(json_object_get(json_object_get(a, "result"), "version")), 1);
    cr_assert_str_eq(STR(a, "result", "owner"), "attribution:0/1");
    cr_assert_str_eq(STR(a, "window", "kind"), "first");
    cr_assert_str_eq(STR(a, "window", "opened_by"), "O-1");
    cr_assert_str_eq(STR(a, "channel", "state"), "known");
    cr_assert_str_eq(STR(a, "channel", "party", "code"), "C-2");
    cr_assert_str_eq(STR(a, "channel", "type"), "referral");
    cr_assert_str_eq(STR(a, "channel", "type_letter"), "D");
    cr_assert_str_eq(STR(a, "channel", "rule"), "channel.window_lock");
    cr_assert_str_eq(STR(a, "channel", "reason"), REASON_CHANNEL);
    cr_assert_str_eq(STR(a, "channel", "since"), "O-1");
    cr_assert_str_eq(STR(a, "service", "state"), "unknown");
    cr_assert(json_is_null(json_object_get(json_object_get(a, "service"), "party")));
    cr_assert_str_eq(STR(a, "assist", "type_letter"), "B");
    cr_assert_str_eq(STR(a, "handler", "party", "code"), "S-1");
    cr_assert_eq(json_array_size(json_object_get(a, "arrangers")), 0);
    json_t *c = json_array_get(json_object_get(a, "conflicts"), 0);
    cr_assert_str_eq(STR(c, "role"), "channel");
    cr_assert_str_eq(STR(c, "claimed", "code"), "S-1");
    cr_assert_str_eq(STR(c, "type"), "staff");
    cr_assert_str_eq(STR(c, "reason"), "window_lock");
    cr_assert_str_eq(STR(c, "detail"), DETAIL_CONFLICT);
    json_t *gaps = json_object_get(a, "gaps");
    cr_assert_eq(json_array_size(gaps), 2);
    cr_assert_str_eq(json_string_value(json_array_get(gaps, 0)), "service");
    cr_assert_str_eq(json_string_value(json_array_get(gaps, 1)), "arrangers");
    cr_assert_str_eq(STR(a, "solution_id"), "SOL-7");
    cr_assert_str_eq(STR(a, "placed"), "2026-03-05T09:30:00+08:00");
    json_decref(j);
}

Test(attribution_cli, an_order_without_a_result_is_not_resolved_yet)
{
    setup_resolved();
    CTL_OK("order show O-3");
    cr_assert(strstr(out, "\nAttribution: not resolved yet\n"), "%s", out);
    cr_assert(strstr(out, "INK-02"), "%s", out);
    json_t *j = s_json("order show O-3");
    cr_assert(json_is_null(json_object_get(j, "attribution")), "%s", out);
    cr_assert_str_eq(STR(j, "code"), "O-3");
    json_decref(j);
}

Test(attribution_cli, a_payload_that_does_not_decode_names_the_result)
{
    setup_resolved();
    int rc = ctl(&srv, out, sizeof out, "order show O-4");
    cr_assert_eq(rc, 1, "exit %d: %s", rc, out);
    cr_assert(strstr(out, "attribution.resolved result O-4") &&
              strstr(out, "ledger.Attribution") && strstr(out, "BAD_TEXT"), "%s", out);
    cr_assert_null(strstr(out, "PRODUCT"), "no half order: %s", out);
}

Test(attribution_cli, customer_attribution_prints_windows_solutions_and_conflicts)
{
    setup_resolved();
    CTL_OK("customer attribution C-1");
    cr_assert(strstr(out, "C-1 陈静"), "%s", out);
    cr_assert(strstr(out, "Windows\n") && strstr(out, "2026-03-01..2026-12-31") &&
              strstr(out, "customer:C-2") && strstr(out, "channel.window_lock"), "%s", out);
    cr_assert(strstr(out, "Solutions\n") && strstr(out, "SOL-7"), "%s", out);
    cr_assert(strstr(out, "Conflicts\n") && strstr(out, "2026-03-05 09:30") &&
              strstr(out, DETAIL_CONFLICT), "%s", out);

    json_t *j = s_json("customer attribution C-1");
    cr_assert_str_eq(STR(j, "customer_code"), "C-1");
    cr_assert_str_eq(STR(j, "customer_name"), "陈静");
    json_t *w = json_array_get(json_object_get(j, "windows"), 0);
    cr_assert_str_eq(STR(w, "window", "end"), "2026-12-31");
    cr_assert_str_eq(STR(w, "channel", "party", "code"), "C-2");
    cr_assert_str_eq(STR(w, "assist", "rule"), "assist.window_lock");
    json_t *s = json_array_get(json_object_get(j, "solutions"), 0);
    cr_assert_str_eq(STR(s, "solution_id"), "SOL-7");
    cr_assert_str_eq(STR(s, "assist", "code"), "S-2");
    cr_assert_str_eq(STR(s, "since"), "O-2");
    json_t *oc = json_array_get(json_object_get(j, "conflicts"), 0);
    cr_assert_str_eq(STR(oc, "order_code"), "O-2");
    cr_assert_str_eq(STR(oc, "placed"), "2026-03-05T09:30:00+08:00");
    cr_assert_str_eq(STR(json_array_get(json_object_get(oc, "conflicts"), 0), "reason"),
                     "window_lock");
    json_decref(j);
}

Test(attribution_cli, customer_attribution_without_a_result_exits_1)
{
    setup_resolved();
    int rc = ctl(&srv, out, sizeof out, "customer attribution C-2");
    cr_assert_eq(rc, 1, "exit %d: %s", rc, out);
    cr_assert(strstr(out, "no attribution for C-2 yet (is ledger-attribution running?)"),
              "%s", out);
    rc = ctl(&srv, out, sizeof out, "--json customer attribution C-2");
    cr_assert_eq(rc, 1, "exit %d: %s", rc, out);
    cr_assert_null(strstr(out, "{"), "no JSON on failure: %s", out);
    rc = ctl(&srv, out, sizeof out, "customer attribution C-404");
    cr_assert_eq(rc, 1, "exit %d: %s", rc, out);
    cr_assert(strstr(out, "NOT_FOUND") && !strstr(out, "ledger-attribution"),
              "an unknown customer is not a worker's delay: %s", out);
    rc = ctl(&srv, out, sizeof out, "customer attribution");
    cr_assert_eq(rc, 2, "exit %d: %s", rc, out);
    CTL_OK("customer --help");
    cr_assert(strstr(out, "customer attribution"), "%s", out);
}
