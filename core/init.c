/* init — weight initialisers; see init.h. */
#include "init.h"

#include <math.h>
#include <stdlib.h>

void params_init_uniform(params *ps, int i, float a, rng *r)
{
    float *x = params_data(ps, i);
    for (size_t k = 0; k < ps->p[i].size; k++)
        x[k] = (2.0f * rng_uniform(r) - 1.0f) * a;
}

void params_init_normal(params *ps, int i, float s, rng *r)
{
    float *x = params_data(ps, i);
    for (size_t k = 0; k < ps->p[i].size; k++)
        x[k] = (float)(s * rng_normal(r));
}

void params_init_glorot(params *ps, int i, int fan_in, int fan_out, rng *r)
{
    params_init_uniform(ps, i, sqrtf(6.0f / (float)(fan_in + fan_out)), r);
}

int init_orthogonal(float *w, int rows, int cols, rng *r)
{
    double *q = malloc((size_t)rows * cols * sizeof *q);
    if (!q)
        return -1;
    for (size_t i = 0; i < (size_t)rows * cols; i++)
        q[i] = rng_normal(r);
    for (int j = 0; j < cols; j++) {
        for (int pass = 0; pass < 2; pass++) /* twice is enough for float */
            for (int k = 0; k < j; k++) {
                double d = 0;
                for (int i = 0; i < rows; i++)
                    d += q[(size_t)i * cols + j] * q[(size_t)i * cols + k];
                for (int i = 0; i < rows; i++)
                    q[(size_t)i * cols + j] -= d * q[(size_t)i * cols + k];
            }
        double n = 0;
        for (int i = 0; i < rows; i++)
            n += q[(size_t)i * cols + j] * q[(size_t)i * cols + j];
        n = sqrt(n);
        for (int i = 0; i < rows; i++) {
            q[(size_t)i * cols + j] /= n;
            w[(size_t)i * cols + j] = (float)q[(size_t)i * cols + j];
        }
    }
    free(q);
    return 0;
}
