/* vectors — a table of word vectors: the common file formats in and out,
 * and word lookup.
 *
 * Formats (detected from the content unless given):
 *   glove         "word v1 ... vD" per line, no header
 *   word2vec      first line "COUNT DIM", then lines as GloVe's (this is
 *                 also fastText's .vec)
 *   word2vec-bin  "COUNT DIM\n", then per word: the word, a space, D
 *                 little-endian float32, optionally "\n"
 *   safetensors   seqtool's own form, opened by mmap with no parsing:
 *                 tensors word_offsets (U64 [n+1]), hash (U32 [H]) and
 *                 words (U8), the word index as wordindex.h lays it out,
 *                 and vectors (F32 [n, D]); metadata seqtool.kind
 *                 "vectors".  Or, a quarter of the size, vectors as I8
 *                 [n, D] with scales (F32 [n]): row i is vectors[i] x
 *                 scales[i] (rounded from scales[i] = max |x| / 127),
 *                 turned back into float32 when read.
 * Every value must be finite: a text or binary file holding inf or nan is
 * refused with its line or record, as are 8-bit rows with such a scale
 * (float32 rows of the mapped form are not read when it is opened, so they
 * are not checked).
 * Words are UTF-8 and keep the file's order (for trained and published
 * vectors, most frequent first).  A word met again keeps its first vector;
 * the duplicates are counted for the caller to warn about.
 */
#ifndef SEQTOOL_VECTORS_H
#define SEQTOOL_VECTORS_H

#include "error.h"

#include <stdint.h>
#include <stdio.h>

#include "fileio.h"
#include "model.h"
#include "wordindex.h"

#define VECTORS_DIM_MAX 100000
#define VECTORS_WORD_MAX 65536    /* bytes in a word: more is not a word */

typedef enum {
    VEC_AUTO, VEC_GLOVE, VEC_WORD2VEC, VEC_WORD2VEC_BIN, VEC_SAFETENSORS
} vec_format;

typedef struct {
    long n;
    int dim;
    float *data;              /* n x dim */
    word_index index;         /* the words, in row order */
    vec_format format;        /* the format it was read in */
    int int8;                 /* read from 8-bit rows (data is their float32 value) */
    long duplicates;          /* words met again and dropped */
    long first_duplicate;     /* line (text) or record number of the first */
    float *own_data;          /* NULL when data is the mapped file's */
    model_in file;
} vectors;

/* Name <-> format: glove, word2vec, fasttext (= word2vec), word2vec-bin,
 * safetensors.  vec_format_parse returns -1 for an unknown name. */
int vec_format_parse(const char *name, vec_format *out);
const char *vec_format_name(vec_format f);
/* The format a file name suggests by its extension (.txt glove, .vec
 * word2vec, .bin word2vec-bin, .safetensors), or VEC_AUTO. */
vec_format vec_format_from_path(const char *path);

/* Read path in format fmt (VEC_AUTO: detect).  0, or -1 with a one-line
 * message naming the file (and the line, for bad rows) in err. */
int vectors_load(vectors *v, const char *path, vec_format fmt, char *err);

/* A table built in memory: n words (each NUL-terminated, given in order)
 * and their vectors (n x dim, copied).  Duplicates are not allowed here.
 * 0, or -1 when out of memory or a word repeats (err says which). */
int vectors_build(vectors *v, long n, int dim, const char *const *words,
                  const float *data, char *err);
void vectors_free(vectors *v);

/* Make data a private, writable copy when it is the mapped file's;
 * 0 or -1 (out of memory). */
int vectors_own_data(vectors *v);

/* Index of word (len bytes), or -1. */
static inline long vectors_find(const vectors *v, const char *word, size_t len)
{
    return word_index_find(&v->index, word, len);
}
static inline const char *vectors_word(const vectors *v, long i)
{
    return word_index_word(&v->index, i);
}
static inline const float *vectors_row(const vectors *v, long i)
{
    return v->data + (size_t)i * (size_t)v->dim;
}

/* Write in a streaming format (not safetensors) to f; 0 or -1 (errno). */
int vectors_write(const vectors *v, FILE *f, vec_format fmt);
/* How the safetensors form is written (vectors_save's how may be NULL:
 * float32, no metadata of the caller's). */
typedef struct {
    int int8;                 /* 8-bit rows with a scale each */
    const char *const *meta;  /* metadata pairs: key, value, ..., NULL; or NULL */
    /* or NULL: called last, to add the caller's own tensors and metadata
     * (a training run's state); 0, or -1 for out of memory */
    int (*extra)(model_out *m, void *ctx);
    void *ctx;
} vec_save;

/* Write path atomically in any format (how applies to safetensors).
 * 0, or -1 with err. */
int vectors_save(const vectors *v, const char *path, vec_format fmt, const vec_save *how, char *err);

#endif
