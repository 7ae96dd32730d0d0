/* dinos — a character-level language model of names: train it on a list
 * (dinosaur genera by default), sample new names, score names.
 * This file holds the command's tables and reads names and model files;
 * the actions are in dinos_train.c and dinos_sample.c, the model in
 * charlm. */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "dinos.h"
#include "optim.h"

enum {
    OPT_CELL = CLI_OWN_KEYS, OPT_HIDDEN, OPT_LAYERS, OPT_ITERS, OPT_EPOCHS, OPT_BATCH,
    OPT_OPTIM, OPT_LR, OPT_DROPOUT, OPT_DECAY, OPT_CLIP, OPT_CLIP_NORM, OPT_VAL,
    OPT_SAMPLE_EVERY, OPT_CARRY_STATE, OPT_KEEP_CASE, OPT_COURSE, OPT_TEMPERATURE,
    OPT_PREFIX, OPT_MAX_LEN, OPT_NOVEL
};

static const cli_option dinos_options[] = {
    {"output", 'o', "MODEL", "model file to write [" DEFAULT_MODEL "]", "train", CLI_RUN_ONLY},
    {"cell", OPT_CELL, "KIND", "rnn, gru or lstm [lstm]", "train", 0},
    {"hidden", OPT_HIDDEN, "N", "hidden units per layer [128]", "train", 0},
    {"layers", OPT_LAYERS, "N", "stacked recurrent layers [2]", "train", 0},
    {"iters", OPT_ITERS, "N", "training steps (one batch each) [from --epochs]", "train", 0},
    {"epochs", OPT_EPOCHS, "N", "passes over the names [60]", "train", 0},
    {"batch", OPT_BATCH, "N", "names per step, padded to the longest [32]", "train", 0},
    {"optim", OPT_OPTIM, "NAME", "sgd, momentum or adam [adam]", "train", 0},
    {"lr", OPT_LR, "X", "learning rate [0.002]", "train", 0},
    {"dropout", OPT_DROPOUT, "P", "dropout on each layer's outputs [0.3]", "train", 0},
    {"decay", OPT_DECAY, "X", "Keras-style decay: lr / (1 + decay * step) [0]", "train", 0},
    /* [off] is --clip 0, no element clipping: not a number the option takes */
    {"clip", OPT_CLIP, "X", "clip every gradient element to [-X, X] [off]", "train", CLI_NO_DEFAULT},
    {"clip-norm", OPT_CLIP_NORM, "X", "clip the gradients' global L2 norm to X [5]", "train", 0},
    {"val", OPT_VAL, "F", "hold out fraction F of the names; report their\n"
                          "nats/char and keep the best model [0.1]", "train", 0},
    {"sample-every", OPT_SAMPLE_EVERY, "N", "every N steps print the loss and a few samples", "train",
     CLI_RUN_ONLY},
    {"carry-state", OPT_CARRY_STATE, NULL, "start each name from the state the previous one\n"
                                           "ended in, as the course does [off]", "train", 0},
    {"keep-case", OPT_KEEP_CASE, NULL, "do not lower-case the names", "train", 0},
    CLI_OPTION_CHECKPOINT_EVERY("train"),
    {"resume", CLI_RESUME, NULL, "continue the run MODEL holds (saved by\n"
                                 "--checkpoint-every or when stopped; the options\n"
                                 "must be the same), or train a finished MODEL\n"
                                 "further", "train", CLI_RUN_ONLY},
    {"course", OPT_COURSE, NULL, "the course's setup: rnn, hidden 50, batch 1, sgd,\n"
                                 "lr 0.01, clip 5, 0.01*N(0,1) init, 22001 steps,\n"
                                 "--carry-state, no held-out names (applied first:\n"
                                 "the other options still apply)", "train", CLI_PRESET},
    {"model", 'm', "MODEL", "model to read (info: or MODEL) [" DEFAULT_MODEL " when it exists,\n"
                            "else the shipped datasets/" SHIPPED_MODEL ";\n"
                            "$SEQTOOL_DINOS_MODEL overrides both]", "sample score info", 0},
    {"count", 'n', "N", "names to print [10]", "sample", 0},
    {"temperature", OPT_TEMPERATURE, "T", "<1 safer, >1 wilder [1]", "sample", 0},
    {"prefix", OPT_PREFIX, "LETTERS", "only names that start so", "sample", 0},
    {"max-len", OPT_MAX_LEN, "N", "longest name, in characters [50]", "sample", 0},
    {"novel", OPT_NOVEL, NULL, "only names absent from the training list", "sample", 0},
    CLI_OPTION_SEED(NULL),
    CLI_OPTION_JSON(NULL),
    CLI_OPTION_QUIET(NULL),
    CLI_OPTIONS_END,
};

static const cli_action dinos_actions[] = {
    {"train", dinos_train, "[FILE] [OPTIONS]", "learn names, one per line"},
    {"sample", dinos_sample, "[OPTIONS]", "invent new names"},
    {"score", dinos_score, "[FILE] [OPTIONS]", "nats per character of names"},
    {"info", dinos_info, "[MODEL]", "how a model was made, and its shape"},
    CLI_ACTIONS_END,
};

/* The defaults a table cannot say: the model sample, score and info read
 * (train's is -o's default). */
static void dinos_begin(void *opts, const char *action)
{
    options *o = opts;
    memset(o, 0, sizeof *o);
    o->action = action;
    if (strcmp(action, "train") != 0)
        o->model = cli_default_model(SHIPPED_MODEL, "SEQTOOL_DINOS_MODEL", DEFAULT_MODEL);
}

/* The course's Dinosaurus Island setup, in the options' own words (and
 * its initial scale, which no option sets); applied before the options
 * the user gives, which still apply. */
static const struct {
    int key;
    const char *arg;
} course_preset[] = {
    {OPT_CELL, "rnn"}, {OPT_HIDDEN, "50"}, {OPT_LAYERS, "1"}, {OPT_BATCH, "1"},
    {OPT_OPTIM, "sgd"}, {OPT_LR, "0.01"}, {OPT_CLIP, "5"}, {OPT_CLIP_NORM, "0"},
    {OPT_DROPOUT, "0"}, {OPT_ITERS, "22001"}, {OPT_CARRY_STATE, NULL}, {OPT_VAL, "0"},
};

static void dinos_set(void *opts, int key, const char *arg);

static void set_course(options *o)
{
    for (size_t i = 0; i < sizeof course_preset / sizeof course_preset[0]; i++)
        dinos_set(o, course_preset[i].key, course_preset[i].arg);
    o->course = 1;
    o->init_scale = COURSE_INIT_SCALE;
}

static void dinos_set(void *opts, int key, const char *arg)
{
    options *o = opts;
    switch (key) {
    case 'o': case 'm': o->model = arg; break;
    case 'n': o->count = cli_long("--count", arg, 0, 100000000); break;
    case 'q': o->quiet = 1; break;
    case OPT_CELL:
        if ((o->cell = cell_kind_parse(arg)) < 0)
            die_usage("--cell wants rnn, gru or lstm, not '%s'", arg);
        break;
    case OPT_HIDDEN: o->hidden = (int)cli_long("--hidden", arg, 1, 8192); break;
    case OPT_LAYERS: o->layers = (int)cli_long("--layers", arg, 1, CHARLM_MAX_LAYERS); break;
    case OPT_ITERS: o->iters = cli_long("--iters", arg, 0, 1000000000); o->epochs = 0; break;
    case OPT_EPOCHS: o->epochs = cli_long("--epochs", arg, 1, 1000000); o->iters = 0; break;
    case OPT_BATCH: o->batch = (int)cli_long("--batch", arg, 1, 65536); break;
    case OPT_OPTIM:
        if ((o->optim = optim_kind_parse(arg)) < 0)
            die_usage("--optim wants sgd, momentum or adam, not '%s'", arg);
        break;
    case OPT_LR: o->lr = cli_double("--lr", arg, 0, 1e6); break;
    case OPT_DROPOUT: o->dropout = cli_double("--dropout", arg, 0, 0.95); break;
    case OPT_DECAY: o->decay = cli_double("--decay", arg, 0, 1e6); break;
    case OPT_CLIP: o->clip = cli_double("--clip", arg, 0, 1e30); break;
    case OPT_CLIP_NORM: o->clip_norm = cli_double("--clip-norm", arg, 0, 1e30); break;
    case OPT_VAL: o->val = cli_double("--val", arg, 0, 0.9); break;
    case OPT_SAMPLE_EVERY: o->sample_every = cli_long("--sample-every", arg, 0, 1000000000); break;
    case OPT_CARRY_STATE: o->carry_state = 1; break;
    case OPT_KEEP_CASE: o->keep_case = 1; break;
    case CLI_CHECKPOINT_EVERY: case CLI_RESUME: ckpt_option(&o->ckpt, key, arg); break;
    case OPT_COURSE: set_course(o); break;
    case OPT_TEMPERATURE: o->temperature = cli_double("--temperature", arg, 1e-3, 1e3); break;
    case OPT_PREFIX: o->prefix = arg; break;
    case OPT_MAX_LEN: o->max_len = cli_long("--max-len", arg, 1, NAME_MAX_BYTES); break;
    case OPT_NOVEL: o->novel = 1; break;
    case CLI_SEED: o->seed = cli_seed(arg); break;
    case CLI_JSON: o->json = 1; break;
    }
}

const cli_command dinos_command = {
    "dinos",
    "character-level language model of names: train, sample, score, info",
    sizeof(options),
    dinos_actions,
    dinos_options,
    "FILE is a list of names, one per line; '-' is standard input.  train reads\n"
    DEFAULT_DATA " when no FILE is given, score reads standard input.\n",
    NULL,
    dinos_begin,
    dinos_set,
    NULL,
};


const char *dinos_operand(int argc, char **argv)
{
    if (argc > 1)
        die_usage("unexpected argument '%s'", argv[1]);
    return argc ? argv[0] : NULL;
}

/* ---- names ---- */

void dinos_nameset_free(nameset *s)
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

void dinos_lower(char *s)
{
    for (; *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            *s = (char)(*s - 'A' + 'a');
}

/* Read names (blank lines skipped; lower-cased unless keep_case). */
void dinos_read_names(const char *path, int keep_case, nameset *out)
{
    text_lines lines;
    cli_read_lines(path, NAME_MAX_BYTES, &lines);
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
            dinos_lower(lines.line[i]);
        out->text[out->n++] = lines.line[i];
        lines.line[i] = NULL;
    }
    text_lines_free(&lines);
    if (out->n == 0)
        die("'%s': no names (the file is empty or blank)", cli_display_name(path));
}

/* Map each name's characters to ids of v; die on one it lacks. */
void dinos_encode_names(nameset *s, const vocab *v, const char *path)
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

/* ---- model files ---- */

void dinos_load(dinos_model *d, const char *path)
{
    char err[ERR_MAX];
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

void dinos_unload(dinos_model *d)
{
    charlm_free(&d->lm);
    free(d->names);
    model_in_close(&d->file);
}
/* A name as UTF-8 with its first letter upper-cased (ASCII). */
void dinos_format_name(const vocab *v, const int *ids, int n, char *out)
{
    char *p = out;
    for (int i = 0; i < n; i++)
        p += utf8_encode(v->cp[ids[i]], p);
    *p = 0;
    if (out[0] >= 'a' && out[0] <= 'z')
        out[0] = (char)(out[0] - 'a' + 'A');
}


/* ---- info ---- */

int dinos_info(void *opts, int argc, char **argv)
{
    options *o = opts;
    const char *path = cli_info_operand(o->model, argc, argv);
    dinos_model d;
    dinos_load(&d, path);
    long names = *d.names ? 1 : 0;
    for (const char *p = d.names; *p; p++)
        names += *p == '\n';
    char summary[256];
    int n = snprintf(summary, sizeof summary, "%s, %d layer%s of %d units, %d characters, %zu weights; %ld names",
                     cell_kind_name(d.lm.kind), d.lm.L, d.lm.L == 1 ? "" : "s", d.lm.H, d.voc.n - 1,
                     d.lm.ps.total, names);
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "kind", "dinos");
    cJSON_AddStringToObject(j, "cell", cell_kind_name(d.lm.kind));
    cJSON_AddNumberToObject(j, "layers", d.lm.L);
    cJSON_AddNumberToObject(j, "hidden", d.lm.H);
    cJSON_AddNumberToObject(j, "characters", d.voc.n - 1);
    cJSON_AddNumberToObject(j, "weights", (double)d.lm.ps.total);
    cJSON_AddNumberToObject(j, "names", (double)names);
    cJSON_AddBoolToObject(j, "keep_case", d.keep_case);
    cli_info_score(&d.file, "train.val_nats_per_char", ", held-out ", " nats/char", summary, sizeof summary, &n, j,
                   "held_out_nats_per_char");
    cli_info(path, summary, &d.file, j, 1, o->json);
    dinos_unload(&d);
    return 0;
}
