/* err - the one error struct: a stable code, the field at fault, a sentence.
 * Codes are ledger.ErrorCode from proto/error.proto. */
#ifndef LEDGER_ERR_H
#define LEDGER_ERR_H

#include "error.pb-c.h"

#define ERR(name) LEDGER__ERROR_CODE__##name

typedef struct {
    int  code;       /* ERR(...); 0 when no error */
    char field[128]; /* "order.lines[2].qty", or "" */
    char msg[256];   /* one line, for a person */
} err_t;

/* err_set - fill *err (if not NULL) and return -1 */
int err_set(err_t *err, int code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* err_prefix_field - turn field "qty" into "order.lines[2].qty" */
void err_prefix_field(err_t *err, const char *prefix);

/* err_code_name - "NOT_FOUND" for a code; "?" if unknown */
const char *err_code_name(int code);

void err_clear(err_t *err);

#endif
