/* test_frame - the 16-byte header byte for byte, the errors that let a
 * reply still echo the request id, type names, and multipart sends. */
#include <criterion/criterion.h>
#include <string.h>
#include <zmq.h>
#include "frame.h"

#define N(a) (sizeof (a) / sizeof (a)[0])

/* s_assert_bytes - got == want, naming the first differing offset */
static void s_assert_bytes(const uint8_t *got, const uint8_t *want, size_t n)
{
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(got[i], want[i], "byte %zu: got 0x%02x, want 0x%02x", i, got[i], want[i]);
}

Test(frame, encodes_big_endian_at_fixed_offsets)
{
    static const uint8_t want[FRAME_HEADER_SIZE] = {
        'L', 'G', FRAME_VERSION, FRAME_ORDER_ADD, 0xAB, 0xCD, 0x00, 0x00,
        0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
    };
    uint8_t got[FRAME_HEADER_SIZE];
    memset(got, 0xEE, sizeof got);
    frame_encode(got, &(frame_header_t){ .version = FRAME_VERSION, .type = FRAME_ORDER_ADD,
                                         .flags = 0xABCD, .request_id = 0x0102030405060708ULL });
    s_assert_bytes(got, want, sizeof want);
}

Test(frame, decodes_what_it_encodes)
{
    static const frame_header_t cases[] = {
        { FRAME_VERSION, FRAME_HELLO, 0, 0 },
        { FRAME_VERSION, FRAME_ORDER_ADD | FRAME_REPLY, 0, 0x0102030405060708ULL },
        { FRAME_VERSION, FRAME_ERROR, 0xFFFF, UINT64_MAX },
        { FRAME_VERSION, FRAME_EVENT, 1, 1 },
    };
    for (size_t i = 0; i < N(cases); i++) {
        uint8_t buf[FRAME_HEADER_SIZE];
        frame_header_t got;
        err_t err = { 0 };
        frame_encode(buf, &cases[i]);
        cr_assert_eq(frame_decode(&got, buf, sizeof buf, &err), 0, "case %zu: %s", i, err.msg);
        cr_assert(got.version == cases[i].version && got.type == cases[i].type &&
                  got.flags == cases[i].flags && got.request_id == cases[i].request_id,
                  "case %zu: got v%u type 0x%02x flags 0x%04x id %llx, "
                  "want v%u type 0x%02x flags 0x%04x id %llx", i, got.version, got.type,
                  got.flags, (unsigned long long)got.request_id, cases[i].version,
                  cases[i].type, cases[i].flags, (unsigned long long)cases[i].request_id);
    }
}

Test(frame, ignores_the_reserved_bytes)
{
    uint8_t buf[FRAME_HEADER_SIZE] = { 'L', 'G', FRAME_VERSION, FRAME_GET, 0, 0, 0x12, 0x34,
                                       0, 0, 0, 0, 0, 0, 0, 9 };
    frame_header_t got;
    err_t err = { 0 };
    cr_assert_eq(frame_decode(&got, buf, sizeof buf, &err), 0, "reserved bytes refused: %s",
                 err.msg);
    cr_assert_eq(got.request_id, 9, "request id: got %llu, want 9",
                 (unsigned long long)got.request_id);
}

Test(frame, refuses_a_header_of_the_wrong_size)
{
    static const size_t sizes[] = { 0, 1, 15, 17, 32 };
    uint8_t buf[32] = { 'L', 'G', FRAME_VERSION, FRAME_HELLO, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8 };
    for (size_t i = 0; i < N(sizes); i++) {
        frame_header_t got;
        err_t err = { 0 };
        memset(&got, 0xEE, sizeof got);
        int rc = frame_decode(&got, buf, sizes[i], &err);
        cr_assert_eq(rc, -1, "%zu bytes: got %d, want -1", sizes[i], rc);
        cr_assert_eq(err.code, ERR(BAD_FRAME), "%zu bytes: got %s, want BAD_FRAME", sizes[i],
                     err_code_name(err.code));
        cr_assert_str_eq(err.field, "header", "%zu bytes: field \"%s\", want \"header\"",
                         sizes[i], err.field);
        cr_assert_eq(got.request_id, 0, "%zu bytes: request id %llx, want 0 (cleared)",
                     sizes[i], (unsigned long long)got.request_id);
    }
}

Test(frame, refuses_the_wrong_magic)
{
    static const uint8_t magics[][2] = { { 'L', 'g' }, { 'G', 'L' }, { 0, 0 }, { 'X', 'G' } };
    for (size_t i = 0; i < N(magics); i++) {
        uint8_t buf[FRAME_HEADER_SIZE] = { magics[i][0], magics[i][1], FRAME_VERSION,
                                           FRAME_HELLO, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8 };
        frame_header_t got;
        err_t err = { 0 };
        int rc = frame_decode(&got, buf, sizeof buf, &err);
        cr_assert_eq(rc, -1, "magic %02x %02x: got %d, want -1", buf[0], buf[1], rc);
        cr_assert_eq(err.code, ERR(BAD_FRAME), "magic %02x %02x: got %s, want BAD_FRAME",
                     buf[0], buf[1], err_code_name(err.code));
        cr_assert_str_eq(err.field, "header.magic", "field: got \"%s\", want \"header.magic\"",
                         err.field);
    }
}

Test(frame, wrong_version_still_decodes_the_request_id)
{
    static const uint8_t versions[] = { 0, 2, 255 };
    for (size_t i = 0; i < N(versions); i++) {
        uint8_t buf[FRAME_HEADER_SIZE];
        frame_encode(buf, &(frame_header_t){ .version = versions[i], .type = FRAME_STAFF_ADD,
                                             .request_id = 0x0102030405060708ULL });
        frame_header_t got;
        err_t err = { 0 };
        int rc = frame_decode(&got, buf, sizeof buf, &err);
        cr_assert_eq(rc, -1, "version %u: got %d, want -1", versions[i], rc);
        cr_assert_eq(err.code, ERR(BAD_VERSION), "version %u: got %s, want BAD_VERSION",
                     versions[i], err_code_name(err.code));
        cr_assert_str_eq(err.field, "header.version", "field: got \"%s\"", err.field);
        cr_assert_eq(got.request_id, 0x0102030405060708ULL, "version %u: request id %llx, "
                     "want 102030405060708", versions[i], (unsigned long long)got.request_id);
        cr_assert_eq(got.version, versions[i], "version: got %u, want %u", got.version,
                     versions[i]);
        cr_assert_eq(got.type, FRAME_STAFF_ADD, "type: got 0x%02x", got.type);
    }
}

Test(frame, names_every_type)
{
    static const struct { uint8_t type; const char *want; } cases[] = {
        { FRAME_HELLO, "hello" },                { FRAME_STAFF_ADD, "staff.add" },
        { FRAME_STAFF_AMEND, "staff.amend" },    { FRAME_CUSTOMER_ADD, "customer.add" },
        { FRAME_CUSTOMER_AMEND, "customer.amend" }, { FRAME_ORDER_ADD, "order.add" },
        { FRAME_ORDER_AMEND, "order.amend" },    { FRAME_ORDER_BATCH, "order.batch" },
        { FRAME_GET, "get" },                    { FRAME_LIST, "list" },
        { FRAME_REPLAY, "replay" },              { FRAME_CURSOR_GET, "cursor.get" },
        { FRAME_STATE_GET, "state.get" },        { FRAME_WRITE_BACK, "write-back" },
        { FRAME_CLOCK_SET, "clock.set" },        { FRAME_EVENT, "event" },
        { FRAME_POLICY_SET, "policy.set" },      { FRAME_POLICY_GET, "policy.get" },
        { FRAME_BACKUP, "backup" },              { FRAME_RECORD_ADD, "record.add" },
        { FRAME_RECORD_AMEND, "record.amend" },  { FRAME_RECORD_BATCH, "record.batch" },
        { FRAME_RESULT_GET, "result.get" },  { FRAME_MONTH_CLOSE, "month.close" },
        { FRAME_RESULT_LIST, "result.list" }, { FRAME_FINDING_STATUS, "finding.status" },
        { FRAME_KEY_ADD, "key.add" },            { FRAME_KEY_REVOKE, "key.revoke" },
        { FRAME_KEY_LIST, "key.list" },          { FRAME_ERROR, "error" },
        { FRAME_ORDER_ADD | FRAME_REPLY, "order.add" },  /* a reply names its request */
        { 0x00, "?" }, { 0x1D, "?" }, { 0x3F, "?" }, { 0x7F, "?" }, { FRAME_REPLY, "?" },
    };
    for (size_t i = 0; i < N(cases); i++) {
        const char *got = frame_type_name(cases[i].type);
        cr_assert_str_eq(got, cases[i].want, "frame_type_name(0x%02x): got \"%s\", want \"%s\"",
                         cases[i].type, got, cases[i].want);
    }
}

Test(frame, sends_prefix_header_and_body_as_one_message)
{
    void *ctx = zmq_ctx_new();
    void *a = zmq_socket(ctx, ZMQ_PAIR), *b = zmq_socket(ctx, ZMQ_PAIR);
    cr_assert_eq(zmq_bind(b, "inproc://test_frame"), 0, "zmq_bind: %s", zmq_strerror(errno));
    cr_assert_eq(zmq_connect(a, "inproc://test_frame"), 0, "zmq_connect: %s",
                 zmq_strerror(errno));
    int rc = frame_send(a, "peer", 4, FRAME_GET | FRAME_REPLY, 0x0102030405060708ULL, "xyz", 3, 0);
    cr_assert_eq(rc, 0, "frame_send: %s", zmq_strerror(errno));

    static const uint8_t want_hdr[FRAME_HEADER_SIZE] = {
        'L', 'G', FRAME_VERSION, FRAME_GET | FRAME_REPLY, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8 };
    const struct { const void *data; size_t len; } want[] = {
        { "peer", 4 }, { want_hdr, sizeof want_hdr }, { "xyz", 3 } };
    for (size_t i = 0; i < N(want); i++) {
        uint8_t part[64];
        int n = zmq_recv(b, part, sizeof part, 0);
        cr_assert_eq(n, (int)want[i].len, "part %zu: got %d bytes, want %zu", i, n, want[i].len);
        s_assert_bytes(part, want[i].data, want[i].len);
        int more = 0;
        size_t sz = sizeof more;
        zmq_getsockopt(b, ZMQ_RCVMORE, &more, &sz);
        cr_assert_eq(more, i + 1 < N(want), "part %zu: more = %d", i, more);
    }
    zmq_close(a);
    zmq_close(b);
    zmq_ctx_term(ctx);
}

Test(frame, sends_without_a_prefix)
{
    void *ctx = zmq_ctx_new();
    void *a = zmq_socket(ctx, ZMQ_PAIR), *b = zmq_socket(ctx, ZMQ_PAIR);
    cr_assert_eq(zmq_bind(b, "inproc://test_frame2"), 0, "zmq_bind: %s", zmq_strerror(errno));
    cr_assert_eq(zmq_connect(a, "inproc://test_frame2"), 0, "zmq_connect");
    cr_assert_eq(frame_send(a, NULL, 0, FRAME_HELLO, 7, NULL, 0, 0), 0, "frame_send: %s",
                 zmq_strerror(errno));
    uint8_t hdr[32];
    int n = zmq_recv(b, hdr, sizeof hdr, 0);
    cr_assert_eq(n, FRAME_HEADER_SIZE, "first part: got %d bytes, want the header", n);
    frame_header_t h;
    err_t err = { 0 };
    cr_assert_eq(frame_decode(&h, hdr, (size_t)n, &err), 0, "decode: %s", err.msg);
    cr_assert_eq(h.request_id, 7, "request id: got %llu, want 7", (unsigned long long)h.request_id);
    n = zmq_recv(b, hdr, sizeof hdr, 0);
    cr_assert_eq(n, 0, "empty body: got %d bytes", n);
    zmq_close(a);
    zmq_close(b);
    zmq_ctx_term(ctx);
}
