/* entity - amend, get and list: versions, conflicts, paging and filters;
 * contact details never leave by list or event. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include "codec.h"
#include "date.h"
#include "fixture.h"

static fixture_t f;

static void setup(void) { fixture_open(&f, 1); }
static void teardown(void) { fixture_close(&f); }

TestSuite(entity, .init = setup, .fini = teardown);

static Ledger__GetReply *s_get(entity_kind_t kind, const char *code)
{
    static const Ledger__EntityKind kinds[] = { LEDGER__ENTITY_KIND__ENTITY_STAFF,
        LEDGER__ENTITY_KIND__ENTITY_CUSTOMER, LEDGER__ENTITY_KIND__ENTITY_ORDER };
    Ledger__Get get = LEDGER__GET__INIT;
    get.meta = fixture_meta(NULL);
    get.kind = kinds[kind];
    get.code = (char *)code;
    ProtobufCMessage *out;
    err_t err;
    cr_assert_eq(fixture_call(&f, FRAME_GET, &get.base, &ledger__get_reply__descriptor, &out,
                              &err), 0, "get %s: %s", code, err.msg);
    return (Ledger__GetReply *)out;
}

static Ledger__ListReply *s_list(Ledger__List *req, err_t *err)
{
    ProtobufCMessage *out = NULL;
    req->meta = fixture_meta(NULL);
    if (fixture_call(&f, FRAME_LIST, &req->base, &ledger__list_reply__descriptor, &out, err) < 0)
        return NULL;
    return (Ledger__ListReply *)out;
}

Test(entity, an_amend_bumps_the_version_and_records_what_changed)
{
    fixture_add_staff(&f, "S-1", "张三", "SH");
    Ledger__GetReply *g = s_get(KIND_STAFF, "S-1");
    Ledger__Staff *st = g->staff;
    st->team = strdup("售前一组");
    Ledger__StaffAmend req = LEDGER__STAFF_AMEND__INIT;
    req.meta = fixture_meta("amend-1");
    req.staff = st;
    req._expected_version_case = LEDGER__STAFF_AMEND___EXPECTED_VERSION_EXPECTED_VERSION;
    req.expected_version = 1;
    ProtobufCMessage *out;
    err_t err;
    cr_assert_eq(fixture_call(&f, FRAME_STAFF_AMEND, &req.base, &ledger__write_reply__descriptor,
                              &out, &err), 0, "%s %s", err.field, err.msg);
    Ledger__WriteReply *w = (void *)out;
    cr_assert_eq(w->version, 2);
    Ledger__Event *ev = fixture_event(&f, w->seq);
    cr_assert_str_eq(ev->kind, "staff.amended");
    cr_assert_eq(ev->n_changed, 1);
    cr_assert_str_eq(ev->changed[0], "team");
    cr_assert_str_eq(ev->actor, "tester");
    ledger__event__free_unpacked(ev, NULL);
    protobuf_c_message_free_unpacked(out, NULL);

    /* The same version again is stale now. */
    req.meta = fixture_meta("amend-2");
    cr_assert_eq(fixture_call(&f, FRAME_STAFF_AMEND, &req.base, NULL, NULL, &err), -1);
    cr_assert_eq(err.code, ERR(CONFLICT), "got %s", err_code_name(err.code));
    cr_assert_str_eq(err.field, "expected_version");
    ledger__get_reply__free_unpacked(g, NULL);
}

Test(entity, an_amend_that_changes_nothing_writes_nothing)
{
    fixture_add_staff(&f, "S-1", "张三", "SH");
    Ledger__GetReply *g = s_get(KIND_STAFF, "S-1");
    Ledger__StaffAmend req = LEDGER__STAFF_AMEND__INIT;
    req.meta = fixture_meta("same");
    req.staff = g->staff;
    uint64_t seq = fixture_last_seq(&f);
    ProtobufCMessage *out;
    err_t err;
    cr_assert_eq(fixture_call(&f, FRAME_STAFF_AMEND, &req.base, &ledger__write_reply__descriptor,
                              &out, &err), 0);
    cr_assert_eq(((Ledger__WriteReply *)out)->version, 1);
    cr_assert_eq(((Ledger__WriteReply *)out)->seq, 0);
    cr_assert_eq(fixture_last_seq(&f), seq);
    protobuf_c_message_free_unpacked(out, NULL);
    ledger__get_reply__free_unpacked(g, NULL);
}

Test(entity, a_code_cannot_be_changed_and_an_unknown_one_is_not_found)
{
    fixture_add_staff(&f, "S-1", "张三", "SH");
    Ledger__GetReply *g = s_get(KIND_STAFF, "S-1");
    Ledger__StaffAmend req = LEDGER__STAFF_AMEND__INIT;
    req.meta = fixture_meta("recode");
    req.staff = g->staff;
    free(g->staff->code);
    g->staff->code = strdup("S-2");
    err_t err;
    cr_assert_eq(fixture_call(&f, FRAME_STAFF_AMEND, &req.base, NULL, NULL, &err), -1);
    cr_assert_eq(err.code, ERR(INVALID), "got %s", err_code_name(err.code));
    cr_assert_str_eq(err.field, "staff.code");
    g->staff->id = 0;
    req.meta = fixture_meta("recode-2");
    cr_assert_eq(fixture_call(&f, FRAME_STAFF_AMEND, &req.base, NULL, NULL, &err), -1);
    cr_assert_eq(err.code, ERR(NOT_FOUND), "got %s", err_code_name(err.code));
    cr_assert_str_eq(err.field, "staff.code");
    ledger__get_reply__free_unpacked(g, NULL);
}

Test(entity, contacts_are_in_get_but_never_in_list_or_events)
{
    fixture_add_customer(&f, "C-1", "李四", "SH");
    Ledger__GetReply *g = s_get(KIND_CUSTOMER, "C-1");
    cr_assert(g->customer->contact, "get carries the contact");
    cr_assert_str_eq(g->customer->contact->phone, "13800000000");
    ledger__get_reply__free_unpacked(g, NULL);

    Ledger__List req = LEDGER__LIST__INIT;
    req.kind = LEDGER__ENTITY_KIND__ENTITY_CUSTOMER;
    err_t err;
    Ledger__ListReply *l = s_list(&req, &err);
    cr_assert_eq(l->n_customers, 1);
    cr_assert_null(l->customers[0]->contact);
    ledger__list_reply__free_unpacked(l, NULL);

    Ledger__Event *ev = fixture_event(&f, 1);
    cr_assert_str_eq(ev->kind, "customer.created");
    cr_assert_null(ev->customer->contact, "an event carried contact details");
    cr_assert_eq(ev->partition_key, 1);
    ledger__event__free_unpacked(ev, NULL);
}

Test(entity, list_pages_never_repeat_or_skip)
{
    char code[16];
    for (int i = 1; i <= 25; i++) {
        snprintf(code, sizeof code, "S-%03d", i);
        fixture_add_staff(&f, code, "员工", i % 2 ? "SH" : "BJ");
    }
    Ledger__List req = LEDGER__LIST__INIT;
    req.kind = LEDGER__ENTITY_KIND__ENTITY_STAFF;
    req.limit = 10;
    int seen = 0, pages = 0;
    uint8_t token[64];
    err_t err;
    do {
        Ledger__ListReply *l = s_list(&req, &err);
        cr_assert(l, "%s", err.msg);
        for (size_t i = 0; i < l->n_staff; i++) {
            seen++;
            snprintf(code, sizeof code, "S-%03d", seen);
            cr_assert_str_eq(l->staff[i]->code, code, "page %d: got %s, want %s", pages,
                             l->staff[i]->code, code);
        }
        if (l->next_page_token.len)
            memcpy(token, l->next_page_token.data, l->next_page_token.len);
        req.page_token.data = token;
        req.page_token.len = l->next_page_token.len;
        pages++;
        ledger__list_reply__free_unpacked(l, NULL);
    } while (req.page_token.len);
    cr_assert_eq(seen, 25);
    cr_assert_eq(pages, 3);

    req.page_token.len = 0;
    req.branch = "BJ";
    req.limit = 100;
    Ledger__ListReply *l = s_list(&req, &err);
    cr_assert_eq(l->n_staff, 12, "branch filter: got %zu", l->n_staff);
    ledger__list_reply__free_unpacked(l, NULL);
}

Test(entity, orders_filter_by_customer_branch_and_local_date)
{
    fixture_add_customer(&f, "C-1", "甲", "SH");
    fixture_add_customer(&f, "C-2", "乙", "SH");
    date_t d = { 2026, 1, 1 };
    int64_t jan1 = date_start_ms(d);   /* 2026-01-01 00:00 Shanghai = 2025-12-31T16:00Z */
    fixture_add_order(&f, "O-1", "C-1", jan1 - 1, 1, 100);          /* Dec 31, last ms */
    fixture_add_order(&f, "O-2", "C-1", jan1, 1, 100);              /* Jan 1, first ms */
    fixture_add_order(&f, "O-3", "C-2", jan1 + 86400000 - 1, 1, 100); /* Jan 1, last ms */
    fixture_add_order(&f, "O-4", "C-2", jan1 + 86400000, 1, 100);   /* Jan 2 */

    Ledger__List req = LEDGER__LIST__INIT;
    req.kind = LEDGER__ENTITY_KIND__ENTITY_ORDER;
    req.from_date = "2026-01-01";
    req.to_date = "2026-01-01";
    err_t err;
    Ledger__ListReply *l = s_list(&req, &err);
    cr_assert(l, "%s", err.msg);
    cr_assert_eq(l->n_orders, 2, "Jan 1 local: got %zu orders", l->n_orders);
    cr_assert_str_eq(l->orders[0]->code, "O-2");
    cr_assert_str_eq(l->orders[1]->code, "O-3");
    ledger__list_reply__free_unpacked(l, NULL);

    req.customer_code = "C-1";
    req.from_date = "";
    l = s_list(&req, &err);
    cr_assert_eq(l->n_orders, 2, "C-1 up to Jan 1: got %zu", l->n_orders);
    ledger__list_reply__free_unpacked(l, NULL);

    req.customer_code = "";
    req.to_date = "";
    req.branch = "SH";
    req.limit = 3;
    l = s_list(&req, &err);
    cr_assert_eq(l->n_orders, 3);
    cr_assert(l->next_page_token.len > 0);
    ledger__list_reply__free_unpacked(l, NULL);

    req.from_date = "2026-02-30";
    cr_assert_null(s_list(&req, &err));
    cr_assert_str_eq(err.field, "from_date");
    req.from_date = "";
    req.customer_code = "C-9";
    cr_assert_null(s_list(&req, &err));
    cr_assert_eq(err.code, ERR(NOT_FOUND));
    cr_assert_str_eq(err.field, "customer_code");
}

Test(entity, an_amended_order_moves_in_its_indexes)
{
    fixture_add_customer(&f, "C-1", "甲", "SH");
    fixture_add_order(&f, "O-1", "C-1", 1000, 1, 100);
    Ledger__GetReply *g = s_get(KIND_ORDER, "O-1");
    free(g->order->branch);
    g->order->branch = strdup("BJ");
    Ledger__OrderAmend req = LEDGER__ORDER_AMEND__INIT;
    req.meta = fixture_meta("move");
    req.order = g->order;
    err_t err;
    cr_assert_eq(fixture_call(&f, FRAME_ORDER_AMEND, &req.base, NULL, NULL, &err), 0, "%s", err.msg);
    ledger__get_reply__free_unpacked(g, NULL);

    Ledger__List l1 = LEDGER__LIST__INIT;
    l1.kind = LEDGER__ENTITY_KIND__ENTITY_ORDER;
    l1.branch = "SH";
    Ledger__ListReply *l = s_list(&l1, &err);
    cr_assert_eq(l->n_orders, 0, "still indexed under the old branch");
    ledger__list_reply__free_unpacked(l, NULL);
    l1.branch = "BJ";
    l = s_list(&l1, &err);
    cr_assert_eq(l->n_orders, 1);
    cr_assert_eq(l->orders[0]->version, 2);
    ledger__list_reply__free_unpacked(l, NULL);
}

Test(entity, an_orders_customer_cannot_change)
{
    fixture_add_customer(&f, "C-1", "甲", "SH");
    fixture_add_customer(&f, "C-2", "乙", "SH");
    fixture_add_order(&f, "O-1", "C-1", 1000, 1, 100);
    Ledger__GetReply *g = s_get(KIND_ORDER, "O-1");
    free(g->order->customer_code);
    g->order->customer_code = strdup("C-2");
    Ledger__OrderAmend req = LEDGER__ORDER_AMEND__INIT;
    req.meta = fixture_meta("recustomer");
    req.order = g->order;
    err_t err;
    cr_assert_eq(fixture_call(&f, FRAME_ORDER_AMEND, &req.base, NULL, NULL, &err), -1);
    cr_assert_eq(err.code, ERR(INVALID), "got %s", err_code_name(err.code));
    cr_assert_str_eq(err.field, "order.customer_code");
    ledger__get_reply__free_unpacked(g, NULL);
}
