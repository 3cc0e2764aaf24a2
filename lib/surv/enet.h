/* enet.h - elastic-net penalised Cox regression (the DeSurv beta-step).
 *
 * Solves  min_b  f(b) = -(2/n_e) l(Zs b) + lambda * ( nu ||b||_1 + (1-nu)/2 ||b||_2^2 )
 * for a small number k of standardised columns Zs (n x k).
 */
#ifndef DESURV_ENET_H
#define DESURV_ENET_H

#include <stdint.h>
#include "surv/cox.h"

typedef struct dsv_enet_info {
    int iterations;  /* outer (Newton / IRLS) iterations used */
    int converged;   /* 1 when the tolerance was met */
    double objective;/* f(b) at the returned b */
    double loglik;   /* l(Zs b) at the returned b */
} dsv_enet_info;

/* b is the warm start on input and the solution on output (length k).
 * tol: stop when max_r |b_r - b_r_prev| <= tol * max(1, max_r |b_r|) and the
 * KKT conditions hold to about tol; maxit bounds the outer iterations.
 * The objective never increases from the warm start (line search).
 * Returns 0, DESURV_E_NOMEM or DESURV_E_NUMERIC. */
int dsv_enet_cox(const dsv_cox *cox, const double *Zs, int64_t ldz, int64_t k, double lambda,
                 double nu, double tol, int maxit, double *b, dsv_enet_info *info);

#endif
