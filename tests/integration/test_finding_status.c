/* finding_status - the request finding.status against a real ledgerd: an
 * acknowledgement or resolution of a compliance finding is checked against
 * the finding as ledger-compliance last wrote it (here written by a raw
 * write-back, as the worker would), appended as a "finding.status" event
 * that a follower of the family "finding" receives, and answered with the
 * change as stored; each refusal names its field and writes nothing. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include "client.h"
#include "compliance.pb-c.h"
#include "frame.h"
#include "server.h"

#define FINDING "posts.daily/sh01_kefu1@2025-11-03"
#define T0 1762146000000LL   /* 2025-11-03 13:00 in Shanghai */

static server_t srv;
static client_t *cl;

static void setup(void)
{
    server_start(&srv, "--test-clock");
    cl = client_new(srv.listen, "tester", 5000);
    cr_assert(cl, "client_new %s", srv.listen);
}

static void teardown(void)
{
    client_destroy(&cl);
    /* A clean stop: under the sanitizers a leak on any path makes it fail. */
    int rc = server_stop(&srv);
    server_remove(&srv);
    cr_assert_eq(rc, 0, "ledgerd exits 0 on SIGTERM, got %d", rc);
}

TestSuite(finding_status, .init = setup, .fini = teardown, .timeout = 120);

/* s_call - one request with idempotency key idem ("" on reads); 0 with
 * *out (may be NULL), or -1 with err */
static int s_call(uint8_t type, ProtobufCMessage *req, Ledger__Meta **meta_p, const char *idem,
                  const ProtobufCMessageDescriptor *desc, ProtobufCMessage **out, err_t *err)
{
    Ledger__Meta meta = LEDGER__META__INIT;
    meta.actor = "tester";
    meta.idempotency_key = (char *)idem;
    *meta_p = &meta;
    ProtobufCMessage *got = NULL;
    memset(err, 0, sizeof *err);
    int rc = client_call(cl, type, req, desc, &got, err);
    *meta_p = NULL;
    if (rc == 0 && out)
        *out = got;
    else if (got)
        protobuf_c_message_free_unpacked(got, NULL);
    return rc;
}

/* s_last_seq - the log's end, from a Hello */
static uint64_t s_last_seq(void)
{
    Ledger__Hello req = LEDGER__HELLO__INIT;
    Ledger__HelloReply *r = NULL;
    err_t err;
    cr_assert_eq(s_call(FRAME_HELLO, &req.base, &req.meta, "", &ledger__hello_reply__descriptor,
                        (ProtobufCMessage **)&r, &err), 0, "hello: %s", err.msg);
    uint64_t seq = r->last_seq;
    ledger__hello_reply__free_unpacked(r, NULL);
    return seq;
}

/* s_seed - ledger time T0 and staff S-1 and S-2 */
static void s_seed(void)
{
    err_t err;
    Ledger__ClockSet cs = LEDGER__CLOCK_SET__INIT;
    cs.time_ms = T0;
    cr_assert_eq(s_call(FRAME_CLOCK_SET, &cs.base, &cs.meta, "clock",
                        &ledger__clock_reply__descriptor, NULL, &err), 0,
                 "clock.set: %s", err.msg);
    const char *codes[] = { "S-1", "S-2" };
    for (int i = 0; i < 2; i++) {
        Ledger__Staff st = LEDGER__STAFF__INIT;
        st.code = (char *)codes[i];
        st.name = (char *)(i ? "李四" : "张三");
        st.branch = "SH01";
        Ledger__StaffAdd req = LEDGER__STAFF_ADD__INIT;
        req.staff = &st;
        cr_assert_eq(s_call(FRAME_STAFF_ADD, &req.base, &req.meta, codes[i],
                            &ledger__write_reply__descriptor, NULL, &err), 0,
                     "staff.add %s: %s", codes[i], err.msg);
    }
}

/* s_finding - write back the finding id with this status, as
 * ledger-compliance would */
static void s_finding(const char *id, Ledger__FindingStatus status, const char *by,
                      const char *reason)
{
    static int n;
    Ledger__PartyRef agent = LEDGER__PARTY_REF__INIT;
    agent.kind = LEDGER__PARTY_KIND__PARTY_STAFF;
    agent.code = "S-1";
    Ledger__Finding f = LEDGER__FINDING__INIT;
    f.id = (char *)id;
    f.rule = "posts.daily";
    f.severity = LEDGER__FINDING_SEVERITY__FINDING_LOW;
    f.subject_kind = LEDGER__SUBJECT_KIND__SUBJECT_WECHAT;
    f.subject = "sh01_kefu1";
    f.period = "2025-11-03";
    f.branch = "SH01";
    f.month = "2025-11";
    f.at_ms = T0;
    f.reason = "no post on 2025-11-03";
    f.status = status;
    f.status_by = (char *)by;
    f.status_reason = (char *)reason;
    f.status_ms = by[0] ? T0 : 0;
    f.found_ms = T0;
    f.agent = &agent;
    uint8_t buf[1024];
    Ledger__Result res = LEDGER__RESULT__INIT;
    res.kind = "compliance.finding";
    res.key = (char *)id;
    res.payload.data = buf;
    res.payload.len = ledger__finding__pack(&f, buf);
    Ledger__Result *rp[] = { &res };
    Ledger__WriteBack wb = LEDGER__WRITE_BACK__INIT;
    wb.cursor = "compliance:0/1";
    wb.results = rp;
    wb.n_results = 1;
    char idem[32];
    snprintf(idem, sizeof idem, "finding-%d", ++n);
    err_t err;
    cr_assert_eq(s_call(FRAME_WRITE_BACK, &wb.base, &wb.meta, idem,
                        &ledger__write_back_reply__descriptor, NULL, &err), 0,
                 "write-back %s: %s %s: %s", id, err_code_name(err.code), err.field, err.msg);
}

/* s_set - finding.status with key idem; 0 with *out (may be NULL), or -1
 * with err */
static int s_set(const char *idem, const char *finding, Ledger__FindingStatus status,
                 const char *by, const char *reason, int waive,
                 Ledger__FindingStatusChange **out, err_t *err)
{
    Ledger__PartyRef who = LEDGER__PARTY_REF__INIT;
    who.kind = LEDGER__PARTY_KIND__PARTY_STAFF;
    who.code = (char *)by;
    Ledger__FindingStatusChange c = LEDGER__FINDING_STATUS_CHANGE__INIT;
    c.finding = (char *)finding;
    c.status = status;
    c.by = by ? &who : NULL;
    c.reason = (char *)reason;
    c.waive = waive;
    Ledger__FindingStatusSet req = LEDGER__FINDING_STATUS_SET__INIT;
    req.change = &c;
    return s_call(FRAME_FINDING_STATUS, &req.base, &req.meta, idem,
                  &ledger__finding_status_change__descriptor, (ProtobufCMessage **)out, err);
}

/* s_refused - the call was refused with code on field, and wrote nothing */
static void s_refused(int rc, const err_t *err, int code, const char *field, uint64_t before,
                      const char *what)
{
    cr_assert_eq(rc, -1, "%s: accepted", what);
    cr_assert_eq(err->code, code, "%s: got %s %s (%s), want %s %s", what,
                 err_code_name(err->code), err->field, err->msg, err_code_name(code), field);
    cr_assert_str_eq(err->field, field, "%s: field %s, want %s", what, err->field, field);
    cr_assert_eq(s_last_seq(), before, "%s: a refused change writes nothing", what);
}

/* s_event - the logged event at seq, as a follower of kinds gets it
 * (NULL when the filter passes it over); caller frees */
static Ledger__Event *s_event(uint64_t seq, const char *kind)
{
    char *kinds[] = { (char *)kind };
    Ledger__Replay req = LEDGER__REPLAY__INIT;
    req.after_seq = seq - 1;
    req.kinds = kinds;
    req.n_kinds = kind ? 1 : 0;
    req.max_events = 1;
    Ledger__ReplayReply *r = NULL;
    err_t err;
    cr_assert_eq(s_call(FRAME_REPLAY, &req.base, &req.meta, "", &ledger__replay_reply__descriptor,
                        (ProtobufCMessage **)&r, &err), 0, "replay: %s", err.msg);
    Ledger__Event *ev = NULL;
    if (r->n_events && r->events[0]->seq == seq) {
        ev = r->events[0];
        r->events[0] = NULL;   /* kept: the rest of the reply goes */
        r->n_events = 0;
    }
    ledger__replay_reply__free_unpacked(r, NULL);
    return ev;
}

Test(finding_status, an_acknowledgement_is_a_finding_status_event_and_the_reply_is_the_change)
{
    s_seed();
    s_finding(FINDING, LEDGER__FINDING_STATUS__FINDING_OPEN, "", "");
    uint64_t before = s_last_seq();
    Ledger__FindingStatusChange *c = NULL;
    err_t err;
    cr_assert_eq(s_set("ack-1", FINDING, LEDGER__FINDING_STATUS__FINDING_ACKNOWLEDGED, "S-1",
                       "checking the account", 0, &c, &err), 0,
                 "ack: %s %s: %s", err_code_name(err.code), err.field, err.msg);
    cr_assert_eq(s_last_seq(), before + 1, "one event");
    cr_assert_str_eq(c->finding, FINDING);
    cr_assert_eq(c->status, LEDGER__FINDING_STATUS__FINDING_ACKNOWLEDGED);
    cr_assert_str_eq(c->reason, "checking the account");
    cr_assert_eq(c->time_ms, T0, "ledger time, got %lld", (long long)c->time_ms);
    cr_assert_eq(c->seq, before + 1, "the change names its event");
    cr_assert(c->by && c->by->id > 0, "ledgerd fills the staff id");
    cr_assert_str_eq(c->by->code, "S-1");

    Ledger__Event *ev = s_event(c->seq, "finding");
    cr_assert(ev, "a follower of the family \"finding\" receives finding.status");
    cr_assert_str_eq(ev->kind, "finding.status");
    cr_assert_str_eq(ev->entity_code, FINDING);
    cr_assert_eq(ev->partition_key, 0);
    cr_assert_str_eq(ev->actor, "tester");
    cr_assert_eq(ev->time_ms, T0);
    cr_assert_eq(ev->body_case, LEDGER__EVENT__BODY_FINDING);
    cr_assert_str_eq(ev->finding->finding, FINDING);
    cr_assert_eq(ev->finding->status, LEDGER__FINDING_STATUS__FINDING_ACKNOWLEDGED);
    cr_assert_eq(ev->finding->seq, c->seq);
    cr_assert_eq(ev->finding->by->id, c->by->id);
    cr_assert_not(ev->finding->waive);
    ledger__event__free_unpacked(ev, NULL);
    cr_assert_null(s_event(c->seq, "compliance"), "not a compliance.* event");
    ledger__finding_status_change__free_unpacked(c, NULL);
}

Test(finding_status, the_same_idempotency_key_replays_the_first_reply)
{
    s_seed();
    s_finding(FINDING, LEDGER__FINDING_STATUS__FINDING_OPEN, "", "");
    Ledger__FindingStatusChange *first = NULL, *again = NULL;
    err_t err;
    cr_assert_eq(s_set("res-1", FINDING, LEDGER__FINDING_STATUS__FINDING_RESOLVED, "S-2",
                       "posted late, agreed with the supervisor", 1, &first, &err), 0,
                 "resolve: %s", err.msg);
    cr_assert(first->waive);
    uint64_t after = s_last_seq();
    cr_assert_eq(s_set("res-1", FINDING, LEDGER__FINDING_STATUS__FINDING_RESOLVED, "S-2",
                       "posted late, agreed with the supervisor", 1, &again, &err), 0,
                 "retry: %s", err.msg);
    cr_assert_eq(again->seq, first->seq, "the first reply again");
    cr_assert_eq(again->time_ms, first->time_ms);
    cr_assert_eq(s_last_seq(), after, "a retry writes nothing");
    int rc = s_set("res-1", FINDING, LEDGER__FINDING_STATUS__FINDING_RESOLVED, "S-2",
                   "another reason", 1, NULL, &err);
    s_refused(rc, &err, ERR(IDEMPOTENCY_MISMATCH), "meta.idempotency_key", after,
              "the same key with another change");
    ledger__finding_status_change__free_unpacked(first, NULL);
    ledger__finding_status_change__free_unpacked(again, NULL);
}

Test(finding_status, each_field_is_checked_and_named)
{
    s_seed();
    s_finding(FINDING, LEDGER__FINDING_STATUS__FINDING_OPEN, "", "");
    uint64_t before = s_last_seq();
    err_t err;
    int rc;
    char long_id[202], long_reason[1002];
    memset(long_id, 'x', 201);
    long_id[201] = 0;
    memset(long_reason, 'r', 1001);
    long_reason[1001] = 0;
    static const Ledger__FindingStatus ack = LEDGER__FINDING_STATUS__FINDING_ACKNOWLEDGED;
    static const Ledger__FindingStatus res = LEDGER__FINDING_STATUS__FINDING_RESOLVED;

    rc = s_set("f-1", "", ack, "S-1", "", 0, NULL, &err);
    s_refused(rc, &err, ERR(MISSING), "change.finding", before, "no finding");
    rc = s_set("f-2", long_id, ack, "S-1", "", 0, NULL, &err);
    s_refused(rc, &err, ERR(OUT_OF_RANGE), "change.finding", before, "a 201-byte id");
    rc = s_set("f-3", FINDING, LEDGER__FINDING_STATUS__FINDING_STATUS_UNSPECIFIED, "S-1", "", 0,
               NULL, &err);
    s_refused(rc, &err, ERR(MISSING), "change.status", before, "no status");
    rc = s_set("f-4", FINDING, LEDGER__FINDING_STATUS__FINDING_OPEN, "S-1", "", 0, NULL, &err);
    s_refused(rc, &err, ERR(INVALID), "change.status", before, "status open");
    rc = s_set("f-5", FINDING, LEDGER__FINDING_STATUS__FINDING_WITHDRAWN, "S-1", "x", 0, NULL,
               &err);
    s_refused(rc, &err, ERR(INVALID), "change.status", before, "status withdrawn");
    rc = s_set("f-6", FINDING, res, "S-1", "", 0, NULL, &err);
    s_refused(rc, &err, ERR(MISSING), "change.reason", before, "a resolution without a reason");
    rc = s_set("f-7", FINDING, res, "S-1", long_reason, 0, NULL, &err);
    s_refused(rc, &err, ERR(OUT_OF_RANGE), "change.reason", before, "a 1001-byte reason");
    rc = s_set("f-8", FINDING, ack, "S-1", "", 1, NULL, &err);
    s_refused(rc, &err, ERR(INVALID), "change.waive", before, "waive with an acknowledgement");
    rc = s_set("f-9", FINDING, ack, NULL, "", 0, NULL, &err);
    s_refused(rc, &err, ERR(MISSING), "change.by", before, "nobody");
    rc = s_set("f-10", FINDING, ack, "S 1", "", 0, NULL, &err);
    s_refused(rc, &err, ERR(INVALID), "change.by.code", before, "a code with a blank");
    rc = s_set("f-11", FINDING, ack, "S-9", "", 0, NULL, &err);
    s_refused(rc, &err, ERR(NOT_FOUND), "change.by.code", before, "unknown staff");
    cr_assert(strstr(err.msg, "S-9"), "the message names the code: %s", err.msg);
    rc = s_set("f-12", "posts.daily/nobody@2025-11-03", ack, "S-1", "", 0, NULL, &err);
    s_refused(rc, &err, ERR(NOT_FOUND), "change.finding", before, "unknown finding");
    cr_assert_str_eq(err.msg, "no finding posts.daily/nobody@2025-11-03");

    /* A partner is not staff. */
    Ledger__PartyRef partner = LEDGER__PARTY_REF__INIT;
    partner.kind = LEDGER__PARTY_KIND__PARTY_PARTNER;
    partner.code = "S-1";
    Ledger__FindingStatusChange c = LEDGER__FINDING_STATUS_CHANGE__INIT;
    c.finding = FINDING;
    c.status = ack;
    c.by = &partner;
    Ledger__FindingStatusSet req = LEDGER__FINDING_STATUS_SET__INIT;
    req.change = &c;
    rc = s_call(FRAME_FINDING_STATUS, &req.base, &req.meta, "f-13",
                &ledger__finding_status_change__descriptor, NULL, &err);
    s_refused(rc, &err, ERR(INVALID), "change.by.kind", before, "a partner");
    /* No change at all. */
    req.change = NULL;
    rc = s_call(FRAME_FINDING_STATUS, &req.base, &req.meta, "f-14",
                &ledger__finding_status_change__descriptor, NULL, &err);
    s_refused(rc, &err, ERR(MISSING), "change", before, "no change");
    /* Idempotency keys are required, as on every write. */
    rc = s_set("", FINDING, ack, "S-1", "", 0, NULL, &err);
    s_refused(rc, &err, ERR(MISSING), "meta.idempotency_key", before, "no key");
}

Test(finding_status, a_finding_resolved_or_withdrawn_takes_no_further_change)
{
    s_seed();
    s_finding("posts.daily/a@2025-11-03", LEDGER__FINDING_STATUS__FINDING_RESOLVED, "S-2",
              "posted in the group instead");
    s_finding("posts.daily/b@2025-11-03", LEDGER__FINDING_STATUS__FINDING_WITHDRAWN,
              "ledger-compliance", "a post entered since keeps the rule");
    s_finding("posts.daily/c@2025-11-03", LEDGER__FINDING_STATUS__FINDING_ACKNOWLEDGED, "S-1",
              "");
    uint64_t before = s_last_seq();
    err_t err;
    int rc = s_set("c-1", "posts.daily/a@2025-11-03", LEDGER__FINDING_STATUS__FINDING_RESOLVED,
                   "S-1", "again", 0, NULL, &err);
    s_refused(rc, &err, ERR(CONFLICT), "change.status", before, "resolving a resolved finding");
    cr_assert_str_eq(err.msg, "already resolved by S-2 on 2025-11-03 13:00:00: posted in the "
                     "group instead");
    rc = s_set("c-2", "posts.daily/a@2025-11-03", LEDGER__FINDING_STATUS__FINDING_ACKNOWLEDGED,
               "S-1", "", 0, NULL, &err);
    s_refused(rc, &err, ERR(CONFLICT), "change.status", before, "acknowledging a resolved one");
    rc = s_set("c-3", "posts.daily/b@2025-11-03", LEDGER__FINDING_STATUS__FINDING_RESOLVED,
               "S-1", "done", 0, NULL, &err);
    s_refused(rc, &err, ERR(CONFLICT), "change.status", before, "resolving a withdrawn one");
    cr_assert(!strncmp(err.msg, "withdrawn", 9) && strstr(err.msg, "keeps the rule"),
              "%s", err.msg);
    rc = s_set("c-4", "posts.daily/c@2025-11-03", LEDGER__FINDING_STATUS__FINDING_ACKNOWLEDGED,
               "S-2", "", 0, NULL, &err);
    s_refused(rc, &err, ERR(CONFLICT), "change.status", before, "acknowledging it twice");
    cr_assert(strstr(err.msg, "already acknowledged by S-1"), "%s", err.msg);
    /* An acknowledged finding is resolved as usual. */
    cr_assert_eq(s_set("c-5", "posts.daily/c@2025-11-03", LEDGER__FINDING_STATUS__FINDING_RESOLVED,
                       "S-2", "fixed the schedule", 0, NULL, &err), 0, "%s", err.msg);
    cr_assert_eq(s_last_seq(), before + 1);
}

Test(finding_status, a_long_stored_reason_is_quoted_cut_at_a_character)
{
    s_seed();
    char reason[601] = "";
    for (int i = 0; i < 200; i++)
        strcat(reason, "说");   /* 3 bytes each */
    s_finding(FINDING, LEDGER__FINDING_STATUS__FINDING_RESOLVED, "S-2", reason);
    err_t err;
    int rc = s_set("q-1", FINDING, LEDGER__FINDING_STATUS__FINDING_RESOLVED, "S-1", "again", 0,
                   NULL, &err);
    cr_assert_eq(rc, -1);
    cr_assert_eq(err.code, ERR(CONFLICT), "the error decoded (valid UTF-8): %s %s",
                 err_code_name(err.code), err.msg);
    cr_assert(strstr(err.msg, "说..."), "%s", err.msg);
}

Test(finding_status, a_worker_cannot_write_results_of_the_finding_family)
{
    s_seed();
    Ledger__Result res = LEDGER__RESULT__INIT;
    res.kind = "finding.status";
    res.key = FINDING;
    Ledger__Result *rp[] = { &res };
    Ledger__WriteBack wb = LEDGER__WRITE_BACK__INIT;
    wb.cursor = "compliance:0/1";
    wb.results = rp;
    wb.n_results = 1;
    err_t err;
    uint64_t before = s_last_seq();
    int rc = s_call(FRAME_WRITE_BACK, &wb.base, &wb.meta, "wb-own",
                    &ledger__write_back_reply__descriptor, NULL, &err);
    s_refused(rc, &err, ERR(INVALID), "results[0].kind", before, "a result kind finding.*");
}
