/* nmt — what the actions of `seqtool nmt` share: the options and the
 * model file. */
#ifndef SEQTOOL_NMT_H
#define SEQTOOL_NMT_H

#include "dates.h"
#include "seq2seq.h"

typedef struct {
    const char *action;
    unsigned long long seed;
    int json, quiet;
    /* dates */
    long count;
    int month_first, mixed, with_order, list_formats;
    int nasked;                   /* families named by --format */
    int asked[DATES_NFORMATS];
    /* train, eval, translate, attention */
    const char *model;            /* -m / -o; NULL: the action's default */
    const char *file;             /* train/eval: pairs file; NULL: generated */
    long examples, held_out;
    int epochs, batch, threads, beam;
    double lr, decay;
    int n_a, n_s, n_att;
    const char *picture;          /* attention -o */
    char **texts;                 /* operands of translate / attention */
    int ntexts;
} nmt_options;

/* The model translate, eval and attention use without -m:
 * $SEQTOOL_NMT_MODEL, else the shipped datasets/nmt/dates.safetensors
 * beside the binary (or up to two folders above it, for build trees),
 * else the installed copy. */
const char *nmt_default_model(void);

/* Open and load a model, or die naming the file. */
void nmt_model_open(nmt_model *m, const char *path);

int nmt_train_action(nmt_options *o);
int nmt_eval_action(nmt_options *o);
int nmt_translate_action(nmt_options *o);
int nmt_attention_action(nmt_options *o);

#endif
