#!/usr/bin/env python3
"""tests/spec_check.py DIR: audio/spec.c against numpy, in float64.

For each NAME.signal.f32 that tests/audiodump wrote into DIR, computes

  course  matplotlib's specgram(x, NFFT=200, Fs=8000, noverlap=120), as
          matplotlib's _spectral_helper does it (numpy only): segments of
          200 every 80, np.hanning window, np.fft.fft, one-sided, PSD scaled
          by 1 / (Fs * sum(w^2)), bins 1..99 doubled; transposed to
          [frames][101];
  logmel  periodic Hann 400, hop 160, np.fft.rfft of 512, power, 40 HTK
          mel triangles from 20 to 8000 Hz, log(. + 1e-6);

and compares with NAME.course.f32 and NAME.logmel.f32.  The C side's
FFT is float32, whose rounding error is relative to the energy of the
whole frame, not of each bin, so each feature is checked two ways:
  1. relative error |c - r| / r on the values r above 1e-4 of their
     frame's largest (for log-mel: on the band energies, i.e. |c - r| on
     the logs, and only energies above the log's floor 1e-6), below 1e-4;
  2. on every value, |c - r| / (the frame's largest), below 1e-5 (log-mel:
     energies exp(.) - 1e-6, the largest plus the floor).
Prints one "ok - ..." / "not ok - ..." line per check with the max errors.
"""
import glob
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "bench"))
from peerlib import mel_filters  # noqa: E402

REL_TOL = 1e-4      # relative error on values above FLOOR x their frame's largest
FLOOR = 1e-4
FRAME_TOL = 1e-5    # every value: error relative to the frame's largest


def frames_of(x, window, hop):
    n = 0 if len(x) < window else 1 + (len(x) - window) // hop
    idx = np.arange(window)[None, :] + hop * np.arange(n)[:, None]
    return x[idx]


def course(x):
    nfft, hop, fs = 200, 80, 8000
    w = np.hanning(nfft)
    seg = frames_of(x, nfft, hop) * w
    spec = np.fft.fft(seg, n=nfft, axis=1)[:, : nfft // 2 + 1]
    p = (np.conj(spec) * spec).real
    p[:, 1:-1] *= 2.0
    p /= fs
    p /= (np.abs(w) ** 2).sum()
    return p


def logmel(x):
    window, hop, nfft = 400, 160, 512
    w = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(window) / window)
    seg = frames_of(x, window, hop) * w
    p = np.abs(np.fft.rfft(seg, n=nfft, axis=1)) ** 2
    return np.log(p @ mel_filters().T + 1e-6)


def main():
    d = sys.argv[1]
    failed = 0
    names = sorted(os.path.basename(p)[: -len(".signal.f32")] for p in glob.glob(os.path.join(d, "*.signal.f32")))
    if not names:
        print(f"not ok - spec_check: no *.signal.f32 in {d}")
        return 1
    for name in names:
        x = np.fromfile(os.path.join(d, name + ".signal.f32"), dtype="<f4").astype(np.float64)

        for kind, ref_fn in (("course", course), ("logmel", logmel)):
            ref = ref_fn(x)
            got = np.fromfile(os.path.join(d, f"{name}.{kind}.f32"), dtype="<f4").astype(np.float64)
            if got.size != ref.size:
                print(f"not ok - {name}: {kind} has {got.size} values, numpy {ref.shape}")
                failed += 1
                continue
            got = got.reshape(ref.shape)
            if kind == "logmel":  # compare energies
                ref, got = np.exp(ref) - 1e-6, np.exp(got) - 1e-6
            peak = ref.max(axis=1, keepdims=True)
            above = ref > FLOOR * peak
            if kind == "logmel":  # energies under the log's floor are the floor
                above &= ref > 1e-6
            rel = (np.abs(got - ref)[above] / ref[above]).max() if above.any() else 0.0
            scale = peak + (1e-6 if kind == "logmel" else 0.0)
            scale[scale == 0] = 1.0
            frame_rel = (np.abs(got - ref) / scale).max()
            ok = rel < REL_TOL and frame_rel < FRAME_TOL
            failed += not ok
            what = "course spectrogram" if kind == "course" else "log-mel energies"
            print(f"{'ok' if ok else 'not ok'} - {name}: {what} {ref.shape[0]}x{ref.shape[1]} vs numpy: "
                  f"max relative error {rel:.2e} on the {above.mean() * 100:.1f}% above 1e-4 of their frame's peak"
                  f"{' and the floor' if kind == 'logmel' else ''}, "
                  f"max error {frame_rel:.2e} of the frame's peak on all")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
