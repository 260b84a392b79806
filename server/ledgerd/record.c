/* record - the field rules of partners, products, supply sources, payments,
 * shipments, refunds, accounts, finance entries, service events, social
 * posts and work records. Like validate.c for staff, customers and orders:
 * presence, ranges and references, each error naming its field (relative:
 * "postings[1].account_code"). References are resolved to ids here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "date.h"
#include "log.h"
#include "money.h"
#include "policy.h"
#include "record.pb-c.h"
#include "validate.h"
#include "xmalloc.h"

#define TEXT_MAX      200
#define LONG_TEXT_MAX 20000
#define POSTINGS_MAX  100

/* s_ref - resolve an optional (or required) code of kind into *id */
static int s_ref(apply_t *a, entity_kind_t kind, const char *code, uint64_t *id,
                 const char *field, int required, err_t *err)
{
    *id = 0;
    if (validate_code(code, field, !required, err) < 0)
        return -1;
    if (!*code)
        return 0;
    if (!(*id = store_code_id(a->store, a->txn, kind, code)))
        return err_set(err, ERR(NOT_FOUND), field, "no %s with code %s", store_kind_name(kind),
                       code);
    return 0;
}

static int s_money(int64_t v, const char *field, int positive, err_t *err)
{
    if (v < (positive ? 1 : 0) || v > MONEY_MAX_FEN)
        return err_set(err, ERR(OUT_OF_RANGE), field, "%s must be %s to %lld fen, got %lld", field,
                       positive ? "1" : "0", (long long)MONEY_MAX_FEN, (long long)v);
    return 0;
}

static int s_time(int64_t ms, const char *field, err_t *err)
{
    if (ms <= 0)
        return err_set(err, ERR(MISSING), field, "%s is required", field);
    return 0;
}

static int s_branch(const char *branch, err_t *err)
{
    if (validate_code(branch, "branch", 0, err) < 0)
        return -1;
    if (strlen(branch) > BRANCH_MAX)
        return err_set(err, ERR(OUT_OF_RANGE), "branch", "a branch code has at most %d characters",
                       BRANCH_MAX);
    return 0;
}

/* s_order_customer - the order named by code, and its customer (the
 * partition key of everything that belongs to an order) */
static int s_order(apply_t *a, const char *code, uint64_t *order_id, uint64_t *customer_id,
                   int required, err_t *err)
{
    if (s_ref(a, KIND_ORDER, code, order_id, "order_code", required, err) < 0)
        return -1;
    if (customer_id)
        *customer_id = 0;
    if (*order_id && customer_id) {
        Ledger__Order *o = (Ledger__Order *)store_entity_get(a->store, a->txn, KIND_ORDER,
                                                            *order_id, err);
        if (!o)
            return -1;
        *customer_id = o->customer_id;
        ledger__order__free_unpacked(o, NULL);
    }
    return 0;
}

static int s_partner(apply_t *a, Ledger__Partner *p, err_t *err)
{
    if (validate_text(p->name, "name", 1, NAME_MAX_BYTES, err) < 0 || s_branch(p->branch, err) < 0)
        return -1;
    if (p->kind == LEDGER__PARTNER_KIND__PARTNER_UNSPECIFIED)
        return err_set(err, ERR(MISSING), "kind", "say what kind of partner: referrer, promoter, "
                       "seller or distributor");
    if (s_ref(a, KIND_CUSTOMER, p->customer_code, &p->customer_id, "customer_code", 0, err) < 0 ||
        s_ref(a, KIND_STAFF, p->staff_code, &p->staff_id, "staff_code", 0, err) < 0 ||
        s_ref(a, KIND_STAFF, p->developer_code, &p->developer_id, "developer_code", 0, err) < 0 ||
        s_ref(a, KIND_PARTNER, p->inviter_code, &p->inviter_id, "inviter_code", 0, err) < 0)
        return -1;
    if (p->inviter_id) {
        if (p->kind != LEDGER__PARTNER_KIND__PARTNER_SELLER)
            return err_set(err, ERR(INVALID), "inviter_code", "only sellers have an inviter");
        if (p->inviter_id == p->id)
            return err_set(err, ERR(INVALID), "inviter_code", "a seller cannot invite itself");
        Ledger__Partner *inv = (Ledger__Partner *)store_entity_get(a->store, a->txn, KIND_PARTNER,
                                                                  p->inviter_id, err);
        if (!inv)
            return -1;
        int seller = inv->kind == LEDGER__PARTNER_KIND__PARTNER_SELLER;
        ledger__partner__free_unpacked(inv, NULL);
        if (!seller)
            return err_set(err, ERR(INVALID), "inviter_code", "%s is not a seller", p->inviter_code);
    }
    return 0;
}

static int s_product(apply_t *a, Ledger__Product *p, err_t *err)
{
    return validate_text(p->name, "name", 1, NAME_MAX_BYTES, err) < 0 ||
           s_money(p->purchase_price, "purchase_price", 0, err) < 0 ||
           s_money(p->market_price, "market_price", 0, err) < 0 ||
           s_money(p->channel_price, "channel_price", 0, err) < 0 ||
           s_money(p->list_price, "list_price", 0, err) < 0 ? -1 : 0;
}

static int s_source(apply_t *a, Ledger__SupplySource *s, err_t *err)
{
    if (s_ref(a, KIND_PRODUCT, s->product_code, &s->product_id, "product_code", 1, err) < 0 ||
        s_ref(a, KIND_STAFF, s->owner_code, &s->owner_id, "owner_code", 0, err) < 0 ||
        s_money(s->unit_cost, "unit_cost", 0, err) < 0 ||
        validate_text(s->note, "note", 0, TEXT_MAX, err) < 0)
        return -1;
    if (s->kind == LEDGER__SOURCE_KIND__SOURCE_UNSPECIFIED)
        return err_set(err, ERR(MISSING), "kind", "say what kind of source: manual, resale, "
                       "self-made or R&D");
    if (s->state == LEDGER__SOURCE_STATE__SOURCE_STATE_UNSPECIFIED)
        s->state = LEDGER__SOURCE_STATE__SOURCE_ENTERED;
    return 0;
}

static int s_payment(apply_t *a, Ledger__Payment *p, err_t *err)
{
    if (s_order(a, p->order_code, &p->order_id, &p->customer_id, 1, err) < 0 ||
        s_money(p->amount, "amount", 1, err) < 0 || s_time(p->paid_ms, "paid_ms", err) < 0 ||
        s_ref(a, KIND_ACCOUNT, p->account_code, &p->account_id, "account_code", 0, err) < 0 ||
        validate_text(p->method, "method", 0, 32, err) < 0)
        return -1;
    if (p->account_id) {
        Ledger__Account *acc = (Ledger__Account *)store_entity_get(a->store, a->txn, KIND_ACCOUNT,
                                                                  p->account_id, err);
        if (!acc)
            return -1;
        int receiving = acc->kind == LEDGER__ACCOUNT_KIND__ACCOUNT_RECEIVING;
        ledger__account__free_unpacked(acc, NULL);
        if (!receiving)
            return err_set(err, ERR(INVALID), "account_code", "%s is not a receiving account",
                           p->account_code);
    }
    return 0;
}

static int s_shipment(apply_t *a, Ledger__Shipment *s, err_t *err)
{
    if (s_order(a, s->order_code, &s->order_id, &s->customer_id, 1, err) < 0 ||
        s_time(s->shipped_ms, "shipped_ms", err) < 0 ||
        validate_text(s->carrier, "carrier", 0, 64, err) < 0 ||
        validate_text(s->tracking, "tracking", 0, 64, err) < 0 ||
        validate_text(s->received_by, "received_by", 0, 64, err) < 0)
        return -1;
    if (s->_received_ms_case && s->received_ms < s->shipped_ms)
        return err_set(err, ERR(INVALID), "received_ms", "received before it was shipped");
    return 0;
}

static int s_refund(apply_t *a, Ledger__Refund *r, err_t *err)
{
    if (s_order(a, r->order_code, &r->order_id, &r->customer_id, 1, err) < 0 ||
        s_money(r->amount, "amount", 1, err) < 0 ||
        s_time(r->requested_ms, "requested_ms", err) < 0 ||
        validate_text(r->reason, "reason", 0, TEXT_MAX, err) < 0)
        return -1;
    if (r->_processed_ms_case && r->processed_ms < r->requested_ms)
        return err_set(err, ERR(INVALID), "processed_ms", "processed before it was requested");
    return 0;
}

static int s_account(apply_t *a, Ledger__Account *acc, err_t *err)
{
    if (validate_text(acc->name, "name", 1, NAME_MAX_BYTES, err) < 0 ||
        s_branch(acc->branch, err) < 0 ||
        validate_text(acc->owner_name, "owner_name", 1, 64, err) < 0 ||
        validate_text(acc->owner_team, "owner_team", 0, 64, err) < 0 ||
        validate_text(acc->team, "team", 0, 64, err) < 0)
        return -1;
    if (acc->kind == LEDGER__ACCOUNT_KIND__ACCOUNT_UNSPECIFIED)
        return err_set(err, ERR(MISSING), "kind", "say what kind of account: receiving, paying "
                       "or internal");
    if (acc->opened_ms < 0)
        return err_set(err, ERR(OUT_OF_RANGE), "opened_ms", "a time cannot be before 1970");
    return 0;
}

static int s_approval(apply_t *a, Ledger__Approval *ap, const char *field, err_t *err)
{
    char f[64];
    if (!ap)
        return 0;
    snprintf(f, sizeof f, "%s.staff_code", field);
    if (s_ref(a, KIND_STAFF, ap->staff_code, &ap->staff_id, f, 1, err) < 0)
        return -1;
    snprintf(f, sizeof f, "%s.time_ms", field);
    return s_time(ap->time_ms, f, err);
}

/* s_reverse - a reversal with no postings of its own gets the reversed
 * entry's, negated; an entry is reversed at most once */
static int s_reverse(apply_t *a, Ledger__FinanceEntry *e, err_t *err)
{
    uint8_t key[8];
    MDB_val v;
    store_be64(key, e->reverses_id);
    if (store_get(a->txn, a->store->reversals, key, 8, &v, err) == 0 &&
        (v.mv_size != 8 || store_get_be64(v.mv_data) != e->id))
        return err_set(err, ERR(DUPLICATE), "reverses_code", "%s was reversed already",
                       e->reverses_code);
    if (e->n_postings) {
        if (e->id == 0)   /* an add; an amend carries the postings it was given */
            return err_set(err, ERR(INVALID), "postings", "a reversal takes the postings of %s, "
                           "negated: send none", e->reverses_code);
        return 0;
    }
    Ledger__FinanceEntry *orig = (Ledger__FinanceEntry *)store_entity_get(
        a->store, a->txn, KIND_ENTRY, e->reverses_id, err);
    if (!orig)
        return -1;
    /* Move the original's postings over, negated; orig no longer owns them. */
    e->postings = orig->postings;
    e->n_postings = orig->n_postings;
    orig->postings = NULL;
    orig->n_postings = 0;
    for (size_t i = 0; i < e->n_postings; i++)
        e->postings[i]->amount = -e->postings[i]->amount;
    if (e->category == LEDGER__ENTRY_CATEGORY__CATEGORY_UNSPECIFIED)
        e->category = orig->category;
    ledger__finance_entry__free_unpacked(orig, NULL);
    return 0;
}

/* s_statement - "<staff|partner>:<code>@YYYY-MM", a person who exists */
static int s_statement(apply_t *a, const Ledger__FinanceEntry *e, err_t *err)
{
    if (!*e->statement)
        return 0;
    if (e->category != LEDGER__ENTRY_CATEGORY__CATEGORY_PAYOUT)
        return err_set(err, ERR(INVALID), "statement", "only a payout pays a statement");
    char kind[16], code[80], month[16];
    const char *at = strrchr(e->statement, '@'), *colon = strchr(e->statement, ':');
    if (!at || !colon || colon > at || (size_t)(colon - e->statement) >= sizeof kind ||
        (size_t)(at - colon - 1) >= sizeof code || strlen(at + 1) >= sizeof month)
        return err_set(err, ERR(INVALID), "statement",
                       "a statement is KIND:CODE@YYYY-MM, e.g. staff:S-1@2026-03; got \"%s\"",
                       e->statement);
    snprintf(kind, sizeof kind, "%.*s", (int)(colon - e->statement), e->statement);
    snprintf(code, sizeof code, "%.*s", (int)(at - colon - 1), colon + 1);
    snprintf(month, sizeof month, "%s", at + 1);
    int staff = !strcmp(kind, "staff");
    if ((!staff && strcmp(kind, "partner")) || !policy_month_valid(month))
        return err_set(err, ERR(INVALID), "statement",
                       "a statement is staff:CODE@YYYY-MM or partner:CODE@YYYY-MM; got \"%s\"",
                       e->statement);
    if (!store_code_id(a->store, a->txn, staff ? KIND_STAFF : KIND_PARTNER, code))
        return err_set(err, ERR(NOT_FOUND), "statement", "no %s with code %s", kind, code);
    return 0;
}

static int s_entry(apply_t *a, Ledger__FinanceEntry *e, err_t *err)
{
    char f[64];
    if (s_branch(e->branch, err) < 0 || s_time(e->time_ms, "time_ms", err) < 0 ||
        validate_text(e->description, "description", 0, TEXT_MAX, err) < 0 ||
        s_order(a, e->order_code, &e->order_id, NULL, 0, err) < 0 ||
        s_ref(a, KIND_ENTRY, e->reverses_code, &e->reverses_id, "reverses_code", 0, err) < 0 ||
        s_ref(a, KIND_STAFF, e->person_code, &e->person_id, "person_code", 0, err) < 0 ||
        s_approval(a, e->request, "request", err) < 0 ||
        s_approval(a, e->proposal, "proposal", err) < 0 ||
        s_approval(a, e->decision, "decision", err) < 0)
        return -1;
    for (size_t i = 0; i < e->n_notices; i++) {
        snprintf(f, sizeof f, "notices[%zu]", i);
        if (s_approval(a, e->notices[i], f, err) < 0)
            return -1;
    }
    if (e->reverses_id && s_reverse(a, e, err) < 0)
        return -1;
    if (e->category == LEDGER__ENTRY_CATEGORY__CATEGORY_UNSPECIFIED)
        return err_set(err, ERR(MISSING), "category", "say what the entry is: sale, refund, "
                       "expense, salary, commission, rebate, fine or payout");
    if (s_statement(a, e, err) < 0)
        return -1;
    if (e->n_postings < 2 || e->n_postings > POSTINGS_MAX)
        return err_set(err, e->n_postings < 2 ? ERR(MISSING) : ERR(OUT_OF_RANGE), "postings",
                       "an entry has 2 to %d postings, got %zu", POSTINGS_MAX, e->n_postings);
    int64_t sum = 0;
    for (size_t i = 0; i < e->n_postings; i++) {
        Ledger__Posting *p = e->postings[i];
        snprintf(f, sizeof f, "postings[%zu].account_code", i);
        if (s_ref(a, KIND_ACCOUNT, p->account_code, &p->account_id, f, 1, err) < 0)
            return -1;
        snprintf(f, sizeof f, "postings[%zu].amount", i);
        if (p->amount == 0 || p->amount > MONEY_MAX_FEN || p->amount < -MONEY_MAX_FEN)
            return err_set(err, ERR(OUT_OF_RANGE), f, "a posting moves 1 to %lld fen either way",
                           (long long)MONEY_MAX_FEN);
        sum += p->amount;   /* cannot overflow: at most 100 x 1e14 */
    }
    if (sum != 0)
        return err_set(err, ERR(INVALID), "postings",
                       "double entry: the postings must sum to zero, they sum to %lld fen",
                       (long long)sum);
    return 0;
}

/* s_about - responses, closes and reports name the issue or complaint */
static int s_about(apply_t *a, Ledger__ServiceEvent *s, err_t *err)
{
    int needs = s->kind == LEDGER__SERVICE_KIND__SERVICE_RESPONSE ||
                s->kind == LEDGER__SERVICE_KIND__SERVICE_COMPLAINT_CLOSED ||
                s->kind == LEDGER__SERVICE_KIND__SERVICE_CUSTOMER_TOLD ||
                s->kind == LEDGER__SERVICE_KIND__SERVICE_REPORTED;
    if (s_ref(a, KIND_SERVICE, s->about_code, &s->about_id, "about_code", needs, err) < 0)
        return -1;
    if (!s->about_id)
        return 0;
    Ledger__ServiceEvent *about = (Ledger__ServiceEvent *)store_entity_get(
        a->store, a->txn, KIND_SERVICE, s->about_id, err);
    if (!about)
        return -1;
    int ok = (about->kind == LEDGER__SERVICE_KIND__SERVICE_ISSUE ||
              about->kind == LEDGER__SERVICE_KIND__SERVICE_COMPLAINT) &&
             about->customer_id == s->customer_id;
    ledger__service_event__free_unpacked(about, NULL);
    if (!ok)
        return err_set(err, ERR(INVALID), "about_code",
                       "%s is not an issue or complaint of customer %s", s->about_code,
                       s->customer_code);
    return 0;
}

static int s_service(apply_t *a, Ledger__ServiceEvent *s, err_t *err)
{
    if (s->kind == LEDGER__SERVICE_KIND__SERVICE_UNSPECIFIED)
        return err_set(err, ERR(MISSING), "kind", "say what happened: first contact, transfer, "
                       "issue, response, complaint, complaint closed, customer told, callback "
                       "or reported");
    int transfer = s->kind == LEDGER__SERVICE_KIND__SERVICE_TRANSFER;
    if (s_ref(a, KIND_CUSTOMER, s->customer_code, &s->customer_id, "customer_code", 1, err) < 0 ||
        s_time(s->time_ms, "time_ms", err) < 0 ||
        s_ref(a, KIND_STAFF, s->staff_code, &s->staff_id, "staff_code", 0, err) < 0 ||
        s_ref(a, KIND_STAFF, s->to_staff_code, &s->to_staff_id, "to_staff_code", transfer,
              err) < 0 ||
        s_order(a, s->order_code, &s->order_id, NULL, 0, err) < 0 || s_about(a, s, err) < 0 ||
        validate_text(s->result, "result", 0, TEXT_MAX, err) < 0 ||
        validate_text(s->note, "note", 0, LONG_TEXT_MAX, err) < 0)
        return -1;
    if (s->severity == LEDGER__SEVERITY__SEVERITY_UNSPECIFIED)
        s->severity = LEDGER__SEVERITY__SEVERITY_NORMAL;
    return 0;
}

static int s_post(apply_t *a, Ledger__SocialPost *p, err_t *err)
{
    if (validate_text(p->wechat_account, "wechat_account", 1, 64, err) < 0 ||
        s_ref(a, KIND_STAFF, p->staff_code, &p->staff_id, "staff_code", 0, err) < 0 ||
        s_time(p->time_ms, "time_ms", err) < 0 ||
        validate_text(p->text, "text", 0, LONG_TEXT_MAX, err) < 0)
        return -1;
    if (p->kind == LEDGER__POST_KIND__POST_UNSPECIFIED)
        return err_set(err, ERR(MISSING), "kind", "say what kind of post: life, promotion or other");
    return 0;
}

static int s_work(apply_t *a, Ledger__WorkRecord *w, err_t *err)
{
    date_t d;
    char f[48];
    if (w->kind == LEDGER__WORK_KIND__WORK_UNSPECIFIED)
        return err_set(err, ERR(MISSING), "kind", "say what it is: script training, daily log, "
                       "weekly plan or monthly plan");
    if (!*w->date)
        return err_set(err, ERR(MISSING), "date", "date is required");
    if (date_parse(&d, w->date, err) < 0) {
        err->field[0] = 0;
        err_prefix_field(err, "date");
        return -1;
    }
    if (s_branch(w->branch, err) < 0 || validate_text(w->team, "team", 0, 64, err) < 0 ||
        s_ref(a, KIND_STAFF, w->staff_code, &w->staff_id, "staff_code", 0, err) < 0 ||
        validate_text(w->text, "text", 0, LONG_TEXT_MAX, err) < 0)
        return -1;
    if (w->n_attendee_codes > 1000)
        return err_set(err, ERR(OUT_OF_RANGE), "attendee_codes", "at most 1000 attendees");
    /* attendee_ids is the server's: one id per code, in order */
    free(w->attendee_ids);
    w->attendee_ids = xcalloc(w->n_attendee_codes, sizeof *w->attendee_ids);
    w->n_attendee_ids = w->n_attendee_codes;
    for (size_t i = 0; i < w->n_attendee_codes; i++) {
        snprintf(f, sizeof f, "attendee_codes[%zu]", i);
        if (s_ref(a, KIND_STAFF, w->attendee_codes[i], &w->attendee_ids[i], f, 1, err) < 0)
            return -1;
    }
    return 0;
}

/* record_validate - the rules of one of the kinds this file keeps */
int record_validate(apply_t *a, entity_kind_t kind, ProtobufCMessage *m, err_t *err)
{
    switch (kind) {
    case KIND_PARTNER:  return s_partner(a, (Ledger__Partner *)m, err);
    case KIND_PRODUCT:  return s_product(a, (Ledger__Product *)m, err);
    case KIND_SOURCE:   return s_source(a, (Ledger__SupplySource *)m, err);
    case KIND_PAYMENT:  return s_payment(a, (Ledger__Payment *)m, err);
    case KIND_SHIPMENT: return s_shipment(a, (Ledger__Shipment *)m, err);
    case KIND_REFUND:   return s_refund(a, (Ledger__Refund *)m, err);
    case KIND_ACCOUNT:  return s_account(a, (Ledger__Account *)m, err);
    case KIND_ENTRY:    return s_entry(a, (Ledger__FinanceEntry *)m, err);
    case KIND_SERVICE:  return s_service(a, (Ledger__ServiceEvent *)m, err);
    case KIND_POST:     return s_post(a, (Ledger__SocialPost *)m, err);
    case KIND_WORK:     return s_work(a, (Ledger__WorkRecord *)m, err);
    default:            log_panic("record_validate: kind %d is not this file's", kind);
    }
}
