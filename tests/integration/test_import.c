/* import - `ledgerctl import` against a real ledgerd: spreadsheet CSV in
 * UTF-8 and GBK with Chinese headers, all or nothing, every bad line
 * reported by number (ours and ledgerd's), --skip-bad, and a re-run that
 * writes nothing twice. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "server.h"

static server_t srv;
static char out[65536];

static void setup(void) { server_start(&srv, "--test-clock"); }
static void teardown(void) { server_remove(&srv); }

TestSuite(import, .init = setup, .fini = teardown, .timeout = 60);

#define CTL_OK(...) do { int rc_ = ctl(&srv, out, sizeof out, __VA_ARGS__); \
    cr_assert_eq(rc_, 0, "exit %d: %s", rc_, out); } while (0)

/* s_file - write text (UTF-8) to NAME in the server's directory; its path */
static const char *s_file(const char *name, const char *text)
{
    static char path[4][512];
    static int next;
    char *p = path[next++ % 4];
    snprintf(p, sizeof path[0], "%s/%s", srv.dir, name);
    FILE *f = fopen(p, "wb");
    cr_assert(f, "fopen %s", p);
    fputs(text, f);
    fclose(f);
    return p;
}

/* s_gbk - the same, converted to GBK by iconv(1) */
static const char *s_gbk(const char *name, const char *text)
{
    static char path[512];
    char cmd[1200];
    const char *utf8 = s_file("gbk-source.csv", text);
    snprintf(path, sizeof path, "%s/%s", srv.dir, name);
    snprintf(cmd, sizeof cmd, "iconv -f UTF-8 -t GBK '%s' > '%s'", utf8, path);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
    return path;
}

/* s_count - occurrences of needle in out */
static int s_count(const char *needle)
{
    int n = 0;
    for (const char *p = out; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

static const char s_customers[] =
    "\xEF\xBB\xBF客户编号,客户名称,分公司,电话,微信,首次接触,会员,备注\r\n"
    "C-1,陈静,SH01,13800138001,chenjing,2026/3/1 9:05,是,\"老客户, 介绍\"\r\n"
    "C-2,\"王\"\"芳\"\"\",SH01,,,,否,\r\n"
    "C-3,李雷,SH02,,,2026-03-02,,\"两行\r\n备注\"\r\n";

static const char s_orders[] =
    "订单编号,客户编号,下单时间,产品,数量,单价(元),成本,状态\n"
    "O-1,C-1,2026-03-01 10:00,INK-02,3,99.50,60,已付款\n"
    "O-1,,,PEN-01,2,\"1,234.50\",,\n"
    "O-2,C-2,2026-03-02 09:00,INK-02,1,12.00,,\n";

Test(import, customers_and_orders_in_utf8_with_chinese_headers)
{
    CTL_OK("import customers %s", s_file("customers.csv", s_customers));
    cr_assert(strstr(out, "imported 3 customers from"), "%s", out);
    CTL_OK("--json customer show C-1");
    cr_assert(strstr(out, "\"name\":\"陈静\"") && strstr(out, "13800138001") &&
              strstr(out, "\"first_contact\":\"2026-03-01T09:05:00+08:00\"") &&
              strstr(out, "\"member\":true"), "%s", out);
    CTL_OK("--json customer show C-2");
    cr_assert(strstr(out, "\"name\":\"王\\\"芳\\\"\""), "doubled quotes: %s", out);

    CTL_OK("import orders %s", s_file("orders.csv", s_orders));
    cr_assert(strstr(out, "imported 2 orders (3 lines) from"), "%s", out);
    CTL_OK("--json order show O-1");
    cr_assert(strstr(out, "\"amount_fen\":276750") && strstr(out, "\"status\":\"paid\"") &&
              strstr(out, "\"branch\":\"SH01\""), "3 x 99.50 + 2 x 1234.50, the customer's "
              "branch: %s", out);
    cr_assert_eq(s_count("\"product\""), 2, "two rows, one order: %s", out);
}

Test(import, gbk_files_import_like_utf8)
{
    const char *cust = s_gbk("customers-gbk.csv", s_customers + 3);   /* no BOM in GBK */
    CTL_OK("import customers %s", cust);
    cr_assert(strstr(out, "imported 3 customers"), "%s", out);
    CTL_OK("--json customer list");
    cr_assert(strstr(out, "陈静") && strstr(out, "李雷"), "decoded from GBK: %s", out);
    CTL_OK("import orders --encoding gbk %s", s_gbk("orders-gbk.csv", s_orders));
    cr_assert(strstr(out, "imported 2 orders (3 lines)"), "%s", out);
    CTL_OK("--json order show O-2");
    cr_assert(strstr(out, "\"amount_fen\":1200"), "%s", out);
}

static const char s_bad_orders[] =
    "订单编号,客户编号,下单时间,产品,数量,单价,成本\n"
    "O-1,C-1,2026-03-01 10:00,INK-02,3,99.50,60\n"
    "O-2,C-2,2026-03-02 09:00,INK-02,1,12.345,\n"
    "O-3,C-3,2026-03-02 09:00,INK-02,1,12.00,\n"
    "O-4,C-3,2026-13-02 09:00,INK-02,two,1,\n";

Test(import, a_bad_line_in_the_middle_writes_nothing_and_every_bad_line_is_named)
{
    CTL_OK("import customers %s", s_file("customers.csv", s_customers));
    const char *path = s_file("orders.csv", s_bad_orders);
    int rc = ctl(&srv, out, sizeof out, "import orders %s", path);
    cr_assert_eq(rc, 1, "exit %d: %s", rc, out);
    cr_assert(strstr(out, "orders.csv:3: unit_price: \"12.345\" is not an amount"), "%s", out);
    cr_assert(strstr(out, "orders.csv:5: placed:") && strstr(out, "orders.csv:5: qty:"),
              "all the bad lines, not just the first: %s", out);
    CTL_OK("--json order list");
    cr_assert_null(strstr(out, "O-1"), "nothing is written: %s", out);

    CTL_OK("import orders --skip-bad %s", path);
    cr_assert(strstr(out, "orders.csv:3: unit_price:"), "the bad line is reported: %s", out);
    cr_assert(strstr(out, "imported 2 orders (2 lines)") && strstr(out, "left out lines 3,5"),
              "%s", out);
    CTL_OK("--json order list");
    cr_assert(strstr(out, "\"O-1\"") && strstr(out, "\"O-3\""), "%s", out);
    cr_assert_null(strstr(out, "\"O-2\""), "the bad line is left out: %s", out);
}

Test(import, ledgerd_refusals_name_the_line_and_skip_bad_resends_the_rest)
{
    CTL_OK("import customers %s", s_file("customers.csv", s_customers));
    const char *path = s_file("orders.csv",
                              "order code,customer,placed,branch,product,qty,unit price,source\n"
                              "O-1,C-1,2026-03-01 10:00,SH01,INK-02,1,1.00,\n"
                              "O-1,,,,PEN-01,1,1.00,H-404\n"
                              "O-2,C-404,2026-03-01 10:00,SH01,INK-02,1,1.00,\n"
                              "O-3,C-2,2026-03-01 10:00,SH01,INK-02,1,1.00,\n");
    int rc = ctl(&srv, out, sizeof out, "import orders %s", path);
    cr_assert_eq(rc, 1, "exit %d: %s", rc, out);
    cr_assert(strstr(out, "orders.csv:3: source: no supply source with code H-404"),
              "records[0].order.lines[1].source is line 3: %s", out);
    CTL_OK("import orders --skip-bad %s", path);
    cr_assert(strstr(out, "orders.csv:3: source:") &&
              strstr(out, "orders.csv:4: customer: no customer with code C-404"), "%s", out);
    cr_assert(strstr(out, "imported 1 order (1 line)") && strstr(out, "left out lines 2-4"),
              "%s", out);
    CTL_OK("--json order list");
    cr_assert(strstr(out, "\"O-3\"") && !strstr(out, "\"O-1\""), "%s", out);
}

Test(import, running_the_same_import_again_writes_nothing_twice)
{
    /* No codes: ledgerd makes them, so a second write would show as C-00004. */
    const char *path = s_file("customers.csv", "name,branch\n陈静,SH01\n王芳,SH01\n李雷,SH02\n");
    CTL_OK("import customers %s", path);
    cr_assert(strstr(out, "imported 3 customers"), "%s", out);
    CTL_OK("--json import customers %s", path);
    cr_assert(strstr(out, "\"already_imported\":true") && strstr(out, "\"code\":\"C-00001\""),
              "the first result again: %s", out);
    CTL_OK("--json customer list");
    cr_assert(strstr(out, "C-00003"), "%s", out);
    cr_assert_null(strstr(out, "C-00004"), "imported twice: %s", out);
    CTL_OK("--idempotency-key again-1 import customers %s", path);
    CTL_OK("--json customer list");
    cr_assert(strstr(out, "C-00006"), "a new key imports again: %s", out);
}

Test(import, dry_run_checks_entries_offline_and_shows_the_columns)
{
    const char *path = s_file("entries.csv",
                              "凭证号,分公司,时间,类别,科目,金额,摘要\n"
                              "V-1,SH01,2026-03-01,费用,A-1,100.00,房租\n"
                              "V-1,SH01,2026-03-01,费用,A-2,-100.00,房租\n"
                              "V-2,SH01,2026-03-01,旅游,A-1,50,\n"
                              "V-2,SH01,2026-03-01,,A-2,-40,\n");
    server_stop(&srv);   /* a dry run needs no ledgerd */
    int rc = ctl(&srv, out, sizeof out, "import entries --dry-run %s", path);
    cr_assert_eq(rc, 1, "exit %d: %s", rc, out);
    cr_assert(strstr(out, "entries.csv:4: category: \"旅游\" is not one of"), "%s", out);
    cr_assert(strstr(out, "entries.csv:4-5: amount: the amounts of entry V-2 sum to 10.00"),
              "%s", out);
    cr_assert(strstr(out, "凭证号") && strstr(out, "code"), "the column table: %s", out);
    rc = ctl(&srv, out, sizeof out, "import entries --dry-run --skip-bad %s", path);
    cr_assert_eq(rc, 0, "exit %d: %s", rc, out);
    cr_assert(strstr(out, "would import 1 entry (2 postings)"), "%s", out);
}

Test(import, usage_errors_exit_2)
{
    int rc = ctl(&srv, out, sizeof out, "import widgets x.csv");
    cr_assert_eq(rc, 2, "exit %d: %s", rc, out);
    rc = ctl(&srv, out, sizeof out, "import customers /nonexistent/x.csv");
    cr_assert_eq(rc, 2, "exit %d: %s", rc, out);
    rc = ctl(&srv, out, sizeof out, "import customers --encoding latin1 x.csv");
    cr_assert_eq(rc, 2, "exit %d: %s", rc, out);
    rc = ctl(&srv, out, sizeof out, "import --help");
    cr_assert_eq(rc, 0);
    cr_assert(strstr(out, "单价") && strstr(out, "idempotency"), "%s", out);
}

Test(import, a_missing_required_column_is_named)
{
    int rc = ctl(&srv, out, sizeof out, "import customers %s",
                 s_file("c.csv", "客户名称,电话\n陈静,1\n"));
    cr_assert_eq(rc, 1, "exit %d: %s", rc, out);
    cr_assert(strstr(out, "c.csv:1: branch: no such column"), "%s", out);
}
