/* demo - the generated demo data set: a deterministic year of a three-branch
 * company (staff, customers, partners, products, orders and everything that
 * follows them), as a flat list of records in the order ledgerd must see
 * them (a record only names records before it). gen.c builds it, names.c
 * holds the words, main.c loads it. */
#ifndef LEDGER_DEMO_H
#define LEDGER_DEMO_H

#include <stddef.h>
#include <stdint.h>
#include "record.pb-c.h"

#define DEMO_KINDS   15   /* Record kind cases 1..14; 0 unused */
#define DEMO_SAMPLES 16

typedef struct demo_block demo_block_t;

typedef struct {
    Ledger__Record **records;          /* in load order */
    size_t n_records;                  /* entries in records */
    size_t cap;                        /* allocated entries */
    size_t counts[DEMO_KINDS];         /* records per Record kind case */
    int64_t from_ms, to_ms;            /* first and last order placed */
    char samples[DEMO_SAMPLES][200];   /* a few rows worth showing */
    int n_samples;                     /* filled entries of samples */
    demo_block_t *blocks;              /* arena: every record and string */
} demo_t;

/* demo_generate - the data set of seed and scale (>= 1), with times in the
 * process's date zone (date_zone_set first). Same arguments, same records.
 * Caller frees with demo_free. */
void demo_generate(demo_t *out, uint64_t seed, int scale);
void demo_free(demo_t *d);

/* demo_kind_name - "order" for LEDGER__RECORD__KIND_ORDER, as ledgerd names it */
const char *demo_kind_name(int kind_case);

/* demo_describe - "order SH01-O00042 (placed 2025-10-31 23:40)" */
void demo_describe(char *out, size_t n, const Ledger__Record *r);

/* names.c: words picked by a random number */
void names_person(char *out, size_t n, uint64_t r);
const char *names_pick(int list, uint64_t r);
enum { NAMES_LIFE, NAMES_ISSUE, NAMES_CANCEL, NAMES_REFUND, NAMES_CALLBACK, NAMES_COMPLAINT,
       NAMES_CARRIER, NAMES_LOG, NAMES_COUNT };

#endif
