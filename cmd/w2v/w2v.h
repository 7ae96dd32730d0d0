/* w2v — the parts of `seqtool w2v` in their own files: the analogy test
 * (w2v_eval.c) and training (w2v_train.c). */
#ifndef SEQTOOL_CMD_W2V_H
#define SEQTOOL_CMD_W2V_H

#include "sgns.h"
#include "text.h"
#include "vecops.h"
#include "vectors.h"

#define W2V_DEFAULT_CORPUS "datasets/w2v/corpus.txt"

typedef struct {
    const char *questions;
    long restrict_vocab;   /* 0: the default, 30000 */
    int fold_case, per_question, json, quiet;
    vec_score method;
} w2v_eval_options;

/* Every line of path ('-': stdin), checked as text; dies on bad input. */
text_lines w2v_read_lines(const char *path);

/* `analogy --eval`: returns the exit status. */
int w2v_eval(const vectors *v, const w2v_eval_options *eo);

/* `train`: corpus from args (at most one), output path and format. */
int w2v_train(const sgns_config *cfg, int argc, char **argv, const char *output,
              vec_format format, int json, int quiet);

#endif
