/* cutter — the audio around detections, cut from a stream: what
 * `trigger detect --clips` saves of each false alarm on long non-wake
 * audio, for `trigger train --negatives` to learn from (as Mycroft
 * Precise's incremental training keeps the chunks that fooled it).
 *
 * The stream's last samples stay in a ring; a detection at t seconds
 * asks for the samples from t - before to t + after, and that cut is
 * handed over as soon as its last sample has come (or, when the stream
 * ends first, with what there is).  Memory does not grow with the
 * stream, only with the cuts still waiting for their tail.  Nothing here
 * prints. */
#ifndef SEQTOOL_CUTTER_H
#define SEQTOOL_CUTTER_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

typedef struct {
    int rate;
    size_t before, after;       /* samples */
    float *ring, *cut;          /* ring[cap]; one cut's samples */
    size_t cap;
    uint64_t total;             /* samples pushed since the start */
    double *pending;            /* detection times waiting for their tail, in order */
    int npending, cappending;
} cutter;

/* A cutter for a stream at rate keeping before and after seconds around
 * each detection.  0, or -1 with a message (out of memory). */
int cutter_init(cutter *c, int rate, double before, double after, char *err);
/* Back to the start of a new stream (waiting cuts are dropped: flush first). */
void cutter_reset(cutter *c);
void cutter_free(cutter *c);

/* A detection at t seconds from the start.  0, or -1 (out of memory). */
int cutter_mark(cutter *c, double t, char *err);

/* Called with each cut: its detection time and its samples x[n] (valid
 * during the call); returns 0, or -1 with a message, which stops the
 * cutter's work and is passed on. */
typedef int (*cutter_fn)(void *ctx, double t, const float *x, size_t n, char *err);

/* Push the stream's next samples x[n], handing over each cut whose tail
 * has come.  Mark a block's detections before pushing it.  0, or the
 * callback's -1. */
int cutter_push(cutter *c, const float *x, size_t n, cutter_fn fn, void *ctx, char *err);

/* The stream has ended: hand over the waiting cuts, their tails cut
 * short.  0, or the callback's -1. */
int cutter_flush(cutter *c, cutter_fn fn, void *ctx, char *err);

#endif
