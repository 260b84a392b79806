/* backup - hot copies of the ledger. (Being written: issue 3.) */
#include "apply.h"

int backup_start(apply_t *a, const ProtobufCMessage *req, err_t *err)
{
    return err_set(err, ERR(FORBIDDEN), "", "backup is not served yet");
}
