/* emojify — sentence to emoji, the course's two models:
 *   v1  the mean of the sentence's word vectors, dense, softmax
 *       (Emojifier-V1);
 *   v2  the word vectors (frozen) into an LSTM returning its sequence,
 *       dropout, a second LSTM, dropout, dense, softmax (Emojifier-V2).
 *
 * A sentence is a list of token ids: id >= 0 is a row of the model's
 * embedding table (frozen word vectors), EMO_UNKNOWN a word without a
 * vector.  What an unknown word becomes is the model's oov policy: it is
 * left out (skip), a zero vector (zero), or one vector learnt in training
 * (learn).  Before that, with the suffix back-off, a word missing from
 * the vectors borrows the vector of another form of it (suffix.h); the
 * encoder (emojify.c) does the looking up.  A sentence with no row at
 * all ("no known word") has no input to go on: emo_predict gives it the
 * most frequent training class.
 *
 * v2 reads a sentence of n inputs (after the oov policy) for
 * max(n, pad_to) steps: its words, then zero vectors up to pad_to, as the
 * course pads every sentence with zeros to the longest training sentence.
 * pad_to belongs to the model (it is in the file), so these steps are
 * the same whatever else is predicted.  Batches are then right-padded to
 * their longest row with a mask [T][B] that makes a padded step carry
 * both LSTMs' states through (core/cells): each row ends in the state of
 * its own last step, and the padding of a batch changes no prediction.
 * (Cross-validated on the course's training sentences, the zero steps
 * help: without them the last state is too much the last word's.  The
 * numbers are in README.md.)
 * Tensors (PyTorch names): out.weight [K][D or H], out.bias [K];
 * v2 lstm.weight_ih_l0 [4H][D], lstm.weight_hh_l0 [4H][H], lstm.bias_ih_l0,
 * the same for _l1 (input H); learn: embedding.unknown [D].  The frozen
 * table embedding.weight [N][D] is not among the trained parameters.
 */
#ifndef SEQTOOL_EMO_MODEL_H
#define SEQTOOL_EMO_MODEL_H

#include "cells.h"
#include "layers.h"
#include "model.h"
#include "params.h"
#include "rng.h"
#include "wordindex.h"

#define EMO_UNKNOWN (-1)
#define EMO_MAX_CLASSES 64
#define EMO_MAX_PAD 10000   /* v2's pad_to: steps each sentence is read for, at most */

typedef enum { EMO_V1, EMO_V2 } emo_kind;
typedef enum { EMO_OOV_SKIP, EMO_OOV_ZERO, EMO_OOV_LEARN } emo_oov;
typedef enum { EMO_BACKOFF_NONE, EMO_BACKOFF_SUFFIX } emo_backoff;

typedef struct {
    const int *ids;
    int len;
} emo_sentence;

typedef struct emo_model_s {
    emo_kind kind;
    emo_oov oov;
    emo_backoff backoff;     /* how the encoder looks for a missing word */
    int K, D, H;             /* classes, vector size, LSTM units (v2) */
    int default_class;       /* for sentences with no known word */
    float dropout;           /* v2, while training */
    int pad_to;              /* v2: zero inputs after a sentence up to this */
    int threads;             /* emo_predict's, <= PARALLEL_MAX (not in the file) */
    /* the frozen embedding table: word i has row i [D]; the first nkeep
     * words belong in the model file, words added later serve one run */
    word_index words;
    long nrows, nkeep, caprows;
    float *emb;
    params ps;
    int unk;                 /* tensor index of embedding.unknown, or -1 */
    dense out;
    cell l1, l2;             /* v2 */
    /* training workspace, sized by batch shape (grows only) */
    int T, B;
    int *tok;                /* [T][B] ids after the oov policy, -2 = padding */
    const float **xrow;      /* [T][B] v2 inference: layer 1's input projection
                              * of each token (rows of proj) */
    float *x, *mask;         /* [T][B][D], [T][B] */
    cell_cache k1, k2;
    float *drop1, *dmask1;   /* [T][B][H] */
    float *top, *dmask2;     /* [B][D or H]: what the dense layer reads */
    float *logits;           /* [B][K]; after emo_backward its gradient */
    float *dH, *dtop, *dx;   /* [T][B][H], [B][D or H], [T][B][D] */
    float *count, *nunk;     /* v1 [B]: words averaged, unknown among them */
    int *labels;             /* [B] */
    int run_T, run_B;        /* the shape of the last training forward */
    int dropping;            /* the last forward applied dropout */
    /* v2 inference: each row's layer-1 input projection, made on demand */
    float *proj;             /* [caprows][4H] */
    unsigned char *proj_ok;  /* [caprows] */
    float *proj_unk;         /* [4H]: the unknown (or zero) vector's */
    float *proj_zero;        /* [4H]: the zero vector's (the bias), in proj_unk's block */
    mat_packed whh1, whh2;   /* the LSTMs' W_hh, packed for the steps */
    /* emo_predict's other threads: copies sharing everything but the
     * workspace */
    struct emo_model_s *replicas;
    int nreplicas;
} emo_model;

/* Parse "v1"/"v2", "skip"/"zero"/"learn" and "none"/"suffix"; -1 when
 * unknown. */
int emo_kind_parse(const char *s);
const char *emo_kind_name(emo_kind k);
int emo_oov_parse(const char *s);
const char *emo_oov_name(emo_oov o);
int emo_backoff_parse(const char *s);
const char *emo_backoff_name(emo_backoff b);

/* Register and allocate the parameters (zero) of a model with K classes
 * over D-dimensional vectors (H LSTM units for v2); 0 or -1. */
int emo_init(emo_model *m, emo_kind kind, emo_oov oov, int K, int D, int H);
void emo_free(emo_model *m);

/* The course's initial weights: v1 W ~ N(0,1)/sqrt(D), b = 0; v2 as
 * Keras: Glorot-uniform input kernels and dense weight, orthogonal
 * recurrent kernels, zero biases but 1 for the LSTM forget gates.  The
 * unknown vector starts at zero. */
int emo_init_weights(emo_model *m, rng *r); /* 0, or -1 when out of memory */

/* The id of a word (len bytes), or EMO_UNKNOWN. */
long emo_find(const emo_model *m, const char *word, size_t len);
/* Add a word (not yet present) with its vector [D]; returns its id, or -1
 * when out of memory. */
long emo_add_word(emo_model *m, const char *word, size_t len, const float *vec);

/* Number of ids >= 0 in s (the words that have a vector). */
int emo_known(const emo_sentence *s);
/* The steps the model reads s for: its inputs after the oov policy, and
 * for v2 the zero steps up to pad_to (none when it has no known word). */
int emo_steps(const emo_model *m, const emo_sentence *s);

/* Training forward over B sentences (each with a known word) and their
 * labels: fills m->logits and returns the summed cross-entropy (nats).
 * With r, dropout m->dropout is drawn from r (v2); NULL: none. */
double emo_forward(emo_model *m, int B, const emo_sentence *s, const int *labels, rng *r);
/* After emo_forward: the gradients of the mean loss, accumulated into
 * m->ps.grad. */
void emo_backward(emo_model *m, int B);

/* Class probabilities [B][K] of exactly this batch, run as one padded
 * batch (rows with no known word get the default class).  0 or -1. */
int emo_forward_batch(emo_model *m, int B, const emo_sentence *s, float *probs);

/* Probabilities [n][K] of any number of sentences: sorted by length into
 * batches of similar length, so little work goes to padding, and the
 * batches dealt to m->threads threads (each batch is computed the same
 * way whichever thread runs it, so the numbers do not depend on the
 * thread count).  0 or -1. */
int emo_predict(emo_model *m, int n, const emo_sentence *s, float *probs);

/* Workspace for training batches of B sentences of up to T ids; 0 or -1.
 * emo_forward calls it; exposed for callers that want to size it once. */
int emo_reserve(emo_model *m, int T, int B);

/* Model files: emo_save_to adds the tensors (the first nkeep words as
 * "words", U8, each followed by a NUL, and their rows as
 * embedding.weight) and the metadata emojify.model, .oov, .classes, .dim,
 * .hidden, .default_class, .dropout, .pad_to, .backoff, .words to out
 * (a file without .backoff has none); emo_load builds m
 * from an open file.  0, or -1 (with a message in err for emo_load). */
int emo_save_to(const emo_model *m, model_out *out);
int emo_load(emo_model *m, const model_in *f, char *err);

#endif
