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
[ "$(fresh nmt translate "3 May 1979" 2>&1)" = 1979-05-03 ] && ok "nmt translate '3 May 1979': 1979-05-03" \
    || not_ok "nmt translate: $(fresh nmt translate "3 May 1979" 2>&1)"

# ---- the shipped files and how they were made ----
fresh w2v info >"$TMP/info" 2>&1 && head -1 "$TMP/info" | grep -q "datasets/w2v/vectors.safetensors: 47948 words, 100 dimensions, safetensors (8-bit rows)$" \
    && grep -q "^command seqtool w2v train datasets/w2v/corpus.txt .*--seed 1 " "$TMP/info" && grep -q "^convert seqtool w2v convert .* --int8 " "$TMP/info" \
    && ok "w2v info: the shipped vectors, 47948 x 100 in 8-bit rows, trained and converted by seqtool" || not_ok "w2v info: $(head -3 "$TMP/info")"
for m in dinos/dinos nmt/dates w2v/vectors; do
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
