/* eventlog - the gap-free event log: append inside the batch transaction,
 * read pages for replay. Publishing is publish.c's, after commit. */
#ifndef LEDGERD_EVENTLOG_H
#define LEDGERD_EVENTLOG_H

#include "apply.h"

/* eventlog_append - give ev the next seq, the ledger time and the actor,
 * store it with MDB_APPEND in a->txn and queue it for publishing. ev is
 * packed as is: the caller strips what events must not carry. */
int eventlog_append(apply_t *a, Ledger__Event *ev, err_t *err);


#endif
