/* fuzz_model — the safetensors reader (core/model.c) and every command's
 * model loader behind it: the bytes are opened as a model file (without
 * the CRC check, which would stop almost every mutation, and then with
 * it), its tensors listed as `info` does, and the loader of the kind its
 * metadata names run on it: dinos, emojify, nmt, jazz, trigger.  A model
 * that loads is then used once, as its command would: a name sampled, a
 * sentence classified, a date translated, two bars improvised, silence
 * listened to. */
#include "fuzz.h"

#include <string.h>

#include "charlm.h"
#include "emo_model.h"
#include "melody.h"
#include "model.h"
#include "rng.h"
#include "seq2seq.h"
#include "text.h"
#include "wakemodel.h"

/* What `info` reads: every tensor's name, type and shape. */
static void list_tensors(const model_in *f)
{
    const char *name, *dtype;
    long long shape[4];
    for (int i = 0; model_in_tensor_at(f, i, &name, &dtype, shape, 4) >= 0; i++)
        if (!name || !dtype)
            abort();
}

static void use_dinos(const model_in *f, char *err)
{
    charlm m;
    vocab v;
    long keep;
    memset(&m, 0, sizeof m);
    if (charlm_load(&m, &v, f, err) == 0 && model_in_meta_int(f, "dinos.keep_case", 0, 1, &keep, err) == 0 &&
        charlm_reserve(&m, 33, 1) == 0) {
        rng r;
        rng_seed(&r, 1);
        int out[33];
        charlm_sample(&m, &r, 1.0f, NULL, 0, 32, out);
    }
    charlm_free(&m);
}

static void use_emojify(const model_in *f, char *err)
{
    emo_model m;
    if (emo_load(&m, f, err) < 0)
        return;
    int ids[3] = {0, EMO_UNKNOWN, (int)(m.nkeep > 1 ? 1 : 0)};
    emo_sentence s = {ids, m.nkeep > 0 ? 3 : 1};
    if (m.nkeep == 0)
        ids[0] = EMO_UNKNOWN;
    float probs[EMO_MAX_CLASSES];
    emo_predict(&m, 1, &s, probs);
    emo_free(&m);
}

static void use_nmt(const model_in *f, char *err)
{
    nmt_model m;
    memset(&m, 0, sizeof m);
    if (nmt_load(&m, f, err) == 0 && nmt_reserve(&m, 1) == 0) {
        int *ids = malloc((size_t)m.Tx * sizeof *ids);
        float logp[NMT_TY * NMT_NOUT];
        char iso[NMT_TY + 1];
        double lp;
        size_t dropped;
        if (!ids)
            abort();
        nmt_encode(&m, "3 May 1979", 10, 0, ids, &dropped);
        nmt_set_row(&m, 0, 1, ids, NULL);
        nmt_forward(&m, 1);
        nmt_log_probs(&m, 1, 0, logp);
        nmt_best_valid(logp, 3, iso, &lp);
        free(ids);
    }
    nmt_free(&m);
}

/* Two bars over C7, as generate improvises. */
static void use_jazz(const model_in *f, char *err)
{
    jazz_model m;
    if (jazz_model_load(&m, f, err) < 0)
        return;
    jazz_chord chord = {0, 0, 2};
    jazz_timeline tl = {4, 0, NULL, 1, &chord};
    jazz_sample_opts o = {1.0f, 0.9f, 0, 2 * 4 * JAZZ_GRID};
    jazz_note out[64];
    rng r;
    rng_seed(&r, 1);
    jazz_model_sample(&m, &r, &tl, NULL, 0, &o, out, 64, err);
    jazz_model_free(&m);
}

/* 48 frames of silence through the network, whole (eval) and frame by
 * frame (detect). */
static void use_trigger(const model_in *f, char *err)
{
    wakemodel m;
    if (wakemodel_from(&m, f, err) < 0)
        return;
    enum { T = 48 };
    for (int i = 0; i < m.members; i++) { /* each network of an ensemble */
        wakenet *w = &m.net[i];
        wakenet_work k;
        memset(&k, 0, sizeof k);
        if (wakenet_out_len(w, T) > 0 && wakenet_work_reserve(&k, w, T, 1) == 0) {
            memset(k.act[0], 0, (size_t)T * (size_t)w->bins * sizeof(float));
            wakenet_forward(w, &k, T, 1, 0, NULL);
        }
        wakenet_work_free(&k);
        wakenet_stream s;
        float *frame = calloc((size_t)w->bins, sizeof *frame), logit;
        if (frame && wakenet_stream_init(&s, w) == 0) {
            for (int t = 0; t < T; t++)
                wakenet_stream_push(&s, frame, &logit);
            wakenet_stream_free(&s);
        }
        free(frame);
    }
    wakemodel_free(&m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64], err[ERR_MAX];
    fuzz_file(data, size, path);
    model_in f;
    if (model_in_map(&f, path, NULL, 0, err) < 0)
        return 0;
    list_tensors(&f);
    const char *kind = model_in_meta(&f, "seqtool.kind");
    static const struct {
        const char *kind;
        void (*use)(const model_in *, char *);
    } loaders[] = {
        {"dinos", use_dinos}, {"emojify", use_emojify}, {"nmt", use_nmt}, {"jazz", use_jazz}, {"trigger", use_trigger},
    };
    for (size_t i = 0; kind && i < sizeof loaders / sizeof loaders[0]; i++)
        if (strcmp(kind, loaders[i].kind) == 0)
            loaders[i].use(&f, err);
    model_in_close(&f);
    if (model_in_open(&f, path, NULL, err) == 0)
        model_in_close(&f);
    return 0;
}
