/* jazz eval and show — held-out bits per note of the model beside a
 * count-based n-gram model of the same tokens, and a piano roll of a
 * MIDI file with its chords under it.  See jazz.h. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "jazz.h"
#include "ngram.h"

/* The three tokens a note of every solo of s, as one sequence a solo. */
static int *set_tokens(const jazz_set *s, int i)
{
    int *tok = malloc(((size_t)3 * s->solo[i].mel.n + 1) * sizeof *tok);
    if (!tok)
        die("out of memory");
    jazz_tokens(s->ev[i], s->solo[i].mel.n, tok);
    return tok;
}

static double ngram_set_bits(const ngram *g, ngram_smoothing sm, int q, const jazz_set *s)
{
    double bits = 0;
    for (int i = 0; i < s->n; i++) {
        int *tok = set_tokens(s, i);
        bits += ngram_bits(g, sm, q, tok, 3 * s->solo[i].mel.n);
        free(tok);
    }
    return s->notes ? bits / (double)s->notes : 0;
}

typedef struct {
    int order;
    ngram_smoothing smoothing;
    double valid_bits, test_bits;
} baseline;

/* The n-gram baseline counted on --list's train split, its order (3 to
 * 5) and smoothing chosen on the valid split, scored on test. */
static baseline ngram_baseline(const jazz_options *o, const jazz_set *test)
{
    char **tf, **vf, err[ERR_MAX];
    int nt, nv;
    tf = jazz_list_files(o->list, "train", &nt);
    vf = jazz_list_files(o->list, "valid", &nv);
    jazz_set train, valid;
    jazz_set_load(&train, tf, nt, o);
    jazz_set_load(&valid, vf, nv, o);
    ngram g;
    if (ngram_init(&g, JAZZ_TOKENS, NGRAM_MAX_ORDER, err) < 0)
        die("%s", err);
    for (int i = 0; i < train.n; i++) {
        int *tok = set_tokens(&train, i);
        if (ngram_add(&g, tok, 3 * train.solo[i].mel.n, err) < 0)
            die("%s", err);
        free(tok);
    }
    if (ngram_finish(&g, err) < 0)
        die("%s", err);
    baseline best = {0, NGRAM_KN, INFINITY, NAN};
    for (int q = 3; q <= 5; q++)
        for (int sm = 0; sm < 2; sm++) {
            double v = ngram_set_bits(&g, (ngram_smoothing)sm, q, &valid);
            if (!o->quiet)
                inform("n-gram order %d, %s: %.4f bits/note on the valid split", q,
                       sm == NGRAM_KN ? "Kneser-Ney" : "Witten-Bell", v);
            if (v < best.valid_bits)
                best = (baseline){q, (ngram_smoothing)sm, v, NAN};
        }
    best.test_bits = ngram_set_bits(&g, best.smoothing, best.order, test);
    ngram_free(&g);
    jazz_set_free(&train);
    jazz_set_free(&valid);
    jazz_files_free(tf, nt);
    jazz_files_free(vf, nv);
    return best;
}

int jazz_eval(void *opts, int argc, char **argv)
{
    jazz_options *o = opts;
    char **files = argv;
    int n = argc;
    if (!argc && !o->list)
        die_usage("name the MIDI files to score, or --list SPLIT.tsv (its test split)");
    if (!argc)
        files = jazz_list_files(o->list, o->split ? o->split : "test", &n);
    jazz_model m;
    jazz_open_model(o, &m);
    jazz_set test;
    jazz_set_load(&test, files, n, o);
    jazz_nll nll;
    double bits = jazz_set_bits(&m, &test, &nll);
    baseline b = {0, NGRAM_KN, NAN, NAN};
    if (o->list)
        b = ngram_baseline(o, &test);
    const char *sm = b.smoothing == NGRAM_KN ? "kneser-ney" : "witten-bell";
    if (o->json) {
        cJSON *j = cJSON_CreateObject();
        int ok = j && cJSON_AddNumberToObject(j, "files", test.n) && cJSON_AddNumberToObject(j, "notes", (double)test.notes) &&
                 cJSON_AddNumberToObject(j, "model_bits_per_note", bits) &&
                 cJSON_AddNumberToObject(j, "model_rest_bits", nll.rest / log(2) / (double)(nll.notes ? nll.notes : 1)) &&
                 cJSON_AddNumberToObject(j, "model_pitch_bits", nll.pitch / log(2) / (double)(nll.notes ? nll.notes : 1)) &&
                 cJSON_AddNumberToObject(j, "model_dur_bits", nll.dur / log(2) / (double)(nll.notes ? nll.notes : 1));
        if (ok && o->list)
            ok = cJSON_AddNumberToObject(j, "ngram_bits_per_note", b.test_bits) &&
                 cJSON_AddNumberToObject(j, "ngram_order", b.order) && cJSON_AddStringToObject(j, "ngram_smoothing", sm) &&
                 cJSON_AddNumberToObject(j, "ngram_valid_bits_per_note", b.valid_bits) &&
                 cJSON_AddNumberToObject(j, "model_vs_ngram", bits / b.test_bits - 1);
        if (!ok)
            die("out of memory");
        cli_print_json(j);
    } else {
        printf("files %d\nnotes %ld\nmodel_bits_per_note %.4f\n", test.n, test.notes, bits);
        if (o->list)
            printf("ngram_bits_per_note %.4f\nngram %d-gram %s (chosen on the valid split)\nmodel_vs_ngram %+.1f%%\n",
                   b.test_bits, b.order, sm, 100 * (bits / b.test_bits - 1));
    }
    jazz_set_free(&test);
    jazz_model_free(&m);
    if (files != argv)
        jazz_files_free(files, n);
    return 0;
}

/* ---- stats ---- */

/* The pitch classes of each quality's chord, relative to the root, in
 * jazz_quality order (alt: the altered dominant's tones, b9 #9 b5 #5). */
static const unsigned chord_tones[JAZZ_QUALITIES] = {
    1u << 0 | 1u << 4 | 1u << 7,           1u << 0 | 1u << 3 | 1u << 7,
    1u << 0 | 1u << 4 | 1u << 7 | 1u << 10, 1u << 0 | 1u << 4 | 1u << 7 | 1u << 11,
    1u << 0 | 1u << 3 | 1u << 7 | 1u << 10, 1u << 0 | 1u << 3 | 1u << 6 | 1u << 10,
    1u << 0 | 1u << 3 | 1u << 6 | 1u << 9,  1u << 0 | 1u << 4 | 1u << 8,
    1u << 0 | 1u << 5 | 1u << 7,           1u << 0 | 1u << 5 | 1u << 7 | 1u << 10,
    1u << 0 | 1u << 4 | 1u << 7 | 1u << 9,  1u << 0 | 1u << 3 | 1u << 7 | 1u << 9,
    1u << 0 | 1u << 4 | 1u << 10 | 1u << 1 | 1u << 3 | 1u << 6 | 1u << 8,
    1u << 0 | 1u << 3 | 1u << 7 | 1u << 11,
};

typedef struct {
    double chord_tone_ratio; /* duration-weighted share of notes on chord tones (under a chord) */
    int pitch_range;         /* highest - lowest pitch */
    double notes_per_bar;    /* over the span from the first onset to the last end */
    double rest_share;       /* share of that span with no note sounding */
} melody_stats;

static melody_stats stats_of(const jazz_melody *m)
{
    melody_stats st = {NAN, 0, 0, NAN};
    if (m->n == 0)
        return st;
    double on = 0, under = 0, sounding = 0;
    int lo = 127, hi = 0, first = m->note[0].onset, last = first;
    for (int i = 0; i < m->n; i++) {
        const jazz_note *x = &m->note[i];
        int root, qual;
        jazz_chord_at(&m->tl, x->onset, &root, &qual);
        if (root != JAZZ_NO_ROOT) {
            under += x->dur;
            if (chord_tones[qual] >> ((x->pitch - root + 120) % 12) & 1)
                on += x->dur;
        }
        lo = x->pitch < lo ? x->pitch : lo;
        hi = x->pitch > hi ? x->pitch : hi;
        last = x->onset + x->dur > last ? x->onset + x->dur : last;
        int next = i + 1 < m->n ? m->note[i + 1].onset : x->onset + x->dur;
        sounding += x->dur < next - x->onset ? x->dur : next - x->onset;
    }
    double span = last - first, bar = m->tl.beats_per_bar * JAZZ_GRID;
    st.chord_tone_ratio = under > 0 ? on / under : NAN;
    st.pitch_range = hi - lo;
    st.notes_per_bar = span > 0 ? m->n / (span / bar) : 0;
    st.rest_share = span > 0 ? 1 - sounding / span : 0;
    return st;
}

static cJSON *stats_json(const char *name, const melody_stats *st, int notes)
{
    cJSON *j = cJSON_CreateObject();
    if (!j || !cJSON_AddStringToObject(j, "file", name) || !cJSON_AddNumberToObject(j, "notes", notes) ||
        !(isnan(st->chord_tone_ratio) ? cJSON_AddNullToObject(j, "chord_tone_ratio")
                                      : cJSON_AddNumberToObject(j, "chord_tone_ratio", st->chord_tone_ratio)) ||
        !cJSON_AddNumberToObject(j, "pitch_range", st->pitch_range) ||
        !cJSON_AddNumberToObject(j, "notes_per_bar", st->notes_per_bar) ||
        !cJSON_AddNumberToObject(j, "rest_share", st->rest_share))
        die("out of memory");
    return j;
}

int jazz_stats(void *opts, int argc, char **argv)
{
    jazz_options *o = opts;
    char **files = argv;
    int n = argc;
    if (!argc && !o->list)
        die_usage("name the MIDI files, or --list SPLIT.tsv (its test split)");
    if (!argc)
        files = jazz_list_files(o->list, o->split ? o->split : "test", &n);
    double ctr = 0, density = 0, rests = 0, range = 0;
    int counted = 0, with_chords = 0;
    for (int i = 0; i < n; i++) {
        jazz_solo s;
        jazz_solo_load(&s, files[i], o->track, o->channel);
        melody_stats st = stats_of(&s.mel);
        if (o->json)
            cli_print_json(stats_json(files[i], &st, s.mel.n));
        else
            printf("%s\t%d\t%.4f\t%d\t%.3f\t%.4f\n", files[i], s.mel.n, st.chord_tone_ratio, st.pitch_range,
                   st.notes_per_bar, st.rest_share);
        if (s.mel.n) {
            counted++;
            range += st.pitch_range;
            density += st.notes_per_bar;
            rests += st.rest_share;
            if (!isnan(st.chord_tone_ratio)) {
                ctr += st.chord_tone_ratio;
                with_chords++;
            }
        }
        jazz_solo_free(&s);
    }
    if (counted && !o->quiet)
        inform("mean of %d file(s): chord-tone ratio %.4f (%d with chords), pitch range %.1f, %.2f notes a bar, "
               "rests %.1f%%", counted, with_chords ? ctr / with_chords : NAN, with_chords, range / counted,
               density / counted, 100 * rests / counted);
    if (files != argv)
        jazz_files_free(files, n);
    return 0;
}

/* ---- show ---- */

#define STEP_PX 2.0   /* horizontal pixels per grid step */
#define PITCH_PX 6    /* vertical pixels per semitone */
#define CHORD_ROW 28  /* the chord names' band under the roll */

static void svg_roll(FILE *f, const jazz_melody *mel)
{
    int lo = 127, hi = 0, end = 1;
    for (int i = 0; i < mel->n; i++) {
        lo = mel->note[i].pitch < lo ? mel->note[i].pitch : lo;
        hi = mel->note[i].pitch > hi ? mel->note[i].pitch : hi;
        end = mel->note[i].onset + mel->note[i].dur > end ? mel->note[i].onset + mel->note[i].dur : end;
    }
    if (lo > hi)
        lo = hi = 60;
    lo -= 2;
    hi += 2;
    double w = end * STEP_PX + 40;
    int h = (hi - lo + 1) * PITCH_PX, bar = mel->tl.beats_per_bar * JAZZ_GRID;
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%d\" font-family=\"sans-serif\" "
               "font-size=\"11\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n", w, h + CHORD_ROW);
    for (int p = lo; p <= hi; p++)
        if ((p % 12 == 1 || p % 12 == 3 || p % 12 == 6 || p % 12 == 8 || p % 12 == 10))
            fprintf(f, "<rect x=\"0\" y=\"%d\" width=\"%.0f\" height=\"%d\" fill=\"#f2f2f2\"/>\n", (hi - p) * PITCH_PX, w,
                    PITCH_PX);
    int nb = mel->tl.nbars;
    for (int t = 0, i = 0; t <= end; i++) {
        fprintf(f, "<line x1=\"%.1f\" y1=\"0\" x2=\"%.1f\" y2=\"%d\" stroke=\"#bbb\"/>\n", t * STEP_PX, t * STEP_PX, h);
        t = i + 1 < nb ? mel->tl.bar[i + 1] : t + bar;
    }
    for (int i = 0; i < mel->n; i++)
        fprintf(f, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"#3465a4\"><title>%d</title></rect>\n",
                mel->note[i].onset * STEP_PX, (hi - mel->note[i].pitch) * PITCH_PX,
                mel->note[i].dur * STEP_PX - 0.5, PITCH_PX - 1, mel->note[i].pitch);
    char sym[32];
    for (int i = 0; i < mel->tl.nchords; i++)
        if (mel->tl.chord[i].start < end)
            fprintf(f, "<text x=\"%.1f\" y=\"%d\">%s</text>\n", mel->tl.chord[i].start * STEP_PX + 2, h + 18,
                    jazz_chord_symbol(&mel->tl, mel->tl.chord[i].start, sym, sizeof sym));
    fputs("</svg>\n", f);
}

int jazz_show(void *opts, int argc, char **argv)
{
    jazz_options *o = opts;
    if (argc != 1)
        die_usage("show takes one MIDI file");
    if (!o->output)
        die_usage("show draws an SVG picture: -o ROLL.svg ('-': standard output)");
    jazz_solo s;
    jazz_solo_load(&s, argv[0], o->track, o->channel);
    if (strcmp(o->output, "-") == 0) {
        svg_roll(stdout, &s.mel);
    } else {
        atomic_file a;
        if (atomic_open(&a, o->output) < 0)
            die("cannot write '%s': %s", o->output, strerror(errno));
        svg_roll(a.f, &s.mel);
        if (atomic_commit(&a) < 0)
            die("cannot write '%s': %s", o->output, strerror(errno));
    }
    jazz_solo_free(&s);
    return 0;
}
