#!/usr/bin/python3
"""Cross-check seqtool's dinos gradients against PyTorch.

usage: crosscheck.py [--dtype float64|float32] [--tol 1e-4] MODEL NAMES GRADS
       crosscheck.py --selftest

MODEL  a seqtool dinos model (safetensors)
NAMES  the names fed to tests/gradump: every non-empty line, lower-cased,
       all in ONE batch, padded to the longest
GRADS  what tests/gradump wrote: tensors "grad.<name>" for every model tensor
       (optimizer state "optim.*" excluded) and metadata "loss"

The reference is an independent PyTorch model (nn.RNN / nn.GRU / nn.LSTM +
nn.Linear, float64 by default) built from the metadata and the weights alone;
the file is read with struct + json + numpy only, no seqtool code.

Acceptance criterion (b = the PyTorch reference, a = seqtool's value):
  loss:         |a - b|        <= tol * max(|b|, 1e-6)
  each tensor:  max_i |a_i - b_i| <= tol * max(max_i |b_i|, 1e-6)
with tol = 1e-4 (relative to the tensor's largest reference magnitude,
not element-wise). Shapes must agree exactly, and every expected grad.<name>
must be present. Prints one line per check; exits 1 on any failure.

--selftest fabricates a random model of each cell (1 and 2 layers), writes
its exact gradients with this file's own writer, and checks that they are
accepted and that a perturbed gradient and a wrong loss are rejected.
"""
import json
import math
import os
import struct
import sys
import tempfile
import zlib

import numpy as np

# the dinos data helpers it shares with tests/bench/dinos_peer.py
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "bench"))
from peerlib import names_onehot, read_names, read_safetensors  # noqa: E402




def write_safetensors(path, tensors, meta):
    """Minimal writer (used by --selftest only); adds seqtool.crc32."""
    header, blobs, off = {}, [], 0
    for name, arr in tensors.items():
        blob = np.ascontiguousarray(arr, dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(arr.shape),
                        "data_offsets": [off, off + len(blob)]}
        blobs.append(blob)
        off += len(blob)
    data = b"".join(blobs)
    meta = dict(meta)
    meta["seqtool.crc32"] = "%08x" % (zlib.crc32(data) & 0xffffffff)
    hdr = json.dumps(dict([("__metadata__", meta)] + list(header.items())),
                     separators=(",", ":")).encode("utf-8")
    hdr += b" " * (-len(hdr) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hdr)) + hdr + data)


# ---------------------------------------------------------------- model
GATES = {"rnn": 1, "gru": 3, "lstm": 4}


def model_spec(meta):
    """(cell, hidden, layers, vocab) from the metadata, validated."""
    if meta.get("seqtool.kind") != "dinos":
        raise ValueError("seqtool.kind is %r, expected 'dinos'"
                         % meta.get("seqtool.kind"))
    cell = meta["dinos.cell"]
    if cell not in GATES:
        raise ValueError("unknown dinos.cell %r" % cell)
    hidden, layers = int(meta["dinos.hidden"]), int(meta["dinos.layers"])
    vocab = meta["dinos.vocab"]
    if not vocab or vocab[0] != "\n" or "".join(sorted(set(vocab))) != vocab:
        raise ValueError("dinos.vocab %r is not a sorted set starting with "
                         "'\\n'" % vocab)
    return cell, hidden, layers, vocab


def expected_shapes(cell, hidden, layers, V):
    g = GATES[cell]
    shapes = {}
    for k in range(layers):
        inp = V if k == 0 else hidden
        shapes["rnn.weight_ih_l%d" % k] = [g * hidden, inp]
        shapes["rnn.weight_hh_l%d" % k] = [g * hidden, hidden]
        shapes["rnn.bias_ih_l%d" % k] = [g * hidden]
        if cell == "gru":
            shapes["rnn.bias_hh_l%d" % k] = [g * hidden]
    shapes["out.weight"] = [V, hidden]
    shapes["out.bias"] = [V]
    return shapes


def build_torch(torch, cell, hidden, layers, V, weights, dtype):
    """nn.RNN/GRU/LSTM + Linear with the file's weights (bias_hh = 0 for
    rnn/lstm, which have one bias only)."""
    nn = torch.nn
    ctor = {"rnn": lambda **kw: nn.RNN(nonlinearity="tanh", **kw),
            "gru": nn.GRU, "lstm": nn.LSTM}[cell]

    class Dinos(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = ctor(input_size=V, hidden_size=hidden,
                            num_layers=layers, bias=True, batch_first=True)
            self.out = nn.Linear(hidden, V)

        def forward(self, x):
            h, _ = self.rnn(x)
            return self.out(h)

    m = Dinos().to(dtype)
    state = {k: torch.from_numpy(v.astype(np.float64)).to(dtype)
             for k, v in weights.items()}
    if cell != "gru":
        for k in range(layers):
            state["rnn.bias_hh_l%d" % k] = torch.zeros(GATES[cell] * hidden,
                                                       dtype=dtype)
    missing, unexpected = m.load_state_dict(state, strict=False)
    if missing or unexpected:
        raise ValueError("state_dict mismatch: missing %r unexpected %r"
                         % (missing, unexpected))
    return m


def reference(model_path, names_path, dtype_name="float64"):
    """(metadata, model tensors, reference loss, {name: reference grad})."""
    import torch
    dtype = getattr(torch, dtype_name)
    meta, tensors = read_safetensors(model_path)
    cell, hidden, layers, vocab = model_spec(meta)
    V = len(vocab)
    weights = {k: v for k, v in tensors.items() if not k.startswith("optim.")}
    shapes = expected_shapes(cell, hidden, layers, V)
    got = {k: list(v.shape) for k, v in weights.items()}
    if got != shapes:
        raise ValueError("model tensors %r differ from expected %r"
                         % (got, shapes))
    names = read_names(names_path)
    if not names:
        raise ValueError("%s: no names" % names_path)
    m = build_torch(torch, cell, hidden, layers, V, weights, dtype)
    x, y = names_onehot(names, vocab, dtype)
    logits = m(x)
    loss = torch.nn.functional.cross_entropy(
        logits.reshape(-1, V), y.reshape(-1), ignore_index=-100,
        reduction="sum") / len(names)
    loss.backward()
    params = dict(m.named_parameters())
    grads = {k: params[k].grad.detach().cpu().numpy().astype(np.float64)
             for k in shapes}
    return meta, weights, float(loss.item()), grads


# ---------------------------------------------------------------- compare
def compare(ref_loss, ref_grads, gmeta, gtensors, tol, out=sys.stdout):
    """Print one line per check; return the number of failures."""
    fails = 0
    try:
        loss = float(gmeta["loss"])
        err = abs(loss - ref_loss)
        lim = tol * max(abs(ref_loss), 1e-6)
        ok = err <= lim and math.isfinite(loss)
        print("%-4s loss: seqtool %.9g torch %.9g |diff| %.3g (limit %.3g)"
              % ("ok" if ok else "FAIL", loss, ref_loss, err, lim), file=out)
    except (KeyError, ValueError) as e:
        ok = False
        print("FAIL loss: no usable metadata 'loss' in GRADS (%s)" % e,
              file=out)
    fails += not ok
    for name, b in ref_grads.items():
        key = "grad." + name
        if key not in gtensors:
            print("FAIL %s: missing from GRADS" % key, file=out)
            fails += 1
            continue
        a = gtensors[key].astype(np.float64)
        if list(a.shape) != list(b.shape):
            print("FAIL %s: shape %r, expected %r"
                  % (key, list(a.shape), list(b.shape)), file=out)
            fails += 1
            continue
        scale = max(float(np.max(np.abs(b))) if b.size else 0.0, 1e-6)
        err = float(np.max(np.abs(a - b))) if b.size else 0.0
        ok = err <= tol * scale and bool(np.all(np.isfinite(a)))
        print("%-4s %s %r: max|diff| %.3g, max|ref| %.3g, rel %.3g"
              % ("ok" if ok else "FAIL", key, list(b.shape), err, scale,
                 err / scale), file=out)
        fails += not ok
    extra = sorted(set(gtensors) - set("grad." + k for k in ref_grads))
    for key in extra:
        print("FAIL %s: unexpected tensor in GRADS" % key, file=out)
        fails += 1
    return fails


def judge(loss, ref_loss, grads, ref_grads, tol):
    """The criterion above for a loss and gradients (the tensors named
    grad.<name> among grads {key: ndarray}) against their references
    {name: ndarray} (tests/nmt_crosscheck.py, emojify_crosscheck.py).
    Returns (what failed, as a list of phrases; the loss's relative error;
    the worst gradient tensor's relative error and its name). A reference
    gradient that is zero everywhere fails: comparing with it proves
    nothing."""
    bad, worst, wname = [], 0.0, ""
    lerr = abs(loss - ref_loss) / max(abs(ref_loss), 1e-6)
    if not lerr <= tol:
        bad.append("loss %.9g, reference %.9g" % (loss, ref_loss))
    for name, ref in ref_grads.items():
        got = grads.get("grad." + name)
        if got is None or got.shape != ref.shape:
            bad.append("grad.%s %s" % (name, "missing" if got is None else
                                       "of shape %r, reference %r"
                                       % (got.shape, ref.shape)))
            continue
        scale = float(np.abs(ref).max())
        if scale < 1e-8:
            bad.append("grad.%s: the reference is zero, the check would say "
                       "nothing" % name)
            continue
        err = float(np.abs(got.astype(np.float64) - ref).max()) / scale
        if not err <= tol:  # NaN fails too
            bad.append("grad.%s off by %.2e of its largest magnitude"
                       % (name, err))
        if not err <= worst:
            worst, wname = err, name
    extra = (set(k for k in grads if k.startswith("grad."))
             - set("grad." + k for k in ref_grads))
    bad += ["%s: no such tensor in the reference" % k for k in sorted(extra)]
    return bad, lerr, worst, wname


# ---------------------------------------------------------------- selftest
SELFTEST_NAMES = ["Aachenosaurus", "Abel", "Zuul", "Tyrannosaurus", "Ox"]


def selftest():
    import io
    import torch
    rng = np.random.default_rng(1)
    vocab = "\n" + "".join(sorted(set("".join(SELFTEST_NAMES).lower())))
    V = len(vocab)
    total = 0
    with tempfile.TemporaryDirectory() as d:
        names = os.path.join(d, "names.txt")
        with open(names, "w") as f:
            f.write("\n".join(SELFTEST_NAMES) + "\n")
        for cell in ("rnn", "gru", "lstm"):
            for layers in (1, 2):
                H = 7
                meta = {"seqtool.kind": "dinos", "seqtool.version": "1",
                        "dinos.cell": cell, "dinos.hidden": str(H),
                        "dinos.layers": str(layers), "dinos.vocab": vocab}
                tensors = {k: (0.5 * rng.standard_normal(s)).astype(np.float32)
                           for k, s in expected_shapes(cell, H, layers,
                                                       V).items()}
                tensors["optim.step"] = np.array([3.0], np.float32)
                model = os.path.join(d, "m.safetensors")
                write_safetensors(model, tensors, meta)
                # the "seqtool" side: PyTorch in float32 (what C would do)
                _, _, loss32, g32 = reference(model, names, "float32")
                _, _, loss, grads = reference(model, names, "float64")
                gpath = os.path.join(d, "g.safetensors")
                gt = {"grad." + k: v.astype(np.float32) for k, v in g32.items()}
                write_safetensors(gpath, gt, {"loss": "%.9g" % loss32})
                gm, gtt = read_safetensors(gpath)
                buf = io.StringIO()
                good = compare(loss, grads, gm, gtt, 1e-4, buf)
                # perturb one element of one tensor by 1e-3 of its scale
                key = "grad.rnn.weight_hh_l%d" % (layers - 1)
                bad = {k: v.copy() for k, v in gtt.items()}
                bad[key].flat[0] += 1e-3 * float(np.max(np.abs(bad[key])))
                nbad = compare(loss, grads, gm, bad, 1e-4, io.StringIO())
                nloss = compare(loss, grads, {"loss": "%.9g" % (loss * 1.001)},
                                gtt, 1e-4, io.StringIO())
                missing = dict(gtt)
                del missing["grad.out.bias"]
                nmiss = compare(loss, grads, gm, missing, 1e-4, io.StringIO())
                # padding must not leak: the batch gradient is the mean of
                # the per-name gradients, each computed alone (no padding)
                pad = 0.0
                acc = {k: np.zeros_like(v) for k, v in grads.items()}
                acc_loss = 0.0
                for n in SELFTEST_NAMES:
                    one = os.path.join(d, "one.txt")
                    with open(one, "w") as f:
                        f.write(n + "\n")
                    _, _, l1, g1 = reference(model, one, "float64")
                    acc_loss += l1 / len(SELFTEST_NAMES)
                    for k in acc:
                        acc[k] += g1[k] / len(SELFTEST_NAMES)
                pad = max([abs(acc_loss - loss)] +
                          [float(np.max(np.abs(acc[k] - grads[k])))
                           for k in acc])
                ok = (good == 0 and nbad == 1 and nloss == 1 and nmiss == 1
                      and pad < 1e-10)
                if cell == "rnn":
                    # the course's equations in numpy, one name at a time:
                    # a = tanh(Wax x + Waa a + b), y = softmax(Wya a + by)
                    ids = {c: i for i, c in enumerate(vocab)}
                    w = {k: v.astype(np.float64) for k, v in tensors.items()}
                    nl = 0.0
                    for n in SELFTEST_NAMES:
                        n = n.lower()
                        hs = [np.zeros(H) for _ in range(layers)]
                        x = np.zeros(V)
                        for c in list(n) + ["\n"]:
                            inp = x
                            for k in range(layers):
                                hs[k] = np.tanh(w["rnn.weight_ih_l%d" % k] @ inp
                                                + w["rnn.weight_hh_l%d" % k]
                                                @ hs[k]
                                                + w["rnn.bias_ih_l%d" % k])
                                inp = hs[k]
                            z = w["out.weight"] @ inp + w["out.bias"]
                            z -= z.max()
                            nl -= z[ids[c]] - math.log(np.exp(z).sum())
                            x = np.zeros(V)
                            x[ids[c]] = 1.0
                    nl /= len(SELFTEST_NAMES)
                    ok = ok and abs(nl - loss) < 1e-9 * abs(loss)
                    print("selftest rnn %d: numpy course equations loss %.12g,"
                          " torch %.12g" % (layers, nl, loss))
                total += not ok
                print("selftest %s %d: %s (float32 vs float64 accepted: %s; "
                      "perturbed grad rejected: %s; wrong loss rejected: %s; "
                      "missing grad rejected: %s; padding-free: %.2g)"
                      % (cell, layers, "ok" if ok else "FAIL", good == 0,
                         nbad == 1, nloss == 1, nmiss == 1, pad))
                if good:
                    sys.stdout.write(buf.getvalue())
    return 1 if total else 0


def main(argv):
    args, tol, dtype = [], 1e-4, "float64"
    it = iter(argv)
    for a in it:
        if a == "--selftest":
            return selftest()
        elif a == "--tol":
            tol = float(next(it))
        elif a == "--dtype":
            dtype = next(it)
        elif a in ("-h", "--help"):
            print(__doc__)
            return 0
        else:
            args.append(a)
    if len(args) != 3:
        print("usage: crosscheck.py [--dtype float64|float32] [--tol X] "
              "MODEL NAMES GRADS | --selftest", file=sys.stderr)
        return 2
    model, names, grads = args
    try:
        meta, _, ref_loss, ref_grads = reference(model, names, dtype)
        gmeta, gtensors = read_safetensors(grads)
    except (OSError, ValueError, KeyError) as e:
        print("FAIL crosscheck: %s" % e)
        return 1
    print("model: cell %s hidden %s layers %s vocab %d symbols; reference "
          "torch %s; criterion max|a-b| <= %g * max(max|ref|, 1e-6)"
          % (meta["dinos.cell"], meta["dinos.hidden"], meta["dinos.layers"],
             len(meta["dinos.vocab"]), dtype, tol))
    fails = compare(ref_loss, ref_grads, gmeta, gtensors, tol)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
