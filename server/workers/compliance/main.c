/* compliance - checks every rule of DOMAIN.md section 4 as the data
 * arrives and turns each breach into a finding (compliance.finding), with
 * the fines the month's policy names for each responsible role and the
 * rewards of a clean month (compliance.fine, which commission deducts or
 * pays). Deadlines are judged in ledger time only, so a replay of the log
 * finds the same. The rules live by family in orders.c, finance.c,
 * service.c and team.c (over tally.c); finding.c keeps the findings;
 * check.c the books every rule reads. Runs as one instance: a team's rules
 * gather records of many customers.
 *
 * State: "policies" PolicyBook; "staff" StaffBook; "catalog" Catalog;
 * "due" DueBook; "f:<finding id>" Finding; "rm:<month>" RewardMonth;
 * "tl:<rule>|<subject>" Tally; "sv:<code>" ServiceCase; "cu:<customer id>"
 * CustomerCare; "o:<order id>" OrderSeen; "ac:<code>" Account; "fe:<code>"
 * FinanceEntry (expenses); "p:<post code>" PostSeen; "tx:<hash>" TextSeen. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "finding.h"
#include "policybook.h"
#include "rules.h"
#include "tally.h"
#include "xmalloc.h"

static const char *const s_kinds[] = { "staff", "customer", "order", "product", "partner",
                                       "account", "entry", "service", "post", "work", "policy",
                                       "month", "finding", "attribution.resolved",
                                       "distributor.price", NULL };

/* s_keys - the records the batch's events will surely read, in one state.get */
static void s_keys(void *ctx, Ledger__Event *const *events, size_t n, worker_keys_t *out)
{
    (void)ctx;
    static const char *const books[] = { "policies", "staff", "catalog", "due" };
    for (size_t i = 0; i < sizeof books / sizeof *books; i++)
        worker_keys_add(out, books[i]);
    char key[200];
    for (size_t i = 0; i < n; i++) {
        const Ledger__Event *e = events[i];
        key[0] = 0;
        switch (e->body_case) {
        case LEDGER__EVENT__BODY_ORDER:
            snprintf(key, sizeof key, "o:%" PRIu64, e->order->id);
            worker_keys_add(out, key);
            snprintf(key, sizeof key, "cu:%" PRIu64, e->order->customer_id);
            break;
        case LEDGER__EVENT__BODY_CUSTOMER:
            snprintf(key, sizeof key, "cu:%" PRIu64, e->customer->id);
            break;
        case LEDGER__EVENT__BODY_PARTNER:
            if (e->partner->customer_id)
                snprintf(key, sizeof key, "cu:%" PRIu64, e->partner->customer_id);
            break;
        case LEDGER__EVENT__BODY_SERVICE:
            snprintf(key, sizeof key, "cu:%" PRIu64, e->service->customer_id);
            worker_keys_add(out, key);
            snprintf(key, sizeof key, "sv:%s", *e->service->about_code ? e->service->about_code
                                                                       : e->service->code);
            break;
        case LEDGER__EVENT__BODY_POST:
            snprintf(key, sizeof key, "p:%s", e->post->code);
            break;
        case LEDGER__EVENT__BODY_ACCOUNT:
            snprintf(key, sizeof key, "ac:%s", e->account->code);
            break;
        case LEDGER__EVENT__BODY_RESULT:
            snprintf(key, sizeof key, "o:%" PRIu64, e->result->entity_id);
            break;
        default:
            break;
        }
        if (key[0] && strlen(key) <= 128)
            worker_keys_add(out, key);
    }
}

/* s_due_run - judge again every record due by ledger time now */
static int s_due_run(cx_t *cx)
{
    const Ledger__DueBook *db = (const Ledger__DueBook *)cx->due->msg;
    size_t n = 0;
    while (n < db->n_due && db->due[n]->at_ms <= cx->now)
        n++;
    if (!n)
        return 0;
    char **keys = xcalloc(n, sizeof *keys);
    for (size_t i = 0; i < n; i++)
        keys[i] = xstrdup(db->due[i]->key);
    Ledger__DueBook shell = *db;   /* the rest stays due */
    shell.due = db->due + n;
    shell.n_due = db->n_due - n;
    recset_replace(cx->due, recset_copy(&shell.base));
    int rc = recset_need(&cx->set, (const char *const *)keys, n);
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (!strncmp(keys[i], "tl:", 3))
            rc = tally_due(cx, keys[i]);
        else if (!strncmp(keys[i], "sv:", 3) || !strncmp(keys[i], "cu:", 3))
            rc = service_due(cx, keys[i]);
        else if (!strncmp(keys[i], "ac:", 3) || !strncmp(keys[i], "fe:", 3))
            rc = finance_due(cx, keys[i]);
    }
    for (size_t i = 0; i < n; i++)
        free(keys[i]);
    free(keys);
    return rc;
}

/* s_event - one event through the rules it concerns */
static int s_event(cx_t *cx, const Ledger__Event *e)
{
    switch (e->body_case) {
    case LEDGER__EVENT__BODY_STAFF:
        check_staff_put(cx, e->staff);
        return 0;
    case LEDGER__EVENT__BODY_PRODUCT:
        check_catalog_product(cx, e->product);
        return 0;
    case LEDGER__EVENT__BODY_PARTNER:
        return service_partner(cx, e->partner);
    case LEDGER__EVENT__BODY_POLICY:
        recset_replace(cx->book, &policybook_add((const Ledger__PolicyBook *)cx->book->msg,
                                                 e->policy)->base);
        return 0;
    case LEDGER__EVENT__BODY_CUSTOMER: return service_customer(cx, e->customer);
    case LEDGER__EVENT__BODY_ORDER: {
        int rc = orders_order(cx, e->order);
        return rc == 0 ? service_order(cx, e->order) : rc;
    }
    case LEDGER__EVENT__BODY_ACCOUNT: return finance_account(cx, e->account);
    case LEDGER__EVENT__BODY_ENTRY:   return finance_entry(cx, e->entry);
    case LEDGER__EVENT__BODY_SERVICE: return service_event(cx, e->service);
    case LEDGER__EVENT__BODY_POST:    return team_post(cx, e->post);
    case LEDGER__EVENT__BODY_WORK:    return team_work(cx, e->work);
    case LEDGER__EVENT__BODY_MONTH:   return finding_rewards(cx, e->month->month);
    case LEDGER__EVENT__BODY_FINDING: return finding_status(cx, e->finding);
    case LEDGER__EVENT__BODY_RESULT:
        if (!strcmp(e->kind, "attribution.resolved"))
            return orders_attribution(cx, e->result);
        if (!strcmp(e->kind, "distributor.price"))
            return orders_distributor(cx, e->result);
        return 0;
    default:
        return 0;
    }
}

/* s_batch - apply the events in order, each then what has fallen due */
static int s_batch(void *ctx, Ledger__Event *const *events, size_t n, worker_state_t *state,
                   worker_out_t *out, err_t *err)
{
    (void)ctx;
    cx_t cx = { .set = { .state = state, .err = err, .owner = "compliance" }, .out = out,
                .err = err };
    int rc = (cx.book = recset_get(&cx.set, "policies", &ledger__policy_book__descriptor)) &&
             (cx.staff = recset_get(&cx.set, "staff", &ledger__staff_book__descriptor)) &&
             (cx.catalog = recset_get(&cx.set, "catalog", &ledger__catalog__descriptor)) &&
             (cx.due = recset_get(&cx.set, "due", &ledger__due_book__descriptor)) ? 0 : -1;
    for (size_t i = 0; i < n && rc == 0; i++) {
        cx.e = events[i];
        cx.now = events[i]->time_ms;
        rc = s_event(&cx, events[i]);
        if (rc == 0)
            rc = s_due_run(&cx);
    }
    if (rc == 0)
        rc = recset_put(&cx.set);
    recset_fini(&cx.set);
    return rc;
}

int main(int argc, char **argv)
{
    return worker_main(argc, argv, &(worker_spec_t){
        .name = "compliance",
        .summary = "Checks the rules of DOMAIN.md section 4 as the data arrives: orders,\n"
                   "prices, finance, service, WeChat posts, training, logs and plans. Each\n"
                   "breach is a finding (ledgerctl findings), with the fines of the month's\n"
                   "policy per responsible role and the rewards of a clean month, which\n"
                   "ledger-commission puts on statements.",
        .kinds = s_kinds, .keys = s_keys, .batch = s_batch, .unpartitioned = 1 });
}
