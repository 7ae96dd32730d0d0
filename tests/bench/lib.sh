# tests/bench/lib.sh: helpers shared by the per-command benchmarks
# (tests/bench/dinos.sh, tests/bench/w2v.sh). Sourced, not run; the caller
# has cd'ed to the top of the work tree.
#
# PY                        the Python of Debian's packages (/usr/bin/python3)
# apt_install PKG...        apt-get install, as root or through sudo
# need_py MODULE PKG        install PKG (apt) when $PY cannot import MODULE
# need_time                 install `time` when /usr/bin/time is missing
# find_blases               BLASES=(name:dir ...) for each libblas.so.3 present
# envrun DIR CMD...         run CMD with the libblas.so.3 in DIR, 1 BLAS thread
# timed FILE CMD...         run CMD under /usr/bin/time -v -o FILE
# rss_kb FILE, wall_s FILE  peak RSS (kB) / elapsed seconds from such a FILE
# field NAME                the value of NAME in the JSON line on stdin
# median COL FILE, maxcol COL FILE
# blas_probe [--from=ERE] SYMS DIR CMD...  the files the dynamic linker
#                           bound the BLAS symbols s<SYMS> (a sed alternation,
#                           e.g. 'gemm\|gemv'; with or without cblas_ and _)
#                           to when CMD ran with the BLAS in DIR (LD_DEBUG);
#                           --from: only bindings made for the objects whose
#                           path matches ERE (awk)
# Scratch files go to $TMP, which the caller creates.

PY=/usr/bin/python3
LIBDIR=/usr/lib/x86_64-linux-gnu

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

# reference: Debian's libblas3; openblas: libopenblas0-pthread
find_blases() {
    BLASES=()
    [ -e $LIBDIR/blas/libblas.so.3 ] && BLASES+=("reference:$LIBDIR/blas")
    [ -e $LIBDIR/openblas-pthread/libblas.so.3 ] && BLASES+=("openblas:$LIBDIR/openblas-pthread")
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

timed() { local f=$1; shift; /usr/bin/time -v -o "$f" "$@"; }
rss_kb() { sed -n 's/.*Maximum resident set size (kbytes): *//p' "$1"; }
# "Elapsed (wall clock) time (h:mm:ss or m:ss): 1:02.35" -> 62.35
wall_s() {
    sed -n 's/.*Elapsed (wall clock) time[^:]*: *//p' "$1" |
        awk -F: '{s=0; for (i=1;i<=NF;i++) s=s*60+$i; printf "%.2f\n", s}'
}

field() { $PY -c 'import json,sys; print(json.loads(sys.stdin.read())[sys.argv[1]])' "$1"; }

median() { [ -s "$2" ] && sort -g -k"$1","$1" "$2" | awk -v c="$1" '{v[NR]=$c} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
maxcol() { [ -s "$2" ] && awk -v c="$1" 'NR==1||$c>m{m=$c} END{print m}' "$2"; }

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
