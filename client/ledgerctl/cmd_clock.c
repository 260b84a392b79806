/* cmd_clock - `ledgerctl clock show|set`: the ledger time, and moving it on a
 * ledgerd started with --test-clock (any other ledgerd answers FORBIDDEN,
 * and a time earlier than the ledger time is INVALID; both are ledgerd's
 * rules, not checked here). */
#include <stdio.h>
#include "ctl.h"
#include "frame.h"

static const char s_help[] =
    "usage: ledgerctl clock COMMAND\n"
    "\n"
    "The ledger time: never goes backwards; on a --test-clock ledgerd it moves\n"
    "only when set.\n";

static const char s_show_usage[] =
    "usage: ledgerctl clock show\n"
    "\n"
    "Show the ledger time and whether it is a test clock.\n";

static const char s_set_usage[] =
    "usage: ledgerctl clock set \"YYYY-MM-DD HH:MM[:SS]\"\n"
    "\n"
    "Set the ledger time (ledger-local); only a ledgerd started with\n"
    "--test-clock allows it. Appends a clock event.\n";

/* s_show - from the Hello */
static int s_show(ctl_t *ctl, int argc, char **argv)
{
    ctl_opts_t o = { argc, argv, "clock show", s_show_usage };
    if (ctl_start(ctl, &o, 0, 0, ""))
        return o.rc;
    const Ledger__HelloReply *h = ctl->hello;
    if (ctl->json) {
        out_json_t j;
        out_json_init(&j, stdout);
        out_json_object(&j, NULL);
        out_json_time(&j, "ledger_time", h->ledger_time_ms);
        out_json_str(&j, "time_zone", h->time_zone);
        out_json_bool(&j, "test_clock", h->test_clock);
        out_json_end(&j);
    } else {
        char t[32];
        printf("%s %s%s\n", ctl_time(t, sizeof t, h->ledger_time_ms), h->time_zone,
               h->test_clock ? " (test clock)" : "");
    }
    return CTL_OK;
}

/* s_set - ClockSet */
static int s_set(ctl_t *ctl, int argc, char **argv)
{
    ctl_opts_t o = { argc, argv, "clock set", s_set_usage };
    Ledger__Meta meta = LEDGER__META__INIT;
    Ledger__ClockSet req = LEDGER__CLOCK_SET__INIT;
    Ledger__ClockReply *r = NULL;
    int rc;

    if (ctl_start(ctl, &o, 1, 1, "TIME"))
        return o.rc;
    if ((rc = ctl_parse_time(o.cmd, "TIME", argv[optind], &req.time_ms)))
        return rc;
    ctl_meta_write(ctl, &meta);
    req.meta = &meta;
    rc = ctl_call(ctl, FRAME_CLOCK_SET, &req.base, &ledger__clock_reply__descriptor,
                  (ProtobufCMessage **)&r);
    if (rc)
        return rc;
    if (ctl->json) {
        out_json_t j;
        out_json_init(&j, stdout);
        out_json_object(&j, NULL);
        out_json_time(&j, "ledger_time", r->ledger_time_ms);
        out_json_uint(&j, "seq", r->seq);
        out_json_end(&j);
    } else {
        char t[32];
        printf("ledger time %s (seq %llu)\n", ctl_time(t, sizeof t, r->ledger_time_ms),
               (unsigned long long)r->seq);
    }
    protobuf_c_message_free_unpacked(&r->base, NULL);
    return CTL_OK;
}

static const ctl_cmd_t s_cmds[] = {
    { "show", s_show, "show the ledger time" },
    { "set", s_set, "set the ledger time (--test-clock ledgerd only)" },
    { NULL, NULL, NULL }
};

/* cmd_clock - `ledgerctl clock ...` */
int cmd_clock(ctl_t *ctl, int argc, char **argv)
{
    return ctl_group(ctl, "clock", s_cmds, s_help, argc, argv);
}
