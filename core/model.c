/* model — safetensors reading and writing; see model.h. */
#include "model.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define HEADER_MAX (100u << 20) /* the limit the reference reader uses */

uint32_t crc32_update(uint32_t crc, const void *buf, size_t n)
{
    static uint32_t table[256];
    if (!table[1])
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++)
                c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
    const unsigned char *p = buf;
    crc = ~crc;
    while (n--)
        crc = table[(crc ^ *p++) & 0xFF] ^ (crc >> 8);
    return ~crc;
}

/* ---- writing ---- */

typedef struct {
    char *name;
    int ndim, shape[4];
    size_t size;
    const float *data;
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

int model_out_tensor(model_out *m, const char *name, int ndim,
                     const int *shape, const float *data)
{
    if (ndim < 1 || ndim > 4)
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
    t->ndim = ndim;
    t->size = 1;
    for (int d = 0; d < ndim; d++) {
        t->shape[d] = shape[d];
        t->size *= (size_t)shape[d];
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

/* The data section: little-endian float32, tensors in order. */
static unsigned char *build_data(const model_out *m, size_t *size)
{
    size_t total = 0;
    for (int i = 0; i < m->n; i++)
        total += m->t[i].size * 4;
    unsigned char *buf = malloc(total ? total : 1), *p = buf;
    if (!buf)
        return NULL;
    for (int i = 0; i < m->n; i++)
        for (size_t k = 0; k < m->t[i].size; k++) {
            uint32_t u;
            memcpy(&u, &m->t[i].data[k], 4);
            for (int b = 0; b < 4; b++)
                *p++ = (unsigned char)(u >> (8 * b));
        }
    *size = total;
    return buf;
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
        double offs[2] = {(double)off, (double)(off + t->size * 4)};
        if (!o || !cJSON_AddStringToObject(o, "dtype", "F32") ||
            !cJSON_AddItemToObject(o, "shape", cJSON_CreateIntArray(t->shape, t->ndim)) ||
            !cJSON_AddItemToObject(o, "data_offsets", cJSON_CreateDoubleArray(offs, 2))) {
            cJSON_Delete(root);
            return NULL;
        }
        off += t->size * 4;
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

static int write_all(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int model_out_write(model_out *m, const char *path, char *err)
{
    size_t data_size = 0, hlen = 0;
    unsigned char *data = build_data(m, &data_size);
    char *header = data ? build_header(m, crc32_update(0, data, data_size), &hlen) : NULL;
    if (!header) {
        free(data);
        snprintf(err, MODEL_ERR_MAX, "cannot write '%s': out of memory", path);
        return -1;
    }
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 16);
    int fd = -1, rc = -1;
    if (!tmp)
        goto out;
    snprintf(tmp, plen + 16, "%s.tmp-XXXXXX", path);
    fd = mkstemp(tmp);
    if (fd < 0)
        goto out;
    unsigned char len8[8];
    for (int b = 0; b < 8; b++)
        len8[b] = (unsigned char)((uint64_t)hlen >> (8 * b));
    mode_t mask = umask(0);
    umask(mask);
    if (write_all(fd, len8, 8) < 0 || write_all(fd, header, hlen) < 0 ||
        write_all(fd, data, data_size) < 0 || fchmod(fd, 0666 & ~mask) < 0 ||
        fsync(fd) < 0)
        goto out;
    if (close(fd) < 0) {
        fd = -1;
        goto out;
    }
    fd = -1;
    if (rename(tmp, path) < 0)
        goto out;
    rc = 0;
out:
    if (rc < 0) {
        snprintf(err, MODEL_ERR_MAX, "cannot write '%s': %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        if (tmp)
            unlink(tmp);
    }
    free(tmp);
    free(header);
    free(data);
    return rc;
}

/* ---- reading ---- */

static int fail(char *err, const char *path, const char *what)
{
    snprintf(err, MODEL_ERR_MAX, "'%s': %s", path, what);
    return -1;
}

static int read_file(const char *path, unsigned char **bytes, size_t *size,
                     char *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, MODEL_ERR_MAX, "cannot open '%s': %s", path, strerror(errno));
        return -1;
    }
    size_t cap = 1 << 16, n = 0;
    unsigned char *buf = malloc(cap);
    for (;;) {
        if (!buf) {
            fclose(f);
            return fail(err, path, "out of memory");
        }
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        cap *= 2;
        unsigned char *b = realloc(buf, cap);
        if (!b)
            free(buf);
        buf = b;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        snprintf(err, MODEL_ERR_MAX, "cannot read '%s': %s", path, strerror(errno));
        return -1;
    }
    *bytes = buf;
    *size = n;
    return 0;
}

/* Check one tensor entry: F32, a sane shape, offsets inside the data. */
static int check_tensor(const cJSON *t, size_t data_size, size_t *begin,
                        size_t *end)
{
    const cJSON *dtype = cJSON_GetObjectItemCaseSensitive(t, "dtype");
    const cJSON *shape = cJSON_GetObjectItemCaseSensitive(t, "shape");
    const cJSON *offs = cJSON_GetObjectItemCaseSensitive(t, "data_offsets");
    if (!cJSON_IsString(dtype) || !cJSON_IsArray(shape) ||
        !cJSON_IsArray(offs) || cJSON_GetArraySize(offs) != 2)
        return -1;
    size_t count = 1;
    const cJSON *d;
    cJSON_ArrayForEach(d, shape) {
        if (!cJSON_IsNumber(d) || d->valuedouble < 0 || d->valuedouble > 1e12)
            return -1;
        count *= (size_t)d->valuedouble;
    }
    double b = cJSON_GetArrayItem(offs, 0)->valuedouble;
    double e = cJSON_GetArrayItem(offs, 1)->valuedouble;
    if (b < 0 || e < b || e > (double)data_size)
        return -2;
    *begin = (size_t)b;
    *end = (size_t)e;
    if (strcmp(dtype->valuestring, "F32") == 0 && count * 4 != *end - *begin)
        return -1;
    return 0;
}

int model_in_open(model_in *m, const char *path, const char *kind, char *err)
{
    memset(m, 0, sizeof *m);
    if (read_file(path, &m->bytes, &m->size, err) < 0)
        return -1;
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
            snprintf(err, MODEL_ERR_MAX, "'%s': bad entry for tensor '%s'", path, t->string);
            goto bad;
        }
        if (e > need)
            need = e;
    }
    if (need > m->data_size)
        goto truncated;
    const char *k = model_in_meta(m, "seqtool.kind");
    const char *v = model_in_meta(m, "seqtool.version");
    const char *crc = model_in_meta(m, "seqtool.crc32");
    if (!k || !v || !crc) {
        fail(err, path, "not a seqtool model (no seqtool metadata)");
        goto bad;
    }
    if (kind && strcmp(k, kind) != 0) {
        snprintf(err, MODEL_ERR_MAX, "'%s': is a %s model, not a %s model", path, k, kind);
        goto bad;
    }
    if (strcmp(v, "1") != 0) {
        snprintf(err, MODEL_ERR_MAX, "'%s': model format version %s is not supported (this seqtool reads version %d)",
                 path, v, MODEL_FORMAT_VERSION);
        goto bad;
    }
    char hex[9];
    snprintf(hex, sizeof hex, "%08x", crc32_update(0, m->data, m->data_size));
    if (strcmp(hex, crc) != 0) {
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
    free(m->bytes);
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
        snprintf(err, MODEL_ERR_MAX, "'%s': bad or missing metadata '%s'", m->path, key);
        return -1;
    }
    *out = v;
    return 0;
}

int model_in_has(const model_in *m, const char *name)
{
    return cJSON_GetObjectItemCaseSensitive(m->header, name) != NULL;
}

int model_in_tensor(const model_in *m, const char *name, int ndim,
                    const int *shape, float *dst, char *err)
{
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(m->header, name);
    if (!t || strcmp(name, "__metadata__") == 0) {
        snprintf(err, MODEL_ERR_MAX, "'%s': no tensor '%s'", m->path, name);
        return -1;
    }
    const cJSON *dtype = cJSON_GetObjectItemCaseSensitive(t, "dtype");
    const cJSON *sh = cJSON_GetObjectItemCaseSensitive(t, "shape");
    int ok = strcmp(dtype->valuestring, "F32") == 0 && cJSON_GetArraySize(sh) == ndim;
    for (int d = 0; ok && d < ndim; d++)
        ok = cJSON_GetArrayItem(sh, d)->valuedouble == shape[d];
    if (!ok) {
        snprintf(err, MODEL_ERR_MAX, "'%s': tensor '%s' has the wrong type or shape", m->path, name);
        return -1;
    }
    size_t b, e;
    check_tensor(t, m->data_size, &b, &e);
    const unsigned char *p = m->data + b;
    for (size_t k = 0; k < (e - b) / 4; k++, p += 4) {
        uint32_t u = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
        memcpy(&dst[k], &u, 4);
    }
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
