/* gen - builds the demo data set: a year (2025-09-01 to 2026-08-31, across
 * the Oct 31/Nov 1 and Dec 31/Jan 1 window boundaries) of three branches.
 * Everything comes from one splitmix64 stream seeded by --seed, drawn in a
 * fixed order, so a seed and scale always give the same records, and so the
 * same request bytes (main.c relies on that for idempotency). The data holds
 * the cases the workers must find: conflicting claims, win-backs, shipped
 * but unpaid orders, late responses, missing callbacks and plans, a
 * promotional text repeated in full- and half-width forms. Records and
 * strings live in an arena freed at once by demo_free. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "date.h"
#include "demo.h"
#include "xmalloc.h"

#define HOUR_MS  (3600LL * 1000)
#define DAY_MS   (24 * HOUR_MS)
#define DAYS     365               /* 2025-09-01 .. 2026-08-31 */
#define BRANCHES 3
#define BLOCK    (1 << 20)

struct demo_block {
    demo_block_t *next;   /* older block */
    size_t used, size;    /* bytes handed out, bytes in data */
    char data[];
};

/* Buckets: the load order. A record names only records of earlier buckets
 * or earlier in its own. */
enum { B_SETUP, B_ORDER, B_PAYMENT, B_SHIPMENT, B_REFUND, B_ENTRY, B_SERVICE, B_POST, B_WORK,
       B_COUNT };

typedef struct {
    char *code, *name;    /* staff code, 姓名 */
    int branch;           /* index into s_branches */
    int primary;          /* first role */
    int64_t left_ms;      /* 0, or when the person left (inactive) */
} staff_t;

typedef struct {
    char *code, *name;
    int branch;
    int64_t first_ms;     /* first contact; 0 unknown */
    int member;
    int partner;          /* 0, 'R' referrer, 'D' distributor */
    int ch_type;          /* ChannelType claimed */
    int ch_kind; const char *ch_code;   /* channel party */
    int sv_kind; const char *sv_code;   /* service party */
    int as_type; const char *as_code;   /* window assist (A, B or C), or 0 */
    int sol_product; char *sol_id; const char *sol_staff;   /* a D assist's solution */
    int unknown_first;    /* first order claims nothing: UNKNOWN */
    int n_orders;         /* orders placed so far (in time order) */
    int64_t last_ms;      /* the previous order's placed time */
} cust_t;

typedef struct {
    int cust;
    int64_t placed;
    int winback;          /* 1: placed after a > 3 month gap across the window's end */
} plan_t;

typedef struct {
    const char *code, *name;
    int64_t purchase, market, channel, list;   /* fen */
    int service;          /* work, not goods: qty 1, shipped as a visit */
    int source;           /* SourceKind of its main source; 0 none */
} product_t;

/* The products: prices in fen, purchase < channel <= list <= market. */
static const product_t s_products[] = {
    { "PRN-01", "激光打印机", 120000, 219900, 159900, 189900, 0, 2 },
    { "INK-02", "硒鼓墨盒", 4500, 12900, 7900, 9950, 0, 0 },
    { "PHONE-01", "智能手机 A1", 150000, 229900, 189900, 209900, 0, 2 },
    { "PHONE-02", "智能手机 A1 Pro", 230000, 359900, 289900, 329900, 0, 2 },
    { "LAPTOP-01", "商务笔记本电脑", 380000, 599900, 469900, 549900, 0, 2 },
    { "MON-01", "27英寸显示器", 85000, 159900, 109900, 129900, 0, 2 },
    { "ROUTER-01", "千兆路由器", 18000, 39900, 25900, 32900, 0, 2 },
    { "NAS-01", "家用网络存储", 120000, 229900, 159900, 199900, 0, 2 },
    { "CAM-01", "监控摄像头", 15000, 39900, 22900, 29900, 0, 2 },
    { "PROJ-01", "投影仪", 180000, 329900, 239900, 289900, 0, 2 },
    { "KB-01", "键鼠套装", 6000, 19900, 9900, 14900, 0, 0 },
    { "UPS-01", "不间断电源", 40000, 89900, 55900, 69900, 0, 2 },
    { "NET-WIRING", "网络布线服务", 20000, 60000, 35000, 45000, 1, 1 },
    { "SW-INSTALL", "软件安装调试", 5000, 50000, 20000, 30000, 1, 1 },
    { "PC-REPAIR", "电脑维修", 8000, 40000, 15000, 25000, 1, 1 },
    { "DATA-RECOVERY", "数据恢复", 30000, 150000, 60000, 98000, 1, 4 },
    { "ACCESS-01", "门禁系统", 250000, 499900, 329900, 429900, 0, 3 },
    { "WATER-01", "净水器", 90000, 299900, 149900, 219900, 0, 3 },
    { "CARE-YEAR", "年度运维服务", 100000, 600000, 300000, 480000, 1, 1 },
    { "APP-CUSTOM", "小程序定制开发", 500000, 2000000, 800000, 1500000, 1, 4 },
};
#define PRODUCTS ((int)(sizeof s_products / sizeof s_products[0]))
#define P_PHONE1 2
#define P_PHONE2 3

static const char *const s_branches[BRANCHES] = { "SH01", "BJ01", "GZ01" };
static const char *const s_cities[BRANCHES] = { "上海", "北京", "广州" };

/* Per-branch staff slots (scale 1); more pre- and after-sale agents per scale. */
enum { T_RESP, T_SUP, T_CHK, T_LEAD, T_PRE1, T_PRE2, T_AFT1, T_AFT2, T_FIN, T_MEDIA, T_SLOTS };

typedef struct {
    uint64_t rng;                          /* splitmix64 state */
    int scale;
    demo_t *d;
    Ledger__Record **bucket[B_COUNT];      /* records of each bucket, in order */
    size_t n_bucket[B_COUNT], cap_bucket[B_COUNT];
    staff_t *staff; int n_staff;
    int n_branch_staff[BRANCHES];          /* staff codes are numbered per branch */
    int slot[BRANCHES][T_SLOTS];           /* staff index of each slot */
    int *presale[BRANCHES]; int n_presale[BRANCHES];
    int *aftersale[BRANCHES]; int n_aftersale[BRANCHES];
    cust_t *cust; int n_cust;
    int *referrers[BRANCHES]; int n_referrers[BRANCHES];   /* customer indexes */
    int verified[PRODUCTS];                /* index of a verified source's code, or -1 */
    char *source_code[PRODUCTS];
    int64_t source_cost[PRODUCTS];
    char *acct_wx[BRANCHES][4];            /* quarterly rotated WeChat receiving accounts */
    char *acct_ali[BRANCHES], *acct_bank[BRANCHES], *acct_cash[BRANCHES], *acct_pay[BRANCHES];
    char *acct_rev[BRANCHES], *acct_rfd[BRANCHES], *acct_exp[BRANCHES], *acct_sal[BRANCHES];
    int n_pay, n_ship, n_refund, n_entry, n_service, n_post, n_work;
    int samples_taken;                     /* bit per sample kind */
    date_t d0;                             /* 2025-09-01 */
    int64_t end_ms;                        /* 2026-09-01 00:00: nothing happens from here */
} gen_t;

/* --- arena, random numbers, small builders --- */

static void *s_alloc(gen_t *g, size_t n)
{
    demo_t *d = g->d;
    n = (n + 15) & ~(size_t)15;
    if (!d->blocks || d->blocks->used + n > d->blocks->size) {
        size_t size = n > BLOCK ? n : BLOCK;
        demo_block_t *b = xcalloc(1, sizeof *b + size);
        b->size = size;
        b->next = d->blocks;
        d->blocks = b;
    }
    void *p = d->blocks->data + d->blocks->used;
    d->blocks->used += n;
    return p;
}

static char *s_str(gen_t *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *s_str(gen_t *g, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n >= (int)sizeof buf)
        n = sizeof buf - 1;
    char *s = s_alloc(g, (size_t)n + 1);
    memcpy(s, buf, (size_t)n);
    return s;
}

static uint64_t s_next(gen_t *g)
{
    uint64_t z = (g->rng += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* s_rand - uniform enough in [0, n) */
static int s_rand(gen_t *g, int n)
{
    return n <= 1 ? 0 : (int)(s_next(g) % (uint64_t)n);
}

static int s_pct(gen_t *g, int pct) { return s_rand(g, 1000) < pct * 10; }

static void s_push(gen_t *g, int bucket, int kind_case, void *msg)
{
    Ledger__Record *r = s_alloc(g, sizeof *r);
    ledger__record__init(r);
    r->kind_case = (Ledger__Record__KindCase)kind_case;
    r->staff = msg;   /* a union: one pointer for every kind */
    if (g->n_bucket[bucket] == g->cap_bucket[bucket]) {
        g->cap_bucket[bucket] = g->cap_bucket[bucket] ? 2 * g->cap_bucket[bucket] : 1024;
        g->bucket[bucket] = xrealloc(g->bucket[bucket],
                                     g->cap_bucket[bucket] * sizeof *g->bucket[bucket]);
    }
    g->bucket[bucket][g->n_bucket[bucket]++] = r;
    g->d->counts[kind_case]++;
}

static void s_sample(gen_t *g, int which, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void s_sample(gen_t *g, int which, const char *fmt, ...)
{
    demo_t *d = g->d;
    if ((g->samples_taken & (1 << which)) || d->n_samples == DEMO_SAMPLES)
        return;
    g->samples_taken |= 1 << which;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->samples[d->n_samples++], sizeof d->samples[0], fmt, ap);
    va_end(ap);
}

static Ledger__PartyRef *s_party(gen_t *g, int kind, const char *code)
{
    Ledger__PartyRef *p = s_alloc(g, sizeof *p);
    ledger__party_ref__init(p);
    p->kind = (Ledger__PartyKind)kind;
    p->code = (char *)code;
    return p;
}

static Ledger__Approval *s_approval(gen_t *g, const char *staff, int64_t ms, int approved)
{
    Ledger__Approval *a = s_alloc(g, sizeof *a);
    ledger__approval__init(a);
    a->staff_code = (char *)staff;
    a->time_ms = ms;
    a->approved = approved;
    return a;
}

/* s_at - local time on day i of the year (0 = 2025-09-01) */
static int64_t s_at(gen_t *g, int day, int hour, int minute)
{
    return date_start_ms(date_add_days(g->d0, day)) + (hour * 60LL + minute) * 60000;
}

/* s_daytime - a time on the same local day as ms, in opening hours 9:00-21:59 */
static int64_t s_daytime(gen_t *g, int64_t ms)
{
    return date_start_ms(date_of(ms)) + (9 + s_rand(g, 13)) * HOUR_MS + s_rand(g, 60) * 60000LL;
}

static void s_when(char *out, size_t n, int64_t ms)
{
    char t[24];
    date_format_time(t, sizeof t, ms);
    snprintf(out, n, "%.16s", t);   /* to the minute */
}

static const char *s_staff_code(gen_t *g, int i) { return g->staff[i].code; }

/* s_pick - a random staff index from list, skipping who had left by ms */
static int s_pick(gen_t *g, const int *list, int n, int64_t ms)
{
    for (int tries = 0; tries < 8; tries++) {
        int i = list[s_rand(g, n)];
        if (!g->staff[i].left_ms || ms < g->staff[i].left_ms)
            return i;
    }
    return list[0];   /* the first of each list never leaves */
}

/* --- the parties --- */

static void s_add_staff(gen_t *g, int branch, int slot, const char *team, int r1, int r2)
{
    int i = g->n_staff++;
    staff_t *s = &g->staff[i];
    char name[32];
    names_person(name, sizeof name, s_next(g));
    s->code = s_str(g, "%s-S%02d", s_branches[branch], ++g->n_branch_staff[branch]);
    s->name = s_str(g, "%s", name);
    s->branch = branch;
    s->primary = r1;
    if (slot >= 0)
        g->slot[branch][slot] = i;
    if (r1 == LEDGER__STAFF_ROLE__PRESALE || r2 == LEDGER__STAFF_ROLE__PRESALE)
        g->presale[branch][g->n_presale[branch]++] = i;
    if (r1 == LEDGER__STAFF_ROLE__AFTERSALE)
        g->aftersale[branch][g->n_aftersale[branch]++] = i;

    Ledger__Staff *m = s_alloc(g, sizeof *m);
    ledger__staff__init(m);
    m->code = s->code;
    m->name = s->name;
    m->branch = (char *)s_branches[branch];
    m->team = (char *)team;
    m->n_roles = r2 ? 2 : 1;
    m->roles = s_alloc(g, 2 * sizeof *m->roles);
    m->roles[0] = (Ledger__StaffRole)r1;
    m->roles[1] = (Ledger__StaffRole)r2;
    m->active = 1;
    s_push(g, B_SETUP, LEDGER__RECORD__KIND_STAFF, m);
}

static void s_gen_staff(gen_t *g)
{
    int per = T_SLOTS + 3 * (g->scale - 1);
    g->staff = s_alloc(g, (size_t)(BRANCHES * per) * sizeof *g->staff);
    for (int b = 0; b < BRANCHES; b++) {
        g->presale[b] = s_alloc(g, (size_t)per * sizeof(int));
        g->aftersale[b] = s_alloc(g, (size_t)per * sizeof(int));
        s_add_staff(g, b, T_RESP, "管理", LEDGER__STAFF_ROLE__RESPONSIBLE, 0);
        s_add_staff(g, b, T_SUP, "管理", LEDGER__STAFF_ROLE__SUPERVISOR, 0);
        s_add_staff(g, b, T_CHK, "管理", LEDGER__STAFF_ROLE__CHECKER, 0);
        s_add_staff(g, b, T_LEAD, "售前组", LEDGER__STAFF_ROLE__GROUP_LEADER,
                    LEDGER__STAFF_ROLE__PRESALE);
        s_add_staff(g, b, T_PRE1, "售前组", LEDGER__STAFF_ROLE__PRESALE, 0);
        s_add_staff(g, b, T_PRE2, "售前组", LEDGER__STAFF_ROLE__PRESALE, 0);
        s_add_staff(g, b, T_AFT1, "售后组", LEDGER__STAFF_ROLE__AFTERSALE,
                    LEDGER__STAFF_ROLE__GROUP_LEADER);
        s_add_staff(g, b, T_AFT2, "售后组", LEDGER__STAFF_ROLE__AFTERSALE, 0);
        s_add_staff(g, b, T_FIN, "财务组", LEDGER__STAFF_ROLE__FINANCE, 0);
        if (b == 0)
            s_add_staff(g, b, T_MEDIA, "新媒体组", LEDGER__STAFF_ROLE__PLANNER, 0);
        else if (b == 1)
            s_add_staff(g, b, T_MEDIA, "新媒体组", LEDGER__STAFF_ROLE__EDITOR, 0);
        else
            s_add_staff(g, b, T_MEDIA, "新媒体组", LEDGER__STAFF_ROLE__EDITOR,
                        LEDGER__STAFF_ROLE__PLANNER);
        for (int k = 1; k < g->scale; k++) {
            s_add_staff(g, b, -1, "售前组", LEDGER__STAFF_ROLE__PRESALE, 0);
            s_add_staff(g, b, -1, "售前组", LEDGER__STAFF_ROLE__PRESALE, 0);
            s_add_staff(g, b, -1, "售后组", LEDGER__STAFF_ROLE__AFTERSALE, 0);
        }
    }
    /* BJ01's second pre-sale agent leaves on 2026-03-01: inactive, no new customers after. */
    int gone = g->slot[1][T_PRE2];
    g->staff[gone].left_ms = s_at(g, 181, 0, 0);
    ((Ledger__Staff *)g->bucket[B_SETUP][gone]->staff)->active = 0;
    staff_t *s = &g->staff[g->slot[0][T_LEAD]];
    s_sample(g, 0, "staff     %s %s %s 售前组 组长,售前", s->code, s->name, s_branches[0]);
}

/* s_gen_customers - customers with contacts; the first ones per branch
 * are old customers (first contact before the year) who become referrers
 * and distributors */
static void s_gen_customers(gen_t *g)
{
    int n = 600 * g->scale, per_branch[BRANCHES] = { 0 };
    g->cust = s_alloc(g, (size_t)n * sizeof *g->cust);
    g->n_cust = n;
    uint64_t phone0 = s_next(g) % 100000000;
    for (int b = 0; b < BRANCHES; b++)
        g->referrers[b] = s_alloc(g, (size_t)n * sizeof(int));
    for (int i = 0; i < n; i++) {
        cust_t *c = &g->cust[i];
        int r = s_rand(g, 100);
        c->branch = i < 3 * 8 * g->scale ? i % BRANCHES : r < 45 ? 0 : r < 75 ? 1 : 2;
        char name[32];
        names_person(name, sizeof name, s_next(g));
        c->name = s_str(g, "%s", name);
        c->code = s_str(g, "%s-C%04d", s_branches[c->branch], ++per_branch[c->branch]);
        int old = i < 3 * 8 * g->scale;   /* 5 referrers and 2-3 distributors per branch */
        int day = old ? -200 + s_rand(g, 170) : -60 + s_rand(g, 410);
        c->first_ms = s_pct(g, 2) && !old ? 0 : s_at(g, day, 9 + s_rand(g, 12), s_rand(g, 60));
        c->member = old || s_pct(g, 15);
        if (old)
            c->partner = (i / BRANCHES) % 8 < 5 ? 'R' : 'D';

        Ledger__Customer *m = s_alloc(g, sizeof *m);
        ledger__customer__init(m);
        m->code = c->code;
        m->name = c->name;
        m->branch = (char *)s_branches[c->branch];
        m->contact = s_alloc(g, sizeof *m->contact);
        ledger__contact__init(m->contact);
        if (!s_pct(g, 8))
            m->contact->phone = s_str(g, "138%08llu",
                                      (unsigned long long)((phone0 + (uint64_t)i * 7919) % 100000000));
        if (s_pct(g, 70)) {
            static const char al[] = "abcdefghijkmnpqrstuvwxyz23456789";
            char id[11];
            for (int k = 0; k < 10; k++)
                id[k] = al[s_rand(g, 32)];
            id[10] = 0;
            m->contact->wechat = s_str(g, "wxid_%s", id);
        }
        if (s_pct(g, 10))
            m->contact->qq = s_str(g, "%d", 10000 + s_rand(g, 900000000));
        if (c->first_ms) {
            m->_first_contact_ms_case = LEDGER__CUSTOMER___FIRST_CONTACT_MS_FIRST_CONTACT_MS;
            m->first_contact_ms = c->first_ms;
        }
        m->member = c->member;
        s_push(g, B_SETUP, LEDGER__RECORD__KIND_CUSTOMER, m);
    }
}

static Ledger__Partner *s_partner(gen_t *g, const char *code, const char *name, int kind,
                                  int branch)
{
    Ledger__Partner *p = s_alloc(g, sizeof *p);
    ledger__partner__init(p);
    p->code = (char *)code;
    p->name = (char *)name;
    p->kind = (Ledger__PartnerKind)kind;
    p->branch = (char *)s_branches[branch];
    p->active = 1;
    s_push(g, B_SETUP, LEDGER__RECORD__KIND_PARTNER, p);
    return p;
}

/* s_gen_partners - referrers (old customers, with the staff who developed
 * them), distributors (old customers too), promoters and sellers with a
 * three-level invite chain A -> B -> C */
static void s_gen_partners(gen_t *g)
{
    int nref = 0, ndis = 0;
    for (int i = 0; i < g->n_cust; i++) {
        cust_t *c = &g->cust[i];
        if (c->partner == 'R') {
            Ledger__Partner *p = s_partner(g, s_str(g, "P-REF-%02d", ++nref), c->name,
                                           LEDGER__PARTNER_KIND__PARTNER_REFERRER, c->branch);
            p->customer_code = c->code;
            p->developer_code = (char *)s_staff_code(g, g->presale[c->branch][s_rand(g, 3)]);
            g->referrers[c->branch][g->n_referrers[c->branch]++] = i;
        } else if (c->partner == 'D') {
            Ledger__Partner *p = s_partner(g, s_str(g, "P-DIS-%02d", ++ndis),
                                           s_str(g, "%s%s商贸", s_cities[c->branch], c->name),
                                           LEDGER__PARTNER_KIND__PARTNER_DISTRIBUTOR, c->branch);
            p->customer_code = c->code;
        }
    }
    for (int k = 0; k < 2 * g->scale; k++) {
        char name[32];
        names_person(name, sizeof name, s_next(g));
        s_partner(g, s_str(g, "P-PRO-%02d", k + 1), s_str(g, "%s", name),
                  LEDGER__PARTNER_KIND__PARTNER_PROMOTER, k % BRANCHES);
    }
    int nsel = 10 * g->scale;
    char **codes = s_alloc(g, (size_t)nsel * sizeof *codes);
    for (int k = 0; k < nsel; k++) {
        char name[32];
        names_person(name, sizeof name, s_next(g));
        codes[k] = s_str(g, "P-SEL-%02d", k + 1);
        Ledger__Partner *p = s_partner(g, codes[k], s_str(g, "%s", name),
                                       LEDGER__PARTNER_KIND__PARTNER_SELLER, k % BRANCHES);
        /* A (01) invited B (02), B invited C (03): C's sales pay B, never A. */
        if (k == 1 || k == 2)
            p->inviter_code = codes[k - 1];
        else if (k >= 4 && s_pct(g, 50))
            p->inviter_code = codes[s_rand(g, k)];
        if (k == 3) {   /* an employee who joined the programme */
            p->staff_code = (char *)s_staff_code(g, g->slot[0][T_PRE1]);
            p->name = g->staff[g->slot[0][T_PRE1]].name;
        }
        if (k == 2)
            s_sample(g, 1, "partner   P-SEL-01 -> P-SEL-02 -> %s (%s): a seller invited by an invitee",
                     codes[k], p->name);
    }
}

/* s_gen_products - products and their supply sources: mostly verified, two
 * awaiting checks, one rejected (never on an order line) */
static void s_gen_products(gen_t *g)
{
    for (int i = 0; i < PRODUCTS; i++) {
        const product_t *pr = &s_products[i];
        Ledger__Product *p = s_alloc(g, sizeof *p);
        ledger__product__init(p);
        p->code = (char *)pr->code;
        p->name = (char *)pr->name;
        p->purchase_price = pr->purchase;
        p->market_price = pr->market;
        p->channel_price = pr->channel;
        p->list_price = pr->list;
        p->active = 1;
        s_push(g, B_SETUP, LEDGER__RECORD__KIND_PRODUCT, p);
    }
    static const int arrangers[] = { T_LEAD, T_AFT1, T_AFT2 };
    for (int i = 0; i < PRODUCTS; i++) {
        const product_t *pr = &s_products[i];
        g->verified[i] = -1;
        if (!pr->source)
            continue;
        int b = i % BRANCHES;
        Ledger__SupplySource *s = s_alloc(g, sizeof *s);
        ledger__supply_source__init(s);
        s->code = s_str(g, "H-%s-A", pr->code);
        s->product_code = (char *)pr->code;
        s->kind = (Ledger__SourceKind)pr->source;
        s->unit_cost = pr->purchase;
        s->state = LEDGER__SOURCE_STATE__SOURCE_VERIFIED;
        s->owner_code = (char *)s_staff_code(g, g->slot[b][arrangers[i % 3]]);
        s->note = pr->service ? "自有人员上门" : "一级代理供货，可开专票";
        s_push(g, B_SETUP, LEDGER__RECORD__KIND_SOURCE, s);
        g->verified[i] = i;
        g->source_code[i] = s->code;
        g->source_cost[i] = pr->purchase;
        if (i == P_PHONE1 || i == 5 || i == 9) {   /* a second, cheaper offer */
            Ledger__SupplySource *t = s_alloc(g, sizeof *t);
            ledger__supply_source__init(t);
            t->code = s_str(g, "H-%s-B", pr->code);
            t->product_code = (char *)pr->code;
            t->kind = LEDGER__SOURCE_KIND__SOURCE_RESALE;
            t->unit_cost = pr->purchase * 85 / 100;
            t->owner_code = s->owner_code;
            if (i == P_PHONE1) {
                t->state = LEDGER__SOURCE_STATE__SOURCE_REJECTED;
                t->note = "水货，无法提供发票与保修";
                s_sample(g, 2, "source    %s %s: rejected (%s)", t->code, pr->name, t->note);
            } else {
                t->state = LEDGER__SOURCE_STATE__SOURCE_ENTERED;
                t->note = "新供应商报价，待核实";
            }
            s_push(g, B_SETUP, LEDGER__RECORD__KIND_SOURCE, t);
        }
    }
}

static char *s_account(gen_t *g, int b, const char *suffix, const char *name, int kind,
                       const char *owner, const char *owner_team, const char *team, int64_t opened,
                       int closed)
{
    Ledger__Account *a = s_alloc(g, sizeof *a);
    ledger__account__init(a);
    a->code = s_str(g, "%s-%s", s_branches[b], suffix);
    a->name = s_str(g, "%s%s", s_cities[b], name);
    a->kind = (Ledger__AccountKind)kind;
    a->branch = (char *)s_branches[b];
    a->owner_name = (char *)owner;
    a->owner_team = (char *)owner_team;
    a->team = (char *)team;
    a->opened_ms = opened;
    a->closed = closed;
    s_push(g, B_SETUP, LEDGER__RECORD__KIND_ACCOUNT, a);
    return a->code;
}

/* s_gen_accounts - receiving accounts owned outside the sales team that uses
 * them (WeChat rotated each quarter; GZ01's Alipay breaks both rules), a
 * paying account and the books' internal accounts, per branch */
static void s_gen_accounts(gen_t *g)
{
    static const char *const q[4] = { "2509", "2512", "2603", "2606" };
    static const int qday[4] = { -3, 88, 178, 270 };
    for (int b = 0; b < BRANCHES; b++) {
        const char *fin = g->staff[g->slot[b][T_FIN]].name;
        const char *head = g->staff[g->slot[b][T_RESP]].name;
        for (int k = 0; k < 4; k++)
            g->acct_wx[b][k] = s_account(g, b, s_str(g, "WX-%s", q[k]), "微信收款",
                                         LEDGER__ACCOUNT_KIND__ACCOUNT_RECEIVING, fin, "财务组",
                                         "销售部", s_at(g, qday[k], 9, 0), k < 3);
        if (b == 2)
            g->acct_ali[b] = s_account(g, b, "ALI", "支付宝收款", LEDGER__ACCOUNT_KIND__ACCOUNT_RECEIVING,
                                       g->staff[g->slot[b][T_LEAD]].name, "销售部", "销售部",
                                       s_at(g, -120, 9, 0), 0);
        else
            g->acct_ali[b] = s_account(g, b, "ALI", "支付宝收款", LEDGER__ACCOUNT_KIND__ACCOUNT_RECEIVING,
                                       head, "管理", "销售部", s_at(g, -10, 9, 0), 0);
        g->acct_bank[b] = s_account(g, b, "BANK", "对公收款账户", LEDGER__ACCOUNT_KIND__ACCOUNT_RECEIVING,
                                    head, "管理", "销售部", s_at(g, -400, 9, 0), 0);
        g->acct_cash[b] = s_account(g, b, "CASH", "门店现金", LEDGER__ACCOUNT_KIND__ACCOUNT_RECEIVING,
                                    fin, "财务组", "销售部", s_at(g, -400, 9, 0), 0);
        g->acct_pay[b] = s_account(g, b, "PAY", "付款账户", LEDGER__ACCOUNT_KIND__ACCOUNT_PAYING,
                                   head, "管理", "财务组", s_at(g, -400, 9, 0), 0);
        g->acct_rev[b] = s_account(g, b, "REV", "销售收入", LEDGER__ACCOUNT_KIND__ACCOUNT_INTERNAL,
                                   "公司", "", "财务组", 0, 0);
        g->acct_rfd[b] = s_account(g, b, "RFD", "销售退回", LEDGER__ACCOUNT_KIND__ACCOUNT_INTERNAL,
                                   "公司", "", "财务组", 0, 0);
        g->acct_exp[b] = s_account(g, b, "EXP", "费用", LEDGER__ACCOUNT_KIND__ACCOUNT_INTERNAL,
                                   "公司", "", "财务组", 0, 0);
        g->acct_sal[b] = s_account(g, b, "SAL", "工资薪金", LEDGER__ACCOUNT_KIND__ACCOUNT_INTERNAL,
                                   "公司", "", "财务组", 0, 0);
    }
}

/* --- claims: who each customer came through --- */

static void s_gen_claims(gen_t *g)
{
    for (int i = 0; i < g->n_cust; i++) {
        cust_t *c = &g->cust[i];
        int b = c->branch, r = s_rand(g, 100);
        int64_t t = c->first_ms ? c->first_ms : s_at(g, 0, 9, 0);
        const char *sv = s_staff_code(g, s_pick(g, g->presale[b], g->n_presale[b], t));
        c->sv_kind = LEDGER__PARTY_KIND__PARTY_STAFF;
        c->sv_code = sv;
        c->ch_kind = LEDGER__PARTY_KIND__PARTY_STAFF;
        if (c->partner == 'D' || r < 33) {   /* A: a platform of the company; its operator */
            c->ch_type = LEDGER__CHANNEL_TYPE__CHANNEL_COMPANY;
            c->ch_code = s_staff_code(g, g->slot[b][T_MEDIA]);
        } else if (r < 63) {                 /* B: a salesperson's own customer */
            c->ch_type = LEDGER__CHANNEL_TYPE__CHANNEL_STAFF;
            c->ch_code = sv;
        } else if (r < 78 || !g->n_referrers[b] || c->partner) {   /* C: paid promotion */
            c->ch_type = LEDGER__CHANNEL_TYPE__CHANNEL_PROMOTION;
            c->ch_code = s_staff_code(g, g->slot[b][T_MEDIA]);
        } else {                             /* D: an old customer referred them */
            int ref = g->referrers[b][s_rand(g, g->n_referrers[b])];
            c->ch_type = LEDGER__CHANNEL_TYPE__CHANNEL_REFERRAL;
            c->ch_kind = c->sv_kind = LEDGER__PARTY_KIND__PARTY_CUSTOMER;
            c->ch_code = c->sv_code = g->cust[ref].code;
            if (s_pct(g, 70)) {   /* else the referrer's developer is the assist */
                c->as_type = LEDGER__ASSIST_TYPE__ASSIST_OUTSIDE;
                c->as_code = sv;
            }
            continue;
        }
        int a = s_rand(g, 100);
        const char *other = s_staff_code(g, s_pick(g, g->presale[b], g->n_presale[b], t));
        if (other == sv)
            continue;
        if (a < 12) {
            c->as_type = LEDGER__ASSIST_TYPE__ASSIST_TRANSFER;
            c->as_code = other;
        } else if (a < 18 && c->first_ms) {
            c->as_type = LEDGER__ASSIST_TYPE__ASSIST_PROACTIVE;   /* first order after > 72 h */
            c->as_code = other;
        } else if (a < 22) {
            static const int sol[] = { 6, 12, 13, 15 };   /* router, wiring, install, recovery */
            c->sol_product = sol[s_rand(g, 4)] + 1;          /* +1: 0 means none */
            c->sol_staff = s_staff_code(g, g->aftersale[b][s_rand(g, g->n_aftersale[b])]);
            c->sol_id = s_str(g, "SOL-%s-%03d", s_products[c->sol_product - 1].code, i % 1000);
        }
        c->unknown_first = s_pct(g, 3);
    }
}

/* --- orders --- */

static int s_plan_cmp(const void *a, const void *b)
{
    const plan_t *x = a, *y = b;
    if (x->placed != y->placed)
        return x->placed < y->placed ? -1 : 1;
    return (x->cust > y->cust) - (x->cust < y->cust);
}

/* s_plan_orders - when each customer orders: a first order soon after the
 * first contact (4+ days for proactive assists), then repeat orders; some
 * come back after a gap across their window's end (win-backs); four first
 * orders sit on the window boundaries */
static plan_t *s_plan_orders(gen_t *g, int *n_out)
{
    int cap = 16 * g->n_cust, n = 0;
    plan_t *p = xcalloc((size_t)cap, sizeof *p);
    int64_t start = s_at(g, 0, 0, 0);
    static const int edge[4][3] = { { 60, 23, 40 }, { 61, 0, 20 }, { 121, 23, 50 }, { 122, 0, 10 } };
    int edges = 0;
    for (int i = 0; i < g->n_cust; i++) {
        cust_t *c = &g->cust[i];
        int64_t t;
        if (!c->partner && c->first_ms && c->first_ms < s_at(g, 50, 0, 0) && edges < 4) {
            t = s_at(g, edge[edges][0], edge[edges][1], edge[edges][2]);   /* Oct 31/Nov 1, Dec 31/Jan 1 */
            edges++;
        } else {
            int64_t base = c->first_ms ? c->first_ms : s_at(g, s_rand(g, DAYS), 10, 0);
            if (base < start)
                base = start + s_rand(g, 60) * DAY_MS;
            int64_t delay = c->as_type == LEDGER__ASSIST_TYPE__ASSIST_PROACTIVE
                                ? (4 + s_rand(g, 6)) * DAY_MS : (1 + s_rand(g, 72)) * HOUR_MS;
            t = base + delay + s_rand(g, 60) * 60000LL;
        }
        int k = c->partner == 'D' ? 20 + s_rand(g, 10)
                : s_pct(g, 20) ? 1 : 1 + s_rand(g, 15);
        int winback = c->partner == 0 && s_pct(g, 12);
        for (int j = 0; j < k && t < g->end_ms && n < cap; j++) {
            p[n].cust = i;
            p[n].placed = t;
            n++;
            date_t d = date_of(t);
            if (winback && d.y == 2025) {
                /* Skip past the window's end and 3 months: back after a long silence. */
                t = s_daytime(g, t + ((d.m >= 11 ? 165 : 130) + s_rand(g, 60)) * DAY_MS);
                winback = 0;
                p[n].winback = 1;   /* marks the next planned order */
                continue;
            }
            p[n].winback = 0;
            t = s_daytime(g, t + (c->partner == 'D' ? 5 + s_rand(g, 12) : 3 + s_rand(g, 55)) * DAY_MS);
        }
        if (n < cap)
            p[n].winback = 0;
    }
    qsort(p, (size_t)n, sizeof *p, s_plan_cmp);
    *n_out = n;
    return p;
}

typedef struct {
    char *code;
    int cust, branch;
    int64_t amount, paid, placed, shipped, completed;
    int status;
    int service;          /* a service (visit), not goods */
    const char *handler;
} order_t;

static Ledger__OrderLine *s_line(gen_t *g, int prod, int64_t qty, int64_t price)
{
    Ledger__OrderLine *l = s_alloc(g, sizeof *l);
    ledger__order_line__init(l);
    l->product = (char *)s_products[prod].code;
    l->qty = qty;
    l->unit_price = price;
    if (g->verified[prod] >= 0 && !s_pct(g, 10))
        l->source = g->source_code[prod];
    else
        l->cost = qty * s_products[prod].purchase;
    return l;
}

static void s_entry_sale(gen_t *g, int b, const char *order, const char *acct, int64_t amount,
                         int64_t ms, int category, const char *what)
{
    Ledger__FinanceEntry *e = s_alloc(g, sizeof *e);
    ledger__finance_entry__init(e);
    e->code = s_str(g, "FE-%06d", ++g->n_entry);
    e->branch = (char *)s_branches[b];
    e->time_ms = ms;
    e->category = (Ledger__EntryCategory)category;
    e->n_postings = 2;
    e->postings = s_alloc(g, 2 * sizeof *e->postings);
    for (int k = 0; k < 2; k++) {
        e->postings[k] = s_alloc(g, sizeof **e->postings);
        ledger__posting__init(e->postings[k]);
    }
    int refund = category == LEDGER__ENTRY_CATEGORY__CATEGORY_REFUND;
    e->postings[0]->account_code = (char *)(refund ? g->acct_rfd[b] : acct);
    e->postings[0]->amount = amount;
    e->postings[1]->account_code = (char *)(refund ? acct : g->acct_rev[b]);
    e->postings[1]->amount = -amount;
    e->order_code = (char *)order;
    e->description = s_str(g, "%s %s", what, order);
    s_push(g, B_ENTRY, LEDGER__RECORD__KIND_ENTRY, e);
}

/* s_receiving - the account a payment by method lands in on date ms */
static const char *s_receiving(gen_t *g, int b, int64_t ms, const char **method)
{
    int r = s_rand(g, 100);
    if (r < 55) {
        *method = "wechat";
        int q = ms < s_at(g, 91, 0, 0) ? 0 : ms < s_at(g, 181, 0, 0) ? 1 : ms < s_at(g, 273, 0, 0) ? 2 : 3;
        return g->acct_wx[b][q];
    }
    if (r < 85)
        return *method = "alipay", g->acct_ali[b];
    if (r < 95)
        return *method = "bank", g->acct_bank[b];
    return *method = "cash", g->acct_cash[b];
}

static void s_payment(gen_t *g, const order_t *o, int64_t amount, int64_t ms)
{
    const char *method;
    Ledger__Payment *p = s_alloc(g, sizeof *p);
    ledger__payment__init(p);
    p->code = s_str(g, "PM-%06d", ++g->n_pay);
    p->order_code = o->code;
    p->amount = amount;
    p->paid_ms = ms;
    p->account_code = (char *)s_receiving(g, o->branch, ms, &method);
    p->method = (char *)method;
    s_push(g, B_PAYMENT, LEDGER__RECORD__KIND_PAYMENT, p);
    s_entry_sale(g, o->branch, o->code, p->account_code, amount, ms,
                 LEDGER__ENTRY_CATEGORY__CATEGORY_SALE, "收款");
}

static Ledger__ServiceEvent *s_service(gen_t *g, int kind, const cust_t *c, int64_t ms,
                                       const char *staff, const char *order)
{
    Ledger__ServiceEvent *e = s_alloc(g, sizeof *e);
    ledger__service_event__init(e);
    e->code = s_str(g, "SV-%06d", ++g->n_service);
    e->kind = (Ledger__ServiceKind)kind;
    e->customer_code = c->code;
    e->time_ms = ms;
    e->staff_code = (char *)staff;
    e->order_code = (char *)(order ? order : "");
    s_push(g, B_SERVICE, LEDGER__RECORD__KIND_SERVICE, e);
    return e;
}

/* s_after_sale - issues (responses mostly in time, some late, a few never),
 * complaints (closed and told; one major, reported; one still open) and
 * member callbacks (within 72 h mostly; one member never called back) */
static void s_after_sale(gen_t *g, const order_t *o, int *missed_callback, int *major)
{
    const cust_t *c = &g->cust[o->cust];
    if (!o->completed)
        return;
    if (s_pct(g, 8)) {
        int64_t t = s_daytime(g, o->completed + (1 + s_rand(g, 30)) * DAY_MS);
        if (t < g->end_ms) {
            Ledger__ServiceEvent *is = s_service(g, LEDGER__SERVICE_KIND__SERVICE_ISSUE, c, t,
                                                 o->handler, o->code);
            is->note = (char *)names_pick(NAMES_ISSUE, s_next(g));
            int r = s_rand(g, 100);
            if (r < 95) {
                int64_t late = r < 85 ? (1 + s_rand(g, 20)) * HOUR_MS : (25 + s_rand(g, 48)) * HOUR_MS;
                Ledger__ServiceEvent *re = s_service(g, LEDGER__SERVICE_KIND__SERVICE_RESPONSE, c,
                                                     t + late, o->handler, o->code);
                re->about_code = is->code;
                re->note = r < 85 ? "电话指导，已解决" : "工单积压，次日后才回复";
            }
        }
    }
    if (s_pct(g, 1) || (*major == 0 && o->amount > 500000)) {
        int64_t t = s_daytime(g, o->completed + (1 + s_rand(g, 4)) * DAY_MS);
        if (t + 10 * DAY_MS < g->end_ms) {
            Ledger__ServiceEvent *co = s_service(g, LEDGER__SERVICE_KIND__SERVICE_COMPLAINT, c, t,
                                                 o->handler, o->code);
            co->note = (char *)names_pick(NAMES_COMPLAINT, s_next(g));
            const char *sup = s_staff_code(g, g->slot[o->branch][T_SUP]);
            int nth = (*major)++;
            if (nth == 0) {
                co->severity = LEDGER__SEVERITY__SEVERITY_MAJOR;
                Ledger__ServiceEvent *rp = s_service(g, LEDGER__SERVICE_KIND__SERVICE_REPORTED, c,
                                                     t + HOUR_MS / 2, sup, o->code);
                rp->about_code = co->code;
                rp->note = "重大投诉，已报部门负责人";
                char when[20];
                s_when(when, sizeof when, t);
                s_sample(g, 3, "service   %s %s major complaint on %s, %s: %s", co->code, when,
                         o->code, c->name, co->note);
            }
            if (nth != 1) {   /* the second complaint stays open */
                int64_t closed = t + (1 + s_rand(g, 5)) * DAY_MS;
                Ledger__ServiceEvent *cl = s_service(g,
                    LEDGER__SERVICE_KIND__SERVICE_COMPLAINT_CLOSED, c, closed, sup, o->code);
                cl->about_code = co->code;
                Ledger__ServiceEvent *tl = s_service(g, LEDGER__SERVICE_KIND__SERVICE_CUSTOMER_TOLD,
                                                     c, closed + 2 * HOUR_MS, o->handler, o->code);
                tl->about_code = co->code;
            }
        }
    }
    if (c->member) {
        if (*missed_callback == 0 && o->completed > s_at(g, 200, 0, 0)) {
            *missed_callback = 1;   /* the one member nobody called back */
            return;
        }
        int64_t after = s_pct(g, 3) ? (80 + s_rand(g, 100)) * HOUR_MS : (2 + s_rand(g, 60)) * HOUR_MS;
        if (o->completed + after < g->end_ms) {
            Ledger__ServiceEvent *cb = s_service(g, LEDGER__SERVICE_KIND__SERVICE_CALLBACK, c,
                                                 o->completed + after, o->handler, o->code);
            cb->result = *missed_callback == 1 ? "" : (char *)names_pick(NAMES_CALLBACK, s_next(g));
            if (*missed_callback == 1)
                *missed_callback = 2;   /* and one call with no result written down */
        }
    }
}

/* s_distributor_price - list x 80 % x the tier's factor, rounded once per
 * unit; the tier from what the distributor completed before this order */
static int64_t s_distributor_price(const order_t *orders, int n, const order_t *o, int prod)
{
    int64_t total = 0;
    for (int k = 0; k < n; k++)
        if (orders[k].cust == o->cust && orders[k].completed && orders[k].completed < o->placed)
            total += orders[k].amount;   /* a distributor's orders are paid in full */
    int factor = total >= 1000000 ? 8 : total >= 500000 ? 9 : 10;   /* 10,000 / 5,000 yuan */
    return (s_products[prod].list * 8 * factor + 50) / 100;
}

static void s_gen_orders(gen_t *g)
{
    int n;
    plan_t *plan = s_plan_orders(g, &n);
    order_t *orders = xcalloc((size_t)n, sizeof *orders);
    int per_branch[BRANCHES] = { 0 }, missed_callback = 0, major = 0, unapproved = 0;
    int shipped_unpaid = 0, refund_unpaid = 0;
    for (int i = 0; i < n; i++) {
        cust_t *c = &g->cust[plan[i].cust];
        int b = c->branch;
        order_t *o = &orders[i];
        o->cust = plan[i].cust;
        o->branch = b;
        o->placed = plan[i].placed;
        o->code = s_str(g, "%s-O%05d", s_branches[b], ++per_branch[b]);
        int first = c->n_orders == 0, recent = o->placed > g->end_ms - 20 * DAY_MS;

        Ledger__Order *m = s_alloc(g, sizeof *m);
        ledger__order__init(m);
        m->code = o->code;
        m->customer_code = c->code;
        m->branch = (char *)s_branches[b];
        m->placed_ms = o->placed;

        /* What happens to it: most orders complete; a few are the cases to find. */
        int r = s_rand(g, 1000);
        enum { NORMAL, CANCEL, SHIP_UNPAID, PAID_ONLY, SPLIT, DEPOSIT, NO_HANDLER, NO_ARRANGER } fate;
        fate = r < 30 ? CANCEL : r < 36 ? SHIP_UNPAID : r < 40 ? PAID_ONLY : r < 80 ? SPLIT
             : r < 90 ? DEPOSIT : r < 95 ? NO_HANDLER : r < 98 ? NO_ARRANGER : NORMAL;
        if ((fate == CANCEL && first) || (fate != NORMAL && recent) || c->partner == 'D')
            fate = c->partner == 'D' || recent ? NORMAL : fate == CANCEL ? SPLIT : fate;
        if (fate == SHIP_UNPAID)
            fate = NORMAL;
        if (fate == NORMAL && b == 2 && !recent && c->partner != 'D' && s_pct(g, 1))
            fate = SHIP_UNPAID;   /* seed 003: GZ01's phones, shipped, never paid */

        /* Lines */
        int nl = c->partner == 'D' ? 1 + s_rand(g, 2) : s_pct(g, 60) ? 1 : s_pct(g, 75) ? 2 : 3;
        if (fate == SHIP_UNPAID)
            nl = 1;
        m->n_lines = (size_t)nl;
        m->lines = s_alloc(g, (size_t)nl * sizeof *m->lines);
        int used[3] = { -1, -1, -1 };
        int below = 0;
        o->service = 1;
        for (int k = 0; k < nl; k++) {
            int prod;
            do
                prod = fate == SHIP_UNPAID ? (s_pct(g, 50) ? P_PHONE1 : P_PHONE2)
                     : c->sol_product && k == 0 && s_pct(g, 40) ? c->sol_product - 1
                     : s_rand(g, PRODUCTS);
            while ((k > 0 && prod == used[0]) || (k > 1 && prod == used[1]));
            used[k] = prod;
            const product_t *pr = &s_products[prod];
            int64_t qty = pr->service ? 1 : prod == 1 || prod == 10 ? 1 + s_rand(g, 10)
                        : 1 + (s_pct(g, 20) ? s_rand(g, 3) : 0);
            int64_t price;
            if (c->partner == 'D') {
                qty += 2 + s_rand(g, 5);
                price = s_distributor_price(orders, i, o, prod);
            } else {
                price = (pr->channel + (int64_t)s_rand(g, (int)((pr->list - pr->channel) / 100) + 1) * 100);
                if (s_pct(g, 2)) {   /* a discount below the channel price */
                    price = pr->channel * 9 / 10 / 100 * 100;
                    below = 1;
                }
            }
            if (!pr->service)
                o->service = 0;
            m->lines[k] = s_line(g, prod, qty, price);
            o->amount += qty * price;
        }
        if (below) {
            if (unapproved++ == 0)
                s_sample(g, 4, "order     %s below channel price with no approval", o->code);
            else
                m->price_approver = s_party(g, LEDGER__PARTY_KIND__PARTY_STAFF,
                                            s_staff_code(g, g->slot[b][T_SUP]));
        }

        /* SH01's sellers: one order in 11 came through a seller's link, taken
         * in turn from the chain P-SEL-01 -> P-SEL-02 -> P-SEL-03 (no draw from
         * the generator, so the rest of the data set stays as it was). */
        if (b == 0 && c->partner != 'D' && per_branch[b] % 11 == 4) {
            static const char *const sellers[] = { "P-SEL-01", "P-SEL-02", "P-SEL-03" };
            m->seller = s_party(g, LEDGER__PARTY_KIND__PARTY_PARTNER,
                                sellers[per_branch[b] / 11 % 3]);
        }

        /* Claims: the clerk copies the customer's; a few differ. */
        Ledger__RoleClaims *cl = s_alloc(g, sizeof *cl);
        ledger__role_claims__init(cl);
        m->claims = cl;
        if (!(first && c->unknown_first)) {
            cl->channel_type = (Ledger__ChannelType)c->ch_type;
            cl->channel = s_party(g, c->ch_kind, c->ch_code);
            cl->service = s_party(g, c->sv_kind, c->sv_code);
        }
        if (c->as_type && (first || c->as_type != LEDGER__ASSIST_TYPE__ASSIST_PROACTIVE)) {
            cl->assist_type = (Ledger__AssistType)c->as_type;
            cl->assist = s_party(g, LEDGER__PARTY_KIND__PARTY_STAFF, c->as_code);
        }
        if (c->sol_product && used[0] == c->sol_product - 1) {
            cl->assist_type = LEDGER__ASSIST_TYPE__ASSIST_SOLUTION;
            cl->assist = s_party(g, LEDGER__PARTY_KIND__PARTY_STAFF, c->sol_staff);
            cl->solution_id = c->sol_id;
        }
        if (!first && c->sv_kind == LEDGER__PARTY_KIND__PARTY_STAFF && s_pct(g, 3)) {
            const char *other = s_staff_code(g, s_pick(g, g->presale[b], g->n_presale[b], o->placed));
            if (other != c->sv_code) {   /* a conflicting claim: the window is locked */
                cl->service = s_party(g, LEDGER__PARTY_KIND__PARTY_STAFF, other);
                s_sample(g, 5, "order     %s claims service %s; %s's window says %s", o->code,
                         other, c->code, c->sv_code);
            }
        } else if (!first && c->sv_kind == LEDGER__PARTY_KIND__PARTY_STAFF && s_pct(g, 1)) {
            cl->assist_type = LEDGER__ASSIST_TYPE__ASSIST_TRANSFER;   /* assist = service */
            cl->assist = s_party(g, LEDGER__PARTY_KIND__PARTY_STAFF, c->sv_code);
        }
        if (plan[i].winback && o->placed - c->last_ms > 92 * DAY_MS) {
            char when[20], before[20];
            s_when(when, sizeof when, o->placed);
            s_when(before, sizeof before, c->last_ms);
            if (s_pct(g, 80)) {
                const char *wb = s_staff_code(g, s_pick(g, g->presale[b], g->n_presale[b], o->placed));
                cl->winback_staff = s_party(g, LEDGER__PARTY_KIND__PARTY_STAFF, wb);
                s_sample(g, 6, "order     %s %s win-back by %s (%s's previous order %s)", o->code,
                         when, wb, c->code, before);
            }
        }
        if (first && o->placed == s_at(g, 60, 23, 40))
            s_sample(g, 7, "order     %s placed 2025-10-31 23:40, a first order: window to Dec 31",
                     o->code);
        if (first && o->placed == s_at(g, 61, 0, 20))
            s_sample(g, 8, "order     %s placed 2025-11-01 00:20, a first order: window to Mar 31",
                     o->code);
        c->n_orders++;
        c->last_ms = o->placed;

        /* People: the handler and the arrangers, once someone took it on. */
        int64_t t = o->placed;
        int64_t paid = t + (5 + s_rand(g, 24 * 60)) * 60000LL;
        int64_t shipped = paid + (2 + s_rand(g, 70)) * HOUR_MS;
        int64_t completed = shipped + (1 + s_rand(g, 6)) * DAY_MS + s_rand(g, 600) * 60000LL;
        const char *handler = s_staff_code(g, s_pick(g, g->aftersale[b], g->n_aftersale[b], t));
        o->handler = handler;
        if (fate != NO_HANDLER && (paid < g->end_ms || s_pct(g, 50)))
            m->handler = s_party(g, LEDGER__PARTY_KIND__PARTY_STAFF, handler);
        if (fate != NO_ARRANGER && (paid < g->end_ms || s_pct(g, 50))) {
            int two = s_pct(g, 20);
            m->n_arrangers = two ? 2 : 1;
            m->arrangers = s_alloc(g, 2 * sizeof *m->arrangers);
            m->arrangers[0] = s_party(g, LEDGER__PARTY_KIND__PARTY_STAFF,
                                      s_staff_code(g, g->slot[b][T_LEAD]));
            m->arrangers[1] = s_party(g, LEDGER__PARTY_KIND__PARTY_STAFF,
                                      s_staff_code(g, g->slot[b][T_AFT2]));
            if (!two && s_pct(g, 50))
                m->arrangers[0] = m->arrangers[1];
        }

        /* Times and status, as of the year's end. */
        m->status = LEDGER__ORDER_STATUS__OPEN;
        if (fate == CANCEL) {
            m->status = LEDGER__ORDER_STATUS__CANCELLED;
            m->cancelled_ms = t + (1 + s_rand(g, 48)) * HOUR_MS;
            m->cancel_reason = (char *)names_pick(NAMES_CANCEL, s_next(g));
        } else {
            if (fate == SHIP_UNPAID)
                paid = 0, shipped = t + (2 + s_rand(g, 48)) * HOUR_MS;
            if (paid && paid < g->end_ms) {
                m->status = LEDGER__ORDER_STATUS__PAID;
                m->paid_ms = o->paid = paid;
            }
            if (fate != PAID_ONLY && shipped < g->end_ms && (paid || fate == SHIP_UNPAID)) {
                m->status = LEDGER__ORDER_STATUS__SHIPPED;
                m->shipped_ms = o->shipped = shipped;
            }
            if (fate != PAID_ONLY && fate != SHIP_UNPAID && fate != DEPOSIT && completed < g->end_ms) {
                m->status = LEDGER__ORDER_STATUS__COMPLETED;
                m->completed_ms = o->completed = completed;
            }
        }
        o->status = m->status;
        s_push(g, B_ORDER, LEDGER__RECORD__KIND_ORDER, m);
        if (o->placed < g->d->from_ms || !g->d->from_ms)
            g->d->from_ms = o->placed;
        if (o->placed > g->d->to_ms)
            g->d->to_ms = o->placed;

        /* Money in */
        if (o->paid) {
            if (fate == SPLIT || fate == DEPOSIT) {
                int64_t deposit = o->amount * 3 / 10;
                if (deposit == 0)
                    deposit = o->amount;
                s_payment(g, o, deposit, o->paid);
                int64_t rest = o->shipped ? o->shipped : o->paid + DAY_MS;
                if (fate == SPLIT && deposit < o->amount && rest < g->end_ms)
                    s_payment(g, o, o->amount - deposit, rest);
                else
                    o->paid = 0;   /* not fully paid: no refunds on it */
            } else
                s_payment(g, o, o->amount, o->paid);
        }
        if (fate == SHIP_UNPAID && shipped_unpaid++ == 0)
            s_sample(g, 9, "order     %s %s shipped %s, never paid (seed 003)", o->code,
                     s_products[used[0]].name, c->name);

        /* Goods out */
        if (o->shipped) {
            Ledger__Shipment *s = s_alloc(g, sizeof *s);
            ledger__shipment__init(s);
            s->code = s_str(g, "SP-%06d", ++g->n_ship);
            s->order_code = o->code;
            s->shipped_ms = o->shipped;
            s->carrier = o->service ? "上门服务" : (char *)names_pick(NAMES_CARRIER, s_next(g));
            s->tracking = o->service ? "" : s_str(g, "SF%012llu",
                                                  (unsigned long long)(s_next(g) % 1000000000000ULL));
            int64_t received = o->completed ? o->completed
                             : o->shipped + (1 + s_rand(g, 4)) * DAY_MS;
            if (received < g->end_ms) {
                s->_received_ms_case = LEDGER__SHIPMENT___RECEIVED_MS_RECEIVED_MS;
                s->received_ms = received;
                s->received_by = s_pct(g, 85) ? c->name : "前台代收";
            }
            s_push(g, B_SHIPMENT, LEDGER__RECORD__KIND_SHIPMENT, s);
        }

        /* Money back: before completion (part), after it (part or all), pending */
        int refund_case = o->paid && c->partner != 'D' && s_pct(g, 4);
        if (!o->paid && fate == SHIP_UNPAID && o->shipped && refund_unpaid++ == 1)
            refund_case = 1;   /* a refund of money never received */
        if (refund_case) {
            Ledger__Refund *rf = s_alloc(g, sizeof *rf);
            ledger__refund__init(rf);
            rf->code = s_str(g, "RFD-%05d", ++g->n_refund);
            rf->order_code = o->code;
            int after = o->completed && s_pct(g, 60);
            int64_t req = after ? o->completed + (1 + s_rand(g, 20 * 24)) * HOUR_MS
                                : (o->paid ? o->paid : o->shipped) + (1 + s_rand(g, 20)) * HOUR_MS;
            int64_t amt = after && s_pct(g, 40) ? o->amount : o->amount * (1 + s_rand(g, 4)) / 10;
            if (amt < 1)
                amt = o->amount;
            rf->amount = amt;
            rf->requested_ms = req;
            rf->reason = (char *)names_pick(NAMES_REFUND, s_next(g));
            int64_t done = req + (4 + s_rand(g, 68)) * HOUR_MS;
            if (!after && o->completed && done > o->completed)
                done = o->completed - HOUR_MS > req ? o->completed - HOUR_MS : req;
            if (req < g->end_ms) {
                if (done < g->end_ms && !s_pct(g, 5) && o->paid) {
                    rf->_processed_ms_case = LEDGER__REFUND___PROCESSED_MS_PROCESSED_MS;
                    rf->processed_ms = done;
                    s_entry_sale(g, b, o->code, g->acct_pay[b], amt, done,
                                 LEDGER__ENTRY_CATEGORY__CATEGORY_REFUND, "退款");
                }
                s_push(g, B_REFUND, LEDGER__RECORD__KIND_REFUND, rf);
            }
        }
        s_after_sale(g, o, &missed_callback, &major);
    }
    free(orders);
    free(plan);
}

/* --- the rest of the year: contacts, expenses, salaries, posts, work --- */

static void s_gen_contacts(gen_t *g)
{
    for (int i = 0; i < g->n_cust; i++) {
        cust_t *c = &g->cust[i];
        if (!c->first_ms)
            continue;
        const char *staff = c->sv_kind == LEDGER__PARTY_KIND__PARTY_STAFF ? c->sv_code
                          : c->as_code ? c->as_code : s_staff_code(g, g->presale[c->branch][0]);
        Ledger__ServiceEvent *e = s_service(g, LEDGER__SERVICE_KIND__SERVICE_FIRST_CONTACT, c,
                                            c->first_ms, staff, NULL);
        if (c->sv_kind == LEDGER__PARTY_KIND__PARTY_CUSTOMER)
            e->note = s_str(g, "老客户 %s 介绍", c->sv_code);
        if (c->as_type == LEDGER__ASSIST_TYPE__ASSIST_TRANSFER) {
            Ledger__ServiceEvent *t = s_service(g, LEDGER__SERVICE_KIND__SERVICE_TRANSFER, c,
                                                c->first_ms + (1 + s_rand(g, 24)) * HOUR_MS,
                                                c->sv_code, NULL);
            t->to_staff_code = (char *)c->as_code;
            t->note = "客户需要技术方案，转同事跟进";
        }
    }
}

/* s_gen_expenses - expenses through request -> proposal -> decision, with
 * notice to both the supervisor and the responsible person (seed 000 §11:
 * 知会主管,负责人); a few out of order or incomplete: no. 7 decided before
 * it was proposed, no. 19 never proposed, no. 31 with no notices. And
 * monthly salaries. */
static void s_gen_expenses(gen_t *g)
{
    static const char *const what[] = { "门店房租", "线上推广费", "快递费", "办公用品", "团队建设" };
    static const int64_t base[] = { 1500000, 300000, 80000, 30000, 100000 };
    int n = 0;
    for (int month = 0; month < 12; month++) {
        date_t m0 = date_add_months(g->d0, month);
        for (int b = 0; b < BRANCHES; b++) {
            const char *sup = s_staff_code(g, g->slot[b][T_SUP]);
            const char *resp = s_staff_code(g, g->slot[b][T_RESP]);
            for (int k = 0; k < 5; k++) {
                if (k >= 3 && s_pct(g, 50))
                    continue;
                int day = 2 + s_rand(g, 24);
                int64_t t0 = date_start_ms(date_add_days(m0, day)) + (9 + s_rand(g, 4)) * HOUR_MS;
                Ledger__FinanceEntry *e = s_alloc(g, sizeof *e);
                ledger__finance_entry__init(e);
                e->code = s_str(g, "FE-%06d", ++g->n_entry);
                e->branch = (char *)s_branches[b];
                e->category = LEDGER__ENTRY_CATEGORY__CATEGORY_EXPENSE;
                int64_t amt = base[k] + (int64_t)s_rand(g, 100) * 1000;
                e->description = s_str(g, "%d月%s", m0.m, what[k]);
                const char *req = s_staff_code(g, g->slot[b][k == 1 ? T_MEDIA : T_LEAD]);
                e->request = s_approval(g, req, t0, 0);
                e->proposal = s_approval(g, sup, t0 + (2 + s_rand(g, 6)) * HOUR_MS, 0);
                e->decision = s_approval(g, resp, t0 + (20 + s_rand(g, 8)) * HOUR_MS, 1);
                n++;
                if (n == 7)        /* decided before the supervisor proposed it */
                    e->decision->time_ms = e->request->time_ms + HOUR_MS,
                    e->proposal->time_ms = e->request->time_ms + 5 * HOUR_MS;
                else if (n == 19)  /* no proposal at all */
                    e->proposal = NULL;
                if (n != 31) {     /* one without notices; the rest tell both */
                    e->n_notices = 2;
                    e->notices = s_alloc(g, 2 * sizeof *e->notices);
                    e->notices[0] = s_approval(g, sup, e->decision->time_ms + HOUR_MS, 0);
                    e->notices[1] = s_approval(g, resp, e->decision->time_ms + HOUR_MS, 0);
                }
                e->time_ms = e->decision->time_ms + 2 * HOUR_MS;
                e->n_postings = 2;
                e->postings = s_alloc(g, 2 * sizeof *e->postings);
                for (int j = 0; j < 2; j++) {
                    e->postings[j] = s_alloc(g, sizeof **e->postings);
                    ledger__posting__init(e->postings[j]);
                }
                e->postings[0]->account_code = g->acct_exp[b];
                e->postings[0]->amount = amt;
                e->postings[1]->account_code = g->acct_pay[b];
                e->postings[1]->amount = -amt;
                s_push(g, B_ENTRY, LEDGER__RECORD__KIND_ENTRY, e);
            }
        }
        /* Salaries of the month, booked on its last day */
        static const int64_t pay[] = { 0, 550000, 500000, 750000, 900000, 1200000, 700000, 600000,
                                       600000, 600000 };
        int64_t t = date_start_ms(date_add_days(date_add_months(m0, 1), -1)) + 18 * HOUR_MS;
        for (int i = 0; i < g->n_staff; i++) {
            staff_t *s = &g->staff[i];
            if (s->left_ms && t > s->left_ms)
                continue;
            Ledger__FinanceEntry *e = s_alloc(g, sizeof *e);
            ledger__finance_entry__init(e);
            e->code = s_str(g, "FE-%06d", ++g->n_entry);
            e->branch = (char *)s_branches[s->branch];
            e->time_ms = t;
            e->category = LEDGER__ENTRY_CATEGORY__CATEGORY_SALARY;
            e->person_code = s->code;
            e->description = s_str(g, "%d月基本工资", m0.m);
            e->n_postings = 2;
            e->postings = s_alloc(g, 2 * sizeof *e->postings);
            for (int j = 0; j < 2; j++) {
                e->postings[j] = s_alloc(g, sizeof **e->postings);
                ledger__posting__init(e->postings[j]);
            }
            e->postings[0]->account_code = g->acct_sal[s->branch];
            e->postings[0]->amount = pay[s->primary];
            e->postings[1]->account_code = g->acct_pay[s->branch];
            e->postings[1]->amount = -pay[s->primary];
            s_push(g, B_ENTRY, LEDGER__RECORD__KIND_ENTRY, e);
        }
    }
}

static void s_post(gen_t *g, const char *account, const char *staff, int64_t ms, int kind,
                   const char *text, int broadcast)
{
    Ledger__SocialPost *p = s_alloc(g, sizeof *p);
    ledger__social_post__init(p);
    p->code = s_str(g, "WP-%06d", ++g->n_post);
    p->wechat_account = (char *)account;
    p->staff_code = (char *)staff;
    p->time_ms = ms;
    p->kind = (Ledger__PostKind)kind;
    p->text = (char *)text;
    p->broadcast = broadcast;
    s_push(g, B_POST, LEDGER__RECORD__KIND_POST, p);
}

/* s_gen_posts - two WeChat accounts per branch: a post a day (a few days
 * missed), three or four life posts a week (a few weeks two), two or three
 * broadcasts a month (one December more than three), and one promotional
 * text posted by several accounts in full-width and half-width forms */
static void s_gen_posts(gen_t *g)
{
    static const char *const promo[2] = {
        "双十一特惠：激光打印机立减２００元，详询客服！",     /* full-width digits, ：！ */
        "双十一特惠: 激光打印机立减200元,  详询客服!" };       /* half-width, extra space */
    for (int b = 0; b < BRANCHES; b++)
        for (int a = 0; a < 2; a++) {
            int st = g->slot[b][a ? T_PRE2 : T_PRE1];
            const char *staff = s_staff_code(g, st);
            char *account = s_str(g, "%s_kefu%d", s_branches[b], a + 1);
            for (char *p = account; *p; p++)   /* sh01_kefu1 */
                if (*p >= 'A' && *p <= 'Z')
                    *p = (char)(*p - 'A' + 'a');
            int64_t gone = g->staff[st].left_ms;
            int life_week = 0, bcast_month = 0, month = -1;
            for (int day = 0; day < DAYS; day++) {
                date_t d = date_add_days(g->d0, day);
                int64_t t = s_at(g, day, 8 + s_rand(g, 12), s_rand(g, 60));
                if (gone && t >= gone)
                    break;
                if (d.m != month)
                    month = d.m, bcast_month = 0;
                if (day % 7 == 0)   /* the year starts on a Monday */
                    life_week = 2 + (s_pct(g, 90) ? 1 + s_rand(g, 2) : 0);
                if (s_pct(g, 1))
                    continue;       /* a day without a post */
                int weekday = day % 7, left = 7 - weekday;
                int life = life_week > 0 && s_rand(g, left) < life_week;
                if (life) {
                    life_week--;
                    s_post(g, account, staff, t, LEDGER__POST_KIND__POST_LIFE,
                           s_str(g, "%s（%d月%d日）", names_pick(NAMES_LIFE, s_next(g)), d.m, d.d), 0);
                } else {
                    const product_t *pr = &s_products[s_rand(g, PRODUCTS)];
                    s_post(g, account, staff, t, LEDGER__POST_KIND__POST_PROMOTION,
                           s_str(g, "【%d月%d日】%s 现货，%lld元起，欢迎咨询%s门店。", d.m, d.d,
                                 pr->name, (long long)(pr->channel / 100), s_cities[b]), 0);
                }
                if (s_pct(g, 30))   /* a second post some days */
                    s_post(g, account, staff, t + 3 * HOUR_MS, LEDGER__POST_KIND__POST_OTHER,
                           s_str(g, "%s门店%d月%d日营业时间 9:00-21:00", s_cities[b], d.m, d.d), 0);
                int quota = (b == 1 && a == 0 && d.m == 12) ? 5 : 2 + (d.m % 2);
                if (d.d % 9 == 5 && bcast_month < quota) {
                    bcast_month++;
                    s_post(g, account, staff, t + HOUR_MS, LEDGER__POST_KIND__POST_PROMOTION,
                           s_str(g, "群发：%s门店%d月会员日，全场九五折。", s_cities[b], d.m), 1);
                }
                if (b == 1 && a == 0 && d.m == 12 && (d.d == 28 || d.d == 29) &&
                    bcast_month < quota) {
                    bcast_month++;   /* December's fourth and fifth broadcasts: one too many */
                    s_post(g, account, staff, t + 2 * HOUR_MS, LEDGER__POST_KIND__POST_PROMOTION,
                           s_str(g, "群发：%s门店年终清仓，最后%s天。", s_cities[b],
                                 d.d == 28 ? "三" : "两"), 1);
                }
                if (d.y == 2025 && d.m == 11 && (d.d == 8 || (d.d == 10 && a == 0))) {
                    s_post(g, account, staff, t + 4 * HOUR_MS, LEDGER__POST_KIND__POST_PROMOTION,
                           promo[(b + a + d.d) % 2], 0);
                    if (b == 0 && a == 0 && d.d == 8)
                        s_sample(g, 10, "post      %s 2025-11-08 \"%s\" (also half-width, other accounts)",
                                 account, promo[(b + a + d.d) % 2]);
                }
            }
        }
}

static void s_work(gen_t *g, int kind, int day, int b, const char *team, int author,
                   const char *text)
{
    Ledger__WorkRecord *w = s_alloc(g, sizeof *w);
    ledger__work_record__init(w);
    char date[16];
    date_format(date, sizeof date, date_add_days(g->d0, day));
    w->code = s_str(g, "WK-%06d", ++g->n_work);
    w->kind = (Ledger__WorkKind)kind;
    w->date = s_str(g, "%s", date);
    w->branch = (char *)s_branches[b];
    w->team = (char *)team;
    w->staff_code = (char *)s_staff_code(g, author);
    w->text = (char *)text;
    if (kind == LEDGER__WORK_KIND__WORK_SCRIPT_TRAINING) {
        w->n_attendee_codes = (size_t)(g->n_presale[b] + g->n_aftersale[b]);
        w->attendee_codes = s_alloc(g, w->n_attendee_codes * sizeof *w->attendee_codes);
        size_t n = 0;
        int64_t t = s_at(g, day, 9, 0);
        for (int k = 0; k < g->n_presale[b]; k++)
            if (!g->staff[g->presale[b][k]].left_ms || t < g->staff[g->presale[b][k]].left_ms)
                w->attendee_codes[n++] = g->staff[g->presale[b][k]].code;
        for (int k = 0; k < g->n_aftersale[b]; k++)
            w->attendee_codes[n++] = g->staff[g->aftersale[b][k]].code;
        w->n_attendee_codes = n;
    }
    s_push(g, B_WORK, LEDGER__RECORD__KIND_WORK, w);
}

/* s_gen_work - Saturday script training per branch, a daily log every
 * calendar day (Sundays too: a business day is a calendar day) and weekly
 * and monthly plans per team; a few of each missing: the monthly plans of
 * GZ01 售前组 in February and BJ01 售后组 in May, the trainings of BJ01 on
 * days 124 and 278 and GZ01 on day 201, about 3 % of the weekly plans and
 * 1 % of the daily logs at random */
static void s_gen_work(gen_t *g)
{
    for (int b = 0; b < BRANCHES; b++) {
        int lead = g->slot[b][T_LEAD], aft = g->slot[b][T_AFT1];
        for (int day = 0; day < DAYS; day++) {
            date_t d = date_add_days(g->d0, day);
            int weekday = day % 7;   /* 0 = Monday */
            if (d.d == 1) {
                if (!(b == 2 && d.m == 2))
                    s_work(g, LEDGER__WORK_KIND__WORK_MONTHLY_PLAN, day, b, "售前组", lead,
                           s_str(g, "%d月目标：新客户%d人，成交额%d万元", d.m, 40 + s_rand(g, 30),
                                 20 + s_rand(g, 20)));
                if (!(b == 1 && d.m == 5))
                    s_work(g, LEDGER__WORK_KIND__WORK_MONTHLY_PLAN, day, b, "售后组", aft,
                           s_str(g, "%d月目标：回访率100%%，投诉48小时内闭环", d.m));
            }
            if (weekday == 0) {
                if (!s_pct(g, 3))
                    s_work(g, LEDGER__WORK_KIND__WORK_WEEKLY_PLAN, day, b, "售前组", lead,
                           "本周：跟进意向客户，完成话术演练，老客户转介绍活动");
                if (!s_pct(g, 3))
                    s_work(g, LEDGER__WORK_KIND__WORK_WEEKLY_PLAN, day, b, "售后组", aft,
                           "本周：清理未回复工单，会员回访，投诉跟进");
            }
            if (weekday == 5 && !((b == 1 && (day == 124 || day == 278)) || (b == 2 && day == 201)))
                s_work(g, LEDGER__WORK_KIND__WORK_SCRIPT_TRAINING, day, b, "销售部", lead,
                       "每周六话术培训：开场白、需求挖掘、异议处理");
            if (!s_pct(g, 1))   /* every day, Sundays included */
                s_work(g, LEDGER__WORK_KIND__WORK_DAILY_LOG, day, b, "售前组", lead,
                       names_pick(NAMES_LOG, s_next(g)));
            if (!s_pct(g, 1))
                s_work(g, LEDGER__WORK_KIND__WORK_DAILY_LOG, day, b, "售后组", aft,
                       names_pick(NAMES_LOG, s_next(g)));
        }
    }
}

/* s_entry_cmp - entries by their own time, then as generated: a branch's
 * books arrive day by day, as a clerk enters them, so each day closes once
 * the next has begun (reconciliation) */
typedef struct { Ledger__Record *r; size_t i; } ranked_t;
static int s_entry_cmp(const void *a, const void *b)
{
    const ranked_t *x = a, *y = b;
    int64_t tx = x->r->entry->time_ms, ty = y->r->entry->time_ms;
    if (tx != ty)
        return tx < ty ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

/* s_sort_entries - the entry bucket in s_entry_cmp's order */
static void s_sort_entries(gen_t *g)
{
    size_t n = g->n_bucket[B_ENTRY];
    ranked_t *rk = xcalloc(n ? n : 1, sizeof *rk);
    for (size_t i = 0; i < n; i++)
        rk[i] = (ranked_t){ g->bucket[B_ENTRY][i], i };
    qsort(rk, n, sizeof *rk, s_entry_cmp);
    for (size_t i = 0; i < n; i++)
        g->bucket[B_ENTRY][i] = rk[i].r;
    free(rk);
}

void demo_generate(demo_t *out, uint64_t seed, int scale)
{
    memset(out, 0, sizeof *out);
    gen_t g = { .rng = seed, .scale = scale < 1 ? 1 : scale, .d = out };
    g.d0 = (date_t){ 2025, 9, 1 };
    g.end_ms = s_at(&g, DAYS, 0, 0);
    s_gen_staff(&g);
    s_gen_customers(&g);
    s_gen_partners(&g);
    s_gen_products(&g);
    s_gen_accounts(&g);
    s_gen_claims(&g);
    s_gen_contacts(&g);
    s_gen_orders(&g);
    s_gen_expenses(&g);
    s_gen_posts(&g);
    s_gen_work(&g);
    s_sort_entries(&g);
    for (int b = 0; b < B_COUNT; b++) {
        for (size_t i = 0; i < g.n_bucket[b]; i++) {
            if (out->n_records == out->cap) {
                out->cap = out->cap ? 2 * out->cap : 4096;
                out->records = xrealloc(out->records, out->cap * sizeof *out->records);
            }
            out->records[out->n_records++] = g.bucket[b][i];
        }
        free(g.bucket[b]);
    }
}

void demo_free(demo_t *d)
{
    while (d->blocks) {
        demo_block_t *next = d->blocks->next;
        free(d->blocks);
        d->blocks = next;
    }
    free(d->records);
    memset(d, 0, sizeof *d);
}

const char *demo_kind_name(int kind_case)
{
    static const char *const names[DEMO_KINDS] = {
        "?", "staff", "customer", "order", "partner", "product", "source", "payment",
        "shipment", "refund", "account", "entry", "service", "post", "work" };
    return kind_case > 0 && kind_case < DEMO_KINDS ? names[kind_case] : "?";
}

void demo_describe(char *out, size_t n, const Ledger__Record *r)
{
    const ProtobufCMessage *m = (const ProtobufCMessage *)r->staff;
    const ProtobufCFieldDescriptor *f =
        protobuf_c_message_descriptor_get_field_by_name(m->descriptor, "code");
    const char *code = f ? *(char *const *)((const char *)m + f->offset) : "?";
    if (r->kind_case == LEDGER__RECORD__KIND_ORDER) {
        char when[24];
        date_format_time(when, sizeof when, r->order->placed_ms);
        snprintf(out, n, "order %s (customer %s, placed %.16s)", code,
                 r->order->customer_code, when);
    } else
        snprintf(out, n, "%s %s", demo_kind_name(r->kind_case), code);
}
