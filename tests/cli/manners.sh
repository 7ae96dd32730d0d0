#!/usr/bin/env bash
# The manners every command shares, checked for each command the
# dispatcher lists: bare usage, the three ways to ask for help, help that
# opens the man page, abbreviations and misplaced options, bash
# completion and the man pages generated or checked from the option
# tables (`seqtool completion list`).
cd "$(dirname "$0")/../.." || exit 1
. tests/cli/lib.sh

commands=$($SEQTOOL --help | awk '/^  [a-z0-9]+ / {print $1}')
[ "$(echo $commands)" = "dinos emojify jazz nmt trigger w2v" ] && ok "the dispatcher lists dinos emojify jazz nmt trigger w2v" \
    || not_ok "the dispatcher lists: $(echo $commands)"
$SEQTOOL completion list >"$TMP/list" && [ -s "$TMP/list" ] && ok "completion list" || not_ok "completion list"

# A man that has every page: -w answers yes, a page is "shown" on stdout.
mkdir -p "$TMP/bin" "$TMP/noman"
printf '#!/bin/sh\n[ "$1" = -w ] && exit 0\necho "MAN $*"\n' >"$TMP/bin/man"
chmod +x "$TMP/bin/man"

for c in $commands; do
    # bare: short usage on stderr, exit 2, nothing on stdout
    $SEQTOOL "$c" >"$TMP/out" 2>"$TMP/err"; rc=$?
    [ $rc -eq 2 ] && [ ! -s "$TMP/out" ] && head -1 "$TMP/err" | grep -q "^usage: seqtool $c " \
        && ok "$c alone: usage on stderr, exit 2" || not_ok "$c alone: exit $rc, $(head -1 "$TMP/err")"
    # --help, help, seqtool help (no man page): one text on stdout, exit 0
    $SEQTOOL "$c" --help >"$TMP/h1" 2>"$TMP/err"; r1=$?
    $SEQTOOL "$c" help >"$TMP/h2" 2>>"$TMP/err"; r2=$?
    MANPATH=$TMP/noman $SEQTOOL help "$c" >"$TMP/h3" 2>>"$TMP/err"; r3=$?
    [ $r1$r2$r3 = 000 ] && [ -s "$TMP/h1" ] && [ ! -s "$TMP/err" ] && cmp -s "$TMP/h1" "$TMP/h2" && cmp -s "$TMP/h1" "$TMP/h3" \
        && ok "$c --help = $c help = help $c, on stdout" || not_ok "$c help ($r1 $r2 $r3)"
    grep -q "^common:" "$TMP/h1" && grep -q -- "--help" "$TMP/h1" && ok "$c --help lists the common options" \
        || not_ok "$c --help has no common section"
    out=$(PATH=$TMP/bin:$PATH $SEQTOOL help "$c")
    [ "$out" = "MAN seqtool-$c" ] && ok "help $c opens man seqtool-$c when it is installed" || not_ok "help $c with man: '$out'"
    expect_error 2 "$c: an unknown action" $SEQTOOL "$c" no-such-action

    # every action takes -q; an option of one action is refused by another
    for a in $(awk -v c="$c" '$1 == c {print $2}' "$TMP/list" | uniq); do
        grep -q "^$c $a --quiet -q$" "$TMP/list" && ok "$c $a takes -q" || not_ok "$c $a does not take -q"
        other=$(awk -v c="$c" -v a="$a" '$1 == c && $2 != a {print $3}' "$TMP/list" | sort -u \
            | grep -vxF -f <(awk -v c="$c" -v a="$a" '$1 == c && $2 == a {print $3}' "$TMP/list") | head -1)
        if [ -n "$other" ]; then
            $SEQTOOL "$c" "$a" "$other" 1 >"$TMP/out" 2>"$TMP/err" </dev/null; rc=$?
            [ $rc -eq 2 ] && grep -q "is not an option of '$c $a'" "$TMP/err" \
                && ok "$c $a refuses $other (another action's)" || not_ok "$c $a $other: exit $rc, $(head -1 "$TMP/err")"
        fi
    done

    # the man page documents every option and action of the table
    missing=""
    for o in $(awk -v c="$c" '$1 == c {print $3}' "$TMP/list" | sort -u) $(awk -v c="$c" '$1 == c {print $2}' "$TMP/list" | sort -u); do
        grep -qF -- "$(printf '%s' "$o" | sed 's/-/\\-/g')" "man/seqtool-$c.1" || missing="$missing $o"
    done
    [ -z "$missing" ] && ok "man/seqtool-$c.1 documents every option and action of the table" \
        || not_ok "man/seqtool-$c.1 lacks:$missing"
    grep -qx "\\.B $c" man/seqtool.1 && ok "man/seqtool.1 lists $c" || not_ok "man/seqtool.1 lacks $c"
done

# ---- abbreviations resolve through the table ----
$SEQTOOL dinos train --cours --iters 40 -q -o "$TMP/abbr.safetensors" datasets/dinos.txt >/dev/null &&
    $SEQTOOL dinos train --course --iters 40 -q -o "$TMP/full.safetensors" datasets/dinos.txt >/dev/null &&
    same_model "$TMP/abbr.safetensors" "$TMP/full.safetensors" \
    && ok "dinos train --cours is --course (same model bytes but the command line)" || not_ok "dinos train --cours differs from --course"
$SEQTOOL dinos train --hidden 7 --course --iters 5 -q -o "$TMP/order.safetensors" datasets/dinos.txt >/dev/null
$PY - "$TMP/order.safetensors" <<'EOF' && ok "--course is applied first: a --hidden before it still counts" || not_ok "--course overrode an earlier --hidden"
import json, struct, sys
f = open(sys.argv[1], "rb")
n = struct.unpack("<Q", f.read(8))[0]
h = json.loads(f.read(n))
sys.exit(0 if any(v["shape"][-1] == 7 for k, v in h.items() if k != "__metadata__") else 1)
EOF
expect_error 2 "an ambiguous abbreviation" $SEQTOOL dinos train --c
grep -q "ambiguous: --cell" "$TMP/err" && ok "the ambiguous abbreviation names its candidates" || not_ok "ambiguity message: $(head -1 "$TMP/err")"

# ---- bash completion from the tables ----
$SEQTOOL completion bash >"$TMP/completion.bash" && bash -n "$TMP/completion.bash" \
    && ok "completion bash is a valid bash script" || not_ok "completion bash"
missing=0
while read -r c a long short; do
    grep -q "^        $c/$a) words=\".* $long[ \"]" "$TMP/completion.bash" || { missing=1; echo "  $c $a $long not completed"; }
done <"$TMP/list"
[ $missing -eq 0 ] && ok "every option of every action is in the completion ($(wc -l <"$TMP/list") of them)" \
    || not_ok "options missing from the completion"
got=$(bash -c '. "$1"; COMP_WORDS=(seqtool dinos train --cou); COMP_CWORD=3; _seqtool; echo "${COMPREPLY[*]}"' _ "$TMP/completion.bash")
[ "$got" = "--course" ] && ok "completing 'seqtool dinos train --cou' gives --course" || not_ok "completion of --cou: '$got'"
got=$(bash -c '. "$1"; COMP_WORDS=(seqtool n); COMP_CWORD=1; _seqtool; echo "${COMPREPLY[*]}"' _ "$TMP/completion.bash")
[ "$got" = "nmt" ] && ok "completing 'seqtool n' gives nmt" || not_ok "completion of a command: '$got'"
got=$(bash -c '. "$1"; COMP_WORDS=(seqtool dinos s); COMP_CWORD=2; _seqtool; echo "${COMPREPLY[*]}"' _ "$TMP/completion.bash")
[ "$got" = "sample score" ] && ok "completing 'seqtool dinos s' gives its actions" || not_ok "completion of an action: '$got'"
expect_error 2 "completion with no shell" $SEQTOOL completion
