/* wire - raw DEALER requests and replies for integration tests. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>
#include "cert.h"
#include "codec.h"
#include "frame.h"
#include "wire.h"

/* s_secure - the test's certificate ($LEDGER_CERT), as every client has */
static void s_secure(void *s)
{
    const char *path = getenv("LEDGER_CERT");
    cert_t c;
    err_t err;
    if (!path)
        return;
    cr_assert_eq(cert_load(path, &c, &err), 0, "%s", err.msg);
    cr_assert_eq(cert_client(s, &c), 0, "CURVE options");
}

void *wire_dealer(void *ctx, const char *ep)
{
    void *s = zmq_socket(ctx, ZMQ_DEALER);
    s_secure(s);
    int linger = 0, hwm = 0;
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(s, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt(s, ZMQ_RCVHWM, &hwm, sizeof hwm);
    cr_assert_eq(zmq_connect(s, ep), 0);
    return s;
}

void *wire_sub(void *ctx, const char *ep, const char *prefix)
{
    void *s = zmq_socket(ctx, ZMQ_SUB);
    int linger = 0;
    s_secure(s);
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(s, ZMQ_SUBSCRIBE, prefix, strlen(prefix));
    cr_assert_eq(zmq_connect(s, ep), 0);
    return s;
}

void wire_send(void *s, uint8_t type, uint64_t id, const ProtobufCMessage *msg)
{
    uint8_t *body;
    size_t n = codec_pack(msg, &body);
    cr_assert_eq(frame_send(s, NULL, 0, type, id, body, n, 0), 0);
    free(body);
}

int wire_recv(void *s, int timeout_ms, uint64_t *id, uint8_t **body, size_t *len)
{
    zmq_pollitem_t item = { s, 0, ZMQ_POLLIN, 0 };
    if (zmq_poll(&item, 1, timeout_ms) <= 0)
        return -1;
    zmq_msg_t h, b;
    zmq_msg_init(&h);
    zmq_msg_init(&b);
    zmq_msg_recv(&h, s, 0);
    cr_assert(zmq_msg_more(&h), "a reply has a body frame");
    zmq_msg_recv(&b, s, 0);
    frame_header_t hdr;
    cr_assert_eq(frame_decode(&hdr, zmq_msg_data(&h), zmq_msg_size(&h), NULL), 0);
    *id = hdr.request_id;
    *len = zmq_msg_size(&b);
    *body = malloc(*len + 1);
    memcpy(*body, zmq_msg_data(&b), *len);
    zmq_msg_close(&h);
    zmq_msg_close(&b);
    return hdr.type;
}

Ledger__Meta wire_meta(const char *idem)
{
    Ledger__Meta m = LEDGER__META__INIT;
    m.actor = "tester";
    m.idempotency_key = (char *)idem;
    return m;
}
