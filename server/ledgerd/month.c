/* month - closing a month for statements. month.close stores who closed
 * which month when, and appends a "month.closed" event; the commission
 * worker settles the month's payable lines into statements when it reads
 * it. Months close in order, each once, and only after they have ended in
 * ledger time, so a statement never misses a line of its own month. */
#include <stdio.h>
#include <string.h>
#include "date.h"
#include "eventlog.h"
#include "policy.h"
#include "validate.h"

/* s_next_month - the month after "YYYY-MM" */
static void s_next_month(char out[8], const char *month)
{
    int y, m;
    sscanf(month, "%4d-%2d", &y, &m);
    snprintf(out, 8, "%04d-%02d", m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1);
}

/* s_last_closed - the latest closed month into out, 0 when none is */
static int s_last_closed(apply_t *a, char out[8])
{
    MDB_cursor *c;
    MDB_val k, v;
    if (mdb_cursor_open(a->txn, a->store->months, &c))
        return 0;
    int found = mdb_cursor_get(c, &k, &v, MDB_LAST) == 0 && k.mv_size == 7;
    if (found) {
        memcpy(out, k.mv_data, 7);
        out[7] = 0;
    }
    mdb_cursor_close(c);
    return found;
}

int month_close(apply_t *a, const ProtobufCMessage *req, err_t *err)
{
    const Ledger__MonthClose *r = (const void *)req;
    if (validate_text(r->month, "month", 1, 7, err) < 0)
        return -1;
    if (!policy_month_valid(r->month))
        return err_set(err, ERR(INVALID), "month", "a month is YYYY-MM, got \"%s\"", r->month);
    char now[8], last[8], next[8];
    date_t today = date_of(a->counters.ledger_ms);
    snprintf(now, sizeof now, "%04d-%02d", today.y, today.m);
    if (strcmp(r->month, now) >= 0)
        return err_set(err, ERR(INVALID), "month",
                       "%s has not ended: ledger time is in %s", r->month, now);
    MDB_val v;
    if (store_get(a->txn, a->store->months, r->month, 7, &v, NULL) == 0)
        return err_set(err, ERR(DUPLICATE), "month", "%s is closed already", r->month);
    if (s_last_closed(a, last)) {
        s_next_month(next, last);
        if (strcmp(r->month, next) != 0)
            return err_set(err, ERR(CONFLICT), "month",
                           "months close in order: the last closed is %s, so %s is next",
                           last, next);
    }
    Ledger__MonthClosed mc = LEDGER__MONTH_CLOSED__INIT;
    mc.month = r->month;
    mc.closed_ms = a->counters.ledger_ms;
    mc.actor = (char *)a->actor;
    mc.seq = a->counters.last_seq + 1;   /* the event appended next */
    Ledger__Event ev = LEDGER__EVENT__INIT;
    ev.kind = "month.closed";
    ev.entity_code = r->month;
    ev.body_case = LEDGER__EVENT__BODY_MONTH;
    ev.month = &mc;
    if (store_put_msg(a->store, a->txn, a->store->months, r->month, 7, &mc.base, 0, err) < 0 ||
        eventlog_append(a, &ev, err) < 0)
        return -1;
    apply_reply(a, &mc.base);
    return 0;
}
