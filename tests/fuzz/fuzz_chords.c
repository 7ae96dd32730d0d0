/* fuzz_chords — jazz's chord text (audio/chords.c): the bytes as a
 * lead sheet for `jazz generate --chords` (chords by blanks, bars by '|')
 * in 4/4 and in the meter the first byte gives, the timeline written back
 * and read again, the chord at a few beats; and the first line as one
 * chord symbol, as a sidecar file's chord column is read. */
#include "fuzz.h"

#include <math.h>
#include <string.h>

#include "chords.h"

static void timeline(const char *text, int beats_per_bar)
{
    char err[ERR_MAX];
    chord_timeline t;
    if (chord_timeline_parse(text, beats_per_bar, &t, err) == 0) {
        for (size_t i = 0; i < t.n; i++)
            if (!(t.spans[i].duration > 0) || !isfinite(t.spans[i].start) ||
                (i && fabs(t.spans[i].start - (t.spans[i - 1].start + t.spans[i - 1].duration)) >
                          1e-9 * (1 + t.spans[i].start)))
                abort(); /* each span begins where the one before ends */
        char *back = NULL;
        if (chord_timeline_format(&t, beats_per_bar, &back, err) == 0) {
            chord_timeline u;
            if (chord_timeline_parse(back, beats_per_bar, &u, err) < 0 || u.n != t.n)
                abort(); /* the written form reads back */
            chord_timeline_free(&u);
        }
        free(back);
        for (double beat = 0; beat < 64; beat += 2.5) {
            const chord *c = chord_at(&t, beat);
            if (c && c->root >= 12)
                abort();
        }
    }
    chord_timeline_free(&t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[ERR_MAX];
    char *text = fuzz_text(data, size);
    timeline(text, 4);
    timeline(text, size ? 1 + data[0] % 12 : 3);
    char *nl = strchr(text, '\n');
    chord c;
    if (chord_parse_n(text, nl ? (size_t)(nl - text) : strlen(text), &c, err) == 0) {
        if (c.root < -1 || c.root > 11 || c.bass < -1 || c.bass > 11 || c.quality >= CHORD_QUALITIES ||
            strlen(c.symbol) >= CHORD_SYMBOL_MAX)
            abort();
        chord_quality_name(c.quality);
        chord_has(&c, 60);
    }
    free(text);
    return 0;
}
