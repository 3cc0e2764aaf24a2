/* nnls.h - nonnegative least squares on a small Gram matrix. */
#ifndef DSV_NNLS_H
#define DSV_NNLS_H

#include <stdint.h>

/* min ||x_j - W h_j||, h_j >= 0, for the m columns at once from their
 * normal equations: G = W^T W (k x k), B = W^T X (k x m); H (k x m) out.
 * A zero column of W (G_rr = 0) keeps its coefficient at 0. */
void dsv_nnls_gram(const double *G, int64_t k, const double *B, int64_t m, double *H);

#endif
