/* w2v_files — the actions of `seqtool w2v` that write or describe vector
 * files: debias, convert and info. */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "w2v.h"

const char *w2v_output_name(const char *path)
{
    return strcmp(path, "-") == 0 ? "standard output" : path;
}

vec_format w2v_output_format(const options *o, vec_format input)
{
    int to_stdout = strcmp(o->output, "-") == 0;
    vec_format f = o->output_format != VEC_AUTO ? o->output_format : vec_format_from_path(o->output);
    if (f == VEC_AUTO)
        f = to_stdout && input == VEC_SAFETENSORS ? VEC_WORD2VEC : input;
    if (to_stdout && f == VEC_SAFETENSORS)
        die_usage("the safetensors form is a file to map; name one with -o");
    if (to_stdout && o->json)
        die_usage("--json and -o - would both write to standard output");
    return f;
}

static void write_vectors(const options *o, const vectors *v, vec_format fmt, const vec_save *how)
{
    char err[ERR_MAX];
    if (strcmp(o->output, "-") == 0) {
        if (vectors_write(v, stdout, fmt) < 0)
            die("write error on standard output");
    } else if (vectors_save(v, o->output, fmt, how, err) < 0) {
        die("%s", err);
    }
}

/* With --json, what convert and debias wrote, as one object (freed). */
static cJSON *written(const options *o, const vectors *v, vec_format fmt)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "output", o->output);
    cJSON_AddNumberToObject(j, "words", (double)v->n);
    cJSON_AddNumberToObject(j, "dim", v->dim);
    cJSON_AddStringToObject(j, "format", vec_format_name(fmt));
    return j;
}

/* ---- debias ---- */

/* Neutralize every word of a line: how many. */
static int neutralize_line(vectors *v, char *line, const char *where, const double *g)
{
    char why[W2V_WHY], *tok[W2V_MAX_TOKENS];
    int ntok = w2v_split(line, tok, W2V_MAX_TOKENS);
    for (int w = 0; w < ntok; w++) {
        long r = w2v_lookup(v, tok[w], why);
        if (r < 0)
            die("%s: %s", where, why);
        vec_neutralize(v->data + (size_t)r * v->dim, g, v->dim);
    }
    return ntok > 0 ? ntok : 0;
}

/* Equalize the pair of a line: 1. */
static int equalize_line(vectors *v, char *line, const char *where, const double *g)
{
    long *a = NULL, *b = NULL;
    int n = 0;
    w2v_add_pair(v, line, where, &a, &b, &n);
    if (vec_equalize(v->data + (size_t)a[0] * v->dim, v->data + (size_t)b[0] * v->dim, g, v->dim) < 0)
        die("out of memory");
    free(a);
    free(b);
    return 1;
}

/* Each line of path (blank and '#' lines skipped) through fn: the sum of
 * what it returns. */
static int debias_file(const char *path, vectors *v, const double *g,
                       int (*fn)(vectors *v, char *line, const char *where, const double *g))
{
    text_lines t;
    int done = 0;
    cli_read_lines(path, W2V_LINE_MAX, &t);
    for (int i = 0; i < t.n; i++) {
        char where[600];
        if (w2v_skip_line(t.line[i]))
            continue;
        snprintf(where, sizeof where, "'%s': line %d", cli_display_name(path), i + 1);
        done += fn(v, t.line[i], where, g);
    }
    text_lines_free(&t);
    return done;
}

int w2v_debias(void *opts, int argc, char **argv)
{
    options *o = opts;
    if (argc > 0)
        die_usage("debias takes no words; list them in --neutralize and --equalize files");
    if (!o->output)
        die_usage("debias needs -o OUT ('-' for standard output)");
    if (!o->neutralize && !o->equalize)
        die_usage("debias needs --neutralize FILE, --equalize FILE or both");
    vectors v;
    w2v_open(o, &v);
    vec_format fmt = w2v_output_format(o, v.format);
    if (vectors_own_data(&v) < 0)
        die("out of memory");
    double *g = w2v_bias_axis(o, &v);
    int neutralized = o->neutralize ? debias_file(o->neutralize, &v, g, neutralize_line) : 0;
    int equalized = o->equalize ? debias_file(o->equalize, &v, g, equalize_line) : 0;
    write_vectors(o, &v, fmt, NULL);
    if (!o->quiet)
        inform("neutralized %d word(s), equalized %d pair(s); wrote %ld vectors (%s) to '%s'",
               neutralized, equalized, v.n, vec_format_name(fmt), w2v_output_name(o->output));
    if (o->json) {
        cJSON *j = written(o, &v, fmt);
        cJSON_AddNumberToObject(j, "neutralized", neutralized);
        cJSON_AddNumberToObject(j, "equalized", equalized);
        cli_print_json(j);
    }
    free(g);
    vectors_free(&v);
    return 0;
}

/* ---- convert, info ---- */

/* convert and info name their file as an operand or with -v. */
static void file_operand(options *o, int argc, char **argv)
{
    if (argc > 1)
        die_usage("%s takes one vectors file", o->action);
    if (argc == 1)
        o->vectors = argv[0];
}

int w2v_convert(void *opts, int argc, char **argv)
{
    options *o = opts;
    file_operand(o, argc, argv);
    if (!o->output)
        die_usage("convert needs -o OUT");
    vectors v;
    w2v_open(o, &v);
    vec_format fmt = w2v_output_format(o, v.format);
    if (o->int8 && fmt != VEC_SAFETENSORS)
        die_usage("--int8 is a form of safetensors, not of %s", vec_format_name(fmt));
    /* how the vectors were made goes along, and this conversion */
    static const char *const made[] = {"train.command", "train.program", "train.seed", "train.data"};
    const char *meta[2 * 5 + 1];
    int k = 0;
    for (int i = 0; i < 4 && v.format == VEC_SAFETENSORS; i++) {
        const char *value = model_in_meta(&v.file, made[i]);
        if (value) {
            meta[k++] = made[i];
            meta[k++] = value;
        }
    }
    meta[k++] = "convert.command";
    meta[k++] = cli_command_line();
    meta[k] = NULL;
    vec_save how = {.int8 = o->int8, .meta = meta};
    write_vectors(o, &v, fmt, &how);
    if (!o->quiet)
        inform("wrote %ld vectors of %d (%s%s) to '%s'", v.n, v.dim, vec_format_name(fmt),
               o->int8 ? ", 8-bit rows" : "", w2v_output_name(o->output));
    if (o->json)
        cli_print_json(written(o, &v, fmt));
    vectors_free(&v);
    return 0;
}

int w2v_info(void *opts, int argc, char **argv)
{
    options *o = opts;
    file_operand(o, argc, argv);
    vectors v;
    w2v_open(o, &v);
    model_in m;
    char err[ERR_MAX], summary[256];
    /* the safetensors form: its CRC checked, and how it was made */
    if (v.format == VEC_SAFETENSORS && model_in_open(&m, o->vectors, "vectors", err) < 0)
        die("%s", err);
    snprintf(summary, sizeof summary, "%ld words, %d dimensions, %s%s", v.n, v.dim, vec_format_name(v.format),
             v.int8 ? " (8-bit rows)" : "");
    cJSON *j = cJSON_CreateObject();
    cJSON_AddNumberToObject(j, "words", (double)v.n);
    cJSON_AddNumberToObject(j, "dim", v.dim);
    cJSON_AddStringToObject(j, "format", vec_format_name(v.format));
    if (v.format == VEC_SAFETENSORS)
        cJSON_AddBoolToObject(j, "int8", v.int8);
    cJSON_AddNumberToObject(j, "duplicates", (double)v.duplicates);
    cli_info(o->vectors, summary, v.format == VEC_SAFETENSORS ? &m : NULL, j, 0, o->json);
    if (v.format == VEC_SAFETENSORS)
        model_in_close(&m);
    vectors_free(&v);
    return 0;
}
