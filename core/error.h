/* error — how the engine reports a failure: a function that can fail
 * returns -1 (or NULL) and writes one line saying what went wrong into a
 * caller's buffer of ERR_MAX bytes; cmd/ prints it.  The engine itself
 * never prints and never exits. */
#ifndef SEQTOOL_ERROR_H
#define SEQTOOL_ERROR_H

#include <stdarg.h>
#include <stdio.h>

/* Room for any message, a file name included. */
#define ERR_MAX 512

/* Write the message into err (ERR_MAX bytes) and return -1, so that a
 * failing function can `return err_set(err, "...", ...)`. */
static inline int err_set(char *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline int err_set(char *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, ERR_MAX, fmt, ap);
    va_end(ap);
    return -1;
}

#endif
