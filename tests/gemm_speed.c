/* gemm_speed — GFLOPS of core/tensor's products against the BLAS it is
 * linked with, on the recurrent models' shapes; tests/bench/gemm.sh runs
 * it beside numpy.  Not a test: it asserts nothing.
 *
 * usage: gemm_speed [SECONDS]   (per shape and route, best of 3; 0.3)
 * One line per shape: M N K, then GFLOPS of mat_gemm_packed (B packed
 * once, as an LSTM's W_hh at inference), of mat_gemm with B packed on each
 * call (the products of training), of the same with the AVX2 tile (when
 * the CPU has AVX-512; "-" when not), and of cblas_sgemm.
 */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "tensor.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

enum { PACKED, EACH_CALL, BLAS };

static void run_once(int route, int M, int N, int K, const float *A, const float *B,
                     const mat_packed *p, float *C)
{
    if (route == PACKED)
        mat_gemm_packed(M, A, p, 0.0f, C);
    else if (route == EACH_CALL)
        mat_gemm(0, 1, M, N, K, A, B, 0.0f, C);
    else
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, M, N, K, 1.0f, A, K, B, K, 0.0f, C, N);
}

/* Best GFLOPS of 3 rounds of about `seconds` each. */
static double gflops(int route, int M, int N, int K, const float *A, const float *B,
                     const mat_packed *p, float *C, double seconds)
{
    double best = 0;
    for (int round = 0; round < 3; round++) {
        long reps = 0;
        double t0 = now(), t;
        do {
            run_once(route, M, N, K, A, B, p, C);
            reps++;
        } while ((t = now() - t0) < seconds);
        double g = 2.0 * M * N * K * reps / t / 1e9;
        best = g > best ? g : best;
    }
    return best;
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 0.3;
    /* emojify v2 steps (batches of 64 and 256) and its layer-2 input
     * projection; nmt's decoder and encoder steps (batch 100); a
     * 100-unit character model's step (batch 32) */
    static const int shapes[][3] = {{64, 512, 128}, {256, 512, 128}, {1024, 512, 128},
                                    {100, 256, 64}, {100, 128, 32}, {32, 400, 100}};
    int wide = mat_wide_kernel(1);
    printf("M N K packed_once packed_each_call avx2_tile blas\n");
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        int M = shapes[s][0], N = shapes[s][1], K = shapes[s][2];
        float *A = vec_alloc((size_t)M * K), *B = vec_alloc((size_t)N * K), *C = vec_alloc((size_t)M * N);
        mat_packed p;
        if (!A || !B || !C || mat_pack(&p, 1, N, K, B) < 0) {
            fprintf(stderr, "gemm_speed: out of memory\n");
            return 1;
        }
        for (size_t i = 0; i < (size_t)M * K; i++)
            A[i] = (float)((i * 7919) % 1000) / 1000.0f - 0.5f;
        for (size_t i = 0; i < (size_t)N * K; i++)
            B[i] = (float)((i * 104729) % 1000) / 1000.0f - 0.5f;
        printf("%d %d %d %.1f %.1f", M, N, K, gflops(PACKED, M, N, K, A, B, &p, C, seconds),
               gflops(EACH_CALL, M, N, K, A, B, &p, C, seconds));
        if (wide) {
            mat_wide_kernel(0);
            printf(" %.1f", gflops(EACH_CALL, M, N, K, A, B, &p, C, seconds));
            mat_wide_kernel(1);
        } else {
            printf(" -");
        }
        printf(" %.1f\n", gflops(BLAS, M, N, K, A, B, &p, C, seconds));
        fflush(stdout);
        mat_packed_free(&p);
        free(A);
        free(B);
        free(C);
    }
    return 0;
}
