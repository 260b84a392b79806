/* server - start a real ledgerd for integration tests: a fresh temporary
 * data directory, loopback ports picked by the kernel (port *), stopped by
 * PID. Like Redis's tests/support/server.tcl start_server/kill_server. */
#ifndef LEDGER_TEST_SERVER_H
#define LEDGER_TEST_SERVER_H

#include <stddef.h>
#include <sys/types.h>

typedef struct {
    pid_t pid;
    char  dir[256];        /* data directory */
    char  listen[128];     /* bound request endpoint */
    char  publish[128];    /* bound event endpoint */
    char  args[256];       /* extra flags, kept for restarts */
} server_t;

/* server_start - ledgerd on a new temp dir with extra flags (may be "");
 * returns once it has written its endpoints; fails the test otherwise.
 * Its keys are the test process's own (made on first use): an admin
 * certificate in $LEDGER_CERT, which client_new, ctl and wire_* use, and
 * one per worker kind and the finance desk, which worker_start and finance
 * use. */
void server_start(server_t *s, const char *args);

/* server_restart - start again on the same directory (after a stop or kill) */
void server_restart(server_t *s);

/* server_restart_same - start again on the same directory and the same
 * endpoints, so connected clients and workers reconnect by themselves */
void server_restart_same(server_t *s);

/* server_stop - SIGTERM and wait; returns the exit status (or 128+signal) */
int server_stop(server_t *s);

/* server_kill - SIGKILL and wait: a crash */
void server_kill(server_t *s);

/* server_remove - delete the data directory */
void server_remove(server_t *s);

/* worker_start - build/ledger-<worker> against s with extra args; its
 * stderr is appended to log. Stop it with proc_stop or kill it. */
pid_t worker_start(const server_t *s, const char *worker, const char *args, const char *log);

/* proc_wait - wait (10 s at most, then SIGKILL) and return the exit status
 * (128+signal when killed; -1 when it had to be killed) */
int proc_wait(pid_t pid);

/* proc_wait_ms - proc_wait with a limit of ms (a long run: a replay of a
 * year under the sanitizers) */
int proc_wait_ms(pid_t pid, int ms);

/* proc_stop - SIGTERM, then proc_wait */
int proc_stop(pid_t pid);

/* proc_exited - 1 with *status when pid has exited, 0 while it runs */
int proc_exited(pid_t pid, int *status);

/* ctl - run ledgerctl against s with args (a shell word list); stdout and
 * stderr go to out; returns ledgerctl's exit code */
int ctl(const server_t *s, char *out, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* ctl_as - ctl with the certificate of role ("branch:BJ01", "finance"...) */
int ctl_as(const server_t *s, const char *role, char *out, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* server_cert - the path of role's certificate ("admin", "worker:<kind>",
 * "finance", or any other role, which is then added to s by its admin) */
const char *server_cert(const server_t *s, const char *role);

/* policy_put - a new version of month's policy from this YAML, set with
 * ledgerctl (the YAML kept in s's directory); fails the test when refused */
void policy_put(const server_t *s, const char *month, const char *yaml);

/* finance - the same for ledger-finance */
int finance(const server_t *s, char *out, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
