/* cmd_policy - `ledgerctl policy set|show|default`: a month's policy from a
 * YAML or JSON file, the policy in force for a month, and the built-in
 * default as a file to start from. The file is parsed and checked here
 * first (a mistake is a usage error naming FILE:LINE and the key), then
 * ledgerd checks it again and stores it as the month's next version. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ctl.h"
#include "date.h"
#include "frame.h"
#include "policy.h"
#include "xmalloc.h"

static const char s_help[] =
    "usage: ledgerctl policy COMMAND [OPTIONS]\n"
    "\n"
    "The monthly policy: every rate, bracket, cap, fine and deadline of the\n"
    "commission, compliance and reconciliation rules. A month without a version\n"
    "of its own follows the latest earlier month's, else the built-in default.\n";

static const char s_set_usage[] =
    "usage: ledgerctl policy set --month YYYY-MM [--format yaml|json] FILE\n"
    "\n"
    "Set the policy of a month from a YAML or JSON file: a new version that\n"
    "replaces the month's earlier ones. Keys the file leaves out take the\n"
    "default policy's values ('ledgerctl policy default'). Money is whole fen,\n"
    "rates whole basis points.\n"
    "\n"
    "  --month YYYY-MM      the month it is in force for (required)\n"
    "  --format yaml|json   the file's format (default: from its name, .yaml,\n"
    "                       .yml or .json)\n";

static const char s_show_usage[] =
    "usage: ledgerctl policy show [--month YYYY-MM] [--json] [--text]\n"
    "\n"
    "Show the policy in force for a month (default: the month of the ledger\n"
    "time) as a policy file, and which month's version it is.\n"
    "\n"
    "  --month YYYY-MM   the month\n"
    "  --json            the policy as JSON (same keys as the file)\n"
    "  --text            the file exactly as it was set\n";

static const char s_default_usage[] =
    "usage: ledgerctl policy default [--json]\n"
    "\n"
    "Print the built-in default policy (the seed documents' numbers) as a\n"
    "commented policy file: the same as policies/default.yaml.\n";

enum { OPT_MONTH = 256, OPT_FORMAT, OPT_JSON, OPT_TEXT };

/* s_format_of - from --format, else from the file name's extension */
static int s_format_of(const char *cmd, const char *given, const char *path, const char **out)
{
    if (given) {
        if (strcmp(given, "yaml") && strcmp(given, "json"))
            return ctl_usage(cmd, "--format: '%s' is not one of yaml|json", given);
        *out = given;
        return 0;
    }
    const char *dot = strrchr(path, '.');
    if (dot && (!strcmp(dot, ".yaml") || !strcmp(dot, ".yml")))
        *out = "yaml";
    else if (dot && !strcmp(dot, ".json"))
        *out = "json";
    else
        return ctl_usage(cmd, "cannot tell the format of %s: name it .yaml, .yml or .json, "
                         "or give --format", path);
    return 0;
}

/* s_read_file - the whole file, at most POLICY_TEXT_MAX bytes; caller frees */
static int s_read_file(const char *cmd, const char *path, char **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return ctl_usage(cmd, "cannot read %s: %s", path, strerror(errno));
    char *buf = xmalloc(POLICY_TEXT_MAX + 2);
    size_t n = fread(buf, 1, POLICY_TEXT_MAX + 1, f);
    int bad = ferror(f);
    fclose(f);
    if (bad || n > POLICY_TEXT_MAX || memchr(buf, '\0', n)) {
        free(buf);
        if (bad)
            return ctl_usage(cmd, "cannot read %s", path);
        if (n > POLICY_TEXT_MAX)
            return ctl_usage(cmd, "%s: a policy file has at most %d KiB", path,
                             POLICY_TEXT_MAX / 1024);
        return ctl_usage(cmd, "%s holds a NUL byte: not a text file", path);
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return 0;
}

/* s_set - parse and check the file here, then PolicySet */
static int s_set(ctl_t *ctl, int argc, char **argv)
{
    static const struct option opts[] = {
        { "month", required_argument, NULL, OPT_MONTH },
        { "format", required_argument, NULL, OPT_FORMAT },
        CTL_OPTS_END
    };
    ctl_opts_t o = { argc, argv, "policy set", s_set_usage, opts };
    const char *month = NULL, *given = NULL, *format = NULL, *path;
    char *text = NULL;
    size_t len = 0;
    Ledger__Policy *policy = NULL;
    Ledger__PolicyReply *r = NULL;
    err_t err;
    int c, line, rc = CTL_OK;

    while ((c = ctl_opt_next(&o)) != -1) {
        if (c == OPT_MONTH)
            month = optarg;
        else if (c == OPT_FORMAT)
            given = optarg;
        else
            return o.rc;
    }
    if ((rc = ctl_opt_operands(&o, 1, 1, "FILE")))
        return rc;
    path = argv[optind];
    if (!month)
        return ctl_usage(o.cmd, "--month is required");
    if (!policy_month_valid(month))
        return ctl_usage(o.cmd, "--month: '%s' is not a month YYYY-MM", month);
    if ((rc = s_format_of(o.cmd, given, path, &format)) ||
        (rc = s_read_file(o.cmd, path, &text, &len)))
        return rc;
    if (policy_read(&policy, text, len, format, &line, &err) < 0) {
        char at[32] = "";
        if (line)
            snprintf(at, sizeof at, ":%d", line);
        fprintf(stderr, "ledgerctl: policy set: %s%s: %s%s%s\n", path, at, err.field,
                *err.field ? ": " : "", err.msg);
        rc = CTL_USAGE;
        goto done;
    }
    if ((rc = ctl_open(ctl)))
        goto done;
    Ledger__Meta meta = LEDGER__META__INIT;
    Ledger__PolicySet req = LEDGER__POLICY_SET__INIT;
    ctl_meta_write(ctl, &meta);
    req.meta = &meta;
    req.month = (char *)month;
    req.policy = policy;
    req.format = (char *)format;
    req.text = text;
    if ((rc = ctl_call(ctl, FRAME_POLICY_SET, &req.base, &ledger__policy_reply__descriptor,
                       (ProtobufCMessage **)&r)))
        goto done;
    unsigned version = r->version ? r->version->version : 0;
    if (ctl->json) {
        out_json_t j;
        out_json_init(&j, stdout);
        out_json_object(&j, NULL);
        out_json_str(&j, "month", month);
        out_json_uint(&j, "version", version);
        out_json_uint(&j, "seq", r->seq);
        out_json_end(&j);
    } else {
        printf("set policy %s version %u (seq %llu)\n", month, version,
               (unsigned long long)r->seq);
    }
done:
    if (r)
        protobuf_c_message_free_unpacked(&r->base, NULL);
    if (policy)
        ledger__policy__free_unpacked(policy, NULL);
    free(text);
    return rc;
}

/* s_show_json - the reply with the policy under "policy" */
static void s_show_json(const char *month, const Ledger__PolicyReply *r)
{
    const Ledger__PolicyVersion *v = r->version;
    char iso[40], *policy = policy_format_json(v->policy);
    printf("{\"month\":");
    out_json_escape(stdout, month);
    printf(",\"effective_month\":");
    out_json_escape(stdout, r->effective_month);
    printf(",\"version\":%u,\"format\":", v->version);
    out_json_escape(stdout, v->format);
    printf(",\"actor\":");
    out_json_escape(stdout, v->actor);
    out_iso(iso, sizeof iso, v->set_ms);
    printf(",\"set_ms\":%lld,\"set\":\"%s\",\"policy\":%s}\n", (long long)v->set_ms,
           v->set_ms ? iso : "", policy);
    free(policy);
}

/* s_show - PolicyGet for a month, printed as a policy file */
static int s_show(ctl_t *ctl, int argc, char **argv)
{
    static const struct option opts[] = {
        { "month", required_argument, NULL, OPT_MONTH },
        { "json", no_argument, NULL, OPT_JSON },
        { "text", no_argument, NULL, OPT_TEXT },
        CTL_OPTS_END
    };
    ctl_opts_t o = { argc, argv, "policy show", s_show_usage, opts };
    const char *month = NULL;
    char now[8], t[32];
    int c, text = 0, rc;
    Ledger__PolicyReply *r = NULL;

    while ((c = ctl_opt_next(&o)) != -1) {
        if (c == OPT_MONTH)
            month = optarg;
        else if (c == OPT_JSON)
            ctl->json = 1;
        else if (c == OPT_TEXT)
            text = 1;
        else
            return o.rc;
    }
    if ((rc = ctl_opt_operands(&o, 0, 0, "")))
        return rc;
    if (month && !policy_month_valid(month))
        return ctl_usage(o.cmd, "--month: '%s' is not a month YYYY-MM", month);
    if ((rc = ctl_open(ctl)))
        return rc;
    if (!month) {
        date_t d = date_of(ctl->hello->ledger_time_ms);
        snprintf(now, sizeof now, "%04d-%02d", d.y, d.m);
        month = now;
    }
    Ledger__Meta meta = LEDGER__META__INIT;
    Ledger__PolicyGet req = LEDGER__POLICY_GET__INIT;
    ctl_meta_read(ctl, &meta);
    req.meta = &meta;
    req.month = (char *)month;
    if ((rc = ctl_call(ctl, FRAME_POLICY_GET, &req.base, &ledger__policy_reply__descriptor,
                       (ProtobufCMessage **)&r)))
        return rc;
    const Ledger__PolicyVersion *v = r->version;
    if (!v || !v->policy) {
        fprintf(stderr, "ledgerctl: ledgerd sent no policy for %s\n", month);
        rc = CTL_REJECTED;
    } else if (ctl->json) {
        s_show_json(month, r);
    } else if (text && !*r->effective_month) {
        fprintf(stderr, "ledgerctl: policy show: %s follows the built-in default, which was "
                "never set from a file; see 'ledgerctl policy default'\n", month);
        rc = CTL_REJECTED;
    } else if (text) {
        fputs(v->text, stdout);
    } else {
        char *yaml = policy_format_yaml(v->policy);
        if (*r->effective_month)
            printf("# The policy in force for %s: version %u of %s, set by %s at %s (%s).\n",
                   month, v->version, r->effective_month, v->actor,
                   ctl_time(t, sizeof t, v->set_ms), v->format);
        else
            printf("# The policy in force for %s: the built-in default (no month up to %s "
                   "has a version).\n", month, month);
        fputs(yaml, stdout);
        free(yaml);
    }
    protobuf_c_message_free_unpacked(&r->base, NULL);
    return rc;
}

/* s_default - the built-in default as a file; needs no ledgerd */
static int s_default(ctl_t *ctl, int argc, char **argv)
{
    static const struct option opts[] = {
        { "json", no_argument, NULL, OPT_JSON },
        CTL_OPTS_END
    };
    ctl_opts_t o = { argc, argv, "policy default", s_default_usage, opts };
    int c, rc;
    while ((c = ctl_opt_next(&o)) != -1) {
        if (c == OPT_JSON)
            ctl->json = 1;
        else
            return o.rc;
    }
    if ((rc = ctl_opt_operands(&o, 0, 0, "")))
        return rc;
    Ledger__Policy *p = policy_default();
    char *out = ctl->json ? policy_format_json(p) : policy_format_yaml(p);
    fputs(out, stdout);
    if (ctl->json)
        fputc('\n', stdout);
    free(out);
    ledger__policy__free_unpacked(p, NULL);
    return CTL_OK;
}

static const ctl_cmd_t s_cmds[] = {
    { "set", s_set, "set a month's policy from a YAML or JSON file" },
    { "show", s_show, "show the policy in force for a month" },
    { "default", s_default, "print the built-in default policy file" },
    { NULL, NULL, NULL }
};

/* cmd_policy - `ledgerctl policy ...` */
int cmd_policy(ctl_t *ctl, int argc, char **argv)
{
    return ctl_group(ctl, "policy", s_cmds, s_help, argc, argv);
}
