/* config - read "key = value" files line by line and hand each pair to the
 * program's set callback; errors name the file and line. What the keys mean,
 * their defaults and flags overriding them are each program's business. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"

/* s_blank - the blanks trimmed around keys and values */
static int s_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

/* s_trim - strip blanks from both ends of s in place */
static char *s_trim(char *s)
{
    while (s_blank(*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && s_blank(s[n - 1]))
        s[--n] = '\0';
    return s;
}

/* s_located - a callback's error with FILE:LINE added: as the field when the
 * callback named none, else in front of the message */
static void s_located(err_t *err, const char *where)
{
    if (!err->code)
        err->code = ERR(INVALID);
    if (!err->field[0]) {
        snprintf(err->field, sizeof err->field, "%s", where);
    } else {
        char msg[sizeof err->msg];
        memcpy(msg, err->msg, sizeof msg);
        if (snprintf(err->msg, sizeof err->msg, "%s: %s", where, msg) >= (int)sizeof err->msg)
            memcpy(err->msg + sizeof err->msg - 4, "...", 4);   /* cut short: say so */
    }
}

/* config_read - call set for each key; NOT_FOUND, INVALID or the callback's error */
int config_read(const char *path, config_set_fn set, void *ctx, err_t *err)
{
    char where[sizeof err->field];
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    unsigned lineno = 0;
    int rc = -1;

    FILE *f = fopen(path, "r");
    if (!f)
        return err_set(err, ERR(NOT_FOUND), path, "cannot read %s: %s", path, strerror(errno));
    while ((len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        snprintf(where, sizeof where, "%s:%u", path, lineno);
        if (strlen(line) != (size_t)len) {
            err_set(err, ERR(INVALID), where, "NUL byte in line");
            goto done;
        }
        char *s = s_trim(line);
        if (!*s || *s == '#')
            continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            err_set(err, ERR(INVALID), where, "expected \"key = value\", got \"%.64s\"", s);
            goto done;
        }
        *eq = '\0';
        char *key = s_trim(s), *value = s_trim(eq + 1);
        if (!*key) {
            err_set(err, ERR(INVALID), where, "a key is required before '='");
            goto done;
        }
        err_t local;
        err_t *e = err ? err : &local;
        err_clear(e);
        if (set(ctx, key, value, e) < 0) {
            s_located(e, where);
            goto done;
        }
    }
    if (ferror(f)) {
        err_set(err, ERR(NOT_FOUND), path, "cannot read %s: %s", path, strerror(errno));
        goto done;
    }
    rc = 0;
done:
    free(line);
    fclose(f);
    return rc;
}
