/* check - the context every rule works with (see check.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "date.h"
#include "policybook.h"
#include "xmalloc.h"

const char *check_month(char out[8], int64_t ms)
{
    date_t d = date_of(ms);
    snprintf(out, 8, "%04d-%02d", d.y, d.m);
    return out;
}

const char *check_time(char out[20], int64_t ms)
{
    char full[24];
    date_format_time(full, sizeof full, ms);
    snprintf(out, 20, "%.16s", full);
    return out;
}

const Ledger__Policy *check_policy_month(cx_t *cx, const char *month)
{
    return policybook_find((const Ledger__PolicyBook *)cx->book->msg, month)
        ->policy;
}

const Ledger__Policy *check_policy(cx_t *cx, int64_t ms)
{
    char month[8];
    return check_policy_month(cx, check_month(month, ms));
}

/* The books are kept sorted by code; bsearch over their entries. */
#define FIND(arr, n, key_, out)                                      \
    do {                                                             \
        size_t lo_ = 0, hi_ = (n);                                   \
        while (lo_ < hi_) {                                          \
            size_t mid_ = lo_ + (hi_ - lo_) / 2;                     \
            if (strcmp((arr)[mid_]->code, (key_)) < 0)               \
                lo_ = mid_ + 1;                                      \
            else                                                     \
                hi_ = mid_;                                          \
        }                                                            \
        (out) = lo_;                                                 \
    } while (0)

const Ledger__StaffEntry *check_staff(cx_t *cx, const char *code)
{
    const Ledger__StaffBook *b = (const Ledger__StaffBook *)cx->staff->msg;
    size_t i;
    if (!code || !*code)
        return NULL;
    FIND(b->staff, b->n_staff, code, i);
    return i < b->n_staff && !strcmp(b->staff[i]->code, code) ? b->staff[i] : NULL;
}

int check_has_role(const Ledger__StaffEntry *s, Ledger__StaffRole role)
{
    for (size_t i = 0; s && i < s->n_roles; i++)
        if (s->roles[i] == role)
            return 1;
    return 0;
}

int64_t check_channel_price(cx_t *cx, const char *product)
{
    const Ledger__Catalog *c = (const Ledger__Catalog *)cx->catalog->msg;
    size_t i;
    FIND(c->products, c->n_products, product, i);
    return i < c->n_products && !strcmp(c->products[i]->code, product)
               ? c->products[i]->channel_price : -1;
}

/* PUT - a new owned copy of the book with item at its place by code (the
 * entry with the same code replaced), swapped in for the record's message */
#define PUT(rec, BOOK, book_t, field, nfield, entry_t, item)                  \
    do {                                                                      \
        const book_t *old_ = (const book_t *)(rec)->msg;                      \
        size_t i_, n_ = old_->nfield;                                         \
        FIND(old_->field, n_, (item)->code, i_);                              \
        int same_ = i_ < n_ && !strcmp(old_->field[i_]->code, (item)->code);  \
        entry_t **arr_ = xcalloc(n_ + 1, sizeof *arr_);                       \
        if (i_)   /* an empty list may be NULL */                              \
            memcpy(arr_, old_->field, i_ * sizeof *arr_);                     \
        arr_[i_] = (item);                                                    \
        size_t rest_ = n_ - i_ - (size_t)same_;                               \
        if (rest_)                                                            \
            memcpy(arr_ + i_ + 1, old_->field + i_ + same_, rest_ * sizeof *arr_); \
        book_t shell_ = *old_;                                                \
        shell_.field = arr_;                                                  \
        shell_.nfield = i_ + 1 + rest_;                                       \
        ProtobufCMessage *copy_ = recset_copy(&shell_.base);                  \
        free(arr_);                                                           \
        recset_replace((rec), copy_);                                         \
    } while (0)

void check_catalog_product(cx_t *cx, const Ledger__Product *p)
{
    Ledger__PriceEntry pe = LEDGER__PRICE_ENTRY__INIT;
    pe.code = p->code;
    pe.channel_price = p->channel_price;
    Ledger__PriceEntry *item = &pe;
    PUT(cx->catalog, BOOK, Ledger__Catalog, products, n_products, Ledger__PriceEntry, item);
}

void check_staff_put(cx_t *cx, const Ledger__Staff *s)
{
    Ledger__StaffEntry se = LEDGER__STAFF_ENTRY__INIT;
    se.id = s->id;
    se.code = s->code;
    se.branch = s->branch;
    se.team = s->team;
    se.roles = s->roles;
    se.n_roles = s->n_roles;
    se.active = s->active;
    Ledger__StaffEntry *item = &se;
    PUT(cx->staff, BOOK, Ledger__StaffBook, staff, n_staff, Ledger__StaffEntry, item);
}

void check_due(cx_t *cx, int64_t at, const char *key)
{
    const Ledger__DueBook *old = (const Ledger__DueBook *)cx->due->msg;
    Ledger__DueEntry **arr = xcalloc(old->n_due + 1, sizeof *arr);
    size_t n = 0;
    for (size_t i = 0; i < old->n_due; i++)
        if (strcmp(old->due[i]->key, key) != 0)
            arr[n++] = old->due[i];
    Ledger__DueEntry d = LEDGER__DUE_ENTRY__INIT;
    d.at_ms = at;
    d.key = (char *)key;
    size_t at_i = n;   /* keep (at, key) order */
    while (at_i > 0 && (arr[at_i - 1]->at_ms > at ||
                        (arr[at_i - 1]->at_ms == at && strcmp(arr[at_i - 1]->key, key) > 0)))
        at_i--;
    memmove(arr + at_i + 1, arr + at_i, (n - at_i) * sizeof *arr);
    arr[at_i] = &d;
    Ledger__DueBook shell = *old;
    shell.due = arr;
    shell.n_due = n + 1;
    ProtobufCMessage *copy = recset_copy(&shell.base);
    free(arr);
    recset_replace(cx->due, copy);
}
