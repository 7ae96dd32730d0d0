/* compose — backgrounds, words at a speed and a gain, the course's
 * placement and level; see compose.h. */
#include "compose.h"
#include "vocode.h"

#include <math.h>
#include <samplerate.h>
#include <stdlib.h>
#include <string.h>

void compose_defaults(compose_settings *s, int rate, double seconds)
{
    memset(s, 0, sizeof *s);
    s->rate = rate;
    s->n = (size_t)llround(seconds * rate);
    s->max_positives = 4;
    s->max_negatives = 2;
    s->bg_db_lo = -30;
    s->bg_db_hi = -8;
    s->gain_db_lo = -6;
    s->gain_db_hi = 0;
    s->speed_lo = 0.9f;
    s->speed_hi = 1.1f;
    s->vocode_lo = 0.75f;
    s->vocode_hi = 1.33f;
    s->target_dbfs = -20;
}

static float uniform(rng *r, float lo, float hi)
{
    return lo + (hi - lo) * rng_uniform(r);
}

static float db_gain(float db)
{
    return powf(10.0f, db / 20.0f);
}

/* A random stretch of b, repeated when shorter, times gain, into out[n]. */
static void background(const compose_sound *b, rng *r, float gain, float *out, size_t n)
{
    size_t start = b->n > n ? (size_t)rng_below(r, b->n - n + 1) : 0;
    for (size_t i = 0; i < n; i++)
        out[i] = b->n ? gain * b->x[(start + i) % b->n] : 0.0f;
}

/* w at speed factor speed (1.1: 10% faster, shorter and higher), into a
 * new buffer of *m samples. */
static float *at_speed(const compose_sound *w, float speed, size_t *m, char *err)
{
    size_t cap = (size_t)ceil(w->n / speed) + 16;
    float *y = malloc(cap * sizeof *y);
    if (!y) {
        err_set(err, "out of memory");
        return NULL;
    }
    SRC_DATA d = {.data_in = w->x, .data_out = y, .input_frames = (long)w->n, .output_frames = (long)cap,
                  .src_ratio = 1.0 / speed};
    int e = src_simple(&d, SRC_SINC_FASTEST, 1);
    if (e) {
        free(y);
        err_set(err, "resampling a word: %s", src_strerror(e));
        return NULL;
    }
    *m = (size_t)d.output_frames_gen;
    return y;
}

/* y[m] made again by the vocoder with the chance s->vocode_share (no draw
 * at all when it is 0, so that clips without it stay as they were). */
static int maybe_vocode(const compose_settings *s, rng *r, float *y, size_t m, char *err)
{
    if (s->vocode_share <= 0 || rng_uniform(r) >= s->vocode_share)
        return 0;
    float pitch = uniform(r, s->vocode_lo, s->vocode_hi), *v = malloc(m * sizeof *v + 1);
    if (!v || vocode(y, m, s->rate, pitch, r, v) < 0) {
        free(v);
        return err_set(err, "out of memory");
    }
    memcpy(y, v, m * sizeof *v);
    free(v);
    return 0;
}

/* Place up to count random words of words[nwords]; placed segments go to
 * placed[*nplaced] and to every[*nevery] (the overlap check). */
static int place_words(const compose_settings *s, const compose_sound *words, int nwords, int count,
                       rng *r, float *out, mix_segment *every, int *nevery, mix_segment *placed,
                       int *nplaced, int *skipped, char *err)
{
    int total_ms = mix_ms(s->n, s->rate);
    for (int i = 0; i < count && nwords > 0; i++) {
        const compose_sound *w = &words[rng_below(r, (uint64_t)nwords)];
        float speed = uniform(r, s->speed_lo, s->speed_hi), gain = db_gain(uniform(r, s->gain_db_lo, s->gain_db_hi));
        size_t m;
        float *y = at_speed(w, speed, &m, err);
        if (!y)
            return -1;
        if (maybe_vocode(s, r, y, m, err) < 0) {
            free(y);
            return -1;
        }
        mix_segment seg;
        if (mix_ms(m, s->rate) >= total_ms || *nevery >= 2 * COMPOSE_MAX_WORDS) {
            (*skipped)++;
        } else {
            int got = mix_insert_clip(out, s->n, s->rate, y, m, gain, r, every, nevery, 2 * COMPOSE_MAX_WORDS,
                                      &seg, err);
            if (got < 0) {
                free(y);
                return -1;
            }
            if (got)
                placed[(*nplaced)++] = seg;
        }
        free(y);
    }
    return 0;
}

static int by_start(const void *a, const void *b)
{
    const mix_segment *x = a, *y = b;
    return (x->start_ms > y->start_ms) - (x->start_ms < y->start_ms);
}

int compose_clip(const compose_settings *s, const compose_sound *bg, int nbg, const compose_sound *pos,
                 int npos, const compose_sound *neg, int nneg, rng *r, float *out, compose_labels *lab,
                 char *err)
{
    memset(lab, 0, sizeof *lab);
    const compose_sound *b = &bg[rng_below(r, (uint64_t)nbg)];
    background(b, r, db_gain(uniform(r, s->bg_db_lo, s->bg_db_hi)), out, s->n);
    mix_segment every[2 * COMPOSE_MAX_WORDS];
    int nevery = 0;
    int max_pos = s->max_positives < COMPOSE_MAX_WORDS ? s->max_positives : COMPOSE_MAX_WORDS;
    int max_neg = s->max_negatives < COMPOSE_MAX_WORDS ? s->max_negatives : COMPOSE_MAX_WORDS;
    int count = (int)rng_below(r, (uint64_t)max_pos + 1);
    if (place_words(s, pos, npos, count, r, out, every, &nevery, lab->pos, &lab->npos, &lab->skipped, err) < 0)
        return -1;
    count = (int)rng_below(r, (uint64_t)max_neg + 1);
    if (place_words(s, neg, nneg, count, r, out, every, &nevery, lab->neg, &lab->nneg, &lab->skipped, err) < 0)
        return -1;
    qsort(lab->pos, (size_t)lab->npos, sizeof *lab->pos, by_start);
    qsort(lab->neg, (size_t)lab->nneg, sizeof *lab->neg, by_start);
    double sum = 0;
    for (size_t i = 0; i < s->n; i++)
        sum += (double)out[i] * out[i];
    double rms = sqrt(sum / (double)(s->n ? s->n : 1));
    if (rms > 0) {
        float g = (float)(pow(10.0, s->target_dbfs / 20.0) / rms);
        for (size_t i = 0; i < s->n; i++) {
            float v = out[i] * g;
            out[i] = v > 1.0f ? 1.0f : v < -1.0f ? -1.0f : v;
        }
    }
    return 0;
}
