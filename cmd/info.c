/* info — what `seqtool CMD info` prints for every command: a model's
 * summary, how it was made, and its tensors; see cli.h. */
#include "cli.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

/* The train.* keys of cli_provenance, as info names them. */
static const struct {
    const char *key, *name;
} made[] = {
    {"train.command", "command"}, {"train.program", "program"},
    {"train.seed", "seed"}, {"train.data", "data"}, {"convert.command", "convert"},
};

/* A seed as a JSON number with every digit (a double would round those
 * above 2^53), or as a string when it is not a plain number. */
static void add_seed(cJSON *j, const char *text)
{
    size_t n = strlen(text);
    if (n > 0 && n < 21 && strspn(text, "0123456789") == n)
        cJSON_AddRawToObject(j, "seed", text);
    else
        cJSON_AddStringToObject(j, "seed", text);
}

static void provenance(const model_in *m, int model, cJSON *j)
{
    int recorded = model_in_meta(m, "train.command") != NULL;
    if (model && !recorded) {
        if (j)
            cJSON_AddNullToObject(j, "command");
        else
            puts("command (not recorded: made before seqtool recorded it)");
    }
    for (size_t k = 0; k < sizeof made / sizeof made[0]; k++) {
        const char *v = model_in_meta(m, made[k].key);
        if (!v)
            continue;
        if (!j)
            printf("%s %s\n", made[k].name, v);
        else if (strcmp(made[k].name, "seed") == 0)
            add_seed(j, v);
        else
            cJSON_AddStringToObject(j, made[k].name, v);
    }
}

/* A model combined from others (trigger combine) records how each was
 * made: combine.member1, combine.member2, ... */
static void members(const model_in *m, cJSON *j)
{
    cJSON *list = NULL;
    for (int k = 1;; k++) {
        char key[32];
        snprintf(key, sizeof key, "combine.member%d", k);
        const char *v = model_in_meta(m, key);
        if (!v)
            break;
        if (!j)
            printf("member %d %s\n", k, v);
        else if (list || (list = cJSON_AddArrayToObject(j, "members_made_by")))
            cJSON_AddItemToArray(list, cJSON_CreateString(v));
    }
}

/* A checkpoint (checkpoint.h) says how far its run got. */
static void checkpoint(const model_in *m, cJSON *j)
{
    const char *step = model_in_meta(m, "checkpoint.step"), *steps = model_in_meta(m, "checkpoint.steps");
    const char *unit = model_in_meta(m, "checkpoint.unit");
    if (!step || !steps || !unit)
        return;
    if (!j) {
        printf("checkpoint %s %s of %s (an unfinished run: the same command with --resume continues it)\n",
               unit, step, steps);
        return;
    }
    cJSON *c = cJSON_AddObjectToObject(j, "checkpoint");
    cJSON_AddNumberToObject(c, "step", strtod(step, NULL));
    cJSON_AddNumberToObject(c, "steps", strtod(steps, NULL));
    cJSON_AddStringToObject(c, "unit", unit);
}

static void tensors(const model_in *m, cJSON *j)
{
    cJSON *list = j ? cJSON_AddArrayToObject(j, "tensors") : NULL;
    const char *name, *dtype;
    long long shape[8];
    int ndim;
    for (int i = 0; (ndim = model_in_tensor_at(m, i, &name, &dtype, shape, 8)) >= 0; i++) {
        if (list) {
            cJSON *t = cJSON_CreateObject();
            cJSON_AddStringToObject(t, "name", name);
            cJSON_AddStringToObject(t, "dtype", dtype);
            cJSON *dims = cJSON_AddArrayToObject(t, "shape");
            for (int d = 0; d < ndim && d < 8; d++)
                cJSON_AddItemToArray(dims, cJSON_CreateNumber((double)shape[d]));
            cJSON_AddItemToArray(list, t);
            continue;
        }
        printf("tensor %s %s ", name, dtype);
        for (int d = 0; d < ndim && d < 8; d++)
            printf("%s%lld", d ? "x" : "", shape[d]);
        putchar('\n');
    }
}

void cli_info_score(const model_in *m, const char *key, const char *before, const char *after, char *summary,
                    size_t size, int *used, cJSON *fields, const char *name)
{
    const char *v = model_in_meta(m, key);
    if (!v)
        return;
    double x = strtod(v, NULL);
    if (*used >= 0 && (size_t)*used < size)
        *used += snprintf(summary + *used, size - (size_t)*used, "%s%.4f%s", before, x, after);
    cJSON_AddNumberToObject(fields, name, x);
}

void cli_info(const char *path, const char *summary, const model_in *m, cJSON *fields, int model, int json)
{
    if (!json) {
        printf("%s: %s\n", path, summary);
        if (m)
            provenance(m, model, NULL);
        if (m)
            members(m, NULL);
        if (m)
            checkpoint(m, NULL);
        if (m && model)
            tensors(m, NULL);
        cJSON_Delete(fields);
        return;
    }
    cJSON *j = cJSON_CreateObject();
    if (!j)
        die("out of memory");
    cJSON_AddStringToObject(j, "file", path);
    for (cJSON *f = fields ? fields->child : NULL; f; f = fields->child) {
        cJSON_DetachItemViaPointer(fields, f);
        cJSON_AddItemToObject(j, f->string, f);
    }
    cJSON_Delete(fields);
    if (m)
        provenance(m, model, j);
    if (m)
        members(m, j);
    if (m)
        checkpoint(m, j);
    if (m && model)
        tensors(m, j);
    cli_print_json(j);
}

const char *cli_info_operand(const char *action_default, int argc, char **argv)
{
    if (argc > 1)
        die_usage("info takes one model file");
    return argc ? argv[0] : action_default;
}
