/* xmalloc - allocation that aborts on exhaustion (sizes are checked
 * against limits before allocating, so exhaustion is not client input). */
#ifndef LEDGER_XMALLOC_H
#define LEDGER_XMALLOC_H
#include <stddef.h>
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
#endif
