/* frame - the fixed binary header every ledger message starts with, and
 * multipart send/receive over ZeroMQ. Bodies are protobuf; see codec.h.
 *
 * Header, 16 bytes, integers big-endian:
 *   0  u8[2] magic 'L' 'G'
 *   2  u8    protocol version (FRAME_VERSION)
 *   3  u8    message type (frame_type_t)
 *   4  u16   flags (none defined yet; senders write 0, receivers ignore)
 *   6  u16   reserved, 0
 *   8  u64   request id, chosen by the client, echoed in the reply
 */
#ifndef LEDGER_FRAME_H
#define LEDGER_FRAME_H

#include <stddef.h>
#include <stdint.h>
#include "err.h"

#define FRAME_HEADER_SIZE 16
#define FRAME_VERSION     1
#define FRAME_MAGIC0      'L'
#define FRAME_MAGIC1      'G'
#define FRAME_MAX_BYTES   (16 * 1024 * 1024) /* ZMQ_MAXMSGSIZE: larger disconnects */

typedef enum {
    FRAME_HELLO          = 0x01,
    FRAME_STAFF_ADD      = 0x02,
    FRAME_STAFF_AMEND    = 0x03,
    FRAME_CUSTOMER_ADD   = 0x04,
    FRAME_CUSTOMER_AMEND = 0x05,
    FRAME_ORDER_ADD      = 0x06,
    FRAME_ORDER_AMEND    = 0x07,
    FRAME_ORDER_BATCH    = 0x08,
    FRAME_GET            = 0x09,
    FRAME_LIST           = 0x0A,
    FRAME_REPLAY         = 0x0B,
    FRAME_CURSOR_GET     = 0x0C,
    FRAME_STATE_GET      = 0x0D,
    FRAME_WRITE_BACK     = 0x0E,
    FRAME_CLOCK_SET      = 0x0F,
    FRAME_POLICY_SET     = 0x10,
    FRAME_POLICY_GET     = 0x11,
    FRAME_BACKUP         = 0x12,
    FRAME_RECORD_ADD     = 0x13,
    FRAME_RECORD_AMEND   = 0x14,
    FRAME_RECORD_BATCH   = 0x15,
    FRAME_RESULT_GET     = 0x16,
    FRAME_MONTH_CLOSE    = 0x17,
    FRAME_RESULT_LIST    = 0x18,
    FRAME_FINDING_STATUS = 0x19,
    FRAME_KEY_ADD        = 0x1A,
    FRAME_KEY_REVOKE     = 0x1B,
    FRAME_KEY_LIST       = 0x1C,
    FRAME_EVENT          = 0x40, /* published events */
    FRAME_REPLY          = 0x80, /* a success reply is request type | FRAME_REPLY */
    FRAME_ERROR          = 0xFF  /* an error reply; body is ledger.Error */
} frame_type_t;

typedef struct {
    uint8_t  version;     /* protocol version */
    uint8_t  type;        /* frame_type_t */
    uint16_t flags;       /* reserved for future use */
    uint64_t request_id;  /* echoed in the reply */
} frame_header_t;

/* frame_encode - write the 16-byte header into out */
void frame_encode(uint8_t out[FRAME_HEADER_SIZE], const frame_header_t *h);

/* frame_decode - parse a header; -1 with BAD_FRAME (size, magic) or
 * BAD_VERSION; on BAD_VERSION *out is still filled, so the reply can echo the id */
int frame_decode(frame_header_t *out, const void *data, size_t len, err_t *err);

/* frame_type_name - "order.add" etc. for logs and tools; "?" if unknown */
const char *frame_type_name(uint8_t type);

/* frame_send - send [prefix frames...][header][body] on a ZeroMQ socket.
 * prefix: e.g. the ROUTER identity; may be NULL. flags: ZMQ_DONTWAIT or 0.
 * Returns 0, or -1 with errno from zmq_send. */
int frame_send(void *sock, const void *prefix, size_t prefix_len,
               uint8_t type, uint64_t request_id,
               const void *body, size_t body_len, int flags);

#endif
