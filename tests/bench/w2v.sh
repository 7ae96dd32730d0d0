#!/usr/bin/env bash
# tests/bench/w2v.sh (`tests/bench/run w2v`, `make bench BENCH=w2v`, part of
# `make bench`): seqtool w2v against gensim (tests/bench/w2v_peer.py,
# Debian's python3-gensim) on the same files, the same BLAS, in one run.
#
#  a. load a 400,000 x 50 GloVe text file: gensim
#     KeyedVectors.load_word2vec_format(no_header=True) (its own timer) vs
#     `seqtool w2v info -v FILE` (whole process, which parses and verifies
#     the text); $BENCH_RUNS alternating runs each, medians; peak RSS. The
#     file is $BENCH_W2V_GLOVE, or ../shared/datasets/vectors/glove.6B.50d.txt
#     when present, else a synthetic one from tests/bench/make_glove.py,
#     made once and kept in build/bench/.
#  b. the mmap form: `seqtool w2v convert FILE -o FILE.safetensors` once
#     (timed), then `seqtool w2v similarity -v FILE.safetensors W1 W2`
#     (first and last word) $BENCH_SIM_RUNS times: median wall ms.
#  c. the analogy evaluation of ../shared/datasets/vectors/glove.6B.50d.subset.txt
#     on ../shared/datasets/eval/questions-words.txt, restrict-vocab 30000,
#     case folding on, once per BLAS present: seqtool w2v analogy --eval
#     (whole process, loading included) vs gensim evaluate_word_analogies
#     (its own timer, loading excluded); then question by question: seqtool's
#     --per-question verdicts against gensim's (w2v_peer.py compare), with
#     the first differences and both sides' answers.
#  d. training on datasets/w2v/corpus.txt (made by `make corpus` when
#     absent): seqtool w2v train vs gensim Word2Vec, skip-gram with negative
#     sampling, dim 100, window 5, negative 5, min-count 5, sample 1e-3,
#     epochs $BENCH_W2V_EPOCHS (5), 2 threads, seed 1: words/s (corpus
#     tokens x epochs / training seconds; gensim's vocabulary scan is timed
#     apart and not counted), peak RSS, then the analogy accuracy of both
#     vector sets by the same `seqtool w2v analogy --eval` protocol
#     (restrict-vocab 30000).
# Single runs for c and d (they take seconds to minutes each; stated in the
# table). a, b and d use one BLAS, $BENCH_W2V_BLAS (openblas when present,
# else reference), c each BLAS present; BLAS single-threaded
# (OPENBLAS_NUM_THREADS=1) throughout, d's 2 threads are each side's own
# workers. Which BLAS each side really bound is shown by probe runs under
# LD_DEBUG=bindings (for gensim: the bindings of numpy and scipy's BLAS
# modules, which the evaluation and the training call).
# Targets (printed, never asserted): load >= 20x faster, similarity
# < 50 ms, evaluation >= 5x faster with identical verdicts, training
# words/s >= gensim's with accuracy within 1 point.
#
# Environment (defaults): BENCH_RUNS (3), BENCH_SIM_RUNS (7),
# BENCH_W2V_EPOCHS (5), BENCH_W2V_GLOVE, BENCH_W2V_CORPUS
# (datasets/w2v/corpus.txt), BENCH_W2V_BLAS, SEQTOOL (./seqtool).
# Installs python3-gensim (apt) when /usr/bin/python3 cannot import it, and
# `time`. Exits 1 only when a run fails.
. "$(dirname "$0")/lib.sh" || exit 1
SIM_RUNS=${BENCH_SIM_RUNS:-7}
EPOCHS=${BENCH_W2V_EPOCHS:-5}
CORPUS=${BENCH_W2V_CORPUS:-datasets/w2v/corpus.txt}
SUBSET=../shared/datasets/vectors/glove.6B.50d.subset.txt
QUESTIONS=../shared/datasets/eval/questions-words.txt
RESTRICT=30000
CACHE=build/bench
TRAIN_OPTS=(--dim 100 --window 5 --negative 5 --min-count 5 --sample 1e-3
            --epochs "$EPOCHS" --threads 2 --seed 1)

setup_bench gensim:python3-gensim || exit 1
pick_blas "${BENCH_W2V_BLAS:-}" || exit 1
HAVE_W2V=1
if ! seq_has w2v; then
    echo "bench: $SEQ has no w2v command: gensim side only" >&2
    HAVE_W2V=0 FAILED=1
fi

# ---- helpers ----------------------------------------------------------

# seq_acc FILE NAME: "ACC CORRECT TOTAL" of the summary line "NAME: ACC% (C/T)"
seq_acc() {
    sed -n "s/^$2: *\([0-9.]*\)% *(\([0-9]*\)\/\([0-9]*\)).*/\1 \2 \3/p" "$1" | head -n 1
}
# words/s from seqtool train: a JSON words_per_s if it printed one, else the
# number before "words/s" on the last stderr line that has one (1,234,567 /
# 1.2M / 850k all read)
seq_wps() {
    local v
    v=$(json "$1" words_per_s) && [ -n "$v" ] && { echo "$v"; return; }
    grep 'words/s' "$TMP/$1.err" | tail -n 1 | tr '\r' '\n' | grep 'words/s' | tail -n 1 |
        sed -n 's/.*[^0-9.,]\([0-9][0-9.,]*\) *\([kKM]\{0,1\}\) *words\/s.*/\1 \2/p; s/^\([0-9][0-9.,]*\) *\([kKM]\{0,1\}\) *words\/s.*/\1 \2/p' |
        head -n 1 | awk '{v=$1; gsub(",", "", v); if ($2=="k"||$2=="K") v*=1e3; if ($2=="M") v*=1e6; print v}'
}

# shellcheck disable=SC2034  # read by row and table (lib.sh)
ROW_FMT='%-34s %-17s %12s %12s %9s  %s\n'

echo "seqtool w2v vs gensim $(pyver gensim) (numpy $(pyver numpy)); $(nproc) CPUs"
echo "BLAS for a, b, d: $BLAS ($BLASDIR); c: each of ${BLASES[*]%%:*}; OPENBLAS_NUM_THREADS=1"
# other work on the machine skews single runs: say how busy it was
load_start
echo

# ---- probes -----------------------------------------------------------
# short runs of the same code paths under LD_DEBUG=bindings
PYFROM='_multiarray_umath|_fblas|cython_blas'
SYMS='dot\|axpy\|gemv\|gemm\|nrm2\|scal'
if [ -f "$SUBSET" ] && [ -f "$QUESTIONS" ]; then
    head -n 40 "$QUESTIONS" >"$TMP/q40.txt"
    echo "BLAS really used (probe runs under LD_DEBUG=bindings: where s{dot,axpy,gemv,gemm,nrm2,scal} were bound)"
    for b in "${BLASES[@]}"; do
        name=${b%%:*} dir=${b#*:}
        [ $HAVE_W2V = 1 ] && printf '  %-9s %-13s -> %s\n' "$name" "seqtool eval" \
            "$(blas_probe "$SYMS" "$dir" "$SEQ" w2v analogy -v "$SUBSET" --eval "$TMP/q40.txt")"
        printf '  %-9s %-13s -> %s\n' "$name" "gensim eval" \
            "$(blas_probe --from="$PYFROM" "$SYMS" "$dir" $PY "$PEER" eval "$SUBSET" "$TMP/q40.txt")"
    done
    echo
fi

# ---- a. load 400k x 50 text --------------------------------------------
GLOVE=${BENCH_W2V_GLOVE:-}
if [ -z "$GLOVE" ] && [ -f ../shared/datasets/vectors/glove.6B.50d.txt ]; then
    GLOVE=../shared/datasets/vectors/glove.6B.50d.txt
fi
if [ -z "$GLOVE" ]; then
    GLOVE=$CACHE/glove-synthetic-400000x50.txt
    if [ ! -s "$GLOVE" ]; then
        echo "bench: making $GLOVE (tests/bench/make_glove.py 400000 50, seed 1; once)"
        mkdir -p "$CACHE" && $PY tests/bench/make_glove.py 400000 50 "$GLOVE" --seed 1 ||
            { echo "bench: make_glove.py failed" >&2; exit 1; }
    fi
    note "a: $GLOVE is synthetic (make_glove.py, N(0,0.4) values printed %.5g like GloVe's)"
fi
GLOVE_MB=$(du -m "$GLOVE" | cut -f1)
echo "a. load $GLOVE ($GLOVE_MB MB): $RUNS alternating runs each"
for r in $(seq 1 "$RUNS"); do
    for side in $(alternate "$r" seqtool gensim); do
        if [ "$side" = seqtool ]; then
            [ $HAVE_W2V = 1 ] || continue
            run info "$BLASDIR" "$SEQ" w2v info -v "$GLOVE" && echo "$WALL $RSS" >>"$TMP/a.seqtool"
        else
            run load "$BLASDIR" $PY "$PEER" load "$GLOVE" &&
                echo "$(json load seconds) $RSS $WALL" >>"$TMP/a.gensim"
        fi
    done
done
[ -s "$TMP/info.out" ] && note "a: seqtool w2v info said: $(head -n 3 "$TMP/info.out" | tr '\n' ' ')"
[ -s "$TMP/load.out" ] && note "a: gensim loaded $(json load count) x $(json load dim)"
as=$(median 1 "$TMP/a.seqtool" 2>/dev/null) ag=$(median 1 "$TMP/a.gensim" 2>/dev/null)
agw=$(median 3 "$TMP/a.gensim" 2>/dev/null)
row "a load 400k x 50 text" "seconds (median)" "$(fmt %.3f "$as")" "$(fmt %.3f "$ag")" \
    "$(ratio "$ag" "$as" %.1fx)" "target >= 20x; gensim: load_word2vec_format alone (process $(fmt %.2f "$agw") s)"
row "" "peak RSS MB" "$(mb "$(maxcol 2 "$TMP/a.seqtool" 2>/dev/null)")" \
    "$(mb "$(maxcol 2 "$TMP/a.gensim" 2>/dev/null)")" "" ""

# ---- b. the converted (mmap) form --------------------------------------
if [ $HAVE_W2V = 1 ]; then
    ST=$TMP/vectors.safetensors
    echo "b. convert to $ST once, then similarity x $SIM_RUNS"
    if run convert "$BLASDIR" "$SEQ" w2v convert "$GLOVE" -o "$ST"; then
        row "b convert text -> safetensors" "seconds (1 run)" "$(fmt %.3f "$WALL")" "" "" \
            "$(du -m "$ST" | cut -f1) MB written"
        w1=$(head -n 1 "$GLOVE" | cut -d' ' -f1) w2=$(tail -n 1 "$GLOVE" | cut -d' ' -f1)
        for r in $(seq 1 "$SIM_RUNS"); do
            run sim "$BLASDIR" "$SEQ" w2v similarity -v "$ST" "$w1" "$w2" &&
                echo "$(awk -v w="$WALL" 'BEGIN{printf "%.3f", w*1000}') $RSS" >>"$TMP/b.seqtool"
        done
        note "b: similarity $w1 $w2 = $(head -n 1 "$TMP/sim.out" 2>/dev/null)"
        row "b similarity on the mmap form" "ms (median of $SIM_RUNS)" \
            "$(fmt %.1f "$(median 1 "$TMP/b.seqtool" 2>/dev/null)")" "" "" \
            "target < 50 ms; whole process; peak RSS $(mb "$(maxcol 2 "$TMP/b.seqtool" 2>/dev/null)") MB"
    fi
fi

# ---- c. analogy evaluation on the GloVe subset -------------------------
if [ ! -f "$SUBSET" ] || [ ! -f "$QUESTIONS" ]; then
    echo "c. skipped: $SUBSET or $QUESTIONS absent"
    row "c analogy eval" "skipped" "" "" "" "$SUBSET or $QUESTIONS absent"
else
    echo "c. analogy evaluation, restrict-vocab $RESTRICT, case folding on: 1 run per side per BLAS"
    for b in "${BLASES[@]}"; do
        name=${b%%:*} dir=${b#*:}
        ss= sg= sw=
        if [ $HAVE_W2V = 1 ] && run "eval_seq_$name" "$dir" "$SEQ" w2v analogy -v "$SUBSET" \
                --eval "$QUESTIONS" --restrict-vocab $RESTRICT --per-question; then
            ss=$WALL
        fi
        if run "eval_gen_$name" "$dir" $PY "$PEER" eval "$SUBSET" "$QUESTIONS" \
                --restrict-vocab $RESTRICT --per-question "$TMP/pq_gen_$name"; then
            sg=$(json "eval_gen_$name" seconds) sw=$WALL
        fi
        row "c analogy eval ($name)" "seconds (1 run)" "$(fmt %.3f "$ss")" "$(fmt %.3f "$sg")" \
            "$(ratio "$sg" "$ss" %.1fx)" "target >= 5x; seqtool: whole process; gensim: evaluate_word_analogies alone (process $(fmt %.2f "$sw") s)"
        if [ -n "$ss" ] && [ -n "$sg" ]; then
            $PY "$PEER" compare "$TMP/eval_seq_$name.out" "$TMP/pq_gen_$name" "$SUBSET" \
                --restrict-vocab $RESTRICT --show 10 >"$TMP/cmp_$name" 2>"$TMP/cmp_$name.err" ||
                { echo "bench: compare failed" >&2; cat "$TMP/cmp_$name.err" >&2; FAILED=1; }
            first=$(head -n 1 "$TMP/cmp_$name")
            nd=$(printf '%s' "$first" | sed -n 's/^differ=\([0-9]*\).*/\1/p')
            no=$(printf '%s' "$first" | awk '{split($4,a,"="); split($5,b,"="); print a[2]+b[2]}')
            if [ "$nd" = 0 ] && [ "$no" = 0 ]; then verdict=identical
            else verdict="$nd differ, $no answered by one side only"; fi
            row "c per-question verdicts ($name)" "vs gensim" "$verdict" "" "" "${first}"
            if [ "$verdict" != identical ]; then
                note "c: first differences ($name BLAS; answers in parentheses):"
                tail -n +2 "$TMP/cmp_$name" >>"$NOTES"
            fi
            # per-section accuracy, once (first BLAS)
            if [ ! -f "$TMP/sections" ]; then
                $PY - "$TMP/eval_gen_$name.out" >"$TMP/sections" <<'EOF'
import json, sys
r = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")][-1]
for k, v in list(r["sections"].items()) + [(k, r[k]) for k in ("semantic", "syntactic", "total")]:
    print(k, v["accuracy"], v["correct"], v["total"])
print("skipped", r["skipped"], r["questions"])
EOF
                {
                    echo "c: accuracy per section ($name BLAS): seqtool | gensim"
                    while read -r sec acc c t; do
                        if [ "$sec" = skipped ]; then
                            echo "   $(printf '%-28s' skipped) $(grep '^skipped:' "$TMP/eval_seq_$name.out" | head -n 1 | sed 's/^skipped: *//') | $acc of $c"
                            continue
                        fi
                        s=$(seq_acc "$TMP/eval_seq_$name.out" "$sec")
                        printf '   %-28s %-22s | %s%% (%s/%s)\n' "$sec" \
                            "$(printf '%s' "$s" | awk 'NF==3{printf "%s%% (%s/%s)", $1, $2, $3}')" "$acc" "$c" "$t"
                    done <"$TMP/sections"
                } >>"$NOTES"
            fi
        fi
    done
fi

# ---- d. training --------------------------------------------------------
if [ ! -s "$CORPUS" ]; then
    if [ "$CORPUS" = datasets/w2v/corpus.txt ]; then
        if grep -q '^corpus:' Makefile 2>/dev/null; then
            echo "bench: making $CORPUS (make corpus)"
            make --no-print-directory corpus >&2 || { echo "bench: make corpus failed" >&2; FAILED=1; }
        elif [ -x datasets/w2v/make-corpus ]; then
            echo "bench: making $CORPUS (datasets/w2v/make-corpus)"
            datasets/w2v/make-corpus >&2 || { echo "bench: make-corpus failed" >&2; FAILED=1; }
        fi
    fi
fi
if [ ! -s "$CORPUS" ]; then
    echo "d. skipped: $CORPUS absent and no recipe for it yet (make corpus / datasets/w2v/make-corpus)"
    row "d train" "skipped" "" "" "" "$CORPUS absent, no recipe"
else
    read -r lines tokens < <(awk '{n+=NF} END{print NR, n}' "$CORPUS")
    echo "d. train on $CORPUS ($lines lines, $tokens tokens), ${TRAIN_OPTS[*]}: 1 run per side"
    head -n 2000 "$CORPUS" >"$TMP/probe_corpus.txt"
    {
        echo "d: BLAS bound in training (probe runs, 2,000 lines, 1 epoch):"
        [ $HAVE_W2V = 1 ] && echo "   seqtool train -> $(blas_probe "$SYMS" "$BLASDIR" "$SEQ" w2v train "$TMP/probe_corpus.txt" \
            -o "$TMP/probe.safetensors" --dim 10 --epochs 1 --min-count 1 --threads 1 -q)"
        echo "   gensim train  -> $(blas_probe --from="$PYFROM" "$SYMS" "$BLASDIR" $PY "$PEER" train "$TMP/probe_corpus.txt" \
            "$TMP/probe.vec" --dim 10 --epochs 1 --min-count 1 --threads 1)"
    } >>"$NOTES"
    ws= wg= aseq= agen=
    if [ $HAVE_W2V = 1 ] && run train_seq "$BLASDIR" "$SEQ" w2v train "$CORPUS" -o "$TMP/seq.safetensors" \
            "${TRAIN_OPTS[@]}"; then
        ws=$(seq_wps train_seq) wsw=$WALL wsr=$RSS
        [ -n "$ws" ] || { echo "bench: seqtool w2v train printed no words/s" >&2; tail -n 3 "$TMP/train_seq.err" >&2; FAILED=1; }
        note "d: seqtool train's last words/s line: $(grep 'words/s' "$TMP/train_seq.err" | tail -n 1 | tr '\r' '\n' | tail -n 1)"
    fi
    if run train_gen "$BLASDIR" $PY "$PEER" train "$CORPUS" "$TMP/gensim.vec" "${TRAIN_OPTS[@]}"; then
        wg=$(json train_gen words_per_s) wgw=$WALL wgr=$RSS
        note "d: gensim: build_vocab $(fmt %.2f "$(json train_gen vocab_seconds)") s, train $(fmt %.2f "$(json train_gen seconds)") s, vocabulary $(json train_gen vocab), effective words (after min-count and downsampling) $(json train_gen effective_words) = $(fmt %.0f "$(json train_gen effective_words_per_s)")/s"
    fi
    row "d train words/s" "words/s (1 run)" "$(fmt %.0f "$ws")" "$(fmt %.0f "$wg")" \
        "$(ratio "$ws" "$wg" %.2f)" "target >= 1 (seqtool/gensim); corpus tokens x $EPOCHS epochs / training s"
    row "" "process s, RSS MB" "$(fmt %.1f "${wsw:-}") $(mb "${wsr:-}")" "$(fmt %.1f "${wgw:-}") $(mb "${wgr:-}")" "" \
        "whole processes (gensim's includes the vocabulary scan and saving)"
    if [ $HAVE_W2V = 1 ]; then
        for side in seq gen; do
            case $side in seq) v=$TMP/seq.safetensors ;; gen) v=$TMP/gensim.vec ;; esac
            [ -s "$v" ] || continue
            run "acc_$side" "$BLASDIR" "$SEQ" w2v analogy -v "$v" --eval "$QUESTIONS" \
                --restrict-vocab $RESTRICT --per-question || continue
            read -r acc c t < <(seq_acc "$TMP/acc_$side.out" total)
            [ "$side" = seq ] && aseq=$acc || agen=$acc
            note "d: $side vectors, seqtool analogy --eval: $(grep -E '^(semantic|syntactic|total|skipped):' "$TMP/acc_$side.out" | tr '\n' ' ')"
        done
    fi
    diffp=
    [ -n "$aseq" ] && [ -n "$agen" ] && diffp=$(awk -v a="$aseq" -v b="$agen" 'BEGIN{printf "%+.2f pt", a-b}')
    row "d analogy accuracy of trained" "total % (seqtool)" "${aseq:-}" "${agen:-}" "$diffp" \
        "target within 1 point; both evaluated by seqtool w2v analogy --eval, restrict $RESTRICT"
    # The two vocabularies agree on counts but not on the order of words
    # with equal counts (gensim: numpy's unstable argsort of the counts,
    # reversed), so the first $RESTRICT words, and the questions answered,
    # differ a little: also compare on the questions both answered.
    if [ -n "$aseq" ] && [ -n "$agen" ]; then
        read -r n cs cg < <(awk -F'\t' 'NF == 4 && $4 != "skip" {
                k = $1 "\t" toupper($2); k = k "\t" (++seen[FILENAME, k])
                if (FILENAME == ARGV[1]) a[k] = ($4 == "ok"); else b[k] = ($4 == "ok") }
            END { for (k in a) if (k in b) { n++; ca += a[k]; cb += b[k] }
                  print n + 0, ca + 0, cb + 0 }' "$TMP/acc_seq.out" "$TMP/acc_gen.out")
        if [ "${n:-0}" -gt 0 ]; then
            as2=$(awk -v c="$cs" -v n="$n" 'BEGIN{printf "%.2f", 100*c/n}')
            ag2=$(awk -v c="$cg" -v n="$n" 'BEGIN{printf "%.2f", 100*c/n}')
            row "" "% on common $n" "$as2" "$ag2" "$(awk -v a="$as2" -v b="$ag2" 'BEGIN{printf "%+.2f pt", a-b}')" \
                "the questions answered with both vector sets"
        fi
    fi
    if [ -s "$TMP/gensim.vec" ] && [ -f "$QUESTIONS" ]; then
        run acc_gen_gensim "$BLASDIR" $PY "$PEER" eval "$TMP/gensim.vec" "$QUESTIONS" --restrict-vocab $RESTRICT &&
            note "d: gensim vectors by gensim's own evaluate_word_analogies: $(grep '^{' "$TMP/acc_gen_gensim.out" |
                $PY -c 'import json,sys; r=json.loads(sys.stdin.read()); print(" ".join("%s: %.2f%% (%d/%d)" % (k, r[k]["accuracy"], r[k]["correct"], r[k]["total"]) for k in ("semantic", "syntactic", "total")), "skipped:", r["skipped"])')"
    fi
fi

# ---- table ----------------------------------------------------------------
table item measure seqtool gensim ratio notes
echo "ratio: gensim time / seqtool time (a, c: >1 means seqtool faster); d: seqtool/gensim words/s, accuracy difference in points."
load_end "1, 2 while training"
notes
exit "$FAILED"
