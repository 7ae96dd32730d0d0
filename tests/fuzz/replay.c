/* replay — the fuzz targets without libFuzzer, for `make check`: each
 * file named, and each file in each folder named, is given to the
 * target's LLVMFuzzerTestOneInput once.  A crash, an abort or a hang (60
 * seconds for one input) fails the test program; so does a peak memory
 * over 1 GB, and (as libFuzzer's -malloc_limit_mb=2048) one allocation
 * over 2 GB, which the kernel would have promised without a complaint.
 * One line for tests/run: "ok - replay NAME: N inputs". */
#include "fuzz.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "check.h"

__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv);

/* The allocator's entry points, through glibc's own (AddressSanitizer
 * has its own limit: allocator_may_return_null, max_allocation_size_mb). */
#ifndef __SANITIZE_ADDRESS__
#define ALLOC_MAX ((size_t)2 << 30)
void *__libc_malloc(size_t n);
void *__libc_calloc(size_t k, size_t n);
void *__libc_realloc(void *p, size_t n);
void *__libc_memalign(size_t align, size_t n);

static void *too_big(size_t n)
{
    char line[128];
    int len = snprintf(line, sizeof line, "not ok - replay: one allocation of %zu bytes (over 2 GB)\n", n);
    if (write(1, line, (size_t)len) < 0)
        _exit(3);
    abort();
}

void *malloc(size_t n) { return n > ALLOC_MAX ? too_big(n) : __libc_malloc(n); }
void *calloc(size_t k, size_t n) { return k && n > ALLOC_MAX / k ? too_big(k * n) : __libc_calloc(k, n); }
void *realloc(void *p, size_t n) { return n > ALLOC_MAX ? too_big(n) : __libc_realloc(p, n); }
int posix_memalign(void **p, size_t align, size_t n)
{
    if (n > ALLOC_MAX)
        too_big(n);
    return (*p = __libc_memalign(align, n)) ? 0 : ENOMEM;
}
#endif

static long inputs;

static void replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        check(0, "replay: cannot open %s", path);
        return;
    }
    size_t cap = 1 << 16, n = 0, got;
    unsigned char *buf = malloc(cap);
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0)
        if ((n += got) == cap && !(buf = realloc(buf, cap *= 2)))
            break;
    fclose(f);
    if (!buf)
        abort();
    alarm(60);
    LLVMFuzzerTestOneInput(buf, n);
    alarm(0);
    free(buf);
    inputs++;
}

static void replay(const char *path)
{
    struct stat st;
    if (stat(path, &st) < 0)
        return; /* a folder of regressions may not exist yet */
    if (!S_ISDIR(st.st_mode)) {
        replay_file(path);
        return;
    }
    struct dirent **names;
    int n = scandir(path, &names, NULL, alphasort);
    for (int i = 0; i < n; i++) {
        if (names[i]->d_name[0] != '.') {
            char sub[4096];
            snprintf(sub, sizeof sub, "%s/%s", path, names[i]->d_name);
            replay(sub);
        }
        free(names[i]);
    }
    free(n >= 0 ? names : NULL);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s NAME FILE|FOLDER...\n", argv[0]);
        return 2;
    }
    if (LLVMFuzzerInitialize)
        LLVMFuzzerInitialize(&argc, &argv);
    for (int i = 2; i < argc; i++)
        replay(argv[i]);
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    check(inputs > 0 && u.ru_maxrss < (1L << 20), "replay %s: %ld inputs, peak memory %ld MB", argv[1], inputs,
          u.ru_maxrss >> 10);
    return check_exit();
}
