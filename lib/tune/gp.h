/* gp.h - Gaussian-process regression for Bayesian optimisation (doc/model.md
 * section 7): constant mean, Matern 5/2 kernel with one length-scale per
 * input dimension (ARD), an additive constant kernel and a nugget.
 *
 *   y ~ N(m 1, K),  K = s2 * Matern52(x, x'; ls) + c0 + g * I
 *
 * Inputs live in [0, 1]^d.  At fixed hyperparameters the posterior equals
 * scikit-learn's GaussianProcessRegressor with kernel
 * ConstantKernel(s2) * Matern(ls, nu=2.5) + ConstantKernel(c0) +
 * WhiteKernel(g), normalize_y=False, alpha=0, fitted to y - m
 * (tests/golden/make_golden_gp.py).
 *
 * Estimation (dsv_gp_fit): the log marginal likelihood is maximised over
 * log s2, log ls_1..d, log g (and log c0 when asked) inside the box below,
 * by a projected BFGS with analytic gradient from n_restarts + 1 starts.
 * The variance bounds are relative to v = var(y) (population variance; 1
 * when y is constant), so the fit does not depend on the scale of y:
 *
 *   s2 in v * [DSV_GP_S2_LO, DSV_GP_S2_HI]
 *   ls in     [DSV_GP_LS_LO, DSV_GP_LS_HI]   (inputs in [0, 1])
 *   g  in v * [DSV_GP_G_LO,  DSV_GP_G_HI]
 *   c0 in v * [DSV_GP_C0_LO, DSV_GP_C0_HI]   (only when c0 is estimated)
 *
 * Default (dsv_gp_fit): the mean m is profiled out (its generalised least
 * squares value given the other hyperparameters, which maximises the
 * likelihood in m) and c0 = 0.  With a profiled mean the likelihood is
 * strictly decreasing in c0 (the quadratic form does not depend on c0,
 * log det K grows with it), so estimating c0 would only drive it to its
 * lower bound.  dsv_gp_fit_ex also offers a fixed mean and an estimated c0
 * (what scikit-learn does with a fixed offset).
 */
#ifndef DESURV_GP_H
#define DESURV_GP_H

#include <stdint.h>

#define DSV_GP_MAXD 16
/* Largest n: n * n must fit the 32-bit LAPACK integer with room to spare. */
#define DSV_GP_MAXN 20000

#define DSV_GP_S2_LO 1e-3
#define DSV_GP_S2_HI 1e3
#define DSV_GP_LS_LO 1e-2
#define DSV_GP_LS_HI 1e2
#define DSV_GP_G_LO 1e-8
#define DSV_GP_G_HI 1e1
#define DSV_GP_C0_LO 1e-6
#define DSV_GP_C0_HI 1e2

typedef struct dsv_gp_hyper {
    double m;                  /* constant mean */
    double s2;                 /* signal variance of the Matern term */
    double ls[DSV_GP_MAXD];    /* length-scales, one per dimension */
    double c0;                 /* variance of the additive constant kernel (may be 0) */
    double g;                  /* nugget (noise variance) */
} dsv_gp_hyper;

typedef struct dsv_gp {
    int64_t n, d;
    double *X;      /* n x d, ld n: training inputs (owned copy) */
    double *y;      /* n (owned copy) */
    dsv_gp_hyper h;
    double *L;      /* n x n Cholesky factor of K (lower) */
    double *a;      /* K^{-1} (y - m) */
    double lml;     /* log marginal likelihood at h */
} dsv_gp;

/* Condition on (X, y) at fixed hyperparameters. X is n x d with leading
 * dimension ldx.  gp is output only: its previous content is not freed
 * (dsv_gp_free it first); on failure it is left zeroed.  If K is not
 * numerically positive definite, a jitter of 1e-10 (s2 + c0 + g), growing
 * tenfold up to 6 times, is added to the diagonal and gp->h.g records the
 * nugget actually used.  Returns DESURV_OK, DESURV_E_NULL,
 * DESURV_E_NOMEM, DESURV_E_LAPACK (K not positive definite even with
 * jitter), DESURV_E_DIM (d < 1, d > DSV_GP_MAXD, n < 1 or n > DSV_GP_MAXN),
 * DESURV_E_LD (ldx < n), DESURV_E_NONFINITE (X or y), DESURV_E_RANGE
 * (s2 <= 0, ls <= 0, c0 < 0, g < 0, or a hyperparameter not finite). */
int dsv_gp_condition(dsv_gp *gp, const double *X, int64_t ldx, const double *y, int64_t n,
                     int64_t d, const dsv_gp_hyper *h);

/* Estimate the hyperparameters by maximising the log marginal likelihood
 * (analytic gradient, bounded, n_restarts + 1 starts from the given seed,
 * deterministic), then condition.  The mean m is profiled out and c0 = 0
 * (see above).  Returns the codes of dsv_gp_condition, DESURV_E_RANGE for
 * n_restarts < 0, and DESURV_E_LAPACK when no start could be evaluated. */
int dsv_gp_fit(dsv_gp *gp, const double *X, int64_t ldx, const double *y, int64_t n, int64_t d,
               uint64_t seed, int n_restarts);

/* Variants of the estimation (dsv_gp_fit_ex). */
typedef struct dsv_gp_fit_options {
    int fixed_mean;   /* 0: profile m (default); 1: m = m_value */
    double m_value;
    int fit_c0;       /* 0: c0 = c0_value (default 0); 1: estimate c0 within its bounds */
    double c0_value;
} dsv_gp_fit_options;

/* dsv_gp_fit with options (opt NULL: the defaults of dsv_gp_fit).
 * DESURV_E_RANGE also for a non-finite m_value or a c0_value < 0. */
int dsv_gp_fit_ex(dsv_gp *gp, const double *X, int64_t ldx, const double *y, int64_t n,
                  int64_t d, uint64_t seed, int n_restarts, const dsv_gp_fit_options *opt);

/* Posterior mean and standard deviation of the latent function (without
 * the nugget: prior variance s2 + c0) at m points Xs (m x d, ld ldxs).
 * sd may be NULL.  Work is done in blocks of 256 candidates: one dgemv and
 * one dtrsm per block when n > 128; plain loops for smaller n, where the
 * thread hand-offs of a multithreaded BLAS cost more than the arithmetic
 * (the likelihood gradient of dsv_gp_fit likewise inverts K without
 * LAPACK for n <= 128).  Returns DESURV_OK, DESURV_E_NULL, DESURV_E_DIM (m < 0), DESURV_E_LD,
 * DESURV_E_NOMEM. */
int dsv_gp_predict(const dsv_gp *gp, const double *Xs, int64_t ldxs, int64_t m, double *mean,
                   double *sd);

void dsv_gp_free(dsv_gp *gp);   /* NULL-safe, leaves gp zeroed */

#endif
