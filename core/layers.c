/* layers — dense, embedding, softmax, relu; see layers.h. */
#include "layers.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

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
