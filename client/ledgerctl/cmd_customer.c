/* cmd_customer - `ledgerctl customer add|amend|show|list|attribution`, and
 * how a customer is shown. Contact details (phone, WeChat, QQ) come back only
 * from show (a Get); lists and events never carry them. An amend reads the
 * record and sends it back changed, with the version it read.
 * Checking the values is ledgerd's; only syntax is checked here.
 * Attribution shows ledger-attribution's result for the customer
 * (attribution.c lays it out). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "attribution.h"
#include "ctl.h"
#include "frame.h"

static const char s_help[] =
    "usage: ledgerctl customer COMMAND [OPTIONS]\n"
    "\n"
    "Customer records and their contact details.\n";

#define S_FIELDS \
    "  --phone PHONE\n" \
    "  --wechat ID\n" \
    "  --qq NUMBER\n" \
    "  --first-contact \"YYYY-MM-DD HH:MM\"   first contact, ledger-local time\n" \
    "  --member | --no-member               a member customer (default no)\n"

static const char s_add_usage[] =
    "usage: ledgerctl customer add --name NAME --branch BRANCH [OPTIONS]\n"
    "\n"
    "Add a customer; prints the code ledgerd gave (C-00001) unless --code.\n"
    "\n"
    "  --name NAME       (required)\n"
    "  --branch BRANCH   branch code, e.g. SH01 (required)\n"
    "  --code CODE       own code instead of a generated one\n"
    S_FIELDS;

static const char s_amend_usage[] =
    "usage: ledgerctl customer amend CODE [OPTIONS]\n"
    "\n"
    "Change a customer; fields not given stay as they are (\"\" clears one).\n"
    "\n"
    "  --name NAME\n"
    "  --branch BRANCH\n"
    S_FIELDS;

static const char s_show_usage[] =
    "usage: ledgerctl customer show CODE\n"
    "\n"
    "Show one customer, contact details included.\n";

static const char s_list_usage[] =
    "usage: ledgerctl customer list [OPTIONS]\n"
    "\n"
    "List customers, in code order (contact details are not listed).\n"
    "\n"
    "  --branch BRANCH   only this branch\n"
    "  --limit N         records per page, 1..1000 (default 100)\n"
    "  --all             every page, not just the first\n"
    "  --page-token HEX  continue where an earlier list stopped\n";

static const char s_attribution_usage[] =
    "usage: ledgerctl customer attribution CODE\n"
    "\n"
    "Show who is credited with the customer's orders over time, as\n"
    "ledger-attribution resolved them: each attribution window (first or\n"
    "win-back) with the orders in it and the channel, service and assist it\n"
    "held, each with its rule and the order that set it; the solutions' type-D\n"
    "assists; the claims not applied (conflicts); and the counts of orders\n"
    "resolved, outside any window and with gaps. One order's roles are under\n"
    "'ledgerctl order show'. Exits 1 when the worker has written nothing for\n"
    "the customer yet.\n";

enum { OPT_NAME = 256, OPT_BRANCH, OPT_CODE, OPT_PHONE, OPT_WECHAT, OPT_QQ,
       OPT_FIRST, OPT_MEMBER, OPT_NO_MEMBER };

/* What the options asked to change; NULL / -1 = leave as it is. */
typedef struct {
    const char *name, *branch, *code;   /* plain fields */
    const char *phone, *wechat, *qq;    /* contact */
    const char *first_contact;          /* "" clears */
    int member;                         /* 0, 1, or -1 */
} s_opts_t;

static const struct option s_options[] = {
    { "name", required_argument, NULL, OPT_NAME },
    { "branch", required_argument, NULL, OPT_BRANCH },
    { "code", required_argument, NULL, OPT_CODE },
    { "phone", required_argument, NULL, OPT_PHONE },
    { "wechat", required_argument, NULL, OPT_WECHAT },
    { "qq", required_argument, NULL, OPT_QQ },
    { "first-contact", required_argument, NULL, OPT_FIRST },
    { "member", no_argument, NULL, OPT_MEMBER },
    { "no-member", no_argument, NULL, OPT_NO_MEMBER },
    CTL_OPTS_END
};

/* s_parse - read the options shared by add and amend (amend has no --code);
 * -1 when the command should end with exit code o->rc (help or usage) */
static int s_parse(ctl_opts_t *o, s_opts_t *out, int code_ok)
{
    int c;
    *out = (s_opts_t){ .member = -1 };
    while ((c = ctl_opt_next(o)) != -1) {
        switch (c) {
        case OPT_NAME:      out->name = optarg; break;
        case OPT_BRANCH:    out->branch = optarg; break;
        case OPT_PHONE:     out->phone = optarg; break;
        case OPT_WECHAT:    out->wechat = optarg; break;
        case OPT_QQ:        out->qq = optarg; break;
        case OPT_FIRST:     out->first_contact = optarg; break;
        case OPT_MEMBER:    out->member = 1; break;
        case OPT_NO_MEMBER: out->member = 0; break;
        case OPT_CODE:
            if (!code_ok) {
                o->rc = ctl_usage(o->cmd, "--code: a customer's code cannot change");
                return -1;
            }
            out->code = optarg;
            break;
        default:
            return -1;
        }
    }
    return 0;
}

/* s_apply - the asked changes onto cu; contact is a copy the caller owns;
 * times are parsed here, after ctl_open has set the ledger's zone */
static int s_apply(const char *cmd, const s_opts_t *o, Ledger__Customer *cu,
                   Ledger__Contact *contact)
{
    if (o->name)   cu->name = (char *)o->name;
    if (o->branch) cu->branch = (char *)o->branch;
    if (o->code)   cu->code = (char *)o->code;
    if (o->member >= 0)
        cu->member = o->member;
    if (o->phone || o->wechat || o->qq) {
        if (cu->contact)
            *contact = *cu->contact;
        if (o->phone)  contact->phone = (char *)o->phone;
        if (o->wechat) contact->wechat = (char *)o->wechat;
        if (o->qq)     contact->qq = (char *)o->qq;
        cu->contact = contact;
    }
    if (o->first_contact && !*o->first_contact)
        cu->_first_contact_ms_case = LEDGER__CUSTOMER___FIRST_CONTACT_MS__NOT_SET;
    else if (o->first_contact) {
        int64_t ms;
        int rc = ctl_parse_time(cmd, "--first-contact", o->first_contact, &ms);
        if (rc)
            return rc;
        cu->_first_contact_ms_case = LEDGER__CUSTOMER___FIRST_CONTACT_MS_FIRST_CONTACT_MS;
        cu->first_contact_ms = ms;
    }
    return 0;
}

/* cmd_customer_json - a customer as a JSON object; contact when present */
void cmd_customer_json(out_json_t *j, const char *key, const Ledger__Customer *c)
{
    out_json_object(j, key);
    out_json_uint(j, "id", c->id);
    out_json_str(j, "code", c->code);
    out_json_str(j, "name", c->name);
    out_json_str(j, "branch", c->branch);
    if (c->contact) {
        out_json_object(j, "contact");
        out_json_str(j, "phone", c->contact->phone);
        out_json_str(j, "wechat", c->contact->wechat);
        out_json_str(j, "qq", c->contact->qq);
        out_json_end(j);
    }
    if (c->_first_contact_ms_case == LEDGER__CUSTOMER___FIRST_CONTACT_MS_FIRST_CONTACT_MS)
        out_json_time(j, "first_contact", c->first_contact_ms);
    else {
        out_json_null(j, "first_contact_ms");
        out_json_null(j, "first_contact");
    }
    out_json_bool(j, "member", c->member);
    out_json_uint(j, "version", c->version);
    out_json_time(j, "created", c->created_ms);
    out_json_time(j, "updated", c->updated_ms);
    out_json_end(j);
}

/* s_first_contact - local time, or "-" */
static const char *s_first_contact(char *out, size_t n, const Ledger__Customer *c)
{
    if (c->_first_contact_ms_case != LEDGER__CUSTOMER___FIRST_CONTACT_MS_FIRST_CONTACT_MS)
        return "-";
    out_time(out, n, c->first_contact_ms);
    return out;
}

/* s_dash - "-" for empty text */
static const char *s_dash(const char *s)
{
    return s && *s ? s : "-";
}

/* s_json - a customer as a JSON value, for show and list */
static void s_json(out_json_t *j, const void *rec)
{
    cmd_customer_json(j, NULL, rec);
}

/* s_show - key/value pairs for people, contact included */
static void s_show(const void *rec)
{
    const Ledger__Customer *c = rec;
    char t[32];
    out_pairs_t *p = out_pairs_new();
    out_pairs_add(p, "code", "%s", c->code);
    out_pairs_add(p, "id", "%llu", (unsigned long long)c->id);
    out_pairs_add(p, "name", "%s", c->name);
    out_pairs_add(p, "branch", "%s", c->branch);
    out_pairs_add(p, "phone", "%s", s_dash(c->contact ? c->contact->phone : NULL));
    out_pairs_add(p, "wechat", "%s", s_dash(c->contact ? c->contact->wechat : NULL));
    out_pairs_add(p, "qq", "%s", s_dash(c->contact ? c->contact->qq : NULL));
    out_pairs_add(p, "first contact", "%s", s_first_contact(t, sizeof t, c));
    out_pairs_add(p, "member", "%s", c->member ? "yes" : "no");
    out_pairs_add(p, "version", "%llu", (unsigned long long)c->version);
    out_pairs_add(p, "created", "%s", ctl_time(t, sizeof t, c->created_ms));
    out_pairs_add(p, "updated", "%s", ctl_time(t, sizeof t, c->updated_ms));
    out_pairs_print(p, stdout);
    out_table_destroy(&p);
}

/* s_table - the list's headings */
static out_table_t *s_table(void)
{
    return out_table_new(6, "CODE", "NAME", "BRANCH", "FIRST CONTACT", "MEMBER", ">VERSION");
}

/* s_row - one customer in the list */
static void s_row(out_table_t *t, const void *rec)
{
    const Ledger__Customer *c = rec;
    char first[32], version[24];
    snprintf(version, sizeof version, "%llu", (unsigned long long)c->version);
    out_table_row(t, c->code, c->name, c->branch, s_first_contact(first, sizeof first, c),
                  c->member ? "yes" : "no", version);
}

/* How customers are shown and listed (ctl_show, ctl_list). */
static const ctl_record_t s_record = {
    .kind = LEDGER__ENTITY_KIND__ENTITY_CUSTOMER, .name = "customer", .plural = "customers",
    .json = s_json, .show = s_show, .table = s_table, .row = s_row
};

/* s_add - CustomerAdd from the options */
static int s_add(ctl_t *ctl, int argc, char **argv)
{
    ctl_opts_t o = { argc, argv, "customer add", s_add_usage, s_options };
    Ledger__Customer cu = LEDGER__CUSTOMER__INIT;
    Ledger__Contact contact = LEDGER__CONTACT__INIT;
    Ledger__Meta meta = LEDGER__META__INIT;
    Ledger__CustomerAdd req = LEDGER__CUSTOMER_ADD__INIT;
    s_opts_t opt;
    int rc;

    if (s_parse(&o, &opt, 1) < 0)
        return o.rc;
    if ((rc = ctl_opt_operands(&o, 0, 0, "")))
        return rc;
    if (!opt.name || !*opt.name || !opt.branch || !*opt.branch)
        return ctl_usage(o.cmd, "%s is required",
                         !opt.name || !*opt.name ? "--name" : "--branch");
    if ((rc = ctl_open(ctl)) || (rc = s_apply(o.cmd, &opt, &cu, &contact)))
        return rc;
    ctl_meta_write(ctl, &meta);
    req.meta = &meta;
    req.customer = &cu;
    return ctl_write(ctl, FRAME_CUSTOMER_ADD, &req.base, "added", "customer");
}

/* s_amend - get, change, send back with the version read */
static int s_amend(ctl_t *ctl, int argc, char **argv)
{
    ctl_opts_t o = { argc, argv, "customer amend", s_amend_usage, s_options };
    Ledger__Contact contact = LEDGER__CONTACT__INIT;
    Ledger__Meta meta = LEDGER__META__INIT;
    Ledger__CustomerAmend req = LEDGER__CUSTOMER_AMEND__INIT;
    Ledger__GetReply *got = NULL;
    s_opts_t opt;
    int rc;

    if (s_parse(&o, &opt, 0) < 0)
        return o.rc;
    if ((rc = ctl_opt_operands(&o, 1, 1, "CODE")) ||
        (rc = ctl_open(ctl)) ||
        (rc = ctl_get_record(ctl, &s_record, argv[optind], &got)))
        return rc;
    /* A shallow copy: the strings still belong to the reply, freed last. */
    Ledger__Customer cu = *got->customer;
    if ((rc = s_apply(o.cmd, &opt, &cu, &contact)))
        goto done;
    ctl_meta_write(ctl, &meta);
    req.meta = &meta;
    req.customer = &cu;
    req._expected_version_case = LEDGER__CUSTOMER_AMEND___EXPECTED_VERSION_EXPECTED_VERSION;
    req.expected_version = got->customer->version;
    rc = ctl_write(ctl, FRAME_CUSTOMER_AMEND, &req.base, "amended", "customer");
done:
    protobuf_c_message_free_unpacked(&got->base, NULL);
    return rc;
}

/* s_show_cmd - Get by code, contact included */
static int s_show_cmd(ctl_t *ctl, int argc, char **argv)
{
    return ctl_show(ctl, &s_record, s_show_usage, argc, argv);
}

/* s_list - List customers, one page or --all */
static int s_list(ctl_t *ctl, int argc, char **argv)
{
    return ctl_list(ctl, &s_record, s_list_usage, argc, argv);
}

/* s_attribution - Get the customer (it must exist), then its attribution
 * result; none yet is a failure, said plainly */
static int s_attribution(ctl_t *ctl, int argc, char **argv)
{
    ctl_opts_t o = { argc, argv, "customer attribution", s_attribution_usage };
    Ledger__GetReply *got = NULL;
    ctl_result_t a;
    int rc;

    if (ctl_start(ctl, &o, 1, 1, "CODE"))
        return o.rc;
    if ((rc = ctl_get_record(ctl, &s_record, argv[optind], &got)))
        return rc;
    const Ledger__Customer *cu = got->customer;
    if ((rc = ctl_result_get(&a, ctl, ATTRIBUTION_CUSTOMER, cu->code,
                              &ledger__customer_attribution__descriptor)))
        goto done;
    if (!a.payload) {
        fprintf(stderr, "ledgerctl: no attribution for %s yet (is ledger-attribution "
                "running?)\n", cu->code);
        rc = CTL_REJECTED;
    } else if (ctl->json) {
        out_json_t j;
        out_json_init(&j, stdout);
        attribution_customer_json(&j, cu, &a);
    } else
        attribution_customer_show(cu, &a);
    ctl_result_fini(&a);
done:
    protobuf_c_message_free_unpacked(&got->base, NULL);
    return rc;
}

static const ctl_cmd_t s_cmds[] = {
    { "add", s_add, "add a customer" },
    { "amend", s_amend, "change a customer" },
    { "show", s_show_cmd, "show one customer with contact details" },
    { "list", s_list, "list customers" },
    { "attribution", s_attribution, "who is credited with the customer's orders" },
    { NULL, NULL, NULL }
};

/* cmd_customer - `ledgerctl customer ...` */
int cmd_customer(ctl_t *ctl, int argc, char **argv)
{
    return ctl_group(ctl, "customer", s_cmds, s_help, argc, argv);
}
