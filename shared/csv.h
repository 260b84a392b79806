/* csv - comma-separated values as a spreadsheet saves them: RFC 4180
 * quoting (commas, doubled quotes and line breaks inside quotes), CRLF or
 * LF line ends, in UTF-8 (with or without a BOM), GBK or GB18030. Text is
 * decoded to UTF-8 first (glibc iconv), then split into records that know
 * the line they start on. What the columns mean is the caller's. */
#ifndef LEDGER_CSV_H
#define LEDGER_CSV_H

#include <stddef.h>
#include <stdio.h>
#include "err.h"

typedef enum {
    CSV_UTF8,       /* "utf-8" */
    CSV_GBK,        /* "gbk": Excel's "CSV" on a Chinese Windows */
    CSV_GB18030,    /* "gb18030": GBK's superset */
    CSV_AUTO        /* "auto": UTF-8 if the bytes are valid UTF-8, else GB18030 */
} csv_encoding_t;

/* csv_encoding_parse - a name above (case-insensitive; "utf8", "cp936" too);
 * -1 (no err) when unknown */
int csv_encoding_parse(csv_encoding_t *out, const char *name);

/* csv_encoding_name - "utf-8", "gbk", "gb18030" or "auto" */
const char *csv_encoding_name(csv_encoding_t enc);

/* csv_utf8_valid - len bytes are well-formed UTF-8 (no overlongs, no
 * surrogates, nothing above U+10FFFF) */
int csv_utf8_valid(const char *s, size_t len);

/* csv_decode - data in enc as NUL-terminated UTF-8 without a BOM, into
 * *out (caller frees; NULL on failure) of *out_len bytes; *used says which
 * encoding was read (auto resolved). -1 with INVALID when the bytes are not
 * text in that encoding (or hold a NUL byte, or are UTF-16); *line_out is
 * then the 1-based line of the first bad byte (0 when none applies). */
int csv_decode(char **out, size_t *out_len, csv_encoding_t *used, long *line_out,
               const char *data, size_t len, csv_encoding_t enc, err_t *err);

typedef struct csv_reader csv_reader_t;

/* csv_reader_new - records of text (UTF-8, as csv_decode made it), which
 * must outlive the reader; caller frees with csv_reader_destroy */
csv_reader_t *csv_reader_new(const char *text, size_t len);
void csv_reader_destroy(csv_reader_t **self_p);

/* csv_read - the next record: 1 with *fields_out[0..*n_out-1] (NUL-terminated,
 * owned by the reader, valid until the next call) and *line_out the line it
 * starts on; 0 at the end. A blank line is a record of one empty field.
 * -1 with INVALID for broken quoting (an unclosed quote, text after a
 * closing quote); *line_out is set and the record is consumed, so reading
 * can go on with the next one. CRLF inside quotes is read as LF. */
int csv_read(csv_reader_t *r, char ***fields_out, size_t *n_out, long *line_out, err_t *err);

/* CSV_BOM - the byte order mark Excel needs to read a CSV file as UTF-8 */
#define CSV_BOM "\xEF\xBB\xBF"

/* csv_write_row - one record of n fields (NULL is empty), RFC 4180: a field
 * with a comma, a quote or a line break is quoted, its quotes doubled; CRLF
 * ends the record. excel: a field that a spreadsheet would run as a formula
 * (starting with = + - @, tab or CR, and not a plain number such as -12.50)
 * is written as text, with a leading apostrophe. -1 on a write error. */
int csv_write_row(FILE *f, const char *const *fields, size_t n, int excel);

#endif
