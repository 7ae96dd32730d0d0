/* wakenet — layers from a description, whole-clip forward and backward,
 * and the same layers on a stream of frames; see wakenet.h. */
#include "wakenet.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tensor.h"

#define BN_MOMENTUM 0.01f /* Keras' momentum 0.99, written PyTorch's way */
#define BN_EPS 1e-3f

/* One item of the description into L (in: its input channels). */
static int parse_item(const char *item, int in, wakenet_layer *L, char *err)
{
    char name[16] = "", extra[16] = "";
    int a = 0, b = 0, c = 0, got = 0;
    float p = 0;
    memset(L, 0, sizeof *L);
    L->in = L->out = in;
    if (strcmp(item, "bn") == 0) {
        L->kind = WN_BN;
    } else if (strcmp(item, "relu") == 0) {
        L->kind = WN_RELU;
    } else if (strcmp(item, "dense") == 0) {
        L->kind = WN_DENSE;
        L->out = 1;
    } else if (sscanf(item, "drop:%f%n", &p, &got) == 1 && !item[got] && p >= 0 && p < 1) {
        L->kind = WN_DROPOUT;
        L->p = p;
    } else if (sscanf(item, "gru:%d%n", &a, &got) == 1 && !item[got] && a >= 1 && a <= 4096) {
        L->kind = WN_GRU;
        L->out = a;
    } else if (sscanf(item, "%15[a-z]:%d:%d:%d%n", name, &a, &b, &c, &got) == 4 && strcmp(name, "conv") == 0 &&
               a >= 1 && a <= 4096 && b >= 1 && b <= 64 && c >= 1 && c <= 64 &&
               (!item[got] || (sscanf(item + got, ":%15s", extra) == 1 && strcmp(extra, "causal") == 0))) {
        L->kind = WN_CONV;
        L->out = a;
        L->kernel = b;
        L->stride = c;
        L->pad = extra[0] ? b - 1 : 0;
    } else {
        return err_set(err, "no layer '%s' (conv:OUT:KERNEL:STRIDE[:causal], bn, relu, drop:P, gru:H, dense)", item);
    }
    return 0;
}

/* Register layer i's tensors. */
static int register_layer(wakenet *w, int i)
{
    wakenet_layer *L = &w->layer[i];
    char prefix[16];
    snprintf(prefix, sizeof prefix, "l%d.", i);
    switch (L->kind) {
    case WN_CONV: return conv1d_register(&L->conv, &w->ps, prefix, L->in, L->out, L->kernel, L->stride, L->pad);
    case WN_BN: return batchnorm_register(&L->bn, &w->ps, &w->stats, prefix, L->in, BN_MOMENTUM, BN_EPS);
    case WN_GRU: return cell_register(&L->gru, &w->ps, CELL_GRU, L->in, L->out, prefix, "_l0");
    case WN_DENSE: return dense_register(&L->fc, &w->ps, prefix, L->in, 1);
    default: return 0;
    }
}

int wakenet_init(wakenet *w, const char *arch, spec_kind front, char *err)
{
    return wakenet_init_max(w, arch, front, WAKENET_MAX_WEIGHTS, err);
}

int wakenet_init_max(wakenet *w, const char *arch, spec_kind front, size_t max_weights, char *err)
{
    memset(w, 0, sizeof *w);
    if (strlen(arch) >= sizeof w->arch)
        return err_set(err, "the model's description is longer than %d bytes", WAKENET_ARCH_MAX - 1);
    strcpy(w->arch, arch);
    w->front = front;
    w->bins = spec_bins(front);
    char buf[WAKENET_ARCH_MAX];
    strcpy(buf, arch);
    int in = w->bins;
    for (char *save = NULL, *item = strtok_r(buf, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        if (w->n == WAKENET_MAX_LAYERS) {
            wakenet_free(w);
            return err_set(err, "more than %d layers", WAKENET_MAX_LAYERS);
        }
        if (parse_item(item, in, &w->layer[w->n], err) < 0) {
            wakenet_free(w);
            return -1;
        }
        if (w->layer[w->n].kind == WN_DENSE && item + strlen(item) != buf + strlen(arch)) {
            wakenet_free(w);
            return err_set(err, "dense ends the model: nothing may follow it in '%s'", arch);
        }
        in = w->layer[w->n].out;
        if (register_layer(w, w->n) < 0) {
            wakenet_free(w);
            return err_set(err, "out of memory");
        }
        w->n++;
    }
    if (w->n == 0 || w->layer[w->n - 1].kind != WN_DENSE) {
        wakenet_free(w);
        return err_set(err, "the model '%s' does not end in dense", arch);
    }
    if (w->ps.total + w->stats.total > WAKENET_MAX_WEIGHTS) {
        wakenet_free(w);
        return err_set(err, "the model '%s' has more than %d million weights", arch, WAKENET_MAX_WEIGHTS >> 20);
    }
    if (w->ps.total + w->stats.total > max_weights) {
        size_t total = w->ps.total + w->stats.total;
        wakenet_free(w);
        return err_set(err, "the model '%s' has %zu weights; the file holds at most %zu", arch, total, max_weights);
    }
    if (params_alloc(&w->ps) < 0 || params_alloc(&w->stats) < 0) {
        wakenet_free(w);
        return err_set(err, "out of memory");
    }
    return 0;
}

void wakenet_init_weights(wakenet *w, rng *r)
{
    for (int i = 0; i < w->n; i++) {
        wakenet_layer *L = &w->layer[i];
        if (L->kind == WN_CONV)
            conv1d_init_default(&L->conv, r);
        else if (L->kind == WN_BN)
            batchnorm_init_default(&L->bn);
        else if (L->kind == WN_GRU)
            cell_init_default(&L->gru, r);
        else if (L->kind == WN_DENSE)
            dense_init_default(&L->fc, r);
    }
}

void wakenet_free(wakenet *w)
{
    params_free(&w->ps);
    params_free(&w->stats);
    w->n = 0;
}

size_t wakenet_size(const wakenet *w)
{
    return w->ps.total + w->stats.total;
}

int wakenet_out_len(const wakenet *w, int T)
{
    for (int i = 0; i < w->n; i++)
        if (w->layer[i].kind == WN_CONV)
            T = conv1d_out_len(&w->layer[i].conv, T);
    return T;
}

long wakenet_last_frame(const wakenet *w, long t)
{
    for (int i = w->n - 1; i >= 0; i--) {
        const wakenet_layer *L = &w->layer[i];
        if (L->kind == WN_CONV)
            t = t * L->stride + L->kernel - 1 - L->pad;
    }
    return t;
}

/* ---- whole clips ---- */

void wakenet_work_free(wakenet_work *k)
{
    for (int i = 0; i <= WAKENET_MAX_LAYERS; i++) {
        free(k->act[i]);
        free(k->grad[i]);
        if (i < WAKENET_MAX_LAYERS) {
            free(k->mask[i]);
            conv1d_work_free(&k->cw[i]);
            batchnorm_cache_free(&k->bc[i]);
            cell_cache_free(&k->cc[i]);
        }
    }
    memset(k, 0, sizeof *k);
}

int wakenet_work_reserve(wakenet_work *k, const wakenet *w, int T, int B)
{
    if (k->act[0] && T <= k->T && B <= k->B)
        return 0;
    wakenet_work_free(k);
    k->T = T;
    k->B = B;
    int len = T;
    for (int i = 0; i <= w->n; i++) {
        const wakenet_layer *L = &w->layer[i < w->n ? i : w->n - 1];
        size_t n = (size_t)len * B * (size_t)(i < w->n ? L->in : 1);
        if (!(k->act[i] = vec_alloc(n)) || !(k->grad[i] = vec_alloc(n)))
            goto oom;
        if (i == w->n)
            break;
        int bad = 0;
        if (L->kind == WN_DROPOUT)
            bad = !(k->mask[i] = vec_alloc(n));
        else if (L->kind == WN_CONV)
            bad = conv1d_work_reserve(&k->cw[i], &L->conv, len, B) < 0;
        else if (L->kind == WN_BN)
            bad = batchnorm_cache_reserve(&k->bc[i], &L->bn, len * B) < 0;
        else if (L->kind == WN_GRU)
            bad = cell_cache_reserve(&k->cc[i], &L->gru, len, B) < 0;
        if (bad)
            goto oom;
        if (L->kind == WN_CONV)
            len = conv1d_out_len(&L->conv, len);
    }
    return 0;
oom:
    wakenet_work_free(k);
    return -1;
}

float *wakenet_forward(wakenet *w, wakenet_work *k, int T, int B, int train, rng *r)
{
    int len = T;
    for (int i = 0; i < w->n; i++) {
        wakenet_layer *L = &w->layer[i];
        const float *x = k->act[i];
        float *y = k->act[i + 1];
        k->len[i] = len;
        size_t n = (size_t)len * B * L->in;
        switch (L->kind) {
        case WN_CONV:
            conv1d_forward(&L->conv, &k->cw[i], len, B, x, y);
            len = conv1d_out_len(&L->conv, len);
            break;
        case WN_BN:
            if (batchnorm_forward(&L->bn, &k->bc[i], len * B, x, y, train) < 0)
                return NULL;
            break;
        case WN_RELU: relu_forward(y, x, n); break;
        case WN_DROPOUT:
            if (train && L->p > 0)
                dropout_forward(y, x, k->mask[i], n, L->p, r);
            else
                memcpy(y, x, n * sizeof *y);
            break;
        case WN_GRU:
            cell_forward(&L->gru, &k->cc[i], len, B, x, NULL, NULL, NULL, NULL);
            memcpy(y, cell_outputs(&L->gru, &k->cc[i], B), (size_t)len * B * L->out * sizeof *y);
            break;
        case WN_DENSE: dense_forward(&L->fc, len * B, x, y); break;
        }
    }
    k->len[w->n] = len;
    return k->act[w->n];
}

void wakenet_backward(wakenet *w, wakenet_work *k, int T, int B)
{
    (void)T;
    for (int i = w->n - 1; i >= 0; i--) {
        wakenet_layer *L = &w->layer[i];
        int len = k->len[i];
        const float *x = k->act[i], *dy = k->grad[i + 1];
        float *dx = k->grad[i];
        size_t n = (size_t)len * B * L->in;
        switch (L->kind) {
        case WN_CONV: conv1d_backward(&L->conv, &k->cw[i], len, B, x, dy, i ? dx : NULL); break;
        case WN_BN: batchnorm_backward(&L->bn, &k->bc[i], len * B, dy, dx); break;
        case WN_RELU: relu_backward(dx, dy, k->act[i + 1], n); break;
        case WN_DROPOUT:
            if (L->p > 0)
                dropout_backward(dx, dy, k->mask[i], n);
            else
                memcpy(dx, dy, n * sizeof *dx);
            break;
        case WN_GRU:
            cell_backward(&L->gru, &k->cc[i], len, B, x, NULL, dy, NULL, NULL, i ? dx : NULL, NULL, NULL, NULL);
            break;
        case WN_DENSE: dense_backward(&L->fc, len * B, x, dy, dx); break;
        }
    }
}

/* ---- streams ---- */

void wakenet_stream_free(wakenet_stream *s)
{
    for (int i = 0; i < WAKENET_MAX_LAYERS; i++) {
        conv1d_stream_free(&s->cs[i]);
        batchnorm_cache_free(&s->bc[i]);
        cell_cache_free(&s->cc[i]);
        mat_packed_free(&s->whh[i]);
        mat_packed_free(&s->wih[i]);
    }
    for (int i = 0; i <= WAKENET_MAX_LAYERS; i++)
        free(s->buf[i]);
    memset(s, 0, sizeof *s);
}

/* Layer i's stream state: a GRU's cache holds a block's steps, its
 * weights packed once, W_ih's product tiled (a row's bits whatever the
 * block). */
static int stream_layer_init(wakenet_stream *s, int i)
{
    const wakenet_layer *L = &s->w->layer[i];
    const params *ps = &s->w->ps;
    cell_cache *k = &s->cc[i];
    if (L->kind == WN_CONV) {
        if (conv1d_stream_init(&s->cs[i], &L->conv, 1) < 0)
            return -1;
        return conv1d_stream_reserve(&s->cs[i], &L->conv, WAKENET_STREAM_BLOCK);
    }
    if (L->kind == WN_BN)
        return batchnorm_cache_reserve(&s->bc[i], &L->bn, 1);
    if (L->kind != WN_GRU)
        return 0;
    if (cell_cache_reserve(k, &L->gru, WAKENET_STREAM_BLOCK, 1) < 0 ||
        mat_pack(&s->whh[i], 1, 3 * L->out, L->out, params_data(ps, L->gru.w_hh)) < 0 ||
        mat_pack(&s->wih[i], 1, 3 * L->out, L->in, params_data(ps, L->gru.w_ih)) < 0)
        return -1;
    k->whh = &s->whh[i];
    k->wih = &s->wih[i];
    k->tiled = 1;
    return 0;
}

int wakenet_stream_init(wakenet_stream *s, const wakenet *w)
{
    memset(s, 0, sizeof *s);
    s->w = w;
    for (int i = 0; i < w->n; i++) {
        if (!(s->buf[i + 1] = vec_alloc((size_t)WAKENET_STREAM_BLOCK * w->layer[i].out)) ||
            stream_layer_init(s, i) < 0) {
            wakenet_stream_free(s);
            return -1;
        }
    }
    wakenet_stream_reset(s);
    return 0;
}

void wakenet_stream_reset(wakenet_stream *s)
{
    const wakenet *w = s->w;
    for (int i = 0; i < w->n; i++) {
        const wakenet_layer *L = &w->layer[i];
        if (L->kind == WN_CONV)
            conv1d_stream_reset(&s->cs[i], &L->conv);
        else if (L->kind == WN_GRU)
            vec_zero(s->cc[i].h, (size_t)L->out);
        s->started[i] = 0;
    }
    s->steps = 0;
}

/* m steps of GRU layer i on x [m][in] into y [m][H]: the input
 * projections of the block in one product, then the steps from the state
 * in h[0], which then moves to h[0] again for the next block. */
static void stream_gru(wakenet_stream *s, int i, int m, const float *x, float *y)
{
    const wakenet_layer *L = &s->w->layer[i];
    cell_cache *k = &s->cc[i];
    size_t H = (size_t)L->out;
    cell_project_input(&L->gru, k, 0, m, 1, x, NULL);
    k->zero_start = !s->started[i];
    for (int t = 0; t < m; t++)
        cell_step_forward(&L->gru, k, t, 1, NULL);
    memcpy(y, k->h + H, (size_t)m * H * sizeof *y);
    memcpy(k->h, k->h + (size_t)m * H, H * sizeof *y);
    s->started[i] = 1;
}

/* At most WAKENET_STREAM_BLOCK frames. */
static int stream_block(wakenet_stream *s, const float *frames, int n, float *logits)
{
    const wakenet *w = s->w;
    const float *x = frames;
    int m = n; /* rows of x */
    for (int i = 0; i < w->n && m > 0; i++) {
        const wakenet_layer *L = &w->layer[i];
        float *y = s->buf[i + 1];
        size_t len = (size_t)m * L->in;
        switch (L->kind) {
        case WN_CONV: m = conv1d_steps(&L->conv, &s->cs[i], m, x, y); break;
        case WN_BN: batchnorm_forward(&L->bn, &s->bc[i], m, x, y, 0); break;
        case WN_RELU: relu_forward(y, x, len); break;
        case WN_DROPOUT: memcpy(y, x, len * sizeof *y); break;
        case WN_GRU: stream_gru(s, i, m, x, y); break;
        case WN_DENSE:
            /* a row at a time: its bits whatever the block */
            for (int r = 0; r < m; r++)
                dense_forward(&L->fc, 1, x + (size_t)r * L->in, y + r);
            break;
        }
        x = y;
    }
    if (m > 0)
        memcpy(logits, x, (size_t)m * sizeof *logits);
    s->steps += m;
    return m;
}

int wakenet_stream_run(wakenet_stream *s, const float *frames, int n, float *logits)
{
    int got = 0, bins = s->w->bins;
    for (int f = 0; f < n; f += WAKENET_STREAM_BLOCK) {
        int b = n - f < WAKENET_STREAM_BLOCK ? n - f : WAKENET_STREAM_BLOCK;
        got += stream_block(s, frames + (size_t)f * bins, b, logits + got);
    }
    return got;
}

int wakenet_stream_push(wakenet_stream *s, const float *frame, float *logit)
{
    return wakenet_stream_run(s, frame, 1, logit);
}
