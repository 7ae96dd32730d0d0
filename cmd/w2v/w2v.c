/* w2v — word vectors from the shell: similarity, nearest words, analogies
 * (one, a stream, or the Google test set), the bias direction, debiasing,
 * format conversion, and training.
 * This file holds the command's tables and what the actions share: words
 * and expressions, the query loop.  Files and lookup live in core/vectors,
 * the arithmetic in vecops, training in sgns. */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "parallel.h"
#include "w2v.h"

#define BATCH_MAX 256      /* queries scored by one matrix product */
#define MISSING "?"        /* the result line of a query that failed */

enum {
    OPT_INPUT_FORMAT = CLI_OWN_KEYS, OPT_FORMAT, OPT_RESTRICT, OPT_METHOD, OPT_INCLUDE_INPUTS,
    OPT_EVAL, OPT_NO_FOLD, OPT_PER_QUESTION, OPT_PAIRS, OPT_PAIRS_FILE, OPT_PCA,
    OPT_NEUTRALIZE, OPT_EQUALIZE, OPT_DIM, OPT_WINDOW, OPT_NEGATIVE,
    OPT_MIN_COUNT, OPT_SAMPLE, OPT_EPOCHS, OPT_ALPHA, OPT_INT8
};

/* The actions that read vectors: every one but train. */
#define READERS "similarity nearest analogy bias debias convert info"

static const cli_option w2v_options[] = {
    {"vectors", 'v', "FILE", "vectors to read ('-': standard input)\n"
                             "[$SEQTOOL_VECTORS, else " CLI_VECTORS_LOCAL " when it\n"
                             "exists, else the shipped\n"
                             "datasets/" CLI_VECTORS_SHIPPED "]", READERS, 0},
    {"input-format", OPT_INPUT_FORMAT, "F", "the format of the vectors [detected from the content]",
     READERS, 0},
    {NULL, 'k', "N", "how many neighbours or answers [nearest 10,\nanalogy 1]", "nearest analogy", 0},
    {"eval", OPT_EVAL, "FILE", "a word-similarity set (WordSim353, SimLex-999:\n"
                               "two words and a score per line): Spearman's and\n"
                               "Pearson's correlation of the cosines with the\n"
                               "scores; pairs with a word outside the first N\n"
                               "words are left out (gensim's evaluate_word_pairs)", "similarity", 0},
    {"restrict-vocab", OPT_RESTRICT, "N", "with --eval, only the first N words count\n"
                                          "[300000, gensim's]", "similarity", 0},
    {"restrict-vocab", OPT_RESTRICT, "N", "only the first N words are candidates (and, with\n"
                                          "--eval, questions) [all; 30000 with --eval]",
     "nearest analogy", 0},
    {"method", OPT_METHOD, "M", "3cosadd: nearest to b - a + c over unit vectors;\n"
                                "3cosmul: Levy & Goldberg's product; course:\n"
                                "cos(b - a, w - c) as the course computes it\n"
                                "[3cosadd]", "analogy", 0},
    {"include-inputs", OPT_INCLUDE_INPUTS, NULL, "A and B may be answers (only C is excluded, a\n"
                                                 "variant of the course's code)", "analogy", 0},
    {"eval", OPT_EVAL, "FILE", "the Google analogy test set: accuracy per section,\n"
                               "semantic, syntactic, total; questions with a word\n"
                               "outside the first N words are skipped (gensim's\n"
                               "evaluate_word_analogies protocol)", "analogy", 0},
    {"no-fold-case", OPT_NO_FOLD, NULL, "with --eval, compare words as written [upper-case\n"
                                        "both, as gensim and word2vec do]", "similarity analogy", 0},
    {"per-question", OPT_PER_QUESTION, NULL, "with --eval, also print each question, the answer\n"
                                             "and ok, wrong or skip", "analogy", 0},
    {"pairs", OPT_PAIRS, "A:B,...", "g is the mean of B - A over the pairs [man:woman,\n"
                                    "so g = woman - man]", "bias debias", 0},
    {"pairs-file", OPT_PAIRS_FILE, "FILE", "pairs, one 'A B' per line", "bias debias", 0},
    {"pca", OPT_PCA, NULL, "g is the first principal component of the pairs'\n"
                           "centred members (Bolukbasi et al.)", "bias debias", 0},
    {"neutralize", OPT_NEUTRALIZE, "FILE", "words (one per line) to project off g", "debias", 0},
    {"equalize", OPT_EQUALIZE, "FILE", "pairs 'W1 W2' to equalize around g", "debias", 0},
    {"output", 'o', "FILE", "vectors to write ('-': standard output) [train:\n"
                            DEFAULT_VECTORS "; debias and convert need it]",
     "debias convert train", CLI_RUN_ONLY},
    {"int8", OPT_INT8, NULL, "write the safetensors form with 8-bit rows, a\n"
                             "scale each: a quarter of the size [float32]", "convert", 0},
    {"dim", OPT_DIM, "N", "vector size [100]", "train", 0},
    {"window", OPT_WINDOW, "N", "largest context window, each side [5]", "train", 0},
    {"negative", OPT_NEGATIVE, "N", "noise words per context word [5]", "train", 0},
    {"min-count", OPT_MIN_COUNT, "N", "ignore words seen fewer times [5]", "train", 0},
    {"sample", OPT_SAMPLE, "X", "down-sample words more frequent than X [1e-3]", "train", 0},
    {"epochs", OPT_EPOCHS, "N", "passes over the corpus [5]", "train", 0},
    {"alpha", OPT_ALPHA, "X", "starting learning rate, decays linearly [0.025]", "train", 0},
    CLI_OPTION_SEED("train"),
    CLI_OPTION_CHECKPOINT_EVERY("train"),
    CLI_OPTION_RESUME("train"),
    {"threads", CLI_THREADS, "N", "threads sharing the work, 1 to 256 [train: 1,\n"
                                  "the only bit-for-bit reproducible; nearest and\n"
                                  "analogy: the cores, up to 8]", "nearest analogy train", 0},
    {"format", OPT_FORMAT, "F", "glove, word2vec, fasttext, word2vec-bin or\n"
                                "safetensors: the format to write (debias, convert,\n"
                                "train) [from OUT's extension, else the input's,\n"
                                "else safetensors]; on the actions that write no\n"
                                "vectors, the format to read (--input-format)", NULL, 0},
    CLI_OPTION_JSON(NULL),
    CLI_OPTION_QUIET(NULL),
    CLI_OPTIONS_END,
};

static const cli_action w2v_actions[] = {
    {"similarity", w2v_similarity, "[W1 W2 | -]", "cosine of two words; --eval: a set"},
    {"nearest", w2v_nearest, "[WORD... | -]", "the nearest words, by cosine"},
    {"analogy", w2v_analogy, "[A B C | -]", "D in A:B :: C:D; --eval: a test set"},
    {"bias", w2v_bias, "[WORD... | -]", "cosine with the bias direction g"},
    {"debias", w2v_debias, "-o OUT", "all vectors, listed words debiased"},
    {"convert", w2v_convert, "[IN] -o OUT", "IN (or -v's) in another format"},
    {"info", w2v_info, "[FILE]", "words, dimensions and format"},
    {"train", w2v_train, "[CORPUS] [-o OUT]", "skip-gram vectors (word2vec)"},
    CLI_ACTIONS_END,
};

static vec_format parse_format(const char *opt, const char *s)
{
    vec_format f;
    if (vec_format_parse(s, &f) < 0)
        die_usage("%s wants glove, word2vec, fasttext, word2vec-bin or safetensors, not '%s'", opt, s);
    return f;
}

/* The defaults a table cannot say: the vectors (from the environment or
 * the files there are), case folding (on unless --no-fold-case), and the
 * training fields no option sets (sgns_defaults: the learning rate's end,
 * one thread); the table's defaults then apply over the rest. */
static void w2v_begin(void *opts, const char *action)
{
    options *o = opts;
    memset(o, 0, sizeof *o);
    o->action = action;
    o->vectors = cli_default_vectors();
    o->fold_case = 1;
    sgns_defaults(&o->train);
}

static void w2v_set(void *opts, int key, const char *arg)
{
    options *o = opts;
    switch (key) {
    case 'v': o->vectors = arg; break;
    case 'o': o->output = arg; break;
    case 'k': o->k = (int)cli_long("-k", arg, 1, 100000); break;
    case 'q': o->quiet = 1; break;
    case OPT_INPUT_FORMAT: o->input_format = parse_format("--input-format", arg); break;
    case OPT_FORMAT: o->output_format = parse_format("--format", arg); o->format_set = 1; break;
    case OPT_RESTRICT: o->restrict_vocab = cli_long("--restrict-vocab", arg, 1, 2147483647L); break;
    case OPT_METHOD:
        if (strcmp(arg, "3cosadd") == 0)
            o->method = VS_COSINE;
        else if (strcmp(arg, "3cosmul") == 0)
            o->method = VS_3COSMUL;
        else if (strcmp(arg, "course") == 0)
            o->method = VS_COURSE;
        else
            die_usage("--method wants 3cosadd, 3cosmul or course, not '%s'", arg);
        break;
    case OPT_INCLUDE_INPUTS: o->include_inputs = 1; break;
    case OPT_EVAL: o->questions = arg; break;
    case OPT_NO_FOLD: o->fold_case = 0; break;
    case OPT_PER_QUESTION: o->per_question = 1; break;
    case OPT_PAIRS: o->pairs = arg; break;
    case OPT_PAIRS_FILE: o->pairs_file = arg; break;
    case OPT_PCA: o->pca = 1; break;
    case OPT_NEUTRALIZE: o->neutralize = arg; break;
    case OPT_EQUALIZE: o->equalize = arg; break;
    case CLI_JSON: o->json = 1; break;
    case OPT_DIM: o->train.dim = (int)cli_long("--dim", arg, 1, 10000); break;
    case OPT_WINDOW: o->train.window = (int)cli_long("--window", arg, 1, 1000); break;
    case OPT_NEGATIVE: o->train.negative = (int)cli_long("--negative", arg, 1, SGNS_NEGATIVE_MAX); break;
    case OPT_MIN_COUNT: o->train.min_count = cli_long("--min-count", arg, 1, 1000000000); break;
    case OPT_SAMPLE: o->train.sample = cli_double("--sample", arg, 0, 1); break;
    case OPT_EPOCHS: o->train.epochs = (int)cli_long("--epochs", arg, 1, 100000); break;
    case OPT_INT8: o->int8 = 1; break;
    case OPT_ALPHA: o->train.alpha = cli_double("--alpha", arg, 1e-9, 10); break;
    case CLI_THREADS: o->threads = o->train.threads = (int)cli_long("--threads", arg, 1, PARALLEL_MAX); break;
    case CLI_SEED: o->train.seed = cli_seed(arg); break;
    case CLI_CHECKPOINT_EVERY: case CLI_RESUME: ckpt_option(&o->ckpt, key, arg); break;
    }
}

static void w2v_end(void *opts)
{
    options *o = opts;
    const char *a = o->action;
    /* the actions that write no vectors: there --format names what is read */
    if (o->format_set && strcmp(a, "train") != 0 && strcmp(a, "convert") != 0 &&
        strcmp(a, "debias") != 0) {
        o->input_format = o->output_format;
        o->output_format = VEC_AUTO;
    }
    if (!o->questions && (o->per_question || !o->fold_case))
        die_usage("%s goes with --eval", o->per_question ? "--per-question" : "--no-fold-case");
    if (strcmp(a, "similarity") == 0 && o->restrict_vocab && !o->questions)
        die_usage("--restrict-vocab goes with --eval in similarity");
    if (o->questions && (o->k || o->include_inputs))
        die_usage("-k and --include-inputs do not go with --eval (its protocol is fixed)");
}

const cli_command w2v_command = {
    "w2v",
    "word vectors: similarity, nearest, analogy, bias, debias, convert, info, train",
    sizeof(options),
    w2v_actions,
    w2v_options,
    "Queries come from the arguments, or one per line from standard input\n"
    "(no arguments, or '-'); each gives one result line.  A word may be an\n"
    "expression of words joined by ' + ' and ' - ': 'france - paris'.\n"
    "A query with a word not in the vectors prints '" MISSING "' (stdin) or fails.\n"
    "\n"
    "similarity is the cosine u.v / (|u||v|).  bias: g is woman - man unless\n"
    "--pairs or --pairs-file say otherwise.  debias writes all the vectors,\n"
    "the words of --neutralize projected off g and the pairs of --equalize\n"
    "equalized around it.  convert writes IN (or -v's file) to OUT, in\n"
    "--format F or by OUT's extension: .txt glove, .vec word2vec, .bin\n"
    "word2vec-bin, .safetensors (opened by mmap, instantly).  info: FILE (or\n"
    "-v's file): words, dimensions and format; checks a safetensors file's\n"
    "CRC.  train: CORPUS is text, one sentence per line, words separated by\n"
    "spaces [" W2V_DEFAULT_CORPUS ", made by 'make corpus'].\n",
    NULL,
    w2v_begin,
    w2v_set,
    w2v_end,
};


/* ---- vectors and words ---- */

void w2v_open(const options *o, vectors *v)
{
    cli_open_vectors(v, o->vectors, o->input_format, cli_default_vectors(), o->quiet);
}

long w2v_lookup(const vectors *v, const char *word, char *why)
{
    long i = vectors_find(v, word, strlen(word));
    if (i >= 0)
        return i;
    char lower[256];
    size_t len = strlen(word);
    if (len < sizeof lower) {
        for (size_t k = 0; k <= len; k++)
            lower[k] = word[k] >= 'A' && word[k] <= 'Z' ? (char)(word[k] + 32) : word[k];
        if (strcmp(lower, word) != 0 && vectors_find(v, lower, len) >= 0) {
            snprintf(why, W2V_WHY, "'%s' is not in the vectors (but '%s' is)", word, lower);
            return -1;
        }
    }
    snprintf(why, W2V_WHY, "'%s' is not in the vectors", word);
    return -1;
}

int w2v_split(char *line, char **tok, int max)
{
    int n = 0;
    for (char *p = strtok(line, " \t"); p; p = strtok(NULL, " \t")) {
        if (n == max)
            return -1;
        tok[n++] = p;
    }
    return n;
}

int w2v_is_operator(const char *t) { return strcmp(t, "+") == 0 || strcmp(t, "-") == 0; }

int w2v_expression(const vectors *v, char **tok, int ntok, int *pos, expression *e, char *why)
{
    int sign = 1, want_word = 1;
    e->nrows = 0;
    e->text[0] = 0;
    memset(e->sum, 0, (size_t)v->dim * sizeof *e->sum);
    for (; *pos < ntok; (*pos)++) {
        const char *t = tok[*pos];
        if (w2v_is_operator(t)) {
            if (want_word) {
                snprintf(why, W2V_WHY, "'%s' where a word was expected", t);
                return -1;
            }
            sign = t[0] == '-' ? -1 : 1;
            want_word = 1;
        } else {
            if (!want_word)
                break; /* the next expression starts */
            long r = w2v_lookup(v, t, why);
            if (r < 0)
                return -1;
            const float *row = vectors_row(v, r);
            for (int k = 0; k < v->dim; k++)
                e->sum[k] += sign * (double)row[k];
            e->rows[e->nrows++] = r;
            want_word = 0;
        }
        size_t used = strlen(e->text);
        snprintf(e->text + used, sizeof e->text - used, "%s%s", used ? " " : "", t);
    }
    if (want_word) {
        snprintf(why, W2V_WHY, e->nrows ? "an expression ends with an operator" : "a word is missing");
        return -1;
    }
    return 0;
}

int w2v_skip_line(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return *s == 0 || *s == '#';
}

/* ---- queries: from the arguments or a stream ---- */

/* What a query's number counts: stdin lines, or arguments when several
 * argument queries make a batch. */
static const char *query_unit = "line";

void w2v_query_failed(const options *o, int stream, long number, const char *why, int *failed)
{
    if (!stream)
        die("%s", why);
    if (o->json) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddNumberToObject(j, query_unit, number);
        cJSON_AddStringToObject(j, "error", why);
        cli_print_json(j);
    } else {
        puts(MISSING);
    }
    warn("%s %ld: %s", query_unit, number, why);
    (*failed)++;
}

static int from_stdin(int argc, char **argv)
{
    return argc == 0 || (argc == 1 && strcmp(argv[0], "-") == 0);
}

void w2v_check_stdin(const options *o, int argc, char **argv)
{
    if (from_stdin(argc, argv) && strcmp(o->vectors, "-") == 0)
        die_usage("the vectors and the queries cannot both come from standard input");
}

int w2v_one_query(int argc, char **argv)
{
    for (int i = 0; i < argc; i++)
        if (w2v_is_operator(argv[i]))
            return 1;
    return 0;
}

/* Standard input's lines, gathered into batches for fn. */
typedef struct {
    const options *o;
    const vectors *v;
    void *ctx;
    w2v_batch fn;
    char *q[BATCH_MAX];
    int n, failed;
    long first;
} stream;

static void stream_add(void *p, char *line, size_t len, long lineno)
{
    stream *s = p;
    if (s->n == 0)
        s->first = lineno;
    if (!(s->q[s->n++] = strdup(line)))
        die("out of memory");
}

static void stream_flush(void *p)
{
    stream *s = p;
    s->fn(s->o, s->v, s->ctx, s->q, s->n, s->first, &s->failed);
    for (int i = 0; i < s->n; i++)
        free(s->q[i]);
    s->n = 0;
}

int w2v_queries(const options *o, const vectors *v, void *ctx, int argc, char **argv, int per_arg,
                w2v_batch fn)
{
    int failed = 0;
    if (from_stdin(argc, argv)) {
        stream s = {.o = o, .v = v, .ctx = ctx, .fn = fn};
        cli_batch_lines(0, BATCH_MAX, stream_add, stream_flush, &s);
        return s.failed ? 1 : 0;
    }
    if (per_arg) {
        /* several queries are a batch: one failing prints the marker */
        query_unit = "argument";
        fn(o, v, ctx, argv, argc, argc > 1 ? 1 : 0, &failed);
        return failed ? 1 : 0;
    }
    size_t len = 1;
    for (int i = 0; i < argc; i++)
        len += strlen(argv[i]) + 1;
    char *q = malloc(len);
    if (!q)
        die("out of memory");
    q[0] = 0;
    for (int i = 0; i < argc; i++)
        strcat(strcat(q, i ? " " : ""), argv[i]);
    fn(o, v, ctx, &q, 1, 0, &failed);
    free(q);
    return failed ? 1 : 0;
}
