/* labels — labels.tsv, targets and the detection rule; see labels.h. */
#include "labels.h"
#include "text.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void labels_free(label_set *s)
{
    for (int i = 0; i < s->n; i++) {
        free(s->clip[i].file);
        free(s->clip[i].onset);
        free(s->clip[i].offset);
    }
    free(s->clip);
    memset(s, 0, sizeof *s);
}

const label_clip *labels_find(const label_set *s, const char *file)
{
    for (int i = 0; i < s->n; i++)
        if (strcmp(s->clip[i].file, file) == 0)
            return &s->clip[i];
    return NULL;
}

static int number(const char *s, double *out)
{
    char *end;
    errno = 0;
    *out = strtod(s, &end);
    return end != s && !*end && !errno && isfinite(*out) && *out >= 0 ? 0 : -1;
}

/* Append a wake word to c; 0 or -1 (out of memory). */
static int add_word(label_clip *c, double on, double off)
{
    double *a = realloc(c->onset, (size_t)(c->n + 1) * sizeof *a);
    if (!a)
        return -1;
    c->onset = a;
    double *b = realloc(c->offset, (size_t)(c->n + 1) * sizeof *b);
    if (!b)
        return -1;
    c->offset = b;
    c->onset[c->n] = on;
    c->offset[c->n++] = off;
    return 0;
}

static int read_line(label_set *s, char *line, const char *path, long lineno, char *err)
{
    char *field[4];
    int k = 0;
    for (char *p = line; k < 4;) {
        field[k++] = p;
        p = strchr(p, '\t');
        if (!p)
            break;
        *p++ = 0;
    }
    if (k == 2 || k > 3 || !*field[0])
        return err_set(err, "'%s' line %ld: want FILE, or FILE<TAB>ONSET<TAB>OFFSET", path, lineno);
    double on = 0, off = 0;
    if (k == 3 && (number(field[1], &on) < 0 || number(field[2], &off) < 0 || on >= off))
        return err_set(err, "'%s' line %ld: want an onset before its offset, in seconds", path, lineno);
    label_clip *c = s->n ? &s->clip[s->n - 1] : NULL;
    if (!c || strcmp(c->file, field[0]) != 0) {
        for (int i = 0; i < s->n; i++)
            if (strcmp(s->clip[i].file, field[0]) == 0)
                return err_set(err, "'%s' line %ld: the lines of '%s' are not together", path, lineno, field[0]);
        label_clip *a = realloc(s->clip, (size_t)(s->n + 1) * sizeof *a);
        if (!a)
            return err_set(err, "out of memory");
        s->clip = a;
        c = &s->clip[s->n++];
        memset(c, 0, sizeof *c);
        if (!(c->file = strdup(field[0])))
            return err_set(err, "out of memory");
    }
    if (k == 3 && add_word(c, on, off) < 0)
        return err_set(err, "out of memory");
    return 0;
}

/* A line of labels.tsv holds a file name and two times: room for any. */
#define LABELS_LINE_MAX 65536

int labels_read(const char *path, label_set *out, char *err)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "r");
    if (!f)
        return err_set(err, "cannot open '%s': %s", path, strerror(errno));
    text_lines lines;
    char why[ERR_MAX];
    int rc = text_read_lines(f, LABELS_LINE_MAX, &lines, why);
    fclose(f);
    if (rc < 0)
        return err_set(err, "'%s' %s", path, why);
    int bad = 0;
    for (int i = 0; !bad && i < lines.n; i++)
        if (lines.len[i] > 0)
            bad = read_line(out, lines.line[i], path, i + 1L, err) < 0;
    text_lines_free(&lines);
    if (bad)
        labels_free(out);
    return bad ? -1 : 0;
}

void labels_targets(const double *offset, int n, int ty, int clip_ms, double label_seconds, float *y)
{
    memset(y, 0, (size_t)ty * sizeof *y);
    if (clip_ms <= 0)
        return;
    long steps = lround(label_seconds * ty * 1000.0 / clip_ms);
    for (int i = 0; i < n; i++) {
        /* a word ending past twice the clip puts no 1 in it; its time,
         * which a labels file may give as 1e300, is not converted */
        double ms = offset[i] * 1000.0;
        if (!(ms >= -1e9 && ms < 2.0 * clip_ms + 2))
            continue;
        long end_ms = lround(ms) - 1;
        long end_y = (long)floor((double)end_ms * ty / clip_ms);
        for (long t = end_y + 1 > 0 ? end_y + 1 : 0; t <= end_y + steps && t < ty; t++)
            y[t] = 1.0f;
    }
}

int labels_fires(double *last, double t, float s, double threshold, double refractory)
{
    if (!(s >= threshold) || t - *last < refractory)
        return 0;
    *last = t;
    return 1;
}
