/* fileio — whole files in, files out atomically.
 *
 * file_map gives a file's bytes: mapped read-only when it is a regular
 * file, read into memory otherwise (pipes, /dev/stdin).  atomic_* write a
 * file under a temporary name in the same folder and rename it into place
 * only when everything was written, so a reader never sees half a file and
 * an interrupted write leaves the old file as it was.
 */
#ifndef SEQTOOL_FILEIO_H
#define SEQTOOL_FILEIO_H

#include "error.h"

#include <stddef.h>
#include <stdio.h>

typedef struct {
    unsigned char *bytes;
    size_t size;
    int mapped;
} file_bytes;

/* 0, or -1 with "cannot open 'path': reason" in err.  file_map faults
 * every page in at once (for callers that read it all); file_map_lazy
 * leaves pages to be read when touched (a large table of which a query
 * reads a few rows). */
int file_map(file_bytes *fb, const char *path, char *err);
int file_map_lazy(file_bytes *fb, const char *path, char *err);
/* file_map for a file that must not exceed max bytes: a larger one fails,
 * with "cannot read 'path': larger than MAX bytes", before it is mapped
 * (a regular file) or as soon as more than max bytes came in (a pipe). */
int file_map_max(file_bytes *fb, const char *path, size_t max, char *err);
void file_unmap(file_bytes *fb);

typedef struct {
    char *path, *tmp;
    FILE *f;
} atomic_file;

/* Create the temporary file; write to a->f.  0, or -1 with errno set. */
int atomic_open(atomic_file *a, const char *path);
/* Flush, sync, close and rename into place; on any failure the temporary
 * file is removed.  0, or -1 with errno set. */
int atomic_commit(atomic_file *a);
/* Give up: close and remove the temporary file. */
void atomic_abort(atomic_file *a);

#endif
