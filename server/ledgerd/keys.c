/* keys - the key book: key.add, key.revoke, key.list (admin only, by
 * authorise.c), and the trusted file read at start. A key is never deleted:
 * a revoked one stays, so the log's actors can always be told apart and a
 * revoked key cannot be added back under another role. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "eventlog.h"
#include "keys.h"
#include "log.h"
#include "validate.h"
#include "xmalloc.h"

/* s_get - the stored key, unpacked (caller frees); NULL when absent */
static Ledger__Key *s_get(apply_t *a, const char *public_key)
{
    MDB_val v;
    if (store_get(a->txn, a->store->keys, public_key, strlen(public_key), &v, NULL) != 0)
        return NULL;
    return ledger__key__unpack(NULL, v.mv_size, v.mv_data);
}

/* s_put - store the key and append its event */
static int s_put(apply_t *a, Ledger__Key *key, const char *kind, err_t *err)
{
    Ledger__Event ev = LEDGER__EVENT__INIT;
    ev.kind = (char *)kind;
    ev.entity_code = key->public_key;
    ev.body_case = LEDGER__EVENT__BODY_KEY;
    ev.key = key;
    if (store_put_msg(a->store, a->txn, a->store->keys, key->public_key,
                      strlen(key->public_key), &key->base, 0, err) < 0 ||
        eventlog_append(a, &ev, err) < 0)
        return -1;
    a->keys_changed = 1;
    return 0;
}

/* s_check - a key as key.add takes it */
static int s_check(const Ledger__Key *k, err_t *err)
{
    role_t role;
    if (!k)
        return err_set(err, ERR(MISSING), "key", "a key is required");
    if (validate_text(k->public_key, "key.public_key", 1, CERT_KEY_LEN, err) < 0)
        return -1;
    if (!cert_key_valid(k->public_key))
        return err_set(err, ERR(INVALID), "key.public_key", "not a Z85 CURVE public key "
                       "(40 characters)");
    if (validate_text(k->role, "key.role", 1, CERT_ROLE_MAX, err) < 0 ||
        role_parse(k->role, &role, "key.role", err) < 0)
        return -1;
    if (role.kind == ROLE_SERVER)
        return err_set(err, ERR(INVALID), "key.role", "\"server\" is ledgerd's own key, not a "
                       "client's");
    if (validate_text(k->name, "key.name", 1, CERT_NAME_MAX, err) < 0)
        return -1;
    if (strpbrk(k->name, "\r\n"))
        return err_set(err, ERR(INVALID), "key.name", "a name is one line");
    return 0;
}

int key_add(apply_t *a, const ProtobufCMessage *req, err_t *err)
{
    const Ledger__KeyAdd *r = (const void *)req;
    if (s_check(r->key, err) < 0)
        return -1;
    Ledger__Key *old = s_get(a, r->key->public_key);
    if (old) {
        int revoked = old->_revoked_ms_case != LEDGER__KEY___REVOKED_MS__NOT_SET;
        ledger__key__free_unpacked(old, NULL);
        return err_set(err, ERR(DUPLICATE), "key.public_key", revoked
                       ? "this key was revoked; make a new key pair instead"
                       : "this key is already in the key book");
    }
    Ledger__Key k = LEDGER__KEY__INIT;
    k.public_key = r->key->public_key;
    k.role = r->key->role;
    k.name = r->key->name;
    k.added_ms = a->counters.ledger_ms;
    k.added_by = (char *)a->actor;
    if (s_put(a, &k, "key.added", err) < 0)
        return -1;
    apply_reply(a, &k.base);
    return 0;
}

int key_revoke(apply_t *a, const ProtobufCMessage *req, err_t *err)
{
    const Ledger__KeyRevoke *r = (const void *)req;
    if (validate_text(r->public_key, "public_key", 1, CERT_KEY_LEN, err) < 0)
        return -1;
    Ledger__Key *k = s_get(a, r->public_key);
    if (!k)
        return err_set(err, ERR(NOT_FOUND), "public_key", "no such key in the key book");
    int rc = 0;
    if (k->_revoked_ms_case == LEDGER__KEY___REVOKED_MS__NOT_SET) {   /* twice: the first stands */
        k->_revoked_ms_case = LEDGER__KEY___REVOKED_MS_REVOKED_MS;
        k->revoked_ms = a->counters.ledger_ms;
        char *by = k->revoked_by;
        k->revoked_by = (char *)a->actor;
        rc = s_put(a, k, "key.revoked", err);
        if (rc == 0)
            apply_reply(a, &k->base);
        k->revoked_by = by;   /* the message frees its own string, not a->actor */
    } else {
        apply_reply(a, &k->base);
    }
    ledger__key__free_unpacked(k, NULL);
    return rc;
}

int key_list(apply_t *a, const ProtobufCMessage *req, err_t *err)
{
    (void)req;
    (void)err;
    Ledger__KeyListReply rep = LEDGER__KEY_LIST_REPLY__INIT;
    MDB_cursor *cur;
    MDB_val k, v;
    if (mdb_cursor_open(a->txn, a->store->keys, &cur) == 0) {
        for (int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
             rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
            Ledger__Key *key = ledger__key__unpack(NULL, v.mv_size, v.mv_data);
            if (!key)
                continue;
            rep.keys = xrealloc(rep.keys, (rep.n_keys + 1) * sizeof *rep.keys);
            rep.keys[rep.n_keys++] = key;
        }
        mdb_cursor_close(cur);
    }
    apply_reply(a, &rep.base);
    for (size_t i = 0; i < rep.n_keys; i++)
        ledger__key__free_unpacked(rep.keys[i], NULL);
    free(rep.keys);
    return 0;
}

int keys_trust(apply_t *a, const char *dir, size_t *added, err_t *err)
{
    char path[600], line[512];
    *added = 0;
    snprintf(path, sizeof path, "%s/trusted", dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;   /* no file: nothing to trust beyond the key book */
    unsigned lineno = 0;
    int rc = 0;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0] || line[0] == '#')
            continue;
        char *role = strchr(line, ' '), *name = role ? strchr(role + 1, ' ') : NULL;
        if (!name) {
            rc = err_set(err, ERR(INVALID), path, "%s:%u: want \"<public key> <role> <name>\"",
                         path, lineno);
            break;
        }
        *role++ = '\0';
        *name++ = '\0';
        Ledger__Key k = LEDGER__KEY__INIT;
        k.public_key = line;
        k.role = role;
        k.name = name;
        if ((rc = s_check(&k, err)) < 0) {
            char msg[sizeof err->msg];
            snprintf(msg, sizeof msg, "%s:%u: %s: %s", path, lineno, err->field, err->msg);
            err_set(err, ERR(INVALID), path, "%s", msg);
            break;
        }
        Ledger__Key *old = s_get(a, line);
        if (old) {   /* in the book already: a revoked key stays revoked */
            ledger__key__free_unpacked(old, NULL);
            continue;
        }
        k.added_ms = a->counters.ledger_ms;
        k.added_by = (char *)a->actor;
        if ((rc = s_put(a, &k, "key.added", err)) == 0)
            (*added)++;
    }
    fclose(f);
    return rc;
}
