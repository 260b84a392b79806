/* clock - ledger time: never backwards, moved by the wall clock in normal
 * mode and only by clock.set in test-clock mode; marked by clock events. */
#ifndef LEDGERD_CLOCK_H
#define LEDGERD_CLOCK_H

#include "apply.h"

/* clock_advance - normal mode: ledger time = max(ledger time, wall clock) */
void clock_advance(apply_t *a);

/* clock_tick - append a clock event at the current ledger time */
int clock_tick(apply_t *a, err_t *err);

/* clock_wall_ms - the wall clock; used only to move ledger time forward */
int64_t clock_wall_ms(void);

#endif
