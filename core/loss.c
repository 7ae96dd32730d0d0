/* loss — softmax cross-entropy; see loss.h. */
#include "loss.h"

#include <math.h>
#include <string.h>

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
