#!/usr/bin/python3
"""Check a seqtool model file against the published safetensors layout.

usage: safetensors_check.py [--no-crc] FILE

Checks: 8-byte little-endian header length N within the file; the N header
bytes are UTF-8 JSON (trailing spaces allowed) holding an object; optional
"__metadata__" maps strings to strings; every tensor has dtype F32 (or, in
vector files, U8, U32, U64, or I8 for 8-bit vectors with their F32 scales;
in emojify models, U8 for the word list), a shape of non-negative integers and
data_offsets [begin, end] with end - begin == itemsize * prod(shape); taken in header order the tensors are
contiguous (the first begins at 0, each begins where the previous ended), so
they cover the whole data section with no gap or overlap; metadata
"seqtool.crc32" (8 lower-case hex digits) equals zlib.crc32 of the data
section (skip with --no-crc, e.g. for gradump output). For seqtool.kind
"dinos", the dinos.* metadata and the model tensors' names and shapes are
checked too; for "vectors", the word index (offsets, NUL-terminated UTF-8
words, and every word found by FNV-1a 64 with linear probing). Prints every tensor's name, shape and first values; exits 1 on
any problem.
"""
import json
import math
import re
import struct
import sys
import zlib


def check(path, want_crc=True):
    problems = []

    def bad(msg):
        problems.append(msg)
        print("FAIL " + msg)

    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 8:
        bad("file is %d bytes, shorter than the 8-byte header length"
            % len(raw))
        return problems
    (n,) = struct.unpack("<Q", raw[:8])
    if 8 + n > len(raw):
        bad("header length %d runs past the end of the %d-byte file"
            % (n, len(raw)))
        return problems
    print("header: %d bytes; data section: %d bytes" % (n, len(raw) - 8 - n))
    try:
        text = raw[8:8 + n].decode("utf-8")
        if not text.startswith("{"):
            raise ValueError("does not start with '{'")
        header = json.loads(text.rstrip(" "))
        if not isinstance(header, dict):
            raise ValueError("not a JSON object")
    except ValueError as e:
        bad("header is not valid JSON: %s" % e)
        return problems
    data = raw[8 + n:]
    meta = header.pop("__metadata__", {})
    if not isinstance(meta, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in meta.items()):
        bad("__metadata__ is not a map of strings to strings")
        meta = {}
    for k, v in sorted(meta.items()):
        shown = json.dumps(v)
        if len(shown) > 100:
            shown = "%s... (%d characters)" % (shown[:80], len(v))
        print("metadata %s = %s" % (k, shown))

    kind = meta.get("seqtool.kind")
    pos = 0
    shapes = {}
    spans = {}
    for name, info in header.items():
        if not isinstance(info, dict):
            bad("%s: entry is not an object" % name)
            continue
        dtype, shape, offs = (info.get("dtype"), info.get("shape"),
                              info.get("data_offsets"))
        itemsize = {"F32": 4, "U8": 1, "I8": 1, "U32": 4, "U64": 8}.get(dtype)
        if itemsize is None or (dtype != "F32" and kind != "vectors" and
                                not (kind == "emojify" and dtype == "U8")):
            bad("%s: dtype %r, expected 'F32'" % (name, dtype))
            itemsize = 4
        if (not isinstance(shape, list) or not all(
                isinstance(d, int) and not isinstance(d, bool) and d >= 0
                for d in shape)):
            bad("%s: shape %r is not a list of non-negative integers"
                % (name, shape))
            continue
        if (not isinstance(offs, list) or len(offs) != 2 or not all(
                isinstance(o, int) and not isinstance(o, bool) for o in offs)):
            bad("%s: data_offsets %r is not [begin, end]" % (name, offs))
            continue
        b, e = offs
        count = 1
        for d in shape:
            count *= d
        if e - b != itemsize * count:
            bad("%s: shape %r needs %d bytes, data_offsets %r hold %d"
                % (name, shape, itemsize * count, offs, e - b))
        if b != pos:
            bad("%s: begins at %d, expected %d (%s)"
                % (name, b, pos, "gap" if b > pos else "overlap or out of "
                   "order"))
        if e < b or e > len(data):
            bad("%s: data_offsets %r outside the %d-byte data section"
                % (name, offs, len(data)))
            continue
        pos = max(pos, e)
        shapes[name] = shape
        spans[name] = (dtype, b, e)
        if dtype == "F32" and e - b == 4 * count:
            vals = struct.unpack_from("<%df" % count, data, b)
            first = " ".join("%.6g" % v for v in vals[:5])
            more = " ..." if count > 5 else ""
            finite = "" if all(map(math.isfinite, vals)) else "  (NON-FINITE)"
            print("%-24s %-12s [%s%s]%s" % (name, "x".join(map(str, shape))
                                            or "scalar", first, more, finite))
    if pos != len(data):
        bad("tensors cover %d bytes, the data section has %d" %
            (pos, len(data)))

    crc = "%08x" % (zlib.crc32(data) & 0xffffffff)
    if want_crc:
        got = meta.get("seqtool.crc32")
        if got is None:
            bad("no seqtool.crc32 in metadata (crc32 of the data is %s)" % crc)
        elif not re.fullmatch(r"[0-9a-f]{8}", got):
            bad("seqtool.crc32 %r is not 8 lower-case hex digits" % got)
        elif got != crc:
            bad("seqtool.crc32 is %s, crc32 of the data section is %s"
                % (got, crc))
        else:
            print("crc32 %s matches" % crc)

    if kind == "dinos":
        check_dinos(meta, shapes, bad)
    if kind == "vectors":
        check_vectors(meta, shapes, spans, data, bad)
    return problems


def fnv1a64(b):
    h = 0xcbf29ce484222325
    for c in b:
        h = ((h ^ c) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def check_vectors(meta, shapes, spans, data, bad):
    want = {"word_offsets": "U64", "hash": "U32", "words": "U8",
            "vectors": "I8" if "scales" in spans else "F32"}
    if "scales" in spans and (spans["scales"][0] != "F32" or shapes["scales"] != shapes["vectors"][:1]):
        bad("scales is not F32 [n] for vectors of %s" % (shapes["vectors"],))
    for name, dtype in want.items():
        if name not in spans or spans[name][0] != dtype:
            bad("vectors file lacks a %s tensor %s" % (dtype, name))
            return
    if meta.get("vectors.hash") != "fnv1a64-linear":
        bad("vectors.hash is %r, expected 'fnv1a64-linear'" % meta.get("vectors.hash"))
    n, dim = shapes["vectors"]
    (nh,) = shapes["hash"]
    _, b, e = spans["word_offsets"]
    offs = struct.unpack_from("<%dQ" % ((e - b) // 8), data, b) if e > b else ()
    _, b, e = spans["hash"]
    table = struct.unpack_from("<%dI" % nh, data, b)
    _, b, e = spans["words"]
    words = data[b:e]
    if len(offs) != n + 1 or offs[0] != 0 or offs[-1] != len(words):
        bad("word_offsets has %d entries from %r to %r, expected %d from 0 "
            "to %d" % (len(offs), offs[:1], offs[-1:], n + 1, len(words)))
        return
    if nh < n + 1 or nh & (nh - 1):
        bad("hash size %d is not a power of two above %d" % (nh, n))
        return
    for i in range(n):
        w = words[offs[i]:offs[i + 1]]
        if not w.endswith(b"\0") or len(w) < 2 or b"\0" in w[:-1]:
            bad("word %d is not one NUL-terminated word" % i)
            return
        w = w[:-1]
        try:
            w.decode("utf-8")
        except UnicodeDecodeError:
            bad("word %d is not UTF-8" % i)
            return
        slot = fnv1a64(w) & (nh - 1)
        while table[slot] != 0 and table[slot] != i + 1:
            slot = (slot + 1) & (nh - 1)
        if table[slot] != i + 1:
            bad("word %d (%r) is not found through the hash" % (i, w))
            return
    if sum(1 for x in table if x) != n:
        bad("hash has %d entries for %d words" % (sum(1 for x in table if x), n))
    print("vectors: %d words of %d dimensions; every word found by its hash"
          % (n, dim))


def check_dinos(meta, shapes, bad):
    for k in ("seqtool.version", "dinos.cell", "dinos.hidden", "dinos.layers",
              "dinos.vocab"):
        if k not in meta:
            bad("dinos model without metadata %s" % k)
            return
    g = {"rnn": 1, "gru": 3, "lstm": 4}.get(meta["dinos.cell"])
    if g is None:
        bad("dinos.cell %r is not rnn, gru or lstm" % meta["dinos.cell"])
        return
    try:
        H, L = int(meta["dinos.hidden"]), int(meta["dinos.layers"])
    except ValueError:
        bad("dinos.hidden / dinos.layers are not integers")
        return
    vocab = meta["dinos.vocab"]
    if not vocab.startswith("\n") or "".join(sorted(set(vocab))) != vocab:
        bad("dinos.vocab %s is not a sorted set of characters starting "
            "with '\\n'" % json.dumps(vocab))
    V = len(vocab)
    want = {}
    for k in range(L):
        want["rnn.weight_ih_l%d" % k] = [g * H, V if k == 0 else H]
        want["rnn.weight_hh_l%d" % k] = [g * H, H]
        want["rnn.bias_ih_l%d" % k] = [g * H]
        if g == 3:
            want["rnn.bias_hh_l%d" % k] = [g * H]
    want["out.weight"] = [V, H]
    want["out.bias"] = [V]
    got = {k: v for k, v in shapes.items() if not k.startswith("optim.")}
    for k in sorted(set(want) | set(got)):
        if k not in got:
            bad("dinos model lacks tensor %s %r" % (k, want[k]))
        elif k not in want:
            bad("unexpected tensor %s in a %s model" % (k, meta["dinos.cell"]))
        elif got[k] != want[k]:
            bad("%s has shape %r, expected %r" % (k, got[k], want[k]))
    print("dinos: cell %s hidden %d layers %d vocab %d symbols; %d model "
          "tensors, %d optimizer tensors" % (
              meta["dinos.cell"], H, L, V, len(got), len(shapes) - len(got)))


def main(argv):
    want_crc = "--no-crc" not in argv
    args = [a for a in argv if a != "--no-crc"]
    if len(args) != 1:
        print("usage: safetensors_check.py [--no-crc] FILE", file=sys.stderr)
        return 2
    try:
        problems = check(args[0], want_crc)
    except OSError as e:
        print("FAIL %s" % e)
        return 1
    print("%s: %s" % (args[0], "ok" if not problems else
                      "%d problem(s)" % len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
