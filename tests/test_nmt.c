/* test_nmt — unit tests of core/attention and core/nmt: gradient checks of
 * the attention step and of the whole encoder-decoder on tiny shapes,
 * padding invariance, beam search against brute force, encoding, and the
 * model file round trip.
 *
 *   test_nmt               the tests
 *   test_nmt --dump DIR    a small model, a padded batch, its loss and
 *                          gradients, for tests/nmt_crosscheck.py
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attention.h"
#include "check.h"
#include "gradcheck.h"
#include "loss.h"
#include "model.h"
#include "seq2seq.h"
#include "tensor.h"
#include "xdump.h"

/* ---- the attention step ---- */

enum { TX = 5, TY = 3, B_ = 3, S_ = 3, A_ = 4, HID = 3 };

typedef struct {
    params ps;
    attention at;
    attention_cache k;
    float s[TY][B_ * S_], a[TX * B_ * A_], mask[TX * B_];
    float R[TY][B_ * A_];
    float ctx[B_ * A_];
    float ds[TY][B_ * S_], da[TX * B_ * A_];
} att_ctx;

/* Sum over the steps of R . context; the states s of the steps are inputs
 * of their own (in the model they come from the decoder). */
static double att_loss(void *p)
{
    att_ctx *t = p;
    double L = 0;
    attention_prepare(&t->at, &t->k, TX, B_, t->a);
    for (int step = 0; step < TY; step++) {
        attention_step_forward(&t->at, &t->k, step, TX, B_, t->s[step], t->a, t->mask, t->ctx);
        for (int i = 0; i < B_ * A_; i++)
            L += (double)t->R[step][i] * t->ctx[i];
    }
    return L;
}

/* The smallest |w . u + c| over the real positions of every step: the
 * distance of the energies from relu's kink, which a central difference
 * must not cross. */
static double kink_distance(const att_ctx *t)
{
    const float *w = params_data(&t->ps, t->at.energy.w);
    float c = params_data(&t->ps, t->at.energy.b)[0];
    double d = INFINITY;
    for (int i = 0; i < TY * TX * B_; i++) {
        if (t->mask[i % (TX * B_)] == 0.0f)
            continue;
        double v = c;
        for (int j = 0; j < HID; j++)
            v += (double)w[j] * t->k.u[(size_t)i * HID + j];
        d = fmin(d, fabs(v));
    }
    return d;
}

/* Gradient check with the energy bias at c: 1 keeps every energy above
 * relu's kink (then the bias has no gradient at all: a shift of every
 * energy leaves the softmax as it is), 0 clamps about half of them. */
static void test_attention_at(float c, unsigned long long seed)
{
    static att_ctx t;
    rng_seed(&R, seed);
    memset(&t, 0, sizeof t);
    attention_register(&t.at, &t.ps, "att.", S_, A_, HID);
    params_alloc(&t.ps);
    attention_cache_reserve(&t.k, &t.at, TX, TY, B_);
    fill_params(&t.ps, 0.8f);
    fill_uniform(params_data(&t.ps, t.at.energy.w), HID, c > 0 ? 0.3f : 0.8f);
    params_data(&t.ps, t.at.energy.b)[0] = c;
    fill_uniform(&t.s[0][0], sizeof t.s / sizeof(float), 1.0f);
    fill_uniform(t.a, TX * B_ * A_, 1.0f);
    fill_uniform(&t.R[0][0], sizeof t.R / sizeof(float), 1.0f);
    for (int i = 0; i < TX; i++)     /* rows of lengths 5, 3, 1 */
        for (int b = 0; b < B_; b++)
            t.mask[i * B_ + b] = i < TX - 2 * b;

    att_loss(&t);
    double kink = kink_distance(&t);
    params_zero_grad(&t.ps);
    memset(t.ds, 0, sizeof t.ds);
    memset(t.da, 0, sizeof t.da);
    attention_begin_backward(&t.at, &t.k, TX, B_);
    for (int step = TY - 1; step >= 0; step--)
        attention_step_backward(&t.at, &t.k, step, TX, B_, t.s[step], t.a, t.R[step], t.ds[step],
                                t.da);
    attention_finish_backward(&t.at, &t.k, TX, B_, t.a, t.da);

    const char *worst = "";
    int skip = -1;
    if (c > 0) {
        float dc = params_grad(&t.ps, t.at.energy.b)[0];
        check(fabsf(dc) < 1e-6f, "attention, no energy clamped: the energy bias gets no gradient (%.1e)", dc);
        skip = t.at.energy.b;
    }
    double ep = params_grad_error_but(att_loss, &t, &t.ps, skip, &worst);
    double es = grad_error(att_loss, &t, &t.s[0][0], &t.ds[0][0], sizeof t.s / sizeof(float));
    double ea = grad_error(att_loss, &t, t.a, t.da, TX * B_ * A_);
    check(kink > 5 * GRAD_EPS && fmax(ep, fmax(es, ea)) < GRAD_TOL,
          "gradcheck attention step with padding, energy bias %g: params %.1e (worst %s), s %.1e, "
          "a %.1e (energies %.2f from the kink)", c, ep, worst, es, ea, kink);

    /* padding gets no weight, and the weights of a row sum to 1 */
    double worst_pad = 0, worst_sum = 0;
    for (int step = 0; step < TY; step++) {
        const float *w = attention_weights(&t.k, step, TX, B_);
        for (int b = 0; b < B_; b++) {
            double sum = 0;
            for (int i = 0; i < TX; i++) {
                sum += w[i * B_ + b];
                if (t.mask[i * B_ + b] == 0.0f)
                    worst_pad = fmax(worst_pad, fabs(w[i * B_ + b]));
            }
            worst_sum = fmax(worst_sum, fabs(sum - 1));
        }
    }
    check(worst_pad == 0 && worst_sum < 1e-6,
          "attention weights: 0 on padding, rows sum to 1 (worst %.1e)", worst_sum);
    attention_cache_free(&t.k);
    params_free(&t.ps);
}

static void test_attention(void)
{
    test_attention_at(1.0f, 11);
    test_attention_at(0.0f, 14);
}

/* ---- the whole model ---- */

static const char *const tiny_in[] = {"3 may 79", "12/1/2001", "x"};
static const char *const tiny_out[] = {"1979-05-03", "2001-01-12", "2000-01-01"};

typedef struct {
    nmt_model m;
    int B;
} model_ctx;

static double model_loss(void *p)
{
    model_ctx *t = p;
    nmt_forward(&t->m, t->B);
    size_t n = (size_t)NMT_TY * t->B * NMT_NOUT;
    float *copy = malloc(n * sizeof *copy);
    memcpy(copy, t->m.logits, n * sizeof *copy);
    double L = loss_softmax_xent(copy, t->m.targets, NMT_TY * t->B, NMT_NOUT, 1.0f, NULL);
    free(copy);
    return L / t->B;
}

static void load_rows(nmt_model *m, int B, int month_first)
{
    for (int b = 0; b < B; b++) {
        int ids[64];
        size_t dropped;
        nmt_encode(m, tiny_in[b], strlen(tiny_in[b]), month_first, ids, &dropped);
        nmt_set_row(m, b, B, ids, tiny_out[b]);
    }
}

static void test_model_gradient(void)
{
    static model_ctx t;
    rng_seed(&R, 12);
    memset(&t, 0, sizeof t);
    t.B = 3;
    check(nmt_init(&t.m, "0123456789/ amyx", 12, 3, 4, 3) == 0, "nmt_init on a tiny vocabulary");
    nmt_reserve(&t.m, t.B);
    fill_params(&t.m.ps, 0.5f);
    /* Every energy far above relu's kink (see test_attention), and the
     * attention and decoder weights large enough that the query's
     * gradient stands above the float rounding of the loss (with all
     * weights at 0.5 it is ~3e-5, the size of that noise). */
    fill_uniform(params_data(&t.m.ps, t.m.att.w_query), t.m.n_att * t.m.n_s, 1.0f);
    fill_uniform(params_data(&t.m.ps, t.m.dec.w_ih), 4 * t.m.n_s * 2 * t.m.n_a, 2.0f);
    fill_uniform(params_data(&t.m.ps, t.m.dec.w_hh), 4 * t.m.n_s * t.m.n_s, 2.0f);
    fill_uniform(params_data(&t.m.ps, t.m.att.energy.w), t.m.n_att, 2.5f);
    params_data(&t.m.ps, t.m.att.energy.b)[0] = 8.0f;
    load_rows(&t.m, t.B, 0);
    nmt_forward(&t.m, t.B);
    params_zero_grad(&t.m.ps);
    double L = nmt_backward(&t.m, t.B, 1.0f / t.B);
    double L2 = model_loss(&t);
    const char *worst = "";
    double e = params_grad_error_but(model_loss, &t, &t.m.ps, t.m.att.energy.b, &worst);
    check(e < GRAD_TOL && fabs(L / t.B - L2) < 1e-6 * fabs(L2),
          "gradcheck encoder-attention-decoder on a padded batch: %.1e (worst %s)", e, worst);
    nmt_free(&t.m);
}

/* The same date alone and beside a longer one: the same probabilities. */
static void test_padding(void)
{
    nmt_model m;
    rng r;
    rng_seed(&r, 13);
    nmt_init(&m, "0123456789/ amyx", 20, 4, 5, 3);
    nmt_init_weights(&m, &r);
    nmt_reserve(&m, 2);
    int ids[20], ids2[20];
    size_t dropped;
    nmt_encode(&m, "3 may 79", 8, 0, ids, &dropped);
    nmt_encode(&m, "12/1/2001 12/1/2001 12", 22, 0, ids2, &dropped);
    nmt_set_row(&m, 0, 1, ids, NULL);
    nmt_forward(&m, 1);
    float alone[NMT_TY * NMT_NOUT];
    nmt_log_probs(&m, 1, 0, alone);
    nmt_set_row(&m, 0, 2, ids2, NULL);
    nmt_set_row(&m, 1, 2, ids, NULL);
    nmt_forward(&m, 2);
    float batched[NMT_TY * NMT_NOUT];
    nmt_log_probs(&m, 2, 1, batched);
    double d = 0;
    for (int i = 0; i < NMT_TY * NMT_NOUT; i++)
        d = fmax(d, fabs(exp(alone[i]) - exp(batched[i])));
    check(d < 1e-6, "padding does not change a prediction: alone vs beside a longer date, %.1e", d);
    check(dropped == 22 - 19, "nmt_encode truncates to Tx - 1 characters and counts the rest");
    nmt_free(&m);
}

/* Two replicas on the two halves of a batch, their gradients summed: the
 * gradient of the whole batch (threaded training does this). */
static void test_replica(void)
{
    nmt_model m, r;
    rng g;
    rng_seed(&g, 15);
    nmt_init(&m, "0123456789/ amyx", 12, 3, 4, 3);
    nmt_init_weights(&m, &g);
    check(nmt_replica(&r, &m) == 0 && r.ps.data == m.ps.data && r.ps.grad != m.ps.grad,
          "a replica shares the weights and has its own gradients");
    nmt_reserve(&m, 3);
    nmt_reserve(&r, 2);
    load_rows(&m, 3, 0);
    nmt_forward(&m, 3);
    params_zero_grad(&m.ps);
    nmt_backward(&m, 3, 1.0f / 3);
    size_t n = m.ps.total;
    float *whole = malloc(n * sizeof *whole);
    memcpy(whole, m.ps.grad, n * sizeof *whole);
    /* rows 0 in m, rows 1-2 in r */
    int ids[64];
    size_t dropped;
    nmt_encode(&m, tiny_in[0], strlen(tiny_in[0]), 0, ids, &dropped);
    nmt_set_row(&m, 0, 1, ids, tiny_out[0]);
    for (int b = 1; b < 3; b++) {
        nmt_encode(&r, tiny_in[b], strlen(tiny_in[b]), 0, ids, &dropped);
        nmt_set_row(&r, b - 1, 2, ids, tiny_out[b]);
    }
    nmt_forward(&m, 1);
    nmt_forward(&r, 2);
    params_zero_grad(&m.ps);
    params_zero_grad(&r.ps);
    nmt_backward(&m, 1, 1.0f / 3);
    nmt_backward(&r, 2, 1.0f / 3);
    double d = 0, big = 0;
    for (size_t i = 0; i < n; i++) {
        d = fmax(d, fabs(m.ps.grad[i] + r.ps.grad[i] - whole[i]));
        big = fmax(big, fabs(whole[i]));
    }
    check(d < 1e-6 * fmax(1.0, big), "replica gradients over a split batch sum to the batch's (%.1e)", d);
    free(whole);
    nmt_free(&r);
    nmt_free(&m);
}

static void test_encode(void)
{
    nmt_model m;
    nmt_init(&m, "0123456789/ amy", 8, 2, 2, 2);
    int a[8], b[8];
    size_t dropped;
    int n = nmt_encode(&m, "3 MAY", 5, 1, a, &dropped);
    nmt_encode(&m, "3 may", 5, 1, b, &dropped);
    check(n == 6 && memcmp(a, b, sizeof a) == 0 && a[0] == NMT_MDY && a[6] == -1,
          "nmt_encode: the convention token first, case folded, padding -1");
    nmt_encode(&m, "3\xc3\xa9!", 4, 0, a, &dropped);
    check(a[0] == NMT_DMY && a[2] == NMT_UNK && a[3] == NMT_UNK && a[4] == NMT_UNK,
          "nmt_encode: bytes outside the vocabulary are the unknown symbol");
    nmt_free(&m);
    check(nmt_init(&m, "aa", 8, 2, 2, 2) < 0, "nmt_init refuses a repeated character");
    nmt_free(&m);
    check(nmt_init(&m, "aB", 8, 2, 2, 2) < 0, "nmt_init refuses upper-case letters");
    nmt_free(&m);
}

/* Beam search against brute force where 3 symbols per step are likely. */
static void test_beam(void)
{
    float logp[NMT_TY * NMT_NOUT];
    rng_seed(&R, 14);
    for (int t = 0; t < NMT_TY; t++)
        for (int j = 0; j < NMT_NOUT; j++)
            logp[t * NMT_NOUT + j] = j < 3 ? -3.0f * rng_uniform(&R) : -1000.0f;
    enum { K = 8, N = 59049 };
    static double all[N];
    for (int c = 0; c < N; c++) {
        double s = 0;
        for (int t = 0, x = c; t < NMT_TY; t++, x /= 3)
            s += logp[t * NMT_NOUT + x % 3];
        all[c] = s;
    }
    double best[K];
    for (int k = 0; k < K; k++) {
        int arg = 0;
        for (int c = 1; c < N; c++)
            if (all[c] > all[arg])
                arg = c;
        best[k] = all[arg];
        all[arg] = -INFINITY;
    }
    char out[K][NMT_TY + 1];
    double score[K];
    int n = nmt_beam(logp, K, out, score);
    double d = 0;
    for (int k = 0; k < K; k++)
        d = fmax(d, fabs(score[k] - best[k]));
    check(n == K && d < 1e-4, "beam search finds the %d most probable outputs (brute force, %.1e)", K, d);
}

static void test_model_file(const char *dir)
{
    nmt_model m, m2;
    rng r;
    rng_seed(&r, 15);
    nmt_init(&m, "0123456789/ amyx", 12, 3, 4, 3);
    nmt_init_weights(&m, &r);
    char path[512], err[ERR_MAX];
    snprintf(path, sizeof path, "%s/nmt.safetensors", dir);
    model_out *o = model_out_new("nmt");
    int ok = o && nmt_save_to(&m, o) == 0 && model_out_write(o, path, err) == 0;
    model_out_free(o);
    model_in f;
    ok = ok && model_in_open(&f, path, "nmt", err) == 0;
    ok = ok && nmt_load(&m2, &f, err) == 0;
    if (ok)
        model_in_close(&f);
    ok = ok && m2.ps.total == m.ps.total &&
         memcmp(m.ps.data, m2.ps.data, m.ps.total * sizeof(float)) == 0 &&
         strcmp(m.chars, m2.chars) == 0 && m2.Tx == 12 && m2.n_att == 3;
    check(ok, "nmt model file round trip: sizes, characters and every weight");
    nmt_free(&m);
    nmt_free(&m2);
    unlink(path);
}

/* ---- the PyTorch cross-check's data (--dump DIR) ---- */

/* Dates of unequal lengths in one padded batch: the longest leaves the
 * last positions of Tx unused, 'q' is outside the vocabulary, "" is the
 * convention token alone; both conventions. */
enum { DUMP_B = 4, DUMP_TX = 14 };
static const char *const dump_in[DUMP_B] = {"12/1/2001 ax", "3 may 79", "q 7", ""};
static const char *const dump_out[DUMP_B] = {"2001-01-12", "1979-05-03", "2007-07-07",
                                             "2000-01-01"};
static const int dump_month_first[DUMP_B] = {0, 1, 0, 1};

/* DIR/model.safetensors: a small model of seeded random weights;
 * DIR/batch.safetensors: ids [Tx][B] (-1 padding) and targets [Ty][B]
 * as F32, metadata "loss" (nats per row, summed over the steps) and
 * grad.<tensor> of that loss. */
static int dump(const char *dir)
{
    nmt_model m;
    rng_seed(&R, 16);
    if (nmt_init(&m, "0123456789/ amyx", DUMP_TX, 4, 5, 3) < 0 || nmt_reserve(&m, DUMP_B) < 0)
        return fprintf(stderr, "test_nmt: out of memory\n"), 1;
    fill_params(&m.ps, 0.6f);
    /* energies on both sides of relu's kink (77% clamped), attention
     * weights far from uniform (so the masking shows in the gradients) */
    fill_uniform(params_data(&m.ps, m.att.key.w), m.n_att * 2 * m.n_a, 2.5f);
    fill_uniform(params_data(&m.ps, m.att.energy.w), m.n_att, 3.0f);
    params_data(&m.ps, m.att.energy.b)[0] = 0.0f;
    for (int b = 0; b < DUMP_B; b++) {
        int ids[DUMP_TX];
        size_t dropped;
        nmt_encode(&m, dump_in[b], strlen(dump_in[b]), dump_month_first[b], ids, &dropped);
        nmt_set_row(&m, b, DUMP_B, ids, dump_out[b]);
    }
    nmt_forward(&m, DUMP_B);
    params_zero_grad(&m.ps);
    double loss = nmt_backward(&m, DUMP_B, 1.0f / DUMP_B) / DUMP_B;

    model_out *out = model_out_new("nmt");
    if (out && nmt_save_to(&m, out) < 0)
        out = (model_out_free(out), NULL);
    if (xdump_write(out, dir, "model.safetensors") < 0)
        return 1;
    static float idbuf[DUMP_TX * DUMP_B], tbuf[NMT_TY * DUMP_B];
    int xshape[2] = {DUMP_TX, DUMP_B}, yshape[2] = {NMT_TY, DUMP_B};
    out = model_out_new("nmt-crosscheck");
    if (out && (xdump_ints(out, "ids", 2, xshape, m.ids, idbuf) < 0 ||
                xdump_ints(out, "targets", 2, yshape, m.targets, tbuf) < 0 ||
                model_out_metaf(out, "loss", "%.17g", loss) < 0 || xdump_grads(out, &m.ps) < 0))
        out = (model_out_free(out), NULL);
    int rc = xdump_write(out, dir, "batch.safetensors");
    nmt_free(&m);
    return rc < 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--dump") == 0)
        return dump(argv[2]);
    char dir[] = "/tmp/seqtool-nmt-XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_attention();
    test_model_gradient();
    test_padding();
    test_replica();
    test_encode();
    test_beam();
    test_model_file(dir);
    rmdir(dir);
    return check_exit();
}
