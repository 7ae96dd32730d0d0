/* cli — what every command shares: messages and exit codes, number
 * parsing, input files, stdout checks, progress reporting, JSON lines.
 *
 * Exit status: 0 success, 1 runtime failure (bad data, I/O), 2 usage.
 * Every message is one line on stderr, "seqtool CMD: what went wrong".
 */
#ifndef SEQTOOL_CLI_H
#define SEQTOOL_CLI_H

#include <stdio.h>

#include "text.h"
#include "vectors.h"

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

/* ---- one table per command ----
 *
 * A command declares its actions and its options once; from the tables
 * come the parsing (getopt_long, with unique abbreviations), the check
 * that an action takes an option, the usage and help texts, the listing
 * the man-page test reads, and bash completion (options.c). */

/* One option.  key is the short letter ('o') or, for a long-only option,
 * a code of the command's own from CLI_LONG_ONLY up. */
#define CLI_LONG_ONLY 256
enum {
    CLI_PRESET = 1,     /* applied before every other option (--course) */
    CLI_HIDDEN = 2,     /* accepted, not in the help (old spellings) */
    CLI_RUN_ONLY = 4,   /* changes how a run reports or where it writes, not
                           what it computes: not in cli_settings */
    CLI_NO_DEFAULT = 8, /* the word in [] that ends the help says what a run
                           without the option does, but is not a value to
                           set: cli_run does not apply it (the row's comment
                           says why; begin or the action gives the default) */
};
/* The keys of the options every command spells the same way; a
 * command's own long-only keys start at CLI_OWN_KEYS. */
enum { CLI_SEED = CLI_LONG_ONLY, CLI_JSON, CLI_THREADS, CLI_CHECKPOINT_EVERY, CLI_RESUME, CLI_OWN_KEYS };

typedef struct {
    const char *name;     /* long name without "--"; NULL: short only */
    int key;
    const char *arg;      /* the value's name in the help ("N"); NULL: a flag */
    const char *help;     /* lines joined by '\n'; the default ends it in []:
                             a literal one ("[5]") is applied (cli_option_default) */
    const char *actions;  /* the actions that take it, space-separated; NULL: all */
    int flags;
} cli_option;

/* The rows every command words the same way (actions: as in a row). */
#define CLI_OPTION_SEED(actions) {"seed", CLI_SEED, "N", "random seed [1]", actions, 0}
#define CLI_OPTION_JSON(actions) \
    {"json", CLI_JSON, NULL, "one JSON object per line on standard output", actions, CLI_RUN_ONLY}
#define CLI_OPTION_QUIET(actions) \
    {"quiet", 'q', NULL, "no progress or log lines on standard error", actions, CLI_RUN_ONLY}
/* The two options of a resumable training run (checkpoint.h). */
#define CLI_OPTION_CHECKPOINT_EVERY(actions) \
    {"checkpoint-every", CLI_CHECKPOINT_EVERY, "N", "every N steps, save the run so far to the output\n" \
                                                    "file, for --resume [0: only when stopped]", actions, \
     CLI_RUN_ONLY}
#define CLI_OPTION_RESUME(actions) \
    {"resume", CLI_RESUME, NULL, "continue the run the output file holds (saved\n" \
                                 "by --checkpoint-every or when stopped); the\n" \
                                 "options must be the same", actions, CLI_RUN_ONLY}
#define CLI_OPTIONS_END {NULL, 0, NULL, NULL, NULL, 0}

typedef struct {
    const char *name;
    /* opts: the command's options structure; argv[0..argc): the operands. */
    int (*run)(void *opts, int argc, char **argv);
    const char *operands; /* as the usage line shows them: "[FILE]" */
    const char *summary;  /* one line */
} cli_action;
#define CLI_ACTIONS_END {NULL, NULL, NULL, NULL}

typedef struct cli_command {
    const char *name;
    const char *summary;
    size_t opts_size;                   /* of the options structure the hooks fill */
    const cli_action *actions;          /* ends with a NULL name */
    const cli_option *options;          /* ends with a 0 key */
    const char *about;                  /* help text between usage and options */
    const char *default_action;         /* run when the first word is an option; or NULL */
    /* Called with the command's options structure: begin before parsing
     * (the defaults a table cannot say: computed, or that depend on the
     * environment), then set for each literal default of the table
     * (cli_apply_defaults) and for each option in order (arg NULL for a
     * flag), end after it (the checks that span options).  begin and end
     * may be NULL. */
    void (*begin)(void *opts, const char *action);
    void (*set)(void *opts, int key, const char *arg);
    void (*end)(void *opts);
} cli_command;

/* The literal default of row o for action: the one word that ends its
 * help in [] ("[5]", "[lstm]", "[1e-3]", "[dinos.safetensors]"), when o
 * takes a value, action takes o and o is not hidden; else NULL (a flag,
 * or a default in words: "[v1 400, v2 50]", "[train: x]").  The string
 * lives as long as the process, since a set hook may keep it. */
const char *cli_option_default(const cli_option *o, const char *action);
/* set(opts, key, default) for each row of c that has a literal default
 * for action and is not CLI_NO_DEFAULT, in the table's order; cli_run
 * calls it after begin. */
void cli_apply_defaults(const cli_command *c, void *opts, const char *action);

/* The whole of `seqtool CMD ...` (argv[0] is CMD): bare, the short usage
 * on stderr and exit 2; --help, -h or help, the help on stdout; otherwise
 * the action, with its options parsed into a zeroed structure of
 * c->opts_size bytes.  Returns the exit status. */
int cli_run(const cli_command *c, int argc, char **argv);

/* The help of c (usage, about, the options of each action, the common
 * ones), or only its usage lines and a hint (full 0). */
void cli_usage(const cli_command *c, FILE *out, int full);

/* What the options of this run ask to compute: the options given (but
 * the CLI_RUN_ONLY ones), by their long names in the order given, then
 * the operands, quoted for a POSIX shell ("--hidden 8 names.txt").  A
 * resumed run must ask the same (checkpoint.h). */
const char *cli_settings(void);

/* How the user spells option key of c: "--name", or "-k". */
const char *cli_opt_name(const cli_command *c, int key);

/* The name of the action being run ("" before cli_run picks one). */
const char *cli_action_name(void);

/* Every command, sorted by name (seqtool.c); ends with NULL. */
extern const cli_command *const cli_commands[];

/* `seqtool completion bash`: a bash completion script for every command,
 * action and option; `seqtool completion list`: one line per option an
 * action takes ("CMD ACTION --name -k"), for tests. */
int cli_completion(int argc, char **argv);

/* Parse option values or die_usage naming the option. */
long cli_long(const char *opt, const char *s, long lo, long hi);
double cli_double(const char *opt, const char *s, double lo, double hi);
unsigned long long cli_seed(const char *s);

/* Open a file for reading ("-" is stdin) or die. */
FILE *cli_open_read(const char *path);
/* A display name for messages: "standard input" for "-". */
const char *cli_display_name(const char *path);

/* Every line of path ("-": standard input), none longer than max bytes,
 * or die naming the file (binary data, a line too long, I/O). */
void cli_read_lines(const char *path, size_t max, text_lines *out);

/* The word vectors w2v and emojify read when -v names none:
 * $SEQTOOL_VECTORS, else ./vectors.safetensors when it exists, else the
 * shipped datasets/w2v/vectors.safetensors (cli_default_model). */
#define CLI_VECTORS_LOCAL "vectors.safetensors"
#define CLI_VECTORS_SHIPPED "w2v/vectors.safetensors"
const char *cli_default_vectors(void);

/* The vectors in path ("-": standard input) in format fmt (VEC_AUTO:
 * detected), or die; when path is default_name (may be NULL) and does not
 * exist, the message says how to name vectors.  Warns of repeated words
 * unless quiet. */
void cli_open_vectors(vectors *v, const char *path, vec_format fmt, const char *default_name,
                      int quiet);

/* The model file an action reads when none is named: $env when it is
 * set (env may be NULL); else local, what the command's train writes by
 * default, when it exists in the current folder (local may be NULL); else
 * the model the project ships as datasets/REL ("nmt/dates.safetensors"):
 * in the source tree the executable was built in (./seqtool or
 * build/VARIANT/seqtool), else in the installed data folder (make
 * install).
 * The string stays valid for the life of the process. */
const char *cli_default_model(const char *rel, const char *env, const char *local);

/* ---- how a model was made ----
 *
 * Every model a train action writes records, in its metadata:
 *   train.command   the command line as typed, quoted for a POSIX shell
 *   train.program   "seqtool VERSION"
 *   train.seed      the --seed
 *   train.data      what it learnt from (a file: its name, size, CRC-32)
 * so that `seqtool CMD info MODEL` can say how to make it again. */

/* The n words joined by spaces, each quoted for a POSIX shell when it
 * needs it; the caller frees the string.  Dies when out of memory. */
char *cli_shell_join(int n, const char *const *words);
/* Keep the command line (argv[0] is CMD) for train.command; cli_run
 * calls it before parsing, which reorders argv. */
void cli_set_command_line(int argc, char **argv);
/* The command line as typed, quoted for a POSIX shell (train.command). */
const char *cli_command_line(void);
/* The keys above as key, value pairs ending with NULL (static: valid
 * until the next call). */
const char *const *cli_provenance(const char *data, unsigned long long seed);
/* "PATH (N bytes, CRC-32 XXXXXXXX)" for train.data, or "standard input"
 * for "-" (read once, not again); the caller frees it.  Dies when the
 * file cannot be read. */
char *cli_describe_file(const char *path);

/* ---- info (info.c) ---- */

struct cJSON;
/* What `seqtool CMD info` prints: "PATH: SUMMARY", then how it was made
 * (the train.* keys m records, as "command ...", "program ...", "seed
 * ...", "data ..." lines) and, for a model (model 1), one line "tensor
 * NAME DTYPE D1xD2..." for each tensor of m.  With json, one object
 * instead: file, the members of fields (taken over; may be NULL), the
 * train.* keys and, for a model, tensors.  m may be NULL (vectors in a
 * text format).  A model that records no train.command says so. */
void cli_info(const char *path, const char *summary, const model_in *m, struct cJSON *fields,
              int model, int json);
/* When m records a score under key ("train.val_bits_per_note"): the
 * summary (size bytes, *used of them filled) goes on with before, the
 * score to 4 decimals and after; fields gets it as name. */
void cli_info_score(const model_in *m, const char *key, const char *before, const char *after, char *summary,
                    size_t size, int *used, struct cJSON *fields, const char *name);
/* The MODEL operand of info, or the action's default when none; dies on
 * more than one. */
const char *cli_info_operand(const char *action_default, int argc, char **argv);

/* The lines of fd for a query loop, in batches: add(ctx, line, len,
 * lineno) for each line (valid during the call), then flush(ctx) when
 * max lines were added since the last flush or the next line is not yet
 * there, so a program that writes a line and waits gets its answer at
 * once; a last flush at the end when lines are pending. */
void cli_batch_lines(int fd, int max, void (*add)(void *ctx, char *line, size_t len, long lineno),
                     void (*flush)(void *ctx), void *ctx);

/* The end of a training run whose model is saved in path: 130 with a
 * warning when Ctrl-C or SIGTERM stopped it in unit ("step", "epoch")
 * done of total, 0
 * otherwise (the caller then prints its summary). */
int cli_end_training(const char *path, const char *unit, long done, long total);

/* Flush stdout and exit 1 if any write failed (full disk, closed pipe);
 * returns status unchanged otherwise.  Every command ends with it. */
int cli_finish(int status);

/* Print a cJSON object as one line on stdout, then free it. */
struct cJSON;
void cli_print_json(struct cJSON *j);

/* Lines from a file descriptor, for queries read one per line.  Before it
 * would block on a read, the reader flushes stdout, so a program talking
 * to seqtool through pipes gets each answer as soon as it asked.  A line
 * may be at most max bytes (CLI_LINE_MAX unless the caller sets another),
 * so that memory stays bounded whatever comes in. */
#define CLI_LINE_MAX ((size_t)1 << 20)
typedef struct {
    int fd;
    char *buf;
    size_t start, end, cap;
    long lineno;
    int eof;
    const char *name;   /* for messages: "standard input" unless set */
    size_t max;         /* bytes a line may have, without its "\r\n" */
} line_reader;

void line_reader_init(line_reader *lr, int fd);
/* The next line without its "\n" or "\r\n", NUL-terminated, valid until
 * the next call; NULL at the end (a read error, or a line longer than
 * max bytes: die naming the line). */
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
    long total, first;  /* first: where this process began (progress_resume) */
    const char *unit;
    int tty, quiet, drawn;
} progress;

void progress_start(progress *p, long total, const char *unit, int quiet);
/* A resumed run begins at done units: rates and ETA count from there. */
void progress_resume(progress *p, long done);
/* done units of total; extra is a short status ("loss 21.3") or NULL. */
void progress_update(progress *p, long done, const char *extra);
/* A log line that does not fight with the bar (nothing when quiet). */
void progress_log(progress *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void progress_end(progress *p);

#endif
