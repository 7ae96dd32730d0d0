/* melody_file — the jazz melody model's file: its configuration and
 * class tables in the metadata, every tensor; see melody.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "melody.h"

/* ---- model files ---- */

/* The class tables as metadata strings: a comma-separated list. */
static void table_list(char *buf, size_t size, int n, int (*steps)(int), const char *const *names)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < n && used < size; i++) {
        int w = names ? snprintf(buf + used, size - used, "%s%s", i ? "," : "", names[i])
                      : snprintf(buf + used, size - used, "%s%d", i ? "," : "", steps(i));
        used += w > 0 ? (size_t)w : 0;
    }
}

#define TABLE_MAX 512

typedef struct {
    const char *key;
    char value[TABLE_MAX];
} table_meta;

enum { TABLES = 6 };

/* The tables this build's classes come from, as jazz.* metadata. */
static void tables(table_meta t[TABLES])
{
    t[0] = (table_meta){"jazz.grid", ""};
    snprintf(t[0].value, TABLE_MAX, "%d", JAZZ_GRID);
    t[1] = (table_meta){"jazz.rest_steps", ""};
    table_list(t[1].value, TABLE_MAX, JAZZ_REST_CLASSES, jazz_rest_steps, NULL);
    t[2] = (table_meta){"jazz.dur_steps", ""};
    table_list(t[2].value, TABLE_MAX, JAZZ_DUR_CLASSES, jazz_dur_steps, NULL);
    t[3] = (table_meta){"jazz.pitches", ""};
    snprintf(t[3].value, TABLE_MAX, "%d", JAZZ_PITCHES);
    t[4] = (table_meta){"jazz.positions", ""};
    snprintf(t[4].value, TABLE_MAX, "%d", JAZZ_POS_CLASSES);
    t[5] = (table_meta){"jazz.qualities", ""};
    table_list(t[5].value, TABLE_MAX, JAZZ_QUALITIES, NULL, jazz_quality_names);
}

int jazz_model_save_to(const jazz_model *m, model_out *out)
{
    const jazz_config *c = &m->cfg;
    table_meta t[TABLES];
    tables(t);
    int bad = model_out_metaf(out, "jazz.hidden", "%d", c->hidden) < 0;
    bad = bad || model_out_metaf(out, "jazz.layers", "%d", c->layers) < 0;
    bad = bad || model_out_metaf(out, "jazz.emb", "%d,%d,%d,%d,%d,%d", c->emb[0], c->emb[1],
                                 c->emb[2], c->emb[3], c->emb[4], c->emb[5]) < 0;
    bad = bad || model_out_metaf(out, "jazz.dropout", "%.9g", (double)c->dropout) < 0;
    bad = bad || model_out_metaf(out, "jazz.chord_tones", "%d", c->chord_tones) < 0;
    for (int i = 0; i < TABLES; i++)
        bad = bad || model_out_meta(out, t[i].key, t[i].value) < 0;
    bad = bad || model_out_params(out, &m->ps) < 0;
    return bad ? -1 : 0;
}

int jazz_model_load(jazz_model *m, const model_in *f, char *err)
{
    jazz_config c;
    long hidden, layers, tones;
    memset(m, 0, sizeof *m);
    table_meta t[TABLES];
    tables(t);
    for (int i = 0; i < TABLES; i++) {
        const char *v = model_in_meta(f, t[i].key);
        if (!v || strcmp(v, t[i].value) != 0)
            return err_set(err, "'%s': made with other class tables than this seqtool's (%s)",
                           f->path, t[i].key);
    }
    if (model_in_meta_int(f, "jazz.hidden", 1, 8192, &hidden, err) < 0 ||
        model_in_meta_int(f, "jazz.layers", 1, JAZZ_MAX_LAYERS, &layers, err) < 0 ||
        model_in_meta_int(f, "jazz.chord_tones", 0, 1, &tones, err) < 0 ||
        model_in_fits(f, 4 * (size_t)layers * (size_t)hidden * (size_t)hidden, err) < 0)
        return -1;
    const char *emb = model_in_meta(f, "jazz.emb"), *drop = model_in_meta(f, "jazz.dropout");
    char end;
    if (!emb || !drop ||
        sscanf(emb, "%d,%d,%d,%d,%d,%d%c", &c.emb[0], &c.emb[1], &c.emb[2], &c.emb[3],
               &c.emb[4], &c.emb[5], &end) != 6 ||
        sscanf(drop, "%f%c", &c.dropout, &end) != 1)
        return err_set(err, "'%s': bad or missing metadata (jazz.emb, jazz.dropout)", f->path);
    c.hidden = (int)hidden;
    c.layers = (int)layers;
    c.chord_tones = (int)tones;
    char why[ERR_MAX];
    if (jazz_model_init(m, &c, why) < 0)
        return err_set(err, "'%s': %s", f->path, why);
    if (model_in_params(f, &m->ps, err) < 0) {
        jazz_model_free(m);
        return -1;
    }
    return 0;
}

int jazz_model_open(jazz_model *m, const char *path, char *err)
{
    model_in f;
    memset(m, 0, sizeof *m);
    if (model_in_open(&f, path, "jazz", err) < 0)
        return -1;
    int rc = jazz_model_load(m, &f, err);
    model_in_close(&f);
    return rc;
}
