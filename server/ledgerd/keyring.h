/* keyring - the keys ledgerd accepts, in memory, for the ZAP handler's
 * thread and the request loop alike. The LMDB "keys" database is the
 * durable copy (keys.c); the ring is reloaded from it after every commit
 * that changed a key, so a key added or revoked counts from the next
 * connection (and the next request) on, without a restart. */
#ifndef LEDGERD_KEYRING_H
#define LEDGERD_KEYRING_H

#include "cert.h"
#include "store.h"

typedef struct {
    char   public_key[CERT_KEY_LEN + 1];
    char   role[CERT_ROLE_MAX + 1];
    char   name[CERT_NAME_MAX + 1];
    int    revoked;
} keyring_entry_t;

/* keyring_load - (re)read every key from the store; -1 with err */
int keyring_load(store_t *store, err_t *err);

/* keyring_find - copy the entry for a Z85 public key; 0 found, 1 not */
int keyring_find(const char *public_key, keyring_entry_t *out);

/* keyring_count - keys held, revoked ones included */
size_t keyring_count(void);

/* keyring_free - at exit */
void keyring_free(void);

#endif
