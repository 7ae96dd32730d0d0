/* loss — softmax cross-entropy over rows, with a mask. */
#ifndef SEQTOOL_LOSS_H
#define SEQTOOL_LOSS_H

/* logits [N][V] and targets [N] (class index, or -1 for a padded row that
 * counts for nothing).  Returns the sum of -log softmax(logits)[target]
 * over the real rows, in nats (accumulated in double).  When dlogits is
 * not NULL it receives scale * (softmax - onehot) (0 on padded rows); it
 * may be the logits buffer itself. */
double loss_softmax_xent(float *logits, const int *targets, int N, int V,
                         float scale, float *dlogits);

#endif
