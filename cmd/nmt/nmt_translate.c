/* nmt translate and nmt attention: dates in, ISO dates out, and where the
 * model looked while it wrote them; see nmt.h. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "nmt.h"
#include "text.h"

#define TRANSLATE_BATCH 64

/* ---- translate ---- */

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

/* Warnings about the inputs: the first of each kind, then a count. */
typedef struct {
    long truncated, not_utf8, unknown;
} input_notes;

static void note_input(input_notes *notes, const nmt_model *m, const char *s, size_t len, long lineno)
{
    char where[48] = "";
    if (lineno > 0)
        snprintf(where, sizeof where, "line %ld: ", lineno);
    if (len > (size_t)m->Tx - 1 && notes->truncated++ == 0)
        warn("%sinput longer than %d bytes; only the first %d are read", where, m->Tx - 1,
             m->Tx - 1);
    if (!utf8_valid(s, len)) {
        if (notes->not_utf8++ == 0)
            warn("%sinput is not valid UTF-8; bytes outside the model's characters are read as "
                 "unknown", where);
        return;
    }
    int c = unknown_byte(m, s, len);
    if (c >= 0 && notes->unknown++ == 0) {
        if (c >= 32 && c < 127)
            warn("%s'%c' is not among the model's characters; it is read as unknown", where, c);
        else
            warn("%sa character outside the model's (byte 0x%02x) is read as unknown", where, c);
    }
}

/* The lines waiting for their answers: up to TRANSLATE_BATCH per thread,
 * translated in batches of TRANSLATE_BATCH from the first, so the batches
 * are those of one thread. */
typedef struct {
    nmt_pool *pool;
    const nmt_options *o;
    int n, cap;
    char **text;                  /* copies of the inputs (for --json) */
    long *lineno;
    int *ids;                     /* [cap][Tx] */
    nmt_answer *ans;
    input_notes notes;
    long invalid;
} translator;

/* One result line: the date, "invalid", or nothing for a blank input. */
static void print_result(translator *t, const char *input, const nmt_answer *a)
{
    int blank = text_is_blank(input);
    if (!a->valid && !blank)
        t->invalid++;
    if (!t->o->json) {
        fputs(blank ? "" : a->valid ? a->iso : "invalid", stdout);
        putchar('\n');
        return;
    }
    cJSON *j = cJSON_CreateObject();
    size_t n = strlen(input);
    char *shown = malloc(3 * n + 1);
    if (!j || !shown)
        die("out of memory");
    utf8_repair(input, n, shown);
    int ok = cJSON_AddStringToObject(j, "input", shown) &&
             (a->valid && !blank ? cJSON_AddStringToObject(j, "iso", a->iso)
                                 : cJSON_AddNullToObject(j, "iso")) &&
             (blank ? cJSON_AddNullToObject(j, "confidence")
                    : cJSON_AddNumberToObject(j, "confidence", a->valid ? exp(a->logprob) : 0));
    free(shown);
    if (!ok)
        die("out of memory");
    cli_print_json(j);
}

static void translate_pending(void *ctx)
{
    translator *t = ctx;
    const nmt_model *m = t->pool->m[0];
    for (int i = 0; i < t->n; i++) {
        size_t len = strlen(t->text[i]), dropped;
        note_input(&t->notes, m, t->text[i], len, t->lineno[i]);
        nmt_encode(m, t->text[i], len, t->o->month_first, t->ids + (size_t)i * m->Tx, &dropped);
    }
    nmt_pool_translate(t->pool, t->ids, t->n, TRANSLATE_BATCH, t->o->beam, t->ans);
    for (int i = 0; i < t->n; i++) {
        print_result(t, t->text[i], &t->ans[i]);
        free(t->text[i]);
    }
    t->n = 0;
}

static void add_line(void *ctx, char *line, size_t len, long lineno)
{
    translator *t = ctx;
    char *copy = malloc(len + 1);
    if (!copy)
        die("out of memory");
    memcpy(copy, line, len);
    copy[len] = '\0';
    t->text[t->n] = copy;
    t->lineno[t->n++] = lineno;
}

int nmt_translate(void *opts, int argc, char **argv)
{
    const nmt_options *o = opts;
    nmt_model m;
    nmt_model_open(&m, o->model, NULL);
    nmt_pool pool;
    nmt_pool_init(&pool, &m, o->threads);
    translator t = {&pool, o, 0, TRANSLATE_BATCH * o->threads, NULL, NULL, NULL, NULL, {0}, 0};
    t.text = malloc((size_t)t.cap * sizeof *t.text);
    t.lineno = malloc((size_t)t.cap * sizeof *t.lineno);
    t.ids = malloc((size_t)t.cap * m.Tx * sizeof *t.ids);
    t.ans = malloc((size_t)t.cap * sizeof *t.ans);
    if (!t.text || !t.lineno || !t.ids || !t.ans)
        die("out of memory");
    if (argc) {
        for (int i = 0; i < argc; i++) {
            add_line(&t, argv[i], strlen(argv[i]), 0);
            if (t.n == t.cap)
                translate_pending(&t);
        }
        if (t.n)
            translate_pending(&t);
    } else {
        /* what has come is translated before waiting for more */
        cli_batch_lines(0, t.cap, add_line, translate_pending, &t);
    }
    if (t.notes.truncated > 1)
        warn("%ld inputs longer than %d bytes were cut", t.notes.truncated, m.Tx - 1);
    if (t.notes.unknown > 1)
        warn("%ld inputs had characters outside the model's", t.notes.unknown);
    if (t.notes.not_utf8 > 1)
        warn("%ld inputs were not valid UTF-8", t.notes.not_utf8);
    if (t.invalid)
        warn("%ld input(s) gave no valid date among the %d best outputs: printed 'invalid'",
             t.invalid, o->beam);
    free(t.text);
    free(t.lineno);
    free(t.ids);
    free(t.ans);
    nmt_pool_free(&pool);
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

int nmt_attention(void *opts, int argc, char **argv)
{
    const nmt_options *o = opts;
    if (argc != 1)
        die_usage("attention takes one date (quote it)");
    if (o->picture && !text_ends_with(o->picture, ".svg") && !text_ends_with(o->picture, ".pgm"))
        die_usage("-o %s: the picture is written as .svg or .pgm", o->picture);
    nmt_model m;
    nmt_model_open(&m, o->model, NULL);
    if (m.Tx > 4096 || nmt_reserve(&m, 1) < 0)
        die("out of memory");
    const char *s = argv[0];
    size_t len = strlen(s), dropped;
    int ids[4096];
    input_notes notes = {0};
    note_input(&notes, &m, s, len, 0);
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
