/* ngram — count-based baseline; see ngram.h. */
#include "ngram.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Keys: a set bit 62, the length (0..5) at bits 55..57, then the tokens,
 * 11 bits each, the last token lowest.  Start tokens are token V. */
#define TOKEN_BITS 11
#define LENGTH_SHIFT 55
#define KEY_MARK ((uint64_t)1 << 62)

static uint64_t pack(const int *tok, int len)
{
    uint64_t key = KEY_MARK | (uint64_t)len << LENGTH_SHIFT;
    for (int j = 0; j < len; j++)
        key |= (uint64_t)tok[j] << (TOKEN_BITS * (len - 1 - j));
    return key;
}

static int key_length(uint64_t key)
{
    return (int)(key >> LENGTH_SHIFT & 7);
}

/* The key without its first token (the suffix), and without its last
 * (the context). */
static uint64_t key_suffix(uint64_t key)
{
    int len = key_length(key);
    uint64_t toks = key & (((uint64_t)1 << (TOKEN_BITS * (len - 1))) - 1);
    return KEY_MARK | (uint64_t)(len - 1) << LENGTH_SHIFT | toks;
}

static uint64_t key_context(uint64_t key)
{
    int len = key_length(key);
    uint64_t toks = (key & (((uint64_t)1 << LENGTH_SHIFT) - 1)) >> TOKEN_BITS;
    return KEY_MARK | (uint64_t)(len - 1) << LENGTH_SHIFT | toks;
}

/* ---- open addressing over entries that start with their key ---- */

static uint64_t mix(uint64_t x)
{
    x ^= x >> 31;
    x *= 0x7fb5d329728ea185ull;
    x ^= x >> 27;
    x *= 0x81dadef4bc2dd44dull;
    return x ^ x >> 33;
}

static uint64_t *key_at(const void *table, size_t size, size_t i)
{
    return (uint64_t *)((char *)table + i * size);
}

/* The slot holding key, or the empty one where it would go. */
static size_t probe(const void *table, size_t size, size_t cap, uint64_t key)
{
    size_t i = (size_t)mix(key) & (cap - 1);
    for (;;) {
        uint64_t k = *key_at(table, size, i);
        if (k == key || k == 0)
            return i;
        i = (i + 1) & (cap - 1);
    }
}

/* The entry of key (NULL when absent). */
static void *lookup(const void *table, size_t size, size_t cap, uint64_t key)
{
    if (!table)
        return NULL;
    size_t i = probe(table, size, cap, key);
    return *key_at(table, size, i) ? key_at(table, size, i) : NULL;
}

/* The entry of key, added zeroed when new; NULL when out of memory.  The
 * table is kept at most half full. */
static void *find_or_add(void **table, size_t size, size_t *cap, size_t *n, uint64_t key)
{
    if (2 * (*n + 1) > *cap) {
        size_t ncap = *cap ? 2 * *cap : 1024;
        void *t = calloc(ncap, size);
        if (!t)
            return NULL;
        for (size_t i = 0; i < *cap; i++) {
            uint64_t k = *key_at(*table, size, i);
            if (k)
                memcpy(key_at(t, size, probe(t, size, ncap, k)), key_at(*table, size, i), size);
        }
        free(*table);
        *table = t;
        *cap = ncap;
    }
    size_t i = probe(*table, size, *cap, key);
    uint64_t *k = key_at(*table, size, i);
    if (!*k) {
        *k = key;
        (*n)++;
    }
    return k;
}

/* ---- counting ---- */

int ngram_init(ngram *g, int V, int order, char *err)
{
    memset(g, 0, sizeof *g);
    if (V < 1 || V > NGRAM_MAX_VOCAB)
        return err_set(err, "a vocabulary of %d tokens: expected 1 to %d", V, NGRAM_MAX_VOCAB);
    if (order < 1 || order > NGRAM_MAX_ORDER)
        return err_set(err, "order %d: expected 1 to %d", order, NGRAM_MAX_ORDER);
    g->V = V;
    g->order = order;
    return 0;
}

void ngram_free(ngram *g)
{
    free(g->gram);
    free(g->ctx);
    memset(g, 0, sizeof *g);
}

/* The len tokens that end at position i of tok (start tokens before 0). */
static uint64_t key_ending_at(const ngram *g, const int *tok, int i, int len)
{
    int t[NGRAM_MAX_ORDER];
    for (int j = 0; j < len; j++) {
        int at = i - len + 1 + j;
        t[j] = at < 0 ? g->V : tok[at];
    }
    return pack(t, len);
}

int ngram_add(ngram *g, const int *tok, int n, char *err)
{
    for (int i = 0; i < n; i++)
        if (tok[i] < 0 || tok[i] >= g->V)
            return err_set(err, "token %d is outside the vocabulary of %d", tok[i], g->V);
    g->finished = 0;
    for (int i = 0; i < n; i++)
        for (int k = 1; k <= g->order; k++) {
            ngram_entry *e = find_or_add((void **)&g->gram, sizeof *g->gram, &g->ngram_cap,
                                         &g->ngram_n, key_ending_at(g, tok, i, k));
            if (!e)
                return err_set(err, "out of memory");
            e->count++;
        }
    g->tokens += n;
    return 0;
}

static double discount(long n1, long n2)
{
    return n1 > 0 ? (double)n1 / (double)(n1 + 2 * n2) : 0.5;
}

int ngram_finish(ngram *g, char *err)
{
    long n1[NGRAM_MAX_ORDER + 1][2], n2[NGRAM_MAX_ORDER + 1][2];
    memset(n1, 0, sizeof n1);
    memset(n2, 0, sizeof n2);
    free(g->ctx);
    g->ctx = NULL;
    g->ctx_cap = g->ctx_n = 0;
    for (size_t i = 0; i < g->ngram_cap; i++)
        g->gram[i].cont = 0;
    /* each distinct (k+1)-gram is one left extension of its suffix */
    for (size_t i = 0; i < g->ngram_cap; i++) {
        uint64_t key = g->gram[i].key;
        if (key && key_length(key) > 1) {
            ngram_entry *s = lookup(g->gram, sizeof *g->gram, g->ngram_cap, key_suffix(key));
            s->cont++;
        }
    }
    for (size_t i = 0; i < g->ngram_cap; i++) {
        const ngram_entry *e = &g->gram[i];
        if (!e->key)
            continue;
        ngram_context *c = find_or_add((void **)&g->ctx, sizeof *g->ctx, &g->ctx_cap,
                                       &g->ctx_n, key_context(e->key));
        if (!c)
            return err_set(err, "out of memory");
        c->sum += e->count;
        c->sum_cont += e->cont;
        c->types++;
        int k = key_length(e->key);
        n1[k][0] += e->count == 1;
        n2[k][0] += e->count == 2;
        n1[k][1] += e->cont == 1;
        n2[k][1] += e->cont == 2;
    }
    for (int k = 1; k <= g->order; k++)
        for (int lower = 0; lower < 2; lower++)
            g->discount[k][lower] = discount(n1[k][lower], n2[k][lower]);
    g->finished = 1;
    return 0;
}

/* ---- queries ---- */

double ngram_prob(const ngram *g, ngram_smoothing s, int q, const int *hist, int hlen, int w)
{
    int t[NGRAM_MAX_ORDER];
    double p = 1.0 / g->V;
    for (int k = 1; k <= q; k++) {
        /* the context: the last k-1 tokens of hist, start tokens before it */
        for (int j = 0; j < k - 1; j++) {
            int at = hlen - (k - 1) + j;
            t[j] = at < 0 ? g->V : hist[at];
        }
        const ngram_context *c =
            lookup(g->ctx, sizeof *g->ctx, g->ctx_cap, pack(t, k - 1));
        if (!c || c->sum == 0)
            continue;
        t[k - 1] = w;
        const ngram_entry *e = lookup(g->gram, sizeof *g->gram, g->ngram_cap, pack(t, k));
        if (s == NGRAM_WB) {
            double cw = e ? e->count : 0;
            p = (cw + c->types * p) / ((double)c->sum + c->types);
        } else {
            int lower = k < q;
            double cw = e ? (lower ? e->cont : e->count) : 0;
            double sum = lower ? c->sum_cont : c->sum, D = g->discount[k][lower];
            p = (fmax(cw - D, 0.0) + D * c->types * p) / sum;
        }
    }
    return p;
}

double ngram_bits(const ngram *g, ngram_smoothing s, int q, const int *tok, int n)
{
    double bits = 0;
    for (int i = 0; i < n; i++)
        bits -= log2(ngram_prob(g, s, q, tok, i, tok[i]));
    return bits;
}
