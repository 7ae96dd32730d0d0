/* dinos train — learning names; see dinos.h. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"
#include "dinos.h"
#include "optim.h"

/* The training state that --resume picks up. */
typedef struct {
    long step;        /* optimizer steps so far */
    double loss;      /* smoothed loss */
    double val_nats;  /* held-out nats/char, NAN when none */
    long chars;
} train_state;

/* Where a run stands: what a checkpoint holds besides the model. */
typedef struct {
    long it, iters;          /* steps done, of the run's */
    int n, nval, ntrain;     /* names; the first nval of order held out */
    int *order;              /* the split, then the training order */
    long pos;                /* the next name of the training order */
    long chars;              /* characters trained on in this run */
    float *best;             /* the best weights so far (names held out) */
    double best_val, last_val;
    rng r, sample_rng;       /* training (order, dropout); samples shown */
    double seconds;
} run_state;

/* The states a run with --carry carries from batch to batch, each
 * layer's h (and c, for an LSTM) as checkpoint.carry_h.L (carry_c.L):
 * written to out, or read back from in. */
static void carried_states(const dinos_model *d, model_out *out, const model_in *in)
{
    long BH = (long)d->lm.B * d->lm.H;
    for (int l = 0; d->lm.carry && l < d->lm.L; l++) {
        float *s[2] = {d->lm.state_h[l], d->lm.kind == CELL_LSTM ? d->lm.state_c[l] : NULL};
        for (int k = 0; k < 2 && s[k]; k++) {
            char name[32];
            snprintf(name, sizeof name, "carry_%c.%d", "hc"[k], l);
            if (out)
                ckpt_put_floats(out, name, BH, s[k]);
            else
                ckpt_floats(in, name, BH, s[k]);
        }
    }
}

/* What --resume needs besides the model: the optimizer, the generators,
 * the order and position, the best weights and the carried state. */
static void put_run(model_out *m, const dinos_model *d, const optimizer *opt, const run_state *ru,
                    const train_state *st)
{
    ckpt_put_trainer(m, ru->it, ru->iters, "step", opt, &ru->r);
    ckpt_put_rng(m, "sample", &ru->sample_rng);
    ckpt_put_long(m, "pos", ru->pos);
    ckpt_put_long(m, "chars", ru->chars);
    ckpt_put_double(m, "seconds", ru->seconds);
    ckpt_put_double(m, "loss", st->loss);
    ckpt_put_double(m, "best_val", ru->best_val);
    ckpt_put_double(m, "last_val", ru->last_val);
    ckpt_put_ints(m, "order", ru->n, ru->order);
    if (ru->best)
        ckpt_put_floats(m, "best", (long)d->lm.ps.total, ru->best);
    carried_states(d, m, NULL);
}

/* The model file; with ru, a checkpoint of the run (else the finished
 * model, with the optimizer's state for a later --resume). */
static void model_save(const dinos_model *d, const optimizer *opt, const train_state *st,
                       const options *o, const char *names, const char *data, const run_state *ru)
{
    char err[ERR_MAX];
    model_out *m = model_out_new("dinos");
    int bad = !m || charlm_save_to(&d->lm, &d->voc, m) < 0;
    bad = bad || model_out_metaf(m, "dinos.keep_case", "%d", d->keep_case) < 0;
    bad = bad || model_out_meta(m, "dinos.names", names) < 0;
    bad = bad || model_out_meta(m, "train.optim", optim_kind_name(opt->kind)) < 0;
    bad = bad || model_out_metaf(m, "train.lr", "%.9g", opt->lr) < 0;
    bad = bad || model_out_metaf(m, "train.step", "%ld", st->step) < 0;
    bad = bad || model_out_metaf(m, "train.loss", "%.9g", st->loss) < 0;
    bad = bad || model_out_metaf(m, "train.chars", "%ld", st->chars) < 0;
    bad = bad || model_out_metaf(m, "train.batch", "%d", o->batch) < 0;
    bad = bad || model_out_metaf(m, "train.dropout", "%.9g", o->dropout) < 0;
    bad = bad || model_out_meta_pairs(m, cli_provenance(data, o->seed)) < 0;
    if (!isnan(st->val_nats))
        bad = bad || model_out_metaf(m, "train.val_nats_per_char", "%.9g", st->val_nats) < 0;
    if (bad)
        die("out of memory");
    if (ru)
        put_run(m, d, opt, ru, st);
    else
        ckpt_put_optim_state(m, opt);
    if (model_out_write(m, o->model, err) < 0)
        die("%s", err);
    model_out_free(m);
}

static void build_vocab(const nameset *s, vocab *v)
{
    memset(v, 0, sizeof *v);
    vocab_add(v, '\n');
    for (int i = 0; i < s->n; i++) {
        const char *t = s->text[i];
        size_t n = strlen(t);
        for (size_t j = 0; j < n;) {
            int cp, len = utf8_decode(t + j, n - j, &cp);
            if (vocab_add(v, cp) < 0)
                die("more than %d distinct characters in the names", VOCAB_MAX - 1);
            j += (size_t)len;
        }
    }
}

static void print_samples(dinos_model *d, rng *r, int count, progress *pr)
{
    int ids[51];
    char name[51 * 4 + 1];
    for (int i = 0; i < count; i++) {
        int n = charlm_sample(&d->lm, r, 1.0f, NULL, 0, 50, ids);
        dinos_format_name(&d->voc, ids, n, name);
        progress_log(pr, "  %s", name);
    }
}

/* ---- train ---- */

/* Held-out nats per character (END included) of the names idx[0..n). */
static double eval_nats(charlm *lm, const nameset *s, const int *idx, int n, int B)
{
    const int **ptr = malloc(B * sizeof *ptr);
    int *lens = malloc(B * sizeof *lens);
    double nats = 0;
    long chars = 0;
    if (!ptr || !lens)
        die("out of memory");
    for (int i = 0; i < n; i += B) {
        int nb = n - i < B ? n - i : B;
        for (int b = 0; b < nb; b++) {
            ptr[b] = s->ids[idx[i + b]];
            lens[b] = s->len[idx[i + b]];
            chars += lens[b] + 1;
        }
        int T = charlm_batch(lm, nb, ptr, lens);
        charlm_forward(lm, T, nb, NULL);
        for (int b = 0; b < nb; b++)
            nats += charlm_name_nats(lm, T, nb, b);
    }
    free(ptr);
    free(lens);
    return nats / chars;
}

/* --resume of a finished model: its optimizer state when it matches,
 * its step count, characters and smoothed loss; the rest is new. */
static void resume_state(const dinos_model *d, optimizer *opt, train_state *st)
{
    char err[ERR_MAX];
    const model_in *f = &d->file;
    const char *kind = model_in_meta(f, "train.optim");
    long step = 0;
    if (model_in_meta_int(f, "train.step", 0, 1L << 62, &step, err) == 0)
        st->step = step;
    long chars = 0;
    if (model_in_meta_int(f, "train.chars", 0, 1L << 62, &chars, err) == 0)
        st->chars = chars;
    const char *loss = model_in_meta(f, "train.loss");
    if (loss)
        st->loss = strtod(loss, NULL);
    if (!kind || strcmp(kind, optim_kind_name(opt->kind)) != 0) {
        warn("'%s' was trained with %s; %s starts with fresh state", f->path,
             kind ? kind : "an unknown optimizer", optim_kind_name(opt->kind));
        return;
    }
    opt->step = st->step;
    ckpt_optim_state(f, opt);
}

/* --resume of a checkpoint: the run exactly where it was saved. */
static void resume_run(dinos_model *d, optimizer *opt, run_state *ru, train_state *st, const char *data)
{
    char err[ERR_MAX];
    const model_in *f = &d->file;
    ru->it = ckpt_check(f, ru->iters);
    ckpt_same(f, "train.data", data);
    ckpt_trainer(f, opt, &ru->r);
    ckpt_rng(f, "sample", &ru->sample_rng);
    ru->pos = ckpt_long(f, "pos", 0, ru->ntrain - 1);
    ru->chars = ckpt_long(f, "chars", 0, 1L << 62);
    ru->seconds = ckpt_double(f, "seconds");
    st->loss = ckpt_double(f, "loss");
    ru->best_val = ckpt_double(f, "best_val");
    ru->last_val = ckpt_double(f, "last_val");
    if (model_in_meta_int(f, "train.step", 0, 1L << 62, &st->step, err) < 0 ||
        model_in_meta_int(f, "train.chars", ru->chars, 1L << 62, &st->chars, err) < 0)
        die("%s", err);
    st->chars -= ru->chars; /* the file counts this run's too */
    ckpt_ints(f, "order", ru->n, ru->order);
    for (int i = 0; i < ru->n; i++)
        if (ru->order[i] < 0 || ru->order[i] >= ru->n)
            die("'%s': bad checkpoint.order", f->path);
    if (ru->best)
        ckpt_floats(f, "best", (long)d->lm.ps.total, ru->best);
    carried_states(d, NULL, f);
}

static char *join_names(const nameset *s)
{
    size_t total = 1;
    for (int i = 0; i < s->n; i++)
        total += strlen(s->text[i]) + 1;
    char *out = malloc(total), *p = out;
    if (!out)
        die("out of memory");
    for (int i = 0; i < s->n; i++)
        p += sprintf(p, i ? "\n%s" : "%s", s->text[i]);
    *p = 0;
    return out;
}

static void print_train_summary(const options *o, long iters, double epochs,
                                const train_state *st, long chars, double seconds)
{
    double rate = seconds > 0 ? chars / seconds : 0;
    if (o->json) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "model", o->model);
        cJSON_AddNumberToObject(j, "iterations", (double)iters);
        cJSON_AddNumberToObject(j, "epochs", epochs);
        cJSON_AddNumberToObject(j, "loss", st->loss);
        if (isnan(st->val_nats))
            cJSON_AddNullToObject(j, "val_nats_per_char");
        else
            cJSON_AddNumberToObject(j, "val_nats_per_char", st->val_nats);
        cJSON_AddNumberToObject(j, "chars", (double)chars);
        cJSON_AddNumberToObject(j, "seconds", seconds);
        cJSON_AddNumberToObject(j, "chars_per_s", rate);
        cli_print_json(j);
        return;
    }
    printf("model %s\niterations %ld\nepochs %.2f\nloss %.4f\n", o->model, iters,
           epochs, st->loss);
    if (!isnan(st->val_nats))
        printf("val_nats_per_char %.4f\n", st->val_nats);
    printf("chars %ld\nseconds %.3f\nchars_per_s %.0f\n", chars, seconds, rate);
}

/* The names and the model: a new one, or MODEL's for --resume. */
static void setup(const options *o, const char *path, dinos_model *d, nameset *names, rng *r)
{
    if (o->ckpt.resume) {
        dinos_load(d, o->model);
        dinos_read_names(path, d->keep_case, names);
        dinos_encode_names(names, &d->voc, path);
        return;
    }
    dinos_read_names(path, o->keep_case, names);
    build_vocab(names, &d->voc);
    dinos_encode_names(names, &d->voc, path);
    d->keep_case = o->keep_case;
    if (charlm_init(&d->lm, o->cell, d->voc.n, o->hidden, o->layers) < 0)
        die("out of memory");
    charlm_init_weights(&d->lm, r, o->init_scale);
}

/* Split: a shuffled order, the first nval names held out.  A stream of
 * its own, so that --resume holds out the same names. */
static void split(const options *o, const char *path, int n, run_state *ru)
{
    ru->n = n;
    if (!(ru->order = malloc(n * sizeof *ru->order)))
        die("out of memory");
    for (int i = 0; i < n; i++)
        ru->order[i] = i;
    rng split;
    rng_seed(&split, o->seed + 2);
    rng_shuffle_int(&split, ru->order, n);
    int nval = (int)(o->val * n + 0.5);
    if (o->val > 0 && nval == 0)
        nval = 1;
    if (n - nval < 1)
        die("'%s': too few names to hold out %.0f%% and still train", cli_display_name(path), o->val * 100);
    ru->nval = nval;
    ru->ntrain = n - nval;
}

/* One step on the next B names of the training order (shuffled again
 * after each pass); returns the nats. */
static double train_step(dinos_model *d, const nameset *names, run_state *ru, optimizer *opt,
                         const options *o, const int **ptr, int *lens)
{
    int B = o->batch, *train_idx = ru->order + ru->nval;
    for (int b = 0; b < B; b++) {
        int idx = train_idx[ru->pos];
        ptr[b] = names->ids[idx];
        lens[b] = names->len[idx];
        ru->chars += lens[b] + 1;
        if (++ru->pos == ru->ntrain) {
            ru->pos = 0;
            rng_shuffle_int(&ru->r, train_idx, ru->ntrain);
        }
    }
    int T = charlm_batch(&d->lm, B, ptr, lens);
    charlm_forward(&d->lm, T, B, &ru->r);
    params_zero_grad(&d->lm.ps);
    double nats = charlm_backward(&d->lm, T, B);
    if (o->clip > 0)
        clip_by_value(&d->lm.ps, (float)o->clip);
    if (o->clip_norm > 0)
        clip_by_global_norm(&d->lm.ps, (float)o->clip_norm);
    optim_step(opt, &d->lm.ps);
    return nats;
}

/* After step it (from 0): the held-out names at the end of a pass (the
 * best weights kept), samples every --sample-every steps, progress. */
static void after_step(dinos_model *d, const nameset *names, run_state *ru, const train_state *st,
                       const options *o, progress *pr, long it)
{
    long done = it + 1, B = o->batch;
    int epoch_end = (done * B) / ru->ntrain != (it * B) / ru->ntrain;
    if (ru->nval && (epoch_end || done == ru->iters)) {
        double v = eval_nats(&d->lm, names, ru->order, ru->nval, o->batch);
        if (v < ru->best_val) {
            ru->best_val = v;
            memcpy(ru->best, d->lm.ps.data, d->lm.ps.total * sizeof *ru->best);
        }
        ru->last_val = v;
    }
    if (o->sample_every && it % o->sample_every == 0) {
        progress_log(pr, "Iteration: %ld, Loss: %f", it, st->loss);
        print_samples(d, &ru->sample_rng, 7, pr);
    }
    char extra[96];
    if (isnan(ru->last_val))
        snprintf(extra, sizeof extra, "loss %.4f", st->loss);
    else
        snprintf(extra, sizeof extra, "loss %.4f, held-out %.4f nats/char", st->loss, ru->last_val);
    progress_update(pr, done, extra);
}

/* The steps from ru->it to the end, or to a stop (a checkpoint saved). */
static void train_loop(dinos_model *d, const nameset *names, run_state *ru, optimizer *opt,
                       train_state *st, const options *o, const char *joined, const char *data)
{
    int B = o->batch;
    const int **ptr = malloc(B * sizeof *ptr);
    int *lens = malloc(B * sizeof *lens);
    if (!ptr || !lens)
        die("out of memory");
    cli_catch_stop();
    progress pr;
    progress_start(&pr, ru->iters, "steps", o->quiet);
    progress_resume(&pr, ru->it);
    while (ru->it < ru->iters) {
        double t0 = cli_now();
        double nats = train_step(d, names, ru, opt, o, ptr, lens);
        st->loss = 0.999 * st->loss + 0.001 * (nats / B);
        ru->seconds += cli_now() - t0;
        st->step++;
        after_step(d, names, ru, st, o, &pr, ru->it++);
        int stop = cli_stop_requested;
        if (ckpt_due(&o->ckpt, ru->it, ru->it == ru->iters, stop)) {
            train_state now = *st;
            now.chars += ru->chars;
            model_save(d, opt, &now, o, joined, data, ru);
        }
        if (stop)
            break;
    }
    progress_end(&pr);
    free(ptr);
    free(lens);
}

int dinos_train(void *opts, int argc, char **argv)
{
    options *o = opts;
    const char *path = dinos_operand(argc, argv);
    path = path ? path : DEFAULT_DATA;
    dinos_model d;
    memset(&d, 0, sizeof d);
    nameset names;
    train_state st = {0, NAN, NAN, 0};
    run_state ru;
    memset(&ru, 0, sizeof ru);
    rng_seed(&ru.r, o->seed);
    setup(o, path, &d, &names, &ru.r);
    int exact = o->ckpt.resume && ckpt_is_run(&d.file);
    optimizer opt;
    if (optim_init(&opt, o->optim, (float)o->lr, d.lm.ps.total) < 0)
        die("out of memory");
    opt.decay = (float)o->decay;
    if (o->ckpt.resume && !exact)
        resume_state(&d, &opt, &st);
    if (isnan(st.loss))
        st.loss = -log(1.0 / d.voc.n) * 7; /* the course's starting value */
    split(o, path, names.n, &ru);
    int B = o->batch, maxlen = 0;
    for (int i = 0; i < names.n; i++)
        if (names.len[i] > maxlen)
            maxlen = names.len[i];
    d.lm.dropout = (float)o->dropout;
    d.lm.carry = o->carry_state;
    if (charlm_reserve(&d.lm, maxlen + 1 > 51 ? maxlen + 1 : 51, B) < 0)
        die("out of memory");
    ru.iters = o->iters ? o->iters : (o->epochs * (long)ru.ntrain + B - 1) / B;
    ru.best = ru.nval ? malloc(d.lm.ps.total * sizeof *ru.best) : NULL;
    if (ru.nval && !ru.best)
        die("out of memory");
    ru.best_val = INFINITY;
    ru.last_val = NAN;
    rng_seed(&ru.sample_rng, o->seed + 1);
    char *joined = join_names(&names), *data = cli_describe_file(path);
    if (exact)
        resume_run(&d, &opt, &ru, &st, data);
    train_loop(&d, &names, &ru, &opt, &st, o, joined, data);
    if (ru.it == ru.iters) {
        if (ru.nval && ru.best_val < INFINITY) {
            memcpy(d.lm.ps.data, ru.best, d.lm.ps.total * sizeof *ru.best);
            st.val_nats = ru.best_val;
        }
        st.chars += ru.chars;
        model_save(&d, &opt, &st, o, joined, data, NULL);
    }
    int status = ckpt_end(o->model, "step", ru.it, ru.iters);
    if (status == 0)
        print_train_summary(o, ru.it, (double)ru.it * B / ru.ntrain, &st, ru.chars, ru.seconds);
    free(joined);
    free(data);
    free(ru.best);
    free(ru.order);
    optim_free(&opt);
    dinos_nameset_free(&names);
    dinos_unload(&d);
    return status;
}
