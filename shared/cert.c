/* cert - CURVE key pairs from libzmq, roles, and certificate files.
 * The files are written to a temporary name and renamed, so a crash leaves
 * either no certificate or a whole one, never a key without its secret. */
#define _GNU_SOURCE   /* O_CLOEXEC */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>
#include "cert.h"
#include "config.h"

static const char *const s_worker_kinds[] = { "attribution", "commission", "compliance",
                                              "reconciliation", NULL };

/* s_code_ok - a branch code as ledgerd takes it: [A-Za-z0-9._-], 1..16 */
static int s_code_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 16)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
              *s == '.' || *s == '_' || *s == '-'))
            return 0;
    return 1;
}

int role_parse(const char *text, role_t *out, const char *field, err_t *err)
{
    memset(out, 0, sizeof *out);
    if (!strcmp(text, "admin"))
        out->kind = ROLE_ADMIN;
    else if (!strcmp(text, "finance"))
        out->kind = ROLE_FINANCE;
    else if (!strcmp(text, "server"))
        out->kind = ROLE_SERVER;
    else if (!strncmp(text, "branch:", 7)) {
        if (!s_code_ok(text + 7))
            return err_set(err, ERR(INVALID), field, "\"%s\": a branch role is branch:<code>, "
                           "the code 1..16 of A-Z a-z 0-9 . _ -", text);
        out->kind = ROLE_BRANCH;
        snprintf(out->arg, sizeof out->arg, "%s", text + 7);
    } else if (!strncmp(text, "worker:", 7)) {
        for (const char *const *k = s_worker_kinds; *k; k++)
            if (!strcmp(text + 7, *k)) {
                out->kind = ROLE_WORKER;
                snprintf(out->arg, sizeof out->arg, "%s", *k);
            }
        if (out->kind != ROLE_WORKER)
            return err_set(err, ERR(INVALID), field, "\"%s\": a worker role is worker:attribution, "
                           "worker:commission, worker:compliance or worker:reconciliation", text);
    } else {
        return err_set(err, ERR(INVALID), field, "\"%s\" is not a role: admin, finance, "
                       "branch:<code> or worker:<kind>", text);
    }
    return 0;
}

int cert_key_valid(const char *text)
{
    uint8_t raw[32];
    return text && strlen(text) == CERT_KEY_LEN && zmq_z85_decode(raw, text) != NULL;
}

/* s_name_ok - 1..64 bytes on one line: it is written as a line of a file */
static int s_name_ok(const char *name)
{
    size_t n = strlen(name);
    return n >= 1 && n <= CERT_NAME_MAX && !strpbrk(name, "\r\n") && name[0] != ' ' &&
           name[n - 1] != ' ';
}

int cert_new(cert_t *c, const char *role, const char *name, const char *server_key, err_t *err)
{
    role_t r;
    memset(c, 0, sizeof *c);
    if (role_parse(role, &r, "role", err) < 0)
        return -1;
    if (!s_name_ok(name))
        return err_set(err, ERR(INVALID), "name", "a name is 1..%d bytes on one line, with no "
                       "blank at either end", CERT_NAME_MAX);
    if (zmq_curve_keypair(c->public_key, c->secret_key) != 0)
        return err_set(err, ERR(INTERNAL), "", "cannot make a CURVE key pair: %s (is libzmq "
                       "built with libsodium?)", zmq_strerror(zmq_errno()));
    snprintf(c->role, sizeof c->role, "%s", role);
    snprintf(c->name, sizeof c->name, "%s", name);
    snprintf(c->server_key, sizeof c->server_key, "%s", server_key ? server_key : "");
    return 0;
}

static int s_set(void *ctx, const char *key, const char *value, err_t *err)
{
    cert_t *c = ctx;
    char *dst = NULL;
    size_t n = 0;
    if (!strcmp(key, "role"))            dst = c->role, n = sizeof c->role;
    else if (!strcmp(key, "name"))       dst = c->name, n = sizeof c->name;
    else if (!strcmp(key, "public-key")) dst = c->public_key, n = sizeof c->public_key;
    else if (!strcmp(key, "secret-key")) dst = c->secret_key, n = sizeof c->secret_key;
    else if (!strcmp(key, "server-key")) dst = c->server_key, n = sizeof c->server_key;
    else
        return err_set(err, ERR(INVALID), "", "unknown key \"%s\" in a certificate", key);
    if (strlen(value) >= n)
        return err_set(err, ERR(OUT_OF_RANGE), "", "%s is too long", key);
    strcpy(dst, value);
    return 0;
}

int cert_load(const char *path, cert_t *c, err_t *err)
{
    memset(c, 0, sizeof *c);
    if (config_read(path, s_set, c, err) < 0)
        return -1;
    role_t r;
    if (role_parse(c->role, &r, path, err) < 0)
        return -1;
    if (!cert_key_valid(c->public_key))
        return err_set(err, ERR(INVALID), path, "public-key is missing or not a Z85 CURVE key");
    if (c->secret_key[0] && !cert_key_valid(c->secret_key))
        return err_set(err, ERR(INVALID), path, "secret-key is not a Z85 CURVE key");
    if (c->server_key[0] && !cert_key_valid(c->server_key))
        return err_set(err, ERR(INVALID), path, "server-key is not a Z85 CURVE key");
    return 0;
}

int cert_save(const char *path, const cert_t *c, int overwrite, err_t *err)
{
    char tmp[1100];
    if (!overwrite && access(path, F_OK) == 0)
        return err_set(err, ERR(DUPLICATE), path, "%s exists; not overwritten", path);
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return err_set(err, ERR(OUT_OF_RANGE), path, "path too long");
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    FILE *f = fd < 0 ? NULL : fdopen(fd, "w");
    if (!f) {
        if (fd >= 0)
            close(fd);
        return err_set(err, ERR(INVALID), path, "cannot write %s: %s", tmp, strerror(errno));
    }
    fprintf(f, c->secret_key[0] ? "# ledger certificate: the secret key is in here; keep it to "
                                  "yourself (mode 0600)\n"
                                : "# ledger public key: safe to hand out\n");
    const char *keys[] = { "role", "name", "public-key", "secret-key", "server-key" };
    const char *vals[] = { c->role, c->name, c->public_key, c->secret_key, c->server_key };
    for (int i = 0; i < 5; i++)
        if (vals[i][0])
            fprintf(f, "%s = %s\n", keys[i], vals[i]);
    int bad = fflush(f) != 0 || fsync(fileno(f)) != 0;
    if (fclose(f) != 0 || bad || rename(tmp, path) != 0) {
        int saved = errno;
        unlink(tmp);
        return err_set(err, ERR(INVALID), path, "cannot write %s: %s", path, strerror(saved));
    }
    return 0;
}

int cert_trust(const char *dir, const cert_t *c, err_t *err)
{
    char path[600];
    snprintf(path, sizeof path, "%s/trusted", dir);
    FILE *f = fopen(path, "a");
    if (!f)
        return err_set(err, ERR(INVALID), path, "cannot write %s: %s", path, strerror(errno));
    fprintf(f, "%s %s %s\n", c->public_key, c->role, c->name);
    if (fclose(f) != 0)
        return err_set(err, ERR(INVALID), path, "cannot write %s: %s", path, strerror(errno));
    return 0;
}

int cert_init(const char *dir, const char *name, cert_t *admin, err_t *err)
{
    char path[600];
    cert_t server;
    if (mkdir(dir, 0700) < 0 && errno != EEXIST)
        return err_set(err, ERR(INVALID), dir, "cannot create %s: %s", dir, strerror(errno));
    snprintf(path, sizeof path, "%s/server.secret", dir);
    if (access(path, F_OK) == 0)
        return err_set(err, ERR(DUPLICATE), dir, "%s already holds a server key (server.secret); "
                       "a second would lock out every certificate made for the first", dir);
    if (cert_new(&server, "server", "ledgerd", NULL, err) < 0 ||
        cert_new(admin, "admin", name, server.public_key, err) < 0)
        return -1;
    cert_t pub = server;
    pub.secret_key[0] = '\0';
    /* The admin's certificate and its trust line go first: a server key
     * without them would start a ledger nobody can manage. */
    char cert_path[600], pub_path[600];
    snprintf(cert_path, sizeof cert_path, "%s/admin.cert", dir);
    snprintf(pub_path, sizeof pub_path, "%s/server.public", dir);
    if (cert_save(cert_path, admin, 0, err) < 0 || cert_trust(dir, admin, err) < 0 ||
        cert_save(pub_path, &pub, 1, err) < 0 || cert_save(path, &server, 0, err) < 0)
        return -1;
    return 0;
}

int cert_client(void *sock, const cert_t *c)
{
    if (zmq_setsockopt(sock, ZMQ_CURVE_SERVERKEY, c->server_key, CERT_KEY_LEN + 1) < 0 ||
        zmq_setsockopt(sock, ZMQ_CURVE_PUBLICKEY, c->public_key, CERT_KEY_LEN + 1) < 0 ||
        zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, c->secret_key, CERT_KEY_LEN + 1) < 0)
        return -1;
    return 0;
}

int cert_server(void *sock, const cert_t *server, const char *domain)
{
    int on = 1;
    if (zmq_setsockopt(sock, ZMQ_CURVE_SERVER, &on, sizeof on) < 0 ||
        zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, server->secret_key, CERT_KEY_LEN + 1) < 0 ||
        zmq_setsockopt(sock, ZMQ_ZAP_DOMAIN, domain, strlen(domain)) < 0)
        return -1;
    return 0;
}
