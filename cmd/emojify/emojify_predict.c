/* emojify predict, eval and info — sentences from the arguments or
 * standard input to emoji, the scores of a labelled set, and what a
 * model is. */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "emojify.h"
#include "text.h"

/* Stdin lines predicted together (V2 sorts them by length into batches). */
#define BLOCK_LINES 4096

/* The model, its emoji and the vectors for words outside it. */
typedef struct {
    emo_model m;
    emoji_set emoji;
    vectors v;
    int have_v;
} predictor;

/* The default vectors when the model was trained on them (the same data,
 * by the CRC-32 their file keeps), else NULL. */
static const char *vectors_trained_on(const model_in *f)
{
    const char *want = model_in_meta(f, "train.vectors_crc32"), *path = cli_default_vectors();
    char err[ERR_MAX];
    model_in v;
    if (!want || access(path, R_OK) != 0 || model_in_map(&v, path, "vectors", 0, err) < 0)
        return NULL;
    const char *crc = model_in_meta(&v, "seqtool.crc32");
    int same = crc && strcmp(crc, want) == 0;
    model_in_close(&v);
    return same ? path : NULL;
}

static void predictor_open(const emojify_options *o, predictor *p)
{
    memset(p, 0, sizeof *p);
    model_in f;
    emojify_open_model(o->model, &p->m, &p->emoji, &f);
    const char *path = o->vectors ? o->vectors : vectors_trained_on(&f);
    model_in_close(&f);
    p->m.threads = o->threads;
    p->have_v = path != NULL;
    if (p->have_v) {
        cli_open_vectors(&p->v, path, VEC_AUTO, cli_default_vectors(), o->quiet);
        if (p->v.dim != p->m.D)
            die("'%s' has %d-dimensional vectors; the model '%s' wants %d", path, p->v.dim, o->model,
                p->m.D);
    }
}

static void predictor_close(predictor *p)
{
    emo_free(&p->m);
    if (p->have_v)
        vectors_free(&p->v);
}

/* ---- eval ---- */

int emojify_eval(void *opts, int argc, char **argv)
{
    emojify_options *o = opts;
    if (argc > 1)
        die_usage("eval takes one CSV file of labelled sentences");
    const char *path = argc ? argv[0] : EMOJIFY_DEFAULT_TEST;
    if (o->vectors && strcmp(o->vectors, "-") == 0 && strcmp(path, "-") == 0)
        die_usage("the vectors and the sentences cannot both come from standard input");
    predictor p;
    predictor_open(o, &p);
    emojify_dataset d;
    emojify_dataset_read(&d, path, p.m.K);
    emojify_encoder enc;
    emojify_encoder_init(&enc, &p.m, p.have_v ? &p.v : NULL, o->verbose, o->quiet);
    emojify_dataset_encode(&d, &enc);
    emojify_metrics r;
    emojify_evaluate(&p.m, &d, &r);
    if (!o->quiet && enc.unknown)
        inform("'%s': %ld of %ld words have no vector%s", cli_display_name(path), enc.unknown, enc.words,
               p.have_v ? "" : " in the model (-v VECTORS adds more)");
    if (!o->quiet && r.fallback)
        inform("'%s': %d sentence(s) have no word with a vector; they got the most frequent class, %d",
               cli_display_name(path), r.fallback, p.m.default_class);
    if (o->json) {
        cJSON *j = emojify_metrics_json(&r, &p.emoji);
        cJSON_AddStringToObject(j, "file", path);
        cli_print_json(j);
    } else {
        emojify_metrics_print(&r, &p.emoji, "test");
    }
    emojify_encoder_free(&enc);
    emojify_dataset_free(&d);
    predictor_close(&p);
    return 0;
}

/* ---- predict ---- */

/* A block of sentences: their text and ids, predicted together. */
typedef struct {
    int n, cap;
    char **text;
    size_t *tlen;
    long *where;         /* line or argument number */
    int *ids;
    size_t nids, capids;
    size_t *start;       /* of each sentence's ids */
    emo_sentence *s;
    float *probs;
} block;

static void block_add(block *b, emojify_encoder *e, const char *text, size_t n, long where, const char *unit)
{
    if (b->n == b->cap) {
        b->cap = b->cap ? 2 * b->cap : 256;
        b->text = realloc(b->text, (size_t)b->cap * sizeof *b->text);
        b->tlen = realloc(b->tlen, (size_t)b->cap * sizeof *b->tlen);
        b->where = realloc(b->where, (size_t)b->cap * sizeof *b->where);
        b->start = realloc(b->start, (size_t)b->cap * sizeof *b->start);
        b->s = realloc(b->s, (size_t)b->cap * sizeof *b->s);
        if (!b->text || !b->tlen || !b->where || !b->start || !b->s)
            die("out of memory");
        memset(b->text + b->n, 0, (size_t)(b->cap - b->n) * sizeof *b->text);
    }
    if (b->nids + n + 1 > b->capids) {
        b->capids = 2 * (b->nids + n + 1);
        if (!(b->ids = realloc(b->ids, b->capids * sizeof *b->ids)))
            die("out of memory");
    }
    /* each slot keeps its buffer from block to block */
    char *copy = realloc(b->text[b->n], n + 1);
    if (!copy)
        die("out of memory");
    memcpy(copy, text, n);
    copy[n] = 0;
    b->text[b->n] = copy;
    b->tlen[b->n] = n;
    b->where[b->n] = where;
    char at[64];
    snprintf(at, sizeof at, "%s %ld", unit, where);
    int k = emojify_encode(e, text, n, b->ids + b->nids, at);
    b->start[b->n] = b->nids;
    b->s[b->n].len = k;
    b->nids += (size_t)k;
    b->n++;
}

static void block_free(block *b)
{
    for (int i = 0; i < b->cap; i++)
        free(b->text[i]);
    free(b->text); free(b->tlen); free(b->where); free(b->ids); free(b->start);
    free(b->s); free(b->probs);
}

/* The k best classes of p by probability (ties: the lower class first). */
static void top_classes(const float *p, int K, int k, int *out)
{
    for (int i = 0; i < k; i++) {
        int best = -1;
        for (int c = 0; c < K; c++) {
            int taken = 0;
            for (int j = 0; j < i; j++)
                taken |= out[j] == c;
            if (!taken && (best < 0 || p[c] > p[best]))
                best = c;
        }
        out[i] = best;
    }
}

static void print_json_prediction(const emojify_options *o, const predictor *pr, const block *b, int i,
                                  const float *p, int cls)
{
    cJSON *j = cJSON_CreateObject();
    int known = emo_known(&b->s[i]);
    if (utf8_valid(b->text[i], b->tlen[i])) {
        cJSON_AddStringToObject(j, "text", b->text[i]);
    } else { /* JSON is UTF-8: bad bytes become U+FFFD */
        char *fixed = malloc(3 * b->tlen[i] + 1);
        if (!fixed)
            die("out of memory");
        utf8_repair(b->text[i], b->tlen[i], fixed);
        cJSON_AddStringToObject(j, "text", fixed);
        free(fixed);
    }
    cJSON_AddNumberToObject(j, "class", cls);
    cJSON_AddStringToObject(j, "emoji", pr->emoji.sym[cls]);
    cJSON_AddNumberToObject(j, "p", p[cls]);
    cJSON_AddNumberToObject(j, "words", b->s[i].len);
    cJSON_AddNumberToObject(j, "unknown", b->s[i].len - known);
    cJSON_AddBoolToObject(j, "no_known_word", known == 0);
    if (o->top) {
        int k = o->top < pr->m.K ? o->top : pr->m.K, best[EMO_MAX_CLASSES];
        cJSON *arr = cJSON_AddArrayToObject(j, "top");
        top_classes(p, pr->m.K, k, best);
        for (int t = 0; t < k; t++) {
            cJSON *e = cJSON_CreateObject();
            cJSON_AddNumberToObject(e, "class", best[t]);
            cJSON_AddStringToObject(e, "emoji", pr->emoji.sym[best[t]]);
            cJSON_AddNumberToObject(e, "p", p[best[t]]);
            cJSON_AddItemToArray(arr, e);
        }
    }
    cli_print_json(j);
}

/* One line: "TEXT EMOJI", or the class (--label); with --top K,
 * "TEXT<TAB>EMOJI P<TAB>..." or "CLASS P<TAB>...". */
static void print_prediction(const emojify_options *o, const predictor *pr, const block *b, int i)
{
    const float *p = b->probs + (size_t)i * pr->m.K;
    int cls = emojify_argmax(p, pr->m.K);
    if (o->json) {
        print_json_prediction(o, pr, b, i, p, cls);
        return;
    }
    if (!o->top) {
        if (o->label) {
            printf("%d\n", cls);
        } else {
            fwrite(b->text[i], 1, b->tlen[i], stdout);
            putchar(' ');
            fputs(pr->emoji.sym[cls], stdout);
            putchar('\n');
        }
        return;
    }
    int k = o->top < pr->m.K ? o->top : pr->m.K, best[EMO_MAX_CLASSES];
    top_classes(p, pr->m.K, k, best);
    if (!o->label)
        fwrite(b->text[i], 1, b->tlen[i], stdout);
    for (int t = 0; t < k; t++) {
        if (o->label)
            printf(t ? "\t%d %.4f" : "%d %.4f", best[t], p[best[t]]);
        else
            printf("\t%s %.4f", pr->emoji.sym[best[t]], p[best[t]]);
    }
    putchar('\n');
}

static void predict_block(const emojify_options *o, predictor *pr, block *b, const char *unit,
                          long *fallbacks)
{
    if (b->n == 0)
        return;
    for (int i = 0; i < b->n; i++)
        b->s[i].ids = b->ids + b->start[i]; /* ids may have moved while the block grew */
    if (!(b->probs = realloc(b->probs, (size_t)b->cap * pr->m.K * sizeof *b->probs)) ||
        emo_predict(&pr->m, b->n, b->s, b->probs) < 0)
        die("out of memory");
    for (int i = 0; i < b->n; i++) {
        if (emo_known(&b->s[i]) == 0) {
            (*fallbacks)++;
            if (!o->quiet)
                inform("%s %ld: no word with a vector; gave the most frequent class, %d", unit, b->where[i],
                       pr->m.default_class);
        }
        print_prediction(o, pr, b, i);
    }
    b->n = 0;
    b->nids = 0;
}

/* A query loop on standard input (cli_batch_lines): what predict has
 * while it reads. */
typedef struct {
    const emojify_options *o;
    predictor *pr;
    emojify_encoder *enc;
    block *b;
    long sentences, fallbacks, not_utf8;
} stdin_loop;

static void stdin_add(void *ctx, char *line, size_t len, long lineno)
{
    stdin_loop *q = ctx;
    if (!utf8_valid(line, len) && q->not_utf8++ == 0 && !q->o->quiet)
        warn("line %ld: not valid UTF-8; its bytes are read as they are (the first such line)", lineno);
    block_add(q->b, q->enc, line, len, lineno, "line");
    q->sentences++;
}

static void stdin_flush(void *ctx)
{
    stdin_loop *q = ctx;
    predict_block(q->o, q->pr, q->b, "line", &q->fallbacks);
}

int emojify_predict(void *opts, int argc, char **argv)
{
    emojify_options *o = opts;
    int from_stdin = argc == 0 || (argc == 1 && strcmp(argv[0], "-") == 0);
    if (from_stdin && o->vectors && strcmp(o->vectors, "-") == 0)
        die_usage("the vectors and the sentences cannot both come from standard input");
    predictor pr;
    predictor_open(o, &pr);
    emojify_encoder enc;
    emojify_encoder_init(&enc, &pr.m, pr.have_v ? &pr.v : NULL, o->verbose, o->quiet);
    block b = {0};
    long fallbacks = 0, sentences = 0;
    if (!from_stdin) {
        for (int i = 0; i < argc; i++)
            block_add(&b, &enc, argv[i], strlen(argv[i]), i + 1, "argument");
        sentences = argc;
        predict_block(o, &pr, &b, "argument", &fallbacks);
    } else {
        /* A block is what is ready without waiting, so a program that
         * writes one line and waits gets its answer at once. */
        stdin_loop q = {o, &pr, &enc, &b, 0, 0, 0};
        cli_batch_lines(0, BLOCK_LINES, stdin_add, stdin_flush, &q);
        sentences = q.sentences;
        fallbacks = q.fallbacks;
    }
    if (o->verbose)
        inform("%ld sentence(s), %ld word(s), %ld without a vector, %ld sentence(s) with none known",
               sentences, enc.words, enc.unknown, fallbacks);
    block_free(&b);
    emojify_encoder_free(&enc);
    predictor_close(&pr);
    return 0;
}

/* ---- info ---- */

int emojify_info(void *opts, int argc, char **argv)
{
    emojify_options *o = opts;
    const char *path = cli_info_operand(o->model, argc, argv);
    emo_model m;
    emoji_set e;
    model_in f;
    emojify_open_model(path, &m, &e, &f);
    char *emoji = emoji_set_join(&e), summary[512], arch[64] = "the mean of the word vectors";
    if (m.kind == EMO_V2)
        snprintf(arch, sizeof arch, "two LSTMs of %d units", m.H);
    int n = snprintf(summary, sizeof summary, "%s: %s over %d-dimensional vectors, %d classes (%s), %zu weights, "
                     "%ld words of its own", emo_kind_name(m.kind), arch, m.D, m.K, emoji, m.ps.total, m.nkeep);
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "kind", "emojify");
    cJSON_AddStringToObject(j, "arch", emo_kind_name(m.kind));
    cJSON_AddNumberToObject(j, "dim", m.D);
    if (m.kind == EMO_V2)
        cJSON_AddNumberToObject(j, "hidden", m.H);
    cJSON_AddNumberToObject(j, "classes", m.K);
    cJSON_AddStringToObject(j, "emoji", emoji);
    cJSON_AddNumberToObject(j, "weights", (double)m.ps.total);
    cJSON_AddNumberToObject(j, "words", (double)m.nkeep);
    cJSON_AddStringToObject(j, "oov", emo_oov_name(m.oov));
    cJSON_AddStringToObject(j, "backoff", emo_backoff_name(m.backoff));
    cli_info_score(&f, "train.test_accuracy", "; test accuracy ", "", summary, sizeof summary, &n, j,
                   "test_accuracy");
    const char *vec = model_in_meta(&f, "train.vectors");
    if (vec && (size_t)n < sizeof summary) {
        snprintf(summary + n, sizeof summary - (size_t)n, "\nvectors %s", vec);
        cJSON_AddStringToObject(j, "vectors", vec);
    }
    cli_info(path, summary, &f, j, 1, o->json);
    model_in_close(&f);
    free(emoji);
    emo_free(&m);
    return 0;
}
