/* options - ledgerd's settings: defaults, then the config file, then flags. */
#ifndef LEDGERD_OPTIONS_H
#define LEDGERD_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    char     data_dir[512];      /* LMDB environment directory */
    char     listen[256];        /* ROUTER endpoint for requests */
    char     publish[256];       /* PUB endpoint for events */
    char     time_zone[64];      /* ledger-wide zone */
    char     keys_dir[512];      /* server.secret and trusted; "" = DATA/keys */
    size_t   map_size;           /* initial LMDB map, bytes */
    size_t   map_max;            /* the map grows up to this, bytes */
    int      clock_interval_s;   /* seconds between clock events */
    int      test_clock;         /* 1: ledger time moves only by clock.set */
    int      idem_days;          /* idempotency keys kept this long (ledger time) */
    int      batch_max;          /* requests per group commit, at most */
    int      batch_us;           /* microseconds to keep draining a batch, at most */
    int      quiet;              /* no info lines */
} options_t;

#define DEF_LISTEN          "tcp://127.0.0.1:7401"
#define DEF_PUBLISH         "tcp://127.0.0.1:7402"
#define DEF_DATA_DIR        "./ledger-data"
#define DEF_TIME_ZONE       "Asia/Shanghai"
#define DEF_MAP_MIB         64
#define DEF_MAP_MAX_MIB     (64 * 1024)
#define DEF_CLOCK_INTERVAL  60
#define DEF_IDEM_DAYS       30
#define DEF_BATCH_MAX       1000
#define DEF_BATCH_US        2000

/* options_parse - defaults, --config FILE, then flags; exits 0 on --help
 * and 2 with a message on a bad flag or value */
void options_parse(options_t *out, int argc, char **argv);

#endif
