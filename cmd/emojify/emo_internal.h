/* emo_internal — what the two halves of the emojify model share and the
 * face does not see: emo_model.c (set-up, vocabulary, workspace, the
 * layouts of a batch, training, files) lays batches out, emo_infer.c
 * (inference on threads) runs them. */
#ifndef SEQTOOL_EMO_INTERNAL_H
#define SEQTOOL_EMO_INTERNAL_H

#include "emo_model.h"

/* The most steps of the B sentences (0 when none has any). */
int emo_longest_steps(const emo_model *m, int B, const emo_sentence *s);
/* v1: m->top[b] = the mean of sentence b's inputs; m->count and m->nunk
 * per row.  The workspace is reserved for B rows. */
void emo_v1_means(emo_model *m, int B, const emo_sentence *s);
/* v2: m->tok [T][B] and m->mask from the sentences after the oov policy,
 * with their zero steps; returns T, the longest.  The workspace is
 * reserved for T x B. */
int emo_v2_layout(emo_model *m, int B, const emo_sentence *s);

#endif
