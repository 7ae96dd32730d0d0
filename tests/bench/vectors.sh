#!/usr/bin/env bash
# tests/bench/vectors.sh (`make bench BENCH=vectors`, part of `make bench`):
# the word vectors shipped in datasets/w2v beside gensim's Word2Vec trained
# on the same corpus with the same settings, in one run.
#
#  1. train: `seqtool w2v train` with the command of `make w2v-vectors`
#     (skip-gram, negative sampling 5, dim 100, window 5, min-count 8,
#     sample 1e-3, 5 epochs, one thread, seed 1) and gensim Word2Vec
#     (tests/bench/w2v_peer.py train) with the same settings, on
#     datasets/w2v/corpus.txt ($BENCH_W2V_CORPUS; made by
#     datasets/w2v/make-corpus when absent): seconds, words/s, peak RSS;
#     whether seqtool's vectors are the shipped float32 ones bit for bit
#     (build/w2v/vectors-float32.safetensors, when make w2v-vectors left it).
#  2. scores, each vector set by the same protocols (seqtool's evaluators,
#     which are gensim's): analogy accuracy on questions-words.txt with
#     restrict-vocab 30000, Spearman on wordsim353.tsv and simlex999.txt;
#     for seqtool's vectors, as float32 and as the shipped 8-bit rows
#     (datasets/w2v/vectors.safetensors, or the 8-bit conversion of this
#     run's when none is shipped); for gensim's, also gensim's own
#     evaluate_word_analogies and evaluate_word_pairs, to show that the
#     protocols agree.  Needs ../shared/datasets/eval ($BENCH_W2V_EVAL;
#     skipped without).
#  3. start-up on the shipped vectors: `seqtool w2v similarity king queen`
#     with no -v, whole process, median of $BENCH_SIM_RUNS (15) runs, and
#     its peak RSS (target < 30 ms).
# One run of each training (minutes each); BLAS single-threaded, the one
# `pick_blas` chooses ($BENCH_W2V_BLAS).  Speeds are printed, never
# asserted.  Installs python3-gensim (apt) when /usr/bin/python3 cannot
# import it.  Exits 1 only when a run fails.
. "$(dirname "$0")/lib.sh" || exit 1
PEER=tests/bench/w2v_peer.py
CORPUS=${BENCH_W2V_CORPUS:-datasets/w2v/corpus.txt}
SHIPPED=datasets/w2v/vectors.safetensors
FLOAT32=build/w2v/vectors-float32.safetensors
EVAL=${BENCH_W2V_EVAL:-../shared/datasets/eval}
SIM_RUNS=${BENCH_SIM_RUNS:-15}
SETTINGS=(--dim 100 --window 5 --negative 5 --min-count 8 --sample 1e-3 --epochs 5 --threads 1 --seed 1)

setup_bench gensim:python3-gensim || exit 1
pick_blas "${BENCH_W2V_BLAS:-}" || exit 1
seq_has w2v || { echo "bench: $SEQ has no w2v command" >&2; exit 1; }
if [ ! -s "$CORPUS" ]; then
    echo "bench: making $CORPUS (datasets/w2v/make-corpus)"
    datasets/w2v/make-corpus "$CORPUS" >/dev/null || { echo "bench: make-corpus failed" >&2; exit 1; }
fi
# shellcheck disable=SC2034  # read by row and table (lib.sh)
ROW_FMT='%-30s %-20s %12s %12s %9s  %s\n'
echo "shipped vectors vs gensim $(pyver gensim) Word2Vec on $CORPUS ($(wc -w <"$CORPUS") tokens); $(nproc) CPUs, BLAS $BLAS"
echo "settings: ${SETTINGS[*]}"
load_start
echo

# ---- 1. training -------------------------------------------------------
echo "1. training, one run each"
ST=$TMP/seqtool.safetensors GV=$TMP/gensim.vec
if run train_seq "$BLASDIR" "$SEQ" w2v train "$CORPUS" "${SETTINGS[@]}" -o "$ST" --json -q; then
    ss=$WALL srss=$RSS sw=$(json train_seq words_per_second) strain=$(json train_seq train_seconds)
fi
if run train_gen "$BLASDIR" $PY "$PEER" train "$CORPUS" "$GV" --dim 100 --window 5 --negative 5 \
        --min-count 8 --sample 1e-3 --epochs 5 --threads 1 --seed 1; then
    gs=$WALL grss=$RSS gw=$(json train_gen words_per_s) gtrain=$(json train_gen seconds)
fi
row "train (whole process)" "seconds" "$(fmt %.1f "${ss:-}")" "$(fmt %.1f "${gs:-}")" "$(ratio "${gs:-}" "${ss:-}" %.2fx)" \
    "training alone: seqtool $(fmt %.1f "${strain:-}") s, gensim $(fmt %.1f "${gtrain:-}") s"
row "" "words/s" "$(fmt %.0f "${sw:-}")" "$(fmt %.0f "${gw:-}")" "$(ratio "${sw:-}" "${gw:-}" %.2fx)" "corpus tokens x epochs / training seconds"
row "" "peak RSS MB" "$(mb "${srss:-}")" "$(mb "${grss:-}")" "" ""
if [ -s "$ST" ] && [ -f "$FLOAT32" ]; then
    # the same data section, whatever the recorded command line
    if $PY - "$ST" "$FLOAT32" <<'EOF'; then
import struct, sys
def data(path):
    raw = open(path, "rb").read()
    return raw[8 + struct.unpack("<Q", raw[:8])[0]:]
sys.exit(0 if data(sys.argv[1]) == data(sys.argv[2]) else 1)
EOF
        note "1: this run's seqtool vectors are the shipped float32 ones ($FLOAT32), value for value"
    else
        note "1: this run's seqtool vectors differ from $FLOAT32 (another corpus or CPU?)"
    fi
fi
[ -f "$FLOAT32" ] || FLOAT32=$ST
if [ ! -f "$SHIPPED" ]; then
    SHIPPED=$TMP/int8.safetensors
    "$SEQ" w2v convert "$ST" --int8 -o "$SHIPPED" -q
    note "2: no $SHIPPED yet: the 8-bit column is this run's vectors converted"
fi

# ---- 2. scores -----------------------------------------------------------
if [ ! -f "$EVAL/questions-words.txt" ]; then
    echo "2. skipped: $EVAL is absent"
    row "scores" "skipped" "" "" "" "$EVAL absent"
else
    echo "2. scores by the same protocols"
    score() { # NAME VECTORS: "analogy ws353 simlex" by seqtool's evaluators
        local a w s
        a=$("$SEQ" w2v analogy -v "$2" --eval "$EVAL/questions-words.txt" --restrict-vocab 30000 --json -q |
            tail -n 1 | field accuracy)
        w=$("$SEQ" w2v similarity -v "$2" --eval "$EVAL/wordsim353.tsv" --json | field spearman)
        s=$("$SEQ" w2v similarity -v "$2" --eval "$EVAL/simlex999.txt" --json | field spearman)
        echo "$a $w $s" >"$TMP/score.$1"
    }
    score f32 "$FLOAT32"
    score int8 "$SHIPPED"
    [ -s "$GV" ] && score gensim "$GV"
    col() { [ -s "$TMP/score.$1" ] && cut -d' ' -f"$2" "$TMP/score.$1"; }
    diffpt() { [ -n "${1:-}" ] && [ -n "${2:-}" ] && awk -v a="$1" -v b="$2" -v m="$3" 'BEGIN{printf "%+.2f", (a-b)*m}'; }
    for k in 1:analogy:"accuracy % (30000)":1 2:WordSim353:"Spearman":100 3:SimLex-999:"Spearman":100; do
        IFS=: read -r c name what mul <<<"$k"
        f=%.4f; [ "$mul" = 1 ] && f=%.2f
        row "$name, float32" "$what" "$(fmt $f "$(col f32 "$c")")" "$(fmt $f "$(col gensim "$c")")" \
            "$(diffpt "$(col f32 "$c")" "$(col gensim "$c")" "$mul")" "seqtool - gensim, in points"
        row "$name, shipped 8-bit" "$what" "$(fmt $f "$(col int8 "$c")")" "" \
            "$(diffpt "$(col int8 "$c")" "$(col f32 "$c")" "$mul")" "8-bit - float32, in points"
    done
    if [ -s "$GV" ]; then
        run geval "$BLASDIR" $PY "$PEER" eval "$GV" "$EVAL/questions-words.txt" --restrict-vocab 30000 &&
            ga=$(json geval total.accuracy)
        run gws "$BLASDIR" $PY "$PEER" wordsim "$GV" "$EVAL/wordsim353.tsv" && gws=$(json gws spearman)
        run gsl "$BLASDIR" $PY "$PEER" wordsim "$GV" "$EVAL/simlex999.txt" && gsl=$(json gsl spearman)
        note "2: gensim's own evaluators on its vectors: analogy $(fmt %.2f "${ga:-}")%, WordSim353 $(fmt %.4f "${gws:-}"), SimLex-999 $(fmt %.4f "${gsl:-}") (seqtool's on the same file: $(col gensim 1 | xargs printf %.2f)%, $(col gensim 2 | xargs printf %.4f), $(col gensim 3 | xargs printf %.4f))"
    fi
fi

# ---- 3. start-up on the shipped vectors --------------------------------
echo "3. start-up: similarity king queen with no -v, $SIM_RUNS runs"
mkdir -p "$TMP/empty"
SEQ_ABS=$(realpath "$SEQ_NAME")
for r in $(seq 1 "$SIM_RUNS"); do
    # from an empty folder, so no ./vectors.safetensors comes first
    run sim "$BLASDIR" env -u SEQTOOL_VECTORS -C "$TMP/empty" "$SEQ_ABS" w2v similarity king queen &&
        echo "$(awk -v w="$WALL" 'BEGIN{printf "%.3f", w*1000}') $RSS" >>"$TMP/sim"
done
row "start-up, shipped vectors" "ms (median)" "$(fmt %.1f "$(median 1 "$TMP/sim")")" "" "" \
    "target < 30 ms; whole process; similarity $(cat "$TMP/sim.out" 2>/dev/null); peak RSS $(mb "$(maxcol 2 "$TMP/sim")") MB"
row "shipped file" "MB" "$(mb $(( $(stat -c %s "$SHIPPED") / 1024 )))" "" "" "$SHIPPED"

table "" "" seqtool gensim ratio ""
notes
load_end "1 CPU"
bench_time
exit "$FAILED"
