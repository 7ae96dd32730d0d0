#!/usr/bin/env bash
# CLI tests of seqtool nmt: the dates generator (reproducibility, counts,
# every pair checked by tests/dates_check.py, conventions, families,
# coverage), usage errors, and the manual page.
cd "$(dirname "$0")/../.." || exit 1
. tests/cli/lib.sh

# ---- dispatcher and help ----
$SEQTOOL | grep -q '^  nmt ' && ok "seqtool lists nmt" || not_ok "seqtool does not list nmt"
[ "$($SEQTOOL help nmt)" = "$($SEQTOOL nmt --help)" ] && $SEQTOOL nmt --help | grep -q -- "--month-first" \
    && ok "help nmt = nmt --help, on stdout" || not_ok "help nmt"
$SEQTOOL nmt >"$TMP/out" 2>"$TMP/err"; rc=$?
[ $rc -eq 2 ] && [ ! -s "$TMP/out" ] && grep -q "^usage: seqtool nmt" "$TMP/err" \
    && ok "nmt with no action: usage on stderr, exit 2" || not_ok "nmt with no action ($rc)"
expect_error 2 "an unknown action" $SEQTOOL nmt fly
expect_error 2 "an unknown option" $SEQTOOL nmt dates --bogus
expect_error 2 "-n -1" $SEQTOOL nmt dates -n -1
expect_error 2 "-n abc" $SEQTOOL nmt dates -n abc
expect_error 2 "-n without a value" $SEQTOOL nmt dates -n
expect_error 2 "--seed -3" $SEQTOOL nmt dates --seed -3
expect_error 2 "an unknown --format" $SEQTOOL nmt dates --format iso,nosuch
expect_error 2 "an empty --format name" $SEQTOOL nmt dates --format iso,
expect_error 2 "--format numeric-mdy without --month-first or --mixed" $SEQTOOL nmt dates --format numeric-mdy
expect_error 2 "--format numeric-dmy with --month-first" $SEQTOOL nmt dates --format weekday-numeric-dmy --month-first
expect_error 2 "--month-first with --mixed" $SEQTOOL nmt dates --month-first --mixed
expect_error 2 "a stray argument" $SEQTOOL nmt dates 3
expect_error 1 "a full disk on stdout" sh -c "$SEQTOOL nmt dates -n 1000 >/dev/full"

# ---- counts and reproducibility ----
$SEQTOOL nmt dates >"$TMP/default"
[ "$(wc -l < "$TMP/default")" -eq 10000 ] && ok "10000 pairs by default" || not_ok "default count: $(wc -l < "$TMP/default")"
$SEQTOOL nmt dates --seed 1 >"$TMP/seed1"
cmp -s "$TMP/default" "$TMP/seed1" && ok "the default seed is 1" || not_ok "the default seed is not 1"
$SEQTOOL nmt dates -n 2000 --seed 5 >"$TMP/a"
$SEQTOOL nmt dates -n 2000 --seed 5 >"$TMP/b"
$SEQTOOL nmt dates -n 2000 --seed 6 >"$TMP/c"
cmp -s "$TMP/a" "$TMP/b" && ok "same seed: byte-identical output" || not_ok "same seed differs"
! cmp -s "$TMP/a" "$TMP/c" && [ "$(comm -12 <(sort "$TMP/a") <(sort "$TMP/c") | wc -l)" -lt 200 ] \
    && ok "another seed: other pairs" || not_ok "seeds 5 and 6 give (nearly) the same pairs"
$SEQTOOL nmt dates -n 500 --seed 5 | cmp -s - <(head -500 "$TMP/a") \
    && ok "-n 500 prints the first 500 pairs of a longer run" || not_ok "-n 500 is not a prefix of -n 2000"
[ "$($SEQTOOL nmt dates -n 0 | wc -c)" -eq 0 ] && ok "-n 0 prints nothing" || not_ok "-n 0"
[ "$($SEQTOOL nmt dates -n 37 --mixed | wc -l)" -eq 37 ] && ok "-n 37: 37 lines" || not_ok "-n 37"
awk -F'\t' 'NF != 2 || $2 !~ /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]$/ {bad=1} END {exit bad}' "$TMP/default" \
    && ok "default output: two tab-separated columns, human and ISO" || not_ok "default output columns"
LC_ALL=C grep -q '[^ -~	]' "$TMP/default" && not_ok "output has bytes other than printable ASCII and tab" \
    || ok "output is printable ASCII (so valid UTF-8)"
awk -F'\t' 'length($1) > 30 {bad=1} END {exit bad}' "$TMP/default" && ok "every human string <= 30 characters" \
    || not_ok "a human string over 30 characters"

# ---- every pair, parsed back in Python (stdlib only) ----
$SEQTOOL nmt dates -n 20000 --json --seed 11 | $PY tests/dates_check.py --conventions dmy --coverage
$SEQTOOL nmt dates -n 20000 --json --seed 12 --month-first | $PY tests/dates_check.py --conventions mdy --coverage
$SEQTOOL nmt dates -n 20000 --json --seed 13 --mixed | $PY tests/dates_check.py --conventions mixed --coverage
$SEQTOOL nmt dates -n 3000 --json --seed 14 --mixed --format numeric-dmy,weekday-ordinal-of,numeric-mdy \
    | $PY tests/dates_check.py --conventions mixed --families numeric-dmy,weekday-ordinal-of,numeric-mdy \
    | sed 's/^\(ok\|not ok\) - /\1 - --format with three families: /'

# ---- conventions ----
$SEQTOOL nmt dates -n 5000 --seed 3 --json | $PY -c '
import sys, json
rows = [json.loads(l) for l in sys.stdin]
assert all(r["order"] in (None, "dmy") for r in rows)
assert not any(r["format"].endswith("numeric-mdy") for r in rows)
assert sum(r["format"].endswith("numeric-dmy") for r in rows) > 200' \
    && ok "day-first by default: numeric pairs are all dmy" || not_ok "default convention"
$SEQTOOL nmt dates -n 5000 --seed 3 --month-first --json | $PY -c '
import sys, json, re
rows = [json.loads(l) for l in sys.stdin]
assert all(r["order"] in (None, "mdy") for r in rows)
num = [re.split(r"[/. -]+", r["human"].strip()) for r in rows if r["format"] == "numeric-mdy"]
assert len(num) > 100
assert all(int(n[0]) <= 12 for n in num)          # the month comes first
assert sum(int(n[1]) > 12 for n in num) > 20      # 12/25/1979: month-first only' \
    && ok "--month-first: numeric pairs are all mdy, month first" || not_ok "--month-first"
$SEQTOOL nmt dates -n 5000 --seed 3 --mixed --with-order >"$TMP/mixed"
awk -F'\t' 'NF != 3 || $3 !~ /^(dmy|mdy|-)$/ {bad=1} END {exit bad}' "$TMP/mixed" \
    && [ "$(awk -F'\t' '$3 == "dmy"' "$TMP/mixed" | wc -l)" -gt 200 ] \
    && [ "$(awk -F'\t' '$3 == "mdy"' "$TMP/mixed" | wc -l)" -gt 200 ] \
    && ok "--mixed --with-order: a third column, dmy and mdy both drawn, - for the rest" || not_ok "--mixed --with-order"
$SEQTOOL nmt dates -n 5000 --seed 3 --mixed --json | $PY -c '
import sys, json
for line, tsv in zip(sys.stdin, open(sys.argv[1])):
    r = json.loads(line)
    h, iso, order = tsv.rstrip("\n").split("\t")
    assert (r["human"], r["iso"], r["order"] or "-") == (h, iso, order), (r, tsv)' "$TMP/mixed" \
    && ok "--json and --with-order print the same pairs (order null for -)" || not_ok "--json differs from text"
$SEQTOOL nmt dates -n 3000 --seed 9 --with-order | awk -F'\t' '
    $1 ~ /^ *([A-Za-z]+[.,]* +)?[0-9]+[\/. -] *[0-9]+[\/. -] *[0-9]+ *$/ && $1 !~ /^ *([A-Za-z]+[.,]* +)?[0-9][0-9][0-9][0-9]/ { if ($3 != "dmy") bad=1; n++ }
    $3 == "dmy" { m++ }
    END { exit bad || n != m || n < 100 }' \
    && ok "--with-order marks exactly the day/month numeric dates" || not_ok "--with-order marks"

# ---- families ----
$SEQTOOL nmt dates --formats >"$TMP/formats"
[ "$(wc -l < "$TMP/formats")" -eq 24 ] && grep -qx iso "$TMP/formats" && grep -qx numeric-dmy "$TMP/formats" \
    && grep -qx weekday-ordinal-of "$TMP/formats" && ok "--formats: 24 families, one per line" || not_ok "--formats"
bad=""
for f in $(cat "$TMP/formats"); do
    extra=""
    case $f in *numeric-mdy) extra=--month-first ;; esac
    got=$($SEQTOOL nmt dates -n 50 --format "$f" $extra --json | $PY -c 'import sys, json; print(" ".join(sorted({json.loads(l)["format"] for l in sys.stdin})))')
    [ "$got" = "$f" ] || bad="$bad $f($got)"
done
[ -z "$bad" ] && ok "--format NAME draws only that family, for each of the 24" || not_ok "--format:$bad"
$SEQTOOL nmt dates -n 20 --format iso >"$TMP/iso"
awk -F'\t' '{gsub(/ /, "", $1)} $1 != $2 {bad=1} END {exit bad}' "$TMP/iso" \
    && ok "--format iso: the human side is the ISO date itself (stray spaces aside)" \
    || not_ok "--format iso: $(head -2 "$TMP/iso")"
[ "$($SEQTOOL nmt dates -n 100 --format iso,iso | cut -f1 | sort -u | wc -l)" -gt 90 ] \
    && ok "--format with a name twice" || not_ok "--format iso,iso"

# ---- speed (reported, not asserted) ----
t0=$EPOCHREALTIME
$SEQTOOL nmt dates -n 1000000 >/dev/null
t1=$EPOCHREALTIME
echo "  (1,000,000 pairs in $(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", b - a}') s)"

# ---- the manual pages keep step with --help ----
missing=""
for o in $($SEQTOOL nmt --help | grep -oE -- '--[a-z-]+' | sort -u); do
    grep -qF -- "$(printf '%s' "$o" | sed 's/-/\\-/g')" man/seqtool-nmt.1 || missing="$missing $o"
done
[ -z "$missing" ] && ok "man/seqtool-nmt.1 documents every option of --help" || not_ok "man page lacks:$missing"
missing=""
for f in $(cat "$TMP/formats"); do
    grep -qF -- "$(printf '%s' "$f" | sed 's/-/\\-/g')" man/seqtool-nmt.1 || missing="$missing $f"
done
[ -z "$missing" ] && ok "man/seqtool-nmt.1 describes every family" || not_ok "man page lacks families:$missing"
grep -q '^\.B nmt' man/seqtool.1 && ok "man/seqtool.1 lists nmt" || not_ok "man/seqtool.1 lacks nmt"
