/* test_preprocess.c - desurv_log2p1, desurv_gene_filter,
 * desurv_transform_rank, desurv_quantile_target, desurv_transform_quantile
 * (public ABI).
 *
 * Expected values are computed by hand in the comments (they are what R's
 * rank(ties.method = "average"), order() and preprocessCore's
 * normalize.quantiles give on the same numbers), plus a brute-force O(p^2)
 * average rank on random data with many ties, and the argument contract
 * (nothing is written when a call fails). */
#include "desurv/desurv.h"

#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define EPS 1e-14

/* ---- desurv_log2p1 ---- */

START_TEST(log2p1_values)
{
    /* 2 x 2 with ldx 3: the padding row must stay as it was. */
    double X[6] = {0, 1, -99, 3, 0.5, -99};
    ck_assert_int_eq(desurv_log2p1(X, 2, 2, 3), DESURV_OK);
    ck_assert_double_eq(X[0], 0.0);
    ck_assert_double_eq(X[1], 1.0);
    ck_assert_double_eq(X[3], 2.0);
    ck_assert_double_eq_tol(X[4], 0.5849625007211562, EPS);
    ck_assert_double_eq(X[2], -99);
    ck_assert_double_eq(X[5], -99);
}
END_TEST

START_TEST(log2p1_refuses)
{
    double X[4] = {1, 2, -0.5, 4}, copy[4];
    memcpy(copy, X, sizeof X);
    ck_assert_int_eq(desurv_log2p1(X, 2, 2, 2), DESURV_E_NEGATIVE);
    ck_assert_mem_eq(X, copy, sizeof X); /* untouched */
    X[2] = NAN;
    ck_assert_int_eq(desurv_log2p1(X, 2, 2, 2), DESURV_E_NONFINITE);
    ck_assert_int_eq(desurv_log2p1(NULL, 2, 2, 2), DESURV_E_NULL);
    ck_assert_int_eq(desurv_log2p1(copy, 0, 2, 2), DESURV_E_DIM);
    ck_assert_int_eq(desurv_log2p1(copy, 2, 2, 1), DESURV_E_LD);
}
END_TEST

/* ---- desurv_gene_filter ---- */

/* 4 genes x 3 samples:
 *   g0: 1 1 1   mean 1  var 0
 *   g1: 0 2 4   mean 2  var 4
 *   g2: 5 5 5   mean 5  var 0
 *   g3: 1 3 2   mean 2  var 1
 * rank(-mean) = 4, 2.5, 1, 2.5;  rank(-var) = 3.5, 1, 3.5, 2
 * sums        = 7.5, 3.5, 4.5, 4.5
 * order(sums) = g1, g2, g3, g0 (g2 before g3: equal sums, lower index). */
static const double filter_X[12] = {1, 0, 5, 1, 1, 2, 5, 3, 1, 4, 5, 2};

START_TEST(gene_filter_hand)
{
    int64_t keep[4] = {-1, -1, -1, -1};
    ck_assert_int_eq(desurv_gene_filter(filter_X, 4, 3, 4, 1, keep), DESURV_OK);
    ck_assert_int_eq(keep[0], 1);
    ck_assert_int_eq(desurv_gene_filter(filter_X, 4, 3, 4, 2, keep), DESURV_OK);
    ck_assert_int_eq(keep[0], 1);
    ck_assert_int_eq(keep[1], 2);
    ck_assert_int_eq(desurv_gene_filter(filter_X, 4, 3, 4, 3, keep), DESURV_OK);
    ck_assert_int_eq(keep[0], 1); /* ascending index order */
    ck_assert_int_eq(keep[1], 2);
    ck_assert_int_eq(keep[2], 3);
    ck_assert_int_eq(desurv_gene_filter(filter_X, 4, 3, 4, 4, keep), DESURV_OK);
    for (int g = 0; g < 4; g++)
        ck_assert_int_eq(keep[g], g);
}
END_TEST

START_TEST(gene_filter_ld_and_errors)
{
    /* The same matrix with ldx 5 (a garbage row that must not be read). */
    double X[15];
    for (int j = 0; j < 3; j++) {
        for (int g = 0; g < 4; g++)
            X[g + 5 * j] = filter_X[g + 4 * j];
        X[4 + 5 * j] = 1e300;
    }
    int64_t keep[4] = {-1, -1, -1, -1};
    ck_assert_int_eq(desurv_gene_filter(X, 4, 3, 5, 2, keep), DESURV_OK);
    ck_assert_int_eq(keep[0], 1);
    ck_assert_int_eq(keep[1], 2);
    ck_assert_int_eq(desurv_gene_filter(X, 4, 3, 5, 0, keep), DESURV_E_DIM);
    ck_assert_int_eq(desurv_gene_filter(X, 4, 3, 5, 5, keep), DESURV_E_DIM);
    ck_assert_int_eq(desurv_gene_filter(X, 4, 3, 5, 2, NULL), DESURV_E_NULL);
    ck_assert_int_eq(desurv_gene_filter(NULL, 4, 3, 5, 2, keep), DESURV_E_NULL);
    X[7] = INFINITY;
    ck_assert_int_eq(desurv_gene_filter(X, 4, 3, 5, 2, keep), DESURV_E_NONFINITE);
    /* n = 1: variance 0 for every gene, so the mean decides. */
    double one[3] = {2, 7, 5};
    ck_assert_int_eq(desurv_gene_filter(one, 3, 1, 3, 1, keep), DESURV_OK);
    ck_assert_int_eq(keep[0], 1);
}
END_TEST

/* ---- desurv_transform_rank ---- */

START_TEST(rank_hand)
{
    /* Three samples of 5 genes, ldx 6 (padding -7):
     *  3 1 4 1 5    -> 3 1.5 4 1.5 5
     *  2 2 2 2 2    -> 3 3 3 3 3
     * -1 0 -1 2 2   -> 1.5 3 1.5 4.5 4.5   (negative values allowed) */
    double X[18] = {3, 1, 4, 1, 5, -7, 2, 2, 2, 2, 2, -7, -1, 0, -1, 2, 2, -7};
    const double want[18] = {3, 1.5, 4, 1.5, 5, -7, 3, 3, 3, 3, 3, -7,
                             1.5, 3, 1.5, 4.5, 4.5, -7};
    ck_assert_int_eq(desurv_transform_rank(X, 5, 3, 6), DESURV_OK);
    for (int i = 0; i < 18; i++)
        ck_assert_double_eq(X[i], want[i]);
}
END_TEST

/* R's average rank by definition: 1 + #(smaller) + (#(equal) - 1) / 2. */
static double brute_rank(const double *v, int64_t p, int64_t g)
{
    double less = 0, eq = 0;
    for (int64_t h = 0; h < p; h++) {
        less += v[h] < v[g];
        eq += v[h] == v[g];
    }
    return 1 + less + (eq - 1) / 2;
}

START_TEST(rank_random_ties)
{
    enum { P = 301, N = 4 };
    double *X = malloc(sizeof(double) * P * N), *Y = malloc(sizeof(double) * P * N);
    ck_assert_ptr_nonnull(X);
    ck_assert_ptr_nonnull(Y);
    uint64_t s = 12345;
    for (int i = 0; i < P * N; i++) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        X[i] = (double)((s >> 33) % 17); /* 17 distinct values: many ties */
    }
    memcpy(Y, X, sizeof(double) * P * N);
    ck_assert_int_eq(desurv_transform_rank(Y, P, N, P), DESURV_OK);
    for (int j = 0; j < N; j++)
        for (int g = 0; g < P; g++)
            ck_assert_double_eq(Y[g + j * P], brute_rank(X + j * P, P, g));
    free(X);
    free(Y);
}
END_TEST

START_TEST(rank_refuses)
{
    double X[3] = {1, NAN, 2};
    ck_assert_int_eq(desurv_transform_rank(X, 3, 1, 3), DESURV_E_NONFINITE);
    ck_assert_double_eq(X[0], 1); /* untouched */
    ck_assert_double_eq(X[2], 2);
    ck_assert_int_eq(desurv_transform_rank(NULL, 3, 1, 3), DESURV_E_NULL);
    ck_assert_int_eq(desurv_transform_rank(X, 3, 0, 3), DESURV_E_DIM);
}
END_TEST

/* ---- quantile normalisation ---- */

/* Genes I..IV x samples A, B, C:
 *        A  B  C
 *   I    5  4  3
 *   II   2  1  4
 *   III  3  4  6
 *   IV   4  2  8
 * sorted columns: A 2 3 4 5, B 1 2 4 4, C 3 4 6 8
 * target = row means = 2, 3, 14/3, 17/3
 * A ranks 4 1 2 3        -> 17/3 2 3 14/3
 * B ranks 3.5 1 3.5 2    -> 31/6 2 31/6 3    (31/6 = (14/3 + 17/3) / 2)
 * C ranks 1 2 3 4        -> 2 3 14/3 17/3 */
static const double qn_X[12] = {5, 2, 3, 4, 4, 1, 4, 2, 3, 4, 6, 8};

START_TEST(quantile_hand)
{
    double target[4], X[12];
    memcpy(X, qn_X, sizeof X);
    ck_assert_int_eq(desurv_quantile_target(X, 4, 3, 4, target), DESURV_OK);
    const double want_t[4] = {2, 3, 14.0 / 3, 17.0 / 3};
    for (int i = 0; i < 4; i++)
        ck_assert_double_eq_tol(target[i], want_t[i], EPS);
    ck_assert_int_eq(desurv_transform_quantile(X, 4, 3, 4, target), DESURV_OK);
    const double want[12] = {17.0 / 3, 2, 3, 14.0 / 3, 31.0 / 6, 2, 31.0 / 6, 3,
                             2, 3, 14.0 / 3, 17.0 / 3};
    for (int i = 0; i < 12; i++)
        ck_assert_double_eq_tol(X[i], want[i], EPS);
}
END_TEST

START_TEST(quantile_new_data)
{
    /* A stored target applied to new samples: only their ranks matter. */
    const double target[3] = {0.5, 1.0, 9.0};
    double X[6] = {100, -3, 7, 2, 2, 2};
    ck_assert_int_eq(desurv_transform_quantile(X, 3, 2, 3, target), DESURV_OK);
    ck_assert_double_eq(X[0], 9.0);
    ck_assert_double_eq(X[1], 0.5);
    ck_assert_double_eq(X[2], 1.0);
    for (int g = 3; g < 6; g++) /* three ties: rank 2, target[1] */
        ck_assert_double_eq(X[g], 1.0);
}
END_TEST

START_TEST(quantile_refuses)
{
    double X[4] = {1, 2, 3, 4}, copy[4];
    memcpy(copy, X, sizeof X);
    const double bad[2] = {2, 1}, nan_t[2] = {0, NAN};
    double t[2];
    ck_assert_int_eq(desurv_transform_quantile(X, 2, 2, 2, bad), DESURV_E_RANGE);
    ck_assert_int_eq(desurv_transform_quantile(X, 2, 2, 2, nan_t), DESURV_E_NONFINITE);
    ck_assert_int_eq(desurv_transform_quantile(X, 2, 2, 2, NULL), DESURV_E_NULL);
    ck_assert_mem_eq(X, copy, sizeof X);
    ck_assert_int_eq(desurv_quantile_target(X, 2, 2, 2, NULL), DESURV_E_NULL);
    ck_assert_int_eq(desurv_quantile_target(X, 2, 2, 1, t), DESURV_E_LD);
    X[3] = -INFINITY;
    ck_assert_int_eq(desurv_quantile_target(X, 2, 2, 2, t), DESURV_E_NONFINITE);
}
END_TEST

static Suite *preprocess_suite(void)
{
    Suite *s = suite_create("preprocess");
    TCase *tc = tcase_create("preprocess");
    tcase_add_test(tc, log2p1_values);
    tcase_add_test(tc, log2p1_refuses);
    tcase_add_test(tc, gene_filter_hand);
    tcase_add_test(tc, gene_filter_ld_and_errors);
    tcase_add_test(tc, rank_hand);
    tcase_add_test(tc, rank_random_ties);
    tcase_add_test(tc, rank_refuses);
    tcase_add_test(tc, quantile_hand);
    tcase_add_test(tc, quantile_new_data);
    tcase_add_test(tc, quantile_refuses);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run_suite(preprocess_suite());
}
