/* validate - every bad input is answered with its code and the field at
 * fault, and writes nothing: no event, no record. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include "codec.h"
#include "fixture.h"

static fixture_t f;

static void setup(void)
{
    fixture_open(&f, 1);
    fixture_add_staff(&f, "S-1", "张三", "SH");
    fixture_add_customer(&f, "C-1", "李四", "SH");
}
static void teardown(void) { fixture_close(&f); }

TestSuite(validate, .init = setup, .fini = teardown);

typedef struct {
    const char *name;
    uint8_t     type;
    const char *patch_from;   /* replace these bytes in the packed body... */
    const char *patch_to;     /* ...with these (same length) */
    size_t      truncate;     /* drop this many bytes from the end */
    int         code;
    const char *field;
} bad_case_t;

/* s_order - a valid order to spoil; lines[2] is the one cases poke at */
static Ledger__OrderLine s_lines[3];
static Ledger__OrderLine *s_line_ptrs[3];
static Ledger__PartyRef s_handler;
static Ledger__Order s_order;

static Ledger__OrderAdd s_order_add(void)
{
    for (int i = 0; i < 3; i++) {
        ledger__order_line__init(&s_lines[i]);
        s_lines[i].product = "PRODX";
        s_lines[i].qty = 1;
        s_lines[i].unit_price = 100;
        s_line_ptrs[i] = &s_lines[i];
    }
    ledger__party_ref__init(&s_handler);
    ledger__order__init(&s_order);
    s_order.customer_code = "C-1";
    s_order.branch = "SH";
    s_order.placed_ms = 1767225600000;
    s_order.lines = s_line_ptrs;
    s_order.n_lines = 3;
    Ledger__OrderAdd req = LEDGER__ORDER_ADD__INIT;
    req.meta = fixture_meta("order-1");
    req.order = &s_order;
    return req;
}

static void s_expect(uint8_t type, const ProtobufCMessage *req, const bad_case_t *c)
{
    uint64_t seq = fixture_last_seq(&f);
    uint8_t *body;
    size_t len = codec_pack(req, &body);
    if (c->patch_from) {
        size_t n = strlen(c->patch_from);
        uint8_t *at = memmem(body, len, c->patch_from, n);
        cr_assert(at, "%s: pattern in body", c->name);
        memcpy(at, c->patch_to, n);
    }
    uint8_t hdr[FRAME_HEADER_SIZE];
    frame_encode(hdr, &(frame_header_t){ .version = FRAME_VERSION, .type = type, .request_id = 9 });
    err_t err;
    int reply = fixture_raw(&f, hdr, sizeof hdr, 2, body, len - c->truncate, &err);
    free(body);
    cr_assert_eq(reply, FRAME_ERROR, "%s: got reply type 0x%02x, want an error", c->name, reply);
    cr_assert_eq(err.code, c->code, "%s: got %s, want %s (%s)", c->name, err_code_name(err.code),
                 err_code_name(c->code), err.msg);
    cr_assert_str_eq(err.field, c->field, "%s: got field \"%s\", want \"%s\"", c->name, err.field,
                     c->field);
    cr_assert_neq(err.msg[0], 0, "%s: a sentence for a person", c->name);
    cr_assert_eq(fixture_last_seq(&f), seq, "%s: nothing written", c->name);
}

Test(validate, names_the_field_of_each_bad_order)
{
    static const bad_case_t cases[] = {
        { "qty zero", 0, 0, 0, 0, ERR(OUT_OF_RANGE), "order.lines[2].qty" },
        { "negative price", 0, 0, 0, 0, ERR(OUT_OF_RANGE), "order.lines[2].unit_price" },
        { "negative cost", 0, 0, 0, 0, ERR(OUT_OF_RANGE), "order.lines[2].cost" },
        { "unknown customer", 0, 0, 0, 0, ERR(NOT_FOUND), "order.customer_code" },
        { "unknown handler", 0, 0, 0, 0, ERR(NOT_FOUND), "order.handler.code" },
        { "handler not staff", 0, 0, 0, 0, ERR(INVALID), "order.handler.kind" },
        { "no lines", 0, 0, 0, 0, ERR(MISSING), "order.lines" },
        { "no placed time", 0, 0, 0, 0, ERR(MISSING), "order.placed_ms" },
        { "no branch", 0, 0, 0, 0, ERR(MISSING), "order.branch" },
        { "bad UTF-8", 0, "PRODX", "PR\xff" "DX", 0, ERR(BAD_TEXT), "order.lines[0].product" },
        { "embedded NUL", 0, "C-1", "C\0" "1", 0, ERR(BAD_TEXT), "order.customer_code" },
        { "truncated", 0, 0, 0, 3, ERR(MALFORMED), "order" },
        { "qty too big", 0, 0, 0, 0, ERR(OUT_OF_RANGE), "order.lines[2].qty" },
        { "code with space", 0, 0, 0, 0, ERR(INVALID), "order.code" },
        { "channel without type", 0, 0, 0, 0, ERR(MISSING), "order.claims.channel_type" },
        { "assist without type", 0, 0, 0, 0, ERR(MISSING), "order.claims.assist_type" },
    };
    static Ledger__RoleClaims claims;
    static Ledger__PartyRef staff;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        Ledger__OrderAdd req = s_order_add();
        const char *n = cases[i].name;
        if (!strcmp(n, "qty zero")) s_lines[2].qty = 0;
        if (!strcmp(n, "qty too big")) s_lines[2].qty = 1000001;
        if (!strcmp(n, "negative price")) s_lines[2].unit_price = -1;
        if (!strcmp(n, "negative cost")) s_lines[2].cost = -5;
        if (!strcmp(n, "unknown customer")) s_order.customer_code = "C-404";
        if (!strcmp(n, "unknown handler") || !strcmp(n, "handler not staff")) {
            s_handler.kind = strcmp(n, "unknown handler") ? LEDGER__PARTY_KIND__PARTY_CUSTOMER
                                                          : LEDGER__PARTY_KIND__PARTY_STAFF;
            s_handler.code = strcmp(n, "unknown handler") ? "C-1" : "S-404";
            s_order.handler = &s_handler;
        }
        if (!strcmp(n, "no lines")) s_order.n_lines = 0;
        if (!strcmp(n, "no placed time")) s_order.placed_ms = 0;
        if (!strcmp(n, "no branch")) s_order.branch = "";
        if (!strcmp(n, "code with space")) s_order.code = "O 1";
        if (!strncmp(n, "channel", 7) || !strncmp(n, "assist", 6)) {
            ledger__role_claims__init(&claims);
            ledger__party_ref__init(&staff);
            staff.kind = LEDGER__PARTY_KIND__PARTY_STAFF;
            staff.code = "S-1";
            if (n[0] == 'c')
                claims.channel = &staff;
            else
                claims.assist = &staff;
            s_order.claims = &claims;
        }
        s_expect(FRAME_ORDER_ADD, &req.base, &cases[i]);
    }
}

Test(validate, names_the_field_of_each_bad_staff)
{
    static char long_name[202];
    memset(long_name, 'x', 201);
    static const bad_case_t cases[] = {
        { "no name", 0, 0, 0, 0, ERR(MISSING), "staff.name" },
        { "long name", 0, 0, 0, 0, ERR(OUT_OF_RANGE), "staff.name" },
        { "unknown enum", 0, 0, 0, 0, ERR(BAD_ENUM), "staff.roles[1]" },
        { "unspecified role", 0, 0, 0, 0, ERR(MISSING), "staff.roles[1]" },
        { "duplicate code", 0, 0, 0, 0, ERR(DUPLICATE), "staff.code" },
        { "no actor", 0, 0, 0, 0, ERR(MISSING), "meta.actor" },
        { "no idempotency key", 0, 0, 0, 0, ERR(MISSING), "meta.idempotency_key" },
        { "NUL in name", 0, "Wang", "Wa\0g", 0, ERR(BAD_TEXT), "staff.name" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *n = cases[i].name;
        Ledger__StaffRole roles[2] = { LEDGER__STAFF_ROLE__PRESALE, LEDGER__STAFF_ROLE__EDITOR };
        Ledger__Staff st = LEDGER__STAFF__INIT;
        st.name = "Wang";
        st.branch = "SH";
        st.roles = roles;
        st.n_roles = 2;
        Ledger__Meta meta = LEDGER__META__INIT;
        meta.actor = "tester";
        meta.idempotency_key = "staff-x";
        Ledger__StaffAdd req = LEDGER__STAFF_ADD__INIT;
        req.meta = &meta;
        req.staff = &st;
        if (!strcmp(n, "no name")) st.name = "";
        if (!strcmp(n, "long name")) st.name = long_name;
        if (!strcmp(n, "unknown enum")) roles[1] = 99;
        if (!strcmp(n, "unspecified role")) roles[1] = 0;
        if (!strcmp(n, "duplicate code")) st.code = "S-1";
        if (!strcmp(n, "no actor")) meta.actor = "";
        if (!strcmp(n, "no idempotency key")) meta.idempotency_key = "";
        s_expect(FRAME_STAFF_ADD, &req.base, &cases[i]);
    }
}

Test(validate, refuses_bad_frames_with_the_request_id)
{
    uint8_t hdr[FRAME_HEADER_SIZE];
    err_t err;
    uint64_t seq = fixture_last_seq(&f);

    frame_encode(hdr, &(frame_header_t){ .version = 2, .type = FRAME_HELLO, .request_id = 5 });
    cr_assert_eq(fixture_raw(&f, hdr, sizeof hdr, 2, (const uint8_t *)"", 0, &err), FRAME_ERROR);
    cr_assert_eq(err.code, ERR(BAD_VERSION), "got %s", err_code_name(err.code));
    cr_assert_str_eq(err.field, "header.version");

    frame_encode(hdr, &(frame_header_t){ .version = 1, .type = 0x33, .request_id = 5 });
    fixture_raw(&f, hdr, sizeof hdr, 2, (const uint8_t *)"", 0, &err);
    cr_assert_eq(err.code, ERR(UNKNOWN_TYPE), "got %s", err_code_name(err.code));

    frame_encode(hdr, &(frame_header_t){ .version = 1, .type = FRAME_HELLO, .request_id = 5 });
    fixture_raw(&f, hdr, 15, 2, (const uint8_t *)"", 0, &err);
    cr_assert_eq(err.code, ERR(BAD_FRAME), "short header: got %s", err_code_name(err.code));

    fixture_raw(&f, hdr, sizeof hdr, 3, (const uint8_t *)"", 0, &err);
    cr_assert_eq(err.code, ERR(BAD_FRAME), "three frames: got %s", err_code_name(err.code));

    hdr[0] = 'X';
    fixture_raw(&f, hdr, sizeof hdr, 2, (const uint8_t *)"", 0, &err);
    cr_assert_eq(err.code, ERR(BAD_FRAME), "bad magic: got %s", err_code_name(err.code));
    cr_assert_eq(fixture_last_seq(&f), seq);
}

Test(validate, accepts_a_good_order_and_computes_its_amount)
{
    Ledger__OrderAdd req = s_order_add();
    s_lines[0].qty = 3;
    s_lines[0].unit_price = 1999;
    s_lines[0].cost = 1000;
    ProtobufCMessage *out;
    err_t err;
    cr_assert_eq(fixture_call(&f, FRAME_ORDER_ADD, &req.base, &ledger__write_reply__descriptor,
                              &out, &err), 0, "%s %s", err.field, err.msg);
    Ledger__WriteReply *w = (Ledger__WriteReply *)out;
    cr_assert_str_eq(w->code, "O-00001");
    protobuf_c_message_free_unpacked(out, NULL);

    Ledger__Get get = LEDGER__GET__INIT;
    get.meta = fixture_meta(NULL);
    get.kind = LEDGER__ENTITY_KIND__ENTITY_ORDER;
    get.code = "O-00001";
    cr_assert_eq(fixture_call(&f, FRAME_GET, &get.base, &ledger__get_reply__descriptor, &out, &err), 0);
    Ledger__Order *o = ((Ledger__GetReply *)out)->order;
    cr_assert_eq(o->amount, 3 * 1999 + 100 + 100, "got %lld", (long long)o->amount);
    cr_assert_eq(o->cost, 1000);
    cr_assert_eq(o->status, LEDGER__ORDER_STATUS__OPEN);
    cr_assert_eq(o->customer_id, 1);
    protobuf_c_message_free_unpacked(out, NULL);
}
