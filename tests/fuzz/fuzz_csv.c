/* fuzz_csv — the CSV line splitter (core/csv.c) on the first line of the
 * bytes, and emojify's labelled-sentence reader (labeled.c: CSV records
 * "sentence,label", a header, a byte-order mark, blank lines) on all of
 * them, for 5 classes as the course's data has; then the sentences cut
 * into words as emojify cuts them. */
#include "fuzz.h"

#include <string.h>

#include "csv.h"
#include "labeled.h"
#include "text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[ERR_MAX];
    char *text = fuzz_text(data, size);
    char *nl = strchr(text, '\n');
    char *line = nl ? strndup(text, (size_t)(nl - text)) : strdup(text);
    char *field[8];
    if (!line)
        abort();
    int n = csv_split(line, field, 8, err);
    for (int i = 0; i < n && i < 8; i++)
        if (!field[i])
            abort();
    free(line);

    FILE *f = size ? fmemopen(text, size, "r") : fopen("/dev/null", "r");
    labeled_set s;
    if (f && labeled_read(f, 5, &s, err) == 0) {
        for (int i = 0; i < s.n; i++) {
            if (s.label[i] < 0 || s.label[i] >= 5)
                abort();
            size_t len = strlen(s.text[i]);
            char *buf = malloc(len + 1);
            const char **word = malloc((len + 1) * sizeof *word);
            int *wlen = malloc((len + 1) * sizeof *wlen);
            if (!buf || !word || !wlen)
                abort();
            int k = text_words(s.text[i], len, buf, word, wlen, (int)len + 1);
            for (int j = 0; j < k; j++)
                if (word[j] < buf || word[j] + wlen[j] > buf + len)
                    abort();
            free(buf);
            free(word);
            free(wlen);
        }
        labeled_free(&s);
    }
    if (f)
        fclose(f);
    free(text);
    return 0;
}
