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
    const wakenet *w = &m->net[0];
    int bad = model_out_meta(f, "trigger.word", m->word) < 0 || model_out_meta(f, "trigger.arch", w->arch) < 0 ||
              model_out_meta(f, "trigger.front", wakemodel_front_name(w->front)) < 0 ||
              model_out_metaf(f, "trigger.rate", "%d", listen_rate(w->front)) < 0 ||
              model_out_metaf(f, "trigger.threshold", "%.9g", m->threshold) < 0 ||
              model_out_metaf(f, "trigger.refractory", "%.9g", m->refractory) < 0 ||
              model_out_metaf(f, "trigger.label_seconds", "%.9g", m->label_seconds) < 0 ||
              (m->members > 1 && model_out_metaf(f, "trigger.members", "%d", m->members) < 0);
    for (int k = 0; k < m->members && !bad; k++)
        bad = model_out_params(f, &m->net[k].ps) < 0 || model_out_params(f, &m->net[k].stats) < 0;
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

/* The tensors of w, named as member `from` of a file names them ("mK."
 * in front for K > 0), renamed as member `to`.  0, or -1 when a name
 * would be too long. */
static int rename_member(wakenet *w, int from, int to)
{
    params *sets[] = {&w->ps, &w->stats};
    for (int s = 0; s < 2; s++)
        for (int i = 0; i < sets[s]->n; i++) {
            char *name = sets[s]->p[i].name, *bare = from > 0 ? strchr(name, '.') + 1 : name, out[PARAM_NAME_MAX];
            if (snprintf(out, sizeof out, to > 0 ? "m%d.%s" : "%.0d%s", to, bare) >= (int)sizeof out)
                return -1;
            strcpy(name, out);
        }
    return 0;
}

/* The networks of file f (description arch on front) as more members of
 * m.  0, or -1 with a message. */
static int add_members(wakemodel *m, const model_in *f, const char *arch, spec_kind front, char *err)
{
    double members = 1;
    if (model_in_meta(f, "trigger.members") &&
        meta_number(f, "trigger.members", 1, WAKENET_MEMBERS_MAX, &members, err) < 0)
        return -1;
    if (members != (int)members)
        return err_set(err, "'%s': trigger.members is not a whole number", f->path);
    if (m->members + (int)members > WAKENET_MEMBERS_MAX)
        return err_set(err, "an ensemble holds at most %d networks", WAKENET_MEMBERS_MAX);
    for (int k = 0; k < (int)members; k++) {
        char why[ERR_MAX];
        int slot = m->members, bad = 0;
        wakenet *w = &m->net[slot];
        if (wakenet_init_max(w, arch, front, f->data_size / sizeof(float), why) < 0)
            return err_set(err, "'%s': %s", f->path, why);
        if (rename_member(w, 0, k) < 0)
            bad = err_set(err, "'%s': a tensor name is too long for an ensemble", f->path);
        else if (model_in_params(f, &w->ps, err) < 0 || model_in_params(f, &w->stats, err) < 0)
            bad = 1;
        else if (rename_member(w, k, slot) < 0)
            bad = err_set(err, "a tensor name is too long for an ensemble of %d", slot + 1);
        if (bad) {
            wakenet_free(w);
            return -1;
        }
        m->members++;
    }
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
        bad = add_members(m, f, arch, (spec_kind)front, err) < 0;
    }
    if (bad)
        wakemodel_free(m);
    return bad ? -1 : 0;
}

int wakemodel_add(wakemodel *m, const char *path, char *err)
{
    model_in f;
    if (model_in_open(&f, path, "trigger", err) < 0)
        return -1;
    const char *word = model_in_meta(&f, "trigger.word"), *arch = model_in_meta(&f, "trigger.arch");
    int front = wakemodel_front_parse(model_in_meta(&f, "trigger.front")), rc = -1;
    const wakenet *w = &m->net[0];
    if (!word || !arch || front < 0)
        err_set(err, "'%s': a trigger model without a word, a description or a front end", path);
    else if (strcmp(word, m->word) != 0)
        err_set(err, "'%s' hears '%s', not '%s'", path, word, m->word);
    else if (strcmp(arch, w->arch) != 0 || front != (int)w->front)
        err_set(err, "'%s' is %s on %s, not %s on %s", path, arch, wakemodel_front_name((spec_kind)front), w->arch,
                wakemodel_front_name(w->front));
    else
        rc = add_members(m, &f, arch, (spec_kind)front, err);
    model_in_close(&f);
    return rc;
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
    for (int k = 0; k < m->members; k++)
        wakenet_free(&m->net[k]);
    m->members = 0;
}
