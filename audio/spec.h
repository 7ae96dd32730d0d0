/* spec — spectrograms of mono float samples, with kissfft's real FFT.
 *
 * Two kinds, both laid out [frames][bins] in float32, row by row:
 *
 * SPEC_COURSE — the course's spectrogram, as matplotlib's
 *   specgram(x, NFFT=200, Fs=8000, noverlap=120) computes it: segments of
 *   200 samples every 80, each multiplied by a symmetric Hann window
 *   (numpy's np.hanning(200), matplotlib's default window_hanning), no
 *   detrending, no zero padding, a one-sided power spectral density
 *   |X_k|^2 / (Fs * sum(w^2)) with Fs = 8000 whatever the real rate (as the
 *   course calls it), every bin doubled but DC (k = 0) and Nyquist
 *   (k = 100): 101 bins.  A 10 s clip at 44.1 kHz (441,000 samples) gives
 *   5,511 frames.  matplotlib returns it transposed, [bins][frames].  The
 *   course feeds specgram the int16 values of its WAV files, not [-1, 1)
 *   floats: multiply the output by 2^30 (exactly) to get its numbers.
 *   Unlike specgram, fewer than 200 samples give no frame (matplotlib pads
 *   such a signal with zeros to one segment).
 *
 * SPEC_LOGMEL — the default front end: 16 kHz samples, 25 ms frames (400
 *   samples, periodic Hann window 0.5 - 0.5 cos(2 pi n / 400)) every 10 ms
 *   (160), zero-padded to a 512-point FFT, power |X_k|^2 of bins 0..256,
 *   40 triangular mel filters, then log(energy + 1e-6).  The mel scale is
 *   HTK's, mel(f) = 2595 log10(1 + f / 700); the filters' corners are 42
 *   points evenly spaced in mel from 20 Hz to 8000 Hz, filter m rising
 *   from point m to a peak of 1 at point m+1 and falling to 0 at point m+2,
 *   evaluated at each bin's frequency k * 16000 / 512 (no area
 *   normalisation).  The floor 1e-6 (log: -13.8) keeps digital silence
 *   finite and lies above what 16-bit quantisation noise puts in any band
 *   (about 1e-8 in the narrowest to 4e-7 in the widest), so digital
 *   silence and the quietest 16-bit recording read alike.  No padding at either end: n samples give
 *   1 + (n - 400) / 160 frames (0 when n < 400).
 *
 * Frames are computed in float32 (window, FFT), their power and bands in
 * double.  A spec_stream turns samples pushed in blocks of any size into
 * the same frames, bit for bit, as the whole-signal functions (which are
 * that stream, pushed once).  Nothing here prints or exits.
 */
#ifndef SEQTOOL_SPEC_H
#define SEQTOOL_SPEC_H

#include "error.h"

#include <stddef.h>

typedef enum { SPEC_COURSE, SPEC_LOGMEL } spec_kind;

#define SPEC_COURSE_WINDOW 200
#define SPEC_COURSE_HOP 80
#define SPEC_COURSE_BINS 101
#define SPEC_COURSE_FS 8000

#define SPEC_LOGMEL_RATE 16000
#define SPEC_LOGMEL_WINDOW 400
#define SPEC_LOGMEL_HOP 160
#define SPEC_LOGMEL_NFFT 512
#define SPEC_LOGMEL_BANDS 40
#define SPEC_LOGMEL_FMIN 20.0
#define SPEC_LOGMEL_FMAX 8000.0
#define SPEC_LOGMEL_FLOOR 1e-6

/* Values per frame: 101 (SPEC_COURSE) or 40 (SPEC_LOGMEL). */
int spec_bins(spec_kind kind);
/* Frames of a whole signal of n samples: 1 + (n - window) / hop, or 0. */
size_t spec_frames(spec_kind kind, size_t n);

/* The whole signal x[n] into out[spec_frames(kind, n)][spec_bins(kind)]:
 * the number of frames, or -1 with a message (out of memory). */
long spec_course(const float *x, size_t n, float *out, char *err);
long spec_logmel(const float *x, size_t n, float *out, char *err);

/* ---- streaming: push samples, get each frame as soon as it is complete ---- */

typedef struct spec_stream spec_stream;

/* A stream of the given kind (window, FFT and filters made once), or NULL
 * with a message. */
spec_stream *spec_stream_new(spec_kind kind, char *err);
void spec_stream_free(spec_stream *s);

/* How many frames pushing n more samples completes: size the out buffer
 * of spec_stream_push with it (n / hop + 1 is always enough). */
size_t spec_stream_frames(const spec_stream *s, size_t n);

/* Push x[n] (any n, 0 too) and write the frames it completes to
 * out[frames][bins]; returns their count.  The stream keeps the last
 * window - hop samples (at most one window) between calls. */
size_t spec_stream_push(spec_stream *s, const float *x, size_t n, float *out);

/* Forget the pending samples: the next push starts a new signal. */
void spec_stream_reset(spec_stream *s);

#endif
