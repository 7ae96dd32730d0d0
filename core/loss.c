/* loss — softmax and sigmoid cross-entropies; see loss.h. */
#include "loss.h"

#include <math.h>
#include <string.h>

#include "fault.h"
#include "tensor.h"

#define SCRATCH 256

double loss_softmax_xent(float *logits, const int *targets, int N, int V,
                         float scale, float *dlogits)
{
    double total = 0.0;
    for (int i = 0; i < N; i++) {
        float *z = logits + (size_t)i * V;
        float *d = dlogits ? dlogits + (size_t)i * V : NULL;
        int y = targets[i];
        if (y < 0) {
            if (d)
                memset(d, 0, V * sizeof *d);
            continue;
        }
        float mx = z[0], zy = z[y];
        for (int j = 1; j < V; j++)
            if (z[j] > mx)
                mx = z[j];
        /* e^(z - max) goes to d, or to a scratch row when d is NULL. */
        float scratch[SCRATCH], *e = d ? d : V <= SCRATCH ? scratch : NULL;
        double sum = 0.0;
        if (e) {
            for (int j = 0; j < V; j++)
                e[j] = z[j] - mx;
            vec_exp(e, V);
            for (int j = 0; j < V; j++)
                sum += e[j];
        } else {
            for (int j = 0; j < V; j++)
                sum += exp((double)(z[j] - mx));
        }
        total += log(sum) + mx - zy;
        if (d) {
            float s = (float)(scale / sum);
            for (int j = 0; j < V; j++)
                d[j] *= s;
            d[y] -= scale;
        }
    }
    return total;
}

double loss_sigmoid_xent(const float *logits, const float *targets, const float *mask,
                         size_t n, float w_pos, float w_neg, float *dlogits)
{
    double count = 0, total = 0;
    for (size_t i = 0; i < n; i++)
        count += mask ? mask[i] : 1.0f;
    for (size_t i = 0; i < n; i++) {
        double m = mask ? mask[i] : 1.0, z = logits[i], y = targets[i];
        if (m == 0 || count <= 0) {
            if (dlogits)
                dlogits[i] = 0.0f;
            continue;
        }
        /* e = e^-|z| < 1: softplus(z) = max(z, 0) + log1p(e), and s(z),
         * 1 - s(z) as 1 / (1 + e) and e / (1 + e), whichever is which */
        double e = exp(-fabs(z)), lp = log1p(e);
        double big = 1 / (1 + e), small = e / (1 + e);
        double s = z >= 0 ? big : small, s1 = z >= 0 ? small : big;
        double sp_pos = (z > 0 ? z : 0) + lp, sp_neg = (z < 0 ? -z : 0) + lp;
        total += m * (w_pos * y * sp_neg + w_neg * (1 - y) * sp_pos);
        if (dlogits)
            dlogits[i] = (float)(m * (FAULT(6) * w_neg * (1 - y) * s - w_pos * y * s1) / count);
    }
    return count > 0 ? total / count : 0.0;
}
