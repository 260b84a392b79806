/* cmd_close - `ledgerctl close show PERIOD [--branch B]`: a branch's close of
 * its accounts for a day, an ISO week or a month, as ledger-reconciliation
 * wrote it (results close.day, close.week, close.month, key
 * "<branch>@<period>"): each account's opening, debits, credits and closing,
 * the imbalance, the late entries booked there and how often it reopened.
 * Without --branch, every branch's close of that period. When a period
 * closes is the worker's business; this only prints what it wrote. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "codec.h"
#include "ctl.h"
#include "frame.h"
#include "money.h"
#include "period.h"
#include "reconciliation.pb-c.h"
#include "xmalloc.h"

static const char s_help[] =
    "usage: ledgerctl close COMMAND\n"
    "\n"
    "The closes of each branch's accounts that ledger-reconciliation makes:\n"
    "a day once ledger time and the branch's entries have passed it, and the\n"
    "ISO weeks and months those days end. A late entry reopens a day (or is\n"
    "booked on the next open day, by policy): a new version of its close.\n";

static const char s_show_usage[] =
    "usage: ledgerctl close show PERIOD [--branch BRANCH]\n"
    "\n"
    "A close: per account the opening, debits, credits and closing balance\n"
    "(yuan) and the postings, their total, the imbalance (0 when every entry\n"
    "balances), the late entries booked in it and how often it was reopened.\n"
    "\n"
    "  PERIOD           a day YYYY-MM-DD, an ISO week YYYY-Www, or a month YYYY-MM\n"
    "  --branch BRANCH  that branch's close (default: every branch's)\n";

/* A period as typed: which result kind holds its closes. */
typedef struct {
    const char *kind;   /* "close.day", "close.week", "close.month" */
} s_period_t;

/* s_parse_period - the form of text says the kind; 0 or CTL_USAGE */
static int s_parse_period(const char *cmd, const char *text, s_period_t *out)
{
    period_kind_t kind;
    int64_t p;
    if (period_parse(text, &kind, &p) < 0)
        return ctl_usage(cmd, "PERIOD: want a day YYYY-MM-DD, a week YYYY-Www or a month "
                         "YYYY-MM, got '%s'", text);
    *out = (s_period_t){ period_close_kind(kind) };
    return 0;
}

/* s_json - the close with every field; money in fen */
static void s_json(out_json_t *j, const char *kind, const Ledger__Close *cl, uint64_t version)
{
    out_json_object(j, NULL);
    out_json_str(j, "kind", kind);
    out_json_str(j, "branch", cl->branch);
    out_json_str(j, "period", cl->period);
    out_json_str(j, "first_day", cl->first_day);
    out_json_str(j, "last_day", cl->last_day);
    out_json_array(j, "accounts");
    for (size_t i = 0; i < cl->n_accounts; i++) {
        const Ledger__AccountClose *a = cl->accounts[i];
        out_json_object(j, NULL);
        out_json_str(j, "account", a->account);
        out_json_int(j, "opening_fen", a->opening);
        out_json_int(j, "debits_fen", a->debits);
        out_json_int(j, "credits_fen", a->credits);
        out_json_int(j, "closing_fen", a->closing);
        out_json_uint(j, "entries", a->entries);
        out_json_end(j);
    }
    out_json_end(j);
    out_json_uint(j, "entries", cl->entries);
    out_json_int(j, "imbalance_fen", cl->imbalance);
    out_json_bool(j, "balanced", cl->imbalance == 0);
    out_json_time(j, "closed", cl->closed_ms);
    out_json_array(j, "late");
    for (size_t i = 0; i < cl->n_late; i++)
        out_json_str(j, NULL, cl->late[i]);
    out_json_end(j);
    out_json_uint(j, "reopened", cl->reopened);
    out_json_uint(j, "result_version", version);
    out_json_end(j);
}

/* s_text - header, the accounts and their total, then the checks */
static void s_text(const Ledger__Close *cl, uint64_t version)
{
    char t[32], a[32], b[32], c[32], d[32], n[16];
    if (strcmp(cl->first_day, cl->last_day))   /* a week or a month: its days */
        printf("close  %s %s, %s to %s  (version %llu, closed %s)\n", cl->branch, cl->period,
               cl->first_day, cl->last_day, (unsigned long long)version,
               ctl_time(t, sizeof t, cl->closed_ms));
    else
        printf("close  %s %s  (version %llu, closed %s)\n", cl->branch, cl->period,
               (unsigned long long)version, ctl_time(t, sizeof t, cl->closed_ms));
    out_table_t *tb = out_table_new(6, "ACCOUNT", ">OPENING", ">DEBITS", ">CREDITS",
                                    ">CLOSING", ">ENTRIES");
    int64_t opening = 0, debits = 0, credits = 0, closing = 0;
    uint64_t postings = 0;
    for (size_t i = 0; i < cl->n_accounts; i++) {
        const Ledger__AccountClose *ac = cl->accounts[i];
        money_format(a, sizeof a, ac->opening);
        money_format(b, sizeof b, ac->debits);
        money_format(c, sizeof c, ac->credits);
        money_format(d, sizeof d, ac->closing);
        snprintf(n, sizeof n, "%u", ac->entries);
        out_table_row(tb, ac->account, a, b, c, d, n);
        opening += ac->opening;
        debits += ac->debits;
        credits += ac->credits;
        closing += ac->closing;
        postings += ac->entries;
    }
    if (cl->n_accounts) {
        money_format(a, sizeof a, opening);
        money_format(b, sizeof b, debits);
        money_format(c, sizeof c, credits);
        money_format(d, sizeof d, closing);
        snprintf(n, sizeof n, "%llu", (unsigned long long)postings);
        out_table_row(tb, "total", a, b, c, d, n);
        out_table_print(tb, stdout);
    } else {
        puts("(no accounts)");
    }
    out_table_destroy(&tb);
    printf("entries   %u booked\n", cl->entries);
    money_format(a, sizeof a, cl->imbalance);
    printf("imbalance %s (%s)\n", a,
           cl->imbalance ? "the entries do not balance" : "balanced");
    if (cl->n_late) {
        printf("late      ");
        for (size_t i = 0; i < cl->n_late; i++)
            printf("%s%s", i ? ", " : "", cl->late[i]);
        puts(" (entries dated on closed days, booked here)");
    } else {
        puts("late      none");
    }
    printf("reopened  %u time%s\n", cl->reopened, cl->reopened == 1 ? "" : "s");
}

/* Every branch's close of one period, as result.list pages bring them. */
typedef struct {
    const char *suffix;         /* "@2026-03-01" */
    Ledger__Close **found;      /* owned */
    uint64_t *versions;         /* of each one's Result */
    size_t n, cap;
} s_all_t;

/* s_take - keep res when its key is of the period; a payload that does not
 * decode is said and passed over */
static int s_take(void *arg, const Ledger__Result *res)
{
    s_all_t *l = arg;
    size_t kl = strlen(res->key), sl = strlen(l->suffix);
    if (kl <= sl || strcmp(res->key + kl - sl, l->suffix))
        return 0;
    err_t err;
    const ProtobufCBinaryData *p = &res->payload;
    Ledger__Close *cl = (Ledger__Close *)codec_unpack(
        &ledger__close__descriptor, p->len ? p->data : (const uint8_t *)"", p->len, &err);
    if (!cl) {
        fprintf(stderr, "ledgerctl: %s result %s (version %llu, by %s): the payload is not a "
                "ledger.Close: %s; passed over\n", res->kind, res->key,
                (unsigned long long)res->version, res->owner, err.msg);
        return 0;
    }
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->found = xrealloc(l->found, l->cap * sizeof *l->found);
        l->versions = xrealloc(l->versions, l->cap * sizeof *l->versions);
    }
    l->versions[l->n] = res->version;
    l->found[l->n++] = cl;
    return 0;
}

/* s_fetch_all - every page of the kind; keys are <branch>@<period>, so
 * the period is a suffix, not a prefix */
static int s_fetch_all(ctl_t *ctl, const char *kind, s_all_t *l)
{
    return ctl_result_each(ctl, kind, "", s_take, l);
}

/* s_show_branch - one branch's close; not found is exit 1 */
static int s_show_branch(ctl_t *ctl, const s_period_t *pk, const char *branch,
                         const char *period)
{
    char key[160];
    snprintf(key, sizeof key, "%s@%s", branch, period);
    ctl_result_t r;
    int rc = ctl_result_get(&r, ctl, pk->kind, key, &ledger__close__descriptor);
    if (rc)
        return rc;
    if (!r.payload) {
        fprintf(stderr, "ledgerctl: no close of %s for %s yet\n", branch, period);
        return CTL_REJECTED;
    }
    const Ledger__Close *cl = (const Ledger__Close *)r.payload;
    if (ctl->json) {
        out_json_t j;
        out_json_init(&j, stdout);
        s_json(&j, pk->kind, cl, r.result->version);
    } else {
        s_text(cl, r.result->version);
    }
    ctl_result_fini(&r);
    return CTL_OK;
}

/* s_show_all - every branch's close of the period, by branch; none is exit 1 */
static int s_show_all(ctl_t *ctl, const s_period_t *pk, const char *period)
{
    char suffix[32];
    snprintf(suffix, sizeof suffix, "@%s", period);
    s_all_t l = { .suffix = suffix };
    int rc = s_fetch_all(ctl, pk->kind, &l);
    if (rc == CTL_OK && l.n == 0) {
        fprintf(stderr, "ledgerctl: no close for %s yet\n", period);
        rc = CTL_REJECTED;
    } else if (rc == CTL_OK && ctl->json) {
        out_json_t j;
        out_json_init(&j, stdout);
        out_json_array(&j, NULL);
        for (size_t i = 0; i < l.n; i++)
            s_json(&j, pk->kind, l.found[i], l.versions[i]);
        out_json_end(&j);
    } else if (rc == CTL_OK) {
        for (size_t i = 0; i < l.n; i++) {
            if (i)
                putchar('\n');
            s_text(l.found[i], l.versions[i]);
        }
    }
    for (size_t i = 0; i < l.n; i++)
        ledger__close__free_unpacked(l.found[i], NULL);
    free(l.found);
    free(l.versions);
    return rc;
}

/* s_show - `close show PERIOD [--branch B]` */
static int s_show(ctl_t *ctl, int argc, char **argv)
{
    enum { OPT_BRANCH = 256 };
    static const struct option opts[] = {
        { "branch", required_argument, NULL, OPT_BRANCH },
        CTL_OPTS_END };
    ctl_opts_t o = { argc, argv, "close show", s_show_usage, opts };
    const char *branch = NULL;
    s_period_t pk = { NULL };
    int c, rc;
    while ((c = ctl_opt_next(&o)) != -1) {
        if (c == CTL_OPT_STOP)
            return o.rc;
        branch = optarg;
        if (!*branch)
            return ctl_usage(o.cmd, "--branch: the value must not be empty");
    }
    if ((rc = ctl_opt_operands(&o, 1, 1, "PERIOD")))
        return rc;
    const char *period = argv[optind];
    if ((rc = s_parse_period(o.cmd, period, &pk)) || (rc = ctl_open(ctl)))
        return rc;
    return branch ? s_show_branch(ctl, &pk, branch, period) : s_show_all(ctl, &pk, period);
}

static const ctl_cmd_t s_cmds[] = {
    { "show", s_show, "a day's, ISO week's or month's close of a branch's accounts" },
    { NULL, NULL, NULL }
};

/* cmd_close - `ledgerctl close ...` */
int cmd_close(ctl_t *ctl, int argc, char **argv)
{
    return ctl_group(ctl, "close", s_cmds, s_help, argc, argv);
}
