/* cmd_payout - `ledgerctl payout`: finance records paying a closed
 * statement, as a payout finance entry that names it. The amount defaults to
 * what the statement still has payable; the entry's idempotency key comes
 * from the statement and the amount, so running the command again writes
 * nothing twice. Marking the statement paid is the commission worker's. */
#include <stdio.h>
#include <string.h>
#include "commission.pb-c.h"
#include "ctl.h"
#include "frame.h"
#include "money.h"
#include "policy.h"

static const char s_usage[] =
    "usage: ledgerctl payout --person PERSON --month YYYY-MM --from ACCOUNT --to ACCOUNT\n"
    "                        --branch BRANCH [--amount YUAN] [--time TIME]\n"
    "\n"
    "Record the payment of a person's closed statement as a payout entry:\n"
    "ACCOUNT --from is credited and --to debited with the amount.\n"
    "\n"
    "  --person PERSON  staff:CODE or partner:CODE\n"
    "  --month YYYY-MM  the statement's month (closed with 'ledgerctl month close')\n"
    "  --from ACCOUNT   the account the money leaves (a paying account)\n"
    "  --to ACCOUNT     the account it goes to (commission payable)\n"
    "  --branch BRANCH  the branch whose books hold the entry\n"
    "  --amount YUAN    default: what the statement still has payable\n"
    "  --time TIME      the entry's time (default: the ledger time now)\n";

int cmd_payout(ctl_t *ctl, int argc, char **argv)
{
    enum { OPT_PERSON = 256, OPT_MONTH, OPT_FROM, OPT_TO, OPT_BRANCH, OPT_AMOUNT, OPT_TIME };
    static const struct option opts[] = {
        { "person", required_argument, NULL, OPT_PERSON },
        { "month", required_argument, NULL, OPT_MONTH },
        { "from", required_argument, NULL, OPT_FROM },
        { "to", required_argument, NULL, OPT_TO },
        { "branch", required_argument, NULL, OPT_BRANCH },
        { "amount", required_argument, NULL, OPT_AMOUNT },
        { "time", required_argument, NULL, OPT_TIME },
        CTL_OPTS_END };
    ctl_opts_t o = { argc, argv, "payout", s_usage, opts };
    const char *person = NULL, *month = NULL, *from = NULL, *to = NULL, *branch = NULL;
    const char *amount_text = NULL, *time_text = NULL;
    int c, rc;
    while ((c = ctl_opt_next(&o)) != -1) {
        switch (c) {
        case OPT_PERSON: person = optarg; break;
        case OPT_MONTH:  month = optarg; break;
        case OPT_FROM:   from = optarg; break;
        case OPT_TO:     to = optarg; break;
        case OPT_BRANCH: branch = optarg; break;
        case OPT_AMOUNT: amount_text = optarg; break;
        case OPT_TIME:   time_text = optarg; break;
        default:         return o.rc;
        }
    }
    if ((rc = ctl_opt_operands(&o, 0, 0, "")))
        return rc;
    if (!person || (strncmp(person, "staff:", 6) && strncmp(person, "partner:", 8)))
        return ctl_usage(o.cmd, "--person: want staff:CODE or partner:CODE, got '%s'",
                         person ? person : "");
    if (!month || !policy_month_valid(month))
        return ctl_usage(o.cmd, "--month: want YYYY-MM, got '%s'", month ? month : "");
    if (!from || !to || !branch)
        return ctl_usage(o.cmd, "--from, --to and --branch are required");
    int64_t amount = 0, when = 0;
    if (amount_text && (rc = ctl_parse_money(o.cmd, "--amount", amount_text, &amount)))
        return rc;
    if (time_text && (rc = ctl_parse_time(o.cmd, "--time", time_text, &when)))
        return rc;
    if ((rc = ctl_open(ctl)))
        return rc;

    char key[200];
    snprintf(key, sizeof key, "%s@%s", person, month);
    ctl_result_t r;
    if ((rc = ctl_result_get(&r, ctl, "statement.closed", key, &ledger__statement__descriptor)))
        return rc;
    if (!r.payload) {
        fprintf(stderr, "ledgerctl: payout: %s has no closed statement for %s (close the "
                "month first; is ledger-commission running?)\n", person, month);
        return CTL_REJECTED;
    }
    const Ledger__Statement *st = (const Ledger__Statement *)r.payload;
    int64_t left = st->payable - st->paid;
    ctl_result_fini(&r);
    if (!amount_text)
        amount = left;
    if (amount <= 0) {
        char m[32];
        money_format(m, sizeof m, left);
        fprintf(stderr, "ledgerctl: payout: nothing to pay on %s (%s left payable)\n", key, m);
        return CTL_REJECTED;
    }

    char description[256], idem[256];
    snprintf(description, sizeof description, "payout of statement %s", key);
    Ledger__Posting p[2];
    Ledger__Posting *pp[2] = { &p[0], &p[1] };
    ledger__posting__init(&p[0]);
    ledger__posting__init(&p[1]);
    p[0].account_code = (char *)from;
    p[0].amount = -amount;
    p[1].account_code = (char *)to;
    p[1].amount = amount;
    Ledger__FinanceEntry e = LEDGER__FINANCE_ENTRY__INIT;
    e.branch = (char *)branch;
    e.time_ms = when ? when : ctl->hello->ledger_time_ms;
    e.category = LEDGER__ENTRY_CATEGORY__CATEGORY_PAYOUT;
    e.postings = pp;
    e.n_postings = 2;
    e.description = description;
    e.statement = key;
    Ledger__Record rec = LEDGER__RECORD__INIT;
    rec.kind_case = LEDGER__RECORD__KIND_ENTRY;
    rec.entry = &e;
    Ledger__Meta meta = LEDGER__META__INIT;
    Ledger__RecordAdd req = LEDGER__RECORD_ADD__INIT;
    if (!ctl->idem) {   /* the same payout again is the same write */
        snprintf(idem, sizeof idem, "payout:%s:%lld", key, (long long)amount);
        ctl->idem = idem;
    }
    ctl_meta_write(ctl, &meta);
    req.meta = &meta;
    req.record = &rec;
    return ctl_write(ctl, FRAME_RECORD_ADD, &req.base, "added", "payout entry");
}
