#!/usr/bin/env bash
# CLI tests of seqtool jazz: help and usage errors; train on solos made
# here (summary, --json, the model file, --course, --list, other kinds of
# model refused, Ctrl-C); generate (valid MIDI that midicsv reads, same
# seed same bytes, the chords from text, from a text file and from a
# solo's sidecar, --primer, --comp, --bars, --temperature 0, the sidecar
# it writes); eval (bits per note, and the n-gram baseline with a split
# list); show (an SVG piano roll with the chords); every bad input's
# one-line error; and, when ../shared/datasets/jazz-corpus is present
# (or $SEQTOOL_SHARED/jazz-corpus), a small run on the Weimar Jazz
# Database corpus.  The MIDI files are laid out byte by byte by
# tests/jazz_midi.py, which also checks the pictures and sidecars.
# Models here are tiny (16 units, one epoch, windows of 8), so the whole
# file runs in a few seconds.
cd "$(dirname "$0")/../.." || exit 1
. tests/cli/lib.sh
S=$SEQTOOL
SABS=$(cd "$(dirname "$S")" && pwd)/$(basename "$S")
# SEQTOOL_SHARED: where the reference data is when not at ../shared/datasets
SHARED=${SEQTOOL_SHARED:-$SHARED}
CORPUS=$SHARED/jazz-corpus
MIDI="$PY tests/jazz_midi.py"
TINY="--hidden 16 --epochs 1 --window 8 --batch 4"
HAVE_MIDICSV=0
command -v midicsv >/dev/null 2>&1 && HAVE_MIDICSV=1

# jfield FILE KEY: a field of the one JSON object in FILE
jfield() { $PY -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }
# midicsv_ok FILE: midicsv reads it without a word on stderr
midicsv_ok() { midicsv "$1" >"$TMP/csv" 2>"$TMP/csv.err" && [ ! -s "$TMP/csv.err" ]; }
# meta FILE KEY: a metadata value of a safetensors file
meta() {
    $PY -c '
import json, struct, sys
f = open(sys.argv[1], "rb"); n = struct.unpack("<Q", f.read(8))[0]
print(json.loads(f.read(n))["__metadata__"].get(sys.argv[2], "-"))' "$1" "$2"
}

# ---- help and usage errors ----
$S jazz --help >"$TMP/help"
missing=""
for o in --output --list --split --track --channel --course --hidden --layers --epochs --batch --window --lr \
         --clip-norm --dropout --transpose --val --model --bars --chords --chords-from --primer --temperature \
         --top-p --tempo --comp --seed --json --quiet; do
    grep -q -- "$o " "$TMP/help" || missing="$missing $o"
done
[ -z "$missing" ] && ok "jazz --help lists every option" || not_ok "jazz --help lacks:$missing"
expect_error 2 "an unknown action" $S jazz improvise
expect_error 2 "an option of another action (show --tempo)" $S jazz show x.mid --tempo 90 -o x.svg
expect_error 2 "generate without -o" $S jazz generate --seed 3
expect_error 2 "show without -o" $S jazz show x.mid
expect_error 2 "show of two files" $S jazz show a.mid b.mid -o x.svg
expect_error 2 "show of no file" $S jazz show -o x.svg
expect_error 2 "train with no files and no --list" $S jazz train -o "$TMP/x.safetensors"
expect_error 2 "eval with no files and no --list" $S jazz eval -m x.safetensors
expect_error 2 "--split without --list" $S jazz train --split train a.mid
expect_error 2 "--chords with --chords-from" $S jazz generate -o "$TMP/x.mid" --chords "C7" --chords-from x.txt
expect_error 2 "--channel 17" $S jazz show a.mid --channel 17 -o x.svg
expect_error 2 "--temperature -1" $S jazz generate -o "$TMP/x.mid" --temperature -1
expect_error 2 "--top-p 0" $S jazz generate -o "$TMP/x.mid" --top-p 0
expect_error 2 "--bars 0" $S jazz generate -o "$TMP/x.mid" --bars 0
expect_error 2 "--hidden 0" $S jazz train a.mid --hidden 0
expect_error 2 "generate with a file argument" $S jazz generate -o "$TMP/x.mid" extra.mid
[ ! -e "$TMP/x.mid" ] && ok "no output file after a usage error" || not_ok "a usage error left $TMP/x.mid"

# ---- solos made here, laid out as the corpus is (midi/, chords/, split.tsv) ----
C=$TMP/c
mkdir -p "$C/midi" "$C/chords"
for i in 1 2 3 4 5 6; do
    $MIDI solo "$C/midi/s$i.mid" "$i" --chords "$C/chords/s$i.chords.tsv" >"$TMP/n$i" || not_ok "jazz_midi.py solo $i"
done
printf 'file\tsplit\tgroup\n' >"$C/split.tsv"
printf 'midi/s%d.mid\t%s\ts%d\n' 1 train 1 2 train 2 3 train 3 4 valid 4 5 test 5 6 test 6 >>"$C/split.tsv"
n1=$(cat "$TMP/n1")
midicsv_ok "$C/midi/s1.mid" 2>/dev/null || [ $HAVE_MIDICSV = 0 ] || not_ok "midicsv does not read the test's own solo"

# ---- train ----
M=$TMP/m.safetensors
$S jazz train "$C"/midi/s[1-4].mid $TINY -o "$M" -q >"$TMP/sum" 2>"$TMP/err"; rc=$?
[ $rc -eq 0 ] && [ -s "$M" ] && [ ! -s "$TMP/err" ] \
    && [ "$(cut -d' ' -f1 "$TMP/sum" | tr '\n' ' ')" = "model epochs train_bits_per_note val_bits_per_note notes seconds notes_per_s " ] \
    && ok "train on 4 solos: model written, summary on stdout, nothing on stderr with -q" \
    || not_ok "train ($rc): $(head -2 "$TMP/err") $(tr '\n' ' ' <"$TMP/sum")"
ls "$TMP" | grep -q '\.tmp-' && not_ok "a temporary file was left behind" || ok "no temporary file left behind"
$PY tests/safetensors_check.py "$M" >"$TMP/fmt" 2>&1 && ok "the model file meets the safetensors spec" \
    || not_ok "safetensors_check: $(tail -2 "$TMP/fmt")"
[ "$(meta "$M" seqtool.kind) $(meta "$M" jazz.hidden) $(meta "$M" jazz.layers) $(meta "$M" train.window) $(meta "$M" jazz.grid)" = "jazz 16 2 8 12" ] \
    && ok "the model's metadata: kind jazz, 16 units, 2 layers, window 8, grid 12" \
    || not_ok "metadata: $(meta "$M" seqtool.kind) $(meta "$M" jazz.hidden) $(meta "$M" jazz.layers) $(meta "$M" train.window)"
$S jazz info "$M" >"$TMP/info" 2>"$TMP/err" && grep -q "LSTM layer(s) of" "$TMP/info" && grep -q "^command seqtool jazz train " "$TMP/info" \
    && grep -q "^tensor lstm.weight_hh_l0 F32" "$TMP/info" \
    && ok "info: the network, the command that trained it, its tensors" || not_ok "info: $(head -3 "$TMP/info") $(cat "$TMP/err")"
$S jazz info --json -m "$M" | $PY -c 'import json,sys; o=json.load(sys.stdin); assert o["kind"]=="jazz" and o["layers"]>=1 and o["seed"]==1 and o["tensors"]' \
    && ok "info --json: one object" || not_ok "info --json"
expect_error 1 "info of a model of another kind" $S jazz info datasets/trigger/activate.safetensors
$S jazz train "$C"/midi/s[1-4].mid $TINY -o "$TMP/m2.safetensors" -q >/dev/null
same_model "$M" "$TMP/m2.safetensors" && ok "same seed, same model (the same bytes but the command line)" || not_ok "training is not reproducible"
$S jazz train "$C"/midi/s[1-4].mid $TINY --seed 2 -o "$TMP/m3.safetensors" -q >/dev/null
! same_model "$M" "$TMP/m3.safetensors" && ok "another seed, another model" || not_ok "--seed 2 gives the same model"
$S jazz train "$C"/midi/s[1-4].mid $TINY -o "$TMP/mj.safetensors" -q --json >"$TMP/j"
$PY -c '
import json, math, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 1, lines
o = json.loads(lines[0])
assert sorted(o) == sorted(["model", "epochs", "train_bits_per_note", "val_bits_per_note", "notes", "seconds", "notes_per_s"]), o
assert o["model"] == sys.argv[2] and o["epochs"] == 1, o
for k in ("train_bits_per_note", "val_bits_per_note", "notes"):
    assert math.isfinite(o[k]) and o[k] > 0, (k, o)
assert o["notes_per_s"] >= 0 and o["seconds"] >= 0' "$TMP/j" "$TMP/mj.safetensors" \
    && ok "train --json: one object with model, epochs, train and held-out bits per note, notes, time" \
    || not_ok "train --json: $(cat "$TMP/j")"
$S jazz train "$C"/midi/s[1-3].mid --course --epochs 1 -o "$TMP/course.safetensors" -q --json >"$TMP/j"
[ "$(meta "$TMP/course.safetensors" jazz.hidden) $(meta "$TMP/course.safetensors" jazz.layers) $(meta "$TMP/course.safetensors" train.window)" = "64 1 30" ] \
    && [ "$(jfield "$TMP/j" val_bits_per_note)" = None ] \
    && ok "--course: one LSTM of 64 units, 30-note windows, nothing held out" \
    || not_ok "--course: $(meta "$TMP/course.safetensors" jazz.hidden) $(meta "$TMP/course.safetensors" train.window) $(cat "$TMP/j")"
$S jazz train "$C"/midi/s[1-3].mid --hidden 8 --course --epochs 1 -o "$TMP/course8.safetensors" -q >/dev/null
[ "$(meta "$TMP/course8.safetensors" jazz.hidden)" = 8 ] && ok "--course is applied first: a --hidden before it still counts" \
    || not_ok "--course overrode --hidden 8: $(meta "$TMP/course8.safetensors" jazz.hidden)"
$S jazz train --list "$C/split.tsv" $TINY -o "$TMP/ml.safetensors" -q >"$TMP/sum" \
    && grep -q '^val_bits_per_note ' "$TMP/sum" && meta "$TMP/ml.safetensors" train.data | grep -q "^$C/split.tsv ([0-9]* bytes, CRC-32 [0-9a-f]*)$" \
    && ok "train --list: the train split, the valid split held out" || not_ok "train --list: $(cat "$TMP/sum")"
expect_error 1 "train --list --split with no such split" $S jazz train --list "$C/split.tsv" --split nosuch -o "$TMP/x.safetensors" -q
expect_error 2 "train with both FILES and --list" $S jazz train --list "$C/split.tsv" "$C/midi/s1.mid" -o "$TMP/x.safetensors"

# models of other kinds, refused by name
$S dinos train datasets/dinos.txt --hidden 8 --iters 3 -o "$TMP/dinos.safetensors" -q >/dev/null
expect_error 1 "generate with a dinos model" $S jazz generate -m "$TMP/dinos.safetensors" -o "$TMP/x.mid"
grep -q "dinos model" "$TMP/err" && ok "  ... naming its kind" || not_ok "  ... $(cat "$TMP/err")"
expect_error 1 "eval with the nmt model" $S jazz eval -m datasets/nmt/dates.safetensors "$C/midi/s1.mid"
grep -q "nmt model" "$TMP/err" && ok "  ... naming its kind" || not_ok "  ... $(cat "$TMP/err")"
head -c 400 "$M" >"$TMP/trunc.safetensors"
expect_error 1 "a truncated jazz model" $S jazz generate -m "$TMP/trunc.safetensors" -o "$TMP/x.mid"
expect_error 1 "a MIDI file as the model" $S jazz eval -m "$C/midi/s1.mid" "$C/midi/s1.mid"
expect_error 1 "a missing model" $S jazz eval -m "$TMP/nonexistent.safetensors" "$C/midi/s1.mid"
[ ! -e "$TMP/x.mid" ] && ok "no MIDI file written when the model is refused" || not_ok "a refused model left $TMP/x.mid"

# interrupted training keeps the work
interrupted 0.5 $S jazz train "$C"/midi/s[1-4].mid --hidden 32 --epochs 100000 --window 8 -o "$TMP/int.safetensors" -q 2>"$TMP/err"
rc=$?
[ $rc -eq 130 ] && grep -q "interrupted" "$TMP/err" && $S jazz eval -m "$TMP/int.safetensors" "$C/midi/s5.mid" >/dev/null \
    && ok "Ctrl-C saves the model so far, exit 130" || not_ok "interrupt: rc $rc, $(cat "$TMP/err") (see KNOWN BUG 1)"

# ---- generate ----
G=$TMP/gen
mkdir -p "$G"
$S jazz generate -m "$M" -o "$G/a.mid" --json >"$TMP/j" 2>"$TMP/err"; rc=$?
notes=$(jfield "$TMP/j" notes 2>/dev/null)
[ $rc -eq 0 ] && [ -s "$G/a.mid" ] && [ "$(head -c 4 "$G/a.mid")" = MThd ] && [ "$(jfield "$TMP/j" bars)" = 12 ] \
    && [ "$notes" -gt 0 ] && [ "$(jfield "$TMP/j" primer_notes)" = 0 ] \
    && ok "generate -o a.mid: a MIDI file of 12 bars (the default blues), $notes notes" \
    || not_ok "generate ($rc): $(cat "$TMP/j") $(head -2 "$TMP/err")"
if [ $HAVE_MIDICSV = 1 ]; then
    midicsv_ok "$G/a.mid" && [ "$(grep -c ', Note_on_c, 0, [0-9]*, 96$' "$TMP/csv")" -eq "$notes" ] \
        && [ "$(grep -c Start_track "$TMP/csv")" -eq 2 ] \
        && ok "midicsv reads the generated file without a warning: 2 tracks, $notes notes" \
        || not_ok "midicsv: $(head -2 "$TMP/csv.err") $(grep -c Note_on_c "$TMP/csv") note events"
else
    echo "skip - midicsv reads the generated file: midicsv not installed (Debian package midicsv)"
fi
[ -f "$G/a.chords.tsv" ] && side=$($MIDI sidecar "$G/a.chords.tsv") && [ "$side" = "9 11 F7 Bb7 F7 Bb7 F7 Gm7 C7 F7 C7" ] \
    && ok "the sidecar a.chords.tsv parses back: the 12-bar blues in F" || not_ok "sidecar: $side"
$S jazz show "$G/a.mid" -o "$G/a.svg" && $MIDI svg "$G/a.svg" "$notes" F7 Bb7 Gm7 C7 \
    && ok "show reads the generated file: $notes notes and the chords" || not_ok "show of the generated file"
$S jazz generate -m "$M" -o "$G/b.mid" -q >/dev/null
$S jazz generate -m "$M" -o "$G/c.mid" --seed 2 -q >/dev/null
cmp -s "$G/a.mid" "$G/b.mid" && cmp -s "$G/a.chords.tsv" <(sed 's/b\.mid/a.mid/' "$G/b.chords.tsv") \
    && ok "same seed: the same bytes" || not_ok "same seed, other bytes"
! cmp -s "$G/a.mid" "$G/c.mid" && ok "another seed: another solo" || not_ok "--seed 2 gives the same bytes"
$S jazz generate -m "$M" -o "$G/t0.mid" --temperature 0 -q >/dev/null
$S jazz generate -m "$M" -o "$G/t0b.mid" --temperature 0 --seed 99 -q >/dev/null
cmp -s "$G/t0.mid" "$G/t0b.mid" && ok "--temperature 0: the same solo whatever the seed" || not_ok "--temperature 0 depends on the seed"
$S jazz generate -m "$M" -o "$G/t.mid" --top-p 0.5 --temperature 0.7 --tempo 90 -q >/dev/null && $S jazz show "$G/t.mid" -o "$G/t.svg" \
    && grep -q "90 beats a minute" "$G/t.chords.tsv" && ok "--top-p, --temperature and --tempo" || not_ok "--top-p/--tempo"
if [ $HAVE_MIDICSV = 1 ]; then
    midicsv_ok "$G/t.mid" && grep -q ', Tempo, 666667$' "$TMP/csv" && ok "--tempo 90: a tempo of 666667 us a beat" \
        || not_ok "--tempo 90: $(grep Tempo "$TMP/csv")"
fi

# the chords as text
$S jazz generate -m "$M" -o "$G/ch.mid" --chords "Dm7 G7 | Cmaj7 | A7alt |" --json -q >"$TMP/j"
[ "$(jfield "$TMP/j" bars)" = 3 ] && [ "$($MIDI sidecar "$G/ch.chords.tsv")" = "4 2 Dm7 G7 Cmaj7 A7alt" ] \
    && ok "--chords 'Dm7 G7 | Cmaj7 | A7alt |': 3 bars, two chords in the first" \
    || not_ok "--chords: $(cat "$TMP/j") $($MIDI sidecar "$G/ch.chords.tsv")"
awk -F'\t' '$5 == "G7" && $1 == 960 && $3 == 3 {found=1} END {exit !found}' "$G/ch.chords.tsv" \
    && ok "  ... G7 on beat 3 (tick 960)" || not_ok "  ... G7 not at tick 960"
$S jazz generate -m "$M" -o "$G/sym.mid" -q --chords \
    "C | Cm | C7 | Cmaj7 | Cm7 | Cm7b5 | Cdim7 | Caug | C6 | Cm6 | C9 | C7sus4 | C7alt | C/G | C-7 | Cj7 | Co7 | C+ | C9sus4 | F#m7 | NC |" >/dev/null
[ "$($MIDI sidecar "$G/sym.chords.tsv")" = "21 20 C Cm C7 Cmaj7 Cm7 Cm7b5 Cdim Caug C6 Cm6 C7 C7sus4 C7alt C Cm7 Cmaj7 Cdim Caug C7sus4 Gbm7 NC" ] \
    && ok "--chords: the lead-sheet symbols and the corpus's spellings, each to its class" \
    || not_ok "chord symbols: $($MIDI sidecar "$G/sym.chords.tsv")"
expect_error 2 "--chords with an unknown symbol" $S jazz generate -m "$M" -o "$G/x.mid" --chords "Dm7 G7 | Hmaj7 |"
grep -q "'Hmaj7'" "$TMP/err" && ok "  ... naming it" || not_ok "  ... $(cat "$TMP/err")"
[ ! -e "$G/x.mid" ] && ok "  ... and no file written" || not_ok "  ... a file was written"

# --bars: the form repeated or cut
$S jazz generate -m "$M" -o "$G/b5.mid" --chords "C7 | F7 |" --bars 5 --json -q >"$TMP/j"
[ "$(jfield "$TMP/j" bars)" = 5 ] && [ "$($MIDI sidecar "$G/b5.chords.tsv")" = "5 4 C7 F7 C7 F7 C7" ] \
    && ok "--bars 5 over a 2-bar form: 5 bars in the sidecar" || not_ok "--bars 5: $(cat "$TMP/j") $($MIDI sidecar "$G/b5.chords.tsv")"
if [ $HAVE_MIDICSV = 1 ]; then
    midicsv_ok "$G/b5.mid" && awk -F', ' '$3 ~ /Note_o/ && $2 > 5 * 1920 {bad=1} END {exit bad}' "$TMP/csv" \
        && ok "  ... and no note past the end of bar 5" || not_ok "  ... a note ends past bar 5"
fi
$S jazz generate -m "$M" -o "$G/b2.mid" --bars 2 --json -q >"$TMP/j"
[ "$(jfield "$TMP/j" bars)" = 2 ] && [ "$($MIDI sidecar "$G/b2.chords.tsv")" = "2 1 F7 Bb7" ] \
    && ok "--bars 2: the first 2 bars of the blues" || not_ok "--bars 2: $($MIDI sidecar "$G/b2.chords.tsv")"

# the chords from a text file (comment lines skipped, lines joined)
printf '# a form in the --chords text\nCm7 F7 | Bbmaj7 |\nEb7 | Am7b5 D7 |\n' >"$TMP/form.txt"
$S jazz generate -m "$M" -o "$G/tf.mid" --chords-from "$TMP/form.txt" --json -q >"$TMP/j"
[ "$(jfield "$TMP/j" bars)" = 4 ] && [ "$($MIDI sidecar "$G/tf.chords.tsv")" = "6 3 Cm7 F7 Bbmaj7 Eb7 Am7b5 D7" ] \
    && ok "--chords-from a text file: 4 bars" || not_ok "--chords-from text: $(cat "$TMP/j") $($MIDI sidecar "$G/tf.chords.tsv")"
echo 'Dm7 G7 | Cmaj7 |' | $S jazz generate -m "$M" -o "$G/stdin.mid" --chords-from - -q >/dev/null \
    && [ "$($MIDI sidecar "$G/stdin.chords.tsv")" = "3 1 Dm7 G7 Cmaj7" ] \
    && ok "--chords-from -: the chords from standard input" || not_ok "--chords-from -: $($MIDI sidecar "$G/stdin.chords.tsv")"
expect_error 1 "--chords-from a missing file" $S jazz generate -m "$M" -o "$G/x.mid" --chords-from "$TMP/nonexistent.txt"

# the chords from a solo's sidecar: one written by generate, one in the corpus layout
$S jazz generate -m "$M" -o "$G/again.mid" --chords-from "$G/ch.mid" --seed 5 -q >/dev/null
diff <(grep -v '^#' "$G/ch.chords.tsv") <(grep -v '^#' "$G/again.chords.tsv") >/dev/null \
    && ok "--chords-from a generated .mid: its sidecar's chords, the same sidecar again" || not_ok "--chords-from a generated file"
$S jazz generate -m "$M" -o "$G/s1.mid" --chords-from "$C/midi/s1.mid" --json -q >"$TMP/j"
[ "$($MIDI sidecar "$G/s1.chords.tsv")" = "6 7 C7 F7 C7 F7 C7 A7" ] \
    && ok "--chords-from midi/s1.mid: the chords of its sidecar in ../chords/" \
    || not_ok "--chords-from corpus layout: $(cat "$TMP/j") $($MIDI sidecar "$G/s1.chords.tsv")"
cp "$C/midi/s1.mid" "$TMP/lonely.mid"
expect_error 1 "--chords-from a .mid with no sidecar" $S jazz generate -m "$M" -o "$G/x.mid" --chords-from "$TMP/lonely.mid"

# --primer: the primer's notes first, then new ones
$S jazz generate -m "$M" -o "$G/p.mid" --primer "$C/midi/s1.mid" --bars 12 --json -q >"$TMP/j"
np=$(jfield "$TMP/j" primer_notes)
got=$($MIDI pitches "$G/p.mid" 1 | cut -d' ' -f1-"$n1")
want=$($MIDI pitches "$C/midi/s1.mid" 0)
[ "$np" = "$n1" ] && [ "$got" = "$want" ] && ok "--primer: its $n1 notes open the solo, then the model goes on" \
    || not_ok "--primer: primer_notes $np (want $n1); $got / $want"
$S jazz show "$G/p.mid" -o "$G/p.svg" && $MIDI svg "$G/p.svg" $((np + $(jfield "$TMP/j" notes))) \
    && ok "  ... and show draws primer and new notes" || not_ok "  ... show of the primed solo"
expect_error 1 "--primer of a text file" $S jazz generate -m "$M" -o "$G/x.mid" --primer "$TMP/form.txt"

# --comp: a third track with the chords
$S jazz generate -m "$M" -o "$G/comp.mid" --comp --chords "Dm7 G7 | Cmaj7 |" -q >/dev/null
[ "$($MIDI pitches "$G/comp.mid" 2)" = "50 53 57 60 55 59 62 65 48 52 55 59" ] \
    && ok "--comp: a third track voicing Dm7, G7 and Cmaj7" || not_ok "--comp: $($MIDI pitches "$G/comp.mid" 2)"
if [ $HAVE_MIDICSV = 1 ]; then
    midicsv_ok "$G/comp.mid" && [ "$(grep -c Start_track "$TMP/csv")" -eq 3 ] && grep -q '^3, .*Note_on_c, 1,' "$TMP/csv" \
        && ok "  ... midicsv reads 3 tracks, the comping on channel 2" || not_ok "  ... midicsv of --comp"
fi
$S jazz generate -m "$M" -o "$G/nocomp.mid" --chords "Dm7 G7 | Cmaj7 |" -q >/dev/null
[ "$($MIDI pitches "$G/nocomp.mid" 1)" = "$($MIDI pitches "$G/comp.mid" 1)" ] \
    && ok "  ... the melody is the same with and without --comp" || not_ok "  ... --comp changes the melody"

# ---- eval ----
$S jazz eval -m "$M" "$C/midi/s5.mid" "$C/midi/s6.mid" >"$TMP/ev" 2>"$TMP/err"; rc=$?
bits=$(awk '$1 == "model_bits_per_note" {print $2}' "$TMP/ev")
[ $rc -eq 0 ] && [ "$(awk '$1 == "files" {print $2}' "$TMP/ev")" = 2 ] && awk -v b="$bits" 'BEGIN {exit !(b > 0 && b < 100)}' \
    && ! grep -q ngram "$TMP/ev" && ok "eval FILES: model_bits_per_note $bits, no n-gram without --list" \
    || not_ok "eval ($rc): $(tr '\n' ' ' <"$TMP/ev") $(head -1 "$TMP/err")"
$S jazz eval -m "$M" "$C/midi/s5.mid" "$C/midi/s6.mid" --json >"$TMP/j"
$PY -c '
import json, math, sys
o = json.load(open(sys.argv[1]))
assert sorted(o) == sorted(["files", "notes", "model_bits_per_note", "model_rest_bits", "model_pitch_bits", "model_dur_bits"]), o
assert o["files"] == 2 and o["notes"] > 0
parts = o["model_rest_bits"] + o["model_pitch_bits"] + o["model_dur_bits"]
assert all(math.isfinite(o[k]) and o[k] > 0 for k in o), o
assert abs(parts - o["model_bits_per_note"]) < 1e-6 * parts, (parts, o)
assert abs(o["model_bits_per_note"] - float(sys.argv[2])) < 1e-4, o' "$TMP/j" "$bits" \
    && ok "eval --json: the bits per note, the sum of its rest, pitch and duration parts" || not_ok "eval --json: $(cat "$TMP/j")"
$S jazz eval -m "$M" --list "$C/split.tsv" --json -q >"$TMP/j" 2>"$TMP/err"
$PY -c '
import json, math, sys
o = json.load(open(sys.argv[1]))
for k in ("model_bits_per_note", "ngram_bits_per_note", "ngram_valid_bits_per_note"):
    assert math.isfinite(o[k]) and o[k] > 0, (k, o)
assert o["files"] == 2 and o["ngram_order"] in (3, 4, 5) and o["ngram_smoothing"] in ("kneser-ney", "witten-bell"), o
assert abs(o["model_vs_ngram"] - (o["model_bits_per_note"] / o["ngram_bits_per_note"] - 1)) < 1e-9, o' "$TMP/j" \
    && [ ! -s "$TMP/err" ] && ok "eval --list: the test split, beside the n-gram baseline chosen on valid" \
    || not_ok "eval --list: $(cat "$TMP/j") $(head -1 "$TMP/err")"
$S jazz eval -m "$M" --list "$C/split.tsv" >"$TMP/ev" 2>"$TMP/err"
grep -q '^ngram_bits_per_note [0-9.]*$' "$TMP/ev" && grep -qE '^ngram [345]-gram (kneser-ney|witten-bell) ' "$TMP/ev" \
    && grep -qE '^model_vs_ngram [+-][0-9.]+%$' "$TMP/ev" && [ "$(grep -c '^seqtool jazz: n-gram order' "$TMP/err")" -eq 6 ] \
    && ok "eval --list in text: the n-gram lines, and the six candidates logged on stderr" \
    || not_ok "eval --list text: $(tr '\n' '|' <"$TMP/ev")"
$S jazz eval -m "$M" --list "$C/split.tsv" --split valid --json -q >"$TMP/j" && [ "$(jfield "$TMP/j" files)" = 1 ] \
    && ok "eval --list --split valid: the valid split" || not_ok "eval --split valid: $(cat "$TMP/j")"
expect_error 1 "eval of a missing file" $S jazz eval -m "$M" "$TMP/nonexistent.mid"

# ---- show ----
$S jazz show "$C/midi/s1.mid" -o "$TMP/s1.svg" >"$TMP/out" 2>"$TMP/err" && [ ! -s "$TMP/out" ] && [ ! -s "$TMP/err" ] \
    && $MIDI svg "$TMP/s1.svg" "$n1" C7 F7 A7 \
    && ok "show s1.mid -o s1.svg: well-formed SVG, one rect per note ($n1), the chords under it" || not_ok "show s1.mid"
$S jazz show "$C/midi/s1.mid" -o - | cmp -s - "$TMP/s1.svg" && ok "show -o -: the same picture on stdout" || not_ok "show -o -"
$MIDI solo "$TMP/f1.mid" 7 --format1 >"$TMP/nf1"
nf1=$(cat "$TMP/nf1")
$S jazz show "$TMP/f1.mid" --track 1 -o "$TMP/f1.svg" && $MIDI svg "$TMP/f1.svg" "$nf1" \
    && ok "show --track 1 of a format 1 file: the melody's $nf1 notes" || not_ok "show --track 1"
$S jazz show "$TMP/f1.mid" --channel 1 -o "$TMP/f1c.svg" && cmp -s "$TMP/f1.svg" "$TMP/f1c.svg" \
    && ok "show --channel 1: the same melody" || not_ok "show --channel 1"
$S jazz show "$TMP/f1.mid" -o "$TMP/f1d.svg" && ! grep -q '<title>100</title>' "$TMP/f1d.svg" \
    && ok "show with neither: the highest voice, never the drums" || not_ok "show of the skyline took a drum note"
expect_error 1 "show --track 9 of a file of 4 tracks" $S jazz show "$TMP/f1.mid" --track 9 -o "$TMP/x.svg"
expect_error 1 "show --channel 5 with no note there" $S jazz show "$TMP/f1.mid" --channel 5 -o "$TMP/x.svg"
expect_error 1 "show -o into a missing folder" $S jazz show "$C/midi/s1.mid" -o "$TMP/no/such/dir/x.svg"

# ---- bad input: one line on stderr, exit 1, for every reader ----
$MIDI bad "$TMP" || not_ok "jazz_midi.py bad"
for f in text trunc overrun vlq5 drums nonotes tempo0 claim50 nonexistent; do
    case $f in
    text) d="a text file as MIDI" ;; trunc) d="a truncated MIDI" ;; overrun) d="a track chunk that runs past the end" ;;
    vlq5) d="a delta time of 5 bytes" ;; drums) d="only drums" ;; nonotes) d="no notes" ;; tempo0) d="a tempo of 0" ;;
    claim50) d="a 50 MB MIDI (a track chunk claiming it, zeros)" ;; nonexistent) d="a missing file" ;;
    esac
    expect_error 1 "show: $d" $S jazz show "$TMP/$f.mid" -o "$TMP/x.svg"
    expect_error 1 "train: $d" $S jazz train "$C/midi/s1.mid" "$TMP/$f.mid" $TINY -o "$TMP/x.safetensors" -q
    expect_error 1 "eval: $d" $S jazz eval -m "$M" "$TMP/$f.mid"
    expect_error 1 "generate --primer: $d" $S jazz generate -m "$M" --primer "$TMP/$f.mid" -o "$TMP/x.mid"
done
[ ! -e "$TMP/x.svg" ] && [ ! -e "$TMP/x.safetensors" ] && [ ! -e "$TMP/x.mid" ] \
    && ok "no output file after any of them" || not_ok "a bad input left an output file"
grep -q "longer than 4 bytes" <($S jazz show "$TMP/vlq5.mid" -o "$TMP/x.svg" 2>&1) && ok "  the 5-byte delta time is called so" \
    || not_ok "  the 5-byte delta time's message"
cp "$TMP/good.mid" "$TMP/bs.mid"
printf 'tick\tbar\tbeat\tonset_s\tchord\n0\t0\t1\t0\tC7\n480\t0\t2\t0.5\tQ7\n' >"$TMP/bs.chords.tsv"
expect_error 1 "a sidecar with an unknown chord symbol" $S jazz show "$TMP/bs.mid" -o "$TMP/x.svg"
grep -q "bs.chords.tsv': line 3: .*'Q7'" "$TMP/err" && ok "  ... naming the file, the line and the symbol" || not_ok "  ... $(cat "$TMP/err")"
printf 'tick\tbar\tbeat\tonset_s\tchord\n0\t0\t1\n' >"$TMP/bs.chords.tsv"
expect_error 1 "a sidecar line of 3 fields" $S jazz show "$TMP/bs.mid" -o "$TMP/x.svg"
printf 'tick\tbar\tbeat\tonset_s\tchord\n960\t0\t3\t1\tC7\n0\t0\t1\t0\tF7\n' >"$TMP/bs.chords.tsv"
expect_error 1 "a sidecar with its chords out of order" $S jazz show "$TMP/bs.mid" -o "$TMP/x.svg"

# ---- known bugs, for the lead: a "not ok - KNOWN BUG N" below is a bug in
# cmd/jazz or audio/ that this suite found; the report that came with it
# has the fix proposed.  Each test passes once its bug is fixed. ----

# BUG 1 (cmd/jazz/jazz_train.c make_windows): the window array holds
# notes/T + solos + 1 windows, but a solo of n notes cut from a random
# offset gives up to n/T + 2; a few epochs overrun the heap (ASan:
# heap-buffer-overflow at jazz_train.c:74; release: malloc aborts).
$S jazz train "$C"/midi/s[1-4].mid --hidden 16 --epochs 20 --window 8 --batch 4 -o "$TMP/e20.safetensors" -q \
    >/dev/null 2>"$TMP/err"; rc=$?
[ $rc -eq 0 ] && ok "train 20 epochs of windows of 8 on 4 small solos" \
    || not_ok "KNOWN BUG 1: train 20 epochs on 4 small solos: exit $rc, $(grep -m1 -E 'ERROR|malloc|SUMMARY' "$TMP/err")"

# BUG 2 (cmd/jazz/jazz.c read_sidecar): a bar line is put at each sidecar
# row whose bar number changes, so a bar with no chord row of its own (a
# held chord: a quarter of the corpus's bars) gets no bar line, and its
# notes get position classes 48..95 in 4/4; a bar whose first row is on
# beat 3 starts on beat 3.  The same solo over the same chords must score
# the same whether or not the sidecar restates a held chord.
mkdir -p "$TMP/r1" "$TMP/r2"
cp "$C/midi/s1.mid" "$TMP/r1/solo.mid"
cp "$C/midi/s1.mid" "$TMP/r2/solo.mid"
printf 'tick\tbar\tbeat\tonset_s\tchord\n0\t0\t1\t0\tC7\n1920\t1\t1\t2\tC7\n3840\t2\t1\t4\tF7\n5760\t3\t1\t6\tF7\n6720\t3\t3\t7\tG7\n7680\t4\t1\t8\tC7\n' >"$TMP/r1/solo.chords.tsv"
printf 'tick\tbar\tbeat\tonset_s\tchord\n0\t0\t1\t0\tC7\n3840\t2\t1\t4\tF7\n6720\t3\t3\t7\tG7\n7680\t4\t1\t8\tC7\n' >"$TMP/r2/solo.chords.tsv"
b1=$($S jazz eval -m "$M" "$TMP/r1/solo.mid" | awk '$1 == "model_bits_per_note" {print $2}')
b2=$($S jazz eval -m "$M" "$TMP/r2/solo.mid" | awk '$1 == "model_bits_per_note" {print $2}')
[ -n "$b1" ] && [ "$b1" = "$b2" ] && ok "a sidecar that restates a held chord scores the same ($b1 bits/note)" \
    || not_ok "KNOWN BUG 2: restating held chords in the sidecar moves the bar lines: $b1 vs $b2 bits/note"
$S jazz show "$TMP/r2/solo.mid" -o "$TMP/r2.svg"
lines=$(grep -o '<line x1="[0-9.]*"' "$TMP/r2.svg" | cut -d'"' -f2 | head -5 | tr '\n' ' ')
[ "$lines" = "0.0 96.0 192.0 288.0 384.0 " ] && ok "show draws a bar line at every bar, rows in the sidecar or not" \
    || not_ok "KNOWN BUG 2: show's bar lines at x = $lines(want 0 96 192 288 384)"

# BUG 3 (cmd/jazz/jazz_generate.c read_chords): the lines of a
# --chords-from text file are joined with blanks, so a lead sheet written
# "| ... |" a line (which audio/chords.h reads as one bar line) gets an
# empty bar at every line break: 5 bars here, not 4.
printf '| Cm7 F7 | Bbmaj7 |\n| Eb7 | Am7b5 D7 |\n' >"$TMP/sheet.txt"
$S jazz generate -m "$M" -o "$G/sheet.mid" --chords-from "$TMP/sheet.txt" --json -q >"$TMP/j"
[ "$(jfield "$TMP/j" bars)" = 4 ] && ok "--chords-from a lead sheet of '| ... |' lines: 4 bars" \
    || not_ok "KNOWN BUG 3: --chords-from '| Cm7 F7 | Bbmaj7 |' + '| Eb7 | Am7b5 D7 |': $(jfield "$TMP/j" bars) bars, not 4"

# BUG 4 (cmd/jazz/jazz.c jazz_chords_parse, from read_chords): an unknown
# symbol in a --chords-from text file is a usage error (exit 2) blamed on
# "--chords"; it is bad data in a file: exit 1, naming the file.
printf 'Dm7 G7 | Qmaj7 |\n' >"$TMP/badform.txt"
$S jazz generate -m "$M" -o "$G/x.mid" --chords-from "$TMP/badform.txt" >/dev/null 2>"$TMP/err"; rc=$?
[ $rc -eq 1 ] && grep -q "badform.txt" "$TMP/err" && [ "$(wc -l <"$TMP/err")" -eq 1 ] \
    && ok "--chords-from a file with an unknown symbol: exit 1 naming the file" \
    || not_ok "KNOWN BUG 4: --chords-from a file with an unknown symbol: exit $rc (want 1), '$(head -1 "$TMP/err")' (want the file named)"

# BUG 5 (cmd/jazz/jazz_generate.c read_chords): with --chords-from
# FILE.mid the form ends at the melody's last note-off, inside a bar: the
# 8 bars of chords of s1.mid give 7 and a fraction, reported as 7.
$S jazz generate -m "$M" -o "$G/s1b.mid" --chords-from "$C/midi/s1.mid" --json -q >"$TMP/j"
[ "$(jfield "$TMP/j" bars)" = 8 ] && ok "--chords-from midi/s1.mid: its 8 bars" \
    || not_ok "KNOWN BUG 5: --chords-from an 8-bar solo: $(jfield "$TMP/j" bars) bars, $(jfield "$TMP/j" seconds) s at 140 bpm (8 bars: 13.714 s)"

# BUG 6 (cmd/jazz/jazz.c read_sidecar): a sidecar tick past the int range
# of grid steps wraps: tick 171798693760 is step 2^32 + 48, read as 48,
# the chord put in bar 2.  Every offset read from a file must be checked.
cp "$TMP/good.mid" "$TMP/wrap.mid"
printf 'tick\tbar\tbeat\tonset_s\tchord\n0\t0\t1\t0\tC7\n171798693760\t1\t1\t1\tF7\n' >"$TMP/wrap.chords.tsv"
$S jazz show "$TMP/wrap.mid" -o "$TMP/wrap.svg" >/dev/null 2>"$TMP/err"; rc=$?
[ $rc -eq 1 ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] && ok "a sidecar tick past the grid's range: one-line error, exit 1" \
    || not_ok "KNOWN BUG 6: a sidecar tick of 171798693760 was read as bar 2 (exit $rc, chords drawn: $(grep -o '<text[^<]*<' "$TMP/wrap.svg" | cut -d'>' -f2 | tr -d '<' | tr '\n' ' '))"

# BUG 7 (cmd/jazz/jazz.c jazz_list_files): an absolute path in a split
# list gets the list's folder put before it.
sed "s|^midi/|$C/midi/|" "$C/split.tsv" >"$TMP/abs.tsv"
$S jazz eval -m "$M" --list "$TMP/abs.tsv" -q >"$TMP/out" 2>"$TMP/err" \
    && ok "a split list of absolute paths" || not_ok "KNOWN BUG 7: a split list of absolute paths: $(head -1 "$TMP/err")"

# BUG 8 (cmd/jazz/jazz_generate.c): -o - writes a file named "-" (and
# "-.chords.tsv"); '-' means standard output in seqtool: write the MIDI
# there, or refuse '-' as a usage error.
mkdir -p "$TMP/dash"
(cd "$TMP/dash" && "$SABS" jazz generate -m "$M" -o - -q >"$TMP/out" 2>"$TMP/err"); rc=$?
[ ! -e "$TMP/dash/-" ] && { [ $rc -eq 2 ] || [ "$(head -c 4 "$TMP/out")" = MThd ]; } \
    && ok "generate -o -: standard output or a usage error, no file named '-'" \
    || not_ok "KNOWN BUG 8: generate -o - wrote the files: $(ls "$TMP/dash" | tr '\n' ' ')(exit $rc)"

# BUG 9 (audio/midi.h MIDI_MAX_FILE_SIZE, 64 MiB): a valid 50 MB MIDI (8
# million notes) is read whole: about 10 s and 750 MB for show here.
# The issue lists a 50 MB MIDI among the bad inputs.
timeout 5 $S jazz show "$TMP/big50.mid" -o - >/dev/null 2>"$TMP/err"; rc=$?
[ $rc -eq 1 ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] && ok "a valid 50 MB MIDI: one-line error, exit 1: $(cat "$TMP/err")" \
    || not_ok "KNOWN BUG 9: a valid 50 MB MIDI is not refused (exit $rc$([ $rc -eq 124 ] && echo ': still reading after 5 s'))"
rm -f "$TMP/big50.mid" "$TMP/claim50.mid"

# ---- the Weimar Jazz Database corpus (when ../shared is present) ----
if [ -f "$CORPUS/split.tsv" ]; then
    train=$(awk -F'\t' -v d="$CORPUS" '$2 == "train" {print d "/" $1}' "$CORPUS/split.tsv" | head -3)
    test=$(awk -F'\t' -v d="$CORPUS" '$2 == "test" {print d "/" $1}' "$CORPUS/split.tsv" | head -2)
    $S jazz train $train $TINY -o "$TMP/wj.safetensors" -q --json >"$TMP/j" \
        && [ "$(jfield "$TMP/j" epochs)" = 1 ] && ok "corpus: train 1 epoch on 3 solos of the train split" \
        || not_ok "corpus train: $(cat "$TMP/j")"
    $S jazz eval -m "$TMP/wj.safetensors" --list "$CORPUS/split.tsv" $test --json -q >"$TMP/j"
    $PY -c '
import json, math, sys
o = json.load(open(sys.argv[1]))
assert o["files"] == 2, o
for k in ("model_bits_per_note", "ngram_bits_per_note", "ngram_valid_bits_per_note"):
    assert math.isfinite(o[k]) and o[k] > 0, (k, o)
print("ok - corpus: eval of 2 test solos, %.2f bits/note; the n-gram (%d-gram %s, counted on train) %.2f" % (
    o["model_bits_per_note"], o["ngram_order"], o["ngram_smoothing"], o["ngram_bits_per_note"]))' "$TMP/j" \
        || not_ok "corpus eval: $(cat "$TMP/j")"
    first=$(echo "$test" | head -1)
    name=$(basename "$first" .mid)
    $S jazz show "$first" -o "$TMP/wj.svg" && $PY -c '
import sys, xml.etree.ElementTree as ET
ns = "{http://www.w3.org/2000/svg}"
root = ET.parse(sys.argv[1]).getroot()
notes = [r for r in root.iter(ns + "rect") if r.find(ns + "title") is not None]
assert len(notes) > 40, len(notes)
assert len([t for t in root.iter(ns + "text")]) > 3' "$TMP/wj.svg" \
        && ok "corpus: show $name, well-formed SVG with its notes and chords" || not_ok "corpus show $name"
    $S jazz generate -m "$TMP/wj.safetensors" --chords-from "$first" --bars 8 -o "$TMP/wj.mid" --json -q >"$TMP/j" \
        && [ "$(jfield "$TMP/j" bars)" = 8 ] && ok "corpus: generate over the chords of $name" || not_ok "corpus generate"
else
    echo "skip - the Weimar Jazz Database corpus: $CORPUS not present"
fi

# (the man pages keep step with the option table: tests/cli/manners.sh)
if command -v groff >/dev/null 2>&1; then
    warn=$(groff -man -ww -z man/seqtool-jazz.1 2>&1)
    [ -z "$warn" ] && ok "groff reads man/seqtool-jazz.1 without a warning" || not_ok "groff: $(echo "$warn" | head -3)"
else
    echo "skip - man page warnings: groff not installed"
fi
