/* fuzz_midi — the Standard MIDI File reader (audio/midi.c), then what
 * jazz does with a solo: its notes paired, the melody taken (the skyline
 * of every track, and of track 0 / channel 1 alone), snapped to the grid
 * of 12 steps a beat, timed through the tempo map; and the file written
 * back and read again, which must give the same tracks. */
#include "fuzz.h"

#include <string.h>

#include "midi.h"

static void melody(const midi_file *f, const midi_note *notes, size_t n, int track, int channel)
{
    char err[ERR_MAX];
    midi_note *mel = NULL;
    size_t m = 0;
    if (midi_melody(notes, n, track, channel, &mel, &m, err) == 0) {
        for (size_t i = 1; i < m; i++)
            if (mel[i].start < mel[i - 1].start)
                abort(); /* sorted by start */
        if (midi_quantize(mel, &m, f->ticks_per_quarter, 12 < f->ticks_per_quarter ? 12 : f->ticks_per_quarter,
                          err) == 0 &&
            m > 0)
            midi_seconds(f, mel[m - 1].end);
    }
    free(mel);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[ERR_MAX];
    midi_file f;
    if (midi_read(data, size, &f, err) < 0) {
        midi_free(&f);
        return 0;
    }
    midi_note *notes = NULL;
    size_t n = 0;
    if (midi_notes(&f, &notes, &n, err) == 0) {
        melody(&f, notes, n, -1, -1);
        melody(&f, notes, n, 0, 0);
    }
    free(notes);
    unsigned char *bytes = NULL;
    size_t len = 0;
    if (midi_write(&f, (int)(size & 1), &bytes, &len, err) == 0) {
        midi_file g;
        if (midi_read(bytes, len, &g, err) < 0 || g.n_tracks != f.n_tracks)
            abort(); /* what the writer writes, the reader reads */
        for (size_t t = 0; t < f.n_tracks; t++)
            if (g.tracks[t].n_events != f.tracks[t].n_events ||
                (f.tracks[t].n_events &&
                 memcmp(g.tracks[t].events, f.tracks[t].events, f.tracks[t].n_events * sizeof *f.tracks[t].events)))
                abort();
        midi_free(&g);
    }
    free(bytes);
    midi_free(&f);
    return 0;
}
