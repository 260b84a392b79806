/* cmd_cursor - `ledgerctl cursor show|wait`: how far followers (workers,
 * the finance desk) have written their effects, and waiting until they have
 * caught up with the log, which is what a script needs before it reads a
 * worker's results. Cursors are moved by the workers' write-backs only. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "ctl.h"
#include "frame.h"

static const char s_help[] =
    "usage: ledgerctl cursor COMMAND\n"
    "\n"
    "Followers' cursors: the last seq whose effects a worker has written.\n"
    "A cursor is named <worker>:<K>/<N>, e.g. attribution:0/2.\n";

static const char s_show_usage[] =
    "usage: ledgerctl cursor show NAME...\n"
    "\n"
    "Show each named cursor and how far it is behind the log's last seq\n"
    "(0 for a cursor never written).\n";

static const char s_wait_usage[] =
    "usage: ledgerctl cursor wait NAME... [--seq N] [--within SECONDS]\n"
    "\n"
    "Wait until every named cursor has reached seq N (default: the log's last\n"
    "seq when the command starts), showing progress after a second.\n"
    "\n"
    "  --seq N           the seq to reach\n"
    "  --within SECONDS  give up after this long (default 60); exit status 1\n";

#define CURSOR_POLL_MS 100

/* s_cursor - one cursor's seq; an exit code */
static int s_cursor(ctl_t *ctl, const char *name, uint64_t *seq)
{
    Ledger__Meta meta = LEDGER__META__INIT;
    Ledger__CursorGet req = LEDGER__CURSOR_GET__INIT;
    Ledger__CursorReply *r = NULL;
    ctl_meta_read(ctl, &meta);
    req.meta = &meta;
    req.name = (char *)name;
    int rc = ctl_call(ctl, FRAME_CURSOR_GET, &req.base, &ledger__cursor_reply__descriptor,
                      (ProtobufCMessage **)&r);
    if (rc)
        return rc;
    *seq = r->seq;
    protobuf_c_message_free_unpacked(&r->base, NULL);
    return CTL_OK;
}

/* s_show - each cursor, and its lag behind the log */
static int s_show(ctl_t *ctl, int argc, char **argv)
{
    ctl_opts_t o = { argc, argv, "cursor show", s_show_usage };
    if (ctl_start(ctl, &o, 1, 64, "NAME"))
        return o.rc;
    uint64_t last = ctl->hello->last_seq;
    out_json_t j;
    out_table_t *t = NULL;
    if (ctl->json) {
        out_json_init(&j, stdout);
        out_json_array(&j, NULL);
    } else {
        t = out_table_new(3, "cursor", "seq", "behind");
    }
    int rc = CTL_OK;
    for (int i = optind; i < argc && rc == CTL_OK; i++) {
        uint64_t seq;
        if ((rc = s_cursor(ctl, argv[i], &seq)))
            break;
        uint64_t behind = last > seq ? last - seq : 0;
        if (ctl->json) {
            out_json_object(&j, NULL);
            out_json_str(&j, "cursor", argv[i]);
            out_json_uint(&j, "seq", seq);
            out_json_uint(&j, "last_seq", last);
            out_json_uint(&j, "behind", behind);
            out_json_end(&j);
        } else {
            char s[24], b[24];
            snprintf(s, sizeof s, "%llu", (unsigned long long)seq);
            snprintf(b, sizeof b, "%llu", (unsigned long long)behind);
            out_table_row(t, argv[i], s, b);
        }
    }
    if (ctl->json)
        out_json_end(&j);
    else {
        if (rc == CTL_OK)
            out_table_print(t, stdout);
        out_table_destroy(&t);
    }
    return rc;
}

static void s_sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

/* s_wait - poll until every cursor reaches the target */
static int s_wait(ctl_t *ctl, int argc, char **argv)
{
    enum { OPT_SEQ = 256, OPT_WITHIN };
    static const struct option opts[] = {
        { "seq", required_argument, NULL, OPT_SEQ },
        { "within", required_argument, NULL, OPT_WITHIN },
        CTL_OPTS_END };
    ctl_opts_t o = { argc, argv, "cursor wait", s_wait_usage, opts };
    uint64_t target = 0, within = 60;
    int have_target = 0, c, rc;
    while ((c = ctl_opt_next(&o)) != -1) {
        if (c == CTL_OPT_STOP)
            return o.rc;
        if (c == OPT_SEQ) {
            if ((rc = ctl_parse_uint(o.cmd, "--seq", optarg, 0, UINT64_MAX, &target)))
                return rc;
            have_target = 1;
        } else if ((rc = ctl_parse_uint(o.cmd, "--within", optarg, 1, 86400, &within))) {
            return rc;
        }
    }
    if ((rc = ctl_opt_operands(&o, 1, 64, "NAME")) || (rc = ctl_open(ctl)))
        return rc;
    if (!have_target)
        target = ctl->hello->last_seq;
    int first = optind, polls = (int)(within * 1000 / CURSOR_POLL_MS), shown = 0;
    for (int p = 0; ; p++) {
        int behind = 0;
        char progress[512] = "";
        size_t len = 0;
        for (int i = first; i < argc; i++) {
            uint64_t seq;
            if ((rc = s_cursor(ctl, argv[i], &seq)))
                return rc;
            if (seq < target) {
                behind++;
                if (len < sizeof progress)
                    len += snprintf(progress + len, sizeof progress - len, "  %s at %llu",
                                    argv[i], (unsigned long long)seq);
            }
        }
        if (!behind)
            break;
        if (p >= polls) {
            fprintf(stderr, "%sledgerctl: cursor wait: not at seq %llu after %llu s:%s\n",
                    shown ? "\n" : "", (unsigned long long)target,
                    (unsigned long long)within, progress);
            return CTL_REJECTED;
        }
        if (p && p % 10 == 0 && !ctl->json) {   /* a progress line, once a second */
            fprintf(stderr, "\rwaiting for seq %llu:%s   ", (unsigned long long)target,
                    progress);
            shown = 1;
        }
        s_sleep_ms(CURSOR_POLL_MS);
    }
    if (shown)
        fputc('\n', stderr);
    if (ctl->json) {
        out_json_t j;
        out_json_init(&j, stdout);
        out_json_object(&j, NULL);
        out_json_uint(&j, "seq", target);
        out_json_array(&j, "cursors");
        for (int i = first; i < argc; i++)
            out_json_str(&j, NULL, argv[i]);
        out_json_end(&j);
        out_json_end(&j);
    } else {
        printf("%d cursor%s at seq %llu or later\n", argc - first, argc - first == 1 ? "" : "s",
               (unsigned long long)target);
    }
    return CTL_OK;
}

static const ctl_cmd_t s_cmds[] = {
    { "show", s_show, "show cursors and how far they are behind" },
    { "wait", s_wait, "wait until cursors have caught up with the log" },
    { NULL, NULL, NULL }
};

/* cmd_cursor - `ledgerctl cursor ...` */
int cmd_cursor(ctl_t *ctl, int argc, char **argv)
{
    return ctl_group(ctl, "cursor", s_cmds, s_help, argc, argv);
}
