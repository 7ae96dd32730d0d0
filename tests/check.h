/* check — the tiny test harness of the C unit tests: one line per check,
 * "ok - what" or "not ok - what (details)", counted by tests/run. */
#ifndef SEQTOOL_CHECK_H
#define SEQTOOL_CHECK_H

#include <stdarg.h>
#include <stdio.h>

static int check_failed;

__attribute__((format(printf, 2, 3))) static int check(int ok, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("%s - ", ok ? "ok" : "not ok");
    vprintf(fmt, ap);
    putchar('\n');
    va_end(ap);
    if (!ok)
        check_failed++;
    return ok;
}

static int check_exit(void)
{
    fflush(stdout);
    return check_failed ? 1 : 0;
}

#endif
