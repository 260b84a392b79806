/* keys - the key book's requests (apply.h) and the trusted file. */
#ifndef LEDGERD_KEYS_H
#define LEDGERD_KEYS_H

#include "apply.h"

/* keys_trust - add the keys of DIR/trusted that the book lacks, in a->txn;
 * *added says how many. No file is no error. */
int keys_trust(apply_t *a, const char *dir, size_t *added, err_t *err);

#endif
