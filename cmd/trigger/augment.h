/* augment — what train does to a batch of features to make each clip
 * look new: SpecAugment's masks, and a warp of the bands with a tilt, as
 * another speaker's vocal tract and another microphone would.  A batch is
 * x [T][n][bins] (step, clip, band).  Nothing here prints. */
#ifndef SEQTOOL_AUGMENT_H
#define SEQTOOL_AUGMENT_H

#include "rng.h"

/* SpecAugment (Park et al., 2019): in each clip, one band of 0 to bins/5
 * channels and two spans of 0 to AUGMENT_MASK_FRAMES frames set to the
 * clip's mean value, so that the model cannot lean on any one band or
 * moment. */
#define AUGMENT_MASK_FRAMES 20
void augment_mask(float *x, int T, int n, int bins, rng *r);

/* In each clip, band f takes the value at band f a (linearly between two
 * bands; the top band past the top), a drawn uniformly in [1 - WARP,
 * 1 + WARP]: the vocal tract length perturbation of Jaitly and Hinton
 * (2013) on the band axis; then, when log is set (log-mel values), a
 * straight tilt from -s/2 at the lowest band to s/2 at the highest, s
 * drawn in [-TILT, TILT] (2.3: 10 dB end to end). */
#define AUGMENT_WARP 0.12f
#define AUGMENT_TILT 2.3f
/* 0, or -1 when out of memory. */
int augment_warp(float *x, int T, int n, int bins, int log, rng *r);

#endif
