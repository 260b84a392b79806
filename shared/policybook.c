/* policybook - the policy versions a worker keeps (see policybook.h). */
#include <stdlib.h>
#include <string.h>
#include "policy.h"
#include "policybook.h"
#include "recset.h"
#include "xmalloc.h"

Ledger__PolicyBook *policybook_add(const Ledger__PolicyBook *book, const Ledger__PolicyVersion *pv)
{
    Ledger__PolicyBook shell = *book;
    Ledger__PolicyVersion **v = xcalloc(book->n_versions + 1, sizeof *v);
    size_t n = 0;
    int placed = 0;
    for (size_t i = 0; i < book->n_versions; i++) {
        const Ledger__PolicyVersion *x = book->versions[i];
        int c = strcmp(x->month, pv->month);
        if (!placed && (c > 0 || (c == 0 && x->version > pv->version))) {
            v[n++] = (Ledger__PolicyVersion *)pv;
            placed = 1;
        }
        if (c == 0 && x->version == pv->version)
            continue;   /* the same version again: replaced */
        v[n++] = (Ledger__PolicyVersion *)x;
    }
    if (!placed)
        v[n++] = (Ledger__PolicyVersion *)pv;
    shell.versions = v;
    shell.n_versions = n;
    Ledger__PolicyBook *copy = (Ledger__PolicyBook *)recset_copy(&shell.base);
    free(v);
    return copy;
}

/* s_default - the built-in default as a version, made once */
static const Ledger__PolicyVersion *s_default(void)
{
    static Ledger__PolicyVersion v;
    if (!v.policy) {
        ledger__policy_version__init(&v);
        v.month = "";
        v.policy = policy_default();
    }
    return &v;
}

const Ledger__PolicyVersion *policybook_find(const Ledger__PolicyBook *book, const char *month)
{
    const Ledger__PolicyVersion *best = s_default();
    for (size_t i = 0; i < book->n_versions; i++)
        if (strcmp(book->versions[i]->month, month) <= 0)
            best = book->versions[i];   /* the book is in (month, version) order */
    return best;
}
