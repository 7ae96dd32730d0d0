/* audiodump — the audio layer from the shell, for tests/cli/audio.sh.
 *
 *   audiodump read RATE PATH|- [OUT.f32]      wav_read; prints one line
 *                                             "n=N rate=R source_rate=S channels=C",
 *                                             writes the samples (float32) to OUT
 *   audiodump stream RATE PATH|- OUT.f32      the same through wav_stream
 *   audiodump raw RATE IN_RATE CHANNELS OUT.f32
 *                                             raw s16le from standard input
 *   audiodump features DIR [WAV]              a test signal and its two
 *                                             spectrograms (and WAV's, when
 *                                             given) for tests/spec_check.py
 *   audiodump bench SECONDS                   time spec_logmel on SECONDS of
 *                                             16 kHz audio (one core)
 *
 * Errors: one line on stderr, exit 1; usage errors exit 2. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rng.h"
#include "spec.h"
#include "wav.h"

static int fail(const char *err)
{
    fprintf(stderr, "audiodump: %s\n", err);
    return 1;
}

static int write_f32(const char *path, const float *x, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(x, sizeof(float), n, f) != n || fclose(f) != 0) {
        fprintf(stderr, "audiodump: cannot write '%s'\n", path);
        return -1;
    }
    return 0;
}

/* Sines, a chirp, white noise, a step and a stretch of digital silence:
 * every bin gets energy somewhere, and silence tests the floor. */
static void test_signal(float *x, size_t n, double rate, uint64_t seed)
{
    rng r;
    rng_seed(&r, seed);
    for (size_t i = 0; i < n; i++) {
        double t = (double)i / rate, v;
        size_t part = i * 5 / n;
        if (part == 0)
            v = 0.5 * sin(2 * M_PI * 440 * t) + 0.25 * sin(2 * M_PI * 3000.5 * t);
        else if (part == 1)
            v = 0.6 * sin(2 * M_PI * (100 + 2000 * t) * t);
        else if (part == 2)
            v = 0.3 * rng_normal(&r);
        else if (part == 3)
            v = i % 1000 < 500 ? 0.4 : -0.4;
        else
            v = i < n * 9 / 10 ? 0.0 : 0.1 * rng_normal(&r);
        x[i] = (float)v;
    }
}

static int dump_features(const char *dir, const char *name, const float *x, size_t n)
{
    char path[4096];
    spec_kind kinds[2] = {SPEC_COURSE, SPEC_LOGMEL};
    const char *kind_names[2] = {"course", "logmel"};
    char err[ERR_MAX];
    snprintf(path, sizeof path, "%s/%s.signal.f32", dir, name);
    if (write_f32(path, x, n) < 0)
        return -1;
    for (int k = 0; k < 2; k++) {
        size_t frames = spec_frames(kinds[k], n), bins = (size_t)spec_bins(kinds[k]);
        float *out = malloc(sizeof(float) * (frames * bins + 1));
        long got = !out ? -1 : kinds[k] == SPEC_COURSE ? spec_course(x, n, out, err) : spec_logmel(x, n, out, err);
        if (got < 0) {
            fail(out ? err : "out of memory");
            free(out);
            return -1;
        }
        snprintf(path, sizeof path, "%s/%s.%s.f32", dir, name, kind_names[k]);
        int rc = write_f32(path, out, frames * bins);
        free(out);
        if (rc < 0)
            return -1;
        printf("%s %s: %zu samples, %ld frames of %zu\n", name, kind_names[k], n, got, bins);
    }
    return 0;
}

static int features(const char *dir, const char *wav)
{
    size_t n = 441000; /* 10 s at 44.1 kHz, as the course's clips */
    float *x = malloc(sizeof(float) * n);
    if (!x)
        return fail("out of memory");
    test_signal(x, n, 44100, 1);
    int rc = dump_features(dir, "synthetic44k", x, n);
    test_signal(x, 160000, 16000, 2);
    rc |= dump_features(dir, "synthetic16k", x, 160000);
    free(x);
    if (rc == 0 && wav) {
        char err[ERR_MAX];
        int rates[2] = {44100, 16000};
        const char *names[2] = {"real44k", "real16k"};
        for (int i = 0; i < 2 && rc == 0; i++) {
            wav_audio a;
            if (wav_read(wav, rates[i], &a, err) < 0)
                return fail(err);
            rc = dump_features(dir, names[i], a.samples, a.n);
            wav_free(&a);
        }
    }
    return rc ? 1 : 0;
}

static int read_stream(wav_stream *s, const char *out_path, char *err)
{
    size_t cap = 1 << 16, n = 0;
    float *all = malloc(sizeof(float) * cap);
    const float *x;
    long got = 0;
    while (all && (got = wav_stream_read(s, &x, err)) > 0) {
        if (n + (size_t)got > cap) {
            float *b = realloc(all, sizeof(float) * (cap *= 2));
            if (!b)
                break;
            all = b;
        }
        memcpy(all + n, x, sizeof(float) * (size_t)got);
        n += (size_t)got;
    }
    const wav_info *in = wav_stream_info(s);
    int rc = got < 0 ? fail(err) : 0;
    if (rc == 0) {
        printf("n=%zu rate=%d source_rate=%d channels=%d\n", n, in->out_rate, in->rate, in->channels);
        rc = write_f32(out_path, all, n) < 0;
    }
    free(all);
    wav_stream_close(s);
    return rc;
}

static int bench(double seconds)
{
    size_t n = (size_t)(seconds * SPEC_LOGMEL_RATE);
    size_t frames = spec_frames(SPEC_LOGMEL, n);
    float *x = malloc(sizeof(float) * n), *out = malloc(sizeof(float) * (frames * SPEC_LOGMEL_BANDS + 1));
    if (!x || !out)
        return fail("out of memory");
    test_signal(x, n, SPEC_LOGMEL_RATE, 3);
    char err[ERR_MAX];
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    long got = spec_logmel(x, n, out, err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double dt = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    printf("log-mel of %.0f s of 16 kHz audio: %ld frames in %.3f s (%.0fx real time, %.2f us a frame)\n",
           seconds, got, dt, seconds / dt, 1e6 * dt / (double)got);
    free(x);
    free(out);
    return got < 0;
}

int main(int argc, char **argv)
{
    char err[ERR_MAX];
    if (argc >= 4 && strcmp(argv[1], "read") == 0) {
        wav_audio a;
        if (wav_read(argv[3], atoi(argv[2]), &a, err) < 0)
            return fail(err);
        printf("n=%zu rate=%d source_rate=%d channels=%d\n", a.n, a.rate, a.source_rate, a.source_channels);
        int rc = argc >= 5 && write_f32(argv[4], a.samples, a.n) < 0;
        wav_free(&a);
        return rc;
    }
    if (argc == 5 && strcmp(argv[1], "stream") == 0) {
        wav_stream *s = wav_stream_open(argv[3], atoi(argv[2]), err);
        return s ? read_stream(s, argv[4], err) : fail(err);
    }
    if (argc == 6 && strcmp(argv[1], "raw") == 0) {
        wav_stream *s = wav_stream_open_raw(0, "standard input", atoi(argv[3]), atoi(argv[4]), atoi(argv[2]), err);
        return s ? read_stream(s, argv[5], err) : fail(err);
    }
    if ((argc == 3 || argc == 4) && strcmp(argv[1], "features") == 0)
        return features(argv[2], argc == 4 ? argv[3] : NULL);
    if (argc == 3 && strcmp(argv[1], "bench") == 0)
        return bench(atof(argv[2]));
    fprintf(stderr, "usage: audiodump read|stream|raw|features|bench ... (see tests/audiodump.c)\n");
    return 2;
}
