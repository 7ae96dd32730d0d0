/* charlm — a character-level language model: one-hot characters into a
 * stack of recurrent layers, a dense layer to the vocabulary, softmax.
 *
 * A name w1..wn is the sequence of inputs [START, w1, .., wn] with targets
 * [w1, .., wn, END]; START is the zero vector (as in the course) and END is
 * id 0 ("\n").  A batch of B names is right-padded to the longest: ids and
 * targets [T][B], -1 on padding, which costs nothing in the loss.
 * Tensors: rnn.weight_ih_l{k}, rnn.weight_hh_l{k}, rnn.bias_ih_l{k}
 * (rnn.bias_hh_l{k} for GRU), out.weight [V][H], out.bias [V].
 */
#ifndef SEQTOOL_CHARLM_H
#define SEQTOOL_CHARLM_H

#include "cells.h"
#include "layers.h"
#include "model.h"
#include "params.h"
#include "rng.h"
#include "text.h"

#define CHARLM_MAX_LAYERS 8

typedef struct {
    cell_kind kind;
    int V, H, L;
    params ps;
    cell layer[CHARLM_MAX_LAYERS];
    dense out;
    /* workspace, sized by charlm_reserve */
    int T, B;
    cell_cache cache[CHARLM_MAX_LAYERS];
    int *ids;       /* [T][B] inputs, -1 = START or padding */
    int *targets;   /* [T][B], -1 = padding */
    float *logits;  /* [T][B][V]; after charlm_backward, the gradient */
    float *dH, *dX; /* [T][B][H] */
    /* dropout on every layer's outputs while training (0 = none) */
    float dropout;
    int dropping;   /* the last forward pass applied dropout */
    float *drop[CHARLM_MAX_LAYERS], *dmask[CHARLM_MAX_LAYERS]; /* [T][B][H] */
    /* carry: while training, each batch row starts from the state the
     * previous batch's row ended in (the course passes a_prev from one
     * name to the next); no gradient flows between batches. */
    int carry;
    int carrying;   /* the last forward pass carried state */
    float *mask;    /* [T][B] 1 on real steps, 0 on padding */
    float *state_h[CHARLM_MAX_LAYERS], *state_c[CHARLM_MAX_LAYERS]; /* [B][H] */
} charlm;

/* Register and allocate the parameters (zero); 0 or -1. */
int charlm_init(charlm *m, cell_kind kind, int V, int H, int L);
void charlm_free(charlm *m);

/* Initial weights: normal_scale > 0 gives the course's init (weights
 * normal_scale * N(0,1), biases zero); 0 gives PyTorch's defaults. */
void charlm_init_weights(charlm *m, rng *r, float normal_scale);

/* Size the workspace for T steps of B names (grows only); 0 or -1.
 * Set m->dropout and m->carry before the first call. */
int charlm_reserve(charlm *m, int T, int B);

/* Lay out B names (ids in [1, V), lengths lens) as one padded batch;
 * returns T = longest + 1.  The workspace must be reserved for it. */
int charlm_batch(charlm *m, int B, const int *const *names, const int *lens);

/* Forward over the batch: fills m->logits.  With r (training), dropout
 * m->dropout is applied to each layer's outputs, drawn from r; with NULL
 * (evaluation, sampling) no dropout. */
void charlm_forward(charlm *m, int T, int B, rng *r);

/* After charlm_forward: the loss (sum of nats over real targets), and
 * the gradients of loss / B accumulated into m->ps.grad. */
double charlm_backward(charlm *m, int T, int B);

/* After charlm_forward: nats of name b of the batch, END included. */
double charlm_name_nats(const charlm *m, int T, int B, int b);

/* Sample a name: feed the plen prefix ids, then draw until END or max_len
 * characters; writes the ids (prefix included) to out and returns the
 * count.  Needs the workspace for max_len + 1 steps of 1 row. */
int charlm_sample(charlm *m, rng *r, float temperature, const int *prefix,
                  int plen, int max_len, int *out);

/* Model files (kind "dinos"): the metadata dinos.cell, dinos.hidden,
 * dinos.layers and dinos.vocab (the characters in id order, "\n" first)
 * and every tensor.  charlm_load builds m and v from an open file (0, or
 * -1 with a message in err); charlm_save_to adds them to a file. */
int charlm_load(charlm *m, vocab *v, const model_in *f, char *err);
int charlm_save_to(const charlm *m, const vocab *v, model_out *out);

#endif
