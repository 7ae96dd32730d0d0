#!/usr/bin/env bash
# CLI tests of seqtool emojify: help and usage errors (the bare command,
# abbreviations, options of other actions); --arch and its old spelling
# -m v1|v2; training V1 and V2 (summary, --json, reproducibility, the
# model file, --threads); predict from
# arguments and standard input (--label, --top, --json), the same
# probabilities for a sentence alone and padded inside a batch, words
# outside the model found in -v vectors, sentences with no known word;
# eval against the predictions; every bad input's one-line error; and,
# when ../shared/datasets is present, the course's split with GloVe.
# The vectors here are made by $TMP/vec.py (stdlib Python, 8 dimensions):
# each word of datasets/emojify/train.csv near the direction of the class
# it is most often in, the words only the test file has at random, so the
# models have something to learn without any data from outside the project.
cd "$(dirname "$0")/../.." || exit 1
. tests/cli/lib.sh
S=$SEQTOOL
unset SEQTOOL_VECTORS
TRAIN=datasets/emojify/train.csv
TEST=datasets/emojify/test.csv
V=$TMP/vec.txt
cat >"$TMP/vec.py" <<'PYEOF'
import random, sys
rnd = random.Random(7)
K, D = 5, 8
axis = [[rnd.gauss(0, 1) for _ in range(D)] for _ in range(K)]
count = {}
for line in open(sys.argv[1], encoding="utf-8"):
    text, label = line.rstrip("\n").rsplit(",", 1)
    for w in text.lower().split():
        count.setdefault(w, [0] * K)[int(label)] += 1
seen = set(count)
for line in open(sys.argv[2], encoding="utf-8"):
    for w in line.rsplit(",", 1)[0].lower().split():
        count.setdefault(w, None)
out = []
for w in sorted(count):
    c = count[w]
    if c is None:
        v = [rnd.gauss(0, 1) for _ in range(D)]
    else:
        k = max(range(K), key=lambda i: c[i])
        share = c[k] / sum(c)
        v = [share * a + 0.3 * rnd.gauss(0, 1) for a in axis[k]]
    out.append((w, v))
vec = dict(out)
out.append(("feast", vec["dinner"]))  # a word no sentence has, beside dinner
for w, v in out:
    print(w, " ".join("%.6f" % x for x in v))
PYEOF
$PY "$TMP/vec.py" "$TRAIN" "$TEST" >"$V" || not_ok "making the test vectors"

# ---- help and usage ----
$S emojify --help >"$TMP/help" 2>"$TMP/err"; rc=$?
[ $rc -eq 0 ] && [ ! -s "$TMP/err" ] && grep -q "^usage: seqtool emojify train" "$TMP/help" \
    && ok "emojify --help: usage on stdout, exit 0" || not_ok "emojify --help ($rc)"
[ "$($S help emojify)" = "$(cat "$TMP/help")" ] && ok "help emojify = emojify --help" || not_ok "help emojify"
$S emojify help >"$TMP/help2" 2>"$TMP/err"; rc=$?
$S emojify -h >"$TMP/help3" 2>>"$TMP/err"; rc3=$?
[ $rc -eq 0 ] && [ $rc3 -eq 0 ] && [ ! -s "$TMP/err" ] && cmp -s "$TMP/help" "$TMP/help2" && cmp -s "$TMP/help" "$TMP/help3" \
    && ok "emojify help and emojify -h: the same text on stdout, exit 0" || not_ok "emojify help / -h ($rc, $rc3)"
$S --help | grep -q "^  emojify " && ok "seqtool --help lists emojify" || not_ok "seqtool --help lacks emojify"
$S emojify >"$TMP/out" 2>"$TMP/err"; rc=$?
[ $rc -eq 2 ] && [ ! -s "$TMP/out" ] && grep -q "^usage: seqtool emojify train" "$TMP/err" \
    && ok "emojify alone: the short usage on stderr, exit 2" || not_ok "emojify alone ($rc)"
expect_error 2 "an unknown action" $S emojify guess
expect_error 2 "a sentence where the action goes (predict is the default only before an option)" $S emojify hello
expect_error 2 "an unknown option" $S emojify train --bogus
expect_error 2 "an option of another action" $S emojify predict --epochs 3
expect_error 2 "an option of predict in eval" $S emojify eval --top 2
expect_error 2 "an option of predict in train" $S emojify train --label
expect_error 2 "a training option in predict (no action)" $S emojify --lr 0.1 hello
expect_error 2 "an ambiguous abbreviation (--la: --label, --labels)" $S emojify train --la x
grep -q -- "--label" "$TMP/err" && grep -q -- "--labels" "$TMP/err" && ok "the ambiguity names both options" \
    || not_ok "ambiguity message: $(cat "$TMP/err")"
expect_error 2 "--model v3" $S emojify train --model v3
expect_error 2 "train -m MODEL (train reads no model)" $S emojify train -m "$TMP/some.safetensors"
expect_error 2 "--arch v3" $S emojify train --arch v3
expect_error 2 "--oov guess" $S emojify train --oov guess
expect_error 2 "--backoff stem" $S emojify train --backoff stem
expect_error 2 "--top 0" $S emojify --top 0 hello
expect_error 2 "--epochs not a number" $S emojify train --epochs many
expect_error 2 "--dropout 1" $S emojify train --dropout 1
expect_error 2 "--emoji with one symbol" $S emojify train "$TRAIN" -v "$V" --emoji X
expect_error 2 "--emoji and --labels together" $S emojify train --emoji A,B --labels "$TMP/l"
expect_error 2 "--quiet and --verbose" $S emojify -q --verbose hello
expect_error 2 "two training files" $S emojify train a.csv b.csv
expect_error 2 "two files from standard input" $S emojify train - -v - -o "$TMP/x"

# ---- train ----
M1=$TMP/v1.safetensors
M2=$TMP/v2.safetensors
$S emojify train "$TRAIN" -v "$V" -o "$M1" --arch v1 --epochs 50 --test "$TEST" -q >"$TMP/sum1" 2>"$TMP/err"
rc=$?
[ $rc -eq 0 ] && [ -s "$M1" ] && [ ! -s "$TMP/err" ] && grep -q "^train_accuracy" "$TMP/sum1" && grep -q "^test_accuracy" "$TMP/sum1" \
    && grep -q "^confusion" "$TMP/sum1" && ok "train v1: accuracies and confusion on stdout, nothing on stderr with -q" \
    || not_ok "train v1 ($rc): $(head -2 "$TMP/err")"
acc=$(awk '/^train_accuracy/ {print $2}' "$TMP/sum1")
awk -v a="$acc" 'BEGIN {exit !(a >= 0.9)}' && ok "v1 learns the training sentences: accuracy $acc" || not_ok "v1 train accuracy $acc"
ls "$TMP" | grep -q '\.tmp' && not_ok "a temporary file was left behind" || ok "no temporary file left behind"
$PY tests/safetensors_check.py "$M1" >"$TMP/fmt" 2>&1 && ok "the model file meets the safetensors spec" \
    || not_ok "safetensors_check: $(grep FAIL "$TMP/fmt" | head -2)"
$S emojify train "$TRAIN" -v "$V" -o "$M2" --epochs 8 --hidden 16 --test "$TEST" -q --json >"$TMP/sum2"
$PY - "$TMP/sum2" <<'PYEOF' && ok "train v2 --json: one object, train and test scores, a 5x5 confusion" || not_ok "train v2 --json"
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 1
j = json.loads(lines[0])
assert j["kind"] == "v2" and j["oov"] == "skip" and j["backoff"] == "suffix" and j["epochs"] == 8 and j["words"] > 500
for part in ("train", "test"):
    s = j[part]
    assert s["correct"] == sum(row[i] for i, row in enumerate(s["confusion"]))
    assert sum(map(sum, s["confusion"])) == s["sentences"] and len(s["classes"]) == 5
    assert abs(s["accuracy"] - s["correct"] / s["sentences"]) < 1e-12
assert j["train"]["sentences"] == 345 and j["test"]["sentences"] == 115
assert j["train"]["accuracy"] >= 0.6, j["train"]["accuracy"]  # 8 epochs of 16 units: it has begun to learn
PYEOF
$S emojify train "$TRAIN" -v "$V" -o "$TMP/v2b.safetensors" --epochs 8 --hidden 16 --test "$TEST" -q >/dev/null
same_model "$M2" "$TMP/v2b.safetensors" && ok "same seed, same model (the same bytes but the command line)" || not_ok "training is not reproducible"
$S emojify train "$TRAIN" -v "$V" -o "$TMP/v2c.safetensors" --epochs 8 --hidden 16 --test "$TEST" --seed 2 -q >/dev/null
same_model "$M2" "$TMP/v2c.safetensors" && not_ok "--seed 2 gave the same model" || ok "--seed 2 gives another model"
$PY - "$M2" <<'PYEOF' && ok "the model keeps the classes' emoji, the training words and their rows" || not_ok "model metadata"
import json, struct, sys
raw = open(sys.argv[1], "rb").read()
n = struct.unpack("<Q", raw[:8])[0]
h = json.loads(raw[8:8 + n]); meta = h["__metadata__"]
assert meta["seqtool.kind"] == "emojify" and meta["emojify.model"] == "v2"
assert meta["emojify.emoji"].split(",") == ["\u2764\ufe0f", "\u26be", "\U0001f604", "\U0001f61e", "\U0001f374"]
words = int(meta["emojify.words"])
assert h["embedding.weight"]["shape"] == [words, 8]
b, e = h["words"]["data_offsets"]
names = raw[8 + n + b:8 + n + e].split(b"\0")[:-1]
assert len(names) == words and b"dinner" in names and b"feast" not in names
assert h["lstm.weight_ih_l0"]["shape"] == [64, 8] and h["out.weight"]["shape"] == [5, 16]
PYEOF

$S emojify info "$M2" >"$TMP/info" && head -1 "$TMP/info" | grep -q ": v2: two LSTMs of 16 units over 8-dimensional vectors, 5 classes" \
    && grep -q "^vectors $V ($(wc -c <"$V") bytes, CRC-32 " "$TMP/info" && grep -q "^data $TRAIN (" "$TMP/info" \
    && grep -q "^command seqtool emojify train $TRAIN -v $V -o $M2 " "$TMP/info" && grep -qx "tensor out.weight F32 5x16" "$TMP/info" \
    && ok "info: the architecture, the vectors and data it learnt from, the command, the tensors" || not_ok "info: $(head -3 "$TMP/info")"
$S emojify info --json -m "$M2" | $PY -c '
import json, sys
j = json.loads(sys.stdin.read())
assert j["kind"] == "emojify" and j["arch"] == "v2" and j["hidden"] == 16 and j["dim"] == 8 and j["classes"] == 5, j
assert j["seed"] == 1 and j["vectors"].startswith(sys.argv[1] + " (") and 0 <= j["test_accuracy"] <= 1, j
assert [t["name"] for t in j["tensors"]][-1] == "words", j' "$V" \
    && ok "info --json" || not_ok "info --json"

# ---- --arch, its old spelling -m v1|v2, abbreviations, --threads ----
$S emojify train "$TRAIN" -v "$V" -o "$TMP/arch1.st" --arch v1 --epochs 5 >/dev/null 2>"$TMP/err_new"
$S emojify train "$TRAIN" -v "$V" -o "$TMP/old1.st" -m v1 --epochs 5 >/dev/null 2>"$TMP/err"; rc=$?
[ $rc -eq 0 ] && same_model "$TMP/arch1.st" "$TMP/old1.st" && [ "$(grep -c 'now --arch' "$TMP/err")" -eq 1 ] \
    && grep -qx "seqtool emojify: warning: -m v1|v2 is now --arch v1|v2" "$TMP/err" && ! grep -q "now --arch" "$TMP/err_new" \
    && ok "train -m v1 (the old spelling): the model of --arch v1, and one line of warning" \
    || not_ok "train -m v1 ($rc): $(cat "$TMP/err")"
$S emojify train "$TRAIN" -v "$V" -o "$TMP/old2.st" --model v2 --epochs 8 --hidden 16 --test "$TEST" -q >/dev/null 2>"$TMP/err"
same_model "$M2" "$TMP/old2.st" && [ ! -s "$TMP/err" ] && ok "train --model v2 -q: the model of the default v2, no warning with -q" \
    || not_ok "train --model v2 -q: $(cat "$TMP/err")"
$S emojify train "$TRAIN" -v "$V" --out "$TMP/abbr.st" --arc v1 --epo 5 -q >/dev/null 2>"$TMP/err"; rc=$?
[ $rc -eq 0 ] && same_model "$TMP/arch1.st" "$TMP/abbr.st" && ok "unique abbreviations (--out, --arc, --epo) work" \
    || not_ok "abbreviations ($rc): $(cat "$TMP/err")"
$S emojify train "$TRAIN" -v "$V" -o "$TMP/thr.st" --epochs 8 --hidden 16 --test "$TEST" --threads 3 -q >"$TMP/sum_thr"
same_model "$M2" "$TMP/thr.st" && [ "$(grep accuracy "$TMP/sum_thr")" = "$(grep accuracy <(printf '%s\n' "$(cat "$TMP/sum2")" | $PY -c '
import json, sys; j = json.load(sys.stdin)
print("train_accuracy %.4f (%d of %d)" % (j["train"]["accuracy"], j["train"]["correct"], j["train"]["sentences"]))
print("test_accuracy %.4f (%d of %d)" % (j["test"]["accuracy"], j["test"]["correct"], j["test"]["sentences"]))'))" ] \
    && ok "train --threads 3: the same model and scores as one thread" || not_ok "train --threads 3"

# ---- the suffix back-off ----
# vectors with love, mess and congratulations, but not lovely, messing or
# congratulation: with the back-off those borrow, without it they are unknown
printf '%s\n' 'love,0' 'i love you,0' 'what a mess,3' 'congratulations,2' 'so happy,2' 'so sad,3' >"$TMP/bo.csv"
$PY -c 'import random; r = random.Random(3); print("\n".join(w + "".join(" %.4f" % r.gauss(0, 1) for _ in range(8))
    for w in "love mess congratulations i you what a so happy sad".split()))' >"$TMP/bo.vec"
printf 'lovely 9 9 9 9 9 9 9 9\n' >"$TMP/bo_lovely.vec" # only for the -v of predict below
$S emojify train "$TMP/bo.csv" -v "$TMP/bo.vec" -o "$TMP/bo.st" --arch v1 --epochs 5 --verbose >/dev/null 2>"$TMP/bo.err"
$S emojify -m "$TMP/bo.st" --json --verbose "a lovely messing" "congratulation" >"$TMP/bo.out" 2>"$TMP/bo.err2"
grep -q "'lovely' has no vector; it borrows that of 'love'" "$TMP/bo.err2" && grep -q "'messing' has no vector; it borrows that of 'mess'" "$TMP/bo.err2" \
    && grep -q "'congratulation' has no vector; it borrows that of 'congratulations'" "$TMP/bo.err2" \
    && $PY -c 'import json,sys; js=[json.loads(l) for l in open(sys.argv[1])]; assert [j["unknown"] for j in js] == [0, 0], js' "$TMP/bo.out" \
    && ok "backoff suffix: lovely, messing, congratulation borrow from love, mess, congratulations (from the model's rows)" \
    || not_ok "backoff suffix: $(cat "$TMP/bo.err2" "$TMP/bo.out")"
$S emojify -m "$TMP/bo.st" -v "$TMP/bo_lovely.vec" --top 1 --label "lovely" >"$TMP/bo.v" 2>&1
$S emojify -m "$TMP/bo.st" --top 1 --label "love" >"$TMP/bo.l" 2>&1
cmp -s "$TMP/bo.v" "$TMP/bo.l" && not_ok "a word's own vector in -v must win over a borrowed one" \
    || ok "a word's own vector (in -v) comes before any borrowing"
$S emojify train "$TMP/bo.csv" -v "$TMP/bo.vec" -o "$TMP/bo0.st" --arch v1 --epochs 5 --backoff none -q >/dev/null
$S emojify -m "$TMP/bo0.st" --json "a lovely messing" >"$TMP/bo0.out" 2>/dev/null
$PY -c 'import json,sys; j=json.loads(open(sys.argv[1]).read()); assert j["unknown"] == 2, j' "$TMP/bo0.out" \
    && $PY tests/safetensors_check.py "$TMP/bo0.st" >/dev/null 2>&1 && grep -aq '"emojify.backoff":"none"' "$TMP/bo0.st" \
    && ok "backoff none: the model keeps it, and lovely and messing stay unknown" || not_ok "backoff none: $(cat "$TMP/bo0.out")"

# ---- predict ----
$S emojify -m "$M1" "we had pizza for dinner" "the team won the game" >"$TMP/p1" 2>"$TMP/err"
[ "$(sed -n 1p "$TMP/p1")" = "we had pizza for dinner 🍴" ] && [ "$(sed -n 2p "$TMP/p1")" = "the team won the game ⚾" ] \
    && [ ! -s "$TMP/err" ] && ok "predict: each argument with its emoji" || not_ok "predict: $(cat "$TMP/p1" "$TMP/err")"
cut -d, -f1 "$TEST" >"$TMP/sentences"
$S emojify -m "$M1" <"$TMP/sentences" >"$TMP/p_stdin"
$S emojify predict -m "$M1" - <"$TMP/sentences" >"$TMP/p_dash"
$S emojify -m "$M1" - <"$TMP/sentences" >"$TMP/p_dash2"
mapfile -t args <"$TMP/sentences"
$S emojify predict -m "$M1" "${args[@]}" >"$TMP/p_args"
cmp -s "$TMP/p_stdin" "$TMP/p_args" && cmp -s "$TMP/p_stdin" "$TMP/p_dash" && cmp -s "$TMP/p_stdin" "$TMP/p_dash2" \
    && [ "$(wc -l <"$TMP/p_stdin")" -eq 115 ] \
    && ok "predict: standard input, '-' (with and without the action) and arguments give the same 115 lines" \
    || not_ok "predict stdin vs arguments"
for i in 1 2 3 4 5 6 7 8; do cat "$TMP/sentences"; done >"$TMP/sentences8" # 920 lines, several batches
$S emojify -m "$M2" --top 5 <"$TMP/sentences8" >"$TMP/t1"
$S emojify -m "$M2" --top 5 --threads 3 <"$TMP/sentences8" >"$TMP/t3"
$S emojify eval "$TEST" -m "$M2" --threads 2 -q >"$TMP/e2"
$S emojify eval "$TEST" -m "$M2" -q >"$TMP/e1"
cmp -s "$TMP/t1" "$TMP/t3" && cmp -s "$TMP/e1" "$TMP/e2" && [ "$(wc -l <"$TMP/t3")" -eq 920 ] \
    && ok "predict --threads 3 and eval --threads 2 print what one thread prints" || not_ok "--threads changes the output"
expect_error 2 "--threads 0" $S emojify --threads 0 hello
$S emojify -m "$M1" --label <"$TMP/sentences" >"$TMP/labels"
right=$(paste -d, "$TEST" "$TMP/labels" | awk -F, '$2 == $3' | wc -l)
$S emojify eval "$TEST" -m "$M1" --json -q >"$TMP/eval1"
$S emojify eval "$TEST" -m "$M1" -v "$V" --json -q >"$TMP/eval1v"
$PY - "$TMP/eval1" "$right" "$TMP/eval1v" "$TMP/sum1" <<'PYEOF' && ok "eval --json agrees with predict --label, and (with -v) with train --test" || not_ok "eval vs predict"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["correct"] == int(sys.argv[2]), (j["correct"], sys.argv[2])
for c in j["classes"]:
    k = c["class"]
    assert c["support"] == sum(j["confusion"][k]) and c["predicted"] == sum(r[k] for r in j["confusion"])
jv = json.load(open(sys.argv[3]))
train_line = [l for l in open(sys.argv[4]) if l.startswith("test_accuracy")][0]
assert "(%d of 115)" % jv["correct"] in train_line, (jv["correct"], train_line)
PYEOF
$S emojify eval "$TEST" -m "$M1" -q >"$TMP/eval_text"
grep -qE '^test_accuracy [0-9.]+ \([0-9]+ of 115\)$' "$TMP/eval_text" && grep -q "^class precision recall support emoji" "$TMP/eval_text" \
    && [ "$(grep -cE '^ +[0-4] +[01]\.[0-9]{4} [01]\.[0-9]{4} +[0-9]+ ' "$TMP/eval_text")" -eq 5 ] \
    && [ "$(grep -cE '^ +[0-4]( +[0-9]+){5}$' "$TMP/eval_text")" -eq 5 ] && ok "eval: accuracy, per-class precision and recall, confusion" \
    || not_ok "eval text: $(head -3 "$TMP/eval_text")"
$S emojify -m "$M2" --top 5 --json "we had pizza for dinner" | $PY -c '
import json, sys
j = json.loads(sys.stdin.read())
p = [t["p"] for t in j["top"]]
assert len(p) == 5 and p == sorted(p, reverse=True) and abs(sum(p) - 1) < 1e-5
assert j["top"][0]["class"] == j["class"] and j["top"][0]["emoji"] == j["emoji"] and j["words"] == 5' \
    && ok "--top 5 --json: every class, sorted, summing to 1" || not_ok "--top --json"
$S emojify -m "$M2" --top 2 "we had pizza for dinner" \
    | awk -F'\t' 'NF == 3 && $1 == "we had pizza for dinner" && $2 ~ /^[^ ]+ [01]\.[0-9][0-9][0-9][0-9]$/ && $3 ~ /^[^ ]+ [01]\.[0-9][0-9][0-9][0-9]$/ {n++} END {exit n != 1}' \
    && ok "--top 2: the sentence, then two 'emoji probability' fields" || not_ok "--top 2 text"
$S emojify -m "$M2" --top 2 --label "we had pizza for dinner" | grep -qE "^[0-4] [01]\.[0-9]{4}$(printf '\t')[0-4] [01]\.[0-9]{4}$" \
    && ok "--top 2 --label: 'class probability' fields" || not_ok "--top 2 --label"

# ---- padding: alone or beside a much longer sentence, the same numbers ----
long=$(for i in $(seq 60); do printf 'the team won the game and we had pizza for dinner '; done)
for m in v1 v2; do
    mf=$TMP/$m.safetensors
    $S emojify -m "$mf" --top 5 --json "i love my dog" >"$TMP/alone"
    printf '%s\ni love my dog\nwe lost\n' "$long" >"$TMP/batch.txt" # a file: one block, one batch
    $S emojify -m "$mf" --top 5 --json <"$TMP/batch.txt" >"$TMP/batch"
    $PY - "$TMP/alone" "$TMP/batch" <<'PYEOF' && ok "$m: a sentence alone and inside a batch with one of 600 words: the same probabilities (1e-6)" \
        || not_ok "$m: padding changed a prediction"
import json, sys
a = json.loads(open(sys.argv[1]).read())
b = [json.loads(l) for l in open(sys.argv[2])][1]
pa = {t["class"]: t["p"] for t in a["top"]}
pb = {t["class"]: t["p"] for t in b["top"]}
assert b["text"] == "i love my dog" and b["words"] == 4
assert max(abs(pa[k] - pb[k]) for k in pa) <= 1e-6, (pa, pb)
PYEOF
done

# ---- words outside the model: -v, no known word, --verbose ----
$S emojify -m "$M1" "feast" >"$TMP/out" 2>"$TMP/err"
def=$(sed 's/^feast //' "$TMP/out")
[ "$(wc -l <"$TMP/out")" -eq 1 ] && [ -n "$def" ] && grep -q "argument 1: no word with a vector; gave the most frequent class" "$TMP/err" \
    && ok "no known word: the sentence with the most frequent class, and a note on stderr" || not_ok "no known word: $(cat "$TMP/out" "$TMP/err")"
$S emojify -m "$M1" -q "feast" 2>"$TMP/err" >/dev/null; [ ! -s "$TMP/err" ] && ok "-q silences the note" || not_ok "-q"
[ "$($S emojify -m "$M1" -v "$V" "feast")" = "feast 🍴" ] && ok "-v: a word only the vectors know (feast) is read" \
    || not_ok "-v fallback: $($S emojify -m "$M1" -v "$V" feast 2>&1)"
[ "$(SEQTOOL_VECTORS=$V $S emojify -m "$M1" "feast")" = "feast 🍴" ] && ok "\$SEQTOOL_VECTORS stands for -v" || not_ok "SEQTOOL_VECTORS"
$S emojify -m "$M2" -v "$V" --verbose "a feast of zzyzx and qqq" >/dev/null 2>"$TMP/err"
grep -q "argument 1: 2 of 6 word(s) without a vector: zzyzx, qqq" "$TMP/err" && grep -q "1 sentence(s), 6 word(s), 2 without a vector" "$TMP/err" \
    && ok "--verbose names the words without a vector and counts them" || not_ok "--verbose: $(cat "$TMP/err")"
printf '\n' | $S emojify -m "$M2" -q >"$TMP/out"; [ "$(wc -l <"$TMP/out")" -eq 1 ] && ok "an empty line gets a line too" || not_ok "empty line"
printf 'caf\xe9 dinner\n' | $S emojify -m "$M1" >"$TMP/out" 2>"$TMP/err"; rc=$?
[ $rc -eq 0 ] && [ "$(wc -l <"$TMP/out")" -eq 1 ] && grep -q "line 1: not valid UTF-8" "$TMP/err" \
    && ok "predict: a line that is not UTF-8 is read as it is, with a warning" || not_ok "predict non-UTF-8 ($rc)"
printf 'caf\xe9 dinner\n' | $S emojify -m "$M1" --json -q | $PY -c '
import json, sys; assert json.loads(sys.stdin.buffer.read().decode("utf-8"))["text"] == "caf\ufffd dinner"' \
    && ok "predict --json: a byte that is not UTF-8 becomes U+FFFD in the text field" || not_ok "--json non-UTF-8"
$S emojify -m "$M1" --label -v "$V" "we ate a feast" | grep -qx 4 && ok "--label prints the class number" || not_ok "--label"

# ---- other classes: --labels, --emoji ----
printf 'the sun is out,0\nwhat a lovely day,0\nit is raining again,1\ncold wet and grey,1\n' >"$TMP/weather.csv"
printf '# weather\n☀️ sunny\n\n🌧️ rain\n' >"$TMP/weather.labels"
$PY - "$V" <<'PYEOF' >"$TMP/wvec.txt"
import sys
words = {"sun": 0, "out": 0, "lovely": 0, "day": 0, "bright": 0, "raining": 1, "cold": 1, "wet": 1, "grey": 1, "drizzle": 1}
for w, k in words.items():
    print(w, " ".join("1" if i == k else "0" for i in range(4)))
PYEOF
$S emojify train "$TMP/weather.csv" -v "$TMP/wvec.txt" --labels "$TMP/weather.labels" --arch v1 -o "$TMP/w.safetensors" -q >/dev/null \
    && [ "$($S emojify -m "$TMP/w.safetensors" -v "$TMP/wvec.txt" "bright sun" "drizzle")" = "$(printf 'bright sun ☀️\ndrizzle 🌧️')" ] \
    && ok "--labels FILE: two classes of one's own, their emoji in predictions" || not_ok "--labels"
$S emojify train "$TMP/weather.csv" -v "$TMP/wvec.txt" --emoji S,R -o "$TMP/w2.safetensors" -q >/dev/null \
    && [ "$($S emojify -m "$TMP/w2.safetensors" --label "cold grey")" = 1 ] && [ "$($S emojify -m "$TMP/w2.safetensors" "sun")" = "sun S" ] \
    && ok "--emoji S,R" || not_ok "--emoji"

# ---- CSV forms: BOM, header, CRLF, quotes with commas, extra fields ----
printf '\xef\xbb\xbfsentence,label\r\n"the sun, at last",0\r\nit is raining again,1,,\r\n"cold, wet and ""grey""",1\r\nwhat a lovely day,0\r\n' >"$TMP/forms.csv"
$S emojify train "$TMP/forms.csv" -v "$TMP/wvec.txt" --emoji S,R --arch v1 -o "$TMP/w3.safetensors" -q --json \
    | $PY -c 'import json, sys; j = json.load(sys.stdin); assert j["train"]["sentences"] == 4 and j["train"]["correct"] == 4' \
    && ok "CSV: BOM, header, CRLF, quoted commas and quotes, extra fields" || not_ok "CSV forms"

# ---- bad input: one line on stderr, exit 1 ----
: >"$TMP/empty.csv"
printf 'sentence,label\n' >"$TMP/header.csv"
printf 'i love you,0\nlet us eat,9\n' >"$TMP/range.csv"
printf 'i love you,0\n,3\n' >"$TMP/nosentence.csv"
printf 'i love you,0\ncaf\xe9 time,4\n' >"$TMP/latin1.csv"
printf 'i love you,0\n"open quote,2\n' >"$TMP/quote.csv"
printf 'i love you,0\njust words\n' >"$TMP/nolabel.csv"
expect_error 1 "an empty CSV" $S emojify train "$TMP/empty.csv" -v "$V" -o "$TMP/x"
expect_error 1 "a header-only CSV" $S emojify train "$TMP/header.csv" -v "$V" -o "$TMP/x"
expect_error 1 "a label out of range" $S emojify train "$TMP/range.csv" -v "$V" -o "$TMP/x"
expect_error 1 "a row with no sentence" $S emojify train "$TMP/nosentence.csv" -v "$V" -o "$TMP/x"
expect_error 1 "a non-UTF-8 byte" $S emojify train "$TMP/latin1.csv" -v "$V" -o "$TMP/x"
expect_error 1 "a quote left open" $S emojify train "$TMP/quote.csv" -v "$V" -o "$TMP/x"
expect_error 1 "a row with no label" $S emojify train "$TMP/nolabel.csv" -v "$V" -o "$TMP/x"
expect_error 1 "eval: a label out of range" $S emojify eval "$TMP/range.csv" -m "$M1"
expect_error 1 "eval: an empty CSV" $S emojify eval "$TMP/empty.csv" -m "$M1"
grep -q "line 2: label 9 is out of range (0 to 4)" <(sh -c "$S emojify train '$TMP/range.csv' -v '$V' -o '$TMP/x'" 2>&1) \
    && ok "the error names the line and the range" || not_ok "label out of range message"
expect_error 1 "a missing CSV" $S emojify train "$TMP/nonexistent.csv" -v "$V" -o "$TMP/x"
expect_error 1 "missing vectors" $S emojify train "$TRAIN" -v "$TMP/nonexistent.txt" -o "$TMP/x"
# no vectors at all: a copy of the binary away from its tree, none installed
mkdir -p "$TMP/lone" && cp "$(realpath "$S")" "$TMP/lone/seqtool"
if [ -e /usr/local/share/seqtool/w2v/vectors.safetensors ]; then
    echo "skip - no vectors at all: /usr/local/share/seqtool has installed vectors"
else
    (cd "$TMP/lone" && env -u SEQTOOL_VECTORS ./seqtool emojify train "$OLDPWD/$TRAIN" -o x >/dev/null 2>err)
    grep -q "name the vectors with -v FILE or SEQTOOL_VECTORS" "$TMP/lone/err" && ok "no vectors at all: the message says how to name them" \
        || not_ok "default vectors message: $(cat "$TMP/lone/err")"
fi
expect_error 1 "a missing model" $S emojify -m "$TMP/nonexistent.safetensors" hello
head -c 300 "$M1" >"$TMP/trunc.safetensors"
expect_error 1 "a truncated model" $S emojify -m "$TMP/trunc.safetensors" hello
$S dinos train datasets/dinos.txt --hidden 4 --iters 1 -o "$TMP/dinos.safetensors" -q >/dev/null 2>&1
expect_error 1 "a model of another kind" $S emojify -m "$TMP/dinos.safetensors" hello
expect_error 1 "vectors of another dimension than the model's" $S emojify -m "$M1" -v "$TMP/wvec.txt" hello
printf 'X\n' >"$TMP/one.labels"
expect_error 1 "a label file of one class" $S emojify train "$TMP/weather.csv" -v "$TMP/wvec.txt" --labels "$TMP/one.labels" -o "$TMP/x"
printf 'zzz qqq,0\nxxx,1\n' >"$TMP/unknown.csv"
expect_error 1 "no training sentence with a known word" $S emojify train "$TMP/unknown.csv" -v "$TMP/wvec.txt" --emoji S,R -o "$TMP/x" -q
expect_error 1 "an unwritable model path" $S emojify train "$TMP/weather.csv" -v "$TMP/wvec.txt" --emoji S,R -o "$TMP/no/such/dir/m" -q
expect_error 1 "a full disk on stdout" sh -c "$S emojify -m '$M1' <'$TMP/sentences' >/dev/full"

# ---- interrupted training keeps the work ----
interrupted 1 $S emojify train "$TRAIN" -v "$V" --epochs 100000 --hidden 16 -o "$TMP/int.safetensors" -q 2>"$TMP/err" >/dev/null
rc=$?
[ $rc -eq 130 ] && grep -q "interrupted" "$TMP/err" && $S emojify -m "$TMP/int.safetensors" hello >/dev/null 2>&1 \
    && ok "Ctrl-C saves the model so far, exit 130" || not_ok "interrupt: rc $rc, $(cat "$TMP/err")"

# (the man pages keep step with the option table: tests/cli/manners.sh)

# ---- the course's split with GloVe (when ../shared is present) ----
GLOVE=$SHARED/vectors/glove.6B.50d.subset.txt
COURSE=$SHARED/course/emojify
if [ -f "$GLOVE" ] && [ -f "$COURSE/train_emoji.csv" ] && [ -f "$COURSE/tesss.csv" ]; then
    for m in v1 v2; do
        # seed 1 gets 47 (v1) and 48 (v2, 48-51 over seeds 1-5; the issue
        # asks a median of 48); the bounds guard against regressions
        case $m in v1) want=46 ;; v2) want=47 ;; esac
        $S emojify train "$COURSE/train_emoji.csv" -v "$GLOVE" --test "$COURSE/tesss.csv" --arch $m -o "$TMP/c$m.safetensors" -q --json >"$TMP/c$m.json"
        got=$($PY -c 'import json, sys; print(json.load(open(sys.argv[1]))["test"]["correct"])' "$TMP/c$m.json" 2>/dev/null)
        [ -n "$got" ] && [ "$got" -ge $want ] && ok "course split, GloVe subset, $m seed 1: $got/56 test sentences (>= $want)" \
            || not_ok "course split, $m: ${got:-no result}/56 (want >= $want)"
    done
    printf 'let us grab lunch\n' | $S emojify -m "$TMP/cv2.safetensors" -v "$GLOVE" | grep -q '🍴$' \
        && ok "course V2 with -v GloVe: 'let us grab lunch' gets 🍴" || not_ok "course V2: lunch"
else
    echo "skip - course split: $GLOVE or $COURSE/{train_emoji,tesss}.csv not present"
fi
