/* test_audio — unit tests of audio/: wav (16-bit round trip, other sample
 * sizes and formats, resampling and mix-down, pipes and raw PCM bit for
 * bit against the file, every bad input giving its one-line error, the
 * 4-hour limit), spec (frame counts, hand-computed values, streaming in
 * random blocks bit for bit) and mix (overlay, the course's placement and
 * labels against hand-computed positions).  The comparison with numpy is
 * tests/cli/audio.sh.  Uses the course's recordings when
 * $SEQTOOL_SHARED (default ../shared/datasets) has them. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <sndfile.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "mix.h"
#include "rng.h"
#include "spec.h"
#include "wav.h"

static char tmpdir[64];

static const char *tmp_path(const char *name)
{
    static char buf[4][512];
    static int next;
    char *p = buf[next++ % 4];
    snprintf(p, 512, "%s/%s", tmpdir, name);
    return p;
}

static void remove_tmpdir(void)
{
    DIR *d = opendir(tmpdir);
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            unlink(tmp_path(e->d_name));
    if (d)
        closedir(d);
    rmdir(tmpdir);
}

static int one_line(const char *err)
{
    return err[0] && !strchr(err, '\n');
}

/* A file of libsndfile's format (e.g. SF_FORMAT_WAV | SF_FORMAT_PCM_24)
 * holding frames x channels interleaved samples. */
static int write_sndfile(const char *path, int format, int rate, int channels, const double *x, long frames)
{
    SF_INFO info;
    memset(&info, 0, sizeof info);
    info.samplerate = rate;
    info.channels = channels;
    info.format = format;
    SNDFILE *sf = sf_open(path, SFM_WRITE, &info);
    if (!sf)
        return -1;
    int ok = sf_writef_double(sf, x, frames) == frames;
    return sf_close(sf) == 0 && ok ? 0 : -1;
}

static int write_bytes(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    int ok = fwrite(p, 1, n, f) == n;
    return fclose(f) == 0 && ok ? 0 : -1;
}

static unsigned char *read_bytes(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *p = malloc((size_t)size + 1);
    *n = p ? fread(p, 1, (size_t)size, f) : 0;
    fclose(f);
    return p;
}

static int same_samples(const float *a, size_t na, const float *b, size_t nb)
{
    return na == nb && (na == 0 || memcmp(a, b, na * sizeof(float)) == 0);
}

/* Feed bytes[n] into a pipe from a child process in chunks of random
 * sizes (1 byte to 8 KiB); returns the read end. */
static int pipe_from(const unsigned char *bytes, size_t n, uint64_t seed)
{
    int fd[2];
    if (pipe(fd) < 0)
        return -1;
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        close(fd[0]);
        rng r;
        rng_seed(&r, seed);
        for (size_t i = 0; i < n;) {
            size_t m = 1 + (size_t)rng_below(&r, 8192);
            if (m > n - i)
                m = n - i;
            ssize_t w = write(fd[1], bytes + i, m);
            if (w <= 0)
                _exit(1);
            i += (size_t)w;
        }
        _exit(0);
    }
    close(fd[1]);
    return fd[0];
}

static int reap_children(void)
{
    int status, ok = 1;
    while (wait(&status) > 0)
        ok &= WIFEXITED(status) && WEXITSTATUS(status) == 0;
    return ok;
}

static size_t read_whole_stream(wav_stream *s, float *out, size_t cap, int *ok, char *err)
{
    size_t n = 0;
    const float *x;
    long got;
    *ok = 1;
    while ((got = wav_stream_read(s, &x, err)) > 0) {
        if ((size_t)got > wav_stream_max_block(s) || n + (size_t)got > cap) {
            *ok = 0;
            break;
        }
        memcpy(out + n, x, sizeof(float) * (size_t)got);
        n += (size_t)got;
    }
    if (got < 0)
        *ok = 0;
    return n;
}

/* ---------------------------------------------------------------- wav */

static void test_wav_roundtrip(void)
{
    char err[ERR_MAX] = "";
    float x[70000];
    size_t n = sizeof x / sizeof x[0];
    for (size_t i = 0; i < n; i++)
        x[i] = (float)((int)(i % 65536) - 32768) / 32768.0f; /* every 16-bit value */
    const char *path = tmp_path("round.wav");
    wav_audio a;
    int rc = wav_write(path, x, n, 22050, err);
    check(rc == 0 && wav_read(path, 0, &a, err) == 0 && a.rate == 22050 && a.source_channels == 1 &&
              same_samples(a.samples, a.n, x, n),
          "wav_write then wav_read: every 16-bit value back exactly, 22050 Hz, mono (%s)", err);
    wav_free(&a);
    DIR *d = opendir(tmpdir);
    struct dirent *e;
    int others = 0;
    while (d && (e = readdir(d)))
        others += strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && strcmp(e->d_name, "round.wav");
    if (d)
        closedir(d);
    check(others == 0, "wav_write leaves no temporary file beside the WAV");

    float odd[5] = {1.5f, -2.0f, NAN, 0.99999f, -0.000001f};
    rc = wav_write(path, odd, 5, 16000, err);
    check(rc == 0 && wav_read(path, 16000, &a, err) == 0 && a.n == 5 && a.samples[0] == 32767 / 32768.0f &&
              a.samples[1] == -1.0f && a.samples[2] == 0 && a.samples[3] == 32767 / 32768.0f && a.samples[4] == 0,
          "wav_write clips to [-32768, 32767], NaN to 0, rounds to nearest");
    wav_free(&a);
    err[0] = 0;
    check(wav_write(tmp_path("no/such/dir.wav"), x, 10, 16000, err) < 0 && one_line(err) &&
              strstr(err, "cannot write"),
          "wav_write into a missing folder: '%s'", err);
    err[0] = 0;
    check(wav_write(path, x, 10, 10, err) < 0 && one_line(err), "wav_write at 10 Hz: '%s'", err);
}

static void test_wav_formats(void)
{
    char err[ERR_MAX] = "";
    enum { N = 16000 };
    static double src[N];
    for (int i = 0; i < N; i++)
        src[i] = 0.5 * sin(2 * M_PI * 440 * i / 16000.0) + 0.25 * sin(2 * M_PI * 3001 * i / 16000.0);
    struct {
        const char *name, *file;
        int format;
        double tol;
    } fmt[] = {
        /* within 1.5 steps of the sample size: libsndfile writes doubles
         * with a scale one step short of the one it reads with */
        {"8-bit WAV (unsigned)", "u8.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_U8, 1.5 / 128},
        {"16-bit WAV", "s16.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 1.5 / 32768},
        {"24-bit WAV", "s24.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_24, 1.5 / (1 << 23)},
        {"32-bit float WAV", "f32.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT, 1e-7},
        {"FLAC 16-bit", "x.flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 1.5 / 32768},
        {"AIFF 16-bit", "x.aiff", SF_FORMAT_AIFF | SF_FORMAT_PCM_16, 1.5 / 32768},
    };
    for (size_t f = 0; f < sizeof fmt / sizeof fmt[0]; f++) {
        wav_audio a = {0};
        double worst = 1;
        int rc = write_sndfile(tmp_path(fmt[f].file), fmt[f].format, 16000, 1, src, N);
        if (rc == 0 && (rc = wav_read(tmp_path(fmt[f].file), 16000, &a, err)) == 0 && a.n == N) {
            worst = 0;
            for (int i = 0; i < N; i++)
                worst = fmax(worst, fabs(a.samples[i] - src[i]));
        }
        check(rc == 0 && a.n == N && worst <= fmt[f].tol, "%s at 16 kHz read as it is: %zu samples, max error %.2g (%s)",
              fmt[f].name, a.n, worst, rc ? err : "");
        wav_free(&a);
    }

    /* 96 kHz stereo: left 0.6 sin, right 0.2 sin of 1 kHz -> mono 0.4 sin
     * at 16 kHz, in time (the resampler adds no delay). */
    enum { M = 96000 };
    double *st = malloc(sizeof(double) * 2 * M);
    for (int i = 0; i < M; i++) {
        double v = sin(2 * M_PI * 1000 * i / 96000.0);
        st[2 * i] = 0.6 * v;
        st[2 * i + 1] = 0.2 * v;
    }
    wav_audio a = {0};
    int rc = write_sndfile(tmp_path("st96.wav"), SF_FORMAT_WAV | SF_FORMAT_FLOAT, 96000, 2, st, M);
    double worst = 1;
    if (rc == 0 && (rc = wav_read(tmp_path("st96.wav"), 16000, &a, err)) == 0 && a.n == 16000) {
        worst = 0;
        for (int i = 200; i < 15800; i++) /* away from the ends */
            worst = fmax(worst, fabs(a.samples[i] - 0.4 * sin(2 * M_PI * 1000 * i / 16000.0)));
    }
    check(rc == 0 && a.n == 16000 && a.source_rate == 96000 && a.source_channels == 2 && worst < 1e-3,
          "96 kHz stereo -> 16 kHz mono: 16000 samples, the channels' mean in time, max error %.2g", worst);
    wav_free(&a);
    /* and 8 kHz up to 16 kHz */
    for (int i = 0; i < 8000; i++)
        st[i] = 0.5 * sin(2 * M_PI * 500 * i / 8000.0);
    rc = write_sndfile(tmp_path("m8.wav"), SF_FORMAT_WAV | SF_FORMAT_FLOAT, 8000, 1, st, 8000);
    worst = 1;
    if (rc == 0 && (rc = wav_read(tmp_path("m8.wav"), 16000, &a, err)) == 0 && a.n == 16000) {
        worst = 0;
        for (int i = 400; i < 15600; i++)
            worst = fmax(worst, fabs(a.samples[i] - 0.5 * sin(2 * M_PI * 500 * i / 16000.0)));
    }
    check(rc == 0 && a.n == 16000 && worst < 1e-3, "8 kHz -> 16 kHz: 16000 samples, max error %.2g", worst);
    wav_free(&a);
    free(st);
}

/* A 44-byte header of a 16-bit PCM WAV claiming data_bytes of data. */
static void wav_header(unsigned char h[44], int rate, int channels, uint32_t data_bytes)
{
    uint32_t v[] = {36 + data_bytes, 16, (uint32_t)rate, (uint32_t)(rate * channels * 2), data_bytes};
    memcpy(h, "RIFF", 4);
    memcpy(h + 8, "WAVEfmt ", 8);
    memcpy(h + 36, "data", 4);
    for (int b = 0; b < 4; b++) {
        h[4 + b] = (unsigned char)(v[0] >> (8 * b));
        h[16 + b] = (unsigned char)(v[1] >> (8 * b));
        h[24 + b] = (unsigned char)(v[2] >> (8 * b));
        h[28 + b] = (unsigned char)(v[3] >> (8 * b));
        h[40 + b] = (unsigned char)(v[4] >> (8 * b));
    }
    h[20] = 1, h[21] = 0;                                   /* PCM */
    h[22] = (unsigned char)channels, h[23] = 0;
    h[32] = (unsigned char)(channels * 2), h[33] = 0;       /* block align */
    h[34] = 16, h[35] = 0;                                  /* bits */
}

static void test_wav_bad_input(void)
{
    char err[ERR_MAX];
    wav_audio a = {0};
    struct {
        const char *desc, *name, *bytes;
        size_t n;
    } bad[] = {
        {"an empty file", "empty.wav", "", 0},
        {"a text file", "text.wav", "hello, this is not audio\nat all\n", 32},
        {"RIFF and nothing more", "riff.wav", "RIFF", 4},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        write_bytes(tmp_path(bad[i].name), bad[i].bytes, bad[i].n);
        err[0] = 0;
        int rc = wav_read(tmp_path(bad[i].name), 16000, &a, err);
        check(rc < 0 && one_line(err) && strstr(err, bad[i].name), "%s: -1, '%s'", bad[i].desc, err);
    }
    /* a float file's samples: beyond full scale clipped, NaN refused
     * (found by fuzzing: they came out as they were) */
    double loud[4] = {0.5, 3.0, -1e30, -0.25};
    int made_loud = write_sndfile(tmp_path("loud.wav"), SF_FORMAT_WAV | SF_FORMAT_FLOAT, 8000, 1, loud, 4) == 0;
    check(made_loud && wav_read(tmp_path("loud.wav"), 0, &a, err) == 0 && a.n == 4 && a.samples[0] == 0.5f &&
              a.samples[1] == 1.0f && a.samples[2] == -1.0f && a.samples[3] == -0.25f,
          "a float WAV beyond full scale is clipped to [-1, 1]");
    wav_free(&a);
    double nan_x[4] = {0.5, NAN, 0, 0};
    write_sndfile(tmp_path("nan.wav"), SF_FORMAT_WAV | SF_FORMAT_FLOAT, 8000, 1, nan_x, 4);
    err[0] = 0;
    check(wav_read(tmp_path("nan.wav"), 16000, &a, err) < 0 && one_line(err) && strstr(err, "frame 1"),
          "a NaN sample is refused: '%s'", err);
    /* a descriptor stays the caller's when its bytes are not audio
     * (libsndfile 1.2.0 closed it; found by fuzzing) */
    int tfd = open(tmp_path("text.wav"), O_RDONLY);
    err[0] = 0;
    check(tfd >= 0 && wav_read_fd(tfd, "text", 16000, &a, err) < 0 && fcntl(tfd, F_GETFD) != -1,
          "a descriptor of text is refused and left open: '%s'", err);
    if (tfd >= 0)
        close(tfd);
    err[0] = 0;
    check(wav_read(tmp_path("nonexistent.wav"), 16000, &a, err) < 0 && one_line(err) &&
              strstr(err, "cannot open") && strstr(err, "No such file"),
          "a missing file: '%s'", err);
    err[0] = 0;
    check(wav_read(tmpdir, 16000, &a, err) < 0 && one_line(err), "a folder: '%s'", err);

    /* a good file cut short: in the header (refused), in the data (what
     * is there, whole frames) */
    float x[4410];
    for (int i = 0; i < 4410; i++)
        x[i] = (float)sin(i * 0.1) * 0.5f;
    wav_write(tmp_path("clip.wav"), x, 4410, 44100, err);
    size_t size;
    unsigned char *bytes = read_bytes(tmp_path("clip.wav"), &size);
    write_bytes(tmp_path("cut-header.wav"), bytes, 30);
    err[0] = 0;
    check(wav_read(tmp_path("cut-header.wav"), 16000, &a, err) < 0 && one_line(err),
          "a WAV cut in its header: '%s'", err);
    write_bytes(tmp_path("cut-data.wav"), bytes, 44 + 2 * 1000 + 1);
    int rc = wav_read(tmp_path("cut-data.wav"), 0, &a, err);
    check(rc == 0 && a.n == 1000 && a.samples[999] == rintf(x[999] * 32768) / 32768 &&
              a.samples[0] == rintf(x[0] * 32768) / 32768,
          "a WAV cut in its data (odd byte): the 1000 whole samples there (n=%zu)", a.n);
    wav_free(&a);
    free(bytes);
    /* a 0.1 s clip works */
    rc = wav_read(tmp_path("clip.wav"), 16000, &a, err);
    check(rc == 0 && a.n == 1600, "a 0.1 s clip at 44.1 kHz: 1600 samples at 16 kHz (%zu)", a.n);
    wav_free(&a);
    /* header only */
    unsigned char h[44];
    wav_header(h, 16000, 1, 0);
    write_bytes(tmp_path("noframes.wav"), h, 44);
    rc = wav_read(tmp_path("noframes.wav"), 16000, &a, err);
    check(rc == 0 && a.n == 0, "a WAV with no frames: 0 samples, no error");
    wav_free(&a);
    wav_header(h, 44100, 2, 0);
    write_bytes(tmp_path("noframes44.wav"), h, 44);
    rc = wav_read(tmp_path("noframes44.wav"), 16000, &a, err);
    check(rc == 0 && a.n == 0, "a 44.1 kHz stereo WAV with no frames, resampled: 0 samples, no error");
    wav_free(&a);
    /* rates out of range */
    err[0] = 0;
    check(wav_read(tmp_path("clip.wav"), 50, &a, err) < 0 && one_line(err) && strstr(err, "50 Hz"),
          "a requested rate of 50 Hz: '%s'", err);
    wav_header(h, 300, 1, 0);
    write_bytes(tmp_path("300hz.wav"), h, 44);
    err[0] = 0;
    check(wav_read(tmp_path("300hz.wav"), 16000, &a, err) < 0 && one_line(err) && strstr(err, "300 Hz"),
          "a WAV at 300 Hz: '%s'", err);

    /* over 4 hours: a sparse 2 GiB file of 8 kHz mono (37 h) is refused
     * from its length, before anything is allocated or read */
    wav_header(h, 8000, 1, 0x7ffff000u);
    const char *big = tmp_path("huge.wav");
    int fd = open(big, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int made = fd >= 0 && write(fd, h, 44) == 44 && ftruncate(fd, 44 + (off_t)0x7ffff000u) == 0;
    if (fd >= 0)
        close(fd);
    err[0] = 0;
    if (made)
        check(wav_read(big, 16000, &a, err) < 0 && one_line(err) && strstr(err, "longer than 4 hours"),
              "37 hours of audio: refused before reading, '%s'", err);
    else
        printf("skip - 37 hours of audio: cannot make a sparse file in %s\n", tmpdir);
    unlink(big);
}

static void test_wav_streams(void)
{
    char err[ERR_MAX] = "";
    /* 3.1 s of 44.1 kHz stereo, 16-bit: file, pipe, stream and raw PCM */
    enum { F = 136710 };
    double *x = malloc(sizeof(double) * 2 * F);
    rng r;
    rng_seed(&r, 7);
    for (int i = 0; i < F; i++) {
        x[2 * i] = 0.4 * sin(2 * M_PI * 440 * i / 44100.0) + 0.05 * rng_normal(&r);
        x[2 * i + 1] = 0.3 * sin(2 * M_PI * 1234 * i / 44100.0);
    }
    const char *path = tmp_path("st.wav");
    write_sndfile(path, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 44100, 2, x, F);
    wav_audio file = {0}, piped = {0};
    int rc = wav_read(path, 16000, &file, err);
    check(rc == 0 && file.n == 49600, "3.1 s at 44.1 kHz stereo: 49600 samples at 16 kHz (%zu)", file.n);

    size_t size;
    unsigned char *bytes = read_bytes(path, &size);
    int fd = pipe_from(bytes, size, 1);
    rc = wav_read_fd(fd, "pipe", 16000, &piped, err);
    close(fd);
    check(rc == 0 && reap_children() && same_samples(file.samples, file.n, piped.samples, piped.n),
          "the WAV through a pipe in random chunks: bit-identical to the file (%s)", err);
    wav_free(&piped);

    float *got = malloc(sizeof(float) * 60000);
    int ok;
    wav_stream *s = wav_stream_open(path, 16000, err);
    size_t n = s ? read_whole_stream(s, got, 60000, &ok, err) : 0;
    check(s && ok && same_samples(file.samples, file.n, got, n) && wav_stream_info(s)->frames == F,
          "wav_stream over the file: bit-identical, blocks within wav_stream_max_block, length known");
    wav_stream_close(s);

    /* the same samples as raw s16le (what the WAV holds after its 44-byte
     * header), through a pipe, with a partial frame at the end */
    unsigned char *raw = malloc(size - 44 + 3);
    memcpy(raw, bytes + 44, size - 44);
    memcpy(raw + size - 44, "\x01\x02\x03", 3);
    fd = pipe_from(raw, size - 44 + 3, 2);
    s = wav_stream_open_raw(fd, "raw", 44100, 2, 16000, err);
    n = s ? read_whole_stream(s, got, 60000, &ok, err) : 0;
    check(s && ok && reap_children() && same_samples(file.samples, file.n, got, n) &&
              wav_stream_info(s)->frames == -1,
          "raw s16le stereo through a pipe, 3 stray bytes at the end: bit-identical to the WAV file");
    wav_stream_close(s);
    close(fd);

    /* raw mono at the source rate: the samples themselves */
    fd = pipe_from(raw, 2000 + 1, 3);
    s = wav_stream_open_raw(fd, "raw", 44100, 1, 0, err);
    n = s ? read_whole_stream(s, got, 60000, &ok, err) : 0;
    int exact = n == 1000;
    for (size_t i = 0; exact && i < n; i++)
        exact = got[i] == (float)(int16_t)(raw[2 * i] | raw[2 * i + 1] << 8) / 32768.0f;
    check(s && ok && reap_children() && exact, "raw mono, no resampling: 2001 bytes give 1000 samples, value / 32768");
    wav_stream_close(s);
    close(fd);

    err[0] = 0;
    check(!wav_stream_open_raw(0, "raw", 44100, 0, 16000, err) && one_line(err), "raw with 0 channels: '%s'", err);
    err[0] = 0;
    check(!wav_stream_open_raw(0, "raw", 44100, 100000, 16000, err) && one_line(err),
          "raw with 100000 channels: '%s'", err);
    err[0] = 0;
    check(!wav_stream_open_raw(0, "raw", 0, 1, 16000, err) && one_line(err), "raw at 0 Hz: '%s'", err);
    free(raw);
    free(got);
    free(bytes);
    free(x);
    wav_free(&file);
}

static void test_wav_course_files(void)
{
    const char *shared = getenv("SEQTOOL_SHARED") ? getenv("SEQTOOL_SHARED") : "../shared/datasets";
    char act[512], bg[512], err[ERR_MAX];
    snprintf(act, sizeof act, "%s/course/trigger/raw_data/activates/1.wav", shared);
    snprintf(bg, sizeof bg, "%s/course/trigger/raw_data/backgrounds/1.wav", shared);
    if (access(act, R_OK) != 0 || access(bg, R_OK) != 0) {
        printf("skip - the course's recordings: %s not present\n", act);
        return;
    }
    wav_audio a;
    int rc = wav_read(act, 0, &a, err);
    check(rc == 0 && a.n == 31776 && a.rate == 44100 && a.source_channels == 2,
          "course activates/1.wav: 31776 frames, 44.1 kHz stereo (%s)", rc ? err : "");
    wav_free(&a);
    rc = wav_read(act, 16000, &a, err);
    check(rc == 0 && a.n == 11529, "... at 16 kHz: round(31776 * 16000 / 44100) = 11529 samples (%zu)", a.n);
    wav_free(&a);
    rc = wav_read(bg, 0, &a, err);
    int nonsilent = 0;
    for (size_t i = 0; rc == 0 && i < a.n; i++)
        nonsilent += a.samples[i] != 0;
    check(rc == 0 && a.n == 441000 && mix_ms(a.n, a.rate) == 10000 && nonsilent > 1000,
          "course backgrounds/1.wav: 441000 samples = 10000 ms, not silent");
    wav_free(&a);
}

/* ---------------------------------------------------------------- spec */

static void test_spec_values(void)
{
    char err[ERR_MAX];
    check(spec_frames(SPEC_COURSE, 441000) == 5511 && spec_bins(SPEC_COURSE) == 101 &&
              spec_frames(SPEC_COURSE, 199) == 0 && spec_frames(SPEC_COURSE, 200) == 1 &&
              spec_frames(SPEC_COURSE, 279) == 1 && spec_frames(SPEC_COURSE, 280) == 2,
          "course spectrogram: 5511 frames of 101 for 441000 samples; 200 -> 1, 280 -> 2, 199 -> 0");
    check(spec_frames(SPEC_LOGMEL, 160000) == 998 && spec_bins(SPEC_LOGMEL) == 40 &&
              spec_frames(SPEC_LOGMEL, 399) == 0 && spec_frames(SPEC_LOGMEL, 400) == 1,
          "log-mel: 998 frames of 40 for 10 s at 16 kHz; 400 samples -> 1 frame");

    /* A constant 1: the DC bin is (sum w)^2 / (Fs sum w^2); for the
     * symmetric Hann of 200, sum w = 99.5 and sum w^2 = 74.625. */
    float ones[200], out[101];
    for (int i = 0; i < 200; i++)
        ones[i] = 1;
    long f = spec_course(ones, 200, out, err);
    double dc = 99.5 * 99.5 / (8000 * 74.625);
    check(f == 1 && fabs(out[0] - dc) < 1e-6 * dc, "course: DC of a constant 1 is 99.5^2 / (8000 * 74.625) = %.9f (%.9f)",
          dc, out[0]);
    /* A sine on bin 25 (25 cycles in 200 samples) peaks there; twice the
     * amplitude, four times the power. */
    float sine[200], out2[101];
    for (int i = 0; i < 200; i++)
        sine[i] = (float)(0.5 * sin(2 * M_PI * 25 * i / 200.0));
    spec_course(sine, 200, out, err);
    for (int i = 0; i < 200; i++)
        sine[i] *= 2;
    spec_course(sine, 200, out2, err);
    int peak = 0;
    for (int k = 1; k < 101; k++)
        if (out[k] > out[peak])
            peak = k;
    check(peak == 25 && fabs(out2[25] / out[25] - 4) < 1e-5, "course: a sine of bin 25 peaks at 25; double it, 4x power");

    /* log-mel: digital silence is exactly log(1e-6) everywhere */
    float *zero = calloc(16000, sizeof(float)), *lm = malloc(sizeof(float) * 98 * 40);
    f = spec_logmel(zero, 16000, lm, err);
    int floor_ok = f == 98;
    for (int i = 0; i < 98 * 40; i++)
        floor_ok &= lm[i] == (float)log(1e-6);
    check(floor_ok, "log-mel of 1 s of silence: 98 frames, every value log(1e-6) = %.4f", log(1e-6));
    /* a 1 kHz sine peaks in the band whose HTK centre is nearest 1 kHz */
    for (int i = 0; i < 16000; i++)
        zero[i] = (float)(0.5 * sin(2 * M_PI * 1000 * i / 16000.0));
    spec_logmel(zero, 16000, lm, err);
    double lo = 2595 * log10(1 + 20 / 700.0), hi = 2595 * log10(1 + 8000 / 700.0), best = 1e9;
    int want = -1;
    for (int m = 0; m < 40; m++) {
        double centre = 700 * (pow(10, (lo + (hi - lo) * (m + 1) / 41) / 2595) - 1);
        if (fabs(centre - 1000) < best)
            best = fabs(centre - 1000), want = m;
    }
    int got = 0;
    for (int m = 1; m < 40; m++)
        if (lm[50 * 40 + m] > lm[50 * 40 + got])
            got = m;
    check(got == want, "log-mel of a 1 kHz sine peaks in band %d, the one centred nearest 1 kHz (%d)", got, want);
    free(zero);
    free(lm);
}

static void test_spec_streaming(void)
{
    char err[ERR_MAX];
    size_t n = 100000;
    float *x = malloc(sizeof(float) * n);
    rng r;
    rng_seed(&r, 11);
    for (size_t i = 0; i < n; i++)
        x[i] = (float)(0.3 * sin(i * 0.01) + 0.2 * rng_normal(&r));
    spec_kind kinds[2] = {SPEC_COURSE, SPEC_LOGMEL};
    const char *names[2] = {"course spectrogram", "log-mel"};
    for (int k = 0; k < 2; k++) {
        size_t bins = (size_t)spec_bins(kinds[k]), frames = spec_frames(kinds[k], n);
        float *whole = malloc(sizeof(float) * frames * bins), *streamed = malloc(sizeof(float) * frames * bins);
        long f = kinds[k] == SPEC_COURSE ? spec_course(x, n, whole, err) : spec_logmel(x, n, whole, err);
        int same = 1, counts_ok = 1;
        for (int trial = 0; trial < 3; trial++) {
            spec_stream *s = spec_stream_new(kinds[k], err);
            size_t done = 0, got = 0;
            while (done < n) {
                /* block sizes from 0 to about 3 windows, now and then huge */
                size_t m = rng_below(&r, 10) == 0 ? (size_t)rng_below(&r, 30000) : (size_t)rng_below(&r, 700);
                if (m > n - done)
                    m = n - done;
                size_t want = spec_stream_frames(s, m);
                size_t g = spec_stream_push(s, x + done, m, streamed + got * bins);
                counts_ok &= g == want;
                got += g;
                done += m;
            }
            same &= got == frames && memcmp(whole, streamed, sizeof(float) * frames * bins) == 0;
            /* after reset, the stream starts over */
            spec_stream_reset(s);
            size_t g = spec_stream_push(s, x, n, streamed);
            same &= g == frames && memcmp(whole, streamed, sizeof(float) * frames * bins) == 0;
            spec_stream_free(s);
        }
        check(f == (long)frames && same && counts_ok,
              "%s streamed in random blocks (0 to 30000 samples), 3 times: the whole-signal frames bit for bit",
              names[k]);
        free(whole);
        free(streamed);
    }
    free(x);
}

/* ---------------------------------------------------------------- mix */

static void test_mix(void)
{
    char err[ERR_MAX];
    /* insert_ones, Ty = 1375 over 10000 ms */
    float y[MIX_TY];
    struct {
        int end_ms, first, last; /* ones at first..last (first > last: none) */
    } cases[] = {
        {4999, 688, 737},   /* 4999 * 1375 / 10000 = 687.3625 -> 687 */
        {5120, 705, 754},   /* = 704 exactly */
        {0, 1, 50},         /* = 0 */
        {9962, 1370, 1374}, /* 1369.775 -> 1369: five steps before Ty */
        {9999, 1, 0},       /* 1374.86 -> 1374: none left */
        {10000, 1, 0},      /* 1375 = Ty: none (the course's "not placed") */
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        memset(y, 0, sizeof y);
        mix_insert_ones(y, MIX_TY, cases[c].end_ms, 10000);
        int ok = 1;
        for (int i = 0; i < MIX_TY; i++)
            ok &= y[i] == (i >= cases[c].first && i <= cases[c].last ? 1.0f : 0.0f);
        if (cases[c].first <= cases[c].last)
            check(ok, "insert_ones(end %d ms): y[%d..%d] = 1, the rest 0", cases[c].end_ms, cases[c].first,
                  cases[c].last);
        else
            check(ok, "insert_ones(end %d ms): nothing set", cases[c].end_ms);
    }
    memset(y, 0, sizeof y);
    mix_insert_ones(y, MIX_TY, 2000, 10000); /* 275 -> 276..325 */
    mix_insert_ones(y, MIX_TY, 2300, 10000); /* 316.25 -> 317..366: overlapping runs merge */
    int ones = 0;
    for (int i = 0; i < MIX_TY; i++)
        ones += y[i] == 1;
    check(ones == 91 && y[275] == 0 && y[276] == 1 && y[366] == 1 && y[367] == 0,
          "two close positives: y[276..366] = 1 (91 steps)");

    check(mix_ms(441000, 44100) == 10000 && mix_ms(31776, 44100) == 721 && mix_ms(8, 16000) == 0 &&
              mix_ms(24, 16000) == 2 && mix_ms(40, 16000) == 2,
          "mix_ms as pydub's len: 441000 @ 44.1k = 10000, 31776 = 721, 0.5 and 2.5 ms round to even");
    mix_segment prev[3] = {{100, 200}, {500, 600}, {900, 950}};
    mix_segment a = {200, 300}, b = {201, 499}, c = {0, 99}, d = {950, 2000}, e = {50, 1000};
    check(mix_overlaps(a, prev, 3) && !mix_overlaps(b, prev, 3) && !mix_overlaps(c, prev, 3) &&
              mix_overlaps(d, prev, 3) && mix_overlaps(e, prev, 3) && !mix_overlaps(a, prev, 0),
          "is_overlapping: ends are inclusive ([200,300] meets [100,200], [201,499] fits between)");

    /* overlay: clipped sums, cut at the end, gain */
    float bg[11] = {0.8f, -0.8f, 0.1f, 0, 0, 0, 0, 0, 0, 0, 42};
    float clip[4] = {0.5f, -0.5f, 0.25f, 1};
    mix_overlay(bg, 3, clip, 4, 0, 1.0f);
    check(bg[0] == 1.0f && bg[1] == -1.0f && bg[2] == 0.35f && bg[3] == 0, "overlay clips sums to [-1, 1], stops at the end");
    mix_overlay(bg + 3, 7, clip, 4, 5, 0.5f);
    check(bg[8] == 0.25f && bg[9] == -0.25f && bg[10] == 42 && bg[7] == 0, "overlay at 5 of 7 with gain 0.5: two samples, nothing past the end");

    /* insert_audio_clip: 10 s of silence at 8 kHz, clips of 1 s of 0.1:
     * each lands where its segment says, none overlap, same seed same places */
    int rate = 8000;
    size_t n = 80000;
    float *back = calloc(n, sizeof(float)), *word = malloc(sizeof(float) * 8000);
    for (int i = 0; i < 8000; i++)
        word[i] = 0.1f;
    rng r;
    rng_seed(&r, 3);
    mix_segment segs[8], placed[8];
    int nseg = 0, inserted = 0, where_ok = 1;
    for (int i = 0; i < 8; i++) {
        int rc = mix_insert_clip(back, n, rate, word, 8000, 1.0f, &r, segs, &nseg, 8, &placed[i], err);
        if (rc == 1) {
            inserted++;
            size_t at = (size_t)placed[i].start_ms * 8;
            where_ok &= placed[i].end_ms == placed[i].start_ms + 999 && back[at] == 0.1f && back[at + 7999] == 0.1f;
        } else {
            where_ok &= rc == 0 && placed[i].start_ms == 10000 && placed[i].end_ms == 10000;
        }
    }
    int apart = 1;
    for (int i = 0; i < nseg; i++)
        apart &= !mix_overlaps(segs[i], segs, i) && segs[i].start_ms >= 0 && segs[i].end_ms < 10000;
    double total = 0;
    for (size_t i = 0; i < n; i++)
        total += back[i];
    check(inserted >= 3 && inserted == nseg && where_ok && apart && fabs(total - 0.1 * 8000 * inserted) < 1,
          "insert_audio_clip x8 (1 s clips, 10 s background): %d placed, none overlapping, each at its start_ms * 8 samples, the rest (10000, 10000)",
          inserted);
    rng_seed(&r, 3);
    mix_segment again[8], p2;
    int n2 = 0, same = 1;
    memset(back, 0, sizeof(float) * n);
    for (int i = 0; i < 8; i++) {
        mix_insert_clip(back, n, rate, word, 8000, 1.0f, &r, again, &n2, 8, &p2, err);
        same &= p2.start_ms == placed[i].start_ms;
    }
    check(same, "the same seed places the clips at the same milliseconds");
    err[0] = 0;
    check(mix_insert_clip(back, 8000, rate, word, 8000, 1.0f, &r, again, &n2, 8, &p2, err) < 0 && one_line(err),
          "a clip as long as the background: '%s'", err);
    free(back);
    free(word);
}

static void live_timeout(int sig)
{
    (void)sig;
    static const char msg[] = "not ok - a live raw stream waits for a whole block instead of giving what has come\n";
    ssize_t w = write(STDOUT_FILENO, msg, sizeof msg - 1);
    (void)w;
    _exit(1);
}

/* A microphone through a pipe: the writer gives 300 frames and a half and
 * waits.  The stream must give those 300 frames now, not wait for a
 * block of WAV_BLOCK (the delay of a live detector), then the frame the
 * next bytes complete, then the end when the writer closes. */
static void test_wav_live_pipe(void)
{
    int p[2];
    char err[ERR_MAX] = "";
    if (pipe(p) < 0) {
        check(0, "pipe: %s", strerror(errno));
        return;
    }
    unsigned char bytes[604];
    for (int i = 0; i < 604; i++)
        bytes[i] = (unsigned char)(i * 7);
    signal(SIGALRM, live_timeout);
    alarm(10);
    wav_stream *s = wav_stream_open_raw(p[0], "live", 16000, 1, 0, err);
    const float *x;
    long a = -2, b = -2, c = -2;
    if (s && write(p[1], bytes, 601) == 601)
        a = wav_stream_read(s, &x, err);
    int first = a == 300 && x[299] == (float)(int16_t)(bytes[598] | bytes[599] << 8) / 32768.0f;
    if (s && write(p[1], bytes + 601, 3) == 3)
        b = wav_stream_read(s, &x, err);
    int second = b == 2 && x[0] == (float)(int16_t)(bytes[600] | bytes[601] << 8) / 32768.0f;
    close(p[1]);
    if (s)
        c = wav_stream_read(s, &x, err);
    alarm(0);
    check(s && first && second && c == 0,
          "raw stream from a live pipe: what has come at once (300 frames, then 2), the end when it closes (%ld %ld %ld)",
          a, b, c);
    wav_stream_close(s);
    close(p[0]);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/seqtool-audio-XXXXXX");
    if (!mkdtemp(tmpdir)) {
        printf("not ok - cannot make a temporary folder: %s\n", strerror(errno));
        return 1;
    }
    test_wav_roundtrip();
    test_wav_formats();
    test_wav_bad_input();
    test_wav_streams();
    test_wav_live_pipe();
    test_wav_course_files();
    test_spec_values();
    test_spec_streaming();
    test_mix();
    remove_tmpdir();
    return check_exit();
}
