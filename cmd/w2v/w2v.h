/* w2v — what the actions of `seqtool w2v` share: the options, words and
 * expressions, the query loop.  w2v.c holds the tables and those shared
 * parts; w2v_query.c answers similarity, nearest, analogy and bias;
 * w2v_eval.c the analogy test set, w2v_wordsim.c the word-similarity
 * sets; w2v_files.c debias, convert and info;
 * w2v_train.c trains.  The arithmetic is in vecops, training in sgns. */
#ifndef SEQTOOL_CMD_W2V_H
#define SEQTOOL_CMD_W2V_H

#include "checkpoint.h"
#include "cli.h"
#include "sgns.h"
#include "text.h"
#include "vecops.h"
#include "vectors.h"

#define DEFAULT_VECTORS "vectors.safetensors"
#define W2V_DEFAULT_CORPUS "datasets/w2v/corpus.txt"
#define W2V_MAX_TOKENS 64  /* words and operators in one query */
#define W2V_WHY 400        /* room for why a query failed */
#define W2V_LINE_MAX 4096  /* longest line of a words, pairs or questions file */

/* Every option of every action; each action reads its own. */
typedef struct {
    const char *action;
    const char *vectors, *output;
    vec_format input_format, output_format;
    int format_set, json, quiet;
    /* nearest, analogy: 0 for k is the action's default; 0 threads: the cores */
    int k, threads;
    long restrict_vocab;   /* 0: all (30000 with --eval) */
    vec_score method;
    int include_inputs;
    const char *questions; /* --eval */
    int fold_case, per_question;
    /* bias, debias */
    const char *pairs, *pairs_file, *neutralize, *equalize;
    int pca;
    int int8;              /* convert: 8-bit rows */
    sgns_config train;
    ckpt_options ckpt;     /* train: --checkpoint-every, --resume */
} options;

/* ---- words and expressions (w2v.c) ---- */

/* The vectors of -v (else cli_default_vectors), or die. */
void w2v_open(const options *o, vectors *v);

/* The row of word, or -1 with the reason in why (W2V_WHY bytes). */
long w2v_lookup(const vectors *v, const char *word, char *why);

/* Split line in place at blanks into at most max tokens: their number,
 * or -1 when there are more. */
int w2v_split(char *line, char **tok, int max);

/* Whether t is the operator "+" or "-". */
int w2v_is_operator(const char *t);

/* An expression "w1 [+|- w2 ...]": its vector sum (dim doubles, the
 * caller's), the rows of its words, its text. */
typedef struct {
    double *sum;
    long rows[W2V_MAX_TOKENS];
    int nrows;
    char text[512];
} expression;

/* The expression starting at tok[*pos], *pos left after it: 0, or -1
 * with why. */
int w2v_expression(const vectors *v, char **tok, int ntok, int *pos, expression *e, char *why);

/* Whether a line of a words or pairs file is blank or a '#' comment. */
int w2v_skip_line(const char *s);

/* The pair "A:B" or "A B" of text appended to the rows a[] and b[] (n of
 * them); die naming where it came from. */
void w2v_add_pair(const vectors *v, char *text, const char *where, long **a, long **b, int *n);

/* The bias direction g of --pairs, --pairs-file and --pca (dim doubles,
 * caller frees), or die. */
double *w2v_bias_axis(const options *o, const vectors *v);

/* ---- queries (w2v.c) ---- */

/* n queries q[] (each may be split in place); first is the line or
 * argument number of q[0] in a stream, 0 for one query from the
 * arguments.  A failed query goes to w2v_query_failed. */
typedef void (*w2v_batch)(const options *o, const vectors *v, void *ctx, char **q, int n,
                          long first, int *failed);

/* Die when both the vectors and the queries (argv) would be standard
 * input. */
void w2v_check_stdin(const options *o, int argc, char **argv);

/* Run fn over the queries: each argument alone (per_arg), all arguments
 * as one query, or standard input's lines in batches of what is ready.
 * Returns the exit status (1 when a query failed). */
int w2v_queries(const options *o, const vectors *v, void *ctx, int argc, char **argv, int per_arg,
                w2v_batch fn);

/* Whether the arguments are one query (an operator among them) rather
 * than a query each. */
int w2v_one_query(int argc, char **argv);

/* A failed query: in a stream its place prints '?' (or a JSON error) and
 * a warning, counted in *failed; alone (stream 0) it is fatal. */
void w2v_query_failed(const options *o, int stream, long number, const char *why, int *failed);

/* ---- the actions: opts is an options, argv[0..argc) the operands ---- */

int w2v_similarity(void *opts, int argc, char **argv);
int w2v_nearest(void *opts, int argc, char **argv);
int w2v_analogy(void *opts, int argc, char **argv);
int w2v_bias(void *opts, int argc, char **argv);
int w2v_debias(void *opts, int argc, char **argv);
int w2v_convert(void *opts, int argc, char **argv);
int w2v_info(void *opts, int argc, char **argv);
int w2v_train(void *opts, int argc, char **argv);

/* `analogy --eval`: returns the exit status. */
int w2v_eval(const options *o, const vectors *v);
/* `similarity --eval` (w2v_wordsim.c): returns the exit status. */
int w2v_wordsim(const options *o, const vectors *v);

/* What the test sets share (w2v_eval.c): a word as compared, upper-cased
 * (ASCII) with fold_case (caller frees); the comparison keys of the first
 * limit words in keys, with the first row that has each (caller frees). */
char *w2v_fold(const char *s, int fold_case);
long *w2v_fold_keys(const vectors *v, long limit, int fold_case, word_index *keys);

/* The format to write: --format, else OUT's extension, else input (for
 * standard output, word2vec text rather than safetensors); dies on what
 * cannot go to standard output.  Checked before any work is done. */
vec_format w2v_output_format(const options *o, vec_format input);

/* A name for messages: "standard output" for "-". */
const char *w2v_output_name(const char *path);

#endif
