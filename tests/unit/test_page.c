/* page - the statement page: programmes by rule at their edges, rates from
 * basis points, HTML escaping, the chart's scale (proportional bars,
 * negative ones below the axis, an empty year), and a page that fetches
 * nothing. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "page.h"

TestSuite(page);

/* s_capture - what fn wrote to a memory stream; caller frees */
#define CAPTURE(buf, call) do { size_t len_; FILE *f = open_memstream(&(buf), &len_); \
    cr_assert(f, "open_memstream"); call; cr_assert_eq(fclose(f), 0, "fclose"); } while (0)

/* s_count - occurrences of needle in s */
static int s_count(const char *s, const char *needle)
{
    int n = 0;
    for (const char *p = s; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

Test(page, programme_is_the_rules_first_word_before_a_dot)
{
    static const struct { const char *rule; page_programme_t want; } cases[] = {
        { "role.channel", PAGE_ROLE },
        { "role.channel.clawback", PAGE_ROLE },       /* clawbacks stay in their programme */
        { "seller.sale.adjustment", PAGE_SELLER },
        { "seller.invite", PAGE_SELLER },
        { "rebate.monthly", PAGE_REBATE },
        { "pool.share", PAGE_POOL },
        { "fine.training.weekly_script", PAGE_FINE },
        { "reward.month", PAGE_REWARD },
        { "role", PAGE_OTHER },                        /* no dot: no programme */
        { "role.", PAGE_OTHER },                       /* nothing after the dot */
        { "roles.x", PAGE_OTHER },                     /* another word */
        { "Role.channel", PAGE_OTHER },                /* case matters */
        { "xrole.channel", PAGE_OTHER },
        { "", PAGE_OTHER },
        { NULL, PAGE_OTHER },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        page_programme_t got = page_programme(cases[i].rule);
        cr_expect_eq(got, cases[i].want, "page_programme(%s): got %s, want %s",
                     cases[i].rule ? cases[i].rule : "NULL", page_programme_key(got),
                     page_programme_key(cases[i].want));
    }
    cr_expect_str_eq(page_programme_label(PAGE_ROLE), "角色提成");
    cr_expect_str_eq(page_programme_label(PAGE_FINE), "罚款");
    cr_expect_str_eq(page_programme_key(PAGE_OTHER), "other");
}

Test(page, escape_turns_markup_into_text)
{
    char *buf = NULL;
    CAPTURE(buf, page_escape(f, "<b>A&B</b> \"q\" 'a' 张伟"));
    cr_expect_str_eq(buf, "&lt;b&gt;A&amp;B&lt;/b&gt; &quot;q&quot; &#39;a&#39; 张伟");
    free(buf);
    CAPTURE(buf, page_escape(f, "src=x url(y) @import"));
    cr_expect_str_eq(buf, "src&#61;x url&#40;y) &#64;import");
    free(buf);
    CAPTURE(buf, page_escape(f, NULL));
    cr_expect_str_eq(buf, "");
    free(buf);
}

/* s_line - a line for a statement */
static Ledger__CommissionLine s_line(const char *rule, int64_t amount)
{
    Ledger__CommissionLine l = LEDGER__COMMISSION_LINE__INIT;
    l.rule = (char *)rule;
    l.amount = amount;
    return l;
}

Test(page, year_sums_each_months_lines_by_programme_and_sign)
{
    Ledger__CommissionLine l[] = { s_line("role.channel", 2000), s_line("role.channel.clawback", -500),
        s_line("seller.sale", 300), s_line("fine.x", -1000) };
    Ledger__CommissionLine *lines[] = { &l[0], &l[1], &l[2], &l[3] };
    Ledger__Statement st = LEDGER__STATEMENT__INIT;
    st.month = "2026-03";
    st.lines = lines;
    st.n_lines = 4;
    st.closed = 1;
    page_year_t y;
    page_year_init(&y, 2026);
    cr_assert_eq(page_year_set(&y, &st), 0);
    cr_expect_eq(y.up[2][PAGE_ROLE], 2000);
    cr_expect_eq(y.down[2][PAGE_ROLE], -500, "a clawback is below, in its own programme");
    cr_expect_eq(y.up[2][PAGE_SELLER], 300);
    cr_expect_eq(y.down[2][PAGE_FINE], -1000);
    cr_expect_eq(y.state[2], PAGE_MONTH_CLOSED);
    cr_expect_eq(y.state[1], PAGE_MONTH_NONE);
    /* Setting the month again replaces it: a draft, then the closed one. */
    st.n_lines = 1;
    st.closed = 0;
    cr_assert_eq(page_year_set(&y, &st), 0);
    cr_expect_eq(y.down[2][PAGE_FINE], 0);
    cr_expect_eq(y.state[2], PAGE_MONTH_DRAFT);
    st.month = "2025-03";
    cr_expect_eq(page_year_set(&y, &st), -1, "another year's month");
    st.month = "2026-13";
    cr_expect_eq(page_year_set(&y, &st), -1, "no 13th month");
}

Test(page, bars_are_proportional_and_negative_ones_hang_below_the_axis)
{
    page_year_t y;
    page_scale_t s;
    page_year_init(&y, 2026);
    y.up[0][PAGE_ROLE] = 10000;       /* 100.00 */
    y.up[1][PAGE_ROLE] = 20000;       /* 200.00 */
    y.down[1][PAGE_FINE] = -5000;     /* -50.00 */
    y.state[0] = y.state[1] = PAGE_MONTH_CLOSED;
    page_scale_init(&s, &y, 250);
    /* 250.00 to span: 50.00 steps, 200.00 above and 50.00 below. */
    cr_expect_eq(s.step, 5000, "step: got %lld", (long long)s.step);
    cr_expect_eq(s.top, 20000, "top: got %lld", (long long)s.top);
    cr_expect_eq(s.bottom, -5000, "bottom: got %lld", (long long)s.bottom);
    int axis = page_scale_y(&s, 0);
    int h1 = axis - page_scale_y(&s, 10000), h2 = axis - page_scale_y(&s, 20000);
    cr_expect_eq(page_scale_y(&s, s.top), 0);
    cr_expect_eq(page_scale_y(&s, s.bottom), 250);
    cr_expect_eq(h2, 2 * h1, "200.00 twice as tall as 100.00: got %d and %d", h2, h1);
    cr_expect_eq(h1, 100, "got %d", h1);
    cr_expect_gt(page_scale_y(&s, -5000), axis, "a fine is below the axis");
    cr_expect_eq(page_scale_y(&s, -5000) - axis, h1 / 2, "-50.00 is half of 100.00 long");

    char *svg = NULL;
    CAPTURE(svg, page_chart(f, &y, 2));
    cr_expect_eq(s_count(svg, "class=\"bar\""), 3, "three segments: %s", svg);
    /* The chart's own plot is 220 px over the same 250.00. */
    cr_expect(strstr(svg, "height=\"88\" fill=\"#3b6fb6\""), "January's 100.00: %s", svg);
    cr_expect(strstr(svg, "height=\"176\" fill=\"#3b6fb6\""), "February's 200.00");
    cr_expect(strstr(svg, "y=\"198\" width=\"30\" height=\"44\" fill=\"#d0453b\""),
              "February's fine of 50.00 from the axis down");
    cr_expect(strstr(svg, "1月") && strstr(svg, "12月"), "month labels");
    cr_expect(strstr(svg, ">200<") && strstr(svg, ">-50<"), "yuan on the axis: %s", svg);
    cr_expect(strstr(svg, "罚款") && strstr(svg, "奖金池"), "the legend");
    free(svg);
}

Test(page, scale_steps_are_one_two_or_five_and_cover_the_year)
{
    static const struct { int64_t high, deep, step, top, bottom; } cases[] = {
        { 1, 0, 100, 100, 0 },                          /* one fen: a 1-yuan step */
        { 2000, 0, 500, 2000, 0 },
        { 2001, 0, 500, 2500, 0 },
        { 0, -3000, 1000, 0, -3000 },                   /* only fines */
        { 123456789, -1, 50000000, 150000000, -50000000 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        page_year_t y;
        page_scale_t s;
        page_year_init(&y, 2026);
        y.up[5][PAGE_POOL] = cases[i].high;
        y.down[5][PAGE_FINE] = cases[i].deep;
        y.state[5] = PAGE_MONTH_DRAFT;
        page_scale_init(&s, &y, 200);
        cr_expect(s.step == cases[i].step && s.top == cases[i].top && s.bottom == cases[i].bottom,
                  "case %zu: got step %lld top %lld bottom %lld, want %lld %lld %lld", i,
                  (long long)s.step, (long long)s.top, (long long)s.bottom,
                  (long long)cases[i].step, (long long)cases[i].top, (long long)cases[i].bottom);
        cr_expect_leq((s.top - s.bottom) / s.step, 7, "case %zu: at most 7 steps", i);
    }
}

Test(page, a_year_of_zeros_draws_no_bars_and_divides_by_nothing)
{
    page_year_t y;
    page_scale_t s;
    page_year_init(&y, 2026);
    y.state[3] = PAGE_MONTH_CLOSED;   /* a statement of only zero lines */
    page_scale_init(&s, &y, 200);
    cr_expect_gt(s.top - s.bottom, 0);
    cr_expect_gt(s.step, 0);
    cr_expect_eq(page_scale_y(&s, 0), 200, "the axis at the bottom");
    char *svg = NULL;
    CAPTURE(svg, page_chart(f, &y, 4));
    cr_expect_eq(s_count(svg, "class=\"bar\""), 0, "no bars: %s", svg);
    cr_expect(strstr(svg, "12月"), "still the months");
    free(svg);
}

/* s_page - a closed statement with hostile text, as a whole page; caller frees */
static char *s_page(int closed)
{
    Ledger__CommissionLine l[] = { s_line("role.channel", 2000), s_line("fine.late<script>", -500),
        s_line("seller.sale", 300) };
    l[0].order_code = "O-1";
    l[0].basis = 40000;
    l[0].rate = 500;
    l[0].reason = "5% of <b>400.00</b> & more";
    l[0].state = LEDGER__LINE_STATE__LINE_SETTLED;
    l[1].reason = "url(http://x/) @import 'y' <img src=z>";
    Ledger__CommissionLine *lines[] = { &l[0], &l[1], &l[2] };
    Ledger__Statement st = LEDGER__STATEMENT__INIT;
    st.month = "2026-03";
    st.lines = lines;
    st.n_lines = 3;
    st.closed = closed;
    st.total = 1800;
    st.payable = closed ? 1800 : 0;
    st.paid = 1000;
    page_year_t y;
    page_year_init(&y, 2026);
    page_year_set(&y, &st);
    page_t p = { &st, "staff:S-1", "张\"伟<", "SH01", "2026-04-01 00:00:00", 2, &y };
    char *buf = NULL;
    CAPTURE(buf, cr_assert_eq(page_write(f, &p), 0));
    return buf;
}

Test(page, page_holds_no_external_reference_and_escapes_the_ledgers_text)
{
    char *html = s_page(1);
    /* The ledger's text above carries url( and @import: escaped, they do
     * not even read as such. */
    static const char *const refs[] = { "src=", "href=", "url(", "@import",
                                        "<link", "<script", "<img", "<iframe", "<object" };
    for (size_t i = 0; i < sizeof refs / sizeof refs[0]; i++)
        cr_expect_null(strstr(html, refs[i]), "the page holds %s", refs[i]);
    cr_expect(strstr(html, "&lt;b&gt;400.00&lt;/b&gt; &amp; more"), "the reason, escaped");
    cr_expect(strstr(html, "张&quot;伟&lt;"), "the name, escaped");
    cr_expect(strstr(html, "@page"), "printable: an @page rule");
    cr_expect(strstr(html, "<svg class=\"chart\""), "the chart, inline");
    cr_expect(strstr(html, "Noto Sans CJK SC"));
    free(html);
}

Test(page, page_shows_the_statements_figures_and_subtotals_that_sum_to_them)
{
    char *html = s_page(1);
    cr_expect(strstr(html, "closed on 2026-04-01 00:00:00"));
    cr_expect(strstr(html, "本月合计"));
    cr_expect(strstr(html, ">18.00<"), "the total");
    cr_expect(strstr(html, ">10.00<"), "paid");
    cr_expect(strstr(html, ">8.00<"), "still to pay: 18.00 - 10.00");
    cr_expect(strstr(html, ">20.00<") && strstr(html, ">-5.00<") && strstr(html, ">3.00<"),
              "a subtotal per programme");
    cr_expect(strstr(html, ">5.00%<"), "the rate");
    cr_expect_null(strstr(html, "DRAFT"), "a closed statement is no draft");
    cr_expect_null(strstr(html, "不符"), "the lines sum to the total");
    free(html);
    html = s_page(0);
    cr_expect(strstr(html, "DRAFT") && strstr(html, "lines may still change"));
    cr_expect(strstr(html, "草稿 draft"));
    free(html);
}
