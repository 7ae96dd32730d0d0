/* rng — the one seeded pseudo-random generator of seqtool.
 *
 * Algorithm: xoshiro256** (Blackman & Vigna, 2018), 256 bits of state,
 * seeded by running SplitMix64 over the 64-bit seed.  Every random choice
 * in seqtool (weight init, data shuffling, sampling) draws from an rng
 * passed in explicitly, so a run is reproducible from its --seed alone.
 */
#ifndef SEQTOOL_RNG_H
#define SEQTOOL_RNG_H

#include <stdint.h>
#include <stddef.h>

/* The default seed used by every command when --seed is not given. */
#define RNG_DEFAULT_SEED 1

typedef struct {
    uint64_t s[4];
} rng;

/* Seed the generator; any 64-bit value is a valid seed. */
void rng_seed(rng *r, uint64_t seed);

/* Next raw 64-bit output. */
uint64_t rng_next(rng *r);

/* Uniform float in [0, 1) with 24 random bits. */
float rng_uniform(rng *r);

/* Uniform integer in [0, n) without modulo bias; n > 0. */
uint64_t rng_below(rng *r, uint64_t n);

/* Standard normal deviate (Box-Muller in double precision). */
double rng_normal(rng *r);

/* Fisher-Yates shuffle of n ints. */
void rng_shuffle_int(rng *r, int *a, size_t n);

/* Draw an index from the n probabilities p (which sum to about 1). */
int rng_categorical(rng *r, const float *p, int n);

/* The state as 64 lower-case hex digits plus NUL (for resumable files),
 * and back; rng_set_state returns 0, or -1 for a malformed string. */
void rng_get_state(const rng *r, char out[65]);
int rng_set_state(rng *r, const char *hex);

#endif
