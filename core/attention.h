/* attention — the course's one-step additive attention.
 *
 * For decoder step t, with the previous decoder state s [B][S] and the
 * encoder outputs a [Tx][B][A]:
 *   u<t'>   = tanh(W_s s + W_a a<t'> + b)          (hid units, the course's 10)
 *   e<t'>   = relu(w . u<t'> + c)                  (one unit)
 *   alpha   = softmax over the real positions t' of e (padding gets 0)
 *   context = sum_t' alpha<t'> a<t'>               [B][A]
 * The course writes the first layer as one dense layer over the
 * concatenation [s; a<t'>]; here its weight is kept as its two blocks,
 * PREFIXquery.weight W_s [hid][S] and PREFIXkey.weight W_a [hid][A] (with
 * PREFIXkey.bias b), so that W_a a + b is computed once per sequence rather
 * than once per output step.  PREFIXenergy.weight [1][hid] and
 * PREFIXenergy.bias [1] are the second layer.
 *
 * Use: attention_prepare once per input batch, then attention_step_forward
 * for t = 0 .. Ty-1; backward in the reverse order of steps, then
 * attention_finish_backward.  Nothing allocates after the cache is sized.
 */
#ifndef SEQTOOL_ATTENTION_H
#define SEQTOOL_ATTENTION_H

#include "layers.h"
#include "params.h"
#include "rng.h"

typedef struct {
    int S, A, hid;
    int w_query;   /* W_s [hid][S] (no bias: the key layer has it) */
    dense key;     /* W_a and b */
    dense energy;  /* w and c */
    params *ps;
} attention;

typedef struct {
    int Tx, Ty, B;   /* capacity */
    float *keys;     /* [Tx][B][hid] W_a a + b */
    float *dkeys;    /* [Tx][B][hid] its gradient, summed over the steps */
    float *u;        /* [Ty][Tx][B][hid] tanh layer */
    float *e;        /* [Ty][Tx][B] energies (after relu) */
    float *alpha;    /* [Ty][Tx][B] attention weights */
    float *q, *dq;   /* [B][hid] W_s s and its gradient */
    float *dalpha;   /* [Tx][B] dL/dalpha, then dL/de */
    float *rowsum;   /* [B] */
} attention_cache;

/* Register the tensors for states of S and encoder outputs of A floats;
 * 0 or -1. */
int attention_register(attention *at, params *ps, const char *prefix, int S, int A, int hid);
/* PyTorch's default init for each of the three layers (fan-in of the
 * course's concatenated layer, S + A, for W_s and W_a). */
void attention_init_default(attention *at, rng *r);

int attention_cache_reserve(attention_cache *k, const attention *at, int Tx, int Ty, int B);
void attention_cache_free(attention_cache *k);

/* keys = W_a a + b for the encoder outputs a [Tx][B][A]. */
void attention_prepare(const attention *at, attention_cache *k, int Tx, int B, const float *a);

/* Step t: s [B][S]; mask [Tx][B] (1 real, 0 padding) or NULL; writes
 * context [B][A] and keeps alpha for backward (and for pictures). */
void attention_step_forward(const attention *at, attention_cache *k, int t, int Tx, int B,
                            const float *s, const float *a, const float *mask,
                            float *context);

/* The weights of step t: [Tx][B]. */
const float *attention_weights(const attention_cache *k, int t, int Tx, int B);

/* Backward of step t from dcontext [B][A]: accumulates the parameter
 * gradients of the energy and query layers, ds [B][S] += dL/ds and
 * da [Tx][B][A] += the direct part of dL/da; the part through the keys
 * is gathered in k->dkeys (zero it with attention_begin_backward). */
void attention_begin_backward(const attention *at, attention_cache *k, int Tx, int B);
void attention_step_backward(const attention *at, attention_cache *k, int t, int Tx, int B,
                             const float *s, const float *a, const float *dcontext,
                             float *ds, float *da);
/* The key layer's gradients and da += dL/da through the keys. */
void attention_finish_backward(const attention *at, attention_cache *k, int Tx, int B,
                               const float *a, float *da);

#endif
