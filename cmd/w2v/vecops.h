/* vecops — the arithmetic of word vectors: cosine, nearest words,
 * analogies, the bias direction, neutralize and equalize.
 *
 * Cosines between given vectors are computed in double from the float32
 * values (the course's u.v / (|u||v|)).  Searches over the whole table
 * score every candidate row in float32 with one matrix product per chunk
 * of rows, as gensim does, and keep the best k.
 */
#ifndef SEQTOOL_VECOPS_H
#define SEQTOOL_VECOPS_H

#include "error.h"
#include "vectors.h"

/* u.v / (|u| |v|) in double; 0 when either is the zero vector. */
double vec_cosine(const float *u, const float *v, int dim);
double vec_cosine_d(const double *u, const double *v, int dim);

/* Pearson's correlation of x and y (n values each), in double; NAN when
 * n < 2 or either is constant. */
double vec_pearson(const double *x, const double *y, long n);
/* Spearman's rank correlation: Pearson's of the ranks, tied values
 * taking the mean of their ranks (as scipy.stats.spearmanr); NAN as
 * above, or when out of memory. */
double vec_spearman(const double *x, const double *y, long n);

/* The L2 norm of each of the first n rows (float32, as gensim keeps
 * them); caller frees.  NULL when out of memory. */
float *vectors_norms(const vectors *v, long n);

/* row / |row| into out (float32 division, as gensim's get_vector(norm=True)). */
void vectors_unit(const vectors *v, const float *norms, long i, float *out);

/* How a candidate row w is scored against a query.
 *   VS_COSINE  one query vector q (unit length): w.q / |w|
 *   VS_3COSMUL three unit vectors a, b, c (Levy & Goldberg 2014):
 *              cos'(w,b) cos'(w,c) / (cos'(w,a) + 0.001), cos' = (1+cos)/2
 *   VS_COURSE  two vectors d = b - a and c: cos(d, w - c), the course's
 *              complete_analogy */
typedef enum { VS_COSINE, VS_3COSMUL, VS_COURSE } vec_score;

typedef struct {
    long index;   /* -1: no candidate */
    float score;
} vec_hit;

/* For each of nq queries (query j's vectors are rows j*m .. j*m+m-1 of Q,
 * m = 1, 3 or 2 for the scores above), the k best rows among the first
 * limit, best first, skipping the rows in skip[j*nskip ...] (entries -1
 * are ignored).  hits is nq x k; missing places get index -1.  A large
 * search is shared by up to threads threads (0: the cores, up to 8;
 * parallel_run).  0, or -1 when out of memory. */
int vectors_top(const vectors *v, const float *norms, long limit, vec_score how,
                const float *Q, int nq, const long *skip, int nskip, int k, int threads,
                vec_hit *hits);

/* Rows of Q per query for a way of scoring: 1, 3 or 2. */
int vec_score_rows(vec_score how);

/* The query rows for the analogy a:b :: c:? (rows of v) scored by how,
 * into Q (vec_score_rows(how) x dim); tmp has room for 3 x dim floats.
 * For 3CosAdd, the unit vector of (unit b + unit c - unit a) / 3, computed
 * step by step in float32 as gensim's most_similar does, so that searches
 * rank candidates as it does. */
void analogy_vectors(const vectors *v, const float *norms, vec_score how, long a, long b,
                     long c, float *Q, float *tmp);

/* Bias direction from word pairs (a_i, b_i): the mean of b_i - a_i, or
 * with pca the first principal component of the pairs' centred members
 * (Bolukbasi et al. 2016), signed to agree with that mean.  g has dim
 * doubles.  0, or -1 with err (the pairs give no direction; out of
 * memory). */
int bias_direction(const vectors *v, const long *a, const long *b, int npairs, int pca, double *g,
                   char *err);

/* The course's neutralize: e minus its projection on g (in double). */
void vec_neutralize(float *e, const double *g, int dim);

/* The course's equalize for the pair (e1, e2) around g: both get the same
 * component orthogonal to g and opposite, unit-corrected components along
 * it.  0, or -1 when out of memory. */
int vec_equalize(float *e1, float *e2, const double *g, int dim);

#endif
