#!/usr/bin/env bash
# tests/bench/emojify.sh (`tests/bench/run emojify`, `make bench BENCH=emojify`,
# part of `make bench`): seqtool emojify against fastText (Debian's
# `fasttext`, 0.9.2) and a PyTorch CPU peer of Emojifier-V2
# (tests/bench/emojify_peer.py), on the same data in one run.
#
# Data (the same for every side): the course's split,
# ../shared/datasets/course/emojify/train_emoji.csv (132 rows) and
# tesss.csv (56 rows), with the genuine GloVe 6B 50d subset
# ../shared/datasets/vectors/glove.6B.50d.subset.txt. fastText gets the
# same rows cut into words as seqtool cuts them (emojify_peer.py fasttext:
# "__label__N word word ...") and the vectors as a .vec file with a
# "count dim" header (emojify_peer.py vec), both in a temporary folder.
#
#  1. accuracy on the test rows ($BENCH_EMOJIFY_BLAS): seqtool emojify train
#     --arch v1 and --arch v2 with the course's settings (seqtool's
#     defaults: v1 400 epochs SGD lr 0.01 batch 1; v2 LSTM 128 x 2, dropout
#     0.5, 50 epochs Adam lr 0.001 batch 8; the course's batch is 32), seeds 1..$BENCH_EMOJIFY_SEEDS:
#     the median and every run. fastText: `fasttext supervised -dim 50
#     -pretrainedVectors` over the grid epochs $BENCH_EMOJIFY_FT_EPOCHS x
#     lr $BENCH_EMOJIFY_FT_LRS (-seed 1 -thread 1), scored by `fasttext
#     predict` on the test rows: its BEST test accuracy, and the whole grid.
#     Cross-checks: `seqtool emojify eval` of the seed-1 models (with -v),
#     and the PyTorch peer run with the seed-1 v2 weights on the test rows.
#  2. prediction speed, one run per side per BLAS present, alternating the
#     order: $BENCH_EMOJIFY_LINES sentences (emojify_peer.py sentences,
#     seed 1: the course's and datasets/emojify's sentences, as they are or
#     recombined) from standard input, one class per line out.
#     seqtool v1 (seed-1 model) vs `fasttext predict` (the best model of
#     the grid; fastText uses no BLAS); seqtool v2 (seed-1 model) vs the
#     PyTorch peer with the same weights (read from seqtool's model file),
#     batches of 1000 packed with pack_padded_sequence, torch 1 thread.
#     seqtool and fastText: whole-process lines/s; the peer: its own timer
#     from reading the input to writing the classes (torch import and
#     loading excluded; its process figure is in the notes). seqtool runs
#     with -v VECTORS.safetensors (`seqtool w2v convert` of the subset), so
#     it knows the same words as the peer; fastText knows its training
#     words only (that is how its models work). Peak RSS of each process.
#     The classes of seqtool v2 and the peer are compared line by line.
#     Then v2 again on two threads each side: seqtool --threads 2 (batches
#     dealt to two threads), the peer with torch.set_num_threads(2) and
#     OMP_NUM_THREADS=2, OpenBLAS kept on one thread (letting it have two
#     as well made the peer slower here: 3,817 lines/s against 7,487 on
#     one thread, as torch's and OpenBLAS's threads compete for 2 cores);
#     their classes must equal the one-thread runs'.  With OpenBLAS,
#     every seqtool/peer row is the median of $BENCH_EMOJIFY_SPEED_RUNS
#     runs (the peer's rate varies by a third from run to run here); with
#     the reference BLAS one run (the peer takes 100 s).
#  3. start-up: `seqtool emojify -m MODEL -v VECTORS "one sentence"`,
#     $BENCH_EMOJIFY_START_RUNS runs, median wall ms, for the v1 and v2
#     models with the converted (mmap) vectors, the text GloVe file and no
#     -v; beside them the same one-sentence run of fastText (v1 rows) and of
#     the PyTorch peer (v2, text vectors, 3 runs). When a 400,000-word
#     GloVe text file is at hand (../shared/datasets/vectors/glove.6B.50d.txt
#     or w2v.sh's build/bench/glove-synthetic-400000x50.txt, neither made
#     here), the v2 rows again with it and its converted form.
# One thread everywhere but the two-thread v2 rows: fastText -thread 1,
# torch.set_num_threads(1), OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1. Which BLAS each side really
# bound is shown by probe runs under LD_DEBUG=bindings.
# Targets (printed, never asserted): v1 lines/s >= fastText's; v2 lines/s
# >= 2x the peer's; start-up with the mmap vectors < 100 ms.
#
# Environment (defaults): BENCH_EMOJIFY_SEEDS (5), BENCH_EMOJIFY_LINES
# (100000), BENCH_EMOJIFY_SPEED_RUNS (3), BENCH_EMOJIFY_START_RUNS (9), BENCH_EMOJIFY_FT_EPOCHS
# ("25 50 100 200 300"), BENCH_EMOJIFY_FT_LRS ("0.1 0.3 0.5 1.0"),
# BENCH_EMOJIFY_BLAS (openblas when present), SEQTOOL (./seqtool).
# About 8 minutes on a 2-core machine (half of it the PyTorch peer on the
# reference BLAS; BENCH_EMOJIFY_LINES shortens part 2). Installs python3-torch,
# python3-numpy, fasttext and time (apt) when missing.
# Without the GloVe subset (../shared absent) it skips, says so and exits 0;
# without the course's CSVs, part 1 is skipped and part 2 trains on
# datasets/emojify/train.csv. When seqtool has no `emojify` yet, runs the
# peers' parts (the PyTorch peer with random weights), says so and exits 1;
# exits 1 too when any run fails.
. "$(dirname "$0")/lib.sh" || exit 1
SEEDS=${BENCH_EMOJIFY_SEEDS:-5}
NLINES=${BENCH_EMOJIFY_LINES:-100000}
SPEED_RUNS=${BENCH_EMOJIFY_SPEED_RUNS:-3}
START_RUNS=${BENCH_EMOJIFY_START_RUNS:-9}
FT_EPOCHS=${BENCH_EMOJIFY_FT_EPOCHS:-25 50 100 200 300}
FT_LRS=${BENCH_EMOJIFY_FT_LRS:-0.1 0.3 0.5 1.0}
COURSE=../shared/datasets/course/emojify
TRAIN=$COURSE/train_emoji.csv
TEST=$COURSE/tesss.csv
GLOVE=../shared/datasets/vectors/glove.6B.50d.subset.txt
SENTENCE="i am so happy that we won the game"

if [ ! -f "$GLOVE" ]; then
    echo "bench: emojify skipped: $GLOVE is absent (the course data and the GloVe subset live in ../shared/datasets)"
    exit 0
fi
HAVE_COURSE=1
[ -f "$TRAIN" ] && [ -f "$TEST" ] || HAVE_COURSE=0

setup_bench torch:python3-torch numpy:python3-numpy || exit 1
pick_blas "${BENCH_EMOJIFY_BLAS:-}" || exit 1
HAVE_FT=1
if ! command -v fasttext >/dev/null 2>&1; then
    echo "bench: installing fasttext"
    apt_install fasttext >/dev/null 2>&1 || true
    command -v fasttext >/dev/null 2>&1 ||
        { echo "bench: cannot install fasttext: its columns stay empty" >&2; HAVE_FT=0 FAILED=1; }
fi
HAVE_SEQ=1
if ! seq_has emojify; then
    echo "bench: seqtool side NOT READY: $SEQ_NAME has no 'emojify' yet; running the fastText and PyTorch parts only" >&2
    HAVE_SEQ=0 FAILED=1
fi

# ---- helpers ----------------------------------------------------------

pct() { [ -n "${1:-}" ] && awk -v v="$1" 'BEGIN{printf "%.2f", 100*v}'; }
# pts A B: A - B in percentage points (A, B fractions)
pts() { [ -n "${1:-}" ] && [ -n "${2:-}" ] && awk -v a="$1" -v b="$2" 'BEGIN{printf "%+.2fpt", 100*(a-b)}'; }
ms() { awk -v w="$1" 'BEGIN{printf "%.1f", 1000*w}'; }
# same A B: how many lines of two files agree, "K of N (P%)"
same() {
    paste -d' ' "$1" "$2" | awk '{n++; if ($1 == $2) k++} END{printf "%d of %d (%.2f%%)", k, n, n ? 100*k/n : 0}'
}
# ft_label FILE: fastText's "__label__N" lines as N (an empty line stays empty)
ft_label() { sed 's/^__label__//; s/ .*//' "$1"; }
# col SIDE COLUMN: a figure of part 2's runs of SIDE with the BLAS $name
# (the median when there are several)
col() { median "$2" "$TMP/sp.$1.$name" 2>/dev/null; }
# runs_of SIDE: "1 run" or "median of N runs"
runs_of() {
    local n
    n=$(wc -l <"$TMP/sp.$1.$name" 2>/dev/null || echo 0)
    [ "${n:-0}" -gt 1 ] && echo "median of $n runs" || echo "1 run"
}

# shellcheck disable=SC2034  # read by row and table (lib.sh)
ROW_FMT='%-36s %-19s %9s %9s %8s  %s\n'

echo "seqtool emojify vs fastText $(dpkg-query -W -f='${Version}' fasttext 2>/dev/null || echo '(absent)') and PyTorch $(pyver torch) (1 thread); $(nproc) CPUs"
echo "threads: fastText -thread 1, torch.set_num_threads(1), OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1"
echo "BLAS for 1 and 3: $BLAS ($BLASDIR); 2: each of ${BLASES[*]%%:*}"
load_start
[ $HAVE_SEQ = 1 ] || echo "seqtool side: NOT READY (no emojify command): its columns stay empty"
[ $HAVE_COURSE = 1 ] || echo "course split absent ($TRAIN, $TEST): part 1 skipped; models for 2 and 3 trained on datasets/emojify/train.csv"
echo

# ---- data --------------------------------------------------------------
D=$TMP/data
mkdir -p "$D"
POOL=(datasets/emojify/train.csv datasets/emojify/test.csv)
if [ $HAVE_COURSE = 1 ]; then
    POOL=("$TRAIN" "$TEST" "${POOL[@]}")
    [ -f "$COURSE/emojify_data.csv" ] && POOL+=("$COURSE/emojify_data.csv")
    FIT=$TRAIN
else
    FIT=datasets/emojify/train.csv
fi
$PY "$PEER" sentences "$NLINES" --seed 1 "${POOL[@]}" >"$D/sentences.txt" ||
    { echo "bench: making the sentences failed" >&2; exit 1; }
NL=$(wc -l <"$D/sentences.txt") NW=$(wc -w <"$D/sentences.txt")
head -n 200 "$D/sentences.txt" >"$D/probe.txt"
$PY "$PEER" vec "$GLOVE" "$D/glove.vec" || { echo "bench: writing the .vec file failed" >&2; exit 1; }
$PY "$PEER" fasttext "$FIT" "$D/ft.train" "$D/fit.text" "$D/fit.labels" || exit 1
if [ $HAVE_COURSE = 1 ]; then
    $PY "$PEER" fasttext "$TEST" "$D/ft.test" "$D/test.text" "$D/test.labels" || exit 1
fi
echo "data: $NL sentences ($NW words, seed 1, from ${POOL[*]}); vectors $GLOVE ($(wc -l <"$GLOVE") words)"

VST=
if [ $HAVE_SEQ = 1 ]; then
    if run convert "$BLASDIR" "$SEQ" w2v convert "$GLOVE" -o "$D/glove.safetensors"; then
        VST=$D/glove.safetensors
        note "convert: seqtool w2v convert of the subset: $(ms "$WALL") ms, $(du -k "$VST" | cut -f1) kB"
    else
        note "convert: seqtool w2v convert failed: seqtool predicts with the text vectors in 2, no mmap rows in 3"
    fi
fi
VPRED=${VST:-$GLOVE}

# ---- probes -----------------------------------------------------------
echo "BLAS really used (probe runs under LD_DEBUG=bindings: where s{gemm,gemv} were bound; 200 sentences)"
PROBE_MODEL=
if [ $HAVE_SEQ = 1 ]; then
    "$SEQ" emojify train "$FIT" -v "$GLOVE" -o "$D/probe.safetensors" --arch v2 --epochs 1 -q >/dev/null 2>&1 &&
        PROBE_MODEL=$D/probe.safetensors
fi
for b in "${BLASES[@]}"; do
    name=${b%%:*} dir=${b#*:}
    [ -n "$PROBE_MODEL" ] && printf '  %-9s %-16s -> %s\n' "$name" "seqtool v2" \
        "$(blas_probe 'gemm\|gemv' "$dir" sh -c '"$0" emojify -q -m "$1" -v "$2" --label <"$3"' "$SEQ" "$PROBE_MODEL" "$VPRED" "$D/probe.txt")"
    printf '  %-9s %-16s -> %s\n' "$name" "pytorch peer" \
        "$(blas_probe --from='libtorch' 'gemm\|gemv' "$dir" $PY "$PEER" predict -v "$GLOVE" --random-weights "$D/probe.txt" /dev/null)"
done
echo

# ---- 1. accuracy -------------------------------------------------------
V1_MODEL= V2_MODEL= FT_MODEL=
# seq_train NAME KIND SEED [TEST]: one seqtool training run, model in $TMP/NAME.safetensors
seq_train() {
    local name=$1 kind=$2 seed=$3 test=${4:-}
    run "$name" "$BLASDIR" "$SEQ" emojify train "$FIT" -v "$GLOVE" -o "$TMP/$name.safetensors" \
        --arch "$kind" --seed "$seed" ${test:+--test "$test"} --json -q
}
if [ $HAVE_COURSE = 1 ]; then
    echo "1. accuracy on $TEST ($(wc -l <"$D/test.labels") rows), trained on $TRAIN ($(wc -l <"$D/fit.labels") rows)"
    if [ $HAVE_SEQ = 1 ]; then
        for kind in v1 v2; do
            runs=
            for s in $(seq 1 "$SEEDS"); do
                seq_train "acc_${kind}_$s" "$kind" "$s" "$TEST" || continue
                f=$TMP/acc_${kind}_$s.out
                a=$(jfield "$f" test.accuracy) c=$(jfield "$f" test.correct) n=$(jfield "$f" test.sentences)
                if [ -z "$a" ]; then
                    echo "bench: seqtool emojify train --json gave no test.accuracy" >&2; FAILED=1; continue
                fi
                echo "$a $c $n $WALL $(jfield "$TMP/acc_${kind}_$s.out" seconds)" >>"$TMP/acc.$kind"
                runs="$runs seed $s: $(pct "$a")% ($c/$n, $(fmt %.2f "$WALL") s);"
            done
            [ -s "$TMP/acc.$kind" ] || continue
            m=$(median 1 "$TMP/acc.$kind")
            printf -v "ACC_$kind" '%s' "$m"
            note "1: seqtool $kind test accuracy per seed:${runs% ;}"
            [ -s "$TMP/acc_${kind}_1.safetensors" ] && printf -v "${kind^^}_MODEL" '%s' "$TMP/acc_${kind}_1.safetensors"
        done
        # cross-checks with the seed-1 models
        for kind in v1 v2; do
            mdl=$TMP/acc_${kind}_1.safetensors
            [ -s "$mdl" ] || continue
            if run "eval_$kind" "$BLASDIR" "$SEQ" emojify eval "$TEST" -m "$mdl" -v "$GLOVE" --json -q; then
                ea=$(jfield "$TMP/eval_$kind.out" accuracy)
                ta=$(awk 'NR==1{print $1}' "$TMP/acc.$kind")
                if [ "$(pct "$ea")" = "$(pct "$ta")" ]; then v=agrees; else v="DIFFERS from train --test's $(pct "$ta")%"; FAILED=1; fi
                note "1: seqtool emojify eval of the seed-1 $kind model (-v the subset): $(pct "$ea")% ($(jfield "$TMP/eval_$kind.out" correct)/$(jfield "$TMP/eval_$kind.out" sentences)): $v"
            fi
        done
        if [ -n "$V2_MODEL" ] && run peer_test "$BLASDIR" $PY "$PEER" predict -v "$GLOVE" --weights "$V2_MODEL" --test "$TEST"; then
            pa=$(jfield "$TMP/peer_test.err" test_accuracy)
            ta=$(awk 'NR==1{print $1}' "$TMP/acc.v2")
            if [ "$(pct "$pa")" = "$(pct "$ta")" ]; then v="the same as seqtool's"; else v="seqtool said $(pct "$ta")%"; fi
            note "1: the PyTorch peer with the seed-1 v2 weights on the test rows: $(pct "$pa")% ($(jfield "$TMP/peer_test.err" test_correct)/$(jfield "$TMP/peer_test.err" test_total)): $v"
        fi
    fi
    if [ $HAVE_FT = 1 ]; then
        best= best_e= best_lr=
        printf '%s' "1: fastText test accuracy %, epochs (rows) x lr (columns):" >>"$NOTES"
        printf '\n   %-6s' epoch >>"$NOTES"
        for lr in $FT_LRS; do printf ' %7s' "$lr" >>"$NOTES"; done
        for e in $FT_EPOCHS; do
            printf '\n   %-6s' "$e" >>"$NOTES"
            for lr in $FT_LRS; do
                m=$TMP/ft_${e}_$lr
                if run "ft_${e}_$lr" "$BLASDIR" fasttext supervised -input "$D/ft.train" -output "$m" -dim 50 \
                        -pretrainedVectors "$D/glove.vec" -epoch "$e" -lr "$lr" -thread 1 -seed 1 -verbose 0 &&
                   run "ftp_${e}_$lr" "$BLASDIR" fasttext predict "$m.bin" "$D/test.text"; then
                    ft_label "$TMP/ftp_${e}_$lr.out" >"$TMP/ftp_${e}_$lr.lab"
                    c=$(paste -d' ' "$D/test.labels" "$TMP/ftp_${e}_$lr.lab" | awk '$1 == $2 {k++} END{print k + 0}')
                    n=$(wc -l <"$D/test.labels")
                    a=$(awk -v c="$c" -v n="$n" 'BEGIN{print c/n}')
                    printf ' %7s' "$(pct "$a")" >>"$NOTES"
                    if [ -z "$best" ] || awk -v a="$a" -v b="$best" 'BEGIN{exit !(a > b)}'; then
                        best=$a best_e=$e best_lr=$lr best_c=$c best_n=$n FT_MODEL=$m.bin
                    fi
                    rm -f "$m.vec"
                else
                    printf ' %7s' fail >>"$NOTES"
                fi
            done
        done
        echo >>"$NOTES"
        ACC_FT=$best
    fi
    ftnote=
    [ -n "${ACC_FT:-}" ] && ftnote="fastText: best of the grid (epoch $best_e, lr $best_lr: $best_c/$best_n)"
    row "1 test accuracy v1 / fastText" "% (median $SEEDS seeds)" "$(pct "${ACC_v1:-}")" "$(pct "${ACC_FT:-}")" "$(pts "${ACC_v1:-}" "${ACC_FT:-}")" \
        "seqtool v1 (400 epochs SGD 0.01); $ftnote"
    row "1 test accuracy v2 / fastText" "% (median $SEEDS seeds)" "$(pct "${ACC_v2:-}")" "$(pct "${ACC_FT:-}")" "$(pts "${ACC_v2:-}" "${ACC_FT:-}")" \
        "seqtool v2 (50 epochs Adam 0.001 batch 8); the same fastText figure"
    [ -s "$TMP/acc.v2" ] && row "" "train s (median)" "$(fmt %.2f "$(median 4 "$TMP/acc.v2")")" "" "" \
        "v2 training process, $(wc -l <"$D/fit.labels") rows x 50 epochs (v1: $(fmt %.2f "$(median 4 "$TMP/acc.v1" 2>/dev/null)") s)"
else
    echo "1. skipped: the course split ($TRAIN, $TEST) is absent"
    row "1 test accuracy" "skipped" "" "" "" "$TRAIN or $TEST absent"
fi

# models for 2 and 3 when part 1 made none
if [ $HAVE_SEQ = 1 ]; then
    for kind in v1 v2; do
        v=${kind^^}_MODEL
        [ -n "${!v}" ] && continue
        seq_train "fit_$kind" "$kind" 1 && printf -v "$v" '%s' "$TMP/fit_$kind.safetensors"
    done
fi
if [ $HAVE_FT = 1 ] && [ -z "$FT_MODEL" ]; then
    run ft_fit "$BLASDIR" fasttext supervised -input "$D/ft.train" -output "$TMP/ft_fit" -dim 50 \
        -pretrainedVectors "$D/glove.vec" -epoch 100 -lr 0.5 -thread 1 -seed 1 -verbose 0 && FT_MODEL=$TMP/ft_fit.bin
    note "2: fastText model for the speed runs: epoch 100, lr 0.5 (no grid without the course split)"
fi
PEER_W=(--random-weights --seed 1)
[ -n "$V2_MODEL" ] && PEER_W=(--weights "$V2_MODEL")

# ---- 2. prediction speed -----------------------------------------------
echo "2. predict $NL sentences from stdin: 1 run per side per BLAS, order alternating"
i=0
for b in "${BLASES[@]}"; do
    name=${b%%:*} dir=${b#*:}
    reps=1
    [ "$name" = openblas ] && reps=$SPEED_RUNS
    for rep in $(seq 1 "$reps"); do
    i=$((i + 1))
    for side in $(alternate "$i" v1 ft v2 peer v2t2 peert2); do
        case $side in
        v1|v2)
            m=${side^^}_MODEL
            [ -n "${!m}" ] || continue
            RUN_IN=$D/sentences.txt run "sp_${side}_$name" "$dir" "$SEQ" emojify -q -m "${!m}" -v "$VPRED" --label &&
                echo "$(lps "$NL" "$WALL") $RSS $WALL" >>"$TMP/sp.$side.$name" ;;
        ft)
            [ -n "$FT_MODEL" ] || continue
            RUN_IN=$D/sentences.txt run "sp_ft_$name" "$dir" fasttext predict "$FT_MODEL" - &&
                echo "$(lps "$NL" "$WALL") $RSS $WALL" >>"$TMP/sp.ft.$name" ;;
        peer)
            RUN_IN=$D/sentences.txt run "sp_peer_$name" "$dir" $PY "$PEER" predict -v "$GLOVE" "${PEER_W[@]}" &&
                echo "$(jfield "$TMP/sp_peer_$name.err" lines_per_s) $RSS $WALL" >>"$TMP/sp.peer.$name" ;;
        v2t2)
            [ -n "$V2_MODEL" ] || continue
            RUN_IN=$D/sentences.txt run "sp_v2t2_$name" "$dir" "$SEQ" emojify -q -m "$V2_MODEL" -v "$VPRED" --label --threads 2 &&
                echo "$(lps "$NL" "$WALL") $RSS $WALL" >>"$TMP/sp.v2t2.$name" ;;
        peert2)
            RUN_IN=$D/sentences.txt run "sp_peert2_$name" "$dir" env OMP_NUM_THREADS=2 \
                $PY "$PEER" predict -v "$GLOVE" "${PEER_W[@]}" --threads 2 &&
                echo "$(jfield "$TMP/sp_peert2_$name.err" lines_per_s) $RSS $WALL" >>"$TMP/sp.peert2.$name" ;;
        esac
    done
    done
    for f in sp_v1 sp_v2 sp_ft sp_peer sp_v2t2 sp_peert2; do
        [ -s "$TMP/${f}_$name.out" ] || continue
        n=$(wc -l <"$TMP/${f}_$name.out")
        [ "$n" = "$NL" ] || { echo "bench: $f ($name) wrote $n lines for $NL sentences" >&2; FAILED=1; }
    done
    row "2 predict v1 / fastText ($name)" "lines/s ($(runs_of v1))" "$(fmt %.0f "$(col v1 1)")" "$(fmt %.0f "$(col ft 1)")" \
        "$(ratio "$(col v1 1)" "$(col ft 1)")" "target >= 1x; both whole processes (fastText uses no BLAS)"
    row "" "peak RSS MB" "$(mb "$(col v1 2)")" "$(mb "$(col ft 2)")" "" ""
    row "2 predict v2 / PyTorch ($name)" "lines/s ($(runs_of v2))" "$(fmt %.0f "$(col v2 1)")" "$(fmt %.0f "$(col peer 1)")" \
        "$(ratio "$(col v2 1)" "$(col peer 1)")" "target >= 2x; seqtool: whole process; peer: its loop (process: $(fmt %.0f "$(lps "$NL" "$(col peer 3)")") lines/s, $(fmt %.1f "$(col peer 3)") s)"
    row "" "peak RSS MB" "$(mb "$(col v2 2)")" "$(mb "$(col peer 2)")" "" ""
    row "2 predict v2 / PyTorch, 2 threads ($name)" "lines/s ($(runs_of v2t2))" "$(fmt %.0f "$(col v2t2 1)")" "$(fmt %.0f "$(col peert2 1)")" \
        "$(ratio "$(col v2t2 1)" "$(col peert2 1)")" "seqtool --threads 2; peer torch.set_num_threads(2), OMP_NUM_THREADS=2, OpenBLAS on 1"
    row "" "peak RSS MB" "$(mb "$(col v2t2 2)")" "$(mb "$(col peert2 2)")" "" ""
    for f in v2t2 peert2; do
        src=v2; [ $f = peert2 ] && src=peer
        [ -s "$TMP/sp_${f}_$name.out" ] && [ -s "$TMP/sp_${src}_$name.out" ] && ! cmp -s "$TMP/sp_${f}_$name.out" "$TMP/sp_${src}_$name.out" &&
            { echo "bench: $f ($name): 2 threads changed the classes" >&2; FAILED=1; }
    done
    if [ -s "$TMP/sp_v2_$name.out" ] && [ -s "$TMP/sp_peer_$name.out" ]; then
        note "2: seqtool v2 and the PyTorch peer ($name, ${PEER_W[*]}) give the same class on $(same "$TMP/sp_v2_$name.out" "$TMP/sp_peer_$name.out") lines"
    fi
    if [ -s "$TMP/sp_v1_$name.out" ] && [ -s "$TMP/sp_ft_$name.out" ]; then
        ft_label "$TMP/sp_ft_$name.out" >"$TMP/sp_ft_$name.lab"
        note "2: seqtool v1 and fastText ($name; different models) agree on $(same "$TMP/sp_v1_$name.out" "$TMP/sp_ft_$name.lab") lines"
    fi
    [ -s "$TMP/sp_peer_$name.err" ] && note "2: peer ($name): $(grep '^{' "$TMP/sp_peer_$name.err" | tail -n 1 |
        $PY -c 'import json,sys; r=json.loads(sys.stdin.read()); print("loading %.2f s, %d of %d words known, %d lines with none, blas %s" % (r["load_seconds"], r["known_words"], r["words"], r["no_known_word"], " ".join(r["blas"])))' 2>/dev/null)"
done
note "2: seqtool predicts with -v $(basename "$VPRED"); the peer looks words up in $(basename "$GLOVE"); fastText in its training dictionary"

# ---- 3. start-up -------------------------------------------------------
echo "3. start-up: one sentence, $START_RUNS runs each ($BLAS)"
# startup NAME CMD...: $START_RUNS runs (START_N to override), median wall s in SU, largest RSS in SU_RSS
startup() {
    local name=$1 r; shift
    rm -f "$TMP/su.$name"
    for r in $(seq 1 "${START_N:-$START_RUNS}"); do
        run "su_$name" "$BLASDIR" "$@" && echo "$WALL $RSS" >>"$TMP/su.$name"
    done
    SU=$(median 1 "$TMP/su.$name" 2>/dev/null) SU_RSS=$(maxcol 2 "$TMP/su.$name" 2>/dev/null)
}
su_row() {   # LABEL SEQ_S PEER_S NOTE
    local s= p=
    [ -n "$2" ] && s=$(ms "$2")
    [ -n "$3" ] && p=$(ms "$3")
    row "$1" "ms (median)" "$s" "$p" "$(ratio "$3" "$2")" "$4"
}
BIG=
for f in ../shared/datasets/vectors/glove.6B.50d.txt build/bench/glove-synthetic-400000x50.txt; do
    [ -s "$f" ] && { BIG=$f; break; }
done
BIGST=
if [ $HAVE_SEQ = 1 ] && [ -n "$BIG" ] && run convert_big "$BLASDIR" "$SEQ" w2v convert "$BIG" -o "$D/big.safetensors"; then
    BIGST=$D/big.safetensors
fi
ft1= peer1=
if [ -n "$FT_MODEL" ]; then
    printf '%s\n' "$SENTENCE" >"$D/one.txt"
    RUN_IN=$D/one.txt startup ft fasttext predict "$FT_MODEL" - && ft1=$SU
fi
printf '%s\n' "$SENTENCE" >"$D/one.txt"
RUN_IN=$D/one.txt START_N=3 startup peer $PY "$PEER" predict -v "$GLOVE" "${PEER_W[@]}" && peer1=$SU
for kind in v1 v2; do
    m=${kind^^}_MODEL
    [ -n "${!m}" ] || continue
    if [ $kind = v1 ]; then p=$ft1 pn="fastText"; else p=$peer1 pn="PyTorch peer (3 runs)"; fi
    if [ -n "$VST" ]; then
        startup "${kind}_st" "$SEQ" emojify -m "${!m}" -v "$VST" "$SENTENCE"
        su_row "3 start-up $kind -v .safetensors" "$SU" "$p" "target < 100 ms; peak RSS $(mb "$SU_RSS") MB; peer: $pn"
        note "3: $kind says: $(head -n 1 "$TMP/su_${kind}_st.out")"
    fi
    startup "${kind}_txt" "$SEQ" emojify -m "${!m}" -v "$GLOVE" "$SENTENCE"
    su_row "3 start-up $kind -v GloVe text" "$SU" "" "contrast: the $(wc -l <"$GLOVE")-word text file parsed; peak RSS $(mb "$SU_RSS") MB"
    startup "${kind}_none" "$SEQ" emojify -m "${!m}" "$SENTENCE"
    w=$(jfield "$TMP/acc_${kind}_1.out" words)
    su_row "3 start-up $kind, no -v" "$SU" "" "the model's own ${w:-?} words; peak RSS $(mb "$SU_RSS") MB"
    if [ $kind = v2 ] && [ -n "$BIG" ]; then
        if [ -n "$BIGST" ]; then
            startup "${kind}_bigst" "$SEQ" emojify -m "${!m}" -v "$BIGST" "$SENTENCE"
            su_row "3 start-up v2 -v 400k .safetensors" "$SU" "" "target < 100 ms; $(basename "$BIG") converted; peak RSS $(mb "$SU_RSS") MB"
        fi
        START_N=3 startup "${kind}_bigtxt" "$SEQ" emojify -m "${!m}" -v "$BIG" "$SENTENCE"
        su_row "3 start-up v2 -v 400k text" "$SU" "" "contrast (3 runs): $(basename "$BIG"); peak RSS $(mb "$SU_RSS") MB"
    fi
done
[ -z "$BIG" ] && note "3: no 400,000-word GloVe text at hand (../shared/datasets/vectors/glove.6B.50d.txt, or build/bench/glove-synthetic-400000x50.txt from make bench BENCH=w2v): start-up measured with the $(wc -l <"$GLOVE")-word subset only"

# ---- table ----------------------------------------------------------------
table item measure seqtool peer ratio notes
echo "peer: fastText for v1 rows (and the accuracy rows), the PyTorch Emojifier-V2 for v2 rows."
echo "ratio: 1: seqtool - fastText in points; 2: seqtool/peer lines/s (>1: seqtool faster); 3: peer/seqtool time."
[ $HAVE_SEQ = 1 ] || note "seqtool side NOT READY: $SEQ_NAME has no emojify; only the peers ran"
load_end 1
bench_time
notes
[ $HAVE_SEQ = 1 ] || echo "bench: emojify: seqtool side not ready (no emojify command): exit 1" >&2
exit "$FAILED"
