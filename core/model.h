/* model — seqtool model files: safetensors with seqtool metadata.
 *
 * Layout (the published safetensors format): an 8-byte little-endian
 * header length N, N bytes of JSON header (padded with spaces so the data
 * starts 8-byte aligned), then the data section.  The header maps each
 * tensor name to {"dtype": "F32", "shape": [...], "data_offsets": [b, e]}
 * (offsets relative to the data section, tensors back to back in order)
 * and "__metadata__" to string keys: seqtool.kind, seqtool.version,
 * seqtool.crc32 (CRC-32/IEEE of the data section, 8 hex digits) and the
 * command's own keys (hyper-parameters, vocabulary, training state).
 *
 * Writes go to a temporary file in the target's folder, which is renamed
 * into place only when complete.  Errors come back as a one-line message
 * naming the file, for cmd/ to print.
 */
#ifndef SEQTOOL_MODEL_H
#define SEQTOOL_MODEL_H

#include "error.h"

#include <stddef.h>
#include <stdint.h>

#include "fileio.h"
#include "params.h"

#define MODEL_FORMAT_VERSION 1

/* CRC-32 (IEEE 802.3, as zlib's crc32): start with crc = 0. */
uint32_t crc32_update(uint32_t crc, const void *buf, size_t n);

/* ---- writing ---- */
typedef struct model_out model_out;

/* A new file of the given kind ("dinos", ...); NULL when out of memory. */
model_out *model_out_new(const char *kind);
/* Metadata: string value, or printf-formatted. 0 or -1. */
int model_out_meta(model_out *m, const char *key, const char *value);
int model_out_metaf(model_out *m, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Metadata from pairs: kv[0] = kv[1], kv[2] = kv[3], ... up to a NULL
 * key.  0 or -1. */
int model_out_meta_pairs(model_out *m, const char *const *kv);
/* Add a tensor (the data is referenced, not copied: keep it alive until
 * model_out_write).  0 or -1. */
int model_out_tensor(model_out *m, const char *name, int ndim,
                     const int *shape, const float *data);
/* The same for any safetensors dtype ("U8", "U32", "U64", ...); data holds
 * shape's elements in host order. */
int model_out_tensor_typed(model_out *m, const char *name, const char *dtype,
                           int ndim, const int *shape, const void *data);
/* Add every tensor of ps under its own name. */
int model_out_params(model_out *m, const params *ps);
/* Write atomically to path; 0, or -1 with a message in err. */
int model_out_write(model_out *m, const char *path, char *err);
void model_out_free(model_out *m);

/* ---- reading ---- */
typedef struct {
    char *path;
    file_bytes file;        /* the whole file, mapped or read */
    unsigned char *bytes;   /* file.bytes */
    size_t size;
    void *header;           /* cJSON * */
    const unsigned char *data;
    size_t data_size;
} model_in;

/* Read and validate path: safetensors structure, every tensor within the
 * data and no byte of data outside the tensors, the CRC, seqtool.kind ==
 * kind (if kind is not NULL) and the format version.  The header is judged
 * before the data is read, so a file that is not a model is refused from
 * its first bytes however large it is.  0, or -1 with a message in err. */
int model_in_open(model_in *m, const char *path, const char *kind, char *err);
/* The same, and with verify = 0 the CRC is not checked, so opening a
 * large file costs no pass over its data (structure, bounds, kind and
 * version are still checked).  Files are mapped when they can be. */
int model_in_map(model_in *m, const char *path, const char *kind, int verify, char *err);
void model_in_close(model_in *m);

/* A metadata value, or NULL when absent. */
const char *model_in_meta(const model_in *m, const char *key);
/* A metadata value parsed as an integer in [lo, hi]; 0 or -1 with err. */
int model_in_meta_int(const model_in *m, const char *key, long lo, long hi,
                      long *out, char *err);
/* Tensor i of the file, in header order: its name, dtype and up to max
 * of its dimensions in shape; returns its ndim, or -1 when there is no
 * tensor i. */
int model_in_tensor_at(const model_in *m, int i, const char **name, const char **dtype,
                       long long *shape, int max);
/* 1 when a tensor of that name exists. */
int model_in_has(const model_in *m, const char *name);
/* Copy tensor name, which must be F32 of exactly this shape, into dst. */
int model_in_tensor(const model_in *m, const char *name, int ndim,
                    const int *shape, float *dst, char *err);
/* Copy tensor name, which must have this dtype and exactly this shape,
 * into dst (elements in host order); any alignment.  0, or -1 with err. */
int model_in_tensor_typed(const model_in *m, const char *name, const char *dtype, int ndim,
                          const int *shape, void *dst, char *err);
/* Point *data at tensor name inside the file, without copying: it must have
 * this dtype and ndim (its shape is stored in shape[ndim]) and be aligned
 * for its type.  Valid until model_in_close.  Little-endian hosts only. */
int model_in_view(const model_in *m, const char *name, const char *dtype,
                  int ndim, long long *shape, const void **data, char *err);
/* Fill every tensor of ps from the file by name. */
int model_in_params(const model_in *m, params *ps, char *err);

/* 0 when the file's data could hold floats float32 values; otherwise -1
 * with a message, so that a loader refuses metadata that claims a model
 * far larger than the file before it allocates for it. */
int model_in_fits(const model_in *m, size_t floats, char *err);

#endif
