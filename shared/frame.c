/* frame - the 16-byte header and multipart sends. Receiving is left to
 * each process's loop, which knows how many frames it expects. */
#include <string.h>
#include <zmq.h>
#include "frame.h"

static void s_put16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = v & 0xff; }
static uint16_t s_get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

static void s_put64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = v & 0xff;
}

static uint64_t s_get64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

/* frame_encode - write the 16-byte header into out */
void frame_encode(uint8_t out[FRAME_HEADER_SIZE], const frame_header_t *h)
{
    out[0] = FRAME_MAGIC0;
    out[1] = FRAME_MAGIC1;
    out[2] = h->version;
    out[3] = h->type;
    s_put16(out + 4, h->flags);
    s_put16(out + 6, 0);
    s_put64(out + 8, h->request_id);
}

/* frame_decode - parse a header; BAD_FRAME or BAD_VERSION */
int frame_decode(frame_header_t *out, const void *data, size_t len, err_t *err)
{
    const uint8_t *p = data;
    memset(out, 0, sizeof *out);
    if (len != FRAME_HEADER_SIZE)
        return err_set(err, ERR(BAD_FRAME), "header",
                       "header must be %d bytes, got %zu", FRAME_HEADER_SIZE, len);
    if (p[0] != FRAME_MAGIC0 || p[1] != FRAME_MAGIC1)
        return err_set(err, ERR(BAD_FRAME), "header.magic",
                       "header must start with \"LG\"");
    out->version = p[2];
    out->type = p[3];
    out->flags = s_get16(p + 4);
    out->request_id = s_get64(p + 8);
    if (out->version != FRAME_VERSION)
        return err_set(err, ERR(BAD_VERSION), "header.version",
                       "protocol version %u is not served; this server speaks %d",
                       out->version, FRAME_VERSION);
    return 0;
}

/* frame_type_name - short names used in logs, tools and docs */
const char *frame_type_name(uint8_t type)
{
    switch (type & ~FRAME_REPLY) {
    case FRAME_HELLO:          return "hello";
    case FRAME_STAFF_ADD:      return "staff.add";
    case FRAME_STAFF_AMEND:    return "staff.amend";
    case FRAME_CUSTOMER_ADD:   return "customer.add";
    case FRAME_CUSTOMER_AMEND: return "customer.amend";
    case FRAME_ORDER_ADD:      return "order.add";
    case FRAME_ORDER_AMEND:    return "order.amend";
    case FRAME_ORDER_BATCH:    return "order.batch";
    case FRAME_GET:            return "get";
    case FRAME_LIST:           return "list";
    case FRAME_REPLAY:         return "replay";
    case FRAME_CURSOR_GET:     return "cursor.get";
    case FRAME_STATE_GET:      return "state.get";
    case FRAME_WRITE_BACK:     return "write-back";
    case FRAME_CLOCK_SET:      return "clock.set";
    case FRAME_POLICY_SET:     return "policy.set";
    case FRAME_POLICY_GET:     return "policy.get";
    case FRAME_BACKUP:         return "backup";
    case FRAME_RECORD_ADD:     return "record.add";
    case FRAME_RECORD_AMEND:   return "record.amend";
    case FRAME_RECORD_BATCH:   return "record.batch";
    case FRAME_RESULT_GET:     return "result.get";
    case FRAME_MONTH_CLOSE:    return "month.close";
    case FRAME_RESULT_LIST:    return "result.list";
    case FRAME_FINDING_STATUS: return "finding.status";
    case FRAME_KEY_ADD:        return "key.add";
    case FRAME_KEY_REVOKE:     return "key.revoke";
    case FRAME_KEY_LIST:       return "key.list";
    case FRAME_EVENT:          return "event";
    }
    return type == FRAME_ERROR ? "error" : "?";
}

/* frame_send - [prefix][header][body], all or nothing (ZeroMQ sends a
 * multipart message atomically once its last part is queued) */
int frame_send(void *sock, const void *prefix, size_t prefix_len,
               uint8_t type, uint64_t request_id,
               const void *body, size_t body_len, int flags)
{
    uint8_t hdr[FRAME_HEADER_SIZE];
    frame_encode(hdr, &(frame_header_t){ .version = FRAME_VERSION, .type = type,
                                         .request_id = request_id });
    if (prefix && zmq_send(sock, prefix, prefix_len, flags | ZMQ_SNDMORE) < 0)
        return -1;
    if (zmq_send(sock, hdr, sizeof hdr, flags | ZMQ_SNDMORE) < 0)
        return -1;
    if (zmq_send(sock, body, body_len, flags) < 0)
        return -1;
    return 0;
}
