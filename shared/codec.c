/* codec - strict protobuf checking with field paths, and packing.
 * Unpacking itself is protobuf-c's; this file only refuses what protobuf-c
 * would silently accept, before it is unpacked. */
#include <stdarg.h>
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

/* Where the walk is, kept as a chain on the stack: the text of a path
 * ("order.lines[2].product") is only made for an error. */
typedef struct path {
    const struct path *parent;
    const char *name;     /* field name; NULL for the top message */
    int index;            /* element of a repeated field, or -1 */
} path_t;

/* s_path_text - append p's text to out[*len..] */
static void s_path_text(char *out, size_t n, size_t *len, const path_t *p)
{
    if (!p || !p->name)
        return;
    s_path_text(out, n, len, p->parent);
    if (*len >= n)
        return;
    int w = p->index >= 0
        ? snprintf(out + *len, n - *len, "%s%s[%d]", *len ? "." : "", p->name, p->index)
        : snprintf(out + *len, n - *len, "%s%s", *len ? "." : "", p->name);
    *len += w > 0 ? (size_t)w : 0;
}

/* s_fail - err with the path's text as the field */
static int s_fail(err_t *err, int code, const path_t *p, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int s_fail(err_t *err, int code, const path_t *p, const char *fmt, ...)
{
    char field[sizeof err->field] = "", msg[sizeof err->msg];
    size_t len = 0;
    s_path_text(field, sizeof field, &len, p);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return err_set(err, code, field, "%s", msg);
}

static int s_check(const ProtobufCMessageDescriptor *d, const uint8_t *buf,
                   size_t len, const path_t *at, int depth, err_t *err)
{
    unsigned seen[64] = { 0 };  /* occurrences per field, for "[i]" in paths */
    size_t pos = 0;

    if (depth > CODEC_MAX_DEPTH)
        return s_fail(err, ERR(MALFORMED), at, "messages nested too deep");
    while (pos < len) {
        uint64_t tag, v;
        if (s_varint(buf, len, &pos, &tag) < 0 || (tag >> 3) == 0)
            return s_fail(err, ERR(MALFORMED), at, "truncated or corrupt message");
        unsigned number = (unsigned)(tag >> 3), wire = tag & 7;
        const ProtobufCFieldDescriptor *fd =
            number <= 0x1FFFFFFF ? protobuf_c_message_descriptor_get_field(d, number) : NULL;
        size_t idx = fd ? (size_t)(fd - d->fields) : 0;
        int counted = fd && fd->label == PROTOBUF_C_LABEL_REPEATED && idx < 64;
        path_t here = { at, fd ? fd->name : NULL, counted ? (int)seen[idx]++ : -1 };
        const path_t *where = fd ? &here : at;
        switch (wire) {
        case 0:
            if (s_varint(buf, len, &pos, &v) < 0)
                return s_fail(err, ERR(MALFORMED), where, "truncated number");
            if (fd && fd->type == PROTOBUF_C_TYPE_ENUM && !s_enum_ok(fd, v))
                return s_fail(err, ERR(BAD_ENUM), where, "%lld is not a defined %s",
                              (long long)(int32_t)v,
                              ((const ProtobufCEnumDescriptor *)fd->descriptor)->short_name);
            break;
        case 1:
            if (len - pos < 8)
                return s_fail(err, ERR(MALFORMED), where, "truncated number");
            pos += 8;
            break;
        case 5:
            if (len - pos < 4)
                return s_fail(err, ERR(MALFORMED), where, "truncated number");
            pos += 4;
            break;
        case 2: {
            if (s_varint(buf, len, &pos, &v) < 0 || v > len - pos)
                return s_fail(err, ERR(MALFORMED), where, "truncated field");
            const uint8_t *p = buf + pos;
            pos += v;
            if (!fd)
                break;
            if (fd->type == PROTOBUF_C_TYPE_STRING && !utf8_valid(p, v))
                return s_fail(err, ERR(BAD_TEXT), where,
                              "text must be valid UTF-8 without NUL bytes");
            if (fd->type == PROTOBUF_C_TYPE_MESSAGE &&
                s_check(fd->descriptor, p, v, where, depth + 1, err) < 0)
                return -1;
            if (fd->type == PROTOBUF_C_TYPE_ENUM) {  /* packed repeated enum */
                size_t q = 0;
                if (counted)
                    seen[idx]--;   /* count elements, not the packed chunk */
                while (q < v) {
                    uint64_t e;
                    if (counted)
                        here.index = (int)seen[idx]++;
                    if (s_varint(p, v, &q, &e) < 0)
                        return s_fail(err, ERR(MALFORMED), where, "truncated list");
                    if (!s_enum_ok(fd, e))
                        return s_fail(err, ERR(BAD_ENUM), where, "%lld is not a defined %s",
                                      (long long)(int32_t)e,
                                      ((const ProtobufCEnumDescriptor *)fd->descriptor)->short_name);
                }
            }
            break;
        }
        default:
            return s_fail(err, ERR(MALFORMED), where,
                          "wire type %u is not used by this protocol", wire);
        }
    }
    return 0;
}

/* codec_check - walk the wire bytes with the descriptor */
int codec_check(const ProtobufCMessageDescriptor *desc,
                const uint8_t *buf, size_t len, err_t *err)
{
    return s_check(desc, buf, len, NULL, 0, err);
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
