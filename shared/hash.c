/* hash - FNV-1a, 64 bits (see hash.h). */
#include <string.h>
#include "hash.h"

#define FNV_OFFSET 14695981039346656037ull
#define FNV_PRIME  1099511628211ull

uint64_t hash_bytes(const void *data, size_t len)
{
    const uint8_t *p = data;
    uint64_t h = FNV_OFFSET;
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * FNV_PRIME;
    return h;
}

uint64_t hash_text(const char *s)
{
    return hash_bytes(s, strlen(s));
}
