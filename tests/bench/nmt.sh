#!/usr/bin/env bash
# tests/bench/nmt.sh (`tests/bench/run nmt`, `make bench BENCH=nmt`, part of
# `make bench`): seqtool nmt (the course's date translator: attention
# seq2seq, human dates -> ISO) against a PyTorch CPU peer of the same
# architecture (tests/bench/nmt_peer.py) and GNU `date -d`, in one run.
#
# Data, the same for every side: `seqtool nmt dates --mixed --with-order`,
# $BENCH_NMT_TRAIN training pairs (seed 1) and $BENCH_NMT_TEST test pairs
# (seed 2; also printed with --json for the family of each line). The test
# file is split by convention for translation: rows marked mdy go to one
# file translated month-first (seqtool --month-first, peer token <mdy>),
# the others (dmy and the unambiguous "-" rows) to one translated
# day-first; each side gets every line with its right convention, and the
# outputs are put back in the test order to score.
#
#  1. accuracy run (BLAS $BENCH_NMT_BLAS: openblas when present): each side
#     trains on the training pairs for $BENCH_NMT_EPOCHS epochs (Adam 0.005,
#     batch 100, seed 1), then translates the test dates; exact match of the
#     10 characters, overall, by convention (dmy / mdy / -) and by family
#     group (weekday- variants merged with their family). Peak RSS of the
#     training processes.
#  2. training speed: for each BLAS present, $BENCH_RUNS alternating runs per
#     side of 1 epoch over the first $BENCH_NMT_SPEED_OPENBLAS (openblas) or
#     $BENCH_NMT_SPEED_REF (reference) training pairs; median examples/s of
#     the training loop (seqtool: its --json report; peer: its own timer,
#     data loading and torch import excluded) and the ratio.
#  3. translation speed: for each BLAS present, $BENCH_RUNS alternating runs
#     per side translating the $BENCH_NMT_TEST test dates with the models of
#     1; seqtool: wall time of its two `nmt translate` processes (model
#     loading and process start included); peer: its own timer from reading
#     the file to writing the answers (torch import and model loading
#     excluded; batches of 500 under torch.no_grad()). Median lines/s, ratio,
#     peak RSS.
#  4. GNU date: `date -f FILE +%F` (TZ=UTC0, LC_ALL=C) on the same test
#     dates. date prints nothing on stdout for a line it cannot parse (only
#     an error on stderr), so for scoring every input line is followed by a
#     sentinel line 2999-12-31 (outside the generated 1900-2099): an output
#     line that is the sentinel means "invalid", any other is the answer and
#     must be followed by the sentinel (checked, else the scoring fails).
#     Its speed is timed without sentinels, on the test dates repeated
#     $BENCH_NMT_DATE_REPEAT times (one process), median of $BENCH_RUNS.
#     date reads numeric dates month-first and two-digit years 69-99 as 19yy,
#     00-68 as 20yy (the generator: 30-99 -> 19yy), hence its separate
#     dmy / mdy / - figures.
# One thread on both sides: seqtool --threads 1, the peer
# torch.set_num_threads(1), OPENBLAS_NUM_THREADS=1, OMP_NUM_THREADS=1. Which
# BLAS each side really bound is shown by probe runs under LD_DEBUG=bindings.
# Training settings on both sides: Adam lr 0.005, batch 100, no decay, seed 1,
# every training pair trained on (seqtool: --held-out 0), the "-" rows with a
# random <dmy>/<mdy> token (seqtool's rule; peer --none-order random); the
# seqtool options are passed only when its `nmt train --help` lists them (the
# notes say which were not). seqtool masks the padding positions in the
# attention softmax; the peer follows the course and does not
# ($BENCH_NMT_PEER_MASK=1: it masks them too).
# Target (printed, never asserted): seqtool >= 5x the peer in training
# examples/s and in translation lines/s.
#
# Environment (defaults): BENCH_RUNS (3), BENCH_NMT_TRAIN (20000),
# BENCH_NMT_TEST (10000), BENCH_NMT_EPOCHS (8), BENCH_NMT_SPEED_OPENBLAS
# (20000), BENCH_NMT_SPEED_REF (5000), BENCH_NMT_DATE_REPEAT (10),
# BENCH_NMT_BLAS, BENCH_NMT_PEER_MASK (0), SEQTOOL (./seqtool). About 4-5
# minutes on a 2-core machine. Installs python3-torch (apt) when
# /usr/bin/python3 cannot import it, and `time`. When seqtool has no
# `nmt train` / `nmt translate` yet, runs the peer and date parts, says so
# and exits 1; exits 1 too when any run fails.
. "$(dirname "$0")/lib.sh" || exit 1
NTRAIN=${BENCH_NMT_TRAIN:-20000}
NTEST=${BENCH_NMT_TEST:-10000}
EPOCHS=${BENCH_NMT_EPOCHS:-8}
SPEED_OB=${BENCH_NMT_SPEED_OPENBLAS:-20000}
SPEED_REF=${BENCH_NMT_SPEED_REF:-5000}
DATE_REPEAT=${BENCH_NMT_DATE_REPEAT:-10}
# "-" rows get a random token, as seqtool's train does with them
PEER_OPTS=(--threads 1 --seed 1 --none-order random)
[ "${BENCH_NMT_PEER_MASK:-0}" = 1 ] && PEER_OPTS+=(--mask)
SEQ_TRAIN_OPTS=()   # set from `seqtool nmt train --help` below
SENT=2999-12-31

setup_bench torch:python3-torch || exit 1
pick_blas "${BENCH_NMT_BLAS:-}" || exit 1

if ! "$SEQ" nmt dates -n 1 >/dev/null 2>&1; then
    echo "bench: $SEQ has no 'nmt dates': cannot make the data" >&2
    exit 1
fi
# seqtool's side is there when both actions answer --help
HAVE_SEQ=1
for act in train translate; do
    if ! seq_has nmt "$act"; then
        HAVE_SEQ=0
        MISSING="${MISSING:-}${MISSING:+, }nmt $act"
    fi
done
if [ $HAVE_SEQ = 0 ]; then
    echo "bench: seqtool side NOT READY: $SEQ_NAME has no ${MISSING} yet; running the PyTorch and date parts only" >&2
    FAILED=1
else
    # the course's settings, spelled out for each option seqtool has (its
    # defaults otherwise); nothing held out of the training file, as the peer
    SEQ_HELP=$("$SEQ" nmt train --help 2>&1)
    SEQ_TRAIN_OPTS=(--seed 1 -q --json)
    for opt in "--threads 1" "--lr 0.005" "--batch 100" "--decay 0" "--held-out 0"; do
        if printf '%s\n' "$SEQ_HELP" | grep -q -- "${opt% *}\b"; then
            SEQ_TRAIN_OPTS+=($opt)
        else
            SEQ_ABSENT="${SEQ_ABSENT:-}${SEQ_ABSENT:+, }${opt% *}"
        fi
    done
fi

# ---- helpers ----------------------------------------------------------

# seq_eps NAME PAIRS EPOCHS: SEQ_EPS = examples/s of a `seqtool nmt train
# --json` run: its examples_per_s, else PAIRS x EPOCHS / its training
# seconds, else / the process wall time (then SEQ_EPS_SRC=wall)
seq_eps() {
    local line
    line=$(grep '^{' "$TMP/$1.out" | tail -n 1)
    SEQ_EPS_SRC=json
    SEQ_EPS=$(printf '%s' "$line" | $PY -c '
import json, sys
try:
    r = json.loads(sys.stdin.read())
except ValueError:
    sys.exit(1)
for k in ("examples_per_s", "examples_per_second", "train_examples_per_s"):
    if isinstance(r.get(k), (int, float)) and r[k] > 0:
        print(r[k]); sys.exit(0)
n, e = float(sys.argv[1]), float(sys.argv[2])
for k in ("train_seconds", "training_seconds", "seconds", "train_s", "time_s", "elapsed"):
    if isinstance(r.get(k), (int, float)) and r[k] > 0:
        print(n * e / r[k]); sys.exit(0)
sys.exit(1)' "$2" "$3" 2>/dev/null) && return
    SEQ_EPS_SRC=wall
    SEQ_EPS=$(awk -v n="$2" -v e="$3" -v w="$WALL" 'BEGIN{printf "%.1f", n*e/w}')
}

# shellcheck disable=SC2034  # read by row and table (lib.sh)
ROW_FMT='%-30s %-20s %12s %12s %9s  %s\n'

echo "seqtool nmt vs PyTorch $(pyver torch) (1 thread) and $(date --version | head -n 1); $(nproc) CPUs"
echo "threads: seqtool --threads 1, PyTorch torch.set_num_threads(1); OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1"
echo "BLAS for the accuracy run: $BLAS ($BLASDIR); speeds: each of ${BLASES[*]%%:*}"
load_start
[ $HAVE_SEQ = 1 ] || echo "seqtool side: NOT READY (no ${MISSING}): its columns stay empty"
echo

# ---- data --------------------------------------------------------------
D=$TMP/data
mkdir -p "$D"
"$SEQ" nmt dates -n "$NTRAIN" --seed 1 --mixed --with-order >"$D/train.tsv" &&
"$SEQ" nmt dates -n "$NTEST" --seed 2 --mixed --with-order >"$D/test.tsv" &&
"$SEQ" nmt dates -n "$NTEST" --seed 2 --mixed --with-order --json >"$D/test.json" ||
    { echo "bench: seqtool nmt dates failed" >&2; exit 1; }
# the test set as files: human dates of each convention, their row numbers,
# and date's input with sentinels
$PY - "$D" <<'EOF' || { echo "bench: preparing the test files failed" >&2; exit 1; }
import json, os, sys
d = sys.argv[1]
rows = [l.rstrip("\n").split("\t") for l in open(os.path.join(d, "test.tsv"), encoding="utf-8")]
js = [json.loads(l) for l in open(os.path.join(d, "test.json"), encoding="utf-8")]
assert len(rows) == len(js), "test.tsv and test.json differ in length"
for r, j in zip(rows, js):
    assert r[0] == j["human"] and r[1] == j["iso"], "test.tsv and test.json differ: %r" % (r,)
    assert "\n" not in r[0] and "\t" not in r[0]
files = {o: (open(os.path.join(d, o + ".txt"), "w", encoding="utf-8"),
             open(os.path.join(d, o + ".idx"), "w")) for o in ("dmy", "mdy")}
with open(os.path.join(d, "date.in"), "w", encoding="utf-8") as di, \
     open(os.path.join(d, "human.txt"), "w", encoding="utf-8") as hu:
    for i, (h, iso, o) in enumerate(rows):
        f, x = files["mdy" if o == "mdy" else "dmy"]
        f.write(h + "\n"); x.write("%d\n" % i)
        di.write(h + "\n2999-12-31\n")
        hu.write(h + "\n")
EOF
NDMY=$(wc -l <"$D/dmy.txt") NMDY=$(wc -l <"$D/mdy.txt")
echo "data: $NTRAIN training pairs (seed 1), $NTEST test pairs (seed 2): $NDMY translated day-first (dmy and '-' rows), $NMDY month-first (mdy rows)"
head -n "$SPEED_OB" "$D/train.tsv" >"$D/speed.openblas.tsv"
head -n "$SPEED_REF" "$D/train.tsv" >"$D/speed.reference.tsv"
head -n 200 "$D/train.tsv" >"$D/probe.tsv"

# seq_translate NAME DIR MODEL: both conventions through seqtool; outputs in
# $TMP/NAME.dmy.txt and $TMP/NAME.mdy.txt; WALL = the sum, RSS = the larger
seq_translate() {
    local name=$1 dir=$2 model=$3 w=0 r=0
    # seqtool nmt translate exits 1 when a line gave no valid date (it
    # prints 'invalid' there): an answer, scored as a miss, not a failure
    RUN_OK1="printed 'invalid'" RUN_IN=$D/dmy.txt RUN_OUT=$TMP/$name.dmy.txt \
        run "$name.dmy" "$dir" "$SEQ" nmt translate -m "$model" || return 1
    w=$WALL r=$RSS
    RUN_OK1="printed 'invalid'" RUN_IN=$D/mdy.txt RUN_OUT=$TMP/$name.mdy.txt \
        run "$name.mdy" "$dir" "$SEQ" nmt translate -m "$model" --month-first || return 1
    WALL=$(awk -v a="$w" -v b="$WALL" 'BEGIN{printf "%.6f", a+b}')
    [ "$r" -gt "$RSS" ] && RSS=$r
    return 0
}
peer_translate() {
    local name=$1 dir=$2 model=$3
    run "$name" "$dir" $PY "$PEER" --load "$model" "${PEER_OPTS[@]}" \
        --translate dmy "$D/dmy.txt" "$TMP/$name.dmy.txt" \
        --translate mdy "$D/mdy.txt" "$TMP/$name.mdy.txt"
}
# merge NAME: $TMP/NAME.{dmy,mdy}.txt back in test order -> $TMP/NAME.pred
merge() {
    $PY - "$D" "$TMP/$1" <<'EOF'
import sys
d, p = sys.argv[1], sys.argv[2]
out = {}
for o in ("dmy", "mdy"):
    idx = [int(l) for l in open("%s/%s.idx" % (d, o))]
    got = [l.rstrip("\n") for l in open("%s.%s.txt" % (p, o), encoding="utf-8", errors="replace")]
    if len(got) != len(idx):
        sys.exit("%s.%s.txt: %d lines for %d inputs" % (p, o, len(got), len(idx)))
    out.update(zip(idx, got))
with open(p + ".pred", "w", encoding="utf-8") as f:
    f.write("".join(out[i] + "\n" for i in range(len(out))))
EOF
}

# ---- probes -----------------------------------------------------------
echo "BLAS really used (probe runs under LD_DEBUG=bindings: where s{gemm,gemv} were bound)"
for b in "${BLASES[@]}"; do
    name=${b%%:*} dir=${b#*:}
    [ $HAVE_SEQ = 1 ] && printf '  %-9s %-7s -> %s\n' "$name" seqtool \
        "$(blas_probe 'gemm\|gemv' "$dir" "$SEQ" nmt train "$D/probe.tsv" -o "$TMP/probe.safetensors" --epochs 1 "${SEQ_TRAIN_OPTS[@]}")"
    printf '  %-9s %-7s -> %s\n' "$name" peer \
        "$(blas_probe 'gemm\|gemv' "$dir" $PY "$PEER" "$D/probe.tsv" --epochs 1 "${PEER_OPTS[@]}")"
done
echo

# ---- 1. accuracy run ----------------------------------------------------
echo "1. train on $NTRAIN pairs x $EPOCHS epochs, translate $NTEST test dates ($BLAS): 1 run per side"
SEQ_MODEL=$TMP/seq.safetensors PEER_MODEL=$TMP/peer.pt
if [ $HAVE_SEQ = 1 ] && run acc_seq "$BLASDIR" "$SEQ" nmt train "$D/train.tsv" -o "$SEQ_MODEL" \
        --epochs "$EPOCHS" "${SEQ_TRAIN_OPTS[@]}"; then
    acc_seq_rss=$RSS acc_seq_wall=$WALL
    seq_eps acc_seq "$NTRAIN" "$EPOCHS"
    acc_seq_eps=$SEQ_EPS
    [ "$SEQ_EPS_SRC" = wall ] && note "1: seqtool train printed no training time in JSON: examples/s from the process wall time"
    note "1: seqtool train's JSON: $(grep '^{' "$TMP/acc_seq.out" | tail -n 1 | cut -c1-300)"
    if [ ! -s "$SEQ_MODEL" ]; then
        echo "bench: seqtool nmt train wrote no $SEQ_MODEL" >&2; FAILED=1
    fi
fi
if run acc_peer "$BLASDIR" $PY "$PEER" "$D/train.tsv" --epochs "$EPOCHS" "${PEER_OPTS[@]}" \
        --save "$PEER_MODEL" --test "$D/test.tsv"; then
    acc_peer_eps=$(json acc_peer examples_per_s) acc_peer_rss=$RSS acc_peer_wall=$WALL
    note "1: peer: final-epoch mean loss $(json acc_peer loss), its own --test exact match $(json acc_peer test_exact), vocabulary $(json acc_peer vocab), $(json acc_peer params) parameters, mask $(json acc_peer mask)"
fi
row "1 train ${NTRAIN}x${EPOCHS} ($BLAS)" "examples/s" "$(fmt %.0f "${acc_seq_eps:-}")" "$(fmt %.0f "${acc_peer_eps:-}")" \
    "$(ratio "${acc_seq_eps:-}" "${acc_peer_eps:-}")" "1 run; target >= 5x"
row "" "process s, RSS MB" "$(fmt %.1f "${acc_seq_wall:-}") $(mb "${acc_seq_rss:-}")" \
    "$(fmt %.1f "${acc_peer_wall:-}") $(mb "${acc_peer_rss:-}")" "" "whole training processes (peer: + test pass + saving)"

# ---- 3 (first run doubles as the accuracy translation) --------------------
# translation speed, per BLAS, alternating; the first BLAS=$BLAS run of each
# side gives the answers scored below
echo "3. translation speed: $NTEST test dates with the models of 1, $RUNS alternating runs per side per BLAS"
for b in "${BLASES[@]}"; do
    name=${b%%:*} dir=${b#*:}
    for r in $(seq 1 "$RUNS"); do
        for side in $(alternate "$r" seqtool peer); do
            if [ "$side" = seqtool ]; then
                [ $HAVE_SEQ = 1 ] && [ -s "$SEQ_MODEL" ] || continue
                seq_translate "tr_seq_${name}_$r" "$dir" "$SEQ_MODEL" &&
                    echo "$(lps "$NTEST" "$WALL") $RSS $WALL" >>"$TMP/tr.seq.$name"
            else
                [ -s "$PEER_MODEL" ] || continue
                peer_translate "tr_peer_${name}_$r" "$dir" "$PEER_MODEL" &&
                    echo "$(json "tr_peer_${name}_$r" lines_per_s) $RSS $WALL" >>"$TMP/tr.peer.$name"
            fi
        done
    done
done
for side in seq peer; do
    [ -s "$TMP/tr_${side}_${BLAS}_1.dmy.txt" ] || continue
    merge "tr_${side}_${BLAS}_1" || { echo "bench: $side translation output misaligned" >&2; FAILED=1; }
done

# ---- 4. GNU date --------------------------------------------------------
echo "4. GNU date -f on the $NTEST test dates (sentinel-interleaved for scoring; x$DATE_REPEAT for speed, $RUNS runs)"
TZ=UTC0 LC_ALL=C date -f "$D/date.in" +%F >"$TMP/date.raw" 2>"$TMP/date.err"
$PY - "$TMP/date.raw" "$SENT" "$NTEST" >"$TMP/date.pred" <<'EOF' || { echo "bench: date's output could not be aligned" >&2; FAILED=1; }
import sys
lines = [l.rstrip("\n") for l in open(sys.argv[1], encoding="utf-8", errors="replace")]
sent, n = sys.argv[2], int(sys.argv[3])
out, i = [], 0
while i < len(lines):
    if lines[i] == sent:          # the input line before it printed nothing
        out.append("invalid"); i += 1
    elif i + 1 < len(lines) and lines[i + 1] == sent:
        out.append(lines[i]); i += 2
    else:
        sys.exit("date output line %d: %r not followed by the sentinel" % (i + 1, lines[i]))
if len(out) != n:
    sys.exit("date: %d answers for %d inputs" % (len(out), n))
print("\n".join(out))
EOF
for r in $(seq 1 "$DATE_REPEAT"); do cat "$D/human.txt"; done >"$D/date.speed"
for r in $(seq 1 "$RUNS"); do
    t0=$EPOCHREALTIME
    TZ=UTC0 LC_ALL=C /usr/bin/time -v -o "$TMP/date.time" date -f "$D/date.speed" +%F >/dev/null 2>&1
    echo "$(awk -v a="$t0" -v b="$EPOCHREALTIME" -v n="$((NTEST * DATE_REPEAT))" 'BEGIN{printf "%.1f", n/(b-a)}') $(rss_kb "$TMP/date.time")" >>"$TMP/date.speed.res"
done
date_lps=$(median 1 "$TMP/date.speed.res") date_rss=$(maxcol 2 "$TMP/date.speed.res")

# ---- 2. training speed ----------------------------------------------------
for b in "${BLASES[@]}"; do
    name=${b%%:*} dir=${b#*:}
    n=$(wc -l <"$D/speed.$name.tsv")
    echo "2. training speed ($name): 1 epoch over $n pairs, $RUNS alternating runs per side"
    for r in $(seq 1 "$RUNS"); do
        for side in $(alternate "$r" seqtool peer); do
            if [ "$side" = seqtool ]; then
                [ $HAVE_SEQ = 1 ] || continue
                run "sp_seq_$name" "$dir" "$SEQ" nmt train "$D/speed.$name.tsv" -o "$TMP/speed.safetensors" \
                    --epochs 1 "${SEQ_TRAIN_OPTS[@]}" && seq_eps "sp_seq_$name" "$n" 1 &&
                    echo "$SEQ_EPS $RSS" >>"$TMP/sp.seq.$name"
            else
                run "sp_peer_$name" "$dir" $PY "$PEER" "$D/speed.$name.tsv" --epochs 1 "${PEER_OPTS[@]}" &&
                    echo "$(json "sp_peer_$name" examples_per_s) $RSS" >>"$TMP/sp.peer.$name"
            fi
        done
    done
    s=$(median 1 "$TMP/sp.seq.$name" 2>/dev/null) p=$(median 1 "$TMP/sp.peer.$name" 2>/dev/null)
    row "2 train speed ($name)" "examples/s (median)" "$(fmt %.0f "$s")" "$(fmt %.0f "$p")" \
        "$(ratio "$s" "$p")" "target >= 5x; 1 epoch over $n pairs, batch 100, Adam"
done

# ---- 3. translation speed rows ---------------------------------------------
for b in "${BLASES[@]}"; do
    name=${b%%:*}
    s=$(median 1 "$TMP/tr.seq.$name" 2>/dev/null) p=$(median 1 "$TMP/tr.peer.$name" 2>/dev/null)
    row "3 translate speed ($name)" "lines/s (median)" "$(fmt %.0f "$s")" "$(fmt %.0f "$p")" \
        "$(ratio "$s" "$p")" "target >= 5x; $NTEST dates; seqtool: 2 whole processes; peer: translate loop only"
    row "" "peak RSS MB" "$(mb "$(maxcol 2 "$TMP/tr.seq.$name" 2>/dev/null)")" \
        "$(mb "$(maxcol 2 "$TMP/tr.peer.$name" 2>/dev/null)")" "" \
        "peer process: $(fmt %.1f "$(median 3 "$TMP/tr.peer.$name" 2>/dev/null)") s (import + load included)"
done
row "4 GNU date -f" "lines/s (median)" "" "" "" "$(fmt %.0f "$date_lps") lines/s, peak RSS $(mb "$date_rss") MB ($((NTEST * DATE_REPEAT)) lines, 1 process)"

# ---- scores ---------------------------------------------------------------
preds=()
[ -s "$TMP/tr_seq_${BLAS}_1.pred" ] && preds+=("seqtool=$TMP/tr_seq_${BLAS}_1.pred")
[ -s "$TMP/tr_peer_${BLAS}_1.pred" ] && preds+=("pytorch=$TMP/tr_peer_${BLAS}_1.pred")
[ -s "$TMP/date.pred" ] && preds+=("date=$TMP/date.pred")
$PY - "$D/test.json" "${preds[@]}" >"$TMP/scores" <<'EOF' || { echo "bench: scoring failed" >&2; FAILED=1; }
import collections, json, sys
rows = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
sides = [a.split("=", 1) for a in sys.argv[2:]]
got = {n: [l.rstrip("\n") for l in open(p, encoding="utf-8", errors="replace")] for n, p in sides}
groups = collections.OrderedDict()
def add(key, i):
    groups.setdefault(key, []).append(i)
for i, r in enumerate(rows):
    add("all", i)
    add("order " + (r["order"] or "-"), i)
    wk = r["format"].startswith("weekday-")
    add("with weekday" if wk else "without weekday", i)
fams = sorted({r["format"][8:] if r["format"].startswith("weekday-") else r["format"] for r in rows})
for i, r in enumerate(rows):
    f = r["format"]
    add("  " + (f[8:] if f.startswith("weekday-") else f), i)
keys = ["all", "order dmy", "order mdy", "order -", "without weekday", "with weekday"]
keys = [k for k in keys if k in groups] + ["  " + f for f in fams]
print("%-34s %6s" % ("exact match % (test set)", "lines") + "".join(" %9s" % n for n, _ in sides)
      + ("   date invalid%" if "date" in got else ""))
for k in keys:
    ix = groups[k]
    line = "%-34s %6d" % (k, len(ix))
    for n, _ in sides:
        g = got[n]
        line += " %9.2f" % (100.0 * sum(g[i] == rows[i]["iso"] for i in ix if i < len(g)) / len(ix))
    if "date" in got:
        line += "   %9.2f" % (100.0 * sum(got["date"][i] == "invalid" for i in ix) / len(ix))
    print(line)
for n, _ in sides:
    g = got[n]
    bad = [(rows[i]["human"], g[i], rows[i]["iso"]) for i in range(min(len(g), len(rows))) if g[i] != rows[i]["iso"]]
    if n != "date" and bad:
        print("first misses of %s: %s" % (n, "; ".join("%r -> %s (want %s)" % b for b in bad[:3])))
EOF

# ---- table ----------------------------------------------------------------
table item measure seqtool pytorch ratio notes
echo "groups: 'order dmy/mdy' = numeric day/month dates of that convention (each side told the convention),"
echo "'order -' = the other families; family groups merge each family with its weekday- variant."
echo "models trained in 1 ($BLAS, ${NTRAIN}x${EPOCHS}); answers of the first translation run ($BLAS)."
[ -s "$TMP/scores" ] && cat "$TMP/scores"
echo
if [ "${BENCH_NMT_PEER_MASK:-0}" = 1 ]; then mask="padding masked (BENCH_NMT_PEER_MASK=1)"; else mask="padding not masked, as the course"; fi
echo "ratio: seqtool/pytorch (>1: seqtool faster). PyTorch peer: $mask."
[ -n "${SEQ_ABSENT:-}" ] && note "seqtool nmt train --help lists no ${SEQ_ABSENT}: its defaults used there"
[ $HAVE_SEQ = 1 ] && note "seqtool nmt train options: ${SEQ_TRAIN_OPTS[*]}"
[ $HAVE_SEQ = 1 ] || note "seqtool side NOT READY: $SEQ_NAME has no ${MISSING}; only the PyTorch and date parts ran"
load_end 1
bench_time
notes
if [ $HAVE_SEQ = 0 ]; then
    echo "bench: nmt: seqtool side not ready (no ${MISSING}): exit 1" >&2
fi
exit "$FAILED"
