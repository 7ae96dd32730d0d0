/* checkpoint — saving and resuming training runs; see checkpoint.h. */
#include "checkpoint.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define KEY_MAX 128

void ckpt_option(ckpt_options *c, int key, const char *arg)
{
    if (key == CLI_CHECKPOINT_EVERY)
        c->every = cli_long("--checkpoint-every", arg, 0, 1000000000);
    else if (key == CLI_RESUME)
        c->resume = 1;
}

int ckpt_due(const ckpt_options *c, long done, int finished, int stop)
{
    return !finished && (stop || (c->every > 0 && done % c->every == 0));
}

/* "checkpoint.NAME" in buf. */
static const char *key_of(char *buf, const char *name)
{
    if (snprintf(buf, KEY_MAX, "checkpoint.%s", name) >= KEY_MAX)
        die("checkpoint key too long: %s", name);
    return buf;
}

/* ---- writing ---- */

static void put(model_out *m, const char *name, const char *value)
{
    char key[KEY_MAX];
    if (model_out_meta(m, key_of(key, name), value) < 0)
        die("out of memory");
}

void ckpt_put_string(model_out *m, const char *name, const char *v) { put(m, name, v); }

void ckpt_put_long(model_out *m, const char *name, long v)
{
    char s[32];
    snprintf(s, sizeof s, "%ld", v);
    put(m, name, s);
}

void ckpt_put_double(model_out *m, const char *name, double v)
{
    char s[40];
    snprintf(s, sizeof s, "%.17g", v);
    put(m, name, s);
}

void ckpt_put_run(model_out *m, long done, long total, const char *unit)
{
    ckpt_put_long(m, "step", done);
    ckpt_put_long(m, "steps", total);
    put(m, "unit", unit);
    put(m, "settings", cli_settings());
}

void ckpt_put_rng(model_out *m, const char *name, const rng *r)
{
    char key[KEY_MAX], hex[65];
    snprintf(key, sizeof key, "rng.%s", name);
    rng_get_state(r, hex);
    put(m, key, hex);
}

static void put_tensor(model_out *m, const char *name, const char *dtype, long n, const void *a)
{
    char key[KEY_MAX];
    int shape[1] = {(int)n};
    if (n < 0 || n > 0x7fffffffL)
        die("checkpoint tensor %s: %ld elements are too many", name, n);
    if (model_out_tensor_typed(m, key_of(key, name), dtype, 1, shape, a) < 0)
        die("out of memory");
}

void ckpt_put_ints(model_out *m, const char *name, long n, const int *a) { put_tensor(m, name, "I32", n, a); }

void ckpt_put_floats(model_out *m, const char *name, long n, const float *a)
{
    put_tensor(m, name, "F32", n, a);
}

void ckpt_put_optim_state(model_out *m, const optimizer *o)
{
    int shape[1] = {(int)o->n};
    if ((o->m && model_out_tensor(m, "optim.m", 1, shape, o->m) < 0) ||
        (o->v && model_out_tensor(m, "optim.v", 1, shape, o->v) < 0))
        die("out of memory");
}

void ckpt_put_trainer(model_out *m, long done, long total, const char *unit,
                      const optimizer *o, const rng *r)
{
    ckpt_put_run(m, done, total, unit);
    ckpt_put_optim_state(m, o);
    ckpt_put_long(m, "optim_step", o->step);
    ckpt_put_rng(m, "train", r);
}

/* ---- reading ---- */

static const char *get(const model_in *f, const char *name)
{
    char key[KEY_MAX];
    const char *v = model_in_meta(f, key_of(key, name));
    if (!v)
        die("'%s': not a checkpoint of this seqtool: no %s", f->path, key);
    return v;
}

int ckpt_is_run(const model_in *f) { return model_in_meta(f, "checkpoint.step") != NULL; }

long ckpt_check(const model_in *f, long total)
{
    if (!ckpt_is_run(f))
        die("'%s' holds a finished model, not a run to resume (it has no checkpoint)", f->path);
    const char *was = get(f, "settings");
    if (strcmp(was, cli_settings()) != 0)
        die("'%s' holds a run with other options; resume it with the same: '%s' (this one has '%s')",
            f->path, was, cli_settings());
    long steps = ckpt_long(f, "steps", 0, 1L << 62);
    if (steps != total)
        die("'%s' holds a run of %ld %ss, not %ld", f->path, steps, get(f, "unit"), total);
    return ckpt_long(f, "step", 0, steps);
}

long ckpt_open(model_in *f, const char *path, const char *kind, long total)
{
    char err[ERR_MAX];
    if (model_in_open(f, path, kind, err) < 0)
        die("%s", err);
    return ckpt_check(f, total);
}

void ckpt_same(const model_in *f, const char *key, const char *value)
{
    const char *was = model_in_meta(f, key);
    if (!was || strcmp(was, value) != 0)
        die("'%s' holds a run on other data: %s was '%s', now '%s'", f->path, key, was ? was : "(none)",
            value);
}

long ckpt_long(const model_in *f, const char *name, long lo, long hi)
{
    char key[KEY_MAX], err[ERR_MAX];
    long v;
    if (model_in_meta_int(f, key_of(key, name), lo, hi, &v, err) < 0)
        die("%s", err);
    return v;
}

double ckpt_double(const model_in *f, const char *name)
{
    const char *s = get(f, name);
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end)
        die("'%s': bad metadata 'checkpoint.%s'", f->path, name);
    return v;
}

void ckpt_rng(const model_in *f, const char *name, rng *r)
{
    char key[KEY_MAX];
    snprintf(key, sizeof key, "rng.%s", name);
    if (rng_set_state(r, get(f, key)) < 0)
        die("'%s': bad metadata 'checkpoint.%s'", f->path, key);
}

static void get_tensor(const model_in *f, const char *name, const char *dtype, long n, void *a)
{
    char key[KEY_MAX], err[ERR_MAX];
    int shape[1] = {(int)n};
    if (model_in_tensor_typed(f, key_of(key, name), dtype, 1, shape, a, err) < 0)
        die("%s", err);
}

void ckpt_ints(const model_in *f, const char *name, long n, int *a) { get_tensor(f, name, "I32", n, a); }

void ckpt_floats(const model_in *f, const char *name, long n, float *a)
{
    get_tensor(f, name, "F32", n, a);
}

void ckpt_optim_state(const model_in *f, optimizer *o)
{
    char err[ERR_MAX];
    int shape[1] = {(int)o->n};
    if ((o->m && model_in_tensor(f, "optim.m", 1, shape, o->m, err) < 0) ||
        (o->v && model_in_tensor(f, "optim.v", 1, shape, o->v, err) < 0))
        die("%s", err);
}

void ckpt_trainer(const model_in *f, optimizer *o, rng *r)
{
    ckpt_optim_state(f, o);
    o->step = ckpt_long(f, "optim_step", 0, 1L << 62);
    ckpt_rng(f, "train", r);
}

int ckpt_end(const char *path, const char *unit, long done, long total)
{
    if (done >= total)
        return 0;
    warn("interrupted after %s %ld of %ld; the run so far is in '%s' (the same command with --resume "
         "continues it)", unit, done, total, path);
    return 130;
}
