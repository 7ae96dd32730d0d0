#!/usr/bin/env bash
# CLI tests of seqtool and seqtool dinos: help, usage errors, training,
# sampling, scoring, reproducibility, bad input, model files.
cd "$(dirname "$0")/../.." || exit 1
. tests/cli/lib.sh

# ---- dispatcher ----
out=$($SEQTOOL); rc=$?
[ $rc -eq 0 ] && grep -q "dinos" <<< "$out" && ok "seqtool alone lists the commands" || not_ok "seqtool alone"
[ "$($SEQTOOL --help)" = "$out" ] && [ "$($SEQTOOL help)" = "$out" ] && ok "--help and help list the same" || not_ok "--help/help"
$SEQTOOL --version | grep -qE '^seqtool [0-9]+\.[0-9]+' && ok "--version" || not_ok "--version"
[ "$($SEQTOOL help dinos)" = "$($SEQTOOL dinos --help)" ] && $SEQTOOL dinos --help | grep -q -- "--temperature" \
    && ok "help dinos = dinos --help, on stdout" || not_ok "help dinos"
$SEQTOOL nosuch >/dev/null 2>"$TMP/err"; rc=$?
[ $rc -eq 2 ] && grep -q "not a seqtool command" "$TMP/err" && ok "an unknown command: exit 2 with the list on stderr" || not_ok "unknown command ($rc)"
$SEQTOOL dinos >"$TMP/out" 2>"$TMP/err"; rc=$?
[ $rc -eq 2 ] && [ ! -s "$TMP/out" ] && grep -q "^usage: seqtool dinos" "$TMP/err" \
    && ok "dinos with no action: usage on stderr, exit 2" || not_ok "dinos with no action ($rc)"
expect_error 2 "an unknown action" $SEQTOOL dinos fly
expect_error 2 "an unknown option" $SEQTOOL dinos train --bogus
expect_error 2 "an option of another action" $SEQTOOL dinos sample --epochs 3
expect_error 2 "a bad --cell" $SEQTOOL dinos train --cell transformer
expect_error 2 "--hidden 0" $SEQTOOL dinos train --hidden 0
expect_error 2 "--lr not a number" $SEQTOOL dinos train --lr fast
expect_error 2 "a missing option value" $SEQTOOL dinos sample -n
expect_error 2 "a stray argument" $SEQTOOL dinos train a.txt b.txt

# ---- training on the shipped list ----
M=$TMP/d.safetensors
$SEQTOOL dinos train datasets/dinos.txt --hidden 32 --epochs 2 --seed 7 -o "$M" -q >"$TMP/sum" 2>"$TMP/err"
rc=$?
[ $rc -eq 0 ] && [ -s "$M" ] && grep -q "^val_nats_per_char" "$TMP/sum" && [ ! -s "$TMP/err" ] \
    && ok "train on datasets/dinos.txt: summary on stdout, nothing on stderr with -q" || not_ok "train ($rc): $(cat "$TMP/err")"
# how the model was made: the command as typed (quoted for a shell), the
# program, the seed, the data with its size and CRC-32
cp datasets/dinos.txt "$TMP/it's here.txt"
$SEQTOOL dinos train "$TMP/it's here.txt" --hidden 4 --iters 2 --seed 9 -o "$TMP/prov.safetensors" -q >/dev/null
$PY - "$TMP/prov.safetensors" "$TMP/it's here.txt" "$($SEQTOOL --version)" <<'PYEOF' && ok "train records its command line, program, seed and data" || not_ok "provenance"
import json, shlex, struct, sys, zlib
raw = open(sys.argv[1], "rb").read()
m = json.loads(raw[8:8 + struct.unpack("<Q", raw[:8])[0]])["__metadata__"]
data = open(sys.argv[2], "rb").read()
assert shlex.split(m["train.command"])[:4] == ["seqtool", "dinos", "train", sys.argv[2]], m["train.command"]
assert m["train.program"] == sys.argv[3] and m["train.seed"] == "9", m
assert m["train.data"] == "%s (%d bytes, CRC-32 %08x)" % (sys.argv[2], len(data), zlib.crc32(data)), m["train.data"]
PYEOF
ls "$TMP" | grep -q '\.tmp-' && not_ok "a temporary file was left behind" || ok "no temporary file left behind"
[ "$(wc -l < datasets/dinos.txt)" -ge 800 ] && ! grep -qvxE '[A-Z][a-z]+' datasets/dinos.txt \
    && ok "datasets/dinos.txt: $(wc -l < datasets/dinos.txt) genus names" || not_ok "datasets/dinos.txt format"
$PY tests/safetensors_check.py "$M" >"$TMP/fmt" 2>&1 && ok "the model file meets the safetensors spec (read with struct + json)" \
    || not_ok "safetensors_check: $(tail -2 "$TMP/fmt")"
$SEQTOOL dinos train datasets/dinos.txt --hidden 32 --epochs 2 --seed 7 -o "$TMP/d2.safetensors" -q >/dev/null
same_model "$M" "$TMP/d2.safetensors" && ok "same seed, same model (the same bytes but the command line)" || not_ok "training is not reproducible"

# ---- sample ----
$SEQTOOL dinos sample -m "$M" -n 20 --seed 3 >"$TMP/s1"
$SEQTOOL dinos sample -m "$M" -n 20 --seed 3 >"$TMP/s2"
$SEQTOOL dinos sample -m "$M" -n 20 --seed 4 >"$TMP/s3"
[ "$(wc -l < "$TMP/s1")" -eq 20 ] && cmp -s "$TMP/s1" "$TMP/s2" && ! cmp -s "$TMP/s1" "$TMP/s3" \
    && ok "sample: 20 names, same seed same names, another seed others" || not_ok "sample reproducibility"
grep -qvE '^[A-Z][a-z]*$' "$TMP/s1" && not_ok "sampled names are capitalised letters: $(head -3 "$TMP/s1" | tr '\n' ' ')" \
    || ok "sampled names start upper-case"
$SEQTOOL dinos sample -m "$M" -n 30 --prefix Tyr >"$TMP/p"
[ "$(grep -c '^Tyr' "$TMP/p")" -eq 30 ] && ok "--prefix Tyr: every name starts so" || not_ok "--prefix: $(head -3 "$TMP/p")"
$SEQTOOL dinos sample -m "$M" -n 50 --novel >"$TMP/n"
known=$(tr 'A-Z' 'a-z' < datasets/dinos.txt | sort -u)
dups=$(tr 'A-Z' 'a-z' < "$TMP/n" | sort -u | comm -12 - <(echo "$known") | wc -l)
[ "$(wc -l < "$TMP/n")" -eq 50 ] && [ "$dups" -eq 0 ] && ok "--novel: 50 names, none in the training list" || not_ok "--novel ($dups known)"
$SEQTOOL dinos sample -m "$M" -n 50 --max-len 4 | awk 'length($0) > 4 {bad=1} END {exit bad}' \
    && ok "--max-len 4 bounds every name" || not_ok "--max-len"
$SEQTOOL dinos sample -m "$M" -n 3 --json | $PY -c 'import sys, json; [json.loads(l)["name"] for l in sys.stdin]' \
    && ok "sample --json: one object per line" || not_ok "sample --json"
expect_error 2 "--prefix with a character the model never saw" $SEQTOOL dinos sample -m "$M" --prefix "x1"
$SEQTOOL dinos sample -m "$M" -n 5 --temperature 0.2 >/dev/null && ok "--temperature" || not_ok "--temperature"

# ---- the default model: ./dinos.safetensors, else the shipped one ----
ABS=$(realpath "$SEQTOOL")
mkdir -p "$TMP/fresh" "$TMP/own"
(cd "$TMP/fresh" && env -u SEQTOOL_DINOS_MODEL "$ABS" dinos sample --seed 3) >"$TMP/fresh.out" 2>"$TMP/fresh.err"; rc=$?
$SEQTOOL dinos sample -m datasets/dinos/dinos.safetensors --seed 3 >"$TMP/shipped.out"
[ $rc -eq 0 ] && [ ! -s "$TMP/fresh.err" ] && [ "$(grep -cE '^[A-Z][a-z]+$' "$TMP/fresh.out")" -eq 10 ] && cmp -s "$TMP/fresh.out" "$TMP/shipped.out" \
    && ok "sample with no model anywhere: ten names of the shipped datasets/dinos/dinos.safetensors" \
    || not_ok "sample on a fresh folder ($rc): $(head -2 "$TMP/fresh.err")"
score=$(cd "$TMP/fresh" && echo Velociraptor | env -u SEQTOOL_DINOS_MODEL "$ABS" dinos score | cut -f2)
awk -v s="$score" 'BEGIN { exit !(s > 0 && s < 2) }' \
    && ok "score with the shipped model: Velociraptor $score nats/char" || not_ok "score with the shipped model: '$score'"
cp "$M" "$TMP/own/dinos.safetensors"
(cd "$TMP/own" && env -u SEQTOOL_DINOS_MODEL "$ABS" dinos sample -n 20 --seed 3) | cmp -s - "$TMP/s1" \
    && ok "sample prefers ./dinos.safetensors, what train writes, to the shipped model" || not_ok "./dinos.safetensors not used"
SHIPPED=$(realpath datasets/dinos/dinos.safetensors)
(cd "$TMP/own" && SEQTOOL_DINOS_MODEL=$SHIPPED "$ABS" dinos sample --seed 3) \
    | cmp -s - "$TMP/shipped.out" && ok "\$SEQTOOL_DINOS_MODEL overrides ./dinos.safetensors" || not_ok "SEQTOOL_DINOS_MODEL"

# ---- info: what a model is and how it was made ----
$SEQTOOL dinos info >"$TMP/info" 2>"$TMP/err"; rc=$?
[ $rc -eq 0 ] && [ ! -s "$TMP/err" ] && head -1 "$TMP/info" | grep -q "datasets/dinos/dinos.safetensors: lstm, 2 layers of 128 units, 26 characters, 214939 weights; 1235 names" \
    && grep -qx "command seqtool dinos train datasets/dinos.txt --seed 1 -o datasets/dinos/dinos.safetensors" "$TMP/info" \
    && grep -qx "seed 1" "$TMP/info" && grep -qx "data datasets/dinos.txt ($(wc -c <datasets/dinos.txt) bytes, CRC-32 [0-9a-f]*)" "$TMP/info" \
    && grep -qx "tensor rnn.weight_ih_l0 F32 512x27" "$TMP/info" \
    && ok "info: the shipped model, the command that made it, its seed, data and tensors" || not_ok "info ($rc): $(head -3 "$TMP/info" "$TMP/err")"
$SEQTOOL dinos info "$M" --json | $PY -c '
import json, sys
j = json.loads(sys.stdin.read())
assert j["kind"] == "dinos" and j["cell"] == "lstm" and j["hidden"] == 32 and j["layers"] == 2 and j["seed"] == 7, j
assert j["command"].startswith("seqtool dinos train datasets/dinos.txt --hidden 32") and j["data"].startswith("datasets/dinos.txt ("), j
assert j["tensors"][0] == {"name": "rnn.weight_ih_l0", "dtype": "F32", "shape": [128, 27]}, j["tensors"][0]
assert j["weights"] == sum(t["shape"][0] * (t["shape"][1] if len(t["shape"]) > 1 else 1) for t in j["tensors"] if not t["name"].startswith("optim")), j' \
    && ok "info MODEL --json: shape, weights, seed (a number), command and tensors" || not_ok "info --json"
[ "$($SEQTOOL dinos info -m "$M")" = "$($SEQTOOL dinos info "$M")" ] && ok "info -m MODEL = info MODEL" || not_ok "info -m"
$PY - "$M" "$TMP/old.safetensors" <<'PYEOF'
import json, struct, sys
raw = open(sys.argv[1], "rb").read()
n = struct.unpack("<Q", raw[:8])[0]
h = json.loads(raw[8:8 + n])
for k in ("train.command", "train.program", "train.seed", "train.data"):
    del h["__metadata__"][k]
head = json.dumps(h).encode()
head += b" " * (-len(head) % 8)
open(sys.argv[2], "wb").write(struct.pack("<Q", len(head)) + head + raw[8 + n:])
PYEOF
$SEQTOOL dinos info "$TMP/old.safetensors" | sed -n 2p | grep -q "^command (not recorded" \
    && ok "info: a model from before it was recorded says 'command (not recorded ...)'" || not_ok "info of an old model: $($SEQTOOL dinos info "$TMP/old.safetensors" 2>&1 | head -2)"
expect_error 2 "info: two models" $SEQTOOL dinos info "$M" "$M"
expect_error 1 "info: a model of another kind" $SEQTOOL dinos info datasets/nmt/dates.safetensors

# ---- score ----
printf 'Tyrannosaurus\nqxzqxzqxz\n' | $SEQTOOL dinos score -m "$M" >"$TMP/sc"
a=$(awk -F'\t' 'NR==1 {print $2}' "$TMP/sc"); b=$(awk -F'\t' 'NR==2 {print $2}' "$TMP/sc")
[ "$(wc -l < "$TMP/sc")" -eq 2 ] && awk -v a="$a" -v b="$b" 'BEGIN {exit !(a > 0 && a < b)}' \
    && ok "score: a real genus ($a nats/char) beats noise ($b)" || not_ok "score: $(cat "$TMP/sc")"
printf 'Tyrannosaurus\n' | $SEQTOOL dinos score -m "$M" --json | $PY -c '
import sys, json; o = json.loads(sys.stdin.readline()); assert o["name"] == "Tyrannosaurus" and o["chars"] == 14 and abs(o["nats"] / 14 - o["nats_per_char"]) < 1e-9' \
    && ok "score --json: name, nats, chars" || not_ok "score --json"
printf 'T-rex\n' | $SEQTOOL dinos score -m "$M" 2>"$TMP/err" | grep -q $'^T-rex\tinf$' && grep -q "vocabulary" "$TMP/err" \
    && ok "score: a character outside the vocabulary scores inf with a warning" || not_ok "score unknown char"

# ---- resume ----
$SEQTOOL dinos train datasets/dinos.txt -o "$M" --resume --epochs 1 -q --json >"$TMP/r" \
    && $PY -c '
import json, struct, sys
f = open(sys.argv[1], "rb"); n = struct.unpack("<Q", f.read(8))[0]; meta = json.loads(f.read(n))["__metadata__"]
assert int(meta["train.step"]) > 35 * 2, meta["train.step"]' "$M" && ok "--resume continues the step count" || not_ok "--resume"

# ---- bad input: one line on stderr, exit 1 ----
: >"$TMP/empty"
printf '\n  \n\n' >"$TMP/blank"
printf 'abc\0def\n' >"$TMP/binary"
head -c 1001 /dev/zero | tr '\0' 'a' >"$TMP/long"
expect_error 1 "an empty file" $SEQTOOL dinos train "$TMP/empty" -o "$TMP/x"
expect_error 1 "only blank lines" $SEQTOOL dinos train "$TMP/blank" -o "$TMP/x"
expect_error 1 "a missing file" $SEQTOOL dinos train "$TMP/nonexistent" -o "$TMP/x"
expect_error 1 "a binary file" $SEQTOOL dinos train "$TMP/binary" -o "$TMP/x"
expect_error 1 "a name longer than 1,000 bytes" $SEQTOOL dinos train "$TMP/long" -o "$TMP/x"
expect_error 1 "a missing model" $SEQTOOL dinos sample -m "$TMP/nonexistent"
head -c 300 "$M" >"$TMP/trunc.safetensors"
expect_error 1 "a truncated model" $SEQTOOL dinos sample -m "$TMP/trunc.safetensors"
$PY - "$TMP/nmt.safetensors" <<'PYEOF'
import json, struct, sys, zlib
data = struct.pack("<4f", 1, 2, 3, 4)
meta = {"seqtool.kind": "nmt", "seqtool.version": "1", "seqtool.crc32": "%08x" % zlib.crc32(data)}
h = json.dumps({"__metadata__": meta, "w": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}).encode()
open(sys.argv[1], "wb").write(struct.pack("<Q", len(h)) + h + data)
PYEOF
expect_error 1 "a model of another kind" $SEQTOOL dinos sample -m "$TMP/nmt.safetensors"
expect_error 1 "a text file as the model" $SEQTOOL dinos score -m datasets/dinos.txt datasets/dinos.txt
expect_error 1 "an unwritable model path" $SEQTOOL dinos train datasets/dinos.txt --iters 1 -o "$TMP/no/such/dir/m" -q
expect_error 1 "a full disk on stdout" sh -c "$SEQTOOL dinos sample -m '$M' -n 100 >/dev/full"

# ---- interrupted training keeps the work ----
interrupted 1 $SEQTOOL dinos train datasets/dinos.txt --hidden 64 --epochs 100000 -o "$TMP/int.safetensors" -q 2>"$TMP/err"
rc=$?
[ $rc -eq 130 ] && grep -q "interrupted" "$TMP/err" && $SEQTOOL dinos sample -m "$TMP/int.safetensors" -n 1 >/dev/null \
    && ok "Ctrl-C saves the model so far, exit 130" || not_ok "interrupt: rc $rc, $(cat "$TMP/err")"

# ---- stdin ----
head -50 datasets/dinos.txt | $SEQTOOL dinos train - --hidden 8 --iters 5 -o "$TMP/stdin.safetensors" -q >/dev/null \
    && ok "train reads names from '-'" || not_ok "train from stdin"

# ---- the course's own data (when ../shared is present) ----
if [ -f "$SHARED/course/dinos/dinos.txt" ]; then
    loss=$($SEQTOOL dinos train --course "$SHARED/course/dinos/dinos.txt" -o "$TMP/course.safetensors" -q | awk '/^loss/ {print $2}')
    awk -v l="$loss" 'BEGIN {exit !(l <= 23.1)}' && ok "course setup: smoothed loss at iteration 22000 is $loss (<= 23.1)" \
        || not_ok "course setup: loss $loss > 23.1"
else
    echo "skip - course fidelity: $SHARED/course/dinos/dinos.txt not present"
fi

# (the man pages keep step with the option table: tests/cli/manners.sh)
