/* vectors_text — what vectors.c uses of vectors_text.c, the readers of
 * the text formats and of word2vec binary; not for other callers, which
 * use vectors.h. */
#ifndef SEQTOOL_VECTORS_TEXT_H
#define SEQTOOL_VECTORS_TEXT_H

#include "vectors.h"

/* The format of a file's bytes: safetensors, word2vec binary, word2vec
 * text (a "COUNT DIM" first line) or GloVe. */
vec_format vectors_detect(const file_bytes *fb);
/* Read GloVe text, or word2vec text (header 1) into an empty v.  0, or -1
 * with a message naming the file and line in err. */
int vectors_read_text(vectors *v, const file_bytes *fb, const char *path, int header, char *err);
/* Read word2vec binary into an empty v.  0, or -1 with err. */
int vectors_read_binary(vectors *v, const file_bytes *fb, const char *path, char *err);

/* Room for n floats (vectors.c): aligned to 2 MB and marked for huge
 * pages when large.  NULL when out of memory. */
float *vectors_alloc(size_t n);

#endif
