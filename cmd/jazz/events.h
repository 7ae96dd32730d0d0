/* events — a jazz melody as note events on a beat grid, over a chord
 * timeline, and the classes the models of `seqtool jazz` read and write.
 *
 * Time is counted in grid steps from the downbeat of the first bar, 12
 * steps to a beat (so eighths, sixteenths and triplets all fall on the
 * grid); a bar of 4/4 is 48 steps.  The MIDI reader fills a jazz_melody
 * (notes, meter, chords); jazz_encode turns it into one jazz_event per
 * note, the classes both models use:
 *
 *   rest   grid steps of silence between the previous note's end and this
 *          note's onset (the first note: since step 0; an overlap counts
 *          as 0), bucketed by JAZZ_REST_STEPS below
 *   pitch  the MIDI note number itself, 0..127
 *   dur    grid steps the note lasts, bucketed by JAZZ_DUR_STEPS
 *   pos    the onset's step within its bar, 0..JAZZ_POS_CLASSES-1 (a bar
 *          longer than JAZZ_MAX_BEATS beats is clamped at the last class)
 *   root   pitch class of the chord in force at the onset, 0 = C ..
 *          11 = B, or JAZZ_NO_ROOT (12) when no chord is in force
 *   qual   its quality, an index into jazz_quality_names, or
 *          JAZZ_NO_QUALITY (JAZZ_QUALITIES) with no chord
 *
 * Buckets: a number of steps maps to the class whose representative is
 * nearest (a tie goes to the shorter); above the last finite
 * representative by more than half its last gap it is the class
 * "longer", whose representative a generated note uses.  Exact classes
 * up to two beats, then coarser ones up to two bars of 4/4:
 *   rest classes (34): 0 1 2 .. 24, 30 36 42 48, 60 72 84 96, longer (144)
 *   dur classes  (33):   1 2 .. 24, 30 36 42 48, 60 72 84 96, longer (144)
 */
#ifndef SEQTOOL_JAZZ_EVENTS_H
#define SEQTOOL_JAZZ_EVENTS_H

#include "error.h"
#include "rng.h"

#define JAZZ_GRID 12             /* steps per beat */
#define JAZZ_MAX_BEATS 8         /* longest bar the position classes hold */
#define JAZZ_POS_CLASSES (JAZZ_GRID * JAZZ_MAX_BEATS)
#define JAZZ_PITCHES 128
#define JAZZ_REST_CLASSES 34
#define JAZZ_DUR_CLASSES 33
#define JAZZ_LONGER_STEPS 144    /* what a "longer" rest or duration lasts */

/* Chord qualities, in class order; the chord parser maps symbols to these
 * (e.g. C maj; C6 and C69 6; C-7 min7; Cm7b5 hdim7; Co and Co7 dim; C7alt
 * and dominants with altered ninths alt; C-j7 minmaj7; C7sus4 sus7). */
typedef enum {
    JAZZ_MAJ, JAZZ_MIN, JAZZ_DOM7, JAZZ_MAJ7, JAZZ_MIN7, JAZZ_HDIM7, JAZZ_DIM,
    JAZZ_AUG, JAZZ_SUS, JAZZ_SUS7, JAZZ_MAJ6, JAZZ_MIN6, JAZZ_ALT, JAZZ_MINMAJ7,
    JAZZ_QUALITIES
} jazz_quality;

#define JAZZ_ROOTS 13                    /* 12 pitch classes and "none" */
#define JAZZ_NO_ROOT 12
#define JAZZ_QUAL_CLASSES (JAZZ_QUALITIES + 1)
#define JAZZ_NO_QUALITY JAZZ_QUALITIES

/* "maj", "min", "dom7", "maj7", "min7", "hdim7", "dim", "aug", "sus",
 * "sus7", "6", "min6", "alt", "minmaj7", in enum order. */
extern const char *const jazz_quality_names[JAZZ_QUALITIES];
/* The quality of that name, or -1. */
int jazz_quality_parse(const char *name);

/* One note: onset and duration in grid steps, duration >= 1. */
typedef struct {
    int onset, dur, pitch;
} jazz_note;

/* A chord from grid step start until the next chord's start: root 0..11
 * (0 = C) and a jazz_quality, or root -1 for "no chord" (N.C.). */
typedef struct {
    int start, root, quality;   /* start first: searches read it so */
} jazz_chord;

/* The time frame of a melody: the meter, optional bar lines (for meter
 * changes; without them every bar has beats_per_bar beats from step 0),
 * and the chords, sorted by start (no chord is in force before the
 * first).  Bar lines, when given, are increasing; before the first one
 * and after the last one bars of beats_per_bar beats are assumed. */
typedef struct {
    int beats_per_bar;
    int nbars;
    int *bar;            /* [nbars] bar starts, or NULL */
    int nchords;
    jazz_chord *chord;   /* [nchords] */
} jazz_timeline;

/* A monophonic melody (notes sorted by onset) over its timeline; what the
 * MIDI reader fills.  The arrays belong to the melody (jazz_melody_free). */
typedef struct {
    jazz_timeline tl;
    int n;
    jazz_note *note;     /* [n] */
} jazz_melody;

void jazz_melody_free(jazz_melody *m);

/* The classes of one note (see the top of this file). */
typedef struct {
    int rest, pitch, dur, pos, root, qual;
} jazz_event;

/* Bucketing: the class of a number of steps (below 0 counts as 0; a
 * duration below 1 as 1), and the steps a class stands for. */
int jazz_rest_class(int steps);
int jazz_dur_class(int steps);
int jazz_rest_steps(int cls);
int jazz_dur_steps(int cls);

/* 0, or -1 with a message in err: beats_per_bar outside 1..64, bar
 * lines or chords out of order, a root or quality outside the tables. */
int jazz_timeline_check(const jazz_timeline *tl, char *err);

/* The chord in force at step t: root class 0..12 and quality class
 * 0..JAZZ_QUALITIES into *root and *qual. */
void jazz_chord_at(const jazz_timeline *tl, int t, int *root, int *qual);
/* The position class of step t within its bar. */
int jazz_bar_pos(const jazz_timeline *tl, int t);

/* The event of a note with onset t and duration dur and pitch, after a
 * note that ended at prev_end. */
jazz_event jazz_event_of(const jazz_timeline *tl, int prev_end, int onset, int dur, int pitch);

/* The events of a melody's n notes into ev[n]; 0, or -1 with a message in
 * err (a pitch outside 0..127, notes out of order, a bad timeline). */
int jazz_encode(const jazz_melody *m, jazz_event *ev, char *err);

/* Key transposition (training augmentation): pitches and chord roots of
 * ev[0..n) moved by shift semitones.  jazz_shift_draw draws a shift in
 * [-max, max] that keeps every pitch within 0..127 (0 if none but 0
 * does). */
void jazz_transpose(jazz_event *ev, int n, int shift);
int jazz_shift_draw(const jazz_event *ev, int n, int max, rng *r);

/* Tokens of the n-gram baseline: each note is three tokens, rest, pitch
 * and duration, from disjoint ranges of one vocabulary of JAZZ_TOKENS:
 *   rest r -> r, pitch p -> JAZZ_TOK_PITCH + p, dur d -> JAZZ_TOK_DUR + d.
 * Writes 3 n tokens into tok. */
#define JAZZ_TOK_PITCH JAZZ_REST_CLASSES
#define JAZZ_TOK_DUR (JAZZ_TOK_PITCH + JAZZ_PITCHES)
#define JAZZ_TOKENS (JAZZ_TOK_DUR + JAZZ_DUR_CLASSES)
void jazz_tokens(const jazz_event *ev, int n, int *tok);

#endif
