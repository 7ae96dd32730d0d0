/* layers — dense, embedding, softmax, relu, conv1d, batchnorm; see
 * layers.h. */
#include "layers.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fault.h"
#include "init.h"
#include "tensor.h"

static int add2(params *ps, const char *prefix, const char *what, int ndim,
                int d0, int d1)
{
    char name[PARAM_NAME_MAX];
    int shape[2] = {d0, d1};
    if (snprintf(name, sizeof name, "%s%s", prefix, what) >= (int)sizeof name)
        return -1;
    return params_add(ps, name, ndim, shape);
}

int dense_register(dense *d, params *ps, const char *prefix, int in, int out)
{
    d->in = in;
    d->out = out;
    d->ps = ps;
    d->w = add2(ps, prefix, "weight", 2, out, in);
    d->b = add2(ps, prefix, "bias", 1, out, 0);
    return d->w < 0 || d->b < 0 ? -1 : 0;
}

void dense_init_default(dense *d, rng *r)
{
    float a = 1.0f / sqrtf((float)d->in);
    params_init_uniform(d->ps, d->w, a, r);
    params_init_uniform(d->ps, d->b, a, r);
}

void dense_forward(const dense *d, int N, const float *x, float *y)
{
    mat_gemm(0, 1, N, d->out, d->in, x, params_data(d->ps, d->w), 0.0f, y);
    mat_add_row(y, params_data(d->ps, d->b), N, d->out);
}

void dense_backward(const dense *d, int N, const float *x, const float *dy,
                    float *dx)
{
    mat_gemm(1, 0, d->out, d->in, N, dy, x, 1.0f, params_grad(d->ps, d->w));
    mat_sum_rows(params_grad(d->ps, d->b), dy, N, d->out);
    if (dx)
        mat_gemm(0, 0, N, d->in, d->out, dy, params_data(d->ps, d->w), 0.0f, dx);
}

int embedding_register(embedding *e, params *ps, const char *name, int n, int dim)
{
    e->n = n;
    e->dim = dim;
    e->ps = ps;
    e->w = add2(ps, name, "", 2, n, dim);
    return e->w < 0 ? -1 : 0;
}

void embedding_forward(const embedding *e, int N, const int *ids, float *out)
{
    const float *W = params_data(e->ps, e->w);
    for (int i = 0; i < N; i++) {
        float *o = out + (size_t)i * e->dim;
        if (ids[i] < 0)
            vec_zero(o, e->dim);
        else
            memcpy(o, W + (size_t)ids[i] * e->dim, e->dim * sizeof *o);
    }
}

void embedding_backward(const embedding *e, int N, const int *ids, const float *dout)
{
    float *dW = params_grad(e->ps, e->w);
    for (int i = 0; i < N; i++) {
        if (ids[i] < 0)
            continue;
        float *g = dW + (size_t)ids[i] * e->dim;
        const float *d = dout + (size_t)i * e->dim;
        for (int j = 0; j < e->dim; j++)
            g[j] += d[j];
    }
}

void dropout_forward(float *y, const float *x, float *mask, size_t n, float p, rng *r)
{
    float keep = 1.0f / (1.0f - p);
    for (size_t i = 0; i < n; i++) {
        mask[i] = rng_uniform(r) < p ? 0.0f : keep;
        y[i] = x[i] * mask[i];
    }
}

void dropout_backward(float *dx, const float *dy, const float *mask, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dx[i] = dy[i] * mask[i];
}

void softmax_rows(float *x, int N, int V, float temperature)
{
    float inv = 1.0f / temperature;
    for (int i = 0; i < N; i++) {
        float *r = x + (size_t)i * V, mx = -INFINITY, sum = 0.0f;
        for (int j = 0; j < V; j++) {
            r[j] *= inv;
            if (r[j] > mx)
                mx = r[j];
        }
        for (int j = 0; j < V; j++)
            sum += r[j] = expf(r[j] - mx);
        float s = 1.0f / sum;
        for (int j = 0; j < V; j++)
            r[j] *= s;
    }
}

void relu_forward(float *y, const float *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

void relu_backward(float *dx, const float *dy, const float *y, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dx[i] = y[i] > 0.0f ? dy[i] : 0.0f;
}

/* ---- conv1d ---- */

/* Windows are as long as a weight row, [in][kernel], so the products
 * read the weight as it is stored.  A chunk of at most this many floats
 * of windows keeps the copies in cache and the scratch small whatever the
 * sequence's length. */
#define CONV1D_CHUNK_FLOATS (1 << 20)

int conv1d_register(conv1d *c, params *ps, const char *prefix, int in, int out,
                    int kernel, int stride, int pad)
{
    *c = (conv1d){.in = in, .out = out, .kernel = kernel, .stride = stride, .pad = pad, .ps = ps};
    if (in < 1 || out < 1 || kernel < 1 || stride < 1 || pad < 0 || pad >= kernel)
        return -1;
    char name[PARAM_NAME_MAX];
    int shape[3] = {out, in, kernel};
    if (snprintf(name, sizeof name, "%sweight", prefix) >= (int)sizeof name)
        return -1;
    c->w = params_add(ps, name, 3, shape);
    c->b = add2(ps, prefix, "bias", 1, out, 0);
    return c->w < 0 || c->b < 0 ? -1 : 0;
}

void conv1d_init_default(conv1d *c, rng *r)
{
    float a = 1.0f / sqrtf((float)c->in * c->kernel);
    params_init_uniform(c->ps, c->w, a, r);
    params_init_uniform(c->ps, c->b, a, r);
}

int conv1d_out_len(const conv1d *c, int T)
{
    return T + c->pad < c->kernel ? 0 : (T + c->pad - c->kernel) / c->stride + 1;
}

int conv1d_work_reserve(conv1d_work *w, const conv1d *c, int T, int B)
{
    size_t ck = (size_t)c->in * c->kernel;
    long long need = (long long)conv1d_out_len(c, T) * B, rows = CONV1D_CHUNK_FLOATS / ck;
    rows = rows < need ? rows : need;
    rows = rows > 1 ? rows : 1;
    if (w->cols && rows <= w->rows)
        return 0;
    conv1d_work_free(w);
    /* one block: an inference that never runs backward leaves the pages
     * of dcols untouched (vec_alloc) */
    if (!(w->cols = vec_alloc(2 * (size_t)rows * ck)))
        return -1;
    w->dcols = w->cols + (size_t)rows * ck;
    w->rows = (int)rows;
    return 0;
}

void conv1d_work_free(conv1d_work *w)
{
    free(w->cols);
    memset(w, 0, sizeof *w);
}

/* Tap k of a window [in][kernel]: frame f [in], or zeros for padding. */
static void put_tap(float *col, const float *f, int in, int kernel, int k)
{
    for (int i = 0; i < in; i++)
        col[(size_t)i * kernel + k] = f ? f[i] : 0.0f;
}

/* The window of output row r = t * B + b: frames t * stride + k - pad. */
static void put_window(const conv1d *c, int B, const float *x, long long r, float *col)
{
    long long t = r / B, b = r % B;
    for (int k = 0; k < c->kernel; k++) {
        long long p = t * c->stride + k - c->pad;
        put_tap(col, p < 0 ? NULL : x + ((size_t)p * B + b) * c->in, c->in, c->kernel, k);
    }
}

void conv1d_forward(const conv1d *c, conv1d_work *w, int T, int B, const float *x,
                    float *y)
{
    size_t ck = (size_t)c->in * c->kernel;
    long long M = (long long)conv1d_out_len(c, T) * B;
    const float *W = params_data(c->ps, c->w), *bias = params_data(c->ps, c->b);
    for (long long r0 = 0; r0 < M; r0 += w->rows) {
        int m = M - r0 < w->rows ? (int)(M - r0) : w->rows;
        for (int i = 0; i < m; i++)
            put_window(c, B, x, r0 + i, w->cols + i * ck);
        float *yc = y + (size_t)r0 * c->out;
        mat_gemm_tiled(0, 1, m, c->out, (int)ck, w->cols, W, 0.0f, yc);
        mat_add_row(yc, bias, m, c->out);
    }
}

void conv1d_backward(const conv1d *c, conv1d_work *w, int T, int B, const float *x,
                     const float *dy, float *dx)
{
    size_t ck = (size_t)c->in * c->kernel;
    long long M = (long long)conv1d_out_len(c, T) * B;
    const float *W = params_data(c->ps, c->w);
    float *dW = params_grad(c->ps, c->w), *db = params_grad(c->ps, c->b);
    if (dx)
        vec_zero(dx, (size_t)T * B * c->in);
    for (long long r0 = 0; r0 < M; r0 += w->rows) {
        int m = M - r0 < w->rows ? (int)(M - r0) : w->rows;
        const float *dyc = dy + (size_t)r0 * c->out;
        for (int i = 0; i < m; i++)
            put_window(c, B, x, r0 + i, w->cols + i * ck);
        mat_gemm_tiled(1, 0, c->out, (int)ck, m, dyc, w->cols, 1.0f, dW);
        mat_sum_rows(db, dyc, m, c->out);
        if (!dx)
            continue;
        mat_gemm_tiled(0, 0, m, (int)ck, c->out, dyc, W, 0.0f, w->dcols);
        /* each window's gradient back onto the frames it was copied from */
        for (int i = 0; i < m; i++) {
            long long t = (r0 + i) / B, b = (r0 + i) % B;
            const float *dcol = w->dcols + i * ck;
            for (int k = 0; k < c->kernel; k++) {
                long long p = t * c->stride + k - c->pad;
                if (p < 0)
                    continue;
                float *d = dx + ((size_t)p * B + b) * c->in, sign = k == 0 ? FAULT(4) : 1.0f;
                for (int j = 0; j < c->in; j++)
                    d[j] += sign * dcol[(size_t)j * c->kernel + k];
            }
        }
    }
}

int conv1d_stream_init(conv1d_stream *s, const conv1d *c, int B)
{
    memset(s, 0, sizeof *s);
    s->B = B;
    s->ring = vec_alloc((size_t)c->kernel * B * c->in);
    if (!s->ring || conv1d_stream_reserve(s, c, 1) < 0 ||
        mat_pack(&s->w, 1, c->out, c->in * c->kernel, params_data(c->ps, c->w)) < 0) {
        conv1d_stream_free(s);
        return -1;
    }
    conv1d_stream_reset(s, c);
    return 0;
}

int conv1d_stream_reserve(conv1d_stream *s, const conv1d *c, int n)
{
    /* n frames complete at most n / stride + 1 windows */
    int rows = n / c->stride + 1;
    if (s->col && rows <= s->rows)
        return 0;
    float *col = vec_alloc((size_t)rows * s->B * c->in * c->kernel);
    if (!col)
        return -1;
    free(s->col);
    s->col = col;
    s->rows = rows;
    return 0;
}

void conv1d_stream_reset(conv1d_stream *s, const conv1d *c)
{
    vec_zero(s->ring, (size_t)c->kernel * s->B * c->in);
    s->frames = c->pad;
}

void conv1d_stream_free(conv1d_stream *s)
{
    free(s->ring);
    free(s->col);
    mat_packed_free(&s->w);
    memset(s, 0, sizeof *s);
}

/* Put x [B][in] in the ring; when it completes a window, copy the window
 * of each row b to col + b * in * kernel and return 1. */
static int ring_push(const conv1d *c, conv1d_stream *s, const float *x, float *col)
{
    int K = c->kernel, B = s->B;
    size_t frame = (size_t)B * c->in, ck = (size_t)c->in * K;
    memcpy(s->ring + (size_t)(s->frames % K) * frame, x, frame * sizeof *x);
    s->frames++;
    if (s->frames < K || (s->frames - K) % c->stride != 0)
        return 0;
    for (int k = 0; k < K; k++) {
        const float *f = s->ring + (size_t)((s->frames - K + k) % K) * frame;
        for (int b = 0; b < B; b++)
            put_tap(col + b * ck, f + (size_t)b * c->in, c->in, K, k);
    }
    return 1;
}

int conv1d_step(const conv1d *c, conv1d_stream *s, const float *x, float *y)
{
    return conv1d_steps(c, s, 1, x, y);
}

int conv1d_steps(const conv1d *c, conv1d_stream *s, int n, const float *x, float *y)
{
    size_t frame = (size_t)s->B * c->in, win = (size_t)s->B * c->in * c->kernel;
    int m = 0;
    for (int i = 0; i < n; i++)
        m += ring_push(c, s, x + i * frame, s->col + m * win);
    if (m == 0)
        return 0;
    /* tiled: a row's bits do not depend on how many rows share the product */
    mat_gemm_packed_tiled(m * s->B, s->col, &s->w, 0.0f, y);
    mat_add_row(y, params_data(c->ps, c->b), m * s->B, c->out);
    return m;
}

/* ---- batchnorm ---- */

int batchnorm_register(batchnorm *bn, params *ps, params *stats, const char *prefix,
                       int C, float momentum, float eps)
{
    bn->C = C;
    bn->momentum = momentum;
    bn->eps = eps;
    bn->ps = ps;
    bn->stats = stats;
    bn->gamma = add2(ps, prefix, "weight", 1, C, 0);
    bn->beta = add2(ps, prefix, "bias", 1, C, 0);
    bn->mean = add2(stats, prefix, "running_mean", 1, C, 0);
    bn->var = add2(stats, prefix, "running_var", 1, C, 0);
    return bn->gamma < 0 || bn->beta < 0 || bn->mean < 0 || bn->var < 0 ? -1 : 0;
}

void batchnorm_init_default(batchnorm *bn)
{
    float *g = params_data(bn->ps, bn->gamma), *v = params_data(bn->stats, bn->var);
    for (int j = 0; j < bn->C; j++)
        g[j] = v[j] = 1.0f;
    vec_zero(params_data(bn->ps, bn->beta), bn->C);
    vec_zero(params_data(bn->stats, bn->mean), bn->C);
}

int batchnorm_cache_reserve(batchnorm_cache *k, const batchnorm *bn, int N)
{
    if (k->xhat && N <= k->N)
        return 0;
    batchnorm_cache_free(k);
    size_t C = bn->C;
    k->N = N;
    k->xhat = vec_alloc((size_t)N * C);
    /* the [C] rows in one block: sum [2], then mean, inv_std, tmp [2] */
    k->sum = malloc(2 * C * sizeof *k->sum + 4 * C * sizeof *k->mean);
    if (!k->xhat || !k->sum) {
        batchnorm_cache_free(k);
        return -1;
    }
    k->mean = (float *)(k->sum + 2 * C);
    k->inv_std = k->mean + C;
    k->tmp = k->mean + 2 * C;
    return 0;
}

void batchnorm_cache_free(batchnorm_cache *k)
{
    free(k->xhat);
    free(k->sum);
    *k = (batchnorm_cache){0};
}

/* sum[j] = sum over the N rows of x[i][j] (minus center[j] and squared
 * when center is not NULL), in double. */
static void column_sums(double *sum, const float *x, const float *center, int N, int C)
{
    memset(sum, 0, (size_t)C * sizeof *sum);
    for (int i = 0; i < N; i++) {
        const float *r = x + (size_t)i * C;
        if (center)
            for (int j = 0; j < C; j++) {
                double d = (double)r[j] - center[j];
                sum[j] += d * d;
            }
        else
            for (int j = 0; j < C; j++)
                sum[j] += r[j];
    }
}

int batchnorm_forward(const batchnorm *bn, batchnorm_cache *k, int N, const float *x,
                      float *y, int train)
{
    int C = bn->C;
    const float *g = params_data(bn->ps, bn->gamma), *beta = params_data(bn->ps, bn->beta);
    float *rm = params_data(bn->stats, bn->mean), *rv = params_data(bn->stats, bn->var);
    if (train && N < 2)
        return -1;
    if (!train) {
        for (int j = 0; j < C; j++) {
            k->mean[j] = rm[j];
            k->inv_std[j] = 1.0f / sqrtf(rv[j] + bn->eps);
        }
        for (int i = 0; i < N; i++) {
            const float *xi = x + (size_t)i * C;
            float *yi = y + (size_t)i * C;
            for (int j = 0; j < C; j++)
                yi[j] = (xi[j] - k->mean[j]) * k->inv_std[j] * g[j] + beta[j];
        }
        return 0;
    }
    double *sum = k->sum;
    column_sums(sum, x, NULL, N, C);
    for (int j = 0; j < C; j++)
        k->mean[j] = (float)(sum[j] / N);
    column_sums(sum, x, k->mean, N, C);
    float m = bn->momentum;
    for (int j = 0; j < C; j++) {
        double var = sum[j] / N;
        k->inv_std[j] = (float)(1.0 / sqrt(var + bn->eps));
        rm[j] = (1.0f - m) * rm[j] + m * k->mean[j];
        rv[j] = (1.0f - m) * rv[j] + m * (float)(sum[j] / (N - 1));
    }
    for (int i = 0; i < N; i++) {
        const float *xi = x + (size_t)i * C;
        float *h = k->xhat + (size_t)i * C, *yi = y + (size_t)i * C;
        for (int j = 0; j < C; j++) {
            h[j] = (xi[j] - k->mean[j]) * k->inv_std[j];
            yi[j] = g[j] * h[j] + beta[j];
        }
    }
    return 0;
}

void batchnorm_backward(const batchnorm *bn, batchnorm_cache *k, int N, const float *dy,
                        float *dx)
{
    int C = bn->C;
    const float *g = params_data(bn->ps, bn->gamma);
    float *dg = params_grad(bn->ps, bn->gamma), *dbeta = params_grad(bn->ps, bn->beta);
    double *s = k->sum, *sh = k->sum + C;
    memset(s, 0, 2 * (size_t)C * sizeof *s);
    for (int i = 0; i < N; i++) {
        const float *d = dy + (size_t)i * C, *h = k->xhat + (size_t)i * C;
        for (int j = 0; j < C; j++) {
            s[j] += d[j];
            sh[j] += (double)d[j] * h[j];
        }
    }
    /* dx = a (dy - mean(dy) - xhat mean(dy xhat)), a = gamma / sqrt(var + eps) */
    float *mdy = k->tmp, *mdh = k->tmp + C;
    for (int j = 0; j < C; j++) {
        dg[j] += (float)sh[j];
        dbeta[j] += (float)s[j];
        mdy[j] = (float)(s[j] / N);
        mdh[j] = FAULT(5) * (float)(sh[j] / N);
    }
    for (int i = 0; i < N; i++) {
        const float *d = dy + (size_t)i * C, *h = k->xhat + (size_t)i * C;
        float *o = dx + (size_t)i * C;
        for (int j = 0; j < C; j++)
            o[j] = g[j] * k->inv_std[j] * (d[j] - mdy[j] - h[j] * mdh[j]);
    }
}
