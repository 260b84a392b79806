/* fuzz_request - the whole ledgerd request path in-process, as
 * tests/support/fixture.c drives it: the first 16 bytes are the header, the
 * rest the body, sent as one two-frame request through dispatch_batch into a
 * store opened once (LLVMFuzzerInitialize) and kept, so later inputs see
 * what earlier ones wrote. A crash or a leak anywhere in decoding,
 * validation or a handler is a finding; every refusal is an error reply. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "date.h"
#include "dispatch.h"
#include "log.h"
#include "options.h"
#include "store.h"

#define MAP_START (1u << 20)
#define MAP_RESET (8u << 20)    /* past this, a fresh store: small and fast */
#define MAP_MAX   (64u << 20)

static options_t s_opt;
static store_t *s_store;
static dispatch_t *s_d;

/* s_unlink_dir - the store's files and its directory. LMDB works on the
 * descriptors it holds, so the files go at once: a crashed run leaves
 * nothing behind (in /dev/shm that would be memory). */
static void s_unlink_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[1024];
    while (d && (e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            unlink(path);
        }
    if (d)
        closedir(d);
    rmdir(dir);
}

/* s_open - a fresh store in a new directory, which is gone at once */
static void s_open(void)
{
    /* tmpfs when there is one: every write request commits, and an fsync
     * there costs nothing */
    const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");
    snprintf(s_opt.data_dir, sizeof s_opt.data_dir, "%s/ledger-fuzz-XXXXXX",
             base ? base : "/tmp");
    if (!mkdtemp(s_opt.data_dir)) {
        perror("fuzz_request: mkdtemp");
        exit(1);
    }
    s_store = store_open(s_opt.data_dir, s_opt.map_size, s_opt.map_max);
    s_d = dispatch_new(s_store, &s_opt, NULL, NULL);
    s_unlink_dir(s_opt.data_dir);
}

/* s_close - dispatch, then the store */
static void s_close(void)
{
    dispatch_destroy(&s_d);
    store_destroy(&s_store);
}

/* LLVMFuzzerInitialize - options as tests/support/fixture.c has them */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    s_opt = (options_t){ .map_size = MAP_START, .map_max = MAP_MAX, .clock_interval_s = 60,
                         .test_clock = 1, .idem_days = 30, .batch_max = 1,
                         .batch_us = 2000, .quiet = 1 };
    strcpy(s_opt.time_zone, "Asia/Shanghai");
    log_quiet(1);
    err_t err;
    if (date_zone_set(s_opt.time_zone, &err) < 0) {
        fprintf(stderr, "fuzz_request: zone: %s\n", err.msg);
        exit(1);
    }
    s_open();
    atexit(s_close);
    return 0;
}

/* LLVMFuzzerTestOneInput - one request in a batch of its own */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    request_t r;
    size_t hlen = size < FRAME_HEADER_SIZE ? size : FRAME_HEADER_SIZE;

    /* A backup creates a directory wherever its path says, on this
     * machine: not something to let a fuzzer choose. */
    if (size > 3 && data[3] == FRAME_BACKUP)
        return 0;
    memset(&r, 0, sizeof r);
    memcpy(r.header, data, hlen);
    r.header_len = hlen;
    r.frames = 2;
    r.body = data + hlen;
    r.body_len = size - hlen;
    dispatch_batch(s_d, &r, 1);
    /* every request is answered: as what it asked, or with an error */
    if (r.reply_type != FRAME_ERROR && (size < FRAME_HEADER_SIZE ||
                                        r.reply_type != (data[3] | FRAME_REPLY)))
        abort();
    dispatch_request_reset(&r);
    if (s_store->map_size > MAP_RESET) {
        s_close();
        s_open();
    }
    return 0;
}
