/* params — registry of named tensors; see params.h. */
#include "params.h"

#include <stdlib.h>
#include <string.h>

#include "tensor.h"

int params_add(params *ps, const char *name, int ndim, const int *shape)
{
    if (strlen(name) >= PARAM_NAME_MAX || ndim < 1 || ndim > PARAM_MAX_DIMS)
        return -1;
    if (ps->n == ps->cap) {
        int cap = ps->cap ? 2 * ps->cap : 16;
        param *p = realloc(ps->p, cap * sizeof *p);
        if (!p)
            return -1;
        ps->p = p;
        ps->cap = cap;
    }
    param *t = &ps->p[ps->n];
    memset(t, 0, sizeof *t);
    strcpy(t->name, name);
    t->ndim = ndim;
    t->size = 1;
    for (int d = 0; d < ndim; d++) {
        t->shape[d] = shape[d];
        t->size *= (size_t)shape[d];
    }
    t->offset = ps->total;
    ps->total += t->size;
    return ps->n++;
}

int params_alloc(params *ps)
{
    ps->data = vec_alloc(ps->total);
    ps->grad = vec_alloc(ps->total);
    return ps->data && ps->grad ? 0 : -1;
}

int params_alloc_shared(params *ps, float *data)
{
    ps->data = data;
    ps->shared = 1;
    ps->grad = vec_alloc(ps->total);
    return ps->grad ? 0 : -1;
}

void params_free(params *ps)
{
    free(ps->p);
    if (!ps->shared)
        free(ps->data);
    free(ps->grad);
    memset(ps, 0, sizeof *ps);
}

float *params_data(const params *ps, int i) { return ps->data + ps->p[i].offset; }
float *params_grad(const params *ps, int i) { return ps->grad + ps->p[i].offset; }

int params_find(const params *ps, const char *name)
{
    for (int i = 0; i < ps->n; i++)
        if (strcmp(ps->p[i].name, name) == 0)
            return i;
    return -1;
}

void params_zero_grad(params *ps) { vec_zero(ps->grad, ps->total); }
