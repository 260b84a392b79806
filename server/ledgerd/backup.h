/* backup - a hot, consistent, compacted copy of the ledger, written by a
 * thread of its own while the request loop goes on. One at a time. The
 * handler (backup_start, apply.h) checks the request inside the batch;
 * dispatch launches the copy after the batch and answers when it ends. */
#ifndef LEDGERD_BACKUP_H
#define LEDGERD_BACKUP_H

#include <stddef.h>
#include <stdint.h>
#include "err.h"
#include "request.pb-c.h"
#include "store.h"

#define BACKUP_PATH_MAX 1024   /* bytes of Backup.path, at most */

/* backup_launch - prepare req->path (create it, mode 0750, or check it is
 * an empty directory), open its data.mdb and start the copy thread. No
 * transaction of this thread may be open. 0, or -1 with INVALID path
 * (the directory cannot be used) or FORBIDDEN (a backup is running). */
int backup_launch(store_t *s, const Ledger__Backup *req, err_t *err);

/* backup_running - 1 from a launch until its backup_finish */
int backup_running(void);

/* backup_fd - readable once the running copy has ended; -1 when none runs */
int backup_fd(void);

/* backup_finish - wait for the copy thread (at once when backup_fd was
 * readable) and collect its outcome. 0 with *out the packed BackupReply
 * (caller frees), or -1 with INTERNAL or STORAGE_FULL; the partial copy is
 * then removed. Only after a launch. */
int backup_finish(uint8_t **out, size_t *out_len, err_t *err);

#endif
