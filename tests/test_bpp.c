/* test_bpp.c - the block principal pivoting NNLS (lib/linalg/nnls_bpp.c): the
 * Lawson-Hanson reference of tests/golden/make_golden_nnls.py, the KKT
 * conditions on every column from cold, warm and garbage starts, one round
 * from the exact passive sets, bitwise determinism, semidefinite Grams
 * (duplicate and zero columns of W) and the edge cases. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "desurv/desurv.h"
#include "linalg/nnls_bpp.h"
#include "base/rng.h"
#include "testutil.h"

/* One batch of problems: G (k x k), C (k x n, ld ldc). */
typedef struct prob {
    int64_t k, n, ldc;
    double *G, *C;
} prob;

static void prob_free(prob *P)
{
    free(P->G);
    free(P->C);
}

/* W (p x k) uniform; X = W H0 + noise - shift, H0 sparse uniform: a
 * positive shift gives solutions with many zeros.  Column dup of W (if >= 0)
 * is set to column 0 plus dup_eps times noise, and column zero (if >= 0) to
 * zero. */
static prob make_prob_dup(int64_t k, int64_t n, int64_t ldc, uint64_t seed, double shift,
                          int64_t dup, double dup_eps, int64_t zero)
{
    int64_t p = 200;
    dsv_rng rng;
    dsv_rng_seed(&rng, seed, 7);
    double *W = malloc((size_t)(p * k) * sizeof(double));
    double *X = malloc((size_t)(p * n + 1) * sizeof(double));
    for (int64_t i = 0; i < p * k; i++)
        W[i] = dsv_rng_uniform(&rng);
    if (dup >= 0)
        for (int64_t i = 0; i < p; i++)
            W[i + dup * p] = W[i] + dup_eps * dsv_rng_normal(&rng);
    if (zero >= 0)
        memset(W + zero * p, 0, (size_t)p * sizeof(double));
    for (int64_t j = 0; j < n; j++)
        for (int64_t i = 0; i < p; i++) {
            double x = 0.1 * dsv_rng_normal(&rng) - shift * dsv_rng_uniform(&rng);
            for (int64_t r = 0; r < k; r++)
                if (dsv_rng_uniform(&rng) < 0.05) /* a sparse H0, drawn lazily */
                    x += W[i + r * p] * 3.0 * dsv_rng_uniform(&rng);
            X[i + j * p] = x;
        }
    prob P = {.k = k, .n = n, .ldc = ldc};
    P.G = malloc((size_t)(k * k) * sizeof(double));
    P.C = calloc((size_t)(ldc * n + 1), sizeof(double));
    cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, (int)k, (int)k, (int)p, 1.0, W, (int)p,
                W, (int)p, 0.0, P.G, (int)k);
    /* exact symmetry, as the fit's Gram is */
    for (int64_t a = 0; a < k; a++)
        for (int64_t b = a + 1; b < k; b++)
            P.G[b + a * k] = P.G[a + b * k];
    if (n > 0)
        cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, (int)k, (int)n, (int)p, 1.0, W,
                    (int)p, X, (int)p, 0.0, P.C, (int)ldc);
    free(W);
    free(X);
    return P;
}

static prob make_prob(int64_t k, int64_t n, int64_t ldc, uint64_t seed, double shift)
{
    return make_prob_dup(k, n, ldc, seed, shift, -1, 0.0, -1);
}

/* Run the solver with freshly allocated workspace. */
static int run_cap(const prob *P, double *H, int64_t ldh, uint64_t *passive, int64_t max_rounds,
                   dsv_bpp_stats *st)
{
    double *work = malloc((size_t)(dsv_bpp_work_size(P->k, P->n) + 1) * sizeof(double));
    int64_t *iwork = malloc((size_t)(dsv_bpp_iwork_size(P->k, P->n) + 1) * sizeof(int64_t));
    int rc = dsv_nnls_bpp_ex(P->G, P->k, P->C, P->ldc, P->n, H, ldh, passive, work, iwork,
                             max_rounds, st);
    free(work);
    free(iwork);
    return rc;
}

static int run(const prob *P, double *H, int64_t ldh, uint64_t *passive, dsv_bpp_stats *st)
{
    return run_cap(P, H, ldh, passive, 0, st);
}

static double col_scale(const prob *P, const double *c, const double *h)
{
    double cmax = 0, gmax = 0, hsum = 0;
    for (int64_t r = 0; r < P->k; r++) {
        cmax = fmax(cmax, fabs(c[r]));
        gmax = fmax(gmax, P->G[r + r * P->k]);
        hsum += fabs(h[r]);
    }
    return cmax + gmax * hsum;
}

/* h >= 0; g = G h - c >= -tol on the zeros (of allowed variables), |g| <=
 * tol on the positives, tol = rel * (|c|_inf + max G_rr |h|_1); h_r = 0
 * when G_rr = 0; the passive set covers the positives. */
static void check_kkt(const prob *P, const double *H, int64_t ldh, const uint64_t *passive,
                      double rel)
{
    int64_t k = P->k;
    for (int64_t j = 0; j < P->n; j++) {
        const double *h = H + j * ldh, *c = P->C + j * P->ldc;
        double tol = rel * col_scale(P, c, h);
        for (int64_t r = 0; r < k; r++) {
            double g = -c[r];
            for (int64_t q = 0; q < k; q++)
                g += P->G[r + q * k] * h[q];
            ck_assert_msg(h[r] >= 0, "h[%ld,%ld] = %g", (long)r, (long)j, h[r]);
            if (!(P->G[r + r * k] > 0))
                ck_assert_msg(h[r] == 0.0, "zero column, h = %g", h[r]);
            else if (h[r] == 0)
                ck_assert_msg(g >= -tol, "col %ld var %ld: g = %g < -%g", (long)j, (long)r, g,
                              tol);
            else
                ck_assert_msg(fabs(g) <= tol, "col %ld var %ld: |g| = %g > %g", (long)j, (long)r,
                              fabs(g), tol);
            if (h[r] > 0)
                ck_assert(passive[j] & ((uint64_t)1 << r));
            if (!(passive[j] & ((uint64_t)1 << r)))
                ck_assert(h[r] == 0.0);
        }
        if (k < 64)
            ck_assert(passive[j] >> k == 0);
    }
}

static double objective(const double *G, int64_t k, const double *c, const double *h)
{
    double f = 0;
    for (int64_t r = 0; r < k; r++) {
        double gh = 0;
        for (int64_t q = 0; q < k; q++)
            gh += G[r + q * k] * h[q];
        f += h[r] * (0.5 * gh - c[r]);
    }
    return f;
}

/* max |A - B| / max |B| over the k x n blocks. */
static double rel_diff(const double *A, int64_t lda, const double *B, int64_t ldb, int64_t k,
                       int64_t n)
{
    double d = 0, m = 0;
    for (int64_t j = 0; j < n; j++)
        for (int64_t r = 0; r < k; r++) {
            double a = A[r + j * lda], b = B[r + j * ldb];
            if (!(fabs(a - b) <= d))
                d = fabs(a - b);
            m = fmax(m, fabs(b));
        }
    return m > 0 ? d / m : d;
}

static uint64_t *masks(int64_t n, uint64_t value)
{
    uint64_t *m = malloc((size_t)(n + 1) * sizeof *m);
    for (int64_t j = 0; j < n; j++)
        m[j] = value;
    return m;
}

/* ---- 1. the Lawson-Hanson reference ---- */

static void golden_case(const char *name)
{
    char buf[1024];
    tu_table t;
    ck_assert_msg(tu_read_tsv(tu_golden_path(name, buf, sizeof buf), &t) == 0, "read %s", name);
    int64_t k = t.cols - 2, n = 0;
    const double *kind = tu_colp(&t, 0);
    for (int64_t i = 0; i < t.rows; i++)
        n += kind[i] == 1;
    ck_assert_int_eq(t.rows, k + 2 * n);
    prob P = {.k = k, .n = n, .ldc = k};
    P.G = malloc((size_t)(k * k) * sizeof(double));
    P.C = malloc((size_t)(k * n) * sizeof(double));
    double *Href = malloc((size_t)(k * n) * sizeof(double));
    for (int64_t i = 0; i < t.rows; i++) {
        int64_t j = (int64_t)tu_colp(&t, 1)[i];
        double *dst = kind[i] == 0 ? P.G : kind[i] == 1 ? P.C : Href;
        for (int64_t r = 0; r < k; r++)
            dst[r + j * k] = tu_colp(&t, 2 + r)[i];
    }
    double *H = malloc((size_t)(k * n) * sizeof(double));
    /* cold starts from both ends */
    for (int all = 0; all < 2; all++) {
        uint64_t *pas = masks(n, all ? ~(uint64_t)0 : 0);
        dsv_bpp_stats st;
        ck_assert_int_eq(run(&P, H, k, pas, &st), DESURV_OK);
        double d = rel_diff(H, k, Href, k, k, n);
        ck_assert_msg(d <= 1e-10, "%s: relative difference %g", name, d);
        check_kkt(&P, H, k, pas, 1e-12);
        ck_assert_int_eq(st.fallbacks, 0);
        free(pas);
    }
    free(H);
    free(Href);
    prob_free(&P);
    tu_table_free(&t);
}

START_TEST(test_golden_k1)
{
    golden_case("nnls_k1.tsv");
}
END_TEST

START_TEST(test_golden_k3)
{
    golden_case("nnls_k3.tsv");
}
END_TEST

START_TEST(test_golden_k8_collinear)
{
    golden_case("nnls_k8.tsv");
}
END_TEST

START_TEST(test_golden_k20)
{
    golden_case("nnls_k20.tsv");
}
END_TEST

/* ---- 2-3. KKT from cold, warm and garbage starts ---- */

static const struct {
    int64_t k, n;
    double shift;
} random_cases[] = {{2, 300, 0.3}, {5, 600, 0.5}, {12, 700, 1.0}, {30, 400, 2.0}, {64, 300, 3.0}};

START_TEST(test_kkt_cold_and_warm)
{
    int64_t k = random_cases[_i].k, n = random_cases[_i].n, ldc = k + 3, ldh = k + 2;
    prob P = make_prob(k, n, ldc, 100 + (uint64_t)_i, random_cases[_i].shift);
    double *H = malloc((size_t)(ldh * n) * sizeof(double));
    for (int64_t i = 0; i < ldh * n; i++)
        H[i] = -7.0; /* the padding rows must survive */
    uint64_t *pas = masks(n, 0);
    dsv_bpp_stats st;
    ck_assert_int_eq(run(&P, H, ldh, pas, &st), DESURV_OK);
    check_kkt(&P, H, ldh, pas, 1e-12);
    ck_assert_int_eq(st.fallbacks, 0);
    for (int64_t j = 0; j < n; j++)
        for (int64_t r = k; r < ldh; r++)
            ck_assert(H[r + j * ldh] == -7.0);

    /* all-ones cold start: the same solutions */
    double *H1 = malloc((size_t)(ldh * n) * sizeof(double));
    uint64_t *pas1 = masks(n, ~(uint64_t)0);
    ck_assert_int_eq(run(&P, H1, ldh, pas1, &st), DESURV_OK);
    check_kkt(&P, H1, ldh, pas1, 1e-12);
    ck_assert_msg(rel_diff(H1, ldh, H, ldh, k, n) <= 1e-10, "%g", rel_diff(H1, ldh, H, ldh, k, n));

    /* perturb C by ~5% and warm start from the previous passive sets */
    dsv_rng rng;
    dsv_rng_seed(&rng, 5, (uint64_t)_i);
    for (int64_t j = 0; j < n; j++)
        for (int64_t r = 0; r < k; r++)
            P.C[r + j * ldc] *= 1.0 + 0.05 * dsv_rng_normal(&rng);
    dsv_bpp_stats warm;
    ck_assert_int_eq(run(&P, H, ldh, pas, &warm), DESURV_OK);
    check_kkt(&P, H, ldh, pas, 1e-12);
    uint64_t *cold = masks(n, 0);
    ck_assert_int_eq(run(&P, H1, ldh, cold, &st), DESURV_OK);
    ck_assert_msg(rel_diff(H, ldh, H1, ldh, k, n) <= 1e-10, "%g", rel_diff(H, ldh, H1, ldh, k, n));
    ck_assert_msg(warm.passes <= st.passes, "warm %ld rounds, cold %ld", (long)warm.passes,
                  (long)st.passes);
    free(cold);
    free(pas1);
    free(H1);
    free(pas);
    free(H);
    prob_free(&P);
}
END_TEST

START_TEST(test_warm_exact_one_round)
{
    int64_t k = 10, n = 500;
    prob P = make_prob(k, n, k, 31, 1.0);
    double *H = malloc((size_t)(k * n) * sizeof(double));
    double *H2 = malloc((size_t)(k * n) * sizeof(double));
    uint64_t *pas = masks(n, 0);
    dsv_bpp_stats st;
    ck_assert_int_eq(run(&P, H, k, pas, &st), DESURV_OK);
    ck_assert_int_gt(st.passes, 1);
    uint64_t *pas2 = malloc((size_t)n * sizeof *pas2);
    memcpy(pas2, pas, (size_t)n * sizeof *pas2);
    ck_assert_int_eq(run(&P, H2, k, pas2, &st), DESURV_OK);
    ck_assert_int_eq(st.passes, 1);
    ck_assert(memcmp(pas, pas2, (size_t)n * sizeof *pas) == 0);
    ck_assert(rel_diff(H2, k, H, k, k, n) <= 1e-13);
    free(pas2);
    free(pas);
    free(H2);
    free(H);
    prob_free(&P);
}
END_TEST

START_TEST(test_garbage_warm_start)
{
    int64_t k = 16, n = 400;
    prob P = make_prob(k, n, k, 41, 1.5);
    double *H = malloc((size_t)(k * n) * sizeof(double));
    double *H2 = malloc((size_t)(k * n) * sizeof(double));
    uint64_t *pas = masks(n, 0), *junk = masks(n, 0);
    ck_assert_int_eq(run(&P, H, k, pas, NULL), DESURV_OK);
    dsv_rng rng;
    dsv_rng_seed(&rng, 9, 9);
    for (int64_t j = 0; j < n; j++)
        junk[j] = dsv_rng_next(&rng); /* bits >= k included: they must be ignored */
    ck_assert_int_eq(run(&P, H2, k, junk, NULL), DESURV_OK);
    check_kkt(&P, H2, k, junk, 1e-12);
    ck_assert(rel_diff(H2, k, H, k, k, n) <= 1e-10);
    free(junk);
    free(pas);
    free(H2);
    free(H);
    prob_free(&P);
}
END_TEST

/* The same inputs, warm start included, give bitwise the same outputs. */
START_TEST(test_deterministic)
{
    int64_t k = 12, n = 900;
    prob P = make_prob(k, n, k, 51, 1.0);
    double *H[2];
    uint64_t *pas[2];
    dsv_rng rng;
    for (int t = 0; t < 2; t++) {
        H[t] = malloc((size_t)(k * n) * sizeof(double));
        pas[t] = masks(n, 0);
        dsv_rng_seed(&rng, 3, 3);
        for (int64_t j = 0; j < n; j++)
            pas[t][j] = dsv_rng_next(&rng);
        ck_assert_int_eq(run(&P, H[t], k, pas[t], NULL), DESURV_OK);
    }
    ck_assert(memcmp(H[0], H[1], (size_t)(k * n) * sizeof(double)) == 0);
    ck_assert(memcmp(pas[0], pas[1], (size_t)n * sizeof(uint64_t)) == 0);
    for (int t = 0; t < 2; t++) {
        free(H[t]);
        free(pas[t]);
    }
    prob_free(&P);
}
END_TEST

/* ---- 4. semidefinite G ---- */

/* The problem without variables drop_a and drop_b (-1: none). */
static prob reduced(const prob *P, int64_t drop_a, int64_t drop_b)
{
    int64_t k = P->k, kr = 0, keep[DSV_BPP_MAX_K];
    for (int64_t r = 0; r < k; r++)
        if (r != drop_a && r != drop_b)
            keep[kr++] = r;
    prob R = {.k = kr, .n = P->n, .ldc = kr};
    R.G = malloc((size_t)(kr * kr) * sizeof(double));
    R.C = malloc((size_t)(kr * P->n + 1) * sizeof(double));
    for (int64_t a = 0; a < kr; a++)
        for (int64_t b = 0; b < kr; b++)
            R.G[a + b * kr] = P->G[keep[a] + keep[b] * k];
    for (int64_t j = 0; j < P->n; j++)
        for (int64_t a = 0; a < kr; a++)
            R.C[a + j * kr] = P->C[keep[a] + j * P->ldc];
    return R;
}

/* Column 3 of W duplicates column 0 exactly (_i = 0) or to 1e-9 (_i = 1,
 * numerically the same: the computed G_FF is singular or indefinite);
 * column 5 is zero. */
START_TEST(test_semidefinite)
{
    int64_t k = 7, n = 300;
    prob P = make_prob_dup(k, n, k, 61, 0.8, 3, _i ? 1e-9 : 0.0, 5);
    double *H = malloc((size_t)(k * n) * sizeof(double));
    for (int start = 0; start < 2; start++) {
        uint64_t *pas = masks(n, start ? ~(uint64_t)0 : 0);
        dsv_bpp_stats st;
        ck_assert_int_eq(run(&P, H, k, pas, &st), DESURV_OK);
        ck_assert_int_gt(st.dropped, 0); /* the dependent-variable path was taken */
        ck_assert_int_eq(st.fallbacks, 0);
        /* a near duplicate leaves the dropped variable's gradient small, not
         * at rounding level (see lib/linalg/nnls_bpp.h) */
        check_kkt(&P, H, k, pas, _i ? 1e-8 : 1e-10);
        /* the duplicate and the zero column add nothing: same optimum */
        prob R = reduced(&P, 3, 5);
        double *HR = malloc((size_t)(R.k * n) * sizeof(double));
        uint64_t *pr = masks(n, 0);
        ck_assert_int_eq(run(&R, HR, R.k, pr, &st), DESURV_OK);
        ck_assert_int_eq(st.fallbacks, 0);
        for (int64_t j = 0; j < n; j++) {
            double f = objective(P.G, k, P.C + j * k, H + j * k);
            double fr = objective(R.G, R.k, R.C + j * R.k, HR + j * R.k);
            ck_assert_msg(fabs(f - fr) <= 1e-10 * fmax(fabs(fr), 1e-300) || f == fr,
                          "col %ld: %.17g vs %.17g", (long)j, f, fr);
        }
        free(pr);
        free(HR);
        prob_free(&R);
        free(pas);
    }
    free(H);
    prob_free(&P);
}
END_TEST

/* A round cap of 1 sends every column that needs a second exchange to the
 * coordinate-descent fallback: the same solutions. */
START_TEST(test_fallback)
{
    int64_t k = 12, n = 400;
    prob P = make_prob(k, n, k, 71, 1.0);
    double *H = malloc((size_t)(k * n) * sizeof(double));
    double *H2 = malloc((size_t)(k * n) * sizeof(double));
    uint64_t *pas = masks(n, 0), *pas2 = masks(n, 0);
    dsv_bpp_stats st;
    ck_assert_int_eq(run(&P, H, k, pas, &st), DESURV_OK);
    ck_assert_int_eq(st.fallbacks, 0);
    ck_assert_int_eq(run_cap(&P, H2, k, pas2, 1, &st), DESURV_OK);
    ck_assert_int_gt(st.fallbacks, n / 4);
    check_kkt(&P, H2, k, pas2, 1e-12);
    ck_assert_msg(rel_diff(H2, k, H, k, k, n) <= 1e-10, "%g", rel_diff(H2, k, H, k, k, n));
    free(pas2);
    free(pas);
    free(H2);
    free(H);
    prob_free(&P);
}
END_TEST

/* G = 0 (W = 0, so C = 0): every variable is held at zero. */
START_TEST(test_zero_gram)
{
    int64_t k = 4, n = 5;
    double G[16] = {0}, C[20] = {0}, H[20];
    uint64_t pas[5] = {15, 0, 3, 15, 1};
    double work[128];
    int64_t iwork[128];
    ck_assert_int_le(dsv_bpp_work_size(k, n), 128);
    ck_assert_int_le(dsv_bpp_iwork_size(k, n), 128);
    ck_assert_int_eq(dsv_nnls_bpp(G, k, C, k, n, H, k, pas, work, iwork), DESURV_OK);
    for (int64_t i = 0; i < k * n; i++)
        ck_assert(H[i] == 0.0);
    for (int64_t j = 0; j < n; j++)
        ck_assert(pas[j] == 0);
}
END_TEST

/* ---- 5. edge cases ---- */

START_TEST(test_edges)
{
    double G[4] = {2.0, 0.5, 0.5, 1.0}, C[6] = {1, 1, -1, 2, 3, -3}, H[6];
    uint64_t pas[6] = {0, 1, 1, 0, 0, 1};
    double work[64];
    int64_t iwork[64];
    /* n = 0: nothing to do, nothing touched */
    ck_assert_int_eq(dsv_nnls_bpp(G, 2, C, 2, 0, NULL, 2, NULL, work, iwork), DESURV_OK);
    /* k = 1: h = max(0, c / g) */
    ck_assert_int_le(dsv_bpp_work_size(1, 6), 64);
    ck_assert_int_le(dsv_bpp_iwork_size(1, 6), 64);
    ck_assert_int_eq(dsv_nnls_bpp(G, 1, C, 1, 6, H, 1, pas, work, iwork), DESURV_OK);
    for (int j = 0; j < 6; j++) {
        double want = fmax(0.0, C[j] / 2.0);
        ck_assert_msg(fabs(H[j] - want) <= 1e-15 * want, "%g vs %g", H[j], want);
        ck_assert(pas[j] == (C[j] > 0 ? 1u : 0u));
        if (C[j] <= 0)
            ck_assert(H[j] == 0.0);
    }
    /* k = 1 with G = 0: held at zero */
    double Z = 0.0;
    ck_assert_int_eq(dsv_nnls_bpp(&Z, 1, C, 1, 6, H, 1, pas, work, iwork), DESURV_OK);
    for (int j = 0; j < 6; j++)
        ck_assert(H[j] == 0.0 && pas[j] == 0);
}
END_TEST

START_TEST(test_errors)
{
    double G[4] = {2.0, 0.5, 0.5, 1.0}, C[6] = {1, 1, -1, 2, 3, -3}, H[6];
    uint64_t pas[3] = {0, 0, 0};
    double work[64];
    int64_t iwork[64];
    for (int i = 0; i < 6; i++)
        H[i] = 42.0;
    G[1] = G[2] = NAN;
    ck_assert_int_eq(dsv_nnls_bpp(G, 2, C, 2, 3, H, 2, pas, work, iwork), DESURV_E_NUMERIC);
    G[1] = G[2] = 0.5;
    G[3] = INFINITY;
    ck_assert_int_eq(dsv_nnls_bpp(G, 2, C, 2, 3, H, 2, pas, work, iwork), DESURV_E_NUMERIC);
    G[3] = 1.0;
    C[4] = -INFINITY;
    ck_assert_int_eq(dsv_nnls_bpp(G, 2, C, 2, 3, H, 2, pas, work, iwork), DESURV_E_NUMERIC);
    for (int i = 0; i < 6; i++)
        ck_assert(H[i] == 42.0); /* nothing written on error */
    C[4] = 3;
    ck_assert_int_eq(dsv_nnls_bpp(G, 0, C, 2, 3, H, 2, pas, work, iwork), DESURV_E_DIM);
    ck_assert_int_eq(dsv_nnls_bpp(G, 65, C, 65, 3, H, 65, pas, work, iwork), DESURV_E_DIM);
    ck_assert_int_eq(dsv_nnls_bpp(G, 2, C, 2, -1, H, 2, pas, work, iwork), DESURV_E_DIM);
    ck_assert_int_eq(dsv_nnls_bpp(G, 2, C, 1, 3, H, 2, pas, work, iwork), DESURV_E_LD);
    ck_assert_int_eq(dsv_nnls_bpp(G, 2, C, 2, 3, H, 1, pas, work, iwork), DESURV_E_LD);
    ck_assert_int_eq(dsv_nnls_bpp(G, 2, C, 2, 3, H, 2, pas, work, iwork), DESURV_OK);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("bpp");
    TCase *tc = tcase_create("golden");
    tcase_add_test(tc, test_golden_k1);
    tcase_add_test(tc, test_golden_k3);
    tcase_add_test(tc, test_golden_k8_collinear);
    tcase_add_test(tc, test_golden_k20);
    suite_add_tcase(s, tc);

    tc = tcase_create("pivoting");
    tcase_add_loop_test(tc, test_kkt_cold_and_warm, 0,
                        (int)(sizeof random_cases / sizeof random_cases[0]));
    tcase_add_test(tc, test_warm_exact_one_round);
    tcase_add_test(tc, test_garbage_warm_start);
    tcase_add_test(tc, test_deterministic);
    suite_add_tcase(s, tc);

    tc = tcase_create("degenerate");
    tcase_add_loop_test(tc, test_semidefinite, 0, 2);
    tcase_add_test(tc, test_fallback);
    tcase_add_test(tc, test_zero_gram);
    tcase_add_test(tc, test_edges);
    tcase_add_test(tc, test_errors);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}
