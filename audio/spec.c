/* spec — framing, windows, kissfft, PSD scaling and mel bands; see spec.h. */
#include "spec.h"

#include <kiss_fftr.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    int first, len, off; /* bins first .. first + len - 1, weights from band_w[off] */
} mel_band;

struct spec_stream {
    spec_kind kind;
    int window, hop, nfft, bins;
    /* the float buffers, in one allocation that w owns: */
    float *w;            /* the window [window] */
    float *pending;      /* samples not yet in a complete frame [window] */
    float *frame;        /* windowed frame, zero-padded [nfft] */
    size_t have;         /* how many pending */
    kiss_fft_cpx *freq;  /* the frame's spectrum [nfft / 2 + 1] */
    kiss_fftr_cfg fft;
    /* the double tables, in one allocation that table owns: */
    double *table;
    double *scale;       /* SPEC_COURSE: PSD factor per bin [bins] */
    double *power;       /* SPEC_LOGMEL: |X_k|^2 [nfft / 2 + 1] */
    double *band_w;      /* SPEC_LOGMEL: filter weights, band by band */
    mel_band *band;      /* SPEC_LOGMEL: [bins] */
};

int spec_bins(spec_kind kind)
{
    return kind == SPEC_COURSE ? SPEC_COURSE_BINS : SPEC_LOGMEL_BANDS;
}

static void kind_geometry(spec_kind kind, int *window, int *hop)
{
    *window = kind == SPEC_COURSE ? SPEC_COURSE_WINDOW : SPEC_LOGMEL_WINDOW;
    *hop = kind == SPEC_COURSE ? SPEC_COURSE_HOP : SPEC_LOGMEL_HOP;
}

size_t spec_frames(spec_kind kind, size_t n)
{
    int window, hop;
    kind_geometry(kind, &window, &hop);
    return n < (size_t)window ? 0 : 1 + (n - (size_t)window) / (size_t)hop;
}

static double hz_to_mel(double f)
{
    return 2595.0 * log10(1.0 + f / 700.0);
}

static double mel_to_hz(double m)
{
    return 700.0 * (pow(10.0, m / 2595.0) - 1.0);
}

/* The 40 triangles over the 257 bins, stored as runs of nonzero weights
 * (s->band_w has room for every band over every bin). */
static int make_mel_filters(spec_stream *s)
{
    int bands = SPEC_LOGMEL_BANDS, nbins = s->nfft / 2 + 1;
    double corner[SPEC_LOGMEL_BANDS + 2];
    double lo = hz_to_mel(SPEC_LOGMEL_FMIN), hi = hz_to_mel(SPEC_LOGMEL_FMAX);
    for (int j = 0; j < bands + 2; j++)
        corner[j] = mel_to_hz(lo + (hi - lo) * j / (bands + 1));
    if (!(s->band = calloc((size_t)bands, sizeof *s->band)))
        return -1;
    int off = 0;
    for (int m = 0; m < bands; m++) {
        mel_band *b = &s->band[m];
        b->off = off;
        for (int k = 0; k < nbins; k++) {
            double f = (double)k * SPEC_LOGMEL_RATE / s->nfft;
            double up = (f - corner[m]) / (corner[m + 1] - corner[m]);
            double down = (corner[m + 2] - f) / (corner[m + 2] - corner[m + 1]);
            double w = up < down ? up : down;
            if (w <= 0)
                continue;
            /* a triangle's bins are contiguous: from the first, every one */
            if (off == b->off)
                b->first = k;
            s->band_w[off++] = w;
        }
        b->len = off - b->off;
    }
    return 0;
}

spec_stream *spec_stream_new(spec_kind kind, char *err)
{
    spec_stream *s = calloc(1, sizeof *s);
    if (!s) {
        err_set(err, "spectrogram: out of memory");
        return NULL;
    }
    s->kind = kind;
    kind_geometry(kind, &s->window, &s->hop);
    s->nfft = kind == SPEC_COURSE ? SPEC_COURSE_WINDOW : SPEC_LOGMEL_NFFT;
    s->bins = spec_bins(kind);
    int nbins = s->nfft / 2 + 1;
    if ((s->w = malloc(sizeof(float) * (size_t)(2 * s->window + s->nfft)))) {
        s->pending = s->w + s->window;
        s->frame = s->pending + s->window;
        memset(s->frame, 0, sizeof(float) * (size_t)s->nfft);
    }
    s->freq = malloc(sizeof(kiss_fft_cpx) * (size_t)nbins);
    s->fft = kiss_fftr_alloc(s->nfft, 0, NULL, NULL);
    size_t doubles = kind == SPEC_COURSE ? (size_t)s->bins : (size_t)nbins * (1 + SPEC_LOGMEL_BANDS);
    s->table = malloc(sizeof(double) * doubles);
    if (!s->w || !s->freq || !s->fft || !s->table)
        goto oom;
    double sum_w2 = 0;
    for (int i = 0; i < s->window; i++) {
        /* np.hanning is symmetric (N - 1 in the denominator); the log-mel
         * window is periodic (N). */
        double den = kind == SPEC_COURSE ? s->window - 1 : s->window;
        double w = 0.5 - 0.5 * cos(2.0 * M_PI * i / den);
        s->w[i] = (float)w;
        sum_w2 += w * w;
    }
    if (kind == SPEC_COURSE) {
        s->scale = s->table;
        for (int k = 0; k < s->bins; k++)
            s->scale[k] = (k == 0 || k == s->bins - 1 ? 1.0 : 2.0) / (SPEC_COURSE_FS * sum_w2);
    } else {
        s->power = s->table;
        s->band_w = s->table + nbins;
        if (make_mel_filters(s) < 0)
            goto oom;
    }
    return s;
oom:
    spec_stream_free(s);
    err_set(err, "spectrogram: out of memory");
    return NULL;
}

void spec_stream_free(spec_stream *s)
{
    if (!s)
        return;
    kiss_fftr_free(s->fft); /* free(), so NULL is fine */
    free(s->freq);
    free(s->band);
    free(s->table);
    free(s->w);
    free(s);
}

void spec_stream_reset(spec_stream *s)
{
    s->have = 0;
}

/* One frame: x[window] -> out[bins]. */
static void frame_features(spec_stream *s, const float *x, float *out)
{
    for (int i = 0; i < s->window; i++)
        s->frame[i] = x[i] * s->w[i];
    kiss_fftr(s->fft, s->frame, s->freq);
    if (s->kind == SPEC_COURSE) {
        for (int k = 0; k < s->bins; k++) {
            double re = s->freq[k].r, im = s->freq[k].i;
            out[k] = (float)((re * re + im * im) * s->scale[k]);
        }
        return;
    }
    int nbins = s->nfft / 2 + 1;
    for (int k = 0; k < nbins; k++) {
        double re = s->freq[k].r, im = s->freq[k].i;
        s->power[k] = re * re + im * im;
    }
    for (int m = 0; m < s->bins; m++) {
        const mel_band *b = &s->band[m];
        const double *w = s->band_w + b->off, *p = s->power + b->first;
        double e = 0;
        for (int j = 0; j < b->len; j++)
            e += w[j] * p[j];
        out[m] = (float)log(e + SPEC_LOGMEL_FLOOR);
    }
}

size_t spec_stream_frames(const spec_stream *s, size_t n)
{
    size_t total = s->have + n, window = (size_t)s->window;
    return total < window ? 0 : 1 + (total - window) / (size_t)s->hop;
}

size_t spec_stream_push(spec_stream *s, const float *x, size_t n, float *out)
{
    size_t frames = 0, window = (size_t)s->window, hop = (size_t)s->hop;
    while (n > 0) {
        size_t take = window - s->have < n ? window - s->have : n;
        memcpy(s->pending + s->have, x, sizeof(float) * take);
        s->have += take;
        x += take;
        n -= take;
        if (s->have == window) {
            frame_features(s, s->pending, out + frames * (size_t)s->bins);
            frames++;
            memmove(s->pending, s->pending + hop, sizeof(float) * (window - hop));
            s->have = window - hop;
        }
    }
    return frames;
}

static long whole_signal(spec_kind kind, const float *x, size_t n, float *out, char *err)
{
    spec_stream *s = spec_stream_new(kind, err);
    if (!s)
        return -1;
    size_t frames = spec_stream_push(s, x, n, out);
    spec_stream_free(s);
    return (long)frames;
}

long spec_course(const float *x, size_t n, float *out, char *err)
{
    return whole_signal(SPEC_COURSE, x, n, out, err);
}

long spec_logmel(const float *x, size_t n, float *out, char *err)
{
    return whole_signal(SPEC_LOGMEL, x, n, out, err);
}
