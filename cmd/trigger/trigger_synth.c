/* trigger synth — labelled training clips from folders of positives,
 * negatives and backgrounds (compose.c makes each clip): the clips as
 * 16-bit WAV files and one labels file, labels.tsv, a line per wake word
 * ("FILE<TAB>ONSET<TAB>OFFSET", seconds) and a line with the file's name
 * alone for a clip without one, so that it lists every clip. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "compose.h"
#include "fileio.h"
#include "trigger.h"

typedef struct {
    text_lines paths;
    wav_audio *audio;
    compose_sound *sounds;
} sound_set;

/* Every audio file of dir at rate, or die; an empty folder is an error
 * unless may_be_empty. */
static void load_sounds(const char *dir, const char *what, int rate, int may_be_empty, sound_set *s)
{
    trigger_list_audio(dir, what, &s->paths);
    if (s->paths.n == 0 && !may_be_empty)
        die("the %s folder '%s' holds no audio files (.wav, .flac, .ogg, .mp3, .aiff)", what, dir);
    s->audio = calloc((size_t)s->paths.n + 1, sizeof *s->audio);
    s->sounds = calloc((size_t)s->paths.n + 1, sizeof *s->sounds);
    if (!s->audio || !s->sounds)
        die("out of memory");
    for (int i = 0; i < s->paths.n; i++) {
        trigger_read_audio(s->paths.line[i], rate, &s->audio[i]);
        if (s->audio[i].n == 0)
            die("'%s' holds no audio", s->paths.line[i]);
        s->sounds[i] = (compose_sound){s->audio[i].samples, s->audio[i].n};
    }
}

static void free_sounds(sound_set *s)
{
    for (int i = 0; i < s->paths.n; i++)
        wav_free(&s->audio[i]);
    free(s->audio);
    free(s->sounds);
    text_lines_free(&s->paths);
}

static void write_labels(FILE *f, const char *name, const compose_labels *lab)
{
    if (lab->npos == 0)
        fprintf(f, "%s\n", name);
    for (int i = 0; i < lab->npos; i++)
        fprintf(f, "%s\t%.3f\t%.3f\n", name, lab->pos[i].start_ms / 1000.0, (lab->pos[i].end_ms + 1) / 1000.0);
}

int trigger_synth(void *opts, int argc, char **argv)
{
    trigger_options *o = opts;
    if (argc != 3)
        die_usage("synth wants three folders: positives, negatives and backgrounds");
    sound_set pos, neg, bg;
    load_sounds(argv[0], "positives", o->rate, 0, &pos);
    load_sounds(argv[1], "negatives", o->rate, 1, &neg);
    load_sounds(argv[2], "backgrounds", o->rate, 0, &bg);
    compose_settings cs;
    compose_defaults(&cs, o->rate, o->seconds);
    cs.max_positives = o->max_positives;
    cs.max_negatives = o->max_negatives;
    cs.vocode_share = (float)o->vocode;
    trigger_make_dir(o->output);
    char *labels_path = trigger_join(o->output, "labels.tsv");
    atomic_file labels;
    if (atomic_open(&labels, labels_path) < 0)
        die("cannot write '%s': %s", labels_path, strerror(errno));
    float *clip = malloc(cs.n * sizeof *clip);
    if (!clip)
        die("out of memory");
    int width = o->count >= 100000 ? snprintf(NULL, 0, "%ld", o->count) : 5;
    rng r;
    rng_seed(&r, o->seed);
    long positives = 0, negatives = 0, skipped = 0, i;
    char err[ERR_MAX];
    cli_catch_stop();
    progress pr;
    progress_start(&pr, o->count, "clips", o->quiet);
    for (i = 0; i < o->count && !cli_stop_requested; i++) {
        compose_labels lab;
        if (compose_clip(&cs, bg.sounds, bg.paths.n, pos.sounds, pos.paths.n, neg.sounds, neg.paths.n, &r, clip,
                         &lab, err) < 0)
            die("%s", err);
        char name[32];
        snprintf(name, sizeof name, "%0*ld.wav", width, i + 1);
        char *path = trigger_join(o->output, name);
        if (wav_write(path, clip, cs.n, o->rate, err) < 0)
            die("%s", err);
        free(path);
        write_labels(labels.f, name, &lab);
        positives += lab.npos;
        negatives += lab.nneg;
        skipped += lab.skipped;
        progress_update(&pr, i + 1, NULL);
    }
    progress_end(&pr);
    if (atomic_commit(&labels) < 0)
        die("cannot write '%s': %s", labels_path, strerror(errno));
    if (skipped && !o->quiet)
        warn("%ld word(s) as long as a clip (%g s) or longer were left out", skipped, o->seconds);
    if (cli_stop_requested) {
        warn("interrupted after %ld of %ld clips; '%s' lists those", i, o->count, labels_path);
        return 130;
    }
    if (o->json) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "folder", o->output);
        cJSON_AddStringToObject(j, "labels", labels_path);
        cJSON_AddNumberToObject(j, "clips", (double)i);
        cJSON_AddNumberToObject(j, "positives", (double)positives);
        cJSON_AddNumberToObject(j, "negatives", (double)negatives);
        cJSON_AddNumberToObject(j, "seconds", i * o->seconds);
        cli_print_json(j);
    } else {
        printf("folder %s\nlabels %s\nclips %ld\npositives %ld\nnegatives %ld\nseconds %g\n", o->output,
               labels_path, i, positives, negatives, i * o->seconds);
    }
    free(clip);
    free(labels_path);
    free_sounds(&pos);
    free_sounds(&neg);
    free_sounds(&bg);
    return 0;
}
