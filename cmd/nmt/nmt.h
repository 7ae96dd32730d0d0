/* nmt — what the actions of `seqtool nmt` share: the options, the model
 * file, the pairs of train and eval, and translation fanned out over
 * threads.  nmt.c holds the tables and these shared parts; the actions
 * are in nmt_dates.c, nmt_train.c, nmt_eval.c (with the pairs) and
 * nmt_translate.c (translate and attention).  The model is in seq2seq,
 * the generator of dates in dates. */
#ifndef SEQTOOL_NMT_H
#define SEQTOOL_NMT_H

#include "checkpoint.h"
#include "cli.h"
#include "dates.h"
#include "parallel.h"
#include "seq2seq.h"

#define NMT_TX (DATES_HUMAN_MAX + 1) /* a trained model's Tx: the token and 30 bytes */
#define EVAL_BATCH 500               /* rows per forward in eval (and train's held-out) */

/* Every option of every action; each action reads its own. */
typedef struct {
    const char *action;
    unsigned long long seed;
    int json, quiet, threads;
    /* dates */
    long count;
    int month_first, mixed, with_order, list_formats;
    int nasked;                   /* families named by --format */
    int asked[DATES_NFORMATS];
    /* train, eval, translate, attention */
    const char *model;            /* -m (its default set by nmt_begin) / train's -o */
    const char *file;             /* train/eval: pairs file; NULL: generated */
    long examples, held_out;
    int epochs, batch, beam;
    double lr, decay;
    int n_a, n_s, n_att;
    const char *picture;          /* attention -o */
    ckpt_options ckpt;            /* train: --checkpoint-every, --resume */
} nmt_options;

/* The model translate, eval and attention use without -m:
 * $SEQTOOL_NMT_MODEL, else the shipped datasets/nmt/dates.safetensors
 * (cli_default_model). */
#define NMT_SHIPPED_MODEL "nmt/dates.safetensors"
/* The model train writes without -o. */
#define NMT_DEFAULT_MODEL "nmt.safetensors"

/* Open and load a model, or die naming the file; with keep, the file
 * stays open there (for its metadata), else it is closed. */
void nmt_model_open(nmt_model *m, const char *path, model_in *keep);

/* ---- translation over threads ---- */

/* A model and its replicas, one per thread: m[0] is the model itself. */
typedef struct {
    int n;
    nmt_model *m[PARALLEL_MAX];
    nmt_model *replicas;          /* m[1..n) */
} nmt_pool;

/* The pool of model m for threads threads (1..PARALLEL_MAX), or die. */
void nmt_pool_init(nmt_pool *p, nmt_model *m, int threads);
/* Frees the replicas (not m). */
void nmt_pool_free(nmt_pool *p);

typedef struct {
    char iso[NMT_TY + 1];         /* the date, or the likeliest output when !valid */
    double logprob;
    int valid;
} nmt_answer;

/* The answers of rows[0..n) (Tx ids each, as nmt_encode writes them)
 * under beam K: batches of batch rows from row 0, whole batches to each
 * thread, so the answers do not depend on the number of threads. */
void nmt_pool_translate(nmt_pool *p, const int *rows, long n, int batch, int K, nmt_answer *out);

/* ---- pairs (train and eval) ---- */

/* Pairs: the human form (cut to NMT_TX - 1 bytes), its ISO date, the
 * convention token, and the family (generated pairs; -1 from a file). */
typedef struct {
    long n;
    char (*human)[NMT_TX];
    unsigned char *len;
    char (*iso)[DATE_ISO_LEN + 1];
    unsigned char *month_first;
    signed char *format;
    int *ids;                  /* [n][tx], after pairs_encode */
    int tx;                    /* the model's Tx */
    long truncated;            /* lines cut to NMT_TX - 1 bytes */
} pairset;

void pairs_alloc(pairset *p, long n);
void pairs_free(pairset *p);
/* n generated pairs over every family of both conventions. */
void pairs_generate(pairset *p, long n, rng *r);
/* The pairs of path ("-": standard input), or die naming the line. */
void pairs_read(pairset *p, const char *path, rng *r);
/* Each pair's input ids for model m. */
void pairs_encode(pairset *p, const nmt_model *m);

typedef struct {
    long right[DATES_NFORMATS + 1], total[DATES_NFORMATS + 1]; /* last: from a file */
    long exact, n, invalid;
} exact_counts;

/* Exact matches of the pool's translations of p (beam K, valid dates only). */
void nmt_evaluate(nmt_pool *pool, const pairset *p, int K, exact_counts *c);

/* The one FILE operand of train and eval (NULL when none), or die. */
const char *nmt_file_operand(int argc, char **argv);

/* The actions: opts is an nmt_options, argv[0..argc) the operands. */
int nmt_dates(void *opts, int argc, char **argv);
int nmt_train(void *opts, int argc, char **argv);
int nmt_eval(void *opts, int argc, char **argv);
int nmt_translate(void *opts, int argc, char **argv);
int nmt_attention(void *opts, int argc, char **argv);
int nmt_info(void *opts, int argc, char **argv);

#endif
