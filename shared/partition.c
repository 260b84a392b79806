/* partition - which worker instance owns a key: splitmix64(key) mod count.
 * Key 0 (events without a partition key) belongs to every partition. The
 * hash is part of the protocol (workers and ledgerd's replay must agree). */
#include "partition.h"

/* partition_hash - splitmix64 finaliser of key (uint64 wraparound) */
uint64_t partition_hash(uint64_t key)
{
    uint64_t z = key + 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* partition_matches - key 0 or count 0 always; else hash % count == index */
int partition_matches(uint64_t key, uint32_t index, uint32_t count)
{
    if (key == 0 || count == 0)
        return 1;
    return partition_hash(key) % count == index;
}
