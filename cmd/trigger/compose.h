/* compose — one labelled training clip, as the course's
 * create_training_example makes them, with the random gain, speed and
 * background level it lacks:
 *
 *   1. a background: one of the backgrounds at random, a random stretch
 *      of it (repeated when it is shorter than the clip), times a gain
 *      drawn in decibels from [bg_db_lo, bg_db_hi] (the course: -20);
 *   2. 0 to max_positives wake words (the course: 0-4), each a random
 *      positive at a random speed in [speed_lo, speed_hi] (resampled, so
 *      tempo and pitch move together) and a gain in [gain_db_lo,
 *      gain_db_hi] dB, placed by the course's insert_audio_clip (a random
 *      start, redrawn while it overlaps an earlier word, given up after 7
 *      draws: audio/mix.h);
 *   3. 0 to max_negatives other words (the course: 0-2), the same way;
 *      with vocode_share > 0, each word of either kind is, with that
 *      chance, made again by audio/vocode.h (after its speed) at a pitch
 *      factor in [vocode_lo, vocode_hi]: a voice of the same vocal tract
 *      through a parametric synthesizer;
 *   4. the whole clip scaled to an RMS level of target_dbfs (the course's
 *      match_target_amplitude(-20)) and clipped to [-1, 1].
 *
 * A word as long as the clip or longer cannot be placed and is skipped
 * (counted).  Times are whole milliseconds, as in audio/mix.h.  Nothing
 * here prints. */
#ifndef SEQTOOL_COMPOSE_H
#define SEQTOOL_COMPOSE_H

#include <stddef.h>

#include "error.h"
#include "mix.h"
#include "rng.h"

#define COMPOSE_MAX_WORDS 64

typedef struct {
    const float *x;
    size_t n;
} compose_sound;

typedef struct {
    int rate;
    size_t n;                     /* samples in a clip */
    int max_positives, max_negatives;
    float bg_db_lo, bg_db_hi;
    float gain_db_lo, gain_db_hi;
    float speed_lo, speed_hi;
    float vocode_share, vocode_lo, vocode_hi;
    float target_dbfs;
} compose_settings;

/* The defaults above for clips of seconds at rate. */
void compose_defaults(compose_settings *s, int rate, double seconds);

typedef struct {
    int npos, nneg, skipped;
    mix_segment pos[COMPOSE_MAX_WORDS];   /* in ms, sorted by start */
    mix_segment neg[COMPOSE_MAX_WORDS];
} compose_labels;

/* Make one clip in out[s->n] from the sounds (nbg >= 1; npos or nneg may
 * be 0, and then no word of that kind is drawn).  0, or -1 with a message
 * (out of memory, a resampler failure). */
int compose_clip(const compose_settings *s, const compose_sound *bg, int nbg, const compose_sound *pos,
                 int npos, const compose_sound *neg, int nneg, rng *r, float *out, compose_labels *lab,
                 char *err);

#endif
