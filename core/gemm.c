/* gemm — matrix products: our own vectorized loops for small shapes,
 * register-tiled packed kernels (AVX2, and AVX-512 where the CPU has it)
 * for the middle sizes, the BLAS for large ones when it is a tuned one;
 * see gemm.h. */
#define _GNU_SOURCE /* dladdr */
#include "gemm.h"
#include "fastmath.h"
#include "tensor.h"

#include <cblas.h>
#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

/* Small products.  For the shapes of a character model at batch 1
 * (hidden 50, vocabulary 27) a BLAS call costs more in dispatch and in
 * unvectorized reference loops than the arithmetic itself, so products
 * below SMALL_GEMM flops run in these loops, written so the compiler
 * vectorizes them (contiguous inner loops; dot products with 8 partial
 * sums).  Their results do not depend on the BLAS library. */
#define SMALL_GEMM (64 * 64 * 16)

/* Four dot products of a with b0..b3 (length n), added to c[0..3]. */
static inline void dot4(float *c, const float *a, const float *b0,
                        const float *b1, const float *b2, const float *b3, int n)
{
    v8 s0 = {0}, s1 = {0}, s2 = {0}, s3 = {0};
    int k = 0;
    for (; k + 8 <= n; k += 8) {
        v8 x = load8(a + k);
        s0 += x * load8(b0 + k);
        s1 += x * load8(b1 + k);
        s2 += x * load8(b2 + k);
        s3 += x * load8(b3 + k);
    }
    float r0 = hsum(s0), r1 = hsum(s1), r2 = hsum(s2), r3 = hsum(s3);
    for (; k < n; k++) {
        r0 += a[k] * b0[k];
        r1 += a[k] * b1[k];
        r2 += a[k] * b2[k];
        r3 += a[k] * b3[k];
    }
    c[0] += r0;
    c[1] += r1;
    c[2] += r2;
    c[3] += r3;
}

/* C[i][j] += A[i][:] . B[j][:] (A is M x K, B is N x K). */
static inline void gemm_nt(int M, int N, int K, const float *A, const float *B, float *C)
{
    for (int i = 0; i < M; i++) {
        const float *a = A + (size_t)i * K;
        float *c = C + (size_t)i * N;
        int j = 0;
        for (; j + 4 <= N; j += 4)
            dot4(c + j, a, B + (size_t)j * K, B + (size_t)(j + 1) * K,
                 B + (size_t)(j + 2) * K, B + (size_t)(j + 3) * K, K);
        for (; j < N; j++) {
            float r = 0;
            for (int k = 0; k < K; k++)
                r += a[k] * B[(size_t)j * K + k];
            c[j] += r;
        }
    }
}

/* C[i][:] += sum_k A(i,k) B[k][:], with A(i,k) = A[i*ai + k*ak]; the
 * row of C is held in registers 32 columns at a time across all k. */
static inline void gemm_rows(int M, int N, int K, const float *A, size_t ai,
                             size_t ak, const float *B, float *C)
{
    for (int i = 0; i < M; i++) {
        const float *a = A + i * ai;
        float *c = C + (size_t)i * N;
        int j = 0;
        for (; j + 32 <= N; j += 32) {
            v8 c0 = load8(c + j), c1 = load8(c + j + 8), c2 = load8(c + j + 16),
               c3 = load8(c + j + 24);
            for (int k = 0; k < K; k++) {
                const float *b = B + (size_t)k * N + j;
                float s = a[k * ak];
                c0 += s * load8(b);
                c1 += s * load8(b + 8);
                c2 += s * load8(b + 16);
                c3 += s * load8(b + 24);
            }
            store8(c + j, c0);
            store8(c + j + 8, c1);
            store8(c + j + 16, c2);
            store8(c + j + 24, c3);
        }
        for (; j + 8 <= N; j += 8) {
            v8 c0 = load8(c + j);
            for (int k = 0; k < K; k++)
                c0 += a[k * ak] * load8(B + (size_t)k * N + j);
            store8(c + j, c0);
        }
        for (; j < N; j++) {
            float r = c[j];
            for (int k = 0; k < K; k++)
                r += a[k * ak] * B[(size_t)k * N + j];
            c[j] = r;
        }
    }
}

/* C *= beta (0 clears it, so NaNs in C do not survive). */
static void scale(float *C, size_t n, float beta)
{
    if (beta == 0.0f)
        memset(C, 0, n * sizeof *C);
    else if (beta != 1.0f)
        for (size_t i = 0; i < n; i++)
            C[i] *= beta;
}

MULTIVERSION
static void small_gemm(int ta, int tb, int M, int N, int K, const float *A,
                       const float *B, float beta, float *C)
{
    scale(C, (size_t)M * N, beta);
    if (!ta && tb)
        gemm_nt(M, N, K, A, B, C);
    else if (!ta)
        gemm_rows(M, N, K, A, K, 1, B, C);
    else
        gemm_rows(M, N, K, A, 1, M, B, C);
}

/* mat_dots works on B transposed (K x N, in scratch): C[i][j..j+15] is
 * built over k from A(i,k) times 16 contiguous Bt values, four rows of A
 * at a time, so the tile lives in registers and no horizontal sums are
 * needed. */
static inline void dots_tile(const float *A, int K, const float *Bt, int N, int i, int j, float *C)
{
    v8 c[4][2] = {{{0}}};
    for (int k = 0; k < K; k++) {
        v8 b0 = load8(Bt + (size_t)k * N + j), b1 = load8(Bt + (size_t)k * N + j + 8);
        for (int r = 0; r < 4; r++) {
            float a = A[(size_t)(i + r) * K + k];
            c[r][0] += a * b0;
            c[r][1] += a * b1;
        }
    }
    for (int r = 0; r < 4; r++) {
        store8(C + (size_t)(i + r) * N + j, c[r][0]);
        store8(C + (size_t)(i + r) * N + j + 8, c[r][1]);
    }
}

MULTIVERSION
void mat_dots(int M, int N, int K, const float *A, const float *B, float *C, float *scratch)
{
    int n16 = N / 16 * 16, m4 = M / 4 * 4;
    float *Bt = scratch;
    for (int j = 0; n16 && j < N; j++)
        for (int k = 0; k < K; k++)
            Bt[(size_t)k * N + j] = B[(size_t)j * K + k];
    for (int i = 0; i < m4; i += 4)
        for (int j = 0; j < n16; j += 16)
            dots_tile(A, K, Bt, N, i, j, C);
    /* the edges: plain dot products */
    for (int i = 0; i < M; i++)
        for (int j = i < m4 ? n16 : 0; j < N; j++)
            C[(size_t)i * N + j] = vec_dot(A + (size_t)i * K, B + (size_t)j * K, K);
}

/* Larger products: A and B are packed into panels (MR rows of op(A), NR
 * columns of op(B), k running fastest) and an MR x NR tile of C is built
 * in registers from them, in blocks of KC steps of k and MC rows so the
 * panels stay in cache.  For the sequence models' shapes (a batch of 100
 * rows, 64 to 512 columns, k of 32 to 256) this runs at the speed of
 * OpenBLAS with the AVX2 tile and about twice Debian 12's OpenBLAS with
 * the AVX-512 one on a CPU with full-width AVX-512 units (188 against 103
 * GFLOPS at 256x512x128 on the AMD EPYC of `make bench BENCH=gemm`), many
 * times the reference BLAS, and the results do not depend on which BLAS is
 * installed.  Products above LARGE_GEMM flops go to the BLAS when it is
 * a tuned one (blas_is_tuned), and stay here with the reference BLAS. */
#define MR 6
#define NR 32
#define KC 256
#define MC 96
#define NC 256
#define LARGE_GEMM (512.0 * 512 * 512)

/* op(A)[i0 .. i0+m) x [k0 .. k0+kc) into panels of MR rows (zero-padded). */
static void pack_a(int ta, int M, int K, const float *A, int i0, int m, int k0, int kc, float *pa)
{
    for (int ip = 0; ip < m; ip += MR) {
        int rows = m - ip < MR ? m - ip : MR;
        for (int k = k0; k < k0 + kc; k++, pa += MR) {
            for (int r = 0; r < rows; r++) {
                size_t i = (size_t)(i0 + ip + r);
                pa[r] = ta ? A[(size_t)k * M + i] : A[i * K + k];
            }
            for (int r = rows; r < MR; r++)
                pa[r] = 0;
        }
    }
}

/* op(B)[k0 .. k0+kc) x [j0 .. j0+n) into panels of NR columns
 * (zero-padded). */
static void pack_b(int tb, int N, int K, const float *B, int j0, int n, int k0, int kc, float *pb)
{
    for (int jp = j0; jp < j0 + n; jp += NR) {
        int cols = j0 + n - jp < NR ? j0 + n - jp : NR;
        if (tb) {
            /* read each row of B once, write its column of the panel */
            for (int c = 0; c < cols; c++) {
                const float *b = B + (size_t)(jp + c) * K + k0;
                for (int k = 0; k < kc; k++)
                    pb[k * NR + c] = b[k];
            }
            for (int k = 0; k < kc; k++)
                for (int c = cols; c < NR; c++)
                    pb[k * NR + c] = 0;
            pb += (size_t)kc * NR;
            continue;
        }
        for (int k = k0; k < k0 + kc; k++, pb += NR) {
            memcpy(pb, B + (size_t)k * N + jp, (size_t)cols * sizeof *pb);
            for (int c = cols; c < NR; c++)
                pb[c] = 0;
        }
    }
}

/* C[rows x cols] (leading dimension ldc) += the tile t (MR x NR), which
 * the panels' product over kc left in registers; = when not add. */
static inline void tile_add(float t[MR][NR], float *C, int ldc, int rows, int cols, int add)
{
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c++)
            C[(size_t)r * ldc + c] = add ? C[(size_t)r * ldc + c] + t[r][c] : t[r][c];
}

/* Both tiles below give every element of C the same sum, in the same
 * order: its products over k from zero, one fused multiply-add at a time
 * (a plain multiply and add in the x86-64 baseline clone), then added to
 * C.  So the wide tile changes the speed, not the bits. */

/* A tile reads row r, step k of op(A) at a[r * rs + k * ks]: from A's
 * panel (rs 1, ks MR) or, when A is not transposed, from A itself (rs its
 * row length, ks 1), which saves packing it. */

/* An MR x NR tile in 8-float vectors (16 of the registers of AVX2), as
 * two MR x 16 halves of the panel. */
static inline void tile(int kc, const float *pa, size_t rs, size_t ks, const float *pb, float *C,
                        int ldc, int rows, int cols, int add)
{
    float t[MR][NR];
    for (int half = 0; half < NR; half += 16) {
        v8 acc[MR][2];
        memset(acc, 0, sizeof acc);
        const float *a = pa, *b = pb + half;
        for (int k = 0; k < kc; k++, a += ks, b += NR) {
            v8 b0 = load8(b), b1 = load8(b + 8);
            for (int r = 0; r < MR; r++) {
                acc[r][0] += a[r * rs] * b0;
                acc[r][1] += a[r * rs] * b1;
            }
        }
        if (rows == MR && cols == NR) {
            for (int r = 0; r < MR; r++) {
                float *c = C + (size_t)r * ldc + half;
                store8(c, add ? load8(c) + acc[r][0] : acc[r][0]);
                store8(c + 8, add ? load8(c + 8) + acc[r][1] : acc[r][1]);
            }
            continue;
        }
        for (int r = 0; r < MR; r++) {
            store8(t[r] + half, acc[r][0]);
            store8(t[r] + half + 8, acc[r][1]);
        }
    }
    if (rows != MR || cols != NR)
        tile_add(t, C, ldc, rows, cols, add);
}

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define WIDE_TILE 1
typedef float v16 __attribute__((vector_size(64)));

/* The same tile in 16-float vectors for AVX-512 CPUs (12 of their 32
 * registers): on a CPU with full-width AVX-512 units it runs about 1.9x
 * the speed of the AVX2 tile.  R: the rows it computes, a constant in
 * each copy (tile_wide), so a panel of fewer than MR real rows (the last
 * of a product) costs its rows only. */
__attribute__((target("arch=x86-64-v4"), always_inline)) static inline void
tile_wide_rows(const int R, int kc, const float *pa, size_t rs, size_t ks, const float *pb, float *C, int ldc,
               int rows, int cols, int add)
{
    v16 acc[MR][2];
    memset(acc, 0, sizeof acc);
    for (int k = 0; k < kc; k++, pa += ks, pb += NR) {
        v16 b0, b1;
        memcpy(&b0, pb, sizeof b0);
        memcpy(&b1, pb + 16, sizeof b1);
        for (int r = 0; r < R; r++) {
            acc[r][0] += pa[r * rs] * b0;
            acc[r][1] += pa[r * rs] * b1;
        }
    }
    if (rows == R && cols == NR) {
        for (int r = 0; r < R; r++) {
            float *c = C + (size_t)r * ldc;
            v16 c0 = acc[r][0], c1 = acc[r][1], o0, o1;
            if (add) {
                memcpy(&o0, c, sizeof o0);
                memcpy(&o1, c + 16, sizeof o1);
                c0 += o0;
                c1 += o1;
            }
            memcpy(c, &c0, sizeof c0);
            memcpy(c + 16, &c1, sizeof c1);
        }
        return;
    }
    float t[MR][NR];
    for (int r = 0; r < R; r++) {
        memcpy(t[r], &acc[r][0], sizeof acc[r][0]);
        memcpy(t[r] + 16, &acc[r][1], sizeof acc[r][1]);
    }
    tile_add(t, C, ldc, rows, cols, add);
}

__attribute__((target("arch=x86-64-v4"))) static void
tile_wide(int kc, const float *pa, size_t rs, size_t ks, const float *pb, float *C, int ldc,
          int rows, int cols, int add)
{
    switch (rows) {
    case 1: tile_wide_rows(1, kc, pa, rs, ks, pb, C, ldc, rows, cols, add); break;
    case 2: tile_wide_rows(2, kc, pa, rs, ks, pb, C, ldc, rows, cols, add); break;
    case 3: tile_wide_rows(3, kc, pa, rs, ks, pb, C, ldc, rows, cols, add); break;
    case 4: tile_wide_rows(4, kc, pa, rs, ks, pb, C, ldc, rows, cols, add); break;
    case 5: tile_wide_rows(5, kc, pa, rs, ks, pb, C, ldc, rows, cols, add); break;
    default: tile_wide_rows(MR, kc, pa, rs, ks, pb, C, ldc, rows, cols, add); break;
    }
}

/* One row of op(A) (a[k * ks]) against P panels of B at once: 2P sums in
 * flight where a tile of one row has two, which is what one row (a step
 * of a recurrent layer, the last row of a product) is bound by.  Each
 * element the sum tile_wide gives it, in the same order. */
__attribute__((target("arch=x86-64-v4"), always_inline)) static inline void
row_wide_panels(const int P, int kc, const float *a, size_t ks, const float *pb, float *C, int cols, int add)
{
    v16 acc[4][2];
    memset(acc, 0, sizeof acc);
    size_t ps = (size_t)kc * NR; /* from one panel to the next */
    for (int k = 0; k < kc; k++, a += ks, pb += NR) {
        float s = *a;
        for (int p = 0; p < P; p++) {
            v16 b0, b1;
            memcpy(&b0, pb + p * ps, sizeof b0);
            memcpy(&b1, pb + p * ps + 16, sizeof b1);
            acc[p][0] += s * b0;
            acc[p][1] += s * b1;
        }
    }
    float t[4 * NR];
    for (int p = 0; p < P; p++) {
        memcpy(t + p * NR, &acc[p][0], sizeof acc[p][0]);
        memcpy(t + p * NR + 16, &acc[p][1], sizeof acc[p][1]);
    }
    for (int c = 0; c < cols; c++)
        C[c] = add ? C[c] + t[c] : t[c];
}

/* C[0 .. n) (+)= one row of op(A) times the n columns of B's panels pb,
 * four panels at a time. */
__attribute__((target("arch=x86-64-v4"))) static void
row_wide(int kc, const float *a, size_t ks, const float *pb, float *C, int n, int add)
{
    for (int jp = 0; jp < n; jp += 4 * NR) {
        int cols = n - jp < 4 * NR ? n - jp : 4 * NR, P = (cols + NR - 1) / NR;
        const float *b = pb + (size_t)jp * kc;
        switch (P) {
        case 1: row_wide_panels(1, kc, a, ks, b, C + jp, cols, add); break;
        case 2: row_wide_panels(2, kc, a, ks, b, C + jp, cols, add); break;
        case 3: row_wide_panels(3, kc, a, ks, b, C + jp, cols, add); break;
        default: row_wide_panels(4, kc, a, ks, b, C + jp, cols, add); break;
        }
    }
}

static int wide_off; /* set by mat_wide_kernel(0), for tests */

/* The CPU's features are read by libgcc before main, so this is a load
 * and a test, safe from any thread. */
static int wide_cpu(void)
{
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
           __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
           __builtin_cpu_supports("avx512cd");
}

static int wide_usable(void) { return !wide_off && wide_cpu(); }
#else
#define WIDE_TILE 0
static int wide_off;
static int wide_cpu(void) { return 0; }
static int wide_usable(void) { return 0; }
#endif

int mat_wide_kernel(int on)
{
    wide_off = !on;
    return wide_cpu();
}

/* Floats of op(B)'s panels, for all the blocks of a product. */
static size_t panels_size(int N, int K)
{
    size_t n = 0;
    for (int j0 = 0; j0 < N; j0 += NC) {
        int cols = N - j0 < NC ? N - j0 : NC;
        n += (size_t)((cols + NR - 1) / NR * NR) * K;
    }
    return n;
}

/* With ready (mat_pack's panels, in this loop's order) B is not packed
 * again.  With beta 0 the first block of k stores its sums instead of
 * adding them to C (0 + s is s but for the sign of a zero). */
MULTIVERSION
static void packed_gemm(int ta, int tb, int M, int N, int K, const float *A, const float *B,
                        float beta, float *C, const float *ready)
{
    float pa[MC * KC], own[NC * KC];
    int wide = wide_usable();
    if (beta != 0.0f)
        scale(C, (size_t)M * N, beta);
    for (int j0 = 0; j0 < N; j0 += NC) {
        int n = N - j0 < NC ? N - j0 : NC;
        for (int k0 = 0; k0 < K; k0 += KC) {
            int kc = K - k0 < KC ? K - k0 : KC, add = k0 > 0 || beta != 0.0f;
            const float *pb = own;
            if (ready) {
                pb = ready;
                ready += (size_t)((n + NR - 1) / NR * NR) * kc;
            } else {
                pack_b(tb, N, K, B, j0, n, k0, kc, own);
            }
            for (int i0 = 0; i0 < M; i0 += MC) {
                int m = M - i0 < MC ? M - i0 : MC, whole = ta ? 0 : m / MR * MR;
                /* A is read in place but for the transposed case and
                 * the last rows that make no whole panel */
                pack_a(ta, M, K, A, i0 + whole, m - whole, k0, kc, pa);
                for (int ip = 0; ip < m; ip += MR) {
                    int inplace = ip < whole, rows = m - ip < MR ? m - ip : MR;
                    const float *a = inplace ? A + (size_t)(i0 + ip) * K + k0 : pa + (size_t)(ip - whole) * kc;
                    size_t rs = inplace ? (size_t)K : 1, ks = inplace ? 1 : MR;
                    float *c = C + (size_t)(i0 + ip) * N + j0;
#if WIDE_TILE
                    if (wide && rows == 1) {
                        row_wide(kc, a, ks, pb, c, n, add);
                        continue;
                    }
#endif
                    for (int jp = 0; jp < n; jp += NR) {
                        const float *b = pb + (size_t)jp * kc;
                        int cols = n - jp < NR ? n - jp : NR;
#if WIDE_TILE
                        if (wide)
                            tile_wide(kc, a, rs, ks, b, c + jp, N, rows, cols, add);
                        else
#endif
                            tile(kc, a, rs, ks, b, c + jp, N, rows, cols, add);
                    }
                }
            }
        }
    }
}

/* Whether the CBLAS this process loaded is a tuned one (OpenBLAS, BLIS,
 * MKL, ATLAS), found from the real path of the library cblas_sgemm comes
 * from: Debian's reference BLAS (what libblas.so.3 is unless another is
 * installed) runs large products many times slower than the packed
 * kernels above, so they stay here then.  Read once. */
static int tuned_blas;
static pthread_once_t tuned_once = PTHREAD_ONCE_INIT;

static void find_blas(void)
{
    Dl_info info;
    char real[PATH_MAX];
    if (!dladdr((void *)cblas_sgemm, &info) || !info.dli_fname || !realpath(info.dli_fname, real))
        return;
    tuned_blas = strstr(real, "openblas") || strstr(real, "blis") || strstr(real, "mkl") || strstr(real, "atlas");
}

static int blas_is_tuned(void)
{
    pthread_once(&tuned_once, find_blas);
    return tuned_blas;
}

void mat_gemm(int ta, int tb, int M, int N, int K, const float *A,
              const float *B, float beta, float *C)
{
    if (M == 0 || N == 0)
        return;
    double flops = (double)M * N * K;
    if (flops <= SMALL_GEMM && !(ta && tb)) {
        small_gemm(ta, tb, M, N, K, A, B, beta, C);
        return;
    }
    if (flops <= LARGE_GEMM || !blas_is_tuned()) {
        packed_gemm(ta, tb, M, N, K, A, B, beta, C, NULL);
        return;
    }
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans,
                tb ? CblasTrans : CblasNoTrans, M, N, K, 1.0f, A,
                ta ? M : K, B, tb ? K : N, beta, C, N);
}

void mat_gemm_tiled(int ta, int tb, int M, int N, int K, const float *A,
                    const float *B, float beta, float *C)
{
    if (M <= 0 || N <= 0)
        return;
    if (K <= 0)
        scale(C, (size_t)M * N, beta);
    else
        packed_gemm(ta, tb, M, N, K, A, B, beta, C, NULL);
}

int mat_pack(mat_packed *p, int tb, int N, int K, const float *B)
{
    p->tb = tb;
    p->N = N;
    p->K = K;
    p->B = B;
    p->panels = vec_alloc(panels_size(N, K));
    if (!p->panels)
        return -1;
    float *pb = p->panels;
    for (int j0 = 0; j0 < N; j0 += NC) {
        int n = N - j0 < NC ? N - j0 : NC;
        for (int k0 = 0; k0 < K; k0 += KC) {
            int kc = K - k0 < KC ? K - k0 : KC;
            pack_b(tb, N, K, B, j0, n, k0, kc, pb);
            pb += (size_t)((n + NR - 1) / NR * NR) * kc;
        }
    }
    return 0;
}

void mat_packed_free(mat_packed *p)
{
    free(p->panels);
    p->panels = NULL;
}

void mat_gemm_packed(int M, const float *A, const mat_packed *p, float beta, float *C)
{
    double flops = (double)M * p->N * p->K;
    if (M == 0 || p->N == 0)
        return;
    if (flops <= SMALL_GEMM || (flops > LARGE_GEMM && blas_is_tuned())) {
        mat_gemm(0, p->tb, M, p->N, p->K, A, p->B, beta, C);
        return;
    }
    packed_gemm(0, p->tb, M, p->N, p->K, A, p->B, beta, C, p->panels);
}

void mat_gemm_packed_tiled(int M, const float *A, const mat_packed *p, float beta, float *C)
{
    if (M <= 0 || p->N <= 0)
        return;
    if (p->K <= 0)
        scale(C, (size_t)M * p->N, beta);
    else
        packed_gemm(0, p->tb, M, p->N, p->K, A, p->B, beta, C, p->panels);
}

void mat_gemv(int ta, int rows, int cols, const float *A, const float *x,
              float beta, float *y)
{
    /* A is rows x cols; y = A.x (length rows) or A^T.x (length cols). */
    cblas_sgemv(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, rows, cols,
                1.0f, A, cols, x, 1, beta, y, 1);
}
