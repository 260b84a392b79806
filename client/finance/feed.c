/* feed - `ledger-finance follow`: the settlement events, from a cursor of
 * its own ("finance:0/1"), over the worker runtime (shared/worker.c), which
 * replays the log from the cursor, follows it live and moves the cursor only
 * after a batch is done. So the desk catches up after days offline and
 * misses nothing.
 *
 * Shown is not yet kept: a crash after a batch is shown but before its
 * cursor is written would show it again. With --feed FILE each item is
 * appended to FILE and synced before the cursor moves, and items at or
 * below the last seq in FILE are never written again: the file holds every
 * settlement event exactly once, in log order, whatever happens. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "codec.h"
#include "commission.pb-c.h"
#include "feed.h"
#include "finance.h"
#include "reconciliation.pb-c.h"
#include "worker.h"

const char *const feed_kinds[] = {
    "month", "statement.closed", "close", "commission.line", "compliance.fine", "entry", NULL
};

/* ---- what an event is to the desk ----------------------------------------- */

static void s_party(char *out, size_t n, const Ledger__PartyRef *p)
{
    if (!p || !p->code || !*p->code)
        snprintf(out, n, "%s", "");
    else
        snprintf(out, n, "%s:%s", ctl_enum_name(ctl_party_kinds, p->kind), p->code);
}

static const char *s_money(char *out, size_t n, int64_t fen)
{
    out_money(out, n, fen);
    return out;
}

/* s_ends - s ends with tail */
static int s_ends(const char *s, const char *tail)
{
    size_t a = strlen(s), b = strlen(tail);
    return a >= b && !strcmp(s + a - b, tail);
}

static void s_statement(feed_item_t *it, const Ledger__Statement *st)
{
    char t[32], c[32], p[32], o[32], paid[32];
    snprintf(it->item, sizeof it->item, "statement");
    s_party(it->person, sizeof it->person, st->person);
    snprintf(it->month, sizeof it->month, "%s", st->month);
    it->has_amount = 1;
    it->amount = st->payable;
    s_money(t, sizeof t, st->total);
    s_money(c, sizeof c, st->carried_in);
    s_money(p, sizeof p, st->payable);
    s_money(o, sizeof o, st->carried_out);
    s_money(paid, sizeof paid, st->paid);
    if (st->paid) {
        char payouts[256] = "";
        for (size_t i = 0; i < st->n_payouts; i++)
            snprintf(payouts + strlen(payouts), sizeof payouts - strlen(payouts), "%s%s",
                     i ? ", " : "", st->payouts[i]);
        snprintf(it->detail, sizeof it->detail, "paid %s of %s payable (%s)", paid, p, payouts);
    } else
        snprintf(it->detail, sizeof it->detail, "closed: %zu lines, total %s, carried in %s, "
                 "payable %s, carried on %s", st->n_lines, t, c, p, o);
}

static void s_close(feed_item_t *it, const char *kind, const Ledger__Close *cl, uint64_t version)
{
    int64_t debits = 0;
    for (size_t i = 0; i < cl->n_accounts; i++)
        debits += cl->accounts[i]->debits;
    snprintf(it->item, sizeof it->item, "close %s", kind + strlen("close."));
    snprintf(it->branch, sizeof it->branch, "%s", cl->branch);
    it->has_amount = 1;
    it->amount = debits;
    char d[32], imb[32], more[128] = "";
    s_money(d, sizeof d, debits);
    s_money(imb, sizeof imb, cl->imbalance);
    if (version > 1)
        snprintf(more + strlen(more), sizeof more - strlen(more), ", version %" PRIu64,
                 version);
    if (cl->reopened)
        snprintf(more + strlen(more), sizeof more - strlen(more), ", reopened %u time%s",
                 cl->reopened, cl->reopened == 1 ? "" : "s");
    if (cl->n_late)
        snprintf(more + strlen(more), sizeof more - strlen(more), ", %zu late entr%s booked here",
                 cl->n_late, cl->n_late == 1 ? "y" : "ies");
    char span[40] = "";
    if (strcmp(cl->first_day, cl->last_day))
        snprintf(span, sizeof span, "%s to %s: ", cl->first_day, cl->last_day);
    snprintf(it->detail, sizeof it->detail, "%s%u entr%s, debits %s, %s%s%s", span,
             cl->entries, cl->entries == 1 ? "y" : "ies", d,
             cl->imbalance ? "IMBALANCE " : "balanced", cl->imbalance ? imb : "", more);
}

/* s_line - a clawback or an adjustment, when it first appears: 1; 0 for
 * every other line (the statement is where the rest of them settle) */
static int s_line(feed_item_t *it, const Ledger__CommissionLine *l, uint64_t version)
{
    int clawback = s_ends(l->rule, ".clawback");
    if (version != 1 || (!clawback && !s_ends(l->rule, ".adjustment")))
        return 0;
    snprintf(it->item, sizeof it->item, "%s", clawback ? "clawback" : "adjustment");
    s_party(it->person, sizeof it->person, l->earner);
    snprintf(it->month, sizeof it->month, "%s", l->month);
    it->has_amount = 1;
    it->amount = l->amount;
    char what[96] = "";
    if (clawback && *l->refund_code)
        snprintf(what, sizeof what, ", refund %s", l->refund_code);
    else if (!clawback && *l->adjusts)
        snprintf(what, sizeof what, ", correcting %s", l->adjusts);
    snprintf(it->detail, sizeof it->detail, "%s on order %s%s, %s statement: %s", l->rule,
             l->order_code, what, *l->month ? l->month : "a later", l->reason);
    return 1;
}

static void s_fine(feed_item_t *it, const Ledger__FineLine *fl)
{
    snprintf(it->item, sizeof it->item, "%s",
             fl->amount < 0 ? "fine" : fl->amount > 0 ? "reward" : "withdrawn");
    s_party(it->person, sizeof it->person, fl->person);
    snprintf(it->month, sizeof it->month, "%s", fl->month);
    it->has_amount = 1;
    it->amount = fl->amount;
    snprintf(it->detail, sizeof it->detail, "%s, %s: %s", fl->rule, fl->month,
             fl->amount ? fl->reason : "put right or waived: nothing is deducted");
}

/* s_payout - a payout entry: 1; 0 for every other entry */
static int s_payout(feed_item_t *it, const Ledger__FinanceEntry *fe)
{
    if (fe->category != LEDGER__ENTRY_CATEGORY__CATEGORY_PAYOUT)
        return 0;
    int64_t paid = 0;
    const char *from = "", *to = "";
    for (size_t i = 0; i < fe->n_postings; i++) {
        if (fe->postings[i]->amount > 0) {
            paid += fe->postings[i]->amount;
            to = fe->postings[i]->account_code;
        } else
            from = fe->postings[i]->account_code;
    }
    int reversal = *fe->reverses_code != '\0';
    snprintf(it->item, sizeof it->item, "%s", reversal ? "payout undone" : "payout");
    snprintf(it->key, sizeof it->key, "%s", fe->code);
    snprintf(it->branch, sizeof it->branch, "%s", fe->branch);
    const char *at = strchr(fe->statement, '@');
    if (at) {
        snprintf(it->person, sizeof it->person, "%.*s", (int)(at - fe->statement), fe->statement);
        snprintf(it->month, sizeof it->month, "%s", at + 1);
    }
    it->has_amount = 1;
    it->amount = reversal ? -paid : paid;
    if (reversal)
        snprintf(it->detail, sizeof it->detail, "reverses %s (statement %s)", fe->reverses_code,
                 *fe->statement ? fe->statement : "-");
    else
        snprintf(it->detail, sizeof it->detail, "pays statement %s: from %s to %s",
                 *fe->statement ? fe->statement : "-", from, to);
    return 1;
}

/* s_result - the result's payload as desc, or NULL with err */
static ProtobufCMessage *s_result(const Ledger__Result *r, const ProtobufCMessageDescriptor *desc,
                                  err_t *err)
{
    const uint8_t *data = r->payload.len ? r->payload.data : (const uint8_t *)"";
    ProtobufCMessage *m = codec_unpack(desc, data, r->payload.len, err);
    if (!m)
        err_set(err, err->code, "payload", "%s result %s (version %" PRIu64 "): %s", r->kind,
                r->key, r->version, err->msg);
    return m;
}

int feed_item(const Ledger__Event *e, feed_item_t *it, err_t *err)
{
    memset(it, 0, sizeof *it);
    it->seq = e->seq;
    it->time_ms = e->time_ms;
    it->kind = e->kind;
    it->version = e->version;
    snprintf(it->key, sizeof it->key, "%s", e->entity_code);
    if (e->body_case == LEDGER__EVENT__BODY_MONTH && !strcmp(e->kind, "month.closed")) {
        snprintf(it->item, sizeof it->item, "month");
        snprintf(it->key, sizeof it->key, "%s", e->month->month);
        snprintf(it->month, sizeof it->month, "%s", e->month->month);
        snprintf(it->detail, sizeof it->detail, "closed by %s: its statements follow",
                 e->month->actor);
        return 1;
    }
    if (e->body_case == LEDGER__EVENT__BODY_ENTRY && !strcmp(e->kind, "entry.created"))
        return s_payout(it, e->entry);
    if (e->body_case != LEDGER__EVENT__BODY_RESULT)
        return 0;
    const Ledger__Result *r = e->result;
    const ProtobufCMessageDescriptor *desc =
        !strcmp(e->kind, "statement.closed") ? &ledger__statement__descriptor
        : !strncmp(e->kind, "close.", 6)     ? &ledger__close__descriptor
        : !strcmp(e->kind, "commission.line") ? &ledger__commission_line__descriptor
        : !strcmp(e->kind, "compliance.fine") ? &ledger__fine_line__descriptor
                                              : NULL;
    if (!desc)
        return 0;
    ProtobufCMessage *m = s_result(r, desc, err);
    if (!m)
        return -1;
    int rc = 1;
    if (desc == &ledger__statement__descriptor)
        s_statement(it, (const Ledger__Statement *)m);
    else if (desc == &ledger__close__descriptor)
        s_close(it, e->kind, (const Ledger__Close *)m, r->version);
    else if (desc == &ledger__commission_line__descriptor)
        rc = s_line(it, (const Ledger__CommissionLine *)m, r->version);
    else
        s_fine(it, (const Ledger__FineLine *)m);
    protobuf_c_message_free_unpacked(m, NULL);
    return rc;
}

/* ---- showing it --------------------------------------------------------- */

void feed_text(FILE *f, const feed_item_t *it)
{
    char seq[24], when[32], amount[32] = "";
    snprintf(seq, sizeof seq, "%" PRIu64, it->seq);
    out_time(when, sizeof when, it->time_ms);
    if (it->has_amount)
        out_money(amount, sizeof amount, it->amount);
    out_pad(f, seq, 8, 1);
    fputs("  ", f);
    out_pad(f, when, 19, 0);
    fputs("  ", f);
    out_pad(f, it->item, 13, 0);
    fputs("  ", f);
    out_pad(f, it->key, 30, 0);
    fputs(" ", f);
    out_pad(f, amount, 12, 1);
    fputs("  ", f);
    out_pad(f, it->detail, 0, 0);
    fputc('\n', f);
}

void feed_json(FILE *f, const feed_item_t *it)
{
    out_json_t j;
    out_json_init(&j, f);
    out_json_object(&j, NULL);
    out_json_uint(&j, "seq", it->seq);   /* first: the feed file is read back by it */
    out_json_time(&j, "time", it->time_ms);
    out_json_str(&j, "kind", it->kind);
    out_json_str(&j, "item", it->item);
    out_json_str(&j, "key", it->key);
    out_json_uint(&j, "version", it->version);
    out_json_str(&j, "person", it->person);
    out_json_str(&j, "month", it->month);
    out_json_str(&j, "branch", it->branch);
    if (it->has_amount)
        out_json_int(&j, "amount_fen", it->amount);
    else
        out_json_null(&j, "amount_fen");
    out_json_str(&j, "detail", it->detail);
    out_json_end(&j);
}

/* ---- the feed file ------------------------------------------------------ */

#define FEED_TAIL 65536   /* enough of the end to hold the last whole line */

int feed_file_open(feed_file_t *ff, const char *path, err_t *err)
{
    memset(ff, 0, sizeof *ff);
    FILE *f = fopen(path, "a+");
    if (!f)
        return err_set(err, ERR(INVALID), "--feed", "%s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        return err_set(err, ERR(INVALID), "--feed", "%s: not a regular file", path);
    }
    off_t size = st.st_size, from = size > FEED_TAIL ? size - FEED_TAIL : 0;
    char *tail = malloc((size_t)(size - from) + 1);
    size_t got = 0;
    if (tail && fseeko(f, from, SEEK_SET) == 0)
        got = fread(tail, 1, (size_t)(size - from), f);
    if (!tail || got != (size_t)(size - from)) {
        free(tail);
        fclose(f);
        return err_set(err, ERR(INVALID), "--feed", "%s: cannot be read", path);
    }
    tail[got] = '\0';
    /* A line without its newline was being written when the process died:
     * its item was never synced, so the cursor never passed it. */
    char *end = strrchr(tail, '\n');
    off_t whole = end ? from + (end - tail) + 1 : from;
    if (whole < size && ftruncate(fileno(f), whole) < 0) {
        free(tail);
        fclose(f);
        return err_set(err, ERR(INVALID), "--feed", "%s: %s", path, strerror(errno));
    }
    if (end) {
        *end = '\0';
        char *line = strrchr(tail, '\n');
        line = line ? line + 1 : tail;
        if (sscanf(line, "{\"seq\":%" SCNu64, &ff->last_seq) != 1 || ff->last_seq == 0) {
            free(tail);
            fclose(f);
            return err_set(err, ERR(INVALID), "--feed", "%s is not a feed ledger-finance "
                           "wrote: its last line has no seq", path);
        }
    } else if (whole > 0) {
        free(tail);
        fclose(f);
        return err_set(err, ERR(INVALID), "--feed", "%s: its last %d bytes hold no line",
                       path, FEED_TAIL);
    }
    free(tail);
    ff->f = f;
    return 0;
}

int feed_file_add(feed_file_t *ff, const feed_item_t *it)
{
    feed_json(ff->f, it);
    return ferror(ff->f) ? -1 : 0;
}

int feed_file_sync(feed_file_t *ff)
{
    if (fflush(ff->f) != 0 || fsync(fileno(ff->f)) != 0)
        return -1;
    return 0;
}

void feed_file_close(feed_file_t *ff)
{
    if (ff->f)
        fclose(ff->f);
    ff->f = NULL;
}

/* ---- follow: a worker whose effect is the feed -------------------------- */

enum { OPT_FEED = 1024, OPT_JSON };

typedef struct {
    int json;                 /* JSON lines on stdout */
    feed_file_t file;         /* --feed, when given */
    uint64_t shown;           /* the last seq shown or kept: never again */
    size_t items;             /* shown by this run */
} follow_t;

static void s_keys(void *ctx, Ledger__Event *const *events, size_t n, worker_keys_t *out)
{
    (void)ctx, (void)events, (void)n, (void)out;   /* the feed keeps no state in ledgerd */
}

static int s_batch(void *ctx, Ledger__Event *const *events, size_t n, worker_state_t *state,
                   worker_out_t *out, err_t *err)
{
    (void)state, (void)out;
    follow_t *fw = ctx;
    size_t added = 0;
    for (size_t i = 0; i < n; i++) {
        if (events[i]->seq <= fw->shown)
            continue;   /* kept before a crash, or shown before a CONFLICT restart */
        feed_item_t it;
        int rc = feed_item(events[i], &it, err);
        if (rc < 0)
            return -1;
        if (rc == 0)
            continue;
        if (fw->json)
            feed_json(stdout, &it);
        else
            feed_text(stdout, &it);
        if (fw->file.f && feed_file_add(&fw->file, &it) < 0)
            return err_set(err, ERR(STORAGE_FULL), "--feed", "writing the feed: %s",
                           strerror(errno));
        fw->shown = it.seq;
        fw->items++;
        added++;
    }
    fflush(stdout);
    /* Synced before the runtime writes the cursor past these events. */
    if (added && fw->file.f && feed_file_sync(&fw->file) < 0)
        return err_set(err, ERR(STORAGE_FULL), "--feed", "syncing the feed: %s", strerror(errno));
    return 0;
}

static follow_t s_follow;

static int s_option(void *ctx, int val, const char *arg)
{
    follow_t *fw = ctx;
    err_t err;
    switch (val) {
    case OPT_JSON:
        fw->json = 1;
        return 0;
    case OPT_FEED:
        if (fw->file.f)
            return ctl_usage("follow", "--feed: given twice");
        if (feed_file_open(&fw->file, arg, &err) < 0)
            return ctl_usage("follow", "%s: %s", err.field, err.msg);
        fw->shown = fw->file.last_seq;
        return 0;
    }
    return 2;
}

int cmd_follow(ctl_t *ctl, int argc, char **argv)
{
    static const struct option opts[] = {
        { "feed", required_argument, NULL, OPT_FEED },
        { "json", no_argument, NULL, OPT_JSON },
        { NULL, 0, NULL, 0 } };
    const worker_spec_t spec = {
        .name = "finance",
        .program = "ledger-finance follow",
        .summary = "Shows the settlement events as they arrive: closes of days, weeks and\n"
                   "months, month closes, closed statements and their payment, payouts,\n"
                   "clawbacks and adjustments, fines and rewards. One line each (JSON with\n"
                   "--json), catching up first on whatever happened since it last ran.",
        .kinds = feed_kinds,
        .keys = s_keys,
        .batch = s_batch,
        .ctx = &s_follow,
        .unpartitioned = 1,
        .options = opts,
        .options_help =
            "  --feed FILE       also keep every item in FILE (JSON lines, synced before\n"
            "                    the cursor moves): each exactly once, even across crashes\n"
            "  --json            JSON lines on stdout (as global --json)\n",
        .option = s_option,
    };
    s_follow.json = ctl->json;
    /* The runtime reads the endpoints from the environment (or its own
     * --endpoint, --events), so the global options reach it that way. */
    setenv("LEDGER_ENDPOINT", ctl->endpoint, 1);
    setenv("LEDGER_EVENTS", ctl->events, 1);
    int rc = worker_main(argc, argv, &spec);
    feed_file_close(&s_follow.file);
    return rc;
}
