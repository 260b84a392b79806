/* check - what every compliance rule works with while a batch runs: the
 * state records (shared/recset.h), the event being applied and ledger time,
 * the policy in force for a month, the staff, the channel prices, and the due book of records to judge again at a ledger time.
 *
 * Deadlines: a rule "X within H hours" is broken by a late record at once
 * (its own time says so), and by a missing record once ledger time has
 * passed both the deadline and a quiet day after the subject was last
 * recorded (CHECK_QUIET_MS): data entered long after the fact (a back-filled
 * year) is given a day to arrive before its absence counts. */
#ifndef LEDGER_COMPLIANCE_CHECK_H
#define LEDGER_COMPLIANCE_CHECK_H

#include <stdint.h>
#include "commission.pb-c.h"
#include "compliance.pb-c.h"
#include "event.pb-c.h"
#include "recset.h"
#include "worker.h"

#define CHECK_HOUR_MS  (3600LL * 1000)
#define CHECK_DAY_MS   (24 * CHECK_HOUR_MS)
#define CHECK_QUIET_MS CHECK_DAY_MS

#define KIND_FINDING "compliance.finding"
#define KIND_FINE    "compliance.fine"
#define WORKER_ACTOR "ledger-compliance"

typedef struct {
    recset_t set;
    worker_out_t *out;
    err_t *err;
    const Ledger__Event *e;        /* the event being applied */
    int64_t now;                   /* ledger time: e->time_ms */
    rec_t *book, *staff, *catalog, *due;   /* "policies", "staff", "catalog", "due" */
} cx_t;

/* check_policy - the policy in force for the month of a time */
const Ledger__Policy *check_policy(cx_t *cx, int64_t ms);

/* check_policy_month - the policy in force for "YYYY-MM" */
const Ledger__Policy *check_policy_month(cx_t *cx, const char *month);

/* check_staff - a staff member by code, or NULL */
const Ledger__StaffEntry *check_staff(cx_t *cx, const char *code);

/* check_has_role - s holds the role (any of its roles) */
int check_has_role(const Ledger__StaffEntry *s, Ledger__StaffRole role);

/* check_channel_price - a product's channel price, -1 when unknown */
int64_t check_channel_price(cx_t *cx, const char *product);

/* check_due - judge the record under key again once ledger time passes at
 * (one entry per key: a new time replaces the old) */
void check_due(cx_t *cx, int64_t at, const char *key);

/* check_month - "YYYY-MM" of a time; out >= 8 */
const char *check_month(char out[8], int64_t ms);

/* check_time - "2025-11-03 09:30" of a time, for reasons; out >= 20 */
const char *check_time(char out[20], int64_t ms);

/* check_catalog_product, check_staff_put - keep the books current from
 * product and staff events */
void check_catalog_product(cx_t *cx, const Ledger__Product *p);
void check_staff_put(cx_t *cx, const Ledger__Staff *s);

#endif
