/* labeled — sentences with a class label, read from CSV: one record
 * "sentence,label" per line (fields past the second are ignored, as the
 * course's reader ignores them).  A first line whose label is not a
 * number is a header and is skipped; blank lines are skipped; a UTF-8
 * byte-order mark is dropped.  Every other problem is an error naming the
 * line: not UTF-8, a quote left open, no sentence, no label, a label that
 * is not a whole number or not in [0, nclasses). */
#ifndef SEQTOOL_LABELED_H
#define SEQTOOL_LABELED_H

#include "error.h"

#include <stdio.h>

#define LABELED_LINE_MAX 100000   /* bytes */

typedef struct {
    int n;
    char **text;   /* the sentences, unquoted */
    int *label;
    long *line;    /* where each came from */
} labeled_set;

/* Read every record of f.  0, or -1 with a one-line message in err
 * ("line 3: label 7 is out of range (0 to 4)"; "no sentences: ..." when
 * the file holds none). */
int labeled_read(FILE *f, int nclasses, labeled_set *out, char *err);
void labeled_free(labeled_set *s);

#endif
