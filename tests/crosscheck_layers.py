#!/usr/bin/python3
"""Cross-check seqtool's conv1d, batchnorm and weighted binary
cross-entropy against PyTorch.

usage: crosscheck_layers.py [--tol 1e-4] DUMP

DUMP  what tests/layerdump wrote: per case CASE.NAME tensors (inputs,
      weights, seqtool's outputs and gradients) and metadata CASE (sizes
      and settings); see tests/layerdump.c.

The reference is PyTorch in float64, fed the same inputs and weights:
  conv1d     torch.nn.Conv1d(in, out, kernel, stride) on F.pad(x, (pad, 0)),
             x as [B][in][T]; loss sum(R * y)
  batchnorm  torch.nn.BatchNorm1d(C, eps, momentum) on x as [B][C][T]: a
             training step (output, gradients of x, weight, bias; running
             statistics after it), then eval mode on a second input
  bce        torch.nn.BCEWithLogitsLoss(pos_weight = w_pos / w_neg,
             weight = w_neg * mask, reduction 'sum') / mask.sum(), which is
             seqtool's mean over the masked elements of
             -(w_pos y log s(z) + w_neg (1 - y) log(1 - s(z)))
  net        Conv1d -> BatchNorm1d -> ReLU -> Linear(C, 1) -> the loss above

Criterion, as tests/crosscheck.py: each tensor max|a - b| <= tol *
max(max|b|, 1e-6), the loss |a - b| <= tol * |b|.  One exception: in
'net' the conv bias has no gradient at all (batchnorm takes away the mean
of its input), so its floor is the conv weight gradient's scale instead.
Prints one line per check and the worst relative error; exits 1 on any
failure.
"""
import argparse
import sys

import numpy as np

from crosscheck import read_safetensors


class Checker:
    def __init__(self, tol):
        self.tol, self.fails, self.worst = tol, 0, 0.0

    def tensor(self, name, a, b, floor=1e-6):
        a = np.asarray(a, dtype=np.float64)
        b = np.asarray(b, dtype=np.float64)
        if a.shape != b.shape:
            print("FAIL %s: shape %r, expected %r" % (name, a.shape, b.shape))
            self.fails += 1
            return
        scale = max(float(np.max(np.abs(b))) if b.size else 0.0, floor)
        err = float(np.max(np.abs(a - b))) if b.size else 0.0
        ok = err <= self.tol * scale and bool(np.all(np.isfinite(a)))
        self.worst = max(self.worst, err / scale)
        print("%-4s %s %r: max|diff| %.3g, scale %.3g, rel %.3g"
              % ("ok" if ok else "FAIL", name, list(b.shape), err, scale, err / scale))
        self.fails += not ok

    def scalar(self, name, a, b):
        err = abs(a - b)
        ok = err <= self.tol * max(abs(b), 1e-6) and np.isfinite(a)
        self.worst = max(self.worst, err / max(abs(b), 1e-6))
        print("%-4s %s: seqtool %.9g torch %.9g |diff| %.3g"
              % ("ok" if ok else "FAIL", name, a, b, err))
        self.fails += not ok


def tbc_to_bct(torch, a):
    """[T][B][C] numpy -> [B][C][T] float64 tensor."""
    return torch.from_numpy(a.astype(np.float64)).permute(1, 2, 0).contiguous()


def bct_to_tbc(t):
    return t.detach().permute(2, 0, 1).numpy()


def conv_module(torch, w, b, stride):
    oc, ic, k = w.shape
    m = torch.nn.Conv1d(ic, oc, k, stride=stride).double()
    with torch.no_grad():
        m.weight.copy_(torch.from_numpy(w.astype(np.float64)))
        m.bias.copy_(torch.from_numpy(b.astype(np.float64)))
    return m


def check_layer(torch, chk, cas, meta, t, m, forward, what=""):
    """forward (of module m) on CAS.x as [B][C][T], loss sum(R * y): check
    y and the gradients of x, m.weight and m.bias."""
    x = tbc_to_bct(torch, t[cas + ".x"]).requires_grad_()
    y = forward(x)
    (y * tbc_to_bct(torch, t[cas + ".R"])).sum().backward()
    print("%s: %s" % (cas, meta))
    chk.tensor(cas + ".y" + what, t[cas + ".y"], bct_to_tbc(y))
    chk.tensor(cas + ".grad.x", t[cas + ".grad.x"], bct_to_tbc(x.grad))
    chk.tensor(cas + ".grad.weight", t[cas + ".grad.weight"], m.weight.grad.numpy())
    chk.tensor(cas + ".grad.bias", t[cas + ".grad.bias"], m.bias.grad.numpy())


def check_conv(torch, chk, cas, meta, t):
    T, B, ic, oc, k, stride, pad = map(int, meta.split()[1:])
    m = conv_module(torch, t[cas + ".weight"], t[cas + ".bias"], stride)
    check_layer(torch, chk, cas, meta, t, m,
                lambda x: m(torch.nn.functional.pad(x, (pad, 0))))


def bn_module(torch, C, momentum, eps, t, prefix, stats=True):
    m = torch.nn.BatchNorm1d(C, eps=eps, momentum=momentum).double()
    with torch.no_grad():
        m.weight.copy_(torch.from_numpy(t[prefix + "weight"].astype(np.float64)))
        m.bias.copy_(torch.from_numpy(t[prefix + "bias"].astype(np.float64)))
        if stats:
            m.running_mean.copy_(torch.from_numpy(t[prefix + "running_mean"].astype(np.float64)))
            m.running_var.copy_(torch.from_numpy(t[prefix + "running_var"].astype(np.float64)))
    return m


def check_bn(torch, chk, cas, meta, t):
    f = meta.split()[1:]
    T, B, C = map(int, f[:3])
    momentum, eps = float(f[3]), float(f[4])
    m = bn_module(torch, C, momentum, eps, t, cas + ".")
    m.train()
    check_layer(torch, chk, cas, meta, t, m, m, " (train)")
    chk.tensor(cas + ".running_mean after one step", t[cas + ".running_mean_after"],
               m.running_mean.numpy())
    chk.tensor(cas + ".running_var after one step", t[cas + ".running_var_after"],
               m.running_var.numpy())
    m.eval()
    with torch.no_grad():
        ye = m(tbc_to_bct(torch, t[cas + ".x_eval"]))
    chk.tensor(cas + ".y (eval)", t[cas + ".y_eval"], bct_to_tbc(ye))


def bce_reference(torch, z, y, mask, w_pos, w_neg):
    """The weighted mean as PyTorch's BCEWithLogitsLoss spells it."""
    lossf = torch.nn.BCEWithLogitsLoss(
        pos_weight=torch.tensor(w_pos / w_neg, dtype=torch.float64),
        weight=w_neg * mask, reduction="sum")
    return lossf(z, y) / mask.sum()


def check_loss(torch, chk, cas, meta, z, target, mask, w_pos, w_neg, loss):
    """The reference loss of logits z (a tensor) and numpy target and mask;
    check seqtool's loss, and run the backward."""
    ref = bce_reference(torch, z, torch.from_numpy(target.astype(np.float64)),
                        torch.from_numpy(mask.astype(np.float64)), w_pos, w_neg)
    ref.backward()
    print("%s: %s" % (cas, meta))
    chk.scalar(cas + ".loss", loss, float(ref))


def check_bce(torch, chk, cas, meta, t):
    f = meta.split()[1:]
    w_pos, w_neg, loss = float(f[1]), float(f[2]), float(f[3])
    z = torch.from_numpy(t[cas + ".z"].astype(np.float64)).requires_grad_()
    check_loss(torch, chk, cas, meta, z, t[cas + ".y"], t[cas + ".mask"], w_pos, w_neg, loss)
    chk.tensor(cas + ".grad.z", t[cas + ".grad.z"], z.grad.numpy())


def check_net(torch, chk, cas, meta, t):
    f = meta.split()[1:]
    T, B, ic, ch, k, stride = map(int, f[:6])
    momentum, eps, w_pos, w_neg, loss = map(float, f[6:])
    p = cas + "."
    conv = conv_module(torch, t[p + "conv.weight"], t[p + "conv.bias"], stride)
    bn = bn_module(torch, ch, momentum, eps, t, p + "bn.", stats=False)
    lin = torch.nn.Linear(ch, 1).double()
    with torch.no_grad():
        lin.weight.copy_(torch.from_numpy(t[p + "out.weight"].astype(np.float64)))
        lin.bias.copy_(torch.from_numpy(t[p + "out.bias"].astype(np.float64)))
    bn.train()
    x = tbc_to_bct(torch, t[p + "x"]).requires_grad_()
    h = torch.relu(bn(conv(x)))                       # [B][C][T']
    z = lin(h.permute(2, 0, 1)).squeeze(-1)           # [T'][B]
    check_loss(torch, chk, cas, meta, z, t[p + "target"], t[p + "mask"], w_pos, w_neg, loss)
    chk.tensor(p + "z", t[p + "z"], z.detach().numpy())
    chk.tensor(p + "grad.x", t[p + "grad.x"], bct_to_tbc(x.grad))
    wscale = float(np.max(np.abs(conv.weight.grad.numpy())))
    grads = {"conv.weight": conv.weight.grad, "conv.bias": conv.bias.grad,
             "bn.weight": bn.weight.grad, "bn.bias": bn.bias.grad,
             "out.weight": lin.weight.grad, "out.bias": lin.bias.grad}
    for name, g in grads.items():
        chk.tensor(p + "grad." + name, t[p + "grad." + name], g.numpy(),
                   floor=wscale if name == "conv.bias" else 1e-6)
    chk.tensor(p + "bn.running_mean after one step", t[p + "bn.running_mean"],
               bn.running_mean.numpy())
    chk.tensor(p + "bn.running_var after one step", t[p + "bn.running_var"],
               bn.running_var.numpy())


def main(argv):
    ap = argparse.ArgumentParser(
        description="Cross-check seqtool's conv1d, batchnorm and weighted "
        "binary cross-entropy (a tests/layerdump file) against PyTorch.")
    ap.add_argument("--tol", type=float, default=1e-4,
                    help="relative tolerance [1e-4]")
    ap.add_argument("dump", help="what tests/layerdump wrote")
    args = ap.parse_args(argv)
    import torch
    torch.set_num_threads(1)
    try:
        meta, tensors = read_safetensors(args.dump)
    except (OSError, ValueError) as e:
        print("FAIL crosscheck_layers: %s" % e)
        return 1
    chk = Checker(args.tol)
    kinds = {"conv1d": check_conv, "batchnorm": check_bn, "bce": check_bce, "net": check_net}
    cases = [k for k in meta if k.split(".")[0] == k and meta[k].split()[0] in kinds]
    for cas in sorted(cases):
        try:
            kinds[meta[cas].split()[0]](torch, chk, cas, meta[cas], tensors)
        except (KeyError, ValueError) as e:
            print("FAIL %s: %r" % (cas, e))
            chk.fails += 1
    if len(cases) < 7:
        print("FAIL only %d cases in %s, expected 7" % (len(cases), args.dump))
        chk.fails += 1
    print("%d cases, worst relative error %.2g (limit %g)" % (len(cases), chk.worst, args.tol))
    return 1 if chk.fails else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
