/* fuzz_codec - codec_unpack for every request ledgerd accepts. The first
 * byte picks the message (requests.h: a frame type, else modulo the table),
 * the rest is the body. What codec_unpack accepts must pack again to bytes
 * that codec_check accepts: ledgerd stores and republishes what it read.
 * tests/unit/test_fuzz_regressions.c includes this file to replay the
 * corpus and fuzz/regressions/ with the same checks. */
#include <stdlib.h>
#include "codec.h"
#include "requests.h"

/* LLVMFuzzerTestOneInput - a type byte, then a body */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const fuzz_request_t *r = fuzz_request_pick(data[0]);
    err_t err = { 0 };
    ProtobufCMessage *m = codec_unpack(r->desc, data + 1, size - 1, &err);
    if (!m) {
        if (err.code == 0)   /* a refusal always says why */
            abort();
        return 0;
    }
    uint8_t *buf;
    size_t n = codec_pack(m, &buf);
    if (codec_check(r->desc, buf, n, &err) < 0)
        abort();
    free(buf);
    protobuf_c_message_free_unpacked(m, NULL);
    return 0;
}
