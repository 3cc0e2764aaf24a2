/* xprod.c - the products with the data X of an outer iteration, on their
 * own so that the loss (fit/loss.c) and the W-step (fit/wstep.c) both use
 * them without calling each other. */
#include <stdint.h>

#include "fit/fit.h"

#include <cblas.h>

/* T = X A for an n x ncol right-hand side A (ld n); T is p x ncol (ld p).
 * Every product with X in an outer iteration is this or dsv_xt_times, so
 * the one-by-one and the batched iteration make the same BLAS calls. */
void dsv_x_times(const dsv_problem *pr, const double *A, int64_t ncol, double *T)
{
    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)pr->p, (int)ncol, (int)pr->n,
                1.0, pr->X, (int)pr->ldx, A, (int)pr->n, 0.0, T, (int)pr->p);
}

/* Z = X^T W for a p x ncol W (ld p); Z is n x ncol (ld n). */
void dsv_xt_times(const dsv_problem *pr, const double *W, int64_t ncol, double *Z)
{
    cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, (int)pr->n, (int)ncol, (int)pr->p, 1.0,
                pr->X, (int)pr->ldx, W, (int)pr->p, 0.0, Z, (int)pr->n);
}
