/* fuzz_lines — the line reader every file of lines goes through
 * (text_read_lines: names, sentences, questions, lists) with the dinos
 * names limit of 1000 bytes, then what dinos does with names: each
 * line's characters into a vocabulary (UTF-8 decoded, sorted), the
 * vocabulary written and read back as a model file keeps it, and each
 * line repaired for display as --json does. */
#include "fuzz.h"

#include <string.h>

#include "text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[ERR_MAX];
    char *text = fuzz_text(data, size);
    FILE *f = size ? fmemopen(text, size, "r") : fopen("/dev/null", "r");
    text_lines t;
    if (!f)
        abort();
    if (text_read_lines(f, 1000, &t, err) == 0) {
        vocab v = {0};
        for (int i = 0; i < t.n; i++) {
            const char *s = t.line[i];
            size_t n = t.len[i];
            if (n > 1000 || strlen(s) != n || !utf8_valid(s, n))
                abort(); /* what the reader promises */
            for (size_t j = 0; j < n;) {
                int cp, k = utf8_decode(s + j, n - j, &cp);
                if (k < 1)
                    abort();
                vocab_add(&v, cp);
                j += (size_t)k;
            }
            char *shown = malloc(3 * n + 1);
            if (!shown)
                abort();
            utf8_repair(s, n, shown);
            free(shown);
        }
        char *s = vocab_to_utf8(&v);
        vocab back;
        if (!s || (v.n && (vocab_from_utf8(&back, s) < 0 || back.n != v.n)))
            abort(); /* a vocabulary survives its model file */
        free(s);
        text_lines_free(&t);
    }
    /* the same bytes as a vocabulary string, as a model's metadata holds it */
    vocab v;
    if (vocab_from_utf8(&v, text) == 0) {
        char *s = vocab_to_utf8(&v);
        if (!s || strcmp(s, text) != 0)
            abort();
        free(s);
    }
    fclose(f);
    free(text);
    return 0;
}
