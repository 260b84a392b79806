/* closes - every branch's accounts closed day by day (DOMAIN.md 5, seed 000
 * §11 "每天一清,每周一小结,每月一汇总"): opening + movements = closing per
 * account, then the ISO week and the month once their last day is closed.
 *
 * A day closes once ledger time has passed it and the branch has moved on
 * (an entry dated on a later day) or been quiet a day since its last entry,
 * so a day entered after the fact is closed once its entries are in. An
 * entry dated on a closed day is, by the month's policy (late_entry),
 * booked on the next open day, or reopens its day: that close and every
 * later one whose opening moved get a new version. Either way a late_entry
 * exception records it: never a silent change. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "date.h"
#include "log.h"
#include "period.h"
#include "recon.h"
#include "xmalloc.h"

#define LATE_NEXT LEDGER__LATE_ENTRY__LATE_ENTRY_NEXT_OPEN_DAY

/* ---- small helpers ------------------------------------------------------- */

static void s_day_text(char out[16], int64_t day)
{
    period_format(out, 16, PERIOD_DAY, day);
}

static int64_t s_day_of(const char *text)
{
    date_t d;
    err_t ignored;
    return date_parse(&d, text, &ignored) == 0 ? period_of_date(PERIOD_DAY, d) : 0;
}

/* s_rec - a state record "<prefix>:<branch>@<period>" */
static rec_t *s_rec(recon_t *rc, const char *prefix, const char *branch, const char *period,
                    const ProtobufCMessageDescriptor *desc)
{
    char key[160];
    snprintf(key, sizeof key, "%s:%s@%s", prefix, branch, period);
    return recset_get(&rc->set, key, desc);
}

/* s_account - the account's entry in a list kept by code, added when new */
static Ledger__AccountClose *s_account(Ledger__AccountClose ***list, size_t *n, const char *code)
{
    size_t i = 0;
    while (i < *n && strcmp((*list)[i]->account, code) < 0)
        i++;
    if (i < *n && !strcmp((*list)[i]->account, code))
        return (*list)[i];
    *list = xrealloc(*list, (*n + 1) * sizeof **list);
    memmove(*list + i + 1, *list + i, (*n - i) * sizeof **list);
    Ledger__AccountClose *a = xmalloc(sizeof *a);
    ledger__account_close__init(a);
    a->account = xstrdup(code);
    (*list)[i] = a;
    (*n)++;
    return a;
}

/* s_branch - the branch's book, the branch listed in "branches" if new */
static rec_t *s_branch(recon_t *rc, const char *branch)
{
    Ledger__Branches *bs = (Ledger__Branches *)rc->branches->msg;
    size_t i = 0;
    while (i < bs->n_codes && strcmp(bs->codes[i], branch) < 0)
        i++;
    if (i == bs->n_codes || strcmp(bs->codes[i], branch)) {
        bs->codes = xrealloc(bs->codes, (bs->n_codes + 1) * sizeof *bs->codes);
        memmove(bs->codes + i + 1, bs->codes + i, (bs->n_codes - i) * sizeof *bs->codes);
        bs->codes[i] = xstrdup(branch);
        bs->n_codes++;
        rc->branches->dirty = 1;
    }
    char key[160];
    snprintf(key, sizeof key, "br:%s", branch);
    rec_t *r = recset_get(&rc->set, key, &ledger__branch_book__descriptor);
    if (r && !*((Ledger__BranchBook *)r->msg)->branch) {
        Ledger__BranchBook bb = LEDGER__BRANCH_BOOK__INIT;
        bb.branch = (char *)branch;
        recset_replace(r, recset_copy(&bb.base));
    }
    return r;
}

/* ---- a day's close ------------------------------------------------------- */

/* s_close_day - close (or close again) day of branch from the opening
 * balances in *bal, which become its closing ones; reopened adds to the
 * close's count of reopenings */
static int s_close_day(recon_t *rc, const char *branch, int64_t day,
                       Ledger__AccountClose ***bal, size_t *n_bal, int reopened)
{
    char date[16];
    s_day_text(date, day);
    rec_t *dm = s_rec(rc, "dm", branch, date, &ledger__day_moves__descriptor);
    rec_t *cl = dm ? s_rec(rc, "cl", branch, date, &ledger__close__descriptor) : NULL;
    if (!cl)
        return -1;
    const Ledger__DayMoves *mv = (const Ledger__DayMoves *)dm->msg;
    const Ledger__Close *was = (const Ledger__Close *)cl->msg;
    for (size_t i = 0; i < mv->n_accounts; i++)
        s_account(bal, n_bal, mv->accounts[i]->account);
    Ledger__AccountClose **acc = xcalloc(*n_bal ? *n_bal : 1, sizeof *acc);
    int64_t imbalance = 0;
    for (size_t i = 0; i < *n_bal; i++) {
        Ledger__AccountClose *b = (*bal)[i];
        const Ledger__AccountClose *m = NULL;
        for (size_t k = 0; k < mv->n_accounts && !m; k++)
            if (!strcmp(mv->accounts[k]->account, b->account))
                m = mv->accounts[k];
        b->opening = b->closing;
        b->debits = m ? m->debits : 0;
        b->credits = m ? m->credits : 0;
        b->entries = m ? m->entries : 0;
        b->closing = b->opening + b->debits + b->credits;
        imbalance += b->debits + b->credits;
        acc[i] = b;
    }
    Ledger__Close c = LEDGER__CLOSE__INIT;
    c.branch = (char *)branch;
    c.period = date;
    c.first_day = date;
    c.last_day = date;
    c.accounts = acc;
    c.n_accounts = *n_bal;
    c.entries = mv->entries;
    c.imbalance = imbalance;
    c.late = mv->late;
    c.n_late = mv->n_late;
    c.reopened = was->reopened + (reopened ? 1 : 0);
    c.closed_ms = rc->now;
    Ledger__Close *copy = (Ledger__Close *)recset_copy(&c.base);
    free(acc);
    recset_replace(cl, &copy->base);
    char key[160];
    snprintf(key, sizeof key, "%s@%s", branch, date);
    worker_result(rc->out, "close.day", key, 0, 0, &copy->base);
    if (imbalance)
        log_warn("reconciliation: %s does not balance by %lld fen", key, (long long)imbalance);
    return 0;
}

/* s_close_period - the week or month of days first..last (those closed):
 * the first's opening, the movements summed, the last's closing */
static int s_close_period(recon_t *rc, const char *branch, period_kind_t k, int64_t p)
{
    date_t d0 = period_first_day(k, p), d1 = period_last_day(k, p);
    int64_t first = period_of_date(PERIOD_DAY, d0), last = period_of_date(PERIOD_DAY, d1);
    Ledger__AccountClose **acc = NULL;
    size_t n = 0;
    int64_t imbalance = 0;
    uint32_t entries = 0;
    int seen = 0;
    for (int64_t day = first; day <= last; day++) {
        char date[16];
        s_day_text(date, day);
        rec_t *cl = s_rec(rc, "cl", branch, date, &ledger__close__descriptor);
        if (!cl)
            return -1;
        const Ledger__Close *c = (const Ledger__Close *)cl->msg;
        if (!*c->period)
            continue;   /* before the branch's first day */
        for (size_t i = 0; i < c->n_accounts; i++) {
            const Ledger__AccountClose *a = c->accounts[i];
            Ledger__AccountClose *x = s_account(&acc, &n, a->account);
            if (!seen || (x->debits == 0 && x->credits == 0 && x->entries == 0 &&
                          x->closing == 0 && x->opening == 0))
                x->opening = a->opening;
            x->debits += a->debits;
            x->credits += a->credits;
            x->entries += a->entries;
            x->closing = a->closing;
        }
        imbalance += c->imbalance;
        entries += c->entries;
        seen = 1;
    }
    if (!seen) {
        free(acc);
        return 0;
    }
    char period[16], fd[16], ld[16], key[160];
    period_format(period, sizeof period, k, p);
    date_format(fd, sizeof fd, d0);
    date_format(ld, sizeof ld, d1);
    Ledger__Close c = LEDGER__CLOSE__INIT;
    c.branch = (char *)branch;
    c.period = period;
    c.first_day = fd;
    c.last_day = ld;
    c.accounts = acc;
    c.n_accounts = n;
    c.entries = entries;
    c.imbalance = imbalance;
    c.closed_ms = rc->now;
    snprintf(key, sizeof key, "%s@%s", branch, period);
    worker_result(rc->out, k == PERIOD_WEEK ? "close.week" : "close.month", key, 0, 0, &c.base);
    for (size_t i = 0; i < n; i++)
        ledger__account_close__free_unpacked(acc[i], NULL);
    free(acc);
    return 0;
}

/* s_periods_ending - close the week and the month that end on day */
static int s_periods_ending(recon_t *rc, const char *branch, int64_t day)
{
    int rc_ = 0;
    if (period_of(PERIOD_WEEK, period_end_ms(PERIOD_DAY, day)) != period_of_date(
            PERIOD_WEEK, period_first_day(PERIOD_DAY, day)))
        rc_ = s_close_period(rc, branch, PERIOD_WEEK,
                             period_of_date(PERIOD_WEEK, period_first_day(PERIOD_DAY, day)));
    if (rc_ == 0 && period_of(PERIOD_MONTH, period_end_ms(PERIOD_DAY, day)) != period_of_date(
            PERIOD_MONTH, period_first_day(PERIOD_DAY, day)))
        rc_ = s_close_period(rc, branch, PERIOD_MONTH,
                             period_of_date(PERIOD_MONTH, period_first_day(PERIOD_DAY, day)));
    return rc_;
}

/* s_bal_take - the branch book's balances as an owned list to work on */
static Ledger__AccountClose **s_bal_take(const Ledger__AccountClose *const *from, size_t n)
{
    Ledger__AccountClose **out = xcalloc(n ? n : 1, sizeof *out);
    for (size_t i = 0; i < n; i++)
        out[i] = (Ledger__AccountClose *)recset_copy(&from[i]->base);
    return out;
}

static void s_bal_free(Ledger__AccountClose **bal, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ledger__account_close__free_unpacked(bal[i], NULL);
    free(bal);
}

/* s_bal_put - the balances back into the branch book, with its last closed day */
static void s_bal_put(rec_t *br, Ledger__AccountClose **bal, size_t n, int64_t last_closed)
{
    char date[16];
    s_day_text(date, last_closed);
    Ledger__BranchBook bb = *(Ledger__BranchBook *)br->msg;
    bb.balances = bal;
    bb.n_balances = n;
    bb.last_closed = date;
    recset_replace(br, recset_copy(&bb.base));
}

/* s_reopen - close day again and every closed day after it, from the
 * balances at the end of the day before */
static int s_reopen(recon_t *rc, rec_t *br, int64_t day)
{
    const Ledger__BranchBook *bb = (const Ledger__BranchBook *)br->msg;
    char branch[64], prev[16];
    snprintf(branch, sizeof branch, "%s", bb->branch);
    int64_t last = s_day_of(bb->last_closed);
    s_day_text(prev, day - 1);
    rec_t *pc = s_rec(rc, "cl", branch, prev, &ledger__close__descriptor);
    if (!pc)
        return -1;
    const Ledger__Close *before = (const Ledger__Close *)pc->msg;
    size_t n = before->n_accounts;
    Ledger__AccountClose **bal = s_bal_take((const Ledger__AccountClose *const *)before->accounts, n);
    int rc_ = 0;
    for (int64_t d = day; d <= last && rc_ == 0; d++) {
        rc_ = s_close_day(rc, branch, d, &bal, &n, d == day);
        if (rc_ == 0)
            rc_ = s_periods_ending(rc, branch, d);
    }
    if (rc_ == 0)
        s_bal_put(br, bal, n, last);
    s_bal_free(bal, n);
    return rc_;
}

/* ---- entries --------------------------------------------------------------- */

/* s_book - the entry's postings into a day's movements */
static int s_book(recon_t *rc, const char *branch, const char *date,
                  const Ledger__FinanceEntry *fe, int late)
{
    rec_t *dm = s_rec(rc, "dm", branch, date, &ledger__day_moves__descriptor);
    if (!dm)
        return -1;
    Ledger__DayMoves *mv = (Ledger__DayMoves *)dm->msg;
    for (size_t i = 0; i < fe->n_postings; i++) {
        const Ledger__Posting *p = fe->postings[i];
        Ledger__AccountClose *a = s_account(&mv->accounts, &mv->n_accounts, p->account_code);
        if (p->amount >= 0)
            a->debits += p->amount;
        else
            a->credits += p->amount;
        a->entries++;
    }
    mv->entries++;
    if (late) {
        mv->late = xrealloc(mv->late, (mv->n_late + 1) * sizeof *mv->late);
        mv->late[mv->n_late++] = xstrdup(fe->code);
    }
    dm->dirty = 1;
    return 0;
}

int closes_entry(recon_t *rc, const Ledger__FinanceEntry *fe)
{
    if (fe->version > 1 || !fe->branch || !*fe->branch || strlen(fe->branch) > 60)
        return 0;   /* an entry's money is its first version's: corrections are reversals */
    rec_t *br = s_branch(rc, fe->branch);
    if (!br)
        return -1;
    Ledger__BranchBook *bb = (Ledger__BranchBook *)br->msg;
    char date[16], month[8];
    int64_t day = period_of(PERIOD_DAY, fe->time_ms);
    s_day_text(date, day);
    snprintf(month, sizeof month, "%.7s", date);
    int64_t last = *bb->last_closed ? s_day_of(bb->last_closed) : INT64_MIN;
    /* The book with this entry heard of (copied: an empty string field is
     * protobuf-c's static "", never to be freed). */
    Ledger__BranchBook shell = *bb;
    shell.heard_ms = rc->now;
    if (!*bb->last_entry_day || strcmp(date, bb->last_entry_day) > 0)
        shell.last_entry_day = date;
    if (day > last && (!*bb->first_day || strcmp(date, bb->first_day) < 0))
        shell.first_day = date;
    recset_replace(br, recset_copy(&shell.base));
    bb = (Ledger__BranchBook *)br->msg;
    if (day > last)
        return s_book(rc, fe->branch, date, fe, 0);
    /* A closed day: never a silent change. */
    int next_open = recon_policy(rc, month)->late_entry == LATE_NEXT ||
                    !*bb->first_day || strcmp(date, bb->first_day) < 0;
    char open_day[16], reason[300];
    s_day_text(open_day, last + 1);
    int rc_;
    if (next_open) {
        snprintf(reason, sizeof reason, "entry %s dated %s, a closed day of %s, booked on %s, "
                 "the next open day", fe->code, date, fe->branch, open_day);
        rc_ = s_book(rc, fe->branch, open_day, fe, 1);
    } else {
        snprintf(reason, sizeof reason, "entry %s dated %s, a closed day of %s: the day reopened "
                 "and closed again", fe->code, date, fe->branch);
        rc_ = s_book(rc, fe->branch, date, fe, 0);
        if (rc_ == 0)
            rc_ = s_reopen(rc, br, day);
    }
    if (rc_ < 0)
        return -1;
    char id[200];
    snprintf(id, sizeof id, "late_entry/%s", fe->code);
    Ledger__Exception x = LEDGER__EXCEPTION__INIT;
    uint64_t seq = rc->e->seq;
    x.order_code = fe->code;
    x.branch = fe->branch;
    x.evidence = &seq;
    x.n_evidence = 1;
    x.reason = reason;
    x.booked_on = next_open ? open_day : date;
    return recon_exception(rc, LEDGER__EXCEPTION_KIND__EXCEPTION_LATE_ENTRY, id, &x, 1);
}

int closes_advance(recon_t *rc)
{
    const Ledger__Branches *bs = (const Ledger__Branches *)rc->branches->msg;
    for (size_t i = 0; i < bs->n_codes; i++) {
        char branch[64];
        snprintf(branch, sizeof branch, "%s", bs->codes[i]);
        char key[160];
        snprintf(key, sizeof key, "br:%s", branch);
        rec_t *br = recset_get(&rc->set, key, &ledger__branch_book__descriptor);
        if (!br)
            return -1;
        const Ledger__BranchBook *bb = (const Ledger__BranchBook *)br->msg;
        if (!*bb->first_day)
            continue;
        int64_t day = *bb->last_closed ? s_day_of(bb->last_closed) + 1 : s_day_of(bb->first_day);
        int64_t moved_to = s_day_of(bb->last_entry_day);
        int quiet = rc->now >= bb->heard_ms + RECON_QUIET_MS;
        if (period_end_ms(PERIOD_DAY, day) > rc->now || (day >= moved_to && !quiet))
            continue;
        size_t n = bb->n_balances;
        Ledger__AccountClose **bal =
            s_bal_take((const Ledger__AccountClose *const *)bb->balances, n);
        int64_t closed = day - 1;
        int rc_ = 0;
        while (rc_ == 0 && period_end_ms(PERIOD_DAY, day) <= rc->now && (day < moved_to || quiet)) {
            rc_ = s_close_day(rc, branch, day, &bal, &n, 0);
            if (rc_ == 0)
                rc_ = s_periods_ending(rc, branch, day);
            closed = day++;
        }
        if (rc_ == 0)
            s_bal_put(br, bal, n, closed);
        s_bal_free(bal, n);
        if (rc_ < 0)
            return -1;
    }
    /* A new ledger day: days outstanding have moved on. */
    Ledger__Branches *all = (Ledger__Branches *)rc->branches->msg;
    int64_t today = period_of(PERIOD_DAY, rc->now);
    if (all->recovery_day != today) {
        all->recovery_day = today;
        rc->branches->dirty = 1;
        return money_recovery(rc);
    }
    return 0;
}
