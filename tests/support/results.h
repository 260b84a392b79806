/* results - what a worker wrote, for tests: one result by (kind, key), and
 * the check that a worker's results are a function of the log (a second
 * instance from seq 1 writes every result as the live one did). */
#ifndef LEDGER_TEST_RESULTS_H
#define LEDGER_TEST_RESULTS_H

#include <stddef.h>
#include "client.h"
#include "server.h"

/* result_get - the stored result (kind, key), NULL when there is none (any
 * other error fails the test); free with ledger__result__free_unpacked */
Ledger__Result *result_get(client_t *c, const char *kind, const char *key);

/* result_put - write one result under cursor as its worker would (a
 * write-back with the cursor left where it is), failing the test when
 * ledgerd refuses it */
void result_put(client_t *c, const char *cursor, const char *kind, const char *key,
                const ProtobufCMessage *payload);

/* fine_put - what the compliance worker writes for a fine (amount < 0), a
 * reward (> 0) or a withdrawn fine (0): a compliance.fine result under key
 * ("<finding>/<staff code>") for staff's statement of month, rule
 * training.weekly_script, written as cursor compliance:0/1 */
void fine_put(const server_t *s, const char *key, const char *staff, int64_t amount,
              const char *month, const char *reason);

/* replay_matches - read the last version of every result of kinds from s's
 * log (at least min of them, or the test fails), run `ledger-<worker>
 * --name replay --once` from seq 1 with its own cursor and state, and fail
 * the test unless every one of those results is stored exactly as before */
void replay_matches(const server_t *s, const char *worker, char *const *kinds, size_t n_kinds,
                    size_t min);

#endif
