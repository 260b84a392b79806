/* dispatch - group commit: requests in one batch are applied in order,
 * each alone; one failure rolls back only itself; retries are idempotent. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include "fixture.h"

static fixture_t f;

static void setup(void) { fixture_open(&f, 1); }
static void teardown(void) { fixture_close(&f); }

TestSuite(dispatch, .init = setup, .fini = teardown);

static Ledger__StaffAdd s_staff_req(Ledger__Staff *st, const char *code, const char *idem)
{
    ledger__staff__init(st);
    st->code = (char *)code;
    st->name = "员工";
    st->branch = "SH";
    Ledger__StaffAdd req = LEDGER__STAFF_ADD__INIT;
    req.meta = fixture_meta(idem);
    req.staff = st;
    return req;
}

Test(dispatch, one_bad_request_in_a_batch_leaves_the_others_applied)
{
    Ledger__Staff st[4];
    Ledger__StaffAdd reqs[4] = {
        s_staff_req(&st[0], "S-A", "k1"),
        s_staff_req(&st[1], "S-A", "k2"),   /* duplicate of the first: refused */
        s_staff_req(&st[2], "S-B", "k3"),
        s_staff_req(&st[3], "", "k4"),      /* code made by the server */
    };
    request_t r[4];
    for (int i = 0; i < 4; i++)
        fixture_prepare(&r[i], FRAME_STAFF_ADD, &reqs[i].base, 100 + i);
    dispatch_batch(f.d, r, 4);

    err_t err;
    cr_assert_eq(r[0].reply_type, FRAME_STAFF_ADD | FRAME_REPLY);
    fixture_reply_error(&r[1], &err);
    cr_assert_eq(err.code, ERR(DUPLICATE), "later requests see earlier ones: got %s",
                 err_code_name(err.code));
    cr_assert_str_eq(err.field, "staff.code");
    cr_assert_eq(r[2].reply_type, FRAME_STAFF_ADD | FRAME_REPLY);
    cr_assert_eq(r[3].reply_type, FRAME_STAFF_ADD | FRAME_REPLY);
    Ledger__WriteReply *w = ledger__write_reply__unpack(NULL, r[3].reply_len, r[3].reply);
    cr_assert_str_eq(w->code, "S-00003", "ids stay gap-free after a failure: got %s", w->code);
    cr_assert_eq(w->seq, 3, "events stay gap-free after a failure: got %llu",
                 (unsigned long long)w->seq);
    ledger__write_reply__free_unpacked(w, NULL);
    for (int i = 0; i < 4; i++) {
        free((void *)r[i].body);
        r[i].body = NULL;
        cr_assert_eq(r[i].request_id, 100 + (uint64_t)i, "reply %d echoes its request id", i);
        dispatch_request_reset(&r[i]);
    }
    cr_assert_eq(fixture_last_seq(&f), 3);
}

Test(dispatch, a_retry_with_the_same_key_returns_the_first_reply_and_writes_nothing)
{
    Ledger__Staff st;
    Ledger__StaffAdd req = s_staff_req(&st, "", "retry-1");
    ProtobufCMessage *a, *b;
    err_t err;
    cr_assert_eq(fixture_call(&f, FRAME_STAFF_ADD, &req.base, &ledger__write_reply__descriptor,
                              &a, &err), 0);
    uint64_t seq = fixture_last_seq(&f);
    cr_assert_eq(fixture_call(&f, FRAME_STAFF_ADD, &req.base, &ledger__write_reply__descriptor,
                              &b, &err), 0);
    Ledger__WriteReply *wa = (void *)a, *wb = (void *)b;
    cr_assert_eq(wa->id, wb->id);
    cr_assert_str_eq(wa->code, wb->code);
    cr_assert_eq(wa->seq, wb->seq);
    cr_assert_eq(fixture_last_seq(&f), seq, "the retry wrote an event");
    protobuf_c_message_free_unpacked(a, NULL);
    protobuf_c_message_free_unpacked(b, NULL);
}

Test(dispatch, a_key_reused_with_another_payload_is_refused)
{
    Ledger__Staff st;
    Ledger__StaffAdd req = s_staff_req(&st, "", "reused");
    err_t err;
    cr_assert_eq(fixture_call(&f, FRAME_STAFF_ADD, &req.base, NULL, NULL, &err), 0);
    uint64_t seq = fixture_last_seq(&f);
    st.name = "另一个人";
    cr_assert_eq(fixture_call(&f, FRAME_STAFF_ADD, &req.base, NULL, NULL, &err), -1);
    cr_assert_eq(err.code, ERR(IDEMPOTENCY_MISMATCH), "got %s", err_code_name(err.code));
    cr_assert_str_eq(err.field, "meta.idempotency_key");
    cr_assert_eq(fixture_last_seq(&f), seq);
}

Test(dispatch, keys_are_scoped_to_the_caller)
{
    Ledger__Staff st;
    Ledger__StaffAdd req = s_staff_req(&st, "", "shared-key");
    err_t err;
    cr_assert_eq(fixture_call(&f, FRAME_STAFF_ADD, &req.base, NULL, NULL, &err), 0);
    Ledger__Meta other = LEDGER__META__INIT;
    other.actor = "someone-else";
    other.idempotency_key = "shared-key";
    req.meta = &other;
    st.name = "另一个人";
    cr_assert_eq(fixture_call(&f, FRAME_STAFF_ADD, &req.base, NULL, NULL, &err), 0,
                 "another caller's key: %s", err.msg);
    cr_assert_eq(fixture_last_seq(&f), 2);
}

Test(dispatch, a_failed_request_stores_no_key_so_a_corrected_retry_works)
{
    Ledger__Staff st;
    Ledger__StaffAdd req = s_staff_req(&st, "", "fix-me");
    st.name = "";
    err_t err;
    cr_assert_eq(fixture_call(&f, FRAME_STAFF_ADD, &req.base, NULL, NULL, &err), -1);
    st.name = "改好了";
    cr_assert_eq(fixture_call(&f, FRAME_STAFF_ADD, &req.base, NULL, NULL, &err), 0, "%s", err.msg);
}

Test(dispatch, an_order_batch_is_all_or_nothing)
{
    fixture_add_customer(&f, "C-1", "客户", "SH");
    uint64_t seq = fixture_last_seq(&f);
    Ledger__OrderLine line = LEDGER__ORDER_LINE__INIT, bad = LEDGER__ORDER_LINE__INIT;
    line.product = "P";
    line.qty = 1;
    line.unit_price = 500;
    bad = line;
    bad.qty = 0;
    Ledger__OrderLine *good_lines[] = { &line }, *bad_lines[] = { &line, &bad };
    Ledger__Order o[3];
    Ledger__Order *ptrs[3];
    for (int i = 0; i < 3; i++) {
        ledger__order__init(&o[i]);
        o[i].customer_code = "C-1";
        o[i].branch = "SH";
        o[i].placed_ms = 1000 + i;
        o[i].lines = i == 2 ? bad_lines : good_lines;
        o[i].n_lines = i == 2 ? 2 : 1;
        ptrs[i] = &o[i];
    }
    Ledger__OrderBatch req = LEDGER__ORDER_BATCH__INIT;
    req.meta = fixture_meta("batch-1");
    req.orders = ptrs;
    req.n_orders = 3;
    err_t err;
    cr_assert_eq(fixture_call(&f, FRAME_ORDER_BATCH, &req.base, NULL, NULL, &err), -1);
    cr_assert_eq(err.code, ERR(OUT_OF_RANGE));
    cr_assert_str_eq(err.field, "orders[2].lines[1].qty");
    cr_assert_eq(fixture_last_seq(&f), seq, "no order of a failed batch is written");

    req.n_orders = 2;
    req.meta = fixture_meta("batch-2");
    ProtobufCMessage *out;
    cr_assert_eq(fixture_call(&f, FRAME_ORDER_BATCH, &req.base, &ledger__batch_reply__descriptor,
                              &out, &err), 0, "%s", err.msg);
    Ledger__BatchReply *b = (void *)out;
    cr_assert_eq(b->n_items, 2);
    cr_assert_str_eq(b->items[0]->code, "O-00001", "ids of a failed batch are not used up");
    cr_assert_eq(b->items[1]->seq, seq + 2);
    protobuf_c_message_free_unpacked(out, NULL);
}

Test(dispatch, hello_serves_the_zone_and_the_log_end)
{
    fixture_add_staff(&f, "S-1", "张三", "SH");
    Ledger__Hello req = LEDGER__HELLO__INIT;
    req.meta = fixture_meta(NULL);
    ProtobufCMessage *out;
    err_t err;
    cr_assert_eq(fixture_call(&f, FRAME_HELLO, &req.base, &ledger__hello_reply__descriptor, &out,
                              &err), 0);
    Ledger__HelloReply *h = (void *)out;
    cr_assert_str_eq(h->time_zone, "Asia/Shanghai");
    cr_assert_eq(h->last_seq, 1);
    cr_assert_eq(h->protocol_version, 1);
    cr_assert(h->test_clock);
    protobuf_c_message_free_unpacked(out, NULL);
}
