/* trigger detect — the wake word in files and streams: each detection
 * printed (and flushed) as soon as the step that fires it is heard, in
 * memory that does not grow with the audio; with -o, the input with a
 * chime at each detection.  A file, the same file through a pipe and the
 * same samples as raw PCM go through the same stream (listen.c), so they
 * give the same detections.  With --clips, the audio around each
 * detection is saved (cutter.c): the false alarms that train --negatives
 * learns from. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cutter.h"
#include "labels.h"
#include "listen.h"
#include "mix.h"
#include "trigger.h"
#include "wakemodel.h"

typedef struct {
    const trigger_options *o;
    const char *name;           /* the file, for several files and --json */
    int several;
    double threshold, refractory, last;
    double *times;              /* with -o: detection times */
    long n, cap;
    cutter *cuts;               /* with --clips */
    long saved;
} detect_ctx;

/* Seconds kept before and after a detection by --clips. */
#define CLIP_BEFORE 2.0
#define CLIP_AFTER 0.25

/* One line (or JSON object) for the step at t: a detection, or with
 * --scores any step, its score with more decimals. */
static void print_step(const detect_ctx *c, double t, float score)
{
    int fine = c->o->scores;
    if (c->o->json) {
        double r = fine ? 1e6 : 1e3;
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "file", c->name);
        cJSON_AddNumberToObject(j, "time", round(t * 1000) / 1000);
        cJSON_AddNumberToObject(j, "score", round(score * r) / r);
        cli_print_json(j);
    } else if (fine) {
        printf("%s%s%.3f\t%.6f\n", c->several ? c->name : "", c->several ? ":" : "", t, score);
    } else {
        printf("%s%s%.2f\t%.3f\n", c->several ? c->name : "", c->several ? ":" : "", t, score);
    }
}

static void on_step(void *arg, double t, float score)
{
    detect_ctx *c = arg;
    if (c->o->scores)
        print_step(c, t, score);
    if (!labels_fires(&c->last, t, score, c->threshold, c->refractory))
        return;
    if (!c->o->scores) {
        print_step(c, t, score);
        fflush(stdout);
    }
    char err[ERR_MAX];
    if (c->cuts && cutter_mark(c->cuts, t, err) < 0)
        die("%s", err);
    if (c->o->output) {
        if (c->n == c->cap) {
            c->cap = c->cap ? 2 * c->cap : 64;
            if (!(c->times = realloc(c->times, (size_t)c->cap * sizeof *c->times)))
                die("out of memory");
        }
        c->times[c->n++] = t;
    }
}

/* One cut of --clips, as DIR/NAME@SECONDS.wav: NAME the input's path
 * with '/' as '_' and without its extension ("stdin" for -). */
static int save_cut(void *arg, double t, const float *x, size_t n, char *err)
{
    detect_ctx *c = arg;
    const char *name = strcmp(c->name, "-") == 0 ? "stdin" : c->name;
    while (name[0] == '.' && name[1] == '/')
        name += 2;
    size_t len = strlen(name);
    const char *dot = strrchr(name, '.'), *slash = strrchr(name, '/');
    if (dot && dot > name && (!slash || dot > slash + 1))
        len = (size_t)(dot - name);
    char *file = malloc(len + 32);
    if (!file)
        return err_set(err, "out of memory");
    for (size_t i = 0; i < len; i++)
        file[i] = name[i] == '/' ? '_' : name[i];
    snprintf(file + len, 32, "@%.2f.wav", t);
    char *path = trigger_join(c->o->clips, file);
    int rc = wav_write(path, x, n, c->cuts->rate, err);
    free(path);
    free(file);
    c->saved += rc == 0;
    return rc;
}

static wav_stream *open_input(const trigger_options *o, const char *path, int rate)
{
    char err[ERR_MAX];
    wav_stream *s;
    if (o->raw)
        s = wav_stream_open_raw(STDIN_FILENO, "standard input", o->raw_rate, o->channels, rate, err);
    else if (strcmp(path, "-") == 0)
        s = wav_stream_open_fd(STDIN_FILENO, "standard input", rate, err);
    else
        s = wav_stream_open(path, rate, err);
    if (!s)
        die("%s", err);
    return s;
}

/* The chime of --chime (any audio file) or the built-in one, at rate. */
static float *chime(const trigger_options *o, int rate, size_t *n)
{
    if (o->chime) {
        wav_audio a;
        trigger_read_audio(o->chime, rate, &a);
        *n = a.n;
        return a.samples;
    }
    float *c = listen_chime(rate, n);
    if (!c)
        die("out of memory");
    return c;
}

/* Append x[n] to the whole input kept for -o. */
static void keep(float **all, size_t *len, size_t *cap, const float *x, size_t n)
{
    if (*len + n > *cap) {
        *cap = (*len + n) * 2;
        if (!(*all = realloc(*all, *cap * sizeof **all)))
            die("out of memory");
    }
    memcpy(*all + *len, x, n * sizeof *x);
    *len += n;
}

int trigger_detect(void *opts, int argc, char **argv)
{
    trigger_options *o = opts;
    if (argc < 1)
        die_usage("detect wants audio files ('-': standard input)");
    if (o->raw && (argc != 1 || strcmp(argv[0], "-") != 0))
        die_usage("--raw reads standard input: give '-' alone");
    if (o->raw && !o->raw_rate)
        die_usage("--raw wants --rate HZ (and --channels C when not 1)");
    if (!o->raw && (o->raw_rate || o->channels))
        die_usage("--rate and --channels describe --raw input");
    if (o->output && argc != 1)
        die_usage("-o writes one file's audio with chimes: give one input");
    if (o->chime && !o->output)
        die_usage("--chime wants -o OUT.wav");
    if (!o->channels)
        o->channels = 1;
    const char *path = o->model ? o->model : trigger_default_model();
    char err[ERR_MAX];
    wakemodel m;
    if (wakemodel_load(&m, path, err) < 0)
        die("%s", err);
    listener l;
    if (listener_init(&l, m.net, m.members, err) < 0)
        die("%s", err);
    detect_ctx c = {o, NULL, argc > 1, o->threshold >= 0 ? o->threshold : m.threshold,
                    o->refractory >= 0 ? o->refractory : m.refractory, 0, NULL, 0, 0, NULL, 0};
    cutter cuts;
    if (o->clips) {
        trigger_make_dir(o->clips);
        if (cutter_init(&cuts, l.rate, CLIP_BEFORE, CLIP_AFTER, err) < 0)
            die("%s", err);
        c.cuts = &cuts;
    }
    float *all = NULL;
    size_t len = 0, cap = 0;
    for (int i = 0; i < argc; i++) {
        c.name = strcmp(argv[i], "-") == 0 ? "-" : argv[i];
        c.last = -INFINITY;
        wav_stream *s = open_input(o, argv[i], l.rate);
        listener_reset(&l);
        const float *x;
        long n;
        while ((n = wav_stream_read(s, &x, err)) > 0) {
            listener_push(&l, x, (size_t)n, on_step, &c);
            if (o->scores) /* the block's steps, as they are heard */
                fflush(stdout);
            if (c.cuts && cutter_push(c.cuts, x, (size_t)n, save_cut, &c, err) < 0)
                die("%s", err);
            if (o->output)
                keep(&all, &len, &cap, x, (size_t)n);
        }
        if (n < 0)
            die("%s", err);
        if (c.cuts && cutter_flush(c.cuts, save_cut, &c, err) < 0)
            die("%s", err);
        if (c.cuts)
            cutter_reset(c.cuts);
        wav_stream_close(s);
    }
    if (c.cuts) {
        if (!o->quiet)
            inform("%ld clip(s) of the audio around the detections saved in '%s'", c.saved, o->clips);
        cutter_free(c.cuts);
    }
    if (o->output) {
        size_t cn;
        float *bell = chime(o, l.rate, &cn);
        for (long i = 0; i < c.n; i++)
            mix_overlay(all, len, bell, cn, (size_t)llround(c.times[i] * l.rate), 1.0f);
        if (wav_write(o->output, all ? all : bell, all ? len : 0, l.rate, err) < 0)
            die("%s", err);
        free(bell);
    }
    free(all);
    free(c.times);
    listener_free(&l);
    wakemodel_free(&m);
    return 0;
}
