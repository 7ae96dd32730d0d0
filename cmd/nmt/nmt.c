/* nmt — dates as people write them, to ISO dates: the face of `seqtool
 * nmt`.  This file holds the command's tables, finds and opens model
 * files, and fans translation out over threads; the actions are in
 * nmt_dates.c, nmt_train.c, nmt_eval.c and nmt_translate.c. */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "model.h"
#include "nmt.h"

#define MAX_COUNT 1000000000000L

enum {
    OPT_MONTH_FIRST = CLI_OWN_KEYS, OPT_MIXED, OPT_WITH_ORDER, OPT_FORMAT, OPT_FORMATS,
    OPT_EXAMPLES, OPT_HELD_OUT, OPT_EPOCHS, OPT_BATCH, OPT_LR, OPT_DECAY, OPT_ENCODER_UNITS,
    OPT_DECODER_UNITS, OPT_ATTENTION_UNITS, OPT_BEAM,
};

static const cli_option nmt_option_table[] = {
    {"count", 'n', "N", "pairs to print, or to score when eval has no\n"
                        "FILE [10000]", "dates eval", 0},
    {"month-first", OPT_MONTH_FIRST, NULL, "numeric dates are month-first (05/03/1979 is\n"
                                           "May 3rd) [day-first: 03/05/1979 is 3 May]",
     "dates translate attention", 0},
    {"mixed", OPT_MIXED, NULL, "numeric dates of both conventions, each marked", "dates", 0},
    {"with-order", OPT_WITH_ORDER, NULL, "a third column: dmy or mdy, the convention a\n"
                                         "numeric date is written in, - for the others", "dates", 0},
    /* [all] is no filter on the families: not a family name the option takes */
    {"format", OPT_FORMAT, "NAME[,NAME...]", "only these families of formats [all]", "dates", CLI_NO_DEFAULT},
    {"formats", OPT_FORMATS, NULL, "list the families, one per line, and exit", "dates", 0},
    {"output", 'o', "MODEL", "model file to write [" NMT_DEFAULT_MODEL "]", "train", CLI_RUN_ONLY},
    {"examples", OPT_EXAMPLES, "N", "generated training pairs [200000]", "train", 0},
    {"held-out", OPT_HELD_OUT, "N", "pairs held out to report exact match after each\n"
                                    "epoch (generated, or taken from FILE) [2000]", "train", 0},
    {"epochs", OPT_EPOCHS, "N", "passes over the training pairs [10]", "train", 0},
    {"batch", OPT_BATCH, "N", "pairs per Adam step [100]", "train", 0},
    {"lr", OPT_LR, "X", "Adam's learning rate [0.005]", "train", 0},
    {"decay", OPT_DECAY, "X", "Keras' decay: lr / (1 + X * step) [0.001]", "train", 0},
    {"encoder-units", OPT_ENCODER_UNITS, "N", "LSTM units per direction of the encoder [32]", "train", 0},
    {"decoder-units", OPT_DECODER_UNITS, "N", "LSTM units of the decoder [64]", "train", 0},
    {"attention-units", OPT_ATTENTION_UNITS, "N", "hidden units of the attention's scorer [10]", "train", 0},
    CLI_OPTION_CHECKPOINT_EVERY("train"),
    CLI_OPTION_RESUME("train"),
    {"model", 'm', "MODEL", "model to read [the shipped datasets/" NMT_SHIPPED_MODEL ";\n"
                            "$SEQTOOL_NMT_MODEL overrides it]", "eval translate attention info", 0},
    {"beam", OPT_BEAM, "K", "the K likeliest outputs are searched for the most\n"
                            "probable valid date (1: greedy) [5]", "eval translate attention", 0},
    {"output", 'o', "FILE", "a picture of the weights, FILE.svg or FILE.pgm,\n"
                            "instead of the text heatmap", "attention", CLI_RUN_ONLY},
    {"threads", CLI_THREADS, "N", "threads sharing each batch (train), or taking\n"
                                  "whole batches (the output is the same for any N) [1]", "train eval translate", 0},
    CLI_OPTION_JSON("dates train eval translate info"),
    CLI_OPTION_SEED(NULL),
    CLI_OPTION_QUIET(NULL),
    CLI_OPTIONS_END,
};

static const cli_action nmt_actions[] = {
    {"dates", nmt_dates, "[OPTIONS]", "synthetic pairs: date<TAB>ISO date"},
    {"train", nmt_train, "[FILE] [OPTIONS]", "train a model on pairs"},
    {"eval", nmt_eval, "[FILE] [OPTIONS]", "exact match, per family of formats"},
    {"translate", nmt_translate, "[OPTIONS] [TEXT...]", "dates to ISO dates, a line each"},
    {"attention", nmt_attention, "TEXT [OPTIONS]", "where the model looks"},
    {"info", nmt_info, "[MODEL]", "how a model was made, and its shape"},
    CLI_ACTIONS_END,
};

/* The defaults a table cannot say: the model eval, translate, attention
 * and info read (train's is -o's default). */
static void nmt_begin(void *opts, const char *action)
{
    nmt_options *o = opts;
    memset(o, 0, sizeof *o);
    o->action = action;
    if (strcmp(action, "train") != 0)
        o->model = cli_default_model(NMT_SHIPPED_MODEL, "SEQTOOL_NMT_MODEL", NULL);
}

/* --format a,b,c: every name must be a family; repeats are ignored. */
static void parse_formats(nmt_options *o, const char *list)
{
    const char *p = list;
    for (;;) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        int f = dates_format_find(p, n);
        if (f < 0)
            die_usage("--format: no family '%.*s' (see --formats)", (int)n, p);
        int seen = 0;
        for (int i = 0; i < o->nasked; i++)
            seen |= o->asked[i] == f;
        if (!seen)
            o->asked[o->nasked++] = f;
        if (!end)
            break;
        p = end + 1;
    }
}

static int units(const char *opt, const char *v)
{
    return (int)cli_long(opt, v, 1, 1024);
}

static void nmt_set(void *opts, int key, const char *arg)
{
    nmt_options *o = opts;
    switch (key) {
    case 'n': o->count = cli_long("--count", arg, 0, MAX_COUNT); break;
    case 'o':
        if (strcmp(o->action, "attention") == 0)
            o->picture = arg;
        else
            o->model = arg;
        break;
    case 'm': o->model = arg; break;
    case 'q': o->quiet = 1; break;
    case CLI_SEED: o->seed = cli_seed(arg); break;
    case CLI_JSON: o->json = 1; break;
    case OPT_MONTH_FIRST: o->month_first = 1; break;
    case OPT_MIXED: o->mixed = 1; break;
    case OPT_WITH_ORDER: o->with_order = 1; break;
    case OPT_FORMAT: parse_formats(o, arg); break;
    case OPT_FORMATS: o->list_formats = 1; break;
    case OPT_EXAMPLES: o->examples = cli_long("--examples", arg, 1, 100000000); break;
    case OPT_HELD_OUT: o->held_out = cli_long("--held-out", arg, 0, 10000000); break;
    case OPT_EPOCHS: o->epochs = (int)cli_long("--epochs", arg, 1, 100000); break;
    case OPT_BATCH: o->batch = (int)cli_long("--batch", arg, 1, 100000); break;
    case OPT_LR: o->lr = cli_double("--lr", arg, 1e-9, 10); break;
    case OPT_DECAY: o->decay = cli_double("--decay", arg, 0, 1e6); break;
    case OPT_ENCODER_UNITS: o->n_a = units("--encoder-units", arg); break;
    case OPT_DECODER_UNITS: o->n_s = units("--decoder-units", arg); break;
    case OPT_ATTENTION_UNITS: o->n_att = units("--attention-units", arg); break;
    case CLI_THREADS: o->threads = (int)cli_long("--threads", arg, 1, PARALLEL_MAX); break;
    case OPT_BEAM: o->beam = (int)cli_long("--beam", arg, 1, NMT_BEAM_MAX); break;
    case CLI_CHECKPOINT_EVERY: case CLI_RESUME: ckpt_option(&o->ckpt, key, arg); break;
    }
}

static void nmt_end(void *opts)
{
    nmt_options *o = opts;
    if (o->month_first && o->mixed)
        die_usage("--month-first and --mixed exclude each other (--mixed draws both conventions)");
}

const cli_command nmt_command = {
    "nmt",
    "dates as people write them to ISO dates, with attention: dates, train, eval, translate, "
    "attention, info",
    sizeof(nmt_options),
    nmt_actions,
    nmt_option_table,
    "dates draws its dates uniformly from 1900-01-01 to 2099-12-31.  Two-digit\n"
    "years: 00-29 are 2000-2029, 30-99 are 1930-1999.\n"
    "\n"
    "train teaches the course's model (Bi-LSTM encoder, one-step attention,\n"
    "LSTM decoder); eval counts exact matches of the whole ISO date, per family\n"
    "of formats.  Their FILE holds pairs 'date<TAB>YYYY-MM-DD[<TAB>dmy|mdy|-]',\n"
    "as 'dates --with-order' writes them ('-': standard input); without it the\n"
    "pairs are generated: --examples of them for train, -n for eval.\n"
    "\n"
    "translate: each TEXT, or each line of standard input, gives one line: the\n"
    "ISO date, 'invalid' when none of the K outputs is a calendar date (the exit\n"
    "status is then 1), or an empty line for an empty input.\n"
    "attention: the weights each output character gave the input characters,\n"
    "as a text heatmap on standard output, or with -o a picture (.svg, .pgm).\n",
    "translate",
    nmt_begin,
    nmt_set,
    nmt_end,
};


const char *nmt_file_operand(int argc, char **argv)
{
    if (argc > 1)
        die_usage("unexpected argument '%s' (one file of pairs)", argv[1]);
    return argc ? argv[0] : NULL;
}

/* ---- model files ---- */

void nmt_model_open(nmt_model *m, const char *path, model_in *keep)
{
    char err[ERR_MAX];
    model_in f;
    if (model_in_open(&f, path, "nmt", err) < 0)
        die("%s", err);
    if (nmt_load(m, &f, err) < 0)
        die("%s", err);
    if (keep)
        *keep = f;
    else
        model_in_close(&f);
}

int nmt_info(void *opts, int argc, char **argv)
{
    nmt_options *o = opts;
    const char *path = cli_info_operand(o->model, argc, argv);
    nmt_model m;
    model_in f;
    nmt_model_open(&m, path, &f);
    char summary[512];
    int n = snprintf(summary, sizeof summary, "a Bi-LSTM encoder of 2 x %d units, attention of %d units, an LSTM "
                     "decoder of %d units; %d characters in up to %d positions, %zu weights",
                     m.n_a, m.n_att, m.n_s, (int)strlen(m.chars), m.Tx - 1, m.ps.total);
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "kind", "nmt");
    cJSON_AddNumberToObject(j, "encoder_units", m.n_a);
    cJSON_AddNumberToObject(j, "attention_units", m.n_att);
    cJSON_AddNumberToObject(j, "decoder_units", m.n_s);
    cJSON_AddStringToObject(j, "characters", m.chars);
    cJSON_AddNumberToObject(j, "weights", (double)m.ps.total);
    cli_info_score(&f, "train.held_out_exact", "; held-out exact match ", "", summary, sizeof summary, &n, j,
                   "held_out_exact");
    cli_info(path, summary, &f, j, 1, o->json);
    model_in_close(&f);
    nmt_free(&m);
    return 0;
}

/* ---- translation over threads ---- */

void nmt_pool_init(nmt_pool *p, nmt_model *m, int threads)
{
    memset(p, 0, sizeof *p);
    p->n = threads;
    p->m[0] = m;
    if (threads > 1 && !(p->replicas = calloc((size_t)threads - 1, sizeof *p->replicas)))
        die("out of memory");
    for (int t = 1; t < threads; t++) {
        p->m[t] = &p->replicas[t - 1];
        if (nmt_replica(p->m[t], m) < 0)
            die("out of memory");
    }
}

void nmt_pool_free(nmt_pool *p)
{
    for (int t = 1; t < p->n; t++)
        nmt_free(p->m[t]);
    free(p->replicas);
    memset(p, 0, sizeof *p);
}

/* One thread's rows: whole batches, one forward each. */
typedef struct {
    nmt_model *m;
    const int *rows;
    long n;
    int batch, K;
    nmt_answer *out;
} translate_share;

static void *translate_run(void *arg)
{
    translate_share *s = arg;
    nmt_model *m = s->m;
    float logp[NMT_TY * NMT_NOUT];
    for (long r = 0; r < s->n; r += s->batch) {
        int B = s->n - r < s->batch ? (int)(s->n - r) : s->batch;
        for (int b = 0; b < B; b++)
            nmt_set_row(m, b, B, s->rows + (size_t)(r + b) * m->Tx, NULL);
        nmt_forward(m, B);
        for (int b = 0; b < B; b++) {
            nmt_answer *a = &s->out[r + b];
            nmt_log_probs(m, B, b, logp);
            a->valid = nmt_best_valid(logp, s->K, a->iso, &a->logprob);
        }
    }
    return NULL;
}

void nmt_pool_translate(nmt_pool *p, const int *rows, long n, int batch, int K, nmt_answer *out)
{
    translate_share sh[PARALLEL_MAX];
    long batches = (n + batch - 1) / batch;
    if (batches == 0)
        return;
    int threads = batches < p->n ? (int)batches : p->n;
    long per = (batches + threads - 1) / threads; /* batches per thread */
    int shares = 0;
    for (long first = 0; first < n; first += per * batch, shares++) {
        nmt_model *m = p->m[shares];
        if (nmt_reserve(m, batch) < 0)
            die("out of memory");
        sh[shares] = (translate_share){m, rows + (size_t)first * m->Tx,
                                       n - first < per * batch ? n - first : per * batch, batch, K,
                                       out + first};
    }
    parallel_run(shares, translate_run, sh, sizeof *sh);
}
