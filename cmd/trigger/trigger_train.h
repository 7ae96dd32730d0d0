/* trigger train's run (trigger_train.c), and the model file it writes
 * (trigger_train_file.c): the finished model, or a checkpoint of the run
 * that --resume reads back. */
#ifndef SEQTOOL_TRIGGER_TRAIN_H
#define SEQTOOL_TRIGGER_TRAIN_H

#include "optim.h"
#include "trigger.h"
#include "wakemodel.h"

/* What --from and --negatives added, for the model file and the summary. */
typedef struct {
    int clips;                    /* clips of mined negatives */
    long cuts, skipped;           /* their files, those too long */
} additions;

/* A training run, and where it stands: what a checkpoint holds besides
 * the model (its weights and running statistics). */
typedef struct {
    const trigger_options *o;
    int argc;
    char **argv;                  /* the clip folders */
    wakemodel *m;
    const trigger_clips *cs;
    additions x;                  /* what --negatives added */
    int *order;                   /* the held-out clips [0, nval), then the
                                     training clips in this epoch's order */
    int nval, ntrain, B;
    wakenet_work k;
    float *y, w_pos, w_neg;
    optimizer opt;
    rng r;                        /* weights, each epoch's order, --warp,
                                     --augment, dropout */
    long done, total;             /* steps */
    int epoch, next, seen;        /* epochs done; this epoch's next training
                                     clip, and the clips it trained on */
    double sum, loss, val, best_val, seconds; /* sum: this epoch's loss so far */
    float *best;                  /* the weights and statistics of the best
                                     held-out loss, or NULL */
    char *digest;                 /* the clips, for --resume (made when needed) */
} trainer;

/* Write the model file -o: the model as it is, finished, or (ck) a
 * checkpoint of the run; dies on failure. */
void trainer_save(trainer *t, int ck);

/* --resume: the run in f (the output file, whose model is already in
 * t->m), which must be of the same settings and clips; dies otherwise. */
void trainer_resume(trainer *t, model_in *f);

#endif
