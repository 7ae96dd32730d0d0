/* draw — how the jazz model picks a class from a head's logits when it
 * improvises. */
#ifndef SEQTOOL_JAZZ_DRAW_H
#define SEQTOOL_JAZZ_DRAW_H

#include "melody.h"
#include "rng.h"

/* A class drawn from logits[n] (overwritten; n <= JAZZ_PITCHES): the
 * argmax (lowest index on ties) when o->temperature <= 0, else from the
 * softmax at that temperature, kept to the nucleus of o->top_p. */
int jazz_draw(float *logits, int n, const jazz_sample_opts *o, rng *r);

#endif
