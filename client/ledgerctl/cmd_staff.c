/* cmd_staff - `ledgerctl staff add|amend|show|list`, and how a staff record
 * is shown (a table, key/value pairs, JSON). An amend reads the record,
 * changes what was asked and sends it back with the version it read, so a
 * change made in between is a CONFLICT rather than silently overwritten.
 * Checking the values is ledgerd's; only syntax is checked here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ctl.h"
#include "frame.h"
#include "xmalloc.h"

static const char s_help[] =
    "usage: ledgerctl staff COMMAND [OPTIONS]\n"
    "\n"
    "Staff records: who sells, serves, arranges and checks.\n";

static const char s_add_usage[] =
    "usage: ledgerctl staff add --name NAME --branch BRANCH [OPTIONS]\n"
    "\n"
    "Add a staff member; prints the code ledgerd gave (S-00001) unless --code.\n"
    "\n"
    "  --name NAME       full name (required)\n"
    "  --branch BRANCH   branch code, e.g. SH01 (required)\n"
    "  --code CODE       own code instead of a generated one\n"
    "  --team TEAM       team name\n"
    "  --role ROLE       presale|aftersale|group-leader|supervisor|responsible|\n"
    "                    checker|finance|planner|editor; repeat for several, the\n"
    "                    first is the primary role\n"
    "  --inactive        add as inactive (default active)\n";

static const char s_amend_usage[] =
    "usage: ledgerctl staff amend CODE [OPTIONS]\n"
    "\n"
    "Change a staff member; fields not given stay as they are.\n"
    "\n"
    "  --name NAME\n"
    "  --branch BRANCH\n"
    "  --team TEAM       (\"\" clears it)\n"
    "  --role ROLE       replaces all roles; repeat for several\n"
    "  --no-roles        remove all roles\n"
    "  --active | --inactive\n";

static const char s_show_usage[] =
    "usage: ledgerctl staff show CODE\n"
    "\n"
    "Show one staff member.\n";

static const char s_list_usage[] =
    "usage: ledgerctl staff list [OPTIONS]\n"
    "\n"
    "List staff, in code order.\n"
    "\n"
    "  --branch BRANCH   only this branch\n"
    "  --limit N         records per page, 1..1000 (default 100)\n"
    "  --all             every page, not just the first\n"
    "  --page-token HEX  continue where an earlier list stopped\n";

enum { OPT_NAME = 256, OPT_BRANCH, OPT_CODE, OPT_TEAM, OPT_ROLE, OPT_NO_ROLES,
       OPT_ACTIVE, OPT_INACTIVE };

/* s_roles - "presale,group-leader" */
static void s_roles(char *out, size_t n, const Ledger__Staff *s)
{
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; i < s->n_roles && len < n; i++)
        len += snprintf(out + len, n - len, "%s%s", i ? "," : "",
                        ctl_enum_name(ctl_roles, s->roles[i]));
}

/* cmd_staff_json - a staff record as a JSON object */
void cmd_staff_json(out_json_t *j, const char *key, const Ledger__Staff *s)
{
    out_json_object(j, key);
    out_json_uint(j, "id", s->id);
    out_json_str(j, "code", s->code);
    out_json_str(j, "name", s->name);
    out_json_str(j, "branch", s->branch);
    out_json_str(j, "team", s->team);
    out_json_array(j, "roles");
    for (size_t i = 0; i < s->n_roles; i++)
        out_json_str(j, NULL, ctl_enum_name(ctl_roles, s->roles[i]));
    out_json_end(j);
    out_json_bool(j, "active", s->active);
    out_json_uint(j, "version", s->version);
    out_json_time(j, "created", s->created_ms);
    out_json_time(j, "updated", s->updated_ms);
    out_json_end(j);
}

/* s_json - a staff record as a JSON value, for show and list */
static void s_json(out_json_t *j, const void *rec)
{
    cmd_staff_json(j, NULL, rec);
}

/* s_show - key/value pairs for people */
static void s_show(const void *rec)
{
    const Ledger__Staff *s = rec;
    char roles[512], t[32];
    out_pairs_t *p = out_pairs_new();
    s_roles(roles, sizeof roles, s);
    out_pairs_add(p, "code", "%s", s->code);
    out_pairs_add(p, "id", "%llu", (unsigned long long)s->id);
    out_pairs_add(p, "name", "%s", s->name);
    out_pairs_add(p, "branch", "%s", s->branch);
    out_pairs_add(p, "team", "%s", *s->team ? s->team : "-");
    out_pairs_add(p, "roles", "%s", *roles ? roles : "-");
    out_pairs_add(p, "active", "%s", s->active ? "yes" : "no");
    out_pairs_add(p, "version", "%llu", (unsigned long long)s->version);
    out_pairs_add(p, "created", "%s", ctl_time(t, sizeof t, s->created_ms));
    out_pairs_add(p, "updated", "%s", ctl_time(t, sizeof t, s->updated_ms));
    out_pairs_print(p, stdout);
    out_table_destroy(&p);
}

/* s_table - the list's headings */
static out_table_t *s_table(void)
{
    return out_table_new(7, "CODE", "NAME", "BRANCH", "TEAM", "ROLES", "ACTIVE", ">VERSION");
}

/* s_row - one staff member in the list */
static void s_row(out_table_t *t, const void *rec)
{
    const Ledger__Staff *s = rec;
    char roles[512], version[24];
    s_roles(roles, sizeof roles, s);
    snprintf(version, sizeof version, "%llu", (unsigned long long)s->version);
    out_table_row(t, s->code, s->name, s->branch, *s->team ? s->team : "-",
                  *roles ? roles : "-", s->active ? "yes" : "no", version);
}

/* How staff are shown and listed (ctl_show, ctl_list). */
static const ctl_record_t s_record = {
    .kind = LEDGER__ENTITY_KIND__ENTITY_STAFF, .name = "staff", .plural = "staff",
    .json = s_json, .show = s_show, .table = s_table, .row = s_row
};

/* s_add_role - append one --role; the array has room for every argument */
static int s_add_role(const char *cmd, Ledger__StaffRole *roles, size_t *n,
                      const char *text)
{
    int v, rc;
    if ((rc = ctl_parse_enum(cmd, "--role", ctl_roles, text, &v)))
        return rc;
    roles[(*n)++] = v;
    return 0;
}

/* s_add - StaffAdd from the options */
static int s_add(ctl_t *ctl, int argc, char **argv)
{
    static const struct option opts[] = {
        { "name", required_argument, NULL, OPT_NAME },
        { "branch", required_argument, NULL, OPT_BRANCH },
        { "code", required_argument, NULL, OPT_CODE },
        { "team", required_argument, NULL, OPT_TEAM },
        { "role", required_argument, NULL, OPT_ROLE },
        { "inactive", no_argument, NULL, OPT_INACTIVE },
        CTL_OPTS_END
    };
    ctl_opts_t o = { argc, argv, "staff add", s_add_usage, opts };
    Ledger__Staff staff = LEDGER__STAFF__INIT;
    Ledger__StaffRole *roles = xcalloc(argc, sizeof *roles);
    Ledger__Meta meta = LEDGER__META__INIT;
    Ledger__StaffAdd req = LEDGER__STAFF_ADD__INIT;
    int c, rc = CTL_OK;

    staff.active = 1;
    staff.roles = roles;
    while ((c = ctl_opt_next(&o)) != -1) {
        switch (c) {
        case OPT_NAME:     staff.name = optarg; break;
        case OPT_BRANCH:   staff.branch = optarg; break;
        case OPT_CODE:     staff.code = optarg; break;
        case OPT_TEAM:     staff.team = optarg; break;
        case OPT_INACTIVE: staff.active = 0; break;
        case OPT_ROLE:
            rc = s_add_role(o.cmd, roles, &staff.n_roles, optarg);
            break;
        default:
            rc = o.rc;
        }
        if (rc || c == CTL_OPT_STOP)
            goto done;
    }
    if ((rc = ctl_opt_operands(&o, 0, 0, "")))
        goto done;
    if (!*staff.name || !*staff.branch) {
        rc = ctl_usage(o.cmd, "%s is required", !*staff.name ? "--name" : "--branch");
        goto done;
    }
    if ((rc = ctl_open(ctl)))
        goto done;
    ctl_meta_write(ctl, &meta);
    req.meta = &meta;
    req.staff = &staff;
    rc = ctl_write(ctl, FRAME_STAFF_ADD, &req.base, "added", "staff");
done:
    free(roles);
    return rc;
}

/* s_amend - get, change the given fields, send back with the version read */
static int s_amend(ctl_t *ctl, int argc, char **argv)
{
    static const struct option opts[] = {
        { "name", required_argument, NULL, OPT_NAME },
        { "branch", required_argument, NULL, OPT_BRANCH },
        { "team", required_argument, NULL, OPT_TEAM },
        { "role", required_argument, NULL, OPT_ROLE },
        { "no-roles", no_argument, NULL, OPT_NO_ROLES },
        { "active", no_argument, NULL, OPT_ACTIVE },
        { "inactive", no_argument, NULL, OPT_INACTIVE },
        CTL_OPTS_END
    };
    ctl_opts_t o = { argc, argv, "staff amend", s_amend_usage, opts };
    const char *name = NULL, *branch = NULL, *team = NULL;
    Ledger__StaffRole *roles = xcalloc(argc, sizeof *roles);
    size_t n_roles = 0;
    int set_roles = 0, active = -1;
    Ledger__GetReply *got = NULL;
    int c, rc = CTL_OK;

    while ((c = ctl_opt_next(&o)) != -1) {
        switch (c) {
        case OPT_NAME:     name = optarg; break;
        case OPT_BRANCH:   branch = optarg; break;
        case OPT_TEAM:     team = optarg; break;
        case OPT_NO_ROLES: set_roles = 1; n_roles = 0; break;
        case OPT_ACTIVE:   active = 1; break;
        case OPT_INACTIVE: active = 0; break;
        case OPT_ROLE:
            set_roles = 1;
            rc = s_add_role(o.cmd, roles, &n_roles, optarg);
            break;
        default:
            rc = o.rc;
        }
        if (rc || c == CTL_OPT_STOP)
            goto done;
    }
    if ((rc = ctl_opt_operands(&o, 1, 1, "CODE")) || (rc = ctl_open(ctl)) ||
        (rc = ctl_get_record(ctl, &s_record, argv[optind], &got)))
        goto done;
    /* A shallow copy: the strings still belong to the reply, freed last. */
    Ledger__Staff staff = *got->staff;
    if (name)   staff.name = (char *)name;
    if (branch) staff.branch = (char *)branch;
    if (team)   staff.team = (char *)team;
    if (active >= 0)
        staff.active = active;
    if (set_roles) {
        staff.roles = roles;
        staff.n_roles = n_roles;
    }
    Ledger__Meta meta = LEDGER__META__INIT;
    Ledger__StaffAmend req = LEDGER__STAFF_AMEND__INIT;
    ctl_meta_write(ctl, &meta);
    req.meta = &meta;
    req.staff = &staff;
    req._expected_version_case = LEDGER__STAFF_AMEND___EXPECTED_VERSION_EXPECTED_VERSION;
    req.expected_version = got->staff->version;
    rc = ctl_write(ctl, FRAME_STAFF_AMEND, &req.base, "amended", "staff");
done:
    if (got)
        protobuf_c_message_free_unpacked(&got->base, NULL);
    free(roles);
    return rc;
}

/* s_show_cmd - Get by code */
static int s_show_cmd(ctl_t *ctl, int argc, char **argv)
{
    return ctl_show(ctl, &s_record, s_show_usage, argc, argv);
}

/* s_list - List staff, one page or --all */
static int s_list(ctl_t *ctl, int argc, char **argv)
{
    return ctl_list(ctl, &s_record, s_list_usage, argc, argv);
}

static const ctl_cmd_t s_cmds[] = {
    { "add", s_add, "add a staff member" },
    { "amend", s_amend, "change a staff member" },
    { "show", s_show_cmd, "show one staff member" },
    { "list", s_list, "list staff" },
    { NULL, NULL, NULL }
};

/* cmd_staff - `ledgerctl staff ...` */
int cmd_staff(ctl_t *ctl, int argc, char **argv)
{
    return ctl_group(ctl, "staff", s_cmds, s_help, argc, argv);
}
