/* trigger train's clips — every clip of the labelled folders as features
 * and targets in memory, and the clips made by mixing mined false alarms
 * (`trigger detect --clips`) into the clips without a wake word, with
 * targets of 0 throughout: the negatives of `train --negatives`. */
#include <stdlib.h>
#include <string.h>

#include "compose.h"
#include "labels.h"
#include "listen.h"
#include "mix.h"
#include "trigger.h"

/* Room for one more clip, or die. */
static void grow(trigger_clips *cs)
{
    if (cs->n < cs->cap)
        return;
    int cap = cs->cap ? 2 * cs->cap : 256;
    cs->feat = realloc(cs->feat, (size_t)cap * cs->T * cs->bins * sizeof *cs->feat);
    cs->target = realloc(cs->target, (size_t)cap * cs->ty * sizeof *cs->target);
    if (!cs->feat || !cs->target)
        die("out of memory for %d clips", cap);
    cs->cap = cap;
}

/* The features of audio[cs->samples] as the next clip; its targets are
 * the caller's to set.  Returns the clip's index. */
static int add_features(trigger_clips *cs, const wakenet *w, const float *audio)
{
    char err[ERR_MAX];
    grow(cs);
    if (listen_features(w->front, audio, cs->samples, cs->feat + (size_t)cs->n * cs->T * cs->bins, err) < 0)
        die("%s", err);
    return cs->n++;
}

/* Clip k, read from path, holds no wake word. */
static void keep_host(trigger_clips *cs, char *path, int k)
{
    text_lines *h = &cs->hosts;
    if (h->n == h->cap) {
        int cap = h->cap ? 2 * h->cap : 64;
        char **line = realloc(h->line, (size_t)cap * sizeof *line);
        int *clip = realloc(cs->host_clip, (size_t)cap * sizeof *clip);
        if (!line || !clip)
            die("out of memory");
        h->line = line;
        cs->host_clip = clip;
        h->cap = cap;
    }
    cs->host_clip[h->n] = k;
    h->line[h->n++] = path;
}

/* The first clip sets every clip's length, in samples and steps. */
static void set_length(trigger_clips *cs, const wakenet *w, size_t samples, const char *clip)
{
    cs->samples = samples;
    cs->T = (int)spec_frames(w->front, samples);
    cs->ty = wakenet_out_len(w, cs->T);
    if (cs->ty < 1)
        die("'%s': %.2f s is too short for the model", clip, (double)samples / listen_rate(w->front));
}

void trigger_clips_load(int argc, char **argv, const wakenet *w, double label_seconds, trigger_clips *cs)
{
    memset(cs, 0, sizeof *cs);
    int rate = listen_rate(w->front);
    cs->bins = w->bins;
    char err[ERR_MAX];
    float *audio = NULL;
    for (int a = 0; a < argc; a++) {
        char *path = trigger_join(argv[a], "labels.tsv");
        label_set ls;
        if (labels_read(path, &ls, err) < 0)
            die("%s", err);
        for (int i = 0; i < ls.n; i++) {
            char *clip = trigger_join(argv[a], ls.clip[i].file);
            wav_audio in;
            trigger_read_audio(clip, rate, &in);
            if (cs->n == 0) {
                set_length(cs, w, in.n, clip);
                if (!(audio = malloc(cs->samples * sizeof *audio)))
                    die("out of memory");
            }
            size_t m = in.n < cs->samples ? in.n : cs->samples;
            memcpy(audio, in.samples, m * sizeof *audio);
            memset(audio + m, 0, (cs->samples - m) * sizeof *audio);
            cs->cut += in.n > cs->samples;
            int k = add_features(cs, w, audio);
            const label_clip *c = &ls.clip[i];
            labels_targets(c->offset, c->n, cs->ty, mix_ms(cs->samples, rate), label_seconds,
                           cs->target + (size_t)k * cs->ty);
            cs->words += c->n;
            if (c->n == 0)
                keep_host(cs, clip, k);
            else
                free(clip);
            wav_free(&in);
        }
        labels_free(&ls);
        free(path);
    }
    free(audio);
    if (cs->n == 0)
        die("no clips in the labels of %s", argc == 1 ? argv[0] : "the folders");
}

/* A random training clip without a wake word (read again, at the clips'
 * length) among hosts[n], or silence when n is 0. */
static void host_audio(const trigger_clips *cs, const int *hosts, int n, int rate, rng *r, float *out)
{
    memset(out, 0, cs->samples * sizeof *out);
    if (n == 0)
        return;
    wav_audio in;
    trigger_read_audio(cs->hosts.line[hosts[rng_below(r, (uint64_t)n)]], rate, &in);
    memcpy(out, in.samples, (in.n < cs->samples ? in.n : cs->samples) * sizeof *out);
    wav_free(&in);
}

int trigger_clips_negatives(trigger_clips *cs, const wakenet *w, const char *dir, const char *held_out, rng *r,
                            long *cuts, long *skipped)
{
    int rate = listen_rate(w->front), nhosts = 0;
    int *hosts = malloc(((size_t)cs->hosts.n + 1) * sizeof *hosts);
    if (!hosts)
        die("out of memory");
    for (int i = 0; i < cs->hosts.n; i++)
        if (!held_out[cs->host_clip[i]])
            hosts[nhosts++] = i;
    text_lines paths;
    trigger_list_audio(dir, "negatives", &paths);
    if (paths.n == 0)
        die("the negatives folder '%s' holds no audio files (.wav, .flac, .ogg, .mp3, .aiff)", dir);
    wav_audio *audio = calloc((size_t)paths.n, sizeof *audio);
    compose_sound *sounds = calloc((size_t)paths.n, sizeof *sounds);
    float *clip = malloc(cs->samples * sizeof *clip), *host = malloc(cs->samples * sizeof *host);
    if (!audio || !sounds || !clip || !host)
        die("out of memory");
    for (int i = 0; i < paths.n; i++) {
        trigger_read_audio(paths.line[i], rate, &audio[i]);
        sounds[i] = (compose_sound){audio[i].samples, audio[i].n};
    }
    compose_settings set;
    compose_defaults(&set, rate, (double)cs->samples / rate);
    set.n = cs->samples;
    set.max_positives = 0;
    set.max_negatives = TRIGGER_NEGATIVES_PER_CLIP;
    int clips = TRIGGER_CLIPS_PER_NEGATIVE * paths.n;
    char err[ERR_MAX];
    *skipped = 0;
    for (int i = 0; i < clips; i++) {
        host_audio(cs, hosts, nhosts, rate, r, host);
        compose_sound bg = {host, cs->samples};
        compose_labels lab;
        if (compose_clip(&set, &bg, 1, NULL, 0, sounds, paths.n, r, clip, &lab, err) < 0)
            die("%s", err);
        *skipped += lab.skipped;
        int k = add_features(cs, w, clip);
        memset(cs->target + (size_t)k * cs->ty, 0, (size_t)cs->ty * sizeof *cs->target);
    }
    *cuts = paths.n;
    for (int i = 0; i < paths.n; i++)
        wav_free(&audio[i]);
    free(audio);
    free(sounds);
    free(clip);
    free(host);
    free(hosts);
    text_lines_free(&paths);
    return clips;
}

void trigger_clips_free(trigger_clips *cs)
{
    free(cs->feat);
    free(cs->target);
    text_lines_free(&cs->hosts);
    free(cs->host_clip);
    memset(cs, 0, sizeof *cs);
}
