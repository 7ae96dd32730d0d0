/* checkpoint — training runs that stop and go on.
 *
 * A train action saves its run so far to its output file every
 * --checkpoint-every steps and when Ctrl-C or SIGTERM stops it; with
 * --resume it reads that file back and goes on, so that the run ends
 * with the same model, byte for byte, as a run that never stopped (same
 * seed, same threads).  Files are written atomically (model_out_write:
 * a temporary file renamed into place), so a run killed in the middle of
 * a save leaves the previous checkpoint whole.
 *
 * A checkpoint is the model file the command writes (sample, predict,
 * info ... read it as they read any model) with more:
 *   checkpoint.step        steps done
 *   checkpoint.steps       steps of the whole run
 *   checkpoint.unit        what a step is: "step", or "word" (w2v)
 *   checkpoint.settings    cli_settings() of the run, which a resumed
 *                          run must repeat
 *   checkpoint.rng.NAME    each random generator's state
 *   checkpoint.NAME        the command's own numbers (doubles as %.17g,
 *                          which reads back exactly)
 *   tensors checkpoint.NAME, and optim.m, optim.v (the optimizer's state)
 * A finished model has no checkpoint.* key.
 *
 * Every function dies with a one-line message rather than return an
 * error: out of memory while writing; while reading, a file that is not
 * a checkpoint of this run or lacks a key.
 */
#ifndef SEQTOOL_CHECKPOINT_H
#define SEQTOOL_CHECKPOINT_H

#include "model.h"
#include "optim.h"
#include "rng.h"

/* The options CLI_OPTION_CHECKPOINT_EVERY and CLI_OPTION_RESUME set. */
typedef struct {
    long every;  /* steps between saves; 0: only when stopped */
    int resume;
} ckpt_options;

/* The set() hook's part for CLI_CHECKPOINT_EVERY and CLI_RESUME. */
void ckpt_option(ckpt_options *c, int key, const char *arg);

/* Whether to save after step done: stop (read once from
 * cli_stop_requested by the caller, who then ends the run), or done is a
 * multiple of c->every; never once the run has finished (the finished
 * model is saved then). */
int ckpt_due(const ckpt_options *c, long done, int finished, int stop);

/* ---- writing, into a model file being made ---- */

/* checkpoint.step, .steps, .unit (what they count: "step", "word") and
 * .settings. */
void ckpt_put_run(model_out *m, long done, long total, const char *unit);
void ckpt_put_string(model_out *m, const char *name, const char *v);
void ckpt_put_long(model_out *m, const char *name, long v);
void ckpt_put_double(model_out *m, const char *name, double v);
void ckpt_put_rng(model_out *m, const char *name, const rng *r);
/* Tensors checkpoint.NAME of n elements (referenced until the write). */
void ckpt_put_ints(model_out *m, const char *name, long n, const int *a);
void ckpt_put_floats(model_out *m, const char *name, long n, const float *a);
/* The optimizer's state: optim.m and optim.v, those o has (dinos keeps
 * them in a finished model too, for training it further). */
void ckpt_put_optim_state(model_out *m, const optimizer *o);
/* What every train action but w2v's saves first: the run
 * (ckpt_put_run), the optimizer o (its state and
 * checkpoint.optim_step) and the generator r, named "train". */
void ckpt_put_trainer(model_out *m, long done, long total, const char *unit,
                      const optimizer *o, const rng *r);

/* ---- reading, from a file opened for --resume ---- */

/* Whether f holds an unfinished run (a checkpoint.step key). */
int ckpt_is_run(const model_in *f);
/* Open path (a model of kind) for --resume: it must hold an unfinished
 * run of total steps made with the settings of this one.  Returns the
 * steps done. */
long ckpt_open(model_in *f, const char *path, const char *kind, long total);
/* The same checks on a file already open. */
long ckpt_check(const model_in *f, long total);
/* Metadata key must read value (what the run learnt from: train.data). */
void ckpt_same(const model_in *f, const char *key, const char *value);
long ckpt_long(const model_in *f, const char *name, long lo, long hi);
double ckpt_double(const model_in *f, const char *name);
void ckpt_rng(const model_in *f, const char *name, rng *r);
void ckpt_ints(const model_in *f, const char *name, long n, int *a);
void ckpt_floats(const model_in *f, const char *name, long n, float *a);
/* o, made as the run made it, gets the state ckpt_put_optim_state saved. */
void ckpt_optim_state(const model_in *f, optimizer *o);
/* The counterpart of ckpt_put_trainer once the run is checked: o, made
 * as the run made it, and the generator r get their saved states back. */
void ckpt_trainer(const model_in *f, optimizer *o, rng *r);

/* The end of a run of total steps that stopped after done: 0 when it
 * finished; otherwise 130, with a warning that the run so far is in path
 * and that --resume continues it. */
int ckpt_end(const char *path, const char *unit, long done, long total);

#endif
