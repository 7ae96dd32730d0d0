/* trigger eval — how often a model misses the wake word and how often it
 * fires without one: each clip run through the same stream as detect, the
 * detection rule applied at the threshold and at a sweep of thresholds,
 * detections matched to the labelled words.  Never frame accuracy: a model
 * that always says no is right on over 90% of the steps. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "labels.h"
#include "listen.h"
#include "trigger.h"
#include "trigger_image.h"
#include "wakemodel.h"

/* The sweep: thresholds 0.01 .. 0.99 by 0.01, then on to 0.999 by 0.001
 * and to 0.9999 by 0.0001, where the scores of a confident model's false
 * accepts lie: the curve reaches as few false accepts as it can. */
#define SWEEP (99 + 9 + 9)
static double sweep_threshold(int i)
{
    return i < 99 ? (i + 1) / 100.0 : i < 108 ? (i - 98 + 990) / 1000.0 : (i - 107 + 9990) / 10000.0;
}

typedef struct {
    float *score;
    double *time;
    long n, cap;
} track;

static void on_step(void *arg, double t, float score)
{
    track *k = arg;
    if (k->n == k->cap) {
        k->cap = k->cap ? 2 * k->cap : 1024;
        k->score = realloc(k->score, (size_t)k->cap * sizeof *k->score);
        k->time = realloc(k->time, (size_t)k->cap * sizeof *k->time);
        if (!k->score || !k->time)
            die("out of memory");
    }
    k->score[k->n] = score;
    k->time[k->n++] = t;
}

typedef struct {
    double threshold;
    long misses, false_accepts;
} outcome;

/* Detections of one clip at threshold, matched to its words: a detection
 * from a word's onset to window seconds after its offset hits the first
 * such word not yet hit (a second one on a hit word is neither hit nor
 * false accept); any other detection is a false accept. */
static void score_clip(const track *k, const label_clip *c, double threshold, double refractory, double window,
                       outcome *out)
{
    char hit[256] = {0};
    int n = c->n < 256 ? c->n : 256;
    double last = -INFINITY;
    for (long i = 0; i < k->n; i++) {
        if (!labels_fires(&last, k->time[i], k->score[i], threshold, refractory))
            continue;
        double t = k->time[i];
        int match = -1, near = 0;
        for (int w = 0; w < n && match < 0; w++)
            if (t >= c->onset[w] && t <= c->offset[w] + window) {
                near = 1;
                if (!hit[w])
                    match = w;
            }
        if (match >= 0)
            hit[match] = 1;
        else if (!near)
            out->false_accepts++;
    }
    for (int w = 0; w < n; w++)
        out->misses += !hit[w];
}

static void evaluate(const track *tracks, const label_set *ls, double threshold, double refractory, double window,
                     outcome *out)
{
    memset(out, 0, sizeof *out);
    out->threshold = threshold;
    for (int i = 0; i < ls->n; i++)
        score_clip(&tracks[i], &ls->clip[i], threshold, refractory, window, out);
}

/* The DET curve: false rejects (%) against false accepts per hour on a
 * log axis, one point per threshold of the sweep. */
static void det_picture(const char *path, const outcome *sweep, int n, long words, double hours, const char *title)
{
    image_bytes b = {0};
    const int L = 70, T = 30, W = 520, H = 360;
    const double xmin = 0.1, xmax = 1000;
    int bad = image_svg_printf(&b,
                               "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                               "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                               "font-family=\"sans-serif\" font-size=\"12\">\n<title>%s</title>\n"
                               "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
                               "<g stroke=\"#ccc\">",
                               L + W + 20, T + H + 50, title);
    for (int d = -1; d <= 3 && !bad; d++) {
        double x = L + W * (d - log10(xmin)) / (log10(xmax) - log10(xmin));
        bad = image_svg_printf(&b, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>", x, T, x, T + H);
    }
    for (int p = 0; p <= 100 && !bad; p += 20)
        bad = image_svg_printf(&b, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>", L, T + H - H * p / 100.0,
                               L + W, T + H - H * p / 100.0);
    bad = bad || image_svg_printf(&b, "</g>\n<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
                                      "stroke=\"black\"/>\n<polyline fill=\"none\" stroke=\"#b02a62\" "
                                      "stroke-width=\"2\" points=\"",
                                  L, T, W, H);
    for (int i = 0; i < n && !bad; i++) {
        double fa = sweep[i].false_accepts / hours, frr = words ? (double)sweep[i].misses / words : 0;
        fa = fa < xmin ? xmin : fa > xmax ? xmax : fa;
        double x = L + W * (log10(fa) - log10(xmin)) / (log10(xmax) - log10(xmin)), y = T + H - H * frr;
        bad = image_svg_printf(&b, "%.1f,%.1f ", x, y);
    }
    bad = bad || image_svg_printf(&b, "\"/>\n<g text-anchor=\"middle\">");
    static const char *const dec[] = {"0.1", "1", "10", "100", "1000"};
    for (int d = 0; d < 5 && !bad; d++)
        bad = image_svg_printf(&b, "<text x=\"%.1f\" y=\"%d\">%s</text>", L + W * d / 4.0, T + H + 18, dec[d]);
    bad = bad || image_svg_printf(&b, "<text x=\"%d\" y=\"%d\">false accepts per hour</text></g>\n"
                                      "<g text-anchor=\"end\">", L + W / 2, T + H + 38);
    for (int p = 0; p <= 100 && !bad; p += 20)
        bad = image_svg_printf(&b, "<text x=\"%d\" y=\"%.1f\">%d%%</text>", L - 6, T + H - H * p / 100.0 + 4, p);
    bad = bad || image_svg_printf(&b, "</g>\n<text x=\"14\" y=\"%d\" transform=\"rotate(-90 14 %d)\" "
                                      "text-anchor=\"middle\">false rejects</text>\n"
                                      "<text x=\"%d\" y=\"18\" text-anchor=\"middle\">%s</text>\n</svg>\n",
                                  T + H / 2, T + H / 2, L + W / 2, title);
    char err[ERR_MAX];
    if (bad)
        die("out of memory making the picture");
    if (image_save(path, &b, err) < 0)
        die("%s", err);
    image_bytes_free(&b);
}

static void print_results(const trigger_options *o, const outcome *at, const outcome *sweep, int clips,
                          long words, double hours)
{
    double frr = words ? (double)at->misses / words : 0;
    if (o->json) {
        cJSON *j = cJSON_CreateObject(), *list;
        cJSON_AddNumberToObject(j, "clips", clips);
        cJSON_AddNumberToObject(j, "hours", hours);
        cJSON_AddNumberToObject(j, "words", (double)words);
        cJSON_AddNumberToObject(j, "threshold", at->threshold);
        cJSON_AddNumberToObject(j, "false_rejects", (double)at->misses);
        cJSON_AddNumberToObject(j, "false_reject_rate", frr);
        cJSON_AddNumberToObject(j, "false_accepts", (double)at->false_accepts);
        cJSON_AddNumberToObject(j, "false_accepts_per_hour", at->false_accepts / hours);
        list = cJSON_AddArrayToObject(j, "sweep");
        for (int i = 0; i < SWEEP; i++) {
            cJSON *p = cJSON_CreateObject();
            cJSON_AddNumberToObject(p, "threshold", sweep[i].threshold);
            cJSON_AddNumberToObject(p, "false_reject_rate", words ? (double)sweep[i].misses / words : 0);
            cJSON_AddNumberToObject(p, "false_accepts_per_hour", sweep[i].false_accepts / hours);
            cJSON_AddItemToArray(list, p);
        }
        cli_print_json(j);
        return;
    }
    printf("clips %d\nhours %.4f\nwords %ld\nthreshold %.3f\nfalse_rejects %ld\nfalse_reject_rate %.4f\n"
           "false_accepts %ld\nfalse_accepts_per_hour %.2f\n\nthreshold\tfalse_reject_rate\tfalse_accepts_per_hour\n",
           clips, hours, words, at->threshold, at->misses, frr, at->false_accepts, at->false_accepts / hours);
    /* every 0.05 to 0.95, then 0.99, 0.999 and 0.9999 */
    for (int i = 4; i < SWEEP; i += i < 94 ? 5 : i == 94 ? 4 : 9)
        printf("%.*f\t%.4f\t%.2f\n", i < 99 ? 2 : i < 108 ? 3 : 4, sweep[i].threshold,
               words ? (double)sweep[i].misses / words : 0, sweep[i].false_accepts / hours);
}

int trigger_eval(void *opts, int argc, char **argv)
{
    trigger_options *o = opts;
    if (argc < 1 || argc > 2)
        die_usage("eval wants a folder of clips and, when not FOLDER/labels.tsv, its labels file");
    char *labels = argc == 2 ? strdup(argv[1]) : trigger_join(argv[0], "labels.tsv"), err[ERR_MAX];
    label_set ls;
    if (!labels || labels_read(labels, &ls, err) < 0)
        die("%s", labels ? err : "out of memory");
    if (ls.n == 0)
        die("'%s' lists no clips", labels);
    const char *path = o->model ? o->model : trigger_default_model();
    wakemodel m;
    if (wakemodel_load(&m, path, err) < 0)
        die("%s", err);
    double threshold = o->threshold >= 0 ? o->threshold : m.threshold;
    double refractory = o->refractory >= 0 ? o->refractory : m.refractory;
    listener l;
    if (listener_init(&l, m.net, m.members, err) < 0)
        die("%s", err);
    track *tracks = calloc((size_t)ls.n, sizeof *tracks);
    if (!tracks)
        die("out of memory");
    double seconds = 0;
    long words = 0;
    progress pr;
    progress_start(&pr, ls.n, "clips", o->quiet);
    for (int i = 0; i < ls.n; i++) {
        char *clip = trigger_join(argv[0], ls.clip[i].file);
        wav_stream *s = wav_stream_open(clip, l.rate, err);
        if (!s)
            die("%s", err);
        listener_reset(&l);
        const float *x;
        long n, total = 0;
        while ((n = wav_stream_read(s, &x, err)) > 0) {
            listener_push(&l, x, (size_t)n, on_step, &tracks[i]);
            total += n;
        }
        if (n < 0)
            die("%s", err);
        wav_stream_close(s);
        seconds += (double)total / l.rate;
        words += ls.clip[i].n;
        free(clip);
        progress_update(&pr, i + 1, NULL);
    }
    progress_end(&pr);
    double hours = seconds / 3600;
    if (hours <= 0)
        die("the clips hold no audio");
    outcome at, sweep[SWEEP];
    evaluate(tracks, &ls, threshold, refractory, o->window, &at);
    for (int i = 0; i < SWEEP; i++)
        evaluate(tracks, &ls, sweep_threshold(i), refractory, o->window, &sweep[i]);
    print_results(o, &at, sweep, ls.n, words, hours);
    if (o->output) {
        char title[300];
        snprintf(title, sizeof title, "'%s': %ld words, %.2f hours", m.word, words, hours);
        for (char *p = title; *p; p++)
            if (*p == '<' || *p == '>' || *p == '&')
                *p = ' ';
        det_picture(o->output, sweep, SWEEP, words, hours, title);
    }
    for (int i = 0; i < ls.n; i++) {
        free(tracks[i].score);
        free(tracks[i].time);
    }
    free(tracks);
    free(labels);
    labels_free(&ls);
    listener_free(&l);
    wakemodel_free(&m);
    return 0;
}
