/* w2v_train — `seqtool w2v train`: read the corpus, train skip-gram
 * vectors (sgns), write them in any vector format. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checkpoint.h"
#include "cli.h"
#include "fileio.h"
#include "w2v.h"

typedef struct {
    progress pr;
    double scale; /* corpus words per retained word: rates count every word */
} train_report;

static void report(void *ctx, long done, long total, double alpha)
{
    train_report *r = ctx;
    char extra[32];
    snprintf(extra, sizeof extra, "lr %.5f", alpha);
    progress_update(&r->pr, (long)(done * r->scale), extra);
}

/* Fail now, not after training, when the output cannot be written. */
static void check_writable(const char *path)
{
    atomic_file a;
    if (strcmp(path, "-") == 0)
        return;
    if (atomic_open(&a, path) < 0)
        die("cannot write '%s': %s", path, strerror(errno));
    atomic_abort(&a);
}

/* A run of w2v train: what it writes, and where it stands. */
typedef struct {
    const options *o;
    const char *output, *data;  /* data: train.data, the corpus described */
    vec_format format;
    sgns_model m;
    sgns_state s;
    double seconds;             /* in training, every process of the run */
} trainer;

/* What a checkpoint adds to the vectors: the output weights and each
 * thread's place (vec_save's extra). */
static int put_run(model_out *f, void *ctx)
{
    const trainer *t = ctx;
    const sgns_model *m = &t->m;
    ckpt_put_run(f, t->s.done, t->s.total, "word");
    ckpt_put_long(f, "done", t->s.done);
    ckpt_put_double(f, "seconds", t->seconds);
    ckpt_put_floats(f, "out", m->vocab.n * m->dim, m->out);
    for (int i = 0; i < t->s.threads; i++) {
        const sgns_thread *at = &t->s.t[i];
        char name[32];
        snprintf(name, sizeof name, "t%d", i);
        ckpt_put_rng(f, name, &at->r);
        snprintf(name, sizeof name, "t%d.epoch", i);
        ckpt_put_long(f, name, at->epoch);
        snprintf(name, sizeof name, "t%d.pos", i);
        ckpt_put_long(f, name, (long)at->pos);
        snprintf(name, sizeof name, "t%d.pending", i);
        ckpt_put_long(f, name, at->pending);
        snprintf(name, sizeof name, "t%d.alpha", i);
        ckpt_put_double(f, name, at->alpha);
    }
    return 0;
}

/* The vectors in t->output, and with ck a checkpoint of the run. */
static void save(trainer *t, int ck)
{
    const sgns_model *m = &t->m;
    const char **words = malloc((size_t)m->vocab.n * sizeof *words);
    if (!words)
        die("out of memory");
    for (long i = 0; i < m->vocab.n; i++)
        words[i] = word_index_word(&m->vocab, i);
    vectors v;
    char err[ERR_MAX];
    if (vectors_build(&v, m->vocab.n, m->dim, words, m->in, err) < 0)
        die("%s", err);
    free(words);
    vec_save how = {.meta = cli_provenance(t->data, t->o->train.seed), .extra = ck ? put_run : NULL, .ctx = t};
    if (strcmp(t->output, "-") == 0) {
        if (vectors_write(&v, stdout, t->format) < 0)
            die("write error on standard output");
    } else if (vectors_save(&v, t->output, t->format, &how, err) < 0) {
        die("%s", err);
    }
    vectors_free(&v);
}

/* --resume: the weights and each thread's place from the checkpoint in
 * the output file, which must be of this corpus. */
static void resume(trainer *t)
{
    char err[ERR_MAX];
    model_in f;
    sgns_model *m = &t->m;
    int threads = t->s.threads, shape[2] = {(int)m->vocab.n, m->dim};
    long done = ckpt_open(&f, t->output, "vectors", t->s.total);
    ckpt_same(&f, "train.data", t->data);
    if (model_in_tensor(&f, "vectors", 2, shape, m->in, err) < 0)
        die("%s", err);
    ckpt_floats(&f, "out", m->vocab.n * m->dim, m->out);
    t->s.done = ckpt_long(&f, "done", done, done);
    t->seconds = ckpt_double(&f, "seconds");
    for (int i = 0; i < threads; i++) {
        sgns_thread *at = &t->s.t[i];
        size_t begin, end;
        char name[32];
        sgns_share(m, i, threads, &begin, &end);
        snprintf(name, sizeof name, "t%d", i);
        ckpt_rng(&f, name, &at->r);
        snprintf(name, sizeof name, "t%d.epoch", i);
        at->epoch = (int)ckpt_long(&f, name, 0, t->o->train.epochs);
        snprintf(name, sizeof name, "t%d.pos", i);
        at->pos = (size_t)ckpt_long(&f, name, (long)begin, (long)end);
        snprintf(name, sizeof name, "t%d.pending", i);
        at->pending = ckpt_long(&f, name, 0, t->s.total);
        snprintf(name, sizeof name, "t%d.alpha", i);
        at->alpha = (float)ckpt_double(&f, name);
    }
    model_in_close(&f);
}

/* The corpus in m's vocabulary and encoding, or die. */
static void read_corpus(const options *o, const char *corpus, sgns_model *m)
{
    file_bytes fb;
    char err[ERR_MAX];
    if (file_map(&fb, strcmp(corpus, "-") == 0 ? "/dev/stdin" : corpus, err) < 0)
        die("%s", err);
    if (sgns_vocab(m, (const char *)fb.bytes, fb.size, &o->train, err) < 0)
        die("'%s': %s", cli_display_name(corpus), err);
    file_unmap(&fb);
}

/* Training from where t->s stands to the end or a stop; every
 * --checkpoint-every steps of each thread, a checkpoint. */
static void train(trainer *t, train_report *r)
{
    char err[ERR_MAX];
    const sgns_config *cfg = &t->o->train;
    int resumable = t->format == VEC_SAFETENSORS;
    while (!sgns_finished(cfg, &t->s)) {
        double t0 = cli_now();
        if (sgns_train(&t->m, cfg, &t->s, t->o->ckpt.every, report, r, &cli_stop_requested, err) < 0)
            die("%s", err);
        t->seconds += cli_now() - t0;
        int stop = cli_stop_requested;
        if (resumable && !sgns_finished(cfg, &t->s))
            save(t, 1);
        if (stop)
            break;
    }
}

static void print_json(const trainer *t, double words, double vocab_seconds, double rate, int status)
{
    const sgns_config *cfg = &t->o->train;
    cJSON *j = cJSON_CreateObject();
    cJSON_AddNumberToObject(j, "vocabulary", (double)t->m.vocab.n);
    cJSON_AddNumberToObject(j, "corpus_words", (double)t->m.corpus_words);
    cJSON_AddNumberToObject(j, "epochs", cfg->epochs);
    cJSON_AddNumberToObject(j, "words_trained", words);
    cJSON_AddNumberToObject(j, "vocab_seconds", vocab_seconds);
    cJSON_AddNumberToObject(j, "train_seconds", t->seconds);
    cJSON_AddNumberToObject(j, "words_per_second", rate);
    cJSON_AddNumberToObject(j, "threads", cfg->threads);
    cJSON_AddBoolToObject(j, "interrupted", status != 0);
    cJSON_AddStringToObject(j, "output", t->output);
    cli_print_json(j);
}

int w2v_train(void *opts, int argc, char **argv)
{
    options *o = opts;
    const sgns_config *cfg = &o->train;
    if (argc > 1)
        die_usage("train takes one corpus file");
    const char *corpus = argc ? argv[0] : W2V_DEFAULT_CORPUS;
    trainer t = {.o = o, .output = o->output ? o->output : DEFAULT_VECTORS};
    o->output = t.output;
    t.format = w2v_output_format(o, VEC_SAFETENSORS);
    if ((o->ckpt.every || o->ckpt.resume) && t.format != VEC_SAFETENSORS)
        die_usage("--checkpoint-every and --resume keep the run in the safetensors form; "
                  "-o names a %s file", vec_format_name(t.format));
    if (!argc && access(corpus, F_OK) != 0)
        die("no corpus: '%s' is missing (build it with 'make corpus', or name a text file)", corpus);
    if (!o->ckpt.resume)
        check_writable(t.output);
    cli_catch_stop();
    double t0 = cli_now();
    read_corpus(o, corpus, &t.m);
    if (cli_stop_requested) {
        inform("interrupted before training: nothing written");
        sgns_free(&t.m);
        return 130;
    }
    double t1 = cli_now();
    char err[ERR_MAX], *data = cli_describe_file(corpus);
    t.data = data;
    if (sgns_start(&t.m, cfg, &t.s, err) < 0)
        die("%s", err);
    if (o->ckpt.resume)
        resume(&t);
    train_report r = {.scale = (double)t.m.corpus_words / (double)t.m.train_words};
    progress_start(&r.pr, t.m.corpus_words * cfg->epochs, "words", o->quiet);
    progress_resume(&r.pr, (long)(t.s.done * r.scale));
    if (!o->quiet)
        inform("%ld words in the corpus; %ld distinct words seen %ld times or more, %ld of the words; %.1f s",
               t.m.corpus_words, t.m.vocab.n, cfg->min_count, t.m.train_words, t1 - t0);
    train(&t, &r);
    progress_end(&r.pr);
    int finished = sgns_finished(cfg, &t.s);
    if (finished || t.format != VEC_SAFETENSORS)
        save(&t, 0); /* the finished vectors; or, stopped, what a text format can keep */
    /* words/s counts every corpus word (as gensim's raw words do) */
    double words = (double)t.m.trained_words * r.scale, rate = words / t.seconds;
    /* an interrupted run still has its summary, "stopped early" */
    long epoch = t.m.corpus_words ? (long)(words / (double)t.m.corpus_words) + 1 : 1;
    if (epoch > cfg->epochs)
        epoch = cfg->epochs;
    int status = t.format == VEC_SAFETENSORS
                     ? ckpt_end(t.output, "word", t.s.done, finished ? t.s.done : t.s.total)
                     : cli_end_training(w2v_output_name(t.output), "epoch", epoch, cfg->epochs);
    if (!o->quiet)
        inform("trained %ld vectors of %d on %.0f words (%ld x %d epochs%s) in %.1f s: %.0f words/s "
               "(%d thread%s); wrote '%s' (%s)",
               t.m.vocab.n, t.m.dim, words, t.m.corpus_words, cfg->epochs, status ? ", stopped early" : "",
               t.seconds, rate, cfg->threads, cfg->threads == 1 ? "" : "s", w2v_output_name(t.output),
               vec_format_name(t.format));
    if (o->json)
        print_json(&t, words, t1 - t0, rate, status);
    free(data);
    sgns_state_free(&t.s);
    sgns_free(&t.m);
    return status;
}
