/* batch - the commission worker's working set for one batch of events: the
 * state records it reads, decodes, changes and writes back, found by key;
 * the policy in force for a month; the month indexes; and the small helpers
 * of months and people the other parts share. */
#ifndef LEDGER_COMMISSION_BATCH_H
#define LEDGER_COMMISSION_BATCH_H

#include <stddef.h>
#include <stdint.h>
#include "commission.pb-c.h"
#include "recset.h"
#include "worker.h"

#define KIND_LINE   "commission.line"
#define KIND_DRAFT  "statement.draft"
#define KIND_CLOSED "statement.closed"
#define KIND_TOTAL  "distributor.total"
#define KIND_PRICE  "distributor.price"
#define KIND_POOL   "pool.month"

/* ---- the batch's working set ------------------------------------------ */

typedef struct {
    recset_t set;            /* the state records read and changed (shared/recset.h);
                                recs[0] is always "policies", recs[1] "calendar" */
    worker_out_t *out;
    err_t *err;
    Ledger__Calendar *cal;   /* recs' "calendar" */
    Ledger__PolicyBook *book;/* recs' "policies" */
} batch_t;

/* batch_policy - the policy version in force for month */
const Ledger__PolicyVersion *batch_policy(batch_t *b, const char *month);

/* batch_index_order - id into the orders placed in month ("pm:<month>") */
int batch_index_order(batch_t *b, const char *month, uint64_t id);

/* batch_index_person - p into the people of index "<prefix>:<month>" */
int batch_index_person(batch_t *b, const char *prefix, const char *month,
                       const Ledger__PartyRef *p);

/* Months "YYYY-MM" and people "staff:S-1"; out >= 8 for months. */
const char *batch_month(char out[8], int64_t ms);
const char *batch_next_month(char out[8], const char *month);
const char *batch_prev_month(char out[8], const char *month);
const char *batch_open_month(batch_t *b, char out[8]);
const char *batch_person(char *out, size_t n, const Ledger__PartyRef *p);
const char *batch_order_key(char *out, size_t n, uint64_t id);

#endif
