/* feed - the settlement events the finance desk follows, one item each:
 * closes, month closes, statements, payouts, clawbacks and adjustments,
 * fines and rewards; shown as a line of text or JSON; and the feed file
 * that keeps them, which is how a restart after a crash repeats none. */
#ifndef LEDGER_FINANCE_FEED_H
#define LEDGER_FINANCE_FEED_H

#include <stdint.h>
#include <stdio.h>
#include "err.h"
#include "event.pb-c.h"

/* The families ledger-finance follows ("close" = close.day, .week, .month). */
extern const char *const feed_kinds[];

typedef struct {
    uint64_t seq;
    int64_t time_ms;          /* ledger time of the event */
    const char *kind;         /* the event's kind (borrowed from it) */
    char item[16];            /* "statement", "payout", "clawback", "fine", ... */
    char key[160];            /* what it is about: a statement, a close, a line */
    uint64_t version;         /* the result's version, the entry's */
    char person[96];          /* "staff:S-1", "" when none */
    char month[8];            /* "YYYY-MM", "" when none */
    char branch[64];
    int has_amount;
    int64_t amount;           /* fen: payable, paid out, clawed back, fined... */
    char detail[640];         /* one sentence for a person */
} feed_item_t;

/* feed_item - the settlement item e is: 1 with *out; 0 when it is none (a
 * clock, a line that is no clawback or adjustment, an entry that is no
 * payout); -1 with err when its payload does not decode */
int feed_item(const Ledger__Event *e, feed_item_t *out, err_t *err);

/* feed_text - one line for a terminal; feed_json - one JSON object, one line */
void feed_text(FILE *f, const feed_item_t *it);
void feed_json(FILE *f, const feed_item_t *it);

/* The feed file: JSON lines, appended and synced before the cursor moves. */
typedef struct {
    FILE *f;
    uint64_t last_seq;        /* the last item's seq in it, 0 when empty */
} feed_file_t;

/* feed_file_open - open (or create) path for appending; a last line cut
 * short by a crash is dropped. -1 with err (the file cannot be used, or is
 * not a feed: its last line has no seq). */
int feed_file_open(feed_file_t *ff, const char *path, err_t *err);

/* feed_file_add - append the item; feed_file_sync - to the disk; -1 with errno */
int feed_file_add(feed_file_t *ff, const feed_item_t *it);
int feed_file_sync(feed_file_t *ff);
void feed_file_close(feed_file_t *ff);

#endif
