/* enet.c - elastic-net penalised Cox regression by proximal Newton.
 *
 * f(b) = F(b) + h(b) with the smooth part F(b) = -(2/n_e) l(Zs b) +
 * lambda (1-nu)/2 |b|^2 and h(b) = lambda nu |b|_1.  Each outer iteration
 * builds the exact quadratic model of F from dsv_cox_hess_gram (exact
 * gradient and Hessian, not a diagonal IRLS bound), minimises model + h
 * to high accuracy on the k x k system, and takes a backtracking step on
 * the true f.  One IRLS sweep (what the original package does) stops far
 * from the optimum when the columns are nearly collinear, because
 * coordinate descent then needs thousands of sweeps; here the inner solve
 * runs to convergence and is finished by an exact active-set solve.
 */
#include "surv/enet.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "desurv/desurv.h"

enum {
    MAX_SWEEPS = 100000, /* inner coordinate-descent sweeps per outer step */
    MAX_HALVINGS = 60    /* line-search trials: t down to ~1e-18 */
};

static const double ARMIJO = 1e-4;

typedef struct enet_ws {
    const dsv_cox *cox;
    const double *Zs;
    int64_t ldz, k;
    double lambda, nu;
    double *eta, *cwork;  /* n; dsv_cox_work_size */
    double *eta0, *deta;  /* n each: Zs b at the line search's base, Zs (bt - b) */
    double *Q, *gF;       /* k x k model Hessian; gradient of F */
    double *x, *lin, *qg; /* inner iterate, linear term, model gradient */
    double *chol, *rhs;   /* k x k factor, k right-hand side */
    double *bt, *start;   /* trial point; warm start */
    int64_t *act;         /* active set */
} enet_ws;

static double l1norm(const double *v, int64_t k)
{
    double s = 0.0;
    for (int64_t r = 0; r < k; r++)
        s += fabs(v[r]);
    return s;
}

static double sqnorm(const double *v, int64_t k)
{
    double s = 0.0;
    for (int64_t r = 0; r < k; r++)
        s += v[r] * v[r];
    return s;
}

static double penalty(const enet_ws *w, const double *b)
{
    return w->lambda * (w->nu * l1norm(b, w->k) + 0.5 * (1.0 - w->nu) * sqnorm(b, w->k));
}

static void linpred(const enet_ws *w, const double *b)
{
    int64_t n = w->cox->n;
    memset(w->eta, 0, (size_t)n * sizeof *w->eta);
    for (int64_t r = 0; r < w->k; r++) {
        const double *z = w->Zs + r * w->ldz;
        for (int64_t i = 0; i < n; i++)
            w->eta[i] += b[r] * z[i];
    }
}

/* f(b) from l = l(Zs b). */
static double fvalue(const enet_ws *w, const double *b, double l)
{
    return -2.0 / (double)w->cox->n_events * l + penalty(w, b);
}

/* f(b) and l(Zs b); +inf when the likelihood cannot be evaluated. */
static double objective(const enet_ws *w, const double *b, double *loglik)
{
    linpred(w, b);
    double l;
    if (dsv_cox_eval(w->cox, w->eta, &l, NULL, NULL, w->cwork) != DESURV_OK)
        return INFINITY;
    if (loglik)
        *loglik = l;
    return fvalue(w, b, l);
}

/* Exact quadratic model of F at b: Q = (2/n_e) Z^T(-Hess l)Z + ridge I,
 * gF = -(2/n_e) Z^T grad l + ridge b; also l(Zs b) into *ll (the same
 * value, to the bit, as objective() would give: one backward pass). */
static int build_model(enet_ws *w, const double *b, double *ll)
{
    int64_t k = w->k;
    double s = 2.0 / (double)w->cox->n_events, ridge = w->lambda * (1.0 - w->nu);
    linpred(w, b);
    int rc = dsv_cox_hess_gram(w->cox, w->eta, w->Zs, w->ldz, k, ll, w->gF, w->Q, w->cwork);
    if (rc != DESURV_OK)
        return rc;
    for (int64_t u = 0; u < k * k; u++)
        w->Q[u] *= s;
    for (int64_t r = 0; r < k; r++) {
        w->Q[r + r * k] += ridge;
        w->gF[r] = -s * w->gF[r] + ridge * b[r];
    }
    return DESURV_OK;
}

/* Only the gradient of F at b (into gF), and l(Zs b) into *ll: enough to
 * confirm convergence after a small Newton step without the O(n k^2)
 * Hessian. */
static int build_gradient(enet_ws *w, const double *b, double *ll)
{
    int64_t n = w->cox->n, k = w->k;
    double s = 2.0 / (double)w->cox->n_events, ridge = w->lambda * (1.0 - w->nu);
    linpred(w, b);
    int rc = dsv_cox_eval(w->cox, w->eta, ll, w->deta, NULL, w->cwork);
    if (rc != DESURV_OK)
        return rc;
    for (int64_t r = 0; r < k; r++) {
        double acc = 0.0;
        for (int64_t i = 0; i < n; i++)
            acc += w->Zs[i + r * w->ldz] * w->deta[i];
        w->gF[r] = -s * acc + ridge * b[r];
    }
    return DESURV_OK;
}

/* Largest violation of the optimality conditions of f at b. */
static double kkt_residual(const double *gF, const double *b, int64_t k, double l1)
{
    double m = 0.0;
    for (int64_t r = 0; r < k; r++) {
        double v = b[r] != 0.0 ? fabs(gF[r] + copysign(l1, b[r])) : fmax(0.0, fabs(gF[r]) - l1);
        m = fmax(m, v);
    }
    return m;
}

static double soft(double z, double t)
{
    return z > t ? z - t : (z < -t ? z + t : 0.0);
}

/* One cyclic sweep on q(x) = x^T Q x / 2 + lin^T x + l1 |x|_1, keeping the
 * model gradient qg = Q x + lin current.  Returns the largest change. */
static double cd_sweep(enet_ws *w, double l1)
{
    int64_t k = w->k;
    double dmax = 0.0;
    for (int64_t r = 0; r < k; r++) {
        double qrr = w->Q[r + r * k];
        if (!(qrr > 0.0))
            continue; /* flat coordinate: no finite minimiser along it */
        double xn = soft(qrr * w->x[r] - w->qg[r], l1) / qrr;
        double dx = xn - w->x[r];
        if (dx == 0.0)
            continue;
        w->x[r] = xn;
        for (int64_t s = 0; s < k; s++)
            w->qg[s] += dx * w->Q[s + r * k];
        dmax = fmax(dmax, fabs(dx));
    }
    return dmax;
}

/* In-place Cholesky of the m x m matrix a (leading dimension m); 0 if SPD. */
static int cholesky(double *a, int64_t m)
{
    for (int64_t j = 0; j < m; j++) {
        double d = a[j + j * m];
        for (int64_t p = 0; p < j; p++)
            d -= a[j + p * m] * a[j + p * m];
        if (!(d > 0.0))
            return 1;
        d = sqrt(d);
        a[j + j * m] = d;
        for (int64_t i = j + 1; i < m; i++) {
            double s = a[i + j * m];
            for (int64_t p = 0; p < j; p++)
                s -= a[i + p * m] * a[j + p * m];
            a[i + j * m] = s / d;
        }
    }
    return 0;
}

static void chol_solve(const double *a, int64_t m, double *y)
{
    for (int64_t i = 0; i < m; i++) {
        for (int64_t p = 0; p < i; p++)
            y[i] -= a[i + p * m] * y[p];
        y[i] /= a[i + i * m];
    }
    for (int64_t i = m - 1; i >= 0; i--) {
        for (int64_t p = i + 1; p < m; p++)
            y[i] -= a[p + i * m] * y[p];
        y[i] /= a[i + i * m];
    }
}

/* Exact minimiser of q on the current sign pattern of x: solve
 * Q_AA x_A = -(lin_A + l1 sign x_A).  Accepted (x, qg updated, returns 1)
 * only if the signs are kept and the zero coordinates satisfy their
 * optimality condition, i.e. the result is the exact minimiser of q. */
static int polish(enet_ws *w, double l1)
{
    int64_t k = w->k, m = 0;
    for (int64_t r = 0; r < k; r++)
        if (w->Q[r + r * k] > 0.0 && (l1 == 0.0 || w->x[r] != 0.0))
            w->act[m++] = r;
    for (int64_t u = 0; u < m; u++) {
        int64_t r = w->act[u];
        w->rhs[u] = -(w->lin[r] + (l1 > 0.0 ? copysign(l1, w->x[r]) : 0.0));
        for (int64_t v = 0; v < m; v++)
            w->chol[u + v * m] = w->Q[r + w->act[v] * k];
    }
    if (cholesky(w->chol, m))
        return 0;
    chol_solve(w->chol, m, w->rhs);
    for (int64_t u = 0; u < m; u++)
        if (l1 > 0.0 && (w->rhs[u] == 0.0 || (w->rhs[u] > 0.0) != (w->x[w->act[u]] > 0.0)))
            return 0;
    double *g = w->bt; /* scratch: model gradient at the candidate */
    for (int64_t r = 0; r < k; r++) {
        g[r] = w->lin[r];
        for (int64_t u = 0; u < m; u++)
            g[r] += w->Q[r + w->act[u] * k] * w->rhs[u];
    }
    for (int64_t r = 0, u = 0; r < k; r++) {
        int in = u < m && w->act[u] == r;
        u += in;
        if (!in && w->Q[r + r * k] > 0.0 && fabs(g[r]) > l1)
            return 0; /* a zero coordinate wants to move: wrong sign pattern */
    }
    /* Flat coordinates (Q_rr = 0, so Q_r. = 0 for PSD Q) keep their value. */
    for (int64_t r = 0, u = 0; r < k; r++) {
        int in = u < m && w->act[u] == r;
        if (in)
            w->x[r] = w->rhs[u++];
        else if (w->Q[r + r * k] > 0.0)
            w->x[r] = 0.0;
        w->qg[r] = g[r];
    }
    return 1;
}

/* Minimise the model m(x) = gF^T(x-b) + (x-b)^T Q (x-b)/2 + l1 |x|_1 from
 * x = b: coordinate descent, with an exact active-set solve tried after 1,
 * 2, 4, ... sweeps, which ends the solve as soon as the sign pattern is
 * right. */
static void solve_model(enet_ws *w, const double *b, double l1)
{
    int64_t k = w->k;
    for (int64_t r = 0; r < k; r++) {
        double qb = 0.0;
        for (int64_t s = 0; s < k; s++)
            qb += w->Q[r + s * k] * b[s];
        w->lin[r] = w->gF[r] - qb;
        w->x[r] = b[r];
        w->qg[r] = w->gF[r];
    }
    for (int sweep = 1, next = 1; sweep <= MAX_SWEEPS; sweep++) {
        double dmax = cd_sweep(w, l1);
        double xmax = fmax(1.0, fabs(w->x[0]));
        for (int64_t r = 1; r < k; r++)
            xmax = fmax(xmax, fabs(w->x[r]));
        if (sweep == next) {
            if (polish(w, l1))
                return;
            next *= 2;
        }
        if (dmax <= 1e-15 * xmax)
            return;
    }
}

/* f(bt) - f(b), accurate far below the rounding level of f: the
 * likelihood part from dsv_cox_delta (small steps) and the penalty part
 * term by term.  w->eta0 must hold Zs b and *ll = l(Zs b).  +inf when the
 * trial cannot be evaluated. */
static double delta_objective(enet_ws *w, const double *b, const double *bt, double ll)
{
    int64_t n = w->cox->n, k = w->k;
    double dmax = 0.0, dl, dp = 0.0;
    memset(w->deta, 0, (size_t)n * sizeof *w->deta);
    for (int64_t r = 0; r < k; r++) {
        double db = bt[r] - b[r];
        const double *z = w->Zs + r * w->ldz;
        for (int64_t i = 0; i < n; i++)
            w->deta[i] += db * z[i];
        dp += w->lambda * (w->nu * (fabs(bt[r]) - fabs(b[r])) +
                           0.5 * (1.0 - w->nu) * db * (bt[r] + b[r]));
    }
    for (int64_t i = 0; i < n; i++) {
        double a = fabs(w->deta[i]);
        dmax = a > dmax ? a : dmax; /* as fmax (NaN ignored), without the libm call */
    }
    if (dmax <= 1.0) {
        if (dsv_cox_delta(w->cox, w->eta0, w->deta, &dl) != DESURV_OK)
            return INFINITY;
    } else { /* a big step: rounding of l is irrelevant, difference directly */
        double lt;
        if (!isfinite(objective(w, bt, &lt)))
            return INFINITY;
        dl = lt - ll;
    }
    return -2.0 / (double)w->cox->n_events * dl + dp;
}

/* Backtracking on the true objective along d = x - b.  Accepts the first
 * t = 1, 1/2, ... meeting the Armijo condition f(b + t d) - f(b) <= sigma t D
 * with D = gF^T d + h(x) - h(b) < 0, the difference being computed
 * accurately (delta_objective) so that the last Newton steps, whose gains
 * are below the rounding level of f, are still taken.  ll = l(Zs b), and
 * w->eta must hold Zs b.  On success b is updated and the step length
 * max|t d| is returned, otherwise -1.  f and l at the new b are not
 * evaluated here: the caller's next model or gradient at b gives them. */
static double line_search(enet_ws *w, double *b, double ll, double l1)
{
    int64_t k = w->k;
    /* term by term: near the optimum D is ~|d|^2 and differencing the two
     * l1 norms would bury it under their rounding error */
    double D = 0.0;
    for (int64_t r = 0; r < k; r++)
        D += w->gF[r] * (w->x[r] - b[r]) + l1 * (fabs(w->x[r]) - fabs(b[r]));
    if (!(D < 0.0))
        return -1.0;
    memcpy(w->eta0, w->eta, (size_t)w->cox->n * sizeof *w->eta);
    double t = 1.0;
    for (int h = 0; h < MAX_HALVINGS; h++, t *= 0.5) {
        double step = 0.0;
        for (int64_t r = 0; r < k; r++) {
            w->bt[r] = b[r] + t * (w->x[r] - b[r]);
            step = fmax(step, fabs(w->bt[r] - b[r]));
        }
        if (step == 0.0)
            break;
        double df = delta_objective(w, b, w->bt, ll);
        if (df <= ARMIJO * t * D) {
            memcpy(b, w->bt, (size_t)k * sizeof *b);
            return step;
        }
    }
    return -1.0;
}

static int ws_alloc(enet_ws *w, const dsv_cox *cox, int64_t k, void **block)
{
    int64_t n = cox->n, nc = dsv_cox_work_size(cox, k);
    size_t nd = (size_t)(3 * n + nc + 2 * k * k + 8 * k);
    double *p = malloc(nd * sizeof *p);
    int64_t *act = malloc((size_t)k * sizeof *act);
    if (!p || !act) {
        free(p);
        free(act);
        return DESURV_E_NOMEM;
    }
    *block = p;
    w->eta = p, p += n;
    w->eta0 = p, p += n;
    w->deta = p, p += n;
    w->cwork = p, p += nc;
    w->Q = p, p += k * k;
    w->chol = p, p += k * k;
    w->gF = p, p += k;
    w->x = p, p += k;
    w->lin = p, p += k;
    w->qg = p, p += k;
    w->rhs = p, p += k;
    w->bt = p, p += k;
    w->start = p;
    w->act = act;
    return DESURV_OK;
}

/* Outer proximal Newton loop; returns the status and fills info.  f and
 * l at the current b come from the model (or gradient) built there, so
 * each point is evaluated once: the first model gives f at the warm
 * start, and every accepted step is followed by a gradient or model at
 * the new b before the loop can end. */
static int newton(enet_ws *w, double *b, double tol, int maxit, dsv_enet_info *info)
{
    int64_t k = w->k;
    double l1 = w->lambda * w->nu, ll = 0.0, f = 0.0, f0 = 0.0, ll0 = 0.0;
    memcpy(w->start, b, (size_t)k * sizeof *b);
    int small_step = 0, first = 1;
    for (;;) {
        int rc;
        /* After a small step, usually the last one, the gradient alone
         * decides; the Hessian is built only when another step is needed. */
        if (small_step) {
            if ((rc = build_gradient(w, b, &ll)) != DESURV_OK)
                return rc;
            f = fvalue(w, b, ll);
            if (kkt_residual(w->gF, b, k, l1) <= tol) {
                info->converged = 1;
                break;
            }
        }
        if ((rc = build_model(w, b, &ll)) != DESURV_OK)
            return rc;
        f = fvalue(w, b, ll);
        if (first) {
            f0 = f, ll0 = ll, first = 0;
            if (!isfinite(f))
                return DESURV_E_NUMERIC;
        }
        double kkt = kkt_residual(w->gF, b, k, l1);
        if (small_step && kkt <= tol) {
            info->converged = 1;
            break;
        }
        if (info->iterations >= maxit)
            break;
        solve_model(w, b, l1);
        /* "Small step" refers to the proposed Newton step, not to the step
         * the line search took: on separable data the steps are cut short
         * while the model keeps pointing far away, and that is no optimum. */
        double prop = 0.0, bmax = 1.0;
        for (int64_t r = 0; r < k; r++) {
            prop = fmax(prop, fabs(w->x[r] - b[r]));
            bmax = fmax(bmax, fabs(b[r]));
        }
        small_step = prop <= tol * bmax;
        if (line_search(w, b, ll, l1) < 0.0) {
            /* No decrease is possible in floating point: the model's
             * minimiser is b itself or the gain is below rounding. */
            info->converged = small_step && kkt <= tol;
            break;
        }
        info->iterations++;
    }
    if (f > f0) {
        /* Every accepted step lowered f, but by less in total than the
         * rounding error of evaluating f: keep the warm start, so that the
         * returned objective can never read higher than the initial one. */
        memcpy(b, w->start, (size_t)k * sizeof *b);
        f = f0;
        ll = ll0;
    }
    info->objective = f;
    info->loglik = ll;
    return DESURV_OK;
}

int dsv_enet_cox(const dsv_cox *cox, const double *Zs, int64_t ldz, int64_t k, double lambda,
                 double nu, double tol, int maxit, double *b, dsv_enet_info *info)
{
    dsv_enet_info local;
    if (!info)
        info = &local;
    memset(info, 0, sizeof *info);
    if (k < 1)
        return DESURV_E_DIM;
    enet_ws w = {.cox = cox, .Zs = Zs, .ldz = ldz, .k = k, .lambda = lambda, .nu = nu};
    void *block = NULL;
    if (ws_alloc(&w, cox, k, &block) != DESURV_OK)
        return DESURV_E_NOMEM;
    int rc = newton(&w, b, tol, maxit, info);
    free(block);
    free(w.act);
    return rc;
}
