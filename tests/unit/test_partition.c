/* test_partition - splitmix64 pinned to values computed independently
 * (Python, arbitrary-precision integers masked to 64 bits), and the split of
 * keys among partitions: exactly one owner each, key 0 owned by all. */
#include <criterion/criterion.h>
#include <stdint.h>
#include "partition.h"

#define N(a) (sizeof (a) / sizeof (a)[0])
#define KEYS 10000

Test(partition, hash_is_splitmix64)
{
    static const struct { uint64_t key, want; } cases[] = {
        { 0, 0xe220a8397b1dcdafULL },   /* also splitmix64's first output from seed 0 */
        { 1, 0x910a2dec89025cc1ULL },
        { 2, 0x975835de1c9756ceULL },
        { 42, 0xbdd732262feb6e95ULL },
        { 12345, 0x22118258a9d111a0ULL },
        { UINT64_MAX, 0xe4d971771b652c20ULL },
    };
    for (size_t i = 0; i < N(cases); i++) {
        uint64_t got = partition_hash(cases[i].key);
        cr_assert_eq(got, cases[i].want, "partition_hash(%llu): got 0x%016llx, want 0x%016llx",
                     (unsigned long long)cases[i].key, (unsigned long long)got,
                     (unsigned long long)cases[i].want);
    }
}

Test(partition, picks_the_partition_by_hash_modulo_count)
{
    /* 42 hashes to ...6e95: mod 2 = 1, mod 3 = 1, mod 7 = 5 */
    static const struct { uint64_t key; uint32_t count, owner; } cases[] = {
        { 42, 2, 1 }, { 42, 3, 1 }, { 42, 7, 5 }, { 2, 2, 0 }, { 2, 7, 4 }, { 12345, 3, 2 },
    };
    for (size_t i = 0; i < N(cases); i++)
        for (uint32_t index = 0; index < cases[i].count; index++) {
            int got = partition_matches(cases[i].key, index, cases[i].count);
            int want = index == cases[i].owner;
            cr_assert_eq(got, want, "partition_matches(%llu, %u, %u): got %d, want %d",
                         (unsigned long long)cases[i].key, index, cases[i].count, got, want);
        }
}

Test(partition, key_zero_belongs_to_every_partition)
{
    for (uint32_t count = 1; count <= 8; count++)
        for (uint32_t index = 0; index < count; index++)
            cr_assert_eq(partition_matches(0, index, count), 1,
                         "partition_matches(0, %u, %u): got 0, want 1", index, count);
}

Test(partition, count_zero_means_unpartitioned)
{
    static const uint64_t keys[] = { 1, 42, UINT64_MAX };
    for (size_t i = 0; i < N(keys); i++)
        for (uint32_t index = 0; index < 3; index++)
            cr_assert_eq(partition_matches(keys[i], index, 0), 1,
                         "partition_matches(%llu, %u, 0): got 0, want 1",
                         (unsigned long long)keys[i], index);
}

Test(partition, every_key_has_exactly_one_partition)
{
    for (uint32_t count = 1; count <= 8; count++)
        for (uint64_t key = 1; key <= KEYS; key++) {
            int owners = 0;
            for (uint32_t index = 0; index < count; index++)
                owners += partition_matches(key, index, count);
            cr_assert_eq(owners, 1, "key %llu has %d owners among %u partitions, want 1",
                         (unsigned long long)key, owners, count);
        }
}

Test(partition, no_key_belongs_to_an_index_beyond_the_count)
{
    for (uint64_t key = 1; key <= KEYS; key++)
        cr_assert_eq(partition_matches(key, 4, 4), 0, "key %llu matched index 4 of 4",
                     (unsigned long long)key);
}

Test(partition, sequential_keys_spread_evenly)
{
    /* ids are assigned 1, 2, 3...: each partition gets its share within 10% */
    for (uint32_t count = 2; count <= 8; count++) {
        unsigned hits[8] = { 0 };
        for (uint64_t key = 1; key <= KEYS; key++)
            for (uint32_t index = 0; index < count; index++)
                hits[index] += partition_matches(key, index, count);
        unsigned share = KEYS / count;
        for (uint32_t index = 0; index < count; index++)
            cr_assert(hits[index] > share * 9 / 10 && hits[index] < share * 11 / 10,
                      "partition %u of %u holds %u of %d keys, want about %u", index, count,
                      hits[index], KEYS, share);
    }
}
