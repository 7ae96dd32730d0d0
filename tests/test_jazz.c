/* test_jazz — unit tests of the jazz model files (cmd/jazz/events,
 * melody, ngram): classes and encoding, a gradient check of the whole
 * network, the heads' NLL, padding, scoring, sampling, the model file,
 * and the n-gram baseline against counts made by hand.
 *
 *   test_jazz               the tests
 *   test_jazz --bench       training throughput (H 256, L 2, batch 32,
 *                           64 steps, one thread), printed, not asserted
 *   test_jazz --bench-json STEPS [EVENTS.tsv]
 *                           the same training, STEPS steps all timed, as
 *                           one JSON line; the events trained on to
 *                           EVENTS.tsv (tests/bench/jazz.sh and its peer)
 *   test_jazz --dump DIR    a small model, a batch and its loss and
 *                           gradients, for tests/jazz_crosscheck.py
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "events.h"
#include "gradcheck.h"
#include "melody.h"
#include "model.h"
#include "ngram.h"
#include "optim.h"
#include "tensor.h"

/* ---- helpers ---- */

/* n events of random classes (a chord on most; no chord on some). */
static void random_events(jazz_event *ev, int n, rng *r)
{
    for (int i = 0; i < n; i++) {
        jazz_event *e = &ev[i];
        e->rest = (int)rng_below(r, JAZZ_REST_CLASSES);
        e->pitch = 40 + (int)rng_below(r, 50);
        e->dur = (int)rng_below(r, JAZZ_DUR_CLASSES);
        e->pos = (int)rng_below(r, 48);
        e->root = rng_below(r, 5) ? (int)rng_below(r, 12) : JAZZ_NO_ROOT;
        e->qual = e->root == JAZZ_NO_ROOT ? JAZZ_NO_QUALITY : (int)rng_below(r, JAZZ_QUALITIES);
    }
}

static double nll_total(const jazz_nll *n)
{
    return n->rest + n->pitch + n->dur;
}

static int close_rel(double a, double b, double tol)
{
    return fabs(a - b) <= tol * fmax(1.0, fmax(fabs(a), fabs(b)));
}

/* A small model for the checks: 2 layers of 5, embeddings of 2 and 3. */
static void small_config(jazz_config *c, float dropout)
{
    static const int emb[JAZZ_FIELDS] = {3, 2, 3, 2, 2, 3};
    c->hidden = 5;
    c->layers = 2;
    memcpy(c->emb, emb, sizeof emb);
    c->dropout = dropout;
    c->chord_tones = 1;
}

static void init_model(jazz_model *m, const jazz_config *c, uint64_t seed);

/* A small model (small_config) with weights from seed, and the
 * generator r seeded with seed + 1 for the test's data. */
static void small_model(jazz_model *m, jazz_config *c, float dropout, uint64_t seed, rng *r)
{
    small_config(c, dropout);
    init_model(m, c, seed);
    rng_seed(r, seed + 1);
}

static void init_model(jazz_model *m, const jazz_config *c, uint64_t seed)
{
    char err[ERR_MAX];
    rng r;
    rng_seed(&r, seed);
    if (jazz_model_init(m, c, err) < 0) {
        printf("not ok - jazz_model_init: %s\n", err);
        exit(1);
    }
    jazz_model_init_weights(m, &r);
}

/* ---- classes and encoding ---- */

static void test_classes(void)
{
    int ok = 1;
    for (int c = 0; c < JAZZ_REST_CLASSES; c++)
        ok = ok && jazz_rest_class(jazz_rest_steps(c)) == c;
    for (int c = 0; c < JAZZ_DUR_CLASSES; c++)
        ok = ok && jazz_dur_class(jazz_dur_steps(c)) == c;
    check(ok, "each rest and duration class holds the steps it stands for");
    /* exact to 24; 25..27 go to 24 (a tie to the shorter), 28..33 to 30,
     * 97..102 to 96, 103 and beyond to "longer" */
    check(jazz_rest_class(-5) == 0 && jazz_rest_class(24) == 24 && jazz_rest_class(27) == 24 &&
              jazz_rest_class(28) == 25 && jazz_rest_class(33) == 25 &&
              jazz_rest_class(102) == 32 && jazz_rest_class(103) == 33 &&
              jazz_rest_class(100000) == 33 && jazz_rest_steps(33) == JAZZ_LONGER_STEPS,
          "rest buckets: exact to 24 steps, then nearest, then longer");
    check(jazz_dur_class(0) == 0 && jazz_dur_class(1) == 0 && jazz_dur_class(24) == 23 &&
              jazz_dur_class(48) == 27 && jazz_dur_class(500) == JAZZ_DUR_CLASSES - 1,
          "duration buckets start at 1 step");
    check(jazz_quality_parse("hdim7") == JAZZ_HDIM7 && jazz_quality_parse("minmaj7") == JAZZ_MINMAJ7 &&
              jazz_quality_parse("m7") < 0 && JAZZ_TOKENS == 34 + 128 + 33,
          "quality names; %d tokens", JAZZ_TOKENS);
}

static void test_encode(void)
{
    /* 4/4 with an explicit 2/4 bar at 48..72, then 4/4 again from 72 */
    int bars[] = {0, 48, 72};
    jazz_chord chords[] = {{0, 0, JAZZ_MAJ7}, {48, 2, JAZZ_MIN7}, {60, -1, 0}, {72, 7, JAZZ_DOM7}};
    jazz_note notes[] = {{6, 6, 60}, {12, 30, 62}, {50, 4, 64}, {60, 1, 65}, {130, 0, 67}};
    jazz_melody mel = {{4, 3, bars, 4, chords}, 5, notes};
    jazz_event ev[5];
    char err[ERR_MAX];
    int rc = jazz_encode(&mel, ev, err);
    check(rc == 0 && ev[0].rest == 6 && ev[0].pos == 6 && ev[0].root == 0 && ev[0].qual == JAZZ_MAJ7 &&
              ev[1].rest == 0 && ev[1].dur == jazz_dur_class(30) && ev[2].rest == 8 &&
              ev[2].pos == 2 && ev[2].root == 2 && ev[2].qual == JAZZ_MIN7 &&
              ev[3].root == JAZZ_NO_ROOT && ev[3].qual == JAZZ_NO_QUALITY && ev[3].pos == 12 &&
              ev[4].pos == 10 && ev[4].root == 7 && ev[4].rest == jazz_rest_class(69) &&
              ev[4].dur == 0,
          "encode: rests, positions across a meter change, chords and no chord");
    jazz_note bad[] = {{10, 4, 60}, {5, 4, 60}};
    jazz_melody m2 = {{4, 0, NULL, 0, NULL}, 2, bad};
    check(jazz_encode(&m2, ev, err) < 0 && strstr(err, "note 2"), "notes out of order refused: %s",
          err);
    bad[1] = (jazz_note){12, 4, 128};
    check(jazz_encode(&m2, ev, err) < 0 && strstr(err, "pitch 128"), "a pitch above 127 refused");
    jazz_chord badc[] = {{0, 12, 0}};
    jazz_melody m3 = {{4, 0, NULL, 1, badc}, 0, NULL};
    check(jazz_encode(&m3, ev, err) < 0 && strstr(err, "root 12"), "a root outside 0..11 refused");

    jazz_event t[2] = {{0, 120, 0, 0, 11, 2}, {0, 60, 0, 0, JAZZ_NO_ROOT, JAZZ_NO_QUALITY}};
    rng r;
    rng_seed(&r, 5);
    int ok = 1;
    for (int i = 0; i < 200; i++) {
        int s = jazz_shift_draw(t, 2, 6, &r);
        ok = ok && s >= -6 && s <= 6 && 120 + s <= 127;
    }
    jazz_transpose(t, 2, 3);
    check(ok && t[0].pitch == 123 && t[0].root == 2 && t[1].root == JAZZ_NO_ROOT,
          "transposition moves pitches and roots and stays within 0..127");
    int tok[6];
    jazz_tokens(t, 2, tok);
    check(tok[0] == 0 && tok[1] == JAZZ_TOK_PITCH + 123 && tok[2] == JAZZ_TOK_DUR &&
              tok[4] == JAZZ_TOK_PITCH + 63,
          "three tokens a note, disjoint ranges");
}

/* ---- gradients ---- */

enum { GT = 4, GB = 3 };

typedef struct {
    jazz_model m;
    jazz_event ev[GB][8];
    uint64_t drop_seed;
} grad_ctx;

static void fill_batch(grad_ctx *g)
{
    static const int len[GB] = {4, 2, 3}, start[GB] = {0, 3, 5}, shift[GB] = {0, 2, -1};
    for (int b = 0; b < GB; b++)
        jazz_model_set_row(&g->m, GT, GB, b, g->ev[b], start[b], len[b], shift[b]);
}

static double grad_loss(void *p)
{
    grad_ctx *g = p;
    rng r;
    rng_seed(&r, g->drop_seed);
    jazz_model_forward(&g->m, GT, GB, g->m.cfg.dropout > 0 ? &r : NULL);
    jazz_nll n;
    jazz_model_nll(&g->m, GT, GB, -1, &n);
    return nll_total(&n);
}

static void test_gradients(float dropout)
{
    static grad_ctx g;
    jazz_config c;
    small_config(&c, dropout);
    init_model(&g.m, &c, 11);
    rng_seed(&R, 12);
    fill_params(&g.m.ps, 0.5f);
    for (int b = 0; b < GB; b++)
        random_events(g.ev[b], 8, &R);
    g.drop_seed = 13;
    jazz_model_reserve(&g.m, GT, GB);
    fill_batch(&g);
    params_zero_grad(&g.m.ps);
    rng r;
    rng_seed(&r, g.drop_seed);
    jazz_model_forward(&g.m, GT, GB, dropout > 0 ? &r : NULL);
    jazz_nll n;
    jazz_model_backward(&g.m, GT, GB, 1.0f, &n);
    const char *worst = "";
    double e = params_grad_error(grad_loss, &g, &g.m.ps, &worst);
    check(e < GRAD_TOL && n.notes == 9,
          "gradient check of the whole network (2 LSTM layers, padding, transposition%s): "
          "worst %.2e (%s), %ld notes",
          dropout > 0 ? ", dropout" : "", e, worst, n.notes);
    jazz_model_free(&g.m);
}

/* ---- the heads' NLL, padding ---- */

/* -log softmax(l)[y] in double. */
static double xent(const float *l, int n, int y)
{
    double mx = l[0], s = 0;
    for (int i = 1; i < n; i++)
        mx = fmax(mx, l[i]);
    for (int i = 0; i < n; i++)
        s += exp(l[i] - mx);
    return log(s) + mx - l[y];
}

static void test_heads_and_padding(void)
{
    jazz_model m;
    jazz_config c;
    rng r;
    small_model(&m, &c, 0.0f, 21, &r);
    jazz_event ev[3][12];
    for (int b = 0; b < 3; b++)
        random_events(ev[b], 12, &r);
    const int T = 7, B = 3, len[3] = {7, 3, 5};
    jazz_model_reserve(&m, T, B);
    for (int b = 0; b < B; b++)
        jazz_model_set_row(&m, T, B, b, ev[b], 2, len[b], 0);
    jazz_model_forward(&m, T, B, NULL);
    double by_hand[3] = {0, 0, 0};
    for (int t = 0; t < T; t++)
        for (int b = 0; b < B; b++) {
            if (t >= len[b])
                continue;
            size_t i = (size_t)t * B + b;
            const jazz_event *e = &ev[b][2 + t];
            by_hand[0] += xent(m.logit_rest + i * JAZZ_REST_CLASSES, JAZZ_REST_CLASSES, e->rest);
            by_hand[1] += xent(m.logit_pitch + i * JAZZ_PITCHES, JAZZ_PITCHES, e->pitch);
            by_hand[2] += xent(m.logit_dur + i * JAZZ_DUR_CLASSES, JAZZ_DUR_CLASSES, e->dur);
        }
    jazz_nll all, row[3];
    jazz_model_nll(&m, T, B, -1, &all);
    double rows = 0;
    for (int b = 0; b < B; b++) {
        jazz_model_nll(&m, T, B, b, &row[b]);
        rows += nll_total(&row[b]);
    }
    /* the loss's exponential is good to a few float ulps */
    check(all.notes == 15 && close_rel(all.rest, by_hand[0], 1e-6) &&
              close_rel(all.pitch, by_hand[1], 1e-6) && close_rel(all.dur, by_hand[2], 1e-6) &&
              close_rel(rows, nll_total(&all), 1e-9) &&
              close_rel(jazz_bits_per_note(&all), nll_total(&all) / log(2.0) / 15, 1e-12),
          "NLL per note = rest + pitch + duration heads (%.4f bits per note)",
          jazz_bits_per_note(&all));

    /* Row 1 alone, unpadded, against the same row in the padded batch
     * (loss) and in a batch of two rows padded to 7 steps whose other row
     * is empty (gradients). */
    jazz_model one;
    init_model(&one, &c, 21);
    jazz_model_reserve(&one, 3, 1);
    jazz_model_set_row(&one, 3, 1, 0, ev[1], 2, 3, 0);
    jazz_model_forward(&one, 3, 1, NULL);
    params_zero_grad(&one.ps);
    jazz_nll alone;
    jazz_model_backward(&one, 3, 1, 1.0f, &alone);
    jazz_model_set_row(&m, T, 2, 0, ev[0], 0, 0, 0);
    jazz_model_set_row(&m, T, 2, 1, ev[1], 2, 3, 0);
    jazz_model_forward(&m, T, 2, NULL);
    params_zero_grad(&m.ps);
    jazz_nll padded;
    jazz_model_backward(&m, T, 2, 1.0f, &padded);
    double worst = 0;
    for (size_t i = 0; i < m.ps.total; i++)
        worst = fmax(worst, fabs(m.ps.grad[i] - one.ps.grad[i]));
    check(close_rel(nll_total(&row[1]), nll_total(&alone), 1e-6) &&
              close_rel(nll_total(&padded), nll_total(&alone), 1e-6) && worst < 1e-5,
          "padding and masks change neither the loss of the real notes nor the gradients "
          "(largest difference %.1e)", worst);
    jazz_model_free(&one);
    jazz_model_free(&m);
}

/* ---- scoring ---- */

static void test_score(void)
{
    jazz_model m;
    jazz_config c;
    rng r;
    small_model(&m, &c, 0.3f, 31, &r);
    enum { N = 23 };
    jazz_event ev[N];
    random_events(ev, N, &r);
    /* one pass over the whole melody */
    jazz_model_reserve(&m, N, 1);
    jazz_model_set_row(&m, N, 1, 0, ev, 0, N, 0);
    jazz_model_forward(&m, N, 1, NULL);
    jazz_nll pass, chunked, windowed;
    jazz_model_nll(&m, N, 1, -1, &pass);
    /* in chunks of 5 with the state carried */
    jazz_model small;
    init_model(&small, &c, 31);
    jazz_model_reserve(&small, 5, 1);
    jazz_model_score(&small, ev, N, 0, &chunked);
    check(chunked.notes == N && close_rel(nll_total(&chunked), nll_total(&pass), 1e-5),
          "stateful scoring in chunks = one pass (%.6f vs %.6f nats)", nll_total(&chunked),
          nll_total(&pass));
    /* windows of 10: the same as a batch of the three windows */
    jazz_model_score(&small, ev, N, 10, &windowed);
    jazz_model_reserve(&m, 10, 3);
    for (int b = 0; b < 3; b++)
        jazz_model_set_row(&m, 10, 3, b, ev, 10 * b, b < 2 ? 10 : 3, 0);
    jazz_model_forward(&m, 10, 3, NULL);
    jazz_nll batch;
    jazz_model_nll(&m, 10, 3, -1, &batch);
    check(windowed.notes == N && close_rel(nll_total(&windowed), nll_total(&batch), 1e-5),
          "windowed scoring = the windows as one batch (%.6f vs %.6f nats)",
          nll_total(&windowed), nll_total(&batch));
    jazz_model_free(&small);
    jazz_model_free(&m);
}

/* ---- sampling ---- */

static jazz_chord tune[] = {
    {0, 2, JAZZ_MIN7}, {48, 7, JAZZ_DOM7}, {96, 0, JAZZ_MAJ7}, {192, -1, 0}, {240, 9, JAZZ_ALT},
};
static const jazz_timeline tune_tl = {4, 0, NULL, 5, tune};

static int sample(jazz_model *m, uint64_t seed, float temp, float top_p, const jazz_note *primer,
                  int np, jazz_note *out, int max)
{
    rng r;
    rng_seed(&r, seed);
    jazz_sample_opts o = {temp, top_p, 0, 288};
    char err[ERR_MAX];
    int n = jazz_model_sample(m, &r, &tune_tl, primer, np, &o, out, max, err);
    if (n < 0)
        printf("  jazz_model_sample: %s\n", err);
    return n;
}

static int same_notes(const jazz_note *a, int na, const jazz_note *b, int nb)
{
    return na == nb && memcmp(a, b, (size_t)na * sizeof *a) == 0;
}

/* Each note's classes are the argmax of the forward pass over the notes
 * (the sampler's one-step path against the batched one). */
static int argmax_agrees(jazz_model *m, const jazz_note *notes, int n)
{
    jazz_melody mel = {tune_tl, n, (jazz_note *)notes};
    jazz_event ev[256];
    char err[ERR_MAX];
    if (n > 256 || jazz_encode(&mel, ev, err) < 0)
        return 0;
    jazz_model_reserve(m, n, 1);
    jazz_model_set_row(m, n, 1, 0, ev, 0, n, 0);
    jazz_model_forward(m, n, 1, NULL);
    for (int t = 0; t < n; t++) {
        const float *heads[3] = {m->logit_rest + (size_t)t * JAZZ_REST_CLASSES,
                                 m->logit_pitch + (size_t)t * JAZZ_PITCHES,
                                 m->logit_dur + (size_t)t * JAZZ_DUR_CLASSES};
        const int size[3] = {JAZZ_REST_CLASSES, JAZZ_PITCHES, JAZZ_DUR_CLASSES};
        const int want[3] = {ev[t].rest, ev[t].pitch, ev[t].dur};
        for (int k = 0; k < (t == n - 1 ? 2 : 3); k++) /* the last note may be cut */
            for (int j = 0; j < size[k]; j++)
                if (heads[k][j] > heads[k][want[k]])
                    return 0;
    }
    return 1;
}

static void test_sampling(void)
{
    jazz_model m;
    jazz_config c;
    small_config(&c, 0.2f);
    init_model(&m, &c, 41);
    rng_seed(&R, 42);
    fill_params(&m.ps, 0.6f);
    jazz_note a[200], b[200], g[200];
    int na = sample(&m, 7, 1.0f, 0.9f, NULL, 0, a, 200);
    int nb = sample(&m, 7, 1.0f, 0.9f, NULL, 0, b, 200);
    int ok = na > 0;
    for (int i = 0; i < na; i++)
        ok = ok && a[i].onset >= (i ? a[i - 1].onset + a[i - 1].dur : 0) && a[i].dur >= 1 &&
             a[i].onset + a[i].dur <= 288 && a[i].pitch >= 0 && a[i].pitch < 128;
    check(ok && same_notes(a, na, b, nb),
          "sampling: the same seed gives the same %d notes, in order, within the 288 steps", na);
    int nc = sample(&m, 8, 1.0f, 0.9f, NULL, 0, b, 200);
    check(!same_notes(a, na, b, nc), "sampling: another seed, other notes");
    int ng = sample(&m, 1, 0.0f, 1.0f, NULL, 0, g, 200);
    int nt = sample(&m, 2, 1e-4f, 1.0f, NULL, 0, a, 200);
    int np = sample(&m, 3, 1.0f, 1e-6f, NULL, 0, b, 200);
    check(ng > 0 && same_notes(g, ng, a, nt) && same_notes(g, ng, b, np),
          "sampling: temperature 0, 1e-4 and top-p 1e-6 all give the argmax (%d notes)", ng);
    check(argmax_agrees(&m, g, ng), "sampling: the argmax notes are the forward pass's argmax");
    jazz_note primer[3] = {{4, 8, 62}, {12, 6, 65}, {30, 18, 69}};
    int n1 = sample(&m, 9, 0.8f, 0.95f, primer, 3, a, 200);
    int n2 = sample(&m, 9, 0.8f, 0.95f, primer, 3, b, 200);
    check(n1 > 0 && a[0].onset >= 48 && same_notes(a, n1, b, n2),
          "sampling after a primer continues after its last note");
    check(sample(&m, 9, 1.0f, 1.0f, NULL, 0, a, 5) == 5, "sampling stops at max_out notes");
    jazz_note unsorted[2] = {{10, 2, 60}, {4, 2, 60}};
    char err[ERR_MAX];
    rng r;
    jazz_sample_opts o = {1.0f, 1.0f, 0, 96};
    check(jazz_model_sample(&m, &r, &tune_tl, unsorted, 2, &o, a, 10, err) < 0 &&
              strstr(err, "primer note 2"),
          "a primer out of order is refused: %s", err);
    jazz_model_free(&m);
}

/* ---- model files ---- */

static void test_files(void)
{
    char dir[] = "/tmp/test_jazz.XXXXXX", path[64], other[64], err[ERR_MAX];
    if (!mkdtemp(dir)) {
        check(0, "mkdtemp");
        return;
    }
    snprintf(path, sizeof path, "%s/m.safetensors", dir);
    snprintf(other, sizeof other, "%s/o.safetensors", dir);
    jazz_model m, l;
    jazz_config c;
    small_config(&c, 0.25f);
    c.chord_tones = 0;
    init_model(&m, &c, 51);
    rng r;
    rng_seed(&r, 52);
    jazz_event ev[40];
    random_events(ev, 40, &r);
    model_out *out = model_out_new("jazz");
    int rc = out && jazz_model_save_to(&m, out) == 0 &&
             model_out_meta(out, "jazz.train.notes", "1234") == 0 &&
             model_out_write(out, path, err) == 0;
    model_out_free(out);
    rc = rc && jazz_model_open(&l, path, err) == 0;
    jazz_nll a, b;
    jazz_note na[100], nb[100];
    int ok = rc && jazz_model_score(&m, ev, 40, 0, &a) == 0 &&
             jazz_model_score(&l, ev, 40, 0, &b) == 0 &&
             memcmp(&a, &b, sizeof a) == 0 && l.cfg.dropout == 0.25f && l.chord_tone < 0 &&
             l.ps.total == m.ps.total;
    int sa = sample(&m, 3, 1.0f, 1.0f, NULL, 0, na, 100), sb = sample(&l, 3, 1.0f, 1.0f, NULL, 0, nb, 100);
    check(ok && same_notes(na, sa, nb, sb), "save and load: identical scores and samples%s%s",
          rc ? "" : ": ", rc ? "" : err);
    if (rc)
        jazz_model_free(&l);

    out = model_out_new("dinos");
    float w[2] = {1, 2};
    int shape[1] = {2};
    model_out_tensor(out, "x", 1, shape, w);
    model_out_write(out, other, err);
    model_out_free(out);
    rc = jazz_model_open(&l, other, err);
    check(rc < 0 && strstr(err, "is a dinos model, not a jazz model"),
          "a model of another kind is refused by name: %s", err);

    out = model_out_new("jazz");
    jazz_model_save_to(&m, out);
    model_out_meta(out, "jazz.rest_steps", "0,1,2");
    model_out_write(out, other, err);
    model_out_free(out);
    rc = jazz_model_open(&l, other, err);
    check(rc < 0 && strstr(err, "other class tables") && strstr(err, "jazz.rest_steps"),
          "a model of other class tables is refused: %s", err);
    jazz_model_free(&m);
    unlink(path);
    unlink(other);
    rmdir(dir);
}

/* ---- n-grams ---- */

/* One sequence a b a b c over V = 3 (a 0, b 1, c 2), counted to order 3.
 * At order 2 (what the query's order 2 sees; the start token <s>):
 *   unigrams a 2, b 2, c 1 (5 tokens, 3 types)
 *   bigrams <s>a 1, ab 2, ba 1, bc 1
 *   continuation counts N1+(.w): a 2 (<s>, b), b 1 (a), c 1 (b); sum 4
 *   discounts: order 2 raw counts 1,2,1,1: n1 3, n2 1, D2 = 3/5 = 0.6;
 *              order 1 continuation 2,1,1: n1 2, n2 1, D1 = 2/4 = 0.5
 * Kneser-Ney, order 1 alone (the highest order: raw counts 2,2,1: n1 1,
 * n2 2, D1 = 1/5 = 0.2):
 *   P(a) = (2 - 0.2 + 0.2 * 3 * 1/3) / 5 = 0.4, P(c) = (1 - 0.2 + 0.2) / 5 = 0.2
 * Kneser-Ney, order 2:
 *   P1(a) = (2 - 0.5 + 0.5 * 3 * 1/3) / 4 = 0.5, P1(b) = P1(c) = 0.25
 *   P(a|b) = (1 - 0.6 + 0.6 * 2 * 0.5) / 2 = 0.5
 *   P(b|b) = (0 + 0.6 * 2 * 0.25) / 2 = 0.15
 *   P(c|b) = (1 - 0.6 + 0.6 * 2 * 0.25) / 2 = 0.35
 *   P(b|a) = (2 - 0.6 + 0.6 * 1 * 0.25) / 2 = 0.775
 *   P(w|c), c never a context: P1(w)
 * Witten-Bell:
 *   P1(w) = (c(w) + 3 * 1/3) / (5 + 3): a 3/8, b 3/8, c 2/8
 *   P(a|b) = (1 + 2 * 3/8) / (2 + 2) = 0.4375
 *   P(c|b) = (1 + 2 * 2/8) / 4 = 0.375
 *   P(b|a) = (2 + 1 * 3/8) / (2 + 1) = 0.7916667
 * At order 3 (<s><s> a b a b c): the trigrams <s><s>a, <s>ab, aba, bab,
 * abc are all singletons, so D3 = 5/5 = 1; bigrams now count their
 * continuations ab 2 (<s>, b), <s>a 1, ba 1, bc 1: D2 = 3/5 = 0.6 again.
 *   P(c|ab) = (1 - 1 + 1 * 2 * P2(c|b)) / 2 = P2(c|b)
 *           = (1 - 0.6 + 0.6 * 2 * 0.25) / 2 = 0.35
 *   P(b|<s>a) = (1 - 1 + 1 * 1 * P2(b|a)) / 1 = 0.775
 *   with P2(b|a) = (2 - 0.6 + 0.6 * 0.25) / 2, the continuation count of
 *   ab being 2 as its raw count was. */
static void test_ngram_by_hand(void)
{
    ngram g;
    char err[ERR_MAX];
    const int seq[] = {0, 1, 0, 1, 2};
    int rc = ngram_init(&g, 3, 3, err) == 0 && ngram_add(&g, seq, 5, err) == 0 &&
             ngram_finish(&g, err) == 0;
    const int a[] = {0}, b[] = {1}, c[] = {2}, ab[] = {0, 1};
    struct {
        ngram_smoothing s;
        int q;
        const int *h;
        int hl, w;
        double want;
        const char *what;
    } cases[] = {
        {NGRAM_KN, 1, NULL, 0, 0, 0.4, "KN P(a)"}, {NGRAM_KN, 1, NULL, 0, 2, 0.2, "KN P(c)"},
        {NGRAM_KN, 2, b, 1, 0, 0.5, "KN P(a|b)"}, {NGRAM_KN, 2, b, 1, 1, 0.15, "KN P(b|b)"},
        {NGRAM_KN, 2, b, 1, 2, 0.35, "KN P(c|b)"}, {NGRAM_KN, 2, a, 1, 1, 0.775, "KN P(b|a)"},
        {NGRAM_KN, 2, c, 1, 0, 0.5, "KN P(a|c), an unseen context"},
        {NGRAM_KN, 3, ab, 2, 2, 0.35, "KN P(c|ab)"}, {NGRAM_KN, 3, a, 1, 1, 0.775, "KN P(b|<s>a)"},
        {NGRAM_WB, 1, NULL, 0, 2, 0.25, "WB P(c)"}, {NGRAM_WB, 2, b, 1, 0, 0.4375, "WB P(a|b)"},
        {NGRAM_WB, 2, b, 1, 2, 0.375, "WB P(c|b)"}, {NGRAM_WB, 2, a, 1, 1, 2.375 / 3, "WB P(b|a)"},
    };
    int ok = rc;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double p = ngram_prob(&g, cases[i].s, cases[i].q, cases[i].h, cases[i].hl, cases[i].w);
        if (fabs(p - cases[i].want) > 1e-12) {
            printf("  %s = %.12g, by hand %.12g\n", cases[i].what, p, cases[i].want);
            ok = 0;
        }
    }
    check(ok && g.discount[1][0] == 0.2 && g.discount[2][0] == 0.6 && g.discount[1][1] == 0.5 &&
              g.discount[2][1] == 0.6 && g.discount[3][0] == 1.0,
          "n-gram probabilities and discounts = the hand count (Kneser-Ney and Witten-Bell, "
          "orders 1 to 3)");
    ngram_free(&g);
}

/* Every distribution over the vocabulary sums to 1, for histories seen
 * and unseen, at every order and both smoothings; held-out tokens never
 * seen in training get probability > 0. */
static void test_ngram_sums(void)
{
    rng r;
    rng_seed(&r, 61);
    enum { NOTES = 400 };
    jazz_event ev[NOTES];
    random_events(ev, NOTES, &r);
    for (int i = 0; i < NOTES; i++) { /* a skewed, repetitive stream */
        ev[i].rest = ev[i].rest % 4;
        ev[i].pitch = 60 + ev[i].pitch % 7;
        ev[i].dur = ev[i % 5].dur % 6;
    }
    int tok[3 * NOTES], held[30];
    jazz_tokens(ev, NOTES, tok);
    char err[ERR_MAX];
    ngram g;
    int rc = ngram_init(&g, JAZZ_TOKENS, 5, err) == 0 && ngram_add(&g, tok, 3 * 300, err) == 0 &&
             ngram_add(&g, tok + 900, 300, err) == 0 && ngram_finish(&g, err) == 0;
    double worst = 0, minp = 1;
    for (int s = 0; s < 2; s++)
        for (int q = 1; q <= 5; q++)
            for (int at = 0; at < 60; at += 7) {
                int hist[8];
                for (int j = 0; j < 8; j++) /* the corpus, or tokens never seen in a row */
                    hist[j] = at < 40 ? tok[at + j] : (int)rng_below(&r, JAZZ_TOKENS);
                int hl = at % 9;
                double sum = 0;
                for (int w = 0; w < JAZZ_TOKENS; w++) {
                    double p = ngram_prob(&g, (ngram_smoothing)s, q, hist, hl, w);
                    sum += p;
                    minp = fmin(minp, p);
                }
                worst = fmax(worst, fabs(sum - 1));
            }
    check(rc && worst < 1e-12 && minp > 0,
          "every n-gram distribution sums to 1 over the %d tokens (worst %.1e), none is 0",
          JAZZ_TOKENS, worst);
    jazz_event other[10];
    random_events(other, 10, &r);
    other[0].pitch = 127; /* never in training */
    jazz_tokens(other, 10, held);
    double b1 = ngram_bits(&g, NGRAM_KN, 5, held, 30), b2 = ngram_bits(&g, NGRAM_KN, 5, held, 30);
    double w1 = ngram_bits(&g, NGRAM_WB, 4, held, 30);
    check(isfinite(b1) && b1 == b2 && isfinite(w1),
          "held-out bits per note finite and deterministic (KN 5: %.3f, WB 4: %.3f)", b1 / 10,
          w1 / 10);
    int badtok = JAZZ_TOKENS;
    check(ngram_add(&g, &badtok, 1, err) < 0 && strstr(err, "outside"),
          "a token outside the vocabulary is refused: %s", err);
    ngram_free(&g);
}

/* ---- throughput (--bench) ---- */

enum { BENCH_T = 64, BENCH_B = 32 };

/* The default model (H 256, L 2, dropout 0.2) and B rows of T random
 * events (seed 72), as both bench modes train on them. */
static int bench_setup(jazz_model *m, jazz_config *c, optimizer *opt, rng *r,
                       jazz_event ev[BENCH_B][BENCH_T], float lr)
{
    jazz_config_default(c);
    init_model(m, c, 71);
    rng_seed(r, 72);
    for (int b = 0; b < BENCH_B; b++)
        random_events(ev[b], BENCH_T, r);
    return jazz_model_reserve(m, BENCH_T, BENCH_B) < 0 ||
                   optim_init(opt, OPTIM_ADAM, lr, m->ps.total) < 0
               ? -1
               : 0;
}

/* steps training steps as `seqtool jazz train` takes them (batch
 * assembly, forward with dropout, backward of the mean NLL a note,
 * clip-norm 5, Adam, the NLL summed into *sum), every step on the same B
 * full windows; the seconds they took. */
static double bench_steps(jazz_model *m, optimizer *opt, rng *r,
                          jazz_event ev[BENCH_B][BENCH_T], int steps, jazz_nll *sum)
{
    enum { T = BENCH_T, B = BENCH_B };
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int it = 0; it < steps; it++) {
        for (int b = 0; b < B; b++)
            jazz_model_set_row(m, T, B, b, ev[b], 0, T, 0);
        params_zero_grad(&m->ps);
        jazz_model_forward(m, T, B, r);
        jazz_nll n;
        jazz_model_backward(m, T, B, 1.0f / (T * B), &n);
        clip_by_global_norm(&m->ps, 5.0f);
        optim_step(opt, &m->ps);
        sum->rest += n.rest;
        sum->pitch += n.pitch;
        sum->dur += n.dur;
        sum->notes += n.notes;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
}

static int bench(void)
{
    enum { T = BENCH_T, B = BENCH_B, ITERS = 20 };
    jazz_model m;
    jazz_config c;
    optimizer opt;
    rng r;
    static jazz_event ev[B][T];
    if (bench_setup(&m, &c, &opt, &r, ev, 1e-3f) < 0)
        return 1;
    double best = 1e30;
    jazz_nll sum = {0, 0, 0, 0};
    for (int round = 0; round < 3; round++)
        best = fmin(best, bench_steps(&m, &opt, &r, ev, ITERS, &sum));
    printf("jazz training: H %d, L %d, batch %d, %d steps, %zu parameters, dropout %.1f, adam: "
           "%.0f events/s (best of 3 rounds of %d batches, one thread)\n",
           c.hidden, c.layers, B, T, m.ps.total, (double)c.dropout, ITERS * T * B / best, ITERS);
    optim_free(&opt);
    jazz_model_free(&m);
    return 0;
}

/* --bench-json STEPS [EVENTS.tsv], for tests/bench/jazz.sh: STEPS steps
 * of bench_steps (Adam lr 0.002, `jazz train`'s default), all of them
 * timed, as `jazz train` times its steps; one JSON line (notes, seconds,
 * notes_per_s, train_bits_per_note, ...).  EVENTS.tsv gets the events trained on, for the
 * PyTorch peer to train on the same: a header line, then one line a
 * note: row, t (its place in the row), rest, pitch, dur, pos, root,
 * quality. */
static int bench_json(const char *steps_arg, const char *events)
{
    enum { T = BENCH_T, B = BENCH_B };
    char *end;
    long steps = strtol(steps_arg, &end, 10);
    if (*end || steps < 1 || steps > 1000000) {
        fprintf(stderr, "test_jazz: --bench-json STEPS: expected 1 to 1000000, not '%s'\n", steps_arg);
        return 2;
    }
    jazz_model m;
    jazz_config c;
    optimizer opt;
    rng r;
    static jazz_event ev[B][T];
    if (bench_setup(&m, &c, &opt, &r, ev, 2e-3f) < 0)
        return 1;
    if (events) {
        FILE *f = fopen(events, "w");
        if (!f)
            return fprintf(stderr, "test_jazz: cannot write '%s'\n", events), 1;
        fprintf(f, "row\tt\trest\tpitch\tdur\tpos\troot\tquality\n");
        for (int b = 0; b < B; b++)
            for (int t = 0; t < T; t++) {
                const jazz_event *e = &ev[b][t];
                fprintf(f, "%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\n", b, t, e->rest, e->pitch, e->dur,
                        e->pos, e->root, e->qual);
            }
        if (fclose(f) != 0)
            return fprintf(stderr, "test_jazz: cannot write '%s'\n", events), 1;
    }
    jazz_nll sum = {0, 0, 0, 0};
    double s = bench_steps(&m, &opt, &r, ev, (int)steps, &sum);
    printf("{\"steps\":%ld,\"batch\":%d,\"window\":%d,\"hidden\":%d,\"layers\":%d,"
           "\"dropout\":%.2f,\"parameters\":%zu,\"notes\":%ld,\"seconds\":%.6f,"
           "\"notes_per_s\":%.1f,\"train_bits_per_note\":%.6f}\n",
           steps, B, T, c.hidden, c.layers, (double)c.dropout, m.ps.total, sum.notes, s,
           (double)sum.notes / s, jazz_bits_per_note(&sum));
    optim_free(&opt);
    jazz_model_free(&m);
    return 0;
}

/* ---- the PyTorch cross-check's data (--dump DIR) ---- */

/* DIR/model.safetensors, a small model of random weights; DIR/batch.safetensors:
 * in.<field>, out.<field> [T][B] (F32 class ids, -1 none) and mask, the
 * loss (metadata nll.rest, nll.pitch, nll.dur, nats summed) and
 * grad.<tensor> of the summed NLL. */
static int dump(const char *dir)
{
    char path[4096], err[ERR_MAX];
    jazz_model m;
    jazz_config c;
    rng r;
    small_model(&m, &c, 0.0f, 81, &r);
    rng_seed(&R, 83);
    fill_params(&m.ps, 0.4f); /* the chord-tone bias too */
    enum { T = 6, B = 4 };
    jazz_event ev[B][10];
    static const int len[B] = {6, 4, 1, 5}, start[B] = {0, 2, 9, 3}, shift[B] = {0, 1, -2, 5};
    jazz_model_reserve(&m, T, B);
    for (int b = 0; b < B; b++) {
        random_events(ev[b], 10, &r);
        jazz_model_set_row(&m, T, B, b, ev[b], start[b], len[b], shift[b]);
    }
    jazz_model_forward(&m, T, B, NULL);
    params_zero_grad(&m.ps);
    jazz_nll n;
    jazz_model_backward(&m, T, B, 1.0f, &n);

    model_out *out = model_out_new("jazz");
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    if (!out || jazz_model_save_to(&m, out) < 0 || model_out_write(out, path, err) < 0)
        return fprintf(stderr, "test_jazz: %s\n", err), 1;
    model_out_free(out);

    static const char *const fname[JAZZ_FIELDS] = {"rest", "pitch", "dur", "pos", "root", "quality"};
    static float ids[2][JAZZ_FIELDS][T * B];
    static char names[2 * JAZZ_FIELDS][32], gnames[64][PARAM_NAME_MAX + 8];
    out = model_out_new("jazz-crosscheck");
    int shape[2] = {T, B};
    for (int f = 0; f < JAZZ_FIELDS; f++)
        for (int io = 0; io < 2; io++) {
            for (int i = 0; i < T * B; i++)
                ids[io][f][i] = (float)(io ? m.out[f][i] : m.in[f][i]);
            snprintf(names[2 * f + io], 32, "%s.%s", io ? "out" : "in", fname[f]);
            model_out_tensor(out, names[2 * f + io], 2, shape, ids[io][f]);
        }
    model_out_tensor(out, "mask", 2, shape, m.mask);
    model_out_metaf(out, "nll.rest", "%.17g", n.rest);
    model_out_metaf(out, "nll.pitch", "%.17g", n.pitch);
    model_out_metaf(out, "nll.dur", "%.17g", n.dur);
    for (int i = 0; i < m.ps.n && i < 64; i++) {
        snprintf(gnames[i], sizeof gnames[i], "grad.%s", m.ps.p[i].name);
        model_out_tensor(out, gnames[i], m.ps.p[i].ndim, m.ps.p[i].shape, params_grad(&m.ps, i));
    }
    snprintf(path, sizeof path, "%s/batch.safetensors", dir);
    if (model_out_write(out, path, err) < 0)
        return fprintf(stderr, "test_jazz: %s\n", err), 1;
    model_out_free(out);
    jazz_model_free(&m);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--bench") == 0)
        return bench();
    if ((argc == 3 || argc == 4) && strcmp(argv[1], "--bench-json") == 0)
        return bench_json(argv[2], argc == 4 ? argv[3] : NULL);
    if (argc == 3 && strcmp(argv[1], "--dump") == 0)
        return dump(argv[2]);
    test_classes();
    test_encode();
    test_gradients(0.0f);
    test_gradients(0.3f);
    test_heads_and_padding();
    test_score();
    test_sampling();
    test_files();
    test_ngram_by_hand();
    test_ngram_sums();
    return check_exit();
}
