/* profit - the pure arithmetic of the monthly product profit table
 * (profit.c): a refund shared over an order's lines and the margins in
 * basis points. Integer only; products are exact in 128 bits. The state
 * and results are profit.c's (its entry points are declared in recon.h). */
#ifndef LEDGER_PROFIT_H
#define LEDGER_PROFIT_H

#include <stddef.h>
#include <stdint.h>

/* profit_share - total shared over n parts in proportion to weights (each
 * >= 0; all zero: equal parts) by largest remainder, so out[0..n-1] sums to
 * total exactly; a leftover fen goes first to the larger remainder, ties to
 * the lower index (callers order parts by product code). total may be
 * negative (the shares are then the negated shares of -total); n >= 1 */
void profit_share(int64_t *out, int64_t total, const int64_t *weights, size_t n);

/* profit_margin_bp - profit x 10000 / sales rounded half away from zero, 0
 * when sales <= 0; saturates at the int64 limits */
int64_t profit_margin_bp(int64_t profit, int64_t sales);

#endif
