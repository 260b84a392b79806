/* partition - which worker instance owns a key. Documented in
 * docs/PROTOCOL.md ("Partitions"): splitmix64(key) mod count; key 0 (events
 * with no partition key, such as clock and staff) belongs to every partition. */
#ifndef LEDGER_PARTITION_H
#define LEDGER_PARTITION_H

#include <stdint.h>

/* partition_hash - splitmix64 finaliser of key */
uint64_t partition_hash(uint64_t key);

/* partition_matches - key 0 always; count 0 means unpartitioned (always) */
int partition_matches(uint64_t key, uint32_t index, uint32_t count);

#endif
