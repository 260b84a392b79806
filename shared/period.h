/* period - the days, ISO weeks and months that rules count over and books
 * close, as whole numbers so that they sort and step: a day is its number since
 * 1970-01-01, a week the number of its Monday's week, a month y * 12 + m - 1.
 * All are local dates in the ledger's zone (shared/date.h). */
#ifndef LEDGER_PERIOD_H
#define LEDGER_PERIOD_H

#include <stddef.h>
#include <stdint.h>
#include "date.h"

typedef enum { PERIOD_DAY, PERIOD_WEEK, PERIOD_MONTH } period_kind_t;

/* period_of_date - the period holding the local date */
int64_t period_of_date(period_kind_t k, date_t d);

/* period_of - the period holding the local date of a time */
int64_t period_of(period_kind_t k, int64_t ms);

/* period_first_day, period_last_day - its first and last local dates */
date_t period_first_day(period_kind_t k, int64_t p);
date_t period_last_day(period_kind_t k, int64_t p);

/* period_start_ms, period_end_ms - 00:00 local of its first day, and of the
 * day after its last (the end is exclusive) */
int64_t period_start_ms(period_kind_t k, int64_t p);
int64_t period_end_ms(period_kind_t k, int64_t p);

/* period_format - "2025-11-03", "2025-W45" (the ISO week-year), "2025-11";
 * out >= 11 bytes */
void period_format(char *out, size_t n, period_kind_t k, int64_t p);

/* period_parse - the period text names, exactly as period_format writes
 * it ("2026-03-01", "2026-W09", "2026-03"; years 1970..9999), so week 0, a
 * 53rd week the year lacks and month 13 are refused: 0 with *kind and *p,
 * or -1 */
int period_parse(const char *text, period_kind_t *kind, int64_t *p);

/* period_close_kind - the result kind of a period's close: "close.day",
 * "close.week" or "close.month" (ledger-reconciliation's) */
const char *period_close_kind(period_kind_t kind);

/* period_month - "YYYY-MM" a period's findings belong to: that of its last
 * day (a week across two months counts in the later); out >= 8 bytes */
void period_month(char out[8], period_kind_t k, int64_t p);

#endif
