/* validate - every rule a record must keep before it is written. Field
 * paths are relative ("lines[2].qty"); callers prefix them ("order."). */
#ifndef LEDGERD_VALIDATE_H
#define LEDGERD_VALIDATE_H

#include "apply.h"
#include "entity.pb-c.h"

#define CODE_MAX       32
#define BRANCH_MAX     16
#define NAME_MAX_BYTES 200
#define ACTOR_MAX      64
#define IDEM_KEY_MAX   128
#define ORDER_LINES_MAX 1000
#define QTY_MAX        1000000
#define ARRANGERS_MAX  100

/* validate_meta - actor always; the idempotency key on writes */
int validate_meta(const Ledger__Meta *meta, int write, err_t *err);

/* validate_code - [A-Za-z0-9._-], 1..CODE_MAX; empty allowed when optional */
int validate_code(const char *code, const char *field, int optional, err_t *err);

/* validate_text - required (min 1) or optional, at most max bytes */
int validate_text(const char *s, const char *field, int required, size_t max, err_t *err);

int validate_staff(const Ledger__Staff *st, err_t *err);
int validate_customer(const Ledger__Customer *c, err_t *err);

/* validate_order - checks lines and references; fills customer_id, party
 * ids, amount and cost. NOT_FOUND names the reference that does not exist. */
int validate_order(apply_t *a, Ledger__Order *o, err_t *err);

/* record_validate - the kinds of record.proto (record.c) */
int record_validate(apply_t *a, entity_kind_t kind, ProtobufCMessage *m, err_t *err);

#endif
