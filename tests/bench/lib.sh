# tests/bench/lib.sh: what the per-command benchmarks (tests/bench/*.sh)
# share, each piece defined here once. Sourced, not run, as the first line
# of a bench:
#     . "$(dirname "$0")/lib.sh" || exit 1
# Sourcing it sets -u, cd's to the top of the work tree and sets
# PY    the Python of Debian's packages (/usr/bin/python3)
# SEQ   the seqtool binary to time: $SEQTOOL, default ./seqtool
# PEER  tests/bench/NAME_peer.py, the Python peer of the bench NAME.sh
# RUNS  $BENCH_RUNS (3): how many runs each side gets, alternating
# LIBDIR /usr/lib/x86_64-linux-gnu
#
# set-up
# apt_install PKG...        apt-get install, as root or through sudo
# need_py MODULE PKG        install PKG (apt) when $PY cannot import MODULE
# need_time                 install `time` when /usr/bin/time is missing
# bench_tmp                 TMP (a fresh folder, removed on exit) with ROWS
#                           and NOTES in it; FAILED=0, T_START=now
# setup_bench [MODULE:PKG...]  all a seqtool bench needs before it starts:
#                           need_py MODULE PKG for each, need_time, $SEQ
#                           built, find_blases, bench_tmp, and SEQ turned
#                           into a private copy in $TMP (a rebuild during
#                           the bench cannot pull the binary away; SEQ_NAME
#                           keeps the name given)
# seq_has WORD...           whether `$SEQ WORD... --help` succeeds
# pyver MODULE              MODULE.__version__ as $PY imports it
# BLAS
# find_blases               BLASES=(name:dir ...) for each libblas.so.3 present,
#                           then the name:dir words of $BENCH_BLAS_DIRS (a
#                           BLAS outside the system's folders, e.g. OpenBLAS
#                           unpacked from its .deb without installing it:
#                           openblas:/some/usr/lib/x86_64-linux-gnu/openblas-pthread)
# pick_blas [NAME]          BLAS and BLASDIR: NAME, default openblas if present
# envrun DIR CMD...         run CMD with the libblas.so.3 in DIR, 1 BLAS thread
# blas_probe [--from=ERE] SYMS DIR CMD...  the files the dynamic linker
#                           bound the BLAS symbols s<SYMS> (a sed alternation,
#                           e.g. 'gemm\|gemv'; with or without cblas_ and _)
#                           to when CMD ran with the BLAS in DIR (LD_DEBUG);
#                           --from: only bindings made for the objects whose
#                           path matches ERE (awk)
# perf_ok                   whether `perf record` works here
# blas_share FILE           the share of the CPU samples of a `perf record -o
#                           FILE` run that fell in BLAS libraries (lib*blas*,
#                           lib*mkl*), each: "61.5% libblas.so.3.11.0"; the
#                           calls a process really made, where blas_probe
#                           shows where they would go
# runs
# run NAME DIR CMD...       one timed run (WALL, RSS; see below)
# rss_kb FILE               peak RSS (kB) from a /usr/bin/time -v FILE
# cpu_s FILE                user + system CPU seconds from a /usr/bin/time -v
#                           FILE (less hurt than WALL by other work on the CPUs)
# alternate R WORD...       the WORDs in order when run R is odd, reversed
#                           when even: the order of the sides in run R
# JSON
# field KEY                 the value of KEY in the JSON on stdin (KEY.SUB...
#                           for a nested one)
# jfield FILE KEY           the same in the last line of FILE that starts "{"
# json NAME KEY             jfield $TMP/NAME.out KEY
# figures (each prints nothing when a figure it needs is empty)
# median COL FILE, maxcol COL FILE   of a column of numbers
# fmt FORMAT X              X in the printf FORMAT
# mb KB                     kB as MB, one decimal
# ratio A B [FORMAT]        A/B in FORMAT (%.2fx), when B > 0
# lps N SECONDS             N/SECONDS, one decimal (lines per second)
# secs_since T0             whole seconds since the $EPOCHREALTIME T0
# report
# row COLUMN...             a row of the table: printf $ROW_FMT >> $ROWS
# note TEXT...              a line for the notes after the table ($NOTES)
# table HEADING...          the table: its heading (in $ROW_FMT) and the rows
# notes                     the notes, when there are any
# load_start                print the load average now; LOAD0 keeps it
# load_end ADDS             the load average at the start and now (the
#                           bench adding about ADDS)
# bench_time                the seconds since T_START
# shellcheck disable=SC2034  # the variables set here are the caller's
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1

PY=/usr/bin/python3
LIBDIR=/usr/lib/x86_64-linux-gnu
SEQ=${SEQTOOL:-./seqtool}
PEER=tests/bench/$(basename "$0" .sh)_peer.py
RUNS=${BENCH_RUNS:-3}

# ---- set-up ----------------------------------------------------------------

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_install() {
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y "$@" ||
        { as_root apt-get update && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y "$@"; }
}

need_py() {
    if ! $PY -c "import $1" 2>/dev/null; then
        echo "bench: installing $2 for $PY"
        apt_install "$2" >/dev/null || { echo "bench: cannot install $2" >&2; return 1; }
    fi
}

need_time() {
    if [ ! -x /usr/bin/time ]; then
        echo "bench: installing time"
        apt_install time >/dev/null || { echo "bench: cannot install time" >&2; return 1; }
    fi
}

bench_tmp() {
    TMP=$(mktemp -d) || return 1
    trap 'rm -rf "$TMP"' EXIT
    ROWS=$TMP/rows NOTES=$TMP/notes FAILED=0 T_START=$EPOCHREALTIME
}

setup_bench() {
    local m
    for m in "$@"; do need_py "${m%%:*}" "${m#*:}" || return 1; done
    need_time || return 1
    [ -x "$SEQ" ] || { echo "bench: $SEQ not built (run make)" >&2; return 1; }
    find_blases || return 1
    bench_tmp || return 1
    SEQ_NAME=$SEQ
    cp "$SEQ" "$TMP/seqtool" && SEQ=$TMP/seqtool
}

seq_has() { "$SEQ" "$@" --help >/dev/null 2>&1; }
pyver() { $PY -c "import $1; print($1.__version__)"; }

# ---- BLAS ------------------------------------------------------------------

# reference: Debian's libblas3; openblas: libopenblas0-pthread
find_blases() {
    BLASES=()
    [ -e $LIBDIR/blas/libblas.so.3 ] && BLASES+=("reference:$LIBDIR/blas")
    [ -e $LIBDIR/openblas-pthread/libblas.so.3 ] && BLASES+=("openblas:$LIBDIR/openblas-pthread")
    local b
    for b in ${BENCH_BLAS_DIRS:-}; do
        [ -e "${b#*:}/libblas.so.3" ] || { echo "bench: BENCH_BLAS_DIRS: no ${b#*:}/libblas.so.3" >&2; return 1; }
        BLASES+=("$b")
    done
    [ ${#BLASES[@]} -gt 0 ] || { echo "bench: no libblas.so.3 found under $LIBDIR" >&2; return 1; }
}

# pick_blas [NAME]: after find_blases, BLAS = NAME (default: openblas when
# installed, else reference) and BLASDIR = its folder; 1 when NAME is not
# installed.
pick_blas() {
    local b
    BLAS=${1:-}
    if [ -z "$BLAS" ]; then
        BLAS=reference
        for b in "${BLASES[@]}"; do [ "${b%%:*}" = openblas ] && BLAS=openblas; done
    fi
    BLASDIR=
    for b in "${BLASES[@]}"; do [ "${b%%:*}" = "$BLAS" ] && BLASDIR=${b#*:}; done
    [ -n "$BLASDIR" ] || { echo "bench: BLAS '$BLAS' not installed (have: ${BLASES[*]%%:*})" >&2; return 1; }
}

# envrun DIR CMD...: run with the BLAS in DIR, single-threaded BLAS
envrun() {
    local dir=$1; shift
    env LD_LIBRARY_PATH="$dir" OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 "$@"
}

blas_probe() {
    local from=. syms dir libs
    case $1 in --from=*) from=${1#--from=}; shift ;; esac
    syms=$1 dir=$2; shift 2
    rm -f "$TMP"/ld.*
    envrun "$dir" env LD_DEBUG=bindings LD_DEBUG_OUTPUT="$TMP/ld" "$@" >/dev/null 2>&1
    libs=$(cat "$TMP"/ld.* 2>/dev/null |
        sed -n "s/.*binding file \([^ ]*\) \[[0-9]*\] to \([^ ]*\) \[[0-9]*\]: normal symbol \`\(cblas_\)\{0,1\}s\($syms\)_\{0,1\}'.*/\1 \2/p" |
        awk -v re="$from" '$1 ~ re {print $2}' | sort -u | tr '\n' ' ')
    rm -f "$TMP"/ld.*
    echo "${libs:-none (no BLAS ${syms//\\|//} symbol bound)}"
}

perf_ok() {
    if [ -z "${PERF_OK:-}" ]; then
        PERF_OK=0
        perf record -q -o "$TMP/perf.ok" -- true >/dev/null 2>&1 && PERF_OK=1
        rm -f "$TMP/perf.ok"
    fi
    [ "$PERF_OK" = 1 ]
}
blas_share() {
    perf report -i "$1" --sort dso --stdio 2>/dev/null | awk '
        $1 ~ /%$/ && $2 ~ /^lib.*(blas|mkl)/ {printf "%s%s %s", (n++ ? ", " : ""), $1, $2}
        END {if (!n) printf "0%% (no samples in a BLAS)"}'
}

# ---- runs ------------------------------------------------------------------

# run NAME DIR CMD...: one run of CMD with the BLAS in DIR (envrun) under
# /usr/bin/time -v (its report in $TMP/NAME.time); standard input from the
# file $RUN_IN (default /dev/null), standard output to the file $RUN_OUT
# (default $TMP/NAME.out), errors to $TMP/NAME.err. Sets WALL (seconds by
# bash's clock, to the microsecond) and RSS (peak kB). A failed run says so
# on stderr with the end of its errors, sets FAILED=1 and returns 1. Exit
# status 1 counts as success when RUN_OK1 is set and that grep pattern
# matches the errors (a command that exits 1 to give an answer).
run() {
    local name=$1 dir=$2 t0 t1 rc
    shift 2
    t0=$EPOCHREALTIME
    envrun "$dir" /usr/bin/time -v -o "$TMP/$name.time" "$@" \
        <"${RUN_IN:-/dev/null}" >"${RUN_OUT:-$TMP/$name.out}" 2>"$TMP/$name.err"
    rc=$?
    t1=$EPOCHREALTIME
    WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.6f", b-a}')
    RSS=$(rss_kb "$TMP/$name.time")
    if [ $rc = 1 ] && [ -n "${RUN_OK1:-}" ] && grep -q -e "$RUN_OK1" "$TMP/$name.err"; then
        rc=0
    fi
    if [ $rc != 0 ]; then
        echo "bench: failed ($rc): $*" >&2
        grep -v '^\s' "$TMP/$name.err" | grep -v 'Command exited' | tail -n 5 >&2
        FAILED=1
        return 1
    fi
}

rss_kb() { sed -n 's/.*Maximum resident set size (kbytes): *//p' "$1"; }
cpu_s() { awk -F': *' '/^\t*(User|System) time \(seconds\)/ {s += $2} END {printf "%.3f", s}' "$1"; }

alternate() {
    local r=$1 out='' w
    shift
    if [ $((r % 2)) = 1 ]; then echo "$*"; return; fi
    for w in "$@"; do out="$w${out:+ }$out"; done
    echo "$out"
}

# alternate_runs ARGS...: $RUNS rounds of `one seqtool ARGS...` and
# `one peer ARGS...` (the script's own `one`), the sides taking turns to
# go first.
alternate_runs() {
    local r side
    for r in $(seq 1 "$RUNS"); do
        for side in $(alternate "$r" seqtool peer); do one "$side" "$@"; done
    done
}

# ---- JSON ------------------------------------------------------------------

field() {
    $PY -c '
import json, sys
v = json.loads(sys.stdin.read())
for k in sys.argv[1].split("."):
    v = v[k]
print(v)' "$1"
}
jfield() { grep '^{' "$1" 2>/dev/null | tail -n 1 | field "$2" 2>/dev/null; }
json() { jfield "$TMP/$1.out" "$2"; }

# ---- figures ---------------------------------------------------------------

median() { [ -s "$2" ] && sort -g -k"$1","$1" "$2" | awk -v c="$1" '{v[NR]=$c} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
maxcol() { [ -s "$2" ] && awk -v c="$1" 'NR==1||$c>m{m=$c} END{print m}' "$2"; }
fmt() { [ -n "${2:-}" ] && awk -v v="$2" -v f="$1" 'BEGIN{printf f, v}'; }
mb() { [ -n "${1:-}" ] && awk -v k="$1" 'BEGIN{printf "%.1f", k/1024}'; }
ratio() { [ -n "${1:-}" ] && [ -n "${2:-}" ] && awk -v a="$1" -v b="$2" -v f="${3:-%.2fx}" 'BEGIN{if (b > 0) printf f, a/b}'; }
lps() { awk -v n="$1" -v w="$2" 'BEGIN{if (w > 0) printf "%.1f", n/w}'; }
secs_since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.0f", b-a}'; }

# ---- report ----------------------------------------------------------------

# shellcheck disable=SC2059  # ROW_FMT is the format
row() { printf "$ROW_FMT" "$@" >>"$ROWS"; }
note() { echo "$*" >>"$NOTES"; }
table() {
    echo
    # shellcheck disable=SC2059
    printf "$ROW_FMT" "$@"
    [ -s "$ROWS" ] && cat "$ROWS"
    echo
}
notes() { [ -s "$NOTES" ] && cat "$NOTES"; }
load_start() {
    LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
    echo "load average at start: $LOAD0"
}
load_end() {
    echo "load average at start: $LOAD0, at the end: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs (the bench adds about $1: more means other work competed)"
}
bench_time() { echo "bench time: $(secs_since "$T_START") s"; }
