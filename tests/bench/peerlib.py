"""What the Python peers of tests/bench share (dinos_peer.py, nmt_peer.py,
emojify_peer.py, w2v_peer.py, jazz_peer.py), and tests/crosscheck.py and
tests/jazz_crosscheck.py and tests/spec_check.py with them.

A peer imports it from its own folder (`import peerlib`: Python puts a
script's folder first on sys.path); tests/crosscheck.py adds tests/bench to
sys.path (and tests/jazz_crosscheck.py imports it through that). Only the standard library is imported here: torch comes in with
the functions that need it, so a peer without torch (w2v_peer.py) can use
the rest.

parser(doc)              an ArgumentParser described by the first line of doc
blas_maps()              the BLAS libraries this process has mapped
report(res, out)         res as one JSON line, "blas": blas_maps() added
torch_setup(threads, seed)  torch on THREADS threads (one inter-op thread),
                         seeded; returns the torch module
Stopwatch()              a clock started: .seconds() since then
read_safetensors(path)   (metadata, {name: float32 ndarray}) of a seqtool
                         model file
read_names(path)         a names file as seqtool dinos reads it
names_onehot(names, vocab, dtype)  the dinos inputs and targets of a batch
mel_filters(...)         the 40 HTK mel triangles of trigger's log-mel front
                         (audio/spec.c), float64 [bands][nfft/2+1]
the jazz melody model (cmd/jazz/melody.h), written once in PyTorch for the
gradient cross-check (float64, step-by-step LSTM) and the bench peer
(float32, torch's fused LSTM):
JAZZ_FIELDS, JAZZ_CLASSES, JAZZ_NO_ROOT  the six fields, their classes
jazz_embed(table, ids)   embedding rows, zeros for id -1
jazz_lstm_reference(w, mask)  the LSTM stack's layers as plain equations
jazz_logits(w, inp, out, layers, tones, lstm, dropout)  the three heads
jazz_nll(logits, out)    each head's NLL, summed over the real notes

Which BLAS a peer gets is chosen outside it, by the bench's environment
(LD_LIBRARY_PATH to the folder of one libblas.so.3, OPENBLAS_NUM_THREADS=1:
tests/bench/lib.sh envrun); blas_maps() reports what was loaded.
"""
import argparse
import json
import os
import struct
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


SAFETENSORS_DTYPES = {"F32": "<f4", "U8": "u1"}  # what seqtool writes (U8: emojify's words)


def read_safetensors(path):
    """(metadata, {name: ndarray}) of a safetensors file as seqtool writes
    them: F32 tensors as float32, U8 ones as uint8; ValueError otherwise."""
    import numpy as np
    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 8:
        raise ValueError("%s: shorter than the 8-byte header length" % path)
    (n,) = struct.unpack("<Q", raw[:8])
    if 8 + n > len(raw):
        raise ValueError("%s: header length %d past the end of the file" % (path, n))
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    data = raw[8 + n:]
    meta = header.pop("__metadata__", {}) or {}
    tensors = {}
    for name, info in header.items():
        dtype = SAFETENSORS_DTYPES.get(info.get("dtype"))
        if dtype is None:
            raise ValueError("%s: tensor %s has dtype %s, not F32 or U8" % (path, name, info.get("dtype")))
        shape = [int(d) for d in info["shape"]]
        b, e = info["data_offsets"]
        count = 1
        for d in shape:
            count *= d
        if e - b != np.dtype(dtype).itemsize * count or b < 0 or e > len(data):
            raise ValueError("%s: tensor %s: data_offsets %r do not fit its shape %r" % (path, name, [b, e], shape))
        tensors[name] = np.frombuffer(data, dtype=dtype, count=count, offset=b).reshape(shape).copy()
    return meta, tensors


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


# ---- the jazz melody model ---------------------------------------------

# The event fields in the order of melody.h's input vector (the tensor
# names emb.<field>), their class counts (cmd/jazz/events.h), the root
# class "no chord".
JAZZ_FIELDS = ("rest", "pitch", "dur", "pos", "root", "quality")
JAZZ_CLASSES = {"rest": 34, "pitch": 128, "dur": 33, "pos": 96, "root": 13, "quality": 15}
JAZZ_NO_ROOT = 12


def mel_filters(rate=16000, nfft=512, bands=40, fmin=20.0, fmax=8000.0):
    """HTK mel triangles from fmin to fmax over the rfft bins of nfft."""
    import numpy as np

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


def jazz_embed(table, ids):
    """Rows of table for ids [T][B] (zeros where the id is -1)."""
    idx = ids.clamp(min=0)
    rows = table[idx]
    return rows * (ids >= 0).unsqueeze(-1).to(rows.dtype)


def jazz_lstm_reference(w, mask):
    """lstm(k, x) for jazz_logits: layer k of the stack by PyTorch's LSTM
    equations (gates i f g o, one bias lstm.bias_ih_l<k>), one step at a
    time, the state held on the padding steps (mask [T][B] 0)."""
    import torch

    def lstm(k, x):
        w_ih, w_hh = w["lstm.weight_ih_l%d" % k], w["lstm.weight_hh_l%d" % k]
        b_ih = w["lstm.bias_ih_l%d" % k]
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
    return lstm


def jazz_logits(w, inp, out, layers, tones, lstm, dropout=0.0):
    """The network of cmd/jazz/melody.h: the logits (rest, pitch, dur),
    each [T][B][classes]. w: the tensors by seqtool's names (emb.<field>,
    lstm.*, head.*); inp, out: {field: class ids [T][B]} of each step's
    input note and target note (-1: none); layers, tones: jazz.layers,
    jazz.chord_tones; lstm(k, x): LSTM layer k over x [T][B][in] (e.g.
    jazz_lstm_reference); dropout: drop probability on each layer's output
    (training; 0: none). Embeddings of the input note's six fields -> the
    LSTM stack -> rest head on h; pitch head on [h, root, quality,
    position] plus the chord-tone bias C[quality][(pitch - root) mod 12];
    duration head on [that, pitch]."""
    import torch
    x = torch.cat([jazz_embed(w["emb." + f], inp[f]) for f in JAZZ_FIELDS], dim=-1)
    for k in range(layers):
        x = lstm(k, x)
        if dropout > 0:
            x = torch.nn.functional.dropout(x, dropout, training=True)
    h = x
    z = torch.cat([h, jazz_embed(w["emb.root"], out["root"]),
                   jazz_embed(w["emb.quality"], out["quality"]),
                   jazz_embed(w["emb.pos"], out["pos"])], dim=-1)
    zd = torch.cat([z, jazz_embed(w["emb.pitch"], out["pitch"])], dim=-1)
    logit_rest = h @ w["head.rest.weight"].T + w["head.rest.bias"]
    logit_pitch = z @ w["head.pitch.weight"].T + w["head.pitch.bias"]
    if tones:
        C = w["head.pitch.chord_tone"]
        root = out["root"]
        has = (root >= 0) & (root != JAZZ_NO_ROOT)
        pitches = torch.arange(logit_pitch.shape[-1])
        interval = (pitches.view(1, 1, -1) - root.clamp(min=0).unsqueeze(-1)) % 12
        qual = torch.where(has, out["quality"], 0).unsqueeze(-1).expand_as(interval)
        bias = C[qual, interval] * has.unsqueeze(-1).to(C.dtype)
        logit_pitch = logit_pitch + bias
    logit_dur = zd @ w["head.dur.weight"].T + w["head.dur.bias"]
    return logit_rest, logit_pitch, logit_dur


def jazz_nll(logits, out):
    """{"rest", "pitch", "dur"}: each head's NLL (nats) of the target
    classes out[field] [T][B], summed over the real notes (out["rest"] >=
    0); logits as jazz_logits returns them."""
    import torch
    real = out["rest"] >= 0
    nll = {}
    for name, lg in zip(("rest", "pitch", "dur"), logits):
        target = out[name]
        logp = torch.log_softmax(lg, dim=-1)
        picked = logp.gather(-1, target.clamp(min=0).unsqueeze(-1)).squeeze(-1)
        nll[name] = -(picked * real.to(picked.dtype)).sum()
    return nll
