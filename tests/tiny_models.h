/* tiny_models — a small model file of every kind seqtool reads, written
 * through each command's own save path, for the tests of hostile input
 * (tests/test_hostile.c) and the fuzzers' seed corpora (tests/fuzz/seeds.c).
 * Each tiny_* writes path and returns 0, or -1 with a message in err. */
#ifndef SEQTOOL_TINY_MODELS_H
#define SEQTOOL_TINY_MODELS_H

#include <string.h>

#include "charlm.h"
#include "emo_model.h"
#include "melody.h"
#include "model.h"
#include "rng.h"
#include "seq2seq.h"
#include "text.h"
#include "vectors.h"
#include "wakemodel.h"

/* A finished model_out written to path (and freed); bad: a step failed. */
static int tiny_write(model_out *out, int bad, const char *path, char *err)
{
    int rc = !out || bad ? err_set(err, "out of memory") : model_out_write(out, path, err);
    model_out_free(out);
    return rc;
}

/* dinos: a 1-layer LSTM of 3 units over "\nab". */
static int tiny_dinos(const char *path, char *err)
{
    vocab v;
    charlm m;
    rng r;
    rng_seed(&r, 1);
    if (vocab_from_utf8(&v, "\nab") < 0 || charlm_init(&m, CELL_LSTM, v.n, 3, 1) < 0)
        return err_set(err, "out of memory");
    charlm_init_weights(&m, &r, 0.01f);
    model_out *out = model_out_new("dinos");
    int bad = !out || model_out_meta(out, "dinos.keep_case", "0") < 0 || charlm_save_to(&m, &v, out) < 0;
    int rc = tiny_write(out, bad, path, err);
    charlm_free(&m);
    return rc;
}

/* emojify: v2 (two LSTMs of 3 units) or v1 over 4-dimensional vectors, 3
 * classes, the words "hi" and "yo". */
static int tiny_emojify(const char *path, emo_kind kind, char *err)
{
    emo_model m;
    rng r;
    rng_seed(&r, 1);
    const float hi[4] = {0.5f, -0.25f, 1, 0}, yo[4] = {-1, 0.125f, 0, 2};
    if (emo_init(&m, kind, EMO_OOV_SKIP, 3, 4, 3) < 0 || emo_init_weights(&m, &r) < 0 ||
        emo_add_word(&m, "hi", 2, hi) != 0 || emo_add_word(&m, "yo", 2, yo) != 1) {
        emo_free(&m);
        return err_set(err, "out of memory");
    }
    m.nkeep = 2;
    m.pad_to = kind == EMO_V2 ? 4 : 0;
    model_out *out = model_out_new("emojify");
    int rc = tiny_write(out, !out || emo_save_to(&m, out) < 0, path, err);
    emo_free(&m);
    return rc;
}

/* nmt: the date translator with 3 encoder units, 4 decoder units. */
static int tiny_nmt(const char *path, char *err)
{
    nmt_model m;
    rng r;
    rng_seed(&r, 1);
    if (nmt_init(&m, "0123456789/ -abcdefghijklmnopqrstuvwxyz", 12, 3, 4, 3) < 0)
        return err_set(err, "out of memory");
    nmt_init_weights(&m, &r);
    model_out *out = model_out_new("nmt");
    int rc = tiny_write(out, !out || nmt_save_to(&m, out) < 0, path, err);
    nmt_free(&m);
    return rc;
}

/* jazz: one LSTM of 4 units, embeddings of 2, chord tones on. */
static int tiny_jazz(const char *path, char *err)
{
    jazz_config c = {4, 1, {2, 2, 2, 2, 2, 2}, 0.0f, 1};
    jazz_model m;
    rng r;
    rng_seed(&r, 1);
    if (jazz_model_init(&m, &c, err) < 0)
        return -1;
    jazz_model_init_weights(&m, &r);
    model_out *out = model_out_new("jazz");
    int rc = tiny_write(out, !out || jazz_model_save_to(&m, out) < 0, path, err);
    jazz_model_free(&m);
    return rc;
}

/* trigger: a causal convolution, a GRU of 3 units and the dense head. */
static int tiny_trigger(const char *path, char *err)
{
    wakemodel m;
    rng r;
    rng_seed(&r, 1);
    memset(&m, 0, sizeof m);
    if (wakenet_init(&m.net[0], "conv:4:3:2:causal,bn,relu,gru:3,dense", SPEC_LOGMEL, err) < 0)
        return -1;
    m.members = 1;
    wakenet_init_weights(&m.net[0], &r);
    strcpy(m.word, "activate");
    m.threshold = 0.5;
    m.refractory = 1;
    m.label_seconds = 0.5;
    int rc = wakemodel_save(&m, path, NULL, 0, err);
    wakemodel_free(&m);
    return rc;
}

/* Word vectors in format fmt (3 words of 4 values; int8: the 8-bit
 * safetensors form). */
static int tiny_vectors(const char *path, vec_format fmt, int int8, char *err)
{
    const char *words[3] = {"the", "king", "\xc3\xa9t\xc3\xa9"};
    const float data[12] = {0.5f, -1, 0.25f, 2, 1, 1, -0.5f, 0, -2, 0.125f, 3, 1};
    vectors v;
    if (vectors_build(&v, 3, 4, words, data, err) < 0)
        return -1;
    vec_save how = {.int8 = int8};
    int rc = vectors_save(&v, path, fmt, &how, err);
    vectors_free(&v);
    return rc;
}

#endif
