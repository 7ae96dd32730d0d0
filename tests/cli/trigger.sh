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
