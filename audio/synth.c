/* synth — the built-in additive voices and FluidSynth offline; see synth.h. */
#include "synth.h"

#include "wav.h"

#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <fluidsynth.h> /* types and prototypes only: the library is dlopen'ed */
#include <glib.h>       /* the same, for GLogFunc and g_log_set_default_handler */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---------------------------------------------------------------- notes */

/* Where a note sounds, in samples from the start of the rendering. */
typedef struct {
    size_t start, held; /* the key goes down at start and up at start + held */
} note_span;

static note_span note_place(const synth_note *note, int rate)
{
    note_span s;
    s.start = (size_t)llround(note->start * rate);
    long long held = llround(note->duration * rate);
    s.held = held < 1 ? 1 : (size_t)held;
    return s;
}

/* Check every note and give the rendering's length (synth.h). */
static int check_notes(const synth_note *notes, size_t n_notes, int rate, size_t *length, char *err)
{
    if (rate < WAV_MIN_RATE || rate > WAV_MAX_RATE)
        return err_set(err, "cannot render at %d Hz: the rate must be %d to %d Hz", rate, WAV_MIN_RATE, WAV_MAX_RATE);
    size_t end = 0;
    for (size_t i = 0; i < n_notes; i++) {
        const synth_note *nt = &notes[i];
        /* The sum catches a start and a duration that fit alone but not together. */
        double last = nt->start + nt->duration;
        const char *bad = !(nt->start >= 0) || !isfinite(nt->start)         ? "its start is not a time >= 0"
                          : !(nt->duration > 0) || !isfinite(nt->duration) ? "its duration is not a time > 0"
                          : nt->pitch < 0 || nt->pitch > 127               ? "its pitch is not in 0..127"
                          : nt->velocity < 1 || nt->velocity > 127         ? "its velocity is not in 1..127"
                          : nt->voice != SYNTH_LEAD && nt->voice != SYNTH_COMP ? "its voice is neither lead nor comp"
                          : nt->program < -1 || nt->program > 127          ? "its program is not in 0..127 (or -1)"
                          : last + SYNTH_TAIL_SECONDS > SYNTH_MAX_SECONDS  ? "it ends past the 4-hour limit"
                                                                            : NULL;
        if (bad)
            return err_set(err, "cannot render note %zu of %zu: %s", i + 1, n_notes, bad);
        note_span s = note_place(nt, rate);
        if (s.start + s.held > end)
            end = s.start + s.held;
    }
    *length = n_notes ? end + (size_t)llround(SYNTH_TAIL_SECONDS * rate) : 0;
    return 0;
}

static double note_hz(int pitch)
{
    return 440.0 * pow(2.0, (pitch - 69) / 12.0);
}

/* Scale the whole rendering down when its peak passes SYNTH_PEAK. */
static void limit_peak(synth_audio *a)
{
    float peak = 0;
    for (size_t i = 0; i < a->n; i++) {
        float v = fabsf(a->samples[i]);
        if (v > peak)
            peak = v;
    }
    a->gain = 1.0f;
    if (peak > SYNTH_PEAK) {
        a->gain = SYNTH_PEAK / peak;
        for (size_t i = 0; i < a->n; i++) {
            float v = a->samples[i] * a->gain;
            /* rounding may leave a hair above the peak */
            a->samples[i] = v > SYNTH_PEAK ? SYNTH_PEAK : v < -SYNTH_PEAK ? -SYNTH_PEAK : v;
        }
    }
}

/* ------------------------------------------------------ built-in voices */

/* PARTIALS sines a voice; notes are rendered BLOCK samples at a time, in
 * LANES interleaved lanes (BLOCK a multiple of LANES, LANES of 4). */
enum { PARTIALS = 4, BLOCK = 256, LANES = 16 };
/* Four floats as one SSE register (GCC's and Clang's vector extension). */
typedef float v4f __attribute__((vector_size(16)));

/* A voice: its partials (frequency ratio, amplitude, decay time at middle
 * C in seconds, scaled for other pitches by sqrt(261.6 Hz / f) within
 * [0.35, 2]: low notes ring longer) and its envelope. */
typedef struct {
    double ratio[PARTIALS], amp[PARTIALS], tau[PARTIALS];
    double attack;  /* seconds from 0 to full */
    double decay;   /* time constant (s) of the fall from full to sustain */
    double sustain; /* level held while the key is down, after the decay */
    double release; /* seconds from key-up to 0 */
    double gain;    /* the voice's loudness at velocity 127 */
} voice_shape;

static const voice_shape voice_shapes[2] = {
    [SYNTH_LEAD] = {.ratio = {1, 2, 3, 4},
                    .amp = {1, 0.45, 0.22, 0.1},
                    .tau = {4.0, 1.5, 0.8, 0.4},
                    .attack = 0.008, .decay = 0.6, .sustain = 0.6, .release = 0.12, .gain = 0.3},
    [SYNTH_COMP] = {.ratio = {1, 2, 3, 7.13},
                    .amp = {1, 0.35, 0.1, 0.22},
                    .tau = {3.0, 0.9, 0.5, 0.025},
                    .attack = 0.004, .decay = 0.9, .sustain = 0.3, .release = 0.15, .gain = 0.16},
};

/* x eased from 0 to 1 over [0, 1] along 3x^2 - 2x^3, flat at both ends;
 * 0 before, 1 after. */
static inline float smoothstep(float x)
{
    x = x < 0.0f ? 0.0f : x;
    x = x > 1.0f ? 1.0f : x;
    return x * x * (3.0f - 2.0f * x);
}

/* e^(-damp t + i omega t): a damped rotation by t samples, in double. */
static void rotation(double damp, double omega, double t, double *re, double *im)
{
    double mag = exp(-damp * t), phase = fmod(omega * t, 2 * M_PI);
    *re = mag * cos(phase);
    *im = mag * sin(phase);
}

/* Add one note to out (which holds all of it: check_notes sized it).
 *
 * Each partial is a damped complex phasor z = a r^t e^(i w t) whose
 * imaginary part is the sound.  Within a block of BLOCK samples it runs
 * in LANES interleaved lanes (samples t, t+1, ... t+LANES-1), each
 * stepped by one complex product by (r e^(i w))^LANES, so the loop is
 * vector code; between blocks the phasor advances in double by a whole
 * block's rotation, so float rounding never builds up however long the
 * note. */
static void render_note(float *out, const synth_note *nt, int rate)
{
    const voice_shape *v = &voice_shapes[nt->voice];
    note_span span = note_place(nt, rate);
    double f0 = note_hz(nt->pitch);
    double vel = nt->velocity / 127.0;
    double bright = 0.3 + 0.7 * vel;
    double pitch_scale = sqrt(261.6256 / f0);
    pitch_scale = pitch_scale < 0.35 ? 0.35 : pitch_scale > 2 ? 2 : pitch_scale;

    /* per partial: the phasor at the block's start, its rotation by one
     * sample and by a block (double), and by LANES samples (float) */
    int np = 0;
    double zr[PARTIALS], zi[PARTIALS], w1r[PARTIALS], w1i[PARTIALS], wbr[PARTIALS], wbi[PARTIALS];
    float wlr[PARTIALS], wli[PARTIALS];
    for (int k = 0; k < PARTIALS; k++) {
        double hz = f0 * v->ratio[k];
        if (hz >= 0.45 * rate)
            continue;
        double omega = 2 * M_PI * hz / rate, damp = 1.0 / (v->tau[k] * pitch_scale * rate), re, im;
        zr[np] = v->amp[k] * (k ? bright : 1.0);
        zi[np] = 0;
        rotation(damp, omega, 1, &w1r[np], &w1i[np]);
        rotation(damp, omega, BLOCK, &wbr[np], &wbi[np]);
        rotation(damp, omega, LANES, &re, &im);
        wlr[np] = (float)re;
        wli[np] = (float)im;
        np++;
    }
    size_t attack = (size_t)llround(v->attack * rate), release = (size_t)llround(v->release * rate);
    attack = attack < 1 ? 1 : attack;
    release = release < 1 ? 1 : release;
    /* The decay d = e^(-t / decay), from 1 toward the sustain level:
     * kd[j] steps it j samples on within a block, d_block a block on. */
    float kd[BLOCK];
    double d = 1.0, d_step = exp(-1.0 / (v->decay * rate)), d_block = exp(-(double)BLOCK / (v->decay * rate)), p = 1.0;
    for (int j = 0; j < BLOCK; j++, p *= d_step)
        kd[j] = (float)p;
    float sustain = (float)v->sustain, gain = (float)(v->gain * vel * vel);
    float step_a = 1.0f / (float)attack, step_r = 1.0f / (float)release;
    size_t total = span.held + release;
    float *o = out + span.start;

    for (size_t b = 0; b < total; b += BLOCK) {
        size_t m = total - b < BLOCK ? total - b : BLOCK;
        v4f sum[BLOCK / 4] = {0};
        /* A partial that has died 80 dB below the note's start is left out
         * from here on (the tine of SYNTH_COMP within a quarter second). */
        for (int k = 0; k < np;)
            if (zr[k] * zr[k] + zi[k] * zi[k] < 1e-8) {
                np--;
                zr[k] = zr[np], zi[k] = zi[np], w1r[k] = w1r[np], w1i[k] = w1i[np];
                wbr[k] = wbr[np], wbi[k] = wbi[np], wlr[k] = wlr[np], wli[k] = wli[np];
            } else {
                k++;
            }
        for (int k = 0; k < np; k++) {
            /* lanes: lr[q][i], li[q][i] hold the phasor at sample 4q + i */
            v4f lr[LANES / 4], li[LANES / 4];
            float fr[LANES], fi[LANES];
            double re = zr[k], im = zi[k];
            for (int l = 0; l < LANES; l++) {
                fr[l] = (float)re;
                fi[l] = (float)im;
                double t = re * w1r[k] - im * w1i[k];
                im = re * w1i[k] + im * w1r[k];
                re = t;
            }
            memcpy(lr, fr, sizeof lr);
            memcpy(li, fi, sizeof li);
            v4f wr = {wlr[k], wlr[k], wlr[k], wlr[k]}, wi = {wli[k], wli[k], wli[k], wli[k]};
            for (size_t j = 0; j < m; j += LANES)
                for (int q = 0; q < LANES / 4; q++) {
                    sum[j / 4 + q] += li[q];
                    v4f t = lr[q] * wr - li[q] * wi;
                    li[q] = lr[q] * wi + li[q] * wr;
                    lr[q] = t;
                }
            double t = zr[k] * wbr[k] - zi[k] * wbi[k];
            zi[k] = zr[k] * wbi[k] + zi[k] * wbr[k];
            zr[k] = t;
        }
        float env[BLOCK], db = (float)d;
        for (int j = 0; j < BLOCK; j++)
            env[j] = gain * (sustain + (1.0f - sustain) * db * kd[j]);
        d *= d_block;
        if (b < attack) {
            float x0 = (float)b * step_a;
            for (int j = 0; j < BLOCK; j++)
                env[j] *= smoothstep(x0 + (float)j * step_a);
        }
        if (b + m > span.held) {
            float x0 = (float)(((double)b - (double)span.held) / (double)release);
            for (int j = 0; j < BLOCK; j++)
                env[j] *= 1.0f - smoothstep(x0 + (float)j * step_r);
        }
        const float *s = (const float *)sum;
        for (size_t j = 0; j < m; j++)
            o[b + j] += env[j] * s[j];
    }
}

/* ---------------------------------------------------------- FluidSynth */

/* FluidSynth is loaded on the first SoundFont rendering, not linked: it
 * and what it needs (GLib, PulseAudio, JACK, SDL, ... about 50 libraries)
 * would otherwise be loaded by every command of seqtool at start-up. */
#ifndef SYNTH_FLUIDSYNTH_LIB /* the tests build one with a name that is absent */
#define SYNTH_FLUIDSYNTH_LIB "libfluidsynth.so.3"
#endif

/* The functions used, each as a pointer of its prototype's type. */
#define FLUID_FUNCTIONS(X)                                                                                            \
    X(new_fluid_settings)                                                                                             \
    X(delete_fluid_settings)                                                                                          \
    X(fluid_settings_setnum)                                                                                          \
    X(fluid_settings_setint)                                                                                          \
    X(new_fluid_synth)                                                                                                \
    X(delete_fluid_synth)                                                                                             \
    X(fluid_synth_sfload)                                                                                             \
    X(fluid_synth_program_select)                                                                                     \
    X(fluid_synth_get_sfont_by_id)                                                                                    \
    X(fluid_sfont_iteration_start)                                                                                    \
    X(fluid_sfont_iteration_next)                                                                                     \
    X(fluid_preset_get_banknum)                                                                                       \
    X(fluid_preset_get_num)                                                                                           \
    X(fluid_synth_noteon)                                                                                             \
    X(fluid_synth_noteoff)                                                                                            \
    X(fluid_synth_write_float)                                                                                        \
    X(fluid_set_log_function)

static struct {
#define FLUID_POINTER(name) __typeof__(&name) name;
    FLUID_FUNCTIONS(FLUID_POINTER)
#undef FLUID_POINTER
    /* From GLib, which FluidSynth loads; NULL if it does not. */
    __typeof__(&g_log_set_default_handler) g_log_set_default_handler;
} fl;

static pthread_once_t fluid_once = PTHREAD_ONCE_INIT;
static int fluid_loaded;
static char fluid_error[ERR_MAX]; /* why not, when not */

/* Load the library and find each function, once per process (it stays
 * loaded).  All or nothing: on failure fl stays zero. */
static void fluid_load(void)
{
    void *lib = dlopen(SYNTH_FLUIDSYNTH_LIB, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        const char *why = dlerror();
        err_set(fluid_error, "FluidSynth (%s) is not installed: %s", SYNTH_FLUIDSYNTH_LIB, why ? why : "dlopen failed");
        return;
    }
#define FLUID_FIND(name)                                                                                              \
    if (!(fl.name = (__typeof__(fl.name))dlsym(lib, #name))) {                                                       \
        err_set(fluid_error, "FluidSynth (%s) cannot be used: it has no %s", SYNTH_FLUIDSYNTH_LIB, #name);          \
        memset(&fl, 0, sizeof fl);                                                                                    \
        dlclose(lib);                                                                                                 \
        return;                                                                                                       \
    }
    FLUID_FUNCTIONS(FLUID_FIND)
#undef FLUID_FIND
    /* Searched in FluidSynth's dependencies too, where GLib is. */
    fl.g_log_set_default_handler = (__typeof__(fl.g_log_set_default_handler))dlsym(lib, "g_log_set_default_handler");
    fluid_loaded = 1;
}

int synth_fluidsynth(char *err)
{
    pthread_once(&fluid_once, fluid_load);
    if (!fluid_loaded)
        return err_set(err, "%s", fluid_error);
    return 0;
}

/* FluidSynth's log goes here: silence, except that its first error is
 * kept in data (an ERR_MAX buffer, "" until then) when there is one,
 * starting lower-case as our messages do unless its first word is a name
 * ("Not a RIFF file": "not a RIFF file"; "SoundFont file size mismatch"
 * stays). */
static void fluid_quiet(int level, const char *message, void *data)
{
    char *first = data;
    if (!first || first[0] || level > FLUID_ERR || !message)
        return;
    snprintf(first, ERR_MAX, "%s", message);
    int plain = isupper((unsigned char)first[0]) != 0;
    for (const char *c = first + 1; *c && *c != ' '; c++)
        plain = plain && !isupper((unsigned char)*c);
    if (plain)
        first[0] = (char)tolower((unsigned char)first[0]);
}

/* GLib's messages go nowhere while a SoundFont loads: when FluidSynth's
 * SoundFont loader refuses a file, its DLS loader (libinstpatch) tries it
 * and prints a GLib "CRITICAL" on standard error as it fails. */
static void glib_quiet(const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer data)
{
}

static void fluid_silence(char *last_error)
{
    for (int level = FLUID_PANIC; level <= FLUID_DBG; level++)
        fl.fluid_set_log_function(level, fluid_quiet, last_error);
}

/* A note-on or note-off at a sample. */
typedef struct {
    size_t at;
    int off;      /* 1 for a note-off: they go before note-ons at the same sample */
    size_t index; /* the note's place, for a total order */
    int channel, key, velocity;
} fluid_event;

static int event_order(const void *pa, const void *pb)
{
    const fluid_event *a = pa, *b = pb;
    if (a->at != b->at)
        return a->at < b->at ? -1 : 1;
    if (a->off != b->off)
        return a->off ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

static int note_program(const synth_note *nt)
{
    return nt->program >= 0 ? nt->program : nt->voice == SYNTH_LEAD ? SYNTH_GM_LEAD : SYNTH_GM_COMP;
}

/* Give each distinct program a channel (in order of first use, channel 9
 * skipped) and set it; channel_of[i] is note i's. */
static int fluid_channels(fluid_synth_t *fs, int font, const char *path, const synth_note *notes, size_t n_notes,
                          int *channel_of, char *err)
{
    int program_channel[128];
    for (int p = 0; p < 128; p++)
        program_channel[p] = -1;
    int next = 0;
    for (size_t i = 0; i < n_notes; i++) {
        int p = note_program(&notes[i]);
        if (program_channel[p] < 0) {
            if (next == 9)
                next++;
            if (next >= 16)
                return err_set(err, "cannot render with '%s': more than 15 programs", path);
            program_channel[p] = next++;
            if (fl.fluid_synth_program_select(fs, program_channel[p], font, 0, p) != FLUID_OK) {
                /* Not a full GM set: play the program with the font's first preset. */
                fluid_sfont_t *sf = fl.fluid_synth_get_sfont_by_id(fs, font);
                fluid_preset_t *first = NULL;
                if (sf) {
                    fl.fluid_sfont_iteration_start(sf);
                    first = fl.fluid_sfont_iteration_next(sf);
                }
                if (!first || fl.fluid_synth_program_select(fs, program_channel[p], font,
                                                            fl.fluid_preset_get_banknum(first),
                                                            fl.fluid_preset_get_num(first)) != FLUID_OK)
                    return err_set(err, "cannot render with '%s': it has no preset to play", path);
            }
        }
        channel_of[i] = program_channel[p];
    }
    return 0;
}

/* Play the events into a->samples, stereo averaged to mono. */
static int fluid_play(fluid_synth_t *fs, const fluid_event *ev, size_t n_ev, synth_audio *a, const char *path,
                      char *err)
{
    enum { CHUNK = 1024 };
    float left[CHUNK], right[CHUNK];
    /* How many notes hold each channel's key: a key that two notes hold
     * at once is let go with the last of them. */
    unsigned short down[16][128];
    memset(down, 0, sizeof down);
    size_t e = 0;
    for (size_t pos = 0; pos < a->n;) {
        for (; e < n_ev && ev[e].at <= pos; e++) {
            const fluid_event *x = &ev[e];
            if (!x->off) {
                down[x->channel][x->key]++;
                fl.fluid_synth_noteon(fs, x->channel, x->key, x->velocity);
            } else if (--down[x->channel][x->key] == 0) {
                fl.fluid_synth_noteoff(fs, x->channel, x->key);
            }
        }
        size_t len = a->n - pos < CHUNK ? a->n - pos : CHUNK;
        if (e < n_ev && ev[e].at - pos < len)
            len = ev[e].at - pos;
        if (fl.fluid_synth_write_float(fs, (int)len, left, 0, 1, right, 0, 1) != FLUID_OK)
            return err_set(err, "cannot render with '%s': FluidSynth failed", path);
        for (size_t j = 0; j < len; j++)
            a->samples[pos + j] = 0.5f * (left[j] + right[j]);
        pos += len;
    }
    return 0;
}

/* A raised-cosine fade over the last SYNTH_FADE_SECONDS. */
static void fade_out(synth_audio *a)
{
    size_t fade = (size_t)llround(SYNTH_FADE_SECONDS * a->rate);
    if (fade > a->n)
        fade = a->n;
    for (size_t j = 0; j < fade; j++)
        a->samples[a->n - 1 - j] *= (float)(0.5 - 0.5 * cos(M_PI * (double)j / (double)fade));
}

static int render_fluid(const synth_note *notes, size_t n_notes, const char *path, synth_audio *a, char *err)
{
    if (synth_fluidsynth(err) < 0)
        return -1;
    /* fopen first: its errno says why better than FluidSynth would. */
    FILE *f = fopen(path, "rb");
    if (!f)
        return err_set(err, "cannot open '%s': %s", path, strerror(errno));
    fclose(f);

    char last_error[ERR_MAX] = "";
    fluid_silence(last_error);
    int rc = -1;
    fluid_settings_t *settings = fl.new_fluid_settings();
    fluid_synth_t *fs = NULL;
    fluid_event *ev = NULL;
    int *channel_of = NULL;
    if (!settings) {
        err_set(err, "cannot render with '%s': FluidSynth cannot start", path);
        goto done;
    }
    if (fl.fluid_settings_setnum(settings, "synth.sample-rate", a->rate) != FLUID_OK) {
        err_set(err, "cannot render at %d Hz with FluidSynth", a->rate);
        goto done;
    }
    /* One thread calls it, and the samples stay in memory.  A gain of 0.5
     * rather than FluidSynth's cautious 0.2: limit_peak scales down what
     * would pass SYNTH_PEAK. */
    fl.fluid_settings_setint(settings, "synth.threadsafe-api", 0);
    fl.fluid_settings_setint(settings, "synth.lock-memory", 0);
    fl.fluid_settings_setnum(settings, "synth.gain", 0.5);
    fs = fl.new_fluid_synth(settings);
    if (!fs) {
        err_set(err, "cannot render at %d Hz with FluidSynth%s%s", a->rate, last_error[0] ? ": " : "", last_error);
        goto done;
    }
    last_error[0] = 0;
    GLogFunc glib_was = fl.g_log_set_default_handler ? fl.g_log_set_default_handler(glib_quiet, NULL) : NULL;
    int font = fl.fluid_synth_sfload(fs, path, 1);
    if (fl.g_log_set_default_handler)
        fl.g_log_set_default_handler(glib_was, NULL);
    if (font == FLUID_FAILED) {
        err_set(err, "cannot load SoundFont '%s': %s", path, last_error[0] ? last_error : "FluidSynth refused it");
        goto done;
    }
    ev = malloc(sizeof *ev * 2 * (n_notes ? n_notes : 1));
    channel_of = malloc(sizeof *channel_of * (n_notes ? n_notes : 1));
    if (!ev || !channel_of) {
        err_set(err, "cannot render: out of memory");
        goto done;
    }
    if (fluid_channels(fs, font, path, notes, n_notes, channel_of, err) < 0)
        goto done;
    for (size_t i = 0; i < n_notes; i++) {
        note_span s = note_place(&notes[i], a->rate);
        fluid_event on = {s.start, 0, i, channel_of[i], notes[i].pitch, notes[i].velocity};
        fluid_event off = {s.start + s.held, 1, i, channel_of[i], notes[i].pitch, 0};
        ev[2 * i] = on;
        ev[2 * i + 1] = off;
    }
    qsort(ev, 2 * n_notes, sizeof *ev, event_order);
    if (fluid_play(fs, ev, 2 * n_notes, a, path, err) < 0)
        goto done;
    fade_out(a);
    rc = 0;
done:
    free(ev);
    free(channel_of);
    if (fs)
        fl.delete_fluid_synth(fs);
    if (settings)
        fl.delete_fluid_settings(settings);
    /* Still silent, but no longer writing into this call's buffer. */
    fluid_silence(NULL);
    return rc;
}

/* ---------------------------------------------------------------- API */

int synth_render(const synth_note *notes, size_t n_notes, int rate, const char *soundfont, synth_audio *out,
                 char *err)
{
    memset(out, 0, sizeof *out);
    size_t n = 0;
    if (check_notes(notes, n_notes, rate, &n, err) < 0)
        return -1;
    synth_audio a = {calloc(n ? n : 1, sizeof(float)), n, rate, 1.0f};
    if (!a.samples)
        return err_set(err, "cannot render %zu samples: out of memory", n);
    if (soundfont && render_fluid(notes, n_notes, soundfont, &a, err) < 0) {
        free(a.samples);
        return -1;
    }
    /* In the order given: the sums, so the samples, do not depend on anything else. */
    for (size_t i = 0; !soundfont && i < n_notes; i++)
        render_note(a.samples, &notes[i], rate);
    limit_peak(&a);
    *out = a;
    return 0;
}

const char *synth_find_soundfont(void)
{
    static const char *const places[] = {
        "/usr/share/sounds/sf2/default-GM.sf2", "/usr/share/sounds/sf2/FluidR3_GM.sf2",
        "/usr/share/sounds/sf2/TimGM6mb.sf2",   "/usr/share/sounds/sf3/default-GM.sf3",
        "/usr/share/sounds/sf3/MuseScore_General.sf3",
    };
    for (size_t i = 0; i < sizeof places / sizeof places[0]; i++)
        if (access(places[i], R_OK) == 0)
            return places[i];
    return NULL;
}

int synth_write_wav(const char *path, const synth_audio *a, char *err)
{
    return wav_write(path, a->samples, a->n, a->rate, err);
}

void synth_free(synth_audio *a)
{
    free(a->samples);
    memset(a, 0, sizeof *a);
}
