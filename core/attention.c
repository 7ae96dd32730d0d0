/* attention — the course's one-step additive attention; see attention.h. */
#include "attention.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "init.h"
#include "tensor.h"

int attention_register(attention *at, params *ps, const char *prefix, int S, int A, int hid)
{
    char name[PARAM_NAME_MAX];
    at->S = S;
    at->A = A;
    at->hid = hid;
    at->ps = ps;
    if (snprintf(name, sizeof name, "%squery.weight", prefix) >= (int)sizeof name)
        return -1;
    at->w_query = params_add(ps, name, 2, (int[]){hid, S});
    if (at->w_query < 0)
        return -1;
    if (snprintf(name, sizeof name, "%skey.", prefix) >= (int)sizeof name ||
        dense_register(&at->key, ps, name, A, hid) < 0)
        return -1;
    if (snprintf(name, sizeof name, "%senergy.", prefix) >= (int)sizeof name)
        return -1;
    return dense_register(&at->energy, ps, name, hid, 1);
}

void attention_init_default(attention *at, rng *r)
{
    float a = 1.0f / sqrtf((float)(at->S + at->A));
    params_init_uniform(at->ps, at->w_query, a, r);
    params_init_uniform(at->ps, at->key.w, a, r);
    params_init_uniform(at->ps, at->key.b, a, r);
    dense_init_default(&at->energy, r);
}

void attention_cache_free(attention_cache *k)
{
    free(k->keys); free(k->dkeys); free(k->u); free(k->e); free(k->alpha);
    free(k->q); free(k->dq); free(k->dalpha); free(k->rowsum);
    memset(k, 0, sizeof *k);
}

int attention_cache_reserve(attention_cache *k, const attention *at, int Tx, int Ty, int B)
{
    if (k->keys && Tx <= k->Tx && Ty <= k->Ty && B <= k->B)
        return 0;
    if (k->keys) {
        if (Tx < k->Tx) Tx = k->Tx;
        if (Ty < k->Ty) Ty = k->Ty;
        if (B < k->B) B = k->B;
    }
    attention_cache_free(k);
    size_t TB = (size_t)Tx * B, H = at->hid;
    k->Tx = Tx;
    k->Ty = Ty;
    k->B = B;
    k->keys = vec_alloc(TB * H);
    k->dkeys = vec_alloc(TB * H);
    k->u = vec_alloc((size_t)Ty * TB * H);
    k->e = vec_alloc((size_t)Ty * TB);
    k->alpha = vec_alloc((size_t)Ty * TB);
    k->q = vec_alloc((size_t)B * H);
    k->dq = vec_alloc((size_t)B * H);
    k->dalpha = vec_alloc(TB);
    k->rowsum = vec_alloc((size_t)B);
    if (!k->keys || !k->dkeys || !k->u || !k->e || !k->alpha || !k->q || !k->dq ||
        !k->dalpha || !k->rowsum) {
        attention_cache_free(k);
        return -1;
    }
    return 0;
}

void attention_prepare(const attention *at, attention_cache *k, int Tx, int B, const float *a)
{
    dense_forward(&at->key, Tx * B, a, k->keys);
}

/* alpha[.][b] = softmax of e[.][b] over the real positions. */
static void masked_softmax(const float *e, const float *mask, float *alpha, int Tx, int B)
{
    for (int b = 0; b < B; b++) {
        float m = -INFINITY;
        for (int t = 0; t < Tx; t++)
            if ((!mask || mask[(size_t)t * B + b] != 0.0f) && e[(size_t)t * B + b] > m)
                m = e[(size_t)t * B + b];
        double sum = 0;
        for (int t = 0; t < Tx; t++) {
            size_t i = (size_t)t * B + b;
            alpha[i] = !mask || mask[i] != 0.0f ? expf(e[i] - m) : 0.0f;
            sum += alpha[i];
        }
        float inv = sum > 0 ? (float)(1.0 / sum) : 0.0f;
        for (int t = 0; t < Tx; t++)
            alpha[(size_t)t * B + b] *= inv;
    }
}

void attention_step_forward(const attention *at, attention_cache *k, int t, int Tx, int B,
                            const float *s, const float *a, const float *mask,
                            float *context)
{
    int H = at->hid, A = at->A;
    size_t TB = (size_t)Tx * B;
    float *u = k->u + (size_t)t * TB * H, *e = k->e + (size_t)t * TB;
    float *alpha = k->alpha + (size_t)t * TB;
    const float *w = params_data(at->ps, at->energy.w);
    float c = params_data(at->ps, at->energy.b)[0];

    mat_gemm(0, 1, B, H, at->S, s, params_data(at->ps, at->w_query), 0.0f, k->q);
    for (int p = 0; p < Tx; p++)
        for (int b = 0; b < B; b++) {
            size_t i = (size_t)p * B + b;
            const float *kr = k->keys + i * H, *q = k->q + (size_t)b * H;
            for (int j = 0; j < H; j++)
                u[i * H + j] = kr[j] + q[j];
        }
    vec_tanh(u, (int)(TB * H));
    for (size_t i = 0; i < TB; i++) {
        float v = c;
        for (int j = 0; j < H; j++)
            v += w[j] * u[i * H + j];
        e[i] = v > 0.0f ? v : 0.0f;
    }
    masked_softmax(e, mask, alpha, Tx, B);
    vec_zero(context, (size_t)B * A);
    for (int p = 0; p < Tx; p++)
        for (int b = 0; b < B; b++) {
            size_t i = (size_t)p * B + b;
            if (alpha[i] != 0.0f)
                vec_axpy(alpha[i], a + i * A, context + (size_t)b * A, A);
        }
}

const float *attention_weights(const attention_cache *k, int t, int Tx, int B)
{
    return k->alpha + (size_t)t * Tx * B;
}

void attention_begin_backward(const attention *at, attention_cache *k, int Tx, int B)
{
    vec_zero(k->dkeys, (size_t)Tx * B * at->hid);
}

/* dL/de from dL/dalpha through the softmax and the relu. */
static void energy_gradient(const float *alpha, const float *dalpha, const float *e,
                            float *rowsum, float *de, int Tx, int B)
{
    vec_zero(rowsum, (size_t)B);
    for (int p = 0; p < Tx; p++)
        for (int b = 0; b < B; b++)
            rowsum[b] += alpha[(size_t)p * B + b] * dalpha[(size_t)p * B + b];
    for (int p = 0; p < Tx; p++)
        for (int b = 0; b < B; b++) {
            size_t i = (size_t)p * B + b;
            de[i] = e[i] > 0.0f ? alpha[i] * (dalpha[i] - rowsum[b]) : 0.0f;
        }
}

void attention_step_backward(const attention *at, attention_cache *k, int t, int Tx, int B,
                             const float *s, const float *a, const float *dcontext,
                             float *ds, float *da)
{
    int H = at->hid, A = at->A;
    size_t TB = (size_t)Tx * B;
    const float *u = k->u + (size_t)t * TB * H, *e = k->e + (size_t)t * TB;
    const float *alpha = k->alpha + (size_t)t * TB;
    const float *w = params_data(at->ps, at->energy.w);
    float *dw = params_grad(at->ps, at->energy.w), *dc = params_grad(at->ps, at->energy.b);
    float *de = k->dalpha;

    /* padding (alpha 0) gets no gradient: its dalpha only ever meets alpha */
    for (int p = 0; p < Tx; p++)
        for (int b = 0; b < B; b++) {
            size_t i = (size_t)p * B + b;
            const float *dctx = dcontext + (size_t)b * A;
            k->dalpha[i] = alpha[i] != 0.0f ? vec_dot(dctx, a + i * A, A) : 0.0f;
            if (alpha[i] != 0.0f)
                vec_axpy(alpha[i], dctx, da + i * A, A);
        }
    energy_gradient(alpha, k->dalpha, e, k->rowsum, de, Tx, B);
    vec_zero(k->dq, (size_t)B * H);
    for (int p = 0; p < Tx; p++)
        for (int b = 0; b < B; b++) {
            size_t i = (size_t)p * B + b;
            if (de[i] == 0.0f)
                continue;
            const float *ui = u + i * H;
            float *dk = k->dkeys + i * H, *dq = k->dq + (size_t)b * H;
            dc[0] += de[i];
            for (int j = 0; j < H; j++) {
                dw[j] += de[i] * ui[j];
                float dpre = de[i] * w[j] * (1.0f - ui[j] * ui[j]);
                dk[j] += dpre;
                dq[j] += dpre;
            }
        }
    const float *Ws = params_data(at->ps, at->w_query);
    mat_gemm(1, 0, H, at->S, B, k->dq, s, 1.0f, params_grad(at->ps, at->w_query));
    mat_gemm(0, 0, B, at->S, H, k->dq, Ws, 1.0f, ds);
}

void attention_finish_backward(const attention *at, attention_cache *k, int Tx, int B,
                               const float *a, float *da)
{
    dense_backward(&at->key, Tx * B, a, k->dkeys, NULL);
    mat_gemm(0, 0, Tx * B, at->A, at->hid, k->dkeys, params_data(at->ps, at->key.w), 1.0f, da);
}
