/* clock - ledger time never goes backwards; --test-clock moves it by
 * request so that "24 h later" is one call away. */
#include <criterion/criterion.h>
#include "fixture.h"

static fixture_t f;

static int s_set(int64_t ms, const char *idem, err_t *err)
{
    Ledger__ClockSet req = LEDGER__CLOCK_SET__INIT;
    req.meta = fixture_meta(idem);
    req.time_ms = ms;
    return fixture_call(&f, FRAME_CLOCK_SET, &req.base, NULL, NULL, err);
}

Test(clock, test_clock_moves_forward_and_refuses_to_go_back)
{
    fixture_open(&f, 1);
    err_t err;
    int64_t day = 24LL * 3600 * 1000;
    cr_assert_eq(s_set(1767225600000, "t1", &err), 0, "%s", err.msg);
    cr_assert_eq(s_set(1767225600000 + day, "t2", &err), 0, "%s", err.msg);
    cr_assert_eq(f.store->counters.ledger_ms, 1767225600000 + day);
    uint64_t seq = fixture_last_seq(&f);
    cr_assert_eq(s_set(1767225600000 + day - 1, "t3", &err), -1);
    cr_assert_eq(err.code, ERR(INVALID));
    cr_assert_str_eq(err.field, "time_ms");
    cr_assert_eq(fixture_last_seq(&f), seq);

    /* Every event carries the ledger time it was appended at. */
    fixture_add_staff(&f, "S-1", "员工", "SH");
    Ledger__Replay req = LEDGER__REPLAY__INIT;
    req.meta = fixture_meta(NULL);
    req.after_seq = seq;
    ProtobufCMessage *out;
    cr_assert_eq(fixture_call(&f, FRAME_REPLAY, &req.base, &ledger__replay_reply__descriptor, &out,
                              &err), 0);
    Ledger__ReplayReply *r = (void *)out;
    cr_assert_eq(r->events[0]->time_ms, 1767225600000 + day);
    protobuf_c_message_free_unpacked(out, NULL);
    fixture_close(&f);
}

Test(clock, clock_set_is_forbidden_without_test_clock)
{
    fixture_open(&f, 0);
    err_t err;
    cr_assert_eq(s_set(1, "t1", &err), -1);
    cr_assert_eq(err.code, ERR(FORBIDDEN), "got %s", err_code_name(err.code));
    fixture_close(&f);
}

Test(clock, a_tick_appends_a_clock_event_never_earlier_than_the_last)
{
    fixture_open(&f, 0);
    dispatch_tick(f.d);
    dispatch_tick(f.d);
    cr_assert_eq(fixture_last_seq(&f), 2);
    Ledger__Replay req = LEDGER__REPLAY__INIT;
    req.meta = fixture_meta(NULL);
    ProtobufCMessage *out;
    err_t err;
    cr_assert_eq(fixture_call(&f, FRAME_REPLAY, &req.base, &ledger__replay_reply__descriptor, &out,
                              &err), 0);
    Ledger__ReplayReply *r = (void *)out;
    cr_assert_str_eq(r->events[0]->kind, "clock");
    cr_assert_geq(r->events[1]->time_ms, r->events[0]->time_ms);
    cr_assert_eq(r->events[1]->clock->previous_ms, r->events[0]->time_ms);
    cr_assert_str_eq(r->events[0]->actor, "ledgerd");
    protobuf_c_message_free_unpacked(out, NULL);
    fixture_close(&f);
}

Test(clock, idempotency_keys_expire_after_the_retention_in_ledger_time)
{
    fixture_open(&f, 1);
    err_t err;
    cr_assert_eq(s_set(1000, "t0", &err), 0);
    fixture_add_staff(&f, "S-1", "员工", "SH");
    Ledger__Staff st = LEDGER__STAFF__INIT;
    st.name = "员工";
    st.branch = "SH";
    Ledger__StaffAdd add = LEDGER__STAFF_ADD__INIT;
    add.meta = fixture_meta("kept");
    add.staff = &st;
    cr_assert_eq(fixture_call(&f, FRAME_STAFF_ADD, &add.base, NULL, NULL, &err), 0);
    int64_t day = 24LL * 3600 * 1000;
    cr_assert_eq(s_set(1000 + 30 * day, "t1", &err), 0);   /* exactly 30 days: still kept */
    dispatch_tick(f.d);
    uint64_t seq = fixture_last_seq(&f);
    cr_assert_eq(fixture_call(&f, FRAME_STAFF_ADD, &add.base, NULL, NULL, &err), 0);
    cr_assert_eq(fixture_last_seq(&f), seq, "a key 30 days old was forgotten");
    cr_assert_eq(s_set(1000 + 30 * day + 1, "t2", &err), 0);
    dispatch_tick(f.d);
    seq = fixture_last_seq(&f);
    cr_assert_eq(fixture_call(&f, FRAME_STAFF_ADD, &add.base, NULL, NULL, &err), 0);
    cr_assert_eq(fixture_last_seq(&f), seq + 1, "an expired key still deduplicated");
    fixture_close(&f);
}
