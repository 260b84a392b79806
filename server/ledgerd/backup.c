/* backup - hot copies of the ledger: LMDB's compacting copy, written into a
 * new or empty directory on ledgerd's machine by a thread of its own.
 *
 * DESIGN. LMDB copies from a read transaction, so the copy is one
 * consistent snapshot and the single writer (the request loop) goes on
 * beside it. The loop must never wait for a copy, so the work is split in
 * three: backup_start, the handler, only checks the request (it runs inside
 * the batch, which may be applied twice when the map grows, so it has no
 * effects); backup_launch, called by dispatch after the batch with no
 * transaction open, prepares the directory and starts the thread; the
 * thread copies, fsyncs the file and the directory, reads the last seq back
 * from the copy itself (exact, whatever was committed while the copy
 * started) and writes a byte to a pipe, which the loop polls beside its
 * ROUTER; backup_finish joins it and packs the reply. No ZeroMQ socket is
 * touched off the loop's thread. One backup at a time: the job is a single
 * static, like the environment it copies. While it runs, the map must not
 * grow (a resize remaps the file under the copy's reader): dispatch checks
 * backup_running before growing, and the launch grows a map past half full
 * first, so that writes are rarely refused meanwhile. */
#define _GNU_SOURCE   /* pipe2 */
#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "apply.h"
#include "backup.h"
#include "codec.h"
#include "log.h"
#include "validate.h"

#define GATE_WAIT_MS (120 * 1000)   /* the test gate holds a copy this long, at most */

typedef struct {
    int       running;                     /* launched, not yet finished */
    pthread_t thread;                      /* writes the copy */
    int       pipe[2];                     /* the thread writes one byte to [1] when done */
    MDB_env  *env;                         /* the live environment, copied */
    int       fd;                          /* PATH/data.mdb, opened by the launch */
    int       created;                     /* the launch made the directory */
    char      path[BACKUP_PATH_MAX + 1];   /* the copy's directory */
    char      file[BACKUP_PATH_MAX + 16];  /* PATH/data.mdb */
    char      gate[512];                   /* tests: hold the finished copy until this exists */
    int64_t   started_ms;                  /* monotonic, for the log */
    int       rc;                          /* out: 0, or -1 with err */
    err_t     err;                         /* out */
    uint64_t  last_seq;                    /* out: the copy's last event */
    uint64_t  bytes;                       /* out: size of the copy's data.mdb */
} backup_job_t;

static backup_job_t s_job = { .pipe = { -1, -1 }, .fd = -1 };

static int64_t s_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* backup_start - the handler: the path's form only; the directory itself is
 * looked at by backup_launch, after the batch */
int backup_start(apply_t *a, const ProtobufCMessage *req, err_t *err)
{
    const Ledger__Backup *r = (const void *)req;
    if (validate_text(r->path, "path", 1, BACKUP_PATH_MAX, err) < 0)
        return -1;
    if (r->path[0] != '/')
        return err_set(err, ERR(INVALID), "path", "the backup directory must be an absolute "
                       "path on ledgerd's machine, got \"%s\"", r->path);
    return 0;
}

/* s_prepare - PATH absent: create it; present: an empty directory */
static int s_prepare(backup_job_t *j, err_t *err)
{
    struct stat st;
    j->created = 0;
    if (stat(j->path, &st) == 0) {
        if (!S_ISDIR(st.st_mode))
            return err_set(err, ERR(INVALID), "path", "%s exists and is not a directory",
                           j->path);
        DIR *dir = opendir(j->path);
        if (!dir)
            return err_set(err, ERR(INVALID), "path", "cannot read %s: %s", j->path,
                           strerror(errno));
        struct dirent *e;
        int empty = 1;
        while (empty && (e = readdir(dir)))
            empty = !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");
        closedir(dir);
        if (!empty)
            return err_set(err, ERR(INVALID), "path", "%s exists and is not empty; a backup "
                           "goes into a new or empty directory", j->path);
    } else if (errno != ENOENT) {
        return err_set(err, ERR(INVALID), "path", "cannot use %s: %s", j->path,
                       strerror(errno));
    } else if (mkdir(j->path, 0750) < 0) {
        return err_set(err, ERR(INVALID), "path", "cannot create %s: %s", j->path,
                       strerror(errno));
    } else {
        j->created = 1;
    }
    j->fd = open(j->file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    if (j->fd < 0) {
        int saved = errno;
        if (j->created)
            rmdir(j->path);
        return err_set(err, ERR(INVALID), "path", "cannot create %s: %s", j->file,
                       strerror(saved));
    }
    return 0;
}

/* s_fail - an error of the copy thread; a full disk is STORAGE_FULL */
static int s_fail(backup_job_t *j, int rc, const char *what)
{
    int full = rc == ENOSPC || rc == EDQUOT;
    return err_set(&j->err, full ? ERR(STORAGE_FULL) : ERR(INTERNAL), "",
                   "backup to %s: %s: %s", j->path, what, mdb_strerror(rc));
}

/* s_read_back - the last seq of the copy, read from the copy: it proves the
 * copy opens as an LMDB environment, and it is exactly what the copy holds */
static int s_read_back(backup_job_t *j)
{
    MDB_env *env = NULL;
    MDB_txn *txn = NULL;
    MDB_cursor *c = NULL;
    MDB_dbi events;
    MDB_val k, v;
    int rc;

    if ((rc = mdb_env_create(&env)) || (rc = mdb_env_set_maxdbs(env, 32)) ||
        (rc = mdb_env_open(env, j->path, MDB_RDONLY | MDB_NOLOCK, 0)) ||
        (rc = mdb_txn_begin(env, NULL, MDB_RDONLY, &txn)) ||
        (rc = mdb_dbi_open(txn, "events", 0, &events)) ||
        (rc = mdb_cursor_open(txn, events, &c)))
        goto done;
    rc = mdb_cursor_get(c, &k, &v, MDB_LAST);
    if (rc == MDB_NOTFOUND)
        rc = 0;   /* an empty log: last seq 0 */
    else if (rc == 0 && k.mv_size == 8)
        j->last_seq = store_get_be64(k.mv_data);
    else if (rc == 0)
        rc = MDB_CORRUPTED;
done:
    if (c)
        mdb_cursor_close(c);
    if (txn)
        mdb_txn_abort(txn);
    if (env)
        mdb_env_close(env);
    return rc ? s_fail(j, rc, "reading the copy back") : 0;
}

/* s_sync_dir - the new file's name is durable only once its directory is */
static int s_sync_dir(backup_job_t *j)
{
    int fd = open(j->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return s_fail(j, errno, "open directory");
    int rc = fsync(fd) < 0 ? errno : 0;
    close(fd);
    return rc ? s_fail(j, rc, "fsync directory") : 0;
}

/* s_write - the copy, durable, then read back */
static int s_write(backup_job_t *j)
{
    struct stat st;
    int rc = mdb_env_copyfd2(j->env, j->fd, MDB_CP_COMPACT);
    if (rc)
        return s_fail(j, rc, "copy");
    if (fsync(j->fd) < 0)
        return s_fail(j, errno, "fsync");
    if (fstat(j->fd, &st) < 0)
        return s_fail(j, errno, "stat");
    j->bytes = (uint64_t)st.st_size;
    rc = close(j->fd) < 0 ? errno : 0;
    j->fd = -1;
    if (rc)
        return s_fail(j, rc, "close");
    if (s_sync_dir(j) < 0)
        return -1;
    return s_read_back(j);
}

/* s_wait_gate - tests only (LEDGERD_TEST_BACKUP_GATE): hold a finished copy
 * so a test can see the loop answer while a backup runs */
static void s_wait_gate(const char *gate)
{
    struct timespec tick = { 0, 10 * 1000000L };
    for (int waited = 0; waited < GATE_WAIT_MS && access(gate, F_OK) != 0; waited += 10)
        nanosleep(&tick, NULL);
}

/* s_run - the copy thread */
static void *s_run(void *arg)
{
    backup_job_t *j = arg;
    j->rc = s_write(j);
    if (j->gate[0])
        s_wait_gate(j->gate);
    char done = 1;
    while (write(j->pipe[1], &done, 1) < 0 && errno == EINTR)
        ;
    return NULL;
}

/* s_headroom - the map cannot grow while the copy runs (dispatch refuses a
 * write that needs more, STORAGE_FULL): past half full, grow it first */
static void s_headroom(store_t *s)
{
    MDB_envinfo info;
    MDB_stat st;
    mdb_env_info(s->env, &info);
    mdb_env_stat(s->env, &st);
    if ((info.me_last_pgno + 1) * (size_t)st.ms_psize > s->map_size / 2)
        store_grow(s);
}

/* backup_launch - the directory, then the thread */
int backup_launch(store_t *s, const Ledger__Backup *req, err_t *err)
{
    backup_job_t *j = &s_job;
    if (j->running)
        return err_set(err, ERR(FORBIDDEN), "", "a backup to %s is being written; ask again "
                       "when it has finished", j->path);
    snprintf(j->path, sizeof j->path, "%s", req->path);
    snprintf(j->file, sizeof j->file, "%s/data.mdb", req->path);
    if (s_prepare(j, err) < 0)
        return -1;
    s_headroom(s);
    if (pipe2(j->pipe, O_CLOEXEC) < 0)
        log_fatal("backup: pipe: %s", strerror(errno));
    const char *gate = getenv("LEDGERD_TEST_BACKUP_GATE");
    snprintf(j->gate, sizeof j->gate, "%s", gate ? gate : "");
    j->env = s->env;
    j->rc = 0;
    j->last_seq = 0;
    j->bytes = 0;
    err_clear(&j->err);
    j->started_ms = s_now_ms();

    /* Signals are the loop's: SIGTERM must interrupt its poll, not land here
     * (LMDB's own writer thread, started by the copy, inherits the mask). */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&j->thread, NULL, s_run, j);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc)
        log_fatal("backup: start thread: %s", strerror(rc));
    j->running = 1;
    log_info("backup: writing %s", j->file);
    return 0;
}

int backup_running(void)
{
    return s_job.running;
}

int backup_fd(void)
{
    return s_job.running ? s_job.pipe[0] : -1;
}

/* backup_finish - join, clean up a failed copy, pack the reply */
int backup_finish(uint8_t **out, size_t *out_len, err_t *err)
{
    backup_job_t *j = &s_job;
    assert(j->running);
    pthread_join(j->thread, NULL);
    j->running = 0;
    close(j->pipe[0]);
    close(j->pipe[1]);
    j->pipe[0] = j->pipe[1] = -1;
    if (j->fd >= 0) {
        close(j->fd);
        j->fd = -1;
    }
    if (j->rc < 0) {
        /* What is left is no backup: remove it, so the same path can be used again. */
        unlink(j->file);
        if (j->created)
            rmdir(j->path);
        log_warn("%s", j->err.msg);
        *err = j->err;
        return -1;
    }
    Ledger__BackupReply rep = LEDGER__BACKUP_REPLY__INIT;
    rep.path = j->path;
    rep.last_seq = j->last_seq;
    rep.bytes = j->bytes;
    *out_len = codec_pack(&rep.base, out);
    log_info("backup: seq %llu written to %s (%llu bytes) in %lld ms",
             (unsigned long long)j->last_seq, j->path, (unsigned long long)j->bytes,
             (long long)(s_now_ms() - j->started_ms));
    return 0;
}
