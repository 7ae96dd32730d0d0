#!/usr/bin/env bash
# tests/jazz_figures.sh [MODEL] — the issue's figures for generated solos:
# one solo generated over the chords of each solo of the corpus's test
# split (as long as that solo, seed 1, the defaults of `jazz generate`),
# then `seqtool jazz stats` of the real test solos and of the generated
# ones: chord-tone ratio, pitch range, notes a bar and share of rests,
# their means and ranges side by side.  SPLIT=valid does the same on the
# valid split (for choosing settings; the test split reports), and
# GEN_OPTS adds options to every generate (e.g. "--temperature 0.8").  Needs
# ../shared/datasets/jazz-corpus.
# MODEL defaults to the shipped datasets/jazz/wjazzd.safetensors.
set -u
cd "$(dirname "$0")/.." || exit 1
S=${SEQTOOL:-./seqtool}
CORPUS=${JAZZ_CORPUS:-../shared/datasets/jazz-corpus}
MODEL=${1:-datasets/jazz/wjazzd.safetensors}
[ -f "$CORPUS/split.tsv" ] || { echo "jazz_figures: $CORPUS/split.tsv not present" >&2; exit 1; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
mkdir "$TMP/gen"
awk -F'\t' -v s="${SPLIT:-test}" '$2 == s {print $1}' "$CORPUS/split.tsv" >"$TMP/test"
while read -r f; do
    name=$(basename "$f" .mid)
    "$S" jazz generate -m "$MODEL" --chords-from "$CORPUS/$f" --seed 1 ${GEN_OPTS:-} -q -o "$TMP/gen/$name.mid" >/dev/null || exit 1
    echo "$TMP/gen/$name.mid"
done <"$TMP/test" >"$TMP/generated"
sed "s|^|$CORPUS/|" "$TMP/test" | xargs "$S" jazz stats -q --json >"$TMP/real.json" || exit 1
xargs "$S" jazz stats -q --json <"$TMP/generated" >"$TMP/gen.json" || exit 1
python3 - "$TMP/real.json" "$TMP/gen.json" <<'EOF'
import json, sys
def load(p):
    return [json.loads(l) for l in open(p)]
real, gen = load(sys.argv[1]), load(sys.argv[2])
print(f"{len(real)} solos of the split and {len(gen)} generated over their chords")
print(f"{'figure':18} {'real mean':>10} {'real min..max':>16} {'generated mean':>15} {'generated min..max':>19}")
for key in ("chord_tone_ratio", "pitch_range", "notes_per_bar", "rest_share"):
    r = [x[key] for x in real if x[key] is not None]
    g = [x[key] for x in gen if x[key] is not None]
    mean = lambda v: sum(v) / len(v)
    print(f"{key:18} {mean(r):10.3f} {min(r):7.3f}..{max(r):<8.3f} {mean(g):15.3f} {min(g):9.3f}..{max(g):<9.3f}")
def ctr_mean(v):
    v = [x["chord_tone_ratio"] for x in v if x["chord_tone_ratio"] is not None]
    return sum(v) / len(v)
ctr = abs(ctr_mean(gen) - ctr_mean(real))
print(f"chord-tone ratio difference of the means: {ctr:.3f} (target: within 0.05)")
EOF
