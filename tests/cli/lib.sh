# tests/cli/lib.sh — helpers for the command-line tests (sourced).
# Each check prints "ok - ..." or "not ok - ..." (counted by tests/run).
SEQTOOL=${SEQTOOL:-./seqtool}
PY=/usr/bin/python3
SHARED=../shared/datasets
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; }
check() { # DESC COMMAND... : passes when the command succeeds
    local desc=$1
    shift
    if "$@" >/dev/null 2>&1; then ok "$desc"; else not_ok "$desc"; fi
}

# expect_error STATUS DESC COMMAND... : the command exits STATUS with
# exactly one line on stderr starting "seqtool", and nothing on stdout
# (usage errors, status 2, may add one "Try ... --help" line).
expect_error() {
    local want=$1 desc=$2 rc lines
    shift 2
    "$@" >"$TMP/out" 2>"$TMP/err" </dev/null
    rc=$?
    lines=$(grep -vc '^Try ' "$TMP/err")
    if [ "$rc" -eq "$want" ] && [ "$lines" -eq 1 ] && grep -q '^seqtool' "$TMP/err" && [ ! -s "$TMP/out" ]; then
        ok "$desc: exit $rc, '$(head -1 "$TMP/err")'"
    else
        not_ok "$desc: exit $rc (want $want), stderr: $(head -3 "$TMP/err" | tr '\n' '|')"
    fi
}

# same_model A B : the two model files hold the same tensors, bytes and
# metadata, but for train.command: a model records the command line that
# made it, and two runs that name other output files differ only there.
same_model() {
    $PY - "$1" "$2" <<'PYEOF'
import json, struct, sys
def parts(path):
    raw = open(path, "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    h = json.loads(raw[8:8 + n])
    h["__metadata__"].pop("train.command", None)
    return h, raw[8 + n:]
sys.exit(0 if parts(sys.argv[1]) == parts(sys.argv[2]) else 1)
PYEOF
}

# interrupted SECONDS COMMAND...: run COMMAND (its output goes where the
# caller redirects this call), press Ctrl-C (SIGINT) SECONDS after it has
# started training (it catches SIGINT then, which /proc/PID/status shows:
# a load slowed by the sanitizers or a busy machine does not eat the
# delay), and return its exit status.
interrupted() {
    local after=$1 pid
    shift
    "$@" &
    pid=$!
    until catches_sigint $pid || ! kill -0 $pid 2>/dev/null; do sleep 0.01; done
    sleep "$after"
    kill -INT $pid
    wait $pid
}

# catches_sigint PID: whether process PID has a handler for SIGINT (bit 1
# of the SigCgt mask).
catches_sigint() {
    local mask
    mask=$(awk '/^SigCgt:/ {print $2}' "/proc/$1/status" 2>/dev/null)
    [ -n "$mask" ] && (( 0x$mask & 2 ))
}
