/* model — safetensors reading and writing; see model.h. */
#include "model.h"

#include "fileio.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HEADER_MAX (100u << 20) /* the limit the reference reader uses */

/* Slicing by 8: table[k][b] is the CRC of byte b followed by k zero bytes. */
static uint32_t crc_table[8][256];

static void crc_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[0][i] = c;
    }
    for (int k = 1; k < 8; k++)
        for (int i = 0; i < 256; i++)
            crc_table[k][i] = crc_table[k - 1][i] >> 8 ^ crc_table[0][crc_table[k - 1][i] & 0xFF];
}

uint32_t crc32_update(uint32_t crc, const void *buf, size_t n)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, crc_init);
    const uint32_t(*t)[256] = (const uint32_t(*)[256])crc_table;
    const unsigned char *p = buf;
    crc = ~crc;
    for (; n >= 8; n -= 8, p += 8) {
        uint32_t lo = crc ^ ((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
        uint32_t hi = (uint32_t)p[4] | (uint32_t)p[5] << 8 | (uint32_t)p[6] << 16 | (uint32_t)p[7] << 24;
        crc = t[7][lo & 0xFF] ^ t[6][lo >> 8 & 0xFF] ^ t[5][lo >> 16 & 0xFF] ^ t[4][lo >> 24] ^
              t[3][hi & 0xFF] ^ t[2][hi >> 8 & 0xFF] ^ t[1][hi >> 16 & 0xFF] ^ t[0][hi >> 24];
    }
    while (n--)
        crc = t[0][(crc ^ *p++) & 0xFF] ^ crc >> 8;
    return ~crc;
}

/* Bytes per element of a safetensors dtype, or 0 when unknown. */
static size_t dtype_size(const char *dtype)
{
    static const struct { const char *name; size_t size; } types[] = {
        {"BOOL", 1}, {"U8", 1}, {"I8", 1}, {"I16", 2}, {"U16", 2}, {"F16", 2},
        {"BF16", 2}, {"I32", 4}, {"U32", 4}, {"F32", 4}, {"I64", 8}, {"U64", 8},
        {"F64", 8},
    };
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (strcmp(dtype, types[i].name) == 0)
            return types[i].size;
    return 0;
}

/* ---- writing ---- */

typedef struct {
    char *name;
    const char *dtype;
    int ndim, shape[4];
    size_t count, elem; /* elements, bytes per element */
    const void *data;
} out_tensor;

struct model_out {
    cJSON *meta;
    out_tensor *t;
    int n, cap;
};

model_out *model_out_new(const char *kind)
{
    model_out *m = calloc(1, sizeof *m);
    if (!m || !(m->meta = cJSON_CreateObject())) {
        free(m);
        return NULL;
    }
    if (model_out_meta(m, "seqtool.kind", kind) < 0 ||
        model_out_metaf(m, "seqtool.version", "%d", MODEL_FORMAT_VERSION) < 0) {
        model_out_free(m);
        return NULL;
    }
    return m;
}

int model_out_meta(model_out *m, const char *key, const char *value)
{
    cJSON_DeleteItemFromObjectCaseSensitive(m->meta, key);
    return cJSON_AddStringToObject(m->meta, key, value) ? 0 : -1;
}

int model_out_metaf(model_out *m, const char *key, const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0 || n >= (int)sizeof buf)
        return -1;
    return model_out_meta(m, key, buf);
}

int model_out_meta_pairs(model_out *m, const char *const *kv)
{
    for (; kv[0]; kv += 2)
        if (model_out_meta(m, kv[0], kv[1]) < 0)
            return -1;
    return 0;
}

int model_out_tensor(model_out *m, const char *name, int ndim,
                     const int *shape, const float *data)
{
    return model_out_tensor_typed(m, name, "F32", ndim, shape, data);
}

int model_out_tensor_typed(model_out *m, const char *name, const char *dtype,
                           int ndim, const int *shape, const void *data)
{
    size_t elem = dtype_size(dtype);
    if (ndim < 1 || ndim > 4 || !elem)
        return -1;
    if (m->n == m->cap) {
        int cap = m->cap ? 2 * m->cap : 16;
        out_tensor *t = realloc(m->t, cap * sizeof *t);
        if (!t)
            return -1;
        m->t = t;
        m->cap = cap;
    }
    out_tensor *t = &m->t[m->n];
    if (!(t->name = strdup(name)))
        return -1;
    t->dtype = dtype;
    t->elem = elem;
    t->ndim = ndim;
    t->count = 1;
    for (int d = 0; d < ndim; d++) {
        t->shape[d] = shape[d];
        t->count *= (size_t)shape[d];
    }
    t->data = data;
    m->n++;
    return 0;
}

int model_out_params(model_out *m, const params *ps)
{
    for (int i = 0; i < ps->n; i++)
        if (model_out_tensor(m, ps->p[i].name, ps->p[i].ndim, ps->p[i].shape,
                             params_data(ps, i)) < 0)
            return -1;
    return 0;
}

void model_out_free(model_out *m)
{
    if (!m)
        return;
    for (int i = 0; i < m->n; i++)
        free(m->t[i].name);
    free(m->t);
    cJSON_Delete(m->meta);
    free(m);
}


/* The data section is streamed in chunks: each tensor's elements in
 * little-endian byte order, tensors back to back. */
#define CHUNK (1u << 16)

/* Fill buf with up to CHUNK bytes of tensor t from element k on; returns
 * the number of bytes. */
static size_t tensor_chunk(const out_tensor *t, size_t k, unsigned char *buf)
{
    size_t n = t->count - k;
    if (n > CHUNK / t->elem)
        n = CHUNK / t->elem;
    const unsigned char *src = (const unsigned char *)t->data + k * t->elem;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(buf, src, n * t->elem);
#else
    for (size_t i = 0; i < n; i++)
        for (size_t b = 0; b < t->elem; b++)
            buf[i * t->elem + b] = src[i * t->elem + t->elem - 1 - b];
#endif
    return n * t->elem;
}

/* Visit the data section chunk by chunk: CRC it (f NULL) or write it. */
static int stream_data(const model_out *m, FILE *f, uint32_t *crc)
{
    unsigned char *buf = malloc(CHUNK);
    if (!buf)
        return -1;
    int rc = 0;
    for (int i = 0; i < m->n && rc == 0; i++)
        for (size_t k = 0; k < m->t[i].count && rc == 0;) {
            size_t bytes = tensor_chunk(&m->t[i], k, buf);
            k += bytes / m->t[i].elem;
            if (!f)
                *crc = crc32_update(*crc, buf, bytes);
            else if (fwrite(buf, 1, bytes, f) != bytes)
                rc = -1;
        }
    free(buf);
    return rc;
}

static char *build_header(model_out *m, uint32_t crc, size_t *len)
{
    char hex[9];
    snprintf(hex, sizeof hex, "%08x", crc);
    if (model_out_meta(m, "seqtool.crc32", hex) < 0)
        return NULL;
    cJSON *root = cJSON_CreateObject();
    if (!root)
        return NULL;
    cJSON_AddItemReferenceToObject(root, "__metadata__", m->meta);
    size_t off = 0;
    for (int i = 0; i < m->n; i++) {
        const out_tensor *t = &m->t[i];
        cJSON *o = cJSON_AddObjectToObject(root, t->name);
        double offs[2] = {(double)off, (double)(off + t->count * t->elem)};
        if (!o || !cJSON_AddStringToObject(o, "dtype", t->dtype) ||
            !cJSON_AddItemToObject(o, "shape", cJSON_CreateIntArray(t->shape, t->ndim)) ||
            !cJSON_AddItemToObject(o, "data_offsets", cJSON_CreateDoubleArray(offs, 2))) {
            cJSON_Delete(root);
            return NULL;
        }
        off += t->count * t->elem;
    }
    char *json = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    if (!json)
        return NULL;
    size_t n = strlen(json), padded = (n + 7) / 8 * 8;
    char *h = realloc(json, padded + 1);
    if (!h) {
        free(json);
        return NULL;
    }
    memset(h + n, ' ', padded - n);
    h[padded] = 0;
    *len = padded;
    return h;
}


int model_out_write(model_out *m, const char *path, char *err)
{
    size_t hlen = 0;
    uint32_t crc = 0;
    char *header = stream_data(m, NULL, &crc) == 0 ? build_header(m, crc, &hlen) : NULL;
    if (!header) {
        snprintf(err, ERR_MAX, "cannot write '%s': out of memory", path);
        return -1;
    }
    unsigned char len8[8];
    for (int b = 0; b < 8; b++)
        len8[b] = (unsigned char)((uint64_t)hlen >> (8 * b));
    atomic_file a;
    int rc = atomic_open(&a, path);
    if (rc == 0) {
        if (fwrite(len8, 1, 8, a.f) != 8 || fwrite(header, 1, hlen, a.f) != hlen ||
            stream_data(m, a.f, NULL) < 0) {
            int e = errno;
            atomic_abort(&a);
            errno = e ? e : EIO;
            rc = -1;
        } else {
            rc = atomic_commit(&a);
        }
    }
    if (rc < 0)
        snprintf(err, ERR_MAX, "cannot write '%s': %s", path, strerror(errno));
    free(header);
    return rc;
}

/* ---- reading ---- */

static int fail(char *err, const char *path, const char *what)
{
    snprintf(err, ERR_MAX, "'%s': %s", path, what);
    return -1;
}

/* A whole number in [0, 2^53) (every such double is exact, so it converts
 * to size_t without overflow). */
static int exact_count(const cJSON *d, size_t *out)
{
    if (!cJSON_IsNumber(d) || !(d->valuedouble >= 0) || d->valuedouble >= 9007199254740992.0 ||
        d->valuedouble != floor(d->valuedouble))
        return -1;
    *out = (size_t)d->valuedouble;
    return 0;
}

/* Check one tensor entry: a known dtype, a shape whose element count does
 * not overflow, whole offsets inside the data and matching it. */
static int check_tensor(const cJSON *t, size_t data_size, size_t *begin,
                        size_t *end)
{
    const cJSON *dtype = cJSON_GetObjectItemCaseSensitive(t, "dtype");
    const cJSON *shape = cJSON_GetObjectItemCaseSensitive(t, "shape");
    const cJSON *offs = cJSON_GetObjectItemCaseSensitive(t, "data_offsets");
    if (!cJSON_IsString(dtype) || !cJSON_IsArray(shape) ||
        !cJSON_IsArray(offs) || cJSON_GetArraySize(offs) != 2)
        return -1;
    size_t count = 1, dim;
    const cJSON *d;
    cJSON_ArrayForEach(d, shape) {
        if (exact_count(d, &dim) < 0 || __builtin_mul_overflow(count, dim, &count))
            return -1;
    }
    size_t b, e, elem = dtype_size(dtype->valuestring), bytes;
    if (exact_count(cJSON_GetArrayItem(offs, 0), &b) < 0 || exact_count(cJSON_GetArrayItem(offs, 1), &e) < 0 ||
        e < b || e > data_size)
        return -2;
    *begin = b;
    *end = e;
    if (!elem || __builtin_mul_overflow(count, elem, &bytes) || bytes != e - b)
        return -1;
    return 0;
}

static int validate(model_in *m, const char *path, const char *kind, int verify, char *err);

int model_in_open(model_in *m, const char *path, const char *kind, char *err)
{
    return model_in_map(m, path, kind, 1, err);
}

int model_in_map(model_in *m, const char *path, const char *kind, int verify, char *err)
{
    memset(m, 0, sizeof *m);
    /* mapped lazily: a file is judged by its header before its data is
     * read (the CRC pass, when verify, then reads it once) */
    if (file_map_lazy(&m->file, path, err) < 0)
        return -1;
    m->bytes = m->file.bytes;
    m->size = m->file.size;
    return validate(m, path, kind, verify, err);
}

static int validate(model_in *m, const char *path, const char *kind, int verify, char *err)
{
    m->path = strdup(path);
    uint64_t hlen = 0;
    if (m->size < 8)
        goto truncated;
    for (int b = 7; b >= 0; b--)
        hlen = hlen << 8 | m->bytes[b];
    if (hlen > HEADER_MAX) {
        fail(err, path, "not a safetensors model file");
        goto bad;
    }
    if (hlen > m->size - 8)
        goto truncated;
    m->header = cJSON_ParseWithLength((const char *)m->bytes + 8, hlen);
    if (!m->header || !cJSON_IsObject((cJSON *)m->header)) {
        fail(err, path, "not a safetensors model file (bad header)");
        goto bad;
    }
    m->data = m->bytes + 8 + hlen;
    m->data_size = m->size - 8 - hlen;
    const cJSON *t;
    size_t need = 0;
    cJSON_ArrayForEach(t, (cJSON *)m->header) {
        if (strcmp(t->string, "__metadata__") == 0)
            continue;
        size_t b, e;
        int rc = check_tensor(t, SIZE_MAX, &b, &e);
        if (rc < 0) {
            snprintf(err, ERR_MAX, "'%s': bad entry for tensor '%s'", path, t->string);
            goto bad;
        }
        if (e > need)
            need = e;
    }
    if (need > m->data_size)
        goto truncated;
    /* the format leaves no bytes out of the tensors: a file with more is
     * damaged, or is not a model (a sparse file of zeros is refused here
     * without reading it) */
    if (need < m->data_size) {
        snprintf(err, ERR_MAX, "'%s': %zu bytes after the last tensor (a damaged file?)", path,
                 m->data_size - need);
        goto bad;
    }
    const char *k = model_in_meta(m, "seqtool.kind");
    const char *v = model_in_meta(m, "seqtool.version");
    const char *crc = model_in_meta(m, "seqtool.crc32");
    if (!k || !v || !crc) {
        fail(err, path, "not a seqtool model (no seqtool metadata)");
        goto bad;
    }
    if (kind && strcmp(k, kind) != 0) {
        snprintf(err, ERR_MAX, "'%s': is a %s model, not a %s model", path, k, kind);
        goto bad;
    }
    if (strcmp(v, "1") != 0) {
        snprintf(err, ERR_MAX, "'%s': model format version %s is not supported (this seqtool reads version %d)",
                 path, v, MODEL_FORMAT_VERSION);
        goto bad;
    }
    char hex[9];
    snprintf(hex, sizeof hex, "%08x", verify ? crc32_update(0, m->data, m->data_size) : 0);
    if (verify && strcmp(hex, crc) != 0) {
        fail(err, path, "corrupt model file (CRC mismatch)");
        goto bad;
    }
    return 0;
truncated:
    fail(err, path, "truncated model file");
bad:
    model_in_close(m);
    return -1;
}

void model_in_close(model_in *m)
{
    cJSON_Delete(m->header);
    file_unmap(&m->file);
    free(m->path);
    memset(m, 0, sizeof *m);
}

const char *model_in_meta(const model_in *m, const char *key)
{
    const cJSON *meta = cJSON_GetObjectItemCaseSensitive(m->header, "__metadata__");
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(meta, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

int model_in_meta_int(const model_in *m, const char *key, long lo, long hi,
                      long *out, char *err)
{
    const char *s = model_in_meta(m, key);
    char *end;
    errno = 0;
    long v = s ? strtol(s, &end, 10) : 0;
    if (!s || errno || end == s || *end || v < lo || v > hi) {
        snprintf(err, ERR_MAX, "'%s': bad or missing metadata '%s'", m->path, key);
        return -1;
    }
    *out = v;
    return 0;
}

int model_in_fits(const model_in *m, size_t floats, char *err)
{
    if (floats <= m->data_size / 4)
        return 0;
    snprintf(err, ERR_MAX, "'%s': the metadata describes a model of %zu weights; the file holds at most %zu",
             m->path, floats, m->data_size / 4);
    return -1;
}

int model_in_tensor_at(const model_in *m, int i, const char **name, const char **dtype,
                       long long *shape, int max)
{
    const cJSON *t;
    cJSON_ArrayForEach(t, (const cJSON *)m->header) {
        if (strcmp(t->string, "__metadata__") == 0 || i-- > 0)
            continue;
        const cJSON *sh = cJSON_GetObjectItemCaseSensitive(t, "shape"), *d;
        int ndim = 0;
        cJSON_ArrayForEach(d, sh) {
            if (ndim < max)
                shape[ndim] = (long long)d->valuedouble;
            ndim++;
        }
        *name = t->string;
        *dtype = cJSON_GetObjectItemCaseSensitive(t, "dtype")->valuestring;
        return ndim;
    }
    return -1;
}

int model_in_has(const model_in *m, const char *name)
{
    return cJSON_GetObjectItemCaseSensitive(m->header, name) != NULL;
}

/* The header's entry of tensor name, with its dtype and shape; NULL, with
 * err, when the file has no such tensor. */
static const cJSON *find_tensor(const model_in *m, const char *name, const cJSON **dt, const cJSON **sh,
                                char *err)
{
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(m->header, name);
    if (!t || strcmp(name, "__metadata__") == 0) {
        snprintf(err, ERR_MAX, "'%s': no tensor '%s'", m->path, name);
        return NULL;
    }
    *dt = cJSON_GetObjectItemCaseSensitive(t, "dtype");
    *sh = cJSON_GetObjectItemCaseSensitive(t, "shape");
    return t;
}

/* Where tensor name's bytes are, [*b, *e) of the data, when it has this
 * dtype and exactly this shape; 0, or -1 with err. */
static int find_shaped(const model_in *m, const char *name, const char *dtype, int ndim,
                       const int *shape, size_t *b, size_t *e, char *err)
{
    const cJSON *dt, *sh, *t = find_tensor(m, name, &dt, &sh, err);
    if (!t)
        return -1;
    int ok = strcmp(dt->valuestring, dtype) == 0 && cJSON_GetArraySize(sh) == ndim;
    for (int d = 0; ok && d < ndim; d++)
        ok = cJSON_GetArrayItem(sh, d)->valuedouble == shape[d];
    if (!ok) {
        snprintf(err, ERR_MAX, "'%s': tensor '%s' has the wrong type or shape", m->path, name);
        return -1;
    }
    check_tensor(t, m->data_size, b, e);
    return 0;
}

int model_in_tensor(const model_in *m, const char *name, int ndim,
                    const int *shape, float *dst, char *err)
{
    size_t b, e;
    if (find_shaped(m, name, "F32", ndim, shape, &b, &e, err) < 0)
        return -1;
    const unsigned char *p = m->data + b;
    int finite = 1;
    for (size_t k = 0; k < (e - b) / 4; k++, p += 4) {
        uint32_t u = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
        memcpy(&dst[k], &u, 4);
        finite &= (u & 0x7f800000u) != 0x7f800000u;
    }
    /* NaN or infinite weights would only spread through every output. */
    if (!finite) {
        snprintf(err, ERR_MAX, "'%s': tensor '%s' holds a value that is not finite (NaN or infinity)", m->path, name);
        return -1;
    }
    return 0;
}

int model_in_tensor_typed(const model_in *m, const char *name, const char *dtype, int ndim,
                          const int *shape, void *dst, char *err)
{
    size_t b, e;
    if (find_shaped(m, name, dtype, ndim, shape, &b, &e, err) < 0)
        return -1;
    /* the file is little-endian; a copy needs no alignment */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(dst, m->data + b, e - b);
#else
    unsigned char *out = dst;
    size_t elem = dtype_size(dtype);
    for (size_t k = 0; k < e - b; k += elem)
        for (size_t i = 0; i < elem; i++)
            out[k + i] = m->data[b + k + elem - 1 - i];
#endif
    return 0;
}

int model_in_params(const model_in *m, params *ps, char *err)
{
    for (int i = 0; i < ps->n; i++)
        if (model_in_tensor(m, ps->p[i].name, ps->p[i].ndim, ps->p[i].shape,
                            params_data(ps, i), err) < 0)
            return -1;
    return 0;
}

int model_in_view(const model_in *m, const char *name, const char *dtype,
                  int ndim, long long *shape, const void **data, char *err)
{
    const cJSON *dt, *sh, *t = find_tensor(m, name, &dt, &sh, err);
    if (!t)
        return -1;
    size_t b, e;
    check_tensor(t, m->data_size, &b, &e);
    int ok = strcmp(dt->valuestring, dtype) == 0 && cJSON_GetArraySize(sh) == ndim &&
             (uintptr_t)(m->data + b) % dtype_size(dtype) == 0;
    for (int d = 0; ok && d < ndim; d++)
        shape[d] = (long long)cJSON_GetArrayItem(sh, d)->valuedouble;
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
    ok = 0;
#endif
    if (!ok) {
        snprintf(err, ERR_MAX, "'%s': tensor '%s' has the wrong type, shape or alignment", m->path, name);
        return -1;
    }
    *data = m->data + b;
    return 0;
}
