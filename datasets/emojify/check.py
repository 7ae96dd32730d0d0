#!/usr/bin/env python3
"""Validate datasets/emojify/train.csv and test.csv (standard library only).

Each line must be `sentence,label`: plain ASCII, no header, no quotes, exactly
one comma, a non-empty sentence of 2 to 20 words, a label from 0 to 4.  No
sentence may appear twice, within a file or across the two files (compared
case-insensitively, whitespace collapsed).  Each class must hold 15-25% of
each file.  Prints the counts per class; exits 1 on any error.

Usage: python3 datasets/emojify/check.py [DIR]   (DIR defaults to this file's)
"""
import os
import sys

NAMES = ["love", "sports", "happy", "sad", "food"]
FILES = ["train.csv", "test.csv"]
MINIMUM = {"train.csv": 300, "test.csv": 100}


def check(directory):
    errors = []
    seen = {}  # normalised sentence -> "file:line"
    counts = {}
    for name in FILES:
        path = os.path.join(directory, name)
        counts[name] = [0] * len(NAMES)
        with open(path, "rb") as f:
            data = f.read()
        if data and not data.endswith(b"\n"):
            errors.append(f"{name}: no newline at end of file")
        if b"\r" in data:
            errors.append(f"{name}: carriage return (CRLF line ends)")
        lines = data.split(b"\n")
        if data.endswith(b"\n"):
            lines.pop()
        for number, raw in enumerate(lines, 1):
            where = f"{name}:{number}"
            try:
                line = raw.decode("ascii")
            except UnicodeDecodeError:
                errors.append(f"{where}: not ASCII")
                continue
            if line.count(",") != 1:
                errors.append(f"{where}: expected exactly one comma: {line!r}")
                continue
            sentence, label = line.split(",")
            if '"' in sentence or "\t" in sentence:
                errors.append(f"{where}: quote or tab in sentence: {sentence!r}")
            if sentence != sentence.strip() or not sentence:
                errors.append(f"{where}: empty sentence or space at its ends: {sentence!r}")
            words = sentence.split()
            if not 2 <= len(words) <= 20:
                errors.append(f"{where}: {len(words)} words: {sentence!r}")
            if label not in ("0", "1", "2", "3", "4"):
                errors.append(f"{where}: label {label!r} is not 0-4")
                continue
            counts[name][int(label)] += 1
            key = " ".join(words).lower()
            if key in seen:
                errors.append(f"{where}: duplicate of {seen[key]}: {sentence!r}")
            else:
                seen[key] = where
    for name in FILES:
        total = sum(counts[name])
        if total < MINIMUM[name]:
            errors.append(f"{name}: {total} sentences, fewer than {MINIMUM[name]}")
        for label, n in enumerate(counts[name]):
            if total and not 0.15 <= n / total <= 0.25:
                errors.append(f"{name}: class {label} is {n}/{total} = {n / total:.1%}, outside 15-25%")
    return counts, errors


def main():
    directory = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    counts, errors = check(directory)
    print("label  class   " + "  ".join(f"{name:>9}" for name in FILES))
    for label, cls in enumerate(NAMES):
        print(f"{label:>5}  {cls:<6}  " + "  ".join(f"{counts[name][label]:>9}" for name in FILES))
    print("total         " + "  ".join(f"{sum(counts[name]):>9}" for name in FILES))
    for e in errors:
        print("error: " + e, file=sys.stderr)
    print(("FAIL: %d error(s)" % len(errors)) if errors else "OK", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
