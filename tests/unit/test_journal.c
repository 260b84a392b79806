/* journal - the export's pure part: periods as typed, text made safe for a
 * journal line, the booking day of an entry (late ones by their exception),
 * the check against the ledger's close, and the journal and CSV written for
 * a tiny hand-made close of SH01 in Asia/Shanghai. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "date.h"
#include "journal.h"

static void s_zone(void)
{
    err_t err;
    cr_assert_eq(date_zone_set("Asia/Shanghai", &err), 0, "date_zone_set: %s", err.msg);
}

TestSuite(journal, .init = s_zone);

/* s_ms - local "YYYY-MM-DD HH:MM" in the zone as ms */
static int64_t s_ms(const char *local)
{
    int64_t ms;
    err_t err;
    cr_assert_eq(date_parse_time(&ms, local, &err), 0, "date_parse_time(%s): %s", local, err.msg);
    return ms;
}

Test(journal, a_period_is_a_day_an_iso_week_or_a_month_and_nothing_else)
{
    static const struct { const char *text, *want; } cases[] = {
        { "2026-03-05", "close.day" },   { "2026-02-28", "close.day" },
        { "2026-W09", "close.week" },    { "2026-W53", "close.week" },   /* 2026 starts on a Thursday */
        { "2026-W01", "close.week" },    { "2026-03", "close.month" },
        { "2026-12", "close.month" },    { "2025-W53", NULL },           /* 52 weeks */
        { "2026-W00", NULL },            { "2026-W54", NULL },
        { "2026-13", NULL },             { "2026-00", NULL },
        { "2026-3", NULL },              { "26-03", NULL },
        { "2026-02-30", NULL },          { "2026-03-5", NULL },
        { "1969-12", NULL },             { "2026-w09", NULL },
        { "+026-03", NULL },             { "2026-W9", NULL },
        { "", NULL },                    { "2026-03 ", NULL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *got = journal_close_kind(cases[i].text);
        cr_expect(got == cases[i].want || (got && cases[i].want && !strcmp(got, cases[i].want)),
                  "journal_close_kind(\"%s\"): got %s, want %s", cases[i].text,
                  got ? got : "NULL", cases[i].want ? cases[i].want : "NULL");
    }
}

Test(journal, clean_text_keeps_one_line_without_a_comment)
{
    static const struct { const char *text; int comment; const char *want; } cases[] = {
        { "办公用品; 发票 3 张", 0, "办公用品, 发票 3 张" },
        { "  line one\nline two\r\n\tthree  ", 0, "line one line two three" },
        { "rent: March", 0, "rent: March" },
        { "支付宝: 主账户", 1, "支付宝： 主账户" },
        { "type: foo", 1, "type： foo" },
        { "", 0, "" },
        { " \n ", 0, "" },
    };
    char out[128];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        journal_clean(out, sizeof out, cases[i].text, cases[i].comment);
        cr_expect_str_eq(out, cases[i].want, "journal_clean(\"%s\", %d): got \"%s\", want \"%s\"",
                         cases[i].text, cases[i].comment, out, cases[i].want);
    }
    journal_clean(out, sizeof out, NULL, 0);
    cr_expect_str_eq(out, "", "NULL is empty text");
}

Test(journal, clean_text_never_cuts_a_character)
{
    char out[8];
    journal_clean(out, sizeof out, "现金账户", 0);   /* 3 bytes each: two fit in 7 */
    cr_assert_str_eq(out, "现金", "got \"%s\"", out);
    journal_clean(out, 4, "a:b", 1);                 /* '：' is 3 bytes: no room after "a" */
    cr_assert_str_eq(out, "a", "got \"%s\"", out);
}

Test(journal, an_entry_is_booked_on_its_local_date_unless_its_exception_says_otherwise)
{
    Ledger__FinanceEntry e = LEDGER__FINANCE_ENTRY__INIT;
    char day[11];
    /* 23:30 local on March 31st is 15:30 UTC: still March in Shanghai. */
    e.time_ms = s_ms("2026-03-31 23:30");
    cr_assert_eq(journal_booking_day(day, &e, NULL), 0);
    cr_assert_str_eq(day, "2026-03-31");
    cr_assert_eq(journal_booking_day(day, &e, ""), 0, "an empty booked_on is not set");
    cr_assert_str_eq(day, "2026-03-31");
    e.time_ms = s_ms("2026-04-01 00:30");
    cr_assert_eq(journal_booking_day(day, &e, NULL), 0);
    cr_assert_str_eq(day, "2026-04-01", "00:30 local is the next day, though UTC says March 31st");
    /* Late: booked on the next open day, a day of the next month. */
    e.time_ms = s_ms("2026-03-31 18:00");
    cr_assert_eq(journal_booking_day(day, &e, "2026-04-01"), 1, "late: booked on another day");
    cr_assert_str_eq(day, "2026-04-01");
    /* Reopened: booked on its own day, so nothing to say. */
    cr_assert_eq(journal_booking_day(day, &e, "2026-03-31"), 0);
    cr_assert_str_eq(day, "2026-03-31");
}

/* A tiny book: SH01's March with cash and revenue opening at 100.00, a sale
 * of 1234.50 on the 2nd, a refund of 34.50 from the bank on the 5th
 * (described with a ';' and a line break) and a late sale dated February
 * 28th booked on the 1st. */
typedef struct {
    Ledger__AccountClose cash, rev, bank;
    Ledger__AccountClose *acc[3];
    Ledger__Close close;
    Ledger__Posting p[6];
    Ledger__Posting *pp[3][2];
    Ledger__FinanceEntry e[3];
    journal_entry_t je[3];
    journal_book_t book;
    journal_name_t names[3];
    journal_export_t x;
} s_tiny_t;

static void s_posting(Ledger__Posting *p, const char *account, int64_t fen)
{
    *p = (Ledger__Posting)LEDGER__POSTING__INIT;
    p->account_code = (char *)account;
    p->amount = fen;
}

static void s_account(Ledger__AccountClose *a, const char *code, int64_t opening, int64_t debits,
                      int64_t credits)
{
    *a = (Ledger__AccountClose)LEDGER__ACCOUNT_CLOSE__INIT;
    a->account = (char *)code;
    a->opening = opening;
    a->debits = debits;
    a->credits = credits;
    a->closing = opening + debits + credits;
}

static void s_tiny(s_tiny_t *t)
{
    memset(t, 0, sizeof *t);
    s_account(&t->bank, "A-BANK", 0, 0, -3450);
    s_account(&t->cash, "A-CASH", 10000, 123450 + 700, 0);
    s_account(&t->rev, "A-REV", -10000, 3450, -(123450 + 700));
    t->acc[0] = &t->bank;
    t->acc[1] = &t->cash;
    t->acc[2] = &t->rev;
    t->close = (Ledger__Close)LEDGER__CLOSE__INIT;
    t->close.branch = "SH01";
    t->close.period = "2026-03";
    t->close.first_day = "2026-03-01";
    t->close.last_day = "2026-03-31";
    t->close.accounts = t->acc;
    t->close.n_accounts = 3;
    t->close.entries = 3;
    t->close.closed_ms = s_ms("2026-04-02 00:00");

    static const char *codes[] = { "E-2", "E-1", "E-0" };
    static const char *times[] = { "2026-03-05 09:00", "2026-03-02 10:00", "2026-02-28 18:00" };
    static const Ledger__EntryCategory cats[] = { LEDGER__ENTRY_CATEGORY__CATEGORY_REFUND,
        LEDGER__ENTRY_CATEGORY__CATEGORY_SALE, LEDGER__ENTRY_CATEGORY__CATEGORY_SALE };
    s_posting(&t->p[0], "A-REV", 3450);
    s_posting(&t->p[1], "A-BANK", -3450);
    s_posting(&t->p[2], "A-CASH", 123450);
    s_posting(&t->p[3], "A-REV", -123450);
    s_posting(&t->p[4], "A-CASH", 700);
    s_posting(&t->p[5], "A-REV", -700);
    for (int i = 0; i < 3; i++) {
        Ledger__FinanceEntry *e = &t->e[i];
        *e = (Ledger__FinanceEntry)LEDGER__FINANCE_ENTRY__INIT;
        e->code = (char *)codes[i];
        e->branch = "SH01";
        e->time_ms = s_ms(times[i]);
        e->category = cats[i];
        t->pp[i][0] = &t->p[2 * i];
        t->pp[i][1] = &t->p[2 * i + 1];
        e->postings = t->pp[i];
        e->n_postings = 2;
        t->je[i].entry = e;
        t->je[i].late = journal_booking_day(t->je[i].booked, e, i == 2 ? "2026-03-01" : NULL);
    }
    t->e[0].description = "paper returned; 3 boxes\nreceipt 17";
    t->e[1].order_code = "O-1";
    t->e[1].person_code = "S-1";
    t->e[1].description = "打印机";
    t->book = (journal_book_t){ &t->close, 4, t->je, 3 };
    t->names[0] = (journal_name_t){ "A-BANK", "工商银行" };
    t->names[1] = (journal_name_t){ "A-CASH", "现金" };
    t->names[2] = (journal_name_t){ "A-REV", "销售收入" };
    t->x = (journal_export_t){ "2026-03", &t->book, 1, t->names, 3, s_ms("2026-04-02 10:00") };
}

Test(journal, entries_sort_by_booking_day_then_code)
{
    s_tiny_t t;
    s_tiny(&t);
    journal_sort(&t.book);
    cr_assert_str_eq(t.je[0].entry->code, "E-0", "the late one, booked on the 1st");
    cr_assert_str_eq(t.je[1].entry->code, "E-1");
    cr_assert_str_eq(t.je[2].entry->code, "E-2");
}

Test(journal, entries_that_give_the_close_pass_the_check)
{
    s_tiny_t t;
    s_tiny(&t);
    err_t err = { 0 };
    cr_assert_eq(journal_check(&t.book, &err), 0, "%s", err.msg);
}

Test(journal, one_fen_off_is_refused_naming_the_account_and_both_figures)
{
    s_tiny_t t;
    s_tiny(&t);
    t.cash.closing += 1;
    err_t err = { 0 };
    cr_assert_eq(journal_check(&t.book, &err), -1);
    cr_assert_eq(err.code, ERR(CONFLICT));
    cr_assert_str_eq(err.field, "A-CASH");
    cr_assert_str_eq(err.msg, "the ledger's close of SH01 for 2026-03 says A-CASH closes at "
                     "1341.51, its entries give 1341.50; is ledger-reconciliation behind? "
                     "(ledgerctl cursor show)");
}

Test(journal, debits_and_credits_must_be_the_close_s_too)
{
    s_tiny_t t;
    s_tiny(&t);
    /* The same closing from other movements. */
    t.rev.debits += 100;
    t.rev.credits -= 100;
    err_t err = { 0 };
    cr_assert_eq(journal_check(&t.book, &err), -1);
    cr_assert_str_eq(err.field, "A-REV");
    cr_assert(strstr(err.msg, "says A-REV has debits of 35.50, its entries give 34.50"),
              "%s", err.msg);
}

Test(journal, a_posting_to_an_account_the_close_lacks_is_refused)
{
    s_tiny_t t;
    s_tiny(&t);
    t.p[1].account_code = "A-PETTY";
    t.bank.credits = 0;
    t.bank.closing = 0;
    err_t err = { 0 };
    cr_assert_eq(journal_check(&t.book, &err), -1);
    cr_assert_str_eq(err.field, "A-PETTY", "%s", err.msg);
    cr_assert(strstr(err.msg, "has no line for A-PETTY, its entries post -34.50 to it (entry E-2)"),
              "%s", err.msg);
}

Test(journal, an_entry_missing_from_the_close_is_refused)
{
    s_tiny_t t;
    s_tiny(&t);
    t.close.entries = 4;
    err_t err = { 0 };
    cr_assert_eq(journal_check(&t.book, &err), -1);
    cr_assert_str_eq(err.field, "entries");
    cr_assert(strstr(err.msg, "says 4 entries are booked in it, the ledger has 3 booked there"),
              "%s", err.msg);
}

Test(journal, openings_out_of_balance_are_refused)
{
    s_tiny_t t;
    s_tiny(&t);
    t.cash.opening += 1;
    t.cash.closing += 1;
    err_t err = { 0 };
    cr_assert_eq(journal_check(&t.book, &err), -1);
    cr_assert_str_eq(err.field, "opening", "%s", err.msg);
    cr_assert(strstr(err.msg, "opens out of balance by 0.01"), "%s", err.msg);
}

/* s_written - the journal (csv 0) or the CSV in a memory stream; caller frees */
static char *s_written(const journal_export_t *x, int csv, int excel)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cr_assert(f, "open_memstream");
    int rc = csv ? journal_csv(f, x, excel) : journal_write(f, x);
    cr_assert_eq(rc, 0, "%s: no write error", csv ? "journal_csv" : "journal_write");
    cr_assert_eq(fclose(f), 0);
    return buf;
}

Test(journal, the_journal_of_a_tiny_close)
{
    s_tiny_t t;
    s_tiny(&t);
    journal_sort(&t.book);
    char *got = s_written(&t.x, 0, 0);
    const char *want =
        "; ledger-finance export of SH01 for 2026-03 (2026-03-01 to 2026-03-31)\n"
        "; agrees with the ledger's close SH01@2026-03, version 4, closed 2026-04-02 00:00:00\n"
        "; ledger time 2026-04-02 10:00:00 (Asia/Shanghai); money in yuan (CNY), from integer fen\n"
        "; 'hledger -f FILE balance' gives each account's closing balance (hledger reads\n"
        "; the names in a UTF-8 locale: LC_ALL=C.UTF-8)\n"
        "\n"
        "commodity 1000.00 CNY\n"
        "\n"
        "account SH01:A-BANK  ; 工商银行\n"
        "account SH01:A-CASH  ; 现金\n"
        "account SH01:A-REV  ; 销售收入\n"
        "\n"
        "2026-03-01 opening balances of SH01\n"
        "    ; category: opening, close: SH01@2026-03 version 4\n"
        "    SH01:A-CASH         100.00 CNY\n"
        "    SH01:A-REV         -100.00 CNY\n"
        "\n"
        "2026-03-01 (E-0) sale\n"
        "    ; category: sale, late: dated 2026-02-28 (a closed day), booked on 2026-03-01\n"
        "    SH01:A-CASH           7.00 CNY\n"
        "    SH01:A-REV           -7.00 CNY\n"
        "\n"
        "2026-03-02 (E-1) 打印机\n"
        "    ; category: sale, order: O-1, person: S-1\n"
        "    SH01:A-CASH        1234.50 CNY\n"
        "    SH01:A-REV        -1234.50 CNY\n"
        "\n"
        "2026-03-05 (E-2) paper returned, 3 boxes receipt 17\n"
        "    ; category: refund\n"
        "    SH01:A-REV           34.50 CNY\n"
        "    SH01:A-BANK         -34.50 CNY\n"
        "\n";
    cr_assert_str_eq(got, want, "got:\n%s", got);
    free(got);
}

Test(journal, the_csv_of_a_tiny_close_sums_to_each_closing)
{
    s_tiny_t t;
    s_tiny(&t);
    journal_sort(&t.book);
    char *got = s_written(&t.x, 1, 0);
    const char *want =
        "date,branch,entry,category,description,account,account_name,debit,credit,amount,"
        "order,person,statement\r\n"
        "2026-03-01,SH01,,opening,opening balance,A-CASH,现金,,,100.00,,,\r\n"
        "2026-03-01,SH01,,opening,opening balance,A-REV,销售收入,,,-100.00,,,\r\n"
        "2026-03-01,SH01,E-0,sale,,A-CASH,现金,7.00,,7.00,,,\r\n"
        "2026-03-01,SH01,E-0,sale,,A-REV,销售收入,,7.00,-7.00,,,\r\n"
        "2026-03-02,SH01,E-1,sale,打印机,A-CASH,现金,1234.50,,1234.50,O-1,S-1,\r\n"
        "2026-03-02,SH01,E-1,sale,打印机,A-REV,销售收入,,1234.50,-1234.50,O-1,S-1,\r\n"
        "2026-03-05,SH01,E-2,refund,\"paper returned; 3 boxes\nreceipt 17\",A-REV,销售收入,"
        "34.50,,34.50,,,\r\n"
        "2026-03-05,SH01,E-2,refund,\"paper returned; 3 boxes\nreceipt 17\",A-BANK,工商银行,,"
        "34.50,-34.50,,,\r\n";
    cr_assert_str_eq(got, want, "got:\n%s", got);
    free(got);
}

Test(journal, the_csv_for_excel_starts_with_the_bom)
{
    s_tiny_t t;
    s_tiny(&t);
    t.e[1].description = "=HYPERLINK(\"x\")";
    char *got = s_written(&t.x, 1, 1);
    cr_assert(!strncmp(got, "\xEF\xBB\xBF" "date,branch,", 15), "BOM, then the header: %.20s", got);
    cr_assert(strstr(got, ",\"'=HYPERLINK(\"\"x\"\")\","), "a formula is written as text: %s", got);
    cr_assert(strstr(got, ",-1234.50,"), "a negative amount stays a number: %s", got);
    free(got);
}
