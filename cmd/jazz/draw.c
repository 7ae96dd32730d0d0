/* draw — one class drawn from a head's logits, with temperature and
 * nucleus (top-p) sampling; see draw.h. */
#include "draw.h"

#include <stdlib.h>

#include "layers.h"

typedef struct {
    float p;
    int i;
} ranked;

static int by_probability(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->p != y->p)
        return x->p > y->p ? -1 : 1;
    return x->i - y->i;
}

/* Zero every probability outside the nucleus: the most probable classes
 * whose mass first reaches top_p (at least one). */
static void nucleus(float *p, int n, float top_p)
{
    ranked r[JAZZ_PITCHES];
    for (int i = 0; i < n; i++)
        r[i] = (ranked){p[i], i};
    qsort(r, (size_t)n, sizeof *r, by_probability);
    double mass = 0;
    int k = 0;
    while (k < n && (k == 0 || mass < top_p))
        mass += r[k++].p;
    for (; k < n; k++)
        p[r[k].i] = 0.0f;
}

int jazz_draw(float *logits, int n, const jazz_sample_opts *o, rng *r)
{
    if (o->temperature <= 0) {
        int best = 0;
        for (int i = 1; i < n; i++)
            if (logits[i] > logits[best])
                best = i;
        return best;
    }
    softmax_rows(logits, 1, n, o->temperature);
    if (o->top_p < 1)
        nucleus(logits, n, o->top_p);
    return rng_categorical(r, logits, n);
}
