/* fuzz_vectors — the word-vector readers (core/vectors.c,
 * core/vectors_text.c): the bytes are read as every format in turn (the
 * detected one, GloVe, word2vec text, which is also fastText's .vec,
 * word2vec binary, and the mapped safetensors form, with its word index
 * as the file lays it out), and a table that loads is used as the w2v
 * queries use it: words looked up, rows read, written back as text. */
#include "fuzz.h"

#include <string.h>

#include "vectors.h"

static void use(vectors *v)
{
    static const char *probe[] = {"the", "king", "", "\xc3\xa9t\xc3\xa9"};
    for (size_t i = 0; i < sizeof probe / sizeof probe[0]; i++) {
        long k = vectors_find(v, probe[i], strlen(probe[i]));
        if (k >= v->n)
            abort();
    }
    double sum = 0;
    for (long i = 0; i < v->n && i < 16; i++) {
        const char *w = vectors_word(v, i);
        if (vectors_find(v, w, strlen(w)) < 0 && v->format != VEC_SAFETENSORS)
            abort(); /* a word read from text is found again */
        const float *row = vectors_row(v, i);
        for (int k = 0; k < v->dim; k++)
            sum += row[k];
    }
    FILE *null = fopen("/dev/null", "w");
    if (null) {
        vectors_write(v, null, VEC_WORD2VEC);
        fclose(null);
    }
    if (vectors_own_data(v) < 0)
        abort();
    (void)sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64], err[ERR_MAX];
    fuzz_file(data, size, path);
    static const vec_format formats[] = {VEC_AUTO, VEC_GLOVE, VEC_WORD2VEC, VEC_WORD2VEC_BIN, VEC_SAFETENSORS};
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
        vectors v;
        if (vectors_load(&v, path, formats[i], err) == 0) {
            use(&v);
            vectors_free(&v);
        }
    }
    return 0;
}
