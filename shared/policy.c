/* policy - the monthly policy's file form (YAML or JSON) and its rules.
 *
 * DESIGN. Both formats are read into one small tree of maps, lists and
 * scalars (YAML with libyaml's event parser, which gives every node its
 * line; JSON with jansson), and the tree is laid over a fresh copy of the
 * built-in default, so a key the file omits keeps the default's value and
 * the result is always complete. Fixed maps (role_rates, posts) and the
 * open maps (monthly_caps, fines, rewards) merge key by key; lists (tiers,
 * brackets) are replaced whole. Then policy_validate checks the numbers on
 * the protobuf itself, so ledgerd can check what a client sends with the
 * same code; the field it names is looked up in the tree for a file line.
 * The open maps are kept sorted (rules by id, roles by the role table), so
 * a policy packs to the same bytes whatever order its file used. */
#define _GNU_SOURCE   /* open_memstream */
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>
#include "log.h"
#include "money.h"
#include "policy.h"
#include "xmalloc.h"

#define DEPTH_MAX 16   /* the schema nests 3 deep; anything far deeper is not a policy */
#define COMMENT_COL 34

/* Roles a monthly cap names: staff roles, as ledgerctl spells them. */
static const char *const s_staff_roles[] = {
    "presale", "aftersale", "group-leader", "supervisor", "responsible", "checker",
    "finance", "planner", "editor", NULL
};

/* Roles a fine or reward names: the staff roles, then two duties of seed
 * 000 that are not staff roles: the account's service agent (客服) and the
 * person who sends the posts (发送人员). */
static const char *const s_fine_roles[] = {
    "presale", "aftersale", "group-leader", "supervisor", "responsible", "checker",
    "finance", "planner", "editor", "agent", "sender", NULL
};

/* The catalogue of compliance rules a fine or reward may name (DOMAIN.md 4). */
typedef struct {
    const char *id;     /* stable: used in policies and findings */
    const char *what;   /* one line, for the file's comments */
} rule_t;

static const rule_t s_rules[] = {
    { "order.roles_missing", "shipped or completed without handler or arranger" },
    { "order.assist_is_service", "an order claims an assist equal to its service" },
    { "order.role_conflict", "an order claims a role other than the locked one" },
    { "price.below_channel", "below channel price without a supervisor's approval" },
    { "price.outside_policy", "a distributor's price other than its tier's, unapproved" },
    { "finance.account_owner", "a receiving account owned inside its team" },
    { "finance.account_rotation", "an account older than account_rotation_days" },
    { "finance.expenditure_approval", "spending without request, proposal and decision" },
    { "finance.daily_close", "a business day not closed" },
    { "service.first_response", "an issue without a first response in time" },
    { "service.complaint_followup", "a complaint not followed until closed" },
    { "service.major_complaint", "a major complaint not reported at once" },
    { "service.member_callback", "a member not called back in time" },
    { "service.callback_result", "a callback without its result recorded" },
    { "posts.daily", "fewer than posts.daily_min posts on a day" },
    { "posts.weekly_life", "fewer than posts.weekly_life_min life posts a week" },
    { "posts.monthly_broadcasts", "more group broadcasts than allowed in a month" },
    { "posts.duplicate_text", "the same promotional text posted twice" },
    { "posts.professional_copy", "the week's professional copy not prepared" },
    { "posts.promotion_copy", "the week's promotion copy not prepared" },
    { "training.weekly_script", "no script training in the week (Saturdays)" },
    { "training.script_copy", "an agent did not hand in the week's script copy" },
    { "work.daily_log", "no work log for a day" },
    { "work.weekly_plan", "no weekly plan" },
    { "work.monthly_plan", "no monthly plan" },
};
#define N_RULES (sizeof s_rules / sizeof *s_rules)

/* Seed 000's fines (fen per finding) and rewards (fen per clean month). */
typedef struct {
    const char *rule, *role;
    int64_t fen;
} rule_amount_t;

static const rule_amount_t s_default_fines[] = {
    { "training.weekly_script", "supervisor", 10000 },
    { "training.weekly_script", "responsible", 10000 },
    { "training.weekly_script", "checker", 10000 },
    { "training.script_copy", "agent", 5000 },
    { "posts.weekly_life", "supervisor", 5000 },
    { "posts.weekly_life", "agent", 3000 },
    { "posts.weekly_life", "responsible", 5000 },
    { "posts.weekly_life", "checker", 5000 },
    { "posts.professional_copy", "editor", 5000 },
    { "posts.professional_copy", "responsible", 5000 },
    { "posts.professional_copy", "checker", 5000 },
    { "posts.promotion_copy", "supervisor", 5000 },
    { "posts.promotion_copy", "sender", 3000 },
    { "posts.promotion_copy", "responsible", 5000 },
    { "posts.promotion_copy", "checker", 5000 },
};

static const rule_amount_t s_default_rewards[] = {
    { "posts.weekly_life", "editor", 5000 },
    { "posts.professional_copy", "editor", 5000 },
    { "posts.promotion_copy", "sender", 5000 },
};

/* Whole-number keys: where they live, their unit and range. */
enum { U_BP, U_HOURS, U_DAYS, U_COUNT, U_FEN };

typedef struct {
    const char *key;
    size_t off;            /* of an int64_t in its message */
    int unit;
    int64_t min, max;
    const char *what;      /* the file's comment */
} num_key_t;

#define P(f) offsetof(Ledger__Policy, f)
static const num_key_t s_top_nums[] = {
    { "outside_referrer_rate", P(outside_referrer_rate), U_BP, 0, POLICY_RATE_MAX,
      "居间, an outside referrer who holds channel and service" },
    { "seller_rate", P(seller_rate), U_BP, 0, POLICY_RATE_MAX,
      "of each order sold through the seller's link" },
    { "inviter_rate", P(inviter_rate), U_BP, 0, POLICY_RATE_MAX,
      "of an invitee's sales, to the seller who invited them" },
    { "refund_window_hours", P(refund_window_hours), U_HOURS, 0, POLICY_HOURS_MAX,
      "after completion (ledger time) before a line is payable" },
    { "distributor_supply_rate", P(distributor_supply_rate), U_BP, 0, POLICY_RATE_MAX,
      "supply price = this share of the list price" },
    { "account_rotation_days", P(account_rotation_days), U_DAYS, 1, POLICY_DAYS_MAX,
      "receiving and paying accounts are replaced within" },
    { "first_response_hours", P(first_response_hours), U_HOURS, 1, POLICY_HOURS_MAX,
      "an after-sale issue gets a first response within" },
    { "member_callback_hours", P(member_callback_hours), U_HOURS, 1, POLICY_HOURS_MAX,
      "a member customer is called back within, after service" },
    { "member_callback_coverage", P(member_callback_coverage), U_BP, 0, POLICY_RATE_MAX,
      "of the member customers served are called back" },
    { "complaint_close_hours", P(complaint_close_hours), U_HOURS, 1, POLICY_HOURS_MAX,
      "a complaint is closed and the customer told within" },
    { "major_report_hours", P(major_report_hours), U_HOURS, 1, POLICY_HOURS_MAX,
      "a major complaint is reported to the department head within" },
};
#undef P

#define R(f) offsetof(Ledger__RoleRates, f)
static const num_key_t s_role_nums[] = {
    { "channel", R(channel), U_BP, 0, POLICY_RATE_MAX, "渠道, where the customer came from" },
    { "service", R(service), U_BP, 0, POLICY_RATE_MAX, "客服, the first person who received them" },
    { "assist", R(assist), U_BP, 0, POLICY_RATE_MAX, "助攻, the colleague who helped win the sale" },
    { "handler", R(handler), U_BP, 0, POLICY_RATE_MAX, "对接, serves the order after sale" },
    { "arranger", R(arranger), U_BP, 0, POLICY_RATE_MAX, "安排, split equally among the arrangers" },
};
#undef R

#define Q(f) offsetof(Ledger__PostQuotas, f)
static const num_key_t s_post_nums[] = {
    { "daily_min", Q(daily_min), U_COUNT, 0, POLICY_COUNT_MAX, "posts a day, at least" },
    { "weekly_life_min", Q(weekly_life_min), U_COUNT, 0, POLICY_COUNT_MAX,
      "life posts a week, at least" },
    { "monthly_broadcasts_max", Q(monthly_broadcasts_max), U_COUNT, 0, POLICY_COUNT_MAX,
      "group broadcasts a month, at most" },
};
#undef Q

#define N_OF(a) (sizeof (a) / sizeof *(a))
#define NUM(m, k) (*(int64_t *)((char *)(m) + (k)->off))
#define CNUM(m, k) (*(const int64_t *)((const char *)(m) + (k)->off))

static const char *const s_bases[] = { "", "gross_profit", "amount", NULL };
static const char *const s_late[] = { "", "next_open_day", "reopen", NULL };

/* s_index_of - position of name in a NULL-ended table, -1 if absent */
static int s_index_of(const char *const names[], const char *name)
{
    for (int i = 0; names[i]; i++)
        if (!strcmp(names[i], name))
            return i;
    return -1;
}

/* s_names - "a|b|c" from a NULL-ended table, skipping "" */
static void s_names(char *out, size_t n, const char *const names[])
{
    size_t len = 0;
    out[0] = '\0';
    for (int i = 0; names[i] && len < n; i++)
        if (*names[i])
            len += snprintf(out + len, n - len, "%s%s", len ? "|" : "", names[i]);
}

/* ---- building a policy ---------------------------------------------- */

#define APPEND(arr, n, item) \
    ((arr) = xrealloc((arr), ((n) + 1) * sizeof *(arr)), (arr)[(n)++] = (item))

/* s_role_set - set role's amount in a list, appending when absent */
static void s_role_set(Ledger__RoleAmount ***list, size_t *n, const char *role, int64_t fen)
{
    for (size_t i = 0; i < *n; i++)
        if (!strcmp((*list)[i]->role, role)) {
            (*list)[i]->amount = fen;
            return;
        }
    Ledger__RoleAmount *ra = xmalloc(sizeof *ra);
    ledger__role_amount__init(ra);
    ra->role = xstrdup(role);
    ra->amount = fen;
    APPEND(*list, *n, ra);
}

/* s_rule_get - rule's entry in a list, appended empty when absent */
static Ledger__RuleAmounts *s_rule_get(Ledger__RuleAmounts ***list, size_t *n, const char *rule)
{
    for (size_t i = 0; i < *n; i++)
        if (!strcmp((*list)[i]->rule, rule))
            return (*list)[i];
    Ledger__RuleAmounts *ra = xmalloc(sizeof *ra);
    ledger__rule_amounts__init(ra);
    ra->rule = xstrdup(rule);
    APPEND(*list, *n, ra);
    return ra;
}

/* s_role_rank - order of roles in the file: the role table's, unknown last */
static int s_role_rank(const char *role)
{
    int i = s_index_of(s_fine_roles, role);
    return i < 0 ? 1000 : i;
}

/* s_cmp_role - qsort: role table order */
static int s_cmp_role(const void *a, const void *b)
{
    const Ledger__RoleAmount *x = *(Ledger__RoleAmount *const *)a;
    const Ledger__RoleAmount *y = *(Ledger__RoleAmount *const *)b;
    int d = s_role_rank(x->role) - s_role_rank(y->role);
    return d ? d : strcmp(x->role, y->role);
}

/* s_cmp_rule - qsort: rule id order */
static int s_cmp_rule(const void *a, const void *b)
{
    return strcmp((*(Ledger__RuleAmounts *const *)a)->rule,
                  (*(Ledger__RuleAmounts *const *)b)->rule);
}

/* s_sort - the canonical order of the open maps */
static void s_sort(Ledger__Policy *p)
{
    if (p->n_monthly_caps)
        qsort(p->monthly_caps, p->n_monthly_caps, sizeof *p->monthly_caps, s_cmp_role);
    Ledger__RuleAmounts **lists[] = { p->fines, p->rewards };
    size_t ns[] = { p->n_fines, p->n_rewards };
    for (int l = 0; l < 2; l++) {
        if (ns[l])
            qsort(lists[l], ns[l], sizeof *lists[l], s_cmp_rule);
        for (size_t i = 0; i < ns[l]; i++)
            if (lists[l][i]->n_roles)
                qsort(lists[l][i]->roles, lists[l][i]->n_roles, sizeof *lists[l][i]->roles,
                      s_cmp_role);
    }
}

/* s_tier_new - one distributor tier */
static Ledger__DistributorTier *s_tier_new(int64_t from, int64_t factor)
{
    Ledger__DistributorTier *t = xmalloc(sizeof *t);
    ledger__distributor_tier__init(t);
    t->from = from;
    t->factor = factor;
    return t;
}

/* s_rebate_new - one rebate bracket */
static Ledger__RebateBracket *s_rebate_new(int64_t from, int64_t rebate)
{
    Ledger__RebateBracket *b = xmalloc(sizeof *b);
    ledger__rebate_bracket__init(b);
    b->from = from;
    b->rebate = rebate;
    return b;
}

/* s_pool_new - up_to < 0: the open-ended last bracket */
static Ledger__PoolBracket *s_pool_new(int64_t up_to, int64_t rate)
{
    Ledger__PoolBracket *b = xmalloc(sizeof *b);
    ledger__pool_bracket__init(b);
    if (up_to >= 0) {
        b->_up_to_case = LEDGER__POOL_BRACKET___UP_TO_UP_TO;
        b->up_to = up_to;
    }
    b->rate = rate;
    return b;
}

/* policy_default - the seed documents' numbers (DOMAIN.md 3-5) */
Ledger__Policy *policy_default(void)
{
    Ledger__Policy *p = xmalloc(sizeof *p);
    ledger__policy__init(p);
    p->role_rates = xmalloc(sizeof *p->role_rates);
    ledger__role_rates__init(p->role_rates);   /* seed 001 sets no rates: 0 */
    p->role_base = LEDGER__COMMISSION_BASE__BASE_GROSS_PROFIT;
    p->outside_referrer_rate = 0;
    p->seller_rate = 2000;
    p->inviter_rate = 500;
    p->refund_window_hours = 7 * 24;
    p->distributor_supply_rate = 8000;
    APPEND(p->distributor_tiers, p->n_distributor_tiers, s_tier_new(0, 10000));
    APPEND(p->distributor_tiers, p->n_distributor_tiers, s_tier_new(500000, 9000));
    APPEND(p->distributor_tiers, p->n_distributor_tiers, s_tier_new(1000000, 8000));
    APPEND(p->rebate_brackets, p->n_rebate_brackets, s_rebate_new(200000, 10000));
    APPEND(p->rebate_brackets, p->n_rebate_brackets, s_rebate_new(500000, 50000));
    APPEND(p->rebate_brackets, p->n_rebate_brackets, s_rebate_new(1000000, 150000));
    APPEND(p->pool_brackets, p->n_pool_brackets, s_pool_new(1000000, 3000));
    APPEND(p->pool_brackets, p->n_pool_brackets, s_pool_new(2000000, 3500));
    APPEND(p->pool_brackets, p->n_pool_brackets, s_pool_new(3000000, 4000));
    APPEND(p->pool_brackets, p->n_pool_brackets, s_pool_new(-1, 4500));
    p->pool_marginal = 0;
    /* Seed 004 names capped roles but leaves every amount blank: no caps. */
    for (size_t i = 0; i < N_OF(s_default_fines); i++) {
        Ledger__RuleAmounts *r = s_rule_get(&p->fines, &p->n_fines, s_default_fines[i].rule);
        s_role_set(&r->roles, &r->n_roles, s_default_fines[i].role, s_default_fines[i].fen);
    }
    for (size_t i = 0; i < N_OF(s_default_rewards); i++) {
        Ledger__RuleAmounts *r = s_rule_get(&p->rewards, &p->n_rewards,
                                            s_default_rewards[i].rule);
        s_role_set(&r->roles, &r->n_roles, s_default_rewards[i].role, s_default_rewards[i].fen);
    }
    p->account_rotation_days = 90;
    p->late_entry = LEDGER__LATE_ENTRY__LATE_ENTRY_NEXT_OPEN_DAY;
    p->first_response_hours = 24;
    p->member_callback_hours = 72;
    p->member_callback_coverage = 10000;
    /* Seed 002 follows a complaint until solved and told, with no deadline:
     * a week. A major one is reported 马上 (at once): within the hour. */
    p->complaint_close_hours = 7 * 24;
    p->major_report_hours = 1;
    p->posts = xmalloc(sizeof *p->posts);
    ledger__post_quotas__init(p->posts);
    p->posts->daily_min = 1;
    p->posts->weekly_life_min = 3;
    p->posts->monthly_broadcasts_max = 3;
    s_sort(p);
    return p;
}

/* policy_copy - through the wire form, so the copy owns everything */
Ledger__Policy *policy_copy(const Ledger__Policy *p)
{
    size_t len = ledger__policy__get_packed_size(p);
    uint8_t *buf = xmalloc(len ? len : 1);
    ledger__policy__pack(p, buf);
    Ledger__Policy *copy = ledger__policy__unpack(NULL, len, buf);
    free(buf);
    if (!copy)
        log_panic("policy: a packed policy does not unpack");
    return copy;
}

/* policy_equal - protobuf-c packs fields in number order: equal bytes, equal policies */
int policy_equal(const Ledger__Policy *a, const Ledger__Policy *b)
{
    size_t la = ledger__policy__get_packed_size(a), lb = ledger__policy__get_packed_size(b);
    if (la != lb)
        return 0;
    uint8_t *x = xmalloc(la + 1), *y = xmalloc(lb + 1);
    ledger__policy__pack(a, x);
    ledger__policy__pack(b, y);
    int same = memcmp(x, y, la) == 0;
    free(x);
    free(y);
    return same;
}

/* ---- the file as a tree ---------------------------------------------- */

typedef enum { N_NULL, N_BOOL, N_INT, N_DEC, N_STR, N_MAP, N_SEQ } node_kind_t;

typedef struct node node_t;
struct node {
    node_kind_t kind;
    int line;              /* 1-based; 0 when the parser gives none (JSON) */
    char *text;            /* scalars: as written */
    long long i;           /* N_INT */
    int big;               /* N_INT: too large for 64 bits */
    int b;                 /* N_BOOL */
    size_t n;              /* N_MAP entries, N_SEQ items */
    char **keys;           /* N_MAP */
    int *key_lines;        /* N_MAP */
    node_t **kids;         /* values or items */
    char *pending;         /* YAML building: a map's key awaiting its value */
    int pending_line;
};

/* s_node_new - a childless node; text copied */
static node_t *s_node_new(node_kind_t kind, int line, const char *text)
{
    node_t *n = xcalloc(1, sizeof *n);
    n->kind = kind;
    n->line = line;
    n->text = xstrdup(text ? text : "");
    return n;
}

/* s_node_free - a node and everything under it */
static void s_node_free(node_t *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->n; i++) {
        s_node_free(n->kids[i]);
        if (n->keys)
            free(n->keys[i]);
    }
    free(n->kids);
    free(n->keys);
    free(n->key_lines);
    free(n->text);
    free(n->pending);
    free(n);
}

/* s_node_add - append a value (with its key, in a map) */
static void s_node_add(node_t *parent, const char *key, int key_line, node_t *kid)
{
    parent->kids = xrealloc(parent->kids, (parent->n + 1) * sizeof *parent->kids);
    if (parent->kind == N_MAP) {
        parent->keys = xrealloc(parent->keys, (parent->n + 1) * sizeof *parent->keys);
        parent->key_lines = xrealloc(parent->key_lines,
                                     (parent->n + 1) * sizeof *parent->key_lines);
        parent->keys[parent->n] = xstrdup(key);
        parent->key_lines[parent->n] = key_line;
    }
    parent->kids[parent->n++] = kid;
}

/* s_plain_int - YAML plain integers: -12, 1_000_000; no leading zeros
 * (YAML 1.1 would read 0123 as octal) */
static int s_plain_int(const char *s, long long *out, int *big)
{
    char digits[64];
    size_t n = 0;
    const char *p = s;
    if (*p == '-' || *p == '+')
        digits[n++] = *p++;
    if (*p < '0' || *p > '9' || (p[0] == '0' && p[1]))
        return 0;
    for (; *p; p++) {
        if (*p == '_' && p[1] >= '0' && p[1] <= '9' && p[-1] >= '0' && p[-1] <= '9')
            continue;
        if (*p < '0' || *p > '9' || n + 1 >= sizeof digits)
            return 0;
        digits[n++] = *p;
    }
    digits[n] = '\0';
    errno = 0;
    *out = strtoll(digits, NULL, 10);
    *big = errno == ERANGE;
    return 1;
}

/* s_plain_decimal - 1.5, -0.25, 1e3, .5: numbers a policy never holds */
static int s_plain_decimal(const char *s)
{
    const char *p = s + (*s == '-' || *s == '+');
    int digits = 0, dot = 0, exp = 0;
    for (; *p; p++) {
        if (*p >= '0' && *p <= '9')
            digits++;
        else if (*p == '.' && !dot && !exp)
            dot = 1;
        else if ((*p == 'e' || *p == 'E') && digits && !exp) {
            exp = 1;
            if (p[1] == '-' || p[1] == '+')
                p++;
        } else
            return 0;
    }
    return digits && (dot || exp);
}

/* s_yaml_scalar - a scalar's type: plain ones by the YAML core schema,
 * quoted ones are always text */
static node_t *s_yaml_scalar(const yaml_event_t *ev, int line)
{
    const char *s = (const char *)ev->data.scalar.value;
    node_t *n = s_node_new(N_STR, line, s);
    if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return n;
    if (!*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") ||
        !strcmp(s, "NULL"))
        n->kind = N_NULL;
    else if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE"))
        n->kind = N_BOOL, n->b = 1;
    else if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE"))
        n->kind = N_BOOL, n->b = 0;
    else if (s_plain_int(s, &n->i, &n->big))
        n->kind = N_INT;
    else if (s_plain_decimal(s))
        n->kind = N_DEC;
    return n;
}

/* s_fail - fill err, remember the line; returns -1 */
static int s_fail(int *line, int at, err_t *err, int code, const char *field,
                  const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static int s_fail(int *line, int at, err_t *err, int code, const char *field,
                  const char *fmt, ...)
{
    char msg[sizeof err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    *line = at;
    return err_set(err, code, field, "%s", msg);
}

/* s_yaml_tree - libyaml events into a tree; *out NULL for an empty file */
static int s_yaml_tree(node_t **out, const char *text, size_t len, int *line, err_t *err)
{
    yaml_parser_t parser;
    yaml_event_t ev;
    node_t *stack[DEPTH_MAX];
    int depth = 0, docs = 0, rc = -1, done = 0;
    node_t *root = NULL;

    *out = NULL;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    while (!done) {
        if (!yaml_parser_parse(&parser, &ev)) {
            s_fail(line, (int)parser.problem_mark.line + 1, err, ERR(INVALID), "",
                   "not valid YAML: %s%s%s", parser.problem ? parser.problem : "syntax error",
                   parser.context ? " " : "", parser.context ? parser.context : "");
            goto fail;
        }
        int at = (int)ev.start_mark.line + 1;
        node_t *n = NULL;
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = 1;
            break;
        case YAML_DOCUMENT_START_EVENT:
            if (++docs > 1) {
                yaml_event_delete(&ev);
                s_fail(line, at, err, ERR(INVALID), "", "a policy file holds one YAML document");
                goto fail;
            }
            break;
        case YAML_ALIAS_EVENT:
            yaml_event_delete(&ev);
            s_fail(line, at, err, ERR(INVALID), "", "anchors and aliases are not used in "
                   "policy files; write the values out");
            goto fail;
        case YAML_SCALAR_EVENT:
            if (strlen((const char *)ev.data.scalar.value) != ev.data.scalar.length) {
                yaml_event_delete(&ev);
                s_fail(line, at, err, ERR(INVALID), "", "a value holds a NUL character");
                goto fail;
            }
            n = s_yaml_scalar(&ev, at);
            break;
        case YAML_SEQUENCE_START_EVENT:
            n = s_node_new(N_SEQ, at, "");
            break;
        case YAML_MAPPING_START_EVENT:
            n = s_node_new(N_MAP, at, "");
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            depth--;
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
        if (!n)
            continue;
        if (depth == 0) {
            root = n;
        } else {
            node_t *parent = stack[depth - 1];
            if (parent->kind == N_SEQ) {
                s_node_add(parent, NULL, 0, n);
            } else if (!parent->pending) {
                if (n->kind == N_MAP || n->kind == N_SEQ) {
                    s_node_free(n);
                    s_fail(line, at, err, ERR(INVALID), "", "a key is a name, not a list or map");
                    goto fail;
                }
                parent->pending = n->text;
                parent->pending_line = at;
                n->text = NULL;
                s_node_free(n);
                continue;
            } else {
                s_node_add(parent, parent->pending, parent->pending_line, n);
                free(parent->pending);
                parent->pending = NULL;
            }
        }
        if (n->kind == N_MAP || n->kind == N_SEQ) {
            if (depth == DEPTH_MAX) {
                s_fail(line, at, err, ERR(OUT_OF_RANGE), "", "nested more than %d deep",
                       DEPTH_MAX);
                goto fail;
            }
            stack[depth++] = n;
        }
    }
    *out = root;
    root = NULL;
    rc = 0;
fail:
    s_node_free(root);
    yaml_parser_delete(&parser);
    return rc;
}

/* s_json_node - a jansson value as a tree node (JSON gives no lines) */
static node_t *s_json_node(json_t *v)
{
    char num[64];
    node_t *n;
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        const char *key;
        json_t *val;
        n = s_node_new(N_MAP, 0, "");
        json_object_foreach(v, key, val)
            s_node_add(n, key, 0, s_json_node(val));
        return n;
    }
    case JSON_ARRAY: {
        size_t i;
        json_t *val;
        n = s_node_new(N_SEQ, 0, "");
        json_array_foreach(v, i, val)
            s_node_add(n, NULL, 0, s_json_node(val));
        return n;
    }
    case JSON_STRING:
        return s_node_new(N_STR, 0, json_string_value(v));
    case JSON_INTEGER:
        snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
        n = s_node_new(N_INT, 0, num);
        n->i = json_integer_value(v);
        return n;
    case JSON_REAL:
        snprintf(num, sizeof num, "%g", json_real_value(v));
        return s_node_new(N_DEC, 0, num);
    case JSON_TRUE:
    case JSON_FALSE:
        n = s_node_new(N_BOOL, 0, json_is_true(v) ? "true" : "false");
        n->b = json_is_true(v);
        return n;
    default:
        return s_node_new(N_NULL, 0, "null");
    }
}

/* s_json_tree - jansson refuses duplicate keys and says where syntax breaks */
static int s_json_tree(node_t **out, const char *text, size_t len, int *line, err_t *err)
{
    json_error_t jerr;
    json_t *v = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    *out = NULL;
    if (!v)
        return s_fail(line, jerr.line > 0 ? jerr.line : 0, err, ERR(INVALID), "",
                      "not valid JSON: %s", jerr.text);
    *out = s_json_node(v);
    json_decref(v);
    return 0;
}

/* ---- laying the tree over the default -------------------------------- */

typedef struct {
    int *line;      /* where the fault is */
    err_t *err;
} load_t;

/* s_join - "parent.key", or "key" at the top */
static void s_join(char *out, size_t n, const char *parent, const char *key)
{
    snprintf(out, n, "%s%s%s", parent, *parent ? "." : "", key);
}

/* s_what - a value as the messages describe it */
static void s_what(char *out, size_t n, const node_t *v)
{
    switch (v->kind) {
    case N_NULL: snprintf(out, n, "nothing"); break;
    case N_MAP:  snprintf(out, n, "a map"); break;
    case N_SEQ:  snprintf(out, n, "a list"); break;
    case N_STR:  snprintf(out, n, "\"%.60s\"", v->text); break;
    default:     snprintf(out, n, "%.60s", v->text);
    }
}

/* s_unit_name - for messages */
static const char *s_unit_name(int unit)
{
    switch (unit) {
    case U_BP:    return "basis points";
    case U_HOURS: return "hours";
    case U_DAYS:  return "days";
    case U_COUNT: return "a count";
    default:      return "fen";
    }
}

/* s_int - a whole number in unit, else a type error naming path */
static int s_int(load_t *l, const node_t *v, const char *path, int unit, int64_t *out)
{
    char got[80];
    s_what(got, sizeof got, v);
    if (v->kind == N_INT && v->big)
        return s_fail(l->line, v->line, l->err, ERR(OUT_OF_RANGE), path,
                      "%s is too large for a whole number", got);
    if (v->kind == N_INT) {
        *out = v->i;
        return 0;
    }
    if (v->kind == N_DEC && unit == U_FEN)
        return s_fail(l->line, v->line, l->err, ERR(INVALID), path,
                      "money is whole fen, no decimals (99.50 yuan is 9950); got %s", got);
    if (v->kind == N_DEC)
        return s_fail(l->line, v->line, l->err, ERR(INVALID), path,
                      "whole %s only, no decimals; got %s", s_unit_name(unit), got);
    return s_fail(l->line, v->line, l->err, ERR(INVALID), path,
                  "expected a whole number (%s), got %s", s_unit_name(unit), got);
}

/* s_word - one of names (a YAML name or JSON string) */
static int s_word(load_t *l, const node_t *v, const char *path, const char *const names[],
                  int *out)
{
    char got[80], list[128];
    s_what(got, sizeof got, v);
    s_names(list, sizeof list, names);
    int i = v->kind == N_STR && *v->text ? s_index_of(names, v->text) : -1;
    if (i <= 0)
        return s_fail(l->line, v->line, l->err, ERR(INVALID), path,
                      "expected one of %s, got %s", list, got);
    *out = i;
    return 0;
}

/* s_bool - true or false */
static int s_bool(load_t *l, const node_t *v, const char *path, protobuf_c_boolean *out)
{
    char got[80];
    if (v->kind != N_BOOL) {
        s_what(got, sizeof got, v);
        return s_fail(l->line, v->line, l->err, ERR(INVALID), path,
                      "expected true or false, got %s", got);
    }
    *out = v->b;
    return 0;
}

/* s_map - v is a map with no key twice; nothing (null) counts as empty */
static int s_map(load_t *l, const node_t *v, const char *path, const char *what)
{
    char got[80], field[sizeof l->err->field];
    if (v->kind == N_NULL)
        return 0;
    if (v->kind != N_MAP) {
        s_what(got, sizeof got, v);
        return s_fail(l->line, v->line, l->err, ERR(INVALID), path, "expected %s, got %s",
                      what, got);
    }
    for (size_t i = 0; i < v->n; i++)
        for (size_t j = 0; j < i; j++)
            if (!strcmp(v->keys[i], v->keys[j])) {
                s_join(field, sizeof field, path, v->keys[i]);
                return s_fail(l->line, v->key_lines[i], l->err, ERR(INVALID), field,
                              "key given twice (also on line %d)", v->key_lines[j]);
            }
    return 0;
}

/* s_unknown - the error for a key the schema does not have */
static int s_unknown(load_t *l, const node_t *map, size_t i, const char *path,
                     const char *known)
{
    char field[sizeof l->err->field];
    s_join(field, sizeof field, path, map->keys[i]);
    return s_fail(l->line, map->key_lines[i], l->err, ERR(INVALID), field,
                  "unknown key; %s", known);
}

/* s_nums - a fixed map of whole numbers, merged key by key into msg */
static int s_nums(load_t *l, const node_t *v, const char *path, const num_key_t *keys,
                  size_t n_keys, void *msg)
{
    char field[sizeof l->err->field], known[256] = "";
    if (s_map(l, v, path, "a map of whole numbers") < 0)
        return -1;
    for (size_t k = 0, len = 0; k < n_keys; k++)
        len += snprintf(known + len, sizeof known - len, "%s%s", k ? ", " : "", keys[k].key);
    for (size_t i = 0; v->kind == N_MAP && i < v->n; i++) {
        const num_key_t *k = NULL;
        for (size_t j = 0; j < n_keys && !k; j++)
            if (!strcmp(keys[j].key, v->keys[i]))
                k = &keys[j];
        if (!k) {
            char what[300];
            snprintf(what, sizeof what, "%s has %s", path, known);
            return s_unknown(l, v, i, path, what);
        }
        s_join(field, sizeof field, path, k->key);
        if (s_int(l, v->kids[i], field, k->unit, &NUM(msg, k)) < 0)
            return -1;
    }
    return 0;
}

/* s_items - check each item of a list is a map of the given keys; fills
 * got[item * n_names + k] with the value nodes (NULL when absent) */
static int s_items(load_t *l, const node_t *v, const char *path, const char *const names[],
                   size_t n_names, const char *what, const node_t ***got)
{
    char field[sizeof l->err->field], desc[80], known[128] = "";
    *got = NULL;
    if (v->kind != N_SEQ) {
        s_what(desc, sizeof desc, v);
        return s_fail(l->line, v->line, l->err, ERR(INVALID), path,
                      "expected a list of %s (write [] for none), got %s", what, desc);
    }
    if (v->n > POLICY_LIST_MAX)
        return s_fail(l->line, v->line, l->err, ERR(OUT_OF_RANGE), path,
                      "at most %d entries, got %zu", POLICY_LIST_MAX, v->n);
    for (size_t k = 0, len = 0; k < n_names; k++)
        len += snprintf(known + len, sizeof known - len, "%s%s", k ? ", " : "", names[k]);
    *got = xcalloc(v->n * n_names + 1, sizeof **got);
    for (size_t i = 0; i < v->n; i++) {
        const node_t *item = v->kids[i];
        snprintf(field, sizeof field, "%s[%zu]", path, i);
        if (item->kind != N_MAP) {
            s_what(desc, sizeof desc, item);
            return s_fail(l->line, item->line, l->err, ERR(INVALID), field,
                          "expected %s, got %s", what, desc);
        }
        if (s_map(l, item, field, what) < 0)
            return -1;
        for (size_t j = 0; j < item->n; j++) {
            size_t k = 0;
            while (k < n_names && strcmp(names[k], item->keys[j]))
                k++;
            if (k == n_names) {
                char msg[200];
                snprintf(msg, sizeof msg, "each entry has %s", known);
                return s_unknown(l, item, j, field, msg);
            }
            (*got)[i * n_names + k] = item->kids[j];
        }
    }
    return 0;
}

/* s_need - a list entry's required key */
static int s_need(load_t *l, const node_t *item, const node_t *v, const char *path,
                  size_t i, const char *key, const char *what)
{
    char field[sizeof l->err->field];
    if (v)
        return 0;
    snprintf(field, sizeof field, "%s[%zu].%s", path, i, key);
    return s_fail(l->line, item->line, l->err, ERR(MISSING), field, "each entry has %s", what);
}

/* s_tiers - distributor_tiers, replaced whole */
static int s_tiers(load_t *l, Ledger__Policy *p, const node_t *v, const char *path)
{
    static const char *const names[] = { "from", "factor" };
    const node_t **got;
    char field[sizeof l->err->field];
    Ledger__DistributorTier **list = NULL;
    size_t n = 0;
    int rc = s_items(l, v, path, names, 2, "a tier {from, factor}", &got);
    for (size_t i = 0; rc == 0 && i < v->n; i++) {
        const node_t *item = v->kids[i];
        int64_t from, factor;
        if ((rc = s_need(l, item, got[2 * i], path, i, "from", "from and factor")) < 0 ||
            (rc = s_need(l, item, got[2 * i + 1], path, i, "factor", "from and factor")) < 0)
            break;
        snprintf(field, sizeof field, "%s[%zu].from", path, i);
        if ((rc = s_int(l, got[2 * i], field, U_FEN, &from)) < 0)
            break;
        snprintf(field, sizeof field, "%s[%zu].factor", path, i);
        if ((rc = s_int(l, got[2 * i + 1], field, U_BP, &factor)) < 0)
            break;
        APPEND(list, n, s_tier_new(from, factor));
    }
    free(got);
    if (rc == 0) {
        for (size_t i = 0; i < p->n_distributor_tiers; i++)
            ledger__distributor_tier__free_unpacked(p->distributor_tiers[i], NULL);
        free(p->distributor_tiers);
        p->distributor_tiers = list;
        p->n_distributor_tiers = n;
        return 0;
    }
    for (size_t i = 0; i < n; i++)
        ledger__distributor_tier__free_unpacked(list[i], NULL);
    free(list);
    return -1;
}

/* s_rebates - rebate_brackets, replaced whole */
static int s_rebates(load_t *l, Ledger__Policy *p, const node_t *v, const char *path)
{
    static const char *const names[] = { "from", "rebate" };
    const node_t **got;
    char field[sizeof l->err->field];
    Ledger__RebateBracket **list = NULL;
    size_t n = 0;
    int rc = s_items(l, v, path, names, 2, "a bracket {from, rebate}", &got);
    for (size_t i = 0; rc == 0 && i < v->n; i++) {
        const node_t *item = v->kids[i];
        int64_t from, rebate;
        if ((rc = s_need(l, item, got[2 * i], path, i, "from", "from and rebate")) < 0 ||
            (rc = s_need(l, item, got[2 * i + 1], path, i, "rebate", "from and rebate")) < 0)
            break;
        snprintf(field, sizeof field, "%s[%zu].from", path, i);
        if ((rc = s_int(l, got[2 * i], field, U_FEN, &from)) < 0)
            break;
        snprintf(field, sizeof field, "%s[%zu].rebate", path, i);
        if ((rc = s_int(l, got[2 * i + 1], field, U_FEN, &rebate)) < 0)
            break;
        APPEND(list, n, s_rebate_new(from, rebate));
    }
    free(got);
    if (rc == 0) {
        for (size_t i = 0; i < p->n_rebate_brackets; i++)
            ledger__rebate_bracket__free_unpacked(p->rebate_brackets[i], NULL);
        free(p->rebate_brackets);
        p->rebate_brackets = list;
        p->n_rebate_brackets = n;
        return 0;
    }
    for (size_t i = 0; i < n; i++)
        ledger__rebate_bracket__free_unpacked(list[i], NULL);
    free(list);
    return -1;
}

/* s_pools - pool_brackets, replaced whole; up_to may be absent (the last) */
static int s_pools(load_t *l, Ledger__Policy *p, const node_t *v, const char *path)
{
    static const char *const names[] = { "up_to", "rate" };
    const node_t **got;
    char field[sizeof l->err->field];
    Ledger__PoolBracket **list = NULL;
    size_t n = 0;
    int rc = s_items(l, v, path, names, 2, "a bracket {up_to, rate}", &got);
    for (size_t i = 0; rc == 0 && i < v->n; i++) {
        const node_t *item = v->kids[i];
        int64_t up_to = -1, rate;
        if ((rc = s_need(l, item, got[2 * i + 1], path, i, "rate",
                         "a rate (and up_to, but for the last)")) < 0)
            break;
        snprintf(field, sizeof field, "%s[%zu].up_to", path, i);
        if (got[2 * i] && (rc = s_int(l, got[2 * i], field, U_FEN, &up_to)) < 0)
            break;
        snprintf(field, sizeof field, "%s[%zu].rate", path, i);
        if ((rc = s_int(l, got[2 * i + 1], field, U_BP, &rate)) < 0)
            break;
        Ledger__PoolBracket *b = s_pool_new(0, rate);
        b->_up_to_case = got[2 * i] ? LEDGER__POOL_BRACKET___UP_TO_UP_TO
                                    : LEDGER__POOL_BRACKET___UP_TO__NOT_SET;
        b->up_to = got[2 * i] ? up_to : 0;
        APPEND(list, n, b);
    }
    free(got);
    if (rc == 0) {
        for (size_t i = 0; i < p->n_pool_brackets; i++)
            ledger__pool_bracket__free_unpacked(p->pool_brackets[i], NULL);
        free(p->pool_brackets);
        p->pool_brackets = list;
        p->n_pool_brackets = n;
        return 0;
    }
    for (size_t i = 0; i < n; i++)
        ledger__pool_bracket__free_unpacked(list[i], NULL);
    free(list);
    return -1;
}

/* s_role_map - role: fen pairs merged into a list (caps, one rule's fines) */
static int s_role_map(load_t *l, const node_t *v, const char *path,
                      Ledger__RoleAmount ***list, size_t *n)
{
    char field[sizeof l->err->field];
    if (s_map(l, v, path, "a map of role: fen") < 0)
        return -1;
    for (size_t i = 0; v->kind == N_MAP && i < v->n; i++) {
        int64_t fen;
        s_join(field, sizeof field, path, v->keys[i]);
        if (s_int(l, v->kids[i], field, U_FEN, &fen) < 0)
            return -1;
        s_role_set(list, n, v->keys[i], fen);
    }
    return 0;
}

/* s_rule_map - rule: {role: fen} merged into fines or rewards */
static int s_rule_map(load_t *l, const node_t *v, const char *path,
                      Ledger__RuleAmounts ***list, size_t *n)
{
    char field[sizeof l->err->field];
    if (s_map(l, v, path, "a map of rule: {role: fen}") < 0)
        return -1;
    for (size_t i = 0; v->kind == N_MAP && i < v->n; i++) {
        s_join(field, sizeof field, path, v->keys[i]);
        Ledger__RuleAmounts *r = s_rule_get(list, n, v->keys[i]);
        if (s_role_map(l, v->kids[i], field, &r->roles, &r->n_roles) < 0)
            return -1;
    }
    return 0;
}

/* s_sub - a fixed map's message, made when the policy lacks it */
static void *s_sub(void **slot, size_t size, void (*init)(void *))
{
    if (!*slot) {
        *slot = xmalloc(size);
        init(*slot);
    }
    return *slot;
}
/* s_init_rates, s_init_posts - s_sub's initialisers */
static void s_init_rates(void *m) { ledger__role_rates__init(m); }
static void s_init_posts(void *m) { ledger__post_quotas__init(m); }

/* s_top_find - a top-level whole-number key, or NULL */
static const num_key_t *s_top_find(const char *key)
{
    for (size_t k = 0; k < N_OF(s_top_nums); k++)
        if (!strcmp(s_top_nums[k].key, key))
            return &s_top_nums[k];
    return NULL;
}

/* s_apply - the file's top-level keys over p */
static int s_apply(load_t *l, Ledger__Policy *p, const node_t *root)
{
    char got[80];
    if (!root || root->kind == N_NULL)
        return 0;   /* an empty file: the default */
    if (root->kind != N_MAP) {
        s_what(got, sizeof got, root);
        return s_fail(l->line, root->line, l->err, ERR(INVALID), "",
                      "a policy file is a map of keys (role_rates: ..., seller_rate: ...), "
                      "got %s", got);
    }
    if (s_map(l, root, "", "a map") < 0)
        return -1;
    for (size_t i = 0; i < root->n; i++) {
        const char *key = root->keys[i];
        const node_t *v = root->kids[i];
        const num_key_t *num = s_top_find(key);
        int rc = 0, e;
        if (num)
            rc = s_int(l, v, key, num->unit, &NUM(p, num));
        else if (!strcmp(key, "role_rates"))
            rc = s_nums(l, v, key, s_role_nums, N_OF(s_role_nums),
                        s_sub((void **)&p->role_rates, sizeof *p->role_rates, s_init_rates));
        else if (!strcmp(key, "posts"))
            rc = s_nums(l, v, key, s_post_nums, N_OF(s_post_nums),
                        s_sub((void **)&p->posts, sizeof *p->posts, s_init_posts));
        else if (!strcmp(key, "role_base")) {
            if ((rc = s_word(l, v, key, s_bases, &e)) == 0)
                p->role_base = e;
        } else if (!strcmp(key, "late_entry")) {
            if ((rc = s_word(l, v, key, s_late, &e)) == 0)
                p->late_entry = e;
        } else if (!strcmp(key, "pool_marginal"))
            rc = s_bool(l, v, key, &p->pool_marginal);
        else if (!strcmp(key, "distributor_tiers"))
            rc = s_tiers(l, p, v, key);
        else if (!strcmp(key, "rebate_brackets"))
            rc = s_rebates(l, p, v, key);
        else if (!strcmp(key, "pool_brackets"))
            rc = s_pools(l, p, v, key);
        else if (!strcmp(key, "monthly_caps"))
            rc = s_role_map(l, v, key, &p->monthly_caps, &p->n_monthly_caps);
        else if (!strcmp(key, "fines"))
            rc = s_rule_map(l, v, key, &p->fines, &p->n_fines);
        else if (!strcmp(key, "rewards"))
            rc = s_rule_map(l, v, key, &p->rewards, &p->n_rewards);
        else
            rc = s_unknown(l, root, i, "", "'ledgerctl policy default' shows every key");
        if (rc < 0)
            return -1;
    }
    return 0;
}

/* s_line_walk - the deepest node whose path is field or encloses it; a map
 * entry counts from its key's line */
static void s_line_walk(const node_t *n, int line, char *path, size_t cap, const char *field,
                        size_t *best_len, int *best)
{
    size_t len = strlen(path);
    if (strncmp(field, path, len) ||
        !(len == 0 || field[len] == '\0' || field[len] == '.' || field[len] == '['))
        return;
    if (line && (len > *best_len || !*best)) {
        *best_len = len;
        *best = line;
    }
    for (size_t i = 0; i < n->n; i++) {
        if (n->kind == N_MAP)
            snprintf(path + len, cap - len, "%s%s", len ? "." : "", n->keys[i]);
        else
            snprintf(path + len, cap - len, "[%zu]", i);
        int at = n->kind == N_MAP && n->key_lines[i] ? n->key_lines[i] : n->kids[i]->line;
        s_line_walk(n->kids[i], at, path, cap, field, best_len, best);
        path[len] = '\0';
    }
}

/* s_line_of - the file line for an error's field; 0 when unknown */
static int s_line_of(const node_t *root, const char *field)
{
    char path[512] = "";
    size_t best_len = 0;
    int best = 0;
    if (root)
        s_line_walk(root, root->line, path, sizeof path, field, &best_len, &best);
    return best;
}

/* s_load - text into a complete policy; validated when asked */
static int s_load(Ledger__Policy **out, const char *text, size_t len, const char *format,
                  int validate, int *line_out, err_t *err)
{
    node_t *root = NULL;
    Ledger__Policy *p = NULL;
    int line = 0, rc = -1;
    load_t l = { &line, err };

    *out = NULL;
    if (len > POLICY_TEXT_MAX) {
        err_set(err, ERR(OUT_OF_RANGE), "", "a policy file has at most %d KiB, this one has "
                "%zu bytes", POLICY_TEXT_MAX / 1024, len);
        goto done;
    }
    if (!format || (strcmp(format, "yaml") && strcmp(format, "json"))) {
        err_set(err, ERR(INVALID), "format", "a policy file is yaml or json, got \"%s\"",
                format ? format : "");
        goto done;
    }
    if ((!strcmp(format, "yaml") ? s_yaml_tree : s_json_tree)(&root, text, len, &line, err) < 0)
        goto done;
    p = policy_default();
    if (s_apply(&l, p, root) < 0)
        goto done;
    s_sort(p);
    if (validate && policy_validate(p, err) < 0) {
        line = s_line_of(root, err->field);
        goto done;
    }
    *out = p;
    p = NULL;
    rc = 0;
done:
    if (p)
        ledger__policy__free_unpacked(p, NULL);
    s_node_free(root);
    if (line_out)
        *line_out = rc < 0 ? line : 0;
    return rc;
}

/* policy_parse - syntax, keys and types; the numbers are policy_validate's */
int policy_parse(Ledger__Policy **out, const char *text, size_t len, const char *format,
                 err_t *err)
{
    return s_load(out, text, len, format, 0, NULL, err);
}

/* policy_read - what ledgerctl and ledgerd use: parse and validate */
int policy_read(Ledger__Policy **out, const char *text, size_t len, const char *format,
                int *line, err_t *err)
{
    return s_load(out, text, len, format, 1, line, err);
}

/* ---- validation ------------------------------------------------------ */

/* s_check_num - a whole-number key in its range */
static int s_check_num(const num_key_t *k, int64_t v, const char *prefix, err_t *err)
{
    char field[sizeof err->field];
    s_join(field, sizeof field, prefix, k->key);
    if (v >= k->min && v <= k->max)
        return 0;
    if (k->unit == U_BP)
        return err_set(err, ERR(OUT_OF_RANGE), field,
                       "a rate is %lld..%lld basis points, got %lld", (long long)k->min,
                       (long long)k->max, (long long)v);
    return err_set(err, ERR(OUT_OF_RANGE), field, "%s is %lld..%lld %s, got %lld", k->key,
                   (long long)k->min, (long long)k->max, s_unit_name(k->unit), (long long)v);
}

/* s_check_rate - 0..10000 bp */
static int s_check_rate(int64_t v, const char *field, err_t *err)
{
    if (v < 0 || v > POLICY_RATE_MAX)
        return err_set(err, ERR(OUT_OF_RANGE), field,
                       "a rate is 0..%d basis points, got %lld", POLICY_RATE_MAX, (long long)v);
    return 0;
}

/* s_check_fen - 0..MONEY_MAX_FEN */
static int s_check_fen(int64_t v, const char *field, err_t *err)
{
    if (v < 0 || v > MONEY_MAX_FEN)
        return err_set(err, ERR(OUT_OF_RANGE), field, "an amount is 0..%lld fen, got %lld",
                       (long long)MONEY_MAX_FEN, (long long)v);
    return 0;
}

/* s_check_roles - role: fen entries: known roles, once each, amounts */
static int s_check_roles(Ledger__RoleAmount *const *roles, size_t n, const char *const names[],
                         const char *prefix, err_t *err)
{
    char field[sizeof err->field], list[200];
    if (n > POLICY_LIST_MAX)
        return err_set(err, ERR(OUT_OF_RANGE), prefix, "at most %d roles, got %zu",
                       POLICY_LIST_MAX, n);
    for (size_t i = 0; i < n; i++) {
        s_join(field, sizeof field, prefix, roles[i]->role);
        if (s_index_of(names, roles[i]->role) < 0) {
            s_names(list, sizeof list, names);
            return err_set(err, ERR(INVALID), field, "unknown role; one of %s", list);
        }
        for (size_t j = 0; j < i; j++)
            if (!strcmp(roles[i]->role, roles[j]->role))
                return err_set(err, ERR(INVALID), field, "role given twice");
        if (s_check_fen(roles[i]->amount, field, err) < 0)
            return -1;
    }
    return 0;
}

/* s_check_rules - fines or rewards: catalogued rules, once each */
static int s_check_rules(Ledger__RuleAmounts *const *rules, size_t n, const char *prefix,
                         err_t *err)
{
    char field[sizeof err->field];
    if (n > POLICY_LIST_MAX)
        return err_set(err, ERR(OUT_OF_RANGE), prefix, "at most %d rules, got %zu",
                       POLICY_LIST_MAX, n);
    for (size_t i = 0; i < n; i++) {
        s_join(field, sizeof field, prefix, rules[i]->rule);
        if (!policy_rule_known(rules[i]->rule))
            return err_set(err, ERR(INVALID), field, "unknown rule; the rules are listed in "
                           "'ledgerctl policy default'");
        for (size_t j = 0; j < i; j++)
            if (!strcmp(rules[i]->rule, rules[j]->rule))
                return err_set(err, ERR(INVALID), field, "rule given twice");
        if (s_check_roles(rules[i]->roles, rules[i]->n_roles, s_fine_roles, field, err) < 0)
            return -1;
    }
    return 0;
}

/* s_check_lists - tiers, rebate and pool brackets */
static int s_check_lists(const Ledger__Policy *p, err_t *err)
{
    char field[sizeof err->field];
    if (p->n_distributor_tiers == 0)
        return err_set(err, ERR(MISSING), "distributor_tiers",
                       "at least one tier, the first from 0");
    if (p->n_distributor_tiers > POLICY_LIST_MAX || p->n_rebate_brackets > POLICY_LIST_MAX ||
        p->n_pool_brackets > POLICY_LIST_MAX)
        return err_set(err, ERR(OUT_OF_RANGE),
                       p->n_distributor_tiers > POLICY_LIST_MAX ? "distributor_tiers"
                       : p->n_rebate_brackets > POLICY_LIST_MAX ? "rebate_brackets"
                       : "pool_brackets", "at most %d entries", POLICY_LIST_MAX);
    for (size_t i = 0; i < p->n_distributor_tiers; i++) {
        const Ledger__DistributorTier *t = p->distributor_tiers[i];
        snprintf(field, sizeof field, "distributor_tiers[%zu].from", i);
        if (s_check_fen(t->from, field, err) < 0)
            return -1;
        if (i == 0 && t->from != 0)
            return err_set(err, ERR(INVALID), field, "the first tier starts from 0, got %lld",
                           (long long)t->from);
        if (i > 0 && t->from <= p->distributor_tiers[i - 1]->from)
            return err_set(err, ERR(INVALID), field, "tiers must rise: %lld is not above %lld",
                           (long long)t->from, (long long)p->distributor_tiers[i - 1]->from);
        snprintf(field, sizeof field, "distributor_tiers[%zu].factor", i);
        if (s_check_rate(t->factor, field, err) < 0)
            return -1;
    }
    for (size_t i = 0; i < p->n_rebate_brackets; i++) {
        const Ledger__RebateBracket *b = p->rebate_brackets[i];
        snprintf(field, sizeof field, "rebate_brackets[%zu].from", i);
        if (s_check_fen(b->from, field, err) < 0)
            return -1;
        if (i > 0 && b->from <= p->rebate_brackets[i - 1]->from)
            return err_set(err, ERR(INVALID), field,
                           "brackets must rise: %lld is not above %lld", (long long)b->from,
                           (long long)p->rebate_brackets[i - 1]->from);
        snprintf(field, sizeof field, "rebate_brackets[%zu].rebate", i);
        if (s_check_fen(b->rebate, field, err) < 0)
            return -1;
    }
    if (p->n_pool_brackets == 0)
        return err_set(err, ERR(MISSING), "pool_brackets",
                       "at least one bracket; the last has no up_to");
    for (size_t i = 0; i < p->n_pool_brackets; i++) {
        const Ledger__PoolBracket *b = p->pool_brackets[i];
        int last = i + 1 == p->n_pool_brackets;
        int has = b->_up_to_case == LEDGER__POOL_BRACKET___UP_TO_UP_TO;
        snprintf(field, sizeof field, "pool_brackets[%zu].up_to", i);
        if (last && has)
            return err_set(err, ERR(INVALID), field, "the last bracket has no up_to: it "
                           "covers all profit above the one before");
        if (!last && !has)
            return err_set(err, ERR(MISSING), field, "every bracket but the last has up_to");
        if (has && (b->up_to < 1 || b->up_to > MONEY_MAX_FEN))
            return err_set(err, ERR(OUT_OF_RANGE), field, "up_to is 1..%lld fen, got %lld",
                           (long long)MONEY_MAX_FEN, (long long)b->up_to);
        if (has && i > 0 && b->up_to <= p->pool_brackets[i - 1]->up_to)
            return err_set(err, ERR(INVALID), field,
                           "brackets must rise: %lld is not above %lld", (long long)b->up_to,
                           (long long)p->pool_brackets[i - 1]->up_to);
        snprintf(field, sizeof field, "pool_brackets[%zu].rate", i);
        if (s_check_rate(b->rate, field, err) < 0)
            return -1;
    }
    return 0;
}

/* policy_validate - every number, in the file's key order */
int policy_validate(const Ledger__Policy *p, err_t *err)
{
    char list[128];
    if (!p->role_rates)
        return err_set(err, ERR(MISSING), "role_rates", "the role commission rates");
    for (size_t k = 0; k < N_OF(s_role_nums); k++)
        if (s_check_num(&s_role_nums[k], CNUM(p->role_rates, &s_role_nums[k]), "role_rates",
                        err) < 0)
            return -1;
    if (p->role_base <= 0 || p->role_base >= (int)N_OF(s_bases) - 1) {
        s_names(list, sizeof list, s_bases);
        return err_set(err, ERR(MISSING), "role_base", "one of %s", list);
    }
    for (size_t k = 0; k < N_OF(s_top_nums); k++)
        if (s_check_num(&s_top_nums[k], CNUM(p, &s_top_nums[k]), "", err) < 0)
            return -1;
    if (s_check_lists(p, err) < 0)
        return -1;
    if (s_check_roles(p->monthly_caps, p->n_monthly_caps, s_staff_roles, "monthly_caps",
                      err) < 0 ||
        s_check_rules(p->fines, p->n_fines, "fines", err) < 0 ||
        s_check_rules(p->rewards, p->n_rewards, "rewards", err) < 0)
        return -1;
    if (p->late_entry <= 0 || p->late_entry >= (int)N_OF(s_late) - 1) {
        s_names(list, sizeof list, s_late);
        return err_set(err, ERR(MISSING), "late_entry", "one of %s", list);
    }
    if (!p->posts)
        return err_set(err, ERR(MISSING), "posts", "the social post quotas");
    for (size_t k = 0; k < N_OF(s_post_nums); k++)
        if (s_check_num(&s_post_nums[k], CNUM(p->posts, &s_post_nums[k]), "posts", err) < 0)
            return -1;
    return 0;
}

/* policy_rule_known - in the catalogue */
int policy_rule_known(const char *rule)
{
    for (size_t i = 0; i < N_RULES; i++)
        if (!strcmp(s_rules[i].id, rule))
            return 1;
    return 0;
}

const char *policy_role_name(int staff_role)
{
    static const int n = sizeof s_staff_roles / sizeof *s_staff_roles - 1;
    return staff_role >= 1 && staff_role <= n ? s_staff_roles[staff_role - 1] : "";
}

/* policy_month_valid - "YYYY-MM" */
int policy_month_valid(const char *m)
{
    if (!m || strlen(m) != 7 || m[4] != '-')
        return 0;
    for (int i = 0; i < 7; i++)
        if (i != 4 && (m[i] < '0' || m[i] > '9'))
            return 0;
    int y = atoi(m), mo = atoi(m + 5);
    return y >= 1970 && mo >= 1 && mo <= 12;
}

/* ---- formatting ------------------------------------------------------- */

/* s_yuan - fen as "5,000.00 yuan" */
static void s_yuan(char *out, size_t n, int64_t fen)
{
    char grouped[48];
    snprintf(out, n, "%s yuan", money_format_grouped(grouped, sizeof grouped, fen));
}

/* s_percent - bp as "20 %", "12.5 %", "0.01 %" */
static void s_percent(char *out, size_t n, int64_t bp)
{
    long long whole = bp / 100, frac = bp % 100;
    if (frac < 0)
        frac = -frac;
    if (frac == 0)
        snprintf(out, n, "%lld %%", whole);
    else if (frac % 10 == 0)
        snprintf(out, n, "%lld.%lld %%", whole, frac / 10);
    else
        snprintf(out, n, "%lld.%02lld %%", whole, frac);
}

/* s_out - "key: value" at indent, its comment aligned after it */
static void s_out(FILE *f, int indent, const char *text, const char *comment)
{
    int n = fprintf(f, "%*s%s", indent, "", text);
    if (comment && *comment)
        fprintf(f, "%*s# %s", n < COMMENT_COL ? COMMENT_COL - n : 1, "", comment);
    fputc('\n', f);
}

/* s_out_num - a whole-number key with its unit spelled out in the comment */
static void s_out_num(FILE *f, int indent, const num_key_t *k, int64_t v)
{
    char text[96], comment[256], amount[48];
    snprintf(text, sizeof text, "%s: %lld", k->key, (long long)v);
    if (k->unit == U_BP) {
        s_percent(amount, sizeof amount, v);
        snprintf(comment, sizeof comment, "%s: %s", amount, k->what);
    } else if (k->unit == U_HOURS && v % 24 == 0 && v)
        snprintf(comment, sizeof comment, "%lld day%s: %s", (long long)(v / 24),
                 v == 24 ? "" : "s", k->what);
    else if (k->unit == U_HOURS && v > 0)
        snprintf(comment, sizeof comment, "%lld hour%s: %s", (long long)v, v == 1 ? "" : "s",
                 k->what);
    else
        snprintf(comment, sizeof comment, "%s", k->what);
    s_out(f, indent, text, comment);
}

/* s_out_fen - "key: fen" with the amount in yuan as its comment */
static void s_out_fen(FILE *f, int indent, const char *key, int64_t fen, const char *what)
{
    char text[96], yuan[48], comment[160];
    snprintf(text, sizeof text, "%s: %lld", key, (long long)fen);
    s_yuan(yuan, sizeof yuan, fen);
    snprintf(comment, sizeof comment, "%s%s%s", yuan, what ? " " : "", what ? what : "");
    s_out(f, indent, text, comment);
}

/* s_out_rules - fines or rewards, one map per rule */
static void s_out_rules(FILE *f, const char *key, Ledger__RuleAmounts *const *rules, size_t n,
                        int reward)
{
    if (!n) {
        fprintf(f, "%s: {}\n", key);
        return;
    }
    fprintf(f, "%s:\n", key);
    for (size_t i = 0; i < n; i++) {
        const char *what = reward ? "for a month without a finding" : "";
        for (size_t r = 0; r < N_RULES && !reward; r++)
            if (!strcmp(s_rules[r].id, rules[i]->rule))
                what = s_rules[r].what;
        char text[128];
        snprintf(text, sizeof text, "%s:%s", rules[i]->rule, rules[i]->n_roles ? "" : " {}");
        s_out(f, 2, text, what);
        for (size_t j = 0; j < rules[i]->n_roles; j++)
            s_out_fen(f, 4, rules[i]->roles[j]->role, rules[i]->roles[j]->amount, NULL);
    }
}

/* policy_format_yaml - the file a finance clerk reads and edits */
char *policy_format_yaml(const Ledger__Policy *p)
{
    char *buf = NULL, text[128], comment[160], a[48], b[48];
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        log_panic("policy: open_memstream: %s", strerror(errno));

    fputs("# A ledger policy: the numbers of the commission, compliance and\n"
          "# reconciliation rules for a calendar month (DOMAIN.md sections 3-5).\n"
          "#\n"
          "# Money is whole fen: 100 fen = 1 yuan, so 200000 is 2,000.00 yuan.\n"
          "# Rates are whole basis points: 100 bp = 1 %, so 2000 is 20 %.\n"
          "# No decimals anywhere (99.50 yuan is 9950). The comments say the\n"
          "# amounts in yuan and percent; only the numbers count.\n"
          "#\n"
          "# A key left out takes the default policy's value ('ledgerctl policy\n"
          "# default' prints it): maps (role_rates, monthly_caps, fines, rewards,\n"
          "# posts) key by key, lists (tiers and brackets) whole.\n"
          "# Set it for a month: ledgerctl policy set --month 2026-03 FILE\n", f);

    fputs("\n# --- Role commission (seed 001) ------------------------------------------\n"
          "# Each role of an order earns its rate of the base; UNKNOWN and NONE earn\n"
          "# nothing. Seed 001 leaves the rates to each month's rules, so the\n"
          "# default pays 0 until finance sets them.\n", f);
    fputs("role_rates:\n", f);
    for (size_t k = 0; k < N_OF(s_role_nums); k++)
        s_out_num(f, 2, &s_role_nums[k], p->role_rates ? CNUM(p->role_rates, &s_role_nums[k]) : 0);
    snprintf(text, sizeof text, "role_base: %s", s_bases[p->role_base > 0 &&
             p->role_base < (int)N_OF(s_bases) - 1 ? p->role_base : 0]);
    s_out(f, 0, text, "gross_profit (amount - refunds - cost) | amount");
    s_out_num(f, 0, s_top_find("outside_referrer_rate"), p->outside_referrer_rate);

    fputs("\n# --- Seller programme (销售员, seed 004) -----------------------------------\n",
          f);
    s_out_num(f, 0, s_top_find("seller_rate"), p->seller_rate);
    s_out_num(f, 0, s_top_find("inviter_rate"), p->inviter_rate);
    s_out_num(f, 0, s_top_find("refund_window_hours"), p->refund_window_hours);

    fputs("\n# --- Distributor programme (分销, seed 004) --------------------------------\n"
          "# A tier holds from the distributor's purchases (fen, net of refunds)\n"
          "# completed before the order; factor is the share of the supply price.\n", f);
    s_out_num(f, 0, s_top_find("distributor_supply_rate"), p->distributor_supply_rate);
    fputs(p->n_distributor_tiers ? "distributor_tiers:\n" : "distributor_tiers: []\n", f);
    for (size_t i = 0; i < p->n_distributor_tiers; i++) {
        const Ledger__DistributorTier *t = p->distributor_tiers[i];
        s_yuan(a, sizeof a, t->from);
        s_percent(b, sizeof b, t->factor);
        snprintf(text, sizeof text, "- from: %lld", (long long)t->from);
        snprintf(comment, sizeof comment, "purchases from %s", a);
        s_out(f, 2, text, comment);
        snprintf(text, sizeof text, "factor: %lld", (long long)t->factor);
        snprintf(comment, sizeof comment, "%s of the supply price", b);
        s_out(f, 4, text, comment);
    }

    fputs("\n# --- Monthly sales rebate (sellers and distributors, seed 004) -------------\n"
          "# Net sales of the month of at least from pay rebate; only the highest\n"
          "# bracket reached is paid.\n", f);
    fputs(p->n_rebate_brackets ? "rebate_brackets:\n" : "rebate_brackets: []\n", f);
    for (size_t i = 0; i < p->n_rebate_brackets; i++) {
        const Ledger__RebateBracket *r = p->rebate_brackets[i];
        s_yuan(a, sizeof a, r->from);
        snprintf(text, sizeof text, "- from: %lld", (long long)r->from);
        snprintf(comment, sizeof comment, "at least %s", a);
        s_out(f, 2, text, comment);
        s_out_fen(f, 4, "rebate", r->rebate, NULL);
    }

    fputs("\n# --- Centre bonus pool (seed 004) ------------------------------------------\n"
          "# Monthly net profit up to and including up_to takes the bracket's rate;\n"
          "# the last bracket has no up_to and covers all profit above. With\n"
          "# pool_marginal true each band of the profit takes its own rate instead.\n", f);
    fputs(p->n_pool_brackets ? "pool_brackets:\n" : "pool_brackets: []\n", f);
    for (size_t i = 0; i < p->n_pool_brackets; i++) {
        const Ledger__PoolBracket *r = p->pool_brackets[i];
        s_percent(b, sizeof b, r->rate);
        if (r->_up_to_case == LEDGER__POOL_BRACKET___UP_TO_UP_TO) {
            s_yuan(a, sizeof a, r->up_to);
            snprintf(text, sizeof text, "- up_to: %lld", (long long)r->up_to);
            snprintf(comment, sizeof comment, "profit up to %s", a);
            s_out(f, 2, text, comment);
            snprintf(text, sizeof text, "rate: %lld", (long long)r->rate);
            s_out(f, 4, text, b);
        } else {
            snprintf(text, sizeof text, "- rate: %lld", (long long)r->rate);
            snprintf(comment, sizeof comment, "%s of profit above that", b);
            s_out(f, 2, text, comment);
        }
    }
    s_out(f, 0, p->pool_marginal ? "pool_marginal: true" : "pool_marginal: false",
          "false: whole profit at its bracket's rate");
    fputs("# A person's monthly pool share is capped by their primary role (one of\n"
          "# presale, aftersale, group-leader, supervisor, responsible, checker,\n"
          "# finance, planner, editor); a role not listed is uncapped. Seed 004\n"
          "# caps the centre's supervisor, its agents and the planning staff but\n"
          "# leaves the amounts blank, so the default caps no one. For example:\n"
          "#   monthly_caps:\n"
          "#     supervisor: 500000          # 5,000.00 yuan\n", f);
    if (!p->n_monthly_caps)
        fputs("monthly_caps: {}\n", f);
    else
        fputs("monthly_caps:\n", f);
    for (size_t i = 0; i < p->n_monthly_caps; i++)
        s_out_fen(f, 2, p->monthly_caps[i]->role, p->monthly_caps[i]->amount, NULL);

    fputs("\n# --- Fines and rewards (seed 000) ------------------------------------------\n"
          "# A fine is fen per finding, for each role responsible; a reward is fen\n"
          "# for a month without a finding of its rule. Roles: the staff roles above,\n"
          "# agent (the account's service agent, 客服) and sender (who sends the\n"
          "# posts, 发送人员). A rule not listed carries no fine or reward. Rules:\n", f);
    for (size_t r = 0; r < N_RULES; r++)
        fprintf(f, "#   %-29s %s\n", s_rules[r].id, s_rules[r].what);
    s_out_rules(f, "fines", p->fines, p->n_fines, 0);
    s_out_rules(f, "rewards", p->rewards, p->n_rewards, 1);

    fputs("\n# --- Compliance (seed 000, seed 002) ---------------------------------------\n",
          f);
    s_out_num(f, 0, s_top_find("account_rotation_days"), p->account_rotation_days);
    s_out_num(f, 0, s_top_find("first_response_hours"), p->first_response_hours);
    s_out_num(f, 0, s_top_find("member_callback_hours"), p->member_callback_hours);
    s_out_num(f, 0, s_top_find("member_callback_coverage"), p->member_callback_coverage);
    s_out_num(f, 0, s_top_find("complaint_close_hours"), p->complaint_close_hours);
    s_out_num(f, 0, s_top_find("major_report_hours"), p->major_report_hours);
    s_out(f, 0, "posts:", "per WeChat account");
    for (size_t k = 0; k < N_OF(s_post_nums); k++)
        s_out_num(f, 2, &s_post_nums[k], p->posts ? CNUM(p->posts, &s_post_nums[k]) : 0);

    fputs("\n# --- Reconciliation (seed 000) ---------------------------------------------\n",
          f);
    snprintf(text, sizeof text, "late_entry: %s", s_late[p->late_entry > 0 &&
             p->late_entry < (int)N_OF(s_late) - 1 ? p->late_entry : 0]);
    s_out(f, 0, text, "an entry dated on a closed day: next_open_day | reopen");
    fclose(f);
    return buf;
}

/* s_json_roles - {role: fen} */
static json_t *s_json_roles(Ledger__RoleAmount *const *roles, size_t n)
{
    json_t *o = json_object();
    for (size_t i = 0; i < n; i++)
        json_object_set_new(o, roles[i]->role, json_integer(roles[i]->amount));
    return o;
}

/* s_json_rules - {rule: {role: fen}} */
static json_t *s_json_rules(Ledger__RuleAmounts *const *rules, size_t n)
{
    json_t *o = json_object();
    for (size_t i = 0; i < n; i++)
        json_object_set_new(o, rules[i]->rule, s_json_roles(rules[i]->roles, rules[i]->n_roles));
    return o;
}

/* s_json_nums - a fixed map's whole numbers */
static json_t *s_json_nums(const num_key_t *keys, size_t n, const void *msg)
{
    json_t *o = json_object();
    for (size_t k = 0; k < n; k++)
        json_object_set_new(o, keys[k].key, json_integer(msg ? CNUM(msg, &keys[k]) : 0));
    return o;
}

/* policy_format_json - the same keys as the YAML file, in the same order */
char *policy_format_json(const Ledger__Policy *p)
{
    json_t *o = json_object(), *list;
    json_object_set_new(o, "role_rates", s_json_nums(s_role_nums, N_OF(s_role_nums),
                                                     p->role_rates));
    json_object_set_new(o, "role_base", json_string(s_bases[p->role_base > 0 &&
                        p->role_base < (int)N_OF(s_bases) - 1 ? p->role_base : 0]));
    for (size_t k = 0; k < 5; k++)   /* referrer, seller, inviter, refund window, supply */
        json_object_set_new(o, s_top_nums[k].key, json_integer(CNUM(p, &s_top_nums[k])));
    list = json_array();
    for (size_t i = 0; i < p->n_distributor_tiers; i++)
        json_array_append_new(list, json_pack("{s:I,s:I}",
                              "from", (json_int_t)p->distributor_tiers[i]->from,
                              "factor", (json_int_t)p->distributor_tiers[i]->factor));
    json_object_set_new(o, "distributor_tiers", list);
    list = json_array();
    for (size_t i = 0; i < p->n_rebate_brackets; i++)
        json_array_append_new(list, json_pack("{s:I,s:I}",
                              "from", (json_int_t)p->rebate_brackets[i]->from,
                              "rebate", (json_int_t)p->rebate_brackets[i]->rebate));
    json_object_set_new(o, "rebate_brackets", list);
    list = json_array();
    for (size_t i = 0; i < p->n_pool_brackets; i++) {
        const Ledger__PoolBracket *b = p->pool_brackets[i];
        json_t *e = json_object();
        if (b->_up_to_case == LEDGER__POOL_BRACKET___UP_TO_UP_TO)
            json_object_set_new(e, "up_to", json_integer(b->up_to));
        json_object_set_new(e, "rate", json_integer(b->rate));
        json_array_append_new(list, e);
    }
    json_object_set_new(o, "pool_brackets", list);
    json_object_set_new(o, "pool_marginal", json_boolean(p->pool_marginal));
    json_object_set_new(o, "monthly_caps", s_json_roles(p->monthly_caps, p->n_monthly_caps));
    json_object_set_new(o, "fines", s_json_rules(p->fines, p->n_fines));
    json_object_set_new(o, "rewards", s_json_rules(p->rewards, p->n_rewards));
    for (size_t k = 5; k < N_OF(s_top_nums); k++)
        json_object_set_new(o, s_top_nums[k].key, json_integer(CNUM(p, &s_top_nums[k])));
    json_object_set_new(o, "posts", s_json_nums(s_post_nums, N_OF(s_post_nums), p->posts));
    json_object_set_new(o, "late_entry", json_string(s_late[p->late_entry > 0 &&
                        p->late_entry < (int)N_OF(s_late) - 1 ? p->late_entry : 0]));
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (!text)
        log_panic("policy: json_dumps failed");
    return text;
}
