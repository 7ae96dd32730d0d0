/* chords — lead-sheet chord symbols and a bar-by-bar chord timeline.
 *
 * chord_parse reads one symbol into its root, bass, quality and the set
 * of pitch classes it sounds.  It reads the common spellings and the
 * Weimar Jazz Database's:
 *
 *   root     C D E F G A B, each with # or b (or two of them): F#, Bb, Cb
 *   minor    m mi min -              Cm7 C-7 Cmin7
 *   major 7  maj7 ma7 M7 j7 ^7       Cmaj7 Cj7; maj/j alone (Cj) is a triad
 *   others   dim o (°)   dim7 o7   m7b5 ø h   aug +   sus sus4 sus2
 *            6 69 7 9 11 13   alt (C7alt)   add9 add2 add11
 *   tensions b9 9 #9 11 #11 b13 13, b5 #5: written before the number
 *            (C7b9, C9#11, C13b9) or, right after the chord's number with
 *            no sign between, WJazzD's way with the sign after it (C79b is
 *            7 b9, C7911# is 7 9 #11, C79b13 is 7 b9 13); parentheses and
 *            commas around them are passed over: C7(b9,#11)
 *   bass     /X: C/G, Ab-6/Eb
 *   no chord NC N.C. N.C N/C
 *
 * A 9, 11 or 13 as the chord's number implies the 7 (C9 = C7 with 9; C11
 * adds 9 and 11; C13 adds 9 and 13).  A symbol this does not read gives
 * "chord symbol 'X' not understood at 'Y'".
 *
 * The text form of a timeline: chords separated by blanks, bars by '|'.
 * A leading and a trailing '|' are optional; "||" is one bar line, and
 * so is a '|' that ends a line with one that starts the next (so each
 * line of a lead sheet may be written "| ... |"); otherwise line breaks
 * are blanks.  The chords of a bar share it equally; a bar with no chord
 * ("| |") holds the chord before it.  "Dm7 G7 | Cmaj7 | |" in 4/4 is Dm7
 * for beats 0-2, G7 for 2-4, Cmaj7 for 4-12.  Empty text is an empty
 * timeline.
 */
#ifndef SEQTOOL_CHORDS_H
#define SEQTOOL_CHORDS_H

#include "error.h"

#include <stddef.h>

/* The chord qualities: a small index for a model's conditioning. */
typedef enum {
    CHORD_NONE,      /* NC */
    CHORD_MAJ,       /* C */
    CHORD_MIN,       /* Cm */
    CHORD_AUG,       /* C+ */
    CHORD_DIM,       /* Co */
    CHORD_SUS,       /* Csus4, Csus2 */
    CHORD_MAJ6,      /* C6, C69 */
    CHORD_MIN6,      /* Cm6 */
    CHORD_DOM7,      /* C7, C9, C13, C79b ... */
    CHORD_MAJ7,      /* Cmaj7, Cj7 */
    CHORD_MIN7,      /* Cm7, C-7, Cm9 */
    CHORD_MINMAJ7,   /* C-j7 */
    CHORD_HALF_DIM,  /* Cm7b5, Cø */
    CHORD_DIM7,      /* Cdim7, Co7 */
    CHORD_AUG7,      /* C+7, C7#5 */
    CHORD_AUGMAJ7,   /* C+j7 */
    CHORD_SUS7,      /* C7sus4, Csus7, C9sus4 */
    CHORD_ALT,       /* C7alt */
    CHORD_QUALITIES
} chord_quality;

/* The longest symbol kept, with its NUL. */
#define CHORD_SYMBOL_MAX 24

typedef struct {
    int root;               /* pitch class 0-11, C = 0; -1 for no chord */
    int bass;               /* the bass's pitch class: root unless /X */
    chord_quality quality;
    unsigned tones;         /* bit p set: pitch class p sounds (bass too) */
    char symbol[CHORD_SYMBOL_MAX];  /* the symbol as written */
} chord;

/* Parse symbol (the whole string) into *out.  0, or -1 with err
 * "chord symbol 'X' not understood at 'Y'". */
int chord_parse(const char *symbol, chord *out, char *err);
/* The same for the first len bytes of text. */
int chord_parse_n(const char *text, size_t len, chord *out, char *err);

/* Whether a MIDI pitch (or pitch class) is one of the chord's tones. */
int chord_has(const chord *c, int pitch);
/* "maj", "min", "dom7", "half-dim", ... */
const char *chord_quality_name(chord_quality q);

/* One chord of a timeline, in beats from the start. */
typedef struct {
    double start, duration;
    chord chord;
} chord_span;

typedef struct {
    chord_span *spans;  /* by start; each begins where the one before ends */
    size_t n;
} chord_timeline;

/* The text form (see above) with beats_per_bar beats a bar, into *out
 * (freed with chord_timeline_free, also after a failure). */
int chord_timeline_parse(const char *text, int beats_per_bar, chord_timeline *out, char *err);
/* The text form of a timeline, in *text (malloc'd): one bar after
 * another, "Dm7 G7 | Cmaj7 | |", each chord by its symbol.  -1 when the
 * timeline has no such form (chords that do not share a bar equally, a
 * gap, a start off 0). */
int chord_timeline_format(const chord_timeline *t, int beats_per_bar, char **text, char *err);
void chord_timeline_free(chord_timeline *t);
/* The chord sounding at beat, or NULL before the first and after the
 * last. */
const chord *chord_at(const chord_timeline *t, double beat);

#endif
