/* jazz — learn jazz melodies from MIDI files, improvise new ones over
 * chords, hear them.  This file holds the command's tables and reads
 * solos, split lists and chords; the actions are in jazz_train.c,
 * jazz_generate.c and jazz_eval.c, the models in melody, ngram and
 * events. */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "jazz.h"
#include "midi.h"

enum {
    OPT_COURSE = CLI_OWN_KEYS, OPT_LIST, OPT_SPLIT, OPT_EPOCHS, OPT_BATCH, OPT_WINDOW, OPT_LR,
    OPT_CLIP_NORM, OPT_DROPOUT, OPT_HIDDEN, OPT_LAYERS, OPT_TRANSPOSE, OPT_VAL, OPT_TRACK, OPT_CHANNEL,
    OPT_BARS, OPT_CHORDS, OPT_CHORDS_FROM, OPT_PRIMER, OPT_TEMPERATURE, OPT_TOP_P, OPT_TEMPO,
    OPT_COMP, OPT_WAV, OPT_SOUNDFONT
};

static const cli_option jazz_option_table[] = {
    {"output", 'o', "FILE", "file to write: the model (train), the MIDI file\n"
                            "(generate), the SVG picture (show; '-' standard\n"
                            "output) [train: " JAZZ_DEFAULT_MODEL "]", "train generate show", CLI_RUN_ONLY},
    {"list", OPT_LIST, "SPLIT.tsv", "solos from a split list (file, split, group per\n"
                                    "line; paths relative to the list), instead of FILES", "train eval stats", 0},
    {"split", OPT_SPLIT, "NAME", "the split to read from --list [train: train, held\n"
                                 "out: valid; eval, stats: test]", "train eval stats", 0},
    {"track", OPT_TRACK, "N", "the melody is track N (0 is the first) [the highest\n"
                              "voice of every track but drums]", "train eval show stats", 0},
    /* [any] is no channel filter (begin's -1): not a channel the option takes */
    {"channel", OPT_CHANNEL, "C", "the melody is on channel C, 1-16 [any]", "train eval show stats",
     CLI_NO_DEFAULT},
    {"course", OPT_COURSE, NULL, "the course's setup: one LSTM of 64 units over\n"
                                 "30-note windows, no held-out solos (applied first:\n"
                                 "the other options still apply)", "train", CLI_PRESET},
    {"hidden", OPT_HIDDEN, "N", "LSTM units per layer [256]", "train", 0},
    {"layers", OPT_LAYERS, "N", "stacked LSTM layers [2]", "train", 0},
    {"epochs", OPT_EPOCHS, "N", "passes over the training notes [20]", "train", 0},
    {"batch", OPT_BATCH, "N", "windows per step [32]", "train", 0},
    {"window", OPT_WINDOW, "N", "notes per training window [64]", "train", 0},
    {"lr", OPT_LR, "X", "Adam's learning rate [0.002]", "train", 0},
    {"clip-norm", OPT_CLIP_NORM, "X", "clip the gradients' global L2 norm to X [5]", "train", 0},
    {"dropout", OPT_DROPOUT, "P", "dropout on each LSTM layer's output [0.2]", "train", 0},
    {"transpose", OPT_TRANSPOSE, "K", "shift each window by a random -K..K semitones [6]", "train", 0},
    {"val", OPT_VAL, "F", "without --list: hold out fraction F of the files;\n"
                          "their bits per note each epoch choose the model\n"
                          "kept [0.1]", "train", 0},
    {"model", 'm', "MODEL", "model to read [the shipped " JAZZ_SHIPPED_MODEL "]", "generate eval info", 0},
    {"bars", OPT_BARS, "N", "bars to improvise [the chords' bars, else 12]", "generate", 0},
    {"chords", OPT_CHORDS, "TEXT", "the chords, 'Dm7 G7 | Cmaj7 | ...', one bar per '|',\n"
                                   "repeated to fill --bars [a blues in F]", "generate", 0},
    {"chords-from", OPT_CHORDS_FROM, "FILE", "the chords of a solo's sidecar (FILE.mid) or of a\n"
                                             "text file in the --chords form", "generate", 0},
    {"primer", OPT_PRIMER, "IN.mid", "start from this melody, then go on", "generate", 0},
    {"temperature", OPT_TEMPERATURE, "T", "<1 safer, >1 wilder [1]", "generate", 0},
    {"top-p", OPT_TOP_P, "P", "draw among the likeliest classes holding P of the\n"
                              "probability [0.95]", "generate", 0},
    {"tempo", OPT_TEMPO, "BPM", "quarter notes a minute [140]", "generate", 0},
    {"comp", OPT_COMP, NULL, "add a comping track that plays the chords", "generate", 0},
    {"wav", OPT_WAV, "OUT.wav", "also render the solo to a WAV file (44.1 kHz mono)", "generate", 0},
    {"soundfont", OPT_SOUNDFONT, "FILE", "render with this General MIDI SoundFont through\n"
                                         "FluidSynth; 'none': the built-in voices [an\n"
                                         "installed one, else the built-in voices]", "generate", 0},
    CLI_OPTION_SEED("train generate"),
    CLI_OPTION_CHECKPOINT_EVERY("train"),
    CLI_OPTION_RESUME("train"),
    CLI_OPTION_JSON("train generate eval stats info"),
    CLI_OPTION_QUIET(NULL),
    CLI_OPTIONS_END,
};

static const cli_action jazz_actions[] = {
    {"train", jazz_train, "[FILES...] [OPTIONS]", "learn melodies from MIDI files"},
    {"generate", jazz_generate, "-o OUT.mid [OPTIONS]", "improvise over chords"},
    {"eval", jazz_eval, "[FILES...] [OPTIONS]", "bits per note, beside an n-gram model"},
    {"show", jazz_show, "FILE.mid -o ROLL.svg", "a piano roll with the chords under it"},
    {"stats", jazz_stats, "[FILES...] [OPTIONS]", "chord tones, range, density and rests of solos"},
    {"info", jazz_info, "[MODEL]", "how a model was made, and its shape"},
    CLI_ACTIONS_END,
};

/* The defaults a table cannot say: no track or channel chosen (the
 * highest voice of every track but drums). */
static void jazz_begin(void *opts, const char *action)
{
    jazz_options *o = opts;
    o->action = action;
    o->track = -1;
    o->channel = -1;
}

static void jazz_set_option(void *opts, int key, const char *arg)
{
    jazz_options *o = opts;
    switch (key) {
    case 'o': o->output = arg; break;
    case 'm': o->model = arg; break;
    case 'q': o->quiet = 1; break;
    case OPT_COURSE:
        o->course = 1;
        o->hidden = 64;
        o->layers = 1;
        o->window = 30;
        o->dropout = 0;
        o->val = 0;
        break;
    case OPT_LIST: o->list = arg; break;
    case OPT_SPLIT: o->split = arg; break;
    case OPT_TRACK: o->track = (int)cli_long("--track", arg, 0, 65535); break;
    case OPT_CHANNEL: o->channel = (int)cli_long("--channel", arg, 1, 16) - 1; break;
    case OPT_HIDDEN: o->hidden = (int)cli_long("--hidden", arg, 1, 4096); break;
    case OPT_LAYERS: o->layers = (int)cli_long("--layers", arg, 1, JAZZ_MAX_LAYERS); break;
    case OPT_EPOCHS: o->epochs = cli_long("--epochs", arg, 1, 100000); break;
    case OPT_BATCH: o->batch = (int)cli_long("--batch", arg, 1, 4096); break;
    case OPT_WINDOW: o->window = (int)cli_long("--window", arg, 2, 4096); break;
    case OPT_LR: o->lr = cli_double("--lr", arg, 0, 10); break;
    case OPT_CLIP_NORM: o->clip_norm = cli_double("--clip-norm", arg, 0, 1e30); break;
    case OPT_DROPOUT: o->dropout = cli_double("--dropout", arg, 0, 0.95); break;
    case OPT_TRANSPOSE: o->transpose = (int)cli_long("--transpose", arg, 0, 24); break;
    case OPT_VAL: o->val = cli_double("--val", arg, 0, 0.9); break;
    case OPT_BARS: o->bars = cli_long("--bars", arg, 1, 100000); break;
    case OPT_CHORDS: o->chords = arg; break;
    case OPT_CHORDS_FROM: o->chords_from = arg; break;
    case OPT_PRIMER: o->primer = arg; break;
    case OPT_TEMPERATURE: o->temperature = cli_double("--temperature", arg, 0, 100); break;
    case OPT_TOP_P: o->top_p = cli_double("--top-p", arg, 1e-6, 1); break;
    case OPT_TEMPO: o->tempo = cli_double("--tempo", arg, 10, 1000); break;
    case OPT_COMP: o->comp = 1; break;
    case OPT_WAV: o->wav = arg; break;
    case OPT_SOUNDFONT: o->soundfont = arg; break;
    case CLI_SEED: o->seed = cli_seed(arg); break;
    case CLI_CHECKPOINT_EVERY: case CLI_RESUME: ckpt_option(&o->ckpt, key, arg); break;
    case CLI_JSON: o->json = 1; break;
    }
}

static void jazz_end(void *opts)
{
    jazz_options *o = opts;
    if (o->chords && o->chords_from)
        die_usage("--chords and --chords-from name the chords twice; give one");
    if (o->split && !o->list)
        die_usage("--split goes with --list");
}

const cli_command jazz_command = {
    "jazz",
    "jazz melodies from MIDI files: train, generate (MIDI and WAV over chords), eval, show",
    sizeof(jazz_options),
    jazz_actions,
    jazz_option_table,
    "FILES are Standard MIDI Files (format 0 or 1) of solos; a solo's chords\n"
    "come from its sidecar NAME.chords.tsv (beside it, or in ../chords/, as the\n"
    "Weimar Jazz Database corpus keeps them) when there is one.  Notes are on a\n"
    "grid of 12 steps a beat, which holds triplets.\n",
    NULL,
    jazz_begin,
    jazz_set_option,
    jazz_end,
};

/* ---- solos ---- */

/* The beats of a bar of the file's first time signature (in quarter
 * notes, rounded; 4 when there is none). */
static int beats_per_bar(const midi_file *f)
{
    if (f->n_time_signatures == 0)
        return 4;
    const midi_time_signature *t = &f->time_signatures[0];
    int b = (t->numerator * 4 + t->denominator / 2) / (t->denominator ? t->denominator : 4);
    return b < 1 ? 1 : b > 64 ? 64 : b;
}

/* NAME.chords.tsv for .../midi/NAME.mid: beside it, else in ../chords/. */
static char *sidecar_path(const char *path)
{
    size_t n = strlen(path);
    char *side = malloc(n + 32);
    if (!side)
        die("out of memory");
    const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
    size_t stem = strlen(base);
    if (stem > 4 && (strcmp(base + stem - 4, ".mid") == 0 || strcmp(base + stem - 4, ".MID") == 0))
        stem -= 4;
    size_t dir = (size_t)(base - path);
    snprintf(side, n + 32, "%.*s%.*s.chords.tsv", (int)dir, path, (int)stem, base);
    if (access(side, R_OK) == 0)
        return side;
    snprintf(side, n + 32, "%.*s../chords/%.*s.chords.tsv", (int)dir, path, (int)stem, base);
    if (access(side, R_OK) == 0)
        return side;
    free(side);
    return NULL;
}

int jazz_quality_of(const chord *c)
{
    static const int map[CHORD_QUALITIES] = {
        [CHORD_NONE] = -1, [CHORD_MAJ] = JAZZ_MAJ, [CHORD_MIN] = JAZZ_MIN, [CHORD_AUG] = JAZZ_AUG,
        [CHORD_DIM] = JAZZ_DIM, [CHORD_SUS] = JAZZ_SUS, [CHORD_MAJ6] = JAZZ_MAJ6, [CHORD_MIN6] = JAZZ_MIN6,
        [CHORD_DOM7] = JAZZ_DOM7, [CHORD_MAJ7] = JAZZ_MAJ7, [CHORD_MIN7] = JAZZ_MIN7,
        [CHORD_MINMAJ7] = JAZZ_MINMAJ7, [CHORD_HALF_DIM] = JAZZ_HDIM7, [CHORD_DIM7] = JAZZ_DIM,
        [CHORD_AUG7] = JAZZ_AUG, [CHORD_AUGMAJ7] = JAZZ_AUG, [CHORD_SUS7] = JAZZ_SUS7, [CHORD_ALT] = JAZZ_ALT,
    };
    return c->root < 0 ? -1 : map[c->quality];
}

/* Append a chord (root -1: none) at step to tl, replacing one at the
 * same step. */
static void timeline_add(jazz_timeline *tl, int step, const chord *c)
{
    int q = jazz_quality_of(c), root = q < 0 ? -1 : c->root;
    if (tl->nchords && tl->chord[tl->nchords - 1].start == step)
        tl->nchords--;
    if (tl->nchords && tl->chord[tl->nchords - 1].root == root && tl->chord[tl->nchords - 1].quality == (q < 0 ? 0 : q))
        return; /* the same chord again */
    jazz_chord *grown = realloc(tl->chord, (size_t)(tl->nchords + 1) * sizeof *grown);
    if (!grown)
        die("out of memory");
    tl->chord = grown;
    tl->chord[tl->nchords++] = (jazz_chord){step, root, q < 0 ? 0 : q};
}

static void add_bar(jazz_timeline *tl, int step)
{
    if (tl->nbars && tl->bar[tl->nbars - 1] >= step)
        return;
    int *grown = realloc(tl->bar, (size_t)(tl->nbars + 1) * sizeof *grown);
    if (!grown)
        die("out of memory");
    tl->bar = grown;
    tl->bar[tl->nbars++] = step;
}

/* The sidecar's chords (tick<TAB>bar<TAB>beat<TAB>onset_s<TAB>chord), read
 * by tick: the bar lines come from the MIDI file's time signatures, since
 * a bar without a chord row has no line of its own there. */
static void read_sidecar(jazz_solo *s, const char *side)
{
    text_lines lines;
    cli_read_lines(side, 4096, &lines);
    for (int i = 0; i < lines.n; i++) {
        char *l = lines.line[i];
        if (l[0] == '#' || strncmp(l, "tick\t", 5) == 0 || text_is_blank(l))
            continue;
        char *f[5], *p = l;
        int k = 0;
        for (; k < 5 && p; k++) {
            f[k] = p;
            p = strchr(p, '\t');
            if (p)
                *p++ = 0;
        }
        char *end;
        errno = 0;
        long tick = k == 5 ? strtol(f[0], &end, 10) : -1;
        if (k < 5 || errno || tick < 0 || *end)
            die("'%s': line %d: expected tick, bar, beat, onset and chord", side, i + 1);
        chord c;
        char err[ERR_MAX];
        if (chord_parse(f[4], &c, err) < 0)
            die("'%s': line %d: %s", side, i + 1, err);
        int64_t step = midi_tick_step(tick, s->ticks_per_quarter, JAZZ_GRID);
        if (step > (int64_t)1 << 30)
            die("'%s': line %d: tick %ld is past the end of any solo", side, i + 1, tick);
        timeline_add(&s->mel.tl, (int)step, &c);
    }
    text_lines_free(&lines);
}

/* Bar lines where the meter changes: each time signature's bars from its
 * tick to the next one's (the last to end). */
static void meter_bars(jazz_solo *s, const midi_file *f, int64_t end)
{
    for (size_t k = 0; k < f->n_time_signatures; k++) {
        const midi_time_signature *t = &f->time_signatures[k];
        int64_t from = midi_tick_step(t->tick, f->ticks_per_quarter, JAZZ_GRID);
        int64_t to = k + 1 < f->n_time_signatures
                         ? midi_tick_step(f->time_signatures[k + 1].tick, f->ticks_per_quarter, JAZZ_GRID)
                         : end + 1;
        int64_t len = (int64_t)JAZZ_GRID * t->numerator * 4 / (t->denominator ? t->denominator : 4);
        for (int64_t b = from; b < to && b <= (int64_t)1 << 30; b += len > 0 ? len : 1)
            add_bar(&s->mel.tl, (int)b);
    }
}

void jazz_solo_load(jazz_solo *s, const char *path, int track, int channel)
{
    char err[ERR_MAX];
    midi_file f;
    midi_note *notes = NULL, *mel = NULL;
    size_t n = 0, nm = 0;
    memset(s, 0, sizeof *s);
    if (midi_load(path, &f, err) < 0)
        die("%s", err);
    if (track >= (int)f.n_tracks)
        die("'%s': no track %d (the file has %zu)", path, track, f.n_tracks);
    if (midi_notes(&f, &notes, &n, err) < 0 || midi_melody(notes, n, track, channel, &mel, &nm, err) < 0 ||
        midi_quantize(mel, &nm, f.ticks_per_quarter, JAZZ_GRID, err) < 0)
        die("'%s': %s", path, err);
    s->path = strdup(path);
    s->ticks_per_quarter = f.ticks_per_quarter;
    s->mel.tl.beats_per_bar = beats_per_bar(&f);
    s->mel.note = malloc((nm ? nm : 1) * sizeof *s->mel.note);
    if (!s->path || !s->mel.note)
        die("out of memory");
    for (size_t i = 0; i < nm; i++) {
        int64_t on = midi_tick_step(mel[i].start, f.ticks_per_quarter, JAZZ_GRID);
        int64_t off = midi_tick_step(mel[i].end, f.ticks_per_quarter, JAZZ_GRID);
        if (off > (int64_t)1 << 30)
            die("'%s': the melody is too long", path);
        s->mel.note[s->mel.n++] = (jazz_note){(int)on, off > on ? (int)(off - on) : 1, mel[i].pitch};
    }
    if (f.n_time_signatures > 1)
        meter_bars(s, &f, nm ? midi_tick_step(mel[nm - 1].end, f.ticks_per_quarter, JAZZ_GRID) : 0);
    char *side = sidecar_path(path);
    if (side)
        read_sidecar(s, side);
    free(side);
    if (jazz_timeline_check(&s->mel.tl, err) < 0)
        die("'%s': %s", path, err);
    free(notes);
    free(mel);
    midi_free(&f);
}

void jazz_solo_free(jazz_solo *s)
{
    jazz_melody_free(&s->mel);
    free(s->path);
    memset(s, 0, sizeof *s);
}

/* ---- sets of solos ---- */

void jazz_set_load(jazz_set *s, char **files, int n, const jazz_options *o)
{
    char err[ERR_MAX];
    s->n = n;
    s->notes = 0;
    s->solo = calloc((size_t)n + 1, sizeof *s->solo);
    s->ev = calloc((size_t)n + 1, sizeof *s->ev);
    if (!s->solo || !s->ev)
        die("out of memory");
    for (int i = 0; i < n; i++) {
        jazz_solo_load(&s->solo[i], files[i], o->track, o->channel);
        int k = s->solo[i].mel.n;
        if (!(s->ev[i] = malloc(((size_t)k + 1) * sizeof **s->ev)))
            die("out of memory");
        if (jazz_encode(&s->solo[i].mel, s->ev[i], err) < 0)
            die("'%s': %s", files[i], err);
        s->notes += k;
    }
}

void jazz_set_free(jazz_set *s)
{
    for (int i = 0; i < s->n; i++) {
        jazz_solo_free(&s->solo[i]);
        free(s->ev[i]);
    }
    free(s->solo);
    free(s->ev);
}

double jazz_set_bits(jazz_model *m, const jazz_set *s, jazz_nll *total)
{
    jazz_nll all = {0, 0, 0, 0};
    for (int i = 0; i < s->n; i++) {
        jazz_nll one = {0, 0, 0, 0};
        if (jazz_model_score(m, s->ev[i], s->solo[i].mel.n, 0, &one) < 0)
            die("out of memory");
        all.rest += one.rest;
        all.pitch += one.pitch;
        all.dur += one.dur;
        all.notes += one.notes;
    }
    if (total)
        *total = all;
    return jazz_bits_per_note(&all);
}

/* ---- split lists ---- */

char **jazz_list_files(const char *list, const char *split, int *n)
{
    text_lines lines;
    cli_read_lines(list, 4096, &lines);
    const char *slash = strrchr(list, '/');
    int dir = slash ? (int)(slash - list + 1) : 0;
    char **files = malloc((size_t)(lines.n + 1) * sizeof *files);
    if (!files)
        die("out of memory");
    *n = 0;
    for (int i = 0; i < lines.n; i++) {
        char *l = lines.line[i], *tab = strchr(l, '\t');
        if (!tab || l[0] == '#' || strncmp(l, "file\t", 5) == 0)
            continue;
        *tab = 0;
        char *name = tab + 1, *tab2 = strchr(name, '\t');
        if (tab2)
            *tab2 = 0;
        if (strcmp(name, split) != 0)
            continue;
        int d = l[0] == '/' ? 0 : dir; /* an absolute path stands as it is */
        size_t len = (size_t)d + strlen(l) + 1;
        if (!(files[*n] = malloc(len)))
            die("out of memory");
        snprintf(files[(*n)++], len, "%.*s%s", d, list, l);
    }
    text_lines_free(&lines);
    if (*n == 0)
        die("'%s': no file of the split '%s'", list, split);
    return files;
}

void jazz_files_free(char **files, int n)
{
    for (int i = 0; i < n; i++)
        free(files[i]);
    free(files);
}

/* ---- chords ---- */

int jazz_chords_parse(const char *text, const char *source, int bpb, jazz_timeline *tl)
{
    chord_timeline ct;
    char err[ERR_MAX];
    if (chord_timeline_parse(text, bpb, &ct, err) < 0) {
        chord_timeline_free(&ct);
        if (source)
            die("'%s': %s", source, err);
        die_usage("--chords: %s", err);
    }
    memset(tl, 0, sizeof *tl);
    tl->beats_per_bar = bpb;
    double beats = 0;
    for (size_t i = 0; i < ct.n; i++) {
        timeline_add(tl, (int)(ct.spans[i].start * JAZZ_GRID + 0.5), &ct.spans[i].chord);
        beats = ct.spans[i].start + ct.spans[i].duration;
    }
    chord_timeline_free(&ct);
    return (int)(beats * JAZZ_GRID + 0.5);
}

const char *jazz_chord_symbol(const jazz_timeline *tl, int t, char *buf, size_t n)
{
    static const char *const names[12] = {"C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B"};
    static const char *const suffix[JAZZ_QUALITIES] = {"", "m", "7", "maj7", "m7", "m7b5", "dim",
                                                       "aug", "sus4", "7sus4", "6", "m6", "7alt", "mmaj7"};
    int root, qual;
    jazz_chord_at(tl, t, &root, &qual);
    if (root == JAZZ_NO_ROOT)
        snprintf(buf, n, "%s", "");
    else
        snprintf(buf, n, "%s%s", names[root], suffix[qual]);
    return buf;
}

/* ---- the model ---- */

static const char *model_path(const jazz_options *o)
{
    return o->model ? o->model : cli_default_model(JAZZ_SHIPPED_MODEL, "SEQTOOL_JAZZ_MODEL", NULL);
}

void jazz_open_model(const jazz_options *o, jazz_model *m)
{
    char err[ERR_MAX];
    if (jazz_model_open(m, model_path(o), err) < 0)
        die("%s", err);
}

int jazz_info(void *opts, int argc, char **argv)
{
    jazz_options *o = opts;
    const char *path = cli_info_operand(model_path(o), argc, argv);
    char err[ERR_MAX];
    model_in f;
    jazz_model m;
    memset(&m, 0, sizeof m);
    if (model_in_open(&f, path, "jazz", err) < 0 || jazz_model_load(&m, &f, err) < 0)
        die("%s", err);
    const jazz_config *c = &m.cfg;
    char summary[512];
    int n = snprintf(summary, sizeof summary, "%d LSTM layer(s) of %d units over note embeddings "
                     "(rest %d, pitch %d, duration %d, position %d, root %d, quality %d), %zu weights",
                     c->layers, c->hidden, c->emb[0], c->emb[1], c->emb[2], c->emb[3], c->emb[4], c->emb[5], m.ps.total);
    cJSON *j = cJSON_CreateObject();
    if (!j)
        die("out of memory");
    cJSON_AddStringToObject(j, "kind", "jazz");
    cJSON_AddNumberToObject(j, "layers", c->layers);
    cJSON_AddNumberToObject(j, "hidden", c->hidden);
    cJSON_AddNumberToObject(j, "weights", (double)m.ps.total);
    cli_info_score(&f, "train.val_bits_per_note", "; held-out ", " bits/note", summary, sizeof summary, &n, j,
                   "val_bits_per_note");
    cli_info(path, summary, &f, j, 1, o->json);
    model_in_close(&f);
    jazz_model_free(&m);
    return 0;
}
