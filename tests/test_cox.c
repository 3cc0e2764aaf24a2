/* test_cox.c - Cox partial likelihood: R goldens, finite differences,
 * a direct O(n^2) long-double reference, stability and edge cases. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "desurv/desurv.h"
#include "surv/cox.h"
#include "design.h"
#include "testutil.h"

/* ---- helpers --------------------------------------------------------- */

static void linpred(const design *d, const double *b, double *eta)
{
    for (int64_t i = 0; i < d->n; i++) {
        eta[i] = 0.0;
        for (int64_t r = 0; r < d->k; r++)
            eta[i] += d->Z[i + r * d->n] * b[r];
    }
}

static double *work_for(const dsv_cox *c, int64_t k)
{
    return malloc((size_t)dsv_cox_work_size(c, k) * sizeof(double));
}

/* Small deterministic generator local to each test (no global state). */
static double unif(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return (double)(*s >> 11) * 0x1.0p-53;
}

/* Direct definition, O(n^2), long double, no sorting: for each distinct
 * event time t, D events, S0 = sum_{y_j >= t} e^eta_j, SE over the events,
 * l += sum eta_events - sum_{r<D} log(S0 - c_r SE). */
static double ref_loglik(const double *time, const int32_t *event, const double *eta, int64_t n,
                         int efron)
{
    long double l = 0.0L;
    for (int64_t i = 0; i < n; i++) {
        if (!event[i])
            continue;
        int first = 1; /* process each event time once, at its first event */
        for (int64_t j = 0; j < i; j++)
            if (event[j] && time[j] == time[i])
                first = 0;
        if (!first)
            continue;
        long double s0 = 0.0L, se = 0.0L, sum_eta = 0.0L;
        int64_t d = 0;
        for (int64_t j = 0; j < n; j++) {
            if (time[j] >= time[i])
                s0 += expl((long double)eta[j]);
            if (event[j] && time[j] == time[i]) {
                se += expl((long double)eta[j]);
                sum_eta += eta[j];
                d++;
            }
        }
        l += sum_eta;
        for (int64_t r = 0; r < d; r++)
            l -= logl(s0 - (efron ? (long double)r / (long double)d : 0.0L) * se);
    }
    return (double)l;
}

static double eval_l(const dsv_cox *c, const double *eta, double *w)
{
    double l = NAN;
    ck_assert_int_eq(dsv_cox_eval(c, eta, &l, NULL, NULL, w), DESURV_OK);
    return l;
}

/* ---- R goldens ------------------------------------------------------- */

static void check_golden(const char *dname, const char *lname)
{
    design d;
    load_design(dname, &d);
    char path[1024];
    tu_table t;
    ck_assert_int_eq(tu_read_tsv(tu_golden_path(lname, path, sizeof path), &t), 0);
    ck_assert_int_ge(t.rows, 3);
    double *eta = malloc((size_t)d.n * sizeof *eta), b[16];
    double maxerr = 0.0;
    for (int ties = 0; ties <= 1; ties++) {
        dsv_cox c;
        ck_assert_int_eq(dsv_cox_init(&c, d.time, d.event, d.n, ties), DESURV_OK);
        double *w = work_for(&c, 0);
        const double *want = tu_colp(&t, tu_col(&t, ties ? "efron" : "breslow"));
        for (int64_t row = 0; row < t.rows; row++) {
            for (int64_t r = 0; r < d.k; r++)
                b[r] = t.data[row + r * t.rows];
            linpred(&d, b, eta);
            double l = eval_l(&c, eta, w);
            double err = fabs(l - want[row]) / fabs(want[row]);
            ck_assert_msg(err <= 1e-10, "%s row %d ties %d: %.17g vs R %.17g", lname, (int)row,
                          ties, l, want[row]);
            /* and the independent direct definition */
            double lr = ref_loglik(d.time, d.event, eta, d.n, ties);
            ck_assert_double_le(fabs(l - lr), 1e-12 * fabs(lr));
            maxerr = fmax(maxerr, err);
        }
        free(w);
        dsv_cox_free(&c);
    }
    if (getenv("DESURV_TEST_VERBOSE"))
        fprintf(stderr, "%s: max rel err vs R %.3g\n", lname, maxerr);
    free(eta);
    tu_table_free(&t);
    design_free(&d);
}

START_TEST(golden_tcga) { check_golden("cox_design_tcga.tsv", "cox_loglik_tcga.tsv"); }
END_TEST

START_TEST(golden_heavy) { check_golden("cox_design_heavy.tsv", "cox_loglik_heavy.tsv"); }
END_TEST

/* ---- derivatives by finite differences -------------------------------- */

/* Gradient vs central differences of l; Hessian diagonal vs central
 * differences of the gradient. */
static void check_fd(const char *dname, int ties)
{
    design d;
    load_design(dname, &d);
    dsv_cox c;
    ck_assert_int_eq(dsv_cox_init(&c, d.time, d.event, d.n, ties), DESURV_OK);
    int64_t n = d.n;
    double *w = work_for(&c, 0), *eta = malloc((size_t)n * sizeof *eta);
    double *g = malloc((size_t)n * sizeof *g), *hd = malloc((size_t)n * sizeof *hd);
    double *gp = malloc((size_t)n * sizeof *gp), *gm = malloc((size_t)n * sizeof *gm);
    double b[8] = {0.3, -0.5, 0.1, 0.2, 0.2, 0.2, 0.2, 0.2}, l;
    linpred(&d, b, eta);
    ck_assert_int_eq(dsv_cox_eval(&c, eta, &l, g, hd, w), DESURV_OK);
    const double h = 1e-5;
    for (int64_t i = 0; i < n; i++) {
        double e0 = eta[i];
        eta[i] = e0 + h;
        double lp = eval_l(&c, eta, w);
        ck_assert_int_eq(dsv_cox_eval(&c, eta, NULL, gp, NULL, w), DESURV_OK);
        eta[i] = e0 - h;
        double lm = eval_l(&c, eta, w);
        ck_assert_int_eq(dsv_cox_eval(&c, eta, NULL, gm, NULL, w), DESURV_OK);
        eta[i] = e0;
        ck_assert_msg(fabs((lp - lm) / (2 * h) - g[i]) <= 1e-6, "grad %d: %g vs fd %g", (int)i,
                      g[i], (lp - lm) / (2 * h));
        double fd = -(gp[i] - gm[i]) / (2 * h);
        ck_assert_msg(fabs(fd - hd[i]) <= 1e-8, "hdiag %d: %g vs fd %g", (int)i, hd[i], fd);
    }
    free(w), free(eta), free(g), free(hd), free(gp), free(gm);
    dsv_cox_free(&c);
    design_free(&d);
}

START_TEST(fd_breslow) { check_fd("cox_design_tcga.tsv", 0); check_fd("cox_design_heavy.tsv", 0); }
END_TEST

START_TEST(fd_efron) { check_fd("cox_design_tcga.tsv", 1); check_fd("cox_design_heavy.tsv", 1); }
END_TEST

/* With Z = identity, hess_gram returns the full n x n negative Hessian.
 * Every column is checked against central differences of the gradient,
 * its diagonal against dsv_cox_eval's hdiag. */
static void check_full_hessian(int ties)
{
    design d;
    load_design("cox_design_heavy.tsv", &d);
    int64_t n = d.n;
    dsv_cox c;
    ck_assert_int_eq(dsv_cox_init(&c, d.time, d.event, d.n, ties), DESURV_OK);
    double *w = work_for(&c, n), *I = calloc((size_t)(n * n), sizeof *I);
    double *H = malloc((size_t)(n * n) * sizeof *H), *zg = malloc((size_t)n * sizeof *zg);
    double *eta = malloc((size_t)n * sizeof *eta), *g = malloc((size_t)n * sizeof *g);
    double *hd = malloc((size_t)n * sizeof *hd), *gp = malloc((size_t)n * sizeof *gp);
    double *gm = malloc((size_t)n * sizeof *gm), b[2] = {0.7, -0.4}, l, l2;
    for (int64_t i = 0; i < n; i++)
        I[i + i * n] = 1.0;
    linpred(&d, b, eta);
    ck_assert_int_eq(dsv_cox_hess_gram(&c, eta, I, n, n, &l, zg, H, w), DESURV_OK);
    ck_assert_int_eq(dsv_cox_eval(&c, eta, &l2, g, hd, w), DESURV_OK);
    ck_assert_double_le(fabs(l - l2), 1e-13 * fabs(l2));
    const double h = 1e-5;
    for (int64_t j = 0; j < n; j++) {
        ck_assert_double_le(fabs(zg[j] - g[j]), 1e-13);
        ck_assert_double_le(fabs(H[j + j * n] - hd[j]), 1e-13);
        double e0 = eta[j];
        eta[j] = e0 + h;
        ck_assert_int_eq(dsv_cox_eval(&c, eta, NULL, gp, NULL, w), DESURV_OK);
        eta[j] = e0 - h;
        ck_assert_int_eq(dsv_cox_eval(&c, eta, NULL, gm, NULL, w), DESURV_OK);
        eta[j] = e0;
        for (int64_t i = 0; i < n; i++) {
            double fd = -(gp[i] - gm[i]) / (2 * h);
            ck_assert_msg(fabs(fd - H[i + j * n]) <= 1e-8, "H[%d,%d] %g vs fd %g", (int)i, (int)j,
                          H[i + j * n], fd);
            ck_assert_double_eq(H[i + j * n], H[j + i * n]);
        }
    }
    free(w), free(I), free(H), free(zg), free(eta), free(g), free(hd), free(gp), free(gm);
    dsv_cox_free(&c);
    design_free(&d);
}

START_TEST(full_hessian_breslow) { check_full_hessian(0); }
END_TEST

START_TEST(full_hessian_efron) { check_full_hessian(1); }
END_TEST

/* hess_gram on uncentred, mixed-scale columns vs differences of zgrad in b. */
static void check_gram_fd(int ties)
{
    design d;
    load_design("cox_design_tcga.tsv", &d);
    int64_t n = d.n, k = d.k;
    dsv_cox c;
    ck_assert_int_eq(dsv_cox_init(&c, d.time, d.event, n, ties), DESURV_OK);
    double *w = work_for(&c, k), *eta = malloc((size_t)n * sizeof *eta);
    double *g = malloc((size_t)n * sizeof *g);
    double H[9], Hp[9], zg[3], zp[3], zm[3], b[3] = {1, -2, 0.5}, l, l2;
    linpred(&d, b, eta);
    ck_assert_int_eq(dsv_cox_hess_gram(&c, eta, d.Z, n, k, &l, zg, H, w), DESURV_OK);
    ck_assert_int_eq(dsv_cox_eval(&c, eta, &l2, g, NULL, w), DESURV_OK);
    ck_assert_double_le(fabs(l - l2), 1e-13 * fabs(l2));
    for (int64_t r = 0; r < k; r++) {
        double s = 0.0;
        for (int64_t i = 0; i < n; i++)
            s += d.Z[i + r * n] * g[i];
        ck_assert_double_le(fabs(zg[r] - s), 1e-11 * fmax(1.0, fabs(s)));
    }
    const double h = 1e-6;
    for (int64_t s = 0; s < k; s++) {
        double b0 = b[s];
        b[s] = b0 + h;
        linpred(&d, b, eta);
        ck_assert_int_eq(dsv_cox_hess_gram(&c, eta, d.Z, n, k, NULL, zp, Hp, w), DESURV_OK);
        b[s] = b0 - h;
        linpred(&d, b, eta);
        ck_assert_int_eq(dsv_cox_hess_gram(&c, eta, d.Z, n, k, NULL, zm, Hp, w), DESURV_OK);
        b[s] = b0;
        for (int64_t r = 0; r < k; r++) {
            double fd = -(zp[r] - zm[r]) / (2 * h);
            ck_assert_msg(fabs(fd - H[r + s * k]) <= 1e-6 * fmax(1.0, fabs(fd)),
                          "gram[%d,%d] %.10g vs fd %.10g", (int)r, (int)s, H[r + s * k], fd);
        }
    }
    free(w), free(eta), free(g);
    dsv_cox_free(&c);
    design_free(&d);
}

START_TEST(gram_fd_breslow) { check_gram_fd(0); }
END_TEST

START_TEST(gram_fd_efron) { check_gram_fd(1); }
END_TEST

/* Adding a constant to a column changes neither eta's differences nor the
 * Hessian Gram: scores with a large common offset (X^T W is positive) must
 * give the same Gram, which needs the internal centring. */
START_TEST(gram_shift_invariance)
{
    design d;
    load_design("cox_design_tcga.tsv", &d);
    int64_t n = d.n, k = d.k;
    double *Zs = malloc((size_t)(n * k) * sizeof *Zs), *eta = malloc((size_t)n * sizeof *eta);
    double b[3] = {0.3, -0.5, 0.1}, H[9], Hs[9], zg[3], zgs[3];
    for (int64_t i = 0; i < n * k; i++)
        Zs[i] = d.Z[i] + 1e6;
    linpred(&d, b, eta);
    for (int ties = 0; ties <= 1; ties++) {
        dsv_cox c;
        ck_assert_int_eq(dsv_cox_init(&c, d.time, d.event, n, ties), DESURV_OK);
        double *w = work_for(&c, k);
        ck_assert_int_eq(dsv_cox_hess_gram(&c, eta, d.Z, n, k, NULL, zg, H, w), DESURV_OK);
        ck_assert_int_eq(dsv_cox_hess_gram(&c, eta, Zs, n, k, NULL, zgs, Hs, w), DESURV_OK);
        double hmax = 0.0;
        for (int u = 0; u < 9; u++)
            hmax = fmax(hmax, fabs(H[u]));
        for (int u = 0; u < 9; u++)
            ck_assert_msg(fabs(Hs[u] - H[u]) <= 1e-8 * hmax, "ties %d H[%d]: %.12g vs %.12g",
                          ties, u, Hs[u], H[u]);
        for (int r = 0; r < 3; r++)
            ck_assert_double_le(fabs(zgs[r] - zg[r]), 1e-8 * fmax(1.0, fabs(zg[r])));
        free(w);
        dsv_cox_free(&c);
    }
    free(Zs), free(eta);
    design_free(&d);
}
END_TEST

/* dsv_cox_delta: equals the plain difference for ordinary steps, and for a
 * step s v with s = 1e-8 matches the second-order Taylor expansion
 * s g.v - s^2/2 v^T(-H)v to 1e-4 of its second-order term -- about 1e-19
 * absolute, far below the 1e-14 rounding of l itself, so a plain
 * difference of two evaluations cannot pass this. */
START_TEST(delta_accuracy)
{
    design d;
    load_design("cox_design_heavy.tsv", &d);
    int64_t n = d.n;
    double *eta = malloc((size_t)n * sizeof *eta), *e2 = malloc((size_t)n * sizeof *e2);
    double *v = malloc((size_t)n * sizeof *v), *dv = malloc((size_t)n * sizeof *dv);
    double b[2] = {0.7, -0.4};
    uint64_t s = 4242;
    linpred(&d, b, eta);
    for (int64_t i = 0; i < n; i++)
        v[i] = 2.0 * unif(&s) - 1.0;
    for (int ties = 0; ties <= 1; ties++) {
        dsv_cox c;
        ck_assert_int_eq(dsv_cox_init(&c, d.time, d.event, n, ties), DESURV_OK);
        double *w = work_for(&c, 1), l0 = eval_l(&c, eta, w), dl, gv, vhv;
        for (int64_t i = 0; i < n; i++) {
            dv[i] = 0.3 * v[i];
            e2[i] = eta[i] + dv[i];
        }
        ck_assert_int_eq(dsv_cox_delta(&c, eta, dv, &dl), DESURV_OK);
        ck_assert_double_le(fabs(dl - (eval_l(&c, e2, w) - l0)), 1e-12 * fabs(l0));
        ck_assert_int_eq(dsv_cox_hess_gram(&c, eta, v, n, 1, NULL, &gv, &vhv, w), DESURV_OK);
        const double h = 1e-8;
        for (int64_t i = 0; i < n; i++)
            dv[i] = h * v[i];
        ck_assert_int_eq(dsv_cox_delta(&c, eta, dv, &dl), DESURV_OK);
        double taylor = h * gv - 0.5 * h * h * vhv;
        ck_assert_msg(fabs(dl - taylor) <= 1e-4 * h * h * vhv, "ties %d: %.17g vs %.17g", ties, dl,
                      taylor);
        dv[0] = NAN;
        ck_assert_int_eq(dsv_cox_delta(&c, eta, dv, &dl), DESURV_E_NUMERIC);
        free(w);
        dsv_cox_free(&c);
    }
    free(eta), free(e2), free(v), free(dv);
    design_free(&d);
}
END_TEST

/* ---- stability --------------------------------------------------------- */

/* l, the gradient and the Hessian diagonal do not change when a constant
 * (here +-700, where exp overflows or underflows) is added to eta. */
START_TEST(offset_invariance)
{
    design d;
    load_design("cox_design_tcga.tsv", &d);
    int64_t n = d.n;
    double *eta = malloc((size_t)n * sizeof *eta), *e2 = malloc((size_t)n * sizeof *e2);
    double *g = malloc((size_t)n * sizeof *g), *g2 = malloc((size_t)n * sizeof *g2);
    double *hd = malloc((size_t)n * sizeof *hd), *hd2 = malloc((size_t)n * sizeof *hd2);
    double b[3] = {1, -2, 0.5}, l, l2;
    linpred(&d, b, eta);
    for (int ties = 0; ties <= 1; ties++) {
        dsv_cox c;
        ck_assert_int_eq(dsv_cox_init(&c, d.time, d.event, n, ties), DESURV_OK);
        double *w = work_for(&c, 0);
        ck_assert_int_eq(dsv_cox_eval(&c, eta, &l, g, hd, w), DESURV_OK);
        const double offs[] = {700.0, -700.0, 1e5, -1e5};
        for (int o = 0; o < 4; o++) {
            for (int64_t i = 0; i < n; i++)
                e2[i] = eta[i] + offs[o];
            ck_assert_int_eq(dsv_cox_eval(&c, e2, &l2, g2, hd2, w), DESURV_OK);
            /* adding 1e5 rounds eta to ~1e-11: that much may move l */
            double tol = fabs(offs[o]) > 1e3 ? 1e-8 : 1e-12;
            ck_assert_msg(fabs(l2 - l) <= tol * fabs(l), "offset %g: %.17g vs %.17g", offs[o],
                          l2, l);
            for (int64_t i = 0; i < n; i++) {
                ck_assert_double_le(fabs(g2[i] - g[i]), 100 * tol);
                ck_assert_double_le(fabs(hd2[i] - hd[i]), 100 * tol);
            }
        }
        free(w);
        dsv_cox_free(&c);
    }
    free(eta), free(e2), free(g), free(g2), free(hd), free(hd2);
    design_free(&d);
}
END_TEST

/* eta spread over [-700, 700]: no single shift keeps all exp() in range,
 * the running-maximum sums must.  Compared with the long-double direct
 * definition (its exponent range covers e^+-1400). */
START_TEST(wide_range)
{
    design d;
    load_design("cox_design_tcga.tsv", &d);
    int64_t n = d.n;
    double *eta = malloc((size_t)n * sizeof *eta), *g = malloc((size_t)n * sizeof *g);
    double *hd = malloc((size_t)n * sizeof *hd);
    uint64_t s = 12345;
    for (int rep = 0; rep < 4; rep++) {
        for (int64_t i = 0; i < n; i++)
            eta[i] = rep == 0 ? (i % 2 ? 700.0 : -700.0) : -700.0 + 1400.0 * unif(&s);
        if (rep == 3) /* the latest times carry the smallest eta: tiny late risk sets */
            for (int64_t i = 0; i < n; i++)
                eta[i] = -700.0 + 10.0 * (100.0 - d.time[i]);
        for (int ties = 0; ties <= 1; ties++) {
            dsv_cox c;
            ck_assert_int_eq(dsv_cox_init(&c, d.time, d.event, n, ties), DESURV_OK);
            double *w = work_for(&c, 0), l;
            ck_assert_int_eq(dsv_cox_eval(&c, eta, &l, g, hd, w), DESURV_OK);
            double lr = ref_loglik(d.time, d.event, eta, n, ties);
            ck_assert_msg(fabs(l - lr) <= 1e-12 * fabs(lr), "rep %d ties %d: %.17g vs %.17g", rep,
                          ties, l, lr);
            double gs = 0.0;
            for (int64_t i = 0; i < n; i++) {
                ck_assert(isfinite(g[i]) && isfinite(hd[i]));
                ck_assert_double_ge(hd[i], -1e-12);
                gs += g[i];
            }
            ck_assert_double_le(fabs(gs), 1e-9); /* sum of the gradient is 0 */
            free(w);
            dsv_cox_free(&c);
        }
    }
    free(eta), free(g), free(hd);
    design_free(&d);
}
END_TEST

/* ---- the fast path (plain sums of exp(eta - max)) against the robust
 * running-maximum path, which dsv_cox.robust_only forces ---------------- */

typedef struct cox_out {
    double l, lg, dl, zg[3], H[9];
    double *g, *hd;
} cox_out;

/* Everything dsv_cox computes at eta: l, gradient, Hessian diagonal, the
 * Gram on Z's first k columns (with its own l) and delta for deta. */
static void eval_all(dsv_cox *c, int robust, const double *eta, const double *Z, int64_t k,
                     const double *deta, double *w, cox_out *o)
{
    c->robust_only = robust;
    ck_assert_int_eq(dsv_cox_eval(c, eta, &o->l, o->g, o->hd, w), DESURV_OK);
    ck_assert_int_eq(dsv_cox_hess_gram(c, eta, Z, c->n, k, &o->lg, o->zg, o->H, w), DESURV_OK);
    ck_assert_int_eq(dsv_cox_delta(c, eta, deta, &o->dl), DESURV_OK);
    c->robust_only = 0;
}

/* Fast and robust paths agree to rounding on ordinary inputs (where the
 * fast path is taken) and are identical to the bit when a risk set
 * underflows in the fast path's scale, i.e. the fallback is taken: the
 * latest samples get eta far below the others (a spread of 720 or more;
 * the long-double reference confirms l there). */
static void check_paths(const char *dname)
{
    design d;
    load_design(dname, &d);
    int64_t n = d.n, k = d.k < 3 ? d.k : 3;
    double *eta = malloc((size_t)n * sizeof *eta), *deta = malloc((size_t)n * sizeof *deta);
    cox_out f, r;
    f.g = malloc((size_t)n * sizeof(double)), f.hd = malloc((size_t)n * sizeof(double));
    r.g = malloc((size_t)n * sizeof(double)), r.hd = malloc((size_t)n * sizeof(double));
    double b[3] = {0.8, -1.1, 0.4}, tmax = -INFINITY;
    uint64_t s = 777;
    for (int64_t i = 0; i < n; i++) {
        deta[i] = 0.1 * (2.0 * unif(&s) - 1.0);
        tmax = fmax(tmax, d.time[i]);
    }
    for (int ties = 0; ties <= 1; ties++) {
        dsv_cox c;
        ck_assert_int_eq(dsv_cox_init(&c, d.time, d.event, n, ties), DESURV_OK);
        double *w = work_for(&c, k);
        for (int sc = 0; sc < 5; sc++) {
            linpred(&d, b, eta);
            /* sc 0: as is; 1-2: a trend of -600 and +600 over time (fast
             * path; -600 makes the late risk sets ~e^-600); 3-4: the
             * samples at the latest time pushed 720 (subnormal) and 1e4 below */
            for (int64_t i = 0; i < n; i++) {
                if (sc == 1 || sc == 2)
                    eta[i] += (sc == 1 ? -600.0 : 600.0) * d.time[i] / tmax;
                if (sc >= 3 && d.time[i] == tmax)
                    eta[i] -= sc == 3 ? 720.0 : 1e4;
            }
            eval_all(&c, 0, eta, d.Z, k, deta, w, &f);
            eval_all(&c, 1, eta, d.Z, k, deta, w, &r);
            ck_assert_double_eq(f.l, f.lg);
            ck_assert_double_eq(r.l, r.lg);
            double lr = ref_loglik(d.time, d.event, eta, n, ties);
            ck_assert_msg(fabs(f.l - lr) <= 1e-12 * fabs(lr), "%s ties %d sc %d: %.17g vs %.17g",
                          dname, ties, sc, f.l, lr);
            if (sc >= 3) { /* the fallback: the robust path itself */
                ck_assert_double_eq(f.l, r.l);
                ck_assert_double_eq(f.dl, r.dl);
                for (int64_t i = 0; i < n; i++) {
                    ck_assert_double_eq(f.g[i], r.g[i]);
                    ck_assert_double_eq(f.hd[i], r.hd[i]);
                }
                for (int64_t u = 0; u < k * k; u++)
                    ck_assert_double_eq(f.H[u], r.H[u]);
                continue;
            }
            ck_assert_double_le(fabs(f.l - r.l), 1e-13 * fabs(r.l));
            ck_assert_double_le(fabs(f.dl - r.dl), 1e-13 * fmax(1.0, fabs(r.dl)));
            for (int64_t i = 0; i < n; i++) {
                ck_assert_double_le(fabs(f.g[i] - r.g[i]), 1e-13);
                ck_assert_double_le(fabs(f.hd[i] - r.hd[i]), 1e-13);
            }
            double hmax = 0.0;
            for (int64_t u = 0; u < k * k; u++)
                hmax = fmax(hmax, fabs(r.H[u]));
            for (int64_t u = 0; u < k * k; u++)
                ck_assert_double_le(fabs(f.H[u] - r.H[u]), 1e-12 * hmax);
            for (int64_t u = 0; u < k; u++)
                ck_assert_double_le(fabs(f.zg[u] - r.zg[u]), 1e-12 * fmax(1.0, fabs(r.zg[u])));
        }
        free(w);
        dsv_cox_free(&c);
    }
    free(eta), free(deta), free(f.g), free(f.hd), free(r.g), free(r.hd);
    design_free(&d);
}

START_TEST(fast_vs_robust)
{
    check_paths("cox_design_tcga.tsv");
    check_paths("cox_design_heavy.tsv");
}
END_TEST

/* Random heavily tied designs (times on a few values including 0) against
 * the direct definition; also checks that the sample order does not matter. */
START_TEST(random_vs_direct)
{
    uint64_t s = 987654321;
    for (int rep = 0; rep < 30; rep++) {
        int64_t n = 1 + (int64_t)(unif(&s) * 40);
        double *t = malloc((size_t)n * sizeof *t), *eta = malloc((size_t)n * sizeof *eta);
        int32_t *e = malloc((size_t)n * sizeof *e);
        int nvals = 1 + (int)(unif(&s) * 6);
        for (int64_t i = 0; i < n; i++) {
            t[i] = (double)(int)(unif(&s) * nvals);
            e[i] = unif(&s) < 0.6;
            eta[i] = 4.0 * (unif(&s) - 0.5);
        }
        e[n - 1] = 1;
        for (int ties = 0; ties <= 1; ties++) {
            dsv_cox c;
            ck_assert_int_eq(dsv_cox_init(&c, t, e, n, ties), DESURV_OK);
            double *w = work_for(&c, 0);
            double l = eval_l(&c, eta, w), lr = ref_loglik(t, e, eta, n, ties);
            ck_assert_msg(fabs(l - lr) <= 1e-12 * fmax(1.0, fabs(lr)), "rep %d: %.17g vs %.17g",
                          rep, l, lr);
            free(w);
            dsv_cox_free(&c);
        }
        free(t), free(eta), free(e);
    }
}
END_TEST

START_TEST(permutation_invariance)
{
    design d;
    load_design("cox_design_heavy.tsv", &d);
    int64_t n = d.n;
    double *eta = malloc((size_t)n * sizeof *eta), *g = malloc((size_t)n * sizeof *g);
    double *pt = malloc((size_t)n * sizeof *pt), *pe = malloc((size_t)n * sizeof *pe);
    double *pg = malloc((size_t)n * sizeof *pg);
    int32_t *pev = malloc((size_t)n * sizeof *pev);
    int64_t *perm = malloc((size_t)n * sizeof *perm);
    double b[2] = {-2, 3};
    linpred(&d, b, eta);
    /* reverse order then a rotation: moves every tie group around */
    for (int64_t i = 0; i < n; i++)
        perm[i] = (n - 1 - i + 17) % n;
    for (int64_t i = 0; i < n; i++) {
        pt[i] = d.time[perm[i]];
        pev[i] = d.event[perm[i]];
        pe[i] = eta[perm[i]];
    }
    for (int ties = 0; ties <= 1; ties++) {
        dsv_cox c, pc;
        ck_assert_int_eq(dsv_cox_init(&c, d.time, d.event, n, ties), DESURV_OK);
        ck_assert_int_eq(dsv_cox_init(&pc, pt, pev, n, ties), DESURV_OK);
        double *w = work_for(&c, 0), l, pl;
        ck_assert_int_eq(dsv_cox_eval(&c, eta, &l, g, NULL, w), DESURV_OK);
        ck_assert_int_eq(dsv_cox_eval(&pc, pe, &pl, pg, NULL, w), DESURV_OK);
        ck_assert_double_le(fabs(l - pl), 1e-12 * fabs(l));
        for (int64_t i = 0; i < n; i++)
            ck_assert_double_le(fabs(pg[i] - g[perm[i]]), 1e-12);
        free(w);
        dsv_cox_free(&c);
        dsv_cox_free(&pc);
    }
    free(eta), free(g), free(pt), free(pe), free(pg), free(pev), free(perm);
    design_free(&d);
}
END_TEST

/* Without tied event times Efron and Breslow coincide. */
START_TEST(efron_equals_breslow_without_ties)
{
    double t[6] = {5, 1, 3, 3, 2, 4}; /* the tie at 3 is an event and a censoring */
    int32_t e[6] = {1, 1, 1, 0, 0, 1};
    double eta[6] = {0.3, -1.2, 2.0, 0.1, -0.4, 0.8}, lb, le, gb[6], ge[6], hb[6], he[6];
    dsv_cox cb, ce;
    ck_assert_int_eq(dsv_cox_init(&cb, t, e, 6, 0), DESURV_OK);
    ck_assert_int_eq(dsv_cox_init(&ce, t, e, 6, 1), DESURV_OK);
    double *w = work_for(&cb, 0);
    ck_assert_int_eq(dsv_cox_eval(&cb, eta, &lb, gb, hb, w), DESURV_OK);
    ck_assert_int_eq(dsv_cox_eval(&ce, eta, &le, ge, he, w), DESURV_OK);
    ck_assert_double_le(fabs(lb - le), 1e-14 * fabs(lb));
    for (int i = 0; i < 6; i++) {
        ck_assert_double_le(fabs(gb[i] - ge[i]), 1e-15);
        ck_assert_double_le(fabs(hb[i] - he[i]), 1e-15);
    }
    free(w);
    dsv_cox_free(&cb);
    dsv_cox_free(&ce);
}
END_TEST

/* ---- edge cases ---------------------------------------------------------- */

START_TEST(single_sample)
{
    double t = 0.0, eta = 3.5, l = NAN, g = NAN, hd = NAN, Z = 2.0, H = NAN, zg = NAN;
    int32_t e = 1;
    for (int ties = 0; ties <= 1; ties++) {
        dsv_cox c;
        ck_assert_int_eq(dsv_cox_init(&c, &t, &e, 1, ties), DESURV_OK);
        ck_assert_int_eq(c.n_events, 1);
        ck_assert_int_eq(c.n_groups, 1);
        double *w = work_for(&c, 1);
        ck_assert_int_eq(dsv_cox_eval(&c, &eta, &l, &g, &hd, w), DESURV_OK);
        ck_assert_double_eq(l, 0.0);
        ck_assert_double_eq(g, 0.0);
        ck_assert_double_eq(hd, 0.0);
        ck_assert_int_eq(dsv_cox_hess_gram(&c, &eta, &Z, 1, 1, &l, &zg, &H, w), DESURV_OK);
        ck_assert_double_eq(H, 0.0);
        ck_assert_double_eq(zg, 0.0);
        free(w);
        dsv_cox_free(&c);
    }
}
END_TEST

/* One event at time 2, tied with a censoring; an earlier censoring is not
 * at risk.  Closed form: l = eta_e - log sum_{t_j >= 2} e^eta_j. */
START_TEST(single_event)
{
    double t[6] = {4, 2, 1, 2, 5, 3};
    int32_t e[6] = {0, 0, 0, 1, 0, 0};
    double eta[6] = {0.5, -0.2, 9.0, 0.3, 1.1, -0.7};
    double s = 0.0, l, g[6], hd[6];
    for (int i = 0; i < 6; i++)
        if (i != 2)
            s += exp(eta[i]);
    for (int ties = 0; ties <= 1; ties++) {
        dsv_cox c;
        ck_assert_int_eq(dsv_cox_init(&c, t, e, 6, ties), DESURV_OK);
        double *w = work_for(&c, 0);
        ck_assert_int_eq(dsv_cox_eval(&c, eta, &l, g, hd, w), DESURV_OK);
        ck_assert_double_le(fabs(l - (eta[3] - log(s))), 1e-14);
        for (int i = 0; i < 6; i++) {
            double p = i == 2 ? 0.0 : exp(eta[i]) / s;
            ck_assert_double_le(fabs(g[i] - ((i == 3) - p)), 1e-15);
            ck_assert_double_le(fabs(hd[i] - (p - p * p)), 1e-15);
        }
        free(w);
        dsv_cox_free(&c);
    }
}
END_TEST

START_TEST(nonfinite_eta)
{
    double t[3] = {1, 2, 3}, eta[3] = {0, NAN, 0}, l, Z[3] = {1, 2, 3}, H, zg;
    int32_t e[3] = {1, 1, 0};
    dsv_cox c;
    ck_assert_int_eq(dsv_cox_init(&c, t, e, 3, 0), DESURV_OK);
    double *w = work_for(&c, 1);
    ck_assert_int_eq(dsv_cox_eval(&c, eta, &l, NULL, NULL, w), DESURV_E_NUMERIC);
    eta[1] = INFINITY;
    ck_assert_int_eq(dsv_cox_eval(&c, eta, &l, NULL, NULL, w), DESURV_E_NUMERIC);
    ck_assert_int_eq(dsv_cox_hess_gram(&c, eta, Z, 3, 1, &l, &zg, &H, w), DESURV_E_NUMERIC);
    eta[1] = 0.0;
    ck_assert_int_eq(dsv_cox_eval(&c, eta, &l, NULL, NULL, w), DESURV_OK);
    free(w);
    dsv_cox_free(&c);
    dsv_cox_free(&c); /* idempotent */
    dsv_cox_free(NULL);
}
END_TEST

/* Sorted layout: time ascending, events first within a tie group. */
START_TEST(layout)
{
    double t[7] = {3, 1, 3, 0, 3, 1, 0};
    int32_t e[7] = {0, 1, 1, 1, 1, 0, 0};
    dsv_cox c;
    ck_assert_int_eq(dsv_cox_init(&c, t, e, 7, 0), DESURV_OK);
    const int64_t want[7] = {3, 6, 1, 5, 2, 4, 0};
    for (int p = 0; p < 7; p++)
        ck_assert_int_eq(c.order[p], want[p]);
    ck_assert_int_eq(c.n_groups, 3);
    ck_assert_int_eq(c.group_end[0], 2);
    ck_assert_int_eq(c.group_end[1], 4);
    ck_assert_int_eq(c.group_end[2], 7);
    ck_assert_int_eq(c.n_events, 4);
    dsv_cox_free(&c);
}
END_TEST

static Suite *cox_suite(void)
{
    Suite *s = suite_create("cox");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, golden_tcga);
    tcase_add_test(tc, golden_heavy);
    tcase_add_test(tc, fd_breslow);
    tcase_add_test(tc, fd_efron);
    tcase_add_test(tc, full_hessian_breslow);
    tcase_add_test(tc, full_hessian_efron);
    tcase_add_test(tc, gram_fd_breslow);
    tcase_add_test(tc, gram_fd_efron);
    tcase_add_test(tc, gram_shift_invariance);
    tcase_add_test(tc, delta_accuracy);
    tcase_add_test(tc, offset_invariance);
    tcase_add_test(tc, wide_range);
    tcase_add_test(tc, fast_vs_robust);
    tcase_add_test(tc, random_vs_direct);
    tcase_add_test(tc, permutation_invariance);
    tcase_add_test(tc, efron_equals_breslow_without_ties);
    tcase_add_test(tc, single_sample);
    tcase_add_test(tc, single_event);
    tcase_add_test(tc, nonfinite_eta);
    tcase_add_test(tc, layout);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run_suite(cox_suite());
}
