/* test_fold - NFKC plus white-space removal, as compliance compares texts. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include "fold.h"

/* s_fold - fold_text of a NUL-terminated string; fails the test on NULL */
static char *s_fold(const char *text)
{
    char *got = fold_text(text, strlen(text));
    cr_assert_not_null(got, "fold_text(\"%s\"): got NULL, want a string", text);
    return got;
}

/* s_assert_folds_to - text folds to want */
static void s_assert_folds_to(const char *text, const char *want)
{
    char *got = s_fold(text);
    cr_assert_str_eq(got, want, "fold_text(\"%s\"): got \"%s\", want \"%s\"", text, got, want);
    free(got);
}

Test(fold, demo_full_width_and_half_width_forms_fold_equal)
{
    char *a = s_fold("双十一特惠：激光打印机立减２００元，详询客服！");
    char *b = s_fold("双十一特惠: 激光打印机立减200元,  详询客服!");
    cr_assert_str_eq(a, b, "got \"%s\" and \"%s\", want equal", a, b);
    cr_assert_str_eq(a, "双十一特惠:激光打印机立减200元,详询客服!", "got \"%s\"", a);
    free(a);
    free(b);
}

Test(fold, full_width_letters_and_digits_become_ascii)
{
    s_assert_folds_to("ＡＢＣ１２３", "ABC123");
}

Test(fold, removes_every_kind_of_white_space)
{
    static const struct { const char *text; const char *want; } cases[] = {
        { "a\xe3\x80\x80" "b", "ab" },          /* U+3000 ideographic space */
        { "a\tb", "ab" },
        { "a\nb\r\n", "ab" },
        { "a\xc2\xa0" "b", "ab" },              /* U+00A0 no-break space */
        { " a  b ", "ab" },
        { " \t\n\xe3\x80\x80\xc2\xa0", "" },    /* nothing but white space */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        s_assert_folds_to(cases[i].text, cases[i].want);
}

Test(fold, one_changed_character_keeps_texts_different)
{
    char *a = s_fold("双十一特惠：激光打印机立减２００元，详询客服！");
    char *b = s_fold("双十一特惠：激光打印机立减３００元，详询客服！");
    cr_assert_str_neq(a, b, "got \"%s\" for both, want different", a);
    free(a);
    free(b);
}

Test(fold, empty_text_folds_to_empty_string)
{
    s_assert_folds_to("", "");
    char *got = fold_text(NULL, 0);
    cr_assert_not_null(got, "fold_text(NULL, 0): got NULL, want \"\"");
    cr_assert_str_eq(got, "");
    free(got);
}

Test(fold, invalid_utf8_gives_null)
{
    static const char *cases[] = {
        "\xff\xfe",
        "abc\xe6\xbf",          /* truncated three-byte sequence */
        "\xc0\xaf",             /* overlong '/' */
        "\xed\xa0\x80",         /* UTF-16 surrogate U+D800 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *got = fold_text(cases[i], strlen(cases[i]));
        cr_assert_null(got, "fold_text(case %zu): got \"%s\", want NULL", i, got);
    }
}

Test(fold, compatibility_characters_take_their_plain_form)
{
    s_assert_folds_to("①", "1");
    s_assert_folds_to("ｶ", "カ");
    s_assert_folds_to("ｶﾞ", "ガ");              /* half-width voiced mark composes */
}

Test(fold, reads_len_bytes_not_up_to_a_nul)
{
    char *got = fold_text("ab cd", 4);
    cr_assert_not_null(got, "fold_text(\"ab cd\", 4): got NULL");
    cr_assert_str_eq(got, "abc", "fold_text(\"ab cd\", 4): got \"%s\", want \"abc\"", got);
    free(got);
}
