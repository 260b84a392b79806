/* faults - seeds, memory, a small file system and the log, for the
 * reliability tests (see faults.h). */
#define _GNU_SOURCE   /* unshare */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <time.h>
#include <unistd.h>
#include "faults.h"
#include "frame.h"

uint64_t faults_seed(const char *test)
{
    const char *env = getenv("LEDGER_TEST_SEED");
    uint64_t seed = 0;
    if (env && *env) {
        seed = strtoull(env, NULL, 10);
    } else {
        int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
        cr_assert_geq(fd, 0, "open /dev/urandom");
        cr_assert_eq(read(fd, &seed, sizeof seed), (ssize_t)sizeof seed, "read /dev/urandom");
        close(fd);
        seed %= 1000000000;   /* short enough to type */
    }
    fprintf(stderr, "%s: seed %" PRIu64 " (LEDGER_TEST_SEED=%" PRIu64 " repeats it)\n", test,
            seed, seed);
    return seed;
}

uint64_t faults_rand(uint64_t *state, uint64_t n)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    return z % n;
}

void faults_sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

int64_t faults_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

long faults_rss_anon_kib(pid_t pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    cr_assert(f, "open %s: %s", path, strerror(errno));
    long kib = -1;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, "RssAnon:", 8))
            kib = atol(line + 8);
    fclose(f);
    cr_assert_geq(kib, 0, "%s has no RssAnon line", path);
    return kib;
}

/* s_write_file - text into a /proc file; -1 with errno */
static int s_write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = write(fd, text, strlen(text));
    int saved = errno;
    close(fd);
    errno = saved;
    return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* s_private_mounts - a mount namespace of our own, as root or through a
 * user namespace (which needs a single-threaded process) */
static int s_private_mounts(char *why, size_t n)
{
    if (unshare(CLONE_NEWNS) == 0)
        return 0;
    int as_root = errno;
    uid_t uid = getuid();
    gid_t gid = getgid();
    if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0) {
        snprintf(why, n, "unshare(CLONE_NEWNS): %s; unshare(CLONE_NEWUSER|CLONE_NEWNS): %s "
                 "(unprivileged user namespaces disabled, or the test process has threads)",
                 strerror(as_root), strerror(errno));
        return -1;
    }
    char map[64];
    snprintf(map, sizeof map, "0 %u 1\n", (unsigned)uid);
    if (s_write_file("/proc/self/setgroups", "deny") < 0 ||
        s_write_file("/proc/self/uid_map", map) < 0) {
        snprintf(why, n, "user namespace: cannot write uid_map: %s", strerror(errno));
        return -1;
    }
    snprintf(map, sizeof map, "0 %u 1\n", (unsigned)gid);
    if (s_write_file("/proc/self/gid_map", map) < 0) {
        snprintf(why, n, "user namespace: cannot write gid_map: %s", strerror(errno));
        return -1;
    }
    return 0;
}

int faults_tmpfs(const char *dir, size_t bytes, char *why, size_t n)
{
    if (s_private_mounts(why, n) < 0)
        return -1;
    /* Our mounts must not propagate back to the system's namespace. */
    if (mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
        snprintf(why, n, "make / private in the new mount namespace: %s", strerror(errno));
        return -1;
    }
    /* What dir holds (a stopped ledgerd's data, its keys) moves onto the
     * tmpfs with it: kept aside, mounted over, put back. */
    char aside[300], cmd[1024], opts[64];
    snprintf(aside, sizeof aside, "%s.aside", dir);
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && cp -a '%s' '%s'", aside, dir, aside);
    if (system(cmd) != 0) {
        snprintf(why, n, "cannot copy %s aside: %s", dir, cmd);
        return -1;
    }
    snprintf(opts, sizeof opts, "size=%zu,mode=0755", bytes);
    if (mount("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0) {
        snprintf(why, n, "mount tmpfs (%s) on %s: %s", opts, dir, strerror(errno));
        return -1;
    }
    snprintf(cmd, sizeof cmd, "cp -a '%s/.' '%s/' && rm -rf '%s'", aside, dir, aside);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
    return 0;
}

void faults_unmount(const char *dir)
{
    if (umount2(dir, MNT_DETACH) < 0)
        fprintf(stderr, "faults: umount %s: %s\n", dir, strerror(errno));
}

size_t faults_fill(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    cr_assert_geq(fd, 0, "create %s: %s", path, strerror(errno));
    static char zeros[1 << 16];
    size_t total = 0, chunk = sizeof zeros;
    while (chunk) {   /* down to single bytes: the last page is taken too */
        ssize_t w = write(fd, zeros, chunk);
        if (w > 0) {
            total += (size_t)w;
            continue;
        }
        cr_assert(w < 0 && errno == ENOSPC, "fill %s: %s", path, strerror(errno));
        chunk /= 2;
    }
    close(fd);
    return total;
}

void faults_error(uint8_t **body_p, size_t len, err_t *err)
{
    Ledger__Error *e = ledger__error__unpack(NULL, len, *body_p);
    if (e) {
        err_set(err, e->code, e->field, "%s", e->message);
        ledger__error__free_unpacked(e, NULL);
    } else {
        err_set(err, ERR(MALFORMED), "", "an error reply that does not unpack");
    }
    free(*body_p);
    *body_p = NULL;
}

uint64_t faults_last_seq(client_t *c)
{
    Ledger__Meta meta = LEDGER__META__INIT;
    meta.actor = "tester";
    Ledger__Hello req = LEDGER__HELLO__INIT;
    req.meta = &meta;
    Ledger__HelloReply *rep = NULL;
    err_t err;
    cr_assert_eq(client_call(c, FRAME_HELLO, &req.base, &ledger__hello_reply__descriptor,
                             (ProtobufCMessage **)&rep, &err), 0, "hello: %s %s",
                 err_code_name(err.code), err.msg);
    uint64_t seq = rep->last_seq;
    ledger__hello_reply__free_unpacked(rep, NULL);
    return seq;
}

uint64_t faults_cursor(client_t *c, const char *name)
{
    Ledger__Meta meta = LEDGER__META__INIT;
    meta.actor = "tester";
    Ledger__CursorGet req = LEDGER__CURSOR_GET__INIT;
    req.meta = &meta;
    req.name = (char *)name;
    Ledger__CursorReply *rep = NULL;
    err_t err;
    cr_assert_eq(client_call(c, FRAME_CURSOR_GET, &req.base, &ledger__cursor_reply__descriptor,
                             (ProtobufCMessage **)&rep, &err), 0, "cursor.get %s: %s %s", name,
                 err_code_name(err.code), err.msg);
    uint64_t seq = rep->seq;
    ledger__cursor_reply__free_unpacked(rep, NULL);
    return seq;
}

uint64_t faults_log(client_t *c, uint64_t after_seq, faults_event_fn fn, void *ctx)
{
    uint64_t after = after_seq, expect = after_seq + 1, last = 0;
    do {
        Ledger__Meta meta = LEDGER__META__INIT;
        meta.actor = "tester";
        Ledger__Replay req = LEDGER__REPLAY__INIT;
        req.meta = &meta;
        req.after_seq = after;
        req.max_events = 10000;
        Ledger__ReplayReply *rep = NULL;
        err_t err;
        cr_assert_eq(client_call(c, FRAME_REPLAY, &req.base, &ledger__replay_reply__descriptor,
                                 (ProtobufCMessage **)&rep, &err), 0,
                     "replay after %" PRIu64 ": %s %s", after, err_code_name(err.code), err.msg);
        for (size_t i = 0; i < rep->n_events; i++, expect++) {
            cr_assert_eq(rep->events[i]->seq, expect,
                         "the log is not gap-free: seq %" PRIu64 " where %" PRIu64 " belongs",
                         rep->events[i]->seq, expect);
            if (fn)
                fn(ctx, rep->events[i]);
        }
        cr_assert_geq(rep->scanned_to, after, "replay went backwards");
        cr_assert(rep->scanned_to > after || rep->scanned_to == rep->last_seq,
                  "replay after %" PRIu64 " made no progress", after);
        after = rep->scanned_to;
        last = rep->last_seq;
        ledger__replay_reply__free_unpacked(rep, NULL);
    } while (after < last);
    cr_assert_eq(expect, last + 1, "the log ends at %" PRIu64 " but events ran to %" PRIu64,
                 last, expect - 1);
    return last;
}
