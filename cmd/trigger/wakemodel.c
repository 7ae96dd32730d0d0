/* wakemodel — trigger model files; see wakemodel.h. */
#include "wakemodel.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "listen.h"

const char *wakemodel_front_name(spec_kind front)
{
    return front == SPEC_COURSE ? "course" : "logmel";
}

int wakemodel_front_parse(const char *s)
{
    return !s ? -1 : strcmp(s, "course") == 0 ? SPEC_COURSE : strcmp(s, "logmel") == 0 ? SPEC_LOGMEL : -1;
}

int wakemodel_put(const wakemodel *m, model_out *f)
{
    const wakenet *w = &m->net;
    int bad = model_out_meta(f, "trigger.word", m->word) < 0 || model_out_meta(f, "trigger.arch", w->arch) < 0 ||
              model_out_meta(f, "trigger.front", wakemodel_front_name(w->front)) < 0 ||
              model_out_metaf(f, "trigger.rate", "%d", listen_rate(w->front)) < 0 ||
              model_out_metaf(f, "trigger.threshold", "%.9g", m->threshold) < 0 ||
              model_out_metaf(f, "trigger.refractory", "%.9g", m->refractory) < 0 ||
              model_out_metaf(f, "trigger.label_seconds", "%.9g", m->label_seconds) < 0 ||
              model_out_params(f, &w->ps) < 0 || model_out_params(f, &w->stats) < 0;
    return bad ? -1 : 0;
}

int wakemodel_save(const wakemodel *m, const char *path, const char *const *meta, int n, char *err)
{
    model_out *f = model_out_new("trigger");
    int bad = !f || wakemodel_put(m, f) < 0;
    for (int i = 0; i < n && !bad; i++)
        bad = model_out_meta(f, meta[2 * i], meta[2 * i + 1]) < 0;
    if (bad) {
        model_out_free(f);
        return err_set(err, "out of memory");
    }
    int r = model_out_write(f, path, err);
    model_out_free(f);
    return r;
}

/* A metadata number in [lo, hi]. */
static int meta_number(const model_in *f, const char *key, double lo, double hi, double *out, char *err)
{
    const char *s = model_in_meta(f, key);
    char *end;
    if (!s)
        return err_set(err, "'%s': no %s in the model", f->path, key);
    *out = strtod(s, &end);
    if (end == s || *end || !(*out >= lo && *out <= hi))
        return err_set(err, "'%s': %s '%s' is not a number from %g to %g", f->path, key, s, lo, hi);
    return 0;
}

int wakemodel_from(wakemodel *m, const model_in *f, char *err)
{
    memset(m, 0, sizeof *m);
    const char *path = f->path;
    const char *word = model_in_meta(f, "trigger.word"), *arch = model_in_meta(f, "trigger.arch");
    int front = wakemodel_front_parse(model_in_meta(f, "trigger.front"));
    int bad = 0;
    if (!word || !arch || front < 0 || strlen(word) >= sizeof m->word)
        bad = err_set(err, "'%s': a trigger model without a word, a description or a front end", path);
    bad = bad || meta_number(f, "trigger.threshold", 0, 1, &m->threshold, err) < 0 ||
          meta_number(f, "trigger.refractory", 0, 3600, &m->refractory, err) < 0 ||
          meta_number(f, "trigger.label_seconds", 0, 60, &m->label_seconds, err) < 0;
    if (!bad) {
        strcpy(m->word, word);
        char why[ERR_MAX];
        if (wakenet_init_max(&m->net, arch, (spec_kind)front, f->data_size / sizeof(float), why) < 0) {
            bad = err_set(err, "'%s': %s", path, why);
        } else if (model_in_params(f, &m->net.ps, err) < 0 ||
                   model_in_params(f, &m->net.stats, err) < 0) {
            bad = 1;
            wakenet_free(&m->net);
        }
    }
    return bad ? -1 : 0;
}

int wakemodel_load(wakemodel *m, const char *path, char *err)
{
    model_in f;
    if (model_in_open(&f, path, "trigger", err) < 0) {
        memset(m, 0, sizeof *m);
        return -1;
    }
    int rc = wakemodel_from(m, &f, err);
    model_in_close(&f);
    return rc;
}

void wakemodel_free(wakemodel *m)
{
    wakenet_free(&m->net);
}
