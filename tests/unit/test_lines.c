/* lines - the commission rules of DOMAIN.md 3.1-3.3 at their edges, in exact
 * fen: role lines on gross profit and amount, roles that earn nothing, rate 0,
 * the outside referrer, the arranger split, rounding, the seller programme,
 * the refund window to the ms, refunds before and after payable (clawbacks),
 * policy versions, party changes, cancellation, the open month, and that a
 * rerun on its own output changes nothing. Facts live in static pools (each
 * test runs in its own process): O-1 sold 1,000.00 at 600.00 cost, placed
 * 2026-03-05 10:00, channel S-1, service S-2, assist S-3, handler S-4,
 * arrangers S-5..S-7. s_carry keeps a step's lines in the facts as main.c
 * does; s_settle also settles the payable ones, as a month close does. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "date.h"
#include "lines.h"

#define N(a) (sizeof (a) / sizeof (a)[0])
#define HOUR_MS (3600LL * 1000)
#define REFUNDS_MAX 8

#define PENDING LEDGER__LINE_STATE__LINE_PENDING
#define PAYABLE LEDGER__LINE_STATE__LINE_PAYABLE
#define SETTLED LEDGER__LINE_STATE__LINE_SETTLED
#define PAID LEDGER__LINE_STATE__LINE_PAID
#define VOID LEDGER__LINE_STATE__LINE_VOID

#define KNOWN LEDGER__ROLE_STATE__ROLE_KNOWN
#define UNKNOWN LEDGER__ROLE_STATE__ROLE_UNKNOWN
#define NONE LEDGER__ROLE_STATE__ROLE_NONE
#define ABSENT LEDGER__ROLE_STATE__ROLE_ABSENT

static Ledger__OrderCommission s_o;
static Ledger__Attribution s_att;
static Ledger__Role s_channel, s_service, s_assist;
static Ledger__PartyRef *s_arr[8];
static Ledger__SellerChain s_chain;
static Ledger__CommissionRefund s_rf[REFUNDS_MAX];
static Ledger__CommissionRefund *s_rfs[REFUNDS_MAX];
static char s_rf_code[REFUNDS_MAX][16];
static Ledger__PolicyVersion s_pv;
static Ledger__Policy s_pol;
static Ledger__RoleRates s_rates;
static Ledger__CommissionLine **s_carried;   /* unpacked copies, owned */
static size_t s_n_carried;
static lines_t *s_l;

/* Parties: S(n) staff, P(n) partner; code "S-n", id n. */
static Ledger__PartyRef s_party[2][32];
static char s_party_code[2][32][8];
#define S(n) s_p(0, n)
#define P(n) s_p(1, n)

/* s_p - the party of kind index (0 staff, 1 partner) numbered n */
static Ledger__PartyRef *s_p(int k, int n)
{
    Ledger__PartyRef *p = &s_party[k][n];
    if (!p->base.descriptor) {
        ledger__party_ref__init(p);
        snprintf(s_party_code[k][n], sizeof s_party_code[k][n], "%c-%d", "SP"[k], n);
        p->kind = k ? LEDGER__PARTY_KIND__PARTY_PARTNER : LEDGER__PARTY_KIND__PARTY_STAFF;
        p->code = s_party_code[k][n];
        p->id = (uint64_t)n;
    }
    return p;
}

/* s_ms - a local time "YYYY-MM-DD[ HH:MM[:SS]]" in ms */
static int64_t s_ms(const char *text)
{
    int64_t ms = 0;
    err_t err = { 0 };
    cr_assert_eq(date_parse_time(&ms, text, &err), 0, "date_parse_time(%s): %s", text, err.msg);
    return ms;
}

/* s_role - a role of the attribution */
static void s_role(Ledger__Role *r, Ledger__RoleState state, Ledger__PartyRef *p,
                   const char *rule)
{
    ledger__role__init(r);
    r->state = state;
    r->party = state == KNOWN ? p : NULL;
    r->rule = (char *)rule;
}

/* s_free_carried - drop the lines carried from an earlier step */
static void s_free_carried(void)
{
    for (size_t i = 0; i < s_n_carried; i++)
        ledger__commission_line__free_unpacked(s_carried[i], NULL);
    free(s_carried);
    s_carried = NULL;
    s_n_carried = 0;
    s_o.lines = NULL;
    s_o.n_lines = 0;
}

/* setup - the zone, O-1's facts and the March policy, version 1 */
static void setup(void)
{
    err_t err = { 0 };
    cr_assert_eq(date_zone_set("Asia/Shanghai", &err), 0, "date_zone_set: %s", err.msg);
    ledger__order_commission__init(&s_o);
    s_o.order_id = 1;
    s_o.order_code = "O-1";
    s_o.amount = 100000;
    s_o.cost = 60000;
    s_o.placed_ms = s_ms("2026-03-05 10:00");
    ledger__attribution__init(&s_att);
    s_att.order_id = 1;
    s_att.order_code = "O-1";
    s_att.customer_code = "C-1";
    s_role(&s_channel, KNOWN, S(1), "window_open");
    s_role(&s_service, KNOWN, S(2), "window_open");
    s_role(&s_assist, KNOWN, S(3), "window_open");
    s_att.channel = &s_channel;
    s_att.service = &s_service;
    s_att.assist = &s_assist;
    s_o.attribution = &s_att;
    s_o.handler = S(4);
    s_arr[0] = S(5);
    s_arr[1] = S(6);
    s_arr[2] = S(7);
    s_o.arrangers = s_arr;
    s_o.n_arrangers = 3;
    s_o.refunds = s_rfs;

    ledger__role_rates__init(&s_rates);
    s_rates.channel = 500;
    s_rates.service = 300;
    s_rates.assist = 200;
    s_rates.handler = 100;
    s_rates.arranger = 100;
    ledger__policy__init(&s_pol);
    s_pol.role_rates = &s_rates;
    s_pol.role_base = LEDGER__COMMISSION_BASE__BASE_GROSS_PROFIT;
    s_pol.outside_referrer_rate = 800;
    s_pol.seller_rate = 2000;
    s_pol.inviter_rate = 500;
    s_pol.refund_window_hours = 168;
    ledger__policy_version__init(&s_pv);
    s_pv.month = "2026-03";
    s_pv.version = 1;
    s_pv.policy = &s_pol;
}

/* teardown - free what a test made */
static void teardown(void)
{
    lines_destroy(&s_l);
    s_free_carried();
}

TestSuite(lines, .init = setup, .fini = teardown);

/* ---- builders ---------------------------------------------------------- */

/* s_seller - the order sold through seller's link; inviter may be NULL */
static void s_seller(Ledger__PartyRef *seller, Ledger__PartyRef *inviter)
{
    ledger__seller_chain__init(&s_chain);
    s_chain.seller = seller;
    s_chain.inviter = inviter;
    s_o.seller = &s_chain;
}

/* s_refund - add a refund; processed "" means not processed yet */
static Ledger__CommissionRefund *s_refund(const char *code, int64_t amount, const char *processed)
{
    cr_assert_lt(s_o.n_refunds, REFUNDS_MAX, "too many refunds");
    size_t i = s_o.n_refunds++;
    Ledger__CommissionRefund *r = &s_rf[i];
    ledger__commission_refund__init(r);
    snprintf(s_rf_code[i], sizeof s_rf_code[i], "%s", code);
    r->code = s_rf_code[i];
    r->amount = amount;
    r->processed_ms = *processed ? s_ms(processed) : 0;
    s_rfs[i] = r;
    return r;
}

/* s_complete - the order completed at a local time (2026-03-05 18:00: the
 * refund window of 168 h ends 2026-03-12 18:00) */
static void s_complete(const char *when)
{
    s_o.completed_ms = s_ms(when);
}

/* s_run_open - lines_update at ledger time now with open month open */
static void s_run_open(int64_t now, const char *open)
{
    lines_destroy(&s_l);
    s_l = lines_update(&s_o, &s_pv, now, open);
    cr_assert(s_l, "lines_update returned NULL");
}

/* s_run - lines_update at a local time, no month closed yet */
static void s_run(const char *now)
{
    s_run_open(s_ms(now), "0000-00");
}

/* s_carry - the lines just made become the order's lines (deep copies, as
 * main.c keeps them in its state) */
static void s_carry(void)
{
    size_t n = lines_count(s_l);
    Ledger__CommissionLine **copies = calloc(n ? n : 1, sizeof *copies);
    for (size_t i = 0; i < n; i++) {
        const Ledger__CommissionLine *x = lines_at(s_l, i);
        size_t len = ledger__commission_line__get_packed_size(x);
        uint8_t *buf = malloc(len ? len : 1);
        ledger__commission_line__pack(x, buf);
        copies[i] = ledger__commission_line__unpack(NULL, len, buf);
        free(buf);
        cr_assert(copies[i], "line %zu does not unpack", i);
    }
    s_free_carried();
    s_carried = copies;
    s_n_carried = n;
    s_o.lines = copies;
    s_o.n_lines = n;
}

/* s_settle - carry the lines, and a month close settles the payable ones */
static void s_settle(void)
{
    s_carry();
    for (size_t i = 0; i < s_n_carried; i++)
        if (s_carried[i]->state == PAYABLE)
            s_carried[i]->state = SETTLED;
}

/* s_ids - every line id, for failure messages */
static const char *s_ids(void)
{
    static char out[4096];
    size_t at = 0;
    out[0] = 0;
    for (size_t i = 0; i < lines_count(s_l) && at < sizeof out - 1; i++)
        at += (size_t)snprintf(out + at, sizeof out - at, "%s%s", i ? ", " : "",
                               lines_at(s_l, i)->id);
    return out;
}

/* s_find - the line with id, or NULL */
static const Ledger__CommissionLine *s_find(const char *id)
{
    for (size_t i = 0; i < lines_count(s_l); i++)
        if (!strcmp(lines_at(s_l, i)->id, id))
            return lines_at(s_l, i);
    return NULL;
}

/* s_line - the line with id, which must exist */
static const Ledger__CommissionLine *s_line(const char *id)
{
    const Ledger__CommissionLine *x = s_find(id);
    cr_assert(x, "no line %s; got: %s", id, s_ids());
    return x;
}

/* s_absent - no line with id */
static void s_absent(const char *id)
{
    cr_assert_null(s_find(id), "line %s: got it, want none; lines: %s", id, s_ids());
}

/* s_state_name - a LineState for messages */
static const char *s_state_name(int state)
{
    static const char *names[] = { "UNSPECIFIED", "PENDING", "PAYABLE", "SETTLED", "PAID",
                                   "VOID" };
    return state >= 0 && state < (int)N(names) ? names[state] : "?";
}

/* s_check - the line id has this state, base, rate and amount */
static const Ledger__CommissionLine *s_check(const char *id, int state, int64_t basis,
                                             int64_t rate, int64_t amount)
{
    const Ledger__CommissionLine *x = s_line(id);
    cr_assert_eq(x->state, state, "%s state: got %s, want %s (%s)", id, s_state_name(x->state),
                 s_state_name(state), x->reason);
    cr_assert_eq(x->basis, basis, "%s basis: got %lld, want %lld", id, (long long)x->basis,
                 (long long)basis);
    cr_assert_eq(x->rate, rate, "%s rate: got %lld, want %lld", id, (long long)x->rate,
                 (long long)rate);
    cr_assert_eq(x->amount, amount, "%s amount: got %lld, want %lld (%s)", id,
                 (long long)x->amount, (long long)amount, x->reason);
    return x;
}

/* s_month_is - the line id is on month's statement ("" while pending) */
static void s_month_is(const char *id, const char *month)
{
    const Ledger__CommissionLine *x = s_line(id);
    cr_assert_str_eq(x->month, month, "%s month: got \"%s\", want \"%s\"", id, x->month, month);
}

/* s_reason_has - the line's reason contains text */
static void s_reason_has(const char *id, const char *text)
{
    const Ledger__CommissionLine *x = s_line(id);
    cr_assert(strstr(x->reason, text), "%s reason: got \"%s\", want it to contain \"%s\"", id,
              x->reason, text);
}

/* s_packed - every line packed, one after the other; caller frees */
static uint8_t *s_packed(size_t *len)
{
    size_t total = 0;
    for (size_t i = 0; i < lines_count(s_l); i++)
        total += ledger__commission_line__get_packed_size(lines_at(s_l, i)) + 1;
    uint8_t *buf = malloc(total ? total : 1), *p = buf;
    for (size_t i = 0; i < lines_count(s_l); i++) {
        p += ledger__commission_line__pack(lines_at(s_l, i), p);
        *p++ = 0xff;   /* a separator, so lines cannot run into each other */
    }
    *len = total;
    return buf;
}

/* s_rerun_same - carry the lines and run again at now: nothing changes */
static void s_rerun_same(int64_t now, const char *open)
{
    size_t before_len, after_len, n = lines_count(s_l);
    uint8_t *before = s_packed(&before_len);
    s_carry();
    s_run_open(now, open);
    uint8_t *after = s_packed(&after_len);
    cr_assert_eq(lines_count(s_l), n, "lines on a rerun: got %zu, want %zu (%s)",
                 lines_count(s_l), n, s_ids());
    cr_assert(before_len == after_len && memcmp(before, after, before_len) == 0,
              "a rerun on its own output changed the lines: %s", s_ids());
    free(before);
    free(after);
}

/* ---- role lines -------------------------------------------------------- */

Test(lines, role_lines_pay_their_rate_of_gross_profit)
{
    s_run("2026-03-05 11:00");
    s_check("O-1/role.channel/S-1", PENDING, 40000, 500, 2000);
    s_check("O-1/role.service/S-2", PENDING, 40000, 300, 1200);
    s_check("O-1/role.assist/S-3", PENDING, 40000, 200, 800);
    s_check("O-1/role.handler/S-4", PENDING, 40000, 100, 400);
    s_check("O-1/role.arranger/S-5", PENDING, 40000, 100, 134);
    s_check("O-1/role.arranger/S-6", PENDING, 40000, 100, 133);
    s_check("O-1/role.arranger/S-7", PENDING, 40000, 100, 133);
    cr_assert_eq(lines_count(s_l), 7, "lines: got %zu, want 7 (%s)", lines_count(s_l), s_ids());
    const Ledger__CommissionLine *x = s_line("O-1/role.channel/S-1");
    cr_assert_str_eq(x->rule, "role.channel", "rule: got %s, want role.channel", x->rule);
    cr_assert_str_eq(x->earner->code, "S-1", "earner: got %s, want S-1", x->earner->code);
    cr_assert_eq(x->order_id, 1, "order_id: got %llu, want 1", (unsigned long long)x->order_id);
    cr_assert_str_eq(x->order_code, "O-1", "order_code: got %s, want O-1", x->order_code);
    cr_assert_str_eq(x->policy_month, "2026-03", "policy_month: got %s, want 2026-03",
                     x->policy_month);
    cr_assert_eq(x->policy_version, 1, "policy_version: got %u, want 1", x->policy_version);
    cr_assert_eq(x->payable_ms, 0, "payable_ms: got %lld, want 0", (long long)x->payable_ms);
    s_month_is("O-1/role.channel/S-1", "");
    s_reason_has("O-1/role.channel/S-1", "5.00% of gross profit 400.00 on O-1");
    s_reason_has("O-1/role.channel/S-1", "pending: O-1 is not completed");
}

Test(lines, gross_profit_is_never_below_zero)
{
    s_o.cost = 120000;   /* sold at a loss */
    s_run("2026-03-05 11:00");
    s_check("O-1/role.channel/S-1", PENDING, 0, 500, 0);
}

Test(lines, role_lines_pay_their_rate_of_the_amount_when_the_policy_says_so)
{
    s_pol.role_base = LEDGER__COMMISSION_BASE__BASE_AMOUNT;
    s_refund("R-1", 10000, "2026-03-05 12:00");
    s_run("2026-03-05 13:00");
    s_check("O-1/role.channel/S-1", PENDING, 90000, 500, 4500);
    s_check("O-1/role.arranger/S-5", PENDING, 90000, 100, 300);
}

Test(lines, an_unspecified_role_base_means_gross_profit)
{
    s_pol.role_base = LEDGER__COMMISSION_BASE__BASE_UNSPECIFIED;
    s_run("2026-03-05 11:00");
    s_check("O-1/role.channel/S-1", PENDING, 40000, 500, 2000);
}

Test(lines, unknown_none_and_absent_roles_earn_nothing)
{
    s_role(&s_channel, UNKNOWN, NULL, "unclaimed");
    s_role(&s_service, NONE, NULL, "window_ended");
    s_role(&s_assist, ABSENT, NULL, "no_assist");
    s_run("2026-03-05 11:00");
    s_absent("O-1/role.channel/S-1");
    s_absent("O-1/role.service/S-2");
    s_absent("O-1/role.assist/S-3");
    s_check("O-1/role.handler/S-4", PENDING, 40000, 100, 400);
    cr_assert_eq(lines_count(s_l), 4, "lines: got %zu, want 4 (%s)", lines_count(s_l), s_ids());
}

Test(lines, no_attribution_yet_means_no_channel_service_or_assist_lines)
{
    s_o.attribution = NULL;
    s_run("2026-03-05 11:00");
    s_absent("O-1/role.channel/S-1");
    s_absent("O-1/role.service/S-2");
    s_absent("O-1/role.assist/S-3");
    s_check("O-1/role.handler/S-4", PENDING, 40000, 100, 400);
    s_check("O-1/role.arranger/S-5", PENDING, 40000, 100, 134);
}

Test(lines, a_rate_of_zero_makes_no_line)
{
    s_rates.assist = 0;
    s_rates.handler = 0;
    s_run("2026-03-05 11:00");
    s_absent("O-1/role.assist/S-3");
    s_absent("O-1/role.handler/S-4");
    s_check("O-1/role.channel/S-1", PENDING, 40000, 500, 2000);
}

Test(lines, the_outside_referrer_gets_one_line_instead_of_channel_and_service)
{
    s_role(&s_channel, KNOWN, P(9), "window_open");
    s_channel.type = LEDGER__CHANNEL_TYPE__CHANNEL_REFERRAL;
    s_role(&s_service, KNOWN, P(9), "referrer");
    s_run("2026-03-05 11:00");
    s_check("O-1/role.referrer/P-9", PENDING, 40000, 800, 3200);
    s_absent("O-1/role.channel/P-9");
    s_absent("O-1/role.service/P-9");
    s_check("O-1/role.assist/S-3", PENDING, 40000, 200, 800);
    s_reason_has("O-1/role.referrer/P-9", "outside referrer");
}

Test(lines, a_referral_channel_without_the_referrer_rule_pays_channel_and_service)
{
    /* The lock kept a known staff service: the referrer is only the channel. */
    s_role(&s_channel, KNOWN, P(9), "window_open");
    s_channel.type = LEDGER__CHANNEL_TYPE__CHANNEL_REFERRAL;
    s_run("2026-03-05 11:00");
    s_check("O-1/role.channel/P-9", PENDING, 40000, 500, 2000);
    s_check("O-1/role.service/S-2", PENDING, 40000, 300, 1200);
    s_absent("O-1/role.referrer/P-9");
}

Test(lines, arrangers_split_an_odd_amount_leftover_fen_to_the_lowest_ids)
{
    /* 100.00 of gross profit x 1 % = 1.00 = 100 fen over three: 34 / 33 / 33,
     * whatever order the order lists them in. */
    s_o.amount = 70000;
    s_arr[0] = S(7);
    s_arr[1] = S(5);
    s_arr[2] = S(6);
    s_run("2026-03-05 11:00");
    s_check("O-1/role.arranger/S-5", PENDING, 10000, 100, 34);
    s_check("O-1/role.arranger/S-6", PENDING, 10000, 100, 33);
    s_check("O-1/role.arranger/S-7", PENDING, 10000, 100, 33);
    /* Made in id order. */
    const char *want[] = { "O-1/role.arranger/S-5", "O-1/role.arranger/S-6",
                           "O-1/role.arranger/S-7" };
    for (size_t i = 0; i < N(want); i++)
        cr_assert_str_eq(lines_at(s_l, 4 + i)->id, want[i], "line %zu: got %s, want %s", 4 + i,
                         lines_at(s_l, 4 + i)->id, want[i]);
}

Test(lines, arrangers_split_two_leftover_fen_to_the_first_two)
{
    s_o.amount = 70100;   /* 101.00 x 1 % = 101 fen: 34 / 34 / 33 */
    s_run("2026-03-05 11:00");
    s_check("O-1/role.arranger/S-5", PENDING, 10100, 100, 34);
    s_check("O-1/role.arranger/S-6", PENDING, 10100, 100, 34);
    s_check("O-1/role.arranger/S-7", PENDING, 10100, 100, 33);
}

Test(lines, arrangers_are_ordered_by_id_not_by_code)
{
    Ledger__PartyRef a = *S(5), b = *S(6);
    a.id = 60;   /* S-5 has the higher id here */
    b.id = 50;
    s_arr[0] = &a;
    s_arr[1] = &b;
    s_o.n_arrangers = 2;
    s_o.amount = 70100;   /* 101 fen over two: 51 / 50 */
    s_run("2026-03-05 11:00");
    s_check("O-1/role.arranger/S-6", PENDING, 10100, 100, 51);
    s_check("O-1/role.arranger/S-5", PENDING, 10100, 100, 50);
}

Test(lines, an_arranger_named_twice_is_credited_once)
{
    s_arr[1] = S(5);
    s_run("2026-03-05 11:00");
    s_check("O-1/role.arranger/S-5", PENDING, 40000, 100, 200);
    s_check("O-1/role.arranger/S-7", PENDING, 40000, 100, 200);
    cr_assert_eq(lines_count(s_l), 6, "lines: got %zu, want 6 (%s)", lines_count(s_l), s_ids());
}

Test(lines, amounts_round_half_away_from_zero_once_per_line)
{
    static const struct { int64_t amount, bp, want; } cases[] = {
        { 100500, 50, 503 },   /* 502.5 -> 503 */
        { 100300, 50, 502 },   /* 501.5 -> 502 */
        { 100499, 50, 502 },   /* 502.495 -> 502 */
        { 1005, 50, 5 },       /* 5.025 -> 5 */
        { 30, 5000, 15 },      /* 15 exactly */
        { 3, 5000, 2 },        /* 1.5 -> 2 */
    };
    s_pol.role_base = LEDGER__COMMISSION_BASE__BASE_AMOUNT;
    for (size_t i = 0; i < N(cases); i++) {
        s_o.amount = cases[i].amount;
        s_rates.channel = cases[i].bp;
        s_run("2026-03-05 11:00");
        int64_t want = cases[i].want;
        const Ledger__CommissionLine *x = s_line("O-1/role.channel/S-1");
        cr_assert_eq(x->amount, want, "%lld fen x %lld bp: got %lld, want %lld",
                     (long long)cases[i].amount, (long long)cases[i].bp, (long long)x->amount,
                     (long long)want);
    }
}

Test(lines, handler_and_arrangers_come_from_the_order_not_the_attribution)
{
    Ledger__Role h;
    s_role(&h, KNOWN, S(20), "order");
    s_att.handler = &h;
    s_run("2026-03-05 11:00");
    s_check("O-1/role.handler/S-4", PENDING, 40000, 100, 400);
    s_absent("O-1/role.handler/S-20");
}

Test(lines, an_order_without_handler_or_arrangers_pays_those_roles_nothing)
{
    s_o.handler = NULL;
    s_o.n_arrangers = 0;
    s_run("2026-03-05 11:00");
    cr_assert_eq(lines_count(s_l), 3, "lines: got %zu, want 3 (%s)", lines_count(s_l), s_ids());
}

/* ---- the seller programme ---------------------------------------------- */

Test(lines, a_seller_earns_20_percent_and_the_inviter_5_of_the_amount)
{
    s_seller(P(3), P(2));
    s_run("2026-03-05 11:00");
    s_check("O-1/seller.sale/P-3", PENDING, 100000, 2000, 20000);
    s_check("O-1/seller.invite/P-2", PENDING, 100000, 500, 5000);
    /* Independent of role commission: both are paid. */
    s_check("O-1/role.channel/S-1", PENDING, 40000, 500, 2000);
    s_reason_has("O-1/seller.sale/P-3", "20.00% of 1,000.00 sold through P-3's link on O-1");
    cr_assert_eq(lines_count(s_l), 9, "lines: got %zu, want 9 (%s)", lines_count(s_l), s_ids());
}

Test(lines, a_seller_without_an_inviter_pays_no_invite_reward)
{
    s_seller(P(3), NULL);
    s_run("2026-03-05 11:00");
    s_check("O-1/seller.sale/P-3", PENDING, 100000, 2000, 20000);
    for (size_t i = 0; i < lines_count(s_l); i++)
        cr_assert_str_neq(lines_at(s_l, i)->rule, "seller.invite", "an invite line: %s",
                          lines_at(s_l, i)->id);
}

Test(lines, a_sellers_own_purchase_still_earns)
{
    /* P-3 buys through its own link: nothing special. */
    s_att.customer_code = "P-3";
    s_seller(P(3), P(2));
    s_run("2026-03-05 11:00");
    s_check("O-1/seller.sale/P-3", PENDING, 100000, 2000, 20000);
    s_check("O-1/seller.invite/P-2", PENDING, 100000, 500, 5000);
}

Test(lines, seller_lines_are_on_the_amount_whatever_the_role_base)
{
    s_seller(P(3), P(2));
    s_o.cost = 150000;   /* no gross profit at all */
    s_run("2026-03-05 11:00");
    s_check("O-1/seller.sale/P-3", PENDING, 100000, 2000, 20000);
    s_check("O-1/role.channel/S-1", PENDING, 0, 500, 0);
}

/* ---- when lines become payable ------------------------------------------ */

Test(lines, lines_stay_pending_one_ms_before_the_refund_window_ends)
{
    s_seller(P(3), NULL);
    s_complete("2026-03-05 18:00");
    int64_t end = s_ms("2026-03-12 18:00");   /* 7 x 24 h later */
    s_run_open(end - 1, "0000-00");
    s_check("O-1/seller.sale/P-3", PENDING, 100000, 2000, 20000);
    s_month_is("O-1/seller.sale/P-3", "");
    s_reason_has("O-1/seller.sale/P-3", "refund window of 168 h after completion "
                 "2026-03-05 18:00 ends 2026-03-12 18:00");
    cr_assert_eq(lines_next_deadline(s_l), end, "next deadline: got %lld, want %lld",
                 (long long)lines_next_deadline(s_l), (long long)end);
}

Test(lines, lines_become_payable_exactly_when_the_refund_window_ends)
{
    s_seller(P(3), NULL);
    s_complete("2026-03-05 18:00");
    int64_t end = s_ms("2026-03-12 18:00");
    s_run_open(end, "0000-00");
    const Ledger__CommissionLine *x = s_check("O-1/seller.sale/P-3", PAYABLE, 100000, 2000, 20000);
    cr_assert_eq(x->payable_ms, end, "payable_ms: got %lld, want %lld", (long long)x->payable_ms,
                 (long long)end);
    s_month_is("O-1/seller.sale/P-3", "2026-03");
    s_check("O-1/role.channel/S-1", PAYABLE, 40000, 500, 2000);
    s_reason_has("O-1/seller.sale/P-3", "payable: the refund window of 168 h after completion "
                 "2026-03-05 18:00 passed");
    cr_assert_eq(lines_next_deadline(s_l), 0, "next deadline: got %lld, want 0",
                 (long long)lines_next_deadline(s_l));
}

Test(lines, a_line_payable_later_is_on_the_month_it_became_payable)
{
    s_complete("2026-03-30 10:00");
    int64_t now = s_ms("2026-04-08 09:00");
    s_run_open(now, "2026-03");
    const Ledger__CommissionLine *x = s_check("O-1/role.channel/S-1", PAYABLE, 40000, 500, 2000);
    s_month_is("O-1/role.channel/S-1", "2026-04");
    cr_assert_str_eq(x->policy_month, "2026-03", "policy_month: got %s, want 2026-03",
                     x->policy_month);
}

Test(lines, an_incomplete_order_never_becomes_payable_by_time)
{
    s_run("2027-01-01 00:00");
    s_check("O-1/role.channel/S-1", PENDING, 40000, 500, 2000);
    cr_assert_eq(lines_next_deadline(s_l), 0, "next deadline: got %lld, want 0",
                 (long long)lines_next_deadline(s_l));
}

Test(lines, the_open_month_takes_a_line_that_becomes_payable_in_a_closed_month)
{
    s_complete("2026-03-05 18:00");
    s_run_open(s_ms("2026-03-20 09:00"), "2026-04");
    s_check("O-1/role.channel/S-1", PAYABLE, 40000, 500, 2000);
    s_month_is("O-1/role.channel/S-1", "2026-04");
}

Test(lines, a_refund_before_payable_reduces_the_base)
{
    s_seller(P(3), P(2));
    s_refund("R-1", 10000, "2026-03-05 12:00");   /* before completion */
    s_refund("R-2", 5000, "");                    /* requested, not processed */
    s_run("2026-03-05 13:00");
    s_check("O-1/role.channel/S-1", PENDING, 30000, 500, 1500);
    s_check("O-1/seller.sale/P-3", PENDING, 90000, 2000, 18000);
    s_check("O-1/seller.invite/P-2", PENDING, 90000, 500, 4500);
    s_check("O-1/role.arranger/S-5", PENDING, 30000, 100, 100);
    s_complete("2026-03-05 18:00");
    s_carry();
    s_run("2026-03-12 18:00");
    s_check("O-1/seller.sale/P-3", PAYABLE, 90000, 2000, 18000);
    for (size_t i = 0; i < lines_count(s_l); i++)
        cr_assert_null(strstr(lines_at(s_l, i)->rule, "clawback"), "a clawback: %s",
                       lines_at(s_l, i)->id);
}

Test(lines, a_refund_processed_after_completion_makes_lines_payable_early)
{
    s_seller(P(3), NULL);
    s_complete("2026-03-05 18:00");
    s_refund("R-1", 10000, "2026-03-07 10:00");
    s_run("2026-03-07 09:59:59");   /* not processed yet in ledger time */
    s_check("O-1/seller.sale/P-3", PENDING, 100000, 2000, 20000);
    cr_assert_eq(lines_next_deadline(s_l), s_ms("2026-03-07 10:00"),
                 "next deadline: got %lld, want the refund's processed time",
                 (long long)lines_next_deadline(s_l));
    s_carry();
    s_run("2026-03-07 11:00");
    const Ledger__CommissionLine *x = s_check("O-1/seller.sale/P-3", PAYABLE, 90000, 2000, 18000);
    cr_assert_eq(x->payable_ms, s_ms("2026-03-07 11:00"), "payable_ms: got %lld, want now",
                 (long long)x->payable_ms);
    s_check("O-1/role.channel/S-1", PAYABLE, 30000, 500, 1500);
    s_reason_has("O-1/seller.sale/P-3", "payable: refund R-1 was processed after completion");
    s_absent("O-1/seller.sale/P-3/R-1");
    cr_assert_eq(lines_next_deadline(s_l), 0, "next deadline: got %lld, want 0",
                 (long long)lines_next_deadline(s_l));
}

Test(lines, a_refund_processed_before_completion_does_not_make_lines_payable)
{
    s_refund("R-1", 10000, "2026-03-05 12:00");
    s_complete("2026-03-05 18:00");
    s_run("2026-03-06 09:00");
    s_check("O-1/role.channel/S-1", PENDING, 30000, 500, 1500);
}

Test(lines, a_cancelled_order_never_becomes_payable)
{
    s_complete("2026-03-05 18:00");
    s_o.cancelled = 1;
    s_run("2026-03-20 09:00");
    cr_assert_eq(lines_count(s_l), 0, "lines: got %zu, want 0 (%s)", lines_count(s_l), s_ids());
    cr_assert_eq(lines_next_deadline(s_l), 0, "next deadline: got %lld, want 0",
                 (long long)lines_next_deadline(s_l));
}

/* ---- clawbacks ------------------------------------------------------------ */

/* s_payable_o1 - O-1 sold through P-3 (invited by P-2), completed
 * 2026-03-05 18:00, its lines payable on 2026-03-12 18:00 and carried */
static void s_payable_o1(void)
{
    s_seller(P(3), P(2));
    s_complete("2026-03-05 18:00");
    s_run("2026-03-12 18:00");
    s_carry();
}

Test(lines, a_refund_after_payable_claws_back_the_seller_rate_of_the_refund)
{
    s_payable_o1();
    s_refund("R-1", 10000, "2026-03-20 10:00");
    int64_t now = s_ms("2026-03-20 10:30");
    s_run_open(now, "0000-00");
    const Ledger__CommissionLine *x =
        s_check("O-1/seller.sale/P-3/R-1", PAYABLE, -10000, 2000, -2000);
    cr_assert_str_eq(x->rule, "seller.sale.clawback", "rule: got %s, want seller.sale.clawback",
                     x->rule);
    cr_assert_str_eq(x->refund_code, "R-1", "refund_code: got %s, want R-1", x->refund_code);
    cr_assert_str_eq(x->earner->code, "P-3", "earner: got %s, want P-3", x->earner->code);
    cr_assert_eq(x->payable_ms, now, "payable_ms: got %lld, want now", (long long)x->payable_ms);
    s_month_is("O-1/seller.sale/P-3/R-1", "2026-03");
    s_check("O-1/seller.invite/P-2/R-1", PAYABLE, -10000, 500, -500);
    /* The payable lines themselves are not changed by a later refund. */
    s_check("O-1/seller.sale/P-3", PAYABLE, 100000, 2000, 20000);
    s_check("O-1/role.channel/S-1", PAYABLE, 40000, 500, 2000);
}

Test(lines, a_refund_after_payable_claws_back_the_rate_of_the_gross_profit_drop)
{
    s_payable_o1();
    s_settle();   /* March is closed */
    s_refund("R-1", 10000, "2026-04-02 10:00");
    s_run_open(s_ms("2026-04-02 11:00"), "2026-04");
    const Ledger__CommissionLine *x =
        s_check("O-1/role.channel/S-1/R-1", PAYABLE, -10000, 500, -500);
    cr_assert_str_eq(x->rule, "role.channel.clawback", "rule: got %s, want role.channel.clawback",
                     x->rule);
    s_month_is("O-1/role.channel/S-1/R-1", "2026-04");
    s_check("O-1/role.service/S-2/R-1", PAYABLE, -10000, 300, -300);
    /* The arrangers' 1.00 back is split as their 4.00 was: 34 / 33 / 33. */
    s_check("O-1/role.arranger/S-5/R-1", PAYABLE, -10000, 100, -34);
    s_check("O-1/role.arranger/S-6/R-1", PAYABLE, -10000, 100, -33);
    s_check("O-1/role.arranger/S-7/R-1", PAYABLE, -10000, 100, -33);
    s_check("O-1/seller.sale/P-3/R-1", PAYABLE, -10000, 2000, -2000);
    s_check("O-1/role.channel/S-1", SETTLED, 40000, 500, 2000);
}

Test(lines, a_refund_larger_than_the_profit_claws_back_only_down_to_zero)
{
    s_payable_o1();
    s_refund("R-1", 50000, "2026-03-20 10:00");   /* 500.00 of 400.00 profit */
    s_run("2026-03-20 11:00");
    s_check("O-1/role.channel/S-1/R-1", PAYABLE, -40000, 500, -2000);
    s_check("O-1/role.arranger/S-5/R-1", PAYABLE, -40000, 100, -134);
    s_check("O-1/seller.sale/P-3/R-1", PAYABLE, -50000, 2000, -10000);
}

Test(lines, a_second_refund_makes_a_second_clawback)
{
    s_payable_o1();
    s_refund("R-1", 10000, "2026-03-20 10:00");
    s_run("2026-03-20 11:00");
    s_carry();
    s_refund("R-2", 35000, "2026-03-22 10:00");   /* 300.00 profit left: down to 0 */
    s_run("2026-03-22 11:00");
    s_check("O-1/role.channel/S-1/R-1", PAYABLE, -10000, 500, -500);
    s_check("O-1/role.channel/S-1/R-2", PAYABLE, -30000, 500, -1500);
    s_check("O-1/seller.sale/P-3/R-1", PAYABLE, -10000, 2000, -2000);
    s_check("O-1/seller.sale/P-3/R-2", PAYABLE, -35000, 2000, -7000);
    s_check("O-1/role.channel/S-1", PAYABLE, 40000, 500, 2000);
    /* The first clawbacks stay where they were; the new ones come last. */
    size_t n = lines_count(s_l);
    cr_assert_str_eq(lines_at(s_l, n - 1)->id, "O-1/seller.invite/P-2/R-2",
                     "last line: got %s, want O-1/seller.invite/P-2/R-2", lines_at(s_l, n - 1)->id);
    s_rerun_same(s_ms("2026-03-22 11:00"), "0000-00");
}

Test(lines, a_refund_rounds_its_clawback_half_away_from_zero)
{
    s_pol.seller_rate = 50;
    s_payable_o1();
    s_refund("R-1", 100500, "2026-03-20 10:00");   /* 502.5 fen back */
    s_o.amount = 200000;
    s_run("2026-03-20 11:00");
    s_check("O-1/seller.sale/P-3/R-1", PAYABLE, -100500, 50, -503);
}

Test(lines, clawbacks_are_made_in_refund_order_after_the_lines_carried)
{
    s_payable_o1();
    size_t carried = s_n_carried;
    s_refund("R-1", 10000, "2026-03-20 10:00");
    s_refund("R-2", 10000, "2026-03-20 10:30");
    s_run("2026-03-20 11:00");
    for (size_t i = 0; i < carried; i++)
        cr_assert_str_eq(lines_at(s_l, i)->id, s_carried[i]->id, "line %zu: got %s, want %s", i,
                         lines_at(s_l, i)->id, s_carried[i]->id);
    cr_assert_str_eq(lines_at(s_l, carried)->id, "O-1/role.channel/S-1/R-1",
                     "first new line: got %s, want O-1/role.channel/S-1/R-1",
                     lines_at(s_l, carried)->id);
    cr_assert_eq(lines_count(s_l), 3 * carried, "lines: got %zu, want %zu",
                 lines_count(s_l), 3 * carried);
    cr_assert_str_eq(lines_at(s_l, 2 * carried)->id, "O-1/role.channel/S-1/R-2",
                     "first R-2 line: got %s, want O-1/role.channel/S-1/R-2",
                     lines_at(s_l, 2 * carried)->id);
}

Test(lines, a_refund_processed_later_than_now_claws_back_when_its_time_comes)
{
    s_payable_o1();
    s_refund("R-1", 10000, "2026-03-25 10:00");
    s_run("2026-03-20 11:00");
    s_absent("O-1/seller.sale/P-3/R-1");
    cr_assert_eq(lines_next_deadline(s_l), s_ms("2026-03-25 10:00"),
                 "next deadline: got %lld, want the refund's processed time",
                 (long long)lines_next_deadline(s_l));
    s_carry();
    s_run("2026-03-25 10:00");
    s_check("O-1/seller.sale/P-3/R-1", PAYABLE, -10000, 2000, -2000);
}

/* ---- policy versions, party changes, cancellation -------------------------- */

Test(lines, a_new_policy_version_recomputes_pending_lines)
{
    s_run("2026-03-05 11:00");
    s_carry();
    s_rates.channel = 625;
    s_pv.version = 2;
    s_run("2026-03-06 11:00");
    const Ledger__CommissionLine *x = s_check("O-1/role.channel/S-1", PENDING, 40000, 625, 2500);
    cr_assert_eq(x->policy_version, 2, "policy_version: got %u, want 2", x->policy_version);
    cr_assert_eq(lines_count(s_l), 7, "lines: got %zu, want 7 (%s)", lines_count(s_l), s_ids());
}

Test(lines, a_new_policy_version_recomputes_a_payable_line_on_its_fixed_base)
{
    s_payable_o1();
    s_refund("R-1", 10000, "2026-03-20 10:00");
    s_run("2026-03-20 11:00");
    s_carry();
    s_rates.channel = 625;
    s_pol.seller_rate = 2500;
    s_pv.version = 2;
    int64_t now = s_ms("2026-04-03 09:00");
    s_run_open(now, "2026-03");
    const Ledger__CommissionLine *x = s_check("O-1/role.channel/S-1", PAYABLE, 40000, 625, 2500);
    cr_assert_eq(x->payable_ms, s_ms("2026-03-12 18:00"), "payable_ms: got %lld, want unchanged",
                 (long long)x->payable_ms);
    s_month_is("O-1/role.channel/S-1", "2026-03");
    s_check("O-1/seller.sale/P-3", PAYABLE, 100000, 2500, 25000);
    /* Its clawbacks follow the rate of the line they reverse. */
    s_check("O-1/role.channel/S-1/R-1", PAYABLE, -10000, 625, -625);
    s_check("O-1/seller.sale/P-3/R-1", PAYABLE, -10000, 2500, -2500);
    s_month_is("O-1/seller.sale/P-3/R-1", "2026-03");
    for (size_t i = 0; i < lines_count(s_l); i++)
        cr_assert_null(strstr(lines_at(s_l, i)->rule, "adjustment"), "an adjustment: %s",
                       lines_at(s_l, i)->id);
}

Test(lines, a_new_policy_version_adjusts_a_settled_line)
{
    s_payable_o1();
    s_settle();
    s_rates.channel = 625;
    s_pv.version = 2;
    int64_t now = s_ms("2026-04-03 09:00");
    s_run_open(now, "2026-04");
    s_check("O-1/role.channel/S-1", SETTLED, 40000, 500, 2000);
    const Ledger__CommissionLine *x =
        s_check("O-1/role.channel/S-1/adj1", PAYABLE, 40000, 625, 500);
    cr_assert_str_eq(x->rule, "role.channel.adjustment",
                     "rule: got %s, want role.channel.adjustment", x->rule);
    cr_assert_str_eq(x->adjusts, "O-1/role.channel/S-1", "adjusts: got %s, want the line",
                     x->adjusts);
    cr_assert_eq(x->payable_ms, now, "payable_ms: got %lld, want now", (long long)x->payable_ms);
    cr_assert_eq(x->policy_version, 2, "policy_version: got %u, want 2", x->policy_version);
    s_month_is("O-1/role.channel/S-1/adj1", "2026-04");
    s_absent("O-1/role.service/S-2/adj1");   /* unchanged rate: nothing to adjust */
    s_rerun_same(now, "2026-04");

    /* A second version: a second adjustment, for what the first left. */
    s_settle();
    s_rates.channel = 400;
    s_pv.version = 3;
    s_run_open(s_ms("2026-05-03 09:00"), "2026-05");
    s_check("O-1/role.channel/S-1/adj1", SETTLED, 40000, 625, 500);
    s_check("O-1/role.channel/S-1/adj2", PAYABLE, 40000, 400, -900);
    s_month_is("O-1/role.channel/S-1/adj2", "2026-05");
}

Test(lines, a_new_policy_version_adjusts_a_settled_clawback)
{
    s_payable_o1();
    s_refund("R-1", 10000, "2026-03-20 10:00");
    s_run("2026-03-20 11:00");
    s_settle();
    s_pol.seller_rate = 2500;
    s_pv.version = 2;
    s_run_open(s_ms("2026-04-03 09:00"), "2026-04");
    s_check("O-1/seller.sale/P-3/adj1", PAYABLE, 100000, 2500, 5000);
    s_check("O-1/seller.sale/P-3/R-1/adj1", PAYABLE, -10000, 2500, -500);
    const Ledger__CommissionLine *x = s_line("O-1/seller.sale/P-3/R-1/adj1");
    cr_assert_str_eq(x->rule, "seller.sale.adjustment", "rule: got %s, want seller.sale.adjustment",
                     x->rule);
}

Test(lines, a_party_change_voids_the_unsettled_line_and_pays_the_new_party)
{
    s_run("2026-03-05 11:00");
    s_carry();
    s_role(&s_channel, KNOWN, S(8), "window_lock");   /* re-resolved */
    s_run("2026-03-06 11:00");
    const Ledger__CommissionLine *x = s_check("O-1/role.channel/S-1", VOID, 40000, 500, 0);
    cr_assert(strstr(x->reason, "S-1 is no longer the channel of O-1"),
              "reason: got \"%s\"", x->reason);
    s_check("O-1/role.channel/S-8", PENDING, 40000, 500, 2000);
    cr_assert_str_eq(lines_at(s_l, 7)->id, "O-1/role.channel/S-8",
                     "the new line comes after the carried ones: got %s", lines_at(s_l, 7)->id);
    s_rerun_same(s_ms("2026-03-06 11:00"), "0000-00");
}

Test(lines, a_party_change_voids_a_payable_line)
{
    s_payable_o1();
    s_role(&s_service, KNOWN, S(9), "window_lock");
    s_run("2026-03-13 09:00");
    const Ledger__CommissionLine *x = s_check("O-1/role.service/S-2", VOID, 40000, 300, 0);
    s_month_is("O-1/role.service/S-2", "");
    cr_assert_eq(x->payable_ms, 0, "payable_ms: got %lld, want 0", (long long)x->payable_ms);
    s_check("O-1/role.service/S-9", PAYABLE, 40000, 300, 1200);
}

Test(lines, a_party_change_adjusts_a_settled_line)
{
    s_payable_o1();
    s_settle();
    s_role(&s_channel, KNOWN, S(8), "window_lock");
    int64_t now = s_ms("2026-04-03 09:00");
    s_run_open(now, "2026-04");
    s_check("O-1/role.channel/S-1", SETTLED, 40000, 500, 2000);
    const Ledger__CommissionLine *x =
        s_check("O-1/role.channel/S-1/adj1", PAYABLE, 40000, 0, -2000);
    cr_assert_str_eq(x->earner->code, "S-1", "earner: got %s, want S-1", x->earner->code);
    s_month_is("O-1/role.channel/S-1/adj1", "2026-04");
    /* The new party: payable at once, the window having passed. */
    const Ledger__CommissionLine *y = s_check("O-1/role.channel/S-8", PAYABLE, 40000, 500, 2000);
    cr_assert_eq(y->payable_ms, now, "payable_ms: got %lld, want now", (long long)y->payable_ms);
    s_month_is("O-1/role.channel/S-8", "2026-04");
    s_rerun_same(now, "2026-04");
}

Test(lines, a_party_that_comes_back_gets_its_voided_line_again)
{
    s_run("2026-03-05 11:00");
    s_carry();
    s_role(&s_channel, KNOWN, S(8), "window_lock");
    s_run("2026-03-06 11:00");
    s_carry();
    s_role(&s_channel, KNOWN, S(1), "window_lock");
    s_run("2026-03-07 11:00");
    s_check("O-1/role.channel/S-1", PENDING, 40000, 500, 2000);
    s_check("O-1/role.channel/S-8", VOID, 40000, 500, 0);
    cr_assert_eq(lines_count(s_l), 8, "lines: got %zu, want 8 (%s)", lines_count(s_l), s_ids());
}

Test(lines, a_rate_set_to_zero_voids_an_unsettled_line)
{
    s_run("2026-03-05 11:00");
    s_carry();
    s_rates.assist = 0;
    s_pv.version = 2;
    s_run("2026-03-06 11:00");
    s_check("O-1/role.assist/S-3", VOID, 40000, 200, 0);
    s_reason_has("O-1/role.assist/S-3", "pays nothing to the assist");
}

Test(lines, a_cancelled_order_voids_its_pending_and_payable_lines)
{
    s_seller(P(3), NULL);
    s_run("2026-03-05 11:00");
    s_carry();
    s_o.cancelled = 1;
    s_run("2026-03-06 11:00");
    for (size_t i = 0; i < lines_count(s_l); i++) {
        const Ledger__CommissionLine *x = lines_at(s_l, i);
        cr_assert_eq(x->state, VOID, "%s state: got %s, want VOID", x->id,
                     s_state_name(x->state));
        cr_assert_eq(x->amount, 0, "%s amount: got %lld, want 0", x->id, (long long)x->amount);
    }
    s_reason_has("O-1/seller.sale/P-3", "void: O-1 was cancelled");
    cr_assert_eq(lines_count(s_l), 8, "lines: got %zu, want 8 (%s)", lines_count(s_l), s_ids());
    s_rerun_same(s_ms("2026-03-06 11:00"), "0000-00");
}

Test(lines, a_cancelled_order_voids_payable_lines_and_their_clawbacks)
{
    s_payable_o1();
    s_refund("R-1", 10000, "2026-03-20 10:00");
    s_run("2026-03-20 11:00");
    s_carry();
    s_o.cancelled = 1;
    s_run("2026-03-21 11:00");
    s_check("O-1/seller.sale/P-3", VOID, 100000, 2000, 0);
    s_check("O-1/seller.sale/P-3/R-1", VOID, -10000, 2000, 0);
}

Test(lines, a_cancelled_order_adjusts_its_settled_lines_to_zero)
{
    s_payable_o1();
    s_refund("R-1", 10000, "2026-03-20 10:00");
    s_run("2026-03-20 11:00");
    s_settle();
    s_o.cancelled = 1;
    int64_t now = s_ms("2026-04-03 09:00");
    s_run_open(now, "2026-04");
    s_check("O-1/seller.sale/P-3", SETTLED, 100000, 2000, 20000);
    s_check("O-1/seller.sale/P-3/adj1", PAYABLE, 100000, 0, -20000);
    s_check("O-1/seller.sale/P-3/R-1/adj1", PAYABLE, -10000, 0, 2000);
    s_check("O-1/role.arranger/S-5/adj1", PAYABLE, 40000, 0, -134);
    s_reason_has("O-1/seller.sale/P-3/adj1", "O-1 was cancelled");
    /* Every settled line's total is now 0. */
    int64_t total = 0;
    for (size_t i = 0; i < lines_count(s_l); i++)
        total += lines_at(s_l, i)->amount;
    cr_assert_eq(total, 0, "the order's lines sum to %lld, want 0", (long long)total);
    s_rerun_same(now, "2026-04");
}

Test(lines, a_paid_line_is_adjusted_like_a_settled_one)
{
    s_payable_o1();
    s_settle();
    for (size_t i = 0; i < s_n_carried; i++)
        s_carried[i]->state = PAID;
    s_o.cancelled = 1;
    s_run_open(s_ms("2026-04-03 09:00"), "2026-04");
    s_check("O-1/role.channel/S-1", PAID, 40000, 500, 2000);
    s_check("O-1/role.channel/S-1/adj1", PAYABLE, 40000, 0, -2000);
}

Test(lines, an_unsettled_adjustment_stays_and_a_later_one_counts_it)
{
    s_payable_o1();
    s_settle();
    s_rates.channel = 625;
    s_pv.version = 2;
    s_run_open(s_ms("2026-04-03 09:00"), "2026-04");
    s_carry();
    s_o.cancelled = 1;
    s_run_open(s_ms("2026-04-04 09:00"), "2026-04");
    s_check("O-1/role.channel/S-1/adj1", PAYABLE, 40000, 625, 500);
    s_check("O-1/role.channel/S-1/adj2", PAYABLE, 40000, 0, -2500);
    s_rerun_same(s_ms("2026-04-04 09:00"), "2026-04");
}

/* ---- stability ----------------------------------------------------------- */

Test(lines, ids_and_order_are_stable_and_a_rerun_changes_nothing)
{
    s_seller(P(3), P(2));
    s_run("2026-03-05 11:00");
    const char *want[] = {
        "O-1/role.channel/S-1", "O-1/role.service/S-2", "O-1/role.assist/S-3",
        "O-1/role.handler/S-4", "O-1/role.arranger/S-5", "O-1/role.arranger/S-6",
        "O-1/role.arranger/S-7", "O-1/seller.sale/P-3", "O-1/seller.invite/P-2",
    };
    cr_assert_eq(lines_count(s_l), N(want), "lines: got %zu, want %zu", lines_count(s_l),
                 N(want));
    for (size_t i = 0; i < N(want); i++)
        cr_assert_str_eq(lines_at(s_l, i)->id, want[i], "line %zu: got %s, want %s", i,
                         lines_at(s_l, i)->id, want[i]);
    s_rerun_same(s_ms("2026-03-05 11:00"), "0000-00");

    /* Through payable, a settled month, clawbacks and adjustments. */
    s_complete("2026-03-05 18:00");
    s_carry();
    s_run("2026-03-12 18:00");
    s_rerun_same(s_ms("2026-03-12 18:00"), "0000-00");
    s_settle();
    s_refund("R-1", 10000, "2026-04-02 10:00");
    s_rates.channel = 600;
    s_pv.version = 2;
    s_role(&s_assist, KNOWN, S(11), "window_lock");
    s_run_open(s_ms("2026-04-02 11:00"), "2026-04");
    s_rerun_same(s_ms("2026-04-02 11:00"), "2026-04");
    s_check("O-1/role.channel/S-1/adj1", PAYABLE, 40000, 600, 400);
    s_check("O-1/role.channel/S-1/R-1", PAYABLE, -10000, 600, -600);
    s_check("O-1/role.assist/S-3/adj1", PAYABLE, 40000, 0, -800);
    /* The new assist's base is fixed now, the refund already in it. */
    s_check("O-1/role.assist/S-11", PAYABLE, 30000, 200, 600);
    s_absent("O-1/role.assist/S-11/R-1");
}

Test(lines, the_same_facts_give_the_same_bytes)
{
    s_seller(P(3), P(2));
    s_complete("2026-03-05 18:00");
    s_refund("R-1", 12345, "2026-03-06 10:00");
    s_run("2026-03-06 11:00");
    size_t a_len, b_len;
    uint8_t *a = s_packed(&a_len);
    s_run("2026-03-06 11:00");
    uint8_t *b = s_packed(&b_len);
    cr_assert(a_len == b_len && memcmp(a, b, a_len) == 0, "two runs differ");
    free(a);
    free(b);
}

Test(lines, a_policy_without_a_body_pays_nothing)
{
    s_pv.policy = NULL;
    s_seller(P(3), P(2));
    s_run("2026-03-05 11:00");
    cr_assert_eq(lines_count(s_l), 0, "lines: got %zu, want 0 (%s)", lines_count(s_l), s_ids());
}
