#!/usr/bin/env bash
# CLI tests of long standard inputs: the query actions (nmt translate,
# emojify predict, w2v similarity and nearest) read their input a batch at
# a time, so their peak memory does not grow with its length (measured at
# two lengths, ten times apart); and batch work split by GNU parallel
# (--pipe --keep-order) gives what one process gives.
cd "$(dirname "$0")/../.." || exit 1
. tests/cli/lib.sh
S=$SEQTOOL

# peak KB of a pipeline: the largest resident set among its processes is
# seqtool's (yes, head and cut stay far below it).  Under AddressSanitizer
# (make check SANITIZE=1) freed memory waits in a quarantine of up to
# 256 MB that grows with the work done; it is turned off here, so that
# what is measured is what the program keeps.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0:thread_local_quarantine_size_kb=0
peak() { /usr/bin/time -f %M sh -c "$1" 2>&1 >/dev/null | tail -1; }

# same_memory NAME SMALL BIG: BIG (ten times the input) may use at most
# 2 MB more than SMALL (allocator noise), never memory in step with the input
same_memory() {
    local name=$1 small=$2 big=$3
    if [ -n "$small" ] && [ -n "$big" ] && [ "$big" -le $((small + 2048)) ]; then
        ok "$name: peak memory does not grow with the input ($small kB, $big kB for ten times the lines)"
    else
        not_ok "$name: $small kB, then $big kB for ten times the lines"
    fi
}

$S nmt dates -n 40000 --seed 3 | cut -f1 >"$TMP/dates"
head -n 4000 "$TMP/dates" >"$TMP/dates4k"
same_memory "nmt translate" "$(peak "$S nmt translate <'$TMP/dates4k'")" "$(peak "$S nmt translate <'$TMP/dates'")"
same_memory "emojify predict" "$(peak "yes 'I love you so much' | head -n 5000 | $S emojify predict")" \
    "$(peak "yes 'I love you so much' | head -n 50000 | $S emojify predict")"
same_memory "w2v similarity" "$(peak "yes 'king queen' | head -n 20000 | $S w2v similarity")" \
    "$(peak "yes 'king queen' | head -n 200000 | $S w2v similarity")"
same_memory "w2v nearest" "$(peak "yes king | head -n 2000 | $S w2v nearest -k 3")" \
    "$(peak "yes king | head -n 20000 | $S w2v nearest -k 3")"

# GNU parallel: the same lines through two jobs, in order, as through one
if command -v parallel >/dev/null 2>&1; then
    $S nmt translate <"$TMP/dates4k" >"$TMP/one"
    parallel --will-cite --pipe --keep-order -j2 --block 20k "$S" nmt translate <"$TMP/dates4k" >"$TMP/two"
    [ -s "$TMP/one" ] && cmp -s "$TMP/one" "$TMP/two" \
        && ok "parallel --pipe --keep-order -j2: nmt translate gives what one process gives ($(wc -l <"$TMP/two") lines)" \
        || not_ok "parallel nmt translate differs: $(cmp "$TMP/one" "$TMP/two" 2>&1)"
    head -n 3000 "$TMP/dates" | sed 's/$/ was a good day/' >"$TMP/sent"
    $S emojify predict <"$TMP/sent" >"$TMP/one"
    parallel --will-cite --pipe --keep-order -j2 --block 20k "$S" emojify predict <"$TMP/sent" >"$TMP/two"
    [ -s "$TMP/one" ] && cmp -s "$TMP/one" "$TMP/two" \
        && ok "parallel --pipe --keep-order -j2: emojify predict gives what one process gives" \
        || not_ok "parallel emojify predict differs: $(cmp "$TMP/one" "$TMP/two" 2>&1)"
else
    echo "skip - GNU parallel not installed (Debian package parallel)"
fi
