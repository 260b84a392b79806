/* seeds - writes the seed corpora into DIR (fuzz/corpus): a few headers,
 * one packed body of every request (built as the tests build them), the
 * policy files of POLICIES with JSON and broken ones beside them, and CSV as
 * ledgerctl import reads it, in UTF-8 and GBK.
 *   build-fuzz/fuzz/fuzz_seeds fuzz/corpus policies
 * A name says what the regression test (tests/unit/test_fuzz_regressions.c)
 * expects: "ok-" accepted, "bad-" refused with an error, "any-" only no
 * crash. fuzz_request's seeds are replayed in name order into one fresh
 * ledger (test clock), so a later one may lean on an earlier one's record. */
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "codec.h"
#include "frame.h"
#include "policy.h"
#include "requests.h"

static const char *s_dir;   /* DIR: the corpora's root */

/* s_write - DIR/harness/name holding a then b */
static void s_write(const char *harness, const char *name, const uint8_t *a, size_t alen,
                    const uint8_t *b, size_t blen)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", s_dir, harness);
    if (mkdir(path, 0755) < 0 && errno != EEXIST) {
        perror(path);
        exit(1);
    }
    snprintf(path, sizeof path, "%s/%s/%s", s_dir, harness, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(a, 1, alen, f) != alen || (blen && fwrite(b, 1, blen, f) != blen) ||
        fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

/* s_header - a valid header of type */
static void s_header(uint8_t out[FRAME_HEADER_SIZE], uint8_t type, uint64_t id)
{
    frame_encode(out, &(frame_header_t){ .version = FRAME_VERSION, .type = type,
                                         .request_id = id });
}

/* s_frames - fuzz_frame: headers as they come off the wire */
static void s_frames(void)
{
    uint8_t h[FRAME_HEADER_SIZE + 1];
    s_header(h, FRAME_HELLO, 1);
    s_write("fuzz_frame", "ok-hello", h, FRAME_HEADER_SIZE, NULL, 0);
    frame_encode(h, &(frame_header_t){ .version = FRAME_VERSION, .type = FRAME_ORDER_ADD,
                                       .flags = 0xABCD, .request_id = 0x0102030405060708ULL });
    s_write("fuzz_frame", "ok-order-add-flags", h, FRAME_HEADER_SIZE, NULL, 0);
    s_header(h, FRAME_ERROR, UINT64_MAX);
    s_write("fuzz_frame", "ok-error-reply", h, FRAME_HEADER_SIZE, NULL, 0);
    s_header(h, 0x77, 7);
    s_write("fuzz_frame", "ok-unknown-type", h, FRAME_HEADER_SIZE, NULL, 0);
    s_write("fuzz_frame", "bad-short", h, FRAME_HEADER_SIZE - 1, NULL, 0);
    h[FRAME_HEADER_SIZE] = 0;
    s_write("fuzz_frame", "bad-long", h, FRAME_HEADER_SIZE + 1, NULL, 0);
    s_write("fuzz_frame", "bad-empty", h, 0, NULL, 0);
    s_header(h, FRAME_HELLO, 1);
    h[1] = 'X';
    s_write("fuzz_frame", "bad-magic", h, FRAME_HEADER_SIZE, NULL, 0);
    s_header(h, FRAME_HELLO, 1);
    h[2] = FRAME_VERSION + 1;
    s_write("fuzz_frame", "bad-version", h, FRAME_HEADER_SIZE, NULL, 0);
}

/* s_request - one request as a codec seed (type byte + body) and a request
 * seed (header + body); name is "NN-what" */
static void s_request(const char *expect, const char *name, uint8_t type,
                      const ProtobufCMessage *m)
{
    static uint64_t id;
    char file[128];
    uint8_t *body, h[FRAME_HEADER_SIZE];
    size_t n = codec_pack(m, &body);
    snprintf(file, sizeof file, "ok-%s", name + 3);   /* valid bytes, whatever the ledger says */
    s_write("fuzz_codec", file, &type, 1, body, n);
    snprintf(file, sizeof file, "%s-%s", expect, name);
    s_header(h, type, ++id);
    s_write("fuzz_request", file, h, sizeof h, body, n);
    free(body);
}

/* s_meta - actor "fuzz", with idem as the key (NULL: none, for reads) */
static Ledger__Meta *s_meta(const char *idem)
{
    static Ledger__Meta metas[64];
    static int next;
    Ledger__Meta *m = &metas[next++ % 64];
    ledger__meta__init(m);
    m->actor = "fuzz";
    m->idempotency_key = idem ? (char *)idem : "";
    return m;
}

/* s_requests - fuzz_codec and fuzz_request: every request type, then refusals */
static void s_requests(void)
{
    Ledger__Hello hello = LEDGER__HELLO__INIT;
    hello.meta = s_meta(NULL);
    s_request("ok", "01-hello", FRAME_HELLO, &hello.base);

    Ledger__Staff st = LEDGER__STAFF__INIT;
    Ledger__StaffRole roles[] = { LEDGER__STAFF_ROLE__PRESALE };
    st.code = "S-1";
    st.name = "陈静";
    st.branch = "SH01";
    st.roles = roles;
    st.n_roles = 1;
    st.active = 1;
    Ledger__StaffAdd sa = LEDGER__STAFF_ADD__INIT;
    sa.meta = s_meta("k-02");
    sa.staff = &st;
    s_request("ok", "02-staff-add", FRAME_STAFF_ADD, &sa.base);
    st.team = "A";
    Ledger__StaffAmend sam = LEDGER__STAFF_AMEND__INIT;
    sam.meta = s_meta("k-03");
    sam.staff = &st;
    s_request("ok", "03-staff-amend", FRAME_STAFF_AMEND, &sam.base);

    Ledger__Contact contact = LEDGER__CONTACT__INIT;
    contact.phone = "13800138001";
    Ledger__Customer c = LEDGER__CUSTOMER__INIT;
    c.code = "C-1";
    c.name = "王芳";
    c.branch = "SH01";
    c.contact = &contact;
    Ledger__CustomerAdd ca = LEDGER__CUSTOMER_ADD__INIT;
    ca.meta = s_meta("k-04");
    ca.customer = &c;
    s_request("ok", "04-customer-add", FRAME_CUSTOMER_ADD, &ca.base);
    c.member = 1;
    Ledger__CustomerAmend cam = LEDGER__CUSTOMER_AMEND__INIT;
    cam.meta = s_meta("k-05");
    cam.customer = &c;
    s_request("ok", "05-customer-amend", FRAME_CUSTOMER_AMEND, &cam.base);

    Ledger__OrderLine line = LEDGER__ORDER_LINE__INIT, line2 = LEDGER__ORDER_LINE__INIT;
    Ledger__OrderLine *lines[] = { &line, &line2 };
    line.product = "INK-02";
    line.qty = 3;
    line.unit_price = 9950;
    line2.product = "PEN-01";
    line2.qty = 1;
    line2.unit_price = 123450;
    line2.cost = 60000;
    Ledger__Order o = LEDGER__ORDER__INIT;
    o.code = "O-1";
    o.customer_code = "C-1";
    o.branch = "SH01";
    o.placed_ms = 1772330400000;   /* 2026-03-01 10:00 +08:00 */
    o.lines = lines;
    o.n_lines = 2;
    Ledger__OrderAdd oa = LEDGER__ORDER_ADD__INIT;
    oa.meta = s_meta("k-06");
    oa.order = &o;
    s_request("ok", "06-order-add", FRAME_ORDER_ADD, &oa.base);
    o.n_lines = 1;
    Ledger__OrderAmend oam = LEDGER__ORDER_AMEND__INIT;
    oam.meta = s_meta("k-07");
    oam.order = &o;
    s_request("ok", "07-order-amend", FRAME_ORDER_AMEND, &oam.base);
    Ledger__Order o2 = o, o3 = o;
    o2.code = "O-2";
    o3.code = "O-3";
    Ledger__Order *orders[] = { &o2, &o3 };
    Ledger__OrderBatch ob = LEDGER__ORDER_BATCH__INIT;
    ob.meta = s_meta("k-08");
    ob.orders = orders;
    ob.n_orders = 2;
    s_request("ok", "08-order-batch", FRAME_ORDER_BATCH, &ob.base);

    Ledger__Get get = LEDGER__GET__INIT;
    get.meta = s_meta(NULL);
    get.kind = LEDGER__ENTITY_KIND__ENTITY_CUSTOMER;
    get.code = "C-1";
    s_request("ok", "09-get", FRAME_GET, &get.base);
    Ledger__List list = LEDGER__LIST__INIT;
    list.meta = s_meta(NULL);
    list.kind = LEDGER__ENTITY_KIND__ENTITY_ORDER;
    list.customer_code = "C-1";
    list.limit = 2;
    s_request("ok", "10-list", FRAME_LIST, &list.base);
    char *kinds[] = { "order", "customer.created" };
    Ledger__Replay rp = LEDGER__REPLAY__INIT;
    rp.meta = s_meta(NULL);
    rp.kinds = kinds;
    rp.n_kinds = 2;
    rp.partition_count = 2;
    rp.max_events = 10;
    s_request("ok", "11-replay", FRAME_REPLAY, &rp.base);

    Ledger__Result res = LEDGER__RESULT__INIT;
    Ledger__Result *results[] = { &res };
    res.kind = "attribution.resolved";
    res.key = "O-1@1";
    res.entity_id = 1;
    res.partition_key = 1;
    res.payload.data = (uint8_t *)"payload";
    res.payload.len = 7;
    Ledger__StateRecord sr = LEDGER__STATE_RECORD__INIT;
    Ledger__StateRecord *states[] = { &sr };
    sr.key = "customer:1";
    sr.value = res.payload;
    Ledger__WriteBack wb = LEDGER__WRITE_BACK__INIT;
    wb.meta = s_meta("k-12");
    wb.cursor = "attribution:0/1";
    wb.new_cursor = 2;
    wb.results = results;
    wb.n_results = 1;
    wb.state_owner = "attribution:0/1";
    wb.states = states;
    wb.n_states = 1;
    s_request("ok", "12-write-back", FRAME_WRITE_BACK, &wb.base);
    Ledger__CursorGet cg = LEDGER__CURSOR_GET__INIT;
    cg.meta = s_meta(NULL);
    cg.name = "attribution:0/1";
    s_request("ok", "13-cursor-get", FRAME_CURSOR_GET, &cg.base);
    char *keys[] = { "customer:1", "customer:2" };
    Ledger__StateGet sg = LEDGER__STATE_GET__INIT;
    sg.meta = s_meta(NULL);
    sg.owner = "attribution:0/1";
    sg.keys = keys;
    sg.n_keys = 2;
    s_request("ok", "14-state-get", FRAME_STATE_GET, &sg.base);
    Ledger__ResultGet rg = LEDGER__RESULT_GET__INIT;
    rg.meta = s_meta(NULL);
    rg.kind = "attribution.resolved";
    rg.key = "O-1@1";
    s_request("ok", "15-result-get", FRAME_RESULT_GET, &rg.base);
    Ledger__ResultList rl = LEDGER__RESULT_LIST__INIT;
    rl.meta = s_meta(NULL);
    rl.kind = "attribution.resolved";
    rl.key_prefix = "O-";
    rl.limit = 10;
    s_request("ok", "16-result-list", FRAME_RESULT_LIST, &rl.base);

    Ledger__ClockSet cs = LEDGER__CLOCK_SET__INIT;
    cs.meta = s_meta("k-17");
    cs.time_ms = 1775059200000;   /* 2026-04-02 00:00 +08:00 */
    s_request("ok", "17-clock-set", FRAME_CLOCK_SET, &cs.base);
    static const char text[] = "seller_rate: 1800\nrole_rates:\n  channel: 300\n";
    Ledger__Policy *p = NULL;
    err_t err;
    if (policy_read(&p, text, sizeof text - 1, "yaml", NULL, &err) < 0) {
        fprintf(stderr, "seeds: policy: %s\n", err.msg);
        exit(1);
    }
    Ledger__PolicySet ps = LEDGER__POLICY_SET__INIT;
    ps.meta = s_meta("k-18");
    ps.month = "2026-03";
    ps.policy = p;
    ps.format = "yaml";
    ps.text = (char *)text;
    s_request("ok", "18-policy-set", FRAME_POLICY_SET, &ps.base);
    ledger__policy__free_unpacked(p, NULL);
    Ledger__PolicyGet pg = LEDGER__POLICY_GET__INIT;
    pg.meta = s_meta(NULL);
    pg.month = "2026-03";
    s_request("ok", "19-policy-get", FRAME_POLICY_GET, &pg.base);

    Ledger__Product prod = LEDGER__PRODUCT__INIT;
    prod.code = "INK-02";
    prod.name = "墨水";
    prod.purchase_price = 5000;
    prod.list_price = 9950;
    prod.active = 1;
    Ledger__Record rec = LEDGER__RECORD__INIT;
    rec.kind_case = LEDGER__RECORD__KIND_PRODUCT;
    rec.product = &prod;
    Ledger__RecordAdd ra = LEDGER__RECORD_ADD__INIT;
    ra.meta = s_meta("k-20");
    ra.record = &rec;
    s_request("ok", "20-record-add", FRAME_RECORD_ADD, &ra.base);
    prod.market_price = 12000;
    Ledger__RecordAmend ram = LEDGER__RECORD_AMEND__INIT;
    ram.meta = s_meta("k-21");
    ram.record = &rec;
    s_request("ok", "21-record-amend", FRAME_RECORD_AMEND, &ram.base);
    Ledger__Payment pay = LEDGER__PAYMENT__INIT;
    pay.code = "PAY-1";
    pay.order_code = "O-1";
    pay.amount = 29850;
    pay.paid_ms = 1772334000000;
    pay.method = "wechat";
    Ledger__Record rec2 = LEDGER__RECORD__INIT;
    rec2.kind_case = LEDGER__RECORD__KIND_PAYMENT;
    rec2.payment = &pay;
    Ledger__Record *recs[] = { &rec2 };
    Ledger__RecordBatch rb = LEDGER__RECORD_BATCH__INIT;
    rb.meta = s_meta("k-22");
    rb.records = recs;
    rb.n_records = 1;
    s_request("ok", "22-record-batch", FRAME_RECORD_BATCH, &rb.base);

    Ledger__MonthClose mc = LEDGER__MONTH_CLOSE__INIT;
    mc.meta = s_meta("k-23");
    mc.month = "2026-03";
    s_request("ok", "23-month-close", FRAME_MONTH_CLOSE, &mc.base);
    Ledger__FindingStatusChange ch = LEDGER__FINDING_STATUS_CHANGE__INIT;
    ch.finding = "F-1";
    ch.status = LEDGER__FINDING_STATUS__FINDING_ACKNOWLEDGED;
    Ledger__FindingStatusSet fs = LEDGER__FINDING_STATUS_SET__INIT;
    fs.meta = s_meta("k-24");
    fs.change = &ch;
    s_request("bad", "24-finding-status", FRAME_FINDING_STATUS, &fs.base);   /* no such finding */

    /* Client keys: in-process callers are admin. The key is the CURVE
     * example public key (Z85); what a key may be is still settling, so
     * add and revoke promise nothing ("any-"). */
    Ledger__Key key = LEDGER__KEY__INIT;
    key.public_key = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";
    key.role = "finance";
    key.name = "陈静";
    Ledger__KeyAdd ka = LEDGER__KEY_ADD__INIT;
    ka.meta = s_meta("k-40");
    ka.key = &key;
    s_request("any", "40-key-add", FRAME_KEY_ADD, &ka.base);
    Ledger__KeyList kl = LEDGER__KEY_LIST__INIT;
    kl.meta = s_meta(NULL);
    s_request("ok", "41-key-list", FRAME_KEY_LIST, &kl.base);
    Ledger__KeyRevoke kr = LEDGER__KEY_REVOKE__INIT;
    kr.meta = s_meta("k-42");
    kr.public_key = key.public_key;
    s_request("any", "42-key-revoke", FRAME_KEY_REVOKE, &kr.base);

    /* Refusals a client can send, each at a different stage. */
    Ledger__StaffAdd nokey = LEDGER__STAFF_ADD__INIT;
    nokey.meta = s_meta(NULL);
    nokey.staff = &st;
    s_request("bad", "25-write-without-key", FRAME_STAFF_ADD, &nokey.base);
    o.customer_code = "C-404";
    oa.meta = s_meta("k-26");
    s_request("bad", "26-unknown-customer", FRAME_ORDER_ADD, &oa.base);
    Ledger__Backup bk = LEDGER__BACKUP__INIT;
    bk.meta = s_meta(NULL);
    bk.path = "relative/dir";
    s_request("bad", "27-backup-relative", FRAME_BACKUP, &bk.base);

    /* Bytes codec_check refuses: truncated, a bad enum, bad text. */
    static const uint8_t truncated[] = { FRAME_STAFF_ADD, 0x0A, 0x05, 0x0A, 0x01 };
    static const uint8_t bad_enum[] = { FRAME_GET, 0x10, 0x63 };
    static const uint8_t bad_utf8[] = { FRAME_CURSOR_GET, 0x12, 0x02, 0xC0, 0xAF };
    static const uint8_t nul_text[] = { FRAME_CURSOR_GET, 0x12, 0x02, 'a', 0x00 };
    static const uint8_t wire3[] = { FRAME_HELLO, 0x0B };
    static const struct { const char *name; const uint8_t *b; size_t n; } bad[] = {
        { "bad-truncated", truncated, sizeof truncated },
        { "bad-enum", bad_enum, sizeof bad_enum },
        { "bad-utf8", bad_utf8, sizeof bad_utf8 },
        { "bad-nul-in-text", nul_text, sizeof nul_text },
        { "bad-group-wire-type", wire3, sizeof wire3 },
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        uint8_t h[FRAME_HEADER_SIZE];
        char file[64];
        s_write("fuzz_codec", bad[i].name, bad[i].b, bad[i].n, NULL, 0);
        s_header(h, bad[i].b[0], 100 + i);
        snprintf(file, sizeof file, "bad-3%zu-%s", i, bad[i].name + 4);
        s_write("fuzz_request", file, h, sizeof h, bad[i].b + 1, bad[i].n - 1);
    }
}

/* s_text - a seed of text */
static void s_text(const char *harness, const char *name, const char *text)
{
    s_write(harness, name, (const uint8_t *)text, strlen(text), NULL, 0);
}

/* s_policies - fuzz_policy: "ok-*.yaml" is read as YAML, "ok-*.json" as
 * JSON; "bad-*" is refused as either */
static void s_policies(const char *from)
{
    static const char *const files[] = { "default.yaml", "demo.yaml" };
    char path[1024], name[64], buf[64 * 1024];
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        snprintf(path, sizeof path, "%s/%s", from, files[i]);
        FILE *f = fopen(path, "rb");
        size_t n = f ? fread(buf, 1, sizeof buf, f) : 0;
        if (!f || ferror(f) || n == sizeof buf) {
            perror(path);
            exit(1);
        }
        fclose(f);
        snprintf(name, sizeof name, "ok-%s", files[i]);
        s_write("fuzz_policy", name, (const uint8_t *)buf, n, NULL, 0);
    }
    Ledger__Policy *p = policy_default();
    char *json = policy_format_json(p);
    s_text("fuzz_policy", "ok-default.json", json);
    free(json);
    ledger__policy__free_unpacked(p, NULL);
    s_text("fuzz_policy", "ok-small.json",
           "{\"seller_rate\": 1800, \"role_rates\": {\"channel\": 300},\n"
           " \"fines\": {}, \"pool_marginal\": true}\n");
    s_text("fuzz_policy", "ok-empty.yaml", "");
    s_text("fuzz_policy", "ok-brackets.yaml",
           "rebate_brackets:\n  - { from: 0, rebate: 0 }\n  - { from: 1_000_000, rebate: 500 }\n"
           "monthly_caps: {}\n");
    s_text("fuzz_policy", "bad-unknown-key", "role_rates:\n  chanel: 1\n");
    s_text("fuzz_policy", "bad-wrong-type", "seller_rate: \"lots\"\n");
    s_text("fuzz_policy", "bad-out-of-range", "seller_rate: 10001\n");
    s_text("fuzz_policy", "bad-decimal", "seller_rate: 12.5\n");
    s_text("fuzz_policy", "bad-syntax", "seller_rate: [\n");
    s_text("fuzz_policy", "bad-alias", "a: &x 1\nseller_rate: *x\n");
    s_text("fuzz_policy", "bad-two-documents", "seller_rate: 1\n---\nseller_rate: 2\n");
    s_text("fuzz_policy", "bad-too-big", "seller_rate: 99999999999999999999999\n");
}

/* s_gbk - text (UTF-8) as GBK bytes */
static size_t s_gbk(char *out, size_t cap, const char *text)
{
    iconv_t cd = iconv_open("GBK", "UTF-8");
    char *in = (char *)text, *o = out;
    size_t in_left = strlen(text), out_left = cap;
    if (cd == (iconv_t)-1 || iconv(cd, &in, &in_left, &o, &out_left) == (size_t)-1) {
        perror("seeds: iconv to GBK");
        exit(1);
    }
    iconv_close(cd);
    return cap - out_left;
}

/* s_csvs - fuzz_csv: "ok-*" decodes (auto) and every record reads; "bad-*"
 * fails to decode or has a record with broken quoting */
static void s_csvs(void)
{
    static const char customers[] =
        "\xEF\xBB\xBF客户编号,客户名称,分公司,电话,微信,首次接触,会员,备注\r\n"
        "C-1,陈静,SH01,13800138001,chenjing,2026/3/1 9:05,是,\"老客户, 介绍\"\r\n"
        "C-2,\"王\"\"芳\"\"\",SH01,,,,否,\r\n"
        "C-3,李雷,SH02,,,2026-03-02,,\"两行\r\n备注\"\r\n";
    static const char orders[] =
        "订单编号,客户编号,下单时间,产品,数量,单价(元),成本,状态\n"
        "O-1,C-1,2026-03-01 10:00,INK-02,3,99.50,60,已付款\n"
        "O-1,,,PEN-01,2,\"1,234.50\",,\n"
        "O-2,C-2,2026-03-02 09:00,INK-02,1,12.00,,\n";
    static const char entries[] =
        "凭证号,分公司,时间,类别,科目,金额,摘要\n"
        "V-1,SH01,2026-03-01,费用,A-1,100.00,房租\n"
        "V-1,SH01,2026-03-01,费用,A-2,-100.00,房租\n"
        "V-2,SH01,2026-03-01,旅游,A-1,50,\n";
    char gbk[4096];
    s_text("fuzz_csv", "ok-customers-bom-crlf.csv", customers);
    s_text("fuzz_csv", "ok-orders.csv", orders);
    s_write("fuzz_csv", "ok-orders-gbk.csv", (const uint8_t *)gbk,
            s_gbk(gbk, sizeof gbk, orders), NULL, 0);
    s_write("fuzz_csv", "ok-entries-gbk.csv", (const uint8_t *)gbk,
            s_gbk(gbk, sizeof gbk, entries), NULL, 0);
    s_text("fuzz_csv", "ok-english.csv",
           "order code,customer,placed,branch,product,qty,unit price,source\n"
           "O-1,C-1,2026-03-01 10:00,SH01,INK-02,1,1.00,\n"
           "O-1,,,,PEN-01,1,1.00,H-404\n\n5\" pipe,\"\",x\r");
    s_text("fuzz_csv", "bad-unclosed-quote.csv", "a\n\"open,\nstill\n");
    s_text("fuzz_csv", "bad-text-after-quote.csv", "a,\"b\"c,d\n");
    s_write("fuzz_csv", "bad-utf16.csv", (const uint8_t *)"\xFF\xFE" "a\0,\0", 6, NULL, 0);
    s_write("fuzz_csv", "bad-nul.csv", (const uint8_t *)"a,b\n\0c\n", 7, NULL, 0);
}

/* main - every corpus (files are overwritten, never removed: empty DIR first) */
int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: fuzz_seeds DIR POLICIES (fuzz/corpus policies)\n");
        return 2;
    }
    s_dir = argv[1];
    s_frames();
    s_requests();
    s_policies(argv[2]);
    s_csvs();
    return 0;
}
