/* nmt — the date translator: a date as people write it in, its ISO form
 * out, by the course's attention model.
 *
 * Input: one convention token (NMT_DMY: purely numeric dates are
 * day-first; NMT_MDY: month-first), then the characters of the date,
 * lower-cased (as the course does), at most Tx - 1 of them; a character
 * outside the vocabulary is NMT_UNK.  Inputs are one-hot, as in the
 * course.  Shorter inputs are right-padded and masked: padding changes
 * neither the encoder's states nor the attention (which gives it weight 0).
 *
 *   encoder   bidirectional LSTM, n_a per direction: a<t'> [2 n_a]
 *   attention one-step additive attention (attention.h), n_att units
 *   decoder   LSTM of n_s fed the context only; s<0> = c<0> = 0
 *   output    dense n_s -> 11 symbols "0123456789-", softmax, NMT_TY steps
 *
 * The decoder does not read its own outputs, so the output distribution
 * is a product of independent per-step distributions and beam search over
 * it finds the K most probable strings exactly.
 *
 * Tensors: encoder.{weight_ih,weight_hh,bias_ih}_l0[_reverse],
 * attention.{query.weight,key.weight,key.bias,energy.weight,energy.bias},
 * decoder.{weight_ih,weight_hh,bias_ih}, out.{weight,bias}.
 */
#ifndef SEQTOOL_SEQ2SEQ_H
#define SEQTOOL_SEQ2SEQ_H

#include <stddef.h>

#include "attention.h"
#include "cells.h"
#include "layers.h"
#include "model.h"
#include "params.h"
#include "rng.h"

#define NMT_TY 10
#define NMT_NOUT 11
#define NMT_OUT_SYMBOLS "0123456789-"
#define NMT_MAX_CHARS 200

enum { NMT_UNK = 0, NMT_DMY = 1, NMT_MDY = 2, NMT_FIRST_CHAR = 3 };

typedef struct {
    int Tx, n_a, n_s, n_att;
    int V;                      /* NMT_FIRST_CHAR + number of characters */
    char chars[NMT_MAX_CHARS + 1]; /* the vocabulary's characters, in id order */
    unsigned char id_of[256];   /* byte -> input id (NMT_UNK when absent) */
    params ps;
    bicell enc;
    attention att;
    cell dec;
    dense out;
    /* workspace, sized by nmt_reserve for B rows */
    int B;
    int T;             /* input positions the last nmt_forward ran (<= Tx) */
    int *ids;          /* [Tx][B] input ids, -1 on padding */
    float *mask;       /* [Tx][B] */
    int *targets;      /* [Ty][B] output symbols (0..10) */
    bicell_cache ek;
    attention_cache ak;
    cell_cache dk;
    float *ctx;        /* [Ty][B][2 n_a] contexts */
    float *logits;     /* [Ty][B][11]; after nmt_backward its gradient */
    float *dA;         /* [Tx][B][2 n_a] */
    float *dctx;       /* [B][2 n_a] */
    float *dS;         /* [Ty][B][n_s] */
} nmt_model;

/* A model over the characters chars (distinct bytes, no upper-case ASCII
 * letters, at most NMT_MAX_CHARS): registers and allocates the parameters
 * (zero).  0 or -1 (out of memory, or a bad character list). */
int nmt_init(nmt_model *m, const char *chars, int Tx, int n_a, int n_s, int n_att);
/* A replica of m for another thread: the same weights (shared, not
 * copied), its own gradients and workspace.  0 or -1.  Free it with
 * nmt_free before m. */
int nmt_replica(nmt_model *r, const nmt_model *m);
void nmt_free(nmt_model *m);
/* PyTorch's default init of every layer. */
void nmt_init_weights(nmt_model *m, rng *r);
/* Size the workspace for B rows (grows only); 0 or -1. */
int nmt_reserve(nmt_model *m, int B);

/* The input ids of a date: writes Tx ids (convention token first, -1 for
 * padding) and returns the count of real positions; *dropped gets the
 * number of bytes beyond Tx - 1 that did not fit (0 when all did). */
int nmt_encode(const nmt_model *m, const char *s, size_t len, int month_first, int *ids,
               size_t *dropped);

/* Put encoded inputs (Tx ids each) into row b of the batch, and a target
 * ("YYYY-MM-DD", or NULL for none) for training. */
void nmt_set_row(nmt_model *m, int b, int B, const int *ids, const char *iso);

/* Forward over B rows: fills m->logits (and the attention weights). */
void nmt_forward(nmt_model *m, int B);
/* After nmt_forward with targets: the loss (nats summed over rows and
 * steps), and the gradients of loss * scale accumulated into m->ps.grad
 * (scale 1 / B for the mean over the batch). */
double nmt_backward(nmt_model *m, int B, float scale);
/* After nmt_forward: the most probable symbol of each step of row b
 * (NMT_TY characters and a NUL; not necessarily a valid date). */
void nmt_greedy(const nmt_model *m, int B, int b, char out[NMT_TY + 1]);

/* After nmt_forward: log-probabilities of row b into logp [Ty][11]. */
void nmt_log_probs(const nmt_model *m, int B, int b, float *logp);
/* The K (<= 64) most probable outputs under logp [Ty][11], best first:
 * out[k] (NMT_TY characters and a NUL) and their summed log-probability.
 * Returns the count (K). */
int nmt_beam(const float *logp, int K, char (*out)[NMT_TY + 1], double *score);
#define NMT_BEAM_MAX 64

/* The most probable output of logp [Ty][11] that is a valid calendar
 * date, among the K best (beam search; K = 1 is greedy): 1 and out and
 * its log-probability set, or 0 when none of the K is valid (out then
 * holds the most probable output, not a date). */
int nmt_best_valid(const float *logp, int K, char out[NMT_TY + 1], double *logprob);

/* After nmt_forward: the attention weights of step t, row b, into
 * w [Tx] (0 on padding). */
void nmt_attention_row(const nmt_model *m, int B, int t, int b, float *w);

/* Model files (kind "nmt"): the sizes and the characters (metadata
 * nmt.tx, nmt.n_a, nmt.n_s, nmt.attention_units, nmt.chars) and every
 * tensor; the caller adds its own metadata and writes the file. */
int nmt_save_to(const nmt_model *m, model_out *out);
/* A model from an open file; 0, or -1 with a message in err. */
int nmt_load(nmt_model *m, const model_in *f, char *err);

#endif
