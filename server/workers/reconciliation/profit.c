/* profit - the monthly product profit table (DOMAIN.md 5, seed 004 附件一):
 * per product its catalogue prices and list margin, and what the month's
 * completed orders made of it (units, revenue, cost), less the refunds
 * processed in the month, with the gross profit, margin and the discount
 * given off the list price; and the month's distributor supply rate and
 * tiers. An order counts once, in the local month of its completion; a
 * refund counts once, in the local month it was processed, shared over its
 * order's products by line amount. Orders against payments are money.c's.
 *
 * State: "products" (ProductBook, by code); "po:<order id>" (ProfitOrder:
 * the lines as counted, one per product by code, and the month);
 * "pr:<refund id>" (ProfitOrder: the refund as counted, its share per
 * product and its month); "pt:YYYY-MM" (ProfitTable). */
#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "date.h"
#include "money.h"
#include "profit.h"
#include "recon.h"
#include "xmalloc.h"

#define BP_WHOLE 10000   /* bp: 100 % */

/* One product's change to a month's table. */
typedef struct {
    const char *product;   /* borrowed */
    int64_t qty;           /* units completed */
    int64_t revenue;       /* their line amounts */
    int64_t cost;          /* their line costs */
    int64_t refunds;       /* refund shares processed */
} delta_t;

/* ---- arithmetic (profit.h) ----------------------------------------------- */

/* s_fit - v held to the int64 range */
static int64_t s_fit(__int128 v)
{
    return v > INT64_MAX ? INT64_MAX : v < INT64_MIN ? INT64_MIN : (int64_t)v;
}

int64_t profit_margin_bp(int64_t profit, int64_t sales)
{
    if (sales <= 0)
        return 0;
    return s_fit(money_div_round128((__int128)profit * BP_WHOLE, sales));
}

void profit_share(int64_t *out, int64_t total, const int64_t *weights, size_t n)
{
    assert(n >= 1 && total != INT64_MIN);
    if (total < 0) {
        profit_share(out, -total, weights, n);
        for (size_t i = 0; i < n; i++)
            out[i] = -out[i];
        return;
    }
    __int128 sum = 0;
    for (size_t i = 0; i < n; i++) {
        assert(weights[i] >= 0);
        sum += weights[i];
    }
    int equal = sum == 0;   /* no amounts to go by: equal parts */
    if (equal)
        sum = (__int128)n;
    __int128 *rem = xcalloc(n, sizeof *rem);
    int64_t given = 0;
    for (size_t i = 0; i < n; i++) {
        __int128 part = (__int128)total * (equal ? 1 : weights[i]);
        out[i] = (int64_t)(part / sum);
        rem[i] = part % sum;
        given += out[i];
    }
    /* The remainders sum to (total - given) x sum, each below sum: fewer
     * leftover fen than parts with a remainder, so none goes to a part whose
     * share was exact. Served parts are marked -1. */
    for (int64_t left = total - given; left > 0; left--) {
        size_t best = n;
        for (size_t i = 0; i < n; i++)
            if (rem[i] >= 0 && (best == n || rem[i] > rem[best]))
                best = i;
        out[best]++;
        rem[best] = -1;
    }
    free(rem);
}

/* ---- small helpers ------------------------------------------------------- */

/* s_month - "YYYY-MM", the local month of ms */
static const char *s_month(char out[16], int64_t ms)
{
    date_t d = date_of(ms);
    snprintf(out, 16, "%04d-%02d", d.y, d.m);
    return out;
}

/* s_products - the catalogue record "products" */
static rec_t *s_products(recon_t *rc)
{
    return recset_get(&rc->set, "products", &ledger__product_book__descriptor);
}

/* s_lower - where code is, or would go, in the book kept by code */
static size_t s_lower(const Ledger__ProductBook *b, const char *code)
{
    size_t lo = 0, hi = b->n_products;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(b->products[mid]->code, code) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* s_product - the catalogue's entry for code, NULL when not known */
static const Ledger__ProductInfo *s_product(const Ledger__ProductBook *b, const char *code)
{
    size_t i = s_lower(b, code);
    return i < b->n_products && !strcmp(b->products[i]->code, code) ? b->products[i] : NULL;
}

/* s_derive - a row's catalogue fields from info (none when not known) and
 * the fields computed from its sums */
static void s_derive(Ledger__ProductProfit *row, const Ledger__ProductInfo *info)
{
    if (info) {
        row->name = info->name;
        row->purchase_price = info->purchase_price;
        row->channel_price = info->channel_price;
        row->list_price = info->list_price;
        row->market_price = info->market_price;
        row->list_margin_bp = profit_margin_bp(info->list_price - info->purchase_price,
                                               info->list_price);
        row->discount = s_fit((__int128)info->list_price * row->qty - row->revenue);
    } else {
        /* Without a list price there is nothing to measure a discount from. */
        row->list_margin_bp = 0;
        row->discount = 0;
    }
    int64_t net = row->revenue - row->refunds;
    row->gross_profit = net - row->cost;
    row->margin_bp = profit_margin_bp(row->gross_profit, net);
}

/* s_table_add - add the deltas (sorted by product, one per product) into
 * the month's table, derive every row again from the catalogue, and write
 * the table as the month's "profit.month" result */
static int s_table_add(recon_t *rc, const char *month, const delta_t *d, size_t nd)
{
    rec_t *pr = s_products(rc);
    if (!pr)
        return -1;
    char key[32];
    snprintf(key, sizeof key, "pt:%s", month);
    rec_t *t = recset_get(&rc->set, key, &ledger__profit_table__descriptor);
    if (!t)
        return -1;
    const Ledger__ProductBook *book = (const Ledger__ProductBook *)pr->msg;
    const Ledger__ProfitTable *old = (const Ledger__ProfitTable *)t->msg;

    /* Rows are shallow copies (strings borrowed from the old table, the
     * deltas and the catalogue) until the deep copy below. */
    size_t n_old = old->n_products, cap = n_old + nd + 1, n = 0, i = 0, j = 0;
    Ledger__ProductProfit *rows = xcalloc(cap, sizeof *rows);
    Ledger__ProductProfit **ptrs = xcalloc(cap, sizeof *ptrs);
    Ledger__ProfitTable shell = LEDGER__PROFIT_TABLE__INIT;
    while (i < n_old || j < nd) {
        assert(j == 0 || j == nd || strcmp(d[j - 1].product, d[j].product) < 0);
        int c = i == n_old ? 1 : j == nd ? -1 : strcmp(old->products[i]->product, d[j].product);
        Ledger__ProductProfit *row = &rows[n];
        if (c <= 0) {
            *row = *old->products[i++];
        } else {
            ledger__product_profit__init(row);
            row->product = (char *)d[j].product;
        }
        if (c >= 0) {
            row->qty += d[j].qty;
            row->revenue += d[j].revenue;
            row->cost += d[j].cost;
            row->refunds += d[j].refunds;
            j++;
        }
        s_derive(row, s_product(book, row->product));
        shell.revenue += row->revenue;
        shell.gross_profit += row->gross_profit;
        ptrs[n++] = row;
    }
    shell.month = (char *)month;
    shell.products = ptrs;
    shell.n_products = n;
    const Ledger__Policy *policy = recon_policy(rc, month);
    if (policy) {
        shell.distributor_supply_rate = policy->distributor_supply_rate;
        shell.distributor_tiers = policy->distributor_tiers;
        shell.n_distributor_tiers = policy->n_distributor_tiers;
    }
    ProtobufCMessage *copy = recset_copy(&shell.base);
    free(ptrs);
    free(rows);
    recset_replace(t, copy);
    worker_result(rc->out, "profit.month", month, 0, 0, t->msg);
    return 0;
}

/* s_by_product - qsort: order lines by product code */
static int s_by_product(const void *a, const void *b)
{
    const Ledger__OrderLine *x = *(const Ledger__OrderLine *const *)a;
    const Ledger__OrderLine *y = *(const Ledger__OrderLine *const *)b;
    return strcmp(x->product, y->product);
}

/* ---- the three entry points (recon.h) ------------------------------------ */

/* profit_product - the product's names and prices into "products"; the
 * tables take them up the next time each is written */
int profit_product(recon_t *rc, const Ledger__Product *p)
{
    rec_t *r = s_products(rc);
    if (!r)
        return -1;
    const Ledger__ProductBook *old = (const Ledger__ProductBook *)r->msg;
    Ledger__ProductInfo info = LEDGER__PRODUCT_INFO__INIT;
    info.code = p->code;
    info.name = p->name;
    info.purchase_price = p->purchase_price;
    info.channel_price = p->channel_price;
    info.list_price = p->list_price;
    info.market_price = p->market_price;

    size_t n = old->n_products, i = s_lower(old, p->code);
    int same = i < n && !strcmp(old->products[i]->code, p->code);
    if (same && recset_same(&info.base, &old->products[i]->base))
        return 0;   /* an amend of something the table does not show */
    Ledger__ProductInfo **arr = xcalloc(n + 1, sizeof *arr);
    if (i)   /* an empty list may be NULL */
        memcpy(arr, old->products, i * sizeof *arr);
    arr[i] = &info;
    size_t rest = n - i - (size_t)same;
    if (rest)
        memcpy(arr + i + 1, old->products + i + same, rest * sizeof *arr);
    Ledger__ProductBook shell = *old;
    shell.products = arr;
    shell.n_products = i + 1 + rest;
    ProtobufCMessage *copy = recset_copy(&shell.base);
    free(arr);
    recset_replace(r, copy);
    return 0;
}

/* profit_order - an order completed (and not cancelled) for the first time:
 * its lines, one per product, into "po:<id>" and its month's table. Later
 * amends of a counted order change nothing: a completion counts once. */
int profit_order(recon_t *rc, const Ledger__Order *o)
{
    if (o->status != LEDGER__ORDER_STATUS__COMPLETED || !o->completed_ms)
        return 0;
    char key[32];
    snprintf(key, sizeof key, "po:%" PRIu64, o->id);
    rec_t *r = recset_get(&rc->set, key, &ledger__profit_order__descriptor);
    if (!r)
        return -1;
    if (*((const Ledger__ProfitOrder *)r->msg)->month)
        return 0;   /* counted when it first completed */

    char month[16];
    s_month(month, o->completed_ms);
    size_t cap = o->n_lines + 1, n = 0;
    const Ledger__OrderLine **sorted = xcalloc(cap, sizeof *sorted);
    Ledger__ProfitLine *lines = xcalloc(cap, sizeof *lines);
    Ledger__ProfitLine **ptrs = xcalloc(cap, sizeof *ptrs);
    if (o->n_lines)
        memcpy(sorted, o->lines, o->n_lines * sizeof *sorted);
    qsort(sorted, o->n_lines, sizeof *sorted, s_by_product);
    Ledger__ProfitOrder shell = LEDGER__PROFIT_ORDER__INIT;
    for (size_t k = 0; k < o->n_lines; k++) {
        const Ledger__OrderLine *l = sorted[k];
        if (!n || strcmp(lines[n - 1].product, l->product) != 0) {
            ledger__profit_line__init(&lines[n]);
            lines[n].product = l->product;
            ptrs[n] = &lines[n];
            n++;
        }
        /* ledgerd keeps each product and the order's sums within MONEY_MAX_FEN */
        int64_t amount = l->qty * l->unit_price;
        lines[n - 1].qty += l->qty;
        lines[n - 1].amount += amount;
        lines[n - 1].cost += l->cost;
        shell.amount += amount;
    }
    shell.month = month;
    shell.lines = ptrs;
    shell.n_lines = n;
    ProtobufCMessage *copy = recset_copy(&shell.base);
    free(ptrs);
    free(lines);
    free(sorted);
    recset_replace(r, copy);

    const Ledger__ProfitOrder *po = (const Ledger__ProfitOrder *)r->msg;
    delta_t *d = xcalloc(po->n_lines + 1, sizeof *d);
    for (size_t k = 0; k < po->n_lines; k++)
        d[k] = (delta_t){ .product = po->lines[k]->product, .qty = po->lines[k]->qty,
                          .revenue = po->lines[k]->amount, .cost = po->lines[k]->cost };
    int rv = s_table_add(rc, month, d, po->n_lines);
    free(d);
    return rv;
}

/* profit_refund - a refund processed, on an order that counted as a sale,
 * for the first time: shared over the order's products by line amount
 * (largest remainder, ties by product code) into the table of the month it
 * was processed in, and recorded in "pr:<id>". A refund on an order not
 * (yet) completed took nothing from the table and is not recorded, so an
 * amend after the order completes counts it then. A refund counts once, at
 * the amount it was first processed with. */
int profit_refund(recon_t *rc, const Ledger__Refund *r)
{
    if (r->_processed_ms_case != LEDGER__REFUND___PROCESSED_MS_PROCESSED_MS)
        return 0;
    char key[32];
    snprintf(key, sizeof key, "pr:%" PRIu64, r->id);
    rec_t *mark = recset_get(&rc->set, key, &ledger__profit_order__descriptor);
    if (!mark)
        return -1;
    if (*((const Ledger__ProfitOrder *)mark->msg)->month)
        return 0;   /* counted before */
    snprintf(key, sizeof key, "po:%" PRIu64, r->order_id);
    rec_t *ro = recset_get(&rc->set, key, &ledger__profit_order__descriptor);
    if (!ro)
        return -1;
    const Ledger__ProfitOrder *po = (const Ledger__ProfitOrder *)ro->msg;
    if (!*po->month || po->n_lines == 0)
        return 0;   /* not a sale in any table: nothing to take back */

    char month[16];
    s_month(month, r->processed_ms);
    size_t n = po->n_lines;
    int64_t *weights = xcalloc(n, sizeof *weights), *shares = xcalloc(n, sizeof *shares);
    for (size_t k = 0; k < n; k++)
        weights[k] = po->lines[k]->amount > 0 ? po->lines[k]->amount : 0;
    profit_share(shares, r->amount, weights, n);   /* lines are by product code */

    Ledger__ProfitLine *lines = xcalloc(n, sizeof *lines);
    Ledger__ProfitLine **ptrs = xcalloc(n, sizeof *ptrs);
    delta_t *d = xcalloc(n, sizeof *d);
    size_t nd = 0;
    for (size_t k = 0; k < n; k++) {
        ledger__profit_line__init(&lines[k]);
        lines[k].product = po->lines[k]->product;
        lines[k].amount = shares[k];
        ptrs[k] = &lines[k];
        if (shares[k])   /* a product the refund left alone gets no row */
            d[nd++] = (delta_t){ .product = po->lines[k]->product, .refunds = shares[k] };
    }
    Ledger__ProfitOrder shell = LEDGER__PROFIT_ORDER__INIT;
    shell.month = month;
    shell.lines = ptrs;
    shell.n_lines = n;
    shell.amount = r->amount;
    recset_replace(mark, recset_copy(&shell.base));   /* po stays: d borrows from it */
    int rv = s_table_add(rc, month, d, nd);
    free(d);
    free(ptrs);
    free(lines);
    free(shares);
    free(weights);
    return rv;
}
