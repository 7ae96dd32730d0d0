/* test_w2v — unit tests of the word-vector core: numbers as text, the word
 * index, vector files in every format, the searches and debiasing maths,
 * and skip-gram training (its step checked against a numerical gradient). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "rng.h"
#include "sgns.h"
#include "text.h"
#include "vecops.h"
#include "vectors.h"

static rng R;

static void test_float_text(void)
{
    long bad_round = 0, bad_parse = 0, longer = 0;
    char buf[FLOAT_TEXT_MAX], ref[64];
    for (long i = 0; i < 300000; i++) {
        uint32_t bits = (uint32_t)rng_next(&R);
        float x;
        memcpy(&x, &bits, 4);
        if (i % 2)
            x = (float)((double)(int64_t)(rng_next(&R) % 4000000) / 1e6 - 2.0);
        if (isnan(x))
            continue;
        int n = float_format(x, buf);
        float y, z = strtof(buf, NULL);
        const char *e = float_parse(buf, buf + n, &y);
        if (!e || e != buf + n || y != x || z != x)
            bad_round++;
        /* no longer than the shortest %.Ng that reads back (bar a few
         * representations that differ only in exponent style) */
        int p = 1;
        for (; p < 9; p++) {
            snprintf(ref, sizeof ref, "%.*g", p, (double)x);
            if (strtof(ref, NULL) == x)
                break;
        }
        if (p < 9 && n > (int)strlen(ref) + 2)
            longer++;
        /* decimals as vector files write them */
        int prec = (int)(rng_next(&R) % 9);
        snprintf(ref, sizeof ref, "%.*f", prec, (double)(int64_t)(rng_next(&R) % 200000001 - 100000000) / 1e4);
        float a = strtof(ref, NULL), b;
        if (!float_parse(ref, ref + strlen(ref), &b) || a != b)
            bad_parse++;
    }
    check(bad_round == 0, "float_format then float_parse and strtof give back every float (%ld wrong of 3e5)", bad_round);
    check(bad_parse == 0, "float_parse equals strtof on random decimals (%ld differ)", bad_parse);
    check(longer < 20, "float_format writes the shortest form (%ld of 3e5 longer than %%g's)", longer);
    const char *tricky[] = {"0.418", "-0.00066023", "1e-05", "3.4028235e38", "1e39", "-inf", "nan",
                            "1.", ".5", "7.038531e-26", "1.00000005960464477539", "0.000000000000000000000001",
                            "123456789012345678901234567890", "-0", "1e-45", "2.5e-46"};
    int same = 1;
    for (size_t i = 0; i < sizeof tricky / sizeof tricky[0]; i++) {
        float a = strtof(tricky[i], NULL), b;
        const char *e = float_parse(tricky[i], tricky[i] + strlen(tricky[i]), &b);
        if (!e || *e || (a != b && !(isnan(a) && isnan(b))) || signbit(a) != signbit(b)) {
            same = 0;
            printf("  %s: strtof %a, float_parse %a\n", tricky[i], a, b);
        }
    }
    check(same, "float_parse equals strtof on rounding edges, huge, tiny, signed zero, inf and nan");
    float row[4];
    int k;
    const char *line = "0.5 -1e2\t3 \r\nnext";
    const char *stop = float_parse_line(line, line + strlen(line), row, 4, &k);
    check(k == 3 && *stop == '\n' && row[1] == -100 && row[2] == 3, "float_parse_line stops at the newline");
    line = "1 2 x 4";
    stop = float_parse_line(line, line + strlen(line), row, 4, &k);
    check(k == 2 && *stop == 'x', "float_parse_line stops at the first non-number");
}

static void test_word_index(void)
{
    word_index wi;
    word_index_init(&wi, 0, 0);
    char w[32];
    int ok = 1, added;
    for (long i = 0; i < 100000; i++) {
        snprintf(w, sizeof w, "w%ld", i * 7919 % 100003);
        ok &= word_index_add(&wi, w, strlen(w), &added) == i && added;
    }
    for (long i = 0; i < 100000 && ok; i++) {
        snprintf(w, sizeof w, "w%ld", i * 7919 % 100003);
        ok &= word_index_find(&wi, w, strlen(w)) == i && word_index_add(&wi, w, strlen(w), &added) == i && !added;
        ok &= strcmp(word_index_word(&wi, i), w) == 0 && word_index_len(&wi, i) == strlen(w);
    }
    check(ok && wi.n == 100000, "word index: 100000 words added (growing), each found at its index");
    check(word_index_find(&wi, "w", 1) < 0 && word_index_find(&wi, "", 0) < 0, "word index: absent words are not found");
    /* adopting: its own arrays pass, damaged ones do not */
    word_index a;
    int adopt_ok = word_index_adopt(&a, wi.n, wi.words, word_index_bytes(&wi), wi.offset, wi.hash, wi.mask + 1) == 0 &&
                   word_index_find(&a, "w5", 2) == word_index_find(&wi, "w5", 2);
    uint64_t *off = malloc((size_t)(wi.n + 1) * sizeof *off);
    memcpy(off, wi.offset, (size_t)(wi.n + 1) * sizeof *off);
    off[500] = off[499]; /* an empty word */
    word_index b;
    check(adopt_ok && word_index_adopt(&b, wi.n, wi.words, word_index_bytes(&wi), off, wi.hash, wi.mask + 1) < 0 &&
              word_index_adopt(&b, wi.n, wi.words, word_index_bytes(&wi), wi.offset, wi.hash, 3) < 0,
          "word index: a stored index is adopted as is; bad offsets or hash sizes are refused");
    free(off);
    word_index_free(&wi);
}

static void random_table(vectors *v, long n, int dim)
{
    char **words = malloc((size_t)n * sizeof *words);
    float *data = malloc((size_t)n * dim * sizeof *data);
    for (long i = 0; i < n; i++) {
        words[i] = malloc(32);
        snprintf(words[i], 32, i % 5 == 0 ? "w%ld-é" : "w%ld", i);
    }
    for (long i = 0; i < n * dim; i++)
        data[i] = (float)rng_normal(&R) * 0.4f;
    char err[ERR_MAX];
    if (vectors_build(v, n, dim, (const char *const *)words, data, err) < 0)
        printf("  %s\n", err);
    for (long i = 0; i < n; i++)
        free(words[i]);
    free(words);
    free(data);
}

static int same_table(const vectors *a, const vectors *b)
{
    if (a->n != b->n || a->dim != b->dim)
        return 0;
    for (long i = 0; i < a->n; i++)
        if (strcmp(vectors_word(a, i), vectors_word(b, i)) != 0 ||
            memcmp(vectors_row(a, i), vectors_row(b, i), (size_t)a->dim * sizeof(float)) != 0)
            return 0;
    return 1;
}

static void test_vector_files(const char *dir)
{
    vectors v;
    random_table(&v, 2000, 17);
    const vec_format formats[] = {VEC_GLOVE, VEC_WORD2VEC, VEC_WORD2VEC_BIN, VEC_SAFETENSORS};
    for (int f = 0; f < 4; f++) {
        char path[600], err[ERR_MAX];
        snprintf(path, sizeof path, "%s/v.%s", dir, vec_format_name(formats[f]));
        vectors back;
        int ok = vectors_save(&v, path, formats[f], NULL, err) == 0 && vectors_load(&back, path, VEC_AUTO, err) == 0;
        if (!ok)
            printf("  %s\n", err);
        check(ok && back.format == formats[f] && same_table(&v, &back) &&
                  vectors_find(&back, "w10-é", strlen("w10-é")) == 10,
              "vector file round trip, %s: detected, every word and value exact", vec_format_name(formats[f]));
        if (ok)
            vectors_free(&back);
    }
    vectors_free(&v);
}

/* The 8-bit form: each value within half a step (its row's max |x| /
 * 127 / 2) of the original, the row's largest exactly, zeros zero; a
 * quarter of the bytes of the vectors; and back to float32, the values
 * read are kept bit for bit. */
static void test_int8_vectors(const char *dir)
{
    vectors v, back, again;
    random_table(&v, 3000, 50);
    memset(v.own_data, 0, 50 * sizeof(float)); /* row 0: all zeros */
    v.own_data[50 + 7] = 0.75f;                /* row 1: a known largest value */
    for (int k = 0; k < 50; k++)
        if (k != 7 && fabsf(v.own_data[50 + k]) > 0.7f)
            v.own_data[50 + k] = 0.5f;
    char p8[600], p32[600], p88[600], err[ERR_MAX];
    snprintf(p8, sizeof p8, "%s/v8.safetensors", dir);
    snprintf(p32, sizeof p32, "%s/v32.safetensors", dir);
    snprintf(p88, sizeof p88, "%s/v88.safetensors", dir);
    const char *meta[] = {"train.seed", "7", NULL};
    vec_save int8 = {.int8 = 1, .meta = meta};
    int ok = vectors_save(&v, p8, VEC_SAFETENSORS, &int8, err) == 0 &&
             vectors_save(&v, p32, VEC_SAFETENSORS, NULL, err) == 0 &&
             vectors_load(&back, p8, VEC_AUTO, err) == 0;
    if (!ok) {
        printf("  %s\n", err);
        check(0, "8-bit vectors: written and read");
        vectors_free(&v);
        return;
    }
    double worst = 0;
    int words = 1;
    for (long i = 0; i < v.n; i++) {
        const float *a = vectors_row(&v, i), *b = vectors_row(&back, i);
        float m = 0;
        for (int k = 0; k < v.dim; k++)
            m = fabsf(a[k]) > m ? fabsf(a[k]) : m;
        for (int k = 0; k < v.dim; k++) {
            double e = m > 0 ? fabs((double)a[k] - b[k]) / (m / 127.0) : fabs(b[k]);
            worst = e > worst ? e : worst;
        }
        words &= strcmp(vectors_word(&v, i), vectors_word(&back, i)) == 0;
    }
    check(back.format == VEC_SAFETENSORS && back.int8 && back.n == v.n && back.dim == 50 && words &&
              worst <= 0.5 + 1e-4 && back.data[0] == 0 && back.data[49] == 0 && back.data[50 + 7] == 0.75f,
          "8-bit vectors round trip: every value within %.4f of a step of its row (<= 0.5), largest and zeros exact",
          worst);
    model_in f32, f8;
    long long shape[2];
    const void *q;
    ok = model_in_open(&f32, p32, "vectors", err) == 0 && model_in_open(&f8, p8, "vectors", err) == 0 &&
         model_in_view(&f8, "vectors", "I8", 2, shape, &q, err) == 0;
    check(ok && f8.size < f32.size - 3000 * 50 * 3 + 3000 * 4 + 200 && shape[0] == 3000 && shape[1] == 50 &&
              strcmp(model_in_meta(&f8, "train.seed"), "7") == 0,
          "8-bit vectors: I8 [3000, 50] and the metadata given, %zu bytes against %zu in float32",
          ok ? f8.size : 0, ok ? f32.size : 0);
    if (ok) {
        model_in_close(&f32);
        model_in_close(&f8);
    }
    /* read 8-bit, written 8-bit again: the same bytes (each row's step and
     * values come back the same) */
    ok = vectors_save(&back, p88, VEC_SAFETENSORS, &int8, err) == 0 && vectors_load(&again, p88, VEC_AUTO, err) == 0;
    check(ok && same_table(&back, &again), "8-bit vectors read and written 8-bit again: the same values");
    if (ok)
        vectors_free(&again);
    vectors_free(&back);
    vectors_free(&v);
}

static void test_searches(void)
{
    vectors v;
    random_table(&v, 3000, 13);
    float *norms = vectors_norms(&v, v.n);
    int k = 7, nq = 5, ok = 1;
    const vec_score hows[] = {VS_COSINE, VS_3COSMUL, VS_COURSE};
    for (int h = 0; h < 3; h++) {
        vec_score how = hows[h];
        int m = vec_score_rows(how), dim = v.dim;
        float *Q = malloc((size_t)nq * m * dim * sizeof *Q), tmp[3 * 13];
        long skip[5 * 3];
        vec_hit hits[5 * 7];
        for (int j = 0; j < nq; j++) {
            long a = 10 + j, b = 100 + j, c = 1000 + j;
            analogy_vectors(&v, norms, how, a, b, c, Q + (size_t)j * m * dim, tmp);
            skip[3 * j] = a, skip[3 * j + 1] = b, skip[3 * j + 2] = c;
        }
        vectors_top(&v, norms, 2500, how, Q, nq, skip, 3, k, 0, hits);
        /* brute force in double */
        for (int j = 0; j < nq && ok; j++) {
            const float *ea = vectors_row(&v, skip[3 * j]), *eb = vectors_row(&v, skip[3 * j + 1]),
                        *ec = vectors_row(&v, skip[3 * j + 2]);
            double best[7];
            long arg[7];
            for (int i = 0; i < k; i++)
                best[i] = -INFINITY, arg[i] = -1;
            for (long r = 0; r < 2500; r++) {
                if (r == skip[3 * j] || r == skip[3 * j + 1] || r == skip[3 * j + 2])
                    continue;
                const float *w = vectors_row(&v, r);
                double s;
                if (how == VS_COSINE) {
                    double *q = malloc((size_t)dim * sizeof *q);
                    for (int d = 0; d < dim; d++)
                        q[d] = eb[d] / norms[skip[3 * j + 1]] + ec[d] / norms[skip[3 * j + 2]] - ea[d] / norms[skip[3 * j]];
                    double wd[13];
                    for (int d = 0; d < dim; d++)
                        wd[d] = w[d];
                    s = vec_cosine_d(wd, q, dim);
                    free(q);
                } else if (how == VS_3COSMUL) {
                    s = (1 + vec_cosine(w, eb, dim)) / 2 * ((1 + vec_cosine(w, ec, dim)) / 2) /
                        ((1 + vec_cosine(w, ea, dim)) / 2 + 0.001);
                } else {
                    double d1[13], d2[13];
                    for (int d = 0; d < dim; d++)
                        d1[d] = (double)eb[d] - ea[d], d2[d] = (double)w[d] - ec[d];
                    s = vec_cosine_d(d1, d2, dim);
                }
                for (int i = 0; i < k; i++)
                    if (s > best[i]) {
                        for (int t = k - 1; t > i; t--)
                            best[t] = best[t - 1], arg[t] = arg[t - 1];
                        best[i] = s, arg[i] = r;
                        break;
                    }
            }
            for (int i = 0; i < k; i++)
                if (hits[j * k + i].index != arg[i] || fabs(hits[j * k + i].score - best[i]) > 1e-5) {
                    printf("  %d: query %d place %d: %ld %g, brute force %ld %g\n", how, j, i,
                           hits[j * k + i].index, hits[j * k + i].score, arg[i], best[i]);
                    ok = 0;
                }
        }
        free(Q);
    }
    check(ok, "searches (3CosAdd, 3CosMul, course) equal a brute force in double: top 7 of 2500, inputs skipped");
    /* bias, neutralize, equalize */
    long a[2] = {1, 3}, b[2] = {2, 4};
    double g[13], g1[13], gp[13];
    char err[ERR_MAX];
    bias_direction(&v, a, b, 2, 0, g, err);
    bias_direction(&v, a, b, 1, 0, g1, err);
    bias_direction(&v, a, b, 1, 1, gp, err);
    double diff[13];
    for (int d = 0; d < 13; d++)
        diff[d] = (double)vectors_row(&v, 2)[d] - vectors_row(&v, 1)[d];
    check(fabs(vec_cosine_d(g1, diff, 13) - 1) < 1e-12 && fabs(vec_cosine_d(gp, diff, 13) - 1) < 1e-9,
          "bias direction of one pair: b - a, and its principal component points the same way");
    float e[13];
    memcpy(e, vectors_row(&v, 50), sizeof e);
    vec_neutralize(e, g, 13);
    double ed[13];
    for (int d = 0; d < 13; d++)
        ed[d] = e[d];
    check(fabs(vec_cosine_d(ed, g, 13)) < 1e-6, "neutralize leaves no component along g (cos %.1e)",
          vec_cosine_d(ed, g, 13));
    float e1[13], e2[13];
    memcpy(e1, vectors_row(&v, 60), sizeof e1);
    memcpy(e2, vectors_row(&v, 61), sizeof e2);
    vec_equalize(e1, e2, g, 13);
    double d1[13], d2[13], c1, c2, along = 0;
    for (int d = 0; d < 13; d++)
        d1[d] = e1[d], d2[d] = e2[d];
    c1 = vec_cosine_d(d1, g, 13);
    c2 = vec_cosine_d(d2, g, 13);
    for (int d = 0; d < 13; d++)
        along += (d1[d] - d2[d]) * g[d];
    double dn = 0, gn = 0;
    for (int d = 0; d < 13; d++)
        dn += (d1[d] - d2[d]) * (d1[d] - d2[d]), gn += g[d] * g[d];
    check(fabs(c1 + c2) < 1e-6 && fabs(fabs(along) / sqrt(dn * gn) - 1) < 1e-6,
          "equalize: the pair's cosines with g are opposite (%.6f, %.6f), their difference is along g", c1, c2);
    free(norms);
    vectors_free(&v);
}

/* The loss sgns_step descends, with the exact sigmoid. */
static double pair_loss(const float *in, float *const *out, const float *label, int n, int dim)
{
    double L = 0;
    for (int i = 0; i < n; i++) {
        double x = 0;
        for (int d = 0; d < dim; d++)
            x += (double)in[d] * out[i][d];
        double s = 1 / (1 + exp(-x));
        L -= label[i] ? log(s) : log(1 - s);
    }
    return L;
}

static void test_sgns_step(void)
{
    enum { DIM = 8, N = 4 };
    float in[DIM], rows[N][DIM], *out[N], label[N] = {1, 0, 0, 0}, grad[DIM];
    for (int d = 0; d < DIM; d++)
        in[d] = (float)rng_normal(&R) * 0.5f;
    for (int i = 0; i < N; i++) {
        out[i] = rows[i];
        for (int d = 0; d < DIM; d++)
            rows[i][d] = (float)rng_normal(&R) * 0.5f;
    }
    /* numerical gradient of every parameter */
    double num_in[DIM], num_out[N][DIM], h = 1e-3;
    for (int d = 0; d < DIM; d++) {
        float keep = in[d];
        in[d] = keep + (float)h;
        double up = pair_loss(in, out, label, N, DIM);
        in[d] = keep - (float)h;
        double down = pair_loss(in, out, label, N, DIM);
        in[d] = keep;
        num_in[d] = (up - down) / (2 * h);
        for (int i = 0; i < N; i++) {
            keep = rows[i][d];
            rows[i][d] = keep + (float)h;
            up = pair_loss(in, out, label, N, DIM);
            rows[i][d] = keep - (float)h;
            down = pair_loss(in, out, label, N, DIM);
            rows[i][d] = keep;
            num_out[i][d] = (up - down) / (2 * h);
        }
    }
    float before_in[DIM], before_out[N][DIM], alpha = 0.01f;
    memcpy(before_in, in, sizeof in);
    memcpy(before_out, rows, sizeof rows);
    sgns_step(in, out, label, N, DIM, alpha, grad);
    /* the step is -alpha x gradient; the sigmoid table (steps of 0.012)
     * allows an error of about 0.003 per pair in (label - s) */
    double worst = 0, scale = 0;
    for (int d = 0; d < DIM; d++) {
        double step = (in[d] - before_in[d]) / alpha;
        worst = fmax(worst, fabs(step + num_in[d]));
        scale = fmax(scale, fabs(num_in[d]));
        for (int i = 0; i < N; i++) {
            step = (rows[i][d] - before_out[i][d]) / alpha;
            worst = fmax(worst, fabs(step + num_out[i][d]));
            scale = fmax(scale, fabs(num_out[i][d]));
        }
    }
    check(worst < 0.02 * scale + 1e-4, "skip-gram step = -lr x gradient of the logistic loss (worst error %.2e of %.2e)",
          worst, scale);
}

static void test_sgns_vocab(void)
{
    const char *text = "b a c a\n\nd a b\r\nc a b e\n";
    sgns_config c;
    sgns_defaults(&c);
    c.min_count = 2;
    sgns_model m;
    char err[ERR_MAX];
    int ok = sgns_vocab(&m, text, strlen(text), &c, err) == 0;
    /* counts: a 4, b 3, c 2, d 1, e 1: kept a b c, in that order */
    ok = ok && m.vocab.n == 3 && strcmp(word_index_word(&m.vocab, 0), "a") == 0 &&
         strcmp(word_index_word(&m.vocab, 1), "b") == 0 && strcmp(word_index_word(&m.vocab, 2), "c") == 0 &&
         m.count[0] == 4 && m.count[2] == 2 && m.corpus_words == 11 && m.train_words == 9;
    /* encoded: b a c a | a b | c a b  (d, e dropped; the blank line no sentence) */
    const int32_t want[] = {1, 0, 2, 0, -1, 0, 1, -1, 2, 0, 1, -1};
    ok = ok && m.corpus_len == 12 && memcmp(m.corpus, want, sizeof want) == 0;
    check(ok, "skip-gram vocabulary: frequent words first, rare ones dropped, sentences kept apart");
    if (ok)
        sgns_free(&m);
    c.min_count = 5;
    check(sgns_vocab(&m, text, strlen(text), &c, err) < 0 && strstr(err, "min-count"),
          "skip-gram vocabulary: no word frequent enough is an error (%s)", err);
    const char *bad = "ok word\n\xff\xfe here\n";
    c.min_count = 1;
    check(sgns_vocab(&m, bad, strlen(bad), &c, err) < 0 && strstr(err, "line 2"),
          "skip-gram vocabulary: invalid UTF-8 is an error naming the line (%s)", err);
}

/* A run of weights and positions from c's seed over text, trained in
 * pieces of every steps (0: one piece); 0 or -1. */
static int sgns_run(const char *text, const sgns_config *c, long every, sgns_model *m, int *pieces)
{
    char err[ERR_MAX];
    sgns_state s;
    if (sgns_vocab(m, text, strlen(text), c, err) < 0 || sgns_start(m, c, &s, err) < 0)
        return -1;
    for (*pieces = 0; !sgns_finished(c, &s); ++*pieces)
        if (sgns_train(m, c, &s, every, NULL, NULL, NULL, err) < 0)
            return -1;
    sgns_state_free(&s);
    return 0;
}

/* At one thread, training in pieces (what checkpoints cut it into) ends
 * with the weights of one run, bit for bit. */
static void test_sgns_pieces(void)
{
    const char *words[] = {"the cat eats", "a dog runs in the field", "my car stops", "one bus turns on the road"};
    size_t n = 0, cap = 1 << 20;
    char *text = malloc(cap);
    for (int i = 0; text && n + 64 < cap && i < 20000; i++)
        n += (size_t)snprintf(text + n, cap - n, "%s\n", words[(i * 7 + i / 3) % 4]);
    sgns_config c;
    sgns_defaults(&c);
    c.dim = 8;
    c.epochs = 2;
    c.sample = 0;
    sgns_model one, cut;
    int p1 = 0, p2 = 0;
    int ok = text && sgns_run(text, &c, 0, &one, &p1) == 0 && sgns_run(text, &c, 3, &cut, &p2) == 0;
    size_t bytes = ok ? (size_t)one.vocab.n * c.dim * sizeof(float) : 0;
    ok = ok && p1 == 1 && p2 > 3 && one.trained_words == cut.trained_words &&
         memcmp(one.in, cut.in, bytes) == 0 && memcmp(one.out, cut.out, bytes) == 0;
    check(ok, "skip-gram at one thread in %d pieces of 3 steps: the same weights, bit for bit, as one run", p2);
    if (ok) {
        sgns_free(&one);
        sgns_free(&cut);
    }
    free(text);
}

int main(void)
{
    rng_seed(&R, 2024);
    char dir[] = "/tmp/seqtool-w2v-XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_float_text();
    test_word_index();
    test_vector_files(dir);
    test_int8_vectors(dir);
    test_searches();
    test_sgns_step();
    test_sgns_vocab();
    test_sgns_pieces();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return check_exit();
}
