/* zap - ledgerd's ZAP handler (ZeroMQ RFC 27): the thread libzmq asks,
 * for every new CURVE connection, whether its key may come in. */
#ifndef LEDGERD_ZAP_H
#define LEDGERD_ZAP_H

/* zap_start - bind inproc://zeromq.zap.01 on ctx and answer from the
 * keyring in a thread of its own; returns once bound, so it is called
 * before any socket binds. Fatal when it cannot. */
void zap_start(void *ctx);

/* zap_stop - end the thread (before the context terminates) */
void zap_stop(void);

#endif
