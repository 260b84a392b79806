/* test_follow - the follower against a stand-in ledgerd: a thread answering
 * replay from an in-memory log, and a PUB socket the test publishes on at
 * will (with duplicates, gaps, and nothing at all), so every path of
 * follow.c is taken on purpose. The follower must hand over exactly the
 * events that pass its filter, in seq order, each once. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <zmq.h>
#include "codec.h"
#include "follow.h"
#include "frame.h"
#include "partition.h"

#define LOG_MAX 400

typedef struct {
    void *ctx, *router, *pub;
    char listen[64], publish[64];
    pthread_t thread;
    pthread_mutex_t lock;
    Ledger__Event events[LOG_MAX + 1];   /* seq i at [i] */
    char kinds[LOG_MAX + 1][24];
    uint64_t n;                          /* last seq */
    int replays;                         /* replay requests answered */
    volatile int stop;
} fake_t;

static fake_t s_fake;

/* s_append - add an event to the log (not published) */
static void s_append(const char *kind, uint64_t partition_key)
{
    pthread_mutex_lock(&s_fake.lock);
    uint64_t seq = ++s_fake.n;
    cr_assert_leq(seq, LOG_MAX);
    snprintf(s_fake.kinds[seq], sizeof s_fake.kinds[seq], "%s", kind);
    Ledger__Event *e = &s_fake.events[seq];
    ledger__event__init(e);
    e->seq = seq;
    e->kind = s_fake.kinds[seq];
    e->partition_key = partition_key;
    e->time_ms = (int64_t)seq * 1000;
    pthread_mutex_unlock(&s_fake.lock);
}

/* s_publish - publish seq as ledgerd does: [kind NUL][header][Event] */
static void s_publish(uint64_t seq)
{
    uint8_t *body;
    size_t len = codec_pack(&s_fake.events[seq].base, &body);
    const char *kind = s_fake.kinds[seq];
    zmq_send(s_fake.pub, kind, strlen(kind) + 1, ZMQ_SNDMORE);
    frame_send(s_fake.pub, NULL, 0, FRAME_EVENT, seq, body, len, 0);
    free(body);
}

static int s_kind_passes(const Ledger__Replay *r, const char *kind)
{
    if (!r->n_kinds)
        return 1;
    for (size_t i = 0; i < r->n_kinds; i++)
        if (follow_kind_matches(r->kinds[i], kind, strlen(kind)))
            return 1;
    return 0;
}

/* s_serve - answer replay requests from the log until told to stop */
static void *s_serve(void *arg)
{
    (void)arg;
    while (!s_fake.stop) {
        zmq_pollitem_t item = { .socket = s_fake.router, .events = ZMQ_POLLIN };
        if (zmq_poll(&item, 1, 20) <= 0)
            continue;
        zmq_msg_t id, hdr, body;
        zmq_msg_init(&id);
        zmq_msg_init(&hdr);
        zmq_msg_init(&body);
        zmq_msg_recv(&id, s_fake.router, 0);
        zmq_msg_recv(&hdr, s_fake.router, 0);
        zmq_msg_recv(&body, s_fake.router, 0);
        frame_header_t h;
        err_t err;
        if (frame_decode(&h, zmq_msg_data(&hdr), zmq_msg_size(&hdr), &err) == 0 &&
            h.type == FRAME_REPLAY) {
            Ledger__Replay *r = ledger__replay__unpack(NULL, zmq_msg_size(&body),
                                                       zmq_msg_data(&body));
            pthread_mutex_lock(&s_fake.lock);
            Ledger__ReplayReply rep = LEDGER__REPLAY_REPLY__INIT;
            Ledger__Event *page[LOG_MAX];
            uint32_t max = r->max_events ? r->max_events : 1000;
            uint64_t seq = r->after_seq;
            while (seq < s_fake.n && rep.n_events < max) {
                seq++;
                Ledger__Event *e = &s_fake.events[seq];
                if (s_kind_passes(r, e->kind) &&
                    partition_matches(e->partition_key, r->partition_index, r->partition_count))
                    page[rep.n_events++] = e;
            }
            rep.events = page;
            rep.scanned_to = seq;
            rep.last_seq = s_fake.n;
            s_fake.replays++;
            uint8_t *out;
            size_t len = codec_pack(&rep.base, &out);
            pthread_mutex_unlock(&s_fake.lock);
            frame_send(s_fake.router, zmq_msg_data(&id), zmq_msg_size(&id),
                       FRAME_REPLAY | FRAME_REPLY, h.request_id, out, len, 0);
            free(out);
            ledger__replay__free_unpacked(r, NULL);
        }
        zmq_msg_close(&id);
        zmq_msg_close(&hdr);
        zmq_msg_close(&body);
    }
    return NULL;
}

static void s_setup(void)
{
    memset(&s_fake, 0, sizeof s_fake);
    pthread_mutex_init(&s_fake.lock, NULL);
    s_fake.ctx = zmq_ctx_new();
    s_fake.router = zmq_socket(s_fake.ctx, ZMQ_ROUTER);
    s_fake.pub = zmq_socket(s_fake.ctx, ZMQ_PUB);
    int linger = 0;
    zmq_setsockopt(s_fake.router, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(s_fake.pub, ZMQ_LINGER, &linger, sizeof linger);
    cr_assert_eq(zmq_bind(s_fake.router, "tcp://127.0.0.1:*"), 0);
    cr_assert_eq(zmq_bind(s_fake.pub, "tcp://127.0.0.1:*"), 0);
    size_t n = sizeof s_fake.listen;
    zmq_getsockopt(s_fake.router, ZMQ_LAST_ENDPOINT, s_fake.listen, &n);
    n = sizeof s_fake.publish;
    zmq_getsockopt(s_fake.pub, ZMQ_LAST_ENDPOINT, s_fake.publish, &n);
    pthread_create(&s_fake.thread, NULL, s_serve, NULL);
}

static void s_teardown(void)
{
    s_fake.stop = 1;
    pthread_join(s_fake.thread, NULL);
    zmq_close(s_fake.router);
    zmq_close(s_fake.pub);
    zmq_ctx_term(s_fake.ctx);
    pthread_mutex_destroy(&s_fake.lock);
}

TestSuite(follow, .init = s_setup, .fini = s_teardown, .timeout = 60);

typedef struct {
    client_t *client;
    follow_t *f;
    uint64_t got[LOG_MAX];   /* seqs handed over, in order */
    size_t n_got;
    uint64_t pos;
    int caught_up;
} reader_t;

static void s_reader(reader_t *r, char **kinds, size_t n_kinds, uint32_t index, uint32_t count,
                     uint32_t page)
{
    memset(r, 0, sizeof *r);
    r->client = client_new(s_fake.listen, "test", 5000);
    cr_assert_not_null(r->client);
    follow_opts_t o = { .client = r->client, .events_endpoint = s_fake.publish,
                        .kinds = kinds, .n_kinds = n_kinds, .partition_index = index,
                        .partition_count = count, .page = page };
    r->f = follow_new(&o, 0);
    cr_assert_not_null(r->f);
    struct timespec ts = { 0, 200 * 1000000L };   /* the subscription reaches the PUB */
    nanosleep(&ts, NULL);
}

static void s_reader_done(reader_t *r)
{
    follow_destroy(&r->f);
    client_destroy(&r->client);
}

/* s_next - one follow_next, its events recorded; the batch size returned */
static size_t s_next(reader_t *r, int wait_ms)
{
    follow_batch_t b;
    err_t err;
    cr_assert_eq(follow_next(r->f, &b, wait_ms, &err), 0, "follow_next: %s", err.msg);
    cr_assert_geq(b.pos, r->pos, "pos went back from %llu to %llu",
                  (unsigned long long)r->pos, (unsigned long long)b.pos);
    for (size_t i = 0; i < b.n; i++) {
        cr_assert_gt(b.events[i]->seq, r->pos, "seq %llu handed over at pos %llu",
                     (unsigned long long)b.events[i]->seq, (unsigned long long)r->pos);
        cr_assert_leq(b.events[i]->seq, b.pos);
        if (r->n_got)
            cr_assert_gt(b.events[i]->seq, r->got[r->n_got - 1], "out of order or repeated");
        r->got[r->n_got++] = b.events[i]->seq;
    }
    r->pos = b.pos;
    r->caught_up = b.caught_up;
    return b.n;
}

/* s_until - follow until pos reaches seq (bounded) */
static void s_until_wait(reader_t *r, uint64_t seq, int wait_ms)
{
    for (int i = 0; i < 200 && r->pos < seq; i++)
        s_next(r, wait_ms);
    cr_assert_geq(r->pos, seq, "pos %llu never reached %llu", (unsigned long long)r->pos,
                  (unsigned long long)seq);
}

static void s_until(reader_t *r, uint64_t seq)
{
    s_until_wait(r, seq, 20);
}

/* s_want - the seqs of the log that pass the filter, to compare with */
static size_t s_want(uint64_t *want, const char *kind, uint32_t index, uint32_t count)
{
    size_t n = 0;
    for (uint64_t s = 1; s <= s_fake.n; s++)
        if ((!kind || follow_kind_matches(kind, s_fake.kinds[s], strlen(s_fake.kinds[s]))) &&
            partition_matches(s_fake.events[s].partition_key, index, count))
            want[n++] = s;
    return n;
}

static void s_assert_got(const reader_t *r, const char *kind, uint32_t index, uint32_t count)
{
    uint64_t want[LOG_MAX];
    size_t n = s_want(want, kind, index, count);
    cr_assert_eq(r->n_got, n, "got %zu events, want %zu", r->n_got, n);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(r->got[i], want[i], "event %zu: got seq %llu, want %llu", i,
                     (unsigned long long)r->got[i], (unsigned long long)want[i]);
}

/* s_mixed - n events: orders of customers 1..7, clocks, staff */
static void s_mixed(int n)
{
    static const char *const kinds[] = { "order.created", "clock", "staff.created",
                                         "order.amended", "orders.x" };
    for (int i = 0; i < n; i++)
        s_append(kinds[i % 5], kinds[i % 5][0] == 'o' ? (uint64_t)(i % 7) + 1 : 0);
}

Test(follow, catches_up_in_pages_then_takes_live_events_without_repeats)
{
    char *kinds[] = { "order" };
    reader_t r;
    s_mixed(25);
    s_reader(&r, kinds, 1, 0, 0, 4);
    s_until(&r, 25);
    cr_assert(r.caught_up);
    cr_assert_geq(s_fake.replays, 3, "10 matching events in pages of 4 take 3 replays or more");

    /* Live: 26..35, with 24 and 25 published again (seen already: dropped).
     * All of it arrives contiguous, so no replay is needed for it. */
    int replays = s_fake.replays;
    s_mixed(10);
    for (uint64_t s = 24; s <= 35; s++)
        s_publish(s);
    s_until_wait(&r, 35, 2000);
    s_assert_got(&r, "order", 0, 0);
    cr_assert_eq(s_fake.replays, replays, "live events were taken from the PUB stream");
    s_reader_done(&r);
}

Test(follow, fills_a_gap_in_live_events_from_the_log)
{
    reader_t r;
    s_mixed(5);
    s_reader(&r, NULL, 0, 0, 0, 100);
    s_until(&r, 5);
    int replays = s_fake.replays;
    s_mixed(10);   /* 6..15; 8..12 are lost on the way */
    for (uint64_t s = 6; s <= 15; s++)
        if (s < 8 || s > 12)
            s_publish(s);
    s_until(&r, 15);
    s_assert_got(&r, NULL, 0, 0);
    cr_assert_gt(s_fake.replays, replays, "the gap was filled by a replay");
    s_reader_done(&r);
}

Test(follow, an_idle_follower_notices_an_event_that_was_never_published)
{
    reader_t r;
    s_mixed(3);
    s_reader(&r, NULL, 0, 0, 0, 100);
    s_until(&r, 3);
    s_append("order.created", 5);   /* seq 4: in the log, never published */
    s_next(&r, 20);                 /* nothing live within 20 ms: ask the log */
    cr_assert_eq(r.pos, 4);
    s_assert_got(&r, NULL, 0, 0);
    s_reader_done(&r);
}

Test(follow, a_partitioned_follower_gets_its_keys_and_key_zero_from_replay_and_live)
{
    char *kinds[] = { "order", "clock" };
    reader_t r;
    s_mixed(30);
    s_reader(&r, kinds, 2, 1, 3, 7);
    s_until(&r, 30);
    s_mixed(30);
    for (uint64_t s = 31; s <= 60; s++)
        s_publish(s);
    s_until(&r, 60);
    uint64_t want[LOG_MAX];
    size_t n = 0;
    for (uint64_t s = 1; s <= s_fake.n; s++) {
        const char *k = s_fake.kinds[s];
        int kind_ok = follow_kind_matches("order", k, strlen(k)) ||
                      follow_kind_matches("clock", k, strlen(k));
        if (kind_ok && partition_matches(s_fake.events[s].partition_key, 1, 3))
            want[n++] = s;
    }
    cr_assert_eq(r.n_got, n, "got %zu, want %zu", r.n_got, n);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(r.got[i], want[i]);
    s_reader_done(&r);
}

Test(follow, kind_filters_name_a_kind_or_its_family_only)
{
    cr_assert(follow_kind_matches("order", "order", 5));
    cr_assert(follow_kind_matches("order", "order.created", 13));
    cr_assert_not(follow_kind_matches("order", "orders.x", 8));
    cr_assert_not(follow_kind_matches("order.created", "order", 5));
}
