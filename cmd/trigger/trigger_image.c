/* trigger pictures — grey and colour rasters as PGM and PNG (libpng), and
 * SVG pages around them; see trigger_image.h. */
#include <errno.h>
#include <png.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "trigger_image.h"

void image_colour(double t, unsigned char rgb[3])
{
    /* From black through violet, crimson and orange to pale yellow: dark
     * for quiet, bright for loud, and still ordered when printed grey. */
    static const double stop[][3] = {
        {0, 0, 4}, {58, 16, 108}, {176, 42, 98}, {244, 122, 42}, {252, 250, 182},
    };
    int last = (int)(sizeof stop / sizeof stop[0]) - 1;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    double x = t * last;
    int i = (int)x < last ? (int)x : last - 1;
    double f = x - i;
    for (int c = 0; c < 3; c++)
        rgb[c] = (unsigned char)(stop[i][c] + f * (stop[i + 1][c] - stop[i][c]) + 0.5);
}

/* ---- bytes in memory ---- */

int image_append(image_bytes *b, const void *p, size_t n)
{
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->n + n)
            cap *= 2;
        unsigned char *d = realloc(b->data, cap);
        if (!d)
            return -1;
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->n, p, n);
    b->n += n;
    return 0;
}

void image_bytes_free(image_bytes *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

/* ---- PNG ---- */

static void png_to_bytes(png_structp png, png_bytep data, size_t n)
{
    image_bytes *b = png_get_io_ptr(png);
    if (image_append(b, data, n) < 0)
        png_error(png, "out of memory");
}

static void png_flush_nothing(png_structp png) { (void)png; }

int image_png(const unsigned char *pixels, int w, int h, int channels, image_bytes *out)
{
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!info) {
        png_destroy_write_struct(&png, NULL);
        return -1;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        return -1;
    }
    png_set_write_fn(png, out, png_to_bytes, png_flush_nothing);
    png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8,
                 channels == 3 ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (int y = 0; y < h; y++)
        png_write_row(png, (png_const_bytep)(pixels + (size_t)y * w * channels));
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    return 0;
}

/* ---- SVG ---- */

int image_svg_printf(image_bytes *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char small[512];
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return -1;
    if ((size_t)n < sizeof small)
        return image_append(b, small, (size_t)n);
    char *big = malloc((size_t)n + 1);
    if (!big)
        return -1;
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    int r = image_append(b, big, (size_t)n);
    free(big);
    return r;
}

int image_svg_base64(image_bytes *b, const unsigned char *p, size_t n)
{
    static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) | (i + 2 < n ? p[i + 2] : 0);
        char q[4] = {digits[v >> 18 & 63], digits[v >> 12 & 63], i + 1 < n ? digits[v >> 6 & 63] : '=',
                     i + 2 < n ? digits[v & 63] : '='};
        if (image_append(b, q, 4) < 0)
            return -1;
    }
    return 0;
}

/* ---- files ---- */

int image_save(const char *path, const image_bytes *b, char *err)
{
    if (strcmp(path, "-") == 0) {
        if (fwrite(b->data, 1, b->n, stdout) != b->n)
            return err_set(err, "cannot write standard output: %s", strerror(errno));
        return 0;
    }
    atomic_file a;
    if (atomic_open(&a, path) < 0)
        return err_set(err, "cannot write '%s': %s", path, strerror(errno));
    if (fwrite(b->data, 1, b->n, a.f) != b->n) {
        int e = errno;
        atomic_abort(&a);
        return err_set(err, "cannot write '%s': %s", path, strerror(e));
    }
    if (atomic_commit(&a) < 0)
        return err_set(err, "cannot write '%s': %s", path, strerror(errno));
    return 0;
}
