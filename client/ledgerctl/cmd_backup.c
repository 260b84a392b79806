/* cmd_backup - `ledgerctl backup DIR`: ask ledgerd for a hot, consistent copy
 * of the ledger in DIR, a directory on ledgerd's machine that ledgerd writes
 * itself, and wait for it. Whether DIR can be used is ledgerd's to say;
 * here a relative DIR is only made absolute. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ctl.h"
#include "frame.h"

#define BACKUP_WAIT_S 600   /* --wait default: a big ledger takes a while */

static const char s_usage[] =
    "usage: ledgerctl backup [--wait SECONDS] DIR\n"
    "\n"
    "Make a hot, consistent copy of the ledger while ledgerd keeps serving\n"
    "(LMDB's compacting copy), and print the last seq it holds. DIR is a\n"
    "directory on ledgerd's machine, written by ledgerd itself: it must not\n"
    "exist yet (ledgerd creates it; its parent must exist) or be empty. A\n"
    "relative DIR is resolved against this shell's directory, which makes sense\n"
    "only when ledgerd runs on this machine. One backup at a time.\n"
    "\n"
    "  --wait SECONDS  wait this long for the copy to be written (default 600);\n"
    "                  --timeout still bounds reaching ledgerd\n"
    "\n"
    "To restore, stop ledgerd and start it with --data DIR, or put DIR/data.mdb\n"
    "in place of the data directory's (README.md, Backup and restore).\n";

enum { OPT_WAIT = 256 };

/* s_absolute - DIR as ledgerd must get it; DIR itself need not exist, so
 * a relative one is its parent's realpath and its last name */
static int s_absolute(const char *cmd, const char *dir, char *out, size_t n)
{
    char buf[PATH_MAX], real[PATH_MAX];
    if (dir[0] == '/') {
        if (snprintf(out, n, "%s", dir) >= (int)n)
            return ctl_usage(cmd, "DIR: '%s' is too long", dir);
        return 0;
    }
    if (snprintf(buf, sizeof buf, "%s", dir) >= (int)sizeof buf)
        return ctl_usage(cmd, "DIR: '%s' is too long", dir);
    for (size_t len = strlen(buf); len > 1 && buf[len - 1] == '/'; len--)
        buf[len - 1] = '\0';
    char *slash = strrchr(buf, '/');
    const char *parent = slash ? buf : ".";
    const char *base = slash ? slash + 1 : buf;
    if (slash)
        *slash = '\0';
    if (!strcmp(base, ".") || !strcmp(base, "..")) {
        if (!realpath(dir, real))
            return ctl_usage(cmd, "DIR: cannot resolve '%s': %s", dir, strerror(errno));
        snprintf(out, n, "%s", real);
        return 0;
    }
    if (!realpath(parent, real))
        return ctl_usage(cmd, "DIR: cannot resolve '%s': %s", parent, strerror(errno));
    if (snprintf(out, n, "%s%s%s", real, strcmp(real, "/") ? "/" : "", base) >= (int)n)
        return ctl_usage(cmd, "DIR: '%s' is too long", dir);
    return 0;
}

/* cmd_backup - Backup, waited for with --wait rather than --timeout */
int cmd_backup(ctl_t *ctl, int argc, char **argv)
{
    static const struct option opts[] = {
        { "wait", required_argument, NULL, OPT_WAIT },
        CTL_OPTS_END
    };
    ctl_opts_t o = { argc, argv, "backup", s_usage, opts };
    Ledger__Meta meta = LEDGER__META__INIT;
    Ledger__Backup req = LEDGER__BACKUP__INIT;
    Ledger__BackupReply *r = NULL;
    char path[PATH_MAX];
    uint64_t wait_s = BACKUP_WAIT_S;
    int c, rc;

    while ((c = ctl_opt_next(&o)) != -1) {
        if (c == CTL_OPT_STOP)
            return o.rc;
        if (c == OPT_WAIT && (rc = ctl_parse_uint(o.cmd, "--wait", optarg, 1, 86400, &wait_s)))
            return rc;
    }
    if ((rc = ctl_opt_operands(&o, 1, 1, "DIR")) ||
        (rc = s_absolute(o.cmd, argv[optind], path, sizeof path)) || (rc = ctl_open(ctl)))
        return rc;
    ctl_meta_read(ctl, &meta);
    req.meta = &meta;
    req.path = path;
    rc = ctl_call_wait(ctl, (int)wait_s * 1000, FRAME_BACKUP, &req.base,
                       &ledger__backup_reply__descriptor, (ProtobufCMessage **)&r);
    if (rc)
        return rc;
    if (ctl->json) {
        out_json_t j;
        out_json_init(&j, stdout);
        out_json_object(&j, NULL);
        out_json_str(&j, "path", r->path);
        out_json_uint(&j, "last_seq", r->last_seq);
        out_json_uint(&j, "bytes", r->bytes);
        out_json_end(&j);
    } else {
        printf("backup of seq %llu written to %s (%.1f MiB)\n", (unsigned long long)r->last_seq,
               r->path, (double)r->bytes / (1024 * 1024));
    }
    protobuf_c_message_free_unpacked(&r->base, NULL);
    return CTL_OK;
}
