/* layers — dense (affine), embedding, softmax, conv1d over time, batch
 * normalization, dropout and relu.
 *
 * Weights use PyTorch's layout and names: dense weight [out][in] and bias
 * [out] ("PREFIXweight", "PREFIXbias"), embedding weight [n][dim], conv1d
 * weight [out][in][kernel] and bias [out], batchnorm weight (gamma) and
 * bias (beta) [C] with running_mean and running_var [C].
 * Rows are independent: x is [N][in] for any N (a whole [T][B] sequence
 * block at once); conv1d reads a sequence [T][B][in].
 */
#ifndef SEQTOOL_LAYERS_H
#define SEQTOOL_LAYERS_H

#include "gemm.h"
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

/* ---- conv1d: a 1-D convolution over time, with stride and left padding ----
 *
 * x [T][B][in] -> y [T'][B][out], T' = (T + pad - kernel) / stride + 1:
 *   y[t][b][o] = bias[o] + sum_{c,k} weight[o][c][k] * xp[t*stride + k][b][c]
 * where xp is x after pad zero frames (xp[i] = x[i - pad], 0 for i < pad).
 * pad 0 is Keras' and PyTorch's 'valid'; pad = kernel - 1 with stride 1 is
 * a causal convolution, whose y[t] sees x[t - kernel + 1 .. t] only.
 * PyTorch: Conv1d(in, out, kernel, stride) on F.pad(x, (pad, 0)), with x
 * as [B][in][T] (x.permute(1, 2, 0)); Keras' kernel [kernel][in][out] is
 * weight.permute(2, 1, 0).
 *
 * The products are one GEMM over the input windows (im2col), in chunks of
 * rows so the window copies stay small whatever T is, on mat_gemm_tiled:
 * every output row has the same bits whatever the chunk, which is what
 * lets conv1d_step give the numbers of conv1d_forward exactly. */
typedef struct {
    int in, out, kernel, stride, pad;
    int w, b;   /* tensor indices */
    params *ps;
} conv1d;

/* Scratch for the products: the input windows of a chunk of output rows
 * (row r = t * B + b) and their gradient.  No state survives a call: the
 * backward copies the windows again from x. */
typedef struct {
    int rows;      /* output rows per chunk */
    float *cols;   /* [rows][in * kernel] windows, weight's order */
    float *dcols;  /* [rows][in * kernel] their gradient (after cols, one block) */
} conv1d_work;

/* Register PREFIXweight [out][in][kernel] and PREFIXbias [out].  0, or -1
 * when a size is out of range (kernel, stride >= 1; 0 <= pad < kernel)
 * or out of memory. */
int conv1d_register(conv1d *c, params *ps, const char *prefix, int in, int out,
                    int kernel, int stride, int pad);
/* PyTorch's default: weight and bias uniform in +-1/sqrt(in * kernel). */
void conv1d_init_default(conv1d *c, rng *r);
/* T', the output length for T input frames (0 when T + pad < kernel). */
int conv1d_out_len(const conv1d *c, int T);

/* Size w for inputs of up to T frames of B rows (grows only); 0 or -1. */
int conv1d_work_reserve(conv1d_work *w, const conv1d *c, int T, int B);
void conv1d_work_free(conv1d_work *w);

/* y [T'][B][out] from x [T][B][in], for any T and B once w is reserved:
 * the products run on chunks of w->rows output rows. */
void conv1d_forward(const conv1d *c, conv1d_work *w, int T, int B, const float *x,
                    float *y);
/* From dy [T'][B][out] and the forward's x: accumulates dweight and dbias;
 * writes dx [T][B][in] when not NULL (frames no window reads get 0). */
void conv1d_backward(const conv1d *c, conv1d_work *w, int T, int B, const float *x,
                     const float *dy, float *dx);

/* Streaming: B live streams pushed one frame at a time.  The stream holds
 * the last `kernel` frames in a ring and starts with `pad` zero frames in
 * it, so after frame i (from 0) of x it gives y[t] for i = t * stride +
 * kernel - 1 - pad, the bits conv1d_forward gives for y[t] on the whole
 * sequence; a causal layer (pad = kernel - 1, stride 1) answers every
 * frame.  The weight is packed for the products once, at init. */
typedef struct {
    int B;
    int rows;          /* output frames col has room for */
    long long frames;  /* frames in the ring's history, padding included */
    float *ring;       /* [kernel][B][in] */
    float *col;        /* [rows][B][in * kernel] the windows, weight's order */
    mat_packed w;      /* the weight, packed at init */
} conv1d_stream;

/* 0 or -1 (out of memory); the stream starts empty (as after reset), with
 * room for pushing one frame at a time.  It reads the weight as it is
 * now: init again after they change. */
int conv1d_stream_init(conv1d_stream *s, const conv1d *c, int B);
/* Room for pushing up to n frames at once to conv1d_steps (grows only);
 * 0 or -1 (out of memory). */
int conv1d_stream_reserve(conv1d_stream *s, const conv1d *c, int n);
/* Back to the start of a new stream: the ring holds the pad zero frames. */
void conv1d_stream_reset(conv1d_stream *s, const conv1d *c);
void conv1d_stream_free(conv1d_stream *s);
/* Push x [B][in]; returns 1 with y [B][out] written when an output frame
 * is due, else 0 (y untouched). */
int conv1d_step(const conv1d *c, conv1d_stream *s, const float *x, float *y);
/* Push n frames x [n][B][in] (n within what conv1d_stream_reserve made
 * room for); writes the output frames they complete to y [m][B][out] and
 * returns m.  The products of the m frames are one GEMM, and each output
 * has the bits conv1d_step gives it, however the frames are split into
 * pushes. */
int conv1d_steps(const conv1d *c, conv1d_stream *s, int n, const float *x, float *y);

/* ---- batchnorm: batch normalization over the features ----
 *
 * x [N][C] (N = T * B rows of a [T][B][C] sequence): per feature c,
 *   train: y = gamma (x - mean) / sqrt(var + eps) + beta with the batch's
 *          mean and biased variance over the N rows; then
 *          running_mean = (1 - momentum) running_mean + momentum mean,
 *          running_var = (1 - momentum) running_var
 *                        + momentum var * N / (N - 1) (unbiased)
 *   eval:  y = gamma (x - running_mean) / sqrt(running_var + eps) + beta
 * PyTorch's BatchNorm1d: momentum 0.1, eps 1e-5.  Keras writes the
 * running average the other way round, moving = m * moving + (1 - m) *
 * batch with m = 0.99 and epsilon 1e-3: that is momentum 1 - m = 0.01,
 * eps 1e-3 here.
 *
 * gamma and beta are trained tensors of ps; the running statistics are
 * tensors of a second set, stats, which no optimizer walks: a model file
 * saves and loads them like any params set (model_out_params(m, stats),
 * model_in_params(f, stats, err)).  Statistics are summed in double. */
typedef struct {
    int C;
    float momentum, eps;
    int gamma, beta;      /* in ps: PREFIXweight, PREFIXbias [C] */
    int mean, var;        /* in stats: PREFIXrunning_mean, PREFIXrunning_var [C] */
    params *ps, *stats;
} batchnorm;

/* What the backward needs from a training forward, and scratch. */
typedef struct {
    int N;            /* capacity: rows */
    float *xhat;      /* [N][C] normalized input (x - mean) / sqrt(var + eps) */
    float *mean;      /* [C] the statistics the last forward used */
    float *inv_std;   /* [C] 1 / sqrt(var + eps) */
    float *tmp;       /* [2][C] scratch */
    double *sum;      /* [2][C] per-feature sums (and the block of the above) */
} batchnorm_cache;

/* Register gamma, beta in ps and the running statistics in stats.  0 or -1. */
int batchnorm_register(batchnorm *bn, params *ps, params *stats, const char *prefix,
                       int C, float momentum, float eps);
/* PyTorch's init (after params_alloc of both sets): gamma 1, beta 0,
 * running mean 0, running variance 1. */
void batchnorm_init_default(batchnorm *bn);
/* Size k for up to N rows (grows only; eval needs none but the [C]
 * scratch, which any N gives); 0 or -1. */
int batchnorm_cache_reserve(batchnorm_cache *k, const batchnorm *bn, int N);
void batchnorm_cache_free(batchnorm_cache *k);
/* y [N][C] from x [N][C] (y may be x), train or eval as above.  Train
 * needs N >= 2 (one row has no variance): -1 then, and nothing changes. */
int batchnorm_forward(const batchnorm *bn, batchnorm_cache *k, int N, const float *x,
                      float *y, int train);
/* After a training forward of the same N: accumulates dgamma, dbeta from
 * dy [N][C] and writes dx [N][C] (dx may be dy), the full gradient through
 * the batch statistics:
 *   dx = gamma / sqrt(var + eps) (dy - mean(dy) - xhat mean(dy xhat)). */
void batchnorm_backward(const batchnorm *bn, batchnorm_cache *k, int N, const float *dy,
                        float *dx);

#endif
