/* idem - idempotency keys: a retried write returns its first reply. */
#ifndef LEDGERD_IDEM_H
#define LEDGERD_IDEM_H

#include "apply.h"

#define IDEM_HASH_BYTES 16

/* idem_hash - BLAKE2b-128 of the type and the canonical (re-packed) body */
void idem_hash(uint8_t out[IDEM_HASH_BYTES], uint8_t type, const ProtobufCMessage *req);

/* idem_lookup - 0: not seen; 1: seen with this hash, *reply and *reply_len
 * set (caller frees *reply); -1: IDEMPOTENCY_MISMATCH */
int idem_lookup(apply_t *a, const char *actor, const char *key,
                const uint8_t hash[IDEM_HASH_BYTES], uint8_t **reply, size_t *reply_len,
                err_t *err);

/* idem_record - remember the reply in a->reply for (actor, key) */
int idem_record(apply_t *a, const char *actor, const char *key,
                const uint8_t hash[IDEM_HASH_BYTES], uint8_t reply_type, err_t *err);

/* idem_purge - forget keys older than the retention, at most max of them */
int idem_purge(apply_t *a, size_t max, err_t *err);

#endif
