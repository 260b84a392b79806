/* store - full durability flags, counters read back at open, map growth. */
#include <criterion/criterion.h>
#include <string.h>
#include "fixture.h"

Test(store, the_environment_is_fully_durable)
{
    fixture_t f;
    fixture_open(&f, 1);
    unsigned flags;
    cr_assert_eq(mdb_env_get_flags(f.store->env, &flags), 0);
    cr_assert_eq(flags & MDB_NOSYNC, 0, "MDB_NOSYNC is set");
    cr_assert_eq(flags & MDB_NOMETASYNC, 0, "MDB_NOMETASYNC is set");
    cr_assert_eq(flags & MDB_WRITEMAP, 0, "MDB_WRITEMAP is set");
    cr_assert_eq(flags & MDB_MAPASYNC, 0, "MDB_MAPASYNC is set");
    fixture_close(&f);
}

Test(store, counters_and_ledger_time_survive_a_reopen)
{
    fixture_t f;
    fixture_open(&f, 1);
    Ledger__ClockSet req = LEDGER__CLOCK_SET__INIT;
    req.meta = fixture_meta("t");
    req.time_ms = 5000;
    err_t err;
    cr_assert_eq(fixture_call(&f, FRAME_CLOCK_SET, &req.base, NULL, NULL, &err), 0);
    fixture_add_staff(&f, "S-1", "员工", "SH");
    fixture_add_staff(&f, "S-2", "员工", "SH");
    dispatch_destroy(&f.d);
    store_destroy(&f.store);
    f.store = store_open(f.dir, f.opt.map_size, f.opt.map_max);
    f.d = dispatch_new(f.store, &f.opt, NULL, NULL);
    cr_assert_eq(f.store->counters.last_seq, 3);
    cr_assert_eq(f.store->counters.last_id[KIND_STAFF], 2);
    cr_assert_eq(f.store->counters.ledger_ms, 5000);
    cr_assert_eq(fixture_add_staff(&f, "S-3", "员工", "SH"), 3);
    fixture_close(&f);
}

Test(store, the_map_grows_when_full_and_nothing_is_lost)
{
    fixture_t f;
    fixture_open(&f, 1);
    size_t start = f.store->map_size;
    char code[16];
    /* 1 MiB map: a few thousand customers overflow it several times. */
    for (int i = 1; i <= 3000; i++) {
        snprintf(code, sizeof code, "C-%d", i);
        fixture_add_customer(&f, code, "一个名字比较长的客户，为了更快地填满存储空间", "SH");
    }
    cr_assert_gt(f.store->map_size, start, "the map never grew");
    cr_assert_eq(f.store->counters.last_seq, 3000);
    MDB_txn *txn;
    mdb_txn_begin(f.store->env, NULL, MDB_RDONLY, &txn);
    cr_assert_eq(store_code_id(f.store, txn, KIND_CUSTOMER, "C-3000"), 3000);
    cr_assert_eq(store_code_id(f.store, txn, KIND_CUSTOMER, "C-1"), 1);
    mdb_txn_abort(txn);
    fixture_close(&f);
}
