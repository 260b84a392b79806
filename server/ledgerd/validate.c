/* validate - field rules for staff, customers and orders, with the field
 * named. Text encoding (UTF-8, NUL, enums) was checked by codec_check before
 * unpacking; this file checks presence, ranges and references. */
#include <stdio.h>
#include <string.h>
#include "money.h"
#include "record.pb-c.h"
#include "validate.h"

int validate_text(const char *s, const char *field, int required, size_t max, err_t *err)
{
    size_t n = s ? strlen(s) : 0;
    if (required && n == 0)
        return err_set(err, ERR(MISSING), field, "%s is required", field);
    if (n > max)
        return err_set(err, ERR(OUT_OF_RANGE), field,
                       "%s is %zu bytes long; at most %zu allowed", field, n, max);
    return 0;
}

int validate_code(const char *code, const char *field, int optional, err_t *err)
{
    size_t n = code ? strlen(code) : 0;
    if (n == 0)
        return optional ? 0 : err_set(err, ERR(MISSING), field, "%s is required", field);
    if (n > CODE_MAX)
        return err_set(err, ERR(OUT_OF_RANGE), field, "a code has at most %d characters, got %zu",
                       CODE_MAX, n);
    for (size_t i = 0; i < n; i++) {
        char c = code[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return err_set(err, ERR(INVALID), field,
                           "a code holds only letters, digits, '.', '_' and '-'; got \"%s\"", code);
    }
    return 0;
}

int validate_meta(const Ledger__Meta *meta, int write, err_t *err)
{
    const char *actor = meta ? meta->actor : "";
    if (validate_text(actor, "meta.actor", 1, ACTOR_MAX, err) < 0)
        return -1;
    if (write && validate_text(meta->idempotency_key, "meta.idempotency_key", 1,
                               IDEM_KEY_MAX, err) < 0)
        return -1;
    return 0;
}

int validate_staff(const Ledger__Staff *st, err_t *err)
{
    char field[64];
    if (validate_code(st->code, "code", 1, err) < 0 ||
        validate_text(st->name, "name", 1, NAME_MAX_BYTES, err) < 0 ||
        validate_code(st->branch, "branch", 0, err) < 0 ||
        validate_text(st->team, "team", 0, 64, err) < 0)
        return -1;
    if (strlen(st->branch) > BRANCH_MAX)
        return err_set(err, ERR(OUT_OF_RANGE), "branch", "a branch code has at most %d characters",
                       BRANCH_MAX);
    for (size_t i = 0; i < st->n_roles; i++) {
        snprintf(field, sizeof field, "roles[%zu]", i);
        if (st->roles[i] == LEDGER__STAFF_ROLE__ROLE_UNSPECIFIED)
            return err_set(err, ERR(MISSING), field, "a role must be named");
        for (size_t j = 0; j < i; j++)
            if (st->roles[j] == st->roles[i])
                return err_set(err, ERR(INVALID), field, "role listed twice");
    }
    return 0;
}

int validate_customer(const Ledger__Customer *c, err_t *err)
{
    if (validate_code(c->code, "code", 1, err) < 0 ||
        validate_text(c->name, "name", 1, NAME_MAX_BYTES, err) < 0 ||
        validate_code(c->branch, "branch", 0, err) < 0)
        return -1;
    if (strlen(c->branch) > BRANCH_MAX)
        return err_set(err, ERR(OUT_OF_RANGE), "branch", "a branch code has at most %d characters",
                       BRANCH_MAX);
    if (c->contact && (validate_text(c->contact->phone, "contact.phone", 0, 32, err) < 0 ||
                       validate_text(c->contact->wechat, "contact.wechat", 0, 64, err) < 0 ||
                       validate_text(c->contact->qq, "contact.qq", 0, 32, err) < 0))
        return -1;
    if (c->_first_contact_ms_case && c->first_contact_ms < 0)
        return err_set(err, ERR(OUT_OF_RANGE), "first_contact_ms", "a time cannot be before 1970");
    return 0;
}

enum { PARTY_ANY, PARTY_STAFF_ONLY, PARTY_PARTNER_ONLY };

/* s_party - resolve a reference; only limits it (staff for handler and
 * arrangers, a partner for the seller).
 * An absent reference (no kind, no code) is fine: the role is unclaimed. */
static int s_party(apply_t *a, Ledger__PartyRef *p, const char *field, int only, err_t *err)
{
    char f[96];
    if (!p)
        return 0;
    if (p->kind == LEDGER__PARTY_KIND__PARTY_UNSPECIFIED && !*p->code) {
        p->id = 0;
        return 0;
    }
    snprintf(f, sizeof f, "%s.kind", field);
    if (p->kind == LEDGER__PARTY_KIND__PARTY_UNSPECIFIED)
        return err_set(err, ERR(MISSING), f, "say whether %s is staff, a customer or a partner",
                       field);
    if (only == PARTY_STAFF_ONLY && p->kind != LEDGER__PARTY_KIND__PARTY_STAFF)
        return err_set(err, ERR(INVALID), f, "%s must be a member of staff", field);
    if (only == PARTY_PARTNER_ONLY && p->kind != LEDGER__PARTY_KIND__PARTY_PARTNER)
        return err_set(err, ERR(INVALID), f, "%s must be a partner", field);
    snprintf(f, sizeof f, "%s.code", field);
    if (validate_code(p->code, f, 0, err) < 0)
        return -1;
    entity_kind_t kind = p->kind == LEDGER__PARTY_KIND__PARTY_STAFF ? KIND_STAFF
                       : p->kind == LEDGER__PARTY_KIND__PARTY_CUSTOMER ? KIND_CUSTOMER : KIND_PARTNER;
    p->id = store_code_id(a->store, a->txn, kind, p->code);
    if (!p->id)
        return err_set(err, ERR(NOT_FOUND), f, "no %s with code %s", store_kind_name(kind), p->code);
    return 0;
}

/* s_line_source - a line naming a supply source costs qty x its unit cost;
 * only a verified source of the line's product may be used */
static int s_line_source(apply_t *a, Ledger__OrderLine *l, const char *field, err_t *err)
{
    l->source_id = 0;
    if (!*l->source)
        return 0;
    if (validate_code(l->source, field, 0, err) < 0)
        return -1;
    if (!(l->source_id = store_code_id(a->store, a->txn, KIND_SOURCE, l->source)))
        return err_set(err, ERR(NOT_FOUND), field, "no supply source with code %s", l->source);
    Ledger__SupplySource *src = (Ledger__SupplySource *)store_entity_get(
        a->store, a->txn, KIND_SOURCE, l->source_id, err);
    if (!src)
        return -1;
    int rc = 0;
    Ledger__Product *p = (Ledger__Product *)store_entity_get(a->store, a->txn, KIND_PRODUCT,
                                                            src->product_id, err);
    if (!p)
        rc = -1;
    else if (src->state != LEDGER__SOURCE_STATE__SOURCE_VERIFIED)
        rc = err_set(err, ERR(INVALID), field, "supply source %s is not verified", l->source);
    else if (strcmp(p->code, l->product) != 0)
        rc = err_set(err, ERR(INVALID), field, "supply source %s is for product %s, not %s",
                     l->source, p->code, l->product);
    else if (money_mul(&l->cost, l->qty, src->unit_cost) < 0 || l->cost > MONEY_MAX_FEN)
        rc = err_set(err, ERR(OUT_OF_RANGE), field, "the line's cost is too large");
    if (p)
        ledger__product__free_unpacked(p, NULL);
    ledger__supply_source__free_unpacked(src, NULL);
    return rc;
}

int validate_order(apply_t *a, Ledger__Order *o, err_t *err)
{
    char f[64];
    if (validate_code(o->code, "code", 1, err) < 0 ||
        validate_code(o->customer_code, "customer_code", 0, err) < 0 ||
        validate_code(o->branch, "branch", 0, err) < 0)
        return -1;
    if (strlen(o->branch) > BRANCH_MAX)
        return err_set(err, ERR(OUT_OF_RANGE), "branch", "a branch code has at most %d characters",
                       BRANCH_MAX);
    if (o->placed_ms <= 0)
        return err_set(err, ERR(MISSING), "placed_ms", "the time the order was placed is required");
    if (o->n_lines == 0)
        return err_set(err, ERR(MISSING), "lines", "an order needs at least one line");
    if (o->n_lines > ORDER_LINES_MAX)
        return err_set(err, ERR(OUT_OF_RANGE), "lines", "an order has at most %d lines, got %zu",
                       ORDER_LINES_MAX, o->n_lines);
    int64_t amount = 0, cost = 0;
    for (size_t i = 0; i < o->n_lines; i++) {
        Ledger__OrderLine *l = o->lines[i];
        snprintf(f, sizeof f, "lines[%zu].product", i);
        if (validate_code(l->product, f, 0, err) < 0)
            return -1;
        snprintf(f, sizeof f, "lines[%zu].qty", i);
        if (l->qty < 1 || l->qty > QTY_MAX)
            return err_set(err, ERR(OUT_OF_RANGE), f, "quantity must be 1 to %d, got %lld",
                           QTY_MAX, (long long)l->qty);
        snprintf(f, sizeof f, "lines[%zu].unit_price", i);
        if (l->unit_price < 0 || l->unit_price > MONEY_MAX_FEN)
            return err_set(err, ERR(OUT_OF_RANGE), f, "unit price must be 0 to %lld fen, got %lld",
                           (long long)MONEY_MAX_FEN, (long long)l->unit_price);
        snprintf(f, sizeof f, "lines[%zu].source", i);
        if (s_line_source(a, l, f, err) < 0)
            return -1;
        snprintf(f, sizeof f, "lines[%zu].cost", i);
        if (l->cost < 0 || l->cost > MONEY_MAX_FEN)
            return err_set(err, ERR(OUT_OF_RANGE), f, "cost must be 0 to %lld fen, got %lld",
                           (long long)MONEY_MAX_FEN, (long long)l->cost);
        int64_t line;
        if (money_mul(&line, l->qty, l->unit_price) < 0 || money_add(&amount, amount, line) < 0 ||
            amount > MONEY_MAX_FEN)
            return err_set(err, ERR(OUT_OF_RANGE), "amount", "the order's amount is too large");
        if (money_add(&cost, cost, l->cost) < 0 || cost > MONEY_MAX_FEN)
            return err_set(err, ERR(OUT_OF_RANGE), "cost", "the order's cost is too large");
    }
    o->amount = amount;
    o->cost = cost;
    if (o->status == LEDGER__ORDER_STATUS__STATUS_UNSPECIFIED)
        o->status = LEDGER__ORDER_STATUS__OPEN;

    o->customer_id = store_code_id(a->store, a->txn, KIND_CUSTOMER, o->customer_code);
    if (!o->customer_id)
        return err_set(err, ERR(NOT_FOUND), "customer_code", "no customer with code %s",
                       o->customer_code);
    if (s_party(a, o->handler, "handler", PARTY_STAFF_ONLY, err) < 0 ||
        s_party(a, o->price_approver, "price_approver", PARTY_STAFF_ONLY, err) < 0 ||
        s_party(a, o->seller, "seller", PARTY_PARTNER_ONLY, err) < 0 ||
        validate_text(o->cancel_reason, "cancel_reason", 0, 200, err) < 0)
        return -1;
    if (o->seller && o->seller->id) {
        Ledger__Partner *sp = (Ledger__Partner *)store_entity_get(a->store, a->txn, KIND_PARTNER,
                                                                 o->seller->id, err);
        if (!sp)
            return -1;
        int seller = sp->kind == LEDGER__PARTNER_KIND__PARTNER_SELLER;
        ledger__partner__free_unpacked(sp, NULL);
        if (!seller)
            return err_set(err, ERR(INVALID), "seller.code", "%s is not a seller",
                           o->seller->code);
    }
    const int64_t times[] = { o->paid_ms, o->shipped_ms, o->completed_ms, o->cancelled_ms };
    static const char *const time_fields[] = { "paid_ms", "shipped_ms", "completed_ms",
                                               "cancelled_ms" };
    for (int i = 0; i < 4; i++)
        if (times[i] < 0)
            return err_set(err, ERR(OUT_OF_RANGE), time_fields[i], "a time cannot be before 1970");
    if (o->n_arrangers > ARRANGERS_MAX)
        return err_set(err, ERR(OUT_OF_RANGE), "arrangers", "an order has at most %d arrangers",
                       ARRANGERS_MAX);
    for (size_t i = 0; i < o->n_arrangers; i++) {
        snprintf(f, sizeof f, "arrangers[%zu]", i);
        if (s_party(a, o->arrangers[i], f, PARTY_STAFF_ONLY, err) < 0)
            return -1;
        if (!o->arrangers[i]->id)
            return err_set(err, ERR(MISSING), f, "an arranger must be named");
    }
    Ledger__RoleClaims *c = o->claims;
    if (c && (s_party(a, c->channel, "claims.channel", PARTY_ANY, err) < 0 ||
              s_party(a, c->service, "claims.service", PARTY_ANY, err) < 0 ||
              s_party(a, c->assist, "claims.assist", PARTY_ANY, err) < 0 ||
              s_party(a, c->winback_staff, "claims.winback_staff", PARTY_STAFF_ONLY, err) < 0 ||
              validate_text(c->solution_id, "claims.solution_id", 0, 64, err) < 0))
        return -1;
    /* Attribution decides by type (DOMAIN.md section 2): a claim without one
     * could only be guessed at. */
    if (c && c->channel && c->channel->id && !c->channel_type)
        return err_set(err, ERR(MISSING), "claims.channel_type",
                       "a claimed channel needs its type: company, staff, promotion or referral");
    if (c && c->assist && c->assist->id && !c->assist_type)
        return err_set(err, ERR(MISSING), "claims.assist_type",
                       "a claimed assist needs its type: outside, transfer, proactive or solution");
    return 0;
}
