/* fastmath — the element-wise functions every activation uses, inline so
 * a fused loop (an LSTM row, a softmax) vectorizes them in place, and the
 * attribute that builds a hot loop for several instruction sets.
 *
 * The same inputs give the same bits wherever these are inlined into a
 * function built for the same instruction set.
 */
#ifndef SEQTOOL_FASTMATH_H
#define SEQTOOL_FASTMATH_H

#include <stdint.h>
#include <string.h>

/* Built for plain x86-64 and again for AVX2+FMA and AVX-512 CPUs; the
 * loader picks the best one this machine runs (GCC function
 * multiversioning), so the binary stays portable. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define MULTIVERSION __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define MULTIVERSION
#endif

/* Eight floats in one vector register (AVX), with unaligned loads and
 * stores and a fixed-order horizontal sum. */
typedef float v8 __attribute__((vector_size(32)));

static inline v8 load8(const float *p)
{
    v8 v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline void store8(float *p, v8 v) { memcpy(p, &v, sizeof v); }

static inline float hsum(v8 v)
{
    return ((v[0] + v[4]) + (v[1] + v[5])) + ((v[2] + v[6]) + (v[3] + v[7]));
}

/* e^x for one float: x = n ln2 + r with |r| <= ln2/2, a degree-6 Taylor
 * polynomial for e^r (error below 1.3e-7 relative) and 2^n put straight
 * into the exponent bits.  Inputs are clamped to [-87, 88].  NaN, which
 * the clamp lets through, would reach the integer conversion (undefined
 * behaviour): it is set aside as 0 there and given back as it came. */
static inline float exp_approx(float x)
{
    const float in = x;
    x = x < -87.0f ? -87.0f : x;
    x = x > 88.0f ? 88.0f : x;
    x = x == x ? x : 0.0f;
    /* Adding and taking away 1.5 * 2^23 rounds to the nearest integer. */
    float n = (x * 1.44269504f + 12582912.0f) - 12582912.0f;
    float r = x - n * 0.693145752f - n * 1.42860677e-06f;
    float p = 1.0f + r * (1.0f + r * (0.5f + r * (1.66666667e-1f + r * (4.16666667e-2f +
                    r * (8.33333333e-3f + r * 1.38888889e-3f)))));
    int32_t bits = ((int32_t)n + 127) << 23;
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return in == in ? p * scale : in;
}

/* tanh: its odd Taylor polynomial to x^9 below |x| = 1/8 (where
 * 1 - 2/(e^2x+1) would lose relative precision), the identity above. */
static inline float tanh_approx(float x)
{
    float a = x < 0 ? -x : x, a2 = a * a;
    float small = a * (1.0f - a2 * (0.333333333f - a2 * (0.133333333f -
                  a2 * (0.0539682540f - a2 * 0.0218694885f))));
    float big = 1.0f - 2.0f / (exp_approx(2.0f * a) + 1.0f);
    float t = a < 0.125f ? small : big;
    return x < 0 ? -t : t;
}

static inline float sigmoid_approx(float x) { return 1.0f / (1.0f + exp_approx(-x)); }

#endif
