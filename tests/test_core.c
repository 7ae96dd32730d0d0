/* test_core — unit tests of core/: known values, gradient checks of every
 * cell and layer, optimizer steps, file-format round trips.
 *
 * Gradient checks compare the analytic gradient with central differences
 * (L(p+e) - L(p-e)) / 2e, the loss accumulated in double, per tensor by
 * the relative error |a - n| / (|a| + |n|) over the whole tensor (L2).
 * How we know the tolerance is tight enough: `make check` also builds
 * this file against core/cells.c compiled with -DSEQTOOL_FAULT=1/2/3,
 * which flips the sign of one gate's gradient (rnn; gru update gate; lstm
 * forget gate), and runs it with --expect-fault N: the check of that
 * cell must then FAIL (the faulty build passes only when it does).
 * Measured: correct cells stay below 1e-4 (6e-4 for the 2-layer LSTM
 * model); each injected fault gives 0.28 or more.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cells.h"
#include "charlm.h"
#include "check.h"
#include "layers.h"
#include "loss.h"
#include "model.h"
#include "optim.h"
#include "params.h"
#include "rng.h"
#include "tensor.h"
#include "text.h"

#include "gradcheck.h"

/* ---- cells ---- */

enum { T_ = 5, B_ = 3, I_ = 3, H_ = 4 };

/* mask [T_][B_] for rows of lengths 5, 3, 1: right padding. */
static void padding_mask(float *mask)
{
    for (int s = 0; s < T_; s++)
        for (int b = 0; b < B_; b++)
            mask[s * B_ + b] = s < T_ - 2 * b;
}

typedef struct {
    cell c;
    cell_cache k;
    params ps;
    float x[T_ * B_ * I_], h0[B_ * H_], c0[B_ * H_], mask[T_ * B_];
    float R[T_ * B_ * H_], RT[B_ * H_], RC[B_ * H_];
    float dx[T_ * B_ * I_], dh0[B_ * H_], dc0[B_ * H_];
    int use_mask;
} cell_ctx;

static double cell_loss(void *p)
{
    cell_ctx *t = p;
    cell_forward(&t->c, &t->k, T_, B_, t->x, NULL, t->h0, t->c0, t->use_mask ? t->mask : NULL);
    const float *h = cell_outputs(&t->c, &t->k, B_);
    double L = 0;
    for (int i = 0; i < T_ * B_ * H_; i++)
        L += (double)t->R[i] * h[i];
    for (int i = 0; i < B_ * H_; i++) {
        L += (double)t->RT[i] * h[(T_ - 1) * B_ * H_ + i];
        if (t->c.kind == CELL_LSTM)
            L += (double)t->RC[i] * t->k.c[T_ * B_ * H_ + i];
    }
    return L;
}

static void test_cell(cell_kind kind, int use_mask, int expect_fault)
{
    cell_ctx *t = calloc(1, sizeof *t);
    cell_register(&t->c, &t->ps, kind, I_, H_, "rnn.", "_l0");
    params_alloc(&t->ps);
    cell_cache_reserve(&t->k, &t->c, T_, B_);
    fill_params(&t->ps, 0.6f);
    fill_uniform(t->x, sizeof t->x / 4, 1);
    fill_uniform(t->h0, B_ * H_, 0.5f);
    fill_uniform(t->c0, B_ * H_, 0.5f);
    fill_uniform(t->R, sizeof t->R / 4, 1);
    fill_uniform(t->RT, B_ * H_, 1);
    fill_uniform(t->RC, B_ * H_, 1);
    padding_mask(t->mask);
    t->use_mask = use_mask;

    cell_loss(t);
    params_zero_grad(&t->ps);
    cell_backward(&t->c, &t->k, T_, B_, t->x, NULL, t->R, t->RT,
                  kind == CELL_LSTM ? t->RC : NULL, t->dx, t->dh0, t->dc0,
                  use_mask ? t->mask : NULL);
    const char *worst = "";
    double ep = params_grad_error(cell_loss, t, &t->ps, &worst);
    double ex = grad_error(cell_loss, t, t->x, t->dx, sizeof t->x / 4);
    double eh = grad_error(cell_loss, t, t->h0, t->dh0, B_ * H_);
    double ec = kind == CELL_LSTM ? grad_error(cell_loss, t, t->c0, t->dc0, B_ * H_) : 0;
    double e = fmax(fmax(ep, ex), fmax(eh, ec));
    const char *name = cell_kind_name(kind);
    if (expect_fault)
        check(e > GRAD_TOL, "gradcheck catches the injected fault in %s%s (error %.2e)",
              name, use_mask ? " (masked)" : "", e);
    else
        check(e < GRAD_TOL, "gradcheck %s%s: params %.1e (worst %s), x %.1e, h0 %.1e, c0 %.1e",
              name, use_mask ? " with padding mask" : "", ep, worst, ex, eh, ec);
    cell_cache_free(&t->k);
    params_free(&t->ps);
    free(t);
}

/* ---- bidirectional ---- */

typedef struct {
    bicell bc;
    bicell_cache k;
    params ps;
    float x[T_ * B_ * I_], mask[T_ * B_], R[T_ * B_ * 2 * H_], dx[T_ * B_ * I_];
} bi_ctx;

static double bi_loss(void *p)
{
    bi_ctx *t = p;
    bicell_forward(&t->bc, &t->k, T_, B_, t->x, NULL, t->mask);
    double L = 0;
    for (int i = 0; i < T_ * B_ * 2 * H_; i++)
        L += (double)t->R[i] * t->k.out[i] * t->mask[i / (2 * H_)];
    return L;
}

static void test_bicell(void)
{
    bi_ctx *t = calloc(1, sizeof *t);
    bicell_register(&t->bc, &t->ps, CELL_LSTM, I_, H_, "enc.", "_l0");
    params_alloc(&t->ps);
    bicell_cache_reserve(&t->k, &t->bc, T_, B_);
    fill_params(&t->ps, 0.6f);
    fill_uniform(t->x, sizeof t->x / 4, 1);
    padding_mask(t->mask);
    fill_uniform(t->R, sizeof t->R / 4, 1);
    float *dout = malloc(sizeof t->R);
    for (int i = 0; i < T_ * B_ * 2 * H_; i++)
        dout[i] = t->R[i] * t->mask[i / (2 * H_)];
    bi_loss(t);
    params_zero_grad(&t->ps);
    bicell_backward(&t->bc, &t->k, T_, B_, t->x, NULL, dout, t->dx, t->mask);
    const char *worst = "";
    double ep = params_grad_error(bi_loss, t, &t->ps, &worst);
    double ex = grad_error(bi_loss, t, t->x, t->dx, sizeof t->x / 4);
    check(fmax(ep, ex) < GRAD_TOL, "gradcheck bidirectional lstm with padding: params %.1e (worst %s), x %.1e",
          ep, worst, ex);
    /* The reverse direction of a padded row must not see its padding:
     * its outputs equal those of the row run alone at its own length. */
    bi_ctx *u = calloc(1, sizeof *u);
    *u = *t;
    memset(&u->k, 0, sizeof u->k);
    bicell_cache_reserve(&u->k, &u->bc, 3, 1);
    float xs[3 * I_];
    for (int s = 0; s < 3; s++)
        memcpy(xs + s * I_, t->x + (s * B_ + 1) * I_, I_ * 4);
    bicell_forward(&u->bc, &u->k, 3, 1, xs, NULL, NULL);
    bicell_forward(&t->bc, &t->k, T_, B_, t->x, NULL, t->mask);
    double d = 0;
    for (int s = 0; s < 3; s++)
        for (int j = 0; j < 2 * H_; j++)
            d = fmax(d, fabs(u->k.out[s * 2 * H_ + j] - t->k.out[(s * B_ + 1) * 2 * H_ + j]));
    check(d < 1e-6, "bidirectional: a padded row equals the row alone (max diff %.1e)", d);
    bicell_cache_free(&u->k);
    free(u);
    free(dout);
    bicell_cache_free(&t->k);
    params_free(&t->ps);
    free(t);
}

/* ---- dense, embedding, softmax cross-entropy ---- */

typedef struct {
    dense d;
    embedding e;
    params ps;
    int ids[6];
    float x[6 * 5], y[6 * 4], emb[6 * 5], R[6 * 4], dx[6 * 5];
} layer_ctx;

static double layer_loss(void *p)
{
    layer_ctx *t = p;
    embedding_forward(&t->e, 6, t->ids, t->emb);
    for (int i = 0; i < 30; i++)
        t->emb[i] += t->x[i];
    dense_forward(&t->d, 6, t->emb, t->y);
    double L = 0;
    for (int i = 0; i < 24; i++)
        L += (double)t->R[i] * t->y[i] * t->y[i];
    return L;
}

static void test_layers(void)
{
    layer_ctx *t = calloc(1, sizeof *t);
    embedding_register(&t->e, &t->ps, "emb.weight", 7, 5);
    dense_register(&t->d, &t->ps, "out.", 5, 4);
    params_alloc(&t->ps);
    fill_params(&t->ps, 0.8f);
    int ids[6] = {3, 0, 6, 3, -1, 2};
    memcpy(t->ids, ids, sizeof ids);
    fill_uniform(t->x, 30, 1);
    fill_uniform(t->R, 24, 1);
    layer_loss(t);
    float dy[24], demb[30];
    for (int i = 0; i < 24; i++)
        dy[i] = 2 * t->R[i] * t->y[i];
    params_zero_grad(&t->ps);
    dense_backward(&t->d, 6, t->emb, dy, demb);
    embedding_backward(&t->e, 6, t->ids, demb);
    const char *worst = "";
    double ep = params_grad_error(layer_loss, t, &t->ps, &worst);
    double ex = grad_error(layer_loss, t, t->x, demb, 30);
    check(fmax(ep, ex) < GRAD_TOL, "gradcheck dense + embedding: params %.1e (worst %s), x %.1e", ep, worst, ex);
    params_free(&t->ps);
    free(t);
}

typedef struct {
    float z[4 * 6];
    int y[4];
} xent_ctx;

static double xent_loss(void *p)
{
    xent_ctx *t = p;
    float z[24];
    memcpy(z, t->z, sizeof z);
    return loss_softmax_xent(z, t->y, 4, 6, 1, NULL);
}

static void test_loss(void)
{
    xent_ctx t = {.y = {2, -1, 5, 0}};
    fill_uniform(t.z, 24, 3);
    float z[24], d[24];
    memcpy(z, t.z, sizeof z);
    loss_softmax_xent(z, t.y, 4, 6, 1, d);
    double e = grad_error(xent_loss, &t, t.z, d, 24);
    check(e < GRAD_TOL, "gradcheck softmax cross-entropy with a masked row: %.1e", e);
    int masked_zero = 1;
    for (int j = 0; j < 6; j++)
        masked_zero &= d[6 + j] == 0;
    check(masked_zero, "softmax cross-entropy: a masked row has zero gradient");
    float u[27] = {0};
    int y = 4;
    double l = loss_softmax_xent(u, &y, 1, 27, 1, NULL);
    check(fabs(l - log(27.0)) < 1e-6, "uniform logits over 27 give log 27 nats (%.9f)", l);
    float big[3] = {1000, 0, -1000};
    int y0 = 0;
    l = loss_softmax_xent(big, &y0, 1, 3, 1, big);
    check(isfinite(l) && l < 1e-6 && isfinite(big[1]), "softmax cross-entropy is stable for logits of 1000");
    float p[4] = {1, 2, 3, 4};
    softmax_rows(p, 1, 4, 1);
    double want = exp(1.0) / (exp(1.0) + exp(2.0) + exp(3.0) + exp(4.0));
    check(fabs(p[0] - want) < 1e-6 && fabs(p[0] + p[1] + p[2] + p[3] - 1) < 1e-6,
          "softmax known value %.6f", p[0]);
}

/* ---- the character model end to end ---- */

typedef struct {
    charlm m;
    int B, T;
} lm_ctx;

static double lm_loss(void *p)
{
    lm_ctx *t = p;
    charlm_forward(&t->m, t->T, t->B, NULL);
    double nats = 0;
    for (int b = 0; b < t->B; b++)
        nats += charlm_name_nats(&t->m, t->T, t->B, b);
    return nats / t->B;
}

static void test_charlm(void)
{
    for (int kind = 0; kind < 3; kind++) {
        lm_ctx *t = calloc(1, sizeof *t);
        charlm_init(&t->m, kind, 6, 5, 2);
        /* Weights larger than the default init, so that every gradient
         * stands well above float rounding in the differences. */
        fill_params(&t->m.ps, 0.8f);
        charlm_reserve(&t->m, 8, 3);
        int a[] = {1, 2, 3, 4, 5, 1}, b[] = {5, 4}, c[] = {2, 2, 3};
        const int *names[] = {a, b, c};
        int lens[] = {6, 2, 3};
        t->B = 3;
        t->T = charlm_batch(&t->m, 3, names, lens);
        charlm_forward(&t->m, t->T, 3, NULL);
        params_zero_grad(&t->m.ps);
        double nats = charlm_backward(&t->m, t->T, 3);
        double direct = lm_loss(t) * 3;
        const char *worst = "";
        double e = params_grad_error(lm_loss, t, &t->m.ps, &worst);
        check(e < GRAD_TOL && fabs(nats - direct) < 1e-4,
              "gradcheck 2-layer %s language model on a padded batch: %.1e (worst %s)",
              cell_kind_name(kind), e, worst);
        /* Padding must not change a name's loss. */
        int T1 = charlm_batch(&t->m, 1, names + 1, lens + 1);
        charlm_forward(&t->m, T1, 1, NULL);
        double alone = charlm_name_nats(&t->m, T1, 1, 0);
        charlm_batch(&t->m, 3, names, lens);
        charlm_forward(&t->m, t->T, 3, NULL);
        double batched = charlm_name_nats(&t->m, t->T, 3, 1);
        check(fabs(alone - batched) < 1e-5, "%s: a name's nats alone %.6f = in a padded batch %.6f",
              cell_kind_name(kind), alone, batched);
        charlm_free(&t->m);
        free(t);
    }
}

/* With carry, a padded row hands on the state of its own last step. */
static void test_charlm_carry(void)
{
    charlm a, b;
    charlm_init(&a, CELL_LSTM, 6, 4, 2);
    charlm_init_weights(&a, &R, 0);
    charlm_init(&b, CELL_LSTM, 6, 4, 2);
    memcpy(b.ps.data, a.ps.data, a.ps.total * sizeof(float));
    a.carry = 1;
    charlm_reserve(&a, 8, 2);
    charlm_reserve(&b, 8, 1);
    int x[] = {1, 2}, y[] = {3, 4, 5, 1, 2};
    const int *names[] = {x, y};
    int lens[] = {2, 5};
    rng r;
    rng_seed(&r, 1);
    int T = charlm_batch(&a, 2, names, lens);
    charlm_forward(&a, T, 2, &r);
    int T1 = charlm_batch(&b, 1, names, lens);
    charlm_forward(&b, T1, 1, NULL);
    double d = 0;
    for (int l = 0; l < 2; l++)
        for (int j = 0; j < 4; j++) {
            d = fmax(d, fabs(a.state_h[l][j] - b.cache[l].h[T1 * 4 + j]));
            d = fmax(d, fabs(a.state_c[l][j] - b.cache[l].c[T1 * 4 + j]));
        }
    /* The next batch starts from that state: row 0's loss changes. */
    charlm_forward(&a, T, 2, &r);
    double carried = charlm_name_nats(&a, T, 2, 0);
    charlm_forward(&a, T, 2, NULL);
    double fresh = charlm_name_nats(&a, T, 2, 0);
    check(d < 1e-6 && carried != fresh,
          "carry: a padded row hands on its own final state (diff %.1e) to the next batch", d);
    charlm_free(&a);
    charlm_free(&b);
}

/* ---- products and element-wise maths ---- */

static void test_gemm(void)
{
    /* small, packed (with edges of every size, K beyond one block, M beyond
     * one block) */
    int shapes[][3] = {{1, 50, 50}, {13, 27, 50}, {3, 5, 7}, {64, 96, 80}, {2, 200, 9},
                       {100, 256, 64}, {37, 45, 53}, {131, 33, 300}, {7, 17, 600}, {200, 1, 400},
                       {256, 512, 128}, {19, 300, 270}};
    int wide = mat_wide_kernel(1);
    if (!wide)
        printf("skip - the AVX2 and AVX-512 GEMM tiles are not compared: this CPU has no AVX-512\n");
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        int M = shapes[s][0], N = shapes[s][1], K = shapes[s][2];
        for (int ta = 0; ta < 2; ta++)
            for (int tb = 0; tb < 2; tb++) {
                float *A = malloc(M * K * 4), *B = malloc(K * N * 4), *C = malloc(M * N * 4);
                fill_uniform(A, M * K, 1);
                fill_uniform(B, K * N, 1);
                fill_uniform(C, M * N, 1);
                double worst = 0;
                float *C0 = malloc(M * N * 4);
                memcpy(C0, C, M * N * 4);
                mat_gemm(ta, tb, M, N, K, A, B, 0.5f, C);
                for (int i = 0; i < M; i++)
                    for (int j = 0; j < N; j++) {
                        double r = 0.5 * C0[i * N + j];
                        for (int k = 0; k < K; k++)
                            r += (double)(ta ? A[k * M + i] : A[i * K + k]) *
                                 (tb ? B[j * K + k] : B[k * N + j]);
                        worst = fmax(worst, fabs(r - C[i * N + j]));
                    }
                check(worst < 1e-4, "gemm %dx%dx%d ta=%d tb=%d (max error %.1e)", M, N, K, ta, tb, worst);
                if (wide) { /* the AVX2 tile: the same bits as the AVX-512 one */
                    float *Cn = malloc(M * N * 4);
                    memcpy(Cn, C0, M * N * 4);
                    mat_wide_kernel(0);
                    mat_gemm(ta, tb, M, N, K, A, B, 0.5f, Cn);
                    mat_wide_kernel(1);
                    check(memcmp(Cn, C, M * N * 4) == 0, "gemm %dx%dx%d ta=%d tb=%d: AVX2 and AVX-512 tiles, the same bits",
                          M, N, K, ta, tb);
                    free(Cn);
                }
                if (!ta) { /* B packed once: the same bits as mat_gemm */
                    mat_packed p;
                    float *Cp = malloc(M * N * 4);
                    memcpy(Cp, C0, M * N * 4);
                    int ok = mat_pack(&p, tb, N, K, B) == 0;
                    if (ok)
                        mat_gemm_packed(M, A, &p, 0.5f, Cp);
                    check(ok && memcmp(Cp, C, M * N * 4) == 0, "gemm %dx%dx%d tb=%d with B packed once: the same bits",
                          M, N, K, tb);
                    mat_packed_free(&p);
                    free(Cp);
                }
                free(A); free(B); free(C); free(C0);
            }
    }
}

/* mat_gemm_tiled C (M x N, beta) from C0 into a new buffer, with the
 * AVX-512 tile on or off. */
static float *tiled(int wide, int tb, int M, int N, int K, const float *A, const float *B, const float *C0)
{
    float *C = malloc((size_t)M * N * 4);
    memcpy(C, C0, (size_t)M * N * 4);
    mat_wide_kernel(wide);
    mat_gemm_tiled(0, tb, M, N, K, A, B, 0.5f, C);
    mat_wide_kernel(1);
    return C;
}

/* The tiled products give every row the same bits whatever rows share the
 * call (what the trigger streams run on blocks of any size rely on): rows
 * 1 to 13, so a panel of every height and a single row (its own kernel
 * on AVX-512), over columns of two blocks and a partial panel, and depths
 * of three blocks; packed once, the same bits; AVX2 and AVX-512 alike. */
static void test_gemm_tiled(void)
{
    int N = 300, K = 600, Ms[] = {1, 2, 3, 5, 6, 7, 13};
    int wide = mat_wide_kernel(1);
    for (int tb = 0; tb < 2; tb++)
        for (size_t s = 0; s < sizeof Ms / sizeof Ms[0]; s++) {
            int M = Ms[s], rows_same = 1, packed_same = 0, tiles_same = 1;
            float *A = malloc((size_t)M * K * 4), *B = malloc((size_t)K * N * 4), *C0 = malloc((size_t)M * N * 4);
            fill_uniform(A, M * K, 1);
            fill_uniform(B, K * N, 1);
            fill_uniform(C0, M * N, 1);
            float *C = tiled(1, tb, M, N, K, A, B, C0);
            double worst = 0;
            for (int i = 0; i < M; i++) {
                float *one = tiled(1, tb, 1, N, K, A + (size_t)i * K, B, C0 + (size_t)i * N);
                rows_same &= memcmp(one, C + (size_t)i * N, (size_t)N * 4) == 0;
                free(one);
                for (int j = 0; j < N; j++) {
                    double r = 0.5 * C0[i * N + j];
                    for (int k = 0; k < K; k++)
                        r += (double)A[i * K + k] * (tb ? B[j * K + k] : B[k * N + j]);
                    worst = fmax(worst, fabs(r - C[i * N + j]));
                }
            }
            mat_packed p;
            float *Cp = malloc((size_t)M * N * 4);
            memcpy(Cp, C0, (size_t)M * N * 4);
            if (mat_pack(&p, tb, N, K, B) == 0) {
                mat_gemm_packed_tiled(M, A, &p, 0.5f, Cp);
                packed_same = memcmp(Cp, C, (size_t)M * N * 4) == 0;
                mat_packed_free(&p);
            }
            if (wide) {
                float *Cn = tiled(0, tb, M, N, K, A, B, C0);
                tiles_same = memcmp(Cn, C, (size_t)M * N * 4) == 0;
                free(Cn);
            }
            check(worst < 1e-3 && rows_same && packed_same && tiles_same,
                  "gemm tiled %dx%dx%d tb=%d: error %.1e; each row the bits it has alone, packed once too%s", M, N, K,
                  tb, worst, wide ? ", AVX2 and AVX-512 alike" : "");
            free(A); free(B); free(C0); free(C); free(Cp);
        }
}

/* beta 0 overwrites C, NaNs included, on every route (small, packed, BLAS) */
static void test_gemm_beta0(void)
{
    int shapes[][3] = {{3, 5, 7}, {256, 512, 128}, {19, 300, 270}, {600, 600, 600}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        int M = shapes[s][0], N = shapes[s][1], K = shapes[s][2];
        float *A = malloc((size_t)M * K * 4), *B = malloc((size_t)K * N * 4), *C = malloc((size_t)M * N * 4);
        fill_uniform(A, M * K, 1);
        fill_uniform(B, K * N, 1);
        for (int i = 0; i < M * N; i++)
            C[i] = NAN;
        mat_gemm(0, 1, M, N, K, A, B, 0.0f, C);
        double worst = 0;
        for (int i = 0; i < M; i += 7)
            for (int j = 0; j < N; j++) {
                double r = 0;
                for (int k = 0; k < K; k++)
                    r += (double)A[i * K + k] * B[j * K + k];
                double d = fabs(r - C[i * N + j]);
                worst = d == d && worst == worst ? fmax(worst, d) : NAN;
            }
        check(worst < 1e-3, "gemm %dx%dx%d beta 0 over NaNs (max error %.1e)", M, N, K, worst);
        free(A); free(B); free(C);
    }
}

static void test_vec_math(void)
{
    int n = 40001;
    float *a = malloc(n * 4), *b = malloc(n * 4), *c = malloc(n * 4);
    for (int i = 0; i < n; i++)
        a[i] = b[i] = c[i] = (i - 20000) / 1000.0f;
    vec_exp(a, n);
    vec_tanh(b, n);
    vec_sigmoid(c, n);
    double ea = 0, eb = 0, ec = 0;
    for (int i = 0; i < n; i++) {
        double x = (i - 20000) / 1000.0f;
        ea = fmax(ea, fabs(a[i] - exp(x)) / exp(x));
        if (x != 0)
            eb = fmax(eb, fabs(b[i] - tanh(x)) / fabs(tanh(x)));
        ec = fmax(ec, fabs(c[i] - 1 / (1 + exp(-x))) * (1 + exp(-x)));
    }
    check(ea < 1e-6 && eb < 1e-6 && ec < 1e-6,
          "vec_exp/tanh/sigmoid relative errors %.1e %.1e %.1e on [-20, 20]", ea, eb, ec);
    float e[3] = {-200, 200, 0};
    vec_exp(e, 3);
    check(e[0] >= 0 && e[0] < 1e-37 && isfinite(e[1]) && e[2] == 1, "vec_exp clamps and exp(0) = 1");
    free(a); free(b); free(c);
}

/* ---- rng ---- */

static void test_rng(void)
{
    rng a, b;
    rng_seed(&a, 42);
    rng_seed(&b, 42);
    int same = 1;
    for (int i = 0; i < 1000; i++)
        same &= rng_next(&a) == rng_next(&b);
    rng_seed(&b, 43);
    check(same && rng_next(&a) != rng_next(&b), "rng: a seed fixes the sequence, another seed changes it");
    double s = 0, s2 = 0;
    int n = 200000;
    for (int i = 0; i < n; i++) {
        double x = rng_normal(&a);
        s += x;
        s2 += x * x;
    }
    check(fabs(s / n) < 0.01 && fabs(s2 / n - 1) < 0.02, "rng_normal mean %.4f variance %.4f", s / n, s2 / n);
    int counts[3] = {0};
    float p[3] = {0.2f, 0.5f, 0.3f};
    for (int i = 0; i < 100000; i++)
        counts[rng_categorical(&a, p, 3)]++;
    check(abs(counts[0] - 20000) < 800 && abs(counts[1] - 50000) < 800,
          "rng_categorical follows its probabilities (%d %d %d)", counts[0], counts[1], counts[2]);
    char st[65];
    rng_get_state(&a, st);
    rng_set_state(&b, st);
    check(rng_next(&a) == rng_next(&b) && rng_set_state(&b, "xyz") < 0, "rng state round trip");
    int perm[10], seen = 0;
    for (int i = 0; i < 10; i++)
        perm[i] = i;
    rng_shuffle_int(&a, perm, 10);
    for (int i = 0; i < 10; i++)
        seen |= 1 << perm[i];
    check(seen == 0x3FF, "shuffle is a permutation");
}

/* ---- optimizers ---- */

static void test_optim(void)
{
    params ps = {0};
    int shape[1] = {2};
    params_add(&ps, "w", 1, shape);
    params_alloc(&ps);
    optimizer o;
    ps.data[0] = 1; ps.data[1] = -1;
    ps.grad[0] = 0.5f; ps.grad[1] = -2;
    optim_init(&o, OPTIM_SGD, 0.1f, 2);
    optim_step(&o, &ps);
    check(fabsf(ps.data[0] - 0.95f) < 1e-7 && fabsf(ps.data[1] + 0.8f) < 1e-7, "sgd step");
    optim_free(&o);

    ps.data[0] = 1;
    optim_init(&o, OPTIM_MOMENTUM, 0.1f, 2);
    optim_step(&o, &ps);
    optim_step(&o, &ps); /* v = 0.5, then 0.9*0.5 + 0.5 = 0.95 */
    check(fabsf(ps.data[0] - (1 - 0.05f - 0.095f)) < 1e-6, "momentum: two steps");
    optim_free(&o);

    ps.data[0] = 1; ps.data[1] = -1;
    optim_init(&o, OPTIM_ADAM, 0.01f, 2);
    optim_step(&o, &ps); /* first Adam step moves each weight by lr against its gradient's sign */
    check(fabsf(ps.data[0] - 0.99f) < 1e-6 && fabsf(ps.data[1] + 0.99f) < 1e-6, "adam first step");
    optim_step(&o, &ps);
    /* second step, same gradient: m_hat = g, v_hat = g^2: again lr */
    check(fabsf(ps.data[0] - 0.98f) < 1e-6, "adam second step (%.7f)", ps.data[0]);
    o.decay = 0.01f;
    o.step = 10;
    check(fabsf(optim_lr(&o) - 0.01f / 1.1f) < 1e-9, "keras decay: lr / (1 + decay * iterations)");
    optim_free(&o);

    ps.grad[0] = 7; ps.grad[1] = -0.5f;
    clip_by_value(&ps, 5);
    check(ps.grad[0] == 5 && ps.grad[1] == -0.5f, "clip by value");
    ps.grad[0] = 3; ps.grad[1] = 4;
    double norm = clip_by_global_norm(&ps, 1);
    check(norm == 5 && fabsf(ps.grad[0] - 0.6f) < 1e-7 && fabsf(ps.grad[1] - 0.8f) < 1e-7, "clip by global norm");
    params_free(&ps);
}

/* ---- model files ---- */

static int write_bytes(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    fwrite(p, 1, n, f);
    return fclose(f);
}

static void test_model_files(const char *dir)
{
    char path[512], err[ERR_MAX];
    snprintf(path, sizeof path, "%s/m.safetensors", dir);
    float a[6] = {1, -2, 3.5f, 1e-30f, -0.0f, 65504}, b[3] = {7, 8, 9};
    int sa[2] = {2, 3}, sb[1] = {3};
    model_out *m = model_out_new("dinos");
    model_out_meta(m, "dinos.note", "quotes \" and \\ and \xc3\xa9");
    model_out_tensor(m, "a", 2, sa, a);
    model_out_tensor(m, "b", 1, sb, b);
    check(model_out_write(m, path, err) == 0, "model file written");
    model_out_free(m);

    model_in f;
    float ra[6], rb[3];
    int ok = model_in_open(&f, path, "dinos", err) == 0;
    ok = ok && model_in_tensor(&f, "a", 2, sa, ra, err) == 0 && model_in_tensor(&f, "b", 1, sb, rb, err) == 0;
    ok = ok && memcmp(a, ra, sizeof a) == 0 && memcmp(b, rb, sizeof b) == 0;
    ok = ok && strcmp(model_in_meta(&f, "dinos.note"), "quotes \" and \\ and \xc3\xa9") == 0;
    check(ok, "model file round trip: tensors bit for bit, metadata");
    check(model_in_tensor(&f, "a", 1, sb, ra, err) < 0 && strstr(err, "shape"), "a wrong shape is refused: %s", err);
    size_t size = f.size;
    unsigned char *bytes = malloc(size);
    memcpy(bytes, f.bytes, size);
    model_in_close(&f);

    check(model_in_open(&f, path, "nmt", err) < 0 && strstr(err, "is a dinos model, not a nmt model") && strstr(err, path),
          "a model of another kind is refused: %s", err);
    char bad[512];
    snprintf(bad, sizeof bad, "%s/trunc.safetensors", dir);
    write_bytes(bad, bytes, size - 5);
    check(model_in_open(&f, bad, "dinos", err) < 0 && strstr(err, "truncated"), "a truncated file is refused: %s", err);
    write_bytes(bad, bytes, 5);
    check(model_in_open(&f, bad, "dinos", err) < 0 && strstr(err, "truncated"), "a 5-byte file is refused: %s", err);
    bytes[size - 1] ^= 1;
    write_bytes(bad, bytes, size);
    check(model_in_open(&f, bad, "dinos", err) < 0 && strstr(err, "CRC"), "a flipped bit is refused: %s", err);
    bytes[size - 1] ^= 1;
    memcpy(bytes + 8, "{\"__metadata__\":[", 17);
    write_bytes(bad, bytes, size);
    check(model_in_open(&f, bad, "dinos", err) < 0, "a broken header is refused: %s", err);
    write_bytes(bad, "hello, world, this is text\n", 27);
    check(model_in_open(&f, bad, "dinos", err) < 0 && strstr(err, "not a safetensors"), "a text file is refused: %s", err);
    snprintf(bad, sizeof bad, "%s/nonexistent", dir);
    check(model_in_open(&f, bad, "dinos", err) < 0 && strstr(err, "No such file"), "a missing file: %s", err);

    m = model_out_new("dinos");
    model_out_meta(m, "seqtool.version", "2");
    snprintf(bad, sizeof bad, "%s/v2.safetensors", dir);
    model_out_write(m, bad, err);
    model_out_free(m);
    check(model_in_open(&f, bad, "dinos", err) < 0 && strstr(err, "version 2"), "another format version is refused: %s", err);

    m = model_out_new("dinos");
    snprintf(bad, sizeof bad, "%s/no-such-dir/m.safetensors", dir);
    check(model_out_write(m, bad, err) < 0 && strstr(err, "cannot write"), "an unwritable path: %s", err);
    model_out_free(m);
    free(bytes);
    /* CRC-32 check value of the standard. */
    check(crc32_update(0, "123456789", 9) == 0xCBF43926u, "crc32 check value");
}

/* model_in_tensor_typed: an I32 tensor after 3 bytes of U8 (so not
 * 4-byte aligned) reads back exactly; another dtype or shape is refused. */
static void test_typed_tensors(const char *dir)
{
    char path[512], err[ERR_MAX];
    snprintf(path, sizeof path, "%s/typed.safetensors", dir);
    unsigned char u[3] = {1, 2, 3};
    int v[4] = {-7, 0, 2147483647, 42}, su[1] = {3}, sv[1] = {4}, r[4] = {0};
    model_out *m = model_out_new("dinos");
    model_out_tensor_typed(m, "u", "U8", 1, su, u);
    model_out_tensor_typed(m, "v", "I32", 1, sv, v);
    check(model_out_write(m, path, err) == 0, "a file with an unaligned I32 tensor written");
    model_out_free(m);
    model_in f;
    long long shape[1];
    const void *view;
    int ok = model_in_open(&f, path, "dinos", err) == 0;
    check(ok && model_in_view(&f, "v", "I32", 1, shape, &view, err) < 0, "the unaligned tensor cannot be viewed");
    ok = ok && model_in_tensor_typed(&f, "v", "I32", 1, sv, r, err) == 0 && memcmp(v, r, sizeof v) == 0;
    check(ok, "model_in_tensor_typed copies it exactly");
    check(model_in_tensor_typed(&f, "v", "U32", 1, sv, r, err) < 0 && strstr(err, "type"), "another dtype: %s", err);
    check(model_in_tensor_typed(&f, "v", "I32", 1, su, r, err) < 0 && strstr(err, "shape"), "another shape: %s", err);
    check(model_in_tensor_typed(&f, "w", "I32", 1, sv, r, err) < 0 && strstr(err, "no tensor"), "no such tensor: %s",
          err);
    model_in_close(&f);
}

/* ---- text ---- */

static void test_text(const char *dir)
{
    int cp;
    check(utf8_decode("\xc3\xa9", 2, &cp) == 2 && cp == 0xE9, "utf8 decodes e-acute");
    check(utf8_decode("\xc0\xaf", 2, &cp) < 0 && utf8_decode("\xed\xa0\x80", 3, &cp) < 0 &&
          utf8_decode("\xe2\x82", 2, &cp) < 0 && utf8_decode("\xff", 1, &cp) < 0,
          "utf8 rejects overlong, surrogate, cut and invalid bytes");
    char fixed[32];
    size_t nf = utf8_repair("a\xff\xc3\xa9\xe2\x82", 6, fixed);
    check(nf == 12 && strcmp(fixed, "a\xef\xbf\xbd\xc3\xa9\xef\xbf\xbd\xef\xbf\xbd") == 0 &&
          utf8_valid(fixed, nf) && !utf8_valid("a\xff", 2) && !utf8_valid("a\0b", 3),
          "utf8_repair puts U+FFFD for each bad byte and keeps good characters; utf8_valid");
    char buf[4];
    int round = 1;
    int cps[] = {0x41, 0xE9, 0x20AC, 0x1F995};
    for (int i = 0; i < 4; i++) {
        int n = utf8_encode(cps[i], buf);
        round &= utf8_decode(buf, n, &cp) == n && cp == cps[i];
    }
    check(round, "utf8 round trip of 1- to 4-byte characters");

    vocab v = {0};
    vocab_add(&v, 'z');
    vocab_add(&v, '\n');
    vocab_add(&v, 0xE9);
    vocab_add(&v, 'a');
    vocab_add(&v, 'z');
    char *s = vocab_to_utf8(&v);
    vocab w;
    check(v.n == 4 && vocab_id(&v, '\n') == 0 && vocab_id(&v, 'a') == 1 && vocab_id(&v, 'q') < 0 &&
          vocab_from_utf8(&w, s) == 0 && w.n == 4 && memcmp(w.cp, v.cp, 4 * sizeof(int)) == 0,
          "vocabulary sorted, '\\n' first, round trip through UTF-8");
    free(s);

    char path[512], err[ERR_MAX];
    snprintf(path, sizeof path, "%s/lines.txt", dir);
    write_bytes(path, "one\r\ntwo\n\nthree", 15);
    FILE *f = fopen(path, "r");
    text_lines t;
    int ok = text_read_lines(f, 100, &t, err) == 0 && t.n == 4 && strcmp(t.line[0], "one") == 0 &&
             t.line[2][0] == 0 && strcmp(t.line[3], "three") == 0;
    fclose(f);
    check(ok, "lines: CRLF, blank and unterminated last line");
    text_lines_free(&t);
    write_bytes(path, "ok\nbin\0ary\n", 11);
    f = fopen(path, "r");
    check(text_read_lines(f, 100, &t, err) < 0 && strstr(err, "line 2") && strstr(err, "binary"), "a NUL byte: %s", err);
    fclose(f);
    write_bytes(path, "ok\nabcdef\n", 10);
    f = fopen(path, "r");
    check(text_read_lines(f, 5, &t, err) < 0 && strstr(err, "line 2: longer than 5"), "a long line: %s", err);
    fclose(f);
}

int main(int argc, char **argv)
{
    int fault = argc > 2 && strcmp(argv[1], "--expect-fault") == 0 ? atoi(argv[2]) : 0;
    rng_seed(&R, 12345);
    if (fault) {
        /* Only the faulty cell's check runs, and it must fail. */
        cell_kind kind = fault == 1 ? CELL_RNN : fault == 2 ? CELL_GRU : CELL_LSTM;
        test_cell(kind, 0, 1);
        return check_exit();
    }
    char dir[] = "/tmp/seqtool-test-XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    for (int kind = 0; kind < 3; kind++) {
        test_cell(kind, 0, 0);
        test_cell(kind, 1, 0);
    }
    test_bicell();
    test_layers();
    test_loss();
    test_charlm();
    test_charlm_carry();
    test_gemm();
    test_gemm_tiled();
    test_gemm_beta0();
    test_vec_math();
    test_rng();
    test_optim();
    test_model_files(dir);
    test_typed_tensors(dir);
    test_text(dir);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return check_exit();
}
