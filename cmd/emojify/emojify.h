/* emojify — what the actions of `seqtool emojify` share: the options,
 * the classes' emoji, sentences to token ids, labelled sets, scores and
 * the model file.  emojify.c holds the tables and what the actions
 * share, emojify_train.c trains, emojify_predict.c predicts and
 * evaluates.  The models are in emo_model (emo_infer.c runs them), the
 * CSV reader in labeled, the suffix back-off in suffix. */
#ifndef SEQTOOL_EMOJIFY_H
#define SEQTOOL_EMOJIFY_H

#include "checkpoint.h"
#include "cli.h"
#include "emo_model.h"
#include "labeled.h"
#include "vectors.h"

#define EMOJIFY_DEFAULT_MODEL "emojify.safetensors"
/* The model predict, eval and info read when -m names none and there is
 * no EMOJIFY_DEFAULT_MODEL in the current folder: datasets/ + this, made
 * by `make emojify-model` (cli_default_model). */
#define EMOJIFY_SHIPPED_MODEL "emojify/emojify.safetensors"
#define EMOJIFY_DEFAULT_TRAIN "datasets/emojify/train.csv"
#define EMOJIFY_DEFAULT_TEST "datasets/emojify/test.csv"
/* The course's classes: U+2764 U+FE0F, U+26BE, U+1F604, U+1F61E, U+1F374. */
#define EMOJIFY_DEFAULT_EMOJI \
    "\xe2\x9d\xa4\xef\xb8\x8f,\xe2\x9a\xbe,\xf0\x9f\x98\x84,\xf0\x9f\x98\x9e,\xf0\x9f\x8d\xb4"
#define EMOJIFY_MAX_WORDS 10000   /* a longer sentence is cut here */
#define EMOJI_MAX 64              /* bytes of one class's emoji */

/* Every option of every action; each action reads its own. */
typedef struct {
    const char *action;               /* train, predict, eval */
    const char *vectors;              /* NULL: none (predict, eval) */
    const char *output, *model, *test;
    int kind, oov, backoff, threads, batch, hidden, top, label, verbose, json, quiet;
    int old_arch;                     /* train -m v1|v2, the old spelling of --arch */
    int pad_to;                       /* -1: the longest training sentence */
    long epochs;
    double lr, dropout;
    const char *emoji, *labels;       /* --emoji LIST, --labels FILE */
    unsigned long long seed;
    ckpt_options ckpt;                /* train: --checkpoint-every, --resume */
} emojify_options;

/* ---- the classes' emoji ---- */

typedef struct {
    int n;
    char sym[EMO_MAX_CLASSES][EMOJI_MAX];
} emoji_set;

/* "A,B,C": 2 to EMO_MAX_CLASSES symbols, each UTF-8 with no blank or
 * comma and shorter than EMOJI_MAX bytes; 0, or -1. */
int emoji_set_parse(const char *list, emoji_set *e);
/* The classes of a label file (--labels): one class per line in class
 * order, its symbol first, then optionally a blank and a description
 * (ignored); blank lines and lines starting with '#' are skipped.  Dies
 * naming the line. */
void emoji_set_read(const char *path, emoji_set *e);
/* "A,B,C" (caller frees). */
char *emoji_set_join(const emoji_set *e);

/* ---- words to ids ---- */

/* Turns text into token ids of the model, adding the words that the
 * vectors (when there are any) have but the model lacks. */
typedef struct {
    emo_model *m;
    const vectors *v;
    char *buf;
    const char **word;
    int *len;
    size_t cap;
    long unknown, words;      /* tokens without a vector, all tokens */
    long borrowed;            /* words that borrowed a form's vector */
    float *vec;               /* [D], a borrowed vector in transit */
    int verbose, quiet;
} emojify_encoder;

void emojify_encoder_init(emojify_encoder *e, emo_model *m, const vectors *v, int verbose, int quiet);
void emojify_encoder_free(emojify_encoder *e);
/* The ids of text (n bytes) into ids (room for n + 1); returns how many.
 * Words without a vector are counted, and named when verbose, with where
 * they were ("line 3"). */
int emojify_encode(emojify_encoder *e, const char *text, size_t n, int *ids, const char *where);

/* A labelled set and its sentences as ids. */
typedef struct {
    labeled_set text;
    int *ids;
    emo_sentence *s;
    const char *path;
} emojify_dataset;

/* Read a CSV file ('-': stdin) of nclasses classes, or die naming the line. */
void emojify_dataset_read(emojify_dataset *d, const char *path, int nclasses);
void emojify_dataset_encode(emojify_dataset *d, emojify_encoder *e);
void emojify_dataset_free(emojify_dataset *d);

/* ---- scores ---- */

typedef struct {
    int K, n, correct, fallback;   /* fallback: sentences with no known word */
    int confusion[EMO_MAX_CLASSES][EMO_MAX_CLASSES]; /* [true][predicted] */
} emojify_metrics;

/* Predict every sentence of d and score it. */
void emojify_evaluate(emo_model *m, const emojify_dataset *d, emojify_metrics *r);
struct cJSON *emojify_metrics_json(const emojify_metrics *r, const emoji_set *e);
/* Accuracy ("WHAT_accuracy 0.8571 (48 of 56)"), per-class precision and
 * recall, the confusion matrix. */
void emojify_metrics_print(const emojify_metrics *r, const emoji_set *e, const char *what);
int emojify_argmax(const float *p, int K);
double emojify_ratio(int a, int b);

/* ---- files ---- */

/* Open and load a model with its emoji, or die naming the file; with
 * keep, the file stays open there (for its metadata), else it is closed. */
void emojify_open_model(const char *path, emo_model *m, emoji_set *e, model_in *keep);

/* The actions: opts is an emojify_options, argv[0..argc) the operands. */
int emojify_train(void *opts, int argc, char **argv);
int emojify_predict(void *opts, int argc, char **argv);
int emojify_eval(void *opts, int argc, char **argv);
int emojify_info(void *opts, int argc, char **argv);

#endif
