/* chords — chord symbols and timelines; see chords.h. */
#include "chords.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { THIRD_MAJOR, THIRD_MINOR, THIRD_SUS4, THIRD_SUS2 };
enum { SEVENTH_NONE, SEVENTH_MINOR, SEVENTH_MAJOR, SEVENTH_DIM };

/* A symbol being read: the text, where we are, and what it said so far.
 * ext holds the tensions as intervals above the root (bit 1 = b9). */
typedef struct {
    const char *s;
    size_t pos, len;
    int third, fifth, seventh, sixth, alt;
    int major_mark, dim_mark; /* maj/j and dim/o: they shape the 7 that follows */
    unsigned ext;
} chord_reader;

static int at_end(const chord_reader *r) { return r->pos >= r->len; }

static int peek(const chord_reader *r, size_t ahead)
{
    return r->pos + ahead < r->len ? (unsigned char)r->s[r->pos + ahead] : 0;
}

static int is_digit(int c) { return c >= '0' && c <= '9'; }

/* Take word when the text goes on with it. */
static int take(chord_reader *r, const char *word)
{
    size_t n = strlen(word);
    if (n > r->len - r->pos || memcmp(r->s + r->pos, word, n) != 0)
        return 0;
    r->pos += n;
    return 1;
}

/* A note name (letter and up to two accidentals): its pitch class, or -1. */
static int note_name(chord_reader *r)
{
    static const int letter_pc[7] = {9, 11, 0, 2, 4, 5, 7}; /* A B C D E F G */
    int c = peek(r, 0);
    if (c < 'A' || c > 'G')
        return -1;
    int pc = letter_pc[c - 'A'];
    r->pos++;
    for (int i = 0; i < 2; i++) {
        if (peek(r, 0) == '#')
            pc++;
        else if (peek(r, 0) == 'b')
            pc--;
        else
            break;
        r->pos++;
    }
    return (pc + 12) % 12;
}

/* A chord number: 11 and 13 as two digits, others one; -1 when none. */
static int number(chord_reader *r)
{
    int c = peek(r, 0);
    if (!is_digit(c))
        return -1;
    if (c == '1' && (peek(r, 1) == '1' || peek(r, 1) == '3')) {
        int n = 10 + peek(r, 1) - '0';
        r->pos += 2;
        return n;
    }
    r->pos++;
    return c - '0';
}

static int accidental(chord_reader *r)
{
    int c = peek(r, 0);
    if (c == 'b' || c == '#') {
        r->pos++;
        return c == '#' ? 1 : -1;
    }
    return 0;
}

/* The words before the chord's number: m, maj, dim, aug, sus, ... */
static void quality_words(chord_reader *r)
{
    for (;;) {
        if (take(r, "maj") || take(r, "Maj") || take(r, "ma") || take(r, "M") || take(r, "j") || take(r, "^") ||
            take(r, "\xce\x94")) /* Δ */
            r->major_mark = 1;
        else if (take(r, "min") || take(r, "mi") || take(r, "m") || take(r, "-"))
            r->third = THIRD_MINOR;
        else if (take(r, "dim") || take(r, "o") || take(r, "\xc2\xb0")) /* ° */
            r->third = THIRD_MINOR, r->fifth = -1, r->dim_mark = 1;
        else if (take(r, "\xc3\xb8") || take(r, "h")) /* ø */
            r->third = THIRD_MINOR, r->fifth = -1, r->seventh = SEVENTH_MINOR;
        else if (take(r, "aug") || take(r, "+"))
            r->fifth = 1;
        else if (take(r, "sus2"))
            r->third = THIRD_SUS2;
        else if (take(r, "sus4") || take(r, "sus"))
            r->third = THIRD_SUS4;
        else
            return;
    }
}

/* The chord's number (6, 7, 9, 11, 13), when there is one. */
static int base_number(chord_reader *r)
{
    size_t at = r->pos;
    int n = number(r);
    if (n < 0)
        return 0;
    if (n == 6) {
        r->sixth = 1;
        return 0;
    }
    if (n != 7 && n != 9 && n != 11 && n != 13) {
        r->pos = at;
        return -1;
    }
    r->seventh = r->dim_mark ? SEVENTH_DIM : r->major_mark ? SEVENTH_MAJOR : SEVENTH_MINOR;
    if (n >= 9)
        r->ext |= 1u << 2;
    if (n == 11)
        r->ext |= 1u << 5;
    if (n == 13)
        r->ext |= 1u << 9;
    return 0;
}

/* A tension: number n with accidental a (-1, 0, 1).  0, or -1 when the
 * pair means nothing. */
static int tension(chord_reader *r, int n, int a, int added)
{
    switch (n) {
    case 2:
    case 9:
        if (n == 2 && (a || !added))
            return -1;
        r->ext |= 1u << (2 + a);
        return 0;
    case 4:
    case 11:
        if (a < 0 || (n == 4 && (a || !added)))
            return -1;
        r->ext |= 1u << (5 + a);
        return 0;
    case 13:
        if (a > 0)
            return -1;
        r->ext |= 1u << (9 + a);
        return 0;
    case 5:
        if (!a)
            return -1;
        r->fifth = a;
        return 0;
    case 6:
        if (a || !added)
            return -1;
        r->sixth = 1;
        return 0;
    default:
        return -1;
    }
}

/* Tensions and words after the chord's number, up to a bass or the end.
 * postfix: WJazzD's order, the sign after the number (C79b). */
static int tensions(chord_reader *r, int postfix)
{
    while (!at_end(r)) {
        int c = peek(r, 0);
        size_t at = r->pos;
        if (c == '/' && peek(r, 1) >= 'A' && peek(r, 1) <= 'G')
            return 0;
        if (c == '(' || c == ')' || c == ',' || (c == '/' && is_digit(peek(r, 1)))) {
            r->pos++;
            continue;
        }
        if (take(r, "sus2")) {
            r->third = THIRD_SUS2;
            continue;
        }
        if (take(r, "sus4") || take(r, "sus")) {
            r->third = THIRD_SUS4;
            continue;
        }
        if (take(r, "alt")) {
            r->alt = 1;
            continue;
        }
        int added = take(r, "add");
        int a = postfix && !added ? 0 : accidental(r);
        int n = number(r);
        if (n < 0) {
            r->pos = at;
            return -1;
        }
        if (postfix && !added)
            a = accidental(r);
        if (tension(r, n, a, added) < 0) {
            r->pos = at;
            return -1;
        }
    }
    return 0;
}

static chord_quality quality_of(const chord_reader *r)
{
    if (r->alt)
        return CHORD_ALT;
    if (r->third == THIRD_SUS4 || r->third == THIRD_SUS2)
        return r->seventh != SEVENTH_NONE ? CHORD_SUS7 : CHORD_SUS;
    if (r->seventh == SEVENTH_DIM)
        return CHORD_DIM7;
    if (r->third == THIRD_MINOR) {
        if (r->seventh == SEVENTH_MAJOR)
            return CHORD_MINMAJ7;
        if (r->fifth < 0 && r->seventh == SEVENTH_MINOR)
            return CHORD_HALF_DIM;
        if (r->seventh == SEVENTH_MINOR)
            return CHORD_MIN7;
        if (r->sixth)
            return CHORD_MIN6;
        return r->fifth < 0 ? CHORD_DIM : CHORD_MIN;
    }
    if (r->fifth > 0)
        return r->seventh == SEVENTH_MAJOR ? CHORD_AUGMAJ7 : r->seventh == SEVENTH_MINOR ? CHORD_AUG7 : CHORD_AUG;
    if (r->seventh == SEVENTH_MAJOR)
        return CHORD_MAJ7;
    if (r->seventh == SEVENTH_MINOR)
        return CHORD_DOM7;
    return r->sixth ? CHORD_MAJ6 : CHORD_MAJ;
}

/* The chord's intervals above its root, bit i for i semitones. */
static unsigned intervals_of(const chord_reader *r)
{
    static const int third[] = {4, 3, 5, 2};
    static const int seventh[] = {0, 10, 11, 9};
    unsigned m = 1u | 1u << third[r->third] | r->ext;
    if (r->alt)
        m |= 1u << 10 | 1u << 1 | 1u << 3 | 1u << 6 | 1u << 8; /* b7, b9, #9, b5, #5 */
    else
        m |= 1u << (7 + r->fifth);
    if (r->seventh != SEVENTH_NONE)
        m |= 1u << seventh[r->seventh];
    if (r->sixth)
        m |= 1u << 9;
    return m;
}

static int not_understood(const char *text, size_t len, size_t at, char *err)
{
    int n = len > 64 ? 64 : (int)len;
    return err_set(err, "chord symbol '%.*s%s' not understood at '%.*s'", n, text, len > 64 ? "..." : "",
                   (int)(len - at > 16 ? 16 : len - at), text + at);
}

int chord_parse_n(const char *text, size_t len, chord *out, char *err)
{
    memset(out, 0, sizeof *out);
    out->root = out->bass = -1;
    if (len == 0)
        return err_set(err, "empty chord symbol");
    if (len >= CHORD_SYMBOL_MAX)
        return err_set(err, "chord symbol '%.*s...' is longer than %d characters", 32 < (int)len ? 32 : (int)len,
                       text, CHORD_SYMBOL_MAX - 1);
    memcpy(out->symbol, text, len);
    static const char *const no_chord[] = {"NC", "N.C.", "N.C", "N/C"};
    for (size_t i = 0; i < sizeof no_chord / sizeof *no_chord; i++)
        if (strlen(no_chord[i]) == len && memcmp(text, no_chord[i], len) == 0)
            return 0;
    chord_reader r = {.s = text, .len = len};
    int root = note_name(&r);
    if (root < 0)
        return not_understood(text, len, 0, err);
    quality_words(&r);
    if (base_number(&r) < 0)
        return not_understood(text, len, r.pos, err);
    int postfix = r.pos > 0 && is_digit(text[r.pos - 1]) && is_digit(peek(&r, 0));
    if (tensions(&r, postfix) < 0)
        return not_understood(text, len, r.pos, err);
    int bass = root;
    if (!at_end(&r)) { /* a '/' and a note: tensions stop only there */
        r.pos++;
        size_t at = r.pos;
        if ((bass = note_name(&r)) < 0 || !at_end(&r))
            return not_understood(text, len, at, err);
    }
    if (r.alt && r.seventh == SEVENTH_NONE)
        r.seventh = SEVENTH_MINOR;
    unsigned m = intervals_of(&r), tones = 1u << bass;
    for (int i = 0; i < 12; i++)
        if (m >> i & 1)
            tones |= 1u << ((root + i) % 12);
    out->root = root;
    out->bass = bass;
    out->quality = quality_of(&r);
    out->tones = tones;
    return 0;
}

int chord_parse(const char *symbol, chord *out, char *err)
{
    return chord_parse_n(symbol, strlen(symbol), out, err);
}

int chord_has(const chord *c, int pitch)
{
    return pitch >= 0 && (c->tones >> (pitch % 12) & 1);
}

const char *chord_quality_name(chord_quality q)
{
    static const char *const names[CHORD_QUALITIES] = {
        "none", "maj",  "min",  "aug",     "dim",      "sus",  "6",    "min6",    "dom7",
        "maj7", "min7", "minmaj7", "half-dim", "dim7", "aug7", "augmaj7", "sus7", "alt"};
    return q >= 0 && q < CHORD_QUALITIES ? names[q] : "?";
}

/* ---- timelines ---- */

static int is_blank(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

static int push_span(chord_timeline *t, size_t *cap, double start, double duration, const chord *c, char *err)
{
    if (t->n == *cap) {
        size_t n = *cap ? 2 * *cap : 16;
        chord_span *s = realloc(t->spans, n * sizeof *s);
        if (!s)
            return err_set(err, "out of memory for a chord timeline");
        t->spans = s;
        *cap = n;
    }
    t->spans[t->n++] = (chord_span){start, duration, *c};
    return 0;
}

int chord_timeline_parse(const char *text, int beats_per_bar, chord_timeline *out, char *err)
{
    memset(out, 0, sizeof *out);
    if (beats_per_bar < 1)
        return err_set(err, "%d beats per bar (at least 1)", beats_per_bar);
    const char *p = text, *end = text + strlen(text);
    while (p < end && is_blank(*p))
        p++;
    while (end > p && is_blank(end[-1]))
        end--;
    if (p < end && *p == '|')
        p++;
    if (end > p && end[-1] == '|')
        end--;
    if (p == end)
        return 0;
    size_t cap = 0, bar = 0;
    while (p <= end) {
        /* one bar: the chords up to the next bar line */
        const char *bar_end = p;
        while (bar_end < end && *bar_end != '|')
            bar_end++;
        chord found[64];
        size_t k = 0;
        for (const char *q = p; q < bar_end;) {
            while (q < bar_end && is_blank(*q))
                q++;
            const char *w = q;
            while (q < bar_end && !is_blank(*q))
                q++;
            if (q == w)
                break;
            if (k == sizeof found / sizeof *found)
                return err_set(err, "bar %zu has more than %zu chords", bar + 1, k);
            if (chord_parse_n(w, (size_t)(q - w), &found[k], err) < 0)
                return -1;
            k++;
        }
        double start = (double)bar * beats_per_bar;
        if (k == 0 && out->n == 0)
            return err_set(err, "bar %zu has no chord, and no chord before it to hold", bar + 1);
        if (k == 0)
            out->spans[out->n - 1].duration += beats_per_bar;
        for (size_t j = 0; j < k; j++)
            if (push_span(out, &cap, start + (double)beats_per_bar * j / k, (double)beats_per_bar / k, &found[j],
                          err) < 0)
                return -1;
        bar++;
        if (bar_end >= end)
            break;
        p = bar_end + 1;
        /* "||" (a double bar line), and a bar line that ends a line with
         * one that starts the next, are one bar line */
        const char *q = p;
        int line_break = 0;
        while (q < end && is_blank(*q))
            line_break |= *q++ == '\n';
        if (q < end && *q == '|' && (q == p || line_break))
            p = q + 1;
    }
    return 0;
}

/* Text that grows. */
typedef struct {
    char *s;
    size_t n, cap;
} text_buffer;

static int append(text_buffer *b, const char *s, char *err)
{
    size_t n = strlen(s);
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (b->n + n + 1 > cap)
            cap *= 2;
        char *p = realloc(b->s, cap);
        if (!p)
            return err_set(err, "out of memory for a chord timeline's text");
        b->s = p;
        b->cap = cap;
    }
    memcpy(b->s + b->n, s, n + 1);
    b->n += n;
    return 0;
}

static int near(double a, double b) { return fabs(a - b) < 1e-9 * (1 + fabs(a) + fabs(b)); }

int chord_timeline_format(const chord_timeline *t, int beats_per_bar, char **text, char *err)
{
    *text = NULL;
    if (beats_per_bar < 1)
        return err_set(err, "%d beats per bar (at least 1)", beats_per_bar);
    text_buffer b = {0};
    if (append(&b, "", err) < 0)
        return -1;
    size_t i = 0;
    double held_to = 0; /* where the chords so far end */
    for (size_t bar = 0; i < t->n || held_to > (double)bar * beats_per_bar + 1e-9; bar++) {
        double bar_start = (double)bar * beats_per_bar, bar_end = bar_start + beats_per_bar;
        size_t first = i;
        while (i < t->n && t->spans[i].start < bar_end - 1e-9)
            i++;
        size_t k = i - first;
        const char *sep = bar ? " |" : "";
        if (append(&b, sep, err) < 0)
            goto fail;
        for (size_t j = 0; j < k; j++) {
            const chord_span *s = &t->spans[first + j];
            double want = bar_start + (double)beats_per_bar * j / k, share = (double)beats_per_bar / k;
            /* the last chord of a bar may be held through whole bars */
            double held = s->duration - share, bars = round(held / beats_per_bar);
            if (!near(s->start, want) || !near(held, bars * beats_per_bar) || bars < 0 || (j + 1 < k && bars != 0)) {
                err_set(err, "the chord at beat %g (%s) does not share bar %zu equally with the others", s->start,
                        s->chord.symbol, bar + 1);
                goto fail;
            }
            if (!isfinite(s->start) || !isfinite(s->duration) || s->duration <= 0) {
                err_set(err, "the chord at beat %g (%s) lasts %g beats", s->start, s->chord.symbol, s->duration);
                goto fail;
            }
            if (!near(s->start, held_to)) {
                err_set(err, "the chord at beat %g (%s) does not start where the one before it ends (beat %g)",
                        s->start, s->chord.symbol, held_to);
                goto fail;
            }
            if (!s->chord.symbol[0]) {
                err_set(err, "the chord at beat %g has no symbol", s->start);
                goto fail;
            }
            if (append(&b, bar || j ? " " : "", err) < 0 || append(&b, s->chord.symbol, err) < 0)
                goto fail;
            held_to = s->start + s->duration;
        }
        if (k == 0 && held_to < bar_end - 1e-9) {
            err_set(err, "no chord in bar %zu", bar + 1);
            goto fail;
        }
    }
    if (t->n && append(&b, " |", err) < 0)
        goto fail;
    *text = b.s;
    return 0;
fail:
    free(b.s);
    return -1;
}

void chord_timeline_free(chord_timeline *t)
{
    free(t->spans);
    memset(t, 0, sizeof *t);
}

const chord *chord_at(const chord_timeline *t, double beat)
{
    size_t lo = 0, hi = t->n; /* the first span that starts after beat */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->spans[mid].start <= beat)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return NULL;
    const chord_span *s = &t->spans[lo - 1];
    return beat < s->start + s->duration ? &s->chord : NULL;
}
