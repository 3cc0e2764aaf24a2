/* test_select.c - the final choice from an evaluation history: hand-made
 * histories with known answers for the rules max, 1se, lcb, 1se-recon and
 * 1se-parsimony,
 * exact ties at every tie-break level (k, alpha, lambda, nu, index), NaN
 * entries, and the 1se / lcb thresholds hit exactly and missed by one ulp.
 * Also the held-out reconstruction error that 1se-recon and 1se-parsimony use
 * (dsv_bicv_error) against a direct computation on tiny cases. */
#include "tune/cv.h"
#include "tune/select.h"

#include "testutil.h"

#include <check.h>
#include <math.h>
#include <stddef.h>
#include <string.h>

static dsv_eval ev(double k, double alpha, double lambda, double nu, double mean, double se)
{
    dsv_eval e = {{0}, mean, se, NAN, NAN};
    e.par[DSV_P_K] = k;
    e.par[DSV_P_ALPHA] = alpha;
    e.par[DSV_P_LAMBDA] = lambda;
    e.par[DSV_P_NU] = nu;
    return e;
}

/* ev with a held-out reconstruction error. */
static dsv_eval evr(double k, double alpha, double mean, double se, double recon)
{
    dsv_eval e = ev(k, alpha, 1, 0.5, mean, se);
    e.recon = recon;
    e.recon_se = 0.1 * recon;
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

/* ---- 1se-recon ---- */

static int64_t pick_recon(const dsv_eval *h, int64_t n)
{
    return dsv_select(DSV_RULE_1SE_RECON, h, n, NULL, NULL, 0);
}

START_TEST(test_recon_plateau)
{
    /* best: index 0 (0.80 +- 0.02), plateau mean >= 0.78: indices 0, 2, 3,
     * 4.  Index 1 has the lowest recon but lies below the plateau; index 5
     * too but its mean is NaN.  Lowest recon on the plateau: index 3 (k 5,
     * a larger k than 1se's choice: the rule is not "smallest k"). */
    dsv_eval h[] = {evr(2, 0.99, 0.80, 0.02, 5e-3), evr(3, 0.10, 0.70, 0.02, 1e-5),
                    evr(3, 0.95, 0.79, 0.02, 4e-4), evr(5, 0.50, 0.78, 0.02, 2e-4),
                    evr(4, 0.90, 0.785, 0.02, 3e-4), evr(3, 0.30, NAN, 0.02, 1e-6)};
    ck_assert_int_eq(pick_recon(h, NH(h)), 3);
    ck_assert_int_eq(dsv_select(DSV_RULE_1SE, h, NH(h), NULL, NULL, 0), 0);
    /* One ulp below the threshold leaves the plateau. */
    h[3].mean = nextafter(0.80 - 0.02, -INFINITY);
    ck_assert_int_eq(pick_recon(h, NH(h)), 4);
    /* A NaN se at the best: the plateau is the best alone. */
    h[0].se = NAN;
    ck_assert_int_eq(pick_recon(h, NH(h)), 0);
}
END_TEST

START_TEST(test_recon_ties)
{
    /* Equal recon on the plateau: the larger mean (index 2), then for
     * equal means too the tie-break (smaller k: index 3), then the order. */
    dsv_eval h[] = {evr(6, 0.9, 0.80, 0.05, 2e-4), evr(4, 0.9, 0.77, 0.05, 1e-4),
                    evr(5, 0.9, 0.78, 0.05, 1e-4)};
    ck_assert_int_eq(pick_recon(h, NH(h)), 2);
    dsv_eval t[] = {evr(6, 0.9, 0.80, 0.05, 2e-4), evr(4, 0.9, 0.78, 0.05, 1e-4),
                    evr(5, 0.9, 0.78, 0.05, 1e-4), evr(3, 0.9, 0.78, 0.05, 1e-4),
                    evr(3, 0.9, 0.78, 0.05, 1e-4)};
    ck_assert_int_eq(pick_recon(t, NH(t)), 3);
    t[4].par[DSV_P_ALPHA] = 0.5; /* smaller alpha wins at equal k */
    ck_assert_int_eq(pick_recon(t, NH(t)), 4);
    /* The result does not depend on the order of the history beyond the
     * documented last resort. */
    dsv_eval r[] = {t[4], t[2], t[0], t[3], t[1]};
    ck_assert_int_eq(pick_recon(r, NH(r)), 0);
}
END_TEST

START_TEST(test_recon_nan)
{
    /* NaN recon (warm-start points) ranks after every finite recon ... */
    dsv_eval h[] = {evr(2, 0.9, 0.80, 0.05, NAN), evr(4, 0.9, 0.78, 0.05, 3e-4),
                    evr(3, 0.9, 0.79, 0.05, NAN)};
    ck_assert_int_eq(pick_recon(h, NH(h)), 1);
    /* ... and when no plateau point has one, the rule is max. */
    h[1].recon = NAN;
    ck_assert_int_eq(pick_recon(h, NH(h)), 0);
    dsv_eval all_nan[] = {evr(2, 0.5, NAN, 0.01, 1e-4), evr(3, 0.5, NAN, 0.01, 1e-5)};
    ck_assert_int_eq(pick_recon(all_nan, NH(all_nan)), -1);
    ck_assert_int_eq(dsv_select(DSV_RULE_1SE_RECON, NULL, 2, NULL, NULL, 0), -1);
}
END_TEST

/* ---- 1se-parsimony ---- */

/* ev with every field of the rule given (nu 0.5). */
static dsv_eval evp(double k, double alpha, double lambda, double mean, double se, double recon,
                    double recon_se)
{
    dsv_eval e = ev(k, alpha, lambda, 0.5, mean, se);
    e.recon = recon;
    e.recon_se = recon_se;
    return e;
}

static int64_t pick_pars(const dsv_eval *h, int64_t n)
{
    return dsv_select(DSV_RULE_1SE_PARSIMONY, h, n, NULL, NULL, 0);
}

/* The smallest k within one recon SE of the lowest recon is neither 1se's
 * k (the smallest on the plateau) nor the k of the lowest recon. */
START_TEST(test_pars_k_within_recon_se)
{
    /* best: index 0 (0.80 +- 0.03): plateau mean >= 0.77 is 0..3; index 4
     * (k 3, lowest recon of all) lies below it.  r = index 3 (recon 0.20,
     * se 0.15): threshold 0.35 admits indices 0 (k 6), 2 (k 4), 3 (k 5),
     * not index 1 (k 2, 0.40): k* = 4, whose only point is index 2. */
    dsv_eval h[] = {evp(6, 0.5, 1, 0.80, 0.03, 0.30, 0.01), evp(2, 0.5, 1, 0.78, 0.02, 0.40, 0.01),
                    evp(4, 0.5, 1, 0.78, 0.02, 0.305, 0.01),
                    evp(5, 0.5, 1, 0.775, 0.02, 0.20, 0.15),
                    evp(3, 0.5, 1, 0.70, 0.02, 0.01, 0.01)};
    ck_assert_int_eq(pick_pars(h, NH(h)), 2);
    ck_assert_int_eq(dsv_select(DSV_RULE_1SE, h, NH(h), NULL, NULL, 0), 1);
    ck_assert_int_eq(pick_recon(h, NH(h)), 3);
    /* The threshold is r's recon + r's recon_se, inclusive ... */
    h[2].recon = h[3].recon + h[3].recon_se;
    ck_assert_int_eq(pick_pars(h, NH(h)), 2);
    /* ... one ulp above it leaves k 4 out: k 5 (r itself) is next. */
    h[2].recon = nextafter(h[2].recon, INFINITY);
    ck_assert_int_eq(pick_pars(h, NH(h)), 3);
    /* A narrow recon se at r: only r qualifies. */
    h[2].recon = 0.305;
    h[3].recon_se = 0.001;
    ck_assert_int_eq(pick_pars(h, NH(h)), 3);
    /* A wide one reaches k 2. */
    h[3].recon_se = 0.2;
    ck_assert_int_eq(pick_pars(h, NH(h)), 1);
}
END_TEST

/* At k*, a smaller alpha within one SE of that k's best beats the k's best
 * point; then larger lambda, smaller nu, earlier evaluation; the mean does
 * not rank the points within the SE. */
START_TEST(test_pars_at_k)
{
    /* best: index 0 (k 5, 0.80 +- 0.04), plateau >= 0.76, r = index 0
     * (0.30 + 0.02): k 3 qualifies (0.31), k* = 3.  k 3's best is index 1
     * (0.79 +- 0.01): threshold 0.78.  Index 2 (alpha 0.2, 0.785) is in,
     * index 3 (alpha 0.1, 0.775) is out although on the global plateau. */
    dsv_eval h[] = {evp(5, 0.5, 1, 0.80, 0.04, 0.30, 0.02), evp(3, 0.9, 1, 0.79, 0.01, 0.31, 0.01),
                    evp(3, 0.2, 1, 0.785, 0.01, 0.31, 0.01),
                    evp(3, 0.1, 1, 0.775, 0.01, 0.31, 0.01),
                    evp(3, 0.2, 10, 0.781, 0.01, 0.40, 0.01),
                    evp(3, 0.2, 10, 0.781, 0.01, 0.40, 0.01),
                    evp(3, 0.2, 10, 0.789, 0.01, 0.40, 0.01)};
    ck_assert_int_eq(pick_pars(h, 4), 2);
    ck_assert_int_eq(dsv_select(DSV_RULE_1SE, h, 4, NULL, NULL, 0), 1);
    ck_assert_int_eq(pick_recon(h, 4), 0);
    /* Equal alpha: the larger lambda (index 4, whose recon plays no part). */
    ck_assert_int_eq(pick_pars(h, 5), 4);
    /* Equal alpha and lambda: the smaller nu. */
    h[5].par[DSV_P_NU] = 0.3;
    ck_assert_int_eq(pick_pars(h, 6), 5);
    /* Equal in all: the earlier evaluation, even against a larger mean. */
    h[6].par[DSV_P_NU] = 0.3;
    ck_assert_int_eq(pick_pars(h, 7), 5);
    /* Within the SE of the k's best but off the global plateau: index 3
     * joins once k 3's best has a wide se (0.79 - 0.05 = 0.74). */
    h[1].se = 0.05;
    h[3].mean = 0.75;
    ck_assert_int_eq(pick_pars(h, 4), 3);
}
END_TEST

/* Ties in the mean, at the top and at k*. */
START_TEST(test_pars_mean_ties)
{
    /* Two bests (0.80): the smaller k (index 1, se 0.001) defines the
     * plateau, so index 2 (0.78, k 2) is off it and k* = 4. */
    dsv_eval b[] = {evp(5, 0.5, 1, 0.80, 0.10, 0.3, 0.1), evp(4, 0.5, 1, 0.80, 0.001, 0.3, 0.1),
                    evp(2, 0.5, 1, 0.78, 0.001, 0.3, 0.1)};
    ck_assert_int_eq(pick_pars(b, NH(b)), 1);
    b[1].par[DSV_P_K] = 6; /* now index 0 (se 0.10) is the best: k 2 joins */
    ck_assert_int_eq(pick_pars(b, NH(b)), 2);
    /* At k* = 3 two points share the best mean; the tie-break (smaller
     * alpha: index 0, se 0.001) defines the k's threshold 0.789, which
     * leaves index 2 (alpha 0.3) out; the other's se 0.05 would not. */
    dsv_eval h[] = {evp(3, 0.5, 1, 0.79, 0.001, 0.3, 0.01), evp(3, 0.6, 1, 0.79, 0.05, 0.3, 0.01),
                    evp(3, 0.3, 1, 0.76, 0.01, 0.3, 0.01)};
    ck_assert_int_eq(pick_pars(h, NH(h)), 0);
    h[0].par[DSV_P_ALPHA] = 0.7; /* now index 1 (se 0.05) defines it */
    ck_assert_int_eq(pick_pars(h, NH(h)), 2);
}
END_TEST

/* Equal lowest recon on the plateau: r is the one 1se-recon chooses (the
 * larger mean), and its recon_se sets the threshold. */
START_TEST(test_pars_recon_ties)
{
    /* r = index 0 (0.20 + 0.001): k 4 (index 1, 0.20) qualifies, k 3
     * (0.25) does not.  Were r index 1 (se 0.1), k 3 would. */
    dsv_eval h[] = {evp(5, 0.5, 1, 0.80, 0.03, 0.20, 0.001), evp(4, 0.5, 1, 0.78, 0.03, 0.20, 0.1),
                    evp(3, 0.5, 1, 0.79, 0.03, 0.25, 0.01)};
    ck_assert_int_eq(pick_pars(h, NH(h)), 1);
    ck_assert_int_eq(pick_recon(h, NH(h)), 0);
    h[1].mean = 0.80; /* equal mean too: the tie-break makes index 1 (k 4) r */
    ck_assert_int_eq(pick_recon(h, NH(h)), 1);
    ck_assert_int_eq(pick_pars(h, NH(h)), 2);
}
END_TEST

START_TEST(test_pars_nan_recon)
{
    /* A plateau point without recon never sets k*: k 2 (index 0) would be
     * 1se's choice; r = index 1, k* = 4. */
    dsv_eval h[] = {evp(2, 0.5, 1, 0.79, 0.02, NAN, NAN), evp(4, 0.5, 1, 0.80, 0.02, 0.30, 0.01),
                    evp(4, 0.1, 1, 0.785, 0.02, NAN, NAN), evp(3, 0.5, 1, 0.70, 0.02, 0.01, 0.01)};
    ck_assert_int_eq(dsv_select(DSV_RULE_1SE, h, 2, NULL, NULL, 0), 0);
    ck_assert_int_eq(pick_pars(h, 2), 1);
    /* ... but at k* it can be chosen (index 2: smaller alpha). */
    ck_assert_int_eq(pick_pars(h, NH(h)), 2);
    /* No finite recon on the plateau (index 3's lies below it): rule 1se. */
    h[1].recon = NAN;
    ck_assert_int_eq(pick_pars(h, NH(h)), 0);
    ck_assert_int_eq(dsv_select(DSV_RULE_1SE, h, NH(h), NULL, NULL, 0), 0);
    /* An infinite recon counts as missing too. */
    h[1].recon = INFINITY;
    ck_assert_int_eq(pick_pars(h, NH(h)), 0);
}
END_TEST

START_TEST(test_pars_nan_se)
{
    /* A NaN se at the best: the plateau is the best alone (index 1, k 3,
     * with the lower recon, is off it), and at k 5 no slack either: the
     * smaller alpha of index 2 (0.795) does not count. */
    dsv_eval h[] = {evp(5, 0.5, 1, 0.80, NAN, 0.30, 0.01), evp(3, 0.5, 1, 0.79, 0.01, 0.10, 0.01),
                    evp(5, 0.1, 1, 0.795, 0.01, 0.30, 0.01)};
    ck_assert_int_eq(pick_pars(h, NH(h)), 0);
    h[0].se = 0.02;
    ck_assert_int_eq(pick_pars(h, NH(h)), 1);
    /* A NaN recon_se at r: the threshold is r's recon itself. */
    dsv_eval r[] = {evp(5, 0.5, 1, 0.80, 0.02, 0.20, NAN), evp(4, 0.5, 1, 0.79, 0.02, 0.20, 0.5),
                    evp(3, 0.5, 1, 0.79, 0.02, nextafter(0.20, 1), 0.5)};
    ck_assert_int_eq(pick_pars(r, NH(r)), 1);
}
END_TEST

START_TEST(test_pars_degenerate)
{
    dsv_eval one[] = {evp(3, 0.5, 1, 0.7, 0.01, 0.3, 0.01)};
    ck_assert_int_eq(pick_pars(one, 1), 0);
    one[0].recon = NAN, one[0].se = NAN;
    ck_assert_int_eq(pick_pars(one, 1), 0);
    dsv_eval all_nan[] = {evp(2, 0.5, 1, NAN, 0.01, 0.1, 0.01),
                          evp(3, 0.5, 1, NAN, 0.01, 0.2, 0.01)};
    ck_assert_int_eq(pick_pars(all_nan, NH(all_nan)), -1);
    ck_assert_int_eq(pick_pars(NULL, 2), -1);
    ck_assert_int_eq(pick_pars(one, 0), -1);
    ck_assert_int_eq(dsv_select(DSV_RULE_1SE_PARSIMONY + 1, one, 1, NULL, NULL, 0), -1);
}
END_TEST

/* The choice is the same point whatever the order of the history. */
START_TEST(test_pars_order_free)
{
    dsv_eval h[] = {evp(5, 0.5, 1, 0.80, 0.04, 0.30, 0.02), evp(3, 0.9, 1, 0.79, 0.01, 0.31, 0.01),
                    evp(3, 0.2, 1, 0.785, 0.01, 0.31, 0.01),
                    evp(3, 0.1, 1, 0.775, 0.01, 0.31, 0.01),
                    evp(2, 0.2, 1, 0.70, 0.01, 0.10, 0.01)};
    ck_assert_int_eq(pick_pars(h, NH(h)), 2);
    dsv_eval r[NH(h)];
    for (int64_t i = 0; i < NH(h); i++)
        r[i] = h[NH(h) - 1 - i];
    ck_assert_int_eq(pick_pars(r, NH(r)), 2); /* h[2] is r[2] */
    dsv_eval rot[NH(h)];
    for (int64_t i = 0; i < NH(h); i++)
        rot[i] = h[(i + 1) % NH(h)];
    ck_assert_int_eq(pick_pars(rot, NH(rot)), 1);
}
END_TEST

/* ---- the held-out reconstruction error ---- */

/* Solve the m x m system A x = b (column-major, lda m) by Gaussian
 * elimination with partial pivoting; A and b are overwritten. */
static void solve_small(double *A, int m, double *b)
{
    for (int c = 0; c < m; c++) {
        int piv = c;
        for (int r = c + 1; r < m; r++)
            if (fabs(A[r + c * m]) > fabs(A[piv + c * m]))
                piv = r;
        for (int q = 0; q < m; q++) {
            double tmp = A[c + q * m];
            A[c + q * m] = A[piv + q * m], A[piv + q * m] = tmp;
        }
        double tb = b[c];
        b[c] = b[piv], b[piv] = tb;
        for (int r = c + 1; r < m; r++) {
            double f = A[r + c * m] / A[c + c * m];
            for (int q = c; q < m; q++)
                A[r + q * m] -= f * A[c + q * m];
            b[r] -= f * b[c];
        }
    }
    for (int c = m - 1; c >= 0; c--) {
        for (int q = c + 1; q < m; q++)
            b[c] -= A[c + q * m] * b[q];
        b[c] /= A[c + c * m];
    }
}

/* Exact NNLS of x (rows rows[0..nr-1]) on W (p x k) by enumerating the
 * 2^k active sets: the feasible least-squares solution of least residual. */
static void nnls_enum(const double *W, int64_t p, int k, const int64_t *rows, int64_t nr,
                      const double *x, double *h)
{
    double best = INFINITY;
    for (int set = 1; set < (1 << k); set++) {
        int idx[8], m = 0;
        for (int r = 0; r < k; r++)
            if (set & (1 << r))
                idx[m++] = r;
        double A[64], b[8], cand[8] = {0};
        for (int a = 0; a < m; a++) {
            b[a] = 0;
            for (int64_t i = 0; i < nr; i++)
                b[a] += W[rows[i] + idx[a] * p] * x[rows[i]];
            for (int c = 0; c < m; c++) {
                A[a + c * m] = 0;
                for (int64_t i = 0; i < nr; i++)
                    A[a + c * m] += W[rows[i] + idx[a] * p] * W[rows[i] + idx[c] * p];
            }
        }
        solve_small(A, m, b);
        int feasible = 1;
        for (int a = 0; a < m; a++)
            feasible &= b[a] >= 0, cand[idx[a]] = b[a];
        if (!feasible)
            continue;
        double res = 0;
        for (int64_t i = 0; i < nr; i++) {
            double v = x[rows[i]];
            for (int r = 0; r < k; r++)
                v -= W[rows[i] + r * p] * cand[r];
            res += v * v;
        }
        if (res < best)
            for (int r = 0; r < k; r++)
                best = res, h[r] = cand[r];
    }
    if (!isfinite(best))
        for (int r = 0; r < k; r++)
            h[r] = 0;
}

/* ||x_to - W_to h||^2 / ||x_to||^2 summed over the columns. */
static double direct_error(const double *W, int64_t p, int k, const double *X, int64_t m,
                           const int64_t *from, int64_t nf, const int64_t *to, int64_t nt)
{
    double num = 0, den = 0, h[8];
    for (int64_t j = 0; j < m; j++) {
        const double *x = X + j * p;
        nnls_enum(W, p, k, from, nf, x, h);
        for (int64_t i = 0; i < nt; i++) {
            double v = x[to[i]];
            den += v * v;
            for (int r = 0; r < k; r++)
                v -= W[to[i] + r * p] * h[r];
            num += v * v;
        }
    }
    return num / den;
}

/* dsv_bicv_error equals the mean over both directions of the directly
 * computed held-out error (NNLS by enumeration, residuals formed
 * explicitly), on data where some NNLS constraints are active. */
START_TEST(test_bicv_error_direct)
{
    enum { P = 9, K = 3, M = 4 };
    double W[P * K], X[P * M];
    uint64_t z = 12345;
    for (int i = 0; i < P * K; i++) {
        z = z * 6364136223846793005ULL + 1442695040888963407ULL;
        W[i] = (double)(z >> 11) / 9007199254740992.0;
    }
    /* columns 0, 1: nonnegative mixtures plus noise; 2, 3: a negative
     * coefficient, so the NNLS solution has an active constraint */
    const double coef[M][K] = {{1, 0.5, 0.2}, {0.1, 2, 0.7}, {1, -0.8, 0.5}, {-0.5, 0.3, 1}};
    for (int j = 0; j < M; j++)
        for (int i = 0; i < P; i++) {
            z = z * 6364136223846793005ULL + 1442695040888963407ULL;
            double v = 0.05 * (double)(z >> 11) / 9007199254740992.0;
            for (int r = 0; r < K; r++)
                v += W[i + r * P] * coef[j][r];
            X[i + j * P] = fmax(v, 0) + 0.01;
        }
    int64_t perm[P], pa;
    ck_assert_int_eq(dsv_bicv_split(P, 7, perm, &pa), 0);
    ck_assert_int_eq(pa, P / 2);
    /* a permutation, each half ascending */
    int seen[P] = {0};
    for (int i = 0; i < P; i++) {
        ck_assert(perm[i] >= 0 && perm[i] < P);
        seen[perm[i]]++;
        if (i > 0 && i != pa)
            ck_assert(perm[i] > perm[i - 1]);
    }
    for (int i = 0; i < P; i++)
        ck_assert_int_eq(seen[i], 1);
    double Xab[P * M];
    for (int j = 0; j < M; j++)
        for (int i = 0; i < P; i++)
            Xab[i + j * P] = X[perm[i] + j * P];
    double err = NAN;
    ck_assert_int_eq(dsv_bicv_error(W, NULL, P, K, perm, pa, Xab, M, &err), 0);
    double want = 0.5 * (direct_error(W, P, K, X, M, perm, pa, perm + pa, P - pa) +
                         direct_error(W, P, K, X, M, perm + pa, P - pa, perm, pa));
    ck_assert_msg(fabs(err - want) <= 1e-10 * want, "bicv %.17g, direct %.17g", err, want);
    ck_assert(err > 0);
    /* An exact nonnegative model of the data gives no error. */
    for (int j = 0; j < M; j++)
        for (int i = 0; i < P; i++)
            Xab[i + j * P] = W[perm[i]] + 2 * W[perm[i] + 2 * P] * (j + 1);
    ck_assert_int_eq(dsv_bicv_error(W, NULL, P, K, perm, pa, Xab, M, &err), 0);
    ck_assert_msg(err < 1e-20, "exact model: %g", err);
    /* A different seed gives a different split. */
    int64_t perm2[P], pa2;
    ck_assert_int_eq(dsv_bicv_split(P, 8, perm2, &pa2), 0);
    ck_assert(memcmp(perm, perm2, sizeof perm) != 0 || P < 4);
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
    tcase_add_test(tc, test_recon_plateau);
    tcase_add_test(tc, test_recon_ties);
    tcase_add_test(tc, test_recon_nan);
    tcase_add_test(tc, test_pars_k_within_recon_se);
    tcase_add_test(tc, test_pars_at_k);
    tcase_add_test(tc, test_pars_mean_ties);
    tcase_add_test(tc, test_pars_recon_ties);
    tcase_add_test(tc, test_pars_nan_recon);
    tcase_add_test(tc, test_pars_nan_se);
    tcase_add_test(tc, test_pars_degenerate);
    tcase_add_test(tc, test_pars_order_free);
    tcase_add_test(tc, test_bicv_error_direct);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run_suite(select_suite());
}
