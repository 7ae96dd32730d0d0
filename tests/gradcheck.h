/* gradcheck — the gradient checker of the C unit tests: the analytic
 * gradient against central differences (L(p+e) - L(p-e)) / 2e, the loss
 * accumulated in double, per tensor by the relative error
 * |a - n| / (|a| + |n|) over the whole tensor (L2).  Included by each
 * test program (static functions; one seeded generator R per program).
 * How we know GRAD_TOL is tight enough: see tests/test_core.c, whose
 * faulty builds must fail it.
 */
#ifndef SEQTOOL_GRADCHECK_H
#define SEQTOOL_GRADCHECK_H

#include <math.h>
#include <stddef.h>

#include "params.h"
#include "rng.h"

#define GRAD_EPS 1e-2
#define GRAD_TOL 2e-3

static rng R;

static void fill_uniform(float *x, size_t n, float a)
{
    for (size_t i = 0; i < n; i++)
        x[i] = (2 * rng_uniform(&R) - 1) * a;
}

/* Every tensor of ps uniform in [-a, a]. */
static void fill_params(params *ps, float a)
{
    for (int i = 0; i < ps->n; i++)
        fill_uniform(params_data(ps, i), ps->p[i].size, a);
}

/* ---- the gradient checker ---- */

typedef double (*loss_fn)(void *ctx);

/* Relative error between analytic grad[n] and the numeric gradient of
 * loss w.r.t. x[n]. */
static double grad_error(loss_fn loss, void *ctx, float *x, const float *grad, size_t n)
{
    double diff = 0, norm = 0;
    for (size_t i = 0; i < n; i++) {
        float keep = x[i];
        x[i] = keep + (float)GRAD_EPS;
        double lp = loss(ctx);
        x[i] = keep - (float)GRAD_EPS;
        double lm = loss(ctx);
        x[i] = keep;
        double num = (lp - lm) / (2 * GRAD_EPS);
        diff += (num - grad[i]) * (num - grad[i]);
        norm += (fabs(num) + fabs(grad[i])) * (fabs(num) + fabs(grad[i]));
    }
    return norm > 0 ? sqrt(diff / norm) : 0;
}

/* Worst relative error over every tensor of ps. */
/* Worst relative error over every tensor of ps but tensor skip (-1:
 * none), for a tensor whose true gradient is zero: a relative error of
 * rounding noise means nothing; test that one by its size instead. */
static double params_grad_error_but(loss_fn loss, void *ctx, params *ps, int skip,
                                    const char **worst)
{
    double w = 0;
    for (int i = 0; i < ps->n; i++) {
        if (i == skip)
            continue;
        double e = grad_error(loss, ctx, params_data(ps, i), params_grad(ps, i), ps->p[i].size);
        if (e > w) {
            w = e;
            *worst = ps->p[i].name;
        }
    }
    return w;
}

__attribute__((unused)) static double params_grad_error(loss_fn loss, void *ctx, params *ps, const char **worst)
{
    return params_grad_error_but(loss, ctx, ps, -1, worst);
}

#endif
