/* test_trigger — unit tests of seqtool trigger's model files: wakenet
 * (descriptions, the course's parameter count, a gradient check of the
 * whole stack against central differences, one frame at a time against
 * whole clips), labels (the course's insert_ones, labels.tsv, the
 * detection rule), listen (step times), compose (placement and level),
 * speech (near-miss words), cutter (the audio around detections),
 * augment (warps and tilts) and ensembles (a file of several networks
 * and the mean of their scores). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "augment.h"
#include "check.h"
#include "compose.h"
#include "cutter.h"
#include "gradcheck.h"

/* gradcheck.h defines it for tests that fill whole parameter sets */
__attribute__((unused)) static void (*unused_fill)(params *, float) = fill_params;
#include "labels.h"
#include "listen.h"
#include "loss.h"
#include "mix.h"
#include "speech.h"
#include "wakemodel.h"
#include "wakenet.h"

/* ---- wakenet ---- */

static void test_descriptions(void)
{
    char err[ERR_MAX];
    wakenet w;
    int ok = wakenet_init(&w, WAKENET_COURSE, SPEC_COURSE, err) == 0;
    /* Keras prints 522,561 with one GRU bias; PyTorch's two biases add 2 x 384 */
    check(ok && wakenet_size(&w) == 523329, "the course's network: %zu weights (523,329 with PyTorch's GRU biases)",
          ok ? wakenet_size(&w) : 0);
    check(ok && w.stats.total == 2 * (196 + 128 + 128) && w.ps.total == 523329 - 904,
          "of which %zu trained and %zu running statistics of the three batch norms", ok ? w.ps.total : 0,
          ok ? w.stats.total : 0);
    check(ok && wakenet_out_len(&w, 5511) == 1375, "5,511 frames of a 10 s clip give 1,375 output steps");
    check(ok && wakenet_last_frame(&w, 0) == 14 && wakenet_last_frame(&w, 1374) == 5510,
          "course: step 0 sees frames 0-14, step 1374 ends at frame 5510");
    if (ok)
        wakenet_free(&w);
    ok = wakenet_init(&w, "conv:8:3:2:causal,relu,gru:6,dense", SPEC_LOGMEL, err) == 0;
    check(ok && wakenet_out_len(&w, 10) == 5 && wakenet_last_frame(&w, 0) == 0 && wakenet_last_frame(&w, 4) == 8,
          "a causal conv of stride 2: step t ends at frame 2t");
    if (ok)
        wakenet_free(&w);
    static const char *const bad[] = {"", "conv:8:3", "gru:0,dense", "relu", "dense,relu", "drop:1,dense",
                                      "conv:8:3:2:acausal,dense", "lstm:8,dense", "conv:8:3:2:causal:x,dense"};
    int all = 1;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (wakenet_init(&w, bad[i], SPEC_LOGMEL, err) == 0) {
            all = 0;
            printf("  accepted '%s'\n", bad[i]);
            wakenet_free(&w);
        } else if (!err[0] || strchr(err, '\n')) {
            all = 0;
        }
    }
    check(all, "descriptions that do not parse or do not end in dense are refused with a message");
}

typedef struct {
    wakenet w;
    wakenet_work k;
    float *x, *y;
    int T, B;
    size_t nx;
} grad_ctx;

/* The weighted loss of a training forward, dropout drawn the same each
 * time (the generator seeded afresh). */
static double model_loss(void *p)
{
    grad_ctx *c = p;
    memcpy(c->k.act[0], c->x, c->nx * sizeof *c->x);
    rng r;
    rng_seed(&r, 99);
    float *z = wakenet_forward(&c->w, &c->k, c->T, c->B, 1, &r);
    int ty = wakenet_out_len(&c->w, c->T);
    return loss_sigmoid_xent(z, c->y, NULL, (size_t)ty * c->B, 3.0f, 0.5f, NULL);
}

/* Model arch with random weights, input and targets of T frames of B
 * clips, and its analytic gradient; 0, or -1 (a check failed). */
static int grad_setup(grad_ctx *c, const char *arch, int T, int B, uint64_t seed)
{
    char err[ERR_MAX];
    memset(c, 0, sizeof *c);
    if (wakenet_init(&c->w, arch, SPEC_LOGMEL, err) < 0 || wakenet_work_reserve(&c->k, &c->w, T, B) < 0)
        return check(0, "gradient check of %s: %s", arch, err) - 1;
    rng_seed(&R, seed);
    wakenet_init_weights(&c->w, &R);
    int ty = wakenet_out_len(&c->w, T);
    c->T = T;
    c->B = B;
    c->nx = (size_t)T * B * c->w.bins;
    c->x = malloc(c->nx * sizeof *c->x);
    c->y = malloc((size_t)ty * B * sizeof *c->y);
    fill_uniform(c->x, c->nx, 1.0f);
    for (int i = 0; i < ty * B; i++)
        c->y[i] = rng_uniform(&R) < 0.3f;
    model_loss(c);
    params_zero_grad(&c->w.ps);
    loss_sigmoid_xent(c->k.act[c->w.n], c->y, NULL, (size_t)ty * B, 3.0f, 0.5f, c->k.grad[c->w.n]);
    wakenet_backward(&c->w, &c->k, T, B);
    return 0;
}

static void grad_free(grad_ctx *c)
{
    free(c->x);
    free(c->y);
    wakenet_work_free(&c->k);
    wakenet_free(&c->w);
}

static void test_gradients(void)
{
    static const char *const arch[] = {
        "conv:5:3:2:causal,bn,drop:0.3,gru:4,drop:0.2,bn,gru:3,bn,dense",
        "conv:6:4:3,bn,conv:4:2:1:causal,gru:5,dense",
    };
    for (size_t a = 0; a < sizeof arch / sizeof arch[0]; a++) {
        grad_ctx c;
        if (grad_setup(&c, arch[a], 13, 3, 7 + a) < 0)
            continue;
        /* the first conv's bias feeds a batch norm, which takes every
         * shift away: its true gradient is 0, so it is checked by size */
        const char *worst = "";
        params *ps = &c.w.ps;
        int bias = params_find(ps, "l0.bias");
        double e = params_grad_error_but(model_loss, &c, ps, bias, &worst), g = 0;
        for (size_t i = 0; i < ps->p[bias].size; i++)
            g = fmax(g, fabs(params_grad(ps, bias)[i]));
        check(e < GRAD_TOL && g < 1e-5, "gradient of every tensor of %s against central differences: worst %.2e (%s); "
              "the bias under a batch norm %.1e", arch[a], e, worst, g);
        grad_free(&c);
    }
}

/* With relu in the stack, a step of 1e-2 in one weight moves some
 * pre-activations across 0, where the numeric gradient is wrong: check the
 * derivative along random directions of every weight at once instead,
 * each weight moved by up to 3e-4, which crosses few (1e-3 already
 * gives errors of 2e-3, 3e-3 of 8e-2: the kinks, not the backward). */
static void test_gradient_relu(void)
{
    grad_ctx c;
    if (grad_setup(&c, "conv:6:5:4,bn,relu,drop:0.5,gru:5,drop:0.5,bn,gru:4,drop:0.5,bn,drop:0.5,dense", 23, 4, 21) < 0)
        return;
    params *ps = &c.w.ps;
    size_t P = ps->total;
    float *keep = malloc(P * sizeof *keep), *v = malloc(P * sizeof *v);
    memcpy(keep, ps->data, P * sizeof *keep);
    double worst = 0;
    for (int d = 0; d < 5; d++) {
        fill_uniform(v, P, 3e-4f);
        double analytic = 0;
        for (size_t i = 0; i < P; i++)
            analytic += (double)v[i] * ps->grad[i];
        for (size_t i = 0; i < P; i++)
            ps->data[i] = keep[i] + v[i];
        double lp = model_loss(&c);
        for (size_t i = 0; i < P; i++)
            ps->data[i] = keep[i] - v[i];
        double lm = model_loss(&c);
        memcpy(ps->data, keep, P * sizeof *keep);
        double numeric = (lp - lm) / 2, e = fabs(numeric - analytic) / (fabs(numeric) + fabs(analytic));
        worst = e > worst ? e : worst;
    }
    check(worst < GRAD_TOL, "gradient of the course's order of layers (with relu) along 5 random directions: worst %.2e",
          worst);
    free(keep);
    free(v);
    grad_free(&c);
}

/* Clip b's frames of x [T][B][bins], one after the other, into f. */
static void clip_frames(const float *x, int T, int B, int bins, int b, float *f)
{
    for (int t = 0; t < T; t++)
        memcpy(f + (size_t)t * bins, x + ((size_t)t * B + b) * bins, (size_t)bins * sizeof *f);
}

/* The logits of frames f [T][bins] pushed in blocks of len[0], len[1], ...
 * (round and round) into z; their count. */
static int run_blocks(wakenet_stream *s, const float *f, int T, int bins, const int *len, int nlen, float *z)
{
    int got = 0;
    wakenet_stream_reset(s);
    for (int i = 0, k = 0; i < T; k = (k + 1) % nlen) {
        int m = T - i < len[k] ? T - i : len[k];
        got += wakenet_stream_run(s, f + (size_t)i * bins, m, z + got);
        i += m;
    }
    return got;
}

/* One frame at a time gives the logits of whole clips (batch statistics
 * off, no dropout), clip by clip out of a batch of three; blocks of any
 * size give the bits of one frame at a time. */
static void test_streaming(void)
{
    char err[ERR_MAX];
    wakenet w;
    wakenet_work k = {0};
    wakenet_stream s;
    const char *arch = "conv:16:5:2:causal,bn,relu,drop:0.5,gru:12,bn,gru:8,dense";
    int T = 161, B = 3;
    if (wakenet_init(&w, arch, SPEC_LOGMEL, err) < 0 || wakenet_work_reserve(&k, &w, T, B) < 0 ||
        wakenet_stream_init(&s, &w) < 0) {
        check(0, "streaming: %s", err);
        return;
    }
    rng_seed(&R, 3);
    wakenet_init_weights(&w, &R);
    fill_uniform(w.stats.data, w.stats.total, 0.5f);
    for (size_t i = 0; i < w.stats.total; i++) /* variances positive */
        w.stats.data[i] = fabsf(w.stats.data[i]) + 0.5f;
    wakenet_stream_free(&s);
    wakenet_stream_init(&s, &w);
    float *x = k.act[0];
    fill_uniform(x, (size_t)T * B * w.bins, 2.0f);
    const float *z = wakenet_forward(&w, &k, T, B, 0, NULL);
    int ty = wakenet_out_len(&w, T), steps = 0, same = 1;
    float *one = malloc((size_t)ty * sizeof *one), *blk = malloc((size_t)T * sizeof *blk);
    float *f = malloc((size_t)T * w.bins * sizeof *f);
    static const int lens[][4] = {{1, 2, 3, 4}, {7, 13, 5, 11}, {64, 1, 64, 2}, {150, 11, 11, 11}};
    double worst = 0;
    for (int b = 0; b < B; b++) {
        wakenet_stream_reset(&s);
        int t = 0;
        for (int fr = 0; fr < T; fr++) {
            float logit;
            if (!wakenet_stream_push(&s, x + ((size_t)fr * B + b) * w.bins, &logit))
                continue;
            if (fr != wakenet_last_frame(&w, t))
                worst = INFINITY;
            double d = fabs(logit - z[(size_t)t * B + b]);
            worst = d > worst ? d : worst;
            one[t++] = logit;
            steps++;
        }
        clip_frames(x, T, B, w.bins, b, f);
        for (int v = 0; v < 4; v++)
            same &= run_blocks(&s, f, T, w.bins, lens[v], 4, blk) == t && memcmp(blk, one, (size_t)t * 4) == 0 &&
                    s.steps == t;
    }
    check(steps == ty * B && worst < 1e-5, "one frame at a time = whole clips: %d steps, largest difference %.1e",
          steps, worst);
    check(same, "a stream in blocks of 1 to 150 frames = one frame at a time, bit for bit");
    free(one);
    free(blk);
    free(f);
    wakenet_stream_free(&s);
    wakenet_work_free(&k);
    wakenet_free(&w);
}

/* ---- labels ---- */

static void test_targets(void)
{
    rng r;
    rng_seed(&r, 11);
    float a[MIX_TY], b[MIX_TY];
    int same = 1;
    for (int i = 0; i < 2000 && same; i++) {
        int end_ms = (int)rng_below(&r, 10100); /* past the end too */
        memset(b, 0, sizeof b);
        mix_insert_ones(b, MIX_TY, end_ms, 10000);
        double offset = (end_ms + 1) / 1000.0;
        labels_targets(&offset, 1, MIX_TY, 10000, LABELS_SECONDS, a);
        same = memcmp(a, b, sizeof a) == 0;
        if (!same)
            printf("  end_ms %d differs\n", end_ms);
    }
    check(same, "labels_targets on 1375 steps = the course's insert_ones (2000 random word ends)");
    float y[499];
    double off[2] = {2.0, 9.9};
    labels_targets(off, 2, 499, 10000, LABELS_SECONDS, y);
    int ones = 0, first = -1;
    for (int t = 0; t < 499; t++) {
        ones += y[t] == 1.0f;
        if (y[t] == 1.0f && first < 0)
            first = t;
    }
    /* end_y = floor(1999 * 499 / 10000) = 99; 18 steps of 20 ms; the
     * second word's run is cut at the end of the clip */
    check(first == 100 && ones == 18 + (499 - 494), "499 steps: ones from step 100 for 18 steps (%d from %d)", ones,
          first);
}

static void test_labels_file(void)
{
    char path[] = "/tmp/seqtool-labels-XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");
    fputs("a.wav\t1.000\t1.500\na.wav\t3.25\t4\nb.wav\nc.wav\t0.5\t0.9\r\n", f);
    fclose(f);
    label_set s;
    char err[ERR_MAX];
    int ok = labels_read(path, &s, err) == 0;
    const label_clip *a = ok ? labels_find(&s, "a.wav") : NULL, *b = ok ? labels_find(&s, "b.wav") : NULL;
    check(ok && s.n == 3 && a && a->n == 2 && a->offset[1] == 4.0 && b && b->n == 0 && !labels_find(&s, "d.wav"),
          "labels.tsv: three clips, two words in the first, none in the second");
    if (ok)
        labels_free(&s);
    static const char *const bad[] = {"a.wav\t1\n", "a.wav\t2\t1\n", "a.wav\tx\t1\n", "a.wav\t1\t2\t3\n",
                                      "a.wav\nb.wav\na.wav\t1\t2\n", "a.wav\t1\t2\nb\xff.wav\n"};
    int all = 1;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        f = fopen(path, "w");
        fputs(bad[i], f);
        fclose(f);
        if (labels_read(path, &s, err) == 0) {
            all = 0;
            labels_free(&s);
        } else {
            all = all && strstr(err, "line") != NULL;
        }
    }
    check(all, "labels.tsv: bad lines (and binary data) refused, naming the line");
    unlink(path);
}

static void test_rule(void)
{
    double last = -INFINITY;
    const double t[] = {1.0, 1.02, 1.5, 2.1, 2.2, 5.0};
    const float s[] = {0.6f, 0.9f, 0.7f, 0.55f, 0.2f, 0.5f};
    char got[16] = "";
    for (int i = 0; i < 6; i++)
        strcat(got, labels_fires(&last, t[i], s[i], 0.5, 1.0) ? "1" : "0");
    check(strcmp(got, "100101") == 0, "detection rule: threshold 0.5, refractory 1 s: %s", got);
}

/* ---- listen, compose, speech ---- */

static void test_listen(void)
{
    char err[ERR_MAX];
    wakenet w;
    listener l;
    if (wakenet_init(&w, "conv:4:3:2:causal,gru:3,dense", SPEC_LOGMEL, err) < 0 || listener_init(&l, &w, 1, err) < 0) {
        check(0, "listener: %s", err);
        return;
    }
    rng_seed(&R, 5);
    wakenet_init_weights(&w, &R);
    listener_free(&l);
    listener_init(&l, &w, 1, err);
    float *x = malloc(16000 * sizeof *x);
    fill_uniform(x, 16000, 0.3f);
    double times[64];
    int n = 0;
    void step(void *ctx, double t, float score);
    struct {
        double *t;
        int *n;
    } ctx = {times, &n};
    listener_push(&l, x, 16000, step, &ctx);
    /* 98 frames; steps at frames 0, 2, ..., 96: times (160 f + 400) / 16000 */
    check(n == 49 && fabs(times[0] - 0.025) < 1e-12 && fabs(times[48] - (160.0 * 96 + 400) / 16000) < 1e-12,
          "listener: 1 s gives 49 steps, the first at 25 ms, the last at %.3f s", n ? times[n - 1] : 0);
    free(x);
    listener_free(&l);
    wakenet_free(&w);
}

/* ---- ensembles ---- */

typedef struct {
    float s[64];
    int n;
} scores;

static void keep_score(void *ctx, double t, float score)
{
    scores *c = ctx;
    (void)t;
    if (c->n < 64)
        c->s[c->n++] = score;
}

/* The scores of 1 s of x through the networks w[0..k). */
static int listen_scores(const wakenet *w, int k, const float *x, scores *out)
{
    char err[ERR_MAX];
    listener l;
    out->n = 0;
    if (listener_init(&l, w, k, err) < 0)
        return -1;
    listener_push(&l, x, 16000, keep_score, out);
    listener_free(&l);
    return 0;
}

static int same_floats(const params *a, const params *b)
{
    return a->total == b->total && memcmp(a->data, b->data, a->total * sizeof *a->data) == 0;
}

static void test_ensemble(void)
{
    const char *arch = "conv:4:3:2:causal,bn,relu,gru:3,dense";
    char err[ERR_MAX], path[] = "/tmp/test_trigger_ensemble_XXXXXX";
    int fd = mkstemp(path);
    wakemodel m = {.members = 2, .word = "hello", .threshold = 0.5, .refractory = 1, .label_seconds = 0.5}, back;
    if (fd < 0 || wakenet_init(&m.net[0], arch, SPEC_LOGMEL, err) < 0 || wakenet_init(&m.net[1], arch, SPEC_LOGMEL, err) < 0) {
        check(0, "ensemble: %s", err);
        return;
    }
    close(fd);
    rng_seed(&R, 7);
    for (int k = 0; k < 2; k++) {
        wakenet_init_weights(&m.net[k], &R);
        fill_uniform(m.net[k].stats.data, m.net[k].stats.total, 0.5f);
    }
    /* the file names member 1's tensors m1.*: rename them as loading does */
    params *sets[] = {&m.net[1].ps, &m.net[1].stats};
    for (int s = 0; s < 2; s++)
        for (int i = 0; i < sets[s]->n; i++) {
            char *name = sets[s]->p[i].name;
            memmove(name + 3, name, strlen(name) + 1);
            memcpy(name, "m1.", 3);
        }
    int saved = wakemodel_save(&m, path, NULL, 0, err) == 0 && wakemodel_load(&back, path, err) == 0;
    check(saved && back.members == 2 && strcmp(back.word, "hello") == 0 && same_floats(&back.net[0].ps, &m.net[0].ps) &&
              same_floats(&back.net[1].ps, &m.net[1].ps) && same_floats(&back.net[1].stats, &m.net[1].stats) &&
              !same_floats(&back.net[0].ps, &back.net[1].ps),
          "ensemble: two networks saved and read back, each its own tensors (%s)", saved ? "ok" : err);
    float *x = malloc(16000 * sizeof *x);
    fill_uniform(x, 16000, 0.3f);
    scores one, two, both;
    int ok = saved && listen_scores(&back.net[0], 1, x, &one) == 0 && listen_scores(&back.net[1], 1, x, &two) == 0 &&
             listen_scores(back.net, 2, x, &both) == 0 && one.n == 49 && two.n == 49 && both.n == 49;
    int differ = 0;
    for (int i = 0; ok && i < both.n; i++) {
        ok = both.s[i] == (one.s[i] + two.s[i]) / 2.0f;
        differ += one.s[i] != two.s[i];
    }
    check(ok && differ > 40, "ensemble: each of 49 steps scores the mean of the two networks' scores");
    /* one more member from the file itself: three, the third a copy of the first */
    ok = saved && wakemodel_add(&back, path, err) == 0 && back.members == 4 &&
         same_floats(&back.net[2].ps, &back.net[0].ps) && same_floats(&back.net[3].stats, &back.net[1].stats) &&
         strcmp(back.net[3].ps.p[0].name, "m3.l0.weight") == 0;
    check(ok, "ensemble: a file's two networks added as members 3 and 4, named m2.* and m3.* (%s)", ok ? "ok" : err);
    wakemodel_free(&back);
    wakemodel_free(&m);
    free(x);
    unlink(path);
}

void step(void *ctx, double t, float score)
{
    struct {
        double *t;
        int *n;
    } *c = ctx;
    (void)score;
    if (*c->n < 64)
        c->t[(*c->n)++] = t;
}

static void test_compose(void)
{
    compose_settings s;
    compose_defaults(&s, 16000, 10);
    float *word = malloc(8000 * sizeof *word), *bg = malloc(16000 * sizeof *bg), *out = malloc(s.n * sizeof *out);
    for (int i = 0; i < 8000; i++)
        word[i] = 0.5f * sinf(i * 0.2f);
    for (int i = 0; i < 16000; i++)
        bg[i] = 0.01f * sinf(i * 0.01f);
    compose_sound w = {word, 8000}, b = {bg, 16000};
    rng r;
    rng_seed(&r, 2);
    int good = 1, most = 0;
    char err[ERR_MAX];
    for (int i = 0; i < 200 && good; i++) {
        compose_labels lab;
        good = compose_clip(&s, &b, 1, &w, 1, &w, 1, &r, out, &lab, err) == 0 && lab.npos <= 4 && lab.nneg <= 2;
        mix_segment all[8];
        int n = 0;
        for (int j = 0; j < lab.npos; j++)
            all[n++] = lab.pos[j];
        for (int j = 0; j < lab.nneg; j++) {
            good = good && !mix_overlaps(lab.neg[j], all, n);
            all[n++] = lab.neg[j];
        }
        for (int j = 0; j < lab.npos; j++)
            good = good && lab.pos[j].start_ms >= 0 && lab.pos[j].end_ms < 10000 &&
                   (j == 0 || lab.pos[j].start_ms > lab.pos[j - 1].end_ms);
        double sum = 0;
        for (size_t j = 0; j < s.n; j++)
            sum += (double)out[j] * out[j];
        good = good && fabs(10 * log10(sum / s.n) + 20) < 0.1;
        most = lab.npos > most ? lab.npos : most;
    }
    check(good && most == 4, "compose: 200 clips, 0-4 wake words and 0-2 others, in order, none overlapping, at -20 dBFS");
    free(word);
    free(bg);
    free(out);
}

static void test_speech(void)
{
    const char *near[SPEECH_NEAR_MAX];
    int n = speech_near_words("activate", near, SPEECH_NEAR_MAX), found = 0;
    for (int i = 0; i < n; i++)
        found += strcmp(near[i], "captivate") == 0 || strcmp(near[i], "octave") == 0;
    check(found == 2, "near-miss words of activate: the built-in list (%d words)", n);
    n = speech_near_words("computer", near, SPEECH_NEAR_MAX);
    int has = 0, self = 0;
    for (int i = 0; i < n; i++) {
        has += strcmp(near[i], "compute") == 0 || strcmp(near[i], "commuter") == 0;
        self += speech_contains(near[i], "computer");
    }
    check(has == 2 && !self, "near-miss words of computer: compute and commuter, never computer (%d words)", n);
    check(speech_contains("Deactivated", "activate") && !speech_contains("active", "activate"),
          "a negative never holds the wake word, even inside a word");
}

/* ---- cutter ---- */

typedef struct {
    int n;
    double t[8];
    float first[8], last[8];
    size_t len[8];
    int contiguous;
} cuts_seen;

static int on_cut(void *ctx, double t, const float *x, size_t n, char *err)
{
    cuts_seen *c = ctx;
    (void)err;
    if (c->n < 8) {
        c->t[c->n] = t, c->len[c->n] = n;
        c->first[c->n] = n ? x[0] : -1, c->last[c->n] = n ? x[n - 1] : -1;
        for (size_t i = 1; i < n; i++)
            c->contiguous &= x[i] == x[i - 1] + 1;
        c->n++;
    }
    return 0;
}

static void test_cutter(void)
{
    /* 100 samples a second, sample i worth i: 0.2 s before, 0.05 s after */
    char err[ERR_MAX];
    cutter c;
    int ok = cutter_init(&c, 100, 0.2, 0.05, err) == 0;
    float *x = malloc(20000 * sizeof *x);
    ok = ok && x;
    for (int i = 0; ok && i < 20000; i++)
        x[i] = (float)i;
    cuts_seen seen = {0, {0}, {0}, {0}, {0}, 1};
    ok = ok && cutter_mark(&c, 0.1, err) == 0 && cutter_mark(&c, 3.0, err) == 0;
    for (int i = 0; ok && i < 500; i += 7)
        ok = cutter_push(&c, x + i, i + 7 < 500 ? 7 : 500 - i, on_cut, &seen, err) == 0;
    check(ok && seen.n == 2 && seen.first[0] == 0 && seen.last[0] == 14 && seen.first[1] == 280 &&
              seen.last[1] == 304 && seen.contiguous,
          "cutter: 0.2 s before a detection to 0.05 s after, less at the start, in blocks of 7 samples");
    /* one push of 19,500 samples, longer than the ring, a cut in the middle
     * and one past the end */
    ok = ok && cutter_mark(&c, 100.0, err) == 0 && cutter_mark(&c, 199.98, err) == 0;
    ok = ok && cutter_push(&c, x + 500, 19500, on_cut, &seen, err) == 0;
    int before_flush = seen.n;
    ok = ok && cutter_flush(&c, on_cut, &seen, err) == 0;
    check(ok && before_flush == 3 && seen.n == 4 && seen.first[2] == 9980 && seen.len[2] == 25 &&
              seen.first[3] == 19978 && seen.last[3] == 19999 && seen.contiguous,
          "cutter: a cut from a push longer than its ring; the last, cut short, when the stream ends");
    cutter_reset(&c);
    free(x);
    cutter_free(&c);
}

/* ---- augment ---- */

static void test_augment(void)
{
    /* 3 frames of 2 clips of 5 bands: clip 0 flat at 2, clip 1 a ramp */
    enum { T = 3, N = 2, F = 5 };
    float x[T * N * F], y[T * N * F];
    for (int t = 0; t < T; t++)
        for (int f = 0; f < F; f++)
            x[(t * N + 0) * F + f] = 2, x[(t * N + 1) * F + f] = (float)f;
    memcpy(y, x, sizeof x);
    rng r;
    rng_seed(&r, 7);
    int ok = augment_warp(x, T, N, F, 0, &r) == 0, flat = 1, same = 1;
    for (int t = 0; t < T; t++)
        for (int f = 0; f < F; f++) {
            flat &= x[(t * N + 0) * F + f] == 2;
            same &= x[(t * N + 1) * F + f] == x[1 * F + f];
        }
    float a = x[1 * F + 1];
    check(ok && flat && same && a >= 0.88f && a <= 1.12f && a != 1.0f && fabsf(x[1 * F + 2] - 2 * a) < 1e-5f,
          "augment_warp: a flat clip stays flat; a ramp is stretched by %.3f (in [0.88, 1.12]) in every frame", a);
    ok = augment_warp(y, T, N, F, 1, &r) == 0;
    float step = y[1] - y[0];
    int line = 1;
    for (int f = 1; f < F; f++)
        line &= fabsf(y[f] - y[f - 1] - step) < 1e-5f;
    check(ok && line && fabsf(step * (F - 1)) <= 2.3f + 1e-5f && fabsf(y[0] + y[F - 1] - 4) < 1e-5f,
          "augment_warp on log-mel: a straight tilt of %.2f (at most 2.3, 10 dB) about the middle band",
          step * (F - 1));
}

int main(void)
{
    test_descriptions();
    test_gradients();
    test_gradient_relu();
    test_streaming();
    test_targets();
    test_labels_file();
    test_rule();
    test_listen();
    test_compose();
    test_speech();
    test_cutter();
    test_augment();
    test_ensemble();
    return check_exit();
}
