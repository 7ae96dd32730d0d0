/* listen — front end and model as one stream; see listen.h. */
#include "listen.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define COURSE_SCALE 1073741824.0f /* 2^30 */

int listen_rate(spec_kind front)
{
    return front == SPEC_COURSE ? 44100 : SPEC_LOGMEL_RATE;
}

static void scale_features(spec_kind front, float *v, size_t n)
{
    if (front == SPEC_COURSE)
        for (size_t i = 0; i < n; i++)
            v[i] *= COURSE_SCALE;
}

long listen_features(spec_kind front, const float *x, size_t n, float *out, char *err)
{
    long frames = front == SPEC_COURSE ? spec_course(x, n, out, err) : spec_logmel(x, n, out, err);
    if (frames > 0)
        scale_features(front, out, (size_t)frames * (size_t)spec_bins(front));
    return frames;
}

int listener_init(listener *l, const wakenet *w, int members, char *err)
{
    memset(l, 0, sizeof *l);
    if (members < 1 || members > WAKENET_MEMBERS_MAX)
        return err_set(err, "an ensemble of %d networks (1 to %d)", members, WAKENET_MEMBERS_MAX);
    l->w = w;
    l->rate = listen_rate(w->front);
    l->hop = w->front == SPEC_COURSE ? SPEC_COURSE_HOP : SPEC_LOGMEL_HOP;
    l->window = w->front == SPEC_COURSE ? SPEC_COURSE_WINDOW : SPEC_LOGMEL_WINDOW;
    if (!(l->spec = spec_stream_new(w->front, err)))
        return -1;
    size_t frames = (size_t)LISTEN_BLOCK / (size_t)l->hop + 1;
    l->feat = malloc(frames * (size_t)w->bins * sizeof *l->feat);
    l->logits = malloc(frames * sizeof *l->logits);
    l->scores = malloc(frames * sizeof *l->scores);
    int bad = !l->feat || !l->logits || !l->scores;
    for (; l->members < members && !bad; l->members++)
        bad = wakenet_stream_init(&l->net[l->members], &w[l->members]) < 0;
    if (bad) {
        listener_free(l);
        return err_set(err, "out of memory");
    }
    return 0;
}

void listener_reset(listener *l)
{
    spec_stream_reset(l->spec);
    for (int k = 0; k < l->members; k++)
        wakenet_stream_reset(&l->net[k]);
    l->frames = 0;
}

void listener_free(listener *l)
{
    spec_stream_free(l->spec);
    for (int k = 0; k < l->members; k++)
        if (l->net[k].w)
            wakenet_stream_free(&l->net[k]);
    free(l->feat);
    free(l->logits);
    free(l->scores);
    memset(l, 0, sizeof *l);
}

void listener_push(listener *l, const float *x, size_t n, void (*step)(void *ctx, double t, float score),
                   void *ctx)
{
    int bins = l->w->bins;
    while (n > 0) {
        size_t m = n < LISTEN_BLOCK ? n : LISTEN_BLOCK;
        size_t frames = spec_stream_push(l->spec, x, m, l->feat);
        scale_features(l->w->front, l->feat, frames * (size_t)bins);
        long first = l->net[0].steps;
        int steps = 0;
        /* every member has the same description: the same steps */
        for (int k = 0; k < l->members; k++) {
            steps = wakenet_stream_run(&l->net[k], l->feat, (int)frames, l->logits);
            for (int i = 0; i < steps; i++) {
                float p = 1.0f / (1.0f + expf(-l->logits[i]));
                l->scores[i] = k ? l->scores[i] + p : p;
            }
        }
        for (int i = 0; i < steps; i++) {
            /* the end of the last frame the step heard */
            long f = wakenet_last_frame(l->w, first + i);
            double t = ((double)f * l->hop + l->window) / l->rate;
            step(ctx, t, l->members > 1 ? l->scores[i] / (float)l->members : l->scores[i]);
        }
        l->frames += (long)frames;
        x += m;
        n -= m;
    }
}

float *listen_chime(int rate, size_t *n)
{
    *n = (size_t)(0.6 * rate);
    float *y = malloc(*n * sizeof *y);
    if (!y)
        return NULL;
    for (size_t i = 0; i < *n; i++) {
        double t = (double)i / rate;
        /* a 5 ms attack, then each partial dies away at its own pace */
        double attack = t < 0.005 ? t / 0.005 : 1.0;
        double v = 0.6 * sin(2 * M_PI * 1318.5 * t) * exp(-t / 0.18) +
                   0.4 * sin(2 * M_PI * 1975.5 * t) * exp(-t / 0.12);
        y[i] = (float)(0.5 * attack * v);
    }
    return y;
}
