#!/usr/bin/python3
"""k-fold cross-validation of `seqtool emojify train` on one labelled CSV:
how the defaults of emojify were chosen without looking at a test set.

usage: tests/emojify_cv.py TRAIN.csv VECTORS [--folds K] [--seeds 1,2,3]
           [--seqtool PATH] -- TRAIN OPTIONS...

The rows are dealt into K folds class by class after a fixed shuffle
(random.Random(0)), so every fold has each class's share.  For each seed
and fold, seqtool trains on the other folds with the given options and
scores the held-out fold (train --test, which reads the fold's words
outside the training vocabulary from VECTORS, as predict -v does).  Prints
the held-out sentences right per seed (summed over the folds) and their
mean.  Standard library only; the folds go to a temporary folder.

Example (README.md, "seqtool emojify"):
  tests/emojify_cv.py ../shared/datasets/course/emojify/train_emoji.csv \\
      ../shared/datasets/vectors/glove.6B.50d.subset.txt -- --arch v2 --pad-to 0
"""
import argparse
import csv
import json
import random
import statistics
import subprocess
import sys
import tempfile


def folds_of(rows, k):
    by_class = {}
    for r in rows:
        by_class.setdefault(r[1].strip(), []).append(r)
    rnd = random.Random(0)
    folds = [[] for _ in range(k)]
    i = 0
    for label in sorted(by_class):
        members = by_class[label][:]
        rnd.shuffle(members)
        for r in members:
            folds[i % k].append(r)
            i += 1
    return folds


def write(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        for r in rows:
            w.writerow(r[:2])


def main():
    argv = sys.argv[1:]
    extra = []
    if "--" in argv:
        extra = argv[argv.index("--") + 1:]
        argv = argv[:argv.index("--")]
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("train")
    ap.add_argument("vectors")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seeds", default="1,2,3")
    ap.add_argument("--seqtool", default="./seqtool")
    a = ap.parse_args(argv)
    with open(a.train, encoding="utf-8-sig") as f:
        rows = [r for r in csv.reader(f) if len(r) >= 2 and r[0].strip() and r[1].strip().isdigit()]
    folds = folds_of(rows, a.folds)
    per_seed = []
    with tempfile.TemporaryDirectory() as d:
        for seed in [int(s) for s in a.seeds.split(",")]:
            right = 0
            for k in range(a.folds):
                write(d + "/train.csv", [r for j in range(a.folds) if j != k for r in folds[j]])
                write(d + "/held.csv", folds[k])
                out = subprocess.run([a.seqtool, "emojify", "train", d + "/train.csv", "-v", a.vectors,
                                      "-o", d + "/m.safetensors", "--test", d + "/held.csv",
                                      "--seed", str(seed), "-q", "--json"] + extra,
                                     capture_output=True, text=True, check=True)
                right += json.loads(out.stdout)["test"]["correct"]
            per_seed.append(right)
    print("%s | held-out right per seed %s of %d | mean %.1f"
          % (" ".join(extra) or "(defaults)", per_seed, len(rows), statistics.mean(per_seed)))


if __name__ == "__main__":
    main()
