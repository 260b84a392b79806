/* money - yuan text to integer fen and back, checked arithmetic, basis
 * points. No floating point: every rounding is integer, half away from
 * zero. What an amount means (price, cost, commission) is the caller's. */
#include <stdio.h>
#include <string.h>
#include "log.h"
#include "money.h"

/* s_invalid - the one syntax error, quoting (the start of) the text */
static int s_invalid(err_t *err, const char *text, const char *why)
{
    return err_set(err, ERR(INVALID), "", "\"%.40s\" is not an amount: %s", text, why);
}

/* money_parse - strict yuan text into fen; INVALID or OUT_OF_RANGE, field "" */
int money_parse(int64_t *out, const char *text, err_t *err)
{
    if (!text || !*text)
        return err_set(err, ERR(INVALID), "", "an amount is required");
    const char *p = text;
    int negative = *p == '-';
    if (negative)
        p++;

    /* Integer part: 1..3 digits, then groups of ",ddd"; or plain digits. */
    uint64_t fen = 0;
    int too_big = 0, digits = 0, group = 0, grouped = 0;
    for (;; p++) {
        if (*p >= '0' && *p <= '9') {
            if (grouped && group == 3)
                return s_invalid(err, text, "thousands groups have 3 digits");
            if (!too_big && (__builtin_mul_overflow(fen, 10, &fen) ||
                             __builtin_add_overflow(fen, (uint64_t)(*p - '0'), &fen)))
                too_big = 1;
            digits++;
            group++;
        } else if (*p == ',') {
            if (group == 0 || (grouped ? group != 3 : group > 3))
                return s_invalid(err, text, "misplaced ','");
            grouped = 1;
            group = 0;
        } else {
            break;
        }
    }
    if (digits == 0)
        return s_invalid(err, text, "digits expected");
    if (grouped && group != 3)
        return s_invalid(err, text, "thousands groups have 3 digits");

    /* Fraction: '.' and 1 or 2 digits. */
    int decimals = 0;
    unsigned frac = 0;
    if (*p == '.') {
        for (p++; *p >= '0' && *p <= '9'; p++) {
            if (++decimals > 2)
                return s_invalid(err, text, "at most 2 decimals (fen)");
            frac = frac * 10 + (unsigned)(*p - '0');
        }
        if (decimals == 0)
            return s_invalid(err, text, "a '.' must be followed by 1 or 2 digits");
    }
    if (*p)
        return s_invalid(err, text, "unexpected character");
    if (decimals == 1)
        frac *= 10;

    if (too_big || __builtin_mul_overflow(fen, 100, &fen) ||
        __builtin_add_overflow(fen, (uint64_t)frac, &fen) || fen > (uint64_t)MONEY_MAX_FEN)
        return err_set(err, ERR(OUT_OF_RANGE), "",
                       "\"%.40s\" is beyond the largest amount, %lld.%02lld", text,
                       MONEY_MAX_FEN / 100, MONEY_MAX_FEN % 100);
    *out = negative ? -(int64_t)fen : (int64_t)fen;
    return 0;
}

/* money_format - "-1234.56"; every int64 formats, INT64_MIN included */
void money_format(char *out, size_t n, int64_t fen)
{
    uint64_t mag = fen < 0 ? -(uint64_t)fen : (uint64_t)fen;
    snprintf(out, n, "%s%llu.%02llu", fen < 0 ? "-" : "",
             (unsigned long long)(mag / 100), (unsigned long long)(mag % 100));
}

const char *money_format_grouped(char *out, size_t n, int64_t fen)
{
    char digits[32], grouped[48];
    uint64_t mag = fen < 0 ? 0 - (uint64_t)fen : (uint64_t)fen;
    int len = snprintf(digits, sizeof digits, "%llu", (unsigned long long)(mag / 100));
    size_t g = 0;
    if (fen < 0)
        grouped[g++] = '-';
    for (int i = 0; i < len; i++) {
        if (i && (len - i) % 3 == 0)
            grouped[g++] = ',';
        grouped[g++] = digits[i];
    }
    snprintf(grouped + g, sizeof grouped - g, ".%02llu", (unsigned long long)(mag % 100));
    snprintf(out, n, "%s", grouped);
    return out;
}

const char *money_format_bp(char *out, size_t n, int64_t bp)
{
    uint64_t mag = bp < 0 ? 0 - (uint64_t)bp : (uint64_t)bp;
    snprintf(out, n, "%s%llu.%02llu%%", bp < 0 ? "-" : "", (unsigned long long)(mag / 100),
             (unsigned long long)(mag % 100));
    return out;
}

/* money_mul - a * b, or -1 when it does not fit in int64 */
int money_mul(int64_t *out, int64_t a, int64_t b)
{
    int64_t r;
    if (__builtin_mul_overflow(a, b, &r))
        return -1;
    *out = r;
    return 0;
}

/* money_add - a + b, or -1 when it does not fit in int64 */
int money_add(int64_t *out, int64_t a, int64_t b)
{
    int64_t r;
    if (__builtin_add_overflow(a, b, &r))
        return -1;
    *out = r;
    return 0;
}

__int128 money_div_round128(__int128 num, __int128 den)
{
    __int128 q = num / den, r = num % den;   /* C truncates toward zero */
    __int128 mag = r < 0 ? -r : r;
    if (mag >= den - mag)                     /* 2|r| >= den, without overflow */
        q += num < 0 ? -1 : 1;
    return q;
}

/* money_div_round - num / den rounded half away from zero; den > 0 */
int64_t money_div_round(int64_t num, int64_t den)
{
    if (den <= 0)
        log_panic("money_div_round: divisor %lld is not positive", (long long)den);
    return (int64_t)money_div_round128(num, den);
}

/* money_apply_bp - fen x bp / 10000, rounded half away from zero. The
 * product is exact in 128 bits; a result beyond int64 is a caller's bug. */
int64_t money_apply_bp(int64_t fen, int64_t bp)
{
    __int128 r = money_div_round128((__int128)fen * bp, 10000);
    if (r > INT64_MAX || r < INT64_MIN)
        log_panic("money_apply_bp: %lld fen x %lld bp does not fit in int64",
                  (long long)fen, (long long)bp);
    return (int64_t)r;
}
