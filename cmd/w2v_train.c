/* w2v_train — `seqtool w2v train`: read the corpus, train skip-gram
 * vectors (core/sgns), write them in any vector format. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "fileio.h"
#include "w2v.h"

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void report(void *ctx, long done, long total, double alpha)
{
    char extra[32];
    snprintf(extra, sizeof extra, "lr %.5f", alpha);
    progress_update(ctx, done, extra);
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

static void save(const sgns_model *m, const char *output, vec_format format)
{
    const char **words = malloc((size_t)m->vocab.n * sizeof *words);
    if (!words)
        die("out of memory");
    for (long i = 0; i < m->vocab.n; i++)
        words[i] = word_index_word(&m->vocab, i);
    vectors v;
    char err[VECTORS_ERR_MAX];
    if (vectors_build(&v, m->vocab.n, m->dim, words, m->in, err) < 0)
        die("%s", err);
    free(words);
    if (strcmp(output, "-") == 0) {
        if (format == VEC_SAFETENSORS)
            die_usage("the safetensors form is a file to map; name one with -o");
        if (vectors_write(&v, stdout, format) < 0)
            die("write error on standard output");
    } else if (vectors_save(&v, output, format, err) < 0) {
        die("%s", err);
    }
    vectors_free(&v);
}

int w2v_train(const sgns_config *cfg, int argc, char **argv, const char *output,
              vec_format format, int json, int quiet)
{
    if (argc > 1)
        die_usage("train takes one corpus file");
    const char *corpus = argc ? argv[0] : W2V_DEFAULT_CORPUS;
    if (!argc && access(corpus, F_OK) != 0)
        die("no corpus: '%s' is missing (build it with 'make corpus', or name a text file)", corpus);
    check_writable(output);
    file_bytes fb;
    char err[FILEIO_ERR_MAX];
    if (file_map(&fb, strcmp(corpus, "-") == 0 ? "/dev/stdin" : corpus, err) < 0)
        die("%s", err);
    double t0 = cli_now();
    sgns_model m;
    char serr[SGNS_ERR_MAX];
    if (sgns_vocab(&m, (const char *)fb.bytes, fb.size, cfg, serr) < 0)
        die("'%s': %s", cli_display_name(corpus), serr);
    file_unmap(&fb);
    double t1 = cli_now();
    progress pr;
    progress_start(&pr, m.train_words * cfg->epochs, "words", quiet);
    progress_log(&pr, "%ld words in the corpus, %ld distinct kept (min-count %ld) covering %ld; %.1f s",
                 m.corpus_words, m.vocab.n, cfg->min_count, m.train_words, t1 - t0);
    signal(SIGINT, on_stop_signal);
    signal(SIGTERM, on_stop_signal);
    if (sgns_train(&m, cfg, report, &pr, &stop_requested, serr) < 0)
        die("%s", serr);
    progress_end(&pr);
    double t2 = cli_now(), rate = (double)m.corpus_words * cfg->epochs / (t2 - t1);
    if (stop_requested)
        warn("interrupted: writing the vectors learnt so far");
    save(&m, output, format);
    if (!quiet)
        inform("trained %ld vectors of %d on %ld words x %d epochs in %.1f s: %.0f words/s (%d thread%s); wrote '%s' (%s)",
             m.vocab.n, m.dim, m.corpus_words, cfg->epochs, t2 - t1, stop_requested ? 0 : rate,
             cfg->threads, cfg->threads == 1 ? "" : "s", cli_display_name(output), vec_format_name(format));
    if (json) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddNumberToObject(j, "vocabulary", (double)m.vocab.n);
        cJSON_AddNumberToObject(j, "corpus_words", (double)m.corpus_words);
        cJSON_AddNumberToObject(j, "epochs", cfg->epochs);
        cJSON_AddNumberToObject(j, "vocab_seconds", t1 - t0);
        cJSON_AddNumberToObject(j, "train_seconds", t2 - t1);
        cJSON_AddNumberToObject(j, "words_per_second", rate);
        cJSON_AddBoolToObject(j, "interrupted", stop_requested);
        cJSON_AddStringToObject(j, "output", output);
        cli_print_json(j);
    }
    sgns_free(&m);
    return stop_requested ? 130 : 0;
}
