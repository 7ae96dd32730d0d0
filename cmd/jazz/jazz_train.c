/* jazz train — the melody model learnt from MIDI solos: windows of notes
 * in batches, Adam, clipping, dropout, random key shifts, the held-out
 * solos' bits per note each epoch choosing the model kept; Ctrl-C saves
 * what there is.  See jazz.h. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"
#include "jazz.h"
#include "model.h"
#include "optim.h"

/* The training files and the held-out ones: --list's splits, or FILES
 * with a fraction held out (whole files, drawn with the seed). */
static void pick_files(const jazz_options *o, int argc, char **argv, char ***train, int *nt, char ***held,
                       int *nh)
{
    *held = NULL;
    *nh = 0;
    if (o->list) {
        if (argc)
            die_usage("give FILES or --list, not both");
        *train = jazz_list_files(o->list, o->split ? o->split : "train", nt);
        if (o->val > 0)
            *held = jazz_list_files(o->list, "valid", nh);
        return;
    }
    if (!argc)
        die_usage("name the MIDI files to learn from, or --list SPLIT.tsv");
    int *order = malloc((size_t)argc * sizeof *order);
    *train = malloc((size_t)argc * sizeof **train);
    *held = malloc((size_t)argc * sizeof **held);
    if (!order || !*train || !*held)
        die("out of memory");
    for (int i = 0; i < argc; i++)
        order[i] = i;
    rng split;
    rng_seed(&split, o->seed + 2);
    rng_shuffle_int(&split, order, argc);
    int nval = argc > 1 ? (int)(o->val * argc + 0.5) : 0;
    if (o->val > 0 && argc > 1 && nval == 0)
        nval = 1;
    *nt = *nh = 0;
    for (int i = 0; i < argc; i++) {
        char *f = strdup(argv[order[i]]);
        if (!f)
            die("out of memory");
        if (i < nval)
            (*held)[(*nh)++] = f;
        else
            (*train)[(*nt)++] = f;
    }
    free(order);
}

typedef struct {
    int solo, start, n;
} window;

/* Windows of up to T notes over every solo, from an offset drawn per
 * solo each epoch so that the cuts move. */
static window *make_windows(const jazz_set *s, int T, rng *r, int *count)
{
    size_t cap = (size_t)(s->notes / T + 2 * (long)s->n + 1); /* a head window and the rest, a solo */
    window *w = malloc(cap * sizeof *w);
    if (!w)
        die("out of memory");
    *count = 0;
    for (int i = 0; i < s->n; i++) {
        int n = s->solo[i].mel.n, off = n > T ? (int)rng_below(r, (unsigned)T) : 0;
        if (off > 0)
            w[(*count)++] = (window){i, 0, off};
        for (int start = off; start < n; start += T)
            w[(*count)++] = (window){i, start, n - start < T ? n - start : T};
    }
    for (int i = *count - 1; i > 0; i--) {
        int j = (int)rng_below(r, (unsigned)i + 1);
        window t = w[i];
        w[i] = w[j];
        w[j] = t;
    }
    return w;
}

/* A training run, and where it stands: what a checkpoint holds besides
 * the model. */
typedef struct {
    const jazz_options *o;
    jazz_model *m;
    const jazz_set *train, *held;
    const char *digest;         /* the solos' files, for --resume */
    window *w;                  /* this epoch's windows (NULL between epochs) */
    int nw, i;                  /* how many; the next */
    long epoch, step, seen;     /* epochs and steps done, notes trained on */
    jazz_nll sum;               /* this epoch's so far */
    double best_bits, train_bits, seconds;
    float *best;                /* the best weights held out so far, or NULL */
    rng r;                      /* weights, windows, key shifts, dropout */
    optimizer opt;
} trainer;

/* What --resume needs besides the model. */
static void put_run(model_out *out, const trainer *t)
{
    ckpt_put_trainer(out, t->epoch, t->o->epochs, "epoch", &t->opt, &t->r);
    ckpt_put_string(out, "data", t->digest);
    ckpt_put_long(out, "steps_done", t->step);
    ckpt_put_long(out, "seen", t->seen);
    ckpt_put_long(out, "window", t->i);
    ckpt_put_long(out, "nwindows", t->nw);
    if (t->nw) /* each window is three ints: solo, start, n */
        ckpt_put_ints(out, "windows", 3L * t->nw, &t->w->solo);
    ckpt_put_double(out, "sum_rest", t->sum.rest);
    ckpt_put_double(out, "sum_pitch", t->sum.pitch);
    ckpt_put_double(out, "sum_dur", t->sum.dur);
    ckpt_put_long(out, "sum_notes", t->sum.notes);
    ckpt_put_double(out, "best_bits", t->best_bits);
    ckpt_put_double(out, "train_bits", t->train_bits);
    ckpt_put_double(out, "seconds", t->seconds);
    if (t->best)
        ckpt_put_floats(out, "best", (long)t->m->ps.total, t->best);
}

/* The model file: finished, or (ck) a checkpoint of the run. */
static void save(const trainer *t, int ck)
{
    const jazz_options *o = t->o;
    char err[ERR_MAX];
    model_out *out = model_out_new("jazz");
    int bad = !out || jazz_model_save_to(t->m, out) < 0;
    bad = bad || model_out_metaf(out, "train.epochs", "%ld", t->epoch) < 0;
    bad = bad || model_out_metaf(out, "train.notes", "%ld", t->train->notes) < 0;
    bad = bad || model_out_metaf(out, "train.window", "%d", o->window) < 0;
    char *data = o->list ? cli_describe_file(o->list) : NULL;
    bad = bad || model_out_meta_pairs(out, cli_provenance(data ? data : "MIDI files", o->seed)) < 0;
    free(data);
    if (t->held->notes && !ck)
        bad = bad || model_out_metaf(out, "train.val_bits_per_note", "%.6f", t->best_bits) < 0;
    if (bad)
        die("out of memory");
    if (ck)
        put_run(out, t);
    if (model_out_write(out, o->output, err) < 0)
        die("%s", err);
    model_out_free(out);
}

/* The files of the solos, each as train.data describes a file, in one
 * CRC-32: --resume refuses other solos. */
static char *digest_files(char **tf, int nt, char **hf, int nh)
{
    uint32_t crc = 0;
    for (int i = 0; i < nt + nh; i++) {
        char *d = cli_describe_file(i < nt ? tf[i] : hf[i - nt]);
        crc = crc32_update(crc, d, strlen(d) + 1);
        free(d);
    }
    char *s = malloc(64);
    if (!s)
        die("out of memory");
    snprintf(s, 64, "%d + %d files, CRC-32 %08x", nt, nh, (unsigned)crc);
    return s;
}

/* --resume: the run saved in the output file, which must be of the same
 * solos. */
static void trainer_resume(trainer *t)
{
    char err[ERR_MAX];
    model_in f;
    t->epoch = ckpt_open(&f, t->o->output, "jazz", t->o->epochs);
    ckpt_same(&f, "checkpoint.data", t->digest);
    if (model_in_params(&f, &t->m->ps, err) < 0)
        die("%s", err);
    ckpt_trainer(&f, &t->opt, &t->r);
    t->step = ckpt_long(&f, "steps_done", 0, 1L << 62);
    t->seen = ckpt_long(&f, "seen", 0, 1L << 62);
    t->sum.rest = ckpt_double(&f, "sum_rest");
    t->sum.pitch = ckpt_double(&f, "sum_pitch");
    t->sum.dur = ckpt_double(&f, "sum_dur");
    t->sum.notes = ckpt_long(&f, "sum_notes", 0, 1L << 62);
    t->best_bits = ckpt_double(&f, "best_bits");
    t->train_bits = ckpt_double(&f, "train_bits");
    t->seconds = ckpt_double(&f, "seconds");
    if (t->best)
        ckpt_floats(&f, "best", (long)t->m->ps.total, t->best);
    t->nw = (int)ckpt_long(&f, "nwindows", 0, t->train->notes + 2L * t->train->n + 1);
    if (t->nw) {
        if (!(t->w = malloc((size_t)t->nw * sizeof *t->w)))
            die("out of memory");
        ckpt_ints(&f, "windows", 3L * t->nw, &t->w->solo);
        t->i = (int)ckpt_long(&f, "window", 0, t->nw - 1);
        for (int k = 0; k < t->nw; k++) {
            const window *x = &t->w[k];
            if (x->solo < 0 || x->solo >= t->train->n || x->start < 0 || x->n < 1 || x->n > t->o->window ||
                x->start + x->n > t->train->solo[x->solo].mel.n)
                die("'%s': bad checkpoint.windows", f.path);
        }
    }
    model_in_close(&f);
}

/* One step on the next batch of windows (an epoch's windows made at its
 * start); at the end of an epoch, its bits per note and the held-out
 * solos' (keeping the best weights). */
static void train_step(trainer *t, progress *pr)
{
    const jazz_options *o = t->o;
    int T = o->window, B = o->batch;
    jazz_model *m = t->m;
    if (!t->w) {
        t->w = make_windows(t->train, T, &t->r, &t->nw);
        t->i = 0;
        t->sum = (jazz_nll){0, 0, 0, 0};
    }
    double t0 = cli_now();
    int nb = t->nw - t->i < B ? t->nw - t->i : B;
    long notes = 0;
    for (int b = 0; b < nb; b++) {
        const window *x = &t->w[t->i + b];
        int shift = jazz_shift_draw(t->train->ev[x->solo] + x->start, x->n, o->transpose, &t->r);
        jazz_model_set_row(m, T, nb, b, t->train->ev[x->solo], x->start, x->n, shift);
        notes += x->n;
    }
    jazz_model_forward(m, T, nb, &t->r);
    params_zero_grad(&m->ps);
    jazz_nll nll = {0, 0, 0, 0};
    jazz_model_backward(m, T, nb, 1.0f / (float)notes, &nll);
    if (o->clip_norm > 0)
        clip_by_global_norm(&m->ps, (float)o->clip_norm);
    optim_step(&t->opt, &m->ps);
    t->sum.rest += nll.rest;
    t->sum.pitch += nll.pitch;
    t->sum.dur += nll.dur;
    t->sum.notes += nll.notes;
    t->seen += notes;
    t->i += nb;
    t->seconds += cli_now() - t0;
    char extra[64];
    snprintf(extra, sizeof extra, "epoch %ld, %.3f bits/note", t->epoch + 1, jazz_bits_per_note(&t->sum));
    progress_update(pr, ++t->step, extra);
    if (t->i < t->nw)
        return;
    free(t->w);
    t->w = NULL;
    t->nw = 0;
    t->epoch++;
    t->train_bits = jazz_bits_per_note(&t->sum);
    if (t->held->notes) {
        double v = jazz_set_bits(m, t->held, NULL);
        if (v < t->best_bits) {
            t->best_bits = v;
            memcpy(t->best, m->ps.data, m->ps.total * sizeof *t->best);
        }
        progress_log(pr, "epoch %ld: train %.4f, held-out %.4f bits/note%s", t->epoch, t->train_bits, v,
                     v == t->best_bits ? " (best so far)" : "");
    }
}

static void print_summary(const jazz_options *o, int epochs, double train_bits, double val_bits, long notes,
                          double seconds)
{
    if (o->json) {
        cJSON *j = cJSON_CreateObject();
        if (!j || !cJSON_AddStringToObject(j, "model", o->output) || !cJSON_AddNumberToObject(j, "epochs", epochs) ||
            !cJSON_AddNumberToObject(j, "train_bits_per_note", train_bits) ||
            !(isnan(val_bits) ? cJSON_AddNullToObject(j, "val_bits_per_note")
                              : cJSON_AddNumberToObject(j, "val_bits_per_note", val_bits)) ||
            !cJSON_AddNumberToObject(j, "notes", (double)notes) || !cJSON_AddNumberToObject(j, "seconds", seconds) ||
            !cJSON_AddNumberToObject(j, "notes_per_s", seconds > 0 ? notes / seconds : 0))
            die("out of memory");
        cli_print_json(j);
        return;
    }
    printf("model %s\nepochs %d\ntrain_bits_per_note %.4f\n", o->output, epochs, train_bits);
    if (!isnan(val_bits))
        printf("val_bits_per_note %.4f\n", val_bits);
    printf("notes %ld\nseconds %.3f\nnotes_per_s %.0f\n", notes, seconds, seconds > 0 ? notes / seconds : 0);
}

int jazz_train(void *opts, int argc, char **argv)
{
    jazz_options *o = opts;
    if (!o->output)
        o->output = JAZZ_DEFAULT_MODEL;
    char **tf, **hf, err[ERR_MAX];
    int nt, nh;
    pick_files(o, argc, argv, &tf, &nt, &hf, &nh);
    jazz_set train, held;
    jazz_set_load(&train, tf, nt, o);
    jazz_set_load(&held, hf, nh, o);
    if (train.notes < 2)
        die("the training solos hold %ld note(s): too few to learn from", train.notes);

    jazz_config cfg;
    if (o->course)
        jazz_config_course(&cfg);
    else
        jazz_config_default(&cfg);
    cfg.hidden = o->hidden;
    cfg.layers = o->layers;
    cfg.dropout = (float)o->dropout;
    jazz_model m;
    trainer t = {.o = o, .m = &m, .train = &train, .held = &held, .best_bits = INFINITY, .train_bits = NAN};
    rng_seed(&t.r, o->seed);
    if (jazz_model_init(&m, &cfg, err) < 0)
        die("%s", err);
    jazz_model_init_weights(&m, &t.r);
    int T = o->window, B = o->batch;
    if (jazz_model_reserve(&m, T, B) < 0 || optim_init(&t.opt, OPTIM_ADAM, (float)o->lr, m.ps.total) < 0)
        die("out of memory");
    t.best = held.notes ? malloc(m.ps.total * sizeof *t.best) : NULL;
    if (held.notes && !t.best)
        die("out of memory");
    char *digest = digest_files(tf, nt, hf, nh);
    t.digest = digest;
    if (o->ckpt.resume)
        trainer_resume(&t);

    if (!o->quiet)
        inform("%d training solo(s), %ld notes; %d held out, %ld notes; %zu weights", train.n, train.notes, held.n,
               held.notes, m.ps.total);
    long steps_per_epoch = (train.notes / T + train.n + B - 1) / B;
    progress pr;
    progress_start(&pr, steps_per_epoch * o->epochs, "steps", o->quiet);
    progress_resume(&pr, t.step);
    cli_catch_stop();
    while (t.epoch < o->epochs) {
        train_step(&t, &pr);
        int stop = cli_stop_requested;
        if (ckpt_due(&o->ckpt, t.step, t.epoch == o->epochs, stop))
            save(&t, 1);
        if (stop)
            break;
    }
    progress_end(&pr);
    int status = ckpt_end(o->output, "epoch", t.epoch, o->epochs);
    if (status == 0) {
        if (t.best && t.best_bits < INFINITY)
            memcpy(m.ps.data, t.best, m.ps.total * sizeof *t.best);
        save(&t, 0);
        print_summary(o, (int)t.epoch, t.train_bits, held.notes ? t.best_bits : NAN, t.seen, t.seconds);
    }
    free(t.w);
    free(t.best);
    free(digest);
    optim_free(&t.opt);
    jazz_model_free(&m);
    jazz_set_free(&train);
    jazz_set_free(&held);
    jazz_files_free(tf, nt);
    jazz_files_free(hf, nh);
    return status;
}
