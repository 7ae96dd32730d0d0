/* vectors — word-vector files and lookup; see vectors.h. */
#include "vectors.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "text.h"
#include "vectors_text.h"

static const struct {
    const char *name;
    vec_format format;
} format_names[] = {
    {"glove", VEC_GLOVE},       {"word2vec", VEC_WORD2VEC},
    {"fasttext", VEC_WORD2VEC}, {"word2vec-bin", VEC_WORD2VEC_BIN},
    {"safetensors", VEC_SAFETENSORS},
};

int vec_format_parse(const char *name, vec_format *out)
{
    for (size_t i = 0; i < sizeof format_names / sizeof format_names[0]; i++)
        if (strcmp(name, format_names[i].name) == 0) {
            *out = format_names[i].format;
            return 0;
        }
    return -1;
}

const char *vec_format_name(vec_format f)
{
    for (size_t i = 0; i < sizeof format_names / sizeof format_names[0]; i++)
        if (format_names[i].format == f)
            return format_names[i].name;
    return "auto";
}

vec_format vec_format_from_path(const char *path)
{
    if (text_ends_with(path, ".safetensors"))
        return VEC_SAFETENSORS;
    if (text_ends_with(path, ".bin"))
        return VEC_WORD2VEC_BIN;
    if (text_ends_with(path, ".vec"))
        return VEC_WORD2VEC;
    if (text_ends_with(path, ".txt"))
        return VEC_GLOVE;
    return VEC_AUTO;
}

/* Memory for a large table: aligned to 2 MB and marked for huge pages, so
 * filling 80 MB costs tens of page faults, not twenty thousand. */
float *vectors_alloc(size_t n)
{
    size_t bytes = n * sizeof(float) + 64, huge = 2u << 20;
    void *p = NULL;
    if (bytes >= huge) {
        if (posix_memalign(&p, huge, bytes) != 0)
            return NULL;
        madvise(p, bytes, MADV_HUGEPAGE);
        return p;
    }
    return malloc(bytes);
}

void vectors_free(vectors *v)
{
    word_index_free(&v->index);
    free(v->own_data);
    if (v->file.header)
        model_in_close(&v->file);
    memset(v, 0, sizeof *v);
}

int vectors_build(vectors *v, long n, int dim, const char *const *words,
                  const float *data, char *err)
{
    memset(v, 0, sizeof *v);
    v->dim = dim;
    v->format = VEC_AUTO;
    v->own_data = vectors_alloc((size_t)n * (size_t)dim);
    if (!v->own_data || word_index_init(&v->index, n, 0) < 0) {
        vectors_free(v);
        return err_set(err, "out of memory");
    }
    v->data = v->own_data;
    for (long i = 0; i < n; i++) {
        int added;
        if (word_index_add(&v->index, words[i], strlen(words[i]), &added) < 0 || !added) {
            if (added)
                err_set(err, "out of memory");
            else
                err_set(err, "word '%s' given twice", words[i]);
            vectors_free(v);
            return -1;
        }
    }
    v->n = n;
    memcpy(v->own_data, data, (size_t)n * (size_t)dim * sizeof(float));
    return 0;
}

/* ---- the mapped form ---- */

/* 8-bit rows: q[n][dim] x scale[n] into v's own float32 table. */
static int dequantize(vectors *v, const int8_t *q, const float *scale, const char *path, char *err)
{
    for (long i = 0; i < v->n; i++)
        if (!isfinite(scale[i]))
            return err_set(err, "'%s': the scale of row %ld is not finite", path, i);
    if (!(v->own_data = vectors_alloc((size_t)v->n * (size_t)v->dim)))
        return err_set(err, "'%s': out of memory", path);
    for (long i = 0; i < v->n; i++) {
        const int8_t *qi = q + (size_t)i * v->dim;
        float *row = v->own_data + (size_t)i * v->dim, s = scale[i];
        for (int k = 0; k < v->dim; k++)
            row[k] = (float)qi[k] * s;
    }
    v->data = v->own_data;
    v->int8 = 1;
    return 0;
}

static int load_mapped(vectors *v, const char *path, char *err)
{
    if (model_in_map(&v->file, path, "vectors", 0, err) < 0)
        return -1;
    const char *hash_kind = model_in_meta(&v->file, "vectors.hash");
    if (!hash_kind || strcmp(hash_kind, "fnv1a64-linear") != 0)
        return err_set(err, "'%s': unknown word hash '%s'", path, hash_kind ? hash_kind : "");
    long long so[1], sh[1], sv[2], sw[1], ss[1] = {0};
    const void *offset, *hash, *data, *words, *scales = NULL;
    int int8 = model_in_has(&v->file, "scales");
    if (model_in_view(&v->file, "word_offsets", "U64", 1, so, &offset, err) < 0 ||
        model_in_view(&v->file, "hash", "U32", 1, sh, &hash, err) < 0 ||
        model_in_view(&v->file, "vectors", int8 ? "I8" : "F32", 2, sv, &data, err) < 0 ||
        (int8 && model_in_view(&v->file, "scales", "F32", 1, ss, &scales, err) < 0) ||
        model_in_view(&v->file, "words", "U8", 1, sw, &words, err) < 0)
        return -1;
    if (sv[1] < 1 || sv[1] > VECTORS_DIM_MAX)
        return err_set(err, "'%s': vectors of %lld values (this reader takes 1 to %d)", path, sv[1],
                       VECTORS_DIM_MAX);
    v->n = (long)sv[0];
    v->dim = (int)sv[1];
    v->data = (float *)data;
    if (so[0] != sv[0] + 1 || (int8 && ss[0] != sv[0]) ||
        word_index_adopt(&v->index, v->n, words, (size_t)sw[0], offset, hash, (uint64_t)sh[0]) < 0)
        return err_set(err, "'%s': inconsistent word index", path);
    return int8 ? dequantize(v, data, scales, path, err) : 0;
}

int vectors_load(vectors *v, const char *path, vec_format fmt, char *err)
{
    memset(v, 0, sizeof *v);
    if (fmt == VEC_SAFETENSORS) {
        v->format = VEC_SAFETENSORS;
        if (load_mapped(v, path, err) == 0)
            return 0;
        vectors_free(v);
        return -1;
    }
    file_bytes fb;
    if (file_map_lazy(&fb, path, err) < 0)
        return -1;
    if (fb.size == 0) {
        file_unmap(&fb);
        return err_set(err, "'%s': empty file", path);
    }
    if (fmt == VEC_AUTO)
        fmt = vectors_detect(&fb);
    v->format = fmt;
    int rc;
    if (fmt == VEC_SAFETENSORS) {
        file_unmap(&fb);
        return vectors_load(v, path, VEC_SAFETENSORS, err);
    }
    if (fmt == VEC_WORD2VEC_BIN)
        rc = vectors_read_binary(v, &fb, path, err);
    else
        rc = vectors_read_text(v, &fb, path, fmt == VEC_WORD2VEC, err);
    file_unmap(&fb);
    if (rc < 0) {
        vectors_free(v);
        return -1;
    }
    return 0;
}

int vectors_own_data(vectors *v)
{
    if (v->data == v->own_data)
        return 0;
    size_t bytes = (size_t)v->n * (size_t)v->dim * sizeof(float);
    if (!(v->own_data = vectors_alloc((size_t)v->n * (size_t)v->dim)))
        return -1;
    memcpy(v->own_data, v->data, bytes);
    v->data = v->own_data;
    return 0;
}

/* ---- writing ---- */

/* Each row as int8 times a scale, max |x| / 127, so the largest value of
 * the row is exact and every other is within half a step of its own. */
static void quantize(const vectors *v, int8_t *q, float *scale)
{
    for (long i = 0; i < v->n; i++) {
        const float *row = vectors_row(v, i);
        float m = 0;
        for (int k = 0; k < v->dim; k++)
            m = fabsf(row[k]) > m ? fabsf(row[k]) : m;
        scale[i] = m / 127;
        for (int k = 0; k < v->dim; k++) {
            long x = m > 0 ? lrintf(row[k] * (127 / m)) : 0;
            q[(size_t)i * v->dim + k] = (int8_t)(x > 127 ? 127 : x < -127 ? -127 : x);
        }
    }
}

static int save_safetensors(const vectors *v, const char *path, const vec_save *how, char *err)
{
    model_out *m = model_out_new("vectors");
    const word_index *wi = &v->index;
    int so[1] = {(int)v->n + 1}, sh[1] = {(int)(wi->mask + 1)};
    int sv[2] = {(int)v->n, v->dim}, sw[1] = {(int)word_index_bytes(wi)}, ss[1] = {(int)v->n};
    int int8 = how && how->int8, rc = -1;
    int8_t *q = int8 ? malloc((size_t)v->n * (size_t)v->dim + 1) : NULL;
    float *scale = int8 ? malloc((size_t)v->n * sizeof *scale + 1) : NULL;
    if (q && scale)
        quantize(v, q, scale);
    if (m && (!int8 || (q && scale)) && model_out_meta(m, "vectors.hash", "fnv1a64-linear") == 0 &&
        (!how || !how->meta || model_out_meta_pairs(m, how->meta) == 0) &&
        model_out_tensor_typed(m, "word_offsets", "U64", 1, so, wi->offset) == 0 &&
        model_out_tensor_typed(m, "hash", "U32", 1, sh, wi->hash) == 0 &&
        (int8 ? model_out_tensor_typed(m, "vectors", "I8", 2, sv, q) == 0 &&
                    model_out_tensor_typed(m, "scales", "F32", 1, ss, scale) == 0
              : model_out_tensor_typed(m, "vectors", "F32", 2, sv, v->data) == 0) &&
        model_out_tensor_typed(m, "words", "U8", 1, sw, wi->words) == 0 &&
        (!how || !how->extra || how->extra(m, how->ctx) == 0))
        rc = model_out_write(m, path, err);
    else
        err_set(err, "cannot write '%s': out of memory", path);
    model_out_free(m);
    free(q);
    free(scale);
    return rc;
}

int vectors_save(const vectors *v, const char *path, vec_format fmt, const vec_save *how, char *err)
{
    if (fmt == VEC_SAFETENSORS) {
        if (word_index_bytes(&v->index) > INT32_MAX || v->index.mask >= INT32_MAX)
            return err_set(err, "cannot write '%s': too many words for the safetensors form", path);
        return save_safetensors(v, path, how, err);
    }
    atomic_file a;
    if (atomic_open(&a, path) < 0)
        return err_set(err, "cannot write '%s': %s", path, strerror(errno));
    if (vectors_write(v, a.f, fmt) < 0) {
        int e = errno;
        atomic_abort(&a);
        return err_set(err, "cannot write '%s': %s", path, strerror(e ? e : EIO));
    }
    if (atomic_commit(&a) < 0)
        return err_set(err, "cannot write '%s': %s", path, strerror(errno));
    return 0;
}
