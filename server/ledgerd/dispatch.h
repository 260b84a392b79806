/* dispatch - ledgerd's request loop: drain, apply in one transaction,
 * commit, then reply and publish. One table maps each message type to
 * its handler; authorisation is checked here (authorise.c) and nowhere else. */
#ifndef LEDGERD_DISPATCH_H
#define LEDGERD_DISPATCH_H

#include <zmq.h>
#include "apply.h"
#include "frame.h"

typedef struct {
    uint8_t        identity[256];   /* ROUTER routing id */
    size_t         identity_len;
    char           user[48];        /* the connection's CURVE key (ZAP User-Id); "" in-process */
    int            frames;          /* frames after the identity */
    uint8_t        header[FRAME_HEADER_SIZE];
    size_t         header_len;
    zmq_msg_t      body_msg;        /* owns the body when it came off a socket */
    int            has_body_msg;
    const uint8_t *body;
    size_t         body_len;
    int            storage_full;    /* the map could not grow, or the disk is full: refuse it */
    int            write;           /* out: it is a write (known once decoded) */
    uint8_t        reply_type;      /* out: type | FRAME_REPLY, or FRAME_ERROR */
    uint64_t       request_id;      /* out: echoed */
    uint8_t       *reply;           /* out: packed body; freed by dispatch */
    size_t         reply_len;
    int            deferred;        /* out: answered when its work ends (dispatch_finish) */
} request_t;

typedef struct dispatch dispatch_t;

/* dispatch_new - router and pub may be NULL (tests drive dispatch_batch) */
dispatch_t *dispatch_new(store_t *store, const options_t *opt, void *router, void *pub);
void dispatch_destroy(dispatch_t **self_p);

/* dispatch_attach - the sockets, once bound (the key book is read first) */
void dispatch_attach(dispatch_t *d, void *router, void *pub);

/* dispatch_trust - add DIR/trusted's keys that the book lacks (keys.c) and
 * load the keyring; *added says how many were new */
int dispatch_trust(dispatch_t *d, const char *dir, size_t *added, err_t *err);

/* dispatch_batch - apply reqs in one write transaction; fills each reply.
 * Events are published (when there is a pub socket) only after commit.
 * Then, with no transaction open, a backup request's copy is started: with
 * a router its reply is deferred (r->deferred set, sent by dispatch_finish);
 * without one (tests) dispatch_batch waits for the copy and fills it. */
void dispatch_batch(dispatch_t *d, request_t *reqs, size_t n);

/* dispatch_drain - read every ready request (bounded), run them as one
 * batch, send the replies; 0 when nothing was ready */
int dispatch_drain(dispatch_t *d);

/* dispatch_deferred_fd - a file descriptor that becomes readable when the
 * deferred work (a backup) has ended; -1 when none runs */
int dispatch_deferred_fd(dispatch_t *d);

/* dispatch_finish - the deferred work has ended, or must (shutdown: this
 * waits for it): send its reply to the saved identity and request id */
void dispatch_finish(dispatch_t *d);

/* dispatch_tick - the periodic work: a clock event (normal mode) and
 * purging expired idempotency keys */
void dispatch_tick(dispatch_t *d);

/* dispatch_request_reset - free a request's reply and body */
void dispatch_request_reset(request_t *r);

#endif
