/* cox.c - Cox log partial likelihood, gradient and Hessian, O(n) per call.
 *
 * Layout after dsv_cox_init: samples sorted by (time ascending, events
 * before censorings, original index) so that every tie group (equal time)
 * is contiguous and its events occupy the first D_g positions of the group.
 * The risk set of group g is every sample in groups g, g+1, ...: a suffix of
 * the sorted order, so all risk-set sums are backward cumulative sums.
 *
 * Numerical scheme.  eta is first shifted by its maximum m (l is invariant
 * to a constant shift, and working near 0 keeps eta_j - log S0 accurate).
 *
 * Fast path: e_i = exp(eta_i - m) <= 1, one exp per sample, and the risk-set
 * sums S0_g are plain backward sums of e_i.  They are exact to rounding as
 * long as no risk set underflows; the smallest is the last group's, so one
 * test (S0 of the last group >= 2^-969 = DBL_MIN / eps, i.e. eta spread up
 * to ~670) decides.  A sample's weight in group g is e_i / S0_g <= 1, the
 * forward cumulative sums of 1/S0 are kept scaled by S0_g (the factors
 * S0_g / S0_{g-1} are <= 1, so nothing overflows), and log S0_g is taken
 * only for groups with events.  Subnormal e_i of samples far below the
 * maximum only lose absolute accuracy below 2^-1074 / S0_g.
 *
 * Fallback (robust path, also dsv_cox.robust_only): the backward sums are
 * kept as (running max mx, sum of exp(eta - mx)) so a risk set whose
 * members are all far below the global maximum does not underflow to 0.
 * L_g = log S0_g is then exact to rounding.  Forward cumulative sums of
 * 1/S0 are kept scaled by exp(L_g); a sample's weight is exp(eta_i - L_g)
 * <= 1 times that scaled sum.
 *
 * Efron.  For a group with D events and event weight ratio rho = S_E / S0
 * (S_E = sum of exp(eta) over the group's events) the r-th denominator is
 * S0 (1 - c_r rho), c_r = r / D, r = 0..D-1.  A sample at risk gets weight 1
 * in each, an event of the group itself weight 1 - c_r.  Breslow is the
 * special case c_r = 0, and so is a group with a single event (c_0 = 0).
 */
#include "surv/cox.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "desurv/desurv.h"

typedef struct sort_key {
    double t;
    int32_t e;
    int64_t i;
} sort_key;

static int key_cmp(const void *pa, const void *pb)
{
    const sort_key *a = pa, *b = pb;
    if (a->t != b->t)
        return a->t < b->t ? -1 : 1;
    if (a->e != b->e)
        return a->e > b->e ? -1 : 1; /* events first within a tie group */
    return (a->i > b->i) - (a->i < b->i);
}

void dsv_cox_free(dsv_cox *c)
{
    if (!c)
        return;
    free(c->order);
    free(c->time);
    free(c->event);
    free(c->group_end);
    free(c->group_nev);
    memset(c, 0, sizeof *c);
}

static void build_groups(dsv_cox *c)
{
    int64_t g = 0;
    for (int64_t p = 1; p < c->n; p++)
        if (c->time[p] != c->time[p - 1])
            c->group_end[g++] = p;
    c->group_end[g++] = c->n;
    c->n_groups = g;
    for (int64_t h = 0, p0 = 0; h < g; p0 = c->group_end[h++]) {
        int64_t d = 0;
        while (p0 + d < c->group_end[h] && c->event[p0 + d])
            d++;
        c->group_nev[h] = d;
    }
}

int dsv_cox_init(dsv_cox *c, const double *time, const int32_t *event, int64_t n, int ties)
{
    memset(c, 0, sizeof *c);
    if (n < 1)
        return DESURV_E_DIM;
    size_t un = (size_t)n;
    sort_key *key = malloc(un * sizeof *key);
    c->order = malloc(un * sizeof *c->order);
    c->time = malloc(un * sizeof *c->time);
    c->event = malloc(un * sizeof *c->event);
    c->group_end = malloc(un * sizeof *c->group_end);
    c->group_nev = malloc(un * sizeof *c->group_nev);
    if (!key || !c->order || !c->time || !c->event || !c->group_end || !c->group_nev) {
        free(key);
        dsv_cox_free(c);
        return DESURV_E_NOMEM;
    }
    for (int64_t i = 0; i < n; i++)
        key[i] = (sort_key){time[i], event[i] ? 1 : 0, i};
    /* The index tie-break makes qsort's result unique, hence deterministic. */
    qsort(key, un, sizeof *key, key_cmp);
    c->n = n;
    c->ties = ties ? 1 : 0;
    for (int64_t p = 0; p < n; p++) {
        c->order[p] = key[p].i;
        c->time[p] = key[p].t;
        c->event[p] = key[p].e;
        c->n_events += key[p].e;
    }
    free(key);
    build_groups(c);
    return DESURV_OK;
}

int64_t dsv_cox_work_size(const dsv_cox *c, int64_t k)
{
    /* S0 (or L) and rho per group, two weights per sample, the centred
     * sorted scores (n x k), four k-vectors and up to two Gram rows (k
     * each) per group. */
    int64_t kk = k > 0 ? k : 0;
    return 2 * c->n_groups + 2 * c->n + c->n * kk + 4 * kk + 2 * c->n_groups * kk + 1;
}

/* The fast path needs every risk-set sum of exp(eta - max) at least this
 * large: DBL_MIN / DBL_EPSILON, so subnormal terms cannot matter. */
static const double S0_TINY = 0x1p-969;

/* Maximum of eta; nonzero if some eta is not finite. */
static int eta_max(const double *eta, int64_t n, double *m)
{
    double mx = -INFINITY;
    for (int64_t i = 0; i < n; i++) {
        if (!isfinite(eta[i]))
            return 1;
        if (eta[i] > mx)
            mx = eta[i];
    }
    *m = mx;
    return 0;
}

/* Running log-sum-exp accumulator: value = mx + log(s).  When the optional
 * k-vector v is given it holds sum exp(x - mx) z in the same scale. */
typedef struct lse_acc {
    double mx, s;
} lse_acc;

static void lse_add(lse_acc *a, double x, double *v, const double *z, int64_t k)
{
    if (x <= a->mx) {
        double w = exp(x - a->mx);
        a->s += w;
        for (int64_t r = 0; r < k; r++)
            v[r] += w * z[r];
        return;
    }
    /* New maximum: rescale what was accumulated (exp(-inf) = 0 at start). */
    double f = exp(a->mx - x);
    a->s = a->s * f + 1.0;
    for (int64_t r = 0; r < k; r++)
        v[r] = v[r] * f + z[r];
    a->mx = x;
}

static int64_t group_start(const dsv_cox *c, int64_t g)
{
    return g ? c->group_end[g - 1] : 0;
}

/* Efron fraction c_r = r / D of the group's events removed from the r-th
 * denominator; 0 for Breslow. */
static double tie_frac(const dsv_cox *c, int64_t r, int64_t d)
{
    return c->ties ? (double)r / (double)d : 0.0;
}

/* Whether a group with d events has nonzero Efron fractions. */
static int efron_group(const dsv_cox *c, int64_t d)
{
    return c->ties && d > 1;
}

/* -sum_r log1p(-c_r rho): the Efron part of a group's log-likelihood. */
static double efron_loglik(const dsv_cox *c, int64_t d, double rho)
{
    double l = 0.0;
    if (efron_group(c, d))
        for (int64_t r = 1; r < d; r++)
            l -= log1p(-tie_frac(c, r, d) * rho);
    return l;
}

static double min1(double x)
{
    return x < 1.0 ? x : 1.0; /* fmin is a libm call without -ffinite-math-only */
}

/* Optional Gram accumulation in the backward pass (NULL: none).  zs holds
 * the centred scores in sorted order, row p (k contiguous values) at
 * zs + p k; mu is a scratch k-vector.  Each event group appends one or two
 * k-vectors x to rows (column-major k x nrows) whose outer products sum to
 * the group's part of the Hessian; one dsyrk then forms sum x x^T. */
typedef struct gram_ctx {
    double *zs; /* scratch in the work block: diag_part scales it in place */
    int64_t k;
    double *vsum, *esum, *mu, *rows;
    int64_t *nrows;
} gram_ctx;

/* The outer-product part of the Hessian contributed by one event group is
 * sum_r y_r y_r^T, y_r = (mu - c_r eps) / (1 - c_r rho), where mu =
 * Z^T(risk-set weights)/S0 = vsum / s and eps = Z^T(event weights)/S0 =
 * esum * es.  Breslow (or one event): d mu mu^T, one row sqrt(d) mu.
 * Efron: [mu eps] [a -bb; -bb g] [mu eps]^T with a = sum q^2, bb = sum c q^2,
 * g = sum c^2 q^2 (q = 1/(1 - c_r rho)), a PSD 2 x 2 form (bb^2 <= a g by
 * Cauchy-Schwarz) written as two rows through its Cholesky factor.  esum is
 * only read for Efron groups (d > 1). */
static void gram_group(const dsv_cox *c, const gram_ctx *gc, int64_t d, double rho, double s,
                       double es)
{
    int64_t k = gc->k;
    double *x = gc->rows + *gc->nrows * k, *mu = gc->mu, *eps = gc->esum;
    double inv = 1.0 / s;
    if (!efron_group(c, d)) {
        double f = sqrt((double)d) * inv;
        for (int64_t u = 0; u < k; u++)
            x[u] = gc->vsum[u] * f;
        *gc->nrows += 1;
        return;
    }
    double a = 0, bb = 0, g = 0;
    for (int64_t r = 0; r < d; r++) {
        double cr = tie_frac(c, r, d), q = 1.0 / (1.0 - cr * rho);
        a += q * q;
        bb += cr * q * q;
        g += cr * cr * q * q;
    }
    double sa = sqrt(a), rest = g - bb * bb / a, sr = rest > 0 ? sqrt(rest) : 0.0;
    for (int64_t u = 0; u < k; u++) {
        mu[u] = gc->vsum[u] * inv;
        double e = eps[u] * es;
        x[u] = sa * mu[u] - (bb / sa) * e;
        x[k + u] = sr * e;
    }
    *gc->nrows += 2;
}

static void axpy(double *y, double a, const double *x, int64_t k)
{
    for (int64_t r = 0; r < k; r++)
        y[r] += a * x[r];
}

/* Fast backward pass: ex[p] = exp(eta - m) in sorted order, S[g] = S0_g,
 * rho[g] = S_E / S0 (0 when the group has no event), *ll = l.  With gc,
 * also appends the rows of the outer-product part of Z^T(-Hess)Z.
 * Returns nonzero (nothing usable) when a risk set is below S0_TINY. */
static int backward_fast(const dsv_cox *c, const double *eta, double m, double *S, double *rho,
                         double *ex, double *ll, const gram_ctx *gc)
{
    int64_t k = gc ? gc->k : 0;
    /* sum_g d_g log S0_g = lsum + log(P 2^E): single-event groups multiply
     * into P (kept in [2^-500, 2^500] by exact power-of-2 rescaling), so
     * the fast path takes one log per evaluation instead of one per event
     * group; the rest (ties, tiny S0) take their own log */
    double acc = 0.0, l = 0.0, lsum = 0.0, P = 1.0;
    int64_t E = 0;
    if (gc)
        memset(gc->vsum, 0, (size_t)k * sizeof *gc->vsum);
    for (int64_t g = c->n_groups - 1; g >= 0; g--) {
        int64_t p0 = group_start(c, g), p1 = c->group_end[g], d = c->group_nev[g];
        int eps = gc && efron_group(c, d);
        double se = 0.0, le = 0.0;
        if (eps)
            memset(gc->esum, 0, (size_t)k * sizeof *gc->esum);
        for (int64_t p = p0; p < p0 + d; p++) {
            double x = eta[c->order[p]] - m, e = exp(x);
            ex[p] = e;
            acc += e;
            se += e;
            le += x;
            if (gc) {
                axpy(gc->vsum, e, gc->zs + p * k, k);
                if (eps)
                    axpy(gc->esum, e, gc->zs + p * k, k);
            }
        }
        for (int64_t p = p0 + d; p < p1; p++) {
            double e = exp(eta[c->order[p]] - m);
            ex[p] = e;
            acc += e;
            if (gc)
                axpy(gc->vsum, e, gc->zs + p * k, k);
        }
        if (g == c->n_groups - 1 && !(acc >= S0_TINY))
            return 1; /* the smallest risk set: later ones only grow */
        S[g] = acc;
        rho[g] = d ? min1(se / acc) : 0.0;
        if (d) {
            l += le + efron_loglik(c, d, rho[g]);
            if (d == 1 && acc >= 0x1p-400) {
                P *= acc;
                while (P < 0x1p-500) {
                    P *= 0x1p500;
                    E -= 500;
                }
                while (P > 0x1p500) {
                    P *= 0x1p-500;
                    E += 500;
                }
            } else {
                lsum += (double)d * log(acc);
            }
            if (gc)
                gram_group(c, gc, d, rho[g], acc, 1.0 / acc);
        }
    }
    /* ln 2 split so that E ln2_hi is exact (fdlibm's constants) */
    const double ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10;
    *ll = l - (lsum + log(P) + ((double)E * ln2_hi + (double)E * ln2_lo));
    return 0;
}

/* Robust backward pass (running maximum): L[g] = log S0_g - m and rho[g];
 * with gc as backward_fast. */
static void backward_robust(const dsv_cox *c, const double *eta, double m, double *L, double *rho,
                            const gram_ctx *gc)
{
    int64_t k = gc ? gc->k : 0;
    lse_acc acc = {-INFINITY, 0.0};
    if (gc)
        memset(gc->vsum, 0, (size_t)k * sizeof *gc->vsum);
    for (int64_t g = c->n_groups - 1; g >= 0; g--) {
        int64_t p0 = group_start(c, g), d = c->group_nev[g];
        lse_acc ev = {-INFINITY, 0.0};
        if (gc)
            memset(gc->esum, 0, (size_t)k * sizeof *gc->esum);
        for (int64_t p = p0; p < c->group_end[g]; p++) {
            double x = eta[c->order[p]] - m;
            const double *z = gc ? gc->zs + p * k : NULL;
            lse_add(&acc, x, gc ? gc->vsum : NULL, z, k);
            if (p < p0 + d)
                lse_add(&ev, x, gc ? gc->esum : NULL, z, k);
        }
        L[g] = acc.mx + log(acc.s);
        rho[g] = d ? min1(exp(ev.mx - acc.mx) * ev.s / acc.s) : 0.0;
        if (gc && d)
            gram_group(c, gc, d, rho[g], acc.s, exp(ev.mx - acc.mx) / acc.s);
    }
}

/* Scaled per-group weights: with t = 1 - c_r rho,
 * w[0] = sum_r 1/t, w[1] = sum_r 1/t^2       (sample at risk),
 * w[2] = sum_r (1-c_r)/t, w[3] = sum_r ((1-c_r)/t)^2 (event of this group). */
static void group_weights(const dsv_cox *c, int64_t d, double rho, double w[4])
{
    if (!efron_group(c, d)) {
        w[0] = w[1] = w[2] = w[3] = (double)d;
        return;
    }
    w[0] = w[1] = w[2] = w[3] = 0.0;
    for (int64_t r = 0; r < d; r++) {
        double cr = tie_frac(c, r, d), q = 1.0 / (1.0 - cr * rho);
        w[0] += q;
        w[1] += q * q;
        w[2] += (1.0 - cr) * q;
        w[3] += (1.0 - cr) * (1.0 - cr) * q * q;
    }
}

/* Forward pass: for sorted position p, w1[p] = exp(eta_i) sum_{h,r} w/S_hr
 * (so dl/deta_i = d_i - w1[p]) and, if w2, w2[p] = exp(2 eta_i)
 * sum_{h,r} w^2/S_hr^2 (so the Hessian diagonal is w1 - w2).
 * Fast path: S = S0, w1 holds ex on entry (overwritten in place).
 * Robust path (eta not NULL): S = L, w1 is output only. */
static void forward_pass(const dsv_cox *c, const double *eta, double m, const double *S,
                         const double *rho, double *w1, double *w2)
{
    double a1 = 0.0, a2 = 0.0; /* sums over earlier groups, scaled by S0_g */
    for (int64_t g = 0; g < c->n_groups; g++) {
        if (g) {
            double f = eta ? exp(S[g] - S[g - 1]) : S[g] / S[g - 1];
            a1 *= f;
            a2 *= f * f;
        }
        int64_t p0 = group_start(c, g), d = c->group_nev[g];
        double w[4], inv = eta ? 0.0 : 1.0 / S[g];
        group_weights(c, d, rho[g], w);
        for (int64_t p = p0; p < c->group_end[g]; p++) {
            double u = eta ? exp(eta[c->order[p]] - m - S[g]) : w1[p] * inv;
            int own = p < p0 + d;
            w1[p] = u * (a1 + (own ? w[2] : w[0]));
            if (w2)
                w2[p] = u * u * (a2 + (own ? w[3] : w[1]));
        }
        a1 += w[0];
        a2 += w[1];
    }
}

/* Robust path: l = sum over groups of sum_events (eta - m) - sum_r
 * log(S0 (1 - c_r rho)). */
static double loglik_robust(const dsv_cox *c, const double *eta, double m, const double *L,
                            const double *rho)
{
    double l = 0.0;
    for (int64_t g = 0; g < c->n_groups; g++) {
        int64_t p0 = group_start(c, g), d = c->group_nev[g];
        for (int64_t r = 0; r < d; r++)
            l += eta[c->order[p0 + r]] - m - L[g];
        l += efron_loglik(c, d, rho[g]);
    }
    return l;
}

/* Backward pass and l by the fast path, or the robust one when that
 * underflows (or c->robust_only).  On return *robust tells which: S holds
 * S0 and w1 the exp(eta - m) (fast) or S holds L (robust). */
static double backward(const dsv_cox *c, const double *eta, double m, double *S, double *rho,
                       double *w1, const gram_ctx *gc, int *robust)
{
    double l;
    *robust = c->robust_only || backward_fast(c, eta, m, S, rho, w1, &l, gc);
    if (*robust) {
        if (gc) /* the fast pass may have started on it */
            *gc->nrows = 0;
        backward_robust(c, eta, m, S, rho, gc);
        l = loglik_robust(c, eta, m, S, rho);
    }
    return l;
}

static int all_finite(const double *v, int64_t n)
{
    for (int64_t i = 0; i < n; i++)
        if (!isfinite(v[i]))
            return 0;
    return 1;
}

int dsv_cox_eval(const dsv_cox *c, const double *eta, double *loglik, double *grad,
                 double *hdiag, double *work)
{
    double m;
    if (eta_max(eta, c->n, &m))
        return DESURV_E_NUMERIC;
    double *S = work, *rho = S + c->n_groups, *w1 = rho + c->n_groups, *w2 = w1 + c->n;
    int robust;
    double l = backward(c, eta, m, S, rho, w1, NULL, &robust);
    if (loglik)
        *loglik = l;
    if (!isfinite(l))
        return DESURV_E_NUMERIC;
    if (!grad && !hdiag)
        return DESURV_OK;
    forward_pass(c, robust ? eta : NULL, m, S, rho, w1, hdiag ? w2 : NULL);
    for (int64_t p = 0; p < c->n; p++) {
        int64_t i = c->order[p];
        if (grad)
            grad[i] = c->event[p] - w1[p];
        if (hdiag)
            hdiag[i] = w1[p] - w2[p];
    }
    if ((grad && !all_finite(grad, c->n)) || (hdiag && !all_finite(hdiag, c->n)))
        return DESURV_E_NUMERIC;
    return DESURV_OK;
}

/* The centred scores in sorted order: zs[p k + r] = Z[order[p], r] - c_r
 * with c the column means.  The Cox Hessian annihilates the constant vector
 * (l(eta + t) = l(eta)), so Z^T H Z = (Z - 1 c^T)^T H (Z - 1 c^T) for any c;
 * centring avoids the E[z^2] - E[z]^2 cancellation of uncentred scores. */
static void centred_sorted(const dsv_cox *c, const double *Z, int64_t ldz, int64_t k,
                           double *center, double *zs)
{
    int64_t n = c->n;
    for (int64_t r = 0; r < k; r++) {
        const double *z = Z + r * ldz;
        double s = 0.0;
        for (int64_t i = 0; i < n; i++)
            s += z[i];
        center[r] = s / (double)n;
        for (int64_t p = 0; p < n; p++)
            zs[p * k + r] = z[c->order[p]] - center[r];
    }
}

/* zgrad = Z^T dl/deta, then the centred scores scaled in place by
 * sqrt(w1): their Gram is the diagonal part sum_i w1_i zc_i zc_i^T. */
static void diag_part(const dsv_cox *c, const gram_ctx *gc, const double *w1, double *zgrad)
{
    int64_t k = gc->k;
    double *zs = gc->zs;
    if (zgrad)
        memset(zgrad, 0, (size_t)k * sizeof *zgrad);
    for (int64_t p = 0; p < c->n; p++) {
        double *zc = zs + p * k;
        if (zgrad) /* sum g = 0: centring only removes rounding noise */
            axpy(zgrad, c->event[p] - w1[p], zc, k);
        double f = sqrt(w1[p]); /* w1 >= 0: sums of positive weights */
        for (int64_t v = 0; v < k; v++)
            zc[v] *= f;
    }
}

/* Z^T(-Hess l)Z = sum_i w1_i zc_i zc_i^T - sum_groups x x^T, as two
 * dsyrk calls on the k x n scaled scores and the k x nrows group rows (the
 * Gram of the Newton beta-step: BLAS-3 instead of n + G rank-1 updates). */
int dsv_cox_hess_gram(const dsv_cox *c, const double *eta, const double *Z, int64_t ldz,
                      int64_t k, double *loglik, double *zgrad, double *out, double *work)
{
    double m;
    if (eta_max(eta, c->n, &m))
        return DESURV_E_NUMERIC;
    double *S = work, *rho = S + c->n_groups, *w1 = rho + c->n_groups;
    double *zs = w1 + 2 * c->n, *center = zs + c->n * k, *mu = center + k, *vsum = mu + k;
    double *esum = vsum + k, *rows = esum + k;
    int64_t nrows = 0;
    gram_ctx gc = {zs, k, vsum, esum, mu, rows, &nrows};
    centred_sorted(c, Z, ldz, k, center, zs);
    int robust;
    double l = backward(c, eta, m, S, rho, w1, &gc, &robust);
    if (loglik)
        *loglik = l;
    forward_pass(c, robust ? eta : NULL, m, S, rho, w1, NULL);
    diag_part(c, &gc, w1, zgrad);
    cblas_dsyrk(CblasColMajor, CblasUpper, CblasNoTrans, (int)k, (int)c->n, 1.0, zs, (int)k, 0.0,
                out, (int)k);
    if (nrows > 0)
        cblas_dsyrk(CblasColMajor, CblasUpper, CblasNoTrans, (int)k, (int)nrows, -1.0, rows,
                    (int)k, 1.0, out, (int)k);
    for (int64_t v = 0; v < k; v++)
        for (int64_t u = 0; u < v; u++)
            out[v + u * k] = out[u + v * k];
    if (!isfinite(l) || (zgrad && !all_finite(zgrad, k)) || !all_finite(out, k * k))
        return DESURV_E_NUMERIC;
    return DESURV_OK;
}

/* One group's share of l(eta + deta) - l(eta): sum over its events of
 * deta - sum_r log(S'_r / S_r), where S'_r / S_r = 1 + (tau - c_r tauE) /
 * (1 - c_r rho) with tau = T / S0, tauE = T_E / S0 and T = sum e^eta
 * expm1(deta) over the risk set (T_E over the group's events). */
static double delta_group(const dsv_cox *c, int64_t d, double tau, double taue, double rho)
{
    if (!efron_group(c, d))
        return -(double)d * log1p(tau);
    double s = 0.0;
    for (int64_t r = 0; r < d; r++) {
        double cr = tie_frac(c, r, d);
        s -= log1p((tau - cr * taue) / (1.0 - cr * rho));
    }
    return s;
}

/* dsv_cox_delta by plain sums of exp(eta - m); nonzero when the last risk
 * set underflows (as backward_fast). */
static int delta_fast(const dsv_cox *c, const double *eta, double m, const double *deta,
                      double *dl)
{
    double acc = 0.0, T = 0.0, total = 0.0;
    for (int64_t g = c->n_groups - 1; g >= 0; g--) {
        int64_t p0 = group_start(c, g), d = c->group_nev[g];
        double se = 0.0, TE = 0.0;
        for (int64_t p = p0; p < c->group_end[g]; p++) {
            int64_t i = c->order[p];
            double e = exp(eta[i] - m), et = e * expm1(deta[i]);
            acc += e;
            T += et;
            if (p < p0 + d) {
                se += e;
                TE += et;
                total += deta[i];
            }
        }
        if (g == c->n_groups - 1 && !(acc >= S0_TINY))
            return 1;
        if (!d)
            continue;
        double inv = 1.0 / acc;
        total += delta_group(c, d, T * inv, TE * inv, min1(se * inv));
    }
    *dl = total;
    return 0;
}

int dsv_cox_delta(const dsv_cox *c, const double *eta, const double *deta, double *dl)
{
    double m, total = 0.0;
    if (eta_max(eta, c->n, &m))
        return DESURV_E_NUMERIC;
    if (!c->robust_only && !delta_fast(c, eta, m, deta, dl))
        return isfinite(*dl) ? DESURV_OK : DESURV_E_NUMERIC;
    /* Same running-maximum sums as backward_robust, with T carried in the
     * scale of S0 as the one-dimensional "vector" of lse_add. */
    lse_acc acc = {-INFINITY, 0.0};
    double T = 0.0;
    for (int64_t g = c->n_groups - 1; g >= 0; g--) {
        int64_t p0 = group_start(c, g), d = c->group_nev[g];
        lse_acc ev = {-INFINITY, 0.0};
        double TE = 0.0;
        for (int64_t p = p0; p < c->group_end[g]; p++) {
            int64_t i = c->order[p];
            double x = eta[i] - m, em1 = expm1(deta[i]);
            lse_add(&acc, x, &T, &em1, 1);
            if (p < p0 + d) {
                lse_add(&ev, x, &TE, &em1, 1);
                total += deta[i];
            }
        }
        if (!d)
            continue;
        double rel = exp(ev.mx - acc.mx) / acc.s;
        double rho = min1(rel * ev.s);
        total += delta_group(c, d, T / acc.s, TE * rel, rho);
    }
    *dl = total;
    return isfinite(total) ? DESURV_OK : DESURV_E_NUMERIC;
}
