/* events — note events and their classes; see events.h. */
#include "events.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"

const char *const jazz_quality_names[JAZZ_QUALITIES] = {
    "maj", "min", "dom7", "maj7", "min7", "hdim7", "dim",
    "aug", "sus", "sus7", "6", "min6", "alt", "minmaj7",
};

int jazz_quality_parse(const char *name)
{
    for (int q = 0; q < JAZZ_QUALITIES; q++)
        if (strcmp(name, jazz_quality_names[q]) == 0)
            return q;
    return -1;
}

void jazz_melody_free(jazz_melody *m)
{
    free(m->note);
    free(m->tl.bar);
    free(m->tl.chord);
    memset(m, 0, sizeof *m);
}

/* ---- buckets ---- */

/* Exact classes up to EXACT_MAX steps, then the coarse representatives. */
#define EXACT_MAX 24
static const int coarse[] = {30, 36, 42, 48, 60, 72, 84, 96};
#define NCOARSE (int)(sizeof coarse / sizeof coarse[0])

/* The class of v steps in a table whose exact classes start at first
 * (0 for rests, 1 for durations). */
static int bucket(int v, int first)
{
    if (v < first)
        v = first;
    if (v <= EXACT_MAX)
        return v - first;
    int prev = EXACT_MAX, cls = EXACT_MAX - first;
    for (int k = 0; k < NCOARSE; k++) {
        if (2 * v <= prev + coarse[k]) /* nearer prev, or a tie */
            return cls;
        prev = coarse[k];
        cls++;
    }
    int last_gap = coarse[NCOARSE - 1] - coarse[NCOARSE - 2];
    return 2 * v <= 2 * prev + last_gap ? cls : cls + 1;
}

static int bucket_steps(int cls, int first)
{
    int exact = EXACT_MAX + 1 - first;
    if (cls < exact)
        return cls + first;
    if (cls - exact < NCOARSE)
        return coarse[cls - exact];
    return JAZZ_LONGER_STEPS;
}

int jazz_rest_class(int steps) { return bucket(steps, 0); }
int jazz_dur_class(int steps) { return bucket(steps, 1); }
int jazz_rest_steps(int cls) { return bucket_steps(cls, 0); }
int jazz_dur_steps(int cls) { return bucket_steps(cls, 1); }

/* ---- the timeline ---- */

static int floor_mod(int a, int n)
{
    int r = a % n;
    return r < 0 ? r + n : r;
}

/* Index of the last of n sorted items (size bytes each, each starting
 * with its int start step) at or before t, or -1. */
static int last_at_or_before(const void *items, int n, size_t size, int t)
{
    int lo = 0, hi = n; /* the answer + 1 is in [lo, hi] */
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (*(const int *)((const char *)items + (size_t)mid * size) <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo - 1;
}

void jazz_chord_at(const jazz_timeline *tl, int t, int *root, int *qual)
{
    int i = last_at_or_before(tl->chord, tl->nchords, sizeof *tl->chord, t);
    if (i < 0 || tl->chord[i].root < 0) {
        *root = JAZZ_NO_ROOT;
        *qual = JAZZ_NO_QUALITY;
        return;
    }
    *root = tl->chord[i].root;
    *qual = tl->chord[i].quality;
}

int jazz_bar_pos(const jazz_timeline *tl, int t)
{
    int len = (tl->beats_per_bar > 0 ? tl->beats_per_bar : 4) * JAZZ_GRID, pos;
    if (tl->nbars == 0) {
        pos = floor_mod(t, len);
    } else {
        int i = last_at_or_before(tl->bar, tl->nbars, sizeof *tl->bar, t);
        if (i < 0)
            pos = floor_mod(t - tl->bar[0], len);
        else if (i == tl->nbars - 1)
            pos = floor_mod(t - tl->bar[i], len);
        else
            pos = t - tl->bar[i];
    }
    return pos < JAZZ_POS_CLASSES ? pos : JAZZ_POS_CLASSES - 1;
}

jazz_event jazz_event_of(const jazz_timeline *tl, int prev_end, int onset, int dur, int pitch)
{
    jazz_event e;
    e.rest = jazz_rest_class(onset - prev_end);
    e.pitch = pitch;
    e.dur = jazz_dur_class(dur);
    e.pos = jazz_bar_pos(tl, onset);
    jazz_chord_at(tl, onset, &e.root, &e.qual);
    return e;
}

int jazz_timeline_check(const jazz_timeline *tl, char *err)
{
    if (tl->beats_per_bar < 1 || tl->beats_per_bar > 64)
        return err_set(err, "%d beats to the bar: expected 1 to 64", tl->beats_per_bar);
    for (int i = 1; i < tl->nbars; i++)
        if (tl->bar[i] <= tl->bar[i - 1])
            return err_set(err, "bar line %d is not after the one before it", i + 1);
    for (int i = 0; i < tl->nchords; i++) {
        const jazz_chord *c = &tl->chord[i];
        if (i && c->start < c[-1].start)
            return err_set(err, "chord %d starts before the one before it", i + 1);
        if (c->root < -1 || c->root > 11 ||
            (c->root >= 0 && (c->quality < 0 || c->quality >= JAZZ_QUALITIES)))
            return err_set(err, "chord %d has root %d and quality %d, outside the tables", i + 1,
                           c->root, c->quality);
    }
    return 0;
}

int jazz_encode(const jazz_melody *m, jazz_event *ev, char *err)
{
    if (jazz_timeline_check(&m->tl, err) < 0)
        return -1;
    int prev_end = 0;
    for (int i = 0; i < m->n; i++) {
        const jazz_note *n = &m->note[i];
        if (n->pitch < 0 || n->pitch >= JAZZ_PITCHES)
            return err_set(err, "note %d has pitch %d, outside 0 to 127", i + 1, n->pitch);
        if (i && n->onset < m->note[i - 1].onset)
            return err_set(err, "note %d starts before the note before it", i + 1);
        ev[i] = jazz_event_of(&m->tl, prev_end, n->onset, n->dur, n->pitch);
        prev_end = n->onset + (n->dur > 1 ? n->dur : 1);
    }
    return 0;
}

void jazz_transpose(jazz_event *ev, int n, int shift)
{
    for (int i = 0; i < n; i++) {
        ev[i].pitch += shift;
        if (ev[i].root != JAZZ_NO_ROOT)
            ev[i].root = floor_mod(ev[i].root + shift, 12);
    }
}

int jazz_shift_draw(const jazz_event *ev, int n, int max, rng *r)
{
    int lo = JAZZ_PITCHES, hi = -1;
    for (int i = 0; i < n; i++) {
        lo = ev[i].pitch < lo ? ev[i].pitch : lo;
        hi = ev[i].pitch > hi ? ev[i].pitch : hi;
    }
    int a = -max, b = max;
    if (n > 0) {
        a = a > -lo ? a : -lo;
        b = b < JAZZ_PITCHES - 1 - hi ? b : JAZZ_PITCHES - 1 - hi;
    }
    if (a > b)
        return 0;
    return a + (int)rng_below(r, (uint64_t)(b - a + 1));
}

void jazz_tokens(const jazz_event *ev, int n, int *tok)
{
    for (int i = 0; i < n; i++) {
        tok[3 * i] = ev[i].rest;
        tok[3 * i + 1] = JAZZ_TOK_PITCH + ev[i].pitch;
        tok[3 * i + 2] = JAZZ_TOK_DUR + ev[i].dur;
    }
}
