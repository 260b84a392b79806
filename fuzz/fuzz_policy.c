/* fuzz_policy - policy_read (parse, then validate) on any text, as YAML and
 * as JSON. A policy it accepts must survive its own formatting: the YAML
 * and the JSON policy_format_* write read back to an equal policy.
 * tests/unit/test_fuzz_regressions.c includes this file to replay the
 * corpus and fuzz/regressions/ with the same checks. */
#include <stdlib.h>
#include <string.h>
#include "policy.h"

/* s_policy_round_trip - text (freed here), formatted from p, reads back as p */
static void s_policy_round_trip(const Ledger__Policy *p, char *text, const char *format)
{
    Ledger__Policy *back = NULL;
    err_t err = { 0 };
    if (policy_read(&back, text, strlen(text), format, NULL, &err) < 0 ||
        !policy_equal(p, back))
        abort();
    ledger__policy__free_unpacked(back, NULL);
    free(text);
}

/* s_policy_one - read as format; refused with a reason, or round-tripped */
static void s_policy_one(const uint8_t *data, size_t size, const char *format)
{
    Ledger__Policy *p = NULL;
    err_t err = { 0 };
    int line = 0;
    if (policy_read(&p, (const char *)data, size, format, &line, &err) < 0) {
        if (p || err.code == 0 || line < 0)
            abort();
        return;
    }
    s_policy_round_trip(p, policy_format_yaml(p), "yaml");
    s_policy_round_trip(p, policy_format_json(p), "json");
    ledger__policy__free_unpacked(p, NULL);
}

/* LLVMFuzzerTestOneInput - the same text as YAML and as JSON */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    s_policy_one(data, size, "yaml");
    s_policy_one(data, size, "json");
    return 0;
}
