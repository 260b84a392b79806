/* arena - many small allocations freed together. A pure domain function
 * (an attribution resolution, an order's commission lines) builds messages
 * whose parts live exactly as long as its result: they go in one arena,
 * freed at once by the result's destroy. */
#ifndef LEDGER_ARENA_H
#define LEDGER_ARENA_H

#include <stddef.h>

typedef struct {
    void **blocks;        /* every allocation, freed by arena_fini */
    size_t n, cap;
} arena_t;

/* arena_alloc - zeroed memory owned by a; out of memory aborts */
void *arena_alloc(arena_t *a, size_t size);

/* arena_printf - a formatted string owned by a */
char *arena_printf(arena_t *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* arena_fini - free everything; a is empty again */
void arena_fini(arena_t *a);

#endif
