/* cv.h - cross-validated scoring of one hyperparameter point (doc/model.md
 * section 7).
 *
 * The data of each fold (training copy of X, its Cox design, the held-out
 * columns) are prepared once per tuning run; a task then fits one block of
 * random starts of one (point, fold) and scores each on the held-out part.
 */
#ifndef DESURV_CV_H
#define DESURV_CV_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "surv/cox.h"
#include "fit/fit.h"

/* One cross-validation fold, prepared once. */
typedef struct dsv_fold {
    int64_t ntr, nva;
    int64_t *tr, *va;        /* sample indices (ascending) */
    double *Xtr, *Xva;       /* p x ntr, p x nva copies (ld p) */
    double *ttr, *tva;
    int32_t *etr, *eva;
    dsv_cox cox;             /* Cox design of the training part */
    double *Xva_ab;          /* Xva with its rows in gene-split order (cv->gperm) */
} dsv_fold;

typedef struct dsv_cv {
    int64_t p, n, K;
    dsv_fold *f;
    /* Bi-cross-validation gene split: gperm[0 .. pa-1] are the genes of
     * half A (ascending), gperm[pa .. p-1] those of half B. */
    int64_t *gperm, pa;
} dsv_cv;

/* Build the K folds of X (p x n, ldx) from fold[] (values 0..K-1); seed
 * fixes the gene split of the held-out reconstruction error. */
int dsv_cv_prepare(dsv_cv *cv, const double *X, int64_t p, int64_t n, int64_t ldx,
                   const double *time, const int32_t *event, const int32_t *fold, int64_t K,
                   int ties, uint64_t seed);

/* The bi-cross-validation gene split of seed: perm (p values) lists the
 * pa = floor(p / 2) genes of half A, then the rest, each half ascending. */
int dsv_bicv_split(int64_t p, uint64_t seed, int64_t *perm, int64_t *pa);

/* Held-out reconstruction error of W (p x k, ld p) on the samples Xab
 * (p x m, ld p, rows already in split order perm, A first): the samples'
 * H is estimated by nonnegative least squares from the genes of one half,
 * the other half is predicted by W H, and *err is the mean over the two
 * directions of ||X_B - W_B H_A||^2 / ||X_B||^2.  It does not fall
 * automatically with k because H never sees the genes it is scored on.
 * With the fitted offset b (p, NULL: none) the model is X ~ W H + b 1^T:
 * H from X_A - b_A 1^T, error ||X_B - b_B 1^T - W_B H_A||^2 / ||X_B||^2.
 * NaN when a half of X is zero. */
int dsv_bicv_error(const double *W, const double *b, int64_t p, int64_t k, const int64_t *perm, int64_t pa,
                   const double *Xab, int64_t m, double *err);

void dsv_cv_free(dsv_cv *cv);

/* What one task does. */
typedef struct dsv_cv_job {
    const double *opt;      /* full option array (desurv_option order) for this point */
    int64_t ntop;           /* top genes per factor used for scoring (0: all) */
    int best_mode;          /* 0: every start to convergence; 1: best start only */
    int64_t batch;          /* best_mode: starts per batch of the selection phase */
    uint64_t seed;
    uint64_t point_id;      /* history index: part of every start's random stream */
    const atomic_int *cancel;
} dsv_cv_job;

/* Fit starts s0 .. s1-1 of fold f (best_mode: all nstarts starts, s0 = 0,
 * s1 = nstarts, and one result) and score each on the held-out part:
 * c_out[i] the held-out C-index of start s0 + i (NaN when the fit failed
 * numerically or nothing is comparable), r_out[i] its held-out
 * reconstruction error (dsv_bicv_error), it_out the outer iterations of
 * each fit (negated when it stopped at maxit, NaN when it failed), lp_out (nva x (s1 - s0), ld nva)
 * the held-out linear predictors.  Returns DESURV_OK, or a hard error
 * (NOMEM, CANCELLED); soft failures of a start are reported as NaN. */
int dsv_cv_task(const dsv_cv *cv, const dsv_cv_job *job, int64_t f, int64_t s0, int64_t s1,
                int64_t nstarts, double *c_out, double *r_out, double *it_out, double *lp_out,
                char *msg, size_t cap);

/* Random stream of start s of fold f of history point i. */
uint64_t dsv_cv_stream(uint64_t point_id, int64_t f, int64_t s);

#endif
