/* dinos train — learning names; see dinos.h. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dinos.h"
#include "optim.h"

/* The training state that --resume picks up. */
typedef struct {
    long step;        /* optimizer steps so far */
    double loss;      /* smoothed loss */
    double val_nats;  /* held-out nats/char, NAN when none */
    long chars;
} train_state;

static void model_save(const dinos_model *d, const optimizer *opt, const train_state *st,
                       const options *o, const char *names, const char *data)
{
    char err[ERR_MAX];
    model_out *m = model_out_new("dinos");
    int shape[1] = {(int)opt->n};
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
    if (opt->m)
        bad = bad || model_out_tensor(m, "optim.m", 1, shape, opt->m) < 0;
    if (opt->v)
        bad = bad || model_out_tensor(m, "optim.v", 1, shape, opt->v) < 0;
    if (bad)
        die("out of memory");
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

/* Restore optimizer state saved with the model, when it matches. */
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
    int shape[1] = {(int)opt->n};
    if (!kind || strcmp(kind, optim_kind_name(opt->kind)) != 0) {
        warn("'%s' was trained with %s; %s starts with fresh state", f->path,
             kind ? kind : "an unknown optimizer", optim_kind_name(opt->kind));
        return;
    }
    opt->step = st->step;
    if ((opt->m && model_in_tensor(f, "optim.m", 1, shape, opt->m, err) < 0) ||
        (opt->v && model_in_tensor(f, "optim.v", 1, shape, opt->v, err) < 0))
        die("%s", err);
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

int dinos_train(void *opts, int argc, char **argv)
{
    options *o = opts;
    const char *path = dinos_operand(argc, argv);
    path = path ? path : DEFAULT_DATA;
    dinos_model d;
    memset(&d, 0, sizeof d);
    nameset names;
    train_state st = {0, NAN, NAN, 0};
    rng r;
    rng_seed(&r, o->seed);
    if (o->resume) {
        dinos_load(&d, o->model);
        dinos_read_names(path, d.keep_case, &names);
        dinos_encode_names(&names, &d.voc, path);
    } else {
        dinos_read_names(path, o->keep_case, &names);
        build_vocab(&names, &d.voc);
        dinos_encode_names(&names, &d.voc, path);
        d.keep_case = o->keep_case;
        if (charlm_init(&d.lm, o->cell, d.voc.n, o->hidden, o->layers) < 0)
            die("out of memory");
        charlm_init_weights(&d.lm, &r, o->init_scale);
    }
    optimizer opt;
    if (optim_init(&opt, o->optim, (float)o->lr, d.lm.ps.total) < 0)
        die("out of memory");
    opt.decay = (float)o->decay;
    if (o->resume)
        resume_state(&d, &opt, &st);
    if (isnan(st.loss))
        st.loss = -log(1.0 / d.voc.n) * 7; /* the course's starting value */

    /* Split: a shuffled order, the first nval names held out. */
    int n = names.n, *order = malloc(n * sizeof *order);
    if (!order)
        die("out of memory");
    for (int i = 0; i < n; i++)
        order[i] = i;
    /* A stream of its own, so that --resume holds out the same names. */
    rng split;
    rng_seed(&split, o->seed + 2);
    rng_shuffle_int(&split, order, n);
    int nval = (int)(o->val * n + 0.5);
    if (o->val > 0 && nval == 0)
        nval = 1;
    if (n - nval < 1)
        die("'%s': too few names to hold out %.0f%% and still train", cli_display_name(path), o->val * 100);
    int *val_idx = order, *train_idx = order + nval, ntrain = n - nval;
    int B = o->batch, maxlen = 0;
    for (int i = 0; i < n; i++)
        if (names.len[i] > maxlen)
            maxlen = names.len[i];
    d.lm.dropout = (float)o->dropout;
    d.lm.carry = o->carry_state;
    if (charlm_reserve(&d.lm, maxlen + 1 > 51 ? maxlen + 1 : 51, B) < 0)
        die("out of memory");
    long iters = o->iters ? o->iters : (o->epochs * (long)ntrain + B - 1) / B;

    const int **ptr = malloc(B * sizeof *ptr);
    int *lens = malloc(B * sizeof *lens);
    float *best = nval ? malloc(d.lm.ps.total * sizeof *best) : NULL;
    if (!ptr || !lens || (nval && !best))
        die("out of memory");
    double best_val = INFINITY, last_val = NAN;
    rng sample_rng;
    rng_seed(&sample_rng, o->seed + 1);
    cli_catch_stop();
    progress pr;
    progress_start(&pr, iters, "steps", o->quiet);
    long chars = 0, it, pos = 0;
    double seconds = 0;
    for (it = 0; it < iters && !cli_stop_requested; it++) {
        double t0 = cli_now();
        for (int b = 0; b < B; b++) {
            int idx = train_idx[pos];
            ptr[b] = names.ids[idx];
            lens[b] = names.len[idx];
            chars += lens[b] + 1;
            if (++pos == ntrain) {
                pos = 0;
                rng_shuffle_int(&r, train_idx, ntrain);
            }
        }
        int T = charlm_batch(&d.lm, B, ptr, lens);
        charlm_forward(&d.lm, T, B, &r);
        params_zero_grad(&d.lm.ps);
        double nats = charlm_backward(&d.lm, T, B);
        if (o->clip > 0)
            clip_by_value(&d.lm.ps, (float)o->clip);
        if (o->clip_norm > 0)
            clip_by_global_norm(&d.lm.ps, (float)o->clip_norm);
        optim_step(&opt, &d.lm.ps);
        st.loss = 0.999 * st.loss + 0.001 * (nats / B);
        seconds += cli_now() - t0;
        st.step++;

        long done = it + 1;
        int epoch_end = (done * B) / ntrain != (it * B) / ntrain;
        if (nval && (epoch_end || done == iters)) {
            double v = eval_nats(&d.lm, &names, val_idx, nval, B);
            if (v < best_val) {
                best_val = v;
                memcpy(best, d.lm.ps.data, d.lm.ps.total * sizeof *best);
            }
            last_val = v;
        }
        if (o->sample_every && it % o->sample_every == 0) {
            progress_log(&pr, "Iteration: %ld, Loss: %f", it, st.loss);
            print_samples(&d, &sample_rng, 7, &pr);
        }
        char extra[96];
        if (isnan(last_val))
            snprintf(extra, sizeof extra, "loss %.4f", st.loss);
        else
            snprintf(extra, sizeof extra, "loss %.4f, held-out %.4f nats/char", st.loss, last_val);
        progress_update(&pr, done, extra);
    }
    progress_end(&pr);
    if (nval && best_val < INFINITY) {
        memcpy(d.lm.ps.data, best, d.lm.ps.total * sizeof *best);
        st.val_nats = best_val;
    }
    st.chars += chars;
    char *joined = join_names(&names), *data = cli_describe_file(path);
    model_save(&d, &opt, &st, o, joined, data);
    int status = cli_end_training(o->model, "step", it, iters);
    if (status == 0)
        print_train_summary(o, it, (double)it * B / ntrain, &st, chars, seconds);
    free(joined);
    free(data);
    free(best);
    free(ptr);
    free(lens);
    free(order);
    optim_free(&opt);
    dinos_nameset_free(&names);
    dinos_unload(&d);
    return status;
}
