/* parallel — the one thread fan-out: n shares of work, share 0 on the
 * calling thread and each other on a thread of its own; a share whose
 * thread cannot be started runs on the calling thread after share 0, so
 * the work is always done and its results do not depend on how many
 * threads the system granted. */
#ifndef SEQTOOL_PARALLEL_H
#define SEQTOOL_PARALLEL_H

#include <stddef.h>

/* The most shares one call runs (a --threads option's upper bound). */
#define PARALLEL_MAX 256

/* fn(shares + i * size) for i in [0, n), 1 <= n <= PARALLEL_MAX; returns
 * when every share is done. */
void parallel_run(int n, void *(*fn)(void *), void *shares, size_t size);

#endif
