/* test_folds.c - cross-validation folds: balance of sizes, of events and of
 * (stratum, event) cells for every K in 2..10 and n in K..60, determinism
 * in the seed, arbitrary stratum labels, validation of user folds with
 * their messages, and the count of folds without events. */
#include "tune/folds.h"

#include "desurv/desurv.h"
#include "testutil.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

/* ---- local deterministic generator (tests must not depend on rand()) ---- */

typedef struct gen {
    uint64_t s;
} gen;

static uint64_t gen_next(gen *g)
{
    uint64_t z = (g->s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Uniform integer in [0, m). The modulo bias is irrelevant here. */
static int64_t gen_int(gen *g, int64_t m)
{
    return (int64_t)(gen_next(g) % (uint64_t)m);
}

/* ---- balance checks ---- */

/* max - min over K counts of the samples i with sel(i) in each fold. */
static int64_t spread(const int32_t *fold, int64_t n, int64_t K, const int32_t *sel)
{
    int64_t *cnt = calloc((size_t)K, sizeof *cnt);
    ck_assert_ptr_nonnull(cnt);
    for (int64_t i = 0; i < n; i++) {
        ck_assert(fold[i] >= 0 && fold[i] < K);
        if (!sel || sel[i])
            cnt[fold[i]]++;
    }
    int64_t lo = cnt[0], hi = cnt[0];
    for (int64_t j = 1; j < K; j++) {
        lo = cnt[j] < lo ? cnt[j] : lo;
        hi = cnt[j] > hi ? cnt[j] : hi;
    }
    free(cnt);
    return hi - lo;
}

/* Every (strata[i], event[i]) cell spreads over the folds within 1. */
static void assert_cells_balanced(const int32_t *fold, const int32_t *event,
                                  const int32_t *strata, int64_t n, int64_t K)
{
    int32_t *sel = malloc((size_t)n * sizeof *sel);
    ck_assert_ptr_nonnull(sel);
    for (int64_t c = 0; c < n; c++) {
        /* Cell of sample c (visited once per sample: cheap at these n). */
        for (int64_t i = 0; i < n; i++)
            sel[i] = event[i] == event[c] && (!strata || strata[i] == strata[c]);
        ck_assert_int_le(spread(fold, n, K, sel), 1);
    }
    free(sel);
}

static void fill_events(gen *g, int32_t *event, int64_t n, int pattern)
{
    for (int64_t i = 0; i < n; i++)
        event[i] = pattern == 0 ? gen_int(g, 10) < 6 : pattern == 1 ? 1 : 0;
}

START_TEST(test_balance_all_k)
{
    gen g = {42};
    int32_t event[60], fold[60];
    for (int64_t K = 2; K <= 10; K++) {
        for (int64_t n = K; n <= 60; n++) {
            for (int pattern = 0; pattern < 3; pattern++) {
                fill_events(&g, event, n, pattern);
                uint64_t seed = gen_next(&g);
                ck_assert_int_eq(dsv_make_folds(n, event, NULL, K, seed, fold), DESURV_OK);
                ck_assert_int_le(spread(fold, n, K, NULL), 1);
                ck_assert_int_le(spread(fold, n, K, event), 1);
                assert_cells_balanced(fold, event, NULL, n, K);
            }
        }
    }
}
END_TEST

/* Stratum labels are arbitrary int32: negative, sparse, the extremes. */
START_TEST(test_balance_strata)
{
    static const int32_t labels[] = {-7, 1000, INT32_MIN, INT32_MAX, 3, 0};
    gen g = {7};
    int32_t event[60], strata[60], fold[60];
    for (int64_t K = 2; K <= 10; K++) {
        for (int64_t n = K; n <= 60; n++) {
            fill_events(&g, event, n, 0);
            for (int64_t i = 0; i < n; i++)
                strata[i] = labels[gen_int(&g, 6)];
            ck_assert_int_eq(dsv_make_folds(n, event, strata, K, gen_next(&g), fold),
                             DESURV_OK);
            ck_assert_int_le(spread(fold, n, K, NULL), 1);
            assert_cells_balanced(fold, event, strata, n, K);
        }
    }
}
END_TEST

/* Stratification is by the pair (stratum, event): a stratum made only of
 * events and one only of censorings each spread evenly. */
START_TEST(test_strata_hand_made)
{
    /* 6 samples of stratum -1 (all events) and 6 of stratum 5 (none). */
    int32_t event[12], strata[12], fold[12];
    for (int i = 0; i < 12; i++) {
        strata[i] = i % 2 ? -1 : 5;
        event[i] = i % 2;
    }
    ck_assert_int_eq(dsv_make_folds(12, event, strata, 3, 1, fold), DESURV_OK);
    int cnt[3][2] = {{0}};
    for (int i = 0; i < 12; i++)
        cnt[fold[i]][event[i]]++;
    for (int j = 0; j < 3; j++) {
        ck_assert_int_eq(cnt[j][0], 2);
        ck_assert_int_eq(cnt[j][1], 2);
    }
}
END_TEST

START_TEST(test_determinism)
{
    gen g = {3};
    int32_t event[60], strata[60], a[60], b[60];
    fill_events(&g, event, 60, 0);
    for (int i = 0; i < 60; i++)
        strata[i] = (int32_t)gen_int(&g, 3) - 1;
    for (int s = 0; s < 2; s++) {
        const int32_t *st = s ? strata : NULL;
        ck_assert_int_eq(dsv_make_folds(60, event, st, 5, 123, a), DESURV_OK);
        ck_assert_int_eq(dsv_make_folds(60, event, st, 5, 123, b), DESURV_OK);
        ck_assert(memcmp(a, b, sizeof a) == 0);
        /* 60 samples in 5 folds: a repeat under another seed has
         * probability far below 1e-30. */
        ck_assert_int_eq(dsv_make_folds(60, event, st, 5, 124, b), DESURV_OK);
        ck_assert(memcmp(a, b, sizeof a) != 0);
    }
}
END_TEST

/* The samples are shuffled, not dealt in input order. */
START_TEST(test_shuffled)
{
    int32_t event[40] = {0}, fold[40];
    ck_assert_int_eq(dsv_make_folds(40, event, NULL, 4, 9, fold), DESURV_OK);
    int in_order = 1;
    for (int i = 0; i < 40; i++)
        in_order &= fold[i] == i % 4;
    ck_assert(!in_order);
}
END_TEST

START_TEST(test_make_folds_dims)
{
    int32_t event[5] = {1, 0, 1, 0, 1}, fold[5];
    ck_assert_int_eq(dsv_make_folds(5, event, NULL, 1, 0, fold), DESURV_E_DIM);
    ck_assert_int_eq(dsv_make_folds(5, event, NULL, 6, 0, fold), DESURV_E_DIM);
    ck_assert_int_eq(dsv_make_folds(0, event, NULL, 2, 0, fold), DESURV_E_DIM);
    /* K = n: leave-one-out. */
    ck_assert_int_eq(dsv_make_folds(5, event, NULL, 5, 0, fold), DESURV_OK);
    ck_assert_int_eq(spread(fold, 5, 5, NULL), 0);
}
END_TEST

/* ---- user folds ---- */

START_TEST(test_check_good)
{
    int32_t fold[7] = {2, 0, 1, 1, 0, 2, 2};
    char msg[256] = "";
    int64_t K = -1;
    ck_assert_int_eq(dsv_check_folds(fold, 7, &K, msg, sizeof msg), DESURV_OK);
    ck_assert_int_eq(K, 3);
    ck_assert_str_eq(msg, "");
}
END_TEST

START_TEST(test_check_out_of_range)
{
    char msg[256];
    int64_t K = -1;
    int32_t neg[6] = {0, 1, 0, 1, -3, -1};
    ck_assert_int_eq(dsv_check_folds(neg, 6, &K, msg, sizeof msg), DESURV_E_RANGE);
    ck_assert_int_eq(K, 0);
    ck_assert_ptr_nonnull(strstr(msg, "fold[4] = -3"));
    ck_assert_ptr_nonnull(strstr(msg, "sample index 4, 0-based"));
    /* A label >= n can never be valid: K folds need K samples. */
    int32_t big[4] = {0, 1, 7, 1};
    ck_assert_int_eq(dsv_check_folds(big, 4, &K, msg, sizeof msg), DESURV_E_RANGE);
    ck_assert_ptr_nonnull(strstr(msg, "fold[2] = 7"));
    ck_assert_ptr_nonnull(strstr(msg, "0 .. 3"));
}
END_TEST

START_TEST(test_check_empty_fold)
{
    char msg[256];
    int64_t K = -1;
    int32_t fold[6] = {0, 3, 3, 0, 2, 3};
    ck_assert_int_eq(dsv_check_folds(fold, 6, &K, msg, sizeof msg), DESURV_E_RANGE);
    ck_assert_int_eq(K, 0);
    ck_assert_ptr_nonnull(strstr(msg, "fold 1 is empty"));
    ck_assert_ptr_nonnull(strstr(msg, "K = 4"));
}
END_TEST

START_TEST(test_check_single_fold)
{
    char msg[256];
    int64_t K = -1;
    int32_t fold[3] = {0, 0, 0};
    ck_assert_int_eq(dsv_check_folds(fold, 3, &K, msg, sizeof msg), DESURV_E_RANGE);
    ck_assert_ptr_nonnull(strstr(msg, "at least 2 folds"));
    /* No message buffer: the status alone. */
    ck_assert_int_eq(dsv_check_folds(fold, 3, &K, NULL, 0), DESURV_E_RANGE);
    ck_assert_int_eq(dsv_check_folds(fold, 0, &K, msg, sizeof msg), DESURV_E_DIM);
}
END_TEST

/* Made folds always pass the user-fold check. */
START_TEST(test_check_made_folds)
{
    gen g = {11};
    int32_t event[60], fold[60];
    for (int64_t K = 2; K <= 10; K++) {
        fill_events(&g, event, 60, 0);
        ck_assert_int_eq(dsv_make_folds(60, event, NULL, K, (uint64_t)K, fold), DESURV_OK);
        int64_t k = 0;
        ck_assert_int_eq(dsv_check_folds(fold, 60, &k, NULL, 0), DESURV_OK);
        ck_assert_int_eq(k, K);
    }
}
END_TEST

/* ---- folds without events ---- */

START_TEST(test_without_events)
{
    int32_t fold[7] = {0, 0, 1, 1, 2, 2, 3};
    int32_t event[7] = {1, 0, 0, 0, 0, 1, 0};
    ck_assert_int_eq(dsv_folds_without_events(fold, event, 7, 4), 2);   /* folds 1, 3 */
    ck_assert_int_eq(dsv_folds_without_events(fold, event, 7, 5), 3);   /* + empty 4 */
    ck_assert_int_eq(dsv_folds_without_events(fold, event, 7, 20), 18); /* K > n */
    int32_t none[7] = {0};
    ck_assert_int_eq(dsv_folds_without_events(fold, none, 7, 4), 4);
    /* Stratified folds with at least K events: every fold gets one. */
    int32_t ev[10] = {0, 1, 0, 0, 1, 0, 0, 1, 0, 0}, f[10];
    ck_assert_int_eq(dsv_make_folds(10, ev, NULL, 3, 5, f), DESURV_OK);
    ck_assert_int_eq(dsv_folds_without_events(f, ev, 10, 3), 0);
    ck_assert_int_eq(dsv_make_folds(10, ev, NULL, 5, 5, f), DESURV_OK);
    ck_assert_int_eq(dsv_folds_without_events(f, ev, 10, 5), 2);
}
END_TEST

static Suite *folds_suite(void)
{
    Suite *s = suite_create("folds");
    /* The exhaustive sweeps (every K on every n): seconds natively, minutes
     * under valgrind, where the "slow" tag skips them. */
    TCase *sweep = tcase_create("sweeps");
    tcase_set_tags(sweep, "slow");
    tcase_set_timeout(sweep, 600);
    tcase_add_test(sweep, test_balance_all_k);
    tcase_add_test(sweep, test_balance_strata);
    tcase_add_test(sweep, test_check_made_folds);
    suite_add_tcase(s, sweep);
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_strata_hand_made);
    tcase_add_test(tc, test_determinism);
    tcase_add_test(tc, test_shuffled);
    tcase_add_test(tc, test_make_folds_dims);
    tcase_add_test(tc, test_check_good);
    tcase_add_test(tc, test_check_out_of_range);
    tcase_add_test(tc, test_check_empty_fold);
    tcase_add_test(tc, test_check_single_fold);
    tcase_add_test(tc, test_without_events);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run_suite(folds_suite());
}
