/* wire - raw protocol access for integration tests: a DEALER, one framed
 * request out, one framed reply in. Tests that check frames, pipelining or
 * kills mid-stream talk this way instead of through shared/client.c. */
#ifndef LEDGER_TEST_WIRE_H
#define LEDGER_TEST_WIRE_H

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>
#include <stdint.h>
#include "request.pb-c.h"

/* wire_dealer - a DEALER on ctx connected to ep, no high-water marks */
void *wire_dealer(void *ctx, const char *ep);

/* wire_sub - a SUB on ctx connected to ep, subscribed to prefix ("" = all) */
void *wire_sub(void *ctx, const char *ep, const char *prefix);

/* wire_send - [header][body] with this type and request id */
void wire_send(void *s, uint8_t type, uint64_t id, const ProtobufCMessage *msg);

/* wire_recv - one reply: its type (-1 on timeout), request id and body
 * (caller frees) */
int wire_recv(void *s, int timeout_ms, uint64_t *id, uint8_t **body, size_t *len);

/* wire_meta - a Meta for actor "tester" with this idempotency key */
Ledger__Meta wire_meta(const char *idem);

#endif
