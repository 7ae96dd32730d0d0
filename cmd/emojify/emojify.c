/* emojify — sentence to emoji: train the course's Emojifier-V1 (mean of
 * word vectors, softmax) or -V2 (two LSTMs), predict, evaluate.
 * This file holds the command's tables and what the actions share (emoji,
 * words to ids, labelled sets, scores, the model file); emojify_train.c
 * trains, emojify_predict.c predicts and evaluates.  The models are in
 * emo_model, the CSV reader in labeled. */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "emojify.h"
#include "model.h"
#include "parallel.h"
#include "suffix.h"
#include "text.h"

enum {
    OPT_ARCH = CLI_OWN_KEYS, OPT_TEST, OPT_EPOCHS, OPT_LR, OPT_BATCH, OPT_HIDDEN, OPT_DROPOUT,
    OPT_OOV, OPT_BACKOFF, OPT_PAD_TO, OPT_EMOJI, OPT_LABELS, OPT_LABEL, OPT_TOP, OPT_VERBOSE
};

static const cli_option emojify_option_table[] = {
    /* -m is a model to read (predict, eval) and, in train, the old
     * spelling of --arch (emojify_set).  Parsing checks an option against
     * the first row of its key (options.c), so this hidden row, which
     * admits train, comes before the one the help shows. */
    {"model", 'm', "MODEL", "model to read; in train, the old spelling of --arch", "train predict eval info",
     CLI_HIDDEN},
    {"output", 'o', "MODEL", "model file to write [" EMOJIFY_DEFAULT_MODEL "]", "train", CLI_RUN_ONLY},
    {"arch", OPT_ARCH, "v1|v2", "v1: mean of the word vectors, dense, softmax, SGD;\n"
                                "v2: two LSTMs over the vectors, Adam [v2]", "train", 0},
    {"test", OPT_TEST, "TEST.csv", "report accuracy and confusion matrix on it\n"
                                   "[" EMOJIFY_DEFAULT_TEST " when TRAIN.csv\n"
                                   "is not given, else none]", "train", 0},
    {"epochs", OPT_EPOCHS, "N", "passes over the sentences [v1 400, v2 50]", "train", 0},
    {"lr", OPT_LR, "X", "learning rate [v1 0.01, v2 0.001]", "train", 0},
    {"batch", OPT_BATCH, "N", "sentences per step [v1 1, v2 8]", "train", 0},
    {"hidden", OPT_HIDDEN, "N", "LSTM units, v2 [128]", "train", 0},
    {"dropout", OPT_DROPOUT, "P", "dropout after each LSTM, v2 [0.5]", "train", 0},
    {"oov", OPT_OOV, "HOW", "words without a vector: skip (left out), zero (a\n"
                            "zero vector) or learn (one vector, trained) [skip]", "train", 0},
    {"backoff", OPT_BACKOFF, "HOW", "first, a missing word borrows the vector of\n"
                                    "another form of it (lovely: love): suffix, or\n"
                                    "none; the model keeps it [suffix]", "train", 0},
    {"pad-to", OPT_PAD_TO, "N|auto", "v2 reads each sentence for at least N steps, zero\n"
                                     "vectors after its words, as the course pads; the\n"
                                     "model keeps N [auto: the longest training sentence]", "train", 0},
    {"emoji", OPT_EMOJI, "LIST", "the classes' emoji, comma-separated [the course's]", "train", 0},
    {"labels", OPT_LABELS, "FILE", "the classes' emoji, one per line (then, after a\n"
                                   "blank, an optional description)", "train", 0},
    CLI_OPTION_SEED("train"),
    CLI_OPTION_CHECKPOINT_EVERY("train"),
    CLI_OPTION_RESUME("train"),
    {"model", 'm', "MODEL", "model to read [" EMOJIFY_DEFAULT_MODEL " when it exists,\n"
                            "else the shipped datasets/" EMOJIFY_SHIPPED_MODEL ";\n"
                            "$SEQTOOL_EMOJIFY_MODEL overrides both]", "predict eval info", 0},
    {"label", OPT_LABEL, NULL, "print the class number instead of sentence and emoji", "predict", 0},
    {"top", OPT_TOP, "K", "the K likeliest classes with their probabilities", "predict", 0},
    {"vectors", 'v', "FILE", "word vectors: GloVe, word2vec, fastText text or\n"
                             "binary, or seqtool's safetensors form; train\n"
                             "learns over them, predict and eval look there for\n"
                             "the words the model lacks [$SEQTOOL_VECTORS, else\n"
                             CLI_VECTORS_LOCAL " when it exists, else the\n"
                             "shipped datasets/" CLI_VECTORS_SHIPPED "; for\n"
                             "predict and eval, those only when the model was\n"
                             "trained on them]", NULL, 0},
    {"threads", CLI_THREADS, "N", "threads sharing the batches of predictions (in\n"
                                  "train, the scores after training); any N gives\n"
                                  "the same output [1]", NULL, CLI_RUN_ONLY},
    {"verbose", OPT_VERBOSE, NULL, "name the words without a vector, on standard error", NULL, CLI_RUN_ONLY},
    CLI_OPTION_JSON(NULL),
    {"quiet", 'q', NULL, "no progress or notes on standard error", NULL, CLI_RUN_ONLY},
    CLI_OPTIONS_END,
};

static const cli_action emojify_actions[] = {
    {"train", emojify_train, "[TRAIN.csv] [OPTIONS]", "train a model"},
    {"predict", emojify_predict, "[OPTIONS] [TEXT... | -]", "each sentence's emoji"},
    {"eval", emojify_eval, "[TEST.csv] [OPTIONS]", "score a model"},
    {"info", emojify_info, "[MODEL]", "how a model was made, and its shape"},
    CLI_ACTIONS_END,
};

/* The defaults a table cannot say: the model predict, eval and info read,
 * the vectors (from the environment), "not given" for --lr (its default
 * depends on --arch: emojify_end) and --pad-to's auto. */
static void emojify_begin(void *opts, const char *action)
{
    emojify_options *o = opts;
    memset(o, 0, sizeof *o);
    o->action = action;
    if (strcmp(action, "train") != 0)
        o->model = cli_default_model(EMOJIFY_SHIPPED_MODEL, "SEQTOOL_EMOJIFY_MODEL", EMOJIFY_DEFAULT_MODEL);
    o->lr = -1;
    o->pad_to = -1;
    /* train must have vectors; predict and eval use them when named, or
     * the default ones when the model was trained on them (predictor_open) */
    const char *env = getenv("SEQTOOL_VECTORS");
    if ((env && *env) || strcmp(action, "train") == 0)
        o->vectors = cli_default_vectors();
}

static void emojify_set(void *opts, int key, const char *arg)
{
    emojify_options *o = opts;
    switch (key) {
    case 'v': o->vectors = arg; break;
    case 'o': o->output = arg; break;
    case 'm':
        if (strcmp(o->action, "train") != 0) {
            o->model = arg;
        } else {
            if ((o->kind = emo_kind_parse(arg)) < 0)
                die_usage("train reads no model (-o names the one it writes); its architecture is "
                          "--arch v1|v2, not -m '%s'", arg);
            o->old_arch = 1;
        }
        break;
    case 'q': o->quiet = 1; break;
    case OPT_ARCH:
        if ((o->kind = emo_kind_parse(arg)) < 0)
            die_usage("--arch wants v1 or v2, not '%s'", arg);
        break;
    case OPT_TEST: o->test = arg; break;
    case OPT_EPOCHS: o->epochs = cli_long("--epochs", arg, 1, 1000000); break;
    case OPT_LR: o->lr = cli_double("--lr", arg, 1e-12, 1e3); break;
    case OPT_BATCH: o->batch = (int)cli_long("--batch", arg, 1, 65536); break;
    case OPT_HIDDEN: o->hidden = (int)cli_long("--hidden", arg, 1, 4096); break;
    case OPT_DROPOUT: o->dropout = cli_double("--dropout", arg, 0, 0.95); break;
    case OPT_OOV:
        if ((o->oov = emo_oov_parse(arg)) < 0)
            die_usage("--oov wants skip, zero or learn, not '%s'", arg);
        break;
    case OPT_BACKOFF:
        if ((o->backoff = emo_backoff_parse(arg)) < 0)
            die_usage("--backoff wants suffix or none, not '%s'", arg);
        break;
    case OPT_PAD_TO:
        o->pad_to = strcmp(arg, "auto") == 0 ? -1 : (int)cli_long("--pad-to", arg, 0, EMO_MAX_PAD);
        break;
    case OPT_EMOJI: o->emoji = arg; break;
    case OPT_LABELS: o->labels = arg; break;
    case CLI_SEED: o->seed = cli_seed(arg); break;
    case OPT_LABEL: o->label = 1; break;
    case OPT_TOP: o->top = (int)cli_long("--top", arg, 1, EMO_MAX_CLASSES); break;
    case CLI_THREADS: o->threads = (int)cli_long("--threads", arg, 1, PARALLEL_MAX); break;
    case OPT_VERBOSE: o->verbose = 1; break;
    case CLI_JSON: o->json = 1; break;
    case CLI_CHECKPOINT_EVERY: case CLI_RESUME: ckpt_option(&o->ckpt, key, arg); break;
    }
}

/* The defaults that depend on the architecture, and the checks that span
 * options. */
static void emojify_end(void *opts)
{
    emojify_options *o = opts;
    if (o->quiet && o->verbose)
        die_usage("--quiet and --verbose contradict each other");
    if (o->emoji && o->labels)
        die_usage("--emoji and --labels both name the classes; give one");
    if (strcmp(o->action, "train") != 0)
        return;
    if (o->old_arch && !o->quiet)
        warn("-m v1|v2 is now --arch v1|v2");
    if (!o->epochs)
        o->epochs = o->kind == EMO_V1 ? 400 : 50;
    if (o->lr < 0)
        o->lr = o->kind == EMO_V1 ? 0.01 : 0.001;
    if (!o->batch)
        o->batch = o->kind == EMO_V1 ? 1 : 8;
}

const cli_command emojify_command = {
    "emojify",
    "sentence to emoji with word vectors (mean or two LSTMs): train, predict, eval, info",
    sizeof(emojify_options),
    emojify_actions,
    emojify_option_table,
    "Each sentence gets the emoji of its class; the course's five classes are\n"
    "0 \xe2\x9d\xa4\xef\xb8\x8f  1 \xe2\x9a\xbe  2 \xf0\x9f\x98\x84  3 \xf0\x9f\x98\x9e  4 \xf0\x9f\x8d\xb4.  "
    "Words are lower-cased and cut as GloVe's are.\n"
    "TRAIN.csv and TEST.csv hold one 'sentence,label' per line (by default\n"
    EMOJIFY_DEFAULT_TRAIN " and " EMOJIFY_DEFAULT_TEST "); TEXT... are\n"
    "sentences, and with none, or '-', one per line comes from standard input.\n"
    "'-' is standard input for any file.  With an option first, the action is\n"
    "predict: seqtool emojify -m MODEL \"I love you\".\n",
    "predict",
    emojify_begin,
    emojify_set,
    emojify_end,
};


/* ---- the classes' emoji ---- */

/* One symbol: UTF-8, no blank, no comma, shorter than EMOJI_MAX bytes. */
static int emoji_ok(const char *p, size_t n)
{
    if (n == 0 || n >= EMOJI_MAX)
        return 0;
    for (size_t i = 0; i < n;) {
        int cp, k = utf8_decode(p + i, n - i, &cp);
        if (k < 0 || cp <= ' ' || cp == ',' || cp == 0x7f)
            return 0;
        i += (size_t)k;
    }
    return 1;
}

static void emoji_add(emoji_set *e, const char *p, size_t n)
{
    memcpy(e->sym[e->n], p, n);
    e->sym[e->n++][n] = 0;
}

int emoji_set_parse(const char *list, emoji_set *e)
{
    e->n = 0;
    for (const char *p = list;;) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        if (!emoji_ok(p, n) || e->n == EMO_MAX_CLASSES)
            return -1;
        emoji_add(e, p, n);
        if (!comma)
            break;
        p = comma + 1;
    }
    return e->n >= 2 ? 0 : -1;
}

void emoji_set_read(const char *path, emoji_set *e)
{
    text_lines lines;
    const char *name = cli_display_name(path);
    cli_read_lines(path, 4096, &lines);
    e->n = 0;
    for (int i = 0; i < lines.n; i++) {
        const char *p = lines.line[i];
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == 0 || *p == '#')
            continue;
        size_t n = strcspn(p, " \t");
        if (!emoji_ok(p, n))
            die("'%s': line %d: '%.*s' is not a class symbol (UTF-8, no comma, under %d bytes)", name,
                i + 1, (int)(n < 40 ? n : 40), p, EMOJI_MAX);
        if (e->n == EMO_MAX_CLASSES)
            die("'%s': line %d: more than %d classes", name, i + 1, EMO_MAX_CLASSES);
        emoji_add(e, p, n);
    }
    text_lines_free(&lines);
    if (e->n < 2)
        die("'%s': %d class(es); a classifier needs at least 2, one per line", name, e->n);
}

char *emoji_set_join(const emoji_set *e)
{
    char *s = malloc((size_t)e->n * EMOJI_MAX), *p = s;
    if (!s)
        die("out of memory");
    for (int i = 0; i < e->n; i++)
        p += sprintf(p, i ? ",%s" : "%s", e->sym[i]);
    return s;
}

/* ---- words to ids ---- */

void emojify_encoder_init(emojify_encoder *e, emo_model *m, const vectors *v, int verbose, int quiet)
{
    memset(e, 0, sizeof *e);
    e->m = m;
    e->v = v;
    e->verbose = verbose;
    e->quiet = quiet;
    if (!(e->vec = malloc((size_t)m->D * sizeof *e->vec)))
        die("out of memory");
}

void emojify_encoder_free(emojify_encoder *e)
{
    free(e->buf);
    free(e->word);
    free(e->len);
    free(e->vec);
}

static void encoder_room(emojify_encoder *e, size_t n)
{
    if (n + 1 <= e->cap)
        return;
    e->cap = 2 * n + 64;
    e->buf = realloc(e->buf, e->cap);
    e->word = realloc(e->word, e->cap * sizeof *e->word);
    e->len = realloc(e->len, e->cap * sizeof *e->len);
    if (!e->buf || !e->word || !e->len)
        die("out of memory");
}

/* "line 3: 2 of 7 word(s) without a vector: lol, adorable" */
static void name_unknown(const emojify_encoder *e, const int *ids, int nw, int unknown, const char *where)
{
    char list[512];
    size_t used = 0;
    list[0] = 0;
    for (int i = 0; i < nw && used + 4 < sizeof list; i++)
        if (ids[i] == EMO_UNKNOWN)
            used += (size_t)snprintf(list + used, sizeof list - used, "%s%.*s", used ? ", " : "",
                                     e->len[i], e->word[i]);
    inform("%s: %d of %d word(s) without a vector: %s", where, unknown, nw, list);
}

/* The suffix back-off: the first form of word (core/suffix.h) that the
 * model or the vectors have lends its vector; word joins the model's
 * rows with it.  Its id, or -1. */
static long borrow(emojify_encoder *e, const char *word, size_t len, const char *where)
{
    char forms[SUFFIX_FORMS_MAX][SUFFIX_WORD_MAX];
    int nf = suffix_forms(word, len, forms, SUFFIX_FORMS_MAX);
    for (int i = 0; i < nf; i++) {
        size_t fl = strlen(forms[i]);
        long id = emo_find(e->m, forms[i], fl), r = id < 0 && e->v ? vectors_find(e->v, forms[i], fl) : -1;
        if (id < 0 && r < 0)
            continue;
        /* copied first: adding a row may move the model's table */
        const float *from = id >= 0 ? e->m->emb + (size_t)id * e->m->D : vectors_row(e->v, r);
        memcpy(e->vec, from, (size_t)e->m->D * sizeof *e->vec);
        if ((id = emo_add_word(e->m, word, len, e->vec)) < 0)
            die("out of memory");
        e->borrowed++;
        if (e->verbose)
            inform("%s: '%.*s' has no vector; it borrows that of '%s'", where, (int)len, word, forms[i]);
        return id;
    }
    return -1;
}

int emojify_encode(emojify_encoder *e, const char *text, size_t n, int *ids, const char *where)
{
    encoder_room(e, n);
    int nw = text_words(text, n, e->buf, e->word, e->len, EMOJIFY_MAX_WORDS), unknown = 0;
    for (int i = 0; i < nw; i++) {
        long id = emo_find(e->m, e->word[i], (size_t)e->len[i]);
        if (id < 0 && e->v) {
            long r = vectors_find(e->v, e->word[i], (size_t)e->len[i]);
            if (r >= 0 && (id = emo_add_word(e->m, e->word[i], (size_t)e->len[i], vectors_row(e->v, r))) < 0)
                die("out of memory");
        }
        if (id < 0 && e->m->backoff == EMO_BACKOFF_SUFFIX)
            id = borrow(e, e->word[i], (size_t)e->len[i], where);
        ids[i] = id < 0 ? EMO_UNKNOWN : (int)id;
        unknown += id < 0;
    }
    e->words += nw;
    e->unknown += unknown;
    if (e->verbose && unknown)
        name_unknown(e, ids, nw, unknown, where);
    if (nw == EMOJIFY_MAX_WORDS && !e->quiet)
        warn("%s: more than %d words; the rest is left out", where, EMOJIFY_MAX_WORDS);
    return nw;
}

void emojify_dataset_read(emojify_dataset *d, const char *path, int nclasses)
{
    char err[ERR_MAX];
    FILE *f = cli_open_read(path);
    memset(d, 0, sizeof *d);
    d->path = path;
    if (labeled_read(f, nclasses, &d->text, err) < 0)
        die("'%s': %s", cli_display_name(path), err);
    if (f != stdin)
        fclose(f);
}

void emojify_dataset_encode(emojify_dataset *d, emojify_encoder *e)
{
    size_t total = 0;
    for (int i = 0; i < d->text.n; i++)
        total += strlen(d->text.text[i]) + 1;
    d->ids = malloc(total * sizeof *d->ids);
    d->s = malloc((size_t)d->text.n * sizeof *d->s);
    if (!d->ids || !d->s)
        die("out of memory");
    size_t at = 0;
    for (int i = 0; i < d->text.n; i++) {
        char where[600];
        snprintf(where, sizeof where, "'%s': line %ld", cli_display_name(d->path), d->text.line[i]);
        const char *t = d->text.text[i];
        int n = emojify_encode(e, t, strlen(t), d->ids + at, where);
        d->s[i].ids = d->ids + at;
        d->s[i].len = n;
        at += (size_t)n;
    }
}

void emojify_dataset_free(emojify_dataset *d)
{
    labeled_free(&d->text);
    free(d->ids);
    free(d->s);
}

/* ---- scores ---- */

int emojify_argmax(const float *p, int K)
{
    int best = 0;
    for (int k = 1; k < K; k++)
        if (p[k] > p[best])
            best = k;
    return best;
}

double emojify_ratio(int a, int b) { return b ? (double)a / b : 0.0; }

void emojify_evaluate(emo_model *m, const emojify_dataset *d, emojify_metrics *r)
{
    int n = d->text.n;
    float *probs = malloc((size_t)n * m->K * sizeof *probs);
    if (!probs || emo_predict(m, n, d->s, probs) < 0)
        die("out of memory");
    memset(r, 0, sizeof *r);
    r->K = m->K;
    r->n = n;
    for (int i = 0; i < n; i++) {
        int y = d->text.label[i], p = emojify_argmax(probs + (size_t)i * m->K, m->K);
        r->confusion[y][p]++;
        r->correct += y == p;
        r->fallback += emo_known(&d->s[i]) == 0;
    }
    free(probs);
}

/* Class k's support (true count) and how often it was predicted. */
static void class_counts(const emojify_metrics *r, int k, int *support, int *predicted)
{
    *support = *predicted = 0;
    for (int l = 0; l < r->K; l++) {
        *support += r->confusion[k][l];
        *predicted += r->confusion[l][k];
    }
}

cJSON *emojify_metrics_json(const emojify_metrics *r, const emoji_set *e)
{
    cJSON *j = cJSON_CreateObject(), *classes = cJSON_CreateArray(), *conf = cJSON_CreateArray();
    cJSON_AddNumberToObject(j, "sentences", r->n);
    cJSON_AddNumberToObject(j, "correct", r->correct);
    cJSON_AddNumberToObject(j, "accuracy", emojify_ratio(r->correct, r->n));
    cJSON_AddNumberToObject(j, "no_known_word", r->fallback);
    for (int k = 0; k < r->K; k++) {
        int support, predicted;
        class_counts(r, k, &support, &predicted);
        cJSON *row = cJSON_CreateArray(), *c = cJSON_CreateObject();
        for (int l = 0; l < r->K; l++)
            cJSON_AddItemToArray(row, cJSON_CreateNumber(r->confusion[k][l]));
        cJSON_AddItemToArray(conf, row);
        cJSON_AddNumberToObject(c, "class", k);
        cJSON_AddStringToObject(c, "emoji", e->sym[k]);
        cJSON_AddNumberToObject(c, "precision", emojify_ratio(r->confusion[k][k], predicted));
        cJSON_AddNumberToObject(c, "recall", emojify_ratio(r->confusion[k][k], support));
        cJSON_AddNumberToObject(c, "support", support);
        cJSON_AddNumberToObject(c, "predicted", predicted);
        cJSON_AddItemToArray(classes, c);
    }
    cJSON_AddItemToObject(j, "classes", classes);
    cJSON_AddItemToObject(j, "confusion", conf);
    return j;
}

void emojify_metrics_print(const emojify_metrics *r, const emoji_set *e, const char *what)
{
    printf("%s_accuracy %.4f (%d of %d)\n", what, emojify_ratio(r->correct, r->n), r->correct, r->n);
    /* the emoji last: their width on a terminal is not their length */
    printf("class precision recall support emoji\n");
    for (int k = 0; k < r->K; k++) {
        int support, predicted;
        class_counts(r, k, &support, &predicted);
        printf("%5d %9.4f %6.4f %7d %s\n", k, emojify_ratio(r->confusion[k][k], predicted),
               emojify_ratio(r->confusion[k][k], support), support, e->sym[k]);
    }
    printf("confusion (rows: true class, columns: predicted class)\n     ");
    for (int l = 0; l < r->K; l++)
        printf(" %4d", l);
    putchar('\n');
    for (int k = 0; k < r->K; k++) {
        printf("%4d ", k);
        for (int l = 0; l < r->K; l++)
            printf(" %4d", r->confusion[k][l]);
        putchar('\n');
    }
}

/* ---- files ---- */

void emojify_open_model(const char *path, emo_model *m, emoji_set *e, model_in *keep)
{
    char err[ERR_MAX];
    model_in f;
    if (model_in_map(&f, path, "emojify", 1, err) < 0 || emo_load(m, &f, err) < 0)
        die("%s", err);
    const char *list = model_in_meta(&f, "emojify.emoji");
    if (!list || emoji_set_parse(list, e) < 0 || e->n != m->K)
        die("'%s': bad or missing metadata (emoji)", path);
    if (keep)
        *keep = f;
    else
        model_in_close(&f);
}
