/* statement - drafts, the month's close, payouts, fines (see statement.h).
 * Closing a month reads only what closing does not change (the drafts'
 * lines, the previous month's balances and carriers), so closing again over
 * its own partial effects gives the same statements. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "batch.h"
#include "codec.h"
#include "log.h"
#include "money.h"
#include "xmalloc.h"
#include "centre.h"
#include "policy.h"
#include "sales.h"
#include "statement.h"

/* s_draft_key - "s:staff:S-1@2026-03" */
static const char *s_draft_key(char *out, size_t n, const Ledger__PartyRef *p, const char *month)
{
    char who[160];
    snprintf(out, n, "s:%s@%s", batch_person(who, sizeof who, p), month);
    return out;
}

/* statement_set - put line into (or, with remove, take it out of) its
 * earner's draft statement for month */
int statement_set(batch_t *b, const Ledger__CommissionLine *line, const char *month,
                  int remove)
{
    char key[200];
    rec_t *r = recset_get(&b->set, s_draft_key(key, sizeof key, line->earner, month),
                     &ledger__statement__descriptor);
    if (!r)
        return -1;
    Ledger__Statement *st = (Ledger__Statement *)r->msg;
    Ledger__Statement shell = *st;
    Ledger__CommissionLine **lines = xcalloc(st->n_lines + 1, sizeof *lines);
    size_t n = 0;
    int placed = 0;
    for (size_t i = 0; i < st->n_lines; i++) {
        if (!strcmp(st->lines[i]->id, line->id)) {
            if (!remove)
                lines[n++] = (Ledger__CommissionLine *)line;
            placed = 1;
        } else {
            lines[n++] = st->lines[i];
        }
    }
    if (!placed && !remove)
        lines[n++] = (Ledger__CommissionLine *)line;
    if (placed || !remove) {
        shell.person = line->earner;
        shell.month = (char *)month;
        shell.lines = lines;
        shell.n_lines = n;
        shell.total = 0;
        for (size_t i = 0; i < n; i++)
            shell.total += lines[i]->amount;
        recset_replace(r, recset_copy(&shell.base));
    }
    free(lines);
    return remove ? 0 : batch_index_person(b, "m", month, line->earner);
}

/* s_close_person - settle one person's statement for month; *net is its
 * total with the balance carried in from the month before. Reads only what
 * closing the month does not change (the draft's lines, the previous
 * month's balance), so closing again over its own partial effects gives
 * the same statement. */
static int s_close_person(batch_t *b, const Ledger__PartyRef *p, const char *month,
                          const char *prev, int64_t closed_ms, int64_t *net)
{
    char key[200], who[160], bkey[220];
    batch_person(who, sizeof who, p);
    rec_t *r = recset_get(&b->set, s_draft_key(key, sizeof key, p, month), &ledger__statement__descriptor);
    snprintf(bkey, sizeof bkey, "b:%s@%s", who, prev);
    rec_t *rin = r ? recset_get(&b->set, bkey, &ledger__balance__descriptor) : NULL;
    snprintf(bkey, sizeof bkey, "b:%s@%s", who, month);
    rec_t *rout = rin ? recset_get(&b->set, bkey, &ledger__balance__descriptor) : NULL;
    if (!rout)
        return -1;
    const Ledger__Statement *draft = (const Ledger__Statement *)r->msg;
    Ledger__Statement st = *draft;
    st.person = (Ledger__PartyRef *)p;
    st.month = (char *)month;
    st.closed = 1;
    st.closed_ms = closed_ms;
    Ledger__CommissionLine **lines = xcalloc(draft->n_lines ? draft->n_lines : 1, sizeof *lines);
    Ledger__CommissionLine *copies = xcalloc(draft->n_lines ? draft->n_lines : 1, sizeof *copies);
    st.total = 0;
    for (size_t i = 0; i < draft->n_lines; i++) {
        copies[i] = *draft->lines[i];
        copies[i].state = LEDGER__LINE_STATE__LINE_SETTLED;
        lines[i] = &copies[i];
        st.total += copies[i].amount;
    }
    st.lines = lines;
    st.carried_in = ((const Ledger__Balance *)rin->msg)->carried;
    *net = st.total + st.carried_in;
    st.payable = *net > 0 ? *net : 0;
    st.carried_out = *net < 0 ? *net : 0;
    char rkey[200];
    snprintf(rkey, sizeof rkey, "%s@%s", who, month);
    worker_result(b->out, KIND_CLOSED, rkey, p->id, 0, &st.base);
    worker_result(b->out, KIND_DRAFT, rkey, p->id, 0, &st.base);   /* the draft says so too */
    recset_replace(r, recset_copy(&st.base));
    Ledger__Balance nb = LEDGER__BALANCE__INIT;
    nb.carried = st.carried_out;
    nb.month = (char *)month;
    recset_replace(rout, recset_copy(&nb.base));
    free(lines);
    free(copies);
    return 0;
}

/* statement_close - one closed statement per person with lines in the
 * month or a balance carried into it ("carry:<month before>"); those who
 * carry a balance on are "carry:<month>" */
int statement_close(batch_t *b, const Ledger__Event *e)
{
    const char *month = e->month->month;
    char key[32], prev[8];
    if (sales_rebates(b, month, e->time_ms) < 0 ||   /* on this month's statements, settled below */
        centre_pools(b, month, e->time_ms) < 0)
        return -1;
    batch_prev_month(prev, month);
    snprintf(key, sizeof key, "m:%s", month);
    rec_t *idx = recset_get(&b->set, key, &ledger__month_index__descriptor);
    snprintf(key, sizeof key, "carry:%s", prev);
    rec_t *cin = idx ? recset_get(&b->set, key, &ledger__month_index__descriptor) : NULL;
    snprintf(key, sizeof key, "carry:%s", month);
    rec_t *cout = cin ? recset_get(&b->set, key, &ledger__month_index__descriptor) : NULL;
    if (!cout)
        return -1;
    /* Copies: closing a person may grow recs. */
    Ledger__MonthIndex *people = (Ledger__MonthIndex *)recset_copy(idx->msg);
    Ledger__MonthIndex *carried = (Ledger__MonthIndex *)recset_copy(cin->msg);
    Ledger__PartyRef **on = xcalloc(people->n_people + carried->n_people + 1, sizeof *on);
    size_t n_on = 0;
    int rc = 0;
    for (size_t i = 0; i < people->n_people + carried->n_people && rc == 0; i++) {
        Ledger__PartyRef *p = i < people->n_people ? people->people[i]
                                                   : carried->people[i - people->n_people];
        int listed = 0;   /* a carrier with lines this month is closed once */
        for (size_t j = 0; i >= people->n_people && j < people->n_people; j++)
            listed |= people->people[j]->kind == p->kind && !strcmp(people->people[j]->code, p->code);
        int64_t net = 0;
        if (!listed && (rc = s_close_person(b, p, month, prev, e->time_ms, &net)) == 0 && net < 0)
            on[n_on++] = p;
    }
    if (rc == 0) {
        Ledger__MonthIndex carry = LEDGER__MONTH_INDEX__INIT;
        carry.people = on;
        carry.n_people = n_on;
        recset_replace(cout, recset_copy(&carry.base));
        Ledger__Calendar shell = *b->cal;
        shell.last_closed = (char *)month;
        recset_replace(b->set.recs[1], recset_copy(&shell.base));
        b->cal = (Ledger__Calendar *)b->set.recs[1]->msg;
    }
    free(on);
    ledger__month_index__free_unpacked(people, NULL);
    ledger__month_index__free_unpacked(carried, NULL);
    return rc;
}

/* statement_payout - a payout entry naming a statement: it is paid, and so are
 * its lines (the entry's positive postings are what went out) */
int statement_payout(batch_t *b, const Ledger__Event *e)
{
    const Ledger__FinanceEntry *fe = e->entry;
    if (fe->category != LEDGER__ENTRY_CATEGORY__CATEGORY_PAYOUT || !*fe->statement)
        return 0;
    char key[200];
    snprintf(key, sizeof key, "s:%s", fe->statement);
    rec_t *r = recset_get(&b->set, key, &ledger__statement__descriptor);
    if (!r)
        return -1;
    const Ledger__Statement *st = (const Ledger__Statement *)r->msg;
    for (size_t i = 0; i < st->n_payouts; i++)
        if (!strcmp(st->payouts[i], fe->code))
            return 0;   /* seen (an amend of the entry adds approvals only) */
    if (!st->person) {
        log_warn("commission: payout %s names statement %s, which has no lines", fe->code,
                 fe->statement);
        return 0;
    }
    int64_t out = 0;
    for (size_t i = 0; i < fe->n_postings; i++)
        if (fe->postings[i]->amount > 0)
            out += fe->postings[i]->amount;
    Ledger__Statement shell = *st;
    shell.paid = st->paid + out;
    char **payouts = xcalloc(st->n_payouts + 1, sizeof *payouts);
    for (size_t i = 0; i < st->n_payouts; i++)
        payouts[i] = st->payouts[i];
    payouts[st->n_payouts] = fe->code;
    shell.payouts = payouts;
    shell.n_payouts = st->n_payouts + 1;
    Ledger__CommissionLine **lines = xcalloc(st->n_lines ? st->n_lines : 1, sizeof *lines);
    Ledger__CommissionLine *copies = xcalloc(st->n_lines ? st->n_lines : 1, sizeof *copies);
    for (size_t i = 0; i < st->n_lines; i++) {
        copies[i] = *st->lines[i];
        if (st->closed)
            copies[i].state = LEDGER__LINE_STATE__LINE_PAID;
        lines[i] = &copies[i];
    }
    shell.lines = lines;
    if (st->closed)
        worker_result(b->out, KIND_CLOSED, fe->statement, st->person->id, 0, &shell.base);
    worker_result(b->out, KIND_DRAFT, fe->statement, st->person->id, 0, &shell.base);
    recset_replace(r, recset_copy(&shell.base));
    free(payouts);
    free(lines);
    free(copies);
    return 0;
}

/* statement_fine - a fine or reward from compliance, on the person's statement
 * of its month, or of the first open month when that one is closed. A
 * new version replaces the open line; what a closed statement already
 * holds is corrected by a further line, never rewritten. */
int statement_fine(batch_t *b, const Ledger__Event *e)
{
    const Ledger__Result *res = e->result;
    err_t perr;
    Ledger__FineLine *fl = (Ledger__FineLine *)codec_unpack(
        &ledger__fine_line__descriptor,
        res->payload.data ? res->payload.data : (const uint8_t *)"", res->payload.len, &perr);
    if (!fl || !fl->person || !*fl->person->code || !policy_month_valid(fl->month)) {
        log_warn("commission: fine %s (seq %" PRIu64 ") does not read: %s; ignored", res->key,
                 e->seq, fl ? "no person or month" : perr.msg);
        if (fl)
            ledger__fine_line__free_unpacked(fl, NULL);
        return 0;
    }
    char key[200], open[8] = "0000-00", month[8];
    if (*b->cal->last_closed)
        batch_next_month(open, b->cal->last_closed);
    snprintf(month, sizeof month, "%s", strcmp(fl->month, open) >= 0 ? fl->month : open);
    snprintf(key, sizeof key, "f:%s", res->key);
    rec_t *r = recset_get(&b->set, key, &ledger__fine_state__descriptor);
    if (!r) {
        ledger__fine_line__free_unpacked(fl, NULL);
        return -1;
    }
    Ledger__FineState fs = *(const Ledger__FineState *)r->msg;
    /* A withdrawn fine (amount 0) is still a fine's line, paid back. */
    int is_fine = fl->amount < 0 || fs.settled + fs.open_amount < 0;
    char id[240], old_id[240];
    snprintf(old_id, sizeof old_id, "%s", fs.line_id);
    Ledger__CommissionLine old = LEDGER__COMMISSION_LINE__INIT;
    old.id = old_id;
    old.earner = fl->person;
    int rc = 0;
    if (*fs.line_id && strcmp(fs.month, open) < 0) {   /* its statement has closed since */
        fs.settled += fs.open_amount;
        fs.line_id = "";
        fs.open_amount = 0;
    }
    if (*fs.line_id)   /* replaced below, possibly in another month */
        rc = statement_set(b, &old, fs.month, 1);
    int64_t want = fl->amount - fs.settled;
    if (rc == 0 && want != 0) {
        if (*fs.line_id)   /* the same open line, with the new amount */
            snprintf(id, sizeof id, "%s", old_id);
        else if (fs.settled || fs.adjustments)   /* a correction of what is settled */
            snprintf(id, sizeof id, "fine/%s/adj%u", res->key, ++fs.adjustments);
        else
            snprintf(id, sizeof id, "fine/%s", res->key);
        char rule[120];
        snprintf(rule, sizeof rule, "%s.%s", is_fine ? "fine" : "reward", fl->rule);
        Ledger__CommissionLine l = LEDGER__COMMISSION_LINE__INIT;
        l.id = id;
        l.earner = fl->person;
        l.rule = rule;
        l.amount = want;
        l.state = LEDGER__LINE_STATE__LINE_PAYABLE;
        l.policy_month = fl->month;
        l.month = month;
        l.payable_ms = e->time_ms;
        l.reason = fl->reason;
        l.order_code = fl->finding;   /* what it is for, where an order would stand */
        worker_result(b->out, KIND_LINE, id, fl->person->id, 0, &l.base);
        rc = statement_set(b, &l, month, 0);
        fs.line_id = id;
        fs.month = month;
        fs.open_amount = want;
    } else if (rc == 0) {
        fs.line_id = "";
        fs.month = "";
        fs.open_amount = 0;
    }
    if (rc == 0)
        recset_replace(r, recset_copy(&fs.base));
    ledger__fine_line__free_unpacked(fl, NULL);
    return rc;
}
