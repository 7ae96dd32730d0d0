/* test_midi — unit tests of audio/midi and audio/chords: variable-length
 * quantities, files built byte by byte (formats 0 and 1, running status,
 * every kind of event, skipped chunks and events), round trips through
 * the writer, the tempo map, notes, the skyline melody, quantization,
 * every hostile input giving its one-line error, chord symbols and
 * timelines.  With the reference data (../shared/datasets from the
 * project root, or $SEQTOOL_SHARED) also: every chord symbol of the
 * Weimar Jazz Database's sidecars, its 456 MIDI files and the course's
 * Metheny file read and round-trip.  With midicsv installed, midicsv
 * reads a file the writer made. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "chords.h"
#include "midi.h"

/* ---- files made byte by byte ---- */

typedef struct {
    unsigned char b[1 << 14];
    size_t n;
} buf;

static void add(buf *x, const void *p, size_t n)
{
    memcpy(x->b + x->n, p, n);
    x->n += n;
}

#define ADD(x, ...)                                                                                                    \
    do {                                                                                                               \
        const unsigned char bytes_[] = {__VA_ARGS__};                                                                  \
        add(x, bytes_, sizeof bytes_);                                                                                 \
    } while (0)

static void add_be(buf *x, uint32_t v, int n)
{
    for (int i = n - 1; i >= 0; i--)
        ADD(x, (unsigned char)(v >> (8 * i)));
}

/* MThd of hlen bytes (the 6 that count, then zeros). */
static void header(buf *x, uint32_t hlen, unsigned format, unsigned n_tracks, unsigned division)
{
    add(x, "MThd", 4);
    add_be(x, hlen, 4);
    add_be(x, format, 2);
    add_be(x, n_tracks, 2);
    add_be(x, division, 2);
    for (uint32_t i = 6; i < hlen; i++)
        ADD(x, 0);
}

static void chunk(buf *x, const char *id, const unsigned char *body, size_t n)
{
    add(x, id, 4);
    add_be(x, (uint32_t)n, 4);
    add(x, body, n);
}

/* A format 0 track with one event of every kind the reader keeps, and
 * some it skips; running status on the notes. */
static const unsigned char every_kind[] = {
    0x00, 0xFF, 0x03, 0x05, 'L', 'e', 'a', 'd', '!',  /* track name */
    0x00, 0xFF, 0x01, 0x03, 'a', 'b', 'c',            /* text: skipped */
    0x00, 0xFF, 0x51, 0x03, 0x07, 0xA1, 0x20,         /* tempo 500000 */
    0x00, 0xFF, 0x58, 0x04, 0x06, 0x03, 0x24, 0x08,   /* 6/8 */
    0x00, 0xFF, 0x59, 0x02, 0xFD, 0x01,               /* 3 flats, minor */
    0x00, 0xF0, 0x03, 0x43, 0x12, 0xF7,               /* sysex: skipped */
    0x00, 0xC3, 0x1A,                                 /* program 26, channel 4 */
    0x00, 0xB3, 0x07, 0x64,                           /* volume 100 */
    0x00, 0x93, 0x3C, 0x50,                           /* note on 60 */
    0x81, 0x70, 0x3C, 0x00,                           /* 240 later, running: on with velocity 0 = off */
    0x00, 0x40, 0x51,                                 /* running: on 64 */
    0x10, 0xA3, 0x40, 0x22,                           /* key pressure */
    0x10, 0xD3, 0x30,                                 /* channel pressure */
    0x10, 0xE3, 0x00, 0x40,                           /* pitch bend 8192 */
    0x00, 0xF7, 0x02, 0x01, 0x02,                     /* escaped sysex: skipped */
    0x81, 0x40, 0x83, 0x40, 0x00,                     /* note off 64 */
    0x60, 0xFF, 0x2F, 0x00,                           /* end of track, 96 later */
    0x00, 0x90, 0x3C, 0x40,                           /* after the end: ignored */
};

static void format0_file(buf *x)
{
    x->n = 0;
    header(x, 8, 0, 1, 480); /* a longer header: its extra bytes are skipped */
    chunk(x, "XFIH", (const unsigned char *)"junk", 4); /* unknown chunk: skipped */
    chunk(x, "MTrk", every_kind, sizeof every_kind);
}

/* Format 1: a tempo track (120 bpm, then 240 bpm from beat 2) and two
 * tracks of notes. */
static const unsigned char tempo_track[] = {
    0x00, 0xFF, 0x58, 0x04, 0x04, 0x02, 0x18, 0x08, 0x00, 0xFF, 0x51, 0x03, 0x07, 0xA1,
    0x20, 0x87, 0x40, 0xFF, 0x51, 0x03, 0x03, 0xD0, 0x90, 0x00, 0xFF, 0x2F, 0x00,
};
static const unsigned char notes_track1[] = {
    0x00, 0x90, 0x48, 0x64, 0x83, 0x60, 0x48, 0x00, 0x00, 0x4C,
    0x64, 0x83, 0x60, 0x80, 0x4C, 0x40, 0x00, 0xFF, 0x2F, 0x00,
};
static const unsigned char notes_track2[] = {
    0x00, 0xFF, 0x03, 0x04, 'B', 'a', 's', 's', 0x00, 0x91, 0x30, 0x50,
    0x87, 0x40, 0x81, 0x30, 0x00, 0x00, 0xE1, 0x7F, 0x7F, 0x00, 0xFF, 0x2F, 0x00,
};

static void format1_file(buf *x)
{
    x->n = 0;
    header(x, 6, 1, 3, 480);
    chunk(x, "MTrk", tempo_track, sizeof tempo_track);
    chunk(x, "MTrk", notes_track1, sizeof notes_track1);
    chunk(x, "MTrk", notes_track2, sizeof notes_track2);
}

static int one_line(const char *err) { return err[0] && !strchr(err, '\n'); }

/* midi_read of x must fail with a one-line error holding want. */
static void expect_refused(const buf *x, const char *want, const char *what)
{
    midi_file f;
    char err[ERR_MAX] = "";
    int rc = midi_read(x->b, x->n, &f, err);
    midi_free(&f);
    check(rc == -1 && one_line(err) && strstr(err, want), "%s: '%s'", what, err);
}

static int same_event(const midi_event *a, const midi_event *b)
{
    return a->tick == b->tick && a->value == b->value && a->kind == b->kind && a->channel == b->channel &&
           a->data[0] == b->data[0] && a->data[1] == b->data[1];
}

/* Whether two files hold the same tracks and events; the first
 * difference in why. */
static int same_file(const midi_file *a, const midi_file *b, char *why, size_t n)
{
    if (a->format != b->format || a->ticks_per_quarter != b->ticks_per_quarter || a->n_tracks != b->n_tracks)
        return snprintf(why, n, "header"), 0;
    for (size_t i = 0; i < a->n_tracks; i++) {
        const midi_track *s = &a->tracks[i], *t = &b->tracks[i];
        if ((s->name == NULL) != (t->name == NULL) || (s->name && strcmp(s->name, t->name)))
            return snprintf(why, n, "track %zu's name", i), 0;
        if (s->n_events != t->n_events || s->end_tick != t->end_tick)
            return snprintf(why, n, "track %zu: %zu/%zu events, end %lld/%lld", i, s->n_events, t->n_events,
                            (long long)s->end_tick, (long long)t->end_tick),
                   0;
        for (size_t j = 0; j < s->n_events; j++)
            if (!same_event(&s->events[j], &t->events[j]))
                return snprintf(why, n, "track %zu, event %zu", i, j), 0;
    }
    return 1;
}

/* read -> write -> read: the same file; the bytes written again the
 * same.  0 when all holds, with what failed in why. */
static int round_trip(const unsigned char *data, size_t size, int running_status, char *why, size_t n)
{
    midi_file a, b;
    char err[ERR_MAX] = "";
    unsigned char *w1 = NULL, *w2 = NULL;
    size_t n1 = 0, n2 = 0;
    int ok = 0;
    memset(&b, 0, sizeof b);
    if (midi_read(data, size, &a, err) < 0)
        snprintf(why, n, "first read: %.200s", err);
    else if (midi_write(&a, running_status, &w1, &n1, err) < 0)
        snprintf(why, n, "write: %.200s", err);
    else if (midi_read(w1, n1, &b, err) < 0)
        snprintf(why, n, "second read: %.200s", err);
    else if (!same_file(&a, &b, why, n))
        ;
    else if (midi_write(&b, running_status, &w2, &n2, err) < 0)
        snprintf(why, n, "second write: %.200s", err);
    else if (n1 != n2 || memcmp(w1, w2, n1) != 0)
        snprintf(why, n, "the second write differs");
    else
        ok = 1;
    free(w1);
    free(w2);
    midi_free(&a);
    midi_free(&b);
    return ok;
}

/* ---- variable-length quantities ---- */

static void test_vlq(void)
{
    static const struct {
        uint32_t v;
        int n;
        unsigned char b[4];
    } cases[] = {
        {0, 1, {0x00}},
        {0x40, 1, {0x40}},
        {0x7F, 1, {0x7F}},
        {0x80, 2, {0x81, 0x00}},
        {0x2000, 2, {0xC0, 0x00}},
        {0x3FFF, 2, {0xFF, 0x7F}},
        {0x4000, 3, {0x81, 0x80, 0x00}},
        {0x1FFFFF, 3, {0xFF, 0xFF, 0x7F}},
        {0x200000, 4, {0x81, 0x80, 0x80, 0x00}},
        {0x0FFFFFFF, 4, {0xFF, 0xFF, 0xFF, 0x7F}},
    };
    int ok = 1;
    char err[ERR_MAX] = "";
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        unsigned char q[4];
        uint32_t back = 0xDEADBEEF;
        int n = midi_vlq_encode(cases[i].v, q);
        if (n != cases[i].n || memcmp(q, cases[i].b, (size_t)n) != 0 ||
            midi_vlq_decode(q, (size_t)n, &back, err) != n || back != cases[i].v) {
            check(0, "vlq 0x%X: %d bytes, decoded 0x%X", cases[i].v, n, back);
            ok = 0;
        }
    }
    check(ok, "vlq: 0, 0x7F, 0x80, 0x3FFF, 0x4000, 0x0FFFFFFF encode to the standard's bytes and decode back");
    unsigned char q[4];
    check(midi_vlq_encode(0x10000000, q) == 0, "vlq: 0x10000000 (more than 28 bits) is not encoded");
    static const unsigned char five[] = {0x81, 0x80, 0x80, 0x80, 0x00}, cut[] = {0x81, 0x80};
    uint32_t v;
    err[0] = 0;
    check(midi_vlq_decode(five, 5, &v, err) == -1 && strstr(err, "longer than 4 bytes"), "vlq: 5 bytes refused: '%s'",
          err);
    err[0] = 0;
    check(midi_vlq_decode(cut, 2, &v, err) == -1 && strstr(err, "past the end"), "vlq: cut off refused: '%s'", err);
}

/* ---- reading ---- */

/* midi_read of a file made by make into *f; 0 when it reads (the check
 * line says so when it does not). */
static int read_made(void (*make)(buf *), midi_file *f, const char *what)
{
    buf x;
    char err[ERR_MAX] = "";
    make(&x);
    if (midi_read(x.b, x.n, f, err) == 0)
        return 0;
    check(0, "%s: %s", what, err);
    midi_free(f);
    return -1;
}

static void test_format0(void)
{
    midi_file f;
    if (read_made(format0_file, &f, "format 0") < 0)
        return;
    check(f.format == 0 && f.n_tracks == 1 && f.ticks_per_quarter == 480,
          "format 0: 1 track, 480 ticks per quarter, with an 8-byte MThd and an unknown chunk skipped");
    const midi_track *t = &f.tracks[0];
    check(t->name && strcmp(t->name, "Lead!") == 0, "format 0: the track's name is 'Lead!'");
    static const struct {
        int kind, tick, channel, d0, d1;
        uint32_t value;
    } want[] = {
        {MIDI_TEMPO, 0, 0, 0, 0, 500000},
        {MIDI_TIME_SIGNATURE, 0, 0, 6, 3, 0x24 | 0x08 << 8},
        {MIDI_KEY_SIGNATURE, 0, 0, 0xFD, 1, 0},
        {MIDI_PROGRAM, 0, 3, 26, 0, 0},
        {MIDI_CONTROL, 0, 3, 7, 100, 0},
        {MIDI_NOTE_ON, 0, 3, 60, 80, 0},
        {MIDI_NOTE_OFF, 240, 3, 60, 0, 0},
        {MIDI_NOTE_ON, 240, 3, 64, 81, 0},
        {MIDI_KEY_PRESSURE, 256, 3, 64, 0x22, 0},
        {MIDI_CHANNEL_PRESSURE, 272, 3, 0x30, 0, 0},
        {MIDI_PITCH_BEND, 288, 3, 0, 0, 8192},
        {MIDI_NOTE_OFF, 480, 3, 64, 0, 0},
    };
    size_t n = sizeof want / sizeof *want;
    int ok = t->n_events == n;
    for (size_t i = 0; ok && i < n; i++) {
        const midi_event *e = &t->events[i];
        ok = e->kind == want[i].kind && e->tick == want[i].tick && e->channel == want[i].channel &&
             e->data[0] == want[i].d0 && e->data[1] == want[i].d1 && e->value == want[i].value;
        if (!ok)
            check(0, "format 0: event %zu is kind %d at %lld", i, e->kind, (long long)e->tick);
    }
    check(ok, "format 0: %zu events of every kind (sysex, text and events after End of Track skipped)", t->n_events);
    check(t->end_tick == 576, "format 0: End of Track at tick %lld (576)", (long long)t->end_tick);
    check(f.n_time_signatures == 1 && f.time_signatures[0].numerator == 6 && f.time_signatures[0].denominator == 8 &&
              f.time_signatures[0].clocks_per_click == 36 && f.time_signatures[0].thirty_seconds_per_quarter == 8,
          "format 0: the time signature 6/8 in the list");
    midi_free(&f);
}

static void test_running_status(void)
{
    /* the same notes with and without running status read the same */
    static const unsigned char full[] = {0x00, 0x92, 0x3C, 0x40, 0x60, 0x92, 0x3C, 0x00, 0x00, 0x92, 0x3E, 0x40,
                                         0x60, 0x82, 0x3E, 0x40, 0x00, 0xFF, 0x2F, 0x00};
    static const unsigned char running[] = {0x00, 0x92, 0x3C, 0x40, 0x60, 0x3C, 0x00, 0x00, 0x3E,
                                            0x40, 0x60, 0x82, 0x3E, 0x40, 0x00, 0xFF, 0x2F, 0x00};
    buf a = {.n = 0}, b = {.n = 0};
    header(&a, 6, 0, 1, 96);
    chunk(&a, "MTrk", full, sizeof full);
    header(&b, 6, 0, 1, 96);
    chunk(&b, "MTrk", running, sizeof running);
    midi_file fa, fb;
    char err[ERR_MAX] = "", why[256] = "";
    int ok = midi_read(a.b, a.n, &fa, err) == 0 && midi_read(b.b, b.n, &fb, err) == 0 && same_file(&fa, &fb, why, 256);
    check(ok && fb.tracks[0].n_events == 4 && fb.tracks[0].events[1].kind == MIDI_NOTE_OFF &&
              fb.tracks[0].events[1].tick == 96,
          "running status: read as the full status bytes, a note on of velocity 0 as a note off %s", why);
    /* the writer with running status leaves the repeated status bytes out */
    unsigned char *w;
    size_t n;
    ok = midi_write(&fa, 1, &w, &n, err) == 0 && n == b.n && memcmp(w, b.b, n) == 0;
    free(w);
    check(ok, "running status: the writer leaves out repeated status bytes, a note off of velocity 0 as a note on "
              "(%zu bytes, want %zu)",
          n, b.n);
    midi_free(&fa);
    midi_free(&fb);
    static const unsigned char no_status[] = {0x00, 0x3C, 0x40, 0x00, 0xFF, 0x2F, 0x00};
    buf c = {.n = 0};
    header(&c, 6, 0, 1, 96);
    chunk(&c, "MTrk", no_status, sizeof no_status);
    expect_refused(&c, "no running status", "a data byte before any status byte");
}

static void test_format1_tempo(void)
{
    buf x;
    midi_file f;
    char err[ERR_MAX] = "";
    if (read_made(format1_file, &f, "format 1") < 0)
        return;
    check(f.format == 1 && f.n_tracks == 3 && f.tracks[2].name && !strcmp(f.tracks[2].name, "Bass") &&
              !f.tracks[1].name,
          "format 1: 3 tracks, the third named 'Bass'");
    check(f.n_tempos == 2 && f.tempos[1].tick == 960 && f.tempos[1].usec_per_quarter == 250000,
          "format 1: tempo map of 2 (500000 at 0, 250000 at 960)");
    double s1 = midi_seconds(&f, 480), s2 = midi_seconds(&f, 960), s3 = midi_seconds(&f, 1440),
           s4 = midi_seconds(&f, 1920);
    check(fabs(s1 - 0.5) < 1e-12 && fabs(s2 - 1.0) < 1e-12 && fabs(s3 - 1.25) < 1e-12 && fabs(s4 - 1.5) < 1e-12,
          "tempo map: ticks 480, 960, 1440, 1920 are %.3f %.3f %.3f %.3f s (0.5 1 1.25 1.5)", s1, s2, s3, s4);
    const midi_event *bend = &f.tracks[2].events[2];
    check(bend->kind == MIDI_PITCH_BEND && bend->value == 16383 && bend->channel == 1,
          "format 1: pitch bend 16383 on channel 1 (the bytes 7F 7F)");
    midi_free(&f);

    /* no tempo event: 120 quarter notes a minute; a tempo in a later
     * track still counts, and the last of two at one tick wins */
    static const unsigned char plain[] = {0x00, 0x90, 0x3C, 0x40, 0x83, 0x60, 0x3C, 0x00, 0x00, 0xFF, 0x2F, 0x00};
    static const unsigned char late[] = {0x83, 0x60, 0xFF, 0x51, 0x03, 0x0F, 0x42, 0x40, 0x00, 0xFF, 0x51,
                                         0x03, 0x1E, 0x84, 0x80, 0x00, 0xFF, 0x2F, 0x00};
    x.n = 0;
    header(&x, 6, 1, 2, 480);
    chunk(&x, "MTrk", plain, sizeof plain);
    chunk(&x, "MTrk", late, sizeof late);
    if (midi_read(x.b, x.n, &f, err) == 0) {
        double a = midi_seconds(&f, 480), b = midi_seconds(&f, 960);
        check(f.n_tempos == 2 && fabs(a - 0.5) < 1e-12 && fabs(b - 2.5) < 1e-12,
              "tempo map: 120 bpm until tick 480, then the last tempo there, in track 1 (2 s a beat): %.3f %.3f s",
              a, b);
    } else {
        check(0, "tempo map: %s", err);
    }
    midi_free(&f);
}

static void test_round_trips(void)
{
    buf x;
    char why[256] = "";
    format0_file(&x);
    check(round_trip(x.b, x.n, 0, why, sizeof why), "round trip: format 0, without running status %s", why);
    check(round_trip(x.b, x.n, 1, why, sizeof why), "round trip: format 0, with running status %s", why);
    format1_file(&x);
    check(round_trip(x.b, x.n, 0, why, sizeof why), "round trip: format 1, without running status %s", why);
    check(round_trip(x.b, x.n, 1, why, sizeof why), "round trip: format 1, with running status %s", why);

    /* events more than a delta time apart (the skipped events between
     * them had deltas of their own): bridged with empty Text events */
    static const unsigned char far[] = {0xFF, 0xFF, 0xFF, 0x7F, 0xFF, 0x01, 0x00, 0xFF, 0xFF, 0xFF, 0x7F, 0xF0,
                                        0x00, 0x10, 0x90, 0x3C, 0x40, 0x8F, 0xFF, 0xFF, 0x7F, 0xFF, 0x01, 0x01,
                                        'x',  0xFF, 0xFF, 0xFF, 0x7F, 0xFF, 0x2F, 0x00};
    x.n = 0;
    header(&x, 6, 0, 1, 96);
    chunk(&x, "MTrk", far, sizeof far);
    check(round_trip(x.b, x.n, 1, why, sizeof why),
          "round trip: a note 2 x 0x0FFFFFFF + 16 ticks in and an end of track as far again %s", why);

    /* a file built through the API, saved and loaded */
    midi_file f, g;
    char err[ERR_MAX] = "";
    int ok = midi_init(&f, 1, 96, err) == 0 && midi_add_track(&f, "tempo", err) == 0 &&
             midi_add_track(&f, NULL, err) == 1;
    midi_event e = {.tick = 0, .kind = MIDI_TEMPO, .value = 600000};
    ok = ok && midi_append(&f, 0, &e, err) == 0;
    for (int i = 0; ok && i < 8; i++) {
        midi_event on = {.tick = 48 * i, .kind = MIDI_NOTE_ON, .channel = 2, .data = {(uint8_t)(60 + i), 90}};
        midi_event off = {.tick = 48 * i + 40, .kind = MIDI_NOTE_OFF, .channel = 2, .data = {(uint8_t)(60 + i), 0}};
        ok = midi_append(&f, 1, &on, err) == 0 && midi_append(&f, 1, &off, err) == 0;
    }
    ok = ok && midi_update_maps(&f, err) == 0;
    check(ok && fabs(midi_seconds(&f, 96) - 0.6) < 1e-12, "build: tracks and events appended, tempo map made %s",
          ok ? "" : err);
    char dir[] = "/tmp/test_midi.XXXXXX", path[64];
    if (!mkdtemp(dir)) {
        check(0, "mkdtemp: %s", strerror(errno));
        midi_free(&f);
        return;
    }
    snprintf(path, sizeof path, "%s/out.mid", dir);
    ok = midi_save(&f, path, 1, err) == 0 && midi_load(path, &g, err) == 0;
    check(ok && same_file(&f, &g, why, sizeof why), "save and load: the same file %s%s", ok ? "" : err, why);
    midi_free(&g);
    int entries = 0;
    DIR *d = opendir(dir);
    for (struct dirent *de; d && (de = readdir(d));)
        entries += de->d_name[0] != '.';
    if (d)
        closedir(d);
    check(entries == 1, "save: no temporary file left beside the file (%d entries)", entries);
    midi_event back = {.tick = 10, .kind = MIDI_NOTE_ON, .channel = 2, .data = {60, 90}};
    err[0] = 0;
    check(midi_append(&f, 1, &back, err) == -1 && one_line(err), "append: an event before the last refused: '%s'",
          err);
    midi_event wrong = {.tick = 400, .kind = MIDI_NOTE_ON, .channel = 16, .data = {60, 90}};
    err[0] = 0;
    check(midi_append(&f, 1, &wrong, err) == -1 && one_line(err), "append: channel 16 refused: '%s'", err);
    snprintf(path, sizeof path, "%s/no/such/dir.mid", dir);
    err[0] = 0;
    check(midi_save(&f, path, 0, err) == -1 && strstr(err, "cannot write"), "save into a missing folder: '%s'", err);
    midi_free(&f);
    midi_init(&f, 0, 96, err);
    midi_add_track(&f, NULL, err);
    err[0] = 0;
    check(midi_add_track(&f, NULL, err) == -1 && one_line(err), "build: a second track in format 0 refused: '%s'",
          err);
    midi_free(&f);

    /* a file over midi_load's limit is refused before it is read */
    snprintf(path, sizeof path, "%s/big.mid", dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ok = fd >= 0 && ftruncate(fd, (off_t)MIDI_MAX_FILE_SIZE + 1) == 0;
    if (fd >= 0)
        close(fd);
    err[0] = 0;
    check(ok && midi_load(path, &f, err) == -1 && strstr(err, "larger than") && one_line(err),
          "load: a file over 16 MiB refused: '%s'", err);
    midi_free(&f);
    unlink(path);
    snprintf(path, sizeof path, "%s/out.mid", dir);
    unlink(path);
    rmdir(dir);
}

/* ---- hostile input ---- */

static void test_hostile(void)
{
    buf x = {.n = 0};
    add(&x, "hello, this is a text file\n", 27);
    expect_refused(&x, "not a Standard MIDI File", "a text file");
    x.n = 3;
    expect_refused(&x, "not a Standard MIDI File", "3 bytes");

    format1_file(&x);
    buf full = x;
    int all = 1;
    char err[ERR_MAX] = "";
    for (size_t n = 0; n < full.n; n++) { /* every cut of a valid file is refused */
        midi_file f;
        err[0] = 0;
        int rc = midi_read(full.b, n, &f, err);
        midi_free(&f);
        if (rc != -1 || !one_line(err)) {
            check(0, "truncated at %zu bytes: rc %d '%s'", n, rc, err);
            all = 0;
        }
    }
    check(all, "truncated: each of the %zu shorter prefixes of a file refused with one line", full.n);
    x.n = full.n - 5;
    expect_refused(&x, "truncated", "a file cut inside its last track");

    x = full;
    x.b[14 + 4] = 0x7F; /* the first track's length: 2 GB */
    expect_refused(&x, "claims", "a track chunk longer than the file");
    x = full;
    x.b[4] = 0xFF; /* the header's length */
    expect_refused(&x, "MThd header claims", "a header longer than the file");
    x = full;
    x.b[11] = 0xFF; /* 255 tracks announced, 3 there */
    expect_refused(&x, "announces 255 tracks", "more tracks announced than there are");
    x = full;
    x.b[9] = 2;
    expect_refused(&x, "format 2", "format 2");
    x.b[9] = 7;
    expect_refused(&x, "unknown MIDI format", "format 7");
    x = full;
    x.b[12] = 0xE7, x.b[13] = 0x28; /* -25 fps, 40 ticks a frame */
    expect_refused(&x, "SMPTE", "SMPTE division");
    x.b[12] = 0, x.b[13] = 0;
    expect_refused(&x, "division of 0", "division 0");
    x = full;
    x.b[4 + 3] = 5;
    expect_refused(&x, "MThd header of 5 bytes", "a 5-byte header");

    static const unsigned char long_vlq[] = {0x81, 0x80, 0x80, 0x80, 0x00, 0x90, 0x3C, 0x40, 0x00, 0xFF, 0x2F, 0x00};
    static const unsigned char tempo0[] = {0x00, 0xFF, 0x51, 0x03, 0x00, 0x00, 0x00, 0x00, 0xFF, 0x2F, 0x00};
    static const unsigned char huge_meta[] = {0x00, 0xFF, 0x01, 0xFF, 0xFF, 0xFF, 0x7F, 'x', 0x00, 0xFF, 0x2F, 0x00};
    static const unsigned char huge_sysex[] = {0x00, 0xF0, 0xFF, 0xFF, 0xFF, 0x7F, 0x00, 0xFF, 0x2F, 0x00};
    static const unsigned char short_tempo[] = {0x00, 0xFF, 0x51, 0x02, 0x07, 0xA1, 0x00, 0xFF, 0x2F, 0x00};
    static const unsigned char cut_message[] = {0x00, 0x90, 0x3C};
    static const unsigned char status_in_data[] = {0x00, 0x90, 0x3C, 0x90, 0x00, 0xFF, 0x2F, 0x00};
    static const unsigned char realtime[] = {0x00, 0xF8, 0x00, 0xFF, 0x2F, 0x00};
    static const unsigned char big_denominator[] = {0x00, 0xFF, 0x58, 0x04, 0x04, 0xFF,
                                                    0x18, 0x08, 0x00, 0xFF, 0x2F, 0x00};
    static const struct {
        const unsigned char *body;
        size_t n;
        const char *want, *what;
    } bodies[] = {
        {long_vlq, sizeof long_vlq, "longer than 4 bytes", "a delta time of 5 bytes"},
        {tempo0, sizeof tempo0, "tempo of 0", "a tempo of 0"},
        {huge_meta, sizeof huge_meta, "runs past the end of the track", "a meta event claiming 256 MB"},
        {huge_sysex, sizeof huge_sysex, "runs past the end of the track", "a sysex claiming 256 MB"},
        {short_tempo, sizeof short_tempo, "tempo event of 2 bytes", "a 2-byte tempo"},
        {cut_message, sizeof cut_message, "cut off", "a note on cut off"},
        {status_in_data, sizeof status_in_data, "where a data byte", "a status byte as data"},
        {realtime, sizeof realtime, "0xF8", "a real-time byte in a track"},
        {big_denominator, sizeof big_denominator, "denominator", "a time signature of 4/2^255"},
    };
    for (size_t i = 0; i < sizeof bodies / sizeof *bodies; i++) {
        x.n = 0;
        header(&x, 6, 0, 1, 96);
        chunk(&x, "MTrk", bodies[i].body, bodies[i].n);
        expect_refused(&x, bodies[i].want, bodies[i].what);
    }

    /* random damage to valid files: an error or a file, never a crash
     * (the sanitizer build checks every access); a fixed sequence */
    uint64_t state = 0x9E3779B97F4A7C15u;
    int refused = 0, read_ok = 0, bad_message = 0, not_round = 0;
    for (int round = 0; round < 20000; round++) {
        if (round % 2)
            format0_file(&x);
        else
            x = full;
        int hits = 1 + round % 4;
        for (int h = 0; h < hits; h++) {
            state = state * 6364136223846793005u + 1442695040888963407u;
            size_t at = (size_t)(state >> 33) % x.n;
            x.b[at] = (unsigned char)(state >> 20);
        }
        midi_file f;
        err[0] = 0;
        if (midi_read(x.b, x.n, &f, err) == 0) {
            read_ok++;
            midi_note *notes;
            size_t n;
            if (midi_notes(&f, &notes, &n, err) == 0)
                free(notes);
            char why[256];
            not_round += !round_trip(x.b, x.n, round % 3 == 0, why, sizeof why);
        } else {
            refused++;
            bad_message += !one_line(err);
        }
        midi_free(&f);
    }
    check(bad_message == 0 && not_round == 0,
          "20000 damaged files: %d refused with one line each, %d read and round-tripped (%d did not)", refused,
          read_ok, not_round);
}

/* ---- notes, melody, quantization ---- */

/* A track of notes (start, end, pitch, channel), as events in order. */
typedef struct {
    int start, end, pitch, channel;
} spec;

static int event_order(const void *a, const void *b)
{
    const midi_event *x = a, *y = b;
    if (x->tick != y->tick)
        return x->tick < y->tick ? -1 : 1;
    return (x->kind == MIDI_NOTE_ON) - (y->kind == MIDI_NOTE_ON); /* offs first */
}

static void add_notes(midi_file *f, size_t track, const spec *s, size_t n)
{
    midi_event *ev = malloc(2 * n * sizeof *ev);
    char err[ERR_MAX] = "";
    for (size_t i = 0; i < n; i++) {
        ev[2 * i] = (midi_event){.tick = s[i].start, .kind = MIDI_NOTE_ON, .channel = (uint8_t)s[i].channel,
                                 .data = {(uint8_t)s[i].pitch, 100}};
        ev[2 * i + 1] = (midi_event){.tick = s[i].end, .kind = MIDI_NOTE_OFF, .channel = (uint8_t)s[i].channel,
                                     .data = {(uint8_t)s[i].pitch, 0}};
    }
    qsort(ev, 2 * n, sizeof *ev, event_order);
    for (size_t i = 0; i < 2 * n; i++)
        if (midi_append(f, track, &ev[i], err) < 0)
            check(0, "append: %s", err);
    free(ev);
}

static int notes_are(const midi_note *got, size_t n, const spec *want, size_t m)
{
    if (n != m)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (got[i].start != want[i].start || got[i].end != want[i].end || got[i].pitch != want[i].pitch ||
            got[i].channel != want[i].channel)
            return 0;
    return 1;
}

static void print_notes(const char *what, const midi_note *n, size_t count)
{
    printf("  %s:", what);
    for (size_t i = 0; i < count; i++)
        printf(" %d[%lld,%lld)c%d", n[i].pitch, (long long)n[i].start, (long long)n[i].end, n[i].channel);
    printf("\n");
}

static void test_notes(void)
{
    midi_file f;
    char err[ERR_MAX] = "";
    midi_init(&f, 0, 480, err);
    midi_add_track(&f, NULL, err);
    /* overlapping same pitch, a stray note off, a note left hanging */
    static const midi_event ev[] = {
        {.tick = 0, .kind = MIDI_NOTE_ON, .channel = 0, .data = {60, 100}},
        {.tick = 10, .kind = MIDI_NOTE_ON, .channel = 0, .data = {60, 90}},
        {.tick = 15, .kind = MIDI_NOTE_OFF, .channel = 5, .data = {60, 0}},
        {.tick = 20, .kind = MIDI_NOTE_OFF, .channel = 0, .data = {60, 0}},
        {.tick = 30, .kind = MIDI_NOTE_OFF, .channel = 0, .data = {60, 0}},
        {.tick = 40, .kind = MIDI_NOTE_ON, .channel = 15, .data = {61, 80}},
        {.tick = 50, .kind = MIDI_NOTE_ON, .channel = 0, .data = {62, 70}},
        {.tick = 50, .kind = MIDI_NOTE_OFF, .channel = 0, .data = {62, 0}},
        {.tick = 90, .kind = MIDI_CONTROL, .channel = 0, .data = {7, 100}},
    };
    for (size_t i = 0; i < sizeof ev / sizeof *ev; i++)
        midi_append(&f, 0, &ev[i], err);
    f.tracks[0].end_tick = 100;
    midi_note *notes;
    size_t n;
    static const spec want[] = {{0, 10, 60, 0}, {10, 20, 60, 0}, {40, 100, 61, 15}, {50, 50, 62, 0}};
    int ok = midi_notes(&f, &notes, &n, err) == 0 && notes_are(notes, n, want, 4) && notes[1].velocity == 90;
    if (!ok)
        print_notes("got", notes, n);
    check(ok, "notes: a repeated note on ends the sounding one, a stray off is ignored, a hanging note ends at the "
              "track's end, a zero-length note is kept");
    free(notes);
    midi_free(&f);
}

static void test_melody(void)
{
    midi_file f;
    char err[ERR_MAX] = "";
    midi_init(&f, 1, 480, err);
    midi_add_track(&f, "upper", err);
    midi_add_track(&f, "lower", err);
    midi_add_track(&f, "drums", err);
    static const spec upper[] = {{0, 480, 72, 0}, {480, 960, 76, 0}, {1440, 1920, 79, 0}};
    static const spec lower[] = {{0, 1920, 48, 1}, {1080, 1300, 55, 1}, {1500, 1700, 60, 1}};
    static const spec drums[] = {{0, 100, 90, 9}, {480, 580, 90, 9}, {1000, 1100, 95, 9}};
    add_notes(&f, 0, upper, 3);
    add_notes(&f, 1, lower, 3);
    add_notes(&f, 2, drums, 3);
    midi_note *notes, *mel;
    size_t n, m;
    midi_notes(&f, &notes, &n, err);
    static const spec sky[] = {{0, 480, 72, 0}, {480, 960, 76, 0}, {1080, 1300, 55, 1}, {1440, 1920, 79, 0}};
    int ok = midi_melody(notes, n, -1, -1, &mel, &m, err) == 0 && notes_are(mel, m, sky, 4);
    if (!ok)
        print_notes("skyline", mel, m);
    check(ok, "melody: the skyline of two voices takes the upper, a note the lower begins in its rest, never the "
              "held bass nor the drums (channel 10)");
    free(mel);
    static const spec lower_only[] = {{0, 1080, 48, 1}, {1080, 1300, 55, 1}, {1500, 1700, 60, 1}};
    ok = midi_melody(notes, n, 1, -1, &mel, &m, err) == 0 && notes_are(mel, m, lower_only, 3);
    if (!ok)
        print_notes("track 1", mel, m);
    check(ok, "melody: track 1 alone: the bass cut where a higher note begins, and not back after it");
    free(mel);
    ok = midi_melody(notes, n, -1, MIDI_DRUM_CHANNEL, &mel, &m, err) == 0 && m == 3 && mel[2].pitch == 95;
    check(ok, "melody: the drum channel when chosen by channel");
    free(mel);
    free(notes);
    midi_free(&f);

    /* only drums; no notes at all */
    midi_init(&f, 0, 480, err);
    midi_add_track(&f, NULL, err);
    add_notes(&f, 0, drums, 3);
    midi_notes(&f, &notes, &n, err);
    err[0] = 0;
    check(midi_melody(notes, n, -1, -1, &mel, &m, err) == -1 && strstr(err, "drum") && one_line(err),
          "melody of drums only refused: '%s'", err);
    free(notes);
    midi_free(&f);
    err[0] = 0;
    check(midi_melody(NULL, 0, -1, -1, &mel, &m, err) == -1 && strstr(err, "no notes") && one_line(err),
          "melody of no notes refused: '%s'", err);
}

static void test_quantize(void)
{
    /* eighth-note triplets (160 ticks at 480 a beat), played loosely, then
     * sixteenths (120), a grace note of 10 ticks, two notes 5 ticks apart */
    midi_note q[] = {
        {5, 150, 60, 90, 0, 0},    {158, 330, 62, 90, 0, 0},   {322, 470, 64, 90, 0, 0},
        {482, 600, 65, 90, 0, 0},  {598, 712, 67, 90, 0, 0},   {722, 840, 69, 90, 0, 0},
        {960, 970, 71, 90, 0, 0},  {1000, 1060, 72, 90, 0, 0}, {1005, 1100, 74, 90, 0, 0},
        {1130, 1400, 76, 90, 0, 0}, {1181, 1300, 77, 90, 0, 0},
    };
    size_t n = sizeof q / sizeof *q;
    char err[ERR_MAX] = "";
    static const spec want[] = {
        {0, 160, 60, 0},     {160, 320, 62, 0},  {320, 480, 64, 0},   {480, 600, 65, 0},
        {600, 720, 67, 0},   {720, 840, 69, 0},  {960, 1000, 71, 0},  {1000, 1080, 72, 0},
        {1120, 1200, 76, 0}, {1200, 1320, 77, 0},
    };
    int ok = midi_quantize(q, &n, 480, MIDI_STEPS_PER_BEAT, err) == 0 && notes_are(q, n, want, 10);
    if (!ok)
        print_notes("quantized", q, n);
    check(ok, "quantize at 12 steps a beat: triplets and sixteenths on the grid, a grace note lengthened to a step, "
              "the second of two notes on one step dropped, a note cut at the next onset");
    int64_t bad = 0;
    for (int64_t s = 0; s < 2000; s++)
        bad += midi_tick_step(midi_step_tick(s, 100, 12), 100, 12) != s;
    check(bad == 0 && midi_step_tick(1, 100, 12) == 8 && midi_step_tick(12, 100, 12) == 100,
          "quantize: a step goes to its tick and back at 100 ticks a beat (not a multiple of 12)");
    midi_note back[] = {{100, 200, 60, 90, 0, 0}, {50, 60, 60, 90, 0, 0}};
    n = 2;
    err[0] = 0;
    check(midi_quantize(back, &n, 480, 12, err) == -1 && one_line(err), "quantize: notes out of order refused: '%s'",
          err);
    n = 2;
    err[0] = 0;
    check(midi_quantize(back, &n, 8, 12, err) == -1 && one_line(err),
          "quantize: a grid finer than the ticks refused: '%s'", err);
}

/* ---- chords ---- */

static void test_chords(void)
{
    static const struct {
        const char *symbol;
        int root, bass;
        chord_quality q;
        const char *tones; /* pitch classes, as hex digits */
    } cases[] = {
        {"C", 0, 0, CHORD_MAJ, "047"},          {"Cm", 0, 0, CHORD_MIN, "037"},
        {"C7", 0, 0, CHORD_DOM7, "047a"},       {"Cmaj7", 0, 0, CHORD_MAJ7, "047b"},
        {"Cm7", 0, 0, CHORD_MIN7, "037a"},      {"Cm7b5", 0, 0, CHORD_HALF_DIM, "036a"},
        {"Cdim7", 0, 0, CHORD_DIM7, "0369"},    {"Caug", 0, 0, CHORD_AUG, "048"},
        {"C6", 0, 0, CHORD_MAJ6, "0479"},       {"Cm6", 0, 0, CHORD_MIN6, "0379"},
        {"C9", 0, 0, CHORD_DOM7, "0247a"},      {"C7sus4", 0, 0, CHORD_SUS7, "057a"},
        {"C9sus4", 0, 0, CHORD_SUS7, "0257a"},  {"C7alt", 0, 0, CHORD_ALT, "013468a"},
        {"C/G", 0, 7, CHORD_MAJ, "047"},        {"F#m7", 6, 6, CHORD_MIN7, "1469"},
        {"Bbmaj7", 10, 10, CHORD_MAJ7, "259a"}, {"C-7", 0, 0, CHORD_MIN7, "037a"},
        {"Cj7", 0, 0, CHORD_MAJ7, "047b"},      {"Co7", 0, 0, CHORD_DIM7, "0369"},
        {"C+", 0, 0, CHORD_AUG, "048"},         {"C-", 0, 0, CHORD_MIN, "037"},
        {"Cj", 0, 0, CHORD_MAJ, "047"},         {"C79b", 0, 0, CHORD_DOM7, "0147a"},
        {"NC", -1, -1, CHORD_NONE, ""},         {"C7b9", 0, 0, CHORD_DOM7, "0147a"},
        {"C79#11#", 0, 0, CHORD_DOM7, "03467a"}, {"C9#11", 0, 0, CHORD_DOM7, "02467a"},
        {"C79b13", 0, 0, CHORD_DOM7, "01479a"}, {"C7b9b13", 0, 0, CHORD_DOM7, "01478a"},
        {"C-j7", 0, 0, CHORD_MINMAJ7, "037b"},  {"C+7", 0, 0, CHORD_AUG7, "048a"},
        {"C+j7", 0, 0, CHORD_AUGMAJ7, "048b"},  {"Csus", 0, 0, CHORD_SUS, "057"},
        {"Co", 0, 0, CHORD_DIM, "036"},         {"C69", 0, 0, CHORD_MAJ6, "02479"},
        {"Ab-6/Eb", 8, 3, CHORD_MIN6, "358b"}, {"C7(b9,#11)", 0, 0, CHORD_DOM7, "01467a"},
        {"Cb7", 11, 11, CHORD_DOM7, "369b"},    {"E6911#", 4, 4, CHORD_MAJ6, "1468ab"},
    };
    int bad = 0;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        chord c;
        char err[ERR_MAX] = "";
        unsigned tones = 0;
        for (const char *p = cases[i].tones; *p; p++)
            tones |= 1u << (*p <= '9' ? *p - '0' : *p - 'a' + 10);
        if (chord_parse(cases[i].symbol, &c, err) < 0 || c.root != cases[i].root || c.bass != cases[i].bass ||
            c.quality != cases[i].q || c.tones != tones || strcmp(c.symbol, cases[i].symbol)) {
            check(0, "chord '%s': root %d bass %d %s tones %03x (want %03x) %s", cases[i].symbol, c.root, c.bass,
                  chord_quality_name(c.quality), c.tones, tones, err);
            bad++;
        }
    }
    check(bad == 0, "chords: %zu symbols (common and WJazzD spellings) give their root, bass, quality and tones",
          sizeof cases / sizeof *cases);
    static const char *const wrong[] = {"Cx7", "H7", "C7b11", "C/", "C/X", "c", "Cmaj7#13", "C7 9"};
    bad = 0;
    for (size_t i = 0; i < sizeof wrong / sizeof *wrong; i++) {
        chord c;
        char err[ERR_MAX] = "";
        if (chord_parse(wrong[i], &c, err) != -1 || !one_line(err) || !strstr(err, wrong[i])) {
            check(0, "chord '%s' refused: '%s'", wrong[i], err);
            bad++;
        }
    }
    chord c;
    char err[ERR_MAX] = "";
    chord_parse("Cx7", &c, err);
    check(bad == 0, "chords: %zu wrong symbols refused with a line that names them: '%s'",
          sizeof wrong / sizeof *wrong, err);
    check(chord_parse("G7", &c, err) == 0 && chord_has(&c, 65) && chord_has(&c, 71) && !chord_has(&c, 72),
          "chords: G7 holds F (65) and B (71), not C (72)");

    chord_timeline t;
    char *text = NULL;
    int ok = chord_timeline_parse("| Dm7 G7 | Cmaj7 | |\n| Am7 D7 || G |", 4, &t, err) == 0 && t.n == 6 &&
             t.spans[1].start == 2 && t.spans[1].duration == 2 && t.spans[2].start == 4 &&
             t.spans[2].duration == 8 && t.spans[5].start == 16 && t.spans[5].duration == 4;
    check(ok, "timeline: bars shared equally, an empty bar holds the chord before, '||' and '|' at a line's end "
              "and the next's start are one bar line %s",
          ok ? "" : err);
    ok = ok && chord_at(&t, 3.5) == &t.spans[1].chord && chord_at(&t, 11.9) == &t.spans[2].chord &&
         chord_at(&t, 20) == NULL && chord_at(&t, -1) == NULL;
    check(ok, "timeline: chord_at finds the chord sounding at a beat");
    ok = chord_timeline_format(&t, 4, &text, err) == 0 && strcmp(text, "Dm7 G7 | Cmaj7 | | Am7 D7 | G |") == 0;
    check(ok, "timeline: printed back as '%s'", text ? text : err);
    chord_timeline_free(&t);
    if (text) {
        char *again = NULL;
        ok = chord_timeline_parse(text, 4, &t, err) == 0 && chord_timeline_format(&t, 4, &again, err) == 0 &&
             strcmp(again, text) == 0;
        check(ok, "timeline: parse -> print -> parse -> print is stable");
        free(again);
        chord_timeline_free(&t);
    }
    free(text);
    ok = chord_timeline_parse("C F G | Bb Eb", 3, &t, err) == 0 && t.n == 5 && t.spans[1].start == 1 &&
         t.spans[4].start == 4.5 && t.spans[4].duration == 1.5;
    check(ok, "timeline: in 3/4, three chords a beat each, two a beat and a half each");
    chord_timeline_free(&t);
    err[0] = 0;
    check(chord_timeline_parse("C | Dm7 Gx7 |", 4, &t, err) == -1 && strstr(err, "Gx7") && one_line(err),
          "timeline: a bad symbol named: '%s'", err);
    chord_timeline_free(&t);
    err[0] = 0;
    check(chord_timeline_parse("| | C", 4, &t, err) == -1 && one_line(err), "timeline: an empty first bar: '%s'",
          err);
    chord_timeline_free(&t);
    chord_parse("C", &c, err);
    chord_span uneven[] = {{0, 3, c}, {3, 1, c}};
    chord_timeline ut = {uneven, 2};
    err[0] = 0;
    check(chord_timeline_format(&ut, 4, &text, err) == -1 && one_line(err),
          "timeline: 3 + 1 beats has no text form: '%s'", err);
}

/* ---- the reference data ---- */

static const char *shared_dir(void)
{
    const char *s = getenv("SEQTOOL_SHARED");
    return s && *s ? s : "../shared/datasets";
}

/* The names in dir ending in suffix, sorted; NULL-terminated (free each
 * and the array). */
static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static char **list_dir(const char *dir, const char *suffix, size_t *n)
{
    *n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    size_t cap = 64;
    char **names = malloc(cap * sizeof *names);
    size_t ls = strlen(suffix);
    for (struct dirent *e; (e = readdir(d));) {
        size_t l = strlen(e->d_name);
        if (l <= ls || strcmp(e->d_name + l - ls, suffix))
            continue;
        if (*n + 1 == cap)
            names = realloc(names, (cap *= 2) * sizeof *names);
        names[(*n)++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, *n, sizeof *names, by_name);
    names[*n] = NULL;
    return names;
}

static void free_list(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* each(path, name, ctx) for every file of the corpus's folder sub whose
 * name ends in suffix, in name order; the number of files, or 0 after a
 * skip line naming what when there are none. */
static size_t each_corpus_file(const char *sub, const char *suffix, const char *what,
                               void (*each)(const char *path, const char *name, void *ctx), void *ctx)
{
    char dir[512], path[1024];
    size_t n;
    snprintf(dir, sizeof dir, "%s/jazz-corpus/%s", shared_dir(), sub);
    char **files = list_dir(dir, suffix, &n);
    if (!files || !n)
        printf("skip - %s: %s not present\n", what, dir);
    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        each(path, files[i], ctx);
    }
    free_list(files, n);
    return n;
}

/* What the chord sidecars held. */
typedef struct {
    size_t lines, failed, distinct, cap;
    char **seen;
    char first_bad[ERR_MAX];
    size_t per_quality[CHORD_QUALITIES];
} sidecar_count;

/* A sidecar: two '#' lines, a header "tick bar beat onset_s chord", then
 * a symbol at the end of each line. */
static void parse_sidecar(const char *path, const char *name, void *ctx)
{
    sidecar_count *s = ctx;
    char line[1024];
    FILE *f = fopen(path, "r");
    if (!f) {
        s->failed++;
        return;
    }
    int header = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        if (line[0] == '#' || !line[0] || !header++)
            continue;
        char *sym = strrchr(line, '\t');
        sym = sym ? sym + 1 : line;
        chord c;
        char err[ERR_MAX] = "";
        s->lines++;
        if (chord_parse(sym, &c, err) < 0) {
            if (!s->failed++)
                snprintf(s->first_bad, sizeof s->first_bad, "%.200s: %.300s", name, err);
            continue;
        }
        size_t k = 0;
        while (k < s->distinct && strcmp(s->seen[k], sym))
            k++;
        if (k < s->distinct)
            continue;
        if (s->distinct == s->cap)
            s->seen = realloc(s->seen, (s->cap = 2 * s->cap + 64) * sizeof *s->seen);
        s->seen[s->distinct++] = strdup(sym);
        s->per_quality[c.quality]++;
    }
    fclose(f);
}

static void test_corpus_chords(void)
{
    sidecar_count s = {0};
    size_t n = each_corpus_file("chords", ".chords.tsv", "corpus chord symbols", parse_sidecar, &s);
    if (n) {
        check(s.failed == 0 && s.lines == 30553,
              "corpus: all %zu chord lines of %zu sidecars parse (%zu distinct symbols) %s", s.lines, n, s.distinct,
              s.first_bad);
        printf("  distinct symbols by quality:");
        for (int q = 0; q < CHORD_QUALITIES; q++)
            printf(" %s %zu", chord_quality_name(q), s.per_quality[q]);
        printf("\n");
    }
    for (size_t k = 0; k < s.distinct; k++)
        free(s.seen[k]);
    free(s.seen);
}

static int read_whole(const char *path, unsigned char **data, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    *data = malloc(n > 0 ? (size_t)n : 1);
    *size = fread(*data, 1, (size_t)n, f);
    fclose(f);
    return 0;
}

/* What the corpus's MIDI files gave. */
typedef struct {
    size_t notes, failed, not_round, not_mono;
    char first_bad[ERR_MAX + 600];
} solo_count;

static void read_solo(const char *path, const char *name, void *ctx)
{
    solo_count *s = ctx;
    char err[ERR_MAX], why[256];
    midi_file f;
    if (midi_load(path, &f, err) < 0) {
        if (!s->failed++)
            snprintf(s->first_bad, sizeof s->first_bad, "%s", err);
        midi_free(&f);
        return;
    }
    midi_note *notes, *mel;
    size_t k, m;
    if (midi_notes(&f, &notes, &k, err) == 0 && midi_melody(notes, k, -1, -1, &mel, &m, err) == 0) {
        s->notes += k;
        s->not_mono += m != k; /* the solos are monophonic: the skyline keeps every note */
        free(mel);
    } else {
        s->failed++;
    }
    free(notes);
    midi_free(&f);
    unsigned char *data;
    size_t size;
    if (read_whole(path, &data, &size) == 0) {
        if (!round_trip(data, size, 1, why, sizeof why) && !s->not_round++)
            snprintf(s->first_bad, sizeof s->first_bad, "%s: round trip: %s", name, why);
        free(data);
    }
}

static void test_corpus_midi(void)
{
    solo_count s = {0};
    size_t n = each_corpus_file("midi", ".mid", "corpus MIDI files", read_solo, &s);
    if (!n)
        return;
    check(s.failed == 0 && s.notes == 200814, "corpus: %zu MIDI files read, %zu notes (200814) %s", n, s.notes,
          s.first_bad);
    check(s.not_mono == 0, "corpus: the skyline melody of each solo is the solo itself (%zu differ)", s.not_mono);
    check(s.not_round == 0, "corpus: every file round-trips through the writer (%zu do not)", s.not_round);
}

static void test_metheny(void)
{
    char path[512], err[ERR_MAX];
    snprintf(path, sizeof path, "%s/course/jazz/original_metheny.mid", shared_dir());
    if (access(path, R_OK) != 0) {
        printf("skip - the course's Metheny file: %s not present\n", path);
        return;
    }
    midi_file f;
    if (!check(midi_load(path, &f, err) == 0, "metheny: %s reads%s%s", path, err[0] ? ": " : "", err)) {
        midi_free(&f);
        return;
    }
    check(f.format == 1 && f.n_tracks == 25 && f.ticks_per_quarter == 96,
          "metheny: format 1, %zu tracks (25), %d ticks per quarter (96)", f.n_tracks, f.ticks_per_quarter);
    check(f.tracks[11].name && !strcmp(f.tracks[11].name, "Guitar"), "metheny: track 11 is '%s' (Guitar)",
          f.tracks[11].name ? f.tracks[11].name : "");
    check(f.n_tempos == 1 && f.tempos[0].usec_per_quarter == 535714, "metheny: one tempo, 535714 us a beat");
    midi_note *notes, *mel;
    size_t n, m;
    int ok = midi_notes(&f, &notes, &n, err) == 0 && midi_melody(notes, n, 11, -1, &mel, &m, err) == 0;
    int mono = ok;
    for (size_t i = 1; ok && i < m; i++)
        mono &= mel[i].start >= mel[i - 1].end && mel[i].channel == 5;
    check(ok && n == 12962 && m > 1000 && mono,
          "metheny: %zu notes (12962); the guitar's melody: %zu notes, one at a time", n, ok ? m : 0);
    if (ok) {
        size_t before = m;
        ok = midi_quantize(mel, &m, f.ticks_per_quarter, MIDI_STEPS_PER_BEAT, err) == 0;
        int on_grid = ok;
        for (size_t i = 0; ok && i < m; i++)
            on_grid &= mel[i].start % 8 == 0 && mel[i].end % 8 == 0 && mel[i].end > mel[i].start &&
                        (i == 0 || mel[i].start >= mel[i - 1].end);
        check(on_grid, "metheny: the guitar quantized to 12 steps a beat (8 ticks): %zu of %zu notes kept", m, before);
        free(mel);
    }
    free(notes);
    midi_free(&f);
}

/* ---- midicsv reads what the writer wrote ---- */

static void test_midicsv(void)
{
    if (system("command -v midicsv >/dev/null 2>&1") != 0) {
        printf("skip - midicsv: not installed (Debian package midicsv)\n");
        return;
    }
    buf x;
    format1_file(&x);
    midi_file f;
    char err[ERR_MAX] = "";
    char dir[] = "/tmp/test_midi.XXXXXX", path[64], cmd[256];
    if (!mkdtemp(dir) || midi_read(x.b, x.n, &f, err) < 0) {
        check(0, "midicsv: setup");
        return;
    }
    snprintf(path, sizeof path, "%s/w.mid", dir);
    int ok = midi_save(&f, path, 1, err) == 0;
    midi_free(&f);
    snprintf(cmd, sizeof cmd, "midicsv %s %s/w.csv 2>%s/w.err", path, dir, dir);
    int rc = ok ? system(cmd) : -1;
    char csv[64], errpath[64], line[256];
    snprintf(csv, sizeof csv, "%s/w.csv", dir);
    snprintf(errpath, sizeof errpath, "%s/w.err", dir);
    int note_on = 0, note_off = 0, tempo = 0, tracks = 0, err_lines = 0;
    FILE *c = fopen(csv, "r");
    while (c && fgets(line, sizeof line, c)) {
        note_on += strstr(line, "Note_on_c") != NULL;
        note_off += strstr(line, "Note_off_c") != NULL;
        tempo += strstr(line, "Tempo") != NULL;
        tracks += strstr(line, "End_track") != NULL;
    }
    if (c)
        fclose(c);
    FILE *e = fopen(errpath, "r");
    while (e && fgets(line, sizeof line, e))
        err_lines++;
    if (e)
        fclose(e);
    check(rc == 0 && err_lines == 0 && note_on == 5 && note_off == 1 && tempo == 2 && tracks == 3,
          "midicsv reads the writer's file without a warning: 3 tracks, 2 tempos, 5 note on and 1 note off events "
          "(%d, %d)",
          note_on, note_off);
    unlink(path);
    unlink(csv);
    unlink(errpath);
    rmdir(dir);
}

int main(void)
{
    test_vlq();
    test_format0();
    test_running_status();
    test_format1_tempo();
    test_round_trips();
    test_hostile();
    test_notes();
    test_melody();
    test_quantize();
    test_chords();
    test_corpus_chords();
    test_corpus_midi();
    test_metheny();
    test_midicsv();
    return check_exit();
}
