/* codec - strict protobuf checking with field paths, and packing.
 * Unpacking itself is protobuf-c's; this file only refuses what protobuf-c
 * would silently accept, before it is unpacked. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "codec.h"
#include "xmalloc.h"

#define CODEC_MAX_DEPTH 16

/* utf8_valid - strict UTF-8, and no NUL (C strings would silently truncate) */
int utf8_valid(const uint8_t *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        uint8_t c = s[i];
        if (c == 0)
            return 0;
        if (c < 0x80) { i++; continue; }
        int n;
        uint32_t cp;
        if ((c & 0xE0) == 0xC0)      { n = 1; cp = c & 0x1F; }
        else if ((c & 0xF0) == 0xE0) { n = 2; cp = c & 0x0F; }
        else if ((c & 0xF8) == 0xF0) { n = 3; cp = c & 0x07; }
        else return 0;
        for (int k = 1; k <= n; k++) {
            if (i + k >= len || (s[i + k] & 0xC0) != 0x80)
                return 0;
            cp = cp << 6 | (s[i + k] & 0x3F);
        }
        static const uint32_t min[] = { 0, 0x80, 0x800, 0x10000 };
        if (cp < min[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += n + 1;
    }
    return 1;
}

static int s_varint(const uint8_t *buf, size_t len, size_t *pos, uint64_t *out)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (*pos >= len)
            return -1;
        uint8_t b = buf[(*pos)++];
        v |= (uint64_t)(b & 0x7F) << shift;
        if (!(b & 0x80)) {
            *out = v;
            return 0;
        }
    }
    return -1;
}

static int s_enum_ok(const ProtobufCFieldDescriptor *fd, uint64_t v)
{
    return protobuf_c_enum_descriptor_get_value(fd->descriptor, (int)(int32_t)v) != NULL;
}

static int s_check(const ProtobufCMessageDescriptor *d, const uint8_t *buf,
                   size_t len, const char *prefix, int depth, err_t *err)
{
    unsigned seen[64] = { 0 };  /* occurrences per field, for "[i]" in paths */
    char path[sizeof err->field];
    size_t pos = 0;

    if (depth > CODEC_MAX_DEPTH)
        return err_set(err, ERR(MALFORMED), prefix, "messages nested too deep");
    while (pos < len) {
        uint64_t tag, v;
        if (s_varint(buf, len, &pos, &tag) < 0 || (tag >> 3) == 0)
            return err_set(err, ERR(MALFORMED), prefix, "truncated or corrupt message");
        unsigned number = (unsigned)(tag >> 3), wire = tag & 7;
        const ProtobufCFieldDescriptor *fd =
            number <= 0x1FFFFFFF ? protobuf_c_message_descriptor_get_field(d, number) : NULL;
        size_t idx = fd ? (size_t)(fd - d->fields) : 0;
        const char *sep = *prefix ? "." : "";
        int counted = fd && fd->label == PROTOBUF_C_LABEL_REPEATED && idx < 64;
        if (counted)
            snprintf(path, sizeof path, "%s%s%s[%u]", prefix, sep, fd->name, seen[idx]++);
        else if (fd)
            snprintf(path, sizeof path, "%s%s%s", prefix, sep, fd->name);
        switch (wire) {
        case 0:
            if (s_varint(buf, len, &pos, &v) < 0)
                return err_set(err, ERR(MALFORMED), fd ? path : prefix, "truncated number");
            if (fd && fd->type == PROTOBUF_C_TYPE_ENUM && !s_enum_ok(fd, v))
                return err_set(err, ERR(BAD_ENUM), path, "%lld is not a defined %s",
                               (long long)(int32_t)v,
                               ((const ProtobufCEnumDescriptor *)fd->descriptor)->short_name);
            break;
        case 1:
            if (len - pos < 8)
                return err_set(err, ERR(MALFORMED), fd ? path : prefix, "truncated number");
            pos += 8;
            break;
        case 5:
            if (len - pos < 4)
                return err_set(err, ERR(MALFORMED), fd ? path : prefix, "truncated number");
            pos += 4;
            break;
        case 2: {
            if (s_varint(buf, len, &pos, &v) < 0 || v > len - pos)
                return err_set(err, ERR(MALFORMED), fd ? path : prefix, "truncated field");
            const uint8_t *p = buf + pos;
            pos += v;
            if (!fd)
                break;
            if (fd->type == PROTOBUF_C_TYPE_STRING && !utf8_valid(p, v))
                return err_set(err, ERR(BAD_TEXT), path,
                               "text must be valid UTF-8 without NUL bytes");
            if (fd->type == PROTOBUF_C_TYPE_MESSAGE &&
                s_check(fd->descriptor, p, v, path, depth + 1, err) < 0)
                return -1;
            if (fd->type == PROTOBUF_C_TYPE_ENUM) {  /* packed repeated enum */
                size_t q = 0;
                if (counted)
                    seen[idx]--;   /* count elements, not the packed chunk */
                while (q < v) {
                    uint64_t e;
                    if (counted)
                        snprintf(path, sizeof path, "%s%s%s[%u]", prefix, sep, fd->name,
                                 seen[idx]++);
                    if (s_varint(p, v, &q, &e) < 0)
                        return err_set(err, ERR(MALFORMED), path, "truncated list");
                    if (!s_enum_ok(fd, e))
                        return err_set(err, ERR(BAD_ENUM), path, "%lld is not a defined %s",
                                       (long long)(int32_t)e,
                                       ((const ProtobufCEnumDescriptor *)fd->descriptor)->short_name);
                }
            }
            break;
        }
        default:
            return err_set(err, ERR(MALFORMED), fd ? path : prefix,
                           "wire type %u is not used by this protocol", wire);
        }
    }
    return 0;
}

/* codec_check - walk the wire bytes with the descriptor */
int codec_check(const ProtobufCMessageDescriptor *desc,
                const uint8_t *buf, size_t len, err_t *err)
{
    return s_check(desc, buf, len, "", 0, err);
}

/* codec_unpack - check, then let protobuf-c unpack */
ProtobufCMessage *codec_unpack(const ProtobufCMessageDescriptor *desc,
                               const uint8_t *buf, size_t len, err_t *err)
{
    if (codec_check(desc, buf, len, err) < 0)
        return NULL;
    ProtobufCMessage *m = protobuf_c_message_unpack(desc, NULL, len, buf);
    if (!m)
        err_set(err, ERR(MALFORMED), "", "body is not a valid %s message", desc->short_name);
    return m;
}

/* codec_pack - pack into a fresh buffer */
size_t codec_pack(const ProtobufCMessage *msg, uint8_t **out)
{
    size_t n = protobuf_c_message_get_packed_size(msg);
    *out = xmalloc(n ? n : 1);
    return protobuf_c_message_pack(msg, *out);
}
