/* fault — test-only fault injection.  A file built with -DSEQTOOL_FAULT=N
 * flips the sign of the one gradient term marked FAULT(N), so that a unit
 * test can prove its gradient check fails when a backward is wrong (the
 * Makefile builds those objects; tests/run expects each check to fail):
 *   1 rnn, 2 gru update gate, 3 lstm forget gate (cells.c, test_core);
 *   4 conv1d dx from the first kernel tap, 5 batchnorm dx through the
 *   variance (layers.c), 6 the negative term of the weighted binary
 *   cross-entropy (loss.c) (test_layers). */
#ifndef SEQTOOL_FAULT_H
#define SEQTOOL_FAULT_H

#ifdef SEQTOOL_FAULT
#define FAULT(n) (SEQTOOL_FAULT == (n) ? -1.0f : 1.0f)
#else
#define FAULT(n) 1.0f
#endif

#endif
