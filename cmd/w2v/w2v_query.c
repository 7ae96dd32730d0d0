/* w2v_query — the queries of `seqtool w2v`: similarity, nearest words,
 * analogies (one or a stream; the test set is w2v_eval.c) and the bias
 * direction, each answered in batches through w2v_queries. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "w2v.h"

/* ---- similarity and bias: cosines of expressions ---- */

/* The expressions of a query: two for similarity (want 2), one for bias
 * (want 1).  0, or -1 with why. */
static int cosine_query(const vectors *v, char *query, expression *x, int want, char *why)
{
    const char *one = "one word or expression per query", *fault = NULL;
    char *tok[W2V_MAX_TOKENS];
    int ntok = w2v_split(query, tok, W2V_MAX_TOKENS), pos = 0;
    if (ntok < 0 || (want == 1 && ntok == 0))
        fault = want == 1 ? one : "too many words in one query";
    else if (w2v_expression(v, tok, ntok, &pos, &x[0], why) < 0)
        return -1;
    else if (want == 2 && pos == ntok)
        fault = "similarity needs two words or expressions";
    else if (want == 2 && w2v_expression(v, tok, ntok, &pos, &x[1], why) < 0)
        return -1;
    else if (pos < ntok)
        fault = want == 1 ? one : "more than two words or expressions";
    if (fault)
        snprintf(why, W2V_WHY, "%s", fault);
    return fault ? -1 : 0;
}

/* Each query's cosine: of its two expressions, or (bias) of its one with
 * g, the context; a line, or with --json an object. */
static void cosine_batch(const options *o, const vectors *v, void *ctx, char **q, int n, long first,
                         int *failed)
{
    const double *g = ctx;
    expression x[2] = {{.sum = malloc((size_t)v->dim * sizeof(double))},
                       {.sum = malloc((size_t)v->dim * sizeof(double))}};
    if (!x[0].sum || !x[1].sum)
        die("out of memory");
    for (int i = 0; i < n; i++) {
        char why[W2V_WHY];
        if (cosine_query(v, q[i], x, g ? 1 : 2, why) < 0) {
            w2v_query_failed(o, first > 0, first + i, why, failed);
            continue;
        }
        double cos = vec_cosine_d(x[0].sum, g ? g : x[1].sum, v->dim);
        if (o->json) {
            cJSON *j = cJSON_CreateObject();
            cJSON_AddStringToObject(j, g ? "word" : "a", x[0].text);
            if (!g)
                cJSON_AddStringToObject(j, "b", x[1].text);
            cJSON_AddNumberToObject(j, g ? "bias" : "similarity", cos);
            cli_print_json(j);
        } else {
            printf("%.8f\n", cos);
        }
    }
    free(x[0].sum);
    free(x[1].sum);
}

/* similarity and bias: the vectors, for bias the direction g, then the
 * queries. */
static int cosines(options *o, int argc, char **argv, int per_arg, int bias)
{
    w2v_check_stdin(o, argc, argv);
    vectors v;
    w2v_open(o, &v);
    double *g = bias ? w2v_bias_axis(o, &v) : NULL;
    int status = w2v_queries(o, &v, g, argc, argv, per_arg, cosine_batch);
    free(g);
    vectors_free(&v);
    return status;
}

/* --eval: a test set scored by eval instead of queries. */
static int test_set(const options *o, int argc, int (*eval)(const options *o, const vectors *v))
{
    if (argc > 0)
        die_usage("--eval takes no words");
    vectors v;
    w2v_open(o, &v);
    int status = eval(o, &v);
    vectors_free(&v);
    return status;
}

int w2v_similarity(void *opts, int argc, char **argv)
{
    options *o = opts;
    return o->questions ? test_set(o, argc, w2v_wordsim) : cosines(o, argc, argv, 0, 0);
}

int w2v_bias(void *opts, int argc, char **argv)
{
    return cosines(opts, argc, argv, !w2v_one_query(argc, argv), 1);
}

/* ---- nearest and analogy: scored in batches ---- */

/* A search: how its queries are scored, and how one query becomes the
 * rows of Q it is scored with (prepare: 0, or -1 with why). */
typedef struct search search;
struct search {
    vec_score how;
    int m, nskip, k;       /* rows of Q and skipped rows per query, hits */
    const char *key;       /* the JSON member of the hits */
    float *norms;
    long limit;
    expression e;          /* scratch: dim doubles */
    float *tmp;            /* scratch: 3 x dim floats */
    int (*prepare)(const options *o, const vectors *v, search *s, char *query, float *Q, long *skip,
                   cJSON *j, char *why);
};

/* One word or expression: its unit vector; its own words are skipped. */
static int nearest_prepare(const options *o, const vectors *v, search *s, char *query, float *Q,
                           long *skip, cJSON *j, char *why)
{
    char *tok[W2V_MAX_TOKENS];
    int dim = v->dim, ntok = w2v_split(query, tok, W2V_MAX_TOKENS), pos = 0;
    if (ntok <= 0) {
        snprintf(why, W2V_WHY, ntok < 0 ? "too many words in one query" : "no word");
        return -1;
    }
    if (w2v_expression(v, tok, ntok, &pos, &s->e, why) < 0)
        return -1;
    if (pos < ntok) {
        snprintf(why, W2V_WHY, "one word or expression per query");
        return -1;
    }
    double nn = 0;
    for (int d = 0; d < dim; d++)
        nn += s->e.sum[d] * s->e.sum[d];
    nn = sqrt(nn);
    for (int d = 0; d < dim; d++)
        Q[d] = nn > 0 ? (float)(s->e.sum[d] / nn) : 0;
    for (int r = 0; r < W2V_MAX_TOKENS; r++)
        skip[r] = r < s->e.nrows ? s->e.rows[r] : -1;
    if (j)
        cJSON_AddStringToObject(j, "query", s->e.text);
    return 0;
}

/* Three words A B C: the rows of --method; C (and, unless
 * --include-inputs, A and B) skipped. */
static int analogy_prepare(const options *o, const vectors *v, search *s, char *query, float *Q,
                           long *skip, cJSON *j, char *why)
{
    char *tok[W2V_MAX_TOKENS];
    if (w2v_split(query, tok, W2V_MAX_TOKENS) != 3) {
        snprintf(why, W2V_WHY, "an analogy is three words A B C (A:B :: C:?)");
        return -1;
    }
    long r[3];
    for (int w = 0; w < 3; w++)
        if ((r[w] = w2v_lookup(v, tok[w], why)) < 0)
            return -1;
    analogy_vectors(v, s->norms, s->how, r[0], r[1], r[2], Q, s->tmp);
    skip[0] = r[2];
    skip[1] = o->include_inputs ? -1 : r[0];
    skip[2] = o->include_inputs ? -1 : r[1];
    if (j) {
        cJSON_AddStringToObject(j, "a", vectors_word(v, r[0]));
        cJSON_AddStringToObject(j, "b", vectors_word(v, r[1]));
        cJSON_AddStringToObject(j, "c", vectors_word(v, r[2]));
    }
    return 0;
}

static void print_hits(const vectors *v, cJSON *j, const vec_hit *h, int k, const char *key)
{
    cJSON *arr = j ? cJSON_AddArrayToObject(j, key) : NULL;
    int printed = 0;
    for (int i = 0; i < k && h[i].index >= 0; i++) {
        if (j) {
            cJSON *e = cJSON_CreateObject();
            cJSON_AddStringToObject(e, "word", vectors_word(v, h[i].index));
            cJSON_AddNumberToObject(e, "score", h[i].score);
            cJSON_AddItemToArray(arr, e);
        } else {
            printf("%s%s %.6f", printed++ ? "\t" : "", vectors_word(v, h[i].index), h[i].score);
        }
    }
    if (j)
        cli_print_json(j);
    else
        putchar('\n');
}

/* The queries that parse are packed to the front of Q and scored by one
 * search; then every query's line, in order. */
static void search_batch(const options *o, const vectors *v, void *vctx, char **q, int n,
                         long first, int *failed)
{
    search *s = vctx;
    int dim = v->dim, k = s->k, nq = 0;
    float *Q = malloc((size_t)n * s->m * dim * sizeof *Q);
    long *skip = malloc((size_t)n * s->nskip * sizeof *skip);
    vec_hit *hits = malloc((size_t)n * k * sizeof *hits);
    int *slot = malloc((size_t)n * sizeof *slot);
    cJSON **json = calloc((size_t)n, sizeof *json);
    char (*why)[W2V_WHY] = malloc((size_t)n * sizeof *why);
    if (!Q || !skip || !hits || !slot || !json || !why)
        die("out of memory");
    for (int i = 0; i < n; i++) {
        slot[i] = -1;
        if (o->json && !(json[i] = cJSON_CreateObject()))
            die("out of memory");
        if (s->prepare(o, v, s, q[i], Q + (size_t)nq * s->m * dim, skip + (size_t)nq * s->nskip,
                       json[i], why[i]) == 0)
            slot[i] = nq++;
    }
    if (nq && vectors_top(v, s->norms, s->limit, s->how, Q, nq, skip, s->nskip, k, o->threads,
                          hits) < 0)
        die("out of memory");
    for (int i = 0; i < n; i++) {
        if (slot[i] < 0) {
            cJSON_Delete(json[i]);
            w2v_query_failed(o, first > 0, first + i, why[i], failed);
            continue;
        }
        print_hits(v, json[i], hits + (size_t)slot[i] * k, k, s->key);
    }
    free(Q), free(skip), free(hits), free(slot), free(json), free(why);
}

static int run_search(options *o, int argc, char **argv, search *s, int per_arg)
{
    vectors v;
    w2v_open(o, &v);
    s->norms = vectors_norms(&v, v.n);
    s->limit = o->restrict_vocab ? o->restrict_vocab : v.n;
    s->e.sum = malloc((size_t)v.dim * sizeof *s->e.sum);
    s->tmp = malloc(3 * (size_t)v.dim * sizeof *s->tmp);
    if (!s->norms || !s->e.sum || !s->tmp)
        die("out of memory");
    int status = w2v_queries(o, &v, s, argc, argv, per_arg, search_batch);
    free(s->norms);
    free(s->e.sum);
    free(s->tmp);
    vectors_free(&v);
    return status;
}

int w2v_nearest(void *opts, int argc, char **argv)
{
    options *o = opts;
    w2v_check_stdin(o, argc, argv);
    search s = {.how = VS_COSINE, .m = 1, .nskip = W2V_MAX_TOKENS, .k = o->k ? o->k : 10,
                .key = "nearest", .prepare = nearest_prepare};
    return run_search(o, argc, argv, &s, !w2v_one_query(argc, argv));
}

int w2v_analogy(void *opts, int argc, char **argv)
{
    options *o = opts;
    if (o->questions)
        return test_set(o, argc, w2v_eval);
    w2v_check_stdin(o, argc, argv);
    if (argc > 0 && !(argc == 1 && strcmp(argv[0], "-") == 0) && argc != 3)
        die_usage("analogy wants three words A B C (A:B :: C:?), or queries on standard input");
    search s = {.how = o->method, .m = vec_score_rows(o->method), .nskip = 3, .k = o->k ? o->k : 1,
                .key = "answers", .prepare = analogy_prepare};
    return run_search(o, argc, argv, &s, 0);
}

/* ---- the bias direction ---- */

void w2v_add_pair(const vectors *v, char *text, const char *where, long **a, long **b, int *n)
{
    char *sep = strchr(text, ':');
    char *tok[3];
    int nt;
    if (sep) {
        *sep = 0;
        tok[0] = text;
        tok[1] = sep + 1;
        nt = *tok[0] && *tok[1] && !strchr(tok[1], ':') ? 2 : 0;
    } else {
        nt = w2v_split(text, tok, 3);
    }
    if (nt != 2)
        die("%s: a pair is two words, 'A:B' or 'A B'", where);
    char why[W2V_WHY];
    long ra = w2v_lookup(v, tok[0], why), rb = ra >= 0 ? w2v_lookup(v, tok[1], why) : -1;
    if (ra < 0 || rb < 0)
        die("%s: %s", where, why);
    long *na = realloc(*a, (size_t)(*n + 1) * sizeof **a);
    if (!na)
        die("out of memory");
    *a = na;
    long *nb = realloc(*b, (size_t)(*n + 1) * sizeof **b);
    if (!nb)
        die("out of memory");
    *b = nb;
    (*a)[*n] = ra;
    (*b)[*n] = rb;
    (*n)++;
}

double *w2v_bias_axis(const options *o, const vectors *v)
{
    long *a = NULL, *b = NULL;
    int n = 0;
    if (o->pairs || !o->pairs_file) {
        char *list = strdup(o->pairs ? o->pairs : "man:woman");
        if (!list)
            die("out of memory");
        for (char *save, *p = strtok_r(list, ",", &save); p; p = strtok_r(NULL, ",", &save))
            w2v_add_pair(v, p, "--pairs", &a, &b, &n);
        free(list);
    }
    if (o->pairs_file) {
        text_lines t;
        cli_read_lines(o->pairs_file, W2V_LINE_MAX, &t);
        for (int i = 0; i < t.n; i++) {
            char where[600];
            snprintf(where, sizeof where, "'%s': line %d", cli_display_name(o->pairs_file), i + 1);
            if (!w2v_skip_line(t.line[i]))
                w2v_add_pair(v, t.line[i], where, &a, &b, &n);
        }
        text_lines_free(&t);
    }
    if (n == 0)
        die_usage("--pairs needs at least one pair A:B");
    double *g = malloc((size_t)v->dim * sizeof *g);
    char err[ERR_MAX];
    if (!g)
        die("out of memory");
    if (bias_direction(v, a, b, n, o->pca, g, err) < 0)
        die("%s", err);
    free(a);
    free(b);
    return g;
}
