/* optim — SGD, SGD with momentum, Adam; gradient clipping.
 *
 * Updates follow PyTorch's definitions:
 *   sgd:      p -= lr * g
 *   momentum: v = mu * v + g;  p -= lr * v
 *   adam:     m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2;
 *             p -= lr * (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps)
 * with the learning-rate decay Keras calls `decay`:
 *   lr_t = lr / (1 + decay * iterations), iterations = steps taken before.
 */
#ifndef SEQTOOL_OPTIM_H
#define SEQTOOL_OPTIM_H

#include <stddef.h>

#include "params.h"

typedef enum { OPTIM_SGD, OPTIM_MOMENTUM, OPTIM_ADAM } optim_kind;

typedef struct {
    optim_kind kind;
    float lr, decay;
    float momentum;             /* momentum */
    float beta1, beta2, eps;    /* adam */
    long step;                  /* updates done so far */
    size_t n;
    float *m, *v;               /* state, n floats each (as needed) */
} optimizer;

/* Parse "sgd", "momentum", "adam"; -1 when unknown. */
int optim_kind_parse(const char *s);
const char *optim_kind_name(optim_kind k);

/* Set defaults (momentum 0.9, Adam 0.9/0.999/1e-8, no decay) and allocate
 * state for n parameters; 0 or -1 (out of memory). */
int optim_init(optimizer *o, optim_kind kind, float lr, size_t n);
void optim_free(optimizer *o);

/* The learning rate the next step will use. */
float optim_lr(const optimizer *o);

/* One update of every parameter from its gradient. */
void optim_step(optimizer *o, params *ps);

/* Clamp every gradient element to [-c, c] (the course's clip). */
void clip_by_value(params *ps, float c);

/* Scale all gradients so their global L2 norm is at most max_norm;
 * returns the norm before clipping. */
double clip_by_global_norm(params *ps, float max_norm);

#endif
