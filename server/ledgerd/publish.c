/* publish - the PUB side. Called only after the transaction holding these
 * events committed: a subscriber must never see an event a crash could undo. */
#include <stdlib.h>
#include <zmq.h>
#include "frame.h"
#include "log.h"
#include "publish.h"

void publish_events(void *pub, pending_event_t *events, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        pending_event_t *e = &events[i];
        if (pub && frame_send(pub, e->topic, e->topic_len, FRAME_EVENT, e->seq, e->body, e->len,
                              ZMQ_DONTWAIT) < 0 && zmq_errno() != EAGAIN)
            log_warn("publish: event %llu: %s", (unsigned long long)e->seq,
                     zmq_strerror(zmq_errno()));
    }
    publish_discard(events, n);
}

void publish_discard(pending_event_t *events, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(events[i].topic);
        free(events[i].body);
    }
}
