/* test_tiers - the distributor tier at each threshold (4,999.99 / 5,000.00 /
 * 9,999.99 / 10,000.00 yuan) and how far the next one is, the crossing order
 * priced at its old tier, unit prices rounded once and half away from zero,
 * exact for products beyond int64, and the monthly rebate at each bracket of
 * the default policy and of a custom one. Default numbers come from
 * policy_default(); custom policies are built on the stack. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdint.h>
#include "money.h"
#include "policy.h"
#include "tiers.h"

#define N(a) (sizeof (a) / sizeof (a)[0])

static Ledger__Policy *s_def;   /* the default policy, per test */

/* s_setup - a fresh default policy */
static void s_setup(void)
{
    s_def = policy_default();
    cr_assert_not_null(s_def, "policy_default() returned NULL");
}

/* s_teardown - free the default policy */
static void s_teardown(void)
{
    ledger__policy__free_unpacked(s_def, NULL);
    s_def = NULL;
}

TestSuite(tiers, .init = s_setup, .fini = s_teardown);

/* s_check_tier - tiers_of(policy, cumulative) is want, field by field */
static void s_check_tier(const Ledger__Policy *policy, int64_t cumulative, tier_t want)
{
    tier_t got;
    tiers_of(&got, policy, cumulative);
    cr_assert_eq(got.index, want.index, "tiers_of(%lld): index got %d, want %d",
                 (long long)cumulative, got.index, want.index);
    cr_assert_eq(got.from, want.from, "tiers_of(%lld): from got %lld, want %lld",
                 (long long)cumulative, (long long)got.from, (long long)want.from);
    cr_assert_eq(got.factor, want.factor, "tiers_of(%lld): factor got %lld, want %lld",
                 (long long)cumulative, (long long)got.factor, (long long)want.factor);
    cr_assert_eq(got.next_from, want.next_from, "tiers_of(%lld): next_from got %lld, want %lld",
                 (long long)cumulative, (long long)got.next_from, (long long)want.next_from);
    cr_assert_eq(got.to_next, want.to_next, "tiers_of(%lld): to_next got %lld, want %lld",
                 (long long)cumulative, (long long)got.to_next, (long long)want.to_next);
}

/* s_price - the unit price of list_price at the tier of cumulative */
static int64_t s_price(const Ledger__Policy *policy, int64_t cumulative, int64_t list_price)
{
    tier_t t;
    tiers_of(&t, policy, cumulative);
    return tiers_unit_price(policy, &t, list_price);
}

/* s_check_price - list_price at the tier of cumulative costs want fen */
static void s_check_price(const Ledger__Policy *policy, int64_t cumulative, int64_t list_price,
                          int64_t want)
{
    int64_t got = s_price(policy, cumulative, list_price);
    cr_assert_eq(got, want, "tiers_unit_price(list %lld, cumulative %lld): got %lld, want %lld",
                 (long long)list_price, (long long)cumulative, (long long)got, (long long)want);
}

/* s_check_rebate - net_sales earn want fen */
static void s_check_rebate(const Ledger__Policy *policy, int64_t net_sales, int64_t want)
{
    int64_t got = tiers_rebate(policy, net_sales);
    cr_assert_eq(got, want, "tiers_rebate(%lld): got %lld, want %lld", (long long)net_sales,
                 (long long)got, (long long)want);
}

/* A custom policy: supply rate and tiers / brackets on the stack. */
typedef struct {
    Ledger__Policy p;
    Ledger__DistributorTier tier[4];
    Ledger__DistributorTier *tiers[4];
    Ledger__RebateBracket bracket[4];
    Ledger__RebateBracket *brackets[4];
} custom_t;

/* s_custom - c with supply rate, n_t tiers (from, factor pairs) and n_b
 * brackets (from, rebate pairs) */
static void s_custom(custom_t *c, int64_t supply, size_t n_t, const int64_t t[][2], size_t n_b,
                     const int64_t b[][2])
{
    ledger__policy__init(&c->p);
    c->p.distributor_supply_rate = supply;
    for (size_t i = 0; i < n_t; i++) {
        ledger__distributor_tier__init(&c->tier[i]);
        c->tier[i].from = t[i][0];
        c->tier[i].factor = t[i][1];
        c->tiers[i] = &c->tier[i];
    }
    c->p.n_distributor_tiers = n_t;
    c->p.distributor_tiers = n_t ? c->tiers : NULL;
    for (size_t i = 0; i < n_b; i++) {
        ledger__rebate_bracket__init(&c->bracket[i]);
        c->bracket[i].from = b[i][0];
        c->bracket[i].rebate = b[i][1];
        c->brackets[i] = &c->bracket[i];
    }
    c->p.n_rebate_brackets = n_b;
    c->p.rebate_brackets = n_b ? c->brackets : NULL;
}

/* --- tiers_of ----------------------------------------------------------- */

Test(tiers, of_default_policy_changes_tier_exactly_at_each_threshold)
{
    static const struct { int64_t cumulative; tier_t want; } cases[] = {
        { 0,          { 0, 0, 10000, 500000, 500000 } },
        { 1,          { 0, 0, 10000, 500000, 499999 } },
        { 499999,     { 0, 0, 10000, 500000, 1 } },            /* 4,999.99: normal */
        { 500000,     { 1, 500000, 9000, 1000000, 500000 } },  /* 5,000.00: advanced */
        { 999999,     { 1, 500000, 9000, 1000000, 1 } },       /* 9,999.99: advanced */
        { 1000000,    { 2, 1000000, 8000, 0, 0 } },            /* 10,000.00: gold */
        { 1000001,    { 2, 1000000, 8000, 0, 0 } },
        { MONEY_MAX_FEN, { 2, 1000000, 8000, 0, 0 } },
    };
    for (size_t i = 0; i < N(cases); i++)
        s_check_tier(s_def, cases[i].cumulative, cases[i].want);
}

Test(tiers, of_negative_cumulative_takes_the_first_tier)
{
    /* Refunds can bring the total below zero; the distance counts from there. */
    s_check_tier(s_def, -1, (tier_t){ 0, 0, 10000, 500000, 500001 });
    s_check_tier(s_def, -250000, (tier_t){ 0, 0, 10000, 500000, 750000 });
}

Test(tiers, of_cumulative_below_the_first_tier_takes_the_first_tier)
{
    static const int64_t t[][2] = { { 100000, 9500 }, { 300000, 9000 } };
    custom_t c;
    s_custom(&c, 8000, N(t), t, 0, NULL);
    s_check_tier(&c.p, 0, (tier_t){ 0, 100000, 9500, 300000, 300000 });
    s_check_tier(&c.p, 99999, (tier_t){ 0, 100000, 9500, 300000, 200001 });
    s_check_tier(&c.p, 100000, (tier_t){ 0, 100000, 9500, 300000, 200000 });
    s_check_tier(&c.p, 300000, (tier_t){ 1, 300000, 9000, 0, 0 });
}

Test(tiers, of_a_single_tier_has_no_next_tier)
{
    static const int64_t t[][2] = { { 0, 9500 } };
    custom_t c;
    s_custom(&c, 8000, N(t), t, 0, NULL);
    s_check_tier(&c.p, 0, (tier_t){ 0, 0, 9500, 0, 0 });
    s_check_tier(&c.p, 123456789, (tier_t){ 0, 0, 9500, 0, 0 });
    s_check_tier(&c.p, -5, (tier_t){ 0, 0, 9500, 0, 0 });
}

Test(tiers, of_a_policy_without_tiers_is_the_full_supply_price)
{
    custom_t c;
    s_custom(&c, 8000, 0, NULL, 0, NULL);
    s_check_tier(&c.p, 0, (tier_t){ -1, 0, 10000, 0, 0 });
    s_check_tier(&c.p, 2000000, (tier_t){ -1, 0, 10000, 0, 0 });
    s_check_tier(&c.p, -1, (tier_t){ -1, 0, 10000, 0, 0 });
    s_check_price(&c.p, 2000000, 12345, 9876);   /* 12,345 x 80 % */
}

Test(tiers, crossing_order_is_priced_at_the_tier_before_it)
{
    /* 4,999.99 bought so far; an order of 10 units at 100.00 list takes the
     * total past 5,000.00 but is priced normal, from the total before it. */
    int64_t before = 499999, unit = s_price(s_def, before, 10000), after;
    cr_assert_eq(unit, 8000, "crossing order unit price: got %lld, want 8000", (long long)unit);
    cr_assert_eq(money_add(&after, before, unit * 10), 0, "money_add overflowed");
    cr_assert_eq(after, 579999, "total after the crossing order: got %lld, want 579999",
                 (long long)after);
    /* The next order sees the new total: advanced. */
    s_check_price(s_def, after, 10000, 7200);
    /* A refund bringing the total back under the threshold restores normal. */
    s_check_price(s_def, after - 80001, 10000, 8000);
}

/* --- tiers_unit_price --------------------------------------------------- */

Test(tiers, unit_price_is_list_x_supply_rate_x_tier_factor)
{
    static const struct { int64_t cumulative, list, want; } cases[] = {
        { 0,       10000, 8000 },    /* normal: 80 % of 100.00 */
        { 500000,  10000, 7200 },    /* advanced: 90 % of 80.00 */
        { 1000000, 10000, 6400 },    /* gold: 80 % of 80.00 */
        { 0,       12345, 9876 },    /* 9,876.0 */
        { 499999,  12345, 9876 },
        { 500000,  12345, 8888 },    /* 8,888.4 rounds down */
        { 999999,  12345, 8888 },
        { 1000000, 12345, 7901 },    /* 7,900.8 rounds up */
        { 500000,  5,     4 },       /* 3.6 rounds up */
        { 1000000, 4,     3 },       /* 2.56 rounds up */
        { 0,       1,     1 },       /* 0.8 rounds up */
        { 500000,  1,     1 },       /* 0.72 */
        { 1000000, 0,     0 },
    };
    for (size_t i = 0; i < N(cases); i++)
        s_check_price(s_def, cases[i].cumulative, cases[i].list, cases[i].want);
}

Test(tiers, unit_price_rounds_once_not_at_the_supply_price)
{
    /* Rounding the supply price first would give 17 -> 13.6 -> 14 -> 12.6 -> 13,
     * 8 -> 6.4 -> 6 -> 5.4 -> 5 and 7 -> 5.6 -> 6 -> 4.8 -> 5; once: 12, 6, 4. */
    s_check_price(s_def, 500000, 17, 12);    /* 12.24 */
    s_check_price(s_def, 500000, 8, 6);      /* 5.76 */
    s_check_price(s_def, 1000000, 7, 4);     /* 4.48 */
}

Test(tiers, unit_price_rounds_an_exact_half_away_from_zero)
{
    /* The default rates (80 %, 72 %, 64 %) never leave exactly half a fen;
     * 80 % x 93.75 % = 75 % does. */
    static const int64_t t[][2] = { { 0, 9375 } };
    static const struct { int64_t list, want; } cases[] = {
        { 10002, 7502 },     /* 7,501.5 */
        { 10000, 7500 },     /* 7,500.0 */
        { 10001, 7501 },     /* 7,500.75 */
        { 2,     2 },        /* 1.5 */
        { 1,     1 },        /* 0.75 */
        { -2,    -2 },       /* -1.5: away from zero, not up */
        { -10002, -7502 },
    };
    custom_t c;
    s_custom(&c, 8000, N(t), t, 0, NULL);
    for (size_t i = 0; i < N(cases); i++)
        s_check_price(&c.p, 0, cases[i].list, cases[i].want);
}

Test(tiers, unit_price_is_exact_when_the_product_exceeds_int64)
{
    /* 1e14 fen x 8000 x 9000 = 7.2e21, beyond int64; the result is not. */
    static const struct { int64_t cumulative, list, want; } cases[] = {
        { 0,       MONEY_MAX_FEN,     80000000000000LL },
        { 500000,  MONEY_MAX_FEN,     72000000000000LL },
        { 1000000, MONEY_MAX_FEN,     64000000000000LL },
        { 500000,  MONEY_MAX_FEN - 1, 71999999999999LL },   /* ...999.28 */
        { 500000,  MONEY_MAX_FEN - 3, 71999999999998LL },   /* ...997.84 */
        { 0,       INT64_MAX,         7378697629483820646LL },   /* ...645.6 */
    };
    for (size_t i = 0; i < N(cases); i++)
        s_check_price(s_def, cases[i].cumulative, cases[i].list, cases[i].want);
}

Test(tiers, unit_price_uses_the_tier_it_is_given)
{
    tier_t t;
    tiers_of(&t, s_def, 0);
    t.factor = 8000;   /* the caller's tier, e.g. the one before a crossing */
    int64_t got = tiers_unit_price(s_def, &t, 10000);
    cr_assert_eq(got, 6400, "tiers_unit_price(factor 8000): got %lld, want 6400", (long long)got);
}

Test(tiers, unit_price_panics_when_the_result_does_not_fit, .signal = SIGABRT)
{
    /* Only an unvalidated policy (rates above 100 %) can get here. */
    static const int64_t t[][2] = { { 0, 20000 } };
    custom_t c;
    s_custom(&c, 10000, N(t), t, 0, NULL);
    s_price(&c.p, 0, INT64_MAX);
}

/* --- tiers_rebate ------------------------------------------------------- */

Test(tiers, rebate_of_default_policy_pays_the_highest_bracket_reached)
{
    static const struct { int64_t sales, want; } cases[] = {
        { 0,        0 },
        { 199999,   0 },         /* 1,999.99 */
        { 200000,   10000 },     /* 2,000.00 -> 100.00 */
        { 499999,   10000 },     /* 4,999.99 -> 100.00 */
        { 500000,   50000 },     /* 5,000.00 -> 500.00, not 600.00 */
        { 999999,   50000 },
        { 1000000,  150000 },    /* 10,000.00 -> 1,500.00, not 1,600.00 */
        { MONEY_MAX_FEN, 150000 },
    };
    for (size_t i = 0; i < N(cases); i++)
        s_check_rebate(s_def, cases[i].sales, cases[i].want);
}

Test(tiers, rebate_of_negative_net_sales_is_zero)
{
    s_check_rebate(s_def, -1, 0);
    s_check_rebate(s_def, -1000000, 0);
    s_check_rebate(s_def, INT64_MIN, 0);
}

Test(tiers, rebate_follows_custom_brackets)
{
    static const int64_t b[][2] = { { 100000, 5000 }, { 300000, 20000 }, { 800000, 99900 } };
    static const struct { int64_t sales, want; } cases[] = {
        { 99999,  0 },
        { 100000, 5000 },
        { 299999, 5000 },
        { 300000, 20000 },
        { 799999, 20000 },
        { 800000, 99900 },
        { 1000000, 99900 },
    };
    custom_t c;
    s_custom(&c, 8000, 0, NULL, N(b), b);
    for (size_t i = 0; i < N(cases); i++)
        s_check_rebate(&c.p, cases[i].sales, cases[i].want);
}

Test(tiers, rebate_bracket_from_zero_pays_zero_sales_but_not_negative)
{
    static const int64_t b[][2] = { { 0, 1000 }, { 200000, 10000 } };
    custom_t c;
    s_custom(&c, 8000, 0, NULL, N(b), b);
    s_check_rebate(&c.p, 0, 1000);
    s_check_rebate(&c.p, 1, 1000);
    s_check_rebate(&c.p, -1, 0);
}

Test(tiers, rebate_of_a_policy_without_brackets_is_zero)
{
    custom_t c;
    s_custom(&c, 8000, 0, NULL, 0, NULL);
    s_check_rebate(&c.p, 0, 0);
    s_check_rebate(&c.p, 1000000, 0);
    s_check_rebate(&c.p, MONEY_MAX_FEN, 0);
}
