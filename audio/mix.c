/* mix — overlays, random placement and labels of the course; see mix.h. */
#include "mix.h"

#include <math.h>

int mix_ms(size_t n, int rate)
{
    /* rint rounds half to even in the default mode, as Python's round. */
    return (int)rint(1000.0 * (double)n / rate);
}

void mix_overlay(float *background, size_t n, const float *clip, size_t clip_n, size_t pos, float gain)
{
    if (pos >= n)
        return;
    size_t m = clip_n < n - pos ? clip_n : n - pos;
    float *b = background + pos;
    for (size_t i = 0; i < m; i++) {
        float v = b[i] + gain * clip[i];
        b[i] = v > 1.0f ? 1.0f : v < -1.0f ? -1.0f : v;
    }
}

mix_segment mix_random_segment(rng *r, int segment_ms, int total_ms)
{
    mix_segment s;
    s.start_ms = total_ms > segment_ms ? (int)rng_below(r, (uint64_t)(total_ms - segment_ms)) : 0;
    s.end_ms = s.start_ms + segment_ms - 1;
    return s;
}

int mix_overlaps(mix_segment seg, const mix_segment *prev, int n)
{
    for (int i = 0; i < n; i++)
        if (seg.start_ms <= prev[i].end_ms && seg.end_ms >= prev[i].start_ms)
            return 1;
    return 0;
}

int mix_insert_clip(float *background, size_t n, int rate, const float *clip, size_t clip_n, float gain,
                    rng *r, mix_segment *prev, int *n_prev, int max_prev, mix_segment *placed, char *err)
{
    int total_ms = mix_ms(n, rate), segment_ms = mix_ms(clip_n, rate);
    if (segment_ms >= total_ms)
        return err_set(err, "a clip of %d ms does not fit in a background of %d ms", segment_ms, total_ms);
    if (*n_prev >= max_prev)
        return err_set(err, "no room for more than %d segments", max_prev);
    mix_segment seg = mix_random_segment(r, segment_ms, total_ms);
    for (int redraw = 0; redraw < MIX_REDRAWS && mix_overlaps(seg, prev, *n_prev); redraw++)
        seg = mix_random_segment(r, segment_ms, total_ms);
    if (mix_overlaps(seg, prev, *n_prev)) {
        placed->start_ms = placed->end_ms = total_ms;
        return 0;
    }
    prev[(*n_prev)++] = seg;
    mix_overlay(background, n, clip, clip_n, (size_t)seg.start_ms * (size_t)rate / 1000, gain);
    *placed = seg;
    return 1;
}

void mix_insert_ones(float *y, int ty, int end_ms, int total_ms)
{
    long end_y = (long)((double)((long)end_ms * ty) / total_ms);
    if (end_y >= ty)
        return;
    for (long i = end_y + 1 > 0 ? end_y + 1 : 0; i <= end_y + MIX_ONES && i < ty; i++)
        y[i] = 1.0f;
}
