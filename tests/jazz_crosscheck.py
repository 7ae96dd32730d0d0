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

The reference is the network of cmd/jazz/melody.h written again here in
PyTorch, float64, from that description and the weights alone:
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
from crosscheck import read_safetensors  # noqa: E402

FIELDS = ["rest", "pitch", "dur", "pos", "root", "quality"]
NO_ROOT = 12


def embed(table, ids):
    """Rows of table for ids [T][B] (zeros where the id is -1)."""
    idx = ids.clamp(min=0)
    rows = table[idx]
    return rows * (ids >= 0).unsqueeze(-1).to(rows.dtype)


def lstm_layer(x, mask, w_ih, w_hh, b_ih):
    """PyTorch's LSTM equations (gates i f g o), state held on padding."""
    T, B, _ = x.shape
    H = w_hh.shape[1]
    h = x.new_zeros(B, H)
    c = x.new_zeros(B, H)
    out = []
    for t in range(T):
        g = x[t] @ w_ih.T + b_ih + h @ w_hh.T
        i, f, u, o = g.split(H, dim=1)
        c_new = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(u)
        h_new = torch.sigmoid(o) * torch.tanh(c_new)
        m = mask[t].unsqueeze(1)
        c = m * c_new + (1 - m) * c
        h = m * h_new + (1 - m) * h
        out.append(h)
    return torch.stack(out)


def reference(meta, w, batch):
    layers = int(meta["jazz.layers"])
    tones = int(meta["jazz.chord_tones"])
    inp = {f: torch.tensor(batch["in." + f], dtype=torch.long) for f in FIELDS}
    out = {f: torch.tensor(batch["out." + f], dtype=torch.long) for f in FIELDS}
    mask = torch.tensor(batch["mask"], dtype=torch.float64)
    emb = {f: w["emb." + f] for f in FIELDS}

    x = torch.cat([embed(emb[f], inp[f]) for f in FIELDS], dim=-1)
    for k in range(layers):
        x = lstm_layer(x, mask, w["lstm.weight_ih_l%d" % k], w["lstm.weight_hh_l%d" % k],
                       w["lstm.bias_ih_l%d" % k])
    h = x
    z = torch.cat([h, embed(emb["root"], out["root"]), embed(emb["quality"], out["quality"]),
                   embed(emb["pos"], out["pos"])], dim=-1)
    zd = torch.cat([z, embed(emb["pitch"], out["pitch"])], dim=-1)
    logit_rest = h @ w["head.rest.weight"].T + w["head.rest.bias"]
    logit_pitch = z @ w["head.pitch.weight"].T + w["head.pitch.bias"]
    if tones:
        C = w["head.pitch.chord_tone"]
        root = out["root"]
        has = (root >= 0) & (root != NO_ROOT)
        pitches = torch.arange(logit_pitch.shape[-1])
        interval = (pitches.view(1, 1, -1) - root.clamp(min=0).unsqueeze(-1)) % 12
        qual = torch.where(has, out["quality"], 0).unsqueeze(-1).expand_as(interval)
        bias = C[qual, interval] * has.unsqueeze(-1).to(C.dtype)
        logit_pitch = logit_pitch + bias
    logit_dur = zd @ w["head.dur.weight"].T + w["head.dur.bias"]

    real = out["rest"] >= 0
    nll = {}
    for name, logits, target in (("rest", logit_rest, out["rest"]),
                                 ("pitch", logit_pitch, out["pitch"]),
                                 ("dur", logit_dur, out["dur"])):
        logp = torch.log_softmax(logits, dim=-1)
        picked = logp.gather(-1, target.clamp(min=0).unsqueeze(-1)).squeeze(-1)
        nll[name] = -(picked * real.to(picked.dtype)).sum()
    return nll


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
