/* emojify train — the training schedule of the course's two models, the
 * report on the training and test sentences, and the model file. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checkpoint.h"
#include "cli.h"
#include "emojify.h"
#include "model.h"
#include "optim.h"

typedef struct {
    double loss;     /* mean per sentence over the last epoch */
    long steps;
    int epochs;
    double seconds;
} train_log;

/* A training run: what it learns from, and where it stands (what a
 * checkpoint holds besides the model). */
typedef struct {
    const emojify_options *o;
    const char *path;           /* the training sentences */
    const vectors *v;
    const emoji_set *emoji;
    const emojify_dataset *d;
    emo_model *m;
    int n, B;                   /* sentences trained on, per step */
    int *order;                 /* their rows, in this epoch's order */
    long per_epoch, steps;      /* steps per epoch, of the run */
    double nats;                /* this epoch's loss so far */
    rng r;                      /* weights, order, dropout */
    optimizer opt;
    train_log log;
} trainer;

/* The training sentences that have a known word (the others teach
 * nothing: left out, and counted). */
static int usable_rows(const emojify_dataset *d, int *rows)
{
    int n = 0;
    for (int i = 0; i < d->text.n; i++)
        if (emo_known(&d->s[i]) > 0)
            rows[n++] = i;
    return n;
}

static int most_frequent_class(const emojify_dataset *d, int K)
{
    int count[EMO_MAX_CLASSES] = {0}, best = 0;
    for (int i = 0; i < d->text.n; i++)
        count[d->text.label[i]]++;
    for (int k = 1; k < K; k++)
        if (count[k] > count[best])
            best = k;
    return best;
}

/* The model file: the finished model with its scores tr and te (te may
 * be NULL), or with tr NULL a checkpoint of the run. */
static void save_model(const trainer *t, const emojify_metrics *tr, const emojify_metrics *te)
{
    const emojify_options *o = t->o;
    char err[ERR_MAX], *list = emoji_set_join(t->emoji);
    char *data = cli_describe_file(t->path), *vec = cli_describe_file(o->vectors);
    model_out *out = model_out_new("emojify");
    int bad = !out || emo_save_to(t->m, out) < 0;
    bad = bad || model_out_meta(out, "emojify.emoji", list) < 0;
    bad = bad || model_out_metaf(out, "train.epochs", "%d", t->log.epochs) < 0;
    bad = bad || model_out_metaf(out, "train.lr", "%.9g", o->lr) < 0;
    bad = bad || model_out_metaf(out, "train.batch", "%d", o->batch) < 0;
    bad = bad || model_out_meta_pairs(out, cli_provenance(data, o->seed)) < 0;
    bad = bad || model_out_metaf(out, "train.loss", "%.9g", t->log.loss) < 0;
    bad = bad || model_out_meta(out, "train.vectors", vec) < 0;
    /* what predict checks before it looks words up in the default vectors */
    if (t->v->format == VEC_SAFETENSORS)
        bad = bad || model_out_meta(out, "train.vectors_crc32", model_in_meta(&t->v->file, "seqtool.crc32")) < 0;
    if (tr)
        bad = bad || model_out_metaf(out, "train.train_accuracy", "%.9g", emojify_ratio(tr->correct, tr->n)) < 0;
    if (te)
        bad = bad || model_out_metaf(out, "train.test_accuracy", "%.9g", emojify_ratio(te->correct, te->n)) < 0;
    if (bad)
        die("out of memory");
    if (!tr) {
        ckpt_put_trainer(out, t->log.steps, t->steps, "step", &t->opt, &t->r);
        ckpt_put_ints(out, "order", t->n, t->order);
        ckpt_put_double(out, "nats", t->nats);
        ckpt_put_double(out, "loss", t->log.loss);
        ckpt_put_double(out, "seconds", t->log.seconds);
    }
    if (model_out_write(out, o->output, err) < 0)
        die("%s", err);
    model_out_free(out);
    free(list);
    free(data);
    free(vec);
}

/* A new run over rows[0..n): the course's initial weights, the optimizer
 * (v1 SGD, v2 Adam), the rows in file order. */
static void trainer_start(trainer *t, const int *rows, int n)
{
    const emojify_options *o = t->o;
    rng_seed(&t->r, o->seed);
    if (emo_init_weights(t->m, &t->r) < 0)
        die("out of memory");
    if (optim_init(&t->opt, o->kind == EMO_V1 ? OPTIM_SGD : OPTIM_ADAM, (float)o->lr, t->m->ps.total) < 0)
        die("out of memory");
    t->n = n;
    t->B = o->batch < n ? o->batch : n;
    if (!(t->order = malloc((size_t)n * sizeof *t->order)))
        die("out of memory");
    memcpy(t->order, rows, (size_t)n * sizeof *t->order);
    t->per_epoch = (n + t->B - 1) / t->B;
    t->steps = o->epochs * t->per_epoch;
}

/* --resume: the run saved in the output file, which must be of these
 * sentences and vectors. */
static void trainer_resume(trainer *t)
{
    char err[ERR_MAX];
    model_in f;
    t->log.steps = ckpt_open(&f, t->o->output, "emojify", t->steps);
    char *data = cli_describe_file(t->path), *vec = cli_describe_file(t->o->vectors);
    ckpt_same(&f, "train.data", data);
    ckpt_same(&f, "train.vectors", vec);
    if (model_in_params(&f, &t->m->ps, err) < 0)
        die("%s", err);
    ckpt_trainer(&f, &t->opt, &t->r);
    ckpt_ints(&f, "order", t->n, t->order);
    t->nats = ckpt_double(&f, "nats");
    t->log.loss = ckpt_double(&f, "loss");
    t->log.seconds = ckpt_double(&f, "seconds");
    t->log.epochs = (int)(t->log.steps / t->per_epoch);
    model_in_close(&f);
    free(data);
    free(vec);
}

/* One step: the next batch of this epoch's order (v1 goes through the
 * sentences in file order, as the course does; v2 shuffles them at the
 * start of every epoch, as Keras' fit does). */
static void train_step(trainer *t, emo_sentence *batch, int *labels)
{
    long k = t->log.steps % t->per_epoch;
    if (k == 0) {
        if (t->o->kind == EMO_V2)
            rng_shuffle_int(&t->r, t->order, (size_t)t->n);
        t->nats = 0;
    }
    int i = (int)(k * t->B), nb = t->n - i < t->B ? t->n - i : t->B;
    for (int b = 0; b < nb; b++) {
        batch[b] = t->d->s[t->order[i + b]];
        labels[b] = t->d->text.label[t->order[i + b]];
    }
    params_zero_grad(&t->m->ps);
    double l = emo_forward(t->m, nb, batch, labels, &t->r);
    if (isnan(l))
        die("out of memory");
    emo_backward(t->m, nb);
    optim_step(&t->opt, &t->m->ps);
    t->nats += l;
    t->log.steps++;
    if (k == t->per_epoch - 1) {
        t->log.loss = t->nats / t->n;
        t->log.epochs++;
    }
}

/* The steps to the end, or to a stop (a checkpoint saved). */
static void train_loop(trainer *t)
{
    int *labels = malloc((size_t)t->B * sizeof *labels);
    emo_sentence *batch = malloc((size_t)t->B * sizeof *batch);
    if (!labels || !batch)
        die("out of memory");
    progress pr;
    progress_start(&pr, t->steps, "steps", t->o->quiet);
    progress_resume(&pr, t->log.steps);
    cli_catch_stop();
    while (t->log.steps < t->steps) {
        double t0 = cli_now();
        train_step(t, batch, labels);
        t->log.seconds += cli_now() - t0;
        char extra[64];
        snprintf(extra, sizeof extra, "epoch %d, loss %.4f", t->log.epochs + 1, t->log.loss);
        progress_update(&pr, t->log.steps, extra);
        int stop = cli_stop_requested;
        if (ckpt_due(&t->o->ckpt, t->log.steps, t->log.steps == t->steps, stop))
            save_model(t, NULL, NULL);
        if (stop)
            break;
    }
    progress_end(&pr);
    free(labels);
    free(batch);
}

static void print_summary(const emojify_options *o, const emo_model *m, const train_log *log,
                          const emojify_metrics *tr, const emojify_metrics *te, const emoji_set *e)
{
    if (o->json) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "model", o->output);
        cJSON_AddStringToObject(j, "kind", emo_kind_name(m->kind));
        cJSON_AddStringToObject(j, "oov", emo_oov_name(m->oov));
        cJSON_AddStringToObject(j, "backoff", emo_backoff_name(m->backoff));
        cJSON_AddNumberToObject(j, "pad_to", m->pad_to);
        cJSON_AddNumberToObject(j, "words", (double)m->nkeep);
        cJSON_AddNumberToObject(j, "epochs", log->epochs);
        cJSON_AddNumberToObject(j, "steps", (double)log->steps);
        cJSON_AddNumberToObject(j, "loss", log->loss);
        cJSON_AddNumberToObject(j, "seconds", log->seconds);
        cJSON_AddItemToObject(j, "train", emojify_metrics_json(tr, e));
        if (te)
            cJSON_AddItemToObject(j, "test", emojify_metrics_json(te, e));
        cli_print_json(j);
        return;
    }
    printf("model %s (%s, %ld words, %d dimensions, oov %s", o->output, emo_kind_name(m->kind), m->nkeep,
           m->D, emo_oov_name(m->oov));
    if (m->kind == EMO_V2)
        printf(", %d LSTM units, padded to %d", m->H, m->pad_to);
    printf(")\n");
    printf("epochs %d\nloss %.4f\nseconds %.3f\n", log->epochs, log->loss, log->seconds);
    printf("train_accuracy %.4f (%d of %d)\n", emojify_ratio(tr->correct, tr->n), tr->correct, tr->n);
    if (te)
        emojify_metrics_print(te, e, "test");
}

/* Tell how many words had no vector, and how many sentences lost them all. */
static void report_coverage(const emojify_options *o, const emojify_dataset *d, const emojify_encoder *e,
                            int usable)
{
    if (o->quiet)
        return;
    if (e->borrowed)
        inform("'%s': %ld word(s) borrowed the vector of another form (backoff %s)%s", cli_display_name(d->path),
               e->borrowed, emo_backoff_name(o->backoff), o->verbose ? "" : "; --verbose names them");
    if (e->unknown)
        inform("'%s': %ld of %ld words have no vector (oov %s)%s", cli_display_name(d->path), e->unknown,
               e->words, emo_oov_name(o->oov), o->verbose ? "" : "; --verbose names them");
    if (usable < d->text.n)
        inform("'%s': %d sentence(s) have no word with a vector; left out of training",
               cli_display_name(d->path), d->text.n - usable);
}

static int is_stdin(const char *path) { return path && strcmp(path, "-") == 0; }

int emojify_train(void *opts, int argc, char **argv)
{
    emojify_options *o = opts;
    if (argc > 1)
        die_usage("train takes one CSV file of labelled sentences");
    const char *path = argc ? argv[0] : EMOJIFY_DEFAULT_TRAIN;
    if (!argc && !o->test && access(EMOJIFY_DEFAULT_TEST, R_OK) == 0)
        o->test = EMOJIFY_DEFAULT_TEST;
    if (is_stdin(path) + is_stdin(o->test) + is_stdin(o->vectors) + is_stdin(o->labels) > 1)
        die_usage("only one of the files can come from standard input");
    emoji_set emoji;
    if (o->labels)
        emoji_set_read(o->labels, &emoji);
    else if (emoji_set_parse(o->emoji ? o->emoji : EMOJIFY_DEFAULT_EMOJI, &emoji) < 0)
        die_usage("--emoji wants 2 to %d symbols separated by commas, not '%s'", EMO_MAX_CLASSES, o->emoji);
    emojify_dataset train, test;
    emojify_dataset_read(&train, path, emoji.n);
    if (o->test)
        emojify_dataset_read(&test, o->test, emoji.n);
    vectors v;
    cli_open_vectors(&v, o->vectors, VEC_AUTO, cli_default_vectors(), o->quiet);
    emo_model m;
    if (emo_init(&m, o->kind, o->oov, emoji.n, v.dim, o->hidden) < 0)
        die("out of memory");
    m.dropout = (float)o->dropout;
    m.backoff = o->backoff;
    m.threads = o->threads; /* for the scores after training */
    emojify_encoder enc;
    emojify_encoder_init(&enc, &m, &v, o->verbose, o->quiet);
    emojify_dataset_encode(&train, &enc);
    m.nkeep = m.nrows; /* the model file keeps the training words' rows */
    m.default_class = most_frequent_class(&train, m.K);
    int *rows = malloc((size_t)train.text.n * sizeof *rows);
    if (!rows)
        die("out of memory");
    int usable = usable_rows(&train, rows);
    m.pad_to = o->pad_to >= 0 ? o->pad_to : 0;
    if (o->pad_to < 0 && m.kind == EMO_V2)
        for (int i = 0; i < usable; i++) /* the course's maxLen */
            if (emo_steps(&m, &train.s[rows[i]]) > m.pad_to)
                m.pad_to = emo_steps(&m, &train.s[rows[i]]);
    report_coverage(o, &train, &enc, usable);
    if (usable == 0)
        die("'%s': no training sentence has a word in '%s'", cli_display_name(path), o->vectors);
    trainer t = {.o = o, .path = path, .v = &v, .emoji = &emoji, .d = &train, .m = &m};
    trainer_start(&t, rows, usable);
    if (o->ckpt.resume)
        trainer_resume(&t);
    train_loop(&t);
    int status = ckpt_end(o->output, "step", t.log.steps, t.steps);
    if (status == 0) {
        emojify_metrics tr, te;
        emojify_evaluate(&m, &train, &tr);
        if (o->test) {
            /* words of the test sentences come from the vectors too, as they
             * would for predict -v, but they are not kept in the model */
            emojify_encoder_free(&enc);
            emojify_encoder_init(&enc, &m, &v, o->verbose, o->quiet);
            emojify_dataset_encode(&test, &enc);
            emojify_evaluate(&m, &test, &te);
        }
        save_model(&t, &tr, o->test ? &te : NULL);
        print_summary(o, &m, &t.log, &tr, o->test ? &te : NULL, &emoji);
    }
    optim_free(&t.opt);
    free(t.order);
    emojify_encoder_free(&enc);
    free(rows);
    emo_free(&m);
    vectors_free(&v);
    emojify_dataset_free(&train);
    if (o->test)
        emojify_dataset_free(&test);
    return status;
}
