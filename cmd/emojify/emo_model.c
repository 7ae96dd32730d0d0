/* emojify — the Emojifier models V1 and V2: set-up, vocabulary, workspace,
 * batch layouts, training and files; inference is in emo_infer.c.  See
 * emo_model.h. */
#include "emo_model.h"
#include "emo_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "init.h"
#include "loss.h"
#include "tensor.h"
#include "text.h"

#define PAD (-2)                 /* a padded step in m->tok (masked) */
#define ZERO_STEP (-3)           /* a zero input after a sentence (read) */

static const char *const kind_names[] = {"v1", "v2"};
static const char *const oov_names[] = {"skip", "zero", "learn"};
static const char *const backoff_names[] = {"none", "suffix"};

int emo_kind_parse(const char *s) { return text_index_of(kind_names, 2, s); }
const char *emo_kind_name(emo_kind k) { return kind_names[k]; }
int emo_oov_parse(const char *s) { return text_index_of(oov_names, 3, s); }
const char *emo_oov_name(emo_oov o) { return oov_names[o]; }
int emo_backoff_parse(const char *s) { return text_index_of(backoff_names, 2, s); }
const char *emo_backoff_name(emo_backoff b) { return backoff_names[b]; }

/* ---- set-up ---- */

int emo_init(emo_model *m, emo_kind kind, emo_oov oov, int K, int D, int H)
{
    memset(m, 0, sizeof *m);
    m->kind = kind;
    m->oov = oov;
    m->K = K;
    m->D = D;
    m->H = kind == EMO_V2 ? H : 0;
    m->unk = -1;
    if (K < 2 || K > EMO_MAX_CLASSES || D < 1 || (kind == EMO_V2 && H < 1))
        return -1;
    if (word_index_init(&m->words, 0, 0) < 0)
        return -1;
    int shape[1] = {D};
    if (oov == EMO_OOV_LEARN && (m->unk = params_add(&m->ps, "embedding.unknown", 1, shape)) < 0)
        return -1;
    if (kind == EMO_V2 &&
        (cell_register(&m->l1, &m->ps, CELL_LSTM, D, H, "lstm.", "_l0") < 0 ||
         cell_register(&m->l2, &m->ps, CELL_LSTM, H, H, "lstm.", "_l1") < 0))
        return -1;
    if (dense_register(&m->out, &m->ps, "out.", kind == EMO_V2 ? H : D, K) < 0)
        return -1;
    return params_alloc(&m->ps);
}

static void free_workspace(emo_model *m)
{
    cell_cache_free(&m->k1);
    cell_cache_free(&m->k2);
    free(m->tok); free(m->xrow); free(m->x); free(m->mask); free(m->drop1); free(m->dmask1);
    free(m->top); free(m->dmask2); free(m->logits); free(m->dH); free(m->dtop);
    free(m->dx); free(m->count); free(m->nunk); free(m->labels);
    m->tok = m->labels = NULL;
    m->xrow = NULL;
    m->x = m->mask = m->drop1 = m->dmask1 = m->top = m->dmask2 = NULL;
    m->logits = m->dH = m->dtop = m->dx = m->count = m->nunk = NULL;
}


void emo_free(emo_model *m)
{
    free_workspace(m);
    for (int r = 0; r < m->nreplicas; r++)
        free_workspace(&m->replicas[r]);
    free(m->replicas);
    word_index_free(&m->words);
    free(m->emb);
    free(m->proj);
    free(m->proj_ok);
    free(m->proj_unk); /* and proj_zero, its second half */
    mat_packed_free(&m->whh1);
    mat_packed_free(&m->whh2);
    params_free(&m->ps);
    memset(m, 0, sizeof *m);
}

/* Keras' LSTM: Glorot-uniform kernel, orthogonal recurrent kernel, zero
 * bias with the forget gate's at 1 (unit_forget_bias). */
static int init_lstm_keras(cell *c, rng *r)
{
    int G = 4 * c->hid;
    params_init_glorot(c->ps, c->w_ih, c->in, G, r);
    if (init_orthogonal(params_data(c->ps, c->w_hh), G, c->hid, r) < 0)
        return -1;
    float *b = params_data(c->ps, c->b_ih);
    for (int j = 0; j < G; j++)
        b[j] = j >= c->hid && j < 2 * c->hid ? 1.0f : 0.0f;
    return 0;
}

int emo_init_weights(emo_model *m, rng *r)
{
    vec_zero(m->ps.data, m->ps.total);
    if (m->kind == EMO_V1) {
        params_init_normal(&m->ps, m->out.w, 1.0f / sqrtf((float)m->D), r);
        return 0;
    }
    if (init_lstm_keras(&m->l1, r) < 0 || init_lstm_keras(&m->l2, r) < 0)
        return -1;
    params_init_glorot(&m->ps, m->out.w, m->H, m->K, r);
    return 0;
}

/* ---- the vocabulary and its frozen rows ---- */

long emo_find(const emo_model *m, const char *word, size_t len)
{
    long i = word_index_find(&m->words, word, len);
    return i < 0 ? EMO_UNKNOWN : i;
}

static int grow_rows(emo_model *m, long need)
{
    if (need <= m->caprows)
        return 0;
    long cap = m->caprows ? 2 * m->caprows : 256;
    while (cap < need)
        cap *= 2;
    float *emb = realloc(m->emb, (size_t)cap * m->D * sizeof *emb);
    if (!emb)
        return -1;
    m->emb = emb;
    if (m->kind == EMO_V2) {
        float *proj = realloc(m->proj, (size_t)cap * 4 * m->H * sizeof *proj);
        unsigned char *ok = realloc(m->proj_ok, (size_t)cap);
        if (proj)
            m->proj = proj;
        if (ok)
            m->proj_ok = ok;
        if (!proj || !ok)
            return -1;
        memset(m->proj_ok + m->caprows, 0, (size_t)(cap - m->caprows));
    }
    m->caprows = cap;
    return 0;
}

long emo_add_word(emo_model *m, const char *word, size_t len, const float *vec)
{
    int added;
    if (grow_rows(m, m->nrows + 1) < 0 || word_index_add(&m->words, word, len, &added) < 0 || !added)
        return -1;
    memcpy(m->emb + (size_t)m->nrows * m->D, vec, (size_t)m->D * sizeof *vec);
    return m->nrows++;
}

int emo_known(const emo_sentence *s)
{
    int n = 0;
    for (int i = 0; i < s->len; i++)
        n += s->ids[i] >= 0;
    return n;
}

/* The number of inputs a sentence gives after the oov policy. */
static int policy_len(const emo_model *m, const emo_sentence *s)
{
    return m->oov == EMO_OOV_SKIP ? emo_known(s) : s->len;
}

int emo_steps(const emo_model *m, const emo_sentence *s)
{
    int n = policy_len(m, s);
    if (m->kind == EMO_V2 && n < m->pad_to && emo_known(s) > 0)
        n = m->pad_to;
    return n;
}

/* The most steps of the B sentences (0 when none has any). */
int emo_longest_steps(const emo_model *m, int B, const emo_sentence *s)
{
    int T = 0;
    for (int b = 0; b < B; b++) {
        int n = emo_steps(m, &s[b]);
        if (n > T)
            T = n;
    }
    return T;
}

/* ---- workspace ---- */

int emo_reserve(emo_model *m, int T, int B)
{
    if (T < 1)
        T = 1;
    if (m->logits && T <= m->T && B <= m->B)
        return 0;
    if (m->logits) {
        if (T < m->T) T = m->T;
        if (B < m->B) B = m->B;
    }
    free_workspace(m);
    if (m->kind == EMO_V2 && (cell_cache_reserve(&m->k1, &m->l1, T, B) < 0 ||
                              cell_cache_reserve(&m->k2, &m->l2, T, B) < 0))
        return -1;
    size_t TB = (size_t)T * B, F = m->kind == EMO_V2 ? m->H : m->D;
    m->T = T;
    m->B = B;
    m->top = vec_alloc(B * F);
    m->dmask2 = vec_alloc(B * F);
    m->dtop = vec_alloc(B * F);
    m->logits = vec_alloc((size_t)B * m->K);
    m->count = vec_alloc(B);
    m->nunk = vec_alloc(B);
    m->labels = malloc((size_t)B * sizeof *m->labels);
    int ok = m->top && m->dmask2 && m->dtop && m->logits && m->count && m->nunk && m->labels;
    if (ok && m->kind == EMO_V2) {
        m->tok = malloc(TB * sizeof *m->tok);
        m->xrow = malloc(TB * sizeof *m->xrow);
        m->x = vec_alloc(TB * m->D);
        m->mask = vec_alloc(TB);
        m->drop1 = vec_alloc(TB * m->H);
        m->dmask1 = vec_alloc(TB * m->H);
        m->dH = vec_alloc(TB * m->H);
        m->dx = vec_alloc(TB * m->D);
        ok = m->tok && m->xrow && m->x && m->mask && m->drop1 && m->dmask1 && m->dH && m->dx;
    }
    if (!ok) {
        free_workspace(m);
        return -1;
    }
    return 0;
}

/* ---- v1: the mean of the word vectors ---- */

/* top[b] = the mean of sentence b's inputs; count and nunk per row. */
void emo_v1_means(emo_model *m, int B, const emo_sentence *s)
{
    const float *unk = m->unk >= 0 ? params_data(&m->ps, m->unk) : NULL;
    for (int b = 0; b < B; b++) {
        float *avg = m->top + (size_t)b * m->D;
        int known = 0, unknown = 0;
        vec_zero(avg, m->D);
        for (int i = 0; i < s[b].len; i++) {
            int id = s[b].ids[i];
            if (id >= 0) {
                vec_axpy(1.0f, m->emb + (size_t)id * m->D, avg, m->D);
                known++;
            } else {
                unknown++;
            }
        }
        if (unk && unknown)
            vec_axpy((float)unknown, unk, avg, m->D);
        int count = known + (m->oov == EMO_OOV_SKIP ? 0 : unknown);
        if (count > 0) {
            float inv = 1.0f / (float)count;
            for (int d = 0; d < m->D; d++)
                avg[d] *= inv;
        }
        m->count[b] = (float)count;
        m->nunk[b] = (float)unknown;
    }
}

/* ---- v2: padded, masked batches ---- */

/* m->tok [T][B] and m->mask from the sentences after the oov policy,
 * with their zero steps; returns T, the longest. */
int emo_v2_layout(emo_model *m, int B, const emo_sentence *s)
{
    int T = emo_longest_steps(m, B, s);
    for (int b = 0; b < B; b++) {
        int t = 0, steps = emo_steps(m, &s[b]);
        for (int i = 0; i < s[b].len; i++)
            if (s[b].ids[i] >= 0 || m->oov != EMO_OOV_SKIP)
                m->tok[(size_t)t++ * B + b] = s[b].ids[i];
        for (; t < steps; t++)
            m->tok[(size_t)t * B + b] = ZERO_STEP;
        for (; t < T; t++)
            m->tok[(size_t)t * B + b] = PAD;
    }
    for (size_t i = 0; i < (size_t)T * B; i++)
        m->mask[i] = m->tok[i] != PAD;
    return T;
}

/* The input vectors x [T][B][D] of the laid-out tokens. */
static void v2_inputs(emo_model *m, int T, int B)
{
    const float *unk = m->unk >= 0 ? params_data(&m->ps, m->unk) : NULL;
    for (size_t i = 0; i < (size_t)T * B; i++) {
        float *x = m->x + i * m->D;
        int id = m->tok[i];
        if (id >= 0)
            memcpy(x, m->emb + (size_t)id * m->D, (size_t)m->D * sizeof *x);
        else if (id == EMO_UNKNOWN && unk)
            memcpy(x, unk, (size_t)m->D * sizeof *x);
        else
            vec_zero(x, m->D);
    }
}

/* What layer 2 reads [T][B][H]: layer 1's outputs, after dropout when
 * the last forward applied it. */
static const float *v2_layer2_input(const emo_model *m, int B)
{
    return m->dropping ? m->drop1 : cell_outputs(&m->l1, &m->k1, B);
}

static void v2_forward(emo_model *m, int T, int B, rng *r)
{
    size_t TBH = (size_t)T * B * m->H, BH = (size_t)B * m->H;
    v2_inputs(m, T, B);
    cell_forward(&m->l1, &m->k1, T, B, m->x, NULL, NULL, NULL, m->mask);
    if (m->dropping)
        dropout_forward(m->drop1, cell_outputs(&m->l1, &m->k1, B), m->dmask1, TBH, m->dropout, r);
    cell_forward(&m->l2, &m->k2, T, B, v2_layer2_input(m, B), NULL, NULL, NULL, m->mask);
    /* Padded steps carried each row's last state to step T. */
    const float *hT = m->k2.h + (size_t)T * BH;
    if (m->dropping)
        dropout_forward(m->top, hT, m->dmask2, BH, m->dropout, r);
    else
        memcpy(m->top, hT, BH * sizeof *m->top);
}

/* ---- training ---- */

double emo_forward(emo_model *m, int B, const emo_sentence *s, const int *labels, rng *r)
{
    int T;
    if (emo_reserve(m, emo_longest_steps(m, B, s), B) < 0) /* at least 1 step */
        return NAN;
    if (m->proj_ok)
        memset(m->proj_ok, 0, (size_t)m->caprows); /* the weights will change */
    m->dropping = r && m->dropout > 0 && m->kind == EMO_V2;
    if (m->kind == EMO_V1) {
        emo_v1_means(m, B, s);
        T = 1;
    } else {
        T = emo_v2_layout(m, B, s);
        v2_forward(m, T, B, r);
    }
    dense_forward(&m->out, B, m->top, m->logits);
    m->run_T = T;
    m->run_B = B;
    if (!labels)
        return 0;
    memcpy(m->labels, labels, (size_t)B * sizeof *labels);
    return loss_softmax_xent(m->logits, labels, B, m->K, 0.0f, NULL);
}

static void v1_backward(emo_model *m, int B)
{
    if (m->unk < 0)
        return;
    float *gu = params_grad(&m->ps, m->unk);
    for (int b = 0; b < B; b++)
        if (m->nunk[b] > 0 && m->count[b] > 0)
            vec_axpy(m->nunk[b] / m->count[b], m->dtop + (size_t)b * m->D, gu, m->D);
}

static void v2_backward(emo_model *m, int T, int B)
{
    size_t TBH = (size_t)T * B * m->H, BH = (size_t)B * m->H;
    if (m->dropping)
        dropout_backward(m->dtop, m->dtop, m->dmask2, BH);
    cell_backward(&m->l2, &m->k2, T, B, v2_layer2_input(m, B), NULL, NULL, m->dtop, NULL,
                  m->dH, NULL, NULL, m->mask);
    if (m->dropping)
        dropout_backward(m->dH, m->dH, m->dmask1, TBH);
    cell_backward(&m->l1, &m->k1, T, B, m->x, NULL, m->dH, NULL, NULL,
                  m->unk >= 0 ? m->dx : NULL, NULL, NULL, m->mask);
    if (m->unk < 0)
        return;
    float *gu = params_grad(&m->ps, m->unk);
    for (size_t i = 0; i < (size_t)T * B; i++)
        if (m->tok[i] == EMO_UNKNOWN)
            vec_axpy(1.0f, m->dx + i * m->D, gu, m->D);
}

void emo_backward(emo_model *m, int B)
{
    int T = m->run_T;
    loss_softmax_xent(m->logits, m->labels, B, m->K, 1.0f / (float)B, m->logits);
    dense_backward(&m->out, B, m->top, m->logits, m->dtop);
    if (m->kind == EMO_V1)
        v1_backward(m, B);
    else
        v2_backward(m, T, B);
}

/* ---- model files ---- */

int emo_save_to(const emo_model *m, model_out *out)
{
    const word_index *wi = &m->words;
    int sw[1] = {(int)wi->offset[m->nkeep]}, se[2] = {(int)m->nkeep, m->D};
    int bad = model_out_meta(out, "emojify.model", emo_kind_name(m->kind)) < 0;
    bad = bad || model_out_meta(out, "emojify.oov", emo_oov_name(m->oov)) < 0;
    bad = bad || model_out_metaf(out, "emojify.classes", "%d", m->K) < 0;
    bad = bad || model_out_metaf(out, "emojify.dim", "%d", m->D) < 0;
    bad = bad || model_out_metaf(out, "emojify.hidden", "%d", m->H) < 0;
    bad = bad || model_out_metaf(out, "emojify.default_class", "%d", m->default_class) < 0;
    bad = bad || model_out_metaf(out, "emojify.dropout", "%.9g", m->dropout) < 0;
    bad = bad || model_out_metaf(out, "emojify.pad_to", "%d", m->pad_to) < 0;
    bad = bad || model_out_meta(out, "emojify.backoff", emo_backoff_name(m->backoff)) < 0;
    bad = bad || model_out_metaf(out, "emojify.words", "%ld", m->nkeep) < 0;
    bad = bad || model_out_tensor(out, "embedding.weight", 2, se, m->emb) < 0;
    bad = bad || model_out_params(out, &m->ps) < 0;
    /* last: its size is any number of bytes, and the floats stay aligned */
    bad = bad || model_out_tensor_typed(out, "words", "U8", 1, sw, wi->words) < 0;
    return bad ? -1 : 0;
}

/* The words tensor: nwords NUL-terminated words in bytes; added with
 * their rows.  0 or -1 with err. */
static int load_words(emo_model *m, const model_in *f, long nwords, char *err)
{
    long long sw[1], se[2];
    const void *words, *rows;
    if (model_in_view(f, "words", "U8", 1, sw, &words, err) < 0 ||
        model_in_view(f, "embedding.weight", "F32", 2, se, &rows, err) < 0)
        return -1;
    if (se[0] != nwords || se[1] != m->D)
        return err_set(err, "'%s': embedding.weight is not %ld x %d", f->path, nwords, m->D);
    const float *x = rows;
    for (size_t i = 0; i < (size_t)nwords * (size_t)m->D; i++)
        if (!isfinite(x[i]))
            return err_set(err, "'%s': tensor 'embedding.weight' holds a value that is not finite (NaN or infinity)",
                           f->path);
    const char *p = words, *end = p + sw[0];
    for (long i = 0; i < nwords; i++) {
        const char *z = memchr(p, 0, (size_t)(end - p));
        int bad = !z || z == p || emo_find(m, p, (size_t)(z - p)) >= 0;
        long id = bad ? -2 : emo_add_word(m, p, (size_t)(z - p), (const float *)rows + (size_t)i * m->D);
        if (id != i)
            return err_set(err, "'%s': %s", f->path,
                           id == -1 ? "out of memory" : "the word list is damaged");
        p = z + 1;
    }
    m->nkeep = nwords;
    return 0;
}

int emo_load(emo_model *m, const model_in *f, char *err)
{
    const char *kind = model_in_meta(f, "emojify.model"), *oov = model_in_meta(f, "emojify.oov");
    int k = kind ? emo_kind_parse(kind) : -1, o = oov ? emo_oov_parse(oov) : -1;
    long K, D, H, def, pad_to, nwords;
    memset(m, 0, sizeof *m);
    if (k < 0 || o < 0)
        return err_set(err, "'%s': bad or missing metadata (model, oov)", f->path);
    if (model_in_meta_int(f, "emojify.classes", 2, EMO_MAX_CLASSES, &K, err) < 0 ||
        model_in_meta_int(f, "emojify.dim", 1, 100000, &D, err) < 0 ||
        model_in_meta_int(f, "emojify.hidden", k == EMO_V2, 100000, &H, err) < 0 ||
        model_in_meta_int(f, "emojify.default_class", 0, K - 1, &def, err) < 0 ||
        model_in_meta_int(f, "emojify.pad_to", 0, EMO_MAX_PAD, &pad_to, err) < 0 ||
        model_in_meta_int(f, "emojify.words", 0, 1L << 40, &nwords, err) < 0)
        return -1;
    /* the weights the sizes imply (the LSTMs' kernels, or v1's output
     * layer) must be in the file before room is made for them */
    size_t need = k == EMO_V2 ? 4 * (size_t)H * (size_t)(D + H) + 8 * (size_t)H * (size_t)H : (size_t)K * (size_t)D;
    if (model_in_fits(f, need, err) < 0)
        return -1;
    const char *drop = model_in_meta(f, "emojify.dropout"), *backoff = model_in_meta(f, "emojify.backoff");
    int b = backoff ? emo_backoff_parse(backoff) : EMO_BACKOFF_NONE;
    if (b < 0)
        return err_set(err, "'%s': bad metadata emojify.backoff '%s'", f->path, backoff);
    if (emo_init(m, k, o, (int)K, (int)D, (int)H) < 0)
        return err_set(err, "'%s': out of memory", f->path);
    m->default_class = (int)def;
    m->backoff = b;
    m->pad_to = k == EMO_V2 ? (int)pad_to : 0;
    m->dropout = drop ? strtof(drop, NULL) : 0.0f;
    if (model_in_params(f, &m->ps, err) < 0 || load_words(m, f, nwords, err) < 0) {
        emo_free(m);
        return -1;
    }
    return 0;
}
