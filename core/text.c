/* text — lines, UTF-8, vocabularies; see text.h. */
#include "text.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
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

int text_is_blank(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t')
            return 0;
    return 1;
}

int text_ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

int text_index_of(const char *const *names, int n, const char *s)
{
    for (int k = 0; k < n; k++)
        if (strcmp(s, names[k]) == 0)
            return k;
    return -1;
}

int utf8_valid(const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        int cp, k = utf8_decode(s + i, n - i, &cp);
        if (k < 0 || cp == 0)
            return 0;
        i += (size_t)k;
    }
    return 1;
}

size_t utf8_repair(const char *s, size_t n, char *out)
{
    size_t m = 0;
    for (size_t i = 0; i < n;) {
        int cp, k = utf8_decode(s + i, n - i, &cp);
        if (k < 0 || cp == 0) {
            m += (size_t)utf8_encode(0xFFFD, out + m);
            i++;
            continue;
        }
        memcpy(out + m, s + i, (size_t)k);
        m += (size_t)k;
        i += (size_t)k;
    }
    out[m] = '\0';
    return m;
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

/* The next line of f without its "\n" into *buf (grown as needed):
 * its length, or -1 at the end of input.  Reading stops after keep + 1
 * bytes, so a line longer than keep costs no more memory than that. */
static long read_line(FILE *f, char **buf, size_t *cap, size_t keep)
{
    size_t n = 0;
    int c;
    while ((c = getc_unlocked(f)) != EOF && c != '\n') {
        if (n + 2 > *cap) {
            size_t grown = 2 * *cap;
            char *b = realloc(*buf, grown);
            if (!b) {
                errno = ENOMEM;
                return -2;
            }
            *buf = b;
            *cap = grown;
        }
        (*buf)[n++] = (char)c;
        if (n > keep)
            break;
    }
    if (c == EOF && n == 0)
        return -1;
    return (long)n;
}

int text_read_lines(FILE *f, size_t max_len, text_lines *out, char *err)
{
    memset(out, 0, sizeof *out);
    size_t cap = 256;
    char *buf = malloc(cap);
    long got = 0;
    long lineno = 0;
    if (!buf)
        return err_set(err, "out of memory");
    /* max_len bytes, and a "\r" before the "\n" */
    size_t keep = max_len < SIZE_MAX - 1 ? max_len + 1 : max_len;
    while ((got = read_line(f, &buf, &cap, keep)) >= 0) {
        size_t n = (size_t)got;
        lineno++;
        if (n <= keep && n && buf[n - 1] == '\r')
            n--;
        /* a line cut short is judged by its length alone */
        if (n > max_len) {
            snprintf(err, ERR_MAX, "line %ld: longer than %zu bytes", lineno, max_len);
            goto fail;
        }
        if (!utf8_valid(buf, n)) {
            snprintf(err, ERR_MAX, "line %ld: binary data (not UTF-8 text)", lineno);
            goto fail;
        }
        if (push_line(out, buf, n) < 0) {
            snprintf(err, ERR_MAX, "out of memory");
            goto fail;
        }
    }
    if (got == -2) {
        snprintf(err, ERR_MAX, "out of memory");
        goto fail;
    }
    if (ferror(f)) {
        snprintf(err, ERR_MAX, "read error");
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

/* ---- numbers as text ---- */

static const double pow10_exact[23] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/* d is a decimal correctly rounded to double.  Rounding d to float gives
 * the decimal correctly rounded to float unless d lies exactly halfway
 * between two floats (the decimal may not) or outside float's normal
 * range; then 0, and the caller asks strtof. */
static int double_to_float_exact(double d, float *out)
{
    double a = fabs(d);
    if (a != 0 && (a < 0x1p-125 || a > 0x1.fffffep127))
        return 0;
    uint64_t bits;
    memcpy(&bits, &d, sizeof bits);
    if ((bits & 0x1FFFFFFFu) == 0x10000000u)
        return 0;
    *out = (float)d;
    return 1;
}

/* strtof on the bytes [s, e), which must be consumed entirely. */
static const char *float_parse_slow(const char *s, const char *e, float *out)
{
    char small[64], *buf = small;
    size_t n = (size_t)(e - s);
    if (n >= sizeof small && !(buf = malloc(n + 1)))
        return NULL;
    memcpy(buf, s, n);
    buf[n] = 0;
    char *stop;
    *out = strtof(buf, &stop);
    int whole = n > 0 && stop == buf + n;
    if (buf != small)
        free(buf);
    return whole ? e : NULL;
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* inf, infinity, nan: the token up to the next space, to strtof. */
static const char *float_parse_word(const char *s, const char *end, float *out)
{
    const char *e = s;
    while (e < end && e - s < 40 && *e != ' ' && *e != '\t' && *e != '\n' && *e != '\r')
        e++;
    return float_parse_slow(s, e, out);
}

/* Up to 8 decimal digits at p at once (8 bytes must be readable): their
 * count in *n and their value (SWAR: all bytes checked and combined with
 * three multiplications). */
static inline uint64_t digits8(const char *p, int *n)
{
    uint64_t v;
    memcpy(&v, p, 8);
    uint64_t bad = ((v & 0xF0F0F0F0F0F0F0F0ull) ^ 0x3030303030303030ull) |
                   (((v + 0x0606060606060606ull) & 0xF0F0F0F0F0F0F0F0ull) ^ 0x3030303030303030ull);
    int k = bad ? __builtin_ctzll(bad) / 8 : 8;
    *n = k;
    if (k == 0)
        return 0;
    v <<= 8 * (8 - k); /* the digits to the high bytes: leading zeros below */
    v = (v & 0x0F0F0F0F0F0F0F0Full) * 2561 >> 8;
    v = (v & 0x00FF00FF00FF00FFull) * 6553601 >> 16;
    return (v & 0x0000FFFF0000FFFFull) * 42949672960001ull >> 32;
}

/* Digits from p into *m (at most 19 in all, else -1); the count. */
static inline long read_digits(const char **pp, const char *end, uint64_t *m, long room)
{
    const char *p = *pp;
    long count = 0;
    while (end - p >= 8) {
        int k;
        uint64_t d = digits8(p, &k);
        if (count + k > room)
            return -1;
        *m = *m * (uint64_t)pow10_exact[k] + d;
        p += k;
        count += k;
        if (k < 8)
            break;
    }
    if (end - p < 8)
        for (; p < end && (unsigned)(*p - '0') < 10; p++, count++) {
            if (count == room)
                return -1;
            *m = *m * 10 + (uint64_t)(*p - '0');
        }
    *pp = p;
    return count;
}

/* The common case, [-]digits[.digits] with at most 19 digits and no
 * exponent; NULL for anything else. */
static inline const char *float_parse_plain(const char *s, const char *end, float *out)
{
    const char *p = s;
    int neg = p < end && *p == '-';
    p += neg;
    uint64_t m = 0;
    long digits = read_digits(&p, end, &m, 19), frac = 0;
    if (digits < 0)
        return NULL;
    if (p < end && *p == '.') {
        p++;
        frac = read_digits(&p, end, &m, 19 - digits);
        if (frac < 0)
            return NULL;
    }
    digits += frac;
    if (digits == 0 || frac > 22 || m >= (1ull << 53) || (p < end && (*p == 'e' || *p == 'E')))
        return NULL;
    double x = (double)m / pow10_exact[frac];
    if (!double_to_float_exact(neg ? -x : x, out))
        return NULL;
    return p;
}

const char *float_parse(const char *s, const char *end, float *out)
{
    const char *quick = float_parse_plain(s, end, out);
    if (quick)
        return quick;
    const char *p = s;
    int neg = 0, digits = 0, any = 0, inexact = 0, exp10 = 0;
    uint64_t m = 0;
    if (p < end && (*p == '-' || *p == '+'))
        neg = *p++ == '-';
    for (; p < end && is_digit(*p); p++, any = 1) {
        if (m == 0 && *p == '0')
            continue;
        if (digits < 19) {
            m = m * 10 + (uint64_t)(*p - '0');
            digits++;
        } else {
            inexact = 1;
        }
    }
    if (p < end && *p == '.')
        for (p++; p < end && is_digit(*p); p++, any = 1) {
            if (m == 0 && *p == '0') {
                exp10--;
                continue;
            }
            if (digits < 19) {
                m = m * 10 + (uint64_t)(*p - '0');
                digits++;
                exp10--;
            } else {
                inexact = 1;
            }
        }
    if (!any)
        return float_parse_word(s, end, out);
    if (p < end && (*p == 'e' || *p == 'E')) {
        const char *q = p + 1;
        int eneg = 0, e = 0;
        if (q < end && (*q == '-' || *q == '+'))
            eneg = *q++ == '-';
        if (q < end && is_digit(*q)) {
            for (; q < end && is_digit(*q); q++)
                if (e < 100000)
                    e = e * 10 + (*q - '0');
            exp10 += eneg ? -e : e;
            p = q;
        }
    }
    if (m == 0 && !inexact) {
        *out = neg ? -0.0f : 0.0f;
        return p;
    }
    if (!inexact && m < (1ull << 53) && exp10 >= -22 && exp10 <= 22) {
        double d = exp10 < 0 ? (double)m / pow10_exact[-exp10] : (double)m * pow10_exact[exp10];
        if (double_to_float_exact(neg ? -d : d, out))
            return p;
    }
    return float_parse_slow(s, p, out);
}

/* Write mantissa m (nd digits, no trailing zeros) times 10^-k. */
static int format_decimal(int neg, uint64_t m, int k, char *buf)
{
    char dig[24];
    int nd = snprintf(dig, sizeof dig, "%llu", (unsigned long long)m);
    int e = nd - 1 - k; /* exponent of the leading digit */
    char *o = buf;
    if (neg)
        *o++ = '-';
    if (e < -4 || e > 8) {
        *o++ = dig[0];
        if (nd > 1) {
            *o++ = '.';
            memcpy(o, dig + 1, (size_t)nd - 1);
            o += nd - 1;
        }
        o += sprintf(o, "e%c%02d", e < 0 ? '-' : '+', e < 0 ? -e : e);
    } else if (k <= 0) {
        memcpy(o, dig, (size_t)nd);
        o += nd;
        for (int i = 0; i < -k; i++)
            *o++ = '0';
    } else if (k >= nd) {
        *o++ = '0';
        *o++ = '.';
        for (int i = 0; i < k - nd; i++)
            *o++ = '0';
        memcpy(o, dig, (size_t)nd);
        o += nd;
    } else {
        memcpy(o, dig, (size_t)(nd - k));
        o += nd - k;
        *o++ = '.';
        memcpy(o, dig + nd - k, (size_t)k);
        o += k;
    }
    *o = 0;
    return (int)(o - buf);
}

int float_format(float x, char *buf)
{
    if (isnan(x))
        return sprintf(buf, "nan");
    if (isinf(x))
        return sprintf(buf, x < 0 ? "-inf" : "inf");
    if (x == 0)
        return sprintf(buf, signbit(x) ? "-0" : "0");
    int neg = x < 0;
    float ax = fabsf(x);
    double a = ax;
    int e10 = (int)floor(log10(a));
    for (int p = 1; p <= 9; p++) {
        int k = p - 1 - e10;
        if (k > 22 || k < -22)
            break;
        double scaled = k >= 0 ? a * pow10_exact[k] : a / pow10_exact[-k];
        double mr = nearbyint(scaled);
        double back = k >= 0 ? mr / pow10_exact[k] : mr * pow10_exact[-k];
        float f;
        if (mr < 1 || !double_to_float_exact(back, &f) || f != ax)
            continue;
        uint64_t m = (uint64_t)mr;
        while (m % 10 == 0) {
            m /= 10;
            k--;
        }
        return format_decimal(neg, m, k, buf);
    }
    /* Outside the exact range of powers of ten (or on a float halfway
     * point): let printf find the shortest. */
    for (int p = 1;; p++) {
        int n = snprintf(buf, FLOAT_TEXT_MAX, "%.*g", p, (double)x);
        if (p == 9 || strtof(buf, NULL) == x)
            return n;
    }
}

const char *float_parse_line(const char *s, const char *end, float *out, int max, int *count)
{
    int k = 0;
    while (k <= FLOAT_LINE_MAX) {
        while (s < end && (*s == ' ' || *s == '\t' || *s == '\r'))
            s++;
        if (s == end || *s == '\n')
            break;
        float x;
        const char *e = float_parse_plain(s, end, &x);
        if (!e)
            e = float_parse(s, end, &x);
        if (!e || (e < end && *e != ' ' && *e != '\t' && *e != '\r' && *e != '\n'))
            break;
        if (k < max)
            out[k] = x;
        k++;
        s = e;
    }
    *count = k;
    return s;
}

/* ---- words ---- */

static int is_blank_byte(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static int is_punct_byte(char c)
{
    return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') ||
           (c >= '{' && c <= '~');
}

/* Lower-cased copy of s with U+2019 as "'"; returns its length. */
static size_t words_normalize(const char *s, size_t n, char *out)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '\xe2' && i + 2 < n && s[i + 1] == '\x80' && s[i + 2] == '\x99') {
            out[m++] = '\'';
            i += 2;
        } else {
            out[m++] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
        }
    }
    out[m] = 0;
    return m;
}

typedef struct {
    const char **word;
    int *len, n, max;
} word_list;

static void words_emit(word_list *w, const char *p, size_t n)
{
    if (n && w->n < w->max) {
        w->word[w->n] = p;
        w->len[w->n++] = (int)n;
    }
}

static int ends_with(const char *p, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);
    return n > k && memcmp(p + n - k, suffix, k) == 0;
}

static const char *const clitics[] = {"n't", "'s", "'m", "'d", "'re", "'ve", "'ll"};
#define NCLITICS (sizeof clitics / sizeof clitics[0])

/* Where a clitic starts in the word p[0..n), or n when it has none. */
static size_t clitic_start(const char *p, size_t n)
{
    for (size_t i = 0; i < NCLITICS; i++)
        if (ends_with(p, n, clitics[i]))
            return n - strlen(clitics[i]);
    return n;
}

static int is_clitic(const char *p, size_t n)
{
    for (size_t i = 0; i < NCLITICS; i++)
        if (strlen(clitics[i]) == n && memcmp(p, clitics[i], n) == 0)
            return 1;
    return 0;
}

/* One blank-free token p[0..n): leading punctuation, the word, its
 * clitic, trailing punctuation. */
static void words_token(word_list *w, const char *p, size_t n)
{
    size_t a = 0, e = n;
    while (a < n && is_punct_byte(p[a]))
        a++;
    if (a == n || is_clitic(p, n)) {
        words_emit(w, p, n);
        return;
    }
    for (size_t i = 0; i < a; i++)
        words_emit(w, p + i, 1);
    while (is_punct_byte(p[e - 1]))
        e--;
    size_t c = a + clitic_start(p + a, e - a);
    words_emit(w, p + a, c - a);
    words_emit(w, p + c, e - c);
    for (size_t k = e; k < n;) {
        size_t r = k + 1;
        if (p[k] == '.')
            while (r < n && p[r] == '.')
                r++;
        words_emit(w, p + k, r - k);
        k = r;
    }
}

int text_words(const char *s, size_t n, char *buf, const char **word, int *len, int max)
{
    size_t m = words_normalize(s, n, buf);
    word_list w = {word, len, 0, max};
    for (size_t i = 0; i < m;) {
        while (i < m && is_blank_byte(buf[i]))
            i++;
        size_t j = i;
        while (j < m && !is_blank_byte(buf[j]))
            j++;
        if (j > i)
            words_token(&w, buf + i, j - i);
        i = j;
    }
    return w.n;
}
