/* midi — Standard MIDI Files in and out, notes, and a melody out of them.
 *
 * The reader takes formats 0 and 1 with a division in ticks per quarter
 * note, from memory (midi_read, which a fuzzer can call) or from a file
 * (midi_load).  It keeps, per track, the channel messages (all 16
 * channels: note on/off, key pressure, control change, program change,
 * channel pressure, pitch bend) and the tempo, time-signature and
 * key-signature meta events, each at its absolute tick; the track's name
 * and the tick of its End of Track are kept in the track.  Everything else
 * (other meta events, system exclusive messages, unknown chunks) is
 * skipped.  Every length is checked against the end of the data: a
 * damaged or hostile file gives one line in err, never a crash, and the
 * reader allocates at most about 12 bytes per byte of input.
 *
 * Choices the standard leaves open, as this reader makes them:
 * - a note on with velocity 0 is read as a note off (velocity 0);
 * - running status carries across meta and sysex events (some files
 *   rely on it; a file that follows the standard never sees the
 *   difference);
 * - a division in SMPTE frames is refused ("SMPTE time division ... is
 *   not supported"), as is format 2;
 * - a tempo of 0 microseconds per quarter note is an error;
 * - the header may announce fewer tracks than the file holds (the extra
 *   chunks are ignored) but not more (the file is truncated);
 * - events after a track's End of Track are ignored; a track without one
 *   ends at its last event;
 * - only a track's first Track Name event is kept (as the track's name).
 *
 * The writer (midi_write, midi_save) writes what the reader keeps, so
 * read -> write -> read gives the same tracks and events; its bytes
 * depend on nothing but the midi_file.
 */
#ifndef SEQTOOL_MIDI_H
#define SEQTOOL_MIDI_H

#include "error.h"

#include <stddef.h>
#include <stdint.h>

/* midi_load refuses larger files (16 MiB; the largest real MIDI files
 * are a few MB). */
#define MIDI_MAX_FILE_SIZE ((size_t)16 << 20)
/* The largest delta time (and any variable-length quantity): 4 bytes of
 * 7 bits. */
#define MIDI_VLQ_MAX 0x0FFFFFFFu
/* Channel 10 (9 counting from 0) is General MIDI's percussion. */
#define MIDI_DRUM_CHANNEL 9
/* The default quantization grid: 12 steps per quarter note hold both
 * sixteenth notes and eighth-note triplets. */
#define MIDI_STEPS_PER_BEAT 12
/* A tempo before any tempo event: 120 quarter notes per minute. */
#define MIDI_DEFAULT_TEMPO 500000

typedef enum {
    MIDI_NOTE_OFF,          /* data[0] pitch, data[1] release velocity */
    MIDI_NOTE_ON,           /* data[0] pitch, data[1] velocity 1-127 */
    MIDI_KEY_PRESSURE,      /* data[0] pitch, data[1] pressure */
    MIDI_CONTROL,           /* data[0] controller, data[1] value */
    MIDI_PROGRAM,           /* data[0] program */
    MIDI_CHANNEL_PRESSURE,  /* data[0] pressure */
    MIDI_PITCH_BEND,        /* value 0-16383, 8192 is the centre */
    MIDI_TEMPO,             /* value microseconds per quarter note, 1-0xFFFFFF */
    MIDI_TIME_SIGNATURE,    /* data[0] numerator, data[1] log2 of the
                             * denominator; value: MIDI clocks per
                             * metronome click | 32nd notes per quarter << 8 */
    MIDI_KEY_SIGNATURE,     /* data[0] sharps (-7..7 as a signed byte: flats
                             * below 0), data[1] 0 major, 1 minor */
} midi_kind;

/* One event: 16 bytes.  channel is 0-15 for channel messages, 0 for meta
 * events. */
typedef struct {
    int64_t tick;  /* absolute, from the start of the track */
    uint32_t value;
    uint8_t kind;  /* a midi_kind */
    uint8_t channel;
    uint8_t data[2];
} midi_event;

typedef struct {
    char *name;          /* the first Track Name event's text, or NULL */
    midi_event *events;  /* in file order; ticks never decrease */
    size_t n_events, capacity;  /* capacity: room allocated in events */
    int64_t end_tick;    /* End of Track; >= the last event's tick */
} midi_track;

/* The tempo in force from tick on; seconds is the time of that tick. */
typedef struct {
    int64_t tick;
    uint32_t usec_per_quarter;
    double seconds;
} midi_tempo;

typedef struct {
    int64_t tick;
    int numerator, denominator;  /* 6/8: 6 and 8 */
    int clocks_per_click, thirty_seconds_per_quarter;
} midi_time_signature;

typedef struct {
    int format;             /* 0 or 1 */
    int ticks_per_quarter;  /* 1-32767 */
    midi_track *tracks;
    size_t n_tracks;
    /* Made from the tracks' events by midi_update_maps (midi_read calls
     * it): sorted by tick, one entry per tick (the last event there wins,
     * taking tracks in order).  tempos[0] is at tick 0, with
     * MIDI_DEFAULT_TEMPO when no tempo event is there. */
    midi_tempo *tempos;
    size_t n_tempos;
    midi_time_signature *time_signatures;
    size_t n_time_signatures;
} midi_file;

/* ---- variable-length quantities ---- */

/* Write value (at most MIDI_VLQ_MAX) in 1-4 bytes; returns how many, or 0
 * when value is too large. */
int midi_vlq_encode(uint32_t value, unsigned char out[4]);
/* Read one from p (size bytes available): returns the bytes it took
 * (1-4), or -1 with err "... runs past the end" / "... longer than 4
 * bytes". */
int midi_vlq_decode(const unsigned char *p, size_t size, uint32_t *value, char *err);

/* ---- reading ---- */

/* Parse a whole file held in memory into *out (which the caller frees
 * with midi_free, also after a failure).  0, or -1 with one line in err,
 * e.g. "track 2 at byte 1234: data byte with no running status". */
int midi_read(const unsigned char *data, size_t size, midi_file *out, char *err);
/* midi_read of the file at path ("-" is not special); refuses files over
 * MIDI_MAX_FILE_SIZE.  Messages start with the path. */
int midi_load(const char *path, midi_file *out, char *err);
void midi_free(midi_file *f);

/* Seconds from tick 0 to tick, through the tempo map. */
double midi_seconds(const midi_file *f, int64_t tick);

/* ---- building a file ---- */

/* An empty file of the given format (0 or 1) and division (1-32767). */
int midi_init(midi_file *f, int format, int ticks_per_quarter, char *err);
/* Append an empty track named name (NULL: no name); returns its index,
 * or -1 (a format 0 file has one track only). */
int midi_add_track(midi_file *f, const char *name, char *err);
/* Append an event to a track: its tick must not be before the track's
 * last event, and its fields must be in range (channel 0-15, data 0-127,
 * tempo 1-0xFFFFFF, pitch bend 0-16383).  Moves end_tick along. */
int midi_append(midi_file *f, size_t track, const midi_event *e, char *err);
/* Rebuild f->tempos and f->time_signatures from the tracks' events (after
 * midi_append, before midi_seconds). */
int midi_update_maps(midi_file *f, char *err);

/* ---- writing ---- */

/* The file's bytes, in *data (malloc'd; the caller frees it), *size long.
 * Each track gets its name (when it has one) at tick 0, its events, and
 * End of Track at end_tick.  With running_status, a channel message that
 * repeats the status byte of the one before leaves it out (never across
 * a meta event), and a note off of velocity 0 is written as a note on of
 * velocity 0 (which reads back as the same note off) so that runs of
 * notes share one status byte.  A gap between events longer than one
 * delta time holds (MIDI_VLQ_MAX ticks) is bridged with empty Text
 * events.  -1 when a track's ticks go backwards or an event is out of
 * range (see midi_append). */
int midi_write(const midi_file *f, int running_status, unsigned char **data, size_t *size, char *err);
/* midi_write into path, atomically (a temporary file renamed into place):
 * the old file stays whole when anything fails. */
int midi_save(const midi_file *f, const char *path, int running_status, char *err);

/* ---- notes ---- */

typedef struct {
    int64_t start, end;  /* ticks; end >= start */
    uint8_t pitch, velocity, channel;
    uint16_t track;
} midi_note;

/* Pair each note on with the note off of the same (track, channel,
 * pitch).  A note on while that pitch already sounds ends the sounding
 * note there (as a synthesizer retriggers it) and the next note off ends
 * the new one; a note off with nothing sounding is ignored; notes still
 * sounding at the end of their track end at its end_tick.  Zero-length
 * notes are kept.  *notes (malloc'd, NULL when there are none) is sorted
 * by start, then track, channel, pitch, end, velocity. */
int midi_notes(const midi_file *f, midi_note **notes, size_t *n, char *err);

/* A monophonic melody out of notes (any order), into *melody (malloc'd,
 * sorted by start).  Only notes of the given track (an index into
 * f->tracks) and channel (0-15) count, -1 meaning any; the drum channel
 * (MIDI_DRUM_CHANNEL) counts only when chosen by channel.  Among those,
 * the skyline: at each moment the highest note that has been the highest
 * since its onset.  Of notes that begin together the highest (then the
 * longest) is taken; a note is cut where a higher or equally high one
 * begins; a note that begins under a sounding higher one, or that was
 * cut, does not come back, so a held accompaniment does not fill the
 * melody's rests.  Zero-length notes are passed over.  -1 when nothing
 * is left, e.g. "no melody: every note is on the drum channel (10)". */
int midi_melody(const midi_note *notes, size_t n, int track, int channel, midi_note **melody, size_t *n_melody,
                char *err);

/* Snap a monophonic line (sorted by start, as midi_melody gives it) to a
 * grid of steps_per_beat steps per quarter note (1 to ticks_per_quarter),
 * in place: each onset to its nearest step, each duration to its nearest
 * whole number of steps (halves round up), and a duration that would
 * round to 0 is lengthened to one step.  Then, in order: a note whose
 * onset lands on the onset of the note before it is dropped (the earlier
 * note keeps the step), and a note that would reach past the next onset
 * is cut there.  start and end stay ticks, on the grid
 * (midi_tick_step gives the step).  *n becomes the notes kept. */
int midi_quantize(midi_note *notes, size_t *n, int ticks_per_quarter, int steps_per_beat, char *err);
/* The grid step nearest to tick (halves round up), and the tick of step. */
int64_t midi_tick_step(int64_t tick, int ticks_per_quarter, int steps_per_beat);
int64_t midi_step_tick(int64_t step, int ticks_per_quarter, int steps_per_beat);

#endif
