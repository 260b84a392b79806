/* server - real ledgerd processes for integration tests (see server.h). */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "cert.h"
#include "server.h"

static void s_sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

/* s_read_endpoints - DIR/ledgerd.endpoints once the given pid wrote it */
static int s_read_endpoints(server_t *s)
{
    char path[300], line[300];
    snprintf(path, sizeof path, "%s/ledgerd.endpoints", s->dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    long pid = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        if (!strncmp(line, "listen=", 7))
            snprintf(s->listen, sizeof s->listen, "%s", line + 7);
        else if (!strncmp(line, "publish=", 8))
            snprintf(s->publish, sizeof s->publish, "%s", line + 8);
        else if (!strncmp(line, "pid=", 4))
            pid = atol(line + 4);
    }
    fclose(f);
    return pid == s->pid;
}

/* s_spawn - run a shell command as a child that dies with the test */
static pid_t s_spawn(const char *cmd)
{
    pid_t pid = fork();
    cr_assert_neq(pid, -1, "fork");
    if (pid == 0) {
        /* Dies with the test process, even one that crashed before its
         * teardown: no process outlives the test that started it. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    return pid;
}

/* s_start - ledgerd on s->dir with the given endpoints */
static void s_start(server_t *s, const char *listen, const char *publish)
{
    char path[300];
    snprintf(path, sizeof path, "%s/ledgerd.endpoints", s->dir);
    unlink(path);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "exec %s --data %s --listen '%s' --publish '%s' --quiet %s",
             LEDGERD_BIN, s->dir, listen, publish, s->args);
    s->pid = s_spawn(cmd);
    for (int i = 0; i < 1000; i++) {   /* 10 s: a sanitizer build starts slowly */
        if (s_read_endpoints(s))
            return;
        int status;
        if (waitpid(s->pid, &status, WNOHANG) == s->pid)
            cr_assert_fail("ledgerd exited during start-up (status %d): %s", status, cmd);
        s_sleep_ms(10);
    }
    kill(s->pid, SIGKILL);
    cr_assert_fail("ledgerd did not start within 10 s: %s", cmd);
}

/* The keys of every ledgerd a test process starts: one server key, an
 * admin certificate (LEDGER_CERT, so every client and ledgerctl of the test
 * uses it) and one per worker kind and the finance desk, all trusted. Made
 * once per process, so clients of two servers in one test work alike. */
static char s_keys_dir[64];
static const char *const s_roles[] = { "worker:attribution", "worker:commission",
                                       "worker:compliance", "worker:reconciliation", "finance",
                                       NULL };

static void s_keys_remove(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", s_keys_dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", s_keys_dir);
}

/* s_cert_path - where role's certificate is: "worker:commission" is
 * worker-commission.cert */
static void s_cert_path(char *out, size_t n, const char *dir, const char *role)
{
    snprintf(out, n, "%s/%s.cert", dir, role);
    for (char *p = out + strlen(dir); *p; p++)
        if (*p == ':')
            *p = '-';
}

static void s_keys(void)
{
    if (s_keys_dir[0])
        return;
    snprintf(s_keys_dir, sizeof s_keys_dir, "/tmp/ledger-keys-XXXXXX");
    cr_assert(mkdtemp(s_keys_dir), "mkdtemp");
    atexit(s_keys_remove);
    char keys[128], path[256];
    cert_t admin, c;
    err_t err;
    snprintf(keys, sizeof keys, "%s/keys", s_keys_dir);
    cr_assert_eq(cert_init(keys, "tester", &admin, &err), 0, "keys init: %s", err.msg);
    for (const char *const *r = s_roles; *r; r++) {
        s_cert_path(path, sizeof path, keys, *r);
        cr_assert_eq(cert_new(&c, *r, *r, admin.server_key, &err), 0, "%s", err.msg);
        cr_assert_eq(cert_save(path, &c, 0, &err), 0, "%s", err.msg);
        cr_assert_eq(cert_trust(keys, &c, &err), 0, "%s", err.msg);
    }
    snprintf(path, sizeof path, "%s/admin.cert", keys);
    setenv("LEDGER_CERT", path, 1);
}

const char *server_cert(const server_t *s, const char *role)
{
    static char path[300];
    char want[300], keys[128], out[1024];
    s_keys();
    snprintf(keys, sizeof keys, "%s/keys", s_keys_dir);
    if (!strcmp(role, "admin"))
        snprintf(want, sizeof want, "%s/admin.cert", keys);
    else
        s_cert_path(want, sizeof want, keys, role);
    if (access(want, F_OK) != 0) {
        /* A role made on demand is added through s, as an admin would (ctl
         * asks for the admin's path: this one is returned only after). */
        int rc = ctl(s, out, sizeof out, "keys add --role %s --name '%s' --out %s", role, role,
                     want);
        cr_assert_eq(rc, 0, "keys add --role %s: exit %d: %s", role, rc, out);
    }
    snprintf(path, sizeof path, "%s", want);
    return path;
}

void server_restart(server_t *s)
{
    s_start(s, "tcp://127.0.0.1:*", "tcp://127.0.0.1:*");
}

void server_restart_same(server_t *s)
{
    char listen[128], publish[128];
    snprintf(listen, sizeof listen, "%s", s->listen);
    snprintf(publish, sizeof publish, "%s", s->publish);
    for (int i = 0; i < 100; i++) {   /* the old process's ports may take a moment */
        s_start(s, listen, publish);
        if (!strcmp(s->listen, listen) && !strcmp(s->publish, publish))
            return;
        server_kill(s);
        s_sleep_ms(50);
    }
    cr_assert_fail("ledgerd could not bind %s and %s again", listen, publish);
}

pid_t worker_start(const server_t *s, const char *worker, const char *args, const char *log)
{
    char cmd[1400], role[64];
    /* ledger-finance follows the log as a worker does, as the finance desk */
    snprintf(role, sizeof role, strcmp(worker, "finance") ? "worker:%s" : "%s", worker);
    snprintf(cmd, sizeof cmd, "exec %s/ledger-%s --endpoint %s --events %s --cert %s "
             "--timeout 1000 %s 2>>%s", LEDGER_BIN_DIR, worker, s->listen, s->publish,
             server_cert(s, role), args, log);
    return s_spawn(cmd);
}

void server_start(server_t *s, const char *args)
{
    memset(s, 0, sizeof *s);
    snprintf(s->dir, sizeof s->dir, "/tmp/ledger-it-XXXXXX");
    cr_assert(mkdtemp(s->dir), "mkdtemp");
    s_keys();
    char cmd[700];   /* the server's key and the trusted list: its DATA/keys */
    snprintf(cmd, sizeof cmd, "mkdir -m 700 '%s/keys' && cp '%s/keys/server.secret' "
             "'%s/keys/trusted' '%s/keys/'", s->dir, s_keys_dir, s_keys_dir, s->dir);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
    snprintf(s->args, sizeof s->args, "%s", args ? args : "");
    server_restart(s);
}

/* s_wait_ms - wait up to ms, then SIGKILL (-1) */
static int s_wait_ms(pid_t pid, int ms)
{
    int status = 0;
    for (int i = 0; i < ms / 10; i++) {
        if (waitpid(pid, &status, WNOHANG) == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        s_sleep_ms(10);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return -1;
}

static int s_wait(pid_t pid)
{
    return s_wait_ms(pid, 10000);
}

int proc_wait(pid_t pid)
{
    return s_wait(pid);
}

int proc_wait_ms(pid_t pid, int ms)
{
    return s_wait_ms(pid, ms);
}

int proc_stop(pid_t pid)
{
    kill(pid, SIGTERM);
    return s_wait(pid);
}

int proc_exited(pid_t pid, int *status)
{
    int st;
    if (waitpid(pid, &st, WNOHANG) != pid)
        return 0;
    *status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    return 1;
}

int server_stop(server_t *s)
{
    if (s->pid <= 0)
        return -1;
    kill(s->pid, SIGTERM);
    int rc = s_wait(s->pid);
    s->pid = 0;
    return rc;
}

void server_kill(server_t *s)
{
    if (s->pid <= 0)
        return;
    kill(s->pid, SIGKILL);
    s_wait(s->pid);
    s->pid = 0;
}

void server_remove(server_t *s)
{
    char cmd[300];
    if (s->pid > 0)
        server_kill(s);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", s->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", s->dir);
}

/* s_client - run a client program against s with args, with the
 * certificate of role; its exit code */
static int s_client(const server_t *s, const char *program, const char *role, char *out,
                    size_t n, const char *args)
{
    char cmd[3500];
    snprintf(cmd, sizeof cmd, "%s --endpoint %s --events %s --cert %s --actor tester "
             "--timeout 3000 %s 2>&1", program, s->listen, s->publish, server_cert(s, role), args);
    FILE *p = popen(cmd, "r");
    cr_assert(p, "popen %s", cmd);
    size_t len = 0;
    if (out && n) {
        len = fread(out, 1, n - 1, p);
        out[len] = 0;
    }
    char sink[4096];
    while (fread(sink, 1, sizeof sink, p) > 0)
        ;
    int status = pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

int ctl(const server_t *s, char *out, size_t n, const char *fmt, ...)
{
    char args[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    return s_client(s, LEDGERCTL_BIN, "admin", out, n, args);
}

int ctl_as(const server_t *s, const char *role, char *out, size_t n, const char *fmt, ...)
{
    char args[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    return s_client(s, LEDGERCTL_BIN, role, out, n, args);
}

int finance(const server_t *s, char *out, size_t n, const char *fmt, ...)
{
    char args[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    return s_client(s, LEDGER_BIN_DIR "/ledger-finance", "finance", out, n, args);
}

void policy_put(const server_t *s, const char *month, const char *yaml)
{
    static int n;
    char path[512], out[4096];
    snprintf(path, sizeof path, "%s/policy-%s-%d.yaml", s->dir, month, ++n);
    FILE *f = fopen(path, "w");
    cr_assert(f, "%s", path);
    fputs(yaml, f);
    fclose(f);
    int rc = ctl(s, out, sizeof out, "policy set --month %s %s", month, path);
    cr_assert_eq(rc, 0, "policy set --month %s: exit %d: %s", month, rc, out);
}
