/* test_synth — unit tests of audio/synth: the built-in voices (the same
 * notes give the same samples; no sample outside [-1, 1] however many
 * notes sound at once; exact silence before the first note and after the
 * last release; no click where a note starts or ends; the pitch of a
 * note in its spectrum; the length of a rendering; a chord is the sum of
 * its notes; the WAV file; every bad input giving its one-line error) and
 * the FluidSynth path, when a General MIDI SoundFont is installed (skipped
 * otherwise: make check does not need one, though Debian's libfluidsynth3
 * brings timgm6mb-soundfont along).  How fast it renders is
 * tests/synth_speed's to say, not asserted here.
 *
 * FluidSynth is loaded only when a SoundFont rendering asks for it: not
 * at start, not by the built-in voices; loaded once however many threads
 * ask at the same time.  With --no-fluidsynth (the program the Makefile
 * links as test_synth_nofluid, whose synth.o looks for a library no
 * system has), the failure when it is not installed: one line, and the
 * built-in voices still render. */
#include <dlfcn.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "synth.h"
#include "synth_piece.h"
#include "wav.h"

/* The built-in voices' releases are at most this long (synth.h). */
#define RELEASE_MAX 0.15

static int one_line(const char *err)
{
    return err[0] && !strchr(err, '\n');
}

static synth_note note(double start, double duration, int pitch, int velocity, int voice)
{
    return (synth_note){start, duration, pitch, velocity, voice, -1};
}

static size_t at(double seconds, int rate)
{
    return (size_t)llround(seconds * rate);
}

static float peak_of(const float *x, size_t from, size_t to)
{
    float p = 0;
    for (size_t i = from; i < to; i++)
        p = fabsf(x[i]) > p ? fabsf(x[i]) : p;
    return p;
}

/* The largest |x[i] - x[i-1]| for i in [from, to). */
static float jump_of(const float *x, size_t from, size_t to)
{
    float j = 0;
    for (size_t i = from > 0 ? from : 1; i < to; i++)
        j = fabsf(x[i] - x[i - 1]) > j ? fabsf(x[i] - x[i - 1]) : j;
    return j;
}

static int all_zero(const float *x, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        if (x[i] != 0)
            return 0;
    return 1;
}

/* |DTFT|^2 of x[n] at hz (Goertzel's recurrence). */
static double power_at(const double *x, size_t n, int rate, double hz)
{
    double c = 2 * cos(2 * M_PI * hz / rate), s1 = 0, s2 = 0;
    for (size_t i = 0; i < n; i++) {
        double s = x[i] + c * s1 - s2;
        s2 = s1;
        s1 = s;
    }
    return s1 * s1 + s2 * s2 - c * s1 * s2;
}

/* The frequency of the strongest component of x[n] (under a Hann window)
 * between lo and hi Hz: a scan in 2 Hz steps, then around the best in
 * 0.05 Hz steps. */
static double spectral_peak(const float *x, size_t n, int rate, double lo, double hi)
{
    double *w = malloc(n * sizeof *w);
    if (!w)
        return 0;
    for (size_t i = 0; i < n; i++)
        w[i] = (0.5 - 0.5 * cos(2 * M_PI * (double)i / (double)(n - 1))) * x[i];
    double best = lo, best_p = -1;
    for (double f = lo; f <= hi; f += 2) {
        double p = power_at(w, n, rate, f);
        if (p > best_p)
            best = f, best_p = p;
    }
    double coarse = best;
    for (double f = coarse - 2; f <= coarse + 2; f += 0.05) {
        double p = power_at(w, n, rate, f);
        if (p > best_p)
            best = f, best_p = p;
    }
    free(w);
    return best;
}

/* ------------------------------------------------------------ built-in */

static void test_deterministic(void)
{
    char err[ERR_MAX] = "";
    static synth_note notes[8 * 16];
    size_t n = synth_piece(notes, 8);
    synth_audio a, b;
    int ok = synth_render(notes, n, SYNTH_RATE, NULL, &a, err) == 0 &&
             synth_render(notes, n, SYNTH_RATE, NULL, &b, err) == 0;
    check(ok && a.n == b.n && memcmp(a.samples, b.samples, a.n * sizeof(float)) == 0,
          "the same %zu notes rendered twice give the same samples, bit for bit (%s)", n, err);
    float p = ok ? peak_of(a.samples, 0, a.n) : 0;
    check(ok && p > 0.1f && p <= SYNTH_PEAK && a.gain == 1.0f,
          "8 bars of melody and chords: peak %.3f in (0.1, %.2f], no scaling needed", p, SYNTH_PEAK);
    synth_free(&a);
    synth_free(&b);

    /* the order of the notes only changes the order of the sums */
    synth_note rev[8 * 16];
    for (size_t i = 0; i < n; i++)
        rev[i] = notes[n - 1 - i];
    ok = synth_render(notes, n, 22050, NULL, &a, err) == 0 && synth_render(rev, n, 22050, NULL, &b, err) == 0;
    float worst = 0;
    for (size_t i = 0; ok && i < a.n; i++)
        worst = fabsf(a.samples[i] - b.samples[i]) > worst ? fabsf(a.samples[i] - b.samples[i]) : worst;
    check(ok && a.n == b.n && worst < 1e-6f, "the notes in reverse order: the same sound within %.1e at 22050 Hz",
          worst);
    synth_free(&a);
    synth_free(&b);
}

static void test_never_clips(void)
{
    char err[ERR_MAX] = "";
    /* 40 loud notes struck together: their sum would pass 1 many times over */
    synth_note notes[40];
    for (int i = 0; i < 40; i++)
        notes[i] = note(0.1, 0.8, 36 + i, 127, i % 2 ? SYNTH_COMP : SYNTH_LEAD);
    synth_audio a;
    int ok = synth_render(notes, 40, SYNTH_RATE, NULL, &a, err) == 0;
    float p = ok ? peak_of(a.samples, 0, a.n) : 0;
    check(ok && p <= SYNTH_PEAK && p >= SYNTH_PEAK * 0.999f && a.gain < 0.5f,
          "40 notes at velocity 127 at once: scaled by %.3f to a peak of %.4f <= %.2f (%s)", ok ? a.gain : 0, p,
          SYNTH_PEAK, err);
    synth_free(&a);

    /* a note alone at velocity 127, at the top and the bottom of the range */
    int worst_ok = 1;
    for (int pitch = 0; pitch <= 127; pitch += 127)
        for (int voice = SYNTH_LEAD; voice <= SYNTH_COMP; voice++) {
            synth_note one = note(0, 1, pitch, 127, voice);
            if (synth_render(&one, 1, SYNTH_RATE, NULL, &a, err) < 0 || peak_of(a.samples, 0, a.n) > 1.0f)
                worst_ok = 0;
            synth_free(&a);
        }
    check(worst_ok, "pitches 0 and 127 at velocity 127, both voices: within [-1, 1]");
}

static void test_silence(void)
{
    char err[ERR_MAX] = "";
    int rate = SYNTH_RATE;
    synth_note notes[3] = {note(0.5, 0.4, 60, 90, SYNTH_COMP), note(0.75, 0.5, 72, 100, SYNTH_LEAD),
                           note(0.6, 0.2, 64, 90, SYNTH_COMP)};
    synth_audio a;
    int ok = synth_render(notes, 3, rate, NULL, &a, err) == 0;
    size_t first = at(0.5, rate), last_off = at(0.75, rate) + at(0.5, rate), quiet = last_off + at(RELEASE_MAX, rate);
    check(ok && a.n > quiet && all_zero(a.samples, 0, first + 1), "exactly 0 before the first note (%zu samples)",
          first);
    check(ok && a.n > quiet && all_zero(a.samples, quiet, a.n) && !all_zero(a.samples, last_off, last_off + 100),
          "exactly 0 from %.2f s after the last key-up to the end (%zu samples); sound just after key-up",
          RELEASE_MAX, a.n - quiet);
    synth_free(&a);
}

static void test_no_clicks(void)
{
    char err[ERR_MAX] = "";
    int rate = SYNTH_RATE;
    for (int voice = SYNTH_LEAD; voice <= SYNTH_COMP; voice++) {
        const char *name = voice == SYNTH_LEAD ? "lead" : "comp";
        /* A4 and C7 at full velocity: the loudest and the fastest-moving */
        for (int pitch = 69; pitch <= 96; pitch += 27) {
            synth_note one = note(0.3, 0.5, pitch, 127, voice);
            synth_audio a;
            if (synth_render(&one, 1, rate, NULL, &a, err) < 0) {
                check(0, "%s %d: %s", name, pitch, err);
                continue;
            }
            size_t s = at(0.3, rate), off = s + at(0.5, rate);
            /* the end of the release: the last sample not 0 */
            size_t end = a.n;
            while (end > 0 && a.samples[end - 1] == 0)
                end--;
            float p = peak_of(a.samples, 0, a.n);
            float steady = jump_of(a.samples, s + at(0.1, rate), off - at(0.05, rate));
            float j_on = jump_of(a.samples, s - 32, s + 32), j_off = jump_of(a.samples, off - 32, off + 32);
            float j_end = jump_of(a.samples, end - 32, end + 32);
            check(a.samples[s] == 0 && peak_of(a.samples, s, s + 4) < 1e-3f * p &&
                      peak_of(a.samples, end - 4, end) < 1e-5f * p && end > off &&
                      end <= off + at(RELEASE_MAX, rate) + 1,
                  "%s, pitch %d: starts at exactly 0; its first 4 samples within 1e-3 of its peak %.3f, its last 4 "
                  "within 1e-5",
                  name, pitch, p);
            /* A click is a step larger than the tone's own: a sine cut on at
             * a random phase steps by up to its amplitude, 16 times what a
             * 440 Hz sine moves in one sample at 44.1 kHz. */
            check(j_on < 0.25f * steady && j_end < 0.01f * steady && j_off <= steady,
                  "%s, pitch %d: largest step between samples %.2e at the start, %.2e at key-up, %.2e at the "
                  "end, against %.2e while it sounds",
                  name, pitch, j_on, j_off, j_end, steady);
            synth_free(&a);
        }
    }

    /* the same key struck again before its release is over, and a note
     * shorter than its attack: no step larger than two held notes' own (two
     * overlap, here in phase) */
    synth_note held = note(0.1, 1, 69, 120, SYNTH_LEAD);
    synth_note notes[3] = {note(0.1, 0.2, 69, 120, SYNTH_LEAD), note(0.3, 0.2, 69, 120, SYNTH_LEAD),
                           note(0.6, 0.002, 69, 120, SYNTH_LEAD)};
    synth_audio a, h;
    int ok = synth_render(&held, 1, rate, NULL, &h, err) == 0 && synth_render(notes, 3, rate, NULL, &a, err) == 0;
    float jh = ok ? jump_of(h.samples, 0, h.n) : 0, j = ok ? jump_of(a.samples, 0, a.n) : 1;
    check(ok && j <= 2 * jh, "a key struck again while it sounds, and a 2 ms note: largest step %.2e (a held "
                                "note's: %.2e)", j, jh);
    synth_free(&a);
    synth_free(&h);
}

static void test_pitch(void)
{
    char err[ERR_MAX] = "";
    struct {
        int pitch, voice, rate;
        double hz;
    } cases[] = {{69, SYNTH_LEAD, 44100, 440.0}, {69, SYNTH_COMP, 44100, 440.0},
                 {60, SYNTH_COMP, 22050, 261.6256}, {81, SYNTH_LEAD, 16000, 880.0}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        int rate = cases[c].rate;
        synth_note one = note(0, 1, cases[c].pitch, 100, cases[c].voice);
        synth_audio a;
        if (synth_render(&one, 1, rate, NULL, &a, err) < 0) {
            check(0, "pitch %d: %s", cases[c].pitch, err);
            continue;
        }
        /* half a second from 0.1 s: 2 Hz bins, refined between them */
        double f = spectral_peak(a.samples + at(0.1, rate), at(0.5, rate), rate, 50, 2000);
        check(fabs(f - cases[c].hz) < 0.5, "%s pitch %d at %d Hz: the spectrum peaks at %.2f Hz (%.2f Hz)",
              cases[c].voice == SYNTH_LEAD ? "lead" : "comp", cases[c].pitch, rate, f, cases[c].hz);
        synth_free(&a);
    }
}

static void test_length(void)
{
    char err[ERR_MAX] = "";
    synth_note notes[3] = {note(2.0, 0.25, 60, 90, SYNTH_COMP), note(0.1, 2.3, 64, 90, SYNTH_COMP),
                           note(1.0, 0.5, 67, 90, SYNTH_LEAD)};
    int rates[3] = {44100, 22050, 8000};
    for (int r = 0; r < 3; r++) {
        int rate = rates[r];
        /* the last key-up is the second note's (0.1 + 2.3 s), not the last to start */
        size_t want = at(0.1, rate) + at(2.3, rate) + at(SYNTH_TAIL_SECONDS, rate);
        synth_audio a;
        int ok = synth_render(notes, 3, rate, NULL, &a, err) == 0;
        check(ok && a.n == want && a.rate == rate, "length at %d Hz: %zu samples (%zu: 2.4 s + the %.1f s tail)",
              rate, ok ? a.n : 0, want, SYNTH_TAIL_SECONDS);
        synth_free(&a);
    }
    synth_audio a;
    int ok = synth_render(NULL, 0, SYNTH_RATE, NULL, &a, err) == 0;
    check(ok && a.n == 0 && a.rate == SYNTH_RATE, "no notes: no samples (%s)", err);
    synth_free(&a);
}

static void test_chord_is_sum(void)
{
    char err[ERR_MAX] = "";
    synth_note chord[4] = {note(0.2, 1, 53, 90, SYNTH_COMP), note(0.2, 1, 57, 80, SYNTH_COMP),
                           note(0.25, 0.9, 60, 85, SYNTH_COMP), note(0.4, 0.5, 76, 110, SYNTH_LEAD)};
    synth_audio all, one;
    int ok = synth_render(chord, 4, SYNTH_RATE, NULL, &all, err) == 0 && all.gain == 1.0f;
    float *sum = ok ? calloc(all.n, sizeof(float)) : NULL;
    for (int i = 0; ok && sum && i < 4; i++) {
        ok = synth_render(&chord[i], 1, SYNTH_RATE, NULL, &one, err) == 0 && one.n <= all.n;
        for (size_t j = 0; ok && j < one.n; j++)
            sum[j] += one.samples[j];
        synth_free(&one);
    }
    check(ok && sum && memcmp(sum, all.samples, all.n * sizeof(float)) == 0,
          "a chord of 4 notes is the sum of the 4 rendered alone, bit for bit (%s)", err);
    free(sum);
    synth_free(&all);
}

static void test_wav(void)
{
    char err[ERR_MAX] = "", dir[] = "/tmp/test_synth.XXXXXX", path[64];
    if (!mkdtemp(dir)) {
        check(0, "a temporary folder");
        return;
    }
    snprintf(path, sizeof path, "%s/piece.wav", dir);
    synth_note notes[2 * 16];
    size_t n = synth_piece(notes, 2);
    synth_audio a;
    wav_audio w = {0};
    int ok = synth_render(notes, n, 22050, NULL, &a, err) == 0 && synth_write_wav(path, &a, err) == 0 &&
             wav_read(path, 0, &w, err) == 0 && w.n == a.n && w.rate == 22050 && w.source_channels == 1;
    float worst = 0;
    for (size_t i = 0; ok && i < a.n; i++)
        worst = fabsf(w.samples[i] - a.samples[i]) > worst ? fabsf(w.samples[i] - a.samples[i]) : worst;
    check(ok && worst <= 0.5f / 32768, "synth_write_wav: a 16-bit mono WAV at 22050 Hz, each sample within "
                                       "half a step (%.2e) (%s)", worst, err);
    wav_free(&w);
    synth_free(&a);
    unlink(path);
    rmdir(dir);
}

static void test_bad_input(void)
{
    struct {
        synth_note bad;
        const char *says;
    } cases[] = {
        {{-0.5, 1, 60, 90, SYNTH_LEAD, -1}, "start"},
        {{NAN, 1, 60, 90, SYNTH_LEAD, -1}, "start"},
        {{0, 0, 60, 90, SYNTH_LEAD, -1}, "duration"},
        {{0, INFINITY, 60, 90, SYNTH_LEAD, -1}, "duration"},
        {{0, 1, 128, 90, SYNTH_LEAD, -1}, "pitch"},
        {{0, 1, -1, 90, SYNTH_LEAD, -1}, "pitch"},
        {{0, 1, 60, 0, SYNTH_LEAD, -1}, "velocity"},
        {{0, 1, 60, 128, SYNTH_LEAD, -1}, "velocity"},
        {{0, 1, 60, 90, 2, -1}, "voice"},
        {{0, 1, 60, 90, SYNTH_COMP, 128}, "program"},
        {{3 * 3600, 2 * 3600, 60, 90, SYNTH_COMP, -1}, "4-hour"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        char err[ERR_MAX] = "";
        synth_note notes[3] = {note(0, 1, 60, 90, SYNTH_LEAD), cases[c].bad, note(1, 1, 62, 90, SYNTH_LEAD)};
        synth_audio a = {(float *)1, 99, 1, 1};
        check(synth_render(notes, 3, SYNTH_RATE, NULL, &a, err) < 0 && one_line(err) &&
                  strstr(err, "note 2 of 3") && strstr(err, cases[c].says) && a.samples == NULL && a.n == 0,
              "a note with a bad %s: '%s'", cases[c].says, err);
    }
    char err[ERR_MAX] = "";
    synth_note ok_note = note(0, 1, 60, 90, SYNTH_LEAD);
    synth_audio a;
    check(synth_render(&ok_note, 1, 10, NULL, &a, err) < 0 && one_line(err) && strstr(err, "10 Hz"),
          "a rate of 10 Hz: '%s'", err);
    err[0] = 0;
    check(synth_render(&ok_note, 1, SYNTH_RATE, "/no/such/font.sf2", &a, err) < 0 && one_line(err) &&
              strstr(err, "/no/such/font.sf2") && strstr(err, "No such file"),
          "a SoundFont that is not there: '%s'", err);
}

/* ---------------------------------------------------------- FluidSynth */

/* Whether libfluidsynth is in the process (RTLD_NOLOAD: without loading it). */
static int fluid_in_process(void)
{
    void *lib = dlopen("libfluidsynth.so.3", RTLD_LAZY | RTLD_NOLOAD);
    if (lib)
        dlclose(lib);
    return lib != NULL;
}

static void *ask_fluidsynth(void *result)
{
    char err[ERR_MAX];
    *(int *)result = synth_fluidsynth(err);
    return NULL;
}

/* Run first: nothing before it renders with a SoundFont. */
static void test_lazy_load(void)
{
    check(!fluid_in_process(), "FluidSynth is not loaded at start (the program does not link it)");
    synth_note n = note(0, 0.5, 69, 100, SYNTH_LEAD);
    synth_audio a;
    char err[ERR_MAX] = "";
    int ok = synth_render(&n, 1, SYNTH_RATE, NULL, &a, err) == 0;
    check(ok && !fluid_in_process(), "a rendering with the built-in voices does not load FluidSynth (%s)", err);
    if (ok)
        synth_free(&a);
    enum { THREADS = 4 };
    pthread_t t[THREADS];
    int result[THREADS];
    for (int i = 0; i < THREADS; i++)
        result[i] = 2;
    for (int i = 0; i < THREADS; i++)
        if (pthread_create(&t[i], NULL, ask_fluidsynth, &result[i]) != 0)
            result[i] = 3;
    for (int i = 0; i < THREADS; i++)
        if (result[i] != 3)
            pthread_join(t[i], NULL);
    int same = 1;
    for (int i = 1; i < THREADS; i++)
        same = same && result[i] == result[0];
    if (result[0] == -1 && same) {
        printf("skip - loading FluidSynth: libfluidsynth.so.3 is not installed (libfluidsynth3)\n");
        return;
    }
    check(same && result[0] == 0 && fluid_in_process(), "synth_fluidsynth from %d threads at once: all 0, loaded",
          THREADS);
    err[0] = 0;
    check(synth_fluidsynth(err) == 0 && err[0] == 0, "synth_fluidsynth again: 0");
}

/* Built with a FluidSynth no system has: a SoundFont rendering fails
 * with one line saying so, and the built-in voices are the way out. */
static void test_no_fluidsynth(void)
{
    char err[ERR_MAX] = "", again[ERR_MAX] = "";
    check(synth_fluidsynth(err) < 0 && one_line(err) && strstr(err, "FluidSynth (") &&
              strstr(err, ") is not installed: ") && synth_fluidsynth(again) < 0 && strcmp(err, again) == 0,
          "no FluidSynth: synth_fluidsynth says '%s', twice the same", err);
    synth_note n = note(0, 0.5, 69, 100, SYNTH_LEAD);
    synth_audio a = {(float *)1, 99, 1, 1};
    char render_err[ERR_MAX] = "";
    /* any file will do: the library is looked for first */
    check(synth_render(&n, 1, SYNTH_RATE, "/proc/self/exe", &a, render_err) < 0 && strcmp(render_err, err) == 0 &&
              a.samples == NULL && a.n == 0,
          "no FluidSynth: a SoundFont rendering fails with the same line");
    int ok = synth_render(&n, 1, SYNTH_RATE, NULL, &a, render_err) == 0;
    check(ok && a.n == at(0.5 + SYNTH_TAIL_SECONDS, SYNTH_RATE) && peak_of(a.samples, 0, a.n) > 0.1f,
          "no FluidSynth: the built-in voices still render (%s)", ok ? "" : render_err);
    if (ok)
        synth_free(&a);
}

/* Run synth_render with standard output and error going to a file, and
 * say whether anything was written there. */
static int render_quietly(const synth_note *notes, size_t n, int rate, const char *font, synth_audio *a, char *err,
                          int *printed)
{
    char path[] = "/tmp/test_synth_out.XXXXXX";
    int fd = mkstemp(path);
    fflush(stdout);
    fflush(stderr);
    int out = dup(1), errfd = dup(2);
    dup2(fd, 1);
    dup2(fd, 2);
    int rc = synth_render(notes, n, rate, font, a, err);
    fflush(stdout);
    fflush(stderr);
    dup2(out, 1);
    dup2(errfd, 2);
    close(out);
    close(errfd);
    struct stat st;
    *printed = fstat(fd, &st) < 0 || st.st_size != 0;
    close(fd);
    unlink(path);
    return rc;
}

static void test_soundfont(void)
{
    const char *font = synth_find_soundfont();
    if (!font) {
        printf("skip - FluidSynth rendering: no General MIDI SoundFont installed (timgm6mb-soundfont or "
               "fluid-soundfont-gm)\n");
        return;
    }
    char err[ERR_MAX] = "";
    int rate = SYNTH_RATE, printed = 1;
    synth_note notes[4 * 16];
    size_t n = synth_piece(notes, 4);
    for (size_t i = 0; i < n; i++)
        notes[i].start += 0.25;
    synth_audio a, b;
    int ok = render_quietly(notes, n, rate, font, &a, err, &printed) == 0;
    check(ok && !printed, "FluidSynth with %s: 4 bars rendered, nothing printed (%s)", font, err);
    ok = ok && synth_render(notes, n, rate, font, &b, err) == 0;
    check(ok && a.n == b.n && memcmp(a.samples, b.samples, a.n * sizeof(float)) == 0,
          "FluidSynth: the same notes twice give the same samples, bit for bit");
    double end = 0;
    for (size_t i = 0; i < n; i++)
        end = fmax(end, (double)(at(notes[i].start, rate) + at(notes[i].duration, rate)));
    size_t want = (size_t)end + at(SYNTH_TAIL_SECONDS, rate);
    float p = ok ? peak_of(a.samples, 0, a.n) : 0;
    check(ok && a.n == want && p > 0.01f && p <= SYNTH_PEAK, "FluidSynth: %zu samples (%zu), peak %.3f in (0.01, %.2f]",
          ok ? a.n : 0, want, p, SYNTH_PEAK);
    /* FluidSynth's reverb keeps a tiny offset against denormals */
    float before = ok ? peak_of(a.samples, 0, at(0.25, rate)) : 1;
    check(ok && before < 1e-6f, "FluidSynth: silence before the first note (peak %.1e)", before);
    check(ok && fabsf(a.samples[a.n - 1]) < 1e-4f && jump_of(a.samples, a.n - at(SYNTH_FADE_SECONDS, rate), a.n) < 0.01f,
          "FluidSynth: faded out at the end (last sample %.1e)", ok ? a.samples[a.n - 1] : 0);
    synth_free(&a);
    synth_free(&b);

    /* A4 on a flute (GM 74), whose fundamental is its strongest partial */
    synth_note flute = {0, 1, 69, 100, SYNTH_LEAD, 73};
    ok = synth_render(&flute, 1, rate, font, &a, err) == 0;
    double f = ok ? spectral_peak(a.samples + at(0.1, rate), at(0.5, rate), rate, 50, 2000) : 0;
    check(ok && fabs(f - 440) < 1.5, "FluidSynth: A4 on a flute peaks at %.2f Hz (%s)", f, err);
    synth_free(&a);

    err[0] = 0;
    check(synth_render(&flute, 1, 4000, font, &a, err) < 0 && one_line(err) && strstr(err, "4000 Hz"),
          "FluidSynth at 4000 Hz (below its range): '%s'", err);

    /* a file that is not a SoundFont: an error, and FluidSynth's own
     * complaint stays off the terminal */
    char path[] = "/tmp/test_synth_font.XXXXXX";
    int fd = mkstemp(path);
    ok = fd >= 0 && write(fd, "not a SoundFont\n", 16) == 16;
    if (fd >= 0)
        close(fd);
    err[0] = 0;
    ok = ok && render_quietly(&flute, 1, rate, path, &a, err, &printed) < 0;
    check(ok && !printed && one_line(err) && strstr(err, "cannot load SoundFont") && strstr(err, path),
          "FluidSynth with a text file for a SoundFont: '%s', nothing printed", err);
    unlink(path);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--no-fluidsynth") == 0) {
        test_no_fluidsynth();
        return check_exit();
    }
    test_lazy_load();
    test_deterministic();
    test_never_clips();
    test_silence();
    test_no_clicks();
    test_pitch();
    test_length();
    test_chord_is_sum();
    test_wav();
    test_bad_input();
    test_soundfont();
    return check_exit();
}
