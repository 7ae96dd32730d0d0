/* trigger train — a wake-word model from folders of labelled clips (as
 * `trigger synth` writes them): every clip's features and targets in
 * memory (trigger_clips.c), batches of whole clips, Adam on a
 * class-balanced binary cross-entropy, a held-out share of the clips
 * choosing the model kept.  --from goes on from a model's weights, and
 * --negatives adds clips of mined false alarms, as Mycroft Precise's
 * incremental training does. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "augment.h"
#include "labels.h"
#include "listen.h"
#include "loss.h"
#include "optim.h"
#include "trigger.h"
#include "wakemodel.h"

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

typedef struct {
    wakenet *w;
    wakenet_work k;
    float *y;
    float w_pos, w_neg;
} trainer;

/* The weighted loss of clips idx[0..n) in batches of B, running statistics. */
static double held_out_loss(trainer *t, const trigger_clips *cs, const int *idx, int n, int B)
{
    double sum = 0;
    for (int i = 0; i < n; i += B) {
        int m = n - i < B ? n - i : B;
        make_batch(cs, idx + i, m, t->k.act[0], t->y);
        float *z = wakenet_forward(t->w, &t->k, cs->T, m, 0, NULL);
        sum += m * loss_sigmoid_xent(z, t->y, NULL, (size_t)cs->ty * m, t->w_pos, t->w_neg, NULL);
    }
    return sum / n;
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

/* What --from and --negatives added, for the model file and the summary. */
typedef struct {
    int clips;                    /* clips of mined negatives */
    long cuts, skipped;           /* their files, those too long */
} additions;

/* The clip folders trained on, as the model records them, with the
 * mined negatives and the model resumed from. */
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

static void save(const wakemodel *m, const trigger_options *o, int argc, char **argv, int ntrain, int nval,
                 int epochs, double loss, double val, const additions *x)
{
    char v[7][32], err[ERR_MAX];
    snprintf(v[0], sizeof v[0], "%d", ntrain);
    snprintf(v[1], sizeof v[1], "%d", nval);
    snprintf(v[2], sizeof v[2], "%d", epochs);
    snprintf(v[3], sizeof v[3], "%.6g", loss);
    snprintf(v[4], sizeof v[4], "%.6g", val);
    snprintf(v[5], sizeof v[5], "%d", x->clips);
    snprintf(v[6], sizeof v[6], "%ld", x->cuts);
    char *data = describe_clips(o, argc, argv, ntrain + nval - x->clips, x);
    const char *meta[32] = {"train.clips", v[0], "train.held_out", v[1], "train.epochs", v[2], "train.loss", v[3]};
    int n = 4;
    if (nval)
        meta[2 * n] = "train.held_out_loss", meta[2 * n + 1] = v[4], n++;
    if (o->from)
        meta[2 * n] = "train.resumed_from", meta[2 * n + 1] = o->from, n++;
    if (o->negatives_dir) {
        meta[2 * n] = "train.negatives", meta[2 * n + 1] = o->negatives_dir, n++;
        meta[2 * n] = "train.negative_files", meta[2 * n + 1] = v[6], n++;
        meta[2 * n] = "train.negative_clips", meta[2 * n + 1] = v[5], n++;
    }
    for (const char *const *p = cli_provenance(data, o->seed); *p; p += 2, n++)
        meta[2 * n] = p[0], meta[2 * n + 1] = p[1];
    if (wakemodel_save(m, o->output, meta, n, err) < 0)
        die("%s", err);
    free(data);
}

static void summary(const trigger_options *o, const wakemodel *m, int ntrain, int nval, int epochs, double loss,
                    double val, double seconds, const additions *x)
{
    if (o->json) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "model", o->output);
        cJSON_AddStringToObject(j, "word", m->word);
        cJSON_AddStringToObject(j, "arch", m->net.arch);
        cJSON_AddNumberToObject(j, "weights", (double)wakenet_size(&m->net));
        cJSON_AddNumberToObject(j, "clips", ntrain);
        cJSON_AddNumberToObject(j, "held_out", nval);
        if (o->from)
            cJSON_AddStringToObject(j, "resumed_from", o->from);
        if (o->negatives_dir) {
            cJSON_AddNumberToObject(j, "negative_files", (double)x->cuts);
            cJSON_AddNumberToObject(j, "negative_clips", x->clips);
        }
        cJSON_AddNumberToObject(j, "epochs", epochs);
        cJSON_AddNumberToObject(j, "loss", loss);
        if (nval)
            cJSON_AddNumberToObject(j, "held_out_loss", val);
        cJSON_AddNumberToObject(j, "seconds", seconds);
        cli_print_json(j);
        return;
    }
    printf("model %s\nword %s\narch %s\nweights %zu\nclips %d\nheld_out %d\n", o->output, m->word, m->net.arch,
           wakenet_size(&m->net), ntrain, nval);
    if (o->from)
        printf("resumed_from %s\n", o->from);
    if (o->negatives_dir)
        printf("negative_files %ld\nnegative_clips %d\n", x->cuts, x->clips);
    printf("epochs %d\nloss %.4f\n", epochs, loss);
    if (nval)
        printf("held_out_loss %.4f\n", val);
    printf("seconds %.1f\n", seconds);
}

/* The model to train: a new one of --arch and --word with weights drawn
 * from r, or --from's; --threshold and --refractory over either. */
static void start_model(const trigger_options *o, wakemodel *m, rng *r)
{
    char err[ERR_MAX];
    if (o->from) {
        if (o->arch || o->word)
            die_usage("--from goes on with the model's own network and word: no --arch or --word");
        if (wakemodel_load(m, o->from, err) < 0)
            die("%s", err);
    } else {
        spec_kind front;
        const char *desc = arch_description(o->arch ? o->arch : "small", &front);
        memset(m, 0, sizeof *m);
        if (wakenet_init(&m->net, desc, front, err) < 0)
            die_usage("--arch: %s", err);
        snprintf(m->word, sizeof m->word, "%s", o->word ? o->word : "activate");
        m->threshold = 0.5;
        m->refractory = 1.0;
        m->label_seconds = LABELS_SECONDS;
        wakenet_init_weights(&m->net, r);
    }
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
    x->clips = trigger_clips_negatives(cs, &m->net, o->negatives_dir, held, &mix, &x->cuts, &x->skipped);
    free(held);
    if (!(order = realloc(order, (size_t)cs->n * sizeof *order)))
        die("out of memory");
    for (int i = first; i < cs->n; i++)
        order[i] = i;
    if (x->skipped && !o->quiet)
        warn("%ld mined negative(s) as long as a clip or longer were left out", x->skipped);
    return order;
}

int trigger_train(void *opts, int argc, char **argv)
{
    trigger_options *o = opts;
    if (argc < 1)
        die_usage("train wants one or more folders of clips with their labels.tsv");
    wakemodel m;
    rng r;
    rng_seed(&r, o->seed);
    start_model(o, &m, &r);
    trigger_clips cs;
    trigger_clips_load(argc, argv, &m.net, m.label_seconds, &cs);
    if (cs.cut && !o->quiet)
        warn("%ld clip(s) longer than the first (%.2f s) were cut to its length", cs.cut,
             (double)cs.samples / listen_rate(m.net.front));

    /* held-out clips: a shuffled order of its own stream, the first nval;
     * the clips of --negatives are all trained on */
    int *order = malloc((size_t)cs.n * sizeof *order);
    if (!order)
        die("out of memory");
    for (int i = 0; i < cs.n; i++)
        order[i] = i;
    rng split;
    rng_seed(&split, o->seed + 2);
    rng_shuffle_int(&split, order, (size_t)cs.n);
    int nval = (int)lround(o->val * cs.n);
    if (o->val > 0 && nval == 0 && cs.n > 1)
        nval = 1;
    if (cs.n - nval < 1)
        die("too few clips (%d) to hold out %.0f%% and still train", cs.n, o->val * 100);
    additions x = {0, 0, 0};
    if (o->negatives_dir)
        order = add_negatives(o, &m, &cs, order, nval, &x);
    int ntrain = cs.n - nval, *train_idx = order + nval;
    /* class-balanced weights over the training clips' steps */
    double ones = 0, steps = (double)ntrain * cs.ty;
    for (int i = 0; i < ntrain; i++)
        for (int t = 0; t < cs.ty; t++)
            ones += cs.target[(size_t)train_idx[i] * cs.ty + t];
    if (ones == 0)
        die("no wake word in the training clips' labels");
    int B = o->batch < ntrain ? o->batch : ntrain;
    trainer tr = {&m.net, {0}, NULL, (float)(steps / (2 * ones)), (float)(steps / (2 * (steps - ones)))};
    tr.y = malloc((size_t)cs.ty * B * sizeof *tr.y);
    if (!tr.y || wakenet_work_reserve(&tr.k, &m.net, cs.T, B) < 0)
        die("out of memory");
    optimizer opt;
    float *best = nval ? malloc((m.net.ps.total + m.net.stats.total) * sizeof *best) : NULL;
    if (optim_init(&opt, OPTIM_ADAM, (float)o->lr, m.net.ps.total) < 0 || (nval && !best))
        die("out of memory");
    if (!o->quiet) {
        char mined[64] = "";
        if (x.clips)
            snprintf(mined, sizeof mined, " (%d of mined negatives)", x.clips);
        inform("training '%s' (%s%s, %zu weights) on %d clips%s, %d held out; %ld wake words", m.word,
               o->from ? "from " : "", o->from ? o->from : o->arch ? o->arch : "small", wakenet_size(&m.net),
               ntrain, mined, nval, cs.words);
    }
    long per_epoch = (ntrain + B - 1) / B, total = per_epoch * o->epochs, done = 0;
    double loss = NAN, val = NAN, best_val = INFINITY, t0 = cli_now();
    int epoch;
    cli_catch_stop();
    progress pr;
    progress_start(&pr, total, "steps", o->quiet);
    for (epoch = 0; epoch < o->epochs && !cli_stop_requested; epoch++) {
        rng_shuffle_int(&r, train_idx, (size_t)ntrain);
        double sum = 0;
        int seen = 0;
        for (int i = 0; i < ntrain && !cli_stop_requested; i += B) {
            int n = ntrain - i < B ? ntrain - i : B;
            make_batch(&cs, train_idx + i, n, tr.k.act[0], tr.y);
            if (o->warp && augment_warp(tr.k.act[0], cs.T, n, cs.bins, m.net.front == SPEC_LOGMEL, &r) < 0)
                die("out of memory");
            if (o->augment)
                augment_mask(tr.k.act[0], cs.T, n, cs.bins, &r);
            float *z = wakenet_forward(&m.net, &tr.k, cs.T, n, 1, &r);
            if (!z)
                die("a batch norm saw fewer than 2 rows; give longer clips or a larger --batch");
            params_zero_grad(&m.net.ps);
            double l = loss_sigmoid_xent(z, tr.y, NULL, (size_t)cs.ty * n, tr.w_pos, tr.w_neg, tr.k.grad[m.net.n]);
            wakenet_backward(&m.net, &tr.k, cs.T, n);
            clip_by_global_norm(&m.net.ps, CLIP_NORM);
            optim_step(&opt, &m.net.ps);
            sum += l * n;
            seen += n;
            char extra[96];
            snprintf(extra, sizeof extra, "epoch %d, loss %.4f%s", epoch + 1, sum / seen, isnan(val) ? "" : "");
            progress_update(&pr, ++done, extra);
        }
        loss = seen ? sum / seen : loss;
        if (cli_stop_requested)
            break;
        if (nval) {
            val = held_out_loss(&tr, &cs, order, nval, B);
            if (val < best_val) {
                best_val = val;
                memcpy(best, m.net.ps.data, m.net.ps.total * sizeof *best);
                memcpy(best + m.net.ps.total, m.net.stats.data, m.net.stats.total * sizeof *best);
            }
        }
        progress_log(&pr, "epoch %d: loss %.4f%s%.4f", epoch + 1, loss, nval ? ", held-out loss " : "",
                     nval ? val : 0.0);
    }
    progress_end(&pr);
    if (nval && best_val < INFINITY) {
        memcpy(m.net.ps.data, best, m.net.ps.total * sizeof *best);
        memcpy(m.net.stats.data, best + m.net.ps.total, m.net.stats.total * sizeof *best);
        val = best_val;
    }
    save(&m, o, argc, argv, ntrain, nval, epoch, loss, val, &x);
    int status = cli_end_training(o->output, "epoch", epoch, o->epochs);
    if (status == 0)
        summary(o, &m, ntrain, nval, epoch, loss, val, cli_now() - t0, &x);
    optim_free(&opt);
    wakenet_work_free(&tr.k);
    free(tr.y);
    free(best);
    free(order);
    trigger_clips_free(&cs);
    wakemodel_free(&m);
    return status;
}
