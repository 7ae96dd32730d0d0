/* fuzz_wav — the audio readers (audio/wav.c over libsndfile and
 * libsamplerate): the bytes as a file of any format libsndfile knows,
 * read whole at its own rate, and streamed block by block resampled to
 * 16 kHz as trigger reads it.  Raw PCM has its own target, fuzz_raw
 * (libsndfile's opening of a file is most of this one's time). */
#include "fuzz.h"

#include <math.h>
#include <string.h>

#include "wav.h"
#include "drain.h"

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64], err[ERR_MAX];
    int fd = fuzz_file(data, size, path);
    whole(fd, 0);
    lseek(fd, 0, SEEK_SET);
    drain(wav_stream_open_fd(fd, "fuzz", 16000, err));
    return 0;
}
