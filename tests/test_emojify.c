/* test_emojify — unit tests of core/emojify, core/labeled, core/csv and the
 * word tokenizer: gradient checks of the V1 and V2 models (every oov
 * policy; V2 on a padded batch with its mask, with and without the zero
 * steps of pad_to, and with dropout), padding invariance of predictions, the inference path against the training
 * forward, the model file round trip, the CSV reader's good and bad cases.
 *
 *   test_emojify               the tests
 *   test_emojify --dump DIR    small models of each kind and oov policy, a
 *                              padded batch, its loss and gradients, for
 *                              tests/emojify_crosscheck.py
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "csv.h"
#include "emo_model.h"
#include "gradcheck.h"
#include "labeled.h"
#include "model.h"
#include "suffix.h"
#include "text.h"
#include "xdump.h"

enum { K_ = 3, D_ = 4, H_ = 3, V_ = 6, B_ = 4 };

/* A tiny model with V_ words of random vectors. */
static void tiny_model(emo_model *m, emo_kind kind, emo_oov oov)
{
    emo_init(m, kind, oov, K_, D_, H_);
    fill_params(&m->ps, 0.8f);
    for (int i = 0; i < V_; i++) {
        char w[8];
        float v[D_];
        snprintf(w, sizeof w, "w%d", i);
        fill_uniform(v, D_, 1);
        emo_add_word(m, w, strlen(w), v);
    }
    m->nkeep = m->nrows;
}

/* Four sentences of lengths 5, 2, 3 and 1, with unknown words. */
static const int s0[] = {0, 3, EMO_UNKNOWN, 5, 1}, s1[] = {2, EMO_UNKNOWN}, s2[] = {4, 4, 0}, s3[] = {1};
static const emo_sentence batch[B_] = {{s0, 5}, {s1, 2}, {s2, 3}, {s3, 1}};
static const int labels[B_] = {2, 0, 1, 2};

typedef struct {
    emo_model m;
    rng drop;   /* reseeded for every forward: the same dropout masks */
} grad_ctx;

static double model_loss(void *p)
{
    grad_ctx *t = p;
    rng r = t->drop;
    return emo_forward(&t->m, B_, batch, labels, t->m.dropout > 0 ? &r : NULL) / B_;
}

static void test_gradients(emo_kind kind, emo_oov oov, float dropout, int pad_to)
{
    grad_ctx *t = calloc(1, sizeof *t);
    tiny_model(&t->m, kind, oov);
    t->m.dropout = dropout;
    t->m.pad_to = pad_to;
    rng_seed(&t->drop, 99);
    model_loss(t);
    params_zero_grad(&t->m.ps);
    emo_backward(&t->m, B_);
    const char *worst = "";
    double e = params_grad_error(model_loss, t, &t->m.ps, &worst);
    check(e < GRAD_TOL, "gradcheck %s, oov %s, dropout %.1f%s, pad_to %d: %.1e (worst %s)", emo_kind_name(kind),
          emo_oov_name(oov), dropout, kind == EMO_V2 ? ", padded and masked" : "", pad_to, e, worst);
    emo_free(&t->m);
    free(t);
}

/* The backward pass must see a wrong gradient: flip the sign of the
 * recurrent weights' gradient and the check must fail. */
static void test_gradcheck_catches(void)
{
    grad_ctx *t = calloc(1, sizeof *t);
    tiny_model(&t->m, EMO_V2, EMO_OOV_SKIP);
    model_loss(t);
    params_zero_grad(&t->m.ps);
    emo_backward(&t->m, B_);
    float *g = params_grad(&t->m.ps, t->m.l1.w_hh);
    for (size_t i = 0; i < t->m.ps.p[t->m.l1.w_hh].size; i++)
        g[i] = -g[i];
    const char *worst = "";
    double e = params_grad_error(model_loss, t, &t->m.ps, &worst);
    check(e > 100 * GRAD_TOL, "the gradient check fails a sign-flipped gradient: %.2f (%s)", e, worst);
    emo_free(&t->m);
    free(t);
}

static double max_diff(const float *a, const float *b, int n)
{
    double d = 0;
    for (int i = 0; i < n; i++)
        d = fmax(d, fabs((double)a[i] - b[i]));
    return d;
}

/* One sentence alone, and in a batch next to one of 40 words: the same
 * probabilities.  And emo_predict (sorted batches) agrees. */
static void test_padding(emo_kind kind, emo_oov oov, int pad_to)
{
    emo_model m;
    tiny_model(&m, kind, oov);
    m.pad_to = pad_to;
    int longer[40];
    for (int i = 0; i < 40; i++)
        longer[i] = i % 7 == 3 ? EMO_UNKNOWN : i % V_;
    emo_sentence alone = batch[0], pair[3] = {{longer, 40}, batch[0], batch[2]};
    float p1[K_], p3[3 * K_], pp[3 * K_], pt[B_ * K_];
    emo_forward_batch(&m, 1, &alone, p1);
    emo_forward_batch(&m, 3, pair, p3);
    double d = max_diff(p1, p3 + K_, K_);
    check(d < 1e-6, "%s, oov %s, pad_to %d: a sentence alone and padded next to one of 40 words: max |dp| %.1e",
          emo_kind_name(kind), emo_oov_name(oov), pad_to, d);
    emo_predict(&m, 3, pair, pp);
    d = max_diff(p3, pp, 3 * K_);
    check(d < 1e-6, "%s, oov %s, pad_to %d: emo_predict (batches sorted by length) = one batch: %.1e",
          emo_kind_name(kind), emo_oov_name(oov), pad_to, d);
    /* The inference path against the training forward without dropout. */
    emo_forward(&m, B_, batch, labels, NULL);
    memcpy(pt, m.logits, sizeof pt);
    softmax_rows(pt, B_, K_, 1);
    float pi[B_ * K_];
    emo_forward_batch(&m, B_, batch, pi);
    d = max_diff(pt, pi, B_ * K_);
    check(d < 1e-6, "%s, oov %s, pad_to %d: inference path = training forward: %.1e", emo_kind_name(kind),
          emo_oov_name(oov), pad_to, d);
    emo_free(&m);
}

/* emo_predict on threads: many batches (over PREDICT_ROWS sentences of
 * many lengths) dealt to 1, 2 and 5 threads give the same numbers bit for
 * bit, and the same as one batch per sentence. */
static void test_threads(emo_kind kind)
{
    enum { N = 1500, MAXLEN = 30 };
    emo_model m;
    tiny_model(&m, kind, EMO_OOV_SKIP);
    m.pad_to = 4;
    static int ids[N][MAXLEN];
    static emo_sentence s[N];
    static float p1[N * K_], p2[N * K_], p5[N * K_];
    rng r;
    rng_seed(&r, 99);
    for (int i = 0; i < N; i++) {
        s[i].len = 1 + (int)(rng_uniform(&r) * MAXLEN) % MAXLEN;
        for (int j = 0; j < s[i].len; j++)
            ids[i][j] = rng_uniform(&r) < 0.1f ? EMO_UNKNOWN : (int)(rng_uniform(&r) * V_) % V_;
        s[i].ids = ids[i];
    }
    m.threads = 1;
    int rc = emo_predict(&m, N, s, p1);
    m.threads = 2;
    rc |= emo_predict(&m, N, s, p2);
    m.threads = 5;
    rc |= emo_predict(&m, N, s, p5);
    check(rc == 0 && memcmp(p1, p2, sizeof p1) == 0 && memcmp(p1, p5, sizeof p1) == 0,
          "%s: emo_predict of %d sentences on 1, 2 and 5 threads: the same bits", emo_kind_name(kind), N);
    double d = 0;
    for (int i = 0; i < N; i += 37) {
        float one[K_];
        emo_forward_batch(&m, 1, &s[i], one);
        double di = max_diff(one, p1 + (size_t)i * K_, K_);
        d = di > d ? di : d;
    }
    check(d < 1e-6, "%s: threaded emo_predict = each sentence alone: %.1e", emo_kind_name(kind), d);
    emo_free(&m);
}

/* The steps a sentence is read for: its inputs after the oov policy, at
 * least pad_to for v2, none without a known word. */
static void test_steps(void)
{
    emo_model m;
    tiny_model(&m, EMO_V2, EMO_OOV_SKIP);
    int unk[2] = {EMO_UNKNOWN, EMO_UNKNOWN};
    emo_sentence none = {unk, 2};
    int a = emo_steps(&m, &batch[0]), b = emo_steps(&m, &none);
    m.pad_to = 8;
    int c = emo_steps(&m, &batch[0]), d = emo_steps(&m, &none);
    m.pad_to = 3;
    int e = emo_steps(&m, &batch[0]);
    m.oov = EMO_OOV_ZERO;
    int f = emo_steps(&m, &batch[0]);
    check(a == 4 && b == 0 && c == 8 && d == 0 && e == 4 && f == 5,
          "steps: 4 known of 5 (skip), padded to 8, not cut to 3, 5 with oov zero, none without a known word "
          "(%d %d %d %d %d %d)", a, b, c, d, e, f);
    emo_free(&m);
}

/* A sentence with no known word gets the default class. */
static void test_no_known_word(void)
{
    emo_model m;
    tiny_model(&m, EMO_V2, EMO_OOV_LEARN);
    m.default_class = 1;
    int unk[3] = {EMO_UNKNOWN, EMO_UNKNOWN, EMO_UNKNOWN};
    emo_sentence s[3] = {{unk, 3}, batch[0], {unk, 0}};
    float p[3 * K_];
    emo_predict(&m, 3, s, p);
    check(p[0] == 0 && p[1] == 1 && p[2] == 0 && p[2 * K_ + 1] == 1 && fabs(p[K_] + p[K_ + 1] + p[K_ + 2] - 1) < 1e-6,
          "no known word (or no word): the default class with probability 1");
    emo_free(&m);
}

static void test_model_file(const char *dir, emo_kind kind)
{
    char path[600], err[ERR_MAX];
    snprintf(path, sizeof path, "%s/%s.safetensors", dir, emo_kind_name(kind));
    emo_model a, b;
    tiny_model(&a, kind, EMO_OOV_LEARN);
    a.default_class = 2;
    a.dropout = 0.25f;
    a.pad_to = kind == EMO_V2 ? 9 : 0;
    a.backoff = EMO_BACKOFF_SUFFIX;
    float extra[D_] = {1, 2, 3, 4};
    emo_add_word(&a, "session", 7, extra); /* not kept: added after nkeep */
    model_out *out = model_out_new("emojify");
    int ok = emo_save_to(&a, out) == 0 && model_out_write(out, path, err) == 0;
    model_out_free(out);
    model_in f;
    ok = ok && model_in_open(&f, path, "emojify", err) == 0 && emo_load(&b, &f, err) == 0;
    if (!ok) {
        check(0, "%s model file round trip: %s", emo_kind_name(kind), err);
        return;
    }
    model_in_close(&f);
    float pa[B_ * K_], pb[B_ * K_];
    emo_predict(&a, B_, batch, pa);
    emo_predict(&b, B_, batch, pb);
    ok = b.kind == kind && b.oov == EMO_OOV_LEARN && b.nrows == V_ && b.nkeep == V_ && b.default_class == 2 &&
         b.dropout == 0.25f && b.pad_to == a.pad_to &&
         b.backoff == EMO_BACKOFF_SUFFIX && emo_find(&b, "w3", 2) == 3 && emo_find(&b, "session", 7) == EMO_UNKNOWN &&
         memcmp(a.emb, b.emb, sizeof(float) * V_ * D_) == 0 &&
         memcmp(a.ps.data, b.ps.data, a.ps.total * sizeof(float)) == 0 && memcmp(pa, pb, sizeof pa) == 0;
    check(ok, "%s model file round trip: words, rows, weights, metadata, the same predictions bit for bit",
          emo_kind_name(kind));
    check(model_in_open(&f, path, "dinos", err) < 0, "an emojify model is not a dinos model: %s", err);
    emo_free(&a);
    emo_free(&b);
}

/* ---- CSV ---- */

static int write_file(const char *path, const char *text, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    fwrite(text, 1, n, f);
    return fclose(f);
}

/* labeled_read of text: its status, the set, the message. */
static int read_csv(const char *dir, const char *text, size_t n, labeled_set *s, char *err)
{
    char path[600];
    snprintf(path, sizeof path, "%s/data.csv", dir);
    write_file(path, text, n);
    FILE *f = fopen(path, "r");
    int rc = labeled_read(f, 5, s, err);
    fclose(f);
    return rc;
}

static void bad_csv(const char *dir, const char *what, const char *text, size_t n, const char *want)
{
    labeled_set s;
    char err[ERR_MAX] = "";
    int rc = read_csv(dir, text, n, &s, err);
    check(rc < 0 && strstr(err, want) && !strchr(err, '\n'), "csv, %s: '%s'", what, err);
}

/* text is a string literal (it may hold a NUL). */
#define BAD_CSV(what, text, want) bad_csv(dir, what, text, sizeof text - 1, want)

static void test_csv(const char *dir)
{
    labeled_set s;
    char err[ERR_MAX] = "";
    const char good[] = "\xef\xbb\xbfsentence,label\r\n"
                        "food is life,4,,\r\n"
                        "\r\n"
                        "\"I want to eat\t\",4\n"
                        "  \"a, \"\"quoted\"\" one\" , 2 \n"
                        "she said \"hi\",0, [3]\n"
                        "last line,1";
    int rc = read_csv(dir, good, sizeof good - 1, &s, err);
    check(rc == 0 && s.n == 5 && strcmp(s.text[0], "food is life") == 0 && s.label[0] == 4 &&
              strcmp(s.text[1], "I want to eat\t") == 0 && strcmp(s.text[2], "a, \"quoted\" one") == 0 &&
              s.label[2] == 2 && strcmp(s.text[3], "she said \"hi\"") == 0 && s.label[3] == 0 &&
              s.line[4] == 7 && s.label[4] == 1,
          "csv: BOM, header, CRLF, blank line, quotes, \"\", extra fields, no final newline (%s)", rc ? err : "ok");
    if (rc == 0)
        labeled_free(&s);
    BAD_CSV("an empty file", "", "no sentences (the file is empty");
    BAD_CSV("blank lines only", "\n  \n", "no sentences (the file is empty or blank)");
    BAD_CSV("a header only", "sentence,label\n", "no sentences (only a header)");
    BAD_CSV("a label out of range", "good,1\nbad,7\n", "line 2: label 7 is out of range (0 to 4)");
    BAD_CSV("a negative label", "bad,-1\n", "line 1: label -1 is out of range");
    BAD_CSV("a row with no sentence", "good,1\n,3\n", "line 2: no sentence");
    BAD_CSV("a row of blanks before the label", "good,1\n  ,3\n", "line 2: no sentence");
    BAD_CSV("a row with no label", "good,1\njust words\n", "line 2: no label");
    BAD_CSV("a label that is no number", "good,1\nbad,happy\n", "line 2: the label 'happy' is not a class number");
    BAD_CSV("a non-UTF-8 byte", "good,1\nbad \xff byte,2\n", "line 2: binary data (not UTF-8 text)");
    BAD_CSV("a NUL byte", "good,1\nbad\0,2\n", "line 2: binary data");
    BAD_CSV("a quote left open", "good,1\n\"open,2\n", "line 2: a quoted field is not closed");
    BAD_CSV("text after a closing quote", "\"a\"b,2\n", "line 1: text after the closing quote");

    char line[] = "a,\"b,c\",,d", *f[3];
    check(csv_split(line, f, 3, err) == 4 && strcmp(f[0], "a") == 0 && strcmp(f[1], "b,c") == 0 && f[2][0] == 0,
          "csv_split: four fields, three kept, a comma inside quotes");
}

static void test_words(void)
{
    const char *text = "I DON'T like it!! \xe2\x80\x99" "Cause she\xe2\x80\x99" "s... (happy) :) u.s. n't 's";
    const char *want[] = {"i", "do", "n't", "like", "it", "!", "!", "'", "cause", "she", "'s", "...", "(",
                          "happy", ")", ":)", "u.s", ".", "n't", "'s"};
    int nwant = sizeof want / sizeof want[0];
    size_t n = strlen(text);
    char *buf = malloc(n + 1);
    const char **w = malloc(n * sizeof *w);
    int *len = malloc(n * sizeof *len);
    int k = text_words(text, n, buf, w, len, (int)n), ok = k == nwant;
    for (int i = 0; ok && i < k; i++)
        ok = (size_t)len[i] == strlen(want[i]) && memcmp(w[i], want[i], (size_t)len[i]) == 0;
    check(ok, "words: lower case, punctuation cut off, clitics, U+2019 (%d words)", k);
    check(text_words("  \t ", 4, buf, w, len, 4) == 0 && text_words("a b c", 5, buf, w, len, 2) == 2,
          "words: none in blanks; at most max");
    free(buf);
    free(w);
    free(len);
}

/* ---- the suffix back-off's forms ---- */

/* forms of word, joined by spaces, up to the first n */
static const char *forms_of(const char *word, int n)
{
    static char out[SUFFIX_FORMS_MAX * SUFFIX_WORD_MAX];
    char f[SUFFIX_FORMS_MAX][SUFFIX_WORD_MAX];
    int k = suffix_forms(word, strlen(word), f, SUFFIX_FORMS_MAX);
    out[0] = 0;
    for (int i = 0; i < k && i < n; i++)
        strcat(strcat(out, i ? " " : ""), f[i]);
    return out;
}

static void test_suffix_forms(void)
{
    static const struct {
        const char *word;
        int n;
        const char *want;
    } cases[] = {
        {"lovely", 1, "love"},           /* stem first: it ends in a vowel */
        {"boring", 2, "bore bor"},       /* consonant-vowel-consonant: + e first */
        {"loser", 1, "lose"},
        {"messing", 2, "mess messe"},
        {"planning", 3, "plann planne plan"}, /* the doubled n undone */
        {"puppies", 3, "puppy puppie pupp"},
        {"cookies", 2, "cooky cookie"},
        {"brighten", 1, "bright"},
        {"congratulation", 3, "congratule congratul congratulations"},
        {"boss", 40, ""},                /* no -s after an s */
        {"bus", 40, ""},                 /* "bu" is too short a stem */
        {"awesome", 40, ""},             /* no suffix of the list */
        {"ing", 40, ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *got = forms_of(cases[i].word, cases[i].n);
        check(strcmp(got, cases[i].want) == 0, "suffix forms of '%s': '%s'", cases[i].word, got);
    }
    char f[SUFFIX_FORMS_MAX][SUFFIX_WORD_MAX];
    int n = suffix_forms("humiliated", 10, f, SUFFIX_FORMS_MAX), self = 0, dup = 0, has = 0;
    for (int i = 0; i < n; i++) {
        self += strcmp(f[i], "humiliated") == 0;
        has += strcmp(f[i], "humiliating") == 0;
        for (int j = 0; j < i; j++)
            dup += strcmp(f[i], f[j]) == 0;
    }
    check(n > 3 && !self && !dup && has, "suffix forms of 'humiliated': %d, with humiliating, without itself or repeats", n);
    check(suffix_forms("humiliated", 10, f, 2) == 2, "suffix forms stop at max");
    char longw[100];
    memset(longw, 'a', 80);
    strcpy(longw + 80, "ing");
    n = suffix_forms(longw, strlen(longw), f, SUFFIX_FORMS_MAX);
    check(n == 0, "suffix forms of an 83-byte word: none fit (%d)", n);
}

/* ---- the PyTorch cross-check's data (--dump DIR) ---- */

/* Five sentences of 1 to 6 words, three with unknown words. */
enum { DUMP_B = 5, DUMP_L = 6, DUMP_K = 4, DUMP_D = 5, DUMP_H = 4, DUMP_V = 8 };
static const int dump_ids[DUMP_B][DUMP_L] = {
    {0, 3, EMO_UNKNOWN, 5, 1, 7}, {2, EMO_UNKNOWN, -2, -2, -2, -2}, {4, 4, 0, 6, -2, -2},
    {1, -2, -2, -2, -2, -2}, {EMO_UNKNOWN, 6, EMO_UNKNOWN, -2, -2, -2}};
static const int dump_labels[DUMP_B] = {2, 0, 3, 1, 2};

/* Each kind with each oov policy; v2's pad_to gives zero steps to the
 * shorter sentences (none with 0), the longer ones are padded and masked. */
static const struct {
    const char *name;
    emo_kind kind;
    emo_oov oov;
    int pad_to;
} dump_cfg[] = {
    {"v2-learn", EMO_V2, EMO_OOV_LEARN, 4}, {"v2-zero", EMO_V2, EMO_OOV_ZERO, 3},
    {"v2-skip", EMO_V2, EMO_OOV_SKIP, 0},   {"v1-learn", EMO_V1, EMO_OOV_LEARN, 0},
    {"v1-zero", EMO_V1, EMO_OOV_ZERO, 0},   {"v1-skip", EMO_V1, EMO_OOV_SKIP, 0},
};

/* The batch file of m after a training forward and backward: sentences
 * [B][L] (word ids, -1 unknown, -2 after the end) and labels [B] as F32,
 * probs [B][K] of the inference path, metadata "loss" (mean nats) and
 * grad.<tensor> of that loss.  0 or -1. */
static int dump_batch(emo_model *m, const char *dir, const char *file, const emo_sentence *s)
{
    static float ibuf[DUMP_B * DUMP_L], lbuf[DUMP_B], probs[DUMP_B * DUMP_K];
    double loss = emo_forward(m, DUMP_B, s, dump_labels, NULL) / DUMP_B;
    params_zero_grad(&m->ps);
    emo_backward(m, DUMP_B);
    int ishape[2] = {DUMP_B, DUMP_L}, lshape[1] = {DUMP_B}, pshape[2] = {DUMP_B, DUMP_K};
    model_out *out = model_out_new("emojify-crosscheck");
    if (out && (emo_forward_batch(m, DUMP_B, s, probs) < 0 ||
                xdump_ints(out, "sentences", 2, ishape, &dump_ids[0][0], ibuf) < 0 ||
                xdump_ints(out, "labels", 1, lshape, dump_labels, lbuf) < 0 ||
                model_out_tensor(out, "probs", 2, pshape, probs) < 0 ||
                model_out_metaf(out, "loss", "%.17g", loss) < 0 || xdump_grads(out, &m->ps) < 0))
        out = (model_out_free(out), NULL);
    return xdump_write(out, dir, file);
}

/* DIR/NAME.model.safetensors and DIR/NAME.batch.safetensors for each of
 * dump_cfg: seeded random weights and word vectors, dropout off. */
static int dump(const char *dir)
{
    emo_sentence s[DUMP_B];
    for (int b = 0; b < DUMP_B; b++) {
        s[b].ids = dump_ids[b];
        for (s[b].len = 0; s[b].len < DUMP_L && dump_ids[b][s[b].len] != -2; s[b].len++)
            ;
    }
    for (size_t c = 0; c < sizeof dump_cfg / sizeof dump_cfg[0]; c++) {
        emo_model m;
        char file[64];
        rng_seed(&R, 30 + c);
        if (emo_init(&m, dump_cfg[c].kind, dump_cfg[c].oov, DUMP_K, DUMP_D, DUMP_H) < 0)
            return fprintf(stderr, "test_emojify: out of memory\n"), 1;
        fill_params(&m.ps, 0.6f);
        for (int i = 0; i < DUMP_V; i++) {
            char w[8];
            float v[DUMP_D];
            snprintf(w, sizeof w, "w%d", i);
            fill_uniform(v, DUMP_D, 1);
            emo_add_word(&m, w, strlen(w), v);
        }
        m.nkeep = m.nrows;
        m.pad_to = dump_cfg[c].pad_to;
        model_out *out = model_out_new("emojify");
        if (out && emo_save_to(&m, out) < 0)
            out = (model_out_free(out), NULL);
        snprintf(file, sizeof file, "%s.model.safetensors", dump_cfg[c].name);
        int rc = xdump_write(out, dir, file);
        snprintf(file, sizeof file, "%s.batch.safetensors", dump_cfg[c].name);
        rc = rc < 0 ? rc : dump_batch(&m, dir, file, s);
        emo_free(&m);
        if (rc < 0)
            return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--dump") == 0)
        return dump(argv[2]);
    rng_seed(&R, 4242);
    char dir[] = "/tmp/seqtool-emojify-XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    for (int oov = 0; oov < 3; oov++) {
        test_gradients(EMO_V1, oov, 0, 0);
        test_gradients(EMO_V2, oov, 0, 0);
        test_gradients(EMO_V2, oov, 0, 7); /* every sentence read to 7 steps */
    }
    test_gradients(EMO_V2, EMO_OOV_LEARN, 0.4f, 0);
    test_gradients(EMO_V2, EMO_OOV_LEARN, 0.4f, 3); /* some longer than 3, some not */
    test_gradcheck_catches();
    for (int oov = 0; oov < 3; oov++) {
        test_padding(EMO_V1, oov, 0);
        test_padding(EMO_V2, oov, 0);
        test_padding(EMO_V2, oov, 6);
    }
    test_steps();
    test_threads(EMO_V1);
    test_threads(EMO_V2);
    test_no_known_word();
    test_model_file(dir, EMO_V1);
    test_model_file(dir, EMO_V2);
    test_csv(dir);
    test_words();
    test_suffix_forms();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return check_exit();
}
