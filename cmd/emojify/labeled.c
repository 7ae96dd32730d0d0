/* labeled — sentences and labels from CSV; see labeled.h. */
#include "labeled.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "text.h"

void labeled_free(labeled_set *s)
{
    for (int i = 0; i < s->n; i++)
        free(s->text[i]);
    free(s->text);
    free(s->label);
    free(s->line);
    memset(s, 0, sizeof *s);
}

/* A label field as a whole number (blanks around allowed); 0 or -1. */
static int parse_label(const char *s, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    while (*end == ' ' || *end == '\t')
        end++;
    if (errno || end == s || *end || text_is_blank(s))
        return -1;
    *out = v;
    return 0;
}

static int add(labeled_set *s, const char *text, int label, long line)
{
    char **t = realloc(s->text, (size_t)(s->n + 1) * sizeof *t);
    if (t)
        s->text = t;
    int *l = realloc(s->label, (size_t)(s->n + 1) * sizeof *l);
    if (l)
        s->label = l;
    long *ln = realloc(s->line, (size_t)(s->n + 1) * sizeof *ln);
    if (ln)
        s->line = ln;
    char *copy = strdup(text);
    if (!t || !l || !ln || !copy) {
        free(copy);
        return -1;
    }
    s->text[s->n] = copy;
    s->label[s->n] = label;
    s->line[s->n++] = line;
    return 0;
}

/* One line; 1 when it was a record, 0 when skipped, -1 on an error. */
static int read_record(labeled_set *s, char *line, long lineno, int nclasses, int *header_ok,
                       char *err)
{
    char *field[2], cerr[ERR_MAX];
    if (text_is_blank(line))
        return 0;
    int first = *header_ok;
    *header_ok = 0;
    int nf = csv_split(line, field, 2, cerr);
    if (nf < 0)
        return err_set(err, "line %ld: %.400s", lineno, cerr);
    long label = -1;
    if (nf >= 2 && parse_label(field[1], &label) < 0) {
        if (first)
            return 0; /* a header */
        return err_set(err, "line %ld: the label '%.40s' is not a class number", lineno, field[1]);
    }
    if (text_is_blank(field[0]))
        return err_set(err, "line %ld: no sentence before the label", lineno);
    if (nf < 2)
        return err_set(err, "line %ld: no label (want 'sentence,label')", lineno);
    if (label < 0 || label >= nclasses)
        return err_set(err, "line %ld: label %ld is out of range (0 to %d)", lineno, label,
                       nclasses - 1);
    if (add(s, field[0], (int)label, lineno) < 0)
        return err_set(err, "out of memory");
    return 1;
}

int labeled_read(FILE *f, int nclasses, labeled_set *out, char *err)
{
    memset(out, 0, sizeof *out);
    text_lines lines;
    if (text_read_lines(f, LABELED_LINE_MAX, &lines, err) < 0)
        return -1;
    if (lines.n > 0 && strncmp(lines.line[0], "\xef\xbb\xbf", 3) == 0)
        memmove(lines.line[0], lines.line[0] + 3, lines.len[0] - 2);
    int header_ok = 1, blank = 1, rc = 0;
    for (int i = 0; i < lines.n && rc == 0; i++) {
        blank = blank && text_is_blank(lines.line[i]);
        if (read_record(out, lines.line[i], i + 1, nclasses, &header_ok, err) < 0)
            rc = -1;
    }
    if (rc == 0 && out->n == 0)
        rc = err_set(err, "no sentences (%s)", blank ? "the file is empty or blank" : "only a header");
    text_lines_free(&lines);
    if (rc < 0)
        labeled_free(out);
    return rc;
}
