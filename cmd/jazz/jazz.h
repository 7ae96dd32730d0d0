/* jazz — what the actions of `seqtool jazz` share: the options, reading
 * solos (MIDI files, their chord sidecars, split lists) and chord
 * timelines.  jazz.c holds the tables and the readers; jazz_train.c
 * trains; jazz_generate.c improvises and writes MIDI; jazz_eval.c scores
 * held-out solos beside the n-gram baseline and draws piano rolls.  The
 * model is in melody.{c,h}, its events in events.{c,h}, the baseline in
 * ngram.{c,h}. */
#ifndef SEQTOOL_JAZZ_H
#define SEQTOOL_JAZZ_H

#include "checkpoint.h"
#include "chords.h"
#include "cli.h"
#include "events.h"
#include "melody.h"

#define JAZZ_DEFAULT_MODEL "jazz.safetensors"
#define JAZZ_SHIPPED_MODEL "jazz/wjazzd.safetensors"

typedef struct {
    const char *action;
    const char *model, *output, *list, *split, *wav, *chords, *chords_from, *primer, *soundfont;
    int course, hidden, layers, window, batch, transpose, track, channel, comp, json, quiet, threads;
    long epochs, bars;
    double lr, clip_norm, dropout, val, temperature, top_p, tempo;
    unsigned long long seed;
    ckpt_options ckpt;  /* train: --checkpoint-every, --resume */
} jazz_options;

/* A solo as the models read it: its melody on the grid, over its chords. */
typedef struct {
    char *path;
    jazz_melody mel;
    int ticks_per_quarter;
} jazz_solo;

/* A MIDI file's melody (track or channel, -1 for any: the skyline),
 * quantized to 12 steps a beat, its meter, and its chords from the
 * sidecar NAME.chords.tsv (beside the file, or in ../chords/ as the
 * corpus keeps them) when there is one.  Dies with one line on bad
 * input. */
void jazz_solo_load(jazz_solo *s, const char *path, int track, int channel);
void jazz_solo_free(jazz_solo *s);

/* Solos read and encoded, for training and scoring. */
typedef struct {
    int n;
    jazz_solo *solo;
    jazz_event **ev;  /* [n][notes] */
    long notes;
} jazz_set;

/* The n files' solos (o's --track and --channel), or die. */
void jazz_set_load(jazz_set *s, char **files, int n, const jazz_options *o);
void jazz_set_free(jazz_set *s);
/* Bits per note of a set under the model, each solo scored from its
 * start with the state carried; the NLL sums into *total when not NULL. */
double jazz_set_bits(jazz_model *m, const jazz_set *s, jazz_nll *total);

/* The files of one split ("train", "valid", "test") of a split list
 * (file<TAB>split<TAB>group, paths relative to the list's folder), or
 * die; *n is their count, the array and paths malloc'd. */
char **jazz_list_files(const char *list, const char *split, int *n);
void jazz_files_free(char **files, int n);

/* The chords of text ("Dm7 G7 | Cmaj7 | ...") as a timeline of grid
 * steps, or die naming a bad symbol (exit 1 naming source, the file the
 * text came from; exit 2 for --chords when source is NULL); returns the
 * form's length in steps. */
int jazz_chords_parse(const char *text, const char *source, int beats_per_bar, jazz_timeline *tl);
/* The timeline's chord in force at step t as a symbol ("" for none). */
const char *jazz_chord_symbol(const jazz_timeline *tl, int t, char *buf, size_t n);
/* The quality class of a parsed chord (a jazz_quality), -1 for none. */
int jazz_quality_of(const chord *c);

/* The model named by -m, the shipped one when -m is not given; dies. */
void jazz_open_model(const jazz_options *o, jazz_model *m);

int jazz_train(void *opts, int argc, char **argv);
int jazz_generate(void *opts, int argc, char **argv);
int jazz_eval(void *opts, int argc, char **argv);
int jazz_show(void *opts, int argc, char **argv);
int jazz_stats(void *opts, int argc, char **argv);
int jazz_info(void *opts, int argc, char **argv);

#endif
