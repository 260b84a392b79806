/* cmd_pool - `ledgerctl pool --branch B --month M`: a centre's bonus pool
 * of a closed month as ledger-commission worked it out (result pool.month):
 * the profit and its parts, the bracket, the pool, each person's sales and
 * share, and what the caps cut. */
#include <stdio.h>
#include "commission.pb-c.h"
#include "ctl.h"
#include "money.h"
#include "policy.h"

static const char s_usage[] =
    "usage: ledgerctl pool --branch BRANCH --month YYYY-MM\n"
    "\n"
    "A centre's bonus pool for a closed month: gross profit, expenses and\n"
    "salaries, the profit, the bracket's rate, the pool, each person's sales\n"
    "served and share, and what the caps cut (it stays with the company).\n";

int cmd_pool(ctl_t *ctl, int argc, char **argv)
{
    enum { OPT_BRANCH = 256, OPT_MONTH };
    static const struct option opts[] = {
        { "branch", required_argument, NULL, OPT_BRANCH },
        { "month", required_argument, NULL, OPT_MONTH },
        CTL_OPTS_END };
    ctl_opts_t o = { argc, argv, "pool", s_usage, opts };
    const char *branch = NULL, *month = NULL;
    int c, rc;
    while ((c = ctl_opt_next(&o)) != -1) {
        if (c == CTL_OPT_STOP)
            return o.rc;
        if (c == OPT_BRANCH)
            branch = optarg;
        else
            month = optarg;
    }
    if ((rc = ctl_opt_operands(&o, 0, 0, "")))
        return rc;
    if (!branch || !*branch)
        return ctl_usage(o.cmd, "--branch is required");
    if (!month || !policy_month_valid(month))
        return ctl_usage(o.cmd, "--month: want YYYY-MM, got '%s'", month ? month : "");
    if ((rc = ctl_open(ctl)))
        return rc;
    char key[160];
    snprintf(key, sizeof key, "%s@%s", branch, month);
    ctl_result_t r;
    if ((rc = ctl_result_get(&r, ctl, "pool.month", key, &ledger__pool_month__descriptor)))
        return rc;
    if (!r.payload) {
        fprintf(stderr, "ledgerctl: no pool for %s in %s (the month is not closed, or the "
                "centre had no completed orders)\n", branch, month);
        return CTL_REJECTED;
    }
    const Ledger__PoolMonth *pm = (const Ledger__PoolMonth *)r.payload;
    if (ctl->json) {
        out_json_t j;
        out_json_init(&j, stdout);
        out_json_object(&j, NULL);
        out_json_str(&j, "branch", pm->branch);
        out_json_str(&j, "month", pm->month);
        out_json_int(&j, "gross_profit_fen", pm->gross_profit);
        out_json_int(&j, "expenses_fen", pm->expenses);
        out_json_int(&j, "salaries_fen", pm->salaries);
        out_json_int(&j, "profit_fen", pm->profit);
        out_json_int(&j, "rate_bp", pm->rate);
        out_json_bool(&j, "marginal", pm->marginal);
        out_json_int(&j, "pool_fen", pm->pool);
        out_json_array(&j, "shares");
        for (size_t i = 0; i < pm->n_shares; i++) {
            out_json_object(&j, NULL);
            ctl_party_json(&j, "staff", pm->shares[i]->staff);
            out_json_str(&j, "role", pm->shares[i]->role);
            out_json_int(&j, "sales_fen", pm->shares[i]->sales);
            out_json_int(&j, "share_fen", pm->shares[i]->share);
            out_json_end(&j);
        }
        out_json_end(&j);
        out_json_int(&j, "capped_fen", pm->capped);
        out_json_end(&j);
    } else {
        char a[32], b2[32], c2[32];
        money_format(a, sizeof a, pm->gross_profit);
        money_format(b2, sizeof b2, pm->expenses);
        money_format(c2, sizeof c2, pm->salaries);
        printf("centre     %s, %s\n", pm->branch, pm->month);
        printf("profit     gross %s - expenses %s - salaries %s = ", a, b2, c2);
        money_format(a, sizeof a, pm->profit);
        printf("%s\n", a);
        money_format(a, sizeof a, pm->pool);
        if (pm->marginal)
            printf("pool       %s (each band of the profit at its own rate)\n", a);
        else
            printf("pool       %s (%lld.%02lld%% of the whole profit)\n", a,
                   (long long)(pm->rate / 100), (long long)(pm->rate % 100));
        out_table_t *t = out_table_new(4, "STAFF", "ROLE", ">SALES SERVED", ">SHARE");
        for (size_t i = 0; i < pm->n_shares; i++) {
            money_format(a, sizeof a, pm->shares[i]->sales);
            money_format(b2, sizeof b2, pm->shares[i]->share);
            out_table_row(t, pm->shares[i]->staff ? pm->shares[i]->staff->code : "?",
                          *pm->shares[i]->role ? pm->shares[i]->role : "-", a, b2);
        }
        out_table_print(t, stdout);
        out_table_destroy(&t);
        money_format(a, sizeof a, pm->capped);
        printf("capped     %s (stays with the company)\n", a);
    }
    ctl_result_fini(&r);
    return CTL_OK;
}
