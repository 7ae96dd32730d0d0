/* wav — audio in and out: any format libsndfile reads, as mono float32
 * samples at the rate the caller asks for.
 *
 * Reading mixes the channels down by averaging them and resamples with
 * libsamplerate's SRC_SINC_MEDIUM_QUALITY converter (band-limited sinc
 * interpolation; its documentation gives 97 dB SNR over 90% of the lower
 * Nyquist band, at several times the speed of SRC_SINC_BEST_QUALITY,
 * which buys nothing for 16 kHz speech features); a stream already at the requested rate is passed
 * through untouched.  Integer samples become floats in [-1, 1) by dividing
 * by 2^(bits-1), as libsndfile does; floating-point samples beyond [-1, 1]
 * are clipped to it (as SoX does), and a NaN or infinite one is an error.
 *
 * Everything is read through one streaming path (wav_stream): input comes
 * in blocks of WAV_BLOCK frames, the resampler's state is carried from block
 * to block, and end of input is signalled to it once at the end.  A whole
 * file (wav_read), the same file through a pipe, and the same samples as
 * raw s16le PCM therefore give bit-identical output: the resampler sees the
 * same input in the same blocks whatever way the bytes arrived.
 *
 * Nothing here prints or exits; a failure returns -1 (or NULL) with one
 * line in the caller's err[ERR_MAX].
 */
#ifndef SEQTOOL_WAV_H
#define SEQTOOL_WAV_H

#include "error.h"

#include <stddef.h>
#include <stdint.h>

/* Input frames read (and resampled) per step of a stream. */
#define WAV_BLOCK 4096
/* The longest audio wav_read holds in memory (4 hours); longer input is
 * refused with a message, before allocating when the length is known.
 * Streams have no limit. */
#define WAV_MAX_SECONDS (4 * 3600)
/* Sample rates accepted, in and out (Hz). */
#define WAV_MIN_RATE 1000
#define WAV_MAX_RATE 768000
/* Channels accepted in one stream. */
#define WAV_MAX_CHANNELS 256

/* Mono audio: n samples at rate Hz, and what the source was. */
typedef struct {
    float *samples;
    size_t n;
    int rate;
    int source_rate, source_channels;
} wav_audio;

/* Read the audio file at path ("-" for standard input) into out, mono at
 * target_rate Hz (0: the file's own rate).  0, or -1 with a message: the
 * file cannot be opened, libsndfile does not recognise it, it has more
 * than WAV_MAX_SECONDS of audio, a rate or channel count out of range.  A
 * file with no frames gives n = 0.  Free out with wav_free. */
int wav_read(const char *path, int target_rate, wav_audio *out, char *err);

/* The same from an open descriptor (a pipe works for WAV and any other
 * format libsndfile can read without seeking); name is used in messages.
 * fd is left open. */
int wav_read_fd(int fd, const char *name, int target_rate, wav_audio *out, char *err);

void wav_free(wav_audio *a);

/* Write n mono samples as a 16-bit PCM WAV file at rate Hz, atomically
 * (a temporary file in the same folder, renamed into place when complete).
 * Samples are scaled by 32768, rounded to nearest and clipped to
 * [-32768, 32767], so that what wav_read gives back from a 16-bit file is
 * written back unchanged.  0, or -1 with a message. */
int wav_write(const char *path, const float *samples, size_t n, int rate, char *err);

/* ---- streams: constant memory, however long the input ---- */

typedef struct wav_stream wav_stream;

/* What a stream reads: the source's rate and channels, its length in
 * frames when known (-1 when not, e.g. a pipe), and the output rate. */
typedef struct {
    int rate, channels;
    int64_t frames;
    int out_rate;
} wav_info;

/* Open the audio file at path ("-": standard input) for streaming at
 * target_rate Hz (0: its own rate).  NULL with a message on failure. */
wav_stream *wav_stream_open(const char *path, int target_rate, char *err);

/* Stream audio in any format libsndfile reads from the descriptor fd (a
 * pipe: WAV and other formats that need no seeking); name is for
 * messages; fd stays open after wav_stream_close. */
wav_stream *wav_stream_open_fd(int fd, const char *name, int target_rate, char *err);

/* Stream raw signed 16-bit little-endian PCM of the given rate and channel
 * count (interleaved) from fd.  A stream that stops in the middle of a
 * frame drops that partial frame.  fd stays open. */
wav_stream *wav_stream_open_raw(int fd, const char *name, int rate, int channels,
                                int target_rate, char *err);

/* The next block of mono samples at the output rate: their count (> 0)
 * with *samples pointing to them (valid until the next call), 0 at the
 * end of the stream, -1 with a message on a read error.  A block holds at
 * most wav_stream_max_block(s) samples. */
long wav_stream_read(wav_stream *s, const float **samples, char *err);

/* The most samples one wav_stream_read can give. */
size_t wav_stream_max_block(const wav_stream *s);

const wav_info *wav_stream_info(const wav_stream *s);

/* Close the stream (and the file it opened by path; not a caller's fd). */
void wav_stream_close(wav_stream *s);

#endif
