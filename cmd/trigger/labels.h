/* labels — where the wake words are: the labels.tsv files `trigger synth`
 * writes (a line "FILE<TAB>ONSET<TAB>OFFSET" per wake word, in seconds,
 * and "FILE" alone for a clip without one), the training targets the
 * course derives from them, and the rule that turns scores into
 * detections, shared by live detection and evaluation.  Nothing here
 * prints. */
#ifndef SEQTOOL_LABELS_H
#define SEQTOOL_LABELS_H

#include <stddef.h>

#include "error.h"

typedef struct {
    char *file;             /* as written: a name relative to the labels file */
    int n;                  /* wake words */
    double *onset, *offset; /* seconds, in the file's order */
} label_clip;

typedef struct {
    int n;
    label_clip *clip;
} label_set;

/* Read path: one clip per distinct FILE, in order of first appearance.
 * -1 with a message naming the line: a line of two fields or more than
 * three, a time that is not a number, an onset not before its offset, or
 * a file whose lines are not together. */
int labels_read(const char *path, label_set *out, char *err);
void labels_free(label_set *s);
/* The clip named file, or NULL. */
const label_clip *labels_find(const label_set *s, const char *file);

/* The course's label seconds: 50 of 1375 output steps over 10 s. */
#define LABELS_SECONDS (50.0 * 10.0 / 1375.0)

/* Training targets y[ty] of a clip of clip_ms milliseconds with wake words
 * ending at offset[n] seconds: the course's insert_ones generalised to any
 * number of steps.  For each word, with end_ms = round(1000 offset) - 1
 * (the last millisecond of the word, as the course's segments end) and
 * end_y = floor(end_ms ty / clip_ms), y is 1 from step end_y + 1 for
 * round(label_seconds ty / clip seconds) steps (50 for the course's 1375
 * steps over 10 s), within [0, ty); 0 elsewhere. */
void labels_targets(const double *offset, int n, int ty, int clip_ms, double label_seconds, float *y);

/* The detection rule: a step at time t (seconds) with score s fires when
 * s >= threshold and no detection fired in the refractory seconds before
 * (*last is the time of the last one, -INFINITY at the start, updated). */
int labels_fires(double *last, double t, float s, double threshold, double refractory);

#endif
