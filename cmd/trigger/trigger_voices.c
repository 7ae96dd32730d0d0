/* trigger voices — positives, negatives and backgrounds from text and
 * noise, with the speech engines and sox of a Debian machine: nothing is
 * downloaded.  Every render is planned first from --seed (speech.c), then
 * the renders run --threads at a time, each a few short processes into a
 * private temporary folder, so the files do not depend on the threads. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fileio.h"
#include "parallel.h"
#include "speech.h"
#include "trigger.h"

#define PEAK 0.9f        /* each render's peak after trimming */
#define BG_SECONDS 10

extern char **environ;

enum { JOB_POSITIVE, JOB_NEGATIVE, JOB_BACKGROUND };
static const char *const folder[] = {"positives", "negatives", "backgrounds"};

/* The sounds of the backgrounds, in turn. */
enum { BG_WHITE, BG_PINK, BG_BROWN, BG_HUM, BG_RUMBLE, BG_FAN, BG_WIND, BG_QUIET, BG_SILENCE, BG_KINDS };
static const char *const bg_name[] = {"white noise", "pink noise", "brown noise", "mains hum", "rumble",
                                      "fan", "wind", "quiet room", "silence"};

typedef struct {
    int kind, number;
    char text[SPEECH_TEXT_MAX];
    speech_plan plan;
    int bg;                    /* background: its sound */
    double level, offset;      /* background: volume, offset into the noise in s */
    int freq;                  /* background: hum or filter frequency in Hz */
    char path[64];             /* under the output folder */
    char describe[200];
    char error[ERR_MAX];
} job;

typedef struct {
    const trigger_options *o;
    job *jobs;
    long n;
    int share, shares;
    const char *tmp;
    atomic_long *done;
    progress *pr;      /* share 0 reports progress between its renders */
} share_work;

static int installed(const char *program)
{
    const char *path = getenv("PATH");
    if (!path || !*path)
        path = "/usr/bin:/bin";
    for (const char *p = path; *p;) {
        size_t len = strcspn(p, ":");
        char full[4096];
        snprintf(full, sizeof full, "%.*s/%s", (int)len, p, program);
        if (access(full, X_OK) == 0)
            return 1;
        p += len + (p[len] == ':');
    }
    return 0;
}

/* Run argv with its output thrown away; 0 when it exits 0, else -1 with a
 * message. */
static int run(char **argv, char *err)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid;
    int e = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (e)
        return err_set(err, "cannot run %s: %s", argv[0], strerror(e));
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return err_set(err, "%s: %s", argv[0], strerror(errno));
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return err_set(err, "%s failed (%s %d)", argv[0], WIFEXITED(status) ? "exit status" : "signal",
                       WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
    return 0;
}

/* The engine's render of j's text into raw, then sox's effects into
 * fx when the plan has any: the file to read. */
static const char *speak(const job *j, const char *raw, const char *fx, int out_rate, char *err)
{
    const speech_plan *p = &j->plan;
    char speed[32], pitch[48];
    if (p->engine == SPEECH_ESPEAK) {
        snprintf(speed, sizeof speed, "%d", p->speed);
        snprintf(pitch, sizeof pitch, "%d", p->pitch);
        char *argv[] = {"espeak-ng", "-v", (char *)p->voice, "-s", speed, "-p", pitch, "-w", (char *)raw,
                        (char *)j->text, NULL};
        if (run(argv, err) < 0)
            return NULL;
    } else {
        snprintf(speed, sizeof speed, "duration_stretch=%.2f", p->speed / 100.0);
        snprintf(pitch, sizeof pitch, "int_f0_target_mean=%d", p->pitch);
        char *argv[16] = {"flite", "-voice", (char *)p->voice, "--setf", speed};
        int n = 5;
        if (p->pitch) { /* 0: the voice's own f0 */
            argv[n++] = "--setf";
            argv[n++] = pitch;
        }
        argv[n++] = "-t";
        argv[n++] = (char *)j->text;
        argv[n++] = "-o";
        argv[n++] = (char *)raw;
        argv[n] = NULL;
        if (run(argv, err) < 0)
            return NULL;
    }
    if (!speech_has_effects(p))
        return raw;
    /* the effects run at the output rate: at an engine's own 8 kHz, the
     * pitch effect's inner rate leaves a telephone band no room */
    char rate[16];
    snprintf(rate, sizeof rate, "%d", out_rate);
    char *argv[32] = {"sox", "-R", (char *)raw, "-e", "floating-point", "-b", "32", (char *)fx, "rate", rate};
    char buf[256];
    speech_effect_args(p, argv + 10, buf);
    return run(argv, err) < 0 ? NULL : fx;
}

static int render_speech(const trigger_options *o, job *j, const char *tmp)
{
    char raw[4200], fx[4200], err[ERR_MAX];
    snprintf(raw, sizeof raw, "%s/%d-%d.wav", tmp, j->kind, j->number);
    snprintf(fx, sizeof fx, "%s/%d-%d-fx.wav", tmp, j->kind, j->number);
    const char *in = speak(j, raw, fx, o->rate, err);
    wav_audio a = {0};
    int bad = !in;
    if (!bad && wav_read(in, o->rate, &a, err) < 0)
        bad = 1;
    if (!bad && speech_trim(a.samples, &a.n, o->rate, PEAK) < 0)
        bad = err_set(err, "the render is silent");
    char *out = bad ? NULL : trigger_join(o->output, j->path);
    if (!bad && wav_write(out, a.samples, a.n, o->rate, err) < 0)
        bad = 1;
    free(out);
    wav_free(&a);
    unlink(raw);
    unlink(fx);
    if (bad)
        snprintf(j->error, sizeof j->error, "%.200s ('%.100s', %.180s)", err, j->text, j->describe);
    return bad ? -1 : 0;
}

static int render_background(const trigger_options *o, job *j, const char *tmp)
{
    char path[4200], rate[16], len[32], off[32], vol[32], f[32], f2[32], err[ERR_MAX];
    snprintf(path, sizeof path, "%s/%d-%d.wav", tmp, j->kind, j->number);
    snprintf(rate, sizeof rate, "%d", o->rate);
    snprintf(len, sizeof len, "%.4f", BG_SECONDS + j->offset);
    snprintf(off, sizeof off, "%.4f", j->offset);
    snprintf(vol, sizeof vol, "%.4f", j->level);
    snprintf(f, sizeof f, "%d", j->freq);
    snprintf(f2, sizeof f2, "%d", j->freq / 2);
    char *argv[40] = {"sox", "-R", "-n", "-r", rate, "-c", "1", "-b", "16", path};
    int n = 10;
#define A(...) do { char *a_[] = {__VA_ARGS__}; for (size_t i_ = 0; i_ < sizeof a_ / sizeof *a_; i_++) argv[n++] = a_[i_]; } while (0)
    switch (j->bg) {
    case BG_WHITE: A("synth", len, "whitenoise", "vol", vol); break;
    case BG_PINK: A("synth", len, "pinknoise", "vol", vol); break;
    case BG_BROWN: A("synth", len, "brownnoise", "vol", vol); break;
    case BG_HUM: A("synth", len, "square", f, "vol", vol, "lowpass", "500"); break;
    case BG_RUMBLE: A("synth", len, "brownnoise", "vol", vol, "lowpass", f); break;
    case BG_FAN: A("synth", len, "pinknoise", "vol", vol, "bandpass", f, f2); break;
    case BG_WIND: A("synth", len, "pinknoise", "vol", vol, "tremolo", "0.2", "70", "lowpass", f); break;
    case BG_QUIET: A("synth", len, "pinknoise", "vol", vol); break;
    default: A("trim", "0", len); break;
    }
    A("trim", off, "10");
#undef A
    argv[n] = NULL;
    char *out = trigger_join(o->output, j->path);
    int bad = run(argv, err) < 0;
    if (!bad && rename(path, out) < 0)
        bad = err_set(err, "cannot write '%s': %s", out, strerror(errno));
    free(out);
    if (bad) {
        unlink(path);
        snprintf(j->error, sizeof j->error, "%.300s (%.180s)", err, j->describe);
    }
    return bad ? -1 : 0;
}

static void *render_share(void *arg)
{
    share_work *w = arg;
    for (long i = w->share; i < w->n && !cli_stop_requested; i += w->shares) {
        job *j = &w->jobs[i];
        if (j->kind == JOB_BACKGROUND)
            render_background(w->o, j, w->tmp);
        else
            render_speech(w->o, j, w->tmp);
        long done = atomic_fetch_add(w->done, 1) + 1;
        if (w->share == 0)
            progress_update(w->pr, done, NULL);
    }
    return NULL;
}

/* ---- planning ---- */

static int parse_engines(const char *list)
{
    int mask = 0;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", list);
    for (char *t = strtok(buf, ","); t; t = strtok(NULL, ","))
        if (strcmp(t, "espeak-ng") == 0)
            mask |= SPEECH_ESPEAK;
        else if (strcmp(t, "flite") == 0)
            mask |= SPEECH_FLITE;
        else
            die_usage("--engines: no engine '%s' (espeak-ng, flite)", t);
    if (!mask)
        die_usage("--engines names no engine");
    return mask;
}

/* Engines asked for and installed; dies when none is left. */
static int available_engines(const trigger_options *o, int quiet)
{
    int mask = parse_engines(o->engines), ok = 0;
    if ((mask & SPEECH_ESPEAK) && installed("espeak-ng"))
        ok |= SPEECH_ESPEAK;
    if ((mask & SPEECH_FLITE) && installed("flite"))
        ok |= SPEECH_FLITE;
    int missing = mask & ~ok;
    if (missing && !ok)
        die("%s not installed (Debian package%s %s)",
            missing == (SPEECH_ESPEAK | SPEECH_FLITE) ? "espeak-ng and flite are" : missing == SPEECH_ESPEAK ? "espeak-ng is" : "flite is",
            missing == (SPEECH_ESPEAK | SPEECH_FLITE) ? "s" : "",
            missing == (SPEECH_ESPEAK | SPEECH_FLITE) ? "espeak-ng, flite" : missing == SPEECH_ESPEAK ? "espeak-ng" : "flite");
    if (missing && !quiet)
        warn("%s is not installed; rendering with %s only", missing == SPEECH_ESPEAK ? "espeak-ng" : "flite",
             ok == SPEECH_ESPEAK ? "espeak-ng" : "flite");
    return ok;
}

/* The wake word or phrase from the operands: letters, apostrophes,
 * hyphens, one space between words. */
static void wake_phrase(int argc, char **argv, char *out, size_t n)
{
    size_t k = 0;
    for (int i = 0; i < argc; i++)
        for (const char *p = argv[i]; *p; p++) {
            int c = (unsigned char)*p;
            int letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '\'' || c == '-';
            if (!letter && c != ' ')
                die_usage("the wake word is letters, apostrophes and hyphens, not '%s'", argv[i]);
            if (c == ' ' && (k == 0 || out[k - 1] == ' '))
                continue;
            if (k + 2 >= n)
                die_usage("the wake word is longer than %zu letters", n - 2);
            if (i > 0 && p == argv[i] && k && out[k - 1] != ' ')
                out[k++] = ' ';
            out[k++] = (char)c;
        }
    while (k && out[k - 1] == ' ')
        k--;
    out[k] = 0;
    if (!k || out[0] == '-')
        die_usage("voices wants the wake word");
}

/* The near-miss words: --near's list, or speech_near_words. */
static int near_words(const trigger_options *o, const char *wake, char *buf, size_t n, const char **out)
{
    if (!o->near)
        return speech_near_words(wake, out, SPEECH_NEAR_MAX);
    snprintf(buf, n, "%s", o->near);
    int count = 0;
    for (char *t = strtok(buf, ","); t && count < SPEECH_NEAR_MAX; t = strtok(NULL, ",")) {
        while (*t == ' ')
            t++;
        if (!*t)
            continue;
        if (speech_contains(t, wake))
            die_usage("--near: '%s' contains the wake word", t);
        for (const char *p = t; *p; p++)
            if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ' -", *p))
                die_usage("--near: '%s' is not letters, apostrophes, hyphens and spaces", t);
        out[count++] = t;
    }
    if (!count)
        die_usage("--near names no word");
    return count;
}

/* The text of negative i: in every ten, five near-miss words, three
 * other words and two sentences (six words and four sentences when
 * there are no near-miss words); each list in a shuffled order, round
 * and round. */
static const char *negative_text(long i, const char *const *near, int nnear, const int *word_order,
                                 int nwords, const int *sentence_order, long *cursor)
{
    int slot = (int)(i % 10);
    if (nnear && slot < 5)
        return near[cursor[0]++ % nnear];
    if (nwords && slot < (nnear ? 8 : 6))
        return speech_words[word_order[cursor[1]++ % nwords]];
    return speech_sentences[sentence_order[cursor[2]++ % speech_nsentences]];
}

static int *shuffled(rng *r, int n)
{
    int *a = malloc((size_t)n * sizeof *a);
    if (!a)
        die("out of memory");
    for (int i = 0; i < n; i++)
        a[i] = i;
    rng_shuffle_int(r, a, (size_t)n);
    return a;
}

static void plan_background(rng *r, job *j, long i)
{
    j->bg = (int)(i % BG_KINDS);
    j->offset = (double)rng_below(r, 200000) / 10000.0; /* 0 to 20 s, in 0.1 ms */
    j->level = 0.02 + 0.25 * rng_uniform(r);
    j->freq = 0;
    if (j->bg == BG_HUM)
        j->freq = rng_below(r, 2) ? 50 : 60;
    else if (j->bg == BG_RUMBLE)
        j->freq = 150 + (int)rng_below(r, 400);
    else if (j->bg == BG_FAN)
        j->freq = 300 + (int)rng_below(r, 1500);
    else if (j->bg == BG_WIND)
        j->freq = 500 + (int)rng_below(r, 1500);
    else if (j->bg == BG_QUIET)
        j->level = 0.001 + 0.004 * rng_uniform(r);
    if (j->bg == BG_SILENCE)
        snprintf(j->describe, sizeof j->describe, "sox %s", bg_name[j->bg]);
    else if (j->freq)
        snprintf(j->describe, sizeof j->describe, "sox %s, volume %.3f, %d Hz", bg_name[j->bg], j->level, j->freq);
    else
        snprintf(j->describe, sizeof j->describe, "sox %s, volume %.3f", bg_name[j->bg], j->level);
}

static job *plan_jobs(const trigger_options *o, const char *wake, const char *const *near, int nnear,
                      int engines, long *count)
{
    long n = o->renders + o->negatives + o->backgrounds;
    job *jobs = calloc((size_t)n, sizeof *jobs);
    if (!jobs)
        die("out of memory");
    rng r;
    rng_seed(&r, o->seed);
    int *word_order = shuffled(&r, speech_nwords), *sentence_order = shuffled(&r, speech_nsentences);
    /* general words that hold the wake word are left out */
    int nwords = 0;
    for (int i = 0; i < speech_nwords; i++)
        if (!speech_contains(speech_words[word_order[i]], wake))
            word_order[nwords++] = word_order[i];
    static const char *const endings[] = {"", ".", "!", "?"};
    long cursor[3] = {0, 0, 0}, k = 0;
    long counts[3] = {o->renders, o->negatives, o->backgrounds};
    int width[3];
    for (int kind = 0; kind < 3; kind++)
        width[kind] = counts[kind] >= 10000 ? snprintf(NULL, 0, "%ld", counts[kind]) : 4;
    for (int kind = 0; kind < 3; kind++)
        for (long i = 0; i < counts[kind]; i++, k++) {
            job *j = &jobs[k];
            j->kind = kind;
            j->number = (int)i + 1;
            snprintf(j->path, sizeof j->path, "%s/%0*ld.wav", folder[kind], width[kind], i + 1);
            if (kind == JOB_BACKGROUND) {
                plan_background(&r, j, i);
                continue;
            }
            const char *text = kind == JOB_POSITIVE ? wake
                             : negative_text(i, near, nnear, word_order, nwords, sentence_order, cursor);
            snprintf(j->text, sizeof j->text, "%s%s", text,
                     kind == JOB_POSITIVE ? endings[rng_below(&r, 4)] : "");
            speech_draw(&r, engines, !o->no_effects, &j->plan);
            speech_describe(&j->plan, j->describe, sizeof j->describe);
        }
    free(word_order);
    free(sentence_order);
    *count = n;
    return jobs;
}

static void write_manifest(const trigger_options *o, const job *jobs, long n)
{
    char *path = trigger_join(o->output, "voices.tsv");
    atomic_file f;
    if (atomic_open(&f, path) < 0)
        die("cannot write '%s': %s", path, strerror(errno));
    fprintf(f.f, "file\tkind\ttext\thow\n");
    for (long i = 0; i < n; i++)
        fprintf(f.f, "%s\t%s\t%s\t%s\n", jobs[i].path, folder[jobs[i].kind], jobs[i].text, jobs[i].describe);
    if (atomic_commit(&f) < 0)
        die("cannot write '%s': %s", path, strerror(errno));
    free(path);
}

int trigger_voices(void *opts, int argc, char **argv)
{
    trigger_options *o = opts;
    char wake[SPEECH_TEXT_MAX - 2], nearbuf[4096];
    wake_phrase(argc, argv, wake, sizeof wake);
    const char *near[SPEECH_NEAR_MAX];
    int nnear = near_words(o, wake, nearbuf, sizeof nearbuf, near);
    int engines = available_engines(o, o->quiet);
    if ((!o->no_effects || o->backgrounds) && !installed("sox"))
        die("sox is not installed (Debian package sox); --no-effects --backgrounds 0 do without it");
    for (int k = 0; k < 3; k++) {
        char *d = trigger_join(o->output, folder[k]);
        trigger_make_dir(d);
        free(d);
    }
    char *tmp = trigger_join(o->output, ".voices-XXXXXX");
    if (!mkdtemp(tmp))
        die("cannot make a temporary folder in '%s': %s", o->output, strerror(errno));
    long n;
    job *jobs = plan_jobs(o, wake, near, nnear, engines, &n);
    if (!o->quiet)
        inform("rendering '%s': %ld positives, %ld negatives (%d near-miss words), %ld backgrounds", wake,
               o->renders, o->negatives, nnear, o->backgrounds);

    int shares = o->threads < n ? o->threads : (int)(n ? n : 1);
    share_work *w = calloc((size_t)shares, sizeof *w);
    atomic_long done = 0;
    if (!w)
        die("out of memory");
    progress pr;
    progress_start(&pr, n, "renders", o->quiet);
    for (int s = 0; s < shares; s++)
        w[s] = (share_work){o, jobs, n, s, shares, tmp, &done, &pr};
    cli_catch_stop();
    parallel_run(shares, render_share, w, sizeof *w);
    progress_update(&pr, atomic_load(&done), NULL);
    progress_end(&pr);
    rmdir(tmp);
    for (long i = 0; i < n; i++)
        if (jobs[i].error[0])
            die("%s: %s", jobs[i].path, jobs[i].error);
    if (cli_stop_requested) {
        warn("interrupted after %ld of %ld renders", atomic_load(&done), n);
        return 130;
    }
    write_manifest(o, jobs, n);
    if (o->json) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "word", wake);
        cJSON_AddStringToObject(j, "folder", o->output);
        cJSON_AddNumberToObject(j, "positives", (double)o->renders);
        cJSON_AddNumberToObject(j, "negatives", (double)o->negatives);
        cJSON_AddNumberToObject(j, "backgrounds", (double)o->backgrounds);
        cJSON *list = cJSON_AddArrayToObject(j, "near");
        for (int i = 0; i < nnear; i++)
            cJSON_AddItemToArray(list, cJSON_CreateString(near[i]));
        cli_print_json(j);
    } else {
        printf("word %s\nfolder %s\npositives %ld\nnegatives %ld\nbackgrounds %ld\nnear", wake, o->output,
               o->renders, o->negatives, o->backgrounds);
        for (int i = 0; i < nnear; i++)
            printf("%s%s", i ? ", " : " ", near[i]);
        printf("\n");
    }
    free(w);
    free(jobs);
    free(tmp);
    return 0;
}
