/* clock - the ledger's time. Rules judge deadlines against clock events in
 * the log, never against a wall clock, so a replay decides the same way.
 * Only this file reads the wall clock, and only to move ledger time on. */
#include <time.h>
#include "clock.h"
#include "eventlog.h"

int64_t clock_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void clock_advance(apply_t *a)
{
    if (a->opt->test_clock)
        return;
    int64_t now = clock_wall_ms();
    if (now > a->counters.ledger_ms)
        a->counters.ledger_ms = now;
}

static int s_append(apply_t *a, int64_t previous, err_t *err)
{
    Ledger__Clock c = LEDGER__CLOCK__INIT;
    c.previous_ms = previous;
    Ledger__Event ev = LEDGER__EVENT__INIT;
    ev.kind = "clock";
    ev.body_case = LEDGER__EVENT__BODY_CLOCK;
    ev.clock = &c;
    return eventlog_append(a, &ev, err);
}

int clock_tick(apply_t *a, err_t *err)
{
    int64_t previous = a->counters.ledger_ms;
    clock_advance(a);
    return s_append(a, previous, err);
}

/* clock_set - test-clock mode: move ledger time to the given instant */
int clock_set(apply_t *a, const ProtobufCMessage *req, err_t *err)
{
    const Ledger__ClockSet *r = (const void *)req;
    if (!a->opt->test_clock)
        return err_set(err, ERR(FORBIDDEN), "", "ledger time is set by hand only when ledgerd "
                       "runs with --test-clock");
    if (r->time_ms < a->counters.ledger_ms)
        return err_set(err, ERR(INVALID), "time_ms",
                       "ledger time never goes back: it is %lld, asked for %lld",
                       (long long)a->counters.ledger_ms, (long long)r->time_ms);
    int64_t previous = a->counters.ledger_ms;
    a->counters.ledger_ms = r->time_ms;
    if (s_append(a, previous, err) < 0)
        return -1;
    Ledger__ClockReply rep = LEDGER__CLOCK_REPLY__INIT;
    rep.ledger_time_ms = a->counters.ledger_ms;
    rep.seq = a->counters.last_seq;
    apply_reply(a, &rep.base);
    return 0;
}
