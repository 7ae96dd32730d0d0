#!/usr/bin/env bash
# Tests of the audio layer from the shell, through tests/audiodump:
# the two spectrograms against numpy (tests/spec_check.py, skipped without
# python3-numpy), on a synthetic signal and (when ../shared is present) a
# course recording; WAV from a pipe (with and without a length in its
# header), raw s16le PCM from a pipe (and a partial last frame), the
# stream reader, all bit-identical to reading the file; files sox makes in
# other formats, rates, channel counts and sample sizes (skipped without
# sox); and that seqtool itself loads neither FluidSynth nor GLib at
# start-up (audio/synth dlopens them when a SoundFont rendering is asked
# for).  The C unit tests of the same modules are in tests/test_audio.c.
cd "$(dirname "$0")/../.." || exit 1
. tests/cli/lib.sh
DUMP=${TESTBIN:-build/release/tests}/audiodump
[ -x "$DUMP" ] || { not_ok "audio: $DUMP is not built"; exit 1; }
# SEQTOOL_SHARED: where the reference data is when not at ../shared/datasets
SHARED=${SEQTOOL_SHARED:-$SHARED}
REAL=$SHARED/course/trigger/raw_data/backgrounds/1.wav

# ---- FluidSynth only on demand ----
libs=$(ldd "$SEQTOOL")
if [ -z "$libs" ]; then
    not_ok "ldd $SEQTOOL"
elif echo "$libs" | grep -Eq 'libfluidsynth|libglib'; then
    not_ok "seqtool loads $(echo "$libs" | awk '/libfluidsynth|libglib/ {print $1}' | tr '\n' ' ')at start-up"
else
    ok "seqtool loads neither libfluidsynth nor libglib at start-up ($(echo "$libs" | wc -l) libraries)"
fi

# ---- spectrograms against numpy ----
if $PY -c 'import numpy' 2>/dev/null; then
    mkdir "$TMP/feat"
    if [ -f "$REAL" ]; then
        $DUMP features "$TMP/feat" "$REAL" >/dev/null || not_ok "audiodump features with $REAL"
    else
        echo "skip - spectrograms of a course recording: $REAL not present"
        $DUMP features "$TMP/feat" >/dev/null || not_ok "audiodump features"
    fi
    $PY tests/spec_check.py "$TMP/feat"
else
    echo "skip - spectrograms against numpy: $PY cannot import numpy (python3-numpy)"
fi

# ---- a course recording through a pipe ----
if [ -f "$REAL" ]; then
    line=$($DUMP read 16000 "$REAL" "$TMP/real.f32")
    [ "$line" = "n=160000 rate=16000 source_rate=44100 channels=2" ] \
        && ok "course background: 10 s, 44.1 kHz stereo -> 160000 samples at 16 kHz" || not_ok "course background: $line"
    line=$(cat "$REAL" | $DUMP read 16000 - "$TMP/real-pipe.f32")
    cmp -s "$TMP/real.f32" "$TMP/real-pipe.f32" && ok "the same WAV through a pipe: bit-identical samples" \
        || not_ok "WAV through a pipe differs from the file ($line)"
else
    echo "skip - a course recording through a pipe: $REAL not present"
fi

# ---- streams and formats made by sox ----
if ! command -v sox >/dev/null 2>&1; then
    echo "skip - pipes, raw PCM and other formats: sox not installed"
    exit 0
fi
A=$TMP/a.wav
sox -n -r 44100 -c 2 -b 16 "$A" synth 3 sine 440 sine 660 2>/dev/null
$DUMP read 16000 "$A" "$TMP/file.f32" >/dev/null
[ "$(stat -c %s "$TMP/file.f32")" -eq $((48000 * 4)) ] && ok "3 s at 44.1 kHz stereo -> 48000 samples at 16 kHz" \
    || not_ok "3 s at 44.1 kHz: $(stat -c %s "$TMP/file.f32") bytes"
same() { # DESC FILE: FILE holds the same bytes as file.f32
    cmp -s "$TMP/file.f32" "$2" && ok "$1: bit-identical to reading the file" || not_ok "$1: differs from reading the file"
}
sox "$A" -t wav - | $DUMP read 16000 - "$TMP/pipe.f32" >/dev/null
same "WAV from sox through a pipe" "$TMP/pipe.f32"
sox "$A" -t raw - | sox -t raw -r 44100 -e signed -b 16 -c 2 - -t wav - 2>/dev/null | $DUMP read 16000 - "$TMP/nolen.f32" >/dev/null
same "a piped WAV whose header has no length (0x7ffff000)" "$TMP/nolen.f32"
$DUMP stream 16000 "$A" "$TMP/stream.f32" >/dev/null
same "wav_stream over the file" "$TMP/stream.f32"
sox "$A" -t wav - | $DUMP stream 16000 - "$TMP/stream-pipe.f32" >/dev/null
same "wav_stream over a pipe" "$TMP/stream-pipe.f32"
sox "$A" -t raw -e signed -b 16 -L - | $DUMP raw 16000 44100 2 "$TMP/raw.f32" >/dev/null
same "raw s16le through a pipe" "$TMP/raw.f32"
(sox "$A" -t raw -e signed -b 16 -L -; printf 'abc') | $DUMP raw 16000 44100 2 "$TMP/partial.f32" >/dev/null
same "raw s16le ending in a partial frame (dropped)" "$TMP/partial.f32"
sox "$A" -t raw -e signed -b 16 -L - | $DUMP raw 0 44100 2 "$TMP/raw44.f32" >/dev/null
$DUMP read 0 "$A" "$TMP/file44.f32" >/dev/null
cmp -s "$TMP/raw44.f32" "$TMP/file44.f32" && ok "at the source rate (no resampling): raw = file" || not_ok "no-resampling raw differs"
sox "$A" "$TMP/a.flac"
$DUMP read 16000 "$TMP/a.flac" "$TMP/flac.f32" >/dev/null
same "FLAC (lossless)" "$TMP/flac.f32"

# other formats and shapes: each reads, with the length expected at 16 kHz
reads() { # DESC FILE N: wav_read gives N samples at 16 kHz
    local line
    line=$($DUMP read 16000 "$2" 2>&1)
    case $line in
    "n=$3 rate=16000 "*) ok "$1: $line" ;;
    *) not_ok "$1: $line (want n=$3)" ;;
    esac
}
sox "$A" "$TMP/x.ogg" && reads "Ogg Vorbis" "$TMP/x.ogg" 48000
sox "$A" "$TMP/x.aiff" && reads "AIFF" "$TMP/x.aiff" 48000
sox "$A" -b 8 "$TMP/x8.wav" && reads "8-bit WAV" "$TMP/x8.wav" 48000
sox "$A" -b 24 "$TMP/x24.wav" && reads "24-bit WAV" "$TMP/x24.wav" 48000
sox "$A" -e floating-point "$TMP/xf.wav" && reads "float WAV" "$TMP/xf.wav" 48000
sox "$A" -r 96000 "$TMP/x96.wav" && reads "96 kHz stereo" "$TMP/x96.wav" 48000
sox "$A" -r 8000 -c 1 "$TMP/x8k.wav" && reads "8 kHz mono (upsampled)" "$TMP/x8k.wav" 48000
sox "$A" -c 6 "$TMP/x6.wav" 2>/dev/null && reads "6 channels" "$TMP/x6.wav" 48000
sox "$A" "$TMP/short.wav" trim 0 0.1 && reads "a 0.1 s clip" "$TMP/short.wav" 1600
sox -n -r 16000 -c 1 -b 16 "$TMP/empty.wav" trim 0 0 2>/dev/null && reads "a WAV with no frames" "$TMP/empty.wav" 0
