/* fixture - an in-process ledger for unit tests: a store in a fresh
 * temporary directory and dispatch driven directly, no sockets. */
#ifndef LEDGER_TEST_FIXTURE_H
#define LEDGER_TEST_FIXTURE_H

#include "dispatch.h"
#include "options.h"
#include "store.h"

typedef struct {
    char        dir[256];
    options_t   opt;
    store_t    *store;
    dispatch_t *d;
} fixture_t;

/* fixture_open - fresh ledger; test_clock 1 starts ledger time at 0 */
void fixture_open(fixture_t *f, int test_clock);
void fixture_close(fixture_t *f);

/* fixture_meta - meta with actor "tester" and the given idempotency key */
Ledger__Meta *fixture_meta(const char *idem);

/* fixture_call - one request in a batch of its own. 0 with *out the reply
 * unpacked as reply_desc (free with protobuf_c_message_free_unpacked);
 * -1 with err filled from the error reply. out may be NULL. */
int fixture_call(fixture_t *f, uint8_t type, const ProtobufCMessage *req,
                 const ProtobufCMessageDescriptor *reply_desc, ProtobufCMessage **out,
                 err_t *err);

/* fixture_raw - send raw header and body bytes; returns the reply type and
 * fills err when it is an error */
int fixture_raw(fixture_t *f, const uint8_t *header, size_t header_len, int frames,
                const uint8_t *body, size_t body_len, err_t *err);

/* fixture_prepare - fill r with a packed request (for batches) */
void fixture_prepare(request_t *r, uint8_t type, const ProtobufCMessage *req, uint64_t id);

/* fixture_reply_error - the error in r's reply, or code 0 */
void fixture_reply_error(const request_t *r, err_t *err);

/* Records for tests: add and return the WriteReply's id (asserts success). */
uint64_t fixture_add_staff(fixture_t *f, const char *code, const char *name, const char *branch);
uint64_t fixture_add_customer(fixture_t *f, const char *code, const char *name, const char *branch);
uint64_t fixture_add_order(fixture_t *f, const char *code, const char *customer, int64_t placed_ms,
                           int64_t qty, int64_t unit_price);

/* fixture_event - the logged event at seq, unpacked (caller frees it with
 * ledger__event__free_unpacked); fails the test when there is none */
Ledger__Event *fixture_event(fixture_t *f, uint64_t seq);

/* fixture_last_seq - the store's committed last seq */
uint64_t fixture_last_seq(fixture_t *f);

#endif
