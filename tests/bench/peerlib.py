"""What the Python peers of tests/bench share (dinos_peer.py, nmt_peer.py,
emojify_peer.py, w2v_peer.py), and tests/crosscheck.py with them.

A peer imports it from its own folder (`import peerlib`: Python puts a
script's folder first on sys.path); tests/crosscheck.py adds tests/bench to
sys.path. Only the standard library is imported here: torch comes in with
the functions that need it, so a peer without torch (w2v_peer.py) can use
the rest.

parser(doc)              an ArgumentParser described by the first line of doc
blas_maps()              the BLAS libraries this process has mapped
report(res, out)         res as one JSON line, "blas": blas_maps() added
torch_setup(threads, seed)  torch on THREADS threads (one inter-op thread),
                         seeded; returns the torch module
Stopwatch()              a clock started: .seconds() since then
read_names(path)         a names file as seqtool dinos reads it
names_onehot(names, vocab, dtype)  the dinos inputs and targets of a batch

Which BLAS a peer gets is chosen outside it, by the bench's environment
(LD_LIBRARY_PATH to the folder of one libblas.so.3, OPENBLAS_NUM_THREADS=1:
tests/bench/lib.sh envrun); blas_maps() reports what was loaded.
"""
import argparse
import json
import os
import sys
import time


def parser(doc):
    """An ArgumentParser whose description is the first line of doc (a
    peer's __doc__)."""
    return argparse.ArgumentParser(description=doc.split("\n")[0])


def blas_maps():
    """The BLAS shared objects this process has mapped (/proc/self/maps):
    the files named lib*blas* or lib*mkl*, sorted. Python extension modules
    that merely wrap a BLAS (scipy's _fblas, cython_blas) are not listed."""
    libs = set()
    try:
        with open("/proc/self/maps") as f:
            for ln in f:
                parts = ln.split()
                if len(parts) < 6:
                    continue
                base = os.path.basename(parts[-1])
                if base.startswith("lib") and ("blas" in base or "mkl" in base):
                    libs.add(parts[-1])
    except OSError:
        pass
    return sorted(libs)


def report(res, out=None):
    """Write the dict res as one JSON line to out (default: stdout), with
    "blas": blas_maps() added (last, unless res has that key already)."""
    out = out or sys.stdout
    out.write(json.dumps(dict(res, blas=blas_maps())) + "\n")
    out.flush()


def torch_setup(threads, seed):
    """Import torch, run its operations on `threads` threads with one
    inter-op thread, seed its generator; return the module."""
    import torch
    torch.set_num_threads(threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:        # once parallel work has started, it is fixed
        pass
    torch.manual_seed(seed)
    return torch


class Stopwatch:
    """Wall time by time.perf_counter, from the making of the Stopwatch:
    clock = Stopwatch(); work(); clock.seconds()"""

    def __init__(self):
        self.start = time.perf_counter()

    def seconds(self):
        return time.perf_counter() - self.start


def read_names(path):
    """The names of a file as seqtool dinos reads them: every line that is
    not empty, without its line end, lower-cased."""
    with open(path, encoding="utf-8") as f:
        return [ln.rstrip("\r\n").lower() for ln in f if ln.rstrip("\r\n")]


def names_onehot(names, vocab, dtype=None):
    """x (B, T, V) and y (B, T) for the names, T = the longest name + 1,
    V = len(vocab): x[b] is a zero START vector, then the one-hot characters
    of name b; y[b] its characters, then "\\n", then -100 on the padding
    (cross_entropy's ignore_index). dtype: x's (None: torch's default).
    ValueError for a character outside vocab."""
    import torch
    ids = {c: i for i, c in enumerate(vocab)}
    for n in names:
        bad = sorted(set(c for c in n if c not in ids or c == "\n"))
        if bad:
            raise ValueError("name %r has characters not in the vocabulary: %r"
                             % (n, bad))
    end = ids["\n"]
    B, V = len(names), len(vocab)
    T = max(len(n) for n in names) + 1
    x = torch.zeros(B, T, V, dtype=dtype)
    y = torch.full((B, T), -100, dtype=torch.long)
    for b, n in enumerate(names):
        for t, c in enumerate(n):
            x[b, t + 1, ids[c]] = 1.0
            y[b, t] = ids[c]
        y[b, len(n)] = end
    return x, y
