/* pool - the centre bonus pool of one centre and month (DOMAIN.md 3.6): the
 * pool from the net profit by the policy's brackets (the bracket's rate on
 * the whole profit, or each band at its own rate with the sum rounded once),
 * shared in proportion to sales by largest remainder (ties by staff code),
 * each share cut to its role's monthly cap; what the caps cut, or a pool with
 * no sales to share it, stays with the company in capped. Pure and integer
 * only; products are exact in 128 bits. Gathering profit and sales is main.c's. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include "money.h"
#include "pool.h"
#include "xmalloc.h"

#define BP_WHOLE 10000   /* bp: 100 % */

/* One member's place in the leftover-fen queue. */
typedef struct {
    __int128 rem;        /* pool x sales mod total sales */
    const char *code;    /* ties: the lower code first */
    size_t ix;           /* index in members: the last tie-break, for equal codes */
} rank_t;

/* s_has_up_to - the bracket has an upper bound (every bracket but the last) */
static int s_has_up_to(const Ledger__PoolBracket *b)
{
    return b->_up_to_case == LEDGER__POOL_BRACKET___UP_TO_UP_TO;
}

/* s_brackets_ok - at least one bracket, up_to positive and strictly rising,
 * only the last open, rates 0..100 % (so the pool never exceeds the profit) */
static int s_brackets_ok(const Ledger__Policy *policy)
{
    if (!policy || policy->n_pool_brackets == 0 || !policy->pool_brackets)
        return 0;
    size_t n = policy->n_pool_brackets;
    for (size_t i = 0; i < n; i++) {
        const Ledger__PoolBracket *b = policy->pool_brackets[i];
        if (!b || b->rate < 0 || b->rate > BP_WHOLE)
            return 0;
        if (s_has_up_to(b) != (i + 1 < n))
            return 0;
        if (i + 1 < n && b->up_to < 1)
            return 0;
        if (i + 1 < n && i > 0 && b->up_to <= policy->pool_brackets[i - 1]->up_to)
            return 0;
    }
    return 1;
}

/* s_whole - the first bracket whose up_to holds profit (else the last) */
static const Ledger__PoolBracket *s_whole(const Ledger__Policy *policy, int64_t profit)
{
    size_t n = policy->n_pool_brackets;
    for (size_t i = 0; i + 1 < n; i++)
        if (profit <= policy->pool_brackets[i]->up_to)
            return policy->pool_brackets[i];
    return policy->pool_brackets[n - 1];
}

/* s_marginal - sum of each band x its rate / 10000, rounded once; profit > 0.
 * The exact sum can pass int64 for a huge profit, so each band splits as
 * whole ten-thousands (whose products are whole fen) and a rest below
 * 10000; only the rests' products, each below 1e8, are rounded together. */
static int64_t s_marginal(const Ledger__Policy *policy, int64_t profit)
{
    int64_t whole = 0, rest = 0, lower = 0;
    for (size_t i = 0; i < policy->n_pool_brackets && profit > lower; i++) {
        const Ledger__PoolBracket *b = policy->pool_brackets[i];
        int64_t upper = s_has_up_to(b) && b->up_to < profit ? b->up_to : profit;
        int64_t band = upper - lower;
        whole += band / BP_WHOLE * b->rate;   /* <= band: rate <= 10000 */
        rest += band % BP_WHOLE * b->rate;
        lower = upper;
    }
    return whole + money_div_round(rest, BP_WHOLE);
}

/* s_cmp_rank - larger remainder first, then the lower code, then members' order */
static int s_cmp_rank(const void *a, const void *b)
{
    const rank_t *x = a, *y = b;
    if (x->rem != y->rem)
        return x->rem > y->rem ? -1 : 1;
    int c = strcmp(x->code ? x->code : "", y->code ? y->code : "");
    if (c)
        return c;
    return x->ix < y->ix ? -1 : x->ix > y->ix;
}

/* s_share - floor the exact shares, then one leftover fen each by largest
 * remainder; 0 when there are no sales (shares stay 0) */
static int s_share(int64_t *shares, int64_t pool, const pool_member_t *members, size_t n)
{
    __int128 total = 0;
    for (size_t i = 0; i < n; i++)
        if (members[i].sales > 0)
            total += members[i].sales;
    if (total == 0)
        return 0;

    rank_t *rank = xcalloc(n, sizeof *rank);
    int64_t given = 0;
    for (size_t i = 0; i < n; i++) {
        __int128 part = members[i].sales > 0 ? (__int128)pool * members[i].sales : 0;
        shares[i] = (int64_t)(part / total);   /* <= pool */
        given += shares[i];
        rank[i] = (rank_t){ .rem = part % total, .code = members[i].code, .ix = i };
    }
    /* The remainders sum to leftover x total, each below total: fewer
     * leftover fen than members with a remainder, so no 0-sales member gets one. */
    qsort(rank, n, sizeof *rank, s_cmp_rank);
    for (int64_t k = 0, left = pool - given; k < left; k++)
        shares[rank[k].ix]++;
    free(rank);
    return 1;
}

/* s_cap - the monthly cap of role (the first entry of that exact name, below
 * 0 read as 0), or -1 when the role has none */
static int64_t s_cap(const Ledger__Policy *policy, const char *role)
{
    if (!role)
        return -1;
    for (size_t i = 0; i < policy->n_monthly_caps; i++) {
        const Ledger__RoleAmount *c = policy->monthly_caps[i];
        if (c && c->role && !strcmp(c->role, role))
            return c->amount > 0 ? c->amount : 0;
    }
    return -1;
}

/* pool_compute - bracket, pool, shares, caps; -1 only for bad brackets */
int pool_compute(pool_result_t *out, int64_t profit, const Ledger__Policy *policy,
                 const pool_member_t *members, size_t n)
{
    assert(out);
    assert(members || n == 0);
    memset(out, 0, sizeof *out);
    /* Checked whatever the profit, so a bad policy fails every month alike. */
    if (!s_brackets_ok(policy))
        return -1;
    out->profit = profit;
    out->shares = n ? xcalloc(n, sizeof *out->shares) : NULL;
    if (profit <= 0)
        return 0;

    if (policy->pool_marginal) {
        out->pool = s_marginal(policy, profit);
    } else {
        out->rate = s_whole(policy, profit)->rate;
        out->pool = money_apply_bp(profit, out->rate);
    }

    /* Nobody sold: nobody to share with, so the company keeps the pool. */
    if (!s_share(out->shares, out->pool, members, n)) {
        out->capped = out->pool;
        return 0;
    }
    /* A cut is not passed on to the others: it stays with the company. */
    for (size_t i = 0; i < n; i++) {
        int64_t cap = s_cap(policy, members[i].role);
        if (cap >= 0 && out->shares[i] > cap) {
            out->capped += out->shares[i] - cap;
            out->shares[i] = cap;
        }
    }
    return 0;
}
