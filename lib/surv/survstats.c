/* survstats.c - downstream survival summaries (doc/model.md section 10):
 * Kaplan-Meier curve, k-group log-rank test, univariate Cox fit.
 *
 * All three match R's survival package with default settings (survfit,
 * survdiff, coxph); the formulas are documented in desurv.h.  The one sort
 * by time they need is dsv_cox_init's (cox.h): samples sorted by time with
 * the events of a tie group first, group_end[] delimiting the groups.
 *
 * desurv_cox1 reproduces coxph's Newton-Raphson (survival's coxfit6.c)
 * step by step: start at 0, Newton step u / I, accept the first iterate
 * whose log-likelihood differs from the best previous one by <= 1e-9
 * relative, otherwise step back towards the last accepted point
 * ("halving") when the likelihood went down.  The likelihood, score and
 * information come from dsv_cox_hess_gram (Breslow or Efron).  coxph's
 * centring and scaling of the covariate leave the iterates unchanged (the
 * Newton iteration is affine invariant); we centre x to keep eta small.
 * The two cases where no finite estimate exists are detected exactly
 * beforehand rather than by watching the iteration diverge. */
#include "surv/survstats.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "surv/cox.h"
#include "desurv/desurv.h"
#include "base/validate.h"

/* qnorm(0.975) as R prints it with 16 digits. */
#define Z975 1.959963984540054

/* ---- special functions -------------------------------------------------- */

double dsv_log_gamma(double a)
{
    /* Gamma(a) = Gamma(a + m) / (a (a+1) ... (a+m-1)). */
    double prod = 1.0;
    while (a < 10.0) {
        prod *= a;
        a += 1.0;
    }
    double r = 1.0 / a, r2 = r * r;
    /* Stirling: sum B_2k / (2k (2k-1) a^(2k-1)), k = 1..8; the next term
     * is below 3e-17 for a >= 10. */
    double series =
        r * (1.0 / 12 +
             r2 * (-1.0 / 360 +
                   r2 * (1.0 / 1260 +
                         r2 * (-1.0 / 1680 +
                               r2 * (1.0 / 1188 +
                                     r2 * (-691.0 / 360360 +
                                           r2 * (1.0 / 156 + r2 * (-3617.0 / 122400))))))));
    return (a - 0.5) * log(a) - a + 0.918938533204672741780329736406 + series - log(prod);
}

double dsv_gamma_q(double a, double x)
{
    if (!(x > 0))
        return 1.0;
    if (isinf(x))
        return 0.0;
    double lpre = a * log(x) - x - dsv_log_gamma(a); /* log(x^a e^-x / Gamma(a)) */
    if (x < a + 1.0) {
        /* P(a, x) = x^a e^-x / Gamma(a + 1) sum_k x^k / ((a+1)...(a+k)). */
        double ap = a, del = 1.0 / a, sum = del;
        for (int i = 0; i < 100000; i++) {
            ap += 1.0;
            del *= x / ap;
            sum += del;
            if (fabs(del) < fabs(sum) * DBL_EPSILON)
                break;
        }
        return 1.0 - sum * exp(lpre);
    }
    /* Q(a, x) = x^a e^-x / Gamma(a) * 1/(x+1-a- 1(1-a)/(x+3-a- 2(2-a)/(x+5-a- ...))). */
    const double tiny = 1e-300;
    double b = x + 1.0 - a, c = 1.0 / tiny, d = 1.0 / b, h = d;
    for (int i = 1; i < 100000; i++) {
        double an = -i * (i - a);
        b += 2.0;
        d = an * d + b;
        if (fabs(d) < tiny)
            d = tiny;
        c = b + an / c;
        if (fabs(c) < tiny)
            c = tiny;
        d = 1.0 / d;
        double del = d * c;
        h *= del;
        if (fabs(del - 1.0) < DBL_EPSILON)
            break;
    }
    return exp(lpre) * h;
}

double dsv_chisq_sf(double x, double df)
{
    if (!(df > 0))
        return x > 0 ? 0.0 : 1.0;
    if (!(x > 0))
        return 1.0;
    if (df == 1.0)
        return erfc(sqrt(0.5 * x));
    if (df == 2.0)
        return exp(-0.5 * x);
    return dsv_gamma_q(0.5 * df, 0.5 * x);
}

/* ---- shared helpers ------------------------------------------------------ */

static int64_t group_start(const dsv_cox *c, int64_t g)
{
    return g ? c->group_end[g - 1] : 0;
}

/* Events of time group g (they come first in the group). */
static int64_t group_deaths(const dsv_cox *c, int64_t g)
{
    int64_t p = group_start(c, g), e = c->group_end[g], d = 0;
    while (p + d < e && c->event[p + d])
        d++;
    return d;
}

/* Validation common to the three entry points (pointers checked by the
 * caller).  There is no handle to keep the detailed message in. */
static int check_surv(const double *time, const int32_t *event, int64_t n)
{
    if (n < 1)
        return DESURV_E_DIM;
    char msg[256];
    return dsv_check_survival(msg, sizeof msg, time, event, n, NULL);
}

static int64_t count_events(const int32_t *event, int64_t n)
{
    int64_t e = 0;
    for (int64_t i = 0; i < n; i++)
        e += event[i];
    return e;
}

static void set_nan(double *p)
{
    if (p)
        *p = NAN;
}

/* ---- Kaplan-Meier ------------------------------------------------------- */

int desurv_km(const double *time, const int32_t *event, int64_t n, double *t_out,
              double *surv_out, double *se_out, double *lower_out, double *upper_out,
              int64_t *n_risk_out, int64_t *n_event_out, int64_t *n_censor_out, int64_t cap,
              int64_t *len)
{
    if (!time || !event || !len)
        return DESURV_E_NULL;
    int rc = check_surv(time, event, n);
    if (rc != DESURV_OK)
        return rc;
    dsv_cox c;
    rc = dsv_cox_init(&c, time, event, n, 0);
    if (rc != DESURV_OK)
        return rc;
    int64_t rows = c.n_groups;
    *len = rows;
    if (!t_out && !surv_out && !se_out && !lower_out && !upper_out && !n_risk_out &&
        !n_event_out && !n_censor_out) {
        dsv_cox_free(&c);
        return DESURV_OK;
    }
    int64_t m = cap < 0 ? 0 : cap < rows ? cap : rows;
    int64_t at_risk = n;
    double s = 1.0, v = 0.0; /* S(t) and the Greenwood sum */
    for (int64_t g = 0; g < m; g++) {
        int64_t size = c.group_end[g] - group_start(&c, g), d = group_deaths(&c, g);
        if (d > 0) {
            double nr = (double)at_risk, dd = (double)d;
            s *= (nr - dd) / nr;
            v = d < at_risk ? v + dd / (nr * (nr - dd)) : INFINITY;
        }
        double se = sqrt(v);
        if (t_out)
            t_out[g] = c.time[group_start(&c, g)];
        if (surv_out)
            surv_out[g] = s;
        if (se_out)
            se_out[g] = se;
        /* survfit's log interval: NA (here NaN) where S = 0. */
        if (lower_out)
            lower_out[g] = s > 0 ? exp(log(s) - Z975 * se) : NAN;
        if (upper_out)
            upper_out[g] = s > 0 ? fmin(1.0, exp(log(s) + Z975 * se)) : NAN;
        if (n_risk_out)
            n_risk_out[g] = at_risk;
        if (n_event_out)
            n_event_out[g] = d;
        if (n_censor_out)
            n_censor_out[g] = size - d;
        at_risk -= size;
    }
    dsv_cox_free(&c);
    return m < rows ? DESURV_E_BUFFER : DESURV_OK;
}

/* ---- log-rank ------------------------------------------------------------ */

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* Index of label v in the sorted distinct labels lab[0..g-1]. */
static int64_t label_index(const int32_t *lab, int64_t g, int32_t v)
{
    int64_t lo = 0, hi = g - 1;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (lab[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Quadratic form u^T M^- u of the symmetric positive semidefinite m x m
 * matrix M (leading dimension ld, overwritten) by an LDL^T factorisation
 * whose pivots below tol * max diag are taken as 0 (a generalised inverse,
 * as coxph's cholesky2); *rank receives the number of nonzero pivots.
 * u is overwritten by L^-1 u. */
static double quad_ginv(double *M, int64_t ld, int64_t m, double *u, int64_t *rank)
{
    double dmax = 0.0;
    for (int64_t i = 0; i < m; i++)
        dmax = fmax(dmax, M[i + i * ld]);
    double tol = 1e-11 * dmax;
    int64_t r = 0;
    /* Column i of the strict lower triangle holds L[., i]; the diagonal D. */
    for (int64_t i = 0; i < m; i++) {
        double piv = M[i + i * ld];
        for (int64_t j = 0; j < i; j++)
            piv -= M[i + j * ld] * M[i + j * ld] * M[j + j * ld];
        if (!(piv > tol) || dmax <= 0) {
            M[i + i * ld] = 0.0;
            for (int64_t k = i + 1; k < m; k++)
                M[k + i * ld] = 0.0;
            continue;
        }
        M[i + i * ld] = piv;
        r++;
        for (int64_t k = i + 1; k < m; k++) {
            double s = M[k + i * ld];
            for (int64_t j = 0; j < i; j++)
                s -= M[k + j * ld] * M[i + j * ld] * M[j + j * ld];
            M[k + i * ld] = s / piv;
        }
    }
    double q = 0.0;
    for (int64_t i = 0; i < m; i++) {
        for (int64_t j = 0; j < i; j++)
            u[i] -= M[i + j * ld] * u[j];
        if (M[i + i * ld] > 0)
            q += u[i] * u[i] / M[i + i * ld];
    }
    *rank = r;
    return q;
}

/* Accumulate observed, expected and the variance matrix V (g x g, lower
 * triangle) over the distinct event times; at_risk[k] starts as the group
 * sizes and is consumed. */
static void logrank_sums(const dsv_cox *c, const int64_t *gidx, int64_t g, int64_t *at_risk,
                         double *obs, double *expd, double *V)
{
    int64_t n_at = c->n;
    for (int64_t t = 0; t < c->n_groups; t++) {
        int64_t p0 = group_start(c, t), p1 = c->group_end[t], d = group_deaths(c, t);
        if (d > 0) {
            double nr = (double)n_at, dd = (double)d;
            for (int64_t p = p0; p < p0 + d; p++)
                obs[gidx[c->order[p]]] += 1.0;
            double w = n_at > 1 ? dd * (nr - dd) / (nr - 1.0) : 0.0;
            for (int64_t k = 0; k < g; k++) {
                if (!at_risk[k])
                    continue;
                double pk = (double)at_risk[k] / nr;
                expd[k] += dd * pk;
                if (w == 0.0)
                    continue;
                V[k + k * g] += w * pk * (1.0 - pk);
                for (int64_t l = 0; l < k; l++)
                    if (at_risk[l])
                        V[k + l * g] -= w * pk * (double)at_risk[l] / nr;
            }
        }
        for (int64_t p = p0; p < p1; p++)
            at_risk[gidx[c->order[p]]]--;
        n_at -= p1 - p0;
    }
}

/* chisq and df from the sums, as survdiff: groups with expected 0 are left
 * out, then the first remaining one. */
static int logrank_test(const double *obs, const double *expd, const double *V, int64_t g,
                        double *chisq, int64_t *df)
{
    int64_t *keep = malloc((size_t)g * sizeof *keep);
    if (!keep)
        return DESURV_E_NOMEM;
    int64_t na = 0;
    for (int64_t k = 0; k < g; k++)
        if (expd[k] > 0)
            keep[na++] = k;
    *chisq = 0.0;
    *df = 0;
    if (na >= 2) {
        int64_t m = na - 1;
        double *M = malloc((size_t)(m * m + m) * sizeof *M);
        if (!M) {
            free(keep);
            return DESURV_E_NOMEM;
        }
        double *u = M + m * m;
        for (int64_t i = 0; i < m; i++) {
            int64_t a = keep[i + 1];
            u[i] = obs[a] - expd[a];
            for (int64_t j = 0; j <= i; j++) {
                int64_t b = keep[j + 1]; /* b <= a: lower triangle of V */
                M[i + j * m] = M[j + i * m] = V[a + b * g];
            }
        }
        *chisq = fmax(0.0, quad_ginv(M, m, m, u, df));
        free(M);
    }
    free(keep);
    return DESURV_OK;
}

/* Sorted distinct labels into *lab (allocated), count into *g. */
static int distinct_labels(const int32_t *group, int64_t n, int32_t **lab, int64_t *g)
{
    int32_t *s = malloc((size_t)n * sizeof *s);
    if (!s)
        return DESURV_E_NOMEM;
    memcpy(s, group, (size_t)n * sizeof *s);
    qsort(s, (size_t)n, sizeof *s, cmp_i32);
    int64_t m = 0;
    for (int64_t i = 0; i < n; i++)
        if (i == 0 || s[i] != s[m - 1])
            s[m++] = s[i];
    *lab = s;
    *g = m;
    return DESURV_OK;
}

int desurv_logrank(const double *time, const int32_t *event, const int32_t *group, int64_t n,
                   double *chisq, int64_t *df, double *p_value, int32_t *labels_out,
                   double *observed, double *expected, int64_t cap_groups, int64_t *n_groups)
{
    if (!time || !event || !group || !n_groups)
        return DESURV_E_NULL;
    int rc = check_surv(time, event, n);
    if (rc != DESURV_OK)
        return rc;
    int32_t *lab = NULL;
    int64_t g = 0;
    rc = distinct_labels(group, n, &lab, &g);
    if (rc != DESURV_OK)
        return rc;
    *n_groups = g;
    if (g < 2) {
        free(lab);
        return DESURV_E_DIM;
    }
    if (count_events(event, n) == 0) {
        free(lab);
        return DESURV_E_NO_EVENTS;
    }
    dsv_cox c;
    int64_t *gidx = malloc((size_t)n * sizeof *gidx);
    int64_t *at_risk = calloc((size_t)g, sizeof *at_risk);
    double *sums = calloc((size_t)(2 * g + g * g), sizeof *sums);
    rc = gidx && at_risk && sums ? dsv_cox_init(&c, time, event, n, 0) : DESURV_E_NOMEM;
    if (rc != DESURV_OK) {
        free(lab);
        free(gidx);
        free(at_risk);
        free(sums);
        return rc;
    }
    double *obs = sums, *expd = sums + g, *V = sums + 2 * g;
    for (int64_t i = 0; i < n; i++) {
        gidx[i] = label_index(lab, g, group[i]);
        at_risk[gidx[i]]++;
    }
    logrank_sums(&c, gidx, g, at_risk, obs, expd, V);
    dsv_cox_free(&c);
    double x2 = 0.0;
    int64_t dof = 0;
    rc = logrank_test(obs, expd, V, g, &x2, &dof);
    if (rc == DESURV_OK) {
        if (chisq)
            *chisq = x2;
        if (df)
            *df = dof;
        if (p_value)
            *p_value = dsv_chisq_sf(x2, (double)dof);
        if (labels_out || observed || expected) {
            int64_t m = cap_groups < 0 ? 0 : cap_groups < g ? cap_groups : g;
            for (int64_t k = 0; k < m; k++) {
                if (labels_out)
                    labels_out[k] = lab[k];
                if (observed)
                    observed[k] = obs[k];
                if (expected)
                    expected[k] = expd[k];
            }
            if (m < g)
                rc = DESURV_E_BUFFER;
        }
    }
    free(lab);
    free(gidx);
    free(at_risk);
    free(sums);
    return rc;
}

/* ---- univariate Cox ------------------------------------------------------ */

/* Largest and smallest x over each event's risk set (a suffix of the sorted
 * order): *up = every event has the maximum, *down = every one the minimum.
 * Both: x is constant on every risk set (no information).  One of them:
 * the log-likelihood is monotone in beta, the estimate infinite. */
static void monotone_check(const dsv_cox *c, const double *x, int *up, int *down)
{
    double hi = -INFINITY, lo = INFINITY;
    *up = *down = 1;
    for (int64_t g = c->n_groups - 1; g >= 0; g--) {
        int64_t p0 = group_start(c, g);
        for (int64_t p = p0; p < c->group_end[g]; p++) {
            hi = fmax(hi, x[c->order[p]]);
            lo = fmin(lo, x[c->order[p]]);
        }
        for (int64_t p = p0; p < p0 + group_deaths(c, g); p++) {
            double xi = x[c->order[p]];
            if (xi < hi)
                *up = 0;
            if (xi > lo)
                *down = 0;
        }
    }
}

typedef struct cox1_ctx {
    const dsv_cox *c;
    const double *xc; /* centred covariate, original order */
    double *eta, *work;
} cox1_ctx;

/* l, score u and information I at beta. */
static int cox1_eval(const cox1_ctx *k, double beta, double *l, double *u, double *info)
{
    int64_t n = k->c->n;
    for (int64_t i = 0; i < n; i++)
        k->eta[i] = beta * k->xc[i];
    int rc = dsv_cox_hess_gram(k->c, k->eta, k->xc, n, 1, l, u, info, k->work);
    if (rc == DESURV_OK && !(isfinite(*l) && isfinite(*u) && isfinite(*info) && *info > 0))
        rc = DESURV_E_NUMERIC;
    return rc;
}

/* coxfit6's iteration (see the file comment).  On success *beta, *l and
 * *info are those of the returned estimate. */
static int cox1_newton(const cox1_ctx *k, double *beta, double *l, double *info, double l0,
                       double u0, double info0)
{
    const double eps = 1e-9;
    const int maxit = 50;
    double b = 0.0, lbest = l0, nb = u0 / info0;
    int halving = 0;
    for (int it = 1; it <= maxit; it++) {
        double nl = NAN, u = NAN, inf = NAN;
        int ok = cox1_eval(k, nb, &nl, &u, &inf) == DESURV_OK;
        if (ok && fabs(1.0 - lbest / nl) <= eps) {
            *beta = nb;
            *l = nl;
            *info = inf;
            return DESURV_OK;
        }
        if (!ok || nl < lbest) {
            halving++;
            nb = (nb + halving * b) / (halving + 1.0);
        } else {
            halving = 0;
            lbest = nl;
            b = nb;
            nb += u / inf;
        }
    }
    return DESURV_E_NUMERIC;
}

typedef struct cox1_out {
    double *coef, *se, *hr, *hr_lo, *hr_hi, *p_wald, *loglik0, *loglik;
} cox1_out;

static void cox1_write(const cox1_out *o, double beta, double info, double l)
{
    double se = sqrt(1.0 / info);
    if (o->coef)
        *o->coef = beta;
    if (o->se)
        *o->se = se;
    if (o->hr)
        *o->hr = exp(beta);
    if (o->hr_lo)
        *o->hr_lo = exp(beta - Z975 * se);
    if (o->hr_hi)
        *o->hr_hi = exp(beta + Z975 * se);
    if (o->p_wald)
        *o->p_wald = erfc(fabs(beta / se) / sqrt(2.0));
    if (o->loglik)
        *o->loglik = l;
}

static int cox1_fit(const dsv_cox *c, const double *x, const cox1_out *o)
{
    int64_t n = c->n;
    int up, down;
    monotone_check(c, x, &up, &down);
    if (up && down)
        return DESURV_E_NUMERIC; /* no information; coef stays NaN */
    double *buf = malloc((size_t)(2 * n + dsv_cox_work_size(c, 1)) * sizeof *buf);
    if (!buf)
        return DESURV_E_NOMEM;
    double mean = 0.0;
    for (int64_t i = 0; i < n; i++)
        mean += x[i];
    mean /= (double)n;
    double *xc = buf;
    for (int64_t i = 0; i < n; i++)
        xc[i] = x[i] - mean;
    cox1_ctx k = {c, xc, buf + n, buf + 2 * n};
    for (int64_t i = 0; i < n; i++)
        k.eta[i] = 0.0;
    double l0, u0, info0;
    int rc = dsv_cox_hess_gram(c, k.eta, xc, n, 1, &l0, &u0, &info0, k.work);
    if (rc == DESURV_OK && o->loglik0)
        *o->loglik0 = l0;
    if (rc == DESURV_OK && (up || down)) {
        double b = up ? INFINITY : -INFINITY;
        if (o->coef)
            *o->coef = b;
        if (o->hr)
            *o->hr = exp(b);
        rc = DESURV_E_NUMERIC;
    } else if (rc == DESURV_OK && !(info0 > 0 && isfinite(info0))) {
        rc = DESURV_E_NUMERIC;
    } else if (rc == DESURV_OK) {
        double beta, l, info;
        rc = cox1_newton(&k, &beta, &l, &info, l0, u0, info0);
        if (rc == DESURV_OK)
            cox1_write(o, beta, info, l);
    }
    free(buf);
    return rc;
}

int desurv_cox1(const double *time, const int32_t *event, const double *x, int64_t n, int ties,
                double *coef, double *se, double *hr, double *hr_lo, double *hr_hi,
                double *p_wald, double *loglik0, double *loglik)
{
    if (!time || !event || !x)
        return DESURV_E_NULL;
    if (n < 1)
        return DESURV_E_DIM;
    if (ties != DESURV_TIES_BRESLOW && ties != DESURV_TIES_EFRON)
        return DESURV_E_RANGE;
    int rc = check_surv(time, event, n);
    if (rc != DESURV_OK)
        return rc;
    char msg[256];
    rc = dsv_check_finite(msg, sizeof msg, "x", x, n);
    if (rc != DESURV_OK)
        return rc;
    if (count_events(event, n) == 0)
        return DESURV_E_NO_EVENTS;
    cox1_out o = {coef, se, hr, hr_lo, hr_hi, p_wald, loglik0, loglik};
    set_nan(coef);
    set_nan(se);
    set_nan(hr);
    set_nan(hr_lo);
    set_nan(hr_hi);
    set_nan(p_wald);
    set_nan(loglik0);
    set_nan(loglik);
    dsv_cox c;
    rc = dsv_cox_init(&c, time, event, n, ties);
    if (rc != DESURV_OK)
        return rc;
    rc = cox1_fit(&c, x, &o);
    dsv_cox_free(&c);
    return rc;
}
