/* optim — optimizers and clipping; see optim.h. */
#include "optim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tensor.h"
#include "text.h"

static const char *const optim_names[] = {"sgd", "momentum", "adam"};

int optim_kind_parse(const char *s) { return text_index_of(optim_names, 3, s); }

const char *optim_kind_name(optim_kind k) { return optim_names[k]; }

int optim_init(optimizer *o, optim_kind kind, float lr, size_t n)
{
    memset(o, 0, sizeof *o);
    o->kind = kind;
    o->lr = lr;
    o->momentum = 0.9f;
    o->beta1 = 0.9f;
    o->beta2 = 0.999f;
    o->eps = 1e-8f;
    o->n = n;
    if (kind != OPTIM_SGD) {
        o->m = vec_alloc(n);
        if (!o->m)
            return -1;
    }
    if (kind == OPTIM_ADAM) {
        o->v = vec_alloc(n);
        if (!o->v)
            return -1;
    }
    return 0;
}

void optim_free(optimizer *o)
{
    free(o->m);
    free(o->v);
    o->m = o->v = NULL;
}

float optim_lr(const optimizer *o)
{
    return o->lr / (1.0f + o->decay * (float)o->step);
}

void optim_step(optimizer *o, params *ps)
{
    float lr = optim_lr(o);
    float *p = ps->data, *g = ps->grad;
    size_t n = ps->total;
    o->step++;
    if (o->kind == OPTIM_SGD) {
        for (size_t i = 0; i < n; i++)
            p[i] -= lr * g[i];
    } else if (o->kind == OPTIM_MOMENTUM) {
        float mu = o->momentum, *m = o->m;
        for (size_t i = 0; i < n; i++) {
            m[i] = mu * m[i] + g[i];
            p[i] -= lr * m[i];
        }
    } else {
        float b1 = o->beta1, b2 = o->beta2, *m = o->m, *v = o->v;
        float c1 = 1.0f / (1.0f - powf(b1, (float)o->step));
        float c2 = 1.0f / (1.0f - powf(b2, (float)o->step));
        for (size_t i = 0; i < n; i++) {
            m[i] = b1 * m[i] + (1.0f - b1) * g[i];
            v[i] = b2 * v[i] + (1.0f - b2) * g[i] * g[i];
            p[i] -= lr * (m[i] * c1) / (sqrtf(v[i] * c2) + o->eps);
        }
    }
}

void clip_by_value(params *ps, float c)
{
    float *g = ps->grad;
    for (size_t i = 0; i < ps->total; i++) {
        float v = g[i] < -c ? -c : g[i];
        g[i] = v > c ? c : v;
    }
}

double clip_by_global_norm(params *ps, float max_norm)
{
    double ss = 0.0;
    float *g = ps->grad;
    for (size_t i = 0; i < ps->total; i++)
        ss += (double)g[i] * g[i];
    double norm = sqrt(ss);
    if (norm > max_norm) {
        float s = (float)(max_norm / norm);
        for (size_t i = 0; i < ps->total; i++)
            g[i] *= s;
    }
    return norm;
}
