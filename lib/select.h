/* select.h - choosing the final hyperparameters from an evaluation history
 * (spec section 7, issue 3): rules max, 1se and lcb, with the deterministic
 * tie-breaking smaller k, then smaller alpha, then larger lambda, then
 * smaller nu, then the earlier evaluation. */
#ifndef DESURV_SELECT_H
#define DESURV_SELECT_H

#include <stdint.h>

/* The searchable hyperparameters, in this order everywhere. */
enum { DSV_P_K = 0, DSV_P_ALPHA, DSV_P_LAMBDA, DSV_P_NU, DSV_P_LAMBDA_W, DSV_P_LAMBDA_H,
       DSV_P_NTOP, DSV_NPAR };

enum { DSV_RULE_MAX = 0, DSV_RULE_1SE = 1, DSV_RULE_LCB = 2, DSV_RULE_1SE_RECON = 3 };

typedef struct dsv_eval {
    double par[DSV_NPAR];
    double mean;    /* mean fold C-index (NaN when the point could not be scored) */
    double se;      /* sd(fold C) / sqrt(K) */
    double recon;   /* mean fold held-out reconstruction error (NaN: unknown) */
    double recon_se;/* sd(fold recon) / sqrt(K) */
} dsv_eval;

/* Index of the chosen evaluation, or -1 when no evaluation has a finite mean.
 *  max: the largest mean.
 *  1se: best = the largest mean; among the points with mean >= best.mean -
 *       best.se take the smallest k, then that k's largest mean.
 *  lcb: uses gmu/gsd (GP posterior mean and sd at each evaluated point):
 *       best = largest gmu; threshold = gmu[best] - z * gsd[best]; the
 *       smallest k whose largest gmu reaches the threshold, then that k's
 *       point of largest gmu.
 *  1se-recon: the plateau of 1se (every point with mean >= best.mean -
 *       best.se, whatever its k); its point of lowest held-out
 *       reconstruction error (recon); equal recon: larger mean first.  A
 *       point with a NaN recon (a warm-start point) ranks after every
 *       finite one.
 * Ties (equal values) are broken as described above.  gmu, gsd may be NULL
 * for max and 1se.  A point with a NaN (non-finite) mean, or for lcb a
 * non-finite gmu, is never chosen; a NaN se (or gsd) counts as 0.  Returns
 * -1 also for an unknown rule, h NULL, n < 1, or lcb without gmu/gsd. */
int64_t dsv_select(int rule, const dsv_eval *h, int64_t n, const double *gmu, const double *gsd,
                   double z);

/* -1, 0, 1: the tie-break order of a and b (-1 when a is preferred). */
int dsv_eval_tiebreak(const dsv_eval *a, const dsv_eval *b);

#endif
