/* listen — from samples to scores: the model's front end and the model
 * run as one stream, so that a file, a pipe and raw PCM go through the
 * same steps and give the same scores, in memory that does not grow with
 * the audio.  Also the front end of whole clips for training, and the
 * chime that detection mixes in.  Nothing here prints. */
#ifndef SEQTOOL_LISTEN_H
#define SEQTOOL_LISTEN_H

#include <stddef.h>

#include "error.h"
#include "spec.h"
#include "wakenet.h"

/* The sample rate of a front end: 44100 (course) or 16000 (logmel). */
int listen_rate(spec_kind front);

/* What the model reads: the front end's values, the course's times 2^30
 * (its spectrogram of int16 samples, as the course feeds it; spec.h).
 * The whole signal x[n] into out[spec_frames][bins]; frames, or -1. */
long listen_features(spec_kind front, const float *x, size_t n, float *out, char *err);

typedef struct {
    const wakenet *w;       /* the first network */
    int members;            /* networks whose scores are averaged */
    spec_stream *spec;
    wakenet_stream net[WAKENET_MEMBERS_MAX];
    int rate, hop, window;
    long frames;            /* front-end frames so far */
    float *feat;            /* [LISTEN_BLOCK / hop + 1][bins] */
    float *logits;          /* [LISTEN_BLOCK / hop + 1] */
    float *scores;          /* the same */
} listener;

/* Samples pushed to the front end at a time. */
#define LISTEN_BLOCK 4096

/* A listener for the networks w[0..members) of one description (an
 * ensemble: the score of a step is the mean of theirs); 0, or -1 with a
 * message. */
int listener_init(listener *l, const wakenet *w, int members, char *err);
/* Back to the start of a new signal. */
void listener_reset(listener *l);
void listener_free(listener *l);

/* Push x[n] samples at listen_rate(w->front); for each output step that
 * completes, step(ctx, t, score) with t the end of the audio it heard (in
 * seconds from the start) and its score (the sigmoid of its logit; of an
 * ensemble, the mean of its networks' sigmoids). */
void listener_push(listener *l, const float *x, size_t n, void (*step)(void *ctx, double t, float score),
                   void *ctx);

/* The built-in chime at rate: two decaying bell tones (E6 and B6), 0.6 s,
 * peak 0.5.  A new buffer of *n samples, or NULL (out of memory). */
float *listen_chime(int rate, size_t *n);

#endif
