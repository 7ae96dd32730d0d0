/* nmt train and nmt eval: pairs of dates (generated or from a file), the
 * training loop over core/nmt, and exact-match evaluation. */
#include <cjson/cJSON.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "model.h"
#include "nmt.h"
#include "optim.h"
#include "tensor.h"
#include "text.h"

#define TX (DATES_HUMAN_MAX + 1)      /* the convention token and 30 characters */
#define EVAL_BATCH 500

/* Pairs: the human form (cut to TX - 1 bytes), its ISO date, the
 * convention token, and the family (generated pairs; -1 from a file). */
typedef struct {
    long n;
    char (*human)[TX];
    unsigned char *len;
    char (*iso)[DATE_ISO_LEN + 1];
    unsigned char *month_first;
    signed char *format;
    int *ids;                  /* [n][tx], after pairs_encode */
    int tx;                    /* the model's Tx */
    long truncated;            /* lines cut to TX - 1 bytes */
} pairset;

static void pairs_alloc(pairset *p, long n)
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

static void pairs_free(pairset *p)
{
    free(p->human); free(p->len); free(p->iso); free(p->month_first); free(p->format);
    free(p->ids);
    memset(p, 0, sizeof *p);
}

/* n generated pairs over every family of both conventions; the token of
 * a date that is not purely numeric is drawn at random, so the model
 * learns to ignore it there. */
static void pairs_generate(pairset *p, long n, rng *r)
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
    if (hn > TX - 1) {
        hn = TX - 1;
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

static void pairs_read(pairset *p, const char *path, rng *r)
{
    FILE *f = cli_open_read(path);
    line_reader lr;
    line_reader_init(&lr, fileno(f));
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
             p->truncated, TX - 1);
}

/* The characters of the training dates (lower-cased), in byte order. */
static void pairs_chars(const pairset *p, char *chars)
{
    unsigned char seen[256] = {0};
    for (long i = 0; i < p->n; i++)
        for (int j = 0; j < p->len[i]; j++) {
            unsigned char c = (unsigned char)p->human[i][j];
            seen[c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c] = 1;
        }
    int n = 0;
    for (int c = 1; c < 256 && n < NMT_MAX_CHARS; c++)
        if (seen[c])
            chars[n++] = (char)c;
    chars[n] = '\0';
}

static void pairs_encode(pairset *p, const nmt_model *m)
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

typedef struct {
    long right[DATES_NFORMATS + 1], total[DATES_NFORMATS + 1]; /* last: from a file */
    long exact, n, invalid;
} exact_counts;

/* Exact matches of the model's translations (beam K, valid dates only). */
static void evaluate(nmt_model *m, const pairset *p, int K, exact_counts *c)
{
    memset(c, 0, sizeof *c);
    if (nmt_reserve(m, EVAL_BATCH) < 0)
        die("out of memory");
    float logp[NMT_TY * NMT_NOUT];
    for (long s = 0; s < p->n; s += EVAL_BATCH) {
        int B = p->n - s < EVAL_BATCH ? (int)(p->n - s) : EVAL_BATCH;
        for (int b = 0; b < B; b++)
            nmt_set_row(m, b, B, p->ids + (size_t)(s + b) * p->tx, NULL);
        nmt_forward(m, B);
        for (int b = 0; b < B; b++) {
            char out[NMT_TY + 1];
            double lp;
            nmt_log_probs(m, B, b, logp);
            int valid = nmt_best_valid(logp, K, out, &lp);
            int ok = valid && memcmp(out, p->iso[s + b], NMT_TY) == 0;
            int f = p->format[s + b] >= 0 ? p->format[s + b] : DATES_NFORMATS;
            c->right[f] += ok;
            c->total[f]++;
            c->exact += ok;
            c->invalid += !valid;
        }
    }
    c->n = p->n;
}

/* ---- training ---- */

typedef struct {
    nmt_model *m;
    const pairset *p;
    const int *idx;    /* the rows of this share */
    int B;
    float scale;
    double loss;
} share;

static void *share_run(void *arg)
{
    share *s = arg;
    for (int b = 0; b < s->B; b++)
        nmt_set_row(s->m, b, s->B, s->p->ids + (size_t)s->idx[b] * s->p->tx, s->p->iso[s->idx[b]]);
    nmt_forward(s->m, s->B);
    params_zero_grad(&s->m->ps);
    s->loss = nmt_backward(s->m, s->B, s->scale);
    return NULL;
}

/* One batch split over the replicas (replica 0 is the model itself); the
 * gradients are summed into the model's in a fixed order.  The loss. */
static double train_batch(nmt_model *const *rep, int threads, const pairset *p, const int *idx,
                          int B)
{
    share sh[64];
    pthread_t th[64];
    int started[64] = {0};
    int per = (B + threads - 1) / threads, n = 0;
    for (int t = 0; t < threads && t * per < B; t++, n++) {
        sh[t] = (share){rep[t], p, idx + t * per, B - t * per < per ? B - t * per : per, 1.0f / B, 0};
        if (t > 0)
            started[t] = pthread_create(&th[t], NULL, share_run, &sh[t]) == 0;
    }
    share_run(&sh[0]);
    double loss = sh[0].loss;
    for (int t = 1; t < n; t++) {
        if (started[t])
            pthread_join(th[t], NULL);
        else
            share_run(&sh[t]);
        vec_axpy(1.0f, rep[t]->ps.grad, rep[0]->ps.grad, (int)rep[0]->ps.total);
        loss += sh[t].loss;
    }
    return loss;
}

static void save_model(const nmt_model *m, const nmt_options *o, long examples, int epochs,
                       const exact_counts *held)
{
    char err[ERR_MAX];
    model_out *f = model_out_new("nmt");
    int bad = !f || nmt_save_to(m, f) < 0;
    bad = bad || model_out_meta(f, "train.data", o->file ? o->file : "generated") < 0;
    bad = bad || model_out_metaf(f, "train.examples", "%ld", examples) < 0;
    bad = bad || model_out_metaf(f, "train.epochs", "%d", epochs) < 0;
    bad = bad || model_out_metaf(f, "train.batch", "%d", o->batch) < 0;
    bad = bad || model_out_metaf(f, "train.lr", "%.9g", o->lr) < 0;
    bad = bad || model_out_metaf(f, "train.decay", "%.9g", o->decay) < 0;
    bad = bad || model_out_metaf(f, "train.seed", "%llu", o->seed) < 0;
    bad = bad || model_out_metaf(f, "train.threads", "%d", o->threads) < 0;
    if (held && held->n)
        bad = bad || model_out_metaf(f, "train.held_out_exact", "%.6f",
                                     (double)held->exact / held->n) < 0;
    if (bad)
        die("out of memory");
    if (model_out_write(f, o->model, err) < 0)
        die("%s", err);
    model_out_free(f);
}

/* The training pairs and the held-out pairs: generated (each from a
 * stream of its own) or read, with a share of the file held out. */
static void training_data(const nmt_options *o, pairset *train, pairset *held)
{
    rng r;
    rng_seed(&r, o->seed);
    if (!o->file) {
        rng h;
        rng_seed(&h, o->seed ^ 0x5eed0fd47e5ULL);
        pairs_generate(train, o->examples, &r);
        pairs_generate(held, o->held_out, &h);
        return;
    }
    pairset all;
    pairs_read(&all, o->file, &r);
    long nh = o->held_out < all.n / 2 ? o->held_out : all.n / 2;
    int *order = malloc((size_t)all.n * sizeof *order);
    if (!order)
        die("out of memory");
    for (long i = 0; i < all.n; i++)
        order[i] = (int)i;
    rng_shuffle_int(&r, order, (size_t)all.n);
    pairs_alloc(train, all.n - nh);
    pairs_alloc(held, nh);
    for (long i = 0; i < all.n; i++) {
        pairset *d = i < nh ? held : train;
        long j = i < nh ? i : i - nh, k = order[i];
        memcpy(d->human[j], all.human[k], TX);
        d->len[j] = all.len[k];
        memcpy(d->iso[j], all.iso[k], DATE_ISO_LEN + 1);
        d->month_first[j] = all.month_first[k];
        d->format[j] = -1;
    }
    free(order);
    pairs_free(&all);
}

static void print_train_summary(const nmt_options *o, long examples, int epochs, double loss,
                                const exact_counts *held, double seconds)
{
    double rate = seconds > 0 ? (double)examples * epochs / seconds : 0;
    double acc = held->n ? (double)held->exact / held->n : NAN;
    if (o->json) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "model", o->model);
        cJSON_AddNumberToObject(j, "examples", (double)examples);
        cJSON_AddNumberToObject(j, "epochs", epochs);
        cJSON_AddNumberToObject(j, "threads", o->threads);
        cJSON_AddNumberToObject(j, "loss", loss);
        if (held->n)
            cJSON_AddNumberToObject(j, "held_out_exact", acc);
        else
            cJSON_AddNullToObject(j, "held_out_exact");
        cJSON_AddNumberToObject(j, "held_out", (double)held->n);
        cJSON_AddNumberToObject(j, "seconds", seconds);
        cJSON_AddNumberToObject(j, "examples_per_s", rate);
        cli_print_json(j);
        return;
    }
    printf("model %s\nexamples %ld\nepochs %d\nloss %.4f\n", o->model, examples, epochs, loss);
    if (held->n)
        printf("held_out_exact %.4f (%ld of %ld)\n", acc, held->exact, held->n);
    printf("seconds %.2f\nexamples_per_s %.0f\n", seconds, rate);
}

int nmt_train_action(nmt_options *o)
{
    if (!o->model)
        o->model = "nmt.safetensors";
    pairset train, held;
    training_data(o, &train, &held);
    if (train.n == 0)
        die("no training pairs");
    char chars[NMT_MAX_CHARS + 1];
    pairs_chars(&train, chars);
    nmt_model m;
    rng r;
    rng_seed(&r, o->seed + 1);
    if (nmt_init(&m, chars, TX, o->n_a, o->n_s, o->n_att) < 0)
        die("out of memory");
    nmt_init_weights(&m, &r);
    pairs_encode(&train, &m);
    pairs_encode(&held, &m);

    int threads = o->threads, B = o->batch;
    nmt_model *rep[64], *replicas = calloc((size_t)threads, sizeof *replicas);
    if (!replicas)
        die("out of memory");
    rep[0] = &m;
    for (int t = 1; t < threads; t++) {
        rep[t] = &replicas[t];
        if (nmt_replica(rep[t], &m) < 0)
            die("out of memory");
    }
    for (int t = 0; t < threads; t++)
        if (nmt_reserve(rep[t], (B + threads - 1) / threads) < 0)
            die("out of memory");
    optimizer opt;
    if (optim_init(&opt, OPTIM_ADAM, (float)o->lr, m.ps.total) < 0)
        die("out of memory");
    opt.decay = (float)o->decay;

    int *order = malloc((size_t)train.n * sizeof *order);
    if (!order)
        die("out of memory");
    for (long i = 0; i < train.n; i++)
        order[i] = (int)i;
    long steps_per_epoch = (train.n + B - 1) / B;
    progress pr;
    progress_start(&pr, steps_per_epoch * o->epochs, "batches", o->quiet);
    cli_catch_stop();
    exact_counts hc = {0};
    double seconds = 0, loss = NAN;
    int epoch;
    for (epoch = 0; epoch < o->epochs && !cli_stop_requested; epoch++) {
        rng_shuffle_int(&r, order, (size_t)train.n);
        double sum = 0;
        long step;
        for (step = 0; step < steps_per_epoch && !cli_stop_requested; step++) {
            double t0 = cli_now();
            long s = step * B;
            int b = train.n - s < B ? (int)(train.n - s) : B;
            sum += train_batch(rep, threads, &train, order + s, b);
            optim_step(&opt, &m.ps);
            seconds += cli_now() - t0;
            char extra[64];
            snprintf(extra, sizeof extra, "epoch %d, loss %.4f", epoch + 1, sum / (s + b));
            progress_update(&pr, epoch * steps_per_epoch + step + 1, extra);
        }
        if (cli_stop_requested)
            break;
        loss = sum / train.n;
        if (held.n) {
            evaluate(&m, &held, 1, &hc);
            progress_log(&pr, "epoch %d: loss %.4f nats/date, held-out exact match %.2f%% (%ld/%ld)",
                         epoch + 1, loss, 100.0 * hc.exact / hc.n, hc.exact, hc.n);
        } else {
            progress_log(&pr, "epoch %d: loss %.4f nats/date", epoch + 1, loss);
        }
    }
    progress_end(&pr);
    save_model(&m, o, train.n, epoch, &hc);
    int status = 0;
    if (cli_stop_requested) {
        warn("interrupted in epoch %d of %d; the model so far is in '%s'", epoch + 1, o->epochs,
             o->model);
        status = 130;
    } else {
        print_train_summary(o, train.n, epoch, loss, &hc, seconds);
    }
    for (int t = 1; t < threads; t++)
        nmt_free(rep[t]);
    free(replicas);
    free(order);
    optim_free(&opt);
    nmt_free(&m);
    pairs_free(&train);
    pairs_free(&held);
    return status;
}

/* ---- eval ---- */

static void print_eval(const nmt_options *o, const exact_counts *c)
{
    if (o->json) {
        cJSON *j = cJSON_CreateObject(), *fam = cJSON_CreateObject();
        cJSON_AddNumberToObject(j, "pairs", (double)c->n);
        cJSON_AddNumberToObject(j, "exact", (double)c->exact);
        cJSON_AddNumberToObject(j, "accuracy", c->n ? (double)c->exact / c->n : 0);
        cJSON_AddNumberToObject(j, "invalid", (double)c->invalid);
        for (int f = 0; f < DATES_NFORMATS; f++)
            if (c->total[f]) {
                cJSON *x = cJSON_CreateObject();
                cJSON_AddNumberToObject(x, "pairs", (double)c->total[f]);
                cJSON_AddNumberToObject(x, "exact", (double)c->right[f]);
                cJSON_AddNumberToObject(x, "accuracy", (double)c->right[f] / c->total[f]);
                cJSON_AddItemToObject(fam, dates_format_name(f), x);
            }
        cJSON_AddItemToObject(j, "formats", fam);
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

int nmt_eval_action(nmt_options *o)
{
    nmt_model m;
    nmt_model_open(&m, o->model ? o->model : nmt_default_model());
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
    exact_counts c;
    evaluate(&m, &p, o->beam, &c);
    print_eval(o, &c);
    pairs_free(&p);
    nmt_free(&m);
    return 0;
}
