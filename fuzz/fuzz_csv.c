/* fuzz_csv - csv_decode (auto, and GBK when the bytes are not UTF-8), the
 * record reader over the decoded text and over the raw bytes, and
 * csv_write_row: each record read well must be written and read back as the
 * same fields.
 * tests/unit/test_fuzz_regressions.c includes this file to replay the
 * corpus and fuzz/regressions/ with the same checks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "csv.h"

/* s_csv_same_after_write - fields written as one row and read back are equal */
static void s_csv_same_after_write(char **fields, size_t n)
{
    char *out = NULL;
    size_t out_len = 0;
    FILE *f = open_memstream(&out, &out_len);
    if (!f || csv_write_row(f, (const char *const *)fields, n, 0) < 0)
        abort();
    csv_write_row(f, (const char *const *)fields, n, 1);   /* the excel guard: runs, no check */
    fclose(f);
    csv_reader_t *r = csv_reader_new(out, out_len);
    char **back;
    size_t m;
    long line;
    err_t err = { 0 };
    if (csv_read(r, &back, &m, &line, &err) != 1 || m != n || line != 1)
        abort();
    for (size_t i = 0; i < n; i++)
        if (strcmp(back[i], fields[i]))
            abort();
    csv_reader_destroy(&r);
    free(out);
}

/* s_csv_read_all - every record: lines rising, refusals with a reason */
static void s_csv_read_all(const char *text, size_t len, int round_trip)
{
    csv_reader_t *r = csv_reader_new(text, len);
    char **fields;
    size_t n;
    long line, last = 0;
    err_t err = { 0 };
    int rc;
    while ((rc = csv_read(r, &fields, &n, &line, &err)) != 0) {
        if (n < 1 || line <= last || (rc < 0 && err.code == 0))
            abort();
        last = line;
        if (rc == 1 && round_trip)
            s_csv_same_after_write(fields, n);
    }
    csv_reader_destroy(&r);
}

/* s_csv_decode - decode as enc; the text is NUL-free UTF-8 of its length */
static void s_csv_decode(const uint8_t *data, size_t size, csv_encoding_t enc)
{
    char *text;
    size_t len;
    csv_encoding_t used;
    long line;
    err_t err = { 0 };
    if (csv_decode(&text, &len, &used, &line, (const char *)data, size, enc, &err) < 0) {
        if (text || err.code == 0 || line < 0)
            abort();
        return;
    }
    if (strlen(text) != len || !csv_utf8_valid(text, len))
        abort();
    s_csv_read_all(text, len, 1);
    free(text);
}

/* LLVMFuzzerTestOneInput - a file as ledgerctl import would be given it */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    s_csv_decode(data, size, CSV_AUTO);
    if (!csv_utf8_valid((const char *)data, size))
        s_csv_decode(data, size, CSV_GBK);
    s_csv_read_all((const char *)data, size, 0);
    return 0;
}
