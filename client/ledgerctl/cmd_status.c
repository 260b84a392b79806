/* cmd_status - `ledgerctl status`: what ledgerd said in answer to Hello
 * (server, protocol version, time zone, ledger time, last event).
 * Connecting and the Hello itself are ctl.c's. */
#include <stdio.h>
#include "ctl.h"

static const char s_usage[] =
    "usage: ledgerctl status\n"
    "\n"
    "Show the server, its protocol version and time zone, the ledger time\n"
    "and the last event's seq.\n";

/* cmd_status - print the Hello reply */
int cmd_status(ctl_t *ctl, int argc, char **argv)
{
    ctl_opts_t o = { argc, argv, "status", s_usage };
    if (ctl_start(ctl, &o, 0, 0, ""))
        return o.rc;

    const Ledger__HelloReply *h = ctl->hello;
    if (ctl->json) {
        out_json_t j;
        out_json_init(&j, stdout);
        out_json_object(&j, NULL);
        out_json_str(&j, "endpoint", ctl->endpoint);
        out_json_str(&j, "server", h->server);
        out_json_uint(&j, "protocol_version", h->protocol_version);
        out_json_str(&j, "time_zone", h->time_zone);
        out_json_time(&j, "ledger_time", h->ledger_time_ms);
        out_json_uint(&j, "last_seq", h->last_seq);
        out_json_bool(&j, "test_clock", h->test_clock);
        out_json_uint(&j, "max_message_bytes", h->max_message_bytes);
        out_json_end(&j);
        return CTL_OK;
    }
    char t[32];
    out_pairs_t *p = out_pairs_new();
    out_pairs_add(p, "endpoint", "%s", ctl->endpoint);
    out_pairs_add(p, "server", "%s", h->server);
    out_pairs_add(p, "protocol", "%u", h->protocol_version);
    out_pairs_add(p, "time zone", "%s", h->time_zone);
    out_pairs_add(p, "ledger time", "%s%s", ctl_time(t, sizeof t, h->ledger_time_ms),
                  h->test_clock ? " (test clock)" : "");
    out_pairs_add(p, "last seq", "%llu", (unsigned long long)h->last_seq);
    out_pairs_add(p, "max message", "%u bytes", h->max_message_bytes);
    out_pairs_print(p, stdout);
    out_table_destroy(&p);
    return CTL_OK;
}
