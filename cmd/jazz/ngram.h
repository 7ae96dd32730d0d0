/* ngram — the count-based baseline of `seqtool jazz`: an n-gram model of
 * a token stream (for melodies, three tokens a note: events.h's
 * jazz_tokens), smoothed by interpolated Kneser-Ney or Witten-Bell.
 *
 * Each training sequence is read with order-1 start tokens before it, so
 * every n-gram up to the counted order ends at a real token and has a
 * full context.  One count serves every order up to the counted one.
 * With h a context of k-1 tokens, h' the same without its first token,
 * c(.) raw counts, N1+(h .) the number of distinct tokens seen after h,
 * and the order-0 distribution uniform over the whole vocabulary of V
 * tokens (so no token ever gets probability 0):
 *
 * Witten-Bell (interpolated):
 *   P(w|h) = (c(hw) + N1+(h .) P(w|h')) / (c(h) + N1+(h .))
 * Kneser-Ney (interpolated, one discount D_k per order):
 *   P(w|h) = (max(c'(hw) - D_k, 0) + D_k N1+(h .) P(w|h')) / c'(h)
 *   where c' is the raw count at the highest order of the query and the
 *   continuation count N1+(. hw) (distinct tokens seen before hw) at the
 *   lower ones, c'(h) = sum over w of c'(hw), and D_k = n1 / (n1 + 2 n2)
 *   from order k's counts of counts (of c'), or 0.5 when n1 is 0.
 * A context never seen (c(h) = 0) passes P(w|h') on unchanged.  Every
 * distribution sums to 1 over the vocabulary.  Deterministic: the same
 * sequences in the same order give the same numbers.
 */
#ifndef SEQTOOL_JAZZ_NGRAM_H
#define SEQTOOL_JAZZ_NGRAM_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define NGRAM_MAX_ORDER 5
#define NGRAM_MAX_VOCAB 2046

typedef enum { NGRAM_KN, NGRAM_WB } ngram_smoothing;

typedef struct {
    uint64_t key;        /* order and tokens; 0 = empty slot */
    uint32_t count;      /* c(g) */
    uint32_t cont;       /* N1+(. g) (ngram_finish) */
} ngram_entry;

typedef struct {
    uint64_t key;        /* length and tokens; 0 = empty slot */
    uint32_t sum;        /* sum over w of c(hw) */
    uint32_t sum_cont;   /* sum over w of N1+(. hw) */
    uint32_t types;      /* N1+(h .) */
} ngram_context;

typedef struct {
    int V, order;
    long tokens;                 /* tokens counted */
    ngram_entry *gram;           /* open addressing, cap a power of two */
    size_t ngram_cap, ngram_n;
    ngram_context *ctx;
    size_t ctx_cap, ctx_n;
    int finished;
    /* [k][0]: order k's discount as the query's highest order (from raw
     * counts), [k][1]: as a lower order (from continuation counts) */
    double discount[NGRAM_MAX_ORDER + 1][2];
} ngram;

/* An empty model of tokens 0..V-1 (V <= NGRAM_MAX_VOCAB) counting orders
 * up to order (1..NGRAM_MAX_ORDER).  0, or -1 with a message in err. */
int ngram_init(ngram *g, int V, int order, char *err);
void ngram_free(ngram *g);

/* Count one sequence of n tokens.  0, or -1 with err (a token outside
 * 0..V-1, out of memory). */
int ngram_add(ngram *g, const int *tok, int n, char *err);

/* After the last ngram_add, before any query: the continuation counts,
 * the context totals and the discounts.  0, or -1 with err. */
int ngram_finish(ngram *g, char *err);

/* P(w | the hlen tokens hist) under smoothing s at order q (1..order),
 * the history read as a sequence's beginning (start tokens before it). */
double ngram_prob(const ngram *g, ngram_smoothing s, int q, const int *hist, int hlen, int w);

/* Bits (-log2 P) of a held-out sequence of n tokens, each given the ones
 * before it from the sequence's start. */
double ngram_bits(const ngram *g, ngram_smoothing s, int q, const int *tok, int n);

#endif
