/* client - one request, one reply, over a DEALER socket, with a timeout.
 * Used by ledgerctl, the tests and (later) the worker runtime. */
#ifndef LEDGER_CLIENT_H
#define LEDGER_CLIENT_H

#include <protobuf-c/protobuf-c.h>
#include <stdint.h>
#include "cert.h"
#include "err.h"
#include "request.pb-c.h"

typedef struct client client_t;

/* client_new - connect to endpoint (tcp://host:port) over CURVE with the
 * certificate at $LEDGER_CERT (plain without one: ledgerd refuses it, and
 * the call says so); actor is the declared name put in every request's
 * meta (ledgerd records the key's name instead). A certificate that cannot
 * be used is reported by every call (UNAUTHENTICATED or the file's error).
 * Caller frees with client_destroy. */
client_t *client_new(const char *endpoint, const char *actor, int timeout_ms);
void client_destroy(client_t **self_p);

/* client_meta - fill meta's actor and idempotency key (idem may be NULL:
 * a fresh random key is made). The strings live as long as the client. */
void client_meta(client_t *c, Ledger__Meta *meta, const char *idem);

/* client_actor - the declared name given to client_new */
const char *client_actor(const client_t *c);

/* client_cert - the certificate in use, or NULL (for the event socket) */
const cert_t *client_cert(const client_t *c);

/* client_call - send req as message type, wait for its reply.
 * 0: *out is the reply unpacked as reply_desc (caller frees it with
 *    protobuf_c_message_free_unpacked(*out, NULL)).
 * -1: err holds the server's error (code, field, message) verbatim, or
 *    TIMEOUT when no reply came in time, UNAUTHENTICATED when ledgerd refused
 *    the key, or MALFORMED for a bad reply. */
int client_call(client_t *c, uint8_t type, const ProtobufCMessage *req,
                const ProtobufCMessageDescriptor *reply_desc,
                ProtobufCMessage **out, err_t *err);

#endif
