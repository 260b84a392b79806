/* pool - the centre bonus pool of DOMAIN.md 3.6 at its edges, in exact fen:
 * the default brackets whole and marginal at 10,000.00 / 20,000.00 /
 * 30,000.00 yuan and one fen over, the marginal sum rounded once, no profit,
 * int64-sized profits and pools, the proportional split with its leftover fen
 * by largest remainder and ties by code, negative sales, caps (cut kept by
 * the company, an uncapped role), nobody with sales, and brackets that cannot
 * be applied. Custom policies are static (each test runs in its own process);
 * the default one comes from policy_default(). */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "policy.h"
#include "pool.h"

#define N(a) (sizeof (a) / sizeof (a)[0])
#define OPEN (-1)                  /* s_bracket: the last bracket, without up_to */

static Ledger__Policy s_pol;
static Ledger__PoolBracket s_br[8];
static Ledger__PoolBracket *s_brp[8];
static Ledger__RoleAmount s_caps[4];
static Ledger__RoleAmount *s_capp[4];

/* s_custom - an empty policy whose brackets and caps the test sets */
static Ledger__Policy *s_custom(void)
{
    ledger__policy__init(&s_pol);
    s_pol.pool_brackets = s_brp;
    s_pol.monthly_caps = s_capp;
    return &s_pol;
}

/* s_bracket - append a bracket to the custom policy; up_to OPEN: none */
static void s_bracket(int64_t up_to, int64_t rate)
{
    size_t i = s_pol.n_pool_brackets++;
    cr_assert_lt(i, N(s_br), "s_bracket: more than %zu brackets", N(s_br));
    ledger__pool_bracket__init(&s_br[i]);
    if (up_to != OPEN) {
        s_br[i]._up_to_case = LEDGER__POOL_BRACKET___UP_TO_UP_TO;
        s_br[i].up_to = up_to;
    }
    s_br[i].rate = rate;
    s_brp[i] = &s_br[i];
}

/* s_flat - a custom policy of one open bracket: pool = profit x rate */
static Ledger__Policy *s_flat(int64_t rate)
{
    Ledger__Policy *p = s_custom();
    s_bracket(OPEN, rate);
    return p;
}

/* s_cap - append a monthly cap to the custom policy */
static void s_cap(const char *role, int64_t amount)
{
    size_t i = s_pol.n_monthly_caps++;
    cr_assert_lt(i, N(s_caps), "s_cap: more than %zu caps", N(s_caps));
    ledger__role_amount__init(&s_caps[i]);
    s_caps[i].role = (char *)role;
    s_caps[i].amount = amount;
    s_capp[i] = &s_caps[i];
}

/* s_compute - pool_compute, which must succeed */
static void s_compute(pool_result_t *out, int64_t profit, const Ledger__Policy *p,
                      const pool_member_t *m, size_t n)
{
    int rc = pool_compute(out, profit, p, m, n);
    cr_assert_eq(rc, 0, "pool_compute(profit %lld) = %d, want 0", (long long)profit, rc);
}

/* s_expect - the result's pool, capped and shares, each named on failure;
 * the shares plus capped always make the pool */
static void s_expect(const char *what, const pool_result_t *r, int64_t pool, int64_t capped,
                     const int64_t *shares, size_t n)
{
    cr_expect_eq(r->pool, pool, "%s: pool got %lld, want %lld", what, (long long)r->pool,
                 (long long)pool);
    cr_expect_eq(r->capped, capped, "%s: capped got %lld, want %lld", what,
                 (long long)r->capped, (long long)capped);
    int64_t sum = r->capped;
    for (size_t i = 0; i < n; i++) {
        cr_expect_eq(r->shares[i], shares[i], "%s: shares[%zu] got %lld, want %lld", what, i,
                     (long long)r->shares[i], (long long)shares[i]);
        sum += r->shares[i];
    }
    cr_expect_eq(sum, r->pool, "%s: shares + capped got %lld, want the pool %lld", what,
                 (long long)sum, (long long)r->pool);
}

typedef struct {
    int64_t profit;                /* fen */
    int64_t rate;                  /* want: bp reported */
    int64_t pool;                  /* want: fen */
} bracket_case_t;

/* s_brackets - each case against the default policy, whole or marginal */
static void s_brackets(int marginal, const bracket_case_t *cases, size_t n)
{
    Ledger__Policy *p = policy_default();
    p->pool_marginal = marginal;
    for (size_t i = 0; i < n; i++) {
        pool_result_t r;
        s_compute(&r, cases[i].profit, p, NULL, 0);
        cr_expect_eq(r.profit, cases[i].profit, "%s %lld: profit got %lld, want it as given",
                     marginal ? "marginal" : "whole", (long long)cases[i].profit,
                     (long long)r.profit);
        cr_expect_eq(r.rate, cases[i].rate, "%s %lld: rate got %lld, want %lld",
                     marginal ? "marginal" : "whole", (long long)cases[i].profit,
                     (long long)r.rate, (long long)cases[i].rate);
        cr_expect_eq(r.pool, cases[i].pool, "%s %lld: pool got %lld, want %lld",
                     marginal ? "marginal" : "whole", (long long)cases[i].profit,
                     (long long)r.pool, (long long)cases[i].pool);
        free(r.shares);
    }
    ledger__policy__free_unpacked(p, NULL);
}

Test(pool, whole_takes_the_bracket_rate_on_the_whole_profit_at_each_edge)
{
    static const bracket_case_t cases[] = {
        { 1, 3000, 0 },                        /* 0.3 fen */
        { 5, 3000, 2 },                        /* 1.5 fen: half away from zero */
        { 1000000, 3000, 300000 },             /* 10,000.00 yuan: still 30 % */
        { 1000001, 3500, 350000 },             /* 350,000.35 fen */
        { 2000000, 3500, 700000 },             /* 20,000.00 yuan: still 35 % */
        { 2000001, 4000, 800000 },             /* 800,000.40 fen */
        { 3000000, 4000, 1200000 },            /* 30,000.00 yuan: still 40 % */
        { 3000001, 4500, 1350000 },            /* 1,350,000.45 fen */
        { 3000002, 4500, 1350001 },            /* 1,350,000.90 fen */
        { 100000000, 4500, 45000000 },         /* far above the last up_to */
    };
    s_brackets(0, cases, N(cases));
}

Test(pool, marginal_takes_each_band_at_its_own_rate_at_each_edge)
{
    /* Rate is 0 when marginal: no one bracket applies to the whole profit. */
    static const bracket_case_t cases[] = {
        { 1, 0, 0 },                           /* 0.3 fen */
        { 5, 0, 2 },                           /* 1.5 fen */
        { 1000000, 0, 300000 },                /* 30 % of 10,000.00 */
        { 1000001, 0, 300000 },                /* 300,000 + 0.35 = 300,000.35 fen */
        { 1000002, 0, 300001 },                /* 300,000 + 0.70 */
        { 2000000, 0, 650000 },                /* 300,000 + 350,000 */
        { 2000001, 0, 650000 },                /* 650,000 + 0.40 */
        { 3000000, 0, 1050000 },               /* 650,000 + 400,000 */
        { 3000001, 0, 1050000 },               /* 1,050,000 + 0.45 */
        { 100000000, 0, 44700000 },            /* 1,050,000 + 45 % of 97,000,000 */
    };
    s_brackets(1, cases, N(cases));
}

Test(pool, marginal_rounds_the_sum_once_not_each_band)
{
    Ledger__Policy *p = s_custom();
    s_bracket(1, 5000);
    s_bracket(OPEN, 5000);
    p->pool_marginal = 1;
    pool_result_t r;
    /* 0.5 + 0.5 = 1.0 fen; rounding each band would give 2. */
    s_compute(&r, 2, p, NULL, 0);
    cr_expect_eq(r.pool, 1, "profit 2: pool got %lld, want 1", (long long)r.pool);
    free(r.shares);
    /* 0.5 + 1.0 = 1.5 fen, rounded once to 2. */
    s_compute(&r, 3, p, NULL, 0);
    cr_expect_eq(r.pool, 2, "profit 3: pool got %lld, want 2", (long long)r.pool);
    free(r.shares);
}

Test(pool, computes_an_int64_profit_without_overflow)
{
    /* INT64_MAX x 45 % = ...113.15 fen; marginal 1,050,000 + the rest x 45 %. */
    static const bracket_case_t whole[] = { { INT64_MAX, 4500, 4150517416584649113LL } };
    static const bracket_case_t marginal[] = { { INT64_MAX, 0, 4150517416584349113LL } };
    s_brackets(0, whole, N(whole));
    s_brackets(1, marginal, N(marginal));
}

Test(pool, no_profit_means_no_pool_no_rate_and_no_shares)
{
    static const int64_t profits[] = { 0, -1, -5000000, INT64_MIN };
    static const pool_member_t m[] = { { "S-1", "supervisor", 100 }, { "S-2", "presale", 50 } };
    static const int64_t zero[] = { 0, 0 };
    Ledger__Policy *p = policy_default();
    for (int marginal = 0; marginal < 2; marginal++) {
        p->pool_marginal = marginal;
        for (size_t i = 0; i < N(profits); i++) {
            char what[64];
            snprintf(what, sizeof what, "%s profit %lld", marginal ? "marginal" : "whole",
                     (long long)profits[i]);
            pool_result_t r;
            s_compute(&r, profits[i], p, m, N(m));
            cr_expect_eq(r.profit, profits[i], "%s: profit got %lld, want it as given", what,
                         (long long)r.profit);
            cr_expect_eq(r.rate, 0, "%s: rate got %lld, want 0", what, (long long)r.rate);
            s_expect(what, &r, 0, 0, zero, N(zero));
            free(r.shares);
        }
    }
    ledger__policy__free_unpacked(p, NULL);
}

Test(pool, splits_by_sales_giving_leftover_fen_by_largest_remainder_then_code)
{
    /* Pool 1000, sales 3:3:1 of 7: exact 428.57, 428.57, 142.86; floors sum
     * to 998. Remainders (x 1/7) 4, 4, 6: the first fen goes to S-3 (the
     * smallest seller, largest remainder), the second to the tie's lower
     * code S-1, though S-2 comes first in the list. */
    static const pool_member_t m[] = {
        { "S-2", "presale", 3 }, { "S-1", "presale", 3 }, { "S-3", "presale", 1 },
    };
    static const int64_t want[] = { 428, 429, 143 };
    pool_result_t r;
    s_compute(&r, 1000, s_flat(10000), m, N(m));
    cr_expect_eq(r.rate, 10000, "rate got %lld, want 10000", (long long)r.rate);
    s_expect("3:3:1 of 1000", &r, 1000, 0, want, N(want));
    free(r.shares);
}

Test(pool, gives_a_leftover_fen_to_the_largest_remainder_not_the_lowest_code)
{
    /* Pool 100, sales 1:2:4 of 7: floors 14, 28, 57 (99); remainders 2, 4, 1. */
    static const pool_member_t m[] = {
        { "S-1", "presale", 1 }, { "S-2", "presale", 2 }, { "S-3", "presale", 4 },
    };
    static const int64_t want[] = { 14, 29, 57 };
    pool_result_t r;
    s_compute(&r, 100, s_flat(10000), m, N(m));
    s_expect("1:2:4 of 100", &r, 100, 0, want, N(want));
    free(r.shares);
}

Test(pool, breaks_a_remainder_tie_by_code_in_byte_order)
{
    /* 101 between two equal sellers: 50.5 each; "S-10" < "S-9" by strcmp. */
    static const pool_member_t m[] = { { "S-9", "presale", 7 }, { "S-10", "presale", 7 } };
    static const int64_t want[] = { 50, 51 };
    pool_result_t r;
    s_compute(&r, 101, s_flat(10000), m, N(m));
    s_expect("1:1 of 101", &r, 101, 0, want, N(want));
    free(r.shares);
}

Test(pool, counts_negative_sales_as_zero)
{
    /* Total 200, not 150: S-2's refunds take nothing from the others. */
    static const pool_member_t m[] = {
        { "S-3", "presale", 100 }, { "S-2", "presale", -50 }, { "S-1", "presale", 100 },
    };
    static const int64_t want[] = { 50, 0, 51 };
    pool_result_t r;
    s_compute(&r, 101, s_flat(10000), m, N(m));
    s_expect("100:-50:100 of 101", &r, 101, 0, want, N(want));
    free(r.shares);
}

Test(pool, shares_an_int64_pool_exactly)
{
    /* 1e14 fen at 45 % = 4.5e13; pool x sales reaches 9e27, past int64.
     * Sales 1e14 : 2e14-1 : 1 of 3e14: floors 1.5e13, 3e13-1, 0; the
     * leftover fen goes to the middle one (remainder 2.55e14 > 4.5e13). */
    static const pool_member_t m[] = {
        { "S-1", "presale", 100000000000000LL },
        { "S-2", "presale", 199999999999999LL },
        { "S-3", "presale", 1 },
    };
    static const int64_t want[] = { 15000000000000LL, 30000000000000LL, 0 };
    Ledger__Policy *p = policy_default();
    pool_result_t r;
    s_compute(&r, 100000000000000LL, p, m, N(m));
    s_expect("1e14 profit", &r, 45000000000000LL, 0, want, N(want));
    free(r.shares);
    ledger__policy__free_unpacked(p, NULL);
}

Test(pool, caps_a_share_and_keeps_the_cut_for_the_company)
{
    /* 50,000 each; the supervisor is cut to 30,000 and the 20,000 is not
     * passed on to the presale agent. */
    static const pool_member_t m[] = { { "S-1", "supervisor", 1 }, { "S-2", "presale", 1 } };
    static const int64_t want[] = { 30000, 50000 };
    Ledger__Policy *p = s_flat(10000);
    s_cap("supervisor", 30000);
    pool_result_t r;
    s_compute(&r, 100000, p, m, N(m));
    s_expect("supervisor capped at 30,000", &r, 100000, 20000, want, N(want));
    free(r.shares);
}

Test(pool, cuts_a_share_one_fen_over_its_cap_and_not_one_at_it)
{
    static const pool_member_t m[] = { { "S-1", "supervisor", 1 }, { "S-2", "supervisor", 1 } };
    static const struct {
        int64_t cap, capped;
        int64_t shares[2];
    } cases[] = {
        { 50000, 0, { 50000, 50000 } },        /* at the cap: kept whole */
        { 49999, 2, { 49999, 49999 } },        /* one fen over, each */
        { 0, 100000, { 0, 0 } },               /* a cap of 0 keeps everything */
    };
    for (size_t i = 0; i < N(cases); i++) {
        char what[64];
        snprintf(what, sizeof what, "cap %lld", (long long)cases[i].cap);
        Ledger__Policy *p = s_flat(10000);
        s_cap("supervisor", cases[i].cap);
        pool_result_t r;
        s_compute(&r, 100000, p, m, N(m));
        s_expect(what, &r, 100000, cases[i].capped, cases[i].shares, N(m));
        free(r.shares);
    }
}

Test(pool, leaves_a_role_without_a_cap_uncapped)
{
    /* Caps match the role's exact name: "Supervisor" and a missing role are
     * not "supervisor"; planner has no entry at all. */
    static const pool_member_t m[] = {
        { "S-1", "planner", 1 }, { "S-2", "Supervisor", 1 }, { "S-3", NULL, 1 },
        { "S-4", "supervisor", 1 },
    };
    static const int64_t want[] = { 25000, 25000, 25000, 1 };
    Ledger__Policy *p = s_flat(10000);
    s_cap("supervisor", 1);
    pool_result_t r;
    s_compute(&r, 100000, p, m, N(m));
    s_expect("only supervisor capped", &r, 100000, 24999, want, N(want));
    free(r.shares);
}

Test(pool, the_default_policy_caps_no_one)
{
    static const pool_member_t m[] = { { "S-1", "supervisor", 1 }, { "S-2", "planner", 3 } };
    static const int64_t want[] = { 75000, 225000 };
    Ledger__Policy *p = policy_default();
    pool_result_t r;
    s_compute(&r, 1000000, p, m, N(m));
    s_expect("default caps", &r, 300000, 0, want, N(want));
    free(r.shares);
    ledger__policy__free_unpacked(p, NULL);
}

Test(pool, keeps_the_whole_pool_for_the_company_when_nobody_sold)
{
    /* Nobody to share with: the pool is reported in capped. */
    static const pool_member_t m[] = { { "S-1", "presale", 0 }, { "S-2", "presale", -300 } };
    static const int64_t want[] = { 0, 0 };
    Ledger__Policy *p = policy_default();
    pool_result_t r;
    s_compute(&r, 1000000, p, m, N(m));
    s_expect("sales 0 and -300", &r, 300000, 300000, want, N(want));
    free(r.shares);

    s_compute(&r, 1000000, p, NULL, 0);
    cr_expect_null(r.shares, "no members: shares got %p, want NULL", (void *)r.shares);
    s_expect("no members", &r, 300000, 300000, NULL, 0);
    ledger__policy__free_unpacked(p, NULL);
}

Test(pool, refuses_brackets_that_cannot_be_applied)
{
    static const struct {
        const char *what;
        int64_t up_to[3], rate[3];
        size_t n;
    } cases[] = {
        { "no brackets", { 0 }, { 0 }, 0 },
        { "no open last bracket", { 1000, 2000 }, { 3000, 3500 }, 2 },
        { "an open bracket before the last", { OPEN, 2000, OPEN }, { 3000, 3500, 4000 }, 3 },
        { "up_to equal to the one before", { 1000, 1000, OPEN }, { 3000, 3500, 4000 }, 3 },
        { "up_to below the one before", { 2000, 1000, OPEN }, { 3000, 3500, 4000 }, 3 },
        { "up_to 0", { 0, OPEN }, { 3000, 3500 }, 2 },
        { "a rate above 100 %", { 1000, OPEN }, { 3000, 10001 }, 2 },
        { "a negative rate", { 1000, OPEN }, { -1, 3500 }, 2 },
    };
    static const pool_member_t m[] = { { "S-1", "presale", 1 } };
    static const int64_t profits[] = { 0, 1500 };
    for (size_t i = 0; i < N(cases); i++) {
        for (size_t k = 0; k < N(profits); k++) {
            Ledger__Policy *p = s_custom();
            for (size_t j = 0; j < cases[i].n; j++)
                s_bracket(cases[i].up_to[j], cases[i].rate[j]);
            pool_result_t r;
            int rc = pool_compute(&r, profits[k], p, m, N(m));
            cr_expect_eq(rc, -1, "%s, profit %lld: got %d, want -1", cases[i].what,
                         (long long)profits[k], rc);
            cr_expect_null(r.shares, "%s: shares got %p, want NULL (nothing allocated)",
                           cases[i].what, (void *)r.shares);
        }
    }
    pool_result_t r;
    int rc = pool_compute(&r, 1500, NULL, m, N(m));
    cr_expect_eq(rc, -1, "no policy: got %d, want -1", rc);
}

Test(pool, gives_the_same_result_every_time)
{
    static const pool_member_t m[] = {
        { "S-2", "presale", 3 }, { "S-1", "supervisor", 3 }, { "S-3", "presale", 1 },
    };
    Ledger__Policy *p = s_flat(3500);
    s_cap("supervisor", 100);
    pool_result_t a, b;
    s_compute(&a, 123457, p, m, N(m));
    s_compute(&b, 123457, p, m, N(m));
    s_expect("second run", &b, a.pool, a.capped, a.shares, N(m));
    free(a.shares);
    free(b.shares);
}
