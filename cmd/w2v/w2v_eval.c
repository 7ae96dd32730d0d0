/* w2v_eval — `seqtool w2v analogy --eval`: the Google analogy test set
 * (": section" lines, then "a b c d" questions) scored under the protocol
 * of gensim's KeyedVectors.evaluate_word_analogies:
 *   - only the first N words count (restrict-vocab); a question with a
 *     word outside them is skipped;
 *   - with case folding, words are compared upper-cased, and a folded form
 *     stands for the first of the first N words that folds to it;
 *   - the answer is found by 3CosAdd among the first N words, the rows of
 *     A, B and C excluded; of the 5 best, the first whose folded form is
 *     not A, B or C is the prediction, compared with D. */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "text.h"
#include "w2v.h"

#define EVAL_DEFAULT_RESTRICT 30000
#define EVAL_TOPN 5
#define EVAL_BATCH 256

typedef struct {
    int section;
    long line;
    char *word[4];    /* as written */
    char *key[4];     /* as compared (folded or not) */
    long row[4];      /* the first-N row each key stands for; -1: missing */
    long predicted;   /* row, or -1 */
    int result;       /* 0 skipped, 1 right, 2 wrong */
} question;

typedef struct {
    char *name;
    long correct, total;
} section;

/* ---- what the test sets share ---- */

char *w2v_fold(const char *s, int fold_case)
{
    char *k = strdup(s);
    if (!k)
        die("out of memory");
    for (char *p = k; fold_case && *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 32);
    return k;
}

long *w2v_fold_keys(const vectors *v, long limit, int fold_case, word_index *keys)
{
    long *row = malloc((size_t)(limit > 0 ? limit : 1) * sizeof *row);
    if (!row || word_index_init(keys, limit, 0) < 0)
        die("out of memory");
    for (long i = 0; i < limit; i++) {
        char *k = w2v_fold(vectors_word(v, i), fold_case);
        int added;
        long id = word_index_add(keys, k, strlen(k), &added);
        if (id < 0)
            die("out of memory");
        if (added)
            row[id] = i;
        free(k);
    }
    return row;
}

/* ---- the analogy test ---- */

/* Read the questions; die on a question before any section. */
static question *read_questions(const options *o, section **sections, int *nsections,
                                long *nquestions)
{
    text_lines t;
    cli_read_lines(o->questions, W2V_LINE_MAX, &t);
    question *q = calloc((size_t)t.n + 1, sizeof *q);
    *sections = calloc((size_t)t.n + 1, sizeof **sections);
    if (!q || !*sections)
        die("out of memory");
    long n = 0, malformed = 0, first_malformed = 0;
    int ns = 0;
    for (int i = 0; i < t.n; i++) {
        char *line = t.line[i];
        if (line[0] == ':') {
            char *name = line;
            while (*name == ':' || *name == ' ')
                name++;
            size_t len = strlen(name);
            while (len > 0 && (name[len - 1] == ' ' || name[len - 1] == '\t'))
                name[--len] = 0;
            if (!((*sections)[ns++].name = strdup(name)))
                die("out of memory");
            continue;
        }
        char *tok[5];
        int ntok = 0;
        for (char *p = strtok(line, " \t"); p && ntok < 5; p = strtok(NULL, " \t"))
            tok[ntok++] = p;
        if (ntok == 0)
            continue;
        if (ns == 0) {
            free(q);
            free(*sections);
            text_lines_free(&t);
            die("'%s': line %d: a question before the first ': section' line",
                cli_display_name(o->questions), i + 1);
        }
        if (ntok != 4) {
            if (malformed++ == 0)
                first_malformed = i + 1;
            continue;
        }
        q[n].section = ns - 1;
        q[n].line = i + 1;
        for (int w = 0; w < 4; w++) {
            if (!(q[n].word[w] = strdup(tok[w])))
                die("out of memory");
            q[n].key[w] = w2v_fold(tok[w], o->fold_case);
        }
        n++;
    }
    text_lines_free(&t);
    if (malformed && !o->quiet)
        warn("'%s': skipped %ld line(s) that are not four words, the first is line %ld",
             cli_display_name(o->questions), malformed, first_malformed);
    if (n == 0)
        die("'%s': no questions", cli_display_name(o->questions));
    *nsections = ns;
    *nquestions = n;
    return q;
}

/* The prediction among the hits: the first whose key is not A's, B's or C's. */
static long choose(const vectors *v, const question *q, const vec_hit *h, int fold_case)
{
    long predicted = -1;
    for (int i = 0; i < EVAL_TOPN && h[i].index >= 0; i++) {
        predicted = h[i].index;
        char *k = w2v_fold(vectors_word(v, predicted), fold_case);
        int input = strcmp(k, q->key[0]) == 0 || strcmp(k, q->key[1]) == 0 || strcmp(k, q->key[2]) == 0;
        free(k);
        if (!input)
            break;
    }
    return predicted;
}

static void answer_all(const vectors *v, const options *o, long limit, question *q, long n)
{
    int dim = v->dim, m = vec_score_rows(o->method);
    float *norms = vectors_norms(v, limit);
    float *Q = malloc((size_t)EVAL_BATCH * m * dim * sizeof *Q), *tmp = malloc(3 * (size_t)dim * sizeof *tmp);
    long *skip = malloc((size_t)EVAL_BATCH * 3 * sizeof *skip), *who = malloc(EVAL_BATCH * sizeof *who);
    vec_hit *hits = malloc((size_t)EVAL_BATCH * EVAL_TOPN * sizeof *hits);
    if (!norms || !Q || !tmp || !skip || !who || !hits)
        die("out of memory");
    for (long i = 0; i < n;) {
        int nq = 0;
        for (; i < n && nq < EVAL_BATCH; i++) {
            if (q[i].row[0] < 0 || q[i].row[1] < 0 || q[i].row[2] < 0 || q[i].row[3] < 0)
                continue;
            analogy_vectors(v, norms, o->method, q[i].row[0], q[i].row[1], q[i].row[2],
                            Q + (size_t)nq * m * dim, tmp);
            memcpy(skip + (size_t)nq * 3, q[i].row, 3 * sizeof(long));
            who[nq++] = i;
        }
        if (nq && vectors_top(v, norms, limit, o->method, Q, nq, skip, 3, EVAL_TOPN, o->threads,
                              hits) < 0)
            die("out of memory");
        for (int j = 0; j < nq; j++) {
            question *x = &q[who[j]];
            x->predicted = choose(v, x, hits + (size_t)j * EVAL_TOPN, o->fold_case);
            char *k = x->predicted >= 0 ? w2v_fold(vectors_word(v, x->predicted), o->fold_case) : NULL;
            x->result = k && strcmp(k, x->key[3]) == 0 ? 1 : 2;
            free(k);
        }
    }
    free(norms), free(Q), free(tmp), free(skip), free(who), free(hits);
}

static void print_score(const options *o, const char *name, long correct, long total, cJSON *extra)
{
    double acc = total ? 100.0 * correct / total : 0;
    if (o->json) {
        cJSON *j = extra ? extra : cJSON_CreateObject();
        cJSON_AddStringToObject(j, "section", name);
        cJSON_AddNumberToObject(j, "correct", (double)correct);
        cJSON_AddNumberToObject(j, "total", (double)total);
        if (total)
            cJSON_AddNumberToObject(j, "accuracy", acc);
        else
            cJSON_AddNullToObject(j, "accuracy");
        cli_print_json(j);
    } else if (total) {
        printf("%s: %.2f%% (%ld/%ld)\n", name, acc, correct, total);
    } else {
        printf("%s: n/a (0/0)\n", name);
    }
}

static void print_question(const vectors *v, const options *o, const section *s, const question *x)
{
    static const char *result[] = {"skip", "ok", "wrong"};
    const char *pred = x->predicted >= 0 ? vectors_word(v, x->predicted) : "-";
    if (o->json) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "section", s->name);
        cJSON_AddItemToObject(j, "question", cJSON_CreateStringArray((const char *const *)x->word, 4));
        if (x->predicted >= 0)
            cJSON_AddStringToObject(j, "predicted", pred);
        else
            cJSON_AddNullToObject(j, "predicted");
        cJSON_AddStringToObject(j, "result", result[x->result]);
        cli_print_json(j);
    } else {
        printf("%s\t%s %s %s %s\t%s\t%s\n", s->name, x->word[0], x->word[1], x->word[2], x->word[3],
               pred, result[x->result]);
    }
}

int w2v_eval(const options *o, const vectors *v)
{
    long limit = o->restrict_vocab ? o->restrict_vocab : EVAL_DEFAULT_RESTRICT;
    if (limit > v->n)
        limit = v->n;
    section *sec;
    int ns;
    long n;
    question *q = read_questions(o, &sec, &ns, &n);
    word_index keys;
    long *key_row = w2v_fold_keys(v, limit, o->fold_case, &keys);
    for (long i = 0; i < n; i++) {
        q[i].predicted = -1;
        for (int w = 0; w < 4; w++) {
            long id = word_index_find(&keys, q[i].key[w], strlen(q[i].key[w]));
            q[i].row[w] = id >= 0 ? key_row[id] : -1;
        }
    }
    if (!o->quiet)
        inform("%s, the first %ld words, %s; %ld questions",
               o->method == VS_3COSMUL ? "3CosMul"
               : o->method == VS_COURSE ? "course cos(b - a, w - c)"
                                        : "3CosAdd over unit vectors",
               limit, o->fold_case ? "case folded" : "case kept", n);
    answer_all(v, o, limit, q, n);
    long sem[2] = {0, 0}, syn[2] = {0, 0}, skipped = 0;
    for (long i = 0; i < n; i++) {
        section *s = &sec[q[i].section];
        if (o->per_question)
            print_question(v, o, s, &q[i]);
        if (q[i].result == 0) {
            skipped++;
            continue;
        }
        long *tally = strncmp(s->name, "gram", 4) == 0 ? syn : sem;
        s->total++;
        tally[1]++;
        if (q[i].result == 1) {
            s->correct++;
            tally[0]++;
        }
    }
    for (int s = 0; s < ns; s++)
        print_score(o, sec[s].name, sec[s].correct, sec[s].total, NULL);
    print_score(o, "semantic", sem[0], sem[1], NULL);
    print_score(o, "syntactic", syn[0], syn[1], NULL);
    cJSON *extra = NULL;
    if (o->json) {
        extra = cJSON_CreateObject();
        cJSON_AddNumberToObject(extra, "skipped", (double)skipped);
        cJSON_AddNumberToObject(extra, "questions", (double)n);
        cJSON_AddNumberToObject(extra, "restrict_vocab", (double)limit);
        cJSON_AddBoolToObject(extra, "fold_case", o->fold_case);
    }
    print_score(o, "total", sem[0] + syn[0], sem[1] + syn[1], extra);
    if (!o->json)
        printf("skipped: %ld of %ld questions (a word not among the first %ld)\n", skipped, n, limit);
    for (long i = 0; i < n; i++)
        for (int w = 0; w < 4; w++) {
            free(q[i].word[w]);
            free(q[i].key[w]);
        }
    for (int s = 0; s < ns; s++)
        free(sec[s].name);
    free(q);
    free(sec);
    free(key_row);
    word_index_free(&keys);
    return 0;
}
