/* survstats.c - the survival summaries of libdesurv (spec section 10) on a
 * small hand-made cohort: a Kaplan-Meier curve, a log-rank test of high vs
 * low risk, and the hazard ratio of that grouping from a univariate Cox
 * fit.  The risk score here is made up; in practice it is the linear
 * predictor of desurv_predict() and the cut its median on the training
 * data.
 *
 * Build in-tree with meson, or alone against an installed libdesurv:
 *     cc survstats.c $(pkg-config --cflags --libs desurv) -lm
 */
#include <desurv/desurv.h>

#include <stdio.h>
#include <stdlib.h>

#define N 16

#define CHECK(call)                                                                   \
    do {                                                                              \
        int rc_ = (call);                                                             \
        if (rc_ != DESURV_OK) {                                                       \
            fprintf(stderr, "survstats: %s -> %d: %s\n", #call, rc_,                  \
                    desurv_strerror(rc_));                                            \
            goto done;                                                                \
        }                                                                             \
    } while (0)

int main(void)
{
    /* Months of follow-up, death (1) or censoring (0), and a risk score. */
    static const double time[N] = {2, 3, 3, 5, 6, 8, 8, 9, 11, 12, 14, 15, 18, 20, 24, 30};
    static const int32_t event[N] = {1, 1, 0, 1, 1, 1, 0, 1, 0, 1, 1, 0, 1, 0, 0, 0};
    static const double risk[N] = {1.9, 1.2, 0.4, 1.5, 0.2, 1.1, 0.9, -0.3,
                                   0.8, 0.1, -0.6, 0.3, -0.9, -1.2, -0.2, -1.5};
    int32_t high[N];
    double x01[N];
    int status = EXIT_FAILURE;
    double *t = NULL, *s = NULL, *se = NULL, *lo = NULL, *hi = NULL;
    int64_t *nr = NULL, *ne = NULL, *nc = NULL;

    /* High risk = above the median score (0.25 for these 16 values). */
    for (int i = 0; i < N; i++) {
        high[i] = risk[i] > 0.25;
        x01[i] = high[i];
    }

    /* 1. Kaplan-Meier: learn the number of rows (all outputs NULL), then
     *    fill caller-allocated arrays. */
    int64_t len = 0;
    CHECK(desurv_km(time, event, N, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, &len));
    t = malloc((size_t)len * sizeof *t);
    s = malloc((size_t)len * sizeof *s);
    se = malloc((size_t)len * sizeof *se);
    lo = malloc((size_t)len * sizeof *lo);
    hi = malloc((size_t)len * sizeof *hi);
    nr = malloc((size_t)len * sizeof *nr);
    ne = malloc((size_t)len * sizeof *ne);
    nc = malloc((size_t)len * sizeof *nc);
    if (!t || !s || !se || !lo || !hi || !nr || !ne || !nc)
        goto done;
    CHECK(desurv_km(time, event, N, t, s, se, lo, hi, nr, ne, nc, len, &len));
    printf("Kaplan-Meier (std.err of S = surv * se(log S))\n");
    printf("  time n.risk n.event n.censor   surv  std.err   lower95  upper95\n");
    for (int64_t r = 0; r < len; r++)
        printf("  %4g %6lld %7lld %8lld %6.4f %8.4f %9.4f %8.4f\n", t[r], (long long)nr[r],
               (long long)ne[r], (long long)nc[r], s[r], s[r] * se[r], lo[r], hi[r]);

    /* 2. Log-rank test of the two groups (labels 0 = low, 1 = high). */
    double chisq, p, obs[2], expd[2];
    int64_t df, g;
    int32_t labels[2];
    CHECK(desurv_logrank(time, event, high, N, &chisq, &df, &p, labels, obs, expd, 2, &g));
    printf("\nLog-rank: chisq = %.4f on %lld df, p = %.4g\n", chisq, (long long)df, p);
    for (int64_t k = 0; k < g; k++)
        printf("  group %d: observed %g, expected %.3f\n", labels[k], obs[k], expd[k]);

    /* 3. Hazard ratio of high vs low risk (Efron ties, as coxph), and of
     *    one unit of the continuous score. */
    double coef, sd, hr, hr_lo, hr_hi, pw, l0, l1;
    CHECK(desurv_cox1(time, event, x01, N, DESURV_TIES_EFRON, &coef, &sd, &hr, &hr_lo, &hr_hi,
                      &pw, &l0, &l1));
    printf("\nCox, high vs low: HR %.3f (95%% CI %.3f-%.3f), Wald p = %.4g, "
           "LR chisq = %.3f\n",
           hr, hr_lo, hr_hi, pw, 2 * (l1 - l0));
    CHECK(desurv_cox1(time, event, risk, N, DESURV_TIES_EFRON, &coef, &sd, &hr, &hr_lo, &hr_hi,
                      &pw, NULL, NULL));
    printf("Cox, per unit of score: coef %.4f (se %.4f), HR %.3f (%.3f-%.3f), p = %.4g\n", coef,
           sd, hr, hr_lo, hr_hi, pw);
    status = EXIT_SUCCESS;
done:
    free(t);
    free(s);
    free(se);
    free(lo);
    free(hi);
    free(nr);
    free(ne);
    free(nc);
    return status;
}
