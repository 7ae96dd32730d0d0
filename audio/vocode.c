/* vocode — linear prediction and pulse resynthesis; see vocode.h. */
#include "vocode.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ORDER_MAX 64
#define PREEMPH 0.97f
#define VOICED_CORR 0.45f
#define SILENT_DB 40.0f

typedef struct {
    float a[ORDER_MAX + 1]; /* a[0] = 1: x[t] + sum a[k] x[t - k] = e[t] */
    float gain;             /* the source's scale: RMS of e */
} lpc_frame;

static int hop_of(int rate)
{
    return rate / 200 > 1 ? rate / 200 : 1;
}

static int order_of(int rate)
{
    int p = rate / 1000 + 2;
    return p < ORDER_MAX ? p : ORDER_MAX;
}

/* Levinson-Durbin on r[0..p]: a[0..p] and the prediction error. */
static double levinson(const double *r, int p, float *a)
{
    double e = r[0], c[ORDER_MAX + 1] = {1}, t[ORDER_MAX + 1];
    for (int i = 1; i <= p && e > 0; i++) {
        double acc = r[i];
        for (int j = 1; j < i; j++)
            acc += c[j] * r[i - j];
        double k = -acc / e;
        memcpy(t, c, sizeof(double) * (size_t)i);
        for (int j = 1; j < i; j++)
            c[j] = t[j] + k * t[i - j];
        c[i] = k;
        e *= 1 - k * k;
    }
    double bw = 1;
    for (int j = 0; j <= p; j++, bw *= 0.994)
        a[j] = (float)(c[j] * bw);
    return e > 0 ? e : 0;
}

/* The envelope of the frame centred on c: Hann window of w samples over
 * the pre-emphasized signal. */
static void analyse(const float *x, size_t n, long c, int w, int p, lpc_frame *f)
{
    double r[ORDER_MAX + 1] = {0}, wsum = 0;
    float seg[4096];
    for (int i = 0; i < w; i++) {
        long t = c - w / 2 + i;
        float v = 0;
        if (t >= 0 && (size_t)t < n)
            v = x[t] - (t > 0 ? PREEMPH * x[t - 1] : 0);
        float h = 0.5f - 0.5f * cosf(6.2831853f * ((float)i + 0.5f) / (float)w);
        seg[i] = v * h;
        wsum += (double)h * h;
    }
    for (int k = 0; k <= p; k++)
        for (int i = k; i < w; i++)
            r[k] += (double)seg[i] * seg[i - k];
    r[0] = r[0] * (1 + 1e-4) + 1e-12;
    double e = levinson(r, p, f->a);
    f->gain = (float)sqrt(e / wsum);
}

/* Normalized autocorrelation of x around c at lag L over len samples. */
static float nac(const float *x, size_t n, long c, int len, int L)
{
    double xy = 0, xx = 0, yy = 0;
    for (long t = c - len / 2; t < c - len / 2 + len; t++) {
        if (t < 0 || (size_t)(t + L) >= n)
            continue;
        xy += (double)x[t] * x[t + L];
        xx += (double)x[t] * x[t];
        yy += (double)x[t + L] * x[t + L];
    }
    return xx > 0 && yy > 0 ? (float)(xy / sqrt(xx * yy)) : 0;
}

static float frame_rms(const float *x, size_t n, long c, int len)
{
    double s = 0;
    for (long t = c - len / 2; t < c - len / 2 + len; t++)
        if (t >= 0 && (size_t)t < n)
            s += (double)x[t] * x[t];
    return (float)sqrt(s / len);
}

static float median3(float a, float b, float c)
{
    return a > b ? (b > c ? b : a > c ? c : a) : (a > c ? a : b > c ? c : b);
}

long vocode_pitch(const float *x, size_t n, int rate, float *f0)
{
    int hop = hop_of(rate), lo = rate / VOCODE_F0_MAX, hi = rate / VOCODE_F0_MIN, len = 2 * hi;
    long frames = (long)(n / (size_t)hop) + 1;
    float *corr = malloc(sizeof(float) * (size_t)(hi + 1)), *rms = malloc(sizeof(float) * (size_t)frames);
    if (!corr || !rms) {
        free(corr);
        free(rms);
        return -1;
    }
    float loudest = 0;
    for (long i = 0; i < frames; i++) {
        rms[i] = frame_rms(x, n, i * hop, len);
        loudest = rms[i] > loudest ? rms[i] : loudest;
    }
    float floor_rms = loudest * powf(10.0f, -SILENT_DB / 20.0f);
    for (long i = 0; i < frames; i++) {
        f0[i] = 0;
        if (rms[i] <= floor_rms || rms[i] == 0)
            continue;
        float best = 0;
        for (int L = lo; L <= hi; L++) {
            corr[L] = nac(x, n, i * hop, len, L);
            best = corr[L] > best ? corr[L] : best;
        }
        if (best < VOICED_CORR)
            continue;
        /* the shortest period near the best: a peak at twice the period
         * is as high as the true one */
        for (int L = lo + 1; L < hi; L++)
            if (corr[L] >= 0.85f * best && corr[L] >= corr[L - 1] && corr[L] >= corr[L + 1]) {
                f0[i] = (float)rate / (float)L;
                break;
            }
    }
    float *smooth = rms; /* no longer needed as such */
    for (long i = 1; i + 1 < frames; i++)
        if (f0[i - 1] > 0 && f0[i] > 0 && f0[i + 1] > 0)
            smooth[i] = median3(f0[i - 1], f0[i], f0[i + 1]);
        else
            smooth[i] = f0[i];
    for (long i = 1; i + 1 < frames; i++)
        f0[i] = smooth[i];
    free(corr);
    free(rms);
    return frames;
}

/* The source and the filter, sample by sample, frame by frame. */
static void synthesize(const lpc_frame *fr, const float *f0, long frames, int hop, int p, int rate, float pitch,
                       rng *r, size_t n, float *out)
{
    double y[ORDER_MAX] = {0}, phase = rng_uniform(r), de = 0;
    for (size_t t = 0; t < n; t++) {
        long i = (long)((t + (size_t)hop / 2) / (size_t)hop);
        i = i < frames ? i : frames - 1;
        const lpc_frame *f = &fr[i];
        double e;
        if (f0[i] > 0) {
            double step = f0[i] * pitch / rate;
            phase += step;
            e = 0;
            if (phase >= 1) {
                phase -= 1;
                e = sqrt(1 / step); /* one pulse a period: unit power */
            }
        } else {
            e = (rng_uniform(r) - 0.5) * 3.4641016; /* unit variance */
        }
        double v = f->gain * e;
        for (int k = 1; k <= p; k++)
            v -= f->a[k] * y[k - 1];
        memmove(y + 1, y, sizeof(double) * (size_t)(p - 1));
        y[0] = v;
        de = v + PREEMPH * de;
        out[t] = (float)de;
    }
}

int vocode(const float *x, size_t n, int rate, float pitch, rng *r, float *out)
{
    int hop = hop_of(rate), p = order_of(rate), w = 6 * hop;
    w = w < 4096 ? w : 4096;
    long frames = (long)(n / (size_t)hop) + 1;
    float *f0 = malloc(sizeof(float) * (size_t)frames);
    lpc_frame *fr = malloc(sizeof(lpc_frame) * (size_t)frames);
    if (!f0 || !fr || vocode_pitch(x, n, rate, f0) < 0) {
        free(f0);
        free(fr);
        return -1;
    }
    for (long i = 0; i < frames; i++)
        analyse(x, n, i * hop, w, p, &fr[i]);
    synthesize(fr, f0, frames, hop, p, rate, pitch, r, n, out);
    float peak_in = 0, peak_out = 0;
    for (size_t t = 0; t < n; t++) {
        peak_in = fabsf(x[t]) > peak_in ? fabsf(x[t]) : peak_in;
        peak_out = fabsf(out[t]) > peak_out ? fabsf(out[t]) : peak_out;
    }
    if (!isfinite(peak_out)) /* a filter that did not settle: never seen, but not silence */
        memcpy(out, x, sizeof(float) * n);
    else
        for (size_t t = 0; t < n; t++)
            out[t] *= peak_out > 0 ? peak_in / peak_out : 0;
    free(f0);
    free(fr);
    return 0;
}
