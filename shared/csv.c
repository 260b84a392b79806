/* csv - spreadsheet CSV: decoding to UTF-8 with glibc's iconv, then an
 * RFC 4180 record reader that counts physical lines, so every complaint a
 * caller makes can name the line a clerk sees in an editor. No column
 * meanings, no type conversion: those belong to the caller. */
#include <assert.h>
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "csv.h"
#include "xmalloc.h"

static const struct {
    const char *name;
    csv_encoding_t enc;
} s_names[] = {
    { "utf-8", CSV_UTF8 }, { "utf8", CSV_UTF8 },
    { "gbk", CSV_GBK }, { "cp936", CSV_GBK },
    { "gb18030", CSV_GB18030 },
    { "auto", CSV_AUTO },
};

/* csv_encoding_parse - the names --encoding takes */
int csv_encoding_parse(csv_encoding_t *out, const char *name)
{
    for (size_t i = 0; i < sizeof s_names / sizeof s_names[0]; i++)
        if (!strcasecmp(s_names[i].name, name)) {
            *out = s_names[i].enc;
            return 0;
        }
    return -1;
}

/* csv_encoding_name - the first (canonical) name of each */
const char *csv_encoding_name(csv_encoding_t enc)
{
    for (size_t i = 0; i < sizeof s_names / sizeof s_names[0]; i++)
        if (s_names[i].enc == enc)
            return s_names[i].name;
    return "?";
}

/* s_utf8_bad - offset of the first byte that is not well-formed UTF-8, or len */
static size_t s_utf8_bad(const char *text, size_t len)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;
    while (i < len) {
        unsigned c = s[i];
        size_t n;
        uint32_t cp, min;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            n = 1; cp = c & 0x1F; min = 0x80;
        } else if ((c & 0xF0) == 0xE0) {
            n = 2; cp = c & 0x0F; min = 0x800;
        } else if ((c & 0xF8) == 0xF0) {
            n = 3; cp = c & 0x07; min = 0x10000;
        } else
            return i;
        for (size_t k = 1; k <= n; k++) {
            if (i + k >= len || (s[i + k] & 0xC0) != 0x80)
                return i;
            cp = cp << 6 | (s[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return i;
        i += n + 1;
    }
    return len;
}

/* csv_utf8_valid - what strict protobuf decoding will also demand */
int csv_utf8_valid(const char *s, size_t len)
{
    return s_utf8_bad(s, len) == len;
}

/* s_line_at - the 1-based line holding byte off */
static long s_line_at(const char *data, size_t off)
{
    long line = 1;
    for (size_t i = 0; i < off; i++)
        if (data[i] == '\n')
            line++;
    return line;
}

/* s_iconv - the whole of data from `from` into UTF-8; -1 with *bad_off at
 * the first byte that does not convert */
static int s_iconv(char **out, size_t *out_len, const char *from, const char *data,
                   size_t len, size_t *bad_off, err_t *err)
{
    iconv_t cd = iconv_open("UTF-8", from);
    if (cd == (iconv_t)-1)
        return err_set(err, ERR(INVALID), "", "this system's iconv cannot read %s", from);
    size_t cap = len * 3 / 2 + 16;   /* a GBK character (2 bytes) is 3 in UTF-8 */
    char *buf = xmalloc(cap + 1);
    char *in = (char *)data, *o = buf;
    size_t in_left = len, out_left = cap;
    int rc = 0;
    while (in_left > 0) {
        if (iconv(cd, &in, &in_left, &o, &out_left) != (size_t)-1)
            break;
        if (errno == E2BIG) {
            size_t used = (size_t)(o - buf);
            cap *= 2;
            buf = xrealloc(buf, cap + 1);
            o = buf + used;
            out_left = cap - used;
            continue;
        }
        *bad_off = (size_t)(in - data);
        rc = err_set(err, ERR(INVALID), "", "bytes that are not %s text", from);
        break;
    }
    iconv_close(cd);
    if (rc < 0) {
        free(buf);
        return -1;
    }
    *o = '\0';
    *out = buf;
    *out_len = (size_t)(o - buf);
    return 0;
}

/* csv_decode - UTF-8 is checked, not converted; the BOM goes either way
 * (GB18030 has one too, which iconv turns into UTF-8's) */
int csv_decode(char **out, size_t *out_len, csv_encoding_t *used, long *line_out,
               const char *data, size_t len, csv_encoding_t enc, err_t *err)
{
    const unsigned char *u = (const unsigned char *)data;
    char *text = NULL;
    size_t n = 0, bad = 0;

    *out = NULL;
    *out_len = 0;
    *line_out = 0;
    if (len >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF)))
        return err_set(err, ERR(INVALID), "", "the file is UTF-16 (Excel's \"Unicode text\"); "
                       "save it as \"CSV UTF-8\" or \"CSV\"");
    if (enc == CSV_AUTO)
        enc = csv_utf8_valid(data, len) ? CSV_UTF8 : CSV_GB18030;
    *used = enc;
    if (enc == CSV_UTF8) {
        if ((bad = s_utf8_bad(data, len)) < len) {
            *line_out = s_line_at(data, bad);
            return err_set(err, ERR(INVALID), "", "byte 0x%02X is not UTF-8 text; "
                           "is the file GBK (--encoding gbk)?", u[bad]);
        }
        text = xmalloc(len + 1);
        memcpy(text, data, len);
        text[len] = '\0';
        n = len;
    } else if (s_iconv(&text, &n, enc == CSV_GBK ? "GBK" : "GB18030", data, len, &bad,
                       err) < 0) {
        *line_out = s_line_at(data, bad);
        snprintf(err->msg, sizeof err->msg, "byte 0x%02X is not %s text%s", u[bad],
                 enc == CSV_GBK ? "GBK" : "GB18030",
                 enc == CSV_GBK ? "; try --encoding gb18030 or utf-8" : "");
        return -1;
    }
    /* Line ends are single bytes in all three encodings, so lines count alike. */
    const char *nul = memchr(text, '\0', n);
    if (nul) {
        *line_out = s_line_at(text, (size_t)(nul - text));
        free(text);
        return err_set(err, ERR(INVALID), "", "a NUL byte is not text");
    }
    if (n >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) {
        memmove(text, text + 3, n - 3 + 1);
        n -= 3;
    }
    *out = text;
    *out_len = n;
    return 0;
}

struct csv_reader {
    const char *p, *end;   /* what is left of the text */
    long line;             /* the line p is on */
    char *buf;             /* this record's fields, each NUL-terminated */
    size_t len, cap;       /* of buf */
    size_t *starts;        /* offset of each field in buf */
    char **fields;         /* pointers handed out, made from starts */
    size_t n, n_cap;       /* fields in this record, room in starts/fields */
};

csv_reader_t *csv_reader_new(const char *text, size_t len)
{
    csv_reader_t *r = xcalloc(1, sizeof *r);
    r->p = text;
    r->end = text + len;
    r->line = 1;
    r->cap = 256;
    r->buf = xmalloc(r->cap);
    r->n_cap = 16;
    r->starts = xmalloc(r->n_cap * sizeof *r->starts);
    r->fields = xmalloc(r->n_cap * sizeof *r->fields);
    return r;
}

void csv_reader_destroy(csv_reader_t **self_p)
{
    assert(self_p);
    if (!*self_p)
        return;
    csv_reader_t *r = *self_p;
    free(r->buf);
    free(r->starts);
    free(r->fields);
    free(r);
    *self_p = NULL;
}

/* s_put - one byte of the current field */
static void s_put(csv_reader_t *r, char c)
{
    if (r->len + 1 >= r->cap) {
        r->cap *= 2;
        r->buf = xrealloc(r->buf, r->cap);
    }
    r->buf[r->len++] = c;
}

/* s_field_start - a new field begins at the end of buf */
static void s_field_start(csv_reader_t *r)
{
    if (r->n == r->n_cap) {
        r->n_cap *= 2;
        r->starts = xrealloc(r->starts, r->n_cap * sizeof *r->starts);
        r->fields = xrealloc(r->fields, r->n_cap * sizeof *r->fields);
    }
    r->starts[r->n++] = r->len;
}

/* s_line_end - at a CR, LF or CRLF: step over it and count the line; 0 if
 * p is not at a line end */
static int s_line_end(csv_reader_t *r)
{
    if (r->p < r->end && *r->p == '\r') {
        r->p++;
        if (r->p < r->end && *r->p == '\n')
            r->p++;
    } else if (r->p < r->end && *r->p == '\n')
        r->p++;
    else
        return 0;
    r->line++;
    return 1;
}

/* csv_read - a field is quoted only when its first byte is a quote; a quote
 * later in an unquoted field is kept as text (spreadsheets write "5"" pipe"
 * quoted, but people type 5" pipe) */
int csv_read(csv_reader_t *r, char ***fields_out, size_t *n_out, long *line_out, err_t *err)
{
    if (r->p >= r->end)
        return 0;
    long start = r->line, open_line = 0;
    int bad = 0;   /* 1: text after a closing quote, 2: unclosed quote */
    r->len = 0;
    r->n = 0;
    for (;;) {
        s_field_start(r);
        if (r->p < r->end && *r->p == '"') {
            open_line = r->line;
            r->p++;
            for (;;) {
                if (r->p >= r->end) {
                    bad = 2;
                    break;
                }
                if (*r->p == '"') {
                    if (r->p + 1 < r->end && r->p[1] == '"') {
                        s_put(r, '"');
                        r->p += 2;
                        continue;
                    }
                    r->p++;
                    break;
                }
                if (*r->p == '\r' || *r->p == '\n') {
                    s_line_end(r);
                    s_put(r, '\n');
                    continue;
                }
                s_put(r, *r->p++);
            }
            /* After the closing quote: a separator or the line's end. */
            while (r->p < r->end && *r->p != ',' && *r->p != '\r' && *r->p != '\n') {
                if (!bad)
                    bad = 1;
                s_put(r, *r->p++);
            }
        } else {
            while (r->p < r->end && *r->p != ',' && *r->p != '\r' && *r->p != '\n')
                s_put(r, *r->p++);
        }
        s_put(r, '\0');
        if (r->p < r->end && *r->p == ',') {
            r->p++;
            continue;
        }
        s_line_end(r);
        break;
    }
    for (size_t i = 0; i < r->n; i++)
        r->fields[i] = r->buf + r->starts[i];
    *fields_out = r->fields;
    *n_out = r->n;
    *line_out = start;
    if (bad == 2)
        return err_set(err, ERR(INVALID), "", "the quote opened on line %ld is never closed",
                       open_line);
    if (bad == 1)
        return err_set(err, ERR(INVALID), "", "text after a closing quote; a quote inside "
                       "a quoted field is written twice (\"\")");
    return 1;
}

/* ---- writing ------------------------------------------------------------- */

/* s_number - a plain decimal number ("-1234.50"), which a spreadsheet reads
 * as one and which needs no guard */
static int s_number(const char *s)
{
    if (*s == '-')
        s++;
    if (*s < '0' || *s > '9')
        return 0;
    while (*s >= '0' && *s <= '9')
        s++;
    if (*s == '.') {
        s++;
        if (*s < '0' || *s > '9')
            return 0;
        while (*s >= '0' && *s <= '9')
            s++;
    }
    return *s == '\0';
}

int csv_write_row(FILE *f, const char *const *fields, size_t n, int excel)
{
    for (size_t i = 0; i < n; i++) {
        const char *s = fields[i] ? fields[i] : "";
        if (i)
            fputc(',', f);
        /* A spreadsheet runs a cell that starts with one of these as a
         * formula: text from the ledger is shown as text instead. */
        int guard = excel && strchr("=+-@\t\r", *s) && *s && !s_number(s);
        if (guard || strpbrk(s, ",\"\r\n")) {
            fputc('"', f);
            if (guard)
                fputc('\'', f);
            for (; *s; s++) {
                if (*s == '"')
                    fputc('"', f);
                fputc(*s, f);
            }
            fputc('"', f);
        } else
            fputs(s, f);
    }
    fputs("\r\n", f);
    return ferror(f) ? -1 : 0;
}
