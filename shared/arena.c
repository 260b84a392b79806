/* arena - many small allocations freed together (see arena.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "arena.h"
#include "log.h"
#include "xmalloc.h"

void *arena_alloc(arena_t *a, size_t size)
{
    if (a->n == a->cap) {
        a->cap = a->cap ? 2 * a->cap : 64;
        a->blocks = xrealloc(a->blocks, a->cap * sizeof *a->blocks);
    }
    return a->blocks[a->n++] = xcalloc(1, size ? size : 1);
}

char *arena_printf(arena_t *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        log_panic("arena: bad format \"%s\"", fmt);
    char *s = arena_alloc(a, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

void arena_fini(arena_t *a)
{
    for (size_t i = 0; i < a->n; i++)
        free(a->blocks[i]);
    free(a->blocks);
    a->blocks = NULL;
    a->n = a->cap = 0;
}
