/* keyring - one process-wide table behind a mutex: the ZAP thread looks a
 * key up on each new connection, the loop on each request, and the loop
 * replaces the table after a commit that changed a key. A few hundred keys
 * at most (one per person and worker), so a plain array is enough. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "key.pb-c.h"
#include "keyring.h"
#include "xmalloc.h"

static pthread_mutex_t s_lock = PTHREAD_MUTEX_INITIALIZER;
static keyring_entry_t *s_keys;
static size_t s_n;

int keyring_load(store_t *store, err_t *err)
{
    MDB_txn *txn;
    MDB_cursor *cur;
    MDB_val k, v;
    keyring_entry_t *keys = NULL;
    size_t n = 0;
    int rc = mdb_txn_begin(store->env, NULL, MDB_RDONLY, &txn);
    if (rc)
        return store_error(store, rc, "keys", err);
    if ((rc = mdb_cursor_open(txn, store->keys, &cur)) != 0) {
        mdb_txn_abort(txn);
        return store_error(store, rc, "keys", err);
    }
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        Ledger__Key *key = ledger__key__unpack(NULL, v.mv_size, v.mv_data);
        if (!key)
            continue;   /* written by this program, so never; skipping is safe */
        keys = xrealloc(keys, (n + 1) * sizeof *keys);
        keyring_entry_t *e = &keys[n++];
        memset(e, 0, sizeof *e);
        snprintf(e->public_key, sizeof e->public_key, "%s", key->public_key);
        snprintf(e->role, sizeof e->role, "%s", key->role);
        snprintf(e->name, sizeof e->name, "%s", key->name);
        e->revoked = key->_revoked_ms_case != LEDGER__KEY___REVOKED_MS__NOT_SET;
        ledger__key__free_unpacked(key, NULL);
    }
    mdb_cursor_close(cur);
    mdb_txn_abort(txn);
    pthread_mutex_lock(&s_lock);
    free(s_keys);
    s_keys = keys;
    s_n = n;
    pthread_mutex_unlock(&s_lock);
    return 0;
}

int keyring_find(const char *public_key, keyring_entry_t *out)
{
    int found = 1;
    pthread_mutex_lock(&s_lock);
    for (size_t i = 0; i < s_n; i++)
        if (!strcmp(s_keys[i].public_key, public_key)) {
            *out = s_keys[i];
            found = 0;
            break;
        }
    pthread_mutex_unlock(&s_lock);
    return found;
}

size_t keyring_count(void)
{
    pthread_mutex_lock(&s_lock);
    size_t n = s_n;
    pthread_mutex_unlock(&s_lock);
    return n;
}

void keyring_free(void)
{
    pthread_mutex_lock(&s_lock);
    free(s_keys);
    s_keys = NULL;
    s_n = 0;
    pthread_mutex_unlock(&s_lock);
}
