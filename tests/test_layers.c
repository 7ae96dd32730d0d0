/* test_layers — unit tests of the layers of the trigger-word network:
 * conv1d (stride, left padding, streaming), batchnorm (train and eval),
 * relu, and the weighted binary cross-entropy of core/loss.
 *
 * Gradient checks as in test_core (tests/gradcheck.h: central differences
 * against the analytic gradient, relative L2 error per tensor).  How we
 * know they would catch a wrong backward: `make check` also builds this
 * file against core/layers.c and core/loss.c compiled with
 * -DSEQTOOL_FAULT=4/5/6 (core/fault.h: conv1d's dx from its first tap,
 * batchnorm's dx through the variance, the negative term of the
 * cross-entropy with its sign flipped) and runs it with --expect-fault N:
 * that check must then FAIL.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "layers.h"
#include "loss.h"
#include "model.h"
#include "params.h"
#include "rng.h"
#include "tensor.h"

#include "gradcheck.h"

/* ---- conv1d ---- */

typedef struct {
    int T, B, in, out, kernel, stride, pad;
} conv_shape;

typedef struct {
    conv1d c;
    conv1d_work w;
    params ps;
    conv_shape s;
    int Tout;
    float *x, *y, *R, *dy, *dx;
} conv_ctx;

static double conv_loss(void *p)
{
    conv_ctx *t = p;
    conv1d_forward(&t->c, &t->w, t->s.T, t->s.B, t->x, t->y);
    double L = 0;
    for (int i = 0; i < t->Tout * t->s.B * t->s.out; i++)
        L += (double)t->R[i] * t->y[i] * t->y[i];
    return L;
}

static conv_ctx *conv_new(conv_shape s)
{
    conv_ctx *t = calloc(1, sizeof *t);
    t->s = s;
    if (conv1d_register(&t->c, &t->ps, "conv.", s.in, s.out, s.kernel, s.stride, s.pad) < 0 ||
        params_alloc(&t->ps) < 0 || conv1d_work_reserve(&t->w, &t->c, s.T, s.B) < 0)
        abort();
    t->Tout = conv1d_out_len(&t->c, s.T);
    size_t nx = (size_t)s.T * s.B * s.in, ny = (size_t)t->Tout * s.B * s.out;
    t->x = malloc(nx * 4);
    t->dx = malloc(nx * 4);
    t->y = malloc(ny * 4);
    t->R = malloc(ny * 4);
    t->dy = malloc(ny * 4);
    fill_params(&t->ps, 0.5f);
    fill_uniform(t->x, nx, 1);
    fill_uniform(t->R, ny, 1);
    return t;
}

static void conv_free(conv_ctx *t)
{
    free(t->x); free(t->dx); free(t->y); free(t->R); free(t->dy);
    conv1d_work_free(&t->w);
    params_free(&t->ps);
    free(t);
}

/* Gradient check of one shape; chunk > 0 makes the products run on
 * chunks of that many rows. */
static void test_conv_grad(conv_shape s, int chunk, int expect_fault)
{
    conv_ctx *t = conv_new(s);
    if (chunk > 0 && chunk < t->w.rows)
        t->w.rows = chunk;
    conv_loss(t);
    for (int i = 0; i < t->Tout * s.B * s.out; i++)
        t->dy[i] = 2 * t->R[i] * t->y[i];
    params_zero_grad(&t->ps);
    conv1d_backward(&t->c, &t->w, s.T, s.B, t->x, t->dy, t->dx);
    const char *worst = "";
    double ep = params_grad_error(conv_loss, t, &t->ps, &worst);
    double ex = grad_error(conv_loss, t, t->x, t->dx, (size_t)s.T * s.B * s.in);
    double e = fmax(ep, ex);
    char what[160];
    snprintf(what, sizeof what, "conv1d T %d B %d in %d out %d kernel %d stride %d pad %d%s -> T' %d",
             s.T, s.B, s.in, s.out, s.kernel, s.stride, s.pad, chunk ? " (chunks of 5 rows)" : "",
             t->Tout);
    if (expect_fault)
        check(e > GRAD_TOL, "gradcheck catches the injected fault in %s (error %.2e)", what, e);
    else
        check(e < GRAD_TOL, "gradcheck %s: params %.1e (worst %s), x %.1e", what, ep, worst, ex);
    conv_free(t);
}

static const conv_shape conv_shapes[] = {
    {11, 2, 3, 4, 3, 1, 0},  /* plain */
    {23, 3, 5, 4, 6, 4, 0},  /* stride 4, valid: the last frame is read by no window */
    {9, 2, 3, 2, 4, 1, 3},   /* causal */
    {30, 2, 4, 3, 8, 4, 7},  /* stride 4 with causal padding */
    {17, 1, 2, 3, 5, 2, 2},  /* stride 2, some padding */
    {4, 3, 2, 2, 4, 4, 0},   /* one output frame */
    {7, 2, 3, 5, 1, 1, 0},   /* kernel 1: a dense layer on every frame */
};

/* The layout and the padding by hand: weight [out][in][kernel], tap k
 * reads frame t * stride + k - pad. */
static void test_conv_values(void)
{
    struct {
        conv_shape s;
        float w[4], b, x[6], y[3];
    } cases[] = {
        /* 1 channel, kernel 2, stride 2: x 1..5 -> 1 + 2*2, 3 + 2*4 (+ 0.5) */
        {{5, 1, 1, 1, 2, 2, 0}, {1, 2}, 0.5f, {1, 2, 3, 4, 5}, {5.5f, 11.5f}},
        /* causal kernel 3: y[t] = x[t-2] + 10 x[t-1] + 100 x[t] */
        {{3, 1, 1, 1, 3, 1, 2}, {1, 10, 100}, 0, {1, 2, 3}, {100, 210, 321}},
        /* 2 channels: weight[0][0] = {1, 2}, weight[0][1] = {3, 4};
         * frames (1, 10), (2, 20), (3, 30) */
        {{3, 1, 2, 1, 2, 1, 0}, {1, 2, 3, 4}, 0, {1, 10, 2, 20, 3, 30}, {115, 188}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        conv_shape s = cases[i].s;
        conv1d c;
        conv1d_work w = {0};
        params ps = {0};
        conv1d_register(&c, &ps, "", s.in, s.out, s.kernel, s.stride, s.pad);
        params_alloc(&ps);
        conv1d_work_reserve(&w, &c, s.T, s.B);
        memcpy(params_data(&ps, c.w), cases[i].w, (size_t)s.in * s.kernel * 4);
        *params_data(&ps, c.b) = cases[i].b;
        float y[3] = {0};
        int n = conv1d_out_len(&c, s.T);
        conv1d_forward(&c, &w, s.T, s.B, cases[i].x, y);
        check(n == (s.T + s.pad - s.kernel) / s.stride + 1 && memcmp(y, cases[i].y, n * 4) == 0,
              "conv1d by hand: in %d kernel %d stride %d pad %d gives %g %g %g", s.in, s.kernel,
              s.stride, s.pad, y[0], y[1], n > 2 ? y[2] : 0);
        conv1d_work_free(&w);
        params_free(&ps);
    }
    conv1d c;
    params ps = {0};
    check(conv1d_register(&c, &ps, "", 2, 2, 3, 1, 3) < 0 && conv1d_register(&c, &ps, "", 2, 2, 3, 0, 0) < 0 &&
          conv1d_register(&c, &ps, "", 2, 2, 0, 1, 0) < 0,
          "conv1d refuses pad >= kernel, stride 0, kernel 0");
    conv1d_register(&c, &ps, "", 2, 2, 15, 4, 0);
    check(conv1d_out_len(&c, 5511) == 1375 && conv1d_out_len(&c, 14) == 0 && conv1d_out_len(&c, 15) == 1,
          "conv1d kernel 15 stride 4: 5511 frames give 1375, 15 give 1, 14 none");
    params_free(&ps);
}

/* conv1d_step frame by frame against conv1d_forward on the whole
 * sequence: the same bits; and the forward in chunks, the same bits. */
static void test_conv_stream(conv_shape s)
{
    conv_ctx *t = conv_new(s);
    conv1d_init_default(&t->c, &R);
    conv1d_forward(&t->c, &t->w, s.T, s.B, t->x, t->y);
    size_t ny = (size_t)t->Tout * s.B * s.out, frame = (size_t)s.B * s.in;
    /* against the definition, in double */
    const float *W = params_data(&t->ps, t->c.w), *bias = params_data(&t->ps, t->c.b);
    double worst = 0;
    for (int r = 0; r < t->Tout * s.B; r++)
        for (int o = 0; o < s.out; o++) {
            double v = bias[o];
            for (int k = 0; k < s.kernel; k++) {
                int p = r / s.B * s.stride + k - s.pad;
                for (int c = 0; p >= 0 && c < s.in; c++)
                    v += (double)W[((size_t)o * s.in + c) * s.kernel + k] *
                         t->x[((size_t)p * s.B + r % s.B) * s.in + c];
            }
            worst = fmax(worst, fabs(v - t->y[(size_t)r * s.out + o]));
        }
    float *ys = malloc(ny * 4), *yc = malloc(ny * 4);
    conv1d_stream st;
    conv1d_stream_init(&st, &t->c, s.B);
    int same = 1;
    for (int pass = 0; pass < 2; pass++) { /* the second after a reset */
        int n = 0, when = 1;
        for (int i = 0; i < s.T; i++)
            if (conv1d_step(&t->c, &st, t->x + i * frame, ys + (size_t)n * s.B * s.out)) {
                when &= i == n * s.stride + s.kernel - 1 - s.pad;
                n++;
            }
        same &= n == t->Tout && when && memcmp(ys, t->y, ny * 4) == 0;
        conv1d_stream_reset(&st, &t->c);
    }
    /* pushes of 1, 2, 3, ... 9 frames, then 1 again: one product a push */
    int n = 0, blocks = 0;
    conv1d_stream_reserve(&st, &t->c, 9);
    for (int i = 0, len = 1; i < s.T; i += len, len = len % 9 + 1) {
        int m = s.T - i < len ? s.T - i : len;
        n += conv1d_steps(&t->c, &st, m, t->x + i * frame, ys + (size_t)n * s.B * s.out);
        blocks++;
    }
    int chunked = n == t->Tout && memcmp(ys, t->y, ny * 4) == 0;
    t->w.rows = 7;
    conv1d_forward(&t->c, &t->w, s.T, s.B, t->x, yc);
    check(worst < 1e-5 && same && chunked && memcmp(yc, t->y, ny * 4) == 0,
          "conv1d T %d B %d in %d out %d kernel %d stride %d pad %d: forward = definition (%.1e), "
          "conv1d_step frame by frame = forward bit for bit (twice, with a reset), so are conv1d_steps "
          "in %d pushes of 1 to 9 frames and chunks of 7 rows",
          s.T, s.B, s.in, s.out, s.kernel, s.stride, s.pad, worst, blocks);
    conv1d_stream_free(&st);
    free(ys);
    free(yc);
    conv_free(t);
}

/* ---- batchnorm ---- */

enum { BN_N = 12, BN_C = 5 };

typedef struct {
    batchnorm bn;
    batchnorm_cache k;
    params ps, stats;
    float x[BN_N * BN_C], y[BN_N * BN_C], R[BN_N * BN_C], dy[BN_N * BN_C], dx[BN_N * BN_C];
} bn_ctx;

static double bn_loss(void *p)
{
    bn_ctx *t = p;
    batchnorm_forward(&t->bn, &t->k, BN_N, t->x, t->y, 1);
    double L = 0;
    for (int i = 0; i < BN_N * BN_C; i++)
        L += (double)t->R[i] * t->y[i] * t->y[i];
    return L;
}

static void test_bn_grad(int expect_fault)
{
    bn_ctx *t = calloc(1, sizeof *t);
    batchnorm_register(&t->bn, &t->ps, &t->stats, "bn.", BN_C, 0.1f, 1e-5f);
    params_alloc(&t->ps);
    params_alloc(&t->stats);
    batchnorm_init_default(&t->bn);
    batchnorm_cache_reserve(&t->k, &t->bn, BN_N);
    fill_params(&t->ps, 1.5f);
    /* features of different scales and offsets */
    for (int i = 0; i < BN_N * BN_C; i++)
        t->x[i] = (2 * rng_uniform(&R) - 1) * (1 + i % BN_C) + (i % BN_C) - 2;
    fill_uniform(t->R, BN_N * BN_C, 1);
    bn_loss(t);
    for (int i = 0; i < BN_N * BN_C; i++)
        t->dy[i] = 2 * t->R[i] * t->y[i];
    params_zero_grad(&t->ps);
    batchnorm_backward(&t->bn, &t->k, BN_N, t->dy, t->dx);
    const char *worst = "";
    double ep = params_grad_error(bn_loss, t, &t->ps, &worst);
    double ex = grad_error(bn_loss, t, t->x, t->dx, BN_N * BN_C);
    double e = fmax(ep, ex);
    if (expect_fault)
        check(e > GRAD_TOL, "gradcheck catches the injected fault in batchnorm (error %.2e)", e);
    else
        check(e < GRAD_TOL, "gradcheck batchnorm, train mode, %d rows of %d features: params %.1e (worst %s), x %.1e",
              BN_N, BN_C, ep, worst, ex);
    /* dx may be dy (after a forward at x again: the checker's last one
     * was at a moved point) */
    bn_loss(t);
    batchnorm_backward(&t->bn, &t->k, BN_N, t->dy, t->dx);
    batchnorm_backward(&t->bn, &t->k, BN_N, t->dy, t->dy);
    check(memcmp(t->dx, t->dy, sizeof t->dx) == 0, "batchnorm backward in place (dx = dy)");
    batchnorm_cache_free(&t->k);
    params_free(&t->ps);
    params_free(&t->stats);
    free(t);
}

static void test_bn_values(const char *dir)
{
    batchnorm bn;
    batchnorm_cache k = {0};
    params ps = {0}, stats = {0};
    batchnorm_register(&bn, &ps, &stats, "bn.", 2, 0.1f, 1e-5f);
    params_alloc(&ps);
    params_alloc(&stats);
    batchnorm_init_default(&bn);
    batchnorm_cache_reserve(&k, &bn, 4);
    float *g = params_data(&ps, bn.gamma), *b = params_data(&ps, bn.beta);
    float *rm = params_data(&stats, bn.mean), *rv = params_data(&stats, bn.var);
    check(g[0] == 1 && g[1] == 1 && b[0] == 0 && rm[1] == 0 && rv[0] == 1 && rv[1] == 1 &&
          params_find(&stats, "bn.running_mean") == bn.mean && params_find(&ps, "bn.weight") == bn.gamma,
          "batchnorm: PyTorch's names and init (gamma 1, beta 0, running mean 0, variance 1)");
    /* feature 0: 1 2 3 4 (mean 2.5, variance 1.25, unbiased 5/3);
     * feature 1: 0 0 0 8 (mean 2, variance 12, unbiased 16) */
    float x[8] = {1, 0, 2, 0, 3, 0, 4, 8}, y[8];
    batchnorm_forward(&bn, &k, 4, x, y, 1);
    double d = 0;
    for (int i = 0; i < 4; i++) {
        d = fmax(d, fabs(y[2 * i] - (x[2 * i] - 2.5) / sqrt(1.25 + 1e-5)));
        d = fmax(d, fabs(y[2 * i + 1] - (x[2 * i + 1] - 2.0) / sqrt(12 + 1e-5)));
    }
    double ds = fmax(fmax(fabs(rm[0] - 0.25), fabs(rm[1] - 0.2)),
                     fmax(fabs(rv[0] - (0.9 + 0.1 * 5 / 3.0)), fabs(rv[1] - 2.5)));
    check(d < 1e-6 && ds < 1e-6,
          "batchnorm train by hand: batch statistics (%.1e); running mean 0.25 0.2 and unbiased variance "
          "1.0667 2.5 after one step of momentum 0.1 (%.1e)", d, ds);
    /* in place, and one row refused */
    float xi[8];
    memcpy(xi, x, sizeof x);
    batchnorm_forward(&bn, &k, 4, xi, xi, 1);
    float keep = rm[0];
    check(memcmp(xi, y, sizeof y) == 0 && batchnorm_forward(&bn, &k, 1, x, y, 1) < 0 && rm[0] == keep,
          "batchnorm train in place (y = x); one row is refused and changes nothing");

    /* eval: (x - running_mean) / sqrt(running_var + eps) * gamma + beta;
     * with eps 0 the numbers are round: */
    batchnorm ev = bn;
    ev.eps = 0;
    rm[0] = 1; rm[1] = -2; rv[0] = 4; rv[1] = 0.25f;
    g[0] = 2; g[1] = -1; b[0] = 0.5f; b[1] = 3;
    float xe[4] = {3, -1.5f, -1, 0}, ye[4], want[4] = {2.5f, 2, -1.5f, -1};
    batchnorm_forward(&ev, &k, 2, xe, ye, 0);
    check(memcmp(ye, want, sizeof ye) == 0 && rm[0] == 1 && rv[1] == 0.25f,
          "batchnorm eval by hand: (3 - 1) / 2 * 2 + 0.5 = %g, (-1.5 + 2) / 0.5 * -1 + 3 = %g, %g, %g; "
          "running statistics untouched", ye[0], ye[1], ye[2], ye[3]);
    batchnorm_forward(&bn, &k, 2, xe, ye, 0);
    d = 0;
    for (int i = 0; i < 4; i++) {
        int j = i % 2;
        d = fmax(d, fabs(ye[i] - ((xe[i] - rm[j]) / sqrt(rv[j] + 1e-5) * g[j] + b[j])));
    }
    check(d < 1e-6, "batchnorm eval with eps 1e-5 (%.1e)", d);

    /* Keras' settings: momentum 0.99 there is 0.01 here, epsilon 1e-3 */
    batchnorm kb = bn;
    kb.momentum = 0.01f;
    kb.eps = 1e-3f;
    batchnorm_init_default(&kb);
    batchnorm_forward(&kb, &k, 4, x, y, 1);
    check(fabsf(rv[0] - (0.99f + 0.01f * 5 / 3.0f)) < 1e-6 && fabs(y[0] - (1 - 2.5) / sqrt(1.25 + 1e-3)) < 1e-6,
          "batchnorm with Keras' momentum (0.01 here) and epsilon 1e-3");

    /* the running statistics go into a model file as a params set */
    char path[512], err[ERR_MAX];
    snprintf(path, sizeof path, "%s/bn.safetensors", dir);
    model_out *m = model_out_new("test");
    model_out_params(m, &ps);
    model_out_params(m, &stats);
    int ok = model_out_write(m, path, err) == 0;
    model_out_free(m);
    params ps2 = {0}, stats2 = {0};
    batchnorm bn2;
    batchnorm_register(&bn2, &ps2, &stats2, "bn.", 2, 0.1f, 1e-5f);
    params_alloc(&ps2);
    params_alloc(&stats2);
    model_in f;
    ok = ok && model_in_open(&f, path, "test", err) == 0;
    ok = ok && model_in_params(&f, &ps2, err) == 0 && model_in_params(&f, &stats2, err) == 0;
    ok = ok && memcmp(ps2.data, ps.data, ps.total * 4) == 0 && memcmp(stats2.data, stats.data, stats.total * 4) == 0;
    if (f.bytes)
        model_in_close(&f);
    check(ok, "batchnorm: gamma, beta and the running statistics through a model file");
    unlink(path);
    params_free(&ps2);
    params_free(&stats2);
    batchnorm_cache_free(&k);
    params_free(&ps);
    params_free(&stats);
}

/* ---- relu ---- */

static void test_relu(void)
{
    float x[5] = {-2, -0.0f, 0, 0.5f, 3}, y[5], dy[5] = {1, 2, 3, 4, 5}, dx[5];
    relu_forward(y, x, 5);
    relu_backward(dx, dy, y, 5);
    check(y[0] == 0 && y[1] == 0 && y[2] == 0 && y[3] == 0.5f && y[4] == 3 && dx[0] == 0 && dx[2] == 0 &&
          dx[3] == 4 && dx[4] == 5, "relu forward and backward by hand");
}

/* ---- weighted binary cross-entropy ---- */

enum { BCE_N = 14 };

typedef struct {
    float z[BCE_N], y[BCE_N], mask[BCE_N], w_pos, w_neg;
} bce_ctx;

static double bce_loss(void *p)
{
    bce_ctx *t = p;
    return loss_sigmoid_xent(t->z, t->y, t->mask, BCE_N, t->w_pos, t->w_neg, NULL);
}

static void test_bce(int expect_fault)
{
    bce_ctx t = {.w_pos = 3, .w_neg = 0.7f};
    fill_uniform(t.z, BCE_N, 4);
    for (int i = 0; i < BCE_N; i++) {
        t.y[i] = i % 3 == 0;
        t.mask[i] = i % 5 != 4;
    }
    t.y[1] = 0.3f; /* a soft target */
    float d[BCE_N];
    double L = loss_sigmoid_xent(t.z, t.y, t.mask, BCE_N, t.w_pos, t.w_neg, d);
    double e = grad_error(bce_loss, &t, t.z, d, BCE_N);
    if (expect_fault) {
        check(e > GRAD_TOL, "gradcheck catches the injected fault in the weighted cross-entropy (error %.2e)", e);
        return;
    }
    check(e < GRAD_TOL && d[4] == 0 && d[9] == 0,
          "gradcheck weighted binary cross-entropy (w_pos 3, w_neg 0.7) with a mask: %.1e; masked elements get 0", e);
    /* against the formula in double */
    double want = 0, count = 0;
    for (int i = 0; i < BCE_N; i++) {
        double s = 1 / (1 + exp(-(double)t.z[i]));
        want -= t.mask[i] * (t.w_pos * t.y[i] * log(s) + t.w_neg * (1 - t.y[i]) * log(1 - s));
        count += t.mask[i];
    }
    want /= count;
    check(fabs(L - want) < 1e-9 * want, "weighted binary cross-entropy = its formula (%.9f, %.9f)", L, want);
    float z0[2] = {0, 0}, y0[2] = {1, 0};
    L = loss_sigmoid_xent(z0, y0, NULL, 2, 3, 0.5f, NULL);
    check(fabs(L - log(2.0) * 3.5 / 2) < 1e-12, "logits 0: (3 + 0.5) log 2 / 2 = %.9f", L);
    /* stable for any logit; dlogits may be the logits */
    float zb[4] = {1000, -1000, 100, -100}, yb[4] = {0, 1, 1, 0};
    L = loss_sigmoid_xent(zb, yb, NULL, 4, 2, 1, zb);
    check(fabs(L - (1000 + 2000) / 4.0) < 1e-9 && fabsf(zb[0] - 0.25f) < 1e-7 && fabsf(zb[1] + 0.5f) < 1e-7 &&
          fabsf(zb[2]) < 1e-30 && fabsf(zb[3]) < 1e-30,
          "weighted binary cross-entropy stable at logits +-1000 (loss %.1f, gradient %g %g)", L, zb[0], zb[1]);
    float nan_z[2] = {NAN, 1}, m0[2] = {0, 0}, dz[2] = {5, 5};
    L = loss_sigmoid_xent(nan_z, y0, m0, 2, 1, 1, dz);
    check(L == 0 && dz[0] == 0 && dz[1] == 0, "nothing counted: loss 0 and gradient 0, a masked NaN ignored");
}

/* ---- the front of the trigger-word network, end to end ----
 * conv1d (stride 2) -> batchnorm (train) -> relu -> dense(1) -> weighted
 * cross-entropy with a mask. */

enum { NET_T = 21, NET_B = 3, NET_IN = 4, NET_CH = 5, NET_TOUT = 9 };

typedef struct {
    conv1d conv;
    conv1d_work w;
    batchnorm bn;
    batchnorm_cache k;
    dense out;
    params ps, stats;
    float x[NET_T * NET_B * NET_IN], dx[NET_T * NET_B * NET_IN];
    float a[NET_TOUT * NET_B * NET_CH], h[NET_TOUT * NET_B * NET_CH], r[NET_TOUT * NET_B * NET_CH];
    float z[NET_TOUT * NET_B], y[NET_TOUT * NET_B], mask[NET_TOUT * NET_B];
} net_ctx;

static double net_loss(void *p)
{
    net_ctx *t = p;
    int N = NET_TOUT * NET_B;
    conv1d_forward(&t->conv, &t->w, NET_T, NET_B, t->x, t->a);
    batchnorm_forward(&t->bn, &t->k, N, t->a, t->h, 1);
    relu_forward(t->r, t->h, (size_t)N * NET_CH);
    dense_forward(&t->out, N, t->r, t->z);
    return loss_sigmoid_xent(t->z, t->y, t->mask, N, 4, 1, NULL);
}

static void test_net(void)
{
    net_ctx *t = calloc(1, sizeof *t);
    conv1d_register(&t->conv, &t->ps, "conv.", NET_IN, NET_CH, 5, 2, 1);
    batchnorm_register(&t->bn, &t->ps, &t->stats, "bn.", NET_CH, 0.1f, 1e-3f);
    dense_register(&t->out, &t->ps, "out.", NET_CH, 1);
    params_alloc(&t->ps);
    params_alloc(&t->stats);
    conv1d_work_reserve(&t->w, &t->conv, NET_T, NET_B);
    batchnorm_cache_reserve(&t->k, &t->bn, NET_TOUT * NET_B);
    batchnorm_init_default(&t->bn);
    fill_params(&t->ps, 1);
    fill_uniform(t->x, sizeof t->x / 4, 1);
    int N = NET_TOUT * NET_B;
    for (int i = 0; i < N; i++) {
        t->y[i] = rng_uniform(&R) < 0.3f;
        t->mask[i] = i < N - 2; /* the last frame of two rows is padding */
    }
    check(conv1d_out_len(&t->conv, NET_T) == NET_TOUT, "net: %d frames", NET_TOUT);
    double L = net_loss(t);
    float dz[NET_TOUT * NET_B], dr[NET_TOUT * NET_B * NET_CH];
    loss_sigmoid_xent(t->z, t->y, t->mask, N, 4, 1, dz);
    params_zero_grad(&t->ps);
    dense_backward(&t->out, N, t->r, dz, dr);
    relu_backward(dr, dr, t->r, (size_t)N * NET_CH);
    batchnorm_backward(&t->bn, &t->k, N, dr, dr);
    conv1d_backward(&t->conv, &t->w, NET_T, NET_B, t->x, dr, t->dx);
    /* the relu's kinks: no unit within reach of the differences */
    double nearest = INFINITY;
    for (int i = 0; i < N * NET_CH; i++)
        nearest = fmin(nearest, fabs(t->h[i]));
    /* batchnorm takes away the mean of its input, so the conv's bias has
     * no gradient: tested by its size */
    const float *dbias = params_grad(&t->ps, t->conv.b);
    double bias = 0;
    for (int j = 0; j < NET_CH; j++)
        bias = fmax(bias, fabs(dbias[j]));
    const char *worst = "";
    double ep = params_grad_error_but(net_loss, t, &t->ps, t->conv.b, &worst);
    double ex = grad_error(net_loss, t, t->x, t->dx, sizeof t->x / 4);
    check(fmax(ep, ex) < GRAD_TOL && bias < 1e-6 && isfinite(L),
          "gradcheck conv1d -> batchnorm -> relu -> dense -> weighted cross-entropy with a mask: "
          "params %.1e (worst %s), x %.1e, conv bias %.1e (nearest relu input to 0: %.1e)",
          ep, worst, ex, bias, nearest);
    conv1d_work_free(&t->w);
    batchnorm_cache_free(&t->k);
    params_free(&t->ps);
    params_free(&t->stats);
    free(t);
}

int main(int argc, char **argv)
{
    int fault = argc > 2 && strcmp(argv[1], "--expect-fault") == 0 ? atoi(argv[2]) : 0;
    rng_seed(&R, 2024);
    if (fault) {
        /* Only the faulty layer's check runs, and it must fail. */
        if (fault == 4)
            test_conv_grad(conv_shapes[3], 0, 1);
        else if (fault == 5)
            test_bn_grad(1);
        else
            test_bce(1);
        return check_exit();
    }
    char dir[] = "/tmp/seqtool-test-XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    for (size_t i = 0; i < sizeof conv_shapes / sizeof conv_shapes[0]; i++)
        test_conv_grad(conv_shapes[i], 0, 0);
    test_conv_grad(conv_shapes[1], 5, 0);
    test_conv_values();
    test_conv_stream((conv_shape){40, 2, 3, 4, 5, 1, 4});     /* causal */
    test_conv_stream((conv_shape){45, 3, 5, 6, 15, 4, 0});    /* stride 4, valid */
    test_conv_stream((conv_shape){50, 2, 4, 3, 8, 4, 3});     /* stride 4, some padding */
    test_conv_stream((conv_shape){9, 1, 2, 2, 3, 1, 0});      /* tiny */
    test_conv_stream((conv_shape){401, 1, 101, 196, 15, 4, 0}); /* the course's layer */
    test_bn_grad(0);
    test_bn_values(dir);
    test_relu();
    test_bce(0);
    test_net();
    if (rmdir(dir) != 0)
        perror(dir);
    return check_exit();
}
