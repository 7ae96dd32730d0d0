/* suffix — the English word forms a word without a vector can borrow one
 * from: the back-off of emojify (--backoff suffix).
 *
 * Published vector tables miss many inflected and derived words that
 * their stems have (the GloVe subset has love but not lovely, mess but not
 * messing, congratulations but not congratulation).  suffix_forms takes
 * one suffix off a lower-case word (the longest of a fixed list that
 * leaves at least three bytes; no -s after an s) and lists, best first, the forms that stem
 * may be found under:
 *   stem + y, stem + ie   after -ies, -ied, -ily, -ier, -iest (puppies:
 *                puppy, cookies: cookie)
 *   stem + e, then stem, when the stem ends consonant, vowel, consonant
 *                (boring: bore, loser: lose, lovely: love); else stem,
 *                then stem + e (messing: mess, brighten: bright)
 *   stem less a doubled last consonant (planning: plan)
 *   stem + each suffix of the list, in list order (congratulation:
 *                congratulations, humiliated: humiliation)
 * The word itself and repeats are left out.  A word with no suffix on the
 * list gives none. */
#ifndef SEQTOOL_SUFFIX_H
#define SEQTOOL_SUFFIX_H

#include <stddef.h>

#define SUFFIX_WORD_MAX 64      /* longest form, with its NUL */
#define SUFFIX_FORMS_MAX 40

/* Fill forms with up to max NUL-terminated forms of word (len bytes);
 * returns how many. */
int suffix_forms(const char *word, size_t len, char forms[][SUFFIX_WORD_MAX], int max);

#endif
