#!/usr/bin/env bash
# CLI tests of seqtool w2v: vector formats and conversions, queries
# (similarity, nearest, analogy, bias) against an independent stdlib-Python
# reference, batch and interactive use, debiasing, the analogy test set,
# training, bad input, usage errors, the man page, and (when
# ../shared/datasets is present) the course's published numbers and a
# question-by-question comparison with gensim (when it is installed).
# Fixtures: tests/data/w2v-small.txt (34 hand-made GloVe vectors of 8
# dimensions, values in shortest round-trip form, 4 non-ASCII words) and
# tests/data/w2v-questions.txt (Google analogy format); the rest is made
# here in $TMP.  Expected numbers come from $TMP/ref.py (float64 over the
# file's float32 values) and are compared at 1e-6.
cd "$(dirname "$0")/../.." || exit 1
. tests/cli/lib.sh
S=$SEQTOOL
SABS=$(cd "$(dirname "$S")" && pwd)/$(basename "$S")
V=tests/data/w2v-small.txt
Q=tests/data/w2v-questions.txt
REF=$TMP/ref.py
cat >"$REF" <<'PYEOF'
"""Independent stdlib reference for tests/cli/w2v.sh (float64 arithmetic on
the float32 values of the file).  Each subcommand exits 0 when seqtool's
output (a file) agrees, else prints what differs and exits 1."""
import array
import json
import math
import struct
import sys

TOL = 1e-6


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


def load(path):
    """GloVe or word2vec text: (words in order, {word: vector}), first kept."""
    words, vec = [], {}
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    first = lines[0].split()
    if len(first) == 2 and all(t.isdigit() for t in first):
        lines = lines[1:]
    for ln in lines:
        t = ln.split(" ")
        if not ln.strip():
            continue
        if t[0] in vec:
            continue
        words.append(t[0])
        vec[t[0]] = list(array.array("f", map(float, t[1:])))  # float32, as seqtool holds them
    return words, vec


def dot(u, v):
    return sum(a * b for a, b in zip(u, v))


def norm(u):
    return math.sqrt(dot(u, u))


def cos(u, v):
    return dot(u, v) / (norm(u) * norm(v))


def add(u, v, s=1.0):
    return [a + s * b for a, b in zip(u, v)]


def scale(u, s):
    return [a * s for a in u]


def unit(u):
    return scale(u, 1 / norm(u))


def expr(vec, text):
    """'a - b + c': the vector and the words used."""
    toks = text.split()
    out, sign, used = [0.0] * len(vec[toks[0]]), 1, []
    for t in toks:
        if t in ("+", "-"):
            sign = 1 if t == "+" else -1
        else:
            out = add(out, vec[t], sign)
            used.append(t)
    return out, used


def close(a, b, what):
    if abs(a - b) > TOL:
        fail("%s: seqtool %r, reference %.10f" % (what, a, b))


def fail(msg):
    print(msg)
    sys.exit(1)


def out_lines(path):
    with open(path, encoding="utf-8") as f:
        return f.read().split("\n")[:-1]


def check_hits(line, want, what):
    """line 'w s<TAB>w s...' against want [(w, s)]."""
    got = [h.split(" ") for h in line.split("\t")] if line else []
    if [g[0] for g in got] != [w for w, _ in want]:
        fail("%s: seqtool %s, reference %s" % (what, line, " ".join("%s %.6f" % h for h in want)))
    for (w, s), g in zip(want, got):
        close(float(g[1]), s, "%s %s" % (what, w))


def top(scores, k):
    return sorted(scores, key=lambda h: -h[1])[:k]


# ---- queries ----

def nearest(words, vec, text, k, limit=None):
    q, used = expr(vec, text)
    cand = words[:limit] if limit else words
    return top([(w, cos(q, vec[w])) for w in cand if w not in used], k)


def analogy(words, vec, a, b, c, k, method="3cosadd", include=False, limit=None):
    ea, eb, ec = vec[a], vec[b], vec[c]
    skip = {c} if include else {a, b, c}
    cand = [w for w in (words[:limit] if limit else words) if w not in skip]
    if method == "3cosadd":
        q = unit(add(add(unit(eb), unit(ec)), unit(ea), -1))
        s = [(w, cos(q, vec[w])) for w in cand]
    elif method == "3cosmul":
        def c2(u, v):
            return (1 + cos(u, v)) / 2
        s = [(w, c2(vec[w], eb) * c2(vec[w], ec) / (c2(vec[w], ea) + 0.001)) for w in cand]
    else:  # the course: cos(b - a, w - c)
        d = add(eb, ea, -1)
        s = [(w, cos(d, add(vec[w], ec, -1))) for w in cand]
    return top(s, k)


def power_iteration(C, start, iters=20000):
    g = start
    for _ in range(iters):
        nxt = [dot(row, g) for row in C]
        n = norm(nxt)
        nxt = [x / n for x in nxt]
        if sum(abs(x - y) for x, y in zip(nxt, g)) < 1e-15:
            g = nxt
            break
        g = nxt
    return g


def direction(vec, pairs, pca=False):
    dim = len(next(iter(vec.values())))
    mean = [0.0] * dim
    for a, b in pairs:
        mean = add(mean, add(vec[b], vec[a], -1), 1 / len(pairs))
    if not pca:
        return mean
    C = [[0.0] * dim for _ in range(dim)]
    for a, b in pairs:
        centre = scale(add(vec[a], vec[b]), 0.5)
        for m in (a, b):
            x = add(vec[m], centre, -1)
            for i in range(dim):
                for j in range(dim):
                    C[i][j] += x[i] * x[j]
    g = power_iteration(C, [1.0] * dim)
    return g if dot(g, mean) > 0 else scale(g, -1)


def parse_pairs(spec):
    return [tuple(p.split(":")) for p in spec.split(",")]


def neutralize(e, g):
    return add(e, g, -dot(e, g) / dot(g, g))


def equalize(e1, e2, g):
    gg = dot(g, g)
    mu = scale(add(e1, e2), 0.5)
    mu_b = scale(g, dot(mu, g) / gg)
    mu_orth = add(mu, mu_b, -1)
    out = []
    for e in (e1, e2):
        e_b = scale(g, dot(e, g) / gg)
        corr = scale(add(e_b, mu_b, -1),
                     math.sqrt(abs(1 - dot(mu_orth, mu_orth))) / norm(add(add(e, mu_orth, -1), mu_b, -1)))
        out.append(add(corr, mu_orth))
    return out


# ---- the analogy test, gensim's protocol ----

def eval_questions(words, vec, qpath, limit=30000, fold=True):
    limit = min(limit, len(words))
    f = (lambda w: w.upper()) if fold else (lambda w: w)
    key_row = {}
    for w in words[:limit]:
        key_row.setdefault(f(w), w)
    unitv = {w: unit(vec[w]) for w in words[:limit]}
    rows, sec = [], None
    for ln in open(qpath, encoding="utf-8"):
        if ln.startswith(":"):
            sec = ln.lstrip(": ").strip()
            continue
        t = ln.split()
        if len(t) != 4:
            continue
        keys = [f(w) for w in t]
        if not all(k in key_row for k in keys):
            rows.append((sec, t, "-", "skip"))
            continue
        a, b, c = (key_row[k] for k in keys[:3])
        q = unit(add(add(unitv[b], unitv[c]), unitv[a], -1))
        s = top([(w, dot(q, unitv[w])) for w in words[:limit] if w not in (a, b, c)], 5)
        pred = None
        for w, _ in s:
            pred = w
            if f(w) not in keys[:3]:
                break
        rows.append((sec, t, pred, "ok" if f(pred) == keys[3] else "wrong"))
    return rows


def eval_report(rows, limit, nwords):
    limit = min(limit, nwords)
    lines = ["%s\t%s\t%s\t%s" % (s, " ".join(t), p, r) for s, t, p, r in rows]
    secs = []
    for s, _, _, _ in rows:
        if s not in secs:
            secs.append(s)
    tally = {}

    def score(name, c, n):
        return "%s: %.2f%% (%d/%d)" % (name, 100.0 * c / n, c, n) if n else "%s: n/a (0/0)" % name

    for s, _, _, r in rows:
        if r != "skip":
            t = tally.setdefault(s, [0, 0])
            t[1] += 1
            t[0] += r == "ok"
    sem, syn = [0, 0], [0, 0]
    for s in secs:
        c, n = tally.get(s, [0, 0])
        lines.append(score(s, c, n))
        acc = syn if s.startswith("gram") else sem
        acc[0] += c
        acc[1] += n
    lines.append(score("semantic", *sem))
    lines.append(score("syntactic", *syn))
    lines.append(score("total", sem[0] + syn[0], sem[1] + syn[1]))
    skipped = sum(r == "skip" for _, _, _, r in rows)
    lines.append("skipped: %d of %d questions (a word not among the first %d)" % (skipped, len(rows), limit))
    return lines


# ---- number formatting: the shortest text that reads back as the float32 ----

def shortest(x):
    if x == 0:
        return "-0" if math.copysign(1, x) < 0 else "0"
    for p in range(1, 10):
        s = "%.*e" % (p - 1, x)
        try:
            if f32(float(s)) == x:
                break
        except OverflowError:  # rounded up beyond the largest float32
            pass
    mant, e = s.split("e")
    e = int(e)
    neg = mant.startswith("-")
    digits = mant.lstrip("-").replace(".", "").rstrip("0") or "0"
    if e < -4 or e > 8:
        t = digits[0] + ("." + digits[1:] if len(digits) > 1 else "") + "e%s%02d" % ("-" if e < 0 else "+", abs(e))
    elif e >= len(digits) - 1:
        t = digits + "0" * (e - len(digits) + 1)
    elif e < 0:
        t = "0." + "0" * (-e - 1) + digits
    else:
        t = digits[:e + 1] + "." + digits[e + 1:]
    return ("-" if neg else "") + t


# ---- subcommands ----

def main(argv):
    cmd = argv[0]
    if cmd == "shortest-file":  # IN OUT: rewrite IN's values in shortest form
        with open(argv[1], encoding="utf-8") as f, open(argv[2], "w", encoding="utf-8") as o:
            for ln in f:
                t = ln.split()
                o.write(" ".join([t[0]] + [shortest(f32(float(x))) for x in t[1:]]) + "\n")
        return
    if cmd == "w2v-bin":  # VECTORS OUT [--no-newline]: word2vec binary by struct
        words, vec = load(argv[1])
        nl = b"" if "--no-newline" in argv else b"\n"
        with open(argv[2], "wb") as o:
            o.write(b"%d %d\n" % (len(words), len(vec[words[0]])))
            for w in words:
                o.write(w.encode() + b" " + struct.pack("<%df" % len(vec[w]), *vec[w]) + nl)
        return
    words, vec = load(argv[1])
    out = argv[2]
    args = argv[3:]
    if cmd == "similarity":  # OUT holds one line per query "X|Y" of args
        got = out_lines(out)
        if len(got) != len(args):
            fail("%d lines for %d queries: %s" % (len(got), len(args), got))
        for q, g in zip(args, got):
            x, y = q.split("|")
            close(float(g), cos(expr(vec, x)[0], expr(vec, y)[0]), "cos(%s, %s)" % (x, y))
    elif cmd == "nearest":  # K LIMIT WORD...
        k, limit = int(args[0]), int(args[1]) or None
        got = out_lines(out)
        if len(got) != len(args) - 2:
            fail("%d lines for %d words" % (len(got), len(args) - 2))
        for w, g in zip(args[2:], got):
            check_hits(g, nearest(words, vec, w, k, limit), "nearest %s" % w)
    elif cmd == "analogy":  # K METHOD INCLUDE LIMIT A B C [A B C...]
        k, method, include, limit = int(args[0]), args[1], args[2] == "1", int(args[3]) or None
        qs = args[4:]
        got = out_lines(out)
        if len(got) * 3 != len(qs):
            fail("%d lines for %d questions" % (len(got), len(qs) // 3))
        for i, g in enumerate(got):
            a, b, c = qs[3 * i:3 * i + 3]
            check_hits(g, analogy(words, vec, a, b, c, k, method, include, limit),
                       "%s %s:%s::%s" % (method, a, b, c))
    elif cmd == "bias":  # PAIRS PCA WORD...
        g = direction(vec, parse_pairs(args[0]), args[1] == "1")
        got = out_lines(out)
        if len(got) != len(args) - 2:
            fail("%d lines for %d words" % (len(got), len(args) - 2))
        for w, x in zip(args[2:], got):
            close(float(x), cos(expr(vec, w)[0], g), "bias %s" % w)
    elif cmd == "debias":  # PAIRS NEUTRALIZE_LIST EQUALIZE_LIST FILE (comma-separated; W1:W2)
        g = direction(vec, parse_pairs(args[0]))
        neu = [w for w in args[1].split(",") if w]
        eq = [tuple(p.split(":")) for p in args[2].split(",") if p]
        w2, v2 = load(args[3])
        if w2 != words:
            fail("the words differ")
        for w in neu:
            c = cos(v2[w], g)
            if abs(c) >= 1e-6:
                fail("neutralized %s: cos with g %.3g" % (w, c))
        for a, b in eq:
            want = equalize(vec[a], vec[b], g)
            for w, ref in zip((a, b), want):
                close(cos(v2[w], g), cos(ref, g), "equalized %s: cos with g" % w)
                for k in range(len(ref)):
                    close(v2[w][k], ref[k], "equalized %s[%d]" % (w, k))
        print(" ".join("%s %.10f" % (w, cos(v2[w], g)) for pair in eq for w in pair))
    elif cmd == "eval":  # LIMIT FOLD QUESTIONS
        limit, fold, qpath = int(args[0]), args[1] == "1", args[2]
        want = eval_report(eval_questions(words, vec, qpath, limit, fold), limit, len(words))
        got = out_lines(out)
        if got != want:
            for i, (a, b) in enumerate(zip(got + [""] * len(want), want + [""] * len(got))):
                if a != b:
                    fail("line %d: seqtool %r, reference %r" % (i + 1, a, b))
    else:
        fail("ref.py: unknown command " + cmd)


if __name__ == "__main__":
    main(sys.argv[1:])
PYEOF

# agree DESC REFCMD VECTORS REFARGS... -- COMMAND... : the command succeeds
# and `ref.py REFCMD VECTORS OUT REFARGS...` accepts its stdout (OUT)
agree() {
    local desc=$1 ref=() rc
    shift
    while [ "$1" != "--" ]; do ref+=("$1"); shift; done
    shift
    "$@" >"$TMP/o" 2>"$TMP/e"
    rc=$?
    if [ $rc -ne 0 ]; then
        not_ok "$desc: exit $rc, $(head -2 "$TMP/e" | tr '\n' '|')"
    elif $PY "$REF" "${ref[0]}" "${ref[1]}" "$TMP/o" "${ref[@]:2}" >"$TMP/why" 2>&1; then
        ok "$desc"
    else
        not_ok "$desc: $(head -3 "$TMP/why" | tr '\n' '|')"
    fi
}
# py DESC SCRIPT ARGS... : an inline Python check (exit 0 = ok; its output explains a failure)
py() {
    local desc=$1 script=$2
    shift 2
    if $PY -c "$script" "$@" >"$TMP/why" 2>&1; then ok "$desc"; else not_ok "$desc: $(tail -3 "$TMP/why" | tr '\n' '|')"; fi
}

# ---- 1. formats ----
$S w2v info "$V" >"$TMP/o" 2>"$TMP/e"
[ "$(cat "$TMP/o")" = "$V: 34 words, 8 dimensions, glove" ] && [ ! -s "$TMP/e" ] \
    && ok "info: the fixture is glove, 34 words of 8" || not_ok "info: $(cat "$TMP/o" "$TMP/e")"
$PY "$REF" shortest-file "$V" "$TMP/shortest.txt"
cmp -s "$V" "$TMP/shortest.txt" && ok "the fixture's values are in shortest round-trip form (reference formatter)" \
    || not_ok "fixture not in shortest form: $(diff "$V" "$TMP/shortest.txt" | head -3 | tr '\n' '|')"
$S w2v convert "$V" -o "$TMP/v.vec" -q && $S w2v convert "$V" -o "$TMP/v.bin" -q \
    && $S w2v convert "$V" -o "$TMP/v.ft" --format fasttext -q && $S w2v convert "$V" -o "$TMP/v.safetensors" -q \
    && ok "convert to .vec, .bin, --format fasttext, .safetensors" || not_ok "convert failed"
for pair in vec:word2vec bin:word2vec-bin ft:word2vec safetensors:safetensors; do
    ext=${pair%%:*} fmt=${pair#*:}
    out=$($S w2v info "$TMP/v.$ext" 2>&1 | head -1)
    [ "$out" = "$TMP/v.$ext: 34 words, 8 dimensions, $fmt" ] && ok "info names .$ext as $fmt, 34 words" \
        || not_ok "info .$ext: $out"
    $S w2v convert "$TMP/v.$ext" -o "$TMP/back-$ext.txt" -q \
        && cmp -s "$V" "$TMP/back-$ext.txt" && ok "glove -> .$ext -> glove is byte-identical" \
        || not_ok "glove -> .$ext -> glove differs: $(diff "$V" "$TMP/back-$ext.txt" 2>&1 | head -3 | tr '\n' '|')"
done
[ "$(head -1 "$TMP/v.vec")" = "34 8" ] && [ "$(tail -n +2 "$TMP/v.vec")" = "$(cat "$V")" ] && cmp -s "$TMP/v.vec" "$TMP/v.ft" \
    && ok ".vec is the header '34 8' then the GloVe lines; fasttext writes the same" || not_ok ".vec / fasttext layout"
$PY "$REF" w2v-bin "$V" "$TMP/py.bin"
$PY "$REF" w2v-bin "$V" "$TMP/py-nonl.bin" --no-newline
cmp -s "$TMP/v.bin" "$TMP/py.bin" && ok "seqtool's .bin is byte-identical to a struct-written word2vec binary" \
    || not_ok "seqtool's .bin differs from the struct-written one: $(cmp "$TMP/v.bin" "$TMP/py.bin" 2>&1)"
want=$($S w2v similarity -v "$V" man woman)
for b in py.bin py-nonl.bin; do
    got=$($S w2v similarity -v "$TMP/$b" man woman 2>&1); fmt=$($S w2v info "$TMP/$b" 2>&1)
    [ -n "$want" ] && [ "$got" = "$want" ] && [ "${fmt##*, }" = word2vec-bin ] \
        && ok "a word2vec binary written by Python ($b) loads: same similarity $got" || not_ok "$b: '$got' vs '$want', $fmt"
done
got=$($S w2v similarity -v "$TMP/v.safetensors" france - paris rome - italy 2>&1)
[ "$got" = "$($S w2v similarity -v "$V" france - paris rome - italy)" ] && ok "the mapped .safetensors gives the same similarity" \
    || not_ok "safetensors similarity $got"
$PY tests/safetensors_check.py "$TMP/v.safetensors" >"$TMP/fmt" 2>&1 && ok "the .safetensors file meets the safetensors spec (tests/safetensors_check.py)" \
    || not_ok "safetensors_check: $(tail -2 "$TMP/fmt" | tr '\n' '|')"
# values at the edges of float32, written by the reference formatter
printf 'edge 1e-45 1e-40 1.1754944e-38 3.4028235e+38 -2.5e-07 0.0001 100 123456790 1e+09 -0 0.1 16777216\n' >"$TMP/edge-in.txt"
$PY "$REF" shortest-file "$TMP/edge-in.txt" "$TMP/edge.txt"
$S w2v convert "$TMP/edge.txt" -o "$TMP/edge.bin" -q && $S w2v convert "$TMP/edge.bin" -o "$TMP/edge-back.txt" -q \
    && cmp -s "$TMP/edge.txt" "$TMP/edge-back.txt" && ok "float32 edge values (denormals, max, -0) round-trip in shortest form" \
    || not_ok "edge values: want '$(cat "$TMP/edge.txt")', got '$(cat "$TMP/edge-back.txt" 2>&1)'"

# ---- 2. queries ----
agree "similarity of two words" similarity "$V" 'man|woman' -- $S w2v similarity -v "$V" man woman
agree "similarity of 'france - paris' and 'rome - italy' from the arguments" similarity "$V" 'france - paris|rome - italy' \
    -- $S w2v similarity -v "$V" france - paris rome - italy
agree "similarity of expressions from stdin ('-')" similarity "$V" 'france - paris|rome - italy' 'king - man + woman|queen' 'café|東京都' \
    -- $S w2v similarity -v "$V" - < <(printf 'france - paris rome - italy\nking - man + woman queen\ncafé 東京都\n')
agree "nearest -k 3 of three words, the query word excluded" nearest "$V" 3 0 king queen café \
    -- $S w2v nearest -v "$V" -k 3 king queen café
agree "nearest -k 4 of 'king - man + woman' excludes its three words" nearest "$V" 4 0 'king - man + woman' \
    -- $S w2v nearest -v "$V" -k 4 king - man + woman
agree "nearest --restrict-vocab 5: only the first 5 words are candidates" nearest "$V" 10 5 king 日本 \
    -- $S w2v nearest -v "$V" --restrict-vocab 5 king 日本
agree "analogy man:woman::king:? (3CosAdd)" analogy "$V" 1 3cosadd 0 0 man woman king -- $S w2v analogy -v "$V" man woman king
[ "$(cut -d' ' -f1 "$TMP/o")" = queen ] && ok "... and the answer is queen" || not_ok "man:woman::king:? is $(cat "$TMP/o")"
agree "analogy -k 3 on stdin (three questions)" analogy "$V" 3 3cosadd 0 0 paris france rome boy girl prince he she actor \
    -- $S w2v analogy -v "$V" -k 3 < <(printf 'paris france rome\nboy girl prince\nhe she actor\n')
agree "analogy --include-inputs -k 3 (only C excluded)" analogy "$V" 3 3cosadd 1 0 man woman king father mother son \
    -- $S w2v analogy -v "$V" --include-inputs -k 3 < <(printf 'man woman king\nfather mother son\n')
agree "analogy --method 3cosmul -k 3 (Levy & Goldberg, eps 0.001)" analogy "$V" 3 3cosmul 0 0 man woman king tokyo japan rome \
    -- $S w2v analogy -v "$V" --method 3cosmul -k 3 < <(printf 'man woman king\ntokyo japan rome\n')
agree "analogy --method course -k 3: cos(b - a, w - c)" analogy "$V" 3 course 0 0 man woman king tokyo japan rome \
    -- $S w2v analogy -v "$V" --method course -k 3 < <(printf 'man woman king\ntokyo japan rome\n')
agree "analogy --restrict-vocab 19: italy (word 20) is no candidate" analogy "$V" 2 3cosadd 0 19 paris france rome \
    -- $S w2v analogy -v "$V" --restrict-vocab 19 -k 2 paris france rome
agree "bias with the default pairs (g = woman - man)" bias "$V" man:woman 0 doctor nurse engineer babysitter computer man \
    -- $S w2v bias -v "$V" doctor nurse engineer babysitter computer man
agree "bias --pairs man:woman,king:queen (g = mean of B - A), words and an expression on stdin" bias "$V" man:woman,king:queen 0 doctor nurse 'he - she' \
    -- $S w2v bias -v "$V" --pairs man:woman,king:queen < <(printf 'doctor\nnurse\nhe - she\n')
printf '# pairs\nman woman\n\nking:queen\nfather mother\n' >"$TMP/pairs"
agree "bias --pairs-file (comments, blank lines, 'A B' and 'A:B')" bias "$V" man:woman,king:queen,father:mother 0 doctor nurse café \
    -- $S w2v bias -v "$V" --pairs-file "$TMP/pairs" doctor nurse café
agree "bias --pca: the first principal component of the centred pairs" bias "$V" man:woman,king:queen,father:mother,boy:girl 1 doctor nurse engineer \
    -- $S w2v bias -v "$V" --pca --pairs man:woman,king:queen,father:mother,boy:girl doctor nurse engineer

# ---- 3. batches on standard input ----
printf 'man woman\nman zebra\nking queen\nfrance - paris rome - italy\n' >"$TMP/batch"
$S w2v similarity -v "$V" <"$TMP/batch" >"$TMP/bo" 2>"$TMP/be"; rc=$?
sed -n 2p "$TMP/bo" >"$TMP/b2"; sed 2d "$TMP/bo" >"$TMP/b134"
[ $rc -eq 1 ] && [ "$(wc -l <"$TMP/bo")" -eq 4 ] && [ "$(cat "$TMP/b2")" = "?" ] \
    && $PY "$REF" similarity "$V" "$TMP/b134" 'man|woman' 'king|queen' 'france - paris|rome - italy' >"$TMP/why" \
    && ok "batch: a line with a missing word prints '?', the others are right and in order, exit 1" \
    || not_ok "batch: rc $rc, $(tr '\n' '|' <"$TMP/bo") $(cat "$TMP/why")"
[ "$(wc -l <"$TMP/be")" -eq 1 ] && grep -q "line 2" "$TMP/be" && grep -q "zebra" "$TMP/be" \
    && ok "batch: one warning naming the word and the line: $(cat "$TMP/be")" || not_ok "batch warning: $(tr '\n' '|' <"$TMP/be")"
printf 'king\nzebra\nqueen\n' | $S w2v nearest -v "$V" -k 2 >"$TMP/bo" 2>"$TMP/be"; rc=$?
sed 2d "$TMP/bo" >"$TMP/b13"
[ $rc -eq 1 ] && [ "$(sed -n 2p "$TMP/bo")" = "?" ] && [ "$(wc -l <"$TMP/be")" -eq 1 ] \
    && $PY "$REF" nearest "$V" "$TMP/b13" 2 0 king queen >"$TMP/why" \
    && ok "nearest batch: '?' for the missing word, the neighbours of the others" || not_ok "nearest batch: rc $rc $(tr '\n' '|' <"$TMP/bo") $(cat "$TMP/why")"
printf 'man woman king\nman woman zebra\nparis france\nparis france rome\n' | $S w2v analogy -v "$V" >"$TMP/bo" 2>"$TMP/be"; rc=$?
sed '2,3d' "$TMP/bo" >"$TMP/b14"
[ $rc -eq 1 ] && [ "$(sed -n 2,3p "$TMP/bo" | tr '\n' ' ')" = "? ? " ] && [ "$(wc -l <"$TMP/be")" -eq 2 ] && grep -q "line 3" "$TMP/be" \
    && $PY "$REF" analogy "$V" "$TMP/b14" 1 3cosadd 0 0 man woman king paris france rome >"$TMP/why" \
    && ok "analogy batch: '?' for a missing word and for two words, one warning each" || not_ok "analogy batch: rc $rc $(tr '\n' '|' <"$TMP/bo") $(tr '\n' '|' <"$TMP/be") $(cat "$TMP/why")"
$S w2v similarity -v "$V" --json <"$TMP/batch" >"$TMP/bo" 2>/dev/null; rc=$?
py "similarity --json: one object per line (a, b, similarity; line, error for the missing word), exit $rc" '
import json, sys
sys.path.insert(0, sys.argv[2]); import ref
words, vec = ref.load(sys.argv[1])
rows = [json.loads(l) for l in open(sys.argv[3], encoding="utf-8")]
assert len(rows) == 4, rows
assert rows[1] == {"line": 2, "error": rows[1]["error"]} and "zebra" in rows[1]["error"], rows[1]
for r, (x, y) in zip([rows[0], rows[2], rows[3]], [("man", "woman"), ("king", "queen"), ("france - paris", "rome - italy")]):
    assert set(r) == {"a", "b", "similarity"} and r["a"] == x and r["b"] == y, r
    assert abs(r["similarity"] - ref.cos(ref.expr(vec, x)[0], ref.expr(vec, y)[0])) < 1e-9, r
assert int(sys.argv[4]) == 1' "$V" "$TMP" "$TMP/bo" $rc
{ $S w2v nearest -v "$V" -k 2 --json king; $S w2v analogy -v "$V" --json -k 2 man woman king; printf 'doctor\nhe - she\n' | $S w2v bias -v "$V" --json; } >"$TMP/bo" 2>/dev/null
py "nearest, analogy and bias --json: query/nearest, a/b/c/answers, word/bias" '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
assert len(rows) == 4, rows
n, a, b1, b2 = rows
assert set(n) == {"query", "nearest"} and n["query"] == "king" and [set(h) for h in n["nearest"]] == [{"word", "score"}] * 2, n
assert set(a) == {"a", "b", "c", "answers"} and (a["a"], a["b"], a["c"]) == ("man", "woman", "king") and a["answers"][0]["word"] == "queen", a
assert len(a["answers"]) == 2 and a["answers"][0]["score"] >= a["answers"][1]["score"], a
assert set(b1) == {"word", "bias"} and b1["word"] == "doctor" and b2["word"] == "he - she", (b1, b2)' "$TMP/bo"
expect_error 1 "a query from the arguments with a missing word" $S w2v similarity -v "$V" man zebra
grep -q "'zebra'" "$TMP/err" && ok "... the message names the word" || not_ok "missing word message: $(cat "$TMP/err")"
expect_error 1 "an analogy from the arguments with a missing word" $S w2v analogy -v "$V" man woman Zebra
expect_error 1 "a word in the wrong case (the message suggests the right one)" $S w2v nearest -v "$V" King
grep -q "'king'" "$TMP/err" && ok "... and names 'king'" || not_ok "case hint: $(cat "$TMP/err")"

# ---- 4. a pipe stays interactive ----
coproc QRY { exec $S w2v similarity -v "$V" 2>/dev/null; }
qin=${QRY[1]} qout=${QRY[0]} qpid=$QRY_PID
trap '' PIPE   # should seqtool die, a write fails instead of ending this script
echo "man woman" >&"$qin" 2>/dev/null
IFS= read -r -t 5 ans <&"$qout" 2>/dev/null || ans=TIMEOUT
echo "king queen" >&"$qin" 2>/dev/null
IFS= read -r -t 5 ans2 <&"$qout" 2>/dev/null || ans2=TIMEOUT
trap - PIPE
eval "exec $qin>&-" 2>/dev/null
wait "$qpid" 2>/dev/null
[ "$ans" = "$want" ] && [ "$ans2" = "$($S w2v similarity -v "$V" king queen)" ] \
    && ok "a pipe stays interactive: each answer arrives while stdin is still open ($ans, $ans2)" \
    || not_ok "interactive pipe: got '$ans' then '$ans2' (want '$want' first)"

# ---- 5. debias ----
printf 'doctor\nnurse\n# a comment\n\nengineer babysitter\n' >"$TMP/neutral"
printf 'man woman\n# a comment\nking queen\n' >"$TMP/equal"
CHANGED='^(doctor|nurse|engineer|babysitter|man|woman|king|queen) '
agree "debias --neutralize --equalize: |cos(w, g)| < 1e-6 for neutralized words, equalized pairs as the course's equations" \
    debias "$V" man:woman doctor,nurse,engineer,babysitter man:woman,king:queen "$TMP/deb.txt" \
    -- $S w2v debias -v "$V" --neutralize "$TMP/neutral" --equalize "$TMP/equal" -o "$TMP/deb.txt"
grep -q "neutralized 4 word(s), equalized 2 pair(s)" "$TMP/e" && ok "debias reports 4 neutralized, 2 equalized: $(cat "$TMP/e")" \
    || not_ok "debias message: $(cat "$TMP/e")"
[ "$(grep -vE "$CHANGED" "$V")" = "$(grep -vE "$CHANGED" "$TMP/deb.txt")" ] && [ "$(grep -cE "$CHANGED" "$TMP/deb.txt")" -eq 8 ] \
    && ! cmp -s "$V" "$TMP/deb.txt" && ok "debias: every other line is byte-identical to the input's" \
    || not_ok "debias changed other lines: $(diff <(grep -vE "$CHANGED" "$V") <(grep -vE "$CHANGED" "$TMP/deb.txt") | head -3 | tr '\n' '|')"
$S w2v debias -v "$V" --neutralize "$TMP/neutral" -o "$TMP/deb.vec" -q \
    && [ "$(head -1 "$TMP/deb.vec")" = "34 8" ] && ok "debias -o X.vec writes word2vec (the extension)" || not_ok "debias -o .vec: $(head -1 "$TMP/deb.vec")"
$S w2v debias -v "$V" --neutralize "$TMP/neutral" -o "$TMP/deb2.vec" --format glove -q \
    && [ "$(head -c 4 "$TMP/deb2.vec")" = "man " ] && ok "debias --format glove beats the .vec extension" || not_ok "debias --format"
$S w2v debias -v "$TMP/v.bin" --neutralize "$TMP/neutral" -o "$TMP/deb.out" -q \
    && [ "$($S w2v info "$TMP/deb.out" 2>&1)" = "$TMP/deb.out: 34 words, 8 dimensions, word2vec-bin" ] \
    && ok "debias -o X.out (no known extension) keeps the input's format (word2vec-bin)" || not_ok "debias keeps the input format: $($S w2v info "$TMP/deb.out" 2>&1)"
$S w2v debias -v "$V" --neutralize "$TMP/neutral" -o "$TMP/deb3.txt" -q
$S w2v debias -v "$V" --neutralize "$TMP/neutral" -o - >"$TMP/deb-stdout" 2>"$TMP/e"
cmp -s "$TMP/deb3.txt" "$TMP/deb-stdout" && ok "debias -o - writes the same vectors to stdout" || not_ok "debias -o -: $(head -c 200 "$TMP/deb-stdout")"
grep -q "standard output" "$TMP/e" && ok "debias -o -: the report says 'standard output'" || not_ok "debias -o - reports: $(cat "$TMP/e")"
$S w2v debias -v "$TMP/v.vec" --equalize "$TMP/equal" -o - -q | head -1 | grep -qx "34 8" \
    && ok "debias -o - of a .vec input writes word2vec (the input's format)" || not_ok "debias -o - from .vec"

# ---- 6. the analogy test set ----
agree "--eval --per-question: each question, the per-section, semantic, syntactic, total and skipped lines" eval "$V" 30000 1 "$Q" \
    -- $S w2v analogy -v "$V" --eval "$Q" --per-question
grep -qx "total: 85.71% (12/14)" "$TMP/o" && grep -qx "skipped: 2 of 16 questions (a word not among the first 34)" "$TMP/o" \
    && ok "--eval: total 12/14, 2 of 16 skipped" || not_ok "--eval summary: $(tail -2 "$TMP/o" | tr '\n' '|')"
[ "$(wc -l <"$TMP/e")" -eq 2 ] && grep -q "skipped 2 line(s) that are not four words, the first is line 14" "$TMP/e" \
    && ok "--eval: a warning names the malformed lines" || not_ok "--eval stderr: $(tr '\n' '|' <"$TMP/e")"
grep -qP '^family\tMAN WOMAN BOY GIRL\tgirl\tok$' "$TMP/o" && grep -qP '^family\tman woman walrus walrusess\t-\tskip$' "$TMP/o" \
    && ok "--eval: upper-case questions fold and are answered, a missing word is skipped" || not_ok "--eval folding/skip"
cp "$TMP/o" "$TMP/eval-all"
agree "--eval --restrict-vocab 16 (vs the reference)" eval "$V" 16 1 "$Q" -- $S w2v analogy -v "$V" --eval "$Q" --per-question --restrict-vocab 16
[ "$(grep -c $'\tskip$' "$TMP/o")" -eq 9 ] && [ "$(grep -c $'\tskip$' "$TMP/eval-all")" -eq 2 ] \
    && ok "--restrict-vocab 16 also skips the 6 place and 2 profession questions (9 skipped, 2 without)" || not_ok "--restrict-vocab skips $(grep -c $'\tskip$' "$TMP/o")"
agree "--eval --no-fold-case (vs the reference)" eval "$V" 30000 0 "$Q" -- $S w2v analogy -v "$V" --eval "$Q" --per-question --no-fold-case
grep -qP '^family\tMAN WOMAN BOY GIRL\t-\tskip$' "$TMP/o" && grep -qP '^capital-common-countries\tParis France Berlin Germany\t-\tskip$' "$TMP/o" \
    && ok "--no-fold-case: the upper-case questions are skipped" || not_ok "--no-fold-case"
$S w2v analogy -v "$V" --eval "$Q" -q >"$TMP/o" 2>"$TMP/e"
[ "$(cat "$TMP/o")" = "$(grep -v $'\t' "$TMP/eval-all")" ] && [ ! -s "$TMP/e" ] \
    && ok "--eval without --per-question: only the summary lines; -q: nothing on stderr" || not_ok "--eval summary only: $(tr '\n' '|' <"$TMP/e")"
$S w2v analogy -v "$V" --eval "$Q" --per-question --json -q >"$TMP/o" 2>&1
py "--eval --json: questions, sections, semantic, syntactic, total with skipped/questions" '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
text = [l.rstrip("\n") for l in open(sys.argv[2], encoding="utf-8")]
qs = [r for r in rows if "question" in r]
assert len(qs) == 16 and all(set(r) == {"section", "question", "predicted", "result"} for r in qs), qs[0]
for r, t in zip(qs, text[:16]):
    sec, words, pred, res = t.split("\t")
    assert r["section"] == sec and r["question"] == words.split() and r["result"] == res, (r, t)
    assert r["predicted"] == (None if pred == "-" else pred), (r, t)
secs = rows[16:]
assert [s["section"] for s in secs] == ["capital-common-countries", "family", "gram9-gender-nouns", "semantic", "syntactic", "total"], secs
tot = secs[-1]
assert (tot["correct"], tot["total"], tot["skipped"], tot["questions"], tot["restrict_vocab"], tot["fold_case"]) == (12, 14, 2, 16, 34, True), tot
assert abs(tot["accuracy"] - 100 * 12 / 14) < 1e-9, tot' "$TMP/o" "$TMP/eval-all"
printf 'paris france rome italy\n' >"$TMP/nosection"
expect_error 1 "--eval: a question before any section" $S w2v analogy -v "$V" --eval "$TMP/nosection"

# ---- 7. repeated words, SEQTOOL_VECTORS, no vectors ----
{ cat "$V"; echo "man 1 1 1 1 1 1 1 1"; echo "man 2 2 2 2 2 2 2 2"; echo "king 1 2 3 4 5 6 7 8"; } >"$TMP/dup.txt"
got=$($S w2v similarity -v "$TMP/dup.txt" man king 2>"$TMP/e")
[ "$got" = "$($S w2v similarity -v "$V" man king)" ] && [ "$(wc -l <"$TMP/e")" -eq 1 ] && grep -q "3 repeated word(s), the first at line 35" "$TMP/e" \
    && ok "repeated words: the first vector is kept, one warning: $(cat "$TMP/e")" || not_ok "duplicates: $got, $(tr '\n' '|' <"$TMP/e")"
[ "$($S w2v info --json "$TMP/dup.txt" 2>/dev/null)" = "{\"file\":\"$TMP/dup.txt\",\"words\":34,\"dim\":8,\"format\":\"glove\",\"duplicates\":3}" ] \
    && ok "info --json counts 34 words and 3 duplicates" || not_ok "info --json: $($S w2v info --json "$TMP/dup.txt" 2>&1)"
[ "$(SEQTOOL_VECTORS=$V $S w2v similarity man woman 2>&1)" = "$want" ] && ok "SEQTOOL_VECTORS is the default for -v" || not_ok "SEQTOOL_VECTORS"

# ---- 8. training ----
C=$TMP/corpus.txt
$PY - "$C" <<'PYEOF'
import random, sys
# 200,000 words of a tiny grammar: animals (group A) and vehicles (group B)
# never share a verb, a place or a sentence; word frequencies are Zipf-like
rng = random.Random(5)
A = ["cat", "dog", "horse", "cow", "sheep", "goat", "pig", "duck"]
B = ["car", "bus", "truck", "train", "bike", "tram", "van", "taxi"]
VA = ["eats", "sleeps", "runs", "grazes", "barks", "drinks"]
VB = ["drives", "stops", "parks", "brakes", "honks", "turns"]
PA = ["farm", "field", "barn", "meadow", "grass", "hay"]
PB = ["road", "street", "garage", "station", "bridge", "highway"]
D = ["the", "a", "this", "my", "one"]
def pick(ws):
    return rng.choices(ws, weights=[1.0 / (i + 1) for i in range(len(ws))])[0]
out, n = [], 0
while n < 200000:
    g, v, p, prep = (A, VA, PA, "in") if rng.random() < 0.5 else (B, VB, PB, "on")
    s = [pick(D), pick(g), pick(v), prep, pick(D), pick(p)]
    if rng.random() < 0.3:
        s += ["with", pick(D), pick(g)]
    out.append(" ".join(s))
    n += len(s)
# words below --min-count 2: zebra and unicorn once; yak twice is kept
out += ["the zebra sleeps in one meadow", "a unicorn runs", "my yak eats", "the yak drinks"]
open(sys.argv[1], "w").write("\n".join(out) + "\n")
PYEOF
TRAIN=(--dim 20 --epochs 3 --min-count 2 --threads 1)
$S w2v train "$C" -o "$TMP/t1.txt" "${TRAIN[@]}" --seed 7 -q && $S w2v train "$C" -o "$TMP/t2.txt" "${TRAIN[@]}" --seed 7 -q \
    && cmp -s "$TMP/t1.txt" "$TMP/t2.txt" && ok "train twice with --seed 7 --threads 1: byte-identical vectors" || not_ok "training is not reproducible"
$S w2v train "$C" -o "$TMP/t3.txt" "${TRAIN[@]}" --seed 8 -q && ! cmp -s "$TMP/t1.txt" "$TMP/t3.txt" \
    && ok "another --seed gives other vectors" || not_ok "--seed 8 gave the same vectors"
py "the trained words are the corpus words seen twice or more, most frequent first (ties: first seen first)" '
import collections, sys
first, count = {}, collections.Counter()
for ln in open(sys.argv[1]):
    for w in ln.split():
        first.setdefault(w, len(first)); count[w] += 1
want = sorted((w for w in count if count[w] >= 2), key=lambda w: (-count[w], first[w]))
got = [ln.split(" ", 1)[0] for ln in open(sys.argv[2], encoding="utf-8")]
dims = {len(ln.split()) - 1 for ln in open(sys.argv[2], encoding="utf-8")}
assert got == want and "yak" in got and "zebra" not in got, (got[:8], want[:8])
assert dims == {20}, dims' "$C" "$TMP/t1.txt"
$S w2v nearest -v "$TMP/t1.txt" -k 5 cat car >"$TMP/o" 2>&1
py "quality: the 5 nearest of cat are mostly animals, of car mostly vehicles" '
import sys
A = {"cat", "dog", "horse", "cow", "sheep", "goat", "pig", "duck"}
B = {"car", "bus", "truck", "train", "bike", "tram", "van", "taxi"}
lines = open(sys.argv[1]).read().split("\n")
cat = [h.split(" ")[0] for h in lines[0].split("\t")]
car = [h.split(" ")[0] for h in lines[1].split("\t")]
assert len(cat) == 5 and sum(w in A for w in cat) >= 4, cat
assert len(car) == 5 and sum(w in B for w in car) >= 4, car
print(cat, car)' "$TMP/o"
$S w2v train "$C" -o "$TMP/t4.txt" --dim 20 --epochs 3 --min-count 2 --threads 2 --seed 7 -q \
    && [ "$(cut -d' ' -f1 "$TMP/t4.txt")" = "$(cut -d' ' -f1 "$TMP/t1.txt")" ] && ok "--threads 2 trains the same vocabulary" || not_ok "--threads 2"
$S w2v train "$C" -o "$TMP/t5.safetensors" --dim 8 --epochs 1 --min-count 2 --json -q >"$TMP/o" 2>&1
py "train --json to .safetensors: a summary object; the file loads; info says how it was made" '
import json, sys, subprocess
j = json.loads(open(sys.argv[1]).read())
assert j["corpus_words"] >= 200000 and j["vocabulary"] == 49 and j["epochs"] == 1, j
out = subprocess.run([sys.argv[2], "w2v", "info", sys.argv[3]], capture_output=True, text=True).stdout.splitlines()
assert out[0].endswith(": 49 words, 8 dimensions, safetensors"), out
assert out[1].startswith("command seqtool w2v train ") and out[1].endswith(" --json -q"), out
assert out[3] == "seed 1" and out[4].startswith("data %s (" % sys.argv[4]) and len(out) == 5, out' \
    "$TMP/o" "$S" "$TMP/t5.safetensors" "$C"
expect_error 1 "a --min-count no word reaches" $S w2v train "$C" -o "$TMP/t6.txt" --min-count 1000000 -q
t0=$(date +%s%N)
expect_error 1 "an unwritable -o fails before training" $S w2v train "$C" -o "$TMP/no/such/dir/v.txt" --epochs 100000 -q
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ $ms -lt 3000 ] && ok "... within $ms ms (100,000 epochs would take minutes)" || not_ok "unwritable -o took $ms ms"
printf 'the cat eats\nthe \xff dog sleeps\n' >"$TMP/badutf8.txt"
expect_error 1 "a corpus with invalid UTF-8" $S w2v train "$TMP/badutf8.txt" -o "$TMP/t7.txt" --min-count 1 -q
grep -q "line 2" "$TMP/err" && ok "... the message names line 2" || not_ok "invalid UTF-8 message: $(cat "$TMP/err")"

# ---- 9. bad input: one line on stderr ----
: >"$TMP/empty.txt"
printf 'a 1 2 3\nb 1 2\n' >"$TMP/ragged.txt"
printf 'a 1 2 3\nb 1 2 3\nc 1 two 3\n' >"$TMP/nan.txt"
{ echo "5 8"; head -4 "$V"; } >"$TMP/count.vec"
head -c 300 "$TMP/v.bin" >"$TMP/trunc.bin"
printf 'ok 1 2\nbad\xc3( 3 4\n' >"$TMP/utf8.txt"
head -c 2000 "$TMP/v.safetensors" >"$TMP/trunc.safetensors"
head -c 300 "$TMP/v.safetensors" >"$TMP/trunc-header.safetensors"
cp "$TMP/v.safetensors" "$TMP/crc.safetensors"
printf '\x55' | dd of="$TMP/crc.safetensors" bs=1 seek=$(( $(stat -c %s "$TMP/v.safetensors") - 10 )) conv=notrunc 2>/dev/null
expect_error 1 "a missing vectors file" $S w2v similarity -v "$TMP/nonexistent.txt" man woman
expect_error 1 "an empty vectors file" $S w2v info "$TMP/empty.txt"
expect_error 1 "a ragged row" $S w2v info "$TMP/ragged.txt"
grep -q "line 2" "$TMP/err" && ok "... the message names line 2" || not_ok "ragged message: $(cat "$TMP/err")"
expect_error 1 "a value that is not a number" $S w2v similarity -v "$TMP/nan.txt" a b
grep -q "line 3" "$TMP/err" && ok "... the message names line 3" || not_ok "non-number message: $(cat "$TMP/err")"
expect_error 1 "a word2vec header whose count does not match" $S w2v info "$TMP/count.vec"
expect_error 1 "a truncated word2vec binary" $S w2v info "$TMP/trunc.bin"
expect_error 1 "a word that is not UTF-8" $S w2v info "$TMP/utf8.txt"
grep -q "line 2" "$TMP/err" && ok "... the message names line 2" || not_ok "invalid UTF-8 word message: $(cat "$TMP/err")"
expect_error 1 "a truncated .safetensors (info)" $S w2v info "$TMP/trunc.safetensors"
expect_error 1 "a .safetensors cut inside its header (info)" $S w2v info "$TMP/trunc-header.safetensors"
grep -qi "truncated" "$TMP/err" && ok "... the message says truncated" || not_ok "a .safetensors cut in its header is read as text: $(cat "$TMP/err")"
expect_error 1 "a .safetensors with a corrupted byte (info checks the CRC)" $S w2v info "$TMP/crc.safetensors"
grep -q "CRC" "$TMP/err" && ok "... the message says CRC" || not_ok "CRC message: $(cat "$TMP/err")"
$S dinos train datasets/dinos.txt --hidden 8 --iters 1 -o "$TMP/dinos.safetensors" -q >/dev/null 2>&1
expect_error 1 "a dinos model given as vectors" $S w2v similarity -v "$TMP/dinos.safetensors" man woman
grep -q "dinos" "$TMP/err" && ok "... the message says it is a dinos model" || not_ok "dinos model message: $(cat "$TMP/err")"
printf 'man woman\nking walrus\n' >"$TMP/equal-missing"
expect_error 1 "an equalize pair with a missing word" $S w2v debias -v "$V" --equalize "$TMP/equal-missing" -o "$TMP/x.txt"
grep -q "line 2" "$TMP/err" && grep -q "walrus" "$TMP/err" && ok "... names the file's line 2 and the word" || not_ok "equalize message: $(cat "$TMP/err")"
printf 'doctor\nwalrus\n' >"$TMP/neutral-missing"
expect_error 1 "a neutralize word that is missing" $S w2v debias -v "$V" --neutralize "$TMP/neutral-missing" -o "$TMP/x.txt"
[ ! -e "$TMP/x.txt" ] && ok "... and no output file is left" || not_ok "debias left $TMP/x.txt"
expect_error 1 "standard output on a full disk" sh -c "exec '$SABS' w2v nearest -v '$V' king >/dev/full"
printf '2 4\na 1 2 3 4\nb 3 4 5 6\n' >"$TMP/short.vec"
out=$($S w2v info "$TMP/short.vec" 2>&1)
[ "$out" = "$TMP/short.vec: 2 words, 4 dimensions, word2vec" ] && ok "a word2vec text file with short rows is word2vec text" \
    || not_ok "a valid word2vec text file with short rows is taken for binary: $out"

# ---- usage errors: exit 2 ----
expect_error 2 "an unknown action" $S w2v fly
expect_error 2 "analogy with two words" $S w2v analogy -v "$V" man woman
expect_error 2 "--per-question without --eval" $S w2v analogy -v "$V" --per-question
expect_error 2 "a bad --format name" $S w2v convert "$V" -o "$TMP/x.txt" --format csv
expect_error 2 "-k 0" $S w2v nearest -v "$V" -k 0 man
expect_error 2 "an option of another action (similarity --pca)" $S w2v similarity -v "$V" --pca man woman
expect_error 2 "a bad --method" $S w2v analogy -v "$V" --method 4cosadd man woman king
expect_error 2 "debias without -o" $S w2v debias -v "$V" --neutralize "$TMP/neutral"
expect_error 2 "vectors and queries both on stdin" sh -c "exec '$SABS' w2v similarity -v - <'$V'"
[ "$($S w2v similarity -v - man woman <"$V" 2>&1)" = "$want" ] && ok "-v - reads the vectors from stdin" || not_ok "-v -"
expect_error 2 "an option of another action (train --vectors)" $S w2v train "$C" --vectors "$V" -o "$TMP/x.txt"
expect_error 2 "--threads of a search beyond 256" $S w2v nearest -v "$V" --threads 257 king
expect_error 2 "--json with -o - (both on standard output)" $S w2v convert "$V" -o - --json

# ---- help and the common manners of every command ----
$S w2v >"$TMP/out" 2>"$TMP/err"; rc=$?
[ $rc -eq 2 ] && [ ! -s "$TMP/out" ] && grep -q "^usage: seqtool w2v similarity" "$TMP/err" && grep -q "^Try 'seqtool w2v --help'" "$TMP/err" \
    && ok "w2v with no action: the short usage on stderr, exit 2" || not_ok "bare w2v: rc $rc, $(head -2 "$TMP/err" | tr '\n' '|')"
$S w2v --help >"$TMP/help" 2>"$TMP/err"; rc=$?
[ $rc -eq 0 ] && [ ! -s "$TMP/err" ] && grep -q -- "--restrict-vocab" "$TMP/help" && grep -q "^train:" "$TMP/help" \
    && ok "w2v --help: the whole help on stdout, exit 0" || not_ok "w2v --help: rc $rc"
for h in "w2v help" "w2v -h" "help w2v"; do
    $S $h >"$TMP/o" 2>"$TMP/err"; rc=$?
    [ $rc -eq 0 ] && cmp -s "$TMP/o" "$TMP/help" && ok "seqtool $h prints the same help, exit 0" || not_ok "seqtool $h: rc $rc, $(diff "$TMP/o" "$TMP/help" | head -3 | tr '\n' '|')"
done
[ -z "$(awk 'length > 80' "$TMP/help")" ] && ok "w2v --help fits 80 columns" || not_ok "w2v --help has long lines: $(awk 'length > 80' "$TMP/help" | head -2)"
expect_error 2 "an ambiguous abbreviation (--e: --eval, --equalize, --epochs)" $S w2v nearest -v "$V" --e 3 king
grep -q -- "--eval" "$TMP/err" && grep -q -- "--epochs" "$TMP/err" && ok "... the message names the candidates" || not_ok "ambiguous message: $(cat "$TMP/err")"
[ "$($S w2v nearest --vec "$V" --rest 19 -k 2 paris 2>&1)" = "$($S w2v nearest -v "$V" --restrict-vocab 19 -k 2 paris)" ] \
    && ok "unique abbreviations (--vec, --rest) work" || not_ok "abbreviations: $($S w2v nearest --vec "$V" --rest 19 -k 2 paris 2>&1)"
[ "$($S w2v nearest -v "$V" -k 3 --threads 4 king queen 2>&1)" = "$($S w2v nearest -v "$V" -k 3 king queen)" ] \
    && [ "$($S w2v analogy -v "$V" --threads 2 man woman king 2>&1)" = "$($S w2v analogy -v "$V" man woman king)" ] \
    && ok "nearest and analogy take --threads" || not_ok "--threads on a search"
[ "$($S w2v analogy -v "$V" --eval "$Q" --threads 3 -q 2>&1)" = "$(grep -v $'\t' "$TMP/eval-all")" ] \
    && ok "analogy --eval takes --threads" || not_ok "--eval --threads"
$S w2v convert "$V" -o "$TMP/j.vec" --json >"$TMP/o" 2>/dev/null \
    && [ "$(cat "$TMP/o")" = "{\"output\":\"$TMP/j.vec\",\"words\":34,\"dim\":8,\"format\":\"word2vec\"}" ] \
    && ok "convert --json: what was written, one object" || not_ok "convert --json: $(cat "$TMP/o")"
$S w2v debias -v "$V" --neutralize "$TMP/neutral" --equalize "$TMP/equal" -o "$TMP/j.txt" --json -q >"$TMP/o" 2>"$TMP/e" \
    && [ "$(cat "$TMP/o")" = "{\"output\":\"$TMP/j.txt\",\"words\":34,\"dim\":8,\"format\":\"glove\",\"neutralized\":4,\"equalized\":2}" ] \
    && [ ! -s "$TMP/e" ] && cmp -s "$TMP/j.txt" "$TMP/deb.txt" \
    && ok "debias --json: what was written and how many words were debiased; the same vectors" || not_ok "debias --json: $(cat "$TMP/o" "$TMP/e")"
$S w2v train "$C" -o - --format glove --dim 4 --epochs 1 --min-count 2 >/dev/null 2>"$TMP/e"
grep -q "wrote 'standard output'" "$TMP/e" && ok "train -o -: the summary says 'standard output'" || not_ok "train -o - summary: $(tail -1 "$TMP/e")"

# ---- 10. the manual page keeps step with the option table: tests/cli/manners.sh ----

# ---- 11. the course's numbers on genuine GloVe vectors (when ../shared is present) ----
G=$SHARED/vectors/glove.6B.50d.subset.txt
QW=$SHARED/eval/questions-words.txt
if [ -f "$G" ]; then
    close() { # DESC GOT WANT
        awk -v g="$2" -v w="$3" 'BEGIN {d = g - w; exit !(g != "" && d < 1e-6 && d > -1e-6)}' \
            && ok "$1 = $2" || not_ok "$1 = '$2', want $3"
    }
    close "course: cos(father, mother)" "$($S w2v similarity -v "$G" father mother 2>&1)" 0.8909038443
    close "course: cos(france - paris, rome - italy)" "$($S w2v similarity -v "$G" france - paris rome - italy 2>&1)" -0.6751479308
    printf 'italy italian spain\nindia delhi japan\nman woman boy\nsmall smaller large\n' >"$TMP/course-q"
    for m in 3cosadd course; do
        got=$($S w2v analogy -v "$G" --method $m <"$TMP/course-q" 2>&1 | cut -d' ' -f1 | tr '\n' ' ')
        [ "$got" = "spanish tokyo girl larger " ] && ok "course analogies ($m): spanish tokyo girl larger" || not_ok "course analogies ($m): $got"
    done
    $S w2v bias -v "$G" guns computer technology doctor john marie >"$TMP/o" 2>&1
    set -- -0.1888486 -0.1033036 -0.1319373 0.1189529 -0.2316336 0.3155979
    for w in guns computer technology doctor john marie; do
        close "course: bias of $w (g = woman - man)" "$(sed -n 1p "$TMP/o")" "$1"
        sed -i 1d "$TMP/o"
        shift
    done
    echo "skip - course: lipstick (0.276919) is not in $G"
    expect_error 1 "... and seqtool reports lipstick missing" $S w2v bias -v "$G" lipstick
    grep -q lipstick "$TMP/err" || not_ok "the message does not name lipstick: $(cat "$TMP/err")"
    for w in doctor nurse engineer babysitter receptionist technology computer; do
        grep -q "^$w " "$G" && echo "$w"
    done >"$TMP/course-neutral"
    printf 'man woman\n' >"$TMP/course-equal"
    $S w2v debias -v "$G" --neutralize "$TMP/course-neutral" --equalize "$TMP/course-equal" -o "$TMP/course-deb.txt" -q \
        && $PY "$REF" debias "$G" "$TMP/o" man:woman "$(paste -sd, "$TMP/course-neutral")" man:woman "$TMP/course-deb.txt" >"$TMP/why" 2>&1 \
        && ok "course: neutralize $(paste -sd' ' "$TMP/course-neutral"): |cos(w, g)| < 1e-6; equalize man/woman as the reference" \
        || not_ok "course debias: $(head -3 "$TMP/why" | tr '\n' '|')"
    read -r _ eq_man _ eq_woman <"$TMP/why"   # cos(w', g), g from the original vectors
    before=$($S w2v bias -v "$G" man woman 2>&1 | tr '\n' ' ')
    close "course: cos(man, g) before equalizing" "$(echo $before | cut -d' ' -f1)" -0.1171110
    close "course: cos(woman, g) before equalizing" "$(echo $before | cut -d' ' -f2)" 0.3566662
    close "course: cos(man, g) after equalizing (g of the original vectors)" "$eq_man" -0.7004364
    close "course: cos(woman, g) after equalizing" "$eq_woman" 0.7004364
    # gensim is imported by w2v_peer.py itself (a separate 'import gensim' costs seconds)
    if [ ! -f "$QW" ]; then
        echo "skip - comparison with gensim: $QW is absent"
    elif ! $PY tests/bench/w2v_peer.py eval "$G" "$QW" --per-question "$TMP/peer-pq" >/dev/null 2>"$TMP/e" \
        && grep -qE "^(ModuleNotFoundError|ImportError).*(gensim|numpy)" "$TMP/e"; then
        echo "skip - comparison with gensim: /usr/bin/python3 cannot import gensim"
    else
        $S w2v analogy -v "$G" --eval "$QW" --per-question -q >"$TMP/seq-pq" 2>&1
        [ -s "$TMP/peer-pq" ] && $PY tests/bench/w2v_peer.py compare "$TMP/seq-pq" "$TMP/peer-pq" "$G" >"$TMP/cmp" 2>&1
        head -1 "$TMP/cmp" | grep -q '^differ=0 .* only_seqtool=0 only_gensim=0$' \
            && ok "questions-words.txt question by question as gensim (w2v_peer.py eval + compare): $(head -1 "$TMP/cmp")" \
            || not_ok "seqtool and gensim differ: $(head -4 "$TMP/cmp" "$TMP/e" | tr '\n' '|')"
    fi
else
    echo "skip - course fidelity and gensim comparison: $G not present"
fi
