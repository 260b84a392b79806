/* test_arena - allocations come zeroed, text is formatted whole, and one
 * fini frees them all (the sanitizer run checks nothing leaks). */
#include <criterion/criterion.h>
#include <string.h>
#include "arena.h"

Test(arena, allocations_are_zeroed_and_outlive_later_ones)
{
    arena_t a = { 0 };
    unsigned char *first = arena_alloc(&a, 100);
    for (int i = 0; i < 100; i++)
        cr_assert_eq(first[i], 0, "byte %d", i);
    memset(first, 7, 100);
    for (int i = 0; i < 1000; i++)   /* the block list grows; earlier blocks stay put */
        arena_alloc(&a, 16);
    cr_assert_eq(first[99], 7);
    cr_assert_eq(a.n, 1001);
    arena_fini(&a);
    cr_assert_eq(a.n, 0);
    cr_assert_null(a.blocks);
}

Test(arena, printf_formats_text_of_any_length)
{
    arena_t a = { 0 };
    char *s = arena_printf(&a, "%s window %04d-%02d", "O-1's", 2026, 3);
    cr_assert_str_eq(s, "O-1's window 2026-03");
    char big[3000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = 0;
    cr_assert_eq(strlen(arena_printf(&a, "%s!", big)), sizeof big);
    cr_assert_str_eq(arena_printf(&a, "%s", ""), "");
    arena_fini(&a);
}
