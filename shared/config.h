/* config - "key = value" files. Blank lines and lines starting with # are
 * skipped; a value runs to the end of the line, surrounding blanks trimmed.
 * What the keys mean is each program's business (its set callback). */
#ifndef LEDGER_CONFIG_H
#define LEDGER_CONFIG_H

#include "err.h"

typedef int (*config_set_fn)(void *ctx, const char *key, const char *value, err_t *err);

/* config_read - call set for each key; -1 with the error and field
 * "FILE:LINE" (NOT_FOUND when the file cannot be read, INVALID for syntax) */
int config_read(const char *path, config_set_fn set, void *ctx, err_t *err);

#endif
