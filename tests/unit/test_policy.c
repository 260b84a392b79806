/* policy - the policy file: the built-in default and policies/default.yaml
 * agree; omitted keys come from the default; every mistake names its key
 * (and its line in YAML); YAML and JSON give the same policy. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "entity.pb-c.h"
#include "policy.h"

#define N(a) (sizeof (a) / sizeof (a)[0])

/* s_read - policy_read of a NUL-terminated text; asserts success */
static Ledger__Policy *s_read(const char *text, const char *format)
{
    Ledger__Policy *p = NULL;
    err_t err = { 0 };
    int line = -1;
    int rc = policy_read(&p, text, strlen(text), format, &line, &err);
    cr_assert_eq(rc, 0, "policy_read(%s) = %d: line %d %s %s: %s", format, rc, line,
                 err_code_name(err.code), err.field, err.msg);
    cr_assert_eq(line, 0, "no line on success, got %d", line);
    return p;
}

/* s_fails - policy_read refuses text with code, naming field (and line, if > 0) */
static void s_fails(const char *text, const char *format, int code, const char *field,
                    int want_line)
{
    Ledger__Policy *p = (Ledger__Policy *)0x1;
    err_t err = { 0 };
    int line = -1;
    int rc = policy_read(&p, text, strlen(text), format, &line, &err);
    cr_assert_eq(rc, -1, "policy_read(%s) of <<%s>> = %d, want -1", format, text, rc);
    cr_assert_null(p, "*out is NULL on failure");
    cr_assert_eq(err.code, code, "<<%s>>: got %s (%s: %s), want %s", text,
                 err_code_name(err.code), err.field, err.msg, err_code_name(code));
    cr_assert_str_eq(err.field, field, "<<%s>>: got field \"%s\", want \"%s\" (%s)", text,
                     err.field, field, err.msg);
    cr_assert_neq(err.msg[0], '\0', "<<%s>>: empty message", text);
    if (want_line >= 0)
        cr_assert_eq(line, want_line, "<<%s>>: got line %d, want %d", text, line, want_line);
}

/* s_repo_file - a file of the source tree, found from this test's path */
static char *s_repo_file(const char *rel, size_t *len)
{
    char path[1024];
    const char *here = __FILE__, *cut = strstr(here, "tests/unit/");
    cr_assert(cut, "cannot find the source tree from %s", here);
    snprintf(path, sizeof path, "%.*s%s", (int)(cut - here), here, rel);
    FILE *f = fopen(path, "rb");
    cr_assert(f, "cannot open %s", path);
    char *buf = malloc(POLICY_TEXT_MAX + 1);
    *len = fread(buf, 1, POLICY_TEXT_MAX, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

Test(policy, the_default_holds_the_seed_numbers_and_validates)
{
    Ledger__Policy *p = policy_default();
    err_t err = { 0 };
    cr_assert_eq(policy_validate(p, &err), 0, "%s: %s", err.field, err.msg);
    cr_assert_eq(p->seller_rate, 2000);
    cr_assert_eq(p->inviter_rate, 500);
    cr_assert_eq(p->refund_window_hours, 168);
    cr_assert_eq(p->distributor_supply_rate, 8000);
    cr_assert_eq(p->n_distributor_tiers, 3);
    cr_assert_eq(p->distributor_tiers[1]->from, 500000);
    cr_assert_eq(p->distributor_tiers[2]->factor, 8000);
    cr_assert_eq(p->n_rebate_brackets, 3);
    cr_assert_eq(p->rebate_brackets[2]->rebate, 150000);
    cr_assert_eq(p->n_pool_brackets, 4);
    cr_assert_eq(p->pool_brackets[0]->up_to, 1000000);
    cr_assert_eq(p->pool_brackets[3]->_up_to_case, LEDGER__POOL_BRACKET___UP_TO__NOT_SET);
    cr_assert_eq(p->pool_brackets[3]->rate, 4500);
    cr_assert_not(p->pool_marginal);
    cr_assert_eq(p->account_rotation_days, 90);
    cr_assert_eq(p->first_response_hours, 24);
    cr_assert_eq(p->member_callback_hours, 72);
    cr_assert_eq(p->complaint_close_hours, 168);
    cr_assert_eq(p->major_report_hours, 1);
    cr_assert_eq(p->late_entry, LEDGER__LATE_ENTRY__LATE_ENTRY_NEXT_OPEN_DAY);
    cr_assert_eq(p->role_base, LEDGER__COMMISSION_BASE__BASE_GROSS_PROFIT);
    int found = 0;
    for (size_t i = 0; i < p->n_fines; i++)
        if (!strcmp(p->fines[i]->rule, "training.weekly_script")) {
            found = 1;
            cr_assert_eq(p->fines[i]->n_roles, 3);
            for (size_t j = 0; j < 3; j++)
                cr_assert_eq(p->fines[i]->roles[j]->amount, 10000, "%s",
                             p->fines[i]->roles[j]->role);
        }
    cr_assert(found, "no fine for training.weekly_script");
    ledger__policy__free_unpacked(p, NULL);
}

Test(policy, the_shipped_default_file_is_the_built_in_default)
{
    size_t len;
    char *text = s_repo_file("policies/default.yaml", &len);
    Ledger__Policy *def = policy_default(), *file = s_read(text, "yaml");
    cr_assert(policy_equal(file, def), "policies/default.yaml parses to another policy");
    char *formatted = policy_format_yaml(def);
    cr_assert_str_eq(formatted, text, "policies/default.yaml is not 'ledgerctl policy default'; "
                     "regenerate it");
    free(formatted);
    free(text);
    ledger__policy__free_unpacked(def, NULL);
    ledger__policy__free_unpacked(file, NULL);
}

Test(policy, an_empty_file_is_the_default)
{
    Ledger__Policy *def = policy_default(), *p = s_read("# nothing set\n", "yaml");
    cr_assert(policy_equal(p, def));
    ledger__policy__free_unpacked(p, NULL);
    p = s_read("{}", "json");
    cr_assert(policy_equal(p, def));
    ledger__policy__free_unpacked(p, NULL);
    ledger__policy__free_unpacked(def, NULL);
}

Test(policy, omitted_keys_are_filled_from_the_default)
{
    Ledger__Policy *p = s_read("seller_rate: 1800\n"
                               "role_rates:\n"
                               "  channel: 300\n"
                               "fines:\n"
                               "  posts.weekly_life:\n"
                               "    agent: 4000\n"
                               "  work.daily_log:\n"
                               "    aftersale: 2000\n"
                               "monthly_caps:\n"
                               "  supervisor: 500000\n", "yaml");
    cr_assert_eq(p->seller_rate, 1800);
    cr_assert_eq(p->inviter_rate, 500, "an omitted key keeps the default");
    cr_assert_eq(p->role_rates->channel, 300);
    cr_assert_eq(p->role_rates->service, 0, "role_rates merges key by key");
    cr_assert_eq(p->n_distributor_tiers, 3);
    cr_assert_eq(p->posts->weekly_life_min, 3);
    cr_assert_eq(p->n_monthly_caps, 1);
    cr_assert_str_eq(p->monthly_caps[0]->role, "supervisor");
    int weekly_life = 0, daily_log = 0;
    for (size_t i = 0; i < p->n_fines; i++) {
        Ledger__RuleAmounts *r = p->fines[i];
        if (!strcmp(r->rule, "posts.weekly_life")) {
            weekly_life = 1;
            cr_assert_eq(r->n_roles, 4, "the rule's other roles keep their fines");
            for (size_t j = 0; j < r->n_roles; j++)
                if (!strcmp(r->roles[j]->role, "agent"))
                    cr_assert_eq(r->roles[j]->amount, 4000);
                else if (!strcmp(r->roles[j]->role, "supervisor"))
                    cr_assert_eq(r->roles[j]->amount, 5000);
        }
        if (!strcmp(r->rule, "work.daily_log"))
            daily_log = 1;
        if (i)
            cr_assert_lt(strcmp(p->fines[i - 1]->rule, r->rule), 0, "fines sorted by rule");
    }
    cr_assert(weekly_life && daily_log);
    ledger__policy__free_unpacked(p, NULL);
}

Test(policy, a_list_replaces_the_default_list_whole)
{
    Ledger__Policy *p = s_read("rebate_brackets:\n"
                               "  - from: 100000\n"
                               "    rebate: 5000\n"
                               "pool_brackets:\n"
                               "  - rate: 3000\n", "yaml");
    cr_assert_eq(p->n_rebate_brackets, 1);
    cr_assert_eq(p->rebate_brackets[0]->from, 100000);
    cr_assert_eq(p->n_pool_brackets, 1);
    ledger__policy__free_unpacked(p, NULL);
    p = s_read("rebate_brackets: []\n", "yaml");
    cr_assert_eq(p->n_rebate_brackets, 0, "[] means no rebates");
    ledger__policy__free_unpacked(p, NULL);
}

Test(policy, names_an_unknown_key)
{
    s_fails("role_rates:\n  chanel: 5\n", "yaml", ERR(INVALID), "role_rates.chanel", 2);
    s_fails("seller_rat: 5\n", "yaml", ERR(INVALID), "seller_rat", 1);
    s_fails("rebate_brackets:\n  - from: 1\n    amount: 5\n", "yaml", ERR(INVALID),
            "rebate_brackets[0].amount", 3);
    s_fails("posts:\n  daily: 1\n", "yaml", ERR(INVALID), "posts.daily", 2);
    s_fails("{\"role_rates\": {\"chanel\": 5}}", "json", ERR(INVALID), "role_rates.chanel", 0);
    s_fails("fines:\n  posts.weekly_lif:\n    agent: 1\n", "yaml", ERR(INVALID),
            "fines.posts.weekly_lif", 2);
    s_fails("fines:\n  posts.weekly_life:\n    agnet: 1\n", "yaml", ERR(INVALID),
            "fines.posts.weekly_life.agnet", 3);
    s_fails("monthly_caps:\n  sender: 1\n", "yaml", ERR(INVALID), "monthly_caps.sender", 2);
}

Test(policy, names_a_negative_or_too_large_rate)
{
    err_t err = { 0 };
    Ledger__Policy *p = NULL;
    const char *text = "seller_rate: 2000\nrole_rates:\n  channel: -5\n";
    cr_assert_eq(policy_read(&p, text, strlen(text), "yaml", NULL, &err), -1);
    cr_assert_eq(err.code, ERR(OUT_OF_RANGE), "%s", err_code_name(err.code));
    cr_assert_str_eq(err.field, "role_rates.channel");
    cr_assert_str_eq(err.msg, "a rate is 0..10000 basis points, got -5");
    s_fails(text, "yaml", ERR(OUT_OF_RANGE), "role_rates.channel", 3);
    s_fails("inviter_rate: 10001\n", "yaml", ERR(OUT_OF_RANGE), "inviter_rate", 1);
    s_fails("pool_brackets:\n  - up_to: 5\n    rate: 3000\n  - rate: -1\n", "yaml",
            ERR(OUT_OF_RANGE), "pool_brackets[1].rate", 4);
    s_fails("fines:\n  work.daily_log:\n    agent: -100\n", "yaml", ERR(OUT_OF_RANGE),
            "fines.work.daily_log.agent", 3);
    s_fails("{\"seller_rate\": -1}", "json", ERR(OUT_OF_RANGE), "seller_rate", 0);
    s_fails("first_response_hours: 0\n", "yaml", ERR(OUT_OF_RANGE), "first_response_hours", 1);
}

Test(policy, complaint_deadlines_are_set_by_a_file_and_kept_when_omitted)
{
    Ledger__Policy *p = s_read("complaint_close_hours: 72\n"
                               "major_report_hours: 2\n", "yaml");
    cr_assert_eq(p->complaint_close_hours, 72);
    cr_assert_eq(p->major_report_hours, 2);
    cr_assert_eq(p->member_callback_hours, 72, "an omitted key keeps the default");
    ledger__policy__free_unpacked(p, NULL);
    p = s_read("{\"major_report_hours\": 4}", "json");
    cr_assert_eq(p->major_report_hours, 4);
    cr_assert_eq(p->complaint_close_hours, 168, "an omitted key keeps the default");
    ledger__policy__free_unpacked(p, NULL);
    p = s_read("seller_rate: 1800\n", "yaml");
    cr_assert_eq(p->complaint_close_hours, 168);
    cr_assert_eq(p->major_report_hours, 1);
    ledger__policy__free_unpacked(p, NULL);
}

Test(policy, names_a_complaint_deadline_out_of_range)
{
    static const char *const keys[] = { "complaint_close_hours", "major_report_hours" };
    static const long long bad[] = { 0, POLICY_HOURS_MAX + 1 };
    char text[128], msg[128];
    for (size_t k = 0; k < N(keys); k++)
        for (size_t b = 0; b < N(bad); b++) {
            snprintf(text, sizeof text, "seller_rate: 2000\n%s: %lld\n", keys[k], bad[b]);
            s_fails(text, "yaml", ERR(OUT_OF_RANGE), keys[k], 2);
            snprintf(text, sizeof text, "{\"%s\": %lld}", keys[k], bad[b]);
            s_fails(text, "json", ERR(OUT_OF_RANGE), keys[k], 0);

            Ledger__Policy *p = NULL;
            err_t err = { 0 };
            cr_assert_eq(policy_read(&p, text, strlen(text), "json", NULL, &err), -1);
            snprintf(msg, sizeof msg, "%s is 1..%d hours, got %lld", keys[k], POLICY_HOURS_MAX,
                     bad[b]);
            cr_assert_str_eq(err.msg, msg, "got \"%s\", want \"%s\"", err.msg, msg);
        }
    Ledger__Policy *p = s_read("complaint_close_hours: 8784\nmajor_report_hours: 1\n", "yaml");
    cr_assert_eq(p->complaint_close_hours, POLICY_HOURS_MAX, "the limits themselves are allowed");
    ledger__policy__free_unpacked(p, NULL);
}

Test(policy, complaint_deadlines_survive_json_and_yaml)
{
    Ledger__Policy *p = s_read("complaint_close_hours: 240\nmajor_report_hours: 3\n", "yaml");
    char *json = policy_format_json(p), *yaml = policy_format_yaml(p);
    cr_assert(strstr(json, "\"complaint_close_hours\":240"), "%s", json);
    cr_assert(strstr(json, "\"major_report_hours\":3"), "%s", json);
    cr_assert(strstr(yaml, "\ncomplaint_close_hours: 240 "), "%s", yaml);
    cr_assert(strstr(yaml, "\nmajor_report_hours: 3 "), "%s", yaml);
    Ledger__Policy *j = s_read(json, "json"), *y = s_read(yaml, "yaml");
    cr_assert(policy_equal(j, p), "the JSON form does not read back: %s", json);
    cr_assert(policy_equal(y, p), "the YAML form does not read back: %s", yaml);
    cr_assert_eq(j->complaint_close_hours, 240);
    cr_assert_eq(j->major_report_hours, 3);
    free(json);
    free(yaml);
    ledger__policy__free_unpacked(p, NULL);
    ledger__policy__free_unpacked(j, NULL);
    ledger__policy__free_unpacked(y, NULL);
}

Test(policy, knows_the_callback_result_and_outside_policy_price_rules)
{
    cr_assert(policy_rule_known("service.callback_result"));
    cr_assert(policy_rule_known("price.outside_policy"));
    cr_assert_not(policy_rule_known("price.outside"));

    Ledger__Policy *def = policy_default();
    for (size_t i = 0; i < def->n_fines; i++)
        cr_assert(strcmp(def->fines[i]->rule, "service.callback_result") &&
                  strcmp(def->fines[i]->rule, "price.outside_policy"),
                  "%s carries no default fine", def->fines[i]->rule);
    char *yaml = policy_format_yaml(def);
    cr_assert(strstr(yaml, "#   service.callback_result "), "the file lists the rule");
    cr_assert(strstr(yaml, "#   price.outside_policy "), "the file lists the rule");
    free(yaml);
    ledger__policy__free_unpacked(def, NULL);

    Ledger__Policy *p = s_read("fines:\n"
                               "  service.callback_result:\n"
                               "    agent: 2000\n"
                               "  price.outside_policy:\n"
                               "    supervisor: 5000\n"
                               "rewards:\n"
                               "  service.callback_result:\n"
                               "    agent: 1000\n", "yaml");
    int callback = 0, price = 0;
    for (size_t i = 0; i < p->n_fines; i++) {
        const Ledger__RuleAmounts *r = p->fines[i];
        if (!strcmp(r->rule, "service.callback_result")) {
            callback = 1;
            cr_assert_eq(r->n_roles, 1);
            cr_assert_str_eq(r->roles[0]->role, "agent");
            cr_assert_eq(r->roles[0]->amount, 2000);
        }
        if (!strcmp(r->rule, "price.outside_policy")) {
            price = 1;
            cr_assert_eq(r->n_roles, 1);
            cr_assert_eq(r->roles[0]->amount, 5000);
        }
        if (i)
            cr_assert_lt(strcmp(p->fines[i - 1]->rule, r->rule), 0, "fines sorted by rule");
    }
    cr_assert(callback && price, "both rules' fines are kept");
    ledger__policy__free_unpacked(p, NULL);
    s_fails("fines:\n  service.callback_results:\n    agent: 1\n", "yaml", ERR(INVALID),
            "fines.service.callback_results", 2);
}

Test(policy, names_brackets_out_of_order)
{
    s_fails("rebate_brackets:\n"
            "  - from: 200000\n"
            "    rebate: 10000\n"
            "  - from: 200000\n"
            "    rebate: 50000\n", "yaml", ERR(INVALID), "rebate_brackets[1].from", 4);
    s_fails("distributor_tiers:\n"
            "  - {from: 0, factor: 10000}\n"
            "  - {from: 900000, factor: 9000}\n"
            "  - {from: 500000, factor: 8000}\n", "yaml", ERR(INVALID),
            "distributor_tiers[2].from", 4);
    s_fails("distributor_tiers:\n  - {from: 100, factor: 10000}\n", "yaml", ERR(INVALID),
            "distributor_tiers[0].from", 2);
    s_fails("pool_brackets:\n"
            "  - {up_to: 2000000, rate: 3000}\n"
            "  - {up_to: 1000000, rate: 3500}\n"
            "  - {rate: 4000}\n", "yaml", ERR(INVALID), "pool_brackets[1].up_to", 3);
    s_fails("pool_brackets:\n  - {up_to: 2000000, rate: 3000}\n", "yaml", ERR(INVALID),
            "pool_brackets[0].up_to", 2);
    s_fails("pool_brackets:\n  - {rate: 3000}\n  - {rate: 4000}\n", "yaml", ERR(MISSING),
            "pool_brackets[0].up_to", 2);
    s_fails("{\"rebate_brackets\": [{\"from\": 5, \"rebate\": 1}, {\"from\": 4, \"rebate\": 2}]}",
            "json", ERR(INVALID), "rebate_brackets[1].from", 0);
}

Test(policy, names_the_key_of_a_wrong_type)
{
    static const struct { const char *text, *format, *field; int line; } cases[] = {
        { "seller_rate: \"2000\"\n", "yaml", "seller_rate", 1 },
        { "seller_rate: 20.5\n", "yaml", "seller_rate", 1 },
        { "seller_rate:\n", "yaml", "seller_rate", 1 },
        { "seller_rate: [2000]\n", "yaml", "seller_rate", 1 },
        { "pool_marginal: yes\n", "yaml", "pool_marginal", 1 },
        { "role_rates: 5\n", "yaml", "role_rates", 1 },
        { "role_base: profit\n", "yaml", "role_base", 1 },
        { "late_entry: later\n", "yaml", "late_entry", 1 },
        { "rebate_brackets: {from: 1}\n", "yaml", "rebate_brackets", 1 },
        { "rebate_brackets:\n  - 5\n", "yaml", "rebate_brackets[0]", 2 },
        { "distributor_tiers:\n  - {from: 0, factor: 99.5}\n", "yaml",
          "distributor_tiers[0].factor", 2 },
        { "fines:\n  work.daily_log: 5\n", "yaml", "fines.work.daily_log", 2 },
        { "monthly_caps:\n  supervisor: 5000.00\n", "yaml", "monthly_caps.supervisor", 2 },
        { "{\"seller_rate\": \"2000\"}", "json", "seller_rate", 0 },
        { "{\"role_rates\": {\"channel\": 1.5}}", "json", "role_rates.channel", 0 },
        { "{\"pool_marginal\": 1}", "json", "pool_marginal", 0 },
        { "{\"posts\": []}", "json", "posts", 0 },
    };
    for (size_t i = 0; i < N(cases); i++)
        s_fails(cases[i].text, cases[i].format, ERR(INVALID), cases[i].field, cases[i].line);
    s_fails("rebate_brackets:\n  - from: 1\n", "yaml", ERR(MISSING),
            "rebate_brackets[0].rebate", 2);
}

Test(policy, says_where_the_syntax_breaks)
{
    s_fails("seller_rate: 2000\nrole_rates:\n  channel: [1\n", "yaml", ERR(INVALID), "", -1);
    s_fails("seller_rate: 1\nseller_rate: 2\n", "yaml", ERR(INVALID), "seller_rate", 2);
    s_fails("a: &x 1\nb: *x\n", "yaml", ERR(INVALID), "", 2);
    s_fails("---\na: 1\n---\nb: 2\n", "yaml", ERR(INVALID), "", 3);
    s_fails("- 1\n- 2\n", "yaml", ERR(INVALID), "", 1);
    s_fails("{\n\"seller_rate\": 1,\n\"seller_rate\": 2}", "json", ERR(INVALID), "", 3);
    s_fails("{\n\"seller_rate\": 1,\n", "json", ERR(INVALID), "", -1);
    s_fails("seller_rate: 1\n", "toml", ERR(INVALID), "format", 0);
}

Test(policy, yaml_and_json_give_the_same_policy)
{
    Ledger__Policy *y = s_read("inviter_rate: 600\n"
                               "role_rates: {assist: 100, channel: 200}\n"
                               "pool_marginal: true\n"
                               "late_entry: reopen\n"
                               "rewards:\n"
                               "  work.weekly_plan: {planner: 1000, editor: 500}\n"
                               "pool_brackets:\n"
                               "  - up_to: 1_000_000\n"
                               "    rate: 3000\n"
                               "  - rate: 4000\n", "yaml");
    Ledger__Policy *j = s_read("{\"pool_brackets\": [{\"rate\": 3000, \"up_to\": 1000000}, "
                               "{\"rate\": 4000}], \"late_entry\": \"reopen\", "
                               "\"rewards\": {\"work.weekly_plan\": {\"editor\": 500, "
                               "\"planner\": 1000}}, \"pool_marginal\": true, "
                               "\"role_rates\": {\"channel\": 200, \"assist\": 100}, "
                               "\"inviter_rate\": 600}", "json");
    cr_assert(policy_equal(y, j), "the YAML and the JSON file differ");
    cr_assert_eq(y->late_entry, LEDGER__LATE_ENTRY__LATE_ENTRY_REOPEN);
    cr_assert(y->pool_marginal);

    /* Both formats written back read as the same policy. */
    char *json = policy_format_json(y), *yaml = policy_format_yaml(y);
    Ledger__Policy *jj = s_read(json, "json"), *yy = s_read(yaml, "yaml");
    cr_assert(policy_equal(jj, y), "the JSON form does not read back: %s", json);
    cr_assert(policy_equal(yy, y), "the YAML form does not read back: %s", yaml);
    free(json);
    free(yaml);
    ledger__policy__free_unpacked(y, NULL);
    ledger__policy__free_unpacked(j, NULL);
    ledger__policy__free_unpacked(jj, NULL);
    ledger__policy__free_unpacked(yy, NULL);
}

Test(policy, validate_checks_a_policy_built_by_hand)
{
    Ledger__Policy *p = policy_default();
    err_t err = { 0 };
    p->seller_rate = 20000;
    cr_assert_eq(policy_validate(p, &err), -1);
    cr_assert_eq(err.code, ERR(OUT_OF_RANGE));
    cr_assert_str_eq(err.field, "seller_rate");
    p->seller_rate = 2000;
    p->major_report_hours = 0;
    cr_assert_eq(policy_validate(p, &err), -1);
    cr_assert_eq(err.code, ERR(OUT_OF_RANGE));
    cr_assert_str_eq(err.field, "major_report_hours");
    p->major_report_hours = 1;
    p->late_entry = 0;
    cr_assert_eq(policy_validate(p, &err), -1);
    cr_assert_eq(err.code, ERR(MISSING));
    cr_assert_str_eq(err.field, "late_entry");
    p->late_entry = LEDGER__LATE_ENTRY__LATE_ENTRY_REOPEN;
    free(p->fines[1]->rule);
    p->fines[1]->rule = strdup(p->fines[0]->rule);
    cr_assert_eq(policy_validate(p, &err), -1);
    cr_assert_eq(err.code, ERR(INVALID));
    cr_assert_str_eq(err.field, "fines.posts.professional_copy");
    ledger__policy__free_unpacked(p, NULL);
}

Test(policy, knows_a_month_when_it_sees_one)
{
    static const struct { const char *m; int ok; } cases[] = {
        { "2026-03", 1 }, { "1970-01", 1 }, { "9999-12", 1 }, { "2026-13", 0 },
        { "2026-00", 0 }, { "2026-3", 0 }, { "26-03", 0 }, { "2026/03", 0 },
        { "1969-12", 0 }, { "2026-03-01", 0 }, { "", 0 }, { "abcd-ef", 0 },
    };
    for (size_t i = 0; i < N(cases); i++)
        cr_assert_eq(policy_month_valid(cases[i].m), cases[i].ok, "\"%s\": got %d, want %d",
                     cases[i].m, !cases[i].ok, cases[i].ok);
}

Test(policy, refuses_a_file_over_the_limit)
{
    size_t n = POLICY_TEXT_MAX + 1;
    char *text = malloc(n + 1);
    memset(text, '#', n);
    text[n] = '\0';
    Ledger__Policy *p = NULL;
    err_t err = { 0 };
    cr_assert_eq(policy_read(&p, text, n, "yaml", NULL, &err), -1);
    cr_assert_eq(err.code, ERR(OUT_OF_RANGE));
    free(text);
}

Test(policy, staff_roles_have_the_names_caps_use)
{
    cr_assert_str_eq(policy_role_name(LEDGER__STAFF_ROLE__PRESALE), "presale");
    cr_assert_str_eq(policy_role_name(LEDGER__STAFF_ROLE__GROUP_LEADER), "group-leader");
    cr_assert_str_eq(policy_role_name(LEDGER__STAFF_ROLE__EDITOR), "editor");
    cr_assert_str_eq(policy_role_name(0), "");
    cr_assert_str_eq(policy_role_name(99), "");
}
