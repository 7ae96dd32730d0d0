/* cells — RNN, GRU and LSTM forward and backward; see cells.h. */
#include "cells.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fastmath.h"
#include "fault.h"
#include "init.h"
#include "tensor.h"
#include "text.h"

static const char *const kind_names[] = {"rnn", "gru", "lstm"};
static const int kind_gates[] = {1, 3, 4};

int cell_kind_parse(const char *s) { return text_index_of(kind_names, 3, s); }

const char *cell_kind_name(cell_kind k) { return kind_names[k]; }

static int add_named(params *ps, const char *prefix, const char *what,
                     const char *suffix, int rows, int cols)
{
    char name[PARAM_NAME_MAX];
    int shape[2] = {rows, cols};
    if (snprintf(name, sizeof name, "%s%s%s", prefix, what, suffix) >=
        (int)sizeof name)
        return -1;
    return params_add(ps, name, cols ? 2 : 1, shape);
}

int cell_register(cell *c, params *ps, cell_kind kind, int in, int hid,
                  const char *prefix, const char *suffix)
{
    memset(c, 0, sizeof *c);
    c->kind = kind;
    c->in = in;
    c->hid = hid;
    c->gates = kind_gates[kind];
    c->ps = ps;
    int gh = c->gates * hid;
    c->w_ih = add_named(ps, prefix, "weight_ih", suffix, gh, in);
    c->w_hh = add_named(ps, prefix, "weight_hh", suffix, gh, hid);
    c->b_ih = add_named(ps, prefix, "bias_ih", suffix, gh, 0);
    c->b_hh = -1;
    if (kind == CELL_GRU && (c->b_hh = add_named(ps, prefix, "bias_hh", suffix, gh, 0)) < 0)
        return -1;
    return c->w_ih < 0 || c->w_hh < 0 || c->b_ih < 0 ? -1 : 0;
}

void cell_init_default(cell *c, rng *r)
{
    float a = 1.0f / sqrtf((float)c->hid);
    params_init_uniform(c->ps, c->w_ih, a, r);
    params_init_uniform(c->ps, c->w_hh, a, r);
    params_init_uniform(c->ps, c->b_ih, a, r);
    if (c->b_hh >= 0)
        params_init_uniform(c->ps, c->b_hh, a, r);
}

void cell_cache_free(cell_cache *k)
{
    free(k->gates); free(k->h); free(k->c); free(k->tc); free(k->hn);
    free(k->gh); free(k->dgates); free(k->dgh); free(k->dh); free(k->dh2);
    free(k->dc);
    memset(k, 0, sizeof *k);
}

int cell_cache_reserve(cell_cache *k, const cell *c, int T, int B)
{
    if (k->gates && T <= k->T && B <= k->B)
        return 0;
    if (k->gates) {
        if (T < k->T) T = k->T;
        if (B < k->B) B = k->B;
    }
    cell_cache_free(k);
    size_t H = c->hid, G = (size_t)c->gates * H, TB = (size_t)T * B;
    int lstm = c->kind == CELL_LSTM, gru = c->kind == CELL_GRU;
    k->T = T;
    k->B = B;
    k->gates = vec_alloc(TB * G);
    k->h = vec_alloc((TB + B) * H);
    k->dgates = vec_alloc(TB * G);
    k->dh = vec_alloc(B * H);
    k->dh2 = vec_alloc(B * H);
    k->dc = vec_alloc(B * H);
    int ok = k->gates && k->h && k->dgates && k->dh && k->dh2 && k->dc;
    if (lstm) {
        k->c = vec_alloc((TB + B) * H);
        k->tc = vec_alloc(TB * H);
        ok = ok && k->c && k->tc;
    }
    if (gru) {
        k->hn = vec_alloc(TB * H);
        k->gh = vec_alloc((size_t)B * G);
        k->dgh = vec_alloc(TB * G);
        ok = ok && k->hn && k->gh && k->dgh;
    }
    if (!ok) {
        cell_cache_free(k);
        return -1;
    }
    return 0;
}

float *cell_outputs(const cell *c, const cell_cache *k, int B)
{
    return k->h + (size_t)B * c->hid;
}

void cell_project_input(const cell *c, cell_cache *k, int t0, int T, int B,
                        const float *x, const int *ids)
{
    const params *ps = c->ps;
    const float *W = params_data(ps, c->w_ih), *b = params_data(ps, c->b_ih);
    int G = c->gates * c->hid, TB = T * B;
    float *gates = k->gates + (size_t)t0 * B * G;
    if (x && k->wih) {
        (k->tiled ? mat_gemm_packed_tiled : mat_gemm_packed)(TB, x, k->wih, 0.0f, gates);
    } else if (x) {
        mat_gemm(0, 1, TB, G, c->in, x, W, 0.0f, gates);
    } else {
        /* One-hot input: the product is column ids[r] of W_ih. */
        for (int r = 0; r < TB; r++) {
            float *g = gates + (size_t)r * G;
            if (ids[r] < 0) {
                vec_zero(g, G);
                continue;
            }
            for (int j = 0; j < G; j++)
                g[j] = W[(size_t)j * c->in + ids[r]];
        }
    }
    mat_add_row(gates, b, TB, G);
}

void cell_forward(const cell *c, cell_cache *k, int T, int B, const float *x,
                  const int *ids, const float *h0, const float *c0,
                  const float *mask)
{
    size_t BH = (size_t)B * c->hid;
    vec_copy_or_zero(k->h, h0, BH);
    if (c->kind == CELL_LSTM)
        vec_copy_or_zero(k->c, c0, BH);
    cell_project_input(c, k, 0, T, B, x, ids);
    for (int t = 0; t < T; t++)
        cell_step_forward(c, k, t, B, mask ? mask + (size_t)t * B : NULL);
}

/* out = beta out + h W_hh^T, with the caller's packed W_hh when it set
 * one. */
static void recurrent_product(const cell_cache *k, int B, int G, int H, const float *h, const float *Whh,
                              float beta, float *out)
{
    if (k->whh)
        (k->tiled ? mat_gemm_packed_tiled : mat_gemm_packed)(B, h, k->whh, beta, out);
    else
        mat_gemm(0, 1, B, G, H, h, Whh, beta, out);
}

/* One row of an LSTM step.  g holds the pre-activations [i f g o] (H
 * each), plus x when x is set, and leaves with the gate activations;
 * c = f cp + i g, tc = tanh(c), h = o tc. */
MULTIVERSION
static void lstm_row(float *g, const float *x, const float *restrict cp, float *restrict c,
                     float *restrict tc, float *restrict h, int H)
{
    if (x)
        for (int j = 0; j < 4 * H; j++)
            g[j] += x[j];
    float *restrict gi = g, *restrict gf = g + H, *restrict gg = g + 2 * H, *restrict go = g + 3 * H;
    for (int j = 0; j < H; j++) {
        float i = sigmoid_approx(gi[j]), f = sigmoid_approx(gf[j]);
        float u = tanh_approx(gg[j]), o = sigmoid_approx(go[j]);
        float cj = f * cp[j] + i * u, tj = tanh_approx(cj);
        gi[j] = i;
        gf[j] = f;
        gg[j] = u;
        go[j] = o;
        c[j] = cj;
        tc[j] = tj;
        h[j] = o * tj;
    }
}

void cell_step_forward(const cell *c, cell_cache *k, int t, int B,
                       const float *mask_t)
{
    const params *ps = c->ps;
    int H = c->hid, G = c->gates * H;
    const float *Whh = params_data(ps, c->w_hh);
    float *g = k->gates + (size_t)t * B * G;
    const float *hp = k->h + (size_t)t * B * H;
    float *hc = k->h + (size_t)(t + 1) * B * H;

    int skip = t == 0 && k->zero_start; /* W_hh 0 adds nothing */
    if (c->kind == CELL_RNN) {
        if (!skip)
            recurrent_product(k, B, G, H, hp, Whh, 1.0f, g);
        vec_tanh(g, B * H);
        memcpy(hc, g, (size_t)B * H * sizeof *hc);
    } else if (c->kind == CELL_LSTM) {
        /* With the input projections apart (xrows), the gates take the
         * product alone and lstm_row adds them: the same sum. */
        const float *const *xr = k->xrows ? k->xrows + (size_t)t * B : NULL;
        if (skip && xr)
            vec_zero(g, (size_t)B * G);
        else if (!skip)
            recurrent_product(k, B, G, H, hp, Whh, xr ? 0.0f : 1.0f, g);
        const float *cp = k->c + (size_t)t * B * H;
        float *cc = k->c + (size_t)(t + 1) * B * H;
        float *tc = k->tc + (size_t)t * B * H;
        for (int b = 0; b < B; b++)
            lstm_row(g + (size_t)b * G, xr ? xr[b] : NULL, cp + (size_t)b * H, cc + (size_t)b * H,
                     tc + (size_t)b * H, hc + (size_t)b * H, H);
    } else { /* GRU */
        float *gh = k->gh;
        if (skip)
            vec_zero(gh, (size_t)B * G);
        else
            recurrent_product(k, B, G, H, hp, Whh, 0.0f, gh);
        mat_add_row(gh, params_data(ps, c->b_hh), B, G);
        float *hn = k->hn + (size_t)t * B * H;
        for (int b = 0; b < B; b++) {
            float *gr = g + (size_t)b * G, *gz = gr + H, *gn = gz + H;
            const float *hr = gh + (size_t)b * G, *hh = hr + 2 * H;
            for (int j = 0; j < 2 * H; j++)
                gr[j] += hr[j]; /* r and z */
            vec_sigmoid(gr, 2 * H);
            for (int j = 0; j < H; j++) {
                hn[b * H + j] = hh[j];
                gn[j] += gr[j] * hh[j];
            }
            vec_tanh(gn, H);
            for (int j = 0; j < H; j++)
                hc[b * H + j] = (1.0f - gz[j]) * gn[j] + gz[j] * hp[b * H + j];
        }
    }
    if (mask_t) {
        for (int b = 0; b < B; b++) {
            if (mask_t[b] != 0.0f)
                continue;
            memcpy(hc + (size_t)b * H, hp + (size_t)b * H, H * sizeof *hc);
            if (c->kind == CELL_LSTM)
                memcpy(k->c + ((size_t)(t + 1) * B + b) * H,
                       k->c + ((size_t)t * B + b) * H, H * sizeof *hc);
        }
    }
}

/* A padded row: the state was carried through, so is its gradient. */
static void step_backward_padded(float *dg, float *dgrec, int G, float *direct,
                                 const float *dh, int H)
{
    vec_zero(dg, G);
    if (dgrec != dg)
        vec_zero(dgrec, G);
    memcpy(direct, dh, H * sizeof *dh);
}

void cell_step_backward(const cell *c, cell_cache *k, int t, int B,
                        const float *mask_t)
{
    const params *ps = c->ps;
    int H = c->hid, G = c->gates * H;
    const float *g = k->gates + (size_t)t * B * G;
    float *dg = k->dgates + (size_t)t * B * G;
    float *dgrec = c->kind == CELL_GRU ? k->dgh + (size_t)t * B * G : dg;
    float *dh = k->dh, *direct = k->dh2, *dc = k->dc;

    for (int b = 0; b < B; b++) {
        const float *gb = g + (size_t)b * G;
        float *db = dg + (size_t)b * G, *drb = dgrec + (size_t)b * G;
        const float *dhb = dh + (size_t)b * H;
        float *dirb = direct + (size_t)b * H;
        if (mask_t && mask_t[b] == 0.0f) {
            step_backward_padded(db, drb, G, dirb, dhb, H);
            continue;
        }
        if (c->kind == CELL_RNN) {
            for (int j = 0; j < H; j++) {
                db[j] = FAULT(1) * dhb[j] * (1.0f - gb[j] * gb[j]);
                dirb[j] = 0.0f;
            }
        } else if (c->kind == CELL_LSTM) {
            const float *cp = k->c + ((size_t)t * B + b) * H;
            const float *tc = k->tc + ((size_t)t * B + b) * H;
            float *dcb = dc + (size_t)b * H;
            const float *gi = gb, *gf = gi + H, *gg = gf + H, *go = gg + H;
            float *di = db, *df = di + H, *dgg = df + H, *dout = dgg + H;
            for (int j = 0; j < H; j++) {
                float dcc = dcb[j] + dhb[j] * go[j] * (1.0f - tc[j] * tc[j]);
                dout[j] = dhb[j] * tc[j] * go[j] * (1.0f - go[j]);
                di[j] = dcc * gg[j] * gi[j] * (1.0f - gi[j]);
                dgg[j] = dcc * gi[j] * (1.0f - gg[j] * gg[j]);
                df[j] = FAULT(3) * dcc * cp[j] * gf[j] * (1.0f - gf[j]);
                dcb[j] = dcc * gf[j];
                dirb[j] = 0.0f;
            }
        } else { /* GRU */
            const float *hp = k->h + ((size_t)t * B + b) * H;
            const float *hn = k->hn + ((size_t)t * B + b) * H;
            const float *gr = gb, *gz = gr + H, *gn = gz + H;
            float *dxr = db, *dxz = dxr + H, *dxn = dxz + H;
            float *dhr = drb, *dhz = dhr + H, *dhn = dhz + H;
            for (int j = 0; j < H; j++) {
                float dn = dhb[j] * (1.0f - gz[j]) * (1.0f - gn[j] * gn[j]);
                float dz = FAULT(2) * dhb[j] * (hp[j] - gn[j]) * gz[j] * (1.0f - gz[j]);
                float dr = dn * hn[j] * gr[j] * (1.0f - gr[j]);
                dxr[j] = dhr[j] = dr;
                dxz[j] = dhz[j] = dz;
                dxn[j] = dn;
                dhn[j] = dn * gr[j];
                dirb[j] = dhb[j] * gz[j];
            }
        }
    }
    mat_gemm(0, 0, B, H, G, dgrec, params_data(ps, c->w_hh), 1.0f, direct);
    k->dh = direct;
    k->dh2 = dh;
}

void cell_backward_weights(const cell *c, cell_cache *k, int T, int B,
                           const float *x, const int *ids, float *dx)
{
    const params *ps = c->ps;
    int H = c->hid, G = c->gates * H, TB = T * B;
    const float *dgrec = c->kind == CELL_GRU ? k->dgh : k->dgates;
    float *dWih = params_grad(ps, c->w_ih);
    if (x) {
        mat_gemm(1, 0, G, c->in, TB, k->dgates, x, 1.0f, dWih);
    } else {
        for (int r = 0; r < TB; r++) {
            if (ids[r] < 0)
                continue;
            const float *d = k->dgates + (size_t)r * G;
            for (int j = 0; j < G; j++)
                dWih[(size_t)j * c->in + ids[r]] += d[j];
        }
    }
    mat_sum_rows(params_grad(ps, c->b_ih), k->dgates, TB, G);
    mat_gemm(1, 0, G, H, TB, dgrec, k->h, 1.0f, params_grad(ps, c->w_hh));
    if (c->b_hh >= 0)
        mat_sum_rows(params_grad(ps, c->b_hh), dgrec, TB, G);
    if (dx && x)
        mat_gemm(0, 0, TB, c->in, G, k->dgates, params_data(ps, c->w_ih), 0.0f, dx);
}

void cell_backward(const cell *c, cell_cache *k, int T, int B, const float *x,
                   const int *ids, const float *dH, const float *dhT,
                   const float *dcT, float *dx, float *dh0, float *dc0,
                   const float *mask)
{
    size_t BH = (size_t)B * c->hid;
    vec_copy_or_zero(k->dh, dhT, BH);
    vec_copy_or_zero(k->dc, dcT, BH);
    for (int t = T - 1; t >= 0; t--) {
        if (dH) {
            const float *d = dH + (size_t)t * BH;
            for (size_t i = 0; i < BH; i++)
                k->dh[i] += d[i];
        }
        cell_step_backward(c, k, t, B, mask ? mask + (size_t)t * B : NULL);
    }
    cell_backward_weights(c, k, T, B, x, ids, dx);
    if (dh0)
        memcpy(dh0, k->dh, BH * sizeof *dh0);
    if (dc0 && c->kind == CELL_LSTM)
        memcpy(dc0, k->dc, BH * sizeof *dc0);
}

/* ---- bidirectional wrapper ---- */

int bicell_register(bicell *b, params *ps, cell_kind kind, int in, int hid,
                    const char *prefix, const char *suffix)
{
    char rsuffix[PARAM_NAME_MAX];
    if (snprintf(rsuffix, sizeof rsuffix, "%s_reverse", suffix) >= (int)sizeof rsuffix)
        return -1;
    if (cell_register(&b->fw, ps, kind, in, hid, prefix, suffix) < 0)
        return -1;
    return cell_register(&b->bw, ps, kind, in, hid, prefix, rsuffix);
}

void bicell_init_default(bicell *b, rng *r)
{
    cell_init_default(&b->fw, r);
    cell_init_default(&b->bw, r);
}

void bicell_cache_free(bicell_cache *k)
{
    cell_cache_free(&k->fw);
    cell_cache_free(&k->bw);
    free(k->xr); free(k->idr); free(k->mr); free(k->out); free(k->dfw); free(k->dbw);
    free(k->dxr);
    memset(k, 0, sizeof *k);
}

int bicell_cache_reserve(bicell_cache *k, const bicell *b, int T, int B)
{
    if (cell_cache_reserve(&k->fw, &b->fw, T, B) < 0 ||
        cell_cache_reserve(&k->bw, &b->bw, T, B) < 0)
        return -1;
    if (k->out && T <= k->T && B <= k->B)
        return 0;
    if (k->out) {
        if (T < k->T) T = k->T;
        if (B < k->B) B = k->B;
    }
    free(k->xr); free(k->idr); free(k->mr); free(k->out); free(k->dfw); free(k->dbw);
    free(k->dxr);
    size_t TB = (size_t)T * B, H = b->fw.hid, I = b->fw.in;
    k->T = T;
    k->B = B;
    k->xr = vec_alloc(TB * I);
    k->idr = malloc(TB * sizeof *k->idr);
    k->mr = vec_alloc(TB);
    k->out = vec_alloc(TB * 2 * H);
    k->dfw = vec_alloc(TB * H);
    k->dbw = vec_alloc(TB * H);
    k->dxr = vec_alloc(TB * I);
    if (!k->xr || !k->idr || !k->mr || !k->out || !k->dfw || !k->dbw || !k->dxr) {
        bicell_cache_free(k);
        return -1;
    }
    return 0;
}

/* dst[t] = src[T-1-t] for blocks of n floats. */
static void reverse_time(float *dst, const float *src, int T, size_t n)
{
    for (int t = 0; t < T; t++)
        memcpy(dst + (size_t)t * n, src + (size_t)(T - 1 - t) * n, n * sizeof *dst);
}

void bicell_forward(const bicell *b, bicell_cache *k, int T, int B,
                    const float *x, const int *ids, const float *mask)
{
    size_t H = b->fw.hid, I = b->fw.in;
    if (x)
        reverse_time(k->xr, x, T, B * I);
    else
        for (int t = 0; t < T; t++)
            memcpy(k->idr + (size_t)t * B, ids + (size_t)(T - 1 - t) * B, B * sizeof *ids);
    if (mask)
        reverse_time(k->mr, mask, T, B);
    cell_forward(&b->fw, &k->fw, T, B, x, ids, NULL, NULL, mask);
    cell_forward(&b->bw, &k->bw, T, B, x ? k->xr : NULL, x ? NULL : k->idr, NULL, NULL,
                 mask ? k->mr : NULL);
    const float *hf = cell_outputs(&b->fw, &k->fw, B);
    const float *hb = cell_outputs(&b->bw, &k->bw, B);
    for (int t = 0; t < T; t++)
        for (int r = 0; r < B; r++) {
            float *o = k->out + ((size_t)t * B + r) * 2 * H;
            memcpy(o, hf + ((size_t)t * B + r) * H, H * sizeof *o);
            memcpy(o + H, hb + ((size_t)(T - 1 - t) * B + r) * H, H * sizeof *o);
        }
}

void bicell_backward(const bicell *b, bicell_cache *k, int T, int B,
                     const float *x, const int *ids, const float *dOut, float *dx,
                     const float *mask)
{
    size_t H = b->fw.hid, I = b->fw.in;
    for (int t = 0; t < T; t++)
        for (int r = 0; r < B; r++) {
            const float *d = dOut + ((size_t)t * B + r) * 2 * H;
            memcpy(k->dfw + ((size_t)t * B + r) * H, d, H * sizeof *d);
            memcpy(k->dbw + ((size_t)(T - 1 - t) * B + r) * H, d + H, H * sizeof *d);
        }
    if (!x)
        dx = NULL;
    cell_backward(&b->fw, &k->fw, T, B, x, ids, k->dfw, NULL, NULL, dx, NULL,
                  NULL, mask);
    cell_backward(&b->bw, &k->bw, T, B, x ? k->xr : NULL, x ? NULL : k->idr, k->dbw, NULL,
                  NULL, dx ? k->dxr : NULL, NULL, NULL, mask ? k->mr : NULL);
    if (dx)
        for (int t = 0; t < T; t++) {
            float *d = dx + (size_t)t * B * I;
            const float *s = k->dxr + (size_t)(T - 1 - t) * B * I;
            for (size_t i = 0; i < (size_t)B * I; i++)
                d[i] += s[i];
        }
}
