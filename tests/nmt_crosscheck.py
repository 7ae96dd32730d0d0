#!/usr/bin/python3
"""Cross-check the date translator's loss and gradients against PyTorch.

usage: nmt_crosscheck.py [--tol 1e-4] DIR

DIR holds what `test_nmt --dump DIR` wrote:
  model.safetensors  an nmt model (metadata nmt.tx, nmt.n_a, nmt.n_s,
                     nmt.attention_units, nmt.chars; every tensor)
  batch.safetensors  ids [Tx][B] (input ids, -1 padding) and targets
                     [Ty][B] (output symbols 0-10) as F32; metadata loss
                     (nats per row, summed over the steps); grad.<tensor>:
                     the gradient of that loss

The reference is the network of cmd/nmt/seq2seq.h and core/attention.h
written again in PyTorch, float64, from that description and the weights
alone, one row at a time over its own positions (what seqtool's padding
and masking must amount to):
  encoder    torch.nn.LSTM(V, n_a, bidirectional=True) on the one-hot ids
  attention  u = tanh(W_s s + W_a a<t'> + b), e = relu(w . u + c),
             alpha = softmax of e over t', context = sum alpha a<t'>
  decoder    torch.nn.LSTMCell(2 n_a, n_s) fed the context, s<0> = c<0> = 0
  output     torch.nn.Linear(n_s, 11), cross-entropy summed over 10 steps
seqtool's LSTMs have one bias (bias_ih): torch's bias_hh is held at 0.

Acceptance as tests/crosscheck.py's: the loss within tol of the
reference, each gradient tensor within tol of its largest reference
magnitude.  And so that the check says something: every energy at least
1e-4 from relu's kink (no float32 rounding can flip one), some clamped
and some not, and the same network reading the padding as zero inputs and
attending to it (no mask) must miss seqtool's loss or gradients by more
than 10 tol.  Prints one line; exits 1 on failure.
"""
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from crosscheck import judge, read_safetensors  # noqa: E402

TY, NOUT, FIRST_CHAR = 10, 11, 3
ATTENTION = ("query.weight", "key.weight", "key.bias", "energy.weight", "energy.bias")
KINK = 1e-4


def load(module, w, prefix):
    """module (float64) with the weights w[prefix + parameter name]; torch's
    bias_hh, which seqtool's LSTMs do not have, held at 0. Returns
    {file name: parameter} of the parameters that come from the file."""
    used = {}
    for name, p in module.double().named_parameters():
        with torch.no_grad():
            if name.startswith("bias_hh"):
                p.zero_()
                p.requires_grad_(False)
                continue
            src = torch.from_numpy(w[prefix + name].astype(np.float64))
            if src.shape != p.shape:
                raise ValueError("%s%s has shape %r, torch's %r"
                                 % (prefix, name, tuple(src.shape), tuple(p.shape)))
            p.copy_(src)
        used[prefix + name] = p
    return used


class Reference:
    """The network of seq2seq.h with the weights of one file."""

    def __init__(self, meta, w):
        if meta.get("seqtool.kind") != "nmt":
            raise ValueError("model.safetensors is not an nmt model")
        n_a, n_s = int(meta["nmt.n_a"]), int(meta["nmt.n_s"])
        self.V = FIRST_CHAR + len(meta["nmt.chars"])
        self.n_s = n_s
        self.enc = torch.nn.LSTM(self.V, n_a, bidirectional=True)
        self.dec = torch.nn.LSTMCell(2 * n_a, n_s)
        self.out = torch.nn.Linear(n_s, NOUT)
        self.p = load(self.enc, w, "encoder.")
        self.p.update(load(self.dec, w, "decoder."))
        self.p.update(load(self.out, w, "out."))
        for name in ATTENTION:
            self.p["attention." + name] = torch.tensor(w["attention." + name], dtype=torch.float64,
                                                       requires_grad=True)
        if set(w) != set(self.p):
            raise ValueError("tensors the reference does not have: %s"
                             % sorted(set(w) ^ set(self.p)))
        self.energies = []  # before the relu, every step of every real position

    def attend(self, keys, a, s):
        """The context of one step for the previous decoder state s [1][n_s]."""
        p = self.p
        u = torch.tanh(keys + F.linear(s, p["attention.query.weight"]))
        v = F.linear(u, p["attention.energy.weight"], p["attention.energy.bias"])[:, 0]
        self.energies.append(v.detach())
        alpha = torch.softmax(F.relu(v), dim=0)
        return (alpha @ a).unsqueeze(0)

    def row_loss(self, ids, targets, masked=True):
        """The summed cross-entropy of one row: ids [Tx] (-1 after the real
        positions), targets [Ty]. masked=False: the padding read as zero
        inputs and attended to, as by a network without a mask."""
        n = int((ids >= 0).sum())
        if (ids[:n] < 0).any() or (ids[n:] != -1).any() or (ids >= self.V).any() or n == 0:
            raise ValueError("ids %r: not real ids then padding" % ids.tolist())
        x = torch.zeros(n if masked else len(ids), 1, self.V, dtype=torch.float64)
        x[torch.arange(n), 0, torch.tensor(ids[:n], dtype=torch.long)] = 1.0
        a = self.enc(x)[0][:, 0]
        keys = F.linear(a, self.p["attention.key.weight"], self.p["attention.key.bias"])
        s = torch.zeros(1, self.n_s, dtype=torch.float64)
        c = torch.zeros(1, self.n_s, dtype=torch.float64)
        loss = 0.0
        for t in range(TY):
            s, c = self.dec(self.attend(keys, a, s), (s, c))
            loss = loss + F.cross_entropy(self.out(s), torch.tensor(targets[t:t + 1]),
                                          reduction="sum")
        return loss

    def loss(self, ids, targets, masked=True):
        """The loss of the batch ids [Tx][B], targets [Ty][B]: per row."""
        B = ids.shape[1]
        return sum(self.row_loss(ids[:, b], targets[:, b], masked) for b in range(B)) / B


def main(argv):
    tol = 1e-4
    if len(argv) >= 2 and argv[0] == "--tol":
        tol, argv = float(argv[1]), argv[2:]
    if len(argv) != 1:
        print(__doc__.split("\n\n")[1])
        return 2
    meta, w = read_safetensors(os.path.join(argv[0], "model.safetensors"))
    bmeta, batch = read_safetensors(os.path.join(argv[0], "batch.safetensors"))
    ids = batch["ids"].astype(np.int64)
    targets = batch["targets"].astype(np.int64)
    ref = Reference(meta, w)
    loss = ref.loss(ids, targets)
    loss.backward()
    grads = {k: p.grad.numpy() for k, p in ref.p.items()}
    bad, lerr, worst, wname = judge(float(bmeta["loss"]), loss.item(), batch, grads, tol)
    v = torch.cat(ref.energies)
    kink, clamped = v.abs().min().item(), int((v < 0).sum())
    if kink < KINK or clamped in (0, len(v)):
        bad.append("%d of %d energies clamped, the nearest %.1e from the kink: choose other "
                   "weights" % (clamped, len(v), kink))
    # the same check against the network without a mask must fail
    nomask = Reference(meta, w)
    nloss = nomask.loss(ids, targets, masked=False)
    nloss.backward()
    ngrads = {k: p.grad.numpy() for k, p in nomask.p.items()}
    _, nlerr, nworst, _ = judge(float(bmeta["loss"]), nloss.item(), batch, ngrads, tol)
    if max(nlerr, nworst) <= 10 * tol:
        bad.append("without the mask the loss is off by only %.1e, the gradients by %.1e: "
                   "the batch does not test the padding" % (nlerr, nworst))
    if bad:
        print("not ok - nmt crosscheck against PyTorch: " + "; ".join(bad))
        return 1
    lens = ",".join(str(int((ids[:, b] >= 0).sum())) for b in range(ids.shape[1]))
    print("ok - nmt crosscheck against PyTorch: bidirectional LSTM encoder, attention (%d of %d "
          "energies clamped), LSTM decoder, a padded batch of lengths %s of Tx %d: loss (off by "
          "%.1e) and every gradient (%d tensors) within %g (worst %.1e, %s); without the mask "
          "the gradients would be off by %.1e" % (clamped, len(v), lens, ids.shape[0], lerr,
                                                  len(grads), tol, worst, wname, nworst))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
