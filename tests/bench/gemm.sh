#!/usr/bin/env bash
# tests/bench/gemm.sh (`make bench BENCH=gemm`, part of `make bench`):
# core/tensor's matrix products against the BLAS and numpy, in GFLOPS, on
# the shapes the recurrent models multiply (tests/gemm_speed.c lists them:
# emojify v2's steps and input projection, nmt's steps, a character
# model's step).  C = A . B^T with A M x K and B N x K, float32.
#
# For each BLAS installed (Debian's reference libblas3, OpenBLAS), one
# thread: $TESTBIN/gemm_speed prints seqtool's GFLOPS with B packed once
# (an LSTM's W_hh at inference), with B packed on every call (training),
# the same with the AVX2 tile forced (on AVX-512 CPUs; both tiles give the
# same bits), and cblas_sgemm of that BLAS in the same process; then numpy
# (a @ b.T, best of 3 rounds of about BENCH_GEMM_SECONDS each) with the
# same BLAS.  ratio = seqtool (packed each call) / numpy.  Nothing is
# asserted.  About 1 minute.  Installs python3-numpy when missing.
. "$(dirname "$0")/lib.sh" || exit 1
SECONDS_EACH=${BENCH_GEMM_SECONDS:-0.3}
PROG=${TESTBIN:-build/release/tests}/gemm_speed
[ -x "$PROG" ] || { echo "bench: $PROG not built (make bench builds it)" >&2; exit 1; }
need_py numpy python3-numpy || exit 1
find_blases || exit 1
bench_tmp || exit 1

numpy_peer() { # SECONDS < "M N K" lines -> "M N K GFLOPS" lines
    $PY -c '
import sys, time
import numpy as np
secs = float(sys.argv[1])
for line in sys.stdin:
    M, N, K = map(int, line.split()[:3])
    rng = np.random.default_rng(1)
    a = rng.random((M, K), dtype=np.float32) - 0.5
    b = rng.random((N, K), dtype=np.float32) - 0.5
    best = 0.0
    for _ in range(3):
        reps, t0 = 0, time.perf_counter()
        while True:
            c = a @ b.T
            reps += 1
            t = time.perf_counter() - t0
            if t >= secs:
                break
        best = max(best, 2.0 * M * N * K * reps / t / 1e9)
    print(M, N, K, "%.1f" % best, flush=True)
' "$1"
}

lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | sed 's/^/cpu: /'
grep -q avx512f /proc/cpuinfo && echo "cpu: AVX-512 (the wide tile is used)" || echo "cpu: no AVX-512 (the AVX2 tile is used)"
printf '\n%-9s %-14s %12s %12s %10s %8s %8s %7s\n' BLAS "M x N x K" packed_once each_call avx2_tile blas numpy ratio
for b in "${BLASES[@]}"; do
    name=${b%%:*} dir=${b#*:}
    if ! envrun "$dir" "$PROG" "$SECONDS_EACH" >"$TMP/ours.$name"; then
        echo "bench: gemm_speed failed with $name" >&2
        FAILED=1
        continue
    fi
    sed 1d "$TMP/ours.$name" | envrun "$dir" bash -c "$(declare -f numpy_peer); PY=$PY numpy_peer $SECONDS_EACH" >"$TMP/numpy.$name" ||
        { echo "bench: the numpy peer failed with $name" >&2; FAILED=1; }
    sed 1d "$TMP/ours.$name" | while read -r M N K once each avx2 blas; do
        np=$(awk -v m="$M" -v n="$N" -v k="$K" '$1==m && $2==n && $3==k {print $4}' "$TMP/numpy.$name")
        r=$(ratio "$each" "$np")
        printf '%-9s %-14s %12s %12s %10s %8s %8s %7s\n' "$name" "${M}x${N}x${K}" "$once" "$each" "$avx2" "$blas" "${np:-fail}" "${r:-n/a}"
    done
done
echo
echo "GFLOPS, one thread, best of 3 rounds; ratio = seqtool (B packed each call) / numpy, the same BLAS."
echo "packed_once: mat_gemm_packed (LSTM inference); each_call: mat_gemm; avx2_tile: mat_gemm with the AVX2 tile; blas: cblas_sgemm in the same process."
exit "$FAILED"
