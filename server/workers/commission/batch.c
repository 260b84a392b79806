/* batch - the commission worker's working set for one batch (see batch.h).
 * Records are decoded once per batch and written back at its end when
 * changed; each is allocated alone, so a rec_t * stays valid while more
 * are read. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "batch.h"
#include "policybook.h"
#include "codec.h"
#include "date.h"
#include "log.h"
#include "money.h"
#include "xmalloc.h"

/* batch_month - the local month of a time, "YYYY-MM" */
const char *batch_month(char out[8], int64_t ms)
{
    date_t d = date_of(ms);
    snprintf(out, 8, "%04d-%02d", d.y, d.m);
    return out;
}

/* batch_next_month - the month after "YYYY-MM" ("" gives "") */
const char *batch_next_month(char out[8], const char *month)
{
    int y, m;
    if (sscanf(month, "%4d-%2d", &y, &m) != 2) {
        out[0] = 0;
        return out;
    }
    snprintf(out, 8, "%04d-%02d", m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1);
    return out;
}

/* batch_prev_month - the month before "YYYY-MM" */
const char *batch_prev_month(char out[8], const char *month)
{
    int y, m;
    sscanf(month, "%4d-%2d", &y, &m);
    snprintf(out, 8, "%04d-%02d", m == 1 ? y - 1 : y, m == 1 ? 12 : m - 1);
    return out;
}

/* batch_person - "staff:S-1": a person's key part */
const char *batch_person(char *out, size_t n, const Ledger__PartyRef *p)
{
    snprintf(out, n, "%s:%s", p->kind == LEDGER__PARTY_KIND__PARTY_PARTNER ? "partner" : "staff",
             p->code);
    return out;
}

/* batch_policy - the version in force for month: its own latest, else the
 * latest earlier month's, else the built-in default */
const Ledger__PolicyVersion *batch_policy(batch_t *b, const char *month)
{
    return policybook_find(b->book, month);
}

int batch_index_order(batch_t *b, const char *month, uint64_t id)
{
    char key[32];
    snprintf(key, sizeof key, "pm:%s", month);
    rec_t *r = recset_get(&b->set, key, &ledger__month_index__descriptor);
    if (!r)
        return -1;
    Ledger__MonthIndex *mi = (Ledger__MonthIndex *)r->msg;
    size_t lo = 0, hi = mi->n_orders;   /* kept sorted: ids mostly come in order */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (mi->orders[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < mi->n_orders && mi->orders[lo] == id)
        return 0;
    mi->orders = realloc(mi->orders, (mi->n_orders + 1) * sizeof *mi->orders);
    if (!mi->orders)
        log_panic("commission: out of memory");
    memmove(mi->orders + lo + 1, mi->orders + lo, (mi->n_orders - lo) * sizeof *mi->orders);
    mi->orders[lo] = id;
    mi->n_orders++;
    r->dirty = 1;
    return 0;
}

/* batch_index_person - p into the people of index "<prefix>:<month>" */
int batch_index_person(batch_t *b, const char *prefix, const char *month,
                       const Ledger__PartyRef *p)
{
    char key[32];
    snprintf(key, sizeof key, "%s:%s", prefix, month);
    rec_t *r = recset_get(&b->set, key, &ledger__month_index__descriptor);
    if (!r)
        return -1;
    Ledger__MonthIndex *mi = (Ledger__MonthIndex *)r->msg;
    for (size_t i = 0; i < mi->n_people; i++)
        if (mi->people[i]->kind == p->kind && !strcmp(mi->people[i]->code, p->code))
            return 0;
    Ledger__MonthIndex shell = *mi;
    Ledger__PartyRef **people = xcalloc(mi->n_people + 1, sizeof *people);
    for (size_t i = 0; i < mi->n_people; i++)
        people[i] = mi->people[i];
    people[mi->n_people] = (Ledger__PartyRef *)p;
    shell.people = people;
    shell.n_people = mi->n_people + 1;
    ProtobufCMessage *copy = recset_copy(&shell.base);
    free(people);
    recset_replace(r, copy);
    return 0;
}

/* batch_open_month - the first month whose statements are open */
const char *batch_open_month(batch_t *b, char out[8])
{
    if (*b->cal->last_closed)
        return batch_next_month(out, b->cal->last_closed);
    snprintf(out, 8, "0000-00");
    return out;
}

const char *batch_order_key(char *out, size_t n, uint64_t id)
{
    snprintf(out, n, "o:%" PRIu64, id);
    return out;
}
