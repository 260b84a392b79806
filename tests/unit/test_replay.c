/* replay - pages of the log filtered by kind and partition, with the seq
 * scanned to, so a follower can pass over events that were not for it. */
#include <criterion/criterion.h>
#include <string.h>
#include "fixture.h"
#include "partition.h"

static fixture_t f;

static void setup(void) { fixture_open(&f, 1); }
static void teardown(void) { fixture_close(&f); }

TestSuite(replay, .init = setup, .fini = teardown);

static Ledger__ReplayReply *s_replay(Ledger__Replay *req, err_t *err)
{
    ProtobufCMessage *out = NULL;
    req->meta = fixture_meta(NULL);
    if (fixture_call(&f, FRAME_REPLAY, &req->base, &ledger__replay_reply__descriptor, &out, err) < 0)
        return NULL;
    return (Ledger__ReplayReply *)out;
}

Test(replay, pages_through_the_whole_log_in_order)
{
    char code[16];
    for (int i = 1; i <= 30; i++) {
        snprintf(code, sizeof code, "S-%d", i);
        fixture_add_staff(&f, code, "员工", "SH");
    }
    Ledger__Replay req = LEDGER__REPLAY__INIT;
    req.max_events = 7;
    uint64_t next = 1;
    err_t err;
    for (;;) {
        Ledger__ReplayReply *r = s_replay(&req, &err);
        cr_assert(r, "%s", err.msg);
        cr_assert_eq(r->last_seq, 30);
        for (size_t i = 0; i < r->n_events; i++, next++)
            cr_assert_eq(r->events[i]->seq, next, "got seq %llu, want %llu",
                         (unsigned long long)r->events[i]->seq, (unsigned long long)next);
        req.after_seq = r->scanned_to;
        int done = r->scanned_to == r->last_seq;
        ledger__replay_reply__free_unpacked(r, NULL);
        if (done)
            break;
    }
    cr_assert_eq(next, 31);
}

Test(replay, filters_by_kind_family_without_matching_longer_names)
{
    fixture_add_staff(&f, "S-1", "员工", "SH");
    fixture_add_customer(&f, "C-1", "客户", "SH");
    fixture_add_order(&f, "O-1", "C-1", 1000, 1, 100);
    Ledger__Replay req = LEDGER__REPLAY__INIT;
    char *kinds[] = { "order" };
    req.kinds = kinds;
    req.n_kinds = 1;
    err_t err;
    Ledger__ReplayReply *r = s_replay(&req, &err);
    cr_assert_eq(r->n_events, 1);
    cr_assert_str_eq(r->events[0]->kind, "order.created");
    cr_assert_eq(r->scanned_to, 3, "scanned past the events it left out");
    ledger__replay_reply__free_unpacked(r, NULL);

    char *prefix[] = { "orde" };   /* not a family name: matches nothing */
    req.kinds = prefix;
    r = s_replay(&req, &err);
    cr_assert_eq(r->n_events, 0);
    cr_assert_eq(r->scanned_to, 3);
    ledger__replay_reply__free_unpacked(r, NULL);
}

Test(replay, each_customer_event_goes_to_exactly_one_partition)
{
    char code[16];
    fixture_add_staff(&f, "S-1", "员工", "SH");   /* partition key 0: every partition */
    for (int i = 1; i <= 20; i++) {
        snprintf(code, sizeof code, "C-%d", i);
        fixture_add_customer(&f, code, "客户", "SH");
    }
    int owners[21] = { 0 };
    for (uint32_t k = 0; k < 3; k++) {
        Ledger__Replay req = LEDGER__REPLAY__INIT;
        req.partition_index = k;
        req.partition_count = 3;
        err_t err;
        Ledger__ReplayReply *r = s_replay(&req, &err);
        cr_assert(r->n_events >= 1 && r->events[0]->seq == 1, "staff event in partition %u", k);
        for (size_t i = 1; i < r->n_events; i++) {
            uint64_t key = r->events[i]->partition_key;
            cr_assert(partition_matches(key, k, 3));
            owners[key]++;
        }
        ledger__replay_reply__free_unpacked(r, NULL);
    }
    for (int i = 1; i <= 20; i++)
        cr_assert_eq(owners[i], 1, "customer %d seen by %d partitions", i, owners[i]);
}

Test(replay, refuses_a_partition_that_does_not_exist)
{
    Ledger__Replay req = LEDGER__REPLAY__INIT;
    req.partition_index = 3;
    req.partition_count = 3;
    err_t err;
    cr_assert_null(s_replay(&req, &err));
    cr_assert_eq(err.code, ERR(OUT_OF_RANGE));
    cr_assert_str_eq(err.field, "partition_index");
}
