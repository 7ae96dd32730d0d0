/* text — lines, UTF-8, vocabularies; see text.h. */
#include "text.h"

#include <stdlib.h>
#include <string.h>

int utf8_decode(const char *str, size_t n, int *cp)
{
    const unsigned char *s = (const unsigned char *)str;
    if (n == 0)
        return -1;
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    int len = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC2 ? 2 : 0;
    if (len == 0 || s[0] > 0xF4 || (size_t)len > n)
        return -1;
    int c = s[0] & (0x7F >> len);
    for (int i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return -1;
        c = c << 6 | (s[i] & 0x3F);
    }
    /* Reject overlong forms, surrogates and values past U+10FFFF. */
    if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10FFFF)) ||
        (c >= 0xD800 && c <= 0xDFFF))
        return -1;
    *cp = c;
    return len;
}

int utf8_encode(int cp, char *out)
{
    unsigned char *o = (unsigned char *)out;
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xC0 | cp >> 6);
        o[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xE0 | cp >> 12);
        o[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | cp >> 18);
    o[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
    o[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
    o[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

static int push_line(text_lines *t, const char *s, size_t n)
{
    if (t->n == t->cap) {
        int cap = t->cap ? 2 * t->cap : 256;
        char **l = realloc(t->line, cap * sizeof *l);
        if (l)
            t->line = l;
        size_t *len = realloc(t->len, cap * sizeof *len);
        if (len)
            t->len = len;
        if (!l || !len)
            return -1;
        t->cap = cap;
    }
    char *copy = malloc(n + 1);
    if (!copy)
        return -1;
    memcpy(copy, s, n);
    copy[n] = 0;
    t->line[t->n] = copy;
    t->len[t->n++] = n;
    return 0;
}

int text_read_lines(FILE *f, size_t max_len, text_lines *out, char *err)
{
    memset(out, 0, sizeof *out);
    char *buf = NULL;
    size_t cap = 0;
    ssize_t got;
    long lineno = 0;
    while ((got = getline(&buf, &cap, f)) >= 0) {
        size_t n = (size_t)got;
        lineno++;
        if (n && buf[n - 1] == '\n')
            n--;
        if (n && buf[n - 1] == '\r')
            n--;
        for (size_t i = 0; i < n;) {
            int cp, k = utf8_decode(buf + i, n - i, &cp);
            if (k < 0 || cp == 0) {
                snprintf(err, TEXT_ERR_MAX, "line %ld: binary data (not UTF-8 text)", lineno);
                goto fail;
            }
            i += (size_t)k;
        }
        if (n > max_len) {
            snprintf(err, TEXT_ERR_MAX, "line %ld: longer than %zu bytes", lineno, max_len);
            goto fail;
        }
        if (push_line(out, buf, n) < 0) {
            snprintf(err, TEXT_ERR_MAX, "out of memory");
            goto fail;
        }
    }
    if (ferror(f)) {
        snprintf(err, TEXT_ERR_MAX, "read error");
        goto fail;
    }
    free(buf);
    return 0;
fail:
    free(buf);
    text_lines_free(out);
    return -1;
}

void text_lines_free(text_lines *t)
{
    for (int i = 0; i < t->n; i++)
        free(t->line[i]);
    free(t->line);
    free(t->len);
    memset(t, 0, sizeof *t);
}

int vocab_id(const vocab *v, int cp)
{
    int lo = 0, hi = v->n - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (v->cp[mid] == cp)
            return mid;
        if (v->cp[mid] < cp)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}

int vocab_add(vocab *v, int cp)
{
    if (vocab_id(v, cp) >= 0)
        return 0;
    if (v->n == VOCAB_MAX)
        return -1;
    int i = v->n;
    while (i > 0 && v->cp[i - 1] > cp) {
        v->cp[i] = v->cp[i - 1];
        i--;
    }
    v->cp[i] = cp;
    v->n++;
    return 0;
}

char *vocab_to_utf8(const vocab *v)
{
    char *s = malloc((size_t)v->n * 4 + 1), *p = s;
    if (!s)
        return NULL;
    for (int i = 0; i < v->n; i++)
        p += utf8_encode(v->cp[i], p);
    *p = 0;
    return s;
}

int vocab_from_utf8(vocab *v, const char *s)
{
    size_t n = strlen(s);
    v->n = 0;
    for (size_t i = 0; i < n;) {
        int cp, k = utf8_decode(s + i, n - i, &cp);
        if (k < 0 || v->n == VOCAB_MAX || (v->n && cp <= v->cp[v->n - 1]))
            return -1;
        v->cp[v->n++] = cp;
        i += (size_t)k;
    }
    return 0;
}
