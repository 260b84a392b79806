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

void server_restart(server_t *s)
{
    char path[300];
    snprintf(path, sizeof path, "%s/ledgerd.endpoints", s->dir);
    unlink(path);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "exec %s --data %s --listen 'tcp://127.0.0.1:*' "
             "--publish 'tcp://127.0.0.1:*' --quiet %s", LEDGERD_BIN, s->dir, s->args);
    s->pid = fork();
    cr_assert_neq(s->pid, -1, "fork");
    if (s->pid == 0) {
        /* Dies with the test process, even one that crashed before its
         * teardown: no ledgerd outlives the test that started it. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
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

void server_start(server_t *s, const char *args)
{
    memset(s, 0, sizeof *s);
    snprintf(s->dir, sizeof s->dir, "/tmp/ledger-it-XXXXXX");
    cr_assert(mkdtemp(s->dir), "mkdtemp");
    snprintf(s->args, sizeof s->args, "%s", args ? args : "");
    server_restart(s);
}

static int s_wait(pid_t pid)
{
    int status = 0;
    for (int i = 0; i < 1000; i++) {
        if (waitpid(pid, &status, WNOHANG) == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        s_sleep_ms(10);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return -1;
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

int ctl(const server_t *s, char *out, size_t n, const char *fmt, ...)
{
    char args[2048], cmd[3072];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    snprintf(cmd, sizeof cmd, "%s --endpoint %s --events %s --actor tester --timeout 3000 %s 2>&1",
             LEDGERCTL_BIN, s->listen, s->publish, args);
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
