#!/usr/bin/python3
"""Cross-check the emoji models' loss and gradients against PyTorch.

usage: emojify_crosscheck.py [--tol 1e-4] DIR

DIR holds what `test_emojify --dump DIR` wrote, for each NAME:
  NAME.model.safetensors  an emojify model (metadata emojify.model v1 or
                          v2, emojify.oov, emojify.pad_to; the frozen word
                          vectors embedding.weight; every trained tensor)
  NAME.batch.safetensors  sentences [B][L] (word ids, -1 a word without a
                          vector, -2 after the end) and labels [B] as F32;
                          probs [B][K], seqtool's predictions of the batch
                          by its inference path; metadata loss (mean nats
                          over the batch); grad.<tensor>: its gradient

The reference is cmd/emojify/emo_model.h written again in PyTorch,
float64, from that description and the weights alone, one sentence at a
time over its own steps (what seqtool's padding and masking must amount
to):
  inputs  the words' vectors; a word without one is left out (oov skip),
          a zero vector (zero) or the trained vector embedding.unknown
          (learn)
  v1      the mean of the inputs, torch.nn.Linear(D, K)
  v2      the inputs, then zero vectors up to pad_to, into
          torch.nn.LSTM(D, H, num_layers=2), dropout off; layer 2's last
          state, torch.nn.Linear(H, K)
  loss    the cross-entropy, mean over the batch
seqtool's LSTMs have one bias (bias_ih): torch's bias_hh is held at 0.

Acceptance as tests/crosscheck.py's: the loss within tol of the
reference, each gradient tensor and the probabilities within tol of their
largest reference magnitude.  And so that the check says something about
v2: the same network without the zero steps (when pad_to gives some), and
with the padding read as zero inputs (no mask), must each miss seqtool's
loss or gradients by more than 10 tol.  Prints one line per model; exits 1
on any failure.
"""
import glob
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from crosscheck import judge, read_safetensors  # noqa: E402
from nmt_crosscheck import load  # noqa: E402

FROZEN = ("embedding.weight", "words")  # in the file, not trained
END = -2


class Reference:
    """The network of emo_model.h with one file's weights; variant "without
    the zero steps" or "without the mask" leaves that part of it out."""

    def __init__(self, meta, w, variant=""):
        if meta.get("seqtool.kind") != "emojify":
            raise ValueError("not an emojify model")
        self.kind, self.oov = meta["emojify.model"], meta["emojify.oov"]
        self.pad_to = int(meta["emojify.pad_to"]) if variant != "without the zero steps" else 0
        self.variant = variant
        self.emb = torch.tensor(w["embedding.weight"], dtype=torch.float64)
        K, D = int(meta["emojify.classes"]), int(meta["emojify.dim"])
        self.zero = torch.zeros(D, dtype=torch.float64)
        self.p = {}
        if self.kind == "v2":
            H = int(meta["emojify.hidden"])
            self.lstm = torch.nn.LSTM(D, H, num_layers=2)
            self.p.update(load(self.lstm, w, "lstm."))
        self.out = torch.nn.Linear(H if self.kind == "v2" else D, K)
        self.p.update(load(self.out, w, "out."))
        if self.oov == "learn":
            self.p["embedding.unknown"] = torch.tensor(w["embedding.unknown"],
                                                       dtype=torch.float64, requires_grad=True)
        if set(w) - set(FROZEN) != set(self.p):
            raise ValueError("tensors the reference does not have: %s"
                             % sorted((set(w) - set(FROZEN)) ^ set(self.p)))

    def inputs(self, row, steps=0):
        """The input vectors [n][D] of one sentence (ids, END after it);
        at least steps of them (zero vectors added)."""
        vecs, known = [], 0
        for i in row[row != END]:
            if i >= 0:
                vecs.append(self.emb[i])
                known += 1
            elif self.oov == "zero":
                vecs.append(self.zero)
            elif self.oov == "learn":
                vecs.append(self.p["embedding.unknown"])
        if self.kind == "v2" and known > 0:
            steps = max(steps, self.pad_to)
        return torch.stack(vecs + [self.zero] * (steps - len(vecs)))

    def features(self, sentences):
        """What the dense layer reads [B][D or H], each sentence alone."""
        rows = [self.inputs(r) for r in sentences]
        if self.kind == "v1":
            return torch.stack([x.mean(0) for x in rows])
        if self.variant == "without the mask":  # every row read to the longest
            T = max(len(x) for x in rows)
            rows = [self.inputs(r, T) for r in sentences]
        return torch.stack([self.lstm(x.unsqueeze(1))[1][0][-1, 0] for x in rows])

    def logits(self, sentences):
        return self.out(self.features(sentences))


def reference(meta, w, batch, variant=""):
    """(the reference, its loss, probabilities and gradients) of a batch."""
    ref = Reference(meta, w, variant)
    sentences = batch["sentences"].astype(np.int64)
    logits = ref.logits(sentences)
    loss = F.cross_entropy(logits, torch.tensor(batch["labels"].astype(np.int64)))
    loss.backward()
    grads = {k: p.grad.numpy() for k, p in ref.p.items()}
    return ref, loss.item(), torch.softmax(logits, 1).detach().numpy(), grads


def teeth(meta, w, batch, bmeta, tol):
    """What the check must reject on this batch: [(variant, how far off)]."""
    variants = []
    if meta["emojify.model"] == "v2":
        variants.append("without the mask")
        if int(meta["emojify.pad_to"]) > 0:
            variants.append("without the zero steps")
    far = []
    for v in variants:
        _, loss, _, grads = reference(meta, w, batch, v)
        _, lerr, worst, _ = judge(float(bmeta["loss"]), loss, batch, grads, tol)
        far.append((v, max(lerr, worst)))
    return far


def check(model, batch_path, tol):
    """One model: (ok, the line to print)."""
    meta, w = read_safetensors(model)
    bmeta, batch = read_safetensors(batch_path)
    ref, loss, probs, grads = reference(meta, w, batch)
    bad, lerr, worst, wname = judge(float(bmeta["loss"]), loss, batch, grads, tol)
    perr = float(np.abs(batch["probs"] - probs).max() / np.abs(probs).max())
    if not perr <= tol:
        bad.append("the inference path's probabilities off by %.1e" % perr)
    far = teeth(meta, w, batch, bmeta, tol)
    bad += ["%s the check would pass (off by %.1e only)" % (v, e)
            for v, e in far if e <= 10 * tol]
    what = "%s, oov %s%s" % (ref.kind, ref.oov, ", pad_to %d" % ref.pad_to if ref.pad_to else "")
    if bad:
        return False, "not ok - emojify crosscheck against PyTorch, %s: %s" % (what, "; ".join(bad))
    return True, ("ok - emojify crosscheck against PyTorch, %s, a %sbatch of %d sentences: "
                  "loss (off by %.1e), every gradient (%d tensors; worst %.1e, %s) and the "
                  "inference path's probabilities (%.1e) within %g%s"
                  % (what, "padded " if ref.kind == "v2" else "", len(batch["labels"]), lerr,
                     len(grads), worst, wname, perr, tol,
                     "".join("; %s it would fail (off by %.1e)" % f for f in far)))


def main(argv):
    tol = 1e-4
    if len(argv) >= 2 and argv[0] == "--tol":
        tol, argv = float(argv[1]), argv[2:]
    if len(argv) != 1:
        print(__doc__.split("\n\n")[1])
        return 2
    models = sorted(glob.glob(os.path.join(argv[0], "*.model.safetensors")))
    if not models:
        print("not ok - emojify crosscheck against PyTorch: no model in %s" % argv[0])
        return 1
    fails = 0
    for model in models:
        ok, line = check(model, model[:-len(".model.safetensors")] + ".batch.safetensors", tol)
        print(line)
        fails += not ok
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
