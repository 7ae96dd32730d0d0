#!/usr/bin/python3
"""PyTorch CPU peer of `seqtool jazz train`, for tests/bench/jazz.sh.

usage: jazz_peer.py (--events EVENTS.tsv --steps N | --stats STATS.json)
           [--epochs E] [--hidden H] [--layers L] [--batch B] [--window T]
           [--lr X] [--clip-norm C] [--dropout P] [--transpose K]
           [--seed S] [--threads N]
       jazz_peer.py --write-midi OUT.mid [--seed S]

The network is the one of cmd/jazz/melody.h as tests/bench/peerlib.py
writes it (jazz_logits: the code tests/jazz_crosscheck.py checks seqtool's
gradients against), float32, at seqtool's default sizes: embeddings rest
16, pitch 32, dur 16, pos 16, root 8, quality 8; an LSTM stack of L layers
of H (torch.nn.LSTM, one per layer, its bias_hh fixed at zero: one bias a
gate as seqtool), dropout P on each layer's output, the rest, pitch (with
the chord-tone bias) and duration heads. Initial weights as seqtool's
(embeddings N(0, 1), PyTorch's default for the LSTMs and the heads,
chord-tone bias zero). Training as `seqtool jazz train`: batches of B
windows of up to T notes laid out [T][B], right-padded (the padding changes
neither the real steps nor the loss); loss = the three heads' NLL summed
over the real notes / notes; torch.optim.Adam (lr X, betas 0.9/0.999, eps
1e-8), gradients clipped to a global norm of C.

Inputs, one of:
  --events EVENTS.tsv  the B rows of T events `test_jazz --bench-json
                       STEPS EVENTS.tsv` trains on (row, t, rest, pitch,
                       dur, pos, root, quality); each of the N steps trains
                       on all of them, each row from its start (the start
                       token as the first input), no transposition: the
                       work of test_jazz --bench-json.
  --stats STATS.json   the lines of `seqtool jazz stats --json` over the
                       training solos: their note counts. Each solo gets
                       that many events of random classes (--seed; the
                       real classes would need seqtool's MIDI reader), and
                       each of E epochs cuts them into windows as `jazz
                       train` does (a window of a random 1..T-1 notes from
                       the start of each solo longer than T, then windows
                       of T), shuffles them and trains on B at a time
                       (the last batch smaller); each window shifted by a
                       random -K..K semitones (pitches and chord roots),
                       in the timed loop as seqtool does it.
--write-midi OUT.mid writes a random melody of 16 bars (a format 0 Standard
MIDI File, 4/4, no chords) for a bench that has no solos to train a model
on.

Prints one JSON line: steps, windows, notes (real notes trained on),
slots (steps x T x batch rows: what the network computed, padding
included), seconds (every training step, batch assembly to the optimizer
step: data preparation and the torch import excluded), notes_per_s,
train_bits_per_note, parameters (trained), threads, blas (the BLAS shared
objects this process has mapped).
"""
import math
import struct
import sys

import numpy as np
import torch

from peerlib import (JAZZ_CLASSES, JAZZ_FIELDS, JAZZ_NO_ROOT, Stopwatch, jazz_logits,
                     jazz_nll, parser, report, torch_setup)

EMB = {"rest": 16, "pitch": 32, "dur": 16, "pos": 16, "root": 8, "quality": 8}
QUALITIES = JAZZ_CLASSES["quality"] - 1      # the last class is "no chord"
PITCH, ROOT = JAZZ_FIELDS.index("pitch"), JAZZ_FIELDS.index("root")


def parse(argv):
    p = parser(__doc__)
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--events")
    src.add_argument("--stats")
    src.add_argument("--write-midi")
    p.add_argument("--steps", type=int)
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--hidden", type=int, default=256)
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--window", type=int, default=64)
    p.add_argument("--lr", type=float, default=0.002)
    p.add_argument("--clip-norm", type=float, default=5.0)
    p.add_argument("--dropout", type=float, default=0.2)
    p.add_argument("--transpose", type=int, default=6)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=1)
    a = p.parse_args(argv)
    if a.events and not a.steps:
        p.error("--events needs --steps")
    return a


def random_events(rng, n):
    """n events [n][6] of random classes, as tests/test_jazz.c draws them:
    pitches 40..89, positions in a 4/4 bar, a chord on 4 notes of 5."""
    ev = np.empty((n, len(JAZZ_FIELDS)), dtype=np.int64)
    ev[:, 0] = rng.integers(JAZZ_CLASSES["rest"], size=n)
    ev[:, 1] = 40 + rng.integers(50, size=n)
    ev[:, 2] = rng.integers(JAZZ_CLASSES["dur"], size=n)
    ev[:, 3] = rng.integers(48, size=n)
    chord = rng.integers(5, size=n) > 0
    ev[:, 4] = np.where(chord, rng.integers(12, size=n), JAZZ_NO_ROOT)
    ev[:, 5] = np.where(chord, rng.integers(QUALITIES, size=n), QUALITIES)
    return ev


def read_events(path):
    """EVENTS.tsv of test_jazz --bench-json: [rows][T][6]."""
    rows = np.loadtxt(path, dtype=np.int64, delimiter="\t", skiprows=1, ndmin=2)
    R, T = rows[:, 0].max() + 1, rows[:, 1].max() + 1
    ev = np.full((R, T, len(JAZZ_FIELDS)), -1, dtype=np.int64)
    ev[rows[:, 0], rows[:, 1]] = rows[:, 2:]
    return list(ev)


def read_stats(path):
    """The note counts of the solos in the JSON lines of jazz stats."""
    import json
    with open(path) as f:
        return [int(json.loads(ln)["notes"]) for ln in f if ln.startswith("{")]


def windows_of(lens, T, rng):
    """(solo, start, n) windows of one epoch as seqtool's make_windows cuts
    them, shuffled."""
    w = []
    for i, n in enumerate(lens):
        off = int(rng.integers(T)) if n > T else 0
        if off > 0:
            w.append((i, 0, off))
        w.extend((i, s, min(T, n - s)) for s in range(off, n, T))
    return [w[k] for k in rng.permutation(len(w))]


class Model:
    """The weights by seqtool's tensor names, and the LSTM layers."""

    def __init__(self, H, L, dropout):
        self.layers, self.dropout = L, dropout
        self.w = {}
        for f in JAZZ_FIELDS:
            self.w["emb." + f] = torch.randn(JAZZ_CLASSES[f], EMB[f]).requires_grad_()
        I = sum(EMB.values())
        self.lstm = []
        for k in range(L):
            m = torch.nn.LSTM(I if k == 0 else H, H)
            with torch.no_grad():
                m.bias_hh_l0.zero_()
            m.bias_hh_l0.requires_grad_(False)
            self.lstm.append(m)
            self.w["lstm.weight_ih_l%d" % k] = m.weight_ih_l0
            self.w["lstm.weight_hh_l%d" % k] = m.weight_hh_l0
            self.w["lstm.bias_ih_l%d" % k] = m.bias_ih_l0
        Z = H + EMB["root"] + EMB["quality"] + EMB["pos"]
        for name, fan_in, out in (("rest", H, JAZZ_CLASSES["rest"]),
                                  ("pitch", Z, JAZZ_CLASSES["pitch"]),
                                  ("dur", Z + EMB["pitch"], JAZZ_CLASSES["dur"])):
            lin = torch.nn.Linear(fan_in, out)
            self.w["head.%s.weight" % name] = lin.weight
            self.w["head.%s.bias" % name] = lin.bias
        self.w["head.pitch.chord_tone"] = torch.zeros(QUALITIES, 12, requires_grad=True)
        self.params = list(self.w.values())

    def logits(self, inp, out):
        return jazz_logits(self.w, inp, out, self.layers, 1,
                           lambda k, x: self.lstm[k](x)[0], self.dropout)


def batch_ids(ev, evin, batch, T, shifts):
    """{field: [T][B]} of the inputs and the targets of the windows in
    batch ((solo, start, n) each; -1 on the padding), pitches and roots
    shifted by shifts[b] semitones."""
    B = len(batch)
    ids = np.full((2, T, B, len(JAZZ_FIELDS)), -1, dtype=np.int64)
    for b, (s, start, n) in enumerate(batch):
        ids[0, :n, b] = evin[s][start:start + n]
        ids[1, :n, b] = ev[s][start:start + n]
    if shifts is not None:
        sh = np.broadcast_to(shifts.reshape(1, 1, B), ids.shape[:3])
        p, r = ids[..., PITCH], ids[..., ROOT]
        ids[..., PITCH] = np.where(p >= 0, p + sh, p)
        ids[..., ROOT] = np.where((r >= 0) & (r != JAZZ_NO_ROOT), (r + sh) % 12, r)
    t = torch.from_numpy(ids)
    return ({f: t[0, ..., k] for k, f in enumerate(JAZZ_FIELDS)},
            {f: t[1, ..., k] for k, f in enumerate(JAZZ_FIELDS)})


def shift_draw(ev, batch, K, rng):
    """A shift in -K..K for each window that keeps its pitches in 0..127
    (0 when only 0 does), as jazz_shift_draw."""
    out = np.zeros(len(batch), dtype=np.int64)
    for b, (s, start, n) in enumerate(batch):
        p = ev[s][start:start + n, PITCH]
        lo, hi = max(-K, -int(p.min())), min(K, 127 - int(p.max()))
        out[b] = rng.integers(lo, hi + 1) if hi >= lo else 0
    return out


def write_midi(path, seed):
    """A random melody of 16 bars of 4/4, mostly eighths (about 5.7 notes a
    bar, as the corpus's solos), 480 ticks a quarter, as a format 0
    Standard MIDI File."""
    rng = np.random.default_rng(seed)

    def var(n):
        b = [n & 0x7F]
        n >>= 7
        while n:
            b.insert(0, (n & 0x7F) | 0x80)
            n >>= 7
        return bytes(b)
    ev = b"\x00\xff\x58\x04\x04\x02\x18\x08" + b"\x00\xff\x51\x03\x06\x8a\x1b"
    t, gap, pitch = 0, 0, 64
    while t < 16 * 4 * 480:
        dur = int(rng.choice([240, 240, 240, 480]))
        pitch = int(np.clip(pitch + rng.integers(-4, 5), 50, 80))
        ev += var(gap) + bytes([0x90, pitch, 90]) + var(dur) + bytes([0x80, pitch, 0])
        t += dur
        gap = int(rng.choice([0, 0, 0, 0, 0, 240]))
        t += gap
    ev += b"\x00\xff\x2f\x00"
    with open(path, "wb") as f:
        f.write(b"MThd" + struct.pack(">IHHH", 6, 0, 1, 480))
        f.write(b"MTrk" + struct.pack(">I", len(ev)) + ev)


def main(argv):
    a = parse(argv)
    if a.write_midi:
        write_midi(a.write_midi, a.seed)
        return 0
    torch_setup(a.threads, a.seed)
    rng = np.random.default_rng(a.seed)
    T = a.window
    if a.events:
        ev = read_events(a.events)
        T = ev[0].shape[0]
        fixed = [(b, 0, T) for b in range(len(ev))]
        plan = [fixed] * a.steps
        K = 0
    else:
        ev = [random_events(rng, n) for n in read_stats(a.stats) if n > 0]
        plan = []
        for _ in range(a.epochs):
            w = windows_of([len(e) for e in ev], T, rng)
            plan.extend(w[i:i + a.batch] for i in range(0, len(w), a.batch))
        K = a.transpose
    # each note's input: the note before it, the start token (-1) first
    evin = [np.concatenate([np.full((1, e.shape[1]), -1, dtype=np.int64), e[:-1]]) for e in ev]
    windows = sum(len(b) for b in plan)
    slots = sum(T * len(b) for b in plan)

    model = Model(a.hidden, a.layers, a.dropout)
    opt = torch.optim.Adam(model.params, lr=a.lr, betas=(0.9, 0.999), eps=1e-8)
    nll_sum, notes = 0.0, 0

    clock = Stopwatch()
    for batch in plan:
        shifts = shift_draw(ev, batch, K, rng) if K > 0 else None
        inp, out = batch_ids(ev, evin, batch, T, shifts)
        n = sum(w[2] for w in batch)
        nll = jazz_nll(model.logits(inp, out), out)
        total = nll["rest"] + nll["pitch"] + nll["dur"]
        opt.zero_grad(set_to_none=True)
        (total / n).backward()
        if a.clip_norm > 0:
            torch.nn.utils.clip_grad_norm_(model.params, a.clip_norm)
        opt.step()
        nll_sum += total.item()
        notes += n
    seconds = clock.seconds()

    report({
        "steps": len(plan), "windows": windows, "notes": notes, "slots": slots,
        "seconds": round(seconds, 6), "notes_per_s": round(notes / seconds, 1),
        "train_bits_per_note": round(nll_sum / math.log(2) / notes, 6),
        "parameters": sum(p.numel() for p in model.params), "threads": torch.get_num_threads()})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
