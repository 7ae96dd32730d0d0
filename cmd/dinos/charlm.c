/* charlm — character-level language model; see charlm.h. */
#include "charlm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "init.h"
#include "loss.h"
#include "tensor.h"

int charlm_init(charlm *m, cell_kind kind, int V, int H, int L)
{
    memset(m, 0, sizeof *m);
    if (L < 1 || L > CHARLM_MAX_LAYERS)
        return -1;
    m->kind = kind;
    m->V = V;
    m->H = H;
    m->L = L;
    for (int l = 0; l < L; l++) {
        char suffix[16];
        snprintf(suffix, sizeof suffix, "_l%d", l);
        if (cell_register(&m->layer[l], &m->ps, kind, l ? H : V, H, "rnn.", suffix) < 0)
            return -1;
    }
    if (dense_register(&m->out, &m->ps, "out.", H, V) < 0)
        return -1;
    return params_alloc(&m->ps);
}

void charlm_free(charlm *m)
{
    for (int l = 0; l < m->L; l++) {
        cell_cache_free(&m->cache[l]);
        free(m->drop[l]);
        free(m->dmask[l]);
        free(m->state_h[l]);
        free(m->state_c[l]);
    }
    free(m->mask);
    free(m->ids);
    free(m->targets);
    free(m->logits);
    free(m->dH);
    free(m->dX);
    params_free(&m->ps);
    memset(m, 0, sizeof *m);
}

void charlm_init_weights(charlm *m, rng *r, float normal_scale)
{
    if (normal_scale > 0) {
        for (int i = 0; i < m->ps.n; i++) {
            if (m->ps.p[i].ndim == 2)
                params_init_normal(&m->ps, i, normal_scale, r);
            else
                vec_zero(params_data(&m->ps, i), m->ps.p[i].size);
        }
        return;
    }
    for (int l = 0; l < m->L; l++)
        cell_init_default(&m->layer[l], r);
    dense_init_default(&m->out, r);
}

int charlm_reserve(charlm *m, int T, int B)
{
    for (int l = 0; l < m->L; l++)
        if (cell_cache_reserve(&m->cache[l], &m->layer[l], T, B) < 0)
            return -1;
    if (m->ids && T <= m->T && B <= m->B)
        return 0;
    int oldB = m->B;
    if (m->ids) {
        if (T < m->T) T = m->T;
        if (B < m->B) B = m->B;
    }
    free(m->ids); free(m->targets); free(m->logits); free(m->dH); free(m->dX);
    free(m->mask);
    size_t TB = (size_t)T * B;
    m->T = T;
    m->B = B;
    m->ids = malloc(TB * sizeof *m->ids);
    m->targets = malloc(TB * sizeof *m->targets);
    m->logits = vec_alloc(TB * m->V);
    m->dH = vec_alloc(TB * m->H);
    m->dX = vec_alloc(TB * m->H);
    m->mask = vec_alloc(TB);
    int ok = m->ids && m->targets && m->logits && m->dH && m->dX && m->mask;
    for (int l = 0; ok && m->carry && l < m->L; l++) {
        /* Grown for more rows: rows past the old B start from zero. */
        float *h = vec_alloc((size_t)B * m->H), *c = vec_alloc((size_t)B * m->H);
        if (h && c && m->state_h[l]) {
            memcpy(h, m->state_h[l], (size_t)oldB * m->H * sizeof *h);
            memcpy(c, m->state_c[l], (size_t)oldB * m->H * sizeof *c);
        }
        free(m->state_h[l]);
        free(m->state_c[l]);
        m->state_h[l] = h;
        m->state_c[l] = c;
        ok = h && c;
    }
    for (int l = 0; ok && m->dropout > 0 && l < m->L; l++) {
        free(m->drop[l]);
        free(m->dmask[l]);
        m->drop[l] = vec_alloc(TB * m->H);
        m->dmask[l] = vec_alloc(TB * m->H);
        ok = m->drop[l] && m->dmask[l];
    }
    return ok ? 0 : -1;
}

int charlm_batch(charlm *m, int B, const int *const *names, const int *lens)
{
    int T = 0;
    for (int b = 0; b < B; b++)
        if (lens[b] + 1 > T)
            T = lens[b] + 1;
    for (int t = 0; t < T; t++)
        for (int b = 0; b < B; b++) {
            int n = lens[b], i = t * B + b;
            m->ids[i] = t == 0 || t > n ? -1 : names[b][t - 1];
            m->targets[i] = t < n ? names[b][t] : t == n ? 0 : -1;
            m->mask[i] = m->targets[i] >= 0;
        }
    return T;
}

/* What layer l passes on, [T][B][H]: its outputs, after dropout when
 * the last forward pass applied it. */
static float *layer_output(const charlm *m, int l, int B)
{
    return m->dropping ? m->drop[l] : cell_outputs(&m->layer[l], &m->cache[l], B);
}

void charlm_forward(charlm *m, int T, int B, rng *r)
{
    m->dropping = r && m->dropout > 0;
    m->carrying = r && m->carry;
    size_t n = (size_t)T * B * m->H;
    for (int l = 0; l < m->L; l++) {
        const float *x = l ? layer_output(m, l - 1, B) : NULL;
        cell_forward(&m->layer[l], &m->cache[l], T, B, x, l ? NULL : m->ids,
                     m->carrying ? m->state_h[l] : NULL,
                     m->carrying ? m->state_c[l] : NULL,
                     m->carrying ? m->mask : NULL);
        if (m->carrying) {
            /* Padded steps carried each row's state to step T. */
            size_t BH = (size_t)B * m->H;
            memcpy(m->state_h[l], m->cache[l].h + (size_t)T * BH, BH * sizeof(float));
            if (m->kind == CELL_LSTM)
                memcpy(m->state_c[l], m->cache[l].c + (size_t)T * BH, BH * sizeof(float));
        }
        if (m->dropping)
            dropout_forward(m->drop[l], cell_outputs(&m->layer[l], &m->cache[l], B),
                            m->dmask[l], n, m->dropout, r);
    }
    dense_forward(&m->out, T * B, layer_output(m, m->L - 1, B), m->logits);
}

double charlm_backward(charlm *m, int T, int B)
{
    double nats = loss_softmax_xent(m->logits, m->targets, T * B, m->V,
                                    1.0f / B, m->logits);
    size_t n = (size_t)T * B * m->H;
    dense_backward(&m->out, T * B, layer_output(m, m->L - 1, B), m->logits, m->dH);
    for (int l = m->L - 1; l >= 0; l--) {
        const float *x = l ? layer_output(m, l - 1, B) : NULL;
        if (m->dropping)
            dropout_backward(m->dH, m->dH, m->dmask[l], n);
        cell_backward(&m->layer[l], &m->cache[l], T, B, x, l ? NULL : m->ids,
                      m->dH, NULL, NULL, l ? m->dX : NULL, NULL, NULL,
                      m->carrying ? m->mask : NULL);
        if (l) {
            float *t = m->dH;
            m->dH = m->dX;
            m->dX = t;
        }
    }
    return nats;
}

double charlm_name_nats(const charlm *m, int T, int B, int b)
{
    double nats = 0.0;
    for (int t = 0; t < T; t++) {
        int i = t * B + b;
        if (m->targets[i] < 0)
            break;
        nats += loss_softmax_xent(m->logits + (size_t)i * m->V, &m->targets[i],
                                  1, m->V, 0.0f, NULL);
    }
    return nats;
}

int charlm_sample(charlm *m, rng *r, float temperature, const int *prefix,
                  int plen, int max_len, int *out)
{
    int n = 0, prev = -1;
    m->dropping = m->carrying = 0;
    for (int t = 0; t < max_len + 1; t++) {
        for (int l = 0; l < m->L; l++) {
            cell_cache *k = &m->cache[l];
            if (t == 0) {
                vec_zero(k->h, m->H);
                if (k->c)
                    vec_zero(k->c, m->H);
            }
            if (l == 0)
                cell_project_input(&m->layer[0], k, t, 1, 1, NULL, &prev);
            else
                cell_project_input(&m->layer[l], k, t, 1, 1,
                                   cell_outputs(&m->layer[l - 1], &m->cache[l - 1], 1) + (size_t)t * m->H,
                                   NULL);
            cell_step_forward(&m->layer[l], k, t, 1, NULL);
        }
        if (t < plen) {
            prev = out[n++] = prefix[t];
            continue;
        }
        if (n == max_len)
            break;
        float *p = m->logits;
        dense_forward(&m->out, 1, layer_output(m, m->L - 1, 1) + (size_t)t * m->H, p);
        softmax_rows(p, 1, m->V, temperature);
        int id = rng_categorical(r, p, m->V);
        if (id == 0)
            break;
        prev = out[n++] = id;
    }
    return n;
}

int charlm_load(charlm *m, vocab *v, const model_in *f, char *err)
{
    long hidden, layers;
    const char *cellname = model_in_meta(f, "dinos.cell");
    const char *voc = model_in_meta(f, "dinos.vocab");
    int kind = cellname ? cell_kind_parse(cellname) : -1;
    if (kind < 0 || !voc || vocab_from_utf8(v, voc) < 0 || v->n < 2 || v->cp[0] != '\n') {
        snprintf(err, ERR_MAX, "'%s': bad or missing metadata (cell, vocabulary)", f->path);
        return -1;
    }
    if (model_in_meta_int(f, "dinos.hidden", 1, 8192, &hidden, err) < 0 ||
        model_in_meta_int(f, "dinos.layers", 1, CHARLM_MAX_LAYERS, &layers, err) < 0 ||
        model_in_fits(f, (size_t)layers * (size_t)hidden * (size_t)hidden, err) < 0)
        return -1;
    if (charlm_init(m, kind, v->n, (int)hidden, (int)layers) < 0) {
        snprintf(err, ERR_MAX, "'%s': out of memory", f->path);
        return -1;
    }
    return model_in_params(f, &m->ps, err);
}

int charlm_save_to(const charlm *m, const vocab *v, model_out *out)
{
    char *voc = vocab_to_utf8(v);
    int bad = !voc;
    bad = bad || model_out_meta(out, "dinos.cell", cell_kind_name(m->kind)) < 0;
    bad = bad || model_out_metaf(out, "dinos.hidden", "%d", m->H) < 0;
    bad = bad || model_out_metaf(out, "dinos.layers", "%d", m->L) < 0;
    bad = bad || model_out_meta(out, "dinos.vocab", voc) < 0;
    bad = bad || model_out_params(out, &m->ps) < 0;
    free(voc);
    return bad ? -1 : 0;
}
