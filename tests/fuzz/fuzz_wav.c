/* fuzz_wav — the audio readers (audio/wav.c over libsndfile and
 * libsamplerate): the bytes as a file of any format libsndfile knows,
 * read whole at its own rate, and streamed block by block resampled to
 * 16 kHz as trigger reads it; then as raw s16le PCM (trigger detect
 * --raw), its rate and channel count chosen by the first byte. */
#include "fuzz.h"

#include <math.h>
#include <string.h>

#include "wav.h"

static void whole(int fd, int rate)
{
    char err[ERR_MAX];
    wav_audio a;
    lseek(fd, 0, SEEK_SET);
    if (wav_read_fd(fd, "fuzz", rate, &a, err) == 0) {
        if (a.rate < WAV_MIN_RATE || a.rate > WAV_MAX_RATE || (rate && a.rate != rate))
            abort();
        for (size_t i = 0; i < a.n; i++)
            if (!isfinite(a.samples[i]))
                abort(); /* what every reader of audio counts on */
        wav_free(&a);
    }
}

static void stream(wav_stream *s)
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64], err[ERR_MAX];
    int fd = fuzz_file(data, size, path);
    whole(fd, 0);
    lseek(fd, 0, SEEK_SET);
    stream(wav_stream_open_fd(fd, "fuzz", 16000, err));
    static const int rates[4] = {8000, 16000, 44100, 1000};
    int pick = size ? data[0] : 0;
    lseek(fd, 1, SEEK_SET);
    stream(wav_stream_open_raw(fd, "fuzz", rates[pick & 3], 1 + (pick >> 2 & 3), 16000, err));
    return 0;
}
