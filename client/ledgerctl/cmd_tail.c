/* cmd_tail - `ledgerctl tail`: print the event log, then with --follow keep
 * printing as ledgerd publishes. The subscription opens before the replay,
 * so nothing falls between them; published events at or below what has
 * been printed are dropped, and a gap in seq is filled from the log with
 * Replay. The log and its order are ledgerd's; this only reads them. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>
#include "codec.h"
#include "ctl.h"
#include "fields.h"
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
    uint64_t done;       /* every seq <= done has been considered */
} s_tail_t;

static volatile sig_atomic_t s_stop;   /* SIGINT or SIGTERM seen */

/* s_on_signal - ask the follow loop to end */
static void s_on_signal(int sig)
{
    (void)sig;
    s_stop = 1;
}

/* s_match - "order" matches "order" and "order.*", as Replay's filter does */
static int s_match(const s_tail_t *t, const char *kind)
{
    if (t->n_kinds == 0)
        return 1;
    for (size_t i = 0; i < t->n_kinds; i++) {
        size_t n = strlen(t->kinds[i]);
        if (!strncmp(kind, t->kinds[i], n) && (kind[n] == '\0' || kind[n] == '.'))
            return 1;
    }
    return 0;
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
    out_pad(stdout, e->kind, 18, 0);
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

/* s_replay - print the log after t->done until at least upto (0: until the
 * log's end as each page reports it); advances t->done */
static int s_replay(s_tail_t *t, uint64_t upto)
{
    Ledger__Meta meta = LEDGER__META__INIT;
    Ledger__Replay req = LEDGER__REPLAY__INIT;
    ctl_meta_read(t->ctl, &meta);
    req.meta = &meta;
    req.kinds = t->kinds;
    req.n_kinds = t->n_kinds;
    req.max_events = TAIL_PAGE;
    for (;;) {
        Ledger__ReplayReply *r = NULL;
        req.after_seq = t->done;
        int rc = ctl_call(t->ctl, FRAME_REPLAY, &req.base, &ledger__replay_reply__descriptor,
                          (ProtobufCMessage **)&r);
        if (rc)
            return rc;
        for (size_t i = 0; i < r->n_events; i++)
            if (r->events[i]->seq > t->done)
                s_print(t, r->events[i]);
        uint64_t target = upto ? upto : r->last_seq;
        int stuck = r->scanned_to <= t->done;
        if (r->scanned_to > t->done)
            t->done = r->scanned_to;
        protobuf_c_message_free_unpacked(&r->base, NULL);
        if (t->done >= target)
            return CTL_OK;
        if (stuck) {
            fprintf(stderr, "ledgerctl: replay after seq %llu made no progress "
                    "(ledgerd reported nothing scanned)\n", (unsigned long long)t->done);
            return CTL_REJECTED;
        }
    }
}

/* s_published - one message from the PUB socket: [topic][header][Event] */
static int s_published(s_tail_t *t, void *sub)
{
    zmq_msg_t part[3];
    int n = 0, more = 1, rc = CTL_OK;
    size_t more_len = sizeof more;
    while (more) {
        zmq_msg_t scratch, *m = n < 3 ? &part[n] : &scratch;
        zmq_msg_init(m);
        if (zmq_msg_recv(m, sub, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(m);
            goto done;
        }
        zmq_getsockopt(sub, ZMQ_RCVMORE, &more, &more_len);
        if (m == &scratch)
            zmq_msg_close(m);
        n++;
    }
    frame_header_t h;
    err_t err;
    if (n != 3 || frame_decode(&h, zmq_msg_data(&part[1]), zmq_msg_size(&part[1]), &err) < 0 ||
        h.type != FRAME_EVENT)
        goto done;   /* not an event of this protocol */
    uint64_t seq = h.request_id;
    if (seq <= t->done)
        goto done;   /* printed already, by the replay */
    if (seq > t->done + 1 && (rc = s_replay(t, seq - 1)))
        goto done;   /* a gap: missed while connecting, or dropped by ZeroMQ */
    if (seq <= t->done)
        goto done;
    Ledger__Event *e = (Ledger__Event *)codec_unpack(&ledger__event__descriptor,
                                                     zmq_msg_data(&part[2]),
                                                     zmq_msg_size(&part[2]), &err);
    if (!e) {
        fprintf(stderr, "ledgerctl: published event %llu unreadable: %s %s: %s\n",
                (unsigned long long)seq, err_code_name(err.code), err.field, err.msg);
        goto done;   /* t->done stays: the next event fills the gap from the log */
    }
    if (s_match(t, e->kind))
        s_print(t, e);
    t->done = seq;
    protobuf_c_message_free_unpacked(&e->base, NULL);
done:
    for (int i = 0; i < n && i < 3; i++)
        zmq_msg_close(&part[i]);
    return rc;
}

/* s_follow - print what ledgerd publishes until a signal */
static int s_follow(s_tail_t *t, void *sub)
{
    struct sigaction sa = { .sa_handler = s_on_signal };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    while (!s_stop) {
        zmq_pollitem_t item = { .socket = sub, .events = ZMQ_POLLIN };
        int ready = zmq_poll(&item, 1, TAIL_POLL_MS);
        if (ready <= 0)
            continue;   /* timeout, or EINTR: look at the flag */
        int rc = s_published(t, sub);
        if (rc)
            return rc;
    }
    return CTL_OK;
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
    void *zctx = NULL, *sub = NULL;
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
    if (follow) {
        /* Subscribed before the replay: an event appended meanwhile is either
         * in the replay or arrives here (and is dropped as already printed). */
        int linger = 0;
        zctx = zmq_ctx_new();
        sub = zmq_socket(zctx, ZMQ_SUB);
        zmq_setsockopt(sub, ZMQ_LINGER, &linger, sizeof linger);
        zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "", 0);
        if (zmq_connect(sub, ctl->events) < 0) {
            rc = ctl_usage(NULL, "--events: cannot use '%s': %s", ctl->events,
                           zmq_strerror(zmq_errno()));
            goto done;
        }
    }
    uint64_t last = ctl->hello->last_seq;
    if (has_from)
        t.done = from > 0 ? from - 1 : 0;
    else
        t.done = last > TAIL_LAST ? last - TAIL_LAST : 0;
    if ((rc = s_replay(&t, 0)) || !follow)
        goto done;
    rc = s_follow(&t, sub);
done:
    if (sub)
        zmq_close(sub);
    if (zctx)
        zmq_ctx_term(zctx);
    free(t.kinds);
    return rc;
}
