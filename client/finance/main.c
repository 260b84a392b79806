/* ledger-finance - the finance desk's client: follows the settlement
 * events from a cursor of its own, and writes what the desk hands on (a
 * period's postings as CSV and as a journal for plain-text accounting
 * tools, every person's monthly statement as CSV and as a printable page).
 * Exit codes as ledgerctl's: 0 ok, 1 rejected (or the ledger disagrees
 * with itself), 2 usage, 3 ledgerd unreachable. */
#include "finance.h"

static const char s_usage[] =
    "usage: ledger-finance [OPTIONS] COMMAND [ARGS]\n"
    "\n"
    "The finance desk's client for ledgerd.\n"
    "\n"
    "Options (before the command):\n"
    "  --endpoint URL   ledgerd requests (env LEDGER_ENDPOINT; " CTL_ENDPOINT ")\n"
    "  --events URL     ledgerd events, for follow (env LEDGER_EVENTS; " CTL_EVENTS ")\n"
    "  --cert FILE      your certificate, role finance (env LEDGER_CERT)\n"
    "  --actor NAME     a name sent along (env LEDGER_ACTOR; default $USER)\n"
    "  --timeout MS     wait this long for each reply (default 5000)\n"
    "  --json           machine output: money in fen (*_fen), times in ms and ISO 8601\n"
    "  --help           this text\n"
    "\n"
    "Commands:\n"
    "  follow      show settlement events as they arrive, from a cursor of its own:\n"
    "              closes, statements, payouts, clawbacks, fines and rewards\n"
    "  export      a closed day, week or month of a branch's books as CSV and as a\n"
    "              journal for hledger, checked against the ledger's close\n"
    "  statement   monthly statements as CSV and as a printable page with the\n"
    "              person's year by programme\n"
    "\n"
    "See 'ledger-finance COMMAND --help' for a command's options.\n"
    "Exit status: 0 ok, 1 rejected by ledgerd (or an export that disagrees with the\n"
    "ledger's close), 2 usage error, 3 ledgerd unreachable, 4 key refused.\n";

static const ctl_cmd_t s_commands[] = {
    { "follow",    cmd_follow,    "" },
    { "export",    cmd_export,    "" },
    { "statement", cmd_statement, "" },
    { NULL, NULL, NULL }
};

int main(int argc, char **argv)
{
    ctl_program = "ledger-finance";
    return ctl_main(argc, argv, s_usage, s_commands);
}
