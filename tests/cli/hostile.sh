#!/usr/bin/env bash
# CLI tests of hostile input (issue 16): files whose header or metadata
# claims far more than they hold, weights that are not finite, a vector
# header of 400000 words of 1000000000 values, lines of 100 MB, sparse
# files of 2 GB given as models and vectors.  Each is refused with exit
# status 1 and one line on standard error, and the peak memory of the
# command (GNU time's %M) stays far below what was claimed: under 64 MB,
# when the claims run to gigabytes.
cd "$(dirname "$0")/../.." || exit 1
. tests/cli/lib.sh
S=$SEQTOOL
LIMIT_KB=65536

if [ ! -x /usr/bin/time ]; then
    echo "skip - hostile input: /usr/bin/time (Debian package time) is not installed"
    exit 0
fi

# refuse DESC PATTERN COMMAND: exit 1, one line on stderr holding PATTERN,
# nothing on stdout, peak memory under LIMIT_KB (a pipeline: its largest
# process, which is seqtool)
refuse() {
    local desc=$1 pattern=$2 rc lines kb
    shift 2
    /usr/bin/time -f %M -o "$TMP/rss" sh -c "$1" >"$TMP/out" 2>"$TMP/err" </dev/null
    rc=$?
    kb=$(tail -1 "$TMP/rss")
    lines=$(wc -l <"$TMP/err")
    if [ "$rc" -eq 1 ] && [ "$lines" -eq 1 ] && grep -q "^seqtool.*$pattern" "$TMP/err" && [ ! -s "$TMP/out" ] &&
        [ "$kb" -lt "$LIMIT_KB" ]; then
        ok "$desc: exit 1, $kb kB, '$(head -1 "$TMP/err")'"
    else
        not_ok "$desc: exit $rc, $kb kB (want 1, under $LIMIT_KB), stderr: $(head -3 "$TMP/err" | cut -c1-200 | tr '\n' '|')"
    fi
}

# meta SRC DST KEY VALUE: SRC with one metadata key changed (the data, and
# so its CRC, untouched)
meta() {
    $PY - "$@" <<'PYEOF'
import json, struct, sys
src, dst, key, value = sys.argv[1:5]
raw = open(src, "rb").read()
n = struct.unpack("<Q", raw[:8])[0]
h = json.loads(raw[8:8 + n])
h["__metadata__"][key] = value
j = json.dumps(h, separators=(",", ":")).encode()
j += b" " * (-len(j) % 8)
open(dst, "wb").write(struct.pack("<Q", len(j)) + j + raw[8 + n:])
PYEOF
}

D=datasets
printf 'RIFF' >"$TMP/x.wav"

# ---- models whose metadata claims more than the file holds ----
meta $D/dinos/dinos.safetensors "$TMP/dinos.safetensors" dinos.hidden 8192
refuse "dinos: hidden 8192 in a 2.6 MB model" "file holds at most" "$S dinos sample -m $TMP/dinos.safetensors"
meta $D/nmt/dates.safetensors "$TMP/nmt.safetensors" nmt.n_a 4096
refuse "nmt: 4096 encoder units in a 0.2 MB model" "file holds at most" "$S nmt translate -m $TMP/nmt.safetensors 1/2/2003"
meta $D/emojify/emojify.safetensors "$TMP/emojify.safetensors" emojify.hidden 100000
refuse "emojify: 100000 LSTM units" "file holds at most" "$S emojify predict -m $TMP/emojify.safetensors hello"
meta $D/jazz/wjazzd.safetensors "$TMP/jazz.safetensors" jazz.hidden 8192
refuse "jazz: hidden 8192" "file holds at most" "$S jazz generate -m $TMP/jazz.safetensors -o $TMP/o.mid"
meta $D/trigger/activate.safetensors "$TMP/trigger.safetensors" trigger.arch conv:4096:64:1,gru:2048,dense
refuse "trigger: a network of 48 million weights" "file holds at most" \
    "$S trigger detect -m $TMP/trigger.safetensors $TMP/x.wav"

# ---- a header claiming a tensor of 40 GB; a NaN weight, CRC made right ----
$PY - "$TMP/huge.safetensors" "$D/dinos/dinos.safetensors" "$TMP/nan.safetensors" <<'PYEOF'
import json, struct, sys, zlib
h = {"w": {"dtype": "F32", "shape": [100000, 100000], "data_offsets": [0, 40000000000]},
     "__metadata__": {"seqtool.kind": "dinos", "seqtool.version": "1", "seqtool.crc32": "00000000"}}
j = json.dumps(h).encode()
j += b" " * (-len(j) % 8)
open(sys.argv[1], "wb").write(struct.pack("<Q", len(j)) + j + bytes(16))
raw = bytearray(open(sys.argv[2], "rb").read())
n = struct.unpack("<Q", raw[:8])[0]
h = json.loads(raw[8:8 + n])
name = next(k for k, t in h.items() if k != "__metadata__" and t["dtype"] == "F32")
at = 8 + n + h[name]["data_offsets"][0]
raw[at:at + 4] = struct.pack("<f", float("nan"))
h["__metadata__"]["seqtool.crc32"] = "%08x" % zlib.crc32(bytes(raw[8 + n:]))
j = json.dumps(h, separators=(",", ":")).encode()
j += b" " * (-len(j) % 8)
open(sys.argv[3], "wb").write(struct.pack("<Q", len(j)) + j + bytes(raw[8 + n:]))
PYEOF
refuse "a header claiming a tensor of 40 GB in 16 bytes" "truncated model file" "$S dinos sample -m $TMP/huge.safetensors"
refuse "a NaN weight behind a correct CRC" "not finite" "$S dinos sample -m $TMP/nan.safetensors"

# ---- sparse files of 2 GB: judged by their first bytes ----
if truncate -s 2G "$TMP/sparse.bin" 2>/dev/null; then
    refuse "dinos: a sparse 2 GB file as the model" "not a safetensors" "$S dinos sample -m $TMP/sparse.bin"
    refuse "nmt: a sparse 2 GB file as the model" "not a safetensors" "$S nmt translate -m $TMP/sparse.bin 1/2/2003"
    refuse "emojify: a sparse 2 GB file as the model" "not a safetensors" "$S emojify predict -m $TMP/sparse.bin hi"
    refuse "jazz: a sparse 2 GB file as the model" "not a safetensors" "$S jazz generate -m $TMP/sparse.bin -o $TMP/o.mid"
    refuse "trigger: a sparse 2 GB file as the model" "not a safetensors" "$S trigger detect -m $TMP/sparse.bin $TMP/x.wav"
    refuse "w2v: a sparse 2 GB file as vectors" "NUL byte" "$S w2v nearest -v $TMP/sparse.bin king"
    refuse "emojify: a sparse 2 GB file as vectors" "NUL byte" "$S emojify predict -v $TMP/sparse.bin hi"
    rm -f "$TMP/sparse.bin"
else
    echo "skip - sparse files: truncate -s 2G failed here"
fi

# ---- a vector header of 400000 words of 1000000000 values ----
printf '400000 1000000000\nthe 0.1 0.2\n' >"$TMP/dims.vec"
refuse "w2v: a .vec header of 1000000000 values a word" "more than 100000 values" "$S w2v nearest -v $TMP/dims.vec the"
cp "$TMP/dims.vec" "$TMP/dims.bin"
refuse "w2v: the same header as word2vec binary" "more than 100000 values" \
    "$S w2v nearest -v $TMP/dims.bin --input-format word2vec-bin the"

# ---- lines of 100 MB ----
LINE="head -c 100000000 /dev/zero | tr '\\0' a"
refuse "nmt translate: a line of 100 MB" "line 1: longer than" "$LINE | $S nmt translate"
refuse "w2v nearest: a line of 100 MB" "line 1: longer than" "$LINE | $S w2v nearest"
refuse "emojify predict: a line of 100 MB" "line 1: longer than" "$LINE | $S emojify predict"
refuse "dinos score: a line of 100 MB" "line 1: longer than" "$LINE | $S dinos score"
sh -c "$LINE" >"$TMP/line.txt"
refuse "dinos train: a file of one 100 MB line" "line 1: longer than" "$S dinos train $TMP/line.txt -o $TMP/d.safetensors"
refuse "emojify train: a file of one 100 MB line" "line 1: longer than" \
    "$S emojify train $TMP/line.txt -o $TMP/e.safetensors"
refuse "nmt eval: a file of one 100 MB line" "line 1: longer than" "$S nmt eval $TMP/line.txt"
refuse "w2v: vectors of one 100 MB line" "line 1: a word longer than" "$S w2v nearest -v $TMP/line.txt the"
rm -f "$TMP/line.txt"
