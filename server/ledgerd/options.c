/* options - defaults, then a config file (--config FILE, "key = value" with
 * the long flag names as keys), then command-line flags, which win. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "options.h"

static const char *s_usage =
    "Usage: ledgerd [OPTION]...\n"
    "The operations ledger's server: keeps staff, customers and orders in LMDB,\n"
    "answers requests on a ZeroMQ ROUTER and publishes every change on a PUB.\n"
    "\n"
    "  -d, --data DIR            LMDB environment directory (default " DEF_DATA_DIR ")\n"
    "  -l, --listen ENDPOINT     requests (default " DEF_LISTEN "; port * picks one)\n"
    "  -p, --publish ENDPOINT    events (default " DEF_PUBLISH ")\n"
    "  -z, --time-zone ZONE      the ledger's one time zone (default " DEF_TIME_ZONE ")\n"
    "  -k, --keys DIR            server.secret and trusted keys (default DATA/keys; make\n"
    "                            them with 'ledgerctl keys init --dir DIR')\n"
    "      --map-size-mib N      initial LMDB map size (default 64)\n"
    "      --map-max-mib N       the map grows up to this (default 65536)\n"
    "      --clock-interval S    seconds between clock events (default 60)\n"
    "      --test-clock          ledger time moves only by clock.set requests\n"
    "      --idem-days N         keep idempotency keys N days of ledger time (default 30)\n"
    "      --batch-max N         requests per group commit, at most (default 1000)\n"
    "      --batch-us N          microseconds spent draining one batch, at most (default 2000)\n"
    "  -c, --config FILE         read these settings from FILE first (key = value)\n"
    "  -q, --quiet               log warnings and errors only\n"
    "  -h, --help                show this and exit\n"
    "\n"
    "Every socket is CURVE-encrypted: a client connects with a certificate whose\n"
    "key ledgerd holds (ledgerctl keys), and its role decides what it may do.\n"
    "On start ledgerd writes DIR/ledgerd.endpoints with the bound endpoints.\n"
    "SIGTERM or SIGINT stops it cleanly. Exit: 0 stopped, 1 cannot run, 2 usage.\n";

static void s_usage_error(const char *fmt, const char *a, const char *b)
{
    fprintf(stderr, "ledgerd: ");
    fprintf(stderr, fmt, a, b);
    fprintf(stderr, "\nTry 'ledgerd --help'.\n");
    exit(2);
}

static long s_number(const char *key, const char *value, long min, long max)
{
    char *end;
    long n = strtol(value, &end, 10);
    if (!*value || *end || n < min || n > max) {
        char range[64];
        snprintf(range, sizeof range, "%ld to %ld", min, max);
        s_usage_error("--%s wants a whole number from %s", key, range);
    }
    return n;
}

static void s_copy(char *dst, size_t n, const char *key, const char *value)
{
    if (strlen(value) >= n || !*value)
        s_usage_error("--%s: value \"%s\" is empty or too long", key, value);
    strcpy(dst, value);
}

/* s_set - one setting by its long name; used by the file and the flags */
static int s_set(void *ctx, const char *key, const char *value, err_t *err)
{
    options_t *o = ctx;
    if (!strcmp(key, "data"))                s_copy(o->data_dir, sizeof o->data_dir, key, value);
    else if (!strcmp(key, "listen"))         s_copy(o->listen, sizeof o->listen, key, value);
    else if (!strcmp(key, "publish"))        s_copy(o->publish, sizeof o->publish, key, value);
    else if (!strcmp(key, "time-zone"))      s_copy(o->time_zone, sizeof o->time_zone, key, value);
    else if (!strcmp(key, "keys"))           s_copy(o->keys_dir, sizeof o->keys_dir, key, value);
    else if (!strcmp(key, "map-size-mib"))   o->map_size = (size_t)s_number(key, value, 1, 1 << 24) << 20;
    else if (!strcmp(key, "map-max-mib"))    o->map_max = (size_t)s_number(key, value, 1, 1 << 24) << 20;
    else if (!strcmp(key, "clock-interval")) o->clock_interval_s = (int)s_number(key, value, 1, 86400);
    else if (!strcmp(key, "test-clock"))     o->test_clock = (int)s_number(key, value, 0, 1);
    else if (!strcmp(key, "idem-days"))      o->idem_days = (int)s_number(key, value, 1, 3650);
    else if (!strcmp(key, "batch-max"))      o->batch_max = (int)s_number(key, value, 1, 100000);
    else if (!strcmp(key, "batch-us"))       o->batch_us = (int)s_number(key, value, 0, 1000000);
    else if (!strcmp(key, "quiet"))          o->quiet = (int)s_number(key, value, 0, 1);
    else
        return err_set(err, ERR(INVALID), "", "unknown setting \"%s\"", key);
    return 0;
}

void options_parse(options_t *o, int argc, char **argv)
{
    static const struct option longs[] = {
        { "data", required_argument, 0, 'd' },      { "listen", required_argument, 0, 'l' },
        { "publish", required_argument, 0, 'p' },   { "time-zone", required_argument, 0, 'z' },
        { "keys", required_argument, 0, 'k' },
        { "map-size-mib", required_argument, 0, 1 }, { "map-max-mib", required_argument, 0, 2 },
        { "clock-interval", required_argument, 0, 3 }, { "test-clock", no_argument, 0, 4 },
        { "idem-days", required_argument, 0, 5 },   { "batch-max", required_argument, 0, 6 },
        { "batch-us", required_argument, 0, 7 },    { "config", required_argument, 0, 'c' },
        { "quiet", no_argument, 0, 'q' },           { "help", no_argument, 0, 'h' },
        { 0, 0, 0, 0 } };
    memset(o, 0, sizeof *o);
    strcpy(o->data_dir, DEF_DATA_DIR);
    strcpy(o->listen, DEF_LISTEN);
    strcpy(o->publish, DEF_PUBLISH);
    strcpy(o->time_zone, DEF_TIME_ZONE);
    o->map_size = (size_t)DEF_MAP_MIB << 20;
    o->map_max = (size_t)DEF_MAP_MAX_MIB << 20;
    o->clock_interval_s = DEF_CLOCK_INTERVAL;
    o->idem_days = DEF_IDEM_DAYS;
    o->batch_max = DEF_BATCH_MAX;
    o->batch_us = DEF_BATCH_US;

    /* The file first, so that flags override it wherever they stand. */
    for (int i = 1; i < argc - 1; i++)
        if (!strcmp(argv[i], "--config") || !strcmp(argv[i], "-c")) {
            err_t err;
            if (config_read(argv[i + 1], s_set, o, &err) < 0)
                s_usage_error("%s: %s", err.field, err.msg);
        }
    int c;
    err_t err;
    while ((c = getopt_long(argc, argv, "d:l:p:z:k:c:qh", longs, NULL)) != -1) {
        const char *key = NULL;
        switch (c) {
        case 'd': key = "data"; break;
        case 'l': key = "listen"; break;
        case 'p': key = "publish"; break;
        case 'z': key = "time-zone"; break;
        case 'k': key = "keys"; break;
        case 1: key = "map-size-mib"; break;
        case 2: key = "map-max-mib"; break;
        case 3: key = "clock-interval"; break;
        case 4: o->test_clock = 1; break;
        case 5: key = "idem-days"; break;
        case 6: key = "batch-max"; break;
        case 7: key = "batch-us"; break;
        case 'c': break;
        case 'q': o->quiet = 1; break;
        case 'h': fputs(s_usage, stdout); exit(0);
        default: fprintf(stderr, "Try 'ledgerd --help'.\n"); exit(2);
        }
        if (key)
            s_set(o, key, optarg, &err);
    }
    if (optind < argc)
        s_usage_error("unexpected argument \"%s\"%s", argv[optind], "");
    if (!o->keys_dir[0] && snprintf(o->keys_dir, sizeof o->keys_dir, "%s/keys", o->data_dir) >=
                               (int)sizeof o->keys_dir)
        s_usage_error("--data: \"%s\" is too long%s", o->data_dir, "");
    if (o->map_max < o->map_size)
        o->map_max = o->map_size;
}
