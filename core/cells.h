/* cells — recurrent cells: vanilla RNN (tanh), GRU and LSTM.
 *
 * Equations and weight layout are PyTorch's, so a seqtool model loads into
 * torch.nn.RNN/GRU/LSTM by name (weight_ih [G*H][I], weight_hh [G*H][H]):
 *   rnn:  h' = tanh(W_ih x + b_ih + W_hh h)
 *   lstm: [i f g o] = W_ih x + b_ih + W_hh h;  c' = s(f) c + s(i) tanh(g);
 *         h' = s(o) tanh(c')
 *   gru:  [r z n]: r = s(Wr x + br + Ur h + cr), z likewise,
 *         n = tanh(Wn x + bn + r * (Un h + cn)),  h' = (1 - z) n + z h
 * The GRU applies the reset gate after the recurrent product (PyTorch's and
 * cuDNN's form, Keras' reset_after=True), which lets all three recurrent
 * products be one GEMM; it has the recurrent bias c = bias_hh [3H].  RNN
 * and LSTM have one bias (bias_ih; PyTorch's bias_hh is zero for them).
 *
 * Shapes: x is [T][B][I] (or token ids [T][B], -1 for a zero input), the
 * states h and c are [T+1][B][H] with index 0 the initial state.  A mask
 * [T][B] (1 real, 0 padding) makes a padded step carry the state through
 * unchanged, so right-padded sequences end in their own last state.
 * Each step is one GEMM for all gates; the input projection of the whole
 * sequence is one GEMM before the time loop; nothing allocates inside it.
 */
#ifndef SEQTOOL_CELLS_H
#define SEQTOOL_CELLS_H

#include "params.h"
#include "rng.h"
#include "tensor.h"

typedef enum { CELL_RNN, CELL_GRU, CELL_LSTM } cell_kind;

typedef struct {
    cell_kind kind;
    int in, hid, gates;       /* gates: 1, 3 or 4 */
    int w_ih, w_hh, b_ih, b_hh; /* tensor indices in ps; b_hh -1 but GRU */
    params *ps;
} cell;

/* Activations and scratch for one sequence batch; see cell_cache_reserve. */
typedef struct {
    int T, B;        /* capacity */
    float *gates;    /* [T][B][G*H] gate activations */
    float *h;        /* [T+1][B][H] */
    float *c;        /* [T+1][B][H] LSTM */
    float *tc;       /* [T][B][H] LSTM tanh(c') */
    float *hn;       /* [T][B][H] GRU: Un h + cn */
    float *gh;       /* [B][G*H] GRU recurrent projection scratch */
    float *dgates;   /* [T][B][G*H] gradient of input-side pre-activations */
    float *dgh;      /* [T][B][G*H] GRU: gradient of recurrent-side ones */
    float *dh, *dh2; /* [B][H] running gradient of h (and scratch) */
    float *dc;       /* [B][H] running gradient of c */
    int zero_start;  /* set by a caller whose h at step 0 is zero:
                      * cell_step_forward skips that step's W_hh product */
    const mat_packed *whh; /* set by a caller with W_hh packed (inference):
                            * cell_step_forward uses it, same numbers */
    const mat_packed *wih; /* the same for W_ih and cell_project_input */
    int tiled;       /* set by a caller that runs W_ih's packed product on
                      * chunks of rows of any size (a stream in blocks):
                      * the packed products (W_ih's and W_hh's) run on
                      * mat_gemm_packed_tiled, each row's bits the same
                      * whatever the chunk, and a single row fast */
    const float *const *xrows; /* LSTM: set by a caller that keeps the input
                                * projections apart (inference): row b of
                                * step t at xrows[t*B+b]; gates holds none */
} cell_cache;

/* Parse "rnn", "gru", "lstm"; -1 when unknown. */
int cell_kind_parse(const char *s);
const char *cell_kind_name(cell_kind k);

/* Register the cell's tensors in ps as PREFIXweight_ih_SUFFIX etc.
 * (e.g. "rnn." and "_l0" give PyTorch's names).  0 or -1. */
int cell_register(cell *c, params *ps, cell_kind kind, int in, int hid,
                  const char *prefix, const char *suffix);

/* PyTorch's default init: every tensor uniform in [-1/sqrt(H), 1/sqrt(H)]. */
void cell_init_default(cell *c, rng *r);

/* Size the cache for T steps of B rows (grows only); 0 or -1. */
int cell_cache_reserve(cell_cache *k, const cell *c, int T, int B);
void cell_cache_free(cell_cache *k);

/* Pointer to the outputs h[1..T] as a [T][B][H] block. */
float *cell_outputs(const cell *c, const cell_cache *k, int B);

/* Whole-sequence forward.  Input: x [T][B][in], or ids [T][B] when x is
 * NULL (one-hot input; -1 = zero vector).  h0, c0: [B][H] or NULL for zero.
 * mask: [T][B] or NULL (all real). */
void cell_forward(const cell *c, cell_cache *k, int T, int B, const float *x,
                  const int *ids, const float *h0, const float *c0,
                  const float *mask);

/* Input projection W_ih x + b_ih of steps t0 .. t0+T-1 into k->gates;
 * x (or ids) points at step t0's input. */
void cell_project_input(const cell *c, cell_cache *k, int t0, int T, int B,
                        const float *x, const int *ids);

/* One step t: reads k->gates[t] (input projection) and h[t] (c[t]), writes
 * the activations and h[t+1] (c[t+1]).  mask_t: [B] or NULL. */
void cell_step_forward(const cell *c, cell_cache *k, int t, int B,
                       const float *mask_t);

/* Whole-sequence backward (BPTT) after cell_forward with the same inputs.
 * dH: [T][B][H] gradient w.r.t. the outputs (NULL = 0); dhT, dcT: [B][H]
 * gradient w.r.t. the final state (NULL = 0).  Accumulates the parameter
 * gradients; writes dx [T][B][in] (if not NULL; not with ids) and dh0, dc0
 * [B][H] (if not NULL). */
void cell_backward(const cell *c, cell_cache *k, int T, int B, const float *x,
                   const int *ids, const float *dH, const float *dhT,
                   const float *dcT, float *dx, float *dh0, float *dc0,
                   const float *mask);

/* One step t backward: k->dh holds dL/dh[t+1] (k->dc dL/dc[t+1]); writes
 * k->dgates[t] (k->dgh[t]) and leaves dL/dh[t], dL/dc[t] in k->dh, k->dc. */
void cell_step_backward(const cell *c, cell_cache *k, int t, int B,
                        const float *mask_t);

/* Parameter gradients of the whole sequence from k->dgates (and dgh),
 * and dx; the part of cell_backward after the time loop. */
void cell_backward_weights(const cell *c, cell_cache *k, int T, int B,
                           const float *x, const int *ids, float *dx);

/* Bidirectional wrapper: a forward cell and a cell run over the reversed
 * sequence; outputs concatenated [T][B][2H] (forward half first).  With a
 * mask for right padding, the reverse cell starts at each row's own end. */
typedef struct {
    cell fw, bw;
} bicell;

typedef struct {
    int T, B;
    cell_cache fw, bw;
    float *xr;     /* [T][B][in] reversed input */
    int *idr;      /* [T][B] reversed token ids */
    float *mr;     /* [T][B] reversed mask */
    float *out;    /* [T][B][2H] */
    float *dfw, *dbw; /* [T][B][H] output gradients split (bw reversed) */
    float *dxr;    /* [T][B][in] */
} bicell_cache;

int bicell_register(bicell *b, params *ps, cell_kind kind, int in, int hid,
                    const char *prefix, const char *suffix);
void bicell_init_default(bicell *b, rng *r);
int bicell_cache_reserve(bicell_cache *k, const bicell *b, int T, int B);
void bicell_cache_free(bicell_cache *k);
/* Input x [T][B][in], or token ids [T][B] when x is NULL (as cell_forward). */
void bicell_forward(const bicell *b, bicell_cache *k, int T, int B,
                    const float *x, const int *ids, const float *mask);
/* dOut [T][B][2H]; dx [T][B][in] written when not NULL (not with ids). */
void bicell_backward(const bicell *b, bicell_cache *k, int T, int B,
                     const float *x, const int *ids, const float *dOut, float *dx,
                     const float *mask);

#endif
