/* tensor — float32 row-major matrices and the BLAS wrappers.
 *
 * Sequences are laid out [T][B][H]: time outermost, then the batch row,
 * then the feature, so one time step is a contiguous B x H matrix and a
 * whole sequence is a (T*B) x H matrix for the GEMMs that need no time
 * order (input projections, weight gradients).
 */
#ifndef SEQTOOL_TENSOR_H
#define SEQTOOL_TENSOR_H

#include <stddef.h>

/* C[M x N] = beta * C + op(A) . op(B), where op(A) is M x K and op(B) is
 * K x N.  With ta set, A is stored K x M (row-major) and used transposed;
 * likewise tb for B (stored N x K).  All leading dimensions are dense. */
void mat_gemm(int ta, int tb, int M, int N, int K, const float *A,
              const float *B, float beta, float *C);

/* op(B) (K x N, stored as for mat_gemm) packed once for many products
 * with it, as the steps of a recurrent layer at inference make: the
 * panels copy B, so B must not change while they are used. */
typedef struct {
    int tb, N, K;
    const float *B;
    float *panels;
} mat_packed;

/* 0, or -1 when out of memory. */
int mat_pack(mat_packed *p, int tb, int N, int K, const float *B);
void mat_packed_free(mat_packed *p);
/* mat_gemm(0, p->tb, M, p->N, p->K, A, p->B, beta, C) with the same
 * numbers, B's packing skipped. */
void mat_gemm_packed(int M, const float *A, const mat_packed *p, float beta, float *C);

/* Whether the packed products may use their AVX-512 tile (on: 1) when
 * this CPU has it; returns whether it has.  The tiles give the same bits,
 * so this is for tests and benchmarks only. */
int mat_wide_kernel(int on);

/* C[M x N] = A . B^T for A (M x K) and B (N x K): many short dot
 * products (scoring every word against a batch of queries) in our own
 * register-tiled loops, whatever BLAS is installed.  scratch has room for
 * N x K floats (NULL: allocated here). */
void mat_dots(int M, int N, int K, const float *A, const float *B, float *C, float *scratch);

/* A is stored rows x cols.  ta = 0: y[rows] = beta * y + A . x[cols];
 * ta = 1: y[cols] = beta * y + A^T . x[rows]. */
void mat_gemv(int ta, int rows, int cols, const float *A, const float *x,
              float beta, float *y);

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
