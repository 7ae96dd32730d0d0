/* trigger combine — an ensemble: models of one word and one network,
 * trained apart (other seeds, other data), in one file whose score at each
 * step is the mean of theirs.  Models trained from different seeds differ
 * most on voices none of them heard, and the mean of their scores misses
 * fewer of those words at the same false accepts than one of them does
 * (datasets/trigger/README.md has the numbers). */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trigger.h"
#include "wakemodel.h"

/* "A (N bytes, CRC-32 X), B (...)" for train.data; the caller frees it. */
static char *describe_members(int argc, char **argv)
{
    size_t n = 1;
    char **each = malloc((size_t)argc * sizeof *each);
    if (!each)
        die("out of memory");
    for (int i = 0; i < argc; i++)
        n += strlen(each[i] = cli_describe_file(argv[i])) + 2;
    char *s = malloc(n);
    if (!s)
        die("out of memory");
    s[0] = 0;
    for (int i = 0; i < argc; i++) {
        strcat(strcat(s, i ? ", " : ""), each[i]);
        free(each[i]);
    }
    free(each);
    return s;
}

/* combine.memberK: how member K's file was made (its train.command). */
static int put_member_commands(model_out *out, int argc, char **argv, char *err)
{
    for (int i = 0, k = 0; i < argc; i++) {
        model_in f;
        if (model_in_open(&f, argv[i], "trigger", err) < 0)
            return -1;
        const char *members = model_in_meta(&f, "trigger.members"), *command = model_in_meta(&f, "train.command");
        int n = members ? atoi(members) : 1, bad = 0;
        for (int j = 0; j < n && !bad; j++, k++) {
            char key[32];
            snprintf(key, sizeof key, "combine.member%d", k + 1);
            bad = model_out_meta(out, key, command ? command : "(not recorded)") < 0;
        }
        model_in_close(&f);
        if (bad)
            return err_set(err, "out of memory");
    }
    return 0;
}

int trigger_combine(void *opts, int argc, char **argv)
{
    trigger_options *o = opts;
    if (argc < 2)
        die_usage("combine wants two or more models of one word and one network");
    if (!o->output)
        die_usage("combine wants -o MODEL, the file to write");
    char err[ERR_MAX];
    wakemodel m;
    if (wakemodel_load(&m, argv[0], err) < 0)
        die("%s", err);
    for (int i = 1; i < argc; i++)
        if (wakemodel_add(&m, argv[i], err) < 0)
            die("%s", err);
    if (o->threshold >= 0)
        m.threshold = o->threshold;
    if (o->refractory >= 0)
        m.refractory = o->refractory;
    model_out *out = model_out_new("trigger");
    char *data = describe_members(argc, argv);
    if (!out || wakemodel_put(&m, out) < 0 || model_out_meta_pairs(out, cli_provenance(data, o->seed)) < 0)
        die("out of memory");
    if (put_member_commands(out, argc, argv, err) < 0 || model_out_write(out, o->output, err) < 0)
        die("%s", err);
    if (o->json) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "model", o->output);
        cJSON_AddNumberToObject(j, "members", m.members);
        cJSON_AddNumberToObject(j, "threshold", m.threshold);
        cJSON_AddNumberToObject(j, "refractory", m.refractory);
        cli_print_json(j);
    } else {
        printf("model %s\nmembers %d\nthreshold %g\nrefractory %g\n", o->output, m.members, m.threshold,
               m.refractory);
    }
    free(data);
    model_out_free(out);
    wakemodel_free(&m);
    return 0;
}
