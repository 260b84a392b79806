/* attribution - ledger-attribution's results for ledgerctl: result.get, a
 * strict unpack of the payload, and the layouts of order show's
 * "Attribution" block and of customer attribution. A payload is the worker's
 * encoding, which ledgerd stores without looking, so it goes through
 * codec_unpack (UTF-8, enums) like any reply, and one that does not decode
 * is said, naming the result. Types print with their letters A-D
 * (entity.proto: ChannelType and AssistType number them in that order). */
#include <stdio.h>
#include <string.h>
#include "attribution.h"
#include "codec.h"
#include "frame.h"

/* Index = RoleState / WindowKind, as ctl_enum_name wants them. */
static const char *const s_states[] = { "", "known", "unknown", "none", "absent", NULL };
static const char *const s_window_kinds[] = { "", "first", "win-back", NULL };

/* s_types - the type names of a role or conflict ("channel", "assist"),
 * NULL for a role that has no type */
static const char *const *s_types(const char *role)
{
    if (!strcmp(role, "channel"))
        return ctl_channel_types;
    if (!strcmp(role, "assist"))
        return ctl_assist_types;
    return NULL;
}

/* s_letter - "D" for type 4; "" for none, "?" past the table */
static const char *s_letter(char *out, size_t n, const char *const *types, uint32_t type)
{
    if (!types || type == 0)
        return "";
    if (!strcmp(ctl_enum_name(types, (int)type), "?"))
        return "?";
    snprintf(out, n, "%c", 'A' + (int)type - 1);
    return out;
}

/* s_type - "D referral", or "-" when there is none */
static const char *s_type(char *out, size_t n, const char *const *types, uint32_t type)
{
    char letter[4];
    if (!types || type == 0)
        return "-";
    snprintf(out, n, "%s %s", s_letter(letter, sizeof letter, types, type),
             ctl_enum_name(types, (int)type));
    return out;
}

/* s_party - "staff:S-00001", or "-" */
static const char *s_party(char *out, size_t n, const Ledger__PartyRef *p)
{
    if (!p || !*p->code)
        return "-";
    snprintf(out, n, "%s:%s", ctl_enum_name(ctl_party_kinds, p->kind), p->code);
    return out;
}

/* s_held - who holds a role ("staff:S-00001"), or its state ("unknown") */
static const char *s_held(char *out, size_t n, const Ledger__Role *r)
{
    if (!r || r->state == LEDGER__ROLE_STATE__ROLE_STATE_UNSPECIFIED)
        return "-";
    if (r->state == LEDGER__ROLE_STATE__ROLE_KNOWN && r->party && *r->party->code)
        return s_party(out, n, r->party);
    return ctl_enum_name(s_states, r->state);
}

/* s_dash - "-" for empty text */
static const char *s_dash(const char *s)
{
    return s && *s ? s : "-";
}

/* s_window - "first, 2026-03-01..2026-12-31, opened by O-00001" */
static const char *s_window(char *out, size_t n, const Ledger__Window *w)
{
    if (!w)
        return "none (outside any window)";
    snprintf(out, n, "%s, %s..%s, opened by %s", ctl_enum_name(s_window_kinds, w->kind),
             w->start, w->end, s_dash(w->opened_by));
    return out;
}

/* s_type_json - "type": "referral", "type_letter": "D" ("" when none) */
static void s_type_json(out_json_t *j, const char *const *types, uint32_t type)
{
    char letter[4];
    out_json_str(j, "type", types && type ? ctl_enum_name(types, (int)type) : "");
    out_json_str(j, "type_letter", s_letter(letter, sizeof letter, types, type));
}

/* s_role_json - a role with the rule that decided it, or null */
static void s_role_json(out_json_t *j, const char *key, const Ledger__Role *r,
                        const char *const *types)
{
    if (!r) {
        out_json_null(j, key);
        return;
    }
    out_json_object(j, key);
    out_json_str(j, "state", ctl_enum_name(s_states, r->state));
    ctl_party_json(j, "party", r->party);
    s_type_json(j, types, r->type);
    out_json_str(j, "rule", r->rule);
    out_json_str(j, "reason", r->reason);
    out_json_str(j, "since", r->since);
    out_json_end(j);
}

/* s_window_json - {kind, start, end, opened_by}, or null outside a window */
static void s_window_json(out_json_t *j, const char *key, const Ledger__Window *w)
{
    if (!w) {
        out_json_null(j, key);
        return;
    }
    out_json_object(j, key);
    out_json_str(j, "kind", ctl_enum_name(s_window_kinds, w->kind));
    out_json_str(j, "start", w->start);
    out_json_str(j, "end", w->end);
    out_json_str(j, "opened_by", w->opened_by);
    out_json_end(j);
}

/* s_conflicts_json - the claims not applied, as an array member */
static void s_conflicts_json(out_json_t *j, const char *key, Ledger__Conflict *const *cs,
                             size_t n)
{
    out_json_array(j, key);
    for (size_t i = 0; i < n; i++) {
        const Ledger__Conflict *c = cs[i];
        out_json_object(j, NULL);
        out_json_str(j, "role", c->role);
        ctl_party_json(j, "claimed", c->claimed);
        s_type_json(j, s_types(c->role), c->type);
        out_json_str(j, "reason", c->reason);
        out_json_str(j, "detail", c->detail);
        out_json_end(j);
    }
    out_json_end(j);
}

/* s_result_json - the stored result around the payload */
static void s_result_json(out_json_t *j, const Ledger__Result *r)
{
    out_json_object(j, "result");
    out_json_str(j, "kind", r->kind);
    out_json_str(j, "key", r->key);
    out_json_uint(j, "version", r->version);
    out_json_str(j, "owner", r->owner);
    out_json_uint(j, "entity_id", r->entity_id);
    out_json_uint(j, "partition_key", r->partition_key);
    out_json_end(j);
}

/* attribution_order_json - every field of the Attribution, names as in
 * attribution.proto */
void attribution_order_json(out_json_t *j, const char *key, const ctl_result_t *at)
{
    const Ledger__Attribution *a = (const Ledger__Attribution *)at->payload;
    if (!a) {
        out_json_null(j, key);
        return;
    }
    out_json_object(j, key);
    s_result_json(j, at->result);
    out_json_uint(j, "order_id", a->order_id);
    out_json_str(j, "order_code", a->order_code);
    out_json_uint(j, "order_version", a->order_version);
    out_json_uint(j, "customer_id", a->customer_id);
    out_json_str(j, "customer_code", a->customer_code);
    out_json_time(j, "placed", a->placed_ms);
    out_json_bool(j, "cancelled", a->cancelled);
    s_window_json(j, "window", a->window);
    s_role_json(j, "channel", a->channel, ctl_channel_types);
    s_role_json(j, "service", a->service, NULL);
    s_role_json(j, "assist", a->assist, ctl_assist_types);
    s_role_json(j, "handler", a->handler, NULL);
    out_json_array(j, "arrangers");
    for (size_t i = 0; i < a->n_arrangers; i++)
        s_role_json(j, NULL, a->arrangers[i], NULL);
    out_json_end(j);
    s_conflicts_json(j, "conflicts", a->conflicts, a->n_conflicts);
    out_json_array(j, "gaps");
    for (size_t i = 0; i < a->n_gaps; i++)
        out_json_str(j, NULL, a->gaps[i]);
    out_json_end(j);
    out_json_str(j, "solution_id", a->solution_id);
    out_json_end(j);
}

/* s_role_row - ROLE, HELD BY, TYPE, RULE, SINCE, REASON */
static void s_role_row(out_table_t *t, const char *name, const Ledger__Role *r,
                       const char *const *types)
{
    char held[160], type[48];
    out_table_row(t, name, s_held(held, sizeof held, r),
                  s_type(type, sizeof type, types, r ? r->type : 0),
                  s_dash(r ? r->rule : NULL), s_dash(r ? r->since : NULL),
                  s_dash(r ? r->reason : NULL));
}

/* s_conflict_cells - ROLE, CLAIMED, TYPE, REASON, DETAIL into cells[0..4] */
static void s_conflict_cells(const Ledger__Conflict *c, char *claimed, size_t n_claimed,
                             char *type, size_t n_type, const char **cells)
{
    cells[0] = c->role;
    cells[1] = s_party(claimed, n_claimed, c->claimed);
    cells[2] = s_type(type, n_type, s_types(c->role), c->type);
    cells[3] = s_dash(c->reason);
    cells[4] = c->detail;
}

/* attribution_order_show - pairs for the window and gaps, a table of the
 * roles, and one of the conflicts when there are any */
void attribution_order_show(const ctl_result_t *at, uint64_t order_version)
{
    const Ledger__Attribution *a = (const Ledger__Attribution *)at->payload;
    char buf[512];

    putchar('\n');
    if (!a) {
        puts("Attribution: not resolved yet");
        return;
    }
    printf("Attribution (result v%llu, from order version %llu",
           (unsigned long long)at->result->version, (unsigned long long)a->order_version);
    if (a->order_version != order_version)
        printf("; the order is now at version %llu", (unsigned long long)order_version);
    puts(")");

    out_pairs_t *p = out_pairs_new();
    out_pairs_add(p, "window", "%s", s_window(buf, sizeof buf, a->window));
    if (a->cancelled)
        out_pairs_add(p, "cancelled", "yes: a cancelled order takes no part");
    if (*a->solution_id)
        out_pairs_add(p, "solution", "%s", a->solution_id);
    buf[0] = '\0';
    for (size_t i = 0, len = 0; i < a->n_gaps && len < sizeof buf; i++)
        len += snprintf(buf + len, sizeof buf - len, "%s%s", i ? ", " : "", a->gaps[i]);
    out_pairs_add(p, "gaps", "%s", *buf ? buf : "none");
    if (a->n_conflicts == 0)
        out_pairs_add(p, "conflicts", "none");
    out_pairs_print(p, stdout);
    out_table_destroy(&p);

    out_table_t *t = out_table_new(6, "ROLE", "HELD BY", "TYPE", "RULE", "SINCE", "REASON");
    s_role_row(t, "channel", a->channel, ctl_channel_types);
    s_role_row(t, "service", a->service, NULL);
    s_role_row(t, "assist", a->assist, ctl_assist_types);
    s_role_row(t, "handler", a->handler, NULL);
    for (size_t i = 0; i < a->n_arrangers; i++)
        s_role_row(t, "arranger", a->arrangers[i], NULL);
    if (a->n_arrangers == 0)
        s_role_row(t, "arranger", NULL, NULL);
    putchar('\n');
    out_table_print(t, stdout);
    out_table_destroy(&t);

    if (a->n_conflicts == 0)
        return;
    t = out_table_new(5, "ROLE", "CLAIMED", "TYPE", "REASON", "DETAIL");
    for (size_t i = 0; i < a->n_conflicts; i++) {
        char claimed[160], type[48];
        const char *cells[5];
        s_conflict_cells(a->conflicts[i], claimed, sizeof claimed, type, sizeof type, cells);
        out_table_rowv(t, cells);
    }
    puts("\nConflicts");
    out_table_print(t, stdout);
    out_table_destroy(&t);
}

/* attribution_customer_json - every field of the CustomerAttribution, names
 * as in attribution.proto, with the customer's name and the result */
void attribution_customer_json(out_json_t *j, const Ledger__Customer *cu,
                               const ctl_result_t *at)
{
    const Ledger__CustomerAttribution *c = (const Ledger__CustomerAttribution *)at->payload;
    out_json_object(j, NULL);
    out_json_uint(j, "customer_id", c->customer_id);
    out_json_str(j, "customer_code", c->customer_code);
    out_json_str(j, "customer_name", cu->name);
    s_result_json(j, at->result);
    out_json_array(j, "windows");
    for (size_t i = 0; i < c->n_windows; i++) {
        const Ledger__WindowHistory *w = c->windows[i];
        out_json_object(j, NULL);
        s_window_json(j, "window", w->window);
        s_role_json(j, "channel", w->channel, ctl_channel_types);
        s_role_json(j, "service", w->service, NULL);
        s_role_json(j, "assist", w->assist, ctl_assist_types);
        out_json_end(j);
    }
    out_json_end(j);
    out_json_array(j, "conflicts");
    for (size_t i = 0; i < c->n_conflicts; i++) {
        const Ledger__OrderConflicts *oc = c->conflicts[i];
        out_json_object(j, NULL);
        out_json_str(j, "order_code", oc->order_code);
        out_json_time(j, "placed", oc->placed_ms);
        s_conflicts_json(j, "conflicts", oc->conflicts, oc->n_conflicts);
        out_json_end(j);
    }
    out_json_end(j);
    out_json_array(j, "solutions");
    for (size_t i = 0; i < c->n_solutions; i++) {
        const Ledger__SolutionAssist *s = c->solutions[i];
        out_json_object(j, NULL);
        out_json_str(j, "solution_id", s->solution_id);
        ctl_party_json(j, "assist", s->assist);
        out_json_str(j, "since", s->since);
        out_json_end(j);
    }
    out_json_end(j);
    out_json_end(j);
}

/* s_window_rows - one row per role held in the window; the window's own
 * cells on the first only */
static void s_window_rows(out_table_t *t, const Ledger__WindowHistory *w)
{
    static const char *const names[] = { "channel", "service", "assist" };
    const Ledger__Role *roles[] = { w->channel, w->service, w->assist };
    const char *const *types[] = { ctl_channel_types, NULL, ctl_assist_types };
    char dates[64] = "-";

    if (w->window)
        snprintf(dates, sizeof dates, "%s..%s", w->window->start, w->window->end);
    for (int r = 0; r < 3; r++) {
        char held[160], type[48];
        const Ledger__Role *role = roles[r];
        out_table_row(t, r ? "" : w->window ? ctl_enum_name(s_window_kinds, w->window->kind) : "-",
                      r ? "" : dates, r ? "" : w->window ? s_dash(w->window->opened_by) : "-",
                      names[r], s_held(held, sizeof held, role),
                      s_type(type, sizeof type, types[r], role ? role->type : 0),
                      s_dash(role ? role->rule : NULL), s_dash(role ? role->since : NULL));
    }
}

/* attribution_customer_show - the counts as pairs, then a table per part;
 * a part with no rows says "none" */
void attribution_customer_show(const Ledger__Customer *cu, const ctl_result_t *at)
{
    const Ledger__CustomerAttribution *c = (const Ledger__CustomerAttribution *)at->payload;
    out_pairs_t *p = out_pairs_new();
    out_pairs_add(p, "customer", "%s %s", c->customer_code, cu->name);
    out_pairs_add(p, "result", "version %llu, by %s", (unsigned long long)at->result->version,
                  s_dash(at->result->owner));
    out_pairs_print(p, stdout);
    out_table_destroy(&p);

    if (c->n_windows == 0)
        puts("\nWindows: none");
    else {
        out_table_t *t = out_table_new(8, "KIND", "DATES", "OPENED BY", "ROLE",
                                       "HELD BY", "TYPE", "RULE", "SINCE");
        for (size_t i = 0; i < c->n_windows; i++)
            s_window_rows(t, c->windows[i]);
        puts("\nWindows");
        out_table_print(t, stdout);
        out_table_destroy(&t);
    }

    if (c->n_solutions == 0)
        puts("\nSolutions: none");
    else {
        out_table_t *t = out_table_new(3, "SOLUTION", "ASSIST", "SINCE");
        for (size_t i = 0; i < c->n_solutions; i++) {
            char assist[160];
            const Ledger__SolutionAssist *s = c->solutions[i];
            out_table_row(t, s->solution_id, s_party(assist, sizeof assist, s->assist),
                          s_dash(s->since));
        }
        puts("\nSolutions");
        out_table_print(t, stdout);
        out_table_destroy(&t);
    }

    if (c->n_conflicts == 0) {
        puts("\nConflicts: none");
        return;
    }
    out_table_t *t = out_table_new(7, "ORDER", "PLACED", "ROLE", "CLAIMED", "TYPE", "REASON",
                                   "DETAIL");
    for (size_t i = 0; i < c->n_conflicts; i++) {
        const Ledger__OrderConflicts *oc = c->conflicts[i];
        char placed[32];
        ctl_time(placed, sizeof placed, oc->placed_ms);
        placed[16] = '\0';   /* minutes, as order list shows them */
        for (size_t k = 0; k < oc->n_conflicts; k++) {
            char claimed[160], type[48];
            const char *cells[7] = { k ? "" : oc->order_code, k ? "" : placed };
            s_conflict_cells(oc->conflicts[k], claimed, sizeof claimed, type, sizeof type,
                             cells + 2);
            out_table_rowv(t, cells);
        }
    }
    puts("\nConflicts");
    out_table_print(t, stdout);
    out_table_destroy(&t);
}
