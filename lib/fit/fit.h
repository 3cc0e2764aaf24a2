/* fit.h - internal state of the DeSurv block-coordinate-descent fit.
 *
 * A dsv_problem holds what all starts of one fit share read-only (the data,
 * the Cox design, constants of the objective).  A dsv_state is one start:
 * its factors, the scores Z = X^T W kept in step with W, and scratch.
 */
#ifndef DESURV_FIT_H
#define DESURV_FIT_H

#include <stddef.h>
#include <stdint.h>

#include "surv/cox.h"

typedef struct dsv_problem {
    const double *X;
    int64_t p, n, ldx, k;
    const dsv_cox *cox;
    int64_t n_events;
    double xnorm2;   /* ||X||_F^2 */
    double xmean;    /* mean entry of X */
    double init_mean; /* scale of random starts: xmean, or with the offset the
                         mean absolute deviation of X from its row means */
    double sigma2;   /* reconstruction scale (doc/model.md section 3) */
    double xc_top;   /* largest eigenvalue of the gene-centred X Xc^T */
    int offset;      /* DESURV_OFFSET_*: fit the per-gene baseline b */
    int hstep;       /* DESURV_HSTEP_* */
    int wstep;       /* DESURV_WSTEP_* */
    double *xbar;    /* p: row means of X (offset only; owned: dsv_problem_free) */
    double xcnorm2;  /* ||X - xbar 1^T||_F^2 (offset only) */
    double alpha, lambda, nu, lambda_w, lambda_h;
    double c_rec;    /* (1 - alpha) / sigma2: weight of the reconstruction block */
    double eps_w;    /* floor of W entries (W has unit-norm columns) */
    double eps_h;    /* floor of H entries, relative to the scale of X */
    double tol_beta;
    int beta_maxit;
    int extrapolate;  /* 1: dsv_extrapolate after every outer iteration */
    /* Polled once per outer iteration (both may be NULL): a set *cancel, or
     * a non-zero poll(), stops the fit with DESURV_E_CANCELLED. */
    const _Atomic int *cancel;
    int (*poll)(void *ctx, int64_t iter, double loss);
    void *poll_ctx;
} dsv_problem;

/* The terms of L at one point (doc/model.md section 3). */
typedef struct dsv_terms {
    double rec;     /* ||X - W H - b 1^T||_F^2 / (2 n p) */
    double hpen;    /* ||H||_F^2 / (2 n k) */
    double wpen;    /* ||W||_F^2 / (2 p k) */
    double loglik;  /* l(X^T W beta) (0 when alpha = 0 and not asked for) */
    double pen;     /* P(beta) */
    double loss;    /* L */
} dsv_terms;

/* The W-step scales its global Cox/penalty curvature bound by s->w_mu:
 * times DSV_WMU_UP when the scaled step fails to decrease L (it is then
 * backtracked), times DSV_WMU_DOWN when the line search wants a longer one;
 * w_mu = 1 is the guaranteed majoriser. */
#define DSV_WMU_UP 10.0
#define DSV_WMU_DOWN 0.9
#define DSV_WMU_MIN 1e-8

typedef struct dsv_state {
    int64_t p, n, k;
    double *W, *H, *beta, *Z;     /* current point; Z = X^T W (n x k) */
    double *b;                    /* p: per-gene offset (zeros with offset = none) */
    int b_set;                    /* b holds the b-step of some (W, H) (else set on refresh) */
    double x0;                    /* ||X - b 1^T||_F^2: the constant of the reconstruction
                                     term (||X||^2 without offset) */
    double *Wtb;                  /* 3 k: W^T b, then W_mm^T b and W_x^T b (W-step) */
    double *hsum;                 /* k: H 1 */
    double *bold;                 /* p: b before the b-step (monotone guard) */
    uint64_t *passive;            /* n: passive sets of the exact H-step (warm start) */
    double *hwork;                /* exact H-step workspace */
    int64_t *hiwork;
    double *WtW, *HHt;            /* k x k Gram matrices of the current point */
    double *G1;                   /* k x k scratch */
    double *G2;                   /* 6 k x k scratch (W-step segment Grams) */
    double *Wt, *Zt;              /* W-step trial and its scores */
    double *A, *T;                /* n x (k+1) right-hand sides, p x (k+1) products */
    double *WG;                   /* p x k: W (H H^T) */
    double *eta, *grad, *zmean, *zsd, *Zs, *bwork, *coxwork;
    dsv_terms cur;
    double *trace;                /* loss after each outer iteration, trace[0] = start */
    double *trace_terms;          /* DESURV_TRACE_TERMS per trace entry, entry after entry */
    int64_t trace_len, trace_cap;
    int64_t iters, w_steps, w_first;
    double *Wp, *Hp, *Zp, *bp;    /* extrapolation: the point the previous iteration ended at */
    int ext_have;                 /* Wp.. hold a point */
    double ext_t, ext_tbar;       /* extrapolation weight and its current cap */
    int64_t ext_accepted;         /* extrapolations kept */
    double w_mu;                  /* W-step: scale of the Cox/penalty curvature bound, in
                                     [DSV_WMU_MIN, 1], adapted step by step (lib/fit/wstep.c) */
    int converged;
    double sel_cindex;            /* training C-index after the selection phase */
} dsv_state;

int dsv_state_alloc(dsv_state *s, const dsv_problem *pr);
void dsv_state_free_scratch(dsv_state *s); /* keep W, H, beta, trace */
void dsv_state_free(dsv_state *s);
int dsv_state_ensure_scratch(dsv_state *s, const dsv_problem *pr);
/* Append the current loss s->cur and its terms to the trace (growing it;
 * the Cox terms as NaN when alpha = 0, where they are not evaluated): the
 * one place both the one-by-one and the batched iterations record it.
 * DESURV_E_NOMEM on failure. */
int dsv_trace_push(const dsv_problem *pr, dsv_state *s);

/* nmf.c: the blocks of one outer iteration, and the loss. */
int dsv_eval_terms(const dsv_problem *pr, dsv_state *s, const double *Z, const double *beta,
                   double rec_inner, double h_sq, double w_sq, int with_cox, dsv_terms *t);
double dsv_terms_total(const dsv_problem *pr, const dsv_terms *t);
int dsv_refresh(const dsv_problem *pr, dsv_state *s); /* Z, Grams and loss from W, H, beta */
/* <WtW, HHt> - 2 <H^T, Z> + 2 <Wtb, H 1>: ||X - W H - b 1^T||^2 - s->x0
 * from Grams, scores and Wtb = W^T b (NULL: no offset term). */
double dsv_rec_inner(const dsv_state *s, const double *WtW, const double *HHt, const double *H,
                     const double *Z, const double *Wtb);
/* The b-step (offset = gene): b = max(0, xbar - W H 1 / n), then s->Wtb
 * and s->x0 (doc/model.md section 4).  Needs s->hsum. */
void dsv_b_step(const dsv_problem *pr, dsv_state *s);
/* s->x0 for the current b (pr->xnorm2 without offset). */
void dsv_set_x0(const dsv_problem *pr, dsv_state *s);
int dsv_h_step(const dsv_problem *pr, dsv_state *s);
int dsv_w_step(const dsv_problem *pr, dsv_state *s);
/* wstep.c: the only products with X in an outer iteration (besides the
 * scores of a fresh start in dsv_refresh): T = X A (A n x ncol, ld n; T
 * p x ncol, ld p) and Z = X^T W (W p x ncol, ld p; Z n x ncol, ld n). */
void dsv_x_times(const dsv_problem *pr, const double *A, int64_t ncol, double *T);
void dsv_xt_times(const dsv_problem *pr, const double *W, int64_t ncol, double *Z);
/* dsv_w_step split around those products, for dsv_iterate_batch (batch.c),
 * which does them for many states in one wide product.  dsv_w_step(s) is
 *   rc = dsv_w_step_rhs(pr, s, s->A);        A: n x k right-hand side
 *   dsv_x_times(pr, s->A, k, s->T);
 *   t = dsv_w_step_mm(pr, s, s->T, NULL);     MM point into s->Wt (and copy)
 *   dsv_xt_times(pr, s->Wt, k, s->Zt);
 *   rc = dsv_w_step_finish(pr, s, s->Zt, t);  line search, accept
 * The buffers passed may live outside the state; only their values matter. */
int dsv_w_step_rhs(const dsv_problem *pr, dsv_state *s, double *A);
double dsv_w_step_mm(const dsv_problem *pr, dsv_state *s, const double *T, double *copy);
int dsv_w_step_finish(const dsv_problem *pr, dsv_state *s, const double *Zmm, double tmax);
int dsv_w_gradient(const dsv_problem *pr, dsv_state *s, double *G); /* dL/dW, p x k */
int dsv_beta_step(const dsv_problem *pr, dsv_state *s, int maxit);
/* extrap.c: after the three blocks of an outer iteration, try the
 * extrapolated point (kept only if it lowers L); scratch: Wt, Zt, A, G1,
 * G2, bwork. */
int dsv_extrapolate(const dsv_problem *pr, dsv_state *s);
/* floored (may be NULL): 1 where the sd was ~0 and replaced by 1. */
void dsv_score_moments(const double *Z, int64_t n, int64_t k, double *mean, double *sd,
                       double *floored);

/* DESURV_E_CANCELLED when the problem's cancel flag is set or its poll
 * asks to stop (checked once per outer iteration), else DESURV_OK. */
int dsv_check_stop(const dsv_problem *pr, int64_t iter, double loss);

/* Free what dsv_setup_problem allocated (pr->xbar); pr may be zeroed. */
void dsv_problem_free(dsv_problem *pr);

/* Run outer iterations until the relative loss change <= tol or maxit
 * iterations in total; records the trace. */
int dsv_iterate(const dsv_problem *pr, dsv_state *s, int64_t maxit, double tol);

/* sigma2.c */
int dsv_topk_gram(const double *X, int64_t p, int64_t n, int64_t ldx, int64_t k, double *ev,
                  double *U, double *V);
/* sigma2 and the top eigenvalue of the gene-centred Gram (either may be
 * NULL), from one Gram matrix. */
int dsv_data_scales(const double *X, int64_t p, int64_t n, int64_t ldx, int64_t k,
                    double xnorm2, double *sigma2, double *xc_top);
/* The same, with sigma2 from the row-centred X (offset = gene): xcnorm2 =
 * ||X - xbar 1^T||_F^2. */
int dsv_data_scales_centred(const double *X, int64_t p, int64_t n, int64_t ldx, int64_t k,
                            double xcnorm2, double *sigma2, double *xc_top);


/* fit.c: a dsv_problem from an option array (desurv_option order); on
 * failure a message goes to msg. */
int dsv_setup_problem(const double *opt, dsv_problem *pr, const double *X, int64_t p, int64_t n,
                      int64_t ldx, const dsv_cox *cox, char *msg, size_t cap);
/* fit.c: continue a start to convergence, then polish beta (as desurv_fit). */
int dsv_finish_start(const dsv_problem *pr, dsv_state *s, int64_t maxit, double tol);
int dsv_polish_beta(const dsv_problem *pr, dsv_state *s);
/* init.c: unit-norm columns of W, the scale moved into H and beta (the
 * normalisation every accepted W-step keeps). */
void dsv_normalise_start(const dsv_problem *pr, dsv_state *s);

/* init.c */
void dsv_init_random(const dsv_problem *pr, dsv_state *s, uint64_t seed, uint64_t stream);
int dsv_init_nndsvd(const dsv_problem *pr, dsv_state *s);
int dsv_init_user(const dsv_problem *pr, dsv_state *s, const double *W0, const double *H0,
                  const double *beta0);

#endif
