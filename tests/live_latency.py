#!/usr/bin/python3
"""How long after a word ends a live detector says so.

usage: live_latency.py [--chunk MS] [--speed X] RAW RATE WORD_END -- COMMAND...

RAW       16-bit little-endian mono PCM at RATE Hz: the audio a microphone
          would give, with the wake word ending WORD_END seconds in
COMMAND   the detector, reading that PCM on standard input and printing
          one line per detection (e.g. seqtool trigger detect --raw
          --rate 16000 -)

The audio is written to COMMAND in chunks of --chunk milliseconds (default
20, as a sound card's periods come), each when its last sample would have
been spoken (--speed 1: real time; 2: twice as fast), so that COMMAND sees
what a live microphone gives it.  Each line COMMAND prints is timed on
arrival.  Printed: for each detection, its line and the delay from the
moment the word's end was written to the line's arrival, in ms; exits 1
when COMMAND fails or prints nothing.
"""
import argparse
import subprocess
import sys
import threading
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--chunk", type=float, default=20)
    ap.add_argument("--speed", type=float, default=1)
    ap.add_argument("raw")
    ap.add_argument("rate", type=int)
    ap.add_argument("word_end", type=float)
    ap.add_argument("command", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.command[1:] if a.command[:1] == ["--"] else a.command
    data = open(a.raw, "rb").read()
    step = max(2, int(a.rate * a.chunk / 1000) * 2)
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    lines = []

    def reader():
        for line in p.stdout:
            lines.append((time.monotonic(), line.decode().rstrip("\n")))

    t = threading.Thread(target=reader)
    t.start()
    start = time.monotonic()
    for i in range(0, len(data), step):
        due = start + (i + step) / 2 / a.rate / a.speed
        pause = due - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        p.stdin.write(data[i:i + step])
        p.stdin.flush()
    p.stdin.close()
    t.join()
    rc = p.wait()
    word_written = start + a.word_end / a.speed
    for when, line in lines:
        print("%s\t%.0f ms" % (line, (when - word_written) * 1000))
    return 0 if rc == 0 and lines else 1


if __name__ == "__main__":
    sys.exit(main())
