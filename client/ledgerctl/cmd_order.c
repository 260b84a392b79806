/* cmd_order - `ledgerctl order add|amend|status|show|list`, and how an order
 * is shown. Lines are typed PRODUCT:QTY:UNIT_PRICE[:LINE_COST] in yuan and
 * sent in fen, or PRODUCT:QTY:UNIT_PRICE@SOURCE for a line whose cost ledgerd
 * computes from a verified supply source; times are ledger-local. Amount and cost are ledgerd's to compute,
 * and every rule beyond syntax (ranges, references) is ledgerd's to check.
 * An amend reads the order and sends it back changed, with the version read.
 * Show adds who is credited with the order, as ledger-attribution resolved
 * it (attribution.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "attribution.h"
#include "ctl.h"
#include "frame.h"
#include "money.h"
#include "xmalloc.h"

static const char s_help[] =
    "usage: ledgerctl order COMMAND [OPTIONS]\n"
    "\n"
    "Orders: what a customer bought, when, and who claims a part in it.\n";

/* The role claims, the same for add and amend. */
#define S_CLAIMS \
    "  --channel-type TYPE    company|staff|promotion|referral\n" \
    "  --channel KIND:CODE    who brought the order; KIND is staff, customer or partner\n" \
    "  --service KIND:CODE    who served it\n" \
    "  --assist-type TYPE     outside|transfer|proactive|solution\n" \
    "  --assist KIND:CODE     who assisted\n" \
    "  --solution ID          solution id, for a solution assist\n" \
    "  --winback STAFF        staff code of who won the customer back\n" \
    "  --price-approver STAFF the supervisor who approved a price below channel\n" \
    "  --seller PARTNER       the seller (partner code) whose link sold it\n"

static const char s_add_usage[] =
    "usage: ledgerctl order add --customer CODE --placed TIME --line ... [OPTIONS]\n"
    "\n"
    "Add an order; prints the code ledgerd gave (O-00001) unless --code.\n"
    "\n"
    "  --customer CODE        the customer, e.g. C-00001 (required)\n"
    "  --placed TIME          \"YYYY-MM-DD HH:MM[:SS]\", ledger-local (required)\n"
    "  --line PRODUCT:QTY:UNIT_PRICE[:LINE_COST]\n"
    "                         prices in yuan (\"12.50\"); the cost is the whole\n"
    "                         line's; repeat for more lines (at least one)\n"
    "  --line PRODUCT:QTY:UNIT_PRICE@SOURCE\n"
    "                         a line supplied by a verified supply source: ledgerd\n"
    "                         sets its cost to QTY x the source's unit cost\n"
    "  --code CODE            own code instead of a generated one\n"
    "  --branch BRANCH        default: the customer's branch\n"
    "  --status STATUS        open|paid|shipped|completed|cancelled (default open)\n"
    "  --handler STAFF        staff code of the handler\n"
    "  --arranger STAFF       staff code; repeat for several\n"
    S_CLAIMS;

static const char s_amend_usage[] =
    "usage: ledgerctl order amend CODE [OPTIONS]\n"
    "\n"
    "Change an order; what is not given stays as it is. Amount and cost are\n"
    "recomputed by ledgerd.\n"
    "\n"
    "  --customer CODE\n"
    "  --placed TIME          \"YYYY-MM-DD HH:MM[:SS]\", ledger-local\n"
    "  --line PRODUCT:QTY:UNIT_PRICE[:LINE_COST] or PRODUCT:QTY:UNIT_PRICE@SOURCE\n"
    "                         replaces all lines; repeat for more lines\n"
    "  --branch BRANCH\n"
    "  --status STATUS        open|paid|shipped|completed|cancelled\n"
    "  --handler STAFF        staff code of the handler (\"\" clears)\n"
    "  --arranger STAFF       replaces all arrangers; repeat for several\n"
    "  --no-arrangers         remove all arrangers\n"
    S_CLAIMS
    "A claim option changes that claim only; \"\" clears --solution and --winback.\n";

static const char s_show_usage[] =
    "usage: ledgerctl order show CODE\n"
    "\n"
    "Show one order with its lines, then who is credited with it as\n"
    "ledger-attribution resolved it: the window, each role with the rule that\n"
    "decided it, the claims not applied (conflicts) and the roles unknown (gaps);\n"
    "\"not resolved yet\" until the worker has written its result.\n";

static const char s_list_usage[] =
    "usage: ledgerctl order list [OPTIONS]\n"
    "\n"
    "List orders.\n"
    "\n"
    "  --customer CODE   only this customer's\n"
    "  --branch BRANCH   only this branch's\n"
    "  --from DATE       placed on or after YYYY-MM-DD (ledger-local)\n"
    "  --to DATE         placed on or before YYYY-MM-DD\n"
    "  --limit N         records per page, 1..1000 (default 100)\n"
    "  --all             every page, not just the first\n"
    "  --page-token HEX  continue where an earlier list stopped\n";

enum { OPT_CUSTOMER = 256, OPT_PLACED, OPT_LINE, OPT_CODE, OPT_BRANCH, OPT_STATUS,
       OPT_HANDLER, OPT_ARRANGER, OPT_NO_ARRANGERS, OPT_CHANNEL_TYPE, OPT_CHANNEL,
       OPT_SERVICE, OPT_ASSIST_TYPE, OPT_ASSIST, OPT_SOLUTION, OPT_WINBACK,
       OPT_PRICE_APPROVER, OPT_AT, OPT_REASON, OPT_SELLER };

static const struct option s_options[] = {
    { "customer", required_argument, NULL, OPT_CUSTOMER },
    { "placed", required_argument, NULL, OPT_PLACED },
    { "line", required_argument, NULL, OPT_LINE },
    { "code", required_argument, NULL, OPT_CODE },
    { "branch", required_argument, NULL, OPT_BRANCH },
    { "status", required_argument, NULL, OPT_STATUS },
    { "handler", required_argument, NULL, OPT_HANDLER },
    { "arranger", required_argument, NULL, OPT_ARRANGER },
    { "no-arrangers", no_argument, NULL, OPT_NO_ARRANGERS },
    { "channel-type", required_argument, NULL, OPT_CHANNEL_TYPE },
    { "channel", required_argument, NULL, OPT_CHANNEL },
    { "service", required_argument, NULL, OPT_SERVICE },
    { "assist-type", required_argument, NULL, OPT_ASSIST_TYPE },
    { "assist", required_argument, NULL, OPT_ASSIST },
    { "solution", required_argument, NULL, OPT_SOLUTION },
    { "winback", required_argument, NULL, OPT_WINBACK },
    { "price-approver", required_argument, NULL, OPT_PRICE_APPROVER },
    { "seller", required_argument, NULL, OPT_SELLER },
    CTL_OPTS_END
};

/* What the options asked for; NULL, 0 or unset flags leave a field as it is. */
typedef struct {
    const char *customer, *placed, *code, *branch;   /* plain fields */
    int status;                                      /* 0: not given */
    const char *handler;                             /* "" clears */
    Ledger__OrderLine *lines;                        /* parsed --line values */
    Ledger__OrderLine **line_ptrs;                   /* as the message wants them */
    char **products;                                 /* product texts, ours */
    char **sources;                                  /* @SOURCE texts, ours */
    size_t n_lines;                                  /* --line count */
    Ledger__PartyRef *arrangers;                     /* --arranger values */
    Ledger__PartyRef **arranger_ptrs;                /* as the message wants them */
    size_t n_arrangers;                              /* --arranger count */
    int set_arrangers;                               /* --arranger or --no-arrangers */
    int channel_type, assist_type;                   /* 0: not given */
    Ledger__PartyRef channel, service, assist;       /* claims */
    int has_channel, has_service, has_assist;        /* given */
    const char *solution, *winback;                  /* claims; "" clears */
    Ledger__PartyRef handler_ref, winback_ref;       /* built from the codes */
    int has_claims;                                  /* any claims option */
    const char *price_approver;                      /* "" clears */
    Ledger__PartyRef price_approver_ref;             /* built from the code */
    const char *seller;                              /* partner code; "" clears */
    Ledger__PartyRef seller_ref;                     /* built from the code */
} s_opts_t;

/* s_opts_free - what s_parse allocated */
static void s_opts_free(s_opts_t *o)
{
    for (size_t i = 0; i < o->n_lines; i++) {
        free(o->products[i]);
        free(o->sources[i]);
    }
    free(o->products);
    free(o->sources);
    free(o->lines);
    free(o->line_ptrs);
    free(o->arrangers);
    free(o->arranger_ptrs);
}

/* s_parse_line - PRODUCT:QTY:UNIT_PRICE[:LINE_COST] or
 * PRODUCT:QTY:UNIT_PRICE@SOURCE */
static int s_parse_line(const char *cmd, const char *text, Ledger__OrderLine *line,
                        char **product, char **source)
{
    char *copy = xstrdup(text), *plain = xstrdup(text), *parts[5];
    char *at = strrchr(plain, '@');
    const char *typed = text;
    int n = 0, rc = 0;
    uint64_t qty;
    if (at) {   /* the rest is checked as a line without the source */
        *at = '\0';
        copy[at - plain] = '\0';
        text = plain;
        if (!at[1] || strchr(plain, '@')) {
            rc = ctl_usage(cmd, "--line: '%s' is not PRODUCT:QTY:UNIT_PRICE@SOURCE", typed);
            goto done;
        }
    }
    for (char *p = copy, *save = NULL; n < 5 && (p = strtok_r(p, ":", &save)); p = NULL)
        parts[n++] = p;
    if (n < 3 || n > (at ? 3 : 4) || text[0] == ':' || text[strlen(text) - 1] == ':' ||
        strstr(text, "::")) {
        rc = ctl_usage(cmd, at ? "--line: '%s' is not PRODUCT:QTY:UNIT_PRICE@SOURCE (a "
                       "source's line takes no cost of its own)"
                       : "--line: '%s' is not PRODUCT:QTY:UNIT_PRICE[:LINE_COST]", typed);
        goto done;
    }
    ledger__order_line__init(line);
    if ((rc = ctl_parse_uint(cmd, "--line QTY", parts[1], 0, INT64_MAX, &qty)) ||
        (rc = ctl_parse_money(cmd, "--line UNIT_PRICE", parts[2], &line->unit_price)) ||
        (n == 4 && (rc = ctl_parse_money(cmd, "--line LINE_COST", parts[3], &line->cost))))
        goto done;
    line->qty = (int64_t)qty;
    *product = xstrdup(parts[0]);
    line->product = *product;
    if (at) {
        *source = xstrdup(at + 1);
        line->source = *source;
    }
done:
    free(copy);
    free(plain);
    return rc;
}

/* s_parse - options shared by add and amend; -1 when the command should end
 * with exit code o->rc. Times wait for s_apply (the zone comes with Hello). */
static int s_parse(ctl_opts_t *o, s_opts_t *out, int is_add)
{
    int c, v;
    memset(out, 0, sizeof *out);
    out->lines = xcalloc(o->argc, sizeof *out->lines);
    out->line_ptrs = xcalloc(o->argc, sizeof *out->line_ptrs);
    out->products = xcalloc(o->argc, sizeof *out->products);
    out->sources = xcalloc(o->argc, sizeof *out->sources);
    out->arrangers = xcalloc(o->argc, sizeof *out->arrangers);
    out->arranger_ptrs = xcalloc(o->argc, sizeof *out->arranger_ptrs);
    while ((c = ctl_opt_next(o)) != -1) {
        int rc = 0;
        switch (c) {
        case OPT_CUSTOMER: out->customer = optarg; break;
        case OPT_PLACED:   out->placed = optarg; break;
        case OPT_BRANCH:   out->branch = optarg; break;
        case OPT_HANDLER:  out->handler = optarg; break;
        case OPT_CODE:
            if (!is_add)
                rc = ctl_usage(o->cmd, "--code: an order's code cannot change");
            out->code = optarg;
            break;
        case OPT_STATUS:
            rc = ctl_parse_enum(o->cmd, "--status", ctl_statuses, optarg, &out->status);
            break;
        case OPT_LINE: {
            size_t i = out->n_lines;
            rc = s_parse_line(o->cmd, optarg, &out->lines[i], &out->products[i],
                              &out->sources[i]);
            if (rc == 0) {
                out->line_ptrs[i] = &out->lines[i];
                out->n_lines++;
            }
            break;
        }
        case OPT_ARRANGER: {
            Ledger__PartyRef *p = &out->arrangers[out->n_arrangers];
            ledger__party_ref__init(p);
            p->kind = LEDGER__PARTY_KIND__PARTY_STAFF;
            p->code = optarg;
            out->arranger_ptrs[out->n_arrangers++] = p;
            out->set_arrangers = 1;
            break;
        }
        case OPT_NO_ARRANGERS:
            out->n_arrangers = 0;
            out->set_arrangers = 1;
            break;
        case OPT_CHANNEL_TYPE:
            rc = ctl_parse_enum(o->cmd, "--channel-type", ctl_channel_types, optarg, &v);
            out->channel_type = v;
            out->has_claims = 1;
            break;
        case OPT_ASSIST_TYPE:
            rc = ctl_parse_enum(o->cmd, "--assist-type", ctl_assist_types, optarg, &v);
            out->assist_type = v;
            out->has_claims = 1;
            break;
        case OPT_CHANNEL:
            ledger__party_ref__init(&out->channel);
            rc = ctl_parse_party(o->cmd, "--channel", optarg, &out->channel);
            out->has_channel = out->has_claims = 1;
            break;
        case OPT_SERVICE:
            ledger__party_ref__init(&out->service);
            rc = ctl_parse_party(o->cmd, "--service", optarg, &out->service);
            out->has_service = out->has_claims = 1;
            break;
        case OPT_ASSIST:
            ledger__party_ref__init(&out->assist);
            rc = ctl_parse_party(o->cmd, "--assist", optarg, &out->assist);
            out->has_assist = out->has_claims = 1;
            break;
        case OPT_SOLUTION:
            out->solution = optarg;
            out->has_claims = 1;
            break;
        case OPT_WINBACK:
            out->winback = optarg;
            out->has_claims = 1;
            break;
        case OPT_PRICE_APPROVER:
            out->price_approver = optarg;
            break;
        case OPT_SELLER:
            out->seller = optarg;
            break;
        default:
            return -1;
        }
        if (rc) {
            o->rc = rc;
            return -1;
        }
    }
    return 0;
}

/* s_staff_ref - a staff PartyRef, or NULL for "" */
static Ledger__PartyRef *s_staff_ref(Ledger__PartyRef *ref, const char *code)
{
    if (!*code)
        return NULL;
    ledger__party_ref__init(ref);
    ref->kind = LEDGER__PARTY_KIND__PARTY_STAFF;
    ref->code = (char *)code;
    return ref;
}

/* s_apply - the asked changes onto ord; claims is a copy the caller owns */
static int s_apply(const char *cmd, s_opts_t *o, Ledger__Order *ord,
                   Ledger__RoleClaims *claims)
{
    if (o->customer) ord->customer_code = (char *)o->customer;
    if (o->code)     ord->code = (char *)o->code;
    if (o->branch)   ord->branch = (char *)o->branch;
    if (o->status)   ord->status = o->status;
    if (o->handler)
        ord->handler = s_staff_ref(&o->handler_ref, o->handler);
    if (o->price_approver)
        ord->price_approver = s_staff_ref(&o->price_approver_ref, o->price_approver);
    if (o->seller) {
        ord->seller = s_staff_ref(&o->seller_ref, o->seller);
        if (ord->seller)
            ord->seller->kind = LEDGER__PARTY_KIND__PARTY_PARTNER;
    }
    if (o->n_lines) {
        ord->lines = o->line_ptrs;
        ord->n_lines = o->n_lines;
    }
    if (o->set_arrangers) {
        ord->arrangers = o->arranger_ptrs;
        ord->n_arrangers = o->n_arrangers;
    }
    if (o->placed) {
        int rc = ctl_parse_time(cmd, "--placed", o->placed, &ord->placed_ms);
        if (rc)
            return rc;
    }
    if (!o->has_claims)
        return 0;
    if (ord->claims)
        *claims = *ord->claims;
    if (o->channel_type) claims->channel_type = o->channel_type;
    if (o->assist_type)  claims->assist_type = o->assist_type;
    if (o->has_channel)  claims->channel = &o->channel;
    if (o->has_service)  claims->service = &o->service;
    if (o->has_assist)   claims->assist = &o->assist;
    if (o->solution)     claims->solution_id = (char *)o->solution;
    if (o->winback)
        claims->winback_staff = s_staff_ref(&o->winback_ref, o->winback);
    ord->claims = claims;
    return 0;
}

/* s_json_time - a status time: <key>_ms, and <key> null until it happened */
static void s_json_time(out_json_t *j, const char *key, int64_t ms)
{
    char k[32];
    if (ms) {
        out_json_time(j, key, ms);
        return;
    }
    snprintf(k, sizeof k, "%s_ms", key);
    out_json_int(j, k, 0);
    out_json_null(j, key);
}

/* s_members - an order's JSON members, money in fen; the caller opens and
 * closes the object */
static void s_members(out_json_t *j, const Ledger__Order *o)
{
    out_json_uint(j, "id", o->id);
    out_json_str(j, "code", o->code);
    out_json_uint(j, "customer_id", o->customer_id);
    out_json_str(j, "customer_code", o->customer_code);
    out_json_str(j, "branch", o->branch);
    out_json_array(j, "lines");
    for (size_t i = 0; i < o->n_lines; i++) {
        const Ledger__OrderLine *l = o->lines[i];
        int64_t amount;
        out_json_object(j, NULL);
        out_json_str(j, "product", l->product);
        out_json_int(j, "qty", l->qty);
        out_json_int(j, "unit_price_fen", l->unit_price);
        out_json_int(j, "cost_fen", l->cost);
        out_json_str(j, "source", l->source);
        if (money_mul(&amount, l->qty, l->unit_price) == 0)
            out_json_int(j, "amount_fen", amount);
        else
            out_json_null(j, "amount_fen");
        out_json_end(j);
    }
    out_json_end(j);
    out_json_int(j, "amount_fen", o->amount);
    out_json_int(j, "cost_fen", o->cost);
    out_json_time(j, "placed", o->placed_ms);
    out_json_str(j, "status", ctl_enum_name(ctl_statuses, o->status));
    if (o->claims) {
        const Ledger__RoleClaims *c = o->claims;
        out_json_object(j, "claims");
        out_json_str(j, "channel_type", ctl_enum_name(ctl_channel_types, c->channel_type));
        ctl_party_json(j, "channel", c->channel);
        ctl_party_json(j, "service", c->service);
        out_json_str(j, "assist_type", ctl_enum_name(ctl_assist_types, c->assist_type));
        ctl_party_json(j, "assist", c->assist);
        out_json_str(j, "solution_id", c->solution_id);
        ctl_party_json(j, "winback_staff", c->winback_staff);
        out_json_end(j);
    } else
        out_json_null(j, "claims");
    ctl_party_json(j, "handler", o->handler);
    out_json_array(j, "arrangers");
    for (size_t i = 0; i < o->n_arrangers; i++)
        ctl_party_json(j, NULL, o->arrangers[i]);
    out_json_end(j);
    ctl_party_json(j, "price_approver", o->price_approver);
    ctl_party_json(j, "seller", o->seller);
    s_json_time(j, "paid", o->paid_ms);
    s_json_time(j, "shipped", o->shipped_ms);
    s_json_time(j, "completed", o->completed_ms);
    s_json_time(j, "cancelled", o->cancelled_ms);
    out_json_str(j, "cancel_reason", o->cancel_reason);
    out_json_uint(j, "version", o->version);
    out_json_time(j, "created", o->created_ms);
    out_json_time(j, "updated", o->updated_ms);
}

/* cmd_order_json - an order as a JSON object, money in fen */
void cmd_order_json(out_json_t *j, const char *key, const Ledger__Order *o)
{
    out_json_object(j, key);
    s_members(j, o);
    out_json_end(j);
}

/* s_party - "staff:S-00001", or "-" */
static const char *s_party(char *out, size_t n, const Ledger__PartyRef *p)
{
    if (!p || !*p->code)
        return "-";
    snprintf(out, n, "%s:%s", ctl_enum_name(ctl_party_kinds, p->kind), p->code);
    return out;
}

/* s_with_type - "staff staff:S-00001": a claim's type and party */
static const char *s_with_type(char *out, size_t n, const char *type,
                               const Ledger__PartyRef *p)
{
    char buf[128];
    const char *party = s_party(buf, sizeof buf, p);   /* "-" when absent */
    if (!*type && !strcmp(party, "-"))
        return "-";
    snprintf(out, n, "%s%s%s", type, *type ? " " : "", strcmp(party, "-") ? party : "");
    return out;
}

/* s_json - an order as a JSON value, for show and list */
static void s_json(out_json_t *j, const void *rec)
{
    cmd_order_json(j, NULL, rec);
}

/* s_show - pairs, then the lines as a table */
static void s_show(const void *rec)
{
    const Ledger__Order *o = rec;
    char t[32], m[32], a[256], arr[1024] = "";
    out_pairs_t *p = out_pairs_new();
    const Ledger__RoleClaims *c = o->claims;

    for (size_t i = 0, len = 0; i < o->n_arrangers && len < sizeof arr; i++)
        len += snprintf(arr + len, sizeof arr - len, "%s%s", i ? ", " : "",
                        o->arrangers[i]->code);
    out_pairs_add(p, "code", "%s", o->code);
    out_pairs_add(p, "id", "%llu", (unsigned long long)o->id);
    out_pairs_add(p, "customer", "%s", o->customer_code);
    out_pairs_add(p, "branch", "%s", o->branch);
    out_pairs_add(p, "status", "%s", ctl_enum_name(ctl_statuses, o->status));
    out_pairs_add(p, "placed", "%s", ctl_time(t, sizeof t, o->placed_ms));
    out_money(m, sizeof m, o->amount);
    out_pairs_add(p, "amount", "%s", m);
    out_money(m, sizeof m, o->cost);
    out_pairs_add(p, "cost", "%s", m);
    out_pairs_add(p, "handler", "%s", o->handler && *o->handler->code ? o->handler->code : "-");
    out_pairs_add(p, "arrangers", "%s", *arr ? arr : "-");
    if (c) {
        out_pairs_add(p, "channel", "%s", s_with_type(a, sizeof a,
                      ctl_enum_name(ctl_channel_types, c->channel_type), c->channel));
        out_pairs_add(p, "service", "%s", s_party(a, sizeof a, c->service));
        out_pairs_add(p, "assist", "%s", s_with_type(a, sizeof a,
                      ctl_enum_name(ctl_assist_types, c->assist_type), c->assist));
        out_pairs_add(p, "solution", "%s", *c->solution_id ? c->solution_id : "-");
        out_pairs_add(p, "winback", "%s",
                      c->winback_staff && *c->winback_staff->code ? c->winback_staff->code : "-");
    }
    out_pairs_add(p, "price approver", "%s",
                  o->price_approver && *o->price_approver->code ? o->price_approver->code : "-");
    if (o->seller && *o->seller->code)
        out_pairs_add(p, "seller", "%s", o->seller->code);
    const int64_t times[] = { o->paid_ms, o->shipped_ms, o->completed_ms, o->cancelled_ms };
    static const char *const names[] = { "paid", "shipped", "completed", "cancelled" };
    for (int i = 0; i < 4; i++)
        if (times[i])
            out_pairs_add(p, names[i], "%s", ctl_time(t, sizeof t, times[i]));
    if (*o->cancel_reason)
        out_pairs_add(p, "cancel reason", "%s", o->cancel_reason);
    out_pairs_add(p, "version", "%llu", (unsigned long long)o->version);
    out_pairs_add(p, "created", "%s", ctl_time(t, sizeof t, o->created_ms));
    out_pairs_add(p, "updated", "%s", ctl_time(t, sizeof t, o->updated_ms));
    out_pairs_print(p, stdout);
    out_table_destroy(&p);

    out_table_t *lines = out_table_new(6, "PRODUCT", ">QTY", ">UNIT PRICE", ">AMOUNT",
                                       ">COST", "SOURCE");
    for (size_t i = 0; i < o->n_lines; i++) {
        const Ledger__OrderLine *l = o->lines[i];
        char qty[24], price[32], amount[32] = "overflow", cost[32];
        int64_t fen;
        snprintf(qty, sizeof qty, "%lld", (long long)l->qty);
        out_money(price, sizeof price, l->unit_price);
        if (money_mul(&fen, l->qty, l->unit_price) == 0)
            out_money(amount, sizeof amount, fen);
        out_money(cost, sizeof cost, l->cost);
        out_table_row(lines, l->product, qty, price, amount, cost,
                      *l->source ? l->source : "-");
    }
    putchar('\n');
    out_table_print(lines, stdout);
    out_table_destroy(&lines);
}

/* s_table - the list's headings */
static out_table_t *s_table(void)
{
    return out_table_new(10, "CODE", "CUSTOMER", "BRANCH", "PLACED", "STATUS", ">LINES",
                         ">AMOUNT", ">COST", "HANDLER", ">VERSION");
}

/* s_row - one order in the list */
static void s_row(out_table_t *t, const void *rec)
{
    const Ledger__Order *o = rec;
    char placed[32], lines[24], amount[32], cost[32], version[24];
    ctl_time(placed, sizeof placed, o->placed_ms);
    placed[16] = '\0';   /* minutes are enough in a list */
    snprintf(lines, sizeof lines, "%zu", o->n_lines);
    out_money(amount, sizeof amount, o->amount);
    out_money(cost, sizeof cost, o->cost);
    snprintf(version, sizeof version, "%llu", (unsigned long long)o->version);
    out_table_row(t, o->code, o->customer_code, o->branch, placed,
                  ctl_enum_name(ctl_statuses, o->status), lines, amount, cost,
                  o->handler && *o->handler->code ? o->handler->code : "-", version);
}

/* How orders are shown and listed (ctl_show, ctl_list). */
static const ctl_record_t s_record = {
    .kind = LEDGER__ENTITY_KIND__ENTITY_ORDER, .name = "order", .plural = "orders",
    .json = s_json, .show = s_show, .table = s_table, .row = s_row
};

/* s_add - OrderAdd; the branch defaults to the customer's */
static int s_add(ctl_t *ctl, int argc, char **argv)
{
    ctl_opts_t o = { argc, argv, "order add", s_add_usage, s_options };
    Ledger__Order ord = LEDGER__ORDER__INIT;
    Ledger__RoleClaims claims = LEDGER__ROLE_CLAIMS__INIT;
    Ledger__Meta meta = LEDGER__META__INIT;
    Ledger__OrderAdd req = LEDGER__ORDER_ADD__INIT;
    Ledger__GetReply *cust = NULL;
    s_opts_t opt;
    int rc;

    if (s_parse(&o, &opt, 1) < 0) {
        rc = o.rc;
        goto done;
    }
    if ((rc = ctl_opt_operands(&o, 0, 0, "")))
        goto done;
    const char *missing = !opt.customer || !*opt.customer ? "--customer"
                        : !opt.placed ? "--placed" : opt.n_lines == 0 ? "--line" : NULL;
    if (missing) {
        rc = ctl_usage(o.cmd, "%s is required", missing);
        goto done;
    }
    if ((rc = ctl_open(ctl)) || (rc = s_apply(o.cmd, &opt, &ord, &claims)))
        goto done;
    if (!opt.branch) {
        rc = ctl_get(ctl, LEDGER__ENTITY_KIND__ENTITY_CUSTOMER, opt.customer, &cust);
        if (rc)
            goto done;
        if (cust->record_case == LEDGER__GET_REPLY__RECORD_CUSTOMER)
            ord.branch = cust->customer->branch;
    }
    ctl_meta_write(ctl, &meta);
    req.meta = &meta;
    req.order = &ord;
    rc = ctl_write(ctl, FRAME_ORDER_ADD, &req.base, "added", "order");
done:
    if (cust)
        protobuf_c_message_free_unpacked(&cust->base, NULL);
    s_opts_free(&opt);
    return rc;
}

/* s_amend - get, change, send back with the version read */
static int s_amend(ctl_t *ctl, int argc, char **argv)
{
    ctl_opts_t o = { argc, argv, "order amend", s_amend_usage, s_options };
    Ledger__RoleClaims claims = LEDGER__ROLE_CLAIMS__INIT;
    Ledger__Meta meta = LEDGER__META__INIT;
    Ledger__OrderAmend req = LEDGER__ORDER_AMEND__INIT;
    Ledger__GetReply *got = NULL;
    s_opts_t opt;
    int rc;

    if (s_parse(&o, &opt, 0) < 0) {
        rc = o.rc;
        goto done;
    }
    if ((rc = ctl_opt_operands(&o, 1, 1, "CODE")) || (rc = ctl_open(ctl)) ||
        (rc = ctl_get_record(ctl, &s_record, argv[optind], &got)))
        goto done;
    /* A shallow copy: what is not replaced still belongs to the reply. */
    Ledger__Order ord = *got->order;
    if ((rc = s_apply(o.cmd, &opt, &ord, &claims)))
        goto done;
    ctl_meta_write(ctl, &meta);
    req.meta = &meta;
    req.order = &ord;
    req._expected_version_case = LEDGER__ORDER_AMEND___EXPECTED_VERSION_EXPECTED_VERSION;
    req.expected_version = got->order->version;
    rc = ctl_write(ctl, FRAME_ORDER_AMEND, &req.base, "amended", "order");
done:
    if (got)
        protobuf_c_message_free_unpacked(&got->base, NULL);
    s_opts_free(&opt);
    return rc;
}

static const char s_status_usage[] =
    "usage: ledgerctl order status CODE STATUS --at TIME [--reason TEXT]\n"
    "\n"
    "Move an order to STATUS (paid|shipped|completed|cancelled) and record when:\n"
    "the order's paid, shipped, completed or cancelled time.\n"
    "\n"
    "  --at TIME              when it happened, \"YYYY-MM-DD HH:MM[:SS]\", ledger-local\n"
    "  --reason TEXT          why it was cancelled (cancelled only)\n";

/* s_status - get, set the status and its time, send back with the version
 * read */
static int s_status(ctl_t *ctl, int argc, char **argv)
{
    static const struct option opts[] = {
        { "at", required_argument, NULL, OPT_AT },
        { "reason", required_argument, NULL, OPT_REASON },
        CTL_OPTS_END
    };
    static const char *const statuses[] = { "", "", "paid", "shipped", "completed",
                                            "cancelled", NULL };   /* as ctl_statuses */
    ctl_opts_t o = { argc, argv, "order status", s_status_usage, opts };
    Ledger__Meta meta = LEDGER__META__INIT;
    Ledger__OrderAmend req = LEDGER__ORDER_AMEND__INIT;
    Ledger__GetReply *got = NULL;
    const char *at = NULL, *reason = NULL;
    int c, rc, status;
    int64_t ms;

    while ((c = ctl_opt_next(&o)) != -1) {
        switch (c) {
        case OPT_AT:     at = optarg; break;
        case OPT_REASON: reason = optarg; break;
        default:         return o.rc;
        }
    }
    if ((rc = ctl_opt_operands(&o, 2, 2, "CODE and STATUS")))
        return rc;
    if (!strcmp(argv[optind + 1], "open"))
        return ctl_usage(o.cmd, "STATUS: an order is open until paid; amend --status to reopen");
    if ((rc = ctl_parse_enum(o.cmd, "STATUS", statuses, argv[optind + 1], &status)))
        return rc;
    if (!at)
        return ctl_usage(o.cmd, "--at is required");
    if (reason && status != LEDGER__ORDER_STATUS__CANCELLED)
        return ctl_usage(o.cmd, "--reason: only a cancelled order has a reason");
    if ((rc = ctl_parse_time(o.cmd, "--at", at, &ms)) || (rc = ctl_open(ctl)) ||
        (rc = ctl_parse_time(o.cmd, "--at", at, &ms)) ||
        (rc = ctl_get_record(ctl, &s_record, argv[optind], &got)))
        return rc;
    Ledger__Order ord = *got->order;   /* shallow: the reply keeps what is not replaced */
    ord.status = status;
    switch (status) {
    case LEDGER__ORDER_STATUS__PAID:      ord.paid_ms = ms; break;
    case LEDGER__ORDER_STATUS__SHIPPED:   ord.shipped_ms = ms; break;
    case LEDGER__ORDER_STATUS__COMPLETED: ord.completed_ms = ms; break;
    default:
        ord.cancelled_ms = ms;
        if (reason)
            ord.cancel_reason = (char *)reason;
    }
    ctl_meta_write(ctl, &meta);
    req.meta = &meta;
    req.order = &ord;
    req._expected_version_case = LEDGER__ORDER_AMEND___EXPECTED_VERSION_EXPECTED_VERSION;
    req.expected_version = got->order->version;
    rc = ctl_write(ctl, FRAME_ORDER_AMEND, &req.base, "amended", "order");
    protobuf_c_message_free_unpacked(&got->base, NULL);
    return rc;
}

/* s_show_cmd - Get by code, then the order's attribution result, if any:
 * both are in before anything prints, so a failure prints no half order */
static int s_show_cmd(ctl_t *ctl, int argc, char **argv)
{
    ctl_opts_t o = { argc, argv, "order show", s_show_usage };
    Ledger__GetReply *got = NULL;
    ctl_result_t a;
    int rc;

    if (ctl_start(ctl, &o, 1, 1, "CODE"))
        return o.rc;
    if ((rc = ctl_get_record(ctl, &s_record, argv[optind], &got)))
        return rc;
    const Ledger__Order *ord = got->order;
    if ((rc = ctl_result_get(&a, ctl, ATTRIBUTION_RESOLVED, ord->code,
                              &ledger__attribution__descriptor)))
        goto done;
    if (ctl->json) {
        out_json_t j;
        out_json_init(&j, stdout);
        out_json_object(&j, NULL);
        s_members(&j, ord);
        attribution_order_json(&j, "attribution", &a);
        out_json_end(&j);
    } else {
        s_show(ord);
        attribution_order_show(&a, ord->version);
    }
    ctl_result_fini(&a);
done:
    protobuf_c_message_free_unpacked(&got->base, NULL);
    return rc;
}

/* s_list - List orders, one page or --all */
static int s_list(ctl_t *ctl, int argc, char **argv)
{
    return ctl_list(ctl, &s_record, s_list_usage, argc, argv);
}

static const ctl_cmd_t s_cmds[] = {
    { "add", s_add, "add an order" },
    { "amend", s_amend, "change an order" },
    { "status", s_status, "paid, shipped, completed or cancelled, and when" },
    { "show", s_show_cmd, "show one order with its lines and attribution" },
    { "list", s_list, "list orders" },
    { NULL, NULL, NULL }
};

/* cmd_order - `ledgerctl order ...` */
int cmd_order(ctl_t *ctl, int argc, char **argv)
{
    return ctl_group(ctl, "order", s_cmds, s_help, argc, argv);
}
