/* xdump — what the C sides of the PyTorch cross-checks of nmt and emojify
 * share (test_nmt --dump, test_emojify --dump; tests/crosscheck.sh):
 * integer arrays written as F32 tensors, the gradient of every parameter
 * as grad.<name>, and a file written into the dump's folder.  Static
 * functions: included by one test program each. */
#ifndef SEQTOOL_XDUMP_H
#define SEQTOOL_XDUMP_H

#include <stdio.h>

#include "model.h"
#include "params.h"

/* Add ints v of the given shape as the F32 tensor name; buf holds as
 * many floats and must stay alive until the file is written.  0 or -1. */
static int xdump_ints(model_out *out, const char *name, int ndim, const int *shape,
                      const int *v, float *buf)
{
    int n = 1;
    for (int d = 0; d < ndim; d++)
        n *= shape[d];
    for (int i = 0; i < n; i++)
        buf[i] = (float)v[i];
    return model_out_tensor(out, name, ndim, shape, buf);
}

/* Add grad.<name> for every tensor of ps.  0 or -1. */
static int xdump_grads(model_out *out, const params *ps)
{
    for (int i = 0; i < ps->n; i++) {
        char name[PARAM_NAME_MAX + 8];
        snprintf(name, sizeof name, "grad.%s", ps->p[i].name);
        if (model_out_tensor(out, name, ps->p[i].ndim, ps->p[i].shape, params_grad(ps, i)) < 0)
            return -1;
    }
    return 0;
}

/* Write out to DIR/FILE and free it (out may be NULL: out of memory).
 * 0, or -1 with a line on stderr. */
static int xdump_write(model_out *out, const char *dir, const char *file)
{
    char path[4096], err[ERR_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    int rc = out ? model_out_write(out, path, err) : -1;
    if (rc < 0)
        fprintf(stderr, "xdump: %s: %s\n", path, out ? err : "out of memory");
    model_out_free(out);
    return rc;
}

#endif
