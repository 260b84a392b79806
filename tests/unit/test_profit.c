/* test_profit - the arithmetic of the product profit table: a refund shared
 * over an order's lines by largest remainder (exact sums, leftover fen to the
 * larger remainder, ties to the lower index, i.e. the lower product code,
 * equal parts when no line has an amount, negative totals, products beyond
 * int64) and margins in basis points rounded half away from zero, 0 without
 * sales. The state-keeping entry points need the worker runtime: they are
 * the integration tests'. */
#include <criterion/criterion.h>
#include <stdint.h>
#include "profit.h"
#include "recon.h"

#define N(a) (sizeof (a) / sizeof (a)[0])

/* recon_policy lives in the worker's main.c, outside the core this test
 * links; profit.c's table writer refers to it and no test here reaches it. */
const Ledger__Policy *recon_policy(recon_t *rc, const char *month)
{
    (void)rc;
    (void)month;
    return NULL;
}

typedef struct {
    int64_t total;
    int64_t weights[4];
    size_t n;
    int64_t want[4];
} share_case_t;

/* s_check_share - profit_share gives want, part by part, and sums to total */
static void s_check_share(const share_case_t *c)
{
    int64_t got[4] = { 0 }, sum = 0;
    profit_share(got, c->total, c->weights, c->n);
    for (size_t i = 0; i < c->n; i++) {
        cr_expect_eq(got[i], c->want[i], "profit_share(%lld, n=%zu): part %zu got %lld, want %lld",
                     (long long)c->total, c->n, i, (long long)got[i], (long long)c->want[i]);
        sum += got[i];
    }
    cr_expect_eq(sum, c->total, "profit_share(%lld, n=%zu): parts sum to %lld",
                 (long long)c->total, c->n, (long long)sum);
}

Test(profit, shares_a_refund_in_proportion_to_line_amounts)
{
    static const share_case_t cases[] = {
        { 1000, { 300, 700 }, 2, { 300, 700 } },          /* exact */
        { 100, { 5000, 15000 }, 2, { 25, 75 } },
        { 7, { 0, 5, 0 }, 3, { 0, 7, 0 } },                /* a line without amount gets nothing */
        { 0, { 3, 4 }, 2, { 0, 0 } },
    };
    for (size_t i = 0; i < N(cases); i++)
        s_check_share(&cases[i]);
}

Test(profit, gives_leftover_fen_to_the_largest_remainders)
{
    /* 10 x {1,2,4}/7 = 1.43, 2.86, 5.71: floors 1,2,5 leave 2 fen for
     * remainders 3/7, 6/7, 5/7: the second and the third */
    static const share_case_t cases[] = {
        { 10, { 1, 2, 4 }, 3, { 1, 3, 6 } },
        { 99, { 10, 20, 30, 40 }, 4, { 10, 20, 30, 39 } },   /* 9.9 19.8 29.7 39.6 */
    };
    for (size_t i = 0; i < N(cases); i++)
        s_check_share(&cases[i]);
}

Test(profit, breaks_ties_toward_the_lower_product_code)
{
    static const share_case_t cases[] = {
        { 100, { 1, 1, 1 }, 3, { 34, 33, 33 } },
        { 2, { 5, 5, 5 }, 3, { 1, 1, 0 } },
        { 1, { 7, 7 }, 2, { 1, 0 } },
    };
    for (size_t i = 0; i < N(cases); i++)
        s_check_share(&cases[i]);
}

Test(profit, shares_equally_when_no_line_has_an_amount)
{
    static const share_case_t cases[] = {
        { 10, { 0, 0 }, 2, { 5, 5 } },
        { 10, { 0, 0, 0 }, 3, { 4, 3, 3 } },
    };
    for (size_t i = 0; i < N(cases); i++)
        s_check_share(&cases[i]);
}

Test(profit, shares_a_negative_total_as_the_mirror_of_the_positive)
{
    static const share_case_t c = { -100, { 1, 1, 1 }, 3, { -34, -33, -33 } };
    s_check_share(&c);
}

Test(profit, shares_exactly_where_total_times_weight_passes_int64)
{
    /* 1e14 x 1e14 is far beyond int64; exact in 128 bits */
    static const share_case_t c = { 100000000000000LL, { 100000000000000LL, 100000000000000LL, 1 },
                                    3, { 50000000000000LL, 50000000000000LL, 0 } };
    s_check_share(&c);
}

Test(profit, rounds_margins_half_away_from_zero)
{
    static const struct {
        int64_t profit, sales, want;
    } cases[] = {
        { 1, 3, 3333 },          /* 3333.33 */
        { 2, 3, 6667 },          /* 6666.67 */
        { -1, 3, -3333 },
        { -2, 3, -6667 },
        { 1, 20000, 1 },         /* 0.5 up */
        { -1, 20000, -1 },       /* -0.5 away from zero */
        { 1, 20001, 0 },
        { 2000, 10000, 2000 },   /* list 100 yuan, purchase 80: 20 % */
        { 150, 100, 15000 },     /* more profit than sales: a refund beyond the revenue */
        { -500, 100, -50000 },
    };
    for (size_t i = 0; i < N(cases); i++) {
        int64_t got = profit_margin_bp(cases[i].profit, cases[i].sales);
        cr_expect_eq(got, cases[i].want, "profit_margin_bp(%lld, %lld): got %lld, want %lld",
                     (long long)cases[i].profit, (long long)cases[i].sales, (long long)got,
                     (long long)cases[i].want);
    }
}

Test(profit, gives_no_margin_without_sales)
{
    cr_expect_eq(profit_margin_bp(0, 0), 0, "profit_margin_bp(0, 0)");
    cr_expect_eq(profit_margin_bp(-500, 0), 0, "profit_margin_bp(-500, 0)");
    cr_expect_eq(profit_margin_bp(-500, -500), 0,
                 "profit_margin_bp(-500, -500): refunds beyond the revenue");
}

Test(profit, holds_a_margin_beyond_int64_to_its_limit)
{
    cr_expect_eq(profit_margin_bp(INT64_MAX, 1), INT64_MAX, "profit_margin_bp(INT64_MAX, 1)");
    cr_expect_eq(profit_margin_bp(INT64_MIN, 1), INT64_MIN, "profit_margin_bp(INT64_MIN, 1)");
}
