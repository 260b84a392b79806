/* cmd_findings - what ledger-compliance found, and people's word on it:
 * `ledgerctl findings` lists findings (result.list over compliance.finding,
 * filtered here), `ledgerctl finding show ID` prints one, and `finding ack`
 * and `finding resolve` send finding.status. Which rules are broken is the
 * worker's; whether a change is accepted is ledgerd's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "codec.h"
#include "compliance.pb-c.h"
#include "ctl.h"
#include "frame.h"
#include "money.h"
#include "policy.h"
#include "xmalloc.h"

#define FINDING_KIND  "compliance.finding"
#define FINDINGS_LINE 160     /* columns a list line fits in: the reason is what people read */
#define FINDINGS_MAX  100000  /* --limit's ceiling */

/* Enum names as typed and shown; index = enum value. */
static const char *const s_statuses[] = {
    "", "open", "acknowledged", "resolved", "withdrawn", NULL
};
static const char *const s_status_filters[] = {   /* s_statuses, then "all" */
    "", "open", "acknowledged", "resolved", "withdrawn", "all", NULL
};
static const char *const s_severities[] = { "", "low", "medium", "high", NULL };
static const char *const s_subject_kinds[] = {
    "", "order", "entry", "account", "staff", "wechat", "service", "team", "post", NULL
};

static const char s_list_usage[] =
    "usage: ledgerctl findings [--rule RULE] [--status STATUS] [--branch BRANCH]\n"
    "                          [--subject SUBJECT] [--month YYYY-MM]\n"
    "                          [--severity low|medium|high] [--limit N]\n"
    "\n"
    "Compliance findings, one line each: id, severity, status, month and\n"
    "reason, then a count by rule. A finding's id is RULE/SUBJECT[@PERIOD].\n"
    "\n"
    "  --rule RULE        only this rule's findings (\"posts.daily\")\n"
    "  --status STATUS    open, acknowledged, resolved, withdrawn or all\n"
    "                     (default: open and acknowledged)\n"
    "  --branch BRANCH    only this branch's\n"
    "  --subject SUBJECT  only findings about this subject (an order, account, ...)\n"
    "  --month YYYY-MM    only violations of this month\n"
    "  --severity LEVEL   only this severity\n"
    "  --limit N          at most N findings (default: all)\n";

static const char s_help[] =
    "usage: ledgerctl finding COMMAND\n"
    "\n"
    "A compliance finding: show it, acknowledge it (someone is on it), or\n"
    "resolve it with a reason, optionally waiving its fines. ledger-compliance\n"
    "applies the change and writes the finding's next version. To list\n"
    "findings, see 'ledgerctl findings --help'.\n";

static const char s_show_usage[] =
    "usage: ledgerctl finding show ID\n"
    "\n"
    "The whole finding: rule, severity, subject, period, branch, month, when\n"
    "the rule was broken, the events that prove it, its status, and its fines\n"
    "per person.\n";

static const char s_ack_usage[] =
    "usage: ledgerctl finding ack ID --by STAFF [--reason TEXT]\n"
    "\n"
    "Acknowledge a finding: someone has seen it and is on it.\n"
    "\n"
    "  --by STAFF     the member of staff acknowledging it (code)\n"
    "  --reason TEXT  a note\n";

static const char s_resolve_usage[] =
    "usage: ledgerctl finding resolve ID --by STAFF --reason TEXT [--waive]\n"
    "\n"
    "Resolve a finding: it has been dealt with, for this reason.\n"
    "\n"
    "  --by STAFF     the member of staff resolving it (code)\n"
    "  --reason TEXT  why it is resolved (required)\n"
    "  --waive        withdraw its fines too\n";

/* s_status - a status's name; one never set is open */
static const char *s_status(Ledger__FindingStatus status)
{
    return ctl_enum_name(s_statuses, status ? (int)status : LEDGER__FINDING_STATUS__FINDING_OPEN);
}

/* s_finding_json - every field of f; result_version from its Result */
static void s_finding_json(out_json_t *j, const Ledger__Finding *f, uint64_t result_version)
{
    out_json_object(j, NULL);
    out_json_str(j, "id", f->id);
    out_json_str(j, "rule", f->rule);
    out_json_str(j, "severity", ctl_enum_name(s_severities, f->severity));
    out_json_str(j, "subject_kind", ctl_enum_name(s_subject_kinds, f->subject_kind));
    out_json_str(j, "subject", f->subject);
    out_json_str(j, "period", f->period);
    out_json_str(j, "branch", f->branch);
    out_json_str(j, "month", f->month);
    out_json_time(j, "at", f->at_ms);
    out_json_array(j, "evidence");
    for (size_t i = 0; i < f->n_evidence; i++)
        out_json_uint(j, NULL, f->evidence[i]);
    out_json_end(j);
    out_json_str(j, "reason", f->reason);
    out_json_str(j, "status", s_status(f->status));
    out_json_str(j, "status_reason", f->status_reason);
    out_json_str(j, "status_by", f->status_by);
    out_json_time(j, "status_at", f->status_ms);
    out_json_uint(j, "status_seq", f->status_seq);
    out_json_array(j, "fines");
    for (size_t i = 0; i < f->n_fines; i++) {
        out_json_object(j, NULL);
        ctl_party_json(j, "person", f->fines[i]->person);
        out_json_str(j, "roles", f->fines[i]->roles);
        out_json_int(j, "amount_fen", f->fines[i]->amount);
        out_json_end(j);
    }
    out_json_end(j);
    out_json_bool(j, "waived", f->waived);
    out_json_time(j, "found", f->found_ms);
    ctl_party_json(j, "agent", f->agent);
    out_json_uint(j, "result_version", result_version);
    out_json_end(j);
}

/* What `findings` keeps: the filters, and the findings that pass them. */
typedef struct {
    const char *rule, *branch, *subject, *month;   /* NULL: any */
    unsigned statuses;          /* bit per FindingStatus that passes */
    int severity;               /* 0: any */
    uint64_t limit;             /* 0: no limit */
    Ledger__Finding **found;    /* owned */
    uint64_t *versions;         /* of each one's Result */
    size_t n, cap;
    int more;                   /* findings past --limit were left out */
} s_list_t;

/* s_passes - f is one the filters ask for */
static int s_passes(const s_list_t *l, const Ledger__Finding *f)
{
    int status = f->status ? (int)f->status : LEDGER__FINDING_STATUS__FINDING_OPEN;
    return status < 32 && (l->statuses & (1u << status)) &&
           (!l->rule || !strcmp(f->rule, l->rule)) &&
           (!l->branch || !strcmp(f->branch, l->branch)) &&
           (!l->subject || !strcmp(f->subject, l->subject)) &&
           (!l->month || !strcmp(f->month, l->month)) &&
           (!l->severity || (int)f->severity == l->severity);
}

/* s_take - keep res's finding when it passes; a payload that does not
 * decode is said and passed over */
static int s_take(void *arg, const Ledger__Result *res)
{
    s_list_t *l = arg;
    err_t err;
    const ProtobufCBinaryData *p = &res->payload;
    Ledger__Finding *f = (Ledger__Finding *)codec_unpack(
        &ledger__finding__descriptor, p->len ? p->data : (const uint8_t *)"", p->len, &err);
    if (!f) {
        fprintf(stderr, "ledgerctl: %s result %s (version %llu, by %s): the payload is not a "
                "ledger.Finding: %s; passed over\n", res->kind, res->key,
                (unsigned long long)res->version, res->owner, err.msg);
        return 0;
    }
    if (!s_passes(l, f) || (l->limit && l->n == l->limit)) {
        l->more |= l->limit && l->n == l->limit && s_passes(l, f);
        ledger__finding__free_unpacked(f, NULL);
        return l->more;
    }
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->found = xrealloc(l->found, l->cap * sizeof *l->found);
        l->versions = xrealloc(l->versions, l->cap * sizeof *l->versions);
    }
    l->versions[l->n] = res->version;
    l->found[l->n++] = f;
    return l->more;
}

/* s_fetch - every page of compliance.finding (only RULE/ keys with --rule) */
static int s_fetch(ctl_t *ctl, s_list_t *l)
{
    char prefix[160] = "";
    if (l->rule)
        snprintf(prefix, sizeof prefix, "%s/", l->rule);
    return ctl_result_each(ctl, FINDING_KIND, prefix, s_take, l);
}

/* s_print_list - the table, cut to FINDINGS_LINE columns, and the counts */
static void s_print_list(const s_list_t *l)
{
    static const char *const head[] = { "FINDING", "SEVERITY", "STATUS", "MONTH", "REASON" };
    size_t w[4] = { 0 };
    for (int k = 0; k < 4; k++)
        w[k] = out_width(head[k]);
    for (size_t i = 0; i < l->n; i++) {
        const Ledger__Finding *f = l->found[i];
        const char *cells[] = { f->id, ctl_enum_name(s_severities, f->severity),
                                s_status(f->status), f->month };
        for (int k = 0; k < 4; k++)
            if (out_width(cells[k]) > w[k])
                w[k] = out_width(cells[k]);
    }
    size_t used = w[0] + w[1] + w[2] + w[3] + 4 * 2;
    size_t room = used + 20 < FINDINGS_LINE ? FINDINGS_LINE - used : 20;
    out_table_t *t = out_table_newv(5, head);
    for (size_t i = 0; i < l->n; i++) {
        const Ledger__Finding *f = l->found[i];
        char reason[1024];
        out_table_row(t, f->id, ctl_enum_name(s_severities, f->severity),
                      s_status(f->status), f->month,
                      out_cut(reason, sizeof reason, f->reason, room));
    }
    out_table_print(t, stdout);
    out_table_destroy(&t);

    /* The count by rule, in the order the rules came (key order). */
    char by[1024] = "";
    size_t len = 0;
    for (size_t i = 0; i < l->n && len < sizeof by; i++) {
        const char *rule = l->found[i]->rule;
        int seen = 0;
        for (size_t k = 0; k < i && !seen; k++)
            seen = !strcmp(l->found[k]->rule, rule);
        if (seen)
            continue;
        size_t count = 0;
        for (size_t k = i; k < l->n; k++)
            count += !strcmp(l->found[k]->rule, rule);
        len += snprintf(by + len, sizeof by - len, "%s%s %zu", len ? ", " : "", rule, count);
    }
    printf("%zu finding%s (by rule: %s)\n", l->n, l->n == 1 ? "" : "s", by);
}

/* cmd_findings - `ledgerctl findings`: list, filter, print */
int cmd_findings(ctl_t *ctl, int argc, char **argv)
{
    enum { OPT_RULE = 256, OPT_STATUS, OPT_BRANCH, OPT_SUBJECT, OPT_MONTH, OPT_SEVERITY,
           OPT_LIMIT };
    static const struct option opts[] = {
        { "rule", required_argument, NULL, OPT_RULE },
        { "status", required_argument, NULL, OPT_STATUS },
        { "branch", required_argument, NULL, OPT_BRANCH },
        { "subject", required_argument, NULL, OPT_SUBJECT },
        { "month", required_argument, NULL, OPT_MONTH },
        { "severity", required_argument, NULL, OPT_SEVERITY },
        { "limit", required_argument, NULL, OPT_LIMIT },
        CTL_OPTS_END };
    ctl_opts_t o = { argc, argv, "findings", s_list_usage, opts };
    s_list_t l = { .statuses = 1u << LEDGER__FINDING_STATUS__FINDING_OPEN |
                               1u << LEDGER__FINDING_STATUS__FINDING_ACKNOWLEDGED };
    int c, v, rc = CTL_OK;
    while ((c = ctl_opt_next(&o)) != -1) {
        const char *empty = NULL;   /* the option whose value must not be empty */
        switch (c) {
        case OPT_RULE:    l.rule = optarg; empty = "--rule"; break;
        case OPT_BRANCH:  l.branch = optarg; empty = "--branch"; break;
        case OPT_SUBJECT: l.subject = optarg; empty = "--subject"; break;
        case OPT_MONTH:
            l.month = optarg;
            if (!policy_month_valid(optarg))
                rc = ctl_usage(o.cmd, "--month: want YYYY-MM, got '%s'", optarg);
            break;
        case OPT_STATUS:
            if (!(rc = ctl_parse_enum(o.cmd, "--status", s_status_filters, optarg, &v)))
                l.statuses = v == 5 ? ~0u : 1u << v;
            break;
        case OPT_SEVERITY:
            rc = ctl_parse_enum(o.cmd, "--severity", s_severities, optarg, &l.severity);
            break;
        case OPT_LIMIT:
            rc = ctl_parse_uint(o.cmd, "--limit", optarg, 1, FINDINGS_MAX, &l.limit);
            break;
        default:
            return o.rc;
        }
        if (!rc && empty && !*optarg)
            rc = ctl_usage(o.cmd, "%s: the value must not be empty", empty);
        if (rc)
            return rc;
    }
    if ((rc = ctl_opt_operands(&o, 0, 0, "")) || (rc = ctl_open(ctl)))
        return rc;
    if ((rc = s_fetch(ctl, &l)) == CTL_OK) {
        if (ctl->json) {
            out_json_t j;
            out_json_init(&j, stdout);
            out_json_array(&j, NULL);
            for (size_t i = 0; i < l.n; i++)
                s_finding_json(&j, l.found[i], l.versions[i]);
            out_json_end(&j);
        } else if (l.n == 0) {
            puts("no findings");
        } else {
            s_print_list(&l);
        }
        if (l.more && !ctl->json)   /* JSON is the array alone: --limit was asked for */
            fprintf(stderr, "ledgerctl: more findings match: raise --limit to see them\n");
    }
    for (size_t i = 0; i < l.n; i++)
        ledger__finding__free_unpacked(l.found[i], NULL);
    free(l.found);
    free(l.versions);
    return rc;
}

/* s_show_text - the finding as pairs, then its fines */
static void s_show_text(const Ledger__Finding *f, const Ledger__Result *res)
{
    char t[32], buf[1024];
    out_pairs_t *p = out_pairs_new();
    out_pairs_add(p, "finding", "%s", f->id);
    out_pairs_add(p, "rule", "%s", f->rule);
    out_pairs_add(p, "severity", "%s", ctl_enum_name(s_severities, f->severity));
    out_pairs_add(p, "subject", "%s %s", ctl_enum_name(s_subject_kinds, f->subject_kind),
                  f->subject);
    out_pairs_add(p, "period", "%s", *f->period ? f->period : "-");
    out_pairs_add(p, "branch", "%s", *f->branch ? f->branch : "-");
    out_pairs_add(p, "month", "%s", f->month);
    out_pairs_add(p, "broken", "%s", ctl_time(t, sizeof t, f->at_ms));
    if (f->agent && *f->agent->code)
        out_pairs_add(p, "agent", "%s:%s", ctl_enum_name(ctl_party_kinds, f->agent->kind),
                      f->agent->code);
    buf[0] = '\0';
    for (size_t i = 0, len = 0; i < f->n_evidence && len < sizeof buf; i++)
        len += snprintf(buf + len, sizeof buf - len, "%s%llu", i ? ", " : "seq ",
                        (unsigned long long)f->evidence[i]);
    out_pairs_add(p, "evidence", "%s", *buf ? buf : "-");
    out_pairs_add(p, "reason", "%s", f->reason);
    const char *status = s_status(f->status);
    if (*f->status_by)
        out_pairs_add(p, "status", "%s by %s on %s (seq %llu)", status, f->status_by,
                      ctl_time(t, sizeof t, f->status_ms), (unsigned long long)f->status_seq);
    else
        out_pairs_add(p, "status", "%s", status);
    if (*f->status_reason)
        out_pairs_add(p, "status reason", "%s", f->status_reason);
    out_pairs_add(p, "waived", "%s", f->waived ? "yes: its fines are withdrawn" : "no");
    out_pairs_add(p, "found", "%s", ctl_time(t, sizeof t, f->found_ms));
    out_pairs_add(p, "result", "version %llu, by %s", (unsigned long long)res->version,
                  *res->owner ? res->owner : "-");
    out_pairs_print(p, stdout);
    out_table_destroy(&p);
    if (f->n_fines == 0) {
        puts("\nFines: none");
        return;
    }
    puts("\nFines:");
    out_table_t *tb = out_table_new(3, "PERSON", "ROLES", ">AMOUNT");
    int64_t total = 0;
    for (size_t i = 0; i < f->n_fines; i++) {
        const Ledger__FindingFine *fi = f->fines[i];
        char who[64], amount[32];
        snprintf(who, sizeof who, "%s:%s",
                 fi->person ? ctl_enum_name(ctl_party_kinds, fi->person->kind) : "?",
                 fi->person ? fi->person->code : "?");
        money_format(amount, sizeof amount, fi->amount);
        out_table_row(tb, who, fi->roles, amount);
        total += fi->amount;
    }
    char sum[32];
    money_format(sum, sizeof sum, total);
    out_table_row(tb, "total", "", sum);
    out_table_print(tb, stdout);
    out_table_destroy(&tb);
}

/* s_show - `finding show ID` */
static int s_show(ctl_t *ctl, int argc, char **argv)
{
    ctl_opts_t o = { argc, argv, "finding show", s_show_usage };
    if (ctl_start(ctl, &o, 1, 1, "ID"))
        return o.rc;
    const char *id = argv[optind];
    ctl_result_t r;
    int rc = ctl_result_get(&r, ctl, FINDING_KIND, id, &ledger__finding__descriptor);
    if (rc)
        return rc;
    if (!r.payload) {
        fprintf(stderr, "ledgerctl: no finding %s\n", id);
        return CTL_REJECTED;
    }
    const Ledger__Finding *f = (const Ledger__Finding *)r.payload;
    if (ctl->json) {
        out_json_t j;
        out_json_init(&j, stdout);
        s_finding_json(&j, f, r.result->version);
    } else {
        s_show_text(f, r.result);
    }
    ctl_result_fini(&r);
    return CTL_OK;
}

/* s_change - finding.status for `finding ack` and `finding resolve` */
static int s_change(ctl_t *ctl, int argc, char **argv, Ledger__FindingStatus status)
{
    enum { OPT_BY = 256, OPT_REASON, OPT_WAIVE };
    static const struct option ack_opts[] = {
        { "by", required_argument, NULL, OPT_BY },
        { "reason", required_argument, NULL, OPT_REASON },
        CTL_OPTS_END };
    static const struct option resolve_opts[] = {
        { "by", required_argument, NULL, OPT_BY },
        { "reason", required_argument, NULL, OPT_REASON },
        { "waive", no_argument, NULL, OPT_WAIVE },
        CTL_OPTS_END };
    int resolve = status == LEDGER__FINDING_STATUS__FINDING_RESOLVED;
    ctl_opts_t o = { argc, argv, resolve ? "finding resolve" : "finding ack",
                     resolve ? s_resolve_usage : s_ack_usage, resolve ? resolve_opts : ack_opts };
    Ledger__PartyRef by = LEDGER__PARTY_REF__INIT;
    Ledger__FindingStatusChange change = LEDGER__FINDING_STATUS_CHANGE__INIT;
    int c, rc;
    while ((c = ctl_opt_next(&o)) != -1) {
        switch (c) {
        case OPT_BY:     by.code = optarg; break;
        case OPT_REASON: change.reason = optarg; break;
        case OPT_WAIVE:  change.waive = 1; break;
        default:         return o.rc;
        }
    }
    if ((rc = ctl_opt_operands(&o, 1, 1, "ID")))
        return rc;
    if (!strncmp(by.code, "staff:", 6))   /* the form other commands take */
        by.code += 6;
    if (!*by.code)
        return ctl_usage(o.cmd, "--by is required: the member of staff's code");
    if (resolve && !*change.reason)
        return ctl_usage(o.cmd, "--reason is required: why the finding is resolved");
    if ((rc = ctl_open(ctl)))
        return rc;
    Ledger__Meta meta = LEDGER__META__INIT;
    Ledger__FindingStatusSet req = LEDGER__FINDING_STATUS_SET__INIT;
    Ledger__FindingStatusChange *r = NULL;
    by.kind = LEDGER__PARTY_KIND__PARTY_STAFF;
    change.finding = argv[optind];
    change.status = status;
    change.by = &by;
    ctl_meta_write(ctl, &meta);
    req.meta = &meta;
    req.change = &change;
    if ((rc = ctl_call(ctl, FRAME_FINDING_STATUS, &req.base,
                       &ledger__finding_status_change__descriptor, (ProtobufCMessage **)&r)))
        return rc;
    if (ctl->json) {
        out_json_t j;
        out_json_init(&j, stdout);
        out_json_object(&j, NULL);
        out_json_str(&j, "finding", r->finding);
        out_json_str(&j, "status", ctl_enum_name(s_statuses, r->status));
        out_json_str(&j, "reason", r->reason);
        ctl_party_json(&j, "by", r->by);
        out_json_bool(&j, "waive", r->waive);
        out_json_time(&j, "time", r->time_ms);
        out_json_uint(&j, "seq", r->seq);
        out_json_end(&j);
    } else {
        printf("finding %s %s by %s (event seq %llu)\n", r->finding,
               resolve ? "resolved" : "acknowledged",
               r->by ? r->by->code : by.code, (unsigned long long)r->seq);
    }
    protobuf_c_message_free_unpacked(&r->base, NULL);
    return CTL_OK;
}

/* s_ack - `finding ack ID --by STAFF` */
static int s_ack(ctl_t *ctl, int argc, char **argv)
{
    return s_change(ctl, argc, argv, LEDGER__FINDING_STATUS__FINDING_ACKNOWLEDGED);
}

/* s_resolve - `finding resolve ID --by STAFF --reason TEXT` */
static int s_resolve(ctl_t *ctl, int argc, char **argv)
{
    return s_change(ctl, argc, argv, LEDGER__FINDING_STATUS__FINDING_RESOLVED);
}

static const ctl_cmd_t s_cmds[] = {
    { "show", s_show, "show a finding: its facts, status and fines" },
    { "ack", s_ack, "acknowledge a finding: someone is on it" },
    { "resolve", s_resolve, "resolve a finding with a reason, optionally waiving its fines" },
    { NULL, NULL, NULL }
};

/* cmd_finding - `ledgerctl finding ...` */
int cmd_finding(ctl_t *ctl, int argc, char **argv)
{
    return ctl_group(ctl, "finding", s_cmds, s_help, argc, argv);
}
