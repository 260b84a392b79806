/* fold - a text reduced to the form compliance compares for sameness
 * ("the same promotional text" posted twice): Unicode NFKC, so full-width
 * and half-width forms match, with all white space removed. Deciding which
 * texts to compare, and what counts as a repeat, is the caller's. */
#ifndef LEDGER_FOLD_H
#define LEDGER_FOLD_H

#include <stddef.h>

/* fold_text - text (UTF-8) as compared for sameness: Unicode NFKC, then every
 * white-space character removed (Chinese text has no spaces between words, so
 * spacing never makes two texts different). A newly allocated NUL-terminated
 * string (caller frees), or NULL when text is not valid UTF-8. */
char *fold_text(const char *text, size_t len);

#endif
