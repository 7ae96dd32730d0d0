#!/usr/bin/env bash
# tests/bench/jazz.sh (`make bench BENCH=jazz`, part of `make bench`): the
# training speed of the jazz melody model (cmd/jazz/melody.h: embeddings of
# six event fields, an LSTM stack, three softmax heads) against a PyTorch
# CPU peer of the same network (tests/bench/jazz_peer.py, whose network is
# tests/bench/peerlib.py's jazz_logits, the code tests/jazz_crosscheck.py
# checks seqtool's gradients against), and the start-to-end time of
# `seqtool jazz generate`. Helpers: tests/bench/lib.sh.
#
# Both sides: H 256, L 2, seqtool's default embeddings (16 32 16 16 8 8),
# dropout 0.2 on each layer's output, batches of 32 windows of 64 notes
# laid out [T][B], loss = the three heads' NLL over the real notes / notes,
# Adam lr 0.002, clip-norm 5; one thread (no seqtool jazz option starts
# threads; torch.set_num_threads(1); OPENBLAS_NUM_THREADS=1,
# OMP_NUM_THREADS=1); the same BLAS (lib.sh pick_blas: openblas when
# installed or named in BENCH_BLAS_DIRS, else Debian's reference BLAS).
# Which BLAS each side bound is shown by probe runs under LD_DEBUG=bindings,
# and the share of each probe's CPU time spent in it by perf record (when
# perf works here). Speed = the figure each side reports for its training
# steps alone: real notes trained on per second of the steps (batch
# assembly, forward, backward, clipping, Adam; every step timed, the first
# included; process start, torch import, data reading and model set-up
# excluded). $BENCH_RUNS alternating runs per side, medians; peak RSS =
# the largest of the runs (/usr/bin/time -v).
#
# The setups, chosen so that both sides do the same work:
#  random  the exact-work comparison: the same inputs on both sides, the
#          32 rows of 64 events of random classes (fixed seed) that
#          $TESTBIN/test_jazz --bench-json draws and writes out, every step
#          on all 32 full rows (no padding, no transposition). seqtool:
#          `test_jazz --bench-json STEPS`, the model code of `seqtool jazz
#          train` (cmd/jazz/melody.c) taking its steps as `jazz train`
#          does; peer: --events on that file, the same STEPS.
#  corpus  (when $JAZZ_CORPUS/split.tsv exists) the command end to end on
#          real solos: the first solos of the corpus's train split holding
#          at least NOTES notes (a split list of them in the temp folder),
#          one epoch. seqtool: `seqtool jazz train --list SUB.tsv --epochs
#          1 --val 0 --json` (its notes_per_s); peer: the same solos' note
#          counts (from `seqtool jazz stats --json`: the same MIDI reader)
#          cut into windows as `jazz train` cuts them (a random offset per
#          solo, shuffled, the last batch smaller, short windows
#          right-padded to 64), each window transposed by a random -6..6
#          semitones inside the timed loop, as seqtool does. The peer's
#          event classes are random (fixed seed), not the solos' own:
#          those would take seqtool's MIDI and chord reader again in
#          Python, and the network's work does not depend on them (but for
#          seqtool's chord-tone bias, skipped on notes without a chord, 1
#          in 5 of the random ones). The same notes in windows of the same
#          lengths, as many, as padded: the same work, but for the random
#          cuts.
#  generate  `seqtool jazz generate -m MODEL -o OUT.mid --bars 64 --seed R`:
#          wall time of the whole process (start-up and model loading
#          included, under /usr/bin/time), median of $BENCH_JAZZ_GEN_RUNS
#          runs, and its CPU time (user + system, less hurt by other work
#          on the machine). MODEL: datasets/jazz/wjazzd.safetensors (the
#          shipped model) when it is there, else one trained in the temp
#          folder at the default sizes (H 256, L 2) for 3 epochs on the
#          first train solos of the corpus holding 4000 notes (~4 s;
#          without the corpus: 40 epochs on 2 random melodies that
#          jazz_peer.py --write-midi writes, ~3 s). The same network, so
#          the same work a note, and trained enough to draw about as many
#          notes as a trained model (~500-650 in 64 bars; one trained a
#          single step draws ~60, and is done sooner); the notes drawn are
#          shown.
# Targets (printed, never asserted): training notes/s seqtool >= 3x the
# peer; generate under 0.2 s.
#
# Environment (defaults): BENCH_RUNS (3); BENCH_JAZZ_BLAS (openblas when
# there is one, else reference; "all": each one); BENCH_BLAS_DIRS (lib.sh:
# e.g. openblas:DIR, an OpenBLAS unpacked from its .deb, not installed);
# BENCH_JAZZ_STEPS (20 with a tuned BLAS; BENCH_JAZZ_STEPS_REF 3 with the
# reference BLAS, where the peer takes 3-7 s a step); BENCH_JAZZ_NOTES
# (20000, ~11 steps; BENCH_JAZZ_NOTES_REF 4000, 3 steps); JAZZ_CORPUS
# (../shared/datasets/jazz-corpus); BENCH_JAZZ_GEN_RUNS (5); TESTBIN
# (build/release/tests); SEQTOOL (./seqtool). About 2-3 minutes on a
# loaded 2-core machine, with either BLAS. Installs python3-torch and
# python3-numpy (apt) when /usr/bin/python3 cannot import them, and `time`.
# Exits 1 when a run fails; never asserts a speed.
. "$(dirname "$0")/lib.sh" || exit 1
TJ=${TESTBIN:-build/release/tests}/test_jazz
CORPUS=${JAZZ_CORPUS:-../shared/datasets/jazz-corpus}
GEN_RUNS=${BENCH_JAZZ_GEN_RUNS:-5}
SHIPPED=datasets/jazz/wjazzd.safetensors
BARS=64

setup_bench torch:python3-torch numpy:python3-numpy || exit 1
[ -x "$TJ" ] || { echo "bench: $TJ not built (make bench builds it)" >&2; exit 1; }
cp "$TJ" "$TMP/test_jazz" && TJ=$TMP/test_jazz
seq_has jazz train || { echo "bench: $SEQ_NAME has no 'jazz train'" >&2; exit 1; }
if [ "${BENCH_JAZZ_BLAS:-}" = all ]; then
    USE=("${BLASES[@]}")
else
    pick_blas "${BENCH_JAZZ_BLAS:-}" || exit 1
    USE=("$BLAS:$BLASDIR")
fi
HAVE_CORPUS=0
[ -f "$CORPUS/split.tsv" ] && HAVE_CORPUS=1

# shellcheck disable=SC2034  # read by row and table (lib.sh)
ROW_FMT='%-34s %-20s %10s %10s %7s  %s\n'

echo "seqtool jazz train vs PyTorch $(pyver torch) (1 thread each); $(nproc) CPUs"
echo "BLAS: ${USE[*]%%:*}; $RUNS alternating runs per side, medians"
load_start
echo

# ---- data ------------------------------------------------------------------
D=$TMP/data
mkdir -p "$D"
# the random rows both sides train on in the random setup
"$TJ" --bench-json 1 "$D/events.tsv" >/dev/null ||
    { echo "bench: $TJ --bench-json failed" >&2; exit 1; }
if [ $HAVE_CORPUS = 1 ]; then
    ABS=$(cd "$CORPUS" && pwd)
    ln -s "$ABS" "$D/corpus"
    "$SEQ" jazz stats --list "$D/corpus/split.tsv" --split train --json -q >"$D/train.stats" ||
        { echo "bench: seqtool jazz stats failed on $CORPUS" >&2; exit 1; }
    # sub_list N NAME: $D/NAME.tsv, a split list (train) of the first train
    # solos holding at least N notes, and $D/NAME.stats, their stats lines
    sub_list() {
        $PY - "$1" "$D" "$2" <<'EOF'
import json, os, sys
need, d, name = int(sys.argv[1]), sys.argv[2], sys.argv[3]
root = os.path.join(d, "corpus") + "/"
got = 0
with open(os.path.join(d, "train.stats")) as f, open(os.path.join(d, name + ".tsv"), "w") as tsv, \
        open(os.path.join(d, name + ".stats"), "w") as st:
    tsv.write("file\tsplit\tgroup\n")
    for ln in f:
        if got >= need:
            break
        j = json.loads(ln)
        rel = j["file"][len(root):] if j["file"].startswith(root) else sys.exit("unexpected path " + j["file"])
        tsv.write("corpus/%s\ttrain\t%s\n" % (rel, os.path.splitext(os.path.basename(rel))[0]))
        st.write(ln)
        got += int(j["notes"])
EOF
    }
    sub_list 1 first    # the first train solo, for the probes
fi

# ---- commands --------------------------------------------------------------
# setcmd SIDE SETUP BLASNAME: CMD, the command line of one timed run
setcmd() {
    local side=$1 setup=$2 blas=$3 steps notes
    if [ "$blas" = reference ]; then
        steps=${BENCH_JAZZ_STEPS_REF:-3} notes=${BENCH_JAZZ_NOTES_REF:-4000}
    else
        steps=${BENCH_JAZZ_STEPS:-20} notes=${BENCH_JAZZ_NOTES:-20000}
    fi
    case $side.$setup in
        seqtool.random) CMD=("$TJ" --bench-json "$steps") ;;
        peer.random) CMD=("$PY" "$PEER" --events "$D/events.tsv" --steps "$steps" --threads 1) ;;
        seqtool.corpus) CMD=("$SEQ" jazz train --list "$D/sub$notes.tsv" --epochs 1 --val 0 --seed 1
                             -o "$TMP/corpus.safetensors" -q --json) ;;
        peer.corpus) CMD=("$PY" "$PEER" --stats "$D/sub$notes.stats" --epochs 1 --seed 1 --threads 1) ;;
    esac
    [ "$setup" = corpus ] && [ ! -f "$D/sub$notes.tsv" ] && sub_list "$notes" "sub$notes"
    SIZE=$steps
    [ "$setup" = corpus ] && SIZE=$notes
    return 0
}

# one SIDE SETUP BLASNAME DIR: one timed run; appends "notes/s rss_kb bits
# notes" to $TMP/res.SIDE.SETUP.BLASNAME
one() {
    local side=$1 setup=$2 blas=$3 dir=$4 nps
    setcmd "$side" "$setup" "$blas"
    run one "$dir" "${CMD[@]}" || return 1
    nps=$(json one notes_per_s)
    if [ -z "$nps" ]; then
        echo "bench: $side $setup printed no notes_per_s: $(grep '^{' "$TMP/one.out" | tail -n 1)" >&2
        FAILED=1
        return 1
    fi
    echo "$nps $RSS $(json one train_bits_per_note) $(json one notes)" >>"$TMP/res.$side.$setup.$blas"
    grep '^{' "$TMP/one.out" | tail -n 1 >"$TMP/last.$side.$setup.$blas"
}

SETUPS=random
[ $HAVE_CORPUS = 1 ] && SETUPS="random corpus"

# ---- probes ----------------------------------------------------------------
# probe LABEL DIR CMD...: one short run of CMD with the BLAS in DIR under
# LD_DEBUG=bindings (and perf record when it works here): where s{gemm,gemv}
# were bound, and the share of its CPU time spent in a BLAS; $name: the BLAS
PERF=()
perf_ok && PERF=(perf record -q -o "$TMP/perf.data" --)
probe() {
    local label=$1 dir=$2 bound share=
    shift 2
    rm -f "$TMP/perf.data"
    bound=$(blas_probe 'gemm\|gemv' "$dir" "${PERF[@]}" "$@")
    [ ${#PERF[@]} -gt 0 ] && share="; CPU samples in a BLAS: $(blas_share "$TMP/perf.data")"
    printf '  %-9s %-17s -> %s%s\n' "$name" "$label" "${bound% }" "$share"
}
echo "BLAS really used: probe runs under LD_DEBUG=bindings (where s{gemm,gemv} were bound)"
[ ${#PERF[@]} -gt 0 ] && echo "and perf record (the share of the run's CPU samples in a BLAS library, start-up and imports included:
what it really called)"
echo "seqtool multiplies in its own kernels; it calls cblas_sgemm only for products above 512^3 flops, and only"
echo "when the BLAS is a tuned one (OpenBLAS, BLIS, MKL, ATLAS; it binds the symbol to find out which it is)"
for b in "${USE[@]}"; do
    name=${b%%:*} dir=${b#*:}
    probe "seqtool test_jazz" "$dir" "$TJ" --bench-json 2
    [ $HAVE_CORPUS = 1 ] && probe "seqtool jazz" "$dir" "$SEQ" jazz train --list "$D/first.tsv" --epochs 1 \
        --val 0 -o "$TMP/probe.safetensors" -q
    probe peer "$dir" "$PY" "$PEER" --events "$D/events.tsv" --steps 1 --threads 1
done
echo

# ---- training runs ---------------------------------------------------------
for setup in $SETUPS; do
    for b in "${USE[@]}"; do
        name=${b%%:*} dir=${b#*:}
        setcmd seqtool "$setup" "$name"
        echo "training: $setup, $name, $([ "$setup" = random ] && echo "$SIZE steps" || echo ">= $SIZE notes, 1 epoch")"
        alternate_runs "$setup" "$name" "$dir"
        echo "$setup $name $SIZE" >>"$TMP/setups"
    done
done
echo

# ---- generate --------------------------------------------------------------
GEN_NOTE=
if [ -f "$SHIPPED" ]; then
    MODEL=$SHIPPED GEN_NOTE="the shipped model"
else
    MODEL=$TMP/tiny.safetensors
    if [ $HAVE_CORPUS = 1 ]; then
        sub_list 4000 gen
        TRAIN_IN=(--list "$D/gen.tsv" --epochs 3)
        GEN_NOTE="no $SHIPPED: a model of the default sizes trained 3 epochs on the first $(wc -l <"$D/gen.stats") train solos"
    else
        "$PY" "$PEER" --write-midi "$D/r1.mid" --seed 1 && "$PY" "$PEER" --write-midi "$D/r2.mid" --seed 2
        TRAIN_IN=("$D/r1.mid" "$D/r2.mid" --epochs 40)
        GEN_NOTE="no $SHIPPED and no corpus: a model of the default sizes trained 40 epochs on 2 random melodies"
    fi
    envrun "${USE[0]#*:}" "$SEQ" jazz train "${TRAIN_IN[@]}" --val 0 -o "$MODEL" -q >"$TMP/tiny.log" 2>&1 ||
        { echo "bench: training the model for generate failed: $(tail -n 3 "$TMP/tiny.log")" >&2; FAILED=1; }
fi
gen_blas=${USE[0]%%:*} gen_dir=${USE[0]#*:}
if [ -f "$MODEL" ]; then
    echo "generate: $GEN_RUNS runs of jazz generate --bars $BARS ($gen_blas)"
    for r in $(seq 1 "$GEN_RUNS"); do
        run gen "$gen_dir" "$SEQ" jazz generate -m "$MODEL" -o "$TMP/gen.mid" --bars "$BARS" --seed "$r" --json &&
            echo "$WALL $RSS $(json gen notes) $(cpu_s "$TMP/gen.time")" >>"$TMP/gen"
    done
fi
echo

# ---- table -----------------------------------------------------------------
while read -r setup name size; do
    s=$TMP/res.seqtool.$setup.$name p=$TMP/res.peer.$setup.$name
    sn=$(median 1 "$s") pn=$(median 1 "$p")
    if [ "$setup" = random ]; then
        label="random 32x64, $size step$([ "$size" = 1 ] || echo s)"
    else
        label="corpus $(wc -l <"$D/sub$size.stats") solos, 1 epoch"
    fi
    row "$label" "notes/s ($name)" "$(fmt %.0f "$sn")" "$(fmt %.0f "$pn")" "$(ratio "$sn" "$pn")" \
        "target >= 3x"
    row "" "peak RSS MB" "$(mb "$(maxcol 2 "$s")")" "$(mb "$(maxcol 2 "$p")")" "" ""
    row "" "bits/note, notes" "$(fmt %.2f "$(median 3 "$s")")" "$(fmt %.2f "$(median 3 "$p")")" "" \
        "$(median 4 "$s") and $(median 4 "$p") notes a run"
    if [ "$setup" = corpus ] && [ -s "$TMP/last.peer.$setup.$name" ]; then
        note "corpus ($name): peer's last run: $(field steps <"$TMP/last.peer.$setup.$name") steps, $(field windows <"$TMP/last.peer.$setup.$name") windows, $(field notes <"$TMP/last.peer.$setup.$name") notes in $(field slots <"$TMP/last.peer.$setup.$name") slots (the rest padding)"
    fi
done <"$TMP/setups"
if [ -s "$TMP/gen" ]; then
    row "generate --bars $BARS" "wall s ($gen_blas)" "$(fmt %.3f "$(median 1 "$TMP/gen")")" "" "" \
        "target < 0.2 s; median of $(wc -l <"$TMP/gen"), $(median 3 "$TMP/gen") notes"
    row "" "CPU s ($gen_blas)" "$(fmt %.3f "$(median 4 "$TMP/gen")")" "" "" \
        "user + system of the same runs (less hurt by other work)"
    row "" "peak RSS MB" "$(mb "$(maxcol 2 "$TMP/gen")")" "" "" ""
    note "generate: $GEN_NOTE; wall = the whole process under /usr/bin/time (start-up, model loading, writing the MIDI)"
fi
for b in "${USE[@]}"; do
    name=${b%%:*}
    for f in "$TMP"/last.*."$name"; do
        [ -s "$f" ] || continue
        s=${f#"$TMP"/last.} p=$(field parameters <"$f" 2>/dev/null) m=$(field blas <"$f" 2>/dev/null)
        [ -n "$p$m" ] && note "${s%."$name"} ($name):${p:+ $p parameters trained}${m:+; BLAS mapped: $m}"
    done
done
for b in "${USE[@]}"; do
    [ "${b%%:*}" = reference ] && note "reference BLAS: PyTorch does its products in it, seqtool in its own kernels: the ratio there says how much a user of PyTorch on Debian's default BLAS loses; OpenBLAS is the peer at its best (not installed here? BENCH_BLAS_DIRS=openblas:DIR names a private copy, e.g. unpacked with apt-get download libopenblas0-pthread; dpkg-deb -x)"
done

table setup measure seqtool pytorch ratio notes
echo "ratio = seqtool/pytorch notes per second (>1: seqtool faster); bits/note = each side's mean training"
echo "loss of its last run (a sanity check: random classes carry nothing to learn); RSS = the largest of the runs."
load_end 1
bench_time
notes
exit "$FAILED"
