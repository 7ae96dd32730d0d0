/* fuzz_raw — raw s16le PCM from a pipe (trigger detect --raw --rate R
 * --channels C): the first byte picks the rate and the channel count,
 * the rest is the stream, which is mixed down and resampled to 16 kHz
 * block by block (audio/wav.c over libsamplerate).  An odd byte count
 * and a frame cut in the middle are what a stream that stops mid-sample
 * gives. */
#include "fuzz.h"

#include "drain.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64], err[ERR_MAX];
    int fd = fuzz_file(data, size, path);
    static const int rates[4] = {8000, 16000, 44100, 1000};
    int pick = size ? data[0] : 0;
    lseek(fd, 1, SEEK_SET);
    drain(wav_stream_open_raw(fd, "fuzz", rates[pick & 3], 1 + (pick >> 2 & 3), 16000, err));
    return 0;
}
