/* csv - decoding spreadsheet CSV (UTF-8 with or without BOM, GBK, GB18030)
 * and reading RFC 4180 records with the line each starts on. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "csv.h"

TestSuite(csv);

/* s_records - read all of text; rows[i] is "f1|f2|..." and lines[i] its line;
 * a broken record reads as "!" */
static size_t s_records(const char *text, char rows[][128], long lines[], size_t max)
{
    csv_reader_t *r = csv_reader_new(text, strlen(text));
    char **f;
    size_t n, count = 0;
    long line;
    err_t err;
    int rc;
    while (count < max && (rc = csv_read(r, &f, &n, &line, &err)) != 0) {
        rows[count][0] = '\0';
        if (rc < 0)
            strcpy(rows[count], "!");
        else
            for (size_t i = 0; i < n; i++) {
                strcat(rows[count], i ? "|" : "");
                strcat(rows[count], f[i]);
            }
        lines[count++] = line;
    }
    csv_reader_destroy(&r);
    cr_assert_null(r, "csv_reader_destroy leaves NULL");
    return count;
}

/* s_decode - csv_decode that must succeed; caller frees */
static char *s_decode(const char *data, size_t len, csv_encoding_t enc, csv_encoding_t *used)
{
    char *out;
    size_t n;
    long line;
    err_t err;
    int rc = csv_decode(&out, &n, used, &line, data, len, enc, &err);
    cr_assert_eq(rc, 0, "csv_decode(%s): %s", csv_encoding_name(enc), err.msg);
    cr_assert_eq(strlen(out), n, "csv_decode: length %zu, strlen %zu", n, strlen(out));
    return out;
}

/* s_shell - the bytes a shell pipeline prints (iconv makes the GBK files) */
static size_t s_shell(const char *cmd, char *out, size_t max)
{
    FILE *p = popen(cmd, "r");
    cr_assert(p, "popen %s", cmd);
    size_t n = fread(out, 1, max, p);
    cr_assert_eq(pclose(p), 0, "%s failed", cmd);
    return n;
}

Test(csv, quoted_fields_hold_commas_doubled_quotes_and_line_breaks)
{
    char rows[8][128];
    long lines[8];
    size_t n = s_records("code,name,note\n"
                         "C-1,\"陈, 静\",\"say \"\"hi\"\"\"\n"
                         "C-2,王芳,\"two\nlines\"\n"
                         "C-3,,5\" pipe\n", rows, lines, 8);
    cr_assert_eq(n, 4, "got %zu records, want 4", n);
    cr_assert_str_eq(rows[1], "C-1|陈, 静|say \"hi\"");
    cr_assert_str_eq(rows[2], "C-2|王芳|two\nlines");
    cr_assert_str_eq(rows[3], "C-3||5\" pipe", "a quote inside an unquoted field is text");
    cr_assert_eq(lines[2], 3, "got line %ld, want 3", lines[2]);
    cr_assert_eq(lines[3], 5, "the record after a two-line field: got line %ld, want 5",
                 lines[3]);
}

Test(csv, crlf_and_lf_end_lines_alike_and_crlf_inside_quotes_reads_as_lf)
{
    char rows[8][128];
    long lines[8];
    size_t n = s_records("a,b\r\n1,\"x\r\ny\"\r\n\r\n2,3", rows, lines, 8);
    cr_assert_eq(n, 4, "got %zu records, want 4", n);
    cr_assert_str_eq(rows[0], "a|b");
    cr_assert_str_eq(rows[1], "1|x\ny");
    cr_assert_str_eq(rows[2], "", "a blank line is one empty field");
    cr_assert_str_eq(rows[3], "2|3", "the last line needs no line end");
    cr_assert_eq(lines[3], 5, "got line %ld, want 5", lines[3]);
}

Test(csv, an_empty_last_field_and_a_trailing_comma_count)
{
    char rows[4][128];
    long lines[4];
    size_t n = s_records("a,b,\n,,\n", rows, lines, 4);
    cr_assert_eq(n, 2);
    cr_assert_str_eq(rows[0], "a|b|");
    cr_assert_str_eq(rows[1], "||");
}

Test(csv, broken_quoting_names_its_line_and_reading_goes_on)
{
    char rows[8][128];
    long lines[8];
    size_t n = s_records("a,b\n\"x\"y,1\nok,2\n", rows, lines, 8);
    cr_assert_eq(n, 3);
    cr_assert_str_eq(rows[1], "!", "text after a closing quote");
    cr_assert_eq(lines[1], 2);
    cr_assert_str_eq(rows[2], "ok|2", "the record after a broken one reads");

    csv_reader_t *r = csv_reader_new("a\n\"open,\nstill\n", 15);
    char **f;
    size_t nf;
    long line;
    err_t err;
    cr_assert_eq(csv_read(r, &f, &nf, &line, &err), 1);
    cr_assert_eq(csv_read(r, &f, &nf, &line, &err), -1, "an unclosed quote");
    cr_assert_eq(err.code, ERR(INVALID));
    cr_assert(strstr(err.msg, "line 2"), "names where the quote opened: %s", err.msg);
    cr_assert_eq(csv_read(r, &f, &nf, &line, &err), 0, "the quote ate the rest");
    csv_reader_destroy(&r);
}

Test(csv, a_utf8_bom_is_dropped)
{
    csv_encoding_t used;
    const char data[] = "\xEF\xBB\xBF客户编号,客户名称\n";
    char *text = s_decode(data, sizeof data - 1, CSV_AUTO, &used);
    cr_assert_eq(used, CSV_UTF8);
    cr_assert_str_eq(text, "客户编号,客户名称\n");
    free(text);
    text = s_decode(data, sizeof data - 1, CSV_UTF8, &used);
    cr_assert_str_eq(text, "客户编号,客户名称\n");
    free(text);
}

Test(csv, gbk_is_decoded_given_or_detected)
{
    char gbk[256];
    size_t n = s_shell("printf '客户编号,客户名称\\nC-1,陈静\\n' | iconv -f UTF-8 -t GBK",
                       gbk, sizeof gbk);
    cr_assert_eq(n, 27, "GBK: 2 bytes a character; got %zu bytes", n);
    csv_encoding_t used;
    char *text = s_decode(gbk, n, CSV_GBK, &used);
    cr_assert_str_eq(text, "客户编号,客户名称\nC-1,陈静\n");
    free(text);
    text = s_decode(gbk, n, CSV_AUTO, &used);
    cr_assert_eq(used, CSV_GB18030, "not UTF-8, so GB18030: got %s", csv_encoding_name(used));
    cr_assert_str_eq(text, "客户编号,客户名称\nC-1,陈静\n");
    free(text);
    text = s_decode(gbk, n, CSV_GB18030, &used);
    cr_assert_str_eq(text, "客户编号,客户名称\nC-1,陈静\n");
    free(text);
}

Test(csv, gb18030_with_its_bom_decodes_and_loses_the_bom)
{
    char raw[256];
    size_t n = s_shell("printf '\\357\\273\\277名称\\n' | iconv -f UTF-8 -t GB18030",
                       raw, sizeof raw);
    csv_encoding_t used;
    char *text = s_decode(raw, n, CSV_AUTO, &used);
    cr_assert_str_eq(text, "名称\n");
    free(text);
}

Test(csv, gbk_read_as_utf8_names_the_line_of_the_first_bad_byte)
{
    char gbk[256];
    size_t n = s_shell("printf 'code,name\\nC-1,x\\nC-2,陈静\\n' | iconv -f UTF-8 -t GBK",
                       gbk, sizeof gbk);
    char *out = (char *)1;
    size_t len;
    long line;
    err_t err;
    csv_encoding_t used;
    int rc = csv_decode(&out, &len, &used, &line, gbk, n, CSV_UTF8, &err);
    cr_assert_eq(rc, -1);
    cr_assert_eq(err.code, ERR(INVALID));
    cr_assert_null(out);
    cr_assert_eq(line, 3, "got line %ld, want 3", line);
    cr_assert(strstr(err.msg, "gbk"), "suggests --encoding gbk: %s", err.msg);
}

Test(csv, utf16_nul_and_undecodable_gbk_are_refused)
{
    char *out;
    size_t len;
    long line;
    err_t err;
    csv_encoding_t used;
    cr_assert_eq(csv_decode(&out, &len, &used, &line, "\xFF\xFEn\0", 4, CSV_AUTO, &err), -1);
    cr_assert(strstr(err.msg, "UTF-16"), "%s", err.msg);
    cr_assert_eq(csv_decode(&out, &len, &used, &line, "a\nb\0c", 5, CSV_UTF8, &err), -1);
    cr_assert_eq(line, 2, "the NUL is on line 2, got %ld", line);
    /* 0x80 alone is no GBK character (GB18030 and CP936 read it as the euro) */
    cr_assert_eq(csv_decode(&out, &len, &used, &line, "a\n\xFF\xFF", 4, CSV_GBK, &err), -1);
    cr_assert_eq(line, 2, "got line %ld", line);
}

Test(csv, utf8_validity_is_strict)
{
    static const struct { const char *s; int ok; } cases[] = {
        { "plain", 1 }, { "陈静", 1 }, { "\xF0\x9F\x98\x80", 1 },
        { "\xC0\xAF", 0 },             /* overlong '/' */
        { "\xED\xA0\x80", 0 },         /* a surrogate */
        { "\xF4\x90\x80\x80", 0 },     /* above U+10FFFF */
        { "\xE9\x99", 0 },             /* cut short */
        { "\xB3\xC2", 0 },             /* GBK 陈 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        cr_expect_eq(csv_utf8_valid(cases[i].s, strlen(cases[i].s)), cases[i].ok,
                     "case %zu: got %d, want %d", i, !cases[i].ok, cases[i].ok);
}

Test(csv, encoding_names)
{
    csv_encoding_t e;
    cr_assert_eq(csv_encoding_parse(&e, "UTF-8"), 0);
    cr_assert_eq(e, CSV_UTF8);
    cr_assert_eq(csv_encoding_parse(&e, "gbk"), 0);
    cr_assert_eq(e, CSV_GBK);
    cr_assert_eq(csv_encoding_parse(&e, "GB18030"), 0);
    cr_assert_eq(e, CSV_GB18030);
    cr_assert_eq(csv_encoding_parse(&e, "auto"), 0);
    cr_assert_eq(e, CSV_AUTO);
    cr_assert_eq(csv_encoding_parse(&e, "latin1"), -1);
    cr_assert_str_eq(csv_encoding_name(CSV_GBK), "gbk");
}

/* s_written - what csv_write_row makes of fields */
static const char *s_written(char *buf, size_t n, const char *const *fields, size_t count,
                             int excel)
{
    FILE *f = fmemopen(buf, n, "w");
    cr_assert(f);
    cr_assert_eq(csv_write_row(f, fields, count, excel), 0);
    fclose(f);
    return buf;
}

Test(csv, written_rows_quote_what_needs_it_and_read_back_the_same)
{
    char buf[512];
    const char *plain[] = { "2026-07-01", "收款 O-1", "-1234.50", NULL };
    cr_assert_str_eq(s_written(buf, sizeof buf, plain, 4, 0), "2026-07-01,收款 O-1,-1234.50,\r\n");
    const char *odd[] = { "a,b", "say \"hi\"", "two\nlines" };
    s_written(buf, sizeof buf, odd, 3, 0);
    cr_assert_str_eq(buf, "\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n");
    char rows[4][128];
    long lines[4];
    cr_assert_eq(s_records(buf, rows, lines, 4), 1, "one record, the line break inside it");
    cr_assert_str_eq(rows[0], "a,b|say \"hi\"|two\nlines");
}

Test(csv, for_excel_a_formula_is_text_and_a_negative_number_stays_a_number)
{
    char buf[512];
    const char *cells[] = { "=HYPERLINK(\"x\")", "-12.50", "+1", "@SUM(A1)", "-", "-1.", "ok" };
    s_written(buf, sizeof buf, cells, 7, 1);
    cr_assert_str_eq(buf, "\"'=HYPERLINK(\"\"x\"\")\",-12.50,\"'+1\",\"'@SUM(A1)\",\"'-\","
                          "\"'-1.\",ok\r\n");
    s_written(buf, sizeof buf, cells, 1, 0);
    cr_assert_str_eq(buf, "\"=HYPERLINK(\"\"x\"\")\"\r\n", "without --excel, as it is");
}
