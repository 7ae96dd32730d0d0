/* cli — shared command-line plumbing; see cli.h. */
#include "cli.h"
#include "config.h"
#include "fileio.h"
#include "model.h"

#include <cjson/cJSON.h>

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *prog = "seqtool";

void cli_set_prog(const char *p) { prog = p; }
const char *cli_prog(void) { return prog; }

static void vmessage(const char *kind, const char *fmt, va_list ap)
{
    fflush(stdout);
    fprintf(stderr, "%s: %s", prog, kind);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage("", fmt, ap);
    va_end(ap);
    exit(1);
}

void die_usage(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage("", fmt, ap);
    va_end(ap);
    fprintf(stderr, "Try '%s --help' for more information.\n", prog);
    exit(EXIT_USAGE);
}

void warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage("warning: ", fmt, ap);
    va_end(ap);
}

void inform(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage("", fmt, ap);
    va_end(ap);
}

long cli_long(const char *opt, const char *s, long lo, long hi)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        die_usage("%s wants a whole number from %ld to %ld, not '%s'", opt, lo, hi, s);
    return v;
}

double cli_double(const char *opt, const char *s, double lo, double hi)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(v) || v < lo || v > hi)
        die_usage("%s wants a number from %g to %g, not '%s'", opt, lo, hi, s);
    return v;
}

unsigned long long cli_seed(const char *s)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-')
        die_usage("--seed wants a whole number from 0 to %llu, not '%s'", ULLONG_MAX, s);
    return v;
}

FILE *cli_open_read(const char *path)
{
    if (strcmp(path, "-") == 0)
        return stdin;
    FILE *f = fopen(path, "r");
    if (!f)
        die("cannot open '%s': %s", path, strerror(errno));
    return f;
}

const char *cli_display_name(const char *path)
{
    return strcmp(path, "-") == 0 ? "standard input" : path;
}

int cli_finish(int status)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "%s: write error on standard output: %s\n", prog,
                strerror(errno ? errno : EIO));
        return 1;
    }
    return status;
}

void cli_print_json(cJSON *j)
{
    char *s = j ? cJSON_PrintUnformatted(j) : NULL;
    if (!s)
        die("out of memory");
    puts(s);
    free(s);
    cJSON_Delete(j);
}

void cli_read_lines(const char *path, size_t max, text_lines *out)
{
    FILE *f = cli_open_read(path);
    char err[ERR_MAX];
    if (text_read_lines(f, max, out, err) < 0)
        die("'%s': %s", cli_display_name(path), err);
    if (f != stdin)
        fclose(f);
}

const char *cli_default_vectors(void)
{
    return cli_default_model(CLI_VECTORS_SHIPPED, "SEQTOOL_VECTORS", CLI_VECTORS_LOCAL);
}

void cli_open_vectors(vectors *v, const char *path, vec_format fmt, const char *default_name,
                      int quiet)
{
    char err[ERR_MAX];
    const char *p = strcmp(path, "-") == 0 ? "/dev/stdin" : path;
    if (vectors_load(v, p, fmt, err) < 0) {
        if (default_name && strcmp(path, default_name) == 0 && access(p, F_OK) != 0)
            die("%s (name the vectors with -v FILE or SEQTOOL_VECTORS)", err);
        die("%s", err);
    }
    if (v->duplicates && !quiet)
        warn("'%s': %ld repeated word(s), the first at %s %ld; kept the first vector of each", path,
             v->duplicates, v->format == VEC_WORD2VEC_BIN ? "record" : "line", v->first_duplicate);
}

/* datasets/REL beside the executable: ./seqtool is at the top of the
 * tree, build/VARIANT/seqtool two folders below it. */
static int shipped_beside_exe(const char *rel, char *path, size_t size)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return 0;
    exe[n] = '\0';
    for (int up = 0; up < 3; up++) {
        char *slash = strrchr(exe, '/');
        if (!slash)
            break;
        *slash = '\0';
        if ((size_t)snprintf(path, size, "%s/datasets/%s", exe, rel) < size && access(path, R_OK) == 0)
            return 1;
    }
    return 0;
}

const char *cli_default_model(const char *rel, const char *env, const char *local)
{
    /* a few results live for the process: a command asks for two at most */
    static char paths[4][PATH_MAX + 64];
    static int next;
    const char *e = env ? getenv(env) : NULL;
    if (e && *e)
        return e;
    if (local && access(local, F_OK) == 0)
        return local;
    char *path = paths[next++ % 4];
    if (!shipped_beside_exe(rel, path, sizeof paths[0]))
        snprintf(path, sizeof paths[0], "%s/%s", SEQTOOL_DATADIR, rel);
    return path;
}

/* ---- how a model was made ---- */

static char *command_line;

/* Whether a word reads the same to a POSIX shell unquoted. */
static int shell_plain(const char *w)
{
    if (!*w)
        return 0;
    for (; *w; w++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-+=.,/:@%", *w))
            return 0;
    return 1;
}

char *cli_shell_join(int n, const char *const *words)
{
    size_t size = 1;
    for (int i = 0; i < n; i++)
        size += 4 * strlen(words[i]) + 3; /* each ' may become '\'' */
    char *s = malloc(size), *p = s;
    if (!s)
        die("out of memory");
    *p = 0;
    for (int i = 0; i < n; i++) {
        if (i)
            *p++ = ' ';
        if (shell_plain(words[i])) {
            p = stpcpy(p, words[i]);
            continue;
        }
        *p++ = '\'';
        for (const char *w = words[i]; *w; w++) {
            if (*w == '\'')
                p = stpcpy(p, "'\\''");
            else
                *p++ = *w;
        }
        *p++ = '\'';
        *p = 0;
    }
    return s;
}

void cli_set_command_line(int argc, char **argv)
{
    char *args = cli_shell_join(argc, (const char *const *)argv);
    free(command_line);
    if (!(command_line = malloc(strlen(args) + sizeof "seqtool ")))
        die("out of memory");
    sprintf(command_line, argc ? "seqtool %s" : "seqtool%s", args);
    free(args);
}

const char *cli_command_line(void) { return command_line ? command_line : "seqtool"; }

const char *const *cli_provenance(const char *data, unsigned long long seed)
{
    static char seed_text[32];
    static const char *kv[9];
    snprintf(seed_text, sizeof seed_text, "%llu", seed);
    kv[0] = "train.command", kv[1] = cli_command_line();
    kv[2] = "train.program", kv[3] = "seqtool " SEQTOOL_VERSION;
    kv[4] = "train.seed", kv[5] = seed_text;
    kv[6] = "train.data", kv[7] = data;
    kv[8] = NULL;
    return kv;
}

char *cli_describe_file(const char *path)
{
    char err[ERR_MAX], *s;
    if (strcmp(path, "-") == 0)
        return strdup("standard input");
    file_bytes fb;
    if (file_map(&fb, path, err) < 0)
        die("%s", err);
    uint32_t crc = crc32_update(0, fb.bytes, fb.size);
    size_t n = strlen(path) + 64;
    if (!(s = malloc(n)))
        die("out of memory");
    snprintf(s, n, "%s (%zu bytes, CRC-32 %08x)", path, fb.size, (unsigned)crc);
    file_unmap(&fb);
    return s;
}

void cli_batch_lines(int fd, int max, void (*add)(void *ctx, char *line, size_t len, long lineno),
                     void (*flush)(void *ctx), void *ctx)
{
    line_reader lr;
    line_reader_init(&lr, fd);
    char *line;
    size_t len;
    int pending = 0;
    while ((line = line_reader_next(&lr, &len))) {
        add(ctx, line, len, lr.lineno);
        if (++pending == max || !line_reader_ready(&lr)) {
            flush(ctx);
            pending = 0;
        }
    }
    if (pending)
        flush(ctx);
    line_reader_free(&lr);
}

int cli_end_training(const char *path, const char *unit, long done, long total)
{
    if (!cli_stop_requested)
        return 0;
    warn("interrupted in %s %ld of %ld; the model so far is in '%s'", unit, done, total, path);
    return 130;
}

void line_reader_init(line_reader *lr, int fd)
{
    memset(lr, 0, sizeof *lr);
    lr->fd = fd;
    lr->name = "standard input";
    lr->max = CLI_LINE_MAX;
}

int line_reader_ready(const line_reader *lr)
{
    return lr->eof || memchr(lr->buf + lr->start, '\n', lr->end - lr->start) != NULL;
}

char *line_reader_next(line_reader *lr, size_t *len)
{
    for (;;) {
        char *nl = lr->buf ? memchr(lr->buf + lr->start, '\n', lr->end - lr->start) : NULL;
        if (nl || (lr->eof && lr->end > lr->start)) {
            char *line = lr->buf + lr->start;
            size_t n = nl ? (size_t)(nl - line) : lr->end - lr->start;
            lr->start += nl ? n + 1 : n;
            if (n > 0 && line[n - 1] == '\r')
                n--;
            line[n] = 0;
            if (n > lr->max)
                die("'%s': line %ld: longer than %zu bytes", lr->name, lr->lineno + 1, lr->max);
            lr->lineno++;
            *len = n;
            return line;
        }
        if (lr->eof)
            return NULL;
        /* max bytes, and a "\r" before the "\n" that has not come */
        if (lr->end - lr->start > lr->max + 1)
            die("'%s': line %ld: longer than %zu bytes", lr->name, lr->lineno + 1, lr->max);
        /* make room: move the partial line down, grow when full */
        if (lr->buf)
            memmove(lr->buf, lr->buf + lr->start, lr->end - lr->start);
        lr->end -= lr->start;
        lr->start = 0;
        if (lr->cap - lr->end < 4096) {
            size_t cap = lr->cap ? 2 * lr->cap : 65536;
            char *b = realloc(lr->buf, cap + 1);
            if (!b)
                die("out of memory");
            lr->buf = b;
            lr->cap = cap;
        }
        fflush(stdout);
        ssize_t r = read(lr->fd, lr->buf + lr->end, lr->cap - lr->end);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            die("cannot read %s: %s", lr->name, strerror(errno));
        if (r == 0)
            lr->eof = 1;
        lr->end += (size_t)r;
    }
}

void line_reader_free(line_reader *lr)
{
    free(lr->buf);
    memset(lr, 0, sizeof *lr);
}

volatile sig_atomic_t cli_stop_requested;

static void on_stop_signal(int sig)
{
    (void)sig;
    cli_stop_requested = 1;
}

void cli_catch_stop(void)
{
    signal(SIGINT, on_stop_signal);
    signal(SIGTERM, on_stop_signal);
}

double cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* ---- progress ---- */

#define LOG_INTERVAL 5.0   /* seconds between plain log lines */
#define DRAW_INTERVAL 0.1  /* seconds between bar redraws */

void progress_start(progress *p, long total, const char *unit, int quiet)
{
    memset(p, 0, sizeof *p);
    p->start = p->last = cli_now();
    p->total = total;
    p->unit = unit;
    p->quiet = quiet;
    p->tty = isatty(STDERR_FILENO);
}

static void format_eta(char *buf, size_t n, double s)
{
    if (!isfinite(s) || s < 0)
        snprintf(buf, n, "--:--");
    else if (s >= 3600)
        snprintf(buf, n, "%d:%02d:%02d", (int)s / 3600, (int)s / 60 % 60, (int)s % 60);
    else
        snprintf(buf, n, "%02d:%02d", (int)s / 60, (int)s % 60);
}

void progress_resume(progress *p, long done) { p->first = done; }

void progress_update(progress *p, long done, const char *extra)
{
    if (p->quiet)
        return;
    double now = cli_now(), el = now - p->start;
    int final = done >= p->total;
    if (now - p->last < (p->tty ? DRAW_INTERVAL : LOG_INTERVAL) && !(final && p->tty))
        return;
    p->last = now;
    double rate = el > 0 ? (done - p->first) / el : 0;
    char eta[32];
    format_eta(eta, sizeof eta, rate > 0 ? (p->total - done) / rate : NAN);
    if (p->tty) {
        int width = 30, fill = p->total ? (int)(width * (double)done / p->total) : 0;
        char bar[64];
        for (int i = 0; i < width; i++)
            bar[i] = i < fill ? '#' : '.';
        bar[width] = 0;
        fprintf(stderr, "\r[%s] %ld/%ld %s  %.0f %s/s  eta %s  %s\033[K", bar,
                done, p->total, p->unit, rate, p->unit, eta, extra ? extra : "");
        p->drawn = 1;
    } else {
        fprintf(stderr, "%s: %ld/%ld %s, %.0f %s/s, eta %s%s%s\n", prog, done,
                p->total, p->unit, rate, p->unit, eta, extra ? ", " : "",
                extra ? extra : "");
    }
}

void progress_log(progress *p, const char *fmt, ...)
{
    if (p->quiet)
        return;
    if (p->drawn) {
        fputs("\r\033[K", stderr);
        p->drawn = 0;
    }
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void progress_end(progress *p)
{
    if (p->drawn) {
        fputc('\n', stderr);
        p->drawn = 0;
    }
}
