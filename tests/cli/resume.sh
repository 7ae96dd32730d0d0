#!/usr/bin/env bash
# CLI tests of resumable training (--checkpoint-every, --resume) for
# dinos, emojify, jazz, nmt, trigger and w2v train: each run is killed with SIGKILL at a
# random moment after its first checkpoint, resumed with the same command
# and --resume, and must end with the same model as a run that was never
# stopped (same_model: every tensor byte and metadata key but
# train.command).  Then a run saving at every step is killed at least 20
# times, each at a random short delay after its first save, the file
# checked after each kill, and resumed to
# the same end; and the refusals: other options, a finished model, a text
# format.  The delays come from $RANDOM; each line says where the kill
# fell, so a failure can be replayed.
cd "$(dirname "$0")/../.." || exit 1
. tests/cli/lib.sh
S=$SEQTOOL
unset SEQTOOL_VECTORS

# The words of an info line "checkpoint step N of M ...", or nothing.
checkpoint_of() { # CMD FILE
    $S "$1" info "$2" 2>/dev/null | sed -n 's/^checkpoint \([a-z]* [0-9]* of [0-9]*\).*/\1/p'
}

# stop_after_save SIGNAL DELAY OUT COMMAND...: run COMMAND (its output
# discarded) in the background, send it SIGNAL DELAY seconds after it
# first writes OUT (OUT is newer than the start; or when it has ended
# first), and return its exit status.
stop_after_save() {
    local sig=$1 delay=$2 out=$3 pid
    shift 3
    touch "$TMP/started"
    "$@" >/dev/null 2>&1 &
    pid=$!
    while ! [ "$out" -nt "$TMP/started" ] && kill -0 $pid 2>/dev/null; do sleep 0.01; done
    sleep "$delay"
    kill -"$sig" $pid 2>/dev/null
    wait $pid 2>/dev/null
}

# kill_and_resume NAME CMD REF OUT EVERY ARGS... : `seqtool CMD train ARGS
# -o OUT --checkpoint-every EVERY`, killed with SIGKILL between 0 and
# 0.4 s after OUT first appears; OUT must then hold an unfinished run,
# and `... --resume` must end with REF's model.
kill_and_resume() {
    local name=$1 cmd=$2 ref=$3 out=$4 every=$5 delay at
    shift 5
    rm -f "$out" "$out".tmp-*
    delay=0.$(printf '%02d' $((RANDOM % 40)))
    stop_after_save KILL "$delay" "$out" $S "$cmd" train "$@" -o "$out" --checkpoint-every "$every" -q
    at=$(checkpoint_of "$cmd" "$out")
    if [ -z "$at" ]; then
        not_ok "$name: no unfinished run in the file after SIGKILL at +${delay}s (did the run end first?)"
        return
    fi
    if $S "$cmd" train "$@" -o "$out" --resume -q >/dev/null 2>"$TMP/err" && same_model "$ref" "$out"; then
        ok "$name: SIGKILL at $at (+${delay}s after the first checkpoint), then --resume: the same model bytes"
    else
        not_ok "$name: SIGKILL at $at, --resume: $(head -2 "$TMP/err" | tr '\n' '|') not the same model"
    fi
}

# ---- dinos: adam, dropout, held-out names (the best weights) ----
D=(datasets/dinos.txt --hidden 32 --layers 1 --epochs 30)
$S dinos train "${D[@]}" -o "$TMP/dinos.ref" -q >/dev/null
kill_and_resume "dinos train" dinos "$TMP/dinos.ref" "$TMP/dinos.st" 5 "${D[@]}"
# the course's setup: sgd, clipping, the state carried from name to name
C=(datasets/dinos.txt --course --iters 20000)
$S dinos train "${C[@]}" -o "$TMP/course.ref" -q >/dev/null
kill_and_resume "dinos train --course (--carry-state)" dinos "$TMP/course.ref" "$TMP/course.st" 20 "${C[@]}"

# ---- emojify: v2 (Adam, dropout, shuffled epochs) on made-up vectors ----
awk -F, '{ n = split(tolower($1), w, " "); for (i = 1; i <= n; i++) print w[i], $2 }' \
    datasets/emojify/train.csv datasets/emojify/test.csv \
    | awk 'BEGIN { srand(7) } !seen[$1]++ { printf "%s", $1;
                          for (k = 0; k < 8; k++) printf " %.4f", (k == $2) + rand() - 0.5; print "" }' >"$TMP/vec.txt"
E=(datasets/emojify/train.csv -v "$TMP/vec.txt" --test datasets/emojify/test.csv --epochs 60 --hidden 16)
$S emojify train "${E[@]}" -o "$TMP/emojify.ref" -q >/dev/null
kill_and_resume "emojify train" emojify "$TMP/emojify.ref" "$TMP/emojify.st" 10 "${E[@]}"

# ---- nmt: generated pairs, Adam with decay, two threads sharing batches ----
N=(--examples 3000 --held-out 200 --epochs 3 --batch 50 --threads 2)
$S nmt train "${N[@]}" -o "$TMP/nmt.ref" -q >/dev/null
kill_and_resume "nmt train --threads 2" nmt "$TMP/nmt.ref" "$TMP/nmt.st" 3 "${N[@]}"

# ---- w2v: one thread, on a corpus of 200,000 words ----
awk 'BEGIN { srand(5); split("cat dog horse cow sheep goat", a); split("car bus truck train bike tram", b);
             split("eats sleeps runs grazes drinks", va); split("drives stops parks brakes turns", vb);
             split("the a this my one", d);
             for (n = 0; n < 200000; n += 6)
                 if (rand() < 0.5) print d[int(rand()*5)+1], a[int(rand()*6)+1], va[int(rand()*5)+1], "in the farm";
                 else print d[int(rand()*5)+1], b[int(rand()*6)+1], vb[int(rand()*5)+1], "on the road" }' >"$TMP/corpus.txt"
V=("$TMP/corpus.txt" --dim 20 --epochs 15 --min-count 2 --sample 0 --threads 1)
$S w2v train "${V[@]}" -o "$TMP/w2v.ref.safetensors" -q
kill_and_resume "w2v train --threads 1" w2v "$TMP/w2v.ref.safetensors" "$TMP/w2v.st.safetensors" 5 "${V[@]}"

# ---- jazz: windows of solos made here, held-out solo, random key shifts ----
mkdir -p "$TMP/midi"
for i in 1 2 3 4; do $PY tests/jazz_midi.py solo "$TMP/midi/s$i.mid" "$i" >/dev/null; done
J=("$TMP"/midi/s[1-4].mid --hidden 32 --epochs 400 --window 8 --batch 4)
$S jazz train "${J[@]}" -o "$TMP/jazz.ref" -q >/dev/null
kill_and_resume "jazz train" jazz "$TMP/jazz.ref" "$TMP/jazz.st" 7 "${J[@]}"

# ---- trigger: clips of tones made here; dropout, --warp and --augment ----
# all draw from the run's generator, with the epoch's clip order; the
# held-out clips keep the best weights.  trigger train has no --threads:
# one thread.  Then --from a model with --negatives (mined clips mixed in).
Z=$TMP/tones
mkdir -p "$Z/pos" "$Z/neg" "$Z/bg" "$Z/mined"
sox -R -n -r 16000 -c 1 -b 16 "$Z/pos/a.wav" synth 0.5 sine 400-800 vol 0.8 2>/dev/null
sox -R -n -r 16000 -c 1 -b 16 "$Z/neg/a.wav" synth 0.5 sine 2500 vol 0.8 2>/dev/null
sox -R -n -r 16000 -c 1 -b 16 "$Z/neg/b.wav" synth 0.5 sine 800-400 vol 0.8 2>/dev/null
sox -R -n -r 16000 -c 1 -b 16 "$Z/bg/a.wav" synth 10 pinknoise vol 0.3 2>/dev/null
sox -R -n -r 16000 -c 1 -b 16 "$Z/mined/a.wav" synth 0.6 sine 300-700 vol 0.8 2>/dev/null
$S trigger synth "$Z/pos" "$Z/neg" "$Z/bg" -n 40 --seconds 3 -o "$Z/clips" -q >/dev/null
G=("$Z/clips" --arch conv:32:3:1:causal,bn,relu,drop:0.3,gru:32,dense --epochs 80 --batch 6 --warp --augment)
$S trigger train "${G[@]}" -o "$TMP/trigger.ref" -q >/dev/null
kill_and_resume "trigger train --warp --augment, dropout" trigger "$TMP/trigger.ref" "$TMP/trigger.st" 7 "${G[@]}"
F=("$Z/clips" --from "$TMP/trigger.ref" --negatives "$Z/mined" --epochs 60 --batch 6 --warp)
$S trigger train "${F[@]}" -o "$TMP/trigger-from.ref" -q >/dev/null
kill_and_resume "trigger train --from --negatives --warp" trigger "$TMP/trigger-from.ref" "$TMP/trigger-from.st" 5 "${F[@]}"
# a checkpoint is a model to detect, eval and info, which names it so
stop_after_save KILL 0 "$TMP/trigger.ck" $S trigger train "${G[@]}" -o "$TMP/trigger.ck" --checkpoint-every 3 -q
at=$(checkpoint_of trigger "$TMP/trigger.ck")
$S trigger detect -m "$TMP/trigger.ck" --scores "$Z/clips/00001.wav" >"$TMP/o" 2>"$TMP/err" && [ -s "$TMP/o" ] \
    && $S trigger eval "$Z/clips" -m "$TMP/trigger.ck" >"$TMP/o" 2>>"$TMP/err" && grep -q "^false_reject_rate " "$TMP/o" \
    && $S trigger info "$TMP/trigger.ck" --json | $PY -c 'import json,sys; c=json.load(sys.stdin)["checkpoint"]; assert c["unit"]=="step" and 0 < c["step"] < c["steps"]' \
    && [ -n "$at" ] && ok "trigger: a checkpoint ($at) is a model to detect and eval; info shows the unfinished run" \
    || not_ok "trigger checkpoint as a model: $(head -2 "$TMP/err" | tr '\n' '|')"
cp -r "$Z/clips" "$Z/clips2"
stop_after_save KILL 0 "$TMP/trigger.data" $S trigger train "$Z/clips2" --epochs 80 --batch 6 -o "$TMP/trigger.data" --checkpoint-every 3 -q
sox "$Z/clips2/00002.wav" "$Z/x.wav" vol 0.9 && mv "$Z/x.wav" "$Z/clips2/00002.wav"
expect_error 1 "trigger --resume when a clip changed since (same options, same folder)" \
    $S trigger train "$Z/clips2" --epochs 80 --batch 6 -o "$TMP/trigger.data" --resume -q
grep -q "checkpoint.data" "$TMP/err" && ok "... the message names the clips' CRC" || not_ok "... message: $(cat "$TMP/err")"
stop_after_save TERM 0 "$TMP/trigger.stop" $S trigger train "${G[@]}" -o "$TMP/trigger.stop" --checkpoint-every 5 -q
rc=$?
[ $rc -eq 130 ] && [ -n "$(checkpoint_of trigger "$TMP/trigger.stop")" ] \
    && $S trigger train "${G[@]}" -o "$TMP/trigger.stop" --resume -q >/dev/null 2>"$TMP/err" \
    && same_model "$TMP/trigger.ref" "$TMP/trigger.stop" \
    && ok "trigger: SIGTERM saves the run (exit 130), and --resume ends with the same model" \
    || not_ok "trigger SIGTERM: exit $rc, $(cat "$TMP/err")"
expect_error 1 "trigger --resume of a finished model" $S trigger train "${G[@]}" -o "$TMP/trigger.ref" --resume -q
expect_error 1 "trigger --resume without the run's --augment" \
    $S trigger train "${G[@]:0:7}" --warp -o "$TMP/trigger.ck" --resume -q

# ---- SIGKILL in the middle of saves: the file is always whole ----
# Saving every step, a run spends most of its time writing the file;
# each kill leaves it as the last complete save (info reads it, CRC
# checked), and a kill inside a save leaves only its temporary file.
K=(datasets/dinos.txt --hidden 32 --layers 1 --iters 1500)
$S dinos train "${K[@]}" -o "$TMP/kill.ref" -q >/dev/null
out=$TMP/kill.st
rm -f "$out"
# Each run is killed 0-59 ms after its first save, so that the kills
# fall among the saves however slow its start (the sanitizers, a busy
# machine, loading the run to resume).  20 kills at least, and more (up
# to 100) until one has fallen inside a save: under the sanitizers the
# steps are slow and the saves a small share of the time (0 of 20 in one
# run of four here).
kills=0 whole=0 inside=0 last=0 back=0
while [ $kills -lt 20 ] || { [ $inside -eq 0 ] && [ $kills -lt 100 ]; }; do
    resume=()
    [ -e "$out" ] && resume=(--resume)
    stop_after_save KILL 0.0$(printf '%02d' $((RANDOM % 60))) "$out" \
        $S dinos train "${K[@]}" -o "$out" --checkpoint-every 1 "${resume[@]}" -q
    kills=$((kills + 1))
    ls "$out".tmp-* >/dev/null 2>&1 && inside=$((inside + 1))
    rm -f "$out".tmp-*
    at=$(checkpoint_of dinos "$out")
    [ -n "$at" ] && $S dinos sample -m "$out" -n 1 >/dev/null 2>&1 && whole=$((whole + 1))
    step=$(echo "$at" | cut -d' ' -f2)
    [ "${step:-0}" -lt $last ] && back=1
    last=${step:-0}
done
[ $whole -eq $kills ] && [ $inside -gt 0 ] && [ $back -eq 0 ] \
    && ok "$kills SIGKILLs while saving every step: the file was whole and loadable after each, never behind ($inside fell inside a save; step $last of 1500 at the end)" \
    || not_ok "kills during saves: $whole of $kills files whole, $inside kills inside a save, back $back"
$S dinos train "${K[@]}" -o "$out" --resume -q >/dev/null 2>"$TMP/err" && same_model "$TMP/kill.ref" "$out" \
    && ok "... and --resume after the $kills kills gives the same model bytes as one run" \
    || not_ok "resume after $kills kills: $(cat "$TMP/err")"

# ---- refusals ----
stop_after_save TERM 0 "$TMP/stop.st" $S dinos train "${D[@]}" -o "$TMP/stop.st" --checkpoint-every 5 -q
rc=$?
[ $rc -eq 130 ] && [ -n "$(checkpoint_of dinos "$TMP/stop.st")" ] \
    && ok "SIGTERM: exit 130, the file an unfinished run" || not_ok "SIGTERM: exit $rc"
expect_error 1 "--resume with other options" $S dinos train "${D[@]}" --lr 0.01 -o "$TMP/stop.st" --resume -q
grep -q -- "--hidden 32 --layers 1 --epochs 30 datasets/dinos.txt" "$TMP/err" \
    && ok "... the message shows the run's options" || not_ok "... message: $(cat "$TMP/err")"
cp datasets/dinos.txt "$TMP/names.txt"
stop_after_save KILL 0 "$TMP/names.st" $S dinos train "$TMP/names.txt" --iters 100000 --checkpoint-every 1 -o "$TMP/names.st" -q
echo zzyzx >>"$TMP/names.txt"
expect_error 1 "--resume when the names changed since (same options, same path)" \
    $S dinos train "$TMP/names.txt" --iters 100000 -o "$TMP/names.st" --resume -q
grep -q "train.data" "$TMP/err" && ok "... the message names train.data" || not_ok "... message: $(cat "$TMP/err")"
expect_error 1 "--resume of a finished emojify model" $S emojify train "${E[@]}" -o "$TMP/emojify.ref" --resume -q
expect_error 1 "--resume of a missing file" $S nmt train "${N[@]}" -o "$TMP/none.safetensors" --resume -q
expect_error 2 "w2v --checkpoint-every to a text format" $S w2v train "${V[@]}" -o "$TMP/v.txt" --checkpoint-every 5 -q
expect_error 2 "--checkpoint-every -1" $S nmt train --checkpoint-every -1
$S dinos train "${D[@]}" -o "$TMP/stop.st" --resume -q --json >"$TMP/o" 2>"$TMP/err" && same_model "$TMP/dinos.ref" "$TMP/stop.st" \
    && grep -q '"iterations":1042' "$TMP/o" && ok "the stopped run resumes to the same model; its summary counts the whole run" \
    || not_ok "resume after SIGTERM: $(cat "$TMP/err" "$TMP/o")"
