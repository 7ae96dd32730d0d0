/* init — initialisers for a registered tensor's values: uniform, normal,
 * Glorot-uniform (Keras' default kernel) and orthogonal (Keras' default
 * recurrent kernel).  Each draws from the generator it is given, in a
 * fixed order, so one seed gives the same weights on every machine. */
#ifndef SEQTOOL_INIT_H
#define SEQTOOL_INIT_H

#include "params.h"
#include "rng.h"

/* Fill tensor i with uniform values in [-a, a]. */
void params_init_uniform(params *ps, int i, float a, rng *r);

/* Fill tensor i with s * N(0, 1). */
void params_init_normal(params *ps, int i, float s, rng *r);

/* Glorot (Xavier) uniform: [-a, a] with a = sqrt(6 / (fan_in + fan_out)). */
void params_init_glorot(params *ps, int i, int fan_in, int fan_out, rng *r);

/* Orthonormal columns for the [rows][cols] matrix w (rows >= cols), by
 * Gram-Schmidt over normal draws, as Keras' Orthogonal initialiser gives
 * a recurrent kernel (whose rows are these columns).  0, or -1 when out
 * of memory (w is then untouched). */
int init_orthogonal(float *w, int rows, int cols, rng *r);

#endif
