/* emojify train — the training schedule of the course's two models, the
 * report on the training and test sentences, and the model file. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

static void train_loop(const emojify_options *o, emo_model *m, const emojify_dataset *d, const int *rows,
                       int n, train_log *log)
{
    optimizer opt;
    rng r;
    rng_seed(&r, o->seed);
    if (emo_init_weights(m, &r) < 0)
        die("out of memory");
    if (optim_init(&opt, o->kind == EMO_V1 ? OPTIM_SGD : OPTIM_ADAM, (float)o->lr, m->ps.total) < 0)
        die("out of memory");
    int B = o->batch < n ? o->batch : n;
    int *order = malloc((size_t)n * sizeof *order), *labels = malloc((size_t)B * sizeof *labels);
    emo_sentence *batch = malloc((size_t)B * sizeof *batch);
    if (!order || !labels || !batch)
        die("out of memory");
    memcpy(order, rows, (size_t)n * sizeof *order);
    long per_epoch = (n + B - 1) / B;
    progress pr;
    progress_start(&pr, o->epochs * per_epoch, "steps", o->quiet);
    cli_catch_stop();
    double t0 = cli_now();
    for (log->epochs = 0; log->epochs < o->epochs && !cli_stop_requested; log->epochs++) {
        /* v1 goes through the sentences in file order, as the course does;
         * v2 shuffles them every epoch, as Keras' fit does. */
        if (o->kind == EMO_V2)
            rng_shuffle_int(&r, order, (size_t)n);
        double nats = 0;
        for (int i = 0; i < n && !cli_stop_requested; i += B) {
            int nb = n - i < B ? n - i : B;
            for (int b = 0; b < nb; b++) {
                batch[b] = d->s[order[i + b]];
                labels[b] = d->text.label[order[i + b]];
            }
            params_zero_grad(&m->ps);
            double l = emo_forward(m, nb, batch, labels, &r);
            if (isnan(l))
                die("out of memory");
            emo_backward(m, nb);
            optim_step(&opt, &m->ps);
            nats += l;
            log->steps++;
            char extra[64];
            snprintf(extra, sizeof extra, "epoch %d, loss %.4f", log->epochs + 1, log->loss);
            progress_update(&pr, log->steps, extra);
        }
        log->loss = nats / n;
    }
    progress_end(&pr);
    log->seconds = cli_now() - t0;
    optim_free(&opt);
    free(order);
    free(labels);
    free(batch);
}

static void save_model(const emojify_options *o, const char *path, const vectors *v, const emo_model *m,
                       const emoji_set *e, const train_log *log, const emojify_metrics *tr,
                       const emojify_metrics *te)
{
    char err[ERR_MAX], *list = emoji_set_join(e);
    char *data = cli_describe_file(path), *vec = cli_describe_file(o->vectors);
    model_out *out = model_out_new("emojify");
    int bad = !out || emo_save_to(m, out) < 0;
    bad = bad || model_out_meta(out, "emojify.emoji", list) < 0;
    bad = bad || model_out_metaf(out, "train.epochs", "%d", log->epochs) < 0;
    bad = bad || model_out_metaf(out, "train.lr", "%.9g", o->lr) < 0;
    bad = bad || model_out_metaf(out, "train.batch", "%d", o->batch) < 0;
    bad = bad || model_out_meta_pairs(out, cli_provenance(data, o->seed)) < 0;
    bad = bad || model_out_metaf(out, "train.loss", "%.9g", log->loss) < 0;
    bad = bad || model_out_meta(out, "train.vectors", vec) < 0;
    /* what predict checks before it looks words up in the default vectors */
    if (v->format == VEC_SAFETENSORS)
        bad = bad || model_out_meta(out, "train.vectors_crc32", model_in_meta(&v->file, "seqtool.crc32")) < 0;
    bad = bad || model_out_metaf(out, "train.train_accuracy", "%.9g", emojify_ratio(tr->correct, tr->n)) < 0;
    if (te)
        bad = bad || model_out_metaf(out, "train.test_accuracy", "%.9g", emojify_ratio(te->correct, te->n)) < 0;
    if (bad)
        die("out of memory");
    if (model_out_write(out, o->output, err) < 0)
        die("%s", err);
    model_out_free(out);
    free(list);
    free(data);
    free(vec);
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
    train_log log = {0};
    train_loop(o, &m, &train, rows, usable, &log);
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
    save_model(o, path, &v, &m, &emoji, &log, &tr, o->test ? &te : NULL);
    int status = cli_end_training(o->output, "epoch", log.epochs, o->epochs);
    if (status == 0)
        print_summary(o, &m, &log, &tr, o->test ? &te : NULL, &emoji);
    emojify_encoder_free(&enc);
    free(rows);
    emo_free(&m);
    vectors_free(&v);
    emojify_dataset_free(&train);
    if (o->test)
        emojify_dataset_free(&test);
    return status;
}
