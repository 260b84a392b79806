/* out - tables sized in display columns, and a small streaming JSON writer.
 * Widths come from wcwidth in a UTF-8 locale, or from a built-in East Asian
 * Wide check when no such locale is installed. Times are rendered with
 * date.c in the ledger's zone, which the caller has set. */
#define _GNU_SOURCE   /* wcwidth */
#include <assert.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>
#include "date.h"
#include "money.h"
#include "out.h"
#include "xmalloc.h"

static int s_have_locale;   /* wcwidth is usable */

/* out_init - LC_CTYPE only: numbers keep printing with a '.' */
void out_init(void)
{
    s_have_locale = setlocale(LC_CTYPE, "C.UTF-8") != NULL ||
                    setlocale(LC_CTYPE, "en_US.UTF-8") != NULL;
}

/* s_decode - next code point of s at *i; -1 for a byte that starts no valid
 * sequence (it is skipped alone) */
static long s_decode(const unsigned char *s, size_t *i)
{
    unsigned char c = s[*i];
    int n;
    long cp;
    if (c < 0x80) { (*i)++; return c; }
    if ((c & 0xE0) == 0xC0)      { n = 1; cp = c & 0x1F; }
    else if ((c & 0xF0) == 0xE0) { n = 2; cp = c & 0x0F; }
    else if ((c & 0xF8) == 0xF0) { n = 3; cp = c & 0x07; }
    else { (*i)++; return -1; }
    for (int k = 1; k <= n; k++) {
        if ((s[*i + k] & 0xC0) != 0x80) { (*i)++; return -1; }
        cp = cp << 6 | (s[*i + k] & 0x3F);
    }
    static const long min[] = { 0, 0x80, 0x800, 0x10000 };
    if (cp < min[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        (*i)++;
        return -1;
    }
    *i += n + 1;
    return cp;
}

/* s_wide - East Asian Wide and Fullwidth blocks, for when wcwidth cannot say */
static int s_wide(long cp)
{
    static const long r[][2] = {
        { 0x1100, 0x115F }, { 0x2E80, 0x303E }, { 0x3041, 0x33FF },
        { 0x3400, 0x4DBF }, { 0x4E00, 0x9FFF }, { 0xA000, 0xA4CF },
        { 0xAC00, 0xD7A3 }, { 0xF900, 0xFAFF }, { 0xFE30, 0xFE4F },
        { 0xFF00, 0xFF60 }, { 0xFFE0, 0xFFE6 }, { 0x1F300, 0x1F64F },
        { 0x1F900, 0x1F9FF }, { 0x20000, 0x2FFFD }, { 0x30000, 0x3FFFD },
    };
    for (size_t k = 0; k < sizeof r / sizeof r[0]; k++)
        if (cp >= r[k][0] && cp <= r[k][1])
            return 1;
    return 0;
}

/* s_cp_width - columns of one code point; controls and bad bytes print as
 * one '?' */
static int s_cp_width(long cp)
{
    if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0))
        return 1;
    if (s_have_locale) {
        int w = wcwidth((wchar_t)cp);
        return w < 0 ? 1 : w;
    }
    if ((cp >= 0x300 && cp <= 0x36F) || cp == 0x200B)
        return 0;
    return s_wide(cp) ? 2 : 1;
}

/* out_width - display columns of UTF-8 text */
size_t out_width(const char *s)
{
    size_t i = 0, w = 0;
    const unsigned char *u = (const unsigned char *)(s ? s : "");
    while (u[i])
        w += s_cp_width(s_decode(u, &i));
    return w;
}

const char *out_cut(char *out, size_t n, const char *s, size_t cols)
{
    if (out_width(s) <= cols) {
        snprintf(out, n, "%s", s);
        return out;
    }
    size_t keep = 0;   /* bytes of s that fit with the "..." */
    for (size_t i = 1; s[i - 1] && i < n - 4; i++) {
        if (((unsigned char)s[i] & 0xC0) == 0x80)
            continue;   /* not at a character's first byte */
        memcpy(out, s, i);
        out[i] = 0;
        if (out_width(out) + 3 > cols)
            break;
        keep = i;
    }
    memcpy(out, s, keep);
    memcpy(out + keep, "...", 4);
    return out;
}

/* s_put_text - s with control characters and bad bytes as '?', so a name
 * holding a newline cannot break a table */
static void s_put_text(FILE *f, const char *s)
{
    size_t i = 0;
    const unsigned char *u = (const unsigned char *)s;
    while (u[i]) {
        size_t start = i;
        long cp = s_decode(u, &i);
        if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0))
            fputc('?', f);
        else
            fwrite(u + start, 1, i - start, f);
    }
}

/* out_pad - text and blanks up to width columns */
void out_pad(FILE *f, const char *s, size_t width, int right)
{
    s = s ? s : "";
    size_t w = out_width(s);
    if (right)
        for (size_t k = w; k < width; k++)
            fputc(' ', f);
    s_put_text(f, s);
    if (!right)
        for (size_t k = w; k < width; k++)
            fputc(' ', f);
}

/* out_time - local time in the ledger's zone */
void out_time(char *out, size_t n, int64_t ms)
{
    date_format_time(out, n, ms);
}

/* s_days_from_civil - days since 1970-01-01 of a proleptic Gregorian date */
static int64_t s_days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* out_iso - the local wall time from date.c; its offset is the difference
 * between that wall time read as UTC and the instant itself */
void out_iso(char *out, size_t n, int64_t ms)
{
    char local[32];
    int y, mo, d, h, mi, s;
    date_format_time(local, sizeof local, ms);
    if (sscanf(local, "%d-%d-%d %d:%d:%d", &y, &mo, &d, &h, &mi, &s) != 6) {
        snprintf(out, n, "%s", local);
        return;
    }
    int64_t secs = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
    int frac = (int)(ms - secs * 1000);
    int64_t wall = s_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
    long off = (long)(wall - secs) / 60;
    char offs[8] = "Z";
    if (off != 0)
        snprintf(offs, sizeof offs, "%c%02ld:%02ld", off < 0 ? '-' : '+',
                 labs(off) / 60, labs(off) % 60);
    char fracs[8] = "";
    if (frac)
        snprintf(fracs, sizeof fracs, ".%03d", frac);
    snprintf(out, n, "%04d-%02d-%02dT%02d:%02d:%02d%s%s", y, mo, d, h, mi, s, fracs, offs);
}

/* out_money - two decimals, via money.c */
void out_money(char *out, size_t n, int64_t fen)
{
    money_format(out, n, fen);
}

struct out_table {
    int ncols;            /* cells per row */
    char **cells;         /* rows * ncols strings, headings first */
    size_t rows;          /* rows held, headings included */
    size_t cap;           /* rows allocated */
    int pairs;            /* key/value mode: no heading row */
};

/* s_table_add - append one row of ncols strings taken from ap */
static void s_table_add(out_table_t *t, va_list ap)
{
    if (t->rows == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 16;
        t->cells = xrealloc(t->cells, t->cap * t->ncols * sizeof *t->cells);
    }
    for (int c = 0; c < t->ncols; c++) {
        const char *s = va_arg(ap, const char *);
        t->cells[t->rows * t->ncols + c] = xstrdup(s ? s : "");
    }
    t->rows++;
}

/* out_table_new - headings become the first row */
out_table_t *out_table_new(int ncols, ...)
{
    out_table_t *t = xcalloc(1, sizeof *t);
    t->ncols = ncols;
    va_list ap;
    va_start(ap, ncols);
    s_table_add(t, ap);
    va_end(ap);
    return t;
}

/* s_table_addv - append one row of ncols strings from an array */
static void s_table_addv(out_table_t *t, const char *const *cells)
{
    if (t->rows == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 16;
        t->cells = xrealloc(t->cells, t->cap * t->ncols * sizeof *t->cells);
    }
    for (int c = 0; c < t->ncols; c++)
        t->cells[t->rows * t->ncols + c] = xstrdup(cells[c] ? cells[c] : "");
    t->rows++;
}

/* out_table_newv - out_table_new with the headings in an array */
out_table_t *out_table_newv(int ncols, const char *const *headings)
{
    out_table_t *t = xcalloc(1, sizeof *t);
    t->ncols = ncols;
    s_table_addv(t, headings);
    return t;
}

/* out_table_rowv - out_table_row with the cells in an array */
void out_table_rowv(out_table_t *t, const char *const *cells)
{
    s_table_addv(t, cells);
}

/* out_table_destroy - frees every cell */
void out_table_destroy(out_table_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    out_table_t *t = *self_p;
    for (size_t k = 0; k < t->rows * t->ncols; k++)
        free(t->cells[k]);
    free(t->cells);
    free(t);
    *self_p = NULL;
}

/* out_table_row - copies the strings */
void out_table_row(out_table_t *t, ...)
{
    va_list ap;
    va_start(ap, t);
    s_table_add(t, ap);
    va_end(ap);
}

/* out_table_print - two passes: measure, then print; the last column is not
 * padded, so lines carry no trailing blanks */
void out_table_print(out_table_t *t, FILE *f)
{
    size_t *width = xcalloc(t->ncols, sizeof *width);
    int *right = xcalloc(t->ncols, sizeof *right);
    for (int c = 0; c < t->ncols; c++) {
        char *h = t->cells[c];
        if (!t->pairs && h[0] == '>') {
            right[c] = 1;
            memmove(h, h + 1, strlen(h));
        }
    }
    for (size_t r = t->pairs ? 1 : 0; r < t->rows; r++)
        for (int c = 0; c < t->ncols; c++) {
            size_t w = out_width(t->cells[r * t->ncols + c]);
            if (w > width[c])
                width[c] = w;
        }
    for (size_t r = t->pairs ? 1 : 0; r < t->rows; r++) {
        for (int c = 0; c < t->ncols; c++) {
            const char *s = t->cells[r * t->ncols + c];
            int last = c == t->ncols - 1;
            out_pad(f, s, last && !right[c] ? 0 : width[c], right[c]);
            if (!last)
                fputs("  ", f);
        }
        fputc('\n', f);
    }
    free(width);
    free(right);
}

/* out_pairs_new - a two-column table without headings */
out_pairs_t *out_pairs_new(void)
{
    out_table_t *t = out_table_new(2, "", "");
    t->pairs = 1;
    return t;
}

/* out_pairs_add - value formatted like printf */
void out_pairs_add(out_pairs_t *p, const char *key, const char *fmt, ...)
{
    char value[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(value, sizeof value, fmt, ap);
    va_end(ap);
    out_table_row(p, key, value);
}

/* out_pairs_print - keys padded, values as they are */
void out_pairs_print(out_pairs_t *p, FILE *f)
{
    out_table_print(p, f);
}

/* out_json_escape - RFC 8259: quote, backslash and controls escaped; other
 * text passes through as UTF-8; a byte that is not UTF-8 becomes U+FFFD */
void out_json_escape(FILE *f, const char *s)
{
    const unsigned char *u = (const unsigned char *)(s ? s : "");
    size_t i = 0;
    fputc('"', f);
    while (u[i]) {
        size_t start = i;
        long cp = s_decode(u, &i);
        switch (cp) {
        case '"':  fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\b': fputs("\\b", f); break;
        case '\f': fputs("\\f", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        case '\t': fputs("\\t", f); break;
        case -1:   fputs("\\ufffd", f); break;
        default:
            if (cp < 0x20 || cp == 0x7F)
                fprintf(f, "\\u%04lx", cp);
            else
                fwrite(u + start, 1, i - start, f);
        }
    }
    fputc('"', f);
}

/* out_json_init - nothing open yet */
void out_json_init(out_json_t *j, FILE *f)
{
    memset(j, 0, sizeof *j);
    j->f = f;
}

/* s_member - the comma and the key before a value */
static void s_member(out_json_t *j, const char *key)
{
    if (j->depth > 0 && j->count[j->depth]++ > 0)
        fputc(',', j->f);
    if (key) {
        out_json_escape(j->f, key);
        fputc(':', j->f);
    }
}

/* s_scalar_done - a top-level scalar ends its line */
static void s_scalar_done(out_json_t *j)
{
    if (j->depth == 0)
        fputc('\n', j->f);
}

/* s_open - { or [ */
static void s_open(out_json_t *j, const char *key, int c)
{
    s_member(j, key);
    fputc(c, j->f);
    assert(j->depth + 1 < OUT_JSON_DEPTH);   /* nesting is fixed by the code */
    j->depth++;
    j->count[j->depth] = 0;
    j->closer[j->depth] = c == '{' ? '}' : ']';
}

/* out_json_object - opens an object member */
void out_json_object(out_json_t *j, const char *key) { s_open(j, key, '{'); }

/* out_json_array - opens an array member */
void out_json_array(out_json_t *j, const char *key) { s_open(j, key, '['); }

/* out_json_end - the closer matching what was opened last */
void out_json_end(out_json_t *j)
{
    assert(j->depth > 0);
    fputc(j->closer[j->depth], j->f);
    j->depth--;
    if (j->depth == 0) {
        fputc('\n', j->f);
        fflush(j->f);
    }
}

/* out_json_str - a string member, escaped */
void out_json_str(out_json_t *j, const char *key, const char *s)
{
    s_member(j, key);
    out_json_escape(j->f, s);
    s_scalar_done(j);
}

/* out_json_int - a signed number member */
void out_json_int(out_json_t *j, const char *key, int64_t v)
{
    s_member(j, key);
    fprintf(j->f, "%lld", (long long)v);
    s_scalar_done(j);
}

/* out_json_uint - an unsigned number member (ids, seqs) */
void out_json_uint(out_json_t *j, const char *key, uint64_t v)
{
    s_member(j, key);
    fprintf(j->f, "%llu", (unsigned long long)v);
    s_scalar_done(j);
}

/* out_json_bool - true or false */
void out_json_bool(out_json_t *j, const char *key, int v)
{
    s_member(j, key);
    fputs(v ? "true" : "false", j->f);
    s_scalar_done(j);
}

/* out_json_null - null, for an absent optional value */
void out_json_null(out_json_t *j, const char *key)
{
    s_member(j, key);
    fputs("null", j->f);
    s_scalar_done(j);
}

/* out_json_hex - bytes as a lowercase hex string */
void out_json_hex(out_json_t *j, const char *key, const uint8_t *data, size_t len)
{
    s_member(j, key);
    fputc('"', j->f);
    for (size_t k = 0; k < len; k++)
        fprintf(j->f, "%02x", data[k]);
    fputc('"', j->f);
    s_scalar_done(j);
}

/* out_json_time - "<key>_ms": n, "<key>": "ISO" */
void out_json_time(out_json_t *j, const char *key, int64_t ms)
{
    char k[64], iso[48];
    snprintf(k, sizeof k, "%s_ms", key);
    out_json_int(j, k, ms);
    out_iso(iso, sizeof iso, ms);
    out_json_str(j, key, iso);
}
