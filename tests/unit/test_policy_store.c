/* policy_store - ledgerd's policy versions: numbered per month, the version
 * in force for a month (its own latest, else an earlier month's, else the
 * built-in default), retries set once, and everything checked again. */
#include <criterion/criterion.h>
#include <string.h>
#include "fixture.h"
#include "policy.h"

static fixture_t f;

static void setup(void) { fixture_open(&f, 1); }
static void teardown(void) { fixture_close(&f); }

TestSuite(policy_store, .init = setup, .fini = teardown);

/* s_set_policy - PolicySet of p with text; 0 with *out, or -1 with err */
static int s_set_policy(const char *month, Ledger__Policy *p, const char *text,
                        const char *idem, Ledger__PolicyReply **out, err_t *err)
{
    Ledger__PolicySet req = LEDGER__POLICY_SET__INIT;
    req.meta = fixture_meta(idem);
    req.month = (char *)month;
    req.policy = p;
    req.format = "yaml";
    req.text = (char *)text;
    return fixture_call(&f, FRAME_POLICY_SET, &req.base, &ledger__policy_reply__descriptor,
                        (ProtobufCMessage **)out, err);
}

/* s_set - a YAML text set for month as ledgerctl would; returns the version */
static uint32_t s_set(const char *month, const char *text, const char *idem)
{
    Ledger__Policy *p = NULL;
    Ledger__PolicyReply *r = NULL;
    err_t err = { 0 };
    cr_assert_eq(policy_read(&p, text, strlen(text), "yaml", NULL, &err), 0, "%s: %s",
                 err.field, err.msg);
    cr_assert_eq(s_set_policy(month, p, text, idem, &r, &err), 0, "policy.set %s: %s %s: %s",
                 month, err_code_name(err.code), err.field, err.msg);
    cr_assert_str_eq(r->effective_month, month);
    cr_assert_str_eq(r->version->month, month);
    uint32_t version = r->version->version;
    ledger__policy_reply__free_unpacked(r, NULL);
    ledger__policy__free_unpacked(p, NULL);
    return version;
}

/* s_get - PolicyGet for month; asserts success */
static Ledger__PolicyReply *s_get(const char *month)
{
    Ledger__PolicyGet req = LEDGER__POLICY_GET__INIT;
    ProtobufCMessage *out = NULL;
    err_t err = { 0 };
    req.meta = fixture_meta(NULL);
    req.month = (char *)month;
    cr_assert_eq(fixture_call(&f, FRAME_POLICY_GET, &req.base, &ledger__policy_reply__descriptor,
                              &out, &err), 0, "policy.get %s: %s: %s", month, err.field, err.msg);
    return (Ledger__PolicyReply *)out;
}

Test(policy_store, numbers_versions_per_month)
{
    cr_assert_eq(s_set("2026-03", "seller_rate: 1800\n", "p-1"), 1);
    cr_assert_eq(s_set("2026-03", "seller_rate: 1900\n", "p-2"), 2);
    cr_assert_eq(s_set("2026-04", "seller_rate: 1700\n", "p-3"), 1, "a new month starts at 1");
    cr_assert_eq(s_set("2026-02", "seller_rate: 1600\n", "p-4"), 1, "an earlier month too");
    Ledger__PolicyReply *r = s_get("2026-03");
    cr_assert_str_eq(r->effective_month, "2026-03");
    cr_assert_eq(r->version->version, 2, "the latest version is in force");
    cr_assert_eq(r->version->policy->seller_rate, 1900);
    cr_assert_str_eq(r->version->text, "seller_rate: 1900\n", "the file as given is kept");
    cr_assert_str_eq(r->version->format, "yaml");
    cr_assert_str_eq(r->version->actor, "tester");
    cr_assert_eq(r->version->policy->inviter_rate, 500, "the stored version is complete");
    ledger__policy_reply__free_unpacked(r, NULL);
}

Test(policy_store, a_month_without_a_version_follows_the_latest_earlier_month)
{
    s_set("2026-01", "seller_rate: 1500\n", "p-1");
    s_set("2026-03", "seller_rate: 1800\n", "p-2");
    s_set("2026-03", "seller_rate: 1850\n", "p-3");
    static const struct { const char *month, *effective; int64_t rate; uint32_t version; } cases[] = {
        { "2026-02", "2026-01", 1500, 1 },
        { "2026-03", "2026-03", 1850, 2 },
        { "2026-05", "2026-03", 1850, 2 },
        { "2031-12", "2026-03", 1850, 2 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        Ledger__PolicyReply *r = s_get(cases[i].month);
        cr_assert_str_eq(r->effective_month, cases[i].effective, "%s: got %s, want %s",
                         cases[i].month, r->effective_month, cases[i].effective);
        cr_assert_eq(r->version->version, cases[i].version, "%s", cases[i].month);
        cr_assert_eq(r->version->policy->seller_rate, cases[i].rate, "%s", cases[i].month);
        ledger__policy_reply__free_unpacked(r, NULL);
    }
}

Test(policy_store, the_built_in_default_when_no_month_has_a_version)
{
    Ledger__PolicyReply *r = s_get("2026-03");
    Ledger__Policy *def = policy_default();
    cr_assert_str_eq(r->effective_month, "");
    cr_assert_eq(r->version->version, 0);
    cr_assert(policy_equal(r->version->policy, def));
    ledger__policy_reply__free_unpacked(r, NULL);

    s_set("2026-04", "seller_rate: 1800\n", "p-1");
    r = s_get("2026-03");
    cr_assert_str_eq(r->effective_month, "", "a later month's version does not reach back");
    cr_assert(policy_equal(r->version->policy, def));
    ledger__policy_reply__free_unpacked(r, NULL);
    ledger__policy__free_unpacked(def, NULL);
}

Test(policy_store, a_retry_with_the_same_key_sets_once)
{
    cr_assert_eq(s_set("2026-03", "seller_rate: 1800\n", "same"), 1);
    uint64_t seq = fixture_last_seq(&f);
    cr_assert_eq(s_set("2026-03", "seller_rate: 1800\n", "same"), 1, "the first reply again");
    cr_assert_eq(fixture_last_seq(&f), seq, "a retry appends no event");
    cr_assert_eq(s_set("2026-03", "seller_rate: 1800\n", "other"), 2, "a new key, a new version");

    Ledger__Policy *p = NULL;
    Ledger__PolicyReply *r = NULL;
    err_t err = { 0 };
    const char *text = "seller_rate: 1900\n";
    cr_assert_eq(policy_read(&p, text, strlen(text), "yaml", NULL, &err), 0);
    cr_assert_eq(s_set_policy("2026-03", p, text, "same", &r, &err), -1);
    cr_assert_eq(err.code, ERR(IDEMPOTENCY_MISMATCH), "%s", err_code_name(err.code));
    ledger__policy__free_unpacked(p, NULL);
}

Test(policy_store, refuses_a_bad_month_naming_month)
{
    static const struct { const char *month; int code; } cases[] = {
        { "", ERR(MISSING) }, { "2026-13", ERR(INVALID) }, { "2026-3", ERR(INVALID) },
        { "2026-03-01", ERR(INVALID) }, { "1969-12", ERR(INVALID) },
    };
    Ledger__Policy *p = policy_default();
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        err_t err = { 0 };
        Ledger__PolicyReply *r = NULL;
        cr_assert_eq(s_set_policy(cases[i].month, p, "# default\n", "k", &r, &err), -1,
                     "\"%s\" was taken", cases[i].month);
        cr_assert_eq(err.code, cases[i].code, "\"%s\": got %s, want %s", cases[i].month,
                     err_code_name(err.code), err_code_name(cases[i].code));
        cr_assert_str_eq(err.field, "month");

        Ledger__PolicyGet get = LEDGER__POLICY_GET__INIT;
        get.meta = fixture_meta(NULL);
        get.month = (char *)cases[i].month;
        cr_assert_eq(fixture_call(&f, FRAME_POLICY_GET, &get.base,
                                  &ledger__policy_reply__descriptor, NULL, &err), -1);
        cr_assert_str_eq(err.field, "month", "policy.get \"%s\"", cases[i].month);
    }
    ledger__policy__free_unpacked(p, NULL);
    cr_assert_eq(fixture_last_seq(&f), 0, "nothing was written");
}

Test(policy_store, checks_the_policy_and_its_text_again)
{
    Ledger__Policy *p = policy_default();
    Ledger__PolicyReply *r = NULL;
    err_t err = { 0 };

    p->seller_rate = -5;   /* a client that skipped the checks */
    cr_assert_eq(s_set_policy("2026-03", p, "seller_rate: -5\n", "k-1", &r, &err), -1);
    cr_assert_eq(err.code, ERR(OUT_OF_RANGE), "%s", err_code_name(err.code));
    cr_assert_str_eq(err.field, "policy.seller_rate");

    p->seller_rate = 1800;
    cr_assert_eq(s_set_policy("2026-03", p, "seller_rate: 1900\n", "k-2", &r, &err), -1);
    cr_assert_eq(err.code, ERR(INVALID));
    cr_assert_str_eq(err.field, "policy", "the text must give the policy: %s", err.msg);

    cr_assert_eq(s_set_policy("2026-03", p, "seller_rate: [\n", "k-3", &r, &err), -1);
    cr_assert_str_eq(err.field, "text", "%s", err.msg);

    cr_assert_eq(s_set_policy("2026-03", p, "role_rates:\n  chanel: 1\n", "k-4", &r, &err), -1);
    cr_assert_str_eq(err.field, "text");
    cr_assert(strstr(err.msg, "role_rates.chanel") && strstr(err.msg, "line 2"), "%s", err.msg);

    cr_assert_eq(s_set_policy("2026-03", NULL, "seller_rate: 1800\n", "k-5", &r, &err), -1);
    cr_assert_eq(err.code, ERR(MISSING));
    cr_assert_str_eq(err.field, "policy");

    Ledger__PolicySet req = LEDGER__POLICY_SET__INIT;
    req.meta = fixture_meta("k-6");
    req.month = "2026-03";
    req.policy = p;
    req.format = "toml";
    req.text = "seller_rate = 1800\n";
    cr_assert_eq(fixture_call(&f, FRAME_POLICY_SET, &req.base, &ledger__policy_reply__descriptor,
                              NULL, &err), -1);
    cr_assert_eq(err.code, ERR(INVALID));
    cr_assert_str_eq(err.field, "format");
    cr_assert_eq(fixture_last_seq(&f), 0, "nothing was written");
    ledger__policy__free_unpacked(p, NULL);
}

Test(policy_store, setting_appends_a_policy_set_event_at_ledger_time)
{
    Ledger__ClockSet clock = LEDGER__CLOCK_SET__INIT;
    err_t err = { 0 };
    clock.meta = fixture_meta("clock-1");
    clock.time_ms = 1772330400000;   /* 2026-03-01 10:00 in Shanghai */
    cr_assert_eq(fixture_call(&f, FRAME_CLOCK_SET, &clock.base, &ledger__clock_reply__descriptor,
                              NULL, &err), 0, "%s", err.msg);
    s_set("2026-03", "seller_rate: 1800\n", "p-1");

    Ledger__Replay req = LEDGER__REPLAY__INIT;
    char *kinds[] = { "policy" };
    req.meta = fixture_meta(NULL);
    req.kinds = kinds;
    req.n_kinds = 1;
    Ledger__ReplayReply *r = NULL;
    cr_assert_eq(fixture_call(&f, FRAME_REPLAY, &req.base, &ledger__replay_reply__descriptor,
                              (ProtobufCMessage **)&r, &err), 0, "%s", err.msg);
    cr_assert_eq(r->n_events, 1);
    const Ledger__Event *ev = r->events[0];
    cr_assert_str_eq(ev->kind, "policy.set");
    cr_assert_str_eq(ev->actor, "tester");
    cr_assert_str_eq(ev->entity_code, "2026-03");
    cr_assert_eq(ev->version, 1);
    cr_assert_eq(ev->body_case, LEDGER__EVENT__BODY_POLICY);
    cr_assert_str_eq(ev->policy->month, "2026-03");
    cr_assert_eq(ev->policy->version, 1);
    cr_assert_eq(ev->policy->policy->seller_rate, 1800);
    cr_assert_str_eq(ev->policy->text, "seller_rate: 1800\n");
    cr_assert_eq(ev->policy->set_ms, 1772330400000, "set at ledger time");
    cr_assert_eq(ev->time_ms, 1772330400000);
    ledger__replay_reply__free_unpacked(r, NULL);
}
