/* date - business dates in the ledger's one time zone. Times are int64 ms
 * since the epoch UTC; dates are local calendar dates in the zone set by
 * date_zone_set (process-wide: the ledger has exactly one zone). */
#ifndef LEDGER_DATE_H
#define LEDGER_DATE_H

#include <stddef.h>
#include <stdint.h>
#include "err.h"

typedef struct {
    int y, m, d;   /* 2026, 1..12, 1..31 */
} date_t;

/* date_zone_set - make zone (IANA name, "Asia/Shanghai") the process zone;
 * -1 with INVALID when no such zone is installed */
int date_zone_set(const char *zone, err_t *err);
const char *date_zone(void);

/* date_parse - strict "YYYY-MM-DD" that exists in the calendar; -1 INVALID */
int date_parse(date_t *out, const char *text, err_t *err);

/* date_parse_time - "YYYY-MM-DD", "YYYY-MM-DDTHH:MM" or "YYYY-MM-DDTHH:MM:SS"
 * (a space may replace T), local time in the zone, into ms; -1 INVALID */
int date_parse_time(int64_t *out_ms, const char *text, err_t *err);

/* date_start_ms - ms at 00:00 local on the date */
int64_t date_start_ms(date_t d);

/* date_of - the local date of a time */
date_t date_of(int64_t ms);

/* date_format - "2026-03-01"; out >= 11 bytes */
void date_format(char *out, size_t n, date_t d);

/* date_format_time - "2026-03-01 10:00:00" local; out >= 20 bytes */
void date_format_time(char *out, size_t n, int64_t ms);

/* date_days_in_month - 28..31 */
int date_days_in_month(int y, int m);

/* date_add_days - calendar arithmetic; n may be negative */
date_t date_add_days(date_t d, int n);

/* date_add_months - day clamped to the month's length (Nov 30 + 3 = Feb 28/29) */
date_t date_add_months(date_t d, int n);

/* date_day_number - days since 1970-01-01 (negative before);
 * date_from_day_number - its inverse */
int64_t date_day_number(date_t d);
date_t date_from_day_number(int64_t n);

/* date_cmp - <0, 0, >0 */
int date_cmp(date_t a, date_t b);

#endif
