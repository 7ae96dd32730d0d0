/* params — a named set of trainable tensors with their gradients.
 *
 * Layers register their tensors (name and shape) first; params_alloc then
 * places every value in one buffer and every gradient in a second one of
 * the same layout, so optimizers, clipping and the model file walk a flat
 * array and training allocates nothing per step.
 */
#ifndef SEQTOOL_PARAMS_H
#define SEQTOOL_PARAMS_H

#include <stddef.h>

#include "rng.h"

#define PARAM_NAME_MAX 64
#define PARAM_MAX_DIMS 4

typedef struct {
    char name[PARAM_NAME_MAX];
    int ndim;
    int shape[PARAM_MAX_DIMS];
    size_t size;   /* number of floats */
    size_t offset; /* into params.data / params.grad */
} param;

typedef struct {
    param *p;
    int n, cap;
    size_t total;  /* floats in all tensors */
    float *data;   /* values, all tensors back to back */
    float *grad;   /* gradients, same layout */
    int shared;    /* data belongs to another set (params_alloc_shared) */
} params;

/* Register a tensor of the given shape; returns its index, or -1 when out
 * of memory or the name is too long.  Only before params_alloc. */
int params_add(params *ps, const char *name, int ndim, const int *shape);

/* Allocate zeroed values and gradients; 0 or -1 (out of memory). */
int params_alloc(params *ps);

/* For a replica of a set with the same tensors: its own zeroed gradients,
 * and the values of data (not copied, not freed here).  0 or -1. */
int params_alloc_shared(params *ps, float *data);

void params_free(params *ps);

/* Pointers to tensor i's values and gradient. */
float *params_data(const params *ps, int i);
float *params_grad(const params *ps, int i);

/* Index of the tensor with this name, or -1. */
int params_find(const params *ps, const char *name);

void params_zero_grad(params *ps);

#endif
