/* dinos — a character-level language model of names: train it on a list
 * (dinosaur genera by default), sample new names, score names.
 * The model and its maths live in core/charlm; this file is the face:
 * options, reading names, the training loop's schedule and reporting. */
#include <cjson/cJSON.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "charlm.h"
#include "cli.h"
#include "commands.h"
#include "model.h"
#include "optim.h"
#include "text.h"

#define DEFAULT_MODEL "dinos.safetensors"
#define DEFAULT_DATA "datasets/dinos.txt"
#define NAME_MAX_BYTES 1000
#define COURSE_INIT_SCALE 0.01f

static const char usage_text[] =
    "usage: seqtool dinos train [FILE] [OPTIONS]   learn names, one per line\n"
    "       seqtool dinos sample [OPTIONS]         invent new names\n"
    "       seqtool dinos score [FILE] [OPTIONS]   nats per character of names\n"
    "\n"
    "FILE is a list of names, one per line; '-' is standard input.\n"
    "\n"
    "train:\n"
    "  FILE                    names to learn [" DEFAULT_DATA "]\n"
    "  -o, --output MODEL      model file to write [" DEFAULT_MODEL "]\n"
    "      --cell KIND         rnn, gru or lstm [lstm]\n"
    "      --hidden N          hidden units per layer [128]\n"
    "      --layers N          stacked recurrent layers [2]\n"
    "      --iters N           training steps (one batch each) [from --epochs]\n"
    "      --epochs N          passes over the names [60]\n"
    "      --batch N           names per step, padded to the longest [32]\n"
    "      --optim NAME        sgd, momentum or adam [adam]\n"
    "      --lr X              learning rate [0.002]\n"
    "      --dropout P         dropout on each layer's outputs [0.3]\n"
    "      --decay X           Keras-style decay: lr / (1 + decay * step) [0]\n"
    "      --clip X            clip every gradient element to [-X, X] [off]\n"
    "      --clip-norm X       clip the gradients' global L2 norm to X [5]\n"
    "      --val F             hold out fraction F of the names; report their\n"
    "                          nats/char and keep the best model [0.1]\n"
    "      --sample-every N    every N steps print the loss and a few samples\n"
    "      --carry-state       start each name from the state the previous one\n"
    "                          ended in, as the course does [off]\n"
    "      --keep-case         do not lower-case the names\n"
    "      --resume            continue training the model in MODEL\n"
    "      --course            the course's setup: rnn, hidden 50, batch 1, sgd,\n"
    "                          lr 0.01, clip 5, 0.01*N(0,1) init, 22001 steps,\n"
    "                          --carry-state, no held-out names (other options\n"
    "                          still apply)\n"
    "\n"
    "sample:\n"
    "  -m, --model MODEL       model to read [" DEFAULT_MODEL "]\n"
    "  -n, --count N           names to print [10]\n"
    "      --temperature T     <1 safer, >1 wilder [1]\n"
    "      --prefix LETTERS    only names that start so\n"
    "      --max-len N         longest name, in characters [50]\n"
    "      --novel             only names absent from the training list\n"
    "\n"
    "score:\n"
    "  FILE                    names to score [-]\n"
    "  -m, --model MODEL       model to read [" DEFAULT_MODEL "]\n"
    "\n"
    "common:\n"
    "      --seed N            random seed [1]\n"
    "      --json              one JSON object per line on standard output\n"
    "  -q, --quiet             no progress or log lines on standard error\n"
    "  -h, --help              this help\n";

enum {
    OPT_CELL = 256, OPT_HIDDEN, OPT_LAYERS, OPT_ITERS, OPT_EPOCHS, OPT_BATCH,
    OPT_OPTIM, OPT_LR, OPT_DROPOUT, OPT_DECAY, OPT_CLIP, OPT_CLIP_NORM, OPT_VAL,
    OPT_SAMPLE_EVERY, OPT_CARRY_STATE, OPT_KEEP_CASE, OPT_RESUME, OPT_COURSE, OPT_TEMPERATURE,
    OPT_PREFIX, OPT_MAX_LEN, OPT_NOVEL, OPT_SEED, OPT_JSON
};

static const struct option long_options[] = {
    {"output", required_argument, 0, 'o'},
    {"model", required_argument, 0, 'm'},
    {"count", required_argument, 0, 'n'},
    {"quiet", no_argument, 0, 'q'},
    {"help", no_argument, 0, 'h'},
    {"cell", required_argument, 0, OPT_CELL},
    {"hidden", required_argument, 0, OPT_HIDDEN},
    {"layers", required_argument, 0, OPT_LAYERS},
    {"iters", required_argument, 0, OPT_ITERS},
    {"epochs", required_argument, 0, OPT_EPOCHS},
    {"batch", required_argument, 0, OPT_BATCH},
    {"optim", required_argument, 0, OPT_OPTIM},
    {"lr", required_argument, 0, OPT_LR},
    {"dropout", required_argument, 0, OPT_DROPOUT},
    {"decay", required_argument, 0, OPT_DECAY},
    {"clip", required_argument, 0, OPT_CLIP},
    {"clip-norm", required_argument, 0, OPT_CLIP_NORM},
    {"val", required_argument, 0, OPT_VAL},
    {"sample-every", required_argument, 0, OPT_SAMPLE_EVERY},
    {"carry-state", no_argument, 0, OPT_CARRY_STATE},
    {"keep-case", no_argument, 0, OPT_KEEP_CASE},
    {"resume", no_argument, 0, OPT_RESUME},
    {"course", no_argument, 0, OPT_COURSE},
    {"temperature", required_argument, 0, OPT_TEMPERATURE},
    {"prefix", required_argument, 0, OPT_PREFIX},
    {"max-len", required_argument, 0, OPT_MAX_LEN},
    {"novel", no_argument, 0, OPT_NOVEL},
    {"seed", required_argument, 0, OPT_SEED},
    {"json", no_argument, 0, OPT_JSON},
    {0, 0, 0, 0},
};

/* Every option of every action; each action rejects what is not its own. */
typedef struct {
    const char *action;
    const char *model;      /* -o for train, -m otherwise */
    const char *file;
    int cell, hidden, layers, batch, optim;
    long iters, epochs, sample_every;
    double lr, dropout, decay, clip, clip_norm, val;
    int carry_state, keep_case, resume, course, json, quiet;
    float init_scale;
    /* sample */
    long count, max_len;
    double temperature;
    const char *prefix;
    int novel;
    unsigned long long seed;
} options;

static void set_defaults(options *o)
{
    memset(o, 0, sizeof *o);
    o->model = DEFAULT_MODEL;
    o->cell = CELL_LSTM;
    o->hidden = 128;
    o->layers = 2;
    o->batch = 32;
    o->optim = OPTIM_ADAM;
    o->epochs = 60;
    o->dropout = 0.3;
    o->lr = 0.002;
    o->clip_norm = 5.0;
    o->val = 0.1;
    o->count = 10;
    o->max_len = 50;
    o->temperature = 1.0;
    o->seed = RNG_DEFAULT_SEED;
}

/* The course's Dinosaurus Island setup. */
static void set_course(options *o)
{
    o->cell = CELL_RNN;
    o->hidden = 50;
    o->layers = 1;
    o->batch = 1;
    o->optim = OPTIM_SGD;
    o->lr = 0.01;
    o->clip = 5.0;
    o->clip_norm = 0;
    o->dropout = 0;
    o->iters = 22001;
    o->carry_state = 1;
    o->val = 0;
    o->init_scale = COURSE_INIT_SCALE;
}

/* Options each action accepts (as getopt codes). */
static int option_allowed(const char *action, int c)
{
    static const int common[] = {'q', 'h', OPT_SEED, OPT_JSON, 0};
    static const int train[] = {'o', OPT_CELL, OPT_HIDDEN, OPT_LAYERS, OPT_ITERS,
        OPT_EPOCHS, OPT_BATCH, OPT_OPTIM, OPT_LR, OPT_DROPOUT, OPT_DECAY, OPT_CLIP,
        OPT_CLIP_NORM, OPT_VAL, OPT_SAMPLE_EVERY, OPT_CARRY_STATE, OPT_KEEP_CASE, OPT_RESUME,
        OPT_COURSE, 0};
    static const int sample[] = {'m', 'n', OPT_TEMPERATURE, OPT_PREFIX,
        OPT_MAX_LEN, OPT_NOVEL, 0};
    static const int score[] = {'m', 0};
    const int *own = strcmp(action, "train") == 0 ? train
                     : strcmp(action, "sample") == 0 ? sample : score;
    for (const int *p = common; *p; p++)
        if (*p == c)
            return 1;
    for (const int *p = own; *p; p++)
        if (*p == c)
            return 1;
    return 0;
}

static void parse_options(options *o, int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--course") == 0)
            set_course(o);
    int c;
    optind = 1;
    while ((c = cli_getopt(argc, argv, ":o:m:n:qh", long_options, usage_text)) != -1) {
        if (!option_allowed(o->action, c))
            die_usage("%s is not an option of 'dinos %s'", cli_option_name(long_options, c), o->action);
        switch (c) {
        case 'o': case 'm': o->model = optarg; break;
        case 'n': o->count = cli_long("--count", optarg, 0, 100000000); break;
        case 'q': o->quiet = 1; break;
        case OPT_CELL:
            if ((o->cell = cell_kind_parse(optarg)) < 0)
                die_usage("--cell wants rnn, gru or lstm, not '%s'", optarg);
            break;
        case OPT_HIDDEN: o->hidden = (int)cli_long("--hidden", optarg, 1, 8192); break;
        case OPT_LAYERS: o->layers = (int)cli_long("--layers", optarg, 1, CHARLM_MAX_LAYERS); break;
        case OPT_ITERS: o->iters = cli_long("--iters", optarg, 0, 1000000000); o->epochs = 0; break;
        case OPT_EPOCHS: o->epochs = cli_long("--epochs", optarg, 1, 1000000); o->iters = 0; break;
        case OPT_BATCH: o->batch = (int)cli_long("--batch", optarg, 1, 65536); break;
        case OPT_OPTIM:
            if ((o->optim = optim_kind_parse(optarg)) < 0)
                die_usage("--optim wants sgd, momentum or adam, not '%s'", optarg);
            break;
        case OPT_LR: o->lr = cli_double("--lr", optarg, 0, 1e6); break;
        case OPT_DROPOUT: o->dropout = cli_double("--dropout", optarg, 0, 0.95); break;
        case OPT_DECAY: o->decay = cli_double("--decay", optarg, 0, 1e6); break;
        case OPT_CLIP: o->clip = cli_double("--clip", optarg, 0, 1e30); break;
        case OPT_CLIP_NORM: o->clip_norm = cli_double("--clip-norm", optarg, 0, 1e30); break;
        case OPT_VAL: o->val = cli_double("--val", optarg, 0, 0.9); break;
        case OPT_SAMPLE_EVERY: o->sample_every = cli_long("--sample-every", optarg, 0, 1000000000); break;
        case OPT_CARRY_STATE: o->carry_state = 1; break;
        case OPT_KEEP_CASE: o->keep_case = 1; break;
        case OPT_RESUME: o->resume = 1; break;
        case OPT_COURSE: o->course = 1; break;
        case OPT_TEMPERATURE: o->temperature = cli_double("--temperature", optarg, 1e-3, 1e3); break;
        case OPT_PREFIX: o->prefix = optarg; break;
        case OPT_MAX_LEN: o->max_len = cli_long("--max-len", optarg, 1, NAME_MAX_BYTES); break;
        case OPT_NOVEL: o->novel = 1; break;
        case OPT_SEED: o->seed = cli_seed(optarg); break;
        case OPT_JSON: o->json = 1; break;
        }
    }
    if (optind < argc)
        o->file = argv[optind++];
    if (optind < argc)
        die_usage("unexpected argument '%s'", argv[optind]);
    if (o->file && strcmp(o->action, "sample") == 0)
        die_usage("'dinos sample' takes no file (the model is -m)");
}

/* ---- names ---- */

typedef struct {
    int n;
    char **text;   /* as read (for messages and --novel) */
    int **ids;     /* characters as vocabulary ids */
    int *len;
} nameset;

static void nameset_free(nameset *s)
{
    for (int i = 0; i < s->n; i++) {
        free(s->text[i]);
        free(s->ids[i]);
    }
    free(s->text);
    free(s->ids);
    free(s->len);
    memset(s, 0, sizeof *s);
}

static void lower_ascii(char *s)
{
    for (; *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            *s = (char)(*s - 'A' + 'a');
}

/* Read names (blank lines skipped; lower-cased unless keep_case). */
static void read_names(const char *path, int keep_case, nameset *out)
{
    FILE *f = cli_open_read(path);
    text_lines lines;
    char err[TEXT_ERR_MAX];
    if (text_read_lines(f, NAME_MAX_BYTES, &lines, err) < 0)
        die("'%s': %s", cli_display_name(path), err);
    if (f != stdin)
        fclose(f);
    memset(out, 0, sizeof *out);
    out->text = calloc(lines.n + 1, sizeof *out->text);
    out->ids = calloc(lines.n + 1, sizeof *out->ids);
    out->len = calloc(lines.n + 1, sizeof *out->len);
    if (!out->text || !out->ids || !out->len)
        die("out of memory");
    for (int i = 0; i < lines.n; i++) {
        if (text_is_blank(lines.line[i]))
            continue;
        if (!keep_case)
            lower_ascii(lines.line[i]);
        out->text[out->n++] = lines.line[i];
        lines.line[i] = NULL;
    }
    text_lines_free(&lines);
    if (out->n == 0)
        die("'%s': no names (the file is empty or blank)", cli_display_name(path));
}

/* Map each name's characters to ids of v; die on one it lacks. */
static void encode_names(nameset *s, const vocab *v, const char *path)
{
    for (int i = 0; i < s->n; i++) {
        const char *t = s->text[i];
        size_t n = strlen(t);
        int *ids = malloc((n + 1) * sizeof *ids), k = 0;
        if (!ids)
            die("out of memory");
        for (size_t j = 0; j < n;) {
            int cp, len = utf8_decode(t + j, n - j, &cp), id = vocab_id(v, cp);
            if (id < 1)
                die("'%s': name '%s' has a character the model does not know ('%.*s')",
                    cli_display_name(path), t, len, t + j);
            ids[k++] = id;
            j += (size_t)len;
        }
        s->ids[i] = ids;
        s->len[i] = k;
    }
}

static void build_vocab(const nameset *s, vocab *v)
{
    memset(v, 0, sizeof *v);
    vocab_add(v, '\n');
    for (int i = 0; i < s->n; i++) {
        const char *t = s->text[i];
        size_t n = strlen(t);
        for (size_t j = 0; j < n;) {
            int cp, len = utf8_decode(t + j, n - j, &cp);
            if (vocab_add(v, cp) < 0)
                die("more than %d distinct characters in the names", VOCAB_MAX - 1);
            j += (size_t)len;
        }
    }
}

/* ---- model files ---- */

typedef struct {
    charlm lm;
    vocab voc;
    int keep_case;
    char *names;     /* the training list, "\n"-joined, for --novel */
    model_in file;   /* kept open while training state is restored */
} dinos_model;

static void model_load(dinos_model *d, const char *path)
{
    char err[MODEL_ERR_MAX];
    model_in *f = &d->file;
    long keep;
    if (model_in_open(f, path, "dinos", err) < 0 ||
        charlm_load(&d->lm, &d->voc, f, err) < 0 ||
        model_in_meta_int(f, "dinos.keep_case", 0, 1, &keep, err) < 0)
        die("%s", err);
    d->keep_case = (int)keep;
    const char *names = model_in_meta(f, "dinos.names");
    d->names = strdup(names ? names : "");
}

static void model_unload(dinos_model *d)
{
    charlm_free(&d->lm);
    free(d->names);
    model_in_close(&d->file);
}

/* The training state that --resume picks up. */
typedef struct {
    long step;        /* optimizer steps so far */
    double loss;      /* smoothed loss */
    double val_nats;  /* held-out nats/char, NAN when none */
    long chars;
} train_state;

static void model_save(const dinos_model *d, const optimizer *opt,
                       const train_state *st, const options *o, const char *names)
{
    char err[MODEL_ERR_MAX];
    model_out *m = model_out_new("dinos");
    int shape[1] = {(int)opt->n};
    int bad = !m || charlm_save_to(&d->lm, &d->voc, m) < 0;
    bad = bad || model_out_metaf(m, "dinos.keep_case", "%d", d->keep_case) < 0;
    bad = bad || model_out_meta(m, "dinos.names", names) < 0;
    bad = bad || model_out_meta(m, "train.optim", optim_kind_name(opt->kind)) < 0;
    bad = bad || model_out_metaf(m, "train.lr", "%.9g", opt->lr) < 0;
    bad = bad || model_out_metaf(m, "train.step", "%ld", st->step) < 0;
    bad = bad || model_out_metaf(m, "train.loss", "%.9g", st->loss) < 0;
    bad = bad || model_out_metaf(m, "train.chars", "%ld", st->chars) < 0;
    bad = bad || model_out_metaf(m, "train.batch", "%d", o->batch) < 0;
    bad = bad || model_out_metaf(m, "train.dropout", "%.9g", o->dropout) < 0;
    bad = bad || model_out_metaf(m, "train.seed", "%llu", o->seed) < 0;
    if (!isnan(st->val_nats))
        bad = bad || model_out_metaf(m, "train.val_nats_per_char", "%.9g", st->val_nats) < 0;
    if (opt->m)
        bad = bad || model_out_tensor(m, "optim.m", 1, shape, opt->m) < 0;
    if (opt->v)
        bad = bad || model_out_tensor(m, "optim.v", 1, shape, opt->v) < 0;
    if (bad)
        die("out of memory");
    if (model_out_write(m, o->model, err) < 0)
        die("%s", err);
    model_out_free(m);
}

/* ---- shared by train and sample ---- */

/* A name as UTF-8 with its first letter upper-cased (ASCII). */
static void format_name(const vocab *v, const int *ids, int n, char *out)
{
    char *p = out;
    for (int i = 0; i < n; i++)
        p += utf8_encode(v->cp[ids[i]], p);
    *p = 0;
    if (out[0] >= 'a' && out[0] <= 'z')
        out[0] = (char)(out[0] - 'a' + 'A');
}

static void print_samples(dinos_model *d, rng *r, int count, progress *pr)
{
    int ids[51];
    char name[51 * 4 + 1];
    for (int i = 0; i < count; i++) {
        int n = charlm_sample(&d->lm, r, 1.0f, NULL, 0, 50, ids);
        format_name(&d->voc, ids, n, name);
        progress_log(pr, "  %s", name);
    }
}

/* ---- train ---- */

/* Held-out nats per character (END included) of the names idx[0..n). */
static double eval_nats(charlm *lm, const nameset *s, const int *idx, int n, int B)
{
    const int **ptr = malloc(B * sizeof *ptr);
    int *lens = malloc(B * sizeof *lens);
    double nats = 0;
    long chars = 0;
    if (!ptr || !lens)
        die("out of memory");
    for (int i = 0; i < n; i += B) {
        int nb = n - i < B ? n - i : B;
        for (int b = 0; b < nb; b++) {
            ptr[b] = s->ids[idx[i + b]];
            lens[b] = s->len[idx[i + b]];
            chars += lens[b] + 1;
        }
        int T = charlm_batch(lm, nb, ptr, lens);
        charlm_forward(lm, T, nb, NULL);
        for (int b = 0; b < nb; b++)
            nats += charlm_name_nats(lm, T, nb, b);
    }
    free(ptr);
    free(lens);
    return nats / chars;
}

/* Restore optimizer state saved with the model, when it matches. */
static void resume_state(const dinos_model *d, optimizer *opt, train_state *st)
{
    char err[MODEL_ERR_MAX];
    const model_in *f = &d->file;
    const char *kind = model_in_meta(f, "train.optim");
    long step = 0;
    if (model_in_meta_int(f, "train.step", 0, 1L << 62, &step, err) == 0)
        st->step = step;
    long chars = 0;
    if (model_in_meta_int(f, "train.chars", 0, 1L << 62, &chars, err) == 0)
        st->chars = chars;
    const char *loss = model_in_meta(f, "train.loss");
    if (loss)
        st->loss = strtod(loss, NULL);
    int shape[1] = {(int)opt->n};
    if (!kind || strcmp(kind, optim_kind_name(opt->kind)) != 0) {
        warn("'%s' was trained with %s; %s starts with fresh state", f->path,
             kind ? kind : "an unknown optimizer", optim_kind_name(opt->kind));
        return;
    }
    opt->step = st->step;
    if ((opt->m && model_in_tensor(f, "optim.m", 1, shape, opt->m, err) < 0) ||
        (opt->v && model_in_tensor(f, "optim.v", 1, shape, opt->v, err) < 0))
        die("%s", err);
}

static char *join_names(const nameset *s)
{
    size_t total = 1;
    for (int i = 0; i < s->n; i++)
        total += strlen(s->text[i]) + 1;
    char *out = malloc(total), *p = out;
    if (!out)
        die("out of memory");
    for (int i = 0; i < s->n; i++)
        p += sprintf(p, i ? "\n%s" : "%s", s->text[i]);
    *p = 0;
    return out;
}

static void print_train_summary(const options *o, long iters, double epochs,
                                const train_state *st, long chars, double seconds)
{
    double rate = seconds > 0 ? chars / seconds : 0;
    if (o->json) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "model", o->model);
        cJSON_AddNumberToObject(j, "iterations", (double)iters);
        cJSON_AddNumberToObject(j, "epochs", epochs);
        cJSON_AddNumberToObject(j, "loss", st->loss);
        if (isnan(st->val_nats))
            cJSON_AddNullToObject(j, "val_nats_per_char");
        else
            cJSON_AddNumberToObject(j, "val_nats_per_char", st->val_nats);
        cJSON_AddNumberToObject(j, "chars", (double)chars);
        cJSON_AddNumberToObject(j, "seconds", seconds);
        cJSON_AddNumberToObject(j, "chars_per_s", rate);
        char *s = cJSON_PrintUnformatted(j);
        if (!s)
            die("out of memory");
        puts(s);
        free(s);
        cJSON_Delete(j);
        return;
    }
    printf("model %s\niterations %ld\nepochs %.2f\nloss %.4f\n", o->model, iters,
           epochs, st->loss);
    if (!isnan(st->val_nats))
        printf("val_nats_per_char %.4f\n", st->val_nats);
    printf("chars %ld\nseconds %.3f\nchars_per_s %.0f\n", chars, seconds, rate);
}

static int dinos_train(options *o)
{
    const char *path = o->file ? o->file : DEFAULT_DATA;
    dinos_model d;
    memset(&d, 0, sizeof d);
    nameset names;
    train_state st = {0, NAN, NAN, 0};
    rng r;
    rng_seed(&r, o->seed);
    if (o->resume) {
        model_load(&d, o->model);
        read_names(path, d.keep_case, &names);
        encode_names(&names, &d.voc, path);
    } else {
        read_names(path, o->keep_case, &names);
        build_vocab(&names, &d.voc);
        encode_names(&names, &d.voc, path);
        d.keep_case = o->keep_case;
        if (charlm_init(&d.lm, o->cell, d.voc.n, o->hidden, o->layers) < 0)
            die("out of memory");
        charlm_init_weights(&d.lm, &r, o->init_scale);
    }
    optimizer opt;
    if (optim_init(&opt, o->optim, (float)o->lr, d.lm.ps.total) < 0)
        die("out of memory");
    opt.decay = (float)o->decay;
    if (o->resume)
        resume_state(&d, &opt, &st);
    if (isnan(st.loss))
        st.loss = -log(1.0 / d.voc.n) * 7; /* the course's starting value */

    /* Split: a shuffled order, the first nval names held out. */
    int n = names.n, *order = malloc(n * sizeof *order);
    if (!order)
        die("out of memory");
    for (int i = 0; i < n; i++)
        order[i] = i;
    /* A stream of its own, so that --resume holds out the same names. */
    rng split;
    rng_seed(&split, o->seed + 2);
    rng_shuffle_int(&split, order, n);
    int nval = (int)(o->val * n + 0.5);
    if (o->val > 0 && nval == 0)
        nval = 1;
    if (n - nval < 1)
        die("'%s': too few names to hold out %.0f%% and still train", cli_display_name(path), o->val * 100);
    int *val_idx = order, *train_idx = order + nval, ntrain = n - nval;
    int B = o->batch, maxlen = 0;
    for (int i = 0; i < n; i++)
        if (names.len[i] > maxlen)
            maxlen = names.len[i];
    d.lm.dropout = (float)o->dropout;
    d.lm.carry = o->carry_state;
    if (charlm_reserve(&d.lm, maxlen + 1 > 51 ? maxlen + 1 : 51, B) < 0)
        die("out of memory");
    long iters = o->iters ? o->iters : (o->epochs * (long)ntrain + B - 1) / B;

    const int **ptr = malloc(B * sizeof *ptr);
    int *lens = malloc(B * sizeof *lens);
    float *best = nval ? malloc(d.lm.ps.total * sizeof *best) : NULL;
    if (!ptr || !lens || (nval && !best))
        die("out of memory");
    double best_val = INFINITY, last_val = NAN;
    rng sample_rng;
    rng_seed(&sample_rng, o->seed + 1);
    cli_catch_stop();
    progress pr;
    progress_start(&pr, iters, "steps", o->quiet);
    long chars = 0, it, pos = 0;
    double seconds = 0;
    for (it = 0; it < iters && !cli_stop_requested; it++) {
        double t0 = cli_now();
        for (int b = 0; b < B; b++) {
            int idx = train_idx[pos];
            ptr[b] = names.ids[idx];
            lens[b] = names.len[idx];
            chars += lens[b] + 1;
            if (++pos == ntrain) {
                pos = 0;
                rng_shuffle_int(&r, train_idx, ntrain);
            }
        }
        int T = charlm_batch(&d.lm, B, ptr, lens);
        charlm_forward(&d.lm, T, B, &r);
        params_zero_grad(&d.lm.ps);
        double nats = charlm_backward(&d.lm, T, B);
        if (o->clip > 0)
            clip_by_value(&d.lm.ps, (float)o->clip);
        if (o->clip_norm > 0)
            clip_by_global_norm(&d.lm.ps, (float)o->clip_norm);
        optim_step(&opt, &d.lm.ps);
        st.loss = 0.999 * st.loss + 0.001 * (nats / B);
        seconds += cli_now() - t0;
        st.step++;

        long done = it + 1;
        int epoch_end = (done * B) / ntrain != (it * B) / ntrain;
        if (nval && (epoch_end || done == iters)) {
            double v = eval_nats(&d.lm, &names, val_idx, nval, B);
            if (v < best_val) {
                best_val = v;
                memcpy(best, d.lm.ps.data, d.lm.ps.total * sizeof *best);
            }
            last_val = v;
        }
        if (o->sample_every && it % o->sample_every == 0) {
            progress_log(&pr, "Iteration: %ld, Loss: %f", it, st.loss);
            print_samples(&d, &sample_rng, 7, &pr);
        }
        char extra[96];
        if (isnan(last_val))
            snprintf(extra, sizeof extra, "loss %.4f", st.loss);
        else
            snprintf(extra, sizeof extra, "loss %.4f, held-out %.4f nats/char", st.loss, last_val);
        progress_update(&pr, done, extra);
    }
    progress_end(&pr);
    if (nval && best_val < INFINITY) {
        memcpy(d.lm.ps.data, best, d.lm.ps.total * sizeof *best);
        st.val_nats = best_val;
    }
    st.chars += chars;
    char *joined = join_names(&names);
    model_save(&d, &opt, &st, o, joined);
    int status = 0;
    if (cli_stop_requested) {
        warn("interrupted at step %ld of %ld; the model so far is in '%s'", it, iters, o->model);
        status = 130;
    } else {
        print_train_summary(o, it, (double)it * B / ntrain, &st, chars, seconds);
    }
    free(joined);
    free(best);
    free(ptr);
    free(lens);
    free(order);
    optim_free(&opt);
    nameset_free(&names);
    model_unload(&d);
    return status;
}

/* ---- sample ---- */

static int compare_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The training list as a sorted array for --novel (points into names). */
static char **known_names(char *names, int *count)
{
    int n = *names ? 1 : 0;
    for (char *p = names; *p; p++)
        n += *p == '\n';
    char **list = malloc((n + 1) * sizeof *list);
    if (!list)
        die("out of memory");
    int k = 0;
    for (char *tok = strtok(names, "\n"); tok; tok = strtok(NULL, "\n"))
        list[k++] = tok;
    qsort(list, k, sizeof *list, compare_str);
    *count = k;
    return list;
}

static int dinos_sample(options *o)
{
    dinos_model d;
    model_load(&d, o->model);
    int max_len = (int)o->max_len, plen = 0;
    int *prefix = malloc((strlen(o->prefix ? o->prefix : "") + 1) * sizeof *prefix);
    int *ids = malloc((max_len + 1) * sizeof *ids);
    char *name = malloc((size_t)max_len * 4 + 1), *lowered = malloc((size_t)max_len * 4 + 1);
    if (!prefix || !ids || !name || !lowered)
        die("out of memory");
    if (o->prefix) {
        char *p = strdup(o->prefix);
        if (!d.keep_case)
            lower_ascii(p);
        size_t n = strlen(p);
        for (size_t j = 0; j < n;) {
            int cp, len = utf8_decode(p + j, n - j, &cp);
            int id = len > 0 ? vocab_id(&d.voc, cp) : -1;
            if (id < 1)
                die_usage("--prefix: the model never saw '%.*s'", len > 0 ? len : 1, p + j);
            prefix[plen++] = id;
            j += (size_t)len;
        }
        free(p);
        if (plen > max_len)
            die_usage("--prefix is longer than --max-len %d", max_len);
    }
    int nknown = 0;
    char **known = known_names(d.names, &nknown);
    if (charlm_reserve(&d.lm, max_len + 1, 1) < 0)
        die("out of memory");
    rng r;
    rng_seed(&r, o->seed);
    long printed = 0, tries = 0, max_tries = 1000 + 1000 * o->count;
    while (printed < o->count) {
        if (++tries > max_tries)
            die("found only %ld %snames in %ld tries", printed, o->novel ? "novel " : "", max_tries);
        int n = charlm_sample(&d.lm, &r, (float)o->temperature, prefix, plen, max_len, ids);
        if (n == 0)
            continue; /* an empty name is no name */
        format_name(&d.voc, ids, n, name);
        strcpy(lowered, name);
        if (!d.keep_case)
            lower_ascii(lowered);
        char *key = lowered;
        int novel = !bsearch(&key, known, nknown, sizeof *known, compare_str);
        if (o->novel && !novel)
            continue;
        if (o->json) {
            cJSON *j = cJSON_CreateObject();
            cJSON_AddStringToObject(j, "name", name);
            cJSON_AddBoolToObject(j, "novel", novel);
            char *s = cJSON_PrintUnformatted(j);
            puts(s);
            free(s);
            cJSON_Delete(j);
        } else {
            puts(name);
        }
        printed++;
    }
    free(known);
    free(prefix);
    free(ids);
    free(name);
    free(lowered);
    model_unload(&d);
    return 0;
}

/* ---- score ---- */

#define SCORE_BATCH 64

static void print_score(const options *o, const char *name, double nats, int chars)
{
    if (o->json) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "name", name);
        if (isinf(nats)) {
            cJSON_AddNullToObject(j, "nats_per_char");
            cJSON_AddNullToObject(j, "nats");
        } else {
            cJSON_AddNumberToObject(j, "nats_per_char", nats / chars);
            cJSON_AddNumberToObject(j, "nats", nats);
        }
        cJSON_AddNumberToObject(j, "chars", chars);
        char *s = cJSON_PrintUnformatted(j);
        puts(s);
        free(s);
        cJSON_Delete(j);
    } else if (isinf(nats)) {
        printf("%s\tinf\n", name);
    } else {
        printf("%s\t%.4f\n", name, nats / chars);
    }
}

/* Ids of a name; -1 (with a warning) when a character is unknown. */
static int encode_one(const dinos_model *d, const char *text, int lineno, int *ids)
{
    char *t = strdup(text);
    if (!t)
        die("out of memory");
    if (!d->keep_case)
        lower_ascii(t);
    size_t n = strlen(t);
    int k = 0;
    for (size_t j = 0; j < n;) {
        int cp, len = utf8_decode(t + j, n - j, &cp), id = vocab_id(&d->voc, cp);
        if (id < 1) {
            warn("line %d: '%.*s' is not in the model's vocabulary; scored inf", lineno, len, t + j);
            free(t);
            return -1;
        }
        ids[k++] = id;
        j += (size_t)len;
    }
    free(t);
    return k;
}

static int dinos_score(options *o)
{
    const char *path = o->file ? o->file : "-";
    dinos_model d;
    model_load(&d, o->model);
    FILE *f = cli_open_read(path);
    text_lines lines;
    char err[TEXT_ERR_MAX];
    if (text_read_lines(f, NAME_MAX_BYTES, &lines, err) < 0)
        die("'%s': %s", cli_display_name(path), err);
    if (f != stdin)
        fclose(f);
    int *buf = malloc((size_t)SCORE_BATCH * (NAME_MAX_BYTES + 1) * sizeof *buf);
    if (!buf)
        die("out of memory");
    const int *ptr[SCORE_BATCH];
    int lens[SCORE_BATCH], row[SCORE_BATCH];
    for (int i = 0; i < lines.n; i += SCORE_BATCH) {
        int nb = lines.n - i < SCORE_BATCH ? lines.n - i : SCORE_BATCH, k = 0;
        for (int b = 0; b < nb; b++) {
            int *ids = buf + (size_t)k * (NAME_MAX_BYTES + 1);
            row[b] = -1;
            int n = encode_one(&d, lines.line[i + b], i + b + 1, ids);
            if (n < 0)
                continue;
            ptr[k] = ids;
            lens[k] = n;
            row[b] = k++;
        }
        /* The workspace grows to the longest name seen, not the limit. */
        int longest = 0;
        for (int j = 0; j < k; j++)
            if (lens[j] > longest)
                longest = lens[j];
        if (charlm_reserve(&d.lm, longest + 1, SCORE_BATCH) < 0)
            die("out of memory");
        int T = k ? charlm_batch(&d.lm, k, ptr, lens) : 0;
        if (k)
            charlm_forward(&d.lm, T, k, NULL);
        for (int b = 0; b < nb; b++) {
            int j = row[b];
            double nats = j < 0 ? INFINITY : charlm_name_nats(&d.lm, T, k, j);
            print_score(o, lines.line[i + b], nats, j < 0 ? 0 : lens[j] + 1);
        }
    }
    free(buf);
    text_lines_free(&lines);
    model_unload(&d);
    return 0;
}

int cmd_dinos(int argc, char **argv)
{
    cli_set_prog("seqtool dinos");
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
    int (*run)(options *) = strcmp(o.action, "train") == 0    ? dinos_train
                            : strcmp(o.action, "sample") == 0 ? dinos_sample
                            : strcmp(o.action, "score") == 0  ? dinos_score
                                                              : NULL;
    if (!run)
        die_usage("no action '%s' (train, sample or score)", o.action);
    parse_options(&o, argc - 1, argv + 1);
    return cli_finish(run(&o));
}
