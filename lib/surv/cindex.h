/* cindex.h - Harrell's concordance index in O(n log n). */
#ifndef DESURV_CINDEX_H
#define DESURV_CINDEX_H

#include <stdint.h>

/* Inputs already validated.  Writes C (NaN when nothing is comparable).
 * Optional counts (NULL to skip): concordant, discordant, tied-in-risk
 * comparable pairs.  Returns 0, DESURV_E_DIM (n > DSV_BLAS_INT_MAX: the
 * scratch holds 32-bit indices) or DESURV_E_NOMEM. */
int dsv_cindex(const double *time, const int32_t *event, const double *risk, int64_t n,
               double *c_out, double *n_conc, double *n_disc, double *n_tied);

#endif
