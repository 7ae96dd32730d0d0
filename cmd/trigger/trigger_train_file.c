/* trigger train's model file: the finished model, or a checkpoint of the
 * run, and --resume reading one back; see trigger_train.h. */
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"
#include "trigger_train.h"

/* The clip folders trained on, as the model records them, with the
 * mined negatives and the model started from. */
static char *describe_clips(const trigger_options *o, int argc, char **argv, int clips, const additions *x)
{
    size_t n = 96 + (o->negatives_dir ? strlen(o->negatives_dir) : 0) + (o->from ? strlen(o->from) : 0);
    for (int i = 0; i < argc; i++)
        n += strlen(argv[i]) + 1;
    char *s = malloc(n);
    if (!s)
        die("out of memory");
    size_t at = 0;
    for (int i = 0; i < argc; i++)
        at += (size_t)snprintf(s + at, n - at, "%s%s", i ? " " : "", argv[i]);
    at += (size_t)snprintf(s + at, n - at, " (%d clips)", clips);
    if (o->negatives_dir)
        at += (size_t)snprintf(s + at, n - at, ", negatives %s (%ld files in %d clips)", o->negatives_dir, x->cuts,
                               x->clips);
    if (o->from)
        snprintf(s + at, n - at, ", resumed from %s", o->from);
    return s;
}

/* The train.* keys of the model file. */
static int put_train_meta(const trainer *t, model_out *out)
{
    const trigger_options *o = t->o;
    int bad = model_out_metaf(out, "train.clips", "%d", t->ntrain) < 0 ||
              model_out_metaf(out, "train.held_out", "%d", t->nval) < 0 ||
              model_out_metaf(out, "train.epochs", "%d", t->epoch) < 0 ||
              model_out_metaf(out, "train.loss", "%.6g", t->loss) < 0 ||
              (t->nval && model_out_metaf(out, "train.held_out_loss", "%.6g", t->val) < 0) ||
              (o->from && model_out_meta(out, "train.resumed_from", o->from) < 0);
    if (o->negatives_dir)
        bad = bad || model_out_meta(out, "train.negatives", o->negatives_dir) < 0 ||
              model_out_metaf(out, "train.negative_files", "%ld", t->x.cuts) < 0 ||
              model_out_metaf(out, "train.negative_clips", "%d", t->x.clips) < 0;
    char *data = describe_clips(o, t->argc, t->argv, t->ntrain + t->nval - t->x.clips, &t->x);
    bad = bad || model_out_meta_pairs(out, cli_provenance(data, o->seed)) < 0;
    free(data);
    return bad ? -1 : 0;
}

/* The clips' features and targets, as they are in memory after
 * --negatives, in one CRC-32: --resume refuses other clips. */
static char *digest_clips(const trigger_clips *cs)
{
    uint32_t crc = crc32_update(0, cs->feat, (size_t)cs->n * cs->T * cs->bins * sizeof *cs->feat);
    crc = crc32_update(crc, cs->target, (size_t)cs->n * cs->ty * sizeof *cs->target);
    char *s = malloc(96);
    if (!s)
        die("out of memory");
    snprintf(s, 96, "%d clips of %d frames, CRC-32 %08x", cs->n, cs->T, (unsigned)crc);
    return s;
}

/* What --resume needs besides the model. */
static void put_run(model_out *out, trainer *t)
{
    if (!t->digest)
        t->digest = digest_clips(t->cs);
    ckpt_put_trainer(out, t->done, t->total, "step", &t->opt, &t->r);
    ckpt_put_string(out, "data", t->digest);
    ckpt_put_long(out, "epoch", t->epoch);
    ckpt_put_long(out, "next", t->next);
    ckpt_put_long(out, "seen", t->seen);
    ckpt_put_ints(out, "order", t->nval + t->ntrain, t->order);
    ckpt_put_double(out, "sum", t->sum);
    ckpt_put_double(out, "loss", t->loss);
    ckpt_put_double(out, "val", t->val);
    ckpt_put_double(out, "best_val", t->best_val);
    ckpt_put_double(out, "seconds", t->seconds);
    if (t->best)
        ckpt_put_floats(out, "best", (long)(t->m->net[0].ps.total + t->m->net[0].stats.total), t->best);
}

void trainer_save(trainer *t, int ck)
{
    char err[ERR_MAX];
    model_out *out = model_out_new("trigger");
    if (!out || wakemodel_put(t->m, out) < 0 || put_train_meta(t, out) < 0)
        die("out of memory");
    if (ck)
        put_run(out, t);
    if (model_out_write(out, t->o->output, err) < 0)
        die("%s", err);
    model_out_free(out);
}

/* The training part of a saved order must be the same clips as this
 * run's, and its held-out part the same. */
static void check_order(const trainer *t, const int *saved, const char *path)
{
    int n = t->nval + t->ntrain;
    char *train = calloc((size_t)n, 1);
    if (!train)
        die("out of memory");
    for (int i = t->nval; i < n; i++)
        train[t->order[i]] = 1;
    int bad = memcmp(saved, t->order, (size_t)t->nval * sizeof *saved) != 0;
    for (int i = t->nval; i < n && !bad; i++) {
        bad = saved[i] < 0 || saved[i] >= n || train[saved[i]] != 1;
        if (!bad)
            train[saved[i]] = 2;
    }
    free(train);
    if (bad)
        die("'%s': bad checkpoint.order", path);
}

void trainer_resume(trainer *t, model_in *f)
{
    t->done = ckpt_check(f, t->total);
    t->digest = digest_clips(t->cs);
    ckpt_same(f, "checkpoint.data", t->digest);
    ckpt_trainer(f, &t->opt, &t->r);
    t->epoch = (int)ckpt_long(f, "epoch", 0, t->o->epochs - 1);
    t->next = (int)ckpt_long(f, "next", 0, t->ntrain - 1);
    t->seen = (int)ckpt_long(f, "seen", 0, t->ntrain);
    int n = t->nval + t->ntrain, *saved = malloc((size_t)n * sizeof *saved);
    if (!saved)
        die("out of memory");
    ckpt_ints(f, "order", n, saved);
    check_order(t, saved, f->path);
    memcpy(t->order, saved, (size_t)n * sizeof *saved);
    free(saved);
    t->sum = ckpt_double(f, "sum");
    t->loss = ckpt_double(f, "loss");
    t->val = ckpt_double(f, "val");
    t->best_val = ckpt_double(f, "best_val");
    t->seconds = ckpt_double(f, "seconds");
    if (t->best)
        ckpt_floats(f, "best", (long)(t->m->net[0].ps.total + t->m->net[0].stats.total), t->best);
}
