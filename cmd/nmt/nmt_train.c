/* nmt train: the training loop over seq2seq, each batch shared by the
 * threads, with exact match on held-out pairs after each epoch; see
 * nmt.h. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"
#include "model.h"
#include "nmt.h"
#include "optim.h"
#include "tensor.h"

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

/* One thread's rows of a batch. */
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
static double train_batch(const nmt_pool *pool, const pairset *p, const int *idx, int B)
{
    share sh[PARALLEL_MAX];
    int per = (B + pool->n - 1) / pool->n, n = 0;
    for (int t = 0; t < pool->n && t * per < B; t++, n++)
        sh[t] = (share){pool->m[t], p, idx + t * per, B - t * per < per ? B - t * per : per,
                        1.0f / B, 0};
    parallel_run(n, share_run, sh, sizeof *sh);
    nmt_model *m = pool->m[0];
    double loss = sh[0].loss;
    for (int t = 1; t < n; t++) {
        vec_axpy(1.0f, pool->m[t]->ps.grad, m->ps.grad, (int)m->ps.total);
        loss += sh[t].loss;
    }
    return loss;
}

/* A training run, and where it stands: what a checkpoint holds besides
 * the model. */
typedef struct {
    const nmt_options *o;
    nmt_model *m;
    nmt_pool pool;
    const pairset *train, *held;
    int *order;                 /* the training pairs, in this epoch's order */
    long step, steps, per_epoch;
    int epochs;                 /* epochs done */
    double sum, loss;           /* this epoch's loss so far; the last epoch's */
    exact_counts hc;            /* held-out exact matches after the last epoch */
    double seconds;
    rng r;                      /* weights, then the order */
    optimizer opt;
} trainer;

/* The model file: finished, or (ck) a checkpoint of the run. */
static void save_model(const trainer *t, int ck)
{
    const nmt_options *o = t->o;
    char err[ERR_MAX];
    model_out *f = model_out_new("nmt");
    int bad = !f || nmt_save_to(t->m, f) < 0;
    char *data = o->file ? cli_describe_file(o->file) : strdup("generated (the pairs of 'seqtool nmt dates')");
    bad = bad || !data || model_out_meta_pairs(f, cli_provenance(data, o->seed)) < 0;
    bad = bad || model_out_metaf(f, "train.examples", "%ld", t->train->n) < 0;
    bad = bad || model_out_metaf(f, "train.epochs", "%d", t->epochs) < 0;
    bad = bad || model_out_metaf(f, "train.batch", "%d", o->batch) < 0;
    bad = bad || model_out_metaf(f, "train.lr", "%.9g", o->lr) < 0;
    bad = bad || model_out_metaf(f, "train.decay", "%.9g", o->decay) < 0;
    bad = bad || model_out_metaf(f, "train.threads", "%d", o->threads) < 0;
    if (t->hc.n)
        bad = bad || model_out_metaf(f, "train.held_out_exact", "%.6f", (double)t->hc.exact / t->hc.n) < 0;
    if (bad)
        die("out of memory");
    if (ck) {
        ckpt_put_trainer(f, t->step, t->steps, "step", &t->opt, &t->r);
        ckpt_put_ints(f, "order", t->train->n, t->order);
        ckpt_put_double(f, "sum", t->sum);
        ckpt_put_double(f, "loss", t->loss);
        ckpt_put_long(f, "held_exact", t->hc.exact);
        ckpt_put_long(f, "held_n", t->hc.n);
        ckpt_put_double(f, "seconds", t->seconds);
    }
    if (model_out_write(f, o->model, err) < 0)
        die("%s", err);
    model_out_free(f);
    free(data);
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
        memcpy(d->human[j], all.human[k], NMT_TX);
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
        if (!j || !cJSON_AddStringToObject(j, "model", o->model) ||
            !cJSON_AddNumberToObject(j, "examples", (double)examples) ||
            !cJSON_AddNumberToObject(j, "epochs", epochs) ||
            !cJSON_AddNumberToObject(j, "threads", o->threads) ||
            !cJSON_AddNumberToObject(j, "loss", loss) ||
            !(held->n ? cJSON_AddNumberToObject(j, "held_out_exact", acc)
                      : cJSON_AddNullToObject(j, "held_out_exact")) ||
            !cJSON_AddNumberToObject(j, "held_out", (double)held->n) ||
            !cJSON_AddNumberToObject(j, "seconds", seconds) ||
            !cJSON_AddNumberToObject(j, "examples_per_s", rate))
            die("out of memory");
        cli_print_json(j);
        return;
    }
    printf("model %s\nexamples %ld\nepochs %d\nloss %.4f\n", o->model, examples, epochs, loss);
    if (held->n)
        printf("held_out_exact %.4f (%ld of %ld)\n", acc, held->exact, held->n);
    printf("seconds %.2f\nexamples_per_s %.0f\n", seconds, rate);
}

/* --resume: the run saved in the output file, which must be of the same
 * pairs. */
static void trainer_resume(trainer *t)
{
    char err[ERR_MAX];
    model_in f;
    const nmt_options *o = t->o;
    t->step = ckpt_open(&f, o->model, "nmt", t->steps);
    char *data = o->file ? cli_describe_file(o->file) : strdup("generated (the pairs of 'seqtool nmt dates')");
    if (!data)
        die("out of memory");
    ckpt_same(&f, "train.data", data);
    if (model_in_params(&f, &t->m->ps, err) < 0)
        die("%s", err);
    ckpt_trainer(&f, &t->opt, &t->r);
    ckpt_ints(&f, "order", t->train->n, t->order);
    for (long i = 0; i < t->train->n; i++)
        if (t->order[i] < 0 || t->order[i] >= t->train->n)
            die("'%s': bad checkpoint.order", f.path);
    t->sum = ckpt_double(&f, "sum");
    t->loss = ckpt_double(&f, "loss");
    t->hc.exact = ckpt_long(&f, "held_exact", 0, 1L << 62);
    t->hc.n = ckpt_long(&f, "held_n", 0, 1L << 62);
    t->seconds = ckpt_double(&f, "seconds");
    t->epochs = (int)(t->step / t->per_epoch);
    model_in_close(&f);
    free(data);
}

/* One batch of this epoch's order (shuffled at its start); at the end of
 * an epoch, its loss and the held-out exact match. */
static void train_step(trainer *t, progress *pr)
{
    int B = t->o->batch;
    long k = t->step % t->per_epoch, s = k * B;
    if (k == 0) {
        rng_shuffle_int(&t->r, t->order, (size_t)t->train->n);
        t->sum = 0;
    }
    double t0 = cli_now();
    int b = t->train->n - s < B ? (int)(t->train->n - s) : B;
    t->sum += train_batch(&t->pool, t->train, t->order + s, b);
    optim_step(&t->opt, &t->m->ps);
    t->seconds += cli_now() - t0;
    t->step++;
    char extra[64];
    snprintf(extra, sizeof extra, "epoch %d, loss %.4f", t->epochs + 1, t->sum / (s + b));
    progress_update(pr, t->step, extra);
    if (k < t->per_epoch - 1)
        return;
    t->epochs++;
    t->loss = t->sum / t->train->n;
    if (t->held->n) {
        nmt_evaluate(&t->pool, t->held, 1, &t->hc);
        progress_log(pr, "epoch %d: loss %.4f nats/date, held-out exact match %.2f%% (%ld/%ld)", t->epochs,
                     t->loss, 100.0 * t->hc.exact / t->hc.n, t->hc.exact, t->hc.n);
    } else {
        progress_log(pr, "epoch %d: loss %.4f nats/date", t->epochs, t->loss);
    }
}

/* The steps to the end, or to a stop (a checkpoint saved). */
static void train_loop(trainer *t)
{
    progress pr;
    progress_start(&pr, t->steps, "batches", t->o->quiet);
    progress_resume(&pr, t->step);
    cli_catch_stop();
    while (t->step < t->steps) {
        train_step(t, &pr);
        int stop = cli_stop_requested;
        if (ckpt_due(&t->o->ckpt, t->step, t->step == t->steps, stop))
            save_model(t, 1);
        if (stop)
            break;
    }
    progress_end(&pr);
}

int nmt_train(void *opts, int argc, char **argv)
{
    nmt_options *o = opts;
    o->file = nmt_file_operand(argc, argv);
    pairset train, held;
    training_data(o, &train, &held);
    if (train.n == 0)
        die("no training pairs");
    char chars[NMT_MAX_CHARS + 1];
    pairs_chars(&train, chars);
    nmt_model m;
    trainer t = {.o = o, .m = &m, .train = &train, .held = &held, .loss = NAN};
    rng_seed(&t.r, o->seed + 1);
    if (nmt_init(&m, chars, NMT_TX, o->n_a, o->n_s, o->n_att) < 0)
        die("out of memory");
    nmt_init_weights(&m, &t.r);
    pairs_encode(&train, &m);
    pairs_encode(&held, &m);

    int threads = o->threads, B = o->batch;
    nmt_pool_init(&t.pool, &m, threads);
    for (int i = 0; i < threads; i++)
        if (nmt_reserve(t.pool.m[i], (B + threads - 1) / threads) < 0)
            die("out of memory");
    if (optim_init(&t.opt, OPTIM_ADAM, (float)o->lr, m.ps.total) < 0)
        die("out of memory");
    t.opt.decay = (float)o->decay;
    if (!(t.order = malloc((size_t)train.n * sizeof *t.order)))
        die("out of memory");
    for (long i = 0; i < train.n; i++)
        t.order[i] = (int)i;
    t.per_epoch = (train.n + B - 1) / B;
    t.steps = t.per_epoch * o->epochs;
    if (o->ckpt.resume)
        trainer_resume(&t);
    train_loop(&t);
    int status = ckpt_end(o->model, "batch", t.step, t.steps);
    if (status == 0) {
        save_model(&t, 0);
        print_train_summary(o, train.n, t.epochs, t.loss, &t.hc, t.seconds);
    }
    nmt_pool_free(&t.pool);
    free(t.order);
    optim_free(&t.opt);
    nmt_free(&m);
    pairs_free(&train);
    pairs_free(&held);
    return status;
}
