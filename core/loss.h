/* loss — softmax cross-entropy over rows, and weighted binary
 * cross-entropy from logits, each with a mask. */
#ifndef SEQTOOL_LOSS_H
#define SEQTOOL_LOSS_H

#include <stddef.h>

/* logits [N][V] and targets [N] (class index, or -1 for a padded row that
 * counts for nothing).  Returns the sum of -log softmax(logits)[target]
 * over the real rows, in nats (accumulated in double).  When dlogits is
 * not NULL it receives scale * (softmax - onehot) (0 on padded rows); it
 * may be the logits buffer itself. */
double loss_softmax_xent(float *logits, const int *targets, int N, int V,
                         float scale, float *dlogits);

/* Weighted binary cross-entropy from logits z[n] and targets y[n] in
 * [0, 1], averaged over the counted elements:
 *   loss = sum_i m_i l_i / sum_i m_i,
 *   l_i = -(w_pos y log s(z) + w_neg (1 - y) log(1 - s(z))),  s = sigmoid
 * with m_i = mask[i] (0 leaves an element out, whatever its logit), or 1
 * when mask is NULL.  Stable for any logit: log s(z) = -softplus(-z) and
 * log(1 - s(z)) = -softplus(z), in double.  When dlogits is not NULL it
 * receives dloss/dz = m (w_neg (1 - y) s(z) - w_pos y (1 - s(z))) / sum m
 * (it may be logits itself).  Returns the loss, 0 when nothing counts.
 * PyTorch: BCEWithLogitsLoss(pos_weight = w_pos / w_neg, weight = w_neg *
 * mask, reduction 'sum') / mask.sum(). */
double loss_sigmoid_xent(const float *logits, const float *targets, const float *mask,
                         size_t n, float w_pos, float w_neg, float *dlogits);

#endif
