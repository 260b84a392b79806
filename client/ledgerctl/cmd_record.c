/* cmd_record - `ledgerctl partner|product|source|payment|shipment|refund|
 * account|entry|service|post|work add|amend|show|list`: the kinds of
 * record.proto, one table row each; options, output and --help come from
 * the message descriptors (fields.c). Also the few commands a kind needs
 * beyond those: source verify|reject, entry reverse|approve|notify. What a
 * record must hold is ledgerd's to check (server/ledgerd/record.c). */
#define _GNU_SOURCE   /* open_memstream */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ctl.h"
#include "fields.h"
#include "frame.h"
#include "record.pb-c.h"
#include "xmalloc.h"

typedef struct {
    const char *name;                        /* the command: "partner" */
    const char *plural;                      /* "partners": JSON array, messages */
    Ledger__EntityKind kind;                 /* = its Record field number */
    const ProtobufCMessageDescriptor *desc;  /* its message */
    const char *about;                       /* one line for --help */
    const char *required;                    /* what add needs, for --help */
    const char *columns[9];                  /* list columns, NULL-ended */
} s_kind_t;

#define K(e) LEDGER__ENTITY_KIND__ENTITY_##e
static const s_kind_t s_kinds[] = {
    { "partner", "partners", K(PARTNER), &ledger__partner__descriptor,
      "Partners: referrers, promoters, sellers (with their inviter) and distributors.",
      "--name --kind --branch",
      { "code", "name", "kind", "branch", "inviter_code", "customer_code", "staff_code",
        "active" } },
    { "product", "products", K(PRODUCT), &ledger__product__descriptor,
      "Products and their purchase, market, channel and list prices.",
      "--name",
      { "code", "name", "purchase_price", "channel_price", "market_price", "list_price",
        "active" } },
    { "source", "sources", K(SOURCE), &ledger__supply_source__descriptor,
      "Supply sources of a product: entered, then verified or rejected; only a\n"
      "verified source may be named on an order line (its cost = qty x unit cost).",
      "--product --kind",
      { "code", "product_code", "kind", "unit_cost", "state", "owner_code", "note" } },
    { "payment", "payments", K(PAYMENT), &ledger__payment__descriptor,
      "Payments received on orders.",
      "--order --amount --paid",
      { "code", "order_code", "amount", "paid_ms", "account_code", "method" } },
    { "shipment", "shipments", K(SHIPMENT), &ledger__shipment__descriptor,
      "Shipments of orders, and their receipts.",
      "--order --shipped",
      { "code", "order_code", "shipped_ms", "carrier", "tracking", "received_ms",
        "received_by" } },
    { "refund", "refunds", K(REFUND), &ledger__refund__descriptor,
      "Refunds requested on orders, and when they were processed.",
      "--order --amount --requested",
      { "code", "order_code", "amount", "requested_ms", "processed_ms", "reason" } },
    { "account", "accounts", K(ACCOUNT), &ledger__account__descriptor,
      "Receiving, paying and internal (books only) accounts.",
      "--name --kind --branch --owner-name",
      { "code", "name", "kind", "branch", "owner_name", "team", "opened_ms", "closed" } },
    { "entry", "entries", K(ENTRY), &ledger__finance_entry__descriptor,
      "Double-entry finance entries: postings that sum to zero. Money entered is\n"
      "corrected by a reversal, never rewritten; an amend may add approvals, notices\n"
      "and a description.",
      "--branch --time --category, and two or more --posting",
      { "code", "branch", "time_ms", "category", "postings", "description",
        "reverses_code", "order_code" } },
    { "service", "services", K(SERVICE), &ledger__service_event__descriptor,
      "Service events: first contacts, transfers, issues and responses, complaints\n"
      "and their closing, callbacks, reports.",
      "--kind --customer --time (a transfer --to-staff; a response, close,\n"
      "customer-told or reported --about)",
      { "code", "kind", "customer_code", "time_ms", "staff_code", "order_code",
        "about_code", "severity" } },
    { "post", "posts", K(POST), &ledger__social_post__descriptor,
      "Social posts of the team's WeChat accounts.",
      "--wechat-account --time --kind",
      { "code", "wechat_account", "staff_code", "time_ms", "kind", "broadcast" } },
    { "work", "work", K(WORK), &ledger__work_record__descriptor,
      "Team work the rules check: script training (with --attendee), daily logs,\n"
      "weekly and monthly plans.",
      "--kind --date --branch",
      { "code", "kind", "date", "branch", "team", "staff_code", "attendee_codes" } },
};

static const s_kind_t *s_kind;   /* the kind this invocation is about */

/* s_record - how ctl_show and ctl_list see the kind */
static ctl_record_t s_record(void)
{
    return (ctl_record_t){ .kind = s_kind->kind, .name = s_kind->name,
                           .plural = s_kind->plural, .desc = s_kind->desc,
                           .columns = s_kind->columns };
}

/* s_cmd - "partner add", for messages */
static const char *s_cmd(char *out, size_t n, const char *sub)
{
    snprintf(out, n, "%s %s", s_kind->name, sub);
    return out;
}

/* s_get - the record named by code, taken out of its reply: caller frees
 * with protobuf_c_message_free_unpacked */
static int s_get(ctl_t *ctl, const char *code, ProtobufCMessage **out)
{
    ctl_record_t rec = s_record();
    Ledger__GetReply *got = NULL;
    int rc = ctl_get_record(ctl, &rec, code, &got);
    if (rc)
        return rc;
    *out = fields_oneof_take(&got->base, s_kind->kind);
    protobuf_c_message_free_unpacked(&got->base, NULL);
    return CTL_OK;
}

/* s_send - RecordAdd, or RecordAmend expecting the version read; m stays
 * the caller's */
static int s_send(ctl_t *ctl, ProtobufCMessage *m, int is_add, uint64_t version)
{
    Ledger__Meta meta = LEDGER__META__INIT;
    Ledger__Record record = LEDGER__RECORD__INIT;
    fields_oneof_put(&record.base, s_kind->kind, m);
    ctl_meta_write(ctl, &meta);
    if (is_add) {
        Ledger__RecordAdd req = LEDGER__RECORD_ADD__INIT;
        req.meta = &meta;
        req.record = &record;
        return ctl_write(ctl, FRAME_RECORD_ADD, &req.base, "added", s_kind->name);
    }
    Ledger__RecordAmend req = LEDGER__RECORD_AMEND__INIT;
    req.meta = &meta;
    req.record = &record;
    req._expected_version_case = LEDGER__RECORD_AMEND___EXPECTED_VERSION_EXPECTED_VERSION;
    req.expected_version = version;
    return ctl_write(ctl, FRAME_RECORD_AMEND, &req.base, "amended", s_kind->name);
}

/* s_version - the version member every kind has */
static uint64_t s_version(const ProtobufCMessage *m)
{
    const ProtobufCFieldDescriptor *f =
        protobuf_c_message_descriptor_get_field_by_name(m->descriptor, "version");
    return *(const uint64_t *)((const char *)m + f->offset);
}

/* s_write_usage - the generated --help of add or amend; caller frees */
static char *s_write_usage(const fields_spec_t *spec, int is_add)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (is_add)
        fprintf(f, "usage: ledgerctl %s add [OPTIONS]\n\nAdd one %s; prints the code ledgerd "
                "gave unless --code.\nRequired: %s.\n\n", s_kind->name, s_kind->name,
                s_kind->required);
    else
        fprintf(f, "usage: ledgerctl %s amend CODE [OPTIONS]\n\nChange one %s; what is not "
                "given stays as it is.\n\n", s_kind->name, s_kind->name);
    fields_help(f, spec);
    fputs("\nMoney in yuan (\"12.50\"), times ledger-local; ledgerd checks the rest.\n", f);
    fclose(f);
    return buf;
}

/* s_write - add or amend from the generated options. Values are checked
 * once before connecting (usage errors need no ledgerd) and applied after
 * Hello, which brings the zone times are read in. */
static int s_write(ctl_t *ctl, int argc, char **argv, int is_add)
{
    fields_spec_t spec;
    char cmd[64];
    fields_spec_init(&spec, s_kind->desc, is_add);
    char *usage = s_write_usage(&spec, is_add);
    ctl_opts_t o = { argc, argv, s_cmd(cmd, sizeof cmd, is_add ? "add" : "amend"), usage,
                     spec.longopts };
    fields_arg_t *args = xcalloc(argc, sizeof *args);
    ProtobufCMessage *m = NULL;
    size_t n = 0;
    int c, rc;

    while ((c = ctl_opt_next(&o)) != -1) {
        if (c == CTL_OPT_STOP) {
            rc = o.rc;
            goto done;
        }
        args[n++] = (fields_arg_t){ c, optarg };
    }
    if ((rc = ctl_opt_operands(&o, is_add ? 0 : 1, is_add ? 0 : 1, "CODE")))
        goto done;
    if (!is_add && n == 0) {
        rc = ctl_usage(o.cmd, "nothing to change: give an option");
        goto done;
    }
    m = fields_new(s_kind->desc);
    rc = fields_apply(o.cmd, m, &spec, args, n);
    protobuf_c_message_free_unpacked(m, NULL);
    m = NULL;
    if (rc || (rc = ctl_open(ctl)))
        goto done;
    if (is_add)
        m = fields_new(s_kind->desc);
    else if ((rc = s_get(ctl, argv[optind], &m)))
        goto done;
    if ((rc = fields_apply(o.cmd, m, &spec, args, n)))
        goto done;
    rc = s_send(ctl, m, is_add, is_add ? 0 : s_version(m));
done:
    if (m)
        protobuf_c_message_free_unpacked(m, NULL);
    free(args);
    free(usage);
    return rc;
}

static int s_add(ctl_t *ctl, int argc, char **argv) { return s_write(ctl, argc, argv, 1); }
static int s_amend(ctl_t *ctl, int argc, char **argv) { return s_write(ctl, argc, argv, 0); }

/* s_show - Get by code */
static int s_show(ctl_t *ctl, int argc, char **argv)
{
    char usage[256];
    ctl_record_t rec = s_record();
    snprintf(usage, sizeof usage, "usage: ledgerctl %s show CODE\n\nShow one %s, every "
             "field.\n", s_kind->name, s_kind->name);
    return ctl_show(ctl, &rec, usage, argc, argv);
}

/* s_list - the filters offered are those the kind has (ctl_list decides) */
static int s_list(ctl_t *ctl, int argc, char **argv)
{
    char usage[1024];
    size_t len;
    ctl_record_t rec = s_record();
    const ProtobufCMessageDescriptor *d = s_kind->desc;
    len = (size_t)snprintf(usage, sizeof usage, "usage: ledgerctl %s list [OPTIONS]\n\n"
                           "List %s, oldest first.\n\n", s_kind->name, s_kind->plural);
    if (protobuf_c_message_descriptor_get_field_by_name(d, "branch"))
        len += snprintf(usage + len, sizeof usage - len, "  --branch BRANCH   only this "
                        "branch's\n");
    if (protobuf_c_message_descriptor_get_field_by_name(d, "customer_id"))
        len += snprintf(usage + len, sizeof usage - len, "  --customer CODE   only this "
                        "customer's\n");
    if (protobuf_c_message_descriptor_get_field_by_name(d, "order_id"))
        len += snprintf(usage + len, sizeof usage - len, "  --order CODE      only this "
                        "order's\n");
    snprintf(usage + len, sizeof usage - len,
             "  --limit N         records per page, 1..1000 (default 100)\n"
             "  --all             every page, not just the first\n"
             "  --page-token HEX  continue where an earlier list stopped\n");
    return ctl_list(ctl, &rec, usage, argc, argv);
}

/* s_state - source verify|reject: an amend of state alone */
static int s_state(ctl_t *ctl, int argc, char **argv, Ledger__SourceState state,
                   const char *usage)
{
    char cmd[64];
    ctl_opts_t o = { argc, argv, s_cmd(cmd, sizeof cmd, argv[0]), usage };
    ProtobufCMessage *m = NULL;
    int rc;
    if (ctl_start(ctl, &o, 1, 1, "CODE"))
        return o.rc;
    if ((rc = s_get(ctl, argv[optind], &m)))
        return rc;
    Ledger__SupplySource *src = (Ledger__SupplySource *)m;
    src->state = state;
    rc = s_send(ctl, m, 0, src->version);
    protobuf_c_message_free_unpacked(m, NULL);
    return rc;
}

static int s_verify(ctl_t *ctl, int argc, char **argv)
{
    return s_state(ctl, argc, argv, LEDGER__SOURCE_STATE__SOURCE_VERIFIED,
                   "usage: ledgerctl source verify CODE\n\nMark a supply source verified: "
                   "order lines may name it from now on.\n");
}

static int s_reject(ctl_t *ctl, int argc, char **argv)
{
    return s_state(ctl, argc, argv, LEDGER__SOURCE_STATE__SOURCE_REJECTED,
                   "usage: ledgerctl source reject CODE\n\nMark a supply source rejected: "
                   "order lines may not name it.\n");
}

enum { OPT_AT = 256, OPT_DESCRIPTION, OPT_CODE, OPT_STEP, OPT_BY, OPT_REJECT, OPT_TO };

static const char s_reverse_usage[] =
    "usage: ledgerctl entry reverse CODE [OPTIONS]\n"
    "\n"
    "Undo an entry with a new one: ledgerd gives it the original's postings,\n"
    "negated. An entry is reversed at most once.\n"
    "\n"
    "  --at TIME              the reversal's time (default: the ledger's now)\n"
    "  --description TEXT     default \"reversal of CODE\"\n"
    "  --code CODE            own code instead of a generated one\n";

/* s_reverse - a RecordAdd naming reverses_code with no postings; the
 * original's branch, order and person carry over */
static int s_reverse(ctl_t *ctl, int argc, char **argv)
{
    static const struct option opts[] = {
        { "at", required_argument, NULL, OPT_AT },
        { "description", required_argument, NULL, OPT_DESCRIPTION },
        { "code", required_argument, NULL, OPT_CODE },
        CTL_OPTS_END
    };
    ctl_opts_t o = { argc, argv, "entry reverse", s_reverse_usage, opts };
    const char *at = NULL, *description = NULL, *code = NULL;
    ProtobufCMessage *m = NULL;
    char text[128];
    int64_t ms = 0;
    int c, rc;

    while ((c = ctl_opt_next(&o)) != -1) {
        switch (c) {
        case OPT_AT:          at = optarg; break;
        case OPT_DESCRIPTION: description = optarg; break;
        case OPT_CODE:        code = optarg; break;
        default:              return o.rc;
        }
    }
    if ((rc = ctl_opt_operands(&o, 1, 1, "CODE")) ||
        (at && (rc = ctl_parse_time(o.cmd, "--at", at, &ms))) || (rc = ctl_open(ctl)) ||
        (at && (rc = ctl_parse_time(o.cmd, "--at", at, &ms))) ||
        (rc = s_get(ctl, argv[optind], &m)))
        return rc;
    const Ledger__FinanceEntry *orig = (const Ledger__FinanceEntry *)m;
    Ledger__FinanceEntry e = LEDGER__FINANCE_ENTRY__INIT;
    snprintf(text, sizeof text, "reversal of %s", orig->code);
    e.code = (char *)(code ? code : "");
    e.branch = orig->branch;
    e.time_ms = at ? ms : ctl->hello->ledger_time_ms;
    e.description = (char *)(description ? description : text);
    e.reverses_code = orig->code;
    e.order_code = orig->order_code;
    e.person_code = orig->person_code;
    rc = s_send(ctl, &e.base, 1, 0);
    protobuf_c_message_free_unpacked(m, NULL);
    return rc;
}

static const char s_approve_usage[] =
    "usage: ledgerctl entry approve CODE --step STEP --by STAFF --at TIME [--reject]\n"
    "\n"
    "Record one step of an expenditure's approval chain.\n"
    "\n"
    "  --step STEP            request|proposal|decision\n"
    "  --by STAFF             who requested, proposed or decided\n"
    "  --at TIME              when, \"YYYY-MM-DD HH:MM[:SS]\", ledger-local\n"
    "  --reject               a decision against (default: approved)\n";

static const char s_notify_usage[] =
    "usage: ledgerctl entry notify CODE --to STAFF --at TIME\n"
    "\n"
    "Record that someone was notified of an entry.\n"
    "\n"
    "  --to STAFF             who was notified\n"
    "  --at TIME              when, \"YYYY-MM-DD HH:MM[:SS]\", ledger-local\n";

static const char *const s_steps[] = { "", "request", "proposal", "decision", NULL };

/* s_approval - a new Approval, as protobuf-c frees them */
static Ledger__Approval *s_approval(const char *staff, int64_t ms, int approved)
{
    Ledger__Approval *a = (Ledger__Approval *)fields_new(&ledger__approval__descriptor);
    fields_set_string(&a->staff_code, staff);
    a->time_ms = ms;
    a->approved = approved;
    return a;
}

/* s_chain - entry approve (a step) or notify (one more notice): get, add,
 * amend with the version read */
static int s_chain(ctl_t *ctl, int argc, char **argv, int notify)
{
    static const struct option approve_opts[] = {
        { "step", required_argument, NULL, OPT_STEP },
        { "by", required_argument, NULL, OPT_BY },
        { "at", required_argument, NULL, OPT_AT },
        { "reject", no_argument, NULL, OPT_REJECT },
        CTL_OPTS_END
    };
    static const struct option notify_opts[] = {
        { "to", required_argument, NULL, OPT_TO },
        { "at", required_argument, NULL, OPT_AT },
        CTL_OPTS_END
    };
    ctl_opts_t o = { argc, argv, notify ? "entry notify" : "entry approve",
                     notify ? s_notify_usage : s_approve_usage,
                     notify ? notify_opts : approve_opts };
    const char *staff = NULL, *at = NULL;
    ProtobufCMessage *m = NULL;
    int c, rc, step = 0, reject = 0;
    int64_t ms;

    while ((c = ctl_opt_next(&o)) != -1) {
        switch (c) {
        case OPT_BY: case OPT_TO: staff = optarg; break;
        case OPT_AT:              at = optarg; break;
        case OPT_REJECT:          reject = 1; break;
        case OPT_STEP:
            if ((rc = ctl_parse_enum(o.cmd, "--step", s_steps, optarg, &step)))
                return rc;
            break;
        default:
            return o.rc;
        }
    }
    if ((rc = ctl_opt_operands(&o, 1, 1, "CODE")))
        return rc;
    if (!notify && !step)
        return ctl_usage(o.cmd, "--step is required");
    if (!staff || !*staff)
        return ctl_usage(o.cmd, "%s is required", notify ? "--to" : "--by");
    if (!at)
        return ctl_usage(o.cmd, "--at is required");
    if (reject && step != 3)
        return ctl_usage(o.cmd, "--reject: only a decision approves or rejects");
    if ((rc = ctl_parse_time(o.cmd, "--at", at, &ms)) || (rc = ctl_open(ctl)) ||
        (rc = ctl_parse_time(o.cmd, "--at", at, &ms)) || (rc = s_get(ctl, argv[optind], &m)))
        return rc;
    Ledger__FinanceEntry *e = (Ledger__FinanceEntry *)m;
    if (notify) {
        e->notices = xrealloc(e->notices, (e->n_notices + 1) * sizeof *e->notices);
        e->notices[e->n_notices++] = s_approval(staff, ms, 0);
    } else {
        Ledger__Approval **slot = step == 1 ? &e->request : step == 2 ? &e->proposal
                                                                      : &e->decision;
        if (*slot)
            protobuf_c_message_free_unpacked(&(*slot)->base, NULL);
        *slot = s_approval(staff, ms, step == 3 && !reject);
    }
    rc = s_send(ctl, m, 0, e->version);
    protobuf_c_message_free_unpacked(m, NULL);
    return rc;
}

static int s_approve(ctl_t *ctl, int argc, char **argv) { return s_chain(ctl, argc, argv, 0); }
static int s_notify(ctl_t *ctl, int argc, char **argv) { return s_chain(ctl, argc, argv, 1); }

#define S_COMMON \
    { "add", s_add, "add one" }, \
    { "amend", s_amend, "change one" }, \
    { "show", s_show, "show one, every field" }, \
    { "list", s_list, "list them, with the filters the kind has" }

static const ctl_cmd_t s_plain_cmds[] = { S_COMMON, { NULL, NULL, NULL } };
static const ctl_cmd_t s_source_cmds[] = {
    S_COMMON,
    { "verify", s_verify, "mark a source verified" },
    { "reject", s_reject, "mark a source rejected" },
    { NULL, NULL, NULL }
};
static const ctl_cmd_t s_entry_cmds[] = {
    S_COMMON,
    { "reverse", s_reverse, "undo an entry with its negation" },
    { "approve", s_approve, "record a request, proposal or decision" },
    { "notify", s_notify, "record who was notified" },
    { NULL, NULL, NULL }
};

/* cmd_record - argv[0] names the kind (main.c routes each here) */
int cmd_record(ctl_t *ctl, int argc, char **argv)
{
    char help[512];
    for (size_t i = 0; i < sizeof s_kinds / sizeof s_kinds[0]; i++)
        if (!strcmp(s_kinds[i].name, argv[0]))
            s_kind = &s_kinds[i];
    if (!s_kind)
        return ctl_usage(NULL, "unknown command '%s'", argv[0]);
    snprintf(help, sizeof help, "usage: ledgerctl %s COMMAND [OPTIONS]\n\n%s\n",
             s_kind->name, s_kind->about);
    const ctl_cmd_t *cmds = s_kind->kind == K(SOURCE) ? s_source_cmds
                          : s_kind->kind == K(ENTRY) ? s_entry_cmds : s_plain_cmds;
    return ctl_group(ctl, s_kind->name, cmds, help, argc, argv);
}
