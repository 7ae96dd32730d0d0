#!/usr/bin/env bash
# tests/crosscheck.sh: seqtool's models' gradients against PyTorch.
# For each cell (rnn, gru, lstm) and 1 and 2 layers: train a tiny model with
# `seqtool dinos train` (20 names, hidden 8, batch 4, 30 iterations; sgd for
# 1 layer, adam for 2 so that optim.* tensors are in the file), check the
# file's layout (tests/safetensors_check.py), dump the loss and gradients of
# 5 names of unequal length in one padded batch (tests/gradump), and compare
# them with PyTorch in float64 (tests/crosscheck.py: loss and every tensor
# within 1e-4 of the tensor's largest reference magnitude).
# Then the layers of the trigger-word network: tests/layerdump runs conv1d
# (stride 4; causal), batchnorm (a training step, eval), the weighted
# binary cross-entropy and the four in a row on seeded inputs, and
# tests/crosscheck_layers.py compares every output and gradient with
# torch.nn.Conv1d, BatchNorm1d and BCEWithLogitsLoss, by the same criterion.
# Then the jazz melody model, the date translator (nmt) and the emoji
# models (emojify v1 and v2, each oov policy): tests/test_NAME --dump
# writes small models of seeded random weights, a padded batch and its
# loss and gradients; tests/NAME_crosscheck.py compares them with its own
# PyTorch network (same criterion).
# Skips (exit 0) when /usr/bin/python3 cannot import torch, unless
# CROSSCHECK_REQUIRED=1. Downloads nothing.
# SEQTOOL (default ./seqtool) / GRADUMP / LAYERDUMP override the binaries.
set -u
cd "$(dirname "$0")/.." || exit 1
PY=/usr/bin/python3
SEQ=${SEQTOOL:-./seqtool}
# gradump: $GRADUMP, else $TESTBIN/gradump (what make passes), else
# tests/gradump, else build/release/tests/gradump
if [ -z "${GRADUMP:-}" ]; then
    if [ -n "${TESTBIN:-}" ]; then GRADUMP=$TESTBIN/gradump
    elif [ -x tests/gradump ]; then GRADUMP=tests/gradump
    else GRADUMP=build/release/tests/gradump
    fi
fi
LAYERDUMP=${LAYERDUMP:-$(dirname "$GRADUMP")/layerdump}

if ! $PY -c 'import torch, numpy' 2>/dev/null; then
    if [ "${CROSSCHECK_REQUIRED:-0}" = 1 ]; then
        echo "not ok - crosscheck: $PY cannot import torch and CROSSCHECK_REQUIRED=1"
        exit 1
    fi
    echo "skip - crosscheck against PyTorch: python3-torch not installed"
    exit 0
fi
for b in "$SEQ" "$GRADUMP" "$LAYERDUMP"; do
    [ -x "$b" ] || { echo "crosscheck: $b not built (run make)"; exit 1; }
done

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
# mixed case on purpose: names are lower-cased by every side
cat >"$TMP/train.txt" <<'EOF'
Aachenosaurus
Aardonyx
Abelisaurus
Brachiosaurus
Ceratops
Diplodocus
Edmontosaurus
Fukuiraptor
Gallimimus
Hadrosaurus
Iguanodon
Jobaria
Kentrosaurus
Lambeosaurus
Megalosaurus
Nodosaurus
Oviraptor
Pachycephalosaurus
Quaesitosaurus
Zuul
EOF
# one batch of unequal lengths (1 to 18 characters + "\n"): padding matters
cat >"$TMP/batch.txt" <<'EOF'
Zuul
pachycephalosaurus
Jobaria
o
Iguanodon
EOF

fail=0
for cell in rnn gru lstm; do
    for layers in 1 2; do
        if [ "$layers" = 1 ]; then opt=(--optim sgd --lr 0.05); else opt=(--optim adam --lr 0.01); fi
        model=$TMP/$cell$layers.safetensors grads=$TMP/$cell$layers.grads.safetensors
        log=$TMP/$cell$layers.log
        ok=1
        if ! "$SEQ" dinos train "$TMP/train.txt" -o "$model" --cell "$cell" --hidden 8 \
                --layers "$layers" --batch 4 "${opt[@]}" --clip 5 --iters 30 --seed 1 -q \
                >"$log" 2>&1; then
            echo "seqtool dinos train failed" >>"$log"; ok=0
        elif ! $PY tests/safetensors_check.py "$model" >>"$log" 2>&1; then
            ok=0
        elif ! "$GRADUMP" "$model" "$TMP/batch.txt" "$grads" >>"$log" 2>&1; then
            echo "tests/gradump failed" >>"$log"; ok=0
        elif ! $PY tests/crosscheck.py "$model" "$TMP/batch.txt" "$grads" >>"$log" 2>&1; then
            ok=0
        fi
        if [ $ok = 1 ]; then
            echo "ok - crosscheck against PyTorch: $cell, $layers layer(s): loss and every gradient within 1e-4"
        else
            echo "not ok - crosscheck against PyTorch: $cell, $layers layer(s)"
            sed 's/^/    /' "$log"
            fail=1
        fi
    done
done

log=$TMP/layers.log
if "$LAYERDUMP" "$TMP/layers.safetensors" >"$log" 2>&1 &&
        $PY tests/crosscheck_layers.py "$TMP/layers.safetensors" >>"$log" 2>&1; then
    echo "ok - crosscheck against PyTorch: conv1d (stride 4, causal), batchnorm (train step, running statistics, eval), weighted binary cross-entropy, and conv1d -> batchnorm -> relu -> dense -> loss: $(tail -n 1 "$log")"
else
    echo "not ok - crosscheck against PyTorch: conv1d, batchnorm, weighted binary cross-entropy"
    sed 's/^/    /' "$log"
    fail=1
fi

# A model whose test program dumps it: test_NAME --dump DIR writes the
# model, a padded batch, its loss and gradients; tests/NAME_crosscheck.py
# DIR prints an "ok - " line per model.
dumped() {
    local name=$1 prog log=$TMP/$1.log
    prog=$(dirname "$GRADUMP")/test_$1
    if [ ! -x "$prog" ]; then
        echo "$prog not built (run make)" >"$log"
    elif mkdir "$TMP/$name" && "$prog" --dump "$TMP/$name" >"$log" 2>&1 &&
            $PY "tests/${name}_crosscheck.py" "$TMP/$name" >>"$log" 2>&1; then
        grep '^ok - ' "$log"
        return
    fi
    echo "not ok - $name crosscheck against PyTorch"
    sed 's/^/    /' "$log"
    fail=1
}
for name in jazz nmt emojify; do
    dumped "$name"
done
exit $fail
