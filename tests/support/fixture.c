/* fixture - in-process ledger for unit tests (see fixture.h). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "codec.h"
#include "date.h"
#include "fixture.h"
#include "log.h"

void fixture_open(fixture_t *f, int test_clock)
{
    memset(f, 0, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/ledger-unit-XXXXXX");
    cr_assert(mkdtemp(f->dir), "mkdtemp");
    f->opt = (options_t){ .map_size = 1 << 20, .map_max = 1 << 30, .clock_interval_s = 60,
                          .test_clock = test_clock, .idem_days = 30, .batch_max = 100,
                          .batch_us = 2000, .quiet = 1 };
    strcpy(f->opt.time_zone, "Asia/Shanghai");
    strcpy(f->opt.data_dir, f->dir);
    log_quiet(1);
    err_t err;
    cr_assert_eq(date_zone_set("Asia/Shanghai", &err), 0, "zone: %s", err.msg);
    f->store = store_open(f->dir, f->opt.map_size, f->opt.map_max);
    f->d = dispatch_new(f->store, &f->opt, NULL, NULL);
}

void fixture_close(fixture_t *f)
{
    char cmd[300];
    dispatch_destroy(&f->d);
    store_destroy(&f->store);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", f->dir);
}

Ledger__Meta *fixture_meta(const char *idem)
{
    static Ledger__Meta metas[64];
    static int next;
    Ledger__Meta *m = &metas[next++ % 64];
    ledger__meta__init(m);
    m->actor = "tester";
    m->idempotency_key = idem ? (char *)idem : "";
    return m;
}

void fixture_prepare(request_t *r, uint8_t type, const ProtobufCMessage *req, uint64_t id)
{
    memset(r, 0, sizeof *r);
    frame_encode(r->header, &(frame_header_t){ .version = FRAME_VERSION, .type = type,
                                               .request_id = id });
    r->header_len = FRAME_HEADER_SIZE;
    r->frames = 2;
    uint8_t *body;
    r->body_len = codec_pack(req, &body);
    r->body = body;
}

void fixture_reply_error(const request_t *r, err_t *err)
{
    memset(err, 0, sizeof *err);
    if (r->reply_type != FRAME_ERROR)
        return;
    Ledger__Error *e = ledger__error__unpack(NULL, r->reply_len, r->reply);
    cr_assert(e, "error reply unpacks");
    err->code = e->code;
    snprintf(err->field, sizeof err->field, "%s", e->field);
    snprintf(err->msg, sizeof err->msg, "%s", e->message);
    ledger__error__free_unpacked(e, NULL);
}

static void s_free_body(request_t *r)
{
    free((void *)r->body);
    r->body = NULL;
}

int fixture_call(fixture_t *f, uint8_t type, const ProtobufCMessage *req,
                 const ProtobufCMessageDescriptor *reply_desc, ProtobufCMessage **out,
                 err_t *err)
{
    request_t r;
    fixture_prepare(&r, type, req, 42);
    dispatch_batch(f->d, &r, 1);
    s_free_body(&r);
    cr_assert_eq(r.request_id, 42, "request id echoed");
    int rc = 0;
    fixture_reply_error(&r, err);
    if (r.reply_type == FRAME_ERROR) {
        rc = -1;
    } else {
        cr_assert_eq(r.reply_type, type | FRAME_REPLY, "reply type 0x%02x for 0x%02x",
                     r.reply_type, type);
        if (out) {
            *out = protobuf_c_message_unpack(reply_desc, NULL, r.reply_len, r.reply);
            cr_assert(*out, "reply unpacks as %s", reply_desc->name);
        }
    }
    dispatch_request_reset(&r);
    return rc;
}

int fixture_raw(fixture_t *f, const uint8_t *header, size_t header_len, int frames,
                const uint8_t *body, size_t body_len, err_t *err)
{
    request_t r;
    memset(&r, 0, sizeof r);
    memcpy(r.header, header, header_len < sizeof r.header ? header_len : sizeof r.header);
    r.header_len = header_len;
    r.frames = frames;
    r.body = body;
    r.body_len = body_len;
    dispatch_batch(f->d, &r, 1);
    fixture_reply_error(&r, err);
    int type = r.reply_type;
    dispatch_request_reset(&r);
    return type;
}

static uint64_t s_write_id(fixture_t *f, uint8_t type, const ProtobufCMessage *req)
{
    ProtobufCMessage *out;
    err_t err;
    int rc = fixture_call(f, type, req, &ledger__write_reply__descriptor, &out, &err);
    cr_assert_eq(rc, 0, "%s failed: %s %s: %s", frame_type_name(type), err_code_name(err.code),
                 err.field, err.msg);
    uint64_t id = ((Ledger__WriteReply *)out)->id;
    protobuf_c_message_free_unpacked(out, NULL);
    return id;
}

static char *s_idem(void)
{
    static char keys[64][32];
    static int n;
    char *k = keys[n % 64];
    snprintf(k, 32, "fixture-%d", n++);
    return k;
}

uint64_t fixture_add_staff(fixture_t *f, const char *code, const char *name, const char *branch)
{
    Ledger__Staff st = LEDGER__STAFF__INIT;
    st.code = (char *)code;
    st.name = (char *)name;
    st.branch = (char *)branch;
    st.active = 1;
    Ledger__StaffAdd req = LEDGER__STAFF_ADD__INIT;
    req.meta = fixture_meta(s_idem());
    req.staff = &st;
    return s_write_id(f, FRAME_STAFF_ADD, &req.base);
}

uint64_t fixture_add_customer(fixture_t *f, const char *code, const char *name, const char *branch)
{
    Ledger__Customer c = LEDGER__CUSTOMER__INIT;
    Ledger__Contact contact = LEDGER__CONTACT__INIT;
    contact.phone = "13800000000";
    c.code = (char *)code;
    c.name = (char *)name;
    c.branch = (char *)branch;
    c.contact = &contact;
    Ledger__CustomerAdd req = LEDGER__CUSTOMER_ADD__INIT;
    req.meta = fixture_meta(s_idem());
    req.customer = &c;
    return s_write_id(f, FRAME_CUSTOMER_ADD, &req.base);
}

uint64_t fixture_add_order(fixture_t *f, const char *code, const char *customer, int64_t placed_ms,
                           int64_t qty, int64_t unit_price)
{
    Ledger__OrderLine line = LEDGER__ORDER_LINE__INIT;
    Ledger__OrderLine *lines[] = { &line };
    line.product = "P-1";
    line.qty = qty;
    line.unit_price = unit_price;
    Ledger__Order o = LEDGER__ORDER__INIT;
    o.code = (char *)code;
    o.customer_code = (char *)customer;
    o.branch = "SH";
    o.placed_ms = placed_ms;
    o.lines = lines;
    o.n_lines = 1;
    Ledger__OrderAdd req = LEDGER__ORDER_ADD__INIT;
    req.meta = fixture_meta(s_idem());
    req.order = &o;
    return s_write_id(f, FRAME_ORDER_ADD, &req.base);
}

Ledger__Event *fixture_event(fixture_t *f, uint64_t seq)
{
    Ledger__Replay req = LEDGER__REPLAY__INIT;
    req.meta = fixture_meta(NULL);
    req.after_seq = seq - 1;
    req.max_events = 1;
    ProtobufCMessage *out;
    err_t err;
    cr_assert_eq(fixture_call(f, FRAME_REPLAY, &req.base, &ledger__replay_reply__descriptor, &out,
                              &err), 0, "replay: %s", err.msg);
    Ledger__ReplayReply *r = (void *)out;
    cr_assert_eq(r->n_events, 1, "no event at seq %llu", (unsigned long long)seq);
    /* Repack: the reply owns the event, the caller gets one of its own. */
    uint8_t *buf;
    size_t n = codec_pack(&r->events[0]->base, &buf);
    protobuf_c_message_free_unpacked(out, NULL);
    Ledger__Event *ev = ledger__event__unpack(NULL, n, buf);
    free(buf);
    return ev;
}

uint64_t fixture_last_seq(fixture_t *f)
{
    return f->store->counters.last_seq;
}
