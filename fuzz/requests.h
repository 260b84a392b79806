/* requests - the request types ledgerd accepts and the message each body
 * must be: a copy of the (type, descriptor) columns of s_handlers in
 * server/ledgerd/dispatch.c, which is static there. fuzz_codec, the seed
 * generator and the regression test share it; a request type added to
 * dispatch belongs here too (fuzz_request reaches it either way). */
#ifndef LEDGER_FUZZ_REQUESTS_H
#define LEDGER_FUZZ_REQUESTS_H

#include <stddef.h>
#include <stdint.h>
#include "frame.h"
#include "request.pb-c.h"

typedef struct {
    uint8_t type;
    const ProtobufCMessageDescriptor *desc;
} fuzz_request_t;

static const fuzz_request_t fuzz_requests[] = {
    { FRAME_HELLO,          &ledger__hello__descriptor },
    { FRAME_STAFF_ADD,      &ledger__staff_add__descriptor },
    { FRAME_STAFF_AMEND,    &ledger__staff_amend__descriptor },
    { FRAME_CUSTOMER_ADD,   &ledger__customer_add__descriptor },
    { FRAME_CUSTOMER_AMEND, &ledger__customer_amend__descriptor },
    { FRAME_ORDER_ADD,      &ledger__order_add__descriptor },
    { FRAME_ORDER_AMEND,    &ledger__order_amend__descriptor },
    { FRAME_ORDER_BATCH,    &ledger__order_batch__descriptor },
    { FRAME_GET,            &ledger__get__descriptor },
    { FRAME_LIST,           &ledger__list__descriptor },
    { FRAME_REPLAY,         &ledger__replay__descriptor },
    { FRAME_CURSOR_GET,     &ledger__cursor_get__descriptor },
    { FRAME_STATE_GET,      &ledger__state_get__descriptor },
    { FRAME_WRITE_BACK,     &ledger__write_back__descriptor },
    { FRAME_CLOCK_SET,      &ledger__clock_set__descriptor },
    { FRAME_POLICY_SET,     &ledger__policy_set__descriptor },
    { FRAME_POLICY_GET,     &ledger__policy_get__descriptor },
    { FRAME_BACKUP,         &ledger__backup__descriptor },
    { FRAME_RECORD_ADD,     &ledger__record_add__descriptor },
    { FRAME_RECORD_AMEND,   &ledger__record_amend__descriptor },
    { FRAME_RECORD_BATCH,   &ledger__record_batch__descriptor },
    { FRAME_RESULT_GET,     &ledger__result_get__descriptor },
    { FRAME_MONTH_CLOSE,    &ledger__month_close__descriptor },
    { FRAME_RESULT_LIST,    &ledger__result_list__descriptor },
    { FRAME_FINDING_STATUS, &ledger__finding_status_set__descriptor },
    { FRAME_KEY_ADD,        &ledger__key_add__descriptor },
    { FRAME_KEY_REVOKE,     &ledger__key_revoke__descriptor },
    { FRAME_KEY_LIST,       &ledger__key_list__descriptor },
};

#define FUZZ_N_REQUESTS (sizeof fuzz_requests / sizeof *fuzz_requests)

/* fuzz_request_pick - the entry for a codec input's first byte: the request
 * of that frame type, else the byte modulo the table (every byte picks one) */
static inline const fuzz_request_t *fuzz_request_pick(uint8_t b)
{
    for (size_t i = 0; i < FUZZ_N_REQUESTS; i++)
        if (fuzz_requests[i].type == b)
            return &fuzz_requests[i];
    return &fuzz_requests[b % FUZZ_N_REQUESTS];
}

#endif
