/* melody — the jazz melody model: note events (events.h) through
 * embeddings, a stack of LSTMs and three softmax heads, one per part of
 * a note, each conditioned on what is known when it is drawn.
 *
 * For note i with classes (rest, pitch, dur, pos, root, qual):
 *   x_i  = [E_rest(rest), E_pitch(pitch), E_dur(dur), E_pos(pos),
 *           E_root(root), E_qual(qual)] of note i-1 (all zero before the
 *           first note of a melody: the start token)
 *   h_i  = LSTM stack (L layers of H, dropout on each layer's output while
 *          training) over x_1..x_i
 *   p(rest_i)  = softmax(W_r h_i + b_r)                        34 classes
 *   z_i  = [h_i, E_root(root_i), E_qual(qual_i), E_pos(pos_i)]: the chord
 *          in force at the onset and the onset's place in the bar, known
 *          once rest_i is drawn
 *   p(pitch_i) = softmax(W_p z_i + b_p + C[qual_i][(p - root_i) mod 12])
 *                                                               128 classes
 *          C, the chord-tone bias (config.chord_tones), is a learned score
 *          for each interval above the root under each quality (none
 *          without a chord): what a pitch is relative to the chord.
 *   p(dur_i)   = softmax(W_d [z_i, E_pitch(pitch_i)] + b_d)     33 classes
 * The tables E are shared between the inputs and the heads.  The NLL of a
 * note is the sum of the three heads' NLL; bits per note = NLL / ln 2 /
 * notes.  In training every head is teacher-forced with the true classes.
 *
 * Batches: B windows of up to T notes, laid out [T][B] (time outermost,
 * as the cells want); a shorter window is right-padded, and padding
 * changes neither the states of the real steps nor the loss.  Windows
 * start from a zero state.
 *
 * Tensors (PyTorch's names and layouts): emb.{rest,pitch,dur,pos,root,
 * quality} [classes][dim]; lstm.weight_ih_l{k} [4H][in], lstm.weight_hh_l{k}
 * [4H][H], lstm.bias_ih_l{k} [4H] (gates i f g o); head.rest.{weight,bias},
 * head.pitch.{weight,bias}, head.pitch.chord_tone [14][12] (when on),
 * head.dur.{weight,bias}.
 */
#ifndef SEQTOOL_JAZZ_MELODY_H
#define SEQTOOL_JAZZ_MELODY_H

#include "cells.h"
#include "error.h"
#include "events.h"
#include "layers.h"
#include "model.h"
#include "params.h"
#include "rng.h"

#define JAZZ_MAX_LAYERS 8

/* The embedded fields, in the order of the input vector. */
enum { JAZZ_F_REST, JAZZ_F_PITCH, JAZZ_F_DUR, JAZZ_F_POS, JAZZ_F_ROOT, JAZZ_F_QUAL, JAZZ_FIELDS };

typedef struct {
    int hidden, layers;
    int emb[JAZZ_FIELDS];  /* embedding sizes, in field order */
    float dropout;         /* on each LSTM layer's output while training */
    int chord_tones;       /* 1: the pitch head's chord-tone bias */
} jazz_config;

/* The default model: H 256, L 2, embeddings rest 16, pitch 32, dur 16,
 * pos 16, root 8, quality 8, dropout 0.2, chord tones on. */
void jazz_config_default(jazz_config *c);
/* The course's size: one LSTM of 64 units, embeddings of 8 (pitch 16),
 * no dropout, chord tones on (the command trains it on 30-note windows
 * of one file). */
void jazz_config_course(jazz_config *c);

/* Negative log-likelihoods, in nats, summed over notes. */
typedef struct {
    double rest, pitch, dur;
    long notes;
} jazz_nll;

/* (rest + pitch + dur) / ln 2 / notes; 0 with no notes. */
double jazz_bits_per_note(const jazz_nll *n);

typedef struct {
    jazz_config cfg;
    int I, Z, ZD;          /* input, pitch-head and dur-head widths */
    params ps;
    embedding emb[JAZZ_FIELDS];
    cell layer[JAZZ_MAX_LAYERS];
    dense head_rest, head_pitch, head_dur;
    int chord_tone;        /* tensor index, or -1 */
    /* workspace, sized by jazz_model_reserve */
    int T, B;
    cell_cache cache[JAZZ_MAX_LAYERS];
    mat_packed whh[JAZZ_MAX_LAYERS]; /* W_hh packed during a forward pass */
    mat_packed wih[JAZZ_MAX_LAYERS]; /* W_ih the same */
    int *in[JAZZ_FIELDS];  /* [T][B] classes of the input note, -1 = none */
    int *out[JAZZ_FIELDS]; /* [T][B] classes of the target note, -1 = padding */
    float *mask;           /* [T][B] 1 real, 0 padding */
    float *x, *dx;         /* [T][B][I] */
    float *z, *dz;         /* [T][B][Z] */
    float *zd, *dzd;       /* [T][B][ZD] */
    float *logit_rest, *logit_pitch, *logit_dur; /* [T][B][classes] */
    float *dh, *dh2;       /* [T][B][H] */
    int dropping;          /* the last forward pass applied dropout */
    float *drop[JAZZ_MAX_LAYERS], *dmask[JAZZ_MAX_LAYERS]; /* [T][B][H] */
    float *state_h[JAZZ_MAX_LAYERS], *state_c[JAZZ_MAX_LAYERS]; /* [B][H] */
} jazz_model;

/* Register and allocate the parameters (zero); 0, or -1 with a message
 * (a size out of range, out of memory). */
int jazz_model_init(jazz_model *m, const jazz_config *c, char *err);
void jazz_model_free(jazz_model *m);
/* Initial weights from r: embeddings N(0, 1), every LSTM and dense layer
 * PyTorch's default, chord-tone bias zero. */
void jazz_model_init_weights(jazz_model *m, rng *r);
/* Size the workspace for T steps of B windows (grows only); 0 or -1. */
int jazz_model_reserve(jazz_model *m, int T, int B);

/* Row b of a [T][B] batch: the targets are ev[start .. start+n) (n <= T),
 * each step's input the note before it (the start token before ev[0]);
 * steps n .. T-1 are padding.  Pitches and roots are transposed by shift
 * semitones on the way in (every pitch must stay within 0..127: see
 * jazz_shift_draw). */
void jazz_model_set_row(jazz_model *m, int T, int B, int b, const jazz_event *ev, int start,
                        int n, int shift);

/* Forward over the batch: the three heads' logits.  With r (training),
 * dropout is drawn from r; with NULL, none. */
void jazz_model_forward(jazz_model *m, int T, int B, rng *r);
/* After jazz_model_forward: the NLL of the batch's real notes into *nll,
 * and the gradients of scale * (total NLL) accumulated into m->ps.grad
 * (scale 1 / notes for the mean per note). */
void jazz_model_backward(jazz_model *m, int T, int B, float scale, jazz_nll *nll);
/* After jazz_model_forward: the NLL only (no gradient); with b >= 0 of
 * row b alone, with b < 0 of the whole batch. */
void jazz_model_nll(jazz_model *m, int T, int B, int b, jazz_nll *nll);

/* Held-out NLL of a whole melody's n events, no dropout, no gradient.
 * window 0: one sequence from the melody's start, the state carried
 * through (run in chunks of the reserved T; the numbers are those of one
 * pass).  window W > 0: as training sees it, windows of W notes each from
 * a zero state, whose first input is the note before the window.
 * 0, or -1 when out of memory. */
int jazz_model_score(jazz_model *m, const jazz_event *ev, int n, int window, jazz_nll *nll);

typedef struct {
    float temperature;  /* logits / temperature; <= 0 takes the most
                         * probable class (argmax, lowest index on ties) */
    float top_p;        /* nucleus: draw among the most probable classes
                         * whose mass first reaches top_p; >= 1 all */
    int start;          /* grid step the melody starts at */
    int end;            /* grid step no onset may reach */
} jazz_sample_opts;

/* Improvise over the timeline tl: the np primer notes (sorted, onsets at
 * or after o->start) are read first, as the start of the melody, then
 * notes are drawn one by one (rest; then, at the onset it gives, pitch
 * over the chord and position there; then duration) until an onset would
 * reach o->end or max_out notes are drawn.  A last note is cut to end at
 * o->end.  Every draw comes from r: the same seed gives the same notes.
 * Writes the new notes (not the primer) to out and returns their count,
 * or -1 with a message in err (a bad timeline or primer, out of memory). */
int jazz_model_sample(jazz_model *m, rng *r, const jazz_timeline *tl, const jazz_note *primer,
                      int np, const jazz_sample_opts *o, jazz_note *out, int max_out, char *err);

/* Model files (kind "jazz"): metadata jazz.hidden, jazz.layers, jazz.emb
 * (six sizes in field order), jazz.dropout, jazz.chord_tones, and the
 * tables the model was made with (jazz.grid, jazz.rest_steps,
 * jazz.dur_steps, jazz.pitches, jazz.positions, jazz.qualities), then
 * every tensor.  jazz_model_save_to adds these to a file the caller
 * completes with its own metadata (training data, steps, seed, ...) and
 * writes; jazz_model_load builds m from an open file and refuses one made
 * with other class tables; jazz_model_open opens path as a jazz model
 * (refusing any other kind by name) and loads it.  0, or -1 with err. */
int jazz_model_save_to(const jazz_model *m, model_out *out);
int jazz_model_load(jazz_model *m, const model_in *f, char *err);
int jazz_model_open(jazz_model *m, const char *path, char *err);

#endif
