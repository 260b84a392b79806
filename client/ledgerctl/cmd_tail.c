/* cmd_tail - `ledgerctl tail`: print the event log, then with --follow keep
 * printing as ledgerd publishes. Reading the log without missing or
 * repeating an event is the follower's (shared/follow.c), as for workers;
 * this chooses where to start and prints. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "codec.h"
#include "ctl.h"
#include "fields.h"
#include "follow.h"
#include "frame.h"

#define TAIL_LAST     10     /* events shown without --from */
#define TAIL_PAGE     1000   /* events asked per Replay */
#define TAIL_POLL_MS  500    /* how often a follower looks at the stop flag */

static const char s_usage[] =
    "usage: ledgerctl tail [--from SEQ] [--kind KIND]... [--follow]\n"
    "\n"
    "Print events from the log, one line each: seq, time, kind, actor, the\n"
    "entity's code and version, and the fields an amend changed.\n"
    "\n"
    "  --from SEQ     start at this seq (default: the last 10 events)\n"
    "  --kind KIND    only this kind; \"order\" means order.*; repeat for more\n"
    "  --follow       keep printing new events until interrupted\n";

enum { OPT_FROM = 256, OPT_KIND, OPT_FOLLOW };

typedef struct {
    ctl_t *ctl;          /* connection and --json */
    char **kinds;        /* --kind values */
    size_t n_kinds;      /* how many */
} s_tail_t;

static volatile sig_atomic_t s_stop;   /* SIGINT or SIGTERM seen */

/* s_on_signal - ask the follow loop to end */
static void s_on_signal(int sig)
{
    (void)sig;
    s_stop = 1;
}

/* s_event_json - one event as one JSON line, body included (staff, customer
 * and order by their own printers, the rest by fields.c) */
static void s_event_json(const Ledger__Event *e)
{
    out_json_t j;
    out_json_init(&j, stdout);
    out_json_object(&j, NULL);
    out_json_uint(&j, "seq", e->seq);
    out_json_time(&j, "time", e->time_ms);
    out_json_str(&j, "kind", e->kind);
    out_json_str(&j, "actor", e->actor);
    out_json_uint(&j, "entity_id", e->entity_id);
    out_json_str(&j, "entity_code", e->entity_code);
    out_json_uint(&j, "version", e->version);
    out_json_uint(&j, "partition_key", e->partition_key);
    out_json_array(&j, "changed");
    for (size_t i = 0; i < e->n_changed; i++)
        out_json_str(&j, NULL, e->changed[i]);
    out_json_end(&j);
    switch (e->body_case) {
    case LEDGER__EVENT__BODY_STAFF:
        cmd_staff_json(&j, "staff", e->staff);
        break;
    case LEDGER__EVENT__BODY_CUSTOMER:
        cmd_customer_json(&j, "customer", e->customer);
        break;
    case LEDGER__EVENT__BODY_ORDER:
        cmd_order_json(&j, "order", e->order);
        break;
    case LEDGER__EVENT__BODY_CLOCK:
        out_json_object(&j, "clock");
        out_json_time(&j, "previous", e->clock->previous_ms);
        out_json_end(&j);
        break;
    case LEDGER__EVENT__BODY_RESULT:
        out_json_object(&j, "result");
        out_json_str(&j, "kind", e->result->kind);
        out_json_str(&j, "key", e->result->key);
        out_json_uint(&j, "entity_id", e->result->entity_id);
        out_json_uint(&j, "partition_key", e->result->partition_key);
        out_json_str(&j, "owner", e->result->owner);
        out_json_uint(&j, "version", e->result->version);
        out_json_hex(&j, "payload_hex", e->result->payload.data, e->result->payload.len);
        out_json_end(&j);
        break;
    default:   /* the record.proto kinds (and any newer body): from the descriptor */
        if (e->body_case != LEDGER__EVENT__BODY__NOT_SET) {
            const ProtobufCFieldDescriptor *f =
                protobuf_c_message_descriptor_get_field(e->base.descriptor, e->body_case);
            ProtobufCMessage *body = fields_oneof(&e->base, e->body_case);
            if (f && body)
                fields_json(&j, f->name, body);
        }
        break;
    }
    out_json_end(&j);
}

/* s_event_line - fixed columns, so a followed log stays aligned */
static void s_event_line(const Ledger__Event *e)
{
    char seq[24], t[32], version[24], changed[512] = "";
    snprintf(seq, sizeof seq, "%llu", (unsigned long long)e->seq);
    snprintf(version, sizeof version, "v%llu", (unsigned long long)e->version);
    for (size_t i = 0, len = 0; i < e->n_changed && len < sizeof changed; i++)
        len += snprintf(changed + len, sizeof changed - len, "%s%s", i ? "," : "",
                        e->changed[i]);
    out_pad(stdout, seq, 7, 1);
    fputs("  ", stdout);
    out_pad(stdout, ctl_time(t, sizeof t, e->time_ms), 19, 0);
    fputs("  ", stdout);
    out_pad(stdout, e->kind, 20, 0);
    fputs("  ", stdout);
    out_pad(stdout, e->actor, 12, 0);
    fputs("  ", stdout);
    out_pad(stdout, *e->entity_code ? e->entity_code : "-", 10, 0);
    fputs("  ", stdout);
    out_pad(stdout, e->version ? version : "-", 4, 0);
    fputs("  ", stdout);
    out_pad(stdout, *changed ? changed : "-", 0, 0);
    fputc('\n', stdout);
}

/* s_print - one event in the chosen form; flushed, for pipes */
static void s_print(const s_tail_t *t, const Ledger__Event *e)
{
    if (t->ctl->json)
        s_event_json(e);
    else
        s_event_line(e);
    fflush(stdout);
}

/* cmd_tail - replay, then optionally follow */
int cmd_tail(ctl_t *ctl, int argc, char **argv)
{
    static const struct option opts[] = {
        { "from", required_argument, NULL, OPT_FROM },
        { "kind", required_argument, NULL, OPT_KIND },
        { "follow", no_argument, NULL, OPT_FOLLOW },
        CTL_OPTS_END
    };
    ctl_opts_t o = { argc, argv, "tail", s_usage, opts };
    s_tail_t t = { .ctl = ctl, .kinds = calloc(argc, sizeof(char *)) };
    follow_t *f = NULL;
    uint64_t from = 0;
    int c, follow = 0, has_from = 0, rc = CTL_OK;

    while ((c = ctl_opt_next(&o)) != -1) {
        switch (c) {
        case OPT_FOLLOW: follow = 1; break;
        case OPT_KIND:
            if (!*optarg) {
                rc = ctl_usage(o.cmd, "--kind: the kind must not be empty");
                break;
            }
            t.kinds[t.n_kinds++] = optarg;
            break;
        case OPT_FROM:
            has_from = 1;
            rc = ctl_parse_uint(o.cmd, "--from", optarg, 0, UINT64_MAX, &from);
            break;
        default:
            rc = o.rc;
        }
        if (rc || c == CTL_OPT_STOP)
            goto done;
    }
    if ((rc = ctl_opt_operands(&o, 0, 0, "")) || (rc = ctl_open(ctl)))
        goto done;
    uint64_t last = ctl->hello->last_seq;
    uint64_t pos = has_from ? (from > 0 ? from - 1 : 0) : last > TAIL_LAST ? last - TAIL_LAST : 0;
    follow_opts_t fo = { .client = ctl->client, .events_endpoint = ctl->events,
                         .kinds = t.kinds, .n_kinds = t.n_kinds, .page = TAIL_PAGE };
    f = follow_new(&fo, pos);
    if (!f) {
        rc = ctl_usage(NULL, "--events: cannot use '%s': %s", ctl->events, strerror(errno));
        goto done;
    }
    if (follow) {
        struct sigaction sa = { .sa_handler = s_on_signal };
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
    }
    /* The follower replays to the log's end, then (with --follow) takes
     * published events, filling any gap from the log. */
    while (!s_stop) {
        follow_batch_t b;
        err_t err;
        if (follow_next(f, &b, TAIL_POLL_MS, &err) < 0) {
            rc = ctl_report(ctl, &err);
            break;
        }
        for (size_t i = 0; i < b.n; i++)
            s_print(&t, b.events[i]);
        if (!follow && b.caught_up)
            break;
    }
done:
    follow_destroy(&f);
    free(t.kinds);
    return rc;
}
