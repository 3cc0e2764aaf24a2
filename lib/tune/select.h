/* select.h - choosing the final hyperparameters from an evaluation history
 * (doc/model.md section 7, issue 3, revision 2): rules max, 1se, lcb, 1se-recon and
 * 1se-parsimony, with the deterministic tie-breaking smaller k, then
 * smaller alpha, then larger lambda, then smaller nu, then the earlier
 * evaluation. */
#ifndef DESURV_SELECT_H
#define DESURV_SELECT_H

#include <stdint.h>

/* The searchable hyperparameters, in this order everywhere. */
enum { DSV_P_K = 0, DSV_P_ALPHA, DSV_P_LAMBDA, DSV_P_NU, DSV_P_LAMBDA_W, DSV_P_LAMBDA_H,
       DSV_P_NTOP, DSV_NPAR };

enum { DSV_RULE_MAX = 0, DSV_RULE_1SE = 1, DSV_RULE_LCB = 2, DSV_RULE_1SE_RECON = 3,
       DSV_RULE_1SE_PARSIMONY = 4 };

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
 *  1se-parsimony (doc/model.md section 7, revision 2): the same plateau; r = its
 *       point that 1se-recon would choose (lowest recon); k* = the smallest
 *       k having a plateau point with recon <= r.recon + r.recon_se (a NaN
 *       recon_se counts as 0; the bound is inclusive).  Then among all
 *       points of rank k* (on the plateau or not) whose mean reaches
 *       kb.mean - kb.se, kb = k*'s largest mean (ties: the tie-break): the
 *       smallest alpha, then the largest lambda, then the smaller nu, then
 *       the earlier evaluation -- the mean does not rank them.  A
 *       non-finite recon counts as missing: such a point never sets k*
 *       (it can still be chosen at k*), and when no plateau point has a
 *       finite recon the rule is 1se.
 * Ties (equal values) are broken as described above.  gmu, gsd may be NULL
 * for every rule but lcb.  A point with a NaN (non-finite) mean, or for lcb a
 * non-finite gmu, is never chosen; a NaN se (or gsd) counts as 0.  Returns
 * -1 also for an unknown rule, h NULL, n < 1, or lcb without gmu/gsd. */
int64_t dsv_select(int rule, const dsv_eval *h, int64_t n, const double *gmu, const double *gsd,
                   double z);

/* -1, 0, 1: the tie-break order of a and b (-1 when a is preferred). */
int dsv_eval_tiebreak(const dsv_eval *a, const dsv_eval *b);

#endif
