/* trigger — what the actions of `seqtool trigger` share: the options,
 * audio files read or die, folders of clips.  trigger.c holds the tables
 * and these shared parts; the actions are in trigger_spectrogram.c (with
 * the pictures of trigger_image.c), trigger_voices.c, trigger_synth.c,
 * trigger_train.c, trigger_detect.c, trigger_eval.c and trigger_combine.c.
 * What does no terminal I/O lives in model files: the word lists and the
 * render plans of voices (speech.c), the making of one training clip
 * (compose.c). */
#ifndef SEQTOOL_TRIGGER_H
#define SEQTOOL_TRIGGER_H

#include "checkpoint.h"
#include "cli.h"
#include "spec.h"
#include "text.h"
#include "rng.h"
#include "wakenet.h"
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
    double vocode;              /* synth: share of the words vocoded */
    /* train */
    const char *arch;             /* "course", "small" or a description; NULL: small */
    const char *word;             /* NULL: activate */
    int epochs, batch;
    double lr, val;
    int augment, warp;
    const char *from;             /* --from: the model to start from */
    const char *negatives_dir;    /* --negatives DIR: mined false alarms */
    ckpt_options ckpt;            /* --checkpoint-every, --resume */
    /* train and combine (recorded), detect and eval (overriding the model's) */
    double threshold, refractory; /* < 0: the model's */
    /* detect, eval */
    const char *model;            /* -m; NULL: the default model */
    int raw, channels, raw_rate;
    const char *chime;
    int scores;                   /* detect: print every step's score */
    const char *clips;            /* detect --clips: where the cuts around detections go */
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
int trigger_combine(void *opts, int argc, char **argv);

/* train's clips (trigger_clips.c): every clip's features [n][T][bins]
 * and targets [n][ty] in memory, at the first clip's length (shorter
 * ones padded with silence, longer ones cut: counted in cut). */
typedef struct {
    int n, cap, T, ty, bins;
    size_t samples;               /* per clip, at the front end's rate */
    float *feat, *target;
    long words, cut;
    text_lines hosts;             /* the files of the clips without a wake word */
    int *host_clip;               /* and their indices */
} trigger_clips;

/* Every clip of the labels.tsv of each folder argv[0..argc), or die. */
void trigger_clips_load(int argc, char **argv, const wakenet *w, double label_seconds, trigger_clips *cs);

/* Mined false alarms as negatives: each audio file of dir is mixed, as
 * synth mixes other words, into TRIGGER_CLIPS_PER_NEGATIVE new clips (0 to
 * TRIGGER_NEGATIVES_PER_CLIP files a clip, at a random place, speed and
 * gain) whose background is a random clip without a wake word that is not
 * held out (held_out[clip] 0), or silence when there is none; their
 * targets are 0 throughout.  Returns the clips added; *cuts the files,
 * *skipped those as long as a clip.  Dies on bad audio. */
#define TRIGGER_CLIPS_PER_NEGATIVE 2
#define TRIGGER_NEGATIVES_PER_CLIP 3
int trigger_clips_negatives(trigger_clips *cs, const wakenet *w, const char *dir, const char *held_out, rng *r,
                            long *cuts, long *skipped);
void trigger_clips_free(trigger_clips *cs);

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
