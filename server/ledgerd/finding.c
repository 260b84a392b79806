/* finding - people's word on a compliance finding. finding.status checks a
 * change against the finding as ledger-compliance last wrote it (its result
 * "compliance.finding") and appends a "finding.status" event; ledgerd keeps
 * nothing else, the event is the record. The worker applies the changes in
 * log order and writes the finding's next version, so two changes sent
 * before the worker has read the first are both accepted here: the check is
 * against the finding as last written, and the worker settles the rest. */
#include <stdio.h>
#include <string.h>
#include "codec.h"
#include "compliance.pb-c.h"
#include "date.h"
#include "eventlog.h"
#include "validate.h"

#define FINDING_KIND       "compliance.finding"
#define FINDING_ID_MAX     200
#define FINDING_REASON_MAX 1000
#define FINDING_QUOTE_MAX  120   /* bytes of a stored reason quoted in an error */

/* s_quote - s into out (n bytes), cut at a character boundary with "..."
 * when longer than max: an error message must stay valid UTF-8 */
static const char *s_quote(char *out, size_t n, const char *s, size_t max)
{
    size_t len = strlen(s);
    if (max > n - 4)
        max = n - 4;
    if (len <= max) {
        memcpy(out, s, len + 1);
        return out;
    }
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
        max--;   /* back to the first byte of a character */
    memcpy(out, s, max);
    memcpy(out + max, "...", 4);
    return out;
}

/* s_by - the person making the change names a member of staff by code
 * (that one exists is checked against the ledger later); MISSING or
 * INVALID naming change.by */
static int s_by(const Ledger__PartyRef *by, err_t *err)
{
    if (!by || (by->kind == LEDGER__PARTY_KIND__PARTY_UNSPECIFIED && !*by->code))
        return err_set(err, ERR(MISSING), "change.by",
                       "say who makes the change: a member of staff");
    if (by->kind == LEDGER__PARTY_KIND__PARTY_UNSPECIFIED)
        return err_set(err, ERR(MISSING), "change.by.kind", "change.by must be a member of staff");
    if (by->kind != LEDGER__PARTY_KIND__PARTY_STAFF)
        return err_set(err, ERR(INVALID), "change.by.kind", "change.by must be a member of staff");
    if (validate_code(by->code, "change.by.code", 0, err) < 0)
        return -1;
    return 0;
}

/* s_form - the change's fields on their own (before anything is read) */
static int s_form(Ledger__FindingStatusChange *c, err_t *err)
{
    if (validate_text(c->finding, "change.finding", 1, FINDING_ID_MAX, err) < 0)
        return -1;
    if (c->status == LEDGER__FINDING_STATUS__FINDING_STATUS_UNSPECIFIED)
        return err_set(err, ERR(MISSING), "change.status",
                       "change.status is required: acknowledged or resolved");
    if (c->status != LEDGER__FINDING_STATUS__FINDING_ACKNOWLEDGED &&
        c->status != LEDGER__FINDING_STATUS__FINDING_RESOLVED)
        return err_set(err, ERR(INVALID), "change.status",
                       "a person acknowledges or resolves a finding; opening and withdrawing "
                       "are ledger-compliance's");
    int resolved = c->status == LEDGER__FINDING_STATUS__FINDING_RESOLVED;
    if (validate_text(c->reason, "change.reason", resolved, FINDING_REASON_MAX, err) < 0) {
        if (err->code == ERR(MISSING))
            err_set(err, ERR(MISSING), "change.reason", "say why the finding is resolved");
        return -1;
    }
    if (c->waive && !resolved)
        return err_set(err, ERR(INVALID), "change.waive",
                       "only a resolution can waive a finding's fines");
    return s_by(c->by, err);
}

/* s_stored - the finding as last written, unpacked; NULL with NOT_FOUND
 * change.finding, or INTERNAL when its payload is not a Finding. Caller
 * frees with ledger__finding__free_unpacked. */
static Ledger__Finding *s_stored(apply_t *a, const char *id, err_t *err)
{
    uint8_t key[sizeof FINDING_KIND + FINDING_ID_MAX + 1];
    size_t klen = store_pair_key(key, FINDING_KIND, id);
    MDB_val v;
    int rc = store_get(a->txn, a->store->results, key, klen, &v, err);
    if (rc < 0)
        return NULL;
    if (rc > 0) {
        err_set(err, ERR(NOT_FOUND), "change.finding", "no finding %s", id);
        return NULL;
    }
    Ledger__Result *res = ledger__result__unpack(NULL, v.mv_size, v.mv_data);
    if (!res) {
        err_set(err, ERR(INTERNAL), "change.finding", "the stored result of finding %s does "
                "not unpack", id);
        return NULL;
    }
    err_t why = { 0 };
    const ProtobufCBinaryData *p = &res->payload;
    Ledger__Finding *f = (Ledger__Finding *)codec_unpack(
        &ledger__finding__descriptor, p->len ? p->data : (const uint8_t *)"", p->len, &why);
    if (!f)   /* the worker's bytes, not the client's fault */
        err_set(err, ERR(INTERNAL), "change.finding", "the stored finding %s is not a Finding "
                "(written by %s): %s", id, res->owner, why.msg);
    ledger__result__free_unpacked(res, NULL);
    return f;
}

/* s_conflict - CONFLICT change.status when the finding as last written
 * does not take this change: it is resolved or withdrawn already, or an
 * acknowledgement of an acknowledged one */
static int s_conflict(const Ledger__Finding *f, const Ledger__FindingStatusChange *c, err_t *err)
{
    char when[32], why[FINDING_QUOTE_MAX + 4];
    date_format_time(when, sizeof when, f->status_ms);
    s_quote(why, sizeof why, f->status_reason, FINDING_QUOTE_MAX);
    switch (f->status) {
    case LEDGER__FINDING_STATUS__FINDING_RESOLVED:
        return err_set(err, ERR(CONFLICT), "change.status", "already resolved by %s on %s: %s",
                       f->status_by, when, why);
    case LEDGER__FINDING_STATUS__FINDING_WITHDRAWN:
        return err_set(err, ERR(CONFLICT), "change.status", "withdrawn on %s: %s", when, why);
    case LEDGER__FINDING_STATUS__FINDING_ACKNOWLEDGED:
        if (c->status == LEDGER__FINDING_STATUS__FINDING_ACKNOWLEDGED)
            return err_set(err, ERR(CONFLICT), "change.status", "already acknowledged by %s on %s",
                           f->status_by, when);
        return 0;
    default:
        return 0;
    }
}

/* finding_status_set - check the change, append its event, reply with it */
int finding_status_set(apply_t *a, const ProtobufCMessage *req, err_t *err)
{
    const Ledger__FindingStatusSet *r = (const void *)req;
    Ledger__FindingStatusChange *c = r->change;   /* server-filled fields are set below */
    if (!c)
        return err_set(err, ERR(MISSING), "change",
                       "change is required: the finding and its status");
    if (s_form(c, err) < 0)
        return -1;
    Ledger__Finding *f = s_stored(a, c->finding, err);
    if (!f)
        return -1;
    int rc = 0;
    c->by->id = store_code_id(a->store, a->txn, KIND_STAFF, c->by->code);
    if (!c->by->id)
        rc = err_set(err, ERR(NOT_FOUND), "change.by.code", "no staff with code %s", c->by->code);
    else
        rc = s_conflict(f, c, err);
    ledger__finding__free_unpacked(f, NULL);
    if (rc < 0)
        return -1;
    c->time_ms = a->counters.ledger_ms;
    c->seq = a->counters.last_seq + 1;   /* the event appended next */
    Ledger__Event ev = LEDGER__EVENT__INIT;
    ev.kind = "finding.status";
    ev.entity_code = c->finding;
    ev.body_case = LEDGER__EVENT__BODY_FINDING;
    ev.finding = c;
    if (eventlog_append(a, &ev, err) < 0)
        return -1;
    apply_reply(a, &c->base);
    return 0;
}
