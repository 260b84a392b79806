/* money - integer fen and basis points; no floating point anywhere.
 * Rounding is half away from zero, once per computed line. */
#ifndef LEDGER_MONEY_H
#define LEDGER_MONEY_H

#include <stddef.h>
#include <stdint.h>
#include "err.h"

#define MONEY_MAX_FEN 100000000000000LL  /* 1e12 yuan: far above any real amount */

/* money_parse - "1234.5", "1,234.56", "-3", "0.07" (yuan) into fen.
 * -1 with INVALID (syntax, more than 2 decimals) or OUT_OF_RANGE; field is ""
 * (the caller prefixes it) */
int money_parse(int64_t *out, const char *text, err_t *err);

/* money_format - fen as yuan with two decimals, "-1234.56"; out >= 32 bytes */
void money_format(char *out, size_t n, int64_t fen);

/* money_format_grouped - fen as yuan with thousands grouped, "-1,234.56",
 * for people to read; out >= 40 bytes */
const char *money_format_grouped(char *out, size_t n, int64_t fen);

/* money_format_bp - basis points as a percentage with two decimals, "5.00%",
 * "-0.05%" (from the magnitude, so never "0.-5%"); out >= 32 bytes */
const char *money_format_bp(char *out, size_t n, int64_t bp);

/* money_mul - *out = a * b; -1 (no err) on overflow */
int money_mul(int64_t *out, int64_t a, int64_t b);

/* money_add - *out = a + b; -1 (no err) on overflow */
int money_add(int64_t *out, int64_t a, int64_t b);

/* money_div_round128 - num / den rounded half away from zero, in 128 bits
 * (a product of money, rates and factors); den > 0 */
__int128 money_div_round128(__int128 num, __int128 den);

/* money_div_round - num / den rounded half away from zero; den > 0 */
int64_t money_div_round(int64_t num, int64_t den);

/* money_apply_bp - fen x bp / 10000, rounded half away from zero */
int64_t money_apply_bp(int64_t fen, int64_t bp);

#endif
