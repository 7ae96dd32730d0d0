/* augment — masks, warps and tilts of training features; see augment.h. */
#include "augment.h"

#include <stdlib.h>
#include <string.h>

void augment_mask(float *x, int T, int n, int bins, rng *r)
{
    for (int b = 0; b < n; b++) {
        double sum = 0;
        for (int t = 0; t < T; t++)
            for (int f = 0; f < bins; f++)
                sum += x[((size_t)t * n + b) * bins + f];
        float mean = (float)(sum / ((double)T * bins));
        int width = (int)rng_below(r, (uint64_t)(bins / 5 + 1)), f0 = (int)rng_below(r, (uint64_t)(bins - width + 1));
        for (int t = 0; t < T; t++)
            for (int f = f0; f < f0 + width; f++)
                x[((size_t)t * n + b) * bins + f] = mean;
        for (int k = 0; k < 2; k++) {
            int len = (int)rng_below(r, AUGMENT_MASK_FRAMES + 1);
            int t0 = T > len ? (int)rng_below(r, (uint64_t)(T - len + 1)) : 0;
            for (int t = t0; t < t0 + len && t < T; t++)
                for (int f = 0; f < bins; f++)
                    x[((size_t)t * n + b) * bins + f] = mean;
        }
    }
}

/* One frame v[bins] warped by a and tilted by s, through row[bins]. */
static void warp_frame(float *v, float *row, int bins, float a, float s)
{
    memcpy(row, v, (size_t)bins * sizeof *row);
    for (int f = 0; f < bins; f++) {
        float p = f * a;
        int i = (int)p;
        float w = p - (float)i, y = i + 1 < bins ? row[i] * (1 - w) + row[i + 1] * w : row[bins - 1];
        v[f] = y + (bins > 1 ? s * ((float)f / (float)(bins - 1) - 0.5f) : 0.0f);
    }
}

int augment_warp(float *x, int T, int n, int bins, int log, rng *r)
{
    float *row = malloc((size_t)bins * sizeof *row);
    if (!row)
        return -1;
    for (int b = 0; b < n; b++) {
        float a = 1 + AUGMENT_WARP * (2 * rng_uniform(r) - 1);
        float s = log ? AUGMENT_TILT * (2 * rng_uniform(r) - 1) : 0.0f;
        for (int t = 0; t < T; t++)
            warp_frame(x + ((size_t)t * n + b) * bins, row, bins, a, s);
    }
    free(row);
    return 0;
}
