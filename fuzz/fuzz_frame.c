/* fuzz_frame - frame_decode on any bytes: a header is accepted only when it
 * is 16 bytes with the magic and version, and what it accepts encodes back
 * to the same bytes (the reserved u16 aside, which senders write as 0).
 * tests/unit/test_fuzz_regressions.c includes this file to replay the
 * corpus and fuzz/regressions/ with the same checks. */
#include <stdlib.h>
#include <string.h>
#include "frame.h"

/* LLVMFuzzerTestOneInput - one header, as received */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    frame_header_t h;
    err_t err = { 0 };
    int rc = frame_decode(&h, data, size, &err);
    if (frame_type_name(h.type) == NULL)
        abort();
    if (rc < 0) {
        if (err.code != ERR(BAD_FRAME) && err.code != ERR(BAD_VERSION))
            abort();
        return 0;
    }
    if (size != FRAME_HEADER_SIZE || data[0] != FRAME_MAGIC0 || data[1] != FRAME_MAGIC1 ||
        h.version != FRAME_VERSION)
        abort();
    uint8_t again[FRAME_HEADER_SIZE];
    frame_encode(again, &h);
    if (memcmp(again, data, 6) || memcmp(again + 8, data + 8, 8))
        abort();
    return 0;
}
