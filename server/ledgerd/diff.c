/* diff - compare two protobuf-c messages field by field. Nested messages
 * are compared by their packed bytes (an absent message packs as nothing,
 * the same as an empty one, which is also how they look on the wire). */
#include <stdlib.h>
#include <string.h>
#include "codec.h"
#include "diff.h"

static size_t s_elem_size(ProtobufCType t)
{
    switch (t) {
    case PROTOBUF_C_TYPE_INT32: case PROTOBUF_C_TYPE_SINT32: case PROTOBUF_C_TYPE_SFIXED32:
    case PROTOBUF_C_TYPE_UINT32: case PROTOBUF_C_TYPE_FIXED32: case PROTOBUF_C_TYPE_ENUM:
    case PROTOBUF_C_TYPE_FLOAT:
        return 4;
    case PROTOBUF_C_TYPE_BOOL:    return sizeof(protobuf_c_boolean);
    case PROTOBUF_C_TYPE_STRING:  return sizeof(char *);
    case PROTOBUF_C_TYPE_BYTES:   return sizeof(ProtobufCBinaryData);
    case PROTOBUF_C_TYPE_MESSAGE: return sizeof(ProtobufCMessage *);
    default:                      return 8;
    }
}

static int s_msg_equal(const ProtobufCMessage *a, const ProtobufCMessage *b)
{
    uint8_t *pa = NULL, *pb = NULL;
    size_t na = a ? codec_pack(a, &pa) : 0, nb = b ? codec_pack(b, &pb) : 0;
    int eq = na == nb && (na == 0 || memcmp(pa, pb, na) == 0);
    free(pa);
    free(pb);
    return eq;
}

static int s_value_equal(ProtobufCType t, const void *a, const void *b)
{
    switch (t) {
    case PROTOBUF_C_TYPE_STRING:
        return strcmp(*(char *const *)a, *(char *const *)b) == 0;
    case PROTOBUF_C_TYPE_BYTES: {
        const ProtobufCBinaryData *x = a, *y = b;
        return x->len == y->len && (x->len == 0 || memcmp(x->data, y->data, x->len) == 0);
    }
    case PROTOBUF_C_TYPE_MESSAGE:
        return s_msg_equal(*(ProtobufCMessage *const *)a, *(ProtobufCMessage *const *)b);
    default:
        return memcmp(a, b, s_elem_size(t)) == 0;
    }
}

static int s_field_equal(const ProtobufCFieldDescriptor *fd, const char *a, const char *b)
{
    if (fd->label == PROTOBUF_C_LABEL_REPEATED) {
        size_t na = *(const size_t *)(a + fd->quantifier_offset);
        size_t nb = *(const size_t *)(b + fd->quantifier_offset);
        if (na != nb)
            return 0;
        const char *ea = *(char *const *)(a + fd->offset), *eb = *(char *const *)(b + fd->offset);
        size_t sz = s_elem_size(fd->type);
        for (size_t i = 0; i < na; i++)
            if (!s_value_equal(fd->type, ea + i * sz, eb + i * sz))
                return 0;
        return 1;
    }
    if (fd->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
        uint32_t ca = *(const uint32_t *)(a + fd->quantifier_offset);
        uint32_t cb = *(const uint32_t *)(b + fd->quantifier_offset);
        int ha = ca == fd->id, hb = cb == fd->id;
        if (ha != hb)
            return 0;
        if (!ha)
            return 1;
    }
    return s_value_equal(fd->type, a + fd->offset, b + fd->offset);
}

/* diff_fields - the names of differing fields, in field-number order */
size_t diff_fields(const ProtobufCMessage *a, const ProtobufCMessage *b,
                   const char *const *ignore, const char **out, size_t max)
{
    const ProtobufCMessageDescriptor *d = a->descriptor;
    size_t n = 0;
    for (unsigned i = 0; i < d->n_fields && n < max; i++) {
        const ProtobufCFieldDescriptor *fd = &d->fields[i];
        int skip = 0;
        for (const char *const *ig = ignore; ig && *ig; ig++)
            if (strcmp(*ig, fd->name) == 0)
                skip = 1;
        if (!skip && !s_field_equal(fd, (const char *)a, (const char *)b))
            out[n++] = fd->name;
    }
    return n;
}
