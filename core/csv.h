/* csv — one line of comma-separated values, as RFC 4180 writes them but
 * without line breaks inside quotes: fields end at commas; a field in
 * double quotes may hold commas, and "" stands for a quote in it.  Blanks
 * around a quoted field are allowed and dropped; a quote inside an
 * unquoted field is an ordinary character (as Python's csv reads it). */
#ifndef SEQTOOL_CSV_H
#define SEQTOOL_CSV_H

#include "error.h"

/* Split line in place: field[i] points at field i, unquoted and
 * NUL-terminated.  Fields past max are counted but not stored.  Returns
 * the number of fields, or -1 with a message in err (a quote that is not
 * closed, text after a closing quote). */
int csv_split(char *line, char **field, int max, char *err);

#endif
