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

Test(store, a_full_map_that_cannot_grow_refuses_writes_and_keeps_serving)
{
    fixture_t f;
    fixture_open(&f, 1);
    f.store->map_max = f.store->map_size;   /* 1 MiB, and no more */
    char code[16], idem[16];
    err_t err = { 0 };
    int i, rc = 0;
    for (i = 1; i <= 5000 && rc == 0; i++) {
        snprintf(code, sizeof code, "C-%d", i);
        snprintf(idem, sizeof idem, "k%d", i);
        Ledger__Customer c = LEDGER__CUSTOMER__INIT;
        c.code = code;
        c.name = "一个名字比较长的客户，为了更快地填满存储空间";
        c.branch = "SH";
        Ledger__CustomerAdd req = LEDGER__CUSTOMER_ADD__INIT;
        req.meta = fixture_meta(idem);
        req.customer = &c;
        rc = fixture_call(&f, FRAME_CUSTOMER_ADD, &req.base, NULL, NULL, &err);
    }
    cr_assert_eq(rc, -1, "1 MiB never filled");
    cr_assert_eq(err.code, ERR(STORAGE_FULL), "got %s: %s", err_code_name(err.code), err.msg);
    uint64_t seq = fixture_last_seq(&f);
    cr_assert_eq(seq, (uint64_t)i - 2, "every write before the full one is there");
    Ledger__Hello hello = LEDGER__HELLO__INIT;
    hello.meta = fixture_meta(NULL);
    cr_assert_eq(fixture_call(&f, FRAME_HELLO, &hello.base, NULL, NULL, &err), 0,
                 "reads still answered");
    /* Space returns (a larger --map-max-mib): writes go through again. */
    f.store->map_max = (size_t)1 << 30;
    fixture_add_customer(&f, "C-after", "客户", "SH");
    cr_assert_eq(fixture_last_seq(&f), seq + 1);
    fixture_close(&f);
}
