/* record - the rest of the contract: partners, supply sources on order
 * lines, payments, double-entry finance entries and their reversals,
 * service events, work records; generic add, amend, get and list. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include "codec.h"
#include "fixture.h"
#include "record.pb-c.h"

static fixture_t f;
static int s_idem;

static void setup(void)
{
    fixture_open(&f, 1);
    fixture_add_staff(&f, "S-1", "张伟", "SH");
    fixture_add_customer(&f, "C-1", "陈静", "SH");
    fixture_add_order(&f, "O-1", "C-1", 1767225600000, 2, 5000);
}
static void teardown(void) { fixture_close(&f); }

TestSuite(record, .init = setup, .fini = teardown);

/* s_add - record.add of r; the reply, or -1 with err */
static int s_add(Ledger__Record *r, Ledger__WriteReply **out, err_t *err)
{
    char idem[32];
    snprintf(idem, sizeof idem, "rec-%d", s_idem++);
    Ledger__RecordAdd req = LEDGER__RECORD_ADD__INIT;
    req.meta = fixture_meta(idem);
    req.record = r;
    return fixture_call(&f, FRAME_RECORD_ADD, &req.base, &ledger__write_reply__descriptor,
                        (ProtobufCMessage **)out, err);
}

static void s_add_ok(Ledger__Record *r)
{
    err_t err;
    Ledger__WriteReply *w;
    cr_assert_eq(s_add(r, &w, &err), 0, "add: %s %s: %s", err_code_name(err.code), err.field,
                 err.msg);
    ledger__write_reply__free_unpacked(w, NULL);
}

static void s_add_fails(Ledger__Record *r, int code, const char *field)
{
    err_t err;
    uint64_t seq = fixture_last_seq(&f);
    cr_assert_eq(s_add(r, NULL, &err), -1, "want %s %s", err_code_name(code), field);
    cr_assert_eq(err.code, code, "got %s (%s), want %s", err_code_name(err.code), err.msg,
                 err_code_name(code));
    cr_assert_str_eq(err.field, field, "got field %s, want %s", err.field, field);
    cr_assert_eq(fixture_last_seq(&f), seq, "a refused record wrote something");
}

static ProtobufCMessage *s_get(Ledger__EntityKind kind, const char *code)
{
    Ledger__Get get = LEDGER__GET__INIT;
    get.meta = fixture_meta(NULL);
    get.kind = kind;
    get.code = (char *)code;
    ProtobufCMessage *out;
    err_t err;
    cr_assert_eq(fixture_call(&f, FRAME_GET, &get.base, &ledger__get_reply__descriptor, &out,
                              &err), 0, "get %s: %s", code, err.msg);
    return out;
}

static void s_account(const char *code, Ledger__AccountKind kind)
{
    Ledger__Account acc = LEDGER__ACCOUNT__INIT;
    acc.code = (char *)code;
    acc.name = "账户";
    acc.kind = kind;
    acc.branch = "SH";
    acc.owner_name = "王会计";
    Ledger__Record r = LEDGER__RECORD__INIT;
    r.kind_case = LEDGER__RECORD__KIND_ACCOUNT;
    r.account = &acc;
    s_add_ok(&r);
}

Test(record, a_seller_invited_by_a_seller_and_nobody_else)
{
    Ledger__Partner p = LEDGER__PARTNER__INIT;
    p.name = "卖家甲";
    p.kind = LEDGER__PARTNER_KIND__PARTNER_SELLER;
    p.branch = "SH";
    p.code = "P-A";
    Ledger__Record r = LEDGER__RECORD__INIT;
    r.kind_case = LEDGER__RECORD__KIND_PARTNER;
    r.partner = &p;
    s_add_ok(&r);

    p.code = "P-B";
    p.inviter_code = "P-A";
    p.developer_code = "S-1";
    s_add_ok(&r);
    Ledger__GetReply *g = (Ledger__GetReply *)s_get(LEDGER__ENTITY_KIND__ENTITY_PARTNER, "P-B");
    cr_assert_eq(g->record_case, LEDGER__GET_REPLY__RECORD_PARTNER);
    cr_assert_eq(g->partner->inviter_id, 1, "the inviter's id is resolved");
    cr_assert_eq(g->partner->developer_id, 1);
    ledger__get_reply__free_unpacked(g, NULL);

    p.code = "P-C";
    p.kind = LEDGER__PARTNER_KIND__PARTNER_DISTRIBUTOR;
    s_add_fails(&r, ERR(INVALID), "partner.inviter_code");   /* only sellers are invited */
    p.kind = LEDGER__PARTNER_KIND__PARTNER_SELLER;
    p.inviter_code = "P-404";
    s_add_fails(&r, ERR(NOT_FOUND), "partner.inviter_code");
    p.inviter_code = "";
    p.kind = 0;
    s_add_fails(&r, ERR(MISSING), "partner.kind");
}

static void s_source(const char *code, Ledger__SourceState state)
{
    Ledger__SupplySource s = LEDGER__SUPPLY_SOURCE__INIT;
    s.code = (char *)code;
    s.product_code = "INK";
    s.kind = LEDGER__SOURCE_KIND__SOURCE_RESALE;
    s.unit_cost = 1234;
    s.state = state;
    Ledger__Record r = LEDGER__RECORD__INIT;
    r.kind_case = LEDGER__RECORD__KIND_SOURCE;
    r.source = &s;
    s_add_ok(&r);
}

Test(record, only_a_verified_source_prices_a_line)
{
    Ledger__Product prod = LEDGER__PRODUCT__INIT;
    prod.code = "INK";
    prod.name = "墨盒";
    prod.channel_price = 8000;
    Ledger__Record r = LEDGER__RECORD__INIT;
    r.kind_case = LEDGER__RECORD__KIND_PRODUCT;
    r.product = &prod;
    s_add_ok(&r);
    s_source("H-NEW", 0);
    s_source("H-OK", LEDGER__SOURCE_STATE__SOURCE_VERIFIED);

    Ledger__OrderLine line = LEDGER__ORDER_LINE__INIT;
    Ledger__OrderLine *lines[] = { &line };
    line.product = "INK";
    line.qty = 3;
    line.unit_price = 9900;
    line.cost = 1;   /* replaced by 3 x the source's unit cost */
    line.source = "H-NEW";
    Ledger__Order o = LEDGER__ORDER__INIT;
    o.code = "O-2";
    o.customer_code = "C-1";
    o.branch = "SH";
    o.placed_ms = 1767225600000;
    o.lines = lines;
    o.n_lines = 1;
    Ledger__Record ro = LEDGER__RECORD__INIT;
    ro.kind_case = LEDGER__RECORD__KIND_ORDER;
    ro.order = &o;
    s_add_fails(&ro, ERR(INVALID), "order.lines[0].source");   /* entered, not verified */
    line.product = "PAPER";
    line.source = "H-OK";
    s_add_fails(&ro, ERR(INVALID), "order.lines[0].source");   /* another product's source */
    line.product = "INK";
    s_add_ok(&ro);
    Ledger__GetReply *g = (Ledger__GetReply *)s_get(LEDGER__ENTITY_KIND__ENTITY_ORDER, "O-2");
    cr_assert_eq(g->order->cost, 3 * 1234, "got cost %lld", (long long)g->order->cost);
    cr_assert_eq(g->order->lines[0]->source_id, 2);
    ledger__get_reply__free_unpacked(g, NULL);
}

Test(record, a_payment_belongs_to_its_orders_customer)
{
    s_account("A-IN", LEDGER__ACCOUNT_KIND__ACCOUNT_RECEIVING);
    s_account("A-OUT", LEDGER__ACCOUNT_KIND__ACCOUNT_PAYING);
    Ledger__Payment p = LEDGER__PAYMENT__INIT;
    p.order_code = "O-1";
    p.amount = 10000;
    p.paid_ms = 1767225600000;
    p.account_code = "A-OUT";
    Ledger__Record r = LEDGER__RECORD__INIT;
    r.kind_case = LEDGER__RECORD__KIND_PAYMENT;
    r.payment = &p;
    s_add_fails(&r, ERR(INVALID), "payment.account_code");
    p.account_code = "A-IN";
    p.amount = 0;
    s_add_fails(&r, ERR(OUT_OF_RANGE), "payment.amount");
    p.amount = 10000;
    p.order_code = "O-404";
    s_add_fails(&r, ERR(NOT_FOUND), "payment.order_code");
    p.order_code = "O-1";
    s_add_ok(&r);
    Ledger__GetReply *g = (Ledger__GetReply *)s_get(LEDGER__ENTITY_KIND__ENTITY_PAYMENT,
                                                    "PAY-00001");
    cr_assert_eq(g->payment->customer_id, 1);
    cr_assert_eq(g->payment->order_id, 1);
    ledger__get_reply__free_unpacked(g, NULL);

    /* Listed by order, wrapped in Record; its event is in the customer's partition. */
    Ledger__List l = LEDGER__LIST__INIT;
    l.meta = fixture_meta(NULL);
    l.kind = LEDGER__ENTITY_KIND__ENTITY_PAYMENT;
    l.order_code = "O-1";
    ProtobufCMessage *out;
    err_t err;
    cr_assert_eq(fixture_call(&f, FRAME_LIST, &l.base, &ledger__list_reply__descriptor, &out,
                              &err), 0, "%s", err.msg);
    Ledger__ListReply *lr = (void *)out;
    cr_assert_eq(lr->n_records, 1);
    cr_assert_eq(lr->records[0]->kind_case, LEDGER__RECORD__KIND_PAYMENT);
    cr_assert_eq(lr->records[0]->payment->amount, 10000);
    protobuf_c_message_free_unpacked(out, NULL);
    l.branch = "SH";
    cr_assert_eq(fixture_call(&f, FRAME_LIST, &l.base, NULL, NULL, &err), -1);
    cr_assert_str_eq(err.field, "branch", "payments have no branch: got %s", err.field);

    Ledger__Replay rp = LEDGER__REPLAY__INIT;
    char *kinds[] = { "payment" };
    rp.meta = fixture_meta(NULL);
    rp.kinds = kinds;
    rp.n_kinds = 1;
    cr_assert_eq(fixture_call(&f, FRAME_REPLAY, &rp.base, &ledger__replay_reply__descriptor,
                              &out, &err), 0);
    Ledger__ReplayReply *rr = (void *)out;
    cr_assert_eq(rr->n_events, 1);
    cr_assert_str_eq(rr->events[0]->kind, "payment.created");
    cr_assert_eq(rr->events[0]->partition_key, 1);
    cr_assert_eq(rr->events[0]->body_case, LEDGER__EVENT__BODY_PAYMENT);
    cr_assert_eq(rr->events[0]->payment->amount, 10000);
    protobuf_c_message_free_unpacked(out, NULL);
}

static Ledger__FinanceEntry s_entry_init(Ledger__Posting *p, Ledger__Posting **pp, int64_t a,
                                         int64_t b)
{
    ledger__posting__init(&p[0]);
    ledger__posting__init(&p[1]);
    p[0].account_code = "A-CASH";
    p[0].amount = a;
    p[1].account_code = "A-EXP";
    p[1].amount = b;
    pp[0] = &p[0];
    pp[1] = &p[1];
    Ledger__FinanceEntry e = LEDGER__FINANCE_ENTRY__INIT;
    e.branch = "SH";
    e.time_ms = 1767225600000;
    e.category = LEDGER__ENTRY_CATEGORY__CATEGORY_EXPENSE;
    e.postings = pp;
    e.n_postings = 2;
    return e;
}

Test(record, finance_entries_balance_and_are_corrected_by_reversal)
{
    s_account("A-CASH", LEDGER__ACCOUNT_KIND__ACCOUNT_PAYING);
    s_account("A-EXP", LEDGER__ACCOUNT_KIND__ACCOUNT_INTERNAL);
    Ledger__Posting p[2];
    Ledger__Posting *pp[2];
    Ledger__FinanceEntry e = s_entry_init(p, pp, -30000, 29999);
    Ledger__Record r = LEDGER__RECORD__INIT;
    r.kind_case = LEDGER__RECORD__KIND_ENTRY;
    r.entry = &e;
    s_add_fails(&r, ERR(INVALID), "entry.postings");            /* one fen off */
    p[1].amount = 30000;
    e.code = "E-1";
    s_add_ok(&r);

    /* The approval chain arrives later: an amend may add it ... */
    Ledger__GetReply *g = (Ledger__GetReply *)s_get(LEDGER__ENTITY_KIND__ENTITY_ENTRY, "E-1");
    Ledger__Approval dec = LEDGER__APPROVAL__INIT;
    dec.staff_code = "S-1";
    dec.time_ms = 1767229200000;
    dec.approved = 1;
    g->entry->decision = &dec;
    Ledger__RecordAmend am = LEDGER__RECORD_AMEND__INIT;
    Ledger__Record ra = LEDGER__RECORD__INIT;
    ra.kind_case = LEDGER__RECORD__KIND_ENTRY;
    ra.entry = g->entry;
    am.meta = fixture_meta("amend-e1");
    am.record = &ra;
    Ledger__WriteReply *w;
    err_t err;
    cr_assert_eq(fixture_call(&f, FRAME_RECORD_AMEND, &am.base, &ledger__write_reply__descriptor,
                              (ProtobufCMessage **)&w, &err), 0, "%s %s", err.field, err.msg);
    cr_assert_eq(w->version, 2);
    ledger__write_reply__free_unpacked(w, NULL);
    /* ... but never rewrite the money. */
    g->entry->postings[0]->amount = -1;
    g->entry->postings[1]->amount = 1;
    am.meta = fixture_meta("amend-e2");
    cr_assert_eq(fixture_call(&f, FRAME_RECORD_AMEND, &am.base, NULL, NULL, &err), -1);
    cr_assert_eq(err.code, ERR(INVALID));
    cr_assert_str_eq(err.field, "entry.postings");
    g->entry->decision = NULL;
    ledger__get_reply__free_unpacked(g, NULL);

    /* A reversal takes the postings negated; a second one is refused. */
    Ledger__FinanceEntry rev = LEDGER__FINANCE_ENTRY__INIT;
    rev.branch = "SH";
    rev.time_ms = 1767232800000;
    rev.reverses_code = "E-1";
    rev.code = "E-2";
    r.entry = &rev;
    s_add_ok(&r);
    g = (Ledger__GetReply *)s_get(LEDGER__ENTITY_KIND__ENTITY_ENTRY, "E-2");
    cr_assert_eq(g->entry->n_postings, 2);
    cr_assert_eq(g->entry->postings[0]->amount, 30000);
    cr_assert_eq(g->entry->postings[1]->amount, -30000);
    cr_assert_eq(g->entry->category, LEDGER__ENTRY_CATEGORY__CATEGORY_EXPENSE);
    cr_assert_eq(g->entry->reverses_id, 1);
    ledger__get_reply__free_unpacked(g, NULL);
    rev.code = "E-3";
    s_add_fails(&r, ERR(DUPLICATE), "entry.reverses_code");
}

Test(record, service_events_name_what_they_answer)
{
    Ledger__ServiceEvent s = LEDGER__SERVICE_EVENT__INIT;
    s.code = "V-1";
    s.kind = LEDGER__SERVICE_KIND__SERVICE_CALLBACK;
    s.customer_code = "C-1";
    s.time_ms = 1767225600000;
    Ledger__Record r = LEDGER__RECORD__INIT;
    r.kind_case = LEDGER__RECORD__KIND_SERVICE;
    r.service = &s;
    s_add_ok(&r);   /* a callback without a result is a finding later, not refused */
    s.code = "V-2";
    s.kind = LEDGER__SERVICE_KIND__SERVICE_RESPONSE;
    s_add_fails(&r, ERR(MISSING), "service.about_code");
    s.about_code = "V-1";
    s_add_fails(&r, ERR(INVALID), "service.about_code");      /* a callback is no issue */
    s.kind = LEDGER__SERVICE_KIND__SERVICE_TRANSFER;
    s.about_code = "";
    s_add_fails(&r, ERR(MISSING), "service.to_staff_code");
    s.to_staff_code = "S-1";
    s_add_ok(&r);
}

Test(record, work_records_take_a_real_date_and_known_attendees)
{
    char *attendees[] = { "S-1", "S-9" };
    Ledger__WorkRecord w = LEDGER__WORK_RECORD__INIT;
    w.kind = LEDGER__WORK_KIND__WORK_SCRIPT_TRAINING;
    w.date = "2026-02-29";
    w.branch = "SH";
    w.attendee_codes = attendees;
    w.n_attendee_codes = 2;
    Ledger__Record r = LEDGER__RECORD__INIT;
    r.kind_case = LEDGER__RECORD__KIND_WORK;
    r.work = &w;
    s_add_fails(&r, ERR(INVALID), "work.date");
    w.date = "2026-03-07";
    s_add_fails(&r, ERR(NOT_FOUND), "work.attendee_codes[1]");
    w.n_attendee_codes = 1;
    s_add_ok(&r);
}

Test(record, a_record_batch_is_all_or_nothing_and_names_the_item)
{
    Ledger__Account acc = LEDGER__ACCOUNT__INIT;
    acc.code = "A-IN";
    acc.name = "收款";
    acc.kind = LEDGER__ACCOUNT_KIND__ACCOUNT_RECEIVING;
    acc.branch = "SH";
    acc.owner_name = "外部出纳";
    Ledger__Payment pay = LEDGER__PAYMENT__INIT;
    pay.order_code = "O-1";
    pay.amount = 10000;
    pay.paid_ms = 1767225600000;
    pay.account_code = "A-IN";   /* added earlier in the same batch */
    Ledger__Payment bad = pay;
    bad.amount = -5;
    Ledger__Record r[3] = { LEDGER__RECORD__INIT, LEDGER__RECORD__INIT, LEDGER__RECORD__INIT };
    Ledger__Record *rp[3] = { &r[0], &r[1], &r[2] };
    r[0].kind_case = LEDGER__RECORD__KIND_ACCOUNT;
    r[0].account = &acc;
    r[1].kind_case = LEDGER__RECORD__KIND_PAYMENT;
    r[1].payment = &pay;
    r[2].kind_case = LEDGER__RECORD__KIND_PAYMENT;
    r[2].payment = &bad;
    Ledger__RecordBatch req = LEDGER__RECORD_BATCH__INIT;
    req.meta = fixture_meta("batch-1");
    req.records = rp;
    req.n_records = 3;
    uint64_t seq = fixture_last_seq(&f);
    err_t err;
    cr_assert_eq(fixture_call(&f, FRAME_RECORD_BATCH, &req.base, NULL, NULL, &err), -1);
    cr_assert_eq(err.code, ERR(OUT_OF_RANGE));
    cr_assert_str_eq(err.field, "records[2].payment.amount");
    cr_assert_eq(fixture_last_seq(&f), seq, "a failed batch wrote something");

    req.n_records = 2;
    req.meta = fixture_meta("batch-2");
    ProtobufCMessage *out;
    cr_assert_eq(fixture_call(&f, FRAME_RECORD_BATCH, &req.base, &ledger__batch_reply__descriptor,
                              &out, &err), 0, "%s %s", err.field, err.msg);
    Ledger__BatchReply *b = (void *)out;
    cr_assert_eq(b->n_items, 2);
    cr_assert_str_eq(b->items[0]->code, "A-IN");
    cr_assert_str_eq(b->items[1]->code, "PAY-00001");
    cr_assert_eq(b->items[1]->seq, seq + 2);
    protobuf_c_message_free_unpacked(out, NULL);
}

Test(record, an_order_names_its_seller_and_a_partner_as_its_channel)
{
    Ledger__Partner p = LEDGER__PARTNER__INIT;
    p.name = "链接卖家";
    p.kind = LEDGER__PARTNER_KIND__PARTNER_SELLER;
    p.branch = "SH";
    p.code = "P-SELL";
    Ledger__Record r = LEDGER__RECORD__INIT;
    r.kind_case = LEDGER__RECORD__KIND_PARTNER;
    r.partner = &p;
    s_add_ok(&r);
    p.code = "P-REF";
    p.kind = LEDGER__PARTNER_KIND__PARTNER_REFERRER;
    s_add_ok(&r);

    Ledger__OrderLine line = LEDGER__ORDER_LINE__INIT;
    Ledger__OrderLine *lines[] = { &line };
    line.product = "INK";
    line.qty = 1;
    line.unit_price = 9900;
    Ledger__PartyRef seller = LEDGER__PARTY_REF__INIT, channel = LEDGER__PARTY_REF__INIT;
    seller.kind = LEDGER__PARTY_KIND__PARTY_PARTNER;
    seller.code = "P-REF";
    channel.kind = LEDGER__PARTY_KIND__PARTY_PARTNER;
    channel.code = "P-REF";
    Ledger__RoleClaims claims = LEDGER__ROLE_CLAIMS__INIT;
    claims.channel_type = LEDGER__CHANNEL_TYPE__CHANNEL_REFERRAL;
    claims.channel = &channel;
    Ledger__Order o = LEDGER__ORDER__INIT;
    o.code = "O-S";
    o.customer_code = "C-1";
    o.branch = "SH";
    o.placed_ms = 1767225600000;
    o.lines = lines;
    o.n_lines = 1;
    o.seller = &seller;
    o.claims = &claims;
    Ledger__Record ro = LEDGER__RECORD__INIT;
    ro.kind_case = LEDGER__RECORD__KIND_ORDER;
    ro.order = &o;
    s_add_fails(&ro, ERR(INVALID), "order.seller.code");    /* a referrer sells no links */
    seller.kind = LEDGER__PARTY_KIND__PARTY_STAFF;
    seller.code = "S-1";
    s_add_fails(&ro, ERR(INVALID), "order.seller.kind");
    seller.kind = LEDGER__PARTY_KIND__PARTY_PARTNER;
    seller.code = "P-SELL";
    s_add_ok(&ro);
    Ledger__GetReply *g = (Ledger__GetReply *)s_get(LEDGER__ENTITY_KIND__ENTITY_ORDER, "O-S");
    cr_assert_eq(g->order->seller->id, 1);
    cr_assert_eq(g->order->claims->channel->id, 2, "a partner channel resolves to its id");
    ledger__get_reply__free_unpacked(g, NULL);
}

Test(record, a_cancelled_order_and_a_reversed_entry_are_events_not_overwrites)
{
    /* Cancel: an amend that sets the status, its time and the reason. */
    Ledger__GetReply *g = (Ledger__GetReply *)s_get(LEDGER__ENTITY_KIND__ENTITY_ORDER, "O-1");
    g->order->status = LEDGER__ORDER_STATUS__CANCELLED;
    g->order->cancelled_ms = 1767312000000;
    g->order->cancel_reason = strdup("客户改主意");
    Ledger__OrderAmend am = LEDGER__ORDER_AMEND__INIT;
    am.meta = fixture_meta("cancel-1");
    am.order = g->order;
    err_t err;
    cr_assert_eq(fixture_call(&f, FRAME_ORDER_AMEND, &am.base, NULL, NULL, &err), 0, "%s", err.msg);
    ledger__get_reply__free_unpacked(g, NULL);
    Ledger__Event *ev = fixture_event(&f, fixture_last_seq(&f));
    cr_assert_str_eq(ev->kind, "order.amended");
    cr_assert_eq(ev->version, 2);
    cr_assert_eq(ev->n_changed, 3, "got %zu changed fields", ev->n_changed);
    cr_assert_str_eq(ev->changed[0], "status");
    cr_assert_str_eq(ev->changed[1], "cancelled_ms");
    cr_assert_str_eq(ev->changed[2], "cancel_reason");
    cr_assert_eq(ev->order->status, LEDGER__ORDER_STATUS__CANCELLED);
    ledger__event__free_unpacked(ev, NULL);

    /* Reverse: a new entry and its own event; the original stays as it was. */
    s_account("A-CASH", LEDGER__ACCOUNT_KIND__ACCOUNT_PAYING);
    s_account("A-EXP", LEDGER__ACCOUNT_KIND__ACCOUNT_INTERNAL);
    Ledger__Posting p[2];
    Ledger__Posting *pp[2];
    Ledger__FinanceEntry e = s_entry_init(p, pp, -500, 500);
    e.code = "E-1";
    Ledger__Record r = LEDGER__RECORD__INIT;
    r.kind_case = LEDGER__RECORD__KIND_ENTRY;
    r.entry = &e;
    s_add_ok(&r);
    Ledger__FinanceEntry rev = LEDGER__FINANCE_ENTRY__INIT;
    rev.branch = "SH";
    rev.time_ms = 1767312000000;
    rev.reverses_code = "E-1";
    r.entry = &rev;
    s_add_ok(&r);
    ev = fixture_event(&f, fixture_last_seq(&f));
    cr_assert_str_eq(ev->kind, "entry.created");
    cr_assert_eq(ev->body_case, LEDGER__EVENT__BODY_ENTRY);
    cr_assert_str_eq(ev->entry->reverses_code, "E-1");
    cr_assert_eq(ev->entry->postings[0]->amount, 500);
    ledger__event__free_unpacked(ev, NULL);
    g = (Ledger__GetReply *)s_get(LEDGER__ENTITY_KIND__ENTITY_ENTRY, "E-1");
    cr_assert_eq(g->entry->version, 1, "the reversed entry was rewritten");
    cr_assert_eq(g->entry->postings[0]->amount, -500);
    ledger__get_reply__free_unpacked(g, NULL);
}

Test(record, a_payout_names_the_statement_it_pays)
{
    s_account("A-CASH", LEDGER__ACCOUNT_KIND__ACCOUNT_PAYING);
    s_account("A-EXP", LEDGER__ACCOUNT_KIND__ACCOUNT_INTERNAL);
    Ledger__Posting p[2];
    Ledger__Posting *pp[2];
    Ledger__FinanceEntry e = s_entry_init(p, pp, -2000, 2000);
    Ledger__Record r = LEDGER__RECORD__INIT;
    r.kind_case = LEDGER__RECORD__KIND_ENTRY;
    r.entry = &e;
    e.statement = "staff:S-1@2026-03";
    s_add_fails(&r, ERR(INVALID), "entry.statement");   /* an expense pays no statement */
    e.category = LEDGER__ENTRY_CATEGORY__CATEGORY_PAYOUT;
    static const char *const bad[] = { "S-1@2026-03", "staff:S-1", "boss:S-1@2026-03",
                                       "staff:S-1@2026-13" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        e.statement = (char *)bad[i];
        s_add_fails(&r, ERR(INVALID), "entry.statement");
    }
    e.statement = "staff:S-9@2026-03";
    s_add_fails(&r, ERR(NOT_FOUND), "entry.statement");
    e.statement = "staff:S-1@2026-03";
    s_add_ok(&r);
}
