/* vecops — cosine, searches, bias direction, debiasing; see vecops.h. */
#include "vecops.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parallel.h"
#include "tensor.h"

double vec_cosine(const float *u, const float *v, int dim)
{
    double uv = 0, uu = 0, vv = 0;
    for (int k = 0; k < dim; k++) {
        uv += (double)u[k] * v[k];
        uu += (double)u[k] * u[k];
        vv += (double)v[k] * v[k];
    }
    return uu > 0 && vv > 0 ? uv / (sqrt(uu) * sqrt(vv)) : 0;
}

double vec_pearson(const double *x, const double *y, long n)
{
    if (n < 2)
        return NAN;
    double mx = 0, my = 0, sxy = 0, sxx = 0, syy = 0;
    for (long i = 0; i < n; i++) {
        mx += x[i];
        my += y[i];
    }
    mx /= n;
    my /= n;
    for (long i = 0; i < n; i++) {
        sxy += (x[i] - mx) * (y[i] - my);
        sxx += (x[i] - mx) * (x[i] - mx);
        syy += (y[i] - my) * (y[i] - my);
    }
    return sxx > 0 && syy > 0 ? sxy / sqrt(sxx * syy) : NAN;
}

typedef struct {
    double value;
    long index;
} ranked;

static int by_value(const void *a, const void *b)
{
    const ranked *p = a, *q = b;
    return p->value < q->value ? -1 : p->value > q->value;
}

/* The ranks (1-based) of x's values into r, ties sharing their mean. */
static int rank(const double *x, long n, double *r)
{
    ranked *s = malloc((size_t)n * sizeof *s);
    if (!s)
        return -1;
    for (long i = 0; i < n; i++)
        s[i] = (ranked){x[i], i};
    qsort(s, (size_t)n, sizeof *s, by_value);
    for (long i = 0, j; i < n; i = j) {
        for (j = i + 1; j < n && s[j].value == s[i].value; j++)
            ;
        for (long k = i; k < j; k++)
            r[s[k].index] = (i + 1 + j) / 2.0; /* the mean of ranks i+1 .. j */
    }
    free(s);
    return 0;
}

double vec_spearman(const double *x, const double *y, long n)
{
    double *rx = malloc((size_t)(n > 0 ? n : 1) * 2 * sizeof *rx), *ry = rx + (n > 0 ? n : 1);
    double rho = rx && rank(x, n, rx) == 0 && rank(y, n, ry) == 0 ? vec_pearson(rx, ry, n) : NAN;
    free(rx);
    return rho;
}

double vec_cosine_d(const double *u, const double *v, int dim)
{
    double uv = 0, uu = 0, vv = 0;
    for (int k = 0; k < dim; k++) {
        uv += u[k] * v[k];
        uu += u[k] * u[k];
        vv += v[k] * v[k];
    }
    return uu > 0 && vv > 0 ? uv / (sqrt(uu) * sqrt(vv)) : 0;
}

float *vectors_norms(const vectors *v, long n)
{
    float *norms = malloc((size_t)(n > 0 ? n : 1) * sizeof *norms);
    if (!norms)
        return NULL;
    for (long i = 0; i < n; i++) {
        const float *row = vectors_row(v, i);
        double s = 0;
        for (int k = 0; k < v->dim; k++)
            s += (double)row[k] * row[k];
        norms[i] = (float)sqrt(s);
    }
    return norms;
}

void vectors_unit(const vectors *v, const float *norms, long i, float *out)
{
    const float *row = vectors_row(v, i);
    for (int k = 0; k < v->dim; k++)
        out[k] = norms[i] > 0 ? row[k] / norms[i] : 0;
}

/* ---- searching ---- */

#define TOP_CHUNK 2048

static int skipped(const long *skip, int nskip, long idx)
{
    for (int s = 0; s < nskip; s++)
        if (skip[s] == idx)
            return 1;
    return 0;
}

/* Insert (idx, score) into the sorted list hits[k] if it belongs there. */
static void keep_best(vec_hit *hits, int k, long idx, float score)
{
    if (!(score > hits[k - 1].score) && hits[k - 1].index >= 0)
        return;
    int p = k - 1;
    while (p > 0 && (hits[p - 1].index < 0 || score > hits[p - 1].score)) {
        hits[p] = hits[p - 1];
        p--;
    }
    hits[p].index = idx;
    hits[p].score = score;
}

typedef struct {
    double dc, dnorm, cc; /* VS_COURSE: d.c, |d|, |c|^2 */
} query_consts;

static void course_consts(const float *d, const float *c, int dim, query_consts *qc)
{
    double dc = 0, dd = 0, cc = 0;
    for (int k = 0; k < dim; k++) {
        dc += (double)d[k] * c[k];
        dd += (double)d[k] * d[k];
        cc += (double)c[k] * c[k];
    }
    qc->dc = dc;
    qc->dnorm = sqrt(dd);
    qc->cc = cc;
}

/* Score of row idx for one query; s points at its m dot products, spaced
 * by stride. */
static float score_of(vec_score how, const float *s, size_t stride, float norm, const query_consts *qc)
{
    if (norm <= 0)
        return -INFINITY;
    switch (how) {
    case VS_COSINE:
        return s[0] / norm;
    case VS_3COSMUL: {
        float ca = (1 + s[0] / norm) / 2, cb = (1 + s[stride] / norm) / 2;
        float cc = (1 + s[2 * stride] / norm) / 2;
        return cb * cc / (ca + 0.001f);
    }
    case VS_COURSE: {
        double wc = s[stride], ww = (double)norm * norm;
        double den = qc->dnorm * sqrt(fmax(ww - 2 * wc + qc->cc, 0));
        return den > 0 ? (float)((s[0] - qc->dc) / den) : -INFINITY;
    }
    }
    return -INFINITY;
}

/* One thread's share of a search: rows [begin, end), its own best lists. */
typedef struct {
    const vectors *v;
    const float *norms, *Q;
    vec_score how;
    int nq, m, nskip, k;
    const long *skip;
    const query_consts *qc;
    long begin, end;
    vec_hit *hits;
    int failed;
} top_share;

static void *top_run(void *arg)
{
    top_share *t = arg;
    int dim = t->v->dim, k = t->k;
    float *S = malloc((size_t)t->nq * (size_t)t->m * TOP_CHUNK * sizeof *S);
    float *scratch = malloc((size_t)dim * TOP_CHUNK * sizeof *scratch);
    if (!S || !scratch) {
        free(S);
        free(scratch);
        t->failed = 1;
        return NULL;
    }
    for (int j = 0; j < t->nq * k; j++)
        t->hits[j] = (vec_hit){-1, -INFINITY};
    for (long r0 = t->begin; r0 < t->end; r0 += TOP_CHUNK) {
        int rows = t->end - r0 < TOP_CHUNK ? (int)(t->end - r0) : TOP_CHUNK;
        mat_dots(t->nq * t->m, rows, dim, t->Q, vectors_row(t->v, r0), S, scratch);
        for (int j = 0; j < t->nq; j++) {
            vec_hit *h = t->hits + (size_t)j * k;
            const long *sk = t->skip ? t->skip + (size_t)j * t->nskip : NULL;
            const float *s = S + (size_t)j * t->m * rows;
            for (int r = 0; r < rows; r++) {
                float sc = score_of(t->how, s + r, (size_t)rows, t->norms[r0 + r], &t->qc[j]);
                if ((sc > h[k - 1].score || h[k - 1].index < 0) && sc == sc &&
                    !skipped(sk, sk ? t->nskip : 0, r0 + r))
                    keep_best(h, k, r0 + r, sc);
            }
        }
    }
    free(S);
    free(scratch);
    return NULL;
}

/* Better: a higher score, or the same score and an earlier row (the order
 * one thread scanning in row order keeps), so merging is exact. */
static int better(const vec_hit *a, const vec_hit *b)
{
    if (a->index < 0)
        return 0;
    if (b->index < 0)
        return 1;
    return a->score > b->score || (a->score == b->score && a->index < b->index);
}

/* Without a thread count: the cores, up to this many. */
#define TOP_THREADS_AUTO 8

/* How many shares a search gets: one for a small search; else threads
 * (0: the cores, up to TOP_THREADS_AUTO), each of TOP_CHUNK rows or more. */
static int top_shares(long limit, int nq, int m, int dim, int threads)
{
    if (threads <= 0) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        threads = cores < 1 ? 1 : cores > TOP_THREADS_AUTO ? TOP_THREADS_AUTO : (int)cores;
    }
    if (threads > PARALLEL_MAX)
        threads = PARALLEL_MAX;
    int n = (double)limit * nq * m * dim > 4e6 && threads > 1 ? threads : 1;
    if (n > 1 && limit / n < TOP_CHUNK)
        n = (int)(limit / TOP_CHUNK) + 1;
    return n;
}

int vectors_top(const vectors *v, const float *norms, long limit, vec_score how,
                const float *Q, int nq, const long *skip, int nskip, int k, int threads,
                vec_hit *hits)
{
    int m = vec_score_rows(how), dim = v->dim;
    if (limit > v->n)
        limit = v->n;
    /* big searches on several threads, in contiguous shares of rows */
    int n = top_shares(limit, nq, m, dim, threads), rc = -1;
    query_consts *qc = calloc((size_t)nq, sizeof *qc);
    vec_hit *part = malloc((size_t)n * nq * k * sizeof *part);
    top_share *sh = malloc((size_t)n * sizeof *sh);
    int *pos = malloc((size_t)n * sizeof *pos);
    if (!qc || !part || !sh || !pos)
        goto out;
    for (int j = 0; how == VS_COURSE && j < nq; j++)
        course_consts(Q + (size_t)j * 2 * dim, Q + ((size_t)j * 2 + 1) * dim, dim, &qc[j]);
    for (int t = 0; t < n; t++) {
        long b = limit / n * t, e = t == n - 1 ? limit : limit / n * (t + 1);
        sh[t] = (top_share){v, norms, Q, how, nq, m, nskip, k, skip, qc, b, e,
                            part + (size_t)t * nq * k, 0};
    }
    parallel_run(n, top_run, sh, sizeof *sh);
    for (int t = 0; t < n; t++)
        if (sh[t].failed)
            goto out;
    for (int j = 0; j < nq; j++) {
        memset(pos, 0, (size_t)n * sizeof *pos);
        for (int i = 0; i < k; i++) {
            int from = -1;
            for (int t = 0; t < n; t++) {
                const vec_hit *c = &sh[t].hits[(size_t)j * k + pos[t]];
                if (pos[t] < k && (from < 0 || better(c, &sh[from].hits[(size_t)j * k + pos[from]])))
                    from = t;
            }
            hits[(size_t)j * k + i] = sh[from].hits[(size_t)j * k + pos[from]];
            pos[from]++;
        }
    }
    rc = 0;
out:
    free(qc);
    free(part);
    free(sh);
    free(pos);
    return rc;
}

void analogy_vectors(const vectors *v, const float *norms, vec_score how, long a, long b,
                          long c, float *Q, float *tmp)
{
    int dim = v->dim;
    if (how == VS_COURSE) {
        const float *ea = vectors_row(v, a), *eb = vectors_row(v, b), *ec = vectors_row(v, c);
        for (int d = 0; d < dim; d++) {
            Q[d] = eb[d] - ea[d];
            Q[dim + d] = ec[d];
        }
        return;
    }
    if (how == VS_3COSMUL) {
        vectors_unit(v, norms, a, Q);
        vectors_unit(v, norms, b, Q + dim);
        vectors_unit(v, norms, c, Q + 2 * dim);
        return;
    }
    /* 3CosAdd, step by step as gensim's most_similar does it in float32:
     * the mean of unit b, unit c and -unit a, scaled to unit length. */
    float *ua = tmp, *ub = tmp + dim, *uc = tmp + 2 * dim;
    vectors_unit(v, norms, a, ua);
    vectors_unit(v, norms, b, ub);
    vectors_unit(v, norms, c, uc);
    double ss = 0;
    for (int d = 0; d < dim; d++) {
        float s = ub[d] + uc[d];
        s = s + -ua[d];
        Q[d] = s / 3.0f;
        ss += (double)Q[d] * Q[d];
    }
    float len = (float)sqrt(ss);
    float scale = (float)(1.0 / (double)len);
    for (int d = 0; d < dim; d++)
        Q[d] = len > 0 ? Q[d] * scale : 0;
}

int vec_score_rows(vec_score how) { return how == VS_3COSMUL ? 3 : how == VS_COURSE ? 2 : 1; }

/* ---- bias ---- */

/* The leading eigenvector of the symmetric dim x dim matrix C by power
 * iteration from start (which also fixes its sign).  0, or -1 when out of
 * memory. */
static int leading_eigenvector(const double *C, int dim, const double *start, double *g)
{
    double *next = malloc((size_t)dim * sizeof *next);
    if (!next)
        return -1;
    memcpy(g, start, (size_t)dim * sizeof *g);
    for (int it = 0; it < 10000; it++) {
        double nn = 0, change = 0;
        for (int i = 0; i < dim; i++) {
            double s = 0;
            for (int j = 0; j < dim; j++)
                s += C[(size_t)i * dim + j] * g[j];
            next[i] = s;
            nn += s * s;
        }
        nn = sqrt(nn);
        if (nn == 0)
            break;
        for (int i = 0; i < dim; i++) {
            next[i] /= nn;
            change += fabs(next[i] - g[i]);
            g[i] = next[i];
        }
        if (change < 1e-13)
            break;
    }
    free(next);
    return 0;
}

int bias_direction(const vectors *v, const long *a, const long *b, int npairs, int pca, double *g,
                   char *err)
{
    int dim = v->dim;
    double norm = 0;
    memset(g, 0, (size_t)dim * sizeof *g);
    for (int p = 0; p < npairs; p++)
        for (int k = 0; k < dim; k++)
            g[k] += ((double)vectors_row(v, b[p])[k] - vectors_row(v, a[p])[k]) / npairs;
    for (int k = 0; k < dim; k++)
        norm += g[k] * g[k];
    if (norm == 0)
        return err_set(err, "the pairs give no bias direction (every pair's words have the same vector)");
    if (!pca)
        return 0;
    double *C = calloc((size_t)dim * dim, sizeof *C), *x = malloc((size_t)dim * sizeof *x);
    double *mean = malloc((size_t)dim * sizeof *mean);
    int rc = -1;
    if (!C || !x || !mean)
        goto out;
    /* rows: each member minus its pair's centre, a_i - c_i = -(b_i - c_i) */
    for (int p = 0; p < npairs; p++) {
        for (int k = 0; k < dim; k++)
            x[k] = ((double)vectors_row(v, b[p])[k] - vectors_row(v, a[p])[k]) / 2;
        for (int i = 0; i < dim; i++)
            for (int j = 0; j < dim; j++)
                C[(size_t)i * dim + j] += 2 * x[i] * x[j];
    }
    memcpy(mean, g, (size_t)dim * sizeof *mean);
    if (leading_eigenvector(C, dim, mean, g) < 0)
        goto out;
    double dot = 0;
    for (int k = 0; k < dim; k++)
        dot += g[k] * mean[k];
    if (dot < 0)
        for (int k = 0; k < dim; k++)
            g[k] = -g[k];
    rc = 0;
out:
    free(C);
    free(x);
    free(mean);
    return rc < 0 ? err_set(err, "out of memory") : 0;
}

/* (e.g / |g|^2): the coefficient of e's projection on g. */
static double along(const double *e, const double *g, int dim)
{
    double eg = 0, gg = 0;
    for (int k = 0; k < dim; k++) {
        eg += e[k] * g[k];
        gg += g[k] * g[k];
    }
    return gg > 0 ? eg / gg : 0;
}

/* along() of a float vector, in the same double arithmetic. */
static double along_f(const float *e, const double *g, int dim)
{
    double eg = 0, gg = 0;
    for (int k = 0; k < dim; k++) {
        eg += (double)e[k] * g[k];
        gg += g[k] * g[k];
    }
    return gg > 0 ? eg / gg : 0;
}

void vec_neutralize(float *e, const double *g, int dim)
{
    double c = along_f(e, g, dim);
    for (int k = 0; k < dim; k++)
        e[k] = (float)((double)e[k] - c * g[k]);
}

int vec_equalize(float *e1, float *e2, const double *g, int dim)
{
    double *w1 = malloc(4 * (size_t)dim * sizeof *w1);
    if (!w1)
        return -1;
    double *w2 = w1 + dim, *mu = w2 + dim, *mu_orth = mu + dim;
    for (int k = 0; k < dim; k++) {
        w1[k] = e1[k];
        w2[k] = e2[k];
        mu[k] = (w1[k] + w2[k]) / 2;
    }
    double cm = along(mu, g, dim), c1 = along(w1, g, dim), c2 = along(w2, g, dim);
    double orth2 = 0, r1 = 0, r2 = 0;
    for (int k = 0; k < dim; k++) {
        mu_orth[k] = mu[k] - cm * g[k];
        orth2 += mu_orth[k] * mu_orth[k];
        double d1 = w1[k] - mu_orth[k] - cm * g[k], d2 = w2[k] - mu_orth[k] - cm * g[k];
        r1 += d1 * d1;
        r2 += d2 * d2;
    }
    double scale = sqrt(fabs(1 - orth2));
    for (int k = 0; k < dim; k++) {
        double b1 = r1 > 0 ? scale * (c1 - cm) * g[k] / sqrt(r1) : 0;
        double b2 = r2 > 0 ? scale * (c2 - cm) * g[k] / sqrt(r2) : 0;
        e1[k] = (float)(b1 + mu_orth[k]);
        e2[k] = (float)(b2 + mu_orth[k]);
    }
    free(w1);
    return 0;
}
