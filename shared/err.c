/* err - fill the caller's error struct; no allocation on the error path. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "err.h"

/* err_set - fill *err (if not NULL) and return -1 */
int err_set(err_t *err, int code, const char *field, const char *fmt, ...)
{
    if (!err)
        return -1;
    err->code = code;
    snprintf(err->field, sizeof err->field, "%s", field ? field : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return -1;
}

/* err_prefix_field - "qty" under prefix "order.lines[2]" becomes "order.lines[2].qty" */
void err_prefix_field(err_t *err, const char *prefix)
{
    if (!err || !prefix || !*prefix)
        return;
    char joined[sizeof err->field];
    if (err->field[0])
        snprintf(joined, sizeof joined, "%s.%s", prefix, err->field);
    else
        snprintf(joined, sizeof joined, "%s", prefix);
    memcpy(err->field, joined, sizeof joined);
}

/* err_code_name - the enum's name as written in error.proto */
const char *err_code_name(int code)
{
    const ProtobufCEnumValue *v =
        protobuf_c_enum_descriptor_get_value(&ledger__error_code__descriptor, code);
    return v ? v->name : "?";
}

void err_clear(err_t *err)
{
    if (err)
        memset(err, 0, sizeof *err);
}
