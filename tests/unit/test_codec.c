/* test_codec - strict unpacking: packed messages round trip; hand-made wire
 * bytes with bad text, NUL bytes, undefined enums (packed and not) and
 * truncation are refused with the exact field path; unknown fields pass. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "codec.h"
#include "request.pb-c.h"

#define N(a) (sizeof (a) / sizeof (a)[0])

/* A tiny protobuf writer, independent of protobuf-c, for bytes it won't make. */
typedef struct {
    uint8_t b[1024];
    size_t n;
} wire_t;

/* s_put_raw - append n bytes */
static void s_put_raw(wire_t *w, const void *p, size_t n)
{
    cr_assert_leq(w->n + n, sizeof w->b, "wire buffer overflow");
    memcpy(w->b + w->n, p, n);
    w->n += n;
}

/* s_put_varint - append a base-128 varint */
static void s_put_varint(wire_t *w, uint64_t v)
{
    do {
        uint8_t b = (v & 0x7F) | (v > 0x7F ? 0x80 : 0);
        s_put_raw(w, &b, 1);
        v >>= 7;
    } while (v);
}

/* s_put_tag - append a field key: number and wire type */
static void s_put_tag(wire_t *w, unsigned field, unsigned wire)
{
    s_put_varint(w, (uint64_t)field << 3 | wire);
}

/* s_put_uint - append a varint field */
static void s_put_uint(wire_t *w, unsigned field, uint64_t v)
{
    s_put_tag(w, field, 0);
    s_put_varint(w, v);
}

/* s_put_bytes - append a length-delimited field */
static void s_put_bytes(wire_t *w, unsigned field, const void *p, size_t n)
{
    s_put_tag(w, field, 2);
    s_put_varint(w, n);
    s_put_raw(w, p, n);
}

/* s_put_str - append a length-delimited field from a C string */
static void s_put_str(wire_t *w, unsigned field, const char *s)
{
    s_put_bytes(w, field, s, strlen(s));
}

/* s_put_msg - append a submessage field */
static void s_put_msg(wire_t *w, unsigned field, const wire_t *sub)
{
    s_put_bytes(w, field, sub->b, sub->n);
}

/* s_meta - a valid Meta into field 1 */
static void s_meta(wire_t *w)
{
    wire_t m = { .n = 0 };
    s_put_str(&m, 1, "tester");
    s_put_str(&m, 2, "idem-1");
    s_put_msg(w, 1, &m);
}

/* s_staff_add - StaffAdd{meta, staff{code, name, roles...}} from raw role bytes */
static void s_staff_add(wire_t *w, const void *name, size_t name_len, const wire_t *roles)
{
    wire_t st = { .n = 0 };
    s_put_str(&st, 2, "S-1");
    s_put_bytes(&st, 3, name, name_len);
    s_put_str(&st, 4, "SH01");
    if (roles)
        s_put_raw(&st, roles->b, roles->n);
    s_meta(w);
    s_put_msg(w, 2, &st);
}

/* s_refused - codec_unpack refuses buf with code and exactly field */
static void s_refused(const ProtobufCMessageDescriptor *desc, const wire_t *w, int code,
                      const char *field, const char *what)
{
    err_t err = { 0 };
    ProtobufCMessage *m = codec_unpack(desc, w->b, w->n, &err);
    if (m)
        protobuf_c_message_free_unpacked(m, NULL);
    cr_assert_null(m, "%s: unpacked, want %s \"%s\"", what, err_code_name(code), field);
    cr_assert_eq(err.code, code, "%s: got %s (%s: %s), want %s", what, err_code_name(err.code),
                 err.field, err.msg, err_code_name(code));
    cr_assert_str_eq(err.field, field, "%s: field \"%s\", want \"%s\"", what, err.field, field);
    cr_assert_neq(err.msg[0], '\0', "%s: empty message", what);
}

Test(codec, packs_and_unpacks_an_order_add)
{
    Ledger__Meta meta = LEDGER__META__INIT;
    meta.actor = "张三";
    meta.idempotency_key = "k-1";
    Ledger__OrderLine l0 = LEDGER__ORDER_LINE__INIT, l1 = LEDGER__ORDER_LINE__INIT;
    l0.product = "P-1";
    l0.qty = 2;
    l0.unit_price = 12345;
    l1.product = "中文";
    l1.qty = 1;
    l1.unit_price = -7;
    l1.cost = 100000000000000LL;
    Ledger__OrderLine *lines[] = { &l0, &l1 };
    Ledger__Order order = LEDGER__ORDER__INIT;
    order.customer_code = "C-1";
    order.branch = "SH01";
    order.n_lines = 2;
    order.lines = lines;
    order.status = LEDGER__ORDER_STATUS__PAID;
    Ledger__OrderAdd add = LEDGER__ORDER_ADD__INIT;
    add.meta = &meta;
    add.order = &order;

    uint8_t *buf = NULL;
    size_t n = codec_pack(&add.base, &buf);
    cr_assert_gt(n, 0, "codec_pack packed nothing");
    err_t err = { 0 };
    Ledger__OrderAdd *got =
        (Ledger__OrderAdd *)codec_unpack(&ledger__order_add__descriptor, buf, n, &err);
    free(buf);
    cr_assert_not_null(got, "codec_unpack: %s %s: %s", err_code_name(err.code), err.field,
                       err.msg);
    cr_assert_str_eq(got->meta->actor, "张三", "actor: got %s", got->meta->actor);
    cr_assert_str_eq(got->order->customer_code, "C-1", "customer_code: got %s",
                     got->order->customer_code);
    cr_assert_eq(got->order->n_lines, 2, "lines: got %zu, want 2", got->order->n_lines);
    cr_assert_str_eq(got->order->lines[1]->product, "中文", "product: got %s",
                     got->order->lines[1]->product);
    cr_assert_eq(got->order->lines[0]->unit_price, 12345, "unit_price: got %lld",
                 (long long)got->order->lines[0]->unit_price);
    cr_assert_eq(got->order->lines[1]->unit_price, -7, "sint64 unit_price: got %lld",
                 (long long)got->order->lines[1]->unit_price);
    cr_assert_eq(got->order->lines[1]->cost, 100000000000000LL, "cost: got %lld",
                 (long long)got->order->lines[1]->cost);
    cr_assert_eq(got->order->status, LEDGER__ORDER_STATUS__PAID, "status: got %d",
                 got->order->status);
    protobuf_c_message_free_unpacked(&got->base, NULL);
}

Test(codec, packs_and_unpacks_staff_roles)
{
    Ledger__Meta meta = LEDGER__META__INIT;
    meta.actor = "a";
    Ledger__StaffRole roles[] = { LEDGER__STAFF_ROLE__EDITOR, LEDGER__STAFF_ROLE__PRESALE };
    Ledger__Staff staff = LEDGER__STAFF__INIT;
    staff.name = "李四";
    staff.n_roles = 2;
    staff.roles = roles;
    Ledger__StaffAdd add = LEDGER__STAFF_ADD__INIT;
    add.meta = &meta;
    add.staff = &staff;
    uint8_t *buf = NULL;
    size_t n = codec_pack(&add.base, &buf);
    err_t err = { 0 };
    Ledger__StaffAdd *got =
        (Ledger__StaffAdd *)codec_unpack(&ledger__staff_add__descriptor, buf, n, &err);
    free(buf);
    cr_assert_not_null(got, "codec_unpack: %s %s: %s", err_code_name(err.code), err.field,
                       err.msg);
    cr_assert_eq(got->staff->n_roles, 2, "roles: got %zu, want 2", got->staff->n_roles);
    cr_assert_eq(got->staff->roles[0], LEDGER__STAFF_ROLE__EDITOR, "roles[0]: got %d",
                 got->staff->roles[0]);
    cr_assert_eq(got->staff->roles[1], LEDGER__STAFF_ROLE__PRESALE, "roles[1]: got %d",
                 got->staff->roles[1]);
    protobuf_c_message_free_unpacked(&got->base, NULL);
}

Test(codec, unpacks_an_empty_body_as_all_defaults)
{
    err_t err = { 0 };
    ProtobufCMessage *m = codec_unpack(&ledger__hello__descriptor, (const uint8_t *)"", 0, &err);
    cr_assert_not_null(m, "empty Hello refused: %s", err.msg);
    protobuf_c_message_free_unpacked(m, NULL);
}

Test(codec, names_invalid_utf8_in_the_third_lines_product)
{
    wire_t order = { .n = 0 }, w = { .n = 0 };
    static const char *products[] = { "P-0", "P-1", "P\xC0\x80" };  /* overlong NUL */
    for (size_t i = 0; i < N(products); i++) {
        wire_t line = { .n = 0 };
        s_put_str(&line, 1, products[i]);
        s_put_uint(&line, 2, 1);
        s_put_msg(&order, 6, &line);
    }
    s_meta(&w);
    s_put_msg(&w, 2, &order);
    s_refused(&ledger__order_add__descriptor, &w, ERR(BAD_TEXT), "order.lines[2].product",
              "overlong C0 80 in lines[2].product");
}

Test(codec, names_a_nul_byte_in_the_staff_name)
{
    wire_t w = { .n = 0 };
    s_staff_add(&w, "Li\0Si", 5, NULL);
    s_refused(&ledger__staff_add__descriptor, &w, ERR(BAD_TEXT), "staff.name",
              "NUL in staff.name");
}

Test(codec, names_invalid_text_in_meta)
{
    wire_t m = { .n = 0 }, w = { .n = 0 };
    s_put_str(&m, 1, "ok");
    s_put_bytes(&m, 2, "\xED\xA0\x80", 3);  /* a surrogate */
    s_put_msg(&w, 1, &m);
    s_refused(&ledger__staff_add__descriptor, &w, ERR(BAD_TEXT), "meta.idempotency_key",
              "surrogate in meta.idempotency_key");
}

Test(codec, names_an_undefined_role_sent_unpacked)
{
    wire_t roles = { .n = 0 }, w = { .n = 0 };
    s_put_uint(&roles, 6, LEDGER__STAFF_ROLE__PRESALE);
    s_put_uint(&roles, 6, LEDGER__STAFF_ROLE__EDITOR);
    s_put_uint(&roles, 6, 42);
    s_staff_add(&w, "Li", 2, &roles);
    s_refused(&ledger__staff_add__descriptor, &w, ERR(BAD_ENUM), "staff.roles[2]",
              "unpacked roles [1, 9, 42]");
}

Test(codec, names_an_undefined_role_sent_packed_by_its_element_index)
{
    wire_t packed = { .n = 0 }, roles = { .n = 0 }, w = { .n = 0 };
    s_put_varint(&packed, LEDGER__STAFF_ROLE__PRESALE);
    s_put_varint(&packed, LEDGER__STAFF_ROLE__EDITOR);
    s_put_varint(&packed, 42);
    s_put_msg(&roles, 6, &packed);
    s_staff_add(&w, "Li", 2, &roles);
    s_refused(&ledger__staff_add__descriptor, &w, ERR(BAD_ENUM), "staff.roles[2]",
              "packed roles [1, 9, 42]");
}

Test(codec, counts_role_indexes_across_packed_and_unpacked_runs)
{
    /* [1, 2] packed, then 3 unpacked, then [4, -1] packed: -1 is element 4 */
    wire_t p1 = { .n = 0 }, p2 = { .n = 0 }, roles = { .n = 0 }, w = { .n = 0 };
    s_put_varint(&p1, 1);
    s_put_varint(&p1, 2);
    s_put_msg(&roles, 6, &p1);
    s_put_uint(&roles, 6, 3);
    s_put_varint(&p2, 4);
    s_put_varint(&p2, UINT64_MAX);  /* -1 as an int32 enum: ten bytes */
    s_put_msg(&roles, 6, &p2);
    s_staff_add(&w, "Li", 2, &roles);
    s_refused(&ledger__staff_add__descriptor, &w, ERR(BAD_ENUM), "staff.roles[4]",
              "roles [1, 2] 3 [4, -1]");
}

Test(codec, accepts_defined_roles_packed_and_unpacked_together)
{
    wire_t packed = { .n = 0 }, roles = { .n = 0 }, w = { .n = 0 };
    s_put_varint(&packed, 1);
    s_put_varint(&packed, 2);
    s_put_msg(&roles, 6, &packed);
    s_put_uint(&roles, 6, 9);
    s_staff_add(&w, "Li", 2, &roles);
    err_t err = { 0 };
    Ledger__StaffAdd *got =
        (Ledger__StaffAdd *)codec_unpack(&ledger__staff_add__descriptor, w.b, w.n, &err);
    cr_assert_not_null(got, "refused: %s %s: %s", err_code_name(err.code), err.field, err.msg);
    cr_assert_eq(got->staff->n_roles, 3, "roles: got %zu, want 3", got->staff->n_roles);
    cr_assert_eq(got->staff->roles[2], 9, "roles[2]: got %d, want 9", got->staff->roles[2]);
    protobuf_c_message_free_unpacked(&got->base, NULL);
}

Test(codec, names_an_undefined_singular_enum)
{
    wire_t w = { .n = 0 };
    s_meta(&w);
    s_put_uint(&w, 2, 99);  /* Get.kind */
    s_refused(&ledger__get__descriptor, &w, ERR(BAD_ENUM), "kind", "Get.kind = 99");
}

Test(codec, refuses_truncated_messages_as_malformed)
{
    wire_t full = { .n = 0 };
    s_staff_add(&full, "Li", 2, NULL);
    /* every cut inside the staff submessage (its tag is at meta's end) */
    size_t staff_at = full.n - (2 + 5 + 4 + 6);  /* tag+len, code, name, branch */
    cr_assert_eq(full.b[staff_at], 0x12, "staff tag expected at %zu, got 0x%02x", staff_at,
                 full.b[staff_at]);
    for (size_t cut = staff_at + 1; cut < full.n; cut++) {
        wire_t w = full;
        w.n = cut;
        char what[64];
        snprintf(what, sizeof what, "cut at %zu of %zu", cut, full.n);
        s_refused(&ledger__staff_add__descriptor, &w, ERR(MALFORMED), "staff", what);
    }
}

Test(codec, refuses_a_truncated_varint_and_bad_wire_types)
{
    wire_t w = { .n = 0 };
    s_put_tag(&w, 2, 0);
    s_put_raw(&w, "\x80", 1);  /* varint continues past the end */
    s_refused(&ledger__get__descriptor, &w, ERR(MALFORMED), "kind", "truncated varint");

    wire_t g = { .n = 0 };
    s_put_tag(&g, 2, 3);      /* start group: not used */
    s_refused(&ledger__get__descriptor, &g, ERR(MALFORMED), "kind", "wire type 3");

    wire_t z = { .n = 0 };
    s_put_uint(&z, 0, 1);     /* field number 0 */
    s_refused(&ledger__get__descriptor, &z, ERR(MALFORMED), "", "field 0");

    wire_t mismatch = { .n = 0 };
    s_put_uint(&mismatch, 4, 5);  /* Get.code is a string, sent as a number */
    s_refused(&ledger__get__descriptor, &mismatch, ERR(MALFORMED), "",
              "string field sent as a varint");
}

Test(codec, accepts_unknown_fields)
{
    wire_t st = { .n = 0 }, w = { .n = 0 };
    s_put_str(&st, 3, "Li");
    s_put_uint(&st, 99, 12345);
    s_put_bytes(&st, 100, "\xFF\x00\xFE", 3);   /* not text: unknown, so not checked */
    s_put_tag(&st, 101, 1);
    s_put_raw(&st, "12345678", 8);
    s_put_tag(&st, 102, 5);
    s_put_raw(&st, "1234", 4);
    s_meta(&w);
    s_put_msg(&w, 2, &st);
    s_put_uint(&w, 536870911, 1);             /* the largest field number */
    err_t err = { 0 };
    Ledger__StaffAdd *got =
        (Ledger__StaffAdd *)codec_unpack(&ledger__staff_add__descriptor, w.b, w.n, &err);
    cr_assert_not_null(got, "refused: %s %s: %s", err_code_name(err.code), err.field, err.msg);
    cr_assert_str_eq(got->staff->name, "Li", "name: got %s", got->staff->name);
    cr_assert_str_eq(got->meta->actor, "tester", "actor: got %s", got->meta->actor);
    protobuf_c_message_free_unpacked(&got->base, NULL);
}

Test(codec, validates_utf8_strictly)
{
    static const struct { const char *bytes; size_t len; int want; const char *what; } cases[] = {
        { "", 0, 1, "empty" },
        { "abc", 3, 1, "ASCII" },
        { "中文", 6, 1, "中文" },
        { "\xC2\x80", 2, 1, "U+0080" },
        { "\xDF\xBF", 2, 1, "U+07FF" },
        { "\xE0\xA0\x80", 3, 1, "U+0800" },
        { "\xED\x9F\xBF", 3, 1, "U+D7FF" },
        { "\xEE\x80\x80", 3, 1, "U+E000" },
        { "\xEF\xBF\xBF", 3, 1, "U+FFFF" },
        { "\xF0\x90\x80\x80", 4, 1, "U+10000" },
        { "\xF4\x8F\xBF\xBF", 4, 1, "U+10FFFF" },
        { "\xF0\x9F\x98\x80", 4, 1, "emoji" },
        { "a\0b", 3, 0, "NUL" },
        { "\xC0\x80", 2, 0, "overlong C0 80" },
        { "\xC1\xBF", 2, 0, "overlong C1 BF" },
        { "\xE0\x80\xAF", 3, 0, "overlong 3-byte /" },
        { "\xF0\x80\x80\xAF", 4, 0, "overlong 4-byte /" },
        { "\xED\xA0\x80", 3, 0, "surrogate D800" },
        { "\xED\xBF\xBF", 3, 0, "surrogate DFFF" },
        { "\xF4\x90\x80\x80", 4, 0, "F4 90 80 80 above U+10FFFF" },
        { "\xF5\x80\x80\x80", 4, 0, "F5 lead" },
        { "\xF8\x88\x80\x80\x80", 5, 0, "5-byte form" },
        { "\xFF", 1, 0, "FF" },
        { "\x80", 1, 0, "lone continuation" },
        { "\xE4\xB8", 2, 0, "中 cut short" },
        { "\xE4\xB8\x41", 3, 0, "bad continuation" },
        { "ab\xC3", 3, 0, "lead at the end" },
    };
    for (size_t i = 0; i < N(cases); i++) {
        int got = utf8_valid((const uint8_t *)cases[i].bytes, cases[i].len);
        cr_assert_eq(got, cases[i].want, "utf8_valid(%s): got %d, want %d", cases[i].what, got,
                     cases[i].want);
    }
}
