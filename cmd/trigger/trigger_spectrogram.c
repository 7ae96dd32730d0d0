/* trigger spectrogram — a picture of what a front end hears: PGM (one
 * grey pixel per value, for tools), PNG (in colour) or SVG (the PNG with
 * time and frequency axes); see trigger.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "trigger.h"
#include "trigger_image.h"

#define MIN_HEIGHT 200 /* PNG and SVG rows repeat each band up to this */
#define SVG_WIDTH 1000 /* the picture's width on the SVG page */
#define SVG_LEFT 60
#define SVG_TOP 20
#define SVG_BOTTOM 40

static const char *picture_format(const trigger_options *o)
{
    if (o->format)
        return o->format;
    const char *dot = strrchr(o->output, '.');
    if (dot && (strcmp(dot, ".pgm") == 0 || strcmp(dot, ".png") == 0 || strcmp(dot, ".svg") == 0))
        return dot + 1;
    die_usage("cannot tell the picture's format from '%s': name it .pgm, .png or .svg, or give --format",
              o->output);
}

/* Levels in [0, 1]: decibels of each value, the loudest 1, range_db
 * below it 0.  The course's values are powers; log-mel ones natural logs
 * of energies. */
static void levels(spec_kind front, float *v, size_t n, double range_db)
{
    double top = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        double db = front == SPEC_COURSE ? 10.0 * log10((double)v[i] + 1e-30) : 10.0 / log(10.0) * v[i];
        v[i] = (float)db;
        top = db > top ? db : top;
    }
    for (size_t i = 0; i < n; i++) {
        double t = (v[i] - (top - range_db)) / range_db;
        v[i] = (float)(t < 0 ? 0 : t > 1 ? 1 : t);
    }
}

/* Raster [rows][frames][channels], low frequencies at the bottom, each
 * band repeated rep times. */
static unsigned char *raster(const float *t, long frames, int bins, int rep, int channels)
{
    int h = bins * rep;
    unsigned char *p = malloc((size_t)frames * (size_t)h * (size_t)channels);
    if (!p)
        die("out of memory");
    for (int y = 0; y < h; y++) {
        int k = bins - 1 - y / rep;
        unsigned char *row = p + (size_t)y * (size_t)frames * (size_t)channels;
        for (long f = 0; f < frames; f++) {
            double v = t[(size_t)f * (size_t)bins + (size_t)k];
            if (channels == 1)
                row[f] = (unsigned char)(v * 255 + 0.5);
            else
                image_colour(v, row + 3 * f);
        }
    }
    return p;
}

/* Frequency of the top of the picture, in Hz, and a label per tick. */
static double top_hz(spec_kind front)
{
    return front == SPEC_COURSE ? 44100 / 2.0 : SPEC_LOGMEL_FMAX;
}

/* Height on the picture (0 bottom, 1 top) of frequency hz. */
static double freq_position(spec_kind front, double hz)
{
    if (front == SPEC_COURSE)
        return hz / top_hz(front);
    double lo = 2595 * log10(1 + SPEC_LOGMEL_FMIN / 700), hi = 2595 * log10(1 + SPEC_LOGMEL_FMAX / 700);
    return (2595 * log10(1 + hz / 700) - lo) / (hi - lo);
}

static int svg_page(image_bytes *page, const image_bytes *png, spec_kind front, long frames, double seconds,
                    const char *title)
{
    int h = MIN_HEIGHT + 50, w = SVG_WIDTH, W = SVG_LEFT + w + 20, H = SVG_TOP + h + SVG_BOTTOM;
    int bad = image_svg_printf(page,
                               "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                               "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                               "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">\n"
                               "<title>%s</title>\n<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n"
                               "<image x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" preserveAspectRatio=\"none\" "
                               "style=\"image-rendering:pixelated\" href=\"data:image/png;base64,",
                               W, H, W, H, title, W, H, SVG_LEFT, SVG_TOP, w, h);
    bad = bad || image_svg_base64(page, png->data, png->n);
    bad = bad || image_svg_printf(page, "\"/>\n<g stroke=\"black\" fill=\"none\">"
                                        "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>",
                                  SVG_LEFT, SVG_TOP, w, h);
    /* a tick every second (every 5 or 10 when long) */
    double step = seconds > 60 ? 10 : seconds > 20 ? 5 : seconds > 2 ? 1 : 0.1;
    long ticks = (long)(seconds / step + 1e-9);
    for (long i = 0; i <= ticks && !bad; i++) {
        double x = SVG_LEFT + w * (i * step) / seconds;
        bad = image_svg_printf(page, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>", x, SVG_TOP + h, x,
                               SVG_TOP + h + 5);
    }
    double kstep = front == SPEC_COURSE ? 4000 : 2000;
    for (double hz = 0; hz <= top_hz(front) + 1 && !bad; hz += kstep) {
        double y = SVG_TOP + h - h * freq_position(front, hz);
        bad = image_svg_printf(page, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>", SVG_LEFT - 5, y,
                               SVG_LEFT, y);
    }
    bad = bad || image_svg_printf(page, "</g>\n<g text-anchor=\"middle\">");
    for (long i = 0; i <= ticks && !bad; i++) {
        double x = SVG_LEFT + w * (i * step) / seconds;
        bad = image_svg_printf(page, "<text x=\"%.1f\" y=\"%d\">%g</text>", x, SVG_TOP + h + 18, i * step);
    }
    bad = bad || image_svg_printf(page, "<text x=\"%d\" y=\"%d\">seconds (%ld frames)</text></g>\n"
                                        "<g text-anchor=\"end\">", SVG_LEFT + w / 2, SVG_TOP + h + 34, frames);
    for (double hz = 0; hz <= top_hz(front) + 1 && !bad; hz += kstep) {
        double y = SVG_TOP + h - h * freq_position(front, hz);
        bad = image_svg_printf(page, "<text x=\"%d\" y=\"%.1f\">%g kHz</text>", SVG_LEFT - 8, y + 4, hz / 1000);
    }
    bad = bad || image_svg_printf(page, "</g>\n</svg>\n");
    return bad ? -1 : 0;
}

static void xml_escape(const char *s, char *out, size_t n)
{
    size_t k = 0;
    for (; *s && k + 7 < n; s++) {
        const char *rep = *s == '<' ? "&lt;" : *s == '>' ? "&gt;" : *s == '&' ? "&amp;" : *s == '"' ? "&quot;" : NULL;
        if (rep)
            k += (size_t)sprintf(out + k, "%s", rep);
        else
            out[k++] = *s;
    }
    out[k] = 0;
}

int trigger_spectrogram(void *opts, int argc, char **argv)
{
    trigger_options *o = opts;
    if (argc != 1)
        die_usage(argc ? "spectrogram takes one audio file" : "spectrogram wants an audio file");
    if (!o->output)
        die_usage("spectrogram wants -o OUT (.pgm, .png or .svg)");
    const char *format = picture_format(o);
    const char *in = argv[0];
    int rate = o->front == SPEC_COURSE ? 44100 : SPEC_LOGMEL_RATE;
    wav_audio a;
    trigger_read_audio(in, rate, &a);
    int bins = spec_bins(o->front);
    size_t frames = spec_frames(o->front, a.n);
    if (frames == 0)
        die("'%s': %.3f s of audio is shorter than one frame (%d ms)", cli_display_name(in), (double)a.n / rate,
            (o->front == SPEC_COURSE ? SPEC_COURSE_WINDOW * 1000 / 44100 : SPEC_LOGMEL_WINDOW * 1000 / rate));
    float *v = malloc(frames * (size_t)bins * sizeof *v);
    if (!v)
        die("out of memory");
    char err[ERR_MAX];
    if ((o->front == SPEC_COURSE ? spec_course(a.samples, a.n, v, err) : spec_logmel(a.samples, a.n, v, err)) < 0)
        die("%s", err);
    levels(o->front, v, frames * (size_t)bins, o->range_db);
    image_bytes out = {0};
    int bad;
    if (strcmp(format, "pgm") == 0) {
        unsigned char *p = raster(v, (long)frames, bins, 1, 1);
        bad = image_svg_printf(&out, "P5\n%zu %d\n255\n", frames, bins) < 0 ||
              image_append(&out, p, frames * (size_t)bins) < 0;
        free(p);
    } else {
        int rep = (MIN_HEIGHT + bins - 1) / bins;
        unsigned char *p = raster(v, (long)frames, bins, rep, 3);
        bad = image_png(p, (int)frames, bins * rep, 3, &out) < 0;
        free(p);
        if (!bad && strcmp(format, "svg") == 0) {
            image_bytes page = {0};
            char title[600], name[400];
            xml_escape(cli_display_name(in), name, sizeof name);
            snprintf(title, sizeof title, "%s spectrogram of %s", o->front == SPEC_COURSE ? "course" : "log-mel",
                     name);
            bad = svg_page(&page, &out, o->front, (long)frames, (double)a.n / rate, title) < 0;
            image_bytes_free(&out);
            out = page;
        }
    }
    if (bad)
        die("out of memory making the picture");
    if (image_save(o->output, &out, err) < 0)
        die("%s", err);
    image_bytes_free(&out);
    free(v);
    wav_free(&a);
    return 0;
}
