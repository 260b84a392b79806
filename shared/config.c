/* config - read "key = value" files line by line; the keys' meaning is the
 * caller's (its set callback). Errors name FILE:LINE. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "config.h"

static char *s_trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    char *end = s + strlen(s);
    while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' || end[-1] == '\r'))
        *--end = 0;
    return s;
}

/* config_read - call set for each key = value line of path */
int config_read(const char *path, config_set_fn set, void *ctx, err_t *err)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return err_set(err, ERR(NOT_FOUND), path, "cannot read %s: %s", path, strerror(errno));
    char line[1024], where[96];
    int n = 0, rc = 0;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        n++;
        snprintf(where, sizeof where, "%s:%d", path, n);
        char *s = s_trim(line);
        if (!*s || *s == '#')
            continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            rc = err_set(err, ERR(INVALID), where, "expected \"key = value\", got \"%s\"", s);
            break;
        }
        *eq = 0;
        char *key = s_trim(s), *value = s_trim(eq + 1);
        if (!*key) {
            rc = err_set(err, ERR(INVALID), where, "a setting needs a name before '='");
            break;
        }
        if ((rc = set(ctx, key, value, err)) < 0) {
            if (err && !err->field[0])
                snprintf(err->field, sizeof err->field, "%s", where);
            else if (err) {
                char msg[sizeof err->msg];
                snprintf(msg, sizeof msg, "%s: %s", where, err->msg);
                memcpy(err->msg, msg, sizeof msg);
            }
        }
    }
    fclose(f);
    return rc;
}
