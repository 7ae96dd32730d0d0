#!/usr/bin/python3
"""PyTorch CPU peer of `seqtool emojify` (Emojifier-V2), and the data helpers
of tests/bench/emojify.sh.

usage: emojify_peer.py predict -v VECTORS.txt [--weights MODEL.safetensors |
           --random-weights] [--seed S] [--batch B] [--threads T]
           [--default-class K] [IN [OUT]]
       emojify_peer.py predict ... --test TEST.csv
       emojify_peer.py sentences N --seed S CSV... > SENTENCES.txt
       emojify_peer.py fasttext CSV TRAIN.txt TEXT.txt LABELS.txt
       emojify_peer.py vec VECTORS.txt OUT.vec

predict: the course's Emojifier-V2 as a PyTorch user writes it:
  words    each line is cut into words as seqtool's text_words cuts it
           (GloVe's Penn-Treebank-like rules: ASCII lower-cased, U+2019 as
           "'", punctuation at either end of a blank-separated token split
           off, a trailing run of periods kept together, the clitics n't 's
           'm 'd 're 've 'll cut off); a word is looked up in VECTORS (GloVe
           text, no header), then, when the model's emojify.backoff is
           "suffix", its other forms are (suffix_forms below, as
           core/suffix.c lists them; the first found lends its vector); a
           word still without a vector is left out (seqtool's default --oov
           skip); a line with no word left gets --default-class (the model's
           emojify.default_class with --weights, else 0).
  model    frozen nn.Embedding of the vectors -> nn.LSTM(50, 128) returning
           its sequence -> dropout 0.5 -> nn.LSTM(128, 128), its last state
           -> dropout 0.5 -> nn.Linear(128, 5) -> softmax; argmax is the
           class.  Eval mode, so dropout passes values through.
  steps    a line of n words is read for max(n, pad_to) steps, zero
           vectors after its words (the model's emojify.pad_to; 0 with
           --random-weights), as seqtool reads it.
  batches  --batch lines (default 1000) in input order, right-padded and
           packed with pack_padded_sequence(enforce_sorted=False), so each
           line ends in the state of its own last step and no work goes to
           the padding; under torch.no_grad().
  weights  --weights: the LSTM and output tensors of a seqtool v2 model file
           (safetensors, read here with json + numpy: lstm.weight_ih_l0,
           weight_hh_l0, bias_ih_l0, the same for _l1, out.weight, out.bias;
           PyTorch's gate order i f g o; seqtool has no second bias, so
           bias_hh is zero); the embedding rows come from VECTORS, not from
           the model.  --random-weights: PyTorch's default initialisation of
           the same shapes, seeded by --seed.
  output   the class number of each line, one per line, on OUT (default
           stdout).  Timed from reading IN to OUT written (tokenizing and
           the look-ups included; the torch import and the loading of
           vectors and weights not).
  report   one JSON line on stderr: lines, seconds, lines_per_s,
           load_seconds, no_known_word, words, known_words, batch, threads,
           torch, blas (the BLAS libraries this process has mapped, from
           /proc/self/maps), weights; with --test also test_correct,
           test_total, test_accuracy (no output file then).

sentences: N lines made from the sentences of the CSV files (sentence,label;
  quotes and extra columns as the course's files have them), reproducibly
  from --seed: each line is, with probability 0.4 a pool sentence as it is,
  0.4 the front of one joined to the back of another, 0.2 two sentences
  joined by "and"; written as its words (text_words above) separated by
  single spaces, so every side reads the same plain lower-case text.

fasttext: the rows of CSV as fastText's supervised format ("__label__N
  word word ..."), to TRAIN.txt; the words alone to TEXT.txt and the labels
  (N) to LABELS.txt, one line per row.

vec: VECTORS (GloVe text, no header) as a .vec file with fastText's
  "count dim" header line.
"""
import csv
import json
import random
import re
import struct
import sys

from peerlib import Stopwatch, parser, report, torch_setup

CLASSES = 5
HIDDEN = 128
CLITICS = ("n't", "'s", "'m", "'d", "'re", "'ve", "'ll")
PUNCT = frozenset(chr(c) for c in list(range(33, 48)) + list(range(58, 65)) +
                  list(range(91, 97)) + list(range(123, 127)))
BLANKS = re.compile(r"[ \t\r\n\v\f]+")
LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


# ---- words, as core/text.c text_words cuts them ---------------------------

def words(s):
    s = s.replace("\u2019", "'").translate(LOWER)
    out = []
    for tok in BLANKS.split(s):
        n = len(tok)
        if n == 0:
            continue
        a = 0
        while a < n and tok[a] in PUNCT:
            a += 1
        if a == n or tok in CLITICS:
            out.append(tok)
            continue
        out.extend(tok[:a])             # leading punctuation, one byte each
        e = n
        while tok[e - 1] in PUNCT:
            e -= 1
        w = tok[a:e]
        c = len(w)
        for cl in CLITICS:
            if len(w) > len(cl) and w.endswith(cl):
                c = len(w) - len(cl)
                break
        if c:
            out.append(w[:c])
        if c < len(w):
            out.append(w[c:])
        k = e
        while k < n:                    # trailing punctuation; '...' stays one
            r = k + 1
            if tok[k] == ".":
                while r < n and tok[r] == ".":
                    r += 1
            out.append(tok[k:r])
            k = r
    return out


# ---- the suffix back-off, as core/suffix.c lists a word's forms -----------
SUFFIXES = ("ations", "ation", "ments", "ment", "ness", "iest", "ies", "ied", "ier", "ily",
            "ing", "ers", "est", "ity", "ed", "es", "er", "ly", "en", "s")
VOWELS = "aeiouy"


def suffix_forms(w):
    stem = None
    for suf in SUFFIXES:
        if len(w) >= len(suf) + 3 and w.endswith(suf) and not (suf == "s" and w[-2] == "s"):
            stem = w[:-len(suf)]
            break
    if stem is None:
        return []
    forms = []
    if suf[0] == "i" and suf not in ("ing", "ity"):
        forms += [stem + "y", stem + "ie"]
    cvc = stem[-3] not in VOWELS and stem[-2] in VOWELS and stem[-1] not in VOWELS + "wx"
    forms += [stem + "e", stem] if cvc else [stem, stem + "e"]
    if len(stem) > 3 and stem[-1] == stem[-2] and stem[-1] not in VOWELS:
        forms.append(stem[:-1])
    forms += [stem + x for x in SUFFIXES]
    out = []
    for f in forms:
        if f != w and f not in out and len(f.encode()) < 64:
            out.append(f)
    return out


def read_csv(path):
    """[(sentence, label)] of a course-style CSV (label in column 2)."""
    rows = []
    with open(path, encoding="utf-8", newline="") as f:
        for n, r in enumerate(csv.reader(f), 1):
            if not r or not "".join(r).strip():
                continue
            if len(r) < 2:
                sys.exit("emojify_peer: %s:%d: expected sentence,label" % (path, n))
            rows.append((r[0], int(r[1].strip())))
    return rows


# ---- helpers -----------------------------------------------------------------

def cmd_sentences(a):
    pool = []
    for p in a.csv:
        pool += [w for w in (words(s) for s, _ in read_csv(p)) if w]
    if not pool:
        sys.exit("emojify_peer: no sentences in %s" % " ".join(a.csv))
    rng = random.Random(a.seed)
    out = sys.stdout
    for _ in range(a.n):
        r = rng.random()
        x = rng.choice(pool)
        if r < 0.4:
            w = x
        elif r < 0.8:
            y = rng.choice(pool)
            w = x[:rng.randint(1, len(x))] + y[rng.randint(0, len(y) - 1):]
        else:
            w = x + ["and"] + rng.choice(pool)
        out.write(" ".join(w) + "\n")
    return 0


def cmd_fasttext(a):
    rows = read_csv(a.csv)
    with open(a.train, "w", encoding="utf-8") as tr, \
         open(a.text, "w", encoding="utf-8") as tx, \
         open(a.labels, "w", encoding="utf-8") as lb:
        for s, y in rows:
            w = " ".join(words(s))
            tr.write("__label__%d %s\n" % (y, w))
            tx.write(w + "\n")
            lb.write("%d\n" % y)
    return 0


def cmd_vec(a):
    with open(a.vectors, encoding="utf-8") as f:
        lines = [ln for ln in f if ln.strip()]
    dim = len(lines[0].split()) - 1
    with open(a.out, "w", encoding="utf-8") as o:
        o.write("%d %d\n" % (len(lines), dim))
        o.writelines(ln if ln.endswith("\n") else ln + "\n" for ln in lines)
    return 0


# ---- the model -----------------------------------------------------------------

def read_safetensors(path):
    """{name: numpy array} and the metadata of a safetensors file."""
    import numpy as np
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    head = json.loads(data[8:8 + n].decode("utf-8"))
    meta = head.pop("__metadata__", {})
    base = 8 + n
    types = {"F32": np.float32, "F64": np.float64, "I32": np.int32, "I64": np.int64, "U8": np.uint8}
    out = {}
    for name, t in head.items():
        lo, hi = t["data_offsets"]
        out[name] = np.frombuffer(data[base + lo:base + hi], dtype=types[t["dtype"]]).reshape(t["shape"])
    return out, meta


def read_vectors(path):
    import numpy as np
    index, rows = {}, []
    with open(path, encoding="utf-8") as f:
        for ln in f:
            p = ln.rstrip("\n").split(" ")
            if len(p) < 2 or p[0] in index:
                continue
            index[p[0]] = len(rows) + 1          # row 0 is the padding
            rows.append(p[1:])
    emb = np.zeros((len(rows) + 1, len(rows[0])), dtype=np.float32)
    emb[1:] = np.array(rows, dtype=np.float32)
    return index, emb


def cmd_predict(a):
    torch = torch_setup(a.threads, a.seed)
    import torch.nn as nn
    from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence

    class EmojifierV2(nn.Module):
        def __init__(self, emb):
            super().__init__()
            self.embedding = nn.Embedding.from_pretrained(torch.from_numpy(emb), freeze=True, padding_idx=0)
            self.lstm1 = nn.LSTM(emb.shape[1], HIDDEN, batch_first=True)
            self.lstm2 = nn.LSTM(HIDDEN, HIDDEN, batch_first=True)
            self.drop = nn.Dropout(0.5)
            self.out = nn.Linear(HIDDEN, CLASSES)

        def forward(self, ids, lengths):
            x = pack_padded_sequence(self.embedding(ids), lengths, batch_first=True, enforce_sorted=False)
            y, _ = self.lstm1(x)
            y = PackedSequence(self.drop(y.data), y.batch_sizes, y.sorted_indices, y.unsorted_indices)
            _, (h, _) = self.lstm2(y)
            return torch.softmax(self.out(self.drop(h[-1])), dim=1)

    clock = Stopwatch()
    index, emb = read_vectors(a.vectors)
    model = EmojifierV2(emb)
    default = a.default_class
    pad_to, backoff = 0, False
    if a.weights:
        w, meta = read_safetensors(a.weights)
        if meta.get("emojify.model") != "v2":
            sys.exit("emojify_peer: %s is not a seqtool emojify v2 model" % a.weights)
        if int(meta.get("emojify.hidden", HIDDEN)) != HIDDEN or int(meta.get("emojify.classes", CLASSES)) != CLASSES:
            sys.exit("emojify_peer: %s: hidden %s, classes %s (want %d, %d)" % (
                a.weights, meta.get("emojify.hidden"), meta.get("emojify.classes"), HIDDEN, CLASSES))
        if default is None:
            default = int(meta.get("emojify.default_class", 0))
        pad_to = int(meta.get("emojify.pad_to", 0))
        backoff = meta.get("emojify.backoff", "none") == "suffix"
        with torch.no_grad():
            for lstm, l in ((model.lstm1, "l0"), (model.lstm2, "l1")):
                lstm.weight_ih_l0.copy_(torch.from_numpy(w["lstm.weight_ih_" + l].copy()))
                lstm.weight_hh_l0.copy_(torch.from_numpy(w["lstm.weight_hh_" + l].copy()))
                lstm.bias_ih_l0.copy_(torch.from_numpy(w["lstm.bias_ih_" + l].copy()))
                lstm.bias_hh_l0.zero_()
            model.out.weight.copy_(torch.from_numpy(w["out.weight"].copy()))
            model.out.bias.copy_(torch.from_numpy(w["out.bias"].copy()))
    if default is None:
        default = 0
    model.eval()
    load_s = clock.seconds()

    stats = dict(words=0, known=0, empty=0)
    borrowed = {}

    def lookup(w):
        i = index.get(w)
        if i is None and backoff:
            if w not in borrowed:
                borrowed[w] = next((index[f] for f in suffix_forms(w) if f in index), None)
            i = borrowed[w]
        return i

    def classify(lines):
        preds = []
        with torch.no_grad():
            for b0 in range(0, len(lines), a.batch):
                ids = []
                for s in lines[b0:b0 + a.batch]:
                    ws = words(s)
                    row = [i for i in map(lookup, ws) if i is not None]
                    stats["words"] += len(ws)
                    stats["known"] += len(row)
                    ids.append(row)
                full = [i for i, r in enumerate(ids) if r]
                got = [default] * len(ids)
                stats["empty"] += len(ids) - len(full)
                if full:
                    lengths = torch.tensor([max(len(ids[i]), pad_to) for i in full])
                    x = torch.zeros((len(full), int(lengths.max())), dtype=torch.long)
                    for j, i in enumerate(full):
                        x[j, :len(ids[i])] = torch.tensor(ids[i])
                    cls = model(x, lengths).argmax(dim=1).tolist()
                    for j, i in enumerate(full):
                        got[i] = cls[j]
                preds += got
        return preds

    rep = dict(batch=a.batch, threads=torch.get_num_threads(), torch=torch.__version__,
               weights=a.weights or "random (seed %d)" % a.seed, default_class=default,
               vocab=len(index), pad_to=pad_to, backoff=backoff, load_seconds=load_s)
    if a.test:
        rows = read_csv(a.test)
        clock = Stopwatch()
        preds = classify([s for s, _ in rows])
        secs = clock.seconds()
        ok = sum(p == y for p, (_, y) in zip(preds, rows))
        rep.update(test_correct=ok, test_total=len(rows), test_accuracy=ok / len(rows))
    else:
        clock = Stopwatch()
        fin = open(a.input, "rb") if a.input not in (None, "-") else sys.stdin.buffer
        lines = fin.read().decode("utf-8", errors="replace").split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        preds = classify(lines)
        text = "".join("%d\n" % p for p in preds)
        if a.output not in (None, "-"):
            with open(a.output, "w") as f:
                f.write(text)
        else:
            sys.stdout.write(text)
            sys.stdout.flush()
        secs = clock.seconds()
        rep.update(lines=len(lines), seconds=secs, lines_per_s=len(lines) / secs if secs > 0 else 0)
    rep.update(seconds=secs, no_known_word=stats["empty"], words=stats["words"],
               known_words=stats["known"])
    report(rep, sys.stderr)
    return 0


def main(argv):
    p = parser(__doc__)
    sub = p.add_subparsers(dest="cmd", required=True)
    q = sub.add_parser("predict")
    q.add_argument("-v", "--vectors", required=True)
    g = q.add_mutually_exclusive_group(required=True)
    g.add_argument("--weights")
    g.add_argument("--random-weights", action="store_true")
    q.add_argument("--seed", type=int, default=1)
    q.add_argument("--batch", type=int, default=1000)
    q.add_argument("--threads", type=int, default=1)
    q.add_argument("--default-class", type=int)
    q.add_argument("--test")
    q.add_argument("input", nargs="?")
    q.add_argument("output", nargs="?")
    q = sub.add_parser("sentences")
    q.add_argument("n", type=int)
    q.add_argument("csv", nargs="+")
    q.add_argument("--seed", type=int, default=1)
    q = sub.add_parser("fasttext")
    for x in ("csv", "train", "text", "labels"):
        q.add_argument(x)
    q = sub.add_parser("vec")
    q.add_argument("vectors")
    q.add_argument("out")
    a = p.parse_args(argv)
    return {"predict": cmd_predict, "sentences": cmd_sentences,
            "fasttext": cmd_fasttext, "vec": cmd_vec}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
