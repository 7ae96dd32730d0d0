/* sgns — skip-gram with negative sampling; see sgns.h. */
#include "sgns.h"

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "parallel.h"
#include "rng.h"
#include "tensor.h"
#include "text.h"

#define SIGMOID_MAX 6       /* beyond +-6 the pair is skipped, as gensim does */
#define SIGMOID_TABLE 1000
#define REPORT_EVERY 10000  /* words between learning-rate updates */
#define REPORT_SECONDS 0.1  /* between progress reports */

void sgns_defaults(sgns_config *c)
{
    memset(c, 0, sizeof *c);
    c->dim = 100;
    c->window = 5;
    c->negative = 5;
    c->min_count = 5;
    c->sample = 1e-3;
    c->epochs = 5;
    c->alpha = 0.025;
    c->min_alpha = 0.0001;
    c->threads = 1;
    c->seed = 1;
}

void sgns_free(sgns_model *m)
{
    word_index_free(&m->vocab);
    free(m->count);
    free(m->corpus);
    free(m->in);
    free(m->out);
    memset(m, 0, sizeof *m);
}

/* ---- the vocabulary and the encoded corpus ---- */

typedef struct {
    int32_t *a;
    size_t n, cap;
} ids;

static int push(ids *v, int32_t x)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? 2 * v->cap : 1 << 16;
        int32_t *a = realloc(v->a, cap * sizeof *a);
        if (!a)
            return -1;
        v->a = a;
        v->cap = cap;
    }
    v->a[v->n++] = x;
    return 0;
}

static int is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

static int valid_utf8(const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        int cp, k = s[i] ? utf8_decode(s + i, n - i, &cp) : -1;
        if (k < 0)
            return 0;
        i += (size_t)k;
    }
    return 1;
}

/* First pass: every word numbered in order of first appearance, counted,
 * and the corpus as those numbers (-1 after each sentence). */
static int read_corpus(const char *text, size_t size, word_index *all, long **count, ids *corpus,
                       long *words, char *err)
{
    const char *p = text, *end = text + size;
    long cap = 0, line = 1;
    int in_sentence = 0, raw = 0;
    *words = 0;
    while (p < end) {
        if (*p == '\n' || is_blank(*p)) {
            if (*p == '\n') {
                line++;
                if (in_sentence && push(corpus, -1) < 0)
                    return err_set(err, "out of memory");
                in_sentence = raw = 0;
            }
            p++;
            continue;
        }
        const char *w = p;
        while (p < end && *p != '\n' && !is_blank(*p))
            p++;
        int added;
        long id = word_index_add(all, w, (size_t)(p - w), &added);
        if (id < 0)
            return err_set(err, "out of memory");
        if (added) {
            if (!valid_utf8(w, (size_t)(p - w)))
                return err_set(err, "line %ld: not valid UTF-8 text", line);
            if (id >= cap) {
                cap = cap ? 2 * cap : 1 << 16;
                long *c = realloc(*count, (size_t)cap * sizeof *c);
                if (!c)
                    return err_set(err, "out of memory");
                *count = c;
            }
            (*count)[id] = 0;
        }
        (*count)[id]++;
        (*words)++;
        in_sentence = 1;
        if (push(corpus, (int32_t)id) < 0)
            return err_set(err, "out of memory");
        if (++raw == SGNS_MAX_SENTENCE) {
            if (push(corpus, -1) < 0)
                return err_set(err, "out of memory");
            in_sentence = raw = 0;
        }
    }
    if (in_sentence && push(corpus, -1) < 0)
        return err_set(err, "out of memory");
    return 0;
}

static const long *sort_counts;

/* Most frequent first; equal counts in order of first appearance. */
static int by_count(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    if (sort_counts[x] != sort_counts[y])
        return sort_counts[x] > sort_counts[y] ? -1 : 1;
    return x < y ? -1 : x > y;
}

int sgns_vocab(sgns_model *m, const char *text, size_t size, const sgns_config *c, char *err)
{
    memset(m, 0, sizeof *m);
    word_index all;
    long *count = NULL, *order = NULL, *renumber = NULL;
    ids corpus = {0};
    int rc = -1;
    if (word_index_init(&all, 1 << 16, 1 << 20) < 0) {
        err_set(err, "out of memory");
        goto out;
    }
    if (read_corpus(text, size, &all, &count, &corpus, &m->corpus_words, err) < 0)
        goto out;
    order = malloc((size_t)(all.n + 1) * sizeof *order);
    renumber = malloc((size_t)(all.n + 1) * sizeof *renumber);
    if (!order || !renumber) {
        err_set(err, "out of memory");
        goto out;
    }
    long kept = 0;
    for (long i = 0; i < all.n; i++) {
        renumber[i] = -1;
        if (count[i] >= c->min_count)
            order[kept++] = i;
    }
    if (kept == 0) {
        err_set(err, "no word occurs %ld times or more (--min-count)", c->min_count);
        goto out;
    }
    sort_counts = count;
    qsort(order, (size_t)kept, sizeof *order, by_count);
    m->count = malloc((size_t)kept * sizeof *m->count);
    if (!m->count || word_index_init(&m->vocab, kept, 0) < 0) {
        err_set(err, "out of memory");
        goto out;
    }
    for (long r = 0; r < kept; r++) {
        int added;
        long o = order[r];
        if (word_index_add(&m->vocab, word_index_word(&all, o), word_index_len(&all, o), &added) < 0) {
            err_set(err, "out of memory");
            goto out;
        }
        renumber[o] = r;
        m->count[r] = count[o];
        m->train_words += count[o];
    }
    /* the corpus in the new numbers, dropped words and empty sentences gone */
    size_t w = 0;
    for (size_t i = 0; i < corpus.n; i++) {
        int32_t x = corpus.a[i];
        if (x < 0) {
            if (w > 0 && corpus.a[w - 1] >= 0)
                corpus.a[w++] = -1;
        } else if (renumber[x] >= 0) {
            corpus.a[w++] = (int32_t)renumber[x];
        }
    }
    m->corpus = corpus.a;
    m->corpus_len = w;
    corpus.a = NULL;
    rc = 0;
out:
    word_index_free(&all);
    free(count);
    free(order);
    free(renumber);
    free(corpus.a);
    if (rc < 0)
        sgns_free(m);
    return rc;
}

/* ---- training ---- */

/* Noise words by Walker's alias method: O(1) per draw. */
typedef struct {
    uint64_t *threshold; /* keep i when the low 32 random bits are below */
    uint32_t *alias;
    uint32_t n;
} noise_table;

static int noise_build(noise_table *t, const long *count, long n)
{
    t->n = (uint32_t)n;
    t->threshold = malloc((size_t)n * sizeof *t->threshold);
    t->alias = malloc((size_t)n * sizeof *t->alias);
    double *p = malloc((size_t)n * sizeof *p);
    long *small = malloc((size_t)n * sizeof *small), *large = malloc((size_t)n * sizeof *large);
    if (!t->threshold || !t->alias || !p || !small || !large) {
        free(p), free(small), free(large);
        return -1;
    }
    double total = 0;
    for (long i = 0; i < n; i++)
        total += p[i] = pow((double)count[i], 0.75);
    long ns = 0, nl = 0;
    for (long i = 0; i < n; i++) {
        p[i] *= (double)n / total;
        t->alias[i] = (uint32_t)i;
        if (p[i] < 1)
            small[ns++] = i;
        else
            large[nl++] = i;
    }
    while (ns && nl) {
        long s = small[--ns], l = large[nl - 1];
        t->threshold[s] = (uint64_t)(p[s] * 4294967296.0);
        t->alias[s] = (uint32_t)l;
        p[l] -= 1 - p[s];
        if (p[l] < 1) {
            nl--;
            small[ns++] = l;
        }
    }
    while (nl)
        t->threshold[large[--nl]] = UINT64_C(1) << 32;
    while (ns)
        t->threshold[small[--ns]] = UINT64_C(1) << 32;
    free(p), free(small), free(large);
    return 0;
}

static inline uint32_t noise_draw(const noise_table *t, rng *r)
{
    uint64_t x = rng_next(r);
    uint32_t i = (uint32_t)(((x >> 32) * t->n) >> 32);
    return (x & 0xFFFFFFFFu) < t->threshold[i] ? i : t->alias[i];
}

typedef struct {
    sgns_model *m;
    const sgns_config *c;
    const noise_table *noise;
    const uint64_t *keep;      /* subsampling: keep when a 32-bit draw is below */
    size_t begin, end;
    sgns_thread *at;           /* where it stands: read at the start, written back */
    rng r;                     /* at->r while it runs */
    long every;                /* steps before it pauses; 0: none */
    long *done;                /* shared: words processed, all threads */
    long total;
    volatile sig_atomic_t *stop;
    sgns_report report;        /* share 0's, on the calling thread; else NULL */
    void *ctx;
    double last;               /* when it last reported */
    int failed;                /* out of memory */
} worker;

static double learning_rate(const sgns_config *c, long done, long total)
{
    double a = c->alpha - (c->alpha - c->min_alpha) * (double)done / (double)total;
    return a > c->min_alpha ? a : c->min_alpha;
}

static float sigmoid_table[SIGMOID_TABLE + 1];

static void sigmoid_init(void)
{
    for (int i = 0; i <= SIGMOID_TABLE; i++) {
        double x = ((double)i / SIGMOID_TABLE * 2 - 1) * SIGMOID_MAX;
        sigmoid_table[i] = (float)(1 / (1 + exp(-x)));
    }
}

void sgns_step(float *in, float *const *out, const float *label, int n, int dim, float alpha,
               float *grad)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, sigmoid_init);
    memset(grad, 0, (size_t)dim * sizeof *grad);
    for (int i = 0; i < n; i++) {
        float f = vec_dot(in, out[i], dim);
        if (f <= -SIGMOID_MAX || f >= SIGMOID_MAX)
            continue;
        /* (the scale in floating point: word2vec.c's integer 1000 / 6 / 2 = 83
         * evaluates the sigmoid at 0.996 f - 0.024; gensim's is 83.33) */
        float s = sigmoid_table[(int)((f + SIGMOID_MAX) * ((float)SIGMOID_TABLE / SIGMOID_MAX / 2))];
        float g = (label[i] - s) * alpha;
        vec_axpy(g, out[i], grad, dim);
        vec_axpy(g, in, out[i], dim);
    }
    vec_axpy(1, grad, in, dim);
}

/* Predict center from context: one positive, `negative` noise words (a
 * draw of the center itself is skipped, as word2vec does). */
static void train_pair(worker *w, int32_t center, int32_t context, float alpha, float *grad)
{
    int dim = w->m->dim, n = 0;
    float *rows[SGNS_NEGATIVE_MAX + 1], label[SGNS_NEGATIVE_MAX + 1];
    for (int d = 0; d <= w->c->negative; d++) {
        uint32_t target = d == 0 ? (uint32_t)center : noise_draw(w->noise, &w->r);
        if (d > 0 && target == (uint32_t)center)
            continue;
        rows[n] = w->m->out + (size_t)target * dim;
        label[n++] = d == 0;
    }
    sgns_step(w->m->in + (size_t)context * dim, rows, label, n, dim, alpha, grad);
}

static void train_sentence(worker *w, const int32_t *sen, int len, float alpha, float *grad)
{
    int window = w->c->window;
    for (int i = 0; i < len; i++) {
        int b = (int)(rng_next(&w->r) % (uint64_t)window);
        int lo = i - window + b, hi = i + window + 1 - b;
        if (lo < 0)
            lo = 0;
        if (hi > len)
            hi = len;
        for (int j = lo; j < hi; j++)
            if (j != i)
                train_pair(w, sen[i], sen[j], alpha, grad);
    }
}

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* The next sentence of the share from at->pos: its kept words into sen,
 * the words read counted in at->pending; returns how many were kept. */
static int read_sentence(worker *w, int32_t *sen)
{
    const int32_t *corpus = w->m->corpus;
    sgns_thread *at = w->at;
    size_t p = at->pos;
    int len = 0;
    for (; p < w->end && corpus[p] >= 0; p++, at->pending++) {
        int32_t id = corpus[p];
        if ((rng_next(&w->r) & 0xFFFFFFFFu) < w->keep[id] && len < SGNS_MAX_SENTENCE)
            sen[len++] = id;
    }
    at->pos = p + 1; /* past the sentence's end */
    return len;
}

/* Every REPORT_EVERY words: add them to done, and update the learning
 * rate (a step). */
static void take_step(worker *w)
{
    sgns_thread *at = w->at;
    long done = __atomic_add_fetch(w->done, at->pending, __ATOMIC_RELAXED);
    at->pending = 0;
    at->alpha = (float)learning_rate(w->c, done, w->total);
    if (w->report && seconds() - w->last >= REPORT_SECONDS) {
        w->last = seconds();
        w->report(w->ctx, done, w->total, learning_rate(w->c, done, w->total));
    }
}

static void *worker_run(void *arg)
{
    worker *w = arg;
    sgns_thread *at = w->at;
    int32_t *sen = malloc(SGNS_MAX_SENTENCE * sizeof *sen);
    float *grad = malloc((size_t)w->m->dim * sizeof *grad);
    if (!sen || !grad) {
        w->failed = 1;
        free(sen);
        free(grad);
        return NULL;
    }
    w->r = at->r;
    long steps = 0;
    while (at->epoch < w->c->epochs && !*w->stop && !(w->every && steps == w->every)) {
        if (at->pos >= w->end) {
            at->epoch++;
            at->pos = w->begin;
            continue;
        }
        int len = read_sentence(w, sen);
        train_sentence(w, sen, len, at->alpha, grad);
        if (at->pending >= REPORT_EVERY) {
            take_step(w);
            steps++;
        }
    }
    if (at->epoch == w->c->epochs) {
        __atomic_add_fetch(w->done, at->pending, __ATOMIC_RELAXED);
        at->pending = 0;
    }
    at->r = w->r;
    free(sen);
    free(grad);
    return NULL;
}

/* Where each thread's share of the corpus starts: at a sentence start. */
static size_t share_start(const sgns_model *m, int t, int threads)
{
    size_t p = m->corpus_len / (size_t)threads * (size_t)t;
    if (t == 0)
        return 0;
    while (p < m->corpus_len && m->corpus[p - 1] >= 0)
        p++;
    return p;
}

void sgns_share(const sgns_model *m, int t, int threads, size_t *begin, size_t *end)
{
    *begin = share_start(m, t, threads);
    *end = t == threads - 1 ? m->corpus_len : share_start(m, t + 1, threads);
}

/* The noise and subsampling tables. */
static int tables(const sgns_model *m, const sgns_config *c, noise_table *noise, uint64_t **keep)
{
    long n = m->vocab.n;
    *keep = malloc((size_t)n * sizeof **keep);
    if (!*keep || noise_build(noise, m->count, n) < 0)
        return -1;
    double threshold = c->sample * (double)m->train_words;
    for (long i = 0; i < n; i++) {
        double p = 1;
        if (c->sample > 0) {
            double f = (double)m->count[i];
            p = (sqrt(f / threshold) + 1) * threshold / f;
        }
        (*keep)[i] = p >= 1 ? UINT64_C(1) << 32 : (uint64_t)llround(p * 4294967296.0);
    }
    return 0;
}

int sgns_start(sgns_model *m, const sgns_config *c, sgns_state *s, char *err)
{
    long n = m->vocab.n;
    memset(s, 0, sizeof *s);
    m->dim = c->dim;
    m->in = malloc((size_t)n * c->dim * sizeof *m->in);
    m->out = calloc((size_t)n * c->dim, sizeof *m->out);
    s->t = calloc((size_t)c->threads, sizeof *s->t);
    if (!m->in || !m->out || !s->t)
        return err_set(err, "out of memory");
    rng r;
    rng_seed(&r, c->seed);
    for (size_t i = 0; i < (size_t)n * c->dim; i++)
        m->in[i] = (2 * rng_uniform(&r) - 1) / (float)c->dim; /* gensim 4; word2vec.c: half */
    s->threads = c->threads;
    s->total = m->train_words * c->epochs;
    for (int t = 0; t < c->threads; t++) {
        size_t end;
        sgns_share(m, t, c->threads, &s->t[t].pos, &end);
        s->t[t].alpha = (float)c->alpha;
        rng_seed(&s->t[t].r, c->seed + 0x9E3779B97F4A7C15ull * (uint64_t)(t + 1));
    }
    return 0;
}

int sgns_finished(const sgns_config *c, const sgns_state *s)
{
    for (int t = 0; t < s->threads; t++)
        if (s->t[t].epoch < c->epochs)
            return 0;
    return 1;
}

void sgns_state_free(sgns_state *s)
{
    free(s->t);
    memset(s, 0, sizeof *s);
}

int sgns_train(sgns_model *m, const sgns_config *c, sgns_state *s, long every, sgns_report report,
               void *ctx, volatile sig_atomic_t *stop, char *err)
{
    noise_table noise = {0};
    uint64_t *keep = NULL;
    worker *w = calloc((size_t)c->threads, sizeof *w);
    int rc = -1;
    static volatile sig_atomic_t never;
    if (!w || tables(m, c, &noise, &keep) < 0) {
        err_set(err, "out of memory");
        goto out;
    }
    for (int t = 0; t < c->threads; t++) {
        w[t] = (worker){m, c, &noise, keep, 0, 0, &s->t[t], {{0}}, every, &s->done, s->total,
                        stop ? stop : &never, NULL, NULL, 0, 0};
        sgns_share(m, t, c->threads, &w[t].begin, &w[t].end);
    }
    w[0].report = report;
    w[0].ctx = ctx;
    w[0].last = seconds();
    parallel_run(c->threads, worker_run, w, sizeof *w);
    for (int t = 0; t < c->threads; t++)
        if (w[t].failed) {
            err_set(err, "out of memory");
            goto out;
        }
    m->trained_words = s->done;
    for (int t = 0; t < c->threads; t++)
        m->trained_words += s->t[t].pending;
    if (report && (sgns_finished(c, s) || (stop && *stop)))
        report(ctx, s->done, s->total, learning_rate(c, s->done, s->total));
    rc = 0;
out:
    free(noise.threshold);
    free(noise.alias);
    free(keep);
    free(w);
    return rc;
}
