/* synth — note events to sound: mono float samples at a chosen rate, from
 * a General MIDI SoundFont through FluidSynth when one is given, or from
 * a small built-in synthesizer otherwise.
 *
 * The built-in synthesizer has two voices, both additive: four sine
 * partials whose upper ones die away faster than the fundamental, shaped
 * by an attack / decay / sustain / release envelope.
 *   SYNTH_LEAD  a bright, singing tone (partials 1, 2, 3, 4) with a high
 *               sustain, for a melody;
 *   SYNTH_COMP  an electric-piano-like tone (partials 1, 2, 3 and a short
 *               inharmonic "tine" near the 7th), mellower and quieter and
 *               decaying to a low sustain, for chords.
 * The attack rises from exactly 0 along a smoothstep curve (3x^2 - 2x^3)
 * over a few milliseconds, and the release falls along the same curve to
 * exactly 0 after the note's duration, so neither end of a note clicks.
 * Partials at or above 0.45 x rate are left out (no aliasing).  Loudness
 * goes with the square of velocity / 127; brightness rises with it.
 * Notes add up (any polyphony); when the sum would pass SYNTH_PEAK, the
 * whole rendering is scaled down so that its peak is SYNTH_PEAK, so no
 * sample ever leaves [-1, 1].  Nothing is random: the same notes at the
 * same rate give the same samples, bit for bit.
 *
 * FluidSynth is not linked: it is loaded (dlopen of libfluidsynth.so.3,
 * and with it GLib and its other dependencies) the first time a SoundFont
 * rendering is asked for, once per process under pthread_once, and stays
 * loaded.  Commands that render no SoundFont never load it.  When it
 * cannot be loaded (libfluidsynth3 not installed), a SoundFont rendering
 * fails with one line, "FluidSynth (libfluidsynth.so.3) is not installed:
 * ...", and the caller may render with the built-in voices instead
 * (soundfont NULL); synth_fluidsynth tells beforehand.
 *
 * With a SoundFont, FluidSynth renders offline (no audio driver): one
 * MIDI channel per distinct program (channel 10, the drums, skipped),
 * note-on and note-off at each note's sample position, FluidSynth's own
 * reverb and chorus at their defaults, stereo averaged to mono, the last
 * SYNTH_FADE_SECONDS faded out (a reverb may still ring), then the same
 * peak scaling.  FluidSynth applies events at its 64-sample block
 * boundaries, so its notes start within 64 samples of their time.
 * Nothing is printed: FluidSynth's log is switched off for the whole
 * process (its first error goes into the message instead), and GLib's
 * default log handler is swapped for a silent one while the SoundFont
 * loads (FluidSynth's DLS loader, libinstpatch, prints GLib criticals
 * about files it refuses).  The SoundFont path is therefore not for
 * several threads at once; the built-in voices are.
 *
 * Length: a rendering of notes has
 *   max over notes of (round(start x rate) + max(1, round(duration x rate)))
 *     + round(SYNTH_TAIL_SECONDS x rate)
 * samples (0 for no notes), whichever way it is rendered.  The built-in
 * voices' releases last at most 0.15 s, so the rest of the tail is
 * silence (exact zeros), as is everything before the first note.
 *
 * Nothing here prints or exits; a failure returns -1 with one line in
 * the caller's err[ERR_MAX].
 */
#ifndef SEQTOOL_SYNTH_H
#define SEQTOOL_SYNTH_H

#include "error.h"

#include <stddef.h>

/* The default sample rate (Hz). */
#define SYNTH_RATE 44100
/* Sound after the last note-off: releases and reverb (seconds). */
#define SYNTH_TAIL_SECONDS 1.0
/* The largest magnitude a rendering reaches; louder sums are scaled down
 * as a whole to it (about -0.9 dBFS). */
#define SYNTH_PEAK 0.9f
/* The fade-out at the end of a SoundFont rendering (seconds). */
#define SYNTH_FADE_SECONDS 0.05
/* Longest rendering accepted (seconds): as wav_read's limit, 4 hours. */
#define SYNTH_MAX_SECONDS (4 * 3600)

/* The built-in voices, and the General MIDI program (counted from 0) each
 * stands for with a SoundFont when a note names none. */
enum synth_voice { SYNTH_LEAD, SYNTH_COMP };
#define SYNTH_GM_LEAD 65 /* Alto Sax (GM 66) */
#define SYNTH_GM_COMP 4  /* Electric Piano 1 (GM 5) */

/* One note. */
typedef struct {
    double start;    /* seconds from the start of the piece, >= 0 */
    double duration; /* seconds the key is held, > 0; the release follows */
    int pitch;       /* MIDI note number 0..127 (60 middle C, 69 the A of 440 Hz) */
    int velocity;    /* 1..127 */
    int voice;       /* SYNTH_LEAD or SYNTH_COMP: the built-in timbre */
    int program;     /* General MIDI program 0..127 for a SoundFont;
                        -1: the voice's (SYNTH_GM_LEAD or SYNTH_GM_COMP) */
} synth_note;

/* Mono audio: n samples at rate Hz, all in [-SYNTH_PEAK, SYNTH_PEAK]. */
typedef struct {
    float *samples;
    size_t n;
    int rate;
    float gain; /* the scale applied to reach SYNTH_PEAK; 1 when none was */
} synth_audio;

/* Render notes[n_notes] (in any order; they may overlap) at rate Hz into
 * out: with FluidSynth and the SoundFont file at soundfont, or with the
 * built-in voices when soundfont is NULL.  0, or -1 with a message: a
 * note out of range (named by its place, counted from 1), a rate outside
 * WAV_MIN_RATE..WAV_MAX_RATE (FluidSynth's own range is narrower), a
 * rendering longer than SYNTH_MAX_SECONDS, no memory; with a SoundFont,
 * FluidSynth not installed (synth_fluidsynth's message), a file that
 * cannot be opened or that FluidSynth does not load, more than 15
 * distinct programs.  A program the SoundFont lacks is played with its
 * first preset.  Free out with synth_free. */
int synth_render(const synth_note *notes, size_t n_notes, int rate, const char *soundfont,
                 synth_audio *out, char *err);

/* Load FluidSynth if it is not yet loaded (see above): 0 when it is
 * there, or -1 with "FluidSynth (libfluidsynth.so.3) is not installed:
 * <the loader's reason>" (or "... cannot be used: it has no FUNCTION" for
 * a library without one this needs).  Safe from any thread; the answer
 * is the same for the whole process.  A caller that wants to fall back
 * to the built-in voices asks this first. */
int synth_fluidsynth(char *err);

/* The first readable General MIDI SoundFont in the places Debian's
 * packages put them, in this order, or NULL when there is none:
 *   /usr/share/sounds/sf2/default-GM.sf2  the system's choice (alternatives)
 *   /usr/share/sounds/sf2/FluidR3_GM.sf2  fluid-soundfont-gm
 *   /usr/share/sounds/sf2/TimGM6mb.sf2    timgm6mb-soundfont
 *   /usr/share/sounds/sf3/default-GM.sf3  the system's choice (alternatives)
 *   /usr/share/sounds/sf3/MuseScore_General.sf3
 *                                         musescore-general-soundfont-small
 * Debian's libfluidsynth3 depends on timgm6mb-soundfont or another
 * sf3-soundfont-gm, so wherever seqtool is built from Debian's packages
 * one is found.  The string is static. */
const char *synth_find_soundfont(void);

/* Write a rendering as a 16-bit mono WAV file at its rate (wav_write:
 * atomically).  0, or -1 with a message. */
int synth_write_wav(const char *path, const synth_audio *a, char *err);

void synth_free(synth_audio *a);

#endif
