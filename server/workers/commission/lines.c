/* lines - the commission lines of one order (DOMAIN.md 3.1-3.3): role lines
 * for the attributed roles, the handler and the arrangers (split), the outside
 * referrer's one line, the seller programme's sale and invite lines; when a
 * line becomes payable and its base is fixed; clawbacks of later refunds;
 * adjustments of settled lines the facts no longer agree with; void lines.
 * Pure: the order's facts, its month's policy and the ledger time in, lines
 * out, local months in the process zone. Reading events, settling months and
 * writing results are main.c's. Everything allocated here hangs off the
 * lines_t (one list of blocks); strings and PartyRefs may point into the
 * order and the policy. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "arena.h"
#include "date.h"
#include "lines.h"
#include "log.h"
#include "money.h"
#include "xmalloc.h"

#define HOUR_MS (3600LL * 1000)
#define NONE_IX ((size_t)-1)

#define PENDING LEDGER__LINE_STATE__LINE_PENDING
#define PAYABLE LEDGER__LINE_STATE__LINE_PAYABLE
#define SETTLED LEDGER__LINE_STATE__LINE_SETTLED
#define PAID LEDGER__LINE_STATE__LINE_PAID
#define VOID LEDGER__LINE_STATE__LINE_VOID

/* What a base line pays for; the order is the order new lines are made in. */
typedef enum {
    K_CHANNEL, K_SERVICE, K_ASSIST, K_REFERRER, K_HANDLER, K_ARRANGER, K_SALE, K_INVITE,
    K_COUNT
} kind_t;

static const char *const s_rule[K_COUNT] = {
    "role.channel", "role.service", "role.assist", "role.referrer", "role.handler",
    "role.arranger", "seller.sale", "seller.invite"
};

static const char *const s_role_name[K_COUNT] = {
    "channel", "service", "assist", "outside referrer", "handler", "arranger", "seller",
    "seller's inviter"
};

/* A line the facts say the order owes now (before its state is decided). */
typedef struct {
    kind_t kind;
    const Ledger__PartyRef *earner;        /* into the order */
    const char *id;                        /* "<order>/<rule>/<earner>" */
    int64_t rate;                          /* bp, > 0 */
    size_t part, parts;                    /* arrangers: place in id order, count; else 0, 1 */
} target_t;

/* What kind of line an output line is. */
typedef enum { M_BASE, M_CLAWBACK, M_ADJUSTMENT, M_OTHER } mkind_t;

/* Bookkeeping for one output line while the lines are made. */
typedef struct {
    mkind_t kind;
    kind_t base;                           /* M_BASE, M_CLAWBACK: what the family pays for */
    size_t family;                         /* M_CLAWBACK: its base line; M_ADJUSTMENT: the
                                              line it adjusts; NONE_IX when unknown */
    const target_t *target;                /* M_BASE: the live target; NULL: not owed */
    int has_should;                        /* settled lines: should_* are set */
    int64_t should_amount;                 /* what a settled line should be now */
    int64_t should_rate;
    const char *should_why;                /* why, for an adjustment */
} meta_t;

struct lines {
    Ledger__CommissionLine *lines;         /* n, in order */
    meta_t *meta;                          /* n, during lines_update */
    size_t n, cap;
    int64_t next_deadline;                 /* 0: none */
    arena_t arena;                         /* everything else allocated here */
};

/* The facts of the order at now, as every rule reads them. */
typedef struct {
    lines_t *l;
    const Ledger__OrderCommission *o;
    const Ledger__PolicyVersion *pv;
    const Ledger__Policy *p;
    int64_t now;
    const char *code;                      /* order code, never NULL */
    char *placed_month;                    /* the policy's month, "YYYY-MM", owned by l */
    char *month;                           /* later of now's month and open_month, owned by l */
    int gross;                             /* role base is gross profit */
    int completed;                         /* completed and not cancelled */
    int64_t deadline;                      /* completion + refund window */
    int payable_now;                       /* a line may become payable now */
    int64_t base_amount;                   /* amount net of processed refunds, >= 0 */
    int64_t base_gross;                    /* ... minus cost, >= 0 */
    target_t *targets;
    size_t n_targets;
    const Ledger__PartyRef *holder[K_COUNT];  /* who holds each role now (any rate) */
} ctx_t;

static const Ledger__Policy s_no_policy = LEDGER__POLICY__INIT;
static const Ledger__RoleRates s_no_rates = LEDGER__ROLE_RATES__INIT;
static char s_empty[] = "";

/* ---- small helpers ---------------------------------------------------- */

/* s_alloc, s_printf - memory and text owned by l */
#define s_alloc(l, size) arena_alloc(&(l)->arena, (size))
#define s_printf(l, ...) arena_printf(&(l)->arena, __VA_ARGS__)

/* s_text - a string field as a C string ("" for NULL) */
static const char *s_text(const char *s)
{
    return s ? s : "";
}

/* s_named - a PartyRef names somebody (present with a non-empty code) */
static int s_named(const Ledger__PartyRef *p)
{
    return p && p->code && p->code[0];
}

/* s_ends_with - s ends with suffix */
static int s_ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* s_clamp - a 128-bit amount into [lo, INT64_MAX] */
static int64_t s_clamp(__int128 v, int64_t lo)
{
    if (v < lo)
        return lo;
    return v > INT64_MAX ? INT64_MAX : (int64_t)v;
}

/* s_month_of - the local month of a time, "YYYY-MM" */
static void s_month_of(char out[8], int64_t ms)
{
    date_t d = date_of(ms);
    snprintf(out, 8, "%04d-%02d", d.y, d.m);
}

/* s_yuan - fen as "1,234.56" (thousands grouped), into out of >= 40 bytes */
static const char *s_yuan(char out[40], int64_t fen)
{
    return money_format_grouped(out, 40, fen);
}

/* s_time - a ledger time as "2026-03-05 18:00" local (seconds when not 0) */
static const char *s_time(char out[24], int64_t ms)
{
    date_format_time(out, 24, ms);
    if (strlen(out) == 19 && strcmp(out + 16, ":00") == 0)
        out[16] = 0;
    return out;
}

/* s_share - part (0-based, in id order) of total split equally among parts,
 * leftover fen one each to the first; the parts sum exactly to total */
static int64_t s_share(int64_t total, size_t part, size_t parts)
{
    if (parts <= 1)
        return total;
    uint64_t mag = total < 0 ? -(uint64_t)total : (uint64_t)total;
    uint64_t share = mag / parts + (part < mag % parts ? 1 : 0);
    return total < 0 ? -(int64_t)share : (int64_t)share;
}

/* s_processed - the refund's money went back at or before now */
static int s_processed(const Ledger__CommissionRefund *r, int64_t now)
{
    return r->processed_ms != 0 && r->processed_ms <= now;
}

/* s_refund_amount - a refund's amount, never negative */
static int64_t s_refund_amount(const Ledger__CommissionRefund *r)
{
    return r->amount > 0 ? r->amount : 0;
}

/* ---- the facts -------------------------------------------------------- */

/* s_kind_rate - the policy's rate for kind (bp) */
static int64_t s_kind_rate(const ctx_t *c, kind_t kind)
{
    const Ledger__RoleRates *r = c->p->role_rates ? c->p->role_rates : &s_no_rates;
    switch (kind) {
    case K_CHANNEL:  return r->channel;
    case K_SERVICE:  return r->service;
    case K_ASSIST:   return r->assist;
    case K_REFERRER: return c->p->outside_referrer_rate;
    case K_HANDLER:  return r->handler;
    case K_ARRANGER: return r->arranger;
    case K_SALE:     return c->p->seller_rate;
    case K_INVITE:   return c->p->inviter_rate;
    default:         return 0;
    }
}

/* s_amount_based - kind's base is the amount net of refunds (else gross profit) */
static int s_amount_based(const ctx_t *c, kind_t kind)
{
    return kind == K_SALE || kind == K_INVITE || !c->gross;
}

/* s_base_now - kind's base on the facts at now */
static int64_t s_base_now(const ctx_t *c, kind_t kind)
{
    return s_amount_based(c, kind) ? c->base_amount : c->base_gross;
}

/* s_known - the party of a role that earns: KNOWN and named */
static const Ledger__PartyRef *s_known(const Ledger__Role *r)
{
    if (!r || r->state != LEDGER__ROLE_STATE__ROLE_KNOWN || !s_named(r->party))
        return NULL;
    return r->party;
}

/* s_target_add - one target of kind for earner (rate > 0 only) */
static void s_target_add(ctx_t *c, kind_t kind, const Ledger__PartyRef *earner, size_t part,
                         size_t parts)
{
    int64_t rate = s_kind_rate(c, kind);
    if (rate <= 0)
        return;   /* a rate of 0 makes no line */
    target_t *t = &c->targets[c->n_targets++];
    t->kind = kind;
    t->earner = earner;
    t->id = s_printf(c->l, "%s/%s/%s", c->code, s_rule[kind], earner->code);
    t->rate = rate;
    t->part = part;
    t->parts = parts;
}

/* s_party_cmp - PartyRefs by id, then code (qsort) */
static int s_party_cmp(const void *pa, const void *pb)
{
    const Ledger__PartyRef *a = *(const Ledger__PartyRef *const *)pa;
    const Ledger__PartyRef *b = *(const Ledger__PartyRef *const *)pb;
    if (a->id != b->id)
        return a->id < b->id ? -1 : 1;
    return strcmp(a->code, b->code);
}

/* s_targets - every line the facts say the order owes, in the order new
 * lines are made: channel, service, assist, referrer, handler, arrangers by
 * id, sale, invite. A cancelled order owes none. */
static void s_targets(ctx_t *c)
{
    const Ledger__OrderCommission *o = c->o;
    size_t cap = K_COUNT + o->n_arrangers;
    c->targets = s_alloc(c->l, cap * sizeof *c->targets);
    if (o->cancelled)
        return;

    const Ledger__Attribution *a = o->attribution;
    if (a) {
        const Ledger__PartyRef *service = s_known(a->service);
        if (service && !strcmp(s_text(a->service->rule), "referrer")) {
            /* The outside referrer holds channel and service: one line. */
            c->holder[K_REFERRER] = service;
        } else {
            c->holder[K_CHANNEL] = s_known(a->channel);
            c->holder[K_SERVICE] = service;
        }
        c->holder[K_ASSIST] = s_known(a->assist);
    }
    if (s_named(o->handler))
        c->holder[K_HANDLER] = o->handler;
    if (o->seller && s_named(o->seller->seller)) {
        c->holder[K_SALE] = o->seller->seller;
        if (s_named(o->seller->inviter))
            c->holder[K_INVITE] = o->seller->inviter;
    }

    /* Arrangers by id, each named once. */
    const Ledger__PartyRef **arr = s_alloc(c->l, (o->n_arrangers + 1) * sizeof *arr);
    size_t n = 0;
    for (size_t i = 0; i < o->n_arrangers; i++)
        if (s_named(o->arrangers[i]))
            arr[n++] = o->arrangers[i];
    qsort(arr, n, sizeof *arr, s_party_cmp);
    size_t parts = 0;
    for (size_t i = 0; i < n; i++)
        if (i == 0 || strcmp(arr[i]->code, arr[parts - 1]->code))
            arr[parts++] = arr[i];
    if (parts)
        c->holder[K_ARRANGER] = arr[0];

    for (kind_t k = 0; k < K_COUNT; k++) {
        if (k == K_ARRANGER) {
            for (size_t i = 0; i < parts; i++)
                s_target_add(c, k, arr[i], i, parts);
        } else if (c->holder[k]) {
            s_target_add(c, k, c->holder[k], 0, 1);
        }
    }
}

/* s_facts - the order's bases, completion, deadline and whether lines may
 * become payable now */
static void s_facts(ctx_t *c, const char *open_month)
{
    const Ledger__OrderCommission *o = c->o;
    c->placed_month = s_alloc(c->l, 8);
    c->month = s_alloc(c->l, 8);
    s_month_of(c->placed_month, o->placed_ms);
    s_month_of(c->month, c->now);
    if (open_month && strcmp(open_month, c->month) > 0)
        snprintf(c->month, 8, "%.7s", open_month);
    c->gross = c->p->role_base != LEDGER__COMMISSION_BASE__BASE_AMOUNT;

    __int128 refunded = 0;
    for (size_t i = 0; i < o->n_refunds; i++)
        if (s_processed(o->refunds[i], c->now))
            refunded += s_refund_amount(o->refunds[i]);
    c->base_amount = s_clamp((__int128)o->amount - refunded, 0);
    c->base_gross = s_clamp((__int128)o->amount - refunded - o->cost, 0);

    c->completed = o->completed_ms != 0 && !o->cancelled;
    int64_t hours = c->p->refund_window_hours > 0 ? c->p->refund_window_hours : 0;
    c->deadline = s_clamp((__int128)o->completed_ms + (__int128)hours * HOUR_MS, INT64_MIN);
    if (c->completed) {
        c->payable_now = c->now >= c->deadline;
        for (size_t i = 0; i < o->n_refunds && !c->payable_now; i++)
            c->payable_now = s_processed(o->refunds[i], c->now) &&
                             o->refunds[i]->processed_ms >= o->completed_ms;
    }
}

/* ---- sentences -------------------------------------------------------- */

/* s_what - what a base line pays: its rate of its base, and for whom */
static const char *s_what(const ctx_t *c, const target_t *t, int64_t basis, int64_t amount)
{
    char rate[32], base[40], role_total[40], share[40];
    const char *earner = t->earner->code;
    money_format_bp(rate, sizeof rate, t->rate);
    s_yuan(base, basis);
    if (t->kind == K_SALE)
        return s_printf(c->l, "%s of %s sold through %s's link on %s", rate, base, earner,
                        c->code);
    if (t->kind == K_INVITE)
        return s_printf(c->l, "%s of %s sold on %s through the link of %s, whom %s invited",
                        rate, base, c->code, c->holder[K_SALE]->code, earner);
    const char *of = s_amount_based(c, t->kind) ? "the amount net of refunds" : "gross profit";
    if (t->kind == K_ARRANGER && t->parts > 1)
        return s_printf(c->l, "%s, %s's share of %s of %s %s (%s) on %s split among its %zu "
                        "arrangers", s_yuan(share, amount), earner, rate, of, base,
                        s_yuan(role_total, money_apply_bp(basis, t->rate)), c->code, t->parts);
    if (t->kind == K_REFERRER)
        return s_printf(c->l, "%s of %s %s on %s to %s, its outside referrer holding channel "
                        "and service", rate, of, base, c->code, earner);
    return s_printf(c->l, "%s of %s %s on %s to %s as its %s", rate, of, base, c->code, earner,
                    s_role_name[t->kind]);
}

/* s_why_pending - why a line is not payable yet */
static const char *s_why_pending(const ctx_t *c)
{
    char when[24], until[24];
    if (!c->completed)
        return s_printf(c->l, "pending: %s is not completed", c->code);
    return s_printf(c->l, "pending: the refund window of %lld h after completion %s ends %s",
                    (long long)(c->p->refund_window_hours > 0 ? c->p->refund_window_hours : 0),
                    s_time(when, c->o->completed_ms), s_time(until, c->deadline));
}

/* s_why_payable - why a line that became payable at payable_ms did */
static const char *s_why_payable(const ctx_t *c, int64_t payable_ms)
{
    char when[24];
    const Ledger__OrderCommission *o = c->o;
    s_time(when, o->completed_ms);
    if (payable_ms >= c->deadline)
        return s_printf(c->l, "payable: the refund window of %lld h after completion %s passed",
                        (long long)(c->p->refund_window_hours > 0 ? c->p->refund_window_hours
                                                                  : 0), when);
    const Ledger__CommissionRefund *first = NULL;
    for (size_t i = 0; i < o->n_refunds; i++) {
        const Ledger__CommissionRefund *r = o->refunds[i];
        if (s_processed(r, payable_ms) && r->processed_ms >= o->completed_ms &&
            (!first || r->processed_ms < first->processed_ms))
            first = r;
    }
    if (first)
        return s_printf(c->l, "payable: refund %s was processed after completion %s",
                        s_text(first->code), when);
    return s_printf(c->l, "payable since %s", s_time(when, payable_ms));
}

/* s_why_not_owed - why a line of kind for earner is no longer owed */
static const char *s_why_not_owed(const ctx_t *c, kind_t kind, const Ledger__PartyRef *earner)
{
    const char *who = earner ? s_text(earner->code) : "?";
    if (c->o->cancelled)
        return s_printf(c->l, "%s was cancelled", c->code);
    const Ledger__PartyRef *h = c->holder[kind];
    int holds = h && earner && !strcmp(h->code, who);
    for (size_t i = 0; kind == K_ARRANGER && i < c->o->n_arrangers; i++)
        holds |= s_named(c->o->arrangers[i]) && !strcmp(c->o->arrangers[i]->code, who);
    if (holds && s_kind_rate(c, kind) <= 0)
        return s_printf(c->l, "the policy of %s (version %u) pays nothing to the %s",
                        c->placed_month, c->pv->version, s_role_name[kind]);
    if (kind == K_REFERRER)
        return s_printf(c->l, "%s is no longer the outside referrer of %s", who, c->code);
    return s_printf(c->l, "%s is no longer the %s of %s", who, s_role_name[kind], c->code);
}

/* ---- output lines ----------------------------------------------------- */

/* s_push - a new output line (a copy of from, or blank), its index */
static size_t s_push(lines_t *l, const Ledger__CommissionLine *from, mkind_t kind)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 16;
        l->lines = xrealloc(l->lines, l->cap * sizeof *l->lines);
        l->meta = xrealloc(l->meta, l->cap * sizeof *l->meta);
    }
    size_t i = l->n++;
    if (from)
        l->lines[i] = *from;
    else
        ledger__commission_line__init(&l->lines[i]);
    memset(&l->meta[i], 0, sizeof l->meta[i]);
    l->meta[i].kind = kind;
    l->meta[i].family = NONE_IX;
    return i;
}

/* s_find - the output line with id, or NONE_IX */
static size_t s_find(const lines_t *l, const char *id)
{
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(s_text(l->lines[i].id), id))
            return i;
    return NONE_IX;
}

/* s_kind_of - the kind a base rule pays for, or K_COUNT */
static kind_t s_kind_of(const char *rule, const char *suffix)
{
    size_t k = strlen(suffix), n = strlen(rule) - k;
    for (kind_t i = 0; i < K_COUNT; i++)
        if (strlen(s_rule[i]) == n && !strncmp(rule, s_rule[i], n))
            return i;
    return K_COUNT;
}

/* s_settled - the line is on a closed statement (or paid): never changes */
static int s_settled(const Ledger__CommissionLine *x)
{
    return x->state == SETTLED || x->state == PAID;
}

/* s_fill - the fields every line made here shares */
static void s_fill(const ctx_t *c, Ledger__CommissionLine *x, const char *id,
                   const Ledger__PartyRef *earner, const char *rule)
{
    x->id = (char *)id;
    x->order_id = c->o->order_id;
    x->order_code = (char *)c->code;
    x->earner = (Ledger__PartyRef *)earner;
    x->rule = (char *)rule;
    x->policy_month = c->placed_month;
    x->policy_version = c->pv->version;
    x->refund_code = s_empty;
    x->adjusts = s_empty;
}

/* s_void - an unsettled line no longer owed: amount 0, on no statement */
static void s_void(const ctx_t *c, Ledger__CommissionLine *x, const char *why)
{
    if (x->state == VOID)
        return;   /* void already: said so when it happened */
    x->state = VOID;
    x->amount = 0;
    x->month = s_empty;
    x->payable_ms = 0;
    x->reason = s_printf(c->l, "void: %s", why);
}

/* s_classify - carry o->lines forward and say what each is */
static void s_classify(ctx_t *c)
{
    lines_t *l = c->l;
    for (size_t i = 0; i < c->o->n_lines; i++) {
        const Ledger__CommissionLine *x = c->o->lines[i];
        const char *rule = s_text(x->rule);
        mkind_t kind = M_OTHER;
        if (s_ends_with(rule, ".clawback"))
            kind = M_CLAWBACK;
        else if (s_ends_with(rule, ".adjustment"))
            kind = M_ADJUSTMENT;
        else if (s_kind_of(rule, "") != K_COUNT)
            kind = M_BASE;
        size_t at = s_push(l, x, kind);
        l->meta[at].base = s_kind_of(rule, kind == M_CLAWBACK ? ".clawback"
                                         : kind == M_ADJUSTMENT ? ".adjustment" : "");
        if (kind != M_BASE && l->meta[at].base == K_COUNT)
            l->meta[at].kind = M_OTHER;   /* a rule this code does not know: carried as is */
    }
    /* Families: a clawback's base line is its id less "/<refund code>"; an
     * adjustment's line is the one it adjusts. */
    for (size_t i = 0; i < l->n; i++) {
        meta_t *m = &l->meta[i];
        const Ledger__CommissionLine *x = &l->lines[i];
        if (m->kind == M_CLAWBACK) {
            const char *id = s_text(x->id);
            size_t k = strlen(s_text(x->refund_code)) + 1, n = strlen(id);
            char *base = s_printf(l, "%.*s", (int)(n > k ? n - k : 0), id);
            m->family = s_find(l, base);
            if (m->family == NONE_IX || l->meta[m->family].kind != M_BASE)
                m->kind = M_OTHER;
        } else if (m->kind == M_ADJUSTMENT) {
            m->family = s_find(l, s_text(x->adjusts));
            if (m->family == NONE_IX || l->meta[m->family].kind == M_ADJUSTMENT ||
                l->meta[m->family].kind == M_OTHER)
                m->kind = M_OTHER;
        }
    }
}

/* s_base_lines - every base line brought up to date, new earners added */
static void s_base_lines(ctx_t *c)
{
    lines_t *l = c->l;
    for (size_t t = 0; t < c->n_targets; t++) {
        size_t i = s_find(l, c->targets[t].id);
        if (i == NONE_IX || l->meta[i].kind != M_BASE)
            i = s_push(l, NULL, M_BASE);
        l->meta[i].target = &c->targets[t];
        l->meta[i].base = c->targets[t].kind;
    }
    for (size_t i = 0; i < l->n; i++) {
        meta_t *m = &l->meta[i];
        Ledger__CommissionLine *x = &l->lines[i];
        const target_t *t = m->target;
        if (m->kind != M_BASE)
            continue;
        if (s_settled(x)) {
            /* Never changed: what it should be now decides an adjustment. */
            m->has_should = 1;
            m->should_rate = t ? t->rate : 0;
            m->should_amount = t ? s_share(money_apply_bp(x->basis, t->rate), t->part,
                                           t->parts) : 0;
            m->should_why = t ? s_what(c, t, x->basis, m->should_amount)
                              : s_why_not_owed(c, m->base, x->earner);
            continue;
        }
        if (!t) {
            s_void(c, x, s_why_not_owed(c, m->base, x->earner));
            continue;
        }
        s_fill(c, x, t->id, t->earner, s_rule[t->kind]);
        x->rate = t->rate;
        if (x->state == PAYABLE) {
            /* Base, month and payable time were fixed when it became payable. */
            x->amount = s_share(money_apply_bp(x->basis, t->rate), t->part, t->parts);
            x->reason = s_printf(l, "%s; %s", s_what(c, t, x->basis, x->amount),
                                 s_why_payable(c, x->payable_ms));
            continue;
        }
        /* Pending, new, or void and owed again: on the base as it is now. */
        x->basis = s_base_now(c, t->kind);
        x->amount = s_share(money_apply_bp(x->basis, t->rate), t->part, t->parts);
        if (c->payable_now) {
            x->state = PAYABLE;
            x->payable_ms = c->now;
            x->month = c->month;
            x->reason = s_printf(l, "%s; %s", s_what(c, t, x->basis, x->amount),
                                 s_why_payable(c, c->now));
        } else {
            x->state = PENDING;
            x->payable_ms = 0;
            x->month = s_empty;
            x->reason = s_printf(l, "%s; %s", s_what(c, t, x->basis, x->amount),
                                 s_why_pending(c));
        }
    }
}

/* A clawback the facts call for: of refund r on the base line at family. */
typedef struct {
    size_t family;
    size_t refund;                         /* index in o->refunds */
    size_t line;                           /* its output line, NONE_IX until made */
    int64_t basis, amount;                 /* the line's: -(refund or drop), its share */
    int64_t old_base, new_base;            /* the base before and after the refund */
    int64_t role_total;                    /* what the whole role gives back, > 0 */
} claw_t;

/* s_claw_refund - the index in o->refunds of the refund with code, or NONE_IX */
static size_t s_claw_refund(const ctx_t *c, const char *code)
{
    for (size_t i = 0; i < c->o->n_refunds; i++)
        if (!strcmp(s_text(c->o->refunds[i]->code), code))
            return i;
    return NONE_IX;
}

/* s_claw_reason - the sentence of a clawback */
static char *s_claw_reason(const ctx_t *c, const target_t *t, const claw_t *w,
                           const Ledger__CommissionLine *x)
{
    const Ledger__CommissionRefund *r = c->o->refunds[w->refund];
    char rate[32], amt[40], old_b[40], new_b[40], drop[40], total[40];
    const char *split = "";
    if (t->parts > 1)
        split = s_printf(c->l, ", %s's share of %s split among %zu arrangers", t->earner->code,
                         s_yuan(total, -w->role_total), t->parts);
    money_format_bp(rate, sizeof rate, t->rate);
    s_yuan(amt, s_refund_amount(r));
    if (s_amount_based(c, t->kind))
        return s_printf(c->l, "clawback of %s of refund %s (%s) on %s, processed after %s "
                        "became payable%s", rate, s_text(r->code), amt, c->code,
                        s_text(x->id), split);
    return s_printf(c->l, "clawback of %s of the %s drop in gross profit (%s to %s) on %s "
                    "from refund %s (%s), processed after %s became payable%s", rate,
                    s_yuan(drop, w->old_base - w->new_base), s_yuan(old_b, w->old_base),
                    s_yuan(new_b, w->new_base), c->code, s_text(r->code), amt, s_text(x->id),
                    split);
}

/* s_clawbacks_of - the clawbacks the fixed base line at family calls for, in
 * the order the base drops: existing clawbacks first, then refunds in order */
static size_t s_clawbacks_of(ctx_t *c, size_t family, claw_t *out)
{
    lines_t *l = c->l;
    const Ledger__CommissionLine *x = &l->lines[family];
    const target_t *t = l->meta[family].target;
    const Ledger__OrderCommission *o = c->o;
    if (!t || (x->state != PAYABLE && !s_settled(x)))
        return 0;
    size_t n = 0;
    /* A refund processed after the line became payable is not in its base. */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t k = 0; k < (pass ? o->n_refunds : l->n); k++) {
            size_t ri = k, line = NONE_IX;
            if (!pass) {
                if (l->meta[k].kind != M_CLAWBACK || l->meta[k].family != family)
                    continue;
                ri = s_claw_refund(c, s_text(l->lines[k].refund_code));
                line = k;
                if (ri == NONE_IX)
                    continue;
            }
            const Ledger__CommissionRefund *r = o->refunds[ri];
            if (!s_processed(r, c->now) || r->processed_ms <= x->payable_ms)
                continue;
            int seen = 0;
            for (size_t j = 0; j < n; j++)
                seen |= out[j].refund == ri;
            if (seen)
                continue;
            out[n].family = family;
            out[n].refund = ri;
            out[n].line = line;
            n++;
        }
    }
    /* The base drops refund by refund, never below 0 on gross profit. */
    int64_t base = x->basis;
    for (size_t j = 0; j < n; j++) {
        claw_t *w = &out[j];
        int64_t refund = s_refund_amount(o->refunds[w->refund]);
        w->old_base = base;
        if (s_amount_based(c, t->kind)) {
            w->new_base = s_clamp((__int128)base - refund, INT64_MIN);
            w->basis = -refund;
            w->role_total = money_apply_bp(refund, t->rate);
        } else {
            w->new_base = s_clamp((__int128)base - refund, 0);
            w->basis = -(w->old_base - w->new_base);
            w->role_total = money_apply_bp(w->old_base, t->rate) -
                            money_apply_bp(w->new_base, t->rate);
        }
        w->amount = -s_share(w->role_total, t->part, t->parts);
        base = w->new_base;
    }
    return n;
}

/* s_claw_cmp - new clawbacks by refund order, then by their base line */
static int s_claw_cmp(const void *pa, const void *pb)
{
    const claw_t *a = pa, *b = pb;
    if (a->refund != b->refund)
        return a->refund < b->refund ? -1 : 1;
    return a->family < b->family ? -1 : a->family > b->family;
}

/* s_claw_line - make or update the clawback line for w */
static void s_claw_line(ctx_t *c, const claw_t *w, size_t at)
{
    lines_t *l = c->l;
    const target_t *t = l->meta[w->family].target;
    const Ledger__CommissionRefund *r = c->o->refunds[w->refund];
    Ledger__CommissionLine *x = &l->lines[at];
    meta_t *m = &l->meta[at];
    if (s_settled(x)) {
        m->has_should = 1;
        m->should_amount = w->amount;
        m->should_rate = t->rate;
        m->should_why = s_claw_reason(c, t, w, &l->lines[w->family]);
        return;
    }
    const char *id = x->id && *x->id ? x->id
                   : s_printf(l, "%s/%s", l->lines[w->family].id, s_text(r->code));
    s_fill(c, x, id, t->earner, s_printf(l, "%s.clawback", s_rule[t->kind]));
    x->refund_code = (char *)s_text(r->code);
    x->basis = w->basis;
    x->rate = t->rate;
    x->amount = w->amount;
    if (x->state != PAYABLE) {
        /* It happens now: on the statement of now (or the open month). */
        x->state = PAYABLE;
        x->payable_ms = c->now;
        x->month = c->month;
    }
    x->reason = s_claw_reason(c, t, w, &l->lines[w->family]);
}

/* s_clawbacks - clawback lines brought up to date, new ones made, those no
 * longer called for voided (or, settled, marked to be adjusted to 0) */
static void s_clawbacks(ctx_t *c)
{
    lines_t *l = c->l;
    size_t cap = 0;
    for (size_t i = 0; i < l->n; i++)
        cap += l->meta[i].kind == M_BASE;
    cap *= c->o->n_refunds;
    claw_t *all = s_alloc(l, (cap ? cap : 1) * sizeof *all);
    size_t n = 0, bases = l->n;
    for (size_t i = 0; i < bases; i++)
        if (l->meta[i].kind == M_BASE)
            n += s_clawbacks_of(c, i, all + n);

    /* Existing clawback lines: called for, or not owed any more. */
    for (size_t i = 0; i < bases; i++) {
        meta_t *m = &l->meta[i];
        if (m->kind != M_CLAWBACK)
            continue;
        size_t j = 0;
        while (j < n && all[j].line != i)
            j++;
        if (j < n) {
            s_claw_line(c, &all[j], i);
            continue;
        }
        const Ledger__CommissionLine *base = &l->lines[m->family];
        const char *why = l->meta[m->family].target
                        ? s_printf(l, "refund %s is in the base of %s",
                                   s_text(l->lines[i].refund_code), s_text(base->id))
                        : s_why_not_owed(c, m->base, base->earner);
        if (s_settled(&l->lines[i])) {
            m->has_should = 1;
            m->should_amount = 0;
            m->should_rate = 0;
            m->should_why = why;
        } else {
            s_void(c, &l->lines[i], why);
        }
    }

    /* New ones, by refund order, then base line; none for a drop of 0. */
    qsort(all, n, sizeof *all, s_claw_cmp);
    for (size_t j = 0; j < n; j++) {
        if (all[j].line != NONE_IX || all[j].basis == 0)
            continue;
        char *id = s_printf(l, "%s/%s", l->lines[all[j].family].id,
                            s_text(c->o->refunds[all[j].refund]->code));
        if (s_find(l, id) != NONE_IX)
            continue;   /* a line of another kind holds the id: never two alike */
        size_t at = s_push(l, NULL, M_CLAWBACK);
        l->meta[at].family = all[j].family;
        l->meta[at].base = l->meta[all[j].family].base;
        l->lines[at].id = id;
        s_claw_line(c, &all[j], at);
    }
}

/* s_adjustments - a settled line the facts no longer agree with gets a new
 * adjustment for the difference. Adjustments themselves are never changed:
 * each is a correction booked when it happened, and the next one counts it. */
static void s_adjustments(ctx_t *c)
{
    lines_t *l = c->l;
    size_t n = l->n;
    for (size_t i = 0; i < n; i++) {
        const meta_t m = l->meta[i];   /* a copy: s_push below may move l->meta */
        if (!m.has_should)
            continue;
        /* What it stands at: the settled amount and every adjustment not void. */
        int64_t stands = l->lines[i].amount;
        size_t count = 0;
        for (size_t j = 0; j < l->n; j++) {
            if (l->meta[j].kind != M_ADJUSTMENT || l->meta[j].family != i)
                continue;
            count++;
            if (l->lines[j].state != VOID)
                stands += l->lines[j].amount;
        }
        int64_t delta = m.should_amount - stands;
        if (delta == 0)
            continue;
        size_t at = s_push(l, NULL, M_ADJUSTMENT);
        const Ledger__CommissionLine *y = &l->lines[i];
        Ledger__CommissionLine *x = &l->lines[at];
        char was[40], now_owed[40], d[40];
        l->meta[at].family = i;
        l->meta[at].base = l->meta[i].base;
        char *id = s_printf(l, "%s/adj%zu", y->id, ++count);
        while (s_find(l, id) != NONE_IX)   /* never two lines alike */
            id = s_printf(l, "%s/adj%zu", y->id, ++count);
        s_fill(c, x, id, y->earner,
               s_printf(l, "%s.adjustment", s_rule[l->meta[i].base]));
        x->adjusts = y->id;
        x->basis = y->basis;
        x->rate = m.should_rate;
        x->amount = delta;
        x->state = PAYABLE;
        x->payable_ms = c->now;
        x->month = c->month;
        x->reason = s_printf(l, "adjustment of settled %s, which stands at %s and should be "
                             "%s now (%s, policy %s version %u): %s%s", y->id,
                             s_yuan(was, stands), s_yuan(now_owed, m.should_amount),
                             m.should_why, c->placed_month, c->pv->version,
                             delta > 0 ? "+" : "", s_yuan(d, delta));
    }
}

/* s_deadline - the earliest ledger time after now at which time alone would
 * change the lines: the end of the refund window while a line waits for it,
 * or the processed time of a refund not yet processed by now (it may make
 * lines payable early, or claw back) */
static int64_t s_deadline(const ctx_t *c)
{
    const lines_t *l = c->l;
    int waiting = 0, owed = 0;
    for (size_t i = 0; i < l->n; i++) {
        if (l->meta[i].kind != M_BASE || !l->meta[i].target)
            continue;
        owed = 1;
        waiting |= l->lines[i].state == PENDING;
    }
    if (!c->completed || !owed)
        return 0;
    int64_t at = waiting && c->deadline > c->now ? c->deadline : 0;
    for (size_t i = 0; i < c->o->n_refunds; i++) {
        int64_t p = c->o->refunds[i]->processed_ms;
        if (p > c->now && (!at || p < at))
            at = p;
    }
    return at;
}

/* ---- the interface ---------------------------------------------------- */

/* lines_update - the order's lines as they must stand at now_ms */
lines_t *lines_update(const Ledger__OrderCommission *o, const Ledger__PolicyVersion *policy,
                      int64_t now_ms, const char *open_month)
{
    if (!o || !policy)
        log_panic("lines_update: an order and a policy are required");
    lines_t *l = xcalloc(1, sizeof *l);
    ctx_t c = { .l = l, .o = o, .pv = policy, .now = now_ms };
    c.p = policy->policy ? policy->policy : &s_no_policy;
    c.code = s_text(o->order_code);
    s_facts(&c, open_month);
    s_targets(&c);
    s_classify(&c);
    s_base_lines(&c);
    s_clawbacks(&c);
    s_adjustments(&c);
    l->next_deadline = s_deadline(&c);
    free(l->meta);
    l->meta = NULL;
    return l;
}

/* lines_count - how many lines */
size_t lines_count(const lines_t *l)
{
    return l ? l->n : 0;
}

/* lines_at - the i-th line, owned by l */
const Ledger__CommissionLine *lines_at(const lines_t *l, size_t i)
{
    if (!l || i >= l->n)
        log_panic("lines_at: line %zu of %zu", i, l ? l->n : 0);
    return &l->lines[i];
}

/* lines_next_deadline - when time alone would next change the lines; 0: never */
int64_t lines_next_deadline(const lines_t *l)
{
    return l ? l->next_deadline : 0;
}

/* lines_destroy - free l and everything it made; NULL is fine */
void lines_destroy(lines_t **self_p)
{
    if (!self_p)
        log_panic("lines_destroy: self_p is NULL");
    lines_t *l = *self_p;
    if (!l)
        return;
    arena_fini(&l->arena);
    free(l->lines);
    free(l->meta);
    free(l);
    *self_p = NULL;
}
