/* faults - what the reliability tests need beside server.h and wire.h: a
 * seed that a failure prints and a rerun takes back, a process's anonymous
 * memory, a small file system that can be filled, and the log and cursors
 * read through shared/client.c (so how a test connects, with its
 * certificate, stays server.c's and client.c's business). */
#ifndef LEDGER_TEST_FAULTS_H
#define LEDGER_TEST_FAULTS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "client.h"
#include "event.pb-c.h"

/* faults_seed - $LEDGER_TEST_SEED when set, else a fresh random seed;
 * printed with the test's name so a failure can be run again with it */
uint64_t faults_seed(const char *test);

/* faults_rand - the next number of a splitmix64 stream, below n (n > 0) */
uint64_t faults_rand(uint64_t *state, uint64_t n);

/* faults_sleep_ms - a pause (monotonic; never the wall clock) */
void faults_sleep_ms(int ms);

/* faults_now_ms - the monotonic clock in ms, for durations */
int64_t faults_now_ms(void);

/* faults_rss_anon_kib - RssAnon of pid from /proc/PID/status, in KiB;
 * fails the test when it cannot be read */
long faults_rss_anon_kib(pid_t pid);

/* faults_tmpfs - mount a tmpfs of the given size on dir, with what dir
 * held copied onto it, in a mount namespace of this test process's own
 * (children started afterwards see it; nothing outside does). As root it
 * needs only unshare(CLONE_NEWNS); as another user it tries a user
 * namespace, which a process with threads (Criterion's timeout watchdog)
 * cannot enter. 0, or -1 with why filled (the test should skip, saying
 * why). */
int faults_tmpfs(const char *dir, size_t bytes, char *why, size_t n);

/* faults_unmount - undo faults_tmpfs (lazily: a process may still hold it) */
void faults_unmount(const char *dir);

/* faults_fill - write zeros to path until the file system is full; the
 * bytes written (the file stays: unlink it to free the space) */
size_t faults_fill(const char *path);

/* faults_error - the ledger.Error body of an error reply into err (code
 * MALFORMED when it does not unpack); takes the body: frees it and sets
 * *body_p to NULL, so a failing assertion after it leaks nothing */
void faults_error(uint8_t **body_p, size_t len, err_t *err);

/* faults_last_seq - the log's last seq, by hello; fails the test on error */
uint64_t faults_last_seq(client_t *c);

/* faults_cursor - the stored cursor of name (0 when never written) */
uint64_t faults_cursor(client_t *c, const char *name);

/* faults_event_fn - one event of the log, borrowed for the call */
typedef void (*faults_event_fn)(void *ctx, const Ledger__Event *e);

/* faults_log - read the log after after_seq to its end through replay,
 * failing the test unless the seqs run after_seq+1, after_seq+2, ... with
 * no gap and no repeat; fn (may be NULL) sees each event. The last seq. */
uint64_t faults_log(client_t *c, uint64_t after_seq, faults_event_fn fn, void *ctx);

#endif
