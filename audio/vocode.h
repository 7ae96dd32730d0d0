/* vocode — speech made again from its spectral envelope and its pitch,
 * as a parametric synthesizer (HTS, clustergen) makes speech: a source
 * (a pulse a period when voiced, noise when not) through an all-pole
 * filter that follows the speech every 5 ms.  What it keeps of a voice is
 * the envelope (formants) and the pitch contour; what it changes is the
 * fine texture (harmonics up to the top band, no breath in the voiced
 * parts), and with a pitch factor the pitch without the formants, as
 * another speaker of the same vocal tract.  trigger synth uses it to
 * make more voices from the few the speech engines have.
 *
 * The analysis: 30 ms Hann windows every 5 ms of the pre-emphasized
 * (0.97) signal, linear prediction of order rate / 1000 + 2 by the
 * autocorrelation method (Levinson-Durbin, white-noise correction 1e-4,
 * bandwidth expansion 0.994^k), the gain from the prediction error;
 * the pitch from the normalized autocorrelation between 60 and 400 Hz
 * (voiced above 0.45, and less than 40 dB under the loudest frame; the
 * shortest period within 0.85 of the best, against octave errors;
 * a median of three frames).  Nothing here prints. */
#ifndef SEQTOOL_VOCODE_H
#define SEQTOOL_VOCODE_H

#include <stddef.h>

#include "rng.h"

#define VOCODE_F0_MIN 60
#define VOCODE_F0_MAX 400

/* The pitch of x[n] at rate Hz every 5 ms (rate / 200 samples), frame i
 * centred on sample i * hop: n / hop + 1 values into f0 (0: unvoiced).
 * Returns the count, or -1 when out of memory. */
long vocode_pitch(const float *x, size_t n, int rate, float *f0);

/* x[n] made again with its pitch times pitch (0.5 to 2) into out[n]
 * (not x); the unvoiced noise and the voiced phase are drawn from r.
 * out has x's peak.  Returns 0, or -1 when out of memory. */
int vocode(const float *x, size_t n, int rate, float pitch, rng *r, float *out);

#endif
