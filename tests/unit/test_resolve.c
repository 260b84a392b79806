/* resolve - the attribution rules of DOMAIN.md section 2 at their edges:
 * window ends, win-back months, the lock and its one fill, the outside
 * referrer and its fallback assist, C and D assists, cancelled orders, ties,
 * the summary, and that arrival order never matters (packed bytes agree).
 * Facts are built in static pools (Criterion runs each test in its own
 * process); roles and conflicts are compared as short strings, e.g.
 * "KNOWN S-1 A window_lock O-1" and "channel:window_lock:S-3:A". */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "date.h"
#include "resolve.h"

#define N(a) (sizeof (a) / sizeof (a)[0])
#define ORDERS_MAX 64
#define HOUR_MS (3600LL * 1000)

static Ledger__CustomerFacts s_cf;
static Ledger__OrderFacts s_of[ORDERS_MAX];
static Ledger__RoleClaims s_cl[ORDERS_MAX];
static Ledger__ReferrerFacts s_rf[ORDERS_MAX];
static Ledger__PartyRef *s_arr[ORDERS_MAX][2];
static Ledger__OrderFacts *s_list[ORDERS_MAX];
static char s_code[ORDERS_MAX][16];
static resolution_t *s_r;

/* Parties: S(n) staff, P(n) partner, CU(n) customer; code "S-n", id n. */
static Ledger__PartyRef s_party[3][16];
static char s_party_code[3][16][8];
#define S(n) s_p(0, n)
#define P(n) s_p(1, n)
#define CU(n) s_p(2, n)

/* s_p - the party of kind index (0 staff, 1 partner, 2 customer) numbered n */
static Ledger__PartyRef *s_p(int k, int n)
{
    static const Ledger__PartyKind kinds[] = { LEDGER__PARTY_KIND__PARTY_STAFF,
        LEDGER__PARTY_KIND__PARTY_PARTNER, LEDGER__PARTY_KIND__PARTY_CUSTOMER };
    Ledger__PartyRef *p = &s_party[k][n];
    if (!p->base.descriptor) {
        ledger__party_ref__init(p);
        snprintf(s_party_code[k][n], sizeof s_party_code[k][n], "%c-%d", "SPC"[k], n);
        p->kind = kinds[k];
        p->code = s_party_code[k][n];
        p->id = (uint64_t)n;
    }
    return p;
}

/* s_reset - an empty customer C-100 with no first contact */
static void s_reset(void)
{
    resolution_destroy(&s_r);
    ledger__customer_facts__init(&s_cf);
    s_cf.customer_id = 100;
    s_cf.customer_code = "C-100";
    s_cf.orders = s_list;
}

static void setup(void)
{
    err_t err = { 0 };
    cr_assert_eq(date_zone_set("Asia/Shanghai", &err), 0, "date_zone_set: %s", err.msg);
    s_reset();
}

static void teardown(void)
{
    resolution_destroy(&s_r);
}

TestSuite(resolve, .init = setup, .fini = teardown);

/* s_ms - a local time "YYYY-MM-DD[THH:MM[:SS]]" in ms */
static int64_t s_ms(const char *text)
{
    int64_t ms = 0;
    err_t err = { 0 };
    cr_assert_eq(date_parse_time(&ms, text, &err), 0, "date_parse_time(%s): %s", text, err.msg);
    return ms;
}

/* s_order_ms - add an order placed at ms, with handler S-8 and arranger S-9 */
static Ledger__OrderFacts *s_order_ms(const char *code, int64_t ms)
{
    cr_assert_lt(s_cf.n_orders, ORDERS_MAX, "too many orders");
    size_t i = s_cf.n_orders++;
    Ledger__OrderFacts *o = &s_of[i];
    ledger__order_facts__init(o);
    ledger__role_claims__init(&s_cl[i]);
    snprintf(s_code[i], sizeof s_code[i], "%s", code);
    o->id = 1000 + i;
    o->code = s_code[i];
    o->version = 1 + i % 3;
    o->placed_ms = ms;
    o->claims = &s_cl[i];
    o->handler = S(8);
    s_arr[i][0] = S(9);
    o->arrangers = s_arr[i];
    o->n_arrangers = 1;
    s_list[i] = o;
    return o;
}

/* s_order - add an order placed at a local time */
static Ledger__OrderFacts *s_order(const char *code, const char *placed)
{
    return s_order_ms(code, s_ms(placed));
}

/* s_type - 'A'..'D' as the enum value 1..4 */
static int s_type(char letter)
{
    cr_assert(letter >= 'A' && letter <= 'D', "type letter %c", letter);
    return letter - 'A' + 1;
}

static void s_channel(Ledger__OrderFacts *o, char type, Ledger__PartyRef *p)
{
    o->claims->channel_type = s_type(type);
    o->claims->channel = p;
}

static void s_service(Ledger__OrderFacts *o, Ledger__PartyRef *p)
{
    o->claims->service = p;
}

static void s_assist(Ledger__OrderFacts *o, char type, Ledger__PartyRef *p)
{
    o->claims->assist_type = s_type(type);
    o->claims->assist = p;
}

static void s_solution(Ledger__OrderFacts *o, const char *id)
{
    o->claims->solution_id = (char *)id;
}

static void s_winback(Ledger__OrderFacts *o, Ledger__PartyRef *p)
{
    o->claims->winback_staff = p;
}

/* s_referrer - the order's D channel is partner (developed by developer, or NULL) */
static void s_referrer(Ledger__OrderFacts *o, Ledger__PartyRef *partner,
                       Ledger__PartyRef *developer)
{
    Ledger__ReferrerFacts *rf = &s_rf[o - s_of];
    ledger__referrer_facts__init(rf);
    rf->partner_id = partner ? partner->id : 0;
    rf->partner_code = partner ? partner->code : "";
    rf->developer = developer;
    o->referrer = rf;
}

static void s_first_contact(int64_t ms)
{
    s_cf._first_contact_ms_case = LEDGER__CUSTOMER_FACTS___FIRST_CONTACT_MS_FIRST_CONTACT_MS;
    s_cf.first_contact_ms = ms;
}

/* s_resolve - resolve the facts as built so far */
static void s_resolve(void)
{
    resolution_destroy(&s_r);
    s_r = resolve_customer(&s_cf);
    cr_assert_not_null(s_r, "resolve_customer");
    cr_assert_eq(resolution_count(s_r), s_cf.n_orders, "resolution_count: got %zu, want %zu",
                 resolution_count(s_r), s_cf.n_orders);
}

/* s_att - the attribution of the order with code */
static const Ledger__Attribution *s_att(const char *code)
{
    for (size_t i = 0; i < resolution_count(s_r); i++) {
        const Ledger__Attribution *a = resolution_order(s_r, i, NULL);
        if (strcmp(a->order_code, code) == 0)
            return a;
    }
    cr_assert_fail("no attribution for %s", code);
    return NULL;
}

/* s_party_text - a party's code, with its kind and id when they do not
 * match the code's letter and number */
static void s_party_text(char *out, size_t n, const Ledger__PartyRef *p)
{
    if (!p) {
        snprintf(out, n, "(no party)");
        return;
    }
    int k = p->code[0] == 'S' ? LEDGER__PARTY_KIND__PARTY_STAFF
          : p->code[0] == 'P' ? LEDGER__PARTY_KIND__PARTY_PARTNER
          : p->code[0] == 'C' ? LEDGER__PARTY_KIND__PARTY_CUSTOMER : -1;
    if ((int)p->kind == k && p->code[1] == '-' && p->id == strtoull(p->code + 2, NULL, 10))
        snprintf(out, n, "%s", p->code);
    else
        snprintf(out, n, "%s[kind=%d,id=%llu]", p->code, (int)p->kind,
                 (unsigned long long)p->id);
}

/* s_type_letter - 0..4 as '-', 'A'..'D' */
static char s_type_letter(uint32_t t)
{
    return t <= 4 ? "-ABCD"[t] : '?';
}

/* s_role_text - "KNOWN S-1 A window_open O-1", "UNKNOWN unclaimed", "NONE window_ended" */
static void s_role_text(char *out, size_t n, const Ledger__Role *r)
{
    static const char *states[] = { "UNSPECIFIED", "KNOWN", "UNKNOWN", "NONE", "ABSENT" };
    char party[64];
    if (!r) {
        snprintf(out, n, "(null)");
        return;
    }
    const char *state = r->state <= 4 ? states[r->state] : "?";
    if (r->state == LEDGER__ROLE_STATE__ROLE_KNOWN) {
        s_party_text(party, sizeof party, r->party);
        snprintf(out, n, "%s %s %c %s %s", state, party, s_type_letter(r->type), r->rule,
                 r->since);
    } else {
        snprintf(out, n, "%s %s%s", state, r->rule,
                 r->party || r->type || r->since[0] ? " (with a party, type or since)" : "");
    }
    if (!r->reason || !r->reason[0])
        snprintf(out + strlen(out), n - strlen(out), " (no reason)");
}

/* s_window_text - "FIRST 2026-01-05..2026-12-31 O-1", or "-" outside */
static void s_window_text(char *out, size_t n, const Ledger__Window *w)
{
    if (!w) {
        snprintf(out, n, "-");
        return;
    }
    const char *kind = w->kind == LEDGER__WINDOW_KIND__WINDOW_FIRST ? "FIRST"
                     : w->kind == LEDGER__WINDOW_KIND__WINDOW_WINBACK ? "WINBACK" : "?";
    snprintf(out, n, "%s %s..%s %s", kind, w->start, w->end, w->opened_by);
}

/* s_conflicts_text - "channel:window_lock:S-3:A service:referrer:S-2:-" */
static void s_conflicts_text(char *out, size_t n, Ledger__Conflict **cs, size_t count)
{
    char party[64];
    out[0] = '\0';
    for (size_t i = 0; i < count; i++) {
        s_party_text(party, sizeof party, cs[i]->claimed);
        size_t len = strlen(out);
        snprintf(out + len, n - len, "%s%s:%s:%s:%c%s", i ? " " : "", cs[i]->role,
                 cs[i]->reason, party, s_type_letter(cs[i]->type),
                 cs[i]->detail[0] ? "" : "(no detail)");
    }
}

/* s_gaps_text - "channel,service" */
static void s_gaps_text(char *out, size_t n, const Ledger__Attribution *a)
{
    out[0] = '\0';
    for (size_t i = 0; i < a->n_gaps; i++) {
        size_t len = strlen(out);
        snprintf(out + len, n - len, "%s%s", i ? "," : "", a->gaps[i]);
    }
}

/* s_expect - an order's window, channel, service, assist and conflicts
 * (NULL: not checked) */
static void s_expect(const char *code, const char *window, const char *channel,
                     const char *service, const char *assist, const char *conflicts)
{
    const Ledger__Attribution *a = s_att(code);
    char got[512];
    if (window) {
        s_window_text(got, sizeof got, a->window);
        cr_expect_str_eq(got, window, "%s window: got \"%s\", want \"%s\"", code, got, window);
    }
    const struct { const Ledger__Role *role; const char *want, *name; } roles[] = {
        { a->channel, channel, "channel" }, { a->service, service, "service" },
        { a->assist, assist, "assist" },
    };
    for (size_t i = 0; i < N(roles); i++) {
        if (!roles[i].want)
            continue;
        s_role_text(got, sizeof got, roles[i].role);
        cr_expect_str_eq(got, roles[i].want, "%s %s: got \"%s\", want \"%s\"", code,
                         roles[i].name, got, roles[i].want);
    }
    if (conflicts) {
        s_conflicts_text(got, sizeof got, a->conflicts, a->n_conflicts);
        cr_expect_str_eq(got, conflicts, "%s conflicts: got \"%s\", want \"%s\"", code, got,
                         conflicts);
    }
}

/* s_expect_gaps - an order's gaps, in order */
static void s_expect_gaps(const char *code, const char *want)
{
    char got[128];
    s_gaps_text(got, sizeof got, s_att(code));
    cr_expect_str_eq(got, want, "%s gaps: got \"%s\", want \"%s\"", code, got, want);
}

/* s_expect_reason - a role's reason sentence contains text */
static void s_expect_reason(const char *code, const Ledger__Role *role, const char *text)
{
    cr_expect(strstr(role->reason, text) != NULL, "%s: reason \"%s\" lacks \"%s\"", code,
              role->reason, text);
}

/* s_expect_window_of - the window an order opens, for a table of first dates */
static void s_expect_window_of(const char *placed, const char *want)
{
    s_reset();
    s_order("O-1", placed);
    s_resolve();
    char got[128];
    s_window_text(got, sizeof got, s_att("O-1")->window);
    cr_expect_str_eq(got, want, "first order %s: got \"%s\", want \"%s\"", placed, got, want);
}

/* ---- windows ---- */

Test(resolve, a_first_order_through_oct_31_holds_to_dec_31_and_from_nov_1_to_mar_31)
{
    static const struct { const char *placed, *want; } cases[] = {
        { "2026-01-01T00:00", "FIRST 2026-01-01..2026-12-31 O-1" },
        { "2026-10-31T23:59", "FIRST 2026-10-31..2026-12-31 O-1" },
        /* 00:30 in Shanghai is still Oct 31 in UTC: the local date decides */
        { "2026-11-01T00:30", "FIRST 2026-11-01..2027-03-31 O-1" },
        { "2026-12-31T23:59", "FIRST 2026-12-31..2027-03-31 O-1" },
        { "2027-11-15", "FIRST 2027-11-15..2028-03-31 O-1" },
        { "2027-02-28", "FIRST 2027-02-28..2027-12-31 O-1" },
    };
    for (size_t i = 0; i < N(cases); i++)
        s_expect_window_of(cases[i].placed, cases[i].want);
}

Test(resolve, the_first_order_opens_its_window_with_its_claims)
{
    Ledger__OrderFacts *o = s_order("O-1", "2026-11-01T10:00");
    s_channel(o, 'A', S(1));
    s_service(o, S(2));
    s_assist(o, 'B', S(3));
    s_resolve();
    s_expect("O-1", "FIRST 2026-11-01..2027-03-31 O-1", "KNOWN S-1 A window_open O-1",
             "KNOWN S-2 - window_open O-1", "KNOWN S-3 B window_open O-1", "");
    s_expect_gaps("O-1", "");
    s_expect_reason("O-1", s_att("O-1")->channel, "2026-11-01..2027-03-31");
}

Test(resolve, an_order_on_the_windows_last_day_is_inside_and_the_next_day_is_outside)
{
    Ledger__OrderFacts *o = s_order("O-1", "2026-03-01");
    s_channel(o, 'B', S(1));
    s_service(o, S(2));
    s_order("O-2", "2026-12-31T23:59");
    s_order("O-3", "2027-01-01T00:00");
    s_resolve();
    s_expect("O-2", "FIRST 2026-03-01..2026-12-31 O-1", "KNOWN S-1 B window_lock O-1",
             "KNOWN S-2 - window_lock O-1", "ABSENT no_assist", "");
    s_expect_reason("O-2", s_att("O-2")->channel, "locked by O-1's window 2026-03-01..2026-12-31");
    s_expect("O-3", "-", "NONE window_ended", "NONE window_ended", "NONE window_ended", "");
    s_expect_reason("O-3", s_att("O-3")->channel,
                    "outside any window: the window ended 2026-12-31");
    s_expect_gaps("O-3", "");
}

Test(resolve, a_november_window_holds_through_mar_31_and_not_apr_1)
{
    Ledger__OrderFacts *o = s_order("O-1", "2026-11-20");
    s_channel(o, 'C', S(1));
    s_order("O-2", "2027-03-31T23:59");
    s_order("O-3", "2027-04-01T00:00");
    s_resolve();
    s_expect("O-2", "FIRST 2026-11-20..2027-03-31 O-1", "KNOWN S-1 C window_lock O-1", NULL,
             NULL, "");
    s_expect("O-3", "-", "NONE window_ended", NULL, NULL, "");
}

/* ---- win-back ---- */

Test(resolve, a_winback_needs_a_date_strictly_more_than_three_calendar_months_on)
{
    static const struct { const char *first, *prev, *placed, *window, *reason; } cases[] = {
        { "2025-05-01", "2026-01-15", "2026-04-15", "-",
          "previous order 2026-01-15; a win-back needs a date after 2026-04-15" },
        { "2025-05-01", "2026-01-15", "2026-04-16", "WINBACK 2026-04-16..2027-04-15 O-3", NULL },
        { "2025-05-01", "2026-01-15T23:59", "2026-04-16T00:00",
          "WINBACK 2026-04-16..2027-04-15 O-3", NULL },
        /* Nov 30 + 3 months clamps to Feb 28 (Feb 29 in a leap year) */
        { "2025-05-01", "2026-11-30", "2027-02-28", "-",
          "previous order 2026-11-30; a win-back needs a date after 2027-02-28" },
        { "2025-05-01", "2026-11-30", "2027-03-01", "WINBACK 2027-03-01..2028-02-29 O-3", NULL },
        { "2026-05-01", "2027-11-30", "2028-02-29", "-",
          "previous order 2027-11-30; a win-back needs a date after 2028-02-29" },
        { "2026-05-01", "2027-11-30", "2028-03-01", "WINBACK 2028-03-01..2029-02-28 O-3", NULL },
        { "2025-05-01", "2027-05-10", "2027-08-11", "WINBACK 2027-08-11..2028-08-10 O-3", NULL },
    };
    for (size_t i = 0; i < N(cases); i++) {
        s_reset();
        s_order("O-1", cases[i].first);
        s_order("O-2", cases[i].prev);
        s_winback(s_order("O-3", cases[i].placed), S(5));
        s_resolve();
        char got[128];
        s_window_text(got, sizeof got, s_att("O-3")->window);
        cr_expect_str_eq(got, cases[i].window, "prev %s, order %s: got \"%s\", want \"%s\"",
                         cases[i].prev, cases[i].placed, got, cases[i].window);
        s_expect("O-2", "-", "NONE window_ended", NULL, NULL, "");
        if (cases[i].reason) {
            s_expect("O-3", "-", "NONE window_ended", "NONE window_ended", "NONE window_ended",
                     "");
            s_expect_reason("O-3", s_att("O-3")->channel, cases[i].reason);
        } else {
            s_expect("O-3", NULL, "KNOWN S-5 B winback O-3", "UNKNOWN unclaimed",
                     "ABSENT no_assist", "");
        }
    }
}

Test(resolve, a_winback_window_from_feb_29_ends_feb_28_next_year)
{
    s_order("O-1", "2026-05-01");
    s_winback(s_order("O-2", "2028-02-29"), S(5));
    s_order("O-3", "2029-02-28T23:59");
    s_order("O-4", "2029-03-01");
    s_resolve();
    s_expect("O-2", "WINBACK 2028-02-29..2029-02-28 O-2", "KNOWN S-5 B winback O-2", NULL, NULL,
             "");
    s_expect("O-3", "WINBACK 2028-02-29..2029-02-28 O-2", "KNOWN S-5 B window_lock O-2", NULL,
             NULL, "");
    s_expect("O-4", "-", "NONE window_ended", NULL, NULL, "");
    s_expect_reason("O-4", s_att("O-4")->channel, "the window ended 2029-02-28");
}

Test(resolve, a_winback_window_ends_the_day_before_the_same_date_next_year)
{
    static const struct { const char *placed, *want; } cases[] = {
        { "2027-05-10", "WINBACK 2027-05-10..2028-05-09 O-2" },
        { "2027-03-01", "WINBACK 2027-03-01..2028-02-29 O-2" },
        { "2028-03-01", "WINBACK 2028-03-01..2029-02-28 O-2" },
        { "2027-01-01", "WINBACK 2027-01-01..2027-12-31 O-2" },
    };
    for (size_t i = 0; i < N(cases); i++) {
        s_reset();
        s_order("O-1", "2026-01-10");
        s_winback(s_order("O-2", cases[i].placed), S(5));
        s_resolve();
        char got[128];
        s_window_text(got, sizeof got, s_att("O-2")->window);
        cr_expect_str_eq(got, cases[i].want, "win-back on %s: got \"%s\", want \"%s\"",
                         cases[i].placed, got, cases[i].want);
    }
}

Test(resolve, a_late_order_without_a_named_winback_staff_stays_none)
{
    Ledger__OrderFacts *o = s_order("O-1", "2026-02-01");
    s_channel(o, 'A', S(1));
    s_order("O-2", "2027-06-01");
    o = s_order("O-3", "2027-07-01");
    s_channel(o, 'A', S(1));
    s_service(o, S(2));
    s_assist(o, 'B', S(3));
    s_winback(s_order("O-4", "2027-10-02"), S(5));
    s_resolve();
    s_expect("O-2", "-", "NONE window_ended", "NONE window_ended", "NONE window_ended", "");
    s_expect_reason("O-2", s_att("O-2")->channel, "no win-back staff is named");
    s_expect("O-3", "-", "NONE window_ended", "NONE window_ended", "NONE window_ended",
             "channel:window_ended:S-1:A service:window_ended:S-2:- assist:window_ended:S-3:B");
    /* O-3 (Jul 1) is the previous order: Oct 2 is after Oct 1 */
    s_expect("O-4", "WINBACK 2027-10-02..2028-10-01 O-4", "KNOWN S-5 B winback O-4", NULL, NULL,
             "");
}

Test(resolve, a_winback_staff_on_a_first_order_or_inside_a_window_is_ignored)
{
    Ledger__OrderFacts *o = s_order("O-1", "2026-01-10");
    s_channel(o, 'A', S(1));
    s_winback(o, S(5));
    s_winback(s_order("O-2", "2026-06-01"), S(5));
    s_resolve();
    s_expect("O-1", "FIRST 2026-01-10..2026-12-31 O-1", "KNOWN S-1 A window_open O-1", NULL,
             NULL, "");
    s_expect("O-2", "FIRST 2026-01-10..2026-12-31 O-1", "KNOWN S-1 A window_lock O-1", NULL,
             NULL, "");
}

Test(resolve, a_winback_order_takes_its_staff_as_channel_b_and_its_own_service_and_assist)
{
    Ledger__OrderFacts *o = s_order("O-1", "2025-03-01");
    s_channel(o, 'A', S(1));
    s_service(o, S(2));
    s_assist(o, 'B', S(3));
    o = s_order("O-2", "2026-05-01");
    s_winback(o, S(5));
    s_channel(o, 'D', P(1));
    s_referrer(o, P(1), S(4));   /* not a D channel here: neither referrer nor fallback */
    s_service(o, S(6));
    s_assist(o, 'B', S(7));
    s_order("O-3", "2026-06-01");
    s_resolve();
    s_expect("O-2", "WINBACK 2026-05-01..2027-04-30 O-2", "KNOWN S-5 B winback O-2",
             "KNOWN S-6 - window_open O-2", "KNOWN S-7 B window_open O-2",
             "channel:winback:P-1:D");
    s_expect_reason("O-2", s_att("O-2")->channel, "previous order 2025-03-01");
    s_expect("O-3", "WINBACK 2026-05-01..2027-04-30 O-2", "KNOWN S-5 B window_lock O-2",
             "KNOWN S-6 - window_lock O-2", "KNOWN S-7 B window_lock O-2", "");
}

Test(resolve, a_winback_order_claiming_its_own_staff_as_channel_b_has_no_conflict)
{
    s_order("O-1", "2025-03-01");
    Ledger__OrderFacts *o = s_order("O-2", "2026-05-01");
    s_winback(o, S(5));
    s_channel(o, 'B', S(5));
    o = s_order("O-3", "2027-09-01");   /* the next win-back: A is not B */
    s_winback(o, S(5));
    s_channel(o, 'A', S(5));
    s_resolve();
    s_expect("O-2", NULL, "KNOWN S-5 B winback O-2", NULL, NULL, "");
    s_expect("O-3", "WINBACK 2027-09-01..2028-08-31 O-3", "KNOWN S-5 B winback O-3", NULL, NULL,
             "channel:winback:S-5:A");
}

/* ---- the lock and its one fill ---- */

Test(resolve, an_unknown_role_is_filled_once_from_that_order_on_and_earlier_orders_stay_unknown)
{
    s_order("O-1", "2026-01-05");
    Ledger__OrderFacts *o = s_order("O-2", "2026-02-01");
    s_channel(o, 'C', S(1));
    s_service(o, S(2));
    o = s_order("O-3", "2026-03-01");
    s_channel(o, 'C', S(4));
    s_service(o, S(5));
    s_resolve();
    s_expect("O-1", NULL, "UNKNOWN unclaimed", "UNKNOWN unclaimed", "ABSENT no_assist", "");
    s_expect_gaps("O-1", "channel,service");
    s_expect("O-2", NULL, "KNOWN S-1 C window_fill O-2", "KNOWN S-2 - window_fill O-2",
             "ABSENT no_assist", "");
    s_expect_gaps("O-2", "");
    s_expect("O-3", NULL, "KNOWN S-1 C window_lock O-2", "KNOWN S-2 - window_lock O-2",
             "ABSENT no_assist", "channel:window_lock:S-4:C service:window_lock:S-5:-");
    s_expect_reason("O-3", s_att("O-3")->channel,
                    "locked since O-2 filled it in O-1's window 2026-01-05..2026-12-31");
}

Test(resolve, channel_and_service_fill_apart_each_once)
{
    s_order("O-1", "2026-01-05");
    s_service(s_order("O-2", "2026-02-01"), S(2));
    s_channel(s_order("O-3", "2026-03-01"), 'A', S(1));
    s_order("O-4", "2026-04-01");
    s_resolve();
    s_expect("O-2", NULL, "UNKNOWN unclaimed", "KNOWN S-2 - window_fill O-2", NULL, "");
    s_expect_gaps("O-2", "channel");
    s_expect("O-3", NULL, "KNOWN S-1 A window_fill O-3", "KNOWN S-2 - window_lock O-2", NULL, "");
    s_expect("O-4", NULL, "KNOWN S-1 A window_lock O-3", "KNOWN S-2 - window_lock O-2", NULL, "");
}

Test(resolve, a_claim_equal_to_the_lock_is_no_conflict_and_a_different_one_is)
{
    Ledger__OrderFacts *o = s_order("O-1", "2026-01-05");
    s_channel(o, 'A', S(1));
    s_service(o, S(2));
    s_assist(o, 'B', S(3));
    o = s_order("O-2", "2026-02-01");
    s_channel(o, 'A', S(1));
    s_service(o, S(2));
    s_assist(o, 'B', S(3));
    s_channel(s_order("O-3", "2026-03-01"), 'B', S(1));   /* same party, other type */
    s_channel(s_order("O-4", "2026-04-01"), 'A', S(4));
    s_service(s_order("O-5", "2026-05-01"), P(2));        /* same id, other kind */
    s_assist(s_order("O-6", "2026-06-01"), 'A', S(3));
    s_assist(s_order("O-7", "2026-07-01"), 'B', S(4));
    s_resolve();
    const char *want[][2] = {
        { "O-2", "" },
        { "O-3", "channel:window_lock:S-1:B" },
        { "O-4", "channel:window_lock:S-4:A" },
        { "O-5", "service:window_lock:P-2:-" },
        { "O-6", "assist:window_lock:S-3:A" },
        { "O-7", "assist:window_lock:S-4:B" },
    };
    for (size_t i = 0; i < N(want); i++)
        s_expect(want[i][0], NULL, "KNOWN S-1 A window_lock O-1", "KNOWN S-2 - window_lock O-1",
                 "KNOWN S-3 B window_lock O-1", want[i][1]);
}

/* ---- outside referrer and the referral's fallback assist ---- */

Test(resolve, a_partner_referrer_is_the_service_of_the_opening_order_over_its_claim)
{
    Ledger__OrderFacts *o = s_order("O-1", "2026-01-05");
    s_channel(o, 'D', P(1));
    s_referrer(o, P(1), NULL);
    s_service(o, S(2));
    s_service(s_order("O-2", "2026-02-01"), S(2));
    s_resolve();
    s_expect("O-1", NULL, "KNOWN P-1 D window_open O-1", "KNOWN P-1 - referrer O-1",
             "ABSENT no_assist", "service:referrer:S-2:-");
    s_expect("O-2", NULL, "KNOWN P-1 D window_lock O-1", "KNOWN P-1 - window_lock O-1",
             "ABSENT no_assist", "service:window_lock:S-2:-");
}

Test(resolve, a_referrer_claimed_as_service_too_is_no_conflict)
{
    Ledger__OrderFacts *o = s_order("O-1", "2026-01-05");
    s_channel(o, 'D', P(1));
    s_referrer(o, P(1), NULL);
    s_service(o, P(1));
    s_resolve();
    s_expect("O-1", NULL, "KNOWN P-1 D window_open O-1", "KNOWN P-1 - referrer O-1", NULL, "");
}

Test(resolve, a_referring_customer_who_is_a_partner_makes_that_partner_the_service)
{
    Ledger__OrderFacts *o = s_order("O-1", "2026-01-05");
    s_channel(o, 'D', CU(4));
    s_referrer(o, P(7), NULL);
    s_resolve();
    s_expect("O-1", NULL, "KNOWN C-4 D window_open O-1", "KNOWN P-7 - referrer O-1", NULL, "");
}

Test(resolve, a_referral_channel_that_is_not_a_partner_leaves_the_service_to_its_claim)
{
    static const struct { int with_facts; const char *service; } cases[] = {
        { 0, "KNOWN S-2 - window_open O-1" },   /* no referrer facts */
        { 1, "KNOWN S-2 - window_open O-1" },   /* facts with partner_id 0 */
    };
    for (size_t i = 0; i < N(cases); i++) {
        s_reset();
        Ledger__OrderFacts *o = s_order("O-1", "2026-01-05");
        s_channel(o, 'D', CU(4));
        if (cases[i].with_facts)
            s_referrer(o, NULL, NULL);
        s_service(o, S(2));
        s_resolve();
        s_expect("O-1", NULL, "KNOWN C-4 D window_open O-1", cases[i].service, NULL, "");
    }
}

Test(resolve, a_referrer_fills_an_unknown_service_with_the_channel_it_fills)
{
    s_order("O-1", "2026-01-05");
    Ledger__OrderFacts *o = s_order("O-2", "2026-02-01");
    s_channel(o, 'D', P(1));
    s_referrer(o, P(1), S(3));
    s_service(o, S(2));
    s_order("O-3", "2026-03-01");
    s_resolve();
    s_expect("O-1", NULL, "UNKNOWN unclaimed", "UNKNOWN unclaimed", "ABSENT no_assist", "");
    /* no fallback assist: O-2 is not the opening order */
    s_expect("O-2", NULL, "KNOWN P-1 D window_fill O-2", "KNOWN P-1 - referrer O-2",
             "ABSENT no_assist", "service:referrer:S-2:-");
    s_expect("O-3", NULL, "KNOWN P-1 D window_lock O-2", "KNOWN P-1 - window_lock O-2",
             "ABSENT no_assist", "");
}

Test(resolve, a_known_service_is_not_replaced_by_a_later_referrer)
{
    s_service(s_order("O-1", "2026-01-05"), S(2));
    Ledger__OrderFacts *o = s_order("O-2", "2026-02-01");
    s_channel(o, 'D', P(1));
    s_referrer(o, P(1), S(3));
    s_resolve();
    s_expect("O-2", NULL, "KNOWN P-1 D window_fill O-2", "KNOWN S-2 - window_lock O-1",
             "ABSENT no_assist", "");
}

Test(resolve, the_referrers_developer_assists_on_the_opening_order_without_a_claim)
{
    Ledger__OrderFacts *o = s_order("O-1", "2026-01-05");
    s_channel(o, 'D', P(1));
    s_referrer(o, P(1), S(3));
    s_order("O-2", "2026-02-01");
    s_resolve();
    s_expect("O-1", NULL, "KNOWN P-1 D window_open O-1", "KNOWN P-1 - referrer O-1",
             "KNOWN S-3 A referral_fallback O-1", "");
    s_expect("O-2", NULL, NULL, NULL, "KNOWN S-3 A window_lock O-1", "");
    cr_expect_str_eq(resolution_summary(s_r)->windows[0]->assist->rule, "referral_fallback");
}

Test(resolve, an_abc_claim_on_the_opening_order_replaces_the_referral_fallback)
{
    static const struct { char type; int contact; const char *assist, *conflicts; } cases[] = {
        { 'A', 0, "KNOWN S-4 A window_open O-1", "" },
        { 'B', 0, "KNOWN S-4 B window_open O-1", "" },
        { 'C', 1, "KNOWN S-4 C window_open O-1", "" },
        { 'C', 0, "ABSENT no_assist", "assist:c_invalid:S-4:C" },   /* invalid: still no fallback */
    };
    for (size_t i = 0; i < N(cases); i++) {
        s_reset();
        if (cases[i].contact)
            s_first_contact(s_ms("2025-12-01"));
        Ledger__OrderFacts *o = s_order("O-1", "2026-01-05");
        s_channel(o, 'D', P(1));
        s_referrer(o, P(1), S(3));
        s_assist(o, cases[i].type, S(4));
        s_resolve();
        s_expect("O-1", NULL, NULL, "KNOWN P-1 - referrer O-1", cases[i].assist,
                 cases[i].conflicts);
    }
}

Test(resolve, a_d_claim_on_the_opening_order_leaves_the_fallback_as_the_windows_assist)
{
    Ledger__OrderFacts *o = s_order("O-1", "2026-01-05");
    s_channel(o, 'D', P(1));
    s_referrer(o, P(1), S(3));
    s_assist(o, 'D', S(6));
    s_solution(o, "SOL-1");
    s_order("O-2", "2026-02-01");
    s_resolve();
    s_expect("O-1", NULL, NULL, NULL, "KNOWN S-6 D solution O-1", "");
    s_expect("O-2", NULL, NULL, NULL, "KNOWN S-3 A window_lock O-1", "");
}

Test(resolve, no_fallback_when_the_developer_is_the_service)
{
    Ledger__OrderFacts *o = s_order("O-1", "2026-01-05");
    s_channel(o, 'D', CU(4));
    s_referrer(o, NULL, S(2));   /* not a partner: the service comes from the claim */
    s_service(o, S(2));
    s_order("O-2", "2026-02-01");
    s_resolve();
    s_expect("O-1", NULL, NULL, "KNOWN S-2 - window_open O-1", "ABSENT equals_service", "");
    s_expect("O-2", NULL, NULL, NULL, "ABSENT no_assist", "");
}

Test(resolve, the_referral_chain_p_refers_q_who_talks_to_s)
{
    /* P refers Q; Q talks to staff salesperson S and orders: channel P,
     * service P, assist S. */
    Ledger__OrderFacts *o = s_order("O-1", "2026-04-01");
    s_channel(o, 'D', P(1));
    s_referrer(o, P(1), S(9));
    s_assist(o, 'A', S(1));
    s_resolve();
    s_expect("O-1", "FIRST 2026-04-01..2026-12-31 O-1", "KNOWN P-1 D window_open O-1",
             "KNOWN P-1 - referrer O-1", "KNOWN S-1 A window_open O-1", "");
    s_expect_gaps("O-1", "");
}

/* ---- assist equal to service ---- */

Test(resolve, an_assist_equal_to_the_service_is_dropped_with_a_conflict)
{
    Ledger__OrderFacts *o = s_order("O-1", "2026-01-05");
    s_service(o, S(2));
    s_assist(o, 'B', S(2));
    s_assist(s_order("O-2", "2026-02-01"), 'B', S(2));
    s_resolve();
    s_expect("O-1", NULL, NULL, "KNOWN S-2 - window_open O-1", "ABSENT equals_service",
             "assist:equals_service:S-2:B");
    s_expect("O-2", NULL, NULL, NULL, "ABSENT no_assist", "assist:window_lock:S-2:B");
    const Ledger__Role *held = resolution_summary(s_r)->windows[0]->assist;
    cr_expect_eq(held->state, LEDGER__ROLE_STATE__ROLE_ABSENT, "the window has no assist");
}

Test(resolve, a_window_assist_equal_to_a_later_filled_service_is_absent_on_that_order)
{
    s_assist(s_order("O-1", "2026-01-05"), 'B', S(3));
    s_service(s_order("O-2", "2026-02-01"), S(3));
    s_assist(s_order("O-3", "2026-03-01"), 'B', S(3));
    s_resolve();
    s_expect("O-1", NULL, NULL, "UNKNOWN unclaimed", "KNOWN S-3 B window_open O-1", "");
    s_expect("O-2", NULL, NULL, "KNOWN S-3 - window_fill O-2", "ABSENT equals_service", "");
    s_expect("O-3", NULL, NULL, "KNOWN S-3 - window_lock O-2", "ABSENT equals_service",
             "assist:equals_service:S-3:B");
}

/* ---- type C ---- */

Test(resolve, a_proactive_assist_needs_the_first_order_strictly_after_72_hours)
{
    int64_t contact = s_ms("2026-01-01T10:00");
    static const struct { int64_t after; int contact; const char *assist, *conflicts; } cases[] = {
        { 72 * HOUR_MS, 1, "ABSENT no_assist", "assist:c_invalid:S-4:C" },
        { 72 * HOUR_MS + 1, 1, "KNOWN S-4 C window_open O-1", "" },
        { 10 * 24 * HOUR_MS, 1, "KNOWN S-4 C window_open O-1", "" },
        { 1 * HOUR_MS, 1, "ABSENT no_assist", "assist:c_invalid:S-4:C" },
        { 10 * 24 * HOUR_MS, 0, "ABSENT no_assist", "assist:c_invalid:S-4:C" },
    };
    for (size_t i = 0; i < N(cases); i++) {
        s_reset();
        if (cases[i].contact)
            s_first_contact(contact);
        s_assist(s_order_ms("O-1", contact + cases[i].after), 'C', S(4));
        s_resolve();
        s_expect("O-1", NULL, NULL, NULL, cases[i].assist, cases[i].conflicts);
    }
}

Test(resolve, a_proactive_assist_on_a_later_order_is_invalid_unless_it_repeats_the_window)
{
    s_first_contact(s_ms("2025-01-01"));
    s_assist(s_order("O-1", "2025-03-01"), 'C', S(4));
    s_assist(s_order("O-2", "2025-04-01"), 'C', S(4));   /* the window's own: no conflict */
    s_assist(s_order("O-3", "2025-05-01"), 'C', S(5));
    Ledger__OrderFacts *o = s_order("O-4", "2026-06-01");
    s_winback(o, S(5));
    s_assist(o, 'C', S(4));
    s_resolve();
    s_expect("O-1", NULL, NULL, NULL, "KNOWN S-4 C window_open O-1", "");
    s_expect("O-2", NULL, NULL, NULL, "KNOWN S-4 C window_lock O-1", "");
    s_expect("O-3", NULL, NULL, NULL, "KNOWN S-4 C window_lock O-1", "assist:c_invalid:S-5:C");
    s_expect("O-4", "WINBACK 2026-06-01..2027-05-31 O-4", NULL, NULL, "ABSENT no_assist",
             "assist:c_invalid:S-4:C");
}

Test(resolve, a_proactive_assist_counts_the_first_order_after_a_cancelled_one_as_first)
{
    s_first_contact(s_ms("2026-01-01"));
    Ledger__OrderFacts *o = s_order("O-1", "2026-01-10");
    o->cancelled = 1;
    s_assist(o, 'C', S(4));
    s_assist(s_order("O-2", "2026-01-11"), 'C', S(4));
    s_resolve();
    s_expect("O-1", "-", NULL, NULL, "NONE cancelled", "");
    s_expect("O-2", "FIRST 2026-01-11..2026-12-31 O-2", NULL, NULL, "KNOWN S-4 C window_open O-2",
             "");
}

/* ---- type D ---- */

Test(resolve, a_solution_assist_follows_its_solution_across_none_and_winback)
{
    Ledger__OrderFacts *o = s_order("O-1", "2025-03-01");
    s_channel(o, 'A', S(1));
    s_service(o, S(2));
    s_assist(o, 'B', S(3));
    o = s_order("O-2", "2025-04-01");
    s_solution(o, "SOL-1");
    s_assist(o, 'D', S(6));
    s_order("O-3", "2025-05-01");
    s_solution(s_order("O-4", "2026-02-01"), "SOL-1");
    s_order("O-5", "2026-03-01");
    o = s_order("O-6", "2026-07-01");
    s_winback(o, S(5));
    s_solution(o, "SOL-1");
    s_assist(o, 'B', S(7));
    s_order("O-7", "2026-08-01");
    s_solution(s_order("O-8", "2026-09-01"), "SOL-2");
    s_resolve();
    s_expect("O-2", NULL, NULL, NULL, "KNOWN S-6 D solution O-2", "");
    s_expect("O-3", NULL, NULL, NULL, "KNOWN S-3 B window_lock O-1", "");
    s_expect("O-4", "-", "NONE window_ended", NULL, "KNOWN S-6 D solution O-2", "");
    s_expect("O-5", "-", NULL, NULL, "NONE window_ended", "");
    s_expect("O-6", "WINBACK 2026-07-01..2027-06-30 O-6", NULL, NULL, "KNOWN S-6 D solution O-2",
             "");
    s_expect("O-7", NULL, NULL, NULL, "KNOWN S-7 B window_lock O-6", "");
    s_expect("O-8", NULL, NULL, NULL, "KNOWN S-7 B window_lock O-6", "");
    cr_expect_str_eq(s_att("O-4")->solution_id, "SOL-1");
    const Ledger__CustomerAttribution *sum = resolution_summary(s_r);
    cr_assert_eq(sum->n_solutions, 1, "solutions: got %zu, want 1", sum->n_solutions);
    cr_expect_str_eq(sum->solutions[0]->solution_id, "SOL-1");
    cr_expect_str_eq(sum->solutions[0]->assist->code, "S-6");
    cr_expect_str_eq(sum->solutions[0]->since, "O-2");
}

Test(resolve, a_solution_assist_is_recorded_outside_a_window_too)
{
    s_order("O-1", "2025-03-01");
    Ledger__OrderFacts *o = s_order("O-2", "2026-02-01");
    s_solution(o, "SOL-1");
    s_assist(o, 'D', S(6));
    s_resolve();
    s_expect("O-2", "-", "NONE window_ended", "NONE window_ended", "KNOWN S-6 D solution O-2", "");
}

Test(resolve, a_solution_assist_is_not_retroactive)
{
    s_assist(s_order("O-1", "2026-01-05"), 'B', S(3));
    s_solution(s_order("O-2", "2026-02-01"), "SOL-1");
    Ledger__OrderFacts *o = s_order("O-3", "2026-03-01");
    s_solution(o, "SOL-1");
    s_assist(o, 'D', S(6));
    s_solution(s_order("O-4", "2026-04-01"), "SOL-1");
    s_resolve();
    s_expect("O-2", NULL, NULL, NULL, "KNOWN S-3 B window_lock O-1", "");
    s_expect("O-3", NULL, NULL, NULL, "KNOWN S-6 D solution O-3", "");
    s_expect("O-4", NULL, NULL, NULL, "KNOWN S-6 D solution O-3", "");
}

Test(resolve, a_solution_claim_without_a_solution_id_is_dropped)
{
    s_assist(s_order("O-1", "2026-01-05"), 'D', S(6));
    s_resolve();
    s_expect("O-1", NULL, NULL, NULL, "ABSENT no_assist", "assist:d_without_solution:S-6:D");
    cr_expect_eq(resolution_summary(s_r)->n_solutions, 0);
}

Test(resolve, a_solution_already_assisted_keeps_its_first_assist)
{
    Ledger__OrderFacts *o = s_order("O-1", "2026-01-05");
    s_solution(o, "SOL-1");
    s_assist(o, 'D', S(6));
    o = s_order("O-2", "2026-02-01");
    s_solution(o, "SOL-1");
    s_assist(o, 'D', S(7));
    o = s_order("O-3", "2026-03-01");
    s_solution(o, "SOL-1");
    s_assist(o, 'D', S(6));
    s_resolve();
    s_expect("O-2", NULL, NULL, NULL, "KNOWN S-6 D solution O-1", "assist:solution_assisted:S-7:D");
    s_expect("O-3", NULL, NULL, NULL, "KNOWN S-6 D solution O-1", "");
}

Test(resolve, a_solution_claim_equal_to_the_service_is_dropped_and_not_recorded)
{
    Ledger__OrderFacts *o = s_order("O-1", "2026-01-05");
    s_service(o, S(2));
    s_assist(o, 'B', S(3));
    s_solution(o, "SOL-1");
    s_assist(o, 'D', S(2));
    o = s_order("O-2", "2026-02-01");
    s_solution(o, "SOL-1");
    s_assist(o, 'D', S(6));
    s_resolve();
    s_expect("O-1", NULL, NULL, NULL, "ABSENT no_assist", "assist:equals_service:S-2:D");
    s_expect("O-2", NULL, NULL, NULL, "KNOWN S-6 D solution O-2", "");
    const Ledger__CustomerAttribution *sum = resolution_summary(s_r);
    cr_assert_eq(sum->n_solutions, 1);
    cr_expect_str_eq(sum->solutions[0]->since, "O-2");
}

Test(resolve, a_recorded_solution_assist_equal_to_a_later_service_is_absent_there)
{
    Ledger__OrderFacts *o = s_order("O-1", "2026-01-05");
    s_solution(o, "SOL-1");
    s_assist(o, 'D', S(6));
    o = s_order("O-2", "2026-02-01");
    s_service(o, S(6));
    s_solution(o, "SOL-1");
    o = s_order("O-3", "2026-03-01");
    s_solution(o, "SOL-1");
    s_assist(o, 'D', S(6));
    s_resolve();
    s_expect("O-1", NULL, NULL, "UNKNOWN unclaimed", "KNOWN S-6 D solution O-1", "");
    s_expect("O-2", NULL, NULL, "KNOWN S-6 - window_fill O-2", "ABSENT equals_service", "");
    s_expect("O-3", NULL, NULL, "KNOWN S-6 - window_lock O-2", "ABSENT equals_service",
             "assist:equals_service:S-6:D");
}

/* ---- cancelled orders, ties, handler and arrangers ---- */

Test(resolve, a_cancelled_first_order_opens_no_window_and_is_no_previous_order)
{
    Ledger__OrderFacts *o = s_order("O-1", "2026-01-05");
    o->cancelled = 1;
    s_channel(o, 'A', S(1));
    s_solution(o, "SOL-1");
    s_assist(o, 'D', S(6));
    o = s_order("O-2", "2026-11-05");
    s_solution(o, "SOL-1");
    s_order("O-3", "2027-04-01");
    s_order("O-4", "2027-07-01")->cancelled = 1;
    s_winback(s_order("O-5", "2027-07-02"), S(5));   /* previous order: O-3, Apr 1 */
    s_resolve();
    const Ledger__Attribution *a = s_att("O-1");
    cr_expect(a->cancelled, "O-1 is cancelled");
    s_expect("O-1", "-", "NONE cancelled", "NONE cancelled", "NONE cancelled", "");
    s_expect_gaps("O-1", "");
    char got[128];
    s_role_text(got, sizeof got, a->handler);
    cr_expect_str_eq(got, "KNOWN S-8 - order O-1", "cancelled handler: got \"%s\"", got);
    cr_expect_eq(a->n_arrangers, 1, "cancelled arrangers: got %zu", a->n_arrangers);
    s_expect("O-2", "FIRST 2026-11-05..2027-03-31 O-2", "UNKNOWN unclaimed", NULL,
             "ABSENT no_assist", "");
    s_expect("O-4", "-", "NONE cancelled", NULL, NULL, "");
    s_expect("O-5", "WINBACK 2027-07-02..2028-07-01 O-5", NULL, NULL, NULL, "");
    const Ledger__CustomerAttribution *sum = resolution_summary(s_r);
    cr_expect_eq(sum->n_solutions, 0, "a cancelled order records no solution");
}

Test(resolve, a_cancelled_order_without_handler_has_no_gaps)
{
    Ledger__OrderFacts *o = s_order("O-1", "2026-01-05");
    o->cancelled = 1;
    o->handler = NULL;
    o->n_arrangers = 0;
    s_resolve();
    char got[128];
    s_role_text(got, sizeof got, s_att("O-1")->handler);
    cr_expect_str_eq(got, "UNKNOWN missing", "handler: got \"%s\"", got);
    s_expect_gaps("O-1", "");
}

Test(resolve, a_cancelled_order_inside_a_window_fills_nothing_and_claims_nothing)
{
    s_order("O-1", "2026-01-05");
    Ledger__OrderFacts *o = s_order("O-2", "2026-02-01");
    o->cancelled = 1;
    s_channel(o, 'A', S(1));
    s_service(o, S(2));
    s_assist(o, 'B', S(3));
    s_order("O-3", "2026-03-01");
    s_resolve();
    s_expect("O-2", "-", "NONE cancelled", "NONE cancelled", "NONE cancelled", "");
    s_expect("O-3", "FIRST 2026-01-05..2026-12-31 O-1", "UNKNOWN unclaimed", "UNKNOWN unclaimed",
             "ABSENT no_assist", "");
    cr_expect_eq(resolution_summary(s_r)->n_windows, 1);
}

Test(resolve, a_party_with_an_empty_code_is_no_claim)
{
    static Ledger__PartyRef empty = LEDGER__PARTY_REF__INIT;
    empty.kind = LEDGER__PARTY_KIND__PARTY_STAFF;
    Ledger__OrderFacts *o = s_order("O-1", "2026-01-05");
    s_channel(o, 'A', &empty);
    s_service(o, &empty);
    s_assist(o, 'B', &empty);
    o->handler = &empty;
    s_arr[0][0] = &empty;
    s_channel(s_order("O-2", "2027-02-01"), 'A', &empty);
    s_resolve();
    s_expect("O-1", NULL, "UNKNOWN unclaimed", "UNKNOWN unclaimed", "ABSENT no_assist", "");
    s_expect_gaps("O-1", "channel,service,handler,arrangers");
    s_expect("O-2", "-", "NONE window_ended", NULL, NULL, "");
}

Test(resolve, an_assist_claim_without_a_type_is_taken_as_a_window_assist_of_type_0)
{
    Ledger__OrderFacts *o = s_order("O-1", "2026-01-05");
    o->claims->assist = S(3);
    s_order("O-2", "2026-02-01");
    s_resolve();
    s_expect("O-1", NULL, NULL, NULL, "KNOWN S-3 - window_open O-1", "");
    s_expect("O-2", NULL, NULL, NULL, "KNOWN S-3 - window_lock O-1", "");
}

Test(resolve, every_claim_outside_a_window_conflicts_but_a_solution_assist)
{
    static const struct { char type; const char *sid, *assist, *conflicts; } cases[] = {
        { 'A', "", "NONE window_ended", "assist:window_ended:S-3:A" },
        { 'C', "", "NONE window_ended", "assist:window_ended:S-3:C" },
        { 'D', "SOL-1", "KNOWN S-3 D solution O-2", "" },
        { 'D', "", "NONE window_ended", "assist:d_without_solution:S-3:D" },
    };
    for (size_t i = 0; i < N(cases); i++) {
        s_reset();
        s_first_contact(s_ms("2024-01-01"));
        s_order("O-1", "2025-03-01");
        Ledger__OrderFacts *o = s_order("O-2", "2026-01-20");
        s_assist(o, cases[i].type, S(3));
        s_solution(o, cases[i].sid);
        s_resolve();
        s_expect("O-2", "-", "NONE window_ended", "NONE window_ended", cases[i].assist,
                 cases[i].conflicts);
    }
}

Test(resolve, orders_placed_at_the_same_time_resolve_in_code_order)
{
    int64_t t = s_ms("2026-05-01T10:00");
    s_channel(s_order_ms("O-2", t), 'A', S(3));
    s_channel(s_order_ms("O-1", t), 'A', S(1));
    s_order_ms("O-0", t + 1);
    s_resolve();
    size_t at = 99;
    const Ledger__Attribution *first = resolution_order(s_r, 0, &at);
    cr_expect_str_eq(first->order_code, "O-1");
    cr_expect_eq(at, 1, "O-1 stands at facts index 1, got %zu", at);
    cr_expect_str_eq(resolution_order(s_r, 1, &at)->order_code, "O-2");
    cr_expect_eq(at, 0, "O-2 stands at facts index 0, got %zu", at);
    cr_expect_str_eq(resolution_order(s_r, 2, NULL)->order_code, "O-0");
    s_expect("O-1", "FIRST 2026-05-01..2026-12-31 O-1", "KNOWN S-1 A window_open O-1", NULL, NULL,
             "");
    s_expect("O-2", NULL, "KNOWN S-1 A window_lock O-1", NULL, NULL, "channel:window_lock:S-3:A");
}

Test(resolve, missing_handler_and_arrangers_are_gaps_after_channel_and_service)
{
    Ledger__OrderFacts *o = s_order("O-1", "2026-01-05");
    o->handler = NULL;
    o->n_arrangers = 0;
    o = s_order("O-2", "2026-02-01");
    s_arr[1][1] = S(7);
    o->n_arrangers = 2;
    s_order("O-3", "2027-02-01")->handler = NULL;   /* NONE is not a gap; the handler is */
    s_resolve();
    s_expect_gaps("O-1", "channel,service,handler,arrangers");
    char got[128];
    s_role_text(got, sizeof got, s_att("O-1")->handler);
    cr_expect_str_eq(got, "UNKNOWN missing", "handler: got \"%s\"", got);
    cr_expect_eq(s_att("O-1")->n_arrangers, 0);
    const Ledger__Attribution *a = s_att("O-2");
    cr_assert_eq(a->n_arrangers, 2, "arrangers: got %zu, want 2", a->n_arrangers);
    s_role_text(got, sizeof got, a->arrangers[1]);
    cr_expect_str_eq(got, "KNOWN S-7 - order O-2", "arranger 1: got \"%s\"", got);
    s_role_text(got, sizeof got, a->handler);
    cr_expect_str_eq(got, "KNOWN S-8 - order O-2", "handler: got \"%s\"", got);
    s_expect_gaps("O-2", "channel,service");
    s_expect_gaps("O-3", "handler");
}

Test(resolve, an_attribution_copies_the_orders_identity)
{
    Ledger__OrderFacts *o = s_order("O-1", "2026-01-05T09:30");
    o->id = 77;
    o->version = 4;
    s_solution(o, "SOL-9");
    s_resolve();
    const Ledger__Attribution *a = s_att("O-1");
    cr_expect_eq(a->order_id, 77);
    cr_expect_eq(a->order_version, 4);
    cr_expect_eq(a->customer_id, 100);
    cr_expect_str_eq(a->customer_code, "C-100");
    cr_expect_eq(a->placed_ms, s_ms("2026-01-05T09:30"));
    cr_expect_str_eq(a->solution_id, "SOL-9");
    cr_expect_not(a->cancelled);
}

/* ---- the summary ---- */

Test(resolve, the_summary_lists_windows_as_held_conflicts_and_solutions)
{
    Ledger__OrderFacts *o = s_order("O-01", "2025-11-10");
    s_service(o, S(2));
    s_channel(s_order("O-02", "2026-01-10"), 'B', S(1));   /* fills */
    s_channel(s_order("O-03", "2026-02-10"), 'B', S(4));   /* lock conflict */
    s_order("O-04", "2026-05-01")->handler = NULL;          /* NONE, gap */
    o = s_order("O-05", "2026-06-01");                      /* NONE, conflict */
    s_service(o, S(2));
    s_solution(o, "SOL-1");
    s_assist(o, 'D', S(6));
    s_order("O-06", "2026-07-01")->cancelled = 1;
    o = s_order("O-07", "2026-09-02");
    s_winback(o, S(5));
    s_assist(o, 'B', S(3));
    s_resolve();

    const Ledger__CustomerAttribution *sum = resolution_summary(s_r);
    cr_expect_eq(sum->customer_id, 100);
    cr_expect_str_eq(sum->customer_code, "C-100");
    static const struct { const char *window, *channel, *service, *assist; } want[] = {
        { "FIRST 2025-11-10..2026-03-31 O-01", "KNOWN S-1 B window_fill O-02",
          "KNOWN S-2 - window_open O-01", "ABSENT no_assist" },
        { "WINBACK 2026-09-02..2027-09-01 O-07", "KNOWN S-5 B winback O-07", "UNKNOWN unclaimed",
          "KNOWN S-3 B window_open O-07" },
    };
    cr_assert_eq(sum->n_windows, N(want), "windows: got %zu, want %zu", sum->n_windows, N(want));
    for (size_t i = 0; i < N(want); i++) {
        const Ledger__WindowHistory *h = sum->windows[i];
        char got[256];
        s_window_text(got, sizeof got, h->window);
        cr_expect_str_eq(got, want[i].window, "window %zu: got \"%s\", want \"%s\"", i, got,
                         want[i].window);
        const struct { const Ledger__Role *role; const char *want; } roles[] = {
            { h->channel, want[i].channel }, { h->service, want[i].service },
            { h->assist, want[i].assist },
        };
        for (size_t j = 0; j < N(roles); j++) {
            s_role_text(got, sizeof got, roles[j].role);
            cr_expect_str_eq(got, roles[j].want, "window %zu role %zu: got \"%s\", want \"%s\"",
                             i, j, got, roles[j].want);
        }
    }

    static const struct { const char *code, *conflicts; } cw[] = {
        { "O-03", "channel:window_lock:S-4:B" },
        { "O-05", "service:window_ended:S-2:-" },
    };
    cr_assert_eq(sum->n_conflicts, N(cw), "order conflicts: got %zu, want %zu", sum->n_conflicts,
                 N(cw));
    for (size_t i = 0; i < N(cw); i++) {
        char got[256];
        cr_expect_str_eq(sum->conflicts[i]->order_code, cw[i].code);
        cr_expect_eq(sum->conflicts[i]->placed_ms, s_att(cw[i].code)->placed_ms);
        s_conflicts_text(got, sizeof got, sum->conflicts[i]->conflicts,
                         sum->conflicts[i]->n_conflicts);
        cr_expect_str_eq(got, cw[i].conflicts, "%s: got \"%s\", want \"%s\"", cw[i].code, got,
                         cw[i].conflicts);
    }
    cr_assert_eq(sum->n_solutions, 1);
    cr_expect_str_eq(sum->solutions[0]->since, "O-05");
}

Test(resolve, no_orders_give_an_empty_summary)
{
    s_resolve();
    const Ledger__CustomerAttribution *sum = resolution_summary(s_r);
    cr_expect_eq(sum->n_windows + sum->n_conflicts + sum->n_solutions, 0);
    cr_expect_str_eq(sum->customer_code, "C-100");
    uint8_t buf[64];
    cr_expect_lt(protobuf_c_message_pack(&sum->base, buf), sizeof buf);
}

Test(resolve, destroy_ignores_a_null_resolution)
{
    resolution_t *r = NULL;
    resolution_destroy(&r);
    cr_expect_null(r);
    s_order("O-1", "2026-01-05");
    r = resolve_customer(&s_cf);
    resolution_destroy(&r);
    cr_expect_null(r, "resolution_destroy sets *self_p to NULL");
}

/* ---- arrival order never matters ---- */

typedef struct {
    size_t n;
    uint8_t *bytes[ORDERS_MAX + 1];   /* packed Attributions by position, then the summary */
    size_t len[ORDERS_MAX + 1];
} packed_t;

/* s_pack - a message packed into a malloc'd buffer; checks it unpacks */
static uint8_t *s_pack(const ProtobufCMessage *m, size_t *len)
{
    *len = protobuf_c_message_get_packed_size(m);
    uint8_t *buf = malloc(*len ? *len : 1);
    cr_assert_eq(protobuf_c_message_pack(m, buf), *len, "pack %s", m->descriptor->name);
    ProtobufCMessage *back = protobuf_c_message_unpack(m->descriptor, NULL, *len, buf);
    cr_assert_not_null(back, "unpack %s", m->descriptor->name);
    protobuf_c_message_free_unpacked(back, NULL);
    return buf;
}

/* s_packed - resolve the facts as now ordered and pack every result */
static void s_packed(packed_t *out)
{
    s_resolve();
    out->n = resolution_count(s_r);
    for (size_t i = 0; i < out->n; i++) {
        const Ledger__Attribution *a = resolution_order(s_r, i, NULL);
        const Ledger__Role *roles[] = { a->channel, a->service, a->assist, a->handler };
        for (size_t j = 0; j < N(roles); j++)
            cr_assert(roles[j] && roles[j]->rule[0] && roles[j]->reason[0],
                      "%s role %zu has a rule and a reason", a->order_code, j);
        out->bytes[i] = s_pack(&a->base, &out->len[i]);
    }
    out->bytes[out->n] = s_pack(&resolution_summary(s_r)->base, &out->len[out->n]);
}

static void s_packed_free(packed_t *p)
{
    for (size_t i = 0; i <= p->n; i++)
        free(p->bytes[i]);
}

/* s_same_packed - got == want, byte for byte, naming the arrangement */
static void s_same_packed(const packed_t *got, const packed_t *want, const char *what)
{
    cr_assert_eq(got->n, want->n);
    for (size_t i = 0; i <= want->n; i++)
        cr_assert(got->len[i] == want->len[i] &&
                  memcmp(got->bytes[i], want->bytes[i], want->len[i]) == 0,
                  "%s: %s %zu differs (%zu bytes, want %zu)", what,
                  i < want->n ? "attribution" : "summary", i, got->len[i], want->len[i]);
}

/* s_year - about thirty orders of one customer over two years: ties, fills,
 * conflicts, a cancelled order, a NONE period, a win-back, D solutions */
static void s_year(void)
{
    static char codes[32][8];
    s_first_contact(s_ms("2025-01-20"));
    int64_t t = s_ms("2025-02-01T09:00");
    for (int i = 0; i < 30; i++) {
        /* every fifth order shares its time with the one before; its code sorts first */
        int64_t days = i < 20 ? 17 : i == 23 ? 130 : 33;   /* a long pause before O-24 */
        int64_t at = i % 5 == 4 ? t : (t += days * 24 * HOUR_MS);
        snprintf(codes[i], sizeof codes[i], "O-%02d", i % 5 == 4 ? i - 2 : i + 1);
        Ledger__OrderFacts *o = s_order_ms(codes[i], at);
        if (i == 0)
            s_assist(o, 'C', S(4));
        if (i == 1) {
            s_channel(o, 'D', P(1));
            s_referrer(o, P(1), S(3));
            s_service(o, S(2));
        }
        if (i % 7 == 3)
            s_channel(o, 'A', S(i % 4 + 1));
        if (i % 6 == 2)
            s_service(o, S(2 + i % 3));
        if (i % 4 == 1) {
            s_solution(o, i % 8 == 1 ? "SOL-1" : "SOL-2");
            s_assist(o, 'D', S(5 + i % 3));
        }
        if (i % 9 == 5)
            s_assist(o, 'B', S(6));
        if (i == 12)
            o->cancelled = 1;
        if (i == 13)
            o->handler = NULL;
        if (i >= 21)
            s_winback(o, S(5));
    }
}

/* s_permute - reorder facts' orders as base[perm[i]] */
static void s_permute(Ledger__OrderFacts **base, const size_t *perm, size_t n)
{
    for (size_t i = 0; i < n; i++)
        s_list[i] = base[perm[i]];
}

Test(resolve, a_year_of_orders_resolves_the_same_in_any_rotation_or_shuffle)
{
    s_year();
    size_t n = s_cf.n_orders;
    Ledger__OrderFacts *base[ORDERS_MAX];
    memcpy(base, s_list, n * sizeof *base);
    packed_t want = { 0 };
    s_packed(&want);
    /* the scenario reaches what it is meant to */
    const Ledger__CustomerAttribution *sum = resolution_summary(s_r);
    cr_expect_geq(sum->n_windows, 2, "windows: %zu", sum->n_windows);
    size_t outside = 0;
    for (size_t i = 0; i < resolution_count(s_r); i++)
        outside += !resolution_order(s_r, i, NULL)->window;
    cr_expect_gt(outside, 0);
    cr_expect_gt(sum->n_conflicts, 0);
    cr_expect_gt(sum->n_solutions, 0);

    size_t perm[ORDERS_MAX];
    char what[64];
    for (size_t rot = 0; rot < n; rot++) {
        for (int rev = 0; rev < 2; rev++) {
            for (size_t i = 0; i < n; i++)
                perm[i] = rev ? (rot + n - i) % n : (rot + i) % n;
            s_permute(base, perm, n);
            packed_t got = { 0 };
            s_packed(&got);
            snprintf(what, sizeof what, "rotation %zu%s", rot, rev ? " reversed" : "");
            s_same_packed(&got, &want, what);
            s_packed_free(&got);
        }
    }
    uint32_t seed = 12345;
    for (int k = 0; k < 20; k++) {
        for (size_t i = 0; i < n; i++)
            perm[i] = i;
        for (size_t i = n - 1; i > 0; i--) {   /* Fisher-Yates over a fixed LCG */
            seed = seed * 1103515245u + 12345u;
            size_t j = (seed >> 8) % (i + 1), x = perm[i];
            perm[i] = perm[j];
            perm[j] = x;
        }
        s_permute(base, perm, n);
        packed_t got = { 0 };
        s_packed(&got);
        snprintf(what, sizeof what, "shuffle %d", k);
        s_same_packed(&got, &want, what);
        s_packed_free(&got);
    }
    s_packed_free(&want);
}

Test(resolve, six_tied_and_dependent_orders_resolve_the_same_in_all_720_arrangements)
{
    int64_t t = s_ms("2026-10-31T12:00");
    Ledger__OrderFacts *o = s_order_ms("O-3", t);
    s_channel(o, 'A', S(1));
    o = s_order_ms("O-1", t);   /* same time, sorts first: opens the window unclaimed */
    s_assist(o, 'B', S(3));
    o = s_order_ms("O-2", t);
    s_service(o, S(2));
    s_solution(o, "SOL-1");
    s_assist(o, 'D', S(6));
    s_order("O-4", "2027-01-01")->cancelled = 1;
    s_solution(s_order("O-5", "2027-01-02"), "SOL-1");
    s_winback(s_order("O-6", "2027-02-01"), S(5));
    size_t n = s_cf.n_orders;
    Ledger__OrderFacts *base[ORDERS_MAX];
    memcpy(base, s_list, n * sizeof *base);
    packed_t want = { 0 };
    s_packed(&want);
    s_expect("O-1", "FIRST 2026-10-31..2026-12-31 O-1", "UNKNOWN unclaimed", "UNKNOWN unclaimed",
             "KNOWN S-3 B window_open O-1", "");
    s_expect("O-3", NULL, "KNOWN S-1 A window_fill O-3", "KNOWN S-2 - window_lock O-2", NULL, "");
    s_expect("O-5", "-", NULL, NULL, "KNOWN S-6 D solution O-2", "");

    /* Heap's algorithm over all 6! arrangements */
    size_t perm[ORDERS_MAX], c[ORDERS_MAX] = { 0 }, count = 0;
    for (size_t i = 0; i < n; i++)
        perm[i] = i;
    char what[64];
    for (size_t i = 1; ; ) {
        s_permute(base, perm, n);
        packed_t got = { 0 };
        s_packed(&got);
        snprintf(what, sizeof what, "arrangement %zu", count++);
        s_same_packed(&got, &want, what);
        s_packed_free(&got);
        while (i < n && c[i] >= i) {
            c[i] = 0;
            i++;
        }
        if (i >= n)
            break;
        size_t j = i % 2 ? c[i] : 0, x = perm[j];
        perm[j] = perm[i];
        perm[i] = x;
        c[i]++;
        i = 1;
    }
    cr_expect_eq(count, 720, "arrangements: got %zu, want 720", count);
    s_packed_free(&want);
}
