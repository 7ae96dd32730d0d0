/* cutter — the audio around detections, from a ring of the stream's
 * last samples; see cutter.h. */
#include "cutter.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Samples pushed at a time: the ring holds a cut and one such piece, so
 * that a cut's first sample is still there when its last comes. */
#define PIECE 4096

int cutter_init(cutter *c, int rate, double before, double after, char *err)
{
    memset(c, 0, sizeof *c);
    c->rate = rate;
    c->before = (size_t)llround(before * rate);
    c->after = (size_t)llround(after * rate);
    c->cap = c->before + c->after + PIECE + 1;
    c->ring = malloc(c->cap * sizeof *c->ring);
    c->cut = malloc((c->before + c->after + 1) * sizeof *c->cut);
    if (!c->ring || !c->cut) {
        cutter_free(c);
        return err_set(err, "out of memory");
    }
    return 0;
}

void cutter_reset(cutter *c)
{
    c->total = 0;
    c->npending = 0;
}

void cutter_free(cutter *c)
{
    free(c->ring);
    free(c->cut);
    free(c->pending);
    memset(c, 0, sizeof *c);
}

int cutter_mark(cutter *c, double t, char *err)
{
    if (c->npending == c->cappending) {
        int cap = c->cappending ? 2 * c->cappending : 16;
        double *p = realloc(c->pending, (size_t)cap * sizeof *p);
        if (!p)
            return err_set(err, "out of memory");
        c->pending = p;
        c->cappending = cap;
    }
    c->pending[c->npending++] = t;
    return 0;
}

/* The first sample of the detection at t, and one past its last. */
static void extent(const cutter *c, double t, uint64_t *from, uint64_t *to)
{
    uint64_t at = t > 0 ? (uint64_t)llround(t * c->rate) : 0;
    *from = at > c->before ? at - c->before : 0;
    *to = at + c->after;
}

/* Hand over the oldest waiting cut, from the ring, up to sample end. */
static int hand_over(cutter *c, uint64_t end, cutter_fn fn, void *ctx, char *err)
{
    uint64_t from, to;
    extent(c, c->pending[0], &from, &to);
    if (to > end)
        to = end;
    uint64_t oldest = c->total > c->cap ? c->total - c->cap : 0;
    if (from < oldest)
        from = oldest;
    size_t n = to > from ? (size_t)(to - from) : 0;
    for (size_t i = 0; i < n; i++)
        c->cut[i] = c->ring[(from + i) % c->cap];
    int rc = fn(ctx, c->pending[0], c->cut, n, err);
    c->npending--;
    memmove(c->pending, c->pending + 1, (size_t)c->npending * sizeof *c->pending);
    return rc;
}

int cutter_push(cutter *c, const float *x, size_t n, cutter_fn fn, void *ctx, char *err)
{
    while (n > 0) {
        size_t m = n < PIECE ? n : PIECE;
        for (size_t i = 0; i < m; i++)
            c->ring[(c->total + i) % c->cap] = x[i];
        c->total += m;
        x += m;
        n -= m;
        while (c->npending > 0) {
            uint64_t from, to;
            extent(c, c->pending[0], &from, &to);
            if (to > c->total)
                break;
            if (hand_over(c, to, fn, ctx, err) < 0)
                return -1;
        }
    }
    return 0;
}

int cutter_flush(cutter *c, cutter_fn fn, void *ctx, char *err)
{
    while (c->npending > 0)
        if (hand_over(c, c->total, fn, ctx, err) < 0)
            return -1;
    return 0;
}
