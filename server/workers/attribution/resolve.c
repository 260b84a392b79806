/* resolve - the attribution rules of DOMAIN.md section 2 over one customer's
 * orders: the first and win-back windows, the lock and its one-time fills,
 * the outside referrer, window assists (A/B/C, the referral fallback), the
 * solution (type D) assists, handler and arrangers, conflicts and gaps, and
 * the customer's summary. Pure: no clock, no I/O, local dates in the process
 * zone. Reading events and state and writing results is main.c's job.
 * Everything allocated here hangs off the resolution (one list of blocks,
 * freed by resolution_destroy); strings and PartyRefs may point into facts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "arena.h"
#include "date.h"
#include "log.h"
#include "resolve.h"
#include "xmalloc.h"

#define C_HOURS_MS (72LL * 3600 * 1000)   /* type C: strictly more than 72 h after contact */

#define KNOWN LEDGER__ROLE_STATE__ROLE_KNOWN
#define UNKNOWN LEDGER__ROLE_STATE__ROLE_UNKNOWN
#define NONE LEDGER__ROLE_STATE__ROLE_NONE
#define ABSENT LEDGER__ROLE_STATE__ROLE_ABSENT

#define CH_STAFF LEDGER__CHANNEL_TYPE__CHANNEL_STAFF
#define CH_REFERRAL LEDGER__CHANNEL_TYPE__CHANNEL_REFERRAL
#define AS_OUTSIDE LEDGER__ASSIST_TYPE__ASSIST_OUTSIDE
#define AS_PROACTIVE LEDGER__ASSIST_TYPE__ASSIST_PROACTIVE
#define AS_SOLUTION LEDGER__ASSIST_TYPE__ASSIST_SOLUTION

#define CONFLICTS_MAX 3   /* one per claim: channel, service, assist */
#define GAPS_MAX 4        /* channel, service, handler, arrangers */

struct resolution {
    size_t n;                              /* orders, = facts->n_orders */
    size_t *index;                         /* resolution order -> facts index */
    Ledger__Attribution **orders;          /* in resolution order */
    Ledger__CustomerAttribution summary;   /* windows, conflicts, solutions */
    arena_t arena;                         /* everything else allocated here */
};

/* A window role as it stands: what later orders inherit. */
typedef struct {
    Ledger__RoleState state;               /* KNOWN or UNKNOWN (assist: KNOWN or ABSENT) */
    const Ledger__PartyRef *party;         /* when KNOWN */
    uint32_t type;                         /* ChannelType / AssistType; else 0 */
    const char *rule;                      /* the rule that set it */
    const char *since;                     /* the order that set it; "" if not KNOWN */
    const char *reason;                    /* why, as said when it was set */
} held_t;

typedef struct {
    Ledger__Window *msg;                   /* shared by the Attributions inside it */
    date_t end;                            /* last day, inclusive */
    const char *name;                      /* "O-1's window 2026-01-05..2026-12-31" */
    held_t channel, service, assist;
} window_t;

typedef struct {
    resolution_t *r;
    const Ledger__CustomerFacts *facts;
    window_t *windows;                     /* one slot per order, n_windows used */
    size_t n_windows;
    int seen;                              /* a non-cancelled order has been resolved */
    date_t prev;                           /* the local date of the latest one */
} walk_t;

/* One order being resolved. */
typedef struct {
    const Ledger__OrderFacts *o;
    const Ledger__RoleClaims *c;           /* never NULL */
    const char *code;                      /* o->code, never NULL */
    date_t d;                              /* local date placed */
    char day[11];                          /* d as "YYYY-MM-DD" */
    Ledger__Attribution *a;
    window_t *w;                           /* the window it is in; NULL outside */
    int opening;                           /* it opened w */
    int very_first;                        /* the customer's first non-cancelled order */
    const Ledger__ReferrerFacts *referrer; /* a D partner channel this order set */
} step_t;

static const Ledger__RoleClaims s_no_claims = LEDGER__ROLE_CLAIMS__INIT;

/* s_alloc, s_printf - memory and text owned by r */
#define s_alloc(r, size) arena_alloc(&(r)->arena, (size))
#define s_printf(r, ...) arena_printf(&(r)->arena, __VA_ARGS__)

/* s_text - a string field of facts as a C string ("" for NULL) */
static const char *s_text(const char *s)
{
    return s ? s : "";
}

/* s_claimed - a PartyRef names somebody (present with a non-empty code) */
static int s_claimed(const Ledger__PartyRef *p)
{
    return p && p->code && p->code[0];
}

/* s_same - the same party: same kind and id (codes when neither has an id) */
static int s_same(const Ledger__PartyRef *a, const Ledger__PartyRef *b)
{
    if (!a || !b || a->kind != b->kind || a->id != b->id)
        return 0;
    return a->id != 0 || strcmp(s_text(a->code), s_text(b->code)) == 0;
}

/* s_type_name - a ChannelType or AssistType as its letter, for sentences */
static const char *s_type_name(uint32_t type)
{
    static const char *names[] = { "unspecified", "A", "B", "C", "D" };
    return type < sizeof names / sizeof names[0] ? names[type] : "?";
}

/* s_day - d as "YYYY-MM-DD", owned by r */
static char *s_day(resolution_t *r, date_t d)
{
    char *s = s_alloc(r, 11);
    date_format(s, 11, d);
    return s;
}

/* s_date_text - d as "YYYY-MM-DD" into a caller buffer of 11 bytes */
static const char *s_date_text(char out[11], date_t d)
{
    date_format(out, 11, d);
    return out;
}

/* s_role - a Role message owned by r */
static Ledger__Role *s_role(resolution_t *r, Ledger__RoleState state,
                            const Ledger__PartyRef *party, uint32_t type, const char *rule,
                            const char *since, const char *reason)
{
    Ledger__Role *role = s_alloc(r, sizeof *role);
    ledger__role__init(role);
    role->state = state;
    role->party = state == KNOWN ? (Ledger__PartyRef *)party : NULL;
    role->type = state == KNOWN ? type : 0;
    role->rule = (char *)rule;
    role->since = (char *)(state == KNOWN ? s_text(since) : "");
    role->reason = (char *)reason;
    return role;
}

/* s_held - a window role as set by an order */
static held_t s_held(Ledger__RoleState state, const Ledger__PartyRef *party, uint32_t type,
                     const char *rule, const char *since, const char *reason)
{
    return (held_t){ .state = state, .party = state == KNOWN ? party : NULL,
                     .type = state == KNOWN ? type : 0, .rule = rule,
                     .since = state == KNOWN ? since : "", .reason = reason };
}

/* s_role_held - the Role for a held window role, with the rule it is applied by */
static Ledger__Role *s_role_held(resolution_t *r, const held_t *h, const char *rule,
                                 const char *reason)
{
    return s_role(r, h->state, h->party, h->type, rule, h->since, reason);
}

/* s_conflict - record that the order's claim for role was not applied */
static void s_conflict(resolution_t *r, step_t *s, const char *role,
                       const Ledger__PartyRef *claimed, uint32_t type, const char *reason,
                       const char *detail)
{
    Ledger__Attribution *a = s->a;
    if (a->n_conflicts == CONFLICTS_MAX)
        log_panic("resolve: more than %d conflicts on %s", CONFLICTS_MAX, s->code);
    Ledger__Conflict *c = s_alloc(r, sizeof *c);
    ledger__conflict__init(c);
    c->role = (char *)role;
    c->claimed = (Ledger__PartyRef *)claimed;
    c->type = type;
    c->reason = (char *)reason;
    c->detail = (char *)detail;
    a->conflicts[a->n_conflicts++] = c;
}

/* s_locked_text - why a KNOWN role of a window holds on a later order */
static const char *s_locked_text(resolution_t *r, const window_t *w, const held_t *h)
{
    if (strcmp(h->since, w->msg->opened_by) == 0)
        return s_printf(r, "locked by %s", w->name);
    return s_printf(r, "locked since %s filled it in %s", h->since, w->name);
}

/* s_first_end - a first window from d ends Dec 31 (d in Jan..Oct) or Mar 31 next year */
static date_t s_first_end(date_t d)
{
    return d.m <= 10 ? (date_t){ d.y, 12, 31 } : (date_t){ d.y + 1, 3, 31 };
}

/* s_winback_end - a win-back window from d ends the day before d next year
 * (from Feb 29, Feb 28) */
static date_t s_winback_end(date_t d)
{
    if (d.m == 2 && d.d == 29)
        return (date_t){ d.y + 1, 2, 28 };
    return date_add_days(date_add_months(d, 12), -1);
}

/* s_open_window - open a window of kind with s's order, from its date */
static window_t *s_open_window(walk_t *k, step_t *s, Ledger__WindowKind kind)
{
    resolution_t *r = k->r;
    window_t *w = &k->windows[k->n_windows++];
    memset(w, 0, sizeof *w);
    w->end = kind == LEDGER__WINDOW_KIND__WINDOW_FIRST ? s_first_end(s->d) : s_winback_end(s->d);
    w->msg = s_alloc(r, sizeof *w->msg);
    ledger__window__init(w->msg);
    w->msg->kind = kind;
    w->msg->start = s_day(r, s->d);
    w->msg->end = s_day(r, w->end);
    w->msg->opened_by = (char *)s->code;
    w->name = s_printf(r, "%s's window %s..%s", s->code, w->msg->start, w->msg->end);
    s->w = w;
    s->opening = 1;
    return w;
}

/* s_referrer_of - the referrer facts when a channel of type D set by o is
 * an outside partner, else NULL */
static const Ledger__ReferrerFacts *s_referrer_of(const held_t *channel,
                                                  const Ledger__OrderFacts *o)
{
    if (channel->state != KNOWN || channel->type != CH_REFERRAL)
        return NULL;
    if (!o->referrer || o->referrer->partner_id == 0)
        return NULL;
    return o->referrer;
}

/* s_partner_ref - the referrer as a PartyRef, owned by r */
static const Ledger__PartyRef *s_partner_ref(resolution_t *r, const Ledger__ReferrerFacts *ref)
{
    Ledger__PartyRef *p = s_alloc(r, sizeof *p);
    ledger__party_ref__init(p);
    p->kind = LEDGER__PARTY_KIND__PARTY_PARTNER;
    p->id = ref->partner_id;
    p->code = (char *)s_text(ref->partner_code);
    return p;
}

/* s_channel_open - the channel set by a window's opening order */
static void s_channel_open(walk_t *k, step_t *s)
{
    resolution_t *r = k->r;
    window_t *w = s->w;
    const Ledger__RoleClaims *c = s->c;

    if (w->msg->kind == LEDGER__WINDOW_KIND__WINDOW_WINBACK) {
        char prev[11];
        const char *why = s_printf(r, "win-back by %s named on %s %s, more than 3 months after "
                                   "the previous order %s; it opens %s",
                                   c->winback_staff->code, s->code, s->day,
                                   s_date_text(prev, k->prev), w->name);
        w->channel = s_held(KNOWN, c->winback_staff, CH_STAFF, "winback", s->code, why);
        if (s_claimed(c->channel) &&
            !(s_same(c->channel, c->winback_staff) && c->channel_type == CH_STAFF))
            s_conflict(r, s, "channel", c->channel, c->channel_type, "winback",
                       s_printf(r, "%s claims channel %s (type %s), but a win-back order's "
                                "channel is its win-back staff %s (type B)", s->code,
                                c->channel->code, s_type_name(c->channel_type),
                                c->winback_staff->code));
    } else if (s_claimed(c->channel)) {
        w->channel = s_held(KNOWN, c->channel, c->channel_type, "window_open", s->code,
                            s_printf(r, "claimed on %s, whose date %s opens %s", s->code,
                                     s->day, w->name));
    } else {
        w->channel = s_held(UNKNOWN, NULL, 0, "unclaimed", "",
                            s_printf(r, "no claim on the opening order of %s", w->name));
    }
    s->referrer = s_referrer_of(&w->channel, s->o);
    s->a->channel = s_role_held(r, &w->channel, w->channel.rule, w->channel.reason);
}

/* s_service_by_referrer - the outside referrer takes an UNKNOWN service on
 * the order that set the D channel; a different claimed service conflicts */
static void s_service_by_referrer(walk_t *k, step_t *s)
{
    resolution_t *r = k->r;
    window_t *w = s->w;
    const Ledger__PartyRef *p = s_partner_ref(r, s->referrer);
    w->service = s_held(KNOWN, p, 0, "referrer", s->code,
                        s_printf(r, "the channel's referrer %s (a partner) is the service, "
                                 "set by %s in %s", p->code, s->code, w->name));
    if (s_claimed(s->c->service) && !s_same(s->c->service, p))
        s_conflict(r, s, "service", s->c->service, 0, "referrer",
                   s_printf(r, "%s claims service %s, but the channel's referrer %s holds the "
                            "service", s->code, s->c->service->code, p->code));
    s->a->service = s_role_held(r, &w->service, "referrer", w->service.reason);
}

/* s_service_open - the service set by a window's opening order */
static void s_service_open(walk_t *k, step_t *s)
{
    resolution_t *r = k->r;
    window_t *w = s->w;
    if (s->referrer) {
        s_service_by_referrer(k, s);
        return;
    }
    if (s_claimed(s->c->service))
        w->service = s_held(KNOWN, s->c->service, 0, "window_open", s->code,
                            s_printf(r, "claimed on %s, whose date %s opens %s", s->code,
                                     s->day, w->name));
    else
        w->service = s_held(UNKNOWN, NULL, 0, "unclaimed", "",
                            s_printf(r, "no claim on the opening order of %s", w->name));
    s->a->service = s_role_held(r, &w->service, w->service.rule, w->service.reason);
}

/* s_c_invalid - why a type-C claim on s's order is invalid, or NULL if valid */
static const char *s_c_invalid(walk_t *k, step_t *s)
{
    resolution_t *r = k->r;
    const Ledger__CustomerFacts *f = k->facts;
    if (!s->very_first)
        return s_printf(r, "a proactive (C) assist is valid only on the customer's very first "
                        "order, and %s is not it", s->code);
    if (f->_first_contact_ms_case != LEDGER__CUSTOMER_FACTS___FIRST_CONTACT_MS_FIRST_CONTACT_MS)
        return s_printf(r, "a proactive (C) assist needs the customer's first contact time, "
                        "which is unknown");
    if (!(s->o->placed_ms > f->first_contact_ms &&
          s->o->placed_ms - f->first_contact_ms > C_HOURS_MS)) {
        char when[20];
        date_format_time(when, sizeof when, f->first_contact_ms);
        return s_printf(r, "a proactive (C) assist needs the first order placed more than 72 h "
                        "after the first contact %s", when);
    }
    return NULL;
}

/* s_assist_open - the window assist set by a window's opening order, and
 * that order's assist role (a solution assist may replace it later) */
static void s_assist_open(walk_t *k, step_t *s)
{
    resolution_t *r = k->r;
    window_t *w = s->w;
    const Ledger__RoleClaims *c = s->c;
    const Ledger__PartyRef *service = w->service.state == KNOWN ? w->service.party : NULL;
    const char *rule = "no_assist";
    const char *why = s_printf(r, "no assist claimed on the opening order of %s", w->name);

    w->assist = s_held(ABSENT, NULL, 0, "no_assist", "", why);
    if (s_claimed(c->assist) && c->assist_type != AS_SOLUTION) {
        const char *invalid = c->assist_type == AS_PROACTIVE ? s_c_invalid(k, s) : NULL;
        if (invalid) {
            s_conflict(r, s, "assist", c->assist, c->assist_type, "c_invalid",
                       s_printf(r, "%s claims proactive assist %s, but %s", s->code,
                                c->assist->code, invalid));
            why = s_printf(r, "the claimed proactive assist %s is invalid, so %s has no assist",
                           c->assist->code, w->name);
        } else if (s_same(c->assist, service)) {
            s_conflict(r, s, "assist", c->assist, c->assist_type, "equals_service",
                       s_printf(r, "%s claims assist %s, who is the order's service", s->code,
                                c->assist->code));
            rule = "equals_service";
            why = s_printf(r, "the claimed assist %s is the service, so %s has no assist",
                           c->assist->code, w->name);
        } else {
            rule = "window_open";
            why = s_printf(r, "claimed on %s, whose date %s opens %s", s->code, s->day,
                           w->name);
            w->assist = s_held(KNOWN, c->assist, c->assist_type, rule, s->code, why);
        }
        w->assist.reason = why;
    } else if (w->channel.state == KNOWN && w->channel.type == CH_REFERRAL && s->o->referrer &&
               s_claimed(s->o->referrer->developer)) {
        /* The referral's fallback: only here, and only without an A/B/C claim. */
        const Ledger__PartyRef *dev = s->o->referrer->developer;
        if (s_same(dev, service)) {
            rule = "equals_service";
            why = s_printf(r, "the referrer's developer %s is the service, so %s has no assist",
                           dev->code, w->name);
        } else {
            rule = "referral_fallback";
            why = s_printf(r, "no assist claimed on the opening order; %s, who developed the "
                           "referrer, assists in %s", dev->code, w->name);
            w->assist = s_held(KNOWN, dev, AS_OUTSIDE, rule, s->code, why);
        }
        w->assist.reason = why;
    }
    s->a->assist = s_role_held(r, &w->assist, rule, why);
}

/* s_channel_inside - a later order in a window: the lock, or a first fill */
static void s_channel_inside(walk_t *k, step_t *s)
{
    resolution_t *r = k->r;
    window_t *w = s->w;
    const Ledger__RoleClaims *c = s->c;
    if (w->channel.state == KNOWN) {
        if (s_claimed(c->channel) &&
            !(s_same(c->channel, w->channel.party) && c->channel_type == w->channel.type))
            s_conflict(r, s, "channel", c->channel, c->channel_type, "window_lock",
                       s_printf(r, "%s claims channel %s (type %s), but %s holds %s (type %s) "
                                "since %s", s->code, c->channel->code, s_type_name(c->channel_type),
                                w->name, w->channel.party->code, s_type_name(w->channel.type),
                                w->channel.since));
        s->a->channel = s_role_held(r, &w->channel, "window_lock",
                                    s_locked_text(r, w, &w->channel));
    } else if (s_claimed(c->channel)) {
        w->channel = s_held(KNOWN, c->channel, c->channel_type, "window_fill", s->code,
                            s_printf(r, "filled by the claim of %s in %s; earlier orders stay "
                                     "unknown", s->code, w->name));
        s->referrer = s_referrer_of(&w->channel, s->o);
        s->a->channel = s_role_held(r, &w->channel, "window_fill", w->channel.reason);
    } else {
        s->a->channel = s_role(r, UNKNOWN, NULL, 0, "unclaimed", "",
                               s_printf(r, "no channel claimed yet in %s", w->name));
    }
}

/* s_service_inside - a later order in a window: the lock, the referrer of a
 * channel this order filled, or a first fill */
static void s_service_inside(walk_t *k, step_t *s)
{
    resolution_t *r = k->r;
    window_t *w = s->w;
    const Ledger__RoleClaims *c = s->c;
    if (w->service.state == KNOWN) {
        if (s_claimed(c->service) && !s_same(c->service, w->service.party))
            s_conflict(r, s, "service", c->service, 0, "window_lock",
                       s_printf(r, "%s claims service %s, but %s holds %s since %s", s->code,
                                c->service->code, w->name, w->service.party->code,
                                w->service.since));
        s->a->service = s_role_held(r, &w->service, "window_lock",
                                    s_locked_text(r, w, &w->service));
    } else if (s->referrer) {
        s_service_by_referrer(k, s);
    } else if (s_claimed(c->service)) {
        w->service = s_held(KNOWN, c->service, 0, "window_fill", s->code,
                            s_printf(r, "filled by the claim of %s in %s; earlier orders stay "
                                     "unknown", s->code, w->name));
        s->a->service = s_role_held(r, &w->service, "window_fill", w->service.reason);
    } else {
        s->a->service = s_role(r, UNKNOWN, NULL, 0, "unclaimed", "",
                               s_printf(r, "no service claimed yet in %s", w->name));
    }
}

/* s_assist_inside - a later order in a window: the window's assist (or
 * none), and a conflict for any A/B/C claim that is not it */
static void s_assist_inside(walk_t *k, step_t *s)
{
    resolution_t *r = k->r;
    window_t *w = s->w;
    const Ledger__RoleClaims *c = s->c;
    const Ledger__PartyRef *service = s->a->service->state == KNOWN ? s->a->service->party : NULL;
    int equals_service = w->assist.state == KNOWN && s_same(w->assist.party, service);

    if (s_claimed(c->assist) && c->assist_type != AS_SOLUTION) {
        int same = w->assist.state == KNOWN && s_same(c->assist, w->assist.party) &&
                   c->assist_type == w->assist.type;
        /* Repeating the window's own C assist is no claim against the lock;
         * any other C claim after the very first order is invalid. */
        if (c->assist_type == AS_PROACTIVE && !same)
            s_conflict(r, s, "assist", c->assist, c->assist_type, "c_invalid",
                       s_printf(r, "%s claims proactive assist %s, but %s", s->code,
                                c->assist->code, s_c_invalid(k, s)));
        else if (!same)
            s_conflict(r, s, "assist", c->assist, c->assist_type, "window_lock",
                       w->assist.state == KNOWN
                       ? s_printf(r, "%s claims assist %s (type %s), but %s holds %s (type %s) "
                                  "since %s", s->code, c->assist->code, s_type_name(c->assist_type),
                                  w->name, w->assist.party->code, s_type_name(w->assist.type),
                                  w->assist.since)
                       : s_printf(r, "%s claims assist %s (type %s), but %s has no assist",
                                  s->code, c->assist->code, s_type_name(c->assist_type), w->name));
        else if (equals_service)
            s_conflict(r, s, "assist", c->assist, c->assist_type, "equals_service",
                       s_printf(r, "%s claims assist %s, who is the order's service", s->code,
                                c->assist->code));
    }
    if (equals_service)
        s->a->assist = s_role(r, ABSENT, NULL, 0, "equals_service", "",
                              s_printf(r, "the assist %s of %s is this order's service",
                                       w->assist.party->code, w->name));
    else if (w->assist.state == KNOWN)
        s->a->assist = s_role_held(r, &w->assist, "window_lock", s_locked_text(r, w, &w->assist));
    else
        s->a->assist = s_role(r, ABSENT, NULL, 0, "no_assist",
                              "", s_printf(r, "%s has no assist", w->name));
}

/* s_outside - an order outside any window: NONE, and every claim (a
 * solution's D assist aside) conflicts; a win-back that does not qualify says why */
static void s_outside(walk_t *k, step_t *s, const window_t *last)
{
    resolution_t *r = k->r;
    const Ledger__RoleClaims *c = s->c;
    char prev[11], limit[11];
    const char *ended = s_printf(r, "outside any window: the window ended %s", last->msg->end);
    const char *why = ended;

    if (s_claimed(c->winback_staff)) {
        date_t lim = date_add_months(k->prev, 3);
        why = s_printf(r, "%s; win-back staff %s is ignored: previous order %s; a win-back "
                       "needs a date after %s", ended, c->winback_staff->code,
                       s_date_text(prev, k->prev), s_date_text(limit, lim));
    } else if (date_cmp(s->d, date_add_months(k->prev, 3)) > 0) {
        why = s_printf(r, "%s, and no win-back staff is named", ended);
    }
    s->a->channel = s_role(r, NONE, NULL, 0, "window_ended", "", why);
    s->a->service = s_role(r, NONE, NULL, 0, "window_ended", "", ended);
    s->a->assist = s_role(r, NONE, NULL, 0, "window_ended", "", ended);
    if (s_claimed(c->channel))
        s_conflict(r, s, "channel", c->channel, c->channel_type, "window_ended",
                   s_printf(r, "%s claims channel %s, but it is %s", s->code, c->channel->code,
                            ended));
    if (s_claimed(c->service))
        s_conflict(r, s, "service", c->service, 0, "window_ended",
                   s_printf(r, "%s claims service %s, but it is %s", s->code, c->service->code,
                            ended));
    if (s_claimed(c->assist) && c->assist_type != AS_SOLUTION)
        s_conflict(r, s, "assist", c->assist, c->assist_type, "window_ended",
                   s_printf(r, "%s claims assist %s, but it is %s", s->code, c->assist->code,
                            ended));
}

/* s_solution_find - the D assist recorded for solution id, or NULL */
static const Ledger__SolutionAssist *s_solution_find(const resolution_t *r, const char *id)
{
    for (size_t i = 0; i < r->summary.n_solutions; i++)
        if (strcmp(r->summary.solutions[i]->solution_id, id) == 0)
            return r->summary.solutions[i];
    return NULL;
}

/* s_solution - a D claim records the solution's assist; a recorded one
 * applies to every order naming its solution, before the window's assist */
static void s_solution(walk_t *k, step_t *s)
{
    resolution_t *r = k->r;
    const Ledger__RoleClaims *c = s->c;
    const char *sid = s_text(c->solution_id);
    const Ledger__PartyRef *service = s->a->service->state == KNOWN ? s->a->service->party : NULL;
    const Ledger__SolutionAssist *rec = sid[0] ? s_solution_find(r, sid) : NULL;
    int claimed = s_claimed(c->assist) && c->assist_type == AS_SOLUTION;

    if (claimed) {
        const Ledger__PartyRef *p = c->assist;
        if (!sid[0]) {
            s_conflict(r, s, "assist", p, c->assist_type, "d_without_solution",
                       s_printf(r, "%s claims solution (D) assist %s without naming a solution",
                                s->code, p->code));
        } else if (rec && !s_same(rec->assist, p)) {
            s_conflict(r, s, "assist", p, c->assist_type, "solution_assisted",
                       s_printf(r, "%s claims solution (D) assist %s, but solution %s is "
                                "assisted by %s since %s", s->code, p->code, sid,
                                rec->assist->code, rec->since));
        } else if (s_same(p, service)) {
            s_conflict(r, s, "assist", p, c->assist_type, "equals_service",
                       s_printf(r, "%s claims solution (D) assist %s, who is the order's service",
                                s->code, p->code));
        } else if (!rec) {
            Ledger__SolutionAssist *sa = s_alloc(r, sizeof *sa);
            ledger__solution_assist__init(sa);
            sa->solution_id = (char *)sid;
            sa->assist = (Ledger__PartyRef *)p;
            sa->since = (char *)s->code;
            r->summary.solutions[r->summary.n_solutions++] = sa;
            rec = sa;
        }
    }
    if (!rec)
        return;
    if (s_same(rec->assist, service))
        s->a->assist = s_role(r, ABSENT, NULL, 0, "equals_service", "",
                              s_printf(r, "solution %s's assist %s is this order's service", sid,
                                       rec->assist->code));
    else
        s->a->assist = s_role(r, KNOWN, rec->assist, AS_SOLUTION, "solution", rec->since,
                              s_printf(r, "solution %s's assist, recorded by %s", sid,
                                       rec->since));
}

/* s_handler_arrangers - the order's own roles: never inherited */
static void s_handler_arrangers(resolution_t *r, step_t *s)
{
    const Ledger__OrderFacts *o = s->o;
    Ledger__Attribution *a = s->a;
    if (s_claimed(o->handler))
        a->handler = s_role(r, KNOWN, o->handler, 0, "order", s->code,
                            s_printf(r, "named on %s", s->code));
    else
        a->handler = s_role(r, UNKNOWN, NULL, 0, "missing", "",
                            s_printf(r, "no handler named on %s yet", s->code));
    a->arrangers = s_alloc(r, (o->n_arrangers ? o->n_arrangers : 1) * sizeof *a->arrangers);
    for (size_t i = 0; i < o->n_arrangers; i++)
        if (s_claimed(o->arrangers[i]))
            a->arrangers[a->n_arrangers++] =
                s_role(r, KNOWN, o->arrangers[i], 0, "order", s->code,
                       s_printf(r, "named on %s", s->code));
}

/* s_gaps - what is still to be recorded: UNKNOWN channel or service, no
 * handler, no arranger */
static void s_gaps(step_t *s)
{
    Ledger__Attribution *a = s->a;
    if (a->channel->state == UNKNOWN)
        a->gaps[a->n_gaps++] = (char *)"channel";
    if (a->service->state == UNKNOWN)
        a->gaps[a->n_gaps++] = (char *)"service";
    if (a->handler->state == UNKNOWN)
        a->gaps[a->n_gaps++] = (char *)"handler";
    if (a->n_arrangers == 0)
        a->gaps[a->n_gaps++] = (char *)"arrangers";
}

/* s_resolve_order - one order, after all the orders before it */
static void s_resolve_order(walk_t *k, const Ledger__OrderFacts *o, Ledger__Attribution *a)
{
    resolution_t *r = k->r;
    step_t s = { .o = o, .c = o->claims ? o->claims : &s_no_claims, .code = s_text(o->code),
                 .a = a };

    s_handler_arrangers(r, &s);
    if (o->cancelled) {
        const char *why = s_printf(r, "%s is cancelled: it takes no part in attribution", s.code);
        a->channel = s_role(r, NONE, NULL, 0, "cancelled", "", why);
        a->service = s_role(r, NONE, NULL, 0, "cancelled", "", why);
        a->assist = s_role(r, NONE, NULL, 0, "cancelled", "", why);
        return;
    }
    s.d = date_of(o->placed_ms);
    date_format(s.day, sizeof s.day, s.d);
    window_t *last = k->n_windows ? &k->windows[k->n_windows - 1] : NULL;

    if (!k->seen) {
        s.very_first = 1;
        s_open_window(k, &s, LEDGER__WINDOW_KIND__WINDOW_FIRST);
    } else if (date_cmp(s.d, last->end) <= 0) {
        s.w = last;
    } else if (date_cmp(s.d, date_add_months(k->prev, 3)) > 0 &&
               s_claimed(s.c->winback_staff)) {
        s_open_window(k, &s, LEDGER__WINDOW_KIND__WINDOW_WINBACK);
    }

    if (s.opening) {
        s_channel_open(k, &s);
        s_service_open(k, &s);
        s_assist_open(k, &s);
    } else if (s.w) {
        s_channel_inside(k, &s);
        s_service_inside(k, &s);
        s_assist_inside(k, &s);
    } else {
        s_outside(k, &s, last);
    }
    s_solution(k, &s);

    if (s.w)
        a->window = s.w->msg;
    s_gaps(&s);
    k->seen = 1;
    k->prev = s.d;
}

/* An order and where it stands in facts, for sorting. */
typedef struct {
    const Ledger__OrderFacts *o;
    size_t index;                          /* in facts->orders */
} slot_t;

/* s_slot_cmp - resolution order: placed time, then code (id, version and
 * finally the facts index only matter for malformed duplicates) */
static int s_slot_cmp(const void *pa, const void *pb)
{
    const slot_t *x = pa, *y = pb;
    const Ledger__OrderFacts *a = x->o, *b = y->o;
    if (a->placed_ms != b->placed_ms)
        return a->placed_ms < b->placed_ms ? -1 : 1;
    int c = strcmp(s_text(a->code), s_text(b->code));
    if (c)
        return c;
    if (a->id != b->id)
        return a->id < b->id ? -1 : 1;
    if (a->version != b->version)
        return a->version < b->version ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* s_sort - the facts indexes in resolution order */
static void s_sort(resolution_t *r, size_t *index, const Ledger__CustomerFacts *f)
{
    slot_t *slots = s_alloc(r, (f->n_orders ? f->n_orders : 1) * sizeof *slots);
    for (size_t i = 0; i < f->n_orders; i++) {
        if (!f->orders[i])
            log_panic("resolve_customer: %s order %zu is NULL", s_text(f->customer_code), i);
        slots[i] = (slot_t){ f->orders[i], i };
    }
    qsort(slots, f->n_orders, sizeof *slots, s_slot_cmp);
    for (size_t i = 0; i < f->n_orders; i++)
        index[i] = slots[i].index;
}

/* s_history - a window as held at its last order, for the summary */
static Ledger__WindowHistory *s_history(resolution_t *r, const window_t *w)
{
    Ledger__WindowHistory *h = s_alloc(r, sizeof *h);
    ledger__window_history__init(h);
    h->window = w->msg;
    h->channel = s_role_held(r, &w->channel, w->channel.rule, w->channel.reason);
    h->service = s_role_held(r, &w->service, w->service.rule, w->service.reason);
    h->assist = s_role_held(r, &w->assist, w->assist.rule, w->assist.reason);
    return h;
}

/* s_summarise - the customer's windows, conflicts and solutions */
static void s_summarise(resolution_t *r, const walk_t *k)
{
    Ledger__CustomerAttribution *sum = &r->summary;
    sum->windows = s_alloc(r, (k->n_windows ? k->n_windows : 1) * sizeof *sum->windows);
    for (size_t i = 0; i < k->n_windows; i++)
        sum->windows[sum->n_windows++] = s_history(r, &k->windows[i]);
    for (size_t i = 0; i < r->n; i++) {
        const Ledger__Attribution *a = r->orders[i];
        if (a->cancelled)
            continue;
        if (a->n_conflicts) {
            Ledger__OrderConflicts *oc = s_alloc(r, sizeof *oc);
            ledger__order_conflicts__init(oc);
            oc->order_code = a->order_code;
            oc->placed_ms = a->placed_ms;
            oc->n_conflicts = a->n_conflicts;
            oc->conflicts = a->conflicts;
            sum->conflicts[sum->n_conflicts++] = oc;
        }
    }
}

/* resolve_customer - sort, resolve each order after those before it, summarise */
resolution_t *resolve_customer(const Ledger__CustomerFacts *facts)
{
    if (!facts)
        log_panic("resolve_customer: no facts");
    resolution_t *r = xcalloc(1, sizeof *r);
    size_t n = facts->n_orders;
    r->n = n;
    r->index = s_alloc(r, (n ? n : 1) * sizeof *r->index);
    r->orders = s_alloc(r, (n ? n : 1) * sizeof *r->orders);
    ledger__customer_attribution__init(&r->summary);
    r->summary.customer_id = facts->customer_id;
    r->summary.customer_code = (char *)s_text(facts->customer_code);
    r->summary.conflicts = s_alloc(r, (n ? n : 1) * sizeof *r->summary.conflicts);
    r->summary.solutions = s_alloc(r, (n ? n : 1) * sizeof *r->summary.solutions);

    walk_t k = { .r = r, .facts = facts };
    k.windows = s_alloc(r, (n ? n : 1) * sizeof *k.windows);
    s_sort(r, r->index, facts);
    for (size_t i = 0; i < n; i++) {
        const Ledger__OrderFacts *o = facts->orders[r->index[i]];
        Ledger__Attribution *a = s_alloc(r, sizeof *a);
        ledger__attribution__init(a);
        a->order_id = o->id;
        a->order_code = (char *)s_text(o->code);
        a->order_version = o->version;
        a->customer_id = facts->customer_id;
        a->customer_code = (char *)s_text(facts->customer_code);
        a->placed_ms = o->placed_ms;
        a->cancelled = o->cancelled;
        a->solution_id = (char *)(o->claims ? s_text(o->claims->solution_id) : "");
        a->conflicts = s_alloc(r, CONFLICTS_MAX * sizeof *a->conflicts);
        a->gaps = s_alloc(r, GAPS_MAX * sizeof *a->gaps);
        s_resolve_order(&k, o, a);
        r->orders[i] = a;
    }
    s_summarise(r, &k);
    return r;
}

/* resolution_count - orders in the resolution, cancelled ones included */
size_t resolution_count(const resolution_t *r)
{
    return r->n;
}

/* resolution_order - the i-th order in resolution order; panics past the end */
const Ledger__Attribution *resolution_order(const resolution_t *r, size_t i,
                                            size_t *facts_index)
{
    if (i >= r->n)
        log_panic("resolution_order: %zu of %zu", i, r->n);
    if (facts_index)
        *facts_index = r->index[i];
    return r->orders[i];
}

/* resolution_summary - the customer's summary, owned by r */
const Ledger__CustomerAttribution *resolution_summary(const resolution_t *r)
{
    return &r->summary;
}

/* resolution_destroy - free every block, then r; NULL *self_p is fine */
void resolution_destroy(resolution_t **self_p)
{
    if (!self_p)
        log_panic("resolution_destroy: no self_p");
    resolution_t *r = *self_p;
    if (!r)
        return;
    arena_fini(&r->arena);
    free(r);
    *self_p = NULL;
}
