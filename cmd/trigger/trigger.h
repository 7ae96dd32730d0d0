/* trigger — what the actions of `seqtool trigger` share: the options,
 * audio files read or die, folders of clips.  trigger.c holds the tables
 * and these shared parts; the actions are in trigger_spectrogram.c (with
 * the pictures of trigger_image.c), trigger_voices.c and trigger_synth.c.
 * What does no terminal I/O lives in model files: the word lists and the
 * render plans of voices (speech.c), the making of one training clip
 * (compose.c). */
#ifndef SEQTOOL_TRIGGER_H
#define SEQTOOL_TRIGGER_H

#include "cli.h"
#include "spec.h"
#include "text.h"
#include "wav.h"

/* Every option of every action; each action reads its own. */
typedef struct {
    const char *action;
    unsigned long long seed;
    int json, quiet, threads;
    const char *output;           /* -o */
    /* spectrogram */
    spec_kind front;
    const char *format;           /* pgm, png, svg; NULL: from -o */
    double range_db;
    /* voices */
    const char *near;             /* comma-separated near-miss words, or NULL */
    long renders, negatives, backgrounds;
    const char *engines;          /* comma-separated */
    int no_effects;
    /* voices, synth */
    int rate;
    /* synth */
    long count;
    double seconds;
    int max_positives, max_negatives;
    /* train */
    const char *arch;             /* "course", "small" or a description */
    const char *word;
    int epochs, batch;
    double lr, val;
    int augment;
    /* train (recorded), detect and eval (overriding the model's) */
    double threshold, refractory; /* < 0: the model's */
    /* detect, eval */
    const char *model;            /* -m; NULL: the default model */
    int raw, channels, raw_rate;
    const char *chime;
    int scores;                   /* detect: print every step's score */
    double window;                /* eval: seconds after a word's end that a detection still hits */
} trigger_options;

/* The actions: opts is a trigger_options, argv[0..argc) the operands. */
int trigger_spectrogram(void *opts, int argc, char **argv);
int trigger_synth(void *opts, int argc, char **argv);
int trigger_voices(void *opts, int argc, char **argv);
int trigger_train(void *opts, int argc, char **argv);
int trigger_detect(void *opts, int argc, char **argv);
int trigger_eval(void *opts, int argc, char **argv);
int trigger_info(void *opts, int argc, char **argv);

/* The model detect and eval use without -m: $SEQTOOL_TRIGGER_MODEL, else
 * the shipped datasets/trigger/activate.safetensors beside the binary (or
 * up to two folders above it, for build trees), else the installed copy. */
const char *trigger_default_model(void);

/* The audio of path ("-": standard input) as mono at rate Hz, or die
 * with the reader's one-line message. */
void trigger_read_audio(const char *path, int rate, wav_audio *out);

/* The audio files of folder dir (names ending in .wav, .flac, .ogg,
 * .mp3 or .aiff, any case), sorted by name, as paths "dir/name"; dies when
 * the folder cannot be read.  what names the folder in messages
 * ("positives"). */
void trigger_list_audio(const char *dir, const char *what, text_lines *out);

/* Make folder path (and its parents) unless it exists, or die. */
void trigger_make_dir(const char *path);

/* path/name in a new string, or die. */
char *trigger_join(const char *path, const char *name);

#endif
