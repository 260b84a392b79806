/* policy - monthly policy versions. (Being written: issue 3.) */
#include "apply.h"

int policy_set(apply_t *a, const ProtobufCMessage *req, err_t *err)
{
    return err_set(err, ERR(FORBIDDEN), "", "policies are not served yet");
}

int policy_get(apply_t *a, const ProtobufCMessage *req, err_t *err)
{
    return err_set(err, ERR(FORBIDDEN), "", "policies are not served yet");
}
