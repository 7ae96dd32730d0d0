/* dinos — what the actions of `seqtool dinos` share: the options, the
 * names, the model file.  dinos.c holds the tables and reads names and
 * models; dinos_train.c trains; dinos_sample.c samples and scores.  The
 * model and its maths are in charlm. */
#ifndef SEQTOOL_DINOS_H
#define SEQTOOL_DINOS_H

#include "charlm.h"
#include "checkpoint.h"
#include "cli.h"
#include "model.h"
#include "text.h"

#define DEFAULT_MODEL "dinos.safetensors"
/* The model sample and score read when -m names none and DEFAULT_MODEL
 * is not in the current folder: datasets/ + this, made by
 * `make dinos-model` (cli_default_model). */
#define SHIPPED_MODEL "dinos/dinos.safetensors"
#define DEFAULT_DATA "datasets/dinos.txt"
#define NAME_MAX_BYTES 1000
#define COURSE_INIT_SCALE 0.01f

/* Every option of every action; each action reads its own. */
typedef struct {
    const char *action;
    const char *model;      /* -o for train, -m otherwise */
    const char *file;
    int cell, hidden, layers, batch, optim;
    long iters, epochs, sample_every;
    double lr, dropout, decay, clip, clip_norm, val;
    int carry_state, keep_case, course, json, quiet;
    ckpt_options ckpt;      /* --checkpoint-every, --resume */
    float init_scale;
    /* sample */
    long count, max_len;
    double temperature;
    const char *prefix;
    int novel;
    unsigned long long seed;
} options;

typedef struct {
    int n;
    char **text;   /* as read (for messages and --novel) */
    int **ids;     /* characters as vocabulary ids */
    int *len;
} nameset;

typedef struct {
    charlm lm;
    vocab voc;
    int keep_case;
    char *names;     /* the training list, "\n"-joined, for --novel */
    model_in file;   /* kept open while training state is restored */
} dinos_model;

/* Names of path (blank lines skipped; lower-cased unless keep_case), or die. */
void dinos_read_names(const char *path, int keep_case, nameset *out);
/* Map each name's characters to ids of v; die on one it lacks. */
void dinos_encode_names(nameset *s, const vocab *v, const char *path);
void dinos_nameset_free(nameset *s);
void dinos_lower(char *s);
/* A name as UTF-8 with its first letter upper-cased (ASCII). */
void dinos_format_name(const vocab *v, const int *ids, int n, char *out);

/* The model in path, or die. */
void dinos_load(dinos_model *d, const char *path);
void dinos_unload(dinos_model *d);

/* The actions: opts is an options, argv[0..argc) the operands. */
int dinos_train(void *opts, int argc, char **argv);
int dinos_sample(void *opts, int argc, char **argv);
int dinos_score(void *opts, int argc, char **argv);
int dinos_info(void *opts, int argc, char **argv);
/* The one FILE operand of train and score (NULL when none), or die. */
const char *dinos_operand(int argc, char **argv);

#endif
