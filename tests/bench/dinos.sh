#!/usr/bin/env bash
# tests/bench/dinos.sh (`tests/bench/run dinos`, part of `make bench`):
# seqtool dinos train against a PyTorch CPU peer (tests/bench/dinos_peer.py)
# on the same BLAS, same data, same setup. Helpers: tests/bench/lib.sh.
#
# For each BLAS present (reference: /usr/lib/x86_64-linux-gnu/blas, OpenBLAS:
# /usr/lib/x86_64-linux-gnu/openblas-pthread, chosen per process with
# LD_LIBRARY_PATH, OPENBLAS_NUM_THREADS=1) and each setup
#   course  --course preset (RNN 50, batch 1, SGD lr 0.01, clip 5)
#   lstm    LSTM hidden 256, 1 layer, batch 32, Adam lr 2e-3, clip-norm 5
#           (seqtool's default), every name trained on (seqtool --val 0)
# seqtool and the peer run alternately, $BENCH_RUNS times each; the table
# gives the medians of chars/s (target characters incl. each name's "\n"
# per second of training loop), their ratio, and the largest peak RSS
# (/usr/bin/time -v). Both sides run single-threaded (peer --threads 1,
# OMP/OpenBLAS 1 thread). Which BLAS each process really used is proven by a
# short probe run under LD_DEBUG=bindings: the file the dynamic linker bound
# sgemm_/cblas_sgemm (and the gemv's) to.
#
# Environment (defaults): NAMES (../shared/datasets/course/dinos/dinos.txt if
# present, else datasets/dinos.txt), BENCH_RUNS (3), BENCH_COURSE_ITERS
# (5000), BENCH_LSTM_ITERS (200, OpenBLAS), BENCH_LSTM_ITERS_REF (40: the
# reference BLAS is ~7x slower on this setup; chars/s does not depend on the
# count). About 3 minutes on a 2-core machine.
# Installs python3-torch (apt) when /usr/bin/python3 cannot import it, and
# `time` when /usr/bin/time is missing. Never asserts a speed; exits 1 only
# when a run fails.
. "$(dirname "$0")/lib.sh" || exit 1
COURSE_ITERS=${BENCH_COURSE_ITERS:-5000}
LSTM_ITERS=${BENCH_LSTM_ITERS:-200}
LSTM_ITERS_REF=${BENCH_LSTM_ITERS_REF:-40}
SEED=1

if [ -n "${NAMES:-}" ]; then :
elif [ -f ../shared/datasets/course/dinos/dinos.txt ]; then NAMES=../shared/datasets/course/dinos/dinos.txt
else NAMES=datasets/dinos.txt
fi
[ -f "$NAMES" ] || { echo "bench: names file $NAMES not found" >&2; exit 1; }
setup_bench torch:python3-torch || exit 1

# setcmd SIDE SETUP ITERS: sets CMD to the command line of one side
setcmd() {
    local side=$1 setup=$2 iters=$3
    local common=(--iters "$iters" --seed "$SEED")
    case $setup in
        course) common=(--course "$NAMES" "${common[@]}") ;;
        lstm) common=("$NAMES" --cell lstm --hidden 256 --layers 1 --batch 32
                      --optim adam --lr 2e-3 --clip-norm 5 "${common[@]}") ;;
    esac
    if [ "$side" = seqtool ]; then
        # --val 0: train on every name, no held-out evaluation (as the peer)
        [ "$setup" = lstm ] && common+=(--val 0)
        CMD=("$SEQ" dinos train "${common[@]}" -o "$TMP/model.safetensors" -q --json)
    else
        CMD=("$PY" "$PEER" "${common[@]}" --threads 1)
    fi
}

# one SIDE SETUP ITERS DIR: one timed run; appends "cps rss_kb loss" to
# $TMP/res.SIDE.SETUP.DIRNAME
one() {
    local side=$1 setup=$2 iters=$3 dir=$4 cps loss
    setcmd "$side" "$setup" "$iters"
    run one "$dir" "${CMD[@]}" || return 1
    cps=$(json one chars_per_s) loss=$(json one loss)
    if [ -z "$cps" ]; then
        echo "bench: $side $setup printed no chars_per_s: $(grep '^{' "$TMP/one.out" | tail -n 1)" >&2
        FAILED=1
        return 1
    fi
    echo "$cps $RSS $loss" >>"$TMP/res.$side.$setup.$(basename "$dir")"
}

# probe SIDE DIR: the files sgemm_/cblas_sgemm/sgemv_/cblas_sgemv were bound to
probe() {
    setcmd "$1" lstm 2
    blas_probe 'gemm\|gemv' "$2" "${CMD[@]}"
}

echo "seqtool dinos train vs PyTorch $(pyver torch) (1 thread), names: $NAMES"
echo "runs per side: $RUNS (alternating), medians of chars/s; $(nproc) CPUs"
echo
echo "BLAS really used (probe run under LD_DEBUG=bindings: where s{gemm,gemv} were bound)"
for b in "${BLASES[@]}"; do
    name=${b%%:*} dir=${b#*:}
    for side in seqtool peer; do
        printf '  %-9s %-7s -> %s\n' "$name" "$side" "$(probe $side "$dir")"
    done
done
echo

for setup in course lstm; do
    for b in "${BLASES[@]}"; do
        name=${b%%:*} dir=${b#*:}
        case $setup in
            course) iters=$COURSE_ITERS ;;
            lstm) if [ "$name" = reference ]; then iters=$LSTM_ITERS_REF; else iters=$LSTM_ITERS; fi ;;
        esac
        alternate_runs "$setup" "$iters" "$dir"
        echo "$setup $name $iters" >>"$TMP/setups"
    done
done

printf '%-7s %-10s %6s %14s %14s %7s %12s %12s %10s %10s\n' setup BLAS iters \
    seqtool_c/s peer_c/s ratio seq_RSS_MB peer_RSS_MB seq_loss peer_loss
while read -r setup name iters; do
    for b in "${BLASES[@]}"; do [ "${b%%:*}" = "$name" ] && dir=${b#*:}; done
    s=$TMP/res.seqtool.$setup.$(basename "$dir") p=$TMP/res.peer.$setup.$(basename "$dir")
    sc=$(median 1 "$s") pc=$(median 1 "$p")
    sr=$(maxcol 2 "$s") pr=$(maxcol 2 "$p")
    sl=$(median 3 "$s") pl=$(median 3 "$p")
    sc=$(fmt %.0f "$sc") pc=$(fmt %.0f "$pc") sl=$(fmt %.4f "$sl") pl=$(fmt %.4f "$pl")
    ratio=$(ratio "$sc" "$pc" %.2f)
    printf '%-7s %-10s %6s %14s %14s %7s %12s %12s %10s %10s\n' "$setup" "$name" "$iters" \
        "${sc:-fail}" "${pc:-fail}" "${ratio:-n/a}" "$(mb "${sr:-0}")" "$(mb "${pr:-0}")" "${sl:-}" "${pl:-}"
done <"$TMP/setups"
echo
echo "ratio = seqtool/peer chars per second (>1: seqtool faster); RSS = largest of the runs;"
echo "loss = median of each side's reported final loss (peer: course-style smoothed loss)."
exit "$FAILED"
