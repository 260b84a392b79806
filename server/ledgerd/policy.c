/* policy - monthly policy versions: policy.set stores a new version of a
 * month's policy, policy.get answers the version in force for a month.
 * ledgerd checks everything again (a client's checks are not trusted) with
 * shared/policy.c, which also owns the file form and the default; what the
 * numbers mean is the workers' business.
 *
 * DESIGN. Keys are "YYYY-MM" NUL version (big-endian u32), so keys sort by
 * month, then version, and one cursor seek finds the version in force for a
 * month: the last key at or before (month, UINT32_MAX) is the latest
 * version of that month or, when it has none, of the latest earlier month.
 * The stored text must give the stored policy (parsed here, omitted keys
 * filled from this ledgerd's default), so the audit trail's file and its
 * numbers can never disagree. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "eventlog.h"
#include "policy.h"

#define KEY_LEN 12   /* "YYYY-MM", NUL, u32 version */

/* s_key - month NUL version, big-endian */
static void s_key(uint8_t out[KEY_LEN], const char *month, uint32_t version)
{
    memcpy(out, month, 7);
    out[7] = 0;
    out[8] = version >> 24;
    out[9] = version >> 16;
    out[10] = version >> 8;
    out[11] = version;
}

/* s_in_force - the latest version stored for month or an earlier month:
 * 0 with *out (caller frees with ledger__policy_version__free_unpacked),
 * 1 when there is none, -1 with INTERNAL */
static int s_in_force(apply_t *a, const char *month, Ledger__PolicyVersion **out, err_t *err)
{
    MDB_cursor *c;
    uint8_t key[KEY_LEN];
    *out = NULL;
    int rc = mdb_cursor_open(a->txn, a->store->policies, &c);
    if (rc)
        return store_error(a->store, rc, "policy cursor", err);
    s_key(key, month, UINT32_MAX);
    MDB_val k = { KEY_LEN, key }, v;
    rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
    if (rc == 0)
        rc = mdb_cursor_get(c, &k, &v, MDB_PREV);   /* the first key after month: step back */
    else if (rc == MDB_NOTFOUND)
        rc = mdb_cursor_get(c, &k, &v, MDB_LAST);
    if (rc == 0 && !(*out = ledger__policy_version__unpack(NULL, v.mv_size, v.mv_data)))
        rc = err_set(err, ERR(INTERNAL), "", "a stored policy version does not unpack");
    else if (rc == MDB_NOTFOUND)
        rc = 1;
    else if (rc > 0)
        rc = store_error(a->store, rc, "policy read", err);
    mdb_cursor_close(c);
    return rc;
}

/* s_check_month - "YYYY-MM", a real month */
static int s_check_month(const char *month, err_t *err)
{
    if (!*month)
        return err_set(err, ERR(MISSING), "month", "the month, YYYY-MM");
    if (!policy_month_valid(month))
        return err_set(err, ERR(INVALID), "month",
                       "a month is YYYY-MM, 1970-01 or later; got \"%.40s\"", month);
    return 0;
}

/* s_check_set - the request's own fields, the policy, and text = policy */
static int s_check_set(const Ledger__PolicySet *r, err_t *err)
{
    if (s_check_month(r->month, err) < 0)
        return -1;
    if (!*r->format)
        return err_set(err, ERR(MISSING), "format", "the file's format, yaml or json");
    if (strcmp(r->format, "yaml") && strcmp(r->format, "json"))
        return err_set(err, ERR(INVALID), "format", "yaml or json, got \"%.40s\"", r->format);
    size_t len = strlen(r->text);
    if (!len)
        return err_set(err, ERR(MISSING), "text", "the policy file as given");
    if (len > POLICY_TEXT_MAX)
        return err_set(err, ERR(OUT_OF_RANGE), "text", "a policy file has at most %d KiB, "
                       "got %zu bytes", POLICY_TEXT_MAX / 1024, len);
    if (!r->policy)
        return err_set(err, ERR(MISSING), "policy", "the complete policy");
    if (policy_validate(r->policy, err) < 0) {
        err_prefix_field(err, "policy");
        return -1;
    }
    Ledger__Policy *parsed = NULL;
    int line;
    if (policy_read(&parsed, r->text, len, r->format, &line, err) < 0) {
        char msg[sizeof err->msg], at[24] = "";
        if (line)
            snprintf(at, sizeof at, " (line %d)", line);
        snprintf(msg, sizeof msg, "%s%s%s%s", err->field, at, *err->field || line ? ": " : "",
                 err->msg);
        return err_set(err, err->code, "text", "%s", msg);
    }
    int same = policy_equal(parsed, r->policy);
    ledger__policy__free_unpacked(parsed, NULL);
    if (!same)
        return err_set(err, ERR(INVALID), "policy", "the policy is not what text gives "
                       "(keys it omits are filled from this ledgerd's default policy)");
    return 0;
}

/* policy_set - a new version of the month's policy, and its event */
int policy_set(apply_t *a, const ProtobufCMessage *req, err_t *err)
{
    const Ledger__PolicySet *r = (const void *)req;
    Ledger__PolicyVersion *prev = NULL;
    uint8_t key[KEY_LEN];

    if (s_check_set(r, err) < 0)
        return -1;
    int rc = s_in_force(a, r->month, &prev, err);
    if (rc < 0)
        return -1;
    uint32_t version = rc == 0 && !strcmp(prev->month, r->month) ? prev->version + 1 : 1;
    if (prev)
        ledger__policy_version__free_unpacked(prev, NULL);
    if (version == UINT32_MAX)   /* the seek key's version: never stored */
        return err_set(err, ERR(OUT_OF_RANGE), "month", "month %s has every version there is",
                       r->month);

    Ledger__PolicyVersion pv = LEDGER__POLICY_VERSION__INIT;
    pv.month = r->month;
    pv.version = version;
    pv.policy = r->policy;
    pv.format = r->format;
    pv.text = r->text;
    pv.actor = (char *)a->actor;
    pv.set_ms = a->counters.ledger_ms;
    s_key(key, r->month, version);
    if (store_put_msg(a->store, a->txn, a->store->policies, key, KEY_LEN, &pv.base,
                      MDB_NOOVERWRITE, err) < 0)
        return -1;

    Ledger__Event ev = LEDGER__EVENT__INIT;
    ev.kind = "policy.set";
    ev.entity_code = r->month;
    ev.version = version;
    ev.body_case = LEDGER__EVENT__BODY_POLICY;
    ev.policy = &pv;
    if (eventlog_append(a, &ev, err) < 0)
        return -1;

    Ledger__PolicyReply rep = LEDGER__POLICY_REPLY__INIT;
    rep.version = &pv;
    rep.effective_month = r->month;
    rep.seq = ev.seq;
    apply_reply(a, &rep.base);
    return 0;
}

/* policy_get - the version in force: the month's latest, else the latest
 * earlier month's, else the built-in default (version 0) */
int policy_get(apply_t *a, const ProtobufCMessage *req, err_t *err)
{
    const Ledger__PolicyGet *r = (const void *)req;
    Ledger__PolicyVersion *found = NULL;
    Ledger__PolicyReply rep = LEDGER__POLICY_REPLY__INIT;

    if (s_check_month(r->month, err) < 0)
        return -1;
    int rc = s_in_force(a, r->month, &found, err);
    if (rc < 0)
        return -1;
    if (rc == 0) {
        rep.version = found;
        rep.effective_month = found->month;
        apply_reply(a, &rep.base);
        ledger__policy_version__free_unpacked(found, NULL);
        return 0;
    }
    Ledger__PolicyVersion def = LEDGER__POLICY_VERSION__INIT;
    def.policy = policy_default();
    rep.version = &def;
    apply_reply(a, &rep.base);
    ledger__policy__free_unpacked(def.policy, NULL);
    return 0;
}
