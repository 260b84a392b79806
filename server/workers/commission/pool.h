/* pool - the centre bonus pool of one centre and month (DOMAIN.md 3.6):
 * the pool from the monthly net profit by the policy's brackets (whole or
 * marginal), shared in proportion to each person's sales with
 * largest-remainder rounding, each share capped by the person's primary
 * role. Pure; gathering profit and sales is main.c's. */
#ifndef LEDGER_POOL_H
#define LEDGER_POOL_H

#include <stddef.h>
#include <stdint.h>
#include "policy.pb-c.h"

typedef struct {
    const char *code;     /* staff code: ties in rounding go to the lower code */
    const char *role;     /* primary role as policy monthly_caps names it ("supervisor") */
    int64_t sales;        /* fen, net of refunds; below 0 counts as 0 */
} pool_member_t;

typedef struct {
    int64_t profit;       /* the centre's net profit, fen, as given */
    int64_t rate;         /* bp of the bracket applied to the whole profit; 0 when marginal
                             or no profit */
    int64_t pool;         /* fen: 0 when profit <= 0 */
    int64_t *shares;      /* per member, in the members' order, after caps (caller frees) */
    int64_t capped;       /* fen the caps cut off: stays with the company */
} pool_result_t;

/* pool_compute - the pool and the shares. -1 (nothing allocated) only for a
 * policy whose brackets cannot be applied; 0 otherwise, out->shares owned
 * by the caller (free()). */
int pool_compute(pool_result_t *out, int64_t profit, const Ledger__Policy *policy,
                 const pool_member_t *members, size_t n);

#endif
