/* publish - send committed events on the PUB socket, in seq order. */
#ifndef LEDGERD_PUBLISH_H
#define LEDGERD_PUBLISH_H

#include "apply.h"

/* publish_events - send each as [kind NUL][header][Event]; never blocks
 * (a slow subscriber loses messages at its high-water mark and refills
 * the gap by replay). pub may be NULL. Frees the events' buffers. */
void publish_events(void *pub, pending_event_t *events, size_t n);

/* publish_discard - free events that will never be sent */
void publish_discard(pending_event_t *events, size_t n);

#endif
