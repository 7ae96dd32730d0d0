/* wordindex — a set of words, each with a dense index (0, 1, ... in the
 * order added), found by hash.
 *
 * The layout is the one seqtool's vector files store, so a mapped file is
 * used as it is: words (every word followed by a NUL), offset[n + 1]
 * (where each word starts; offset[n] is the bytes used), and hash[H] (H a
 * power of two; FNV-1a 64 of the word's bytes, linear probing; an entry is
 * index + 1, 0 = empty).  An index that owns its arrays grows as words are
 * added; one adopted from a file is read-only.
 */
#ifndef SEQTOOL_WORDINDEX_H
#define SEQTOOL_WORDINDEX_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    long n;
    const char *words;
    const uint64_t *offset;
    const uint32_t *hash;
    uint64_t mask;            /* hash size - 1 */
    /* owned storage (NULL when adopted) */
    char *own_words;
    uint64_t *own_offset;
    uint32_t *own_hash;
    size_t words_cap;
    long offset_cap;
} word_index;

/* An empty, growable index sized for about n words of bytes in total
 * (both may be 0).  0, or -1 when out of memory. */
int word_index_init(word_index *wi, long n, size_t bytes);
/* Adopt arrays read from a file after checking them; 0, or -1 when they
 * are inconsistent. */
int word_index_adopt(word_index *wi, long n, const char *words, size_t words_size,
                     const uint64_t *offset, const uint32_t *hash, uint64_t hash_size);
void word_index_free(word_index *wi);

/* The hash of a word's bytes (FNV-1a 64). */
uint64_t word_index_hash(const char *word, size_t len);
/* Bring the slot for a hash into the cache ahead of an add (bulk loads). */
static inline void word_index_prefetch(const word_index *wi, uint64_t hash)
{
    __builtin_prefetch(&wi->hash[hash & wi->mask]);
}

/* Index of word (len bytes), or -1. */
long word_index_find(const word_index *wi, const char *word, size_t len);
/* Index of word, adding it when new (*added tells which); -1 when out of
 * memory, or when the index is adopted or full (2^32 - 2 words). */
long word_index_add(word_index *wi, const char *word, size_t len, int *added);
/* The same with the word's hash already computed. */
long word_index_add_hashed(word_index *wi, const char *word, size_t len, uint64_t hash, int *added);

static inline const char *word_index_word(const word_index *wi, long i)
{
    return wi->words + wi->offset[i];
}
/* Bytes of word i, without its NUL. */
static inline size_t word_index_len(const word_index *wi, long i)
{
    return (size_t)(wi->offset[i + 1] - wi->offset[i] - 1);
}
/* Bytes of the words array in use. */
static inline size_t word_index_bytes(const word_index *wi)
{
    return (size_t)wi->offset[wi->n];
}

#endif
