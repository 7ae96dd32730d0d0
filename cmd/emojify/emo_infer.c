/* emojify — the models' inference: batches sorted by length, v2's
 * input projections made once per row, the batches dealt to threads; see
 * emo_model.h (emo_forward_batch, emo_predict). */
#include "emo_model.h"
#include "emo_internal.h"

#include <stdlib.h>
#include <string.h>

#include "parallel.h"
#include "tensor.h"

/* Most sentences in one inference batch: with 64 a v2 step's gates (128 KB)
 * stay in cache between the product and the LSTM's element-wise pass;
 * 100,000 sentences took 3.1 s against 3.8 s with 256. */
#define PREDICT_ROWS 64
#define PREDICT_SLOTS 16384      /* most T x B of one inference batch */
#define PROJECT_ROWS 1024        /* most rows of one input projection */

/* Give m the workspace of w (pointers and shape): the fields a replica
 * keeps of its own while everything else is copied from its model. */
static void take_workspace(emo_model *m, const emo_model *w)
{
    m->T = w->T;
    m->B = w->B;
    m->k1 = w->k1;
    m->k2 = w->k2;
    m->tok = w->tok;
    m->xrow = w->xrow;
    m->labels = w->labels;
    m->x = w->x;
    m->mask = w->mask;
    m->drop1 = w->drop1;
    m->dmask1 = w->dmask1;
    m->top = w->top;
    m->dmask2 = w->dmask2;
    m->logits = w->logits;
    m->dH = w->dH;
    m->dtop = w->dtop;
    m->dx = w->dx;
    m->count = w->count;
    m->nunk = w->nunk;
}

/* At least n replicas in m->replicas (which may move); 0 or -1. */
static int reserve_replicas(emo_model *m, int n)
{
    if (n <= m->nreplicas)
        return 0;
    emo_model *rep = realloc(m->replicas, (size_t)n * sizeof *rep);
    if (!rep)
        return -1;
    memset(rep + m->nreplicas, 0, (size_t)(n - m->nreplicas) * sizeof *rep);
    m->replicas = rep;
    m->nreplicas = n;
    return 0;
}

/* Replica r of m (reserved), brought up to date with m (rows may have
 * been added, arrays moved) but keeping its own workspace. */
static emo_model *replica(emo_model *m, int r)
{
    emo_model *rep = &m->replicas[r], own = *rep;
    *rep = *m;
    take_workspace(rep, &own);
    rep->replicas = NULL;
    rep->nreplicas = 0;
    return rep;
}
/* ---- inference ---- */

/* Layer 1's input projection W_ih x + b_ih of vector x (NULL: zero). */
static void project(const emo_model *m, const float *x, float *out)
{
    const float *W = params_data(&m->ps, m->l1.w_ih), *b = params_data(&m->ps, m->l1.b_ih);
    for (int j = 0; j < 4 * m->H; j++)
        out[j] = b[j] + (x ? vec_dot(W + (size_t)j * m->D, x, m->D) : 0.0f);
}

static const float *row_projection(emo_model *m, int id)
{
    float *p = m->proj + (size_t)id * 4 * m->H;
    if (!m->proj_ok[id]) {
        project(m, m->emb + (size_t)id * m->D, p);
        m->proj_ok[id] = 1;
    }
    return p;
}

/* The layer-1 projections of the unknown and zero vectors and of every
 * row the n sentences use: afterwards inference only reads the table, so
 * threads can share it.  0 or -1. */
static int v2_prepare(emo_model *m, int n, const emo_sentence *s)
{
    if (!m->proj_unk) {
        if (!(m->proj_unk = vec_alloc(8 * (size_t)m->H)))
            return -1;
        m->proj_zero = m->proj_unk + 4 * m->H;
    }
    project(m, m->unk >= 0 ? params_data(&m->ps, m->unk) : NULL, m->proj_unk);
    project(m, NULL, m->proj_zero);
    /* packed again on every call: training may have changed them */
    mat_packed_free(&m->whh1);
    mat_packed_free(&m->whh2);
    if (mat_pack(&m->whh1, 1, 4 * m->H, m->H, params_data(&m->ps, m->l1.w_hh)) < 0 ||
        mat_pack(&m->whh2, 1, 4 * m->H, m->H, params_data(&m->ps, m->l2.w_hh)) < 0)
        return -1;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < s[i].len; j++)
            if (s[i].ids[j] >= 0)
                row_projection(m, s[i].ids[j]);
    return 0;
}

/* Layer 1's input projections from the table (v2_prepare filled it):
 * the same numbers as cell_project_input, without a product per step. */
static void v2_project_layer1(emo_model *m, int T, int B)
{
    int G = 4 * m->H;
    for (size_t i = 0; i < (size_t)T * B; i++) {
        int id = m->tok[i];
        m->xrow[i] = id >= 0 ? m->proj + (size_t)id * G : id == EMO_UNKNOWN ? m->proj_unk : m->proj_zero;
    }
}

/* xrows: the input projections apart (layer 1), or NULL when they are
 * in the gates already (layer 2). */
static void v2_run_layer(const cell *c, cell_cache *k, int T, int B, const float *mask,
                         const mat_packed *whh, const float *const *xrows)
{
    vec_zero(k->h, (size_t)B * c->hid);
    vec_zero(k->c, (size_t)B * c->hid);
    k->zero_start = 1;
    k->whh = whh;
    k->xrows = xrows;
    for (int t = 0; t < T; t++)
        cell_step_forward(c, k, t, B, mask + (size_t)t * B);
    k->zero_start = 0;
    k->whh = NULL;
    k->xrows = NULL;
}

static void v2_infer(emo_model *m, int B, const emo_sentence *s)
{
    int T = emo_v2_layout(m, B, s);
    if (T == 0) {
        vec_zero(m->top, (size_t)B * m->H);
        return;
    }
    v2_project_layer1(m, T, B);
    v2_run_layer(&m->l1, &m->k1, T, B, m->mask, &m->whh1, m->xrow);
    /* Layer 2's input projection in blocks of about PROJECT_ROWS rows: one
     * product of all T x B rows would go to the BLAS (core/tensor sends it
     * the largest ones), which is many times slower than core/tensor's
     * own kernel when it is Debian's reference BLAS. */
    int steps = B < PROJECT_ROWS ? PROJECT_ROWS / B : 1;
    const float *h1 = cell_outputs(&m->l1, &m->k1, B);
    for (int t0 = 0; t0 < T; t0 += steps)
        cell_project_input(&m->l2, &m->k2, t0, T - t0 < steps ? T - t0 : steps, B,
                           h1 + (size_t)t0 * B * m->H, NULL);
    v2_run_layer(&m->l2, &m->k2, T, B, m->mask, &m->whh2, NULL);
    memcpy(m->top, m->k2.h + (size_t)T * B * m->H, (size_t)B * m->H * sizeof *m->top);
}

/* emo_forward_batch once the projections of s are ready (v2_prepare). */
static int forward_prepared(emo_model *m, int B, const emo_sentence *s, float *probs)
{
    if (emo_reserve(m, emo_longest_steps(m, B, s), B) < 0) /* at least 1 step */
        return -1;
    m->dropping = 0;
    if (m->kind == EMO_V1)
        emo_v1_means(m, B, s);
    else
        v2_infer(m, B, s);
    dense_forward(&m->out, B, m->top, probs);
    softmax_rows(probs, B, m->K, 1.0f);
    for (int b = 0; b < B; b++)
        if (emo_known(&s[b]) == 0) {
            float *p = probs + (size_t)b * m->K;
            vec_zero(p, m->K);
            p[m->default_class] = 1.0f;
        }
    return 0;
}

int emo_forward_batch(emo_model *m, int B, const emo_sentence *s, float *probs)
{
    if (m->kind == EMO_V2 && v2_prepare(m, B, s) < 0)
        return -1;
    return forward_prepared(m, B, s, probs);
}

typedef struct {
    int len, index;
} by_length;

static int compare_length(const void *a, const void *b)
{
    const by_length *x = a, *y = b;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* One thread's share of emo_predict: every nthreads-th batch, on its
 * own workspace. */
typedef struct {
    emo_model *m;                /* a replica (or the model itself) */
    const emo_sentence *s;
    const by_length *order;
    const int *first;            /* batch i is order[first[i] .. first[i+1]) */
    int nbatches, t, nthreads, rc;
    float *probs;
} predict_share;

static void *predict_run(void *arg)
{
    predict_share *w = arg;
    emo_model *m = w->m;
    emo_sentence *batch = malloc(PREDICT_ROWS * sizeof *batch);
    float *p = malloc((size_t)PREDICT_ROWS * m->K * sizeof *p);
    w->rc = batch && p ? 0 : -1;
    for (int i = w->t; w->rc == 0 && i < w->nbatches; i += w->nthreads) {
        int a = w->first[i], B = w->first[i + 1] - a;
        for (int b = 0; b < B; b++)
            batch[b] = w->s[w->order[a + b].index];
        w->rc = forward_prepared(m, B, batch, p);
        for (int b = 0; w->rc == 0 && b < B; b++)
            memcpy(w->probs + (size_t)w->order[a + b].index * m->K, p + (size_t)b * m->K,
                   (size_t)m->K * sizeof *p);
    }
    free(batch);
    free(p);
    return NULL;
}

/* Cut the sorted sentences into batches: first[0 .. nbatches]. */
static int cut_batches(int n, const by_length *order, int *first)
{
    int nb = 0;
    for (int i = 0; i < n; nb++) {
        /* Sorted by length, the batch's last sentence is its longest. */
        int B = 0;
        while (i + B < n && B < PREDICT_ROWS &&
               (B == 0 || (long)(B + 1) * order[i + B].len <= PREDICT_SLOTS)) /* v1: len 0 */
            B++;
        first[nb] = i;
        i += B;
    }
    first[nb] = n;
    return nb;
}

/* Run the shares through parallel_run, each (but the first, which runs on
 * m) with a replica of m of its own, kept in m for the next call: the
 * weights, rows and projections shared (read-only), a workspace apart. */
static int run_shares(emo_model *m, predict_share *w, int nt)
{
    int rc = 0;
    if (reserve_replicas(m, nt - 1) < 0)
        return -1;
    for (int t = 1; t < nt; t++)
        w[t].m = replica(m, t - 1);
    parallel_run(nt, predict_run, w, sizeof *w);
    for (int t = 0; t < nt; t++)
        rc |= w[t].rc;
    return rc;
}

int emo_predict(emo_model *m, int n, const emo_sentence *s, float *probs)
{
    by_length *order = malloc((size_t)n * sizeof *order);
    int *first = malloc(((size_t)n + 1) * sizeof *first);
    int rc = order && first ? 0 : -1;
    for (int i = 0; rc == 0 && i < n; i++) {
        order[i].len = m->kind == EMO_V2 ? emo_steps(m, &s[i]) : 0;
        order[i].index = i;
    }
    if (rc == 0 && m->kind == EMO_V2) {
        qsort(order, (size_t)n, sizeof *order, compare_length);
        rc = v2_prepare(m, n, s);
    }
    if (rc == 0) {
        int nb = cut_batches(n, order, first);
        int nt = m->threads < nb ? m->threads : nb;
        nt = nt < 1 ? 1 : nt > PARALLEL_MAX ? PARALLEL_MAX : nt;
        predict_share w[PARALLEL_MAX];
        for (int t = 0; t < nt; t++)
            w[t] = (predict_share){m, s, order, first, nb, t, nt, 0, probs};
        rc = run_shares(m, w, nt);
    }
    free(order);
    free(first);
    return rc;
}

