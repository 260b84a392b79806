/* cert - CURVE key pairs, roles and the certificate files that carry them.
 *
 * A certificate is a "key = value" file (config.h) of mode 0600:
 *
 *     # ledger certificate: the secret key is in here; keep it to yourself
 *     role = branch:BJ01
 *     name = 王芳
 *     public-key = <Z85, 40 characters>
 *     secret-key = <Z85>
 *     server-key = <ledgerd's public key, Z85>
 *
 * ledgerd's own is DIR/server.secret (role "server", no server-key); its
 * public half is DIR/server.public. DIR/trusted lists keys ledgerd adds to
 * its key book at start when the book lacks them, one per line:
 * "<public key> <role> <name>" (how the first admin key gets in). */
#ifndef LEDGER_CERT_H
#define LEDGER_CERT_H

#include <stddef.h>
#include "err.h"

#define CERT_KEY_LEN   40   /* a Z85 CURVE key */
#define CERT_ROLE_MAX  47
#define CERT_NAME_MAX  64

typedef enum { ROLE_NONE, ROLE_ADMIN, ROLE_FINANCE, ROLE_BRANCH, ROLE_WORKER, ROLE_SERVER } role_kind_t;

typedef struct {
    role_kind_t kind;
    char        arg[33];   /* the branch code or the worker kind */
} role_t;

typedef struct {
    char role[CERT_ROLE_MAX + 1];
    char name[CERT_NAME_MAX + 1];
    char public_key[CERT_KEY_LEN + 1];
    char secret_key[CERT_KEY_LEN + 1];
    char server_key[CERT_KEY_LEN + 1];   /* empty in ledgerd's own */
} cert_t;

/* role_parse - "admin", "finance", "branch:<code>", "worker:<kind>" (kind
 * one of attribution, commission, compliance, reconciliation); field names
 * the caller's field in errors */
int role_parse(const char *text, role_t *out, const char *field, err_t *err);

/* cert_key_valid - 1 when text is a Z85 CURVE key (40 characters, decodes) */
int cert_key_valid(const char *text);

/* cert_new - a fresh key pair with this role and name */
int cert_new(cert_t *c, const char *role, const char *name, const char *server_key, err_t *err);

/* cert_load - read and check a certificate file (field: the path) */
int cert_load(const char *path, cert_t *c, err_t *err);

/* cert_save - write c to path, mode 0600, whole or not at all; an existing
 * file is refused unless overwrite; empty fields are left out (server.public
 * is a certificate with no secret) */
int cert_save(const char *path, const cert_t *c, int overwrite, err_t *err);

/* cert_trust - append c's public key, role and name to DIR/trusted */
int cert_trust(const char *dir, const cert_t *c, err_t *err);

/* cert_init - a new key directory: server.secret, server.public, and
 * admin.cert (a first admin key, named name) listed in trusted. Refuses a
 * directory that already has a server.secret. */
int cert_init(const char *dir, const char *name, cert_t *admin, err_t *err);

/* cert_client - make sock a CURVE client with c's keys */
int cert_client(void *sock, const cert_t *c);

/* cert_server - make sock a CURVE server with ledgerd's key; domain names
 * the socket to the ZAP handler ("requests", "events") */
int cert_server(void *sock, const cert_t *server, const char *domain);

#endif
