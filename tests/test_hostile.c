/* test_hostile — input that lies: model files whose header or metadata
 * claims far more than the file holds, weights that are not finite, vector
 * files with impossible headers, sparse files of gigabytes, lines of tens
 * of megabytes.  Each is refused with one line, and the peak memory of
 * the process (getrusage) shows that nothing was allocated for what was
 * claimed.  The first of these were found by fuzzing (issue 16); the
 * fuzzers' own finds are replayed by tests/fuzz/replay.c.
 *
 * Outside the sanitizers, the address space is capped (at 4 GB, and at
 * 128 MB more than in use while a model loads), so an allocation sized
 * from a lie fails here even when the kernel would have promised it
 * without touching it, and the message shows it. */
#define _GNU_SOURCE
#include <cjson/cJSON.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "check.h"
#include "fastmath.h"
#include "text.h"
#include "tiny_models.h"

static char dir[] = "/tmp/seqtool-hostile-XXXXXX";

static const char *in_dir(const char *name)
{
    static char path[4][512];
    static int next;
    char *p = path[next++ % 4];
    snprintf(p, sizeof path[0], "%s/%s", dir, name);
    return p;
}

/* Peak resident memory of this process so far, in MB. */
static long peak_mb(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss / 1024;
}

/* Cap the address space at extra MB more than is in use now (0: at 4 GB).
 * Not under AddressSanitizer, whose shadow memory needs terabytes of it. */
static void cap_memory(long extra)
{
#ifndef __SANITIZE_ADDRESS__
    long pages = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f && fscanf(f, "%ld", &pages) != 1)
        pages = 0;
    if (f)
        fclose(f);
    rlim_t cap = extra ? (rlim_t)pages * (rlim_t)sysconf(_SC_PAGESIZE) + ((rlim_t)extra << 20) : (rlim_t)4 << 30;
    struct rlimit as = {cap, (rlim_t)4 << 30};
    setrlimit(RLIMIT_AS, &as);
#else
    (void)extra;
#endif
}

static void write_bytes(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (f) {
        fwrite(p, 1, n, f);
        fclose(f);
    }
}

/* A file of size bytes: head, then a hole (no disk, reads as zeros). */
static void write_sparse(const char *path, const void *head, size_t n, off_t size)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return;
    if (write(fd, head, n) != (ssize_t)n || ftruncate(fd, size) < 0)
        perror(path);
    close(fd);
}

/* A safetensors file by hand: tensors is the header's JSON without the
 * braces and without __metadata__, meta the metadata's extra members
 * (may be ""); the CRC is right, so only the header's claims are hostile. */
static void write_safetensors(const char *path, const char *tensors, const char *meta, const void *data,
                              size_t n)
{
    char header[4096];
    int len = snprintf(header, sizeof header,
                       "{%s%s\"__metadata__\":{\"seqtool.kind\":\"dinos\",\"seqtool.version\":\"1\","
                       "\"seqtool.crc32\":\"%08x\"%s%s}}",
                       tensors, *tensors ? "," : "", crc32_update(0, data, n), *meta ? "," : "", meta);
    FILE *f = fopen(path, "wb");
    for (int b = 0; b < 8; b++)
        fputc(b < 4 ? ((unsigned)len >> (8 * b)) & 0xff : 0, f);
    fwrite(header, 1, (size_t)len, f);
    fwrite(data, 1, n, f);
    fclose(f);
}

/* Rewrite a model file with metadata key set to value (NULL: removed);
 * the data is left as it is, so its CRC still holds.  0 or -1. */
static int rewrite_meta(const char *path, const char *key, const char *value)
{
    model_in f;
    char err[ERR_MAX];
    if (model_in_map(&f, path, NULL, 0, err) < 0)
        return -1;
    cJSON *h = cJSON_Duplicate(f.header, 1), *meta = cJSON_GetObjectItemCaseSensitive(h, "__metadata__");
    cJSON_DeleteItemFromObjectCaseSensitive(meta, key);
    if (value)
        cJSON_AddStringToObject(meta, key, value);
    char *json = cJSON_PrintUnformatted(h);
    size_t n = strlen(json), padded = (n + 7) / 8 * 8;
    unsigned char len8[8];
    for (int b = 0; b < 8; b++)
        len8[b] = (unsigned char)((uint64_t)padded >> (8 * b));
    size_t size = 8 + padded + f.data_size;
    unsigned char *bytes = malloc(size);
    memcpy(bytes, len8, 8);
    memcpy(bytes + 8, json, n);
    memset(bytes + 8 + n, ' ', padded - n);
    memcpy(bytes + 8 + padded, f.data, f.data_size);
    model_in_close(&f);
    write_bytes(path, bytes, size);
    free(bytes);
    free(json);
    cJSON_Delete(h);
    return 0;
}

/* ---- the safetensors reader ---- */

static void test_lying_headers(void)
{
    const char *path = in_dir("hostile.safetensors");
    char err[ERR_MAX];
    model_in f;
    float w[4] = {1, 2, 3, 4}, got[4];
    int shape[1] = {4};

    float nan_w[4] = {1, NAN, 3, 4};
    write_safetensors(path, "\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}", "", nan_w, 16);
    int rc = model_in_open(&f, path, "dinos", err);
    check(rc == 0 && model_in_tensor(&f, "w", 1, shape, got, err) < 0 && strstr(err, "not finite"),
          "a NaN weight is refused when read: %s", err);
    if (rc == 0)
        model_in_close(&f);
    float inf_w[4] = {1, 2, -INFINITY, 4};
    write_safetensors(path, "\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}", "", inf_w, 16);
    rc = model_in_open(&f, path, "dinos", err);
    check(rc == 0 && model_in_tensor(&f, "w", 1, shape, got, err) < 0 && strstr(err, "not finite"),
          "an infinite weight is refused when read: %s", err);
    if (rc == 0)
        model_in_close(&f);

    write_safetensors(path, "\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,18446744073709551616]}", "", w,
                      16);
    check(model_in_open(&f, path, "dinos", err) < 0 && strstr(err, "bad entry"), "an offset of 2^64 is refused: %s", err);
    write_safetensors(path, "\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,0]}", "", w,
                      16);
    check(model_in_open(&f, path, "dinos", err) < 0 && strstr(err, "bad entry"),
          "a shape whose element count wraps to 0 is refused: %s", err);
    write_safetensors(path, "\"w\":{\"dtype\":\"F32\",\"shape\":[2.5],\"data_offsets\":[0,10]}", "", w, 16);
    check(model_in_open(&f, path, "dinos", err) < 0 && strstr(err, "bad entry"), "a fractional dimension is refused: %s",
          err);

    long before = peak_mb();
    write_safetensors(path, "\"w\":{\"dtype\":\"F32\",\"shape\":[100000,100000],\"data_offsets\":[0,40000000000]}", "",
                      w, 16);
    check(model_in_open(&f, path, "dinos", err) < 0 && strstr(err, "truncated") && peak_mb() - before < 16,
          "a header claiming a tensor of 40 GB in a file of 16 bytes is refused, no memory for it: %s", err);
    write_safetensors(path, "\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}", "", w, 16);
    check(model_in_open(&f, path, "dinos", err) < 0 && strstr(err, "8 bytes after the last tensor"),
          "bytes after the last tensor are refused: %s", err);
}

/* Sparse files of a gigabyte: judged by their first bytes, never read
 * (or mapped in) whole. */
static void test_sparse_files(void)
{
    const char *path = in_dir("sparse.bin");
    char err[ERR_MAX];
    model_in f;
    vectors v;
    long before = peak_mb();
    write_sparse(path, "", 0, (off_t)1 << 30);
    check(model_in_open(&f, path, "dinos", err) < 0 && strstr(err, "bad header"),
          "a sparse 1 GB file of zeros is not a model: %s", err);
    check(vectors_load(&v, path, VEC_AUTO, err) < 0 && strstr(err, "NUL byte"),
          "a sparse 1 GB file of zeros is not vectors: %s", err);
    check(vectors_load(&v, path, VEC_WORD2VEC_BIN, err) < 0, "nor word2vec binary: %s", err);
    /* a real header, then a gigabyte of nothing */
    char head[256];
    write_safetensors(in_dir("small.safetensors"), "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}",
                      "", "\0\0\0\0", 4);
    FILE *s = fopen(in_dir("small.safetensors"), "rb");
    size_t n = fread(head, 1, sizeof head, s);
    fclose(s);
    write_sparse(path, head, n, (off_t)1 << 30);
    check(model_in_open(&f, path, "dinos", err) < 0 && strstr(err, "after the last tensor"),
          "a model header followed by a 1 GB hole is refused from its header: %s", err);
    write_sparse(path, "3 4\n", 4, (off_t)1 << 30);
    check(vectors_load(&v, path, VEC_AUTO, err) < 0 && (strstr(err, "line 2") || strstr(err, "record 1")),
          "a word2vec header followed by a 1 GB hole is refused at its first record: %s", err);
    long grew = peak_mb() - before;
    check(grew < 32, "the sparse files cost %ld MB of memory (under 32)", grew);
    unlink(path);
}

/* NaN over the second value of float32 tensor name (ndim dimensions) of
 * the file at path, a model_in of kind; the other bytes kept.  0, or -1
 * with err. */
static int nan_in_tensor(const char *path, const char *kind, const char *name, int ndim, char *err)
{
    model_in f;
    if (model_in_open(&f, path, kind, err) < 0)
        return -1;
    long long shape[4];
    const void *data;
    int ok = ndim <= 4 && model_in_view(&f, name, "F32", ndim, shape, &data, err) == 0;
    size_t at = ok ? (size_t)((const unsigned char *)data - f.bytes) + 4 : 0, size = f.size;
    unsigned char *bytes = ok ? malloc(size) : NULL;
    if (bytes)
        memcpy(bytes, f.bytes, size);
    model_in_close(&f);
    if (!bytes)
        return -1;
    float nan = NAN;
    memcpy(bytes + at, &nan, 4);
    write_bytes(path, bytes, size);
    free(bytes);
    return 0;
}

/* ---- every command's model: metadata claiming more than the file ---- */

typedef int (*loader)(const model_in *f, char *err);

/* load_KIND(f, err): KIND's model of f loaded into a local, then freed;
 * load's answer.  A load that fails part way frees what it made, or
 * (always 1) leaves it to be freed from the zeroed model. */
#define LOADER(kind, type, load, release, always)            \
    static int load_##kind(const model_in *f, char *err)     \
    {                                                        \
        type m;                                              \
        memset(&m, 0, sizeof m);                             \
        int rc = load(&m, f, err);                           \
        if (rc == 0 || (always))                             \
            release(&m);                                     \
        return rc;                                           \
    }

static int charlm_load_alone(charlm *m, const model_in *f, char *err)
{
    vocab v;
    return charlm_load(m, &v, f, err);
}

LOADER(dinos, charlm, charlm_load_alone, charlm_free, 1)
LOADER(emojify, emo_model, emo_load, emo_free, 0)
LOADER(nmt, nmt_model, nmt_load, nmt_free, 1)
LOADER(jazz, jazz_model, jazz_model_load, jazz_model_free, 0)
LOADER(trigger, wakemodel, wakemodel_from, wakemodel_free, 0)

/* The tiny model of a kind loads; with key set to value it is refused
 * with want in the message, and without memory for the claim. */
static void claim(const char *kind, int (*make)(const char *, char *), loader load, const char *key,
                  const char *value, const char *want)
{
    char err[ERR_MAX] = "", name[64];
    snprintf(name, sizeof name, "%s.safetensors", kind);
    const char *path = in_dir(name);
    model_in f;
    int ok = make(path, err) == 0 && model_in_open(&f, path, kind, err) == 0;
    if (ok) {
        ok = load(&f, err) == 0;
        model_in_close(&f);
    }
    if (!check(ok, "the tiny %s model loads %s", kind, err))
        return;
    long before = peak_mb();
    ok = rewrite_meta(path, key, value) == 0 && model_in_open(&f, path, kind, err) == 0;
    if (ok) {
        cap_memory(128);
        ok = load(&f, err) < 0 && strstr(err, want);
        cap_memory(0);
        model_in_close(&f);
    }
    long grew = peak_mb() - before;
    check(ok && grew < 16, "%s: %s = %s is refused before allocating (%ld MB): %s", kind, key, value, grew, err);
}

static int make_emojify(const char *path, char *err) { return tiny_emojify(path, EMO_V2, err); }

static void test_lying_metadata(void)
{
    claim("dinos", tiny_dinos, load_dinos, "dinos.hidden", "8192", "file holds at most");
    claim("emojify", make_emojify, load_emojify, "emojify.hidden", "100000", "file holds at most");
    claim("emojify", make_emojify, load_emojify, "emojify.dim", "100000", "file holds at most");
    claim("nmt", tiny_nmt, load_nmt, "nmt.n_a", "4096", "file holds at most");
    claim("nmt", tiny_nmt, load_nmt, "nmt.n_s", "4096", "file holds at most");
    claim("jazz", tiny_jazz, load_jazz, "jazz.hidden", "8192", "file holds at most");
    claim("trigger", tiny_trigger, load_trigger, "trigger.arch", "conv:4096:64:1,gru:2048,dense",
          "file holds at most");
    claim("trigger", tiny_trigger, load_trigger, "trigger.members", "8", "no tensor 'm1.");
    claim("trigger", tiny_trigger, load_trigger, "trigger.members", "9", "not a number from 1 to 8");

    /* emojify's word vectors are a view into the file, checked as copied */
    char err[ERR_MAX] = "";
    const char *path = in_dir("emojify-nan.safetensors");
    model_in f;
    int ok = tiny_emojify(path, EMO_V1, err) == 0 && nan_in_tensor(path, "emojify", "embedding.weight", 2, err) == 0;
    if (ok) {
        /* the CRC would catch it: as a tool rewriting it would, set it right */
        ok = ok && model_in_map(&f, path, "emojify", 0, err) == 0;
        if (ok) {
            char hex[9];
            snprintf(hex, sizeof hex, "%08x", crc32_update(0, f.data, f.data_size));
            model_in_close(&f);
            ok = rewrite_meta(path, "seqtool.crc32", hex) == 0 && model_in_open(&f, path, "emojify", err) == 0;
        }
        if (ok) {
            ok = load_emojify(&f, err) < 0 && strstr(err, "not finite");
            model_in_close(&f);
        }
    }
    check(ok, "emojify: a NaN among the word vectors is refused: %s", err);
}

/* ---- vector files ---- */

static void test_vector_claims(void)
{
    char err[ERR_MAX];
    vectors v;
    const char *names[3] = {"dims.vec", "dims.txt", "dims.bin"};
    for (int i = 0; i < 3; i++) {
        write_bytes(in_dir(names[i]), "400000 1000000000\nthe 0.1 0.2\n", 30);
        check(vectors_load(&v, in_dir(names[i]), VEC_AUTO, err) < 0 && strstr(err, "more than 100000 values"),
              "%s: a header of 400000 words of 1000000000 values is refused: %s", names[i], err);
    }
    check(vectors_load(&v, in_dir("dims.bin"), VEC_WORD2VEC_BIN, err) < 0 && strstr(err, "more than 100000 values"),
          "the same read as word2vec binary: %s", err);

    /* a 60 KB .vec file whose header claims 100,000 values a word */
    const char *path = in_dir("claims.vec");
    FILE *vf = fopen(path, "w");
    fprintf(vf, "60000 100000\n");
    for (int i = 0; i < 6000; i++)
        fprintf(vf, "w%d 0.5\n", i);
    fclose(vf);
    long before = peak_mb();
    check(vectors_load(&v, path, VEC_AUTO, err) < 0 && strstr(err, "expected 100000 values") && peak_mb() - before < 16,
          "a .vec header claiming 100000 dimensions is refused before allocating: %s", err);
    /* a first record that holds them, then a million blank lines: the
     * table the lines would need is refused from the count */
    vf = fopen(path, "w");
    fprintf(vf, "1000000 100000\nw");
    for (int i = 0; i < 100000; i++)
        fputs(" 0", vf);
    for (int i = 0; i < 1000000; i++)
        fputc('\n', vf);
    fclose(vf);
    check(vectors_load(&v, path, VEC_AUTO, err) < 0 && strstr(err, "cannot hold") && peak_mb() - before < 64,
          "a million blank lines under a header of 100000 values are refused before allocating: %s", err);

    write_bytes(path, "2 3\na 1 2 3\nb 1 nan 3\n", 22);
    check(vectors_load(&v, path, VEC_AUTO, err) < 0 && strstr(err, "line 3: a value that is not finite"),
          "a nan in a .vec file is refused: %s", err);
    write_bytes(path, "a 1 2 3\nb 1 2 1e39\n", 19);
    check(vectors_load(&v, path, VEC_GLOVE, err) < 0 && strstr(err, "line 2: a value that is not finite"),
          "a value too large for float32 in GloVe text is refused: %s", err);
    unsigned char bin[] = "1 2\nw \0\0\x80\x3f\0\0\x80\x7f\n";
    write_bytes(path, bin, sizeof bin - 1);
    check(vectors_load(&v, path, VEC_WORD2VEC_BIN, err) < 0 && strstr(err, "record 1: a value that is not finite"),
          "an infinity in word2vec binary is refused: %s", err);

    /* 8-bit rows whose scale is NaN (the mapped form is not CRC-checked) */
    path = in_dir("int8.safetensors");
    int ok = tiny_vectors(path, VEC_SAFETENSORS, 1, err) == 0 && nan_in_tensor(path, "vectors", "scales", 1, err) == 0;
    check(ok && vectors_load(&v, path, VEC_SAFETENSORS, err) < 0 && strstr(err, "row 1 is not finite"),
          "8-bit vectors with a NaN scale are refused: %s", err);
}

/* ---- lines ---- */

static ssize_t read_as(void *cookie, char *buf, size_t n)
{
    size_t *left = cookie;
    n = n < *left ? n : *left;
    memset(buf, 'a', n);
    *left -= n;
    return (ssize_t)n;
}

static void test_long_lines(void)
{
    /* a stream of 256 MB without a newline, made as it is read */
    size_t left = (size_t)256 << 20;
    cookie_io_functions_t io = {read_as, NULL, NULL, NULL};
    FILE *f = fopencookie(&left, "r", io);
    char err[ERR_MAX];
    text_lines t;
    long before = peak_mb();
    check(text_read_lines(f, 1000, &t, err) < 0 && strstr(err, "line 1: longer than 1000 bytes") &&
              peak_mb() - before < 8 && left > ((size_t)255 << 20),
          "a line of 256 MB is refused after reading 1001 bytes of it: %s", err);
    fclose(f);
    f = fmemopen("ab\r\n\xc3\xa9t\xc3\xa9\ncd", 12, "r");
    int ok = text_read_lines(f, 5, &t, err) == 0 && t.n == 3 && strcmp(t.line[0], "ab") == 0 &&
             strcmp(t.line[1], "\xc3\xa9t\xc3\xa9") == 0 && strcmp(t.line[2], "cd") == 0;
    check(ok, "a line of exactly the limit is read whole, and \"\\r\\n\" ends a line as \"\\n\" does");
    if (ok)
        text_lines_free(&t);
    fclose(f);
}

/* ---- numbers that are not numbers ---- */

static void test_nan_math(void)
{
    float nan = NAN;
    check(isnan(exp_approx(nan)) && isnan(sigmoid_approx(nan)) && isnan(tanh_approx(nan)),
          "exp, sigmoid and tanh of NaN give NaN (no undefined shift)");
    check(fabsf(exp_approx(1.0f) - 2.7182818f) < 1e-6f && exp_approx(-1000.0f) == exp_approx(-87.0f) &&
              exp_approx(1000.0f) == exp_approx(88.0f),
          "exp_approx is unchanged on numbers: e^1, and the clamp at -87 and 88");
}

int main(void)
{
    cap_memory(0);
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_lying_headers();
    test_sparse_files();
    test_lying_metadata();
    test_vector_claims();
    test_long_lines();
    test_nan_math();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return check_exit();
}
