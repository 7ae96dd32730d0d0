#!/usr/bin/python3
"""PyTorch CPU peer of `seqtool trigger detect --scores`, for tests/bench/trigger.sh.

usage: trigger_peer.py -m MODEL [--scores OUT.tsv] [--threads N] CLIP.wav...

Reads a seqtool trigger model (safetensors: trigger.arch, trigger.front,
the layers' tensors by seqtool's names) and builds the same network in
torch modules, float32, in eval mode (running statistics, no dropout),
under torch.no_grad():
  conv:OUT:K:S[:causal]  torch.nn.Conv1d(in, OUT, K, stride=S) on x
                         [1][in][T] (causal: K - 1 zero frames in front,
                         F.pad)
  bn                     torch.nn.BatchNorm1d(C, eps=1e-3) (Keras' epsilon,
                         as seqtool's)
  relu, drop:P           ReLU; dropout is nothing in eval mode
  gru:H                  torch.nn.GRU(in, H) on [T][1][in]
  dense                  torch.nn.Linear(in, 1); the score is its sigmoid
Front ends, as audio/spec.h describes them, in float32 torch operations:
  course  frames of 200 samples every 80, np.hanning(200) (symmetric),
          torch.fft.rfft, power, bins 1..99 doubled, / (8000 sum(w^2)),
          times 2^30 (the course's int16 scale, as seqtool's listen.c)
  logmel  frames of 400 every 160, periodic Hann, rfft of 512, power, 40
          HTK mel triangles 20-8000 Hz (evaluated in float64 once, as
          tests/spec_check.py), log(. + 1e-6)
Clips: 16-bit PCM mono WAV files at the front end's rate (44.1 kHz or
16 kHz; anything else is refused: the bench writes them so), read with
the wave module, samples / 32768 as libsndfile gives them.

Timed (its own clock): for each clip, reading the file, the front end and
the network, one clip at a time as detect runs them (torch import, model
loading and building excluded). Prints one JSON line: clips, steps (output
steps scored), seconds, clips_per_s, features_s and network_s (the two
parts' sums), parameters, threads, blas. --scores writes every output
step's end time and score as `seqtool trigger detect --scores` prints
them (FILE:SECONDS<TAB>SCORE, 6 decimals).
"""
import sys
import wave

import numpy as np

from peerlib import Stopwatch, parser, read_safetensors, report, torch_setup

COURSE_SCALE = 2.0 ** 30


def parse(argv):
    p = parser(__doc__)
    p.add_argument("-m", "--model", required=True)
    p.add_argument("--scores")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("clips", nargs="+")
    return p.parse_args(argv)


class Front:
    """The front end of seqtool's model: window, hop, rate, and features
    [T][bins] of a float32 signal tensor."""

    def __init__(self, torch, name):
        self.torch, self.name = torch, name
        if name == "course":
            self.rate, self.window, self.hop, self.nfft = 44100, 200, 80, 200
            w = np.hanning(200)
            self.w = torch.tensor(w, dtype=torch.float32)
            self.scale = COURSE_SCALE / (8000.0 * (w ** 2).sum())
        elif name == "logmel":
            self.rate, self.window, self.hop, self.nfft = 16000, 400, 160, 512
            n = np.arange(400)
            self.w = torch.tensor(0.5 - 0.5 * np.cos(2 * np.pi * n / 400), dtype=torch.float32)
            self.fb = torch.tensor(mel_filters().T, dtype=torch.float32)
        else:
            raise ValueError("no front end '%s'" % name)

    def features(self, x):
        torch = self.torch
        if x.shape[0] < self.window:
            return x.new_zeros(0, self.fb.shape[1] if self.name == "logmel" else 101)
        seg = x.unfold(0, self.window, self.hop) * self.w
        p = torch.fft.rfft(seg, n=self.nfft, dim=1).abs().square()
        if self.name == "course":
            p[:, 1:-1] *= 2.0
            return p * self.scale
        return torch.log(p @ self.fb + 1e-6)


def mel_filters(rate=16000, nfft=512, bands=40, fmin=20.0, fmax=8000.0):
    def mel(f):
        return 2595.0 * np.log10(1.0 + f / 700.0)

    def hz(m):
        return 700.0 * (10.0 ** (m / 2595.0) - 1.0)
    corners = hz(np.linspace(mel(fmin), mel(fmax), bands + 2))
    f = np.arange(nfft // 2 + 1) * rate / nfft
    fb = np.zeros((bands, len(f)))
    for m in range(bands):
        up = (f - corners[m]) / (corners[m + 1] - corners[m])
        down = (corners[m + 2] - f) / (corners[m + 2] - corners[m + 1])
        fb[m] = np.maximum(0.0, np.minimum(up, down))
    return fb


class Net:
    """seqtool's wakenet (cmd/trigger/wakenet.h) from its description and
    tensors, as torch modules."""

    def __init__(self, torch, arch, bins, w):
        self.torch = torch
        self.layers = []    # (kind, module, extra)
        c = bins
        for i, item in enumerate(arch.split(",")):
            pre = "l%d." % i
            part = item.split(":")
            if part[0] == "conv":
                out, k, s = int(part[1]), int(part[2]), int(part[3])
                m = torch.nn.Conv1d(c, out, k, stride=s)
                self.set(m, {"weight": w[pre + "weight"], "bias": w[pre + "bias"]})
                self.layers.append(("conv", m, (k - 1 if part[4:] == ["causal"] else 0, k, s)))
                c = out
            elif part[0] == "bn":
                m = torch.nn.BatchNorm1d(c, eps=1e-3)
                self.set(m, {"weight": w[pre + "weight"], "bias": w[pre + "bias"],
                             "running_mean": w[pre + "running_mean"], "running_var": w[pre + "running_var"]})
                self.layers.append(("bn", m, None))
            elif part[0] == "relu":
                self.layers.append(("relu", torch.nn.ReLU(), None))
            elif part[0] == "drop":
                pass            # nothing in eval mode
            elif part[0] == "gru":
                h = int(part[1])
                m = torch.nn.GRU(c, h)
                self.set(m, {n: w[pre + n] for n in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")})
                self.layers.append(("gru", m, None))
                c = h
            elif part[0] == "dense":
                m = torch.nn.Linear(c, 1)
                self.set(m, {"weight": w[pre + "weight"], "bias": w[pre + "bias"]})
                self.layers.append(("dense", m, None))
            else:
                raise ValueError("no layer '%s'" % item)
        self.params = sum(int(np.prod(t.shape)) for t in w.values())

    def set(self, m, tensors):
        m.eval()
        with self.torch.no_grad():
            for name, v in tensors.items():
                getattr(m, name).copy_(self.torch.from_numpy(np.array(v, dtype=np.float32)))

    def logits(self, feat):
        """feat [T][bins] -> the logits [T']."""
        torch = self.torch
        x = feat.t().unsqueeze(0)          # [1][C][T]: channels first until a GRU
        first = True
        for kind, m, extra in self.layers:
            if kind == "gru":
                if first:
                    x = x.permute(2, 0, 1)  # [T][1][C]
                    first = False
                x = m(x)[0]
            elif kind == "conv":
                if not first:
                    raise ValueError("a convolution after a GRU is not supported here")
                if extra[0]:
                    x = torch.nn.functional.pad(x, (extra[0], 0))
                x = m(x)
            elif kind == "bn":
                x = m(x) if first else m(x.reshape(-1, x.shape[-1])).reshape(x.shape)
            elif kind == "relu":
                x = m(x)
            elif kind == "dense":
                if first:
                    x = x.permute(2, 0, 1)
                    first = False
                x = m(x)
        return x.reshape(-1)

    def last_frame(self, t):
        """The input frame that completes output step t (wakenet_last_frame)."""
        for kind, m, extra in reversed(self.layers):
            if kind == "conv":
                pad, k, s = extra
                t = t * s + k - 1 - pad
        return t


def read_clip(path, rate):
    with wave.open(path, "rb") as f:
        if f.getframerate() != rate or f.getnchannels() != 1 or f.getsampwidth() != 2:
            raise ValueError("%s: want 16-bit mono at %d Hz, have %d-bit, %d channels at %d Hz"
                             % (path, rate, 8 * f.getsampwidth(), f.getnchannels(), f.getframerate()))
        raw = f.readframes(f.getnframes())
    return np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0


def main(argv):
    a = parse(argv)
    torch = torch_setup(a.threads, 1)
    meta, w = read_safetensors(a.model)
    if meta.get("seqtool.kind", "trigger") != "trigger" or "trigger.arch" not in meta:
        raise SystemExit("trigger_peer: %s is not a seqtool trigger model" % a.model)
    front = Front(torch, meta["trigger.front"])
    bins = 101 if front.name == "course" else 40
    net = Net(torch, meta["trigger.arch"], bins, w)
    several = len(a.clips) > 1
    lines = []
    steps, t_feat, t_net = 0, 0.0, 0.0
    clock = Stopwatch()
    with torch.no_grad():
        for path in a.clips:
            c0 = Stopwatch()
            x = torch.from_numpy(read_clip(path, front.rate))
            feat = front.features(x)
            t_feat += c0.seconds()
            c1 = Stopwatch()
            scores = torch.sigmoid(net.logits(feat)) if feat.shape[0] else feat.new_zeros(0)
            t_net += c1.seconds()
            steps += scores.shape[0]
            if a.scores:
                lines.append((path, scores.numpy().copy()))
    seconds = clock.seconds()
    if a.scores:
        with open(a.scores, "w") as f:
            for path, s in lines:
                for t, v in enumerate(s):
                    end = (net.last_frame(t) * front.hop + front.window) / front.rate
                    f.write("%s%.2f\t%.6f\n" % (path + ":" if several else "", end, v))
    report({"clips": len(a.clips), "steps": steps, "seconds": round(seconds, 6),
            "clips_per_s": round(len(a.clips) / seconds, 3),
            "features_s": round(t_feat, 6), "network_s": round(t_net, 6),
            "parameters": net.params, "threads": torch.get_num_threads()})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
