/* speech — what `seqtool trigger voices` says and how, without saying it:
 * the near-miss words of a wake word, general words and sentences for
 * negatives, the plan of one render (engine, voice, speed, pitch, sox
 * effects) drawn from a seeded generator, and the clean-up of a render
 * (silence trimmed, peak set).  The face runs the engines. */
#ifndef SEQTOOL_SPEECH_H
#define SEQTOOL_SPEECH_H

#include <stddef.h>

#include "rng.h"

enum { SPEECH_ESPEAK = 1, SPEECH_FLITE = 2 }; /* engine bits */

#define SPEECH_TEXT_MAX 256
#define SPEECH_NEAR_MAX 40

typedef struct {
    int engine;                 /* SPEECH_ESPEAK or SPEECH_FLITE */
    char voice[48];             /* espeak-ng "en-us+f3"; flite "slt" */
    int speed;                  /* espeak-ng: words per minute; flite: duration stretch in % */
    int pitch;                  /* espeak-ng: 0-99; flite: target f0 mean in Hz (0: the voice's own) */
    /* sox effects after the engine (none when all are neutral) */
    int shift_cents;            /* pitch shift, 0 none */
    int tempo_pct;              /* tempo, 100 none */
    int reverb_pct;             /* reverberance, 0 none */
    int band;                   /* 0 none, 1 telephone (300-3400 Hz), 2 muffled (lowpass 3 kHz) */
} speech_plan;

/* A plan drawn from r: engines is a mask of the engines to choose from
 * (espeak-ng three times in five when both), effects 0 for none. */
void speech_draw(rng *r, int engines, int effects, speech_plan *p);

/* 1 when the plan asks sox for anything. */
int speech_has_effects(const speech_plan *p);

/* The sox effect arguments of p into argv (room for 16), NULL-ended, with
 * their text in buf (room for 256 bytes); returns their count. */
int speech_effect_args(const speech_plan *p, char **argv, char *buf);

/* A one-line description of the plan ("espeak-ng en-us+f3 speed 160
 * pitch 40 | pitch -120 tempo 1.05"), into out[n]. */
void speech_describe(const speech_plan *p, char *out, size_t n);

/* The built-in word list (general English words, a few hundred) and
 * sentences, for negatives and near-miss guesses. */
extern const char *const speech_words[];
extern const int speech_nwords;
extern const char *const speech_sentences[];
extern const int speech_nsentences;

/* Near-miss words of the wake word: for "activate" the built-in list;
 * for any other word, those of speech_words that share its first three
 * letters or its last three, or lie within a Levenshtein distance of a
 * third of its length, closest first (by distance, then by shared
 * letters at either end), never the word itself or a word that contains
 * it; then the first two thirds and the last two thirds of the word
 * (when it has five letters or more: "compu", "puter").  For a phrase,
 * those of each of its words.  At most max (<= SPEECH_NEAR_MAX) pointers
 * into static strings (valid until the next call); returns their count. */
int speech_near_words(const char *wake, const char **out, int max);

/* 1 when text contains the wake word or phrase (ASCII case ignored), as
 * part of a word too: such text is never a negative. */
int speech_contains(const char *text, const char *wake);

/* Trim a render: drop leading and trailing 10 ms blocks quieter than
 * 40 dB under its loudest block (keeping 30 ms of margin), then scale it
 * so its peak is peak.  Works in place on x[*n] (moved to the front);
 * returns 0, or -1 when the render is silent. */
int speech_trim(float *x, size_t *n, int rate, float peak);

#endif
