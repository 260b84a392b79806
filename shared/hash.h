/* hash - FNV-1a, 64 bits: keys of in-memory tables and fingerprints of
 * packed payloads. Not for anything an adversary chooses to collide. */
#ifndef LEDGER_HASH_H
#define LEDGER_HASH_H

#include <stddef.h>
#include <stdint.h>

/* hash_bytes - FNV-1a of len bytes */
uint64_t hash_bytes(const void *data, size_t len);

/* hash_text - FNV-1a of a NUL-terminated string (its bytes, not the NUL) */
uint64_t hash_text(const char *s);

#endif
