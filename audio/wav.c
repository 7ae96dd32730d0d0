/* wav — libsndfile in, libsamplerate between, mono floats out; see wav.h. */
#include "wav.h"

#include "fileio.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <samplerate.h>
#include <sndfile.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct wav_stream {
    char name[ERR_MAX / 2];
    wav_info info;
    SNDFILE *sf;          /* libsndfile input, or NULL for raw PCM */
    int fd, own_fd;       /* the descriptor; own_fd: close it at the end */
    unsigned char *raw;   /* raw input: one block of bytes [WAV_BLOCK][channels][2] */
    size_t raw_carry;     /* bytes of an incomplete frame kept at raw's start */
    /* the float buffers, in one allocation that frames owns: */
    float *frames;        /* one block of interleaved frames [WAV_BLOCK][channels] */
    float *mono;          /* the block mixed down [WAV_BLOCK] */
    long mono_n, mono_used; /* samples in mono, and how many the resampler took */
    int64_t in_total;     /* input frames so far */
    int64_t out_total;    /* output samples so far */
    int64_t expected;     /* at the end: the output length, round(in_total * ratio) */
    SRC_STATE *src;       /* NULL when no resampling is needed */
    double ratio;         /* output rate / input rate */
    float *out;           /* resampled output [out_cap], when resampling */
    long out_cap;
    int at_eof, done;
};

/* libsndfile's messages start upper-case and end with a period; ours are
 * lower-case fragments. */
static void copy_sf_message(char *dst, size_t size, const char *msg)
{
    snprintf(dst, size, "%s", msg ? msg : "unknown error");
    size_t n = strlen(dst);
    while (n > 0 && (dst[n - 1] == '.' || dst[n - 1] == '\n' || dst[n - 1] == ' '))
        dst[--n] = 0;
    if (dst[0] && isupper((unsigned char)dst[0]) && !isupper((unsigned char)dst[1]))
        dst[0] = (char)tolower((unsigned char)dst[0]);
}

static int rate_ok(int rate)
{
    return rate >= WAV_MIN_RATE && rate <= WAV_MAX_RATE;
}

/* Allocate the buffers and the resampler once the source is known. */
static int stream_setup(wav_stream *s, int target_rate, char *err)
{
    wav_info *in = &s->info;
    if (!rate_ok(in->rate))
        return err_set(err, "cannot read '%s': sample rate %d Hz is out of range (%d to %d Hz)", s->name, in->rate,
                       WAV_MIN_RATE, WAV_MAX_RATE);
    if (in->channels < 1 || in->channels > WAV_MAX_CHANNELS)
        return err_set(err, "cannot read '%s': %d channels (1 to %d are read)", s->name, in->channels, WAV_MAX_CHANNELS);
    in->out_rate = target_rate ? target_rate : in->rate;
    if (!rate_ok(in->out_rate))
        return err_set(err, "cannot read '%s': requested rate %d Hz is out of range (%d to %d Hz)", s->name, target_rate,
                       WAV_MIN_RATE, WAV_MAX_RATE);
    size_t ch = (size_t)in->channels;
    if (in->out_rate != in->rate) {
        s->ratio = (double)in->out_rate / in->rate;
        if (!src_is_valid_ratio(s->ratio))
            return err_set(err, "cannot read '%s': cannot resample %d Hz to %d Hz", s->name, in->rate, in->out_rate);
        int e = 0;
        s->src = src_new(SRC_SINC_MEDIUM_QUALITY, 1, &e);
        if (!s->src)
            return err_set(err, "cannot read '%s': resampler: %s", s->name, src_strerror(e));
        s->out_cap = (long)ceil(WAV_BLOCK * s->ratio) + 64;
    }
    s->frames = malloc(sizeof(float) * (WAV_BLOCK * ch + WAV_BLOCK + (size_t)s->out_cap));
    if (!s->sf)
        s->raw = malloc(2 * WAV_BLOCK * ch);
    if (!s->frames || (!s->sf && !s->raw))
        return err_set(err, "cannot read '%s': out of memory", s->name);
    s->mono = s->frames + WAV_BLOCK * ch;
    s->out = s->src ? s->mono + WAV_BLOCK : NULL;
    return 0;
}

static wav_stream *stream_new(int fd, int own_fd, const char *name)
{
    wav_stream *s = calloc(1, sizeof *s);
    if (!s) {
        if (own_fd)
            close(fd);
        return NULL;
    }
    snprintf(s->name, sizeof s->name, "%s", name);
    s->fd = fd;
    s->own_fd = own_fd;
    return s;
}

static wav_stream *open_sndfile(int fd, int own_fd, const char *name, int target_rate, char *err)
{
    wav_stream *s = stream_new(fd, own_fd, name);
    if (!s) {
        err_set(err, "cannot read '%s': out of memory", name);
        return NULL;
    }
    SF_INFO sfi;
    memset(&sfi, 0, sizeof sfi);
    /* libsndfile gets a duplicate of fd, which it closes: 1.2.0 closes the
     * descriptor it was given when it cannot read the file, even when told
     * not to (its issue #949), which closed a caller's descriptor (standard
     * input) and made us close a path's twice.  fd stays ours. */
    int dup_fd = dup(fd);
    s->sf = dup_fd >= 0 ? sf_open_fd(dup_fd, SFM_READ, &sfi, 1) : NULL;
    if (!s->sf) {
        char msg[200];
        copy_sf_message(msg, sizeof msg, dup_fd >= 0 ? sf_strerror(NULL) : strerror(errno));
        err_set(err, "cannot read '%s': %s", s->name, msg);
        wav_stream_close(s);
        return NULL;
    }
    s->info.rate = sfi.samplerate;
    s->info.channels = sfi.channels;
    /* A pipe's header may claim any length: only a seekable file's is known. */
    s->info.frames = sfi.seekable && sfi.frames >= 0 && sfi.frames < SF_COUNT_MAX ? (int64_t)sfi.frames : -1;
    if (stream_setup(s, target_rate, err) < 0) {
        wav_stream_close(s);
        return NULL;
    }
    return s;
}

static int open_path(const char *path, char *err)
{
    int fd = open(path, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        err_set(err, "cannot open '%s': %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        return err_set(err, "cannot read '%s': %s", path, strerror(EISDIR));
    }
    return fd;
}

wav_stream *wav_stream_open(const char *path, int target_rate, char *err)
{
    if (strcmp(path, "-") == 0)
        return open_sndfile(0, 0, "standard input", target_rate, err);
    int fd = open_path(path, err);
    if (fd < 0)
        return NULL;
    return open_sndfile(fd, 1, path, target_rate, err);
}

wav_stream *wav_stream_open_fd(int fd, const char *name, int target_rate, char *err)
{
    return open_sndfile(fd, 0, name, target_rate, err);
}

wav_stream *wav_stream_open_raw(int fd, const char *name, int rate, int channels, int target_rate, char *err)
{
    wav_stream *s = stream_new(fd, 0, name);
    if (!s) {
        err_set(err, "cannot read '%s': out of memory", name);
        return NULL;
    }
    s->info.rate = rate;
    s->info.channels = channels;
    s->info.frames = -1;
    if (stream_setup(s, target_rate, err) < 0) {
        wav_stream_close(s);
        return NULL;
    }
    return s;
}

void wav_stream_close(wav_stream *s)
{
    if (!s)
        return;
    if (s->sf)
        sf_close(s->sf);
    if (s->own_fd)
        close(s->fd);
    if (s->src)
        src_delete(s->src);
    free(s->raw);
    free(s->frames);
    free(s);
}

const wav_info *wav_stream_info(const wav_stream *s)
{
    return &s->info;
}

size_t wav_stream_max_block(const wav_stream *s)
{
    return s->src ? (size_t)s->out_cap : WAV_BLOCK;
}

/* Up to WAV_BLOCK frames of raw s16le into s->frames: the count, 0 at the
 * end, -1 on a read error.  A live source (a microphone through a pipe)
 * writes a little at a time, so this takes what one read gives, reading
 * again only while not one whole frame has come; the bytes of a frame not
 * yet complete wait in raw for the next call.  Waiting for a whole block
 * would hold back up to WAV_BLOCK frames (256 ms at 16 kHz) of what has
 * already been said.  The frames are the same however the pipe cuts them,
 * and so are the stream's results.  A partial frame at the end is
 * dropped. */
static long fill_raw(wav_stream *s, char *err)
{
    size_t frame_bytes = 2 * (size_t)s->info.channels, want = frame_bytes * WAV_BLOCK, got = s->raw_carry;
    while (got < frame_bytes) {
        ssize_t r = read(s->fd, s->raw + got, want - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return err_set(err, "cannot read '%s': %s", s->name, strerror(errno));
        if (r == 0)
            break;
        got += (size_t)r;
    }
    size_t frames = got / frame_bytes;
    size_t n = frames * (size_t)s->info.channels;
    for (size_t i = 0; i < n; i++) {
        int16_t v = (int16_t)(uint16_t)(s->raw[2 * i] | (s->raw[2 * i + 1] << 8));
        s->frames[i] = (float)v * (1.0f / 32768.0f);
    }
    s->raw_carry = frames ? got - frames * frame_bytes : 0;
    memmove(s->raw, s->raw + frames * frame_bytes, s->raw_carry);
    return (long)frames;
}

static long fill_sndfile(wav_stream *s, char *err)
{
    size_t ch = (size_t)s->info.channels;
    long got = 0;
    while (got < WAV_BLOCK) {
        sf_count_t r = sf_readf_float(s->sf, s->frames + (size_t)got * ch, WAV_BLOCK - got);
        if (r <= 0)
            break;
        got += (long)r;
    }
    if (got == 0 && sf_error(s->sf) != SF_ERR_NO_ERROR) {
        char msg[200];
        copy_sf_message(msg, sizeof msg, sf_strerror(s->sf));
        return err_set(err, "cannot read '%s': %s", s->name, msg);
    }
    /* Floating-point files hold any float: full scale is [-1, 1], beyond
     * it is clipped (as SoX does), and NaN or infinity is refused, so
     * that what comes out is always sound a spectrogram can be made of. */
    float *x = s->frames;
    for (size_t i = 0; i < (size_t)got * ch; i++) {
        if (!isfinite(x[i]))
            return err_set(err, "cannot read '%s': a sample that is not a number (NaN or infinity) at frame %lld",
                           s->name, (long long)(s->in_total + (int64_t)(i / ch)));
        x[i] = x[i] > 1.0f ? 1.0f : x[i] < -1.0f ? -1.0f : x[i];
    }
    return got;
}

/* The next block of input, mixed down into s->mono.  Both kinds of input
 * go through the same float mix-down, so a WAV file and its samples as
 * raw PCM give the same mono signal.  At the end of the input, the block
 * is WAV_PAD(ratio) samples of silence for the resampler (see below). */
static int next_block(wav_stream *s, char *err)
{
    long n = s->sf ? fill_sndfile(s, err) : fill_raw(s, err);
    if (n < 0)
        return -1;
    int ch = s->info.channels;
    if (ch == 1) {
        memcpy(s->mono, s->frames, sizeof(float) * (size_t)n);
    } else {
        for (long i = 0; i < n; i++) {
            const float *f = s->frames + (size_t)i * (size_t)ch;
            float sum = 0;
            for (int c = 0; c < ch; c++)
                sum += f[c];
            s->mono[i] = sum / (float)ch;
        }
    }
    s->in_total += n;
    s->mono_n = n;
    s->mono_used = 0;
    if (n == 0) {
        s->at_eof = 1;
        /* round(in_total * ratio), half up, in integers */
        s->expected = (s->in_total * s->info.out_rate + s->info.rate / 2) / s->info.rate;
        if (s->src) {
            long pad = (long)ceil(4.0 / s->ratio) + 64;
            s->mono_n = pad < WAV_BLOCK ? pad : WAV_BLOCK;
            memset(s->mono, 0, sizeof(float) * (size_t)s->mono_n);
        }
    }
    return 0;
}

/* The resampled length is round(n * out_rate / in_rate) for n input
 * frames.  libsamplerate, told end_of_input right after the last frame,
 * stops one sample short of that about one time in four (it gives no
 * sample whose filter reaches past the end), so the input is followed by a
 * little silence, passed with end_of_input, and the output is cut at that
 * length.  The last samples are then what the filter makes of the audio
 * followed by silence, which is what the sound is. */
long wav_stream_read(wav_stream *s, const float **samples, char *err)
{
    while (!s->done) {
        if (s->mono_used == s->mono_n && !s->at_eof && next_block(s, err) < 0)
            return -1;
        if (!s->src) {
            long n = s->mono_n - s->mono_used;
            s->mono_used = s->mono_n;
            if (n > 0) {
                *samples = s->mono;
                return n;
            }
            if (s->at_eof)
                s->done = 1;
            continue;
        }
        if (s->at_eof && s->out_total >= s->expected) {
            s->done = 1;
            break;
        }
        SRC_DATA d;
        memset(&d, 0, sizeof d);
        d.data_in = s->mono + s->mono_used;
        d.input_frames = s->mono_n - s->mono_used;
        d.data_out = s->out;
        d.output_frames = s->out_cap;
        d.end_of_input = s->at_eof;
        d.src_ratio = s->ratio;
        int e = src_process(s->src, &d);
        if (e)
            return err_set(err, "cannot read '%s': resampler: %s", s->name, src_strerror(e));
        s->mono_used += d.input_frames_used;
        long gen = d.output_frames_gen;
        if (s->at_eof && s->out_total + gen > s->expected)
            gen = (long)(s->expected - s->out_total);
        if (gen <= 0 && s->at_eof && s->mono_used == s->mono_n) {
            /* Drained short of the length (not seen: the padding covers
             * the filter): complete it with silence. */
            int64_t miss = s->expected - s->out_total;
            gen = miss < s->out_cap ? (long)miss : s->out_cap;
            if (gen <= 0) {
                s->done = 1;
                break;
            }
            memset(s->out, 0, sizeof(float) * (size_t)gen);
        }
        if (gen > 0) {
            s->out_total += gen;
            *samples = s->out;
            return gen;
        }
        if (d.input_frames_used == 0 && !s->at_eof)
            return err_set(err, "cannot read '%s': resampler: no progress", s->name);
    }
    return 0;
}

/* ---- whole files ---- */

#define WAV_FIRST_ALLOC ((size_t)1 << 22) /* samples: 16 MB, 4 minutes at 16 kHz */

static int read_all(wav_stream *s, wav_audio *out, char *err)
{
    const wav_info *in = &s->info;
    memset(out, 0, sizeof *out);
    size_t limit = (size_t)WAV_MAX_SECONDS * (size_t)in->out_rate, cap = 1 << 16;
    if (in->frames >= 0) {
        if (in->frames / in->rate >= WAV_MAX_SECONDS)
            return err_set(err, "cannot read '%s': longer than %d hours, the most read into memory at once",
                           s->name, WAV_MAX_SECONDS / 3600);
        /* The resampler gives about frames * ratio samples: one allocation
         * for as many as a header may claim without the bytes to back it
         * (a FLAC header of 40 bytes can claim hours), more as they come. */
        cap = (size_t)ceil((double)in->frames * in->out_rate / in->rate) + 64;
        cap = cap < WAV_FIRST_ALLOC ? cap : WAV_FIRST_ALLOC;
    }
    float *buf = malloc(sizeof(float) * cap);
    if (!buf)
        return err_set(err, "cannot read '%s': out of memory", s->name);
    size_t n = 0;
    for (;;) {
        const float *x;
        long got = wav_stream_read(s, &x, err);
        if (got < 0) {
            free(buf);
            return -1;
        }
        if (got == 0)
            break;
        if (n + (size_t)got > limit) {
            free(buf);
            return err_set(err, "cannot read '%s': longer than %d hours, the most read into memory at once",
                           s->name, WAV_MAX_SECONDS / 3600);
        }
        if (n + (size_t)got > cap) {
            size_t c = cap * 2 < limit ? cap * 2 : limit;
            float *b = realloc(buf, sizeof(float) * c);
            if (!b) {
                free(buf);
                return err_set(err, "cannot read '%s': out of memory", s->name);
            }
            buf = b;
            cap = c;
        }
        memcpy(buf + n, x, sizeof(float) * (size_t)got);
        n += (size_t)got;
    }
    out->samples = buf;
    out->n = n;
    out->rate = in->out_rate;
    out->source_rate = in->rate;
    out->source_channels = in->channels;
    return 0;
}

int wav_read(const char *path, int target_rate, wav_audio *out, char *err)
{
    wav_stream *s = wav_stream_open(path, target_rate, err);
    if (!s)
        return -1;
    int rc = read_all(s, out, err);
    wav_stream_close(s);
    return rc;
}

int wav_read_fd(int fd, const char *name, int target_rate, wav_audio *out, char *err)
{
    wav_stream *s = wav_stream_open_fd(fd, name, target_rate, err);
    if (!s)
        return -1;
    int rc = read_all(s, out, err);
    wav_stream_close(s);
    return rc;
}

void wav_free(wav_audio *a)
{
    free(a->samples);
    memset(a, 0, sizeof *a);
}

int wav_write(const char *path, const float *samples, size_t n, int rate, char *err)
{
    if (!rate_ok(rate))
        return err_set(err, "cannot write '%s': sample rate %d Hz is out of range (%d to %d Hz)", path, rate,
                       WAV_MIN_RATE, WAV_MAX_RATE);
    atomic_file a;
    if (atomic_open(&a, path) < 0)
        return err_set(err, "cannot write '%s': %s", path, strerror(errno));
    SF_INFO sfi;
    memset(&sfi, 0, sizeof sfi);
    sfi.samplerate = rate;
    sfi.channels = 1;
    sfi.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
    /* a.f has written nothing yet, so libsndfile may use its descriptor. */
    SNDFILE *sf = sf_open_fd(fileno(a.f), SFM_WRITE, &sfi, 0);
    if (!sf) {
        char msg[200];
        copy_sf_message(msg, sizeof msg, sf_strerror(NULL));
        atomic_abort(&a);
        return err_set(err, "cannot write '%s': %s", path, msg);
    }
    short block[WAV_BLOCK];
    int failed = 0;
    for (size_t i = 0; i < n && !failed; i += WAV_BLOCK) {
        size_t m = n - i < WAV_BLOCK ? n - i : WAV_BLOCK;
        for (size_t j = 0; j < m; j++) {
            float v = samples[i + j] * 32768.0f;
            /* NaN compares false both ways and becomes silence. */
            block[j] = v >= 32767.0f ? 32767 : v <= -32768.0f ? -32768 : v == v ? (short)lrintf(v) : 0;
        }
        failed = sf_writef_short(sf, block, (sf_count_t)m) != (sf_count_t)m;
    }
    char msg[200] = "";
    if (failed)
        copy_sf_message(msg, sizeof msg, sf_strerror(sf));
    if (sf_close(sf) != 0 && !failed) {
        failed = 1;
        snprintf(msg, sizeof msg, "%s", strerror(errno ? errno : EIO));
    }
    if (failed) {
        atomic_abort(&a);
        return err_set(err, "cannot write '%s': %s", path, msg);
    }
    if (atomic_commit(&a) < 0)
        return err_set(err, "cannot write '%s': %s", path, strerror(errno));
    return 0;
}
