/* jazz generate — a new solo over chords: the model draws notes one by
 * one (rest, then the pitch over the chord in force, then the duration),
 * and the melody, with a comping track of the chords when asked, goes to
 * a Standard MIDI File.  The same seed gives the same bytes.  See jazz.h. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "jazz.h"
#include "midi.h"
#include "synth.h"

#define TPQ 480                        /* MIDI ticks per quarter note */
#define TICKS_PER_STEP (TPQ / JAZZ_GRID)
#define MELODY_PROGRAM 26              /* General MIDI: jazz guitar */
#define COMP_PROGRAM 4                 /* General MIDI: electric piano */
#define DEFAULT_CHORDS "F7 | Bb7 | F7 | F7 | Bb7 | Bb7 | F7 | F7 | Gm7 | C7 | F7 | C7 |"

/* A voicing above the root for each quality (semitones), in jazz_quality
 * order: maj, min, dom7, maj7, min7, hdim7, dim, aug, sus, sus7, 6, min6,
 * alt, minmaj7. */
static const int voicing[JAZZ_QUALITIES][4] = {
    {0, 4, 7, 12}, {0, 3, 7, 12}, {0, 4, 7, 10}, {0, 4, 7, 11}, {0, 3, 7, 10}, {0, 3, 6, 10}, {0, 3, 6, 9},
    {0, 4, 8, 12}, {0, 5, 7, 12}, {0, 5, 7, 10}, {0, 4, 7, 9}, {0, 3, 7, 9}, {0, 4, 10, 13}, {0, 3, 7, 11},
};

/* The chords to play over, their form's length in steps. */
static int read_chords(const jazz_options *o, jazz_timeline *tl)
{
    if (o->chords_from) {
        size_t n = strlen(o->chords_from);
        if (n > 4 && (strcmp(o->chords_from + n - 4, ".mid") == 0 || strcmp(o->chords_from + n - 4, ".MID") == 0)) {
            jazz_solo s;
            jazz_solo_load(&s, o->chords_from, -1, -1);
            if (!s.mel.tl.nchords)
                die("'%s': no chords (no sidecar NAME.chords.tsv beside it or in ../chords/)", o->chords_from);
            *tl = s.mel.tl;
            memset(&s.mel.tl, 0, sizeof s.mel.tl);
            int end = s.mel.n ? s.mel.note[s.mel.n - 1].onset + s.mel.note[s.mel.n - 1].dur : 0;
            int bar = tl->beats_per_bar * JAZZ_GRID;
            end = (end + bar - 1) / bar * bar; /* whole bars */
            jazz_solo_free(&s);
            return end;
        }
        text_lines lines;
        cli_read_lines(o->chords_from, 65536, &lines);
        size_t total = 1;
        for (int i = 0; i < lines.n; i++)
            total += lines.len[i] + 1;
        char *text = malloc(total), *p = text;
        if (!text)
            die("out of memory");
        for (int i = 0; i < lines.n; i++)
            p += sprintf(p, "%s\n", lines.line[i][0] == '#' ? "" : lines.line[i]);
        *p = 0;
        text_lines_free(&lines);
        int steps = jazz_chords_parse(text, o->chords_from, 4, tl);
        free(text);
        return steps;
    }
    return jazz_chords_parse(o->chords ? o->chords : DEFAULT_CHORDS, NULL, 4, tl);
}

/* The form repeated until it covers end steps. */
static void loop_form(jazz_timeline *tl, int form, int end)
{
    int n = tl->nchords;
    if (form <= 0 || n == 0)
        return;
    for (int start = form; start < end; start += form)
        for (int i = 0; i < n && start + tl->chord[i].start < end; i++) {
            jazz_chord *grown = realloc(tl->chord, (size_t)(tl->nchords + 1) * sizeof *grown);
            if (!grown)
                die("out of memory");
            tl->chord = grown;
            tl->chord[tl->nchords] = tl->chord[i];
            tl->chord[tl->nchords++].start += start;
        }
}

static void append(midi_file *f, int track, int64_t tick, midi_kind kind, int channel, int a, int b,
                   uint32_t value)
{
    char err[ERR_MAX];
    midi_event e = {tick, value, (uint8_t)kind, (uint8_t)channel, {(uint8_t)a, (uint8_t)b}};
    if (midi_append(f, (size_t)track, &e, err) < 0)
        die("%s", err);
}

/* A note as played: steps, pitch, velocity; comp notes on their own
 * track and voice. */
typedef struct {
    int start, end, pitch, velocity, comp;
} played;

/* The melody, then (with --comp) a voicing of each chord held over it. */
static played *played_notes(const jazz_options *o, const jazz_timeline *tl, const jazz_note *notes, int n, int end,
                            int *count)
{
    played *p = malloc(((size_t)n + 4 * (size_t)tl->nchords + 1) * sizeof *p);
    if (!p)
        die("out of memory");
    int k = 0;
    for (int i = 0; i < n; i++)
        p[k++] = (played){notes[i].onset, notes[i].onset + notes[i].dur, notes[i].pitch, 96, 0};
    for (int i = 0; o->comp && i < tl->nchords && tl->chord[i].start < end; i++) {
        const jazz_chord *c = &tl->chord[i];
        int stop = i + 1 < tl->nchords && tl->chord[i + 1].start < end ? tl->chord[i + 1].start : end;
        if (c->root < 0 || stop - 1 <= c->start)
            continue;
        for (int v = 0; v < 4; v++)
            p[k++] = (played){c->start, stop - 1, 48 + c->root + voicing[c->quality][v], 64, 1};
    }
    *count = k;
    return p;
}

/* Note on/off edges in time order for one track. */
typedef struct {
    int64_t tick;
    int on, pitch, velocity;
} note_edge;

static int edge_cmp(const void *a, const void *b)
{
    const note_edge *x = a, *y = b;
    if (x->tick != y->tick)
        return x->tick < y->tick ? -1 : 1;
    if (x->on != y->on)
        return x->on - y->on; /* offs first */
    return x->pitch - y->pitch;
}

static void add_notes(midi_file *f, int track, int channel, const played *p, int n, int comp)
{
    note_edge *e = malloc(((size_t)2 * n + 1) * sizeof *e);
    if (!e)
        die("out of memory");
    int k = 0;
    for (int i = 0; i < n; i++)
        if (p[i].comp == comp) {
            e[k++] = (note_edge){(int64_t)p[i].start * TICKS_PER_STEP, 1, p[i].pitch, p[i].velocity};
            e[k++] = (note_edge){(int64_t)p[i].end * TICKS_PER_STEP, 0, p[i].pitch, 0};
        }
    qsort(e, (size_t)k, sizeof *e, edge_cmp);
    for (int i = 0; i < k; i++)
        append(f, track, e[i].tick, e[i].on ? MIDI_NOTE_ON : MIDI_NOTE_OFF, channel, e[i].pitch,
               e[i].on ? e[i].velocity : 0, 0);
    free(e);
}

static void write_midi(const jazz_options *o, const jazz_timeline *tl, const played *p, int n)
{
    char err[ERR_MAX];
    midi_file f;
    if (midi_init(&f, 1, TPQ, err) < 0 || midi_add_track(&f, "seqtool jazz", err) < 0 ||
        midi_add_track(&f, "melody", err) < 0 || (o->comp && midi_add_track(&f, "comp", err) < 0))
        die("%s", err);
    append(&f, 0, 0, MIDI_TEMPO, 0, 0, 0, (uint32_t)(60e6 / o->tempo + 0.5));
    append(&f, 0, 0, MIDI_TIME_SIGNATURE, 0, tl->beats_per_bar, 2, 24 | 8 << 8);
    append(&f, 1, 0, MIDI_PROGRAM, 0, MELODY_PROGRAM, 0, 0);
    add_notes(&f, 1, 0, p, n, 0);
    if (o->comp) {
        append(&f, 2, 0, MIDI_PROGRAM, 1, COMP_PROGRAM, 0, 0);
        add_notes(&f, 2, 1, p, n, 1);
    }
    if (midi_update_maps(&f, err) < 0 || midi_save(&f, o->output, 1, err) < 0)
        die("%s", err);
    midi_free(&f);
}

/* --wav: the played notes through a General MIDI SoundFont (--soundfont,
 * else one installed) with FluidSynth, or the built-in voices
 * (--soundfont none, no SoundFont, or no FluidSynth). */
static void write_wav(const jazz_options *o, const played *p, int n)
{
    char err[ERR_MAX];
    synth_note *sn = malloc(((size_t)n + 1) * sizeof *sn);
    if (!sn)
        die("out of memory");
    double step_s = 60.0 / o->tempo / JAZZ_GRID;
    for (int i = 0; i < n; i++)
        sn[i] = (synth_note){p[i].start * step_s, (p[i].end - p[i].start) * step_s, p[i].pitch, p[i].velocity,
                             p[i].comp ? SYNTH_COMP : SYNTH_LEAD, p[i].comp ? COMP_PROGRAM : MELODY_PROGRAM};
    const char *font = o->soundfont ? o->soundfont : synth_find_soundfont();
    if (font && strcmp(font, "none") == 0)
        font = NULL;
    if (font && !o->soundfont && synth_fluidsynth(err) < 0) {
        if (!o->quiet)
            warn("%s; the built-in voices play instead", err);
        font = NULL;
    }
    synth_audio a;
    if (synth_render(sn, (size_t)n, SYNTH_RATE, font, &a, err) < 0 || synth_write_wav(o->wav, &a, err) < 0)
        die("%s", err);
    synth_free(&a);
    free(sn);
}

/* OUT.chords.tsv beside OUT.mid, in the corpus's sidecar form, so that
 * `jazz show` and `--chords-from` find the chords of a generated solo. */
static void write_sidecar(const jazz_options *o, const jazz_timeline *tl, int end)
{
    size_t n = strlen(o->output);
    char *path = malloc(n + 16);
    if (!path)
        die("out of memory");
    size_t stem = n > 4 && strcasecmp(o->output + n - 4, ".mid") == 0 ? n - 4 : n;
    snprintf(path, n + 16, "%.*s.chords.tsv", (int)stem, o->output);
    atomic_file a;
    if (atomic_open(&a, path) < 0)
        die("cannot write '%s': %s", path, strerror(errno));
    int bar = tl->beats_per_bar * JAZZ_GRID;
    fprintf(a.f, "# chords of %s, by seqtool jazz generate\n"
                 "# tick is the MIDI tick (%d per beat); onset_s the time at %g beats a minute\n"
                 "tick\tbar\tbeat\tonset_s\tchord\n", o->output, TPQ, o->tempo);
    char sym[32];
    for (int i = 0; i < tl->nchords && tl->chord[i].start < end; i++) {
        int t = tl->chord[i].start;
        fprintf(a.f, "%d\t%d\t%d\t%.6f\t%s\n", t * TICKS_PER_STEP, t / bar, t % bar / JAZZ_GRID + 1,
                t / (double)JAZZ_GRID * 60.0 / o->tempo, tl->chord[i].root < 0 ? "NC" : jazz_chord_symbol(tl, t, sym, sizeof sym));
    }
    if (atomic_commit(&a) < 0)
        die("cannot write '%s': %s", path, strerror(errno));
    free(path);
}

int jazz_generate(void *opts, int argc, char **argv)
{
    jazz_options *o = opts;
    char err[ERR_MAX];
    if (argc)
        die_usage("unexpected argument '%s' (the output is -o OUT.mid)", argv[0]);
    if (!o->output)
        die_usage("generate writes a MIDI file: -o OUT.mid");
    if (strcmp(o->output, "-") == 0)
        die_usage("generate writes a MIDI file and its sidecar: -o OUT.mid, not '-'");
    jazz_model m;
    jazz_open_model(o, &m);
    jazz_timeline tl;
    int form = read_chords(o, &tl), bar = tl.beats_per_bar * JAZZ_GRID;
    int end = o->bars ? (int)o->bars * bar : form > 0 ? form : 12 * bar;
    loop_form(&tl, form, end);
    jazz_solo primer = {0};
    if (o->primer)
        jazz_solo_load(&primer, o->primer, o->track, o->channel);
    int np = primer.mel.n;
    while (np && primer.mel.note[np - 1].onset >= end)
        np--;
    int max_out = end + 1;
    jazz_note *notes = malloc(((size_t)np + (size_t)max_out) * sizeof *notes);
    if (!notes)
        die("out of memory");
    if (np)
        memcpy(notes, primer.mel.note, (size_t)np * sizeof *notes);
    rng r;
    rng_seed(&r, o->seed);
    jazz_sample_opts so = {(float)o->temperature, (float)o->top_p, 0, end};
    int n = jazz_model_sample(&m, &r, &tl, notes, np, &so, notes + np, max_out, err);
    if (n < 0)
        die("%s", err);
    int nplayed;
    played *p = played_notes(o, &tl, notes, np + n, end, &nplayed);
    write_midi(o, &tl, p, nplayed);
    write_sidecar(o, &tl, end);
    if (o->wav)
        write_wav(o, p, nplayed);
    free(p);
    if (o->json) {
        cJSON *j = cJSON_CreateObject();
        if (!j || !cJSON_AddStringToObject(j, "midi", o->output) || !cJSON_AddNumberToObject(j, "notes", n) ||
            !cJSON_AddNumberToObject(j, "primer_notes", np) || !cJSON_AddNumberToObject(j, "bars", end / bar) ||
            !cJSON_AddNumberToObject(j, "seconds", end / (double)JAZZ_GRID * 60.0 / o->tempo) ||
            (o->wav && !cJSON_AddStringToObject(j, "wav", o->wav)))
            die("out of memory");
        cli_print_json(j);
    } else {
        printf("midi %s\nnotes %d\nbars %d\n", o->output, n, end / bar);
        if (o->wav)
            printf("wav %s\n", o->wav);
    }
    free(notes);
    jazz_solo_free(&primer);
    jazz_melody_free(&(jazz_melody){tl, 0, NULL});
    jazz_model_free(&m);
    return 0;
}
