/* policybook - the monthly policy versions a worker has followed (its
 * "policies" state record, a ledger.PolicyBook), in (month, version) order:
 * adding a policy.set event's version, and the version in force for a month. */
#ifndef LEDGER_POLICYBOOK_H
#define LEDGER_POLICYBOOK_H

#include "commission.pb-c.h"

/* policybook_add - a new owned book (free with
 * ledger__policy_book__free_unpacked) holding book's versions and pv in its
 * place; the same (month, version) again replaces the old one */
Ledger__PolicyBook *policybook_add(const Ledger__PolicyBook *book, const Ledger__PolicyVersion *pv);

/* policybook_find - the version in force for month "YYYY-MM": its own
 * latest, else the latest earlier month's, else the built-in default
 * (version 0, month "", made once) */
const Ledger__PolicyVersion *policybook_find(const Ledger__PolicyBook *book, const char *month);

#endif
