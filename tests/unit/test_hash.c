/* test_hash - FNV-1a 64 against the published test vectors. */
#include <criterion/criterion.h>
#include <string.h>
#include "hash.h"

Test(hash, fnv1a_64_gives_the_published_values)
{
    static const struct { const char *text; uint64_t want; } cases[] = {
        { "", 0xcbf29ce484222325ULL },
        { "a", 0xaf63dc4c8601ec8cULL },
        { "foobar", 0x85944171f73967e8ULL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        uint64_t got = hash_text(cases[i].text);
        cr_assert_eq(got, cases[i].want, "hash_text(\"%s\"): got 0x%016llx, want 0x%016llx",
                     cases[i].text, (unsigned long long)got, (unsigned long long)cases[i].want);
        cr_assert_eq(hash_bytes(cases[i].text, strlen(cases[i].text)), got);
    }
}
