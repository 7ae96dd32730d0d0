#!/usr/bin/env bash
# tests/bench/trigger.sh (`make bench BENCH=trigger`, part of `make bench`):
# wake-word inference, `seqtool trigger detect` against a PyTorch CPU peer
# of the same network (tests/bench/trigger_peer.py) on the same audio with
# the same weights. Helpers: tests/bench/lib.sh.
#
# The peer reads seqtool's model file (trigger.arch, trigger.front and the
# tensors by their PyTorch names) into torch.nn.Conv1d, BatchNorm1d (eps
# 1e-3), ReLU, GRU and Linear, float32, eval mode, torch.no_grad(),
# torch.set_num_threads(1); its front end is audio/spec.h's in torch
# operations (framing, window, torch.fft.rfft, power; the course's scale,
# or 40 mel bands and log). Both sides run each file as a stream, in
# blocks, the state carried from block to block (seqtool: blocks of 4096
# samples; peer: chunks of 10 s, so a 10 s clip in one piece). One thread
# each (seqtool detect starts none; OPENBLAS_NUM_THREADS=1,
# OMP_NUM_THREADS=1).
#
# Same computation: every run of the peer writes every output step's time
# and score (after its clock stops), and they are compared with `seqtool
# trigger detect --scores` on the same files: the same times, and scores
# within 1e-4 (else the bench fails); the largest difference and the range
# of the scores are shown.
#
# What is timed (the fair split): the work of detecting, from the audio
# file to the scores, on both sides: reading the WAV, the front end and
# the network. seqtool: the whole `seqtool trigger detect` process under
# /usr/bin/time (start-up, model loading and printing included: what a
# user waits for); peer: its own clock around reading, front end and
# network of every file, the first included (the torch import, ~1 s, and
# model loading excluded: counted, they would swamp a few clips). So the
# peer is spared its start-up and seqtool is not; the peer also reports
# its front end and network parts apart. Each speed is given by wall time
# and by CPU time (seqtool: user + system of the process; peer:
# time.process_time() over its timed part), the second less hurt by other
# work on a shared machine.
#
#  course  the course's architecture (--arch course: Conv1D 196/15/4, BN,
#          ReLU, GRU 128, BN, GRU 128, BN, Dense sigmoid; 523,329 weights)
#          on $BENCH_TRIGGER_CLIPS (32) clips of 10 s at 44.1 kHz (101-bin
#          spectrogram, 5,511 frames, 1,375 steps each) made by `seqtool
#          trigger synth` from the course's recordings (seed 1). The
#          weights: `seqtool trigger train --arch course` for
#          $BENCH_TRIGGER_EPOCHS (6) epochs of those clips (batch 8; ~15
#          s), enough for the batch norms' statistics and scores that vary
#          (not a useful detector: the speed does not depend on it).
#          seqtool: `detect -m MODEL CLIPS...`, one process; clips/s =
#          clips / wall time. Peer: clips/s by its clock. For each BLAS.
#          Target: seqtool >= 5x the peer.
#  hour    the default model (datasets/trigger/activate.safetensors: log-mel
#          at 16 kHz, two causal convolutions, GRU 96) on one hour of audio:
#          6 synth clips of 600 s (the course's recordings, up to 32 wake
#          words and 32 other words each, seed 2) joined into one WAV file.
#          seqtool: `detect HOUR.wav` (whole process: real-time factor =
#          wall / 3600 s, target <= 0.003, i.e. under 10.8 s) and the same
#          samples as a stream, `detect --raw --rate 16000 -` reading them on
#          standard input (peak RSS, target < 50 MB). Peer: its clock (RTF)
#          and the peak RSS of its process (torch's own share included).
# $BENCH_RUNS alternating runs per side (lib.sh alternate_runs), medians;
# peak RSS = the largest of the runs (/usr/bin/time -v).
#
# Environment (defaults): BENCH_RUNS (3); BENCH_TRIGGER_BLAS (every BLAS
# lib.sh finds: Debian's reference one, and OpenBLAS when installed or
# named in BENCH_BLAS_DIRS, e.g. openblas:DIR unpacked from
# libopenblas0-pthread's .deb; or one NAME); BENCH_TRIGGER_CLIPS (32);
# BENCH_TRIGGER_EPOCHS (6); SEQTOOL_SHARED (../shared/datasets: the course's
# recordings in course/trigger/raw_data; without them, `seqtool trigger
# voices` renders words with espeak-ng or flite); SEQTOOL (./seqtool).
# About 2-3 minutes on a loaded 2-core machine. Installs python3-torch and
# python3-numpy (apt) when /usr/bin/python3 cannot import them, and `time`.
# Exits 1 when a run fails or the scores disagree; never asserts a speed.
. "$(dirname "$0")/lib.sh" || exit 1
NCLIPS=${BENCH_TRIGGER_CLIPS:-32}
EPOCHS=${BENCH_TRIGGER_EPOCHS:-6}
RAW=${SEQTOOL_SHARED:-../shared/datasets}/course/trigger/raw_data
SHIPPED=datasets/trigger/activate.safetensors
TOL=1e-4

setup_bench torch:python3-torch numpy:python3-numpy || exit 1
"$SEQ" trigger detect --help 2>/dev/null | grep -q -- --scores ||
    { echo "bench: $SEQ_NAME has no 'trigger detect --scores'" >&2; exit 1; }
[ -f "$SHIPPED" ] || { echo "bench: no $SHIPPED" >&2; exit 1; }
if [ -n "${BENCH_TRIGGER_BLAS:-}" ]; then
    pick_blas "$BENCH_TRIGGER_BLAS" || exit 1
    USE=("$BLAS:$BLASDIR")
else
    USE=("${BLASES[@]}")
fi

# shellcheck disable=SC2034  # read by row and table (lib.sh)
ROW_FMT='%-30s %-28s %9s %9s %7s  %s\n'

echo "seqtool trigger detect vs PyTorch $(pyver torch) (1 thread each); $(nproc) CPUs"
echo "BLAS: ${USE[*]%%:*}; $RUNS alternating runs per side, medians"
load_start
echo

# ---- data ------------------------------------------------------------------
D=$TMP/data
mkdir -p "$D"
if [ -d "$RAW/activates" ] && [ -d "$RAW/negatives" ] && [ -d "$RAW/backgrounds" ]; then
    SRC=("$RAW/activates" "$RAW/negatives" "$RAW/backgrounds")
    SRC_NOTE="the course's recordings ($RAW)"
else
    echo "no course recordings in $RAW: rendering words with seqtool trigger voices"
    "$SEQ" trigger voices activate --renders 30 --negatives 40 --backgrounds 6 -q -o "$D/voices" >/dev/null ||
        { echo "bench: no $RAW and seqtool trigger voices failed (espeak-ng or flite installed?)" >&2; exit 1; }
    SRC=("$D/voices/positives" "$D/voices/negatives" "$D/voices/backgrounds")
    SRC_NOTE="words rendered by seqtool trigger voices (no $RAW)"
fi
synth() { # OUT RATE ARGS...: synth clips of SRC into OUT
    local out=$1 rate=$2
    shift 2
    "$SEQ" trigger synth "${SRC[@]}" --rate "$rate" -o "$out" -q "$@" >/dev/null ||
        { echo "bench: seqtool trigger synth failed" >&2; exit 1; }
}
synth "$D/clips" 44100 -n "$NCLIPS" --seed 1
synth "$D/long" 16000 -n 6 --seconds 600 --max-positives 32 --max-negatives 32 --seed 2
CLIPS=("$D"/clips/*.wav)
for f in hour.wav hour.raw; do
    $PY "$PEER" --join "$D/$f" "$D"/long/*.wav || { echo "bench: joining the hour failed" >&2; exit 1; }
done
echo "clips: ${#CLIPS[@]} of 10 s at 44.1 kHz and one hour at 16 kHz, from $SRC_NOTE"
COURSE=$D/course.safetensors
t0=$EPOCHREALTIME
envrun "${USE[0]#*:}" "$SEQ" trigger train "$D/clips" --arch course --epochs "$EPOCHS" --batch 8 --val 0 --seed 1 \
    -q -o "$COURSE" >"$TMP/train.out" 2>&1 ||
    { echo "bench: training the course model failed: $(tail -n 3 "$TMP/train.out")" >&2; exit 1; }
echo "course model: $EPOCHS epochs of the clips in $(secs_since "$t0") s"
# the scores each model gives, to compare the peer's with
if ! "$SEQ" trigger detect --scores -m "$COURSE" "${CLIPS[@]}" >"$D/course.scores" ||
    ! "$SEQ" trigger detect --scores -m "$SHIPPED" "$D/hour.wav" >"$D/hour.scores"; then
    echo "bench: seqtool trigger detect --scores failed" >&2
    exit 1
fi
echo

# ---- runs ------------------------------------------------------------------
# one SIDE SETUP BLASNAME DIR: one timed run of SIDE on SETUP (course, hour,
# stream); appends "seconds rss_kb cpu_s" to $TMP/res.SIDE.SETUP.BLASNAME
# (seqtool: the process's wall and CPU time; peer: its clock's and its CPU
# time over the same part)
one() {
    local side=$1 setup=$2 blas=$3 dir=$4 secs cpu
    case $side.$setup in
        seqtool.course) run one "$dir" "$SEQ" trigger detect -m "$COURSE" "${CLIPS[@]}" ;;
        seqtool.hour) run one "$dir" "$SEQ" trigger detect -m "$SHIPPED" "$D/hour.wav" ;;
        seqtool.stream) RUN_IN=$D/hour.raw run one "$dir" "$SEQ" trigger detect -m "$SHIPPED" --raw --rate 16000 - ;;
        peer.course) run one "$dir" "$PY" "$PEER" -m "$COURSE" --scores "$TMP/peer.course.$blas" "${CLIPS[@]}" ;;
        peer.hour) run one "$dir" "$PY" "$PEER" -m "$SHIPPED" --scores "$TMP/peer.hour.$blas" "$D/hour.wav" ;;
    esac || return 1
    secs=$WALL cpu=$(cpu_s "$TMP/one.time")
    if [ "$side" = peer ]; then
        secs=$(json one seconds) cpu=$(json one cpu_seconds)
        if [ -z "$secs" ] || [ -z "$cpu" ]; then
            echo "bench: the peer printed no seconds" >&2
            FAILED=1
            return 1
        fi
        grep '^{' "$TMP/one.out" | tail -n 1 >"$TMP/last.peer.$setup.$blas"
    else
        cp "$TMP/one.out" "$TMP/last.seqtool.$setup.$blas"
    fi
    echo "$secs $RSS $cpu" >>"$TMP/res.$side.$setup.$blas"
}

for b in "${USE[@]}"; do
    name=${b%%:*} dir=${b#*:}
    echo "course: ${#CLIPS[@]} clips, $name"
    alternate_runs course "$name" "$dir"
    echo "hour: $name"
    alternate_runs hour "$name" "$dir"
done
echo "stream: one hour of raw PCM on standard input"
for _ in $(seq 1 "$RUNS"); do one seqtool stream "${USE[0]%%:*}" "${USE[0]#*:}"; done
echo

# ---- same computation ------------------------------------------------------
# agree SEQ_SCORES PEER_SCORES: "maxdiff steps lo hi" (the largest score
# difference, the steps, the range of seqtool's scores), or exit 1 with
# why when the times or the step counts differ
agree() {
    $PY - "$1" "$2" <<'EOF'
import sys
a = [l.rstrip("\n").rsplit("\t", 1) for l in open(sys.argv[1])]
b = [l.rstrip("\n").rsplit("\t", 1) for l in open(sys.argv[2])]
if len(a) != len(b) or not a:
    sys.exit("%d steps against %d" % (len(a), len(b)))
bad = [i for i, (x, y) in enumerate(zip(a, b)) if x[0] != y[0]]
if bad:
    sys.exit("times differ first at line %d: %s / %s" % (bad[0] + 1, a[bad[0]][0], b[bad[0]][0]))
s = [float(x[1]) for x in a]
d = max(abs(x - float(y[1])) for x, y in zip(s, b))
print("%.1e %d %.3f %.3f" % (d, len(s), min(s), max(s)))
EOF
}
check_scores() { # SETUP BLASNAME: sets AGREE (the agree line) or FAILED
    local why
    AGREE=
    if [ ! -s "$TMP/peer.$1.$2" ]; then
        return
    fi
    if ! AGREE=$(agree "$D/$1.scores" "$TMP/peer.$1.$2" 2>"$TMP/agree.err"); then
        why=$(tail -n 1 "$TMP/agree.err")
        echo "bench: $1 ($2): the peer's scores do not match seqtool's: $why" >&2
        FAILED=1
        AGREE=
        return
    fi
    if awk -v d="${AGREE%% *}" -v t="$TOL" 'BEGIN{exit !(d > t)}'; then
        echo "bench: $1 ($2): scores differ by ${AGREE%% *}, more than $TOL" >&2
        FAILED=1
    fi
}

# ---- table -----------------------------------------------------------------
HOUR=3600
for b in "${USE[@]}"; do
    name=${b%%:*}
    s=$TMP/res.seqtool.course.$name p=$TMP/res.peer.course.$name
    sw=$(median 1 "$s") pw=$(median 1 "$p")
    sc=$(awk -v n="${#CLIPS[@]}" -v w="$sw" 'BEGIN{if (w > 0) printf "%.1f", n/w}')
    pc=$(awk -v n="${#CLIPS[@]}" -v w="$pw" 'BEGIN{if (w > 0) printf "%.1f", n/w}')
    row "course arch, ${#CLIPS[@]} x 10 s" "clips/s ($name)" "$sc" "$pc" "$(ratio "$sc" "$pc")" "target >= 5x"
    sc=$(awk -v n="${#CLIPS[@]}" -v w="$(median 3 "$s")" 'BEGIN{if (w > 0) printf "%.1f", n/w}')
    pc=$(awk -v n="${#CLIPS[@]}" -v w="$(median 3 "$p")" 'BEGIN{if (w > 0) printf "%.1f", n/w}')
    row "" "clips per CPU s ($name)" "$sc" "$pc" "$(ratio "$sc" "$pc")" "by CPU time: less hurt by other work"
    if [ -s "$TMP/last.peer.course.$name" ]; then
        row "" "peer front end, network s" "" "$(fmt %.2f "$(field features_s <"$TMP/last.peer.course.$name")"),$(fmt %.2f "$(field network_s <"$TMP/last.peer.course.$name")")" "" "its last run, by its clock"
    fi
    row "" "peak RSS MB" "$(mb "$(maxcol 2 "$s")")" "$(mb "$(maxcol 2 "$p")")" "" ""
    check_scores course "$name"
    [ -n "$AGREE" ] && read -r d n lo hi <<<"$AGREE" &&
        row "" "scores: largest |diff|" "$d" "" "" "$n steps, scores $lo-$hi; within $TOL required"
done
for b in "${USE[@]}"; do
    name=${b%%:*}
    s=$TMP/res.seqtool.hour.$name p=$TMP/res.peer.hour.$name
    sw=$(median 1 "$s") pw=$(median 1 "$p")
    row "default model, 1 h file" "RTF ($name)" "$(fmt %.5f "$(awk -v w="$sw" -v h=$HOUR 'BEGIN{print w/h}')")" \
        "$(fmt %.5f "$(awk -v w="$pw" -v h=$HOUR 'BEGIN{print w/h}')")" "$(ratio "$pw" "$sw")" \
        "seqtool target <= 0.003 (< 10.8 s)"
    row "" "seconds ($name)" "$(fmt %.2f "$sw")" "$(fmt %.2f "$pw")" "" ""
    row "" "CPU seconds ($name)" "$(fmt %.2f "$(median 3 "$s")")" "$(fmt %.2f "$(median 3 "$p")")" \
        "$(ratio "$(median 3 "$p")" "$(median 3 "$s")")" "less hurt by other work"
    row "" "peak RSS MB" "$(mb "$(maxcol 2 "$s")")" "$(mb "$(maxcol 2 "$p")")" "" "peer: 10 s chunks"
    check_scores hour "$name"
    [ -n "$AGREE" ] && read -r d n lo hi <<<"$AGREE" &&
        row "" "scores: largest |diff|" "$d" "" "" "$n steps, scores $lo-$hi; within $TOL required"
done
st=$TMP/res.seqtool.stream.${USE[0]%%:*}
row "default model, 1 h stream" "seconds" "$(fmt %.2f "$(median 1 "$st")")" "" "" "detect --raw --rate 16000 - < 1 h of PCM"
row "" "CPU seconds" "$(fmt %.2f "$(median 3 "$st")")" "" "" ""
row "" "peak RSS MB" "$(mb "$(maxcol 2 "$st")")" "" "" "target < 50 MB"

for b in "${USE[@]}"; do
    f=$TMP/last.peer.course.${b%%:*}
    [ -s "$f" ] && note "peer (${b%%:*}): $(field parameters <"$f") weights; BLAS mapped: $(field blas <"$f")"
done
note "hour: the labels put $(wc -l <"$D/long/labels.tsv") wake words in it; seqtool's last file run printed $(wc -l <"$TMP/last.seqtool.hour.${USE[0]%%:*}" 2>/dev/null) detections"
note "seqtool multiplies in its own kernels (the streams' products tiled, never in a BLAS): its figures do not depend on the BLAS"
for b in "${USE[@]}"; do
    [ "${b%%:*}" = reference ] && note "reference BLAS: PyTorch's GRU products go to it (its convolutions to oneDNN, built in, the same speed with either BLAS): the ratio there is what a user of PyTorch on Debian's default BLAS gets; OpenBLAS is the peer at its best"
done
# the course network's multiply-adds a clip: the convolution's windows and
# the two GRUs' input and recurrent products, 1,375 steps
FLOP=$(awk 'BEGIN{printf "%.0f", 2 * 1375 * (196 * 101 * 15 + 3 * 128 * (196 + 128) + 3 * 128 * (128 + 128))}')
c=$(median 3 "$TMP/res.seqtool.course.${USE[0]%%:*}")
note "course: the network is $(awk -v f="$FLOP" 'BEGIN{printf "%.2f", f / 1e9}') GFLOP a clip; seqtool's runs did $(awk -v f="$FLOP" -v n="${#CLIPS[@]}" -v c="$c" 'BEGIN{if (c > 0) printf "%.0f", f * n / c / 1e9}') GFLOP/s by CPU time, front end and start-up included"

table setup measure seqtool pytorch ratio notes
echo "ratio = seqtool/pytorch speed (>1: seqtool faster); seqtool = the whole process, the peer = its clock"
echo "(torch import and model loading excluded); CPU = user + system time of the same runs (seqtool: the"
echo "process; peer: the timed part); RSS = the largest of the runs."
load_end 1
bench_time
notes
exit "$FAILED"
