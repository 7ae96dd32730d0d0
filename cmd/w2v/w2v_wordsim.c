/* w2v_wordsim — `seqtool w2v similarity --eval`: word-similarity test
 * sets (WordSim353, SimLex-999: two words and a score per line, '#'
 * comments) scored under the protocol of gensim's
 * KeyedVectors.evaluate_word_pairs:
 *   - only the first N words count (restrict-vocab, 300000 by default);
 *     a pair with a word outside them is left out and counted;
 *   - with case folding, words are compared upper-cased, and a folded form
 *     stands for the first of the first N words that folds to it;
 *   - the model's score of a pair is the cosine of its two vectors, and
 *     Spearman's rank correlation (and Pearson's) compares those with the
 *     file's scores. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "text.h"
#include "w2v.h"

#define WORDSIM_DEFAULT_RESTRICT 300000

typedef struct {
    long n, oov;        /* pairs scored, pairs left out */
    double *gold, *cos; /* [n] */
} scores;

/* "W1 W2 SCORE", fields separated by tabs or spaces: 0, or -1 when the
 * line is not two words and a number. */
static int parse_pair(char *line, char **a, char **b, double *score)
{
    char *tok[4], *end;
    int n = 0;
    for (char *p = strtok(line, " \t"); p && n < 4; p = strtok(NULL, " \t"))
        tok[n++] = p;
    if (n != 3)
        return -1;
    *score = strtod(tok[2], &end);
    if (end == tok[2] || *end || !isfinite(*score))
        return -1;
    *a = tok[0];
    *b = tok[1];
    return 0;
}

/* The row of word among the first limit words (through keys), or -1. */
static long find(const options *o, const word_index *keys, const long *key_row, const char *word)
{
    char *k = w2v_fold(word, o->fold_case);
    long id = word_index_find(keys, k, strlen(k));
    free(k);
    return id >= 0 ? key_row[id] : -1;
}

static void score_pairs(const options *o, const vectors *v, long limit, scores *s)
{
    text_lines t;
    const char *name = cli_display_name(o->questions);
    cli_read_lines(o->questions, W2V_LINE_MAX, &t);
    word_index keys;
    long *key_row = w2v_fold_keys(v, limit, o->fold_case, &keys);
    memset(s, 0, sizeof *s);
    s->gold = malloc(((size_t)t.n + 1) * sizeof *s->gold);
    s->cos = malloc(((size_t)t.n + 1) * sizeof *s->cos);
    if (!s->gold || !s->cos)
        die("out of memory");
    long malformed = 0, first_malformed = 0;
    for (int i = 0; i < t.n; i++) {
        char *a, *b;
        double score;
        if (w2v_skip_line(t.line[i]))
            continue;
        if (parse_pair(t.line[i], &a, &b, &score) < 0) {
            if (malformed++ == 0)
                first_malformed = i + 1;
            continue;
        }
        long ra = find(o, &keys, key_row, a), rb = find(o, &keys, key_row, b);
        if (ra < 0 || rb < 0) {
            s->oov++;
            continue;
        }
        s->gold[s->n] = score;
        s->cos[s->n++] = vec_cosine(vectors_row(v, ra), vectors_row(v, rb), v->dim);
    }
    if (malformed && !o->quiet)
        warn("'%s': skipped %ld line(s) that are not two words and a score, the first is line %ld", name,
             malformed, first_malformed);
    if (s->n + s->oov == 0)
        die("'%s': no pairs (two words and a score per line)", name);
    if (s->n < 2)
        die("'%s': %ld of %ld pairs have both words among the first %ld; a correlation needs 2", name, s->n,
            s->n + s->oov, limit);
    text_lines_free(&t);
    word_index_free(&keys);
    free(key_row);
}

int w2v_wordsim(const options *o, const vectors *v)
{
    long limit = o->restrict_vocab ? o->restrict_vocab : WORDSIM_DEFAULT_RESTRICT;
    if (limit > v->n)
        limit = v->n;
    scores s;
    score_pairs(o, v, limit, &s);
    double spearman = vec_spearman(s.gold, s.cos, s.n), pearson = vec_pearson(s.gold, s.cos, s.n);
    double oov_ratio = 100.0 * s.oov / (s.n + s.oov);
    if (o->json) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "file", o->questions);
        cJSON_AddNumberToObject(j, "spearman", spearman);
        cJSON_AddNumberToObject(j, "pearson", pearson);
        cJSON_AddNumberToObject(j, "pairs", (double)s.n);
        cJSON_AddNumberToObject(j, "oov", (double)s.oov);
        cJSON_AddNumberToObject(j, "oov_ratio", oov_ratio);
        cJSON_AddNumberToObject(j, "restrict_vocab", (double)limit);
        cJSON_AddBoolToObject(j, "fold_case", o->fold_case);
        cli_print_json(j);
    } else {
        /* cJSON writes NAN as null; printf as nan: a constant column */
        printf("spearman %.4f\npearson %.4f\npairs %ld\noov %ld (%.1f%%, a word not among the first %ld)\n",
               spearman, pearson, s.n, s.oov, oov_ratio, limit);
    }
    free(s.gold);
    free(s.cos);
    return 0;
}
