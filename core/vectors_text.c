/* vectors_text — the text formats (GloVe, word2vec, fastText) and
 * word2vec binary, read and written; see vectors.h and vectors_text.h. */
#include "vectors_text.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parallel.h"
#include "text.h"

/* ---- reading ---- */

typedef struct {
    const char *p, *end;
    long line;
    const char *path;
    char *err;
} cursor;

static int is_space(char c) { return c == ' ' || c == '\t'; }

/* Count the lines (a last line without "\n" counts). */
static long count_lines(const char *p, const char *end)
{
    long n = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        n++;
        if (!nl)
            break;
        p = nl + 1;
    }
    return n;
}

/* The word2vec header, "COUNT DIM" on a line by itself: 1 with both set
 * and *next after the line; 0 when the first line is not two whole numbers
 * (GloVe has no header); -1 when it is, but COUNT is negative or DIM is
 * not 1 to VECTORS_DIM_MAX.  Only the first 64 bytes are looked at. */
static int parse_header(const char *p, const char *end, long *count, int *dim, const char **next)
{
    char buf[64];
    size_t room = (size_t)(end - p) < sizeof buf ? (size_t)(end - p) : sizeof buf;
    const char *nl = memchr(p, '\n', room);
    const char *e = nl ? nl : end;
    if (e - p <= 0 || e - p >= (long)sizeof buf)
        return 0;
    memcpy(buf, p, (size_t)(e - p));
    buf[e - p] = 0;
    long c, d;
    char extra;
    if (sscanf(buf, "%ld %ld %c", &c, &d, &extra) != 2)
        return 0;
    *count = c;
    *dim = d < 0 ? -1 : d > VECTORS_DIM_MAX ? VECTORS_DIM_MAX + 1 : (int)d;
    *next = nl ? nl + 1 : end;
    return c < 0 || d < 1 || d > VECTORS_DIM_MAX ? -1 : 1;
}

/* The message for a header parse_header refused. */
static int bad_header(const char *path, long count, int dim, char *err)
{
    if (count < 0)
        return err_set(err, "'%s': line 1: the header gives a negative word count", path);
    if (dim > VECTORS_DIM_MAX)
        return err_set(err, "'%s': line 1: the header gives more than %d values a word", path, VECTORS_DIM_MAX);
    return err_set(err, "'%s': line 1: the header gives fewer than 1 value a word", path);
}

/* After a word2vec header: is the first record binary?  Text records hold
 * only digits, signs, points, exponents and spaces after the word. */
static int looks_binary(const char *p, const char *end, int dim)
{
    while (p < end && (*p == '\n' || is_space(*p)))
        p++;
    while (p < end && !is_space(*p) && *p != '\n' && *p != 0)
        p++;
    /* up to the line's end (text) or the record's (binary) */
    const char *stop = (size_t)(end - p) > 4 * (size_t)dim ? p + 4 * (size_t)dim : end;
    for (; p < stop && *p != '\n'; p++)
        if (!strchr("0123456789.eE+- \t\rnaifNAIF", *p) || *p == 0)
            return 1;
    return 0;
}

vec_format vectors_detect(const file_bytes *fb)
{
    const char *p = (const char *)fb->bytes, *end = p + fb->size;
    uint64_t hlen = 0;
    for (int b = 7; fb->size >= 9 && b >= 0; b--)
        hlen = hlen << 8 | fb->bytes[b];
    /* the safetensors header: its length, then JSON ('{"', or '{}' when
     * empty); a cut file is still recognised, to be called truncated */
    if (fb->size >= 10 && p[8] == '{' && (p[9] == '"' || p[9] == '}') && hlen < (100u << 20))
        return VEC_SAFETENSORS;
    long count;
    int dim;
    const char *next;
    int h = parse_header(p, end, &count, &dim, &next);
    if (h > 0)
        return looks_binary(next, end, dim) ? VEC_WORD2VEC_BIN : VEC_WORD2VEC;
    /* a header out of range: the text reader says what is wrong with it */
    return h < 0 ? VEC_WORD2VEC : VEC_GLOVE;
}

/* The word at c->p (up to a space), checked as it is read, so that
 * binary data stops it at its first bad byte; its start and length. */
static int read_word(cursor *c, const char **word, size_t *len)
{
    const char *w = c->p;
    while (c->p < c->end && !is_space(*c->p) && *c->p != '\n' && *c->p != '\r') {
        if (c->p - w >= VECTORS_WORD_MAX)
            return err_set(c->err, "'%s': line %ld: a word longer than %d bytes", c->path, c->line, VECTORS_WORD_MAX);
        if (*c->p > 0) { /* ASCII */
            c->p++;
            continue;
        }
        if (*c->p == 0)
            return err_set(c->err, "'%s': line %ld: a NUL byte in the word (binary data, not vectors?)", c->path,
                           c->line);
        int cp, k = utf8_decode(c->p, (size_t)(c->end - c->p), &cp);
        if (k < 0)
            return err_set(c->err, "'%s': line %ld: the word is not valid UTF-8", c->path, c->line);
        c->p += k;
    }
    *len = (size_t)(c->p - w);
    if (*len == 0)
        return err_set(c->err, "'%s': line %ld: no word", c->path, c->line);
    *word = w;
    return 0;
}

/* 1 when every one of the n values is a finite number. */
static int all_finite(const float *x, int n)
{
    for (int i = 0; i < n; i++)
        if (!isfinite(x[i]))
            return 0;
    return 1;
}

/* Add the word as row v->n; a word met before is counted, not added. */
static int add_word(vectors *v, const char *w, size_t len, long where, const char *path, char *err)
{
    int added;
    if (word_index_add(&v->index, w, len, &added) < 0)
        return err_set(err, "'%s': out of memory", path);
    if (added)
        v->n++;
    else if (v->duplicates++ == 0)
        v->first_duplicate = where;
    return 0;
}

/* Parse the numbers after the word up to the end of the line: exactly dim
 * of them (dim < 0: as many as there are, which sets it). */
static int read_values(vectors *v, cursor *c, float *row)
{
    int k, cap = v->dim > 0 ? v->dim : VECTORS_DIM_MAX;
    const char *stop = float_parse_line(c->p, c->end, row, cap, &k);
    if (k > FLOAT_LINE_MAX)
        return err_set(c->err, "'%s': line %ld: more than %d values (expected %d)", c->path, c->line, FLOAT_LINE_MAX,
                       v->dim > 0 ? v->dim : VECTORS_DIM_MAX);
    if (stop < c->end && *stop != '\n') {
        const char *t = stop;
        while (t < c->end && t - stop < 20 && !is_space(*t) && *t != '\n' && *t != '\r')
            t++;
        return err_set(c->err, "'%s': line %ld: '%.*s' is not a number", c->path, c->line,
                     (int)(t - stop), stop);
    }
    c->p = stop < c->end ? stop + 1 : stop;
    if (v->dim <= 0) {
        if (k < 1 || k > VECTORS_DIM_MAX)
            return err_set(c->err, "'%s': line %ld: %d values (expected 1 to %d)", c->path, c->line, k,
                         VECTORS_DIM_MAX);
        v->dim = k;
    } else if (k != v->dim) {
        return err_set(c->err, "'%s': line %ld: expected %d values, found %d", c->path, c->line, v->dim, k);
    }
    /* inf or nan would only spread through every similarity */
    if (!all_finite(row, k))
        return err_set(c->err, "'%s': line %ld: a value that is not finite (inf or nan)", c->path, c->line);
    return 0;
}

/* Room for n rows of dim (dim unknown yet: one row of any size). */
static int alloc_table(vectors *v, long n, int dim, char *err, const char *path)
{
    size_t rows = (size_t)n * (size_t)(dim > 0 ? dim : 1);
    v->own_data = vectors_alloc(dim > 0 ? rows : rows + VECTORS_DIM_MAX);
    if (!v->own_data || word_index_init(&v->index, n, (size_t)n * 8) < 0)
        return err_set(err, "'%s': out of memory", path);
    v->data = v->own_data;
    return 0;
}

/* Text files are parsed by a few threads, each over a share of whole
 * lines, into the rows those lines will have; the words then go into the
 * index in file order (which finds repeats) and rows close up over blank
 * lines and repeats. */
#define PARSE_THREADS_MAX 8
#define TABLE_SLACK ((size_t)64 << 20) /* bytes of table beyond 8x the text */
#define PARSE_SHARE_MIN (4u << 20) /* bytes: smaller files use one thread */

typedef struct {
    vectors *v;
    cursor c;
    long lines;               /* lines in the share */
    long row;                 /* row of the share's first line */
    const char **word;        /* per row: the word, its length, its hash */
    uint32_t *len;            /* 0: a blank line */
    uint64_t *hash;
    long err_line;            /* 0: no error */
    char err[ERR_MAX];
} parse_share;

static int is_blank_line(const cursor *c)
{
    return *c->p == '\n' || (*c->p == '\r' && c->p + 1 < c->end && c->p[1] == '\n');
}

static void *parse_lines(void *arg)
{
    parse_share *s = arg;
    cursor *c = &s->c;
    c->err = s->err;
    for (long r = s->row; c->p < c->end; c->line++, r++) {
        if (is_blank_line(c)) {
            c->p += *c->p == '\r' ? 2 : 1;
            s->len[r] = 0;
            continue;
        }
        const char *w;
        size_t len;
        if (read_word(c, &w, &len) < 0 || read_values(s->v, c, s->v->own_data + (size_t)r * s->v->dim) < 0) {
            s->err_line = c->line;
            break;
        }
        s->word[r] = w;
        s->len[r] = (uint32_t)len;
        s->hash[r] = word_index_hash(w, len);
    }
    return NULL;
}

static void *count_share(void *arg)
{
    parse_share *s = arg;
    s->lines = count_lines(s->c.p, s->c.end);
    return NULL;
}

/* Read the first non-blank line alone: it sets dim when no header gave it
 * (GloVe), and must hold dim values when one did. */
static int first_dim(vectors *v, cursor c)
{
    /* a value takes two bytes with its blank, so the rest of the file
     * holds no more than that many: a small file needs a small row */
    size_t most = (size_t)(c.end - c.p) / 2 + 1;
    float *row = malloc((most < VECTORS_DIM_MAX ? most : VECTORS_DIM_MAX) * sizeof *row);
    if (!row)
        return err_set(c.err, "'%s': out of memory", c.path);
    while (c.p < c.end && is_blank_line(&c)) {
        c.p += *c.p == '\r' ? 2 : 1;
        c.line++;
    }
    const char *w;
    size_t len;
    int rc = c.p < c.end && (read_word(&c, &w, &len) < 0 || read_values(v, &c, row) < 0) ? -1 : 0;
    free(row);
    return rc;
}

int vectors_read_text(vectors *v, const file_bytes *fb, const char *path, int header, char *err)
{
    cursor c = {(const char *)fb->bytes, (const char *)fb->bytes + fb->size, 1, path, err};
    long declared = -1;
    if (header) {
        const char *next;
        int h = parse_header(c.p, c.end, &declared, &v->dim, &next);
        if (h == 0)
            return err_set(err, "'%s': line 1: expected the header \"COUNT DIM\"", path);
        if (h < 0)
            return bad_header(path, declared, v->dim, err);
        c.p = next;
        c.line = 2;
    }
    /* the first record read before the whole file is counted, so that a
     * file that is not vectors is refused from its first bytes */
    if (first_dim(v, c) < 0)
        return -1;
    if (v->dim <= 0)
        return err_set(err, "'%s': no vectors in the file", path);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int threads = (int)((size_t)(c.end - c.p) / PARSE_SHARE_MIN) + 1;
    if (threads > cores && cores >= 1)
        threads = (int)cores;
    if (threads > PARSE_THREADS_MAX)
        threads = PARSE_THREADS_MAX;
    parse_share sh[PARSE_THREADS_MAX];
    /* shares of about equal bytes, cut after a newline; their lines are
     * counted in parallel (which also faults the file in on every core),
     * then numbered, then parsed in parallel */
    const char *p = c.p;
    for (int t = 0; t < threads; t++) {
        const char *e = t == threads - 1 ? c.end : c.p + (size_t)(c.end - c.p) / threads * (t + 1);
        if (e < p)
            e = p;
        const char *nl = e < c.end ? memchr(e, '\n', (size_t)(c.end - e)) : NULL;
        e = nl ? nl + 1 : c.end;
        sh[t] = (parse_share){v, {p, e, 0, path, NULL}, 0, 0, NULL, NULL, NULL, 0, ""};
        p = e;
    }
    parallel_run(threads, count_share, sh, sizeof *sh);
    long lines = 0;
    for (int t = 0; t < threads; t++) {
        sh[t].c.line = c.line + lines;
        sh[t].row = lines;
        lines += sh[t].lines;
    }
    if (lines > INT32_MAX - 1)
        return err_set(err, "'%s': too many lines", path);
    /* Every value takes at least two bytes ("0 "), so the table is at most
     * twice the text; a header's dimension that would make it far larger
     * (blank lines aside) is refused before the table is allocated. */
    size_t text = (size_t)(c.end - c.p), table = (size_t)lines * (size_t)v->dim * sizeof(float);
    if (table > 8 * text + TABLE_SLACK)
        return err_set(err, "'%s': %ld lines cannot hold %d values each (the file has %zu bytes)", path, lines,
                       v->dim, text);
    const char **word = malloc((size_t)(lines + 1) * sizeof *word);
    uint32_t *len = malloc((size_t)(lines + 1) * sizeof *len);
    uint64_t *hash = malloc((size_t)(lines + 1) * sizeof *hash);
    int rc = -1;
    if (!word || !len || !hash || alloc_table(v, lines, v->dim, err, path) < 0) {
        err_set(err, "'%s': out of memory", path);
        goto out;
    }
    for (int t = 0; t < threads; t++) {
        sh[t].word = word;
        sh[t].len = len;
        sh[t].hash = hash;
    }
    parallel_run(threads, parse_lines, sh, sizeof *sh);
    for (int t = 0; t < threads; t++)
        if (sh[t].err_line) {
            snprintf(err, ERR_MAX, "%s", sh[t].err);
            goto out;
        }
    long records = 0;
    for (long r = 0; r < lines; r++) {
        if (r + 16 < lines)
            word_index_prefetch(&v->index, hash[r + 16]);
        if (len[r] == 0)
            continue;
        records++;
        int added;
        if (word_index_add_hashed(&v->index, word[r], len[r], hash[r], &added) < 0) {
            err_set(err, "'%s': out of memory", path);
            goto out;
        }
        if (added) {
            if (v->n != r)
                memmove(v->own_data + (size_t)v->n * v->dim, v->own_data + (size_t)r * v->dim,
                        (size_t)v->dim * sizeof(float));
            v->n++;
        } else if (v->duplicates++ == 0) {
            v->first_duplicate = r + (header ? 2 : 1);
        }
    }
    if (header && records != declared)
        err_set(err, "'%s': the header says %ld words, the file has %ld", path, declared, records);
    else if (records == 0)
        err_set(err, "'%s': no vectors in the file", path);
    else
        rc = 0;
out:
    free(word);
    free(len);
    free(hash);
    return rc;
}

int vectors_read_binary(vectors *v, const file_bytes *fb, const char *path, char *err)
{
    cursor c = {(const char *)fb->bytes, (const char *)fb->bytes + fb->size, 1, path, err};
    long declared;
    const char *next;
    int h = parse_header(c.p, c.end, &declared, &v->dim, &next);
    if (h == 0)
        return err_set(err, "'%s': expected the header \"COUNT DIM\"", path);
    if (h < 0)
        return bad_header(path, declared, v->dim, err);
    if (declared > INT32_MAX - 1 || (size_t)declared > fb->size / (4 * (size_t)v->dim + 2) + 1)
        return err_set(err, "'%s': truncated (the header says %ld words)", path, declared);
    c.p = next;
    if (alloc_table(v, declared, v->dim, err, path) < 0)
        return -1;
    size_t row_bytes = 4 * (size_t)v->dim;
    for (long r = 1; r <= declared; r++) {
        while (c.p < c.end && (*c.p == '\n' || *c.p == '\r'))
            c.p++;
        c.line = r;
        const char *w;
        size_t len;
        if (c.p == c.end || read_word(&c, &w, &len) < 0)
            return err_set(err, "'%s': record %ld: truncated or no word", path, r);
        if (c.p == c.end || (size_t)(c.end - c.p - 1) < row_bytes)
            return err_set(err, "'%s': record %ld: truncated", path, r);
        c.p++; /* the space */
        float *row = v->own_data + (size_t)v->n * (size_t)v->dim;
        const unsigned char *b = (const unsigned char *)c.p;
        for (int k = 0; k < v->dim; k++, b += 4) {
            uint32_t u = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
            memcpy(&row[k], &u, 4);
        }
        if (!all_finite(row, v->dim))
            return err_set(err, "'%s': record %ld: a value that is not finite (inf or nan)", path, r);
        c.p += row_bytes;
        if (add_word(v, w, len, r, path, err) < 0)
            return -1;
    }
    if (declared == 0)
        return err_set(err, "'%s': no vectors in the file", path);
    return 0;
}


/* ---- writing ---- */

int vectors_write(const vectors *v, FILE *f, vec_format fmt)
{
    if (fmt == VEC_WORD2VEC || fmt == VEC_WORD2VEC_BIN)
        fprintf(f, "%ld %d\n", v->n, v->dim);
    char num[FLOAT_TEXT_MAX];
    for (long i = 0; i < v->n; i++) {
        const float *row = vectors_row(v, i);
        fputs(vectors_word(v, i), f);
        if (fmt == VEC_WORD2VEC_BIN) {
            putc(' ', f);
            for (int k = 0; k < v->dim; k++) {
                uint32_t u;
                memcpy(&u, &row[k], 4);
                unsigned char b[4] = {(unsigned char)u, (unsigned char)(u >> 8),
                                      (unsigned char)(u >> 16), (unsigned char)(u >> 24)};
                fwrite(b, 1, 4, f);
            }
        } else {
            for (int k = 0; k < v->dim; k++) {
                putc(' ', f);
                fwrite(num, 1, (size_t)float_format(row[k], num), f);
            }
        }
        putc('\n', f);
    }
    return ferror(f) ? -1 : 0;
}
