/* test_select.c - the final choice from an evaluation history: hand-made
 * histories with known answers for the rules max, 1se and lcb, exact ties
 * at every tie-break level (k, alpha, lambda, nu, index), NaN entries, and
 * the 1se / lcb thresholds hit exactly and missed by one ulp. */
#include "lib/select.h"

#include "testutil.h"

#include <check.h>
#include <math.h>
#include <stddef.h>

static dsv_eval ev(double k, double alpha, double lambda, double nu, double mean, double se)
{
    dsv_eval e = {{0}, mean, se};
    e.par[DSV_P_K] = k;
    e.par[DSV_P_ALPHA] = alpha;
    e.par[DSV_P_LAMBDA] = lambda;
    e.par[DSV_P_NU] = nu;
    return e;
}

#define NH(h) ((int64_t)(sizeof(h) / sizeof((h)[0])))

static int64_t pick_max(const dsv_eval *h, int64_t n)
{
    return dsv_select(DSV_RULE_MAX, h, n, NULL, NULL, 0);
}

/* ---- max ---- */

START_TEST(test_max_plain)
{
    dsv_eval h[] = {ev(3, 0.5, 1, 0.5, 0.60, 0.01), ev(4, 0.5, 1, 0.5, 0.70, 0.01),
                    ev(2, 0.5, 1, 0.5, 0.65, 0.01)};
    ck_assert_int_eq(pick_max(h, NH(h)), 1);
    ck_assert_int_eq(pick_max(h, 1), 0);
}
END_TEST

START_TEST(test_max_nan)
{
    dsv_eval h[] = {ev(2, 0.5, 1, 0.5, NAN, 0.01), ev(4, 0.5, 1, 0.5, 0.55, 0.01),
                    ev(3, 0.5, 1, 0.5, NAN, NAN), ev(5, 0.5, 1, 0.5, 0.50, 0.01)};
    ck_assert_int_eq(pick_max(h, NH(h)), 1);
    dsv_eval all_nan[] = {ev(2, 0.5, 1, 0.5, NAN, 0.01), ev(3, 0.5, 1, 0.5, NAN, 0.01)};
    ck_assert_int_eq(pick_max(all_nan, NH(all_nan)), -1);
    ck_assert_int_eq(dsv_select(DSV_RULE_1SE, all_nan, NH(all_nan), NULL, NULL, 0), -1);
    double g[] = {0.7, 0.8}, s[] = {0.01, 0.01};
    ck_assert_int_eq(dsv_select(DSV_RULE_LCB, all_nan, NH(all_nan), g, s, 1.645), -1);
    ck_assert_int_eq(pick_max(h, 0), -1);
    ck_assert_int_eq(pick_max(NULL, 3), -1);
    ck_assert_int_eq(dsv_select(99, h, NH(h), NULL, NULL, 0), -1);
}
END_TEST

/* Equal means: each level of the tie-break decides when all the levels
 * before it are equal, and outranks every level after it. */
START_TEST(test_max_ties)
{
    /* k: the smaller k wins although its alpha, lambda, nu all lose. */
    dsv_eval hk[] = {ev(4, 0.1, 10, 0.1, 0.7, 0), ev(3, 0.9, 0.1, 0.9, 0.7, 0)};
    ck_assert_int_eq(pick_max(hk, 2), 1);
    /* alpha: smaller alpha, same k. */
    dsv_eval ha[] = {ev(3, 0.5, 10, 0.1, 0.7, 0), ev(3, 0.2, 0.1, 0.9, 0.7, 0)};
    ck_assert_int_eq(pick_max(ha, 2), 1);
    /* lambda: the larger lambda, same k and alpha. */
    dsv_eval hl[] = {ev(3, 0.2, 0.1, 0.1, 0.7, 0), ev(3, 0.2, 1.0, 0.9, 0.7, 0)};
    ck_assert_int_eq(pick_max(hl, 2), 1);
    /* nu: the smaller nu. */
    dsv_eval hn[] = {ev(3, 0.2, 1.0, 0.8, 0.7, 0), ev(3, 0.2, 1.0, 0.3, 0.7, 0)};
    ck_assert_int_eq(pick_max(hn, 2), 1);
    /* index: equal in all four (other parameters do not count). */
    dsv_eval hi[] = {ev(2, 0.1, 1, 0.5, 0.6, 0), ev(3, 0.2, 1.0, 0.3, 0.7, 0),
                     ev(3, 0.2, 1.0, 0.3, 0.7, 0)};
    hi[2].par[DSV_P_LAMBDA_W] = -1;
    hi[2].par[DSV_P_NTOP] = 10;
    ck_assert_int_eq(pick_max(hi, 3), 1);
    /* A larger mean beats every tie-break. */
    dsv_eval hm[] = {ev(2, 0.0, 100, 0.0, 0.7, 0), ev(12, 0.9, 0.01, 1.0, 0.7000001, 0)};
    ck_assert_int_eq(pick_max(hm, 2), 1);
}
END_TEST

/* The choice is the same point whatever the order of the history. */
START_TEST(test_max_order_free)
{
    dsv_eval h[] = {ev(4, 0.3, 1, 0.5, 0.7, 0), ev(4, 0.3, 2, 0.5, 0.7, 0),
                    ev(4, 0.2, 0.5, 0.5, 0.7, 0), ev(5, 0.1, 9, 0.1, 0.7, 0),
                    ev(4, 0.2, 0.5, 0.6, 0.7, 0)};
    ck_assert_int_eq(pick_max(h, 5), 2);
    dsv_eval r[5];
    for (int i = 0; i < 5; i++)
        r[i] = h[4 - i];
    ck_assert_int_eq(pick_max(r, 5), 2); /* h[2] is r[2] */
    dsv_eval rot[5];
    for (int i = 0; i < 5; i++)
        rot[i] = h[(i + 2) % 5];
    ck_assert_int_eq(pick_max(rot, 5), 0);
}
END_TEST

START_TEST(test_tiebreak_fn)
{
    dsv_eval a = ev(3, 0.2, 1.0, 0.3, 0.1, 0), b = a;
    ck_assert_int_eq(dsv_eval_tiebreak(&a, &b), 0);
    b.mean = 0.9; /* the mean is not part of the tie-break */
    ck_assert_int_eq(dsv_eval_tiebreak(&a, &b), 0);
    b.par[DSV_P_NU] = 0.4;
    ck_assert_int_eq(dsv_eval_tiebreak(&a, &b), -1);
    ck_assert_int_eq(dsv_eval_tiebreak(&b, &a), 1);
    b.par[DSV_P_LAMBDA] = 2.0;
    ck_assert_int_eq(dsv_eval_tiebreak(&a, &b), 1);
    b.par[DSV_P_ALPHA] = 0.1;
    ck_assert_int_eq(dsv_eval_tiebreak(&a, &b), 1);
    b.par[DSV_P_K] = 4;
    ck_assert_int_eq(dsv_eval_tiebreak(&a, &b), -1);
}
END_TEST

/* ---- 1se ---- */

START_TEST(test_1se_within)
{
    /* best: index 0 (k 6, 0.80 +- 0.02).  k 3 reaches the threshold, k 2
     * does not; k 3's better point is index 3. */
    dsv_eval h[] = {ev(6, 0.5, 1, 0.5, 0.80, 0.02), ev(2, 0.5, 1, 0.5, 0.70, 0.10),
                    ev(3, 0.5, 1, 0.5, 0.782, 0.01), ev(3, 0.6, 1, 0.5, 0.79, 0.01),
                    ev(4, 0.5, 1, 0.5, 0.795, 0.01), ev(3, 0.5, 1, 0.5, NAN, 0.01)};
    ck_assert_int_eq(dsv_select(DSV_RULE_1SE, h, NH(h), NULL, NULL, 0), 3);
    ck_assert_int_eq(pick_max(h, NH(h)), 0);
}
END_TEST

/* The threshold best.mean - best.se is inclusive: a point exactly on it
 * qualifies, one ulp below it does not. */
START_TEST(test_1se_edge)
{
    double thr = 0.80 - 0.02;
    dsv_eval h[] = {ev(6, 0.5, 1, 0.5, 0.80, 0.02), ev(2, 0.5, 1, 0.5, thr, 0.5)};
    ck_assert_int_eq(dsv_select(DSV_RULE_1SE, h, 2, NULL, NULL, 0), 1);
    h[1].mean = nextafter(thr, -INFINITY);
    ck_assert_int_eq(dsv_select(DSV_RULE_1SE, h, 2, NULL, NULL, 0), 0);
    /* The candidate's own (large) se does not matter, only the best's. */
    h[1].se = 1.0;
    ck_assert_int_eq(dsv_select(DSV_RULE_1SE, h, 2, NULL, NULL, 0), 0);
    /* A NaN se at the best: no slack, the rule is max. */
    h[0].se = NAN;
    h[1].mean = 0.7999;
    ck_assert_int_eq(dsv_select(DSV_RULE_1SE, h, 2, NULL, NULL, 0), 0);
}
END_TEST

/* Ties inside the chosen k go through the tie-break; so do ties of the
 * best itself. */
START_TEST(test_1se_ties)
{
    dsv_eval h[] = {ev(5, 0.5, 1, 0.5, 0.80, 0.05), ev(3, 0.4, 1, 0.5, 0.78, 0.01),
                    ev(3, 0.3, 1, 0.5, 0.78, 0.01), ev(3, 0.3, 1, 0.5, 0.78, 0.01),
                    ev(3, 0.3, 5, 0.5, 0.77, 0.01)};
    ck_assert_int_eq(dsv_select(DSV_RULE_1SE, h, NH(h), NULL, NULL, 0), 2);
    /* Two bests of equal mean: the one with smaller k defines the se. */
    dsv_eval b[] = {ev(5, 0.5, 1, 0.5, 0.80, 0.10), ev(4, 0.5, 1, 0.5, 0.80, 0.001),
                    ev(2, 0.5, 1, 0.5, 0.75, 0.001)};
    ck_assert_int_eq(dsv_select(DSV_RULE_1SE, b, NH(b), NULL, NULL, 0), 1);
    b[1].par[DSV_P_K] = 6; /* now index 0 is the best, with se 0.10 */
    ck_assert_int_eq(dsv_select(DSV_RULE_1SE, b, NH(b), NULL, NULL, 0), 2);
}
END_TEST

/* ---- lcb ---- */

START_TEST(test_lcb)
{
    const double z = 1.645;
    /* The means would pick index 0 under max; lcb looks at gmu only.  The
     * best gmu is index 1 (0.74, sd 0.02): threshold 0.74 - 0.0329 =
     * 0.7071.  k 2 (0.70) and k 3 (0.69) miss it, k 4 reaches it at 0.72
     * and 0.71: the pick is index 2. */
    dsv_eval h[] = {ev(2, 0.5, 1, 0.5, 0.90, 0.01), ev(6, 0.5, 1, 0.5, 0.70, 0.01),
                    ev(4, 0.5, 1, 0.5, 0.60, 0.01), ev(3, 0.5, 1, 0.5, 0.60, 0.01),
                    ev(4, 0.5, 1, 0.5, 0.60, 0.01)};
    double gmu[] = {0.70, 0.74, 0.72, 0.69, 0.71};
    double gsd[] = {0.10, 0.02, 0.05, 0.05, 0.05};
    ck_assert_int_eq(dsv_select(DSV_RULE_LCB, h, NH(h), gmu, gsd, z), 2);
    /* A wider interval reaches k 2: 0.74 - 3 * 0.02 = 0.68. */
    ck_assert_int_eq(dsv_select(DSV_RULE_LCB, h, NH(h), gmu, gsd, 3.0), 0);
    /* z = 0: the largest gmu. */
    ck_assert_int_eq(dsv_select(DSV_RULE_LCB, h, NH(h), gmu, gsd, 0.0), 1);
    /* Exactly on the threshold qualifies, one ulp below does not. */
    double thr = gmu[1] - z * gsd[1];
    gmu[3] = thr;
    ck_assert_int_eq(dsv_select(DSV_RULE_LCB, h, NH(h), gmu, gsd, z), 3);
    gmu[3] = nextafter(thr, -INFINITY);
    ck_assert_int_eq(dsv_select(DSV_RULE_LCB, h, NH(h), gmu, gsd, z), 2);
    /* Without the GP summaries there is nothing to choose from. */
    ck_assert_int_eq(dsv_select(DSV_RULE_LCB, h, NH(h), NULL, gsd, z), -1);
    ck_assert_int_eq(dsv_select(DSV_RULE_LCB, h, NH(h), gmu, NULL, z), -1);
}
END_TEST

START_TEST(test_lcb_nan)
{
    const double z = 1.645;
    dsv_eval h[] = {ev(2, 0.5, 1, 0.5, 0.70, 0.01), ev(6, 0.5, 1, 0.5, 0.70, 0.01),
                    ev(3, 0.5, 1, 0.5, NAN, 0.01), ev(4, 0.5, 1, 0.5, 0.70, 0.01)};
    double gmu[] = {NAN, 0.74, 0.80, 0.73};
    double gsd[] = {0.01, 0.02, 0.01, 0.01};
    /* Index 0 (NaN gmu) and index 2 (NaN mean, though the largest gmu)
     * are never chosen: best is 1, and k 4 reaches 0.7071. */
    ck_assert_int_eq(dsv_select(DSV_RULE_LCB, h, NH(h), gmu, gsd, z), 3);
    /* A NaN sd at the best: no slack. */
    gsd[1] = NAN;
    ck_assert_int_eq(dsv_select(DSV_RULE_LCB, h, NH(h), gmu, gsd, z), 1);
    double all_nan[] = {NAN, NAN, NAN, NAN};
    ck_assert_int_eq(dsv_select(DSV_RULE_LCB, h, NH(h), all_nan, gsd, z), -1);
}
END_TEST

/* Equal gmu: the same tie-break as for the means. */
START_TEST(test_lcb_ties)
{
    dsv_eval h[] = {ev(3, 0.5, 1, 0.5, 0.7, 0), ev(3, 0.5, 2, 0.5, 0.6, 0),
                    ev(3, 0.5, 2, 0.5, 0.5, 0), ev(5, 0.1, 9, 0.1, 0.9, 0)};
    double gmu[] = {0.72, 0.72, 0.72, 0.75};
    double gsd[] = {0.01, 0.01, 0.01, 0.03};
    ck_assert_int_eq(dsv_select(DSV_RULE_LCB, h, NH(h), gmu, gsd, 1.645), 1);
}
END_TEST

static Suite *select_suite(void)
{
    Suite *s = suite_create("select");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_max_plain);
    tcase_add_test(tc, test_max_nan);
    tcase_add_test(tc, test_max_ties);
    tcase_add_test(tc, test_max_order_free);
    tcase_add_test(tc, test_tiebreak_fn);
    tcase_add_test(tc, test_1se_within);
    tcase_add_test(tc, test_1se_edge);
    tcase_add_test(tc, test_1se_ties);
    tcase_add_test(tc, test_lcb);
    tcase_add_test(tc, test_lcb_nan);
    tcase_add_test(tc, test_lcb_ties);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run_suite(select_suite());
}
