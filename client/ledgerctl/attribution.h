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

typedef struct {
    Ledger__Result *result;     /* as stored: kind, key, owner, version */
    ProtobufCMessage *payload;  /* result->payload unpacked; NULL: no result */
} attribution_t;

/* attribution_get - result.get for (kind, key), its payload unpacked as desc.
 * CTL_OK with out->payload NULL when ledgerd holds no such result (nothing
 * printed); CTL_REJECTED after naming the result when its payload does not
 * decode; else ledgerd's error printed and its exit code. On CTL_OK the
 * caller frees with attribution_fini; on failure out holds nothing. */
int attribution_get(attribution_t *out, ctl_t *ctl, const char *kind, const char *key,
                    const ProtobufCMessageDescriptor *desc);
void attribution_fini(attribution_t *a);

/* attribution_order_json - member key: the order's resolution with its
 * result's version and owner, or null when a->payload is NULL */
void attribution_order_json(out_json_t *j, const char *key, const attribution_t *a);

/* attribution_order_show - the "Attribution" block under order show;
 * order_version is the order's own, to say when the result lags behind */
void attribution_order_show(const attribution_t *a, uint64_t order_version);

/* attribution_customer_json - the customer's attribution as one JSON value;
 * cu is the customer record (code and name) */
void attribution_customer_json(out_json_t *j, const Ledger__Customer *cu,
                               const attribution_t *a);

/* attribution_customer_show - windows, solutions, conflicts and counts */
void attribution_customer_show(const Ledger__Customer *cu, const attribution_t *a);

#endif
