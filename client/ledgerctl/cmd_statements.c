/* cmd_statements - `ledgerctl statements --month M`: every closed statement
 * of a month, one line per person (lines, total, carried, payable, paid),
 * from result.list over statement.closed. For one statement's lines, see
 * `ledgerctl statement`. */
#include <stdio.h>
#include <string.h>
#include "commission.pb-c.h"
#include "ctl.h"
#include "frame.h"
#include "money.h"
#include "policy.h"

static const char s_usage[] =
    "usage: ledgerctl statements --month YYYY-MM\n"
    "\n"
    "Every person's closed statement of a month: lines, total, balance carried\n"
    "in, payable, carried on and paid. The month must be closed.\n";

int cmd_statements(ctl_t *ctl, int argc, char **argv)
{
    enum { OPT_MONTH = 256 };
    static const struct option opts[] = {
        { "month", required_argument, NULL, OPT_MONTH }, CTL_OPTS_END };
    ctl_opts_t o = { argc, argv, "statements", s_usage, opts };
    const char *month = NULL;
    int c, rc;
    while ((c = ctl_opt_next(&o)) != -1) {
        if (c == CTL_OPT_STOP)
            return o.rc;
        month = optarg;
    }
    if ((rc = ctl_opt_operands(&o, 0, 0, "")))
        return rc;
    if (!month || !policy_month_valid(month))
        return ctl_usage(o.cmd, "--month: want YYYY-MM, got '%s'", month ? month : "");
    if ((rc = ctl_open(ctl)))
        return rc;
    char suffix[16];
    snprintf(suffix, sizeof suffix, "@%s", month);
    out_json_t j;
    out_table_t *t = NULL;
    if (ctl->json) {
        out_json_init(&j, stdout);
        out_json_array(&j, NULL);
    } else {
        t = out_table_new(7, "PERSON", ">LINES", ">TOTAL", ">CARRIED IN", ">PAYABLE",
                          ">CARRIED ON", ">PAID");
    }
    int64_t sum_payable = 0;
    size_t count = 0;
    uint8_t token[256];
    ProtobufCBinaryData page = { 0, NULL };
    do {   /* keys are <person>@<month>: every page, this month's only */
        Ledger__Meta meta = LEDGER__META__INIT;
        Ledger__ResultList req = LEDGER__RESULT_LIST__INIT;
        Ledger__ResultListReply *rep = NULL;
        ctl_meta_read(ctl, &meta);
        req.meta = &meta;
        req.kind = "statement.closed";
        req.limit = 1000;
        req.page_token = page;
        if ((rc = ctl_call(ctl, FRAME_RESULT_LIST, &req.base,
                           &ledger__result_list_reply__descriptor, (ProtobufCMessage **)&rep)))
            break;
        for (size_t i = 0; i < rep->n_results; i++) {
            const Ledger__Result *res = rep->results[i];
            size_t kl = strlen(res->key), sl = strlen(suffix);
            if (kl < sl || strcmp(res->key + kl - sl, suffix))
                continue;
            Ledger__Statement *st = ledger__statement__unpack(NULL, res->payload.len,
                                                              res->payload.data);
            if (!st)
                continue;
            count++;
            sum_payable += st->payable;
            if (ctl->json) {
                out_json_object(&j, NULL);
                out_json_str(&j, "statement", res->key);
                out_json_uint(&j, "lines", st->n_lines);
                out_json_int(&j, "total_fen", st->total);
                out_json_int(&j, "carried_in_fen", st->carried_in);
                out_json_int(&j, "payable_fen", st->payable);
                out_json_int(&j, "carried_out_fen", st->carried_out);
                out_json_int(&j, "paid_fen", st->paid);
                out_json_end(&j);
            } else {
                char n[16], a[32], b[32], c2[32], d[32], e[32];
                snprintf(n, sizeof n, "%zu", st->n_lines);
                money_format(a, sizeof a, st->total);
                money_format(b, sizeof b, st->carried_in);
                money_format(c2, sizeof c2, st->payable);
                money_format(d, sizeof d, st->carried_out);
                money_format(e, sizeof e, st->paid);
                char who[160];
                snprintf(who, sizeof who, "%.*s", (int)(kl - sl), res->key);
                out_table_row(t, who, n, a, b, c2, d, e);
            }
            ledger__statement__free_unpacked(st, NULL);
        }
        page.len = rep->next_page_token.len < sizeof token ? rep->next_page_token.len : 0;
        if (page.len)   /* an empty token may come as NULL */
            memcpy(token, rep->next_page_token.data, page.len);
        page.data = token;
        ledger__result_list_reply__free_unpacked(rep, NULL);
    } while (page.len);
    if (ctl->json) {
        out_json_end(&j);
    } else {
        if (rc == CTL_OK && count) {
            out_table_print(t, stdout);
            char a[32];
            money_format(a, sizeof a, sum_payable);
            printf("%zu statements, %s payable\n", count, a);
        } else if (rc == CTL_OK) {
            printf("no closed statements for %s\n", month);
        }
        out_table_destroy(&t);
    }
    return rc;
}
