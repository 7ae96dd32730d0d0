/* w2v — word vectors from the shell: similarity, nearest words, analogies
 * (one, a stream, or the Google test set), the bias direction, debiasing,
 * format conversion, and training (w2v_train.c).
 * Files and lookup live in core/vectors, the arithmetic in core/vecops;
 * this file is the face: options, queries in, results out. */
#include <cjson/cJSON.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "text.h"
#include "vecops.h"
#include "vectors.h"
#include "w2v.h"

#define DEFAULT_VECTORS "vectors.safetensors"
#define EVAL_RESTRICT 30000
#define EVAL_TOPN 5        /* gensim's evaluate_word_analogies looks at 5 */
#define BATCH_MAX 256      /* queries scored by one matrix product */
#define MISSING "?"        /* the result line of a query that failed */
#define MAX_TOKENS 64

static const char usage_text[] =
    "usage: seqtool w2v similarity [OPTIONS] [W1 W2 | -]\n"
    "       seqtool w2v nearest [OPTIONS] [WORD... | -]\n"
    "       seqtool w2v analogy [OPTIONS] [A B C | -]\n"
    "       seqtool w2v analogy --eval QUESTIONS [OPTIONS]\n"
    "       seqtool w2v bias [OPTIONS] [WORD... | -]\n"
    "       seqtool w2v debias -o OUT [--neutralize FILE] [--equalize FILE] [OPTIONS]\n"
    "       seqtool w2v convert [IN] -o OUT [--format F]\n"
    "       seqtool w2v info [FILE] [OPTIONS]\n"
    "       seqtool w2v train [CORPUS] [-o OUT] [OPTIONS]\n"
    "\n"
    "Queries come from the arguments, or one per line from standard input\n"
    "(no arguments, or '-'); each gives one result line.  A word may be an\n"
    "expression of words joined by ' + ' and ' - ': 'france - paris'.\n"
    "A query with a word not in the vectors prints '" MISSING "' (stdin) or fails.\n"
    "\n"
    "vectors:\n"
    "  -v, --vectors FILE      vectors to read [$SEQTOOL_VECTORS, else " DEFAULT_VECTORS "]\n"
    "      --input-format F    glove, word2vec, fasttext, word2vec-bin or\n"
    "                          safetensors [detected from the content]\n"
    "      --format F          on queries (which write no vectors): --input-format\n"
    "\n"
    "similarity:  cosine u.v / (|u||v|) of two words or expressions\n"
    "nearest:\n"
    "  -k N                    how many neighbours [10]\n"
    "      --restrict-vocab N  only the first N words are candidates [all]\n"
    "analogy:     D in A:B :: C:D\n"
    "  -k N                    how many answers [1]\n"
    "      --restrict-vocab N  only the first N words are candidates (and, with\n"
    "                          --eval, questions) [all; 30000 with --eval]\n"
    "      --method M          3cosadd: nearest to b - a + c over unit vectors;\n"
    "                          3cosmul: Levy & Goldberg's product; course:\n"
    "                          cos(b - a, w - c) as the course computes it\n"
    "                          [3cosadd]\n"
    "      --include-inputs    A and B may be answers (only C is excluded, a\n"
    "                          variant of the course's code)\n"
    "      --eval FILE         the Google analogy test set: accuracy per section,\n"
    "                          semantic, syntactic, total; questions with a word\n"
    "                          outside the first N words are skipped (gensim's\n"
    "                          evaluate_word_analogies protocol)\n"
    "      --no-fold-case      with --eval, compare words as written [upper-case\n"
    "                          both, as gensim and word2vec do]\n"
    "      --per-question      with --eval, also print each question, the answer\n"
    "                          and ok, wrong or skip\n"
    "bias:        each word's cosine with the bias direction g\n"
    "      --pairs A:B,...     g is the mean of B - A over the pairs [man:woman,\n"
    "                          so g = woman - man]\n"
    "      --pairs-file FILE   pairs, one 'A B' per line\n"
    "      --pca               g is the first principal component of the pairs'\n"
    "                          centred members (Bolukbasi et al.)\n"
    "debias:      write all vectors, with the listed words debiased\n"
    "  -o, --output FILE       where to write ('-': standard output)\n"
    "      --neutralize FILE   words (one per line) to project off g\n"
    "      --equalize FILE     pairs 'W1 W2' to equalize around g\n"
    "      --format F          format to write [from OUT's extension, else the\n"
    "                          input's]; also --pairs, --pairs-file, --pca\n"
    "convert:     IN [-v's file] to OUT, in --format F or by OUT's extension:\n"
    "             .txt glove, .vec word2vec, .bin word2vec-bin, .safetensors\n"
    "             (opened by mmap, instantly)\n"
    "info:        FILE [-v's file]: words, dimensions and format; checks a\n"
    "             safetensors file's CRC\n"
    "\n"
    "train:       skip-gram with negative sampling (word2vec); CORPUS is text,\n"
    "             one sentence per line, words separated by spaces\n"
    "                          [" W2V_DEFAULT_CORPUS ", made by 'make corpus']\n"
    "  -o, --output FILE       vectors to write [" DEFAULT_VECTORS "]\n"
    "      --dim N             vector size [100]\n"
    "      --window N          largest context window, each side [5]\n"
    "      --negative N        noise words per context word [5]\n"
    "      --min-count N       ignore words seen fewer times [5]\n"
    "      --sample X          down-sample words more frequent than X [1e-3]\n"
    "      --epochs N          passes over the corpus [5]\n"
    "      --alpha X           starting learning rate, decays linearly [0.025]\n"
    "      --threads N         worker threads; 1 is bit-for-bit reproducible [1]\n"
    "      --seed N            random seed [1]\n"
    "      --format F          format to write [from OUT's extension]\n"
    "\n"
    "common:\n"
    "      --json              one JSON object per line on standard output\n"
    "  -q, --quiet             no progress or log lines on standard error\n"
    "  -h, --help              this help\n";

enum {
    OPT_INPUT_FORMAT = 256, OPT_FORMAT, OPT_RESTRICT, OPT_METHOD, OPT_INCLUDE_INPUTS,
    OPT_EVAL, OPT_NO_FOLD, OPT_PER_QUESTION, OPT_PAIRS, OPT_PAIRS_FILE, OPT_PCA,
    OPT_NEUTRALIZE, OPT_EQUALIZE, OPT_JSON, OPT_DIM, OPT_WINDOW, OPT_NEGATIVE,
    OPT_MIN_COUNT, OPT_SAMPLE, OPT_EPOCHS, OPT_ALPHA, OPT_THREADS, OPT_SEED
};

static const struct option long_options[] = {
    {"vectors", required_argument, 0, 'v'},
    {"output", required_argument, 0, 'o'},
    {"quiet", no_argument, 0, 'q'},
    {"help", no_argument, 0, 'h'},
    {"input-format", required_argument, 0, OPT_INPUT_FORMAT},
    {"format", required_argument, 0, OPT_FORMAT},
    {"restrict-vocab", required_argument, 0, OPT_RESTRICT},
    {"method", required_argument, 0, OPT_METHOD},
    {"include-inputs", no_argument, 0, OPT_INCLUDE_INPUTS},
    {"eval", required_argument, 0, OPT_EVAL},
    {"no-fold-case", no_argument, 0, OPT_NO_FOLD},
    {"per-question", no_argument, 0, OPT_PER_QUESTION},
    {"pairs", required_argument, 0, OPT_PAIRS},
    {"pairs-file", required_argument, 0, OPT_PAIRS_FILE},
    {"pca", no_argument, 0, OPT_PCA},
    {"neutralize", required_argument, 0, OPT_NEUTRALIZE},
    {"equalize", required_argument, 0, OPT_EQUALIZE},
    {"json", no_argument, 0, OPT_JSON},
    {"dim", required_argument, 0, OPT_DIM},
    {"window", required_argument, 0, OPT_WINDOW},
    {"negative", required_argument, 0, OPT_NEGATIVE},
    {"min-count", required_argument, 0, OPT_MIN_COUNT},
    {"sample", required_argument, 0, OPT_SAMPLE},
    {"epochs", required_argument, 0, OPT_EPOCHS},
    {"alpha", required_argument, 0, OPT_ALPHA},
    {"threads", required_argument, 0, OPT_THREADS},
    {"seed", required_argument, 0, OPT_SEED},
    {0, 0, 0, 0},
};

typedef struct {
    const char *action;
    const char *vectors, *output, *pairs, *pairs_file, *neutralize, *equalize;
    vec_format input_format, output_format;
    int k, include_inputs, pca, json, quiet;
    long restrict_vocab; /* 0: all */
    vec_score method;
    w2v_eval_options eval;
    sgns_config train;
} options;

/* Options each action accepts, besides -q, -h and --json. */
static const struct {
    const char *action;
    int opts[16];
} action_options[] = {
    {"similarity", {'v', OPT_INPUT_FORMAT, OPT_FORMAT}},
    {"nearest", {'v', OPT_INPUT_FORMAT, OPT_FORMAT, 'k', OPT_RESTRICT}},
    {"analogy", {'v', OPT_INPUT_FORMAT, OPT_FORMAT, 'k', OPT_RESTRICT, OPT_METHOD,
                 OPT_INCLUDE_INPUTS, OPT_EVAL, OPT_NO_FOLD, OPT_PER_QUESTION}},
    {"bias", {'v', OPT_INPUT_FORMAT, OPT_FORMAT, OPT_PAIRS, OPT_PAIRS_FILE, OPT_PCA}},
    {"debias", {'v', OPT_INPUT_FORMAT, 'o', OPT_FORMAT, OPT_PAIRS, OPT_PAIRS_FILE, OPT_PCA,
                OPT_NEUTRALIZE, OPT_EQUALIZE}},
    {"convert", {'v', OPT_INPUT_FORMAT, 'o', OPT_FORMAT}},
    {"info", {'v', OPT_INPUT_FORMAT, OPT_FORMAT}},
    {"train", {'o', OPT_FORMAT, OPT_DIM, OPT_WINDOW, OPT_NEGATIVE, OPT_MIN_COUNT, OPT_SAMPLE,
               OPT_EPOCHS, OPT_ALPHA, OPT_THREADS, OPT_SEED}},
};
#define NACTIONS (int)(sizeof action_options / sizeof action_options[0])

static int find_action(const char *name)
{
    for (int i = 0; i < NACTIONS; i++)
        if (strcmp(action_options[i].action, name) == 0)
            return i;
    return -1;
}

static int option_allowed(const char *action, int c)
{
    if (c == 'q' || c == 'h' || c == OPT_JSON)
        return 1;
    int a = find_action(action);
    for (int i = 0; a >= 0 && i < 16 && action_options[a].opts[i]; i++)
        if (action_options[a].opts[i] == c)
            return 1;
    return 0;
}

static vec_format parse_format(const char *opt, const char *s)
{
    vec_format f;
    if (vec_format_parse(s, &f) < 0)
        die_usage("%s wants glove, word2vec, fasttext, word2vec-bin or safetensors, not '%s'", opt, s);
    return f;
}

static void set_defaults(options *o, const char *action)
{
    memset(o, 0, sizeof *o);
    o->action = action;
    const char *env = getenv("SEQTOOL_VECTORS");
    o->vectors = env && *env ? env : DEFAULT_VECTORS;
    o->method = VS_COSINE; /* 3CosAdd */
    o->eval.fold_case = 1;
    sgns_defaults(&o->train);
}

static void parse_options(options *o, int argc, char **argv)
{
    int c, format_set = 0;
    optind = 1;
    while ((c = cli_getopt(argc, argv, ":v:o:k:qh", long_options, usage_text)) != -1) {
        if (!option_allowed(o->action, c))
            die_usage("%s is not an option of 'w2v %s'", cli_option_name(long_options, c), o->action);
        switch (c) {
        case 'v': o->vectors = optarg; break;
        case 'o': o->output = optarg; break;
        case 'k': o->k = (int)cli_long("-k", optarg, 1, 100000); break;
        case 'q': o->quiet = 1; break;
        case OPT_INPUT_FORMAT: o->input_format = parse_format("--input-format", optarg); break;
        case OPT_FORMAT: o->output_format = parse_format("--format", optarg); format_set = 1; break;
        case OPT_RESTRICT: o->restrict_vocab = cli_long("--restrict-vocab", optarg, 1, 2147483647L); break;
        case OPT_METHOD:
            if (strcmp(optarg, "3cosadd") == 0)
                o->method = VS_COSINE;
            else if (strcmp(optarg, "3cosmul") == 0)
                o->method = VS_3COSMUL;
            else if (strcmp(optarg, "course") == 0)
                o->method = VS_COURSE;
            else
                die_usage("--method wants 3cosadd, 3cosmul or course, not '%s'", optarg);
            break;
        case OPT_INCLUDE_INPUTS: o->include_inputs = 1; break;
        case OPT_EVAL: o->eval.questions = optarg; break;
        case OPT_NO_FOLD: o->eval.fold_case = 0; break;
        case OPT_PER_QUESTION: o->eval.per_question = 1; break;
        case OPT_PAIRS: o->pairs = optarg; break;
        case OPT_PAIRS_FILE: o->pairs_file = optarg; break;
        case OPT_PCA: o->pca = 1; break;
        case OPT_NEUTRALIZE: o->neutralize = optarg; break;
        case OPT_EQUALIZE: o->equalize = optarg; break;
        case OPT_JSON: o->json = 1; break;
        case OPT_DIM: o->train.dim = (int)cli_long("--dim", optarg, 1, 10000); break;
        case OPT_WINDOW: o->train.window = (int)cli_long("--window", optarg, 1, 1000); break;
        case OPT_NEGATIVE: o->train.negative = (int)cli_long("--negative", optarg, 1, SGNS_NEGATIVE_MAX); break;
        case OPT_MIN_COUNT: o->train.min_count = cli_long("--min-count", optarg, 1, 1000000000); break;
        case OPT_SAMPLE: o->train.sample = cli_double("--sample", optarg, 0, 1); break;
        case OPT_EPOCHS: o->train.epochs = (int)cli_long("--epochs", optarg, 1, 100000); break;
        case OPT_ALPHA: o->train.alpha = cli_double("--alpha", optarg, 1e-9, 10); break;
        case OPT_THREADS: o->train.threads = (int)cli_long("--threads", optarg, 1, 256); break;
        case OPT_SEED: o->train.seed = cli_seed(optarg); break;
        }
    }
    /* Query actions write no vectors: there --format names what is read. */
    if (format_set && !o->output && strcmp(o->action, "train") != 0 && strcmp(o->action, "convert") != 0 &&
        strcmp(o->action, "debias") != 0) {
        o->input_format = o->output_format;
        o->output_format = VEC_AUTO;
    }
    if (!o->eval.questions && (o->eval.per_question || !o->eval.fold_case))
        die_usage("--per-question and --no-fold-case go with --eval");
    if (o->eval.questions && (o->k || o->include_inputs))
        die_usage("-k and --include-inputs do not go with --eval (its protocol is fixed)");
    o->eval.restrict_vocab = o->restrict_vocab;
    o->eval.json = o->json;
    o->eval.quiet = o->quiet;
    o->eval.method = o->method;
}

/* ---- vectors and words ---- */

static void open_vectors(const options *o, vectors *v)
{
    char err[ERR_MAX];
    const char *path = strcmp(o->vectors, "-") == 0 ? "/dev/stdin" : o->vectors;
    if (vectors_load(v, path, o->input_format, err) < 0) {
        if (access(path, F_OK) != 0 && strcmp(o->vectors, DEFAULT_VECTORS) == 0)
            die("%s (name the vectors with -v FILE or SEQTOOL_VECTORS)", err);
        die("%s", err);
    }
    if (v->duplicates && !o->quiet)
        warn("'%s': %ld repeated word(s), the first at %s %ld; kept the first vector of each",
             o->vectors, v->duplicates, v->format == VEC_WORD2VEC_BIN ? "record" : "line",
             v->first_duplicate);
}

/* The row of word, or -1 with the reason in why. */
static long lookup(const vectors *v, const char *word, char *why, size_t n)
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
            snprintf(why, n, "'%s' is not in the vectors (but '%s' is)", word, lower);
            return -1;
        }
    }
    snprintf(why, n, "'%s' is not in the vectors", word);
    return -1;
}

static int split_tokens(char *line, char **tok, int max)
{
    int n = 0;
    for (char *p = strtok(line, " \t"); p; p = strtok(NULL, " \t")) {
        if (n == max)
            return -1;
        tok[n++] = p;
    }
    return n;
}

static int is_operator(const char *t) { return strcmp(t, "+") == 0 || strcmp(t, "-") == 0; }

/* An expression "w1 [+|- w2 ...]" starting at tok[*pos]: its vector sum
 * (double), the rows used (up to MAX_TOKENS).  0, or -1 with why. */
typedef struct {
    double *sum;
    long rows[MAX_TOKENS];
    int nrows;
    char text[512];
} expression;

static int parse_expression(const vectors *v, char **tok, int ntok, int *pos, expression *e,
                            char *why, size_t n)
{
    int sign = 1, want_word = 1;
    e->nrows = 0;
    e->text[0] = 0;
    memset(e->sum, 0, (size_t)v->dim * sizeof *e->sum);
    for (; *pos < ntok; (*pos)++) {
        const char *t = tok[*pos];
        if (is_operator(t)) {
            if (want_word) {
                snprintf(why, n, "'%s' where a word was expected", t);
                return -1;
            }
            sign = t[0] == '-' ? -1 : 1;
            want_word = 1;
        } else {
            if (!want_word)
                break; /* the next expression starts */
            long r = lookup(v, t, why, n);
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
        snprintf(why, n, e->nrows ? "an expression ends with an operator" : "a word is missing");
        return -1;
    }
    return 0;
}

/* ---- queries: from the arguments or a stream ---- */

typedef struct query_batch query_batch;
typedef void (*batch_fn)(const options *o, const vectors *v, void *ctx, char **q, int n,
                         long first_line, int *failed);

/* Report a failed query: in a stream its line prints the marker and the
 * run goes on; a query from the arguments is fatal. */
/* What a query's number counts: stdin lines, or arguments when several
 * argument queries make a batch. */
static const char *query_unit = "line";

static void query_failed(const options *o, int stream, long line, const char *why, int *failed)
{
    if (!stream)
        die("%s", why);
    if (o->json) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddNumberToObject(j, query_unit, line);
        cJSON_AddStringToObject(j, "error", why);
        cli_print_json(j);
    } else {
        puts(MISSING);
    }
    warn("%s %ld: %s", query_unit, line, why);
    (*failed)++;
}

/* Run fn over the queries: each argument alone (per_arg), all arguments as
 * one query, or standard input's lines in batches of what is ready. */
static int run_queries(const options *o, const vectors *v, void *ctx, int argc, char **argv,
                       int per_arg, batch_fn fn)
{
    int failed = 0;
    if (argc > 0 && !(argc == 1 && strcmp(argv[0], "-") == 0)) {
        if (per_arg) {
            /* several queries are a batch: one failing prints the marker */
            query_unit = "argument";
            fn(o, v, ctx, argv, argc, argc > 1 ? 1 : 0, &failed);
        } else {
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
        }
        return failed ? 1 : 0;
    }
    if (strcmp(o->vectors, "-") == 0)
        die_usage("the vectors and the queries cannot both come from standard input");
    line_reader lr;
    line_reader_init(&lr, 0);
    char *q[BATCH_MAX];
    for (;;) {
        int n = 0;
        long first = lr.lineno + 1;
        size_t len;
        char *line;
        while (n < BATCH_MAX && (n == 0 || line_reader_ready(&lr)) && (line = line_reader_next(&lr, &len))) {
            if (!(q[n++] = strdup(line)))
                die("out of memory");
        }
        if (n == 0)
            break;
        fn(o, v, ctx, q, n, first, &failed);
        for (int i = 0; i < n; i++)
            free(q[i]);
    }
    line_reader_free(&lr);
    return failed ? 1 : 0;
}

/* ---- similarity ---- */

static void similarity_batch(const options *o, const vectors *v, void *ctx, char **q, int n,
                             long first, int *failed)
{
    expression a = {.sum = malloc((size_t)v->dim * sizeof(double))};
    expression b = {.sum = malloc((size_t)v->dim * sizeof(double))};
    if (!a.sum || !b.sum)
        die("out of memory");
    for (int i = 0; i < n; i++) {
        char why[400], *tok[MAX_TOKENS];
        int ntok = split_tokens(q[i], tok, MAX_TOKENS), pos = 0;
        if (ntok < 0) {
            query_failed(o, first > 0, first + i, "too many words in one query", failed);
            continue;
        }
        int bad = parse_expression(v, tok, ntok, &pos, &a, why, sizeof why) < 0;
        if (!bad && pos == ntok) {
            snprintf(why, sizeof why, "similarity needs two words or expressions");
            bad = 1;
        }
        bad = bad || parse_expression(v, tok, ntok, &pos, &b, why, sizeof why) < 0;
        if (!bad && pos < ntok) {
            snprintf(why, sizeof why, "more than two words or expressions");
            bad = 1;
        }
        if (bad) {
            query_failed(o, first > 0, first + i, why, failed);
            continue;
        }
        double cos = vec_cosine_d(a.sum, b.sum, v->dim);
        if (o->json) {
            cJSON *j = cJSON_CreateObject();
            cJSON_AddStringToObject(j, "a", a.text);
            cJSON_AddStringToObject(j, "b", b.text);
            cJSON_AddNumberToObject(j, "similarity", cos);
            cli_print_json(j);
        } else {
            printf("%.8f\n", cos);
        }
    }
    free(a.sum);
    free(b.sum);
}

/* ---- nearest and analogy: scored in batches ---- */

typedef struct {
    float *norms;
    long limit;
} search_ctx;

static void print_hits(const options *o, const vectors *v, cJSON *j, const vec_hit *h, int k,
                       const char *key)
{
    cJSON *arr = j ? cJSON_AddArrayToObject(j, key) : NULL;
    int printed = 0;
    for (int i = 0; i < k && h[i].index >= 0; i++) {
        if (j) {
            cJSON *e = cJSON_CreateObject();
            cJSON_AddStringToObject(e, "word", vectors_word(v, h[i].index));
            cJSON_AddNumberToObject(e, "score", h[i].score);
            cJSON_AddItemToArray(arr, e);
        } else {
            printf("%s%s %.6f", printed++ ? "\t" : "", vectors_word(v, h[i].index), h[i].score);
        }
    }
    if (j)
        cli_print_json(j);
    else
        putchar('\n');
}

/* One query's search input: its vectors (m rows of Q) and skipped rows. */
static void nearest_batch(const options *o, const vectors *v, void *vctx, char **q, int n,
                          long first, int *failed)
{
    search_ctx *ctx = vctx;
    int dim = v->dim, k = o->k ? o->k : 10;
    float *Q = malloc((size_t)n * dim * sizeof *Q);
    long *skip = malloc((size_t)n * MAX_TOKENS * sizeof *skip);
    vec_hit *hits = malloc((size_t)n * k * sizeof *hits);
    char (*why)[400] = malloc((size_t)n * sizeof *why);
    char (*text)[512] = malloc((size_t)n * sizeof *text);
    expression e = {.sum = malloc((size_t)dim * sizeof(double))};
    int m = 0, *slot = malloc((size_t)n * sizeof *slot); /* parsed queries, packed to the front */
    if (!Q || !skip || !hits || !why || !text || !e.sum || !slot)
        die("out of memory");
    for (int i = 0; i < n; i++) {
        char *tok[MAX_TOKENS];
        int ntok = split_tokens(q[i], tok, MAX_TOKENS), pos = 0;
        slot[i] = -1;
        if (ntok <= 0) {
            snprintf(why[i], sizeof why[i], ntok < 0 ? "too many words in one query" : "no word");
            continue;
        }
        if (parse_expression(v, tok, ntok, &pos, &e, why[i], sizeof why[i]) < 0)
            continue;
        if (pos < ntok) {
            snprintf(why[i], sizeof why[i], "one word or expression per query");
            continue;
        }
        double nn = 0;
        for (int d = 0; d < dim; d++)
            nn += e.sum[d] * e.sum[d];
        nn = sqrt(nn);
        for (int d = 0; d < dim; d++)
            Q[(size_t)m * dim + d] = nn > 0 ? (float)(e.sum[d] / nn) : 0;
        for (int r = 0; r < MAX_TOKENS; r++)
            skip[(size_t)m * MAX_TOKENS + r] = r < e.nrows ? e.rows[r] : -1;
        snprintf(text[i], sizeof text[i], "%s", e.text);
        slot[i] = m++;
    }
    if (m && vectors_top(v, ctx->norms, ctx->limit, VS_COSINE, Q, m, skip, MAX_TOKENS, k, 0, hits) < 0)
        die("out of memory");
    for (int i = 0; i < n; i++) {
        if (slot[i] < 0) {
            query_failed(o, first > 0, first + i, why[i], failed);
            continue;
        }
        cJSON *j = NULL;
        if (o->json) {
            j = cJSON_CreateObject();
            cJSON_AddStringToObject(j, "query", text[i]);
        }
        print_hits(o, v, j, hits + (size_t)slot[i] * k, k, "nearest");
    }
    free(Q), free(skip), free(hits), free(why), free(text), free(e.sum), free(slot);
}

static void analogy_batch(const options *o, const vectors *v, void *vctx, char **q, int n,
                          long first, int *failed)
{
    search_ctx *ctx = vctx;
    int dim = v->dim, k = o->k ? o->k : 1, m = vec_score_rows(o->method);
    float *Q = malloc((size_t)n * m * dim * sizeof *Q), *tmp = malloc(3 * (size_t)dim * sizeof *tmp);
    long *skip = malloc((size_t)n * 3 * sizeof *skip), (*abc)[3] = malloc((size_t)n * sizeof *abc);
    vec_hit *hits = malloc((size_t)n * k * sizeof *hits);
    int *slot = malloc((size_t)n * sizeof *slot), nq = 0;
    char (*why)[400] = malloc((size_t)n * sizeof *why);
    if (!Q || !tmp || !skip || !abc || !hits || !slot || !why)
        die("out of memory");
    for (int i = 0; i < n; i++) {
        char *tok[MAX_TOKENS];
        int ntok = split_tokens(q[i], tok, MAX_TOKENS);
        slot[i] = -1;
        if (ntok != 3) {
            snprintf(why[i], sizeof why[i], "an analogy is three words A B C (A:B :: C:?)");
            continue;
        }
        long r[3];
        int missing = 0;
        for (int w = 0; w < 3 && !missing; w++)
            missing = (r[w] = lookup(v, tok[w], why[i], sizeof why[i])) < 0;
        if (missing)
            continue;
        analogy_vectors(v, ctx->norms, o->method, r[0], r[1], r[2], Q + (size_t)nq * m * dim, tmp);
        long *s = skip + (size_t)nq * 3;
        s[0] = r[2];
        s[1] = o->include_inputs ? -1 : r[0];
        s[2] = o->include_inputs ? -1 : r[1];
        memcpy(abc[i], r, sizeof r);
        slot[i] = nq++;
    }
    if (nq && vectors_top(v, ctx->norms, ctx->limit, o->method, Q, nq, skip, 3, k, 0, hits) < 0)
        die("out of memory");
    for (int i = 0; i < n; i++) {
        if (slot[i] < 0) {
            query_failed(o, first > 0, first + i, why[i], failed);
            continue;
        }
        cJSON *j = NULL;
        if (o->json) {
            j = cJSON_CreateObject();
            cJSON_AddStringToObject(j, "a", vectors_word(v, abc[i][0]));
            cJSON_AddStringToObject(j, "b", vectors_word(v, abc[i][1]));
            cJSON_AddStringToObject(j, "c", vectors_word(v, abc[i][2]));
        }
        print_hits(o, v, j, hits + (size_t)slot[i] * k, k, "answers");
    }
    free(Q), free(tmp), free(skip), free(abc), free(hits), free(slot), free(why);
}

static int w2v_search(options *o, int argc, char **argv, int analogy)
{
    vectors v;
    open_vectors(o, &v);
    search_ctx ctx = {vectors_norms(&v, v.n), o->restrict_vocab ? o->restrict_vocab : v.n};
    if (!ctx.norms)
        die("out of memory");
    int per_arg = 1;
    for (int i = 0; i < argc; i++)
        if (is_operator(argv[i]))
            per_arg = 0;
    if (analogy) {
        if (argc > 0 && !(argc == 1 && strcmp(argv[0], "-") == 0) && argc != 3)
            die_usage("analogy wants three words A B C (A:B :: C:?), or queries on standard input");
        per_arg = 0;
    }
    int status = run_queries(o, &v, &ctx, argc, argv, per_arg, analogy ? analogy_batch : nearest_batch);
    free(ctx.norms);
    vectors_free(&v);
    return status;
}

/* ---- bias and debias ---- */

typedef struct {
    double *g;
} bias_ctx;

/* Add the pair "a:b" or "a b" to the lists; die naming where it came from. */
static void add_pair(const vectors *v, char *text, const char *where, long **a, long **b, int *n)
{
    char *sep = strchr(text, ':');
    char *tok[3];
    int nt;
    if (sep) {
        *sep = 0;
        tok[0] = text;
        tok[1] = sep + 1;
        nt = *tok[0] && *tok[1] && !strchr(tok[1], ':') ? 2 : 0;
    } else {
        nt = split_tokens(text, tok, 3);
    }
    if (nt != 2)
        die("%s: a pair is two words, 'A:B' or 'A B'", where);
    char why[400];
    long ra = lookup(v, tok[0], why, sizeof why), rb = ra >= 0 ? lookup(v, tok[1], why, sizeof why) : -1;
    if (ra < 0 || rb < 0)
        die("%s: %s", where, why);
    *a = realloc(*a, (size_t)(*n + 1) * sizeof **a);
    *b = realloc(*b, (size_t)(*n + 1) * sizeof **b);
    if (!*a || !*b)
        die("out of memory");
    (*a)[*n] = ra;
    (*b)[*n] = rb;
    (*n)++;
}

text_lines w2v_read_lines(const char *path)
{
    FILE *f = cli_open_read(path);
    text_lines t;
    char err[ERR_MAX];
    if (text_read_lines(f, 4096, &t, err) < 0)
        die("'%s': %s", cli_display_name(path), err);
    if (f != stdin)
        fclose(f);
    return t;
}

static int skip_line(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return *s == 0 || *s == '#';
}

static double *bias_axis(const options *o, const vectors *v)
{
    long *a = NULL, *b = NULL;
    int n = 0;
    if (o->pairs || !o->pairs_file) {
        char *list = strdup(o->pairs ? o->pairs : "man:woman");
        for (char *save, *p = strtok_r(list, ",", &save); p; p = strtok_r(NULL, ",", &save))
            add_pair(v, p, "--pairs", &a, &b, &n);
        free(list);
    }
    if (o->pairs_file) {
        text_lines t = w2v_read_lines(o->pairs_file);
        for (int i = 0; i < t.n; i++) {
            char where[600];
            snprintf(where, sizeof where, "'%s': line %d", cli_display_name(o->pairs_file), i + 1);
            if (!skip_line(t.line[i]))
                add_pair(v, t.line[i], where, &a, &b, &n);
        }
        text_lines_free(&t);
    }
    if (n == 0)
        die_usage("--pairs needs at least one pair A:B");
    double *g = malloc((size_t)v->dim * sizeof *g);
    if (!g)
        die("out of memory");
    char err[ERR_MAX];
    if (bias_direction(v, a, b, n, o->pca, g, err) < 0)
        die("%s", err);
    free(a);
    free(b);
    return g;
}

static void bias_batch(const options *o, const vectors *v, void *vctx, char **q, int n, long first,
                       int *failed)
{
    bias_ctx *ctx = vctx;
    expression e = {.sum = malloc((size_t)v->dim * sizeof(double))};
    if (!e.sum)
        die("out of memory");
    for (int i = 0; i < n; i++) {
        char why[400], *tok[MAX_TOKENS];
        int ntok = split_tokens(q[i], tok, MAX_TOKENS), pos = 0;
        int bad = ntok <= 0 || parse_expression(v, tok, ntok, &pos, &e, why, sizeof why) < 0;
        if (ntok <= 0 || (!bad && pos < ntok)) {
            snprintf(why, sizeof why, "one word or expression per query");
            bad = 1;
        }
        if (bad) {
            query_failed(o, first > 0, first + i, why, failed);
            continue;
        }
        double cos = vec_cosine_d(e.sum, ctx->g, v->dim);
        if (o->json) {
            cJSON *j = cJSON_CreateObject();
            cJSON_AddStringToObject(j, "word", e.text);
            cJSON_AddNumberToObject(j, "bias", cos);
            cli_print_json(j);
        } else {
            printf("%.8f\n", cos);
        }
    }
    free(e.sum);
}

static int w2v_bias(options *o, int argc, char **argv)
{
    vectors v;
    open_vectors(o, &v);
    bias_ctx ctx = {bias_axis(o, &v)};
    int per_arg = 1;
    for (int i = 0; i < argc; i++)
        if (is_operator(argv[i]))
            per_arg = 0;
    int status = run_queries(o, &v, &ctx, argc, argv, per_arg, bias_batch);
    free(ctx.g);
    vectors_free(&v);
    return status;
}

/* The format to write: --format, else OUT's extension, else the input's. */
static const char *output_name(const char *path)
{
    return strcmp(path, "-") == 0 ? "standard output" : path;
}

/* The format to write: --format, else OUT's extension, else the input's;
 * standard output gets word2vec text rather than the mapped form.  Checked
 * before any work is done. */
static vec_format output_format(const options *o, vec_format input)
{
    int to_stdout = strcmp(o->output, "-") == 0;
    vec_format f = o->output_format != VEC_AUTO ? o->output_format : vec_format_from_path(o->output);
    if (f == VEC_AUTO)
        f = to_stdout && input == VEC_SAFETENSORS ? VEC_WORD2VEC : input;
    if (to_stdout && f == VEC_SAFETENSORS)
        die_usage("the safetensors form is a file to map; name one with -o");
    if (to_stdout && o->json)
        die_usage("--json and -o - would both write to standard output");
    return f;
}

static void write_vectors(const options *o, const vectors *v, vec_format fmt)
{
    char err[ERR_MAX];
    if (strcmp(o->output, "-") == 0) {
        if (vectors_write(v, stdout, fmt) < 0)
            die("write error on standard output");
    } else if (vectors_save(v, o->output, fmt, err) < 0) {
        die("%s", err);
    }
}

static int w2v_debias(options *o, int argc, char **argv)
{
    if (argc > 0)
        die_usage("debias takes no words; list them in --neutralize and --equalize files");
    if (!o->output)
        die_usage("debias needs -o OUT ('-' for standard output)");
    if (!o->neutralize && !o->equalize)
        die_usage("debias needs --neutralize FILE, --equalize FILE or both");
    vectors v;
    open_vectors(o, &v);
    vec_format fmt = output_format(o, v.format);
    if (vectors_own_data(&v) < 0)
        die("out of memory");
    double *g = bias_axis(o, &v);
    int neutralized = 0, equalized = 0;
    if (o->neutralize) {
        text_lines t = w2v_read_lines(o->neutralize);
        for (int i = 0; i < t.n; i++) {
            char why[400], *tok[MAX_TOKENS];
            if (skip_line(t.line[i]))
                continue;
            int ntok = split_tokens(t.line[i], tok, MAX_TOKENS);
            for (int w = 0; w < ntok; w++) {
                long r = lookup(&v, tok[w], why, sizeof why);
                if (r < 0)
                    die("'%s': line %d: %s", cli_display_name(o->neutralize), i + 1, why);
                vec_neutralize(v.data + (size_t)r * v.dim, g, v.dim);
                neutralized++;
            }
        }
        text_lines_free(&t);
    }
    if (o->equalize) {
        text_lines t = w2v_read_lines(o->equalize);
        for (int i = 0; i < t.n; i++) {
            char where[600];
            long *a = NULL, *b = NULL;
            int n = 0;
            if (skip_line(t.line[i]))
                continue;
            snprintf(where, sizeof where, "'%s': line %d", cli_display_name(o->equalize), i + 1);
            add_pair(&v, t.line[i], where, &a, &b, &n);
            if (vec_equalize(v.data + (size_t)a[0] * v.dim, v.data + (size_t)b[0] * v.dim, g, v.dim) < 0)
                die("out of memory");
            equalized++;
            free(a);
            free(b);
        }
        text_lines_free(&t);
    }
    write_vectors(o, &v, fmt);
    if (!o->quiet)
        inform("neutralized %d word(s), equalized %d pair(s); wrote %ld vectors (%s) to '%s'",
             neutralized, equalized, v.n, vec_format_name(fmt), output_name(o->output));
    free(g);
    vectors_free(&v);
    return 0;
}

/* ---- convert, info ---- */

/* convert and info name their file as an operand or with -v. */
static void file_operand(options *o, int argc, char **argv)
{
    if (argc > 1)
        die_usage("%s takes one vectors file", o->action);
    if (argc == 1)
        o->vectors = argv[0];
}

static int w2v_convert(options *o, int argc, char **argv)
{
    file_operand(o, argc, argv);
    if (!o->output)
        die_usage("convert needs -o OUT");
    vectors v;
    open_vectors(o, &v);
    vec_format fmt = output_format(o, v.format);
    write_vectors(o, &v, fmt);
    if (!o->quiet)
        inform("wrote %ld vectors of %d (%s) to '%s'", v.n, v.dim, vec_format_name(fmt),
             output_name(o->output));
    vectors_free(&v);
    return 0;
}

static int w2v_info(options *o, int argc, char **argv)
{
    file_operand(o, argc, argv);
    vectors v;
    open_vectors(o, &v);
    if (v.format == VEC_SAFETENSORS) {
        model_in m;
        char err[ERR_MAX];
        if (model_in_open(&m, o->vectors, "vectors", err) < 0)
            die("%s", err);
        model_in_close(&m);
    }
    if (o->json) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "file", o->vectors);
        cJSON_AddNumberToObject(j, "words", (double)v.n);
        cJSON_AddNumberToObject(j, "dim", v.dim);
        cJSON_AddStringToObject(j, "format", vec_format_name(v.format));
        cJSON_AddNumberToObject(j, "duplicates", (double)v.duplicates);
        cli_print_json(j);
    } else {
        printf("%s: %ld words, %d dimensions, %s\n", o->vectors, v.n, v.dim, vec_format_name(v.format));
    }
    vectors_free(&v);
    return 0;
}

int cmd_w2v(int argc, char **argv)
{
    cli_set_prog("seqtool w2v");
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        if (argc < 2)
            die_usage("which action? similarity, nearest, analogy, bias, debias, convert, info or train");
        fputs(usage_text, stdout);
        return cli_finish(0);
    }
    const char *action = argv[1];
    if (find_action(action) < 0)
        die_usage("unknown action '%s' (similarity, nearest, analogy, bias, debias, convert, info, train)",
                  action);
    options o;
    set_defaults(&o, action);
    parse_options(&o, argc - 1, argv + 1);
    int nargs = argc - 1 - optind;
    char **args = argv + 1 + optind;
    int status, stdin_queries = nargs == 0 || (nargs == 1 && strcmp(args[0], "-") == 0);
    int queries = strcmp(action, "similarity") == 0 || strcmp(action, "nearest") == 0 ||
                  strcmp(action, "bias") == 0 || (strcmp(action, "analogy") == 0 && !o.eval.questions);
    if (queries && stdin_queries && strcmp(o.vectors, "-") == 0)
        die_usage("the vectors and the queries cannot both come from standard input");
    if (strcmp(action, "similarity") == 0) {
        vectors v;
        open_vectors(&o, &v);
        status = run_queries(&o, &v, NULL, nargs, args, 0, similarity_batch);
        vectors_free(&v);
    } else if (strcmp(action, "nearest") == 0) {
        status = w2v_search(&o, nargs, args, 0);
    } else if (strcmp(action, "analogy") == 0) {
        if (o.eval.questions) {
            if (nargs > 0)
                die_usage("--eval takes no words");
            vectors v;
            open_vectors(&o, &v);
            status = w2v_eval(&v, &o.eval);
            vectors_free(&v);
        } else {
            status = w2v_search(&o, nargs, args, 1);
        }
    } else if (strcmp(action, "bias") == 0) {
        status = w2v_bias(&o, nargs, args);
    } else if (strcmp(action, "debias") == 0) {
        status = w2v_debias(&o, nargs, args);
    } else if (strcmp(action, "convert") == 0) {
        status = w2v_convert(&o, nargs, args);
    } else if (strcmp(action, "info") == 0) {
        status = w2v_info(&o, nargs, args);
    } else {
        if (!o.output)
            o.output = DEFAULT_VECTORS;
        status = w2v_train(&o.train, nargs, args, o.output, output_format(&o, VEC_SAFETENSORS), o.json,
                           o.quiet);
    }
    return cli_finish(status);
}
