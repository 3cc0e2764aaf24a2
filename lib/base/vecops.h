/* vecops.h - tiny vector helpers shared by several files. */
#ifndef DESURV_VECOPS_H
#define DESURV_VECOPS_H

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

/* Scale w (length len) to unit Euclidean norm; returns the old norm. */
static inline double dsv_unit_column(double *w, int64_t len)
{
    double nrm = 0;
    for (int64_t i = 0; i < len; i++)
        nrm += w[i] * w[i];
    nrm = sqrt(nrm);
    for (int64_t i = 0; i < len; i++)
        w[i] /= nrm;
    return nrm;
}

/* count doubles (at least one, so that a zero count is not a NULL that
 * reads as a failed allocation); free with free(). */
static inline double *dsv_dalloc(int64_t count)
{
    return malloc((size_t)(count > 0 ? count : 1) * sizeof(double));
}

#endif
