/* diff - which top-level fields differ between two records of one type,
 * for the `changed` list of an amend event. Walks protobuf-c descriptors. */
#ifndef LEDGERD_DIFF_H
#define LEDGERD_DIFF_H

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>

/* diff_fields - names of fields that differ, skipping the names in ignore
 * (NULL-terminated); names point into the descriptor. Returns the count. */
size_t diff_fields(const ProtobufCMessage *a, const ProtobufCMessage *b,
                   const char *const *ignore, const char **out, size_t max);

#endif
