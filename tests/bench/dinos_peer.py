#!/usr/bin/python3
"""PyTorch CPU peer of `seqtool dinos train`, for tests/bench/run.

usage: dinos_peer.py [--course] FILE [--cell rnn|gru|lstm] [--hidden H]
           [--layers L] [--batch B] [--optim sgd|adam] [--lr X] [--clip C]
           [--clip-norm C] [--iters N] [--seed S] [--threads T]
           [--init randn|torch]

Same model as seqtool dinos: vocabulary = sorted characters of the
lower-cased names plus "\\n" (id 0); inputs are a zero START vector then the
one-hot characters, targets the characters then "\\n"; nn.RNN(tanh)/GRU/LSTM
(single bias for rnn/lstm: bias_hh is fixed at zero and not trained),
Linear(H -> V), loss = summed -log p over real targets / B. Names are read
lower-cased with blank lines dropped, shuffled, and taken B consecutive
names per iteration from an endless stream of shuffled epochs (a batch may
straddle two epochs), padded to the longest name in the batch.

--course is the course preset: rnn, hidden 50, layers 1, batch 1, sgd lr
0.01, clip 5 (element-wise), 22001 iterations, init 0.01*randn with zero
biases; options given explicitly override it. Without --course the same
defaults apply except --init torch (PyTorch's default init); the init has no
effect on speed.
SGD is plain p -= lr*g (torch.optim.SGD, no momentum); Adam is
torch.optim.Adam (betas 0.9/0.999, eps 1e-8). --clip clamps every gradient
element to [-C, C] (clip_grad_value_); --clip-norm rescales to a global norm.

Prints one JSON line: iterations, chars (target characters processed,
each name's "\\n" included), seconds (training loop only), chars_per_s,
loss (course-style smoothed loss: 0.999*loss + 0.001*batch loss, started at
7*log(V)), loss_last100 (mean batch loss of the last 100 iterations),
threads, and blas (the BLAS shared objects this process has mapped, from
/proc/self/maps).
"""
import math
import sys

import numpy as np
import torch

from peerlib import Stopwatch, names_onehot, parser, read_names, report, torch_setup


def parse(argv):
    p = parser(__doc__)
    p.add_argument("file")
    p.add_argument("--course", action="store_true")
    p.add_argument("--cell", choices=("rnn", "gru", "lstm"))
    p.add_argument("--hidden", type=int)
    p.add_argument("--layers", type=int)
    p.add_argument("--batch", type=int)
    p.add_argument("--optim", choices=("sgd", "adam"))
    p.add_argument("--lr", type=float)
    p.add_argument("--clip", type=float)
    p.add_argument("--clip-norm", type=float)
    p.add_argument("--iters", type=int)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--init", choices=("randn", "torch"))
    p.add_argument("-q", action="store_true", help="accepted, ignored")
    p.add_argument("--json", action="store_true", help="accepted, ignored")
    a = p.parse_args(argv)
    preset = dict(cell="rnn", hidden=50, layers=1, batch=1, optim="sgd",
                  lr=0.01, iters=22001, init="torch")
    if a.course:
        preset.update(clip=5.0, init="randn")
    for k, v in preset.items():
        if getattr(a, k) is None:
            setattr(a, k, v)
    return a


class Dinos(torch.nn.Module):
    def __init__(self, cell, V, H, L):
        super().__init__()
        kw = dict(input_size=V, hidden_size=H, num_layers=L, batch_first=True)
        self.rnn = {"rnn": lambda: torch.nn.RNN(nonlinearity="tanh", **kw),
                    "gru": lambda: torch.nn.GRU(**kw),
                    "lstm": lambda: torch.nn.LSTM(**kw)}[cell]()
        self.out = torch.nn.Linear(H, V)
        if cell != "gru":  # one bias per layer: bias_hh stays zero
            for k in range(L):
                b = getattr(self.rnn, "bias_hh_l%d" % k)
                with torch.no_grad():
                    b.zero_()
                b.requires_grad_(False)

    def forward(self, x):
        h, _ = self.rnn(x)
        return self.out(h)


def main(argv):
    a = parse(argv)
    torch_setup(a.threads, a.seed)
    rng = np.random.default_rng(a.seed)

    names = read_names(a.file)
    if not names:
        sys.exit("dinos_peer: %s: no names" % a.file)
    vocab = sorted(set("".join(names)) | {"\n"})
    V, N = len(vocab), len(names)
    lens = np.array([len(n) + 1 for n in names])  # targets per name
    # one-hot inputs (zero START at t=0) and targets (-100 = padding),
    # built once for every name
    X_all, Y_all = names_onehot(names, vocab)

    # the order: an endless stream of shuffled epochs, B names per iteration
    need = a.iters * a.batch
    order = np.concatenate([rng.permutation(N)
                            for _ in range(need // N + 1)])[:need]
    batches = order.reshape(a.iters, a.batch)
    Tb = lens[batches].max(axis=1)
    chars = int(lens[batches].sum())
    if a.batch == 1:
        steps = [(int(i), int(t)) for i, t in zip(batches[:, 0], Tb)]
    else:
        steps = [(torch.from_numpy(b), int(t)) for b, t in zip(batches, Tb)]

    model = Dinos(a.cell, V, a.hidden, a.layers)
    if a.init == "randn":
        with torch.no_grad():
            for name, p in model.named_parameters():
                if "weight" in name:
                    p.normal_(0.0, 0.01)
                else:
                    p.zero_()
    params = [p for p in model.parameters() if p.requires_grad]
    if a.optim == "sgd":
        opt = torch.optim.SGD(params, lr=a.lr)
    else:
        opt = torch.optim.Adam(params, lr=a.lr, betas=(0.9, 0.999), eps=1e-8)
    ce = torch.nn.functional.cross_entropy
    inv_b = 1.0 / a.batch
    smooth = 7.0 * math.log(V)
    last = []

    clock = Stopwatch()
    for idx, T in steps:
        if a.batch == 1:
            x, y = X_all[idx:idx + 1, :T], Y_all[idx, :T]
        else:
            x, y = X_all[idx, :T], Y_all[idx, :T].reshape(-1)
        logits = model(x).reshape(-1, V)
        loss = ce(logits, y, ignore_index=-100, reduction="sum") * inv_b
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if a.clip is not None:
            torch.nn.utils.clip_grad_value_(params, a.clip)
        if a.clip_norm is not None:
            torch.nn.utils.clip_grad_norm_(params, a.clip_norm)
        opt.step()
        lv = loss.item()
        smooth = 0.999 * smooth + 0.001 * lv
        last.append(lv)
        if len(last) > 100:
            del last[0]
    seconds = clock.seconds()

    report({
        "iterations": a.iters, "chars": chars, "seconds": round(seconds, 6),
        "chars_per_s": round(chars / seconds, 1), "loss": round(smooth, 6),
        "loss_last100": round(sum(last) / len(last), 6),
        "threads": torch.get_num_threads()})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
