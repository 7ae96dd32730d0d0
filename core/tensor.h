/* tensor — float32 row-major matrices: the element-wise helpers here,
 * the products (BLAS wrappers and our own kernels) in gemm.h.
 *
 * Sequences are laid out [T][B][H]: time outermost, then the batch row,
 * then the feature, so one time step is a contiguous B x H matrix and a
 * whole sequence is a (T*B) x H matrix for the GEMMs that need no time
 * order (input projections, weight gradients).
 */
#ifndef SEQTOOL_TENSOR_H
#define SEQTOOL_TENSOR_H

#include <stddef.h>

#include "gemm.h"

/* In place, element-wise, vectorized: e^x, tanh x, 1 / (1 + e^-x).
 * Relative error below 1e-6 (a few float ulps). */
void vec_exp(float *x, int n);
void vec_tanh(float *x, int n);
void vec_sigmoid(float *x, int n);

/* Add the row vector b[N] to each of the M rows of X[M x N]. */
void mat_add_row(float *X, const float *b, int M, int N);

/* db[N] += column sums of X[M x N]. */
void mat_sum_rows(float *db, const float *X, int M, int N);

/* x . y over n floats (8 partial sums, vectorized). */
float vec_dot(const float *x, const float *y, int n);

/* y += a * x over n floats. */
void vec_axpy(float a, const float *x, float *y, int n);

/* Zero n floats. */
void vec_zero(float *x, size_t n);

/* dst = src (n floats), or zeros when src is NULL. */
void vec_copy_or_zero(float *dst, const float *src, size_t n);

/* Allocate n zeroed floats (64-byte aligned below 256 KiB, 16-byte above,
 * where the pages are zeroed lazily); NULL when out of memory. */
float *vec_alloc(size_t n);

#endif
