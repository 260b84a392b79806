/* codec - protobuf bodies: strict checking before unpacking, and packing.
 * protobuf-c accepts invalid UTF-8, embedded NUL bytes and undefined enum
 * values; codec_check walks the wire bytes with the message's descriptor and
 * refuses them, naming the field ("order.lines[2].product"). */
#ifndef LEDGER_CODEC_H
#define LEDGER_CODEC_H

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>
#include <stdint.h>
#include "err.h"

/* codec_check - 0 if buf is a well-formed message of desc with valid text and
 * enums; else -1 with MALFORMED, BAD_TEXT or BAD_ENUM and the field path */
int codec_check(const ProtobufCMessageDescriptor *desc,
                const uint8_t *buf, size_t len, err_t *err);

/* codec_unpack - codec_check then unpack. Caller frees the result with
 * protobuf_c_message_free_unpacked(msg, NULL). NULL on failure, err set. */
ProtobufCMessage *codec_unpack(const ProtobufCMessageDescriptor *desc,
                               const uint8_t *buf, size_t len, err_t *err);

/* codec_pack - pack msg into a new buffer; caller frees *out with free() */
size_t codec_pack(const ProtobufCMessage *msg, uint8_t **out);

/* utf8_valid - strict UTF-8 (no overlongs, surrogates or > U+10FFFF), no NUL */
int utf8_valid(const uint8_t *s, size_t len);

#endif
