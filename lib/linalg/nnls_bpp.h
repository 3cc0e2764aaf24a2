/* nnls_bpp.h - exact NNLS for many small problems sharing one Gram matrix,
 * by block principal pivoting (Kim & Park 2011, SIAM J. Sci. Comput. 33,
 * "Fast nonnegative matrix factorization: an active-set-like method and
 * comparisons", Algorithm 2 for multiple right-hand sides).
 *
 * For every column j of C:  minimise 1/2 h^T G h - c_j^T h  over h >= 0.
 * This is min ||x_j - W h|| from its normal equations, G = W^T W and
 * C = W^T X; it is the exact H-step of the fit. */
#ifndef DSV_NNLS_BPP_H
#define DSV_NNLS_BPP_H

#include <stdint.h>

/* Largest k: a passive set is a uint64_t bitmask. */
#define DSV_BPP_MAX_K 64

/* What one call did (for tests and tracing). */
typedef struct dsv_bpp_stats {
    int64_t passes;    /* solve rounds; 1 = the warm start was already optimal everywhere */
    int64_t factors;   /* Cholesky factorisations (about one per distinct passive set per round) */
    int64_t dropped;   /* variables dropped from a passive set as dependent (see below) */
    int64_t fallbacks; /* columns finished by coordinate descent (see below) */
} dsv_bpp_stats;

/* Workspace sizes in doubles / int64s for k, n. */
int64_t dsv_bpp_work_size(int64_t k, int64_t n);
int64_t dsv_bpp_iwork_size(int64_t k, int64_t n);

/* G: k x k symmetric positive semidefinite (ld k), 1 <= k <= 64.
 * C: k x n (ld ldc >= k).  H: k x n (ld ldh >= k) receives the solutions;
 * a zero entry is exactly 0.0.
 * passive: n bitmasks, bit r = variable r is free (positive); in/out.  On
 * input the warm start (e.g. the previous outer iteration's sets; all ones
 * or all zeros is a fine cold start; bits >= k are ignored), on output the
 * final passive sets.
 * work, iwork: dsv_bpp_work_size / dsv_bpp_iwork_size elements.  Never
 * allocates, prints nothing, no global state.
 *
 * Semidefinite G.  Variables with G_rr <= 0 (a zero column of W) are held
 * at 0: their c_r is then 0 too and any value is optimal (if c_r > 0 the
 * problem is unbounded and h_r = 0 is returned regardless).  When the
 * Cholesky factor of some G_FF does not exist or is numerically singular
 * (duplicate columns of W, or columns within ~3e-7 in angle of the span of
 * the other free ones), the offending variable is dropped from F and kept
 * at 0 while the variables it depends on stay free: exact for duplicates
 * (the minimiser is then not unique and h is one of them, with the optimal
 * objective value); for nearly dependent columns the KKT residual of that
 * variable is only small, not at rounding level.  A column whose pivoting
 * has not converged within its round cap (50 + 10 k; not seen in practice)
 * is finished by cyclic coordinate descent on the full problem (at most
 * 10000 sweeps), which cannot fail.
 *
 * The output depends only on the inputs including the warm start (a
 * different warm start may change the last bits, never the answer beyond
 * rounding).
 * Returns DESURV_OK, DESURV_E_DIM (k outside 1..64, n < 0), DESURV_E_LD
 * (ldc or ldh < k), or DESURV_E_NUMERIC when G or C has a non-finite
 * entry (then H and passive are not touched). */
int dsv_nnls_bpp(const double *G, int64_t k, const double *C, int64_t ldc, int64_t n,
                 double *H, int64_t ldh, uint64_t *passive, double *work, int64_t *iwork);

/* The same with the round cap max_rounds (<= 0: the default 50 + 10 k),
 * also reporting what was done into *stats (may be NULL). */
int dsv_nnls_bpp_ex(const double *G, int64_t k, const double *C, int64_t ldc, int64_t n,
                    double *H, int64_t ldh, uint64_t *passive, double *work, int64_t *iwork,
                    int64_t max_rounds, dsv_bpp_stats *stats);

#endif
