/* rules - the compliance rules by family, one file each: orders.c (roles,
 * claims, prices), finance.c (accounts, expenditure), service.c (issues,
 * complaints, member callbacks), team.c (posts, training, logs and plans).
 * Each applies one event (or a due record) to its state and judges. */
#ifndef LEDGER_COMPLIANCE_RULES_H
#define LEDGER_COMPLIANCE_RULES_H

#include "check.h"

int orders_order(cx_t *cx, const Ledger__Order *o);
int orders_attribution(cx_t *cx, const Ledger__Result *res);
int orders_distributor(cx_t *cx, const Ledger__Result *res);

int finance_account(cx_t *cx, const Ledger__Account *a);
/* finance_due - judge an account ("ac:") or an expense ("fe:") again */
int finance_due(cx_t *cx, const char *key);
int finance_entry(cx_t *cx, const Ledger__FinanceEntry *fe);

int service_customer(cx_t *cx, const Ledger__Customer *c);
int service_partner(cx_t *cx, const Ledger__Partner *p);
/* service_distributor - 1 when the customer is a distributor, 0 not, -1 error */
int service_distributor(cx_t *cx, uint64_t customer_id);
int service_order(cx_t *cx, const Ledger__Order *o);
int service_event(cx_t *cx, const Ledger__ServiceEvent *sv);
int service_due(cx_t *cx, const char *key);

int team_post(cx_t *cx, const Ledger__SocialPost *p);
int team_work(cx_t *cx, const Ledger__WorkRecord *w);

#endif
