/* cmd_exceptions - where orders, payments, shipments and refunds disagree,
 * as ledger-reconciliation found it: `ledgerctl exceptions` lists the
 * exceptions (result.list over recon.exception, filtered here), and
 * `ledgerctl recovery --branch B` prints a branch's recovery list of
 * shipped-but-unpaid orders (result recovery.list). What counts as an
 * exception, and when one is put right, is the worker's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "codec.h"
#include "ctl.h"
#include "date.h"
#include "frame.h"
#include "money.h"
#include "reconciliation.pb-c.h"
#include "xmalloc.h"

#define EXCEPTION_KIND  "recon.exception"
#define EXCEPTIONS_LINE 160   /* columns a list line fits in: the reason is what people read */

/* ExceptionKind names as typed and shown; index = enum value. */
static const char *const s_kinds[] = {
    "", "shipped_unpaid", "paid_not_shipped", "amount_mismatch", "refund_unpaid",
    "late_entry", NULL
};

static const char s_list_usage[] =
    "usage: ledgerctl exceptions [--kind KIND] [--branch BRANCH] [--all]\n"
    "\n"
    "Reconciliation exceptions, one line each: id, branch, the order's amount,\n"
    "what was paid, since when, and the reason; then a count by kind. An\n"
    "exception's id is KIND/ORDER (for a late entry, KIND/ENTRY).\n"
    "\n"
    "  --kind KIND      shipped_unpaid, paid_not_shipped, amount_mismatch,\n"
    "                   refund_unpaid or late_entry\n"
    "  --branch BRANCH  only this branch's\n"
    "  --all            also the exceptions the facts since have put right\n"
    "                   (default: open ones only)\n";

static const char s_recovery_usage[] =
    "usage: ledgerctl recovery --branch BRANCH\n"
    "\n"
    "A branch's recovery list: its shipped orders with nothing paid, oldest\n"
    "first, with the days since shipment and the total outstanding. Contacts\n"
    "are not shown: look the customer up with the branch's authority\n"
    "(ledgerctl customer show CUSTOMER).\n"
    "\n"
    "  --branch BRANCH  the branch (required)\n";

/* s_day - the local date of ms, "-" when unset; out >= 11 */
static const char *s_day(char *out, size_t n, int64_t ms)
{
    if (ms == 0)
        snprintf(out, n, "-");
    else
        date_format(out, n, date_of(ms));
    return out;
}

/* s_exception_json - every field of x; result_version from its Result */
static void s_exception_json(out_json_t *j, const Ledger__Exception *x, uint64_t result_version)
{
    out_json_object(j, NULL);
    out_json_str(j, "id", x->id);
    out_json_str(j, "kind", ctl_enum_name(s_kinds, x->kind));
    out_json_str(j, "order", x->order_code);
    out_json_str(j, "customer", x->customer_code);
    out_json_str(j, "branch", x->branch);
    out_json_int(j, "amount_fen", x->amount);
    out_json_int(j, "paid_fen", x->paid);
    out_json_int(j, "refunded_fen", x->refunded);
    out_json_array(j, "evidence");
    for (size_t i = 0; i < x->n_evidence; i++)
        out_json_uint(j, NULL, x->evidence[i]);
    out_json_end(j);
    out_json_str(j, "reason", x->reason);
    out_json_str(j, "booked_on", x->booked_on);
    out_json_bool(j, "open", x->open);
    out_json_time(j, "since", x->since_ms);
    out_json_time(j, "closed", x->closed_ms);
    out_json_uint(j, "result_version", result_version);
    out_json_end(j);
}

/* What `exceptions` keeps: the filters, and the exceptions that pass them. */
typedef struct {
    int kind;                   /* 0: any */
    const char *branch;         /* NULL: any */
    int all;                    /* also the ones put right */
    Ledger__Exception **found;  /* owned */
    uint64_t *versions;         /* of each one's Result */
    size_t n, cap;
} s_list_t;

/* s_passes - x is one the filters ask for */
static int s_passes(const s_list_t *l, const Ledger__Exception *x)
{
    return (l->all || x->open) && (!l->kind || (int)x->kind == l->kind) &&
           (!l->branch || !strcmp(x->branch, l->branch));
}

/* s_take - keep res's exception when it passes; a payload that does not
 * decode is said and passed over */
static int s_take(void *arg, const Ledger__Result *res)
{
    s_list_t *l = arg;
    err_t err;
    const ProtobufCBinaryData *p = &res->payload;
    Ledger__Exception *x = (Ledger__Exception *)codec_unpack(
        &ledger__exception__descriptor, p->len ? p->data : (const uint8_t *)"", p->len, &err);
    if (!x) {
        fprintf(stderr, "ledgerctl: %s result %s (version %llu, by %s): the payload is not a "
                "ledger.Exception: %s; passed over\n", res->kind, res->key,
                (unsigned long long)res->version, res->owner, err.msg);
        return 0;
    }
    if (!s_passes(l, x)) {
        ledger__exception__free_unpacked(x, NULL);
        return 0;
    }
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->found = xrealloc(l->found, l->cap * sizeof *l->found);
        l->versions = xrealloc(l->versions, l->cap * sizeof *l->versions);
    }
    l->versions[l->n] = res->version;
    l->found[l->n++] = x;
    return 0;
}

/* s_fetch - every page of recon.exception (only KIND/ keys with --kind) */
static int s_fetch(ctl_t *ctl, s_list_t *l)
{
    char prefix[64] = "";
    if (l->kind)
        snprintf(prefix, sizeof prefix, "%s/", ctl_enum_name(s_kinds, l->kind));
    return ctl_result_each(ctl, EXCEPTION_KIND, prefix, s_take, l);
}

/* s_row - the cells of x's row before REASON: id, branch, amount, paid,
 * since, status; buf holds the formatted ones */
static void s_row(const Ledger__Exception *x, char buf[3][32], const char *row[7])
{
    row[0] = x->id;
    row[1] = *x->branch ? x->branch : "-";
    money_format(buf[0], sizeof buf[0], x->amount);
    row[2] = buf[0];
    money_format(buf[1], sizeof buf[1], x->paid);
    row[3] = buf[1];
    row[4] = s_day(buf[2], sizeof buf[2], x->since_ms);
    row[5] = x->open ? "open" : "put right";
}

/* s_print_list - the table, cut to EXCEPTIONS_LINE columns, and the counts;
 * with --all a STATUS column tells the open from the put right */
static void s_print_list(const s_list_t *l)
{
    const char *head[] = { "ID", "BRANCH", ">AMOUNT", ">PAID", "SINCE", "STATUS", "REASON" };
    int fixed = l->all ? 6 : 5;   /* the columns before REASON */
    if (!l->all)
        head[5] = "REASON";
    char buf[3][32];
    const char *row[7];
    size_t w[6];
    for (int k = 0; k < fixed; k++)
        w[k] = out_width(head[k] + (head[k][0] == '>'));
    for (size_t i = 0; i < l->n; i++) {
        s_row(l->found[i], buf, row);
        for (int k = 0; k < fixed; k++)
            if (out_width(row[k]) > w[k])
                w[k] = out_width(row[k]);
    }
    size_t used = 2 * (size_t)fixed;
    for (int k = 0; k < fixed; k++)
        used += w[k];
    size_t room = used + 20 < EXCEPTIONS_LINE ? EXCEPTIONS_LINE - used : 20;
    out_table_t *t = out_table_newv(fixed + 1, head);
    for (size_t i = 0; i < l->n; i++) {
        char reason[1024];
        s_row(l->found[i], buf, row);
        row[fixed] = out_cut(reason, sizeof reason, l->found[i]->reason, room);
        out_table_rowv(t, row);
    }
    out_table_print(t, stdout);
    out_table_destroy(&t);

    /* The count by kind, in the order the kinds came (key order). */
    char by[512] = "";
    size_t len = 0, open = 0;
    for (size_t i = 0; i < l->n; i++)
        open += l->found[i]->open;
    for (size_t i = 0; i < l->n && len < sizeof by; i++) {
        Ledger__ExceptionKind kind = l->found[i]->kind;
        int seen = 0;
        for (size_t k = 0; k < i && !seen; k++)
            seen = l->found[k]->kind == kind;
        if (seen)
            continue;
        size_t count = 0;
        for (size_t k = i; k < l->n; k++)
            count += l->found[k]->kind == kind;
        len += snprintf(by + len, sizeof by - len, "%s%s %zu", len ? ", " : "",
                        ctl_enum_name(s_kinds, kind), count);
    }
    if (l->all)
        printf("%zu exception%s, %zu open (by kind: %s)\n", l->n, l->n == 1 ? "" : "s", open,
               by);
    else
        printf("%zu open exception%s (by kind: %s)\n", l->n, l->n == 1 ? "" : "s", by);
}

/* cmd_exceptions - `ledgerctl exceptions`: list, filter, print */
int cmd_exceptions(ctl_t *ctl, int argc, char **argv)
{
    enum { OPT_KIND = 256, OPT_BRANCH, OPT_ALL };
    static const struct option opts[] = {
        { "kind", required_argument, NULL, OPT_KIND },
        { "branch", required_argument, NULL, OPT_BRANCH },
        { "all", no_argument, NULL, OPT_ALL },
        CTL_OPTS_END };
    ctl_opts_t o = { argc, argv, "exceptions", s_list_usage, opts };
    s_list_t l = { 0 };
    int c, rc = CTL_OK;
    while ((c = ctl_opt_next(&o)) != -1) {
        switch (c) {
        case OPT_KIND:
            rc = ctl_parse_enum(o.cmd, "--kind", s_kinds, optarg, &l.kind);
            break;
        case OPT_BRANCH:
            l.branch = optarg;
            if (!*optarg)
                rc = ctl_usage(o.cmd, "--branch: the value must not be empty");
            break;
        case OPT_ALL:
            l.all = 1;
            break;
        default:
            return o.rc;
        }
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
                s_exception_json(&j, l.found[i], l.versions[i]);
            out_json_end(&j);
        } else if (l.n == 0) {
            puts(l.all ? "no exceptions" : "no open exceptions");
        } else {
            s_print_list(&l);
        }
    }
    for (size_t i = 0; i < l.n; i++)
        ledger__exception__free_unpacked(l.found[i], NULL);
    free(l.found);
    free(l.versions);
    return rc;
}

/* s_recovery_json - the list with every field; money in fen */
static void s_recovery_json(const Ledger__RecoveryList *rl, uint64_t version)
{
    out_json_t j;
    out_json_init(&j, stdout);
    out_json_object(&j, NULL);
    out_json_str(&j, "branch", rl->branch);
    out_json_time(&j, "as_of", rl->as_of_ms);
    out_json_array(&j, "items");
    for (size_t i = 0; i < rl->n_items; i++) {
        const Ledger__RecoveryItem *it = rl->items[i];
        out_json_object(&j, NULL);
        out_json_str(&j, "order", it->order_code);
        out_json_str(&j, "customer", it->customer_code);
        out_json_str(&j, "shipment", it->shipment_code);
        out_json_time(&j, "shipped", it->shipped_ms);
        out_json_int(&j, "days_outstanding", it->days_outstanding);
        out_json_int(&j, "amount_fen", it->amount);
        out_json_int(&j, "paid_fen", it->paid);
        out_json_end(&j);
    }
    out_json_end(&j);
    out_json_int(&j, "outstanding_fen", rl->outstanding);
    out_json_uint(&j, "result_version", version);
    out_json_end(&j);
}

/* s_recovery_text - header, the orders oldest first, the total, and where
 * the contacts are */
static void s_recovery_text(const Ledger__RecoveryList *rl, uint64_t version)
{
    char t[32], a[32], b[32], d[32], n[24];
    printf("recovery  %s, as of %s  (version %llu)\n", rl->branch,
           ctl_time(t, sizeof t, rl->as_of_ms), (unsigned long long)version);
    if (rl->n_items == 0) {
        printf("nothing to recover: no shipped order of %s is unpaid\n", rl->branch);
        return;
    }
    out_table_t *tb = out_table_new(7, "ORDER", "CUSTOMER", "SHIPMENT", "SHIPPED", ">DAYS",
                                    ">AMOUNT", ">PAID");
    for (size_t i = 0; i < rl->n_items; i++) {
        const Ledger__RecoveryItem *it = rl->items[i];
        snprintf(n, sizeof n, "%lld", (long long)it->days_outstanding);
        money_format(a, sizeof a, it->amount);
        money_format(b, sizeof b, it->paid);
        out_table_row(tb, it->order_code, it->customer_code,
                      *it->shipment_code ? it->shipment_code : "-",
                      s_day(d, sizeof d, it->shipped_ms), n, a, b);
    }
    out_table_print(tb, stdout);
    out_table_destroy(&tb);
    money_format(a, sizeof a, rl->outstanding);
    printf("outstanding %s on %zu order%s\n", a, rl->n_items, rl->n_items == 1 ? "" : "s");
    printf("contacts are not shown: look the customer up with %s's authority "
           "(ledgerctl customer show %s)\n", rl->branch, rl->items[0]->customer_code);
}

/* cmd_recovery - `ledgerctl recovery --branch B` */
int cmd_recovery(ctl_t *ctl, int argc, char **argv)
{
    enum { OPT_BRANCH = 256 };
    static const struct option opts[] = {
        { "branch", required_argument, NULL, OPT_BRANCH },
        CTL_OPTS_END };
    ctl_opts_t o = { argc, argv, "recovery", s_recovery_usage, opts };
    const char *branch = NULL;
    int c, rc;
    while ((c = ctl_opt_next(&o)) != -1) {
        if (c == CTL_OPT_STOP)
            return o.rc;
        branch = optarg;
    }
    if ((rc = ctl_opt_operands(&o, 0, 0, "")))
        return rc;
    if (!branch || !*branch)
        return ctl_usage(o.cmd, "--branch is required");
    if ((rc = ctl_open(ctl)))
        return rc;
    ctl_result_t r;
    if ((rc = ctl_result_get(&r, ctl, "recovery.list", branch,
                             &ledger__recovery_list__descriptor)))
        return rc;
    if (!r.payload) {
        fprintf(stderr, "ledgerctl: no recovery list for %s yet (no day of it closed, or "
                "ledger-reconciliation is not running)\n", branch);
        return CTL_REJECTED;
    }
    const Ledger__RecoveryList *rl = (const Ledger__RecoveryList *)r.payload;
    if (ctl->json)
        s_recovery_json(rl, r.result->version);
    else
        s_recovery_text(rl, r.result->version);
    ctl_result_fini(&r);
    return CTL_OK;
}
