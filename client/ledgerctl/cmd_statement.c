/* cmd_statement - `ledgerctl statement --person P --month M`: a person's
 * commission statement for a month, line by line (order, rule, base, rate,
 * amount, state) with the total, as ledger-commission wrote it: the closed
 * statement when finance has closed the month, else the draft so far. */
#include <stdio.h>
#include <string.h>
#include "commission.pb-c.h"
#include "ctl.h"
#include "money.h"
#include "policy.h"

static const char s_usage[] =
    "usage: ledgerctl statement --person PERSON --month YYYY-MM\n"
    "\n"
    "A person's commission statement for a month: every line with its order,\n"
    "rule, base, rate, amount and state, and the total; when the month is\n"
    "closed, the balance carried in and out and what is payable.\n"
    "\n"
    "  --person PERSON  staff:CODE or partner:CODE (a bare CODE is tried as\n"
    "                   staff, then as a partner)\n"
    "  --month YYYY-MM  the statement's month\n";

static const char *const s_states[] = { "", "pending", "payable", "settled", "paid", "void", NULL };

/* s_money - yuan with two decimals */
static const char *s_money(char *out, size_t n, int64_t fen)
{
    money_format(out, n, fen);
    return out;
}

static void s_json(const ctl_result_t *r)
{
    const Ledger__Statement *st = (const Ledger__Statement *)r->payload;
    out_json_t j;
    out_json_init(&j, stdout);
    out_json_object(&j, NULL);
    ctl_party_json(&j, "person", st->person);
    out_json_str(&j, "month", st->month);
    out_json_bool(&j, "closed", st->closed);
    out_json_array(&j, "lines");
    for (size_t i = 0; i < st->n_lines; i++) {
        const Ledger__CommissionLine *l = st->lines[i];
        out_json_object(&j, NULL);
        out_json_str(&j, "id", l->id);
        out_json_str(&j, "order", l->order_code);
        out_json_str(&j, "rule", l->rule);
        out_json_int(&j, "base_fen", l->basis);
        out_json_int(&j, "rate_bp", l->rate);
        out_json_int(&j, "amount_fen", l->amount);
        out_json_str(&j, "state", ctl_enum_name(s_states, l->state));
        out_json_str(&j, "policy_month", l->policy_month);
        out_json_uint(&j, "policy_version", l->policy_version);
        out_json_str(&j, "reason", l->reason);
        out_json_end(&j);
    }
    out_json_end(&j);
    out_json_int(&j, "total_fen", st->total);
    out_json_int(&j, "carried_in_fen", st->carried_in);
    out_json_int(&j, "payable_fen", st->payable);
    out_json_int(&j, "carried_out_fen", st->carried_out);
    out_json_int(&j, "paid_fen", st->paid);
    out_json_array(&j, "payouts");
    for (size_t i = 0; i < st->n_payouts; i++)
        out_json_str(&j, NULL, st->payouts[i]);
    out_json_end(&j);
    out_json_uint(&j, "result_version", r->result->version);
    out_json_end(&j);
}

static void s_show(const ctl_result_t *r)
{
    const Ledger__Statement *st = (const Ledger__Statement *)r->payload;
    char a[32], b[32], c[32];
    printf("statement  %s:%s, %s, %s\n",
           st->person && st->person->kind == LEDGER__PARTY_KIND__PARTY_PARTNER ? "partner" : "staff",
           st->person ? st->person->code : "?", st->month,
           st->closed ? "closed" : "open (a draft: lines may still change)");
    out_table_t *t = out_table_new(7, "ORDER", "RULE", ">BASE", ">RATE", ">AMOUNT", "STATE",
                                   "POLICY");
    for (size_t i = 0; i < st->n_lines; i++) {
        const Ledger__CommissionLine *l = st->lines[i];
        char policy[32];
        snprintf(policy, sizeof policy, "%s v%u", l->policy_month, l->policy_version);
        out_table_row(t, l->order_code, l->rule, s_money(a, sizeof a, l->basis),
                      money_format_bp(b, sizeof b, l->rate), s_money(c, sizeof c, l->amount),
                      ctl_enum_name(s_states, l->state), policy);
    }
    if (st->n_lines)
        out_table_print(t, stdout);
    else
        puts("(no lines)");
    out_table_destroy(&t);
    printf("total      %s\n", s_money(a, sizeof a, st->total));
    if (st->closed) {
        printf("carried in %s\n", s_money(a, sizeof a, st->carried_in));
        printf("payable    %s\n", s_money(a, sizeof a, st->payable));
        if (st->carried_out)
            printf("carried on %s (to next month)\n", s_money(a, sizeof a, st->carried_out));
        printf("paid       %s", s_money(a, sizeof a, st->paid));
        for (size_t i = 0; i < st->n_payouts; i++)
            printf("%s%s", i ? ", " : " (", st->payouts[i]);
        puts(st->n_payouts ? ")" : "");
    }
}

/* s_fetch - the closed statement, else the draft; CTL_OK with no payload
 * when there is neither */
static int s_fetch(ctl_t *ctl, const char *key, ctl_result_t *r)
{
    int rc = ctl_result_get(r, ctl, "statement.closed", key, &ledger__statement__descriptor);
    if (rc || r->payload)
        return rc;
    return ctl_result_get(r, ctl, "statement.draft", key, &ledger__statement__descriptor);
}

/* cmd_statement - find the statement and print it */
int cmd_statement(ctl_t *ctl, int argc, char **argv)
{
    enum { OPT_PERSON = 256, OPT_MONTH };
    static const struct option opts[] = {
        { "person", required_argument, NULL, OPT_PERSON },
        { "month", required_argument, NULL, OPT_MONTH },
        CTL_OPTS_END };
    ctl_opts_t o = { argc, argv, "statement", s_usage, opts };
    const char *person = NULL, *month = NULL;
    int c, rc;
    while ((c = ctl_opt_next(&o)) != -1) {
        if (c == CTL_OPT_STOP)
            return o.rc;
        if (c == OPT_PERSON)
            person = optarg;
        else
            month = optarg;
    }
    if ((rc = ctl_opt_operands(&o, 0, 0, "")))
        return rc;
    if (!person || !*person)
        return ctl_usage(o.cmd, "--person is required");
    if (!month || !policy_month_valid(month))
        return ctl_usage(o.cmd, "--month: want YYYY-MM, got '%s'", month ? month : "");
    if ((rc = ctl_open(ctl)))
        return rc;
    ctl_result_t r = { 0 };
    char key[200];
    if (strchr(person, ':')) {
        snprintf(key, sizeof key, "%s@%s", person, month);
        rc = s_fetch(ctl, key, &r);
    } else {
        snprintf(key, sizeof key, "staff:%s@%s", person, month);
        if ((rc = s_fetch(ctl, key, &r)) == CTL_OK && !r.payload) {
            snprintf(key, sizeof key, "partner:%s@%s", person, month);
            rc = s_fetch(ctl, key, &r);
        }
    }
    if (rc)
        return rc;
    if (!r.payload) {
        fprintf(stderr, "ledgerctl: no statement for %s in %s (no lines yet, or "
                "ledger-commission is not running)\n", person, month);
        return CTL_REJECTED;
    }
    if (ctl->json)
        s_json(&r);
    else
        s_show(&r);
    ctl_result_fini(&r);
    return CTL_OK;
}
