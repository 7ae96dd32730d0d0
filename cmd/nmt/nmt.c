/* nmt — dates as people write them, to ISO dates: the face of `seqtool
 * nmt`.  This file parses the options and runs the action; dates (the
 * generator of synthetic pairs) is here, train and eval are in
 * nmt_train.c, translate and attention in nmt_translate.c. */
#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "nmt.h"

#define DEFAULT_COUNT 10000
#define MAX_COUNT 1000000000000L
#define DEFAULT_EXAMPLES 200000
#define DEFAULT_HELD_OUT 2000
#define DEFAULT_EPOCHS 10
#define DEFAULT_DECAY 0.001
#define DEFAULT_BATCH 100
#define DEFAULT_LR 0.005
#define DEFAULT_BEAM 5

static const char usage_text[] =
    "usage: seqtool nmt dates [OPTIONS]            synthetic pairs: a date as people\n"
    "                                              write it, a tab, its ISO form\n"
    "       seqtool nmt train [FILE] [-o MODEL] [OPTIONS]\n"
    "       seqtool nmt eval [FILE] [-m MODEL] [OPTIONS]\n"
    "       seqtool nmt translate [-m MODEL] [OPTIONS] [TEXT...]\n"
    "       seqtool nmt attention TEXT [-m MODEL] [-o FILE.svg|FILE.pgm]\n"
    "\n"
    "dates:\n"
    "  -n, --count N           pairs to print [10000]\n"
    "      --month-first       numeric dates are month-first (05/03/1979 is\n"
    "                          May 3rd) [day-first: 03/05/1979 is 3 May]\n"
    "      --mixed             numeric dates of both conventions, each marked\n"
    "      --with-order        a third column: dmy or mdy, the convention a\n"
    "                          numeric date is written in, - for the others\n"
    "      --format NAME[,NAME...]\n"
    "                          only these families of formats [all]\n"
    "      --formats           list the families, one per line, and exit\n"
    "\n"
    "Dates are drawn uniformly from 1900-01-01 to 2099-12-31.  Two-digit\n"
    "years: 00-29 are 2000-2029, 30-99 are 1930-1999.\n"
    "\n"
    "train (the course's model: Bi-LSTM encoder, one-step attention, LSTM decoder):\n"
    "  FILE                    pairs 'date<TAB>YYYY-MM-DD[<TAB>dmy|mdy|-]', as\n"
    "                          'dates --with-order' writes [generated afresh]\n"
    "  -o, --output MODEL      model file to write [nmt.safetensors]\n"
    "      --examples N        generated training pairs [200000]\n"
    "      --held-out N        pairs held out to report exact match after each\n"
    "                          epoch (generated, or taken from FILE) [2000]\n"
    "      --epochs N          passes over the training pairs [10]\n"
    "      --batch N           pairs per Adam step [100]\n"
    "      --lr X              Adam's learning rate [0.005]\n"
    "      --decay X           Keras' decay: lr / (1 + X * step) [0.001]\n"
    "      --encoder-units N   LSTM units per direction of the encoder [32]\n"
    "      --decoder-units N   LSTM units of the decoder [64]\n"
    "      --attention-units N hidden units of the attention's scorer [10]\n"
    "      --threads N         threads sharing each batch [1]\n"
    "  -q, --quiet             no progress on standard error\n"
    "\n"
    "eval (exact match of the whole ISO date, per family of formats):\n"
    "  FILE                    pairs as for train [-n generated pairs]\n"
    "  -n, --count N           generated pairs to score [10000]\n"
    "\n"
    "translate, eval and attention:\n"
    "  -m, --model MODEL       model to read [the shipped datasets/nmt/dates.safetensors;\n"
    "                          $SEQTOOL_NMT_MODEL overrides it]\n"
    "      --beam K            the K likeliest outputs are searched for the most\n"
    "                          probable valid date (1: greedy) [5]\n"
    "      --month-first       read numeric dates month-first (translate, attention)\n"
    "\n"
    "translate: each TEXT, or each line of standard input, gives one line: the\n"
    "ISO date, 'invalid' when none of the K outputs is a calendar date (the exit\n"
    "status is then 1), or an empty line for an empty input.\n"
    "attention: the weights each output character gave the input characters,\n"
    "as a text heatmap on standard output, or with -o a picture (.svg, .pgm).\n"
    "\n"
    "common:\n"
    "      --seed N            random seed [1]\n"
    "      --json              one JSON object per line on standard output\n"
    "  -h, --help              this help\n";

enum {
    OPT_SEED = 256, OPT_JSON, OPT_MONTH_FIRST, OPT_MIXED, OPT_WITH_ORDER, OPT_FORMAT, OPT_FORMATS,
    OPT_EXAMPLES, OPT_HELD_OUT, OPT_EPOCHS, OPT_BATCH, OPT_LR, OPT_DECAY, OPT_ENCODER_UNITS,
    OPT_DECODER_UNITS, OPT_ATTENTION_UNITS, OPT_THREADS, OPT_BEAM,
};

static const struct option long_options[] = {
    {"count", required_argument, 0, 'n'},
    {"help", no_argument, 0, 'h'},
    {"output", required_argument, 0, 'o'},
    {"model", required_argument, 0, 'm'},
    {"quiet", no_argument, 0, 'q'},
    {"seed", required_argument, 0, OPT_SEED},
    {"json", no_argument, 0, OPT_JSON},
    {"month-first", no_argument, 0, OPT_MONTH_FIRST},
    {"mixed", no_argument, 0, OPT_MIXED},
    {"with-order", no_argument, 0, OPT_WITH_ORDER},
    {"format", required_argument, 0, OPT_FORMAT},
    {"formats", no_argument, 0, OPT_FORMATS},
    {"examples", required_argument, 0, OPT_EXAMPLES},
    {"held-out", required_argument, 0, OPT_HELD_OUT},
    {"epochs", required_argument, 0, OPT_EPOCHS},
    {"batch", required_argument, 0, OPT_BATCH},
    {"lr", required_argument, 0, OPT_LR},
    {"decay", required_argument, 0, OPT_DECAY},
    {"encoder-units", required_argument, 0, OPT_ENCODER_UNITS},
    {"decoder-units", required_argument, 0, OPT_DECODER_UNITS},
    {"attention-units", required_argument, 0, OPT_ATTENTION_UNITS},
    {"threads", required_argument, 0, OPT_THREADS},
    {"beam", required_argument, 0, OPT_BEAM},
    {0, 0, 0, 0},
};

typedef nmt_options options;

static int nmt_dates(options *o);

static void set_defaults(options *o)
{
    memset(o, 0, sizeof *o);
    o->count = DEFAULT_COUNT;
    o->seed = RNG_DEFAULT_SEED;
    o->examples = DEFAULT_EXAMPLES;
    o->held_out = DEFAULT_HELD_OUT;
    o->epochs = DEFAULT_EPOCHS;
    o->batch = DEFAULT_BATCH;
    o->lr = DEFAULT_LR;
    o->decay = DEFAULT_DECAY;
    o->n_a = 32;
    o->n_s = 64;
    o->n_att = 10;
    o->threads = 1;
    o->beam = DEFAULT_BEAM;
}

/* Options each action accepts (as getopt codes), besides the common ones,
 * and how many operands it takes. */
static const int dates_options[] = {'n', OPT_MONTH_FIRST, OPT_MIXED, OPT_WITH_ORDER, OPT_FORMAT,
                                    OPT_FORMATS, 0};
static const int train_options[] = {'o', 'q', OPT_EXAMPLES, OPT_HELD_OUT, OPT_EPOCHS, OPT_BATCH,
                                    OPT_LR, OPT_DECAY, OPT_ENCODER_UNITS, OPT_DECODER_UNITS,
                                    OPT_ATTENTION_UNITS, OPT_THREADS, 0};
static const int eval_options[] = {'m', 'n', OPT_BEAM, 0};
static const int translate_options[] = {'m', OPT_BEAM, OPT_MONTH_FIRST, 0};
static const int attention_options[] = {'m', 'o', OPT_BEAM, OPT_MONTH_FIRST, 0};
enum { NO_OPERANDS, ONE_FILE, TEXTS, ONE_TEXT };
static const struct {
    const char *name;
    int (*run)(options *);
    const int *options;
    int operands;
} actions[] = {
    {"dates", nmt_dates, dates_options, NO_OPERANDS},
    {"train", nmt_train_action, train_options, ONE_FILE},
    {"eval", nmt_eval_action, eval_options, ONE_FILE},
    {"translate", nmt_translate_action, translate_options, TEXTS},
    {"attention", nmt_attention_action, attention_options, ONE_TEXT},
};
#define NACTIONS (sizeof actions / sizeof actions[0])

static int find_action(const char *name)
{
    for (size_t a = 0; a < NACTIONS; a++)
        if (strcmp(actions[a].name, name) == 0)
            return (int)a;
    return -1;
}

static int option_allowed(int action, int c)
{
    static const int common[] = {'h', OPT_SEED, OPT_JSON, 0};
    for (const int *p = common; *p; p++)
        if (*p == c)
            return 1;
    for (const int *p = actions[action].options; *p; p++)
        if (*p == c)
            return 1;
    return 0;
}

/* --format a,b,c: every name must be a family; repeats are ignored. */
static void parse_formats(options *o, const char *list)
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

static void take_operands(options *o, int action, int argc, char **argv)
{
    int n = argc - optind;
    switch (actions[action].operands) {
    case NO_OPERANDS:
        if (n > 0)
            die_usage("unexpected argument '%s'", argv[optind]);
        break;
    case ONE_FILE:
        if (n > 1)
            die_usage("unexpected argument '%s' (one file of pairs)", argv[optind + 1]);
        o->file = n ? argv[optind] : NULL;
        break;
    case ONE_TEXT:
        if (n != 1)
            die_usage("attention takes one date (quote it)");
        /* fall through */
    case TEXTS:
        o->texts = argv + optind;
        o->ntexts = n;
        break;
    }
}

static void parse_options(options *o, int action, int argc, char **argv)
{
    int c;
    optind = 1;
    while ((c = cli_getopt(argc, argv, ":n:o:m:qh", long_options, usage_text)) != -1) {
        if (!option_allowed(action, c))
            die_usage("%s is not an option of 'nmt %s'", cli_option_name(long_options, c), o->action);
        switch (c) {
        case 'n': o->count = cli_long("--count", optarg, 0, MAX_COUNT); break;
        case 'o':
            if (action == find_action("attention"))
                o->picture = optarg;
            else
                o->model = optarg;
            break;
        case 'm': o->model = optarg; break;
        case 'q': o->quiet = 1; break;
        case OPT_SEED: o->seed = cli_seed(optarg); break;
        case OPT_JSON: o->json = 1; break;
        case OPT_MONTH_FIRST: o->month_first = 1; break;
        case OPT_MIXED: o->mixed = 1; break;
        case OPT_WITH_ORDER: o->with_order = 1; break;
        case OPT_FORMAT: parse_formats(o, optarg); break;
        case OPT_FORMATS: o->list_formats = 1; break;
        case OPT_EXAMPLES: o->examples = cli_long("--examples", optarg, 1, 100000000); break;
        case OPT_HELD_OUT: o->held_out = cli_long("--held-out", optarg, 0, 10000000); break;
        case OPT_EPOCHS: o->epochs = (int)cli_long("--epochs", optarg, 1, 100000); break;
        case OPT_BATCH: o->batch = (int)cli_long("--batch", optarg, 1, 100000); break;
        case OPT_LR: o->lr = cli_double("--lr", optarg, 1e-9, 10); break;
        case OPT_DECAY: o->decay = cli_double("--decay", optarg, 0, 1e6); break;
        case OPT_ENCODER_UNITS: o->n_a = units("--encoder-units", optarg); break;
        case OPT_DECODER_UNITS: o->n_s = units("--decoder-units", optarg); break;
        case OPT_ATTENTION_UNITS: o->n_att = units("--attention-units", optarg); break;
        case OPT_THREADS: o->threads = (int)cli_long("--threads", optarg, 1, 64); break;
        case OPT_BEAM: o->beam = (int)cli_long("--beam", optarg, 1, NMT_BEAM_MAX); break;
        }
    }
    take_operands(o, action, argc, argv);
    if (o->json && action == find_action("attention"))
        die_usage("--json is not an option of 'nmt attention' (it draws pictures)");
    if (o->month_first && o->mixed)
        die_usage("--month-first and --mixed exclude each other (--mixed draws both conventions)");
}

/* ---- dates ---- */

/* The families to draw from: those of the convention(s), or of --format,
 * which must then all belong to the convention(s). */
static int choose_formats(const options *o, int *formats)
{
    int conventions = o->mixed ? DATES_DMY | DATES_MDY : o->month_first ? DATES_MDY : DATES_DMY;
    int allowed[DATES_NFORMATS], nallowed = dates_formats_for(conventions, allowed);
    if (o->nasked == 0) {
        memcpy(formats, allowed, sizeof allowed);
        return nallowed;
    }
    for (int i = 0; i < o->nasked; i++) {
        int f = o->asked[i], ok = 0;
        for (int j = 0; j < nallowed; j++)
            ok |= allowed[j] == f;
        if (!ok && dates_format_order(f) == DATES_ORDER_MDY)
            die_usage("--format %s: month-first numeric dates need --month-first or --mixed",
                      dates_format_name(f));
        if (!ok)
            die_usage("--format %s: day-first numeric dates are not drawn with --month-first "
                      "(--mixed draws both)", dates_format_name(f));
        formats[i] = f;
    }
    return o->nasked;
}

static void print_json(const dates_pair *p)
{
    cJSON *j = cJSON_CreateObject();
    if (!j || !cJSON_AddStringToObject(j, "human", p->human) ||
        !cJSON_AddStringToObject(j, "iso", p->iso) ||
        !cJSON_AddStringToObject(j, "format", dates_format_name(p->format)) ||
        !(p->order == DATES_ORDER_NONE ? cJSON_AddNullToObject(j, "order")
                                       : cJSON_AddStringToObject(j, "order", dates_order_name(p->order))))
        die("out of memory");
    cli_print_json(j);
}

static int nmt_dates(options *o)
{
    if (o->list_formats) {
        for (int f = 0; f < DATES_NFORMATS; f++)
            puts(dates_format_name(f));
        return 0;
    }
    int formats[DATES_NFORMATS], nformats = choose_formats(o, formats);
    rng r;
    rng_seed(&r, o->seed);
    dates_pair p;
    char line[DATES_HUMAN_MAX + DATE_ISO_LEN + 8];
    for (long i = 0; i < o->count; i++) {
        dates_draw(&r, formats, nformats, &p);
        if (o->json) {
            print_json(&p);
            continue;
        }
        int n = p.len;
        memcpy(line, p.human, (size_t)n);
        line[n++] = '\t';
        memcpy(line + n, p.iso, DATE_ISO_LEN);
        n += DATE_ISO_LEN;
        if (o->with_order) {
            const char *name = dates_order_name(p.order);
            line[n++] = '\t';
            memcpy(line + n, name, strlen(name));
            n += (int)strlen(name);
        }
        line[n++] = '\n';
        if (fwrite(line, 1, (size_t)n, stdout) != (size_t)n)
            break; /* cli_finish reports it */
    }
    return 0;
}

int cmd_nmt(int argc, char **argv)
{
    cli_set_prog("seqtool nmt");
    if (argc < 2) {
        fputs(usage_text, stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        fputs(usage_text, stdout);
        return cli_finish(0);
    }
    options o;
    set_defaults(&o);
    o.action = argv[1];
    int action = find_action(o.action);
    if (action < 0)
        die_usage("no action '%s' (dates, train, eval, translate, attention)", o.action);
    parse_options(&o, action, argc - 1, argv + 1);
    return cli_finish(actions[action].run(&o));
}
