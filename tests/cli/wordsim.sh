#!/usr/bin/env bash
# CLI tests of `seqtool w2v similarity --eval`, the word-similarity sets
# (WordSim353, SimLex-999) scored as gensim's evaluate_word_pairs does:
# Spearman's rank correlation on hand-made vectors and pairs whose ranks
# are worked out below, ties and case folding, pairs outside the first N
# words, bad lines, usage errors; against gensim itself when it is
# installed, and on ../shared's sets when they are present.
cd "$(dirname "$0")/../.." || exit 1
. tests/cli/lib.sh
S=$SEQTOOL

# Five words in two dimensions, so every cosine is known exactly:
#   cos(a,c) = 1/sqrt2 = .7071   cos(a,b) = 0       cos(a,e) = -1
#   cos(c,d) = 3/sqrt10 = .9487  cos(a,d) = 1/sqrt5 = .4472   cos(b,e) = 0
V=$TMP/v.txt
printf 'a 1 0\nb 0 1\nc 1 1\nd 1 2\ne -1 0\n' >"$V"
# The pairs, tab-separated as WordSim353's file, with a comment, a blank
# line, a pair whose word is not in the vectors and one in upper case.
# Gold ranks (order ac ab ae cd ad be): 6 2.5 1 5 4 2.5 (3 and 3 tie);
# cosine ranks:                         5 2.5 1 6 4 2.5 (0 and 0 tie).
# Both rank lists have mean 3.5; deviations (2.5 -1 -2.5 1.5 .5 -1) and
# (1.5 -1 -2.5 2.5 .5 -1): sum of products 16, sums of squares 17 and 17,
# so Spearman's rho = 16/17 = 0.941176...
P=$TMP/pairs.tsv
printf '# Word 1\tWord 2\tHuman (mean)\n\nA\tc\t9.5\na\tb\t3\na\te\t1\nc\td\t9\na\td\t5\nb\te\t3\na\tzz\t4\n' >"$P"

$S w2v similarity -v "$V" --eval "$P" >"$TMP/out" 2>"$TMP/err"; rc=$?
[ $rc -eq 0 ] && [ ! -s "$TMP/err" ] && [ "$(sed -n 1p "$TMP/out")" = "spearman 0.9412" ] \
    && [ "$(sed -n 3p "$TMP/out")" = "pairs 6" ] && [ "$(sed -n 4p "$TMP/out")" = "oov 1 (14.3%, a word not among the first 5)" ] \
    && ok "similarity --eval: Spearman 16/17 worked out by hand, ties at their mean rank, 6 pairs, 1 left out" \
    || not_ok "similarity --eval ($rc): $(cat "$TMP/out" "$TMP/err" | tr '\n' '|')"
$S w2v similarity -v "$V" --eval "$P" --json | $PY -c '
import json, math, statistics, sys
j = json.loads(sys.stdin.read())
gold = [9.5, 3, 1, 9, 5, 3]
cos = [1 / math.sqrt(2), 0, -1, 3 / math.sqrt(10), 1 / math.sqrt(5), 0]
assert abs(j["spearman"] - 16 / 17) < 1e-12, j
assert abs(j["pearson"] - statistics.correlation(gold, cos)) < 1e-6, j
assert (j["pairs"], j["oov"], j["restrict_vocab"], j["fold_case"]) == (6, 1, 5, True), j
assert abs(j["oov_ratio"] - 100 / 7) < 1e-12 and j["file"] == sys.argv[1], j' "$P" \
    && ok "similarity --eval --json: spearman, pearson (statistics.correlation), pairs, oov, oov_ratio" \
    || not_ok "similarity --eval --json"
# Without case folding 'A' is unknown: five pairs, ranks equal, rho 1.
$S w2v similarity -v "$V" --eval "$P" --no-fold-case | sed -n '1p;3,4p' | tr '\n' '|' | grep -qx "spearman 1.0000|pairs 5|oov 2 (28.6%, a word not among the first 5)|" \
    && ok "--no-fold-case: 'A' is not 'a'; the five other pairs rank alike" || not_ok "--no-fold-case"
# The first three words: only a-c and a-b are left, in the same order.
$S w2v similarity -v "$V" --eval "$P" --restrict-vocab 3 --json | $PY -c '
import json, sys
j = json.loads(sys.stdin.read())
assert (j["spearman"], j["pairs"], j["oov"], j["restrict_vocab"]) == (1, 2, 5, 3), j' \
    && ok "--restrict-vocab 3: pairs with d or e are left out" || not_ok "--restrict-vocab 3"
# A line that is not two words and a number: skipped with one warning.
{ cat "$P"; printf 'a c\na c x\n'; } >"$TMP/bad.tsv"
$S w2v similarity -v "$V" --eval "$TMP/bad.tsv" >"$TMP/out" 2>"$TMP/err"
[ "$(head -1 "$TMP/out")" = "spearman 0.9412" ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] \
    && grep -q "skipped 2 line(s) that are not two words and a score, the first is line 10" "$TMP/err" \
    && ok "malformed lines: skipped and counted in one warning" || not_ok "malformed: $(cat "$TMP/err")"
$S w2v similarity -v "$V" --eval "$TMP/bad.tsv" -q 2>&1 >/dev/null | grep -q . && not_ok "-q still warns" || ok "-q: no warning"
printf 'a\tb\t1\na\tzz\t2\n' >"$TMP/one.tsv"
expect_error 1 "one pair known: no correlation" $S w2v similarity -v "$V" --eval "$TMP/one.tsv"
printf '# nothing\n' >"$TMP/none.tsv"
expect_error 1 "no pairs at all" $S w2v similarity -v "$V" --eval "$TMP/none.tsv"
expect_error 1 "a missing file" $S w2v similarity -v "$V" --eval "$TMP/nosuch.tsv"
expect_error 2 "--eval takes no words" $S w2v similarity -v "$V" --eval "$P" a b
expect_error 2 "--restrict-vocab without --eval" $S w2v similarity -v "$V" --restrict-vocab 3 a b
expect_error 2 "--no-fold-case without --eval" $S w2v similarity -v "$V" --no-fold-case a b
# the same vectors as word2vec text, for gensim
{ echo "5 2"; cat "$V"; } >"$TMP/v.vec"

# ---- against gensim's evaluate_word_pairs, when it is installed ----
if ! $PY -c 'import gensim' 2>/dev/null; then
    echo "skip - comparison with gensim: /usr/bin/python3 cannot import gensim"
else
    cmp_gensim() { # DESC VECTORS(word2vec text) PAIRS [RESTRICT]
        local got
        got=$($S w2v similarity -v "$2" --eval "$3" --restrict-vocab "${4:-300000}" --json)
        $PY - "$2" "$3" "${4:-300000}" "$got" <<'PYEOF' && ok "$1: as gensim's evaluate_word_pairs" || not_ok "$1 differs from gensim"
import json, logging, sys
from gensim.models import KeyedVectors
kv = KeyedVectors.load_word2vec_format(sys.argv[1])
pearson, spearman, oov = kv.evaluate_word_pairs(sys.argv[2], restrict_vocab=int(sys.argv[3]))
j = json.loads(sys.argv[4])
ok = abs(j["spearman"] - spearman[0]) < 1e-6 and abs(j["pearson"] - pearson[0]) < 1e-6 and abs(j["oov_ratio"] - oov) < 1e-9
print(" ", "gensim", spearman[0], pearson[0], oov, "seqtool", j["spearman"], j["pearson"], j["oov_ratio"])
sys.exit(0 if ok else 1)
PYEOF
    }
    cmp_gensim "the hand-made pairs" "$TMP/v.vec" "$P"
    cmp_gensim "the hand-made pairs, the first 3 words" "$TMP/v.vec" "$P" 3
    G=$SHARED/vectors/glove.6B.50d.subset.txt E=$SHARED/eval
    if [ -f "$G" ] && [ -f "$E/wordsim353.tsv" ]; then
        { echo "$(wc -l <"$G") 50"; cat "$G"; } >"$TMP/glove.vec"
        cmp_gensim "WordSim353 on the GloVe subset" "$TMP/glove.vec" "$E/wordsim353.tsv"
        cmp_gensim "SimLex-999 on the GloVe subset, the first 5000 words" "$TMP/glove.vec" "$E/simlex999.txt" 5000
    else
        echo "skip - WordSim353 and SimLex-999 against gensim: $G or $E/wordsim353.tsv not present"
    fi
fi
