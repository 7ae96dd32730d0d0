/* nmt — the date translator; see seq2seq.h. */
#include "seq2seq.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "loss.h"
#include "tensor.h"

/* The vocabulary, the sizes and the tensors' names and shapes. */
static int nmt_register(nmt_model *m, const char *chars, int Tx, int n_a, int n_s, int n_att)
{
    memset(m, 0, sizeof *m);
    size_t nc = strlen(chars);
    if (nc == 0 || nc > NMT_MAX_CHARS || Tx < 2 || n_a < 1 || n_s < 1 || n_att < 1)
        return -1;
    for (size_t i = 0; i < nc; i++) {
        unsigned char c = (unsigned char)chars[i];
        if (m->id_of[c] || (c >= 'A' && c <= 'Z'))
            return -1;
        m->id_of[c] = (unsigned char)(NMT_FIRST_CHAR + i);
    }
    memcpy(m->chars, chars, nc + 1);
    m->V = NMT_FIRST_CHAR + (int)nc;
    m->Tx = Tx;
    m->n_a = n_a;
    m->n_s = n_s;
    m->n_att = n_att;
    if (bicell_register(&m->enc, &m->ps, CELL_LSTM, m->V, n_a, "encoder.", "_l0") < 0 ||
        attention_register(&m->att, &m->ps, "attention.", n_s, 2 * n_a, n_att) < 0 ||
        cell_register(&m->dec, &m->ps, CELL_LSTM, 2 * n_a, n_s, "decoder.", "") < 0 ||
        dense_register(&m->out, &m->ps, "out.", n_s, NMT_NOUT) < 0)
        return -1;
    return 0;
}

int nmt_init(nmt_model *m, const char *chars, int Tx, int n_a, int n_s, int n_att)
{
    if (nmt_register(m, chars, Tx, n_a, n_s, n_att) < 0)
        return -1;
    return params_alloc(&m->ps);
}

int nmt_replica(nmt_model *r, const nmt_model *m)
{
    if (nmt_register(r, m->chars, m->Tx, m->n_a, m->n_s, m->n_att) < 0)
        return -1;
    return params_alloc_shared(&r->ps, m->ps.data);
}

static void free_workspace(nmt_model *m)
{
    free(m->ids); free(m->mask); free(m->targets);
    free(m->ctx); free(m->logits); free(m->dA); free(m->dctx); free(m->dS);
    m->ids = NULL; m->mask = NULL; m->targets = NULL;
    m->ctx = m->logits = m->dA = m->dctx = m->dS = NULL;
}

void nmt_free(nmt_model *m)
{
    free_workspace(m);
    bicell_cache_free(&m->ek);
    attention_cache_free(&m->ak);
    cell_cache_free(&m->dk);
    params_free(&m->ps);
    memset(m, 0, sizeof *m);
}

void nmt_init_weights(nmt_model *m, rng *r)
{
    bicell_init_default(&m->enc, r);
    attention_init_default(&m->att, r);
    cell_init_default(&m->dec, r);
    dense_init_default(&m->out, r);
}

int nmt_reserve(nmt_model *m, int B)
{
    if (m->ids && B <= m->B)
        return 0;
    free_workspace(m);
    size_t TxB = (size_t)m->Tx * B, TyB = (size_t)NMT_TY * B, A = 2 * (size_t)m->n_a;
    m->B = B;
    m->ids = malloc(TxB * sizeof *m->ids);
    m->targets = malloc(TyB * sizeof *m->targets);
    m->mask = vec_alloc(TxB);
    m->ctx = vec_alloc(TyB * A);
    m->logits = vec_alloc(TyB * NMT_NOUT);
    m->dA = vec_alloc(TxB * A);
    m->dctx = vec_alloc((size_t)B * A);
    m->dS = vec_alloc(TyB * m->n_s);
    if (!m->ids || !m->targets || !m->mask || !m->ctx || !m->logits || !m->dA || !m->dctx ||
        !m->dS || bicell_cache_reserve(&m->ek, &m->enc, m->Tx, B) < 0 ||
        attention_cache_reserve(&m->ak, &m->att, m->Tx, NMT_TY, B) < 0 ||
        cell_cache_reserve(&m->dk, &m->dec, NMT_TY, B) < 0) {
        free_workspace(m);
        return -1;
    }
    return 0;
}

int nmt_encode(const nmt_model *m, const char *s, size_t len, int month_first, int *ids,
               size_t *dropped)
{
    size_t n = len < (size_t)m->Tx - 1 ? len : (size_t)m->Tx - 1;
    ids[0] = month_first ? NMT_MDY : NMT_DMY;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        ids[i + 1] = m->id_of[c];
    }
    for (size_t i = n + 1; i < (size_t)m->Tx; i++)
        ids[i] = -1;
    *dropped = len - n;
    return (int)n + 1;
}

static int out_symbol(char c)
{
    return c == '-' ? 10 : c - '0';
}

void nmt_set_row(nmt_model *m, int b, int B, const int *ids, const char *iso)
{
    for (int t = 0; t < m->Tx; t++) {
        m->ids[(size_t)t * B + b] = ids[t];
        m->mask[(size_t)t * B + b] = ids[t] >= 0 ? 1.0f : 0.0f;
    }
    for (int t = 0; t < NMT_TY; t++)
        m->targets[(size_t)t * B + b] = iso ? out_symbol(iso[t]) : -1;
}

/* The positions the batch uses: 1 + the last one with a real input in
 * any row.  Padding changes nothing (it is masked), so the steps beyond
 * are not run at all. */
static int positions_used(const nmt_model *m, int B)
{
    for (int t = m->Tx - 1; t > 0; t--)
        for (int b = 0; b < B; b++)
            if (m->mask[(size_t)t * B + b] != 0.0f)
                return t + 1;
    return 1;
}

void nmt_forward(nmt_model *m, int B)
{
    m->T = positions_used(m, B);
    int Tx = m->T, A = 2 * m->n_a, S = m->n_s;
    bicell_forward(&m->enc, &m->ek, Tx, B, NULL, m->ids, m->mask);
    const float *a = m->ek.out;
    attention_prepare(&m->att, &m->ak, Tx, B, a);
    cell_cache *k = &m->dk;
    vec_zero(k->h, (size_t)B * S);
    vec_zero(k->c, (size_t)B * S);
    for (int t = 0; t < NMT_TY; t++) {
        float *ctx = m->ctx + (size_t)t * B * A;
        attention_step_forward(&m->att, &m->ak, t, Tx, B, k->h + (size_t)t * B * S, a, m->mask,
                               ctx);
        cell_project_input(&m->dec, k, t, 1, B, ctx, NULL);
        cell_step_forward(&m->dec, k, t, B, NULL);
    }
    dense_forward(&m->out, NMT_TY * B, cell_outputs(&m->dec, k, B), m->logits);
}

double nmt_backward(nmt_model *m, int B, float scale)
{
    int Tx = m->T, A = 2 * m->n_a, S = m->n_s;
    size_t BS = (size_t)B * S;
    double loss = loss_softmax_xent(m->logits, m->targets, NMT_TY * B, NMT_NOUT, scale,
                                    m->logits);
    cell_cache *k = &m->dk;
    const float *a = m->ek.out;
    dense_backward(&m->out, NMT_TY * B, cell_outputs(&m->dec, k, B), m->logits, m->dS);
    vec_zero(m->dA, (size_t)Tx * B * A);
    attention_begin_backward(&m->att, &m->ak, Tx, B);
    vec_zero(k->dh, BS);
    vec_zero(k->dc, BS);
    const float *Wih = params_data(&m->ps, m->dec.w_ih);
    for (int t = NMT_TY - 1; t >= 0; t--) {
        vec_axpy(1.0f, m->dS + (size_t)t * BS, k->dh, (int)BS);
        cell_step_backward(&m->dec, k, t, B, NULL);
        mat_gemm(0, 0, B, A, 4 * S, k->dgates + (size_t)t * B * 4 * S, Wih, 0.0f, m->dctx);
        attention_step_backward(&m->att, &m->ak, t, Tx, B, k->h + (size_t)t * BS, a, m->dctx,
                                k->dh, m->dA);
    }
    cell_backward_weights(&m->dec, k, NMT_TY, B, m->ctx, NULL, NULL);
    attention_finish_backward(&m->att, &m->ak, Tx, B, a, m->dA);
    bicell_backward(&m->enc, &m->ek, Tx, B, NULL, m->ids, m->dA, NULL, m->mask);
    return loss;
}

void nmt_greedy(const nmt_model *m, int B, int b, char out[NMT_TY + 1])
{
    for (int t = 0; t < NMT_TY; t++) {
        const float *l = m->logits + ((size_t)t * B + b) * NMT_NOUT;
        int best = 0;
        for (int j = 1; j < NMT_NOUT; j++)
            if (l[j] > l[best])
                best = j;
        out[t] = NMT_OUT_SYMBOLS[best];
    }
    out[NMT_TY] = '\0';
}

void nmt_log_probs(const nmt_model *m, int B, int b, float *logp)
{
    for (int t = 0; t < NMT_TY; t++) {
        const float *l = m->logits + ((size_t)t * B + b) * NMT_NOUT;
        float *o = logp + t * NMT_NOUT, mx = l[0];
        for (int j = 1; j < NMT_NOUT; j++)
            mx = l[j] > mx ? l[j] : mx;
        double sum = 0;
        for (int j = 0; j < NMT_NOUT; j++)
            sum += exp((double)l[j] - mx);
        float lse = mx + (float)log(sum);
        for (int j = 0; j < NMT_NOUT; j++)
            o[j] = l[j] - lse;
    }
}

typedef struct {
    double score;
    char s[NMT_TY + 1];
} beam_entry;

/* Does extending a by symbol ca rank before extending b by cb, both with
 * these scores?  Ties go in string order, so the result is fixed. */
static int ranks_before(double sa, const beam_entry *a, char ca, double sb, const beam_entry *b,
                        char cb, int t)
{
    if (sa != sb)
        return sa > sb;
    int c = memcmp(a->s, b->s, (size_t)t);
    return c ? c < 0 : (unsigned char)ca < (unsigned char)cb;
}

int nmt_beam(const float *logp, int K, char (*out)[NMT_TY + 1], double *score)
{
    beam_entry beam[NMT_BEAM_MAX], next[NMT_BEAM_MAX];
    struct { double score; int from; char c; } top[NMT_BEAM_MAX];
    if (K < 1)
        K = 1;
    if (K > NMT_BEAM_MAX)
        K = NMT_BEAM_MAX;
    int n = 1;
    memset(&beam[0], 0, sizeof beam[0]);
    for (int t = 0; t < NMT_TY; t++) {
        /* the K best extensions, kept sorted by insertion */
        int nt = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < NMT_NOUT; j++) {
                double sc = beam[i].score + logp[t * NMT_NOUT + j];
                char c = NMT_OUT_SYMBOLS[j];
                int at = nt;
                while (at > 0 && ranks_before(sc, &beam[i], c, top[at - 1].score,
                                              &beam[top[at - 1].from], top[at - 1].c, t))
                    at--;
                if (at >= K)
                    continue;
                int last = nt < K ? nt : K - 1;
                memmove(&top[at + 1], &top[at], (size_t)(last - at) * sizeof top[0]);
                top[at].score = sc;
                top[at].from = i;
                top[at].c = c;
                nt = nt < K ? nt + 1 : K;
            }
        for (int k = 0; k < nt; k++) {
            next[k] = beam[top[k].from];
            next[k].s[t] = top[k].c;
            next[k].score = top[k].score;
        }
        n = nt;
        memcpy(beam, next, (size_t)n * sizeof *beam);
    }
    for (int i = 0; i < n; i++) {
        memcpy(out[i], beam[i].s, NMT_TY + 1);
        score[i] = beam[i].score;
    }
    return n;
}

int nmt_best_valid(const float *logp, int K, char out[NMT_TY + 1], double *logprob)
{
    char cand[NMT_BEAM_MAX][NMT_TY + 1];
    double score[NMT_BEAM_MAX];
    int n = nmt_beam(logp, K, cand, score);
    date_ymd d;
    for (int i = 0; i < n; i++)
        if (date_parse_iso(cand[i], NMT_TY, &d) == 0) {
            memcpy(out, cand[i], NMT_TY + 1);
            *logprob = score[i];
            return 1;
        }
    memcpy(out, cand[0], NMT_TY + 1);
    *logprob = score[0];
    return 0;
}

void nmt_attention_row(const nmt_model *m, int B, int t, int b, float *w)
{
    const float *alpha = attention_weights(&m->ak, t, m->T, B);
    for (int i = 0; i < m->Tx; i++)
        w[i] = i < m->T ? alpha[(size_t)i * B + b] : 0.0f;
}

int nmt_save_to(const nmt_model *m, model_out *out)
{
    int bad = model_out_metaf(out, "nmt.tx", "%d", m->Tx) < 0;
    bad = bad || model_out_metaf(out, "nmt.n_a", "%d", m->n_a) < 0;
    bad = bad || model_out_metaf(out, "nmt.n_s", "%d", m->n_s) < 0;
    bad = bad || model_out_metaf(out, "nmt.attention_units", "%d", m->n_att) < 0;
    bad = bad || model_out_meta(out, "nmt.chars", m->chars) < 0;
    bad = bad || model_out_params(out, &m->ps) < 0;
    return bad ? -1 : 0;
}

int nmt_load(nmt_model *m, const model_in *f, char *err)
{
    long tx, n_a, n_s, n_att;
    const char *chars = model_in_meta(f, "nmt.chars");
    if (model_in_meta_int(f, "nmt.tx", 2, 4096, &tx, err) < 0 ||
        model_in_meta_int(f, "nmt.n_a", 1, 4096, &n_a, err) < 0 ||
        model_in_meta_int(f, "nmt.n_s", 1, 4096, &n_s, err) < 0 ||
        model_in_meta_int(f, "nmt.attention_units", 1, 4096, &n_att, err) < 0)
        return -1;
    /* the kernels of the encoder, decoder and attention the sizes imply
     * must be in the file before room is made for them */
    size_t a = (size_t)n_a, s = (size_t)n_s;
    if (model_in_fits(f, 8 * a * a + (4 * s + (size_t)n_att) * (2 * a + s), err) < 0)
        return -1;
    if (!chars || nmt_init(m, chars, (int)tx, (int)n_a, (int)n_s, (int)n_att) < 0)
        return err_set(err, "'%s': bad or missing metadata (nmt.chars)", f->path);
    return model_in_params(f, &m->ps, err);
}
