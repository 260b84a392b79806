/* journal - a closed period of a branch's books as the finance desk hands
 * it on: the entries booked in it (a late entry on the day whose close
 * holds it), checked against the ledger's close, written as a journal for
 * plain-text accounting (hledger) and as CSV. These functions only work on
 * what they are given; fetching the closes, entries and names from ledgerd
 * is cmd_export's (journal.c). */
#ifndef FINANCE_JOURNAL_H
#define FINANCE_JOURNAL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "err.h"
#include "reconciliation.pb-c.h"
#include "record.pb-c.h"

/* An entry as the export books it. */
typedef struct {
    Ledger__FinanceEntry *entry;   /* the entry */
    char booked[11];               /* its booking day, YYYY-MM-DD */
    int late;                      /* booked on a day other than its own date */
} journal_entry_t;

/* One branch's close and the entries booked in it. */
typedef struct {
    Ledger__Close *close;          /* the ledger's close (branch, period, days) */
    uint64_t version;              /* of the close's result */
    journal_entry_t *entries;      /* booked in the close's days */
    size_t n_entries;
} journal_book_t;

/* An account's name, for readers. */
typedef struct {
    char *code;                    /* account code */
    char *name;                    /* as entered */
} journal_name_t;

/* What one export writes. */
typedef struct {
    const char *period;            /* as asked: "2026-03", "2026-W09", "2026-03-05" */
    journal_book_t *books;         /* one per branch, by branch code */
    size_t n_books;
    const journal_name_t *names;   /* sorted by code */
    size_t n_names;
    int64_t ledger_ms;             /* ledger time of the export, for the header */
} journal_export_t;

/* journal_close_kind - the result kind holding a period's closes:
 * "close.day" for YYYY-MM-DD, "close.week" for an ISO week YYYY-Www the
 * year has, "close.month" for YYYY-MM (years 1970..9999); NULL otherwise */
const char *journal_close_kind(const char *period);

/* journal_clean - text for one line of a journal: control characters and
 * line breaks become blanks, ';' (a comment there) becomes ',', blanks at
 * either end go; in a comment (comment set) ':' becomes '：' too, since
 * "word:" is a tag to hledger. Never cuts a UTF-8 character; out >= 1. */
void journal_clean(char *out, size_t n, const char *text, int comment);

/* journal_booking_day - the day e is booked on into out: booked_on (a late
 * entry's, from its late_entry exception) when set, else the local date of
 * e->time_ms in the ledger's zone; 1 when that is not e's own date */
int journal_booking_day(char out[11], const Ledger__FinanceEntry *e, const char *booked_on);

/* journal_sort - b's entries by booking day, then entry code */
void journal_sort(journal_book_t *b);

/* journal_check - the entries agree with the close: per account, opening +
 * the postings = closing, and the debits and credits are the close's; no
 * posting to an account the close lacks; as many entries as the close
 * says; openings that sum to zero. -1 with CONFLICT naming the branch, the
 * account (err->field) and both figures when not. */
int journal_check(const journal_book_t *b, err_t *err);

/* journal_account_name - the account's name, "" when unknown */
const char *journal_account_name(const journal_export_t *x, const char *code);

/* journal_write - the journal: a header naming branches, period, close
 * versions and ledger time; the commodity; an account directive per
 * account; per branch its opening balances, then its entries; accounts are
 * "<branch>:<code>". -1 on a write error (errno says why). */
int journal_write(FILE *f, const journal_export_t *x);

/* journal_csv - the CSV: a header row, then per branch a row per non-zero
 * opening and a row per posting; debit and credit as positive yuan, amount
 * signed, so an account's amounts sum to its closing. excel: a BOM first,
 * and the formula guard on. -1 on a write error. */
int journal_csv(FILE *f, const journal_export_t *x, int excel);

#endif
