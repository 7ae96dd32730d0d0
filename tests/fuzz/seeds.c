/* seeds — the fuzzers' starting inputs that are binary or made by the
 * project's own writers: `seeds DIR` writes DIR/model (a small model of
 * every kind, and word vectors in their safetensors form), DIR/vectors
 * (the same words in every vector format), DIR/wav (short WAV, AIFF, AU
 * and FLAC files), DIR/raw (raw PCM) and DIR/midi (a format 1 file with a
 * tempo, a meter and notes on two tracks).  The text seeds (CSV, lines,
 * dates, chords) are small files committed in tests/fuzz/seeds/. */
#include "fuzz.h"

#include <errno.h>
#include <math.h>
#include <sndfile.h>
#include <string.h>
#include <sys/stat.h>

#include "midi.h"
#include "tiny_models.h"
#include "wav.h"

static char dir[3000];

static const char *at(const char *sub, const char *name)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, sub);
    if (mkdir(path, 0755) < 0 && errno != EEXIST) {
        perror(path);
        exit(1);
    }
    snprintf(path, sizeof path, "%s/%s/%s", dir, sub, name);
    return path;
}

static void must(int rc, const char *what, const char *err)
{
    if (rc < 0) {
        fprintf(stderr, "seeds: %s: %s\n", what, err);
        exit(1);
    }
}

static int make_emojify_v1(const char *path, char *err) { return tiny_emojify(path, EMO_V1, err); }
static int make_emojify_v2(const char *path, char *err) { return tiny_emojify(path, EMO_V2, err); }

static void models(void)
{
    char err[ERR_MAX] = "";
    static const struct {
        const char *name;
        int (*make)(const char *, char *);
    } kinds[] = {
        {"dinos.safetensors", tiny_dinos},     {"emojify-v1.safetensors", make_emojify_v1},
        {"emojify-v2.safetensors", make_emojify_v2}, {"nmt.safetensors", tiny_nmt},
        {"jazz.safetensors", tiny_jazz},       {"trigger.safetensors", tiny_trigger},
    };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        must(kinds[i].make(at("model", kinds[i].name), err), kinds[i].name, err);
    must(tiny_vectors(at("model", "vectors.safetensors"), VEC_SAFETENSORS, 0, err), "vectors", err);
}

static void vector_files(void)
{
    char err[ERR_MAX] = "";
    must(tiny_vectors(at("vectors", "glove.txt"), VEC_GLOVE, 0, err), "glove", err);
    must(tiny_vectors(at("vectors", "fasttext.vec"), VEC_WORD2VEC, 0, err), "word2vec", err);
    must(tiny_vectors(at("vectors", "word2vec.bin"), VEC_WORD2VEC_BIN, 0, err), "word2vec-bin", err);
    must(tiny_vectors(at("vectors", "vectors.safetensors"), VEC_SAFETENSORS, 0, err), "safetensors", err);
    must(tiny_vectors(at("vectors", "vectors8.safetensors"), VEC_SAFETENSORS, 1, err), "8-bit", err);
}

/* 50 ms of a chord in format (a libsndfile SF_FORMAT_*), channels, rate. */
static void audio_file(const char *name, int format, int channels, int rate)
{
    SF_INFO info = {0, rate, channels, format, 0, 0};
    const char *path = at("wav", name);
    SNDFILE *f = sf_open(path, SFM_WRITE, &info);
    if (!f) {
        fprintf(stderr, "seeds: %s: %s\n", path, sf_strerror(NULL));
        exit(1);
    }
    int frames = rate / 20;
    for (int i = 0; i < frames; i++) {
        float x[2];
        for (int c = 0; c < channels; c++)
            x[c] = 0.3f * sinf(6.2831853f * 440.0f * (float)(c + 1) * (float)i / (float)rate);
        sf_writef_float(f, x, 1);
    }
    sf_close(f);
}

static void audio(void)
{
    char err[ERR_MAX] = "";
    float x[800];
    for (int i = 0; i < 800; i++)
        x[i] = 0.5f * sinf(0.2f * (float)i);
    must(wav_write(at("wav", "mono16k.wav"), x, 800, 16000, err), "wav", err);
    audio_file("stereo44k.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT, 2, 44100);
    audio_file("mono8k.aiff", SF_FORMAT_AIFF | SF_FORMAT_PCM_16, 1, 8000);
    audio_file("mono8k.au", SF_FORMAT_AU | SF_FORMAT_ULAW, 1, 8000);
    audio_file("stereo22k.flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 2, 22050);
    FILE *f = fopen(at("raw", "raw.pcm"), "wb");
    for (int i = 0; f && i < 400; i++) {
        short s = (short)(10000 * sin(0.1 * i));
        fwrite(&s, 2, 1, f);
    }
    if (f)
        fclose(f);
}

static void midi(void)
{
    char err[ERR_MAX] = "";
    midi_file f;
    must(midi_init(&f, 1, 480, err), "midi", err);
    must(midi_add_track(&f, "meta", err), "midi", err);
    midi_event tempo = {0, 600000, MIDI_TEMPO, 0, {0, 0}};
    midi_event meter = {0, 24 | 8 << 8, MIDI_TIME_SIGNATURE, 0, {3, 2}};
    must(midi_append(&f, 0, &tempo, err), "midi", err);
    must(midi_append(&f, 0, &meter, err), "midi", err);
    must(midi_add_track(&f, "solo", err), "midi", err);
    must(midi_add_track(&f, "comp", err), "midi", err);
    for (int i = 0; i < 8; i++) {
        midi_event on = {i * 240, 0, MIDI_NOTE_ON, 0, {(uint8_t)(60 + i), 90}};
        midi_event off = {i * 240 + 200, 0, MIDI_NOTE_OFF, 0, {(uint8_t)(60 + i), 0}};
        midi_event low = {i * 480, 0, MIDI_NOTE_ON, 1, {48, 70}};
        midi_event lowoff = {i * 480 + 400, 0, MIDI_NOTE_OFF, 1, {48, 0}};
        must(midi_append(&f, 1, &on, err), "midi", err);
        must(midi_append(&f, 1, &off, err), "midi", err);
        if (i % 2 == 0) {
            must(midi_append(&f, 2, &low, err), "midi", err);
            must(midi_append(&f, 2, &lowoff, err), "midi", err);
        }
    }
    must(midi_update_maps(&f, err), "midi", err);
    must(midi_save(&f, at("midi", "two-tracks.mid"), 1, err), "midi", err);
    midi_free(&f);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: seeds DIR\n");
        return 2;
    }
    snprintf(dir, sizeof dir, "%s", argv[1]);
    if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
        perror(dir);
        return 1;
    }
    models();
    vector_files();
    audio();
    midi();
    return 0;
}
