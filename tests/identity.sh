#!/usr/bin/env bash
# tests/identity.sh — do two seqtool binaries give byte-identical results?
#
#   tests/identity.sh OLD_SEQTOOL NEW_SEQTOOL
#
# Written for refactors that must not change behaviour (moving files between
# core/ and cmd/, rewriting option parsing): OLD is a build of the commit
# before, NEW a build of the tree after, e.g.
#   git worktree add /tmp/base REF && make -C /tmp/base -j2 seqtool
#   tests/identity.sh /tmp/base/seqtool ./seqtool
# `make identity` may call it the same way with BASE=ref (the reference
# commit's worktree, built there).  Each binary should sit in its source
# tree, as make leaves it: seqtool finds its default nmt model beside its
# executable, so a copy of it elsewhere fails the case that uses that default.
#
# What it compares.  The same cases, each a few seqtool commands with fixed
# --seed values (and --threads 1 unless the case is about threads), are run
# with OLD and then with NEW, from the project root (so datasets/... and
# tests/data/... resolve).  For each case it compares with cmp:
#   - the standard output of its commands, concatenated;
#   - their exit statuses, one per line;
#   - the bytes of every file the commands write (models, vectors, pictures).
# Standard error is never compared (messages and warnings may be reworded,
# and a renamed option may warn about its old spelling there).
# Timings: the training commands print the time they took and a rate
# (`seconds`, `chars_per_s`, `examples_per_s` lines; "seconds",
# "vocab_seconds", "train_seconds", "words_per_second", "examples_per_s",
# "chars_per_s" JSON members).  Their stdout goes through untime() below,
# which deletes such lines and members, and nothing else; all other stdout
# is compared as it is.
#
# Both binaries run in the same directory, $TMP/run, one after the other
# (OLD's is then renamed $TMP/old, NEW's $TMP/new), so output paths that a
# command echoes ("model /tmp/.../run/...") are the same bytes for both
# and no path is rewritten.  Cases that read a model (dinos sample and
# score, emojify predict and eval, w2v queries on converted vectors) read
# one that OLD made in a preparation step (and `nmt train FILE` reads pairs
# from OLD's `nmt dates`), so a difference in training shows once, in its
# training case, and not again in every case after it.
# Inputs the script makes itself (vectors for emojify, a corpus for w2v
# train, word lists) are made once with awk and read by both binaries.
# Cases on ../shared/datasets (GloVe 50d subset, the Google analogy test)
# print "skip - ..." when those files are absent.
#
# Output: one line per case, "ok - NAME" or "not ok - NAME (the first
# difference: file, line or byte, OLD's and NEW's bytes)", or "skip - NAME
# (why)", then "N passed, M failed".  Exit 0 when all passed, 1 when one
# failed, 2 on bad usage or when OLD cannot make the reference inputs.
# A case also fails when OLD itself exits with an unexpected status (the
# case would then compare nothing useful), saying so.
# About 15 seconds on 2 cores; every temporary file is removed at exit.

set -u
usage() { echo "usage: $0 OLD_SEQTOOL NEW_SEQTOOL" >&2; exit 2; }
[ $# -eq 2 ] || usage
abspath() { # a command name or path, as an absolute path (before the cd below)
    case $1 in
    /*) printf '%s\n' "$1" ;;
    */*) printf '%s\n' "$PWD/$1" ;;
    *) command -v -- "$1" ;;
    esac
}
OLD=$(abspath "$1")
NEW=$(abspath "$2")
if [ ! -f "$OLD" ] || [ ! -x "$OLD" ]; then echo "$0: OLD '$1' is not an executable file" >&2; exit 2; fi
if [ ! -f "$NEW" ] || [ ! -x "$NEW" ]; then echo "$0: NEW '$2' is not an executable file" >&2; exit 2; fi
cd "$(dirname "$0")/.." || exit 2
ROOT=$PWD

TMP=$(mktemp -d "${TMPDIR:-/tmp}/seqtool-identity.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM
IN=$TMP/in       # inputs shared by both binaries
RUN=$TMP/run     # where the binary under test writes
mkdir -p "$IN"

# The environment is the same for both binaries; defaults are not taken
# from the caller's environment, and BLAS runs on one thread.
unset SEQTOOL_VECTORS SEQTOOL_NMT_MODEL
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1

SHARED=../shared/datasets
GLOVE=$SHARED/vectors/glove.6B.50d.subset.txt
QWORDS=$SHARED/eval/questions-words.txt
SMALL=tests/data/w2v-small.txt
QSMALL=tests/data/w2v-questions.txt
ETRAIN=datasets/emojify/train.csv
ETEST=datasets/emojify/test.csv
NMTMODEL=datasets/nmt/dates.safetensors
LIMIT=300        # seconds any one command may take (a hang is a failure)

# ---------------------------------------------------------------------------
# Running commands.  Inside a case function, S is the binary under test and C
# the case's directory (write output files there).  Each case runs with
# standard input /dev/null unless a command redirects it.

# x CMD... : run one command; stdout appended to $C/stdout, the exit status
# to $C/status (0 expected), stderr to $C/stderr.N for the case's Nth
# command (kept to explain a failure, never compared).
x() { xs 0 "$@"; }
cmdno() { echo $(($(wc -l <"$C/status") + 1)); }   # the number of the next command
# xs STATUS CMD... : the same, when OLD is expected to exit with STATUS.
xs() {
    local want=$1 rc
    shift
    timeout "$LIMIT" "$@" >>"$C/stdout" 2>"$C/stderr.$(cmdno)"
    rc=$?
    echo "$rc" >>"$C/status"
    echo "$want" >>"$C/expect"
}
# xt CMD... : a training command; its stdout goes through untime (0 expected).
xt() {
    local rc
    timeout "$LIMIT" "$@" 2>"$C/stderr.$(cmdno)" >"$C/.raw"
    rc=$?
    untime <"$C/.raw" >>"$C/stdout"
    rm -f "$C/.raw"
    echo "$rc" >>"$C/status"
    echo 0 >>"$C/expect"
}

# untime: delete what measures time and nothing else: text lines whose first
# word is seconds, *_seconds, *_per_s or *_per_second (followed by a space,
# a tab or the end of the line), and the JSON members of those names
# ("seconds":0.0458,) with the comma that separates them.
TIMEKEY='([a-z_]+_)?seconds|[a-z_]+_per_s|[a-z_]+_per_second'
untime() {
    sed -E -e "/^($TIMEKEY)([[:space:]]|\$)/d" \
        -e "s/,\"($TIMEKEY)\":[^,}]*//g" \
        -e "s/\"($TIMEKEY)\":[^,}]*,?//g"
}

# ---------------------------------------------------------------------------
# Cases, in the order they are reported.
NAMES=() FUNCS=()
add() { NAMES+=("$1"); FUNCS+=("$2"); }          # add NAME FUNCTION
skip() { NAMES+=("$1"); FUNCS+=("skip:$2"); }     # skip NAME WHY

# ---- dinos ----
# dinos train prints its model path, iterations, epochs, loss, held-out
# nats/char and chars, then `seconds` and `chars_per_s`, which vary from run
# to run: xt drops those two (untime) and the rest of stdout is compared,
# with the model file's bytes.
c_dinos_course() {
    xt "$S" dinos train --course --iters 2000 datasets/dinos.txt -o "$C/course.safetensors" --seed 3
}
add "dinos train --course --iters 2000 (model, stdout untimed)" c_dinos_course
c_dinos_course_json() {
    xt "$S" dinos train --course --iters 400 --keep-case datasets/dinos.txt -o "$C/course.safetensors" --seed 4 --json -q
}
add "dinos train --course --keep-case --json (model, stdout untimed)" c_dinos_course_json
c_dinos_default() {
    xt "$S" dinos train datasets/dinos.txt --epochs 1 --seed 3 -o "$C/dinos.safetensors"
}
add "dinos train, default config, --epochs 1 (model, stdout untimed)" c_dinos_default
c_dinos_options() {
    # no FILE: the default list; most training options set
    xt "$S" dinos train --cell gru --hidden 32 --layers 1 --iters 120 --batch 16 --optim momentum \
        --lr 0.05 --dropout 0 --clip 1 --decay 0.01 --val 0.2 --seed 4 -o "$C/gru.safetensors"
    xt "$S" dinos train datasets/dinos.txt --cell rnn --hidden 24 --layers 1 --iters 300 --batch 1 \
        --optim sgd --lr 0.01 --clip-norm 2 --carry-state --val 0 --sample-every 100 --seed 5 \
        -o "$C/rnn.safetensors"
    xt "$S" dinos train - --cell lstm --hidden 16 --iters 60 --optim adam --seed 6 -o "$C/stdin.safetensors" \
        <datasets/dinos.txt
}
add "dinos train --cell gru/rnn/lstm, optimizers, clipping, stdin (models, stdout untimed)" c_dinos_options
c_dinos_resume() {
    cp "$IN/dinos-rnn.safetensors" "$C/resume.safetensors"
    xt "$S" dinos train datasets/dinos.txt --course --resume --iters 300 --seed 8 -o "$C/resume.safetensors"
}
add "dinos train --resume (model, stdout untimed)" c_dinos_resume
c_dinos_sample() {
    x "$S" dinos sample -m "$IN/dinos.safetensors" -n 20 --seed 5
    x "$S" dinos sample -m "$IN/dinos-rnn.safetensors" -n 20 --seed 5
    x "$S" dinos sample --model "$IN/dinos.safetensors" --count 7 --seed 9 --max-len 8
}
add "dinos sample -n 20 --seed 5 (lstm and rnn models), --max-len" c_dinos_sample
c_dinos_sample_default() {
    x "$S" dinos sample -m "$IN/dinos.safetensors"
}
add "dinos sample (default options)" c_dinos_sample_default
c_dinos_sample_json() {
    x "$S" dinos sample -m "$IN/dinos.safetensors" -n 20 --seed 5 --json
}
add "dinos sample --json" c_dinos_sample_json
c_dinos_sample_novel() {
    x "$S" dinos sample -m "$IN/dinos.safetensors" -n 20 --seed 5 --novel
    x "$S" dinos sample -m "$IN/dinos-rnn.safetensors" -n 10 --seed 6 --novel --json
}
add "dinos sample --novel" c_dinos_sample_novel
c_dinos_sample_prefix() {
    x "$S" dinos sample -m "$IN/dinos.safetensors" -n 10 --seed 5 --prefix Tyr
    x "$S" dinos sample -m "$IN/dinos.safetensors" -n 10 --seed 5 --prefix ve --temperature 0.7
    x "$S" dinos sample -m "$IN/dinos-rnn.safetensors" -n 10 --seed 5 --temperature 1.5
}
add "dinos sample --prefix, --temperature" c_dinos_sample_prefix
c_dinos_score() {
    x "$S" dinos score "$IN/names.txt" -m "$IN/dinos.safetensors"
    x "$S" dinos score -m "$IN/dinos-rnn.safetensors" <"$IN/names.txt"
    x "$S" dinos score - -m "$IN/dinos.safetensors" --json <"$IN/names.txt"
}
add "dinos score (FILE, stdin, --json)" c_dinos_score

# ---- w2v on tests/data/w2v-small.txt ----
c_w2v_similarity() {
    local v=$1
    x "$S" w2v similarity -v "$v" man woman
    x "$S" w2v similarity -v "$v" father mother --json
    x "$S" w2v similarity -v "$v" "france - paris" "italy - rome"
    x "$S" w2v similarity -v "$v" "king - man + woman" queen
    xs 1 "$S" w2v similarity -v "$v" <"$IN/sim-queries.txt"
    xs 1 "$S" w2v similarity -v "$v" - --json <"$IN/sim-queries.txt"
}
add "w2v similarity (small: args, expressions, stdin with an unknown word, --json)" "c_w2v_similarity $SMALL"
c_w2v_nearest() {
    local v=$1
    x "$S" w2v nearest -v "$v" king -k 3
    x "$S" w2v nearest -v "$v" king woman
    x "$S" w2v nearest -v "$v" "paris - france + italy" -k 4 --json
    x "$S" w2v nearest -v "$v" king -k 5 --restrict-vocab 10
    xs 1 "$S" w2v nearest -v "$v" -k 2 <"$IN/words.txt"
}
add "w2v nearest (small: -k, default k, --restrict-vocab, --json, stdin)" "c_w2v_nearest $SMALL"
c_w2v_analogy() {
    local v=$1 m
    x "$S" w2v analogy -v "$v" man woman king
    x "$S" w2v analogy -v "$v" man woman boy -k 3
    for m in 3cosadd 3cosmul course; do
        x "$S" w2v analogy -v "$v" man woman king -k 3 --method "$m"
        x "$S" w2v analogy -v "$v" paris france rome --method "$m" --json
    done
    x "$S" w2v analogy -v "$v" man woman king -k 3 --include-inputs
    x "$S" w2v analogy -v "$v" he she actor --restrict-vocab 20 -k 2
    xs 1 "$S" w2v analogy -v "$v" <"$IN/analogies.txt"
}
add "w2v analogy (small: -k, --method, --include-inputs, --restrict-vocab, stdin)" "c_w2v_analogy $SMALL"
c_w2v_eval_small() {
    x "$S" w2v analogy -v "$SMALL" --eval "$QSMALL"
    x "$S" w2v analogy -v "$SMALL" --eval "$QSMALL" --per-question
    x "$S" w2v analogy -v "$SMALL" --eval "$QSMALL" --per-question --json
    x "$S" w2v analogy -v "$SMALL" --eval "$QSMALL" --no-fold-case --per-question
    x "$S" w2v analogy -v "$SMALL" --eval "$QSMALL" --restrict-vocab 20 --method 3cosmul --per-question
    x "$S" w2v analogy -v "$SMALL" --eval "$QSMALL" --method course --json
}
add "w2v analogy --eval tests/data/w2v-questions.txt (--per-question, --json, --no-fold-case, ...)" c_w2v_eval_small
c_w2v_bias() {
    local v=$1
    x "$S" w2v bias -v "$v" doctor nurse engineer
    x "$S" w2v bias -v "$v" doctor nurse --pca
    x "$S" w2v bias -v "$v" doctor nurse --pairs man:woman,he:she,boy:girl --json
    x "$S" w2v bias -v "$v" engineer --pairs-file "$IN/bias-pairs.txt"
    x "$S" w2v bias -v "$v" engineer babysitter --pairs-file "$IN/bias-pairs.txt" --pca
    xs 1 "$S" w2v bias -v "$v" <"$IN/words.txt"
}
add "w2v bias (small: default g, --pairs, --pairs-file, --pca, --json, stdin)" "c_w2v_bias $SMALL"
c_w2v_debias() {
    local v=$1
    x "$S" w2v debias -v "$v" --neutralize "$IN/neutral.txt" --equalize "$IN/equalize.txt" -o "$C/debiased.txt"
    x "$S" w2v debias -v "$v" --neutralize "$IN/neutral.txt" -o "$C/neutral.safetensors" --pca
    x "$S" w2v debias -v "$v" --equalize "$IN/equalize.txt" --pairs man:woman,he:she -o "$C/eq.vec"
    x "$S" w2v debias -v "$v" --neutralize "$IN/neutral.txt" --pairs-file "$IN/bias-pairs.txt" \
        -o "$C/pf.out" --format word2vec-bin
    x "$S" w2v debias -v "$v" --neutralize "$IN/neutral.txt" --equalize "$IN/equalize.txt" -o -
}
add "w2v debias (small: neutralize, equalize, --pca, --pairs, formats, -o -)" "c_w2v_debias $SMALL"
c_w2v_convert() {
    local v=$1 f
    for f in safetensors vec bin txt; do
        x "$S" w2v convert "$v" -o "$C/a.$f"
    done
    x "$S" w2v convert "$C/a.bin" -o "$C/bin-to.txt"
    x "$S" w2v convert "$C/a.safetensors" -o "$C/st-to.vec"
    x "$S" w2v convert -v "$C/a.vec" -o "$C/vec-to.safetensors"
    x "$S" w2v convert "$C/a.txt" -o "$C/txt-to.out" --format word2vec-bin
    x "$S" w2v convert "$C/vec-to.safetensors" -o - --format glove
    x "$S" w2v convert "$v" -o "$C/forced.txt" --input-format glove
}
add "w2v convert round trips (small: txt, vec, bin, safetensors, -o -)" "c_w2v_convert $SMALL"
c_w2v_info() {
    local f
    x "$S" w2v info "$SMALL"
    for f in "$IN/small.safetensors" "$IN/small.bin" "$IN/small.vec"; do
        x "$S" w2v info "$f"
        x "$S" w2v info -v "$f" --json
    done
}
add "w2v info (small, in four formats, --json)" c_w2v_info
c_w2v_formats() {
    # queries on the other formats, -v from SEQTOOL_VECTORS, --input-format
    x "$S" w2v nearest -v "$IN/small.safetensors" king -k 3
    x "$S" w2v analogy -v "$IN/small.bin" man woman king -k 2
    x "$S" w2v similarity -v "$IN/small.vec" --input-format word2vec man woman
    x "$S" w2v similarity -v "$SMALL" --format glove man woman
    x env SEQTOOL_VECTORS="$IN/small.safetensors" "$S" w2v similarity man woman
    x env SEQTOOL_VECTORS="$SMALL" "$S" w2v bias nurse
}
add "w2v queries on safetensors/bin/vec, SEQTOOL_VECTORS, --input-format" c_w2v_formats
c_w2v_train() {
    xt "$S" w2v train "$IN/corpus.txt" -o "$C/w2v.safetensors" --dim 20 --epochs 3 --min-count 3 \
        --threads 1 --seed 4 --json
}
add "w2v train --threads 1 (safetensors, --json untimed)" c_w2v_train
c_w2v_train_options() {
    xt "$S" w2v train "$IN/corpus.txt" -o "$C/w2v.txt" --dim 12 --window 3 --negative 2 --min-count 2 \
        --sample 0 --epochs 2 --alpha 0.05 --threads 1 --seed 9 -q
    xt "$S" w2v train - -o "$C/w2v.out" --format word2vec --dim 8 --epochs 1 --threads 1 --seed 2 \
        <"$IN/corpus.txt"
}
add "w2v train --threads 1 (window, negative, sample, alpha, --format, stdin)" c_w2v_train_options
# w2v train --threads 2 is not compared: its threads update the vectors
# without locks (as word2vec does), so two runs of one binary differ.

# ---- w2v on the GloVe subset, when present ----
c_glove_queries() {
    x "$S" w2v similarity -v "$GLOVE" father mother
    x "$S" w2v similarity -v "$GLOVE" "france - paris" "rome - italy"
    x "$S" w2v nearest -v "$GLOVE" king -k 10
    x "$S" w2v nearest -v "$GLOVE" computer paris -k 5 --json
    x "$S" w2v nearest -v "$GLOVE" king -k 5 --restrict-vocab 2000
    x "$S" w2v analogy -v "$GLOVE" man woman king
    x "$S" w2v analogy -v "$GLOVE" man woman king -k 5 --method 3cosmul
    x "$S" w2v analogy -v "$GLOVE" man woman king -k 5 --method course --json
    x "$S" w2v analogy -v "$GLOVE" italy italian spain --include-inputs -k 3
    x "$S" w2v bias -v "$GLOVE" engineer nurse secretary doctor
    x "$S" w2v bias -v "$GLOVE" engineer nurse --pca --pairs-file "$IN/glove-pairs.txt"
    x "$S" w2v info "$GLOVE" --json
}
c_glove_debias() {
    x "$S" w2v debias -v "$GLOVE" --neutralize "$IN/glove-neutral.txt" --equalize "$IN/glove-equalize.txt" \
        -o "$C/debiased.safetensors"
    x "$S" w2v bias -v "$C/debiased.safetensors" secretary engineer actor actress
}
c_glove_convert() {
    x "$S" w2v convert "$GLOVE" -o "$C/glove.safetensors"
    x "$S" w2v convert "$C/glove.safetensors" -o "$C/glove.bin"
    x "$S" w2v info "$C/glove.bin"
    x "$S" w2v nearest -v "$C/glove.bin" dog -k 3
}
c_glove_eval() {
    x "$S" w2v analogy -v "$GLOVE" --eval "$QWORDS"
    x "$S" w2v analogy -v "$GLOVE" --eval "$QWORDS" --per-question --restrict-vocab 5000
    x "$S" w2v analogy -v "$GLOVE" --eval "$QWORDS" --method 3cosmul --restrict-vocab 3000 --json
}
if [ -f "$GLOVE" ]; then
    add "w2v queries on the GloVe subset (similarity, nearest, analogy, bias, info)" c_glove_queries
    add "w2v debias on the GloVe subset (output file)" c_glove_debias
    add "w2v convert on the GloVe subset (safetensors, bin)" c_glove_convert
    if [ -f "$QWORDS" ]; then
        add "w2v analogy --eval questions-words.txt on the GloVe subset (--per-question)" c_glove_eval
    else
        skip "w2v analogy --eval questions-words.txt on the GloVe subset" "$QWORDS absent"
    fi
else
    skip "w2v on the GloVe subset (queries, debias, convert, --eval)" "$GLOVE absent"
fi

# ---- emojify ----
# The v1/v2 option is spelt as OLD spells it (-m v1, --model v2); NEW must
# still accept that spelling (a new spelling, with a warning on stderr for
# the old one, is fine: stderr is not compared).
c_emojify_v1() {
    xt "$S" emojify train "$ETRAIN" -v "$IN/emo-vec.txt" -o "$C/v1.safetensors" -m v1 --epochs 30 \
        --seed 3 --test "$ETEST"
}
add "emojify train -m v1 (model, stdout untimed)" c_emojify_v1
c_emojify_v2() {
    xt "$S" emojify train "$ETRAIN" -v "$IN/emo-vec.txt" -o "$C/v2.safetensors" -m v2 --epochs 3 \
        --hidden 16 --seed 3 --test "$ETEST"
}
add "emojify train -m v2 (model, stdout untimed)" c_emojify_v2
c_emojify_defaults() {
    # no TRAIN.csv: the shipped split, with its test file; default model v2
    xt "$S" emojify train -v "$IN/emo-vec.txt" -o "$C/default.safetensors" --epochs 2 --seed 4
    xt "$S" emojify train -v "$IN/emo-vec.txt" -o "$C/default-v1.safetensors" -m v1 --epochs 5 --seed 4 --json
}
add "emojify train, the shipped split by default, v2 and v1 --json (models, stdout untimed)" c_emojify_defaults
c_emojify_long_option() {
    xt "$S" emojify train "$ETRAIN" -v "$IN/emo-vec.txt" -o "$C/v1.safetensors" --model v1 --epochs 10 --seed 5 -q
}
add "emojify train --model v1 (the long spelling)" c_emojify_long_option
c_emojify_options() {
    xt "$S" emojify train "$ETRAIN" -v "$IN/emo-vec.txt" -o "$C/v2-learn.safetensors" -m v2 --epochs 2 \
        --hidden 8 --dropout 0.3 --batch 4 --lr 0.002 --oov learn --backoff none --pad-to 0 --seed 6 --json
    xt "$S" emojify train "$ETRAIN" -v "$IN/emo-vec.txt" -o "$C/v1-zero.safetensors" -m v1 --epochs 8 \
        --lr 0.02 --batch 2 --oov zero --pad-to 20 --emoji A,B,C,D,E --seed 7
    xt "$S" emojify train - -v "$IN/emo-vec.txt" -o "$C/v1-labels.safetensors" -m v1 --epochs 4 \
        --labels "$IN/labels.txt" --seed 8 --test "$ETEST" <"$ETRAIN"
}
add "emojify train options (--oov, --backoff, --pad-to, --batch, --emoji, --labels, stdin)" c_emojify_options
c_emojify_predict() {
    local m
    for m in "$IN/emojify-v1.safetensors" "$IN/emojify-v2.safetensors"; do
        x "$S" emojify predict -m "$m" "let's grab lunch" "I adore my dog" "the match was cancelled" \
            "what a lovely surprise"
        x "$S" emojify -m "$m" -v "$IN/emo-vec.txt" --top 2 "I adore my dog" "we lost the game"
        x "$S" emojify -m "$m" --label <"$IN/sentences.txt"
        x "$S" emojify predict -m "$m" -v "$IN/emo-vec.txt" - <"$IN/sentences.txt"
        x "$S" emojify predict -m "$m" --threads 2 --top 3 <"$IN/sentences.txt"
    done
}
add "emojify predict v1 and v2 (args, stdin, --top, --label, -v, --threads 2)" c_emojify_predict
c_emojify_predict_json() {
    local m
    for m in "$IN/emojify-v1.safetensors" "$IN/emojify-v2.safetensors"; do
        x "$S" emojify -m "$m" --json "lovely dinner" "zzqx qqq" "we won the final"
        x "$S" emojify predict -m "$m" -v "$IN/emo-vec.txt" --json --top 2 <"$IN/sentences.txt"
    done
}
add "emojify predict --json (v1 and v2)" c_emojify_predict_json
c_emojify_eval() {
    local m
    for m in "$IN/emojify-v1.safetensors" "$IN/emojify-v2.safetensors"; do
        x "$S" emojify eval -m "$m"
        x "$S" emojify eval "$ETEST" -m "$m" -v "$IN/emo-vec.txt" --json
        x "$S" emojify eval "$ETRAIN" -m "$m" --threads 2
        x "$S" emojify eval - -m "$m" <"$ETEST"
    done
}
add "emojify eval v1 and v2 (default test file, --json, -v, --threads 2, stdin)" c_emojify_eval
c_emojify_glove() {
    xt "$S" emojify train "$ETRAIN" -v "$GLOVE" -o "$C/g1.safetensors" -m v1 --epochs 20 --seed 3
    xt "$S" emojify train "$ETRAIN" -v "$GLOVE" -o "$C/g2.safetensors" -m v2 --epochs 2 --hidden 16 --seed 3
    x "$S" emojify -m "$C/g1.safetensors" -v "$GLOVE" --top 2 <"$IN/sentences.txt"
    x "$S" emojify -m "$C/g2.safetensors" -v "$GLOVE" --json <"$IN/sentences.txt"
}
if [ -f "$GLOVE" ]; then
    add "emojify v1 and v2 with the GloVe subset (train, predict)" c_emojify_glove
else
    skip "emojify with the GloVe subset" "$GLOVE absent"
fi

# ---- nmt ----
c_nmt_dates() {
    x "$S" nmt dates -n 200 --seed 7
    x "$S" nmt dates -n 50 --seed 7 --month-first
    x "$S" nmt dates -n 50 --seed 8 --mixed --with-order
    x "$S" nmt dates -n 30 --seed 9 --format iso,ordinal-of,numeric-dmy
    x "$S" nmt dates --count 20 --seed 7 --json
    x "$S" nmt dates -n 20
    x "$S" nmt dates --formats
}
add "nmt dates (--seed, --month-first, --mixed --with-order, --format, --json, --formats)" c_nmt_dates
# These name the shipped model with -m; the case after them leaves it to
# the default, which seqtool finds beside its executable (so OLD and NEW
# must each sit in a source tree, as `make` leaves them; a copy of the
# binary elsewhere fails that one case).
M_NMT=(-m "$NMTMODEL")
c_nmt_translate() {
    x "$S" nmt translate "${M_NMT[@]}" "the 29th of August 1958" 05/03/79 "Sat 9 May 18" "1 jan 2000"
    x "$S" nmt translate "${M_NMT[@]}" --month-first 05/03/79 12/11/2001
    x "$S" nmt translate "${M_NMT[@]}" --beam 1 "the 29th of August 1958" "TUESDAY APR 21ST, 2093"
    x "$S" nmt translate --model "$NMTMODEL" --beam 3 "21ST AUGUST, '93"
    # the shipped model finds a calendar date among its beams for every
    # line here, even "not a date at all" (status 0); c_nmt_train_options
    # has a model that says 'invalid'
    x "$S" nmt translate "${M_NMT[@]}" <"$IN/dates.txt"
    x "$S" nmt translate "${M_NMT[@]}" - --beam 2 <"$IN/dates.txt"
}
add "nmt translate (args, --month-first, --beam, stdin with non-dates)" c_nmt_translate
c_nmt_translate_json() {
    x "$S" nmt translate "${M_NMT[@]}" --json "the 29th of August 1958" "Sat 9 May 18"
    x "$S" nmt translate "${M_NMT[@]}" --json --month-first 05/03/79
    x "$S" nmt translate "${M_NMT[@]}" --json <"$IN/dates.txt"
}
add "nmt translate --json" c_nmt_translate_json
c_nmt_attention() {
    x "$S" nmt attention "${M_NMT[@]}" "Sat 9 May 18"
    x "$S" nmt attention "${M_NMT[@]}" "the 29th of August 1958" --beam 1
    x "$S" nmt attention "${M_NMT[@]}" --month-first 05/03/79
    x "$S" nmt attention "${M_NMT[@]}" "Sat 9 May 18" -o "$C/map.svg"
    x "$S" nmt attention "${M_NMT[@]}" "TUESDAY APR 21ST, 2093" -o "$C/map.pgm"
}
add "nmt attention (text heatmap, -o .svg, -o .pgm)" c_nmt_attention
c_nmt_eval() {
    x "$S" nmt eval "${M_NMT[@]}" -n 300 --seed 7
    x "$S" nmt eval "${M_NMT[@]}" -n 200 --seed 8 --json
    x "$S" nmt eval "${M_NMT[@]}" -n 200 --seed 9 --beam 1
    x "$S" nmt eval "$IN/pairs.tsv" "${M_NMT[@]}"
    x "$S" nmt eval - "${M_NMT[@]}" --json <"$IN/pairs.tsv"
}
add "nmt eval (small -n, --json, --beam 1, FILE, stdin)" c_nmt_eval
c_nmt_default_model() {
    x "$S" nmt translate "the 29th of August 1958" 05/03/79
    x "$S" nmt translate --json "Sat 9 May 18"
    x "$S" nmt attention "Sat 9 May 18"
    x "$S" nmt eval -n 100 --seed 3
    x env SEQTOOL_NMT_MODEL="$NMTMODEL" "$S" nmt translate "Wed the 28th of February 2024"
}
add "nmt translate, attention, eval with the default model, SEQTOOL_NMT_MODEL" c_nmt_default_model
c_nmt_train1() {
    xt "$S" nmt train -o "$C/nmt.safetensors" --examples 2000 --held-out 200 --epochs 2 --threads 1 --seed 5
}
add "nmt train --threads 1 (model, stdout untimed)" c_nmt_train1
c_nmt_train2() {
    xt "$S" nmt train -o "$C/nmt.safetensors" --examples 2000 --held-out 200 --epochs 2 --threads 2 --seed 5 --json -q
}
add "nmt train --threads 2 (model, --json untimed)" c_nmt_train2
c_nmt_train_options() {
    xt "$S" nmt train "$IN/train-pairs.tsv" -o "$C/file.safetensors" --held-out 100 --epochs 2 --batch 50 \
        --lr 0.01 --decay 0 --encoder-units 8 --decoder-units 16 --attention-units 4 --threads 1 --seed 6
    # this little model says 'invalid' (status 1), as OLD does
    xs 1 "$S" nmt translate -m "$C/file.safetensors" --beam 1 "Sat 9 May 18" 05/03/79
}
add "nmt train FILE with every size option (model, stdout untimed)" c_nmt_train_options

# ---------------------------------------------------------------------------
# Inputs.  Made once, read by both binaries.

# lcg: a deterministic pseudo-random stream in awk, the same with any awk
# (Park-Miller; every product stays below 2^53, exact in a double).
LCG='function rnd() { seed = (seed * 48271) % 2147483647; return seed / 2147483647 }'

make_inputs() {
    printf '%s\n' Velociraptor Tyrannosaurus zzz Aa Stegosaurus Brachiosaurus Xenotarsosaurus q \
        >"$IN/names.txt"
    printf '%s\n' "man woman" "father mother" "frog toad" "france - paris	italy - rome" "king queen" \
        >"$IN/sim-queries.txt"
    printf '%s\n' king paris frog "he + she" doctor >"$IN/words.txt"
    printf '%s\n' "man woman king" "paris france rome" "frog toad king" "he she actor" >"$IN/analogies.txt"
    printf '%s\n' "man woman" "he she" "father mother" "boy girl" >"$IN/bias-pairs.txt"
    printf '%s\n' doctor nurse engineer babysitter computer >"$IN/neutral.txt"
    printf '%s\n' "man woman" "boy girl" "actor actress" "prince princess" >"$IN/equalize.txt"
    printf '%s\n' "man woman" "he she" "his her" "male female" "father mother" "boy girl" \
        >"$IN/glove-pairs.txt"
    printf '%s\n' secretary engineer doctor nurse teacher scientist >"$IN/glove-neutral.txt"
    printf '%s\n' "actor actress" "boy girl" "grandfather grandmother" "man woman" >"$IN/glove-equalize.txt"
    printf '%s\n' "❤️ love" "⚾ sport" "😄 joy" "😞 sorrow" "🍴 food" \
        >"$IN/labels.txt"
    printf '%s\n' "let's grab lunch" "I adore my dog" "the match was cancelled" "she laughed all night" \
        "we lost again" "zzqx qqq" "" "congratulations on the new job" "my stomach is growling" \
        "he scored twice in the final" "I miss you so much" >"$IN/sentences.txt"
    printf '%s\n' "the 29th of August 1958" "Sat 9 May 18" "" "not a date at all" "05/03/79" \
        "31/02/2001" "TUESDAY APR 21ST, 2093" "99999999" "1 jan 2000" >"$IN/dates.txt"
    printf '%s\t%s\t%s\n' "the 29th of August 1958" 1958-08-29 - "Sat 9 May 18" 2018-05-09 - \
        "05/03/79" 1979-03-05 dmy "12/11/2001" 2001-11-12 dmy "21ST AUGUST, '93" 1993-08-21 - \
        "1947-may-01" 1947-05-01 - "Wed the 28th of February 2024" 2024-02-28 - \
        "02-28-2024" 2024-02-28 mdy >"$IN/pairs.tsv"

    # 8-dimensional vectors for every word of the emojify training file, near
    # an axis of the class the word is first seen in, and for every other
    # test-file word at random, but one in three test-only words left
    # without a vector (for the suffix back-off and --oov).
    awk -v seed=7 "$LCG"'
        { sub(/\r$/, ""); lab = $0; sub(/.*,/, "", lab); s = $0; sub(/,[^,]*$/, "", s)
          n = split(tolower(s), w, " ")
          for (i = 1; i <= n; i++) if (!(w[i] in seen)) {
              seen[w[i]] = 1
              if (FILENAME != ARGV[1] && ++extra % 3 == 0) continue
              line = w[i]
              for (d = 0; d < 8; d++)
                  line = line sprintf(" %.5f", (FILENAME == ARGV[1] && d == lab + 0 ? 0.9 : 0) + (rnd() - 0.5) * 0.7)
              print line
          } }' "$ETRAIN" "$ETEST" | LC_ALL=C sort >"$IN/emo-vec.txt"

    # a corpus for w2v train: the emojify sentences, 40 times, each time in
    # another order
    awk -v seed=11 "$LCG"'
        { sub(/\r$/, ""); sub(/,[^,]*$/, ""); s[n++] = tolower($0) }
        END { for (r = 0; r < 40; r++) {
                for (i = n - 1; i > 0; i--) { j = int(rnd() * (i + 1)); t = s[i]; s[i] = s[j]; s[j] = t }
                for (i = 0; i < n; i++) print s[i] } }' "$ETRAIN" "$ETEST" >"$IN/corpus.txt"

    # models and files made by OLD (the reference) for the cases that read them
    local S=$OLD
    "$S" dinos train datasets/dinos.txt --epochs 1 --seed 2 -q -o "$IN/dinos.safetensors" >/dev/null &&
    "$S" dinos train datasets/dinos.txt --course --iters 3000 --seed 2 -q -o "$IN/dinos-rnn.safetensors" >/dev/null &&
    "$S" emojify train "$ETRAIN" -v "$IN/emo-vec.txt" -m v1 --epochs 40 --seed 2 -q \
        -o "$IN/emojify-v1.safetensors" >/dev/null &&
    "$S" emojify train "$ETRAIN" -v "$IN/emo-vec.txt" -m v2 --epochs 4 --hidden 32 --seed 2 -q \
        -o "$IN/emojify-v2.safetensors" >/dev/null &&
    "$S" w2v convert "$SMALL" -o "$IN/small.safetensors" -q &&
    "$S" w2v convert "$SMALL" -o "$IN/small.bin" -q &&
    "$S" w2v convert "$SMALL" -o "$IN/small.vec" -q &&
    "$S" nmt dates -n 600 --seed 11 --mixed --with-order >"$IN/train-pairs.tsv"
}

# ---------------------------------------------------------------------------
# Comparing.

# firstdiff OLDFILE NEWFILE: "line L: OLD 'text' NEW 'text'" for text files,
# "byte N: OLD 0xHH NEW 0xHH (sizes A, B)" for others.
show() { # TEXT [FROM]: TEXT quoted, at most 70 characters from FROM on
    local s=$1 from=${2:-0} pre="" post=""
    [ "$from" -gt 0 ] && pre="..."
    s=${s:$from}
    [ ${#s} -gt 70 ] && s=${s:0:70} && post="..."
    printf "'%s%s%s'" "$pre" "$s" "$post"
}
common() { # A B: how many characters A and B share at the start
    local a=$1 b=$2 lo=0 hi mid
    hi=${#a}
    [ ${#b} -lt "$hi" ] && hi=${#b}
    while [ "$lo" -lt "$hi" ]; do # the longest common prefix, by bisection
        mid=$(((lo + hi + 1) / 2))
        if [ "${a:0:mid}" = "${b:0:mid}" ]; then lo=$mid; else hi=$((mid - 1)); fi
    done
    echo "$lo"
}
firstdiff() {
    local a=$1 b=$2 n p la lb sa sb byte oa ob
    if grep -Iq . "$a" 2>/dev/null && grep -Iq . "$b" 2>/dev/null; then
        n=$(awk -v B="$b" '
            { if ((getline l < B) <= 0) { print NR; found = 1; exit }
              if (l != $0) { print NR; found = 1; exit } }
            END { if (!found && (getline l < B) > 0) print NR + 1 }' "$a")
        if [ -n "$n" ]; then
            la=$(sed -n "${n}{p;q}" "$a"); lb=$(sed -n "${n}{p;q}" "$b")
            [ "$(wc -l <"$a")" -lt "$n" ] && [ -z "$la" ] && la="<end of file>"
            [ "$(wc -l <"$b")" -lt "$n" ] && [ -z "$lb" ] && lb="<end of file>"
            # long lines are shown from a little before where they part
            p=$(common "$la" "$lb")
            p=$((p > 30 ? p - 30 : 0))
            printf 'line %s: OLD %s NEW %s' "$n" "$(show "$la" "$p")" "$(show "$lb" "$p")"
            return
        fi
    fi
    sa=$(wc -c <"$a"); sb=$(wc -c <"$b")
    read -r byte oa ob < <(cmp -l "$a" "$b" 2>/dev/null | head -1)
    if [ -n "${byte:-}" ]; then
        printf 'byte %s: OLD 0x%02x NEW 0x%02x (sizes %s, %s)' "$byte" "$((8#$oa))" "$((8#$ob))" "$sa" "$sb"
    else
        printf 'sizes %s, %s: one is a prefix of the other' "$sa" "$sb"
    fi
}

# firstbad FILE1 FILE2: the number of the first line where they differ.
firstbad() { paste -d' ' "$1" "$2" | awk '$1 != $2 { print NR; exit }'; }

# compare_case I: nothing when case I matches, else why not.
compare_case() {
    local a=$TMP/old/$1 b=$TMP/new/$1 f files n msg="" more=0
    # OLD must have exited as the case expects, or the case proves little
    if ! cmp -s "$a/status" "$a/expect"; then
        n=$(firstbad "$a/status" "$a/expect")
        printf "OLD itself exited %s where %s was expected (command %s: %s)" \
            "$(paste -sd, "$a/status")" "$(paste -sd, "$a/expect")" "$n" \
            "$(show "$(head -1 "$a/stderr.$n" 2>/dev/null)")"
        return
    fi
    # exit statuses first, then stdout, then the files written, by name
    files=$(printf '%s\n' status stdout
        (cd "$a" && find . -type f; cd "$b" && find . -type f) | sed 's|^\./||' |
            grep -vx -e 'stderr\.[0-9]*' -e expect -e status -e stdout | LC_ALL=C sort -u)
    while IFS= read -r f; do
        [ -n "$f" ] || continue
        if [ ! -f "$a/$f" ] || [ ! -f "$b/$f" ]; then
            if [ -z "$msg" ]; then
                if [ -f "$a/$f" ]; then msg="$f: only OLD wrote it"; else msg="$f: only NEW wrote it"; fi
            fi
            more=$((more + 1))
        elif ! cmp -s "$a/$f" "$b/$f"; then
            if [ -z "$msg" ]; then
                if [ "$f" = status ]; then
                    n=$(firstbad "$a/status" "$b/status")
                    msg="exit statuses: OLD $(paste -sd, "$a/status"), NEW $(paste -sd, "$b/status")"
                    [ -s "$b/stderr.$n" ] && msg="$msg; NEW's stderr (command $n): $(show "$(head -1 "$b/stderr.$n")")"
                else
                    msg="$f: $(firstdiff "$a/$f" "$b/$f")"
                fi
            fi
            more=$((more + 1))
        fi
    done <<<"$files"
    [ -n "$msg" ] || return 0
    [ "$more" -gt 1 ] && msg="$msg; $((more - 1)) more file(s) differ"
    printf '%s' "$msg"
}

# run_all BINARY LABEL: every case with BINARY, results in $TMP/LABEL.
run_all() {
    local S=$1 i C
    rm -rf "$RUN"
    mkdir -p "$RUN"
    for i in "${!NAMES[@]}"; do
        case ${FUNCS[$i]} in skip:*) continue ;; esac
        C=$RUN/case$i
        mkdir -p "$C"
        : >"$C/stdout"
        : >"$C/status"
        : >"$C/expect"
        # word splitting on purpose: a FUNCS entry may carry arguments
        # shellcheck disable=SC2086
        (cd "$ROOT" && ${FUNCS[$i]}) </dev/null
    done
    mv "$RUN" "$TMP/$2"
}

# ---------------------------------------------------------------------------
start=$SECONDS
if ! make_inputs 2>"$TMP/prep.err"; then
    echo "$0: OLD ($OLD) could not make the reference inputs:" >&2
    head -5 "$TMP/prep.err" >&2
    exit 2
fi
run_all "$OLD" old
run_all "$NEW" new

pass=0 fail=0
for i in "${!NAMES[@]}"; do
    case ${FUNCS[$i]} in
    skip:*)
        echo "skip - ${NAMES[$i]} (${FUNCS[$i]#skip:})"
        continue
        ;;
    esac
    why=$(compare_case "case$i")
    if [ -z "$why" ]; then
        pass=$((pass + 1))
        echo "ok - ${NAMES[$i]}"
    else
        fail=$((fail + 1))
        echo "not ok - ${NAMES[$i]} ($why)"
    fi
done
echo "# OLD $OLD, NEW $NEW; $((SECONDS - start)) s"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
