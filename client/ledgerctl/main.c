/* ledgerctl - the branch clerk's thin client for ledgerd. Reads the global
 * options (flag, else environment, else default), then hands the rest of
 * the command line to one command group (cmd_*.c). Exit codes: 0 ok,
 * 1 rejected by ledgerd, 2 usage, 3 no reply within --timeout, 4 key refused.
 * Validation beyond what can be checked locally is ledgerd's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ctl.h"

static const char s_usage[] =
    "usage: ledgerctl [OPTIONS] COMMAND [ARGS]\n"
    "\n"
    "The branch office's client for ledgerd.\n"
    "\n"
    "Options (before the command):\n"
    "  --endpoint URL         ledgerd requests (env LEDGER_ENDPOINT; " CTL_ENDPOINT ")\n"
    "  --events URL           ledgerd events, for tail (env LEDGER_EVENTS; " CTL_EVENTS ")\n"
    "  --cert FILE            your certificate (env LEDGER_CERT): its key says who you\n"
    "                         are and what you may do; made by 'ledgerctl keys'\n"
    "  --actor NAME           a name sent along; ledgerd records the certificate's\n"
    "                         name instead (env LEDGER_ACTOR; default $USER)\n"
    "  --timeout MS           wait this long for each reply (default 5000)\n"
    "  --json                 machine output: money in fen (*_fen), times in ms and ISO 8601\n"
    "  --idempotency-key KEY  key of this invocation's write (default: random); repeat\n"
    "                         a write with the same key and it is applied once\n"
    "  --help                 this text\n"
    "\n"
    "Commands:\n"
    "  status      ledgerd's version, time zone, ledger time, last event\n"
    "  staff       add, amend, show, list staff\n"
    "  customer    add, amend, show, list customers; their attribution over time\n"
    "  order       add, amend, show, list orders\n"
    "  tail        print the event log, and follow it\n"
    "  clock       show the ledger time; set it on a --test-clock ledgerd\n"
    "  partner     referrers, promoters, sellers and distributors\n"
    "  product     products and their prices\n"
    "  source      supply sources: register, verify, reject\n"
    "  payment     payments received on orders\n"
    "  shipment    shipments and their receipts\n"
    "  refund      refunds requested and processed\n"
    "  account     receiving, paying and internal accounts\n"
    "  entry       double-entry finance entries, approvals, reversals\n"
    "  service     first contacts, transfers, issues, complaints, callbacks\n"
    "  post        social posts of the team's WeChat accounts\n"
    "  work        script training, daily logs, weekly and monthly plans\n"
    "  import      load customers, orders, payments or entries from CSV\n"
    "  policy      set and show the monthly commission policy\n"
    "  backup      make a hot, consistent copy of the ledger\n"
    "  cursor      workers' cursors: show them, wait for them to catch up\n"
    "  month       close a month for statements\n"
    "  statement   a person's commission statement for a month\n"
    "  statements  every closed statement of a month\n"
    "  payout      record the payment of a closed statement\n"
    "  quote       a distributor's unit price at its tier, and the next tier\n"
    "  pool        a centre's bonus pool of a closed month\n"
    "  findings    compliance findings: list them by rule, status, branch, month\n"
    "  finding     one finding: show it, acknowledge it, resolve it\n"
    "  close       a branch's close of its accounts for a day, a week or a month\n"
    "  exceptions  orders, payments, shipments and refunds that disagree\n"
    "  recovery    a branch's shipped orders with nothing paid\n"
    "  report      a month's product profit; commission payable against paid\n"
    "  keys        make the server's keys; add, revoke and list client keys (admin)\n"
    "\n"
    "See 'ledgerctl COMMAND --help' for a command's options.\n"
    "Exit status: 0 ok, 1 rejected by ledgerd (FORBIDDEN among them), 2 usage error,\n"
    "3 ledgerd unreachable, 4 the certificate's key refused (unknown or revoked).\n";

static const ctl_cmd_t s_commands[] = {
    { "status",   cmd_status,   "" },
    { "keys",     cmd_keys,     "" },
    { "staff",    cmd_staff,    "" },
    { "customer", cmd_customer, "" },
    { "order",    cmd_order,    "" },
    { "tail",     cmd_tail,     "" },
    { "clock",    cmd_clock,    "" },
    { "partner",  cmd_record,   "" },
    { "product",  cmd_record,   "" },
    { "source",   cmd_record,   "" },
    { "payment",  cmd_record,   "" },
    { "shipment", cmd_record,   "" },
    { "refund",   cmd_record,   "" },
    { "account",  cmd_record,   "" },
    { "entry",    cmd_record,   "" },
    { "service",  cmd_record,   "" },
    { "post",     cmd_record,   "" },
    { "work",     cmd_record,   "" },
    { "import",   cmd_import,   "" },
    { "policy",   cmd_policy,   "" },
    { "backup",   cmd_backup,   "" },
    { "cursor",   cmd_cursor,   "" },
    { "month",    cmd_month,    "" },
    { "statement", cmd_statement, "" },
    { "statements", cmd_statements, "" },
    { "payout",   cmd_payout,   "" },
    { "quote",    cmd_quote,    "" },
    { "pool",     cmd_pool,     "" },
    { "findings", cmd_findings, "" },
    { "finding",  cmd_finding,  "" },
    { "close",    cmd_close,    "" },
    { "exceptions", cmd_exceptions, "" },
    { "recovery", cmd_recovery, "" },
    { "report",   cmd_report,   "" },
    { NULL, NULL, NULL }
};

/* main - options, one command, its exit code */
int main(int argc, char **argv)
{
    return ctl_main(argc, argv, s_usage, s_commands);
}
