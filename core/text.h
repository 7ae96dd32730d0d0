/* text — line readers, UTF-8, and character vocabularies. */
#ifndef SEQTOOL_TEXT_H
#define SEQTOOL_TEXT_H

#include "error.h"

#include <stddef.h>
#include <stdio.h>

/* All lines of a stream, without their "\n" or "\r\n". */
typedef struct {
    char **line;
    size_t *len;
    int n, cap;
} text_lines;

/* Read every line of f.  Fails (-1, message in err, with the line number)
 * on a NUL byte or invalid UTF-8 ("binary data"), or a line longer than
 * max_len bytes (read no further than that, so that a huge line costs no
 * more memory than max_len).  0 on success. */
int text_read_lines(FILE *f, size_t max_len, text_lines *out, char *err);
void text_lines_free(text_lines *t);

/* 1 when s holds only spaces and tabs (or nothing). */
int text_is_blank(const char *s);
/* 1 when s ends with suffix. */
int text_ends_with(const char *s, const char *suffix);
/* The index of s among the n names (an option's words), or -1. */
int text_index_of(const char *const *names, int n, const char *s);

/* Decode one UTF-8 code point from s (n bytes left): its length, or -1. */
int utf8_decode(const char *s, size_t n, int *cp);
/* 1 when s[0..n) is UTF-8 without NUL bytes, else 0. */
int utf8_valid(const char *s, size_t n);
/* s[0..n) with every byte that is not part of valid UTF-8 (and every NUL)
 * replaced by U+FFFD, into out (room for 3 n + 1 bytes), NUL-terminated;
 * returns the length. */
size_t utf8_repair(const char *s, size_t n, char *out);
/* Encode cp into out (4 bytes room); returns the length. */
int utf8_encode(int cp, char *out);

/* A vocabulary of code points, kept sorted, id = position. */
#define VOCAB_MAX 4096
typedef struct {
    int n;
    int cp[VOCAB_MAX];
} vocab;

/* Add a code point (no-op when present); 0, or -1 when full. */
int vocab_add(vocab *v, int cp);
/* Id of cp, or -1. */
int vocab_id(const vocab *v, int cp);
/* The vocabulary as a UTF-8 string of its characters in id order
 * (caller frees), and back (-1 on invalid or unsorted input). */
char *vocab_to_utf8(const vocab *v);
int vocab_from_utf8(vocab *v, const char *s);

/* Numbers as text, for vector files.
 * float_parse reads one decimal number (sign, digits, point, exponent,
 * also inf and nan) from s, stopping at end or at the first byte that
 * cannot continue it; the result is exactly what strtof gives.  Returns the
 * end of the number, or NULL when there is none.
 * float_format writes the shortest decimal that float_parse (and strtof)
 * reads back as exactly x, %g-style (at most 15 bytes plus NUL); returns
 * its length. */
#define FLOAT_TEXT_MAX 16
const char *float_parse(const char *s, const char *end, float *out);
int float_format(float x, char *buf);
/* The blank-separated numbers from s to the end of its line (a "\n", not
 * consumed, or end; "\r" counts as a blank): the first max go to out,
 * *count says how many there were.  Returns where it stopped: the "\n" or
 * end, or the first word that is not a number, or after FLOAT_LINE_MAX + 1
 * numbers (*count is then FLOAT_LINE_MAX + 1: no line anyone reads holds
 * more, and a line of gigabytes is not read to its end). */
#define FLOAT_LINE_MAX (1 << 20)
const char *float_parse_line(const char *s, const char *end, float *out, int max, int *count);

/* Words of a sentence, cut the way GloVe's (Stanford, Penn Treebank style)
 * tokenizer cuts English, so that more of them have a vector: split on
 * blanks; ASCII letters lower-cased and U+2019 read as an apostrophe;
 * punctuation at either end of a word is a word of its own (a run of
 * periods stays one word; a word of punctuation only, ":)", stays whole);
 * the clitics n't 's 'm 'd 're 've 'll are cut off ("don't" gives "do"
 * "n't", "she's" "she" "'s").  buf receives the normalized copy (room for
 * n + 1 bytes); word[i], len[i] point into it (not NUL-terminated).  At
 * most max words are kept (a sentence of n bytes has at most n); returns
 * how many. */
int text_words(const char *s, size_t n, char *buf, const char **word, int *len, int max);

#endif
