/* cursor - compare-and-set cursors, state records and results written in
 * one call; a stale instance is refused; the same result twice is nothing. */
#include <criterion/criterion.h>
#include <string.h>
#include "fixture.h"

static fixture_t f;

static void setup(void)
{
    fixture_open(&f, 1);
    fixture_add_customer(&f, "C-1", "客户", "SH");
    fixture_add_order(&f, "O-1", "C-1", 1000, 1, 100);
}
static void teardown(void) { fixture_close(&f); }

TestSuite(cursor, .init = setup, .fini = teardown);

static int s_write_back(const char *idem, uint64_t expected, uint64_t next, const char *payload,
                        Ledger__WriteBackReply **out, err_t *err)
{
    Ledger__Result res = LEDGER__RESULT__INIT;
    Ledger__Result *results[] = { &res };
    res.kind = "attribution.resolved";
    res.key = "O-1@1";
    res.entity_id = 1;
    res.partition_key = 1;
    res.payload.data = (uint8_t *)payload;
    res.payload.len = strlen(payload);
    Ledger__StateRecord st = LEDGER__STATE_RECORD__INIT;
    Ledger__StateRecord *states[] = { &st };
    st.key = "customer:1";
    st.value.data = (uint8_t *)payload;
    st.value.len = strlen(payload);
    Ledger__WriteBack req = LEDGER__WRITE_BACK__INIT;
    req.meta = fixture_meta(idem);
    req.cursor = "attribution:0/1";
    req.expected_cursor = expected;
    req.new_cursor = next;
    req.results = results;
    req.n_results = 1;
    req.state_owner = "attribution:0/1";
    req.states = states;
    req.n_states = 1;
    return fixture_call(&f, FRAME_WRITE_BACK, &req.base, &ledger__write_back_reply__descriptor,
                        (ProtobufCMessage **)out, err);
}

static uint64_t s_cursor(void)
{
    Ledger__CursorGet req = LEDGER__CURSOR_GET__INIT;
    req.meta = fixture_meta(NULL);
    req.name = "attribution:0/1";
    ProtobufCMessage *out;
    err_t err;
    cr_assert_eq(fixture_call(&f, FRAME_CURSOR_GET, &req.base, &ledger__cursor_reply__descriptor,
                              &out, &err), 0);
    uint64_t seq = ((Ledger__CursorReply *)out)->seq;
    protobuf_c_message_free_unpacked(out, NULL);
    return seq;
}

Test(cursor, write_back_moves_cursor_state_and_results_together)
{
    cr_assert_eq(s_cursor(), 0, "a new cursor starts at 0");
    Ledger__WriteBackReply *w;
    err_t err;
    cr_assert_eq(s_write_back("wb-1", 0, 2, "channel=S-1", &w, &err), 0, "%s %s", err.field, err.msg);
    cr_assert_eq(w->cursor, 2);
    cr_assert_eq(w->results_changed, 1);
    ledger__write_back_reply__free_unpacked(w, NULL);
    cr_assert_eq(s_cursor(), 2);
    cr_assert_eq(fixture_last_seq(&f), 3, "the result is an event");

    Ledger__StateGet sg = LEDGER__STATE_GET__INIT;
    char *keys[] = { "customer:1", "customer:2" };
    sg.meta = fixture_meta(NULL);
    sg.owner = "attribution:0/1";
    sg.keys = keys;
    sg.n_keys = 2;
    ProtobufCMessage *out;
    cr_assert_eq(fixture_call(&f, FRAME_STATE_GET, &sg.base, &ledger__state_reply__descriptor,
                              &out, &err), 0);
    Ledger__StateReply *s = (void *)out;
    cr_assert_eq(s->n_records, 2);
    cr_assert(s->records[0]->found);
    cr_assert_eq(s->records[0]->value.len, strlen("channel=S-1"));
    cr_assert_not(s->records[1]->found);
    protobuf_c_message_free_unpacked(out, NULL);
}

Test(cursor, a_stale_instance_is_refused_and_writes_nothing)
{
    Ledger__WriteBackReply *w;
    err_t err;
    cr_assert_eq(s_write_back("a-1", 0, 2, "x", &w, &err), 0);
    ledger__write_back_reply__free_unpacked(w, NULL);
    uint64_t seq = fixture_last_seq(&f);
    /* A second instance that also read cursor 0 tries to write. */
    cr_assert_eq(s_write_back("b-1", 0, 2, "y", &w, &err), -1);
    cr_assert_eq(err.code, ERR(CONFLICT), "got %s", err_code_name(err.code));
    cr_assert_str_eq(err.field, "expected_cursor");
    cr_assert_eq(fixture_last_seq(&f), seq);
    cr_assert_eq(s_cursor(), 2);
}

Test(cursor, the_same_result_twice_changes_nothing)
{
    Ledger__WriteBackReply *w;
    err_t err;
    cr_assert_eq(s_write_back("r-1", 0, 1, "same", &w, &err), 0);
    ledger__write_back_reply__free_unpacked(w, NULL);
    uint64_t seq = fixture_last_seq(&f);
    cr_assert_eq(s_write_back("r-2", 1, 2, "same", &w, &err), 0);
    cr_assert_eq(w->results_changed, 0);
    cr_assert_eq(w->results_unchanged, 1);
    ledger__write_back_reply__free_unpacked(w, NULL);
    cr_assert_eq(fixture_last_seq(&f), seq, "an unchanged result emitted an event");
    cr_assert_eq(s_cursor(), 2, "the cursor still moves");
}

Test(cursor, a_cursor_cannot_pass_the_end_of_the_log_or_go_back)
{
    Ledger__WriteBackReply *w;
    err_t err;
    cr_assert_eq(s_write_back("e-1", 0, 99, "x", &w, &err), -1);
    cr_assert_eq(err.code, ERR(OUT_OF_RANGE));
    cr_assert_str_eq(err.field, "new_cursor");
    cr_assert_eq(s_write_back("e-2", 0, 2, "x", &w, &err), 0);
    ledger__write_back_reply__free_unpacked(w, NULL);
    cr_assert_eq(s_write_back("e-3", 2, 1, "x", &w, &err), -1);
    cr_assert_str_eq(err.field, "new_cursor");
}

Test(cursor, a_worker_cannot_write_the_ledgers_own_kinds)
{
    Ledger__Result res = LEDGER__RESULT__INIT;
    Ledger__Result *results[] = { &res };
    res.kind = "order.created";
    res.key = "forged";
    Ledger__WriteBack req = LEDGER__WRITE_BACK__INIT;
    req.meta = fixture_meta("forge");
    req.cursor = "attribution:0/1";
    req.results = results;
    req.n_results = 1;
    err_t err;
    static const char *const forged[] = { "order.created", "payment.created", "entry.amended",
                                          "policy.set", "clock.x" };
    for (size_t i = 0; i < sizeof forged / sizeof *forged; i++) {
        res.kind = (char *)forged[i];
        cr_assert_eq(fixture_call(&f, FRAME_WRITE_BACK, &req.base, NULL, NULL, &err), -1,
                     "%s accepted", forged[i]);
        cr_assert_eq(err.code, ERR(INVALID));
        cr_assert_str_eq(err.field, "results[0].kind");
    }
}

/* s_results - write one result per key of kind (cursor unmoved) */
static void s_results(const char *kind, const char *const *keys, size_t n)
{
    static int calls;
    Ledger__Result res[16];
    Ledger__Result *rp[16];
    for (size_t i = 0; i < n; i++) {
        ledger__result__init(&res[i]);
        res[i].kind = (char *)kind;
        res[i].key = (char *)keys[i];
        res[i].payload.data = (uint8_t *)keys[i];
        res[i].payload.len = strlen(keys[i]);
        rp[i] = &res[i];
    }
    char idem[32];
    snprintf(idem, sizeof idem, "results-%d", ++calls);
    Ledger__WriteBack req = LEDGER__WRITE_BACK__INIT;
    req.meta = fixture_meta(idem);
    req.cursor = "test:0/1";
    req.results = rp;
    req.n_results = n;
    err_t err;
    cr_assert_eq(fixture_call(&f, FRAME_WRITE_BACK, &req.base, NULL, NULL, &err), 0, "%s",
                 err.msg);
}

/* s_list - result.list; the keys of the page joined by spaces, *token set */
static int s_list(const char *kind, const char *prefix, uint32_t limit, ProtobufCBinaryData *token,
                  char *keys, size_t n, err_t *err)
{
    Ledger__ResultList req = LEDGER__RESULT_LIST__INIT;
    req.meta = fixture_meta(NULL);
    req.kind = (char *)kind;
    req.key_prefix = (char *)prefix;
    req.limit = limit;
    req.page_token = *token;
    Ledger__ResultListReply *rep = NULL;
    if (fixture_call(&f, FRAME_RESULT_LIST, &req.base, &ledger__result_list_reply__descriptor,
                     (ProtobufCMessage **)&rep, err) < 0)
        return -1;
    size_t len = 0;
    keys[0] = 0;
    for (size_t i = 0; i < rep->n_results; i++)
        len += snprintf(keys + len, n - len, "%s%s", i ? " " : "", rep->results[i]->key);
    static uint8_t saved[256];
    token->len = rep->next_page_token.len;
    if (token->len)   /* an empty token may come as NULL */
        memcpy(saved, rep->next_page_token.data, token->len);
    token->data = saved;
    ledger__result_list_reply__free_unpacked(rep, NULL);
    return 0;
}

Test(cursor, results_list_by_kind_and_prefix_a_page_at_a_time)
{
    static const char *const fines[] = { "F-2/S-1", "F-1/S-2", "F-1/S-1", "G-1/S-1" };
    static const char *const other[] = { "F-1/S-3" };
    s_results("compliance.fine", fines, 4);
    s_results("compliance.finding", other, 1);
    char keys[512];
    err_t err;
    ProtobufCBinaryData token = { 0, NULL };
    cr_assert_eq(s_list("compliance.fine", "", 0, &token, keys, sizeof keys, &err), 0);
    cr_assert_str_eq(keys, "F-1/S-1 F-1/S-2 F-2/S-1 G-1/S-1", "in key order, one kind only");
    cr_assert_eq(token.len, 0, "one page");

    cr_assert_eq(s_list("compliance.fine", "F-", 2, &token, keys, sizeof keys, &err), 0);
    cr_assert_str_eq(keys, "F-1/S-1 F-1/S-2");
    cr_assert_gt(token.len, 0, "more follow");
    cr_assert_eq(s_list("compliance.fine", "F-", 2, &token, keys, sizeof keys, &err), 0);
    cr_assert_str_eq(keys, "F-2/S-1", "the prefix ends the list");
    cr_assert_eq(token.len, 0);

    token.data = (uint8_t *)"attribution.resolved";
    token.len = 20;
    cr_assert_eq(s_list("compliance.fine", "", 0, &token, keys, sizeof keys, &err), -1);
    cr_assert_eq(err.code, ERR(INVALID));
    cr_assert_str_eq(err.field, "page_token");
    token.len = 0;
    cr_assert_eq(s_list("compliance.fine", "", 1001, &token, keys, sizeof keys, &err), -1);
    cr_assert_str_eq(err.field, "limit");
}
