/* out - ledgerctl's output: aligned tables measured in display columns
 * (a CJK character takes two), and compact JSON written as it goes.
 * What to print is each command's business; this only lays it out. */
#ifndef LEDGERCTL_OUT_H
#define LEDGERCTL_OUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* out_init - choose a UTF-8 character type so wcwidth knows CJK widths */
void out_init(void);

/* out_width - display columns of UTF-8 text (wide characters count 2) */
size_t out_width(const char *s);

/* out_cut - s cut to at most cols display columns, "..." marking a cut
 * (never inside a character); out has n bytes */
const char *out_cut(char *out, size_t n, const char *s, size_t cols);

/* out_pad - print s (control characters shown as '?') padded with blanks to
 * width columns; right-aligned when right is set */
void out_pad(FILE *f, const char *s, size_t width, int right);

/* out_time - local "2026-03-01 10:00:00" in the ledger's zone; out >= 32 */
void out_time(char *out, size_t n, int64_t ms);

/* out_iso - ISO 8601 with the zone's offset, "2026-03-01T10:00:00+08:00"
 * (".123" before the offset when ms has a fraction); out >= 40 */
void out_iso(char *out, size_t n, int64_t ms);

/* out_money - fen as yuan, "1234.50"; out >= 32 */
void out_money(char *out, size_t n, int64_t fen);

/* A table collects its rows, then prints them with each column as wide as
 * its widest cell. A heading starting with '>' makes a right-aligned column. */
typedef struct out_table out_table_t;

/* out_table_new - ncols headings follow; caller frees with out_table_destroy */
out_table_t *out_table_new(int ncols, ...);
void out_table_destroy(out_table_t **self_p);

/* out_table_row - add a row of ncols strings (copied; NULL prints as "") */
void out_table_row(out_table_t *t, ...);

/* out_table_newv, out_table_rowv - the same with ncols strings in an array */
out_table_t *out_table_newv(int ncols, const char *const *headings);
void out_table_rowv(out_table_t *t, const char *const *cells);

/* out_table_print - headings, then rows, two blanks between columns */
void out_table_print(out_table_t *t, FILE *f);

/* Key/value pairs printed as two aligned columns ("name     张三"). */
typedef out_table_t out_pairs_t;
out_pairs_t *out_pairs_new(void);
void out_pairs_add(out_pairs_t *p, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void out_pairs_print(out_pairs_t *p, FILE *f);

/* JSON written straight to a stream, one value per line at the top level.
 * key is NULL for array elements and for the top-level value. */
#define OUT_JSON_DEPTH 32

typedef struct {
    FILE *f;                      /* where it goes */
    int depth;                    /* open objects and arrays */
    int count[OUT_JSON_DEPTH];    /* members written per level, for commas */
    char closer[OUT_JSON_DEPTH];  /* '}' or ']' per open level */
} out_json_t;

void out_json_init(out_json_t *j, FILE *f);
void out_json_object(out_json_t *j, const char *key);   /* opens { */
void out_json_array(out_json_t *j, const char *key);    /* opens [ */
void out_json_end(out_json_t *j);                       /* closes; newline at top */
void out_json_str(out_json_t *j, const char *key, const char *s);
void out_json_int(out_json_t *j, const char *key, int64_t v);
void out_json_uint(out_json_t *j, const char *key, uint64_t v);
void out_json_bool(out_json_t *j, const char *key, int v);
void out_json_null(out_json_t *j, const char *key);
void out_json_hex(out_json_t *j, const char *key, const uint8_t *data, size_t len);

/* out_json_time - key_ms as a number and key as an ISO string ("placed") */
void out_json_time(out_json_t *j, const char *key, int64_t ms);

/* out_json_escape - s as a JSON string literal, quotes included */
void out_json_escape(FILE *f, const char *s);

#endif
