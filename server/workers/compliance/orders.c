/* orders - the order rules (DOMAIN.md 4): shipped or completed without a
 * handler and an arranger; an assist claimed equal to the service and a
 * role claimed against the locked window (from attribution's result); a
 * price below the channel price without a supervisor's approval; a
 * distributor charged other than its tier's price (from commission's
 * distributor.price result). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "attribution.pb-c.h"
#include "codec.h"
#include "finding.h"
#include "log.h"
#include "money.h"
#include "rules.h"

#define SUBJ_ORDER LEDGER__SUBJECT_KIND__SUBJECT_ORDER

/* s_order_key - "o:<order id>" */
static void s_order_key(char *out, size_t n, uint64_t id)
{
    snprintf(out, n, "o:%" PRIu64, id);
}

/* s_judge - one verdict on an order */
static int s_judge(cx_t *cx, const char *rule, const char *code, const char *branch, int64_t at,
                   const char *reason, int broken)
{
    char month[8];
    uint64_t seq = cx->e->seq;
    verdict_t v = { .rule = rule, .subject_kind = SUBJ_ORDER, .subject = code, .period = "",
                    .branch = branch, .month = check_month(month, at), .at_ms = at,
                    .evidence = &seq, .n_evidence = 1, .reason = reason };
    return finding_judge(cx, &v, broken);
}

int orders_order(cx_t *cx, const Ledger__Order *o)
{
    char key[40];
    s_order_key(key, sizeof key, o->id);
    rec_t *r = recset_get(&cx->set, key, &ledger__order_seen__descriptor);
    if (!r)
        return -1;
    Ledger__OrderSeen seen = LEDGER__ORDER_SEEN__INIT;
    seen.code = o->code;
    seen.branch = o->branch;
    seen.customer_id = o->customer_id;
    seen.handler = o->handler;
    seen.placed_ms = o->placed_ms;
    recset_replace(r, recset_copy(&seen.base));
    int cancelled = o->status == LEDGER__ORDER_STATUS__CANCELLED;

    /* Shipped or completed: exactly one handler (the field holds one) and
     * at least one arranger. */
    int64_t shipped = o->shipped_ms ? o->shipped_ms : o->completed_ms;
    if (!cancelled && (shipped || o->status == LEDGER__ORDER_STATUS__SHIPPED ||
                       o->status == LEDGER__ORDER_STATUS__COMPLETED)) {
        int no_handler = !o->handler || !o->handler->code || !*o->handler->code;
        int no_arranger = o->n_arrangers == 0;
        char reason[200];
        if (no_handler || no_arranger)
            snprintf(reason, sizeof reason, "%s %s without %s", o->code,
                     o->status == LEDGER__ORDER_STATUS__COMPLETED ? "completed" : "shipped",
                     no_handler && no_arranger ? "a handler or an arranger"
                     : no_handler ? "a handler" : "an arranger");
        else
            snprintf(reason, sizeof reason, "%s now has its handler and arranger", o->code);
        if (s_judge(cx, "order.roles_missing", o->code, o->branch, shipped ? shipped : cx->now,
                    reason, no_handler || no_arranger) < 0)
            return -1;
    }

    /* Below the channel price: a supervisor approves it on the order.
     * Distributors' prices follow their tier instead (orders_distributor). */
    int distributor = service_distributor(cx, o->customer_id);
    if (distributor)
        return distributor < 0 ? -1 : 0;
    char below[300] = "";
    size_t len = 0;
    for (size_t i = 0; i < o->n_lines && len < sizeof below - 80; i++) {
        int64_t channel = check_channel_price(cx, o->lines[i]->product);
        if (channel >= 0 && o->lines[i]->unit_price < channel) {
            char have[32], want[32];
            money_format(have, sizeof have, o->lines[i]->unit_price);
            money_format(want, sizeof want, channel);
            len += (size_t)snprintf(below + len, sizeof below - len, "%s%s at %s (channel %s)",
                                    len ? ", " : "", o->lines[i]->product, have, want);
        }
    }
    const Ledger__StaffEntry *approver =
        o->price_approver ? check_staff(cx, o->price_approver->code) : NULL;
    int approved = check_has_role(approver, LEDGER__STAFF_ROLE__SUPERVISOR);
    char month[8];
    if (!*below && o->version <= 1)   /* nothing below, and no earlier version that was */
        return finding_checked(cx, "price.below_channel", o->branch,
                               check_month(month, o->placed_ms));
    char reason[420];
    if (*below && !approved)
        snprintf(reason, sizeof reason, "%s sold below the channel price without a supervisor's "
                 "approval: %s", o->code, below);
    else if (*below)
        snprintf(reason, sizeof reason, "%s: approved by supervisor %s", o->code, approver->code);
    else
        snprintf(reason, sizeof reason, "%s: no line below the channel price now", o->code);
    return s_judge(cx, "price.below_channel", o->code, o->branch, o->placed_ms, reason,
                   *below && !approved);
}

/* s_seen - the order's OrderSeen, NULL when never seen (or with cx->err) */
static const Ledger__OrderSeen *s_seen(cx_t *cx, uint64_t id, int *rc)
{
    char key[40];
    s_order_key(key, sizeof key, id);
    rec_t *r = recset_get(&cx->set, key, &ledger__order_seen__descriptor);
    *rc = r ? 0 : -1;
    return r && *((const Ledger__OrderSeen *)r->msg)->code ? (const Ledger__OrderSeen *)r->msg
                                                          : NULL;
}

int orders_attribution(cx_t *cx, const Ledger__Result *res)
{
    err_t perr;
    Ledger__Attribution *a = (Ledger__Attribution *)codec_unpack(
        &ledger__attribution__descriptor,
        res->payload.data ? res->payload.data : (const uint8_t *)"", res->payload.len, &perr);
    if (!a) {
        log_warn("compliance: attribution of %s does not read: %s; ignored", res->key, perr.msg);
        return 0;
    }
    int rc;
    const Ledger__OrderSeen *o = s_seen(cx, a->order_id, &rc);
    const char *branch = o ? o->branch : "";
    char same[300] = "", lock[600] = "";
    size_t ns = 0, nl = 0;
    for (size_t i = 0; i < a->n_conflicts && rc == 0; i++) {
        const Ledger__Conflict *c = a->conflicts[i];
        if (!strcmp(c->reason, "equals_service") && ns < sizeof same - 10)
            ns += (size_t)snprintf(same + ns, sizeof same - ns, "%s%s", ns ? "; " : "", c->detail);
        else if (!strcmp(c->reason, "window_lock") && nl < sizeof lock - 10)
            nl += (size_t)snprintf(lock + nl, sizeof lock - nl, "%s%s", nl ? "; " : "", c->detail);
    }
    int again = res->version > 1;   /* an earlier version may have had a finding */
    char month[8];
    check_month(month, a->placed_ms);
    if (rc == 0 && !ns && !again)
        rc = finding_checked(cx, "order.assist_is_service", branch, month);
    if (rc == 0 && !nl && !again)
        rc = finding_checked(cx, "order.role_conflict", branch, month);
    if (rc == 0 && (ns || again))
        rc = s_judge(cx, "order.assist_is_service", a->order_code, branch, a->placed_ms,
                     ns ? same : "no assist claimed equal to the service now", ns > 0);
    if (rc == 0 && (nl || again))
        rc = s_judge(cx, "order.role_conflict", a->order_code, branch, a->placed_ms,
                     nl ? lock : "no claim against the locked window now", nl > 0);
    ledger__attribution__free_unpacked(a, NULL);
    return rc;
}

int orders_distributor(cx_t *cx, const Ledger__Result *res)
{
    err_t perr;
    Ledger__DistributorPrice *dp = (Ledger__DistributorPrice *)codec_unpack(
        &ledger__distributor_price__descriptor,
        res->payload.data ? res->payload.data : (const uint8_t *)"", res->payload.len, &perr);
    if (!dp) {
        log_warn("compliance: distributor price of %s does not read: %s; ignored", res->key,
                 perr.msg);
        return 0;
    }
    int rc = 0;
    const Ledger__OrderSeen *o = s_seen(cx, res->entity_id, &rc);
    if (rc == 0 && !dp->differs && res->version <= 1) {
        char month[8];
        rc = finding_checked(cx, "price.outside_policy", o ? o->branch : "",
                             check_month(month, o ? o->placed_ms : cx->now));
    } else if (rc == 0) {
        char reason[300];
        snprintf(reason, sizeof reason, dp->differs
                 ? "%s charged distributor %s other than its tier %d's price"
                 : "%s: distributor %s charged its tier %d's price now",
                 dp->order_code, dp->partner ? dp->partner->code : "?", dp->tier + 1);
        rc = s_judge(cx, "price.outside_policy", dp->order_code, o ? o->branch : "",
                     o ? o->placed_ms : cx->now, reason, dp->differs);
    }
    ledger__distributor_price__free_unpacked(dp, NULL);
    return rc;
}
