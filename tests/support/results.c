/* results - a worker's results, and its replay from seq 1 (see results.h). */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "client.h"
#include "commission.pb-c.h"
#include "follow.h"
#include "frame.h"
#include "results.h"

void fine_put(const server_t *s, const char *key, const char *staff, int64_t amount,
              const char *month, const char *reason)
{
    client_t *c = client_new(s->listen, "tester", 5000);
    Ledger__PartyRef person = LEDGER__PARTY_REF__INIT;
    person.kind = LEDGER__PARTY_KIND__PARTY_STAFF;
    person.code = (char *)staff;
    Ledger__FineLine fl = LEDGER__FINE_LINE__INIT;
    char finding[160];
    snprintf(finding, sizeof finding, "%.*s", (int)(strrchr(key, '/') ? strrchr(key, '/') - key
                                                                      : (long)strlen(key)), key);
    fl.finding = finding;
    fl.person = &person;
    fl.rule = "training.weekly_script";
    fl.amount = amount;
    fl.month = (char *)month;
    fl.reason = (char *)reason;
    result_put(c, "compliance:0/1", "compliance.fine", key, &fl.base);
    client_destroy(&c);
}

/* s_hex - bytes as hex text (out >= 2 n + 1) */
static void s_hex(char *out, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", p[i]);
    out[2 * n] = 0;
}

Ledger__Result *result_get(client_t *c, const char *kind, const char *key)
{
    Ledger__Meta meta = LEDGER__META__INIT;
    meta.actor = "tester";
    Ledger__ResultGet req = LEDGER__RESULT_GET__INIT;
    req.meta = &meta;
    req.kind = (char *)kind;
    req.key = (char *)key;
    Ledger__Result *r = NULL;
    err_t err;
    if (client_call(c, FRAME_RESULT_GET, &req.base, &ledger__result__descriptor,
                    (ProtobufCMessage **)&r, &err) < 0) {
        cr_assert_eq(err.code, ERR(NOT_FOUND), "result.get %s %s: %s", kind, key, err.msg);
        return NULL;
    }
    return r;
}

void result_put(client_t *c, const char *cursor, const char *kind, const char *key,
                const ProtobufCMessage *payload)
{
    static int n;
    size_t len = protobuf_c_message_get_packed_size(payload);
    uint8_t *buf = malloc(len ? len : 1);
    protobuf_c_message_pack(payload, buf);
    Ledger__Result res = LEDGER__RESULT__INIT;
    res.kind = (char *)kind;
    res.key = (char *)key;
    res.payload.data = buf;
    res.payload.len = len;
    Ledger__Result *rp[] = { &res };
    char idem[48];   /* unique per process and call */
    snprintf(idem, sizeof idem, "put-%d-%d", (int)getpid(), ++n);
    Ledger__Meta meta = LEDGER__META__INIT;
    meta.actor = "tester";
    meta.idempotency_key = idem;
    Ledger__WriteBack wb = LEDGER__WRITE_BACK__INIT;
    wb.meta = &meta;
    wb.cursor = (char *)cursor;
    wb.results = rp;
    wb.n_results = 1;
    Ledger__WriteBackReply *rep = NULL;
    err_t err;
    cr_assert_eq(client_call(c, FRAME_WRITE_BACK, &wb.base, &ledger__write_back_reply__descriptor,
                             (ProtobufCMessage **)&rep, &err), 0,
                 "write-back %s %s: %s %s: %s", kind, key, err_code_name(err.code), err.field,
                 err.msg);
    ledger__write_back_reply__free_unpacked(rep, NULL);
    free(buf);
}

/* s_stored - the stored payload of (kind, key) as hex; 0 when there is none */
static int s_stored(client_t *c, const char *kind, const char *key, char *hex, size_t n)
{
    Ledger__Result *r = result_get(c, kind, key);
    if (!r)
        return 0;
    cr_assert_lt(2 * r->payload.len, n);
    s_hex(hex, r->payload.data, r->payload.len);
    ledger__result__free_unpacked(r, NULL);
    return 1;
}

void replay_matches(const server_t *s, const char *worker, char *const *kinds, size_t n_kinds,
                    size_t min)
{
    client_t *c = client_new(s->listen, "tester", 10000);
    follow_opts_t fo = { .client = c, .events_endpoint = s->publish, .kinds = (char **)kinds,
                         .n_kinds = n_kinds, .page = 5000 };
    follow_t *f = follow_new(&fo, 0);
    json_t *seen = json_object();   /* "kind key" -> payload hex of the last version */
    static char hex[1 << 17];
    for (;;) {
        follow_batch_t b;
        err_t err;
        cr_assert_eq(follow_next(f, &b, 0, &err), 0, "%s", err.msg);
        for (size_t i = 0; i < b.n; i++) {
            const Ledger__Result *r = b.events[i]->result;
            char k[600];
            snprintf(k, sizeof k, "%s %s", r->kind, r->key);
            cr_assert_lt(2 * r->payload.len, sizeof hex);
            s_hex(hex, r->payload.data, r->payload.len);
            json_object_set_new(seen, k, json_string(hex));
        }
        if (b.caught_up)
            break;
    }
    follow_destroy(&f);
    cr_assert_geq(json_object_size(seen), min, "the live run wrote its results (%zu)",
                  json_object_size(seen));

    char log[512];
    snprintf(log, sizeof log, "%s/replay.log", s->dir);
    pid_t w = worker_start(s, worker, "--name replay --once", log);
    cr_assert_eq(proc_wait_ms(w, 240000), 0, "the replay ran (see %s)", log);
    const char *k;
    json_t *v;
    json_object_foreach(seen, k, v) {
        const char *sp = strchr(k, ' ');
        char kind[64];
        snprintf(kind, sizeof kind, "%.*s", (int)(sp - k), k);
        cr_assert(s_stored(c, kind, sp + 1, hex, sizeof hex), "%s: still stored", k);
        cr_assert_str_eq(hex, json_string_value(v), "%s: the replay from seq 1 differs", k);
    }
    client_destroy(&c);
    json_decref(seen);
}
