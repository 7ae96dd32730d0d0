/* gemm — matrix products on float32 row-major matrices.  Shapes below a
 * few thousand flops run in loops the compiler vectorizes; middle sizes
 * in packed, register-tiled kernels chosen at run time (AVX2, or AVX-512
 * where the CPU has it, with the same bits); large ones in the CBLAS when
 * it is a tuned one (OpenBLAS and the like), else in those kernels too.
 */
#ifndef SEQTOOL_GEMM_H
#define SEQTOOL_GEMM_H

#include <stddef.h>

/* C[M x N] = beta * C + op(A) . op(B), where op(A) is M x K and op(B) is
 * K x N.  With ta set, A is stored K x M (row-major) and used transposed;
 * likewise tb for B (stored N x K).  All leading dimensions are dense. */
void mat_gemm(int ta, int tb, int M, int N, int K, const float *A,
              const float *B, float beta, float *C);

/* mat_gemm on the packed, register-tiled kernels at every size: no small
 * loops, no BLAS.  Each element of C is then the same sum in the same
 * order whatever M is and wherever its row stands in A (its products over
 * k in blocks, one multiply-add at a time), so a layer run over a whole
 * sequence at once and again one frame at a time gives the same bits
 * (conv1d_forward and conv1d_step).  Also what a large product wants
 * when the installed BLAS is the reference one. */
void mat_gemm_tiled(int ta, int tb, int M, int N, int K, const float *A,
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
/* mat_gemm_tiled(0, p->tb, M, p->N, p->K, A, p->B, beta, C) with the
 * same bits, B's packing skipped. */
void mat_gemm_packed_tiled(int M, const float *A, const mat_packed *p, float beta, float *C);

/* Whether the packed products may use their AVX-512 tile (on: 1) when
 * this CPU has it; returns whether it has.  The tiles give the same bits,
 * so this is for tests and benchmarks only. */
int mat_wide_kernel(int on);

/* C[M x N] = A . B^T for A (M x K) and B (N x K): many short dot
 * products (scoring every word against a batch of queries) in our own
 * register-tiled loops, whatever BLAS is installed.  scratch has room for
 * N x K floats. */
void mat_dots(int M, int N, int K, const float *A, const float *B, float *C, float *scratch);

/* A is stored rows x cols.  ta = 0: y[rows] = beta * y + A . x[cols];
 * ta = 1: y[cols] = beta * y + A^T . x[rows]. */
void mat_gemv(int ta, int rows, int cols, const float *A, const float *x,
              float beta, float *y);

#endif
