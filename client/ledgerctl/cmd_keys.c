/* cmd_keys - `ledgerctl keys init|add|revoke|list`: the keys that let
 * people and workers in. init works offline, on the server's machine; the
 * rest are admin requests. A new key pair is made here, so its secret half
 * is only ever in the certificate file this writes; ledgerd learns the
 * public half. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cert.h"
#include "client.h"
#include "ctl.h"
#include "frame.h"

static const char s_help[] =
    "usage: ledgerctl keys COMMAND\n"
    "\n"
    "Every connection to ledgerd is CURVE-encrypted and made with a certificate:\n"
    "a key pair, a role (admin, finance, branch:<code>, worker:<kind>) and a\n"
    "person's name. ledgerd lets in only keys it holds and has not revoked, and\n"
    "the role decides each request.\n";

static const char s_init_usage[] =
    "usage: ledgerctl keys init --dir DIR [--name NAME]\n"
    "\n"
    "Make a new ledger's keys in DIR (ledgerd's --keys, by default DATA/keys),\n"
    "with no ledgerd running: server.secret (ledgerd's key pair; stays on the\n"
    "server), server.public, and admin.cert, the first admin's certificate\n"
    "(named NAME, default $USER), which ledgerd trusts from its next start.\n"
    "Refuses a DIR that already has a server key.\n";

static const char s_add_usage[] =
    "usage: ledgerctl keys add --role ROLE --name NAME --out FILE\n"
    "\n"
    "Make a key pair, register its public key with ledgerd with ROLE and NAME,\n"
    "and write the certificate to FILE (mode 0600) for its owner. ROLE is admin,\n"
    "finance, branch:<code> or worker:attribution|commission|compliance|\n"
    "reconciliation. The server key comes from your own certificate. Admin only.\n";

static const char s_revoke_usage[] =
    "usage: ledgerctl keys revoke PUBLIC-KEY|CERT-FILE\n"
    "\n"
    "Revoke a key: ledgerd refuses it from its next connection and request on,\n"
    "without a restart. Give the public key (as 'keys list' shows it) or the\n"
    "certificate file. Admin only.\n";

static const char s_list_usage[] =
    "usage: ledgerctl keys list\n"
    "\n"
    "Every key ledgerd holds: public key, role, name, when added and revoked.\n"
    "Admin only.\n";

enum { OPT_DIR = 256, OPT_NAME, OPT_ROLE, OPT_OUT };

static void s_json_key(out_json_t *j, const Ledger__Key *k)
{
    out_json_object(j, NULL);
    out_json_str(j, "public_key", k->public_key);
    out_json_str(j, "role", k->role);
    out_json_str(j, "name", k->name);
    out_json_time(j, "added", k->added_ms);
    out_json_str(j, "added_by", k->added_by);
    if (k->_revoked_ms_case == LEDGER__KEY___REVOKED_MS_REVOKED_MS) {
        out_json_time(j, "revoked", k->revoked_ms);
        out_json_str(j, "revoked_by", k->revoked_by);
    } else {
        out_json_null(j, "revoked");
    }
    out_json_end(j);
}

/* s_reply - a key.add or key.revoke reply: the key as JSON, or the line;
 * frees r */
static int s_reply(ctl_t *ctl, Ledger__Key *r, const char *line)
{
    if (ctl->json) {
        out_json_t j;
        out_json_init(&j, stdout);
        s_json_key(&j, r);
    } else {
        printf("%s\n", line);
    }
    protobuf_c_message_free_unpacked(&r->base, NULL);
    return CTL_OK;
}

static int s_init(ctl_t *ctl, int argc, char **argv)
{
    static const struct option opts[] = {
        { "dir", required_argument, NULL, OPT_DIR },
        { "name", required_argument, NULL, OPT_NAME },
        CTL_OPTS_END
    };
    ctl_opts_t o = { argc, argv, "keys init", s_init_usage, opts };
    const char *dir = NULL, *name = getenv("USER");
    int c, rc;
    while ((c = ctl_opt_next(&o)) != -1) {
        if (c == CTL_OPT_STOP)
            return o.rc;
        if (c == OPT_DIR)
            dir = optarg;
        else if (c == OPT_NAME)
            name = optarg;
    }
    if ((rc = ctl_opt_operands(&o, 0, 0, "")))
        return rc;
    if (!dir)
        return ctl_usage(o.cmd, "--dir is required: where ledgerd's keys go");
    cert_t admin;
    err_t err;
    if (cert_init(dir, name && *name ? name : "admin", &admin, &err) < 0) {
        fprintf(stderr, "%s: keys init: %s\n", ctl_program, err.msg);
        return err.code == ERR(INVALID) && !strncmp(err.msg, "a name", 6) ? CTL_USAGE
                                                                          : CTL_REJECTED;
    }
    if (ctl->json) {
        out_json_t j;
        out_json_init(&j, stdout);
        out_json_object(&j, NULL);
        out_json_str(&j, "dir", dir);
        out_json_str(&j, "admin_public_key", admin.public_key);
        out_json_str(&j, "admin_name", admin.name);
        out_json_end(&j);
    } else {
        printf("made %s/server.secret (ledgerd's key: keep it on the server), server.public,\n"
               "and %s/admin.cert for %s (key %s), trusted by ledgerd from its next start.\n"
               "Hand admin.cert to its owner and delete it here; use it with --cert.\n",
               dir, dir, admin.name, admin.public_key);
    }
    return CTL_OK;
}

static int s_add(ctl_t *ctl, int argc, char **argv)
{
    static const struct option opts[] = {
        { "role", required_argument, NULL, OPT_ROLE },
        { "name", required_argument, NULL, OPT_NAME },
        { "out", required_argument, NULL, OPT_OUT },
        CTL_OPTS_END
    };
    ctl_opts_t o = { argc, argv, "keys add", s_add_usage, opts };
    const char *role = NULL, *name = NULL, *out = NULL;
    int c, rc;
    while ((c = ctl_opt_next(&o)) != -1) {
        if (c == CTL_OPT_STOP)
            return o.rc;
        if (c == OPT_ROLE) role = optarg;
        else if (c == OPT_NAME) name = optarg;
        else if (c == OPT_OUT) out = optarg;
    }
    if ((rc = ctl_opt_operands(&o, 0, 0, "")))
        return rc;
    if (!role || !name || !out)
        return ctl_usage(o.cmd, "--%s is required", !role ? "role" : !name ? "name" : "out");
    if (access(out, F_OK) == 0)
        return ctl_usage(o.cmd, "--out: %s exists; not overwritten", out);
    if ((rc = ctl_open(ctl)))
        return rc;
    const cert_t *mine = client_cert(ctl->client);
    cert_t cert;
    err_t err;
    if (!mine)
        return ctl_usage(o.cmd, "no certificate of your own (--cert or LEDGER_CERT) to take the "
                         "server key from");
    if (cert_new(&cert, role, name, mine->server_key, &err) < 0)
        return ctl_usage(o.cmd, "--%s: %s", err.field, err.msg);
    /* The file first: a key ledgerd holds whose secret was lost would be a
     * key nobody can use; a file whose key ledgerd refused is removed. */
    if (cert_save(out, &cert, 0, &err) < 0) {
        fprintf(stderr, "%s: keys add: %s\n", ctl_program, err.msg);
        return CTL_REJECTED;
    }
    Ledger__Meta meta = LEDGER__META__INIT;
    Ledger__KeyAdd req = LEDGER__KEY_ADD__INIT;
    Ledger__Key key = LEDGER__KEY__INIT, *r = NULL;
    ctl_meta_write(ctl, &meta);
    req.meta = &meta;
    key.public_key = cert.public_key;
    key.role = cert.role;
    key.name = cert.name;
    req.key = &key;
    if ((rc = ctl_call(ctl, FRAME_KEY_ADD, &req.base, &ledger__key__descriptor,
                       (ProtobufCMessage **)&r))) {
        unlink(out);
        return rc;
    }
    char line[600];
    snprintf(line, sizeof line, "added key %s: %s, %s; certificate written to %s", r->public_key,
             r->role, r->name, out);
    return s_reply(ctl, r, line);
}

static int s_revoke(ctl_t *ctl, int argc, char **argv)
{
    ctl_opts_t o = { argc, argv, "keys revoke", s_revoke_usage };
    Ledger__Meta meta = LEDGER__META__INIT;
    Ledger__KeyRevoke req = LEDGER__KEY_REVOKE__INIT;
    Ledger__Key *r = NULL;
    cert_t cert;
    err_t err;
    int rc;
    if (ctl_start(ctl, &o, 1, 1, "PUBLIC-KEY|CERT-FILE"))
        return o.rc;
    const char *what = argv[optind];
    if (cert_key_valid(what))
        req.public_key = (char *)what;
    else if (cert_load(what, &cert, &err) == 0)
        req.public_key = cert.public_key;
    else
        return ctl_usage(o.cmd, "'%s' is neither a public key (40 characters of Z85) nor a "
                         "certificate: %s", what, err.msg);
    ctl_meta_write(ctl, &meta);
    req.meta = &meta;
    if ((rc = ctl_call(ctl, FRAME_KEY_REVOKE, &req.base, &ledger__key__descriptor,
                       (ProtobufCMessage **)&r)))
        return rc;
    char line[400], t[32];
    snprintf(line, sizeof line, "revoked key %s (%s, %s) at %s", r->public_key, r->role, r->name,
             ctl_time(t, sizeof t, r->revoked_ms));
    return s_reply(ctl, r, line);
}

static int s_list(ctl_t *ctl, int argc, char **argv)
{
    ctl_opts_t o = { argc, argv, "keys list", s_list_usage };
    Ledger__Meta meta = LEDGER__META__INIT;
    Ledger__KeyList req = LEDGER__KEY_LIST__INIT;
    Ledger__KeyListReply *r = NULL;
    int rc;
    if (ctl_start(ctl, &o, 0, 0, ""))
        return o.rc;
    ctl_meta_read(ctl, &meta);
    req.meta = &meta;
    if ((rc = ctl_call(ctl, FRAME_KEY_LIST, &req.base, &ledger__key_list_reply__descriptor,
                       (ProtobufCMessage **)&r)))
        return rc;
    if (ctl->json) {
        out_json_t j;
        out_json_init(&j, stdout);
        out_json_array(&j, NULL);
        for (size_t i = 0; i < r->n_keys; i++)
            s_json_key(&j, r->keys[i]);
        out_json_end(&j);
    } else {
        out_table_t *t = out_table_new(5, "PUBLIC KEY", "ROLE", "NAME", "ADDED", "REVOKED");
        for (size_t i = 0; i < r->n_keys; i++) {
            const Ledger__Key *k = r->keys[i];
            char added[32], revoked[32] = "";
            ctl_time(added, sizeof added, k->added_ms);
            if (k->_revoked_ms_case == LEDGER__KEY___REVOKED_MS_REVOKED_MS)
                ctl_time(revoked, sizeof revoked, k->revoked_ms);
            out_table_row(t, k->public_key, k->role, k->name, added, revoked);
        }
        out_table_print(t, stdout);
        out_table_destroy(&t);
    }
    protobuf_c_message_free_unpacked(&r->base, NULL);
    return CTL_OK;
}

static const ctl_cmd_t s_cmds[] = {
    { "init", s_init, "make a new ledger's server key and first admin certificate (offline)" },
    { "add", s_add, "make a certificate and register its key with a role and a name" },
    { "revoke", s_revoke, "refuse a key from now on" },
    { "list", s_list, "every key ledgerd holds" },
    { NULL, NULL, NULL }
};

/* cmd_keys - `ledgerctl keys ...` */
int cmd_keys(ctl_t *ctl, int argc, char **argv)
{
    return ctl_group(ctl, "keys", s_cmds, s_help, argc, argv);
}
