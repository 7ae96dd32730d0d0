/* synth_speed — how fast audio/synth renders a piece of music: the
 * chorus of tests/synth_piece.h (a swung melody over four-note comping)
 * with the built-in voices and, when a General MIDI SoundFont is
 * installed, with FluidSynth.  Not a test: it asserts nothing.
 *
 * usage: synth_speed [BARS [OUT_PREFIX]]   (64 bars at 120 bpm: 128 s)
 * Prints the best of 5 renderings of each way, in seconds of wall-clock
 * and of CPU time and as a multiple of real time (wall-clock), with the
 * scale the peak limiter applied; with OUT_PREFIX, writes OUT_PREFIX-builtin.wav
 * (and OUT_PREFIX-soundfont.wav) to listen to.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "synth.h"
#include "synth_piece.h"

static double now(clockid_t clock)
{
    struct timespec t;
    clock_gettime(clock, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

/* Best of 5; writes prefix-name.wav when prefix is given.  -1 on failure. */
static int time_render(const char *name, const synth_note *notes, size_t n, const char *soundfont,
                       const char *prefix)
{
    char err[ERR_MAX];
    synth_audio a = {0};
    double best = 1e30, best_cpu = 1e30;
    for (int round = 0; round < 5; round++) {
        synth_free(&a);
        double t0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_PROCESS_CPUTIME_ID);
        if (synth_render(notes, n, SYNTH_RATE, soundfont, &a, err) < 0) {
            fprintf(stderr, "synth_speed: %s\n", err);
            return -1;
        }
        double t = now(CLOCK_MONOTONIC) - t0, c = now(CLOCK_PROCESS_CPUTIME_ID) - c0;
        best = t < best ? t : best;
        best_cpu = c < best_cpu ? c : best_cpu;
    }
    double seconds = (double)a.n / a.rate;
    printf("%-9s %5zu notes %6.1f s of sound  %7.4f s (cpu %7.4f s)  %6.0fx real time  gain %.3f\n", name, n,
           seconds, best, best_cpu, seconds / best, a.gain);
    int rc = 0;
    if (prefix) {
        char path[1024];
        snprintf(path, sizeof path, "%s-%s.wav", prefix, name);
        if (synth_write_wav(path, &a, err) < 0) {
            fprintf(stderr, "synth_speed: %s\n", err);
            rc = -1;
        }
    }
    synth_free(&a);
    return rc;
}

int main(int argc, char **argv)
{
    int bars = argc > 1 ? atoi(argv[1]) : 64;
    const char *prefix = argc > 2 ? argv[2] : NULL;
    if (bars < 1 || bars > 10000) {
        fprintf(stderr, "usage: synth_speed [BARS [OUT_PREFIX]]\n");
        return 2;
    }
    synth_note *notes = malloc(sizeof *notes * (size_t)bars * 16);
    if (!notes)
        return 1;
    size_t n = synth_piece(notes, bars);
    int rc = time_render("builtin", notes, n, NULL, prefix);
    const char *sf = synth_find_soundfont();
    if (sf) {
        printf("soundfont: %s\n", sf);
        rc |= time_render("soundfont", notes, n, sf, prefix);
    } else {
        printf("soundfont: none installed (timgm6mb-soundfont or fluid-soundfont-gm)\n");
    }
    free(notes);
    return rc ? 1 : 0;
}
