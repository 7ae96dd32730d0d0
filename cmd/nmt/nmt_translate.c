/* nmt translate and nmt attention: dates in, ISO dates out, and where the
 * model looked while it wrote them. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "fileio.h"
#include "model.h"
#include "nmt.h"
#include "text.h"

#define SHIPPED_MODEL "datasets/nmt/dates.safetensors"
#define TRANSLATE_BATCH 64

const char *nmt_default_model(void)
{
    static char path[PATH_MAX + 64];
    const char *env = getenv("SEQTOOL_NMT_MODEL");
    if (env && *env)
        return env;
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        for (int up = 0; up < 3; up++) {
            char *slash = strrchr(exe, '/');
            if (!slash)
                break;
            *slash = '\0';
            snprintf(path, sizeof path, "%s/%s", exe, SHIPPED_MODEL);
            if (access(path, R_OK) == 0)
                return path;
        }
    }
    return SEQTOOL_DATADIR "/nmt/dates.safetensors";
}

void nmt_model_open(nmt_model *m, const char *path)
{
    char err[ERR_MAX];
    model_in f;
    if (model_in_open(&f, path, "nmt", err) < 0)
        die("%s", err);
    if (nmt_load(m, &f, err) < 0)
        die("%s", err);
    model_in_close(&f);
}

/* ---- translate ---- */

typedef struct {
    int n;
    char *text[TRANSLATE_BATCH];  /* copies of the inputs (for --json) */
    long lineno[TRANSLATE_BATCH];
} batch;

typedef struct {
    nmt_model *m;
    const nmt_options *o;
    long invalid, truncated, not_utf8, unknown;
} translator;

/* The first byte of s[0..n) the model has no input for, or -1. */
static int unknown_byte(const nmt_model *m, const char *s, size_t n)
{
    for (size_t i = 0; i < n && i < (size_t)m->Tx - 1; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        if (m->id_of[c] == NMT_UNK)
            return c;
    }
    return -1;
}

static void note_input(translator *t, const char *s, size_t len, long lineno)
{
    char where[48] = "";
    if (lineno > 0)
        snprintf(where, sizeof where, "line %ld: ", lineno);
    if (len > (size_t)t->m->Tx - 1 && t->truncated++ == 0)
        warn("%sinput longer than %d bytes; only the first %d are read", where, t->m->Tx - 1,
             t->m->Tx - 1);
    if (!utf8_valid(s, len)) {
        if (t->not_utf8++ == 0)
            warn("%sinput is not valid UTF-8; bytes outside the model's characters are read as "
                 "unknown", where);
        return;
    }
    int c = unknown_byte(t->m, s, len);
    if (c >= 0 && t->unknown++ == 0) {
        if (c >= 32 && c < 127)
            warn("%s'%c' is not among the model's characters; it is read as unknown", where, c);
        else
            warn("%sa character outside the model's (byte 0x%02x) is read as unknown", where, c);
    }
}

/* One result line: the date, "invalid", or nothing for a blank input. */
static void print_result(translator *t, const char *input, const char *iso, int valid, double lp)
{
    int blank = text_is_blank(input);
    if (!valid && !blank)
        t->invalid++;
    if (!t->o->json) {
        fputs(blank ? "" : valid ? iso : "invalid", stdout);
        putchar('\n');
        return;
    }
    cJSON *j = cJSON_CreateObject();
    size_t n = strlen(input);
    char *shown = malloc(3 * n + 1);
    if (!j || !shown)
        die("out of memory");
    utf8_repair(input, n, shown);
    cJSON_AddStringToObject(j, "input", shown);
    free(shown);
    if (valid && !blank)
        cJSON_AddStringToObject(j, "iso", iso);
    else
        cJSON_AddNullToObject(j, "iso");
    if (blank)
        cJSON_AddNullToObject(j, "confidence");
    else
        cJSON_AddNumberToObject(j, "confidence", valid ? exp(lp) : 0);
    cli_print_json(j);
}

static void translate_batch(translator *t, batch *b)
{
    nmt_model *m = t->m;
    int ids[4096];
    for (int i = 0; i < b->n; i++) {
        size_t len = strlen(b->text[i]), dropped;
        note_input(t, b->text[i], len, b->lineno[i]);
        nmt_encode(m, b->text[i], len, t->o->month_first, ids, &dropped);
        nmt_set_row(m, i, b->n, ids, NULL);
    }
    nmt_forward(m, b->n);
    float logp[NMT_TY * NMT_NOUT];
    for (int i = 0; i < b->n; i++) {
        char out[NMT_TY + 1];
        double lp;
        nmt_log_probs(m, b->n, i, logp);
        int valid = nmt_best_valid(logp, t->o->beam, out, &lp);
        print_result(t, b->text[i], out, valid, lp);
        free(b->text[i]);
    }
    b->n = 0;
}

static void batch_add(translator *t, batch *b, const char *s, size_t len, long lineno)
{
    char *copy = malloc(len + 1);
    if (!copy)
        die("out of memory");
    memcpy(copy, s, len);
    copy[len] = '\0';
    b->text[b->n] = copy;
    b->lineno[b->n++] = lineno;
    if (b->n == TRANSLATE_BATCH)
        translate_batch(t, b);
}

int nmt_translate_action(nmt_options *o)
{
    nmt_model m;
    nmt_model_open(&m, o->model ? o->model : nmt_default_model());
    if (m.Tx > 4096 || nmt_reserve(&m, TRANSLATE_BATCH) < 0)
        die("out of memory");
    translator t = {&m, o, 0, 0, 0, 0};
    batch b = {0};
    if (o->ntexts) {
        for (int i = 0; i < o->ntexts; i++)
            batch_add(&t, &b, o->texts[i], strlen(o->texts[i]), 0);
    } else {
        line_reader lr;
        line_reader_init(&lr, 0);
        char *line;
        size_t len;
        for (;;) {
            /* translate what has come before waiting for more */
            if (b.n && !line_reader_ready(&lr))
                translate_batch(&t, &b);
            if (!(line = line_reader_next(&lr, &len)))
                break;
            batch_add(&t, &b, line, len, lr.lineno);
        }
        line_reader_free(&lr);
    }
    if (b.n)
        translate_batch(&t, &b);
    if (t.truncated > 1)
        warn("%ld inputs longer than %d bytes were cut", t.truncated, m.Tx - 1);
    if (t.unknown > 1)
        warn("%ld inputs had characters outside the model's", t.unknown);
    if (t.not_utf8 > 1)
        warn("%ld inputs were not valid UTF-8", t.not_utf8);
    if (t.invalid)
        warn("%ld input(s) gave no valid date among the %d best outputs: printed 'invalid'",
             t.invalid, o->beam);
    nmt_free(&m);
    return t.invalid ? 1 : 0;
}

/* ---- attention ---- */

/* The label of input position i: the convention token, or the character
 * (printable ASCII, else '?'). */
static void position_label(const nmt_model *m, const char *s, int i, int month_first,
                           char *out, size_t n)
{
    if (i == 0) {
        snprintf(out, n, "%s", month_first ? "<mdy>" : "<dmy>");
        return;
    }
    unsigned char c = (unsigned char)s[i - 1];
    snprintf(out, n, "%c", c >= 32 && c < 127 ? c : '?');
    (void)m;
}

static void write_svg(FILE *f, const nmt_model *m, const char *s, int npos, const float *w,
                      const char *iso, int month_first)
{
    const int px = 22, left = 30, top = 60;
    int W = left + npos * px + 10, H = top + NMT_TY * px + 10;
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
               "font-family=\"monospace\" font-size=\"13\">\n"
               "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n", W, H);
    for (int i = 0; i < npos; i++) {
        char label[16];
        position_label(m, s, i, month_first, label, sizeof label);
        char esc[64];
        size_t k = 0;
        for (const char *p = label; *p && k < sizeof esc - 8; p++)
            k += (size_t)snprintf(esc + k, sizeof esc - k, "%s",
                                  *p == '<' ? "&lt;" : *p == '>' ? "&gt;" : *p == '&' ? "&amp;"
                                  : (char[]){*p, 0});
        int x = left + i * px + px / 2;
        fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"start\" transform=\"rotate(-90 %d %d)\">%s</text>\n",
                x + 4, top - 6, x + 4, top - 6, esc);
    }
    for (int t = 0; t < NMT_TY; t++) {
        int y = top + t * px;
        fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%c</text>\n", left / 2,
                y + px / 2 + 5, iso[t]);
        for (int i = 0; i < npos; i++) {
            int g = 255 - (int)lrintf(255 * w[t * npos + i]);
            fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"rgb(%d,%d,%d)\">"
                       "<title>%.3f</title></rect>\n",
                    left + i * px, y, px, px, g, g, g, w[t * npos + i]);
        }
    }
    fputs("</svg>\n", f);
}

/* A binary greymap, 16 pixels per cell, black = all the attention. */
static void write_pgm(FILE *f, int npos, const float *w)
{
    const int px = 16;
    fprintf(f, "P5\n%d %d\n255\n", npos * px, NMT_TY * px);
    for (int t = 0; t < NMT_TY; t++)
        for (int y = 0; y < px; y++)
            for (int i = 0; i < npos; i++)
                for (int x = 0; x < px; x++)
                    fputc(255 - (int)lrintf(255 * w[t * npos + i]), f);
}

static void print_heatmap(const nmt_model *m, const char *s, int npos, const float *w,
                          const char *iso, int month_first)
{
    static const char shades[] = " .:-=+*#%@";
    printf("   ");
    for (int i = 0; i < npos; i++) {
        char label[16];
        position_label(m, s, i, month_first, label, sizeof label);
        putchar(i == 0 ? (month_first ? 'M' : 'D') : label[0]);
    }
    putchar('\n');
    for (int t = 0; t < NMT_TY; t++) {
        printf("%c  ", iso[t]);
        for (int i = 0; i < npos; i++) {
            /* blank below 1%, then nine even steps */
            float x = w[t * npos + i];
            int k = x < 0.01f ? 0 : 1 + (int)(x * 8.999f);
            putchar(shades[k > 9 ? 9 : k]);
        }
        putchar('\n');
    }
}

int nmt_attention_action(nmt_options *o)
{
    if (o->ntexts != 1)
        die_usage("attention takes one date (quote it)");
    if (o->picture && !text_ends_with(o->picture, ".svg") && !text_ends_with(o->picture, ".pgm"))
        die_usage("-o %s: the picture is written as .svg or .pgm", o->picture);
    nmt_model m;
    nmt_model_open(&m, o->model ? o->model : nmt_default_model());
    if (m.Tx > 4096 || nmt_reserve(&m, 1) < 0)
        die("out of memory");
    const char *s = o->texts[0];
    size_t len = strlen(s), dropped;
    int ids[4096];
    translator t = {&m, o, 0, 0, 0, 0};
    note_input(&t, s, len, 0);
    int npos = nmt_encode(&m, s, len, o->month_first, ids, &dropped);
    nmt_set_row(&m, 0, 1, ids, NULL);
    nmt_forward(&m, 1);
    float logp[NMT_TY * NMT_NOUT], *w = malloc((size_t)NMT_TY * m.Tx * sizeof *w);
    char iso[NMT_TY + 1];
    double lp;
    if (!w)
        die("out of memory");
    nmt_log_probs(&m, 1, 0, logp);
    /* the rows are labelled with what translate prints (the decoder does
     * not read its outputs, so the weights are the same for any of them) */
    int valid = nmt_best_valid(logp, o->beam, iso, &lp);
    for (int k = 0; k < NMT_TY; k++) {
        float row[4096];
        nmt_attention_row(&m, 1, k, 0, row);
        memcpy(w + k * npos, row, (size_t)npos * sizeof *w);
    }
    if (o->picture) {
        atomic_file af;
        if (atomic_open(&af, o->picture) < 0)
            die("cannot write '%s': %s", o->picture, strerror(errno));
        if (text_ends_with(o->picture, ".svg"))
            write_svg(af.f, &m, s, npos, w, iso, o->month_first);
        else
            write_pgm(af.f, npos, w);
        if (atomic_commit(&af) < 0)
            die("cannot write '%s': %s", o->picture, strerror(errno));
    } else {
        print_heatmap(&m, s, npos, w, iso, o->month_first);
    }
    if (!valid)
        warn("'%s': none of the %d best outputs is a date; rows labelled with the likeliest, %s",
             s, o->beam, iso);
    free(w);
    nmt_free(&m);
    return valid ? 0 : 1;
}
