/* page - a person's monthly statement as one printable HTML page: the
 * summary, the month by programme, the lines, and an SVG chart of the
 * person's year stacked by programme. Pure: given the data, it writes to a
 * FILE*; fetching statements and names is statement.c's. The page stands
 * alone (inline CSS and SVG, nothing fetched) and prints on A4. */
#ifndef LEDGER_FINANCE_PAGE_H
#define LEDGER_FINANCE_PAGE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "commission.pb-c.h"

/* The programmes a line belongs to, by the first word of its rule. */
typedef enum {
    PAGE_ROLE,      /* role.*: 角色提成 */
    PAGE_SELLER,    /* seller.*: 销售员 */
    PAGE_REBATE,    /* rebate.*: 月度返利 */
    PAGE_POOL,      /* pool.*: 奖金池 */
    PAGE_FINE,      /* fine.*: 罚款 */
    PAGE_REWARD,    /* reward.*: 奖励 */
    PAGE_OTHER,     /* anything else: 其他 */
    PAGE_PROGRAMMES
} page_programme_t;

/* page_programme - the programme of a rule: its word before the first dot,
 * with something after the dot ("role.channel.clawback" is PAGE_ROLE;
 * "role", "role." and "roles.x" are PAGE_OTHER); case matters */
page_programme_t page_programme(const char *rule);

/* page_programme_key - "role", "seller", ... "other": the CSV's word */
const char *page_programme_key(page_programme_t p);

/* page_programme_label - "角色提成", ... "其他" */
const char *page_programme_label(page_programme_t p);

/* page_escape - s as HTML text or attribute value: & < > " ' escaped, and
 * = ( @ too, so no text makes the page seem to fetch (src=, url(, @import) */
void page_escape(FILE *f, const char *s);

/* A person's year: what each month's statement holds, by programme. */
enum { PAGE_MONTH_NONE, PAGE_MONTH_DRAFT, PAGE_MONTH_CLOSED };

typedef struct {
    int year;                               /* 2026 */
    int64_t up[12][PAGE_PROGRAMMES];        /* fen: positive lines summed */
    int64_t down[12][PAGE_PROGRAMMES];      /* fen: negative lines summed (<= 0) */
    int state[12];                          /* PAGE_MONTH_*: is there a statement */
} page_year_t;

/* page_year_init - an empty year */
void page_year_init(page_year_t *y, int year);

/* page_year_set - st's lines as its month of y, replacing what the month
 * held; -1 when st's month is not a month of y's year */
int page_year_set(page_year_t *y, const Ledger__Statement *st);

/* The chart's vertical scale: fen top to bottom over height pixels. */
typedef struct {
    int64_t top;      /* fen at the plot's top edge, >= 0 */
    int64_t bottom;   /* fen at its bottom edge, <= 0 */
    int64_t step;     /* fen between gridlines: 1, 2 or 5 x 10^k yuan */
    int height;       /* pixels */
} page_scale_t;

/* page_scale_init - gridlines a whole number of steps apart around the
 * year's highest stack above and deepest below the axis; a year of zeros
 * gets a 0..100 yuan scale, so nothing divides by zero */
void page_scale_init(page_scale_t *out, const page_year_t *y, int height);

/* page_scale_y - pixels from the plot's top edge to fen */
int page_scale_y(const page_scale_t *s, int64_t fen);

/* page_chart - the year as an inline <svg>: a bar per month stacked by
 * programme (positive above the axis, negative below), each month's net
 * marked, the month of mark (1..12, 0: none) shaded; a y-axis in yuan,
 * month labels and a legend. Bars are <rect class="bar">. */
void page_chart(FILE *f, const page_year_t *y, int mark);

/* What the page shows. */
typedef struct {
    const Ledger__Statement *st;   /* the month's statement */
    const char *person;            /* "staff:S-1" */
    const char *name;              /* "张伟"; "" when not known */
    const char *branch;            /* "SH01"; "" when not known */
    const char *closed_at;         /* local time of the close, for a closed statement */
    uint64_t version;              /* the result's version */
    const page_year_t *year;       /* the person's year, this month included */
} page_t;

/* page_write - the whole page; -1 when writing to f failed */
int page_write(FILE *f, const page_t *p);

#endif
