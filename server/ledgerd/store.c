/* store - ledgerd's LMDB environment: open, named databases, keys, growth.
 *
 * DESIGN. One environment, one writer (ledgerd's loop), full durability:
 * never MDB_NOSYNC, MDB_NOMETASYNC or MDB_WRITEMAP, so a commit that returned
 * is on disk. Values are packed protobuf; integer keys are big-endian so a
 * cursor walks them in order, and the event log appends with MDB_APPEND.
 * Counters (last seq, last ids, ledger time) are read back from the last keys
 * at open rather than stored beside the data they describe. When a put finds
 * the map full, the caller aborts its transaction, calls store_grow with no
 * transaction open, and retries the whole batch. */
#include <assert.h>
#include <errno.h>
#include <sys/statvfs.h>
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include "codec.h"
#include "entity.pb-c.h"
#include "event.pb-c.h"
#include "record.pb-c.h"
#include "log.h"
#include "store.h"
#include "xmalloc.h"

static int s_lock_fd = -1;

static void s_open_dbi(MDB_txn *txn, const char *name, MDB_dbi *out)
{
    int rc = mdb_dbi_open(txn, name, MDB_CREATE, out);
    if (rc)
        log_fatal("store: open database %s: %s", name, mdb_strerror(rc));
}

static uint64_t s_last_u64_key(MDB_txn *txn, MDB_dbi dbi)
{
    MDB_cursor *c;
    MDB_val k, v;
    uint64_t last = 0;
    if (mdb_cursor_open(txn, dbi, &c))
        return 0;
    if (mdb_cursor_get(c, &k, &v, MDB_LAST) == 0 && k.mv_size == 8)
        last = store_get_be64(k.mv_data);
    mdb_cursor_close(c);
    return last;
}

/* s_read_counters - last seq and ids from the last keys; ledger time from the last event */
static void s_read_counters(store_t *s, MDB_txn *txn)
{
    memset(&s->counters, 0, sizeof s->counters);
    s->counters.last_seq = s_last_u64_key(txn, s->events);
    for (int k = 0; k < KIND_COUNT; k++)
        s->counters.last_id[k] = s_last_u64_key(txn, s->data[k]);
    if (s->counters.last_seq) {
        uint8_t key[8];
        MDB_val v;
        store_be64(key, s->counters.last_seq);
        if (store_get(txn, s->events, key, 8, &v, NULL) == 0) {
            Ledger__Event *ev = ledger__event__unpack(NULL, v.mv_size, v.mv_data);
            if (!ev)
                log_fatal("store: %s: event %llu does not unpack", s->dir,
                          (unsigned long long)s->counters.last_seq);
            s->counters.ledger_ms = ev->time_ms;
            ledger__event__free_unpacked(ev, NULL);
        }
    }
}

/* store_open - open or create the environment; one ledgerd per directory */
store_t *store_open(const char *dir, size_t map_size, size_t map_max)
{
    store_t *s = xcalloc(1, sizeof *s);
    snprintf(s->dir, sizeof s->dir, "%s", dir);
    if (mkdir(dir, 0750) < 0 && errno != EEXIST)
        log_fatal("store: create %s: %s", dir, strerror(errno));

    char lock[600];
    snprintf(lock, sizeof lock, "%s/ledgerd.lock", dir);
    s_lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
    if (s_lock_fd < 0)
        log_fatal("store: open %s: %s", lock, strerror(errno));
    if (flock(s_lock_fd, LOCK_EX | LOCK_NB) < 0)
        log_fatal("store: %s is in use by another ledgerd", dir);

    int rc = mdb_env_create(&s->env);
    if (rc)
        log_fatal("store: create environment: %s", mdb_strerror(rc));
    mdb_env_set_maxdbs(s->env, 64);
    mdb_env_set_maxreaders(s->env, 16);
    s->map_max = map_max > map_size ? map_max : map_size;
    if ((rc = mdb_env_set_mapsize(s->env, map_size)))
        log_fatal("store: map size %zu: %s", map_size, mdb_strerror(rc));
    /* Durable by default: no NOSYNC, NOMETASYNC or WRITEMAP (tested). */
    if ((rc = mdb_env_open(s->env, dir, 0, 0640)))
        log_fatal("store: open %s: %s", dir, mdb_strerror(rc));

    MDB_envinfo info;
    mdb_env_info(s->env, &info);
    s->map_size = info.me_mapsize;   /* an existing file may be larger */
    int dead = 0;
    mdb_reader_check(s->env, &dead);
    if (dead)
        log_info("store: cleared %d stale reader slots", dead);

    MDB_txn *txn;
    if ((rc = mdb_txn_begin(s->env, NULL, 0, &txn)))
        log_fatal("store: begin: %s", mdb_strerror(rc));
    s_open_dbi(txn, "events", &s->events);
    for (int k = 0; k < KIND_COUNT; k++) {
        char name[64];
        s_open_dbi(txn, store_kind_name(k), &s->data[k]);
        snprintf(name, sizeof name, "%s_code", store_kind_name(k));
        s_open_dbi(txn, name, &s->by_code[k]);
    }
    s_open_dbi(txn, "order_by_customer", &s->order_by_customer);
    s_open_dbi(txn, "order_by_branch", &s->order_by_branch);
    s_open_dbi(txn, "order_by_placed", &s->order_by_placed);
    s_open_dbi(txn, "idem", &s->idem);
    s_open_dbi(txn, "idem_by_time", &s->idem_by_time);
    s_open_dbi(txn, "cursors", &s->cursors);
    s_open_dbi(txn, "state", &s->state);
    s_open_dbi(txn, "results", &s->results);
    s_open_dbi(txn, "policies", &s->policies);
    s_open_dbi(txn, "reversals", &s->reversals);
    s_open_dbi(txn, "months", &s->months);
    s_open_dbi(txn, "keys", &s->keys);
    s_read_counters(s, txn);
    if ((rc = mdb_txn_commit(txn)))
        log_fatal("store: commit: %s", mdb_strerror(rc));
    return s;
}

void store_destroy(store_t **self_p)
{
    assert(self_p);
    if (!*self_p)
        return;
    store_t *s = *self_p;
    mdb_env_close(s->env);
    if (s_lock_fd >= 0) {
        close(s_lock_fd);
        s_lock_fd = -1;
    }
    free(s);
    *self_p = NULL;
}

/* store_grow - double the map, up to map_max; no transaction may be open */
int store_grow(store_t *s)
{
    if (s->map_size >= s->map_max)
        return -1;
    size_t next = s->map_size * 2 > s->map_max ? s->map_max : s->map_size * 2;
    int rc = mdb_env_set_mapsize(s->env, next);
    if (rc) {
        log_warn("store: grow map to %zu bytes: %s", next, mdb_strerror(rc));
        return -1;
    }
    log_info("store: map grown from %zu to %zu MiB", s->map_size >> 20, next >> 20);
    s->map_size = next;
    s->map_full = 0;
    return 0;
}

const char *store_kind_name(entity_kind_t kind)
{
    static const char *names[KIND_COUNT] = {
        "staff", "customer", "order", "partner", "product", "source", "payment", "shipment",
        "refund", "account", "entry", "service", "post", "work" };
    return names[kind];
}

const ProtobufCMessageDescriptor *store_kind_descriptor(entity_kind_t kind)
{
    static const ProtobufCMessageDescriptor *d[KIND_COUNT] = {
        &ledger__staff__descriptor, &ledger__customer__descriptor, &ledger__order__descriptor,
        &ledger__partner__descriptor, &ledger__product__descriptor,
        &ledger__supply_source__descriptor, &ledger__payment__descriptor,
        &ledger__shipment__descriptor, &ledger__refund__descriptor, &ledger__account__descriptor,
        &ledger__finance_entry__descriptor, &ledger__service_event__descriptor,
        &ledger__social_post__descriptor, &ledger__work_record__descriptor };
    return d[kind];
}

void store_be64(uint8_t out[8], uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        out[i] = v & 0xff;
}

uint64_t store_get_be64(const uint8_t in[8])
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | in[i];
    return v;
}

void store_time_key(uint8_t out[8], int64_t ms)
{
    store_be64(out, (uint64_t)ms ^ 0x8000000000000000ULL);
}

int64_t store_get_time_key(const uint8_t in[8])
{
    return (int64_t)(store_get_be64(in) ^ 0x8000000000000000ULL);
}

size_t store_pair_key(uint8_t *out, const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    memcpy(out, a, na);
    out[na] = 0;
    memcpy(out + na + 1, b, nb);
    return na + 1 + nb;
}

#define STORE_DISK_LOW (16u << 20)   /* less free than this: an EIO is the disk filling */

/* store_error - map an LMDB code to the protocol's */
int store_error(store_t *s, int rc, const char *what, err_t *err)
{
    if (rc == MDB_MAP_FULL) {
        s->map_full = 1;
        return err_set(err, ERR(STORAGE_FULL), "", "the ledger's storage map is full");
    }
    /* A disk with a few pages left fails LMDB's short page write as EIO,
     * not ENOSPC: the free space tells the two apart. */
    struct statvfs fs;
    if (rc == ENOSPC || (rc == EIO && statvfs(s->dir, &fs) == 0 &&
                         (uint64_t)fs.f_bavail * fs.f_frsize < STORE_DISK_LOW))
        return err_set(err, ERR(STORAGE_FULL), "", "the ledger's disk is full; nothing was written");
    log_warn("store: %s: %s", what, mdb_strerror(rc));
    return err_set(err, ERR(INTERNAL), "", "storage error in %s: %s", what, mdb_strerror(rc));
}

int store_get(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen,
              MDB_val *out, err_t *err)
{
    MDB_val k = { klen, (void *)key };
    int rc = mdb_get(txn, dbi, &k, out);
    if (rc == MDB_NOTFOUND)
        return 1;
    if (rc)
        return err_set(err, ERR(INTERNAL), "", "storage read: %s", mdb_strerror(rc));
    return 0;
}

int store_put(store_t *s, MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen,
              const void *val, size_t vlen, unsigned flags, err_t *err)
{
    MDB_val k = { klen, (void *)key }, v = { vlen, (void *)val };
    int rc = mdb_put(txn, dbi, &k, &v, flags);
    return rc ? store_error(s, rc, "put", err) : 0;
}

int store_del(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen, err_t *err)
{
    MDB_val k = { klen, (void *)key };
    int rc = mdb_del(txn, dbi, &k, NULL);
    if (rc && rc != MDB_NOTFOUND)
        return err_set(err, ERR(INTERNAL), "", "storage delete: %s", mdb_strerror(rc));
    return 0;
}

int store_put_msg(store_t *s, MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen,
                  const ProtobufCMessage *msg, unsigned flags, err_t *err)
{
    uint8_t stack[1024], *buf = stack;
    size_t n = protobuf_c_message_get_packed_size(msg);
    if (n > sizeof stack)
        buf = xmalloc(n);
    protobuf_c_message_pack(msg, buf);
    int rc = store_put(s, txn, dbi, key, klen, buf, n, flags, err);
    if (buf != stack)
        free(buf);
    return rc;
}

ProtobufCMessage *store_entity_get(store_t *s, MDB_txn *txn, entity_kind_t kind,
                                   uint64_t id, err_t *err)
{
    uint8_t key[8];
    MDB_val v;
    store_be64(key, id);
    int rc = store_get(txn, s->data[kind], key, 8, &v, err);
    if (rc < 0)
        return NULL;
    if (rc == 1) {
        err_set(err, ERR(NOT_FOUND), "", "no %s with id %llu", store_kind_name(kind),
                (unsigned long long)id);
        return NULL;
    }
    ProtobufCMessage *m = protobuf_c_message_unpack(store_kind_descriptor(kind), NULL,
                                                    v.mv_size, v.mv_data);
    if (!m)
        log_panic("store: %s %llu does not unpack", store_kind_name(kind),
                  (unsigned long long)id);
    return m;
}

uint64_t store_code_id(store_t *s, MDB_txn *txn, entity_kind_t kind, const char *code)
{
    MDB_val v;
    if (!code || !*code)
        return 0;
    if (store_get(txn, s->by_code[kind], code, strlen(code), &v, NULL) != 0 || v.mv_size != 8)
        return 0;
    return store_get_be64(v.mv_data);
}
