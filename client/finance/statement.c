/* statement - `ledger-finance statement --month M`: every person's statement
 * of a month (or one person's) as a CSV file and a printable HTML page,
 * written into a directory. Reads ledger-commission's statement.closed
 * results, or statement.draft ones for a month not closed yet, and the
 * person's other months of the year for the page's chart. The page itself
 * is page.c's; this file fetches, names files and writes the CSV. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "commission.pb-c.h"
#include "csv.h"
#include "date.h"
#include "finance.h"
#include "money.h"
#include "page.h"
#include "policy.h"
#include "record.pb-c.h"
#include "xmalloc.h"

static const char s_usage[] =
    "usage: ledger-finance statement --month YYYY-MM [--person PERSON] [--dir DIR] [--excel]\n"
    "\n"
    "Every person's commission statement of a month, or one person's, as\n"
    "<kind>-<code>-<month>.csv and a printable page <kind>-<code>-<month>.html\n"
    "(summary, subtotals by programme, the lines, and a chart of the person's\n"
    "year by programme). A month not closed yet gives drafts, marked as such:\n"
    "their lines may still change.\n"
    "\n"
    "  --month YYYY-MM  the statements' month\n"
    "  --person PERSON  only staff:CODE or partner:CODE (a bare CODE is staff)\n"
    "  --dir DIR        where the files go (default: .; made if missing)\n"
    "  --excel          a CSV for Excel: a UTF-8 byte order mark, and text that\n"
    "                   would run as a formula written as text\n";

#define KIND_CLOSED "statement.closed"
#define KIND_DRAFT  "statement.draft"

static const char *const s_states[] = { "", "pending", "payable", "settled", "paid", "void", NULL };

/* One person's statement of the month, and what is written for it. */
typedef struct {
    char key[200];              /* "staff:S-1@2026-03" */
    char person[160];           /* "staff:S-1" */
    char kind[16];              /* "staff" or "partner" */
    char code[64];              /* "S-1" */
    Ledger__Statement *st;      /* owned */
    uint64_t version;           /* of the result */
    char name[256];             /* "" until known */
    char branch[64];
    char csv[1200];             /* the paths written */
    char html[1200];
} item_t;

typedef struct {
    item_t *items;       /* by key once gathered */
    size_t n, cap;
    size_t n_closed;     /* items[0..n_closed) came from statement.closed, sorted */
    const char *suffix;  /* "@2026-03" */
    int rc;              /* CTL_REJECTED after a payload that does not decode */
} month_t;

/* s_code_text - a code as the ledger allows it (1..32 of A-Z a-z 0-9 . _ -):
 * safe to put in a file name */
static int s_code_text(const char *s, size_t len)
{
    if (len < 1 || len > 32)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!s[i] || !strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-",
                             s[i]))
            return 0;
    return 1;
}

/* s_split - key "staff:S-1@2026-03" into item's person, kind and code; -1
 * when it names no staff or partner by a code fit for a file name */
static int s_split(item_t *it, const char *key)
{
    const char *colon = strchr(key, ':'), *at = strrchr(key, '@');
    if (!colon || !at || at < colon || strlen(key) >= sizeof it->key)
        return -1;
    size_t klen = (size_t)(colon - key);
    if (!((klen == 5 && !strncmp(key, "staff", 5)) || (klen == 7 && !strncmp(key, "partner", 7))) ||
        !s_code_text(colon + 1, (size_t)(at - colon - 1)))
        return -1;
    snprintf(it->key, sizeof it->key, "%s", key);
    snprintf(it->person, sizeof it->person, "%.*s", (int)(at - key), key);
    snprintf(it->kind, sizeof it->kind, "%.*s", (int)klen, key);
    snprintf(it->code, sizeof it->code, "%.*s", (int)(at - colon - 1), colon + 1);
    return 0;
}

/* s_unpack - a result's Statement, NULL (said on stderr) when it is none */
static Ledger__Statement *s_unpack(const Ledger__Result *r)
{
    const ProtobufCBinaryData *p = &r->payload;
    Ledger__Statement *st = ledger__statement__unpack(NULL, p->len,
                                                      p->len ? p->data : (const uint8_t *)"");
    if (!st)
        fprintf(stderr, "%s: %s result %s (version %llu): the payload is not a "
                "ledger.Statement\n", ctl_program, r->kind, r->key,
                (unsigned long long)r->version);
    return st;
}

static int s_by_key(const void *a, const void *b)
{
    return strcmp(((const item_t *)a)->key, ((const item_t *)b)->key);
}

/* s_add - r's statement st as a new item of m, which owns st from here;
 * NULL (said on stderr, st freed) when r's key names no person */
static item_t *s_add(month_t *m, const Ledger__Result *r, Ledger__Statement *st)
{
    item_t it = { 0 };
    if (s_split(&it, r->key) < 0) {
        fprintf(stderr, "%s: %s result %s names no staff or partner code; left out\n",
                ctl_program, r->kind, r->key);
        ledger__statement__free_unpacked(st, NULL);
        return NULL;
    }
    it.st = st;
    it.version = r->version;
    if (m->n == m->cap) {
        m->cap = m->cap ? 2 * m->cap : 16;
        m->items = xrealloc(m->items, m->cap * sizeof *m->items);
    }
    m->items[m->n] = it;
    return &m->items[m->n++];
}

/* s_take_month - a statement of the month, unless a closed one is held for
 * the same person (closed statements are listed first) */
static int s_take_month(void *arg, const Ledger__Result *r)
{
    month_t *m = arg;
    size_t kl = strlen(r->key), sl = strlen(m->suffix);
    if (kl < sl || strcmp(r->key + kl - sl, m->suffix))
        return 0;
    item_t probe;
    snprintf(probe.key, sizeof probe.key, "%s", r->key);
    if (m->n_closed && bsearch(&probe, m->items, m->n_closed, sizeof *m->items, s_by_key))
        return 0;
    Ledger__Statement *st = s_unpack(r);
    if (!st) {
        m->rc = CTL_REJECTED;
        return 1;
    }
    s_add(m, r, st);
    return 0;
}

/* s_month_fini - the items and their statements */
static void s_month_fini(month_t *m)
{
    for (size_t i = 0; i < m->n; i++)
        ledger__statement__free_unpacked(m->items[i].st, NULL);
    free(m->items);
    m->items = NULL;
    m->n = m->cap = 0;
}

/* s_gather_one - person's statement, the closed one if the month is closed;
 * CTL_OK with nothing added when there is none */
static int s_gather_one(ctl_t *ctl, month_t *m, const char *person, const char *month)
{
    char key[200];
    snprintf(key, sizeof key, "%s@%s", person, month);
    for (int k = 0; k < 2; k++) {
        ctl_result_t r = { 0 };
        int rc = ctl_result_get(&r, ctl, k == 0 ? KIND_CLOSED : KIND_DRAFT, key,
                                &ledger__statement__descriptor);
        if (rc)
            return rc;
        if (!r.payload)
            continue;
        item_t *it = s_add(m, r.result, (Ledger__Statement *)r.payload);
        r.payload = NULL;   /* the item's now */
        ctl_result_fini(&r);
        return it ? CTL_OK : CTL_REJECTED;
    }
    return CTL_OK;
}

/* s_sort - m's items by key (qsort must not be given NULL, even for none) */
static void s_sort(month_t *m)
{
    if (m->n)
        qsort(m->items, m->n, sizeof *m->items, s_by_key);
}

/* s_gather_all - everyone's statements of the month: closed ones first,
 * then the drafts of those without */
static int s_gather_all(ctl_t *ctl, month_t *m)
{
    int rc = ctl_result_each(ctl, KIND_CLOSED, "", s_take_month, m);
    if (rc || m->rc)
        return rc ? rc : m->rc;
    s_sort(m);
    m->n_closed = m->n;
    if ((rc = ctl_result_each(ctl, KIND_DRAFT, "", s_take_month, m)) || m->rc)
        return rc ? rc : m->rc;
    s_sort(m);
    return CTL_OK;
}

/* Names of partners, from one listing of every partner. */
typedef struct {
    month_t *m;
    const char *month;
    size_t missing;     /* partner items still without a name */
} partners_t;

static int s_take_partner(void *arg, const Ledger__Record *r)
{
    partners_t *p = arg;
    if (r->kind_case != LEDGER__RECORD__KIND_PARTNER)
        return 0;
    item_t probe;
    snprintf(probe.key, sizeof probe.key, "partner:%s@%s", r->partner->code, p->month);
    item_t *it = bsearch(&probe, p->m->items, p->m->n, sizeof *p->m->items, s_by_key);
    if (it && !*it->name) {
        snprintf(it->name, sizeof it->name, "%s", r->partner->name);
        snprintf(it->branch, sizeof it->branch, "%s", r->partner->branch);
        p->missing--;
    }
    return p->missing == 0;
}

/* s_names - every item's name and branch: staff one by one, partners from
 * the list of partners. A partner the list lacks keeps "" (the page says
 * the name is not known). */
static int s_names(ctl_t *ctl, month_t *m, const char *month)
{
    partners_t p = { m, month, 0 };
    for (size_t i = 0; i < m->n; i++) {
        item_t *it = &m->items[i];
        if (strcmp(it->kind, "staff")) {
            p.missing++;
            continue;
        }
        Ledger__GetReply *got = NULL;
        int rc = ctl_get(ctl, LEDGER__ENTITY_KIND__ENTITY_STAFF, it->code, &got);
        if (rc)
            return rc;
        if (got->record_case == LEDGER__GET_REPLY__RECORD_STAFF) {
            snprintf(it->name, sizeof it->name, "%s", got->staff->name);
            snprintf(it->branch, sizeof it->branch, "%s", got->staff->branch);
        }
        ledger__get_reply__free_unpacked(got, NULL);
    }
    if (!p.missing)
        return CTL_OK;
    return ctl_records_each(ctl, LEDGER__ENTITY_KIND__ENTITY_PARTNER, NULL, s_take_partner, &p);
}

/* The person's other months, for the chart. */
typedef struct {
    page_year_t *year;
    const char *month;   /* the statement's own: page_year_set puts it in last */
} year_fill_t;

/* s_take_year - a month of the year not filled yet (closed ones come first) */
static int s_take_year(void *arg, const Ledger__Result *r)
{
    year_fill_t *y = arg;
    const char *at = strrchr(r->key, '@');
    int month = at ? atoi(at + 6) : 0;   /* "@2026-03" */
    if (month < 1 || month > 12 || y->year->state[month - 1] != PAGE_MONTH_NONE ||
        !strcmp(at + 1, y->month))
        return 0;
    Ledger__Statement *st = s_unpack(r);
    if (st) {
        if (page_year_set(y->year, st) < 0)
            fprintf(stderr, "%s: %s result %s holds month '%s'; left out of the chart\n",
                    ctl_program, r->kind, r->key, st->month);
        ledger__statement__free_unpacked(st, NULL);
    }
    return 0;
}

/* s_year - it's person's statements of the year, month by month */
static int s_year(ctl_t *ctl, const item_t *it, const char *month, page_year_t *out)
{
    char prefix[200];
    year_fill_t y = { out, month };
    page_year_init(out, atoi(month));
    snprintf(prefix, sizeof prefix, "%s@%.4s-", it->person, month);
    int rc = ctl_result_each(ctl, KIND_CLOSED, prefix, s_take_year, &y);
    if (rc == CTL_OK)
        rc = ctl_result_each(ctl, KIND_DRAFT, prefix, s_take_year, &y);
    if (rc == CTL_OK && page_year_set(out, it->st) < 0) {
        fprintf(stderr, "%s: %s: the statement holds month '%s'\n", ctl_program, it->key,
                it->st->month);
        rc = CTL_REJECTED;
    }
    return rc;
}

/* s_csv - the statement as CSV: a header, a row per line, then the totals
 * as rows whose rule column says which; -1 on a write error */
static int s_csv(FILE *f, const item_t *it, int excel)
{
    const Ledger__Statement *st = it->st;
    static const char *const header[] = { "person", "name", "month", "line", "order", "rule",
        "programme", "basis", "rate", "amount", "state", "payable_date", "reason" };
    char basis[32], rate[32], amount[32], day[16];
    int rc = 0;
    if (excel)
        fputs(CSV_BOM, f);
    rc |= csv_write_row(f, header, 13, excel);
    for (size_t i = 0; i < st->n_lines; i++) {
        const Ledger__CommissionLine *l = st->lines[i];
        day[0] = '\0';
        if (l->payable_ms)
            date_format(day, sizeof day, date_of(l->payable_ms));
        out_money(basis, sizeof basis, l->basis);
        out_money(amount, sizeof amount, l->amount);
        const char *row[] = { it->person, it->name, st->month, l->id, l->order_code, l->rule,
            page_programme_key(page_programme(l->rule)), basis,
            money_format_bp(rate, sizeof rate, l->rate), amount,
            ctl_enum_name(s_states, l->state), day, l->reason };
        rc |= csv_write_row(f, row, 13, excel);
    }
    /* A draft's balance is settled at the close: those amounts stay empty. */
    char payouts[1024] = "";
    for (size_t i = 0, len = 0; i < st->n_payouts && len < sizeof payouts; i++)
        len += (size_t)snprintf(payouts + len, sizeof payouts - len, "%s%s", i ? " " : "payouts: ",
                                st->payouts[i]);
    const struct { const char *rule; int64_t fen; int known; const char *reason; } sums[] = {
        { "total", st->total, 1, st->closed ? "" : "draft: the month is not closed; its lines "
                                                  "may still change" },
        { "carried_in", st->carried_in, st->closed, st->closed ? "" : "settled at the close" },
        { "payable", st->payable, st->closed, st->closed ? "" : "settled at the close" },
        { "carried_out", st->carried_out, st->closed, st->closed ? "" : "settled at the close" },
        { "paid", st->paid, 1, payouts },
    };
    for (size_t i = 0; i < sizeof sums / sizeof sums[0]; i++) {
        out_money(amount, sizeof amount, sums[i].fen);
        const char *row[] = { it->person, it->name, st->month, "", "", sums[i].rule, "", "", "",
            sums[i].known ? amount : "", st->closed ? "closed" : "draft", "", sums[i].reason };
        rc |= csv_write_row(f, row, 13, excel);
    }
    return rc;
}

/* s_open_tmp - path + ".tmp" for writing; the file is renamed into place
 * by s_commit once whole, so no reader sees half a page */
static FILE *s_open_tmp(char *tmp, size_t n, const char *path)
{
    snprintf(tmp, n, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        fprintf(stderr, "%s: statement: write %s: %s\n", ctl_program, tmp, strerror(errno));
    return f;
}

/* s_commit - close f and rename tmp to path; -1 after saying why */
static int s_commit(FILE *f, int failed, const char *tmp, const char *path)
{
    int err = failed || ferror(f) ? EIO : 0;
    if (fclose(f) != 0 && !err)
        err = errno;
    if (!err && rename(tmp, path) != 0)
        err = errno;
    if (!err)
        return 0;
    fprintf(stderr, "%s: statement: write %s: %s\n", ctl_program, path, strerror(err));
    remove(tmp);
    return -1;
}

/* s_write - it's CSV and page into dir */
static int s_write(ctl_t *ctl, item_t *it, const char *dir, const char *month, int excel)
{
    page_year_t year;
    char tmp[1300], closed_at[40] = "";
    int rc = s_year(ctl, it, month, &year);
    if (rc)
        return rc;
    snprintf(it->csv, sizeof it->csv, "%s/%s-%s-%s.csv", dir, it->kind, it->code, month);
    snprintf(it->html, sizeof it->html, "%s/%s-%s-%s.html", dir, it->kind, it->code, month);
    FILE *f = s_open_tmp(tmp, sizeof tmp, it->csv);
    if (!f || s_commit(f, s_csv(f, it, excel) < 0, tmp, it->csv) < 0)
        return CTL_REJECTED;
    if (it->st->closed)
        ctl_time(closed_at, sizeof closed_at, it->st->closed_ms);
    page_t page = { it->st, it->person, it->name, it->branch, closed_at, it->version, &year };
    f = s_open_tmp(tmp, sizeof tmp, it->html);
    if (!f || s_commit(f, page_write(f, &page) < 0, tmp, it->html) < 0)
        return CTL_REJECTED;
    return CTL_OK;
}

/* s_mkdirs - dir and its missing parents, as mkdir -p; -1 with errno */
static int s_mkdirs(const char *dir)
{
    char path[4096];
    struct stat sb;
    snprintf(path, sizeof path, "%s", dir);
    for (char *p = path + 1; ; p++) {
        if (*p != '/' && *p)
            continue;
        char c = *p;
        *p = '\0';
        if (mkdir(path, 0777) != 0 && errno != EEXIST)
            return -1;
        *p = c;
        if (!c)
            break;
    }
    if (stat(dir, &sb) != 0)
        return -1;
    if (!S_ISDIR(sb.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

/* s_report - what was written: a line per person and the sums, or JSON */
static void s_report(ctl_t *ctl, const month_t *m, const char *month, const char *dir)
{
    int64_t total = 0, payable = 0, paid = 0;
    size_t drafts = 0;
    for (size_t i = 0; i < m->n; i++) {
        total += m->items[i].st->total;
        payable += m->items[i].st->payable;
        paid += m->items[i].st->paid;
        drafts += !m->items[i].st->closed;
    }
    if (ctl->json) {
        out_json_t j;
        out_json_init(&j, stdout);
        out_json_object(&j, NULL);
        out_json_str(&j, "month", month);
        out_json_str(&j, "dir", dir);
        out_json_array(&j, "statements");
        for (size_t i = 0; i < m->n; i++) {
            const item_t *it = &m->items[i];
            out_json_object(&j, NULL);
            out_json_str(&j, "person", it->person);
            out_json_str(&j, "name", it->name);
            out_json_bool(&j, "closed", it->st->closed);
            out_json_uint(&j, "lines", it->st->n_lines);
            out_json_int(&j, "total_fen", it->st->total);
            out_json_int(&j, "payable_fen", it->st->payable);
            out_json_int(&j, "paid_fen", it->st->paid);
            out_json_str(&j, "csv", it->csv);
            out_json_str(&j, "html", it->html);
            out_json_end(&j);
        }
        out_json_end(&j);
        out_json_uint(&j, "count", m->n);
        out_json_uint(&j, "drafts", drafts);
        out_json_int(&j, "total_fen", total);
        out_json_int(&j, "payable_fen", payable);
        out_json_int(&j, "paid_fen", paid);
        out_json_end(&j);
        return;
    }
    if (!m->n) {
        printf("no statements for %s (no lines that month, or ledger-commission has not "
               "caught up)\n", month);
        return;
    }
    char a[32], b[32], c[32];
    out_table_t *t = out_table_new(7, "PERSON", "NAME", ">TOTAL", ">PAYABLE", ">PAID", "CSV",
                                   "PAGE");
    for (size_t i = 0; i < m->n; i++) {
        const item_t *it = &m->items[i];
        out_money(a, sizeof a, it->st->total);
        out_money(b, sizeof b, it->st->payable);
        out_money(c, sizeof c, it->st->paid);
        out_table_row(t, it->person, it->name, a, b, c, it->csv, it->html);
    }
    out_table_print(t, stdout);
    out_table_destroy(&t);
    out_money(a, sizeof a, total);
    out_money(b, sizeof b, payable);
    out_money(c, sizeof c, paid);
    printf("%zu statement%s for %s: total %s, payable %s, paid %s\n", m->n, m->n == 1 ? "" : "s",
           month, a, b, c);
    if (drafts)
        printf("%zu draft%s: %s is not closed, so lines may still change and nothing is "
               "payable yet\n", drafts, drafts == 1 ? "" : "s", month);
}

/* cmd_statement - gather, name, write, report */
int cmd_statement(ctl_t *ctl, int argc, char **argv)
{
    enum { OPT_MONTH = 256, OPT_PERSON, OPT_DIR, OPT_EXCEL };
    static const struct option opts[] = {
        { "month", required_argument, NULL, OPT_MONTH },
        { "person", required_argument, NULL, OPT_PERSON },
        { "dir", required_argument, NULL, OPT_DIR },
        { "excel", no_argument, NULL, OPT_EXCEL },
        CTL_OPTS_END };
    ctl_opts_t o = { argc, argv, "statement", s_usage, opts };
    const char *month = NULL, *person = NULL, *dir = ".";
    int excel = 0, c, rc;
    while ((c = ctl_opt_next(&o)) != -1) {
        if (c == CTL_OPT_STOP)
            return o.rc;
        if (c == OPT_MONTH)
            month = optarg;
        else if (c == OPT_PERSON)
            person = optarg;
        else if (c == OPT_DIR)
            dir = optarg;
        else
            excel = 1;
    }
    if ((rc = ctl_opt_operands(&o, 0, 0, "")))
        return rc;
    if (!month)
        return ctl_usage(o.cmd, "--month is required");
    if (!policy_month_valid(month))
        return ctl_usage(o.cmd, "--month: want YYYY-MM, got '%s'", month);
    char who[160] = "";
    if (person) {
        item_t probe;
        char key[200];
        snprintf(key, sizeof key, "%s%s@%s", strchr(person, ':') ? "" : "staff:", person, month);
        if (strlen(person) > 100 || s_split(&probe, key) < 0)
            return ctl_usage(o.cmd, "--person: want staff:CODE, partner:CODE or a staff CODE, "
                             "got '%s'", person);
        snprintf(who, sizeof who, "%s", probe.person);
    }
    if (!*dir || strlen(dir) > 1024)
        return ctl_usage(o.cmd, "--dir: want a directory name of 1..1024 bytes");
    if ((rc = ctl_open(ctl)))
        return rc;

    char suffix[16];
    snprintf(suffix, sizeof suffix, "@%s", month);
    month_t m = { .suffix = suffix };
    rc = *who ? s_gather_one(ctl, &m, who, month) : s_gather_all(ctl, &m);
    if (rc)
        goto done;
    if (*who && !m.n) {
        fprintf(stderr, "%s: statement: %s has no statement for %s (no lines that month, or "
                "ledger-commission has not caught up)\n", ctl_program, who, month);
        rc = CTL_REJECTED;
        goto done;
    }
    if ((rc = s_names(ctl, &m, month)))
        goto done;
    if (m.n && s_mkdirs(dir) < 0) {
        fprintf(stderr, "%s: statement: --dir %s: %s\n", ctl_program, dir, strerror(errno));
        rc = CTL_REJECTED;
        goto done;
    }
    for (size_t i = 0; i < m.n && rc == CTL_OK; i++)
        rc = s_write(ctl, &m.items[i], dir, month, excel);
    if (rc == CTL_OK)
        s_report(ctl, &m, month, dir);
done:
    s_month_fini(&m);
    return rc;
}
