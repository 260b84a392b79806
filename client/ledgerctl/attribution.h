/* attribution - ledger-attribution's results as ledgerctl shows them:
 * fetched by result.get, the payload unpacked strictly, and laid out for
 * people or as JSON. Which result to show, and when, is the commands'
 * (order show, customer attribution); the decisions are the worker's. */
#ifndef LEDGERCTL_ATTRIBUTION_H
#define LEDGERCTL_ATTRIBUTION_H

#include "attribution.pb-c.h"
#include "ctl.h"
#include "event.pb-c.h"

#define ATTRIBUTION_RESOLVED "attribution.resolved"   /* key: order code */
#define ATTRIBUTION_CUSTOMER "attribution.customer"   /* key: customer code */

/* attribution_order_json - member key: the order's resolution with its
 * result's version and owner, or null when a->payload is NULL */
void attribution_order_json(out_json_t *j, const char *key, const ctl_result_t *a);

/* attribution_order_show - the "Attribution" block under order show;
 * order_version is the order's own, to say when the result lags behind */
void attribution_order_show(const ctl_result_t *a, uint64_t order_version);

/* attribution_customer_json - the customer's attribution as one JSON value;
 * cu is the customer record (code and name) */
void attribution_customer_json(out_json_t *j, const Ledger__Customer *cu,
                               const ctl_result_t *a);

/* attribution_customer_show - windows, solutions, conflicts and counts */
void attribution_customer_show(const Ledger__Customer *cu, const ctl_result_t *a);

#endif
