/* cert - roles as written, key pairs, and certificate files: what
 * `ledgerctl keys` writes, ledgerd and every client read back. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cert.h"

static char dir[64];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/ledger-cert-XXXXXX");
    cr_assert(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(cert, .init = setup, .fini = teardown);

Test(cert, roles_are_admin_finance_a_branch_code_or_a_known_worker_kind)
{
    role_t r;
    err_t err;
    cr_assert_eq(role_parse("admin", &r, "role", &err), 0);
    cr_assert_eq(r.kind, ROLE_ADMIN);
    cr_assert_eq(role_parse("finance", &r, "role", &err), 0);
    cr_assert_eq(r.kind, ROLE_FINANCE);
    cr_assert_eq(role_parse("branch:BJ01", &r, "role", &err), 0);
    cr_assert_eq(r.kind, ROLE_BRANCH);
    cr_assert_str_eq(r.arg, "BJ01");
    cr_assert_eq(role_parse("branch:ABCDEFGHIJKLMNOP", &r, "role", &err), 0, "16 characters");
    cr_assert_eq(role_parse("worker:reconciliation", &r, "role", &err), 0);
    cr_assert_eq(r.kind, ROLE_WORKER);
    cr_assert_str_eq(r.arg, "reconciliation");

    const char *bad[] = { "", "Admin", "branch:", "branch:ABCDEFGHIJKLMNOPQ", "branch:BJ 01",
                          "branch:北京", "worker:", "worker:payroll", "worker:attribution:0/2",
                          "finance ", "root" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        cr_assert_eq(role_parse(bad[i], &r, "key.role", &err), -1, "\"%s\" taken", bad[i]);
        cr_assert_eq(err.code, ERR(INVALID));
        cr_assert_str_eq(err.field, "key.role");
    }
}

Test(cert, a_certificate_is_written_0600_and_read_back_whole)
{
    cert_t c, back;
    err_t err;
    char path[128];
    cr_assert_eq(cert_new(&c, "branch:SH01", "陈静", "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7", &err),
                 0, "%s", err.msg);
    cr_assert(cert_key_valid(c.public_key) && cert_key_valid(c.secret_key));
    cr_assert_str_neq(c.public_key, c.secret_key);
    snprintf(path, sizeof path, "%s/c.cert", dir);
    cr_assert_eq(cert_save(path, &c, 0, &err), 0, "%s", err.msg);
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0600, "the secret is its owner's alone");
    cr_assert_eq(cert_load(path, &back, &err), 0, "%s", err.msg);
    cr_assert_eq(memcmp(&c, &back, sizeof c), 0, "every field as written");
    /* Not overwritten unless asked. */
    cr_assert_eq(cert_save(path, &c, 0, &err), -1);
    cr_assert_eq(err.code, ERR(DUPLICATE));
    cr_assert_eq(cert_save(path, &c, 1, &err), 0);
}

Test(cert, a_bad_file_names_itself_and_what_is_wrong)
{
    char path[128];
    err_t err;
    cert_t c;
    snprintf(path, sizeof path, "%s/bad.cert", dir);
    FILE *f = fopen(path, "w");
    fprintf(f, "role = admin\nname = x\npublic-key = not-a-key\n");
    fclose(f);
    cr_assert_eq(cert_load(path, &c, &err), -1);
    cr_assert_str_eq(err.field, path);
    cr_assert(strstr(err.msg, "public-key"), "%s", err.msg);

    f = fopen(path, "w");
    fprintf(f, "role = admin\nshoe-size = 42\n");
    fclose(f);
    cr_assert_eq(cert_load(path, &c, &err), -1);
    cr_assert(strstr(err.msg, "shoe-size"), "%s", err.msg);

    snprintf(path, sizeof path, "%s/none.cert", dir);
    cr_assert_eq(cert_load(path, &c, &err), -1);
    cr_assert_eq(err.code, ERR(NOT_FOUND));
}

Test(cert, init_makes_the_server_key_and_a_trusted_admin_once)
{
    char keys[128], path[200], line[256];
    cert_t admin, server, again;
    err_t err;
    snprintf(keys, sizeof keys, "%s/keys", dir);
    cr_assert_eq(cert_init(keys, "张伟", &admin, &err), 0, "%s", err.msg);
    snprintf(path, sizeof path, "%s/server.secret", keys);
    cr_assert_eq(cert_load(path, &server, &err), 0, "%s", err.msg);
    cr_assert_str_eq(server.role, "server");
    cr_assert_str_eq(admin.server_key, server.public_key, "the admin talks to this server");
    cr_assert_str_eq(admin.role, "admin");
    snprintf(path, sizeof path, "%s/trusted", keys);
    FILE *f = fopen(path, "r");
    cr_assert(f);
    cr_assert(fgets(line, sizeof line, f));
    fclose(f);
    char want[200];
    snprintf(want, sizeof want, "%s admin 张伟\n", admin.public_key);
    cr_assert_str_eq(line, want);
    /* A second init would lock out every certificate made for the first. */
    cr_assert_eq(cert_init(keys, "李雷", &again, &err), -1);
    cr_assert_eq(err.code, ERR(DUPLICATE));
    snprintf(path, sizeof path, "%s/server.secret", keys);
    cert_t still;
    cr_assert_eq(cert_load(path, &still, &err), 0);
    cr_assert_str_eq(still.secret_key, server.secret_key, "the first server key stays");
}
