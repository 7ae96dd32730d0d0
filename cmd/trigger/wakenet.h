/* wakenet — the trigger model: a stack of layers over spectrogram frames
 * that gives one wake-word score per output step, described by a short
 * text so that a model file says what it holds:
 *
 *   conv:OUT:KERNEL:STRIDE[:causal]   Conv1D over time (valid, or causal:
 *                                     kernel - 1 zero frames in front)
 *   bn                                batch normalization (Keras' momentum
 *                                     0.99 and epsilon 1e-3)
 *   relu
 *   drop:P                            dropout of rate P (training only)
 *   gru:H                             GRU (PyTorch's form, two biases)
 *   dense                             time-distributed Dense(1); last
 *
 * The output is the logit of each step; its sigmoid is the score.  Every
 * layer is causal (a valid convolution looks back only), so the model runs
 * on frames as they come (wakenet_stream: blocks of any size, one frame
 * included, give the same bits) as well as on whole clips
 * (wakenet_forward, for training).
 *
 * Shapes: a batch of clips is time-major, x [T][B][F] (F the front end's
 * bins), as core/cells wants it; each layer's output is [T_i][B][C_i].
 * Nothing here prints. */
#ifndef SEQTOOL_WAKENET_H
#define SEQTOOL_WAKENET_H

#include "cells.h"
#include "error.h"
#include "layers.h"
#include "params.h"
#include "rng.h"
#include "spec.h"

#define WAKENET_MAX_LAYERS 24
#define WAKENET_ARCH_MAX 512
/* The largest model a description may make (64 Mi weights, 256 MB), so
 * that a damaged file cannot make us allocate gigabytes. */
#define WAKENET_MAX_WEIGHTS (64 << 20)
/* Networks of one description whose scores an ensemble averages
 * (wakemodel.h, listen.h). */
#define WAKENET_MEMBERS_MAX 8

/* The course's network: Conv1D(196, 15, stride 4) on the course's
 * spectrogram, BN, ReLU, dropout, GRU(128), dropout, BN, GRU(128),
 * dropout, BN, dropout, Dense(1); dropout 0.8 as the course has it. */
#define WAKENET_COURSE "conv:196:15:4,bn,relu,drop:0.8,gru:128,drop:0.8,bn,gru:128,drop:0.8,bn,drop:0.8,dense"
/* The default: small and causal, for 16 kHz log-mel features (see the
 * man page for how it was chosen). */
#define WAKENET_SMALL "conv:64:3:1:causal,bn,relu,conv:64:3:2:causal,bn,relu,gru:96,dense"

typedef enum { WN_CONV, WN_BN, WN_RELU, WN_DROPOUT, WN_GRU, WN_DENSE } wakenet_kind;

typedef struct {
    wakenet_kind kind;
    int in, out;                  /* channels in and out */
    int kernel, stride, pad;      /* conv */
    float p;                      /* dropout rate */
    conv1d conv;
    batchnorm bn;
    cell gru;
    dense fc;
} wakenet_layer;

typedef struct {
    char arch[WAKENET_ARCH_MAX];  /* the description it was made from */
    spec_kind front;
    int bins;                     /* input channels: spec_bins(front) */
    int n;
    wakenet_layer layer[WAKENET_MAX_LAYERS];
    params ps;                    /* trained tensors */
    params stats;                 /* batch norms' running statistics */
} wakenet;

/* Build the model of description arch on front end front: its layers
 * registered, its tensors allocated (zero).  0, or -1 with a message (a
 * description that does not parse or does not end in dense, out of
 * memory, more than WAKENET_MAX_WEIGHTS weights). */
int wakenet_init(wakenet *w, const char *arch, spec_kind front, char *err);
/* The same with a lower limit on the weights, checked before anything is
 * allocated for them: a model file's loader passes what the file holds. */
int wakenet_init_max(wakenet *w, const char *arch, spec_kind front, size_t max_weights, char *err);
/* PyTorch's default initial weights (batch norms: 1, 0; statistics 0, 1). */
void wakenet_init_weights(wakenet *w, rng *r);
void wakenet_free(wakenet *w);

/* Weights in the whole model (trained and running statistics). */
size_t wakenet_size(const wakenet *w);

/* Output steps for T input frames. */
int wakenet_out_len(const wakenet *w, int T);
/* The input frame whose arrival completes output step t (the last frame
 * that step sees). */
long wakenet_last_frame(const wakenet *w, long t);

/* ---- whole clips ---- */

typedef struct {
    int T, B;                               /* capacity */
    int len[WAKENET_MAX_LAYERS + 1];        /* steps at each layer's input (len[n]: output) */
    float *act[WAKENET_MAX_LAYERS + 1];     /* act[0] the input [T][B][bins]; act[i+1] layer i's output */
    float *grad[WAKENET_MAX_LAYERS + 1];    /* their gradients (grad[0] unused) */
    float *mask[WAKENET_MAX_LAYERS];        /* dropout masks */
    conv1d_work cw[WAKENET_MAX_LAYERS];
    batchnorm_cache bc[WAKENET_MAX_LAYERS];
    cell_cache cc[WAKENET_MAX_LAYERS];
} wakenet_work;

/* Room for batches of B clips of up to T frames; 0 or -1. */
int wakenet_work_reserve(wakenet_work *k, const wakenet *w, int T, int B);
void wakenet_work_free(wakenet_work *k);

/* The logits [T'][B] of k->act[0] [T][B][bins] into k->act[w->n] (the
 * returned pointer).  train: batch statistics (updating the running ones)
 * and dropout drawn from r; else the running statistics and no dropout.
 * NULL when training with a batch norm over fewer than 2 rows. */
float *wakenet_forward(wakenet *w, wakenet_work *k, int T, int B, int train, rng *r);

/* After a training forward of the same T and B, with dlogits [T'][B] in
 * k->grad[w->n]: accumulate the gradient of every tensor. */
void wakenet_backward(wakenet *w, wakenet_work *k, int T, int B);

/* ---- streams: frames as they come ---- */

/* Frames a stream takes in one wakenet_stream_run (more are split). */
#define WAKENET_STREAM_BLOCK 64

typedef struct {
    const wakenet *w;
    long steps;                             /* output steps since the reset */
    conv1d_stream cs[WAKENET_MAX_LAYERS];
    batchnorm_cache bc[WAKENET_MAX_LAYERS];
    cell_cache cc[WAKENET_MAX_LAYERS];
    mat_packed whh[WAKENET_MAX_LAYERS], wih[WAKENET_MAX_LAYERS];
    float *buf[WAKENET_MAX_LAYERS + 1];     /* a block's values at each layer [rows][C] */
    int started[WAKENET_MAX_LAYERS];        /* a GRU has stepped since the reset */
} wakenet_stream;

/* A stream over w (whose weights must not change while it is used).
 * 0 or -1 (out of memory). */
int wakenet_stream_init(wakenet_stream *s, const wakenet *w);
/* Back to the start of a new signal. */
void wakenet_stream_reset(wakenet_stream *s);
void wakenet_stream_free(wakenet_stream *s);
/* Push n input frames [n][bins]; writes the logits of the output steps
 * they complete to logits (room for n of them is enough) and returns how
 * many.  Each layer runs on the block at once (one product for the
 * convolution windows and one for a GRU's input projections; the
 * recurrence steps one at a time), with every row's bits those of one
 * frame at a time: the same logits however the frames are split. */
int wakenet_stream_run(wakenet_stream *s, const float *frames, int n, float *logits);
/* Push one input frame [bins]; 1 with the step's logit in *logit when an
 * output step is due, else 0. */
int wakenet_stream_push(wakenet_stream *s, const float *frame, float *logit);

#endif
