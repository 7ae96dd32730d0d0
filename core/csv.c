/* csv — splitting one line into fields; see csv.h. */
#include "csv.h"

#include <stdio.h>

static int is_blank(char c) { return c == ' ' || c == '\t'; }

/* A quoted field starting at the quote *p: unquoted into out; returns
 * where it ends (at the comma or the NUL), or NULL on a bad quote. */
static char *quoted_field(char *p, char *out, char *err)
{
    p++;
    for (;;) {
        if (*p == 0) {
            snprintf(err, ERR_MAX, "a quoted field is not closed");
            return NULL;
        }
        if (*p == '"' && p[1] == '"') {
            *out++ = '"';
            p += 2;
        } else if (*p == '"') {
            p++;
            break;
        } else {
            *out++ = *p++;
        }
    }
    *out = 0;
    while (is_blank(*p))
        p++;
    if (*p != ',' && *p != 0) {
        snprintf(err, ERR_MAX, "text after the closing quote of a field");
        return NULL;
    }
    return p;
}

int csv_split(char *line, char **field, int max, char *err)
{
    int n = 0;
    char *p = line;
    for (;;) {
        char *start = p;
        while (is_blank(*p))
            p++;
        if (*p == '"') {
            if (!(p = quoted_field(p, start, err)))
                return -1;
        } else {
            p = start;
            while (*p != ',' && *p != 0)
                p++; /* a quote inside is taken as it is, as Python's csv does */
        }
        if (n < max)
            field[n] = start;
        n++;
        if (*p == 0)
            return n;
        *p++ = 0;
    }
}
