/* cmd_import - `ledgerctl import customers|orders|payments|entries FILE`:
 * a clerk's spreadsheet, saved as CSV (csv.c decodes and splits it), into
 * one all-or-nothing RecordBatch. Every line is checked before anything is
 * sent and every bad one is reported with its line number and column;
 * ledgerd's refusals (records[i]....) are mapped back to lines the same
 * way. The batch's idempotency key is derived from the file, so importing
 * the same file twice writes it once. Rules beyond syntax, presence and
 * sign (references, uniqueness, limits) are ledgerd's to check. */
#include <ctype.h>
#include <errno.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include "csv.h"
#include "ctl.h"
#include "date.h"
#include "frame.h"
#include "money.h"
#include "xmalloc.h"

#define S_FILE_MAX     (512u << 20)   /* bytes read; far more than a batch can carry */
#define S_BATCH_MAX    100000         /* records in one RecordBatch (ledgerd's limit) */
#define S_REFUSALS_MAX 100            /* --skip-bad: records ledgerd may refuse before we stop */
#define S_PROGRESS     10000          /* rows between progress updates */
#define S_TIMEOUT_MS   5000           /* the batch waits at least this ... */
#define S_RECORDS_PER_MS 2            /* ... plus 1 ms per this many records */

/* A column of a kind's CSV. */
typedef struct {
    const char *name;      /* "unit_price": header, messages, the fields ledgerd names */
    const char *also;      /* other headers accepted, '|'-separated; Chinese first */
    int part;              /* a value of each line (order) or posting (entry) */
    int required;          /* a value must be given */
    const char *help;      /* for --help */
} s_col_t;

/* A row of the file with its values in the kind's column order. */
typedef struct {
    long line;             /* the line it starts on */
    char **v;              /* trimmed values; "" when empty or no such column */
    int bad;               /* an error was reported on it */
    size_t rec;            /* the record it is part of */
} s_row_t;

/* A record to send, made of one row, or of an order's or entry's rows. */
typedef struct {
    size_t *rows;          /* row indexes, in line (posting) order */
    size_t n_rows;
    Ledger__Record *record;  /* built, NULL until then */
    int bad;               /* one of its rows is bad */
    int refused;           /* ledgerd refused it under --skip-bad */
} s_rec_t;

/* A complaint about one or more lines. */
typedef struct {
    long first;            /* first line, for sorting */
    char lines[64];        /* "17" or "17-19,23" */
    char field[64];        /* column, or ledgerd's path; "" for the whole line */
    char code[24];         /* ledgerd's error code, "" for ours */
    char msg[320];         /* one line */
} s_error_t;

typedef struct s_import s_import_t;

typedef struct {
    const char *name;      /* "orders" */
    const char *one;       /* "order": names records[i].order... in ledgerd's errors */
    const char *parts;     /* "lines" or "postings": rows with one code are one record */
    const s_col_t *cols;   /* ended by a NULL name */
    void (*build)(s_import_t *imp, s_rec_t *rec);   /* rec->record from its rows */
} s_kind_t;

struct s_import {
    ctl_t *ctl;
    const s_kind_t *kind;
    const char *path;      /* as given, for messages */
    int ncols;             /* in kind->cols */
    char **headers;        /* the file's header cells */
    int *map;              /* file column -> kind column, or -1 */
    int *present;          /* kind column -> in the file */
    size_t n_headers;
    long header_line;
    s_row_t *rows;
    size_t n_rows, cap_rows;
    s_rec_t *recs;
    size_t n_recs;
    s_error_t *errs;
    size_t n_errs, cap_errs;
    void **arena;          /* everything records are built from, freed at the end */
    size_t n_arena, cap_arena;
    int progress;          /* stderr is a terminal */
};

static char s_empty[] = "";

/* --- the columns --------------------------------------------------------- */

enum { CU_CODE, CU_NAME, CU_BRANCH, CU_PHONE, CU_WECHAT, CU_QQ, CU_FIRST, CU_MEMBER };
static const s_col_t s_customer_cols[] = {
    { "code", "客户编号|客户代码|编号|customer_code|customer", 0, 0, "ledgerd makes one if empty" },
    { "name", "客户名称|客户姓名|客户名|姓名|名称", 0, 1, "" },
    { "branch", "分公司|分店|门店", 0, 1, "branch code, e.g. SH01" },
    { "phone", "电话|手机|手机号|联系电话", 0, 0, "" },
    { "wechat", "微信|微信号", 0, 0, "" },
    { "qq", "QQ|QQ号", 0, 0, "" },
    { "first_contact", "首次接触|首次接触时间|first_contact_at", 0, 0, "time" },
    { "member", "会员|是否会员", 0, 0, "是/否, yes/no, 1/0" },
    { NULL, NULL, 0, 0, NULL }
};

enum { OR_CODE, OR_CUSTOMER, OR_PLACED, OR_BRANCH, OR_STATUS, OR_HANDLER, OR_ARRANGER,
       OR_PRODUCT, OR_QTY, OR_PRICE, OR_COST, OR_SOURCE };
static const s_col_t s_order_cols[] = {
    { "code", "订单编号|订单号|order_code|order", 0, 0, "rows with one code are one order" },
    { "customer", "客户编号|客户代码|customer_code", 0, 1, "customer code" },
    { "placed", "下单时间|下单日期|日期|placed_at|date|time", 0, 1, "time" },
    { "branch", "分公司|分店|门店", 0, 0, "default: the customer's" },
    { "status", "状态|订单状态", 0, 0, "open|paid|shipped|completed|cancelled\n"
      "or 待付款|已付款|已发货|已完成|已取消" },
    { "handler", "对接|对接人", 0, 0, "staff code" },
    { "arranger", "安排|安排人", 0, 0, "staff codes, separated by , or 、" },
    { "product", "产品|产品编号|商品|商品编号|product_code", 1, 1, "per row: product code" },
    { "qty", "数量|quantity", 1, 1, "per row: a whole number, at least 1" },
    { "unit_price", "单价|price", 1, 1, "per row: yuan" },
    { "cost", "成本", 1, 0, "per row: yuan, the whole line's (default 0)" },
    { "source", "货源", 1, 0, "per row: supply source code" },
    { NULL, NULL, 0, 0, NULL }
};

enum { PA_CODE, PA_ORDER, PA_AMOUNT, PA_PAID, PA_ACCOUNT, PA_METHOD };
static const s_col_t s_payment_cols[] = {
    { "code", "付款编号|收款编号|流水号|payment_code", 0, 0, "ledgerd makes one if empty" },
    { "order", "订单编号|订单号|order_code", 0, 1, "order code" },
    { "amount", "金额|付款金额|收款金额", 0, 1, "yuan, more than 0" },
    { "paid", "付款时间|收款时间|时间|paid_at|date|time", 0, 1, "time" },
    { "account", "收款账户|账户|account_code", 0, 0, "receiving account code" },
    { "method", "方式|付款方式|收款方式", 0, 0, "wechat|alipay|bank|cash, or\n微信|支付宝|银行|现金" },
    { NULL, NULL, 0, 0, NULL }
};

enum { EN_CODE, EN_BRANCH, EN_TIME, EN_CATEGORY, EN_DESCRIPTION, EN_ORDER, EN_ACCOUNT,
       EN_AMOUNT };
static const s_col_t s_entry_cols[] = {
    { "code", "凭证号|凭证编号|voucher|entry_code", 0, 1, "voucher; rows with one code are one entry" },
    { "branch", "分公司|分店|门店", 0, 1, "" },
    { "time", "时间|日期|记账时间|date", 0, 1, "time" },
    { "category", "类别|类型", 0, 1, "sale|refund|expense|salary|commission|\n"
      "rebate|fine|payout, or 销售|退款|费用|工资|\n提成|返利|罚款|发放" },
    { "description", "摘要|说明", 0, 0, "" },
    { "order", "订单编号|订单号|order_code", 0, 0, "the order it belongs to" },
    { "account", "科目|账户|account_code", 1, 1, "per row: account code" },
    { "amount", "金额", 1, 1, "yuan, not 0, per row; an entry's\namounts sum to 0" },
    { NULL, NULL, 0, 0, NULL }
};

static void s_build_customer(s_import_t *imp, s_rec_t *rec);
static void s_build_order(s_import_t *imp, s_rec_t *rec);
static void s_build_payment(s_import_t *imp, s_rec_t *rec);
static void s_build_entry(s_import_t *imp, s_rec_t *rec);

static const s_kind_t s_kinds[] = {
    { "customers", "customer", NULL, s_customer_cols, s_build_customer },
    { "orders", "order", "lines", s_order_cols, s_build_order },
    { "payments", "payment", NULL, s_payment_cols, s_build_payment },
    { "entries", "entry", "postings", s_entry_cols, s_build_entry },
};

/* Enum values as clerks write them; index = enum value. */
static const char *const s_status_zh[] = {
    "", "待付款|未付款|新建|新订单", "已付款|已付", "已发货|发货", "已完成|完成", "已取消|取消", NULL
};
static const char *const s_categories[] = {
    "", "sale", "refund", "expense", "salary", "commission", "rebate", "fine", "payout", NULL
};
static const char *const s_categories_zh[] = {
    "", "销售|销售收入", "退款", "费用|支出|报销", "工资|薪资", "提成|佣金", "返利|返点", "罚款",
    "发放|兑付", NULL
};
static const char *const s_methods[][2] = {
    { "微信", "wechat" }, { "微信支付", "wechat" }, { "支付宝", "alipay" },
    { "银行", "bank" }, { "银行转账", "bank" }, { "转账", "bank" }, { "对公", "bank" },
    { "现金", "cash" },
};

/* --- help ---------------------------------------------------------------- */

static const char s_usage_head[] =
    "usage: ledgerctl import customers|orders|payments|entries FILE [OPTIONS]\n"
    "\n"
    "Load a CSV file as Excel saves it (\"CSV UTF-8\" or, on a Chinese Windows,\n"
    "\"CSV\" in GBK): quoted fields may hold commas, doubled quotes and line\n"
    "breaks; CRLF or LF. The first row names the columns, in English or Chinese,\n"
    "in any order; other columns are ignored. The whole file goes to ledgerd as\n"
    "one batch: all of it is imported, or nothing. Every bad line is reported\n"
    "(FILE:LINE: COLUMN: why), those ledgerd refuses too. Money is in yuan\n"
    "(\"1,234.50\", at most 2 decimals; a leading ¥ is fine); times are ledger-\n"
    "local \"YYYY-MM-DD HH:MM[:SS]\" or \"YYYY/M/D H:MM\", or a date alone.\n"
    "\n"
    "  --encoding ENC         utf-8|gbk|gb18030|auto (default auto: UTF-8 when\n"
    "                         the bytes are valid UTF-8, else GB18030, which\n"
    "                         reads GBK); a UTF-8 BOM is fine\n"
    "  --skip-bad             leave bad lines out (they are reported) and import\n"
    "                         the rest; a record ledgerd refuses is left out too,\n"
    "                         and the rest sent again (up to 100 times)\n"
    "  --dry-run              check the file and show how its columns are read;\n"
    "                         send nothing (needs no ledgerd)\n"
    "  --idempotency-key KEY  the batch's key. Default: derived from the kind and\n"
    "                         a SHA-256 of the file's bytes, so running the same\n"
    "                         import again writes nothing twice and reports the\n"
    "                         first result. Give a new key to import the same\n"
    "                         file again as new records.\n"
    "\n"
    "ledgerd's reply to the batch is awaited for 5 s plus 1 s per 2,000 records,\n"
    "or the global --timeout if that is longer.\n"
    "\n"
    "Exit status: 0 imported (with --skip-bad: the good lines), 1 bad lines or\n"
    "refused by ledgerd (nothing imported), 2 usage or unreadable file,\n"
    "3 ledgerd unreachable. A progress line goes to stderr when it is a\n"
    "terminal; the summary to stdout (--json: one object).\n"
    "\n"
    "Columns (* = a value is required; the Chinese heading shown is one of\n"
    "several accepted, see README.md):\n";

/* s_usage - the head, then every kind's columns from the tables */
static const char *s_usage(void)
{
    static char *text;
    if (text)
        return text;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    fputs(s_usage_head, f);
    for (size_t k = 0; k < sizeof s_kinds / sizeof s_kinds[0]; k++) {
        const s_kind_t *kind = &s_kinds[k];
        fprintf(f, "\n  %s%s\n", kind->name,
                kind->parts ? (strcmp(kind->parts, "lines") ? " (one row per posting)"
                                                           : " (one row per order line)")
                            : "");
        for (const s_col_t *c = kind->cols; c->name; c++) {
            char head[64], zh[64];
            snprintf(head, sizeof head, "%s%s", c->name, c->required ? "*" : "");
            snprintf(zh, sizeof zh, "%.*s", (int)strcspn(c->also, "|"), c->also);
            const char *help = *c->help ? c->help : c->part ? "per row" : "";
            fprintf(f, "    ");
            out_pad(f, head, 15, 0);
            if (!*help) {
                fprintf(f, "%s\n", zh);
                continue;
            }
            out_pad(f, zh, 10, 0);
            /* a '\n' in the help continues under it */
            for (const char *p = help; *p; ) {
                size_t n = strcspn(p, "\n");
                fprintf(f, "%s%.*s\n", p == help ? "" : "                             ",
                        (int)n, p);
                p += n + (p[n] == '\n');
            }
        }
    }
    fputs("\nCustomers and payments: one row each. Orders: rows with the same order code\n"
          "are one order; its customer, time, status... may be given on its first row\n"
          "only. Entries: rows with the same voucher number (凭证号) are one entry.\n", f);
    fclose(f);
    return text;
}

/* --- small helpers ------------------------------------------------------- */

/* s_new - zeroed memory freed with the import */
static void *s_new(s_import_t *imp, size_t n)
{
    if (imp->n_arena == imp->cap_arena) {
        imp->cap_arena = imp->cap_arena ? 2 * imp->cap_arena : 1024;
        imp->arena = xrealloc(imp->arena, imp->cap_arena * sizeof *imp->arena);
    }
    return imp->arena[imp->n_arena++] = xcalloc(1, n);
}

/* s_count - 1234567 as "1,234,567"; out >= 32 */
static const char *s_count(char *out, size_t n, size_t v)
{
    char digits[32];
    int len = snprintf(digits, sizeof digits, "%zu", v), o = 0;
    for (int i = 0; i < len && (size_t)o + 2 < n; i++) {
        if (i && (len - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = digits[i];
    }
    out[o] = '\0';
    return out;
}

/* s_trim - blanks at both ends, the ideographic space and NBSP included */
static char *s_trim(char *s)
{
    for (;;) {
        if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
            s++;
        else if (!strncmp(s, "\xE3\x80\x80", 3))
            s += 3;
        else if (!strncmp(s, "\xC2\xA0", 2))
            s += 2;
        else
            break;
    }
    size_t n = strlen(s);
    for (;;) {
        if (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
            n--;
        else if (n >= 3 && !strncmp(s + n - 3, "\xE3\x80\x80", 3))
            n -= 3;
        else if (n >= 2 && !strncmp(s + n - 2, "\xC2\xA0", 2))
            n -= 2;
        else
            break;
    }
    s[n] = '\0';
    return s;
}

/* s_alt - text is one of the '|'-separated names (exactly, or ASCII
 * case-insensitively when fold) */
static int s_alt(const char *names, const char *text, int fold)
{
    size_t n = strlen(text);
    for (const char *p = names; *p; ) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (len == n && (fold ? !strncasecmp(p, text, n) : !strncmp(p, text, n)))
            return 1;
        p += len + (bar != NULL);
    }
    return 0;
}

/* s_lines - rows' line numbers as "17", "17-19,23"; the first into *first */
static void s_lines(const s_import_t *imp, const size_t *rows, size_t n, char *out,
                    size_t size, long *first)
{
    long *ls = xmalloc((n ? n : 1) * sizeof *ls);
    size_t len = 0, k = 0;
    for (size_t i = 0; i < n; i++)
        ls[i] = imp->rows[rows[i]].line;
    /* rows are in file order already, but a code may come back later */
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && ls[j - 1] > ls[j]; j--) {
            long t = ls[j]; ls[j] = ls[j - 1]; ls[j - 1] = t;
        }
    *first = n ? ls[0] : 0;
    out[0] = '\0';
    while (k < n) {
        size_t e = k;
        while (e + 1 < n && ls[e + 1] <= ls[e] + 1)
            e++;
        char part[48];
        if (e > k && ls[e] != ls[k])
            snprintf(part, sizeof part, "%s%ld-%ld", len ? "," : "", ls[k], ls[e]);
        else
            snprintf(part, sizeof part, "%s%ld", len ? "," : "", ls[k]);
        if (len + strlen(part) + 5 >= size) {
            snprintf(out + len, size - len, ",...");
            break;
        }
        len += (size_t)snprintf(out + len, size - len, "%s", part);
        k = e + 1;
    }
    free(ls);
}

/* s_verror - a complaint about rows (n may be 0 for the file as a whole, or
 * line for the header); the rows are marked bad */
static void s_verror(s_import_t *imp, const size_t *rows, size_t n, long line,
                     const char *field, const char *code, const char *fmt, va_list ap)
{
    if (imp->n_errs == imp->cap_errs) {
        imp->cap_errs = imp->cap_errs ? 2 * imp->cap_errs : 64;
        imp->errs = xrealloc(imp->errs, imp->cap_errs * sizeof *imp->errs);
    }
    s_error_t *e = &imp->errs[imp->n_errs++];
    memset(e, 0, sizeof *e);
    if (n) {
        s_lines(imp, rows, n, e->lines, sizeof e->lines, &e->first);
        for (size_t i = 0; i < n; i++)
            imp->rows[rows[i]].bad = 1;
    } else if (line) {
        e->first = line;
        snprintf(e->lines, sizeof e->lines, "%ld", line);
    }
    snprintf(e->field, sizeof e->field, "%s", field ? field : "");
    snprintf(e->code, sizeof e->code, "%s", code ? code : "");
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
}

/* s_bad - a complaint about one row's column */
static void s_bad(s_import_t *imp, size_t row, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void s_bad(s_import_t *imp, size_t row, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    s_verror(imp, &row, 1, 0, col >= 0 ? imp->kind->cols[col].name : "", NULL, fmt, ap);
    va_end(ap);
}

/* s_error_at - a complaint about a line (or the file, line 0) with no row */
static void s_error_at(s_import_t *imp, long line, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void s_error_at(s_import_t *imp, long line, const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    s_verror(imp, NULL, 0, line, field, NULL, fmt, ap);
    va_end(ap);
}

/* s_error_rows - a complaint about several rows */
static void s_error_rows(s_import_t *imp, const size_t *rows, size_t n, const char *field,
                         const char *code, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
static void s_error_rows(s_import_t *imp, const size_t *rows, size_t n, const char *field,
                         const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    s_verror(imp, rows, n, 0, field, code, fmt, ap);
    va_end(ap);
}

/* s_errors_print - sorted by line, "FILE:LINE: FIELD: why", on stderr */
static int s_error_cmp(const void *a, const void *b)
{
    const s_error_t *x = a, *y = b;
    return (x->first > y->first) - (x->first < y->first);
}

static void s_errors_print(s_import_t *imp)
{
    /* qsort is not stable; errors of one line keep their order by index */
    for (size_t i = 1; i < imp->n_errs; i++)
        for (size_t j = i; j > 0 && s_error_cmp(&imp->errs[j - 1], &imp->errs[j]) > 0; j--) {
            s_error_t t = imp->errs[j];
            imp->errs[j] = imp->errs[j - 1];
            imp->errs[j - 1] = t;
        }
    for (size_t i = 0; i < imp->n_errs; i++) {
        const s_error_t *e = &imp->errs[i];
        fprintf(stderr, "%s%s%s: ", imp->path, *e->lines ? ":" : "", e->lines);
        if (*e->field)
            fprintf(stderr, "%s: ", e->field);
        fprintf(stderr, "%s\n", e->msg);
    }
}

/* s_progress - "\rparsing 10,000 rows..." when stderr is a terminal */
static void s_progress(s_import_t *imp, const char *what, size_t n, const char *unit)
{
    char c[32];
    if (!imp->progress)
        return;
    if (what)
        fprintf(stderr, "\r\033[K%s %s %s...", what, s_count(c, sizeof c, n), unit);
    else
        fputs("\r\033[K", stderr);
    fflush(stderr);
}

/* --- reading the file ---------------------------------------------------- */

/* s_header_match - kind column for a header cell, or -1. English names are
 * case-insensitive, with ' ' or '-' for '_'; a unit in brackets ("单价(元)",
 * "金额（元）") is ignored. */
static int s_header_match(const s_kind_t *kind, const char *cell)
{
    char h[256];
    snprintf(h, sizeof h, "%s", cell);
    char *s = s_trim(h);
    char *paren = strstr(s, "(");
    if (!paren)
        paren = strstr(s, "\xEF\xBC\x88");   /* （ */
    if (paren && paren > s) {
        *paren = '\0';
        s = s_trim(s);
    }
    for (char *p = s; *p; p++)
        if (*p == ' ' || *p == '-')
            *p = '_';
    for (int i = 0; kind->cols[i].name; i++)
        if (!strcasecmp(kind->cols[i].name, s) || s_alt(kind->cols[i].also, s, 1))
            return i;
    return -1;
}

/* s_header - map the file's columns; errors for repeats and missing ones */
static void s_header(s_import_t *imp, char **fields, size_t n, long line)
{
    imp->header_line = line;
    imp->n_headers = n;
    imp->headers = s_new(imp, n * sizeof *imp->headers);
    imp->map = s_new(imp, n * sizeof *imp->map);
    int *seen = xcalloc((size_t)imp->ncols, sizeof *seen);   /* file column + 1 */
    for (size_t i = 0; i < n; i++) {
        imp->headers[i] = s_new(imp, strlen(fields[i]) + 1);
        strcpy(imp->headers[i], fields[i]);
        s_trim(imp->headers[i]);
        int c = imp->map[i] = s_header_match(imp->kind, fields[i]);
        if (c < 0)
            continue;
        if (seen[c]) {
            s_error_at(imp, line, imp->kind->cols[c].name, "columns %d (\"%s\") and %zu "
                       "(\"%s\") are both %s", seen[c], imp->headers[seen[c] - 1], i + 1,
                       imp->headers[i], imp->kind->cols[c].name);
            imp->map[i] = -1;
            continue;
        }
        seen[c] = (int)i + 1;
    }
    imp->present = s_new(imp, (size_t)imp->ncols * sizeof *imp->present);
    for (int c = 0; c < imp->ncols; c++)
        imp->present[c] = seen[c] != 0;
    for (int c = 0; c < imp->ncols; c++)
        if (!seen[c] && imp->kind->cols[c].required) {
            char zh[96];
            snprintf(zh, sizeof zh, "%s", imp->kind->cols[c].also);
            for (char *p = zh; (p = strchr(p, '|')); )
                *p = '/';
            s_error_at(imp, line, imp->kind->cols[c].name, "no such column: a required "
                       "column, headed %s or %s", imp->kind->cols[c].name, zh);
        }
    free(seen);
}

/* s_row - keep a data row's values in the kind's column order */
static void s_row(s_import_t *imp, char **fields, size_t n, long line)
{
    size_t bytes = (size_t)imp->ncols * sizeof(char *);
    for (size_t i = 0; i < n && i < imp->n_headers; i++)
        if (imp->map[i] >= 0)
            bytes += strlen(fields[i]) + 1;
    char **v = s_new(imp, bytes);
    char *text = (char *)(v + imp->ncols);
    for (int c = 0; c < imp->ncols; c++)
        v[c] = s_empty;
    for (size_t i = 0; i < n && i < imp->n_headers; i++) {
        if (imp->map[i] < 0)
            continue;
        strcpy(text, fields[i]);
        v[imp->map[i]] = s_trim(text);
        text += strlen(fields[i]) + 1;
    }
    if (imp->n_rows == imp->cap_rows) {
        imp->cap_rows = imp->cap_rows ? 2 * imp->cap_rows : 1024;
        imp->rows = xrealloc(imp->rows, imp->cap_rows * sizeof *imp->rows);
    }
    imp->rows[imp->n_rows++] = (s_row_t){ .line = line, .v = v };
    /* Values past the header's last column are lost: say so. */
    for (size_t i = imp->n_headers; i < n; i++)
        if (*s_trim(fields[i])) {
            s_bad(imp, imp->n_rows - 1, -1, "%zu values, but the header (line %ld) names %zu "
                  "columns", n, imp->header_line, imp->n_headers);
            break;
        }
}

/* s_blank - every field empty (spreadsheets save empty rows as ",,,,") */
static int s_blank(char **fields, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (*s_trim(fields[i]))
            return 0;
    return 1;
}

/* s_read - the file into rows; -1 (with the reason printed) when it cannot
 * be read as text at all: an exit code in *rc */
static int s_read(s_import_t *imp, csv_encoding_t enc, csv_encoding_t *used,
                  unsigned char key_hash[crypto_hash_sha256_BYTES], int *rc)
{
    FILE *f = fopen(imp->path, "rb");
    char *data = NULL, *text = NULL;
    size_t len = 0, cap = 0, n;
    struct stat st;

    if (!f || fstat(fileno(f), &st) < 0 || S_ISDIR(st.st_mode)) {
        *rc = ctl_usage("import", "%s: %s", imp->path, f ? "is a directory" : strerror(errno));
        if (f)
            fclose(f);
        return -1;
    }
    for (;;) {
        if (len == cap) {
            cap = cap ? 2 * cap : 1 << 16;
            data = xrealloc(data, cap);
        }
        if ((n = fread(data + len, 1, cap - len, f)) == 0)
            break;
        len += n;
        if (len > S_FILE_MAX)
            break;
    }
    int failed = ferror(f);
    fclose(f);
    if (failed || len > S_FILE_MAX) {
        *rc = ctl_usage("import", "%s: %s", imp->path,
                        failed ? strerror(errno) : "over 512 MiB: split the file");
        free(data);
        return -1;
    }

    err_t err;
    long bad_line;
    size_t text_len;
    if (csv_decode(&text, &text_len, used, &bad_line, data, len, enc, &err) < 0) {
        if (bad_line)
            fprintf(stderr, "%s:%ld: %s\n", imp->path, bad_line, err.msg);
        else
            fprintf(stderr, "%s: %s\n", imp->path, err.msg);
        free(data);
        *rc = CTL_REJECTED;
        return -1;
    }

    /* The key covers what the records are made of: kind, encoding, bytes. */
    crypto_hash_sha256_state h;
    const char *enc_name = csv_encoding_name(*used);
    crypto_hash_sha256_init(&h);
    crypto_hash_sha256_update(&h, (const unsigned char *)"ledgerctl import 1\n", 19);
    crypto_hash_sha256_update(&h, (const unsigned char *)imp->kind->name,
                              strlen(imp->kind->name) + 1);
    crypto_hash_sha256_update(&h, (const unsigned char *)enc_name, strlen(enc_name) + 1);
    crypto_hash_sha256_update(&h, (const unsigned char *)data, len);
    crypto_hash_sha256_final(&h, key_hash);
    free(data);

    csv_reader_t *r = csv_reader_new(text, text_len);
    char **fields;
    long line;
    int got;
    while ((got = csv_read(r, &fields, &n, &line, &err)) != 0) {
        if (got < 0) {
            s_error_at(imp, line, "", "%s", err.msg);
            if (!imp->map) {
                s_header(imp, fields, n, line);
                continue;
            }
            /* kept, so that the order or entry it belongs to is left out too */
            s_row(imp, fields, n, line);
            imp->rows[imp->n_rows - 1].bad = 1;
            continue;
        }
        if (s_blank(fields, n))
            continue;
        if (!imp->map) {
            s_header(imp, fields, n, line);
            continue;
        }
        s_row(imp, fields, n, line);
        if (imp->n_rows % S_PROGRESS == 0)
            s_progress(imp, "parsing", imp->n_rows, "rows");
    }
    csv_reader_destroy(&r);
    free(text);
    s_progress(imp, NULL, 0, NULL);
    if (!imp->map)
        s_error_at(imp, 0, "", "no header row: the file is empty");
    return 0;
}

/* --- values -------------------------------------------------------------- */

/* s_money - yuan into fen; a leading ¥ or ￥ is allowed */
static int s_money(s_import_t *imp, size_t row, int col, const char *text, int64_t *out)
{
    err_t err;
    if (!strncmp(text, "\xC2\xA5", 2))
        text += 2;
    else if (!strncmp(text, "\xEF\xBF\xA5", 3))
        text += 3;
    if (money_parse(out, text, &err) < 0) {
        s_bad(imp, row, col, "%s", err.msg);
        return -1;
    }
    return 0;
}

/* s_digits - up to max ASCII digits at *p into *out; how many were read */
static int s_digits(const char **p, int max, int *out)
{
    int n = 0, v = 0;
    while (n < max && isdigit((unsigned char)**p)) {
        v = v * 10 + (**p - '0');
        (*p)++;
        n++;
    }
    *out = v;
    return n;
}

/* s_time_text - "2026/3/1 9:05" as date_parse_time takes it ("2026-03-01
 * 09:05"); NULL when text is not of that shape (then it is passed as is) */
static const char *s_time_text(char *out, size_t n, const char *text)
{
    const char *p = text;
    int y, mo, d, h = 0, mi = 0, s = 0, has_time = 0, has_sec = 0;
    if (s_digits(&p, 4, &y) != 4 || !strchr("-/.", *p) || !*p)
        return NULL;
    char sep = *p++;
    if (!s_digits(&p, 2, &mo) || *p++ != sep || !s_digits(&p, 2, &d))
        return NULL;
    if (*p == ' ' || *p == 'T') {
        while (*p == ' ' || *p == 'T')
            p++;
        if (!s_digits(&p, 2, &h) || *p++ != ':' || s_digits(&p, 2, &mi) != 2)
            return NULL;
        has_time = 1;
        if (*p == ':') {
            p++;
            if (s_digits(&p, 2, &s) != 2)
                return NULL;
            has_sec = 1;
        }
    }
    if (*p)
        return NULL;
    if (!has_time)
        snprintf(out, n, "%04d-%02d-%02d", y, mo, d);
    else if (!has_sec)
        snprintf(out, n, "%04d-%02d-%02d %02d:%02d", y, mo, d, h, mi);
    else
        snprintf(out, n, "%04d-%02d-%02d %02d:%02d:%02d", y, mo, d, h, mi, s);
    return out;
}

/* s_time - a ledger-local time into ms */
static int s_time(s_import_t *imp, size_t row, int col, const char *text, int64_t *out)
{
    char norm[64];
    const char *t = s_time_text(norm, sizeof norm, text);
    err_t err;
    if (date_parse_time(out, t ? t : text, &err) < 0) {
        s_bad(imp, row, col, "%s", err.msg);
        return -1;
    }
    return 0;
}

/* s_enum - an English name from names, or a Chinese one from zh; 0 and a
 * complaint listing the English names when neither */
static int s_enum(s_import_t *imp, size_t row, int col, const char *const names[],
                  const char *const zh[], const char *text)
{
    char list[256] = "";
    for (int i = 1; names[i]; i++) {
        if (!strcasecmp(names[i], text) || (zh && s_alt(zh[i], text, 0)))
            return i;
        size_t len = strlen(list);
        snprintf(list + len, sizeof list - len, "%s%s", i > 1 ? "|" : "", names[i]);
    }
    s_bad(imp, row, col, "\"%.40s\" is not one of %s", text, list);
    return 0;
}

/* s_bool - 是/否, yes/no, y/n, true/false, 1/0; -1 and a complaint if neither */
static int s_bool(s_import_t *imp, size_t row, int col, const char *text)
{
    if (!*text || s_alt("否|no|n|false|0|非会员", text, 1))
        return 0;
    if (s_alt("是|yes|y|true|1|会员", text, 1))
        return 1;
    s_bad(imp, row, col, "\"%.40s\" is not yes or no (是/否)", text);
    return -1;
}

/* s_staff - a staff PartyRef for a code, NULL for "" */
static Ledger__PartyRef *s_staff(s_import_t *imp, char *code)
{
    if (!*code)
        return NULL;
    Ledger__PartyRef *p = s_new(imp, sizeof *p);
    ledger__party_ref__init(p);
    p->kind = LEDGER__PARTY_KIND__PARTY_STAFF;
    p->code = code;
    return p;
}

/* s_value - a record-level column's value: the first row that gives one;
 * a later row giving another is an error. *row_out is the row it came
 * from (the record's first when none gives one). */
static char *s_value(s_import_t *imp, s_rec_t *rec, int col, size_t *row_out)
{
    char *v = s_empty;
    size_t from = rec->rows[0];
    for (size_t i = 0; i < rec->n_rows; i++) {
        char *x = imp->rows[rec->rows[i]].v[col];
        if (!*x)
            continue;
        if (!*v) {
            v = x;
            from = rec->rows[i];
        } else if (strcmp(v, x))
            s_bad(imp, rec->rows[i], col, "\"%.40s\" differs from \"%.40s\" on line %ld: rows "
                  "with one code are one %s", x, v, imp->rows[from].line, imp->kind->one);
    }
    if (!*v && imp->kind->cols[col].required && imp->present[col])   /* else said once */
        s_error_rows(imp, rec->rows, rec->n_rows, imp->kind->cols[col].name, NULL,
                     "a value is required");
    *row_out = from;
    return v;
}

/* s_part - a per-row column's value; a complaint when required and empty */
static char *s_part(s_import_t *imp, size_t row, int col)
{
    char *v = imp->rows[row].v[col];
    if (!*v && imp->kind->cols[col].required && imp->present[col])
        s_bad(imp, row, col, "a value is required");
    return v;
}

/* s_record - a Record holding m as kind k */
static void s_record(s_import_t *imp, s_rec_t *rec, Ledger__Record__KindCase k, void *m)
{
    rec->record = s_new(imp, sizeof *rec->record);
    ledger__record__init(rec->record);
    rec->record->kind_case = k;
    rec->record->customer = m;   /* a union: the same pointer for every case */
}

/* --- building records ---------------------------------------------------- */

static void s_build_customer(s_import_t *imp, s_rec_t *rec)
{
    size_t row;
    Ledger__Customer *c = s_new(imp, sizeof *c);
    ledger__customer__init(c);
    c->code = s_value(imp, rec, CU_CODE, &row);
    c->name = s_value(imp, rec, CU_NAME, &row);
    c->branch = s_value(imp, rec, CU_BRANCH, &row);
    char *phone = s_value(imp, rec, CU_PHONE, &row);
    char *wechat = s_value(imp, rec, CU_WECHAT, &row);
    char *qq = s_value(imp, rec, CU_QQ, &row);
    if (*phone || *wechat || *qq) {
        c->contact = s_new(imp, sizeof *c->contact);
        ledger__contact__init(c->contact);
        c->contact->phone = phone;
        c->contact->wechat = wechat;
        c->contact->qq = qq;
    }
    char *first = s_value(imp, rec, CU_FIRST, &row);
    if (*first && s_time(imp, row, CU_FIRST, first, &c->first_contact_ms) == 0)
        c->_first_contact_ms_case = LEDGER__CUSTOMER___FIRST_CONTACT_MS_FIRST_CONTACT_MS;
    char *member = s_value(imp, rec, CU_MEMBER, &row);
    c->member = s_bool(imp, row, CU_MEMBER, member) == 1;
    s_record(imp, rec, LEDGER__RECORD__KIND_CUSTOMER, c);
}

/* s_arrangers - staff codes separated by , ， 、 ; ； or blanks */
static void s_arrangers(s_import_t *imp, Ledger__Order *o, char *text)
{
    static const char *const seps[] = { ",", "\xEF\xBC\x8C", "\xE3\x80\x81", ";",
                                        "\xEF\xBC\x9B", " ", "\t", NULL };
    size_t max = strlen(text) + 1, n = 0;
    char *copy = s_new(imp, strlen(text) + 1);
    strcpy(copy, text);
    o->arrangers = s_new(imp, max * sizeof *o->arrangers);
    for (char *p = copy; *p; ) {
        size_t skip = 0;
        for (int i = 0; seps[i]; i++)
            if (!strncmp(p, seps[i], strlen(seps[i])))
                skip = strlen(seps[i]);
        if (skip) {
            memset(p, 0, skip);
            p += skip;
            continue;
        }
        o->arrangers[n++] = s_staff(imp, p);
        while (*p) {
            int at_sep = 0;
            for (int i = 0; seps[i] && !at_sep; i++)
                at_sep = !strncmp(p, seps[i], strlen(seps[i]));
            if (at_sep)
                break;
            p++;
        }
    }
    o->n_arrangers = n;
}

static void s_build_order(s_import_t *imp, s_rec_t *rec)
{
    size_t row;
    Ledger__Order *o = s_new(imp, sizeof *o);
    ledger__order__init(o);
    o->code = s_value(imp, rec, OR_CODE, &row);
    o->customer_code = s_value(imp, rec, OR_CUSTOMER, &row);
    o->branch = s_value(imp, rec, OR_BRANCH, &row);
    char *placed = s_value(imp, rec, OR_PLACED, &row);
    if (*placed)
        s_time(imp, row, OR_PLACED, placed, &o->placed_ms);
    char *status = s_value(imp, rec, OR_STATUS, &row);
    if (*status)
        o->status = s_enum(imp, row, OR_STATUS, ctl_statuses, s_status_zh, status);
    o->handler = s_staff(imp, s_value(imp, rec, OR_HANDLER, &row));
    s_arrangers(imp, o, s_value(imp, rec, OR_ARRANGER, &row));
    o->n_lines = rec->n_rows;
    o->lines = s_new(imp, rec->n_rows * sizeof *o->lines);
    for (size_t i = 0; i < rec->n_rows; i++) {
        size_t r = rec->rows[i];
        Ledger__OrderLine *l = o->lines[i] = s_new(imp, sizeof *l);
        ledger__order_line__init(l);
        l->product = s_part(imp, r, OR_PRODUCT);
        l->source = s_part(imp, r, OR_SOURCE);
        const char *qty = s_part(imp, r, OR_QTY);
        if (*qty) {
            char *end;
            errno = 0;
            long long v = strtoll(qty, &end, 10);
            if (!isdigit((unsigned char)*qty) || *end || errno || v < 1)
                s_bad(imp, r, OR_QTY, "\"%.40s\" is not a quantity: a whole number, at least 1",
                      qty);
            l->qty = v;
        }
        const char *price = s_part(imp, r, OR_PRICE);
        if (*price && s_money(imp, r, OR_PRICE, price, &l->unit_price) == 0 && l->unit_price < 0)
            s_bad(imp, r, OR_PRICE, "\"%.40s\" is negative", price);
        const char *cost = s_part(imp, r, OR_COST);
        if (*cost && s_money(imp, r, OR_COST, cost, &l->cost) == 0 && l->cost < 0)
            s_bad(imp, r, OR_COST, "\"%.40s\" is negative", cost);
    }
    s_record(imp, rec, LEDGER__RECORD__KIND_ORDER, o);
}

static void s_build_payment(s_import_t *imp, s_rec_t *rec)
{
    size_t row;
    Ledger__Payment *p = s_new(imp, sizeof *p);
    ledger__payment__init(p);
    p->code = s_value(imp, rec, PA_CODE, &row);
    p->order_code = s_value(imp, rec, PA_ORDER, &row);
    char *amount = s_value(imp, rec, PA_AMOUNT, &row);
    if (*amount && s_money(imp, row, PA_AMOUNT, amount, &p->amount) == 0 && p->amount <= 0)
        s_bad(imp, row, PA_AMOUNT, "\"%.40s\": a payment is more than 0", amount);
    char *paid = s_value(imp, rec, PA_PAID, &row);
    if (*paid)
        s_time(imp, row, PA_PAID, paid, &p->paid_ms);
    p->account_code = s_value(imp, rec, PA_ACCOUNT, &row);
    p->method = s_value(imp, rec, PA_METHOD, &row);
    for (size_t i = 0; i < sizeof s_methods / sizeof s_methods[0]; i++)
        if (!strcmp(p->method, s_methods[i][0]))
            p->method = (char *)s_methods[i][1];
    s_record(imp, rec, LEDGER__RECORD__KIND_PAYMENT, p);
}

static void s_build_entry(s_import_t *imp, s_rec_t *rec)
{
    size_t row;
    int postings_ok = 1;
    int64_t sum = 0;
    Ledger__FinanceEntry *e = s_new(imp, sizeof *e);
    ledger__finance_entry__init(e);
    e->code = s_value(imp, rec, EN_CODE, &row);
    e->branch = s_value(imp, rec, EN_BRANCH, &row);
    char *time = s_value(imp, rec, EN_TIME, &row);
    if (*time)
        s_time(imp, row, EN_TIME, time, &e->time_ms);
    char *category = s_value(imp, rec, EN_CATEGORY, &row);
    if (*category)
        e->category = s_enum(imp, row, EN_CATEGORY, s_categories, s_categories_zh, category);
    e->description = s_value(imp, rec, EN_DESCRIPTION, &row);
    e->order_code = s_value(imp, rec, EN_ORDER, &row);
    e->n_postings = rec->n_rows;
    e->postings = s_new(imp, rec->n_rows * sizeof *e->postings);
    for (size_t i = 0; i < rec->n_rows; i++) {
        size_t r = rec->rows[i];
        Ledger__Posting *p = e->postings[i] = s_new(imp, sizeof *p);
        ledger__posting__init(p);
        p->account_code = s_part(imp, r, EN_ACCOUNT);
        const char *amount = s_part(imp, r, EN_AMOUNT);
        if (!*amount || s_money(imp, r, EN_AMOUNT, amount, &p->amount) < 0)
            postings_ok = 0;
        else if (p->amount == 0) {
            s_bad(imp, r, EN_AMOUNT, "\"%.40s\": a posting moves money, it is not 0", amount);
            postings_ok = 0;
        }
        sum += p->amount;   /* each at most 1e14 fen: no overflow in 100,000 rows */
    }
    if (postings_ok && sum != 0) {
        char m[32];
        money_format(m, sizeof m, sum);
        s_error_rows(imp, rec->rows, rec->n_rows, "amount", NULL, "the amounts of entry %s "
                     "sum to %s, not 0: debits and credits must balance", e->code, m);
    }
    s_record(imp, rec, LEDGER__RECORD__KIND_ENTRY, e);
}

/* --- grouping ------------------------------------------------------------ */

/* s_hash - FNV-1a */
static uint64_t s_hash(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    return h;
}

/* s_group - rows into records: one each, or by code for orders and entries
 * (rows without a code are orders of their own) */
static void s_group(s_import_t *imp)
{
    size_t cap = 16, *slots = NULL;   /* slots: record index + 1, by code */
    while (cap < 2 * imp->n_rows + 2)
        cap *= 2;
    size_t *first = xmalloc((imp->n_rows + 1) * sizeof *first);   /* record -> first row */
    size_t *of_row = xmalloc((imp->n_rows + 1) * sizeof *of_row); /* row -> record */
    if (imp->kind->parts)
        slots = xcalloc(cap, sizeof *slots);
    imp->recs = xcalloc(imp->n_rows + 1, sizeof *imp->recs);
    imp->n_recs = 0;
    for (size_t r = 0; r < imp->n_rows; r++) {
        const char *code = imp->rows[r].v[0];   /* "code" is every kind's column 0 */
        size_t rec = imp->n_recs;
        if (slots && *code) {
            size_t i = s_hash(code) & (cap - 1);
            while (slots[i] && strcmp(imp->rows[first[slots[i] - 1]].v[0], code))
                i = (i + 1) & (cap - 1);
            if (slots[i])
                rec = slots[i] - 1;
            else
                slots[i] = rec + 1;
        }
        if (rec == imp->n_recs)
            first[imp->n_recs++] = r;
        imp->recs[rec].n_rows++;
        of_row[r] = rec;
    }
    /* Each record's rows, in file order, in one array. */
    size_t *all = s_new(imp, (imp->n_rows + 1) * sizeof *all), at = 0;
    for (size_t k = 0; k < imp->n_recs; k++) {
        imp->recs[k].rows = all + at;
        at += imp->recs[k].n_rows;
        imp->recs[k].n_rows = 0;
    }
    for (size_t r = 0; r < imp->n_rows; r++) {
        s_rec_t *rec = &imp->recs[of_row[r]];
        rec->rows[rec->n_rows++] = r;
        imp->rows[r].rec = of_row[r];
    }
    free(first);
    free(of_row);
    free(slots);
}

/* --- branches of orders -------------------------------------------------- */

typedef struct {
    const char *code;      /* customer code */
    const char *branch;    /* its branch; NULL: no such customer */
} s_branch_t;

static int s_branch_cmp(const void *a, const void *b)
{
    return strcmp(((const s_branch_t *)a)->code, ((const s_branch_t *)b)->code);
}

/* s_call_failed - a read that failed: the timeout or ledgerd's error said */
static int s_call_failed(s_import_t *imp, const err_t *err)
{
    if (err->code == ERR(TIMEOUT)) {
        fprintf(stderr, "ledgerctl: no reply from %s within %d ms (is ledgerd running?)\n",
                imp->ctl->endpoint, imp->ctl->timeout_ms);
        return CTL_UNREACHABLE;
    }
    fprintf(stderr, "ledgerctl: %s%s%s: %s\n", err_code_name(err->code), *err->field ? " " : "",
            err->field, err->msg);
    return CTL_REJECTED;
}

/* s_branches - an order without a branch gets its customer's, as `order
 * add` does. Few customers are read one by one, many with one List walk.
 * A customer that does not exist is a complaint about the order's lines.
 * An exit code. */
static int s_branches(s_import_t *imp)
{
    s_branch_t *want = xmalloc((imp->n_recs + 1) * sizeof *want);
    size_t n = 0, m = 0;
    int rc = CTL_OK;
    for (size_t k = 0; k < imp->n_recs; k++) {
        Ledger__Order *o = imp->recs[k].record->order;
        if (!imp->recs[k].bad && !*o->branch && *o->customer_code)
            want[n++] = (s_branch_t){ o->customer_code, NULL };
    }
    qsort(want, n, sizeof *want, s_branch_cmp);
    for (size_t i = 0; i < n; i++)
        if (m == 0 || strcmp(want[m - 1].code, want[i].code))
            want[m++] = want[i];
    Ledger__Meta meta = LEDGER__META__INIT;
    ctl_meta_read(imp->ctl, &meta);
    err_t err;
    if (m > 0 && m <= 200) {
        for (size_t i = 0; i < m && rc == CTL_OK; i++) {
            Ledger__Get req = LEDGER__GET__INIT;
            Ledger__GetReply *got = NULL;
            req.meta = &meta;
            req.kind = LEDGER__ENTITY_KIND__ENTITY_CUSTOMER;
            req.code = (char *)want[i].code;
            if (client_call(imp->ctl->client, FRAME_GET, &req.base,
                            &ledger__get_reply__descriptor, (ProtobufCMessage **)&got, &err) < 0) {
                if (err.code != ERR(NOT_FOUND))
                    rc = s_call_failed(imp, &err);
                continue;
            }
            if (got->record_case == LEDGER__GET_REPLY__RECORD_CUSTOMER) {
                want[i].branch = s_new(imp, strlen(got->customer->branch) + 1);
                strcpy((char *)want[i].branch, got->customer->branch);
            }
            protobuf_c_message_free_unpacked(&got->base, NULL);
        }
    } else if (m > 200) {
        Ledger__List req = LEDGER__LIST__INIT;
        uint8_t *token = NULL;
        req.meta = &meta;
        req.kind = LEDGER__ENTITY_KIND__ENTITY_CUSTOMER;
        req.limit = 1000;
        for (size_t seen = 0; ; ) {
            Ledger__ListReply *r = NULL;
            s_progress(imp, "reading the customers' branches:", seen, "customers");
            if (client_call(imp->ctl->client, FRAME_LIST, &req.base,
                            &ledger__list_reply__descriptor, (ProtobufCMessage **)&r, &err) < 0) {
                rc = s_call_failed(imp, &err);
                break;
            }
            seen += r->n_customers;
            for (size_t i = 0; i < r->n_customers; i++) {
                s_branch_t key = { r->customers[i]->code, NULL };
                s_branch_t *b = bsearch(&key, want, m, sizeof *want, s_branch_cmp);
                if (b) {
                    b->branch = s_new(imp, strlen(r->customers[i]->branch) + 1);
                    strcpy((char *)b->branch, r->customers[i]->branch);
                }
            }
            size_t len = r->next_page_token.len;
            free(token);
            token = len ? xmalloc(len) : NULL;
            if (len)
                memcpy(token, r->next_page_token.data, len);
            req.page_token.data = token;
            req.page_token.len = len;
            protobuf_c_message_free_unpacked(&r->base, NULL);
            if (!len)
                break;
        }
        s_progress(imp, NULL, 0, NULL);
        free(token);
    }
    for (size_t k = 0; k < imp->n_recs && rc == CTL_OK; k++) {
        Ledger__Order *o = imp->recs[k].record->order;
        if (imp->recs[k].bad || *o->branch || !*o->customer_code)
            continue;
        s_branch_t key = { o->customer_code, NULL };
        s_branch_t *b = bsearch(&key, want, m, sizeof *want, s_branch_cmp);
        if (b && b->branch)
            o->branch = (char *)b->branch;
        else {
            s_error_rows(imp, imp->recs[k].rows, imp->recs[k].n_rows, "customer", "NOT_FOUND",
                         "no customer with code %s", o->customer_code);
            imp->recs[k].bad = 1;
        }
    }
    free(want);
    return rc;
}

/* --- ledgerd's refusals -------------------------------------------------- */

/* s_column_of - the column a ledgerd field names ("customer_code" ->
 * "customer"), or NULL */
static const char *s_column_of(const s_kind_t *kind, const char *path)
{
    static const char *const names[][2] = {
        { "customer_code", "customer" }, { "order_code", "order" },
        { "account_code", "account" }, { "placed_ms", "placed" }, { "paid_ms", "paid" },
        { "time_ms", "time" }, { "first_contact_ms", "first_contact" },
        { "arrangers", "arranger" },
    };
    char first[64];
    if (!strncmp(path, "contact.", 8))
        path += 8;
    size_t n = strcspn(path, ".[");
    snprintf(first, sizeof first, "%.*s", (int)(n < 63 ? n : 63), path);
    const char *name = first;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(names[i][0], first))
            name = names[i][1];
    for (const s_col_t *c = kind->cols; c->name; c++)
        if (!strcmp(c->name, name))
            return c->name;
    return NULL;
}

/* s_refusal - ledgerd's error about records[i] as a complaint about the
 * record's lines; the record's index into imp->recs, or -1 when the error
 * names no record of the batch */
static long s_refusal(s_import_t *imp, const size_t *sent, size_t n_sent, const err_t *err)
{
    const char *f = err->field;
    char *end;
    if (strncmp(f, "records[", 8))
        return -1;
    errno = 0;
    unsigned long long i = strtoull(f + 8, &end, 10);
    if (errno || end == f + 8 || *end != ']' || i >= n_sent)
        return -1;
    s_rec_t *rec = &imp->recs[sent[i]];
    const char *rest = end + 1;
    size_t one = strlen(imp->kind->one);
    if (*rest == '.' && !strncmp(rest + 1, imp->kind->one, one) &&
        (rest[1 + one] == '.' || !rest[1 + one]))
        rest += 1 + one + (rest[1 + one] == '.');
    else if (*rest == '.')
        rest++;
    const size_t *rows = rec->rows;
    size_t n_rows = rec->n_rows;
    const char *parts = imp->kind->parts;
    size_t plen = parts ? strlen(parts) : 0;
    if (parts && !strncmp(rest, parts, plen) && rest[plen] == '[') {
        unsigned long long j = strtoull(rest + plen + 1, &end, 10);
        if (*end == ']' && j < rec->n_rows) {
            rows = &rec->rows[j];
            n_rows = 1;
            rest = end + 1 + (end[1] == '.');
        }
    }
    const char *col = *rest ? s_column_of(imp->kind, rest) : NULL;
    s_error_rows(imp, rows, n_rows, col ? col : rest, err_code_name(err->code), "%s", err->msg);
    return (long)sent[i];
}

/* --- output -------------------------------------------------------------- */

/* s_parts_count - order lines or postings in the records sent */
static size_t s_parts_count(const s_import_t *imp, const size_t *sent, size_t n)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += imp->recs[sent[i]].n_rows;
    return total;
}

/* s_what - "1,234 orders (1,456 lines)" */
static void s_what(char *out, size_t size, const s_import_t *imp, size_t n_recs, size_t n_parts)
{
    char a[32], b[32];
    const char *name = imp->kind->name;
    if (n_recs == 1)
        name = imp->kind->one;
    if (imp->kind->parts)
        snprintf(out, size, "%s %s (%s %s)", s_count(a, sizeof a, n_recs), name,
                 s_count(b, sizeof b, n_parts),
                 n_parts == 1 ? (strcmp(imp->kind->parts, "lines") ? "posting" : "line")
                              : imp->kind->parts);
    else
        snprintf(out, size, "%s %s", s_count(a, sizeof a, n_recs), name);
}

/* s_row_left_out - the row's record is not sent (bad, or refused) */
static int s_row_left_out(const s_import_t *imp, size_t r)
{
    const s_rec_t *rec = imp->recs ? &imp->recs[imp->rows[r].rec] : NULL;
    return imp->rows[r].bad || (rec && (rec->bad || rec->refused));
}

/* s_left_out - the lines of rows not imported, as "17,25-26" */
static void s_left_out(const s_import_t *imp, char *out, size_t size, size_t *n_out)
{
    size_t *rows = xmalloc((imp->n_rows + 1) * sizeof *rows), n = 0;
    long first;
    for (size_t r = 0; r < imp->n_rows; r++)
        if (s_row_left_out(imp, r))
            rows[n++] = r;
    s_lines(imp, rows, n, out, size, &first);
    *n_out = n;
    free(rows);
}

/* s_json - the outcome as one object */
static void s_json(const s_import_t *imp, csv_encoding_t used, const char *key, int dry_run,
                   int applied, int already, const size_t *sent, size_t n_sent,
                   const Ledger__BatchReply *reply)
{
    out_json_t j;
    out_json_init(&j, stdout);
    out_json_object(&j, NULL);
    out_json_str(&j, "file", imp->path);
    out_json_str(&j, "kind", imp->kind->name);
    out_json_str(&j, "encoding", csv_encoding_name(used));
    out_json_bool(&j, "dry_run", dry_run);
    out_json_bool(&j, "applied", applied);
    out_json_bool(&j, "already_imported", already);
    out_json_str(&j, "idempotency_key", key ? key : "");
    out_json_uint(&j, "rows", imp->n_rows);
    out_json_uint(&j, "records", applied || dry_run ? n_sent : 0);
    if (imp->kind->parts)
        out_json_uint(&j, imp->kind->parts, applied || dry_run ? s_parts_count(imp, sent, n_sent)
                                                               : 0);
    out_json_array(&j, "left_out_lines");
    for (size_t r = 0; r < imp->n_rows; r++)
        if (s_row_left_out(imp, r))
            out_json_int(&j, NULL, imp->rows[r].line);
    out_json_end(&j);
    out_json_array(&j, "errors");
    for (size_t i = 0; i < imp->n_errs; i++) {
        const s_error_t *e = &imp->errs[i];
        out_json_object(&j, NULL);
        out_json_str(&j, "lines", e->lines);
        out_json_int(&j, "line", e->first);
        out_json_str(&j, "field", e->field);
        out_json_str(&j, "code", e->code);
        out_json_str(&j, "message", e->msg);
        out_json_end(&j);
    }
    out_json_end(&j);
    out_json_array(&j, "items");
    for (size_t i = 0; reply && i < reply->n_items && i < n_sent; i++) {
        const s_rec_t *rec = &imp->recs[sent[i]];
        out_json_object(&j, NULL);
        out_json_int(&j, "line", imp->rows[rec->rows[0]].line);
        out_json_str(&j, "code", reply->items[i]->code);
        out_json_uint(&j, "id", reply->items[i]->id);
        out_json_uint(&j, "seq", reply->items[i]->seq);
        out_json_end(&j);
    }
    out_json_end(&j);
    out_json_end(&j);
}

/* s_columns - how the header was read, for --dry-run */
static void s_columns(const s_import_t *imp)
{
    out_table_t *t = out_table_new(3, ">column", "header", "read as");
    for (size_t i = 0; i < imp->n_headers; i++) {
        char n[16];
        snprintf(n, sizeof n, "%zu", i + 1);
        out_table_row(t, n, imp->headers[i],
                      imp->map[i] >= 0 ? imp->kind->cols[imp->map[i]].name : "(ignored)");
    }
    out_table_print(t, stdout);
    out_table_destroy(&t);
}

/* --- the command ----------------------------------------------------------- */

enum { OPT_ENCODING = 256, OPT_SKIP_BAD, OPT_DRY_RUN, OPT_IDEM };

static const struct option s_options[] = {
    { "encoding", required_argument, NULL, OPT_ENCODING },
    { "skip-bad", no_argument, NULL, OPT_SKIP_BAD },
    { "dry-run", no_argument, NULL, OPT_DRY_RUN },
    { "idempotency-key", required_argument, NULL, OPT_IDEM },
    CTL_OPTS_END
};

/* s_send - the records not left out, in one RecordBatch; with skip_bad a
 * record ledgerd refuses is left out and the rest sent again. An exit code;
 * on CTL_OK *reply_out (caller frees) and *sent_out, *n_sent_out say what went. */
static int s_send(s_import_t *imp, int skip_bad, const char *key, size_t **sent_out,
                  size_t *n_sent_out, Ledger__BatchReply **reply_out)
{
    ctl_t *ctl = imp->ctl;
    size_t *sent = xmalloc((imp->n_recs + 1) * sizeof *sent);
    Ledger__Record **records = xmalloc((imp->n_recs + 1) * sizeof *records);
    int rc = CTL_REJECTED;
    /* ledgerd takes seconds over a large batch: the batch gets a client of
     * its own that waits longer than --timeout's default allows. */
    int timeout = ctl->timeout_ms;
    if (timeout < S_TIMEOUT_MS + (int)(imp->n_recs / S_RECORDS_PER_MS))
        timeout = S_TIMEOUT_MS + (int)(imp->n_recs / S_RECORDS_PER_MS);
    client_t *client = client_new(ctl->endpoint, ctl->actor, timeout);
    if (!client) {
        free(sent);
        free(records);
        return ctl_usage(NULL, "--endpoint: cannot use '%s': %s", ctl->endpoint,
                         strerror(errno));
    }

    *reply_out = NULL;
    for (int refusals = 0; ; ) {
        size_t n = 0;
        for (size_t k = 0; k < imp->n_recs; k++)
            if (!imp->recs[k].bad && !imp->recs[k].refused) {
                sent[n] = k;
                records[n++] = imp->recs[k].record;
            }
        if (n == 0) {
            s_errors_print(imp);
            fprintf(stderr, "ledgerctl: import: nothing to import from %s\n", imp->path);
            break;
        }
        if (n > S_BATCH_MAX) {
            char c[32];
            fprintf(stderr, "ledgerctl: import: %s: %s %s; one import holds at most %d: "
                    "split the file\n", imp->path, s_count(c, sizeof c, n), imp->kind->name,
                    S_BATCH_MAX);
            break;
        }
        Ledger__Meta meta = LEDGER__META__INIT;
        Ledger__RecordBatch req = LEDGER__RECORD_BATCH__INIT;
        client_meta(client, &meta, key);
        req.meta = &meta;
        req.records = records;
        req.n_records = n;
        size_t bytes = protobuf_c_message_get_packed_size(&req.base);
        size_t limit = ctl->hello->max_message_bytes ? ctl->hello->max_message_bytes
                                                     : FRAME_MAX_BYTES;
        if (bytes + 64 > limit) {
            fprintf(stderr, "ledgerctl: import: %s: the batch is %.1f MiB; ledgerd takes at most "
                    "%.0f MiB in one request: split the file\n", imp->path,
                    bytes / 1048576.0, limit / 1048576.0);
            break;
        }
        if (n >= 1000)
            s_progress(imp, "sending", n, imp->kind->name);
        err_t err;
        Ledger__BatchReply *reply = NULL;
        int got = client_call(client, FRAME_RECORD_BATCH, &req.base,
                              &ledger__batch_reply__descriptor, (ProtobufCMessage **)&reply,
                              &err);
        s_progress(imp, NULL, 0, NULL);
        if (got == 0) {
            *reply_out = reply;
            *sent_out = sent;
            *n_sent_out = n;
            sent = NULL;
            rc = CTL_OK;
            break;
        }
        if (err.code == ERR(TIMEOUT)) {
            s_errors_print(imp);
            fprintf(stderr, "ledgerctl: no reply from %s within %d ms (is ledgerd running?)\n"
                    "ledgerctl: the import may still be applied; run the same command again "
                    "(idempotency key %s): it is applied once\n",
                    ctl->endpoint, timeout, key);
            rc = CTL_UNREACHABLE;
            break;
        }
        long k = s_refusal(imp, sent, n, &err);
        if (k >= 0 && skip_bad && refusals < S_REFUSALS_MAX) {
            imp->recs[k].refused = 1;
            refusals++;
            continue;
        }
        s_errors_print(imp);
        if (k < 0) {
            fprintf(stderr, "ledgerctl: %s%s%s: %s\n", err_code_name(err.code),
                    *err.field ? " " : "", err.field, err.msg);
            if (err.code == ERR(IDEMPOTENCY_MISMATCH) && !ctl->idem)
                fprintf(stderr, "ledgerctl: import: %s was imported before, with other records "
                        "left out (key %s); to import its lines again as new records, give "
                        "--idempotency-key\n", imp->path, key);
        } else if (skip_bad)
            fprintf(stderr, "ledgerctl: import: ledgerd refused %d records; giving up\n",
                    refusals + 1);
        fprintf(stderr, "ledgerctl: import: nothing imported from %s\n", imp->path);
        break;
    }
    client_destroy(&client);
    free(sent);
    free(records);
    return rc;
}

/* s_import_free - everything the import holds */
static void s_import_free(s_import_t *imp)
{
    for (size_t i = 0; i < imp->n_arena; i++)
        free(imp->arena[i]);
    free(imp->arena);
    free(imp->rows);
    free(imp->recs);
    free(imp->errs);
}

/* cmd_import - read, check, build, report; then send unless --dry-run */
int cmd_import(ctl_t *ctl, int argc, char **argv)
{
    ctl_opts_t o = { argc, argv, "import", s_usage(), s_options };
    s_import_t imp = { .ctl = ctl };
    csv_encoding_t enc = CSV_AUTO, used = CSV_AUTO;
    unsigned char hash[crypto_hash_sha256_BYTES];
    char key[160], what[128], left[64];
    size_t *sent = NULL, n_sent = 0, n_left = 0;
    Ledger__BatchReply *reply = NULL;
    int c, rc = CTL_OK, skip_bad = 0, dry_run = 0;

    while ((c = ctl_opt_next(&o)) != -1) {
        switch (c) {
        case OPT_ENCODING:
            if (csv_encoding_parse(&enc, optarg) < 0)
                return ctl_usage(o.cmd, "--encoding: '%s' is not one of "
                                 "utf-8|gbk|gb18030|auto", optarg);
            break;
        case OPT_SKIP_BAD: skip_bad = 1; break;
        case OPT_DRY_RUN:  dry_run = 1; break;
        case OPT_IDEM:
            if (!*optarg)
                return ctl_usage(o.cmd, "--idempotency-key: the key must not be empty");
            ctl->idem = optarg;
            break;
        default:
            return o.rc;
        }
    }
    if ((rc = ctl_opt_operands(&o, 2, 2, "KIND and FILE")))
        return rc;
    for (size_t k = 0; k < sizeof s_kinds / sizeof s_kinds[0]; k++)
        if (!strcmp(s_kinds[k].name, argv[optind]) || !strcmp(s_kinds[k].one, argv[optind]))
            imp.kind = &s_kinds[k];
    if (!imp.kind)
        return ctl_usage(o.cmd, "'%s' is not one of customers|orders|payments|entries",
                         argv[optind]);
    imp.path = argv[optind + 1];
    for (imp.ncols = 0; imp.kind->cols[imp.ncols].name; imp.ncols++)
        ;
    imp.progress = isatty(STDERR_FILENO);
    if (sodium_init() < 0) {
        fprintf(stderr, "ledgerctl: import: libsodium does not start\n");
        return CTL_REJECTED;
    }

    if (s_read(&imp, enc, &used, hash, &rc) < 0)
        goto done;
    if (ctl->idem)
        snprintf(key, sizeof key, "%s", ctl->idem);
    else {
        char hex[2 * 32 + 1];
        sodium_bin2hex(hex, sizeof hex, hash, 32);
        snprintf(key, sizeof key, "import-%s-%s", imp.kind->name, hex);
    }
    /* Times are local to the ledger's zone, which the Hello tells; a dry
     * run needs no ledgerd, and checks times in UTC (the syntax is the same). */
    if (!dry_run && imp.map && (rc = ctl_open(ctl)))
        goto done;
    if (imp.map) {
        s_group(&imp);
        for (size_t k = 0; k < imp.n_recs; k++) {
            imp.kind->build(&imp, &imp.recs[k]);
            for (size_t i = 0; i < imp.recs[k].n_rows; i++)
                imp.recs[k].bad |= imp.rows[imp.recs[k].rows[i]].bad;
        }
        if (!dry_run && imp.kind->build == s_build_order && (rc = s_branches(&imp)))
            goto done;
    }
    int header_bad = !imp.map;
    for (size_t i = 0; i < imp.n_errs; i++)
        if (imp.errs[i].first == imp.header_line && imp.header_line)
            header_bad = 1;
    n_sent = 0;
    for (size_t k = 0; k < imp.n_recs; k++)
        n_sent += !imp.recs[k].bad;
    s_left_out(&imp, left, sizeof left, &n_left);

    if (dry_run) {
        sent = xmalloc((imp.n_recs + 1) * sizeof *sent);
        n_sent = 0;
        for (size_t k = 0; k < imp.n_recs; k++)
            if (!imp.recs[k].bad)
                sent[n_sent++] = k;
        s_errors_print(&imp);
        rc = header_bad || (imp.n_errs && !skip_bad) || n_sent == 0 ? CTL_REJECTED : CTL_OK;
        s_what(what, sizeof what, &imp, n_sent, s_parts_count(&imp, sent, n_sent));
        if (ctl->json)
            s_json(&imp, used, key, 1, 0, 0, sent, n_sent, NULL);
        else {
            if (imp.map)
                s_columns(&imp);
            if (rc == CTL_OK)
                printf("would import %s from %s%s%s\n", what, imp.path,
                       n_left ? "; leaving out lines " : "", n_left ? left : "");
            else
                printf("%s: %zu error%s: nothing would be imported%s\n", imp.path, imp.n_errs,
                       imp.n_errs == 1 ? "" : "s",
                       skip_bad || header_bad ? "" : " (--skip-bad leaves bad lines out)");
        }
        goto done;
    }
    if (header_bad || (imp.n_errs && !skip_bad)) {
        s_errors_print(&imp);
        if (ctl->json)
            s_json(&imp, used, key, 0, 0, 0, NULL, 0, NULL);
        fprintf(stderr, "ledgerctl: import: nothing imported: %zu error%s in %s%s\n",
                imp.n_errs, imp.n_errs == 1 ? "" : "s", imp.path,
                header_bad ? "" : "; fix them, or use --skip-bad to import the rest");
        rc = CTL_REJECTED;
        goto done;
    }
    rc = s_send(&imp, skip_bad, key, &sent, &n_sent, &reply);
    if (rc != CTL_OK) {
        if (ctl->json)
            s_json(&imp, used, key, 0, 0, 0, NULL, 0, NULL);
        goto done;
    }
    s_errors_print(&imp);   /* the lines --skip-bad left out */
    s_left_out(&imp, left, sizeof left, &n_left);
    /* A repeated key returns the first reply: its events are all older. */
    int already = 1;
    for (size_t i = 0; i < reply->n_items; i++)
        if (reply->items[i]->seq > ctl->hello->last_seq)
            already = 0;
    s_what(what, sizeof what, &imp, n_sent, s_parts_count(&imp, sent, n_sent));
    if (ctl->json)
        s_json(&imp, used, key, 0, 1, already, sent, n_sent, reply);
    else if (already)
        printf("already imported: %s from %s (nothing written again)\n", what, imp.path);
    else
        printf("imported %s from %s%s%s\n", what, imp.path,
               n_left ? "; left out lines " : "", n_left ? left : "");

done:
    if (reply)
        protobuf_c_message_free_unpacked(&reply->base, NULL);
    free(sent);
    s_import_free(&imp);
    return rc;
}
