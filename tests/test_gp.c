/* test_gp.c - Gaussian-process regression: posterior and likelihood
 * against scikit-learn at fixed hyperparameters, maximum-likelihood fits
 * that reach sklearn's optimum (tests/golden/make_golden_gp.py), local
 * optimality of the fit, scale invariance, determinism, jitter, blocked
 * prediction, and argument validation. */
#include "tune/gp.h"

#include "desurv/desurv.h"
#include "base/rng.h"
#include "testutil.h"

#include <check.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- golden data ---- */

typedef struct train {
    tu_table t;
    int64_t n, d;
    double *X; /* n x d, ld n: the first d columns of the table */
    double *y;
} train;

static void load_table(const char *name, tu_table *t)
{
    char buf[1024];
    ck_assert_msg(tu_read_tsv(tu_golden_path(name, buf, sizeof buf), t) == 0, "read %s", name);
}

static train load_train(const char *name)
{
    train tr;
    load_table(name, &tr.t);
    tr.n = tr.t.rows;
    tr.d = tr.t.cols - 1;
    tr.X = tr.t.data;
    tr.y = tu_colp(&tr.t, tu_col(&tr.t, "y"));
    ck_assert_int_eq(tu_col(&tr.t, "y"), tr.d);
    return tr;
}

static double cell(const tu_table *t, const char *col, int64_t row)
{
    int64_t j = tu_col(t, col);
    ck_assert_msg(j >= 0, "no column %s", col);
    return tu_colp(t, j)[row];
}

static double relerr(double a, double b)
{
    return fabs(a - b) / fmax(fabs(b), 1e-300);
}

START_TEST(test_golden_fixed)
{
    train tr = load_train("gp_train_a.tsv");
    tu_table hy, pr;
    load_table("gp_hyper.tsv", &hy);
    load_table("gp_pred.tsv", &pr);
    dsv_gp_hyper h = {0};
    h.m = cell(&hy, "m", 0);
    h.s2 = cell(&hy, "s2", 0);
    h.ls[0] = cell(&hy, "ls1", 0);
    h.ls[1] = cell(&hy, "ls2", 0);
    h.ls[2] = cell(&hy, "ls3", 0);
    h.c0 = cell(&hy, "c0", 0);
    h.g = cell(&hy, "g", 0);

    dsv_gp gp;
    ck_assert_int_eq(dsv_gp_condition(&gp, tr.X, tr.n, tr.y, tr.n, 3, &h), DESURV_OK);
    ck_assert(gp.h.g == h.g); /* no jitter needed */
    double e_lml = relerr(gp.lml, cell(&hy, "lml", 0));

    int64_t m = pr.rows;
    double *mu = malloc((size_t)m * sizeof(double)), *sd = malloc((size_t)m * sizeof(double));
    ck_assert_int_eq(dsv_gp_predict(&gp, pr.data, m, m, mu, sd), DESURV_OK);
    double e_mu = 0, e_sd = 0, e_lat = 0;
    for (int64_t i = 0; i < m; i++) {
        e_mu = fmax(e_mu, relerr(mu[i], cell(&pr, "mean", i)));
        /* sklearn's std is that of a noisy observation: add g back */
        e_sd = fmax(e_sd, relerr(sqrt(sd[i] * sd[i] + h.g), cell(&pr, "sd_noisy", i)));
        e_lat = fmax(e_lat, relerr(sd[i], cell(&pr, "sd_latent", i)));
    }
    ck_assert_msg(e_lml <= 1e-8 && e_mu <= 1e-8 && e_sd <= 1e-8 && e_lat <= 1e-7,
                  "relative errors: lml %.3g mean %.3g sd %.3g latent sd %.3g", e_lml, e_mu, e_sd,
                  e_lat);
    free(mu);
    free(sd);
    dsv_gp_free(&gp);
    tu_table_free(&hy);
    tu_table_free(&pr);
    tu_table_free(&tr.t);
}
END_TEST

/* The bounds recorded by the script are those of gp.h. */
START_TEST(test_golden_bounds_in_sync)
{
    tu_table f;
    load_table("gp_fit.tsv", &f);
    for (int64_t r = 0; r < f.rows; r++) {
        ck_assert(cell(&f, "s2_lo", r) == DSV_GP_S2_LO && cell(&f, "s2_hi", r) == DSV_GP_S2_HI);
        ck_assert(cell(&f, "ls_lo", r) == DSV_GP_LS_LO && cell(&f, "ls_hi", r) == DSV_GP_LS_HI);
        ck_assert(cell(&f, "g_lo", r) == DSV_GP_G_LO && cell(&f, "g_hi", r) == DSV_GP_G_HI);
        ck_assert(cell(&f, "c0_lo", r) == DSV_GP_C0_LO && cell(&f, "c0_hi", r) == DSV_GP_C0_HI);
    }
    tu_table_free(&f);
}
END_TEST

/* Our fit reaches sklearn's optimum: (a) same model (mean fixed at mean(y),
 * c0 estimated), (b) the default profiled mean with c0 = 0, whose optimum
 * can only be higher. */
static void check_fit_case(const char *train_name, int64_t row)
{
    train tr = load_train(train_name);
    tu_table f;
    load_table("gp_fit.tsv", &f);
    ck_assert_int_eq((int64_t)cell(&f, "n", row), tr.n);
    ck_assert_int_eq((int64_t)cell(&f, "d", row), tr.d);
    double sk = cell(&f, "lml", row);

    dsv_gp_fit_options o = {1, cell(&f, "ybar", row), 1, 0.0};
    dsv_gp fixed, prof;
    ck_assert_int_eq(dsv_gp_fit_ex(&fixed, tr.X, tr.n, tr.y, tr.n, tr.d, 7, 10, &o), DESURV_OK);
    ck_assert_int_eq(dsv_gp_fit(&prof, tr.X, tr.n, tr.y, tr.n, tr.d, 7, 10), DESURV_OK);
    ck_assert_msg(fixed.lml >= sk - 1e-6 && prof.lml >= sk - 1e-6,
                  "%s: lml fixed mean %.10g, profiled %.10g, sklearn %.10g", train_name,
                  fixed.lml, prof.lml, sk);
    ck_assert(fixed.h.m == o.m_value && prof.h.c0 == 0.0);
    dsv_gp_free(&fixed);
    dsv_gp_free(&prof);
    tu_table_free(&f);
    tu_table_free(&tr.t);
}

START_TEST(test_golden_fit_a)
{
    check_fit_case("gp_train_a.tsv", 0);
}
END_TEST

START_TEST(test_golden_fit_b)
{
    check_fit_case("gp_train_b.tsv", 1);
}
END_TEST

/* ---- synthetic data ---- */

static void make_data(int64_t n, int64_t d, uint64_t seed, double *X, double *y, double noise)
{
    dsv_rng r;
    dsv_rng_seed(&r, seed, 99);
    for (int64_t i = 0; i < n * d; i++)
        X[i] = dsv_rng_uniform(&r);
    for (int64_t i = 0; i < n; i++) {
        double s = 0;
        for (int64_t k = 0; k < d; k++)
            s += sin(3.0 * (double)(k + 1) * X[i + k * n]) / (double)(k + 1);
        y[i] = 0.7 + 0.03 * s + noise * dsv_rng_normal(&r);
    }
}

/* lml at h (conditioning), or -inf on failure. */
static double lml_at(const double *X, const double *y, int64_t n, int64_t d,
                     const dsv_gp_hyper *h)
{
    dsv_gp gp;
    if (dsv_gp_condition(&gp, X, n, y, n, d, h) != DESURV_OK)
        return -INFINITY;
    double v = gp.lml;
    dsv_gp_free(&gp);
    return v;
}

static double var_pop(const double *y, int64_t n)
{
    double s = 0, v = 0;
    for (int64_t i = 0; i < n; i++)
        s += y[i];
    for (int64_t i = 0; i < n; i++)
        v += (y[i] - s / n) * (y[i] - s / n);
    return v / n;
}

/* The fit is a constrained local maximum: moving any log-parameter by
 * +-1e-3 inside the box, or moving the mean, does not raise the lml. */
static void check_local_optimum(const dsv_gp *gp, const double *X, const double *y)
{
    int64_t n = gp->n, d = gp->d;
    double v = var_pop(y, n), base = gp->lml, step = 1e-3;
    double *par[DSV_GP_MAXD + 2];
    double lo[DSV_GP_MAXD + 2], hi[DSV_GP_MAXD + 2];
    dsv_gp_hyper h = gp->h;
    int np = 0;
    par[np] = &h.s2, lo[np] = DSV_GP_S2_LO * v, hi[np++] = DSV_GP_S2_HI * v;
    for (int64_t k = 0; k < d; k++)
        par[np] = &h.ls[k], lo[np] = DSV_GP_LS_LO, hi[np++] = DSV_GP_LS_HI;
    par[np] = &h.g, lo[np] = DSV_GP_G_LO * v, hi[np++] = DSV_GP_G_HI * v;
    for (int i = 0; i < np; i++)
        for (int s = -1; s <= 1; s += 2) {
            double keep = *par[i], moved = keep * exp(s * step);
            if (moved < lo[i] * (1 - 1e-12) || moved > hi[i] * (1 + 1e-12))
                continue;
            *par[i] = moved;
            double l = lml_at(X, y, n, d, &h);
            ck_assert_msg(l <= base + 1e-9, "param %d dir %d: %.12g > %.12g", i, s, l, base);
            *par[i] = keep;
        }
    for (int s = -1; s <= 1; s += 2) {
        h.m = gp->h.m + s * 1e-4 * sqrt(v);
        ck_assert(lml_at(X, y, n, d, &h) <= base + 1e-9);
    }
}

START_TEST(test_fit_local_optimum)
{
    int64_t n = 30, d = 3;
    double X[90], y[30];
    make_data(n, d, 3, X, y, 0.004);
    dsv_gp gp;
    ck_assert_int_eq(dsv_gp_fit(&gp, X, n, y, n, d, 11, 3), DESURV_OK);
    check_local_optimum(&gp, X, y);
    dsv_gp_free(&gp);
}
END_TEST

/* Affine changes of y change only the scale of s2, c0, g, m and shift the
 * lml by -n log(scale); same seed, same answer. */
START_TEST(test_fit_scale_invariance_and_determinism)
{
    int64_t n = 25, d = 2;
    double X[50], y[25], y2[25];
    make_data(n, d, 5, X, y, 0.003);
    double a = 1000.0, b = -3.0;
    for (int64_t i = 0; i < n; i++)
        y2[i] = a * y[i] + b;
    dsv_gp g1, g2, g3;
    ck_assert_int_eq(dsv_gp_fit(&g1, X, n, y, n, d, 42, 2), DESURV_OK);
    ck_assert_int_eq(dsv_gp_fit(&g2, X, n, y2, n, d, 42, 2), DESURV_OK);
    ck_assert_int_eq(dsv_gp_fit(&g3, X, n, y, n, d, 42, 2), DESURV_OK);
    ck_assert(memcmp(&g1.h, &g3.h, sizeof g1.h) == 0 && g1.lml == g3.lml);
    for (int64_t k = 0; k < d; k++)
        ck_assert_msg(relerr(g2.h.ls[k], g1.h.ls[k]) < 1e-6, "ls %g vs %g", g2.h.ls[k],
                      g1.h.ls[k]);
    ck_assert(relerr(g2.h.s2, a * a * g1.h.s2) < 1e-6);
    ck_assert(relerr(g2.h.g, a * a * g1.h.g) < 1e-5);
    ck_assert(relerr(g2.h.m, a * g1.h.m + b) < 1e-9);
    ck_assert(fabs(g2.lml - (g1.lml - n * log(a))) < 1e-6);
    dsv_gp_free(&g1);
    dsv_gp_free(&g2);
    dsv_gp_free(&g3);
}
END_TEST

/* Blocked BLAS-3 prediction equals one-at-a-time prediction; at the
 * training points a tiny nugget interpolates. */
START_TEST(test_predict_blocks)
{
    int64_t n = 40, d = 4, m = 700;
    double *X = malloc((size_t)(n * d) * sizeof(double)), y[40];
    double *Xs = malloc((size_t)(m * d) * sizeof(double));
    double *mu = malloc((size_t)m * sizeof(double)), *sd = malloc((size_t)m * sizeof(double));
    make_data(n, d, 8, X, y, 0.0);
    dsv_rng r;
    dsv_rng_seed(&r, 8, 1);
    for (int64_t i = 0; i < m * d; i++)
        Xs[i] = dsv_rng_uniform(&r);
    dsv_gp_hyper h = {0.7, 1e-3, {0.4, 0.5, 0.6, 0.7}, 1e-4, 1e-12};
    dsv_gp gp;
    ck_assert_int_eq(dsv_gp_condition(&gp, X, n, y, n, d, &h), DESURV_OK);
    ck_assert_int_eq(dsv_gp_predict(&gp, Xs, m, m, mu, sd), DESURV_OK);
    for (int64_t j = 0; j < m; j += 37) {
        double x1[4], m1, s1, m2;
        for (int64_t k = 0; k < d; k++)
            x1[k] = Xs[j + k * m];
        ck_assert_int_eq(dsv_gp_predict(&gp, x1, 1, 1, &m1, &s1), DESURV_OK);
        ck_assert_int_eq(dsv_gp_predict(&gp, x1, 1, 1, &m2, NULL), DESURV_OK);
        ck_assert(fabs(m1 - mu[j]) <= 1e-13 && fabs(s1 - sd[j]) <= 1e-12 && m1 == m2);
    }
    ck_assert_int_eq(dsv_gp_predict(&gp, X, n, n, mu, sd), DESURV_OK);
    for (int64_t i = 0; i < n; i++)
        ck_assert(fabs(mu[i] - y[i]) < 1e-7 && sd[i] < 1e-4 && sd[i] >= 0);
    ck_assert_int_eq(dsv_gp_predict(&gp, Xs, m, 0, mu, sd), DESURV_OK);
    dsv_gp_free(&gp);
    free(X);
    free(Xs);
    free(mu);
    free(sd);
}
END_TEST

/* n = 200 (> 128: the dgemv/dtrsm path of predict) against a dense
 * reference: K from the definition, dposv for K^{-1}[y - m, k*]. */
static double ref_kernel(const double *A, int64_t lda, int64_t i, const double *B, int64_t ldb,
                         int64_t j, const dsv_gp_hyper *h, int64_t d)
{
    double r2 = 0;
    for (int64_t k = 0; k < d; k++) {
        double t = (A[i + k * lda] - B[j + k * ldb]) / h->ls[k];
        r2 += t * t;
    }
    double r = sqrt(r2);
    return h->s2 * (1 + sqrt(5.0) * r + 5.0 * r2 / 3.0) * exp(-sqrt(5.0) * r) + h->c0;
}

START_TEST(test_predict_large_n)
{
    int64_t n = 200, d = 2, m = 300, nr = 1 + m;
    double *X = malloc((size_t)(n * d) * sizeof(double)), *y = malloc((size_t)n * sizeof(double));
    double *Xs = malloc((size_t)(m * d) * sizeof(double));
    double *K = malloc((size_t)(n * n) * sizeof(double));
    double *R = malloc((size_t)(n * nr) * sizeof(double));
    double *mu = malloc((size_t)m * sizeof(double)), *sd = malloc((size_t)m * sizeof(double));
    make_data(n, d, 13, X, y, 0.01);
    dsv_rng r;
    dsv_rng_seed(&r, 13, 2);
    for (int64_t i = 0; i < m * d; i++)
        Xs[i] = dsv_rng_uniform(&r);
    dsv_gp_hyper h = {0.69, 4e-4, {0.3, 0.5}, 1e-4, 1e-4};
    dsv_gp gp;
    ck_assert_int_eq(dsv_gp_condition(&gp, X, n, y, n, d, &h), DESURV_OK);
    ck_assert_int_eq(dsv_gp_predict(&gp, Xs, m, m, mu, sd), DESURV_OK);
    for (int64_t j = 0; j < n; j++) {
        for (int64_t i = 0; i < n; i++)
            K[i + j * n] = ref_kernel(X, n, i, X, n, j, &h, d) + (i == j ? h.g : 0);
        R[j] = y[j] - h.m;
        for (int64_t c = 0; c < m; c++)
            R[j + (1 + c) * n] = ref_kernel(X, n, j, Xs, m, c, &h, d);
    }
    double *Ks = malloc((size_t)(n * m) * sizeof(double));
    memcpy(Ks, R + n, (size_t)(n * m) * sizeof(double));
    ck_assert_int_eq(LAPACKE_dposv(LAPACK_COL_MAJOR, 'L', (lapack_int)n, (lapack_int)nr, K,
                                   (lapack_int)n, R, (lapack_int)n),
                     0);
    double emu = 0, esd = 0;
    for (int64_t c = 0; c < m; c++) {
        double mref = h.m, q = 0;
        for (int64_t i = 0; i < n; i++) {
            mref += Ks[i + c * n] * R[i];
            q += Ks[i + c * n] * R[i + (1 + c) * n];
        }
        emu = fmax(emu, fabs(mu[c] - mref));
        esd = fmax(esd, fabs(sd[c] * sd[c] - (h.s2 + h.c0 - q)));
    }
    ck_assert_msg(emu < 1e-10 && esd < 1e-12, "mean err %.3g, var err %.3g", emu, esd);
    dsv_gp_free(&gp);
    free(X);
    free(y);
    free(Xs);
    free(K);
    free(R);
    free(Ks);
    free(mu);
    free(sd);
}
END_TEST

/* Coincident inputs with g = 0: K singular, jitter makes it work and is
 * recorded in h.g; the fit copes with duplicates and constant y. */
START_TEST(test_jitter_and_degenerate)
{
    double X[6] = {0.1, 0.1, 0.5, 0.2, 0.2, 0.9}, y[3] = {0.6, 0.61, 0.7};
    dsv_gp_hyper h = {0.65, 1e-3, {0.3, 0.3}, 0.0, 0.0};
    dsv_gp gp;
    ck_assert_int_eq(dsv_gp_condition(&gp, X, 3, y, 3, 2, &h), DESURV_OK);
    ck_assert(gp.h.g > 0 && gp.h.g < 1e-8 && isfinite(gp.lml));
    double mu, sd;
    ck_assert_int_eq(dsv_gp_predict(&gp, X, 3, 1, &mu, &sd), DESURV_OK);
    ck_assert(isfinite(mu) && isfinite(sd));
    dsv_gp_free(&gp);

    double yc[3] = {0.7, 0.7, 0.7};
    ck_assert_int_eq(dsv_gp_fit(&gp, X, 3, yc, 3, 2, 1, 1), DESURV_OK);
    ck_assert(isfinite(gp.lml) && fabs(gp.h.m - 0.7) < 1e-9);
    dsv_gp_free(&gp);
    ck_assert_int_eq(dsv_gp_fit(&gp, X, 3, y, 1, 2, 1, 0), DESURV_OK); /* n = 1 */
    ck_assert(isfinite(gp.lml) && gp.h.m == 0.6);
    dsv_gp_free(&gp);
    dsv_gp_free(&gp); /* idempotent */
    dsv_gp_free(NULL);
}
END_TEST

START_TEST(test_errors)
{
    double X[4] = {0.1, 0.2, 0.3, 0.4}, y[2] = {0.5, 0.6}, mu, sd;
    dsv_gp_hyper h = {0.5, 1.0, {0.5, 0.5}, 0.0, 1e-6};
    dsv_gp gp;
    ck_assert_int_eq(dsv_gp_condition(NULL, X, 2, y, 2, 2, &h), DESURV_E_NULL);
    ck_assert_int_eq(dsv_gp_condition(&gp, NULL, 2, y, 2, 2, &h), DESURV_E_NULL);
    ck_assert_int_eq(dsv_gp_condition(&gp, X, 2, y, 2, 0, &h), DESURV_E_DIM);
    ck_assert_int_eq(dsv_gp_condition(&gp, X, 2, y, 2, DSV_GP_MAXD + 1, &h), DESURV_E_DIM);
    ck_assert_int_eq(dsv_gp_condition(&gp, X, 2, y, 0, 2, &h), DESURV_E_DIM);
    ck_assert_int_eq(dsv_gp_condition(&gp, X, 1, y, 2, 2, &h), DESURV_E_LD);
    h.ls[1] = 0;
    ck_assert_int_eq(dsv_gp_condition(&gp, X, 2, y, 2, 2, &h), DESURV_E_RANGE);
    h.ls[1] = 0.5;
    h.g = -1;
    ck_assert_int_eq(dsv_gp_condition(&gp, X, 2, y, 2, 2, &h), DESURV_E_RANGE);
    h.g = 1e-6;
    h.m = NAN;
    ck_assert_int_eq(dsv_gp_condition(&gp, X, 2, y, 2, 2, &h), DESURV_E_RANGE);
    h.m = 0.5;
    y[1] = NAN;
    ck_assert_int_eq(dsv_gp_condition(&gp, X, 2, y, 2, 2, &h), DESURV_E_NONFINITE);
    ck_assert_int_eq(dsv_gp_fit(&gp, X, 2, y, 2, 2, 1, 0), DESURV_E_NONFINITE);
    ck_assert(gp.L == NULL && gp.n == 0);
    y[1] = 0.6;
    ck_assert_int_eq(dsv_gp_fit(&gp, X, 2, y, 2, 2, 1, -1), DESURV_E_RANGE);
    dsv_gp_fit_options o = {0, 0.0, 0, -1.0};
    ck_assert_int_eq(dsv_gp_fit_ex(&gp, X, 2, y, 2, 2, 1, 0, &o), DESURV_E_RANGE);
    o = (dsv_gp_fit_options){1, INFINITY, 1, 0.0};
    ck_assert_int_eq(dsv_gp_fit_ex(&gp, X, 2, y, 2, 2, 1, 0, &o), DESURV_E_RANGE);

    ck_assert_int_eq(dsv_gp_condition(&gp, X, 2, y, 2, 2, &h), DESURV_OK);
    ck_assert_int_eq(dsv_gp_predict(&gp, X, 2, -1, &mu, &sd), DESURV_E_DIM);
    ck_assert_int_eq(dsv_gp_predict(&gp, X, 1, 2, &mu, &sd), DESURV_E_LD);
    ck_assert_int_eq(dsv_gp_predict(NULL, X, 2, 1, &mu, &sd), DESURV_E_NULL);
    ck_assert_int_eq(dsv_gp_predict(&gp, X, 2, 1, NULL, &sd), DESURV_E_NULL);
    dsv_gp_free(&gp);
    ck_assert_int_eq(dsv_gp_predict(&gp, X, 2, 1, &mu, &sd), DESURV_E_NULL);
}
END_TEST

/* n = 150 in d = 6 with 5 restarts: the size of a long tuning run. */
START_TEST(test_fit_large)
{
    int64_t n = 150, d = 6;
    double *X = malloc((size_t)(n * d) * sizeof(double)), *y = malloc((size_t)n * sizeof(double));
    make_data(n, d, 21, X, y, 0.005);
    dsv_gp gp;
    ck_assert_int_eq(dsv_gp_fit(&gp, X, n, y, n, d, 3, 5), DESURV_OK);
    ck_assert(isfinite(gp.lml));
    /* the noise level is recovered within a factor of 3 */
    ck_assert_msg(gp.h.g > 0.005 * 0.005 / 3 && gp.h.g < 0.005 * 0.005 * 3, "g = %g", gp.h.g);
    check_local_optimum(&gp, X, y); /* n > 128: the LAPACK dpotri path of the gradient */
    dsv_gp_free(&gp);
    free(X);
    free(y);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("gp");
    TCase *tc = tcase_create("golden");
    tcase_add_test(tc, test_golden_fixed);
    tcase_add_test(tc, test_golden_bounds_in_sync);
    tcase_add_test(tc, test_golden_fit_a);
    tcase_add_test(tc, test_golden_fit_b);
    suite_add_tcase(s, tc);

    tc = tcase_create("fit");
    tcase_add_test(tc, test_fit_local_optimum);
    tcase_add_test(tc, test_fit_scale_invariance_and_determinism);
    tcase_add_test(tc, test_predict_blocks);
    tcase_add_test(tc, test_predict_large_n);
    tcase_add_test(tc, test_jitter_and_degenerate);
    tcase_add_test(tc, test_errors);
    suite_add_tcase(s, tc);

    tc = tcase_create("large");
    tcase_set_tags(tc, "slow");
    tcase_add_test(tc, test_fit_large);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}
