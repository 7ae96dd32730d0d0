/* suffix — word forms for the back-off of words without a vector; see
 * suffix.h. */
#include "suffix.h"

#include <string.h>

#define STEM_MIN 3

/* Longest first, so that -ations wins over -s. */
static const char *const suffixes[] = {
    "ations", "ation", "ments", "ment", "ness", "iest", "ies", "ied", "ier", "ily",
    "ing", "ers", "est", "ity", "ed", "es", "er", "ly", "en", "s",
};
#define NSUFFIXES (int)(sizeof suffixes / sizeof *suffixes)

/* Suffixes whose "i" stands for a stem's "y" (or an "ie"). */
static int from_y(const char *suf)
{
    return suf[0] == 'i' && strcmp(suf, "ing") != 0 && strcmp(suf, "ity") != 0;
}

static int is_vowel(char c) { return strchr("aeiouy", c) != NULL; }

typedef struct {
    char (*forms)[SUFFIX_WORD_MAX];
    int n, max;
    const char *word;
    size_t len;
} form_list;

/* Add stem[0..n) + tail unless it is too long, the word, or a repeat. */
static void add(form_list *l, const char *stem, size_t n, const char *tail)
{
    size_t t = strlen(tail);
    if (l->n >= l->max || n + t >= SUFFIX_WORD_MAX)
        return;
    char *f = l->forms[l->n];
    memcpy(f, stem, n);
    memcpy(f + n, tail, t + 1);
    if (n + t == l->len && memcmp(f, l->word, l->len) == 0)
        return;
    for (int i = 0; i < l->n; i++)
        if (strcmp(l->forms[i], f) == 0)
            return;
    l->n++;
}

int suffix_forms(const char *word, size_t len, char forms[][SUFFIX_WORD_MAX], int max)
{
    form_list l = {forms, 0, max, word, len};
    const char *suf = NULL;
    size_t n = 0;
    for (int i = 0; i < NSUFFIXES && !suf; i++) {
        size_t s = strlen(suffixes[i]);
        int ss = s == 1 && len >= 2 && word[len - 2] == 's'; /* boss, less */
        if (len >= s + STEM_MIN && !ss && memcmp(word + len - s, suffixes[i], s) == 0) {
            suf = suffixes[i];
            n = len - s;
        }
    }
    if (!suf)
        return 0;
    if (from_y(suf)) {
        add(&l, word, n, "y");
        add(&l, word, n, "ie");
    }
    /* A stem ending consonant, vowel, consonant most likely lost an e
     * (bor-ing, lov-ely); others most likely did not (mess-ing). */
    int cvc = !is_vowel(word[n - 3]) && is_vowel(word[n - 2]) && !is_vowel(word[n - 1]) &&
              !strchr("wxy", word[n - 1]);
    add(&l, word, n, cvc ? "e" : "");
    add(&l, word, n, cvc ? "" : "e");
    if (n > STEM_MIN && word[n - 1] == word[n - 2] && !is_vowel(word[n - 1]))
        add(&l, word, n - 1, "");
    for (int i = 0; i < NSUFFIXES; i++)
        add(&l, word, n, suffixes[i]);
    return l.n;
}
