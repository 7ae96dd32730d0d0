#!/usr/bin/python3
"""PyTorch CPU peer of `seqtool trigger detect`, for tests/bench/trigger.sh.

usage: trigger_peer.py -m MODEL [--scores OUT.tsv] [--chunk SECONDS]
           [--threads N] CLIP.wav...
       trigger_peer.py --join OUT.wav|OUT.raw IN.wav...

Reads a seqtool trigger model (safetensors: trigger.arch, trigger.front,
the layers' tensors by seqtool's names) and builds the same network in
torch modules, float32, in eval mode (running statistics, no dropout),
under torch.no_grad():
  conv:OUT:K:S[:causal]  torch.nn.Conv1d(in, OUT, K, stride=S) on
                         [1][in][T] (causal: K - 1 zero frames in front)
  bn                     torch.nn.BatchNorm1d(C, eps=1e-3) (Keras' epsilon,
                         as seqtool's)
  relu, drop:P           ReLU; dropout is nothing in eval mode
  gru:H                  torch.nn.GRU(in, H) on [T][1][in]
  dense                  torch.nn.Linear(in, 1); the score is its sigmoid
An ensemble (trigger.members K, member k's tensors under "mk." for k > 0)
is K such networks on the same features, the score the mean of their
sigmoids, as seqtool's listen.c.
Front ends, as audio/spec.h describes them, in float32 torch operations:
  course  frames of 200 samples every 80, np.hanning(200) (symmetric),
          torch.fft.rfft, power, bins 1..99 doubled, / (8000 sum(w^2)),
          times 2^30 (the course's int16 scale, as seqtool's listen.c)
  logmel  frames of 400 every 160, periodic Hann, rfft of 512, power, 40
          HTK mel triangles 20-8000 Hz (made in float64 once, as
          tests/spec_check.py does), log(. + 1e-6)
Clips: 16-bit PCM mono WAV files at the front end's rate (44.1 kHz or
16 kHz; anything else is refused: the bench writes them so), samples /
32768 as libsndfile gives them.

Each clip is read and run in chunks of --chunk seconds (default 10: a
10 s clip in one piece), as a stream: the samples after the last whole
frame, each convolution's input frames after its last whole window and
each GRU's state carry over to the next chunk, so the scores are those of
the whole clip at once, in memory that does not grow with the clip.

Timed (its own clock): for each clip, reading the file, the front end and
the network (torch import, model loading and building excluded). Prints
one JSON line: clips, steps (output steps scored), seconds, cpu_seconds
(the process's CPU time over the same part), clips_per_s,
features_s and network_s (the two parts' sums, reading in features_s),
parameters, threads, blas. --scores writes every output step's time and
score as `seqtool trigger detect --scores` prints them
([FILE:]SECONDS<TAB>SCORE, 3 and 6 decimals), after the clock stops.
--join writes the IN files one after the other as one WAV file (same rate
and format), or as their raw samples when OUT ends in .raw.
"""
import sys
import time
import wave

import numpy as np

from peerlib import Stopwatch, mel_filters, parser, read_safetensors, report, torch_setup

COURSE_SCALE = 2.0 ** 30


def parse(argv):
    p = parser(__doc__)
    p.add_argument("-m", "--model")
    p.add_argument("--scores")
    p.add_argument("--chunk", type=float, default=10.0)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--join")
    p.add_argument("clips", nargs="+")
    a = p.parse_args(argv)
    if not a.join and not a.model:
        p.error("give -m MODEL (or --join)")
    return a


class Carry:
    """The frames of a stream a windowed operation has not used up: push
    a block [.., T] and get the part that holds every whole window
    (window w every hop h) with their count; the rest waits for the next
    push.  Starts with `pad` zeros (a causal convolution's)."""

    def __init__(self, torch, window, hop, pad=0):
        self.torch, self.window, self.hop, self.pad = torch, window, hop, pad
        self.rest = None

    def reset(self, shape_head):
        self.rest = self.torch.zeros(*shape_head, self.pad)

    def push(self, x):
        x = self.torch.cat([self.rest, x], dim=-1) if self.rest.shape[-1] else x
        n = x.shape[-1]
        k = 0 if n < self.window else (n - self.window) // self.hop + 1
        self.rest = x[..., k * self.hop:]
        return x[..., :(k - 1) * self.hop + self.window] if k else x[..., :0], k


class Front:
    """The front end of seqtool's model: features [T][bins] of the samples
    of a stream, pushed in chunks."""

    def __init__(self, torch, name):
        self.torch, self.name = torch, name
        if name == "course":
            self.rate, self.window, self.hop, self.nfft, self.bins = 44100, 200, 80, 200, 101
            w = np.hanning(200)
            self.w = torch.tensor(w, dtype=torch.float32)
            self.scale = COURSE_SCALE / (8000.0 * (w ** 2).sum())
        elif name == "logmel":
            self.rate, self.window, self.hop, self.nfft, self.bins = 16000, 400, 160, 512, 40
            n = np.arange(400)
            self.w = torch.tensor(0.5 - 0.5 * np.cos(2 * np.pi * n / 400), dtype=torch.float32)
            self.fb = torch.tensor(mel_filters().T, dtype=torch.float32)
        else:
            raise ValueError("no front end '%s'" % name)
        self.carry = Carry(torch, self.window, self.hop)

    def reset(self):
        self.carry.reset(())

    def features(self, x):
        x, k = self.carry.push(x)
        if k == 0:
            return x.new_zeros(0, self.bins)
        seg = x.unfold(0, self.window, self.hop) * self.w
        p = self.torch.fft.rfft(seg, n=self.nfft, dim=1).abs().square()
        if self.name == "course":
            p[:, 1:-1] *= 2.0
            return p * self.scale
        return self.torch.log(p @ self.fb + 1e-6)


class Net:
    """seqtool's wakenet (cmd/trigger/wakenet.h) from its description and
    tensors, as torch modules run on a stream of feature chunks."""

    def __init__(self, torch, arch, bins, w, member=""):
        self.torch = torch
        self.layers = []    # [kind, module, state]
        self.convs = []     # (pad, kernel, stride) from the first layer on
        c = bins
        for i, item in enumerate(arch.split(",")):
            pre = member + "l%d." % i
            part = item.split(":")
            if part[0] == "conv":
                out, k, s = int(part[1]), int(part[2]), int(part[3])
                pad = k - 1 if part[4:] == ["causal"] else 0
                m = torch.nn.Conv1d(c, out, k, stride=s)
                self.set(m, {"weight": w[pre + "weight"], "bias": w[pre + "bias"]})
                self.layers.append(["conv", m, Carry(torch, k, s, pad)])
                self.convs.append((pad, k, s))
                c = out
            elif part[0] == "bn":
                m = torch.nn.BatchNorm1d(c, eps=1e-3)
                self.set(m, {"weight": w[pre + "weight"], "bias": w[pre + "bias"],
                             "running_mean": w[pre + "running_mean"], "running_var": w[pre + "running_var"]})
                self.layers.append(["bn", m, None])
            elif part[0] == "relu":
                self.layers.append(["relu", torch.nn.ReLU(), None])
            elif part[0] == "drop":
                pass            # nothing in eval mode
            elif part[0] == "gru":
                h = int(part[1])
                m = torch.nn.GRU(c, h)
                self.set(m, {n: w[pre + n] for n in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")})
                self.layers.append(["gru", m, None])
                c = h
            elif part[0] == "dense":
                m = torch.nn.Linear(c, 1)
                self.set(m, {"weight": w[pre + "weight"], "bias": w[pre + "bias"]})
                self.layers.append(["dense", m, None])
            else:
                raise ValueError("no layer '%s'" % item)
        self.params = sum(int(np.prod(t.shape)) for name, t in w.items()
                          if name.startswith(member) and (member or not name.startswith("m")))

    def set(self, m, tensors):
        m.eval()
        with self.torch.no_grad():
            for name, v in tensors.items():
                getattr(m, name).copy_(self.torch.from_numpy(np.array(v, dtype=np.float32)))

    def reset(self):
        """Back to the start of a stream: convolutions' carried frames to
        their padding, GRU states to zero."""
        for L in self.layers:
            if L[0] == "conv":
                L[2].reset((1, L[1].in_channels))
            elif L[0] == "gru":
                L[2] = None

    def logits(self, feat):
        """The logits [T'] of the steps that the features [T][bins] of the
        next chunk complete."""
        x = feat.t().unsqueeze(0)          # [1][C][T]: channels first until a GRU
        seq = False                        # [T][1][C] after the first GRU
        for L in self.layers:
            kind, m = L[0], L[1]
            if x.shape[-1 if not seq else 0] == 0:
                return x.new_zeros(0)
            if kind == "conv":
                if seq:
                    raise ValueError("a convolution after a GRU is not supported here")
                x, _ = L[2].push(x)
                x = m(x) if x.shape[-1] else x.new_zeros(1, m.out_channels, 0)
            elif kind == "bn":
                x = m(x) if not seq else m(x.reshape(-1, x.shape[-1])).reshape(x.shape)
            elif kind == "relu":
                x = m(x)
            elif kind in ("gru", "dense"):
                if not seq:
                    x = x.permute(2, 0, 1)
                    seq = True
                if kind == "gru":
                    x, L[2] = m(x, L[2])
                else:
                    x = m(x)
        return x.reshape(-1)

    def last_frame(self, t):
        """The input frame that completes output step t (wakenet_last_frame)."""
        for pad, k, s in reversed(self.convs):
            t = t * s + k - 1 - pad
        return t


def open_clip(path, rate):
    f = wave.open(path, "rb")
    if f.getframerate() != rate or f.getnchannels() != 1 or f.getsampwidth() != 2:
        raise SystemExit("trigger_peer: %s: want 16-bit mono at %d Hz, have %d-bit, %d channels at %d Hz"
                         % (path, rate, 8 * f.getsampwidth(), f.getnchannels(), f.getframerate()))
    return f


def join(out, paths):
    """The WAV files paths one after the other into out: a WAV file, or
    their raw samples when out ends in .raw."""
    raw = out.endswith(".raw")
    with (open(out, "wb") if raw else wave.open(out, "wb")) as o:
        for i, p in enumerate(paths):
            with wave.open(p, "rb") as f:
                if i == 0 and not raw:
                    o.setparams(f.getparams())
                data = f.readframes(f.getnframes())
                o.write(data) if raw else o.writeframes(data)


def main(argv):
    a = parse(argv)
    if a.join:
        join(a.join, a.clips)
        return 0
    torch = torch_setup(a.threads, 1)
    meta, w = read_safetensors(a.model)
    if meta.get("seqtool.kind") != "trigger" or "trigger.arch" not in meta:
        raise SystemExit("trigger_peer: %s is not a seqtool trigger model" % a.model)
    front = Front(torch, meta["trigger.front"])
    # an ensemble (trigger combine): member K's tensors under "mK.", the
    # score the mean of the members' sigmoids
    nets = [Net(torch, meta["trigger.arch"], front.bins, w, "m%d." % k if k else "")
            for k in range(int(meta.get("trigger.members", "1")))]
    net = nets[0]
    chunk = max(1, int(a.chunk * front.rate))
    kept = []
    steps, t_feat, t_net = 0, 0.0, 0.0
    clock, cpu0 = Stopwatch(), time.process_time()
    with torch.no_grad():
        for path in a.clips:
            front.reset()
            for n in nets:
                n.reset()
            scores = []
            with open_clip(path, front.rate) as f:
                while True:
                    c0 = Stopwatch()
                    raw = f.readframes(chunk)
                    if not raw:
                        break
                    x = torch.from_numpy(np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0)
                    feat = front.features(x)
                    t_feat += c0.seconds()
                    c1 = Stopwatch()
                    s = sum(torch.sigmoid(n.logits(feat)) for n in nets) / len(nets)
                    t_net += c1.seconds()
                    scores.append(s)
            s = torch.cat(scores) if scores else torch.zeros(0)
            steps += s.shape[0]
            if a.scores:
                kept.append((path, s.numpy()))
    seconds, cpu = clock.seconds(), time.process_time() - cpu0
    if a.scores:
        several = len(a.clips) > 1
        with open(a.scores, "w") as out:
            for path, s in kept:
                for t, v in enumerate(s):
                    end = (net.last_frame(t) * front.hop + front.window) / front.rate
                    out.write("%s%.3f\t%.6f\n" % (path + ":" if several else "", end, v))
    report({"clips": len(a.clips), "steps": steps, "seconds": round(seconds, 6), "cpu_seconds": round(cpu, 6),
            "clips_per_s": round(len(a.clips) / seconds, 3),
            "features_s": round(t_feat, 6), "network_s": round(t_net, 6),
            "parameters": sum(n.params for n in nets), "members": len(nets), "threads": torch.get_num_threads()})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
