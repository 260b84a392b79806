/* feed - which events are settlement items and what each says; the feed
 * file: its last seq read back, a line cut short by a crash dropped, a file
 * that is no feed refused. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "commission.pb-c.h"
#include "date.h"
#include "feed.h"
#include "reconciliation.pb-c.h"

TestSuite(feed);

/* s_result_event - an event carrying msg as the payload of a result */
static Ledger__Event *s_result_event(uint64_t seq, const char *kind, const char *key,
                                     uint64_t version, const ProtobufCMessage *msg)
{
    static Ledger__Event e;
    static Ledger__Result r;
    static uint8_t buf[4096];
    ledger__event__init(&e);
    ledger__result__init(&r);
    e.seq = seq;
    e.time_ms = 1772352000000;   /* 2026-03-01 16:00 in Shanghai */
    e.kind = (char *)kind;
    e.version = version;
    e.entity_code = (char *)key;
    r.kind = (char *)kind;
    r.key = (char *)key;
    r.version = version;
    r.payload.len = protobuf_c_message_pack(msg, buf);
    r.payload.data = buf;
    e.body_case = LEDGER__EVENT__BODY_RESULT;
    e.result = &r;
    return &e;
}

static feed_item_t s_item(const Ledger__Event *e, int want)
{
    feed_item_t it;
    err_t err;
    int rc = feed_item(e, &it, &err);
    cr_assert_eq(rc, want, "feed_item of %s: %d (%s)", e->kind, rc, rc < 0 ? err.msg : "");
    return it;
}

Test(feed, a_closed_statement_then_its_payment)
{
    Ledger__PartyRef p = LEDGER__PARTY_REF__INIT;
    p.kind = LEDGER__PARTY_KIND__PARTY_STAFF;
    p.code = "S-1";
    Ledger__Statement st = LEDGER__STATEMENT__INIT;
    st.person = &p;
    st.month = "2026-03";
    st.total = 150000;
    st.carried_in = -50000;
    st.payable = 100000;
    feed_item_t it = s_item(s_result_event(7, "statement.closed", "staff:S-1@2026-03", 1,
                                           &st.base), 1);
    cr_assert_str_eq(it.item, "statement");
    cr_assert_str_eq(it.person, "staff:S-1");
    cr_assert_str_eq(it.month, "2026-03");
    cr_assert_eq(it.amount, 100000);
    cr_assert_str_eq(it.detail, "closed: 0 lines, total 1500.00, carried in -500.00, "
                                "payable 1000.00, carried on 0.00");
    char *payouts[] = { "E-9" };
    st.paid = 100000;
    st.payouts = payouts;
    st.n_payouts = 1;
    it = s_item(s_result_event(9, "statement.closed", "staff:S-1@2026-03", 2, &st.base), 1);
    cr_assert_str_eq(it.detail, "paid 1000.00 of 1000.00 payable (E-9)");
    cr_assert_eq(it.version, 2);
    s_item(s_result_event(8, "statement.draft", "staff:S-1@2026-04", 1, &st.base), 0);
}

Test(feed, only_clawbacks_and_adjustments_and_only_when_new)
{
    Ledger__CommissionLine l = LEDGER__COMMISSION_LINE__INIT;
    l.rule = "seller.sale.clawback";
    l.order_code = "O-1";
    l.refund_code = "R-1";
    l.month = "2026-04";
    l.amount = -2000;
    l.reason = "refund after payable";
    feed_item_t it = s_item(s_result_event(3, "commission.line", "O-1/seller.sale/P-3/R-1", 1,
                                           &l.base), 1);
    cr_assert_str_eq(it.item, "clawback");
    cr_assert_eq(it.amount, -2000);
    cr_assert(strstr(it.detail, "refund R-1"), "%s", it.detail);
    s_item(s_result_event(4, "commission.line", "O-1/seller.sale/P-3/R-1", 2, &l.base), 0);
    l.rule = "role.channel.adjustment";
    l.adjusts = "O-1/role.channel/S-1";
    it = s_item(s_result_event(5, "commission.line", "O-1/role.channel/S-1/adj1", 1, &l.base), 1);
    cr_assert_str_eq(it.item, "adjustment");
    cr_assert(strstr(it.detail, "correcting O-1/role.channel/S-1"), "%s", it.detail);
    l.rule = "role.channel";   /* an ordinary line: the statement settles it */
    s_item(s_result_event(6, "commission.line", "O-1/role.channel/S-1", 1, &l.base), 0);
    l.rule = "role.clawbackish";
    s_item(s_result_event(6, "commission.line", "O-1/x", 1, &l.base), 0);
}

Test(feed, fines_rewards_and_a_withdrawn_fine)
{
    Ledger__PartyRef p = LEDGER__PARTY_REF__INIT;
    p.kind = LEDGER__PARTY_KIND__PARTY_STAFF;
    p.code = "S-2";
    Ledger__FineLine fl = LEDGER__FINE_LINE__INIT;
    fl.person = &p;
    fl.rule = "posts.daily";
    fl.month = "2026-03";
    fl.amount = -3000;
    fl.reason = "no post";
    cr_assert_str_eq(s_item(s_result_event(1, "compliance.fine", "f/S-2", 1, &fl.base), 1).item,
                     "fine");
    fl.amount = 5000;
    cr_assert_str_eq(s_item(s_result_event(2, "compliance.fine", "f/S-2", 2, &fl.base), 1).item,
                     "reward");
    fl.amount = 0;
    feed_item_t it = s_item(s_result_event(3, "compliance.fine", "f/S-2", 3, &fl.base), 1);
    cr_assert_str_eq(it.item, "withdrawn");
    cr_assert_eq(it.has_amount, 1);
}

Test(feed, closes_say_their_balance_and_late_entries)
{
    Ledger__AccountClose a = LEDGER__ACCOUNT_CLOSE__INIT, b = LEDGER__ACCOUNT_CLOSE__INIT;
    a.account = "A-CASH";
    a.debits = 12700;
    b.account = "A-REV";
    b.credits = -12700;
    Ledger__AccountClose *ab[] = { &a, &b };
    char *late[] = { "E-LATE" };
    Ledger__Close c = LEDGER__CLOSE__INIT;
    c.branch = "SH01";
    c.period = "2026-03-02";
    c.first_day = c.last_day = "2026-03-02";
    c.accounts = ab;
    c.n_accounts = 2;
    c.entries = 2;
    c.late = late;
    c.n_late = 1;
    feed_item_t it = s_item(s_result_event(4, "close.day", "SH01@2026-03-02", 1, &c.base), 1);
    cr_assert_str_eq(it.item, "close day");
    cr_assert_str_eq(it.branch, "SH01");
    cr_assert_eq(it.amount, 12700);
    cr_assert_str_eq(it.detail, "2 entries, debits 127.00, balanced, 1 late entry booked here");
    c.period = "2026-03";
    c.first_day = "2026-03-01";
    c.last_day = "2026-03-31";
    c.n_late = 0;
    c.imbalance = 1;
    c.reopened = 2;
    it = s_item(s_result_event(5, "close.month", "SH01@2026-03", 3, &c.base), 1);
    cr_assert_str_eq(it.item, "close month");
    cr_assert_str_eq(it.detail, "2026-03-01 to 2026-03-31: 2 entries, debits 127.00, "
                                "IMBALANCE 0.01, version 3, reopened 2 times");
}

Test(feed, payouts_are_the_entries_that_pay_a_statement)
{
    Ledger__Posting from = LEDGER__POSTING__INIT, to = LEDGER__POSTING__INIT;
    from.account_code = "A-BANK";
    from.amount = -2000;
    to.account_code = "A-COMM";
    to.amount = 2000;
    Ledger__Posting *pp[] = { &from, &to };
    Ledger__FinanceEntry fe = LEDGER__FINANCE_ENTRY__INIT;
    fe.code = "E-9";
    fe.branch = "SH01";
    fe.category = LEDGER__ENTRY_CATEGORY__CATEGORY_PAYOUT;
    fe.postings = pp;
    fe.n_postings = 2;
    fe.statement = "staff:S-1@2026-03";
    Ledger__Event e = LEDGER__EVENT__INIT;
    e.seq = 11;
    e.kind = "entry.created";
    e.body_case = LEDGER__EVENT__BODY_ENTRY;
    e.entry = &fe;
    feed_item_t it = s_item(&e, 1);
    cr_assert_str_eq(it.item, "payout");
    cr_assert_str_eq(it.person, "staff:S-1");
    cr_assert_str_eq(it.month, "2026-03");
    cr_assert_eq(it.amount, 2000);
    cr_assert_str_eq(it.detail, "pays statement staff:S-1@2026-03: from A-BANK to A-COMM");
    fe.reverses_code = "E-8";
    it = s_item(&e, 1);
    cr_assert_str_eq(it.item, "payout undone");
    cr_assert_eq(it.amount, -2000);
    fe.category = LEDGER__ENTRY_CATEGORY__CATEGORY_SALE;
    s_item(&e, 0);
    fe.category = LEDGER__ENTRY_CATEGORY__CATEGORY_PAYOUT;
    e.kind = "entry.amended";   /* an approval noted on it: the money was shown already */
    s_item(&e, 0);
}

Test(feed, month_closes_show_and_clocks_and_broken_payloads_do_not)
{
    Ledger__MonthClosed m = LEDGER__MONTH_CLOSED__INIT;
    m.month = "2026-03";
    m.actor = "finance";
    Ledger__Event e = LEDGER__EVENT__INIT;
    e.seq = 2;
    e.kind = "month.closed";
    e.body_case = LEDGER__EVENT__BODY_MONTH;
    e.month = &m;
    feed_item_t it = s_item(&e, 1);
    cr_assert_str_eq(it.key, "2026-03");
    cr_assert_str_eq(it.detail, "closed by finance: its statements follow");
    Ledger__Clock ck = LEDGER__CLOCK__INIT;
    e.kind = "clock";
    e.body_case = LEDGER__EVENT__BODY_CLOCK;
    e.clock = &ck;
    s_item(&e, 0);
    Ledger__Event *bad = s_result_event(3, "statement.closed", "staff:S-1@2026-03", 1,
                                        &m.base);
    bad->result->payload.data[0] = 0xff;   /* not a Statement */
    bad->result->payload.len = 1;
    s_item(bad, -1);
}

/* s_temp - a fresh file path */
static void s_temp(char *path, size_t n)
{
    snprintf(path, n, "/tmp/test-feed-XXXXXX");
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    close(fd);
}

Test(feed, the_file_gives_back_its_last_seq_and_drops_a_cut_line)
{
    date_zone_set("Asia/Shanghai", &(err_t){ 0 });
    char path[64];
    s_temp(path, sizeof path);
    feed_file_t ff;
    err_t err;
    cr_assert_eq(feed_file_open(&ff, path, &err), 0, "%s", err.msg);
    cr_assert_eq(ff.last_seq, 0, "empty");
    feed_item_t it = { .seq = 41, .kind = "close.day", .item = "close day", .key = "SH01@x" };
    cr_assert_eq(feed_file_add(&ff, &it), 0);
    it.seq = 42;
    cr_assert_eq(feed_file_add(&ff, &it), 0);
    cr_assert_eq(feed_file_sync(&ff), 0);
    feed_file_close(&ff);
    cr_assert_eq(feed_file_open(&ff, path, &err), 0, "%s", err.msg);
    cr_assert_eq(ff.last_seq, 42);
    feed_file_close(&ff);
    /* A crash in the middle of a line: the line goes, 42 stays the last. */
    FILE *f = fopen(path, "a");
    fputs("{\"seq\":43,\"time_ms\":17", f);
    fclose(f);
    cr_assert_eq(feed_file_open(&ff, path, &err), 0, "%s", err.msg);
    cr_assert_eq(ff.last_seq, 42);
    it.seq = 43;
    feed_file_add(&ff, &it);
    feed_file_close(&ff);
    f = fopen(path, "r");
    char line[512];
    int lines = 0;
    while (fgets(line, sizeof line, f)) {
        lines++;
        cr_assert(!strncmp(line, "{\"seq\":4", 8), "whole lines only: %s", line);
        cr_assert(strchr(line, '\n'), "ends with its newline: %s", line);
    }
    fclose(f);
    cr_assert_eq(lines, 3);
    unlink(path);
}

Test(feed, a_file_that_is_no_feed_is_refused)
{
    char path[64];
    s_temp(path, sizeof path);
    FILE *f = fopen(path, "w");
    fputs("{\"seq\":1}\nnotes of the desk\n", f);
    fclose(f);
    feed_file_t ff;
    err_t err;
    cr_assert_eq(feed_file_open(&ff, path, &err), -1);
    cr_assert_str_eq(err.field, "--feed");
    cr_assert(strstr(err.msg, "not a feed"), "%s", err.msg);
    unlink(path);
    cr_assert_eq(feed_file_open(&ff, "/tmp", &err), -1, "a directory");
    cr_assert_eq(feed_file_open(&ff, "/nonexistent/feed", &err), -1);
}
