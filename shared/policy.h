/* policy - the monthly policy as a file (YAML or JSON) and as a
 * ledger.Policy: the built-in default (the seed documents' numbers), parsing
 * with omitted keys filled from it, validation that names the key at fault,
 * and formatting back into a commented file. Storing versions is ledgerd's
 * (server/ledgerd/policy.c); applying the numbers is the workers'. */
#ifndef LEDGER_POLICY_H
#define LEDGER_POLICY_H

#include <stddef.h>
#include "err.h"
#include "policy.pb-c.h"

#define POLICY_TEXT_MAX (256 * 1024)   /* bytes of a policy file */
#define POLICY_RATE_MAX 10000          /* bp: 100 % */
#define POLICY_HOURS_MAX 8784          /* 366 days */
#define POLICY_DAYS_MAX 3660           /* ten years */
#define POLICY_COUNT_MAX 1000          /* post quotas */
#define POLICY_LIST_MAX 100            /* brackets, tiers, rules, roles per rule */

/* policy_default - a new copy of the built-in default policy; caller frees
 * with ledger__policy__free_unpacked(p, NULL) */
Ledger__Policy *policy_default(void);

/* policy_copy - a deep copy; caller frees as above */
Ledger__Policy *policy_copy(const Ledger__Policy *p);

/* policy_equal - 1 when a and b pack to the same bytes */
int policy_equal(const Ledger__Policy *a, const Ledger__Policy *b);

/* policy_parse - a YAML or JSON file (format "yaml" or "json") into a
 * complete policy: keys it omits take the default's values (maps such as
 * role_rates and fines key by key, lists such as rebate_brackets whole).
 * Checks syntax, key names and value types, not ranges or order (that is
 * policy_validate). -1 with INVALID (syntax, unknown key, wrong type) or
 * OUT_OF_RANGE (too large, too deep) and the key in err->field, e.g.
 * "role_rates.chanel". On success caller frees *out as above; on failure
 * *out is NULL. */
int policy_parse(Ledger__Policy **out, const char *text, size_t len, const char *format,
                 err_t *err);

/* policy_read - policy_parse then policy_validate; *line (may be NULL) gets
 * the file line of the key at fault when the parser knows it (YAML: always;
 * JSON: syntax errors only), else 0 */
int policy_read(Ledger__Policy **out, const char *text, size_t len, const char *format,
                int *line, err_t *err);

/* policy_validate - every rule of a complete policy: rates 0..10000 bp,
 * amounts 0..MONEY_MAX_FEN, brackets rising, known rules and roles, enums
 * set. -1 with OUT_OF_RANGE, INVALID or MISSING and the key, e.g.
 * "rebate_brackets[1].from" */
int policy_validate(const Ledger__Policy *p, err_t *err);

/* policy_format_yaml - p as a commented YAML policy file, readable by a
 * person and by policy_parse; policies/default.yaml is this of the default.
 * Caller frees the string with free(). */
char *policy_format_yaml(const Ledger__Policy *p);

/* policy_format_json - p as one line of JSON with the file's keys; caller
 * frees with free() */
char *policy_format_json(const Ledger__Policy *p);

/* policy_role_name - a StaffRole as policies name it ("supervisor"); "" for
 * none or an unknown value */
const char *policy_role_name(int staff_role);

/* policy_month_valid - "YYYY-MM", a real month (year 1970..9999) */
int policy_month_valid(const char *month);

/* policy_rule_known - rule is in the catalogue of compliance rules */
int policy_rule_known(const char *rule);

#endif
