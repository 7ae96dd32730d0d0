/* midi — Standard MIDI File reader and writer, notes, melody; see midi.h.
 *
 * Written from the published Standard MIDI File 1.0 layout: a header
 * chunk "MThd" (length, then format, track count and division as 16-bit
 * big-endian numbers), then chunks "MTrk" of events, each a delta time (a
 * variable-length quantity: 7 bits a byte, high bit set on all but the
 * last) and a channel message, a meta event (FF type length data) or a
 * system exclusive message (F0/F7 length data). */
#include "midi.h"

#include "fileio.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* The meta events the reader reads or the writer writes. */
enum {
    META_TEXT = 0x01,
    META_TRACK_NAME = 0x03,
    META_END_OF_TRACK = 0x2F,
    META_TEMPO = 0x51,
    META_TIME_SIGNATURE = 0x58,
    META_KEY_SIGNATURE = 0x59,
};

/* The largest log2 of a time signature's denominator either side takes
 * (2^10 = a 1024th note; real files stop at 64ths). */
#define MAX_DENOMINATOR_POWER 10

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static unsigned be16(const unsigned char *p) { return (unsigned)p[0] << 8 | p[1]; }

/* Order by n keys, the first that differs deciding: -1, 0 or 1. */
static int compare_keys(const int64_t *a, const int64_t *b, int n)
{
    for (int i = 0; i < n; i++)
        if (a[i] != b[i])
            return a[i] < b[i] ? -1 : 1;
    return 0;
}

/* ---- variable-length quantities ---- */

int midi_vlq_encode(uint32_t value, unsigned char out[4])
{
    if (value > MIDI_VLQ_MAX)
        return 0;
    int n = 1;
    while (n < 4 && value >> (7 * n))
        n++;
    for (int i = 0; i < n; i++) {
        unsigned char b = (value >> (7 * (n - 1 - i))) & 0x7F;
        out[i] = i < n - 1 ? b | 0x80 : b;
    }
    return n;
}

/* The quantity at p: its length in bytes, or -1 (runs past size) or -2
 * (longer than 4 bytes). */
static int vlq_read(const unsigned char *p, size_t size, uint32_t *value)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        if ((size_t)i >= size)
            return -1;
        v = v << 7 | (p[i] & 0x7F);
        if (!(p[i] & 0x80)) {
            *value = v;
            return i + 1;
        }
    }
    return -2;
}

static const char *vlq_problem(int code)
{
    return code == -1 ? "runs past the end" : "is longer than 4 bytes";
}

int midi_vlq_decode(const unsigned char *p, size_t size, uint32_t *value, char *err)
{
    int k = vlq_read(p, size, value);
    if (k < 0)
        return err_set(err, "variable-length quantity %s", vlq_problem(k));
    return k;
}

/* ---- reading ---- */

/* Where the parser is: the file, the track being read, a byte offset. */
typedef struct {
    const unsigned char *data;
    size_t pos, end;  /* end: the end of the track chunk */
    size_t track;
    char *err;
} track_reader;

/* "track N at byte B: " and the message; returns -1. */
__attribute__((format(printf, 3, 4))) static int bad(track_reader *r, size_t at, const char *fmt, ...)
{
    char what[ERR_MAX - 64];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return err_set(r->err, "track %zu at byte %zu: %s", r->track, at, what);
}

/* A length-prefixed body (of a meta or sysex event) at r->pos: its length
 * read and checked against the end of the track; r->pos is left at the
 * body. */
static int body_length(track_reader *r, const char *what, uint32_t *len)
{
    size_t at = r->pos;
    int k = vlq_read(r->data + r->pos, r->end - r->pos, len);
    if (k < 0)
        return bad(r, at, "the length of a %s %s", what, vlq_problem(k));
    r->pos += (size_t)k;
    if (*len > r->end - r->pos)
        return bad(r, at, "a %s of %u bytes runs past the end of the track (%zu bytes left)", what, *len,
                   r->end - r->pos);
    return 0;
}

/* A meta event's body at r->pos, len bytes: into *e (returns 1), skipped
 * (0), or the end of the track (2); -1 on a malformed one. */
static int meta_event(track_reader *r, unsigned type, uint32_t len, midi_event *e, midi_track *t, int fill)
{
    const unsigned char *b = r->data + r->pos;
    switch (type) {
    case META_END_OF_TRACK:
        return 2;
    case META_TRACK_NAME:
        if (fill && !t->name) {
            if (!(t->name = malloc((size_t)len + 1)))
                return err_set(r->err, "out of memory for track %zu's name", r->track);
            memcpy(t->name, b, len);
            t->name[len] = 0;
        }
        return 0;
    case META_TEMPO:
        if (len < 3)
            return bad(r, r->pos, "tempo event of %u bytes (3 expected)", len);
        e->kind = MIDI_TEMPO;
        e->value = (uint32_t)b[0] << 16 | (uint32_t)b[1] << 8 | b[2];
        if (e->value == 0)
            return bad(r, r->pos, "tempo of 0 microseconds per quarter note");
        return 1;
    case META_TIME_SIGNATURE:
        if (len < 4)
            return bad(r, r->pos, "time signature event of %u bytes (4 expected)", len);
        if (b[1] > MAX_DENOMINATOR_POWER)
            return bad(r, r->pos, "time signature with a denominator of 2^%u", b[1]);
        e->kind = MIDI_TIME_SIGNATURE;
        e->data[0] = b[0];
        e->data[1] = b[1];
        e->value = (uint32_t)b[2] | (uint32_t)b[3] << 8;
        return 1;
    case META_KEY_SIGNATURE:
        if (len < 2)
            return bad(r, r->pos, "key signature event of %u bytes (2 expected)", len);
        e->kind = MIDI_KEY_SIGNATURE;
        e->data[0] = b[0];
        e->data[1] = b[1];
        return 1;
    default:
        return 0;
    }
}

/* One MTrk chunk's events: counted into *count, and stored into t->events
 * (room for *count of them) when fill is set. */
static int read_track(track_reader *r, midi_track *t, int fill, size_t *count)
{
    int64_t tick = 0;
    unsigned status = 0;
    size_t n = 0;
    int ended = 0;
    while (r->pos < r->end && !ended) {
        uint32_t delta;
        size_t at = r->pos;
        int k = vlq_read(r->data + r->pos, r->end - r->pos, &delta);
        if (k < 0)
            return bad(r, at, "a delta time %s", vlq_problem(k));
        r->pos += (size_t)k;
        tick += delta;
        if (r->pos >= r->end)
            return bad(r, r->pos, "the track ends after a delta time, without its event");
        midi_event e = {.tick = tick};
        unsigned b = r->data[r->pos];
        at = r->pos;
        if (b == 0xFF) {
            r->pos++;
            if (r->pos >= r->end)
                return bad(r, at, "meta event cut off before its type");
            unsigned type = r->data[r->pos++];
            uint32_t len;
            if (body_length(r, "meta event", &len) < 0)
                return -1;
            int got = meta_event(r, type, len, &e, t, fill);
            if (got < 0)
                return -1;
            r->pos += len;
            if (got == 2)
                ended = 1;
            if (got != 1)
                continue;
        } else if (b == 0xF0 || b == 0xF7) {
            r->pos++;
            uint32_t len;
            if (body_length(r, "system exclusive message", &len) < 0)
                return -1;
            r->pos += len;
            continue;
        } else {
            if (b >= 0xF0)
                return bad(r, at, "status byte 0x%02X does not belong in a MIDI file", b);
            if (!(b & 0x80) && !status)
                return bad(r, at, "data byte 0x%02X with no running status", b);
            if (b & 0x80) {
                status = b;
                r->pos++;
            }
            unsigned type = status >> 4, nd = (type == 0xC || type == 0xD) ? 1 : 2;
            if (r->end - r->pos < nd)
                return bad(r, at, "channel message cut off by the end of the track");
            for (unsigned i = 0; i < nd; i++) {
                unsigned d = r->data[r->pos + i];
                if (d & 0x80)
                    return bad(r, r->pos + i, "status byte 0x%02X where a data byte of 0x%02X belongs", d, status);
                e.data[i] = (uint8_t)d;
            }
            r->pos += nd;
            e.channel = status & 0x0F;
            static const uint8_t kinds[7] = {MIDI_NOTE_OFF, MIDI_NOTE_ON, MIDI_KEY_PRESSURE, MIDI_CONTROL,
                                             MIDI_PROGRAM, MIDI_CHANNEL_PRESSURE, MIDI_PITCH_BEND};
            e.kind = kinds[type - 8];
            if (e.kind == MIDI_NOTE_ON && e.data[1] == 0)
                e.kind = MIDI_NOTE_OFF;
            if (e.kind == MIDI_PITCH_BEND) {
                e.value = (uint32_t)e.data[0] | (uint32_t)e.data[1] << 7;
                e.data[0] = e.data[1] = 0;
            }
        }
        if (fill)
            t->events[n] = e;
        n++;
    }
    if (fill)
        t->end_tick = tick;
    *count = n;
    return 0;
}

/* The chunks after the header: *n_tracks (announced) MTrk chunks, found
 * and checked, with unknown chunks between them skipped.  With tracks
 * set, each is read into it. */
static int read_chunks(const unsigned char *data, size_t size, size_t pos, unsigned n_tracks, midi_track *tracks,
                       char *err)
{
    unsigned found = 0;
    while (found < n_tracks) {
        if (pos == size)
            return err_set(err, "truncated: the header announces %u tracks, the file holds %u", n_tracks, found);
        if (size - pos < 8)
            return err_set(err, "truncated: %zu bytes at byte %zu, too few for a chunk header", size - pos, pos);
        uint32_t len = be32(data + pos + 4);
        int is_track = memcmp(data + pos, "MTrk", 4) == 0;
        if (len > size - pos - 8) {
            if (is_track)
                return err_set(err, "truncated: track %u at byte %zu claims %u bytes, %zu remain", found, pos, len,
                               size - pos - 8);
            return err_set(err, "truncated: the chunk at byte %zu claims %u bytes, %zu remain", pos, len,
                           size - pos - 8);
        }
        if (is_track && tracks) {
            track_reader r = {data, pos + 8, pos + 8 + len, found, err};
            midi_track *t = &tracks[found];
            size_t count;
            if (read_track(&r, t, 0, &count) < 0)
                return -1;
            if (count && !(t->events = malloc(count * sizeof *t->events)))
                return err_set(err, "out of memory for %zu events of track %u", count, found);
            t->capacity = count;
            r.pos = pos + 8;
            if (read_track(&r, t, 1, &t->n_events) < 0)
                return -1;
        }
        found += is_track;
        pos += 8 + (size_t)len;
    }
    return 0;
}

int midi_read(const unsigned char *data, size_t size, midi_file *out, char *err)
{
    memset(out, 0, sizeof *out);
    if (size < 8 || memcmp(data, "MThd", 4) != 0)
        return err_set(err, "not a Standard MIDI File (it does not start with MThd)");
    uint32_t hlen = be32(data + 4);
    if (hlen < 6)
        return err_set(err, "MThd header of %u bytes (6 expected)", hlen);
    if (hlen > size - 8)
        return err_set(err, "truncated: the MThd header claims %u bytes, %zu remain", hlen, size - 8);
    unsigned format = be16(data + 8), n_tracks = be16(data + 10), division = be16(data + 12);
    if (format == 2)
        return err_set(err, "MIDI format 2 (independent sequences) is not supported, only formats 0 and 1");
    if (format > 2)
        return err_set(err, "unknown MIDI format %u", format);
    if (division & 0x8000)
        return err_set(err,
                       "SMPTE time division (%d frames per second, %u ticks per frame) is not supported, only "
                       "ticks per quarter note",
                       -(int)(signed char)(division >> 8), division & 0xFF);
    if (division == 0)
        return err_set(err, "a division of 0 ticks per quarter note");
    if (n_tracks == 0)
        return err_set(err, "the header announces no tracks");
    if (format == 0 && n_tracks != 1)
        return err_set(err, "a format 0 file with %u tracks (1 expected)", n_tracks);
    size_t pos = 8 + (size_t)hlen;
    /* Check every chunk before allocating: the track array is then at
     * most one per 8 bytes of file. */
    if (read_chunks(data, size, pos, n_tracks, NULL, err) < 0)
        return -1;
    out->format = (int)format;
    out->ticks_per_quarter = (int)division;
    if (!(out->tracks = calloc(n_tracks, sizeof *out->tracks)))
        return err_set(err, "out of memory for %u tracks", n_tracks);
    out->n_tracks = n_tracks;
    if (read_chunks(data, size, pos, n_tracks, out->tracks, err) < 0)
        return -1;
    return midi_update_maps(out, err);
}

int midi_load(const char *path, midi_file *out, char *err)
{
    memset(out, 0, sizeof *out);
    file_bytes fb;
    if (file_map_max(&fb, path, MIDI_MAX_FILE_SIZE, err) < 0)
        return -1;
    char e[ERR_MAX];
    int rc = midi_read(fb.bytes, fb.size, out, e);
    file_unmap(&fb);
    if (rc < 0)
        err_set(err, "'%s': %s", path, e);
    return rc;
}

void midi_free(midi_file *f)
{
    for (size_t i = 0; i < f->n_tracks; i++) {
        free(f->tracks[i].name);
        free(f->tracks[i].events);
    }
    free(f->tracks);
    free(f->tempos);
    free(f->time_signatures);
    memset(f, 0, sizeof *f);
}

/* ---- tempo map ---- */

/* A meta event of the maps, with its place in the file for ties. */
typedef struct {
    int64_t tick;
    size_t order;
    const midi_event *e;
} placed_event;

static int placed_cmp(const void *a, const void *b)
{
    const placed_event *x = a, *y = b;
    int64_t kx[2] = {x->tick, (int64_t)x->order}, ky[2] = {y->tick, (int64_t)y->order};
    return compare_keys(kx, ky, 2);
}

/* How many events of kind the tracks hold. */
static size_t count_kind(const midi_file *f, int kind)
{
    size_t count = 0;
    for (size_t i = 0; i < f->n_tracks; i++)
        for (size_t j = 0; j < f->tracks[i].n_events; j++)
            count += f->tracks[i].events[j].kind == kind;
    return count;
}

/* The events of kind, all tracks, sorted by tick (file order on ties),
 * only the last at each tick kept.  *list is malloc'd (or NULL). */
static int collect(const midi_file *f, int kind, placed_event **list, size_t *n, char *err)
{
    size_t count = count_kind(f, kind), order = 0;
    *list = NULL;
    *n = 0;
    if (!count)
        return 0;
    placed_event *p = malloc(count * sizeof *p);
    if (!p)
        return err_set(err, "out of memory for the tempo map");
    for (size_t i = 0; i < f->n_tracks; i++)
        for (size_t j = 0; j < f->tracks[i].n_events; j++)
            if (f->tracks[i].events[j].kind == kind) {
                p[order] = (placed_event){f->tracks[i].events[j].tick, order, &f->tracks[i].events[j]};
                order++;
            }
    qsort(p, count, sizeof *p, placed_cmp);
    size_t m = 0;
    for (size_t i = 0; i < count; i++) {
        if (m && p[m - 1].tick == p[i].tick)
            m--;
        p[m++] = p[i];
    }
    *list = p;
    *n = m;
    return 0;
}

int midi_update_maps(midi_file *f, char *err)
{
    free(f->tempos);
    free(f->time_signatures);
    f->tempos = NULL;
    f->time_signatures = NULL;
    f->n_tempos = f->n_time_signatures = 0;
    placed_event *p;
    size_t n;
    if (collect(f, MIDI_TEMPO, &p, &n, err) < 0)
        return -1;
    int lead = !n || p[0].tick > 0;
    if (!(f->tempos = malloc((n + lead) * sizeof *f->tempos))) {
        free(p);
        return err_set(err, "out of memory for the tempo map");
    }
    if (lead)
        f->tempos[0] = (midi_tempo){0, MIDI_DEFAULT_TEMPO, 0};
    for (size_t i = 0; i < n; i++)
        f->tempos[lead + i] = (midi_tempo){p[i].tick, p[i].e->value, 0};
    f->n_tempos = n + lead;
    free(p);
    for (size_t i = 1; i < f->n_tempos; i++) {
        const midi_tempo *prev = &f->tempos[i - 1];
        f->tempos[i].seconds = prev->seconds + (double)(f->tempos[i].tick - prev->tick) * prev->usec_per_quarter /
                                                   (1e6 * f->ticks_per_quarter);
    }
    if (collect(f, MIDI_TIME_SIGNATURE, &p, &n, err) < 0)
        return -1;
    if (n && !(f->time_signatures = malloc(n * sizeof *f->time_signatures))) {
        free(p);
        return err_set(err, "out of memory for the time signatures");
    }
    for (size_t i = 0; i < n; i++) {
        const midi_event *e = p[i].e;
        f->time_signatures[i] = (midi_time_signature){p[i].tick, e->data[0], 1 << e->data[1], (int)(e->value & 0xFF),
                                                      (int)(e->value >> 8)};
    }
    f->n_time_signatures = n;
    free(p);
    return 0;
}

double midi_seconds(const midi_file *f, int64_t tick)
{
    if (!f->n_tempos)
        return (double)tick * MIDI_DEFAULT_TEMPO / (1e6 * f->ticks_per_quarter);
    size_t lo = 0, hi = f->n_tempos; /* the last tempo at or before tick */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (f->tempos[mid].tick <= tick)
            lo = mid;
        else
            hi = mid;
    }
    const midi_tempo *t = &f->tempos[lo];
    return t->seconds + (double)(tick - t->tick) * t->usec_per_quarter / (1e6 * f->ticks_per_quarter);
}

/* ---- building ---- */

int midi_init(midi_file *f, int format, int ticks_per_quarter, char *err)
{
    memset(f, 0, sizeof *f);
    if (format != 0 && format != 1)
        return err_set(err, "MIDI format %d cannot be written, only 0 and 1", format);
    if (ticks_per_quarter < 1 || ticks_per_quarter > 0x7FFF)
        return err_set(err, "a division of %d ticks per quarter note (1 to 32767)", ticks_per_quarter);
    f->format = format;
    f->ticks_per_quarter = ticks_per_quarter;
    return 0;
}

int midi_add_track(midi_file *f, const char *name, char *err)
{
    if (f->format == 0 && f->n_tracks >= 1)
        return err_set(err, "a format 0 file has one track only");
    if (f->n_tracks >= 0xFFFF)
        return err_set(err, "a MIDI file holds at most 65535 tracks");
    midi_track *t = realloc(f->tracks, (f->n_tracks + 1) * sizeof *t);
    if (!t)
        return err_set(err, "out of memory for a track");
    f->tracks = t;
    t = &f->tracks[f->n_tracks];
    memset(t, 0, sizeof *t);
    if (name && !(t->name = strdup(name)))
        return err_set(err, "out of memory for a track's name");
    return (int)f->n_tracks++;
}

static int is_channel_kind(int kind) { return kind <= MIDI_PITCH_BEND; }

/* Whether e can be written as it is; names what is wrong in err. */
static int check_event(const midi_event *e, char *err)
{
    if (e->tick < 0)
        return err_set(err, "an event at tick %lld, before 0", (long long)e->tick);
    if (e->kind > MIDI_KEY_SIGNATURE)
        return err_set(err, "an event of unknown kind %d", e->kind);
    if (is_channel_kind(e->kind)) {
        if (e->channel > 15)
            return err_set(err, "channel %d (0-15)", e->channel);
        if (e->kind == MIDI_PITCH_BEND && e->value > 0x3FFF)
            return err_set(err, "pitch bend of %u (0-16383)", e->value);
        if (e->kind != MIDI_PITCH_BEND && (e->data[0] > 127 || e->data[1] > 127))
            return err_set(err, "data bytes %d %d (0-127)", e->data[0], e->data[1]);
    }
    if (e->kind == MIDI_TEMPO && (e->value < 1 || e->value > 0xFFFFFF))
        return err_set(err, "tempo of %u microseconds per quarter note (1 to 16777215)", e->value);
    if (e->kind == MIDI_TIME_SIGNATURE && (e->data[1] > MAX_DENOMINATOR_POWER || e->value > 0xFFFF))
        return err_set(err, "time signature with a denominator of 2^%d", e->data[1]);
    return 0;
}

int midi_append(midi_file *f, size_t track, const midi_event *e, char *err)
{
    if (track >= f->n_tracks)
        return err_set(err, "no track %zu (the file has %zu)", track, f->n_tracks);
    char why[ERR_MAX];
    if (check_event(e, why) < 0)
        return err_set(err, "track %zu: %s", track, why);
    midi_track *t = &f->tracks[track];
    if (t->n_events && e->tick < t->events[t->n_events - 1].tick)
        return err_set(err, "track %zu: an event at tick %lld after one at tick %lld", track, (long long)e->tick,
                       (long long)t->events[t->n_events - 1].tick);
    if (t->n_events == t->capacity) {
        size_t cap = t->capacity ? 2 * t->capacity : 16;
        midi_event *ev = realloc(t->events, cap * sizeof *ev);
        if (!ev)
            return err_set(err, "out of memory for events");
        t->events = ev;
        t->capacity = cap;
    }
    t->events[t->n_events++] = *e;
    if (t->end_tick < e->tick)
        t->end_tick = e->tick;
    return 0;
}

/* ---- writing ---- */

typedef struct {
    unsigned char *p;
    size_t n, cap;
    int failed;
} byte_buffer;

static void put(byte_buffer *b, const void *src, size_t n)
{
    if (b->failed)
        return;
    if (n > b->cap - b->n) {
        size_t cap = b->cap ? b->cap : 4096;
        while (n > cap - b->n)
            cap *= 2;
        unsigned char *p = realloc(b->p, cap);
        if (!p) {
            b->failed = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, src, n);
    b->n += n;
}

static void put_byte(byte_buffer *b, unsigned v)
{
    unsigned char c = (unsigned char)v;
    put(b, &c, 1);
}

static void put_be(byte_buffer *b, uint32_t v, int bytes)
{
    for (int i = bytes - 1; i >= 0; i--)
        put_byte(b, (v >> (8 * i)) & 0xFF);
}

static void put_vlq(byte_buffer *b, uint32_t v)
{
    unsigned char q[4];
    put(b, q, (size_t)midi_vlq_encode(v, q));
}

static void put_meta(byte_buffer *b, uint32_t delta, unsigned type, const unsigned char *body, uint32_t len)
{
    put_vlq(b, delta);
    put_byte(b, 0xFF);
    put_byte(b, type);
    put_vlq(b, len);
    put(b, body, len);
}

/* The bytes of one event after its delta time; *status is the running
 * status (0: none). */
static void put_event(byte_buffer *b, const midi_event *e, int running_status, unsigned *status)
{
    unsigned char body[4];
    switch (e->kind) {
    case MIDI_TEMPO:
        body[0] = (unsigned char)(e->value >> 16);
        body[1] = (unsigned char)(e->value >> 8);
        body[2] = (unsigned char)e->value;
        put_byte(b, 0xFF), put_byte(b, META_TEMPO), put_byte(b, 3), put(b, body, 3);
        *status = 0;
        return;
    case MIDI_TIME_SIGNATURE:
        body[0] = e->data[0], body[1] = e->data[1];
        body[2] = (unsigned char)(e->value & 0xFF), body[3] = (unsigned char)(e->value >> 8);
        put_byte(b, 0xFF), put_byte(b, META_TIME_SIGNATURE), put_byte(b, 4), put(b, body, 4);
        *status = 0;
        return;
    case MIDI_KEY_SIGNATURE:
        put_byte(b, 0xFF), put_byte(b, META_KEY_SIGNATURE), put_byte(b, 2), put(b, e->data, 2);
        *status = 0;
        return;
    }
    static const unsigned char high[] = {0x80, 0x90, 0xA0, 0xB0, 0xC0, 0xD0, 0xE0};
    int kind = e->kind;
    if (running_status && kind == MIDI_NOTE_OFF && e->data[1] == 0)
        kind = MIDI_NOTE_ON; /* read back as the same note off */
    unsigned s = high[kind] | e->channel;
    if (!running_status || s != *status)
        put_byte(b, s);
    *status = s;
    if (e->kind == MIDI_PITCH_BEND) {
        put_byte(b, e->value & 0x7F);
        put_byte(b, (e->value >> 7) & 0x7F);
    } else {
        put_byte(b, e->data[0]);
        if (e->kind != MIDI_PROGRAM && e->kind != MIDI_CHANNEL_PRESSURE)
            put_byte(b, e->data[1]);
    }
}

/* The delta time to the next event, gap ticks away: a gap longer than
 * one delta time holds goes out in empty Text events (which readers
 * skip) of the largest delta each. */
static void put_gap(byte_buffer *b, int64_t gap, unsigned *status)
{
    static const unsigned char empty[1];
    for (; gap > MIDI_VLQ_MAX; gap -= MIDI_VLQ_MAX) {
        put_meta(b, MIDI_VLQ_MAX, META_TEXT, empty, 0);
        *status = 0;
    }
    put_vlq(b, (uint32_t)gap);
}

static int write_track(byte_buffer *b, const midi_track *t, size_t index, int running_status, char *err)
{
    put(b, "MTrk", 4);
    size_t at = b->n;
    put_be(b, 0, 4); /* the length, filled in below */
    if (t->name)
        put_meta(b, 0, META_TRACK_NAME, (const unsigned char *)t->name, (uint32_t)strlen(t->name));
    int64_t tick = 0;
    unsigned status = 0;
    char why[ERR_MAX];
    for (size_t i = 0; i < t->n_events; i++) {
        const midi_event *e = &t->events[i];
        if (check_event(e, why) < 0)
            return err_set(err, "track %zu, event %zu: %s", index, i, why);
        if (e->tick < tick)
            return err_set(err, "track %zu, event %zu: tick %lld comes after tick %lld", index, i,
                           (long long)e->tick, (long long)tick);
        put_gap(b, e->tick - tick, &status);
        put_event(b, e, running_status, &status);
        tick = e->tick;
    }
    put_gap(b, (t->end_tick > tick ? t->end_tick : tick) - tick, &status);
    put_byte(b, 0xFF);
    put_byte(b, META_END_OF_TRACK);
    put_vlq(b, 0);
    size_t len = b->n - at - 4;
    if (b->failed)
        return err_set(err, "out of memory writing track %zu", index);
    if (len > 0xFFFFFFFFu)
        return err_set(err, "track %zu is too long for a MIDI file (%zu bytes)", index, len);
    for (int i = 0; i < 4; i++)
        b->p[at + i] = (unsigned char)(len >> (8 * (3 - i)));
    return 0;
}

int midi_write(const midi_file *f, int running_status, unsigned char **data, size_t *size, char *err)
{
    *data = NULL;
    *size = 0;
    if (f->format != 0 && f->format != 1)
        return err_set(err, "MIDI format %d cannot be written, only 0 and 1", f->format);
    if (f->ticks_per_quarter < 1 || f->ticks_per_quarter > 0x7FFF)
        return err_set(err, "a division of %d ticks per quarter note (1 to 32767)", f->ticks_per_quarter);
    if (f->n_tracks == 0 || f->n_tracks > 0xFFFF)
        return err_set(err, "%zu tracks: a MIDI file holds 1 to 65535", f->n_tracks);
    if (f->format == 0 && f->n_tracks != 1)
        return err_set(err, "a format 0 file with %zu tracks (1 expected)", f->n_tracks);
    byte_buffer b = {0};
    put(&b, "MThd", 4);
    put_be(&b, 6, 4);
    put_be(&b, (uint32_t)f->format, 2);
    put_be(&b, (uint32_t)f->n_tracks, 2);
    put_be(&b, (uint32_t)f->ticks_per_quarter, 2);
    for (size_t i = 0; i < f->n_tracks; i++)
        if (write_track(&b, &f->tracks[i], i, running_status, err) < 0) {
            free(b.p);
            return -1;
        }
    if (b.failed) {
        free(b.p);
        return err_set(err, "out of memory writing a MIDI file");
    }
    *data = b.p;
    *size = b.n;
    return 0;
}

int midi_save(const midi_file *f, const char *path, int running_status, char *err)
{
    unsigned char *data;
    size_t size;
    if (midi_write(f, running_status, &data, &size, err) < 0)
        return -1;
    atomic_file a;
    if (atomic_open(&a, path) < 0) {
        free(data);
        return err_set(err, "cannot write '%s': %s", path, strerror(errno));
    }
    if (fwrite(data, 1, size, a.f) != size) {
        int e = errno;
        atomic_abort(&a);
        free(data);
        return err_set(err, "cannot write '%s': %s", path, strerror(e));
    }
    free(data);
    if (atomic_commit(&a) < 0)
        return err_set(err, "cannot write '%s': %s", path, strerror(errno));
    return 0;
}

/* ---- notes ---- */

/* By start, then track, channel, pitch, end, velocity. */
static int note_cmp(const void *a, const void *b)
{
    const midi_note *x = a, *y = b;
    int64_t kx[6] = {x->start, x->track, x->channel, x->pitch, x->end, x->velocity};
    int64_t ky[6] = {y->start, y->track, y->channel, y->pitch, y->end, y->velocity};
    return compare_keys(kx, ky, 6);
}

int midi_notes(const midi_file *f, midi_note **notes, size_t *n, char *err)
{
    *notes = NULL;
    *n = 0;
    size_t count = count_kind(f, MIDI_NOTE_ON);
    if (!count)
        return 0;
    midi_note *out = malloc(count * sizeof *out);
    if (!out)
        return err_set(err, "out of memory for %zu notes", count);
    size_t m = 0, *sounding = malloc(16 * 128 * sizeof *sounding); /* index in out + 1; 0: silent */
    if (!sounding) {
        free(out);
        return err_set(err, "out of memory for %zu notes", count);
    }
    for (size_t i = 0; i < f->n_tracks; i++) {
        const midi_track *t = &f->tracks[i];
        memset(sounding, 0, 16 * 128 * sizeof *sounding);
        for (size_t j = 0; j < t->n_events; j++) {
            const midi_event *e = &t->events[j];
            if (e->kind != MIDI_NOTE_ON && e->kind != MIDI_NOTE_OFF)
                continue;
            size_t *s = &sounding[(e->channel & 15) * 128 + (e->data[0] & 127)];
            if (*s) {
                out[*s - 1].end = e->tick;
                *s = 0;
            }
            if (e->kind == MIDI_NOTE_ON) {
                out[m] = (midi_note){e->tick, e->tick, e->data[0], e->data[1], e->channel, (uint16_t)i};
                *s = ++m;
            }
        }
        for (size_t k = 0; k < 16 * 128; k++)
            if (sounding[k]) {
                midi_note *note = &out[sounding[k] - 1];
                note->end = t->end_tick > note->start ? t->end_tick : note->start;
            }
    }
    free(sounding);
    qsort(out, m, sizeof *out, note_cmp);
    *notes = out;
    *n = m;
    return 0;
}

/* ---- melody ---- */

/* The skyline's order: by onset, the highest (then the longest) first,
 * then as note_cmp. */
static int skyline_cmp(const void *a, const void *b)
{
    const midi_note *x = a, *y = b;
    int64_t kx[3] = {x->start, -x->pitch, -x->end}, ky[3] = {y->start, -y->pitch, -y->end};
    int c = compare_keys(kx, ky, 3);
    return c ? c : note_cmp(a, b);
}

static int chosen(const midi_note *note, int track, int channel)
{
    if (track >= 0 && note->track != track)
        return 0;
    return channel >= 0 ? note->channel == channel : note->channel != MIDI_DRUM_CHANNEL;
}

/* Why nothing was chosen, in err. */
static int no_melody(const midi_note *notes, size_t n, int track, int channel, char *err)
{
    size_t in_track = 0, drums = 0, sounding = 0;
    for (size_t i = 0; i < n; i++) {
        if (track >= 0 && notes[i].track != track)
            continue;
        in_track++;
        drums += notes[i].channel == MIDI_DRUM_CHANNEL;
        sounding += notes[i].end > notes[i].start && (channel < 0 || notes[i].channel == channel);
    }
    if (!n)
        return err_set(err, "no melody: the file has no notes");
    if (!in_track)
        return err_set(err, "no melody: track %d has no notes", track);
    if (channel >= 0 && !sounding && track >= 0)
        return err_set(err, "no melody: track %d has no notes on channel %d", track, channel + 1);
    if (channel >= 0 && !sounding)
        return err_set(err, "no melody: no notes on channel %d", channel + 1);
    if (channel < 0 && drums == in_track)
        return err_set(err, "no melody: every note is on the drum channel (%d)", MIDI_DRUM_CHANNEL + 1);
    return err_set(err, "no melody: every note has zero length");
}

int midi_melody(const midi_note *notes, size_t n, int track, int channel, midi_note **melody, size_t *n_melody,
                char *err)
{
    *melody = NULL;
    *n_melody = 0;
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        count += chosen(&notes[i], track, channel) && notes[i].end > notes[i].start;
    if (!count)
        return no_melody(notes, n, track, channel, err);
    midi_note *cand = malloc(count * sizeof *cand);
    if (!cand)
        return err_set(err, "out of memory for %zu notes", count);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (chosen(&notes[i], track, channel) && notes[i].end > notes[i].start)
            cand[k++] = notes[i];
    qsort(cand, count, sizeof *cand, skyline_cmp);
    size_t m = 0; /* the melody is built in cand's own room, behind the reading */
    for (size_t i = 0; i < count; i++) {
        midi_note x = cand[i];
        if (m && cand[m - 1].end > x.start) {
            midi_note *top = &cand[m - 1];
            if (x.start == top->start || x.pitch < top->pitch)
                continue;
            top->end = x.start;
        }
        cand[m++] = x;
    }
    *melody = cand;
    *n_melody = m;
    return 0;
}

/* ---- quantization ---- */

/* floor(a / b) for b > 0. */
static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return q - (a % b != 0 && a < 0);
}

int64_t midi_tick_step(int64_t tick, int ticks_per_quarter, int steps_per_beat)
{
    /* tick = q quarters + r ticks; round(r * steps / tpq) without overflow
     * (r * steps < 2^30), halves up. */
    int64_t q = floor_div(tick, ticks_per_quarter), r = tick - q * ticks_per_quarter;
    return q * steps_per_beat + (2 * r * steps_per_beat + ticks_per_quarter) / (2 * (int64_t)ticks_per_quarter);
}

int64_t midi_step_tick(int64_t step, int ticks_per_quarter, int steps_per_beat)
{
    int64_t q = floor_div(step, steps_per_beat), r = step - q * steps_per_beat;
    return q * ticks_per_quarter + (2 * r * ticks_per_quarter + steps_per_beat) / (2 * (int64_t)steps_per_beat);
}

int midi_quantize(midi_note *notes, size_t *n, int ticks_per_quarter, int steps_per_beat, char *err)
{
    if (ticks_per_quarter < 1 || ticks_per_quarter > 0x7FFF)
        return err_set(err, "a division of %d ticks per quarter note (1 to 32767)", ticks_per_quarter);
    if (steps_per_beat < 1 || steps_per_beat > ticks_per_quarter)
        return err_set(err, "a grid of %d steps per beat (1 to the file's %d ticks per quarter note)", steps_per_beat,
                       ticks_per_quarter);
    for (size_t i = 0; i < *n; i++) {
        if (notes[i].end < notes[i].start)
            return err_set(err, "note %zu ends (tick %lld) before it starts (tick %lld)", i,
                           (long long)notes[i].end, (long long)notes[i].start);
        if (i && notes[i].start < notes[i - 1].start)
            return err_set(err, "notes out of order: note %zu starts before note %zu", i, i - 1);
    }
    size_t m = 0;
    int64_t prev_step = 0;
    for (size_t i = 0; i < *n; i++) {
        int64_t step = midi_tick_step(notes[i].start, ticks_per_quarter, steps_per_beat);
        int64_t length = midi_tick_step(notes[i].end - notes[i].start, ticks_per_quarter, steps_per_beat);
        if (m && step == prev_step)
            continue;
        if (m) {
            midi_note *prev = &notes[m - 1];
            int64_t cut = midi_step_tick(step, ticks_per_quarter, steps_per_beat);
            if (prev->end > cut)
                prev->end = cut;
        }
        midi_note q = notes[i];
        q.start = midi_step_tick(step, ticks_per_quarter, steps_per_beat);
        q.end = midi_step_tick(step + (length < 1 ? 1 : length), ticks_per_quarter, steps_per_beat);
        notes[m++] = q;
        prev_step = step;
    }
    *n = m;
    return 0;
}
