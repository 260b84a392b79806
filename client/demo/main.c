/* ledger-demo - load the generated demo data set (gen.c) into a running
 * ledgerd and say what it loaded. The records go in record.batch requests
 * of CHUNK records, each all or nothing under an idempotency key made of
 * the seed, the scale and the chunk's number, so running it again writes
 * nothing twice. What the records mean is gen.c's business; sending them,
 * reporting a refusal against the record at fault, and the summary are this
 * file's. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "client.h"
#include "date.h"
#include "demo.h"
#include "frame.h"

#define ACTOR       "ledger-demo"   /* idempotency keys are scoped to it */
#define CHUNK       5000            /* records per record.batch */
#define HELLO_MS    3000
#define BATCH_MS    120000          /* a sanitizer build takes its time */
#define SCALE_MAX   100

enum { EXIT_OK, EXIT_REFUSED, EXIT_USAGE, EXIT_UNREACHABLE };

static const char *s_usage =
    "Usage: ledger-demo [OPTION]...\n"
    "Generates the demo data set (three branches, staff, customers, partners, products,\n"
    "a year of orders from 2025-09-01 to 2026-08-31 with payments, shipments, refunds,\n"
    "finance entries, service events, WeChat posts and work records) and loads it into\n"
    "a running ledgerd, then prints the counts per kind, the dates and a few samples.\n"
    "The same seed and scale give the same records; running it again writes nothing.\n\n"
    "  -e, --endpoint EP   ledgerd's requests (default $LEDGER_ENDPOINT or tcp://127.0.0.1:7401)\n"
    "  -s, --seed N        the random seed (default 1)\n"
    "  -n, --scale N       size: about N x 600 customers and N x 3,000 orders (1..100, default 1)\n"
    "      --json          the counts as one JSON object\n"
    "  -h, --help          show this\n\n"
    "Exit status: 0 loaded (or already there), 1 ledgerd refused a chunk (its error and\n"
    "the record at fault are printed), 2 usage, 3 ledgerd did not answer.\n";

static double s_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* s_number - a whole decimal number in [lo, hi], or -1 */
static int s_number(const char *text, unsigned long long lo, unsigned long long hi,
                    unsigned long long *out)
{
    char *end;
    if (!*text || *text == '-')
        return -1;
    *out = strtoull(text, &end, 10);
    return *end || *out < lo || *out > hi ? -1 : 0;
}

/* s_hello - the server's hello; exit code on failure */
static int s_hello(const char *ep, Ledger__HelloReply **out)
{
    err_t err;
    client_t *c = client_new(ep, ACTOR, HELLO_MS);
    if (!c) {
        fprintf(stderr, "ledger-demo: %s is not an endpoint (tcp://host:port)\n", ep);
        return EXIT_USAGE;
    }
    Ledger__Meta meta = LEDGER__META__INIT;
    Ledger__Hello h = LEDGER__HELLO__INIT;
    client_meta(c, &meta, "");
    h.meta = &meta;
    int rc = client_call(c, FRAME_HELLO, &h.base, &ledger__hello_reply__descriptor,
                         (ProtobufCMessage **)out, &err);
    client_destroy(&c);
    if (rc == 0)
        return EXIT_OK;
    if (err.code == ERR(TIMEOUT)) {
        fprintf(stderr, "ledger-demo: no reply from %s within %d ms (is ledgerd running?)\n",
                ep, HELLO_MS);
        return EXIT_UNREACHABLE;
    }
    fprintf(stderr, "ledger-demo: hello refused: %s %s: %s\n", err_code_name(err.code),
            err.field, err.msg);
    return EXIT_REFUSED;
}

/* s_refused - ledgerd's error, and the record it names mapped back to what
 * was generated ("records[123].order.lines[0].qty" in chunk 3) */
static void s_refused(const demo_t *d, size_t chunk, size_t chunks, const err_t *err)
{
    fprintf(stderr, "ledger-demo: chunk %zu of %zu refused: %s %s: %s\n", chunk + 1, chunks,
            err_code_name(err->code), err->field, err->msg);
    size_t i;
    int used = 0;
    if (sscanf(err->field, "records[%zu]%n", &i, &used) == 1 && used > 0 &&
        chunk * CHUNK + i < d->n_records) {
        char what[256];
        const char *rest = err->field + used;
        demo_describe(what, sizeof what, d->records[chunk * CHUNK + i]);
        fprintf(stderr, "ledger-demo: that is generated record %zu of %zu: %s; field %s\n",
                chunk * CHUNK + i + 1, d->n_records, what, *rest == '.' ? rest + 1 : "(whole record)");
    }
    if (err->code == ERR(DUPLICATE) || err->code == ERR(IDEMPOTENCY_MISMATCH))
        fprintf(stderr, "ledger-demo: this ledger holds another demo data set (another --seed or "
                "--scale, or another version of ledger-demo); load into an empty data directory\n");
    if (chunk)
        fprintf(stderr, "ledger-demo: chunks 1 to %zu are loaded and stay; the rest was not sent\n",
                chunk);
}

static void s_print(const demo_t *d, const char *ep, unsigned long long seed, int scale,
                    size_t chunks, size_t written, double secs, const Ledger__HelloReply *h,
                    int json)
{
    char from[16], to[16];
    date_format(from, sizeof from, date_of(d->from_ms));
    date_format(to, sizeof to, date_of(d->to_ms));
    if (json) {
        printf("{\"seed\":%llu,\"scale\":%d,\"records\":%zu,\"chunks\":%zu,\"written\":%zu,"
               "\"already\":%zu,\"seconds\":%.3f,\"last_seq\":%llu,\"from\":\"%s\",\"to\":\"%s\","
               "\"counts\":{", seed, scale, d->n_records, chunks, written,
               d->n_records - written, secs, (unsigned long long)h->last_seq, from, to);
        for (int k = 1; k < DEMO_KINDS; k++)
            printf("%s\"%s\":%zu", k > 1 ? "," : "", demo_kind_name(k), d->counts[k]);
        printf("}}\n");
        return;
    }
    printf("Demo data set, seed %llu, scale %d: %zu records in %zu chunks into %s\n", seed,
           scale, d->n_records, chunks, ep);
    printf("  %zu written, %zu already there, in %.2f s; ledger last seq %llu\n", written,
           d->n_records - written, secs, (unsigned long long)h->last_seq);
    printf("Records by kind:\n");
    for (int k = 1; k < DEMO_KINDS; k++)
        printf("  %-10s %6zu\n", demo_kind_name(k), d->counts[k]);
    printf("Orders placed %s to %s (%s)\n", from, to, date_zone());
    printf("Samples:\n");
    for (int i = 0; i < d->n_samples; i++)
        printf("  %s\n", d->samples[i]);
}

int main(int argc, char **argv)
{
    static const struct option longs[] = {
        { "endpoint", 1, 0, 'e' }, { "seed", 1, 0, 's' }, { "scale", 1, 0, 'n' },
        { "json", 0, 0, 'j' }, { "help", 0, 0, 'h' }, { 0, 0, 0, 0 } };
    const char *ep = getenv("LEDGER_ENDPOINT");
    unsigned long long seed = 1, scale = 1;
    int json = 0, c;
    if (!ep || !*ep)
        ep = "tcp://127.0.0.1:7401";
    while ((c = getopt_long(argc, argv, "e:s:n:h", longs, NULL)) != -1)
        switch (c) {
        case 'e': ep = optarg; break;
        case 's':
            if (s_number(optarg, 0, UINT64_MAX, &seed) < 0) {
                fprintf(stderr, "ledger-demo: --seed: '%s' is not a whole number\n", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'n':
            if (s_number(optarg, 1, SCALE_MAX, &scale) < 0) {
                fprintf(stderr, "ledger-demo: --scale: '%s' is not 1 to %d\n", optarg, SCALE_MAX);
                return EXIT_USAGE;
            }
            break;
        case 'j': json = 1; break;
        case 'h': fputs(s_usage, stdout); return EXIT_OK;
        default: fprintf(stderr, "Try 'ledger-demo --help'.\n"); return EXIT_USAGE;
        }
    if (optind < argc) {
        fprintf(stderr, "ledger-demo: unexpected argument '%s'\nTry 'ledger-demo --help'.\n",
                argv[optind]);
        return EXIT_USAGE;
    }

    Ledger__HelloReply *h = NULL;
    int rc = s_hello(ep, &h);
    if (rc != EXIT_OK)
        return rc;
    err_t err;
    /* Business times are local to the ledger's zone, so ask it which. */
    if (date_zone_set(h->time_zone, &err) < 0) {
        fprintf(stderr, "ledger-demo: ledgerd's time zone %s: %s\n", h->time_zone, err.msg);
        ledger__hello_reply__free_unpacked(h, NULL);
        return EXIT_REFUSED;
    }
    uint64_t before = h->last_seq;
    ledger__hello_reply__free_unpacked(h, NULL);
    h = NULL;

    double t0 = s_now();
    demo_t d;
    demo_generate(&d, seed, (int)scale);
    size_t chunks = (d.n_records + CHUNK - 1) / CHUNK, written = 0;
    client_t *cl = client_new(ep, ACTOR, BATCH_MS);
    rc = cl ? EXIT_OK : EXIT_USAGE;
    for (size_t k = 0; k < chunks && rc == EXIT_OK; k++) {
        char key[128];
        snprintf(key, sizeof key, "ledger-demo/v1/seed-%llu/scale-%llu/chunk-%zu-of-%zu", seed,
                 scale, k + 1, chunks);
        Ledger__Meta meta = LEDGER__META__INIT;
        Ledger__RecordBatch batch = LEDGER__RECORD_BATCH__INIT;
        client_meta(cl, &meta, key);
        batch.meta = &meta;
        batch.records = d.records + k * CHUNK;
        batch.n_records = k + 1 < chunks ? CHUNK : d.n_records - k * CHUNK;
        if (protobuf_c_message_get_packed_size(&batch.base) > FRAME_MAX_BYTES) {
            fprintf(stderr, "ledger-demo: chunk %zu is over the 16 MiB frame limit\n", k + 1);
            rc = EXIT_REFUSED;
            break;
        }
        Ledger__BatchReply *rep = NULL;
        if (client_call(cl, FRAME_RECORD_BATCH, &batch.base, &ledger__batch_reply__descriptor,
                        (ProtobufCMessage **)&rep, &err) < 0) {
            if (err.code == ERR(TIMEOUT)) {
                fprintf(stderr, "ledger-demo: no reply to chunk %zu of %zu within %d ms; run "
                        "ledger-demo again with the same --seed and --scale: what was loaded "
                        "is not written twice\n", k + 1, chunks, BATCH_MS);
                rc = EXIT_UNREACHABLE;
            } else {
                s_refused(&d, k, chunks, &err);
                rc = EXIT_REFUSED;
            }
            break;
        }
        /* A chunk loaded before answers with its first reply: seqs from then. */
        if (rep->n_items && rep->items[0]->seq > before)
            written += batch.n_records;
        ledger__batch_reply__free_unpacked(rep, NULL);
    }
    client_destroy(&cl);
    double secs = s_now() - t0;
    if (rc == EXIT_OK && (rc = s_hello(ep, &h)) == EXIT_OK) {
        s_print(&d, ep, seed, (int)scale, chunks, written, secs, h, json);
        ledger__hello_reply__free_unpacked(h, NULL);
    }
    demo_free(&d);
    return rc;
}
