/* test_config - "key = value" files written to a temp dir: comments, blanks,
 * values with spaces, and errors that name FILE:LINE. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "config.h"

typedef struct {
    int n;                /* pairs seen */
    char key[8][64];      /* in order */
    char value[8][128];
    const char *fail_key; /* the callback refuses this key */
    const char *fail_field; /* ... naming this field */
} seen_t;

static char s_path[64];   /* the temp file of the test */

/* s_write - the test's file, with exactly these bytes */
static const char *s_write(const char *text, size_t len)
{
    snprintf(s_path, sizeof s_path, "/tmp/test_config.XXXXXX");
    int fd = mkstemp(s_path);
    cr_assert_geq(fd, 0, "mkstemp failed");
    cr_assert_eq(write(fd, text, len), (ssize_t)len, "write %s failed", s_path);
    close(fd);
    return s_path;
}

/* s_cleanup - remove the test's file */
static void s_cleanup(void)
{
    if (s_path[0])
        unlink(s_path);
}

/* s_set - record each pair; refuse fail_key */
static int s_set(void *ctx, const char *key, const char *value, err_t *err)
{
    seen_t *s = ctx;
    if (s->fail_key && strcmp(key, s->fail_key) == 0)
        return err_set(err, ERR(OUT_OF_RANGE), s->fail_field, "%s is too large", value);
    cr_assert_lt(s->n, 8, "too many pairs");
    snprintf(s->key[s->n], sizeof s->key[0], "%s", key);
    snprintf(s->value[s->n], sizeof s->value[0], "%s", value);
    s->n++;
    return 0;
}

/* s_assert_pair - the i-th pair seen */
static void s_assert_pair(const seen_t *s, int i, const char *key, const char *value)
{
    cr_assert_lt(i, s->n, "pair %d missing: only %d seen", i, s->n);
    cr_assert_str_eq(s->key[i], key, "pair %d key: got \"%s\", want \"%s\"", i, s->key[i], key);
    cr_assert_str_eq(s->value[i], value, "pair %d value: got \"%s\", want \"%s\"", i,
                     s->value[i], value);
}

TestSuite(config, .fini = s_cleanup);

Test(config, reads_pairs_skipping_comments_and_blank_lines)
{
    static const char text[] =
        "# ledgerd settings\n"
        "\n"
        "listen = tcp://127.0.0.1:7401\n"
        "   # an indented comment\n"
        "  \t \n"
        "time_zone=Asia/Shanghai\n"
        "\tbanner  =  hello   big  world  \n"
        "empty =\n"
        "expr = a=b # not a comment\n"
        "crlf = yes\r\n"
        "last = no newline";
    seen_t s = { 0 };
    err_t err = { 0 };
    int rc = config_read(s_write(text, sizeof text - 1), s_set, &s, &err);
    cr_assert_eq(rc, 0, "config_read = %d: %s %s: %s", rc, err_code_name(err.code), err.field,
                 err.msg);
    cr_assert_eq(s.n, 7, "got %d pairs, want 7", s.n);
    s_assert_pair(&s, 0, "listen", "tcp://127.0.0.1:7401");
    s_assert_pair(&s, 1, "time_zone", "Asia/Shanghai");
    s_assert_pair(&s, 2, "banner", "hello   big  world");
    s_assert_pair(&s, 3, "empty", "");
    s_assert_pair(&s, 4, "expr", "a=b # not a comment");
    s_assert_pair(&s, 5, "crlf", "yes");
    s_assert_pair(&s, 6, "last", "no newline");
}

Test(config, reads_an_empty_file)
{
    seen_t s = { 0 };
    err_t err = { 0 };
    cr_assert_eq(config_read(s_write("", 0), s_set, &s, &err), 0, "empty file: %s", err.msg);
    cr_assert_eq(s.n, 0, "got %d pairs from an empty file", s.n);
}

Test(config, names_file_and_line_of_a_line_without_equals)
{
    static const char text[] = "# header\na = 1\n\nthis line has no equals sign\nb = 2\n";
    seen_t s = { 0 };
    err_t err = { 0 };
    const char *path = s_write(text, sizeof text - 1);
    char want[128];
    snprintf(want, sizeof want, "%s:4", path);
    int rc = config_read(path, s_set, &s, &err);
    cr_assert_eq(rc, -1, "config_read = %d, want -1", rc);
    cr_assert_eq(err.code, ERR(INVALID), "got %s, want INVALID", err_code_name(err.code));
    cr_assert_str_eq(err.field, want, "field: got \"%s\", want \"%s\"", err.field, want);
    cr_assert_eq(s.n, 1, "got %d pairs before the bad line, want 1 (and none after)", s.n);
}

Test(config, refuses_an_empty_key)
{
    static const char text[] = " = value\n";
    seen_t s = { 0 };
    err_t err = { 0 };
    const char *path = s_write(text, sizeof text - 1);
    char want[128];
    snprintf(want, sizeof want, "%s:1", path);
    cr_assert_eq(config_read(path, s_set, &s, &err), -1, "an empty key was accepted");
    cr_assert_eq(err.code, ERR(INVALID), "got %s, want INVALID", err_code_name(err.code));
    cr_assert_str_eq(err.field, want, "field: got \"%s\", want \"%s\"", err.field, want);
}

Test(config, refuses_a_nul_byte)
{
    static const char text[] = "a = 1\nb = x\0y\n";
    seen_t s = { 0 };
    err_t err = { 0 };
    const char *path = s_write(text, sizeof text - 1);
    char want[128];
    snprintf(want, sizeof want, "%s:2", path);
    cr_assert_eq(config_read(path, s_set, &s, &err), -1, "a NUL byte was accepted");
    cr_assert_eq(err.code, ERR(INVALID), "got %s, want INVALID", err_code_name(err.code));
    cr_assert_str_eq(err.field, want, "field: got \"%s\", want \"%s\"", err.field, want);
}

Test(config, reports_a_missing_file_as_not_found)
{
    seen_t s = { 0 };
    err_t err = { 0 };
    const char *path = "/nonexistent/ledgerd.conf";
    cr_assert_eq(config_read(path, s_set, &s, &err), -1, "a missing file was read");
    cr_assert_eq(err.code, ERR(NOT_FOUND), "got %s, want NOT_FOUND", err_code_name(err.code));
    cr_assert_str_eq(err.field, path, "field: got \"%s\", want \"%s\"", err.field, path);
    cr_assert(strstr(err.msg, "No such file"), "message should say why: \"%s\"", err.msg);
}

Test(config, puts_file_and_line_in_the_field_a_callback_left_empty)
{
    static const char text[] = "a = 1\nmax = 99999\n";
    seen_t s = { .fail_key = "max", .fail_field = "" };
    err_t err = { 0 };
    const char *path = s_write(text, sizeof text - 1);
    char want[128];
    snprintf(want, sizeof want, "%s:2", path);
    cr_assert_eq(config_read(path, s_set, &s, &err), -1, "the callback's refusal was lost");
    cr_assert_eq(err.code, ERR(OUT_OF_RANGE), "got %s, want the callback's OUT_OF_RANGE",
                 err_code_name(err.code));
    cr_assert_str_eq(err.field, want, "field: got \"%s\", want \"%s\"", err.field, want);
    cr_assert_str_eq(err.msg, "99999 is too large", "message: got \"%s\"", err.msg);
}

Test(config, keeps_the_callbacks_field_and_puts_file_and_line_in_the_message)
{
    static const char text[] = "a = 1\n\nmax = 99999\n";
    seen_t s = { .fail_key = "max", .fail_field = "max" };
    err_t err = { 0 };
    const char *path = s_write(text, sizeof text - 1);
    char want[256];
    snprintf(want, sizeof want, "%s:3: 99999 is too large", path);
    cr_assert_eq(config_read(path, s_set, &s, &err), -1, "the callback's refusal was lost");
    cr_assert_eq(err.code, ERR(OUT_OF_RANGE), "got %s, want OUT_OF_RANGE",
                 err_code_name(err.code));
    cr_assert_str_eq(err.field, "max", "field: got \"%s\", want \"max\"", err.field);
    cr_assert_str_eq(err.msg, want, "message: got \"%s\", want \"%s\"", err.msg, want);
}

Test(config, marks_a_message_cut_short_by_file_and_line)
{
    seen_t s = { .fail_key = "max", .fail_field = "max" };
    err_t err = { 0 };
    /* a 240-byte value makes the callback's message nearly fill err.msg */
    char long_text[300];
    snprintf(long_text, sizeof long_text, "max = %0240d\n", 1);
    cr_assert_eq(config_read(s_write(long_text, strlen(long_text)), s_set, &s, &err), -1,
                 "the callback's refusal was lost");
    size_t n = strlen(err.msg);
    cr_assert_eq(n, sizeof err.msg - 1, "message length: got %zu, want %zu", n,
                 sizeof err.msg - 1);
    cr_assert_str_eq(err.msg + n - 3, "...", "a cut message should end in \"...\": \"%s\"",
                     err.msg + n - 10);
}
