/* jazz train — the melody model learnt from MIDI solos: windows of notes
 * in batches, Adam, clipping, dropout, random key shifts, the held-out
 * solos' bits per note each epoch choosing the model kept; Ctrl-C saves
 * what there is.  See jazz.h. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "jazz.h"
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

static void save(const jazz_model *m, const jazz_options *o, int epochs, double val_bits, long notes)
{
    char err[ERR_MAX];
    model_out *out = model_out_new("jazz");
    int bad = !out || jazz_model_save_to(m, out) < 0;
    bad = bad || model_out_metaf(out, "train.epochs", "%d", epochs) < 0;
    bad = bad || model_out_metaf(out, "train.notes", "%ld", notes) < 0;
    bad = bad || model_out_metaf(out, "train.window", "%d", o->window) < 0;
    char *data = o->list ? cli_describe_file(o->list) : NULL;
    bad = bad || model_out_meta_pairs(out, cli_provenance(data ? data : "MIDI files", o->seed)) < 0;
    free(data);
    if (!isnan(val_bits))
        bad = bad || model_out_metaf(out, "train.val_bits_per_note", "%.6f", val_bits) < 0;
    if (bad)
        die("out of memory");
    if (model_out_write(out, o->output, err) < 0)
        die("%s", err);
    model_out_free(out);
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
    rng r;
    rng_seed(&r, o->seed);
    if (jazz_model_init(&m, &cfg, err) < 0)
        die("%s", err);
    jazz_model_init_weights(&m, &r);
    int T = o->window, B = o->batch;
    optimizer opt;
    if (jazz_model_reserve(&m, T, B) < 0 || optim_init(&opt, OPTIM_ADAM, (float)o->lr, m.ps.total) < 0)
        die("out of memory");
    float *best = held.notes ? malloc(m.ps.total * sizeof *best) : NULL;
    if (held.notes && !best)
        die("out of memory");

    if (!o->quiet)
        inform("%d training solo(s), %ld notes; %d held out, %ld notes; %zu weights", train.n, train.notes, held.n,
               held.notes, m.ps.total);
    long steps_per_epoch = (train.notes / T + train.n + B - 1) / B;
    progress pr;
    progress_start(&pr, steps_per_epoch * o->epochs, "steps", o->quiet);
    cli_catch_stop();
    double best_bits = INFINITY, train_bits = NAN, seconds = 0;
    long step = 0, seen = 0;
    int epoch;
    for (epoch = 0; epoch < o->epochs && !cli_stop_requested; epoch++) {
        int nw;
        window *w = make_windows(&train, T, &r, &nw);
        jazz_nll sum = {0, 0, 0, 0};
        for (int i = 0; i < nw && !cli_stop_requested; i += B) {
            double t0 = cli_now();
            int nb = nw - i < B ? nw - i : B;
            for (int b = 0; b < nb; b++) {
                const window *x = &w[i + b];
                int shift = jazz_shift_draw(train.ev[x->solo] + x->start, x->n, o->transpose, &r);
                jazz_model_set_row(&m, T, nb, b, train.ev[x->solo], x->start, x->n, shift);
            }
            jazz_model_forward(&m, T, nb, &r);
            params_zero_grad(&m.ps);
            long notes = 0;
            for (int b = 0; b < nb; b++)
                notes += w[i + b].n;
            jazz_nll nll = {0, 0, 0, 0};
            jazz_model_backward(&m, T, nb, 1.0f / (float)notes, &nll);
            if (o->clip_norm > 0)
                clip_by_global_norm(&m.ps, (float)o->clip_norm);
            optim_step(&opt, &m.ps);
            sum.rest += nll.rest;
            sum.pitch += nll.pitch;
            sum.dur += nll.dur;
            sum.notes += nll.notes;
            seen += notes;
            seconds += cli_now() - t0;
            char extra[64];
            snprintf(extra, sizeof extra, "epoch %d, %.3f bits/note", epoch + 1, jazz_bits_per_note(&sum));
            progress_update(&pr, ++step, extra);
        }
        free(w);
        if (cli_stop_requested)
            break;
        train_bits = jazz_bits_per_note(&sum);
        if (held.notes) {
            double v = jazz_set_bits(&m, &held, NULL);
            if (v < best_bits) {
                best_bits = v;
                memcpy(best, m.ps.data, m.ps.total * sizeof *best);
            }
            progress_log(&pr, "epoch %d: train %.4f, held-out %.4f bits/note%s", epoch + 1, train_bits, v,
                         v == best_bits ? " (best so far)" : "");
        }
    }
    progress_end(&pr);
    if (best && best_bits < INFINITY)
        memcpy(m.ps.data, best, m.ps.total * sizeof *best);
    save(&m, o, epoch, held.notes ? best_bits : NAN, train.notes);
    int status = cli_end_training(o->output, "epoch", epoch + 1, o->epochs);
    if (status == 0)
        print_summary(o, epoch, train_bits, held.notes ? best_bits : NAN, seen, seconds);
    free(best);
    optim_free(&opt);
    jazz_model_free(&m);
    jazz_set_free(&train);
    jazz_set_free(&held);
    jazz_files_free(tf, nt);
    jazz_files_free(hf, nh);
    return status;
}
