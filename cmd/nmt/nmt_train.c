/* nmt train: the training loop over seq2seq, each batch shared by the
 * threads, with exact match on held-out pairs after each epoch; see
 * nmt.h. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

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

static void save_model(const nmt_model *m, const nmt_options *o, long examples, int epochs,
                       const exact_counts *held)
{
    char err[ERR_MAX];
    model_out *f = model_out_new("nmt");
    int bad = !f || nmt_save_to(m, f) < 0;
    char *data = o->file ? cli_describe_file(o->file) : strdup("generated (the pairs of 'seqtool nmt dates')");
    bad = bad || !data || model_out_meta_pairs(f, cli_provenance(data, o->seed)) < 0;
    bad = bad || model_out_metaf(f, "train.examples", "%ld", examples) < 0;
    bad = bad || model_out_metaf(f, "train.epochs", "%d", epochs) < 0;
    bad = bad || model_out_metaf(f, "train.batch", "%d", o->batch) < 0;
    bad = bad || model_out_metaf(f, "train.lr", "%.9g", o->lr) < 0;
    bad = bad || model_out_metaf(f, "train.decay", "%.9g", o->decay) < 0;
    bad = bad || model_out_metaf(f, "train.threads", "%d", o->threads) < 0;
    if (held && held->n)
        bad = bad || model_out_metaf(f, "train.held_out_exact", "%.6f",
                                     (double)held->exact / held->n) < 0;
    if (bad)
        die("out of memory");
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

int nmt_train(void *opts, int argc, char **argv)
{
    nmt_options *o = opts;
    o->file = nmt_file_operand(argc, argv);
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
    if (nmt_init(&m, chars, NMT_TX, o->n_a, o->n_s, o->n_att) < 0)
        die("out of memory");
    nmt_init_weights(&m, &r);
    pairs_encode(&train, &m);
    pairs_encode(&held, &m);

    int threads = o->threads, B = o->batch;
    nmt_pool pool;
    nmt_pool_init(&pool, &m, threads);
    for (int t = 0; t < threads; t++)
        if (nmt_reserve(pool.m[t], (B + threads - 1) / threads) < 0)
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
            sum += train_batch(&pool, &train, order + s, b);
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
            nmt_evaluate(&pool, &held, 1, &hc);
            progress_log(&pr, "epoch %d: loss %.4f nats/date, held-out exact match %.2f%% (%ld/%ld)",
                         epoch + 1, loss, 100.0 * hc.exact / hc.n, hc.exact, hc.n);
        } else {
            progress_log(&pr, "epoch %d: loss %.4f nats/date", epoch + 1, loss);
        }
    }
    progress_end(&pr);
    save_model(&m, o, train.n, epoch, &hc);
    int status = cli_end_training(o->model, "epoch", epoch + 1, o->epochs);
    if (status == 0)
        print_train_summary(o, train.n, epoch, loss, &hc, seconds);
    nmt_pool_free(&pool);
    free(order);
    optim_free(&opt);
    nmt_free(&m);
    pairs_free(&train);
    pairs_free(&held);
    return status;
}
