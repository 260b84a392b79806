/* idem - idempotency records, scoped to the caller's identity.
 * The hash covers the message type and the body as protobuf-c packs it
 * again, so the same request sent with fields in another order is still
 * the same request. Records expire by ledger time (--idem-days). */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include "codec.h"
#include "idem.h"
#include "log.h"
#include "storage.pb-c.h"
#include "xmalloc.h"

#define DAY_MS (24LL * 3600 * 1000)

void idem_hash(uint8_t out[IDEM_HASH_BYTES], uint8_t type, const ProtobufCMessage *req)
{
    uint8_t *body;
    size_t n = codec_pack(req, &body);
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, IDEM_HASH_BYTES);
    crypto_generichash_update(&st, &type, 1);
    crypto_generichash_update(&st, body, n);
    crypto_generichash_final(&st, out, IDEM_HASH_BYTES);
    free(body);
}

int idem_lookup(apply_t *a, const char *actor, const char *key,
                const uint8_t hash[IDEM_HASH_BYTES], uint8_t **reply, size_t *reply_len,
                err_t *err)
{
    uint8_t k[64 + 1 + 128];
    MDB_val v;
    size_t klen = store_pair_key(k, actor, key);
    int rc = store_get(a->txn, a->store->idem, k, klen, &v, err);
    if (rc != 0)
        return rc < 0 ? -1 : 0;
    Ledger__IdemRecord *rec = ledger__idem_record__unpack(NULL, v.mv_size, v.mv_data);
    if (!rec)
        log_panic("idem: record for %s does not unpack", key);
    int same = rec->hash.len == IDEM_HASH_BYTES &&
               memcmp(rec->hash.data, hash, IDEM_HASH_BYTES) == 0;
    if (same) {
        *reply_len = rec->reply.len;
        *reply = xmalloc(rec->reply.len ? rec->reply.len : 1);
        if (rec->reply.len)   /* an empty reply unpacks with data NULL */
            memcpy(*reply, rec->reply.data, rec->reply.len);
    }
    ledger__idem_record__free_unpacked(rec, NULL);
    if (!same)
        return err_set(err, ERR(IDEMPOTENCY_MISMATCH), "meta.idempotency_key",
                       "key \"%s\" was used before for a different request", key);
    return 1;
}

int idem_record(apply_t *a, const char *actor, const char *key,
                const uint8_t hash[IDEM_HASH_BYTES], uint8_t reply_type, err_t *err)
{
    uint8_t k[8 + 64 + 1 + 128];
    size_t klen = store_pair_key(k + 8, actor, key);
    Ledger__IdemRecord rec = LEDGER__IDEM_RECORD__INIT;
    rec.hash.data = (uint8_t *)hash;
    rec.hash.len = IDEM_HASH_BYTES;
    rec.time_ms = a->counters.ledger_ms;
    rec.reply_type = reply_type;
    rec.reply.data = a->reply;
    rec.reply.len = a->reply_len;
    if (store_put_msg(a->store, a->txn, a->store->idem, k + 8, klen, &rec.base, 0, err) < 0)
        return -1;
    store_time_key(k, rec.time_ms);   /* time-prefixed: purging walks from the front */
    return store_put(a->store, a->txn, a->store->idem_by_time, k, 8 + klen, "", 0, 0, err);
}

int idem_purge(apply_t *a, size_t max, err_t *err)
{
    int64_t cutoff = a->counters.ledger_ms - a->opt->idem_days * DAY_MS;
    MDB_cursor *cur;
    MDB_val k, v;
    size_t n = 0;
    int rc = mdb_cursor_open(a->txn, a->store->idem_by_time, &cur);
    if (rc)
        return store_error(a->store, rc, "idem purge", err);
    while (n < max && (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST)) == 0 && k.mv_size > 8 &&
           store_get_time_key(k.mv_data) < cutoff) {
        if (store_del(a->txn, a->store->idem, (uint8_t *)k.mv_data + 8, k.mv_size - 8, err) < 0) {
            mdb_cursor_close(cur);
            return -1;
        }
        if ((rc = mdb_cursor_del(cur, 0)) != 0)
            break;
        n++;
    }
    mdb_cursor_close(cur);
    if (rc && rc != MDB_NOTFOUND)
        return store_error(a->store, rc, "idem purge", err);
    return 0;
}
