/* fold - texts folded for sameness with libunistring: u8_normalize to NFKC,
 * then a pass that drops every code point with the Unicode White_Space
 * property. Valid UTF-8 is checked first, so libunistring only ever sees
 * text and a NULL result means one thing to the caller. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unictype.h>
#include <uninorm.h>
#include <unistr.h>
#include "fold.h"
#include "log.h"
#include "xmalloc.h"

/* fold_text - NFKC of text without its white space; NULL on invalid UTF-8 */
char *fold_text(const char *text, size_t len)
{
    assert(text || len == 0);
    const uint8_t *s = (const uint8_t *)text;
    if (len == 0)
        return xstrdup("");
    if (u8_check(s, len) != NULL)
        return NULL;

    size_t nlen = 0;
    uint8_t *norm = u8_normalize(UNINORM_NFKC, s, len, NULL, &nlen);
    /* The input is valid UTF-8, so only exhaustion fails here (xmalloc's rule). */
    if (!norm)
        log_panic("fold: u8_normalize of %zu bytes: out of memory", len);

    /* NFKC first: it turns U+3000 and NBSP into U+0020, which then goes too. */
    char *out = xmalloc(nlen + 1);
    size_t n = 0;
    for (size_t i = 0; i < nlen;) {
        ucs4_t uc;
        int k = u8_mbtouc(&uc, norm + i, nlen - i);
        if (!uc_is_property_white_space(uc)) {
            memcpy(out + n, norm + i, (size_t)k);
            n += (size_t)k;
        }
        i += (size_t)k;
    }
    out[n] = '\0';
    free(norm);
    return out;
}
