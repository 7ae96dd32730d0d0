/* fileio — mapped input, atomic output; see fileio.h. */
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Read fd to its end; more than max bytes fails with EFBIG. */
static int read_stream(file_bytes *fb, int fd, size_t max)
{
    size_t cap = 1 << 16, n = 0;
    unsigned char *buf = malloc(cap);
    for (;;) {
        if (!buf)
            return -1;
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            free(buf);
            return -1;
        }
        if (r == 0)
            break;
        n += (size_t)r;
        if (n > max) {
            free(buf);
            errno = EFBIG;
            return -1;
        }
        if (n == cap) {
            unsigned char *b = realloc(buf, cap *= 2);
            if (!b) {
                free(buf);
                errno = ENOMEM;
                return -1;
            }
            buf = b;
        }
    }
    fb->bytes = buf;
    fb->size = n;
    fb->mapped = 0;
    return 0;
}

static int map_file(file_bytes *fb, const char *path, int populate, size_t max, char *err)
{
    memset(fb, 0, sizeof *fb);
    int fd = open(path, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        snprintf(err, ERR_MAX, "cannot open '%s': %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        snprintf(err, ERR_MAX, "cannot read '%s': %s", path, strerror(EISDIR));
        return -1;
    }
    int rc = 0;
    if (S_ISREG(st.st_mode) && (unsigned long long)st.st_size > max) {
        errno = EFBIG;
        rc = -1;
    } else if (S_ISREG(st.st_mode) && st.st_size > 0) {
        void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE | (populate ? MAP_POPULATE : 0), fd, 0);
        if (p == MAP_FAILED) {
            rc = -1;
        } else {
            fb->bytes = p;
            fb->size = (size_t)st.st_size;
            fb->mapped = 1;
        }
    } else {
        rc = read_stream(fb, fd, max);
    }
    if (rc < 0 && errno == EFBIG)
        snprintf(err, ERR_MAX, "cannot read '%s': larger than %zu bytes", path, max);
    else if (rc < 0)
        snprintf(err, ERR_MAX, "cannot read '%s': %s", path, strerror(errno));
    close(fd);
    return rc;
}

int file_map(file_bytes *fb, const char *path, char *err)
{
    return map_file(fb, path, 1, SIZE_MAX, err);
}

int file_map_lazy(file_bytes *fb, const char *path, char *err)
{
    return map_file(fb, path, 0, SIZE_MAX, err);
}

int file_map_max(file_bytes *fb, const char *path, size_t max, char *err)
{
    return map_file(fb, path, 1, max, err);
}

void file_unmap(file_bytes *fb)
{
    if (fb->mapped)
        munmap(fb->bytes, fb->size);
    else
        free(fb->bytes);
    memset(fb, 0, sizeof *fb);
}

int atomic_open(atomic_file *a, const char *path)
{
    memset(a, 0, sizeof *a);
    size_t n = strlen(path) + 16;
    if (!(a->path = strdup(path)) || !(a->tmp = malloc(n))) {
        free(a->path);
        errno = ENOMEM;
        return -1;
    }
    snprintf(a->tmp, n, "%s.tmp-XXXXXX", path);
    int fd = mkstemp(a->tmp);
    if (fd < 0) {
        int e = errno;
        free(a->tmp);
        free(a->path);
        errno = e;
        return -1;
    }
    /* mkstemp makes 0600; a finished file gets the usual 0666 & ~umask. */
    mode_t mask = umask(0);
    umask(mask);
    if (fchmod(fd, 0666 & ~mask) < 0 || !(a->f = fdopen(fd, "wb"))) {
        int e = errno;
        close(fd);
        unlink(a->tmp);
        free(a->tmp);
        free(a->path);
        errno = e;
        return -1;
    }
    return 0;
}

int atomic_commit(atomic_file *a)
{
    int rc = 0, e = 0;
    if (fflush(a->f) != 0 || ferror(a->f) || fsync(fileno(a->f)) < 0) {
        rc = -1;
        e = errno ? errno : EIO;
    }
    if (fclose(a->f) != 0 && rc == 0) {
        rc = -1;
        e = errno;
    }
    if (rc == 0 && rename(a->tmp, a->path) < 0) {
        rc = -1;
        e = errno;
    }
    if (rc < 0)
        unlink(a->tmp);
    free(a->tmp);
    free(a->path);
    memset(a, 0, sizeof *a);
    errno = e;
    return rc;
}

void atomic_abort(atomic_file *a)
{
    if (!a->f)
        return;
    fclose(a->f);
    unlink(a->tmp);
    free(a->tmp);
    free(a->path);
    memset(a, 0, sizeof *a);
}
