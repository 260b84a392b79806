/* centre - the centre bonus pool (see centre.h). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "batch.h"
#include "codec.h"
#include "log.h"
#include "money.h"
#include "xmalloc.h"
#include "centre.h"
#include "policy.h"
#include "pool.h"
#include "statement.h"

/* s_centre - the centre's month record ("cm:<branch>@<month>", the month
 * of ms or the first open one), the centre listed in "cb:<month>" */
static rec_t *s_centre(batch_t *b, const char *branch, int64_t ms)
{
    char month[8], open[8], key[160];
    batch_month(month, ms);
    if (strcmp(month, batch_open_month(b, open)) < 0)
        snprintf(month, sizeof month, "%s", open);
    snprintf(key, sizeof key, "cb:%s", month);
    rec_t *idx = recset_get(&b->set, key, &ledger__month_index__descriptor);
    if (!idx)
        return NULL;
    Ledger__MonthIndex *mi = (Ledger__MonthIndex *)idx->msg;
    int listed = 0;
    for (size_t i = 0; i < mi->n_branches; i++)
        listed |= !strcmp(mi->branches[i], branch);
    if (!listed) {
        Ledger__MonthIndex shell = *mi;
        char **branches = xcalloc(mi->n_branches + 1, sizeof *branches);
        for (size_t i = 0; i < mi->n_branches; i++)
            branches[i] = mi->branches[i];
        branches[mi->n_branches] = (char *)branch;
        shell.branches = branches;
        shell.n_branches = mi->n_branches + 1;
        ProtobufCMessage *copy = recset_copy(&shell.base);
        free(branches);
        recset_replace(idx, copy);
    }
    snprintf(key, sizeof key, "cm:%s@%s", branch, month);
    return recset_get(&b->set, key, &ledger__centre_month__descriptor);
}

/* centre_completed - a completed order counts in its centre's month */
int centre_completed(batch_t *b, const Ledger__OrderCommission *o)
{
    rec_t *r = s_centre(b, o->branch, o->completed_ms);
    if (!r)
        return -1;
    Ledger__CentreMonth *cm = (Ledger__CentreMonth *)r->msg;
    for (size_t i = 0; i < cm->n_completed; i++)
        if (cm->completed[i] == o->order_id)
            return 0;
    cm->completed = realloc(cm->completed, (cm->n_completed + 1) * sizeof *cm->completed);
    if (!cm->completed)
        log_panic("commission: out of memory");
    cm->completed[cm->n_completed++] = o->order_id;
    r->dirty = 1;
    return 0;
}

/* centre_refund - a refund after completion counts in its month */
int centre_refund(batch_t *b, const Ledger__OrderCommission *o,
                  const Ledger__CommissionRefund *cr)
{
    rec_t *r = s_centre(b, o->branch, cr->processed_ms);
    if (!r)
        return -1;
    Ledger__CentreMonth *cm = (Ledger__CentreMonth *)r->msg;
    Ledger__PoolRefund pr = LEDGER__POOL_REFUND__INIT;
    pr.order_id = o->order_id;
    pr.amount = cr->amount;
    Ledger__CentreMonth shell = *cm;
    Ledger__PoolRefund **all = xcalloc(cm->n_refunds + 1, sizeof *all);
    for (size_t i = 0; i < cm->n_refunds; i++)
        all[i] = cm->refunds[i];
    all[cm->n_refunds] = &pr;
    shell.refunds = all;
    shell.n_refunds = cm->n_refunds + 1;
    ProtobufCMessage *copy = recset_copy(&shell.base);
    free(all);
    recset_replace(r, copy);
    return 0;
}

/* centre_entry - expense and salary entries count in their month; a
 * reversal counts against them */
int centre_entry(batch_t *b, const Ledger__FinanceEntry *fe)
{
    int expense = fe->category == LEDGER__ENTRY_CATEGORY__CATEGORY_EXPENSE;
    if (!expense && fe->category != LEDGER__ENTRY_CATEGORY__CATEGORY_SALARY)
        return 0;
    int64_t amount = 0;
    for (size_t i = 0; i < fe->n_postings; i++)
        if (fe->postings[i]->amount > 0)
            amount += fe->postings[i]->amount;
    if (fe->reverses_id)
        amount = -amount;
    rec_t *r = s_centre(b, fe->branch, fe->time_ms);
    if (!r)
        return -1;
    Ledger__CentreMonth *cm = (Ledger__CentreMonth *)r->msg;
    if (expense)
        cm->expenses += amount;
    else
        cm->salaries += amount;
    r->dirty = 1;
    return 0;
}

/* s_served_by - the staff member who is the order's service, or NULL */
static const Ledger__PartyRef *s_served_by(const Ledger__OrderCommission *o)
{
    const Ledger__Role *sv = o->attribution ? o->attribution->service : NULL;
    if (!sv || sv->state != LEDGER__ROLE_STATE__ROLE_KNOWN || !sv->party ||
        sv->party->kind != LEDGER__PARTY_KIND__PARTY_STAFF)
        return NULL;
    return sv->party;
}

/* s_pool_centre - one centre's pool for month: profit, shares, lines */
static int s_pool_centre(batch_t *b, const char *branch, const char *month, int64_t now)
{
    char key[160];
    snprintf(key, sizeof key, "cm:%s@%s", branch, month);
    rec_t *rcm = recset_get(&b->set, key, &ledger__centre_month__descriptor);
    if (!rcm)
        return -1;
    /* A copy: reading the orders may grow the batch's records. */
    Ledger__CentreMonth *cm = (Ledger__CentreMonth *)recset_copy(rcm->msg);
    size_t n_ids = cm->n_completed + cm->n_refunds;
    char **keys = xcalloc(n_ids ? n_ids : 1, sizeof *keys);
    for (size_t i = 0; i < n_ids; i++) {
        keys[i] = xmalloc(32);
        batch_order_key(keys[i], 32, i < cm->n_completed ? cm->completed[i]
                                                    : cm->refunds[i - cm->n_completed]->order_id);
    }
    int rc = recset_need(&b->set, (const char *const *)keys, n_ids);
    /* Members: each staff service of the month's orders, with their sales. */
    pool_member_t *m = xcalloc(n_ids ? n_ids : 1, sizeof *m);
    const Ledger__PartyRef **who = xcalloc(n_ids ? n_ids : 1, sizeof *who);
    size_t n_m = 0;
    int64_t gross = 0;
    for (size_t i = 0; i < n_ids && rc == 0; i++) {
        rec_t *r = recset_get(&b->set, keys[i], &ledger__order_commission__descriptor);
        if (!r) {
            rc = -1;
            break;
        }
        const Ledger__OrderCommission *o = (const Ledger__OrderCommission *)r->msg;
        int64_t delta;
        if (i < cm->n_completed) {
            delta = o->amount;
            for (size_t k = 0; k < o->n_refunds; k++)
                if (o->refunds[k]->processed_ms && o->refunds[k]->processed_ms <= o->completed_ms)
                    delta -= o->refunds[k]->amount;
            gross += delta - o->cost;
        } else {
            delta = -cm->refunds[i - cm->n_completed]->amount;
            gross += delta;
        }
        const Ledger__PartyRef *sv = s_served_by(o);
        if (!sv)
            continue;
        size_t j = 0;
        while (j < n_m && strcmp(m[j].code, sv->code))
            j++;
        if (j == n_m) {
            char skey[40];
            snprintf(skey, sizeof skey, "st:%" PRIu64, sv->id);
            rec_t *rs = recset_get(&b->set, skey, &ledger__staff_facts__descriptor);
            if (!rs) {
                rc = -1;
                break;
            }
            m[n_m].code = sv->code;
            m[n_m].role = ((const Ledger__StaffFacts *)rs->msg)->role;
            who[n_m++] = sv;
        }
        m[j].sales += delta;
    }
    if (rc == 0) {
        const Ledger__PolicyVersion *pv = batch_policy(b, month);
        pool_result_t pr;
        Ledger__PoolMonth pm = LEDGER__POOL_MONTH__INIT;
        pm.branch = (char *)branch;
        pm.month = (char *)month;
        pm.gross_profit = gross;
        pm.expenses = cm->expenses;
        pm.salaries = cm->salaries;
        pm.profit = gross - cm->expenses - cm->salaries;
        pm.marginal = pv->policy->pool_marginal;
        if (pool_compute(&pr, pm.profit, pv->policy, m, n_m) < 0) {
            log_warn("commission: the pool brackets of %s's policy cannot be applied; %s has "
                     "no pool for %s", month, branch, month);
        } else {
            pm.rate = pr.rate;
            pm.pool = pr.pool;
            pm.capped = pr.capped;
            Ledger__PoolShare *shares = xcalloc(n_m ? n_m : 1, sizeof *shares);
            Ledger__PoolShare **sp = xcalloc(n_m ? n_m : 1, sizeof *sp);
            for (size_t j = 0; j < n_m && rc == 0; j++) {
                ledger__pool_share__init(&shares[j]);
                shares[j].staff = (Ledger__PartyRef *)who[j];
                shares[j].role = (char *)m[j].role;
                shares[j].sales = m[j].sales;
                shares[j].share = pr.shares ? pr.shares[j] : 0;
                sp[j] = &shares[j];
                if (!shares[j].share)
                    continue;
                char id[240], reason[240], a[32], p2[32];
                money_format(a, sizeof a, m[j].sales);
                money_format(p2, sizeof p2, pr.pool);
                snprintf(id, sizeof id, "pool/%s@%s/%s", branch, month, who[j]->code);
                snprintf(reason, sizeof reason, "share of %s's %s pool %s by sales served %s",
                         branch, month, p2, a);
                Ledger__CommissionLine l = LEDGER__COMMISSION_LINE__INIT;
                l.id = id;
                l.earner = (Ledger__PartyRef *)who[j];
                l.rule = "pool.share";
                l.basis = m[j].sales;
                l.amount = shares[j].share;
                l.state = LEDGER__LINE_STATE__LINE_PAYABLE;
                l.policy_month = (char *)month;
                l.policy_version = pv->version;
                l.month = (char *)month;
                l.payable_ms = now;
                l.reason = reason;
                worker_result(b->out, KIND_LINE, id, who[j]->id, 0, &l.base);
                rc = statement_set(b, &l, month, 0);
            }
            pm.shares = sp;
            pm.n_shares = n_m;
            snprintf(key, sizeof key, "%s@%s", branch, month);
            worker_result(b->out, KIND_POOL, key, 0, 0, &pm.base);
            free(shares);
            free(sp);
            free(pr.shares);
        }
    }
    for (size_t i = 0; i < n_ids; i++)
        free(keys[i]);
    free(keys);
    free(m);
    free(who);
    ledger__centre_month__free_unpacked(cm, NULL);
    return rc;
}

/* centre_pools - at the close of month, every centre with activity in it */
int centre_pools(batch_t *b, const char *month, int64_t now)
{
    char key[32];
    snprintf(key, sizeof key, "cb:%s", month);
    rec_t *idx = recset_get(&b->set, key, &ledger__month_index__descriptor);
    if (!idx)
        return -1;
    Ledger__MonthIndex *mi = (Ledger__MonthIndex *)recset_copy(idx->msg);
    int rc = 0;
    for (size_t i = 0; i < mi->n_branches && rc == 0; i++)
        rc = s_pool_centre(b, mi->branches[i], month, now);
    ledger__month_index__free_unpacked(mi, NULL);
    return rc;
}

/* centre_staff - a staff member's primary role, for pool caps */
int centre_staff(batch_t *b, const Ledger__Event *e)
{
    char key[40];
    snprintf(key, sizeof key, "st:%" PRIu64, e->staff->id);
    rec_t *r = recset_get(&b->set, key, &ledger__staff_facts__descriptor);
    if (!r)
        return -1;
    Ledger__StaffFacts sf = LEDGER__STAFF_FACTS__INIT;
    sf.code = e->staff->code;
    sf.role = (char *)policy_role_name(e->staff->n_roles ? (int)e->staff->roles[0] : 0);
    recset_replace(r, recset_copy(&sf.base));
    return 0;
}
