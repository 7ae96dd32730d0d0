/* layers — dense (affine), embedding, softmax, dropout and relu.
 *
 * Weights use PyTorch's layout and names: dense weight [out][in] and bias
 * [out] ("PREFIXweight", "PREFIXbias"), embedding weight [n][dim].
 * Rows are independent: x is [N][in] for any N (a whole [T][B] sequence
 * block at once).
 */
#ifndef SEQTOOL_LAYERS_H
#define SEQTOOL_LAYERS_H

#include "params.h"
#include "rng.h"

typedef struct {
    int in, out;
    int w, b;   /* tensor indices */
    params *ps;
} dense;

int dense_register(dense *d, params *ps, const char *prefix, int in, int out);
/* PyTorch's default: weight and bias uniform in [-1/sqrt(in), 1/sqrt(in)]. */
void dense_init_default(dense *d, rng *r);
/* y[N][out] = x[N][in] . W^T + b */
void dense_forward(const dense *d, int N, const float *x, float *y);
/* Accumulates dW, db from dy[N][out]; writes dx[N][in] when not NULL. */
void dense_backward(const dense *d, int N, const float *x, const float *dy,
                    float *dx);

typedef struct {
    int n, dim;
    int w;
    params *ps;
} embedding;

int embedding_register(embedding *e, params *ps, const char *name, int n, int dim);
/* out[N][dim] = rows ids[i] of the table (zeros for id -1). */
void embedding_forward(const embedding *e, int N, const int *ids, float *out);
/* Accumulates the table gradient from dout[N][dim]. */
void embedding_backward(const embedding *e, int N, const int *ids, const float *dout);

/* Inverted dropout: mask[i] = 0 with probability p, else 1 / (1 - p);
 * y = x * mask (y may be x).  Backward: dx = dy * mask (dx may be dy). */
void dropout_forward(float *y, const float *x, float *mask, size_t n, float p, rng *r);
void dropout_backward(float *dx, const float *dy, const float *mask, size_t n);

/* Softmax of each row of x[N][V] in place, after dividing by temperature. */
void softmax_rows(float *x, int N, int V, float temperature);

/* relu: y = max(x, 0) (y may be x).  Backward from the output y:
 * dx = dy where y > 0, else 0 (dx may be dy). */
void relu_forward(float *y, const float *x, size_t n);
void relu_backward(float *dx, const float *dy, const float *y, size_t n);

#endif
