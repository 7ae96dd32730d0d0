/* melody — the jazz melody model; see melody.h. */
#include "melody.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "draw.h"
#include "init.h"
#include "loss.h"
#include "tensor.h"

static const int field_classes[JAZZ_FIELDS] = {
    JAZZ_REST_CLASSES, JAZZ_PITCHES, JAZZ_DUR_CLASSES, JAZZ_POS_CLASSES, JAZZ_ROOTS,
    JAZZ_QUAL_CLASSES,
};
static const char *const field_tensor[JAZZ_FIELDS] = {
    "emb.rest", "emb.pitch", "emb.dur", "emb.pos", "emb.root", "emb.quality",
};
/* Each head's embedded fields beside what it reads from below: the input
 * takes all six, the pitch head the chord and the position (z after h),
 * the duration head the pitch (after z). */
static const int all_fields[JAZZ_FIELDS] = {
    JAZZ_F_REST, JAZZ_F_PITCH, JAZZ_F_DUR, JAZZ_F_POS, JAZZ_F_ROOT, JAZZ_F_QUAL,
};
static const int chord_fields[] = {JAZZ_F_ROOT, JAZZ_F_QUAL, JAZZ_F_POS};
static const int pitch_field[] = {JAZZ_F_PITCH};

static void config_of(jazz_config *c, int hidden, int layers, const int emb[JAZZ_FIELDS],
                      float dropout)
{
    c->hidden = hidden;
    c->layers = layers;
    memcpy(c->emb, emb, sizeof c->emb);
    c->dropout = dropout;
    c->chord_tones = 1;
}

void jazz_config_default(jazz_config *c)
{
    static const int emb[JAZZ_FIELDS] = {16, 32, 16, 16, 8, 8};
    config_of(c, 256, 2, emb, 0.2f);
}

void jazz_config_course(jazz_config *c)
{
    static const int emb[JAZZ_FIELDS] = {8, 16, 8, 8, 8, 8};
    config_of(c, 64, 1, emb, 0.0f);
}

double jazz_bits_per_note(const jazz_nll *n)
{
    return n->notes ? (n->rest + n->pitch + n->dur) / log(2.0) / (double)n->notes : 0.0;
}

/* ---- parameters ---- */

static int check_config(const jazz_config *c, char *err)
{
    if (c->hidden < 1 || c->hidden > 8192)
        return err_set(err, "hidden size %d: expected 1 to 8192", c->hidden);
    if (c->layers < 1 || c->layers > JAZZ_MAX_LAYERS)
        return err_set(err, "%d layers: expected 1 to %d", c->layers, JAZZ_MAX_LAYERS);
    for (int f = 0; f < JAZZ_FIELDS; f++)
        if (c->emb[f] < 1 || c->emb[f] > 1024)
            return err_set(err, "embedding size %d: expected 1 to 1024", c->emb[f]);
    if (!(c->dropout >= 0.0f && c->dropout < 1.0f))
        return err_set(err, "dropout %g: expected at least 0 and below 1", (double)c->dropout);
    if (c->chord_tones != 0 && c->chord_tones != 1)
        return err_set(err, "chord_tones %d: expected 0 or 1", c->chord_tones);
    return 0;
}

int jazz_model_init(jazz_model *m, const jazz_config *c, char *err)
{
    memset(m, 0, sizeof *m);
    m->chord_tone = -1;
    if (check_config(c, err) < 0)
        return -1;
    m->cfg = *c;
    int H = c->hidden;
    for (int f = 0; f < JAZZ_FIELDS; f++)
        m->I += c->emb[f];
    m->Z = H + c->emb[JAZZ_F_ROOT] + c->emb[JAZZ_F_QUAL] + c->emb[JAZZ_F_POS];
    m->ZD = m->Z + c->emb[JAZZ_F_PITCH];
    int bad = 0;
    for (int f = 0; f < JAZZ_FIELDS; f++)
        bad |= embedding_register(&m->emb[f], &m->ps, field_tensor[f], field_classes[f],
                                  c->emb[f]);
    for (int l = 0; l < c->layers; l++) {
        char suffix[16];
        snprintf(suffix, sizeof suffix, "_l%d", l);
        bad |= cell_register(&m->layer[l], &m->ps, CELL_LSTM, l ? H : m->I, H, "lstm.", suffix);
    }
    bad |= dense_register(&m->head_rest, &m->ps, "head.rest.", H, JAZZ_REST_CLASSES);
    bad |= dense_register(&m->head_pitch, &m->ps, "head.pitch.", m->Z, JAZZ_PITCHES);
    if (c->chord_tones) {
        int shape[2] = {JAZZ_QUALITIES, 12};
        m->chord_tone = params_add(&m->ps, "head.pitch.chord_tone", 2, shape);
        bad |= m->chord_tone < 0;
    }
    bad |= dense_register(&m->head_dur, &m->ps, "head.dur.", m->ZD, JAZZ_DUR_CLASSES);
    if (bad || params_alloc(&m->ps) < 0) {
        jazz_model_free(m);
        return err_set(err, "out of memory");
    }
    return 0;
}

void jazz_model_init_weights(jazz_model *m, rng *r)
{
    for (int f = 0; f < JAZZ_FIELDS; f++)
        params_init_normal(&m->ps, m->emb[f].w, 1.0f, r);
    for (int l = 0; l < m->cfg.layers; l++)
        cell_init_default(&m->layer[l], r);
    dense_init_default(&m->head_rest, r);
    dense_init_default(&m->head_pitch, r);
    if (m->chord_tone >= 0)
        vec_zero(params_data(&m->ps, m->chord_tone), m->ps.p[m->chord_tone].size);
    dense_init_default(&m->head_dur, r);
}

/* ---- workspace ---- */

typedef struct {
    void **p;
    size_t n;   /* elements */
    int is_int;
} buffer;

/* Every buffer of the workspace and its size for T steps of B rows;
 * returns the count. */
static int workspace(jazz_model *m, size_t T, size_t B, buffer *b)
{
    size_t TB = T * B, H = (size_t)m->cfg.hidden;
    int n = 0;
#define BUF(ptr, count, isint) (b[n++] = (buffer){(void **)&(ptr), (count), (isint)})
    for (int f = 0; f < JAZZ_FIELDS; f++) {
        BUF(m->in[f], TB, 1);
        BUF(m->out[f], TB, 1);
    }
    BUF(m->mask, TB, 0);
    BUF(m->x, TB * m->I, 0);
    BUF(m->dx, TB * m->I, 0);
    BUF(m->z, TB * m->Z, 0);
    BUF(m->dz, TB * m->Z, 0);
    BUF(m->zd, TB * m->ZD, 0);
    BUF(m->dzd, TB * m->ZD, 0);
    BUF(m->logit_rest, TB * JAZZ_REST_CLASSES, 0);
    BUF(m->logit_pitch, TB * JAZZ_PITCHES, 0);
    BUF(m->logit_dur, TB * JAZZ_DUR_CLASSES, 0);
    BUF(m->dh, TB * H, 0);
    BUF(m->dh2, TB * H, 0);
    for (int l = 0; l < m->cfg.layers; l++) {
        BUF(m->state_h[l], B * H, 0);
        BUF(m->state_c[l], B * H, 0);
        if (m->cfg.dropout > 0) {
            BUF(m->drop[l], TB * H, 0);
            BUF(m->dmask[l], TB * H, 0);
        }
    }
#undef BUF
    return n;
}

#define WORKSPACE_MAX (2 * JAZZ_FIELDS + 14 + 4 * JAZZ_MAX_LAYERS)

static void free_workspace(jazz_model *m)
{
    buffer b[WORKSPACE_MAX];
    int n = workspace(m, 0, 0, b);
    for (int i = 0; i < n; i++) {
        free(*b[i].p);
        *b[i].p = NULL;
    }
    for (int l = 0; l < m->cfg.layers; l++)
        cell_cache_free(&m->cache[l]);
    m->T = m->B = 0;
}

void jazz_model_free(jazz_model *m)
{
    free_workspace(m);
    params_free(&m->ps);
    memset(m, 0, sizeof *m);
}

int jazz_model_reserve(jazz_model *m, int T, int B)
{
    if (m->x && T <= m->T && B <= m->B)
        return 0;
    T = T > m->T ? T : m->T;
    B = B > m->B ? B : m->B;
    free_workspace(m);
    buffer b[WORKSPACE_MAX];
    int n = workspace(m, (size_t)T, (size_t)B, b), ok = 1;
    for (int i = 0; i < n; i++) {
        *b[i].p = b[i].is_int ? calloc(b[i].n, sizeof(int)) : vec_alloc(b[i].n);
        ok = ok && *b[i].p;
    }
    for (int l = 0; ok && l < m->cfg.layers; l++)
        ok = cell_cache_reserve(&m->cache[l], &m->layer[l], T, B) == 0;
    if (!ok) {
        free_workspace(m);
        return -1;
    }
    m->T = T;
    m->B = B;
    return 0;
}

/* ---- batches ---- */

/* Put the fields of e transposed by shift (e NULL: none, -1 each) at
 * index i of ids. */
static void put_fields(int *const *ids, size_t i, const jazz_event *e, int shift)
{
    if (!e) {
        for (int f = 0; f < JAZZ_FIELDS; f++)
            ids[f][i] = -1;
        return;
    }
    jazz_event t = *e;
    jazz_transpose(&t, 1, shift);
    ids[JAZZ_F_REST][i] = t.rest;
    ids[JAZZ_F_PITCH][i] = t.pitch;
    ids[JAZZ_F_DUR][i] = t.dur;
    ids[JAZZ_F_POS][i] = t.pos;
    ids[JAZZ_F_ROOT][i] = t.root;
    ids[JAZZ_F_QUAL][i] = t.qual;
}

void jazz_model_set_row(jazz_model *m, int T, int B, int b, const jazz_event *ev, int start,
                        int n, int shift)
{
    n = n < T ? n : T;
    for (int t = 0; t < T; t++) {
        size_t i = (size_t)t * B + b;
        int real = t < n, j = start + t;
        put_fields(m->in, i, real && j > 0 ? &ev[j - 1] : NULL, shift);
        put_fields(m->out, i, real ? &ev[j] : NULL, shift);
        m->mask[i] = real ? 1.0f : 0.0f;
    }
}

/* ---- forward ---- */

/* Rows [N][ld] receive, one after another, the embeddings of the nf
 * fields (ids[f][i] of row i, zeros for -1). */
static void embed_rows(const jazz_model *m, const int *fields, int nf, int *const *ids, int N,
                       float *x, int ld)
{
    for (int i = 0; i < N; i++) {
        float *row = x + (size_t)i * ld;
        for (int k = 0; k < nf; k++) {
            const embedding *e = &m->emb[fields[k]];
            int id = ids[fields[k]][i];
            if (id < 0)
                vec_zero(row, e->dim);
            else
                memcpy(row, params_data(&m->ps, e->w) + (size_t)id * e->dim, e->dim * sizeof *row);
            row += e->dim;
        }
    }
}

/* The tables' gradients from the gradient of rows embed_rows wrote. */
static void embed_backward(jazz_model *m, const int *fields, int nf, int *const *ids, int N,
                           const float *dx, int ld)
{
    for (int i = 0; i < N; i++) {
        const float *row = dx + (size_t)i * ld;
        for (int k = 0; k < nf; k++) {
            const embedding *e = &m->emb[fields[k]];
            int id = ids[fields[k]][i];
            if (id >= 0)
                vec_axpy(1.0f, row, params_grad(&m->ps, e->w) + (size_t)id * e->dim, e->dim);
            row += e->dim;
        }
    }
}

/* Rows [N][ld] get the N rows of src [N][w] at their start. */
static void copy_rows(float *dst, int ld, const float *src, int w, int N)
{
    for (int i = 0; i < N; i++)
        memcpy(dst + (size_t)i * ld, src + (size_t)i * w, (size_t)w * sizeof *dst);
}

/* What layer l passes on, [T][B][H]: its outputs, after dropout when
 * the last forward pass applied it. */
static float *layer_out(const jazz_model *m, int l, int B)
{
    return m->dropping ? m->drop[l] : cell_outputs(&m->layer[l], &m->cache[l], B);
}

static const float *top_out(const jazz_model *m, int B)
{
    return layer_out(m, m->cfg.layers - 1, B);
}

/* Each layer's W_hh and W_ih packed for the products of the passes to
 * come (the same numbers, without packing them again at every step:
 * sampling runs one step at a time), until unpack_recurrent; a matrix
 * that cannot be packed is used unpacked. */
static void pack_recurrent(jazz_model *m)
{
    int H = m->cfg.hidden;
    for (int l = 0; l < m->cfg.layers; l++) {
        const cell *c = &m->layer[l];
        if (mat_pack(&m->whh[l], 1, 4 * H, H, params_data(&m->ps, c->w_hh)) == 0)
            m->cache[l].whh = &m->whh[l];
        if (mat_pack(&m->wih[l], 1, 4 * H, c->in, params_data(&m->ps, c->w_ih)) == 0)
            m->cache[l].wih = &m->wih[l];
    }
}

static void unpack_recurrent(jazz_model *m)
{
    for (int l = 0; l < m->cfg.layers; l++) {
        m->cache[l].whh = m->cache[l].wih = NULL;
        mat_packed_free(&m->whh[l]);
        mat_packed_free(&m->wih[l]);
    }
}

/* The inputs through the LSTM stack; with carry, each row starts from
 * m->state_* and leaves its last state there. */
static void run_stack(jazz_model *m, int T, int B, rng *r, int carry)
{
    int N = T * B;
    size_t BH = (size_t)B * m->cfg.hidden;
    m->dropping = r && m->cfg.dropout > 0;
    embed_rows(m, all_fields, JAZZ_FIELDS, m->in, N, m->x, m->I);
    for (int l = 0; l < m->cfg.layers; l++) {
        cell_cache *k = &m->cache[l];
        cell_forward(&m->layer[l], k, T, B, l ? layer_out(m, l - 1, B) : m->x, NULL,
                     carry ? m->state_h[l] : NULL, carry ? m->state_c[l] : NULL, m->mask);
        if (carry) {
            memcpy(m->state_h[l], k->h + (size_t)T * BH, BH * sizeof(float));
            memcpy(m->state_c[l], k->c + (size_t)T * BH, BH * sizeof(float));
        }
        if (m->dropping)
            dropout_forward(m->drop[l], cell_outputs(&m->layer[l], k, B), m->dmask[l],
                            (size_t)N * m->cfg.hidden, m->cfg.dropout, r);
    }
}

/* The chord-tone bias of row i: C[qual] read from the interval of each
 * pitch above the root (dir > 0: added to the logits; dir < 0: the
 * gradient of the logits added to C's). */
static void chord_tone_rows(jazz_model *m, int N, int backward)
{
    float *C = backward ? params_grad(&m->ps, m->chord_tone) : params_data(&m->ps, m->chord_tone);
    for (int i = 0; i < N; i++) {
        int root = m->out[JAZZ_F_ROOT][i];
        if (root < 0 || root == JAZZ_NO_ROOT)
            continue;
        float *c = C + (size_t)m->out[JAZZ_F_QUAL][i] * 12;
        float *l = m->logit_pitch + (size_t)i * JAZZ_PITCHES;
        for (int p = 0, k = (12 - root) % 12; p < JAZZ_PITCHES; p++, k = k == 11 ? 0 : k + 1) {
            if (backward)
                c[k] += l[p];
            else
                l[p] += c[k];
        }
    }
}

static void pitch_head(jazz_model *m, int N, const float *h)
{
    copy_rows(m->z, m->Z, h, m->cfg.hidden, N);
    embed_rows(m, chord_fields, 3, m->out, N, m->z + m->cfg.hidden, m->Z);
    dense_forward(&m->head_pitch, N, m->z, m->logit_pitch);
    if (m->chord_tone >= 0)
        chord_tone_rows(m, N, 0);
}

static void dur_head(jazz_model *m, int N)
{
    copy_rows(m->zd, m->ZD, m->z, m->Z, N);
    embed_rows(m, pitch_field, 1, m->out, N, m->zd + m->Z, m->ZD);
    dense_forward(&m->head_dur, N, m->zd, m->logit_dur);
}

static void heads(jazz_model *m, int T, int B)
{
    const float *h = top_out(m, B);
    dense_forward(&m->head_rest, T * B, h, m->logit_rest);
    pitch_head(m, T * B, h);
    dur_head(m, T * B);
}

void jazz_model_forward(jazz_model *m, int T, int B, rng *r)
{
    pack_recurrent(m);
    run_stack(m, T, B, r, 0);
    unpack_recurrent(m);
    heads(m, T, B);
}

/* ---- loss and backward ---- */

/* NLL of rows [i0, i0 + N) every stride rows; with grad, the gradients
 * scale * (softmax - onehot) replace the logits. */
static void head_losses(jazz_model *m, size_t i0, int N, size_t stride, float scale, int grad,
                        jazz_nll *nll)
{
    float *logits[3] = {m->logit_rest, m->logit_pitch, m->logit_dur};
    static const int classes[3] = {JAZZ_REST_CLASSES, JAZZ_PITCHES, JAZZ_DUR_CLASSES};
    static const int field[3] = {JAZZ_F_REST, JAZZ_F_PITCH, JAZZ_F_DUR};
    double sum[3] = {0, 0, 0};
    memset(nll, 0, sizeof *nll);
    for (int k = 0; k < 3; k++) {
        if (stride == 1) {
            float *l = logits[k] + i0 * classes[k];
            sum[k] = loss_softmax_xent(l, m->out[field[k]] + i0, N, classes[k], scale,
                                       grad ? l : NULL);
            continue;
        }
        for (int j = 0; j < N; j++) {
            size_t i = i0 + (size_t)j * stride;
            sum[k] += loss_softmax_xent(logits[k] + i * classes[k], m->out[field[k]] + i, 1,
                                        classes[k], scale, NULL);
        }
    }
    nll->rest = sum[0];
    nll->pitch = sum[1];
    nll->dur = sum[2];
    for (int j = 0; j < N; j++)
        nll->notes += m->out[JAZZ_F_REST][i0 + (size_t)j * stride] >= 0;
}

void jazz_model_nll(jazz_model *m, int T, int B, int b, jazz_nll *nll)
{
    if (b < 0)
        head_losses(m, 0, T * B, 1, 0.0f, 0, nll);
    else
        head_losses(m, (size_t)b, T, (size_t)B, 0.0f, 0, nll);
}

void jazz_model_backward(jazz_model *m, int T, int B, float scale, jazz_nll *nll)
{
    int N = T * B, H = m->cfg.hidden;
    head_losses(m, 0, N, 1, scale, 1, nll);
    const float *h = top_out(m, B);
    /* duration head: dz gets its part of dzd, the pitch table the rest */
    dense_backward(&m->head_dur, N, m->zd, m->logit_dur, m->dzd);
    if (m->chord_tone >= 0)
        chord_tone_rows(m, N, 1);
    dense_backward(&m->head_pitch, N, m->z, m->logit_pitch, m->dz);
    for (int i = 0; i < N; i++)
        vec_axpy(1.0f, m->dzd + (size_t)i * m->ZD, m->dz + (size_t)i * m->Z, m->Z);
    embed_backward(m, pitch_field, 1, m->out, N, m->dzd + m->Z, m->ZD);
    embed_backward(m, chord_fields, 3, m->out, N, m->dz + H, m->Z);
    /* the top layer's output feeds all three heads */
    dense_backward(&m->head_rest, N, h, m->logit_rest, m->dh);
    for (int i = 0; i < N; i++)
        vec_axpy(1.0f, m->dz + (size_t)i * m->Z, m->dh + (size_t)i * H, H);
    for (int l = m->cfg.layers - 1; l >= 0; l--) {
        if (m->dropping)
            dropout_backward(m->dh, m->dh, m->dmask[l], (size_t)N * H);
        cell_backward(&m->layer[l], &m->cache[l], T, B, l ? layer_out(m, l - 1, B) : m->x, NULL,
                      m->dh, NULL, NULL, l ? m->dh2 : m->dx, NULL, NULL, m->mask);
        if (l) {
            float *t = m->dh;
            m->dh = m->dh2;
            m->dh2 = t;
        }
    }
    embed_backward(m, all_fields, JAZZ_FIELDS, m->in, N, m->dx, m->I);
}

/* ---- scoring ---- */

static void zero_state(jazz_model *m, int B)
{
    for (int l = 0; l < m->cfg.layers; l++) {
        vec_zero(m->state_h[l], (size_t)B * m->cfg.hidden);
        vec_zero(m->state_c[l], (size_t)B * m->cfg.hidden);
    }
}

int jazz_model_score(jazz_model *m, const jazz_event *ev, int n, int window, jazz_nll *nll)
{
    memset(nll, 0, sizeof *nll);
    /* a first workspace of up to 256 steps; a larger one as it is */
    if (jazz_model_reserve(m, m->x ? 1 : n < 1 ? 1 : n < 256 ? n : 256, 1) < 0)
        return -1;
    pack_recurrent(m);
    for (int i = 0; i < n;) {
        int into = window > 0 ? i % window : i, len = n - i;
        if (len > m->T)
            len = m->T;
        if (window > 0 && len > window - into)
            len = window - into;
        if (into == 0)
            zero_state(m, 1);
        jazz_model_set_row(m, len, 1, 0, ev, i, len, 0);
        run_stack(m, len, 1, NULL, 1);
        heads(m, len, 1);
        jazz_nll part;
        jazz_model_nll(m, len, 1, -1, &part);
        nll->rest += part.rest;
        nll->pitch += part.pitch;
        nll->dur += part.dur;
        nll->notes += part.notes;
        i += len;
    }
    unpack_recurrent(m);
    return 0;
}

/* ---- sampling ---- */

static int check_primer(const jazz_note *p, int np, int start, char *err)
{
    for (int i = 0; i < np; i++) {
        if (p[i].pitch < 0 || p[i].pitch >= JAZZ_PITCHES)
            return err_set(err, "primer note %d has pitch %d, outside 0 to 127", i + 1, p[i].pitch);
        if (p[i].onset < (i ? p[i - 1].onset : start))
            return err_set(err, "primer note %d starts before %s", i + 1,
                           i ? "the note before it" : "the start");
    }
    return 0;
}

int jazz_model_sample(jazz_model *m, rng *r, const jazz_timeline *tl, const jazz_note *primer,
                      int np, const jazz_sample_opts *o, jazz_note *out, int max_out, char *err)
{
    if (jazz_timeline_check(tl, err) < 0 || check_primer(primer, np, o->start, err) < 0)
        return -1;
    if (jazz_model_reserve(m, 1, 1) < 0)
        return err_set(err, "out of memory");
    zero_state(m, 1);
    pack_recurrent(m);
    m->mask[0] = 1.0f;
    const float *h = cell_outputs(&m->layer[m->cfg.layers - 1], &m->cache[m->cfg.layers - 1], 1);
    int prev_end = o->start, count = 0;
    jazz_event prev;
    for (int i = 0;; i++) {
        put_fields(m->in, 0, i ? &prev : NULL, 0);
        run_stack(m, 1, 1, NULL, 1);
        if (i < np) { /* read the primer: its notes are the inputs */
            const jazz_note *p = &primer[i];
            prev = jazz_event_of(tl, prev_end, p->onset, p->dur, p->pitch);
            prev_end = p->onset + (p->dur > 1 ? p->dur : 1);
            continue;
        }
        if (count == max_out)
            break;
        dense_forward(&m->head_rest, 1, h, m->logit_rest);
        int rest = jazz_draw(m->logit_rest, JAZZ_REST_CLASSES, o, r);
        int onset = prev_end + jazz_rest_steps(rest);
        if (onset >= o->end)
            break;
        jazz_event e = jazz_event_of(tl, prev_end, onset, 1, 0);
        e.rest = rest;
        put_fields(m->out, 0, &e, 0);
        pitch_head(m, 1, h);
        e.pitch = m->out[JAZZ_F_PITCH][0] = jazz_draw(m->logit_pitch, JAZZ_PITCHES, o, r);
        dur_head(m, 1);
        e.dur = jazz_draw(m->logit_dur, JAZZ_DUR_CLASSES, o, r);
        int dur = jazz_dur_steps(e.dur);
        if (dur > o->end - onset)
            dur = o->end - onset;
        out[count++] = (jazz_note){onset, dur, e.pitch};
        prev = e;
        prev_end = onset + dur;
    }
    unpack_recurrent(m);
    return count;
}
