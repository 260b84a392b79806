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
 * returns once it has written its endpoints; fails the test otherwise */
void server_start(server_t *s, const char *args);

/* server_restart - start again on the same directory (after a stop or kill) */
void server_restart(server_t *s);

/* server_stop - SIGTERM and wait; returns the exit status (or 128+signal) */
int server_stop(server_t *s);

/* server_kill - SIGKILL and wait: a crash */
void server_kill(server_t *s);

/* server_remove - delete the data directory */
void server_remove(server_t *s);

/* ctl - run ledgerctl against s with args (a shell word list); stdout and
 * stderr go to out; returns ledgerctl's exit code */
int ctl(const server_t *s, char *out, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
