#!/usr/bin/env bash
# CLI tests of the 8-bit safetensors form of word vectors (`seqtool w2v
# convert --int8`): its layout read back in Python, its values against
# float32, queries on it, and how the vectors were made carried through
# the conversion.
cd "$(dirname "$0")/../.." || exit 1
. tests/cli/lib.sh
S=$SEQTOOL
V=tests/data/w2v-small.txt

$S w2v convert "$V" -o "$TMP/f32.safetensors" -q && $S w2v convert "$V" --int8 -o "$TMP/i8.safetensors" 2>"$TMP/err" \
    && grep -q "wrote 34 vectors of 8 (safetensors, 8-bit rows)" "$TMP/err" \
    && ok "convert --int8 writes 8-bit rows and says so" || not_ok "convert --int8: $(cat "$TMP/err")"
[ "$($S w2v info "$TMP/i8.safetensors" | head -1)" = "$TMP/i8.safetensors: 34 words, 8 dimensions, safetensors (8-bit rows)" ] \
    && $S w2v info --json "$TMP/i8.safetensors" | $PY -c 'import json, sys; j = json.loads(sys.stdin.read()); assert j["int8"] is True and j["words"] == 34, j' \
    && $S w2v info --json "$TMP/f32.safetensors" | $PY -c 'import json, sys; j = json.loads(sys.stdin.read()); assert j["int8"] is False, j' \
    && ok "info: '(8-bit rows)', and int8 true or false in --json" || not_ok "info of the 8-bit form"
$PY tests/safetensors_check.py "$TMP/i8.safetensors" >"$TMP/chk" 2>&1 && ok "the 8-bit file meets the safetensors spec (I8 vectors, F32 scales)" \
    || not_ok "safetensors_check: $(tail -2 "$TMP/chk")"
# Python reads I8 x scale; that is what seqtool reads, value for value,
# and each is within half a step (max |x| / 127 / 2) of the text's.
$S w2v convert "$TMP/i8.safetensors" -o "$TMP/back.txt" -q
$PY - "$TMP/i8.safetensors" "$TMP/back.txt" "$V" <<'PYEOF' && ok "8-bit values as Python reads them (I8 x scale), within half a step of the originals" || not_ok "8-bit values"
import json, struct, sys
raw = open(sys.argv[1], "rb").read()
n = struct.unpack("<Q", raw[:8])[0]
h = json.loads(raw[8:8 + n]); data = raw[8 + n:]
rows, dim = h["vectors"]["shape"]
b, e = h["vectors"]["data_offsets"]; q = struct.unpack("<%db" % (e - b), data[b:e])
b, e = h["scales"]["data_offsets"]; s = struct.unpack("<%df" % rows, data[b:e])
f32 = lambda x: struct.unpack("<f", struct.pack("<f", x))[0]
back = [l.split() for l in open(sys.argv[2], encoding="utf-8")]
orig = [l.split() for l in open(sys.argv[3], encoding="utf-8")]
assert len(back) == rows == len(orig)
for i in range(rows):
    m = max(abs(float(x)) for x in orig[i][1:])
    for k in range(dim):
        got = float(back[i][k + 1])
        assert f32(got) == f32(q[i * dim + k] * s[i]), (i, k, got, q[i * dim + k], s[i])
        assert abs(got - float(orig[i][k + 1])) <= m / 127 / 2 * 1.0001, (i, k)
PYEOF
a=$($S w2v similarity -v "$TMP/f32.safetensors" man woman) b=$($S w2v similarity -v "$TMP/i8.safetensors" man woman)
awk -v a="$a" -v b="$b" 'BEGIN { d = a - b; exit !(d < 0.01 && d > -0.01) }' \
    && ok "similarity man woman: $b on 8-bit rows, $a on float32" || not_ok "similarity: $a vs $b"
[ "$($S w2v nearest -v "$TMP/f32.safetensors" king -k 3 | cut -f1 -d' ')" = "$($S w2v nearest -v "$TMP/i8.safetensors" king -k 3 | cut -f1 -d' ')" ] \
    && ok "nearest king -k 3: the same words on 8-bit rows" || not_ok "nearest on 8-bit rows"
[ "$(stat -c %s "$TMP/i8.safetensors")" -lt "$(stat -c %s "$TMP/f32.safetensors")" ] && ok "the 8-bit file is the smaller" || not_ok "8-bit size"

# how the vectors were made goes through convert, which adds itself
printf 'the king and the queen\nthe man and the woman\n' >"$TMP/c.txt"
$S w2v train "$TMP/c.txt" --min-count 1 --dim 4 --epochs 1 --seed 3 -o "$TMP/t.safetensors" -q
$S w2v convert "$TMP/t.safetensors" --int8 -o "$TMP/t8.safetensors" -q
$S w2v info "$TMP/t8.safetensors" >"$TMP/info"
grep -q "^command seqtool w2v train $TMP/c.txt --min-count 1 " "$TMP/info" && grep -qx "seed 3" "$TMP/info" \
    && grep -qx "convert seqtool w2v convert $TMP/t.safetensors --int8 -o $TMP/t8.safetensors -q" "$TMP/info" \
    && ok "convert keeps train's command, seed and data, and records its own command" || not_ok "provenance through convert: $(cat "$TMP/info")"
expect_error 2 "--int8 to a text format" $S w2v convert "$V" --int8 -o "$TMP/x.txt"
expect_error 2 "--int8 is convert's" $S w2v train "$TMP/c.txt" --int8 -o "$TMP/x.safetensors"
