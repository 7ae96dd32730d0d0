#!/usr/bin/env python3
"""Small Standard MIDI Files, good and bad, for tests/cli/jazz.sh, and
checks of what `seqtool jazz` writes.  Python's standard library only:
the bytes are laid out here by hand, independently of audio/midi.c.

usage:
  jazz_midi.py solo OUT.mid SEED [--bars N] [--chords SIDECAR] [--format1]
      a monophonic melody of N bars of 4/4 (default 8) on channel 1, 480
      ticks a beat, 120 bpm; with --chords, a sidecar in the corpus's form
      (tick, bar, beat, onset_s, chord) with one chord a bar from a short
      form; with --format1, a format 1 file: a tempo track, the melody on
      track 1, a bass line (channel 2, lower) on track 2 and drums
      (channel 10, higher) on track 3.  Prints the melody's note count.
  jazz_midi.py bad DIR
      the bad files of the test: text.mid, trunc.mid, overrun.mid,
      vlq5.mid, drums.mid, nonotes.mid, tempo0.mid, claim50.mid (a header
      and a track chunk that claims 50 MB, the file 50 MB of zeros after
      it: sparse), big50.mid (a valid 50 MB file of about 8 million
      notes), and good.mid (8 notes)
  jazz_midi.py pitches FILE.mid TRACK
      the note-on pitches of a track (velocity > 0), one line, in order
  jazz_midi.py svg ROLL.svg NOTES CHORD...
      exit 0 when ROLL.svg is well-formed XML with an svg root, at least
      NOTES rects, exactly NOTES of them notes (a rect with a title), and
      a text element for every CHORD named; prints what is wrong otherwise
  jazz_midi.py sidecar FILE.chords.tsv
      parse a chords sidecar: comment lines, the header, then rows of
      five tab-separated fields with ticks increasing; print one line
      "ROWS LASTBAR SYMBOL SYMBOL ..." or fail
"""
import os
import random
import struct
import sys
import xml.etree.ElementTree as ET

TPQ = 480


def vlq(n):
    out = [n & 0x7F]
    n >>= 7
    while n:
        out.append(0x80 | (n & 0x7F))
        n >>= 7
    return bytes(reversed(out))


def chunk(kind, body):
    return kind + struct.pack(">I", len(body)) + body


def track(events, eot=True):
    """events: (absolute tick, bytes) pairs, sorted."""
    body, last = bytearray(), 0
    for tick, data in events:
        body += vlq(tick - last) + data
        last = tick
    if eot:
        body += b"\x00\xff\x2f\x00"
    return chunk(b"MTrk", bytes(body))


def header(fmt, ntracks, tpq=TPQ):
    return chunk(b"MThd", struct.pack(">HHH", fmt, ntracks, tpq))


def meter_events(usec=500000):
    return [(0, b"\xff\x51\x03" + usec.to_bytes(3, "big")), (0, b"\xff\x58\x04\x04\x02\x18\x08")]


def notes_events(notes, channel):
    ev = []
    for start, dur, pitch in notes:
        ev.append((start, bytes([0x90 | channel, pitch, 90])))
        ev.append((start + dur, bytes([0x80 | channel, pitch, 0])))
    ev.sort(key=lambda e: (e[0], e[1][0] & 0xF0 == 0x90))  # offs first at a tick
    return ev


FORM = ["C7", "F7", "C7", "C7", "F7", "F7", "C7", "A7", "D-7", "G7", "C7", "G7"]


def melody(seed, bars):
    r = random.Random(seed)
    scale = [60, 62, 64, 65, 67, 69, 70, 72, 74]
    notes, t, end = [], 0, bars * 4 * TPQ
    while True:
        t += r.choice([0, 0, 0, 120, 240, 480])
        dur = r.choice([120, 160, 240, 240, 480, 720])
        if t + dur > end:
            break
        notes.append((t, dur, r.choice(scale)))
        t += dur
    return notes


def solo(args):
    out, seed = args[0], int(args[1])
    bars, side, fmt1 = 8, None, False
    i = 2
    while i < len(args):
        if args[i] == "--bars":
            bars, i = int(args[i + 1]), i + 2
        elif args[i] == "--chords":
            side, i = args[i + 1], i + 2
        elif args[i] == "--format1":
            fmt1, i = True, i + 1
        else:
            sys.exit("jazz_midi.py solo: unknown option " + args[i])
    mel = melody(seed, bars)
    if fmt1:
        bass = [(b * 4 * TPQ + k * TPQ, TPQ, 36 + (b + k) % 12) for b in range(bars) for k in range(4)]
        drums = [(b * 4 * TPQ + k * TPQ, 60, 100) for b in range(bars) for k in range(4)]
        data = header(1, 4) + track(meter_events()) + track(notes_events(mel, 0)) \
            + track(notes_events(bass, 1)) + track(notes_events(drums, 9))
    else:
        data = header(0, 1) + track(sorted(meter_events() + notes_events(mel, 0), key=lambda e: e[0]))
    with open(out, "wb") as f:
        f.write(data)
    if side:
        with open(side, "w") as f:
            f.write("# a test sidecar\ntick\tbar\tbeat\tonset_s\tchord\n")
            for b in range(bars):
                f.write("%d\t%d\t1\t%.3f\t%s\n" % (b * 4 * TPQ, b, b * 2.0, FORM[b % len(FORM)]))
    print(len(mel))


def bad(args):
    d = args[0]

    def w(name, data):
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)

    eight = [(i * TPQ, TPQ // 2, 60 + i) for i in range(8)]
    body = notes_events(eight, 0)
    good = header(0, 1) + track(body)
    w("good.mid", good)
    w("text.mid", b"This is a text file, not MIDI.\nIt has two lines.\n")
    w("trunc.mid", good[: len(good) - 17])
    t = track(body)
    w("overrun.mid", header(0, 1) + b"MTrk" + struct.pack(">I", len(t) - 8 + 5000) + t[8:])
    # a delta time of five bytes (four continuation bytes, then one more)
    w("vlq5.mid", header(0, 1) + chunk(b"MTrk", b"\x81\x80\x80\x80\x00\x90\x3c\x5a" + t[8:]))
    w("drums.mid", header(0, 1) + track(notes_events(eight, 9)))
    w("nonotes.mid", header(0, 1) + track(meter_events() + [(0, b"\xc0\x05"), (960, b"\xb0\x07\x64")]))
    w("tempo0.mid", header(0, 1) + track([(0, b"\xff\x51\x03\x00\x00\x00")] + body))
    size = 50 * 1000 * 1000
    with open(os.path.join(d, "claim50.mid"), "wb") as f:
        f.write(header(0, 1) + b"MTrk" + struct.pack(">I", size - 22))
        f.truncate(size)
    # valid: running status, each note 6 bytes (on, off as velocity 0)
    unit = b"\x10\x3c\x5a\x10\x3c\x00"
    n = (size - 40) // len(unit)
    big = b"\x00\x90\x3c\x5a\x10\x3c\x00" + unit * n + b"\x00\xff\x2f\x00"
    w("big50.mid", header(0, 1) + chunk(b"MTrk", big))


def pitches(args):
    data = open(args[0], "rb").read()
    want = int(args[1])
    pos, k, found = 14, 0, []
    while pos + 8 <= len(data):
        kind, n = data[pos : pos + 4], struct.unpack(">I", data[pos + 4 : pos + 8])[0]
        body, pos = data[pos + 8 : pos + 8 + n], pos + 8 + n
        if kind != b"MTrk":
            continue
        if k == want:
            i, status = 0, 0
            while i < len(body):
                while body[i] & 0x80:
                    i += 1
                i += 1
                b = body[i]
                if b == 0xFF:
                    j, ln = i + 2, 0
                    while body[j] & 0x80:
                        ln = (ln << 7) | (body[j] & 0x7F)
                        j += 1
                    ln = (ln << 7) | body[j]
                    i = j + 1 + ln
                    continue
                if b & 0x80:
                    status, i = b, i + 1
                size = 1 if status & 0xF0 in (0xC0, 0xD0) else 2
                d = body[i : i + size]
                i += size
                if status & 0xF0 == 0x90 and d[1] > 0:
                    found.append(d[0])
        k += 1
    print(" ".join(map(str, found)))


def svg(args):
    path, notes, chords = args[0], int(args[1]), args[2:]
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        sys.exit("not well-formed XML: %s" % e)
    ns = "{http://www.w3.org/2000/svg}"
    if root.tag != ns + "svg":
        sys.exit("the root is %s, not svg" % root.tag)
    rects = list(root.iter(ns + "rect"))
    with_title = [r for r in rects if r.find(ns + "title") is not None]
    texts = {t.text for t in root.iter(ns + "text")}
    missing = [c for c in chords if c not in texts]
    if len(rects) < notes or len(with_title) != notes or missing:
        sys.exit("%d rects, %d notes (want %d); chords missing: %s" % (len(rects), len(with_title), notes, missing))


def sidecar(args):
    rows, last_tick, last_bar, header_seen = [], -1, None, False
    for n, line in enumerate(open(args[0], encoding="utf-8"), 1):
        line = line.rstrip("\n")
        if line.startswith("#"):
            continue
        f = line.split("\t")
        if not header_seen:
            if f != ["tick", "bar", "beat", "onset_s", "chord"]:
                sys.exit("line %d: not the header: %r" % (n, line))
            header_seen = True
            continue
        if len(f) != 5:
            sys.exit("line %d: %d fields" % (n, len(f)))
        tick, bar, beat, onset = int(f[0]), int(f[1]), int(f[2]), float(f[3])
        if tick <= last_tick or not 1 <= beat <= 64 or onset < 0 or not f[4]:
            sys.exit("line %d: out of order or out of range: %r" % (n, line))
        last_tick, last_bar = tick, bar
        rows.append(f[4])
    if not header_seen:
        sys.exit("no header")
    print(len(rows), last_bar, " ".join(rows))


if __name__ == "__main__":
    actions = {"solo": solo, "bad": bad, "pitches": pitches, "svg": svg, "sidecar": sidecar}
    if len(sys.argv) < 2 or sys.argv[1] not in actions:
        sys.exit(__doc__)
    actions[sys.argv[1]](sys.argv[2:])
