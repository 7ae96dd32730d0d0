#!/usr/bin/python3
"""PyTorch CPU peer of `seqtool nmt train` / `translate`, for tests/bench/nmt.sh.

usage: nmt_peer.py [TRAIN.tsv] [--epochs E] [--batch B] [--lr X] [--seed S]
           [--none-order dmy|random] [--mask] [--threads T]
           [--save MODEL.pt] [--load MODEL.pt] [--test TEST.tsv]
           [--translate ORDER IN OUT]... [--infer-batch N]

The date model of the course's "Neural machine translation with attention"
(human dates -> ISO "YYYY-MM-DD"), written as a PyTorch user would:

  input    position 0: a convention token, <dmy> (numeric dates day-first)
           or <mdy> (month-first); then the characters of the date, cut to
           30 and padded to Tx = 31 with <pad>; a character not seen in
           training is <unk>.  One-hot (as the course), vocabulary = the
           sorted characters of the training dates + <pad> <unk> <dmy> <mdy>.
  encoder  nn.LSTM(V, 32, bidirectional=True, batch_first=True): a<t'>, 64.
  decoder  Ty = 10 steps; step t: e<t,t'> = relu(Dense1(tanh(Dense10(
           [s<t-1>; a<t'>])))), alpha = softmax over t', context =
           sum alpha a<t'> (64), nn.LSTMCell(64, 64) on the context alone
           (s<0> = c<0> = 0), y<t> = softmax(Dense11(s<t>)) over "0123456789-".
           Dense10 is one nn.Linear(128, 10); its a-half is applied to the
           whole encoder output once per batch (as Bahdanau attention code
           usually does), its s-half at each step: the same function as
           Dense10 on the concatenation repeated Tx times, with less work.
  padding  not masked by default, as in the course: the softmax over t'
           runs over all 31 positions, padding included (--mask: padding
           positions get -inf scores, the <dmy>/<mdy> token is kept).
  loss     sum over the 10 steps of the cross-entropy averaged over the
           batch (the course's Keras loss); Adam lr 0.005, betas 0.9/0.999,
           eps 1e-8 (torch default), batch 100, no decay, no clipping.
           Each epoch is a fresh shuffle (torch.randperm, --seed); the last
           batch may be short.

TRAIN.tsv / TEST.tsv lines: human<TAB>iso[<TAB>order], order dmy, mdy or -
(as `seqtool nmt dates --with-order` prints); only "\\n" (and "\\r") is
stripped, spaces in the human date are kept.  The token for a row: its
order; for "-" or a missing column: <dmy> (--none-order dmy, the default)
or one drawn per row from the --seed (--none-order random).

--translate ORDER IN OUT (repeatable): the human dates of IN, one per line,
all with token <ORDER> (dmy or mdy), translated in batches of --infer-batch
(default 500) under torch.no_grad(), greedy argmax at each of the 10 steps
(outputs do not feed back in this architecture), one ISO string per line
written to OUT.  Timed from reading IN to OUT written.

--test TEST.tsv: the same batched inference on the labelled rows (token
per row as for training); exact match of the 10 characters.

Prints one JSON line: examples, epochs, train_seconds (the training loop
only), examples_per_s, loss (mean batch loss of the last epoch), test_exact
(fraction), test_lines, translate_lines, translate_seconds, lines_per_s,
translate (per file), threads, torch, blas (the BLAS shared objects this
process has mapped, from /proc/self/maps), vocab, params, mask.
"""
import random
import sys

import torch
import torch.nn.functional as F

from peerlib import Stopwatch, parser, report, torch_setup

TX = 31                 # 1 convention token + 30 characters
HUMAN_MAX = TX - 1
TY = 10
N_A = 32                # encoder LSTM hidden size, per direction
N_S = 64                # decoder (post-attention) LSTM hidden size
OUT_CHARS = "0123456789-"
SPECIALS = ("<pad>", "<unk>", "<dmy>", "<mdy>")


def parse(argv):
    p = parser(__doc__)
    p.add_argument("train", nargs="?")
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--batch", type=int, default=100)
    p.add_argument("--lr", type=float, default=0.005)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--none-order", choices=("dmy", "random"), default="dmy")
    p.add_argument("--mask", action="store_true")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--save")
    p.add_argument("--load")
    p.add_argument("--test")
    p.add_argument("--translate", nargs=3, action="append", default=[],
                   metavar=("ORDER", "IN", "OUT"))
    p.add_argument("--infer-batch", type=int, default=500)
    a = p.parse_args(argv)
    if (a.train is None) == (a.load is None):
        p.error("give either TRAIN.tsv or --load MODEL")
    for o, _, _ in a.translate:
        if o not in ("dmy", "mdy"):
            p.error("--translate: ORDER must be dmy or mdy, not %r" % o)
    return a


def read_lines(path):
    with open(path, encoding="utf-8", newline="") as f:
        return [ln.rstrip("\r\n") for ln in f]


def read_pairs(path):
    """[(human, iso, order)] with order "dmy", "mdy" or "-"."""
    rows = []
    for n, ln in enumerate(read_lines(path), 1):
        if not ln:
            continue
        c = ln.split("\t")
        if len(c) < 2:
            sys.exit("nmt_peer: %s:%d: expected human<TAB>iso[<TAB>order]" % (path, n))
        rows.append((c[0], c[1], c[2] if len(c) > 2 else "-"))
    return rows


class Vocab:
    def __init__(self, chars):
        self.itos = list(SPECIALS) + sorted(chars)
        self.stoi = {s: i for i, s in enumerate(self.itos)}
        self.pad, self.unk = self.stoi["<pad>"], self.stoi["<unk>"]

    def __len__(self):
        return len(self.itos)

    def encode(self, humans, orders):
        """LongTensor (N, TX) of ids: the order token, then characters."""
        ids = torch.full((len(humans), TX), self.pad, dtype=torch.long)
        get, unk = self.stoi.get, self.unk
        rows = [[self.stoi["<" + o + ">"]] + [get(c, unk) for c in h[:HUMAN_MAX]]
                for h, o in zip(humans, orders)]
        for i, r in enumerate(rows):
            ids[i, :len(r)] = torch.tensor(r, dtype=torch.long)
        return ids


class DateNMT(torch.nn.Module):
    def __init__(self, V, mask=False):
        super().__init__()
        self.V, self.mask = V, mask
        self.encoder = torch.nn.LSTM(V, N_A, bidirectional=True, batch_first=True)
        self.dense10 = torch.nn.Linear(N_S + 2 * N_A, 10)   # input [s; a]
        self.dense1 = torch.nn.Linear(10, 1)
        self.post = torch.nn.LSTMCell(2 * N_A, N_S)
        self.out = torch.nn.Linear(N_S, len(OUT_CHARS))

    def forward(self, ids, pad_id):
        """ids (B, TX) -> logits (TY, B, 11)."""
        B = ids.shape[0]
        x = F.one_hot(ids, self.V).float()
        a, _ = self.encoder(x)                               # (B, TX, 64)
        w_s = self.dense10.weight[:, :N_S]                   # s-half (10, 64)
        w_a = self.dense10.weight[:, N_S:]                   # a-half (10, 64)
        ea = F.linear(a, w_a, self.dense10.bias)             # (B, TX, 10)
        if self.mask:
            pad = ids == pad_id                              # (B, TX)
        s = a.new_zeros(B, N_S)
        c = a.new_zeros(B, N_S)
        logits = []
        for _ in range(TY):
            h = torch.tanh(ea + F.linear(s, w_s).unsqueeze(1))      # (B, TX, 10)
            e = F.relu(self.dense1(h)).squeeze(2)                   # (B, TX)
            if self.mask:
                e = e.masked_fill(pad, float("-inf"))
            alpha = torch.softmax(e, dim=1)
            context = (alpha.unsqueeze(2) * a).sum(1)            # (B, 64)
            s, c = self.post(context, (s, c))
            logits.append(self.out(s))
        return torch.stack(logits)


def translate_ids(model, ids, pad_id, batch):
    """The greedy ISO strings for ids (N, TX)."""
    out = []
    with torch.no_grad():
        for i in range(0, ids.shape[0], batch):
            best = model(ids[i:i + batch], pad_id).argmax(dim=2).t()  # (b, TY)
            out.extend("".join(OUT_CHARS[k] for k in row) for row in best.tolist())
    return out


def main(argv):
    a = parse(argv)
    torch_setup(a.threads, a.seed)
    rng = random.Random(a.seed)
    res = {}

    def order_of(o):
        if o in ("dmy", "mdy"):
            return o
        return "dmy" if a.none_order == "dmy" else rng.choice(("dmy", "mdy"))

    if a.load:
        state = torch.load(a.load)
        vocab = Vocab(state["chars"])
        model = DateNMT(len(vocab), state["mask"])
        model.load_state_dict(state["model"])
    else:
        pairs = read_pairs(a.train)
        if not pairs:
            sys.exit("nmt_peer: %s: no pairs" % a.train)
        vocab = Vocab(set("".join(h[:HUMAN_MAX] for h, _, _ in pairs)))
        X = vocab.encode([h for h, _, _ in pairs], [order_of(o) for _, _, o in pairs])
        bad = [iso for _, iso, _ in pairs if len(iso) != TY or set(iso) - set(OUT_CHARS)]
        if bad:
            sys.exit("nmt_peer: %s: not an ISO date: %r" % (a.train, bad[0]))
        idx = {ch: k for k, ch in enumerate(OUT_CHARS)}
        Y = torch.tensor([[idx[ch] for ch in iso] for _, iso, _ in pairs],
                         dtype=torch.long).t().contiguous()           # (TY, N)
        N = X.shape[0]
        model = DateNMT(len(vocab), a.mask)
        opt = torch.optim.Adam(model.parameters(), lr=a.lr, betas=(0.9, 0.999))
        gen = torch.Generator().manual_seed(a.seed)
        losses = []
        clock = Stopwatch()
        for _ in range(a.epochs):
            losses = []
            perm = torch.randperm(N, generator=gen)
            for i in range(0, N, a.batch):
                b = perm[i:i + a.batch]
                logits = model(X[b], vocab.pad)                       # (TY, B, 11)
                # sum over the 10 outputs of the batch-mean cross-entropy
                loss = F.cross_entropy(logits.reshape(-1, len(OUT_CHARS)),
                                       Y[:, b].reshape(-1)) * TY
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                losses.append(loss.item())
        secs = clock.seconds()
        res.update(examples=N, epochs=a.epochs, batch=a.batch,
                   train_seconds=round(secs, 6),
                   examples_per_s=round(N * a.epochs / secs, 1),
                   loss=round(sum(losses) / len(losses), 6))
        if a.save:
            torch.save({"model": model.state_dict(), "chars": vocab.itos[len(SPECIALS):],
                        "mask": a.mask}, a.save)
    model.eval()

    if a.test:
        rows = read_pairs(a.test)
        ids = vocab.encode([h for h, _, _ in rows], [order_of(o) for _, _, o in rows])
        got = translate_ids(model, ids, vocab.pad, a.infer_batch)
        ok = sum(g == iso for g, (_, iso, _) in zip(got, rows))
        res.update(test_lines=len(rows), test_exact=round(ok / max(1, len(rows)), 6))

    if a.translate:
        per, lines, secs = [], 0, 0.0
        for order, src, dst in a.translate:
            clock = Stopwatch()
            humans = read_lines(src)
            ids = vocab.encode(humans, [order] * len(humans))
            got = translate_ids(model, ids, vocab.pad, a.infer_batch)
            with open(dst, "w", encoding="utf-8") as f:
                f.write("".join(g + "\n" for g in got))
            dt = clock.seconds()
            per.append({"file": src, "order": order, "lines": len(humans),
                        "seconds": round(dt, 6)})
            lines += len(humans)
            secs += dt
        res.update(translate_lines=lines, translate_seconds=round(secs, 6),
                   lines_per_s=round(lines / secs, 1) if secs > 0 else None,
                   translate=per, infer_batch=a.infer_batch)

    res.update(threads=torch.get_num_threads(), torch=torch.__version__,
               vocab=len(vocab),
               params=sum(p.numel() for p in model.parameters()), mask=model.mask)
    report(res)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
