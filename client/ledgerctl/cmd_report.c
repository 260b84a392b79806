/* cmd_report - a month's reports for finance, from what the workers wrote:
 * `report profit --month M` prints ledger-reconciliation's product profit
 * table (result profit.month) with its totals and the distributor policy
 * it was made under; `report payable --month M` sets each person's closed
 * commission statement (results statement.closed, "<person>@M") against
 * what was paid out. The sums here are over the rows shown; the figures in
 * each row are the workers'. Integer arithmetic only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "codec.h"
#include "commission.pb-c.h"
#include "ctl.h"
#include "frame.h"
#include "money.h"
#include "policy.h"
#include "reconciliation.pb-c.h"
#include "xmalloc.h"

static const char s_help[] =
    "usage: ledgerctl report COMMAND\n"
    "\n"
    "A month's reports for finance: the product profit table that\n"
    "ledger-reconciliation keeps, and commission payable against paid from\n"
    "the closed statements of ledger-commission.\n";

static const char s_profit_usage[] =
    "usage: ledgerctl report profit --month YYYY-MM\n"
    "\n"
    "The month's product profit table: per product its unit cost (purchase\n"
    "price), list price and the list's margin, then what the month's completed\n"
    "orders made of it: quantity, revenue, the discount off the list price,\n"
    "refunds, cost, gross profit and margin; the totals; and the month's\n"
    "distributor policy (supply rate of list, tiers).\n"
    "\n"
    "  --month YYYY-MM  the month\n";

static const char s_payable_usage[] =
    "usage: ledgerctl report payable --month YYYY-MM\n"
    "\n"
    "Commission payable against paid for a closed month, per person: the\n"
    "statement's total, the fines and rewards in it, the balance carried in,\n"
    "what is payable, what payouts have paid, and what is still outstanding;\n"
    "then the totals.\n"
    "\n"
    "  --month YYYY-MM  the closed month\n";

/* s_month_opt - `--month YYYY-MM`, the only option of both reports: 0 with
 * *month set, or CTL_OPT_STOP with the exit code in o->rc (as ctl_start) */
static int s_month_opt(ctl_opts_t *o, const char **month)
{
    enum { OPT_MONTH = 256 };
    static const struct option opts[] = {
        { "month", required_argument, NULL, OPT_MONTH }, CTL_OPTS_END };
    int c;
    o->opts = opts;
    *month = NULL;
    while ((c = ctl_opt_next(o)) != -1) {
        if (c == CTL_OPT_STOP)
            return CTL_OPT_STOP;
        *month = optarg;
    }
    if ((o->rc = ctl_opt_operands(o, 0, 0, "")))
        return CTL_OPT_STOP;
    if (!*month)
        o->rc = ctl_usage(o->cmd, "--month is required");
    else if (!policy_month_valid(*month))
        o->rc = ctl_usage(o->cmd, "--month: want YYYY-MM, got '%s'", *month);
    return o->rc ? CTL_OPT_STOP : 0;
}

/* s_profit_json - the table with every field; money in fen, rates in bp */
static void s_profit_json(const Ledger__ProfitTable *pt, uint64_t version)
{
    out_json_t j;
    out_json_init(&j, stdout);
    out_json_object(&j, NULL);
    out_json_str(&j, "month", pt->month);
    out_json_array(&j, "products");
    for (size_t i = 0; i < pt->n_products; i++) {
        const Ledger__ProductProfit *p = pt->products[i];
        out_json_object(&j, NULL);
        out_json_str(&j, "product", p->product);
        out_json_str(&j, "name", p->name);
        out_json_int(&j, "purchase_price_fen", p->purchase_price);
        out_json_int(&j, "channel_price_fen", p->channel_price);
        out_json_int(&j, "list_price_fen", p->list_price);
        out_json_int(&j, "market_price_fen", p->market_price);
        out_json_int(&j, "list_margin_bp", p->list_margin_bp);
        out_json_int(&j, "qty", p->qty);
        out_json_int(&j, "revenue_fen", p->revenue);
        out_json_int(&j, "discount_fen", p->discount);
        out_json_int(&j, "refunds_fen", p->refunds);
        out_json_int(&j, "cost_fen", p->cost);
        out_json_int(&j, "gross_profit_fen", p->gross_profit);
        out_json_int(&j, "margin_bp", p->margin_bp);
        out_json_end(&j);
    }
    out_json_end(&j);
    out_json_int(&j, "revenue_fen", pt->revenue);
    out_json_int(&j, "gross_profit_fen", pt->gross_profit);
    out_json_int(&j, "distributor_supply_rate_bp", pt->distributor_supply_rate);
    out_json_array(&j, "distributor_tiers");
    for (size_t i = 0; i < pt->n_distributor_tiers; i++) {
        out_json_object(&j, NULL);
        out_json_int(&j, "from_fen", pt->distributor_tiers[i]->from);
        out_json_int(&j, "factor_bp", pt->distributor_tiers[i]->factor);
        out_json_end(&j);
    }
    out_json_end(&j);
    out_json_uint(&j, "result_version", version);
    out_json_end(&j);
}

/* s_margin - gross / net as a percentage, rounded half away from zero to the
 * bp; "-" when there is no net revenue or the product would overflow */
static const char *s_margin(char *out, size_t n, int64_t gross, int64_t net)
{
    int64_t scaled;
    if (net <= 0 || money_mul(&scaled, gross, 10000) < 0) {
        snprintf(out, n, "-");
        return out;
    }
    return money_format_bp(out, n, money_div_round(scaled, net));
}

/* s_profit_text - the products, the totals, the distributor policy */
static void s_profit_text(const Ledger__ProfitTable *pt, uint64_t version)
{
    printf("profit  %s  (version %llu)\n", pt->month, (unsigned long long)version);
    out_table_t *t = out_table_new(12, "PRODUCT", "NAME", ">UNIT COST", ">LIST",
                                   ">LIST MARGIN", ">QTY", ">REVENUE", ">DISCOUNT", ">REFUNDS",
                                   ">COST", ">GROSS", ">MARGIN");
    char c[10][32];
    int64_t qty = 0, discount = 0, refunds = 0, cost = 0;
    for (size_t i = 0; i < pt->n_products; i++) {
        const Ledger__ProductProfit *p = pt->products[i];
        money_format(c[0], sizeof c[0], p->purchase_price);
        money_format(c[1], sizeof c[1], p->list_price);
        money_format_bp(c[2], sizeof c[2], p->list_margin_bp);
        snprintf(c[3], sizeof c[3], "%lld", (long long)p->qty);
        money_format(c[4], sizeof c[4], p->revenue);
        money_format(c[5], sizeof c[5], p->discount);
        money_format(c[6], sizeof c[6], p->refunds);
        money_format(c[7], sizeof c[7], p->cost);
        money_format(c[8], sizeof c[8], p->gross_profit);
        money_format_bp(c[9], sizeof c[9], p->margin_bp);
        out_table_row(t, p->product, p->name, c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7],
                      c[8], c[9]);
        qty += p->qty;
        discount += p->discount;
        refunds += p->refunds;
        cost += p->cost;
    }
    if (pt->n_products) {
        snprintf(c[3], sizeof c[3], "%lld", (long long)qty);
        money_format(c[4], sizeof c[4], pt->revenue);
        money_format(c[5], sizeof c[5], discount);
        money_format(c[6], sizeof c[6], refunds);
        money_format(c[7], sizeof c[7], cost);
        money_format(c[8], sizeof c[8], pt->gross_profit);
        s_margin(c[9], sizeof c[9], pt->gross_profit, pt->revenue - refunds);
        out_table_row(t, "total", "", "", "", "", c[3], c[4], c[5], c[6], c[7], c[8], c[9]);
        out_table_print(t, stdout);
    } else {
        puts("(no products)");
    }
    out_table_destroy(&t);
    printf("distributors  supply at %s of list; tiers: ",
           money_format_bp(c[0], sizeof c[0], pt->distributor_supply_rate));
    for (size_t i = 0; i < pt->n_distributor_tiers; i++) {
        money_format(c[0], sizeof c[0], pt->distributor_tiers[i]->from);
        printf("%sfrom %s at %s", i ? ", " : "", c[0],
               money_format_bp(c[1], sizeof c[1], pt->distributor_tiers[i]->factor));
    }
    puts(pt->n_distributor_tiers ? "" : "none");
}

/* s_profit - `report profit --month M` */
static int s_profit(ctl_t *ctl, int argc, char **argv)
{
    ctl_opts_t o = { argc, argv, "report profit", s_profit_usage };
    const char *month;
    int rc;
    if (s_month_opt(&o, &month))
        return o.rc;
    if ((rc = ctl_open(ctl)))
        return rc;
    ctl_result_t r;
    if ((rc = ctl_result_get(&r, ctl, "profit.month", month,
                             &ledger__profit_table__descriptor)))
        return rc;
    if (!r.payload) {
        fprintf(stderr, "ledgerctl: no profit table for %s yet (no order completed in it, or "
                "ledger-reconciliation is not running)\n", month);
        return CTL_REJECTED;
    }
    if (ctl->json)
        s_profit_json((const Ledger__ProfitTable *)r.payload, r.result->version);
    else
        s_profit_text((const Ledger__ProfitTable *)r.payload, r.result->version);
    ctl_result_fini(&r);
    return CTL_OK;
}

/* A person's row of the payable report. */
typedef struct {
    char person[160];           /* "staff:S-1": the key before "@M" */
    int64_t total;              /* the statement's lines summed */
    int64_t fines;              /* of them, rules "fine.*" (<= 0) */
    int64_t rewards;            /* of them, rules "reward.*" */
    int64_t carried_in;         /* <= 0 */
    int64_t payable;
    int64_t paid;
    int64_t outstanding;        /* payable - paid */
    int64_t closed_ms;          /* ledger time of the close */
    uint64_t version;           /* of its Result */
} s_due_t;

/* The rows, as result.list pages bring them. */
typedef struct {
    const char *suffix;         /* "@2026-03" */
    s_due_t *rows;              /* owned */
    size_t n, cap;
} s_payable_t;

/* s_due - res's row when its key is of the month; a payload that does not
 * decode is said and passed over */
static int s_due(void *arg, const Ledger__Result *res)
{
    s_payable_t *l = arg;
    size_t kl = strlen(res->key), sl = strlen(l->suffix);
    if (kl <= sl || strcmp(res->key + kl - sl, l->suffix))
        return 0;
    err_t err;
    const ProtobufCBinaryData *p = &res->payload;
    Ledger__Statement *st = (Ledger__Statement *)codec_unpack(
        &ledger__statement__descriptor, p->len ? p->data : (const uint8_t *)"", p->len, &err);
    if (!st) {
        fprintf(stderr, "ledgerctl: %s result %s (version %llu, by %s): the payload is not a "
                "ledger.Statement: %s; passed over\n", res->kind, res->key,
                (unsigned long long)res->version, res->owner, err.msg);
        return 0;
    }
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->rows = xrealloc(l->rows, l->cap * sizeof *l->rows);
    }
    s_due_t *d = &l->rows[l->n++];
    memset(d, 0, sizeof *d);
    snprintf(d->person, sizeof d->person, "%.*s", (int)(kl - sl), res->key);
    for (size_t i = 0; i < st->n_lines; i++) {
        const Ledger__CommissionLine *ln = st->lines[i];
        if (!strncmp(ln->rule, "fine.", 5))
            d->fines += ln->amount;
        else if (!strncmp(ln->rule, "reward.", 7))
            d->rewards += ln->amount;
    }
    d->total = st->total;
    d->carried_in = st->carried_in;
    d->payable = st->payable;
    d->paid = st->paid;
    d->outstanding = st->payable - st->paid;
    d->closed_ms = st->closed_ms;
    d->version = res->version;
    ledger__statement__free_unpacked(st, NULL);
    return 0;
}

/* s_payable_fetch - every page of statement.closed; keys are
 * <person>@<month>, so the month is a suffix, not a prefix */
static int s_payable_fetch(ctl_t *ctl, s_payable_t *l)
{
    return ctl_result_each(ctl, "statement.closed", "", s_due, l);
}

/* s_due_json - a row's money as members of the open object */
static void s_due_json(out_json_t *j, const s_due_t *d)
{
    out_json_int(j, "total_fen", d->total);
    out_json_int(j, "fines_fen", d->fines);
    out_json_int(j, "rewards_fen", d->rewards);
    out_json_int(j, "carried_in_fen", d->carried_in);
    out_json_int(j, "payable_fen", d->payable);
    out_json_int(j, "paid_fen", d->paid);
    out_json_int(j, "outstanding_fen", d->outstanding);
}

/* s_due_row - a row's money as table cells */
static void s_due_row(out_table_t *t, const char *who, const s_due_t *d)
{
    char c[7][32];
    const int64_t v[7] = { d->total, d->fines, d->rewards, d->carried_in, d->payable, d->paid,
                           d->outstanding };
    for (int k = 0; k < 7; k++)
        money_format(c[k], sizeof c[k], v[k]);
    out_table_row(t, who, c[0], c[1], c[2], c[3], c[4], c[5], c[6]);
}

/* s_payable - `report payable --month M` */
static int s_payable(ctl_t *ctl, int argc, char **argv)
{
    ctl_opts_t o = { argc, argv, "report payable", s_payable_usage };
    const char *month;
    int rc;
    if (s_month_opt(&o, &month))
        return o.rc;
    if ((rc = ctl_open(ctl)))
        return rc;
    char suffix[16];
    snprintf(suffix, sizeof suffix, "@%s", month);
    s_payable_t l = { .suffix = suffix };
    if ((rc = s_payable_fetch(ctl, &l)))
        goto done;
    if (l.n == 0) {
        fprintf(stderr, "ledgerctl: %s is not closed: no statements yet\n", month);
        rc = CTL_REJECTED;
        goto done;
    }
    s_due_t sum = { .closed_ms = l.rows[0].closed_ms };
    for (size_t i = 0; i < l.n; i++) {
        sum.total += l.rows[i].total;
        sum.fines += l.rows[i].fines;
        sum.rewards += l.rows[i].rewards;
        sum.carried_in += l.rows[i].carried_in;
        sum.payable += l.rows[i].payable;
        sum.paid += l.rows[i].paid;
        sum.outstanding += l.rows[i].outstanding;
    }
    if (ctl->json) {
        out_json_t j;
        out_json_init(&j, stdout);
        out_json_object(&j, NULL);
        out_json_str(&j, "month", month);
        out_json_time(&j, "closed", sum.closed_ms);
        out_json_array(&j, "people");
        for (size_t i = 0; i < l.n; i++) {
            out_json_object(&j, NULL);
            out_json_str(&j, "person", l.rows[i].person);
            s_due_json(&j, &l.rows[i]);
            out_json_uint(&j, "result_version", l.rows[i].version);
            out_json_end(&j);
        }
        out_json_end(&j);
        out_json_object(&j, "totals");
        s_due_json(&j, &sum);
        out_json_end(&j);
        out_json_end(&j);
    } else {
        char t[32], a[32], b[32], c[32];
        printf("payable  %s  (closed %s)\n", month, ctl_time(t, sizeof t, sum.closed_ms));
        out_table_t *tb = out_table_new(8, "PERSON", ">TOTAL", ">FINES", ">REWARDS",
                                        ">CARRIED IN", ">PAYABLE", ">PAID", ">OUTSTANDING");
        for (size_t i = 0; i < l.n; i++)
            s_due_row(tb, l.rows[i].person, &l.rows[i]);
        s_due_row(tb, "total", &sum);
        out_table_print(tb, stdout);
        out_table_destroy(&tb);
        money_format(a, sizeof a, sum.payable);
        money_format(b, sizeof b, sum.paid);
        money_format(c, sizeof c, sum.outstanding);
        printf("%zu statement%s: %s payable, %s paid, %s outstanding\n", l.n,
               l.n == 1 ? "" : "s", a, b, c);
    }
done:
    free(l.rows);
    return rc;
}

static const ctl_cmd_t s_cmds[] = {
    { "profit", s_profit, "the month's product profit table and distributor policy" },
    { "payable", s_payable, "commission payable against paid per person, for a closed month" },
    { NULL, NULL, NULL }
};

/* cmd_report - `ledgerctl report ...` */
int cmd_report(ctl_t *ctl, int argc, char **argv)
{
    return ctl_group(ctl, "report", s_cmds, s_help, argc, argv);
}
