/* page - a monthly statement as one self-contained printable HTML page with
 * an SVG chart of the person's year (see page.h). Money stays integer fen;
 * only the chart's pixels come from a division, in 128 bits. Everything
 * from the ledger is escaped; nothing on the page is fetched. */
#include <stdio.h>
#include <string.h>
#include "money.h"
#include "page.h"

/* Per programme: CSV word, Chinese label, English label, chart colour. */
static const struct {
    const char *prefix;   /* the rule's first word, dot included */
    const char *key;
    const char *label;
    const char *english;
    const char *colour;
} s_programmes[PAGE_PROGRAMMES] = {
    [PAGE_ROLE]   = { "role.",   "role",   "角色提成", "roles",          "#3b6fb6" },
    [PAGE_SELLER] = { "seller.", "seller", "销售员",   "sellers",        "#2e9d6a" },
    [PAGE_REBATE] = { "rebate.", "rebate", "月度返利", "monthly rebate", "#e0a030" },
    [PAGE_POOL]   = { "pool.",   "pool",   "奖金池",   "bonus pool",     "#8a5cc2" },
    [PAGE_FINE]   = { "fine.",   "fine",   "罚款",     "fines",          "#d0453b" },
    [PAGE_REWARD] = { "reward.", "reward", "奖励",     "rewards",        "#1aa3a3" },
    [PAGE_OTHER]  = { NULL,      "other",  "其他",     "other",          "#8c8c8c" },
};

static const char *const s_states[] = {
    "", "待定 pending", "应付 payable", "已结算 settled", "已付 paid", "作废 void" };

page_programme_t page_programme(const char *rule)
{
    for (int p = 0; p < PAGE_OTHER; p++) {
        size_t n = strlen(s_programmes[p].prefix);
        if (rule && !strncmp(rule, s_programmes[p].prefix, n) && rule[n])
            return (page_programme_t)p;
    }
    return PAGE_OTHER;
}

const char *page_programme_key(page_programme_t p)
{
    return s_programmes[p < PAGE_PROGRAMMES ? p : PAGE_OTHER].key;
}

const char *page_programme_label(page_programme_t p)
{
    return s_programmes[p < PAGE_PROGRAMMES ? p : PAGE_OTHER].label;
}

void page_escape(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&':  fputs("&amp;", f); break;
        case '<':  fputs("&lt;", f); break;
        case '>':  fputs("&gt;", f); break;
        case '"':  fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        /* Harmless in text, but escaped so that no ledger text can make
         * the page look as if it fetched: "src=", "url(", "@import". */
        case '=':  fputs("&#61;", f); break;
        case '(':  fputs("&#40;", f); break;
        case '@':  fputs("&#64;", f); break;
        default:   fputc(*s, f);
        }
    }
}

/* s_grouped - fen as yuan with thousands separators, "-1,234.50" (decimals
 * 0: whole yuan, for the axis); out >= 40 bytes */
static const char *s_grouped(char *out, size_t n, int64_t fen, int decimals)
{
    money_format_grouped(out, n, fen);
    if (!decimals)
        *strchr(out, '.') = '\0';
    return out;
}

void page_year_init(page_year_t *y, int year)
{
    memset(y, 0, sizeof *y);
    y->year = year;
}

int page_year_set(page_year_t *y, const Ledger__Statement *st)
{
    int year, month;
    char end;
    if (!st->month || sscanf(st->month, "%4d-%2d%c", &year, &month, &end) != 2 ||
        year != y->year || month < 1 || month > 12)
        return -1;
    int m = month - 1;
    memset(y->up[m], 0, sizeof y->up[m]);
    memset(y->down[m], 0, sizeof y->down[m]);
    for (size_t i = 0; i < st->n_lines; i++) {
        const Ledger__CommissionLine *l = st->lines[i];
        page_programme_t p = page_programme(l->rule);
        if (l->amount > 0)
            y->up[m][p] += l->amount;
        else
            y->down[m][p] += l->amount;
    }
    y->state[m] = st->closed ? PAGE_MONTH_CLOSED : PAGE_MONTH_DRAFT;
    return 0;
}

/* s_ceil_steps - the least multiple of step at or above v (v >= 0) */
static int64_t s_ceil_steps(int64_t v, int64_t step)
{
    return (v + step - 1) / step * step;
}

void page_scale_init(page_scale_t *out, const page_year_t *y, int height)
{
    int64_t high = 0, deep = 0;   /* the tallest stack above, the deepest below */
    for (int m = 0; m < 12; m++) {
        int64_t up = 0, down = 0;
        for (int p = 0; p < PAGE_PROGRAMMES; p++) {
            up += y->up[m][p];
            down += y->down[m][p];
        }
        high = up > high ? up : high;
        deep = down < deep ? down : deep;
    }
    out->height = height;
    if (high == 0 && deep == 0) {
        out->step = out->top = 10000;
        out->bottom = 0;
        return;
    }
    /* The least step of 1, 2 or 5 x 10^k yuan that spans the range in at
     * most five: at most seven gridlines once both ends are rounded out. */
    static const int64_t mult[] = { 1, 2, 5 };
    int64_t span = high - deep;
    out->step = 0;
    for (int64_t base = 100; !out->step; base *= 10)
        for (int k = 0; k < 3 && !out->step; k++)
            if (base > INT64_MAX / 100 || span <= 5 * base * mult[k])
                out->step = base * mult[k];
    out->top = s_ceil_steps(high, out->step);
    out->bottom = -s_ceil_steps(-deep, out->step);
}

int page_scale_y(const page_scale_t *s, int64_t fen)
{
    return (int)money_div_round128((__int128)(s->top - fen) * s->height, s->top - s->bottom);
}

/* Chart geometry, in the SVG's own pixels (it scales to the page). */
enum {
    CH_W = 720,          /* whole width */
    CH_LEFT = 70,        /* room for the yuan labels */
    CH_RIGHT = 10,
    CH_TOP = 22,         /* room for the net above the tallest bar */
    CH_PLOT = 220,       /* the plot's height */
    CH_SLOT = (CH_W - CH_LEFT - CH_RIGHT) / 12,   /* a month's width */
    CH_BAR = 30,         /* a bar's width */
    CH_H = CH_TOP + CH_PLOT + 70   /* month labels and two legend rows below */
};

/* s_segments - one stack of a month's bars: the amounts of a (up or down)
 * one on another from the axis; boundaries are rounded, not heights, so
 * the stack's height is the rounded total */
static void s_segments(FILE *f, const page_scale_t *s, int x, const int64_t *a)
{
    int64_t sum = 0;
    for (int p = 0; p < PAGE_PROGRAMMES; p++) {
        if (!a[p])
            continue;
        int y0 = page_scale_y(s, sum), y1 = page_scale_y(s, sum + a[p]);
        sum += a[p];
        int top = y0 < y1 ? y0 : y1, h = y0 < y1 ? y1 - y0 : y0 - y1;
        if (h > 0)
            fprintf(f, "<rect class=\"bar\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
                    "fill=\"%s\"/>\n", x, CH_TOP + top, CH_BAR, h, s_programmes[p].colour);
    }
}

void page_chart(FILE *f, const page_year_t *y, int mark)
{
    page_scale_t s;
    char a[48];
    page_scale_init(&s, y, CH_PLOT);
    fprintf(f, "<svg class=\"chart\" viewBox=\"0 0 %d %d\" role=\"img\" "
            "font-family=\"Noto Sans CJK SC, Noto Sans CJK, sans-serif\" font-size=\"11\">\n",
            CH_W, CH_H);
    if (mark >= 1 && mark <= 12)
        fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#eef3fb\"/>\n",
                CH_LEFT + (mark - 1) * CH_SLOT, CH_TOP, CH_SLOT, CH_PLOT);
    fprintf(f, "<text x=\"4\" y=\"12\" fill=\"#555\">元 yuan</text>\n");
    for (int64_t v = s.bottom; v <= s.top; v += s.step) {
        int yy = CH_TOP + page_scale_y(&s, v);
        fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#e2e2e2\"/>\n"
                "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" fill=\"#555\">%s</text>\n",
                CH_LEFT, yy, CH_W - CH_RIGHT, yy, CH_LEFT - 6, yy + 4,
                s_grouped(a, sizeof a, v, 0));
    }
    for (int m = 0; m < 12; m++) {
        int x = CH_LEFT + m * CH_SLOT + (CH_SLOT - CH_BAR) / 2;
        if (y->state[m] != PAGE_MONTH_NONE) {
            int64_t up = 0, net = 0;
            for (int p = 0; p < PAGE_PROGRAMMES; p++) {
                up += y->up[m][p];
                net += y->up[m][p] + y->down[m][p];
            }
            fprintf(f, "<g%s>\n", y->state[m] == PAGE_MONTH_DRAFT ? " opacity=\"0.5\"" : "");
            s_segments(f, &s, x, y->up[m]);
            s_segments(f, &s, x, y->down[m]);
            int ny = CH_TOP + page_scale_y(&s, net);
            fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#111\" "
                    "stroke-width=\"2\"/>\n</g>\n", x - 4, ny, x + CH_BAR + 4, ny);
            fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"9\" "
                    "fill=\"#333\">%s</text>\n", x + CH_BAR / 2,
                    CH_TOP + page_scale_y(&s, up) - 4, s_grouped(a, sizeof a, net, 2));
        }
        fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"%s\">%d月%s</text>\n",
                x + CH_BAR / 2, CH_TOP + CH_PLOT + 16,
                y->state[m] == PAGE_MONTH_NONE ? "#aaa" : "#222", m + 1,
                y->state[m] == PAGE_MONTH_DRAFT ? "*" : "");
    }
    /* The axis last, over the bars' ends. */
    int zero = CH_TOP + page_scale_y(&s, 0);
    fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#444\"/>\n",
            CH_LEFT, zero, CH_W - CH_RIGHT, zero);
    for (int p = 0; p <= PAGE_PROGRAMMES; p++) {   /* the programmes, then the net */
        int lx = CH_LEFT + (p % 4) * 160, ly = CH_TOP + CH_PLOT + 38 + (p / 4) * 20;
        if (p < PAGE_PROGRAMMES)
            fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>\n"
                    "<text x=\"%d\" y=\"%d\">%s <tspan fill=\"#666\">%s</tspan></text>\n",
                    lx, ly - 10, s_programmes[p].colour, lx + 17, ly, s_programmes[p].label,
                    s_programmes[p].english);
        else
            fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#111\" "
                    "stroke-width=\"2\"/>\n<text x=\"%d\" y=\"%d\">净额 <tspan fill=\"#666\">"
                    "net (* 草稿 draft)</tspan></text>\n", lx, ly - 4, lx + 12, ly - 4,
                    lx + 17, ly);
    }
    fputs("</svg>\n", f);
}

static const char s_style[] =
    "@page { size: A4; margin: 10mm 12mm 12mm; }\n"
    "* { box-sizing: border-box; }\n"
    "body { font-family: \"Noto Sans CJK SC\", \"Noto Sans CJK\", sans-serif; font-size: 10pt;\n"
    "  color: #222; max-width: 186mm; margin: 0 auto; padding: 4mm 0;\n"
    "  -webkit-print-color-adjust: exact; print-color-adjust: exact; }\n"
    "h1 { font-size: 17pt; margin: 0; }\n"
    "h1 .kind { display: block; font-size: 10pt; font-weight: normal; color: #666; }\n"
    "h2 { font-size: 12pt; margin: 5mm 0 1.5mm; break-after: avoid; }\n"
    ".en { color: #666; font-weight: normal; }\n"
    ".meta { margin: 2mm 0 0; color: #444; }\n"
    ".meta > span { margin-right: 6mm; white-space: nowrap; }\n"
    ".banner { border: 2px solid #c62828; color: #c62828; padding: 2mm 3mm; margin: 4mm 0;\n"
    "  font-weight: bold; }\n"
    "table { border-collapse: collapse; width: 100%; }\n"
    "th, td { border-bottom: 1px solid #ddd; padding: 1.2mm 1.6mm; text-align: left;\n"
    "  vertical-align: top; }\n"
    "th { background: #f1f3f6; font-weight: 600; font-size: 9pt; }\n"
    "thead { display: table-header-group; }\n"
    "tr { break-inside: avoid; }\n"
    ".n { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }\n"
    ".neg { color: #c62828; }\n"
    ".sum td { font-weight: bold; border-top: 1.5px solid #888; border-bottom: none; }\n"
    ".summary td { width: 16.66%; border: 1px solid #ddd; padding: 2mm; }\n"
    ".summary .k { display: block; font-size: 9pt; color: #444; }\n"
    ".summary .k .en { display: block; font-size: 8pt; }\n"
    ".summary .v { display: block; font-size: 13pt; font-weight: bold; text-align: right; }\n"
    ".keep { break-inside: avoid; }\n"
    ".chart { width: 100%; height: auto; display: block; }\n"
    ".lines td { font-size: 9pt; }\n"
    ".lines td:not(.reason) { white-space: nowrap; }\n"
    ".lines .reason { color: #444; }\n"
    "footer { margin-top: 3mm; color: #777; font-size: 8.5pt; }\n"
    "@media print { body { padding: 0; } }\n";

/* s_money_td - a right-aligned money cell, red when negative */
static void s_money_td(FILE *f, int64_t fen)
{
    char a[48];
    fprintf(f, "<td class=\"n%s\">%s</td>", fen < 0 ? " neg" : "", s_grouped(a, sizeof a, fen, 2));
}

/* s_summary_cell - one box of the summary: label, English, amount or a
 * dash when the draft cannot say yet */
static void s_summary_cell(FILE *f, const char *label, const char *english, int64_t fen,
                           int known)
{
    char a[48];
    fprintf(f, "<td><span class=\"k\">%s <span class=\"en\">%s</span></span>"
            "<span class=\"v%s\">%s</span></td>", label, english,
            known && fen < 0 ? " neg" : "", known ? s_grouped(a, sizeof a, fen, 2) : "—");
}

/* s_head - title, person, status and the draft's warning */
static void s_head(FILE *f, const page_t *p)
{
    const Ledger__Statement *st = p->st;
    fputs("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>", f);
    fputs("提成对账单 ", f);
    page_escape(f, p->name);
    fputs(" ", f);
    page_escape(f, p->person);
    fputs(" ", f);
    page_escape(f, st->month);
    fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<header>\n<h1>"
            "<span class=\"kind\">提成对账单 Commission statement</span>", s_style);
    page_escape(f, *p->name ? p->name : "(姓名未知 name not known)");
    fputs(" <span class=\"en\">", f);
    page_escape(f, p->person);
    fputs("</span></h1>\n<p class=\"meta\"><span>分支 <span class=\"en\">Branch</span> ", f);
    page_escape(f, *p->branch ? p->branch : "—");
    fputs("</span><span>月份 <span class=\"en\">Month</span> ", f);
    page_escape(f, st->month);
    fputs("</span><span>状态 <span class=\"en\">Status</span> ", f);
    if (st->closed) {
        fputs("已结账 closed on ", f);
        page_escape(f, p->closed_at);
    } else {
        fputs("草稿 draft", f);
    }
    fputs("</span></p>\n</header>\n", f);
    if (!st->closed)
        fputs("<p class=\"banner\">草稿 DRAFT：本月尚未结账，明细仍可能变动；结转与应付在结账时确定。"
              "<br>This month is not closed: this statement is a draft and its lines may "
              "still change. What is carried and payable is settled at the close.</p>\n", f);
}

/* s_summary - the six figures; a draft's balance is not known before the close */
static void s_summary(FILE *f, const Ledger__Statement *st)
{
    int closed = st->closed != 0;
    fputs("<section class=\"keep\">\n<h2>汇总 <span class=\"en\">Summary</span></h2>\n"
          "<table class=\"summary\"><tr>", f);
    s_summary_cell(f, "本月合计", "Total", st->total, 1);
    s_summary_cell(f, "上月结转", "Carried in", st->carried_in, closed);
    s_summary_cell(f, "应付", "Payable", st->payable, closed);
    s_summary_cell(f, "结转下月", "Carried on", st->carried_out, closed);
    s_summary_cell(f, "已付", "Paid", st->paid, 1);
    s_summary_cell(f, "待付", "Still to pay", st->payable - st->paid, closed);
    fputs("</tr></table>\n", f);
    if (st->n_payouts) {
        fputs("<p>付款单 <span class=\"en\">Payouts</span>: ", f);
        for (size_t i = 0; i < st->n_payouts; i++) {
            fputs(i ? ", " : "", f);
            page_escape(f, st->payouts[i]);
        }
        fputs("</p>\n", f);
    }
    fputs("</section>\n", f);
}

/* s_programmes_table - the month's lines summed by programme; warns when
 * the lines do not sum to the statement's total */
static void s_programmes_table(FILE *f, const Ledger__Statement *st)
{
    int64_t sum[PAGE_PROGRAMMES] = { 0 }, all = 0;
    size_t count[PAGE_PROGRAMMES] = { 0 };
    char a[48], b[48];
    for (size_t i = 0; i < st->n_lines; i++) {
        page_programme_t p = page_programme(st->lines[i]->rule);
        sum[p] += st->lines[i]->amount;
        count[p]++;
        all += st->lines[i]->amount;
    }
    fputs("<section class=\"keep\">\n<h2>按项目小计 <span class=\"en\">By programme</span></h2>\n"
          "<table><thead><tr><th>项目 <span class=\"en\">Programme</span></th>"
          "<th class=\"n\">笔数 <span class=\"en\">Lines</span></th>"
          "<th class=\"n\">金额 <span class=\"en\">Amount</span></th></tr></thead>\n<tbody>\n", f);
    for (int p = 0; p < PAGE_PROGRAMMES; p++) {
        if (!count[p])
            continue;
        fprintf(f, "<tr><td><svg width=\"10\" height=\"10\"><rect width=\"10\" height=\"10\" "
                "fill=\"%s\"/></svg> %s <span class=\"en\">%s</span></td><td class=\"n\">%zu</td>",
                s_programmes[p].colour, s_programmes[p].label, s_programmes[p].english, count[p]);
        s_money_td(f, sum[p]);
        fputs("</tr>\n", f);
    }
    fprintf(f, "<tr class=\"sum\"><td>本月合计 <span class=\"en\">Total</span></td>"
            "<td class=\"n\">%zu</td>", st->n_lines);
    s_money_td(f, st->total);
    fputs("</tr>\n</tbody></table>\n", f);
    if (all != st->total)
        fprintf(f, "<p class=\"banner\">明细合计 %s 与对账单合计 %s 不符。The lines sum to %s, "
                "but the statement's total is %s.</p>\n", s_grouped(a, sizeof a, all, 2),
                s_grouped(b, sizeof b, st->total, 2), a, b);
    fputs("</section>\n", f);
}

/* s_lines - every line of the statement, in its order */
static void s_lines(FILE *f, const Ledger__Statement *st)
{
    char a[48];
    fprintf(f, "<h2>明细 <span class=\"en\">Lines (%zu)</span></h2>\n<table class=\"lines\">"
            "<thead><tr><th>订单 <span class=\"en\">Order</span></th>"
            "<th>规则 <span class=\"en\">Rule</span></th>"
            "<th>项目 <span class=\"en\">Programme</span></th>"
            "<th class=\"n\">基数 <span class=\"en\">Basis</span></th>"
            "<th class=\"n\">比例 <span class=\"en\">Rate</span></th>"
            "<th class=\"n\">金额 <span class=\"en\">Amount</span></th>"
            "<th>状态 <span class=\"en\">State</span></th>"
            "<th>说明 <span class=\"en\">Reason</span></th></tr></thead>\n<tbody>\n",
            st->n_lines);
    for (size_t i = 0; i < st->n_lines; i++) {
        const Ledger__CommissionLine *l = st->lines[i];
        fputs("<tr><td>", f);
        page_escape(f, *l->order_code ? l->order_code : "—");
        fputs("</td><td>", f);
        page_escape(f, l->rule);
        fprintf(f, "</td><td>%s</td>", page_programme_label(page_programme(l->rule)));
        /* A fine has neither; a pool share has a basis (the sales served) but
         * no rate of its own. */
        if (l->basis == 0 && l->rate == 0)
            fputs("<td class=\"n\">—</td>", f);
        else
            s_money_td(f, l->basis);
        if (l->rate == 0)
            fputs("<td class=\"n\">—</td>", f);
        else
            fprintf(f, "<td class=\"n\">%s</td>", money_format_bp(a, sizeof a, l->rate));
        s_money_td(f, l->amount);
        fprintf(f, "<td>%s</td><td class=\"reason\">",
                l->state < sizeof s_states / sizeof s_states[0] ? s_states[l->state] : "?");
        page_escape(f, l->reason);
        fputs("</td></tr>\n", f);
    }
    if (!st->n_lines)
        fputs("<tr><td colspan=\"8\">本月没有明细 <span class=\"en\">No lines this month"
              "</span></td></tr>\n", f);
    fputs("<tr class=\"sum\"><td colspan=\"5\">本月合计 <span class=\"en\">Total</span></td>", f);
    s_money_td(f, st->total);
    fputs("<td colspan=\"2\"></td></tr>\n</tbody></table>\n", f);
}

int page_write(FILE *f, const page_t *p)
{
    const Ledger__Statement *st = p->st;
    int month = 0;
    sscanf(st->month, "%*4d-%2d", &month);
    s_head(f, p);
    s_summary(f, st);
    s_programmes_table(f, st);
    fprintf(f, "<section class=\"keep\">\n<h2>%d年 各月提成 <span class=\"en\">The year by "
            "month and programme</span></h2>\n", p->year->year);
    page_chart(f, p->year, month);
    fputs("</section>\n", f);
    s_lines(f, st);
    fprintf(f, "<footer>ledger-finance · statement.%s 版本 version %llu · 金额单位：元 "
            "<span class=\"en\">amounts in yuan</span></footer>\n</body>\n</html>\n",
            st->closed ? "closed" : "draft", (unsigned long long)p->version);
    return ferror(f) ? -1 : 0;
}
