/* test_vocode — audio/vocode: the pitch of vowels made of pulses through
 * two resonances (men's, women's and children's pitches), noise heard as
 * unvoiced, and the resynthesis: its pitch is the vowel's times the
 * factor, its formants stay where they were, its peak is the input's,
 * silence stays silent, and a seed gives the same samples again. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "rng.h"
#include "vocode.h"

#define RATE 16000
#define N (RATE / 2)

/* A second-order resonance at f Hz of bandwidth bw Hz over x in place. */
static void resonate(float *x, size_t n, float f, float bw)
{
    double r = exp(-M_PI * bw / RATE), c = 2 * r * cos(2 * M_PI * f / RATE), y1 = 0, y2 = 0;
    for (size_t t = 0; t < n; t++) {
        double y = x[t] + c * y1 - r * r * y2;
        y2 = y1;
        y1 = y;
        x[t] = (float)y;
    }
}

/* A vowel at f0 with formants at 700 and 1800 Hz (an "a"), peak 0.5. */
static void vowel(float *x, float f0)
{
    memset(x, 0, sizeof(float) * N);
    for (double t = 0; t < N; t += RATE / f0)
        x[(size_t)t] = 1;
    resonate(x, N, 700, 90);
    resonate(x, N, 1800, 120);
    float peak = 0;
    for (size_t t = 0; t < N; t++)
        peak = fabsf(x[t]) > peak ? fabsf(x[t]) : peak;
    for (size_t t = 0; t < N; t++)
        x[t] *= 0.5f / peak;
}

/* The median pitch of the voiced frames of x, and their share. */
static float median_pitch(const float *x, float *voiced)
{
    float f0[N / (RATE / 200) + 1];
    long m = vocode_pitch(x, N, RATE, f0), k = 0;
    float v[N / (RATE / 200) + 1];
    for (long i = 0; i < m; i++)
        if (f0[i] > 0)
            v[k++] = f0[i];
    *voiced = m > 0 ? (float)k / (float)m : 0;
    for (long i = 1; i < k; i++) /* insertion sort: a few hundred values */
        for (long j = i; j > 0 && v[j - 1] > v[j]; j--) {
            float s = v[j];
            v[j] = v[j - 1];
            v[j - 1] = s;
        }
    return k ? v[k / 2] : 0;
}

/* Energy of x[N/4 .. 3N/4) between lo and hi Hz (a plain DFT, 10 Hz apart). */
static double band(const float *x, float lo, float hi)
{
    double e = 0;
    for (float f = lo; f < hi; f += 10) {
        double re = 0, im = 0, w = 2 * M_PI * f / RATE;
        for (size_t t = N / 4; t < 3 * N / 4; t++) {
            re += x[t] * cos(w * (double)t);
            im += x[t] * sin(w * (double)t);
        }
        e += re * re + im * im;
    }
    return e;
}

static void test_pitch(void)
{
    static const float f0s[] = {95, 130, 220, 310};
    float x[N], voiced;
    for (int i = 0; i < 4; i++) {
        vowel(x, f0s[i]);
        float f = median_pitch(x, &voiced);
        check(fabsf(f - f0s[i]) < 0.02f * f0s[i] && voiced > 0.9f, "vocode_pitch: a vowel at %.0f Hz: %.1f Hz, %.0f%% voiced",
              f0s[i], f, 100 * voiced);
    }
    rng r;
    rng_seed(&r, 3);
    for (size_t t = 0; t < N; t++)
        x[t] = 0.3f * (rng_uniform(&r) - 0.5f);
    median_pitch(x, &voiced);
    check(voiced < 0.1f, "vocode_pitch: white noise is unvoiced (%.0f%% voiced)", 100 * voiced);
}

static void test_resynthesis(void)
{
    float x[N], y[N], z[N], voiced;
    vowel(x, 130);
    static const float factors[] = {1.0f, 1.5f, 0.8f};
    for (int i = 0; i < 3; i++) {
        rng r;
        rng_seed(&r, 7);
        check(vocode(x, N, RATE, factors[i], &r, y) == 0, "vocode x%.1f runs", factors[i]);
        float f = median_pitch(y, &voiced), want = 130 * factors[i], peak = 0;
        for (size_t t = 0; t < N; t++)
            peak = fabsf(y[t]) > peak ? fabsf(y[t]) : peak;
        check(fabsf(f - want) < 0.03f * want && voiced > 0.85f, "vocode x%.1f: pitch %.1f Hz (want %.0f), %.0f%% voiced",
              factors[i], f, want, 100 * voiced);
        /* the formants stay: the band of the first one stays louder
         * than the valley between them by about as much */
        double kx = 10 * log10(band(x, 600, 800) / band(x, 1100, 1400));
        double ky = 10 * log10(band(y, 600, 800) / band(y, 1100, 1400));
        check(ky > 6 && fabs(kx - ky) < 6, "vocode x%.1f: first formant over the valley %.1f dB (input %.1f dB)",
              factors[i], ky, kx);
        check(fabsf(peak - 0.5f) < 1e-5f, "vocode x%.1f: the input's peak (%.6f)", factors[i], peak);
    }
    rng r;
    rng_seed(&r, 7);
    vocode(x, N, RATE, 1.5f, &r, z);
    rng_seed(&r, 7);
    vocode(x, N, RATE, 1.5f, &r, y);
    check(memcmp(y, z, sizeof y) == 0, "vocode: the same seed, the same samples");
    memset(x, 0, sizeof x);
    rng_seed(&r, 7);
    int rc = vocode(x, N, RATE, 1.0f, &r, y), silent = 1;
    for (size_t t = 0; t < N; t++)
        silent &= y[t] == 0;
    check(rc == 0 && silent, "vocode: silence stays silent");
}

int main(void)
{
    test_pitch();
    test_resynthesis();
    return check_exit();
}
