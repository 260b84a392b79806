/* journal - `ledger-finance export`: a closed day, ISO week or month of a
 * branch's books as a journal for hledger and as CSV. The truth is
 * ledger-reconciliation's close (close.day, close.week, close.month, key
 * "<branch>@<period>"); the postings are the branch's finance entries, each
 * booked on its own local date or, when late, on the day its late_entry
 * exception names. The entries must give the close's figures exactly, or
 * nothing is written. When a period closes is the worker's business. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "codec.h"
#include "csv.h"
#include "date.h"
#include "fields.h"
#include "finance.h"
#include "journal.h"
#include "money.h"
#include "period.h"
#include "recset.h"
#include "xmalloc.h"

#define EXCEPTION_KIND "recon.exception"
#define LATE_PREFIX    "late_entry/"
#define BEHIND         "is ledger-reconciliation behind? (ledgerctl cursor show)"

/* ---- the pure part (journal.h) -------------------------------------------- */

/* journal_close_kind - the form of the text says the kind */
const char *journal_close_kind(const char *period)
{
    period_kind_t kind;
    int64_t p;
    return period_parse(period, &kind, &p) < 0 ? NULL : period_close_kind(kind);
}

/* s_char_len - bytes of the UTF-8 character led by c (1 for a stray byte) */
static size_t s_char_len(unsigned char c)
{
    return c >= 0xF0 && c <= 0xF7 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 && c < 0xE0 ? 2 : 1;
}

/* journal_clean - character by character, stand-ins for what a journal line
 * cannot hold */
void journal_clean(char *out, size_t n, const char *text, int comment)
{
    size_t k = 0;
    const char *s = text ? text : "";
    while (*s) {
        unsigned char c = (unsigned char)*s;
        size_t len = strnlen(s, s_char_len(c));   /* a character cut short ends the text */
        const char *put = s;                       /* the character, or what stands for it */
        if (c < 0x20 || c == 0x7f)
            put = " ";
        else if (c == ';')
            put = ",";
        else if (comment && c == ':')
            put = "：";
        size_t put_len = put == s ? len : strlen(put);
        s += len;
        if (*put == ' ' && (k == 0 || out[k - 1] == ' '))
            continue;   /* no leading blank, one blank for a run */
        if (k + put_len >= n)
            break;
        memcpy(out + k, put, put_len);
        k += put_len;
    }
    while (k > 0 && out[k - 1] == ' ')
        k--;
    if (n)
        out[k] = '\0';
}

/* journal_booking_day - the exception's day, else the entry's own */
int journal_booking_day(char out[11], const Ledger__FinanceEntry *e, const char *booked_on)
{
    char own[16];
    date_format(own, sizeof own, date_of(e->time_ms));
    snprintf(out, 11, "%.10s", booked_on && *booked_on ? booked_on : own);
    return strcmp(out, own) != 0;
}

/* s_entry_cmp - booking day, then entry code */
static int s_entry_cmp(const void *a, const void *b)
{
    const journal_entry_t *x = a, *y = b;
    int c = strcmp(x->booked, y->booked);
    return c ? c : strcmp(x->entry->code, y->entry->code);
}

/* journal_sort - the order the journal and the CSV list them in */
void journal_sort(journal_book_t *b)
{
    if (b->n_entries > 1)
        qsort(b->entries, b->n_entries, sizeof *b->entries, s_entry_cmp);
}

/* s_moves - the debits and credits the book's entries post to account;
 * -1 when they do not fit in int64 */
static int s_moves(const journal_book_t *b, const char *account, int64_t *debits,
                   int64_t *credits)
{
    *debits = *credits = 0;
    for (size_t i = 0; i < b->n_entries; i++) {
        const Ledger__FinanceEntry *e = b->entries[i].entry;
        for (size_t k = 0; k < e->n_postings; k++) {
            const Ledger__Posting *p = e->postings[k];
            if (strcmp(p->account_code, account))
                continue;
            int64_t *sum = p->amount >= 0 ? debits : credits;
            if (money_add(sum, *sum, p->amount) < 0)
                return -1;
        }
    }
    return 0;
}

/* s_close_line - the close's line for account, NULL when it has none */
static const Ledger__AccountClose *s_close_line(const Ledger__Close *cl, const char *account)
{
    for (size_t i = 0; i < cl->n_accounts; i++)
        if (!strcmp(cl->accounts[i]->account, account))
            return cl->accounts[i];
    return NULL;
}

/* s_disagree - "the ledger's close of SH01 for 2026-07 says SH01-ALI closes
 * at 844270.22, its entries give 844000.00; is ...": -1 */
static int s_disagree(err_t *err, const Ledger__Close *cl, const char *account, const char *says,
                      int64_t want, int64_t got)
{
    char w[32], g[32];
    out_money(w, sizeof w, want);
    out_money(g, sizeof g, got);
    return err_set(err, ERR(CONFLICT), account, "the ledger's close of %s for %s says %s %s %s, "
                   "its entries give %s; " BEHIND, cl->branch, cl->period, account, says, w, g);
}

/* journal_check - account by account, then what the close lacks, the count
 * of entries and the openings */
int journal_check(const journal_book_t *b, err_t *err)
{
    const Ledger__Close *cl = b->close;
    int64_t opening = 0, debits, credits, closing;
    for (size_t i = 0; i < cl->n_accounts; i++) {
        const Ledger__AccountClose *a = cl->accounts[i];
        if (s_moves(b, a->account, &debits, &credits) < 0 ||
            money_add(&closing, a->opening, debits) < 0 ||
            money_add(&closing, closing, credits) < 0 ||
            money_add(&opening, opening, a->opening) < 0)
            return err_set(err, ERR(CONFLICT), a->account, "the entries of %s for %s move %s "
                           "by more fen than 64 bits hold", cl->branch, cl->period, a->account);
        if (closing != a->closing)
            return s_disagree(err, cl, a->account, "closes at", a->closing, closing);
        if (debits != a->debits)
            return s_disagree(err, cl, a->account, "has debits of", a->debits, debits);
        if (credits != a->credits)
            return s_disagree(err, cl, a->account, "has credits of", a->credits, credits);
    }
    for (size_t i = 0; i < b->n_entries; i++) {
        const Ledger__FinanceEntry *e = b->entries[i].entry;
        for (size_t k = 0; k < e->n_postings; k++) {
            const char *account = e->postings[k]->account_code;
            if (s_close_line(cl, account))
                continue;
            char g[32];
            if (s_moves(b, account, &debits, &credits) < 0 ||
                money_add(&closing, debits, credits) < 0)
                closing = 0;
            out_money(g, sizeof g, closing);
            return err_set(err, ERR(CONFLICT), account, "the ledger's close of %s for %s has no "
                           "line for %s, its entries post %s to it (entry %s); " BEHIND,
                           cl->branch, cl->period, account, g, e->code);
        }
    }
    if (b->n_entries != cl->entries)
        return err_set(err, ERR(CONFLICT), "entries", "the ledger's close of %s for %s says %u "
                       "entries are booked in it, the ledger has %zu booked there; " BEHIND,
                       cl->branch, cl->period, cl->entries, b->n_entries);
    if (opening != 0) {
        char o[32];
        out_money(o, sizeof o, opening);
        return err_set(err, ERR(CONFLICT), "opening", "the ledger's close of %s for %s opens out "
                       "of balance by %s: its accounts cannot be written as balanced books",
                       cl->branch, cl->period, o);
    }
    return 0;
}

/* s_name_cmp - names by code, for bsearch */
static int s_name_cmp(const void *key, const void *elem)
{
    return strcmp(key, ((const journal_name_t *)elem)->code);
}

/* journal_account_name - by bsearch over the sorted names */
const char *journal_account_name(const journal_export_t *x, const char *code)
{
    const journal_name_t *n =
        x->n_names ? bsearch(code, x->names, x->n_names, sizeof *x->names, s_name_cmp) : NULL;
    return n ? n->name : "";
}

/* s_category - "sale" for CATEGORY_SALE; out >= 32 */
static const char *s_category(char *out, size_t n, int category)
{
    return fields_enum_name(out, n, &ledger__entry_category__descriptor, category);
}

/* s_posting - a line "    BRANCH:ACCOUNT  AMOUNT CNY", accounts padded
 * to width so the amounts line up */
static void s_posting(FILE *f, const char *branch, const char *account, int width, int64_t fen)
{
    char acct[160], a[32];
    snprintf(acct, sizeof acct, "%s:%s", branch, account);
    out_money(a, sizeof a, fen);
    fprintf(f, "    %-*s  %13s CNY\n", width, acct, a);
}

/* s_width - the longest "BRANCH:ACCOUNT" of the book */
static int s_width(const journal_book_t *b)
{
    size_t w = 0, bl = strlen(b->close->branch) + 1;
    for (size_t i = 0; i < b->close->n_accounts; i++)
        if (bl + strlen(b->close->accounts[i]->account) > w)
            w = bl + strlen(b->close->accounts[i]->account);
    for (size_t i = 0; i < b->n_entries; i++)
        for (size_t k = 0; k < b->entries[i].entry->n_postings; k++)
            if (bl + strlen(b->entries[i].entry->postings[k]->account_code) > w)
                w = bl + strlen(b->entries[i].entry->postings[k]->account_code);
    return (int)w;
}

/* s_header - who, what, which closes, when; hledger reads it as comments */
static void s_header(FILE *f, const journal_export_t *x)
{
    const Ledger__Close *c0 = x->books[0].close;
    char t[32];
    fprintf(f, "; ledger-finance export of ");
    for (size_t i = 0; i < x->n_books; i++)
        fprintf(f, "%s%s", i ? ", " : "", x->books[i].close->branch);
    if (strcmp(c0->first_day, c0->last_day))
        fprintf(f, " for %s (%s to %s)\n", x->period, c0->first_day, c0->last_day);
    else
        fprintf(f, " for %s\n", x->period);
    for (size_t i = 0; i < x->n_books; i++) {
        const journal_book_t *b = &x->books[i];
        date_format_time(t, sizeof t, b->close->closed_ms);
        fprintf(f, "; agrees with the ledger's close %s@%s, version %llu, closed %s\n",
                b->close->branch, b->close->period, (unsigned long long)b->version, t);
    }
    date_format_time(t, sizeof t, x->ledger_ms);
    fprintf(f, "; ledger time %s (%s); money in yuan (CNY), from integer fen\n", t, date_zone());
    fprintf(f, "; 'hledger -f FILE balance' gives each account's closing balance (hledger reads\n"
               "; the names in a UTF-8 locale: LC_ALL=C.UTF-8)\n\n");
}

/* s_entry - one entry as a transaction on its booking day */
static void s_entry(FILE *f, const char *branch, const journal_entry_t *je, int width)
{
    const Ledger__FinanceEntry *e = je->entry;
    char desc[1024], cat[32], own[16];
    s_category(cat, sizeof cat, e->category);
    journal_clean(desc, sizeof desc, e->description, 0);
    fprintf(f, "%s (%s) %s\n", je->booked, e->code, *desc ? desc : cat);
    fprintf(f, "    ; category: %s", cat);
    if (*e->order_code)
        fprintf(f, ", order: %s", e->order_code);
    if (*e->person_code)
        fprintf(f, ", person: %s", e->person_code);
    if (*e->statement)
        fprintf(f, ", statement: %s", e->statement);
    if (*e->reverses_code)
        fprintf(f, ", reverses: %s", e->reverses_code);
    if (je->late) {
        date_format(own, sizeof own, date_of(e->time_ms));
        fprintf(f, ", late: dated %s (a closed day), booked on %s", own, je->booked);
    }
    fputc('\n', f);
    for (size_t k = 0; k < e->n_postings; k++)
        s_posting(f, branch, e->postings[k]->account_code, width, e->postings[k]->amount);
    fputc('\n', f);
}

/* journal_write - header, commodity, accounts, then branch by branch */
int journal_write(FILE *f, const journal_export_t *x)
{
    char name[512];
    if (x->n_books == 0)
        return 0;
    s_header(f, x);
    fprintf(f, "commodity 1000.00 CNY\n\n");
    for (size_t i = 0; i < x->n_books; i++) {
        const Ledger__Close *cl = x->books[i].close;
        for (size_t k = 0; k < cl->n_accounts; k++) {
            const char *code = cl->accounts[k]->account;
            journal_clean(name, sizeof name, journal_account_name(x, code), 1);
            fprintf(f, "account %s:%s%s%s\n", cl->branch, code, *name ? "  ; " : "", name);
        }
    }
    fputc('\n', f);
    for (size_t i = 0; i < x->n_books; i++) {
        const journal_book_t *b = &x->books[i];
        const Ledger__Close *cl = b->close;
        int width = s_width(b), any = 0;
        for (size_t k = 0; k < cl->n_accounts; k++)
            any |= cl->accounts[k]->opening != 0;
        if (any) {
            fprintf(f, "%s opening balances of %s\n", cl->first_day, cl->branch);
            fprintf(f, "    ; category: opening, close: %s@%s version %llu\n", cl->branch,
                    cl->period, (unsigned long long)b->version);
            for (size_t k = 0; k < cl->n_accounts; k++)
                if (cl->accounts[k]->opening)
                    s_posting(f, cl->branch, cl->accounts[k]->account, width,
                              cl->accounts[k]->opening);
            fputc('\n', f);
        }
        for (size_t k = 0; k < b->n_entries; k++)
            s_entry(f, cl->branch, &b->entries[k], width);
    }
    return ferror(f) ? -1 : 0;
}

/* The CSV's columns. */
enum { C_DATE, C_BRANCH, C_ENTRY, C_CATEGORY, C_DESCRIPTION, C_ACCOUNT, C_NAME, C_DEBIT,
       C_CREDIT, C_AMOUNT, C_ORDER, C_PERSON, C_STATEMENT, C_N };

static const char *const s_csv_head[C_N] = {
    "date", "branch", "entry", "category", "description", "account", "account_name",
    "debit", "credit", "amount", "order", "person", "statement"
};

/* journal_csv - header row, then branch by branch: openings, postings */
int journal_csv(FILE *f, const journal_export_t *x, int excel)
{
    char debit[32], credit[32], amount[32], cat[32];
    const char *row[C_N];
    if (excel)
        fputs(CSV_BOM, f);
    if (csv_write_row(f, s_csv_head, C_N, excel) < 0)
        return -1;
    for (size_t i = 0; i < x->n_books; i++) {
        const journal_book_t *b = &x->books[i];
        const Ledger__Close *cl = b->close;
        /* An opening is a balance, not a movement: amount only. */
        for (size_t k = 0; k < cl->n_accounts; k++) {
            const Ledger__AccountClose *a = cl->accounts[k];
            if (!a->opening)
                continue;
            memset(row, 0, sizeof row);
            out_money(amount, sizeof amount, a->opening);
            row[C_DATE] = cl->first_day;
            row[C_BRANCH] = cl->branch;
            row[C_CATEGORY] = "opening";
            row[C_DESCRIPTION] = "opening balance";
            row[C_ACCOUNT] = a->account;
            row[C_NAME] = journal_account_name(x, a->account);
            row[C_AMOUNT] = amount;
            if (csv_write_row(f, row, C_N, excel) < 0)
                return -1;
        }
        for (size_t k = 0; k < b->n_entries; k++) {
            const Ledger__FinanceEntry *e = b->entries[k].entry;
            for (size_t p = 0; p < e->n_postings; p++) {
                int64_t fen = e->postings[p]->amount;
                out_money(debit, sizeof debit, fen);
                out_money(credit, sizeof credit, -fen);   /* never 0: a posting moves money */
                out_money(amount, sizeof amount, fen);
                row[C_DATE] = b->entries[k].booked;
                row[C_BRANCH] = cl->branch;
                row[C_ENTRY] = e->code;
                row[C_CATEGORY] = s_category(cat, sizeof cat, e->category);
                row[C_DESCRIPTION] = e->description;
                row[C_ACCOUNT] = e->postings[p]->account_code;
                row[C_NAME] = journal_account_name(x, e->postings[p]->account_code);
                row[C_DEBIT] = fen > 0 ? debit : "";
                row[C_CREDIT] = fen < 0 ? credit : "";
                row[C_AMOUNT] = amount;
                row[C_ORDER] = e->order_code;
                row[C_PERSON] = e->person_code;
                row[C_STATEMENT] = e->statement;
                if (csv_write_row(f, row, C_N, excel) < 0)
                    return -1;
            }
        }
    }
    return ferror(f) ? -1 : 0;
}

/* ---- the command ------------------------------------------------------------- */

static const char s_usage[] =
    "usage: ledger-finance export --period PERIOD [--branch BRANCH] [--journal FILE]\n"
    "                             [--csv FILE] [--excel]\n"
    "\n"
    "A closed day, ISO week or month of a branch's books, as ledger-reconciliation\n"
    "closed it: each account's opening balance and the entries booked in the\n"
    "period (an entry dated on a day already closed is booked on the day whose\n"
    "close holds it, which may lie in a later period). Checked before anything\n"
    "is written: per account the opening plus the postings must give the close's\n"
    "closing, debits and credits, and the entries must be as many as the close\n"
    "says; if not, nothing is written and the exit status is 1.\n"
    "\n"
    "  --period PERIOD  a day YYYY-MM-DD, an ISO week YYYY-Www or a month YYYY-MM\n"
    "                   that has closed (ledgerctl close show PERIOD)\n"
    "  --branch BRANCH  that branch (default: every branch with a close of PERIOD)\n"
    "  --journal FILE   a journal for hledger, accounts BRANCH:ACCOUNT in CNY:\n"
    "                   'hledger -f FILE balance' gives each account's closing\n"
    "                   (hledger needs a UTF-8 locale for the names: LC_ALL=C.UTF-8)\n"
    "  --csv FILE       CSV in UTF-8, a row per posting and per opening balance:\n"
    "                   date, branch, entry, category, description, account,\n"
    "                   account_name, debit, credit, amount, order, person,\n"
    "                   statement; yuan, debit and credit positive, amount signed\n"
    "                   (an account's amounts sum to its closing)\n"
    "  --excel          the CSV for Excel: a byte order mark first, and text a\n"
    "                   spreadsheet would run as a formula written as text\n"
    "\n"
    "At least one of --journal and --csv. A file is written whole or not at all\n"
    "(FILE.tmp, then renamed over FILE).\n";

/* A late entry's booking day, from its late_entry exception. */
typedef struct {
    char *code;       /* the entry's code */
    char booked[11];  /* the day whose close holds it */
} s_late_t;

/* What one export gathers from ledgerd; owns everything in it. */
typedef struct {
    const char *kind;           /* "close.month" */
    const char *period;         /* as typed */
    journal_book_t *books;      /* closes and their entries */
    size_t n_books, cap_books;
    s_late_t *late;             /* by code */
    size_t n_late, cap_late;
    journal_name_t *names;      /* by code */
    size_t n_names, cap_names;
    int bad;                    /* a payload did not decode (said): stop */
} s_export_t;

/* s_unpack - a result's payload as desc; NULL after saying what is wrong */
static ProtobufCMessage *s_unpack(const Ledger__Result *res, const ProtobufCMessageDescriptor *desc)
{
    err_t err;
    const ProtobufCBinaryData *p = &res->payload;
    ProtobufCMessage *m = codec_unpack(desc, p->len ? p->data : (const uint8_t *)"", p->len, &err);
    if (!m)
        fprintf(stderr, "%s: %s result %s (version %llu, by %s): the payload is not a %s: %s\n",
                ctl_program, res->kind, res->key, (unsigned long long)res->version, res->owner,
                desc->name, err.msg);
    return m;
}

/* s_add_book - a close (now the export's) as a new book */
static void s_add_book(s_export_t *x, Ledger__Close *cl, uint64_t version)
{
    if (x->n_books == x->cap_books) {
        x->cap_books = x->cap_books ? x->cap_books * 2 : 8;
        x->books = xrealloc(x->books, x->cap_books * sizeof *x->books);
    }
    x->books[x->n_books++] = (journal_book_t){ .close = cl, .version = version };
}

/* s_take_close - keep res when its key is "<branch>@<period>" */
static int s_take_close(void *arg, const Ledger__Result *res)
{
    s_export_t *x = arg;
    size_t kl = strlen(res->key), pl = strlen(x->period);
    if (kl <= pl + 1 || res->key[kl - pl - 1] != '@' || strcmp(res->key + kl - pl, x->period))
        return 0;
    Ledger__Close *cl = (Ledger__Close *)s_unpack(res, &ledger__close__descriptor);
    if (!cl)
        return x->bad = 1;
    s_add_book(x, cl, res->version);
    return 0;
}

/* s_book_cmp - books by branch code */
static int s_book_cmp(const void *a, const void *b)
{
    return strcmp(((const journal_book_t *)a)->close->branch,
                  ((const journal_book_t *)b)->close->branch);
}

/* s_fetch_closes - the branch's close, or every branch's of the period;
 * none is exit 1, saying when closes come */
static int s_fetch_closes(ctl_t *ctl, s_export_t *x, const char *branch)
{
    int rc;
    if (branch) {
        char key[160];
        ctl_result_t r;
        snprintf(key, sizeof key, "%s@%s", branch, x->period);
        if ((rc = ctl_result_get(&r, ctl, x->kind, key, &ledger__close__descriptor)))
            return rc;
        if (r.payload) {
            s_add_book(x, (Ledger__Close *)r.payload, r.result->version);
            r.payload = NULL;   /* the book's now */
        }
        ctl_result_fini(&r);
    } else {
        if ((rc = ctl_result_each(ctl, x->kind, "", s_take_close, x)))
            return rc;
        if (x->bad)
            return CTL_REJECTED;
        if (x->n_books > 1)
            qsort(x->books, x->n_books, sizeof *x->books, s_book_cmp);
    }
    if (x->n_books == 0) {
        char whose[128] = "no branch has a close";
        if (branch)
            snprintf(whose, sizeof whose, "no close of %s", branch);
        fprintf(stderr, "%s: export: %s for %s yet: ledger-reconciliation closes a day once "
                "ledger time has passed it and the branch has moved on or been quiet for a day, "
                "and a week or a month with its last day (ledgerctl close show %s%s%s)\n",
                ctl_program, whose, x->period, x->period, branch ? " --branch " : "",
                branch ? branch : "");
        return CTL_REJECTED;
    }
    return CTL_OK;
}

/* s_take_late - a late entry's booking day */
static int s_take_late(void *arg, const Ledger__Result *res)
{
    s_export_t *x = arg;
    Ledger__Exception *e = (Ledger__Exception *)s_unpack(res, &ledger__exception__descriptor);
    if (!e)
        return x->bad = 1;
    if (*e->booked_on && *e->order_code) {
        if (x->n_late == x->cap_late) {
            x->cap_late = x->cap_late ? x->cap_late * 2 : 64;
            x->late = xrealloc(x->late, x->cap_late * sizeof *x->late);
        }
        s_late_t *l = &x->late[x->n_late++];
        l->code = xstrdup(e->order_code);
        snprintf(l->booked, sizeof l->booked, "%.10s", e->booked_on);
    }
    ledger__exception__free_unpacked(e, NULL);
    return 0;
}

/* s_late_cmp - late entries by code, for qsort and bsearch */
static int s_late_cmp(const void *a, const void *b)
{
    return strcmp(((const s_late_t *)a)->code, ((const s_late_t *)b)->code);
}

/* s_fetch_late - every late entry's booking day (result recon.exception,
 * keys late_entry/<entry code>) */
static int s_fetch_late(ctl_t *ctl, s_export_t *x)
{
    int rc = ctl_result_each(ctl, EXCEPTION_KIND, LATE_PREFIX, s_take_late, x);
    if (rc == CTL_OK && x->bad)
        rc = CTL_REJECTED;
    if (x->n_late > 1)
        qsort(x->late, x->n_late, sizeof *x->late, s_late_cmp);
    return rc;
}

/* s_take_name - an account's code and name */
static int s_take_name(void *arg, const Ledger__Record *r)
{
    s_export_t *x = arg;
    if (r->kind_case != LEDGER__RECORD__KIND_ACCOUNT)
        return 0;
    if (x->n_names == x->cap_names) {
        x->cap_names = x->cap_names ? x->cap_names * 2 : 64;
        x->names = xrealloc(x->names, x->cap_names * sizeof *x->names);
    }
    x->names[x->n_names++] = (journal_name_t){ xstrdup(r->account->code),
                                               xstrdup(r->account->name) };
    return 0;
}

/* s_name_sort - names by code */
static int s_name_sort(const void *a, const void *b)
{
    return strcmp(((const journal_name_t *)a)->code, ((const journal_name_t *)b)->code);
}

/* s_fetch_names - every account's name: an entry may post to an account
 * of another branch */
static int s_fetch_names(ctl_t *ctl, s_export_t *x)
{
    int rc = ctl_records_each(ctl, LEDGER__ENTITY_KIND__ENTITY_ACCOUNT, NULL, s_take_name, x);
    if (x->n_names > 1)
        qsort(x->names, x->n_names, sizeof *x->names, s_name_sort);
    return rc;
}

/* Gathering one book's entries. */
typedef struct {
    s_export_t *x;
    journal_book_t *b;
    size_t cap;
} s_fill_t;

/* s_take_entry - keep a copy of the entry when it is booked in the close's days */
static int s_take_entry(void *arg, const Ledger__Record *r)
{
    s_fill_t *fl = arg;
    journal_book_t *b = fl->b;
    if (r->kind_case != LEDGER__RECORD__KIND_ENTRY || strcmp(r->entry->branch, b->close->branch))
        return 0;
    const s_late_t key = { r->entry->code, "" };
    const s_late_t *l = fl->x->n_late ? bsearch(&key, fl->x->late, fl->x->n_late,
                                                sizeof *fl->x->late, s_late_cmp) : NULL;
    journal_entry_t je;
    je.late = journal_booking_day(je.booked, r->entry, l ? l->booked : NULL);
    if (strcmp(je.booked, b->close->first_day) < 0 || strcmp(je.booked, b->close->last_day) > 0)
        return 0;
    je.entry = (Ledger__FinanceEntry *)recset_copy(&r->entry->base);
    if (b->n_entries == fl->cap) {
        fl->cap = fl->cap ? fl->cap * 2 : 256;
        b->entries = xrealloc(b->entries, fl->cap * sizeof *b->entries);
    }
    b->entries[b->n_entries++] = je;
    return 0;
}

/* s_fini - everything the export gathered */
static void s_fini(s_export_t *x)
{
    for (size_t i = 0; i < x->n_books; i++) {
        for (size_t k = 0; k < x->books[i].n_entries; k++)
            ledger__finance_entry__free_unpacked(x->books[i].entries[k].entry, NULL);
        free(x->books[i].entries);
        ledger__close__free_unpacked(x->books[i].close, NULL);
    }
    free(x->books);
    for (size_t i = 0; i < x->n_late; i++)
        free(x->late[i].code);
    free(x->late);
    for (size_t i = 0; i < x->n_names; i++) {
        free(x->names[i].code);
        free(x->names[i].name);
    }
    free(x->names);
}

/* A file to write: where, and which writer. */
typedef struct {
    const char *path;       /* FILE as given */
    const char *format;     /* "journal" or "csv" */
    char tmp[4096];         /* FILE.tmp, written first */
} s_file_t;

/* s_write - every file to FILE.tmp, then each renamed over FILE, so that a
 * failure leaves no file half-written; CTL_OK or 1 after saying why */
static int s_write(s_file_t *files, size_t n, const journal_export_t *ex, int excel)
{
    size_t done = 0;
    int rc = CTL_OK;
    for (; done < n && rc == CTL_OK; done++) {
        s_file_t *fl = &files[done];
        snprintf(fl->tmp, sizeof fl->tmp, "%s.tmp", fl->path);
        FILE *f = fopen(fl->tmp, "w");
        if (!f) {
            fprintf(stderr, "%s: export: open %s: %s\n", ctl_program, fl->tmp, strerror(errno));
            rc = CTL_REJECTED;
            break;
        }
        int w = !strcmp(fl->format, "csv") ? journal_csv(f, ex, excel) : journal_write(f, ex);
        if (fclose(f) != 0 || w < 0) {
            fprintf(stderr, "%s: export: write %s: %s\n", ctl_program, fl->tmp, strerror(errno));
            rc = CTL_REJECTED;
        }
    }
    for (size_t i = 0; i < done && rc == CTL_OK; i++)
        if (rename(files[i].tmp, files[i].path) != 0) {
            fprintf(stderr, "%s: export: rename %s to %s: %s\n", ctl_program, files[i].tmp,
                    files[i].path, strerror(errno));
            rc = CTL_REJECTED;
        }
    if (rc != CTL_OK)
        for (size_t i = 0; i < done; i++)
            unlink(files[i].tmp);   /* one renamed already is whole and stays */
    return rc;
}

/* s_closes_text - "close (version 3)" or "closes (SH01 version 3, SH02 version 1)" */
static const char *s_closes_text(char *out, size_t n, const journal_export_t *ex)
{
    size_t len;
    if (ex->n_books == 1) {
        snprintf(out, n, "close (version %llu)", (unsigned long long)ex->books[0].version);
        return out;
    }
    len = (size_t)snprintf(out, n, "closes (");
    for (size_t i = 0; i < ex->n_books && len < n; i++)
        len += (size_t)snprintf(out + len, n - len, "%s%s version %llu", i ? ", " : "",
                                ex->books[i].close->branch,
                                (unsigned long long)ex->books[i].version);
    if (len < n)
        snprintf(out + len, n - len, ")");
    return out;
}

/* s_report - a line per file, or the JSON object */
static void s_report(ctl_t *ctl, const s_file_t *files, size_t n, const journal_export_t *ex,
                     int excel)
{
    size_t entries = 0, accounts = 0, postings = 0, openings = 0;
    for (size_t i = 0; i < ex->n_books; i++) {
        const journal_book_t *b = &ex->books[i];
        entries += b->n_entries;
        accounts += b->close->n_accounts;
        for (size_t k = 0; k < b->n_entries; k++)
            postings += b->entries[k].entry->n_postings;
        for (size_t k = 0; k < b->close->n_accounts; k++)
            openings += b->close->accounts[k]->opening != 0;
    }
    if (ctl->json) {
        out_json_t j;
        out_json_init(&j, stdout);
        out_json_object(&j, NULL);
        out_json_str(&j, "period", ex->period);
        out_json_array(&j, "files");
        for (size_t i = 0; i < n; i++) {
            out_json_object(&j, NULL);
            out_json_str(&j, "path", files[i].path);
            out_json_str(&j, "format", files[i].format);
            out_json_end(&j);
        }
        out_json_end(&j);
        out_json_array(&j, "branches");
        for (size_t i = 0; i < ex->n_books; i++) {
            const journal_book_t *b = &ex->books[i];
            out_json_object(&j, NULL);
            out_json_str(&j, "branch", b->close->branch);
            out_json_str(&j, "first_day", b->close->first_day);
            out_json_str(&j, "last_day", b->close->last_day);
            out_json_uint(&j, "close_version", b->version);
            out_json_time(&j, "closed", b->close->closed_ms);
            out_json_uint(&j, "entries", b->n_entries);
            out_json_uint(&j, "accounts", b->close->n_accounts);
            out_json_end(&j);
        }
        out_json_end(&j);
        out_json_uint(&j, "entries", entries);
        out_json_uint(&j, "accounts", accounts);
        out_json_uint(&j, "postings", postings);
        out_json_bool(&j, "agrees", 1);
        out_json_end(&j);
        return;
    }
    char who[512], closes[512], days[40] = "";
    size_t len = 0;
    for (size_t i = 0; i < ex->n_books && len < sizeof who; i++)
        len += (size_t)snprintf(who + len, sizeof who - len, "%s%s", i ? ", " : "",
                                ex->books[i].close->branch);
    const Ledger__Close *c0 = ex->books[0].close;
    if (strcmp(c0->first_day, c0->last_day))
        snprintf(days, sizeof days, " (%s to %s)", c0->first_day, c0->last_day);
    s_closes_text(closes, sizeof closes, ex);
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(files[i].format, "csv"))
            printf("wrote %s: CSV%s of %s for %s%s, %zu posting%s of %zu entr%s and %zu opening "
                   "balance%s; agrees with the ledger's %s\n", files[i].path,
                   excel ? " for Excel" : "", who, ex->period, days, postings,
                   postings == 1 ? "" : "s", entries, entries == 1 ? "y" : "ies", openings,
                   openings == 1 ? "" : "s", closes);
        else
            printf("wrote %s: journal of %s for %s%s, %zu entr%s on %zu account%s; agrees with "
                   "the ledger's %s\n", files[i].path, who, ex->period, days, entries,
                   entries == 1 ? "y" : "ies", accounts, accounts == 1 ? "" : "s", closes);
    }
}

/* s_value - an option's value, which must not be empty; 0 or CTL_USAGE */
static int s_value(const char *cmd, const char *opt, const char *text, const char **out)
{
    if (!*text)
        return ctl_usage(cmd, "%s: the value must not be empty", opt);
    *out = text;
    return 0;
}

/* cmd_export - `ledger-finance export`: fetch, check, write, say */
int cmd_export(ctl_t *ctl, int argc, char **argv)
{
    enum { OPT_PERIOD = 256, OPT_BRANCH, OPT_JOURNAL, OPT_CSV, OPT_EXCEL };
    static const struct option opts[] = {
        { "period", required_argument, NULL, OPT_PERIOD },
        { "branch", required_argument, NULL, OPT_BRANCH },
        { "journal", required_argument, NULL, OPT_JOURNAL },
        { "csv", required_argument, NULL, OPT_CSV },
        { "excel", no_argument, NULL, OPT_EXCEL },
        CTL_OPTS_END };
    ctl_opts_t o = { argc, argv, "export", s_usage, opts };
    const char *branch = NULL, *journal = NULL, *csv = NULL;
    s_export_t x = { 0 };
    int c, rc = CTL_OK, excel = 0;
    while ((c = ctl_opt_next(&o)) != -1) {
        switch (c) {
        case OPT_PERIOD:
            x.period = optarg;
            if (!(x.kind = journal_close_kind(optarg)))
                return ctl_usage(o.cmd, "--period: want a day YYYY-MM-DD, an ISO week YYYY-Www "
                                 "or a month YYYY-MM, got '%s'", optarg);
            break;
        case OPT_BRANCH:
            rc = s_value(o.cmd, "--branch", optarg, &branch);
            break;
        case OPT_JOURNAL:
            rc = s_value(o.cmd, "--journal", optarg, &journal);
            break;
        case OPT_CSV:
            rc = s_value(o.cmd, "--csv", optarg, &csv);
            break;
        case OPT_EXCEL:
            excel = 1;
            break;
        default:
            return o.rc;
        }
        if (rc)
            return rc;
    }
    if ((rc = ctl_opt_operands(&o, 0, 0, "")))
        return rc;
    if (!x.period)
        return ctl_usage(o.cmd, "--period is required");
    if (!journal && !csv)
        return ctl_usage(o.cmd, "--journal or --csv: say which file to write");
    if (excel && !csv)
        return ctl_usage(o.cmd, "--excel: it shapes the CSV, and no --csv is given");
    if (journal && csv && !strcmp(journal, csv))
        return ctl_usage(o.cmd, "--journal and --csv: both name %s", csv);
    if ((rc = ctl_open(ctl)))
        return rc;

    s_file_t files[2];
    size_t n_files = 0;
    if (journal)
        files[n_files++] = (s_file_t){ .path = journal, .format = "journal" };
    if (csv)
        files[n_files++] = (s_file_t){ .path = csv, .format = "csv" };
    if ((rc = s_fetch_closes(ctl, &x, branch)) || (rc = s_fetch_late(ctl, &x)) ||
        (rc = s_fetch_names(ctl, &x)))
        goto done;
    for (size_t i = 0; i < x.n_books; i++) {
        s_fill_t fl = { &x, &x.books[i], 0 };
        if ((rc = ctl_records_each(ctl, LEDGER__ENTITY_KIND__ENTITY_ENTRY,
                                   x.books[i].close->branch, s_take_entry, &fl)))
            goto done;
        journal_sort(&x.books[i]);
    }
    /* Every branch agrees before any file is written. */
    for (size_t i = 0; i < x.n_books; i++) {
        err_t err;
        if (journal_check(&x.books[i], &err) < 0) {
            fprintf(stderr, "%s: export: %s; nothing written\n", ctl_program, err.msg);
            rc = CTL_REJECTED;
            goto done;
        }
    }
    journal_export_t ex = { x.period, x.books, x.n_books, x.names, x.n_names,
                            ctl->hello->ledger_time_ms };
    if ((rc = s_write(files, n_files, &ex, excel)) == CTL_OK)
        s_report(ctl, files, n_files, &ex, excel);
done:
    s_fini(&x);
    return rc;
}
