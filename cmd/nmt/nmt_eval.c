/* nmt eval, and the pairs it shares with train: generated or read from a
 * file, encoded for a model, and scored by exact match; see nmt.h. */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "nmt.h"

void pairs_alloc(pairset *p, long n)
{
    memset(p, 0, sizeof *p);
    p->n = n;
    p->human = malloc((size_t)n * sizeof *p->human);
    p->len = malloc((size_t)n);
    p->iso = malloc((size_t)n * sizeof *p->iso);
    p->month_first = malloc((size_t)n);
    p->format = malloc((size_t)n);
    if (n && (!p->human || !p->len || !p->iso || !p->month_first || !p->format))
        die("out of memory");
}

void pairs_free(pairset *p)
{
    free(p->human); free(p->len); free(p->iso); free(p->month_first); free(p->format);
    free(p->ids);
    memset(p, 0, sizeof *p);
}

/* The token of a date that is not purely numeric is drawn at random, so
 * the model learns to ignore it there. */
void pairs_generate(pairset *p, long n, rng *r)
{
    int formats[DATES_NFORMATS], nf = dates_formats_for(DATES_DMY | DATES_MDY, formats);
    pairs_alloc(p, n);
    dates_pair d;
    for (long i = 0; i < n; i++) {
        dates_draw(r, formats, nf, &d);
        memcpy(p->human[i], d.human, (size_t)d.len + 1);
        p->len[i] = (unsigned char)d.len;
        memcpy(p->iso[i], d.iso, DATE_ISO_LEN + 1);
        p->format[i] = (signed char)d.format;
        p->month_first[i] = d.order == DATES_ORDER_MDY ||
                            (d.order == DATES_ORDER_NONE && rng_uniform(r) < 0.5f);
    }
}

/* One line "human<TAB>YYYY-MM-DD[<TAB>dmy|mdy|-]"; 0, or -1 with why. */
static int parse_pair_line(char *line, size_t len, pairset *p, long i, rng *r, const char **why)
{
    char *tab = memchr(line, '\t', len);
    if (!tab) {
        *why = "no tab between the date and its ISO form";
        return -1;
    }
    size_t hn = (size_t)(tab - line), rest = len - hn - 1;
    char *iso = tab + 1, *tab2 = memchr(iso, '\t', rest);
    size_t isolen = tab2 ? (size_t)(tab2 - iso) : rest;
    date_ymd d;
    if (date_parse_iso(iso, isolen, &d) < 0) {
        *why = "the second column is not a valid YYYY-MM-DD date";
        return -1;
    }
    if (tab2) {
        size_t on = rest - isolen - 1;
        const char *o = tab2 + 1;
        if (on == 3 && memcmp(o, "dmy", 3) == 0)
            p->month_first[i] = 0;
        else if (on == 3 && memcmp(o, "mdy", 3) == 0)
            p->month_first[i] = 1;
        else if (on == 1 && o[0] == '-')
            p->month_first[i] = rng_uniform(r) < 0.5f;
        else {
            *why = "the third column is not dmy, mdy or -";
            return -1;
        }
    } else {
        p->month_first[i] = 0;
    }
    if (hn > NMT_TX - 1) {
        hn = NMT_TX - 1;
        p->truncated++;
    }
    memcpy(p->human[i], line, hn);
    p->human[i][hn] = '\0';
    p->len[i] = (unsigned char)hn;
    memcpy(p->iso[i], iso, DATE_ISO_LEN);
    p->iso[i][DATE_ISO_LEN] = '\0';
    p->format[i] = -1;
    return 0;
}

void pairs_read(pairset *p, const char *path, rng *r)
{
    FILE *f = cli_open_read(path);
    line_reader lr;
    line_reader_init(&lr, fileno(f));
    lr.name = cli_display_name(path);
    long cap = 1024;
    pairs_alloc(p, cap);
    p->n = 0;
    char *line;
    size_t len;
    while ((line = line_reader_next(&lr, &len))) {
        if (len == 0)
            continue;
        if (p->n == cap) {
            pairset q = *p;
            cap *= 2;
            q.human = realloc(q.human, (size_t)cap * sizeof *q.human);
            q.len = realloc(q.len, (size_t)cap);
            q.iso = realloc(q.iso, (size_t)cap * sizeof *q.iso);
            q.month_first = realloc(q.month_first, (size_t)cap);
            q.format = realloc(q.format, (size_t)cap);
            if (!q.human || !q.len || !q.iso || !q.month_first || !q.format)
                die("out of memory");
            *p = q;
        }
        const char *why;
        if (parse_pair_line(line, len, p, p->n, r, &why) < 0)
            die("'%s' line %ld: %s", cli_display_name(path), lr.lineno, why);
        p->n++;
    }
    line_reader_free(&lr);
    if (f != stdin)
        fclose(f);
    if (p->n == 0)
        die("'%s': no pairs (lines \"date<TAB>YYYY-MM-DD\")", cli_display_name(path));
    if (p->truncated)
        warn("'%s': %ld date(s) longer than %d bytes cut to that length", cli_display_name(path),
             p->truncated, NMT_TX - 1);
}

void pairs_encode(pairset *p, const nmt_model *m)
{
    p->tx = m->Tx;
    p->ids = malloc((size_t)p->n * p->tx * sizeof *p->ids);
    if (p->n && !p->ids)
        die("out of memory");
    size_t dropped;
    for (long i = 0; i < p->n; i++)
        nmt_encode(m, p->human[i], p->len[i], p->month_first[i], p->ids + (size_t)i * p->tx, &dropped);
}

/* ---- evaluation ---- */

/* In rounds of one batch of EVAL_BATCH pairs per thread. */
void nmt_evaluate(nmt_pool *pool, const pairset *p, int K, exact_counts *c)
{
    memset(c, 0, sizeof *c);
    long round = (long)pool->n * EVAL_BATCH;
    nmt_answer *ans = malloc((size_t)round * sizeof *ans);
    if (!ans)
        die("out of memory");
    for (long s = 0; s < p->n; s += round) {
        long n = p->n - s < round ? p->n - s : round;
        nmt_pool_translate(pool, p->ids + (size_t)s * p->tx, n, EVAL_BATCH, K, ans);
        for (long i = 0; i < n; i++) {
            int ok = ans[i].valid && memcmp(ans[i].iso, p->iso[s + i], NMT_TY) == 0;
            int f = p->format[s + i] >= 0 ? p->format[s + i] : DATES_NFORMATS;
            c->right[f] += ok;
            c->total[f]++;
            c->exact += ok;
            c->invalid += !ans[i].valid;
        }
    }
    c->n = p->n;
    free(ans);
}

static void print_eval(const nmt_options *o, const exact_counts *c)
{
    if (o->json) {
        cJSON *j = cJSON_CreateObject(), *fam;
        int ok = j && cJSON_AddNumberToObject(j, "pairs", (double)c->n) &&
                 cJSON_AddNumberToObject(j, "exact", (double)c->exact) &&
                 cJSON_AddNumberToObject(j, "accuracy", c->n ? (double)c->exact / c->n : 0) &&
                 cJSON_AddNumberToObject(j, "invalid", (double)c->invalid) &&
                 (fam = cJSON_AddObjectToObject(j, "formats"));
        for (int f = 0; ok && f < DATES_NFORMATS; f++) {
            cJSON *x;
            if (c->total[f])
                ok = (x = cJSON_AddObjectToObject(fam, dates_format_name(f))) &&
                     cJSON_AddNumberToObject(x, "pairs", (double)c->total[f]) &&
                     cJSON_AddNumberToObject(x, "exact", (double)c->right[f]) &&
                     cJSON_AddNumberToObject(x, "accuracy", (double)c->right[f] / c->total[f]);
        }
        if (!ok)
            die("out of memory");
        cli_print_json(j);
        return;
    }
    int w = 6;
    for (int f = 0; f < DATES_NFORMATS; f++)
        if (c->total[f] && (int)strlen(dates_format_name(f)) > w)
            w = (int)strlen(dates_format_name(f));
    printf("%-*s %7s %7s %8s\n", w, "format", "exact", "pairs", "accuracy");
    for (int f = 0; f < DATES_NFORMATS; f++)
        if (c->total[f])
            printf("%-*s %7ld %7ld %7.2f%%\n", w, dates_format_name(f), c->right[f], c->total[f],
                   100.0 * c->right[f] / c->total[f]);
    printf("%-*s %7ld %7ld %7.2f%%\n", w, "all", c->exact, c->n,
           c->n ? 100.0 * c->exact / c->n : 0.0);
    if (c->invalid)
        printf("invalid %ld\n", c->invalid);
}

int nmt_eval(void *opts, int argc, char **argv)
{
    nmt_options *o = opts;
    o->file = nmt_file_operand(argc, argv);
    nmt_model m;
    nmt_model_open(&m, o->model, NULL);
    pairset p;
    rng r;
    /* a stream of its own: eval's dates are never train's or held-out's
     * for the same seed */
    rng_seed(&r, o->seed ^ 0xe7a1da7e5ULL);
    if (o->file)
        pairs_read(&p, o->file, &r);
    else
        pairs_generate(&p, o->count, &r);
    pairs_encode(&p, &m);
    nmt_pool pool;
    nmt_pool_init(&pool, &m, o->threads);
    exact_counts c;
    nmt_evaluate(&pool, &p, o->beam, &c);
    print_eval(o, &c);
    nmt_pool_free(&pool);
    pairs_free(&p);
    nmt_free(&m);
    return 0;
}
