/* wordindex — words with dense indices, found by hash; see wordindex.h. */
#include "wordindex.h"

#include <stdlib.h>
#include <string.h>

uint64_t word_index_hash(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
    return h;
}

static int same(const word_index *wi, long i, const char *word, size_t len)
{
    return word_index_len(wi, i) == len && memcmp(word_index_word(wi, i), word, len) == 0;
}

/* The slot holding word, or the empty slot where it would go; the mask
 * bounds the probes, so a damaged adopted table cannot loop forever. */
static uint64_t probe_hashed(const word_index *wi, const char *word, size_t len, uint64_t hash, int *found)
{
    uint64_t slot = hash & wi->mask;
    *found = 0;
    for (uint64_t k = 0; k <= wi->mask; k++, slot = (slot + 1) & wi->mask) {
        uint32_t e = wi->hash[slot];
        if (e == 0)
            return slot;
        if (e <= (uint64_t)wi->n && same(wi, (long)e - 1, word, len)) {
            *found = 1;
            return slot;
        }
    }
    return UINT64_MAX;
}

static uint64_t probe(const word_index *wi, const char *word, size_t len, int *found)
{
    return probe_hashed(wi, word, len, word_index_hash(word, len), found);
}

static int rehash(word_index *wi, uint64_t size)
{
    uint32_t *h = calloc(size, sizeof *h);
    if (!h)
        return -1;
    free(wi->own_hash);
    wi->own_hash = h;
    wi->hash = h;
    wi->mask = size - 1;
    for (long i = 0; i < wi->n; i++) {
        int found;
        uint64_t slot = probe(wi, word_index_word(wi, i), word_index_len(wi, i), &found);
        h[slot] = (uint32_t)(i + 1);
    }
    return 0;
}

int word_index_init(word_index *wi, long n, size_t bytes)
{
    memset(wi, 0, sizeof *wi);
    uint64_t size = 16;
    while (size < 2 * (uint64_t)(n > 0 ? n : 0) + 2)
        size *= 2;
    wi->offset_cap = n > 15 ? n + 1 : 16;
    wi->words_cap = bytes > 64 ? bytes : 64;
    wi->own_offset = malloc((size_t)wi->offset_cap * sizeof *wi->own_offset);
    wi->own_words = malloc(wi->words_cap);
    wi->own_hash = calloc(size, sizeof *wi->own_hash);
    if (!wi->own_offset || !wi->own_words || !wi->own_hash) {
        word_index_free(wi);
        return -1;
    }
    wi->own_offset[0] = 0;
    wi->words = wi->own_words;
    wi->offset = wi->own_offset;
    wi->hash = wi->own_hash;
    wi->mask = size - 1;
    return 0;
}

int word_index_adopt(word_index *wi, long n, const char *words, size_t words_size,
                     const uint64_t *offset, const uint32_t *hash, uint64_t hash_size)
{
    memset(wi, 0, sizeof *wi);
    if (n < 0 || hash_size < (uint64_t)n + 1 || (hash_size & (hash_size - 1)) || offset[0] != 0 ||
        offset[n] != words_size)
        return -1;
    for (long i = 0; i < n; i++)
        if (offset[i + 1] <= offset[i] || offset[i + 1] > words_size || words[offset[i + 1] - 1] != 0)
            return -1;
    wi->n = n;
    wi->words = words;
    wi->offset = offset;
    wi->hash = hash;
    wi->mask = hash_size - 1;
    return 0;
}

void word_index_free(word_index *wi)
{
    free(wi->own_words);
    free(wi->own_offset);
    free(wi->own_hash);
    memset(wi, 0, sizeof *wi);
}

long word_index_find(const word_index *wi, const char *word, size_t len)
{
    if (!wi->hash)
        return -1;
    int found;
    uint64_t slot = probe(wi, word, len, &found);
    return found ? (long)wi->hash[slot] - 1 : -1;
}

long word_index_add(word_index *wi, const char *word, size_t len, int *added)
{
    return word_index_add_hashed(wi, word, len, word_index_hash(word, len), added);
}

long word_index_add_hashed(word_index *wi, const char *word, size_t len, uint64_t hash, int *added)
{
    int found;
    *added = 0;
    uint64_t slot = wi->hash ? probe_hashed(wi, word, len, hash, &found) : UINT64_MAX;
    if (slot != UINT64_MAX && found)
        return (long)wi->hash[slot] - 1;
    if (!wi->own_hash || wi->n >= (long)UINT32_MAX - 1)
        return -1;
    if ((uint64_t)(wi->n + 1) * 2 > wi->mask + 1) {
        if (rehash(wi, 2 * (wi->mask + 1)) < 0)
            return -1;
        slot = probe_hashed(wi, word, len, hash, &found);
    }
    if (wi->n + 2 > wi->offset_cap) {
        long cap = 2 * wi->offset_cap;
        uint64_t *o = realloc(wi->own_offset, (size_t)cap * sizeof *o);
        if (!o)
            return -1;
        wi->own_offset = o;
        wi->offset = o;
        wi->offset_cap = cap;
    }
    size_t used = wi->own_offset[wi->n];
    if (used + len + 1 > wi->words_cap) {
        size_t cap = 2 * wi->words_cap + len + 1;
        char *w = realloc(wi->own_words, cap);
        if (!w)
            return -1;
        wi->own_words = w;
        wi->words = w;
        wi->words_cap = cap;
    }
    memcpy(wi->own_words + used, word, len);
    wi->own_words[used + len] = 0;
    wi->own_offset[wi->n + 1] = used + len + 1;
    wi->own_hash[slot] = (uint32_t)(wi->n + 1);
    *added = 1;
    return wi->n++;
}
