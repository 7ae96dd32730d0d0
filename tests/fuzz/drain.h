/* drain — what the audio fuzz targets share: read a stream to its end,
 * as trigger detect does, and check the promise of wav_stream_max_block
 * (no block longer than it says). */
#ifndef SEQTOOL_FUZZ_DRAIN_H
#define SEQTOOL_FUZZ_DRAIN_H

#include <stdlib.h>

#include "wav.h"

static inline void drain(wav_stream *s)
{
    char err[ERR_MAX];
    if (!s)
        return;
    const float *x;
    long n;
    size_t max = wav_stream_max_block(s);
    while ((n = wav_stream_read(s, &x, err)) > 0)
        if ((size_t)n > max)
            abort();
    wav_stream_close(s);
}

#endif
