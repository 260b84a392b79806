/* cmd_month - `ledgerctl month close YYYY-MM`: finance closes a month for
 * statements. Whether it may close (ended, in order, once) is ledgerd's
 * rule; settling the month's lines is the commission worker's. */
#include <stdio.h>
#include "ctl.h"
#include "frame.h"

static const char s_help[] =
    "usage: ledgerctl month COMMAND\n"
    "\n"
    "Monthly statements: a month is closed by finance once it has ended; the\n"
    "commission worker then settles its payable lines, one statement per person.\n";

static const char s_close_usage[] =
    "usage: ledgerctl month close YYYY-MM\n"
    "\n"
    "Close the month for statements. Months close in order, each once, after\n"
    "they have ended in ledger time.\n";

/* s_close - MonthClose */
static int s_close(ctl_t *ctl, int argc, char **argv)
{
    ctl_opts_t o = { argc, argv, "month close", s_close_usage };
    Ledger__Meta meta = LEDGER__META__INIT;
    Ledger__MonthClose req = LEDGER__MONTH_CLOSE__INIT;
    Ledger__MonthClosed *r = NULL;
    int rc;

    if (ctl_start(ctl, &o, 1, 1, "YYYY-MM"))
        return o.rc;
    ctl_meta_write(ctl, &meta);
    req.meta = &meta;
    req.month = argv[optind];
    if ((rc = ctl_call(ctl, FRAME_MONTH_CLOSE, &req.base, &ledger__month_closed__descriptor,
                       (ProtobufCMessage **)&r)))
        return rc;
    if (ctl->json) {
        out_json_t j;
        out_json_init(&j, stdout);
        out_json_object(&j, NULL);
        out_json_str(&j, "month", r->month);
        out_json_time(&j, "closed", r->closed_ms);
        out_json_str(&j, "actor", r->actor);
        out_json_uint(&j, "seq", r->seq);
        out_json_end(&j);
    } else {
        char t[32];
        printf("closed %s at %s by %s (seq %llu)\n", r->month, ctl_time(t, sizeof t, r->closed_ms),
               r->actor, (unsigned long long)r->seq);
    }
    protobuf_c_message_free_unpacked(&r->base, NULL);
    return CTL_OK;
}

static const ctl_cmd_t s_cmds[] = {
    { "close", s_close, "close a month for statements" },
    { NULL, NULL, NULL }
};

/* cmd_month - `ledgerctl month ...` */
int cmd_month(ctl_t *ctl, int argc, char **argv)
{
    return ctl_group(ctl, "month", s_cmds, s_help, argc, argv);
}
