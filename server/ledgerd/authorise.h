/* authorise - who may do what, decided in one place (authorise.c). */
#ifndef LEDGERD_AUTHORISE_H
#define LEDGERD_AUTHORISE_H

#include "apply.h"

#define BRANCH_TEXT 33   /* a branch code and its NUL, with room to spare */

/* authorise - 0 when a->who may send this request; FORBIDDEN with the
 * field and why. Reads the store in a->txn; may narrow msg (a branch's
 * list gets its branch as the filter). */
int authorise(apply_t *a, uint8_t type, ProtobufCMessage *msg, err_t *err);

/* authorise_branch_of - the branch a record belongs to ("" for none) */
void authorise_branch_of(apply_t *a, const ProtobufCMessage *m, char out[BRANCH_TEXT]);

#endif
