/* layerdump — the C side of the layers' PyTorch cross-check
 * (tests/crosscheck.sh runs it, tests/crosscheck_layers.py compares):
 *   layerdump OUT.safetensors
 * runs conv1d, batchnorm and the weighted binary cross-entropy on seeded
 * random inputs and writes, per case, the inputs, the weights, what the
 * layer gave and every gradient as tensors CASE.NAME, and the case's
 * sizes and settings as metadata CASE.  A conv1d or batchnorm case's loss
 * is sum(R * y) for the random R it writes, so dy = R.
 *
 * Cases: conv1d 'valid' (stride 4), 'causal' (stride 1, pad kernel - 1),
 * 'course' (101 -> 196 channels, kernel 15, stride 4); batchnorm 'bn'
 * (PyTorch's momentum and eps) and 'bnk' (Keras'), each one training
 * step and then an eval forward; 'bce'; and 'net', the front of the
 * trigger-word network: conv1d -> batchnorm -> relu -> dense(1) ->
 * weighted cross-entropy with a mask. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layers.h"
#include "loss.h"
#include "model.h"
#include "rng.h"

static rng R;
static model_out *out;
/* every buffer handed to out, freed after the write */
static float *kept[256];
static int nkept;

static float *buffer(size_t n)
{
    float *p = calloc(n ? n : 1, sizeof *p);
    if (!p || nkept == 256)
        abort();
    return kept[nkept++] = p;
}

static float *uniform(size_t n, float a, float offset)
{
    float *p = buffer(n);
    for (size_t i = 0; i < n; i++)
        p[i] = (2 * rng_uniform(&R) - 1) * a + offset;
    return p;
}

/* Write tensor CAS.WHAT of shape d0 x d1 x d2 (ndim of them) from a copy
 * of data, so the caller may free data before the file is written. */
static void put(const char *cas, const char *what, int ndim, int d0, int d1, int d2, const float *data)
{
    char name[128];
    int shape[3] = {d0, d1, d2};
    size_t n = 1;
    for (int i = 0; i < ndim; i++)
        n *= (size_t)shape[i];
    float *copy = buffer(n);
    memcpy(copy, data, n * sizeof *copy);
    snprintf(name, sizeof name, "%s.%s", cas, what);
    if (model_out_tensor(out, name, ndim, shape, copy) < 0)
        abort();
}

static void conv_case(const char *cas, int T, int B, int in, int oc, int kernel, int stride, int pad)
{
    params ps = {0};
    conv1d c;
    conv1d_work w = {0};
    if (conv1d_register(&c, &ps, "", in, oc, kernel, stride, pad) < 0 || params_alloc(&ps) < 0 ||
        conv1d_work_reserve(&w, &c, T, B) < 0)
        abort();
    conv1d_init_default(&c, &R);
    int To = conv1d_out_len(&c, T);
    float *x = uniform((size_t)T * B * in, 1, 0), *y = buffer((size_t)To * B * oc);
    float *dy = uniform((size_t)To * B * oc, 1, 0), *dx = buffer((size_t)T * B * in);
    conv1d_forward(&c, &w, T, B, x, y);
    conv1d_backward(&c, &w, T, B, x, dy, dx);
    model_out_metaf(out, cas, "conv1d %d %d %d %d %d %d %d", T, B, in, oc, kernel, stride, pad);
    put(cas, "x", 3, T, B, in, x);
    put(cas, "weight", 3, oc, in, kernel, params_data(&ps, c.w));
    put(cas, "bias", 1, oc, 0, 0, params_data(&ps, c.b));
    put(cas, "R", 3, To, B, oc, dy);
    put(cas, "y", 3, To, B, oc, y);
    put(cas, "grad.x", 3, T, B, in, dx);
    put(cas, "grad.weight", 3, oc, in, kernel, params_grad(&ps, c.w));
    put(cas, "grad.bias", 1, oc, 0, 0, params_grad(&ps, c.b));
    conv1d_work_free(&w);
    params_free(&ps);
}

/* One training step on x [T][B][C] (features of different offsets and
 * scales), from running statistics not at their init; then eval on x2. */
static void bn_case(const char *cas, int T, int B, int C, float momentum, float eps)
{
    params ps = {0}, stats = {0};
    batchnorm bn;
    batchnorm_cache k = {0};
    int N = T * B;
    if (batchnorm_register(&bn, &ps, &stats, "", C, momentum, eps) < 0 || params_alloc(&ps) < 0 ||
        params_alloc(&stats) < 0 || batchnorm_cache_reserve(&k, &bn, N) < 0)
        abort();
    float *g = params_data(&ps, bn.gamma), *b = params_data(&ps, bn.beta);
    float *rm = params_data(&stats, bn.mean), *rv = params_data(&stats, bn.var);
    for (int j = 0; j < C; j++) {
        g[j] = 0.5f + rng_uniform(&R);
        b[j] = 2 * rng_uniform(&R) - 1;
        rm[j] = 2 * rng_uniform(&R) - 1;
        rv[j] = 0.5f + rng_uniform(&R);
    }
    float *x = buffer((size_t)N * C), *x2 = buffer((size_t)N * C);
    for (int i = 0; i < N * C; i++) {
        int j = i % C;
        x[i] = (2 * rng_uniform(&R) - 1) * (1 + j) + j - 2;
        x2[i] = (2 * rng_uniform(&R) - 1) * (1 + j) + j - 2;
    }
    float *y = buffer((size_t)N * C), *dy = uniform((size_t)N * C, 1, 0), *dx = buffer((size_t)N * C);
    model_out_metaf(out, cas, "batchnorm %d %d %d %.9g %.9g", T, B, C, momentum, eps);
    put(cas, "x", 3, T, B, C, x);
    put(cas, "weight", 1, C, 0, 0, g);
    put(cas, "bias", 1, C, 0, 0, b);
    put(cas, "running_mean", 1, C, 0, 0, rm);
    put(cas, "running_var", 1, C, 0, 0, rv);
    if (batchnorm_forward(&bn, &k, N, x, y, 1) < 0)
        abort();
    batchnorm_backward(&bn, &k, N, dy, dx);
    put(cas, "R", 3, T, B, C, dy);
    put(cas, "y", 3, T, B, C, y);
    put(cas, "grad.x", 3, T, B, C, dx);
    put(cas, "grad.weight", 1, C, 0, 0, params_grad(&ps, bn.gamma));
    put(cas, "grad.bias", 1, C, 0, 0, params_grad(&ps, bn.beta));
    put(cas, "running_mean_after", 1, C, 0, 0, rm);
    put(cas, "running_var_after", 1, C, 0, 0, rv);
    batchnorm_forward(&bn, &k, N, x2, y, 0);
    put(cas, "x_eval", 3, T, B, C, x2);
    put(cas, "y_eval", 3, T, B, C, y);
    batchnorm_cache_free(&k);
    params_free(&ps);
    params_free(&stats);
}

/* Targets 0 and 1 and a few soft ones, logits up to +-30, a mask. */
static void targets_and_mask(float *y, float *mask, int n)
{
    for (int i = 0; i < n; i++) {
        float u = rng_uniform(&R);
        y[i] = u < 0.3f ? 1.0f : u < 0.9f ? 0.0f : rng_uniform(&R);
        mask[i] = rng_uniform(&R) < 0.85f;
    }
}

static void bce_case(const char *cas, int n, float w_pos, float w_neg)
{
    float *z = uniform(n, 6, 0), *y = buffer(n), *mask = buffer(n), *dz = buffer(n);
    z[0] = 30;
    z[1] = -30;
    targets_and_mask(y, mask, n);
    mask[0] = mask[1] = 1;
    double loss = loss_sigmoid_xent(z, y, mask, n, w_pos, w_neg, dz);
    model_out_metaf(out, cas, "bce %d %.9g %.9g %.9g", n, w_pos, w_neg, loss);
    put(cas, "z", 1, n, 0, 0, z);
    put(cas, "y", 1, n, 0, 0, y);
    put(cas, "mask", 1, n, 0, 0, mask);
    put(cas, "grad.z", 1, n, 0, 0, dz);
}

static void net_case(const char *cas, int T, int B, int in, int ch, int kernel, int stride)
{
    params ps = {0}, stats = {0};
    conv1d c;
    conv1d_work w = {0};
    batchnorm bn;
    batchnorm_cache k = {0};
    dense d;
    float w_pos = 4, w_neg = 0.9f;
    if (conv1d_register(&c, &ps, "conv.", in, ch, kernel, stride, 0) < 0 ||
        batchnorm_register(&bn, &ps, &stats, "bn.", ch, 0.1f, 1e-3f) < 0 ||
        dense_register(&d, &ps, "out.", ch, 1) < 0 || params_alloc(&ps) < 0 || params_alloc(&stats) < 0 ||
        conv1d_work_reserve(&w, &c, T, B) < 0)
        abort();
    int To = conv1d_out_len(&c, T), N = To * B;
    if (batchnorm_cache_reserve(&k, &bn, N) < 0)
        abort();
    conv1d_init_default(&c, &R);
    dense_init_default(&d, &R);
    batchnorm_init_default(&bn);
    float *g = params_data(&ps, bn.gamma), *b = params_data(&ps, bn.beta);
    for (int j = 0; j < ch; j++) {
        g[j] = 0.5f + rng_uniform(&R);
        b[j] = 2 * rng_uniform(&R) - 1;
    }
    float *x = uniform((size_t)T * B * in, 1, 0), *dx = buffer((size_t)T * B * in);
    float *a = buffer((size_t)N * ch), *h = buffer((size_t)N * ch), *z = buffer(N);
    float *y = buffer(N), *mask = buffer(N), *dz = buffer(N);
    targets_and_mask(y, mask, N);
    for (int i = 0; i < ps.n; i++) {
        char what[PARAM_NAME_MAX + 8];
        snprintf(what, sizeof what, "%s", ps.p[i].name);
        put(cas, what, ps.p[i].ndim, ps.p[i].shape[0], ps.p[i].shape[1], ps.p[i].shape[2],
            params_data(&ps, i));
    }
    conv1d_forward(&c, &w, T, B, x, a);
    batchnorm_forward(&bn, &k, N, a, h, 1);
    relu_forward(h, h, (size_t)N * ch);
    dense_forward(&d, N, h, z);
    double loss = loss_sigmoid_xent(z, y, mask, N, w_pos, w_neg, dz);
    dense_backward(&d, N, h, dz, a);
    relu_backward(a, a, h, (size_t)N * ch);
    batchnorm_backward(&bn, &k, N, a, a);
    conv1d_backward(&c, &w, T, B, x, a, dx);
    model_out_metaf(out, cas, "net %d %d %d %d %d %d %.9g %.9g %.9g %.9g %.9g", T, B, in, ch, kernel,
                    stride, bn.momentum, bn.eps, w_pos, w_neg, loss);
    put(cas, "x", 3, T, B, in, x);
    put(cas, "target", 2, To, B, 0, y);
    put(cas, "mask", 2, To, B, 0, mask);
    put(cas, "z", 2, To, B, 0, z);
    put(cas, "grad.x", 3, T, B, in, dx);
    for (int i = 0; i < ps.n; i++) {
        char what[PARAM_NAME_MAX + 8];
        snprintf(what, sizeof what, "grad.%s", ps.p[i].name);
        put(cas, what, ps.p[i].ndim, ps.p[i].shape[0], ps.p[i].shape[1], ps.p[i].shape[2],
            params_grad(&ps, i));
    }
    for (int i = 0; i < stats.n; i++)
        put(cas, stats.p[i].name, 1, stats.p[i].shape[0], 0, 0, params_data(&stats, i));
    conv1d_work_free(&w);
    batchnorm_cache_free(&k);
    params_free(&ps);
    params_free(&stats);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: layerdump OUT.safetensors\n");
        return 2;
    }
    char err[ERR_MAX];
    rng_seed(&R, 7);
    out = model_out_new("layerdump");
    if (!out)
        return 1;
    conv_case("valid", 31, 2, 5, 6, 7, 4, 0);
    conv_case("causal", 9, 3, 3, 4, 4, 1, 3);
    conv_case("course", 63, 2, 101, 196, 15, 4, 0);
    bn_case("bn", 7, 3, 6, 0.1f, 1e-5f);
    bn_case("bnk", 5, 4, 3, 0.01f, 1e-3f);
    bce_case("bce", 40, 5, 0.8f);
    net_case("net", 41, 3, 6, 5, 7, 4);
    int rc = model_out_write(out, argv[1], err);
    if (rc < 0)
        fprintf(stderr, "layerdump: %s\n", err);
    model_out_free(out);
    for (int i = 0; i < nkept; i++)
        free(kept[i]);
    return rc < 0 ? 1 : 0;
}
