#!/usr/bin/python3
"""Write a synthetic GloVe-format text file, for tests/bench/w2v.sh.

usage: make_glove.py N DIM OUT [--seed S]

N lines "word v1 ... vDIM": no header, single spaces, LF, like Stanford's
glove.6B.*.txt. Values are N(0, 0.4) printed as GloVe prints them (%.5g: up
to 5 significant digits, sign, trailing zeros dropped, an exponent for the
few below 1e-4), so a line of 50 is about as long as a real one. Words are
unique, lower-case ASCII letters with GloVe's length mix (mean about 7), one
in 500 with an accented letter (UTF-8, 2 bytes), and a few with a hyphen or
an apostrophe. The same N DIM S always give the same bytes. OUT is written
to OUT.tmp and renamed.
"""
import argparse
import os
import random
import sys

import numpy as np

# English letter frequencies (per mille), for plausible-looking words
LETTERS = "etaoinshrdlcumwfgypbvkjxqz"
WEIGHTS = [127, 91, 82, 75, 70, 67, 63, 61, 60, 43, 40, 28, 28, 24, 24, 22,
           20, 20, 19, 15, 10, 8, 2, 2, 1, 1]
# word lengths 1..20 as in glove.6B.50d's first 13,603 words
LENGTHS = list(range(1, 21))
LEN_WEIGHTS = [75, 270, 702, 1323, 1633, 1961, 2066, 1761, 1437, 1014, 647,
               368, 184, 93, 36, 19, 5, 5, 1, 1]
ACCENTED = "éèáàöüñçíóúâêô"


def words(n, rng):
    seen = set()
    out = []
    while len(out) < n:
        k = rng.choices(LENGTHS, LEN_WEIGHTS)[0]
        w = rng.choices(LETTERS, WEIGHTS, k=k)
        r = rng.random()
        if r < 0.002:
            w[rng.randrange(k)] = rng.choice(ACCENTED)
        elif r < 0.004 and k > 2:
            w[rng.randrange(1, k - 1)] = "-"
        elif r < 0.005 and k > 2:
            w[-2] = "'"
        w = "".join(w)
        if w not in seen:
            seen.add(w)
            out.append(w)
    return out


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("n", type=int)
    p.add_argument("dim", type=int)
    p.add_argument("out")
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args(argv)
    if a.n < 1 or a.dim < 1:
        sys.exit("make_glove: N and DIM must be positive")
    rng = random.Random(a.seed)
    vocab = words(a.n, rng)
    gen = np.random.default_rng(a.seed)
    fmt = " ".join(["%.5g"] * a.dim)
    tmp = a.out + ".tmp"
    chunk = 10000
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        for start in range(0, a.n, chunk):
            block = gen.normal(0.0, 0.4, (min(chunk, a.n - start), a.dim))
            f.write("".join("%s %s\n" % (w, fmt % tuple(row))
                            for w, row in zip(vocab[start:start + chunk], block.tolist())))
    os.replace(tmp, a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
