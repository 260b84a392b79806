/* demo - ledger-demo against a real ledgerd: it loads with exit 0, the
 * counts it prints are what ledgerd holds, a second run writes nothing, and
 * its exit codes follow ledgerctl's (1 refused, 2 usage, 3 unreachable). */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include "client.h"
#include "frame.h"
#include "server.h"

static server_t srv;
static char out[65536];

/* --test-clock: no clock events, so the log holds exactly what was written */
static void setup(void) { server_start(&srv, "--test-clock"); }
static void teardown(void) { server_remove(&srv); }

TestSuite(demo, .init = setup, .fini = teardown, .timeout = 240);

/* s_demo - run ledger-demo against srv with args; output (and stderr) in out */
static int s_demo(const char *args)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s --endpoint %s %s 2>&1", LEDGER_DEMO_BIN, srv.listen, args);
    FILE *p = popen(cmd, "r");
    cr_assert(p, "popen %s", cmd);
    size_t len = fread(out, 1, sizeof out - 1, p);
    out[len] = 0;
    int status = pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static uint64_t s_last_seq(client_t *c)
{
    Ledger__Meta meta = LEDGER__META__INIT;
    Ledger__Hello h = LEDGER__HELLO__INIT;
    Ledger__HelloReply *r = NULL;
    err_t err;
    client_meta(c, &meta, "");
    h.meta = &meta;
    cr_assert_eq(client_call(c, FRAME_HELLO, &h.base, &ledger__hello_reply__descriptor,
                             (ProtobufCMessage **)&r, &err), 0, "hello: %s", err.msg);
    uint64_t seq = r->last_seq;
    ledger__hello_reply__free_unpacked(r, NULL);
    return seq;
}

/* s_count - records of kind in ledgerd, every page */
static size_t s_count(client_t *c, int kind)
{
    size_t n = 0;
    uint8_t token[64];
    size_t token_len = 0;
    do {
        Ledger__Meta meta = LEDGER__META__INIT;
        Ledger__List l = LEDGER__LIST__INIT;
        Ledger__ListReply *r = NULL;
        err_t err;
        client_meta(c, &meta, "");
        l.meta = &meta;
        l.kind = (Ledger__EntityKind)kind;
        l.limit = 1000;
        l.page_token.data = token;
        l.page_token.len = token_len;
        cr_assert_eq(client_call(c, FRAME_LIST, &l.base, &ledger__list_reply__descriptor,
                                 (ProtobufCMessage **)&r, &err), 0, "list %d: %s %s", kind,
                     err.field, err.msg);
        n += r->n_staff + r->n_customers + r->n_orders + r->n_records;
        cr_assert_leq(r->next_page_token.len, sizeof token);
        token_len = r->next_page_token.len;
        if (token_len)   /* the last page has no token, and no data pointer */
            memcpy(token, r->next_page_token.data, token_len);
        ledger__list_reply__free_unpacked(r, NULL);
    } while (token_len);
    return n;
}

static json_t *s_json(void)
{
    json_error_t jerr;
    json_t *j = json_loads(out, 0, &jerr);
    cr_assert(j, "not JSON (%s): %s", jerr.text, out);
    return j;
}

static size_t s_field(json_t *j, const char *name)
{
    json_t *v = json_object_get(j, name);
    cr_assert(json_is_integer(v), "no %s in %s", name, out);
    return (size_t)json_integer_value(v);
}

Test(demo, loads_and_the_counts_it_prints_are_what_ledgerd_holds)
{
    static const char *const kinds[] = { "", "staff", "customer", "order", "partner", "product",
        "source", "payment", "shipment", "refund", "account", "entry", "service", "post", "work" };
    client_t *c = client_new(srv.listen, "tester", 10000);
    uint64_t base = s_last_seq(c);   /* the keys trusted at start */
    int rc = s_demo("--json");
    cr_assert_eq(rc, 0, "exit %d: %s", rc, out);
    json_t *j = s_json();
    size_t records = s_field(j, "records");
    cr_assert_gt(records, 10000, "the default scale is a year of business: %s", out);
    cr_assert_eq(s_field(j, "written"), records, "%s", out);
    cr_assert_eq(s_field(j, "already"), 0, "%s", out);
    cr_assert_eq(s_last_seq(c), base + records, "one event per record on a fresh ledger");
    cr_assert_eq(s_field(j, "last_seq"), base + records);
    json_t *counts = json_object_get(j, "counts");
    size_t sum = 0;
    for (int k = 1; k <= 14; k++) {   /* EntityKind k is Record kind k */
        size_t want = s_field(counts, kinds[k]), got = s_count(c, k);
        cr_assert_gt(want, 0, "no %s generated", kinds[k]);
        cr_assert_eq(got, want, "%s: ledgerd holds %zu, ledger-demo printed %zu", kinds[k], got,
                     want);
        sum += want;
    }
    cr_assert_eq(sum, records);
    const char *to = json_string_value(json_object_get(j, "to"));
    cr_assert(to && !strcmp(to, "2026-08-31"), "orders run to the year's end: %s", out);
    client_destroy(&c);
    json_decref(j);
}

Test(demo, a_second_run_writes_nothing)
{
    int rc = s_demo("--seed 7");
    cr_assert_eq(rc, 0, "exit %d: %s", rc, out);
    cr_assert(strstr(out, "Records by kind") && strstr(out, "Samples"), "%s", out);
    client_t *c = client_new(srv.listen, "tester", 10000);
    uint64_t seq = s_last_seq(c);
    rc = s_demo("--seed 7 --json");
    cr_assert_eq(rc, 0, "exit %d: %s", rc, out);
    json_t *j = s_json();
    cr_assert_eq(s_field(j, "written"), 0, "%s", out);
    cr_assert_eq(s_field(j, "already"), s_field(j, "records"), "%s", out);
    cr_assert_eq(s_last_seq(c), seq, "the second run appended events");
    client_destroy(&c);
    json_decref(j);
}

Test(demo, another_data_set_on_the_same_ledger_is_refused_naming_the_record)
{
    int rc = s_demo("--json");
    cr_assert_eq(rc, 0, "exit %d: %s", rc, out);
    rc = s_demo("--seed 2");
    cr_assert_eq(rc, 1, "exit %d: %s", rc, out);
    cr_assert(strstr(out, "DUPLICATE records[0].staff.code") && strstr(out, "staff SH01-S01"),
              "%s", out);
}

Test(demo, exits_2_on_usage_and_3_when_ledgerd_is_not_there)
{
    int rc = s_demo("--scale 0");
    cr_assert_eq(rc, 2, "exit %d: %s", rc, out);
    rc = s_demo("--help");
    cr_assert_eq(rc, 0, "exit %d: %s", rc, out);
    cr_assert(strstr(out, "--seed") && strstr(out, "--scale"), "%s", out);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "%s --endpoint tcp://127.0.0.1:1 >/dev/null 2>&1", LEDGER_DEMO_BIN);
    int status = system(cmd);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 3, "status %d", status);
}
