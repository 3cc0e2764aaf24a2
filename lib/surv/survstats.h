/* survstats.h - helpers of the survival summaries (desurv_km,
 * desurv_logrank, desurv_cox1; doc/model.md section 10).  Internal to libdesurv. */
#ifndef DESURV_SURVSTATS_H
#define DESURV_SURVSTATS_H

#include <stdint.h>

/* log Gamma(a) for a > 0 (no global state, unlike lgamma's signgam):
 * upward recurrence to a >= 10, then Stirling's series; absolute error
 * ~1e-15 |log Gamma(a)|. */
double dsv_log_gamma(double a);

/* Regularised upper incomplete gamma Q(a, x) = Gamma(a, x) / Gamma(a),
 * a > 0, x >= 0: the power series of P = 1 - Q when x < a + 1, else the
 * continued fraction of Q (modified Lentz), so Q keeps its relative
 * accuracy deep in the tail (until it underflows). */
double dsv_gamma_q(double a, double x);

/* Upper tail P(chi2_df > x) (R's pchisq(x, df, lower.tail = FALSE));
 * df = 1 uses erfc(sqrt(x / 2)).  df <= 0: 1 when x <= 0, else 0. */
double dsv_chisq_sf(double x, double df);

#endif
