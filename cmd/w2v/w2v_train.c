/* w2v_train — `seqtool w2v train`: read the corpus, train skip-gram
 * vectors (sgns), write them in any vector format. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

static void save(const sgns_model *m, const char *output, vec_format format, const vec_save *how)
{
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
    if (strcmp(output, "-") == 0) {
        if (vectors_write(&v, stdout, format) < 0)
            die("write error on standard output");
    } else if (vectors_save(&v, output, format, how, err) < 0) {
        die("%s", err);
    }
    vectors_free(&v);
}

int w2v_train(void *opts, int argc, char **argv)
{
    options *o = opts;
    const sgns_config *cfg = &o->train;
    if (argc > 1)
        die_usage("train takes one corpus file");
    const char *corpus = argc ? argv[0] : W2V_DEFAULT_CORPUS;
    const char *output = o->output ? o->output : DEFAULT_VECTORS;
    o->output = output;
    vec_format format = w2v_output_format(o, VEC_SAFETENSORS);
    if (!argc && access(corpus, F_OK) != 0)
        die("no corpus: '%s' is missing (build it with 'make corpus', or name a text file)", corpus);
    check_writable(output);
    file_bytes fb;
    char err[ERR_MAX];
    if (file_map(&fb, strcmp(corpus, "-") == 0 ? "/dev/stdin" : corpus, err) < 0)
        die("%s", err);
    cli_catch_stop();
    double t0 = cli_now();
    sgns_model m;
    if (sgns_vocab(&m, (const char *)fb.bytes, fb.size, cfg, err) < 0)
        die("'%s': %s", cli_display_name(corpus), err);
    file_unmap(&fb);
    if (cli_stop_requested) {
        inform("interrupted before training: nothing written");
        sgns_free(&m);
        return 130;
    }
    double t1 = cli_now();
    train_report r = {.scale = (double)m.corpus_words / (double)m.train_words};
    progress_start(&r.pr, m.corpus_words * cfg->epochs, "words", o->quiet);
    if (!o->quiet)
        inform("%ld words in the corpus; %ld distinct words seen %ld times or more, %ld of the words; %.1f s",
               m.corpus_words, m.vocab.n, cfg->min_count, m.train_words, t1 - t0);
    if (sgns_train(&m, cfg, report, &r, &cli_stop_requested, err) < 0)
        die("%s", err);
    progress_end(&r.pr);
    /* words/s counts every corpus word (as gensim's raw words do) */
    double t2 = cli_now(), words = (double)m.trained_words * r.scale, rate = words / (t2 - t1);
    char *data = cli_describe_file(corpus);
    vec_save how = {.meta = cli_provenance(data, cfg->seed)};
    save(&m, output, format, &how);
    free(data);
    /* an interrupted run still has its summary, "stopped early" */
    long epoch = m.corpus_words ? (long)(words / (double)m.corpus_words) + 1 : 1;
    int status = cli_end_training(w2v_output_name(output), "epoch",
                                  epoch < cfg->epochs ? epoch : cfg->epochs, cfg->epochs);
    if (!o->quiet)
        inform("trained %ld vectors of %d on %.0f words (%ld x %d epochs%s) in %.1f s: %.0f words/s "
               "(%d thread%s); wrote '%s' (%s)",
               m.vocab.n, m.dim, words, m.corpus_words, cfg->epochs, status ? ", stopped early" : "",
               t2 - t1, rate, cfg->threads, cfg->threads == 1 ? "" : "s", w2v_output_name(output),
               vec_format_name(format));
    if (o->json) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddNumberToObject(j, "vocabulary", (double)m.vocab.n);
        cJSON_AddNumberToObject(j, "corpus_words", (double)m.corpus_words);
        cJSON_AddNumberToObject(j, "epochs", cfg->epochs);
        cJSON_AddNumberToObject(j, "words_trained", words);
        cJSON_AddNumberToObject(j, "vocab_seconds", t1 - t0);
        cJSON_AddNumberToObject(j, "train_seconds", t2 - t1);
        cJSON_AddNumberToObject(j, "words_per_second", rate);
        cJSON_AddNumberToObject(j, "threads", cfg->threads);
        cJSON_AddBoolToObject(j, "interrupted", status != 0);
        cJSON_AddStringToObject(j, "output", output);
        cli_print_json(j);
    }
    sgns_free(&m);
    return status;
}
