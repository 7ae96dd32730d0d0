/* dinos sample and score — new names, and the nats of given ones; see
 * dinos.h. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dinos.h"

/* ---- sample ---- */

static int compare_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The training list as a sorted array for --novel (points into names). */
static char **known_names(char *names, int *count)
{
    int n = *names ? 1 : 0;
    for (char *p = names; *p; p++)
        n += *p == '\n';
    char **list = malloc((n + 1) * sizeof *list);
    if (!list)
        die("out of memory");
    int k = 0;
    for (char *tok = strtok(names, "\n"); tok; tok = strtok(NULL, "\n"))
        list[k++] = tok;
    qsort(list, k, sizeof *list, compare_str);
    *count = k;
    return list;
}

int dinos_sample(void *opts, int argc, char **argv)
{
    options *o = opts;
    if (argc)
        die_usage("'dinos sample' takes no file (the model is -m)");
    dinos_model d;
    dinos_load(&d, o->model);
    int max_len = (int)o->max_len, plen = 0;
    int *prefix = malloc((strlen(o->prefix ? o->prefix : "") + 1) * sizeof *prefix);
    int *ids = malloc((max_len + 1) * sizeof *ids);
    char *name = malloc((size_t)max_len * 4 + 1), *lowered = malloc((size_t)max_len * 4 + 1);
    if (!prefix || !ids || !name || !lowered)
        die("out of memory");
    if (o->prefix) {
        char *p = strdup(o->prefix);
        if (!d.keep_case)
            dinos_lower(p);
        size_t n = strlen(p);
        for (size_t j = 0; j < n;) {
            int cp, len = utf8_decode(p + j, n - j, &cp);
            int id = len > 0 ? vocab_id(&d.voc, cp) : -1;
            if (id < 1)
                die_usage("--prefix: the model never saw '%.*s'", len > 0 ? len : 1, p + j);
            prefix[plen++] = id;
            j += (size_t)len;
        }
        free(p);
        if (plen > max_len)
            die_usage("--prefix is longer than --max-len %d", max_len);
    }
    int nknown = 0;
    char **known = known_names(d.names, &nknown);
    if (charlm_reserve(&d.lm, max_len + 1, 1) < 0)
        die("out of memory");
    rng r;
    rng_seed(&r, o->seed);
    long printed = 0, tries = 0, max_tries = 1000 + 1000 * o->count;
    while (printed < o->count) {
        if (++tries > max_tries)
            die("found only %ld %snames in %ld tries", printed, o->novel ? "novel " : "", max_tries);
        int n = charlm_sample(&d.lm, &r, (float)o->temperature, prefix, plen, max_len, ids);
        if (n == 0)
            continue; /* an empty name is no name */
        dinos_format_name(&d.voc, ids, n, name);
        strcpy(lowered, name);
        if (!d.keep_case)
            dinos_lower(lowered);
        char *key = lowered;
        int novel = !bsearch(&key, known, nknown, sizeof *known, compare_str);
        if (o->novel && !novel)
            continue;
        if (o->json) {
            cJSON *j = cJSON_CreateObject();
            cJSON_AddStringToObject(j, "name", name);
            cJSON_AddBoolToObject(j, "novel", novel);
            cli_print_json(j);
        } else {
            puts(name);
        }
        printed++;
    }
    free(known);
    free(prefix);
    free(ids);
    free(name);
    free(lowered);
    dinos_unload(&d);
    return 0;
}

/* ---- score ---- */

#define SCORE_BATCH 64

static void print_score(const options *o, const char *name, double nats, int chars)
{
    if (o->json) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "name", name);
        if (isinf(nats)) {
            cJSON_AddNullToObject(j, "nats_per_char");
            cJSON_AddNullToObject(j, "nats");
        } else {
            cJSON_AddNumberToObject(j, "nats_per_char", nats / chars);
            cJSON_AddNumberToObject(j, "nats", nats);
        }
        cJSON_AddNumberToObject(j, "chars", chars);
        cli_print_json(j);
    } else if (isinf(nats)) {
        printf("%s\tinf\n", name);
    } else {
        printf("%s\t%.4f\n", name, nats / chars);
    }
}

/* Ids of a name; -1 (with a warning) when a character is unknown. */
static int encode_one(const dinos_model *d, const char *text, int lineno, int *ids)
{
    char *t = strdup(text);
    if (!t)
        die("out of memory");
    if (!d->keep_case)
        dinos_lower(t);
    size_t n = strlen(t);
    int k = 0;
    for (size_t j = 0; j < n;) {
        int cp, len = utf8_decode(t + j, n - j, &cp), id = vocab_id(&d->voc, cp);
        if (id < 1) {
            warn("line %d: '%.*s' is not in the model's vocabulary; scored inf", lineno, len, t + j);
            free(t);
            return -1;
        }
        ids[k++] = id;
        j += (size_t)len;
    }
    free(t);
    return k;
}

int dinos_score(void *opts, int argc, char **argv)
{
    options *o = opts;
    const char *path = dinos_operand(argc, argv);
    path = path ? path : "-";
    dinos_model d;
    dinos_load(&d, o->model);
    text_lines lines;
    cli_read_lines(path, NAME_MAX_BYTES, &lines);
    int *buf = malloc((size_t)SCORE_BATCH * (NAME_MAX_BYTES + 1) * sizeof *buf);
    if (!buf)
        die("out of memory");
    const int *ptr[SCORE_BATCH];
    int lens[SCORE_BATCH], row[SCORE_BATCH];
    for (int i = 0; i < lines.n; i += SCORE_BATCH) {
        int nb = lines.n - i < SCORE_BATCH ? lines.n - i : SCORE_BATCH, k = 0;
        for (int b = 0; b < nb; b++) {
            int *ids = buf + (size_t)k * (NAME_MAX_BYTES + 1);
            row[b] = -1;
            int n = encode_one(&d, lines.line[i + b], i + b + 1, ids);
            if (n < 0)
                continue;
            ptr[k] = ids;
            lens[k] = n;
            row[b] = k++;
        }
        /* The workspace grows to the longest name seen, not the limit. */
        int longest = 0;
        for (int j = 0; j < k; j++)
            if (lens[j] > longest)
                longest = lens[j];
        if (charlm_reserve(&d.lm, longest + 1, SCORE_BATCH) < 0)
            die("out of memory");
        int T = k ? charlm_batch(&d.lm, k, ptr, lens) : 0;
        if (k)
            charlm_forward(&d.lm, T, k, NULL);
        for (int b = 0; b < nb; b++) {
            int j = row[b];
            double nats = j < 0 ? INFINITY : charlm_name_nats(&d.lm, T, k, j);
            print_score(o, lines.line[i + b], nats, j < 0 ? 0 : lens[j] + 1);
        }
    }
    free(buf);
    text_lines_free(&lines);
    dinos_unload(&d);
    return 0;
}
