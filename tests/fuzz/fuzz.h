/* fuzz — what the fuzz targets share.
 *
 * Each tests/fuzz/fuzz_NAME.c is one libFuzzer target: it defines
 * LLVMFuzzerTestOneInput (and LLVMFuzzerInitialize when it needs to set
 * something up once) and runs one reader of outside data on the bytes it
 * is given, then what a command does next with what was read.  `make fuzz`
 * builds each with clang, libFuzzer, AddressSanitizer and UBSan and runs
 * it (tests/fuzz/run); `make check` builds each with tests/fuzz/replay.c
 * instead of libFuzzer and replays the seeds and every input a fuzzer
 * ever crashed on (tests/fuzz/regress/NAME/), so a fixed crash stays
 * fixed without clang.
 *
 * A target must free what it allocates (the fuzzer reports leaks) and
 * must not print: the readers report with err, which is dropped. */
#ifndef SEQTOOL_FUZZ_H
#define SEQTOOL_FUZZ_H

#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* The bytes as a file: one memory file (memfd) per process, rewritten
 * for each input, that readers open by name as any regular file (its
 * path, /proc/self/fd/N, goes into path).  Returns its descriptor,
 * positioned at 0. */
static inline int fuzz_file(const uint8_t *data, size_t size, char path[64])
{
    static int fd = -1;
    if (fd < 0 && (fd = memfd_create("seqtool-fuzz", 0)) < 0)
        abort();
    if (ftruncate(fd, 0) < 0)
        abort();
    for (size_t done = 0; done < size;) {
        ssize_t n = pwrite(fd, data + done, size - done, (off_t)done);
        if (n <= 0)
            abort();
        done += (size_t)n;
    }
    if (lseek(fd, 0, SEEK_SET) < 0)
        abort();
    snprintf(path, 64, "/proc/self/fd/%d", fd);
    return fd;
}

/* The bytes as a NUL-terminated string (caller frees). */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        abort();
    for (size_t i = 0; i < size; i++)
        s[i] = (char)data[i];
    s[size] = 0;
    return s;
}

#endif
