/* trigger train — a wake-word model from folders of labelled clips (as
 * `trigger synth` writes them): every clip's features and targets in
 * memory (trigger_clips.c), batches of whole clips, Adam on a
 * class-balanced binary cross-entropy, a held-out share of the clips
 * choosing the model kept.  --from starts from a model's weights, and
 * --negatives adds clips of mined false alarms, as Mycroft Precise's
 * incremental training does.  --checkpoint-every saves the run so far
 * (as Ctrl-C does) and --resume continues it to the same model. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "augment.h"
#include "labels.h"
#include "listen.h"
#include "loss.h"
#include "trigger_train.h"

#define CLIP_NORM 5.0f

/* Clips idx[0..n) as a batch: x [T][n][bins], y [ty][n]. */
static void make_batch(const trigger_clips *cs, const int *idx, int n, float *x, float *y)
{
    size_t F = (size_t)cs->bins;
    for (int b = 0; b < n; b++) {
        const float *f = cs->feat + (size_t)idx[b] * cs->T * F, *t = cs->target + (size_t)idx[b] * cs->ty;
        for (int s = 0; s < cs->T; s++)
            memcpy(x + ((size_t)s * n + b) * F, f + (size_t)s * F, F * sizeof *x);
        for (int s = 0; s < cs->ty; s++)
            y[(size_t)s * n + b] = t[s];
    }
}

/* The weighted loss of the held-out clips in batches, running statistics. */
static double held_out_loss(trainer *t)
{
    const trigger_clips *cs = t->cs;
    double sum = 0;
    for (int i = 0; i < t->nval; i += t->B) {
        int n = t->nval - i < t->B ? t->nval - i : t->B;
        make_batch(cs, t->order + i, n, t->k.act[0], t->y);
        float *z = wakenet_forward(&t->m->net[0], &t->k, cs->T, n, 0, NULL);
        sum += n * loss_sigmoid_xent(z, t->y, NULL, (size_t)cs->ty * n, t->w_pos, t->w_neg, NULL);
    }
    return sum / t->nval;
}

static const char *arch_description(const char *arch, spec_kind *front)
{
    if (strcmp(arch, "course") == 0) {
        *front = SPEC_COURSE;
        return WAKENET_COURSE;
    }
    *front = SPEC_LOGMEL;
    return strcmp(arch, "small") == 0 ? WAKENET_SMALL : arch;
}

/* The held-out loss after an epoch, keeping the best weights. */
static void end_epoch(trainer *t, progress *pr)
{
    wakenet *net = &t->m->net[0];
    t->loss = t->sum / t->seen;
    if (t->nval) {
        t->val = held_out_loss(t);
        if (t->val < t->best_val) {
            t->best_val = t->val;
            memcpy(t->best, net->ps.data, net->ps.total * sizeof *t->best);
            memcpy(t->best + net->ps.total, net->stats.data, net->stats.total * sizeof *t->best);
        }
    }
    progress_log(pr, "epoch %d: loss %.4f%s%.4f", t->epoch + 1, t->loss, t->nval ? ", held-out loss " : "",
                 t->nval ? t->val : 0.0);
    t->epoch++;
    t->next = 0;
}

/* One step on the next batch of training clips (the epoch's order drawn
 * at its start); the held-out loss at the end of an epoch. */
static void train_step(trainer *t, progress *pr)
{
    const trigger_clips *cs = t->cs;
    wakenet *net = &t->m->net[0];
    int *train_idx = t->order + t->nval;
    double t0 = cli_now();
    if (t->next == 0) {
        rng_shuffle_int(&t->r, train_idx, (size_t)t->ntrain);
        t->sum = 0;
        t->seen = 0;
    }
    int n = t->ntrain - t->next < t->B ? t->ntrain - t->next : t->B;
    make_batch(cs, train_idx + t->next, n, t->k.act[0], t->y);
    if (t->o->warp && augment_warp(t->k.act[0], cs->T, n, cs->bins, net->front == SPEC_LOGMEL, &t->r) < 0)
        die("out of memory");
    if (t->o->augment)
        augment_mask(t->k.act[0], cs->T, n, cs->bins, &t->r);
    float *z = wakenet_forward(net, &t->k, cs->T, n, 1, &t->r);
    if (!z)
        die("a batch norm saw fewer than 2 rows; give longer clips or a larger --batch");
    params_zero_grad(&net->ps);
    double l = loss_sigmoid_xent(z, t->y, NULL, (size_t)cs->ty * n, t->w_pos, t->w_neg, t->k.grad[net->n]);
    wakenet_backward(net, &t->k, cs->T, n);
    clip_by_global_norm(&net->ps, CLIP_NORM);
    optim_step(&t->opt, &net->ps);
    t->sum += l * n;
    t->seen += n;
    t->next += n;
    char extra[64];
    snprintf(extra, sizeof extra, "epoch %d, loss %.4f", t->epoch + 1, t->sum / t->seen);
    progress_update(pr, ++t->done, extra);
    if (t->next == t->ntrain)
        end_epoch(t, pr);
    t->seconds += cli_now() - t0;
}

static void summary(const trainer *t)
{
    const trigger_options *o = t->o;
    const wakemodel *m = t->m;
    if (o->json) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "model", o->output);
        cJSON_AddStringToObject(j, "word", m->word);
        cJSON_AddStringToObject(j, "arch", m->net[0].arch);
        cJSON_AddNumberToObject(j, "weights", (double)wakenet_size(&m->net[0]));
        cJSON_AddNumberToObject(j, "clips", t->ntrain);
        cJSON_AddNumberToObject(j, "held_out", t->nval);
        if (o->from)
            cJSON_AddStringToObject(j, "resumed_from", o->from);
        if (o->negatives_dir) {
            cJSON_AddNumberToObject(j, "negative_files", (double)t->x.cuts);
            cJSON_AddNumberToObject(j, "negative_clips", t->x.clips);
        }
        cJSON_AddNumberToObject(j, "epochs", t->epoch);
        cJSON_AddNumberToObject(j, "loss", t->loss);
        if (t->nval)
            cJSON_AddNumberToObject(j, "held_out_loss", t->val);
        cJSON_AddNumberToObject(j, "seconds", t->seconds);
        cli_print_json(j);
        return;
    }
    printf("model %s\nword %s\narch %s\nweights %zu\nclips %d\nheld_out %d\n", o->output, m->word, m->net[0].arch,
           wakenet_size(&m->net[0]), t->ntrain, t->nval);
    if (o->from)
        printf("resumed_from %s\n", o->from);
    if (o->negatives_dir)
        printf("negative_files %ld\nnegative_clips %d\n", t->x.cuts, t->x.clips);
    printf("epochs %d\nloss %.4f\n", t->epoch, t->loss);
    if (t->nval)
        printf("held_out_loss %.4f\n", t->val);
    printf("seconds %.1f\n", t->seconds);
}

/* The model to train: a new one of --arch and --word with weights drawn
 * from r, --from's, or (--resume) the run's in f, the output file left
 * open for trainer_resume; --threshold and --refractory over either. */
static void start_model(const trigger_options *o, wakemodel *m, rng *r, model_in *f)
{
    char err[ERR_MAX];
    if (o->from && (o->arch || o->word))
        die_usage("--from goes on with the model's own network and word: no --arch or --word");
    if (o->ckpt.resume) {
        if (model_in_open(f, o->output, "trigger", err) < 0 || wakemodel_from(m, f, err) < 0)
            die("%s", err);
    } else if (o->from) {
        if (wakemodel_load(m, o->from, err) < 0)
            die("%s", err);
    } else {
        spec_kind front;
        const char *desc = arch_description(o->arch ? o->arch : "small", &front);
        memset(m, 0, sizeof *m);
        if (wakenet_init(&m->net[0], desc, front, err) < 0)
            die_usage("--arch: %s", err);
        m->members = 1;
        snprintf(m->word, sizeof m->word, "%s", o->word ? o->word : "activate");
        m->threshold = 0.5;
        m->refractory = 1.0;
        m->label_seconds = LABELS_SECONDS;
        wakenet_init_weights(&m->net[0], r);
    }
    if (m->members > 1)
        die("'%s' is an ensemble of %d networks (trigger combine): train each of them instead",
            o->ckpt.resume ? o->output : o->from, m->members);
    if (o->threshold >= 0)
        m->threshold = o->threshold;
    if (o->refractory >= 0)
        m->refractory = o->refractory;
}

/* The clips of --negatives, appended to the training clips: order[0..nval)
 * are held out, the rest trained on; order grows to the new cs->n. */
static int *add_negatives(const trigger_options *o, const wakemodel *m, trigger_clips *cs, int *order, int nval,
                          additions *x)
{
    char *held = calloc((size_t)cs->n, 1);
    if (!held)
        die("out of memory");
    for (int i = 0; i < nval; i++)
        held[order[i]] = 1;
    rng mix;
    rng_seed(&mix, o->seed + 3);
    int first = cs->n;
    x->clips = trigger_clips_negatives(cs, &m->net[0], o->negatives_dir, held, &mix, &x->cuts, &x->skipped);
    free(held);
    if (!(order = realloc(order, (size_t)cs->n * sizeof *order)))
        die("out of memory");
    for (int i = first; i < cs->n; i++)
        order[i] = i;
    if (x->skipped && !o->quiet)
        warn("%ld mined negative(s) as long as a clip or longer were left out", x->skipped);
    return order;
}

/* The held-out clips (a shuffled order of its own stream, the first
 * nval) and the training ones after them, the clips of --negatives
 * among the latter. */
static void split_clips(trainer *t, trigger_clips *cs)
{
    const trigger_options *o = t->o;
    int *order = malloc((size_t)cs->n * sizeof *order);
    if (!order)
        die("out of memory");
    for (int i = 0; i < cs->n; i++)
        order[i] = i;
    rng split;
    rng_seed(&split, o->seed + 2);
    rng_shuffle_int(&split, order, (size_t)cs->n);
    int nval = (int)lround(o->val * cs->n);
    if (o->val > 0 && nval == 0 && cs->n > 1)
        nval = 1;
    if (cs->n - nval < 1)
        die("too few clips (%d) to hold out %.0f%% and still train", cs->n, o->val * 100);
    if (o->negatives_dir)
        order = add_negatives(o, t->m, cs, order, nval, &t->x);
    t->order = order;
    t->nval = nval;
    t->ntrain = cs->n - nval;
}

/* The class-balanced weights over the training clips' steps, the work
 * space, Adam and room for the best weights. */
static void trainer_init(trainer *t)
{
    const trigger_clips *cs = t->cs;
    const int *train_idx = t->order + t->nval;
    double ones = 0, steps = (double)t->ntrain * cs->ty;
    for (int i = 0; i < t->ntrain; i++)
        for (int s = 0; s < cs->ty; s++)
            ones += cs->target[(size_t)train_idx[i] * cs->ty + s];
    if (ones == 0)
        die("no wake word in the training clips' labels");
    t->w_pos = (float)(steps / (2 * ones));
    t->w_neg = (float)(steps / (2 * (steps - ones)));
    t->B = t->o->batch < t->ntrain ? t->o->batch : t->ntrain;
    const wakenet *net = &t->m->net[0];
    t->y = malloc((size_t)cs->ty * t->B * sizeof *t->y);
    t->best = t->nval ? malloc((net->ps.total + net->stats.total) * sizeof *t->best) : NULL;
    if (!t->y || wakenet_work_reserve(&t->k, net, cs->T, t->B) < 0 ||
        optim_init(&t->opt, OPTIM_ADAM, (float)t->o->lr, net->ps.total) < 0 || (t->nval && !t->best))
        die("out of memory");
    t->total = (long)((t->ntrain + t->B - 1) / t->B) * t->o->epochs;
    t->loss = t->val = NAN;
    t->best_val = INFINITY;
}

static void trainer_free(trainer *t)
{
    optim_free(&t->opt);
    wakenet_work_free(&t->k);
    free(t->y);
    free(t->best);
    free(t->order);
    free(t->digest);
}

static void inform_start(const trainer *t)
{
    const trigger_options *o = t->o;
    char mined[64] = "";
    if (t->x.clips)
        snprintf(mined, sizeof mined, " (%d of mined negatives)", t->x.clips);
    inform("training '%s' (%s%s, %zu weights) on %d clips%s, %d held out; %ld wake words", t->m->word,
           o->from ? "from " : "", o->from ? o->from : o->arch ? o->arch : "small", wakenet_size(&t->m->net[0]),
           t->ntrain, mined, t->nval, t->cs->words);
}

/* Steps until the end or a stop, saving when due; the run's status. */
static int run(trainer *t)
{
    progress pr;
    progress_start(&pr, t->total, "steps", t->o->quiet);
    progress_resume(&pr, t->done);
    cli_catch_stop();
    while (t->epoch < t->o->epochs) {
        train_step(t, &pr);
        int stop = cli_stop_requested;
        if (ckpt_due(&t->o->ckpt, t->done, t->epoch == t->o->epochs, stop))
            trainer_save(t, 1);
        if (stop)
            break;
    }
    progress_end(&pr);
    return ckpt_end(t->o->output, "step", t->done, t->total);
}

int trigger_train(void *opts, int argc, char **argv)
{
    trigger_options *o = opts;
    if (argc < 1)
        die_usage("train wants one or more folders of clips with their labels.tsv");
    wakemodel m;
    model_in f;
    trainer t = {.o = o, .argc = argc, .argv = argv, .m = &m};
    rng_seed(&t.r, o->seed);
    start_model(o, &m, &t.r, &f);
    trigger_clips cs;
    trigger_clips_load(argc, argv, &m.net[0], m.label_seconds, &cs);
    if (cs.cut && !o->quiet)
        warn("%ld clip(s) longer than the first (%.2f s) were cut to its length", cs.cut,
             (double)cs.samples / listen_rate(m.net[0].front));
    t.cs = &cs;
    split_clips(&t, &cs);
    trainer_init(&t);
    if (o->ckpt.resume) {
        trainer_resume(&t, &f);
        model_in_close(&f);
    }
    if (!o->quiet)
        inform_start(&t);
    int status = run(&t);
    if (status == 0) {
        wakenet *net = &m.net[0];
        if (t.nval && t.best_val < INFINITY) {
            memcpy(net->ps.data, t.best, net->ps.total * sizeof *t.best);
            memcpy(net->stats.data, t.best + net->ps.total, net->stats.total * sizeof *t.best);
            t.val = t.best_val;
        }
        trainer_save(&t, 0);
        summary(&t);
    }
    trainer_free(&t);
    trigger_clips_free(&cs);
    wakemodel_free(&m);
    return status;
}
