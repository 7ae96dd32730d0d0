#!/usr/bin/python3
"""Cross-check the jazz melody model's loss and gradients against PyTorch.

usage: jazz_crosscheck.py [--tol 1e-4] DIR

DIR holds what `test_jazz --dump DIR` wrote:
  model.safetensors  a jazz model (metadata jazz.hidden, jazz.layers,
                     jazz.emb, jazz.chord_tones, every tensor)
  batch.safetensors  in.<field>, out.<field> [T][B]: the class ids of each
                     step's input note and target note (-1: none), mask
                     [T][B]; metadata nll.rest, nll.pitch, nll.dur (nats,
                     summed over the real notes); grad.<tensor>: the
                     gradient of their sum

The reference is the network of cmd/jazz/melody.h written again in
PyTorch (tests/bench/peerlib.py's jazz_logits, which the bench peer
tests/bench/jazz_peer.py trains too), float64, from that description and
the weights alone:
embeddings of the input note's six fields -> LSTM stack (a padded step
carries the state) -> rest head on h; pitch head on [h, root, quality,
position] plus the chord-tone bias C[quality][(pitch - root) mod 12];
duration head on [that, pitch].  Acceptance as tests/crosscheck.py's:
each NLL within tol of its reference, each gradient tensor within tol of
its largest reference magnitude.  Prints one line; exits 1 on failure.
"""
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from crosscheck import read_safetensors  # noqa: E402  (puts tests/bench on sys.path)
from peerlib import JAZZ_FIELDS, jazz_logits, jazz_lstm_reference, jazz_nll  # noqa: E402


def reference(meta, w, batch):
    """The summed NLL of each head, from the network of peerlib.jazz_logits
    with its step-by-step LSTM (jazz_lstm_reference)."""
    inp = {f: torch.tensor(batch["in." + f], dtype=torch.long) for f in JAZZ_FIELDS}
    out = {f: torch.tensor(batch["out." + f], dtype=torch.long) for f in JAZZ_FIELDS}
    mask = torch.tensor(batch["mask"], dtype=torch.float64)
    logits = jazz_logits(w, inp, out, int(meta["jazz.layers"]), int(meta["jazz.chord_tones"]),
                         jazz_lstm_reference(w, mask))
    return jazz_nll(logits, out)


def main(argv):
    tol = 1e-4
    if len(argv) >= 2 and argv[0] == "--tol":
        tol = float(argv[1])
        argv = argv[2:]
    if len(argv) != 1:
        print(__doc__.split("\n\n")[1])
        return 2
    d = argv[0]
    meta, tensors = read_safetensors(os.path.join(d, "model.safetensors"))
    bmeta, batch = read_safetensors(os.path.join(d, "batch.safetensors"))
    if meta.get("seqtool.kind") != "jazz":
        print("not ok - jazz crosscheck: model.safetensors is not a jazz model")
        return 1
    w = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in tensors.items()}
    nll = reference(meta, w, batch)
    total = nll["rest"] + nll["pitch"] + nll["dur"]
    total.backward()
    bad = []
    for name in ("rest", "pitch", "dur"):
        want = nll[name].item()
        got = float(bmeta["nll." + name])
        if abs(got - want) > tol * max(abs(want), 1e-6):
            bad.append("nll.%s %.9g, reference %.9g" % (name, got, want))
    worst = 0.0
    for name, p in w.items():
        key = "grad." + name
        if key not in batch:
            bad.append("%s missing" % key)
            continue
        ref = p.grad.numpy()
        got = batch[key].astype(np.float64)
        if got.shape != ref.shape:
            bad.append("%s shape %r, reference %r" % (key, got.shape, ref.shape))
            continue
        if np.abs(ref).max() < 1e-8:  # e.g. weights all equal: nothing to compare
            bad.append("%s: the reference gradient is zero, the check would say nothing" % key)
            continue
        scale = max(np.abs(ref).max(), 1e-6)
        err = np.abs(got - ref).max() / scale
        worst = max(worst, err)
        if err > tol:
            bad.append("%s off by %.2e of its largest magnitude" % (key, err))
    if bad:
        print("not ok - jazz crosscheck against PyTorch: " + "; ".join(bad))
        return 1
    print("ok - jazz crosscheck against PyTorch: NLL of each head and every gradient "
          "(%d tensors) within %g (worst %.1e)" % (len(w), tol, worst))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
