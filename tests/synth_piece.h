/* synth_piece — a made-up jazz chorus for tests/test_synth.c and
 * tests/synth_speed.c: bars of 4/4 at 120 bpm (2 s a bar) over a
 * ii-V-I-VI turnaround in C, a swung eighth-note melody (lead, 8 notes a
 * bar) above four-note chords (comp) struck on beat 1 and on the "and"
 * of 2.  No randomness: bars x 16 notes, always the same. */
#ifndef SEQTOOL_SYNTH_PIECE_H
#define SEQTOOL_SYNTH_PIECE_H

#include <stddef.h>

#include "synth.h"

/* Write the piece into notes[bars * 16]; returns the count. */
static size_t synth_piece(synth_note *notes, int bars)
{
    /* Dm9, G13, Cmaj9, A7b9 in rootless voicings around middle C */
    static const int chords[4][4] = {{53, 57, 60, 64}, {53, 57, 59, 64}, {52, 55, 59, 62}, {55, 58, 61, 64}};
    static const int scale[7] = {0, 2, 4, 5, 7, 9, 11};
    const double beat = 0.5;
    size_t n = 0;
    for (int bar = 0; bar < bars; bar++) {
        double t = bar * 4 * beat;
        const int *chord = chords[bar % 4];
        for (int hit = 0; hit < 2; hit++)
            for (int k = 0; k < 4; k++)
                notes[n++] = (synth_note){t + hit * 1.5 * beat, 0.7, chord[k], hit ? 72 : 84, SYNTH_COMP, -1};
        for (int e = 0; e < 8; e++) {
            int step = (bar * 8 + e) * 3 % 11 + (e % 2 ? 1 : 0);
            int pitch = 67 + scale[step % 7] + (step / 7) * 12;
            double on = t + (e / 2) * beat + (e % 2) * beat * 2 / 3; /* swing: long, short */
            notes[n++] = (synth_note){on, e % 2 ? 0.14 : 0.3, pitch, e % 2 ? 80 : 100, SYNTH_LEAD, -1};
        }
    }
    return n;
}

#endif
