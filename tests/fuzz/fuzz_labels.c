/* fuzz_labels — trigger's labels.tsv reader (cmd/trigger/labels.c: "FILE"
 * or "FILE<TAB>ONSET<TAB>OFFSET" per line), then what training does with
 * each clip: its 1375 targets over 10 s, the course's, and over a clip of
 * the length the first byte chooses; each clip found again by name. */
#include "fuzz.h"

#include <math.h>
#include <string.h>

#include "labels.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64], err[ERR_MAX];
    fuzz_file(data, size, path);
    label_set s;
    if (labels_read(path, &s, err) < 0)
        return 0;
    static float y[1375];
    int clip_ms = size ? 1 + data[0] * 100 : 10000;
    for (int i = 0; i < s.n; i++) {
        const label_clip *c = &s.clip[i];
        if (labels_find(&s, c->file) != c)
            abort(); /* one clip per distinct file */
        for (int k = 0; k < c->n; k++)
            if (!(c->onset[k] < c->offset[k]) || !isfinite(c->offset[k]))
                abort();
        labels_targets(c->offset, c->n, 1375, 10000, LABELS_SECONDS, y);
        labels_targets(c->offset, c->n, 1375, clip_ms, LABELS_SECONDS, y);
    }
    labels_free(&s);
    return 0;
}
