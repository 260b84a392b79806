/* test_money - yuan parsing and formatting, checked arithmetic, and
 * half-away-from-zero rounding of divisions and basis points. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdint.h>
#include "money.h"

#define N(a) (sizeof (a) / sizeof (a)[0])

/* s_parse_ok - text parses to want fen */
static void s_parse_ok(const char *text, int64_t want)
{
    int64_t got = -777;
    err_t err = { 0 };
    int rc = money_parse(&got, text, &err);
    cr_assert_eq(rc, 0, "money_parse(\"%s\") = %d (%s: %s), want 0", text, rc,
                 err_code_name(err.code), err.msg);
    cr_assert_eq(got, want, "money_parse(\"%s\"): got %lld fen, want %lld", text,
                 (long long)got, (long long)want);
}

/* s_parse_fails - text is refused with code and an empty field; out untouched */
static void s_parse_fails(const char *text, int code)
{
    int64_t got = -777;
    err_t err = { 0 };
    int rc = money_parse(&got, text, &err);
    cr_assert_eq(rc, -1, "money_parse(\"%s\") = %d (%lld fen), want -1", text, rc,
                 (long long)got);
    cr_assert_eq(err.code, code, "money_parse(\"%s\"): got %s, want %s", text,
                 err_code_name(err.code), err_code_name(code));
    cr_assert_str_eq(err.field, "", "money_parse(\"%s\"): field \"%s\", want \"\"", text,
                     err.field);
    cr_assert_neq(err.msg[0], '\0', "money_parse(\"%s\"): empty message", text);
    cr_assert_eq(got, -777, "money_parse(\"%s\") wrote %lld on failure", text, (long long)got);
}

Test(money, parses_yuan_into_fen)
{
    static const struct { const char *text; int64_t fen; } cases[] = {
        { "0", 0 },           { "0.01", 1 },          { "0.07", 7 },
        { "0.1", 10 },        { "1234.5", 123450 },   { "1234.56", 123456 },
        { "-3", -300 },       { "-0.05", -5 },        { "-0", 0 },
        { "-0.00", 0 },       { "007", 700 },         { "1,234.56", 123456 },
        { "1,234", 123400 },  { "12,345,678.9", 1234567890 },
        { "999", 99900 },     { "-1,000", -100000 },
    };
    for (size_t i = 0; i < N(cases); i++)
        s_parse_ok(cases[i].text, cases[i].fen);
}

Test(money, parses_the_largest_amount_both_signs)
{
    s_parse_ok("1000000000000", MONEY_MAX_FEN);
    s_parse_ok("1000000000000.00", MONEY_MAX_FEN);
    s_parse_ok("1,000,000,000,000.00", MONEY_MAX_FEN);
    s_parse_ok("-1000000000000", -MONEY_MAX_FEN);
    s_parse_ok("999999999999.99", MONEY_MAX_FEN - 1);
}

Test(money, refuses_one_fen_over_the_largest_amount)
{
    s_parse_fails("1000000000000.01", ERR(OUT_OF_RANGE));
    s_parse_fails("-1000000000000.01", ERR(OUT_OF_RANGE));
    s_parse_fails("1,000,000,000,000.01", ERR(OUT_OF_RANGE));
    s_parse_fails("10000000000000", ERR(OUT_OF_RANGE));
    /* digits enough to overflow 64 bits are out of range, not wrapped around */
    s_parse_fails("184467440737095516.16", ERR(OUT_OF_RANGE));
    s_parse_fails("99999999999999999999999999999999", ERR(OUT_OF_RANGE));
}

Test(money, refuses_bad_syntax_as_invalid)
{
    static const char *cases[] = {
        "", " ", "-", "+1", " 1", "1 ", "1 000", "1.234", "1,234.567", "1.", ".5", "-.5",
        "1,23", "1,23,456", "12,34,567", "1,2345", "1234,567", ",123", "1,,234", "1,", "12,345,67", "1,234,5678",
        "--1", "1-", "1e3", "0x10", "1.2.3", "1.-2", "1,234.5,6", "\xef\xbc\x91", "1\t",
        "NaN", "1.0.",
    };
    for (size_t i = 0; i < N(cases); i++)
        s_parse_fails(cases[i], ERR(INVALID));
}

Test(money, refuses_three_decimals_before_checking_range)
{
    /* syntax is judged first: a too-precise huge number is INVALID */
    s_parse_fails("99999999999999999999.999", ERR(INVALID));
}

Test(money, refuses_null_text)
{
    s_parse_fails(NULL, ERR(INVALID));
}

Test(money, formats_fen_as_yuan_with_two_decimals)
{
    static const struct { int64_t fen; const char *want; } cases[] = {
        { 0, "0.00" },         { 1, "0.01" },          { 5, "0.05" },
        { -5, "-0.05" },       { 10, "0.10" },         { 100, "1.00" },
        { 123456, "1234.56" }, { -123456, "-1234.56" }, { -100, "-1.00" },
        { MONEY_MAX_FEN, "1000000000000.00" },
        { INT64_MAX, "92233720368547758.07" },
        { INT64_MIN, "-92233720368547758.08" },
    };
    for (size_t i = 0; i < N(cases); i++) {
        char got[32];
        money_format(got, sizeof got, cases[i].fen);
        cr_assert_str_eq(got, cases[i].want, "money_format(%lld): got \"%s\", want \"%s\"",
                         (long long)cases[i].fen, got, cases[i].want);
    }
}

Test(money, format_then_parse_gives_the_same_fen)
{
    static const int64_t cases[] = { 0, 1, -1, 99, -99, 100, 123456789, -987654321,
                                     MONEY_MAX_FEN, -MONEY_MAX_FEN };
    for (size_t i = 0; i < N(cases); i++) {
        char text[32];
        money_format(text, sizeof text, cases[i]);
        s_parse_ok(text, cases[i]);
    }
}

Test(money, applies_basis_points_rounding_half_away_from_zero)
{
    static const struct { int64_t fen, bp, want; } cases[] = {
        { 1, 5000, 1 },         /* 0.5 -> 1 */
        { -1, 5000, -1 },       /* -0.5 -> -1 */
        { 1, -5000, -1 },
        { -1, -5000, 1 },
        { 3, 5000, 2 },         /* 1.5 -> 2 */
        { -3, 5000, -2 },
        { 5, 5000, 3 },         /* 2.5 -> 3, not banker's 2 */
        { -5, 5000, -3 },
        { 1, 4999, 0 },         /* 0.4999 -> 0 */
        { -1, 4999, 0 },
        { 1, 5001, 1 },
        { 12345, 250, 309 },    /* 308.625 */
        { -12345, 250, -309 },
        { 12345, 10000, 12345 },
        { 12345, 0, 0 },
        { 0, 5000, 0 },
        { 10000, 1, 1 },
        { 9999, 1, 1 },         /* 0.9999 */
        { 4999, 1, 0 },         /* 0.4999 */
        { 5000, 1, 1 },         /* 0.5 */
        { -5000, 1, -1 },
        { MONEY_MAX_FEN, 10000, MONEY_MAX_FEN },
        { MONEY_MAX_FEN, 3333, 33330000000000LL },
        /* fen x bp exceeds int64 but the result does not: 128-bit product */
        { INT64_MAX, 10000, INT64_MAX },
        { INT64_MIN, 10000, INT64_MIN },
        { INT64_MAX, 5000, 4611686018427387904LL },   /* ...903.5 -> ...904 */
        { INT64_MIN, 5000, -4611686018427387904LL },
    };
    for (size_t i = 0; i < N(cases); i++) {
        int64_t got = money_apply_bp(cases[i].fen, cases[i].bp);
        cr_assert_eq(got, cases[i].want, "money_apply_bp(%lld, %lld): got %lld, want %lld",
                     (long long)cases[i].fen, (long long)cases[i].bp, (long long)got,
                     (long long)cases[i].want);
    }
}

Test(money, apply_bp_panics_when_the_result_does_not_fit, .signal = SIGABRT)
{
    money_apply_bp(INT64_MAX, 20000);
}

Test(money, divides_rounding_half_away_from_zero)
{
    static const struct { int64_t num, den, want; } cases[] = {
        { 5, 2, 3 },   { -5, 2, -3 },  { 4, 2, 2 },   { -4, 2, -2 },
        { 4, 3, 1 },   { 5, 3, 2 },    { -4, 3, -1 }, { -5, 3, -2 },
        { 1, 3, 0 },   { -1, 3, 0 },   { 0, 7, 0 },   { 7, 1, 7 },
        { 149, 100, 1 }, { 150, 100, 2 }, { -150, 100, -2 }, { -149, 100, -1 },
        { INT64_MAX, 1, INT64_MAX },
        { INT64_MIN, 1, INT64_MIN },
        { INT64_MAX, INT64_MAX, 1 },
        { INT64_MIN, INT64_MAX, -1 },            /* -1.0000...001 */
        { INT64_MAX, 2, 4611686018427387904LL }, /* ...903.5 */
        { INT64_MIN, 2, -4611686018427387904LL },
        /* remainder just above and just below half of a huge divisor: 2|r|
         * would overflow if computed naively */
        { 4611686018427387904LL, INT64_MAX, 1 },
        { 4611686018427387903LL, INT64_MAX, 0 },
        { -4611686018427387904LL, INT64_MAX, -1 },
        { -4611686018427387903LL, INT64_MAX, 0 },
    };
    for (size_t i = 0; i < N(cases); i++) {
        int64_t got = money_div_round(cases[i].num, cases[i].den);
        cr_assert_eq(got, cases[i].want, "money_div_round(%lld, %lld): got %lld, want %lld",
                     (long long)cases[i].num, (long long)cases[i].den, (long long)got,
                     (long long)cases[i].want);
    }
}

Test(money, div_round_panics_on_a_zero_divisor, .signal = SIGABRT)
{
    money_div_round(1, 0);
}

Test(money, multiplies_and_adds_within_int64)
{
    int64_t got = 0;
    cr_assert_eq(money_mul(&got, 1000000, 100000000), 0, "money_mul(1e6, 1e8) failed");
    cr_assert_eq(got, 100000000000000LL, "money_mul(1e6, 1e8): got %lld", (long long)got);
    cr_assert_eq(money_mul(&got, -3, 7), 0, "money_mul(-3, 7) failed");
    cr_assert_eq(got, -21, "money_mul(-3, 7): got %lld, want -21", (long long)got);
    cr_assert_eq(money_add(&got, INT64_MAX - 1, 1), 0, "money_add(MAX-1, 1) failed");
    cr_assert_eq(got, INT64_MAX, "money_add(MAX-1, 1): got %lld", (long long)got);
    cr_assert_eq(money_add(&got, -5, 3), 0, "money_add(-5, 3) failed");
    cr_assert_eq(got, -2, "money_add(-5, 3): got %lld, want -2", (long long)got);
}

Test(money, detects_overflow_and_leaves_out_untouched)
{
    static const struct { int mul; int64_t a, b; } cases[] = {
        { 1, INT64_MAX, 2 },  { 1, INT64_MIN, -1 }, { 1, -1, INT64_MIN },
        { 1, 4294967296LL, 4294967296LL }, { 1, 1000000, 100000000000000LL },
        { 0, INT64_MAX, 1 },  { 0, INT64_MIN, -1 }, { 0, INT64_MAX, INT64_MAX },
    };
    for (size_t i = 0; i < N(cases); i++) {
        int64_t got = 42;
        int rc = cases[i].mul ? money_mul(&got, cases[i].a, cases[i].b)
                              : money_add(&got, cases[i].a, cases[i].b);
        cr_assert_eq(rc, -1, "money_%s(%lld, %lld) = %d (%lld), want -1 (overflow)",
                     cases[i].mul ? "mul" : "add", (long long)cases[i].a,
                     (long long)cases[i].b, rc, (long long)got);
        cr_assert_eq(got, 42, "money_%s(%lld, %lld) wrote %lld on overflow",
                     cases[i].mul ? "mul" : "add", (long long)cases[i].a,
                     (long long)cases[i].b, (long long)got);
    }
}

Test(money, format_bp_is_a_percentage_with_two_decimals)
{
    static const struct { int64_t bp; const char *want; } cases[] = {
        { 500, "5.00%" }, { 0, "0.00%" }, { 5, "0.05%" }, { 99, "0.99%" }, { 100, "1.00%" },
        { 10000, "100.00%" }, { 1234, "12.34%" }, { -5, "-0.05%" }, { -550, "-5.50%" },
        { INT64_MIN, "-92233720368547758.08%" },
    };
    char out[32];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        cr_expect_str_eq(money_format_bp(out, sizeof out, cases[i].bp), cases[i].want,
                         "money_format_bp(%lld): got %s, want %s", (long long)cases[i].bp, out,
                         cases[i].want);
}

Test(money, format_grouped_puts_commas_every_three_digits)
{
    static const struct { int64_t fen; const char *want; } cases[] = {
        { 0, "0.00" }, { 99999, "999.99" }, { 100000, "1,000.00" }, { -123456, "-1,234.56" },
        { 123456789012, "1,234,567,890.12" }, { -5, "-0.05" },
        { INT64_MIN, "-92,233,720,368,547,758.08" },
    };
    char out[40];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        cr_expect_str_eq(money_format_grouped(out, sizeof out, cases[i].fen), cases[i].want);
}
