/* parallel — thread fan-out; see parallel.h. */
#include "parallel.h"

#include <pthread.h>

void parallel_run(int n, void *(*fn)(void *), void *shares, size_t size)
{
    pthread_t tid[PARALLEL_MAX];
    int started[PARALLEL_MAX] = {0};
    char *base = shares;
    if (n > PARALLEL_MAX)
        n = PARALLEL_MAX;
    for (int t = 1; t < n; t++)
        started[t] = pthread_create(&tid[t], NULL, fn, base + (size_t)t * size) == 0;
    fn(base);
    for (int t = 1; t < n; t++) {
        if (started[t])
            pthread_join(tid[t], NULL);
        else
            fn(base + (size_t)t * size);
    }
}
