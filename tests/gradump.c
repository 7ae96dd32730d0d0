/* gradump — the C side of the PyTorch cross-check (tests/crosscheck.sh):
 *   gradump MODEL NAMES.txt OUT.safetensors
 * loads a dinos model, takes every line of NAMES (lower-cased) as one
 * padded batch, and writes the loss (metadata "loss", nats / batch) and
 * the gradient of every tensor as grad.<name>. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "charlm.h"
#include "model.h"
#include "text.h"

static int fail(const char *msg)
{
    fprintf(stderr, "gradump: %s\n", msg);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 4)
        return fail("usage: gradump MODEL NAMES.txt OUT.safetensors");
    char err[ERR_MAX];
    model_in f;
    charlm m;
    vocab v;
    if (model_in_open(&f, argv[1], "dinos", err) < 0 || charlm_load(&m, &v, &f, err) < 0)
        return fail(err);
    FILE *in = fopen(argv[2], "r");
    text_lines lines;
    if (!in || text_read_lines(in, 1000, &lines, err) < 0)
        return fail("cannot read the names");
    fclose(in);
    int B = lines.n, maxlen = 0;
    int **ids = calloc(B, sizeof *ids), *lens = calloc(B, sizeof *lens);
    for (int b = 0; b < B; b++) {
        const char *s = lines.line[b];
        size_t n = strlen(s);
        ids[b] = malloc((n + 1) * sizeof **ids);
        for (size_t j = 0; j < n;) {
            int cp, k = utf8_decode(s + j, n - j, &cp);
            if (cp >= 'A' && cp <= 'Z')
                cp += 'a' - 'A';
            if ((ids[b][lens[b]++] = vocab_id(&v, cp)) < 1)
                return fail("a name has a character outside the vocabulary");
            j += (size_t)k;
        }
        if (lens[b] > maxlen)
            maxlen = lens[b];
    }
    if (charlm_reserve(&m, maxlen + 1, B) < 0)
        return fail("out of memory");
    int T = charlm_batch(&m, B, (const int *const *)ids, lens);
    charlm_forward(&m, T, B, NULL);
    params_zero_grad(&m.ps);
    double loss = charlm_backward(&m, T, B) / B;
    model_out *out = model_out_new("gradump");
    model_out_metaf(out, "loss", "%.9g", loss);
    for (int i = 0; i < m.ps.n; i++) {
        char name[PARAM_NAME_MAX + 8];
        snprintf(name, sizeof name, "grad.%s", m.ps.p[i].name);
        model_out_tensor(out, name, m.ps.p[i].ndim, m.ps.p[i].shape, params_grad(&m.ps, i));
    }
    if (model_out_write(out, argv[3], err) < 0)
        return fail(err);
    printf("loss %.9g\n", loss);
    model_out_free(out);
    for (int b = 0; b < B; b++)
        free(ids[b]);
    free(ids);
    free(lens);
    text_lines_free(&lines);
    charlm_free(&m);
    model_in_close(&f);
    return 0;
}
