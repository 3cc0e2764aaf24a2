/* cox.c - Cox log partial likelihood, gradient and Hessian, O(n) per call.
 *
 * Layout after dsv_cox_init: samples sorted by (time ascending, events
 * before censorings, original index) so that every tie group (equal time)
 * is contiguous and its events occupy the first D_g positions of the group.
 * The risk set of group g is every sample in groups g, g+1, ...: a suffix of
 * the sorted order, so all risk-set sums are backward cumulative sums.
 *
 * Numerical scheme.  eta is first shifted by its maximum (l is invariant to
 * a constant shift, and working near 0 keeps eta_j - log S0 accurate).  The
 * backward sums are kept as (running max mx, sum of exp(eta - mx)) so a risk
 * set whose members are all far below the global maximum does not underflow
 * to 0.  L_g = log S0_g is then exact to rounding.  Forward cumulative sums
 * of 1/S0 are kept scaled by exp(L_g) (L_g is non-increasing in g, so the
 * rescaling factors are <= 1 and nothing overflows); a sample's weight is
 * exp(eta_i - L_g) <= 1 times that scaled sum.
 *
 * Efron.  For a group with D events and event weight ratio rho = S_E / S0
 * (S_E = sum of exp(eta) over the group's events) the r-th denominator is
 * S0 (1 - c_r rho), c_r = r / D, r = 0..D-1.  A sample at risk gets weight 1
 * in each, an event of the group itself weight 1 - c_r.  Breslow is the
 * special case c_r = 0.
 */
#include "cox.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

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
    if (!key || !c->order || !c->time || !c->event || !c->group_end) {
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
    /* L and rho per group, two weights per sample, four k-vectors. */
    return 2 * c->n_groups + 2 * c->n + 4 * (k > 0 ? k : 0) + 1;
}

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

static int64_t group_events(const dsv_cox *c, int64_t g)
{
    int64_t p = group_start(c, g), e = c->group_end[g], d = 0;
    while (p + d < e && c->event[p + d])
        d++;
    return d;
}

/* Efron fraction c_r = r / D of the group's events removed from the r-th
 * denominator; 0 for Breslow. */
static double tie_frac(const dsv_cox *c, int64_t r, int64_t d)
{
    return c->ties ? (double)r / (double)d : 0.0;
}

/* Optional Gram accumulation in the backward pass (NULL zc: none). */
typedef struct gram_ctx {
    const double *Z, *center;
    int64_t ldz, k;
    double *zc, *vsum, *esum, *out;
} gram_ctx;

/* Row i of Z minus the column centre, into zc. */
static void centred_row(const gram_ctx *gc, int64_t i)
{
    for (int64_t r = 0; r < gc->k; r++)
        gc->zc[r] = gc->Z[i + r * gc->ldz] - gc->center[r];
}

/* out -= sum_r x_r x_r^T, x_r = (mu - c_r eps) / (1 - c_r rho): the
 * outer-product part of the Hessian contributed by one event group, where
 * mu = Z^T(risk-set weights)/S0 and eps = Z^T(event weights)/S0. */
static void gram_group(const dsv_cox *c, const gram_ctx *gc, int64_t d, double rho, double s,
                       double emx_rel)
{
    double a = 0, bb = 0, g = 0;
    for (int64_t r = 0; r < d; r++) {
        double cr = tie_frac(c, r, d), q = 1.0 / (1.0 - cr * rho);
        a += q * q;
        bb += cr * q * q;
        g += cr * cr * q * q;
    }
    int64_t k = gc->k;
    double *mu = gc->vsum, *eps = gc->esum;
    double es = emx_rel / s;
    for (int64_t u = 0; u < k; u++)
        for (int64_t v = u; v < k; v++) {
            double mu_u = mu[u] / s, mu_v = mu[v] / s;
            double e_u = eps[u] * es, e_v = eps[v] * es;
            gc->out[u + v * k] -=
                a * mu_u * mu_v - bb * (mu_u * e_v + e_u * mu_v) + g * e_u * e_v;
        }
}

/* Backward pass over groups: L[g] = log S0_g - m and rho[g] = S_E / S0
 * (0 when the group has no event).  With gc, also subtracts the
 * outer-product part of Z^T(-Hess)Z from gc->out. */
static void backward_pass(const dsv_cox *c, const double *eta, double m, double *L, double *rho,
                          const gram_ctx *gc)
{
    int64_t k = gc ? gc->k : 0;
    lse_acc acc = {-INFINITY, 0.0};
    if (gc)
        memset(gc->vsum, 0, (size_t)k * sizeof *gc->vsum);
    for (int64_t g = c->n_groups - 1; g >= 0; g--) {
        int64_t p0 = group_start(c, g), d = group_events(c, g);
        lse_acc ev = {-INFINITY, 0.0};
        if (gc)
            memset(gc->esum, 0, (size_t)k * sizeof *gc->esum);
        for (int64_t p = p0; p < c->group_end[g]; p++) {
            int64_t i = c->order[p];
            double x = eta[i] - m;
            if (gc)
                centred_row(gc, i);
            lse_add(&acc, x, gc ? gc->vsum : NULL, gc ? gc->zc : NULL, k);
            if (p < p0 + d)
                lse_add(&ev, x, gc ? gc->esum : NULL, gc ? gc->zc : NULL, k);
        }
        L[g] = acc.mx + log(acc.s);
        rho[g] = d ? fmin(1.0, exp(ev.mx - acc.mx) * ev.s / acc.s) : 0.0;
        if (gc && d)
            gram_group(c, gc, d, rho[g], acc.s, exp(ev.mx - acc.mx));
    }
}

/* Scaled per-group weights: with t = 1 - c_r rho,
 * w[0] = sum_r 1/t, w[1] = sum_r 1/t^2       (sample at risk),
 * w[2] = sum_r (1-c_r)/t, w[3] = sum_r ((1-c_r)/t)^2 (event of this group). */
static void group_weights(const dsv_cox *c, int64_t d, double rho, double w[4])
{
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
 * sum_{h,r} w^2/S_hr^2 (so the Hessian diagonal is w1 - w2). */
static void forward_pass(const dsv_cox *c, const double *eta, double m, const double *L,
                         const double *rho, double *w1, double *w2)
{
    double a1 = 0.0, a2 = 0.0; /* sums over earlier groups, scaled by exp(L_g) */
    for (int64_t g = 0; g < c->n_groups; g++) {
        if (g) {
            double f = exp(L[g] - L[g - 1]);
            a1 *= f;
            a2 *= f * f;
        }
        int64_t d = group_events(c, g);
        double w[4];
        group_weights(c, d, rho[g], w);
        for (int64_t p = group_start(c, g); p < c->group_end[g]; p++) {
            double u = exp(eta[c->order[p]] - m - L[g]);
            int own = p < group_start(c, g) + d;
            w1[p] = u * (a1 + (own ? w[2] : w[0]));
            if (w2)
                w2[p] = u * u * (a2 + (own ? w[3] : w[1]));
        }
        a1 += w[0];
        a2 += w[1];
    }
}

/* l = sum over groups of sum_events (eta - m) - sum_r log(S0 (1 - c_r rho)). */
static double loglik_sum(const dsv_cox *c, const double *eta, double m, const double *L,
                         const double *rho)
{
    double l = 0.0;
    for (int64_t g = 0; g < c->n_groups; g++) {
        int64_t p0 = group_start(c, g), d = group_events(c, g);
        for (int64_t r = 0; r < d; r++) {
            l += eta[c->order[p0 + r]] - m - L[g];
            l -= log1p(-tie_frac(c, r, d) * rho[g]);
        }
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
    double *L = work, *rho = L + c->n_groups, *w1 = rho + c->n_groups, *w2 = w1 + c->n;
    backward_pass(c, eta, m, L, rho, NULL);
    double l = loglik_sum(c, eta, m, L, rho);
    if (loglik)
        *loglik = l;
    if (!isfinite(l))
        return DESURV_E_NUMERIC;
    if (!grad && !hdiag)
        return DESURV_OK;
    forward_pass(c, eta, m, L, rho, w1, hdiag ? w2 : NULL);
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

/* Column means of Z.  The Cox Hessian annihilates the constant vector
 * (l(eta + t) = l(eta)), so Z^T H Z = (Z - 1 c^T)^T H (Z - 1 c^T) for any c;
 * centring avoids the E[z^2] - E[z]^2 cancellation of uncentred scores. */
static void column_means(const double *Z, int64_t ldz, int64_t n, int64_t k, double *center)
{
    for (int64_t r = 0; r < k; r++) {
        double s = 0.0;
        for (int64_t i = 0; i < n; i++)
            s += Z[i + r * ldz];
        center[r] = s / (double)n;
    }
}

/* out += sum_i w1_i zc_i zc_i^T (upper triangle); zgrad = Z^T dl/deta. */
static void diag_part(const dsv_cox *c, const gram_ctx *gc, const double *w1, double *zgrad)
{
    int64_t k = gc->k;
    if (zgrad)
        memset(zgrad, 0, (size_t)k * sizeof *zgrad);
    for (int64_t p = 0; p < c->n; p++) {
        centred_row(gc, c->order[p]);
        double g = c->event[p] - w1[p];
        for (int64_t v = 0; v < k; v++) {
            double wz = w1[p] * gc->zc[v];
            for (int64_t u = 0; u <= v; u++)
                gc->out[u + v * k] += wz * gc->zc[u];
            if (zgrad) /* sum g = 0: centring only removes rounding noise */
                zgrad[v] += g * gc->zc[v];
        }
    }
}

int dsv_cox_hess_gram(const dsv_cox *c, const double *eta, const double *Z, int64_t ldz,
                      int64_t k, double *loglik, double *zgrad, double *out, double *work)
{
    double m;
    if (eta_max(eta, c->n, &m))
        return DESURV_E_NUMERIC;
    double *L = work, *rho = L + c->n_groups, *w1 = rho + c->n_groups;
    double *center = w1 + 2 * c->n, *zc = center + k, *vsum = zc + k, *esum = vsum + k;
    gram_ctx gc = {Z, center, ldz, k, zc, vsum, esum, out};
    column_means(Z, ldz, c->n, k, center);
    memset(out, 0, (size_t)(k * k) * sizeof *out);
    backward_pass(c, eta, m, L, rho, &gc);
    double l = loglik_sum(c, eta, m, L, rho);
    if (loglik)
        *loglik = l;
    forward_pass(c, eta, m, L, rho, w1, NULL);
    diag_part(c, &gc, w1, zgrad);
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
    double s = 0.0;
    for (int64_t r = 0; r < d; r++) {
        double cr = tie_frac(c, r, d);
        s -= log1p((tau - cr * taue) / (1.0 - cr * rho));
    }
    return s;
}

int dsv_cox_delta(const dsv_cox *c, const double *eta, const double *deta, double *dl)
{
    double m, total = 0.0;
    if (eta_max(eta, c->n, &m))
        return DESURV_E_NUMERIC;
    /* Same running-maximum sums as backward_pass, with T carried in the
     * scale of S0 as the one-dimensional "vector" of lse_add. */
    lse_acc acc = {-INFINITY, 0.0};
    double T = 0.0;
    for (int64_t g = c->n_groups - 1; g >= 0; g--) {
        int64_t p0 = group_start(c, g), d = group_events(c, g);
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
        double rho = fmin(1.0, rel * ev.s);
        total += delta_group(c, d, T / acc.s, TE * rel, rho);
    }
    *dl = total;
    return isfinite(total) ? DESURV_OK : DESURV_E_NUMERIC;
}
