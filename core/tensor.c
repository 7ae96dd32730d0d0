/* tensor — small element-wise helpers; see tensor.h.  The products are
 * in gemm.c. */
#include "tensor.h"
#include "fastmath.h"

#include <stdlib.h>
#include <stdint.h>
#include <string.h>

/* ---- element-wise maths, in loops the compiler vectorizes ---- */

MULTIVERSION
void vec_exp(float *x, int n)
{
    for (int i = 0; i < n; i++)
        x[i] = exp_approx(x[i]);
}

MULTIVERSION
void vec_tanh(float *x, int n)
{
    for (int i = 0; i < n; i++)
        x[i] = tanh_approx(x[i]);
}

MULTIVERSION
void vec_sigmoid(float *x, int n)
{
    for (int i = 0; i < n; i++)
        x[i] = sigmoid_approx(x[i]);
}

MULTIVERSION
float vec_dot(const float *x, const float *y, int n)
{
    v8 s0 = {0}, s1 = {0};
    int k = 0;
    for (; k + 16 <= n; k += 16) {
        s0 += load8(x + k) * load8(y + k);
        s1 += load8(x + k + 8) * load8(y + k + 8);
    }
    for (; k + 8 <= n; k += 8)
        s0 += load8(x + k) * load8(y + k);
    float r = hsum(s0 + s1);
    for (; k < n; k++)
        r += x[k] * y[k];
    return r;
}

MULTIVERSION
void vec_axpy(float a, const float *x, float *y, int n)
{
    int k = 0;
    for (; k + 8 <= n; k += 8)
        store8(y + k, load8(y + k) + a * load8(x + k));
    for (; k < n; k++)
        y[k] += a * x[k];
}

void mat_add_row(float *X, const float *b, int M, int N)
{
    for (int i = 0; i < M; i++) {
        float *x = X + (size_t)i * N;
        for (int j = 0; j < N; j++)
            x[j] += b[j];
    }
}

void mat_sum_rows(float *db, const float *X, int M, int N)
{
    for (int i = 0; i < M; i++) {
        const float *x = X + (size_t)i * N;
        for (int j = 0; j < N; j++)
            db[j] += x[j];
    }
}

void vec_zero(float *x, size_t n)
{
    if (n)
        memset(x, 0, n * sizeof *x);
}

void vec_copy_or_zero(float *dst, const float *src, size_t n)
{
    if (src)
        memcpy(dst, src, n * sizeof *dst);
    else
        vec_zero(dst, n);
}

/* Large blocks come from calloc, which maps fresh zero pages and leaves
 * them untouched until used: a model reserves workspace for training and
 * inference alike, and a translation that never runs backward then never
 * pays the page faults of the gradient buffers.  Small blocks are aligned
 * to the cache line. */
#define LAZY_ZERO_BYTES (256 * 1024)

float *vec_alloc(size_t n)
{
    size_t bytes = (n * sizeof(float) + 63) / 64 * 64;
    if (bytes == 0)
        bytes = 64;
    if (bytes >= LAZY_ZERO_BYTES)
        return calloc(1, bytes);
    float *p = aligned_alloc(64, bytes);
    if (p)
        memset(p, 0, bytes);
    return p;
}
