#!/usr/bin/env bash
# Out of the box: every command answers with the models the project
# ships, with no model option and no environment, from a folder that holds
# nothing (so no ./dinos.safetensors, ./vectors.safetensors, ...), and the
# answers are sane: ten names, a known analogy, a known emoji, a date.
# Then the order in which defaults are found: a file in the current folder,
# then the shipped one; the environment before both.
cd "$(dirname "$0")/../.." || exit 1
. tests/cli/lib.sh
ABS=$(realpath "$SEQTOOL")
EMPTY=$TMP/empty
mkdir -p "$EMPTY"
# in EMPTY, with none of the variables that name models or vectors
fresh() { (cd "$EMPTY" && env -u SEQTOOL_VECTORS -u SEQTOOL_DINOS_MODEL -u SEQTOOL_NMT_MODEL \
    -u SEQTOOL_EMOJIFY_MODEL "$ABS" "$@"); }

# ---- each command, no model option ----
fresh dinos sample >"$TMP/names" 2>"$TMP/err"; rc=$?
[ $rc -eq 0 ] && [ ! -s "$TMP/err" ] && [ "$(grep -cxE '[A-Z][a-z]{2,}' "$TMP/names")" -eq 10 ] \
    && ok "dinos sample: ten names ($(head -3 "$TMP/names" | tr '\n' ' '))" || not_ok "dinos sample ($rc): $(head -2 "$TMP/err")"
[ "$(fresh w2v analogy man woman king 2>&1 | cut -d' ' -f1)" = "queen" ] && ok "w2v analogy man woman king: queen" \
    || not_ok "w2v analogy: $(fresh w2v analogy man woman king 2>&1)"
fresh w2v similarity king queen >"$TMP/sim" 2>&1 && awk '{ exit !($1 > 0.5 && $1 < 1) }' "$TMP/sim" \
    && ok "w2v similarity king queen: $(cat "$TMP/sim")" || not_ok "w2v similarity: $(cat "$TMP/sim")"
fresh w2v nearest france -k 5 >"$TMP/near" 2>&1 && grep -qw italy "$TMP/near" && grep -qw spain "$TMP/near" \
    && ok "w2v nearest france -k 5 has italy and spain" || not_ok "w2v nearest france: $(cat "$TMP/near")"
# bare `seqtool emojify` prints its usage (the manners of every command):
# predict is named, or comes first when the first word is an option
[ "$(echo "let's grab lunch" | fresh emojify predict 2>&1)" = "let's grab lunch 🍴" ] \
    && ok "echo \"let's grab lunch\" | emojify predict: 🍴" || not_ok "emojify lunch: $(echo "let's grab lunch" | fresh emojify predict 2>&1)"
[ "$(fresh emojify predict "I love you" 2>&1)" = "I love you ❤️" ] && [ "$(fresh emojify --top 1 "we won the baseball game" 2>&1)" = "we won the baseball game	⚾ 1.0000" ] \
    && ok "emojify: I love you ❤️; --top 1 (predict by default): the baseball game ⚾" \
    || not_ok "emojify: $(fresh emojify predict "I love you" 2>&1) / $(fresh emojify --top 1 "we won the baseball game" 2>&1)"
fresh emojify eval "$(realpath datasets/emojify/test.csv)" --json -q | $PY -c '
import json, sys; j = json.loads(sys.stdin.read()); assert j["correct"] == 99 and j["sentences"] == 115, j' \
    && ok "emojify eval: the shipped model gets 99 of the 115 test sentences, as datasets/emojify/README.md says" || not_ok "emojify eval"
[ "$(fresh nmt translate "3 May 1979" 2>&1)" = 1979-05-03 ] && ok "nmt translate '3 May 1979': 1979-05-03" \
    || not_ok "nmt translate: $(fresh nmt translate "3 May 1979" 2>&1)"

# ---- the shipped files and how they were made ----
fresh w2v info >"$TMP/info" 2>&1 && head -1 "$TMP/info" | grep -q "datasets/w2v/vectors.safetensors: 47948 words, 100 dimensions, safetensors (8-bit rows)$" \
    && grep -q "^command seqtool w2v train datasets/w2v/corpus.txt .*--seed 1 " "$TMP/info" && grep -q "^convert seqtool w2v convert .* --int8 " "$TMP/info" \
    && ok "w2v info: the shipped vectors, 47948 x 100 in 8-bit rows, trained and converted by seqtool" || not_ok "w2v info: $(head -3 "$TMP/info")"
fresh emojify info >"$TMP/info" 2>&1 && head -1 "$TMP/info" | grep -q "datasets/emojify/emojify.safetensors: v2: two LSTMs of 128 units over 100-dimensional vectors" \
    && grep -q "^vectors datasets/w2v/vectors.safetensors (" "$TMP/info" && grep -q "^command seqtool emojify train datasets/emojify/train.csv " "$TMP/info" \
    && ok "emojify info: the shipped model, trained over the shipped vectors" || not_ok "emojify info: $(head -3 "$TMP/info")"
for m in dinos/dinos nmt/dates w2v/vectors emojify/emojify; do
    $PY tests/safetensors_check.py "datasets/$m.safetensors" >"$TMP/chk" 2>&1 && ok "datasets/$m.safetensors meets the safetensors spec" \
        || not_ok "datasets/$m.safetensors: $(tail -2 "$TMP/chk")"
done

# ---- which vectors: SEQTOOL_VECTORS, ./vectors.safetensors, the shipped ----
printf 'king 1 0\nqueen 0 1\nman 1 1\n' >"$TMP/tiny.txt"
$SEQTOOL w2v convert "$TMP/tiny.txt" -o "$EMPTY/vectors.safetensors" -q
[ "$(fresh w2v similarity king queen)" = "0.00000000" ] && ok "w2v: ./vectors.safetensors comes before the shipped vectors" \
    || not_ok "w2v: ./vectors.safetensors not read: $(fresh w2v similarity king queen 2>&1)"
SHIPPED_VECTORS=$(realpath datasets/w2v/vectors.safetensors)
[ "$(cd "$EMPTY" && SEQTOOL_VECTORS=$SHIPPED_VECTORS "$ABS" w2v analogy man woman king | cut -d' ' -f1)" = queen ] \
    && ok "w2v: \$SEQTOOL_VECTORS comes before ./vectors.safetensors" || not_ok "SEQTOOL_VECTORS before ./vectors.safetensors"
rm -f "$EMPTY/vectors.safetensors"

# ---- which emoji model, and which vectors for the words it lacks ----
# a model over other vectors (two dimensions): 'banquet' is not among its
# training words, and the shipped vectors are not its own, so it stays
# unknown; the shipped model finds it in the shipped vectors
printf 'i love you,0\nwe play ball,1\nwhat fun,2\nso sad,3\nlunch time,4\n' >"$TMP/t.csv"
printf 'i 1 0\nlove 1 1\nyou 0 1\nwe 1 2\nplay 2 1\nball 2 2\nwhat 0 2\nfun 3 1\nso 1 3\nsad 3 3\nlunch 4 1\ntime 1 4\nbanquet 4 2\n' >"$TMP/t.txt"
$SEQTOOL emojify train "$TMP/t.csv" -v "$TMP/t.txt" --arch v1 --epochs 5 -o "$EMPTY/emojify.safetensors" -q >/dev/null
fresh emojify predict --verbose banquet 2>"$TMP/err" >/dev/null
grep -q "1 without a vector" "$TMP/err" && ok "emojify: ./emojify.safetensors comes first; over other vectors, it does not look words up in the shipped ones" \
    || not_ok "own model: $(cat "$TMP/err")"
(cd "$EMPTY" && env -u SEQTOOL_VECTORS SEQTOOL_EMOJIFY_MODEL="$OLDPWD/datasets/emojify/emojify.safetensors" "$ABS" emojify predict --verbose banquet) \
    >"$TMP/out" 2>"$TMP/err"
[ "$(cat "$TMP/out")" = "banquet 🍴" ] && grep -q "0 without a vector" "$TMP/err" \
    && ok "emojify: \$SEQTOOL_EMOJIFY_MODEL comes first; the shipped model finds 'banquet' in the shipped vectors: 🍴" \
    || not_ok "SEQTOOL_EMOJIFY_MODEL: $(cat "$TMP/out" "$TMP/err")"
rm -f "$EMPTY/emojify.safetensors"

# no vectors anywhere: a copy of the binary away from its source tree (so
# no shipped vectors beside it), with none installed: the message says how
# to name vectors
mkdir -p "$TMP/novec" && cp "$ABS" "$TMP/novec/seqtool"
if [ -e /usr/local/share/seqtool/w2v/vectors.safetensors ]; then
    echo "skip - no vectors anywhere: /usr/local/share/seqtool has installed vectors"
else
    expect_error 1 "w2v: neither -v, SEQTOOL_VECTORS, ./vectors.safetensors nor shipped vectors" \
        env -u SEQTOOL_VECTORS sh -c "cd '$TMP/novec' && exec ./seqtool w2v similarity man woman"
    grep -q "name the vectors with -v FILE or SEQTOOL_VECTORS" "$TMP/err" && ok "... the message says how to name them" \
        || not_ok "no vectors message: $(cat "$TMP/err")"
fi
