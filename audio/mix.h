/* mix — making training clips as the course's trigger-word assignment
 * does: overlay a word onto a 10 s background at a random place that no
 * earlier word took, and label the output steps that follow each
 * "activate".
 *
 * Times are whole milliseconds, as in the course (pydub): a clip of n
 * samples at rate Hz lasts round(1000 n / rate) ms (Python's round, half
 * to even), and millisecond t starts at sample floor(t * rate / 1000).
 * Segments are [start_ms, end_ms] with end_ms inclusive: a clip of L ms
 * placed at s covers [s, s + L - 1].
 */
#ifndef SEQTOOL_MIX_H
#define SEQTOOL_MIX_H

#include "error.h"
#include "rng.h"

#include <stddef.h>

/* The course's label track: Ty = 1375 output steps over a 10 s clip, and
 * 50 steps labelled 1 after the end of each "activate". */
#define MIX_TY 1375
#define MIX_ONES 50
/* Redraws after the first random place, before giving up (the course's
 * retry = 5 counted down to 0: 7 draws in all). */
#define MIX_REDRAWS 6

typedef struct {
    int start_ms, end_ms;
} mix_segment;

/* A clip's length in ms, as pydub's len(): round(1000 n / rate). */
int mix_ms(size_t n, int rate);

/* Add gain * clip[clip_n] to background[n] from sample pos on; what would
 * fall past the end of the background is cut (as pydub's overlay does),
 * and each sum is clipped to [-1, 1] (as the int16 sums of pydub's
 * overlay saturate). */
void mix_overlay(float *background, size_t n, const float *clip, size_t clip_n, size_t pos, float gain);

/* The course's get_random_time_segment: start uniform in
 * [0, total_ms - segment_ms) (numpy's randint excludes the top), end =
 * start + segment_ms - 1.  Start 0 when segment_ms >= total_ms (where
 * numpy raises). */
mix_segment mix_random_segment(rng *r, int segment_ms, int total_ms);

/* The course's is_overlapping: 1 when seg shares a millisecond with any
 * of prev[n], else 0. */
int mix_overlaps(mix_segment seg, const mix_segment *prev, int n);

/* The course's insert_audio_clip: draw a place for clip (of clip_n
 * samples at rate, like the background of n) with mix_random_segment,
 * redraw up to MIX_REDRAWS times while it overlaps one of prev[*n_prev];
 * when free, overlay the clip there with gain, append the segment to prev
 * (room for max_prev) and return 1 with it in *placed.  When no free place
 * was drawn, leave everything as it was, set *placed to {total, total}
 * (the course's (10000, 10000), total being the background's length in
 * ms) and return 0.  -1 with a message when the clip is not shorter than
 * the background or prev is full. */
int mix_insert_clip(float *background, size_t n, int rate, const float *clip, size_t clip_n, float gain,
                    rng *r, mix_segment *prev, int *n_prev, int max_prev, mix_segment *placed, char *err);

/* The course's insert_ones: with end_y = (int)(end_ms * ty / total_ms)
 * computed in double as the course's int(end_ms * Ty / 10000.0), set
 * y[end_y + 1 .. end_y + MIX_ONES] to 1, those below ty; nothing when
 * end_y >= ty.  total_ms is 10000 for the course's clips. */
void mix_insert_ones(float *y, int ty, int end_ms, int total_ms);

#endif
