/* trigger pictures — rasters as PGM and PNG (through libpng, Debian's
 * libpng-dev, the reference PNG library), and SVG pages built in memory
 * around them or around curves.  Everything is assembled in an
 * image_bytes buffer and written at once (atomically to a file, or to
 * standard output for "-"). */
#ifndef SEQTOOL_TRIGGER_IMAGE_H
#define SEQTOOL_TRIGGER_IMAGE_H

#include <stdarg.h>
#include <stddef.h>

#include "error.h"

typedef struct {
    unsigned char *data;
    size_t n, cap;
} image_bytes;

void image_bytes_free(image_bytes *b);
/* Append p[n]; 0 or -1 (out of memory). */
int image_append(image_bytes *b, const void *p, size_t n);

/* The colour of level t in [0, 1] (clamped): dark for 0, bright for 1. */
void image_colour(double t, unsigned char rgb[3]);

/* pixels [h][w][channels] (1 grey, 3 RGB) as a PNG appended to out;
 * 0, or -1 (out of memory, libpng failure). */
int image_png(const unsigned char *pixels, int w, int h, int channels, image_bytes *out);

/* Append printf-formatted text, or the base64 of p[n]; 0 or -1. */
int image_svg_printf(image_bytes *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int image_svg_base64(image_bytes *b, const unsigned char *p, size_t n);

/* Write b to path atomically ("-": standard output); 0, or -1 with a
 * message. */
int image_save(const char *path, const image_bytes *b, char *err);

#endif
