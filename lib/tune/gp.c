/* gp.c - Gaussian-process regression (see gp.h): conditioning, prediction
 * and maximum-likelihood estimation of the hyperparameters.
 *
 * Estimation works on standardised responses ys = (y - mean y) / sd y, so
 * that the bounds, the starting points and the optimiser's tolerances mean
 * the same whatever the scale of y (C-indices differ by ~0.01); the
 * hyperparameters are mapped back to the scale of y and the final GP is
 * conditioned on the original y, so gp->lml is the likelihood of y.
 *
 * The optimiser is a projected BFGS on the log-parameters: the direction
 * is the quasi-Newton step restricted to the variables not held at a bound
 * (a variable is held when it sits on a bound and the gradient pushes it
 * outwards), the step is projected back into the box, and backtracking
 * enforces sufficient decrease along the projected path.  Small problems
 * (d + 2 or d + 3 parameters) make the dense inverse-Hessian update cheap.
 */
#include "tune/gp.h"

#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "desurv/desurv.h"
#include "base/rng.h"

#define SQRT5 2.23606797749978969641
#define LOG_2PI 1.83787706640934548356
#define NPMAX (DSV_GP_MAXD + 3) /* log s2, log ls[d], log g, log c0 */
#define JITTER_TRIES 6
#define PRED_BLOCK 256          /* candidates per BLAS-3 block in predict */
#define SMALL_N 128             /* plain loops instead of BLAS up to this n (see predict_cols) */

/* ------------------------------------------------------------------------ */
/* Kernel                                                                    */
/* ------------------------------------------------------------------------ */

static double matern52(double r)
{
    double sr = SQRT5 * r;
    return (1.0 + sr + sr * sr / 3.0) * exp(-sr);
}

/* Scaled distance between row i of A (ld lda) and row j of B (ld ldb). */
static double scaled_dist(const double *A, int64_t lda, int64_t i, const double *B, int64_t ldb,
                          int64_t j, int64_t d, const double *ils)
{
    double r2 = 0;
    for (int64_t k = 0; k < d; k++) {
        double t = (A[i + k * lda] - B[j + k * ldb]) * ils[k];
        r2 += t * t;
    }
    return sqrt(r2);
}

/* Lower triangle of K = s2 Matern + c0 + (g + jitter) I into K (ld n). */
static void build_K(const dsv_gp *gp, double jitter, double *K)
{
    int64_t n = gp->n, d = gp->d;
    double ils[DSV_GP_MAXD];
    for (int64_t k = 0; k < d; k++)
        ils[k] = 1.0 / gp->h.ls[k];
    for (int64_t j = 0; j < n; j++) {
        K[j + j * n] = gp->h.s2 + gp->h.c0 + gp->h.g + jitter;
        for (int64_t i = j + 1; i < n; i++)
            K[i + j * n] =
                gp->h.s2 * matern52(scaled_dist(gp->X, n, i, gp->X, n, j, d, ils)) + gp->h.c0;
    }
}

/* ------------------------------------------------------------------------ */
/* Conditioning                                                              */
/* ------------------------------------------------------------------------ */

static int check_dims(const void *X, const void *y, int64_t n, int64_t d, int64_t ldx)
{
    if (!X || !y)
        return DESURV_E_NULL;
    if (d < 1 || d > DSV_GP_MAXD || n < 1 || n > DSV_GP_MAXN)
        return DESURV_E_DIM;
    if (ldx < n)
        return DESURV_E_LD;
    return DESURV_OK;
}

static int all_finite(const double *X, int64_t ldx, int64_t n, int64_t d, const double *y)
{
    for (int64_t i = 0; i < n; i++) {
        if (!isfinite(y[i]))
            return 0;
        for (int64_t k = 0; k < d; k++)
            if (!isfinite(X[i + k * ldx]))
                return 0;
    }
    return 1;
}

static int hyper_ok(const dsv_gp_hyper *h, int64_t d)
{
    int ok = isfinite(h->m) && isfinite(h->s2) && h->s2 > 0 && isfinite(h->c0) && h->c0 >= 0 &&
             isfinite(h->g) && h->g >= 0;
    for (int64_t k = 0; k < d; k++)
        ok = ok && isfinite(h->ls[k]) && h->ls[k] > 0;
    return ok;
}

/* Cholesky of K, adding jitter to the diagonal when K is numerically
 * singular (coincident inputs with a tiny nugget).  The jitter actually
 * used is folded into gp->h.g so that L, a and lml stay consistent with h. */
static int factor_with_jitter(dsv_gp *gp)
{
    lapack_int n = (lapack_int)gp->n;
    double base = 1e-10 * (gp->h.s2 + gp->h.c0 + gp->h.g);
    for (int t = 0; t <= JITTER_TRIES; t++) {
        double jitter = t == 0 ? 0.0 : base * pow(10.0, t - 1);
        build_K(gp, jitter, gp->L);
        if (LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'L', n, gp->L, n) == 0) {
            gp->h.g += jitter;
            return DESURV_OK;
        }
    }
    return DESURV_E_LAPACK;
}

/* a = K^{-1}(y - m) and the log marginal likelihood, from the factor. */
static int solve_and_lml(dsv_gp *gp)
{
    int64_t n = gp->n;
    for (int64_t i = 0; i < n; i++)
        gp->a[i] = gp->y[i] - gp->h.m;
    if (LAPACKE_dpotrs(LAPACK_COL_MAJOR, 'L', (lapack_int)n, 1, gp->L, (lapack_int)n, gp->a,
                       (lapack_int)n) != 0)
        return DESURV_E_LAPACK;
    double quad = 0, logdet = 0;
    for (int64_t i = 0; i < n; i++) {
        quad += (gp->y[i] - gp->h.m) * gp->a[i];
        logdet += log(gp->L[i + i * n]);
    }
    gp->lml = -0.5 * quad - logdet - 0.5 * (double)n * LOG_2PI;
    return isfinite(gp->lml) ? DESURV_OK : DESURV_E_NUMERIC;
}

int dsv_gp_condition(dsv_gp *gp, const double *X, int64_t ldx, const double *y, int64_t n,
                     int64_t d, const dsv_gp_hyper *h)
{
    if (!gp || !h)
        return DESURV_E_NULL;
    memset(gp, 0, sizeof *gp);
    int rc = check_dims(X, y, n, d, ldx);
    if (rc != DESURV_OK)
        return rc;
    if (!all_finite(X, ldx, n, d, y))
        return DESURV_E_NONFINITE;
    if (!hyper_ok(h, d))
        return DESURV_E_RANGE;
    gp->n = n;
    gp->d = d;
    gp->h = *h;
    gp->X = malloc((size_t)(n * d) * sizeof(double));
    gp->y = malloc((size_t)n * sizeof(double));
    gp->L = calloc((size_t)(n * n), sizeof(double)); /* upper triangle stays 0 */
    gp->a = malloc((size_t)n * sizeof(double));
    if (!gp->X || !gp->y || !gp->L || !gp->a) {
        dsv_gp_free(gp);
        return DESURV_E_NOMEM;
    }
    for (int64_t k = 0; k < d; k++)
        memcpy(gp->X + k * n, X + k * ldx, (size_t)n * sizeof(double));
    memcpy(gp->y, y, (size_t)n * sizeof(double));
    rc = factor_with_jitter(gp);
    if (rc == DESURV_OK)
        rc = solve_and_lml(gp);
    if (rc != DESURV_OK)
        dsv_gp_free(gp);
    return rc;
}

void dsv_gp_free(dsv_gp *gp)
{
    if (!gp)
        return;
    free(gp->X);
    free(gp->y);
    free(gp->L);
    free(gp->a);
    memset(gp, 0, sizeof *gp);
}

/* ------------------------------------------------------------------------ */
/* Prediction                                                                */
/* ------------------------------------------------------------------------ */

/* x = L^{-1} x for one column (column-oriented forward substitution). */
static void forward_subst(const double *L, int64_t n, double *x)
{
    for (int64_t k = 0; k < n; k++) {
        const double *lk = L + k * n;
        double xk = x[k] /= lk[k];
        for (int64_t i = k + 1; i < n; i++)
            x[i] -= xk * lk[i];
    }
}

/* mean = m + Ks' a and the latent sd = sqrt(s2 + c0 - |L^{-1} k*|^2) for
 * the nb columns of Ks (n x nb), which is overwritten.  For n <= SMALL_N
 * plain loops: OpenBLAS threads dgemv and dtrsm even for n = 40, and its
 * thread hand-offs then cost several times the arithmetic (measured 3x on
 * a BO run); above, one dgemv and one dtrsm per block (BLAS-3). */
static void predict_cols(const dsv_gp *gp, double *Ks, int64_t nb, double *mean, double *sd)
{
    int64_t n = gp->n;
    if (n <= SMALL_N) {
        for (int64_t j = 0; j < nb; j++) {
            double *x = Ks + j * n, mu = 0, q = 0;
            for (int64_t i = 0; i < n; i++)
                mu += x[i] * gp->a[i];
            mean[j] = gp->h.m + mu;
            if (!sd)
                continue;
            forward_subst(gp->L, n, x);
            for (int64_t i = 0; i < n; i++)
                q += x[i] * x[i];
            sd[j] = sqrt(fmax(0.0, gp->h.s2 + gp->h.c0 - q));
        }
        return;
    }
    cblas_dgemv(CblasColMajor, CblasTrans, (int)n, (int)nb, 1.0, Ks, (int)n, gp->a, 1, 0.0, mean,
                1);
    for (int64_t j = 0; j < nb; j++)
        mean[j] += gp->h.m;
    if (!sd)
        return;
    cblas_dtrsm(CblasColMajor, CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, (int)n,
                (int)nb, 1.0, gp->L, (int)n, Ks, (int)n);
    for (int64_t j = 0; j < nb; j++) {
        double q = cblas_ddot((int)n, Ks + j * n, 1, Ks + j * n, 1);
        sd[j] = sqrt(fmax(0.0, gp->h.s2 + gp->h.c0 - q));
    }
}

/* One block of nb candidates: Ks (n x nb) = k(X, Xs), then predict_cols. */
static void predict_block(const dsv_gp *gp, const double *Xs, int64_t ldxs, int64_t nb,
                          const double *ils, double *Ks, double *mean, double *sd)
{
    int64_t n = gp->n, d = gp->d;
    for (int64_t j = 0; j < nb; j++)
        for (int64_t i = 0; i < n; i++)
            Ks[i + j * n] =
                gp->h.s2 * matern52(scaled_dist(gp->X, n, i, Xs, ldxs, j, d, ils)) + gp->h.c0;
    predict_cols(gp, Ks, nb, mean, sd);
}

int dsv_gp_predict(const dsv_gp *gp, const double *Xs, int64_t ldxs, int64_t m, double *mean,
                   double *sd)
{
    if (!gp || !gp->L || !Xs || !mean)
        return DESURV_E_NULL;
    if (m < 0)
        return DESURV_E_DIM;
    if (ldxs < m)
        return DESURV_E_LD;
    if (m == 0)
        return DESURV_OK;
    int64_t bs = m < PRED_BLOCK ? m : PRED_BLOCK;
    double *Ks = malloc((size_t)(gp->n * bs) * sizeof(double));
    if (!Ks)
        return DESURV_E_NOMEM;
    double ils[DSV_GP_MAXD];
    for (int64_t k = 0; k < gp->d; k++)
        ils[k] = 1.0 / gp->h.ls[k];
    for (int64_t j0 = 0; j0 < m; j0 += bs) {
        int64_t nb = m - j0 < bs ? m - j0 : bs;
        predict_block(gp, Xs + j0, ldxs, nb, ils, Ks, mean + j0, sd ? sd + j0 : NULL);
    }
    free(Ks);
    return DESURV_OK;
}

/* ------------------------------------------------------------------------ */
/* Log marginal likelihood and its gradient on standardised data            */
/* ------------------------------------------------------------------------ */

/* Parameter vector x: x[0] = log s2, x[1..d] = log ls, x[d+1] = log g,
 * x[d+2] = log c0 (only when c0 is estimated).  Everything is on the
 * standardised scale. */
typedef struct lik_ctx {
    int64_t n, d, np;
    int profile;     /* 1: m profiled; 0: m = m_fixed */
    int fit_c0;
    double m_fixed, c0_fixed;
    const double *ys;
    double *D2;      /* npair x d (pair-major): squared input differences */
    double *Mat;     /* npair: Matern values of the current evaluation */
    double *Gls;     /* npair: (5/3)(1 + sqrt5 r) exp(-sqrt5 r), for d/dlog ls */
    double *K;       /* n x n: K, then its factor, then K^{-1} */
    double *B;       /* n x 2: right-hand sides */
    double *Winv;    /* n x n workspace of the small inverse (NULL when n > SMALL_N) */
    double m_last;   /* mean used by the last evaluation */
} lik_ctx;

static void lik_params(const lik_ctx *c, const double *x, double *s2, double *ils2, double *g,
                       double *c0)
{
    *s2 = exp(x[0]);
    for (int64_t k = 0; k < c->d; k++)
        ils2[k] = exp(-2.0 * x[1 + k]);
    *g = exp(x[c->d + 1]);
    *c0 = c->fit_c0 ? exp(x[c->d + 2]) : c->c0_fixed;
}

/* K (lower) from the cached differences; also caches Mat and Gls. */
static void lik_build(lik_ctx *c, double s2, const double *ils2, double g, double c0)
{
    int64_t n = c->n, d = c->d, p = 0;
    for (int64_t j = 0; j < n; j++) {
        c->K[j + j * n] = s2 + c0 + g;
        for (int64_t i = j + 1; i < n; i++, p++) {
            const double *dd = c->D2 + p * d;
            double r2 = 0;
            for (int64_t k = 0; k < d; k++)
                r2 += dd[k] * ils2[k];
            double sr = SQRT5 * sqrt(r2), e = exp(-sr);
            c->Mat[p] = (1.0 + sr + sr * sr / 3.0) * e;
            c->Gls[p] = (5.0 / 3.0) * (1.0 + sr) * e;
            c->K[i + j * n] = s2 * c->Mat[p] + c0;
        }
    }
}

/* After the Cholesky factor: the mean (profiled: GLS estimate
 * 1'K^{-1}y / 1'K^{-1}1), a = K^{-1}(ys - m) into B[:,0], and the lml. */
static int lik_value(lik_ctx *c, double *lml)
{
    int64_t n = c->n;
    double *w = c->B, *u = c->B + n;
    memcpy(w, c->ys, (size_t)n * sizeof(double));
    for (int64_t i = 0; i < n; i++)
        u[i] = 1.0;
    lapack_int nrhs = c->profile ? 2 : 1;
    if (!c->profile)
        for (int64_t i = 0; i < n; i++)
            w[i] -= c->m_fixed;
    if (LAPACKE_dpotrs(LAPACK_COL_MAJOR, 'L', (lapack_int)n, nrhs, c->K, (lapack_int)n, c->B,
                       (lapack_int)n) != 0)
        return -1;
    double m = c->m_fixed;
    if (c->profile) {
        double sw = 0, su = 0;
        for (int64_t i = 0; i < n; i++) {
            sw += w[i];
            su += u[i];
        }
        m = sw / su;
        for (int64_t i = 0; i < n; i++)
            w[i] -= m * u[i];
    }
    double quad = 0, logdet = 0;
    for (int64_t i = 0; i < n; i++) {
        quad += (c->ys[i] - m) * w[i];
        logdet += log(c->K[i + i * n]);
    }
    c->m_last = m;
    *lml = -0.5 * quad - logdet - 0.5 * (double)n * LOG_2PI;
    return isfinite(*lml) ? 0 : -1;
}

/* Lower triangle of K^{-1} = L^{-T} L^{-1} into K (which holds L), through
 * W = L^{-1} (n x n workspace).  For the small matrices of BO (n up to a
 * few hundred) the per-call overhead of a threaded LAPACK dpotri (OpenBLAS
 * parallelises it even at n = 20) outweighs its speed, so below
 * SMALL_N this plain version is used: column-oriented forward
 * substitution, then dot products of contiguous column tails. */
static void inverse_from_cholesky(double *K, int64_t n, double *W)
{
    for (int64_t j = 0; j < n; j++) {
        double *x = W + j * n;
        for (int64_t i = 0; i < n; i++)
            x[i] = i == j ? 1.0 : 0.0;
        for (int64_t k = j; k < n; k++) {
            const double *lk = K + k * n;
            double xk = x[k] /= lk[k];
            for (int64_t i = k + 1; i < n; i++)
                x[i] -= xk * lk[i];
        }
    }
    for (int64_t j = 0; j < n; j++)
        for (int64_t i = j; i < n; i++) {
            const double *wi = W + i * n, *wj = W + j * n;
            double s = 0;
            for (int64_t k = i; k < n; k++)
                s += wi[k] * wj[k];
            K[i + j * n] = s;
        }
}

/* d lml / d theta = 1/2 tr((a a' - K^{-1}) dK/dtheta).  With a profiled
 * mean this is also the gradient of the profile likelihood (envelope
 * theorem: d lml / d m = 0 at the GLS mean).  Off-diagonal terms count
 * twice (symmetry); d Matern / d log ls_k = (5/3)(1 + sqrt5 r) e^{-sqrt5 r}
 * (dx_k / ls_k)^2, which has no 1/r singularity. */
static int lik_grad(lik_ctx *c, double s2, const double *ils2, double g, double c0, double *grad)
{
    int64_t n = c->n, d = c->d, p = 0;
    if (n <= SMALL_N)
        inverse_from_cholesky(c->K, n, c->Winv);
    else if (LAPACKE_dpotri(LAPACK_COL_MAJOR, 'L', (lapack_int)n, c->K, (lapack_int)n) != 0)
        return -1;
    const double *a = c->B;
    double gs2 = 0, gg = 0, gc0 = 0, gls[DSV_GP_MAXD] = {0};
    for (int64_t j = 0; j < n; j++) {
        double wjj = a[j] * a[j] - c->K[j + j * n];
        gs2 += wjj;
        gg += wjj;
        gc0 += wjj;
        for (int64_t i = j + 1; i < n; i++, p++) {
            double w2 = 2.0 * (a[i] * a[j] - c->K[i + j * n]);
            gs2 += w2 * c->Mat[p];
            gc0 += w2;
            double wg = w2 * c->Gls[p];
            const double *dd = c->D2 + p * d;
            for (int64_t k = 0; k < d; k++)
                gls[k] += wg * dd[k];
        }
    }
    grad[0] = 0.5 * s2 * gs2;
    for (int64_t k = 0; k < d; k++)
        grad[1 + k] = 0.5 * s2 * gls[k] * ils2[k];
    grad[d + 1] = 0.5 * g * gg;
    if (c->fit_c0)
        grad[d + 2] = 0.5 * c0 * gc0;
    for (int64_t k = 0; k < c->np; k++)
        if (!isfinite(grad[k]))
            return -1;
    return 0;
}

/* Objective for the minimiser: f = -lml, grad = -d lml. Returns 0, or -1
 * when K is not positive definite or a value is not finite. */
static int lik_eval(void *ctx, const double *x, double *f, double *grad)
{
    lik_ctx *c = ctx;
    double s2, g, c0, ils2[DSV_GP_MAXD], lml;
    lik_params(c, x, &s2, ils2, &g, &c0);
    lik_build(c, s2, ils2, g, c0);
    if (LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'L', (lapack_int)c->n, c->K, (lapack_int)c->n) != 0)
        return -1;
    if (lik_value(c, &lml) != 0)
        return -1;
    *f = -lml;
    if (!grad)
        return 0;
    if (lik_grad(c, s2, ils2, g, c0, grad) != 0)
        return -1;
    for (int64_t k = 0; k < c->np; k++)
        grad[k] = -grad[k];
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Projected BFGS on a box                                                   */
/* ------------------------------------------------------------------------ */

typedef int (*obj_fn)(void *ctx, const double *x, double *f, double *grad);

typedef struct box {
    int np;
    const double *lo, *hi;
} box;

static double clampd(double v, double lo, double hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* A variable is held at its bound when the descent direction -grad points
 * out of the box. */
static int held(const box *b, const double *x, const double *grad, int i)
{
    return (x[i] <= b->lo[i] && grad[i] > 0) || (x[i] >= b->hi[i] && grad[i] < 0);
}

/* Infinity norm of the projected gradient step P(x - grad) - x. */
static double proj_grad_norm(const box *b, const double *x, const double *grad)
{
    double r = 0;
    for (int i = 0; i < b->np; i++)
        r = fmax(r, fabs(clampd(x[i] - grad[i], b->lo[i], b->hi[i]) - x[i]));
    return r;
}

static void set_identity(double *H, int np, double scale)
{
    for (int i = 0; i < np * np; i++)
        H[i] = 0;
    for (int i = 0; i < np; i++)
        H[i + i * np] = scale;
}

/* Quasi-Newton direction on the free variables; 0 on held ones. */
static double qn_direction(const box *b, const double *H, const double *x, const double *grad,
                           double *dir)
{
    int np = b->np;
    double slope = 0;
    for (int i = 0; i < np; i++) {
        dir[i] = 0;
        if (held(b, x, grad, i))
            continue;
        for (int j = 0; j < np; j++)
            if (!held(b, x, grad, j))
                dir[i] -= H[i + j * np] * grad[j];
        slope += dir[i] * grad[i];
    }
    return slope;
}

/* BFGS update of the inverse Hessian H with step s and gradient change y;
 * skipped when the curvature s'y is not safely positive. */
static void bfgs_update(double *H, int np, const double *s, const double *y, int *scaled)
{
    double sy = 0, yy = 0, ss = 0;
    for (int i = 0; i < np; i++) {
        sy += s[i] * y[i];
        yy += y[i] * y[i];
        ss += s[i] * s[i];
    }
    if (!(sy > 1e-12 * sqrt(ss * yy)))
        return;
    if (!*scaled) { /* Nocedal-Wright scaling of the initial matrix */
        set_identity(H, np, sy / yy);
        *scaled = 1;
    }
    double Hy[NPMAX], yHy = 0, rho = 1.0 / sy;
    for (int i = 0; i < np; i++) {
        Hy[i] = 0;
        for (int j = 0; j < np; j++)
            Hy[i] += H[i + j * np] * y[j];
        yHy += y[i] * Hy[i];
    }
    for (int j = 0; j < np; j++)
        for (int i = 0; i < np; i++)
            H[i + j * np] +=
                rho * ((1.0 + rho * yHy) * s[i] * s[j] - Hy[i] * s[j] - s[i] * Hy[j]);
}

/* Backtracking (Armijo) along the projected path P(x + t dir).  Returns 1
 * with xn, fn, gn on success, 0 when no acceptable step was found. */
static int line_search(obj_fn fn, void *ctx, const box *b, const double *x, double f,
                       const double *grad, const double *dir, double t, double *xn, double *fn_,
                       double *gn)
{
    for (int tries = 0; tries < 60; tries++, t *= 0.5) {
        double dec = 0;
        int moved = 0;
        for (int i = 0; i < b->np; i++) {
            xn[i] = clampd(x[i] + t * dir[i], b->lo[i], b->hi[i]);
            dec += grad[i] * (xn[i] - x[i]);
            moved |= xn[i] != x[i];
        }
        if (!moved)
            return 0;
        if (fn(ctx, xn, fn_, gn) == 0 && *fn_ <= f + 1e-4 * dec)
            return 1;
    }
    return 0;
}

/* Minimise fn over the box from x (clamped); x, *fout receive the result.
 * Returns 0, or -1 when fn cannot be evaluated at the start. */
static int box_bfgs(obj_fn fn, void *ctx, const box *b, double *x, int maxit, double *fout)
{
    int np = b->np, scaled = 0, fresh = 1, flat = 0;
    double H[NPMAX * NPMAX], grad[NPMAX], dir[NPMAX], xn[NPMAX], gn[NPMAX], s[NPMAX], yv[NPMAX];
    double f, fn_;
    for (int i = 0; i < np; i++)
        x[i] = clampd(x[i], b->lo[i], b->hi[i]);
    if (fn(ctx, x, &f, grad) != 0)
        return -1;
    set_identity(H, np, 1.0);
    for (int it = 0; it < maxit && proj_grad_norm(b, x, grad) > 1e-9; it++) {
        double slope = qn_direction(b, H, x, grad, dir);
        if (!(slope < 0)) { /* not a descent direction: restart from steepest descent */
            set_identity(H, np, 1.0);
            scaled = 0;
            fresh = 1;
            slope = qn_direction(b, H, x, grad, dir);
        }
        double dmax = 0;
        for (int i = 0; i < np; i++)
            dmax = fmax(dmax, fabs(dir[i]));
        /* an unscaled steepest-descent step is limited to 1 in log units */
        double t0 = fresh && !scaled ? fmin(1.0, 1.0 / dmax) : 1.0;
        if (!line_search(fn, ctx, b, x, f, grad, dir, t0, xn, &fn_, gn)) {
            if (fresh)
                break;
            set_identity(H, np, 1.0);
            scaled = 0;
            fresh = 1;
            continue;
        }
        /* y is zeroed on the held variables (where s = 0 too), so that the
         * update of the free block is the BFGS update of the reduced
         * problem, not polluted by the gradient of pinned variables */
        for (int i = 0; i < np; i++) {
            s[i] = xn[i] - x[i];
            yv[i] = held(b, x, grad, i) ? 0.0 : gn[i] - grad[i];
        }
        bfgs_update(H, np, s, yv, &scaled);
        fresh = 0;
        /* K can be ill-conditioned (tiny nugget, long length-scales), which
         * puts noise of ~1e-9 relative on f and more on the gradient: stop
         * on a stalled objective rather than on a tiny gradient alone. */
        flat = f - fn_ <= 1e-10 * fmax(1.0, fabs(fn_)) ? flat + 1 : 0;
        memcpy(x, xn, (size_t)np * sizeof(double));
        memcpy(grad, gn, (size_t)np * sizeof(double));
        f = fn_;
        if (flat >= 2)
            break;
    }
    *fout = f;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Estimation                                                                */
/* ------------------------------------------------------------------------ */

/* Bounds of the log-parameters on the standardised scale (variance 1). */
static void param_bounds(int64_t d, int fit_c0, double *lo, double *hi)
{
    lo[0] = log(DSV_GP_S2_LO);
    hi[0] = log(DSV_GP_S2_HI);
    for (int64_t k = 0; k < d; k++) {
        lo[1 + k] = log(DSV_GP_LS_LO);
        hi[1 + k] = log(DSV_GP_LS_HI);
    }
    lo[d + 1] = log(DSV_GP_G_LO);
    hi[d + 1] = log(DSV_GP_G_HI);
    if (fit_c0) {
        lo[d + 2] = log(DSV_GP_C0_LO);
        hi[d + 2] = log(DSV_GP_C0_HI);
    }
}

/* Start 0 is a fixed, middle-of-the-road point; the others are drawn
 * log-uniformly from a sub-box where optima usually lie (drawing from the
 * whole box wastes starts on degenerate corners such as ls = 1e-2). */
static void start_point(int64_t d, int fit_c0, int start, dsv_rng *r, double *x)
{
    if (start == 0) {
        x[0] = 0.0;
        for (int64_t k = 0; k < d; k++)
            x[1 + k] = 0.0; /* ls = 1 */
        x[d + 1] = log(1e-2);
        if (fit_c0)
            x[d + 2] = log(1e-1);
        return;
    }
#define LOGU(a, b) (log(a) + (log(b) - log(a)) * dsv_rng_uniform(r))
    x[0] = LOGU(0.1, 10.0);
    for (int64_t k = 0; k < d; k++)
        x[1 + k] = LOGU(0.1, 20.0);
    x[d + 1] = LOGU(1e-6, 1.0);
    if (fit_c0)
        x[d + 2] = LOGU(1e-4, 1.0);
#undef LOGU
}

static void lik_free(lik_ctx *c)
{
    free(c->D2);
    free(c->Mat);
    free(c->Gls);
    free(c->K);
    free(c->B);
    free(c->Winv);
}

static int lik_alloc(lik_ctx *c, const double *X, int64_t ldx)
{
    int64_t n = c->n, d = c->d, npair = n * (n - 1) / 2;
    size_t np1 = (size_t)(npair > 0 ? npair : 1);
    c->D2 = malloc(np1 * (size_t)d * sizeof(double));
    c->Mat = malloc(np1 * sizeof(double));
    c->Gls = malloc(np1 * sizeof(double));
    c->K = malloc((size_t)(n * n) * sizeof(double));
    c->B = malloc((size_t)(2 * n) * sizeof(double));
    c->Winv = n <= SMALL_N ? malloc((size_t)(n * n) * sizeof(double)) : NULL;
    if (!c->D2 || !c->Mat || !c->Gls || !c->K || !c->B || (n <= SMALL_N && !c->Winv))
        return DESURV_E_NOMEM;
    int64_t p = 0;
    for (int64_t j = 0; j < n; j++)
        for (int64_t i = j + 1; i < n; i++, p++)
            for (int64_t k = 0; k < d; k++) {
                double t = X[i + k * ldx] - X[j + k * ldx];
                c->D2[p * d + k] = t * t;
            }
    return DESURV_OK;
}

/* Standardise y: ys = (y - ybar) / sy, with sy = 1 when y is constant. */
static int standardise(const double *y, int64_t n, double *ys, double *ybar, double *sy)
{
    double s = 0, v = 0;
    for (int64_t i = 0; i < n; i++)
        s += y[i];
    *ybar = s / (double)n;
    for (int64_t i = 0; i < n; i++)
        v += (y[i] - *ybar) * (y[i] - *ybar);
    v /= (double)n;
    *sy = v > 0 && isfinite(v) ? sqrt(v) : 1.0;
    for (int64_t i = 0; i < n; i++)
        ys[i] = (y[i] - *ybar) / *sy;
    return isfinite(*ybar) ? DESURV_OK : DESURV_E_NONFINITE;
}

/* Best log-parameters over all starts into xbest; returns 0 or -1. */
static int multistart(lik_ctx *c, uint64_t seed, int n_restarts, double *xbest, double *mbest)
{
    double lo[NPMAX], hi[NPMAX], x[NPMAX], f, fbest = INFINITY;
    box b = {(int)c->np, lo, hi};
    dsv_rng r;
    dsv_rng_seed(&r, seed, 0);
    param_bounds(c->d, c->fit_c0, lo, hi);
    for (int s = 0; s <= n_restarts; s++) {
        start_point(c->d, c->fit_c0, s, &r, x);
        if (box_bfgs(lik_eval, c, &b, x, 200, &f) != 0 || !(f < fbest))
            continue;
        /* re-evaluate at x: the last evaluation may have been a rejected trial */
        if (lik_eval(c, x, &f, NULL) != 0)
            continue;
        fbest = f;
        *mbest = c->m_last;
        memcpy(xbest, x, (size_t)c->np * sizeof(double));
    }
    return isfinite(fbest) ? 0 : -1;
}

int dsv_gp_fit_ex(dsv_gp *gp, const double *X, int64_t ldx, const double *y, int64_t n,
                  int64_t d, uint64_t seed, int n_restarts, const dsv_gp_fit_options *opt)
{
    static const dsv_gp_fit_options defaults = {0, 0.0, 0, 0.0};
    if (!gp)
        return DESURV_E_NULL;
    memset(gp, 0, sizeof *gp);
    if (!opt)
        opt = &defaults;
    int rc = check_dims(X, y, n, d, ldx);
    if (rc != DESURV_OK)
        return rc;
    if (!all_finite(X, ldx, n, d, y))
        return DESURV_E_NONFINITE;
    if (n_restarts < 0 || (opt->fixed_mean && !isfinite(opt->m_value)) ||
        (!opt->fit_c0 && !(opt->c0_value >= 0 && isfinite(opt->c0_value))))
        return DESURV_E_RANGE;

    lik_ctx c = {0};
    double ybar, sy, *ys = malloc((size_t)n * sizeof(double));
    c.n = n;
    c.d = d;
    c.np = d + 2 + (opt->fit_c0 != 0);
    c.profile = !opt->fixed_mean;
    c.fit_c0 = opt->fit_c0 != 0;
    rc = ys ? lik_alloc(&c, X, ldx) : DESURV_E_NOMEM;
    if (rc == DESURV_OK)
        rc = standardise(y, n, ys, &ybar, &sy);
    c.ys = ys;
    c.m_fixed = (opt->m_value - ybar) / sy;
    c.c0_fixed = opt->c0_value / (sy * sy);

    double xb[NPMAX], mb = 0;
    if (rc == DESURV_OK && multistart(&c, seed, n_restarts, xb, &mb) != 0)
        rc = DESURV_E_LAPACK;
    lik_free(&c);
    free(ys);
    if (rc != DESURV_OK)
        return rc;

    /* back to the scale of y */
    double v = sy * sy;
    dsv_gp_hyper h = {0};
    h.m = opt->fixed_mean ? opt->m_value : ybar + sy * mb;
    h.s2 = v * exp(xb[0]);
    for (int64_t k = 0; k < d; k++)
        h.ls[k] = exp(xb[1 + k]);
    h.g = v * exp(xb[d + 1]);
    h.c0 = c.fit_c0 ? v * exp(xb[d + 2]) : opt->c0_value;
    return dsv_gp_condition(gp, X, ldx, y, n, d, &h);
}

int dsv_gp_fit(dsv_gp *gp, const double *X, int64_t ldx, const double *y, int64_t n, int64_t d,
               uint64_t seed, int n_restarts)
{
    return dsv_gp_fit_ex(gp, X, ldx, y, n, d, seed, n_restarts, NULL);
}
