/* cli — what every command shares: messages and exit codes, number
 * parsing, input files, stdout checks, progress reporting, JSON lines.
 *
 * Exit status: 0 success, 1 runtime failure (bad data, I/O), 2 usage.
 * Every message is one line on stderr, "seqtool CMD: what went wrong".
 */
#ifndef SEQTOOL_CLI_H
#define SEQTOOL_CLI_H

#include <stdio.h>

#define EXIT_USAGE 2

/* The prefix of every message, e.g. "seqtool dinos". */
void cli_set_prog(const char *prog);
const char *cli_prog(void);

/* Fatal runtime error: message, exit 1. */
_Noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Usage error: message and a hint to --help, exit 2. */
_Noreturn void die_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A warning line (not fatal). */
void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A note on stderr (a summary, not a problem); callers skip it when quiet. */
void inform(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The next option by getopt_long, with the house rules: an unknown option
 * or a missing value is a usage error, -h/--help prints usage on stdout
 * and exits 0.  -1 when the options are over (optind: the first operand). */
struct option;
int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts,
               const char *usage);
/* How the user spells option c in messages: "--name", or "-c" when it has
 * no long name. */
const char *cli_option_name(const struct option *longopts, int c);

/* Parse option values or die_usage naming the option. */
long cli_long(const char *opt, const char *s, long lo, long hi);
double cli_double(const char *opt, const char *s, double lo, double hi);
unsigned long long cli_seed(const char *s);

/* Open a file for reading ("-" is stdin) or die. */
FILE *cli_open_read(const char *path);
/* A display name for messages: "standard input" for "-". */
const char *cli_display_name(const char *path);

/* Flush stdout and exit 1 if any write failed (full disk, closed pipe);
 * returns status unchanged otherwise.  Every command ends with it. */
int cli_finish(int status);

/* Print a cJSON object as one line on stdout, then free it. */
struct cJSON;
void cli_print_json(struct cJSON *j);

/* Lines from a file descriptor, for queries read one per line.  Before it
 * would block on a read, the reader flushes stdout, so a program talking
 * to seqtool through pipes gets each answer as soon as it asked. */
typedef struct {
    int fd;
    char *buf;
    size_t start, end, cap;
    long lineno;
    int eof;
} line_reader;

void line_reader_init(line_reader *lr, int fd);
/* The next line without its "\n" or "\r\n", NUL-terminated, valid until
 * the next call; NULL at the end (or on a read error: die). */
char *line_reader_next(line_reader *lr, size_t *len);
/* 1 when the next line can be had without blocking (or input is over). */
int line_reader_ready(const line_reader *lr);
void line_reader_free(line_reader *lr);

/* Ctrl-C and SIGTERM set cli_stop_requested instead of killing the
 * process, so a long job can save what it has and exit 130. */
#include <signal.h>
extern volatile sig_atomic_t cli_stop_requested;
void cli_catch_stop(void);

/* Seconds on a monotonic clock. */
double cli_now(void);

/* Progress on stderr: a bar with rate and ETA when stderr is a terminal,
 * otherwise a plain line every few seconds; nothing when quiet. */
typedef struct {
    double start, last;
    long total;
    const char *unit;
    int tty, quiet, drawn;
} progress;

void progress_start(progress *p, long total, const char *unit, int quiet);
/* done units of total; extra is a short status ("loss 21.3") or NULL. */
void progress_update(progress *p, long done, const char *extra);
/* A log line that does not fight with the bar (nothing when quiet). */
void progress_log(progress *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void progress_end(progress *p);

#endif
