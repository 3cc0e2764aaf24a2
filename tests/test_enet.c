/* test_enet.c - elastic-net Cox (beta-step): glmnet / coxph goldens, KKT,
 * monotone objective, exact lasso zeros, unpenalised and separable data. */
#include <check.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "desurv/desurv.h"
#include "surv/cox.h"
#include "surv/enet.h"
#include "design.h"
#include "testutil.h"

/* Objective and KKT residual of f, computed here from dsv_cox_eval's
 * gradient in eta (not from the Hessian Gram the solver uses). */
static double objective_kkt(const dsv_cox *c, const design *d, const double *b, double lambda,
                            double nu, double *kkt)
{
    int64_t n = d->n, k = d->k;
    double *eta = calloc((size_t)n, sizeof *eta), *g = malloc((size_t)n * sizeof *g);
    double *w = malloc((size_t)dsv_cox_work_size(c, k) * sizeof *w), l;
    for (int64_t r = 0; r < k; r++)
        for (int64_t i = 0; i < n; i++)
            eta[i] += d->Z[i + r * n] * b[r];
    ck_assert_int_eq(dsv_cox_eval(c, eta, &l, g, NULL, w), DESURV_OK);
    double s = 2.0 / (double)c->n_events, f = -s * l, res = 0.0;
    for (int64_t r = 0; r < k; r++) {
        double gr = 0.0;
        for (int64_t i = 0; i < n; i++)
            gr -= s * d->Z[i + r * n] * g[i];
        gr += lambda * (1 - nu) * b[r];
        double v = b[r] != 0.0 ? fabs(gr + copysign(lambda * nu, b[r]))
                               : fmax(0.0, fabs(gr) - lambda * nu);
        res = fmax(res, v);
        f += lambda * (nu * fabs(b[r]) + 0.5 * (1 - nu) * b[r] * b[r]);
    }
    if (kkt)
        *kkt = res;
    free(eta), free(g), free(w);
    return f;
}

/* Every row of a golden fit table, solved from b = 0 and from a bad warm
 * start, must match glmnet (or coxph for lambda = 0) to 1e-6. */
static void check_golden(const char *dname, const char *fname)
{
    design d;
    load_design(dname, &d);
    char path[1024];
    tu_table t;
    ck_assert_int_eq(tu_read_tsv(tu_golden_path(fname, path, sizeof path), &t), 0);
    ck_assert_int_ge(t.rows, 10);
    dsv_cox c;
    ck_assert_int_eq(dsv_cox_init(&c, d.time, d.event, d.n, 0), DESURV_OK);
    int64_t k = d.k, jb = tu_col(&t, "b1");
    const double *nu = tu_colp(&t, tu_col(&t, "nu")), *lam = tu_colp(&t, tu_col(&t, "lambda"));
    double b[16], maxerr = 0.0;
    int zeros = 0;
    for (int64_t row = 0; row < t.rows; row++) {
        for (int start = 0; start < 2; start++) {
            for (int64_t r = 0; r < k; r++)
                b[r] = start ? (r % 2 ? -1.5 : 2.0) : 0.0;
            dsv_enet_info info;
            ck_assert_int_eq(dsv_enet_cox(&c, d.Z, d.n, k, lam[row], nu[row], 1e-10, 100, b, &info),
                             DESURV_OK);
            ck_assert_msg(info.converged, "%s row %d start %d did not converge", fname, (int)row,
                          start);
            double kkt, f = objective_kkt(&c, &d, b, lam[row], nu[row], &kkt);
            ck_assert_double_le(fabs(f - info.objective), 1e-13 * fabs(f));
            ck_assert_msg(kkt <= 1e-9, "%s row %d: KKT residual %g", fname, (int)row, kkt);
            for (int64_t r = 0; r < k; r++) {
                double want = t.data[row + (jb + r) * t.rows], err = fabs(b[r] - want);
                ck_assert_msg(err <= 1e-6, "%s row %d b%d: %.12g vs %.12g", fname, (int)row,
                              (int)(r + 1), b[r], want);
                maxerr = fmax(maxerr, err);
                if (want == 0.0 && nu[row] > 0.0) { /* lasso zero: ours exactly 0 too */
                    ck_assert_double_eq(b[r], 0.0);
                    zeros++;
                }
            }
        }
    }
    ck_assert_int_gt(zeros, 0);
    if (getenv("DESURV_TEST_VERBOSE"))
        fprintf(stderr, "%s: max |b - golden| %.3g\n", fname, maxerr);
    dsv_cox_free(&c);
    tu_table_free(&t);
    design_free(&d);
}

START_TEST(golden_indep) { check_golden("enet_design_indep.tsv", "enet_fit_indep.tsv"); }
END_TEST

START_TEST(golden_corr99) { check_golden("enet_design_corr99.tsv", "enet_fit_corr99.tsv"); }
END_TEST

/* Running with maxit = 1, 2, ... reproduces the iterates: the objective
 * never increases from a bad warm start, and reaches the optimum. */
START_TEST(monotone_from_bad_start)
{
    design d;
    load_design("enet_design_corr99.tsv", &d);
    dsv_cox c;
    ck_assert_int_eq(dsv_cox_init(&c, d.time, d.event, d.n, 0), DESURV_OK);
    const double nus[3] = {1.0, 0.5, 0.0}, lambda = 0.02;
    for (int q = 0; q < 3; q++) {
        double b0[4] = {8, -6, 5, -9}, b[4];
        double f0 = objective_kkt(&c, &d, b0, lambda, nus[q], NULL), prev = f0;
        int done = 0;
        for (int it = 1; it <= 60 && !done; it++) {
            dsv_enet_info info;
            memcpy(b, b0, sizeof b);
            ck_assert_int_eq(dsv_enet_cox(&c, d.Z, d.n, 4, lambda, nus[q], 1e-10, it, b, &info),
                             DESURV_OK);
            ck_assert_int_le(info.iterations, it);
            /* Steps are accepted on an accurate difference of f; the
             * directly evaluated f may then read up to a few ulps higher
             * than the previous iterate's, never higher than the start. */
            ck_assert_msg(info.objective <= prev + 8 * DBL_EPSILON * fabs(prev),
                          "nu %g it %d: %.17g > %.17g", nus[q], it, info.objective, prev);
            ck_assert_double_le(info.objective, f0);
            prev = info.objective;
            done = info.converged;
        }
        ck_assert_msg(done, "nu %g: no convergence in 60 iterations", nus[q]);
        double kkt;
        objective_kkt(&c, &d, b, lambda, nus[q], &kkt);
        ck_assert_double_le(kkt, 1e-9);
    }
    dsv_cox_free(&c);
    design_free(&d);
}
END_TEST

/* lambda above lambda_max = max |grad f_smooth(0)| / nu gives exactly 0;
 * just below it exactly one coefficient is nonzero. */
START_TEST(lasso_lambda_max)
{
    design d;
    load_design("enet_design_indep.tsv", &d);
    dsv_cox c;
    ck_assert_int_eq(dsv_cox_init(&c, d.time, d.event, d.n, 0), DESURV_OK);
    double zero[5] = {0}, b[5], kkt;
    /* with lambda = 0 the KKT residual at 0 is max |gradient| */
    objective_kkt(&c, &d, zero, 0.0, 1.0, &kkt);
    double lmax = kkt;
    for (int r = 0; r < 5; r++)
        b[r] = 0.3;
    dsv_enet_info info;
    ck_assert_int_eq(dsv_enet_cox(&c, d.Z, d.n, 5, lmax * 1.001, 1.0, 1e-10, 100, b, &info),
                     DESURV_OK);
    for (int r = 0; r < 5; r++)
        ck_assert_double_eq(b[r], 0.0);
    ck_assert_int_eq(info.converged, 1);
    memset(b, 0, sizeof b);
    ck_assert_int_eq(dsv_enet_cox(&c, d.Z, d.n, 5, lmax * 0.99, 1.0, 1e-10, 100, b, &info),
                     DESURV_OK);
    int nz = 0;
    for (int r = 0; r < 5; r++)
        nz += b[r] != 0.0;
    ck_assert_int_eq(nz, 1);
    dsv_cox_free(&c);
    design_free(&d);
}
END_TEST

/* Efron ties (no golden: KKT against dsv_cox_eval's gradient). */
START_TEST(efron_kkt)
{
    design d;
    load_design("cox_design_heavy.tsv", &d);
    dsv_cox c;
    ck_assert_int_eq(dsv_cox_init(&c, d.time, d.event, d.n, 1), DESURV_OK);
    const double lams[3] = {0.0, 0.05, 0.3}, nus[3] = {1.0, 0.5, 0.0};
    for (int a = 0; a < 3; a++)
        for (int q = 0; q < 3; q++) {
            double b[2] = {1.0, 1.0}, kkt;
            dsv_enet_info info;
            ck_assert_int_eq(dsv_enet_cox(&c, d.Z, d.n, 2, lams[a], nus[q], 1e-12, 100, b, &info),
                             DESURV_OK);
            ck_assert_int_eq(info.converged, 1);
            objective_kkt(&c, &d, b, lams[a], nus[q], &kkt);
            ck_assert_double_le(kkt, 1e-10);
        }
    dsv_cox_free(&c);
    design_free(&d);
}
END_TEST

/* A column that orders the deaths perfectly makes the unpenalised optimum
 * infinite: bounded iterations, finite b, no NaN, converged = 0. */
START_TEST(separable_unpenalised)
{
    enum { N = 20 };
    double t[N], Z[2 * N];
    int32_t e[N];
    for (int i = 0; i < N; i++) {
        t[i] = 1.0 + i;
        e[i] = i % 3 != 2;
        Z[i] = -(double)i / N;          /* earlier death, larger score */
        Z[N + i] = (i * 7 % 5) / 5.0;   /* noise */
    }
    dsv_cox c;
    ck_assert_int_eq(dsv_cox_init(&c, t, e, N, 0), DESURV_OK);
    double b[2] = {0, 0};
    dsv_enet_info info;
    int rc = dsv_enet_cox(&c, Z, N, 2, 0.0, 0.5, 1e-8, 50, b, &info);
    ck_assert_int_eq(rc, DESURV_OK);
    ck_assert(isfinite(b[0]) && isfinite(b[1]));
    ck_assert(isfinite(info.objective) && isfinite(info.loglik));
    ck_assert_int_eq(info.converged, 0);
    ck_assert_double_gt(b[0], 10.0); /* it did run away towards the supremum */
    ck_assert_double_lt(info.objective, 2.0 * log(2.0));
    /* with a little ridge the problem is well posed again */
    b[0] = b[1] = 0.0;
    ck_assert_int_eq(dsv_enet_cox(&c, Z, N, 2, 0.01, 0.0, 1e-10, 100, b, &info), DESURV_OK);
    ck_assert_int_eq(info.converged, 1);
    dsv_cox_free(&c);
}
END_TEST

/* A warm start at the solution returns at once with the same b, and an
 * all-zero column stays at 0 (Q_rr = 0 must not divide). */
START_TEST(warm_start_and_flat_column)
{
    design d;
    load_design("enet_design_indep.tsv", &d);
    dsv_cox c;
    ck_assert_int_eq(dsv_cox_init(&c, d.time, d.event, d.n, 0), DESURV_OK);
    int64_t n = d.n;
    double *Z = malloc((size_t)(n * 3) * sizeof *Z), b[3] = {0, 0, 0}, b2[3];
    memcpy(Z, d.Z, (size_t)(n * 2) * sizeof *Z);
    memset(Z + 2 * n, 0, (size_t)n * sizeof *Z);
    dsv_enet_info info;
    ck_assert_int_eq(dsv_enet_cox(&c, Z, n, 3, 0.0, 1.0, 1e-10, 100, b, &info), DESURV_OK);
    ck_assert_int_eq(info.converged, 1);
    ck_assert_double_eq(b[2], 0.0);
    memcpy(b2, b, sizeof b);
    ck_assert_int_eq(dsv_enet_cox(&c, Z, n, 3, 0.0, 1.0, 1e-10, 100, b2, &info), DESURV_OK);
    ck_assert_int_eq(info.converged, 1);
    ck_assert_int_le(info.iterations, 1);
    for (int r = 0; r < 3; r++)
        ck_assert_double_le(fabs(b2[r] - b[r]), 1e-12);
    free(Z);
    dsv_cox_free(&c);
    design_free(&d);
}
END_TEST

static Suite *enet_suite(void)
{
    Suite *s = suite_create("enet");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, golden_indep);
    tcase_add_test(tc, golden_corr99);
    tcase_add_test(tc, monotone_from_bad_start);
    tcase_add_test(tc, lasso_lambda_max);
    tcase_add_test(tc, efron_kkt);
    tcase_add_test(tc, separable_unpenalised);
    tcase_add_test(tc, warm_start_and_flat_column);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run_suite(enet_suite());
}
