/* sgns — word vectors by skip-gram with negative sampling (Mikolov et al.
 * 2013, as word2vec.c and gensim's Word2Vec(sg=1) train them).
 *
 * The corpus is text: one sentence per line (lines longer than 10,000
 * words are cut into pieces of 10,000, as gensim's LineSentence does),
 * words separated by blanks.  Words seen fewer than min_count times are
 * dropped; the rest are numbered most frequent first (ties: first seen
 * first).  Each epoch walks every sentence: a word is kept with
 * probability (sqrt(f/t) + 1) t/f (f its count, t = sample x all retained
 * words; gensim's formula), and each kept word is predicted from each
 * neighbour within a window of random size 1..window (the reduced window)
 * on both sides: one positive and `negative` noise words drawn from
 * unigram counts to the power 0.75, logistic loss, plain SGD whose
 * learning rate falls linearly from alpha to min_alpha over the run.
 * Threads split the corpus and update the shared weights without locks
 * (Hogwild), so only threads = 1 is bit-for-bit reproducible.
 */
#ifndef SEQTOOL_SGNS_H
#define SEQTOOL_SGNS_H

#include "error.h"

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "rng.h"
#include "wordindex.h"

#define SGNS_MAX_SENTENCE 10000
#define SGNS_NEGATIVE_MAX 1000

typedef struct {
    int dim, window, negative, epochs, threads;
    long min_count;
    double sample, alpha, min_alpha;
    uint64_t seed;
} sgns_config;

/* word2vec's and gensim's defaults: dim 100, window 5, negative 5,
 * min_count 5, sample 1e-3, epochs 5, alpha 0.025 -> 0.0001, 1 thread,
 * seed 1. */
void sgns_defaults(sgns_config *c);

typedef struct {
    word_index vocab;      /* retained words, most frequent first */
    long *count;           /* per retained word */
    long corpus_words;     /* every word of the corpus, dropped ones too */
    long train_words;      /* words of retained words */
    long trained_words;    /* of those, how many training went through
                              (all epochs; fewer when stopped early):
                              set by sgns_train */
    int32_t *corpus;       /* the corpus as word numbers, -1 ends a sentence */
    size_t corpus_len;
    int dim;
    float *in, *out;       /* vocab.n x dim: the word vectors, the output weights */
} sgns_model;

/* Count the words of text[size], keep the frequent ones, encode the
 * corpus.  0, or -1 with err (out of memory, no word kept). */
int sgns_vocab(sgns_model *m, const char *text, size_t size, const sgns_config *c, char *err);

/* Called on the calling thread while training, about ten times a second
 * (the clock is read every 10,000 words) while its own share of the
 * corpus lasts, and once at the end: words processed so far (all epochs), of
 * total, and the learning rate. */
typedef void (*sgns_report)(void *ctx, long done, long total, double alpha);

/* Where one thread stands in its share of the corpus. */
typedef struct {
    int epoch;         /* passes over its share done */
    size_t pos;        /* where its next sentence starts in m->corpus */
    long pending;      /* words read since it last added them to done */
    float alpha;       /* its learning rate */
    rng r;             /* its generator (subsampling, windows, noise) */
} sgns_thread;

/* A run: what it needs besides m->in and m->out to go on, all a
 * checkpoint saves.  A thread's step is one update of its learning rate,
 * every 10,000 words it reads. */
typedef struct {
    int threads;
    long done;         /* words gone through, added up by the threads */
    long total;        /* words of the whole run: train_words x epochs */
    sgns_thread *t;    /* [threads] */
} sgns_state;

/* The start of a run: the weights (m->in drawn from c->seed, m->out zero)
 * and each thread at the start of its share.  0, or -1 with err. */
int sgns_start(sgns_model *m, const sgns_config *c, sgns_state *s, char *err);
/* 1 when every thread has done its epochs. */
int sgns_finished(const sgns_config *c, const sgns_state *s);
/* Where thread t's share of the corpus begins and ends. */
void sgns_share(const sgns_model *m, int t, int threads, size_t *begin, size_t *end);
void sgns_state_free(sgns_state *s);

/* Train on c->threads shares of the corpus (parallel_run; the first on
 * the calling thread), from where s stands, until the end, a non-zero
 * *stop (set by a signal handler), or, when every > 0, until each thread
 * has taken every steps.  At 1 thread, a run cut into such pieces ends
 * with the same weights as one that is not.  0, or -1 with err. */
int sgns_train(sgns_model *m, const sgns_config *c, sgns_state *s, long every, sgns_report report,
               void *ctx, volatile sig_atomic_t *stop, char *err);

void sgns_free(sgns_model *m);

/* One SGD step on the logistic loss -sum_i [label_i log s(x_i) +
 * (1 - label_i) log(1 - s(x_i))], x_i = in . out[i]: each out[i] moves as
 * it is used, in once at the end (word2vec's order).  s comes from a table
 * of 1000 steps over [-6, 6]; a pair with |x_i| >= 6 is skipped, as gensim
 * does.  grad is dim floats of scratch. */
void sgns_step(float *in, float *const *out, const float *label, int n, int dim, float alpha,
               float *grad);

#endif
