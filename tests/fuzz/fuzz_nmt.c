/* fuzz_nmt — the date translator's input line: the bytes, as one line
 * of `nmt translate` (any bytes: upper case folded, unknown characters,
 * longer than the model reads), encoded and translated, beam search for a
 * valid date, and the ISO parser on the same bytes, as eval reads the
 * answer column.  The first byte, when there is one, chooses the
 * day-month order.  The model is a small random one over the shipped
 * model's characters and input length (every path of the translation is
 * the same, five times faster than the shipped model under the
 * sanitizers), or the model file $SEQTOOL_FUZZ_NMT_MODEL names. */
#include "fuzz.h"

#include <string.h>

#include "dates.h"
#include "seq2seq.h"

static nmt_model M;
static int *ids;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *path = getenv("SEQTOOL_FUZZ_NMT_MODEL");
    char err[ERR_MAX];
    model_in f;
    if (path) {
        if (model_in_open(&f, path, "nmt", err) < 0 || nmt_load(&M, &f, err) < 0) {
            fprintf(stderr, "%s\n", err);
            abort();
        }
        model_in_close(&f);
    } else {
        rng r;
        rng_seed(&r, 1);
        if (nmt_init(&M, " ',-./0123456789abcdefghijlmnoprstuvwy", 31, 4, 8, 4) < 0)
            abort();
        nmt_init_weights(&M, &r);
    }
    if (nmt_reserve(&M, 1) < 0 || !(ids = malloc((size_t)M.Tx * sizeof *ids)))
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int month_first = size > 0 && (data[0] & 1);
    const char *s = size > 0 ? (const char *)data + 1 : "";
    size_t n = size > 0 ? size - 1 : 0, dropped;
    int T = nmt_encode(&M, s, n, month_first, ids, &dropped);
    size_t room = (size_t)M.Tx - 1;
    if (T < 1 || T > M.Tx || dropped != (n > room ? n - room : 0))
        abort();
    nmt_set_row(&M, 0, 1, ids, NULL);
    nmt_forward(&M, 1);
    float logp[NMT_TY * NMT_NOUT];
    char iso[NMT_TY + 1];
    double lp;
    nmt_log_probs(&M, 1, 0, logp);
    if (nmt_best_valid(logp, 1 + (int)(n % NMT_BEAM_MAX), iso, &lp) && strlen(iso) != NMT_TY)
        abort();
    date_ymd d;
    if (date_parse_iso(s, n, &d) == 0 && !date_is_valid(d))
        abort(); /* the parser gives only real dates */
    int k = dates_format_find(s, n);
    (void)k;
    return 0;
}
