#!/usr/bin/env bash
# CLI tests of seqtool trigger: spectrogram pictures (sizes, the band a
# tone lights, PNG and SVG structure, standard output), and the bad input
# the issue lists, each working or refused in one line.  Inputs are made
# with sox (skipped without it).
cd "$(dirname "$0")/../.." || exit 1
. tests/cli/lib.sh
SHARED=${SEQTOOL_SHARED:-$SHARED}
T="$SEQTOOL trigger"

expect_error 2 "spectrogram without a file" $T spectrogram -o "$TMP/x.png"
expect_error 2 "spectrogram without -o" $T spectrogram x.wav
expect_error 2 "spectrogram of two files" $T spectrogram a.wav b.wav -o "$TMP/x.png"
expect_error 2 "a picture of unknown format" $T spectrogram x.wav -o "$TMP/x.jpg"
expect_error 2 "--front of no such kind" $T spectrogram x.wav --front mfcc -o "$TMP/x.png"
expect_error 1 "a file that does not exist" $T spectrogram "$TMP/none.wav" -o "$TMP/x.png"

if ! command -v sox >/dev/null 2>&1; then
    echo "skip - trigger with audio: sox not installed (Debian package sox)"
    exit 0
fi

# ---- spectrogram ----
sox -n -r 44100 -c 1 -b 16 "$TMP/tone.wav" synth 1 sine 1000 vol 0.5 2>/dev/null
$T spectrogram "$TMP/tone.wav" -o "$TMP/tone.pgm" >"$TMP/out" 2>"$TMP/err"
[ $? -eq 0 ] && [ ! -s "$TMP/out" ] && [ ! -s "$TMP/err" ] && [ "$(head -c 13 "$TMP/tone.pgm" | tr '\n' ' ')" = "P5 98 40 255 " ] \
    && ok "spectrogram: 1 s -> a 98 x 40 greymap (log-mel frames x bands), nothing on stdout or stderr" \
    || not_ok "spectrogram of 1 s: $(head -c 13 "$TMP/tone.pgm" | tr '\n' ' ') $(cat "$TMP/err")"
$T spectrogram "$TMP/tone.wav" --front course -o "$TMP/course.pgm"
[ "$(head -c 15 "$TMP/course.pgm" | tr '\n' ' ')" = "P5 549 101 255 " ] \
    && ok "spectrogram --front course: 1 s at 44.1 kHz -> 549 x 101" || not_ok "course greymap: $(head -c 15 "$TMP/course.pgm")"
# the brightest row: 1 kHz lies in the course's bins 4-5 (220.5 Hz apart)
# and in the mel band whose peak is nearest 1 kHz: the 42 corners are
# evenly spaced from mel(20 Hz) = 31.7 to mel(8 kHz) = 2840.0, 68.5 apart,
# and mel(1 kHz) = 1000.0 is corner 14.1, the peak of band 13 (from 0)
brightest() { # PGM: the band (0 = lowest) of the brightest row
    $PY - "$1" <<'EOF'
import sys
d = open(sys.argv[1], "rb").read()
parts = d.split(b"\n", 3)
w, h = map(int, parts[1].split())
px = parts[3]
rows = [sum(px[r * w:(r + 1) * w]) for r in range(h)]
print(h - 1 - rows.index(max(rows)))
EOF
}
b=$(brightest "$TMP/course.pgm")
[ "$b" = 4 ] || [ "$b" = 5 ] && ok "a 1 kHz tone lights the course's bin $b (4.5 at 220.5 Hz a bin)" || not_ok "1 kHz: course bin $b"
b=$(brightest "$TMP/tone.pgm")
[ "$b" = 13 ] && ok "a 1 kHz tone lights log-mel band 13" || not_ok "1 kHz: log-mel band $b"
$T spectrogram "$TMP/tone.wav" -o "$TMP/tone.png"
$PY - "$TMP/tone.png" <<'EOF' && ok "spectrogram .png: a 98 x 200 RGB PNG" || not_ok "the PNG's header"
import struct, sys
d = open(sys.argv[1], "rb").read()
assert d[:8] == b"\x89PNG\r\n\x1a\n" and d[12:16] == b"IHDR"
w, h, depth, colour = struct.unpack(">IIBB", d[16:26])
sys.exit(0 if (w, h, depth, colour) == (98, 200, 8, 2) else 1)
EOF
$T spectrogram "$TMP/tone.wav" -o "$TMP/tone.svg"
$PY - "$TMP/tone.svg" <<'EOF' && ok "spectrogram .svg: well-formed, a PNG inside, axes in seconds and kHz" || not_ok "the SVG page"
import base64, sys, xml.dom.minidom
doc = xml.dom.minidom.parse(sys.argv[1])
img = doc.getElementsByTagName("image")[0].getAttribute("href")
assert img.startswith("data:image/png;base64,")
assert base64.b64decode(img.split(",", 1)[1])[:4] == b"\x89PNG"
texts = [t.firstChild.data for t in doc.getElementsByTagName("text")]
assert "0" in texts and "1" in texts and "8 kHz" in texts and any("seconds" in t for t in texts)
EOF
$T spectrogram "$TMP/tone.wav" -o - --format pgm >"$TMP/stdout.pgm"
cmp -s "$TMP/stdout.pgm" "$TMP/tone.pgm" && ok "spectrogram -o - --format pgm: the same bytes on stdout" || not_ok "-o - differs"
sox "$TMP/tone.wav" -t wav - | $T spectrogram - -o "$TMP/pipe.pgm"
cmp -s "$TMP/pipe.pgm" "$TMP/tone.pgm" && ok "spectrogram of a WAV stream on stdin: the same picture" || not_ok "stdin differs"

# ---- bad input: works (resampled, mixed down) or one line, exit 1 ----
: >"$TMP/empty.wav"
expect_error 1 "an empty file" $T spectrogram "$TMP/empty.wav" -o "$TMP/x.png"
echo "this is not audio" >"$TMP/text.wav"
expect_error 1 "a text file" $T spectrogram "$TMP/text.wav" -o "$TMP/x.png"
head -c 30 "$TMP/tone.wav" >"$TMP/cut.wav"
expect_error 1 "a WAV cut inside its header" $T spectrogram "$TMP/cut.wav" -o "$TMP/x.png"
sox -n -r 16000 -c 1 -b 16 "$TMP/short.wav" synth 0.01 sine 300 2>/dev/null
expect_error 1 "10 ms, shorter than one frame" $T spectrogram "$TMP/short.wav" -o "$TMP/x.png"
works() { # DESC FILE: a picture comes out, exit 0
    if $T spectrogram "$2" -o "$TMP/w.png" 2>"$TMP/err" && [ -s "$TMP/w.png" ]; then ok "$1: works"; else not_ok "$1: $(cat "$TMP/err")"; fi
    rm -f "$TMP/w.png"
}
head -c 20000 "$TMP/tone.wav" >"$TMP/trunc.wav"
works "a WAV truncated in its data" "$TMP/trunc.wav"
sox -n -r 16000 -c 1 -b 8 "$TMP/u8.wav" synth 0.5 sine 440 2>/dev/null && works "8-bit WAV" "$TMP/u8.wav"
sox -n -r 48000 -c 1 -b 24 "$TMP/s24.wav" synth 0.5 sine 440 2>/dev/null && works "24-bit WAV" "$TMP/s24.wav"
sox -n -r 22050 -c 1 -e floating-point -b 32 "$TMP/f32.wav" synth 0.5 sine 440 2>/dev/null && works "float WAV" "$TMP/f32.wav"
sox -n -r 96000 -c 2 -b 16 "$TMP/96k.wav" synth 0.5 sine 440 sine 880 2>/dev/null && works "96 kHz stereo" "$TMP/96k.wav"
sox -n -r 16000 -c 1 -b 16 "$TMP/tenth.wav" synth 0.1 sine 440 2>/dev/null && works "a 0.1 s clip" "$TMP/tenth.wav"

# ---- synth: clips, labels where the words are ----
# Positives are 500 Hz tones and negatives 3 kHz tones (a speed of 0.9 to
# 1.1 keeps them apart), on a silent background: each labelled span must
# be a low tone, and every low tone must be labelled.
mkdir -p "$TMP/pos" "$TMP/neg" "$TMP/bg"
sox -n -r 16000 -c 1 -b 16 "$TMP/pos/a.wav" synth 0.6 sine 500 vol 0.8 2>/dev/null
sox -n -r 16000 -c 1 -b 16 "$TMP/pos/b.wav" synth 0.9 sine 500 vol 0.5 2>/dev/null
sox -n -r 16000 -c 1 -b 16 "$TMP/neg/a.wav" synth 0.7 sine 3000 vol 0.8 2>/dev/null
sox -D -n -r 16000 -c 1 -b 16 "$TMP/bg/silence.wav" trim 0 10 2>/dev/null
echo "not audio" >"$TMP/pos/readme.txt"
$T synth "$TMP/pos" "$TMP/neg" "$TMP/bg" -n 40 --seed 5 -o "$TMP/clips" >"$TMP/sum" 2>"$TMP/err"
[ $? -eq 0 ] && [ "$(ls "$TMP/clips"/*.wav | wc -l)" -eq 40 ] && grep -q "^clips 40$" "$TMP/sum" \
    && ok "synth -n 40: 40 clips, a summary on stdout" || not_ok "synth: $(cat "$TMP/err")"
$PY - "$TMP/clips" <<'EOF' && ok "synth labels: every 500 Hz word and only those, to 20 ms; 0-4 a clip; every clip listed" || not_ok "synth label positions"
import os, struct, sys, wave
d = sys.argv[1]
labels = {}
for line in open(os.path.join(d, "labels.tsv")):
    f = line.rstrip("\n").split("\t")
    labels.setdefault(f[0], [])
    if len(f) == 3:
        labels[f[0]].append((float(f[1]), float(f[2])))
clips = sorted(n for n in os.listdir(d) if n.endswith(".wav"))
assert sorted(labels) == clips, "labels.tsv lists every clip once or more"
total = 0
for name in clips:
    w = wave.open(os.path.join(d, name))
    assert w.getframerate() == 16000 and w.getnframes() == 160000
    x = struct.unpack("<%dh" % w.getnframes(), w.readframes(w.getnframes()))
    # 10 ms frames: loud or not, and low (500 Hz) or high (3 kHz) by zero crossings
    low = []
    for i in range(1000):
        fr = x[i * 160:(i + 1) * 160]
        loud = max(abs(v) for v in fr) > 300
        zc = sum(1 for a, b in zip(fr, fr[1:]) if (a < 0) != (b < 0))
        low.append(loud and zc < 25)
    spans, start = [], None
    for i, v in enumerate(low + [False]):
        if v and start is None: start = i
        if not v and start is not None:
            if i - start >= 5:  # 50 ms: not the edge of a high tone
                spans.append((start / 100, i / 100))
            start = None
    got = labels[name]
    assert len(got) <= 4 and got == sorted(got)
    assert len(spans) == len(got), (name, spans, got)
    for (a, b), (s, e) in zip(got, spans):
        assert abs(a - s) <= 0.02 and abs(b - e) <= 0.02, (name, a, b, s, e)
    total += len(got)
assert total > 40
EOF
$T synth "$TMP/pos" "$TMP/neg" "$TMP/bg" -n 5 --seed 5 -o "$TMP/clips2" -q >/dev/null
$T synth "$TMP/pos" "$TMP/neg" "$TMP/bg" -n 5 --seed 6 -o "$TMP/clips3" -q >/dev/null
[ "$(grep -c '' "$TMP/clips2/labels.tsv")" -ge 5 ] && cmp -s "$TMP/clips/00003.wav" "$TMP/clips2/00003.wav" \
    && ! cmp -s "$TMP/clips/00003.wav" "$TMP/clips3/00003.wav" \
    && ok "synth: the same seed makes the same clips, another seed others" || not_ok "synth reproducibility"
$T synth "$TMP/pos" "$TMP/neg" "$TMP/bg" -n 3 --max-positives 0 -o "$TMP/clips4" -q >/dev/null
[ "$(cut -f2 "$TMP/clips4/labels.tsv" | grep -c .)" -eq 3 ] && ! grep -q "$(printf '\t')" "$TMP/clips4/labels.tsv" \
    && ok "synth --max-positives 0: three clips, none with a wake word" || not_ok "--max-positives 0"
$T synth "$TMP/pos" "$TMP/neg" "$TMP/bg" -n 2 --rate 44100 --seconds 3 -o "$TMP/clips5" -q >/dev/null
[ "$(soxi -r "$TMP/clips5/00001.wav")" = 44100 ] && [ "$(soxi -s "$TMP/clips5/00001.wav")" = 132300 ] \
    && ok "synth --rate 44100 --seconds 3: 132300 samples" || not_ok "synth --rate --seconds"
expect_error 2 "synth with two folders" $T synth "$TMP/pos" "$TMP/neg"
expect_error 1 "synth with a positives folder that does not exist" $T synth "$TMP/none" "$TMP/neg" "$TMP/bg"
mkdir "$TMP/nothing"
expect_error 1 "synth with an empty positives folder" $T synth "$TMP/nothing" "$TMP/neg" "$TMP/bg" -o "$TMP/c6"
expect_error 1 "synth with no audio in the backgrounds" $T synth "$TMP/pos" "$TMP/neg" "$TMP/nothing" -o "$TMP/c6"
cp "$TMP/text.wav" "$TMP/neg/bad.wav"
expect_error 1 "synth with a text file named .wav" $T synth "$TMP/pos" "$TMP/neg" "$TMP/bg" -o "$TMP/c7"
rm "$TMP/neg/bad.wav"

# ---- voices ----
expect_error 2 "voices without a word" $T voices -o "$TMP/v"
expect_error 2 "voices of a word with digits" $T voices activ8 -o "$TMP/v"
expect_error 2 "voices --engines festival" $T voices activate --engines festival -o "$TMP/v"
expect_error 2 "voices --near that holds the wake word" $T voices activate --near deactivated -o "$TMP/v"
if ! command -v espeak-ng >/dev/null 2>&1 || ! command -v flite >/dev/null 2>&1; then
    echo "skip - trigger voices: espeak-ng or flite not installed (Debian packages espeak-ng, flite)"
    exit 0
fi
V=$TMP/voices
$T voices activate --renders 6 --negatives 10 --backgrounds 9 --threads 2 -o "$V" >"$TMP/sum" 2>"$TMP/err"
rc=$?
[ $rc -eq 0 ] && [ "$(ls "$V/positives" | wc -l)" -eq 6 ] && [ "$(ls "$V/negatives" | wc -l)" -eq 10 ] \
    && [ "$(ls "$V/backgrounds" | wc -l)" -eq 9 ] && [ "$(wc -l <"$V/voices.tsv")" -eq 26 ] && [ -z "$(ls -A "$V" | grep '^\.')" ] \
    && ok "voices: 6 positives, 10 negatives, 9 backgrounds, voices.tsv, no temporary left" || not_ok "voices ($rc): $(cat "$TMP/err")"
grep -q "^near activity, captivate, cultivate, active, vacate" "$TMP/sum" && ok "voices activate: the built-in near-miss words" \
    || not_ok "near words: $(grep near "$TMP/sum")"
grep -P '^negatives/\S+\tnegatives\t(activity|captivate|cultivate|active|vacate)\t' "$V/voices.tsv" | grep -q . \
    && ! cut -f3 "$V/voices.tsv" | tail -n +8 | grep -qi "^activate" \
    && ok "voices: near-miss words among the negatives, the wake word never" || not_ok "voices negatives"
grep -q "espeak-ng" "$V/voices.tsv" && grep -q "flite" "$V/voices.tsv" && ! grep -qi festival "$V/voices.tsv" \
    && ok "voices: both espeak-ng and flite, never festival" || not_ok "voices engines"
$PY - "$V" <<'EOF' && ok "voices: speech 0.2-4 s at 16 kHz, trimmed, peak 0.9; backgrounds 10 s" || not_ok "voices durations"
import os, struct, sys, wave
for sub, lo, hi in (("positives", 0.2, 2.5), ("negatives", 0.2, 4.0), ("backgrounds", 10, 10)):
    for n in os.listdir(os.path.join(sys.argv[1], sub)):
        w = wave.open(os.path.join(sys.argv[1], sub, n))
        s = w.getnframes() / w.getframerate()
        assert w.getframerate() == 16000 and lo <= s <= hi, (sub, n, s)
        if sub != "backgrounds":
            x = struct.unpack("<%dh" % w.getnframes(), w.readframes(w.getnframes()))
            assert abs(max(abs(v) for v in x) / 32768 - 0.9) < 0.01, (n, max(x))
EOF
$T voices activate --renders 6 --negatives 10 --backgrounds 9 --threads 1 -q -o "$TMP/voices1" >/dev/null
diff -r "$V" "$TMP/voices1" >/dev/null && ok "voices: the same files with one thread as with two" || not_ok "voices depends on --threads"
$T voices hey computer --renders 2 --negatives 4 --backgrounds 0 --engines flite --no-effects -o "$TMP/v2" >"$TMP/sum" 2>/dev/null
grep -q "^word hey computer$" "$TMP/sum" && grep -q "^near .*compute" "$TMP/sum" && [ "$(ls "$TMP/v2/positives" | wc -l)" -eq 2 ] \
    && ! grep -q espeak "$TMP/v2/voices.tsv" && ! grep -q '|' "$TMP/v2/voices.tsv" \
    && ok "voices hey computer --engines flite --no-effects: near-miss words from the list, flite only, no effects" \
    || not_ok "voices of a phrase: $(cat "$TMP/sum")"
$T voices activate --near 'octopus,act now' --renders 1 --negatives 4 --backgrounds 0 --json -o "$TMP/v3" >"$TMP/sum" 2>/dev/null
grep -q '"near":\["octopus","act now"\]' "$TMP/sum" && cut -f3 "$TMP/v3/voices.tsv" | grep -qx "act now" \
    && ok "voices --near: the words given, --json" || not_ok "voices --near: $(cat "$TMP/sum")"
